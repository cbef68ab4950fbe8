/* chart — the shared parts: ticks, scales, palette, text, markers, legend
 * and writing a drawing to PNG and SVG files. The chart types themselves
 * are in chart_draw.c. */
#include "chart.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-svg.h>

#include "pngout.h"

/* ------------------------------------------------------------ ticks */

/* A nice step is m * 10^e with m in {1, 2, 5}. Keeping it in this form
 * (rather than as a double) lets tick values be computed as exact integer
 * products divided by an exact power of ten. */
typedef struct nice_step {
	int m;
	int e;
} nice_step;

/* 10^n; exact for |n| <= 22, where both the loop and the division are. */
static double pow10_exact(int n)
{
	double p = 1.0;
	int i, a = n < 0 ? -n : n;

	if (a > 22)
		return pow(10.0, n);
	for (i = 0; i < a; i++)
		p *= 10.0;
	return n < 0 ? 1.0 / p : p;
}

static double step_value(nice_step s)
{
	return s.e >= 0 ? s.m * pow10_exact(s.e) : s.m / pow10_exact(-s.e);
}

static double tick_value(long long k, nice_step s)
{
	/* k * m / 10^-e rounds once, to the double nearest the decimal
	 * value; k * (m * 10^e) would round twice (0.30000000000000004). */
	if (s.e >= 0)
		return (double)k * s.m * pow10_exact(s.e);
	return (double)(k * s.m) / pow10_exact(-s.e);
}

/* The nice number near x: mode 1 rounds to the nearest (Heckbert's
 * nicenum with round), 0 takes the smallest not below x (nicenum without
 * round), -1 the largest not above x. */
static nice_step nice_of(double x, int mode)
{
	nice_step s;
	double f;

	s.e = (int)floor(log10(x));
	f = x / pow10_exact(s.e);
	/* log10 may land one off near exact powers of ten. */
	if (f < 1.0) {
		s.e--;
		f *= 10.0;
	} else if (f >= 10.0) {
		s.e++;
		f /= 10.0;
	}
	if (mode > 0)
		s.m = f < 1.5 ? 1 : f < 3.0 ? 2 : f < 7.0 ? 5 : 10;
	else if (mode == 0)
		s.m = f <= 1.0 ? 1 : f <= 2.0 ? 2 : f <= 5.0 ? 5 : 10;
	else
		s.m = f < 2.0 ? 1 : f < 5.0 ? 2 : 5;
	if (s.m == 10) {
		s.m = 1;
		s.e++;
	}
	return s;
}

static nice_step next_step(nice_step s)
{
	if (s.m == 1)
		s.m = 2;
	else if (s.m == 2)
		s.m = 5;
	else {
		s.m = 1;
		s.e++;
	}
	return s;
}

double chart_nice_number(double x, int round)
{
	if (!isfinite(x) || x <= 0.0)
		return 0.0;
	return step_value(nice_of(x, round ? 1 : 0));
}

/* Tick indices covering [min, max] for a step; the tolerance absorbs
 * quotients like 0.3 / 0.1 = 2.9999999999999996. */
static void tick_span(double min, double max, double step, long long *k0,
		      long long *k1)
{
	double q0 = min / step, q1 = max / step;

	*k0 = (long long)floor(q0 + 1e-9 * fmax(1.0, fabs(q0)));
	*k1 = (long long)ceil(q1 - 1e-9 * fmax(1.0, fabs(q1)));
	if (*k1 < *k0)
		*k1 = *k0;
}

