/* chart_draw — the five chart types of chart.h, each drawn inside a
 * rectangle of a caller's cairo_t. */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "fmt.h"
#include "stats.h"

/* ------------------------------------------------------------ helpers */






static const char *op_symbol(const char *op)
{
	if (!op)
		return "";
	if (strcmp(op, ">=") == 0)
		return "≥";
	if (strcmp(op, "<=") == 0)
		return "≤";
	return op;
}

static const char *value_text(double v, int decimals, int percent,
			      char *buf, size_t size)
{
	return percent ? fmt_percent(v, decimals, buf, size)
		       : fmt_number(v, decimals, buf, size);
}

static const char *target_text(double v, int percent, char *buf,
			       size_t size)
{
	return percent ? fmt_percent_trim(v, 2, buf, size)
		       : fmt_number_trim(v, 2, buf, size);
}

/* Title and subtitle at the top of the area (inside the margin); returns
 * what is left below them. */


/* A note at the bottom of r in small grey type; r shrinks above it. */
static void draw_footnote(cairo_t *cr, const chart_style *st, chart_rect *r,
			  const char *text)
{
	chart_text t;

	if (!text || !*text)
		return;
	chart_text_init(&t, cr, st, text, st->small_size, 0, r->w, 2);
	chart_set_grey(cr, 0.35);
	chart_text_draw(cr, &t, r->x, r->y + r->h, CHART_BOTTOM_LEFT);
	r->h -= t.height + st->font_size * 0.5;
	if (r->h < 1.0)
		r->h = 1.0;
	chart_text_release(&t);
}

/* ------------------------------------------------------------ xy axes */

typedef struct axis_labels {
	int n;
	double pos[CHART_MAX_TICKS];
	char text[CHART_MAX_TICKS][FMT_BUF_SIZE];
} axis_labels;

static void labels_from_ticks(axis_labels *l, const chart_ticks *t,
			      int percent)
{
	int i;

	l->n = t->n;
	for (i = 0; i < t->n; i++) {
		l->pos[i] = t->v[i];
		value_text(t->v[i], t->decimals, percent, l->text[i],
			   sizeof l->text[i]);
	}
}

static double labels_max_width(cairo_t *cr, const chart_style *st,
			       const axis_labels *l)
{
	double w = 0.0;
	int i;

	for (i = 0; i < l->n; i++) {
		chart_text t;

		chart_text_init(&t, cr, st, l->text[i], st->font_size, 0, 0.0,
				1);
		if (t.width > w)
			w = t.width;
		chart_text_release(&t);
	}
	return w;
}

/* The plot rectangle inside body once room is kept for the y labels (of
 * width ylab_w), the x labels and the axis titles. */
static chart_rect plot_rect(const chart_style *st, const chart_rect *body,
			    double ylab_w, int x_label_lines, int has_x_title,
			    int has_y_title)
{
	double fs = st->font_size, lh = fs * 1.35;
	double left = ylab_w + fs * 0.6 + (has_y_title ? lh + fs * 0.3 : 0.0);
	double bottom = lh * x_label_lines + fs * 0.4 +
			(has_x_title ? lh + fs * 0.2 : 0.0);
	chart_rect p;

	p.x = body->x + left;
	p.y = body->y + fs * 0.6; /* half a label: the top tick's label */
	p.w = body->w - left - fs * 1.6; /* half the last x label */
	p.h = body->h - bottom - fs * 0.6;
	if (p.w < 10.0)
		p.w = 10.0;
	if (p.h < 10.0)
		p.h = 10.0;
	return p;
}

static void draw_y_axis(cairo_t *cr, const chart_style *st,
			const chart_rect *plot, const chart_rect *body,
			const chart_scale *sy, const axis_labels *l,
			const char *title)
{
	int i;

	cairo_save(cr);
	for (i = 0; i < l->n; i++) {
		double y = chart_scale_map(sy, l->pos[i]);

		chart_set_color(cr, CHART_LIGHT_GREY, 1.0);
		chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width * 0.8);
		cairo_move_to(cr, plot->x, y);
		cairo_line_to(cr, plot->x + plot->w, y);
		cairo_stroke(cr);
		chart_set_grey(cr, 0.25);
		chart_label(cr, st, l->text[i], st->font_size, 0,
			    plot->x - st->font_size * 0.5, y, CHART_RIGHT,
			    0.0, 1);
	}
	if (title && *title) {
		chart_text t;

		chart_text_init(&t, cr, st, title, st->font_size, 0, plot->h,
				1);
		cairo_translate(cr, body->x, plot->y + plot->h / 2.0);
		cairo_rotate(cr, -G_PI / 2.0);
		chart_set_grey(cr, 0.15);
		chart_text_draw(cr, &t, 0.0, 0.0, CHART_TOP);
		chart_text_release(&t);
	}
	cairo_restore(cr);
}

static void draw_x_axis(cairo_t *cr, const chart_style *st,
			const chart_rect *plot, const chart_rect *body,
			const chart_scale *sx, const axis_labels *l, int grid,
			const char *title)
{
	double base = plot->y + plot->h;
	int i;

	cairo_save(cr);
	for (i = 0; i < l->n; i++) {
		double x = chart_scale_map(sx, l->pos[i]);

		if (grid) {
			chart_set_color(cr, CHART_LIGHT_GREY, 1.0);
			chart_set_line(cr, st, CHART_LINE_SOLID,
				       st->line_width * 0.8);
			cairo_move_to(cr, x, plot->y);
			cairo_line_to(cr, x, base);
			cairo_stroke(cr);
		}
		chart_set_grey(cr, 0.25);
		chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width);
		cairo_move_to(cr, x, base);
		cairo_line_to(cr, x, base + st->font_size * 0.3);
		cairo_stroke(cr);
		chart_label(cr, st, l->text[i], st->font_size, 0, x,
			    base + st->font_size * 0.4, CHART_TOP, 0.0, 1);
	}
	chart_set_grey(cr, 0.25);
	chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width);
	cairo_move_to(cr, plot->x, base);
	cairo_line_to(cr, plot->x + plot->w, base);
	cairo_stroke(cr);
	if (title && *title) {
		chart_set_grey(cr, 0.15);
		chart_label(cr, st, title, st->font_size, 0,
			    plot->x + plot->w / 2.0, body->y + body->h,
			    CHART_BOTTOM, plot->w, 1);
	}
	cairo_restore(cr);
}

/* Ticks for a y axis of height h: about one per 3.5 lines of text. */
static int y_tick_budget(const chart_style *st, double h)
{
	int n = (int)(h / (st->font_size * 3.2));

	return n < 3 ? 3 : n > 10 ? 10 : n;
}

