#include "ingest.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvin.h"
#include "csvout.h"
#include "ctable.h"
#include "exam.h"
#include "field.h"
#include "schema.h"
#include "strmap.h"
#include "text.h"

#define MAX_COLS 16
#define PATH_BUF 4096
#define REASON_MAX 600

/* One record as read, before validation. */
typedef struct raw_row {
	long line;
	size_t nfields;
	char **fields;
	long *columns;
	char *raw;
	csvin_row_status status;
	long problem_column;
	char *problem;
} raw_row;

/* A table as read from the input directory. */
typedef struct raw_table {
	const schema_table *schema;
	char path[PATH_BUF];
	size_t nheader;
	char **header;
	long *header_columns;
	int col_to_input[MAX_COLS]; /* schema column -> input column or -1 */
	raw_row *rows;
	size_t nrows, cap;
	char delimiter;
	int had_bom;
	long blank_lines;
	num_style style;
	int header_bad;             /* the header itself could not be read */
	char missing[REASON_MAX];   /* "lacks required column ..." or "" */
} raw_table;

/* Accepted rows, normalized: ncols values per row in schema order. */
typedef struct clean_table {
	const schema_table *schema;
	size_t nrows, cap;
	char **cells;
	long *lines;
} clean_table;

typedef struct ingest_ctx {
	const ingest_options *opt;
	diag_sink *diag;
	ss_error *e;
	clean_table schools;
	strmap school_index;  /* school_id -> row in schools */
	const char **school_ids;
	size_t nschool_ids;
} ingest_ctx;

/* ------------------------------------------------------------ raw tables */

static void raw_table_release(raw_table *t)
{
	for (size_t i = 0; i < t->nheader; i++)
		free(t->header[i]);
	free(t->header);
	free(t->header_columns);
	for (size_t r = 0; r < t->nrows; r++) {
		raw_row *row = &t->rows[r];

		for (size_t i = 0; i < row->nfields; i++)
			free(row->fields[i]);
		free(row->fields);
		free(row->columns);
		free(row->raw);
		free(row->problem);
	}
	free(t->rows);
	memset(t, 0, sizeof *t);
}

static char **copy_fields(const csvin_row *in)
{
	char **f = calloc(in->nfields ? in->nfields : 1, sizeof *f);

	if (!f)
		return NULL;
	for (size_t i = 0; i < in->nfields; i++)
		if (!(f[i] = strdup(in->fields[i]))) {
			while (i--)
				free(f[i]);
			free(f);
			return NULL;
		}
	return f;
}

static int store_row(raw_table *t, const csvin_row *in)
{
	raw_row *row;

	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		raw_row *nr = realloc(t->rows, ncap * sizeof *nr);

		if (!nr)
			return 0;
		t->rows = nr;
		t->cap = ncap;
	}
	row = &t->rows[t->nrows];
	memset(row, 0, sizeof *row);
	row->line = in->line;
	row->status = in->status;
	row->problem_column = in->problem_column;
	row->raw = strdup(in->raw ? in->raw : "");
	row->problem = strdup(in->problem);
	row->fields = copy_fields(in);
	row->columns = malloc((in->nfields ? in->nfields : 1) *
			      sizeof *row->columns);
	t->nrows++; /* counted even when partial, so release frees it */
	if (!row->raw || !row->problem || !row->fields || !row->columns)
		return 0;
	row->nfields = in->nfields;
	if (in->nfields) /* memcpy from a NULL source is undefined, even of 0 */
		memcpy(row->columns, in->columns,
		       in->nfields * sizeof *row->columns);
	return 1;
}

static int store_header(raw_table *t, const csvin_row *in)
{
	t->header = copy_fields(in);
	t->header_columns = malloc((in->nfields ? in->nfields : 1) *
				   sizeof *t->header_columns);
	if (!t->header || !t->header_columns)
		return 0;
	t->nheader = in->nfields;
	if (in->nfields)
		memcpy(t->header_columns, in->columns,
		       in->nfields * sizeof *t->header_columns);
	return 1;
}

static ss_status read_raw_table(ingest_ctx *c, raw_table *t)
{
	csvin_options copt = { 0, c->opt->encoding, 0 };
	csvin_reader *r = NULL;
	const csvin_row *row;
	ss_status st;
	int first = 1;

	if ((st = csvin_open(&r, t->path, &copt, c->e)) != SS_OK)
		return st;
	while ((st = csvin_next(r, &row, c->e)) == SS_OK && row) {
		if (first && row->status != CSVIN_ROW_OK) {
			/* a header we cannot read leaves nothing to map
			 * columns by; every data row is kept as a reject */
			diag_report(c->diag, DIAG_ERROR, "bad_header", t->path,
				    row->line, row->problem_column,
				    "unreadable header: %s", row->problem);
			t->header_bad = 1;
			first = 0;
			continue;
		}
		if (first) {
			first = 0;
			if (!store_header(t, row)) {
				st = err_set(c->e, SS_ENOMEM, t->path, 0, 0,
					     "out of memory");
				break;
			}
			continue;
		}
		if (!store_row(t, row)) {
			st = err_set(c->e, SS_ENOMEM, t->path, 0, 0,
				     "out of memory");
			break;
		}
	}
	t->delimiter = csvin_delimiter(r);
	t->had_bom = csvin_had_bom(r);
	t->blank_lines = csvin_blank_lines(r);
	csvin_free(r);
	return st;
}

