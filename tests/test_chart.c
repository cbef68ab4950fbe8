/* Tests for chart: nice ticks against hand-computed tables, scales, the
 * Okabe–Ito palette against the published values, text fitting with
 * Pango, SVG id renumbering, every chart type rendered to PNG and SVG
 * (size, ink in the plot area, byte-identical repeats), the PNG encoder
 * against cairo's own bytes, batches (same files with and without worker
 * threads, nothing written after a failure) and the error paths.
 *
 * Set CHART_TEST_OUT=dir to keep the rendered files for a look. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "chart.h"
#include "report.h"

static int close_rel(double a, double b, double rel)
{
	double scale = fmax(fabs(a), fabs(b));

	return fabs(a - b) <= rel * (scale > 0.0 ? scale : 1.0);
}

/* ------------------------------------------------------------ ticks */

typedef struct tick_case {
	double min, max;
	int max_ticks;
	double lo, hi, step;
	int n, decimals;
} tick_case;

/* Worked by hand (see chart.h): e.g. [4.1, 6.9] at 10 ticks: 2.8 / 9 =
 * 0.31, nice numbers from 0.2 up: 0.2 needs 4.0..7.0 = 16 ticks, 0.5 needs
 * floor(4.1 / 0.5) = 8 -> 4 to ceil(6.9 / 0.5) = 14 -> 7, 7 ticks. */
static const tick_case tick_cases[] = {
	{ 0.0, 97.3, 10, 0.0, 100.0, 20.0, 6, 0 },  /* step 10 gives 11 */
	{ 4.1, 6.9, 10, 4.0, 7.0, 0.5, 7, 1 },
	{ 97.3, 0.0, 10, 0.0, 100.0, 20.0, 6, 0 },  /* swapped */
	{ 0.0, 10.0, 11, 0.0, 10.0, 1.0, 11, 0 },   /* exam scores */
	{ 0.0, 1.0, 5, 0.0, 1.0, 0.5, 3, 1 },       /* 0.2 gives 6 */
	{ -3.2, 7.8, 6, -5.0, 10.0, 5.0, 4, 0 },
	{ 0.001, 0.0093, 10, 0.001, 0.01, 0.001, 10, 3 },
	{ 0.0, 1.667, 5, 0.0, 2.0, 0.5, 5, 1 },     /* teachers per class */
	{ 0.0, 2.31, 4, 0.0, 3.0, 1.0, 4, 0 },      /* Heckbert: 0, 2, 4 */
	{ 0.0, 38.2, 5, 0.0, 40.0, 10.0, 5, 0 },
	{ 0.0, 1062.0, 6, 0.0, 1500.0, 500.0, 4, 0 }, /* 2000/5 -> 500 */
	{ 0.0, 0.0, 10, 0.0, 1.0, 0.2, 6, 1 },      /* degenerate at 0 */
	{ 1062.0, 1062.0, 10, 950.0, 1200.0, 50.0, 6, 0 }, /* +-106.2 */
	{ -5.0, -5.0, 10, -5.6, -4.4, 0.2, 7, 1 },  /* +-0.5 */
	{ -0.1, 0.1, 2, -0.1, 0.1, 0.1, 3, 1 },     /* clamped to 3 */
	{ 2024.0, 2030.0, 10, 2024.0, 2030.0, 1.0, 7, 0 },
};

static void test_nice_ticks_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof tick_cases / sizeof tick_cases[0]; i++) {
		const tick_case *c = &tick_cases[i];
		chart_ticks t;
		int n = chart_nice_ticks(c->min, c->max, c->max_ticks, &t), k;

		if (n != c->n || t.n != c->n || !close_rel(t.lo, c->lo, 1e-12) ||
		    !close_rel(t.hi, c->hi, 1e-12) ||
		    !close_rel(t.step, c->step, 1e-12) ||
		    t.decimals != c->decimals)
			fail_msg("case %zu [%g, %g]/%d: got %d ticks %g..%g step "
				 "%g dec %d; want %d ticks %g..%g step %g dec %d",
				 i, c->min, c->max, c->max_ticks, n, t.lo, t.hi,
				 t.step, t.decimals, c->n, c->lo, c->hi,
				 c->step, c->decimals);
		for (k = 0; k < t.n; k++)
			if (!close_rel(t.v[k], c->lo + k * c->step, 1e-12))
				fail_msg("case %zu tick %d = %.17g", i, k,
					 t.v[k]);
		/* Loose labelling: the ticks cover the data. */
		assert_true(t.lo <= fmin(c->min, c->max));
		assert_true(t.hi >= fmax(c->min, c->max));
		assert_true(t.n <= (c->max_ticks < 3 ? 3 : c->max_ticks));
	}
}

/* Tick values are the doubles nearest the decimals, not sums of steps. */
static void test_nice_ticks_exact_values(void **state)
{
	chart_ticks t;

	(void)state;
	assert_int_equal(chart_nice_ticks(0.0, 0.3, 10, &t), 7);
	assert_true(t.step == 0.05);
	assert_true(t.v[3] == 0.15);   /* 3 * 0.05 = 0.15000000000000002 */
	assert_true(t.v[6] == 0.3);    /* 6 * 0.05 = 0.30000000000000004 */
	assert_int_equal(chart_nice_ticks(0.3, 0.7, 5, &t), 5);
	assert_true(t.v[0] == 0.3);    /* 0.3 / 0.1 is 2.9999999999999996 */
	assert_true(t.v[4] == 0.7);
}

static void test_nice_ticks_invalid(void **state)
{
	chart_ticks t;

	(void)state;
	assert_int_equal(chart_nice_ticks(NAN, 1.0, 5, &t), 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(chart_nice_ticks(0.0, INFINITY, 5, &t), 0);
	assert_int_equal(chart_nice_ticks(-1e308, 1e308, 5, &t), 0);
	/* Never more than CHART_MAX_TICKS. */
	assert_true(chart_nice_ticks(0.0, 1000.0, 1000, &t) <= CHART_MAX_TICKS);
	assert_int_equal(t.n, 21); /* range 1000, step 1000/31 -> 50 */
}

typedef struct nice_case {
	double x;
	int round;
	double want;
} nice_case;

static const nice_case nice_cases[] = {
	{ 97.3, 0, 100.0 }, { 97.3, 1, 100.0 }, { 1.4, 1, 1.0 },
	{ 1.5, 1, 2.0 },    { 2.9, 1, 2.0 },    { 3.0, 1, 5.0 },
	{ 6.9, 1, 5.0 },    { 7.0, 1, 10.0 },   { 1.0, 0, 1.0 },
	{ 1.01, 0, 2.0 },   { 2.0, 0, 2.0 },    { 2.1, 0, 5.0 },
	{ 5.1, 0, 10.0 },   { 0.0042, 0, 0.005 }, { 1000.0, 0, 1000.0 },
	{ 0.0, 0, 0.0 },    { -3.0, 1, 0.0 },   { NAN, 1, 0.0 },
};

static void test_nice_number_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof nice_cases / sizeof nice_cases[0]; i++) {
		double got = chart_nice_number(nice_cases[i].x,
					       nice_cases[i].round);

		if (!close_rel(got, nice_cases[i].want, 1e-12))
			fail_msg("case %zu: nicenum(%g, %d) = %g, want %g", i,
				 nice_cases[i].x, nice_cases[i].round, got,
				 nice_cases[i].want);
	}
}

static void test_scale(void **state)
{
	chart_scale s;

	(void)state;
	chart_scale_init(&s, 0.0, 100.0, 50.0, 450.0);
	assert_true(close_rel(chart_scale_map(&s, 0.0), 50.0, 1e-12));
	assert_true(close_rel(chart_scale_map(&s, 25.0), 150.0, 1e-12));
	assert_true(close_rel(chart_scale_map(&s, 100.0), 450.0, 1e-12));
	/* A y axis grows upwards. */
	chart_scale_init(&s, 0.0, 10.0, 400.0, 100.0);
	assert_true(close_rel(chart_scale_map(&s, 2.5), 325.0, 1e-12));
	chart_scale_init(&s, 3.0, 3.0, 7.0, 9.0);
	assert_true(chart_scale_map(&s, 3.0) == 7.0);
}

