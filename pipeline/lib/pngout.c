#include "pngout.h"

#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* libpng reports failures by longjmp; what is needed after one is kept
 * here rather than in locals, which a longjmp may leave indeterminate. */
typedef struct encoder {
	unsigned char *data;
	size_t len, cap;
	int oom;
	unsigned char *row;
} encoder;

static void on_write(png_structp png, png_bytep bytes, png_size_t n)
{
	encoder *enc = png_get_io_ptr(png);

	if (enc->len + n > enc->cap) {
		size_t cap = enc->cap ? enc->cap : 65536;
		unsigned char *bigger;

		while (cap < enc->len + n)
			cap *= 2;
		if (!(bigger = realloc(enc->data, cap))) {
			enc->oom = 1;
			png_error(png, "out of memory");
		}
		enc->data = bigger;
		enc->cap = cap;
	}
	memcpy(enc->data + enc->len, bytes, n);
	enc->len += n;
}

static void on_flush(png_structp png)
{
	(void)png;
}

/* libpng's own messages would go to stderr: library code stays quiet,
 * and the failure is reported through the return value. */
static void on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void on_error(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void encode(png_structp png, png_infop info, encoder *enc,
		   const unsigned char *pixels, int width, int height,
		   int stride)
{
	png_set_write_fn(png, enc, on_write, on_flush);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
		     PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
	png_set_compression_level(png, 3);
	png_set_compression_strategy(png, Z_DEFAULT_STRATEGY);
	png_write_info(png, info);
	for (int y = 0; y < height; y++) {
		const unsigned char *src = pixels + (size_t)y * (size_t)stride;

		for (int x = 0; x < width; x++) {
			uint32_t px;

			memcpy(&px, src + 4 * (size_t)x, 4);
			enc->row[3 * x] = (unsigned char)(px >> 16);
			enc->row[3 * x + 1] = (unsigned char)(px >> 8);
			enc->row[3 * x + 2] = (unsigned char)px;
		}
		png_write_row(png, enc->row);
	}
	png_write_end(png, info);
}

/* 0, or 1 when libpng failed; nothing here changes after setjmp. */
static int try_encode(png_structp png, png_infop info, encoder *enc,
		      const unsigned char *pixels, int width, int height,
		      int stride)
{
	if (setjmp(png_jmpbuf(png)) != 0)
		return 1;
	encode(png, info, enc, pixels, width, height, stride);
	return 0;
}

ss_status pngout_rgb24(const unsigned char *pixels, int width, int height,
		       int stride, const char *name, unsigned char **png,
		       size_t *len, ss_error *e)
{
	encoder enc;
	png_structp p;
	png_infop info = NULL;
	ss_status st = SS_OK;

	*png = NULL;
	*len = 0;
	if (width <= 0 || height <= 0 || (long long)stride < 4LL * width)
		return err_set(e, SS_EUSAGE, name, 0, 0,
			       "bad image size %dx%d (stride %d)", width,
			       height, stride);
	memset(&enc, 0, sizeof enc);
	if (!(enc.row = malloc(3 * (size_t)width)))
		return err_set(e, SS_ENOMEM, name, 0, 0, "out of memory");
	p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error,
				    on_warning);
	if (p)
		info = png_create_info_struct(p);
	if (!p || !info) {
		png_destroy_write_struct(&p, NULL);
		free(enc.row);
		return err_set(e, SS_ENOMEM, name, 0, 0, "out of memory");
	}
	if (try_encode(p, info, &enc, pixels, width, height, stride) != 0)
		st = enc.oom ? err_set(e, SS_ENOMEM, name, 0, 0, "out of memory")
			     : err_set(e, SS_EUSAGE, name, 0, 0,
				       "cannot encode the image as PNG");
	png_destroy_write_struct(&p, &info);
	free(enc.row);
	if (st != SS_OK) {
		free(enc.data);
		return st;
	}
	*png = enc.data;
	*len = enc.len;
	return SS_OK;
}
