#include "norm.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "text.h"

/* Amounts of people are products of counts and ratios with two decimals;
 * binary noise is far below this, real differences far above. */
#define NORM_EPS 1e-9

/* ------------------------------------------------------------ domains */

static const char *const level_names[NORM_NLEVELS] = {
	"mam_non", "tieu_hoc", "thcs", "thpt", "th_thcs", "thcs_thpt"
};

static const char *const grade_names[NORM_NGRADES] = {
	"nha_tre", "mg_3", "mg_4", "mg_5", "1", "2", "3", "4", "5", "6",
	"7", "8", "9", "10", "11", "12", "all"
};

int norm_level_parse(const char *name)
{
	for (int i = 0; i < NORM_NLEVELS; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

const char *norm_level_name(int level)
{
	if (level < 0 || level >= NORM_NLEVELS)
		return "*";
	return level_names[level];
}

int norm_grade_parse(const char *name)
{
	for (int i = 0; i < NORM_NGRADES; i++)
		if (strcmp(name, grade_names[i]) == 0)
			return i;
	return -1;
}

const char *norm_grade_name(int grade)
{
	if (grade < 0 || grade >= NORM_NGRADES)
		return "*";
	return grade_names[grade];
}

int norm_grade_level(int grade)
{
	if (grade >= NORM_GRADE_NHA_TRE && grade <= NORM_GRADE_MG_5)
		return NORM_MAM_NON;
	if (grade >= NORM_GRADE_1 && grade < NORM_GRADE_1 + 5)
		return NORM_TIEU_HOC;
	if (grade >= NORM_GRADE_1 + 5 && grade < NORM_GRADE_1 + 9)
		return NORM_THCS;
	if (grade >= NORM_GRADE_1 + 9 && grade <= NORM_GRADE_12)
		return NORM_THPT;
	return -1;
}

int norm_level_has_grade(int level, int grade)
{
	int gl;

	if (level < 0 || level >= NORM_NLEVELS || grade < 0 ||
	    grade >= NORM_NGRADES)
		return 0;
	if (grade == NORM_GRADE_ALL)
		return 1;
	gl = norm_grade_level(grade);
	switch (level) {
	case NORM_TH_THCS:
		return gl == NORM_TIEU_HOC || gl == NORM_THCS;
	case NORM_THCS_THPT:
		return gl == NORM_THCS || gl == NORM_THPT;
	default:
		return gl == level;
	}
}

static int parse_4digits(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int norm_year_parse(const char *s, int *first)
{
	int a, b;

	if (strlen(s) != 9 || s[4] != '-')
		return 0;
	a = parse_4digits(s);
	b = parse_4digits(s + 5);
	if (a < 0 || b < 0 || b != a + 1)
		return 0;
	*first = a;
	return 1;
}

const char *norm_year_format(int first, char *buf, size_t size)
{
	snprintf(buf, size, "%d-%d", first, first + 1);
	return buf;
}

/* ------------------------------------------------------------ table */

typedef enum value_kind {
	VK_POSITIVE,     /* a number > 0 */
	VK_NONNEGATIVE,  /* a number >= 0 */
	VK_WHOLE,        /* a whole number > 0 */
	VK_WORD          /* a setting: one of words */
} value_kind;

static const char *const rounding_words[] = { "floor", "half_up",
					      "fraction", NULL };
static const char *const yes_no_words[] = { "no", "yes", NULL };

static const struct norm_spec {
	const char *name;
	value_kind kind;
	const char *const *words;
	const char *expected;
} norm_specs[] = {
	{ NORM_TEACHERS_PER_CLASS, VK_POSITIVE, NULL,
	  "teachers per class, a number > 0" },
	{ NORM_STUDENTS_PER_CLASS, VK_POSITIVE, NULL,
	  "a maximum class size, a number > 0" },
	{ NORM_POSTS_CLASS_SIZE, VK_WHOLE, NULL,
	  "an average class size, a whole number > 0" },
	{ NORM_POSTS_LEFTOVER, VK_WHOLE, NULL,
	  "pupils per extra teacher, a whole number > 0" },
	{ NORM_POSTS_EXTRA, VK_NONNEGATIVE, NULL,
	  "extra teacher posts per school, a number >= 0" },
	{ NORM_SET_ROUNDING, VK_WORD, rounding_words,
	  "floor, half_up or fraction" },
	{ NORM_SET_MANAGERS, VK_WORD, yes_no_words, "no or yes" },
};

#define NSPECS (sizeof norm_specs / sizeof norm_specs[0])

static const struct norm_spec *find_spec(const char *name)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (strcmp(norm_specs[i].name, name) == 0)
			return &norm_specs[i];
	return NULL;
}

void norm_table_init(norm_table *t)
{
	memset(t, 0, sizeof *t);
}

static void free_row(norm_row *r)
{
	free(r->norm);
	free(r->text);
	free(r->regulation);
	free(r->article);
	free(r->note);
}

void norm_table_release(norm_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows; i++)
		free_row(&t->rows[i]);
	free(t->rows);
	free(t->path);
	memset(t, 0, sizeof *t);
}

/* Copies s without leading/trailing white space into buf. */
static const char *trim(const char *s, char *buf, size_t size)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* ctable keeps no columns; for a hand-edited table without quotes the
 * character column is the lengths of the cells before it plus commas. */
static long cell_column(const ctable *t, size_t row, int col)
{
	long c = 1;

	for (int i = 0; i < col; i++) {
		const char *s = ctable_get(t, row, i);

		c += (long)text_utf8_chars(s, strlen(s)) + 1;
	}
	return c;
}

typedef struct table_ctx {
	const ctable *src;
	const char *name;
	int col[11];
	size_t row;
	ss_error *e;
} table_ctx;

enum { C_NORM, C_LEVEL, C_GRADE, C_SESSIONS, C_REGION, C_VALUE, C_FROM,
       C_TO, C_REGULATION, C_ARTICLE, C_NOTE, C_NCOLS };

static const char *const table_columns[C_NCOLS] = {
	"norm", "level", "grade", "sessions_per_day", "region", "value",
	"valid_from", "valid_to", "regulation", "article", "note"
};

static ss_status bad_cell(table_ctx *c, int which, const char *what,
			  const char *value, const char *expected)
{
	return err_set(c->e, SS_EDATA, c->name, c->src->lines[c->row],
		       cell_column(c->src, c->row, c->col[which]),
		       "%s '%s' (expected %s)", what, value, expected);
}

static const char *cell(table_ctx *c, int which, char *buf, size_t size)
{
	if (c->col[which] < 0)
		return "";
	return trim(ctable_get(c->src, c->row, c->col[which]), buf, size);
}

static int is_any(const char *s)
{
	return !*s || strcmp(s, "*") == 0;
}

static ss_status parse_small_int(table_ctx *c, int which, int lo, int hi,
				 int *out)
{
	char buf[64];
	const char *s = cell(c, which, buf, sizeof buf);
	char expected[64];

	if (is_any(s)) {
		*out = NORM_ANY;
		return SS_OK;
	}
	if (strlen(s) == 1 && s[0] - '0' >= lo && s[0] - '0' <= hi) {
		*out = s[0] - '0';
		return SS_OK;
	}
	snprintf(expected, sizeof expected, "%d to %d or *", lo, hi);
	return bad_cell(c, which, "bad value", s, expected);
}

static ss_status parse_value(table_ctx *c, const struct norm_spec *sp,
			     norm_row *r)
{
	char buf[256];
	const char *s = cell(c, C_VALUE, buf, sizeof buf);
	char *end;
	double v;

	if (sp->kind == VK_WORD) {
		for (const char *const *w = sp->words; *w; w++)
			if (strcmp(s, *w) == 0)
				return SS_OK;
		return bad_cell(c, C_VALUE, "unknown setting", s,
				sp->expected);
	}
	errno = 0;
	v = strtod(s, &end);
	/* Plain numbers only: strtod would also take "0x1p3", "inf", "nan"
	 * and a locale's decimal comma is never meant here. */
	if (!*s || *end || errno || !isfinite(v) ||
	    strspn(s, "0123456789.-+") != strlen(s))
		return bad_cell(c, C_VALUE, "not a number", s, sp->expected);
	if ((sp->kind == VK_NONNEGATIVE && v < 0) ||
	    (sp->kind != VK_NONNEGATIVE && v <= 0) ||
	    (sp->kind == VK_WHOLE && v != floor(v)))
		return bad_cell(c, C_VALUE, "bad value", s, sp->expected);
	r->value = v;
	return SS_OK;
}

static ss_status parse_years(table_ctx *c, norm_row *r)
{
	char from[64], to[64];
	const char *f = cell(c, C_FROM, from, sizeof from);
	const char *t = cell(c, C_TO, to, sizeof to);

	if (!norm_year_parse(f, &r->valid_from))
		return bad_cell(c, C_FROM, "bad school year", f,
				"a school year such as 2023-2024");
	if (!*t) {
		r->valid_to = INT_MAX;
		return SS_OK;
	}
	if (!norm_year_parse(t, &r->valid_to))
		return bad_cell(c, C_TO, "bad school year", t,
				"a school year such as 2023-2024, or empty");
	if (r->valid_to < r->valid_from)
		return bad_cell(c, C_TO, "valid_to before valid_from", t,
				"a school year not before valid_from");
	return SS_OK;
}

static ss_status dup_cell(table_ctx *c, int which, char **out)
{
	char buf[1024];

	*out = strdup(cell(c, which, buf, sizeof buf));
	if (!*out)
		return err_set(c->e, SS_ENOMEM, c->name, 0, 0, "out of memory");
	return SS_OK;
}

static ss_status parse_row(table_ctx *c, norm_row *r)
{
	char buf[256];
	const char *s;
	const struct norm_spec *sp;
	ss_status st;

	r->line = c->src->lines[c->row];
	s = cell(c, C_NORM, buf, sizeof buf);
	if (!(sp = find_spec(s)))
		return bad_cell(c, C_NORM, "unknown norm", s,
				"teachers_per_class, students_per_class, "
				"posts_class_size, posts_leftover, "
				"posts_extra, leftover_rounding or "
				"count_managers");
	s = cell(c, C_LEVEL, buf, sizeof buf);
	r->level = is_any(s) ? NORM_ANY : norm_level_parse(s);
	if (r->level == -1 && !is_any(s))
		return bad_cell(c, C_LEVEL, "unknown level", s,
				"mam_non, tieu_hoc, thcs, thpt, th_thcs, "
				"thcs_thpt or *");
	s = cell(c, C_GRADE, buf, sizeof buf);
	r->grade = is_any(s) ? NORM_ANY : norm_grade_parse(s);
	if (r->grade == -1 && !is_any(s))
		return bad_cell(c, C_GRADE, "unknown grade", s,
				"nha_tre, mg_3, mg_4, mg_5, 1 to 12, all or *");
	if (r->grade != NORM_ANY && r->level != NORM_ANY &&
	    !norm_level_has_grade(r->level, r->grade))
		return bad_cell(c, C_GRADE, "grade not in the level", s,
				"a grade of the row's level");
	if ((st = parse_small_int(c, C_SESSIONS, 1, 2, &r->sessions)) ||
	    (st = parse_small_int(c, C_REGION, 1, 3, &r->region)) ||
	    (st = parse_value(c, sp, r)) || (st = parse_years(c, r)))
		return st;
	if ((st = dup_cell(c, C_NORM, &r->norm)) ||
	    (st = dup_cell(c, C_VALUE, &r->text)) ||
	    (st = dup_cell(c, C_REGULATION, &r->regulation)) ||
	    (st = dup_cell(c, C_ARTICLE, &r->article)) ||
	    (st = dup_cell(c, C_NOTE, &r->note)))
		return st;
	return SS_OK;
}

static int compatible(int a, int b)
{
	return a == NORM_ANY || b == NORM_ANY || a == b;
}

static int specificity(const norm_row *r)
{
	return (r->level != NORM_ANY) + (r->grade != NORM_ANY) +
	       (r->sessions != NORM_ANY) + (r->region != NORM_ANY);
}

/* Two rows are ambiguous when some key in some year matches both with the
 * same specificity: then no row would win the lookup. */
static ss_status check_overlaps(const norm_table *t, ss_error *e)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const norm_row *a = &t->rows[i];

		for (size_t j = i + 1; j < t->nrows; j++) {
			const norm_row *b = &t->rows[j];

			if (strcmp(a->norm, b->norm) != 0 ||
			    !compatible(a->level, b->level) ||
			    !compatible(a->grade, b->grade) ||
			    !compatible(a->sessions, b->sessions) ||
			    !compatible(a->region, b->region) ||
			    a->valid_to < b->valid_from ||
			    b->valid_to < a->valid_from ||
			    specificity(a) != specificity(b))
				continue;
			return err_set(e, SS_EDATA, t->path, b->line, 1,
				       "row overlaps line %ld for norm '%s' "
				       "in the same school years (expected "
				       "one row per level, grade, sessions, "
				       "region and year)",
				       a->line, b->norm);
		}
	}
	return SS_OK;
}