/* Okabe & Ito (2008), as published: #E69F00 = (230, 159, 0), ... */
static void test_palette(void **state)
{
	static const struct {
		chart_color c;
		int r, g, b;
		const char *hex;
	} want[] = {
		{ CHART_BLACK, 0, 0, 0, "#000000" },
		{ CHART_ORANGE, 230, 159, 0, "#E69F00" },
		{ CHART_SKY_BLUE, 86, 180, 233, "#56B4E9" },
		{ CHART_BLUISH_GREEN, 0, 158, 115, "#009E73" },
		{ CHART_YELLOW, 240, 228, 66, "#F0E442" },
		{ CHART_BLUE, 0, 114, 178, "#0072B2" },
		{ CHART_VERMILLION, 213, 94, 0, "#D55E00" },
		{ CHART_REDDISH_PURPLE, 204, 121, 167, "#CC79A7" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		chart_rgb c = chart_palette(want[i].c);

		assert_int_equal(lround(c.r * 255.0), want[i].r);
		assert_int_equal(lround(c.g * 255.0), want[i].g);
		assert_int_equal(lround(c.b * 255.0), want[i].b);
		assert_string_equal(chart_palette_hex(want[i].c), want[i].hex);
	}
	assert_string_equal(chart_palette_hex(CHART_COLOR_COUNT), "#000000");
	/* Each status differs in colour and in marker. */
	for (i = 0; i < 4; i++) {
		size_t j;

		for (j = i + 1; j < 4; j++) {
			assert_int_not_equal(chart_status_color((chart_status)i),
					     chart_status_color((chart_status)j));
			assert_int_not_equal(chart_status_marker((chart_status)i),
					     chart_status_marker((chart_status)j));
		}
	}
	assert_string_equal(chart_status_label(CHART_NOT_MET), "Chưa đạt");
}

/* ------------------------------------------------------------ text */

static const char long_name[] =
	"Trường Trung học cơ sở Nguyễn Văn Trỗi – phân hiệu Thạnh Lộc, "
	"phường Thạnh Xuân";

static void test_text_fit(void **state)
{
	cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							   10, 10);
	cairo_t *cr = cairo_create(surf);
	chart_style st;
	chart_text full, one, two, shorter;

	(void)state;
	chart_style_init(&st, 13.0);
	chart_text_init(&full, cr, &st, long_name, 13.0, 0, 0.0, 1);
	assert_true(full.width > 300.0);
	assert_int_equal(full.lines, 1);
	assert_int_equal(full.ellipsized, 0);

	/* One line, 150 units: cut with an ellipsis to fit. */
	chart_text_init(&one, cr, &st, long_name, 13.0, 0, 150.0, 1);
	assert_int_equal(one.lines, 1);
	assert_int_equal(one.ellipsized, 1);
	assert_true(one.width <= 150.0 + 0.01);
	assert_true(one.width > 100.0);
	assert_true(strstr(pango_layout_get_text(one.layout), "Trường") != NULL);
	assert_true(close_rel(one.height, full.height, 1e-9));

	/* Two lines: wrapped at a word, the second one ellipsized. */
	chart_text_init(&two, cr, &st, long_name, 13.0, 0, 150.0, 2);
	assert_int_equal(two.lines, 2);
	assert_int_equal(two.ellipsized, 1);
	assert_true(two.width <= 150.0 + 0.01);
	assert_true(close_rel(two.height, 2.0 * one.height, 0.05));

	/* A name that fits is left alone. */
	chart_text_init(&shorter, cr, &st, "Trường TH A", 13.0, 0, 150.0, 2);
	assert_int_equal(shorter.lines, 1);
	assert_int_equal(shorter.ellipsized, 0);
	assert_true(shorter.width < 150.0);

	chart_text_release(&full);
	chart_text_release(&one);
	chart_text_release(&two);
	chart_text_release(&shorter);
	chart_text_release(&shorter); /* twice is harmless */
	cairo_destroy(cr);
	cairo_surface_destroy(surf);
}

/* Invalid UTF-8 is drawn with replacement characters, not rejected. */
static void test_text_invalid_utf8(void **state)
{
	cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							   10, 10);
	cairo_t *cr = cairo_create(surf);
	chart_style st;
	chart_text t;

	(void)state;
	chart_style_init(&st, 13.0);
	chart_text_init(&t, cr, &st, "Tr\xff\xfeng", 13.0, 1, 0.0, 1);
	assert_true(t.width > 0.0);
	assert_true(g_utf8_validate(pango_layout_get_text(t.layout), -1, NULL));
	chart_text_release(&t);
	chart_text_init(&t, cr, &st, NULL, 13.0, 0, 0.0, 1);
	assert_int_equal(t.ellipsized, 0);
	chart_text_release(&t);
	cairo_destroy(cr);
	cairo_surface_destroy(surf);
}

static void test_font_resolved(void **state)
{
	chart_style st;
	char buf[128];

	(void)state;
	chart_style_init(&st, 13.0);
	/* fonts-noto-core is a build dependency. */
	assert_string_equal(chart_font_resolved(&st, buf, sizeof buf),
			    "Noto Sans");
	/* A missing family falls back to some installed font. */
	snprintf(st.font_family, sizeof st.font_family, "No Such Font XYZ");
	chart_font_resolved(&st, buf, sizeof buf);
	assert_true(buf[0] != '\0');
}

/* ------------------------------------------------------------ svg ids */

static void test_svg_canonical_ids(void **state)
{
	static const char in[] =
		"<g id=\"surface17\"><use xlink:href=\"#surface9\"/>"
		"<g id=\"surface9\"/> surface5 \"surfaceX\" \"surface\"";
	static const char want[] =
		"<g id=\"surface1\"><use xlink:href=\"#surface2\"/>"
		"<g id=\"surface2\"/> surface5 \"surfaceX\" \"surface\"";
	size_t len = 0;
	char *out = chart_svg_canonical_ids(in, sizeof in - 1, &len);

	(void)state;
	assert_non_null(out);
	assert_int_equal(len, sizeof want - 1);
	assert_string_equal(out, want);
	free(out);
	out = chart_svg_canonical_ids("", 0, &len);
	assert_non_null(out);
	assert_int_equal(len, 0);
	free(out);
	/* Ids can get longer: the tenth new id of one-digit originals. */
	out = chart_svg_canonical_ids(
		"\"surface9\"\"surface8\"\"surface7\"\"surface6\"\"surface5\""
		"\"surface4\"\"surface3\"\"surface2\"\"surface1\"\"surface0\"",
		100, &len);
	assert_non_null(out);
	assert_string_equal(out + len - 11, "\"surface10\"");
	free(out);
}

/* ------------------------------------------------------------ fixtures */

static const chart_target_row target_rows[] = {
	{ "Tỷ lệ lên lớp", "Toàn đơn vị", ">=", 98.0, 97.42, CHART_NOT_MET,
	  NULL, 1, 1 },
	{ "Tỷ lệ bỏ học", "Cấp THCS", "<=", 1.0, 0.64, CHART_MET, NULL, 1, 1 },
	{ "Học sinh/lớp", long_name, "<=", 35.0, 38.2, CHART_BASELINE,
	  "số liệu 2023-2024", 0, 1 },
	{ "Tỷ lệ trường đạt chuẩn quốc gia", "Toàn đơn vị", ">=", 80.0, 0.0,
	  CHART_NO_DATA, NULL, 1, 1 },
	{ "Điểm trung bình thi: Toán", "Toàn đơn vị", ">=", 6.5, 6.62,
	  CHART_MET, NULL, 0, 2 },
};

static const chart_targets targets_fixture = {
	"Chỉ tiêu và thực hiện, năm học 2024-2025",
	"Đơn vị: Phòng Giáo dục và Đào tạo mẫu", target_rows, 5
};

static const chart_norm_row norm_rows[] = {
	{ "Trường Tiểu học Kim Đồng", { { 1.52, 1.5, 0 }, { 33.1, 35.0, 0 } } },
	{ long_name, { { 1.667, 1.9, 1 }, { 46.3, 45.0, 1 } } },
	{ "Trường Mầm non Hoa Sen", { { 2.0, 2.2, 1 }, { 28.0, 35.0, 0 } } },
	{ "Trường THCS Lê Lợi", { { 1.95, 1.9, 0 }, { NAN, 45.0, 0 } } },
	{ "Trường THPT Chu Văn An", { { 2.31, 2.25, 0 }, { 41.0, 45.0, 0 } } },
};

static const chart_norms norms_fixture = {
	"Giáo viên/lớp và học sinh/lớp theo trường, năm học 2024-2025",
	NULL,
	{ "Giáo viên trên lớp", "Học sinh trên lớp" },
	{ 2, 1 },
	"Đạt định mức",
	"Không đạt định mức",
	"Định mức của trường",
	norm_rows,
	5
};

static chart_hist_bin hist_bins[40];

static chart_histogram hist_fixture = {
	"Phổ điểm môn Toán, năm học 2024-2025",
	"Toàn đơn vị · 1.062 thí sinh",
	"Điểm",
	"Số thí sinh",
	hist_bins,
	40,
	0.0,
	10.0,
	6.12,
	6.25,
	2
};

static void fill_histogram(void)
{
	int i;

	for (i = 0; i < 40; i++) {
		double mid = 0.25 * i + 0.125;

		hist_bins[i].low = 0.25 * i;
		hist_bins[i].high = 0.25 * (i + 1);
		hist_bins[i].count =
			(long long)(60.0 * exp(-(mid - 6.2) * (mid - 6.2) / 3.0));
	}
}

static const double trend_years[] = { 2020, 2021, 2022, 2023, 2024 };
static const double trend_values[] = { 91.2, 92.5, 93.1, 94.8, 95.6 };

static const chart_trend trend_fixture = {
	"Tỷ lệ trường đạt chuẩn quốc gia qua các năm",
	"Toàn đơn vị",
	"Tỷ lệ (%)",
	trend_years,
	trend_values,
	5,
	1,
	1,
	">=",
	98.0,
	2029.0,
	1,
	2029.0,
	0.8,
	99.5,
};

static const chart_funnel_point funnel_points[] = {
	{ "Trường TH Kim Đồng", 412, 420 },
	{ "Trường TH Lê Văn Tám", 300, 330 },   /* 90.9%: far below */
	{ "Trường THCS Lê Lợi", 880, 890 },
	{ long_name, 1190, 1250 },              /* 95.2%: below */
	{ "Trường MN Hoa Sen", 95, 96 },
	{ "Trường TH Nguyễn Du", 205, 210 },
	{ "Trường THPT Chu Văn An", 1500, 1510 },
	{ "Trường TH Võ Thị Sáu", 58, 60 },
};