int chart_nice_ticks(double min, double max, int max_ticks, chart_ticks *t)
{
	nice_step s;
	long long k0, k1;
	double range;
	int i, guard;

	memset(t, 0, sizeof *t);
	if (!isfinite(min) || !isfinite(max))
		return 0;
	if (min > max) {
		double tmp = min;
		min = max;
		max = tmp;
	}
	/* A range lost in the rounding of its magnitude is degenerate too. */
	if (max - min <= fmax(fabs(min), fabs(max)) * 1e-12) {
		if (min == 0.0 && max == 0.0) {
			max = 1.0;
		} else {
			double mid = (min + max) / 2.0, d = fabs(mid) / 10.0;
			min = mid - d;
			max = mid + d;
		}
	}
	range = max - min;
	if (!isfinite(range))
		return 0;
	if (max_ticks < 3)
		max_ticks = 3;
	if (max_ticks > CHART_MAX_TICKS)
		max_ticks = CHART_MAX_TICKS;
	/* No step below range / (max_ticks - 1) can fit, so start at the
	 * largest nice number not above it and take the first that fits.
	 * (Heckbert rounds the range to a nice number first, which can leave
	 * half the axis empty: [0, 2.31] in 4 ticks gives 0, 2, 4.) Each pass
	 * multiplies the step by 2 to 2.5, and once the step is at least the
	 * range three ticks cover it; the guard is a backstop. */
	s = nice_of(range / (max_ticks - 1), -1);
	for (guard = 0; guard < 400; guard++) {
		double step = step_value(s);

		if (!isfinite(step) || step <= 0.0)
			return 0;
		tick_span(min, max, step, &k0, &k1);
		if (k1 - k0 + 1 <= max_ticks)
			break;
		s = next_step(s);
	}
	if (guard == 400)
		return 0;
	t->n = (int)(k1 - k0 + 1);
	for (i = 0; i < t->n; i++)
		t->v[i] = tick_value(k0 + i, s);
	t->lo = t->v[0];
	t->hi = t->v[t->n - 1];
	t->step = step_value(s);
	t->decimals = s.e < 0 ? -s.e : 0;
	return t->n;
}

/* ------------------------------------------------------------ scales */

void chart_scale_init(chart_scale *s, double d0, double d1, double r0,
		      double r1)
{
	s->d0 = d0;
	s->d1 = d1;
	s->r0 = r0;
	s->r1 = r1;
}

double chart_scale_map(const chart_scale *s, double v)
{
	if (s->d1 == s->d0)
		return s->r0;
	return s->r0 + (v - s->d0) / (s->d1 - s->d0) * (s->r1 - s->r0);
}

/* ------------------------------------------------------------ palette */

static const struct {
	unsigned rgb;
	const char *hex;
} palette[CHART_COLOR_COUNT] = {
	[CHART_BLACK] = { 0x000000, "#000000" },
	[CHART_ORANGE] = { 0xE69F00, "#E69F00" },
	[CHART_SKY_BLUE] = { 0x56B4E9, "#56B4E9" },
	[CHART_BLUISH_GREEN] = { 0x009E73, "#009E73" },
	[CHART_YELLOW] = { 0xF0E442, "#F0E442" },
	[CHART_BLUE] = { 0x0072B2, "#0072B2" },
	[CHART_VERMILLION] = { 0xD55E00, "#D55E00" },
	[CHART_REDDISH_PURPLE] = { 0xCC79A7, "#CC79A7" },
	[CHART_GREY] = { 0x7F7F7F, "#7F7F7F" },
	[CHART_LIGHT_GREY] = { 0xE5E5E5, "#E5E5E5" },
};

chart_rgb chart_palette(chart_color c)
{
	chart_rgb out = { 0.0, 0.0, 0.0 };
	unsigned v;

	if ((unsigned)c >= CHART_COLOR_COUNT)
		return out;
	v = palette[c].rgb;
	out.r = ((v >> 16) & 0xFF) / 255.0;
	out.g = ((v >> 8) & 0xFF) / 255.0;
	out.b = (v & 0xFF) / 255.0;
	return out;
}

const char *chart_palette_hex(chart_color c)
{
	return (unsigned)c < CHART_COLOR_COUNT ? palette[c].hex : "#000000";
}

void chart_set_color(cairo_t *cr, chart_color c, double alpha)
{
	chart_rgb v = chart_palette(c);

	if (alpha >= 1.0)
		cairo_set_source_rgb(cr, v.r, v.g, v.b);
	else
		cairo_set_source_rgba(cr, v.r, v.g, v.b, alpha);
}

/* ------------------------------------------------------------ style */

void chart_style_init(chart_style *s, double font_size)
{
	memset(s, 0, sizeof *s);
	snprintf(s->font_family, sizeof s->font_family, "%s",
		 CHART_FONT_FAMILY);
	if (!(font_size > 0.0))
		font_size = 13.0;
	s->font_size = font_size;
	s->title_size = font_size * 1.38;
	s->small_size = font_size * 0.85;
	s->line_width = font_size / 8.0;
	s->marker_size = font_size * 0.8;
	s->margin = font_size * 1.2;
}

/* ------------------------------------------------------------ text */

/* Hinting off and unrounded glyph positions: the same line breaks on an
 * image surface at any scale as on SVG and PDF. */