static ss_status find_columns(table_ctx *c)
{
	for (int i = 0; i < C_NCOLS; i++) {
		c->col[i] = ctable_col(c->src, table_columns[i]);
		if (c->col[i] < 0 && i != C_NOTE)
			return err_set(c->e, SS_EDATA, c->name, 1, 1,
				       "missing column '%s' (expected "
				       "norm,level,grade,sessions_per_day,"
				       "region,value,valid_from,valid_to,"
				       "regulation,article,note)",
				       table_columns[i]);
	}
	return SS_OK;
}

ss_status norm_table_from_ctable(norm_table *t, const ctable *src,
				 ss_error *e)
{
	table_ctx c;
	ss_status st;

	norm_table_init(t);
	memset(&c, 0, sizeof c);
	c.src = src;
	c.name = src->path ? src->path : "norms.csv";
	c.e = e;
	if (!(t->path = strdup(c.name)))
		return err_set(e, SS_ENOMEM, c.name, 0, 0, "out of memory");
	if ((st = find_columns(&c)) != SS_OK)
		goto fail;
	if (src->nrows &&
	    !(t->rows = calloc(src->nrows, sizeof *t->rows))) {
		st = err_set(e, SS_ENOMEM, c.name, 0, 0, "out of memory");
		goto fail;
	}
	for (c.row = 0; c.row < src->nrows; c.row++) {
		/* count the row first so a half-parsed one is freed too */
		norm_row *r = &t->rows[t->nrows++];

		if ((st = parse_row(&c, r)) != SS_OK)
			goto fail;
	}
	if ((st = check_overlaps(t, e)) != SS_OK)
		goto fail;
	return SS_OK;
fail:
	norm_table_release(t);
	return st;
}

