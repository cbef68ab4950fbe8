#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctable.h"
#include "ind.h"
#include "strmap.h"

void audit_options_default(audit_options *o)
{
	o->margin_pct = 5.0;
	o->margin_abs = 2;
}

int audit_combine(const double *t, const double *w, size_t n, int is_count,
		  double *combined)
{
	double sum = 0, wsum = 0;

	for (size_t i = 0; i < n; i++) {
		sum += is_count ? t[i] : t[i] * w[i];
		wsum += w[i];
	}
	if (is_count) {
		*combined = sum;
		return n > 0;
	}
	if (wsum <= 0)
		return 0;
	*combined = sum / wsum;
	return 1;
}

int audit_contradicts(const char *op, double target, double combined)
{
	double noise = 1e-9 * (fabs(combined) > 1 ? fabs(combined) : 1);

	if (strcmp(op, ">=") == 0)
		return target > combined + noise;
	if (strcmp(op, "<=") == 0)
		return target < combined - noise;
	return fabs(target - combined) > noise;
}

/* ------------------------------------------------------------ targets */

typedef struct audit_ctx {
	const char *outdir;
	const audit_options *opt;
	diag_sink *diag;
	ctable schools, targets, ind, enrollment, promotion;
	int has_targets, has_ind, has_enrollment, has_promotion;
	strmap weights; /* "year\x1fscope\x1findicator" -> row in ind */
	/* indexes, so that national tables are not rescanned per row */
	strmap target_rows;  /* "year\x1fscope\x1findicator\x1fop\x1fdeadline" */
	strmap promotion_rows; /* "year\x1fschool\x1fgrade" */
	strmap school_rows;  /* school_id */
} audit_ctx;

static const char *cell(const ctable *t, size_t r, const char *col)
{
	return ctable_get(t, r, ctable_col(t, col));
}

static void target_key(char *buf, size_t size, const ctable *t, size_t r,
		       const char *scope)
{
	snprintf(buf, size, "%s\x1f%s\x1f%s\x1f%s\x1f%s", cell(t, r, "year"),
		 scope, cell(t, r, "indicator"), cell(t, r, "op"),
		 cell(t, r, "deadline"));
}

