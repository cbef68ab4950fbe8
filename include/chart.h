/* chart — Vietnamese charts drawn with cairo and Pango.
 *
 * Every chart type is one function that draws plain data onto a cairo_t
 * the caller owns, inside a rectangle, in user units (points on PDF/SVG):
 * the same code writes the PNG and SVG files (chart_write_png/_svg) and
 * can draw straight into the report's PDF surface as vectors. Labels are
 * Vietnamese, numbers in Vietnamese style (fmt.h), colours from the
 * Okabe–Ito palette, and every status is told apart by marker shape as
 * well as by colour. Long names are wrapped and/or ellipsized with Pango
 * to the room they have, never overlapping.
 *
 * Text layout ignores the target surface's hinting (metrics hinting off,
 * unrounded glyph positions), so a chart breaks its lines the same way on
 * PNG, SVG and PDF. Nothing depends on time: the same data give the same
 * bytes.
 *
 * Drawing functions never print; they return SS_EUSAGE for data they
 * cannot draw (the error says why) and SS_EINTERNAL when cairo's sticky
 * status reports a failure.
 */
#ifndef SCHOOLSTAT_CHART_H
#define SCHOOLSTAT_CHART_H

#include <stddef.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "ctable.h"
#include "err.h"
#include "strmap.h"

/* ------------------------------------------------------------ ticks */

#define CHART_MAX_TICKS 32

/* Round-number ticks. Ticks are lo, lo+step, ..., hi (n of them); lo <= the
 * data minimum and hi >= the data maximum; step is 1, 2 or 5 times a power
 * of ten; decimals is the number of fraction digits a label needs so that
 * all labels of the axis have the same number. Values are exact decimal
 * multiples computed as integer * step (no accumulated drift: 0.3 is the
 * double nearest 0.3). */
typedef struct chart_ticks {
	double lo, hi, step;
	int n;
	int decimals;
	double v[CHART_MAX_TICKS];
} chart_ticks;

/* Loose labelling with Heckbert's nice numbers (Graphics Gems, 1990):
 * the smallest step of the form 1, 2 or 5 times a power of ten that covers
 * [min, max] in at most max_ticks ticks, the first tick at or below min and
 * the last at or above max. (Heckbert's own choice of step, from the range
 * rounded to a nice number, can leave half the axis empty: [0, 2.31] in 4
 * ticks gives 0, 2, 4 where this gives 0, 1, 2, 3.) max_ticks is clamped to
 * 3..CHART_MAX_TICKS (a range with zero inside needs three). min > max is
 * swapped. A degenerate range (min == max) is widened: [0, 1] around 0,
 * else by a tenth of |min| each side. Returns the number of ticks, or 0 (t
 * zeroed) when min or max is not finite or the range overflows.
 * Examples (max_ticks 10): [0, 97.3] -> 0, 20, ..., 100;
 * [4.1, 6.9] -> 4, 4.5, ..., 7. */
int chart_nice_ticks(double min, double max, int max_ticks, chart_ticks *t);

/* Heckbert's nicenum: a nice number near x > 0 (round: nearest of 1, 2,
 * 5, 10 times a power of ten; else the smallest not below x). 0 for x <= 0
 * or non-finite x. */
double chart_nice_number(double x, int round);

/* ------------------------------------------------------------ scales */

typedef struct chart_rect {
	double x, y, w, h;
} chart_rect;

/* A linear map from data [d0, d1] to device [r0, r1] (r1 < r0 for a y
 * axis, which grows upwards). */
typedef struct chart_scale {
	double d0, d1, r0, r1;
} chart_scale;

void chart_scale_init(chart_scale *s, double d0, double d1, double r0,
		      double r1);
/* r0 when d0 == d1. */
double chart_scale_map(const chart_scale *s, double v);

/* ------------------------------------------------------------ palette */

