#include "gap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvout.h"
#include "ctable.h"
#include "ind.h"
#include "stats.h"
#include "strmap.h"

#define PATH_BUF 4096

gap_op gap_op_parse(const char *op)
{
	if (strcmp(op, ">=") == 0)
		return GAP_OP_GE;
	if (strcmp(op, "<=") == 0)
		return GAP_OP_LE;
	if (strcmp(op, "=") == 0)
		return GAP_OP_EQ;
	return GAP_OP_BAD;
}

int gap_meets(gap_op op, double actual, double target)
{
	double scale = fabs(target) > 1 ? fabs(target) : 1;

	switch (op) {
	case GAP_OP_GE:
		return actual >= target;
	case GAP_OP_LE:
		return actual <= target;
	case GAP_OP_EQ:
		return fabs(actual - target) <= 1e-9 * scale;
	case GAP_OP_BAD:
		break;
	}
	return 0;
}

static void evaluate_trend(const gap_target *t, const gap_point *points,
			   size_t n, const gap_point *latest, gap_result *out)
{
	double x[64], y[64], c0, c1;
	size_t k = 0;

	for (size_t i = 0; i < n && k < 64; i++)
		if (points[i].year_end <= t->year_end) {
			x[k] = points[i].year_end;
			y[k] = points[i].value;
			k++;
		}
	if (k >= 2 && stats_trend(x, y, k, &c0, &c1)) {
		out->has_trend = 1;
		out->slope = c1;
		out->projected = c0 + c1 * t->deadline;
		out->on_track = gap_meets(t->op, out->projected, t->target)
					? "yes" : "no";
	}
	if (latest && t->deadline > latest->year_end) {
		out->has_needed = 1;
		out->needed_per_year = (t->target - latest->value) /
				       (double)(t->deadline - latest->year_end);
	}
}

void gap_evaluate(const gap_target *t, const gap_point *points, size_t n,
		  gap_result *out)
{
	const gap_point *best = NULL;

	memset(out, 0, sizeof *out);
	out->basis = "";
	out->on_track = "";
	for (size_t i = 0; i < n; i++) {
		if (points[i].year_end > t->year_end || !isfinite(points[i].value))
			continue;
		if (!best || points[i].year_end > best->year_end)
			best = &points[i];
	}
	if (!best) {
		out->status = "no_data";
	} else {
		out->has_actual = 1;
		out->actual = best->value;
		out->actual_year_end = best->year_end;
		out->basis = best->year_end == t->year_end ? "actual"
							   : "baseline";
		out->gap = best->value - t->target;
		out->status = gap_meets(t->op, best->value, t->target)
				      ? "met" : "not_met";
	}
	if (t->deadline > 0)
		evaluate_trend(t, points, n, best, out);
}

/* ------------------------------------------------------------ the stage */

/* The trend fit takes at most this many points, and a series keeps the
 * first this many usable rows of indicators.csv, in file order. */
#define GAP_MAX_POINTS 64

/* The yearly points of one (scope, indicator) that a target refers to. */
typedef struct gap_series {
	gap_point *points;
	size_t npoints, cap;
} gap_series;

/* Only the series the targets refer to: indicators.csv is national-sized
 * (hundreds of thousands of rows) while a plan names a few hundred.
 * Looked up by indicator, then by scope: two maps rather than one key
 * joined from both, so that no text can pass for another pair. */
typedef struct series_index {
	strmap indicators;   /* indicator -> index in scopes */
	strmap *scopes;      /* per indicator: scope -> index in series */
	size_t nindicators, indicators_cap;
	gap_series *series;
	size_t nseries, cap;
} series_index;

static void series_init(series_index *s)
{
	memset(s, 0, sizeof *s);
	strmap_init(&s->indicators);
}

static void series_release(series_index *s)
{
	for (size_t i = 0; i < s->nseries; i++)
		free(s->series[i].points);
	free(s->series);
	for (size_t i = 0; i < s->nindicators; i++)
		strmap_release(&s->scopes[i]);
	free(s->scopes);
	strmap_release(&s->indicators);
	memset(s, 0, sizeof *s);
}

/* Room for one more indicator and one more series; 0 when out of memory. */
static int series_reserve(series_index *s)
{
	if (s->nindicators == s->indicators_cap) {
		size_t ncap = s->indicators_cap ? s->indicators_cap * 2 : 8;
		strmap *grown = realloc(s->scopes, ncap * sizeof *grown);

		if (!grown)
			return 0;
		s->scopes = grown;
		s->indicators_cap = ncap;
	}
	if (s->nseries == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		gap_series *grown = realloc(s->series, ncap * sizeof *grown);

		if (!grown)
			return 0;
		s->series = grown;
		s->cap = ncap;
	}
	return 1;
}

/* Registers the series of scope and indicator; 0 when out of memory. */
static int series_want(series_index *s, const char *scope,
		       const char *indicator)
{
	long slot;
	int added;

	if (!series_reserve(s))
		return 0;
	added = strmap_put(&s->indicators, indicator, (long)s->nindicators,
			   &slot);
	if (added < 0)
		return 0;
	if (added) {
		slot = (long)s->nindicators++;
		strmap_init(&s->scopes[slot]);
	}
	added = strmap_put(&s->scopes[slot], scope, (long)s->nseries, NULL);
	if (added < 0)
		return 0;
	if (added)
		memset(&s->series[s->nseries++], 0, sizeof *s->series);
	return 1;
}

