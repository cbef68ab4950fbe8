#include "audit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* ------------------------------------------------------------ keys */

/* A key joined from several texts, exact: every part but the last comes
 * after its length, so no byte of a part can pass for a separator, and the
 * buffer grows to fit so nothing is cut short. */
typedef struct key_buf {
	char *text;
	size_t cap;
} key_buf;

/* The key of parts[0..n-1] (n >= 1) in k, or NULL when out of memory. */
static const char *key_join(key_buf *k, const char *const *parts, size_t n)
{
	size_t need = 1, len = 0;

	for (size_t i = 0; i < n; i++)
		need += strlen(parts[i]) + 24;
	if (need > k->cap) {
		char *bigger = realloc(k->text, need);

		if (!bigger)
			return NULL;
		k->text = bigger;
		k->cap = need;
	}
	for (size_t i = 0; i + 1 < n; i++)
		len += (size_t)snprintf(k->text + len, k->cap - len, "%zu\x1f%s",
					strlen(parts[i]), parts[i]);
	strcpy(k->text + len, parts[n - 1]);
	return k->text;
}

/* ------------------------------------------------------------ targets */

typedef struct audit_ctx {
	const char *outdir;
	const audit_options *opt;
	diag_sink *diag;
	/* ind: only the rows of indicators.csv a weight can come from (school
	 * scopes, indicators of audited targets) */
	ctable schools, targets, ind, enrollment, promotion;
	int has_targets, has_ind, has_enrollment, has_promotion;
	strmap audited_indicators; /* indicators of the audited targets */
	/* indexes, so that national tables are not rescanned per row; keys
	 * are joined with key_join */
	strmap weights;      /* year, scope, indicator -> row in ind */
	strmap target_rows;  /* year, scope, indicator, op, deadline */
	strmap promotion_rows; /* year, school, grade */
	strmap school_rows;  /* school_id */
	key_buf key;
} audit_ctx;

/* Looks the key of parts up in m; a failed allocation reads as absent and
 * is reported through diag. */
static int key_get(audit_ctx *c, const strmap *m, const char *const *parts,
		   size_t n, long *value)
{
	const char *key = key_join(&c->key, parts, n);

	if (!key) {
		c->diag->failed = 1;
		return 0;
	}
	return strmap_get(m, key, value);
}

/* strmap_put under the key of parts: the first row of a key wins, as in
 * ingest. SS_ENOMEM when out of memory. */
static ss_status key_put(audit_ctx *c, strmap *m, const char *const *parts,
			 size_t n, long value, ss_error *e)
{
	const char *key = key_join(&c->key, parts, n);

	if (!key || strmap_put(m, key, value, NULL) < 0)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	return SS_OK;
}

static const char *cell(const ctable *t, size_t r, const char *col)
{
	return ctable_get(t, r, ctable_col(t, col));
}

/* The parts of target row r's key with scope in place of its own. */
static void target_parts(const char *parts[5], const ctable *t, size_t r,
			 const char *scope)
{
	parts[0] = cell(t, r, "year");
	parts[1] = scope;
	parts[2] = cell(t, r, "indicator");
	parts[3] = cell(t, r, "op");
	parts[4] = cell(t, r, "deadline");
}

static ss_status index_targets_promotion(audit_ctx *c, ss_error *e)
{
	const char *parts[5];
	ss_status st = SS_OK;

	for (size_t r = 0; st == SS_OK && r < c->targets.nrows; r++) {
		target_parts(parts, &c->targets, r, cell(&c->targets, r, "scope"));
		st = key_put(c, &c->target_rows, parts, 5, (long)r, e);
	}
	for (size_t r = 0; st == SS_OK && r < c->promotion.nrows; r++) {
		parts[0] = cell(&c->promotion, r, "year");
		parts[1] = cell(&c->promotion, r, "school_id");
		parts[2] = cell(&c->promotion, r, "grade");
		st = key_put(c, &c->promotion_rows, parts, 3, (long)r, e);
	}
	return st;
}