/* Okabe & Ito (2008), "Color Universal Design", plus two greys. */
typedef enum chart_color {
	CHART_BLACK,
	CHART_ORANGE,         /* #E69F00 */
	CHART_SKY_BLUE,       /* #56B4E9 */
	CHART_BLUISH_GREEN,   /* #009E73 */
	CHART_YELLOW,         /* #F0E442 */
	CHART_BLUE,           /* #0072B2 */
	CHART_VERMILLION,     /* #D55E00 */
	CHART_REDDISH_PURPLE, /* #CC79A7 */
	CHART_GREY,           /* #7F7F7F: secondary text, no data */
	CHART_LIGHT_GREY,     /* #E5E5E5: grid lines, tracks */
	CHART_COLOR_COUNT
} chart_color;

typedef struct chart_rgb {
	double r, g, b;
} chart_rgb;

chart_rgb chart_palette(chart_color c);
/* "#RRGGBB" of a palette colour (tests, documentation). */
const char *chart_palette_hex(chart_color c);
void chart_set_color(cairo_t *cr, chart_color c, double alpha);

/* ------------------------------------------------------------ style */

typedef struct chart_style {
	char font_family[96];  /* a Pango family list, first choice first */
	double font_size;      /* tick labels and body text, user units */
	double title_size;
	double small_size;     /* footnotes, secondary lines */
	double line_width;
	double marker_size;    /* marker diameter */
	double margin;         /* around the chart inside its rectangle */
} chart_style;

#define CHART_FONT_FAMILY "Noto Sans,DejaVu Sans,Liberation Sans,sans-serif"

/* Defaults scaled from font_size (13 suits an 800 x 500 pt chart shown at
 * A4 width; the report passes a smaller size for a smaller rectangle). */
void chart_style_init(chart_style *s, double font_size);

/* The family Pango actually uses for s->font_family, into buf (for a note
 * when "Noto Sans" is missing and a fallback is drawn). Returns buf. */
const char *chart_font_resolved(const chart_style *s, char *buf, size_t size);

/* Frees the font caches Pango, cairo and fontconfig keep for the whole
 * process (fontconfig stores pointers as offsets, which valgrind and
 * LeakSanitizer report as lost). Call once at the end of main, after the
 * last drawing; harmless when nothing was drawn. */
void chart_fonts_release(void);

/* ------------------------------------------------------------ text */

typedef enum chart_anchor {
	CHART_TOP_LEFT, CHART_TOP, CHART_TOP_RIGHT,
	CHART_LEFT, CHART_CENTER, CHART_RIGHT,
	CHART_BOTTOM_LEFT, CHART_BOTTOM, CHART_BOTTOM_RIGHT
} chart_anchor;

/* A laid-out piece of text. */
typedef struct chart_text {
	PangoLayout *layout;  /* owned; released by chart_text_release */
	double width, height; /* logical size in user units */
	double baseline;      /* of the first line, from the top */
	int lines;
	int ellipsized;       /* 1 when Pango cut the text with '…' */
} chart_text;

/* Lays text out for cr in the style's font at `size` (bold when bold != 0).
 * max_width > 0 limits the width: the text wraps at word (else character)
 * boundaries into at most max_lines lines and the last line is ellipsized
 * at its end; max_width <= 0 leaves it on one unbounded line per '\n'.
 * Release with chart_text_release. */
void chart_text_init(chart_text *t, cairo_t *cr, const chart_style *st,
		     const char *text, double size, int bold,
		     double max_width, int max_lines);
/* Lines are aligned left, centred or right according to the anchor's
 * column. The current colour is used. */
void chart_text_draw(cairo_t *cr, const chart_text *t, double x, double y,
		     chart_anchor anchor);
void chart_text_release(chart_text *t);

/* Lays out, draws and releases in one call; returns the drawn height. */
double chart_label(cairo_t *cr, const chart_style *st, const char *text,
		   double size, int bold, double x, double y,
		   chart_anchor anchor, double max_width, int max_lines);

/* ------------------------------------------------------------ markers */

typedef enum chart_marker {
	CHART_MARK_CIRCLE,
	CHART_MARK_SQUARE,
	CHART_MARK_DIAMOND,
	CHART_MARK_TRIANGLE,      /* pointing up */
	CHART_MARK_TRIANGLE_DOWN,
	CHART_MARK_CROSS,         /* an X */
	CHART_MARK_TICK,          /* a vertical bar: a target or a limit */
	CHART_MARK_NONE
} chart_marker;