static void text_context_setup(PangoLayout *layout)
{
	PangoContext *ctx = pango_layout_get_context(layout);
	cairo_font_options_t *fo = cairo_font_options_create();

	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	pango_cairo_context_set_font_options(ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(ctx, FALSE);
	pango_context_set_language(ctx, pango_language_from_string("vi"));
	pango_layout_context_changed(layout);
}

static PangoFontDescription *font_description(const chart_style *st,
					      double size, int bold)
{
	PangoFontDescription *fd = pango_font_description_new();

	pango_font_description_set_family(fd, st->font_family);
	/* Absolute size: user units, whatever the resolution. */
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
						   : PANGO_WEIGHT_NORMAL);
	return fd;
}

void chart_text_init(chart_text *t, cairo_t *cr, const chart_style *st,
		     const char *text, double size, int bold,
		     double max_width, int max_lines)
{
	PangoFontDescription *fd = font_description(st, size, bold);
	PangoRectangle logical;
	/* Pango warns on stderr about invalid UTF-8; the core never prints. */
	gchar *valid = g_utf8_make_valid(text ? text : "", -1);

	memset(t, 0, sizeof *t);
	t->layout = pango_cairo_create_layout(cr);
	text_context_setup(t->layout);
	pango_layout_set_font_description(t->layout, fd);
	pango_font_description_free(fd);
	pango_layout_set_text(t->layout, valid, -1);
	g_free(valid);
	if (max_width > 0.0) {
		pango_layout_set_width(t->layout,
				       (int)(max_width * PANGO_SCALE));
		pango_layout_set_wrap(t->layout, PANGO_WRAP_WORD_CHAR);
		pango_layout_set_ellipsize(t->layout, PANGO_ELLIPSIZE_END);
		pango_layout_set_height(t->layout,
					-(max_lines < 1 ? 1 : max_lines));
	}
	pango_layout_get_extents(t->layout, NULL, &logical);
	t->width = (double)logical.width / PANGO_SCALE;
	t->height = (double)logical.height / PANGO_SCALE;
	t->baseline = (double)pango_layout_get_baseline(t->layout) /
		      PANGO_SCALE;
	t->lines = pango_layout_get_line_count(t->layout);
	t->ellipsized = pango_layout_is_ellipsized(t->layout) ? 1 : 0;
}

void chart_text_draw(cairo_t *cr, const chart_text *t, double x, double y,
		     chart_anchor anchor)
{
	PangoRectangle logical;
	int col = (int)anchor % 3, row = (int)anchor / 3;
	PangoAlignment al = col == 0 ? PANGO_ALIGN_LEFT
			    : col == 1 ? PANGO_ALIGN_CENTER
				       : PANGO_ALIGN_RIGHT;

	if (!t->layout)
		return;
	pango_layout_set_alignment(t->layout, al);
	pango_cairo_update_layout(cr, t->layout);
	pango_layout_get_extents(t->layout, NULL, &logical);
	x -= col == 0 ? 0.0 : col == 1 ? t->width / 2.0 : t->width;
	y -= row == 0 ? 0.0 : row == 1 ? t->height / 2.0 : t->height;
	cairo_move_to(cr, x - (double)logical.x / PANGO_SCALE,
		      y - (double)logical.y / PANGO_SCALE);
	pango_cairo_show_layout(cr, t->layout);
	cairo_new_path(cr);
}

void chart_text_release(chart_text *t)
{
	if (t->layout)
		g_object_unref(t->layout);
	t->layout = NULL;
}

double chart_label(cairo_t *cr, const chart_style *st, const char *text,
		   double size, int bold, double x, double y,
		   chart_anchor anchor, double max_width, int max_lines)
{
	chart_text t;
	double h;

	chart_text_init(&t, cr, st, text, size, bold, max_width, max_lines);
	chart_text_draw(cr, &t, x, y, anchor);
	h = t.height;
	chart_text_release(&t);
	return h;
}

const char *chart_font_resolved(const chart_style *s, char *buf, size_t size)
{
	PangoFontMap *map = pango_cairo_font_map_get_default();
	PangoContext *ctx = pango_font_map_create_context(map);
	PangoFontDescription *fd = font_description(s, 12.0, 0);
	PangoFont *font = pango_font_map_load_font(map, ctx, fd);

	snprintf(buf, size, "%s", "");
	if (font) {
		PangoFontDescription *got = pango_font_describe(font);
		const char *fam = pango_font_description_get_family(got);

		snprintf(buf, size, "%s", fam ? fam : "");
		pango_font_description_free(got);
		g_object_unref(font);
	}
	pango_font_description_free(fd);
	g_object_unref(ctx);
	return buf;
}