/* Builds the row indexes; the first row of a key wins, as in ingest. */
static ss_status index_tables(audit_ctx *c, ss_error *e)
{
	char key[1024];

	for (size_t r = 0; r < c->targets.nrows; r++) {
		target_key(key, sizeof key, &c->targets, r,
			   cell(&c->targets, r, "scope"));
		if (strmap_put(&c->target_rows, key, (long)r, NULL) < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t r = 0; r < c->promotion.nrows; r++) {
		snprintf(key, sizeof key, "%s\x1f%s\x1f%s",
			 cell(&c->promotion, r, "year"),
			 cell(&c->promotion, r, "school_id"),
			 cell(&c->promotion, r, "grade"));
		if (strmap_put(&c->promotion_rows, key, (long)r, NULL) < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t r = 0; r < c->schools.nrows; r++)
		if (strmap_put(&c->school_rows, cell(&c->schools, r, "school_id"),
			       (long)r, NULL) < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	return SS_OK;
}

static ss_status index_weights(audit_ctx *c, ss_error *e)
{
	char key[512];

	strmap_init(&c->weights);
	for (size_t r = 0; r < c->ind.nrows; r++) {
		snprintf(key, sizeof key, "%s\x1f%s\x1f%s", cell(&c->ind, r, "year"),
			 cell(&c->ind, r, "scope"), cell(&c->ind, r, "indicator"));
		if (strmap_put(&c->weights, key, (long)r, NULL) < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	return SS_OK;
}

/* The denominator of indicator for school in year, or the latest earlier
 * year that has one. */
static int weight_of(const audit_ctx *c, const char *year, const char *school,
		     const char *indicator, double *w)
{
	char key[512], ybuf[16];
	int start;
	long row;

	if (!ind_year_parse(year, &start))
		return 0;
	for (int y = start; y > start - 30; y--) {
		snprintf(key, sizeof key, "%s\x1f%s\x1f%s",
			 ind_year_format(y, ybuf, sizeof ybuf), school, indicator);
		if (strmap_get(&c->weights, key, &row) &&
		    ctable_get_double(&c->ind, (size_t)row,
				      ctable_col(&c->ind, "denominator"), w) == 1)
			return 1;
	}
	return 0;
}

static int school_in_scope(const audit_ctx *c, size_t s, const char *scope)
{
	if (strcmp(scope, "all") == 0)
		return 1;
	return strncmp(scope, "level:", 6) == 0 &&
	       strcmp(cell(&c->schools, s, "level"), scope + 6) == 0;
}

/* The school target matching target row r (same year, indicator, op and
 * deadline), or -1. */
static long school_target(const audit_ctx *c, size_t r, const char *school)
{
	char key[1024];
	long q;

	target_key(key, sizeof key, &c->targets, r, school);
	return strmap_get(&c->target_rows, key, &q) ? q : -1;
}
static void audit_one_target(audit_ctx *c, size_t r, const char *path)
{
	const ctable *t = &c->targets;
	const char *scope = cell(t, r, "scope");
	const char *indicator = cell(t, r, "indicator");
	const ind_def *d = ind_def_find(indicator);
	double *vals, *ws, target, combined;
	size_t n = 0;
	long long line = 0;
	int complete = 1;

	if (!d || (d->kind != IND_KIND_RATIO && d->kind != IND_KIND_COUNT))
		return;
	if (ctable_get_double(t, r, ctable_col(t, "target"), &target) != 1)
		return;
	vals = malloc((c->schools.nrows + 1) * sizeof *vals);
	ws = malloc((c->schools.nrows + 1) * sizeof *ws);
	if (!vals || !ws) {
		c->diag->failed = 1;
		free(vals);
		free(ws);
		return;
	}
	for (size_t s = 0; s < c->schools.nrows && complete; s++) {
		const char *id = cell(&c->schools, s, "school_id");
		long q;
		double w;

		if (!school_in_scope(c, s, scope) ||
		    !weight_of(c, cell(t, r, "year"), id, indicator, &w) || w <= 0)
			continue;
		q = school_target(c, r, id);
		if (q < 0 || ctable_get_double(t, (size_t)q, ctable_col(t, "target"),
					       &vals[n]) != 1) {
			complete = 0;
			break;
		}
		ws[n++] = w;
	}
	if (complete && n >= 2 &&
	    audit_combine(vals, ws, n, d->kind == IND_KIND_COUNT, &combined) &&
	    audit_contradicts(cell(t, r, "op"), target, combined)) {
		ctable_get_ll(t, r, ctable_col(t, "src_line"), &line);
		diag_report(c->diag, DIAG_WARNING, "target_contradicts_schools",
			    path, (long)line, 0,
			    "%s target %s %s %s contradicts its %zu schools' targets, whose %s is %.4g (expected a target they can deliver)",
			    scope, indicator, cell(t, r, "op"), cell(t, r, "target"),
			    n, d->kind == IND_KIND_COUNT ? "sum" : "weighted combination",
			    combined);
	}
	free(vals);
	free(ws);
}

static void audit_targets(audit_ctx *c)
{
	const char *path = "targets.csv";

	for (size_t r = 0; r < c->targets.nrows; r++) {
		const char *scope = cell(&c->targets, r, "scope");

		if (strcmp(scope, "all") == 0 || strncmp(scope, "level:", 6) == 0)
			audit_one_target(c, r, path);
	}
}

/* ------------------------------------------------------------ flow */

static int grade_number(const char *g)
{
	char *end;
	long v = strtol(g, &end, 10);

	return *g && !*end && v >= 1 && v <= 12 ? (int)v : 0;
}

/* Entry grades receive pupils from other schools or from preschool, so
 * nothing in the school's own records bounds them. */
static int checkable_grade(const char *level, int g)
{
	if (g <= 1)
		return 0;
	if (strcmp(level, "tieu_hoc") == 0)
		return g <= 5;
	if (strcmp(level, "thcs") == 0)
		return g >= 7 && g <= 9;
	if (strcmp(level, "thpt") == 0)
		return g >= 11;
	/* grade 6 of a TH&THCS school and grade 10 of a THCS&THPT school take
	 * pupils from other schools (grade 10 through the entrance exam) */
	if (strcmp(level, "th_thcs") == 0)
		return g <= 9 && g != 6;
	if (strcmp(level, "thcs_thpt") == 0)
		return g >= 7 && g != 10;
	return 0;
}

static int find_promotion(const audit_ctx *c, const char *year,
			  const char *school, int grade, long long *promoted,
			  long long *repeated)
{
	char key[512];
	long r;

	snprintf(key, sizeof key, "%s\x1f%s\x1f%d", year, school, grade);
	if (!strmap_get(&c->promotion_rows, key, &r))
		return 0;
	return ctable_get_ll(&c->promotion, (size_t)r,
			     ctable_col(&c->promotion, "promoted"), promoted) == 1 &&
	       ctable_get_ll(&c->promotion, (size_t)r,
			     ctable_col(&c->promotion, "repeated"), repeated) == 1;
}
static const char *school_level(const audit_ctx *c, const char *id)
{
	long r;

	return strmap_get(&c->school_rows, id, &r)
		       ? cell(&c->schools, (size_t)r, "level") : "";
}
static void audit_flow(audit_ctx *c)
{
	const char *path = "enrollment.csv";
	char prev[16];
	const ctable *en = &c->enrollment;

	for (size_t r = 0; r < en->nrows; r++) {
		const char *school = cell(en, r, "school_id");
		int g = grade_number(cell(en, r, "grade")), start;
		long long students, promoted, repeated_here, unused, line = 0;
		double allowed, margin;

		if (!checkable_grade(school_level(c, school), g) ||
		    !ind_year_parse(cell(en, r, "year"), &start) ||
		    ctable_get_ll(en, r, ctable_col(en, "students"), &students) != 1)
			continue;
		ind_year_format(start - 1, prev, sizeof prev);
		if (!find_promotion(c, prev, school, g - 1, &promoted, &unused))
			continue;
		/* no outcome row for grade g itself: its repeaters are unknown
		 * and count as none, which only makes the check stricter */
		if (!find_promotion(c, prev, school, g, &unused, &repeated_here))
			repeated_here = 0;
		margin = promoted * c->opt->margin_pct / 100.0;
		if (margin < c->opt->margin_abs)
			margin = (double)c->opt->margin_abs;
		allowed = (double)(promoted + repeated_here) + margin;
		if ((double)students <= allowed)
			continue;
		ctable_get_ll(en, r, ctable_col(en, "src_line"), &line);
		diag_report(c->diag, DIAG_WARNING, "enrollment_exceeds_promotion",
			    path, (long)line, 0,
			    "grade %d of %s has %lld pupils in %s, but %lld were promoted from grade %d and %lld held back in grade %d in %s (expected at most %.0f with the transfer margin)",
			    g, school, students, cell(en, r, "year"), promoted, g - 1,
			    repeated_here, g, prev, floor(allowed));
	}
}

ss_status audit_run(const char *outdir, const audit_options *opt,
		    diag_sink *diag, ss_error *e)
{
	audit_ctx c;
	int has_schools;
	ss_status st;

	memset(&c, 0, sizeof c);
	c.outdir = outdir;
	c.opt = opt;
	c.diag = diag;
	strmap_init(&c.weights);
	strmap_init(&c.target_rows);
	strmap_init(&c.promotion_rows);
	strmap_init(&c.school_rows);
	st = ctable_load_optional(&c.schools, outdir, "clean/schools.csv", &has_schools, e);
	if (st == SS_OK)
		st = ctable_load_optional(&c.targets, outdir, "clean/targets.csv", &c.has_targets, e);
	if (st == SS_OK)
		st = ctable_load_optional(&c.ind, outdir, "indicators.csv", &c.has_ind, e);
	if (st == SS_OK)
		st = ctable_load_optional(&c.enrollment, outdir, "clean/enrollment.csv", &c.has_enrollment, e);
	if (st == SS_OK)
		st = ctable_load_optional(&c.promotion, outdir, "clean/promotion.csv", &c.has_promotion, e);
	if (st == SS_OK)
		st = index_tables(&c, e);
	if (st == SS_OK && has_schools && c.has_targets && c.has_ind &&
	    (st = index_weights(&c, e)) == SS_OK)
		audit_targets(&c);
	if (st == SS_OK && has_schools && c.has_enrollment && c.has_promotion)
		audit_flow(&c);
	strmap_release(&c.weights);
	strmap_release(&c.target_rows);
	strmap_release(&c.promotion_rows);
	strmap_release(&c.school_rows);
	ctable_release(&c.schools);
	ctable_release(&c.targets);
	ctable_release(&c.ind);
	ctable_release(&c.enrollment);
	ctable_release(&c.promotion);
	return st;
}