static const chart_funnel funnel_fixture = {
	"Tỷ lệ lên lớp các trường so với toàn đơn vị, năm học 2024-2025",
	NULL,
	"Số học sinh được xét lên lớp",
	"Tỷ lệ lên lớp (%)",
	"Toàn đơn vị",
	0.97,
	funnel_points,
	8
};

/* ------------------------------------------------------------ rendering */

typedef struct render_case {
	const char *name;
	chart_draw_fn fn;
	const void *data;
} render_case;

static char out_dir[256];
static int keep_out;

static int setup_dir(void **state)
{
	const char *keep = getenv("CHART_TEST_OUT");

	(void)state;
	fill_histogram();
	if (keep && *keep) {
		snprintf(out_dir, sizeof out_dir, "%s", keep);
		mkdir(out_dir, 0755);
		keep_out = 1;
		return 0;
	}
	snprintf(out_dir, sizeof out_dir, "/tmp/test_chart.XXXXXX");
	return mkdtemp(out_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	if (!keep_out)
		rmdir(out_dir);
	return 0;
}

static void path_of(char *buf, size_t size, const char *name,
		    const char *ext)
{
	snprintf(buf, size, "%s/%s.%s", out_dir, name, ext);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Share of non-white pixels in the box [fx0, fx1] x [fy0, fy1] of the
 * image (fractions of its size). */
static double ink_share(cairo_surface_t *img, double fx0, double fx1,
			double fy0, double fy1)
{
	int w = cairo_image_surface_get_width(img);
	int h = cairo_image_surface_get_height(img);
	int stride = cairo_image_surface_get_stride(img);
	const unsigned char *px = cairo_image_surface_get_data(img);
	long ink = 0, all = 0;
	int x, y;

	cairo_surface_flush(img);
	for (y = (int)(fy0 * h); y < (int)(fy1 * h); y++)
		for (x = (int)(fx0 * w); x < (int)(fx1 * w); x++) {
			uint32_t v;

			memcpy(&v, px + (size_t)y * (size_t)stride + 4u * (size_t)x,
			       4);
			all++;
			if ((v & 0xFFFFFFu) != 0xFFFFFFu)
				ink++;
		}
	return all ? (double)ink / (double)all : 0.0;
}

static void render_one(const render_case *c)
{
	chart_style st;
	ss_error e;
	char png[512], svg[512];
	cairo_surface_t *img;
	char *a, *b;
	size_t la, lb;
	double plot_ink, corner_ink;

	err_clear(&e);
	chart_style_init(&st, 13.0);
	path_of(png, sizeof png, c->name, "png");
	path_of(svg, sizeof svg, c->name, "svg");
	if (chart_write_png(png, 800.0, 500.0, 2.0, &st, c->fn, c->data, &e) !=
	    SS_OK)
		fail_msg("%s: %s", c->name, e.msg);
	assert_int_equal(chart_write_svg(svg, 800.0, 500.0, &st, c->fn,
					 c->data, &e),
			 SS_OK);

	img = cairo_image_surface_create_from_png(png);
	assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(img), 1600);
	assert_int_equal(cairo_image_surface_get_height(img), 1000);
	/* The plot area (middle of the page below the title) has ink; the
	 * bottom-right corner inside the margin has none. */
	plot_ink = ink_share(img, 0.35, 0.85, 0.35, 0.85);
	corner_ink = ink_share(img, 0.985, 1.0, 0.97, 1.0);
	if (!(plot_ink > 0.02))
		fail_msg("%s: plot area ink %.4f", c->name, plot_ink);
	assert_true(corner_ink == 0.0);
	/* Something was drawn at the top (the title). */
	assert_true(ink_share(img, 0.0, 0.5, 0.0, 0.08) > 0.01);
	cairo_surface_destroy(img);

	/* Drawing again gives the same bytes, SVG ids included. */
	a = slurp(png, &la);
	assert_int_equal(chart_write_png(png, 800.0, 500.0, 2.0, &st, c->fn,
					 c->data, &e),
			 SS_OK);
	b = slurp(png, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	a = slurp(svg, &la);
	assert_true(strstr(a, "width=\"800pt\"") != NULL);
	assert_true(strstr(a, "id=\"surface1\"") != NULL);
	assert_int_equal(chart_write_svg(svg, 800.0, 500.0, &st, c->fn,
					 c->data, &e),
			 SS_OK);
	b = slurp(svg, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	if (!keep_out) {
		remove(png);
		remove(svg);
	}
}

static void test_render_all(void **state)
{
	const render_case cases[] = {
		{ "targets", chart_targets_fn, &targets_fixture },
		{ "norms", chart_norms_fn, &norms_fixture },
		{ "histogram", chart_histogram_fn, &hist_fixture },
		{ "trend", chart_trend_fn, &trend_fixture },
		{ "funnel", chart_funnel_fn, &funnel_fixture },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		render_one(&cases[i]);
}

/* A chart drawn into a sub-rectangle of a larger page (as the report
 * does) leaves the rest of the page untouched. */
static void test_render_into_rect(void **state)
{
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							  1000, 1000);
	cairo_t *cr = cairo_create(img);
	chart_rect area = { 100.0, 500.0, 800.0, 450.0 };
	chart_histogram untitled = hist_fixture;
	chart_style st;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_style_init(&st, 11.0);
	cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
	cairo_paint(cr);
	/* The report's captions replace the title. */
	untitled.title = untitled.subtitle = NULL;
	assert_int_equal(chart_draw_histogram(cr, &area, &st, &untitled, &e),
			 SS_OK);
	cairo_destroy(cr);
	assert_true(ink_share(img, 0.0, 1.0, 0.0, 0.5) == 0.0);
	assert_true(ink_share(img, 0.0, 0.1, 0.0, 1.0) == 0.0);
	assert_true(ink_share(img, 0.2, 0.8, 0.6, 0.9) > 0.02);
	cairo_surface_destroy(img);
}

static void test_funnel_zone(void **state)
{
	(void)state;
	/* p0 = 0.5, n = 100: normal approximation 0.5 +- 1.96 * 0.05 =
	 * [0.402, 0.598] and +- 3.09 * 0.05 = [0.345, 0.655]. */
	assert_int_equal(chart_funnel_zone(0.5, 50, 100), 0);
	assert_int_equal(chart_funnel_zone(0.5, 45, 100), 0);
	assert_int_equal(chart_funnel_zone(0.5, 62, 100), 1);
	assert_int_equal(chart_funnel_zone(0.5, 37, 100), 1);
	assert_int_equal(chart_funnel_zone(0.5, 70, 100), 2);
	assert_int_equal(chart_funnel_zone(0.5, 30, 100), 2);
	/* p0 = 0.992, n = 85: P(X = 85) = 0.992^85 = 0.505, so 100% is
	 * common; the interpolated upper 99.8% limit is 99.998%. */
	assert_int_equal(chart_funnel_zone(0.992, 85, 85), 0);
	/* Exact tails for the same: P(X <= 81) = 0.00496 (outside 95% only),
	 * P(X <= 80) = 0.00063 (outside 99.8%). */
	assert_int_equal(chart_funnel_zone(0.992, 81, 85), 1);
	assert_int_equal(chart_funnel_zone(0.992, 80, 85), 2);
	assert_int_equal(chart_funnel_zone(0.5, 0, 0), -1);
	assert_int_equal(chart_funnel_zone(1.0, 5, 10), -1);
	assert_int_equal(chart_funnel_zone(0.5, 11, 10), -1);
}

/* ------------------------------------------------------------ errors */

static void expect_draw_error(chart_draw_fn fn, const void *data,
			      const char *fragment)
{
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							  100, 100);
	cairo_t *cr = cairo_create(img);
	chart_rect area = { 0.0, 0.0, 800.0, 500.0 };
	chart_style st;
	ss_error e;

	err_clear(&e);
	chart_style_init(&st, 13.0);
	assert_int_equal(fn(cr, &area, &st, data, &e), SS_EUSAGE);
	assert_int_equal(e.status, SS_EUSAGE);
	if (!strstr(e.msg, fragment))
		fail_msg("message '%s' lacks '%s'", e.msg, fragment);
	cairo_destroy(cr);
	cairo_surface_destroy(img);
}

static void test_draw_errors(void **state)
{
	chart_targets t = targets_fixture;
	chart_target_row bad_row = target_rows[0];
	chart_norms n = norms_fixture;
	chart_norm_row bad_norm = norm_rows[0];
	chart_histogram h = hist_fixture;
	chart_hist_bin bad_bin = { 3.0, 2.0, 5 };
	chart_trend tr = trend_fixture;
	const double back_years[] = { 2024, 2023 };
	chart_funnel f = funnel_fixture;
	const chart_funnel_point bad_point = { "x", 11, 10 };
	const chart_funnel_point empty_point = { "x", 0, 0 };

	(void)state;
	expect_draw_error(chart_targets_fn, NULL, "no target chart");
	t.nrows = 0;
	expect_draw_error(chart_targets_fn, &t, "no target rows");
	bad_row.actual = NAN;
	t.rows = &bad_row;
	t.nrows = 1;
	expect_draw_error(chart_targets_fn, &t, "row 1 has no finite value");

	n.nrows = 0;
	expect_draw_error(chart_norms_fn, &n, "no schools");
	bad_norm.cell[1].value = -2.0;
	n.rows = &bad_norm;
	n.nrows = 1;
	expect_draw_error(chart_norms_fn, &n, "out of range '-2'");

	h.nbins = 0;
	expect_draw_error(chart_histogram_fn, &h, "no histogram bins");
	h.bins = &bad_bin;
	h.nbins = 1;
	expect_draw_error(chart_histogram_fn, &h, "bad histogram bin 1");
	h = hist_fixture;
	h.x_max = h.x_min;
	expect_draw_error(chart_histogram_fn, &h, "bad histogram range");

	tr.n = 0;
	expect_draw_error(chart_trend_fn, &tr, "no values");
	tr.n = 2;
	tr.years = back_years;
	expect_draw_error(chart_trend_fn, &tr, "increasing years");
	tr = trend_fixture;
	tr.target = NAN;
	expect_draw_error(chart_trend_fn, &tr, "target is not a number");
	tr = trend_fixture;
	tr.slope = INFINITY;
	expect_draw_error(chart_trend_fn, &tr, "projection is not finite");

	f.p0 = 1.0;
	expect_draw_error(chart_funnel_fn, &f, "unit rate out of range '1'");
	f.p0 = 0.5;
	f.points = &bad_point;
	f.npoints = 1;
	expect_draw_error(chart_funnel_fn, &f, "bad point 1 '11/10'");
	f.points = &empty_point;
	expect_draw_error(chart_funnel_fn, &f, "no school with a denominator");
	f.points = NULL;
	expect_draw_error(chart_funnel_fn, &f, "no points");
}

static void test_bad_rect(void **state)
{
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							  10, 10);
	cairo_t *cr = cairo_create(img);
	chart_rect area = { 0.0, 0.0, 0.0, 100.0 };
	chart_style st;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_style_init(&st, 0.0); /* falls back to 13 */
	assert_true(st.font_size == 13.0);
	assert_int_equal(chart_draw_trend(cr, &area, &st, &trend_fixture, &e),
			 SS_EUSAGE);
	assert_non_null(strstr(e.msg, "empty rectangle"));
	assert_int_equal(chart_draw_trend(cr, NULL, &st, &trend_fixture, &e),
			 SS_EUSAGE);
	cairo_destroy(cr);
	cairo_surface_destroy(img);
}

/* A cairo context already in error makes the drawing fail with
 * SS_EINTERNAL or SS_ENOMEM, not crash or succeed. */
static void test_cairo_error_reported(void **state)
{
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							  100, 100);
	cairo_t *cr = cairo_create(img);
	chart_rect area = { 0.0, 0.0, 800.0, 500.0 };
	chart_style st;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_style_init(&st, 13.0);
	cairo_restore(cr); /* unbalanced: CAIRO_STATUS_INVALID_RESTORE */
	assert_int_equal(chart_draw_histogram(cr, &area, &st, &hist_fixture,
					      &e),
			 SS_EINTERNAL);
	assert_non_null(strstr(e.msg, "cairo failed"));
	cairo_destroy(cr);
	cairo_surface_destroy(img);
}