void chart_fonts_release(void)
{
	/* The font map holds cairo font faces, which hold fontconfig
	 * patterns. Neither cairo_debug_reset_static_data nor FcFini is
	 * called: both can fail an assertion while Pango's fontconfig thread
	 * still holds its cache (cairo's did in about 5% of runs), and a crash
	 * at exit is worse than caches that stay reachable. */
	pango_cairo_font_map_set_default(NULL);
}

/* ------------------------------------------------------------ markers */

static void marker_path(cairo_t *cr, chart_marker m, double x, double y,
			double size)
{
	double r = size / 2.0;

	switch (m) {
	case CHART_MARK_CIRCLE:
		cairo_new_sub_path(cr);
		cairo_arc(cr, x, y, r, 0.0, 2.0 * G_PI);
		break;
	case CHART_MARK_SQUARE:
		r *= 0.88;
		cairo_rectangle(cr, x - r, y - r, 2.0 * r, 2.0 * r);
		break;
	case CHART_MARK_DIAMOND:
		r *= 1.25;
		cairo_move_to(cr, x, y - r);
		cairo_line_to(cr, x + r, y);
		cairo_line_to(cr, x, y + r);
		cairo_line_to(cr, x - r, y);
		cairo_close_path(cr);
		break;
	case CHART_MARK_TRIANGLE:
	case CHART_MARK_TRIANGLE_DOWN: {
		/* Equal area to the circle, centred on its centroid. */
		double s = r * 2.69, h = s * 0.866;
		double dir = m == CHART_MARK_TRIANGLE ? 1.0 : -1.0;

		cairo_move_to(cr, x, y - dir * h * 2.0 / 3.0);
		cairo_line_to(cr, x + s / 2.0, y + dir * h / 3.0);
		cairo_line_to(cr, x - s / 2.0, y + dir * h / 3.0);
		cairo_close_path(cr);
		break;
	}
	case CHART_MARK_CROSS: {
		double a = r * 1.1, w = r * 0.38;

		/* An X as one outline, so it fills and strokes like the
		 * other shapes. */
		cairo_move_to(cr, x - a, y - a + w);
		cairo_line_to(cr, x - a + w, y - a);
		cairo_line_to(cr, x, y - w);
		cairo_line_to(cr, x + a - w, y - a);
		cairo_line_to(cr, x + a, y - a + w);
		cairo_line_to(cr, x + w, y);
		cairo_line_to(cr, x + a, y + a - w);
		cairo_line_to(cr, x + a - w, y + a);
		cairo_line_to(cr, x, y + w);
		cairo_line_to(cr, x - a + w, y + a);
		cairo_line_to(cr, x - a, y + a - w);
		cairo_line_to(cr, x - w, y);
		cairo_close_path(cr);
		break;
	}
	case CHART_MARK_TICK:
		cairo_rectangle(cr, x - size * 0.13, y - r * 1.3, size * 0.26,
				r * 2.6);
		break;
	case CHART_MARK_NONE:
		break;
	}
}

void chart_draw_marker(cairo_t *cr, chart_marker m, double x, double y,
		       double size, chart_color c, int filled)
{
	if (m == CHART_MARK_NONE)
		return;
	cairo_save(cr);
	cairo_set_dash(cr, NULL, 0, 0.0);
	cairo_new_path(cr);
	marker_path(cr, m, x, y, size);
	if (filled) {
		chart_set_color(cr, c, 1.0);
		cairo_fill_preserve(cr);
		/* A dark rim keeps light colours (yellow, sky blue) visible
		 * on white. */
		cairo_set_source_rgba(cr, 0.0, 0.0, 0.0, 0.55);
		cairo_set_line_width(cr, size * 0.08);
	} else {
		cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
		cairo_fill_preserve(cr);
		chart_set_color(cr, c, 1.0);
		cairo_set_line_width(cr, size * 0.18);
	}
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
	cairo_stroke(cr);
	cairo_restore(cr);
}