/* Draws a marker of diameter size centred on (x, y): filled in colour with
 * a thin dark outline, or (filled == 0) an outline only. */
void chart_draw_marker(cairo_t *cr, chart_marker m, double x, double y,
		       double size, chart_color c, int filled);

typedef enum chart_line {
	CHART_LINE_NONE, CHART_LINE_SOLID, CHART_LINE_DASHED, CHART_LINE_DOTTED
} chart_line;

void chart_set_line(cairo_t *cr, const chart_style *st, chart_line l,
		    double width);

/* A legend entry: a line sample and/or a marker, then the label. */
typedef struct chart_legend_item {
	const char *label;
	chart_color color;
	chart_marker marker;
	int filled;
	chart_line line;
	int bar;             /* 1: a filled square swatch instead */
} chart_legend_item;

/* Draws items left to right from (x, y), wrapping to new rows within
 * width; returns the height used. */
double chart_draw_legend(cairo_t *cr, const chart_style *st, double x,
			 double y, double width,
			 const chart_legend_item *items, size_t n);

/* ------------------------------------------------------------ chart data */

/* Status of a target (chart a): met and not_met from the same year's
 * actual; baseline when only an earlier year's actual exists; no data. */
typedef enum chart_status {
	CHART_MET, CHART_NOT_MET, CHART_BASELINE, CHART_NO_DATA
} chart_status;

/* The colour, marker and Vietnamese word of a status (legend and rows). */
chart_color chart_status_color(chart_status s);
chart_marker chart_status_marker(chart_status s);
const char *chart_status_label(chart_status s);

/* a. Targets against actuals, one row each, each row on its own scale from
 * 0 (targets mix percentages, ratios and counts). */
typedef struct chart_target_row {
	const char *indicator;   /* first line: "Tỷ lệ lên lớp" */
	const char *scope;       /* second line: school or unit name */
	const char *op;          /* ">=", "<=" or "=" */
	double target;
	double actual;           /* ignored for CHART_NO_DATA */
	chart_status status;
	const char *note;        /* e.g. "số liệu 2023-2024"; may be NULL */
	int percent;             /* values are percentages */
	int decimals;            /* for the actual */
} chart_target_row;

typedef struct chart_targets {
	const char *title;       /* NULL: no title (the report has captions) */
	const char *subtitle;    /* may be NULL */
	const chart_target_row *rows;
	size_t nrows;
} chart_targets;

ss_status chart_draw_targets(cairo_t *cr, const chart_rect *area,
			     const chart_style *st, const chart_targets *d,
			     ss_error *e);

/* b. Per school norms: two panels of horizontal bars sharing the school
 * names, each value with its own school's legal limit drawn across its
 * bar. value NAN: no bar; limit NAN: no limit mark. */
typedef struct chart_norm_cell {
	double value;
	double limit;
	int flagged;             /* status is not ok: drawn in vermillion */
} chart_norm_cell;

typedef struct chart_norm_row {
	const char *name;        /* school name */
	chart_norm_cell cell[2];
} chart_norm_row;

typedef struct chart_norms {
	const char *title, *subtitle;
	const char *panel_title[2];  /* "Giáo viên/lớp", "Học sinh/lớp" */
	int decimals[2];             /* for the value labels */
	const char *ok_label;        /* legend: bars within the norm */
	const char *flag_label;      /* legend: bars outside it */
	const char *limit_label;     /* legend: the limit mark */
	const chart_norm_row *rows;
	size_t nrows;
} chart_norms;

ss_status chart_draw_norms(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const chart_norms *d,
			   ss_error *e);

/* c. A score distribution: bins as counted, mean and median marked (NAN:
 * not marked). Scores are on 0..10. */
typedef struct chart_hist_bin {
	double low, high;
	long long count;
} chart_hist_bin;

typedef struct chart_histogram {
	const char *title, *subtitle;
	const char *x_title, *y_title;
	const chart_hist_bin *bins;
	size_t nbins;
	double x_min, x_max;     /* axis range, e.g. 0 and 10 */
	double mean, median;
	int decimals;            /* for mean and median in the legend */
} chart_histogram;