/* Ticks for an x axis of width w whose labels are about label_w wide. */
static int x_tick_budget(const chart_style *st, double w, double label_w)
{
	int n = (int)(w / (label_w + st->font_size * 1.5));

	return n < 3 ? 3 : n > 12 ? 12 : n;
}

/* ------------------------------------------------------------ a. targets */

static ss_status check_targets(const chart_targets *d, ss_error *e)
{
	size_t i;

	if (d->nrows == 0 || !d->rows)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no target rows to draw (expected at least one)");
	for (i = 0; i < d->nrows; i++) {
		const chart_target_row *r = &d->rows[i];

		if (!isfinite(r->target) ||
		    (r->status != CHART_NO_DATA && !isfinite(r->actual)))
			return err_set(e, SS_EUSAGE, NULL, 0, 0,
				       "target row %zu has no finite value "
				       "(expected target and actual numbers)",
				       i + 1);
	}
	return SS_OK;
}

static void draw_target_track(cairo_t *cr, const chart_style *st,
			      const chart_target_row *row, double x0,
			      double x1, double ymid, int end_labels)
{
	int has_actual = row->status != CHART_NO_DATA;
	double lo = fmin(0.0, row->target), hi = fmax(0.0, row->target);
	double bh = st->font_size * 0.55, fs = st->font_size;
	chart_color col = chart_status_color(row->status);
	chart_ticks t;
	chart_scale s;
	char buf[FMT_BUF_SIZE];

	if (has_actual) {
		lo = fmin(lo, row->actual);
		hi = fmax(hi, row->actual);
	}
	chart_nice_ticks(lo, hi, 5, &t);
	/* A percentage's scale never runs past 100 when its values do
	 * not. */
	if (row->percent && hi <= 100.0 && t.hi > 100.0)
		t.hi = 100.0;
	chart_scale_init(&s, t.lo, t.hi, x0, x1);
	chart_set_color(cr, CHART_LIGHT_GREY, 1.0);
	cairo_rectangle(cr, x0, ymid - bh / 2.0, x1 - x0, bh);
	cairo_fill(cr);
	if (has_actual) {
		double a = chart_scale_map(&s, 0.0);
		double b = chart_scale_map(&s, row->actual);

		chart_set_color(cr, col, 0.45);
		cairo_rectangle(cr, fmin(a, b), ymid - bh / 2.0, fabs(b - a),
				bh);
		cairo_fill(cr);
	}
	if (has_actual)
		chart_draw_marker(cr, chart_status_marker(row->status),
				  chart_scale_map(&s, row->actual), ymid,
				  st->marker_size * 1.25, col, 1);
	else
		chart_draw_marker(cr, chart_status_marker(row->status), x0,
				  ymid, st->marker_size * 1.25, col, 0);
	/* The target on top, taller than the marker, so that an actual
	 * close to its target leaves both visible. */
	chart_draw_marker(cr, CHART_MARK_TICK, chart_scale_map(&s, row->target),
			  ymid, fs * 1.3, CHART_BLACK, 1);
	if (end_labels) {
		chart_set_grey(cr, 0.4);
		value_text(t.lo, t.decimals, row->percent, buf, sizeof buf);
		chart_label(cr, st, buf, st->small_size, 0, x0,
			    ymid + bh / 2.0 + fs * 0.15, CHART_TOP_LEFT, 0.0,
			    1);
		value_text(t.hi, t.decimals, row->percent, buf, sizeof buf);
		chart_label(cr, st, buf, st->small_size, 0, x1,
			    ymid + bh / 2.0 + fs * 0.15, CHART_TOP_RIGHT, 0.0,
			    1);
	}
}

/* The decimals that tell actual from target: 97.976 against 98 shows as
 * "97,98%", not "98,0%" beside a "not met" (at most 4). */
static int telling_decimals(double actual, double target, int d)
{
	char a[FMT_BUF_SIZE], t[FMT_BUF_SIZE];

	if (d < 0)
		d = 0;
	while (d < 4 && actual != target &&
	       strcmp(fmt_number(actual, d, a, sizeof a),
		      fmt_number(target, d, t, sizeof t)) == 0)
		d++;
	return d;
}

static void draw_target_values(cairo_t *cr, const chart_style *st,
			       const chart_target_row *row, double x,
			       double w, double ymid, int two_lines)
{
	char act[FMT_BUF_SIZE], tgt[FMT_BUF_SIZE], line[256];

	if (row->status == CHART_NO_DATA)
		snprintf(act, sizeof act, "–");
	else
		value_text(row->actual,
			   telling_decimals(row->actual, row->target,
					    row->decimals),
			   row->percent, act, sizeof act);
	target_text(row->target, row->percent, tgt, sizeof tgt);
	snprintf(line, sizeof line, "%s · chỉ tiêu %s %s", act,
		 op_symbol(row->op), tgt);
	chart_set_color(cr, CHART_BLACK, 1.0);
	if (!two_lines) {
		chart_label(cr, st, line, st->font_size, 0, x, ymid,
			    CHART_LEFT, w, 1);
		return;
	}
	chart_label(cr, st, line, st->font_size, 0, x, ymid, CHART_BOTTOM_LEFT,
		    w, 1);
	if (row->note && *row->note)
		snprintf(line, sizeof line, "%s (%s)",
			 chart_status_label(row->status), row->note);
	else
		snprintf(line, sizeof line, "%s",
			 chart_status_label(row->status));
	chart_set_grey(cr, 0.35);
	chart_label(cr, st, line, st->small_size, 0, x, ymid + 1.0,
		    CHART_TOP_LEFT, w, 1);
}