void chart_set_line(cairo_t *cr, const chart_style *st, chart_line l,
		    double width)
{
	double w = width > 0.0 ? width : st->line_width;
	double dash[2];

	cairo_set_line_width(cr, w);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
	switch (l) {
	case CHART_LINE_DASHED:
		dash[0] = w * 4.0;
		dash[1] = w * 2.5;
		cairo_set_dash(cr, dash, 2, 0.0);
		break;
	case CHART_LINE_DOTTED:
		/* Round dots: zero-length dashes with round caps. */
		cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
		dash[0] = 0.0;
		dash[1] = w * 2.2;
		cairo_set_dash(cr, dash, 2, 0.0);
		break;
	default:
		cairo_set_dash(cr, NULL, 0, 0.0);
		break;
	}
}

/* ------------------------------------------------------------ legend */

static double legend_swatch_width(const chart_style *st,
				  const chart_legend_item *it)
{
	if (it->line != CHART_LINE_NONE)
		return st->font_size * 2.2;
	return st->font_size * 1.1;
}

static void legend_swatch(cairo_t *cr, const chart_style *st,
			  const chart_legend_item *it, double x, double y,
			  double w)
{
	double cy = y;

	if (it->bar) {
		double s = st->font_size * 0.8;

		chart_set_color(cr, it->color, 1.0);
		cairo_rectangle(cr, x + (w - s) / 2.0, cy - s / 2.0, s, s);
		cairo_fill(cr);
		return;
	}
	if (it->line != CHART_LINE_NONE) {
		cairo_save(cr);
		chart_set_color(cr, it->color, 1.0);
		chart_set_line(cr, st, it->line, st->line_width * 1.6);
		cairo_move_to(cr, x, cy);
		cairo_line_to(cr, x + w, cy);
		cairo_stroke(cr);
		cairo_restore(cr);
	}
	chart_draw_marker(cr, it->marker, x + w / 2.0, cy, st->marker_size,
			  it->color, it->filled);
}

double chart_draw_legend(cairo_t *cr, const chart_style *st, double x,
			 double y, double width,
			 const chart_legend_item *items, size_t n)
{
	double cx = x, row_h = st->font_size * 1.5, gap = st->font_size * 1.2;
	double used = 0.0;
	size_t i;

	if (n == 0)
		return 0.0;
	used = row_h;
	for (i = 0; i < n; i++) {
		const chart_legend_item *it = &items[i];
		double sw = legend_swatch_width(st, it);
		chart_text t;
		double need;

		chart_text_init(&t, cr, st, it->label, st->font_size, 0,
				width - sw - st->font_size * 0.4, 1);
		need = sw + st->font_size * 0.4 + t.width;
		if (cx > x && cx + need > x + width) {
			cx = x;
			y += row_h;
			used += row_h;
		}
		legend_swatch(cr, st, it, cx, y + row_h / 2.0, sw);
		chart_set_color(cr, CHART_BLACK, 1.0);
		chart_text_draw(cr, &t, cx + sw + st->font_size * 0.4,
				y + row_h / 2.0, CHART_LEFT);
		chart_text_release(&t);
		cx += need + gap;
	}
	return used;
}

/* ------------------------------------------------------------ status */

chart_color chart_status_color(chart_status s)
{
	switch (s) {
	case CHART_MET: return CHART_BLUISH_GREEN;
	case CHART_NOT_MET: return CHART_VERMILLION;
	case CHART_BASELINE: return CHART_ORANGE;
	case CHART_NO_DATA: break;
	}
	return CHART_GREY;
}

chart_marker chart_status_marker(chart_status s)
{
	switch (s) {
	case CHART_MET: return CHART_MARK_CIRCLE;
	case CHART_NOT_MET: return CHART_MARK_CROSS;
	case CHART_BASELINE: return CHART_MARK_DIAMOND;
	case CHART_NO_DATA: break;
	}
	return CHART_MARK_SQUARE;
}

const char *chart_status_label(chart_status s)
{
	switch (s) {
	case CHART_MET: return "Đạt";
	case CHART_NOT_MET: return "Chưa đạt";
	case CHART_BASELINE: return "Số liệu năm trước";
	case CHART_NO_DATA: break;
	}
	return "Chưa có số liệu";
}

/* ------------------------------------------------------------ files */

typedef struct membuf {
	char *data;
	size_t len, cap;
	int failed;
} membuf;

static int membuf_put(membuf *b, const char *p, size_t n)
{
	if (b->failed)
		return 0;
	if (n == 0)
		return 1;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		char *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->failed = 1;
			return 0;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 1;
}

static cairo_status_t membuf_write(void *closure, const unsigned char *data,
				   unsigned int length)
{
	return membuf_put(closure, (const char *)data, length)
		       ? CAIRO_STATUS_SUCCESS
		       : CAIRO_STATUS_WRITE_ERROR;
}

