/* chart_run — the charts stage: every chart the outputs have data for,
 * written to OUTPUT_DIR/charts as PNG and SVG. */
#include "chart.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ind.h"

#define PATH_SIZE 1024

typedef struct run_ctx {
	const char *outdir;
	char chart_dir[PATH_SIZE];
	const chart_run_options *opt;
	double width, height, scale;
	chart_style style;
	chart_arena arena;
	chart_names names;
	size_t written;
} run_ctx;

static void note(run_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(run_ctx *c, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	if (!c->opt->note)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	c->opt->note(c->opt->note_ctx, buf);
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

/* Loads OUTPUT_DIR/name when it exists; *present 0 when it does not. */
static ss_status load_optional(run_ctx *c, const char *name, ctable *t,
			       int *present, ss_error *e)
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
	return ctable_load(t, path, e);
}

static ss_status write_chart(run_ctx *c, const char *stem, chart_draw_fn fn,
			     const void *data, ss_error *e)
{
	char path[PATH_SIZE + 8];
	ss_status s;

	if (snprintf(path, sizeof path, "%s/%s.png", c->chart_dir, stem) >=
	    (int)sizeof path)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "path too long '%s/%s' (expected under %d "
			       "bytes)",
			       c->chart_dir, stem, PATH_SIZE);
	s = chart_write_png(path, c->width, c->height, c->scale, &c->style, fn,
			    data, e);
	if (s != SS_OK)
		return s;
	snprintf(path, sizeof path, "%s/%s.svg", c->chart_dir, stem);
	s = chart_write_svg(path, c->width, c->height, &c->style, fn, data, e);
	if (s == SS_OK)
		c->written++;
	return s;
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

/* "Trang 2/3" under the title of a paged chart; NULL for a single page. */
static const char *page_note(char *buf, size_t size, size_t page,
			     size_t pages)
{
	if (pages < 2)
		return NULL;
	snprintf(buf, size, "Trang %zu/%zu", page + 1, pages);
	return buf;
}

/* ------------------------------------------------------------ charts */

static ss_status run_targets(run_ctx *c, const ctable *gaps,
			     const char *year, ss_error *e)
{
	chart_targets all, page;
	size_t pages, per, p;
	char stem[64], sub[64];
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
		page = all;
		page.rows = all.rows + p * per;
		page.nrows = all.nrows - p * per;
		if (page.nrows > per)
			page.nrows = per;
		page.subtitle = page_note(sub, sizeof sub, p, pages);
		snprintf(stem, sizeof stem, "gaps_%zu", p + 1);
		s = write_chart(c, stem, chart_targets_fn, &page, e);
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
	chart_norms all, page;
	size_t pages, per, p;
	char stem[64], sub[64];
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
		page = all;
		page.rows = all.rows + p * per;
		page.nrows = all.nrows - p * per;
		if (page.nrows > per)
			page.nrows = per;
		page.subtitle = page_note(sub, sizeof sub, p, pages);
		snprintf(stem, sizeof stem, "norms_%zu", p + 1);
		s = write_chart(c, stem, chart_norms_fn, &page, e);
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
		chart_funnel f;
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
		snprintf(stem, sizeof stem, "funnel_%s", rates[i]);
		s = write_chart(c, stem, chart_funnel_fn, &f, e);
	}
	return s;
}

/* ------------------------------------------------------------ stage */

typedef struct inputs {
	ctable gaps, norms, ind, hist, schools;
	int has_gaps, has_norms, has_ind, has_hist, has_schools;
} inputs;

static ss_status load_inputs(run_ctx *c, inputs *in, ss_error *e)
{
	ss_status s;

	s = load_optional(c, "gaps.csv", &in->gaps, &in->has_gaps, e);
	if (s == SS_OK)
		s = load_optional(c, "norms.csv", &in->norms, &in->has_norms, e);
	if (s == SS_OK)
		s = load_optional(c, "indicators.csv", &in->ind, &in->has_ind,
				  e);
	if (s == SS_OK)
		s = load_optional(c, "exam_histograms.csv", &in->hist,
				  &in->has_hist, e);
	if (s == SS_OK)
		s = load_optional(c, "clean/schools.csv", &in->schools,
				  &in->has_schools, e);
	if (s == SS_OK && in->has_schools)
		s = chart_names_load(&c->names, &in->schools, e);
	return s;
}

/* The year a chart draws: the one asked for, else the latest in
 * indicators.csv, else the latest in the chart's own input. */
static const char *year_for(const char *common, const ctable *own,
			    char *buf, size_t size)
{
	if (common)
		return common;
	return chart_latest_year(own, buf, size) ? buf : NULL;
}

static ss_status run_all(run_ctx *c, inputs *in, ss_error *e)
{
	char common_buf[32], buf[32], font[128];
	const char *common = c->opt->year, *y;
	ss_status s = SS_OK;

	if (!common && in->has_ind &&
	    chart_latest_year(&in->ind, common_buf, sizeof common_buf))
		common = common_buf;
	if (!in->has_schools)
		note(c, "clean/schools.csv not found: schools are shown by id");
	if (strcmp(chart_font_resolved(&c->style, font, sizeof font),
		   "Noto Sans") != 0)
		note(c, "font Noto Sans not found: drawing with '%s' (install "
			"fonts-noto-core)",
		     font);
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
	else if ((y = year_for(common, &in->hist, buf, sizeof buf)))
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

ss_status chart_run(const char *outdir, const chart_run_options *opt,
		    size_t *written, ss_error *e)
{
	run_ctx c;
	inputs in;
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
	s = make_chart_dir(&c, e);
	if (s == SS_OK)
		s = load_inputs(&c, &in, e);
	if (s == SS_OK)
		s = run_all(&c, &in, e);
	*written = c.written;
	ctable_release(&in.gaps);
	ctable_release(&in.norms);
	ctable_release(&in.ind);
	ctable_release(&in.hist);
	ctable_release(&in.schools);
	chart_names_release(&c.names);
	chart_arena_release(&c.arena);
	return s;
}