/* ------------------------------------------------------------ header */

static void map_header(ingest_ctx *c, raw_table *t)
{
	const schema_table *s = t->schema;

	for (size_t i = 0; i < MAX_COLS; i++)
		t->col_to_input[i] = -1;
	if (t->header_bad) {
		snprintf(t->missing, sizeof t->missing,
			 "unreadable header of %s (expected a header row naming the columns)",
			 s->file);
		return;
	}
	for (size_t i = 0; i < t->nheader; i++) {
		int col = schema_column_index(s, t->header[i]);

		if (col < 0) {
			if (!s->open_columns && t->header[i][0])
				diag_report(c->diag, DIAG_WARNING,
					    "unknown_column", t->path, 1,
					    t->header_columns[i],
					    "unknown column '%s' ignored (expected a column of %s: see data/README.md)",
					    t->header[i], s->file);
			continue;
		}
		if (t->col_to_input[col] >= 0) {
			diag_report(c->diag, DIAG_WARNING, "duplicate_column",
				    t->path, 1, t->header_columns[i],
				    "second column for '%s' ignored: '%s' (expected each column once; the first is column %ld)",
				    s->columns[col].name, t->header[i],
				    t->header_columns[t->col_to_input[col]]);
			continue;
		}
		t->col_to_input[col] = (int)i;
	}
	for (size_t col = 0; col < s->ncolumns; col++) {
		const schema_column *sc = &s->columns[col];

		if (!sc->required || t->col_to_input[col] >= 0)
			continue;
		diag_report(c->diag, DIAG_ERROR, "missing_column", t->path, 1,
			    1,
			    "missing required column '%s' (expected a header named %s%s%s)",
			    sc->name, sc->name,
			    sc->aliases && sc->aliases[0] ? " or " : "",
			    sc->aliases && sc->aliases[0] ? sc->aliases[0] : "");
		if (!t->missing[0])
			snprintf(t->missing, sizeof t->missing,
				 "%s lacks required column '%s' (expected it in the header)",
				 s->file, sc->name);
	}
}

/* ------------------------------------------------------------ number style */

static int numeric_type(schema_type type)
{
	return type == SCH_COUNT || type == SCH_REAL || type == SCH_SCORE ||
	       type == SCH_PERCENT || type == SCH_TARGET ||
	       type == SCH_INT_RANGE;
}

/* A ';'-delimited file comes from vi-VN Excel, whose list separator is ';'
 * exactly because ',' is its decimal mark. Otherwise the cells vote: only
 * values that can be read one way count. */
static num_style detect_style(const raw_table *t)
{
	long votes = 0;

	if (t->delimiter == ';')
		return NUM_STYLE_VI;
	for (size_t col = 0; col < t->schema->ncolumns; col++) {
		int in = t->col_to_input[col];

		if (in < 0 || !numeric_type(t->schema->columns[col].type))
			continue;
		for (size_t r = 0; r < t->nrows; r++)
			if ((size_t)in < t->rows[r].nfields)
				votes += num_style_evidence(
					t->rows[r].fields[in]);
	}
	return votes > 0 ? NUM_STYLE_VI : NUM_STYLE_EN;
}

/* ------------------------------------------------------------ clean tables */

static void clean_release(clean_table *t)
{
	size_t ncols = t->schema ? t->schema->ncolumns : 0;

	for (size_t i = 0; i < t->nrows * ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->lines);
	memset(t, 0, sizeof *t);
}

static int clean_add(clean_table *t, char vals[][FIELD_MAX], long line)
{
	size_t ncols = t->schema->ncolumns;

	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		char **cells = realloc(t->cells, ncap * ncols * sizeof *cells);
		long *lines;

		if (!cells)
			return 0;
		t->cells = cells;
		lines = realloc(t->lines, ncap * sizeof *lines);
		if (!lines)
			return 0;
		t->lines = lines;
		t->cap = ncap;
	}
	for (size_t i = 0; i < ncols; i++) {
		t->cells[t->nrows * ncols + i] = strdup(vals[i]);
		if (!t->cells[t->nrows * ncols + i]) {
			while (i--)
				free(t->cells[t->nrows * ncols + i]);
			return 0;
		}
	}
	t->lines[t->nrows++] = line;
	return 1;
}