ss_status chart_draw_histogram(cairo_t *cr, const chart_rect *area,
			       const chart_style *st,
			       const chart_histogram *d, ss_error *e);

/* d. An indicator over school years with its target. Years are the first
 * calendar year of the school year (2024 = "2024-2025"). A deadline D
 * (targets.csv "2030") is the school year ending in D, i.e. year D - 1.
 * With has_projection, a dashed trend line of slope `slope` per year runs
 * from the last actual year to the deadline, ending at `projected`. */
typedef struct chart_trend {
	const char *title, *subtitle;
	const char *y_title;
	const double *years;     /* n, increasing */
	const double *values;    /* n */
	size_t n;
	int percent;
	int decimals;
	const char *op;          /* target operator, NULL: no target */
	double target;
	double target_year;      /* where the target applies (its year or
				    the deadline's), NAN: a line only */
	int has_projection;
	double deadline_year;    /* as in years[] */
	double slope;            /* per year */
	double projected;        /* value at deadline_year */
} chart_trend;

ss_status chart_draw_trend(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const chart_trend *d,
			   ss_error *e);

/* e. A funnel plot: each school's rate k/n against the unit's rate p0
 * (a proportion in (0,1)) with binomial control limits at 95% and 99.8%
 * (stats_funnel_limits). Schools outside the 99.8% limits are named. */
typedef struct chart_funnel_point {
	const char *label;       /* school name */
	long long k, n;
} chart_funnel_point;

typedef struct chart_funnel {
	const char *title, *subtitle;
	const char *x_title, *y_title;
	const char *center_label;  /* legend text for the unit's rate */
	double p0;
	const chart_funnel_point *points;
	size_t npoints;
} chart_funnel;

ss_status chart_draw_funnel(cairo_t *cr, const chart_rect *area,
			    const chart_style *st, const chart_funnel *d,
			    ss_error *e);

/* Where a school falls: 0 inside the 95% limits, 1 between 95% and
 * 99.8%, 2 outside 99.8%, judged by the exact binomial tails (the smaller
 * of P(X <= k) and P(X >= k) for X ~ Binomial(n, p0) below 0.025 or
 * 0.001), which agree with the drawn (interpolated) limits except right at
 * them and never flag a school at 0% or 100% that is likely there. -1 for
 * n <= 0, k outside 0..n, p0 outside (0,1). */
int chart_funnel_zone(double p0, long long k, long long n);

/* ------------------------------------------------------------ files */

/* Any chart function above, through a void pointer to its data. */
typedef ss_status (*chart_draw_fn)(cairo_t *cr, const chart_rect *area,
				   const chart_style *st, const void *data,
				   ss_error *e);

/* Adapters with the chart_draw_fn signature. */
ss_status chart_targets_fn(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const void *data,
			   ss_error *e);
ss_status chart_norms_fn(cairo_t *cr, const chart_rect *area,
			 const chart_style *st, const void *data, ss_error *e);
ss_status chart_histogram_fn(cairo_t *cr, const chart_rect *area,
			     const chart_style *st, const void *data,
			     ss_error *e);
ss_status chart_trend_fn(cairo_t *cr, const chart_rect *area,
			 const chart_style *st, const void *data, ss_error *e);
ss_status chart_funnel_fn(cairo_t *cr, const chart_rect *area,
			  const chart_style *st, const void *data, ss_error *e);

/* Draws onto a white page of width x height user units and writes it:
 * PNG at `scale` pixels per unit (800 x 500 at 2 gives 1600 x 1000 px),
 * SVG in points. The file is written to "<path>.tmp" and renamed, so a
 * failed write never leaves a half file under path. SVG element ids that
 * cairo numbers from a process-wide counter are renumbered from 1, so a
 * chart's bytes do not depend on what was drawn before it. SS_EIO (with
 * strerror) when the file cannot be written, SS_EINTERNAL for a cairo
 * failure, or the drawing function's error. */
ss_status chart_write_png(const char *path, double width, double height,
			  double scale, const chart_style *st,
			  chart_draw_fn draw, const void *data, ss_error *e);