static ss_status index_schools(audit_ctx *c, ss_error *e)
{
	for (size_t r = 0; r < c->schools.nrows; r++)
		if (strmap_put(&c->school_rows, cell(&c->schools, r, "school_id"),
			       (long)r, NULL) < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	return SS_OK;
}

/* The keep predicate of load_weights: a row of indicators.csv is kept when
 * a weight lookup can ask for it. Its columns are found on the first row
 * (the header is the same for every row); a missing one reads "". */
typedef struct weight_rows {
	const audit_ctx *c;
	int found, scope, indicator;
} weight_rows;

static int keep_weight_row(const char *const *fields, size_t ncols,
			   char *const *header, void *ctx)
{
	weight_rows *w = ctx;
	long unused;

	if (!w->found) {
		w->scope = ctable_header_col(header, ncols, "scope");
		w->indicator = ctable_header_col(header, ncols, "indicator");
		w->found = 1;
	}
	return strmap_get(&w->c->audited_indicators,
			  w->indicator < 0 ? "" : fields[w->indicator], &unused) &&
	       strmap_get(&w->c->school_rows,
			  w->scope < 0 ? "" : fields[w->scope], &unused);
}

/* Loads the rows of indicators.csv (present, as ctable_load_optional
 * decides) that weights can come from, and indexes them. The whole file
 * is checked as ctable_load checks it, so a broken row fails with its
 * file:line:column. */
static ss_status load_weights(audit_ctx *c, ss_error *e)
{
	weight_rows wanted = { c, 0, -1, -1 };
	ctable_options opt = { keep_weight_row, &wanted, 0 };
	const char *parts[3];
	ss_status st;

	st = ctable_load_optional_opt(&c->ind, c->outdir, "indicators.csv", &opt,
				      &c->has_ind, e);
	for (size_t r = 0; st == SS_OK && r < c->ind.nrows; r++) {
		parts[0] = cell(&c->ind, r, "year");
		parts[1] = cell(&c->ind, r, "scope");
		parts[2] = cell(&c->ind, r, "indicator");
		st = key_put(c, &c->weights, parts, 3, (long)r, e);
	}
	return st;
}

/* The denominator of indicator for school in year, or the latest earlier
 * year that has one. */
static int weight_of(audit_ctx *c, const char *year, const char *school,
		     const char *indicator, double *w)
{
	char ybuf[16];
	const char *parts[3] = { ybuf, school, indicator };
	int start;
	long row;

	if (!ind_year_parse(year, &start))
		return 0;
	for (int y = start; y > start - 30; y--) {
		ind_year_format(y, ybuf, sizeof ybuf);
		if (key_get(c, &c->weights, parts, 3, &row) &&
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
static long school_target(audit_ctx *c, size_t r, const char *school)
{
	const char *parts[5];
	long q;

	target_parts(parts, &c->targets, r, school);
	return key_get(c, &c->target_rows, parts, 5, &q) ? q : -1;
}
/* The definition of target row r's indicator when the row is one the
 * target audit checks (an all or level: scope, a ratio or count
 * indicator, a readable target), else NULL. */
static const ind_def *audited_target(const audit_ctx *c, size_t r,
				     double *target)
{
	const ctable *t = &c->targets;
	const char *scope = cell(t, r, "scope");
	const ind_def *d;

	if (strcmp(scope, "all") != 0 && strncmp(scope, "level:", 6) != 0)
		return NULL;
	d = ind_def_find(cell(t, r, "indicator"));
	if (!d || (d->kind != IND_KIND_RATIO && d->kind != IND_KIND_COUNT))
		return NULL;
	if (ctable_get_double(t, r, ctable_col(t, "target"), target) != 1)
		return NULL;
	return d;
}

/* Collects the indicators of the audited targets: only their rows of
 * indicators.csv are kept. 0 when out of memory. */
static int want_audited_indicators(audit_ctx *c)
{
	for (size_t r = 0; r < c->targets.nrows; r++) {
		double target;

		if (audited_target(c, r, &target) &&
		    strmap_put(&c->audited_indicators,
			       cell(&c->targets, r, "indicator"), 0, NULL) < 0)
			return 0;
	}
	return 1;
}

static void audit_one_target(audit_ctx *c, size_t r, const char *path)
{
	const ctable *t = &c->targets;
	const char *scope = cell(t, r, "scope");
	const char *indicator = cell(t, r, "indicator");
	const ind_def *d;
	double *vals, *ws, target, combined;
	size_t n = 0;
	long long line = 0;
	int complete = 1;

	if (!(d = audited_target(c, r, &target)))
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

	for (size_t r = 0; r < c->targets.nrows; r++)
		audit_one_target(c, r, path);
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

static int find_promotion(audit_ctx *c, const char *year,
			  const char *school, int grade, long long *promoted,
			  long long *repeated)
{
	char gbuf[16];
	const char *parts[3] = { year, school, gbuf };
	long r;

	snprintf(gbuf, sizeof gbuf, "%d", grade);
	if (!key_get(c, &c->promotion_rows, parts, 3, &r))
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
	strmap_init(&c.audited_indicators);
	strmap_init(&c.target_rows);
	strmap_init(&c.promotion_rows);
	strmap_init(&c.school_rows);
	st = ctable_load_optional(&c.schools, outdir, "clean/schools.csv", &has_schools, e);
	if (st == SS_OK)
		st = ctable_load_optional(&c.targets, outdir, "clean/targets.csv", &c.has_targets, e);
	if (st == SS_OK)
		st = index_schools(&c, e);
	if (st == SS_OK && !want_audited_indicators(&c))
		st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	/* indicators.csv only gives the weights of the target audit: without
	 * a target to audit it is not opened (a national run has no plan) */
	if (st == SS_OK && has_schools && c.audited_indicators.count > 0)
		st = load_weights(&c, e);
	if (st == SS_OK)
		st = ctable_load_optional(&c.enrollment, outdir, "clean/enrollment.csv", &c.has_enrollment, e);
	if (st == SS_OK)
		st = ctable_load_optional(&c.promotion, outdir, "clean/promotion.csv", &c.has_promotion, e);
	if (st == SS_OK)
		st = index_targets_promotion(&c, e);
	if (st == SS_OK && has_schools && c.has_targets && c.has_ind)
		audit_targets(&c);
	if (st == SS_OK && has_schools && c.has_enrollment && c.has_promotion)
		audit_flow(&c);
	strmap_release(&c.audited_indicators);
	strmap_release(&c.weights);
	strmap_release(&c.target_rows);
	strmap_release(&c.promotion_rows);
	strmap_release(&c.school_rows);
	free(c.key.text);
	ctable_release(&c.schools);
	ctable_release(&c.targets);
	ctable_release(&c.ind);
	ctable_release(&c.enrollment);
	ctable_release(&c.promotion);
	return st;
}
