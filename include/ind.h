/* ind — the indicator catalogue and the indicators stage.
 *
 * The stage reads OUTPUT_DIR/clean/{schools,enrollment,promotion,staffing,
 * exam_summary,exam_hist,accreditation}.csv (only schools.csv is required)
 * and writes OUTPUT_DIR/indicators.csv
 *   year,scope,indicator,value,numerator,denominator,ci_low,ci_high
 * and OUTPUT_DIR/exam_histograms.csv
 *   year,scope,subject,bin_width,bin_low,bin_high,count
 *
 * Row conventions (how value follows from the other columns), by kind:
 *   IND_KIND_COUNT     numerator = the count or sum, denominator = 1,
 *                      value = numerator (classes, students, teachers,
 *                      exam_candidates).
 *   IND_KIND_RATIO     value = numerator / denominator x scale, where scale
 *                      is 100 for percentages and 1 otherwise; exam_mean has
 *                      numerator = sum of scores, denominator = candidates.
 *   IND_KIND_SD        numerator = sum of squared deviations from the mean,
 *                      denominator = n - 1, value = sqrt(numerator /
 *                      denominator).
 *   IND_KIND_QUANTILE  numerator empty, denominator = n (scores behind the
 *                      value); value is computed exactly from the scores
 *                      (exam_median: mean of the two middle scores for even
 *                      n), whose distribution exam_histograms.csv shows.
 * A ratio with denominator 0 (or an SD with n < 2) has value, ci_low and
 * ci_high empty and a `zero_denominator` warning in validation.csv; no field
 * is ever nan or inf. Percent rows whose numerator is a count between 0 and
 * the denominator carry the Wilson interval (in percent) in ci_low/ci_high;
 * other rows leave them empty (staff fill above 100, survival from the
 * cohort model).
 *
 * Scopes: every school (schools.csv order), level:<level> (mam_non,
 * tieu_hoc, thcs, thpt, th_thcs, thcs_thpt; unknown levels after them),
 * then, for exam indicators only, commune:<name>, district:<name>,
 * province:<name> from the schools' columns (each kind sorted bytewise),
 * then all. Aggregates sum the counts of their schools; a ratio whose
 * parts come from two tables (teachers_per_class: staffing and enrollment)
 * sums only the schools that have both in that year.
 *
 * Data mapping:
 *   classes, students            enrollment.csv, all grade rows summed.
 *   teachers                     staffing.csv role teacher, permanent +
 *                                contract; teachers_per_class_permanent uses
 *                                permanent only.
 *   permanent_staff_fill         staffing.csv rows that give a quota:
 *                                sum of their permanent / sum of their quota.
 *   promotion/repetition/dropout promotion.csv, all grade rows summed,
 *                                over enrolled.
 *   completion_rate              promotion.csv rows of the school's final
 *                                grade (mg_5, 5, 9, 12; th_thcs 9,
 *                                thcs_thpt 12) with completed given:
 *                                completed / enrolled.
 *   completion_rate_cohort       the same numerator over the entry-grade
 *                                enrolment of the cohort (enrollment.csv
 *                                students): grade 5 in t / grade 1 in t-4,
 *                                grade 9 / grade 6 in t-3, grade 12 /
 *                                grade 10 in t-2 (the last one an extension
 *                                of the statistics office's two). Not for
 *                                preschools.
 *   cohort_*_rate:<grade>,       UNESCO reconstructed cohort per stage
 *   survival_rate_last_grade:    (tieu_hoc 1-5, thcs 6-9, thpt 10-12), for
 *     <stage>                    year t from enrolment E (enrollment.csv
 *                                students, year t), E1 (year t+1) and the
 *                                repeaters of year t+1 R1 = promotion.csv
 *                                `repeated` of year t (pupils held back at
 *                                the end of t repeat in t+1); graduates of
 *                                the last grade = completed (or promoted
 *                                when completed is empty). Rows are labelled
 *                                with year t. promotion numerator =
 *                                E1[g+1] - R1[g+1] (graduates for the last
 *                                grade), repetition numerator = R1[g],
 *                                dropout numerator = E[g] - both, all over
 *                                E[g]. Survival is the model's share of a
 *                                1000-pupil cohort reaching the last grade:
 *                                numerator = pupils of 1000, denominator =
 *                                1000. A scope sums the schools with every
 *                                grade of the stage in both years. A grade
 *                                whose flows fail the model's integrity
 *                                check (promotion numerator < 0, or
 *                                promotion + repetition numerators >
 *                                E[g], i.e. a negative dropout count or a
 *                                promotion rate above 100: transfers in)
 *                                has its three rows written with every
 *                                number empty, counts included, and one
 *                                cohort_inconsistent warning per grade
 *                                and scope quoting the counts; a grade
 *                                with E[g] = 0 and no flows keeps the
 *                                zero_denominator rows.
 *   exam_*:<subject>             per school, (year, exam, subject):
 *                                clean/exam_hist.csv when that school has
 *                                rows for it (exact: histograms merge);
 *                                otherwise its exam_summary.csv row,
 *                                candidate-weighted (pooled mean and SD;
 *                                passers per row = round(candidates x
 *                                pass_rate / 100)); no median or low rate
 *                                from summaries. A scope mixing both
 *                                sources pools exactly: n, sum and sum of
 *                                squares (a summary row gives n mean and
 *                                (n - 1) sd^2 + n mean^2; the SD covers the
 *                                scores and the rows giving an sd), pass
 *                                rate from passers (scores >= pass mark
 *                                plus the rounded summary passers); its
 *                                median and low rate rows are empty with
 *                                an exam_mixed_sources warning, and it has
 *                                no exam_histograms.csv rows. When
 *                                a year has more than one exam the name is
 *                                exam_*:<exam>:<subject>. Subject and exam
 *                                names are folded with text_fold.
 *
 * Warning codes (validation.csv): zero_denominator (file and src_line of
 * the row concerned; no line for aggregates), cohort_inconsistent (the
 * flows promote and hold back more pupils than a grade had, as transfers in
 * do: once per such grade and scope, at the school's enrollment.csv line
 * of the grade, whose three rows are empty; once more for the survival
 * row, which is empty),
 * exam_summary_superseded (summary rows of a school that has per-candidate
 * scores for the same year, exam and subject), exam_mixed_sources (median
 * and low rate of a scope mixing scores and summaries), unknown_school /
 * unknown_grade (rows left out).
 */
