/* report_layout — page arithmetic and the page engine of the report:
 * text through Pango, paginated tables, figures, footers. */
#include "report_priv.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ arithmetic */

size_t report_rows_fit(const double *row_h, size_t n, double header_h,
		       double avail)
{
	double used = header_h;
	size_t i;

	for (i = 0; i < n; i++) {
		/* A hair of tolerance: heights summed in a different order
		 * must not push a row that fits exactly to the next page. */
		if (used + row_h[i] > avail + 1e-6)
			break;
		used += row_h[i];
	}
	return i;
}

size_t report_paginate(const double *row_h, size_t n, double header_h,
		       double first_avail, double page_avail, size_t *starts,
		       int *fresh)
{
	size_t pages = 0, i = 0, fit;
	double avail = first_avail;
	int first = 1;

	if (fresh)
		*fresh = 0;
	while (i < n) {
		fit = report_rows_fit(row_h + i, n - i, header_h, avail);
		if (fit == 0 && first && first_avail < page_avail) {
			/* nothing fits in the rest of the page: start the
			 * table on a fresh one */
			if (fresh)
				*fresh = 1;
			first = 0;
			avail = page_avail;
			continue;
		}
		if (fit == 0)
			fit = 1; /* taller than a page: a page of its own */
		starts[pages++] = i;
		i += fit;
		first = 0;
		avail = page_avail;
	}
	/* No widow: a last page with one row takes a second one from the
	 * page before when that page keeps at least two (a row moved to a
	 * later page always fits there: that page holds only two). */
	if (pages >= 2 && n - starts[pages - 1] == 1 &&
	    starts[pages - 1] - starts[pages - 2] >= 3 &&
	    header_h + row_h[n - 2] + row_h[n - 1] <= page_avail + 1e-6)
		starts[pages - 1]--;
	return pages;
}

int report_column_widths(const double *w, size_t n, double total,
			 double *out)
{
	double sum = 0.0, acc = 0.0;
	size_t i;

	if (n == 0 || !(total > 0.0))
		return 0;
	for (i = 0; i < n; i++) {
		if (!(w[i] > 0.0) || !isfinite(w[i]))
			return 0;
		sum += w[i];
	}
	for (i = 0; i + 1 < n; i++) {
		out[i] = total * w[i] / sum;
		acc += out[i];
	}
	/* the last column takes what rounding left, so the sum is exact */
	out[n - 1] = total - acc;
	return 1;
}

size_t report_truncate(size_t n, size_t max_rows, size_t *hidden)
{
	size_t shown = n;

	if (max_rows == 0)
		max_rows = 1;
	if (n > max_rows)
		shown = max_rows - 1;
	if (hidden)
		*hidden = n - shown;
	return shown;
}

/* ------------------------------------------------------------ document */

static const char *const families[] = {
	"Noto Serif,DejaVu Serif,Liberation Serif,serif",
	"Noto Sans,DejaVu Sans,Liberation Sans,sans-serif",
};

static void set_status(rdoc *d, ss_status st, const char *msg)
{
	if (d->status != SS_OK)
		return;
	d->status = err_set(&d->err, st, NULL, 0, 0, "%s", msg);
}

static int cairo_ok(rdoc *d)
{
	cairo_status_t cs;

	if (d->status != SS_OK)
		return 0;
	cs = cairo_status(d->cr);
	if (cs != CAIRO_STATUS_SUCCESS) {
		d->status = err_set(&d->err,
				    cs == CAIRO_STATUS_NO_MEMORY
					    ? SS_ENOMEM
					    : SS_EINTERNAL,
				    NULL, 0, 0, "cairo failed: %s",
				    cairo_status_to_string(cs));
		return 0;
	}
	return 1;
}

void rdoc_fail(rdoc *d, const ss_error *e)
{
	if (d->status != SS_OK)
		return;
	d->err = *e;
	d->status = e->status != SS_OK ? e->status : SS_EINTERNAL;
}

/* ------------------------------------------------------------ layouts */

struct rtext {
	uint64_t hash;
	rfont font;
	int width;           /* Pango units; -1: no width */
	int align, max_lines;
	PangoLayout *layout;
	double height;       /* logical, points; < 0 until asked */
	char text[];
};

void rlayouts_init(rlayouts *c)
{
	memset(c, 0, sizeof *c);
}

void rlayouts_release(rlayouts *c)
{
	size_t i;

	for (i = 0; i < c->nslots; i++)
		if (c->slot[i]) {
			g_object_unref(c->slot[i]->layout);
			free(c->slot[i]);
		}
	free(c->slot);
	for (i = 0; i < c->ndesc; i++)
		pango_font_description_free(c->desc[i].desc);
	if (c->pctx)
		g_object_unref(c->pctx);
	if (c->wctx)
		g_object_unref(c->wctx);
	if (c->fm)
		g_object_unref(c->fm);
	memset(c, 0, sizeof *c);
}

