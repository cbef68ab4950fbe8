/* accr_chart — the accreditation section's charts: schools by type and
 * level (stacked bars) and a timeline of recognitions, registration
 * deadlines, expiries and planned evaluations. Drawn with chart.h's
 * palette, text fitting, markers and legend onto a caller's cairo_t, and
 * built from accreditation_schedule.csv so the report and the PNG/SVG
 * files show the same figures. */
#include "accr.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fmt.h"

#define PATH_SIZE 1024

/* ------------------------------------------------------------ helpers */






/* Title and subtitle inside the margin; returns the room below them. */


/* "31/05/2025", the way Vietnamese offices write a date in a table. */
static const char *day_vi(accr_day day, char *buf, size_t size)
{
	int y, m, d;

	accr_day_to_ymd(day, &y, &m, &d);
	snprintf(buf, size, "%02d/%02d/%04d", d, m, y);
	return buf;
}

/* Whole-number ticks from 0 to at least max: counts of schools never get
 * a tick at 2,5. */
static void count_ticks(long long max, int budget, chart_ticks *t)
{
	chart_nice_ticks(0.0, max > 0 ? (double)max : 1.0, budget, t);
	if (t->step < 1.0) {
		long long n = max > 0 ? max : 1;
		int i;

		memset(t, 0, sizeof *t);
		t->step = 1.0;
		t->n = (int)(n + 1);
		t->lo = 0.0;
		t->hi = (double)n;
		for (i = 0; i < t->n; i++)
			t->v[i] = (double)i;
	}
}

/* ------------------------------------------------------------ a. levels */

static const struct {
	chart_color color;
	const char *label;
	int dark; /* white figures on it */
} segments[ACCR_NUM_SEGMENTS] = {
	{ CHART_BLUE, "Chuẩn quốc gia mức độ 2", 1 },
	{ CHART_SKY_BLUE, "Chuẩn quốc gia mức độ 1", 0 },
	{ CHART_BLUISH_GREEN, "Đạt kiểm định, chưa đạt chuẩn", 1 },
	{ CHART_VERMILLION, "Hết hiệu lực", 1 },
	{ CHART_LIGHT_GREY, "Chưa được công nhận", 0 },
};

static ss_status check_levels(const accr_levels_chart *d, ss_error *e)
{
	size_t i;
	int k;

	if (!d->rows || d->nrows == 0)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no school types to draw (expected at least one)");
	for (i = 0; i < d->nrows; i++)
		for (k = 0; k < ACCR_NUM_SEGMENTS; k++)
			if (d->rows[i].count[k] < 0)
				return err_set(e, SS_EUSAGE, NULL, 0, 0,
					       "row %zu has a negative count "
					       "'%lld' (expected 0 or more)",
					       i + 1, d->rows[i].count[k]);
	return SS_OK;
}

static long long row_total(const accr_levels_row *row)
{
	long long t = 0;
	int k;

	for (k = 0; k < ACCR_NUM_SEGMENTS; k++)
		t += row->count[k];
	return t;
}

static void draw_level_bar(cairo_t *cr, const chart_style *st,
			   const accr_levels_row *row, const chart_scale *sx,
			   double ymid, double bar_h)
{
	double x = chart_scale_map(sx, 0.0), fs = st->font_size;
	long long acc = 0;
	char buf[FMT_BUF_SIZE];
	int k;

	for (k = 0; k < ACCR_NUM_SEGMENTS; k++) {
		double x1;
		chart_text t;

		if (row->count[k] == 0)
			continue;
		acc += row->count[k];
		x1 = chart_scale_map(sx, (double)acc);
		chart_set_color(cr, segments[k].color, 1.0);
		cairo_rectangle(cr, x, ymid - bar_h / 2.0, x1 - x, bar_h);
		cairo_fill(cr);
		/* a thin white seam keeps equal colours of neighbours apart */
		cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
		cairo_set_line_width(cr, st->line_width * 0.8);
		cairo_move_to(cr, x1, ymid - bar_h / 2.0);
		cairo_line_to(cr, x1, ymid + bar_h / 2.0);
		cairo_stroke(cr);
		fmt_count(row->count[k], buf, sizeof buf);
		chart_text_init(&t, cr, st, buf, fmin(st->small_size, bar_h * 0.8),
				0, 0.0, 1);
		if (t.width + fs * 0.4 <= x1 - x) {
			if (segments[k].dark)
				cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
			else
				chart_set_color(cr, CHART_BLACK, 1.0);
			chart_text_draw(cr, &t, (x + x1) / 2.0, ymid,
					CHART_CENTER);
		}
		chart_text_release(&t);
		x = x1;
	}
	chart_set_color(cr, CHART_BLACK, 1.0);
	fmt_count(acc, buf, sizeof buf);
	chart_label(cr, st, buf, fmin(fs, bar_h), 1, x + fs * 0.4, ymid,
		    CHART_LEFT, 0.0, 1);
}