static void test_write_errors(void **state)
{
	chart_style st;
	ss_error e;
	char path[512];
	struct stat sb;

	(void)state;
	err_clear(&e);
	chart_style_init(&st, 13.0);
	assert_int_equal(chart_write_png("/nonexistent-dir/x.png", 800.0, 500.0,
					 2.0, &st, chart_histogram_fn,
					 &hist_fixture, &e),
			 SS_EIO);
	assert_string_equal(e.file, "/nonexistent-dir/x.png.tmp");
	assert_non_null(strstr(e.msg, strerror(ENOENT)));
	assert_int_equal(chart_write_svg("/nonexistent-dir/x.svg", 800.0, 500.0,
					 &st, chart_histogram_fn,
					 &hist_fixture, &e),
			 SS_EIO);
	assert_int_equal(chart_write_png("x.png", 0.0, 500.0, 2.0, &st,
					 chart_histogram_fn, &hist_fixture, &e),
			 SS_EUSAGE);
	assert_non_null(strstr(e.msg, "chart size out of range"));
	assert_int_equal(chart_write_png("x.png", 800.0, 500.0, 100.0, &st,
					 chart_histogram_fn, &hist_fixture, &e),
			 SS_EUSAGE);
	assert_int_equal(chart_write_svg("x.svg", 800.0, -1.0, &st,
					 chart_histogram_fn, &hist_fixture, &e),
			 SS_EUSAGE);
	/* A drawing error leaves no file behind, temporary or final. */
	path_of(path, sizeof path, "failed", "png");
	assert_int_equal(chart_write_png(path, 800.0, 500.0, 2.0, &st,
					 chart_funnel_fn, &(chart_funnel){ 0 },
					 &e),
			 SS_EUSAGE);
	assert_int_equal(stat(path, &sb), -1);
	path_of(path, sizeof path, "failed", "svg");
	assert_int_equal(chart_write_svg(path, 800.0, 500.0, &st,
					 chart_funnel_fn, &(chart_funnel){ 0 },
					 &e),
			 SS_EUSAGE);
	assert_int_equal(stat(path, &sb), -1);
	path_of(path, sizeof path, "failed", "svg.tmp");
	assert_int_equal(stat(path, &sb), -1);
}


/* Notes told to a test, one a line. */
typedef struct notes {
	char text[4096];
	int count;
} notes;

static void collect_note(void *ctx, const char *message)
{
	notes *n = ctx;
	size_t used = strlen(n->text);

	snprintf(n->text + used, sizeof n->text - used, "%s\n", message);
	n->count++;
}

/* ------------------------------------------------------------ PNG */

typedef struct png_reader {
	const unsigned char *data;
	size_t len, pos;
} png_reader;

static cairo_status_t read_bytes(void *closure, unsigned char *out,
				 unsigned int n)
{
	png_reader *r = closure;

	if (r->len - r->pos < n)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(out, r->data + r->pos, n);
	r->pos += n;
	return CAIRO_STATUS_SUCCESS;
}

/* chart_encode_image's PNG reads back (through cairo's own PNG reader)
 * as the image's pixels, and encoding twice gives the same bytes. */
static void assert_png_round_trip(cairo_surface_t *img, const char *what)
{
	unsigned char *got = NULL, *again = NULL;
	size_t got_len = 0, again_len = 0;
	cairo_surface_t *back;
	png_reader r;
	int w, h;
	ss_error e;

	err_clear(&e);
	cairo_surface_flush(img);
	w = cairo_image_surface_get_width(img);
	h = cairo_image_surface_get_height(img);
	assert_int_equal(chart_encode_image("x.png", img, &got, &got_len, &e),
			 SS_OK);
	assert_int_equal(chart_encode_image("x.png", img, &again, &again_len, &e),
			 SS_OK);
	if (got_len != again_len || memcmp(got, again, got_len) != 0)
		fail_msg("%s: two encodings differ", what);
	r.data = got;
	r.len = got_len;
	r.pos = 0;
	back = cairo_image_surface_create_from_png_stream(read_bytes, &r);
	assert_int_equal(cairo_surface_status(back), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(back), w);
	assert_int_equal(cairo_image_surface_get_height(back), h);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t a, b;

			memcpy(&a, cairo_image_surface_get_data(img) +
				   (size_t)y * (size_t)cairo_image_surface_get_stride(img) +
				   4u * (size_t)x, 4);
			memcpy(&b, cairo_image_surface_get_data(back) +
				   (size_t)y * (size_t)cairo_image_surface_get_stride(back) +
				   4u * (size_t)x, 4);
			if ((a & 0xFFFFFFu) != (b & 0xFFFFFFu))
				fail_msg("%s: pixel %d,%d %06x read back as %06x",
					 what, x, y, a & 0xFFFFFFu, b & 0xFFFFFFu);
		}
	cairo_surface_destroy(back);
	free(got);
	free(again);
}

typedef enum pattern {
	PATTERN_NOISE,     /* random bytes: every filter has its turn */
	PATTERN_BLOCKS,    /* flat areas, edges and repeated rows */
	PATTERN_BLACK,     /* rows of zeros, where "none" wins a tie */
	PATTERN_GRADIENT,  /* smooth ramps: average and Paeth */
	PATTERN_COUNT
} pattern;

/* An RGB24 image of the pattern; the unused byte of each pixel holds
 * garbage, which the encoder must ignore as cairo does. */
static cairo_surface_t *pattern_image(int w, int h, pattern p,
				      uint32_t seed)
{
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							  w, h);
	unsigned char *px = cairo_image_surface_get_data(img);
	int stride = cairo_image_surface_get_stride(img), x, y;
	uint32_t r = seed;

	cairo_surface_flush(img);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			uint32_t v;

			r = r * 1103515245u + 12345u;
			switch (p) {
			case PATTERN_NOISE:
				v = r >> 4;
				break;
			case PATTERN_BLOCKS:
				v = ((x / 7 + y / 5) % 3 == 0) ? 0x0072B2u
				    : (y % 11 < 4)	     ? 0xFFFFFFu
				    : (x % 13 == 0)	     ? 0xE69F00u
							     : 0xF0F0F0u;
				break;
			case PATTERN_BLACK:
				v = (y % 4 == 1 && x == w / 2) ? 0x808080u : 0;
				break;
			default:
				v = ((uint32_t)(x * 255 / (w > 1 ? w - 1 : 1))
				     << 16) |
				    ((uint32_t)(y * 255 / (h > 1 ? h - 1 : 1))
				     << 8) |
				    (uint32_t)((x + y) & 0xff);
				break;
			}
			v = (v & 0xFFFFFFu) | ((r & 0xFFu) << 24);
			memcpy(px + (size_t)y * (size_t)stride + 4u * (size_t)x,
			       &v, 4);
		}
	cairo_surface_mark_dirty(img);
	return img;
}