static void set_context_options(PangoContext *pctx)
{
	cairo_font_options_t *fo = cairo_font_options_create();

	/* Hinting off and unrounded positions, as in chart.c: the measuring
	 * pass and the drawing pass break lines identically. */
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(pctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(pctx, FALSE);
	pango_context_set_language(pctx, pango_language_from_string("vi"));
}

static cairo_status_t discard_bytes(void *closure, const unsigned char *data,
				    unsigned int length)
{
	(void)closure;
	(void)data;
	(void)length;
	return CAIRO_STATUS_SUCCESS;
}

static void make_context(rdoc *d)
{
	rlayouts *c = d->lay;
	PangoContext *pctx;

	if (c->fm) {
		/* as pango_cairo_create_context, with the font map the
		 * helper has loaded the fonts of */
		rworker_wait(c->worker, c->fm_ticket);
		pctx = pango_font_map_create_context(c->fm);
		pango_cairo_update_context(d->cr, pctx);
	} else {
		pctx = pango_cairo_create_context(d->cr);
	}
	set_context_options(pctx);
	c->pctx = pctx;
}

void rdoc_init_shared(rdoc *d, cairo_surface_t *surface, int total,
		      const int *known_marks, rlayouts *lay)
{
	memset(d, 0, sizeof *d);
	err_clear(&d->err);
	rlayouts_init(&d->own_lay);
	d->lay = lay ? lay : &d->own_lay;
	d->surface = surface;
	d->pw = RPT_PAGE_W;
	d->ph = RPT_PAGE_H;
	d->ml = RPT_MARGIN_L;
	d->mr = RPT_MARGIN_R;
	d->mt = RPT_MARGIN_T;
	d->mb = RPT_MARGIN_B;
	d->y = d->mt;
	d->total = total;
	d->known_marks = known_marks;
	chart_style_init(&d->chart, 8.0);
	d->cr = cairo_create(surface);
	if (!cairo_ok(d))
		return;
	if (!d->lay->pctx)
		make_context(d);
	d->pctx = d->lay->pctx;
}

void rdoc_init(rdoc *d, cairo_surface_t *surface, int total,
	       const int *known_marks)
{
	rdoc_init_shared(d, surface, total, known_marks, NULL);
}

void rdoc_release(rdoc *d)
{
	rlayouts_release(&d->own_lay);
	if (d->cr)
		cairo_destroy(d->cr);
	d->pctx = NULL;
	d->lay = NULL;
	d->cr = NULL;
}

double rdoc_width(const rdoc *d)
{
	return d->pw - d->ml - d->mr;
}

double rdoc_bottom(const rdoc *d)
{
	return d->ph - d->mb;
}

double rdoc_avail(const rdoc *d)
{
	return rdoc_bottom(d) - d->y;
}

double rdoc_page_body(const rdoc *d)
{
	return rdoc_bottom(d) - d->mt;
}

/* ------------------------------------------------------------ text */

static PangoFontDescription *make_desc(const rfont *f)
{
	PangoFontDescription *fd = pango_font_description_new();

	pango_font_description_set_family(fd, families[f->face]);
	pango_font_description_set_absolute_size(fd, f->size * PANGO_SCALE);
	pango_font_description_set_weight(fd, (f->style & RSTYLE_BOLD)
						      ? PANGO_WEIGHT_BOLD
						      : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_style(fd, (f->style & RSTYLE_ITALIC)
						     ? PANGO_STYLE_ITALIC
						     : PANGO_STYLE_NORMAL);
	return fd;
}

/* The description of f's face, size, weight and style (the other style
 * bits are no part of it), made once; NULL when c has no room for it. */
static const PangoFontDescription *find_desc(rlayouts *c, const rfont *f)
{
	int style = f->style & (RSTYLE_BOLD | RSTYLE_ITALIC);
	size_t i;

	for (i = 0; i < c->ndesc; i++)
		if (c->desc[i].font.face == f->face &&
		    c->desc[i].font.size == f->size &&
		    c->desc[i].font.style == style)
			return c->desc[i].desc;
	if (c->ndesc == RPT_FONT_DESCS)
		return NULL;
	c->desc[c->ndesc].font = (rfont){ f->face, f->size, style };
	c->desc[c->ndesc].desc = make_desc(f);
	return c->desc[c->ndesc++].desc;
}

/* A layout of text in font fd with f's other style bits; width in Pango
 * units (-1: none), max_lines only with a width (0: no limit). */
static PangoLayout *build_layout(PangoContext *pctx,
				 const PangoFontDescription *fd, int style,
				 const char *text, int width, ralign align,
				 int max_lines)
{
	PangoLayout *l = pango_layout_new(pctx);
	/* Pango warns on stderr about invalid UTF-8; the core never prints */
	gchar *valid = g_utf8_make_valid(text ? text : "", -1);

	pango_layout_set_font_description(l, fd);
	if (style & RSTYLE_UNDERLINE) {
		PangoAttrList *al = pango_attr_list_new();

		pango_attr_list_insert(al, pango_attr_underline_new(
						   PANGO_UNDERLINE_SINGLE));
		pango_layout_set_attributes(l, al);
		pango_attr_list_unref(al);
	}
	if (style & RSTYLE_MARKUP)
		pango_layout_set_markup(l, valid, -1);
	else
		pango_layout_set_text(l, valid, -1);
	g_free(valid);
	if (width >= 0) {
		pango_layout_set_width(l, width);
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
		if (max_lines > 0) {
			pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
			pango_layout_set_height(l, -max_lines);
		}
	}
	pango_layout_set_alignment(l, align == RALIGN_CENTER ? PANGO_ALIGN_CENTER
				      : align == RALIGN_RIGHT ? PANGO_ALIGN_RIGHT
							      : PANGO_ALIGN_LEFT);
	return l;
}

static int units_of(double width)
{
	/* width > 0 gives units >= 0: "no width" stays apart */
	return width > 0.0 ? (int)(width * PANGO_SCALE) : -1;
}

static PangoLayout *new_layout(rdoc *d, const rfont *f, const char *text,
			       double width, ralign align, int max_lines)
{
	const PangoFontDescription *fd = find_desc(d->lay, f);
	PangoFontDescription *own = fd ? NULL : make_desc(f);
	PangoLayout *l = build_layout(d->pctx, fd ? fd : own, f->style, text,
				      units_of(width), align,
				      width > 0.0 ? max_lines : 0);

	if (own)
		pango_font_description_free(own);
	return l;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001B3ULL;
	return h ^ (h >> 29);
}

static int same_text(const rtext *t, uint64_t h, const rfont *f,
		     const char *text, int width, int align, int max_lines)
{
	return t->hash == h && t->width == width && t->align == align &&
	       t->max_lines == max_lines && t->font.face == f->face &&
	       t->font.size == f->size && t->font.style == f->style &&
	       strcmp(t->text, text) == 0;
}

static int grow_layouts(rlayouts *c)
{
	size_t n = c->nslots ? c->nslots * 2 : 1024, i;
	rtext **slot = calloc(n, sizeof *slot);

	if (!slot)
		return -1;
	for (i = 0; i < c->nslots; i++) {
		rtext *t = c->slot[i];
		size_t j;

		if (!t)
			continue;
		for (j = (size_t)t->hash & (n - 1); slot[j];
		     j = (j + 1) & (n - 1))
			;
		slot[j] = t;
	}
	free(c->slot);
	c->slot = slot;
	c->nslots = n;
	return 0;
}

/* The entry of a text: found (*fresh 0), or new and not laid out yet
 * (*fresh 1, layout NULL). NULL when out of memory. */
static rtext *text_slot(rlayouts *c, const rfont *f, const char *text,
			double width, ralign align, int max_lines, int *fresh)
{
	const char *s = text ? text : "";
	int w = units_of(width);
	int ml = width > 0.0 && max_lines > 0 ? max_lines : 0;
	uint64_t h = 0xCBF29CE484222325ULL, bits;
	const char *p;
	size_t j, len;
	rtext *t;

	*fresh = 0;
	for (p = s; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001B3ULL;
	}
	len = (size_t)(p - s);
	memcpy(&bits, &f->size, sizeof bits);
	h = mix(h, bits);
	h = mix(h, (uint64_t)(unsigned)f->face << 8 | (unsigned)f->style);
	h = mix(h, (uint64_t)(unsigned)w << 16 | (uint64_t)(unsigned)ml << 4 |
			   (unsigned)align);
	for (j = c->nslots ? (size_t)h & (c->nslots - 1) : 0;
	     c->nslots && (t = c->slot[j]); j = (j + 1) & (c->nslots - 1))
		if (same_text(t, h, f, s, w, (int)align, ml))
			return t;
	if ((c->n + 1) * 2 > c->nslots) {
		if (grow_layouts(c) != 0)
			return NULL;
		for (j = (size_t)h & (c->nslots - 1); c->slot[j];
		     j = (j + 1) & (c->nslots - 1))
			;
	}
	if (!(t = malloc(sizeof *t + len + 1)))
		return NULL;
	t->hash = h;
	t->font = *f;
	t->width = w;
	t->align = (int)align;
	t->max_lines = ml;
	t->height = -1.0;
	t->layout = NULL;
	memcpy(t->text, s, len + 1);
	c->slot[j] = t;
	c->n++;
	*fresh = 1;
	return t;
}

/* Lays out a new entry in pctx with description fd, height included. */
static void fill_entry(PangoContext *pctx, const PangoFontDescription *fd,
		       rtext *t)
{
	PangoRectangle logical;

	t->layout = build_layout(pctx, fd, t->font.style, t->text, t->width,
				 (ralign)t->align, t->max_lines);
	pango_layout_get_extents(t->layout, NULL, &logical);
	t->height = (double)logical.height / PANGO_SCALE;
}

/* The entry of a text, laid out on first use. NULL when out of memory
 * (the caller then lays it out alone). */
static rtext *text_entry(rdoc *d, const rfont *f, const char *text,
			 double width, ralign align, int max_lines)
{
	int fresh;
	rtext *t = text_slot(d->lay, f, text, width, align, max_lines, &fresh);

	if (t && fresh)
		t->layout = new_layout(d, f, t->text, width, align, max_lines);
	return t;
}

/* ------------------------------------------------------------ helper */

/* A context on font map fm made as pango_cairo_create_context makes it on
 * a PDF surface (the surface's font options are part of it), with the
 * report's options; NULL when cairo fails. */
static PangoContext *pdf_context(PangoFontMap *fm)
{
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(
		discard_bytes, NULL, RPT_PAGE_W, RPT_PAGE_H);
	cairo_t *cr = cairo_create(s);
	PangoContext *pctx = NULL;

	if (cairo_status(cr) == CAIRO_STATUS_SUCCESS) {
		pctx = pango_font_map_create_context(fm);
		pango_cairo_update_context(cr, pctx);
		set_context_options(pctx);
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return pctx;
}

/* Loads fonts[0..n) into pctx's font map: fontconfig's set-up and the
 * first use of each face take some milliseconds each. */
static void load_fonts(PangoContext *pctx, const rfont *fonts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		PangoFontDescription *fd = make_desc(&fonts[i]);
		PangoLayout *l = build_layout(pctx, fd, 0, "0 Đạt", -1,
					      RALIGN_LEFT, 0);

		pango_layout_get_extents(l, NULL, NULL);
		g_object_unref(l);
		pango_font_description_free(fd);
	}
}

/* The main thread's fonts, loaded on the helper while the main thread
 * reads the tables; the main thread uses c->fm only after this task. */
static void warm_main_fonts(void *arg)
{
	static const rfont fonts[] = {
		{ RFACE_SERIF, 10.5, 0 },
		{ RFACE_SERIF, 10.5, RSTYLE_BOLD },
		{ RFACE_SERIF, 10.5, RSTYLE_ITALIC },
		{ RFACE_SERIF, 10.5, RSTYLE_BOLD | RSTYLE_ITALIC },
		{ RFACE_SANS, 7.0, 0 },
		{ RFACE_SANS, 7.0, RSTYLE_BOLD },
	};
	rlayouts *c = arg;
	PangoContext *pctx = pdf_context(c->fm);

	if (pctx) {
		load_fonts(pctx, fonts, sizeof fonts / sizeof fonts[0]);
		g_object_unref(pctx);
	}
}

/* The helper's own context (Pango's objects are not shared between
 * threads), on a font map of its own: its fonts are cairo's same font
 * faces, so its layouts draw exactly as the main thread's would. */
static void worker_context(void *arg)
{
	static const rfont fonts[] = {
		{ RFACE_SANS, 7.0, 0 },
		{ RFACE_SANS, 7.0, RSTYLE_BOLD },
		{ RFACE_SANS, 7.5, 0 },
		{ RFACE_SANS, 7.5, RSTYLE_BOLD },
	};
	rlayouts *c = arg;
	PangoFontMap *fm = pango_cairo_font_map_new();

	c->wctx = pdf_context(fm);
	g_object_unref(fm);
	/* the fonts of table cells, loaded before the first table */
	if (c->wctx)
		load_fonts(c->wctx, fonts, sizeof fonts / sizeof fonts[0]);
}

void rlayouts_use_worker(rlayouts *c, rworker *w)
{
	if (!w || !w->running || c->worker)
		return;
	c->worker = w;
	c->fm = pango_cairo_font_map_new();
	c->fm_ticket = rworker_submit(w, warm_main_fonts, c);
	rworker_submit(w, worker_context, c);
}

/* Entries both threads lay out, each taking the next one not taken. */
typedef struct rbatch {
	rlayouts *c;
	rtext **item;
	const PangoFontDescription **desc;
	size_t n;
	atomic_size_t next;
} rbatch;

static void batch_run(rbatch *b, PangoContext *pctx)
{
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->n)
		fill_entry(pctx, b->desc[i], b->item[i]);
}

static void batch_task(void *arg)
{
	rbatch *b = arg;

	if (b->c->wctx)
		batch_run(b, b->c->wctx);
}

static double entry_height(rtext *t)
{
	if (t->height < 0.0)
		t->height = rdoc_layout_height(t->layout);
	return t->height;
}

PangoLayout *rdoc_layout(rdoc *d, const rfont *f, const char *text,
			 double width, ralign align, int max_lines)
{
	rtext *t = text_entry(d, f, text, width, align, max_lines);

	if (!t)
		return new_layout(d, f, text, width, align, max_lines);
	return g_object_ref(t->layout);
}

double rdoc_layout_height(PangoLayout *l)
{
	PangoRectangle logical;

	pango_layout_get_extents(l, NULL, &logical);
	return (double)logical.height / PANGO_SCALE;
}

double rdoc_layout_width(PangoLayout *l)
{
	PangoRectangle logical;

	pango_layout_get_extents(l, NULL, &logical);
	return (double)logical.width / PANGO_SCALE;
}

void rdoc_draw_layout(rdoc *d, PangoLayout *l, double x, double y,
		      double r, double g, double b)
{
	/* The measuring pass (total 0) only needs the layouts' sizes:
	 * shaping glyphs into a PDF that is thrown away was a third of a
	 * national report's time. */
	if (d->status != SS_OK || d->total == 0)
		return;
	cairo_save(d->cr);
	cairo_set_source_rgb(d->cr, r, g, b);
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, l);
	cairo_new_path(d->cr);
	cairo_restore(d->cr);
}

