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

/* indicators.csv indexed by "scope\x1findicator" -> first row of a run of
 * rows, in file order; the file is sorted by year within a scope. */
typedef struct series_index {
	ctable ind;
	strmap first;  /* key -> row index of one row */
	long *next;    /* next row with the same key, -1 at the end */
} series_index;

static void series_release(series_index *s)
{
	ctable_release(&s->ind);
	strmap_release(&s->first);
	free(s->next);
}

static void make_key(char *buf, size_t size, const char *scope,
		     const char *indicator)
{
	snprintf(buf, size, "%s\x1f%s", scope, indicator);
}

static ss_status series_load(series_index *s, const char *outdir,
			     ss_error *e)
{
	char path[PATH_BUF], key[512];
	long *last;
	ss_status st;
	int cs, ci;

	strmap_init(&s->first);
	snprintf(path, sizeof path, "%s/indicators.csv", outdir);
	if ((st = ctable_load(&s->ind, path, e)) != SS_OK)
		return st;
	cs = ctable_col(&s->ind, "scope");
	ci = ctable_col(&s->ind, "indicator");
	if (cs < 0 || ci < 0 || ctable_col(&s->ind, "value") < 0 ||
	    ctable_col(&s->ind, "year") < 0)
		return err_set(e, SS_EDATA, path, 1, 1,
			       "missing column (expected year, scope, indicator, value)");
	s->next = malloc((s->ind.nrows + 1) * sizeof *s->next);
	last = malloc((s->ind.nrows + 1) * sizeof *last);
	if (!s->next || !last) {
		free(last);
		return err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
	}
	for (size_t r = 0; r < s->ind.nrows; r++) {
		long head;

		s->next[r] = -1;
		make_key(key, sizeof key, ctable_get(&s->ind, r, cs),
			 ctable_get(&s->ind, r, ci));
		if (strmap_get(&s->first, key, &head)) {
			s->next[last[head]] = (long)r;
			last[head] = (long)r;
		} else if (strmap_put(&s->first, key, (long)r, NULL) < 0) {
			free(last);
			return err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
		} else {
			last[r] = (long)r;
		}
	}
	free(last);
	return SS_OK;
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

static size_t collect_points(const series_index *s, const char *scope,
			     const char *indicator, gap_point *pts,
			     size_t max)
{
	char key[512];
	long r;
	size_t n = 0;
	int cy = ctable_col(&s->ind, "year");

	make_key(key, sizeof key, scope, indicator);
	if (!strmap_get(&s->first, key, &r))
		return 0;
	for (; r >= 0 && n < max; r = s->next[r]) {
		int start;

		if (!ind_year_parse(ctable_get(&s->ind, (size_t)r, cy), &start))
			continue;
		if (row_value(&s->ind, (size_t)r, &pts[n].value)) {
			pts[n].year_end = start + 1;
			n++;
		}
	}
	return n;
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
	gap_point pts[64];

	for (size_t r = 0; r < tg->nrows; r++) {
		const char *indicator = ctable_get(tg, r, ctable_col(tg, "indicator"));
		gap_target t;
		gap_result g;
		size_t n = 0;

		if (!parse_target(tg, r, &t)) {
			warn_target(c, tg, r, "bad_target",
				    "unreadable target row (expected year, op and target)");
			continue;
		}
		if (s)
			n = collect_points(s, ctable_get(tg, r, ctable_col(tg, "scope")),
					   indicator, pts, 64);
		gap_evaluate(&t, pts, n, &g);
		if (!g.has_actual)
			warn_target(c, tg, r, "no_actual",
				    ind_def_find(indicator)
					    ? "no actual for this or an earlier year (status no_data)"
					    : "indicator not produced by this pipeline (status no_data)");
		write_gap_row(w, tg, r, &t, &g);
	}
	return SS_OK;
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
	int have_series = 0;
	csvout w;
	gap_ctx c;
	ss_status st = SS_OK;

	c.diag = diag;
	/* the stage maps it to the user's path (ingest_map_sources) */
	snprintf(c.targets_path, sizeof c.targets_path, "targets.csv");
	ctable_init(&tg);
	memset(&s, 0, sizeof s);
	ctable_init(&s.ind);
	snprintf(path, sizeof path, "%s/clean/targets.csv", outdir);
	if (exists(path))
		st = ctable_load(&tg, path, e);
	snprintf(path, sizeof path, "%s/indicators.csv", outdir);
	if (st == SS_OK && exists(path)) {
		st = series_load(&s, outdir, e);
		have_series = st == SS_OK;
	}
	if (st == SS_OK) {
		snprintf(path, sizeof path, "%s/gaps.csv", outdir);
		st = csvout_open(&w, path, e);
	}
	if (st == SS_OK) {
		csvout_header(&w, gaps_header);
		evaluate_all(&tg, have_series ? &s : NULL, &c, &w);
		st = csvout_close(&w, e);
	}
	series_release(&s);
	ctable_release(&tg);
	return st;
}