ss_status accr_chart_draw_levels(cairo_t *cr, const chart_rect *area,
				 const chart_style *st,
				 const accr_levels_chart *d, ss_error *e)
{
	ss_status s = chart_check_area(area, d, "accreditation level chart", e);
	double fs = st->font_size, name_w, x0, plot_w, band, top, bottom;
	chart_legend_item legend[ACCR_NUM_SEGMENTS];
	long long max = 0;
	chart_ticks t;
	chart_scale sx;
	chart_rect r;
	size_t i;
	int k;

	if (s == SS_OK)
		s = check_levels(d, e);
	if (s != SS_OK)
		return s;
	cairo_save(cr);
	r = chart_draw_header(cr, st, area, d->title, d->subtitle);
	for (k = 0; k < ACCR_NUM_SEGMENTS; k++)
		legend[k] = (chart_legend_item){ segments[k].label,
						 segments[k].color,
						 CHART_MARK_NONE, 1,
						 CHART_LINE_NONE, 1 };
	chart_draw_legend_into(cr, st, &r, legend, ACCR_NUM_SEGMENTS);
	for (i = 0; i < d->nrows; i++)
		if (row_total(&d->rows[i]) > max)
			max = row_total(&d->rows[i]);
	name_w = r.w * 0.3;
	x0 = r.x + name_w;
	plot_w = r.w - name_w - fs * 3.0; /* room for the total */
	if (plot_w < 10.0)
		plot_w = 10.0;
	count_ticks(max, (int)(plot_w / (fs * 3.0)), &t);
	chart_scale_init(&sx, 0.0, t.hi, x0, x0 + plot_w);
	band = fmin((r.h - fs * 1.8) / (double)d->nrows, fs * 3.2);
	top = r.y;
	bottom = top + band * (double)d->nrows;
	for (i = 0; i < (size_t)t.n; i++) {
		double gx = chart_scale_map(&sx, t.v[i]);
		char buf[FMT_BUF_SIZE];

		chart_set_color(cr, CHART_LIGHT_GREY, 1.0);
		chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width * 0.8);
		cairo_move_to(cr, gx, top);
		cairo_line_to(cr, gx, bottom);
		cairo_stroke(cr);
		chart_set_grey(cr, 0.25);
		chart_label(cr, st, fmt_count((long long)llround(t.v[i]), buf,
					      sizeof buf),
			    st->small_size, 0, gx, bottom + fs * 0.3,
			    CHART_TOP, 0.0, 1);
	}
	for (i = 0; i < d->nrows; i++) {
		double ymid = top + band * ((double)i + 0.5);

		chart_set_color(cr, CHART_BLACK, 1.0);
		chart_label(cr, st, d->rows[i].label, fmin(fs, band * 0.7), 0,
			    x0 - fs * 0.5, ymid, CHART_RIGHT, name_w - fs * 0.5,
			    band >= fs * 2.6 ? 2 : 1);
		draw_level_bar(cr, st, &d->rows[i], &sx, ymid,
			       fmin(band * 0.62, fs * 1.6));
	}
	chart_set_grey(cr, 0.25);
	chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width);
	cairo_move_to(cr, x0, top);
	cairo_line_to(cr, x0, bottom);
	cairo_stroke(cr);
	cairo_restore(cr);
	return chart_cairo_check(cr, e);
}

/* ------------------------------------------------------------ b. timeline */

static ss_status check_timeline(const accr_timeline_chart *d, ss_error *e)
{
	size_t i;

	if (!d->rows || d->nrows == 0)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no schools to draw (expected at least one)");
	if (d->to <= d->from)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "empty time axis '%ld..%ld' (expected from "
			       "before to)",
			       d->from, d->to);
	for (i = 0; i < d->nrows; i++)
		if (d->rows[i].has_recognition &&
		    d->rows[i].expires_on < d->rows[i].recognized_on)
			return err_set(e, SS_EUSAGE, NULL, 0, 0,
				       "row %zu expires before it is "
				       "recognised (expected expires_on >= "
				       "recognized_on)",
				       i + 1);
	return SS_OK;
}