/* The height of a text as drawn with alignment align: the alignment moves
 * lines sideways, never changes their height, and measuring with the
 * alignment the text is drawn with lays it out once instead of twice. */
static double text_height(rdoc *d, const rfont *f, const char *text,
			  double width, ralign align, int max_lines)
{
	rtext *t = text_entry(d, f, text, width, align, max_lines);
	PangoLayout *l;
	double h;

	if (t)
		return entry_height(t);
	l = new_layout(d, f, text, width, align, max_lines);
	h = rdoc_layout_height(l);
	g_object_unref(l);
	return h;
}

/* The cached layout of a text (*owned 0), or one made for this call when
 * the cache is out of memory (*owned 1: the caller unrefs it); *height
 * gets its height. */
static PangoLayout *borrow_layout(rdoc *d, const rfont *f, const char *text,
				  double width, ralign align, int max_lines,
				  double *height, int *owned)
{
	rtext *t = text_entry(d, f, text, width, align, max_lines);
	PangoLayout *l;

	if (t) {
		*owned = 0;
		*height = entry_height(t);
		return t->layout;
	}
	*owned = 1;
	l = new_layout(d, f, text, width, align, max_lines);
	*height = rdoc_layout_height(l);
	return l;
}

double rdoc_text_height(rdoc *d, const rfont *f, const char *text,
			double width, int max_lines)
{
	return text_height(d, f, text, width, RALIGN_LEFT, max_lines);
}

