/* norm — the legal norms: the norm table (data/norms.csv) and the three
 * norms of the contract computed from it.
 *
 * The norm table holds one number per row, each with the regulation and
 * article it comes from and the school years it is valid for, so a user
 * updates it when a circular changes without recompiling (see
 * data/norms.md). Columns:
 *
 *   norm,level,grade,sessions_per_day,region,value,valid_from,valid_to,
 *   regulation,article,note
 *
 * level, grade, sessions_per_day and region are a value or '*' (empty is
 * read as '*'): any. valid_from/valid_to are school years ("2023-2024");
 * an empty valid_to means still in force. For a given key the most
 * specific matching row wins; two rows that match the same key with the
 * same specificity in the same year are rejected when the table is loaded.
 *
 * The computations (norm_tpc_*, norm_spc_*, norm_posts_*) work on plain
 * structs so they can be tested without files; norm_evaluate runs the
 * whole stage over the clean tables. The core never prints: problems with
 * the data go to a diag_sink as warnings.
 */
#ifndef SCHOOLSTAT_NORM_H
#define SCHOOLSTAT_NORM_H

#include <stddef.h>

#include "ctable.h"
#include "diag.h"
#include "err.h"

/* ------------------------------------------------------------ domains */

/* Levels in contract order (also the order of level:<level> rows). */
typedef enum norm_level {
	NORM_MAM_NON = 0,
	NORM_TIEU_HOC,
	NORM_THCS,
	NORM_THPT,
	NORM_TH_THCS,
	NORM_THCS_THPT,
	NORM_NLEVELS
} norm_level;

/* Grades in contract order: nha_tre, mg_3, mg_4, mg_5, 1 ... 12, all. */
enum {
	NORM_GRADE_NHA_TRE = 0,
	NORM_GRADE_MG_3,
	NORM_GRADE_MG_4,
	NORM_GRADE_MG_5,
	NORM_GRADE_1,          /* grade g (1..12) is NORM_GRADE_1 + g - 1 */
	NORM_GRADE_12 = NORM_GRADE_1 + 11,
	NORM_GRADE_ALL,
	NORM_NGRADES
};

/* In a norm_key: "any" for level/grade ('*' in the table); for sessions
 * and region 0 means "not given" and matches only '*' rows. A key grade
 * of NORM_ANY asks for the level as a whole and matches only rows whose
 * grade is '*'. */
#define NORM_ANY (-1)

/* Name <-> code; parse functions return -1 for an unknown name. */
int norm_level_parse(const char *name);
const char *norm_level_name(int level);
int norm_grade_parse(const char *name);
const char *norm_grade_name(int grade);

/* The single level a grade belongs to (nha_tre -> mam_non, 7 -> thcs);
 * -1 for "all" or an unknown grade. */
int norm_grade_level(int grade);

/* 1 when a school of `level` may have `grade` ("all" everywhere). */
int norm_level_has_grade(int level, int grade);

/* Parses a school year "2024-2025" (the second year must follow the
 * first) into its first calendar year; returns 1, or 0 when malformed. */
int norm_year_parse(const char *s, int *first);

/* Writes "2024-2025" for first = 2024 into buf (size >= 16); returns buf. */
const char *norm_year_format(int first, char *buf, size_t size);

/* ------------------------------------------------------------ table */

/* Norm names the table may hold. The first three are the contract's norms
 * (their numbers: teachers per class, maximum class size); the posts_*
 * rows feed teacher_posts; the last two are settings whose value is a
 * word, not a number. */
#define NORM_TEACHERS_PER_CLASS "teachers_per_class"
#define NORM_STUDENTS_PER_CLASS "students_per_class"
#define NORM_TEACHER_POSTS "teacher_posts"      /* output only */
#define NORM_POSTS_CLASS_SIZE "posts_class_size"
#define NORM_POSTS_LEFTOVER "posts_leftover"
#define NORM_POSTS_EXTRA "posts_extra"
#define NORM_SET_ROUNDING "leftover_rounding"
#define NORM_SET_MANAGERS "count_managers"

typedef struct norm_row {
	char *norm;
	int level;       /* norm_level or NORM_ANY */
	int grade;       /* grade code or NORM_ANY */
	int sessions;    /* 1, 2 or NORM_ANY */
	int region;      /* 1, 2, 3 or NORM_ANY */
	double value;    /* numeric norms; 0 for settings */
	char *text;      /* the value cell as written (settings use this) */
	int valid_from;  /* first calendar year of the first school year */
	int valid_to;    /* first calendar year of the last; INT_MAX if open */
	char *regulation;
	char *article;
	char *note;
	long line;       /* line in the table file */
} norm_row;