ss_status chart_write_svg(const char *path, double width, double height,
			  const chart_style *st, chart_draw_fn draw,
			  const void *data, ss_error *e);

/* The steps of those two, for callers that spread the work (chart_batch):
 * chart_write_png is chart_render_image, chart_encode_image and
 * chart_write_file; chart_write_svg is chart_render_svg and
 * chart_write_file. path only names the file in errors until the write. */

/* The drawing on a white RGB24 image, flushed; the caller destroys *out
 * (NULL on failure). pixels: NULL, or chart_image_bytes() bytes the image
 * is drawn in (their old contents do not matter), which the caller owns
 * and keeps until *out is destroyed: reusing them saves the kernel from
 * handing out fresh pages for every chart. */
ss_status chart_render_image(const char *path, double width, double height,
			     double scale, const chart_style *st,
			     chart_draw_fn draw, const void *data,
			     unsigned char *pixels, cairo_surface_t **out,
			     ss_error *e);
/* Bytes of the pixels of such an image; 0 for a size out of range. */
size_t chart_image_bytes(double width, double height, double scale);
/* The image as PNG bytes (pngout_rgb24); *png is malloc'd.
 * Touches nothing but the image's pixels, so it may run on another thread
 * while the caller draws on. */
ss_status chart_encode_image(const char *path, cairo_surface_t *image,
			     unsigned char **png, size_t *len, ss_error *e);
/* The drawing as an SVG document with canonical ids; *doc is malloc'd. */
ss_status chart_render_svg(const char *path, double width, double height,
			   const chart_style *st, chart_draw_fn draw,
			   const void *data, char **doc, size_t *len,
			   ss_error *e);
/* Writes len bytes to "<path>.tmp" and renames it over path (no half
 * file under path, no temporary file left on failure). SS_EIO. */
ss_status chart_write_file(const char *path, const void *data, size_t len,
			   ss_error *e);

/* ------------------------------------------------------------ batches */

typedef void (*chart_note_fn)(void *ctx, const char *message);

/* Writes many charts as chart_write_png and chart_write_svg would, one
 * after the other, but encodes the PNG images (most of the time) on worker
 * threads while the caller draws the next charts. Drawing, files and notes
 * stay in the caller's thread. Files and notes are committed in the order
 * they were added and nothing after the first failure is, so a batch
 * leaves the same files and tells the same notes as the calls one by one:
 * only the time differs. */
typedef struct chart_batch chart_batch;

/* threads: encoding threads (at most 4); 0 picks one per processor, none
 * on a single processor; negative: none, everything in the caller's
 * thread. A thread that cannot be started is done without. SS_ENOMEM. */
ss_status chart_batch_open(chart_batch **out, int threads, ss_error *e);
/* Draws data into stem.png and stem.svg (stem: a path without extension)
 * and queues both. Returns the batch's first failure when one is known
 * (then the batch takes nothing more), else SS_OK. */
ss_status chart_batch_chart(chart_batch *b, const char *stem, double width,
			    double height, double scale,
			    const chart_style *st, chart_draw_fn draw,
			    const void *data, ss_error *e);
/* Tells note(ctx, message) once everything added before is written. */
ss_status chart_batch_note(chart_batch *b, chart_note_fn note, void *ctx,
			   const char *message, ss_error *e);
/* Waits for the rest and frees b; returns the first failure. *written
 * counts the charts whose two files were written. NULL b does nothing. */
ss_status chart_batch_close(chart_batch *b, size_t *written, ss_error *e);

/* Renumbers cairo's "surfaceN" ids (after '"' or '#') in an SVG document
 * from 1 in order of first appearance (used by chart_write_svg; exposed for
 * tests). Returns a malloc'd copy the caller frees, its length in *outlen,
 * or NULL when out of memory. */
char *chart_svg_canonical_ids(const char *svg, size_t len, size_t *outlen);

/* ------------------------------------------------------------ labels */