double rdoc_text_at(rdoc *d, const rfont *f, const char *text, double x,
		    double y, double width, ralign align)
{
	PangoLayout *l = rdoc_layout(d, f, text, width, align, 0);
	double h = rdoc_layout_height(l);

	rdoc_draw_layout(d, l, x, y, 0.0, 0.0, 0.0);
	g_object_unref(l);
	return h;
}

/* ------------------------------------------------------------ pages */

static void draw_footer(rdoc *d)
{
	rfont f = { RFACE_SANS, 7.5, 0 };
	char right[64];
	double y = d->ph - d->mb + 16.0, w = rdoc_width(d);
	PangoLayout *l;

	if (d->total == 0)
		return; /* measuring: nothing on the page changes the layout */
	if (d->total > 0)
		snprintf(right, sizeof right, "Trang %d/%d", d->page, d->total);
	else
		snprintf(right, sizeof right, "Trang %d/…", d->page);
	cairo_save(d->cr);
	cairo_set_source_rgb(d->cr, 0.55, 0.55, 0.55);
	cairo_set_line_width(d->cr, 0.5);
	cairo_move_to(d->cr, d->ml, y - 4.0);
	cairo_line_to(d->cr, d->ml + w, y - 4.0);
	cairo_stroke(d->cr);
	cairo_restore(d->cr);
	l = rdoc_layout(d, &f, d->footer, w * 0.78, RALIGN_LEFT, 1);
	rdoc_draw_layout(d, l, d->ml, y, 0.35, 0.35, 0.35);
	g_object_unref(l);
	l = rdoc_layout(d, &f, right, w * 0.2, RALIGN_RIGHT, 1);
	rdoc_draw_layout(d, l, d->ml + w * 0.8, y, 0.2, 0.2, 0.2);
	g_object_unref(l);
}

static void end_page(rdoc *d)
{
	if (d->page == 0 || d->status != SS_OK)
		return;
	draw_footer(d);
	cairo_show_page(d->cr);
	cairo_ok(d);
}

void rdoc_new_page(rdoc *d)
{
	if (d->status != SS_OK)
		return;
	end_page(d);
	d->page++;
	d->y = d->mt;
}