static gap_series *series_find(const series_index *s, const char *scope,
			       const char *indicator)
{
	long slot, i;

	if (!strmap_get(&s->indicators, indicator, &slot) ||
	    !strmap_get(&s->scopes[slot], scope, &i))
		return NULL;
	return &s->series[i];
}

static int series_add(gap_series *g, int year_end, double value)
{
	if (g->npoints == GAP_MAX_POINTS)
		return 1;
	if (g->npoints == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 8;
		gap_point *grown = realloc(g->points, ncap * sizeof *grown);

		if (!grown)
			return 0;
		g->points = grown;
		g->cap = ncap;
	}
	g->points[g->npoints].year_end = year_end;
	g->points[g->npoints].value = value;
	g->npoints++;
	return 1;
}

/* The keep predicate of series_load: a row of indicators.csv is kept when
 * a target refers to its series. Its columns are found on the first row
 * (the header is the same for every row). */
typedef struct wanted_rows {
	const series_index *s;
	int found, scope, indicator;
} wanted_rows;

static int keep_wanted_row(const char *const *fields, size_t ncols,
			   char *const *header, void *ctx)
{
	wanted_rows *w = ctx;

	if (!w->found) {
		w->scope = ctable_header_col(header, ncols, "scope");
		w->indicator = ctable_header_col(header, ncols, "indicator");
		w->found = 1;
	}
	return w->scope >= 0 && w->indicator >= 0 &&
	       series_find(w->s, fields[w->scope], fields[w->indicator]);
}

/* The row's value at full precision: from numerator and denominator where
 * the catalogue says how, else as written. 0 when the row has no value. */
static int row_value(const ctable *t, size_t r, double *value)
{
	const ind_def *d = ind_def_find(ctable_get(t, r, ctable_col(t, "indicator")));
	double num, den;

	if (ctable_get_double(t, r, ctable_col(t, "value"), value) != 1)
		return 0;
	if (d && ctable_get_double(t, r, ctable_col(t, "numerator"), &num) == 1 &&
	    ctable_get_double(t, r, ctable_col(t, "denominator"), &den) == 1)
		ind_value_from_parts(d, num, den, value);
	return 1;
}

/* Reads the wanted series from indicators.csv, in file order. The whole
 * file is checked as ctable_load checks it, so a broken row fails with
 * its file:line:column whether or not a target needs it. */
static ss_status series_load(series_index *s, const char *path, ss_error *e)
{
	wanted_rows wanted = { s, 0, -1, -1 };
	ctable_options opt = { keep_wanted_row, &wanted, 0 };
	ctable ind;
	ss_status st = ctable_load_opt(&ind, path, &opt, e);
	int cy = ctable_col(&ind, "year"), cs = ctable_col(&ind, "scope");
	int ci = ctable_col(&ind, "indicator");

	if (st == SS_OK && (cy < 0 || cs < 0 || ci < 0 ||
			    ctable_col(&ind, "value") < 0))
		st = err_set(e, SS_EDATA, path, 1, 1,
			     "missing column (expected year, scope, indicator, value)");
	for (size_t r = 0; st == SS_OK && r < ind.nrows; r++) {
		gap_series *g = series_find(s, ctable_get(&ind, r, cs),
					    ctable_get(&ind, r, ci));
		double value;
		int start;

		if (g && ind_year_parse(ctable_get(&ind, r, cy), &start) &&
		    row_value(&ind, r, &value) && !series_add(g, start + 1, value))
			st = err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
	}
	ctable_release(&ind);
	return st;
}

static const char *const gaps_header[] = {
	"year", "scope", "indicator", "op", "target", "actual", "actual_year",
	"basis", "gap", "status", "deadline", "trend_slope", "projected",
	"needed_per_year", "on_track", "source", "src_line", NULL
};

static void write_gap_row(csvout *w, const ctable *tg, size_t r,
			  const gap_target *t, const gap_result *g)
{
	char ybuf[16];

	csvout_str(w, ctable_get(tg, r, ctable_col(tg, "year")));
	csvout_str(w, ctable_get(tg, r, ctable_col(tg, "scope")));
	csvout_str(w, ctable_get(tg, r, ctable_col(tg, "indicator")));
	csvout_str(w, ctable_get(tg, r, ctable_col(tg, "op")));
	csvout_real(w, t->target, 6);
	if (g->has_actual) {
		csvout_real(w, g->actual, 6);
		csvout_str(w, ind_year_format(g->actual_year_end - 1, ybuf,
					      sizeof ybuf));
	} else {
		csvout_empty(w);
		csvout_empty(w);
	}
	csvout_str(w, g->basis);
	if (g->has_actual)
		csvout_real(w, g->gap, 6);
	else
		csvout_empty(w);
	csvout_str(w, g->status);
	if (t->deadline)
		csvout_int(w, t->deadline);
	else
		csvout_empty(w);
	if (g->has_trend) {
		csvout_real(w, g->slope, 6);
		csvout_real(w, g->projected, 6);
	} else {
		csvout_empty(w);
		csvout_empty(w);
	}
	if (g->has_needed)
		csvout_real(w, g->needed_per_year, 6);
	else
		csvout_empty(w);
	csvout_str(w, g->on_track);
	csvout_str(w, ctable_get(tg, r, ctable_col(tg, "source")));
	csvout_str(w, ctable_get(tg, r, ctable_col(tg, "src_line")));
	csvout_end_row(w);
}