#ifndef SCHOOLSTAT_IND_H
#define SCHOOLSTAT_IND_H

#include <stddef.h>
#include <stdint.h>

#include "ctable.h"
#include "diag.h"
#include "err.h"
#include "strmap.h"

/* ------------------------------------------------------------ catalogue */

/* Catalogue order is the order of rows within a year and scope. */
typedef enum ind_id {
	IND_CLASSES,
	IND_STUDENTS,
	IND_STUDENTS_PER_CLASS,
	IND_TEACHERS,
	IND_TEACHERS_PER_CLASS,
	IND_TEACHERS_PER_CLASS_PERMANENT,
	IND_STUDENTS_PER_TEACHER,
	IND_PERMANENT_STAFF_FILL,
	IND_PROMOTION_RATE,
	IND_REPETITION_RATE,
	IND_DROPOUT_RATE,
	IND_COMPLETION_RATE,
	IND_COMPLETION_RATE_COHORT,
	IND_SURVIVAL_RATE_LAST_GRADE,
	IND_COHORT_PROMOTION_RATE,
	IND_COHORT_REPETITION_RATE,
	IND_COHORT_DROPOUT_RATE,
	IND_EXAM_CANDIDATES,
	IND_EXAM_MEAN,
	IND_EXAM_SD,
	IND_EXAM_MEDIAN,
	IND_EXAM_PASS_RATE,
	IND_EXAM_LOW_RATE,
	IND_STANDARD_SCHOOL_SHARE, /* produced by the accreditation module */
	IND_QUALITY_LEVEL_SHARE,   /* produced by the accreditation module */
	IND_STANDARD_SCHOOL_SHARE_PUBLIC, /* the same, public schools only */
	IND_QUALITY_LEVEL_SHARE_PUBLIC,
	IND_ACCREDITATION_VALID,          /* schools with a recognition in force */
	IND_ACCREDITATION_VALID_PUBLIC,
	IND_ACCREDITATION_EXPIRING,       /* ... ending this or next school year */
	IND_ACCREDITATION_EXPIRING_PUBLIC,
	IND_ACCREDITATION_EXPIRED,
	IND_ACCREDITATION_EXPIRED_PUBLIC,
	IND_ACCREDITATION_OVERDUE,        /* re-evaluation registration late */
	IND_ACCREDITATION_OVERDUE_PUBLIC,
	IND_NUM_INDICATORS
} ind_id;