typedef struct norm_table {
	char *path;      /* for messages */
	norm_row *rows;
	size_t nrows;
} norm_table;

void norm_table_init(norm_table *t);
void norm_table_release(norm_table *t);

/* Loads and checks the norm table at path (through ctable). SS_EIO when it
 * cannot be read; SS_EDATA naming file:line:column for a bad header, an
 * unknown norm/level/grade, a value that is not a number (or not a whole
 * number where one is needed), a bad school year, valid_to before
 * valid_from, or two rows that overlap. On failure *t is left empty; the
 * caller releases it with norm_table_release in any case. */
ss_status norm_table_load(norm_table *t, const char *path, ss_error *e);

/* The same from a table already in memory (src->path names it in
 * messages). The strings are copied; src stays the caller's. */
ss_status norm_table_from_ctable(norm_table *t, const ctable *src,
				 ss_error *e);

typedef struct norm_key {
	const char *norm;
	int level;       /* norm_level or NORM_ANY */
	int grade;       /* grade code, or NORM_ANY for the level as a whole */
	int sessions;    /* 1 or 2; 0 when not relevant */
	int region;      /* 1..3; 0 when not relevant */
	int year;        /* first calendar year of the school year */
} norm_key;

/* Finds the row valid for k->year that matches the key most specifically.
 * On SS_OK *out points into the table. SS_EDATA when there is none, with
 * a message naming the norm, the key and the school year. */
ss_status norm_lookup(const norm_table *t, const norm_key *k,
		      const norm_row **out, ss_error *e);

/* norm_lookup returning the row's value. */
ss_status norm_lookup_value(const norm_table *t, const norm_key *k,
			    double *out, ss_error *e);

/* How the pupils left over after the regional average classes turn into
 * teacher posts (Thông tư 20/2023: "cứ 17 học sinh ... được bố trí thêm
 * 01 giáo viên"). */
typedef enum norm_rounding {
	NORM_ROUND_FLOOR = 0, /* only whole groups: floor(left / per) */
	NORM_ROUND_HALF_UP,   /* a last group of at least half counts */
	NORM_ROUND_FRACTION   /* left / per, a fraction of a post */
} norm_rounding;

/* "floor", "half_up", "fraction" -> code, or -1. */
int norm_rounding_parse(const char *name);
const char *norm_rounding_name(norm_rounding r);

/* The settings valid in school year `year`: SS_EDATA when the table has
 * no such row for that year (message names it) or the word is unknown. */
ss_status norm_setting_rounding(const norm_table *t, int year,
				norm_rounding *out, ss_error *e);
ss_status norm_setting_count_managers(const norm_table *t, int year,
				      int *out, ss_error *e);

/* ------------------------------------------------------------ results */

typedef enum norm_status {
	NORM_STATUS_NONE = 0, /* cannot be judged: written empty */
	NORM_STATUS_OK,
	NORM_STATUS_BELOW,
	NORM_STATUS_ABOVE
} norm_status;

/* "ok", "below", "above"; "" for NORM_STATUS_NONE. */
const char *norm_status_name(norm_status s);

/* One output row's numbers; has_* = 0 means the field is written empty. */
typedef struct norm_result {
	int has_value;
	double value;
	int has_limit;
	double limit;
	norm_status status;
	int has_shortfall;
	long long shortfall;
} norm_result;

/* Rounds a non-negative amount of people up, ignoring binary noise below
 * 1e-9 (1.9 * 30 is 57, not 57.000000000000007). */
long long norm_ceil_people(double x);

/* teachers_per_class. A group is a set of classes sharing one ratio: a
 * grade (nha_tre 2.5, mg_3 2.2, ...) or a level part of a school. */
typedef struct norm_tpc_group {
	long long classes;
	double ratio;
} norm_tpc_group;

typedef struct norm_tpc {
	int known;            /* 0: the ratio is unknown, only value is */
	long long classes;
	long long teachers;
	double required;      /* sum of classes x ratio */
	long long shortfall;  /* school: ceil(required - teachers) if > 0;
				 the result of an aggregate recomputes it
				 from its sums (the contract's formula) */
} norm_tpc;

/* A school's figures from its groups and its teachers (known = 1). */
void norm_tpc_school(const norm_tpc_group *g, size_t n, long long teachers,
		     norm_tpc *out);
/* Adds a school's figures to an aggregate (start from a zeroed struct;
 * the aggregate becomes known once a known school is added). */