static void test_png_round_trip(void **state)
{
	/* single rows and columns, odd sizes, a chart-wide strip */
	static const int sizes[][2] = {
		{ 1, 1 },    { 2, 1 },	 { 40, 1 },  { 1, 9 },	 { 1, 40 },
		{ 2, 2 },    { 3, 7 },	 { 17, 3 },  { 64, 33 }, { 70, 60 },
		{ 90, 61 },  { 3, 300 }, { 128, 128 }, { 301, 200 },
		{ 1600, 24 }
	};
	size_t i;
	int p;

	(void)state;
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		for (p = 0; p < PATTERN_COUNT; p++) {
			cairo_surface_t *img = pattern_image(
				sizes[i][0], sizes[i][1], (pattern)p,
				(uint32_t)(i * 31 + (size_t)p));
			char what[64];

			snprintf(what, sizeof what, "%dx%d pattern %d",
				 sizes[i][0], sizes[i][1], p);
			assert_png_round_trip(img, what);
			cairo_surface_destroy(img);
		}
}

/* Every chart type, drawn at the stage's size, reads back as drawn. */
static void test_png_charts_round_trip(void **state)
{
	const render_case cases[] = {
		{ "targets", chart_targets_fn, &targets_fixture },
		{ "norms", chart_norms_fn, &norms_fixture },
		{ "histogram", chart_histogram_fn, &hist_fixture },
		{ "trend", chart_trend_fn, &trend_fixture },
		{ "funnel", chart_funnel_fn, &funnel_fixture },
	};
	chart_style st;
	ss_error e;
	size_t i;

	(void)state;
	err_clear(&e);
	chart_style_init(&st, 13.0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cairo_surface_t *img;

		assert_int_equal(chart_render_image("x.png", 800.0, 500.0, 2.0,
						    &st, cases[i].fn,
						    cases[i].data, NULL, &img,
						    &e),
				 SS_OK);
		assert_png_round_trip(img, cases[i].name);
		cairo_surface_destroy(img);
	}
}

/* ------------------------------------------------------------ batches */

static const render_case batch_cases[] = {
	{ "b_histogram", chart_histogram_fn, &hist_fixture },
	{ "b_funnel", chart_funnel_fn, &funnel_fixture },
	{ "b_trend", chart_trend_fn, &trend_fixture },
	{ "b_targets", chart_targets_fn, &targets_fixture },
};

static void remove_batch_files(void)
{
	char path[512];
	size_t i;

	for (i = 0; i < sizeof batch_cases / sizeof batch_cases[0]; i++) {
		path_of(path, sizeof path, batch_cases[i].name, "png");
		remove(path);
		path_of(path, sizeof path, batch_cases[i].name, "svg");
		remove(path);
	}
}

/* A batch writes what chart_write_png and chart_write_svg write, and tells
 * its notes in order, with worker threads or without. */
static void test_batch_same_bytes(void **state)
{
	static const int threads[] = { -1, 0, 1, 3 };
	chart_style st;
	ss_error e;
	size_t i, k, written;

	(void)state;
	err_clear(&e);
	chart_style_init(&st, 13.0);
	for (k = 0; k < sizeof threads / sizeof threads[0]; k++) {
		chart_batch *b;
		notes got;
		char stem[512];

		memset(&got, 0, sizeof got);
		assert_int_equal(chart_batch_open(&b, threads[k], &e), SS_OK);
		assert_int_equal(chart_batch_note(b, collect_note, &got,
						  "first", &e),
				 SS_OK);
		for (i = 0; i < sizeof batch_cases / sizeof batch_cases[0];
		     i++) {
			snprintf(stem, sizeof stem, "%s/%s", out_dir,
				 batch_cases[i].name);
			assert_int_equal(chart_batch_chart(b, stem, 800.0,
							   500.0, 2.0, &st,
							   batch_cases[i].fn,
							   batch_cases[i].data,
							   &e),
					 SS_OK);
		}
		assert_int_equal(chart_batch_note(b, collect_note, &got,
						  "last", &e),
				 SS_OK);
		assert_int_equal(chart_batch_close(b, &written, &e), SS_OK);
		assert_int_equal(written, 4);
		assert_string_equal(got.text, "first\nlast\n");
		for (i = 0; i < sizeof batch_cases / sizeof batch_cases[0];
		     i++) {
			char path[512];
			char *a, *c;
			size_t la, lc;

			path_of(path, sizeof path, batch_cases[i].name, "png");
			a = slurp(path, &la);
			assert_int_equal(chart_write_png(path, 800.0, 500.0,
							 2.0, &st,
							 batch_cases[i].fn,
							 batch_cases[i].data,
							 &e),
					 SS_OK);
			c = slurp(path, &lc);
			assert_int_equal(la, lc);
			assert_memory_equal(a, c, la);
			free(a);
			free(c);
			path_of(path, sizeof path, batch_cases[i].name, "svg");
			a = slurp(path, &la);
			assert_int_equal(chart_write_svg(path, 800.0, 500.0,
							 &st,
							 batch_cases[i].fn,
							 batch_cases[i].data,
							 &e),
					 SS_OK);
			c = slurp(path, &lc);
			assert_int_equal(la, lc);
			assert_memory_equal(a, c, la);
			free(a);
			free(c);
		}
		remove_batch_files();
	}
	assert_int_equal(chart_batch_close(NULL, &written, &e), SS_OK);
	assert_int_equal(written, 0);
}

/* After a file that cannot be written nothing more is: not the chart's
 * other file, not the later charts, not the later notes; the failure is
 * the batch's and its close's. */
static void test_batch_stops_at_failure(void **state)
{
	static const int threads[] = { -1, 2 };
	chart_style st;
	ss_error e;
	size_t k, i, written;
	struct stat sb;
	char path[512], stem[512];

	(void)state;
	err_clear(&e);
	chart_style_init(&st, 13.0);
	for (k = 0; k < sizeof threads / sizeof threads[0]; k++) {
		chart_batch *b;
		notes got;
		ss_status first = SS_OK;

		memset(&got, 0, sizeof got);
		/* a directory where the second chart's PNG would go */
		path_of(path, sizeof path, batch_cases[1].name, "png");
		assert_int_equal(mkdir(path, 0755), 0);
		assert_int_equal(chart_batch_open(&b, threads[k], &e), SS_OK);
		for (i = 0; i < sizeof batch_cases / sizeof batch_cases[0] &&
			    first == SS_OK;
		     i++) {
			snprintf(stem, sizeof stem, "%s/%s", out_dir,
				 batch_cases[i].name);
			first = chart_batch_chart(b, stem, 800.0, 500.0, 2.0,
						  &st, batch_cases[i].fn,
						  batch_cases[i].data, &e);
			if (first == SS_OK)
				first = chart_batch_note(b, collect_note, &got,
							 batch_cases[i].name,
							 &e);
		}
		err_clear(&e);
		assert_int_equal(chart_batch_close(b, &written, &e), SS_EIO);
		assert_int_equal(written, 1);
		assert_non_null(strstr(e.msg, "cannot rename"));
		assert_non_null(strstr(e.file, "b_funnel.png"));
		assert_string_equal(got.text, "b_histogram\n");
		path_of(path, sizeof path, batch_cases[0].name, "svg");
		assert_int_equal(stat(path, &sb), 0);
		for (i = 1; i < sizeof batch_cases / sizeof batch_cases[0];
		     i++) {
			path_of(path, sizeof path, batch_cases[i].name, "svg");
			assert_int_equal(stat(path, &sb), -1);
			path_of(path, sizeof path, batch_cases[i].name,
				"png.tmp");
			assert_int_equal(stat(path, &sb), -1);
		}
		path_of(path, sizeof path, batch_cases[1].name, "png");
		assert_int_equal(rmdir(path), 0);
		remove_batch_files();
	}
}

/* A drawing error is the batch's failure in its place, after the files
 * before it are written. */
static void test_batch_drawing_error(void **state)
{
	chart_style st;
	chart_batch *b;
	notes got;
	ss_error e;
	size_t written;
	char stem[512];

	(void)state;
	err_clear(&e);
	memset(&got, 0, sizeof got);
	chart_style_init(&st, 13.0);
	assert_int_equal(chart_batch_open(&b, 2, &e), SS_OK);
	snprintf(stem, sizeof stem, "%s/%s", out_dir, batch_cases[0].name);
	assert_int_equal(chart_batch_chart(b, stem, 800.0, 500.0, 2.0, &st,
					   batch_cases[0].fn,
					   batch_cases[0].data, &e),
			 SS_OK);
	snprintf(stem, sizeof stem, "%s/%s", out_dir, batch_cases[1].name);
	assert_int_equal(chart_batch_chart(b, stem, 800.0, 500.0, 2.0, &st,
					   chart_funnel_fn,
					   &(chart_funnel){ 0 }, &e),
			 SS_EUSAGE);
	assert_int_equal(chart_batch_note(b, collect_note, &got, "never", &e),
			 SS_EUSAGE);
	assert_int_equal(chart_batch_close(b, &written, &e), SS_EUSAGE);
	assert_int_equal(written, 1);
	assert_int_equal(got.count, 0);
	remove_batch_files();
}


/* ------------------------------------------------------------ labels */

typedef struct label_case {
	const char *code;
	const char *want;
} label_case;

/* Charts name indicators with the report's table, so a chart and the page
 * it stands on agree; the labels themselves are tested in test_report. */
