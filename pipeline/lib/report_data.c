/* report_data — reads the pipeline's outputs for the report and answers
 * lookups by (year, scope, name). Nothing is computed here: values are
 * the stages' own. */
#include "report_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ind.h"

void rdata_init(rdata *r)
{
	memset(r, 0, sizeof *r);
	ctable_init(&r->schools);
	ctable_init(&r->ind);
	ctable_init(&r->norms);
	ctable_init(&r->gaps);
	ctable_init(&r->valid);
	ctable_init(&r->rejects);
	ctable_init(&r->hist);
	ctable_init(&r->sources);
	ctable_init(&r->exam_hist);
	ctable_init(&r->exam_summary);
	ctable_init(&r->info);
	strmap_init(&r->ind_idx);
	strmap_init(&r->norm_idx);
	strmap_init(&r->school_idx);
}

void rdata_release(rdata *r)
{
	ctable_release(&r->schools);
	ctable_release(&r->ind);
	ctable_release(&r->norms);
	ctable_release(&r->gaps);
	ctable_release(&r->valid);
	ctable_release(&r->rejects);
	ctable_release(&r->hist);
	ctable_release(&r->sources);
	ctable_release(&r->exam_hist);
	ctable_release(&r->exam_summary);
	ctable_release(&r->info);
	strmap_release(&r->ind_idx);
	strmap_release(&r->norm_idx);
	strmap_release(&r->school_idx);
	free(r->outdir);
	free(r->unit);
	memset(r, 0, sizeof *r);
}

const char *rdata_cell(const ctable *t, size_t row, const char *col)
{
	if (row >= t->nrows)
		return "";
	return ctable_get(t, row, ctable_col(t, col));
}

int rdata_num(const ctable *t, size_t row, const char *col, double *out)
{
	if (row >= t->nrows)
		return 0;
	return ctable_get_double(t, row, ctable_col(t, col), out) == 1;
}

/* ------------------------------------------------------------ loading */

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Loads dir/name when it exists; *present says whether it did. A file that
 * exists but cannot be read or parsed is an error. */
static ss_status load_optional(ctable *t, const char *dir, const char *name,
			       int *present, ss_error *e)
{
	char *path = join(dir, name);
	struct stat sb;
	ss_status st;

	*present = 0;
	if (!path)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	if (stat(path, &sb) != 0 && errno == ENOENT) {
		free(path);
		return SS_OK;
	}
	*present = 1;
	st = ctable_load(t, path, e);
	free(path);
	return st;
}

/* Every name of cols (NULL-terminated) must be a column of t. */
static ss_status need_columns(const ctable *t, const char *const *cols,
			      ss_error *e)
{
	for (; *cols; cols++)
		if (ctable_col(t, *cols) < 0)
			return err_set(e, SS_EDATA, t->path, 1, 0,
				       "missing column '%s' (expected it in "
				       "the header written by the pipeline)",
				       *cols);
	return SS_OK;
}

static const char *const schools_cols[] = { "school_id", "name", "level",
					    NULL };
static const char *const ind_cols[] = { "year", "scope", "indicator",
					"value", "numerator", "denominator",
					NULL };
static const char *const norms_cols[] = { "year", "scope", "norm", "value",
					  "limit", "status", "shortfall",
					  NULL };
static const char *const gaps_cols[] = { "year", "scope", "indicator", "op",
					 "target", "actual", "actual_year",
					 "basis", "gap", "status", NULL };
static const char *const valid_cols[] = { "severity", "code", "file", "line",
					  "column", "message", NULL };
static const char *const hist_cols[] = { "year", "scope", "subject",
					 "bin_width", "bin_low", "bin_high",
					 "count", NULL };
static const char *const sources_cols[] = { "table", "path", "present",
					    "rows_read", "accepted",
					    "rejected", NULL };
static const char *const rejects_cols[] = { "file", "line", NULL };
static const char *const info_cols[] = { "key", "value", NULL };

static int make_key(char *buf, size_t size, const char *a, const char *b,
		    const char *c)
{
	int n = snprintf(buf, size, "%s\x1f%s\x1f%s", a, b, c);

	return n >= 0 && (size_t)n < size;
}

static ss_status index_rows(const ctable *t, const char *c3, strmap *m,
			    ss_error *e)
{
	int cy = ctable_col(t, "year"), cs = ctable_col(t, "scope"),
	    cn = ctable_col(t, c3);
	char key[1024];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		if (!make_key(key, sizeof key, ctable_get(t, i, cy),
			      ctable_get(t, i, cs), ctable_get(t, i, cn)))
			continue; /* longer than any real key: never asked */
		if (strmap_put(m, key, (long)i, NULL) < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0,
				       "out of memory");
	}
	return SS_OK;
}

static void newest_year(const ctable *t, const char *col, char *best,
			size_t size)
{
	int c = ctable_col(t, col);
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const char *y = ctable_get(t, i, c);
		int start;

		/* "2024-2025" strings of one form sort as their years */
		if (ind_year_parse(y, &start) && strcmp(y, best) > 0)
			snprintf(best, size, "%s", y);
	}
}