ss_status chart_write_file(const char *path, const void *data, size_t len,
			   ss_error *e)
{
	char tmp[ERR_FILE_MAX + 8];
	FILE *fp;
	int err;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "output path too long '%s'", path);
	fp = fopen(tmp, "wb");
	if (!fp)
		return err_set_errno(e, SS_EIO, tmp, errno, "cannot create");
	if (len > 0 && fwrite(data, 1, len, fp) != len) {
		err = errno;
		fclose(fp);
		remove(tmp);
		return err_set_errno(e, SS_EIO, tmp, err, "cannot write");
	}
	if (fflush(fp) != 0 || ferror(fp)) {
		err = errno;
		fclose(fp);
		remove(tmp);
		return err_set_errno(e, SS_EIO, tmp, err, "cannot write");
	}
	if (fclose(fp) != 0) {
		err = errno;
		remove(tmp);
		return err_set_errno(e, SS_EIO, tmp, err, "cannot write");
	}
	if (rename(tmp, path) != 0) {
		err = errno;
		remove(tmp);
		return err_set_errno(e, SS_EIO, path, err, "cannot rename '%s'",
				     tmp);
	}
	return SS_OK;
}

static ss_status cairo_failure(ss_error *e, const char *path,
			       cairo_status_t cs, const char *what)
{
	if (cs == CAIRO_STATUS_NO_MEMORY)
		return err_set(e, SS_ENOMEM, path, 0, 0, "out of memory %s",
			       what);
	return err_set(e, SS_EINTERNAL, path, 0, 0, "cairo failed %s: %s",
		       what, cairo_status_to_string(cs));
}

/* Paints the page white and runs the drawing function; checks the sticky
 * status afterwards. */
static ss_status draw_page(cairo_t *cr, const char *path, double width,
			   double height, const chart_style *st,
			   chart_draw_fn draw, const void *data, ss_error *e)
{
	chart_rect area = { 0.0, 0.0, width, height };
	cairo_status_t cs;
	ss_status s;

	cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
	cairo_paint(cr);
	s = draw(cr, &area, st, data, e);
	if (s != SS_OK)
		return s;
	cs = cairo_status(cr);
	if (cs != CAIRO_STATUS_SUCCESS)
		return cairo_failure(e, path, cs, "while drawing");
	return SS_OK;
}

static ss_status check_size(const char *path, double width, double height,
			    double scale, ss_error *e)
{
	/* cairo's image surfaces stop at 32767 pixels a side. */
	if (!(width >= 1.0 && height >= 1.0 && scale > 0.0 &&
	      width * scale <= 32767.0 && height * scale <= 32767.0))
		return err_set(e, SS_EUSAGE, path, 0, 0,
			       "chart size out of range '%gx%g at %g' "
			       "(expected 1 to 32767 pixels a side)",
			       width, height, scale);
	return SS_OK;
}

size_t chart_image_bytes(double width, double height, double scale)
{
	int w = (int)lround(width * scale), h = (int)lround(height * scale);
	int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, w);

	if (check_size(NULL, width, height, scale, NULL) != SS_OK ||
	    stride <= 0)
		return 0;
	return (size_t)stride * (size_t)h;
}

ss_status chart_render_image(const char *path, double width, double height,
			     double scale, const chart_style *st,
			     chart_draw_fn draw, const void *data,
			     unsigned char *pixels, cairo_surface_t **out,
			     ss_error *e)
{
	cairo_surface_t *surf;
	cairo_t *cr;
	cairo_status_t cs;
	ss_status s;
	int w, h;

	*out = NULL;
	s = check_size(path, width, height, scale, e);
	if (s != SS_OK)
		return s;
	w = (int)lround(width * scale);
	h = (int)lround(height * scale);
	/* Whatever pixels held is painted over: draw_page paints the whole
	 * page white first. */
	surf = pixels ? cairo_image_surface_create_for_data(
				pixels, CAIRO_FORMAT_RGB24, w, h,
				cairo_format_stride_for_width(
					CAIRO_FORMAT_RGB24, w))
		      : cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cs = cairo_surface_status(surf);
	if (cs != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surf);
		return cairo_failure(e, path, cs, "creating the image");
	}
	cr = cairo_create(surf);
	cairo_scale(cr, scale, scale);
	s = draw_page(cr, path, width, height, st, draw, data, e);
	cairo_destroy(cr);
	if (s == SS_OK) {
		cairo_surface_flush(surf);
		cs = cairo_surface_status(surf);
		if (cs != CAIRO_STATUS_SUCCESS)
			s = cairo_failure(e, path, cs, "drawing the image");
	}
	if (s != SS_OK) {
		cairo_surface_destroy(surf);
		return s;
	}
	*out = surf;
	return SS_OK;
}