ss_status norm_table_load(norm_table *t, const char *path, ss_error *e)
{
	ctable src;
	ss_status st;

	norm_table_init(t);
	st = ctable_load(&src, path, e);
	if (st == SS_OK)
		st = norm_table_from_ctable(t, &src, e);
	ctable_release(&src);
	return st;
}

static int row_matches(const norm_row *r, const norm_key *k)
{
	return strcmp(r->norm, k->norm) == 0 && k->year >= r->valid_from &&
	       k->year <= r->valid_to &&
	       (r->level == NORM_ANY || r->level == k->level) &&
	       (r->grade == NORM_ANY || r->grade == k->grade) &&
	       (r->sessions == NORM_ANY || r->sessions == k->sessions) &&
	       (r->region == NORM_ANY || r->region == k->region);
}

static void describe_key(const norm_key *k, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (k->level != NORM_ANY)
		n += (size_t)snprintf(buf + n, size - n, " for level %s",
				      norm_level_name(k->level));
	if (k->grade != NORM_ANY && n < size)
		n += (size_t)snprintf(buf + n, size - n, ", grade %s",
				      norm_grade_name(k->grade));
	if (k->sessions > 0 && n < size)
		n += (size_t)snprintf(buf + n, size - n,
				      ", %d session(s) a day", k->sessions);
	if (k->region > 0 && n < size)
		snprintf(buf + n, size - n, ", region %d", k->region);
}

ss_status norm_lookup(const norm_table *t, const norm_key *k,
		      const norm_row **out, ss_error *e)
{
	const norm_row *best = NULL;
	char what[160], year[16];

	for (size_t i = 0; i < t->nrows; i++) {
		const norm_row *r = &t->rows[i];

		if (row_matches(r, k) &&
		    (!best || specificity(r) > specificity(best)))
			best = r;
	}
	if (best) {
		*out = best;
		return SS_OK;
	}
	describe_key(k, what, sizeof what);
	return err_set(e, SS_EDATA, t->path, 0, 0,
		       "no norm '%s'%s valid in school year %s (expected a "
		       "row whose valid_from..valid_to covers it)",
		       k->norm, what,
		       norm_year_format(k->year, year, sizeof year));
}

ss_status norm_lookup_value(const norm_table *t, const norm_key *k,
			    double *out, ss_error *e)
{
	const norm_row *r;
	ss_status st = norm_lookup(t, k, &r, e);

	if (st == SS_OK)
		*out = r->value;
	return st;
}

int norm_rounding_parse(const char *name)
{
	for (int i = 0; rounding_words[i]; i++)
		if (strcmp(name, rounding_words[i]) == 0)
			return i;
	return -1;
}

const char *norm_rounding_name(norm_rounding r)
{
	if ((int)r < 0 || r > NORM_ROUND_FRACTION)
		return "?";
	return rounding_words[r];
}

static ss_status setting(const norm_table *t, const char *name, int year,
			 const norm_row **r, ss_error *e)
{
	norm_key k = { name, NORM_ANY, NORM_ANY, 0, 0, year };

	return norm_lookup(t, &k, r, e);
}

ss_status norm_setting_rounding(const norm_table *t, int year,
				norm_rounding *out, ss_error *e)
{
	const norm_row *r;
	ss_status st = setting(t, NORM_SET_ROUNDING, year, &r, e);
	int v;

	if (st != SS_OK)
		return st;
	if ((v = norm_rounding_parse(r->text)) < 0)
		return err_set(e, SS_EDATA, t->path, r->line, 0,
			       "unknown setting '%s' (expected floor, "
			       "half_up or fraction)", r->text);
	*out = (norm_rounding)v;
	return SS_OK;
}

ss_status norm_setting_count_managers(const norm_table *t, int year,
				      int *out, ss_error *e)
{
	const norm_row *r;
	ss_status st = setting(t, NORM_SET_MANAGERS, year, &r, e);

	if (st != SS_OK)
		return st;
	if (strcmp(r->text, "yes") == 0)
		*out = 1;
	else if (strcmp(r->text, "no") == 0)
		*out = 0;
	else
		return err_set(e, SS_EDATA, t->path, r->line, 0,
			       "unknown setting '%s' (expected no or yes)",
			       r->text);
	return SS_OK;
}

/* ------------------------------------------------------------ results */

const char *norm_status_name(norm_status s)
{
	switch (s) {
	case NORM_STATUS_OK: return "ok";
	case NORM_STATUS_BELOW: return "below";
	case NORM_STATUS_ABOVE: return "above";
	case NORM_STATUS_NONE: break;
	}
	return "";
}

long long norm_ceil_people(double x)
{
	if (x <= NORM_EPS)
		return 0;
	return (long long)ceil(x - NORM_EPS);
}

static norm_status compare(double have, double need)
{
	if (have < need - NORM_EPS)
		return NORM_STATUS_BELOW;
	if (have > need + NORM_EPS)
		return NORM_STATUS_ABOVE;
	return NORM_STATUS_OK;
}

void norm_tpc_school(const norm_tpc_group *g, size_t n, long long teachers,
		     norm_tpc *out)
{
	memset(out, 0, sizeof *out);
	out->known = 1;
	out->teachers = teachers;
	for (size_t i = 0; i < n; i++) {
		out->classes += g[i].classes;
		out->required += (double)g[i].classes * g[i].ratio;
	}
	out->shortfall = norm_ceil_people(out->required - (double)teachers);
}