/* Vietnamese name of an indicator of the catalogue (ind.h) with its
 * suffix: "promotion_rate" -> "Tỷ lệ lên lớp", "exam_mean:toan" -> "Điểm
 * trung bình thi: Toán", "exam_mean:tn_thpt:toan" -> "Điểm trung bình thi:
 * Toán (tốt nghiệp THPT)". An unknown name comes back unchanged. */
const char *chart_indicator_label(const char *indicator, char *buf,
				  size_t size);
/* 1 when the indicator is a percentage (scale 100 in the catalogue). */
int chart_indicator_is_percent(const char *indicator);
/* Decimals for showing its values: 1 for rates, 2 for scores and
 * teachers per class, 0 for counts. */
int chart_indicator_decimals(const char *indicator);
/* "toan" -> "Toán", "ngu_van" -> "Ngữ văn", ...; unknown: unchanged. */
const char *chart_subject_label(const char *subject);
/* "thcs" -> "THCS", "tieu_hoc" -> "Tiểu học", ...; unknown: unchanged. */
const char *chart_level_label(const char *level);

/* School names from clean/schools.csv, looked up by school_id. */
typedef struct chart_names {
	strmap index;    /* school_id -> position */
	char **names;
	size_t n, cap;
} chart_names;

void chart_names_init(chart_names *m);
void chart_names_release(chart_names *m);
/* Loads school_id and name from a schools table (first row of an id
 * wins). SS_EDATA when the columns are missing, SS_ENOMEM. */
ss_status chart_names_load(chart_names *m, const ctable *schools,
			   ss_error *e);
/* The name, or NULL when unknown. */
const char *chart_names_get(const chart_names *m, const char *school_id);
/* A scope for people: "all" -> "Toàn đơn vị", "level:thcs" -> "Cấp THCS",
 * "commune:X" -> "Xã/phường X", a school id -> its name (or the id). */
const char *chart_scope_label(const chart_names *m, const char *scope,
			      char *buf, size_t size);
/* 1 when scope names one school (no ':' and not "all"). */
int chart_scope_is_school(const char *scope);

/* ------------------------------------------------------------ data */

/* Owns everything the builders below allocate: strings and arrays that
 * the chart structs point into. Release once, after the last drawing. */
typedef struct chart_arena {
	void **blocks;
	size_t n, cap;
} chart_arena;

void chart_arena_init(chart_arena *a);
void chart_arena_release(chart_arena *a);
/* Zeroed memory / a copy of s owned by the arena; NULL when out of
 * memory. */
void *chart_arena_alloc(chart_arena *a, size_t size);
char *chart_arena_strdup(chart_arena *a, const char *s);

/* The latest value of the "year" column ("2024-2025" compares as text)
 * into buf; 0 when the table has no year. */
int chart_latest_year(const ctable *t, char *buf, size_t size);

/* The builders read the contract's output tables (ctable) for one school
 * year. They fail with SS_EDATA and the file and line when a needed column
 * is missing or a cell that must be a number is not; SS_ENOMEM. Rows of
 * other years are ignored; an empty result is not an error. */

/* A target is "in force" in a year when gaps.csv gives it that year, or
 * when it has a deadline and a later year (gaps.csv gives a deadline
 * target the deadline's school year) and an actual not after that year: a
 * 2030 target is followed every year until then. */

/* a. gaps.csv targets in force in year (file order) as target rows; an
 * actual from an earlier year is CHART_BASELINE (note: its year), a
 * deadline target's note says "đến năm 2030". Title set. */
ss_status chart_build_targets(chart_arena *a, const ctable *gaps,
			      const char *year, const chart_names *names,
			      chart_targets *out, ss_error *e);

/* b. norms.csv rows of year for schools (teachers_per_class and
 * students_per_class), one row per school in file order. */
ss_status chart_build_norms(chart_arena *a, const ctable *norms,
			    const char *year, const chart_names *names,
			    chart_norms *out, ss_error *e);

/* c. exam_histograms.csv rows of year and scope all, one histogram per
 * subject (file order) on its 0.25-wide bins (when a subject has no 0.25
 * binning, the first width found for it), mean and median from
 * indicators.csv exam_mean:/exam_median:<subject> of scope all (ind may be
 * NULL: not marked). *subjects gets the subject code of each (for file
 * names). */