ss_status chart_draw_targets(cairo_t *cr, const chart_rect *area,
			     const chart_style *st, const chart_targets *d,
			     ss_error *e)
{
	chart_legend_item legend[5];
	ss_status s = chart_check_area(area, d, "target chart", e);
	double fs = st->font_size, row_h, label_w, val_w, tx0, tx1;
	chart_rect r;
	size_t i;

	if (s == SS_OK)
		s = check_targets(d, e);
	if (s != SS_OK)
		return s;
	cairo_save(cr);
	r = chart_draw_header(cr, st, area, d->title, d->subtitle);
	for (i = 0; i < 4; i++) {
		chart_status k = (chart_status)i;

		legend[i] = (chart_legend_item){ chart_status_label(k),
						 chart_status_color(k),
						 chart_status_marker(k),
						 k != CHART_NO_DATA,
						 CHART_LINE_NONE, 0 };
	}
	legend[4] = (chart_legend_item){ "Chỉ tiêu", CHART_BLACK,
					 CHART_MARK_TICK, 1, CHART_LINE_NONE,
					 0 };
	chart_draw_legend_into(cr, st, &r, legend, 5);
	draw_footnote(cr, st, &r,
		      "Mỗi dòng có thang đo riêng, bắt đầu từ 0; vạch đen là "
		      "chỉ tiêu, dấu màu là số thực hiện.");
	row_h = fmin(r.h / (double)d->nrows, fs * 4.2);
	label_w = r.w * 0.34;
	val_w = r.w * 0.25;
	tx0 = r.x + label_w + fs;
	tx1 = r.x + r.w - val_w - fs;
	for (i = 0; i < d->nrows; i++) {
		const chart_target_row *row = &d->rows[i];
		double y0 = r.y + (double)i * row_h, ymid = y0 + row_h / 2.0;
		int two = row_h >= fs * 2.9;

		if (i > 0) {
			chart_set_color(cr, CHART_LIGHT_GREY, 1.0);
			chart_set_line(cr, st, CHART_LINE_SOLID,
				       st->line_width * 0.7);
			cairo_move_to(cr, r.x, y0);
			cairo_line_to(cr, r.x + r.w, y0);
			cairo_stroke(cr);
		}
		chart_set_color(cr, CHART_BLACK, 1.0);
		if (two) {
			chart_label(cr, st, row->indicator, fs, 1, r.x, ymid,
				    CHART_BOTTOM_LEFT, label_w, 1);
			chart_set_grey(cr, 0.3);
			chart_label(cr, st, row->scope, fs, 0, r.x, ymid + 1.0,
				    CHART_TOP_LEFT, label_w, 1);
		} else {
			char both[512];

			snprintf(both, sizeof both, "%s — %s",
				 row->indicator ? row->indicator : "",
				 row->scope ? row->scope : "");
			chart_label(cr, st, both, fmin(fs, row_h * 0.7), 0,
				    r.x, ymid, CHART_LEFT, label_w, 1);
		}
		draw_target_track(cr, st, row, tx0, tx1, ymid, two);
		draw_target_values(cr, st, row, tx1 + fs, val_w, ymid, two);
	}
	cairo_restore(cr);
	return chart_cairo_check(cr, e);
}

/* ------------------------------------------------------------ b. norms */

static ss_status check_norms(const chart_norms *d, ss_error *e)
{
	size_t i;
	int p;

	if (d->nrows == 0 || !d->rows)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no schools to draw (expected at least one)");
	for (i = 0; i < d->nrows; i++)
		for (p = 0; p < 2; p++) {
			const chart_norm_cell *c = &d->rows[i].cell[p];

			if (isinf(c->value) || isinf(c->limit) ||
			    (!isnan(c->value) && c->value < 0.0))
				return err_set(e, SS_EUSAGE, NULL, 0, 0,
					       "school row %zu has a value "
					       "out of range '%g' (expected a "
					       "number >= 0 or NAN)",
					       i + 1, c->value);
		}
	return SS_OK;
}

static void draw_norm_panel(cairo_t *cr, const chart_style *st,
			    const chart_norms *d, int p, double x, double w,
			    double top, double band)
{
	double fs = st->font_size, max = 0.0, bar_h = fmin(band * 0.62, fs * 1.3);
	double bottom = top + band * (double)d->nrows;
	axis_labels labels;
	chart_ticks t;
	chart_scale s;
	size_t i;

	for (i = 0; i < d->nrows; i++) {
		const chart_norm_cell *c = &d->rows[i].cell[p];

		if (!isnan(c->value))
			max = fmax(max, c->value);
		if (!isnan(c->limit))
			max = fmax(max, c->limit);
	}
	/* Headroom: a bar ending at the axis maximum would push its label
	 * out of the panel. */
	chart_nice_ticks(0.0, max * 1.08, x_tick_budget(st, w, fs * 2.5), &t);
	chart_scale_init(&s, t.lo, t.hi, x, x + w);
	labels_from_ticks(&labels, &t, 0);
	chart_set_color(cr, CHART_BLACK, 1.0);
	chart_label(cr, st, d->panel_title[p], fs, 1, x, top - fs * 0.3,
		    CHART_BOTTOM_LEFT, w, 1);
	for (i = 0; i < (size_t)labels.n; i++) {
		double gx = chart_scale_map(&s, labels.pos[i]);

		chart_set_color(cr, CHART_LIGHT_GREY, 1.0);
		chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width * 0.8);
		cairo_move_to(cr, gx, top);
		cairo_line_to(cr, gx, bottom);
		cairo_stroke(cr);
		chart_set_grey(cr, 0.25);
		chart_label(cr, st, labels.text[i], st->small_size, 0, gx,
			    bottom + fs * 0.3, CHART_TOP, 0.0, 1);
	}
	for (i = 0; i < d->nrows; i++) {
		const chart_norm_cell *c = &d->rows[i].cell[p];
		double ymid = top + band * ((double)i + 0.5);
		double x0 = chart_scale_map(&s, 0.0), end = x0;
		char buf[FMT_BUF_SIZE];

		if (!isnan(c->value)) {
			end = chart_scale_map(&s, c->value);
			chart_set_color(cr, c->flagged ? CHART_VERMILLION
						       : CHART_BLUE,
					1.0);
			cairo_rectangle(cr, x0, ymid - bar_h / 2.0, end - x0,
					bar_h);
			cairo_fill(cr);
		}
		if (!isnan(c->limit)) {
			double lx = chart_scale_map(&s, c->limit);

			chart_draw_marker(cr, CHART_MARK_TICK, lx, ymid,
					  fmin(band * 0.75, fs * 1.2),
					  CHART_BLACK, 1);
			end = fmax(end, lx + fs * 0.15);
		}
		if (isnan(c->value))
			snprintf(buf, sizeof buf, "–");
		else
			fmt_number(c->value, d->decimals[p], buf, sizeof buf);
		chart_set_color(cr, CHART_BLACK, 1.0);
		chart_label(cr, st, buf, fmin(st->small_size, band * 0.8),
			    c->flagged, end + fs * 0.3, ymid, CHART_LEFT, 0.0,
			    1);
	}
	chart_set_grey(cr, 0.25);
	chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width);
	cairo_move_to(cr, x, top);
	cairo_line_to(cr, x, bottom);
	cairo_stroke(cr);
}