void rdoc_ensure(rdoc *d, double h)
{
	if (d->page == 0 || (h > rdoc_avail(d) && d->y > d->mt + 0.5))
		rdoc_new_page(d);
}

void rdoc_space(rdoc *d, double h)
{
	d->y += h;
	if (d->y > rdoc_bottom(d))
		d->y = rdoc_bottom(d);
}

int rdoc_mark(rdoc *d, int i)
{
	if (i < 0 || i >= RPT_MAX_MARKS)
		return 0;
	d->marks[i] = d->page;
	return rdoc_known_mark(d, i);
}

int rdoc_known_mark(const rdoc *d, int i)
{
	if (!d->known_marks || i < 0 || i >= RPT_MAX_MARKS)
		return 0;
	return d->known_marks[i];
}

ss_status rdoc_finish(rdoc *d)
{
	if (d->page == 0)
		rdoc_new_page(d);
	end_page(d);
	cairo_ok(d);
	return d->status;
}

/* ------------------------------------------------------------ blocks */

void rdoc_par(rdoc *d, const rfont *f, ralign align, double indent,
	      const char *text, double space_after)
{
	PangoLayout *l;
	double h;

	if (d->status != SS_OK)
		return;
	l = rdoc_layout(d, f, text, rdoc_width(d) - indent, align, 0);
	h = rdoc_layout_height(l);
	rdoc_ensure(d, h);
	rdoc_draw_layout(d, l, d->ml + indent, d->y, 0.0, 0.0, 0.0);
	g_object_unref(l);
	rdoc_space(d, h + space_after);
}

void rdoc_heading(rdoc *d, const char *text, double size, double keep)
{
	rfont f = { RFACE_SERIF, size, RSTYLE_BOLD };
	double h;

	if (d->status != SS_OK)
		return;
	h = rdoc_text_height(d, &f, text, rdoc_width(d), 0);
	/* keep the heading with what follows it */
	rdoc_ensure(d, h + keep);
	if (d->y > d->mt + 0.5)
		rdoc_space(d, size * 0.6);
	rdoc_par(d, &f, RALIGN_LEFT, 0.0, text, size * 0.45);
}

void rdoc_figure(rdoc *d, double height, const char *caption,
		 chart_draw_fn fn, const void *data)
{
	rfont f = { RFACE_SERIF, 9.5, RSTYLE_ITALIC };
	chart_rect r;
	char cap[512];
	double ch;
	ss_error e;
	PangoLayout *l;

	if (d->status != SS_OK)
		return;
	snprintf(cap, sizeof cap, "Biểu đồ %d. %s", d->figures + 1,
		 caption ? caption : "");
	ch = text_height(d, &f, cap, rdoc_width(d), RALIGN_CENTER, 0);
	if (height + ch + 6.0 > rdoc_page_body(d))
		height = rdoc_page_body(d) - ch - 6.0;
	rdoc_ensure(d, height + ch + 6.0);
	d->figures++;
	r = (chart_rect){ d->ml, d->y, rdoc_width(d), height };
	err_clear(&e);
	cairo_save(d->cr);
	if (fn(d->cr, &r, &d->chart, data, &e) != SS_OK) {
		cairo_restore(d->cr);
		if (e.status != SS_EUSAGE) {
			rdoc_fail(d, &e);
			return;
		}
		/* data a chart cannot draw (checked before any drawing):
		 * the report goes on and says so where the chart would be */
		d->figures--;
		rdoc_par(d, &f, RALIGN_LEFT, 0.0,
			 "(Không vẽ được biểu đồ: số liệu không phù hợp để vẽ; "
			 "xem bảng số liệu.)",
			 8.0);
		return;
	}
	cairo_restore(d->cr);
	if (!cairo_ok(d))
		return;
	rdoc_space(d, height + 2.0);
	l = rdoc_layout(d, &f, cap, rdoc_width(d), RALIGN_CENTER, 0);
	rdoc_draw_layout(d, l, d->ml, d->y, 0.15, 0.15, 0.15);
	g_object_unref(l);
	rdoc_space(d, ch + 10.0);
}

/* ------------------------------------------------------------ tables */

void rtable_init(rtable *t, const rcol *cols, size_t ncols, double font_size)
{
	memset(t, 0, sizeof *t);
	t->cols = cols;
	t->ncols = ncols;
	t->font_size = font_size;
}

void rtable_release(rtable *t)
{
	size_t i, j;

	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++)
			free(t->rows[i].cell[j].text);
		free(t->rows[i].cell);
	}
	free(t->rows);
	t->rows = NULL;
	t->nrows = t->cap = 0;
}

size_t rtable_add(rtable *t, int kind)
{
	rcell *cells;
	size_t j;

	if (t->oom)
		return (size_t)-1;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		rrow *p = realloc(t->rows, cap * sizeof *p);

		if (!p) {
			t->oom = 1;
			return (size_t)-1;
		}
		t->rows = p;
		t->cap = cap;
	}
	cells = calloc(t->ncols ? t->ncols : 1, sizeof *cells);
	if (!cells) {
		t->oom = 1;
		return (size_t)-1;
	}
	for (j = 0; j < t->ncols; j++)
		cells[j].marker = CHART_MARK_NONE;
	t->rows[t->nrows].cell = cells;
	t->rows[t->nrows].kind = kind;
	return t->nrows++;
}

static rcell *cell_at(rtable *t, size_t row, size_t col)
{
	if (t->oom || row >= t->nrows || col >= t->ncols)
		return NULL;
	return &t->rows[row].cell[col];
}

void rtable_set(rtable *t, size_t row, size_t col, const char *text)
{
	rcell *c = cell_at(t, row, col);
	char *copy;

	if (!c)
		return;
	copy = strdup(text ? text : "");
	if (!copy) {
		t->oom = 1;
		return;
	}
	free(c->text);
	c->text = copy;
}

void rtable_setf(rtable *t, size_t row, size_t col, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rtable_set(t, row, col, buf);
}