static void test_indicator_labels(void **state)
{
	static const char *const codes[] = {
		"promotion_rate", "teachers_per_class", "exam_mean:toan",
		"exam_median:ngu_van", "exam_mean:tn_thpt:toan",
		"exam_mean:hoa_hoc", "exam_mean:mi_thuat",
		"cohort_promotion_rate:3", "cohort_dropout_rate:mg_5",
		"survival_rate_last_grade:thcs", "no_such_indicator",
	};
	char buf[256], want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		report_indicator_label(codes[i], want, sizeof want);
		assert_string_equal(chart_indicator_label(codes[i], buf,
							  sizeof buf),
				    want);
	}
	assert_string_equal(chart_indicator_label("promotion_rate", buf,
						  sizeof buf),
			    "Tỷ lệ lên lớp");
	assert_string_equal(chart_indicator_label("no_such_indicator", buf,
						  sizeof buf),
			    "no_such_indicator");
}

/* ------------------------------------------------------------ builders */

#define FIXTURES "tests/data/charts"

static void load_fixture(ctable *t, const char *rel)
{
	char path[512];
	ss_error e;

	err_clear(&e);
	snprintf(path, sizeof path, "%s/%s", FIXTURES, rel);
	ctable_init(t);
	if (ctable_load(t, path, &e) != SS_OK)
		fail_msg("cannot load %s: %s", path, e.msg);
}

static void load_names(chart_names *m)
{
	ctable schools;
	ss_error e;

	err_clear(&e);
	load_fixture(&schools, "full/clean/schools.csv");
	chart_names_init(m);
	assert_int_equal(chart_names_load(m, &schools, &e), SS_OK);
	ctable_release(&schools);
}

static void test_names_and_scopes(void **state)
{
	chart_names m;
	char buf[256];
	ctable t;
	ss_error e;

	(void)state;
	err_clear(&e);
	load_names(&m);
	assert_int_equal(m.n, 18);
	assert_string_equal(chart_names_get(&m, "CS02"),
			    "Trường THCS Chu Văn An");
	assert_null(chart_names_get(&m, "XX99"));
	assert_null(chart_names_get(NULL, "CS02"));
	assert_string_equal(chart_scope_label(&m, "all", buf, sizeof buf),
			    "Toàn đơn vị");
	assert_string_equal(chart_scope_label(&m, "level:tieu_hoc", buf,
					      sizeof buf),
			    "Cấp tiểu học");
	assert_string_equal(chart_scope_label(&m, "level:thcs", buf,
					      sizeof buf),
			    "Cấp THCS");
	assert_string_equal(chart_scope_label(&m, "commune:Thạnh Xuân", buf,
					      sizeof buf),
			    "Xã/phường Thạnh Xuân");
	assert_string_equal(chart_scope_label(&m, "TH01", buf, sizeof buf),
			    "Trường Tiểu học Kim Đồng");
	assert_string_equal(chart_scope_label(&m, "XX99", buf, sizeof buf),
			    "XX99");
	assert_int_equal(chart_scope_is_school("TH01"), 1);
	assert_int_equal(chart_scope_is_school("all"), 0);
	assert_int_equal(chart_scope_is_school("level:thcs"), 0);
	assert_int_equal(chart_scope_is_school(""), 0);
	chart_names_release(&m);
	chart_names_release(&m); /* twice is harmless */

	/* A table without the name column. */
	load_fixture(&t, "full/norms.csv");
	chart_names_init(&m);
	assert_int_equal(chart_names_load(&m, &t, &e), SS_EDATA);
	assert_string_equal(e.msg, "missing column 'school_id' (expected "
				   "school_id and name)");
	chart_names_release(&m);
	assert_int_equal(chart_latest_year(&t, buf, sizeof buf), 1);
	assert_string_equal(buf, "2024-2025");
	ctable_release(&t);
	load_fixture(&t, "full/clean/schools.csv");
	assert_int_equal(chart_latest_year(&t, buf, sizeof buf), 0);
	ctable_release(&t);
}

static void test_build_targets(void **state)
{
	chart_arena a;
	chart_names m;
	chart_targets d;
	ctable gaps;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_arena_init(&a);
	load_names(&m);
	load_fixture(&gaps, "full/gaps.csv");
	assert_int_equal(chart_build_targets(&a, &gaps, "2024-2025", &m, &d, &e),
			 SS_OK);
	/* gaps.csv has 9 rows, one of them for 2023-2024. */
	assert_int_equal(d.nrows, 8);
	assert_string_equal(d.title, "Chỉ tiêu và thực hiện, năm học 2024-2025");
	assert_string_equal(d.rows[0].indicator, "Tỷ lệ lên lớp");
	assert_string_equal(d.rows[0].scope, "Toàn đơn vị");
	assert_string_equal(d.rows[0].op, ">=");
	assert_true(close_rel(d.rows[0].target, 98.0, 1e-12));
	assert_true(close_rel(d.rows[0].actual, 97.976467, 1e-12));
	assert_int_equal(d.rows[0].status, CHART_NOT_MET);
	assert_int_equal(d.rows[0].percent, 1);
	assert_int_equal(d.rows[0].decimals, 1);
	assert_string_equal(d.rows[1].scope, "Cấp THCS");
	/* Row 3 uses 2023-2024's actual: a baseline, whatever its status. */
	assert_string_equal(d.rows[2].scope, "Trường Tiểu học Nguyễn Văn Trỗi "
					     "– phân hiệu Thạnh Lộc, phường "
					     "Thạnh Xuân");
	assert_int_equal(d.rows[2].status, CHART_BASELINE);
	assert_string_equal(d.rows[2].note, "2023-2024");
	assert_int_equal(d.rows[3].status, CHART_NO_DATA);
	assert_string_equal(d.rows[3].indicator,
			    "Tỷ lệ hoàn thành cấp học");
	assert_int_equal(d.rows[4].percent, 0);
	assert_int_equal(d.rows[4].decimals, 2);
	assert_int_equal(d.rows[6].status, CHART_MET);
	assert_string_equal(d.rows[6].scope, "Trường THCS Lê Lợi");
	/* A 2030 target (gaps.csv year 2029-2030) is in force in 2024-2025;
	 * its "baseline" actual is 2024-2025's own, so not a baseline here. */
	assert_string_equal(d.rows[5].indicator,
			    "Tỷ lệ trường đạt chuẩn quốc gia");
	assert_int_equal(d.rows[5].status, CHART_NOT_MET);
	assert_string_equal(d.rows[5].note, "đến năm 2030");
	assert_string_equal(d.rows[7].note, "đến năm 2028");
	/* In 2025-2026 only the two deadline targets are in force, and their
	 * 2024-2025 actuals are then a baseline. */
	assert_int_equal(chart_build_targets(&a, &gaps, "2025-2026", &m, &d, &e),
			 SS_OK);
	assert_int_equal(d.nrows, 2);
	assert_int_equal(d.rows[0].status, CHART_BASELINE);
	assert_string_equal(d.rows[0].note, "2024-2025; đến năm 2030");
	/* Another year (the deadline targets, whose actuals are from
	 * 2024-2025, are left out), and a year without rows. */
	assert_int_equal(chart_build_targets(&a, &gaps, "2023-2024", &m, &d, &e),
			 SS_OK);
	assert_int_equal(d.nrows, 1);
	assert_int_equal(chart_build_targets(&a, &gaps, "2019-2020", &m, &d, &e),
			 SS_OK);
	assert_int_equal(d.nrows, 0);
	ctable_release(&gaps);
	chart_names_release(&m);
	chart_arena_release(&a);
}

static void test_build_norms(void **state)
{
	chart_arena a;
	chart_names m;
	chart_norms d;
	ctable t;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_arena_init(&a);
	load_names(&m);
	load_fixture(&t, "full/norms.csv");
	assert_int_equal(chart_build_norms(&a, &t, "2024-2025", &m, &d, &e),
			 SS_OK);
	/* 18 schools; level and all rows are left out. */
	assert_int_equal(d.nrows, 18);
	assert_string_equal(d.rows[0].name, "Trường Tiểu học Kim Đồng");
	assert_true(close_rel(d.rows[0].cell[0].value, 1.421053, 1e-12));
	assert_true(close_rel(d.rows[0].cell[0].limit, 1.5, 1e-12));
	assert_int_equal(d.rows[0].cell[0].flagged, 1);   /* below */
	assert_true(close_rel(d.rows[0].cell[1].value, 37.684211, 1e-12));
	assert_true(close_rel(d.rows[0].cell[1].limit, 35.0, 1e-12));
	assert_int_equal(d.rows[0].cell[1].flagged, 1);   /* above */
	assert_int_equal(d.rows[1].cell[1].flagged, 0);   /* ok */
	assert_string_equal(d.rows[17].name, "Trường Mầm non Tuổi Thơ");
	assert_true(close_rel(d.rows[17].cell[0].limit, 2.2, 1e-12));
	ctable_release(&t);

	load_fixture(&t, "bad/norms_no_limit.csv");
	assert_int_equal(chart_build_norms(&a, &t, "2024-2025", &m, &d, &e),
			 SS_EDATA);
	assert_string_equal(e.file, FIXTURES "/bad/norms_no_limit.csv");
	assert_int_equal(e.line, 1);
	assert_string_equal(e.msg, "missing column 'limit' (expected the "
				   "contract's header)");
	ctable_release(&t);
	chart_names_release(&m);
	chart_arena_release(&a);
}