ss_status chart_draw_norms(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const chart_norms *d,
			   ss_error *e)
{
	ss_status s = chart_check_area(area, d, "norm chart", e);
	double fs = st->font_size, name_w, gap, panel_w, top, band;
	chart_legend_item legend[3];
	chart_rect r;
	size_t i;
	int p;

	if (s == SS_OK)
		s = check_norms(d, e);
	if (s != SS_OK)
		return s;
	cairo_save(cr);
	r = chart_draw_header(cr, st, area, d->title, d->subtitle);
	legend[0] = (chart_legend_item){ d->ok_label ? d->ok_label : "Đạt",
					 CHART_BLUE, CHART_MARK_NONE, 1,
					 CHART_LINE_NONE, 1 };
	legend[1] = (chart_legend_item){ d->flag_label ? d->flag_label
						       : "Không đạt",
					 CHART_VERMILLION, CHART_MARK_NONE, 1,
					 CHART_LINE_NONE, 1 };
	legend[2] = (chart_legend_item){ d->limit_label ? d->limit_label
							: "Định mức",
					 CHART_BLACK, CHART_MARK_TICK, 1,
					 CHART_LINE_NONE, 0 };
	chart_draw_legend_into(cr, st, &r, legend, 3);
	name_w = r.w * 0.28;
	gap = fs * 1.6;
	/* Value labels sit right of each panel's bars: keep room for one. */
	panel_w = (r.w - name_w - 3.0 * gap) / 2.0;
	top = r.y + fs * 1.6;
	/* A short page keeps rows of normal height instead of fat bars. */
	band = fmin((r.h - fs * 1.6 - fs * 1.7) / (double)d->nrows, fs * 2.8);
	for (i = 0; i < d->nrows; i++) {
		double ymid = top + band * ((double)i + 0.5);
		double size = fmin(fs, band * 0.72);

		if (i % 2 == 1) {
			chart_set_color(cr, CHART_LIGHT_GREY, 0.45);
			cairo_rectangle(cr, r.x, ymid - band / 2.0, r.w, band);
			cairo_fill(cr);
		}
		chart_set_color(cr, CHART_BLACK, 1.0);
		chart_label(cr, st, d->rows[i].name, size, 0,
			    r.x + name_w - fs * 0.5, ymid, CHART_RIGHT,
			    name_w - fs * 0.5, band >= size * 2.6 ? 2 : 1);
	}
	for (p = 0; p < 2; p++)
		draw_norm_panel(cr, st, d, p,
				r.x + name_w + gap * 0.5 +
					(double)p * (panel_w + 2.0 * gap),
				panel_w, top, band);
	cairo_restore(cr);
	return chart_cairo_check(cr, e);
}

/* ------------------------------------------------------------ c. histogram */

static ss_status check_histogram(const chart_histogram *d, ss_error *e)
{
	size_t i;

	if (d->nbins == 0 || !d->bins)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no histogram bins to draw (expected at least "
			       "one)");
	if (!(isfinite(d->x_min) && isfinite(d->x_max) && d->x_max > d->x_min))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "bad histogram range '%g..%g' (expected min < "
			       "max)",
			       d->x_min, d->x_max);
	for (i = 0; i < d->nbins; i++)
		if (!(isfinite(d->bins[i].low) && isfinite(d->bins[i].high) &&
		      d->bins[i].high > d->bins[i].low &&
		      d->bins[i].count >= 0))
			return err_set(e, SS_EUSAGE, NULL, 0, 0,
				       "bad histogram bin %zu '%g..%g' "
				       "(expected low < high, count >= 0)",
				       i + 1, d->bins[i].low, d->bins[i].high);
	return SS_OK;
}

static void vertical_line(cairo_t *cr, const chart_style *st,
			  const chart_rect *plot, double x, chart_color c,
			  chart_line l)
{
	cairo_save(cr);
	chart_set_color(cr, c, 1.0);
	chart_set_line(cr, st, l, st->line_width * 2.2);
	cairo_move_to(cr, x, plot->y);
	cairo_line_to(cr, x, plot->y + plot->h);
	cairo_stroke(cr);
	cairo_restore(cr);
}

ss_status chart_draw_histogram(cairo_t *cr, const chart_rect *area,
			       const chart_style *st,
			       const chart_histogram *d, ss_error *e)
{
	ss_status s = chart_check_area(area, d, "histogram", e);
	char mean_txt[128], median_txt[128], num[FMT_BUF_SIZE];
	chart_legend_item legend[3];
	axis_labels xl, yl;
	chart_ticks xt, yt;
	chart_scale sx, sy;
	chart_rect r, plot;
	long long max = 0;
	size_t i, nl = 0;

	if (s == SS_OK)
		s = check_histogram(d, e);
	if (s != SS_OK)
		return s;
	cairo_save(cr);
	r = chart_draw_header(cr, st, area, d->title, d->subtitle);
	legend[nl++] = (chart_legend_item){ "Số thí sinh", CHART_SKY_BLUE,
					    CHART_MARK_NONE, 1,
					    CHART_LINE_NONE, 1 };
	if (isfinite(d->mean)) {
		snprintf(mean_txt, sizeof mean_txt, "Điểm trung bình: %s",
			 fmt_number(d->mean, d->decimals, num, sizeof num));
		legend[nl++] = (chart_legend_item){ mean_txt, CHART_VERMILLION,
						    CHART_MARK_NONE, 1,
						    CHART_LINE_SOLID, 0 };
	}
	if (isfinite(d->median)) {
		snprintf(median_txt, sizeof median_txt, "Trung vị: %s",
			 fmt_number(d->median, d->decimals, num, sizeof num));
		legend[nl++] = (chart_legend_item){ median_txt, CHART_BLACK,
						    CHART_MARK_NONE, 1,
						    CHART_LINE_DASHED, 0 };
	}
	chart_draw_legend_into(cr, st, &r, legend, nl);
	for (i = 0; i < d->nbins; i++)
		if (d->bins[i].count > max)
			max = d->bins[i].count;
	chart_nice_ticks(0.0, (double)max, y_tick_budget(st, r.h), &yt);
	labels_from_ticks(&yl, &yt, 0);
	/* Counts are whole: a step below one would label 0,5 pupils. */
	if (yt.step < 1.0) {
		chart_nice_ticks(0.0, fmax((double)max, 2.0), 3, &yt);
		labels_from_ticks(&yl, &yt, 0);
	}
	plot = plot_rect(st, &r, labels_max_width(cr, st, &yl), 1,
			 d->x_title != NULL, d->y_title != NULL);
	chart_nice_ticks(d->x_min, d->x_max,
			 x_tick_budget(st, plot.w, st->font_size * 2.0), &xt);
	labels_from_ticks(&xl, &xt, 0);
	chart_scale_init(&sx, xt.lo, xt.hi, plot.x, plot.x + plot.w);
	chart_scale_init(&sy, yt.lo, yt.hi, plot.y + plot.h, plot.y);
	draw_y_axis(cr, st, &plot, &r, &sy, &yl, d->y_title);
	for (i = 0; i < d->nbins; i++) {
		const chart_hist_bin *b = &d->bins[i];
		double x0 = chart_scale_map(&sx, b->low);
		double x1 = chart_scale_map(&sx, b->high);
		double y0 = chart_scale_map(&sy, 0.0);
		double y1 = chart_scale_map(&sy, (double)b->count);

		if (b->count == 0)
			continue;
		chart_set_color(cr, CHART_SKY_BLUE, 1.0);
		cairo_rectangle(cr, x0, y1, x1 - x0, y0 - y1);
		cairo_fill_preserve(cr);
		/* White seams keep neighbouring bins apart. */
		cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
		cairo_set_line_width(cr, st->line_width * 0.6);
		cairo_stroke(cr);
	}
	draw_x_axis(cr, st, &plot, &r, &sx, &xl, 0, d->x_title);
	if (isfinite(d->median))
		vertical_line(cr, st, &plot, chart_scale_map(&sx, d->median),
			      CHART_BLACK, CHART_LINE_DASHED);
	if (isfinite(d->mean))
		vertical_line(cr, st, &plot, chart_scale_map(&sx, d->mean),
			      CHART_VERMILLION, CHART_LINE_SOLID);
	cairo_restore(cr);
	return chart_cairo_check(cr, e);
}