ss_status chart_build_histograms(chart_arena *a, const ctable *hist,
				 const ctable *ind, const char *year,
				 chart_histogram **out,
				 const char *const **subjects, size_t *n,
				 ss_error *e);

/* d. One trend per gaps.csv target in force in year whose scope and
 * indicator have values in indicators.csv (all years). A row with a
 * deadline (optional columns deadline, trend_slope, projected, on_track of
 * gaps.csv, used when present) gets its target at the deadline's school
 * year and the projection. *stems gets a file name stem for each
 * ("trend_all_promotion_rate", "_2" added when taken); *skipped counts
 * target rows without any value. SS_EUSAGE for a malformed year. */
ss_status chart_build_trends(chart_arena *a, const ctable *gaps,
			     const ctable *ind, const char *year,
			     const chart_names *names, chart_trend **out,
			     const char *const **stems, size_t *n,
			     size_t *skipped, ss_error *e);

/* e. The funnel of one rate indicator ("promotion_rate") for year: p0 from
 * the scope "all" row, one point per school row with numerator and
 * denominator. *found is 0 (out untouched) when there is no usable "all"
 * row (missing, or a rate of 0 or 100%, where no limits exist). */
ss_status chart_build_funnel(chart_arena *a, const ctable *ind,
			     const char *indicator, const char *year,
			     const chart_names *names, chart_funnel *out,
			     int *found, ss_error *e);

/* ------------------------------------------------------------ stage */

/* Most rows on a page of the paged charts; the rows are then spread
 * evenly over the pages. */
#define CHART_TARGETS_PER_PAGE 10
#define CHART_SCHOOLS_PER_PAGE 16

typedef struct chart_run_options {
	const char *year;     /* "2024-2025"; NULL: see chart_run */
	double width, height; /* page in points; 0: 800 x 500 */
	double scale;         /* PNG pixels per point; 0: 2 */
	chart_note_fn note;   /* told about skipped charts; may be NULL */
	void *note_ctx;
	int threads;          /* PNG encoding threads, as chart_batch_open */
} chart_run_options;

/* The charts stage: reads OUTPUT_DIR/{gaps,norms,indicators,
 * exam_histograms}.csv and clean/schools.csv, writes OUTPUT_DIR/charts/
 * <name>.png and .svg for every chart it has data for (names in the
 * program's --help), and tells `note` about each chart skipped for a
 * missing input or missing data. The year is opt->year, else the latest
 * year in indicators.csv, else the latest of each input. *written counts
 * charts (a PNG and an SVG each). SS_EUSAGE for a malformed opt->year;
 * SS_EIO when an input exists but cannot be read or a chart cannot be
 * written; SS_EDATA for a malformed input; the first error stops. */
ss_status chart_run(const char *outdir, const chart_run_options *opt,
		    size_t *written, ss_error *e);


/* ------------------------------------------------------------ drawing helpers */

/* Helpers every chart kind uses (here and in accr_chart.c). */

/* area shrunk by m on every side, never below 1 x 1. */
chart_rect chart_rect_inset(const chart_rect *area, double m);
/* Takes h off the top of r (leaving at least 1 unit). */
void chart_rect_take_top(chart_rect *r, double h);
void chart_set_grey(cairo_t *cr, double level);
/* SS_EUSAGE naming `what` when data or area is missing or the area is
 * empty or not finite. */
ss_status chart_check_area(const chart_rect *area, const void *data,
			   const char *what, ss_error *e);
/* The sticky cairo status of cr as an ss_status (SS_ENOMEM or
 * SS_EINTERNAL with cairo's message). */
ss_status chart_cairo_check(cairo_t *cr, ss_error *e);
/* Draws title and subtitle inside the margin; returns the room below. */
chart_rect chart_draw_header(cairo_t *cr, const chart_style *st,
			     const chart_rect *area, const char *title,
			     const char *subtitle);
/* Draws a legend at the top of r and takes its height off r. */
void chart_draw_legend_into(cairo_t *cr, const chart_style *st,
			    chart_rect *r, const chart_legend_item *items,
			    size_t n);

#endif
