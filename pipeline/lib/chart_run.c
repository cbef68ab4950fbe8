/* chart_run — the charts stage: every chart the outputs have data for,
 * written to OUTPUT_DIR/charts as PNG and SVG.
 *
 * The stage runs in two halves. The first loads the inputs, keeping only
 * the rows of indicators.csv and exam_histograms.csv some chart can use,
 * and builds every chart's data, in the order the charts are written,
 * into a plan of charts and notes (and the failure that ended it, if
 * any). The tables are then released, so the large ones are never in
 * memory together with the images, and the plan is carried out by a
 * chart_batch, which encodes the PNG images on worker threads. Notes,
 * files and the first failure come out exactly as if each chart were
 * drawn and written as soon as its data was built. */
#include "chart.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ind.h"

#define PATH_SIZE 1024
#define STEM_PATH_SIZE (PATH_SIZE + 8)

/* A chart to write, or a note to tell. */
typedef struct plan_step {
	const char *note;     /* NULL for a chart */
	const char *stem;     /* file name without extension */
	chart_draw_fn draw;
	const void *data;     /* in the arena */
} plan_step;

typedef struct run_ctx {
	const char *outdir;
	char chart_dir[PATH_SIZE];
	const chart_run_options *opt;
	double width, height, scale;
	chart_style style;
	chart_arena arena;
	chart_names names;
	plan_step *steps;
	size_t nsteps, cap_steps;
	ss_status plan_status;  /* a failure to plan a note ends the plan */
	ss_error plan_error;
	size_t written;
	char font[128];         /* the family Pango draws with */
} run_ctx;

/* Appends a step; SS_ENOMEM. Nothing is added after a note failed. */
static ss_status plan_add(run_ctx *c, const char *note, const char *stem,
			  chart_draw_fn draw, const void *data, ss_error *e)
{
	if (c->plan_status != SS_OK) {
		if (e)
			*e = c->plan_error;
		return c->plan_status;
	}
	if (c->nsteps == c->cap_steps) {
		size_t cap = c->cap_steps ? c->cap_steps * 2 : 64;
		plan_step *p = realloc(c->steps, cap * sizeof *p);

		if (!p)
			return err_set(e, SS_ENOMEM, NULL, 0, 0,
				       "out of memory planning the charts");
		c->steps = p;
		c->cap_steps = cap;
	}
	c->steps[c->nsteps++] = (plan_step){ note, stem, draw, data };
	return SS_OK;
}

static void note(run_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A note in the plan, told once the charts before it are written. When it
 * cannot be kept (out of memory) the plan ends there. */
static void note(run_ctx *c, const char *fmt, ...)
{
	char buf[768];
	const char *msg;
	va_list ap;

	if (!c->opt->note || c->plan_status != SS_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	msg = chart_arena_strdup(&c->arena, buf);
	if (!msg)
		c->plan_status = err_set(&c->plan_error, SS_ENOMEM, NULL, 0, 0,
					 "out of memory planning the charts");
	else
		c->plan_status = plan_add(c, msg, NULL, NULL, NULL,
					  &c->plan_error);
}

static ss_status path_join(char *buf, const char *dir, const char *name,
			   ss_error *e)
{
	if (snprintf(buf, PATH_SIZE, "%s/%s", dir, name) >= PATH_SIZE)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "path too long '%s/%s' (expected under %d "
			       "bytes)",
			       dir, name, PATH_SIZE);
	return SS_OK;
}

/* Loads OUTPUT_DIR/name when it exists, the rows opt keeps (opt may be
 * NULL: all); *present 0 when it does not exist. */
static ss_status load_optional(run_ctx *c, const char *name, ctable *t,
			       const ctable_options *opt, int *present,
			       ss_error *e)
{
	char path[PATH_SIZE];
	struct stat sb;
	ss_status s = path_join(path, c->outdir, name, e);

	*present = 0;
	if (s != SS_OK)
		return s;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return SS_OK;
		return err_set_errno(e, SS_EIO, path, errno, "cannot read");
	}
	*present = 1;
	return ctable_load_opt(t, path, opt, e);
}