/* ------------------------------------------------------------ d. trend */

static ss_status check_trend(const chart_trend *d, ss_error *e)
{
	size_t i;

	if (d->n == 0 || !d->years || !d->values)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no values to draw over the years (expected at "
			       "least one)");
	for (i = 0; i < d->n; i++)
		if (!isfinite(d->years[i]) || !isfinite(d->values[i]) ||
		    (i > 0 && d->years[i] <= d->years[i - 1]))
			return err_set(e, SS_EUSAGE, NULL, 0, 0,
				       "bad point %zu of the series '%g' "
				       "(expected finite values in "
				       "increasing years)",
				       i + 1, d->years[i]);
	if (d->op && !isfinite(d->target))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "target is not a number (expected a finite "
			       "target)");
	if (d->has_projection &&
	    !(isfinite(d->deadline_year) && isfinite(d->slope) &&
	      isfinite(d->projected)))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "projection is not finite (expected deadline, "
			       "slope and projected value)");
	return SS_OK;
}

static void school_year_label(double year, char *buf, size_t size)
{
	long y = lround(year);

	snprintf(buf, size, "%ld-%ld", y, y + 1);
}

/* Year ticks for [y0, y1]: every school year as "2024-2025" when that
 * fits in width, else stacked on two lines ("2024-" over "2025"), else
 * every k-th year stacked, counted from `anchor` (the latest actual) so
 * that it keeps its label. Returns the number of label lines. */
static int year_labels(cairo_t *cr, const chart_style *st, double y0,
		       double y1, double anchor, double width, axis_labels *l)
{
	long first = lround(ceil(y0)), last = lround(floor(y1)), k = 1, y;
	long a = lround(anchor), count = last - first + 1;
	double full_w, half_w, gap = st->font_size;
	int lines = 1;
	chart_text t;

	chart_text_init(&t, cr, st, "2024-2025", st->font_size, 0, 0.0, 1);
	full_w = t.width + gap;
	chart_text_release(&t);
	chart_text_init(&t, cr, st, "2024-", st->font_size, 0, 0.0, 1);
	half_w = t.width + gap;
	chart_text_release(&t);
	if ((double)count * full_w > width) {
		lines = 2;
		while ((double)(count / k + 1) * half_w > width && k < 1000)
			k++;
		if (k == 1 && (double)count * half_w > width)
			k = 2;
	}
	l->n = 0;
	/* The first labelled year at or after `first` on a's grid. */
	y = a - ((a - first) / k) * k;
	if (y < first)
		y += k;
	for (; y <= last && l->n < CHART_MAX_TICKS; y += k) {
		l->pos[l->n] = (double)y;
		snprintf(l->text[l->n], sizeof l->text[l->n],
			 lines == 1 ? "%ld-%ld" : "%ld-\n%ld", y, y + 1);
		l->n++;
	}
	return lines;
}