ss_status chart_encode_image(const char *path, cairo_surface_t *image,
			     unsigned char **png, size_t *len, ss_error *e)
{
	return pngout_rgb24(cairo_image_surface_get_data(image),
			    cairo_image_surface_get_width(image),
			    cairo_image_surface_get_height(image),
			    cairo_image_surface_get_stride(image), path, png,
			    len, e);
}

ss_status chart_write_png(const char *path, double width, double height,
			  double scale, const chart_style *st,
			  chart_draw_fn draw, const void *data, ss_error *e)
{
	cairo_surface_t *image;
	unsigned char *png = NULL;
	size_t len = 0;
	ss_status s = chart_render_image(path, width, height, scale, st, draw,
					 data, NULL, &image, e);

	if (s != SS_OK)
		return s;
	s = chart_encode_image(path, image, &png, &len, e);
	cairo_surface_destroy(image);
	if (s == SS_OK)
		s = chart_write_file(path, png, len, e);
	free(png);
	return s;
}

ss_status chart_render_svg(const char *path, double width, double height,
			   const chart_style *st, chart_draw_fn draw,
			   const void *data, char **doc, size_t *len,
			   ss_error *e)
{
	cairo_surface_t *surf;
	cairo_t *cr;
	cairo_status_t cs;
	membuf svg = { NULL, 0, 0, 0 };
	ss_status s;

	*doc = NULL;
	*len = 0;
	s = check_size(path, width, height, 1.0, e);
	if (s != SS_OK)
		return s;
	surf = cairo_svg_surface_create_for_stream(membuf_write, &svg, width,
						   height);
	cs = cairo_surface_status(surf);
	if (cs != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surf);
		free(svg.data);
		return cairo_failure(e, path, cs, "creating the SVG surface");
	}
	cairo_svg_surface_set_document_unit(surf, CAIRO_SVG_UNIT_PT);
	cr = cairo_create(surf);
	s = draw_page(cr, path, width, height, st, draw, data, e);
	cairo_destroy(cr);
	cs = cairo_surface_status(surf);
	if (s == SS_OK && cs != CAIRO_STATUS_SUCCESS)
		s = cairo_failure(e, path, cs, "drawing the SVG document");
	/* The document is written when the surface is finished; write
	 * errors show in the surface's status only then. */
	cairo_surface_finish(surf);
	cs = cairo_surface_status(surf);
	cairo_surface_destroy(surf);
	if (s == SS_OK && svg.failed)
		s = err_set(e, SS_ENOMEM, path, 0, 0,
			    "out of memory writing the SVG document");
	else if (s == SS_OK && cs != CAIRO_STATUS_SUCCESS)
		s = cairo_failure(e, path, cs, "finishing the SVG document");
	if (s == SS_OK) {
		*doc = chart_svg_canonical_ids(svg.data, svg.len, len);
		if (!*doc)
			s = err_set(e, SS_ENOMEM, path, 0, 0,
				    "out of memory writing the SVG document");
	}
	free(svg.data);
	return s;
}

ss_status chart_write_svg(const char *path, double width, double height,
			  const chart_style *st, chart_draw_fn draw,
			  const void *data, ss_error *e)
{
	char *doc;
	size_t len;
	ss_status s = chart_render_svg(path, width, height, st, draw, data,
				       &doc, &len, e);

	if (s == SS_OK)
		s = chart_write_file(path, doc, len, e);
	free(doc);
	return s;
}

/* ------------------------------------------------------------ svg ids */

#define SURFACE_WORD "surface"

/* Index of id in the renumbering table, adding it when new; -1 on ENOMEM. */
static long id_index(unsigned long **ids, size_t *n, size_t *cap,
		     unsigned long id)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return (long)i;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		unsigned long *p = realloc(*ids, nc * sizeof *p);

		if (!p)
			return -1;
		*ids = p;
		*cap = nc;
	}
	(*ids)[(*n)++] = id;
	return (long)(*n - 1);
}