static int parse_target(const ctable *tg, size_t r, gap_target *t)
{
	long long deadline = 0;
	int start;

	memset(t, 0, sizeof *t);
	if (!ind_year_parse(ctable_get(tg, r, ctable_col(tg, "year")), &start))
		return 0;
	t->year_end = start + 1;
	t->op = gap_op_parse(ctable_get(tg, r, ctable_col(tg, "op")));
	if (t->op == GAP_OP_BAD ||
	    ctable_get_double(tg, r, ctable_col(tg, "target"), &t->target) != 1)
		return 0;
	if (ctable_get_ll(tg, r, ctable_col(tg, "deadline"), &deadline) == 1)
		t->deadline = (int)deadline;
	return 1;
}

typedef struct gap_ctx {
	diag_sink *diag;
	char targets_path[PATH_BUF];
} gap_ctx;

static void warn_target(const gap_ctx *c, const ctable *tg, size_t r,
			const char *code, const char *what)
{
	long long line = 0;

	ctable_get_ll(tg, r, ctable_col(tg, "src_line"), &line);
	diag_report(c->diag, DIAG_WARNING, code, c->targets_path, (long)line, 0,
		    "target %s %s for %s in %s: %s",
		    ctable_get(tg, r, ctable_col(tg, "indicator")),
		    ctable_get(tg, r, ctable_col(tg, "op")),
		    ctable_get(tg, r, ctable_col(tg, "scope")),
		    ctable_get(tg, r, ctable_col(tg, "year")), what);
}

static ss_status evaluate_all(const ctable *tg, const series_index *s,
			      const gap_ctx *c, csvout *w)
{
	for (size_t r = 0; r < tg->nrows; r++) {
		const char *indicator = ctable_get(tg, r, ctable_col(tg, "indicator"));
		const gap_series *series;
		gap_target t;
		gap_result g;

		if (!parse_target(tg, r, &t)) {
			warn_target(c, tg, r, "bad_target",
				    "unreadable target row (expected year, op and target)");
			continue;
		}
		series = series_find(s, ctable_get(tg, r, ctable_col(tg, "scope")),
				     indicator);
		if (series)
			gap_evaluate(&t, series->points, series->npoints, &g);
		else
			gap_evaluate(&t, NULL, 0, &g);
		if (!g.has_actual)
			warn_target(c, tg, r, "no_actual",
				    ind_def_find(indicator)
					    ? "no actual for this or an earlier year (status no_data)"
					    : "indicator not produced by this pipeline (status no_data)");
		write_gap_row(w, tg, r, &t, &g);
	}
	return SS_OK;
}

/* Registers the series of every readable target; 0 when out of memory. */
static int want_target_series(series_index *s, const ctable *tg)
{
	for (size_t r = 0; r < tg->nrows; r++) {
		gap_target t;

		if (parse_target(tg, r, &t) &&
		    !series_want(s, ctable_get(tg, r, ctable_col(tg, "scope")),
				 ctable_get(tg, r, ctable_col(tg, "indicator"))))
			return 0;
	}
	return 1;
}

static int exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

ss_status gap_run(const char *outdir, diag_sink *diag, ss_error *e)
{
	char path[PATH_BUF];
	ctable tg;
	series_index s;
	csvout w;
	gap_ctx c;
	ss_status st = SS_OK;

	c.diag = diag;
	/* the stage maps it to the user's path (ingest_map_sources) */
	snprintf(c.targets_path, sizeof c.targets_path, "targets.csv");
	ctable_init(&tg);
	series_init(&s);
	snprintf(path, sizeof path, "%s/clean/targets.csv", outdir);
	if (exists(path))
		st = ctable_load(&tg, path, e);
	if (st == SS_OK && !want_target_series(&s, &tg))
		st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	/* without a readable target nothing in indicators.csv can be used, so
	 * it is not even opened (a national run has no plan) */
	snprintf(path, sizeof path, "%s/indicators.csv", outdir);
	if (st == SS_OK && s.nseries > 0 && exists(path))
		st = series_load(&s, path, e);
	if (st == SS_OK) {
		snprintf(path, sizeof path, "%s/gaps.csv", outdir);
		st = csvout_open(&w, path, e);
	}
	if (st == SS_OK) {
		csvout_header(&w, gaps_header);
		evaluate_all(&tg, &s, &c, &w);
		st = csvout_close(&w, e);
	}
	series_release(&s);
	ctable_release(&tg);
	return st;
}