/* A chart in the plan; data must live in the arena. */
static ss_status write_chart(run_ctx *c, const char *stem, chart_draw_fn fn,
			     const void *data, ss_error *e)
{
	const char *kept;

	/* "<chart_dir>/<stem>.png" must fit the path buffer */
	if (strlen(c->chart_dir) + strlen(stem) + 5 >= STEM_PATH_SIZE)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "path too long '%s/%s' (expected under %d "
			       "bytes)",
			       c->chart_dir, stem, PATH_SIZE);
	kept = chart_arena_strdup(&c->arena, stem);
	if (!kept)
		return err_set(e, SS_ENOMEM, NULL, 0, 0,
			       "out of memory planning the charts");
	return plan_add(c, NULL, kept, fn, data, e);
}

/* A copy of *data in the arena, for a chart's page. */
static void *arena_copy(run_ctx *c, const void *data, size_t size,
			ss_error *e)
{
	void *p = chart_arena_alloc(&c->arena, size);

	if (p)
		memcpy(p, data, size);
	else
		err_set(e, SS_ENOMEM, NULL, 0, 0,
			"out of memory planning the charts");
	return p;
}

static ss_status make_chart_dir(run_ctx *c, ss_error *e)
{
	struct stat sb;
	ss_status s = path_join(c->chart_dir, c->outdir, "charts", e);

	if (s != SS_OK)
		return s;
	if (mkdir(c->chart_dir, 0777) == 0)
		return SS_OK;
	if (errno == EEXIST && stat(c->chart_dir, &sb) == 0 &&
	    S_ISDIR(sb.st_mode))
		return SS_OK;
	return err_set_errno(e, SS_EIO, c->chart_dir, errno,
			     "cannot create the charts directory");
}

/* "Trang 2/3" under the title of a paged chart, in the arena; NULL for a
 * single page (also when out of memory: *ok is then 0). */
static const char *page_note(run_ctx *c, size_t page, size_t pages, int *ok)
{
	char buf[64];
	const char *kept;

	*ok = 1;
	if (pages < 2)
		return NULL;
	snprintf(buf, sizeof buf, "Trang %zu/%zu", page + 1, pages);
	kept = chart_arena_strdup(&c->arena, buf);
	*ok = kept != NULL;
	return kept;
}

static ss_status nomem(ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0,
		       "out of memory planning the charts");
}

/* ------------------------------------------------------------ charts */

static ss_status run_targets(run_ctx *c, const ctable *gaps,
			     const char *year, ss_error *e)
{
	chart_targets all, *page;
	size_t pages, per, p;
	char stem[64];
	int ok;
	ss_status s = chart_build_targets(&c->arena, gaps, year, &c->names,
					  &all, e);

	if (s != SS_OK)
		return s;
	if (all.nrows == 0) {
		note(c, "no target chart: gaps.csv has no target for %s", year);
		return SS_OK;
	}
	pages = (all.nrows + CHART_TARGETS_PER_PAGE - 1) /
		CHART_TARGETS_PER_PAGE;
	per = (all.nrows + pages - 1) / pages;
	for (p = 0; p < pages && s == SS_OK; p++) {
		page = arena_copy(c, &all, sizeof all, e);
		if (!page)
			return SS_ENOMEM;
		page->rows = all.rows + p * per;
		page->nrows = all.nrows - p * per;
		if (page->nrows > per)
			page->nrows = per;
		page->subtitle = page_note(c, p, pages, &ok);
		if (!ok)
			return nomem(e);
		snprintf(stem, sizeof stem, "gaps_%zu", p + 1);
		s = write_chart(c, stem, chart_targets_fn, page, e);
	}
	return s;
}