/* The value of column col shared by every school, or NULL. */
static const char *shared(const ctable *t, const char *col)
{
	int c = ctable_col(t, col);
	const char *v;
	size_t i;

	if (c < 0 || t->nrows == 0)
		return NULL;
	v = ctable_get(t, 0, c);
	if (!*v)
		return NULL;
	for (i = 1; i < t->nrows; i++)
		if (strcmp(ctable_get(t, i, c), v) != 0)
			return NULL;
	return v;
}

static ss_status settle_year(rdata *r, const report_options *opt,
			     ss_error *e)
{
	char oldest[16] = "";
	int start;
	size_t i;

	newest_year(&r->ind, "year", r->latest, sizeof r->latest);
	if (!r->latest[0])
		newest_year(&r->norms, "year", r->latest, sizeof r->latest);
	if (!r->latest[0])
		newest_year(&r->gaps, "actual_year", r->latest,
			    sizeof r->latest);
	if (!opt || !opt->year) {
		snprintf(r->year, sizeof r->year, "%s", r->latest);
		return SS_OK;
	}
	if (!ind_year_parse(opt->year, &start))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "bad school year '%s' (expected two consecutive "
			       "years such as 2024-2025)",
			       opt->year);
	snprintf(r->year, sizeof r->year, "%s", opt->year);
	if (!r->has_ind)
		return SS_OK;
	for (i = 0; i < r->ind.nrows; i++)
		if (strcmp(rdata_cell(&r->ind, i, "year"), opt->year) == 0)
			return SS_OK;
	for (i = 0; i < r->ind.nrows; i++) {
		const char *y = rdata_cell(&r->ind, i, "year");

		if (!oldest[0] || strcmp(y, oldest) < 0)
			snprintf(oldest, sizeof oldest, "%s", y);
	}
	return err_set(e, SS_EUSAGE, NULL, 0, 0,
		       "no indicators for school year '%s' (expected a year "
		       "from %s to %s)",
		       opt->year, oldest[0] ? oldest : "?",
		       r->latest[0] ? r->latest : "?");
}

static ss_status settle_unit(rdata *r, const report_options *opt,
			     ss_error *e)
{
	const char *name = NULL;

	r->commune = shared(&r->schools, "commune");
	r->district = shared(&r->schools, "district");
	r->province = shared(&r->schools, "province");
	if (opt && opt->unit && *opt->unit) {
		name = opt->unit;
	} else {
		r->unit_derived = 1;
		name = r->commune   ? r->commune
		       : r->district ? r->district
		       : r->province ? r->province
				     : "Đơn vị báo cáo";
	}
	if (!(r->unit = strdup(name)))
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	return SS_OK;
}

ss_status rdata_load(rdata *r, const char *outdir, const report_options *opt,
		     ss_error *e)
{
	char *clean = NULL;
	int has_schools = 0, dummy;
	ss_status st;
	size_t i;

	if (!(r->outdir = strdup(outdir)) || !(clean = join(outdir, "clean")))
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	st = load_optional(&r->schools, clean, "schools.csv", &has_schools, e);
	if (st == SS_OK && !has_schools) {
		char *path = join(clean, "schools.csv");

		st = err_set_errno(e, SS_EIO, path ? path : "schools.csv",
				   ENOENT, "cannot open");
		free(path);
	}
	if (st == SS_OK)
		st = need_columns(&r->schools, schools_cols, e);
	if (st == SS_OK)
		st = load_optional(&r->sources, clean, "sources.csv",
				   &r->has_sources, e);
	if (st == SS_OK)
		st = load_optional(&r->exam_hist, clean, "exam_hist.csv",
				   &dummy, e);
	if (st == SS_OK)
		st = load_optional(&r->exam_summary, clean, "exam_summary.csv",
				   &dummy, e);
	free(clean);
	if (st == SS_OK)
		st = load_optional(&r->ind, outdir, "indicators.csv",
				   &r->has_ind, e);
	if (st == SS_OK)
		st = load_optional(&r->norms, outdir, "norms.csv",
				   &r->has_norms, e);
	if (st == SS_OK)
		st = load_optional(&r->gaps, outdir, "gaps.csv", &r->has_gaps,
				   e);
	if (st == SS_OK)
		st = load_optional(&r->valid, outdir, "validation.csv",
				   &r->has_valid, e);
	if (st == SS_OK)
		st = load_optional(&r->rejects, outdir, "rejects.csv",
				   &r->has_rejects, e);
	if (st == SS_OK)
		st = load_optional(&r->hist, outdir, "exam_histograms.csv",
				   &r->has_hist, e);
	if (st == SS_OK)
		st = load_optional(&r->info, outdir, "run_info.csv",
				   &r->has_info, e);
	if (st != SS_OK)
		return st;
	if ((r->has_ind && (st = need_columns(&r->ind, ind_cols, e))) ||
	    (r->has_norms && (st = need_columns(&r->norms, norms_cols, e))) ||
	    (r->has_gaps && (st = need_columns(&r->gaps, gaps_cols, e))) ||
	    (r->has_valid && (st = need_columns(&r->valid, valid_cols, e))) ||
	    (r->has_hist && (st = need_columns(&r->hist, hist_cols, e))) ||
	    (r->has_sources &&
	     (st = need_columns(&r->sources, sources_cols, e))) ||
	    (r->has_rejects &&
	     (st = need_columns(&r->rejects, rejects_cols, e))) ||
	    (r->has_info && (st = need_columns(&r->info, info_cols, e))))
		return st;
	if ((st = index_rows(&r->ind, "indicator", &r->ind_idx, e)) ||
	    (st = index_rows(&r->norms, "norm", &r->norm_idx, e)))
		return st;
	for (i = 0; i < r->schools.nrows; i++)
		if (strmap_put(&r->school_idx,
			       rdata_cell(&r->schools, i, "school_id"), (long)i,
			       NULL) < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0,
				       "out of memory");
	if ((st = settle_year(r, opt, e)))
		return st;
	return settle_unit(r, opt, e);
}