static const char *clean_get(const clean_table *t, size_t row,
			     const char *name)
{
	for (size_t i = 0; i < t->schema->ncolumns; i++)
		if (strcmp(t->schema->columns[i].name, name) == 0)
			return t->cells[row * t->schema->ncolumns + i];
	return "";
}

static ss_status write_clean(ingest_ctx *c, const clean_table *t)
{
	char path[PATH_BUF];
	csvout w;
	ss_status st;
	size_t ncols = t->schema->ncolumns;

	snprintf(path, sizeof path, "%s/clean/%s", c->opt->output_dir,
		 t->schema->file);
	if ((st = csvout_open(&w, path, c->e)) != SS_OK)
		return st;
	for (size_t i = 0; i < ncols; i++)
		csvout_str(&w, t->schema->columns[i].name);
	csvout_str(&w, "src_line");
	csvout_end_row(&w);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t i = 0; i < ncols; i++)
			csvout_str(&w, t->cells[r * ncols + i]);
		csvout_int(&w, t->lines[r]);
		csvout_end_row(&w);
	}
	return csvout_close(&w, c->e);
}

/* ------------------------------------------------------------ row checks */

/* What one row looks like while it is being checked. */
typedef struct row_check {
	const raw_table *t;
	const raw_row *row;
	char (*vals)[FIELD_MAX];
	int rejected;
	char reason[REASON_MAX];
} row_check;

static long col_of(const row_check *rc, const char *name)
{
	const schema_table *s = rc->t->schema;

	for (size_t i = 0; i < s->ncolumns; i++)
		if (strcmp(s->columns[i].name, name) == 0) {
			int in = rc->t->col_to_input[i];

			if (in >= 0 && (size_t)in < rc->row->nfields)
				return rc->row->columns[in];
		}
	return 1;
}

static const char *val(const row_check *rc, const char *name)
{
	const schema_table *s = rc->t->schema;

	for (size_t i = 0; i < s->ncolumns; i++)
		if (strcmp(s->columns[i].name, name) == 0)
			return rc->vals[i];
	return "";
}

/* The cell as the user typed it. */
static const char *raw_val(const row_check *rc, const char *name)
{
	const schema_table *s = rc->t->schema;

	for (size_t i = 0; i < s->ncolumns; i++)
		if (strcmp(s->columns[i].name, name) == 0) {
			int in = rc->t->col_to_input[i];

			if (in >= 0 && (size_t)in < rc->row->nfields)
				return rc->row->fields[in];
		}
	return "";
}

static void set_val(row_check *rc, const char *name, const char *value)
{
	const schema_table *s = rc->t->schema;

	for (size_t i = 0; i < s->ncolumns; i++)
		if (strcmp(s->columns[i].name, name) == 0)
			snprintf(rc->vals[i], FIELD_MAX, "%s", value);
}

static long long count_of(const row_check *rc, const char *name)
{
	const char *v = val(rc, name);

	return *v ? strtoll(v, NULL, 10) : 0;
}