static ss_status run_trends(run_ctx *c, const ctable *gaps, const ctable *ind,
			    const char *year, ss_error *e)
{
	chart_trend *tr;
	const char *const *stems;
	size_t n, skipped, i;
	ss_status s = chart_build_trends(&c->arena, gaps, ind, year, &c->names,
					 &tr, &stems, &n, &skipped, e);

	if (s != SS_OK)
		return s;
	if (skipped > 0)
		note(c, "no trend chart for %zu target%s of %s: no values in "
			"indicators.csv",
		     skipped, skipped == 1 ? "" : "s", year);
	for (i = 0; i < n && s == SS_OK; i++)
		s = write_chart(c, stems[i], chart_trend_fn, &tr[i], e);
	return s;
}

static ss_status run_norms(run_ctx *c, const ctable *norms, const char *year,
			   ss_error *e)
{
	chart_norms all, *page;
	size_t pages, per, p;
	char stem[64];
	int ok;
	ss_status s = chart_build_norms(&c->arena, norms, year, &c->names, &all,
					e);

	if (s != SS_OK)
		return s;
	if (all.nrows == 0) {
		note(c, "no norm chart: norms.csv has no school row for %s",
		     year);
		return SS_OK;
	}
	pages = (all.nrows + CHART_SCHOOLS_PER_PAGE - 1) /
		CHART_SCHOOLS_PER_PAGE;
	/* Even pages: 18 schools as 9 + 9, not 16 + 2. */
	per = (all.nrows + pages - 1) / pages;
	for (p = 0; p < pages && s == SS_OK; p++) {
		page = arena_copy(c, &all, sizeof all, e);
		if (!page)
			return SS_ENOMEM;
		page->rows = all.rows + p * per;
		page->nrows = all.nrows - p * per;
		if (page->nrows > per)
			page->nrows = per;
		page->subtitle = page_note(c, p, pages, &ok);
		if (!ok)
			return nomem(e);
		snprintf(stem, sizeof stem, "norms_%zu", p + 1);
		s = write_chart(c, stem, chart_norms_fn, page, e);
	}
	return s;
}

static ss_status run_histograms(run_ctx *c, const ctable *hist,
				const ctable *ind, const char *year,
				ss_error *e)
{
	chart_histogram *hs;
	const char *const *subjects;
	size_t n, i;
	char stem[300], part[256];
	ss_status s = chart_build_histograms(&c->arena, hist, ind, year, &hs,
					     &subjects, &n, e);

	if (s != SS_OK)
		return s;
	if (n == 0)
		note(c, "no exam chart: exam_histograms.csv has no row for %s "
			"and scope all",
		     year);
	for (i = 0; i < n && s == SS_OK; i++) {
		size_t k;

		snprintf(part, sizeof part, "%s", subjects[i]);
		for (k = 0; part[k]; k++)
			if (!((part[k] >= 'a' && part[k] <= 'z') ||
			      (part[k] >= 'A' && part[k] <= 'Z') ||
			      (part[k] >= '0' && part[k] <= '9') ||
			      part[k] == '-'))
				part[k] = '_';
		snprintf(stem, sizeof stem, "exam_%s", part);
		if (hs[i].nbins == 0)
			continue;
		s = write_chart(c, stem, chart_histogram_fn, &hs[i], e);
	}
	return s;
}

static ss_status run_funnels(run_ctx *c, const ctable *ind, const char *year,
			     ss_error *e)
{
	static const char *const rates[] = { "promotion_rate",
					     "repetition_rate" };
	size_t i;
	ss_status s = SS_OK;

	for (i = 0; i < 2 && s == SS_OK; i++) {
		chart_funnel f, *kept;
		char stem[64];
		int found = 0;

		s = chart_build_funnel(&c->arena, ind, rates[i], year, &c->names,
				       &f, &found, e);
		if (s != SS_OK)
			break;
		if (!found) {
			note(c, "no funnel plot of %s for %s: no unit rate "
				"strictly between 0 and 100%% in indicators.csv",
			     rates[i], year);
			continue;
		}
		if (f.npoints == 0) {
			note(c, "no funnel plot of %s for %s: no school has "
				"numerator and denominator",
			     rates[i], year);
			continue;
		}
		kept = arena_copy(c, &f, sizeof f, e);
		if (!kept)
			return SS_ENOMEM;
		snprintf(stem, sizeof stem, "funnel_%s", rates[i]);
		s = write_chart(c, stem, chart_funnel_fn, kept, e);
	}
	return s;
}