typedef enum ind_kind {
	IND_KIND_COUNT,
	IND_KIND_RATIO,
	IND_KIND_SD,
	IND_KIND_QUANTILE
} ind_kind;

typedef enum ind_suffix {
	IND_SUFFIX_NONE,
	IND_SUFFIX_SUBJECT, /* ":<subject>" or ":<exam>:<subject>" */
	IND_SUFFIX_GRADE,   /* ":<grade>" */
	IND_SUFFIX_STAGE,   /* ":tieu_hoc" | ":thcs" | ":thpt" */
	IND_SUFFIX_LEVEL_K  /* ":<k>": exactly quality / standard level k */
} ind_suffix;

typedef struct ind_def {
	ind_id id;
	const char *name;  /* base name, before any ':' */
	ind_kind kind;
	double scale;      /* 100 for percentages, else 1 */
	int wilson;        /* 1: rows carry a Wilson interval when they can */
	ind_suffix suffix;
} ind_def;

/* The definition of id; NULL when id is out of range. Static storage. */
const ind_def *ind_def_get(ind_id id);

/* The definition of a full indicator name ("exam_mean:toan" -> exam_mean,
 * "promotion_rate" -> promotion_rate); NULL when the base name is unknown. */
const ind_def *ind_def_find(const char *indicator);

/* Recomputes value from a row's numerator and denominator at full
 * precision, by the row conventions above. Returns 1 and stores *value for
 * COUNT, RATIO and SD rows with a usable denominator; 0 otherwise
 * (QUANTILE rows, denominator 0, negative SD numerator). */
int ind_value_from_parts(const ind_def *d, double numerator,
			 double denominator, double *value);

/* --------------------------------------------------------------- scopes */

typedef enum ind_scope_kind {
	IND_SCOPE_SCHOOL,
	IND_SCOPE_LEVEL,
	IND_SCOPE_COMMUNE,
	IND_SCOPE_DISTRICT,
	IND_SCOPE_PROVINCE,
	IND_SCOPE_ALL
} ind_scope_kind;

/* One school of schools.csv; the strings point into the loaded table. */
typedef struct ind_school {
	const char *id, *level, *commune, *district, *province;
	long src_line;
} ind_school;

typedef struct ind_scope {
	char *name;        /* "S01", "level:thcs", "commune:<name>", "all" */
	ind_scope_kind kind;
	size_t *members;   /* indices into the school list, ascending */
	size_t nmembers;
} ind_scope;

typedef struct ind_scopes {
	ind_scope *scope;  /* in output order: the index is the rank */
	size_t n;
	strmap by_name;    /* name -> index */
} ind_scopes;

void ind_scopes_init(ind_scopes *s);
void ind_scopes_release(ind_scopes *s);

/* Builds the scopes of schools[0..n) in output order, in O(n log n)
 * time. Ids should be unique (ind_input_load keeps the first row of a
 * repeated id). SS_ENOMEM on allocation failure (s is then released). */
ss_status ind_scopes_build(ind_scopes *s, const ind_school *schools,
			   size_t n, ss_error *e);

/* Rank (index) of the scope named name, or -1 when unknown. */
long ind_scopes_rank(const ind_scopes *s, const char *name);

/* ----------------------------------------------------------------- rows */

/* Identifies a row. suffix is the part after the base name's ':' (NULL or
 * "" for none); sub_rank orders rows of one indicator with different
 * suffixes (subject, grade, stage order). */
typedef struct ind_key {
	const char *year;   /* "2024-2025" */
	const char *scope;
	ind_id id;
	const char *suffix;
	long sub_rank;
} ind_key;

/* Where a zero-denominator warning points: the input file ("enrollment.csv"),
 * the src_line of the row concerned (0 for aggregates) and what the
 * denominator counts ("classes"). */
typedef struct ind_src {
	const char *file;
	long line;
	const char *what;
} ind_src;

/* How a row's numbers follow from the two parts it was added with (the row
 * conventions above): COUNT a = count; RATIO a = numerator, b =
 * denominator; SD a = sd, b = n - 1; QUANTILE a = value, b = n; EMPTY
 * none. Values and intervals are derived when the row is read, so a row
 * costs 40 bytes whatever it holds (a national run has 300,000). */