static void reject(ingest_ctx *c, row_check *rc, const char *code,
		   long column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void reject(ingest_ctx *c, row_check *rc, const char *code,
		   long column, const char *fmt, ...)
{
	char msg[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	text_mark_truncated(msg, sizeof msg, vsnprintf(msg, sizeof msg, fmt, ap));
	va_end(ap);
	diag_report(c->diag, DIAG_ERROR, code, rc->t->path, rc->row->line,
		    column, "%s", msg);
	if (!rc->rejected) {
		rc->rejected = 1;
		snprintf(rc->reason, sizeof rc->reason, "%s", msg);
	}
}

static void warn(ingest_ctx *c, const row_check *rc, const char *code,
		 long column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void warn(ingest_ctx *c, const row_check *rc, const char *code,
		 long column, const char *fmt, ...)
{
	char msg[REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	text_mark_truncated(msg, sizeof msg, vsnprintf(msg, sizeof msg, fmt, ap));
	va_end(ap);
	diag_report(c->diag, DIAG_WARNING, code, rc->t->path, rc->row->line,
		    column, "%s", msg);
}

/* Characters that typists confuse in ids: a lower-case L for a one, the
 * letter O for a zero. */
static int confusable(int a, int b)
{
	static const char pairs[][2] = { { 'l', '1' }, { 'i', '1' },
					 { 'o', '0' }, { 's', '5' },
					 { 'b', '8' }, { 'z', '2' } };

	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if ((a == pairs[i][0] && b == pairs[i][1]) ||
		    (a == pairs[i][1] && b == pairs[i][0]))
			return 1;
	return 0;
}

/* Edit distance in half steps: insertions, deletions and substitutions
 * cost 2, a confusable substitution 1, case differences nothing. */
static size_t edit_cost(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[65], cur[65];

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = 2 * j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = 2 * i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t sub = prev[j - 1] +
				     (ca == cb ? 0 : confusable(ca, cb) ? 1 : 2);
			size_t del = prev[j] + 2, ins = cur[j - 1] + 2;

			cur[j] = sub < del ? (sub < ins ? sub : ins)
					   : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	return prev[lb];
}

const char *ingest_suggest_id(const char *id, const char *const *ids,
			      size_t n)
{
	const char *best = NULL;
	size_t best_d = 5; /* at most two plain edits */
	int tie = 0;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_cost(id, ids[i]);

		if (d < best_d) {
			best_d = d;
			best = ids[i];
			tie = 0;
		} else if (d == best_d && best) {
			tie = 1;
		}
	}
	return tie ? NULL : best;
}

/* Returns the school's row or -1, rejecting the row when unknown. */
static long check_school(ingest_ctx *c, row_check *rc, const char *column)
{
	const char *id = val(rc, column);
	const char *hint;
	long row;

	if (strmap_get(&c->school_index, id, &row))
		return row;
	hint = ingest_suggest_id(id, c->school_ids, c->nschool_ids);
	if (hint)
		reject(c, rc, "unknown_school", col_of(rc, column),
		       "unknown school id '%s' (expected an id from schools.csv; did you mean '%s'?)",
		       id, hint);
	else
		reject(c, rc, "unknown_school", col_of(rc, column),
		       "unknown school id '%s' (expected an id from schools.csv)",
		       id);
	return -1;
}

static void check_grade_level(ingest_ctx *c, row_check *rc, long school)
{
	const char *level = clean_get(&c->schools, (size_t)school, "level");
	const char *grade = val(rc, "grade");

	if (!schema_grade_in_level(level, grade))
		reject(c, rc, "grade_outside_level", col_of(rc, "grade"),
		       "grade '%s' outside the level of school %s '%s' (expected a grade of %s)",
		       grade, val(rc, "school_id"),
		       clean_get(&c->schools, (size_t)school, "name"), level);
}

/* Per table: a (year, school) either reports grade "all" or per-grade rows,
 * never both — a total beside its parts would be counted twice. */
static void check_all_exclusive(ingest_ctx *c, row_check *rc,
				strmap *grade_modes)
{
	char key[FIELD_MAX * 2 + 2];
	int is_all = strcmp(val(rc, "grade"), "all") == 0;
	long mode = is_all ? 1 : 2, existing;
	int put;

	snprintf(key, sizeof key, "%s\x1f%s", val(rc, "year"),
		 val(rc, "school_id"));
	put = strmap_put(grade_modes, key, rc->row->line * 4 + mode,
			 &existing);
	if (put == 0 && existing % 4 != mode)
		reject(c, rc, "grade_all_mixed", col_of(rc, "grade"),
		       "grade '%s' for school %s in %s beside %s on line %ld (expected either one row with grade all or rows per grade)",
		       val(rc, "grade"), val(rc, "school_id"), val(rc, "year"),
		       is_all ? "per-grade rows" : "a grade 'all' row",
		       existing / 4);
}

static void check_enrollment(ingest_ctx *c, row_check *rc, strmap *modes)
{
	long school = check_school(c, rc, "school_id");
	long long classes = count_of(rc, "classes");
	long long students = count_of(rc, "students");
	static const char *const parts[] = { "female", "ethnic_minority",
					     "disabled", NULL };

	if (school < 0)
		return;
	check_grade_level(c, rc, school);
	if (rc->rejected)
		return;
	check_all_exclusive(c, rc, modes);
	if (rc->rejected)
		return;
	if (classes == 0 && students > 0)
		warn(c, rc, "students_without_classes", col_of(rc, "classes"),
		     "%lld students but 0 classes (expected at least one class)",
		     students);
	else if (classes > 0 && students > 60 * classes)
		warn(c, rc, "class_too_large", col_of(rc, "students"),
		     "%lld students in %lld classes is %.1f per class (expected at most 60)",
		     students, classes, (double)students / (double)classes);
	for (const char *const *p = parts; *p; p++)
		if (*val(rc, *p) && count_of(rc, *p) > students)
			warn(c, rc, "part_exceeds_total", col_of(rc, *p),
			     "%s %lld exceeds students %lld (expected a part of the total)",
			     *p, count_of(rc, *p), students);
}

static void check_promotion(ingest_ctx *c, row_check *rc, strmap *modes)
{
	long school = check_school(c, rc, "school_id");
	long long enrolled = count_of(rc, "enrolled");
	long long sum = count_of(rc, "promoted") + count_of(rc, "repeated") +
			count_of(rc, "dropped") +
			count_of(rc, "summer_retest");

	if (school < 0)
		return;
	check_grade_level(c, rc, school);
	if (rc->rejected)
		return;
	check_all_exclusive(c, rc, modes);
	if (rc->rejected)
		return;
	if (sum != enrolled)
		warn(c, rc, "outcomes_do_not_add_up", col_of(rc, "enrolled"),
		     "promoted %lld + repeated %lld + dropped %lld + summer_retest %lld = %lld, not enrolled %lld (expected the outcomes to add up to enrolled)",
		     count_of(rc, "promoted"), count_of(rc, "repeated"),
		     count_of(rc, "dropped"), count_of(rc, "summer_retest"),
		     sum, enrolled);
	if (*val(rc, "completed") && count_of(rc, "completed") > enrolled)
		warn(c, rc, "part_exceeds_total", col_of(rc, "completed"),
		     "completed %lld exceeds enrolled %lld (expected a part of the total)",
		     count_of(rc, "completed"), enrolled);
}

static void check_staffing(ingest_ctx *c, row_check *rc)
{
	if (check_school(c, rc, "school_id") < 0)
		return;
	if (*val(rc, "quota") && count_of(rc, "permanent") > count_of(rc, "quota"))
		warn(c, rc, "above_quota", col_of(rc, "permanent"),
		     "permanent %lld above quota %lld for role %s (expected at most the allotted posts)",
		     count_of(rc, "permanent"), count_of(rc, "quota"),
		     val(rc, "role"));
}

static void check_exam_summary(ingest_ctx *c, row_check *rc)
{
	char subject[FIELD_MAX];

	if (check_school(c, rc, "school_id") < 0)
		return;
	/* subjects are names like "Tiếng Anh": fold to tieng_anh so that
	 * summaries and per-candidate columns meet under one name */
	text_fold(val(rc, "subject"), subject, sizeof subject);
	set_val(rc, "subject", subject);
	if (count_of(rc, "candidates") == 0)
		warn(c, rc, "no_candidates", col_of(rc, "candidates"),
		     "0 candidates for %s but a mean of %s (expected candidates > 0)",
		     subject, val(rc, "mean"));
}

static void check_targets(ingest_ctx *c, row_check *rc)
{
	const char *scope = val(rc, "scope");
	const char *indicator = val(rc, "indicator");
	double target = strtod(val(rc, "target"), NULL);

	if (strcmp(scope, "all") != 0 && strncmp(scope, "level:", 6) != 0 &&
	    check_school(c, rc, "scope") < 0)
		return;
	if (field_indicator_is_percent(indicator) && target > 100)
		reject(c, rc, "percent_above_100", col_of(rc, "target"),
		       "percentage above 100 '%s' for %s (expected 0 to 100)",
		       val(rc, "target"), indicator);
	if (!field_indicator_is_percent(indicator) &&
	    strchr(raw_val(rc, "target"), '%'))
		reject(c, rc, "unexpected_percent", col_of(rc, "target"),
		       "percentage '%s' for %s, which is not a rate (expected a plain number)",
		       raw_val(rc, "target"), indicator);
	/* the deadline is a calendar year: the end year of a school year
	 * (2029-2030 ends in 2030) is the earliest it can be */
	if (*val(rc, "deadline") &&
	    strtol(val(rc, "deadline"), NULL, 10) <
		    strtol(val(rc, "year"), NULL, 10) + 1)
		reject(c, rc, "deadline_before_year", col_of(rc, "deadline"),
		       "deadline %s before the school year %s (expected a later year)",
		       val(rc, "deadline"), val(rc, "year"));
}

static void check_accreditation(ingest_ctx *c, row_check *rc)
{
	long quality = strtol(val(rc, "quality_level"), NULL, 10);
	long standard = strtol(val(rc, "standard_level"), NULL, 10);

	if (check_school(c, rc, "school_id") < 0)
		return;
	/* Thông tư 17, 18/2018 as amended by 22/2024: standard level 1 needs
	 * quality level 2, level 2 needs level 3. Recognitions from 7 July
	 * 2026 fall under the new two-level rules (data/README.md,
	 * Accreditation), to which this pairing does not apply. */
	if (strcmp(val(rc, "recognized_on"), "2026-07-07") < 0 &&
	    ((standard == 1 && quality < 2) || (standard == 2 && quality < 3)))
		warn(c, rc, "standard_needs_quality", col_of(rc, "standard_level"),
		     "standard level %ld with quality level %ld (expected quality level >= %ld)",
		     standard, quality, standard + 1);
	if (*val(rc, "next_due") &&
	    strcmp(val(rc, "next_due"), val(rc, "recognized_on")) < 0)
		warn(c, rc, "due_before_recognition", col_of(rc, "next_due"),
		     "next_due %s before recognized_on %s (expected a later date)",
		     val(rc, "next_due"), val(rc, "recognized_on"));
}

/* Normalizes every mapped field; a bad field rejects the row but the other
 * fields are still checked, so one pass reports all of a row's problems. */
static void normalize_row(ingest_ctx *c, row_check *rc)
{
	const schema_table *s = rc->t->schema;
	const raw_row *row = rc->row;
	char why[REASON_MAX];

	for (size_t col = 0; col < s->ncolumns; col++) {
		const schema_column *sc = &s->columns[col];
		int in = rc->t->col_to_input[col];
		field_result fr;

		rc->vals[col][0] = '\0';
		if (in < 0)
			continue;
		fr = field_normalize(sc, row->fields[in], rc->t->style,
				     rc->vals[col], FIELD_MAX, why, sizeof why);
		if (fr == FIELD_INVALID)
			reject(c, rc, "bad_value", row->columns[in], "%s", why);
		else if (fr == FIELD_EMPTY && sc->required)
			reject(c, rc, "empty_value", row->columns[in],
			       "empty %s (expected a value)", sc->name);
	}
}

static void check_shape(ingest_ctx *c, row_check *rc)
{
	const raw_row *row = rc->row;
	const raw_table *t = rc->t;

	if (row->status != CSVIN_ROW_OK) {
		reject(c, rc, row->status == CSVIN_ROW_BAD_QUOTE ? "bad_quote"
			      : row->status == CSVIN_ROW_TOO_LONG ? "line_too_long"
								  : "bad_text",
		       row->problem_column, "%s", row->problem);
		return;
	}
	if (t->missing[0]) {
		reject(c, rc, "table_unusable", 1, "%s", t->missing);
		return;
	}
	if (row->nfields < t->nheader)
		reject(c, rc, "too_few_fields",
		       row->columns[row->nfields - 1],
		       "row has %zu fields (expected %zu as in the header)",
		       row->nfields, t->nheader);
	else if (row->nfields > t->nheader)
		reject(c, rc, "too_many_fields", row->columns[t->nheader],
		       "row has %zu fields (expected %zu as in the header)",
		       row->nfields, t->nheader);
}

static int all_fields_blank(const raw_row *row)
{
	for (size_t i = 0; i < row->nfields; i++)
		for (const char *p = row->fields[i]; *p; p++)
			if (!isspace((unsigned char)*p))
				return 0;
	return 1;
}

static void check_key(ingest_ctx *c, row_check *rc, strmap *keys)
{
	char key[FIELD_MAX * 4], shown[FIELD_MAX * 4], names[256];
	size_t kl = 0, sl = 0, nl = 0;
	long first;
	int put;

	key[0] = shown[0] = names[0] = '\0';
	for (const char *const *k = rc->t->schema->key; *k; k++) {
		const char *v = val(rc, *k);

		kl += (size_t)snprintf(key + kl, sizeof key - kl, "%s\x1f", v);
		sl += (size_t)snprintf(shown + sl, sizeof shown - sl, "%s%s",
				       sl ? ", " : "", v);
		nl += (size_t)snprintf(names + nl, sizeof names - nl, "%s%s",
				       nl ? ", " : "", *k);
		if (kl >= sizeof key || sl >= sizeof shown || nl >= sizeof names)
			break;
	}
	put = strmap_put(keys, key, rc->row->line, &first);
	if (put < 0)
		c->diag->failed = 1;
	else if (put == 0)
		reject(c, rc, "duplicate_key", 1,
		       "second row for (%s) = (%s) (expected one row per key; the first is on line %ld)",
		       names, shown, first);
}

typedef struct table_state {
	strmap keys;
	strmap grade_modes;
} table_state;

static void check_row(ingest_ctx *c, row_check *rc, table_state *ts)
{
	const char *name = rc->t->schema->name;

	check_shape(c, rc);
	if (rc->rejected)
		return;
	normalize_row(c, rc);
	if (rc->rejected)
		return;
	if (strcmp(name, "enrollment") == 0)
		check_enrollment(c, rc, &ts->grade_modes);
	else if (strcmp(name, "promotion") == 0)
		check_promotion(c, rc, &ts->grade_modes);
	else if (strcmp(name, "staffing") == 0)
		check_staffing(c, rc);
	else if (strcmp(name, "exam_summary") == 0)
		check_exam_summary(c, rc);
	else if (strcmp(name, "targets") == 0)
		check_targets(c, rc);
	else if (strcmp(name, "accreditation") == 0)
		check_accreditation(c, rc);
	if (rc->rejected)
		return;
	check_key(c, rc, &ts->keys);
}

/* ------------------------------------------------------------ a table */

static int file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static ss_status validate_rows(ingest_ctx *c, const raw_table *t,
			       clean_table *out, ingest_table_summary *sum)
{
	char (*vals)[FIELD_MAX] = calloc(MAX_COLS, FIELD_MAX);
	table_state ts;
	ss_status st = SS_OK;

	if (!vals)
		return err_set(c->e, SS_ENOMEM, t->path, 0, 0, "out of memory");
	strmap_init(&ts.keys);
	strmap_init(&ts.grade_modes);
	for (size_t r = 0; r < t->nrows && st == SS_OK; r++) {
		row_check rc = { t, &t->rows[r], vals, 0, "" };

		if (t->rows[r].status == CSVIN_ROW_OK &&
		    all_fields_blank(&t->rows[r])) {
			/* ";;;;" lines of an Excel export: nothing to lose */
			sum->blank_lines++;
			continue;
		}
		sum->read++;
		check_row(c, &rc, &ts);
		if (rc.rejected) {
			sum->rejected++;
			if (diag_reject_row(c->diag, t->path, rc.row->line,
					    rc.reason, rc.row->raw) != SS_OK)
				st = err_set(c->e, SS_ENOMEM, t->path, 0, 0,
					     "out of memory");
			continue;
		}
		if (!clean_add(out, vals, rc.row->line))
			st = err_set(c->e, SS_ENOMEM, t->path, 0, 0,
				     "out of memory");
		else
			sum->accepted++;
	}
	strmap_release(&ts.keys);
	strmap_release(&ts.grade_modes);
	free(vals);
	return st;
}

/* A table absent from this input must not leave the clean table of an
 * earlier run behind for later stages to pick up. */
static ss_status remove_stale(ingest_ctx *c, const char *file)
{
	char path[PATH_BUF];

	snprintf(path, sizeof path, "%s/clean/%s", c->opt->output_dir, file);
	if (unlink(path) != 0 && errno != ENOENT)
		return err_set_errno(c->e, SS_EIO, path, errno, "cannot remove");
	return SS_OK;
}

static int school_known(void *ctx, const char *id)
{
	const ingest_ctx *c = ctx;

	return strmap_get(&c->school_index, id, NULL);
}

/* The per-candidate table is reduced in one streaming pass to exact
 * per-school score distributions (clean/exam_hist.csv) instead of being
 * copied: a national file has a million rows. */
static ss_status process_exam_scores(ingest_ctx *c, const schema_table *s,
				     ingest_table_summary *sum)
{
	char path[PATH_BUF], out[PATH_BUF];
	exam_options eo;
	exam_counts counts;
	ss_status st;

	sum->file = s->file;
	snprintf(path, sizeof path, "%s/%s", c->opt->input_dir, s->file);
	if (!file_exists(path)) {
		st = remove_stale(c, "exam_hist.csv");
		return st;
	}
	sum->present = 1;
	exam_options_init(&eo);
	eo.style = c->opt->style;
	eo.encoding = c->opt->encoding;
	eo.school_known = school_known; /* a lookup only: safe from 2 threads */
	eo.school_ctx = c;
	eo.threads = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	snprintf(out, sizeof out, "%s/clean/exam_hist.csv", c->opt->output_dir);
	memset(&counts, 0, sizeof counts);
	st = exam_reduce_file(path, path, &eo, c->diag, out, &counts, c->e);
	sum->read = counts.rows_read;
	sum->accepted = counts.rows_accepted;
	sum->rejected = counts.rows_rejected;
	sum->blank_lines = counts.blank_lines;
	sum->delimiter = counts.delimiter;
	sum->had_bom = counts.had_bom;
	sum->style = eo.style != NUM_STYLE_AUTO ? eo.style
		     : counts.delimiter == ';' ? NUM_STYLE_VI : NUM_STYLE_EN;
	if (st == SS_EDATA) {
		/* an unusable header is in validation.csv already; the other
		 * tables still go on */
		err_clear(c->e);
		return remove_stale(c, "exam_hist.csv");
	}
	return st;
}

static ss_status process_table(ingest_ctx *c, const schema_table *s,
			       clean_table *out, ingest_table_summary *sum)
{
	raw_table t;
	ss_status st;

	memset(&t, 0, sizeof t);
	t.schema = s;
	snprintf(t.path, sizeof t.path, "%s/%s", c->opt->input_dir, s->file);
	out->schema = s;
	sum->file = s->file;
	if (!file_exists(t.path))
		return remove_stale(c, s->file);
	sum->present = 1;
	st = read_raw_table(c, &t);
	if (st == SS_OK) {
		map_header(c, &t);
		t.style = c->opt->style != NUM_STYLE_AUTO ? c->opt->style
							   : detect_style(&t);
		sum->delimiter = t.delimiter;
		sum->style = t.style;
		sum->had_bom = t.had_bom;
		sum->blank_lines = t.blank_lines;
		st = validate_rows(c, &t, out, sum);
	}
	if (st == SS_OK)
		st = write_clean(c, out);
	raw_table_release(&t);
	return st;
}

static ss_status index_schools(ingest_ctx *c)
{
	c->school_ids = calloc(c->schools.nrows ? c->schools.nrows : 1,
			       sizeof *c->school_ids);
	if (!c->school_ids)
		return err_set(c->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t r = 0; r < c->schools.nrows; r++) {
		const char *id = clean_get(&c->schools, r, "school_id");

		if (strmap_put(&c->school_index, id, (long)r, NULL) < 0)
			return err_set(c->e, SS_ENOMEM, NULL, 0, 0,
				       "out of memory");
		c->school_ids[c->nschool_ids++] = id;
	}
	return SS_OK;
}

static ss_status make_dir(const char *path, ss_error *e)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return err_set_errno(e, SS_EIO, path, errno,
				     "cannot create directory");
	return SS_OK;
}

static ss_status check_input_dir(const ingest_options *opt, ss_error *e)
{
	char path[PATH_BUF];
	struct stat sb;

	if (stat(opt->input_dir, &sb) != 0)
		return err_set_errno(e, SS_EIO, opt->input_dir, errno,
				     "cannot read input directory");
	if (!S_ISDIR(sb.st_mode))
		return err_set(e, SS_EIO, opt->input_dir, 0, 0,
			       "not a directory (expected the input directory)");
	snprintf(path, sizeof path, "%s/schools.csv", opt->input_dir);
	if (stat(path, &sb) != 0)
		return err_set_errno(e, SS_EIO, path, errno,
				     "cannot read the schools table, which every run needs");
	return SS_OK;
}

static const char *style_name(num_style style)
{
	return style == NUM_STYLE_AUTO ? "" : num_style_name(style);
}

/* clean/sources.csv tells later stages (audits, the manifest, the report)
 * where each table came from and how it was read. */
static ss_status write_sources(const ingest_options *opt,
			       const ingest_summary *sum, ss_error *e)
{
	static const char *const header[] = {
		"table", "path", "present", "rows_read", "accepted", "rejected",
		"delimiter", "number_style", "bom", NULL
	};
	char path[PATH_BUF];
	csvout w;
	ss_status st;

	snprintf(path, sizeof path, "%s/clean/sources.csv", opt->output_dir);
	if ((st = csvout_open(&w, path, e)) != SS_OK)
		return st;
	csvout_header(&w, header);
	for (size_t i = 0; i < sum->ntables; i++) {
		const ingest_table_summary *t = &sum->tables[i];
		char delim[2] = { t->delimiter, '\0' };

		snprintf(path, sizeof path, "%s/%s", opt->input_dir, t->file);
		csvout_str(&w, t->file);
		csvout_str(&w, path);
		csvout_int(&w, t->present);
		csvout_int(&w, t->read);
		csvout_int(&w, t->accepted);
		csvout_int(&w, t->rejected);
		csvout_str(&w, t->delimiter == '\t' ? "tab" : delim);
		csvout_str(&w, style_name(t->style));
		csvout_int(&w, t->had_bom);
		csvout_end_row(&w);
	}
	return csvout_close(&w, e);
}

ss_status ingest_run(const ingest_options *opt, diag_sink *diag,
		     ingest_summary *sum, ss_error *e)
{
	ingest_ctx c;
	size_t ntables;
	const schema_table *tables = schema_tables(&ntables);
	char path[PATH_BUF];
	ss_status st;

	memset(sum, 0, sizeof *sum);
	memset(&c, 0, sizeof c);
	c.opt = opt;
	c.diag = diag;
	c.e = e;
	strmap_init(&c.school_index);

	if ((st = check_input_dir(opt, e)) != SS_OK)
		return st;
	if ((st = make_dir(opt->output_dir, e)) != SS_OK)
		return st;
	snprintf(path, sizeof path, "%s/clean", opt->output_dir);
	if ((st = make_dir(path, e)) != SS_OK)
		return st;

	sum->ntables = ntables;
	st = process_table(&c, &tables[0], &c.schools, &sum->tables[0]);
	if (st == SS_OK)
		st = index_schools(&c);
	for (size_t i = 1; i < ntables && st == SS_OK; i++) {
		clean_table t;

		memset(&t, 0, sizeof t);
		if (tables[i].open_columns) {
			st = process_exam_scores(&c, &tables[i], &sum->tables[i]);
			continue;
		}
		st = process_table(&c, &tables[i], &t, &sum->tables[i]);
		clean_release(&t);
	}
	if (st == SS_OK)
		st = write_sources(opt, sum, e);
	if (st == SS_OK) {
		snprintf(path, sizeof path, "%s/validation.csv", opt->output_dir);
		st = diag_write_validation(diag, path, e);
	}
	if (st == SS_OK) {
		snprintf(path, sizeof path, "%s/rejects.csv", opt->output_dir);
		st = diag_write_rejects(diag, path, e);
	}
	clean_release(&c.schools);
	strmap_release(&c.school_index);
	free(c.school_ids);
	return st;
}

ss_status ingest_map_sources(diag_sink *diag, const char *outdir)
{
	char path[PATH_BUF];
	ctable t;
	ss_error e;
	ss_status st = SS_OK;

	snprintf(path, sizeof path, "%s/clean/sources.csv", outdir);
	if (ctable_load(&t, path, &e) == SS_OK) {
		int ct = ctable_col(&t, "table"), cp = ctable_col(&t, "path");

		for (size_t r = 0; r < t.nrows && st == SS_OK; r++)
			if (*ctable_get(&t, r, cp))
				st = diag_map_file(diag, ctable_get(&t, r, ct),
						   ctable_get(&t, r, cp));
	}
	ctable_release(&t);
	return st;
}