/* ------------------------------------------------------------ inputs */

/* The latest value of a year column met while loading (as
 * chart_latest_year, which would see only the rows kept). */
typedef struct latest_year {
	char *best;     /* malloc'd; NULL: none yet */
	int failed;     /* out of memory */
} latest_year;

static void latest_year_see(latest_year *l, const char *y)
{
	char *copy;

	if (!*y || (l->best && strcmp(y, l->best) <= 0))
		return;
	copy = strdup(y);
	if (!copy) {
		l->failed = 1;
		return;
	}
	free(l->best);
	l->best = copy;
}

/* Which rows of indicators.csv a chart can use: trends read every year of
 * the (scope, indicator) pairs of gaps.csv; the exam charts the
 * exam_mean: and exam_median: rows of scope all; the funnels every scope
 * of their two rates; the last two of the year drawn, when known. */
typedef struct ind_filter {
	const char *year;        /* NULL: not known while loading */
	const strmap *series;    /* "scope\x1findicator" of the gaps rows */
	const strmap *series_ind; /* their indicators */
	int looked, cyear, cscope, cind;
	latest_year latest;
} ind_filter;

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "scope\x1findicator" into buf; 0 when it does not fit. */
static int series_key(char *buf, size_t size, const char *scope,
		      const char *indicator)
{
	return snprintf(buf, size, "%s\x1f%s", scope, indicator) <
	       (int)size;
}

static int keep_ind_row(const char *const *f, size_t ncols,
			char *const *header, void *ctx)
{
	ind_filter *k = ctx;
	const char *year, *scope, *ind;
	long unused;

	if (!k->looked) {
		k->looked = 1;
		k->cyear = ctable_header_col(header, ncols, "year");
		k->cscope = ctable_header_col(header, ncols, "scope");
		k->cind = ctable_header_col(header, ncols, "indicator");
	}
	if (k->cyear >= 0)
		latest_year_see(&k->latest, f[k->cyear]);
	/* without the columns the charts fail before reading a row */
	if (k->cyear < 0 || k->cscope < 0 || k->cind < 0)
		return 1;
	year = f[k->cyear];
	scope = f[k->cscope];
	ind = f[k->cind];
	if (k->series_ind->count > 0 &&
	    strmap_get(k->series_ind, ind, &unused)) {
		char key[512];

		if (!series_key(key, sizeof key, scope, ind) ||
		    strmap_get(k->series, key, &unused))
			return 1;
	}
	if (k->year && strcmp(year, k->year) != 0)
		return 0;
	/* the first letter settles most of the 300,000 rows */
	switch (ind[0]) {
	case 'p':
		return strcmp(ind, "promotion_rate") == 0;
	case 'r':
		return strcmp(ind, "repetition_rate") == 0;
	case 'e':
		return strcmp(scope, "all") == 0 &&
		       (starts_with(ind, "exam_mean:") ||
			starts_with(ind, "exam_median:"));
	default:
		return 0;
	}
}

/* exam_histograms.csv: the exam charts draw scope all of the year drawn
 * (any year when not known while loading). */
typedef struct hist_filter {
	const char *year;
	int looked, cyear, cscope;
	latest_year latest;
} hist_filter;