void rtable_set_markup(rtable *t, size_t row, size_t col,
		       const char *markup)
{
	rcell *c;

	rtable_set(t, row, col, markup);
	if ((c = cell_at(t, row, col)))
		c->markup = 1;
}

void rtable_style(rtable *t, size_t row, size_t col, int bold,
		  int has_color, chart_color color, chart_marker marker)
{
	rcell *c = cell_at(t, row, col);

	if (!c)
		return;
	c->bold = bold;
	c->has_color = has_color;
	c->color = color;
	c->marker = marker;
}

#define PAD_X 3.0
#define PAD_Y 2.6

typedef struct tgeom {
	double x[64];   /* left edge of each column */
	double w[64];
	double header_h, span_h;
	double *row_h;
} tgeom;

static double marker_room(const rtable *t, const rcell *c)
{
	return c->marker != CHART_MARK_NONE ? t->font_size * 1.25 : 0.0;
}

static double cell_text_width(const rtable *t, const tgeom *g, size_t row,
			      size_t col)
{
	const rcell *c = &t->rows[row].cell[col];
	double w = t->rows[row].kind == RROW_GROUP
			   ? g->x[t->ncols - 1] + g->w[t->ncols - 1] - g->x[0]
			   : g->w[col];

	return fmax(w - 2.0 * PAD_X - marker_room(t, c), 4.0);
}

static rfont cell_font(const rtable *t, size_t row, size_t col)
{
	const rrow *r = &t->rows[row];
	rfont f = { RFACE_SANS, t->font_size, 0 };

	if (r->cell[col].bold || r->kind != RROW_BODY)
		f.style |= RSTYLE_BOLD;
	if (r->cell[col].markup)
		f.style |= RSTYLE_MARKUP;
	return f;
}

static ralign cell_align(const rtable *t, size_t row, size_t col)
{
	return t->rows[row].kind == RROW_GROUP ? RALIGN_LEFT
					       : t->cols[col].align;
}

static double row_height(rdoc *d, const rtable *t, const tgeom *g,
			 size_t row)
{
	size_t j, n = t->rows[row].kind == RROW_GROUP ? 1 : t->ncols;
	double h = 0.0;

	for (j = 0; j < n; j++) {
		rfont f = cell_font(t, row, j);
		const char *s = t->rows[row].cell[j].text;

		if (s && *s)
			h = fmax(h, text_height(d, &f, s,
						cell_text_width(t, g, row, j),
						cell_align(t, row, j),
						RPT_CELL_MAX_LINES));
	}
	if (h == 0.0)
		h = t->font_size * 1.2;
	return h + 2.0 * PAD_Y;
}

/* Below this many new texts in a table the hand-over costs more than it
 * saves. */
#define RPT_BATCH_MIN 64

/* Lays out the cells of t not laid out yet, on both threads when there
 * are enough of them. */
static void prefetch_cells(rdoc *d, const rtable *t, const tgeom *g)
{
	rlayouts *c = d->lay;
	rbatch b;
	size_t cap, i, j, ticket;

	/* the drawing pass finds every cell laid out by the measuring one */
	if (!c->worker || d->total != 0 || t->nrows * t->ncols < RPT_BATCH_MIN)
		return;
	cap = t->nrows * t->ncols;
	memset(&b, 0, sizeof b);
	b.c = c;
	b.item = malloc(cap * sizeof *b.item);
	b.desc = malloc(cap * sizeof *b.desc);
	if (!b.item || !b.desc) {
		/* the cells are then laid out one by one as they are met */
		free(b.item);
		free(b.desc);
		return;
	}
	for (i = 0; i < t->nrows; i++) {
		size_t n = t->rows[i].kind == RROW_GROUP ? 1 : t->ncols;

		for (j = 0; j < n; j++) {
			rfont f = cell_font(t, i, j);
			const char *s = t->rows[i].cell[j].text;
			const PangoFontDescription *fd;
			rtext *e;
			int fresh;

			if (!s || !*s || !(fd = find_desc(c, &f)))
				continue;
			e = text_slot(c, &f, s, cell_text_width(t, g, i, j),
				      cell_align(t, i, j), RPT_CELL_MAX_LINES,
				      &fresh);
			if (e && fresh) {
				b.item[b.n] = e;
				b.desc[b.n++] = fd;
			}
		}
	}
	atomic_init(&b.next, 0);
	ticket = b.n >= RPT_BATCH_MIN
			 ? rworker_submit(c->worker, batch_task, &b)
			 : 0;
	batch_run(&b, d->pctx);
	rworker_wait(c->worker, ticket);
	/* what the helper could not do (it has no context) */
	for (i = 0; i < b.n; i++)
		if (!b.item[i]->layout)
			fill_entry(d->pctx, b.desc[i], b.item[i]);
	free(b.item);
	free(b.desc);
}

/* Span index covering column j, or -1. */
static long span_of(const rtable *t, size_t j)
{
	size_t s;

	for (s = 0; s < t->nspans; s++)
		if (j >= t->spans[s].first &&
		    j < t->spans[s].first + t->spans[s].n)
			return (long)s;
	return -1;
}

static void header_geometry(rdoc *d, const rtable *t, tgeom *g)
{
	rfont f = { RFACE_SANS, t->font_size, RSTYLE_BOLD };
	double span_h = 0.0, col_h = 0.0, lone_h = 0.0;
	size_t j, s;

	for (s = 0; s < t->nspans; s++) {
		double w = 0.0;

		for (j = t->spans[s].first;
		     j < t->spans[s].first + t->spans[s].n && j < t->ncols; j++)
			w += g->w[j];
		span_h = fmax(span_h,
			      text_height(d, &f, t->spans[s].title,
					  w - 2.0 * PAD_X, RALIGN_CENTER, 0) +
				      2.0 * PAD_Y);
	}
	for (j = 0; j < t->ncols; j++) {
		double h = text_height(d, &f, t->cols[j].title,
				       g->w[j] - 2.0 * PAD_X, RALIGN_CENTER,
				       0) +
			   2.0 * PAD_Y;

		if (span_of(t, j) >= 0)
			col_h = fmax(col_h, h);
		else
			lone_h = fmax(lone_h, h);
	}
	g->span_h = t->nspans ? span_h : 0.0;
	g->header_h = fmax(lone_h, g->span_h + col_h);
}