typedef enum ind_form {
	IND_FORM_EMPTY,
	IND_FORM_COUNT,
	IND_FORM_RATIO,
	IND_FORM_SD,
	IND_FORM_QUANTILE
} ind_form;

typedef struct ind_row {
	double a, b;                     /* the parts, by form */
	long sub_rank;
	uint32_t year, scope, indicator; /* indices into the string pool */
	unsigned char id;                /* ind_id */
	unsigned char form;              /* ind_form */
	unsigned char has_a, has_b;
} ind_row;

/* A row as written: strings (valid until ind_rows_release) and numbers. */
typedef struct ind_values {
	const char *year, *scope, *indicator;
	unsigned char has_value, has_numerator, has_denominator, has_ci;
	double value, numerator, denominator, ci_low, ci_high;
} ind_values;

/* The list producers append to. scopes and diag are borrowed and must
 * outlive the list; diag receives the zero-denominator warnings. */
typedef struct ind_rows {
	ind_row *row;
	size_t n, cap;
	const ind_scopes *scopes;
	double ci_level;
	double z;     /* the Wilson z of ci_level, when z_ok */
	int z_ok;
	diag_sink *diag;
	/* Distinct strings of the rows, stored once: a district has a few
	 * hundred scopes and indicators but can have millions of rows. */
	char **pool;
	unsigned char *pool_role; /* what each string names: year, scope,
				     indicator (bits), for the sort */
	size_t npool, cap_pool;
	strmap pool_index;
	long min_sub, max_sub;    /* over the rows, for the sort */
	/* Producers add runs of rows with the same year, scope and suffix:
	 * the last ones are remembered, and full names are found per
	 * (suffix, indicator) in a table rather than built and hashed. */
	long last_year, last_scope, last_suffix;
	char **suffix;      /* distinct suffixes; 0 is "" */
	size_t nsuffix, cap_suffix;
	strmap suffix_index;
	uint32_t *named;    /* nsuffix x IND_NUM_INDICATORS pool indices */
	/* When set, rows take their year, scope and suffix from here instead
	 * of the key's strings (ind_priv.h, ind_rows_key_ids). */
	const struct ind_key_ids *fixed;
} ind_rows;

void ind_rows_init(ind_rows *r, const ind_scopes *scopes, double ci_level,
		   diag_sink *diag);
void ind_rows_release(ind_rows *r);

/* Appends a COUNT row: numerator = count, denominator = 1. */
ss_status ind_rows_add_count(ind_rows *r, const ind_key *k, long long count,
			     ss_error *e);

/* Appends a RATIO row: value = num / den x scale. den == 0: value empty and
 * a zero_denominator warning naming src. The Wilson interval is added when
 * the definition asks for it and num is a whole number in 0..den. */
ss_status ind_rows_add_ratio(ind_rows *r, const ind_key *k, double num,
			     double den, const ind_src *src, ss_error *e);

/* Appends an SD row for n scores: numerator = sd^2 (n - 1), denominator =
 * n - 1. ok == 0 (the SD could not be computed) or n < 2: value and
 * numerator empty, and a zero_denominator warning naming src. */
ss_status ind_rows_add_sd(ind_rows *r, const ind_key *k, int ok, double sd,
			  long long n, const ind_src *src, ss_error *e);

/* Appends a QUANTILE row: value q (empty unless ok), denominator n. */
ss_status ind_rows_add_quantile(ind_rows *r, const ind_key *k, int ok,
				double q, long long n, ss_error *e);

/* Appends a row with every number empty, and a warning with the given code
 * (for values a model could not produce). */
ss_status ind_rows_add_empty(ind_rows *r, const ind_key *k,
			     const ind_src *src, const char *code,
			     const char *why, ss_error *e);

/* The strings and numbers of row i (value and interval derived from the
 * parts by the row conventions). */
void ind_rows_values(const ind_rows *r, size_t i, ind_values *v);

/* Sorts into output order: year, scope rank (unknown scopes last, by
 * name), catalogue order, sub_rank, then the indicator name; rows equal in
 * all of these keep the order they were added in. SS_ENOMEM when the
 * sort's index cannot be allocated (the rows are then left as they were). */