char *chart_svg_canonical_ids(const char *svg, size_t len, size_t *outlen)
{
	const size_t wl = sizeof SURFACE_WORD - 1;
	membuf out = { NULL, 0, 0, 0 };
	unsigned long *ids = NULL;
	size_t nids = 0, cap = 0, i = 0, start = 0;

	while (i < len) {
		size_t j = i + wl, k;
		unsigned long id = 0;
		long idx;
		char num[24];
		int nd;

		if (!(i > 0 && (svg[i - 1] == '"' || svg[i - 1] == '#') &&
		      len - i > wl && memcmp(svg + i, SURFACE_WORD, wl) == 0 &&
		      svg[j] >= '0' && svg[j] <= '9')) {
			i++;
			continue;
		}
		for (k = j; k < len && svg[k] >= '0' && svg[k] <= '9' &&
			    k - j < 15;
		     k++)
			id = id * 10 + (unsigned long)(svg[k] - '0');
		idx = id_index(&ids, &nids, &cap, id);
		nd = snprintf(num, sizeof num, "%ld", idx + 1);
		if (idx < 0 || !membuf_put(&out, svg + start, j - start) ||
		    !membuf_put(&out, num, (size_t)nd)) {
			free(ids);
			free(out.data);
			return NULL;
		}
		start = i = k;
	}
	free(ids);
	/* One more byte so that an empty document still gets a buffer. */
	if (!membuf_put(&out, svg + start, len - start) ||
	    !membuf_put(&out, "", 1)) {
		free(out.data);
		return NULL;
	}
	*outlen = out.len - 1;
	return out.data;
}

/* ------------------------------------------------------------ drawing helpers shared by
 * the chart kinds (chart_draw.c, accr_chart.c) */

chart_rect chart_rect_inset(const chart_rect *a, double m)
{
	chart_rect r = { a->x + m, a->y + m, a->w - 2.0 * m, a->h - 2.0 * m };

	if (r.w < 1.0)
		r.w = 1.0;
	if (r.h < 1.0)
		r.h = 1.0;
	return r;
}

void chart_rect_take_top(chart_rect *r, double h)
{
	if (h > r->h - 1.0)
		h = r->h - 1.0;
	r->y += h;
	r->h -= h;
}

void chart_set_grey(cairo_t *cr, double level)
{
	cairo_set_source_rgb(cr, level, level, level);
}

ss_status chart_check_area(const chart_rect *area, const void *data,
			    const char *what, ss_error *e)
{
	if (!area || !data)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no %s to draw (expected data and a rectangle)",
			       what);
	if (!(area->w > 0.0 && area->h > 0.0) || !isfinite(area->x) ||
	    !isfinite(area->y) || !isfinite(area->w) || !isfinite(area->h))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "empty rectangle for the %s '%gx%g' "
			       "(expected a positive size)",
			       what, area->w, area->h);
	return SS_OK;
}

ss_status chart_cairo_check(cairo_t *cr, ss_error *e)
{
	cairo_status_t cs = cairo_status(cr);

	if (cs == CAIRO_STATUS_SUCCESS)
		return SS_OK;
	return err_set(e, cs == CAIRO_STATUS_NO_MEMORY ? SS_ENOMEM
						       : SS_EINTERNAL,
		       NULL, 0, 0, "cairo failed while drawing: %s",
		       cairo_status_to_string(cs));
}

chart_rect chart_draw_header(cairo_t *cr, const chart_style *st,
			      const chart_rect *area, const char *title,
			      const char *subtitle)
{
	chart_rect r = chart_rect_inset(area, st->margin);
	double y = r.y;

	if (title && *title) {
		chart_set_color(cr, CHART_BLACK, 1.0);
		y += chart_label(cr, st, title, st->title_size, 1, r.x, y,
				 CHART_TOP_LEFT, r.w, 2);
		y += st->font_size * 0.15;
	}
	if (subtitle && *subtitle) {
		chart_set_grey(cr, 0.3);
		y += chart_label(cr, st, subtitle, st->font_size, 0, r.x, y,
				 CHART_TOP_LEFT, r.w, 2);
	}
	if (y > r.y)
		y += st->font_size * 0.4;
	chart_rect_take_top(&r, y - r.y);
	return r;
}

void chart_draw_legend_into(cairo_t *cr, const chart_style *st,
			     chart_rect *r, const chart_legend_item *items,
			     size_t n)
{
	double h = chart_draw_legend(cr, st, r->x, r->y, r->w, items, n);

	chart_rect_take_top(r, h + st->font_size * 0.6);
}