static void stroke_rect(rdoc *d, double x, double y, double w, double h)
{
	cairo_rectangle(d->cr, x, y, w, h);
	cairo_stroke(d->cr);
}

static void fill_rect(rdoc *d, double x, double y, double w, double h,
		      double r, double g, double b)
{
	cairo_save(d->cr);
	cairo_set_source_rgb(d->cr, r, g, b);
	cairo_rectangle(d->cr, x, y, w, h);
	cairo_fill(d->cr);
	cairo_restore(d->cr);
}

static void border_style(rdoc *d)
{
	cairo_set_source_rgb(d->cr, 0.35, 0.35, 0.35);
	cairo_set_line_width(d->cr, 0.5);
}

/* A header text centred in its box. */
static void header_text(rdoc *d, const rtable *t, const char *s, double x,
			double y, double w, double h)
{
	rfont f = { RFACE_SANS, t->font_size, RSTYLE_BOLD };
	double th;
	int owned;
	PangoLayout *l = borrow_layout(d, &f, s, w - 2.0 * PAD_X,
				       RALIGN_CENTER, 0, &th, &owned);

	rdoc_draw_layout(d, l, x + PAD_X, y + (h - th) / 2.0, 0.0, 0.0, 0.0);
	if (owned)
		g_object_unref(l);
}

static void draw_header(rdoc *d, const rtable *t, const tgeom *g, double y)
{
	double total_w = g->x[t->ncols - 1] + g->w[t->ncols - 1] - g->x[0];
	size_t j, s;

	if (d->total == 0)
		return; /* measuring: only the heights matter */
	fill_rect(d, g->x[0], y, total_w, g->header_h, 0.87, 0.90, 0.94);
	cairo_save(d->cr);
	border_style(d);
	for (s = 0; s < t->nspans; s++) {
		double w = 0.0;
		size_t first = t->spans[s].first;

		for (j = first; j < first + t->spans[s].n && j < t->ncols; j++)
			w += g->w[j];
		stroke_rect(d, g->x[first], y, w, g->span_h);
		header_text(d, t, t->spans[s].title, g->x[first], y, w,
			    g->span_h);
	}
	for (j = 0; j < t->ncols; j++) {
		int spanned = span_of(t, j) >= 0;
		double top = spanned ? y + g->span_h : y;
		double h = spanned ? g->header_h - g->span_h : g->header_h;

		stroke_rect(d, g->x[j], top, g->w[j], h);
		header_text(d, t, t->cols[j].title, g->x[j], top, g->w[j], h);
	}
	cairo_restore(d->cr);
}

static void draw_cell_text(rdoc *d, const rtable *t, const tgeom *g,
			   size_t row, size_t col, double x, double y, double h)
{
	const rcell *c = &t->rows[row].cell[col];
	rfont f = cell_font(t, row, col);
	double mr = marker_room(t, c), tw = cell_text_width(t, g, row, col);
	ralign al = cell_align(t, row, col);
	chart_rgb rgb = { 0.0, 0.0, 0.0 };
	PangoLayout *l;
	double th;
	int owned;

	if (!c->text || !*c->text)
		return;
	if (c->has_color)
		rgb = chart_palette(c->color);
	l = borrow_layout(d, &f, c->text, tw, al, RPT_CELL_MAX_LINES, &th,
			  &owned);
	rdoc_draw_layout(d, l, x + PAD_X + mr, y + (h - th) / 2.0, rgb.r,
			 rgb.g, rgb.b);
	if (owned)
		g_object_unref(l);
}

/* A cell's marker sits in the room left of its text (marker_room). */
static void draw_cell_marker(const rtable *t, rdoc *d, size_t row,
			     size_t col, double x, double y, double h)
{
	const rcell *c = &t->rows[row].cell[col];

	if (!c->text || !*c->text || c->marker == CHART_MARK_NONE)
		return;
	chart_draw_marker(d->cr, c->marker, x + PAD_X + marker_room(t, c) * 0.4,
			  y + h / 2.0, t->font_size * 0.8,
			  c->has_color ? c->color : CHART_BLACK, 1);
}

/* The body rows first..end-1 of one page, drawn from y: the shaded rows,
 * then every border as one stroked path of grid lines, then the texts,
 * then the markers. Grouping by kind keeps a page's texts in one PDF text
 * object and its borders in one stroke: drawing cell by cell (border,
 * text, border, ...) made cairo open and close a text object and switch
 * colours per cell, 36,000 times in a national appendix, and that was
 * most of the time spent writing its pages. The lines are square-capped
 * so that the table's outer corners are closed as a rectangle's are. */