ss_status ind_rows_sort(ind_rows *r, ss_error *e);

/* Writes indicators.csv (header and rows in their current order), numbers
 * through csvout_real with 6 decimals. SS_EIO on any write failure. */
ss_status ind_rows_write(const ind_rows *r, const char *path, ss_error *e);

/* ---------------------------------------------------------------- input */

typedef struct ind_input {
	char *outdir;
	ctable schools, enrollment, promotion, staffing, exam_summary,
	       exam_hist, accreditation;
	int has_enrollment, has_promotion, has_staffing, has_exam_summary,
	    has_exam_hist, has_accreditation;
	ind_school *school;  /* nschools, schools.csv order, ids unique */
	size_t nschools;
	strmap school_index; /* id -> index */
	ind_scopes scopes;
} ind_input;

void ind_input_init(ind_input *in);
void ind_input_release(ind_input *in);

/* Loads OUTPUT_DIR/clean/ tables. A missing optional table is recorded as
 * absent; a missing or unreadable schools.csv, or any table that cannot be
 * read, is SS_EIO; a table without a column this stage needs is SS_EDATA.
 * The caller releases in with ind_input_release even on failure. */
ss_status ind_input_load(ind_input *in, const char *outdir, ss_error *e);

/* Index of school id in in->school, or -1. */
long ind_input_school(const ind_input *in, const char *id);

/* ---------------------------------------------------------------- stage */

typedef struct ind_options {
	double ci_level;        /* Wilson interval level: 0.95 */
	long pass_x100;         /* exam pass mark in hundredths: 500 (>=) */
	long low_x100;          /* failing mark (diem liet): 100 (<=) */
	int cohort_max_repeats; /* repetitions per grade in the cohort model */
	int hist_every_scope;   /* exam_histograms.csv: 0 (default) only all,
				   level: and province: scopes, which charts
				   and report draw; 1 every scope */
} ind_options;

void ind_options_default(ind_options *o);

/* A producer appends rows for the loaded input; warnings go to rows->diag.
 * Producers live in their own files (ind_basic.c, ind_cohort.c, ind_exam.c,
 * and later e.g. the accreditation indicators) and never depend on each
 * other's order: the rows are sorted before writing. */
typedef ss_status (*ind_producer)(const ind_input *in,
				  const ind_options *opt, ind_rows *rows,
				  ss_error *e);

/* classes .. completion_rate_cohort */
ss_status ind_produce_basic(const ind_input *in, const ind_options *opt,
			    ind_rows *rows, ss_error *e);
/* cohort_*_rate:<grade>, survival_rate_last_grade:<stage> */
ss_status ind_produce_cohort(const ind_input *in, const ind_options *opt,
			     ind_rows *rows, ss_error *e);
/* exam_* rows, and exam_histograms.csv written to hist_path (header only
 * when there are no per-candidate scores). */
ss_status ind_produce_exam(const ind_input *in, const ind_options *opt,
			   ind_rows *rows, const char *hist_path,
			   ss_error *e);

/* Runs the stage on outdir: loads clean/, runs the built-in producers and
 * then extra[0..nextra), writes indicators.csv and exam_histograms.csv.
 * Warnings go to diag (the caller appends them to validation.csv). SS_EIO
 * for unreadable inputs or failed writes, SS_EDATA for a malformed clean
 * table, SS_ENOMEM. */
ss_status ind_run(const char *outdir, const ind_options *opt,
		  const ind_producer *extra, size_t nextra, diag_sink *diag,
		  ss_error *e);

/* ------------------------------------------------------------- helpers */

/* Grades in contract order: nha_tre, mg_3, mg_4, mg_5, 1 .. 12, all. */
#define IND_NUM_GRADES 17
#define IND_GRADE_ALL 16

/* Index of a grade name, or -1. */
int ind_grade_index(const char *grade);
/* Name of grade index g (static storage), or NULL. */
const char *ind_grade_name(int g);

/* Parses a normalized school year "2024-2025" into its first calendar year;
 * 1 on success, 0 when malformed (not YYYY-YYYY with consecutive years). */
int ind_year_parse(const char *year, int *start);
/* Formats start as "2024-2025" into buf (size >= 16); returns buf. */
const char *ind_year_format(int start, char *buf, size_t size);

#endif