static const chart_legend_item timeline_legend[] = {
	{ "Đạt chuẩn quốc gia, còn hiệu lực", CHART_BLUE, CHART_MARK_NONE, 1,
	  CHART_LINE_NONE, 1 },
	{ "Đạt kiểm định, chưa đạt chuẩn", CHART_BLUISH_GREEN,
	  CHART_MARK_NONE, 1, CHART_LINE_NONE, 1 },
	{ "Đã hết hiệu lực", CHART_VERMILLION, CHART_MARK_NONE, 1,
	  CHART_LINE_NONE, 1 },
	{ "Hạn đăng ký đánh giá lại", CHART_ORANGE, CHART_MARK_TRIANGLE_DOWN,
	  1, CHART_LINE_NONE, 0 },
	{ "Ngày hết hiệu lực", CHART_VERMILLION, CHART_MARK_CROSS, 1,
	  CHART_LINE_NONE, 0 },
	{ "Kế hoạch đánh giá", CHART_REDDISH_PURPLE, CHART_MARK_DIAMOND, 1,
	  CHART_LINE_NONE, 0 },
	{ "Ngày tham chiếu", CHART_BLACK, CHART_MARK_NONE, 1,
	  CHART_LINE_DASHED, 0 },
};

static void bar_style(cairo_t *cr, const accr_timeline_row *row)
{
	if (row->status == ACCR_EXPIRED)
		chart_set_color(cr, CHART_VERMILLION, 0.35);
	else if (row->standard >= 1)
		chart_set_color(cr, CHART_BLUE, 0.85);
	else
		chart_set_color(cr, CHART_BLUISH_GREEN, 0.85);
}

/* Year starts between from and to as ticks, every `step` years so that
 * the labels fit. */
static void draw_year_axis(cairo_t *cr, const chart_style *st,
			   const accr_timeline_chart *d,
			   const chart_scale *sx, double top, double bottom,
			   double plot_w)
{
	static const int steps[] = { 1, 2, 5, 10, 20, 50 };
	int y0, y1, m, dd, step = 1, y;
	size_t k;

	accr_day_to_ymd(d->from, &y0, &m, &dd);
	if (m != 1 || dd != 1)
		y0++;
	accr_day_to_ymd(d->to, &y1, &m, &dd);
	for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		step = steps[k];
		if ((double)((y1 - y0) / step + 1) * st->font_size * 3.5 <=
		    plot_w)
			break;
	}
	for (y = y0 + (step - (y0 % step)) % step; y <= y1; y += step) {
		double x = chart_scale_map(sx, (double)accr_day_from_ymd(y, 1, 1));
		char buf[16];

		chart_set_color(cr, CHART_LIGHT_GREY, 1.0);
		chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width * 0.8);
		cairo_move_to(cr, x, top);
		cairo_line_to(cr, x, bottom);
		cairo_stroke(cr);
		chart_set_grey(cr, 0.25);
		snprintf(buf, sizeof buf, "%d", y);
		chart_label(cr, st, buf, st->small_size, 0, x,
			    bottom + st->font_size * 0.3, CHART_TOP, 0.0, 1);
	}
}

static int in_axis(const accr_timeline_chart *d, accr_day day)
{
	return day >= d->from && day <= d->to;
}