static int keep_hist_row(const char *const *f, size_t ncols,
			 char *const *header, void *ctx)
{
	hist_filter *k = ctx;

	if (!k->looked) {
		k->looked = 1;
		k->cyear = ctable_header_col(header, ncols, "year");
		k->cscope = ctable_header_col(header, ncols, "scope");
	}
	if (k->cyear >= 0)
		latest_year_see(&k->latest, f[k->cyear]);
	if (k->cyear < 0 || k->cscope < 0)
		return 1;
	return strcmp(f[k->cscope], "all") == 0 &&
	       (!k->year || strcmp(f[k->cyear], k->year) == 0);
}

typedef struct inputs {
	ctable gaps, norms, ind, hist, schools;
	int has_gaps, has_norms, has_ind, has_hist, has_schools;
	/* latest years of the filtered tables, "" for none */
	char ind_latest[32], hist_latest[32];
	int ind_has_latest, hist_has_latest;
} inputs;

/* The (scope, indicator) pairs of every gaps.csv row, for the trends. */
static ss_status gaps_series(const inputs *in, strmap *series,
			     strmap *series_ind, ss_error *e)
{
	int cs, ci;

	if (!in->has_gaps)
		return SS_OK;
	cs = ctable_col(&in->gaps, "scope");
	ci = ctable_col(&in->gaps, "indicator");
	if (cs < 0 || ci < 0)
		return SS_OK; /* no trend is built */
	for (size_t r = 0; r < in->gaps.nrows; r++) {
		const char *scope = ctable_get(&in->gaps, r, cs);
		const char *ind = ctable_get(&in->gaps, r, ci);
		char key[512];

		/* a pair too long for a key keeps every row of its
		 * indicator */
		if (!series_key(key, sizeof key, scope, ind))
			key[0] = '\0';
		if (strmap_put(series, key, 0, NULL) < 0 ||
		    strmap_put(series_ind, ind, 0, NULL) < 0)
			return nomem(e);
	}
	return SS_OK;
}

static ss_status keep_latest(latest_year *l, char *buf, size_t size,
			     int *has, ss_error *e)
{
	*has = l->best != NULL;
	if (l->best)
		snprintf(buf, size, "%s", l->best);
	free(l->best);
	l->best = NULL;
	return l->failed ? nomem(e) : SS_OK;
}

/* One table loaded on a thread of its own. */
typedef struct load_job {
	run_ctx *c;
	const char *name;
	ctable *t;
	const ctable_options *opt;
	int *present;
	ss_status status;
	ss_error error;
} load_job;

static void *load_job_main(void *arg)
{
	load_job *j = arg;

	err_clear(&j->error);
	j->status = load_optional(j->c, j->name, j->t, j->opt, j->present,
				  &j->error);
	return NULL;
}

/* Starts the job on a thread; 0 when none could be started (the job has
 * then been run here). */
static int load_job_start(load_job *j, pthread_t *thread)
{
	if (pthread_create(thread, NULL, load_job_main, j) == 0)
		return 1;
	load_job_main(j);
	return 0;
}

/* Loads the inputs; the first failure in the order gaps, norms,
 * indicators, exam_histograms, schools is the one reported, as when they
 * were read one after the other. The two large tables load on threads of
 * their own while this one reads the schools and looks the font up. */