void norm_tpc_add(norm_tpc *acc, const norm_tpc *school)
{
	acc->known |= school->known;
	acc->classes += school->classes;
	acc->teachers += school->teachers;
	acc->required += school->required;
}

void norm_tpc_result(const norm_tpc *x, norm_result *r)
{
	memset(r, 0, sizeof *r);
	if (x->classes <= 0)
		return;
	r->has_value = 1;
	r->value = (double)x->teachers / (double)x->classes;
	if (!x->known)
		return;
	r->has_limit = 1;
	r->limit = x->required / (double)x->classes;
	r->status = compare((double)x->teachers, x->required);
	r->has_shortfall = 1;
	/* the contract's formula at every scope: a level or the unit lacks
	 * ⌈required − teachers⌉, so a surplus in one school offsets a
	 * shortfall in another, as teachers can be reassigned (điều động) */
	r->shortfall = norm_ceil_people(x->required - (double)x->teachers);
}

void norm_spc_school(const norm_spc_group *g, size_t n, norm_spc *out)
{
	memset(out, 0, sizeof *out);
	out->known = 1;
	for (size_t i = 0; i < n; i++) {
		double need;

		out->classes += g[i].classes;
		out->students += g[i].students;
		out->capacity += (double)g[i].classes * g[i].limit;
		if (g[i].limit <= 0)
			continue;
		/* classes the grade needs so that none is over the limit */
		need = (double)norm_ceil_people((double)g[i].students /
						g[i].limit);
		if (need > (double)g[i].classes) {
			out->above = 1;
			out->shortfall += (long long)need - g[i].classes;
		}
	}
}

void norm_spc_add(norm_spc *acc, const norm_spc *school)
{
	acc->known |= school->known;
	acc->classes += school->classes;
	acc->students += school->students;
	acc->capacity += school->capacity;
	acc->shortfall += school->shortfall;
	acc->above |= school->above;
}

void norm_spc_result(const norm_spc *x, norm_result *r)
{
	memset(r, 0, sizeof *r);
	if (x->classes <= 0)
		return;
	r->has_value = 1;
	r->value = (double)x->students / (double)x->classes;
	if (!x->known)
		return;
	r->has_limit = 1;
	r->limit = x->capacity / (double)x->classes;
	r->status = x->above ? NORM_STATUS_ABOVE : NORM_STATUS_OK;
	r->has_shortfall = 1;
	r->shortfall = x->shortfall;
}

static double leftover_posts(long long left, long long per, norm_rounding r)
{
	switch (r) {
	case NORM_ROUND_HALF_UP:
		return (double)(left / per + (2 * (left % per) >= per));
	case NORM_ROUND_FRACTION:
		return (double)left / (double)per;
	case NORM_ROUND_FLOOR:
		break;
	}
	return (double)(left / per);
}

void norm_posts_school(const norm_posts_group *g, size_t n, double extra,
		       long long teachers, norm_rounding r, norm_posts *out)
{
	memset(out, 0, sizeof *out);
	out->known = 1;
	out->teachers = teachers;
	out->posts = extra;
	for (size_t i = 0; i < n; i++) {
		long long classes, left;

		if (g[i].class_size <= 0 || g[i].leftover_per_post <= 0 ||
		    g[i].pupils <= 0)
			continue;
		classes = g[i].pupils / g[i].class_size;
		left = g[i].pupils - classes * g[i].class_size;
		out->posts += (double)classes * g[i].ratio;
		if (left > 0)
			out->posts += leftover_posts(left,
						     g[i].leftover_per_post, r);
	}
	out->shortfall = norm_ceil_people(out->posts - (double)teachers);
}

void norm_posts_add(norm_posts *acc, const norm_posts *school)
{
	acc->known |= school->known;
	acc->teachers += school->teachers;
	acc->posts += school->posts;
}

void norm_posts_result(const norm_posts *x, norm_result *r)
{
	memset(r, 0, sizeof *r);
	r->has_value = 1;
	r->value = (double)x->teachers;
	if (!x->known)
		return;
	r->has_limit = 1;
	r->limit = x->posts;
	r->status = compare((double)x->teachers, x->posts);
	r->has_shortfall = 1;
	r->shortfall = norm_ceil_people(x->posts - (double)x->teachers);
}

/* ------------------------------------------------------------ output */

void norm_output_init(norm_output *o)
{
	memset(o, 0, sizeof *o);
}

void norm_output_release(norm_output *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nrows; i++) {
		free(o->rows[i].scope);
		free(o->rows[i].norm);
	}
	free(o->rows);
	memset(o, 0, sizeof *o);
}