static void draw_timeline_row(cairo_t *cr, const chart_style *st,
			      const accr_timeline_chart *d,
			      const accr_timeline_row *row,
			      const chart_scale *sx, double x0, double ymid,
			      double band)
{
	double fs = st->font_size, bar_h = fmin(band * 0.45, fs * 1.0);
	double mk = fmin(band * 0.6, st->marker_size * 1.2);

	if (!row->has_recognition) {
		chart_set_grey(cr, 0.4);
		chart_label(cr, st, "Chưa được công nhận",
			    fmin(st->small_size, band * 0.7), 0, x0 + fs * 0.4,
			    ymid, CHART_LEFT, 0.0, 1);
	} else if (row->recognized_on <= d->to && row->expires_on >= d->from) {
		/* the bar covers expires_on itself, so it ends a day later;
		 * both ends are clamped to the axis */
		accr_day a = row->recognized_on > d->from ? row->recognized_on
							  : d->from;
		accr_day b = row->expires_on + 1 < d->to ? row->expires_on + 1
							 : d->to;
		double xa = chart_scale_map(sx, (double)a);
		double xb = chart_scale_map(sx, (double)b);

		bar_style(cr, row);
		cairo_rectangle(cr, xa, ymid - bar_h / 2.0, xb - xa, bar_h);
		cairo_fill(cr);
	}
	if (row->has_recognition && in_axis(d, row->register_by))
		chart_draw_marker(cr, CHART_MARK_TRIANGLE_DOWN,
				  chart_scale_map(sx, (double)row->register_by),
				  ymid - bar_h / 2.0 - mk * 0.35, mk,
				  CHART_ORANGE, 1);
	if (row->has_recognition && in_axis(d, row->expires_on))
		chart_draw_marker(cr, CHART_MARK_CROSS,
				  chart_scale_map(sx, (double)row->expires_on),
				  ymid, mk, CHART_VERMILLION, 1);
	if (row->has_next_due && in_axis(d, row->next_due))
		chart_draw_marker(cr, CHART_MARK_DIAMOND,
				  chart_scale_map(sx, (double)row->next_due),
				  ymid + bar_h / 2.0 + mk * 0.1, mk,
				  CHART_REDDISH_PURPLE, 1);
}

static void draw_reference(cairo_t *cr, const chart_style *st,
			   const accr_timeline_chart *d,
			   const chart_scale *sx, double top, double bottom)
{
	double x = chart_scale_map(sx, (double)d->reference);
	char buf[32];

	if (!in_axis(d, d->reference))
		return;
	cairo_save(cr);
	chart_set_color(cr, CHART_BLACK, 1.0);
	chart_set_line(cr, st, CHART_LINE_DASHED, st->line_width * 1.2);
	cairo_move_to(cr, x, top - st->font_size * 0.2);
	cairo_line_to(cr, x, bottom);
	cairo_stroke(cr);
	cairo_restore(cr);
	chart_set_color(cr, CHART_BLACK, 1.0);
	chart_label(cr, st, day_vi(d->reference, buf, sizeof buf),
		    st->small_size, 1, x, top - st->font_size * 0.25,
		    CHART_BOTTOM, 0.0, 1);
}

ss_status accr_chart_draw_timeline(cairo_t *cr, const chart_rect *area,
				   const chart_style *st,
				   const accr_timeline_chart *d, ss_error *e)
{
	ss_status s = chart_check_area(area, d, "accreditation timeline", e);
	double fs = st->font_size, name_w, x0, plot_w, band, top, bottom;
	chart_scale sx;
	chart_rect r;
	size_t i;

	if (s == SS_OK)
		s = check_timeline(d, e);
	if (s != SS_OK)
		return s;
	cairo_save(cr);
	r = chart_draw_header(cr, st, area, d->title, d->subtitle);
	chart_draw_legend_into(cr, st, &r, timeline_legend,
			 sizeof timeline_legend / sizeof timeline_legend[0]);
	name_w = r.w * 0.32;
	x0 = r.x + name_w;
	plot_w = r.w - name_w - fs * 1.5;
	if (plot_w < 10.0)
		plot_w = 10.0;
	chart_scale_init(&sx, (double)d->from, (double)d->to, x0, x0 + plot_w);
	top = r.y + fs * 1.2; /* room for the reference day's label */
	band = fmin((r.h - fs * 1.2 - fs * 1.8) / (double)d->nrows, fs * 2.4);
	bottom = top + band * (double)d->nrows;
	draw_year_axis(cr, st, d, &sx, top, bottom, plot_w);
	for (i = 0; i < d->nrows; i++) {
		double ymid = top + band * ((double)i + 0.5);

		if (i % 2 == 1) {
			chart_set_color(cr, CHART_LIGHT_GREY, 0.35);
			cairo_rectangle(cr, r.x, ymid - band / 2.0, r.w, band);
			cairo_fill(cr);
		}
		chart_set_color(cr, CHART_BLACK, 1.0);
		chart_label(cr, st, d->rows[i].label, fmin(fs, band * 0.7), 0,
			    x0 - fs * 0.5, ymid, CHART_RIGHT, name_w - fs * 0.5,
			    1);
		cairo_save(cr);
		/* bars stop at the axis ends (clamped in the row); markers
		 * on a day near an end may stick out by half their size */
		cairo_rectangle(cr, x0 - fs, ymid - band / 2.0, plot_w + 2.0 * fs,
				band);
		cairo_clip(cr);
		draw_timeline_row(cr, st, d, &d->rows[i], &sx, x0, ymid, band);
		cairo_restore(cr);
	}
	draw_reference(cr, st, d, &sx, top, bottom);
	chart_set_grey(cr, 0.25);
	chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width);
	cairo_move_to(cr, x0, bottom);
	cairo_line_to(cr, x0 + plot_w, bottom);
	cairo_stroke(cr);
	cairo_restore(cr);
	return chart_cairo_check(cr, e);
}