/* ------------------------------------------------------------ lookups */

const char *rdata_info(const rdata *r, const char *key)
{
	int ck = ctable_col(&r->info, "key");
	int cv = ctable_col(&r->info, "value");
	size_t i;

	/* a few dozen rows: a scan is enough */
	for (i = 0; r->has_info && i < r->info.nrows; i++)
		if (strcmp(ctable_get(&r->info, i, ck), key) == 0)
			return ctable_get(&r->info, i, cv);
	return NULL;
}

static int find(const strmap *m, const char *a, const char *b, const char *c,
		long *row)
{
	char key[1024];

	return make_key(key, sizeof key, a, b, c) && strmap_get(m, key, row);
}

int rdata_ind(const rdata *r, const char *year, const char *scope,
	      const char *indicator, rval *out)
{
	long row;

	memset(out, 0, sizeof *out);
	if (!find(&r->ind_idx, year, scope, indicator, &row))
		return 0;
	out->has_value = rdata_num(&r->ind, (size_t)row, "value", &out->value);
	out->has_num = rdata_num(&r->ind, (size_t)row, "numerator", &out->num);
	out->has_den = rdata_num(&r->ind, (size_t)row, "denominator",
				 &out->den);
	return 1;
}

int rdata_norm(const rdata *r, const char *year, const char *scope,
	       const char *norm, rnorm *out)
{
	double sf;
	long row;

	memset(out, 0, sizeof *out);
	out->status = "";
	if (!find(&r->norm_idx, year, scope, norm, &row))
		return 0;
	out->has_value = rdata_num(&r->norms, (size_t)row, "value",
				   &out->value);
	out->has_limit = rdata_num(&r->norms, (size_t)row, "limit",
				   &out->limit);
	out->has_shortfall = rdata_num(&r->norms, (size_t)row, "shortfall",
				       &sf);
	out->shortfall = out->has_shortfall ? (long long)sf : 0;
	out->status = rdata_cell(&r->norms, (size_t)row, "status");
	return 1;
}

int rdata_target_current(const rdata *r, size_t i)
{
	/* school years of one form compare as text */
	return strcmp(rdata_cell(&r->gaps, i, "year"), r->year) >= 0;
}

long rdata_school(const rdata *r, const char *id)
{
	long row;

	return strmap_get(&r->school_idx, id, &row) ? row : -1;
}

static const char *level_scope(const char *level)
{
	static const struct {
		const char *code, *label;
	} t[] = {
		{ "mam_non", "Cấp mầm non" },
		{ "tieu_hoc", "Cấp tiểu học" },
		{ "thcs", "Cấp THCS" },
		{ "thpt", "Cấp THPT" },
		{ "th_thcs", "Trường tiểu học và THCS" },
		{ "thcs_thpt", "Trường THCS và THPT" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].code, level) == 0)
			return t[i].label;
	return NULL;
}

const char *rdata_scope_label(const rdata *r, const char *scope, char *buf,
			      size_t size)
{
	static const char *const prefixes[] = { "commune:", "district:",
						"province:" };
	long row;
	size_t i;

	if (strcmp(scope, "all") == 0) {
		snprintf(buf, size, "%s",
			 report_all_label(r->unit_derived ? r->unit : NULL));
		return buf;
	}
	if (strncmp(scope, "level:", 6) == 0) {
		const char *l = level_scope(scope + 6);

		if (l)
			snprintf(buf, size, "%s", l);
		else
			snprintf(buf, size, "Cấp %s", scope + 6);
		return buf;
	}
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(scope, prefixes[i], strlen(prefixes[i])) == 0) {
			snprintf(buf, size, "%s", scope + strlen(prefixes[i]));
			return buf;
		}
	row = rdata_school(r, scope);
	if (row >= 0 && *rdata_cell(&r->schools, (size_t)row, "name"))
		snprintf(buf, size, "%s",
			 rdata_cell(&r->schools, (size_t)row, "name"));
	else
		snprintf(buf, size, "%s", scope);
	return buf;
}