ss_status norm_output_push(norm_output *o, int year, const char *scope,
			   const char *norm, const norm_result *r,
			   ss_error *e)
{
	norm_out_row *row;

	if (o->nrows == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 64;
		norm_out_row *p = realloc(o->rows, ncap * sizeof *p);

		if (!p)
			return err_set(e, SS_ENOMEM, NULL, 0, 0,
				       "out of memory");
		o->rows = p;
		o->cap = ncap;
	}
	row = &o->rows[o->nrows];
	row->year = year;
	row->r = *r;
	row->scope = strdup(scope);
	row->norm = strdup(norm);
	if (!row->scope || !row->norm) {
		free(row->scope);
		free(row->norm);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	o->nrows++;
	return SS_OK;
}

ss_status norm_output_write(const norm_output *o, const char *path,
			    ss_error *e)
{
	static const char *const header[] = { "year", "scope", "norm",
					      "value", "limit", "status",
					      "shortfall", NULL };
	csvout w;
	ss_status st;
	char year[16];

	if ((st = csvout_open(&w, path, e)) != SS_OK)
		return st;
	csvout_header(&w, header);
	for (size_t i = 0; i < o->nrows; i++) {
		const norm_out_row *row = &o->rows[i];

		csvout_str(&w, norm_year_format(row->year, year, sizeof year));
		csvout_str(&w, row->scope);
		csvout_str(&w, row->norm);
		if (row->r.has_value)
			csvout_real(&w, row->r.value, 6);
		else
			csvout_empty(&w);
		if (row->r.has_limit)
			csvout_real(&w, row->r.limit, 6);
		else
			csvout_empty(&w);
		csvout_str(&w, norm_status_name(row->r.status));
		if (row->r.has_shortfall)
			csvout_int(&w, row->r.shortfall);
		else
			csvout_empty(&w);
		csvout_end_row(&w);
	}
	return csvout_close(&w, e);
}

/* ------------------------------------------------------------ the stage */

typedef struct school {
	const char *id;
	int level;
	int is_public;
	int sessions;
	int region;
} school;

/* What one school reported for one school year. */
typedef struct school_year {
	int has_enrollment, has_staffing;
	unsigned long grades;  /* bit g: a row for grade g */
	long long classes[NORM_NGRADES];
	long long students[NORM_NGRADES];
	long long teachers, managers;
	long enrollment_line, staffing_line;
} school_year;

typedef struct eval_ctx {
	const norm_table *t;
	const norm_options *opt;
	diag_sink *diag;
	norm_output *out;
	ss_error *e;
	const char *enrollment_file, *staffing_file, *schools_file;
	school *schools;
	size_t nschools;
	size_t *by_id;        /* school indices sorted by id */
	int *years;
	size_t nyears;
	school_year *grid;    /* nyears x nschools */
	char **reported;      /* lookup messages already warned about */
	size_t nreported, cap_reported;
	int year;             /* the year being evaluated */
	norm_rounding rounding;
	int count_managers;
	/* aggregates per level, then index NORM_NLEVELS for "all" */
	norm_tpc tpc[NORM_NLEVELS + 1];
	norm_spc spc[NORM_NLEVELS + 1];
	norm_posts posts[NORM_NLEVELS + 1];
} eval_ctx;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The diag sink records its own allocation failures and reports them when
 * it is written, so a failed warning need not stop the computation. */
#define WARN(c, code, file, line, ...)                                     \
	((void)diag_report((c)->diag, DIAG_WARNING, (code), (file), (line), \
			   0, __VA_ARGS__))

static ss_status need_col(const ctable *t, const char *name, int *col,
			  ss_error *e)
{
	*col = ctable_col(t, name);
	if (*col < 0)
		return err_set(e, SS_EDATA, t->path, 1, 1,
			       "missing column '%s'", name);
	return SS_OK;
}

/* src_line: the line in the user's input file, which is what a user can
 * open and fix; the clean file's own line when it is missing. */
static long source_line(const ctable *t, size_t row)
{
	long long v;

	if (ctable_get_ll(t, row, ctable_col(t, "src_line"), &v) == 1 &&
	    v > 0 && v < LONG_MAX)
		return (long)v;
	return t->lines[row];
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static size_t find_school(const eval_ctx *c, const char *id)
{
	size_t lo = 0, hi = c->nschools;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->schools[c->by_id[mid]].id, id);

		if (d == 0)
			return c->by_id[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

static ss_status read_schools(eval_ctx *c, const ctable *t)
{
	int cid, clevel, cown, csess, creg;
	ss_status st;

	if ((st = need_col(t, "school_id", &cid, c->e)) ||
	    (st = need_col(t, "level", &clevel, c->e)) ||
	    (st = need_col(t, "ownership", &cown, c->e)))
		return st;
	csess = ctable_col(t, "sessions_per_day");
	creg = ctable_col(t, "region");
	c->schools = calloc(t->nrows + 1, sizeof *c->schools);
	c->by_id = calloc(t->nrows + 1, sizeof *c->by_id);
	if (!c->schools || !c->by_id)
		return err_set(c->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < t->nrows; i++) {
		school *s = &c->schools[c->nschools];
		const char *level = ctable_get(t, i, clevel);
		long long v;
		int got;

		s->id = ctable_get(t, i, cid);
		s->level = norm_level_parse(level);
		if (s->level < 0) {
			WARN(c, "norm_unknown_level", c->schools_file,
			     source_line(t, i),
			     "unknown level '%s' of school '%s' (expected "
			     "mam_non, tieu_hoc, thcs, thpt, th_thcs or "
			     "thcs_thpt): school left out of the norms",
			     level, s->id);
			continue;
		}
		if (find_school(c, s->id) != (size_t)-1) {
			WARN(c, "norm_duplicate_school", c->schools_file,
			     source_line(t, i),
			     "school '%s' listed twice (expected one row per "
			     "school): the first row is used", s->id);
			continue;
		}
		s->is_public = strcmp(ctable_get(t, i, cown), "cong_lap") == 0;
		got = ctable_get_ll(t, i, csess, &v);
		s->sessions = got == 1 && (v == 1 || v == 2) ? (int)v : 2;
		if (got != 0 && s->sessions != v)
			WARN(c, "norm_bad_sessions", c->schools_file,
			     source_line(t, i),
			     "sessions_per_day '%s' of school '%s' (expected 1 "
			     "or 2): 2 is used", ctable_get(t, i, csess),
			     s->id);
		got = ctable_get_ll(t, i, creg, &v);
		s->region = got == 1 && v >= 1 && v <= 3 ? (int)v : 3;
		if (got != 0 && s->region != v)
			WARN(c, "norm_bad_region", c->schools_file,
			     source_line(t, i),
			     "region '%s' of school '%s' (expected 1, 2 or 3): "
			     "3 is used", ctable_get(t, i, creg), s->id);
		/* insert into the sorted index */
		{
			size_t k = c->nschools;

			while (k > 0 && strcmp(c->schools[c->by_id[k - 1]].id,
					       s->id) > 0) {
				c->by_id[k] = c->by_id[k - 1];
				k--;
			}
			c->by_id[k] = c->nschools;
		}
		c->nschools++;
	}
	return SS_OK;
}

static ss_status collect_years(eval_ctx *c, const ctable *t)
{
	int cyear;
	ss_status st;
	int *p;

	if (!t)
		return SS_OK;
	if ((st = need_col(t, "year", &cyear, c->e)) != SS_OK)
		return st;
	p = realloc(c->years, (c->nyears + t->nrows + 1) * sizeof *p);
	if (!p)
		return err_set(c->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	c->years = p;
	for (size_t i = 0; i < t->nrows; i++) {
		int y;

		if (norm_year_parse(ctable_get(t, i, cyear), &y))
			c->years[c->nyears++] = y;
	}
	return SS_OK;
}

static void unique_years(eval_ctx *c)
{
	size_t n = 0;

	if (!c->nyears)
		return;
	qsort(c->years, c->nyears, sizeof *c->years, cmp_int);
	for (size_t i = 0; i < c->nyears; i++)
		if (n == 0 || c->years[n - 1] != c->years[i])
			c->years[n++] = c->years[i];
	c->nyears = n;
}

static school_year *cell_of(eval_ctx *c, int year, size_t school)
{
	size_t lo = 0, hi = c->nyears;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->years[mid] == year)
			return &c->grid[mid * c->nschools + school];
		if (c->years[mid] < year)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Finds the school-year a clean row belongs to, warning about rows that
 * cannot be placed. NULL: skip the row. */
static school_year *place_row(eval_ctx *c, const ctable *t, size_t i,
			      int cyear, int cschool, const char *file,
			      size_t *school_out)
{
	const char *ys = ctable_get(t, i, cyear);
	const char *id = ctable_get(t, i, cschool);
	size_t s;
	int y;

	if (!norm_year_parse(ys, &y)) {
		WARN(c, "norm_bad_row", file, source_line(t, i),
		     "bad school year '%s' (expected a school year such as "
		     "2024-2025): row left out of the norms", ys);
		return NULL;
	}
	s = find_school(c, id);
	if (s == (size_t)-1) {
		WARN(c, "norm_unknown_school", file, source_line(t, i),
		     "school '%s' is not in schools.csv (expected a "
		     "school_id listed there): row left out of the norms", id);
		return NULL;
	}
	*school_out = s;
	return cell_of(c, y, s);
}

static int get_count(eval_ctx *c, const ctable *t, size_t i, int col,
		     const char *file, long long *out)
{
	int got = ctable_get_ll(t, i, col, out);

	if (got == 0) {
		*out = 0;
		return 1;
	}
	if (got < 0 || *out < 0) {
		WARN(c, "norm_bad_row", file, source_line(t, i),
		     "bad count '%s' in column '%s' (expected a whole number "
		     ">= 0): row left out of the norms",
		     ctable_get(t, i, col), t->header[col]);
		return 0;
	}
	return 1;
}

static ss_status read_enrollment(eval_ctx *c, const ctable *t)
{
	int cyear, cschool, cgrade, cclasses, cstudents;
	ss_status st;

	if (!t)
		return SS_OK;
	if ((st = need_col(t, "year", &cyear, c->e)) ||
	    (st = need_col(t, "school_id", &cschool, c->e)) ||
	    (st = need_col(t, "grade", &cgrade, c->e)) ||
	    (st = need_col(t, "classes", &cclasses, c->e)) ||
	    (st = need_col(t, "students", &cstudents, c->e)))
		return st;
	for (size_t i = 0; i < t->nrows; i++) {
		const char *gs = ctable_get(t, i, cgrade);
		long long classes, students;
		school_year *d;
		size_t s;
		int g;

		if (!(d = place_row(c, t, i, cyear, cschool,
				    c->enrollment_file, &s)))
			continue;
		g = norm_grade_parse(gs);
		if (g < 0 || !norm_level_has_grade(c->schools[s].level, g)) {
			WARN(c, "norm_grade_level", c->enrollment_file,
			     source_line(t, i),
			     "grade '%s' in school '%s' of level %s (expected "
			     "a grade of that level): row left out of the "
			     "norms", gs, c->schools[s].id,
			     norm_level_name(c->schools[s].level));
			continue;
		}
		if (!get_count(c, t, i, cclasses, c->enrollment_file,
			       &classes) ||
		    !get_count(c, t, i, cstudents, c->enrollment_file,
			       &students))
			continue;
		if (!d->has_enrollment)
			d->enrollment_line = source_line(t, i);
		d->has_enrollment = 1;
		d->grades |= 1UL << g;
		d->classes[g] += classes;
		d->students[g] += students;
	}
	return SS_OK;
}

static ss_status read_staffing(eval_ctx *c, const ctable *t)
{
	int cyear, cschool, crole, cperm, ccontract;
	ss_status st;

	if (!t)
		return SS_OK;
	if ((st = need_col(t, "year", &cyear, c->e)) ||
	    (st = need_col(t, "school_id", &cschool, c->e)) ||
	    (st = need_col(t, "role", &crole, c->e)) ||
	    (st = need_col(t, "permanent", &cperm, c->e)) ||
	    (st = need_col(t, "contract", &ccontract, c->e)))
		return st;
	for (size_t i = 0; i < t->nrows; i++) {
		const char *role = ctable_get(t, i, crole);
		long long perm, contract;
		school_year *d;
		size_t s;

		if (!(d = place_row(c, t, i, cyear, cschool, c->staffing_file,
				    &s)))
			continue;
		if (!get_count(c, t, i, cperm, c->staffing_file, &perm) ||
		    !get_count(c, t, i, ccontract, c->staffing_file,
			       &contract))
			continue;
		if (!d->has_staffing)
			d->staffing_line = source_line(t, i);
		d->has_staffing = 1;
		if (strcmp(role, "teacher") == 0)
			d->teachers += perm + contract;
		else if (strcmp(role, "manager") == 0)
			d->managers += perm + contract;
	}
	return SS_OK;
}

/* A missing norm is reported once per norm, level and year (with the
 * first key that missed), not once per school or grade: one gap in the
 * table would otherwise flood validation.csv. */
static void warn_lookup(eval_ctx *c, const char *norm, int level,
			const ss_error *le)
{
	char key[128], *copy;

	snprintf(key, sizeof key, "%s|%d|%d", norm, level, c->year);
	for (size_t i = 0; i < c->nreported; i++)
		if (strcmp(c->reported[i], key) == 0)
			return;
	if (c->nreported == c->cap_reported) {
		size_t ncap = c->cap_reported ? c->cap_reported * 2 : 16;
		char **p = realloc(c->reported, ncap * sizeof *p);

		if (!p)
			return;
		c->reported = p;
		c->cap_reported = ncap;
	}
	if (!(copy = strdup(key)))
		return;
	c->reported[c->nreported++] = copy;
	WARN(c, "norm_missing", le->file, le->line, "%s", le->msg);
}

static int lookup(eval_ctx *c, const char *norm, int level, int grade,
		  const school *s, double *out)
{
	norm_key k = { norm, level, grade, s->sessions, s->region, c->year };
	ss_error le;

	err_clear(&le);
	if (norm_lookup_value(c->t, &k, out, &le) == SS_OK)
		return 1;
	warn_lookup(c, norm, level, &le);
	return 0;
}

/* The level a grade's norms are looked up in: its own level (grade 7 of a
 * th_thcs school follows the thcs rules), the school's for "all". */
static int part_level(const school *s, int grade)
{
	return grade == NORM_GRADE_ALL ? s->level : norm_grade_level(grade);
}

static ss_status push(eval_ctx *c, const char *scope, const char *norm,
		      const norm_result *r)
{
	return norm_output_push(c->out, c->year, scope, norm, r, c->e);
}

static ss_status eval_tpc(eval_ctx *c, const school *s,
			  const school_year *d, const int *grades, size_t n)
{
	norm_tpc_group g[NORM_NGRADES];
	norm_tpc x;
	norm_result r;
	int known = 1;

	for (size_t i = 0; i < n; i++) {
		g[i].classes = d->classes[grades[i]];
		if (!lookup(c, NORM_TEACHERS_PER_CLASS,
			    part_level(s, grades[i]), grades[i], s,
			    &g[i].ratio))
			known = 0;
	}
	norm_tpc_school(g, n, d->teachers, &x);
	x.known = known;
	norm_tpc_result(&x, &r);
	if (known && x.classes > 0) {
		norm_tpc_add(&c->tpc[s->level], &x);
		norm_tpc_add(&c->tpc[NORM_NLEVELS], &x);
	}
	return push(c, s->id, NORM_TEACHERS_PER_CLASS, &r);
}

static ss_status eval_spc(eval_ctx *c, const school *s,
			  const school_year *d, const int *grades, size_t n)
{
	norm_spc_group g[NORM_NGRADES];
	int known[NORM_NGRADES];
	norm_spc x;
	norm_result r;
	int all_known = 1;
	long long total_classes;
	char name[64], year[16];
	ss_status st;

	norm_year_format(c->year, year, sizeof year);

	for (size_t i = 0; i < n; i++) {
		g[i].classes = d->classes[grades[i]];
		g[i].students = d->students[grades[i]];
		g[i].limit = 0;
		known[i] = lookup(c, NORM_STUDENTS_PER_CLASS,
				  part_level(s, grades[i]), grades[i], s,
				  &g[i].limit);
		all_known &= known[i];
	}
	norm_spc_school(g, n, &x);
	x.known = all_known;
	total_classes = x.classes;
	norm_spc_result(&x, &r);
	if (all_known && x.classes > 0) {
		norm_spc_add(&c->spc[s->level], &x);
		norm_spc_add(&c->spc[NORM_NLEVELS], &x);
	}
	if ((st = push(c, s->id, NORM_STUDENTS_PER_CLASS, &r)) != SS_OK)
		return st;
	for (size_t i = 0; i < n; i++) {
		if (grades[i] == NORM_GRADE_ALL)
			continue;
		norm_spc_school(&g[i], 1, &x);
		x.known = known[i];
		norm_spc_result(&x, &r);
		/* a school without any class has had its own warning */
		if (g[i].classes == 0 && total_classes > 0)
			WARN(c, "norm_zero_classes", c->enrollment_file,
			     d->enrollment_line,
			     "school '%s' has no classes in grade %s in %s "
			     "(%lld students): students_per_class:%s left "
			     "empty", s->id, norm_grade_name(grades[i]), year,
			     g[i].students, norm_grade_name(grades[i]));
		snprintf(name, sizeof name, "%s:%s", NORM_STUDENTS_PER_CLASS,
			 norm_grade_name(grades[i]));
		if ((st = push(c, s->id, name, &r)) != SS_OK)
			return st;
	}
	return SS_OK;
}

/* The parts of a school that TT 19/20 divide by one class size: each age
 * group of a preschool, each level of a general school. */
static size_t posts_parts(const school *s, const school_year *d,
			  const int *grades, size_t n, int *part_level_out,
			  int *part_grade, long long *pupils)
{
	size_t np = 0;

	for (size_t i = 0; i < n; i++) {
		int lv = part_level(s, grades[i]);
		int gr = lv == NORM_MAM_NON ? grades[i] : NORM_ANY;
		size_t k;

		/* "all" in a preschool cannot be split into age groups:
		 * keep it as its own part so the lookup names it */
		if (lv == NORM_MAM_NON && grades[i] == NORM_GRADE_ALL)
			gr = NORM_GRADE_ALL;
		for (k = 0; k < np; k++)
			if (part_level_out[k] == lv && part_grade[k] == gr)
				break;
		if (k == np) {
			part_level_out[np] = lv;
			part_grade[np] = gr;
			pupils[np] = 0;
			np++;
		}
		pupils[k] += d->students[grades[i]];
	}
	return np;
}

static ss_status eval_posts(eval_ctx *c, const school *s,
			    const school_year *d, const int *grades, size_t n)
{
	norm_posts_group g[NORM_NGRADES];
	int lv[NORM_NGRADES], gr[NORM_NGRADES];
	long long pupils[NORM_NGRADES];
	size_t np = posts_parts(s, d, grades, n, lv, gr, pupils);
	double extra = 0, size, left;
	norm_posts x;
	norm_result r;
	long long teachers = d->teachers;
	int known = 1;

	if (c->count_managers)
		teachers += d->managers;
	for (size_t i = 0; i < np; i++) {
		g[i].pupils = pupils[i];
		g[i].class_size = g[i].leftover_per_post = 0;
		g[i].ratio = 0;
		if (lookup(c, NORM_POSTS_CLASS_SIZE, lv[i], gr[i], s, &size) &&
		    lookup(c, NORM_POSTS_LEFTOVER, lv[i], gr[i], s, &left) &&
		    lookup(c, NORM_TEACHERS_PER_CLASS, lv[i], gr[i], s,
			   &g[i].ratio)) {
			g[i].class_size = (long long)size;
			g[i].leftover_per_post = (long long)left;
		} else {
			known = 0;
		}
	}
	if (!lookup(c, NORM_POSTS_EXTRA, s->level, NORM_ANY, s, &extra))
		known = 0;
	norm_posts_school(g, np, extra, teachers, c->rounding, &x);
	x.known = known;
	norm_posts_result(&x, &r);
	if (known) {
		norm_posts_add(&c->posts[s->level], &x);
		norm_posts_add(&c->posts[NORM_NLEVELS], &x);
	}
	return push(c, s->id, NORM_TEACHER_POSTS, &r);
}

static long long total(const long long *v, const int *grades, size_t n)
{
	long long sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[grades[i]];
	return sum;
}

static ss_status eval_school(eval_ctx *c, const school *s,
			     const school_year *d)
{
	int grades[NORM_NGRADES];
	size_t n = 0;
	char year[16];
	long long classes, students;
	ss_status st;

	norm_year_format(c->year, year, sizeof year);
	for (int g = 0; g < NORM_NGRADES; g++)
		if (d->grades & (1UL << g))
			grades[n++] = g;
	if (n > 1 && (d->grades & (1UL << NORM_GRADE_ALL))) {
		WARN(c, "norm_mixed_grades", c->enrollment_file,
		     d->enrollment_line,
		     "school '%s' has a grade 'all' row and per-grade rows in "
		     "%s (expected one or the other): the 'all' row is "
		     "ignored", s->id, year);
		n--; /* "all" is the last grade code */
	}
	classes = total(d->classes, grades, n);
	students = total(d->students, grades, n);
	if (classes == 0)
		WARN(c, "norm_zero_classes", c->enrollment_file,
		     d->enrollment_line,
		     "school '%s' has no classes in %s (%lld students): "
		     "teachers_per_class and students_per_class left empty",
		     s->id, year, students);
	if (!d->has_staffing)
		WARN(c, "norm_no_staffing", c->enrollment_file,
		     d->enrollment_line,
		     "school '%s' has enrollment but no staffing row in %s "
		     "(expected its teachers in staffing.csv): "
		     "teachers_per_class and teacher_posts left out",
		     s->id, year);
	else if ((st = eval_tpc(c, s, d, grades, n)) != SS_OK)
		return st;
	if ((st = eval_spc(c, s, d, grades, n)) != SS_OK)
		return st;
	if (s->is_public && d->has_staffing &&
	    (st = eval_posts(c, s, d, grades, n)) != SS_OK)
		return st;
	return SS_OK;
}

static ss_status emit_aggregates(eval_ctx *c, int idx)
{
	char scope[64];
	norm_result r;
	ss_status st;

	if (idx == NORM_NLEVELS)
		snprintf(scope, sizeof scope, "all");
	else
		snprintf(scope, sizeof scope, "level:%s",
			 norm_level_name(idx));
	if (c->tpc[idx].known) {
		norm_tpc_result(&c->tpc[idx], &r);
		if ((st = push(c, scope, NORM_TEACHERS_PER_CLASS, &r)))
			return st;
	}
	if (c->spc[idx].known) {
		norm_spc_result(&c->spc[idx], &r);
		if ((st = push(c, scope, NORM_STUDENTS_PER_CLASS, &r)))
			return st;
	}
	if (c->posts[idx].known) {
		norm_posts_result(&c->posts[idx], &r);
		if ((st = push(c, scope, NORM_TEACHER_POSTS, &r)))
			return st;
	}
	return SS_OK;
}

static void year_settings(eval_ctx *c)
{
	norm_rounding r = NORM_ROUND_FLOOR;
	int managers = 0;
	ss_error le;

	err_clear(&le);
	if (norm_setting_rounding(c->t, c->year, &r, &le) != SS_OK) {
		warn_lookup(c, NORM_SET_ROUNDING, NORM_ANY, &le);
		r = NORM_ROUND_FLOOR;
	}
	c->rounding = r;
	if (c->opt && c->opt->count_managers >= 0) {
		c->count_managers = c->opt->count_managers;
		return;
	}
	err_clear(&le);
	if (norm_setting_count_managers(c->t, c->year, &managers, &le) !=
	    SS_OK) {
		warn_lookup(c, NORM_SET_MANAGERS, NORM_ANY, &le);
		managers = 0;
	}
	c->count_managers = managers;
}

static ss_status eval_year(eval_ctx *c, size_t yi, int have_enrollment)
{
	char year[16];
	ss_status st;

	c->year = c->years[yi];
	norm_year_format(c->year, year, sizeof year);
	memset(c->tpc, 0, sizeof c->tpc);
	memset(c->spc, 0, sizeof c->spc);
	memset(c->posts, 0, sizeof c->posts);
	year_settings(c);
	for (size_t s = 0; s < c->nschools; s++) {
		const school_year *d = &c->grid[yi * c->nschools + s];

		if (d->has_enrollment) {
			if ((st = eval_school(c, &c->schools[s], d)) != SS_OK)
				return st;
		} else if (d->has_staffing && have_enrollment) {
			WARN(c, "norm_no_enrollment", c->staffing_file,
			     d->staffing_line,
			     "school '%s' has staffing but no enrollment row "
			     "in %s (expected its classes in enrollment.csv): "
			     "no norms computed for it", c->schools[s].id,
			     year);
		}
	}
	for (int i = 0; i <= NORM_NLEVELS; i++)
		if ((st = emit_aggregates(c, i)) != SS_OK)
			return st;
	return SS_OK;
}

static void release_ctx(eval_ctx *c)
{
	for (size_t i = 0; i < c->nreported; i++)
		free(c->reported[i]);
	free(c->reported);
	free(c->schools);
	free(c->by_id);
	free(c->years);
	free(c->grid);
}

ss_status norm_evaluate(const norm_table *t, const ctable *schools,
			const ctable *enrollment, const ctable *staffing,
			const norm_options *opt, diag_sink *diag,
			norm_output *out, ss_error *e)
{
	eval_ctx c;
	ss_status st;

	memset(&c, 0, sizeof c);
	c.t = t;
	c.opt = opt;
	c.diag = diag;
	c.out = out;
	c.e = e;
	c.schools_file = base_name(schools->path ? schools->path
						  : "schools.csv");
	c.enrollment_file = enrollment && enrollment->path
				    ? base_name(enrollment->path)
				    : "enrollment.csv";
	c.staffing_file = staffing && staffing->path
				  ? base_name(staffing->path)
				  : "staffing.csv";
	if ((st = read_schools(&c, schools)) != SS_OK ||
	    (st = collect_years(&c, enrollment)) != SS_OK ||
	    (st = collect_years(&c, staffing)) != SS_OK)
		goto done;
	unique_years(&c);
	if (c.nyears && c.nschools &&
	    !(c.grid = calloc(c.nyears * c.nschools, sizeof *c.grid))) {
		st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		goto done;
	}
	if (!enrollment)
		WARN(&c, "norm_no_enrollment", c.enrollment_file, 0,
		     "no enrollment.csv in clean/ (expected classes and "
		     "students per school): no norms computed");
	if ((st = read_enrollment(&c, enrollment)) != SS_OK ||
	    (st = read_staffing(&c, staffing)) != SS_OK)
		goto done;
	for (size_t y = 0; y < c.nyears && c.nschools; y++)
		if ((st = eval_year(&c, y, enrollment != NULL)) != SS_OK)
			goto done;
done:
	release_ctx(&c);
	return st;
}

ss_status norm_run(const char *outdir, const char *norms_path,
		   const norm_options *opt, diag_sink *diag, ss_error *e)
{
	char clean[4096], path[4096];
	ctable schools, enrollment, staffing;
	int have_schools = 0, have_enrollment = 0, have_staffing = 0;
	norm_table table;
	norm_output out;
	ss_status st;

	norm_table_init(&table);
	norm_output_init(&out);
	ctable_init(&schools);
	ctable_init(&enrollment);
	ctable_init(&staffing);
	snprintf(clean, sizeof clean, "%s/clean", outdir);
	st = norm_table_load(&table, norms_path, e);
	if (st == SS_OK)
		st = ctable_load_optional(&schools, clean, "schools.csv",
					  &have_schools, e);
	if (st == SS_OK)
		st = ctable_load_optional(&enrollment, clean, "enrollment.csv",
					  &have_enrollment, e);
	if (st == SS_OK)
		st = ctable_load_optional(&staffing, clean, "staffing.csv",
					  &have_staffing, e);
	if (st == SS_OK && !have_schools)
		/* the only mandatory table: word it as csvin does */
		st = err_set(e, SS_EIO, NULL, 0, 0, "cannot open '%s/%s': %s",
			     clean, "schools.csv", strerror(ENOENT));
	if (st == SS_OK)
		st = norm_evaluate(&table, &schools,
				   have_enrollment ? &enrollment : NULL,
				   have_staffing ? &staffing : NULL, opt, diag,
				   &out, e);
	if (st == SS_OK) {
		snprintf(path, sizeof path, "%s/norms.csv", outdir);
		st = norm_output_write(&out, path, e);
	}
	ctable_release(&schools);
	ctable_release(&enrollment);
	ctable_release(&staffing);
	norm_table_release(&table);
	norm_output_release(&out);
	return st;
}