ss_status accr_chart_levels_fn(cairo_t *cr, const chart_rect *area,
			       const chart_style *st, const void *data,
			       ss_error *e)
{
	return accr_chart_draw_levels(cr, area, st, data, e);
}

ss_status accr_chart_timeline_fn(cairo_t *cr, const chart_rect *area,
				 const chart_style *st, const void *data,
				 ss_error *e)
{
	return accr_chart_draw_timeline(cr, area, st, data, e);
}

/* ------------------------------------------------------------ data */

void accr_charts_init(accr_charts *c)
{
	memset(c, 0, sizeof *c);
	ctable_init(&c->table);
}

void accr_charts_release(accr_charts *c)
{
	if (!c)
		return;
	ctable_release(&c->table);
	free(c->level_rows);
	free(c->level_labels);
	free(c->timeline_rows);
	accr_charts_init(c);
}

enum {
	COL_REF, COL_ID, COL_NAME, COL_LEVEL, COL_OWNER, COL_STATUS,
	COL_STANDARD, COL_RECOGNIZED, COL_EXPIRES, COL_REGISTER, COL_DUE,
	NUM_COLS
};

static const char *const needed[NUM_COLS] = {
	"reference_date", "school_id", "name", "level", "ownership", "status",
	"standard_level", "recognized_on", "expires_on", "register_by",
	"next_due"
};

static ss_status bad(const ctable *t, size_t row, int col, const char *want,
		     ss_error *e)
{
	return err_set(e, SS_EDATA, t->path, t->lines ? t->lines[row] : 0,
		       col + 1, "bad %s '%s' (expected %s)", t->header[col],
		       ctable_get(t, row, col), want);
}

static ss_status parse_status(const char *s, accr_status *out)
{
	static const accr_status all[] = { ACCR_NONE, ACCR_VALID,
					   ACCR_OVERDUE, ACCR_EXPIRED };
	size_t i;

	for (i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(s, accr_status_name(all[i])) == 0) {
			*out = all[i];
			return SS_OK;
		}
	return SS_EDATA;
}

/* An optional date cell: empty gives *has 0. */
static ss_status opt_day(const ctable *t, size_t row, int col, int *has,
			 accr_day *out, ss_error *e)
{
	const char *v = ctable_get(t, row, col);

	*has = *v != '\0';
	*out = 0;
	if (*has && !accr_day_parse(v, out))
		return bad(t, row, col, "an ISO date YYYY-MM-DD or empty", e);
	return SS_OK;
}

static ss_status parse_row(const accr_charts *c, const int *col, size_t i,
			   accr_timeline_row *x, ss_error *e)
{
	const ctable *t = &c->table;
	long long std;
	int has_exp, has_reg;
	ss_status st;

	memset(x, 0, sizeof *x);
	x->label = ctable_get(t, i, col[COL_NAME]);
	if (!*x->label)
		x->label = ctable_get(t, i, col[COL_ID]);
	if (parse_status(ctable_get(t, i, col[COL_STATUS]), &x->status) !=
	    SS_OK)
		return bad(t, i, col[COL_STATUS],
			   "none, valid, overdue or expired", e);
	if (ctable_get_ll(t, i, col[COL_STANDARD], &std) != 1 || std < 0 ||
	    std > 2)
		return bad(t, i, col[COL_STANDARD], "a level 0 to 2", e);
	x->standard = (int)std;
	st = opt_day(t, i, col[COL_RECOGNIZED], &x->has_recognition,
		     &x->recognized_on, e);
	if (st == SS_OK)
		st = opt_day(t, i, col[COL_EXPIRES], &has_exp, &x->expires_on,
			     e);
	if (st == SS_OK)
		st = opt_day(t, i, col[COL_REGISTER], &has_reg,
			     &x->register_by, e);
	if (st == SS_OK)
		st = opt_day(t, i, col[COL_DUE], &x->has_next_due, &x->next_due,
			     e);
	if (st == SS_OK && x->has_recognition && (!has_exp || !has_reg))
		return bad(t, i, has_exp ? col[COL_REGISTER] : col[COL_EXPIRES],
			   "a date for a recognised school", e);
	if (st == SS_OK && (x->status == ACCR_NONE) == x->has_recognition)
		return bad(t, i, col[COL_STATUS],
			   x->has_recognition ? "a status other than none"
					      : "none without a recognition",
			   e);
	return st;
}