static void test_build_histograms(void **state)
{
	chart_arena a;
	chart_histogram *h;
	const char *const *subjects;
	ctable hist, ind;
	size_t n, i;
	long long total = 0;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_arena_init(&a);
	load_fixture(&hist, "full/exam_histograms.csv");
	load_fixture(&ind, "full/indicators.csv");
	assert_int_equal(chart_build_histograms(&a, &hist, &ind, "2024-2025", &h,
						&subjects, &n, &e),
			 SS_OK);
	assert_int_equal(n, 2);
	assert_string_equal(subjects[0], "toan");
	assert_string_equal(subjects[1], "ngu_van");
	/* The 0.25 binning of scope all: 40 bins, 1062 candidates (the
	 * school rows and the 0.05 / 1 binnings are left out). */
	assert_int_equal(h[0].nbins, 40);
	for (i = 0; i < h[0].nbins; i++) {
		assert_true(close_rel(h[0].bins[i].low, 0.25 * (double)i, 1e-12));
		assert_true(close_rel(h[0].bins[i].high,
				      0.25 * (double)(i + 1), 1e-12));
		total += h[0].bins[i].count;
	}
	assert_int_equal(total, 1062);
	assert_true(close_rel(h[0].mean, 6.153013, 1e-12));
	assert_true(close_rel(h[0].median, 6.0, 1e-12));
	assert_string_equal(h[0].title, "Phổ điểm môn Toán, năm học 2024-2025");
	assert_string_equal(h[0].subtitle, "Toàn đơn vị · 1.062 thí sinh · "
					   "khoảng 0,25 điểm");
	assert_string_equal(h[1].title,
			    "Phổ điểm môn Ngữ văn, năm học 2024-2025");
	/* Without indicators.csv: nothing marked. */
	assert_int_equal(chart_build_histograms(&a, &hist, NULL, "2024-2025", &h,
						&subjects, &n, &e),
			 SS_OK);
	assert_true(isnan(h[0].mean) && isnan(h[0].median));
	ctable_release(&hist);

	load_fixture(&hist, "bad/hist_negative.csv");
	assert_int_equal(chart_build_histograms(&a, &hist, NULL, "2024-2025", &h,
						&subjects, &n, &e),
			 SS_EDATA);
	assert_int_equal(e.line, 2);
	assert_string_equal(e.msg, "bad bin '-3' (expected bin_low < bin_high "
				   "and a whole count)");
	ctable_release(&hist);
	ctable_release(&ind);
	chart_arena_release(&a);
}

static void test_build_trends(void **state)
{
	chart_arena a;
	chart_names m;
	chart_trend *t;
	const char *const *stems;
	ctable gaps, ind;
	size_t n, skipped;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_arena_init(&a);
	load_names(&m);
	load_fixture(&gaps, "full/gaps.csv");
	load_fixture(&ind, "full/indicators.csv");
	assert_int_equal(chart_build_trends(&a, &gaps, &ind, "2024-2025", &m, &t,
					    &stems, &n, &skipped, &e),
			 SS_OK);
	/* 8 targets of 2024-2025; completion_rate has no values. */
	assert_int_equal(n, 7);
	assert_int_equal(skipped, 1);
	assert_string_equal(stems[0], "trend_all_promotion_rate");
	assert_string_equal(stems[1], "trend_level_thcs_repetition_rate");
	assert_string_equal(stems[3], "trend_all_exam_mean_toan");
	assert_string_equal(stems[6], "trend_all_promotion_rate_2");
	/* standard_school_share: 11, 12, 13, 14 of 18 schools. */
	assert_string_equal(stems[4], "trend_all_standard_school_share");
	assert_int_equal(t[4].n, 4);
	assert_true(t[4].years[0] == 2021.0 && t[4].years[3] == 2024.0);
	assert_true(close_rel(t[4].values[0], 100.0 * 11.0 / 18.0, 1e-6));
	assert_true(close_rel(t[4].values[3], 100.0 * 14.0 / 18.0, 1e-6));
	assert_int_equal(t[4].has_projection, 1);
	assert_true(t[4].deadline_year == 2029.0); /* 2029-2030 ends in 2030 */
	assert_true(t[4].target_year == 2029.0);
	assert_true(close_rel(t[4].slope, 5.555556, 1e-12));
	assert_true(close_rel(t[4].projected, 105.555556, 1e-12));
	assert_string_equal(t[4].subtitle, "Toàn đơn vị · chỉ tiêu đến năm "
					   "2030 · theo xu hướng: kịp chỉ tiêu");
	/* Without a deadline the target is the target year's. */
	assert_int_equal(t[0].has_projection, 0);
	assert_true(t[0].target_year == 2024.0);
	assert_string_equal(t[0].title, "Tỷ lệ lên lớp qua các năm");
	assert_string_equal(t[2].subtitle, "Trường Tiểu học Nguyễn Văn Trỗi "
					   "– phân hiệu Thạnh Lộc, phường "
					   "Thạnh Xuân · chỉ tiêu năm học "
					   "2024-2025");
	assert_int_equal(chart_build_trends(&a, &gaps, &ind, "2024", &m, &t,
					    &stems, &n, &skipped, &e),
			 SS_EUSAGE);
	ctable_release(&gaps);

	load_fixture(&gaps, "bad/gaps_deadline.csv");
	assert_int_equal(chart_build_trends(&a, &gaps, &ind, "2024-2025", &m, &t,
					    &stems, &n, &skipped, &e),
			 SS_EDATA);
	assert_int_equal(e.line, 2);
	assert_string_equal(e.msg, "malformed deadline 'soon' (expected a year "
				   "such as 2030)");
	ctable_release(&gaps);
	ctable_release(&ind);
	chart_names_release(&m);
	chart_arena_release(&a);
}

static void test_build_funnel(void **state)
{
	chart_arena a;
	chart_names m;
	chart_funnel f;
	ctable ind;
	size_t i;
	int found, th02 = 0;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_arena_init(&a);
	load_names(&m);
	load_fixture(&ind, "full/indicators.csv");
	assert_int_equal(chart_build_funnel(&a, &ind, "promotion_rate",
					    "2024-2025", &m, &f, &found, &e),
			 SS_OK);
	assert_int_equal(found, 1);
	/* all: 13073 promoted of 13343. */
	assert_true(close_rel(f.p0, 13073.0 / 13343.0, 1e-15));
	assert_int_equal(f.npoints, 18);
	for (i = 0; i < f.npoints; i++)
		if (strcmp(f.points[i].label, "Trường Tiểu học Lê Văn Tám") == 0) {
			assert_int_equal(f.points[i].k, 826);
			assert_int_equal(f.points[i].n, 875);
			/* 94.4% against 98.0% at n = 875 is far outside. */
			assert_int_equal(chart_funnel_zone(f.p0, 826, 875), 2);
			th02 = 1;
		}
	assert_true(th02);
	assert_string_equal(f.y_title, "Tỷ lệ lên lớp (%)");
	assert_int_equal(chart_build_funnel(&a, &ind, "dropout_rate",
					    "2024-2025", &m, &f, &found, &e),
			 SS_OK);
	assert_int_equal(found, 0);
	ctable_release(&ind);

	load_fixture(&ind, "bad/indicators_all_100.csv");
	assert_int_equal(chart_build_funnel(&a, &ind, "promotion_rate",
					    "2024-2025", &m, &f, &found, &e),
			 SS_OK);
	assert_int_equal(found, 0); /* no limits around 100% */
	ctable_release(&ind);
	load_fixture(&ind, "bad/indicators_k_above_n.csv");
	assert_int_equal(chart_build_funnel(&a, &ind, "promotion_rate",
					    "2024-2025", &m, &f, &found, &e),
			 SS_EDATA);
	assert_int_equal(e.line, 3);
	assert_string_equal(e.msg, "numerator above denominator '110' "
				   "(expected at most 100)");
	ctable_release(&ind);
	load_fixture(&ind, "bad/indicators_fraction.csv");
	assert_int_equal(chart_build_funnel(&a, &ind, "promotion_rate",
					    "2024-2025", &m, &f, &found, &e),
			 SS_EDATA);
	assert_string_equal(e.msg, "numerator is not a count '97.5' (expected "
				   "a whole number >= 0)");
	ctable_release(&ind);
	load_fixture(&ind, "bad/indicators_text.csv");
	assert_int_equal(chart_build_funnel(&a, &ind, "promotion_rate",
					    "2024-2025", &m, &f, &found, &e),
			 SS_OK); /* value is not read for schools */
	assert_int_equal(chart_build_trends(&a, &ind, &ind, "2024-2025", &m,
					    &(chart_trend *){ NULL },
					    &(const char *const *){ NULL },
					    &(size_t){ 0 }, &(size_t){ 0 }, &e),
			 SS_EDATA); /* indicators.csv is no gaps table */
	ctable_release(&ind);
	chart_names_release(&m);
	chart_arena_release(&a);
}

