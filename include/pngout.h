/* pngout — PNG encoding of the charts' images.
 *
 * cairo_surface_write_to_png lets libpng try all five row filters on
 * every row and deflate at zlib's default level: on the 35 charts of the
 * sample (1600 x 1000 pixels each) that was 1.1 s, three quarters of the
 * charts stage. Charts are flat colours and anti-aliased edges, which the
 * Up filter and deflate level 3 compress nearly as well (3.6 MB instead
 * of 3.1 MB for those charts) in a third of the time. The output is a
 * plain 8-bit RGB PNG without time or text chunks, so the same pixels
 * always give the same bytes. */
#ifndef SCHOOLSTAT_PNGOUT_H
#define SCHOOLSTAT_PNGOUT_H

#include <stddef.h>

#include "err.h"

/* Encodes an image in cairo's RGB24 layout (32 bits a pixel, native
 * endian 0xXXRRGGBB, rows stride bytes apart) into *png (malloc'd; the
 * caller frees it) of *len bytes. name is for messages. SS_ENOMEM, or
 * SS_EUSAGE for a size libpng refuses. */
ss_status pngout_rgb24(const unsigned char *pixels, int width, int height,
		       int stride, const char *name, unsigned char **png,
		       size_t *len, ss_error *e);

#endif