static int segment_of(const accr_timeline_row *x)
{
	switch (x->status) {
	case ACCR_NONE: return ACCR_SEG_NEVER;
	case ACCR_EXPIRED: return ACCR_SEG_EXPIRED;
	case ACCR_VALID:
	case ACCR_OVERDUE: break;
	}
	return x->standard == 2   ? ACCR_SEG_STANDARD_2
	       : x->standard == 1 ? ACCR_SEG_STANDARD_1
				  : ACCR_SEG_QUALITY;
}

static const char *const level_order[] = { "mam_non", "tieu_hoc", "thcs",
					   "thpt", "th_thcs", "thcs_thpt" };

static int level_rank(const char *level)
{
	size_t i;

	for (i = 0; i < sizeof level_order / sizeof level_order[0]; i++)
		if (strcmp(level, level_order[i]) == 0)
			return (int)i;
	return (int)(sizeof level_order / sizeof level_order[0]);
}

/* One row per (level, ownership), levels in contract order (unknown ones
 * after, by name), public before private. */
typedef struct type_key {
	const char *level, *ownership;
} type_key;

static int type_cmp(const type_key *a, const type_key *b)
{
	int ra = level_rank(a->level), rb = level_rank(b->level), c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	c = strcmp(a->level, b->level);
	if (c)
		return c;
	ra = strcmp(a->ownership, "cong_lap") != 0;
	rb = strcmp(b->ownership, "cong_lap") != 0;
	if (ra != rb)
		return ra - rb;
	return strcmp(a->ownership, b->ownership);
}

static void type_label(const type_key *k, char *buf, size_t size)
{
	const char *own = strcmp(k->ownership, "cong_lap") == 0   ? "công lập"
			  : strcmp(k->ownership, "tu_thuc") == 0 ? "tư thục"
								 : k->ownership;

	snprintf(buf, size, "%s %s", chart_level_label(k->level), own);
}