static ss_status load_inputs(run_ctx *c, inputs *in, ss_error *e)
{
	strmap series, series_ind;
	ind_filter kind = { 0 };
	hist_filter khist = { 0 };
	ctable_options oind = { keep_ind_row, &kind, 0 };
	ctable_options ohist = { keep_hist_row, &khist, 0 };
	load_job jind = { c, "indicators.csv", &in->ind, &oind, &in->has_ind,
			  SS_OK, { 0 } };
	load_job jhist = { c, "exam_histograms.csv", &in->hist, &ohist,
			   &in->has_hist, SS_OK, { 0 } };
	pthread_t tind, thist;
	int ind_threaded, hist_threaded;
	ss_status s, s_schools;
	ss_error e_schools;

	strmap_init(&series);
	strmap_init(&series_ind);
	s = load_optional(c, "gaps.csv", &in->gaps, NULL, &in->has_gaps, e);
	if (s == SS_OK)
		s = load_optional(c, "norms.csv", &in->norms, NULL,
				  &in->has_norms, e);
	if (s == SS_OK)
		s = gaps_series(in, &series, &series_ind, e);
	if (s != SS_OK) {
		strmap_release(&series);
		strmap_release(&series_ind);
		return s;
	}
	kind.year = c->opt->year;
	kind.series = &series;
	kind.series_ind = &series_ind;
	/* Without a year asked for, the exam charts' year is the latest of
	 * indicators.csv, not known until it is read: every year is kept. */
	khist.year = c->opt->year;
	ind_threaded = load_job_start(&jind, &tind);
	hist_threaded = load_job_start(&jhist, &thist);

	err_clear(&e_schools);
	s_schools = load_optional(c, "clean/schools.csv", &in->schools, NULL,
				  &in->has_schools, &e_schools);
	chart_font_resolved(&c->style, c->font, sizeof c->font);

	if (ind_threaded)
		pthread_join(tind, NULL);
	if (hist_threaded)
		pthread_join(thist, NULL);
	s = jind.status;
	if (s != SS_OK)
		*e = jind.error;
	if (s == SS_OK)
		s = keep_latest(&kind.latest, in->ind_latest,
				sizeof in->ind_latest, &in->ind_has_latest, e);
	if (s == SS_OK && (s = jhist.status) != SS_OK)
		*e = jhist.error;
	if (s == SS_OK)
		s = keep_latest(&khist.latest, in->hist_latest,
				sizeof in->hist_latest, &in->hist_has_latest,
				e);
	if (s == SS_OK && (s = s_schools) != SS_OK)
		*e = e_schools;
	if (s == SS_OK && in->has_schools)
		s = chart_names_load(&c->names, &in->schools, e);
	free(kind.latest.best);
	free(khist.latest.best);
	strmap_release(&series);
	strmap_release(&series_ind);
	return s;
}

static void release_inputs(inputs *in)
{
	ctable_release(&in->gaps);
	ctable_release(&in->norms);
	ctable_release(&in->ind);
	ctable_release(&in->hist);
	ctable_release(&in->schools);
}

/* ------------------------------------------------------------ stage */

/* The year a chart draws: the one asked for, else the latest in
 * indicators.csv, else the latest in the chart's own input. */
static const char *year_for(const char *common, const ctable *own,
			    char *buf, size_t size)
{
	if (common)
		return common;
	return chart_latest_year(own, buf, size) ? buf : NULL;
}

/* The plan, in the order the charts were always written. */
static ss_status plan_all(run_ctx *c, inputs *in, ss_error *e)
{
	char buf[32];
	const char *common = c->opt->year, *y;
	ss_status s = SS_OK;

	if (!common && in->has_ind && in->ind_has_latest)
		common = in->ind_latest;
	if (!in->has_schools)
		note(c, "clean/schools.csv not found: schools are shown by id");
	if (strcmp(c->font, "Noto Sans") != 0)
		note(c, "font Noto Sans not found: drawing with '%s' (install "
			"fonts-noto-core)",
		     c->font);
	if (!in->has_gaps) {
		note(c, "no target or trend chart: gaps.csv not found");
	} else if ((y = year_for(common, &in->gaps, buf, sizeof buf))) {
		s = run_targets(c, &in->gaps, y, e);
		if (s == SS_OK && in->has_ind)
			s = run_trends(c, &in->gaps, &in->ind, y, e);
		else if (s == SS_OK)
			note(c, "no trend chart: indicators.csv not found");
	} else {
		note(c, "no target chart: gaps.csv has no rows");
	}
	if (s != SS_OK)
		return s;
	if (!in->has_norms)
		note(c, "no norm chart: norms.csv not found");
	else if ((y = year_for(common, &in->norms, buf, sizeof buf)))
		s = run_norms(c, &in->norms, y, e);
	else
		note(c, "no norm chart: norms.csv has no rows");
	if (s != SS_OK)
		return s;
	if (!in->has_hist)
		note(c, "no exam chart: exam_histograms.csv not found");
	else if ((y = common ? common
			     : in->hist_has_latest ? in->hist_latest : NULL))
		s = run_histograms(c, &in->hist, in->has_ind ? &in->ind : NULL,
				   y, e);
	else
		note(c, "no exam chart: exam_histograms.csv has no rows");
	if (s != SS_OK)
		return s;
	if (!in->has_ind)
		note(c, "no funnel plot: indicators.csv not found");
	else if (common)
		s = run_funnels(c, &in->ind, common, e);
	else
		note(c, "no funnel plot: indicators.csv has no rows");
	return s;
}