void norm_tpc_add(norm_tpc *acc, const norm_tpc *school);
/* value = teachers/classes, limit = required/classes, status from
 * teachers vs required, shortfall as stored. classes = 0: all empty. */
void norm_tpc_result(const norm_tpc *x, norm_result *r);

/* students_per_class. A group is one grade: classes, students and its
 * maximum class size. */
typedef struct norm_spc_group {
	long long classes;
	long long students;
	double limit;
} norm_spc_group;

typedef struct norm_spc {
	int known;
	long long classes;
	long long students;
	double capacity;      /* sum of classes x limit */
	long long shortfall;  /* classes lacking: sum over grades of
				 ceil(students / limit) - classes if > 0 */
	int above;            /* some grade's average exceeds its limit */
} norm_spc;

void norm_spc_school(const norm_spc_group *g, size_t n, norm_spc *out);
void norm_spc_add(norm_spc *acc, const norm_spc *school);
/* value = students/classes, limit = capacity/classes (the class-weighted
 * limit), status above/ok, shortfall as stored. classes = 0: all empty. */
void norm_spc_result(const norm_spc *x, norm_result *r);

/* teacher_posts. A group is a part of a school whose pupils are divided
 * by one regional average class size: a preschool age group, or the
 * primary / lower / upper secondary part of a general school. */
typedef struct norm_posts_group {
	long long pupils;
	long long class_size;         /* regional average pupils per class */
	long long leftover_per_post;  /* leftover pupils per extra teacher */
	double ratio;                 /* teachers per class */
} norm_posts_group;

typedef struct norm_posts {
	int known;
	long long teachers;
	double posts;
	long long shortfall;  /* school: ceil(posts - teachers) if > 0;
				 an aggregate's result recomputes it */
} norm_posts;

/* posts = sum over groups of floor(pupils / class_size) x ratio
 *         + leftover posts (rounded as r says) + extra.
 * A group with class_size or leftover_per_post <= 0 contributes nothing
 * (the table loader rejects such values). */
void norm_posts_school(const norm_posts_group *g, size_t n, double extra,
		       long long teachers, norm_rounding r, norm_posts *out);
void norm_posts_add(norm_posts *acc, const norm_posts *school);
/* value = teachers, limit = posts, status from teachers vs posts. */
void norm_posts_result(const norm_posts *x, norm_result *r);

/* ------------------------------------------------------------ the stage */

typedef struct norm_out_row {
	int year;
	char *scope;
	char *norm;
	norm_result r;
} norm_out_row;

typedef struct norm_output {
	norm_out_row *rows;
	size_t nrows, cap;
} norm_output;

void norm_output_init(norm_output *o);
void norm_output_release(norm_output *o);

/* Appends a row (scope and norm are copied). SS_ENOMEM on failure. */
ss_status norm_output_push(norm_output *o, int year, const char *scope,
			   const char *norm, const norm_result *r,
			   ss_error *e);

typedef struct norm_options {
	int count_managers; /* -1: as the table's setting; 0 no; 1 yes */
} norm_options;

/* Computes every norm row for the clean tables: schools (required),
 * enrollment and staffing (each may be NULL when absent). Rows come in
 * the contract's order: year; then schools in schools.csv order,
 * level:<level> in contract order, all; then teachers_per_class,
 * students_per_class, students_per_class:<grade> (grade order),
 * teacher_posts. Data problems (no staffing for a school-year with
 * classes, no classes, no norm for a year, unknown school, ...) are
 * reported to diag as warnings and the affected fields left empty.
 * SS_EDATA only when a table lacks a column it needs; SS_ENOMEM. */
ss_status norm_evaluate(const norm_table *t, const ctable *schools,
			const ctable *enrollment, const ctable *staffing,
			const norm_options *opt, diag_sink *diag,
			norm_output *out, ss_error *e);

/* Writes norms.csv (year,scope,norm,value,limit,status,shortfall) with
 * csvout; numbers with at most 6 decimals. SS_EIO on any write failure. */
ss_status norm_output_write(const norm_output *o, const char *path,
			    ss_error *e);

/* The stage: loads the norm table at norms_path and OUTPUT_DIR/clean/
 * schools.csv (required), enrollment.csv and staffing.csv (used when
 * present), evaluates and writes OUTPUT_DIR/norms.csv. Warnings go to
 * diag. SS_EIO when an input is missing or unreadable or the output cannot
 * be written; SS_EDATA for a malformed table (the error has its position);
 * SS_ENOMEM. */
ss_status norm_run(const char *outdir, const char *norms_path,
		   const norm_options *opt, diag_sink *diag, ss_error *e);

#endif