static ss_status build_levels(accr_charts *c, const int *col,
			      const accr_timeline_row *rows, ss_error *e)
{
	const ctable *t = &c->table;
	size_t n = t->nrows, i, j, nt = 0;
	type_key *keys = malloc((n ? n : 1) * sizeof *keys);

	c->level_rows = calloc(n ? n : 1, sizeof *c->level_rows);
	c->level_labels = calloc(n ? n : 1, sizeof *c->level_labels);
	if (!keys || !c->level_rows || !c->level_labels) {
		free(keys);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (i = 0; i < n; i++) {
		type_key k = { ctable_get(t, i, col[COL_LEVEL]),
			       ctable_get(t, i, col[COL_OWNER]) };

		for (j = 0; j < nt && type_cmp(&keys[j], &k) != 0; j++)
			;
		if (j == nt) {
			/* insertion keeps the row order sorted */
			for (j = nt; j > 0 && type_cmp(&keys[j - 1], &k) > 0;
			     j--) {
				keys[j] = keys[j - 1];
				c->level_rows[j] = c->level_rows[j - 1];
			}
			keys[j] = k;
			memset(&c->level_rows[j], 0, sizeof c->level_rows[j]);
			nt++;
		}
		c->level_rows[j].count[segment_of(&rows[i])]++;
	}
	for (j = 0; j < nt; j++) {
		type_label(&keys[j], c->level_labels[j],
			   sizeof c->level_labels[j]);
		c->level_rows[j].label = c->level_labels[j];
	}
	free(keys);
	c->levels.rows = c->level_rows;
	c->levels.nrows = nt;
	return SS_OK;
}

static int timeline_cmp(const void *a, const void *b)
{
	const accr_timeline_row *x = a, *y = b;

	/* schools never recognised come last; the others by expiry */
	if (x->has_recognition != y->has_recognition)
		return x->has_recognition ? -1 : 1;
	if (x->has_recognition && x->expires_on != y->expires_on)
		return x->expires_on < y->expires_on ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* The axis: from 1 January of the year before the reference (or of the
 * earliest recognition shown, at most 5 years back) to 1 January after
 * the last expiry or planned evaluation (at most 6 years ahead). */
static void timeline_axis(accr_charts *c)
{
	int yr, m, d, lo, hi, y;
	size_t i;

	accr_day_to_ymd(c->reference, &yr, &m, &d);
	lo = yr - 1;
	hi = yr + 1;
	for (i = 0; i < c->timeline.nrows; i++) {
		const accr_timeline_row *x = &c->timeline_rows[i];

		if (x->has_recognition) {
			accr_day_to_ymd(x->recognized_on, &y, &m, &d);
			if (y < lo)
				lo = y;
			accr_day_to_ymd(x->expires_on, &y, &m, &d);
			if (y + 1 > hi)
				hi = y + 1;
		}
		if (x->has_next_due) {
			accr_day_to_ymd(x->next_due, &y, &m, &d);
			if (y + 1 > hi)
				hi = y + 1;
		}
	}
	if (lo < yr - 5)
		lo = yr - 5;
	if (hi > yr + 6)
		hi = yr + 6;
	c->timeline.from = accr_day_from_ymd(lo, 1, 1);
	c->timeline.to = accr_day_from_ymd(hi, 1, 1);
}

static ss_status build_charts(accr_charts *c, ss_error *e)
{
	const ctable *t = &c->table;
	int col[NUM_COLS];
	char day[16];
	size_t i;
	ss_status st = SS_OK;

	for (i = 0; i < NUM_COLS; i++) {
		col[i] = ctable_col(t, needed[i]);
		if (col[i] < 0)
			return err_set(e, SS_EDATA, t->path, 1, 0,
				       "missing column '%s' (expected the "
				       "columns of accreditation_schedule.csv)",
				       needed[i]);
	}
	c->timeline_rows = calloc(t->nrows ? t->nrows : 1,
				  sizeof *c->timeline_rows);
	if (!c->timeline_rows)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	for (i = 0; st == SS_OK && i < t->nrows; i++) {
		accr_day ref;

		if (!accr_day_parse(ctable_get(t, i, col[COL_REF]), &ref) ||
		    (i > 0 && ref != c->reference))
			return bad(t, i, col[COL_REF],
				   "one ISO date on every row", e);
		c->reference = ref;
		st = parse_row(c, col, i, &c->timeline_rows[i], e);
		if (st == SS_OK) {
			const accr_timeline_row *x = &c->timeline_rows[i];

			c->schools++;
			if ((x->status == ACCR_VALID ||
			     x->status == ACCR_OVERDUE) && x->standard >= 1)
				c->standard++;
		}
	}
	if (st == SS_OK)
		st = build_levels(c, col, c->timeline_rows, e);
	if (st != SS_OK)
		return st;
	/* the levels were counted from the rows in file order; the timeline
	 * shows them by expiry */
	qsort(c->timeline_rows, t->nrows, sizeof *c->timeline_rows,
	      timeline_cmp);
	c->timeline.rows = c->timeline_rows;
	c->timeline.nrows = t->nrows;
	c->timeline.reference = c->reference;
	timeline_axis(c);
	day_vi(c->reference, day, sizeof day);
	snprintf(c->levels_subtitle, sizeof c->levels_subtitle,
		 "Đến ngày %s: %lld/%lld trường đạt chuẩn quốc gia còn hiệu lực",
		 day, c->standard, c->schools);
	snprintf(c->timeline_subtitle, sizeof c->timeline_subtitle,
		 "Đến ngày %s; trường xếp theo ngày hết hiệu lực", day);
	c->levels.title = "Trường theo loại hình, mức độ đạt chuẩn quốc gia";
	c->levels.subtitle = c->levels_subtitle;
	c->timeline.title = "Thời hạn công nhận và kế hoạch đánh giá ngoài";
	c->timeline.subtitle = c->timeline_subtitle;
	return SS_OK;
}

ss_status accr_charts_load(accr_charts *c, const char *outdir, int *found,
			   ss_error *e)
{
	char path[PATH_SIZE];
	struct stat sb;
	ss_status st;

	*found = 0;
	if (snprintf(path, sizeof path, "%s/accreditation_schedule.csv",
		     outdir) >= (int)sizeof path)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "path too long '%s' (expected under %d bytes)",
			       outdir, PATH_SIZE);
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT)
			return SS_OK;
		return err_set_errno(e, SS_EIO, path, errno, "cannot read");
	}
	st = ctable_load(&c->table, path, e);
	if (st == SS_OK)
		st = build_charts(c, e);
	if (st == SS_OK)
		*found = 1;
	return st;
}