static void draw_rows(rdoc *d, const rtable *t, const tgeom *g, size_t first,
		      size_t end, double y)
{
	double x0 = g->x[0];
	double x1 = g->x[t->ncols - 1] + g->w[t->ncols - 1];
	double top, row_y;
	size_t i, j;

	if (d->total == 0 || first >= end)
		return; /* measuring: only the heights matter */
	for (i = first, row_y = y; i < end; row_y += g->row_h[i++]) {
		if (t->rows[i].kind == RROW_GROUP)
			fill_rect(d, x0, row_y, x1 - x0, g->row_h[i], 0.93,
				  0.93, 0.93);
		else if (t->rows[i].kind == RROW_TOTAL)
			fill_rect(d, x0, row_y, x1 - x0, g->row_h[i], 0.96,
				  0.96, 0.92);
	}
	cairo_save(d->cr);
	border_style(d);
	cairo_set_line_cap(d->cr, CAIRO_LINE_CAP_SQUARE);
	cairo_move_to(d->cr, x0, y);
	cairo_line_to(d->cr, x1, y);
	for (i = first, row_y = y; i < end; i++) {
		row_y += g->row_h[i];
		cairo_move_to(d->cr, x0, row_y);
		cairo_line_to(d->cr, x1, row_y);
	}
	/* the outer edges run the whole page; the inner ones stop at the
	 * group rows, which span the table */
	for (j = 0; j <= t->ncols; j++) {
		double x = j < t->ncols ? g->x[j] : x1;
		int outer = j == 0 || j == t->ncols;

		top = y;
		for (i = first, row_y = y; i <= end; i++) {
			int cut = i == end ||
				  (!outer && t->rows[i].kind == RROW_GROUP);

			if (cut && row_y > top) {
				cairo_move_to(d->cr, x, top);
				cairo_line_to(d->cr, x, row_y);
			}
			if (i == end)
				break;
			row_y += g->row_h[i];
			if (cut)
				top = row_y;
		}
	}
	cairo_stroke(d->cr);
	cairo_restore(d->cr);
	for (i = first, row_y = y; i < end; row_y += g->row_h[i++]) {
		size_t n = t->rows[i].kind == RROW_GROUP ? 1 : t->ncols;

		for (j = 0; j < n; j++)
			draw_cell_text(d, t, g, i, j, g->x[j], row_y,
				       g->row_h[i]);
	}
	for (i = first, row_y = y; i < end; row_y += g->row_h[i++]) {
		size_t n = t->rows[i].kind == RROW_GROUP ? 1 : t->ncols;

		for (j = 0; j < n; j++)
			draw_cell_marker(t, d, i, j, g->x[j], row_y,
					 g->row_h[i]);
	}
}

static int table_geometry(rdoc *d, const rtable *t, tgeom *g)
{
	double weights[64];
	size_t j;

	if (t->ncols == 0 || t->ncols > 64)
		return 0;
	for (j = 0; j < t->ncols; j++)
		weights[j] = t->cols[j].weight;
	if (!report_column_widths(weights, t->ncols, rdoc_width(d), g->w))
		return 0;
	for (j = 0; j < t->ncols; j++)
		g->x[j] = j == 0 ? d->ml : g->x[j - 1] + g->w[j - 1];
	header_geometry(d, t, g);
	return 1;
}

void rdoc_table(rdoc *d, const rtable *t, const char *caption)
{
	rfont capf = { RFACE_SERIF, 10.0, RSTYLE_BOLD };
	rfont contf = { RFACE_SERIF, 8.5, RSTYLE_ITALIC };
	char cap[600], cont[80];
	double cap_h = 0.0, cont_h, first_avail, page_avail, total_h;
	size_t *starts = NULL, npages, p, i;
	int fresh, number;
	tgeom g;

	if (d->status != SS_OK)
		return;
	if (t->oom) {
		set_status(d, SS_ENOMEM, "out of memory");
		return;
	}
	if (!table_geometry(d, t, &g)) {
		set_status(d, SS_EINTERNAL, "bad table columns");
		return;
	}
	if (t->nrows == 0)
		return;
	g.row_h = malloc(t->nrows * sizeof *g.row_h);
	starts = malloc(t->nrows * sizeof *starts);
	if (!g.row_h || !starts) {
		free(g.row_h);
		free(starts);
		set_status(d, SS_ENOMEM, "out of memory");
		return;
	}
	prefetch_cells(d, t, &g);
	for (i = 0; i < t->nrows; i++)
		g.row_h[i] = row_height(d, t, &g, i);
	number = caption ? ++d->tables : 0;
	if (caption) {
		snprintf(cap, sizeof cap, "Bảng %d. %s", number, caption);
		cap_h = text_height(d, &capf, cap, rdoc_width(d),
				    RALIGN_CENTER, 0) + 4.0;
	}
	snprintf(cont, sizeof cont, number ? "Bảng %d (tiếp theo)"
					   : "(tiếp theo)",
		 number);
	cont_h = rdoc_text_height(d, &contf, cont, rdoc_width(d), 0) + 3.0;
	if (d->page == 0)
		rdoc_new_page(d);
	page_avail = rdoc_page_body(d) - cont_h;
	/* The caption stays with the header and the first row; a short
	 * table that would split moves whole to the next page. */
	total_h = cap_h + g.header_h;
	for (i = 0; i < t->nrows; i++)
		total_h += g.row_h[i];
	if (report_rows_fit(g.row_h, t->nrows, g.header_h,
			    rdoc_avail(d) - cap_h) == 0 ||
	    (total_h > rdoc_avail(d) &&
	     total_h <= rdoc_page_body(d) * RPT_KEEP_TABLE))
		rdoc_ensure(d, rdoc_page_body(d));
	first_avail = rdoc_avail(d) - cap_h;
	npages = report_paginate(g.row_h, t->nrows, g.header_h, first_avail,
				 page_avail, starts, &fresh);
	/* only when a first row is taller than the rest of the page */
	if (fresh && d->y > d->mt + 0.5)
		rdoc_new_page(d);
	if (caption) {
		PangoLayout *l = rdoc_layout(d, &capf, cap, rdoc_width(d),
					     RALIGN_CENTER, 0);

		rdoc_draw_layout(d, l, d->ml, d->y, 0.0, 0.0, 0.0);
		g_object_unref(l);
		rdoc_space(d, cap_h);
	}
	for (p = 0; p < npages && d->status == SS_OK; p++) {
		size_t end = p + 1 < npages ? starts[p + 1] : t->nrows;

		if (p > 0) {
			PangoLayout *l;

			rdoc_new_page(d);
			l = rdoc_layout(d, &contf, cont, rdoc_width(d),
					RALIGN_LEFT, 0);
			rdoc_draw_layout(d, l, d->ml, d->y, 0.3, 0.3, 0.3);
			g_object_unref(l);
			rdoc_space(d, cont_h);
		}
		draw_header(d, t, &g, d->y);
		d->y += g.header_h;
		draw_rows(d, t, &g, starts[p], end, d->y);
		for (i = starts[p]; i < end; i++)
			d->y += g.row_h[i];
		cairo_ok(d);
	}
	rdoc_space(d, 8.0);
	free(g.row_h);
	free(starts);
}