static void test_build_targets_errors(void **state)
{
	chart_arena a;
	chart_targets d;
	ctable t;
	ss_error e;

	(void)state;
	err_clear(&e);
	chart_arena_init(&a);
	load_fixture(&t, "bad/gaps_status.csv");
	assert_int_equal(chart_build_targets(&a, &t, "2024-2025", NULL, &d, &e),
			 SS_EDATA);
	assert_int_equal(e.line, 2);
	assert_string_equal(e.msg, "unknown status 'maybe' (expected met, "
				   "not_met or no_data)");
	ctable_release(&t);
	load_fixture(&t, "bad/gaps_no_actual.csv");
	assert_int_equal(chart_build_targets(&a, &t, "2024-2025", NULL, &d, &e),
			 SS_EDATA);
	assert_string_equal(e.msg, "actual is empty '' (expected a number)");
	ctable_release(&t);
	load_fixture(&t, "bad/indicators_text.csv");
	assert_int_equal(chart_build_targets(&a, &t, "2024-2025", NULL, &d, &e),
			 SS_EDATA);
	assert_string_equal(e.msg, "missing column 'op' (expected the "
				   "contract's header)");
	ctable_release(&t);
	/* A number cell holding text names the column and the value. */
	load_fixture(&t, "bad/gaps_text_target.csv");
	assert_int_equal(chart_build_targets(&a, &t, "2024-2025", NULL, &d, &e),
			 SS_EDATA);
	assert_int_equal(e.line, 3);
	assert_string_equal(e.msg, "target is not a number '1%' (expected a "
				   "plain number)");
	ctable_release(&t);
	chart_arena_release(&a);
}

/* ------------------------------------------------------------ stage */

static void copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = slurp(from, &len);
	FILE *fp = fopen(to, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	free(data);
}

static void make_run_dir(char *dir, size_t size, int with_inputs)
{
	static const char *const files[] = { "gaps.csv", "norms.csv",
					     "indicators.csv",
					     "exam_histograms.csv",
					     "clean/schools.csv" };
	char from[512], to[512];
	size_t i;

	snprintf(dir, size, "/tmp/test_chart_run.XXXXXX");
	assert_non_null(mkdtemp(dir));
	if (!with_inputs)
		return;
	snprintf(to, sizeof to, "%s/clean", dir);
	assert_int_equal(mkdir(to, 0755), 0);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(from, sizeof from, FIXTURES "/full/%s", files[i]);
		snprintf(to, sizeof to, "%s/%s", dir, files[i]);
		copy_file(from, to);
	}
}

static void remove_run_dir(const char *dir)
{
	char cmd[600];

	/* The directory is ours, made by mkdtemp above. */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_run_stage(void **state)
{
	char dir[256], path[600];
	chart_run_options opt;
	notes got;
	size_t written = 0;
	struct stat sb;
	ss_error e;

	(void)state;
	err_clear(&e);
	memset(&got, 0, sizeof got);
	memset(&opt, 0, sizeof opt);
	opt.note = collect_note;
	opt.note_ctx = &got;
	make_run_dir(dir, sizeof dir, 1);
	assert_int_equal(chart_run(dir, &opt, &written, &e), SS_OK);
	/* gaps 1 page, 7 trends, norms 2 pages (18 schools), 2 subjects,
	 * 2 funnels. */
	assert_int_equal(written, 14);
	assert_string_equal(got.text, "no trend chart for 1 target of "
				      "2024-2025: no values in "
				      "indicators.csv\n");
	snprintf(path, sizeof path, "%s/charts/norms_2.svg", dir);
	assert_int_equal(stat(path, &sb), 0);
	snprintf(path, sizeof path, "%s/charts/funnel_repetition_rate.png",
		 dir);
	assert_int_equal(stat(path, &sb), 0);

	/* An earlier year: one target, its trend, both funnels. */
	memset(&got, 0, sizeof got);
	opt.year = "2023-2024";
	assert_int_equal(chart_run(dir, &opt, &written, &e), SS_OK);
	assert_int_equal(written, 1 + 1 + 2 + 2 + 2);
	assert_int_equal(got.count, 0);

	/* A year with no data at all: notes, nothing written, no error. */
	memset(&got, 0, sizeof got);
	opt.year = "2030-2031";
	assert_int_equal(chart_run(dir, &opt, &written, &e), SS_OK);
	assert_int_equal(written, 0);
	assert_string_equal(
		got.text,
		"no target chart: gaps.csv has no target for 2030-2031\n"
		"no norm chart: norms.csv has no school row for 2030-2031\n"
		"no exam chart: exam_histograms.csv has no row for 2030-2031 "
		"and scope all\n"
		"no funnel plot of promotion_rate for 2030-2031: no unit rate "
		"strictly between 0 and 100% in indicators.csv\n"
		"no funnel plot of repetition_rate for 2030-2031: no unit rate "
		"strictly between 0 and 100% in indicators.csv\n");

	opt.year = "2024";
	assert_int_equal(chart_run(dir, &opt, &written, &e), SS_EUSAGE);
	assert_string_equal(e.msg, "malformed year '2024' (expected a school "
				   "year such as 2024-2025)");
	remove_run_dir(dir);
}

/* The stage writes the same files whether the PNG images are encoded on
 * worker threads or not. */
static void test_run_threads(void **state)
{
	static const int threads[] = { -1, 1, 4 };
	static const char *const names[] = { "gaps_1", "norms_2",
					     "trend_all_promotion_rate_2",
					     "exam_toan",
					     "funnel_repetition_rate" };
	char dir[256], path[600];
	char *want[2 * sizeof names / sizeof names[0]];
	size_t want_len[2 * sizeof names / sizeof names[0]];
	chart_run_options opt;
	size_t written, i, k;
	ss_error e;

	(void)state;
	err_clear(&e);
	memset(&opt, 0, sizeof opt);
	make_run_dir(dir, sizeof dir, 1);
	assert_int_equal(chart_run(dir, &opt, &written, &e), SS_OK);
	for (i = 0; i < 2 * sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/charts/%s.%s", dir, names[i / 2],
			 i % 2 ? "svg" : "png");
		want[i] = slurp(path, &want_len[i]);
	}
	for (k = 0; k < sizeof threads / sizeof threads[0]; k++) {
		opt.threads = threads[k];
		assert_int_equal(chart_run(dir, &opt, &written, &e), SS_OK);
		assert_int_equal(written, 14);
		for (i = 0; i < 2 * sizeof names / sizeof names[0]; i++) {
			char *got;
			size_t len;

			snprintf(path, sizeof path, "%s/charts/%s.%s", dir,
				 names[i / 2], i % 2 ? "svg" : "png");
			got = slurp(path, &len);
			assert_int_equal(len, want_len[i]);
			assert_memory_equal(got, want[i], len);
			free(got);
		}
	}
	for (i = 0; i < 2 * sizeof names / sizeof names[0]; i++)
		free(want[i]);
	remove_run_dir(dir);
}

static void test_run_missing_inputs(void **state)
{
	char dir[256], path[600];
	chart_run_options opt;
	notes got;
	size_t written = 1;
	ss_error e;

	(void)state;
	err_clear(&e);
	memset(&got, 0, sizeof got);
	memset(&opt, 0, sizeof opt);
	opt.note = collect_note;
	opt.note_ctx = &got;
	make_run_dir(dir, sizeof dir, 0);
	assert_int_equal(chart_run(dir, &opt, &written, &e), SS_OK);
	assert_int_equal(written, 0);
	assert_string_equal(got.text,
			    "clean/schools.csv not found: schools are shown "
			    "by id\n"
			    "no target or trend chart: gaps.csv not found\n"
			    "no norm chart: norms.csv not found\n"
			    "no exam chart: exam_histograms.csv not found\n"
			    "no funnel plot: indicators.csv not found\n");

	/* A malformed input stops the stage with its position. */
	snprintf(path, sizeof path, "%s/gaps.csv", dir);
	copy_file(FIXTURES "/bad/gaps_status.csv", path);
	opt.note = NULL;
	assert_int_equal(chart_run(dir, &opt, &written, &e), SS_EDATA);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.file, "/gaps.csv"));
	remove_run_dir(dir);

	/* No output directory: the charts directory cannot be made. */
	assert_int_equal(chart_run("/nonexistent-dir/out", &opt, &written, &e),
			 SS_EIO);
	assert_string_equal(e.file, "/nonexistent-dir/out/charts");
	assert_non_null(strstr(e.msg, "cannot create the charts directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_ticks_table),
		cmocka_unit_test(test_nice_ticks_exact_values),
		cmocka_unit_test(test_nice_ticks_invalid),
		cmocka_unit_test(test_nice_number_table),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_palette),
		cmocka_unit_test(test_text_fit),
		cmocka_unit_test(test_text_invalid_utf8),
		cmocka_unit_test(test_font_resolved),
		cmocka_unit_test(test_svg_canonical_ids),
		cmocka_unit_test(test_render_all),
		cmocka_unit_test(test_render_into_rect),
		cmocka_unit_test(test_funnel_zone),
		cmocka_unit_test(test_draw_errors),
		cmocka_unit_test(test_bad_rect),
		cmocka_unit_test(test_cairo_error_reported),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_png_round_trip),
		cmocka_unit_test(test_png_charts_round_trip),
		cmocka_unit_test(test_batch_same_bytes),
		cmocka_unit_test(test_batch_stops_at_failure),
		cmocka_unit_test(test_batch_drawing_error),
		cmocka_unit_test(test_indicator_labels),
		cmocka_unit_test(test_names_and_scopes),
		cmocka_unit_test(test_build_targets),
		cmocka_unit_test(test_build_norms),
		cmocka_unit_test(test_build_histograms),
		cmocka_unit_test(test_build_trends),
		cmocka_unit_test(test_build_funnel),
		cmocka_unit_test(test_build_targets_errors),
		cmocka_unit_test(test_run_stage),
		cmocka_unit_test(test_run_threads),
		cmocka_unit_test(test_run_missing_inputs),
	};

	int failed;

	gsl_set_error_handler_off();
	failed = cmocka_run_group_tests(tests, setup_dir, teardown_dir);
	chart_fonts_release();
	return failed;
}