size_t accr_charts_timeline_pages(const accr_charts *c)
{
	return (c->timeline.nrows + ACCR_TIMELINE_PER_PAGE - 1) /
	       ACCR_TIMELINE_PER_PAGE;
}

/* Page p of the timeline, with "Trang p/N" added when there are several. */
static accr_timeline_chart timeline_page(const accr_charts *c, size_t p,
					 char *sub, size_t size)
{
	accr_timeline_chart page = c->timeline;
	size_t pages = accr_charts_timeline_pages(c);

	page.rows = c->timeline.rows + p * ACCR_TIMELINE_PER_PAGE;
	page.nrows = c->timeline.nrows - p * ACCR_TIMELINE_PER_PAGE;
	if (page.nrows > ACCR_TIMELINE_PER_PAGE)
		page.nrows = ACCR_TIMELINE_PER_PAGE;
	if (pages > 1) {
		snprintf(sub, size, "%s (trang %zu/%zu)", c->timeline.subtitle,
			 p + 1, pages);
		page.subtitle = sub;
	}
	return page;
}

ss_status accr_charts_draw(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const accr_charts *c,
			   size_t which, ss_error *e)
{
	accr_timeline_chart page;
	char sub[256];

	if (which == 0)
		return accr_chart_draw_levels(cr, area, st, &c->levels, e);
	if (which - 1 >= accr_charts_timeline_pages(c))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no accreditation chart %zu (expected 0 to %zu)",
			       which, accr_charts_timeline_pages(c));
	page = timeline_page(c, which - 1, sub, sizeof sub);
	return accr_chart_draw_timeline(cr, area, st, &page, e);
}

static ss_status write_pair(const char *dir, const char *stem, double w,
			    double h, double scale, const chart_style *st,
			    chart_draw_fn fn, const void *data, ss_error *e)
{
	char path[PATH_SIZE + 64];
	ss_status s;

	if (snprintf(path, sizeof path, "%s/%s.png", dir, stem) >=
	    (int)sizeof path)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "path too long '%s/%s' (expected under %d "
			       "bytes)",
			       dir, stem, PATH_SIZE);
	s = chart_write_png(path, w, h, scale, st, fn, data, e);
	if (s != SS_OK)
		return s;
	snprintf(path, sizeof path, "%s/%s.svg", dir, stem);
	return chart_write_svg(path, w, h, st, fn, data, e);
}

static ss_status make_dir(const char *dir, ss_error *e)
{
	struct stat sb;

	if (mkdir(dir, 0777) == 0)
		return SS_OK;
	if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return SS_OK;
	return err_set_errno(e, SS_EIO, dir, errno,
			     "cannot create the charts directory");
}

ss_status accr_charts_write(const accr_charts *c, const char *outdir,
			    double width, double height, double scale,
			    size_t *written, ss_error *e)
{
	char dir[PATH_SIZE], stem[64], sub[256];
	chart_style st;
	size_t p, pages = accr_charts_timeline_pages(c);
	ss_status s;

	*written = 0;
	if (c->levels.nrows == 0)
		return SS_OK; /* no schools: nothing to draw */
	if (snprintf(dir, sizeof dir, "%s/charts", outdir) >= (int)sizeof dir)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "path too long '%s/charts' (expected under %d "
			       "bytes)",
			       outdir, PATH_SIZE);
	width = width > 0 ? width : 800.0;
	height = height > 0 ? height : 500.0;
	scale = scale > 0 ? scale : 2.0;
	chart_style_init(&st, 13.0);
	s = make_dir(dir, e);
	if (s == SS_OK)
		s = write_pair(dir, "accreditation_levels", width, height, scale,
			       &st, accr_chart_levels_fn, &c->levels, e);
	if (s == SS_OK)
		(*written)++;
	for (p = 0; s == SS_OK && p < pages; p++) {
		accr_timeline_chart page = timeline_page(c, p, sub, sizeof sub);

		snprintf(stem, sizeof stem, "accreditation_timeline_%zu", p + 1);
		s = write_pair(dir, stem, width, height, scale, &st,
			       accr_chart_timeline_fn, &page, e);
		if (s == SS_OK)
			(*written)++;
	}
	return s;
}