ss_status chart_draw_trend(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const chart_trend *d,
			   ss_error *e)
{
	ss_status s = chart_check_area(area, d, "trend chart", e);
	char tgt_txt[160], proj_txt[200], num[FMT_BUF_SIZE], yl_buf[32];
	chart_legend_item legend[3];
	double x0, x1, lo, hi, fs = st->font_size;
	double last_x = 0.0, start_y = 0.0;
	axis_labels xl, yl;
	chart_ticks yt;
	chart_scale sx, sy;
	chart_rect r, plot;
	size_t i, nl = 0;

	if (s == SS_OK)
		s = check_trend(d, e);
	if (s != SS_OK)
		return s;
	cairo_save(cr);
	r = chart_draw_header(cr, st, area, d->title, d->subtitle);
	legend[nl++] = (chart_legend_item){ "Thực hiện", CHART_BLUE,
					    CHART_MARK_CIRCLE, 1,
					    CHART_LINE_SOLID, 0 };
	if (d->op) {
		snprintf(tgt_txt, sizeof tgt_txt, "Chỉ tiêu %s %s",
			 op_symbol(d->op),
			 target_text(d->target, d->percent, num, sizeof num));
		legend[nl++] = (chart_legend_item){ tgt_txt, CHART_BLACK,
						    isfinite(d->target_year)
							    ? CHART_MARK_DIAMOND
							    : CHART_MARK_NONE,
						    0, CHART_LINE_DASHED, 0 };
	}
	x0 = d->years[0];
	x1 = d->years[d->n - 1];
	lo = hi = d->values[0];
	for (i = 0; i < d->n; i++) {
		lo = fmin(lo, d->values[i]);
		hi = fmax(hi, d->values[i]);
	}
	if (d->op) {
		lo = fmin(lo, d->target);
		hi = fmax(hi, d->target);
		if (isfinite(d->target_year)) {
			x0 = fmin(x0, d->target_year);
			x1 = fmax(x1, d->target_year);
		}
	}
	if (d->has_projection) {
		last_x = d->years[d->n - 1];
		start_y = d->projected -
			  d->slope * (d->deadline_year - last_x);
		lo = fmin(lo, fmin(start_y, d->projected));
		hi = fmax(hi, fmax(start_y, d->projected));
		x1 = fmax(x1, d->deadline_year);
		school_year_label(d->deadline_year, yl_buf, sizeof yl_buf);
		snprintf(proj_txt, sizeof proj_txt,
			 "Xu hướng, dự báo %s: %s", yl_buf,
			 value_text(d->projected, d->decimals, d->percent, num,
				    sizeof num));
		legend[nl++] = (chart_legend_item){ proj_txt,
						    CHART_REDDISH_PURPLE,
						    CHART_MARK_CIRCLE, 0,
						    CHART_LINE_DOTTED, 0 };
	}
	chart_draw_legend_into(cr, st, &r, legend, nl);
	chart_nice_ticks(lo, hi, y_tick_budget(st, r.h), &yt);
	if (d->percent && yt.hi > 100.0 && hi <= 100.0)
		chart_nice_ticks(lo, 100.0, y_tick_budget(st, r.h), &yt);
	labels_from_ticks(&yl, &yt, d->percent);
	plot = plot_rect(st, &r, labels_max_width(cr, st, &yl), 1, 1,
			 d->y_title != NULL);
	/* Labels of years that do not fit on one line take two, and the plot
	 * gives up a line of height for them. Half a year of room on both
	 * sides keeps end points off the frame. */
	if (year_labels(cr, st, x0, x1, d->years[d->n - 1],
			plot.w, &xl) > 1)
		plot = plot_rect(st, &r, labels_max_width(cr, st, &yl), 2, 1,
				 d->y_title != NULL);
	chart_scale_init(&sx, x0 - 0.5, x1 + 0.5, plot.x, plot.x + plot.w);
	chart_scale_init(&sy, yt.lo, yt.hi, plot.y + plot.h, plot.y);
	draw_y_axis(cr, st, &plot, &r, &sy, &yl, d->y_title);
	draw_x_axis(cr, st, &plot, &r, &sx, &xl, 1, "Năm học");
	if (d->op) {
		double ty = chart_scale_map(&sy, d->target);

		cairo_save(cr);
		chart_set_color(cr, CHART_BLACK, 1.0);
		chart_set_line(cr, st, CHART_LINE_DASHED, st->line_width * 1.6);
		cairo_move_to(cr, plot.x, ty);
		cairo_line_to(cr, plot.x + plot.w, ty);
		cairo_stroke(cr);
		cairo_restore(cr);
	}
	if (d->has_projection) {
		cairo_save(cr);
		chart_set_color(cr, CHART_REDDISH_PURPLE, 1.0);
		chart_set_line(cr, st, CHART_LINE_DOTTED, st->line_width * 2.4);
		cairo_move_to(cr, chart_scale_map(&sx, last_x),
			      chart_scale_map(&sy, start_y));
		cairo_line_to(cr, chart_scale_map(&sx, d->deadline_year),
			      chart_scale_map(&sy, d->projected));
		cairo_stroke(cr);
		cairo_restore(cr);
	}
	cairo_save(cr);
	chart_set_color(cr, CHART_BLUE, 1.0);
	chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width * 2.2);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (i = 0; i < d->n; i++) {
		double px = chart_scale_map(&sx, d->years[i]);
		double py = chart_scale_map(&sy, d->values[i]);

		if (i == 0)
			cairo_move_to(cr, px, py);
		else
			cairo_line_to(cr, px, py);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
	if (d->op && isfinite(d->target_year))
		chart_draw_marker(cr, CHART_MARK_DIAMOND,
				  chart_scale_map(&sx, d->target_year),
				  chart_scale_map(&sy, d->target),
				  st->marker_size * 1.2, CHART_BLACK, 0);
	if (d->has_projection)
		chart_draw_marker(cr, CHART_MARK_CIRCLE,
				  chart_scale_map(&sx, d->deadline_year),
				  chart_scale_map(&sy, d->projected),
				  st->marker_size * 1.1, CHART_REDDISH_PURPLE,
				  0);
	for (i = 0; i < d->n; i++) {
		double px = chart_scale_map(&sx, d->years[i]);
		double py = chart_scale_map(&sy, d->values[i]);

		chart_draw_marker(cr, CHART_MARK_CIRCLE, px, py,
				  st->marker_size * 1.1, CHART_BLUE, 1);
		/* Every value when they fit, else the last one. */
		if (d->n <= 8 || i + 1 == d->n) {
			value_text(d->values[i], d->decimals, d->percent, num,
				   sizeof num);
			chart_set_color(cr, CHART_BLACK, 1.0);
			chart_label(cr, st, num, st->small_size, 0, px,
				    py - st->marker_size - fs * 0.1,
				    CHART_BOTTOM, 0.0, 1);
		}
	}
	cairo_restore(cr);
	return chart_cairo_check(cr, e);
}

/* ------------------------------------------------------------ e. funnel */

#define FUNNEL_LEVEL_INNER 0.95
#define FUNNEL_LEVEL_OUTER 0.998
#define FUNNEL_SAMPLES 240

int chart_funnel_zone(double p0, long long k, long long n)
{
	double below, above, tail;

	if (n <= 0 || k < 0 || k > n || !(p0 > 0.0 && p0 < 1.0) ||
	    n > 4000000000LL)
		return -1;
	/* The exact tails P(X <= k) and P(X >= k) of Binomial(n, p0), not
	 * the interpolated limit lines: at p0 near 1 the upper line at n
	 * lies just below 100% (99.998% at n = 85, p0 = 0.992) while a
	 * school at 100% happens there with probability 0.5. */
	below = gsl_cdf_binomial_P((unsigned)k, p0, (unsigned)n);
	above = k == 0 ? 1.0
		       : gsl_cdf_binomial_Q((unsigned)(k - 1), p0, (unsigned)n);
	tail = fmin(below, above);
	if (tail < (1.0 - FUNNEL_LEVEL_OUTER) / 2.0)
		return 2;
	if (tail < (1.0 - FUNNEL_LEVEL_INNER) / 2.0)
		return 1;
	return 0;
}

static ss_status check_funnel(const chart_funnel *d, ss_error *e)
{
	size_t i, usable = 0;

	if (!(d->p0 > 0.0 && d->p0 < 1.0))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "unit rate out of range '%g' (expected a "
			       "proportion strictly between 0 and 1)",
			       d->p0);
	if (!d->points && d->npoints > 0)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no points to draw (expected an array)");
	for (i = 0; i < d->npoints; i++) {
		if (d->points[i].n < 0 || d->points[i].k < 0 ||
		    d->points[i].k > d->points[i].n)
			return err_set(e, SS_EUSAGE, NULL, 0, 0,
				       "bad point %zu '%lld/%lld' (expected "
				       "0 <= k <= n)",
				       i + 1, d->points[i].k, d->points[i].n);
		if (d->points[i].n > 0)
			usable++;
	}
	if (usable == 0)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no school with a denominator to draw "
			       "(expected at least one with n > 0)");
	return SS_OK;
}