/* Draws and writes the plan, then returns its first failure: one met
 * writing, else the one that ended the plan (status s, error plan_e). */
static ss_status carry_out(run_ctx *c, ss_status s, const ss_error *plan_e,
			   ss_error *e)
{
	chart_batch *b;
	char stem[STEM_PATH_SIZE];
	ss_status ws = chart_batch_open(&b, c->opt->threads, e);
	size_t i;

	for (i = 0; i < c->nsteps && ws == SS_OK; i++) {
		const plan_step *p = &c->steps[i];

		if (p->note) {
			ws = chart_batch_note(b, c->opt->note,
					      c->opt->note_ctx, p->note, e);
			continue;
		}
		snprintf(stem, sizeof stem, "%s/%s", c->chart_dir, p->stem);
		ws = chart_batch_chart(b, stem, c->width, c->height, c->scale,
				       &c->style, p->draw, p->data, e);
	}
	if (b) {
		ss_status cs = chart_batch_close(b, &c->written, e);

		if (ws == SS_OK)
			ws = cs;
	}
	if (ws != SS_OK)
		return ws;
	if (s != SS_OK)
		*e = *plan_e;
	return s;
}

ss_status chart_run(const char *outdir, const chart_run_options *opt,
		    size_t *written, ss_error *e)
{
	run_ctx c;
	inputs in;
	ss_error plan_e;
	int start;
	ss_status s;

	*written = 0;
	if (opt->year && !ind_year_parse(opt->year, &start))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "malformed year '%s' (expected a school year "
			       "such as 2024-2025)",
			       opt->year);
	memset(&c, 0, sizeof c);
	memset(&in, 0, sizeof in);
	c.outdir = outdir;
	c.opt = opt;
	c.width = opt->width > 0.0 ? opt->width : 800.0;
	c.height = opt->height > 0.0 ? opt->height : 500.0;
	c.scale = opt->scale > 0.0 ? opt->scale : 2.0;
	chart_style_init(&c.style, 13.0);
	chart_arena_init(&c.arena);
	chart_names_init(&c.names);
	ctable_init(&in.gaps);
	ctable_init(&in.norms);
	ctable_init(&in.ind);
	ctable_init(&in.hist);
	ctable_init(&in.schools);
	err_clear(&plan_e);
	s = make_chart_dir(&c, e);
	if (s == SS_OK)
		s = load_inputs(&c, &in, e);
	if (s == SS_OK) {
		s = plan_all(&c, &in, &plan_e);
		/* a note that could not be planned ended the plan first */
		if (c.plan_status != SS_OK) {
			s = c.plan_status;
			plan_e = c.plan_error;
		}
		/* the charts' data is in the arena: the tables can go
		 * before the images take their memory */
		release_inputs(&in);
		chart_names_release(&c.names);
		s = carry_out(&c, s, &plan_e, e);
	}
	*written = c.written;
	release_inputs(&in);
	chart_names_release(&c.names);
	chart_arena_release(&c.arena);
	free(c.steps);
	return s;
}
