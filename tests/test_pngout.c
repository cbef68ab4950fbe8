/* Tests for pngout: what it encodes decodes (through cairo's own PNG
 * reader) to the same pixels, the same pixels give the same bytes, and
 * sizes libpng cannot take are errors, not crashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cmocka.h>

#include "pngout.h"

typedef struct reader {
	const unsigned char *data;
	size_t len, pos;
} reader;

static cairo_status_t read_mem(void *closure, unsigned char *out,
			       unsigned int n)
{
	reader *r = closure;

	if (r->len - r->pos < n)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(out, r->data + r->pos, n);
	r->pos += n;
	return CAIRO_STATUS_SUCCESS;
}

/* A chart-like picture: flat areas, a gradient, scattered noise. */
static cairo_surface_t *picture(int w, int h)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	unsigned char *d = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	uint32_t x32 = 2463534242u;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t px = x < w / 3 ? 0xffffffu
				      : x < 2 * w / 3 ? (uint32_t)(x * 255 / w) << 8
				      : 0x204080u;

			x32 ^= x32 << 13;
			x32 ^= x32 >> 17;
			x32 ^= x32 << 5;
			if (x32 % 7 == 0)
				px = x32 & 0xffffffu;
			memcpy(d + (size_t)y * (size_t)stride + 4 * (size_t)x, &px, 4);
		}
	cairo_surface_mark_dirty(s);
	return s;
}

static void test_round_trip(void **state)
{
	cairo_surface_t *s = picture(301, 77), *back;
	unsigned char *png = NULL, *png2 = NULL;
	size_t len = 0, len2 = 0;
	reader r;
	ss_error e;

	(void)state;
	assert_int_equal(pngout_rgb24(cairo_image_surface_get_data(s), 301, 77,
				      cairo_image_surface_get_stride(s), "t.png",
				      &png, &len, &e), SS_OK);
	assert_true(len > 8);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	r.data = png;
	r.len = len;
	r.pos = 0;
	back = cairo_image_surface_create_from_png_stream(read_mem, &r);
	assert_int_equal(cairo_surface_status(back), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(back), 301);
	assert_int_equal(cairo_image_surface_get_height(back), 77);
	for (int y = 0; y < 77; y++)
		for (int x = 0; x < 301; x++) {
			uint32_t a, b;

			memcpy(&a, cairo_image_surface_get_data(s) +
				   y * cairo_image_surface_get_stride(s) + 4 * x, 4);
			memcpy(&b, cairo_image_surface_get_data(back) +
				   y * cairo_image_surface_get_stride(back) + 4 * x, 4);
			/* RGB24 leaves the top byte undefined; cairo reads 0xff */
			if ((a & 0xffffffu) != (b & 0xffffffu))
				fail_msg("pixel %d,%d: %06x became %06x", x, y,
					 a & 0xffffffu, b & 0xffffffu);
		}
	/* the same pixels, the same bytes */
	assert_int_equal(pngout_rgb24(cairo_image_surface_get_data(s), 301, 77,
				      cairo_image_surface_get_stride(s), "t.png",
				      &png2, &len2, &e), SS_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(png, png2, len);
	free(png);
	free(png2);
	cairo_surface_destroy(back);
	cairo_surface_destroy(s);
}

static void test_bad_sizes(void **state)
{
	unsigned char px[16] = { 0 }, *png = (unsigned char *)1;
	size_t len = 1;
	ss_error e;

	(void)state;
	assert_int_equal(pngout_rgb24(px, 0, 1, 4, "t.png", &png, &len, &e),
			 SS_EUSAGE);
	assert_null(png);
	assert_int_equal(len, 0);
	assert_int_equal(pngout_rgb24(px, 2, 1, 4, "t.png", &png, &len, &e),
			 SS_EUSAGE);
	assert_non_null(strstr(e.msg, "bad image size 2x1"));
	/* a width whose row would overflow an int is caught, not wrapped */
	assert_int_equal(pngout_rgb24(px, 0x7fffffff, 1, 4, "t.png", &png, &len, &e),
			 SS_EUSAGE);
	assert_null(png);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