typedef struct placed {
	double x, y, w, h;
} placed;

static int overlaps(const placed *a, const placed *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	       a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Where a funnel point is drawn. */
typedef struct funnel_frame {
	const chart_funnel *d;
	chart_scale sx, sy;
	double marker;
} funnel_frame;

static void point_at(const funnel_frame *f, size_t i, double *x, double *y)
{
	const chart_funnel_point *p = &f->d->points[i];

	*x = chart_scale_map(&f->sx, (double)p->n);
	*y = chart_scale_map(&f->sy, 100.0 * (double)p->k / (double)p->n);
}

/* 1 when the box covers the marker of any school. */
static int covers_marker(const funnel_frame *f, const placed *c)
{
	size_t i;

	for (i = 0; i < f->d->npoints; i++) {
		placed m;

		if (f->d->points[i].n <= 0)
			continue;
		point_at(f, i, &m.x, &m.y);
		m.x -= f->marker / 2.0;
		m.y -= f->marker / 2.0;
		m.w = m.h = f->marker;
		if (overlaps(c, &m))
			return 1;
	}
	return 0;
}

/* Names the point at (px, py) beside it where the name fits inside the
 * plot without covering a name already placed or any school's marker;
 * leaves it unnamed when no place is free. Returns 1 when placed. */
static int place_label(cairo_t *cr, const chart_style *st,
		       const chart_rect *plot, const funnel_frame *f,
		       const char *text, double px, double py, placed *done,
		       size_t *ndone, size_t cap)
{
	chart_text t;
	double gap = st->marker_size * 0.9;
	int i, ok = 0;

	if (!text || !*text || *ndone >= cap)
		return 0;
	chart_text_init(&t, cr, st, text, st->small_size, 0,
			fmin(plot->w * 0.3, st->font_size * 14.0), 1);
	for (i = 0; i < 4 && !ok; i++) {
		placed c = { 0.0, 0.0, t.width, t.height };
		size_t j;

		/* Right, left, above, below. */
		c.x = i == 0 ? px + gap : i == 1 ? px - gap - t.width
						 : px - t.width / 2.0;
		c.y = i < 2 ? py - t.height / 2.0
		      : i == 2 ? py - gap - t.height
			       : py + gap;
		if (c.x < plot->x || c.y < plot->y ||
		    c.x + c.w > plot->x + plot->w ||
		    c.y + c.h > plot->y + plot->h)
			continue;
		ok = !covers_marker(f, &c);
		for (j = 0; j < *ndone && ok; j++)
			if (overlaps(&c, &done[j]))
				ok = 0;
		if (ok) {
			done[(*ndone)++] = c;
			/* A light backing keeps the name readable over the
			 * limit curves and grid. */
			cairo_set_source_rgba(cr, 1.0, 1.0, 1.0, 0.8);
			cairo_rectangle(cr, c.x - 1.0, c.y, c.w + 2.0, c.h);
			cairo_fill(cr);
			chart_set_color(cr, CHART_BLACK, 1.0);
			chart_text_draw(cr, &t, c.x, c.y, CHART_TOP_LEFT);
		}
	}
	chart_text_release(&t);
	return ok;
}

static void funnel_curve(cairo_t *cr, const chart_scale *sx,
			 const chart_scale *sy, double p0, double level,
			 double n_lo, double n_hi, int upper)
{
	double prev_n = 0.0;
	int i, started = 0;

	/* Geometric sampling: the limits bend most at small n. */
	for (i = 0; i <= FUNNEL_SAMPLES; i++) {
		double n = floor(exp(log(n_lo) + (log(n_hi) - log(n_lo)) * i /
						       FUNNEL_SAMPLES) +
				 0.5);
		double lo, hi;

		if (n < 1.0 || n <= prev_n)
			continue;
		prev_n = n;
		if (!stats_funnel_limits(p0, (long long)n, level, &lo, &hi))
			continue;
		if (!started) {
			cairo_move_to(cr, chart_scale_map(sx, n),
				      chart_scale_map(sy, 100.0 * (upper ? hi : lo)));
			started = 1;
		} else {
			cairo_line_to(cr, chart_scale_map(sx, n),
				      chart_scale_map(sy, 100.0 * (upper ? hi : lo)));
		}
	}
}

static void funnel_y_range(const chart_funnel *d, double *lo, double *hi)
{
	long long nmin = 0;
	double l, h;
	size_t i;

	*lo = *hi = 100.0 * d->p0;
	for (i = 0; i < d->npoints; i++) {
		const chart_funnel_point *p = &d->points[i];
		double rate;

		if (p->n <= 0)
			continue;
		rate = 100.0 * (double)p->k / (double)p->n;
		*lo = fmin(*lo, rate);
		*hi = fmax(*hi, rate);
		if (nmin == 0 || p->n < nmin)
			nmin = p->n;
	}
	/* The outer limits at the smallest school: the widest part of the
	 * funnel that holds data. */
	if (stats_funnel_limits(d->p0, nmin, FUNNEL_LEVEL_OUTER, &l, &h)) {
		*lo = fmin(*lo, 100.0 * l);
		*hi = fmax(*hi, 100.0 * h);
	}
	*lo = fmax(*lo, 0.0);
	*hi = fmin(*hi, 100.0);
}

ss_status chart_draw_funnel(cairo_t *cr, const chart_rect *area,
			    const chart_style *st, const chart_funnel *d,
			    ss_error *e)
{
	static const chart_marker zone_marker[3] = {
		CHART_MARK_CIRCLE, CHART_MARK_TRIANGLE, CHART_MARK_DIAMOND
	};
	static const chart_color zone_color[3] = {
		CHART_BLUE, CHART_ORANGE, CHART_VERMILLION
	};
	ss_status s = chart_check_area(area, d, "funnel plot", e);
	char center[160], num[FMT_BUF_SIZE], note[256];
	chart_legend_item legend[6];
	double ylo, yhi, nmax = 0.0, nmin = 0.0;
	funnel_frame frame;
	axis_labels xl, yl;
	chart_ticks xt, yt;
	chart_scale sx, sy;
	chart_rect r, plot;
	placed done[64];
	size_t i, ndone = 0, unnamed = 0;
	int pass;

	if (s == SS_OK)
		s = check_funnel(d, e);
	if (s != SS_OK)
		return s;
	cairo_save(cr);
	r = chart_draw_header(cr, st, area, d->title, d->subtitle);
	snprintf(center, sizeof center, "%s: %s",
		 d->center_label ? d->center_label : "Toàn đơn vị",
		 fmt_percent(100.0 * d->p0, 1, num, sizeof num));
	legend[0] = (chart_legend_item){ center, CHART_BLACK, CHART_MARK_NONE,
					 1, CHART_LINE_SOLID, 0 };
	legend[1] = (chart_legend_item){ "Giới hạn 95%", CHART_GREY,
					 CHART_MARK_NONE, 1, CHART_LINE_DASHED,
					 0 };
	legend[2] = (chart_legend_item){ "Giới hạn 99,8%", CHART_BLACK,
					 CHART_MARK_NONE, 1, CHART_LINE_DOTTED,
					 0 };
	legend[3] = (chart_legend_item){ "Trong giới hạn 95%", zone_color[0],
					 zone_marker[0], 1, CHART_LINE_NONE,
					 0 };
	legend[4] = (chart_legend_item){ "Ngoài 95%", zone_color[1],
					 zone_marker[1], 1, CHART_LINE_NONE,
					 0 };
	legend[5] = (chart_legend_item){ "Ngoài 99,8% (ghi tên)",
					 zone_color[2], zone_marker[2], 1,
					 CHART_LINE_NONE, 0 };
	chart_draw_legend_into(cr, st, &r, legend, 6);
	for (i = 0; i < d->npoints; i++) {
		if (d->points[i].n <= 0)
			continue;
		nmax = fmax(nmax, (double)d->points[i].n);
		nmin = nmin == 0.0 ? (double)d->points[i].n
				   : fmin(nmin, (double)d->points[i].n);
	}
	funnel_y_range(d, &ylo, &yhi);
	/* Room for the footnote is taken before the plot is laid out; its
	 * text (how many names did not fit) is only known after, so the
	 * note is measured with the longest text it can have. */
	chart_nice_ticks(ylo, yhi, y_tick_budget(st, r.h), &yt);
	labels_from_ticks(&yl, &yt, 1);
	{
		chart_rect body = r;

		draw_footnote(cr, st, &body, " ");
		plot = plot_rect(st, &body, labels_max_width(cr, st, &yl), 1,
				 d->x_title != NULL, d->y_title != NULL);
		chart_nice_ticks(0.0, nmax,
				 x_tick_budget(st, plot.w, st->font_size * 3.0),
				 &xt);
		labels_from_ticks(&xl, &xt, 0);
		chart_scale_init(&sx, xt.lo, xt.hi, plot.x, plot.x + plot.w);
		chart_scale_init(&sy, yt.lo, yt.hi, plot.y + plot.h, plot.y);
		draw_y_axis(cr, st, &plot, &body, &sy, &yl, d->y_title);
		draw_x_axis(cr, st, &plot, &body, &sx, &xl, 1, d->x_title);
	}
	cairo_save(cr);
	cairo_rectangle(cr, plot.x, plot.y, plot.w, plot.h);
	cairo_clip(cr);
	for (pass = 0; pass < 4; pass++) {
		int outer = pass >= 2;

		chart_set_color(cr, outer ? CHART_BLACK : CHART_GREY, 1.0);
		chart_set_line(cr, st,
			       outer ? CHART_LINE_DOTTED : CHART_LINE_DASHED,
			       st->line_width * (outer ? 2.2 : 1.6));
		/* From half the smallest school: below it the limits of a
		 * discrete rate near 0 or 1 are erratic and hold no data. */
		funnel_curve(cr, &sx, &sy, d->p0,
			     outer ? FUNNEL_LEVEL_OUTER : FUNNEL_LEVEL_INNER,
			     fmax(1.0, floor(nmin / 2.0)), xt.hi, pass % 2);
		cairo_stroke(cr);
	}
	chart_set_color(cr, CHART_BLACK, 1.0);
	chart_set_line(cr, st, CHART_LINE_SOLID, st->line_width * 1.6);
	cairo_move_to(cr, plot.x, chart_scale_map(&sy, 100.0 * d->p0));
	cairo_line_to(cr, plot.x + plot.w, chart_scale_map(&sy, 100.0 * d->p0));
	cairo_stroke(cr);
	cairo_restore(cr);
	/* Points in zone order, so that the flagged ones are drawn on top. */
	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < d->npoints; i++) {
			const chart_funnel_point *p = &d->points[i];
			int z = chart_funnel_zone(d->p0, p->k, p->n);

			if (z != pass)
				continue;
			chart_draw_marker(cr, zone_marker[z],
					  chart_scale_map(&sx, (double)p->n),
					  chart_scale_map(&sy, 100.0 * (double)p->k /
								       (double)p->n),
					  st->marker_size, zone_color[z], 1);
		}
	frame.d = d;
	frame.sx = sx;
	frame.sy = sy;
	frame.marker = st->marker_size;
	for (i = 0; i < d->npoints; i++) {
		const chart_funnel_point *p = &d->points[i];
		double px, py;

		if (chart_funnel_zone(d->p0, p->k, p->n) != 2)
			continue;
		point_at(&frame, i, &px, &py);
		if (!place_label(cr, st, &plot, &frame, p->label, px, py, done,
				 &ndone, sizeof done / sizeof done[0]))
			unnamed++;
	}
	if (unnamed > 0)
		snprintf(note, sizeof note,
			 "Giới hạn kiểm soát nhị thức quanh tỷ lệ toàn đơn vị. "
			 "%zu trường ngoài giới hạn 99,8%% không đủ chỗ ghi tên.",
			 unnamed);
	else
		snprintf(note, sizeof note,
			 "Giới hạn kiểm soát nhị thức quanh tỷ lệ toàn đơn vị.");
	draw_footnote(cr, st, &r, note);
	cairo_restore(cr);
	return chart_cairo_check(cr, e);
}

/* ------------------------------------------------------------ adapters */

ss_status chart_targets_fn(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const void *data,
			   ss_error *e)
{
	return chart_draw_targets(cr, area, st, data, e);
}

ss_status chart_norms_fn(cairo_t *cr, const chart_rect *area,
			 const chart_style *st, const void *data, ss_error *e)
{
	return chart_draw_norms(cr, area, st, data, e);
}

ss_status chart_histogram_fn(cairo_t *cr, const chart_rect *area,
			     const chart_style *st, const void *data,
			     ss_error *e)
{
	return chart_draw_histogram(cr, area, st, data, e);
}

ss_status chart_trend_fn(cairo_t *cr, const chart_rect *area,
			 const chart_style *st, const void *data, ss_error *e)
{
	return chart_draw_trend(cr, area, st, data, e);
}

ss_status chart_funnel_fn(cairo_t *cr, const chart_rect *area,
			  const chart_style *st, const void *data, ss_error *e)
{
	return chart_draw_funnel(cr, area, st, data, e);
}
