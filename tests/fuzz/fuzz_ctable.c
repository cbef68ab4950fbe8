/* libFuzzer harness for ctable: for any byte string, the direct scanner
 * (ctable_stream's fast path) must load exactly what csvin loads — the
 * same status, the same error with its line and column, the same header,
 * cells and physical lines — with and without a keep predicate.
 *
 * make fuzz FUZZ_SECONDS=60   (builds build-fuzz/fuzz_ctable)
 *
 * ctable reads files, so each input is written to a scratch file first.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond))                                                \
			__builtin_trap();                                   \
	} while (0)

static int keep_every_other(const char *const *fields, size_t n,
			    char *const *header, void *ctx)
{
	(void)header;
	(void)ctx;
	return n > 0 && strlen(fields[0]) % 2 == 0;
}

static void same(const char *path, const ctable_options *a,
		 const ctable_options *b)
{
	ctable ta, tb;
	ss_error ea, eb;
	ss_status sa, sb;

	memset(&ea, 0, sizeof ea);
	memset(&eb, 0, sizeof eb);
	sa = ctable_load_opt(&ta, path, a, &ea);
	sb = ctable_load_opt(&tb, path, b, &eb);
	CHECK(sa == sb);
	if (sa != SS_OK) {
		CHECK(strcmp(ea.msg, eb.msg) == 0);
		CHECK(ea.line == eb.line && ea.column == eb.column);
	} else {
		CHECK(ta.ncols == tb.ncols && ta.nrows == tb.nrows);
		for (size_t c = 0; c < ta.ncols; c++)
			CHECK(strcmp(ta.header[c], tb.header[c]) == 0);
		for (size_t r = 0; r < ta.nrows; r++) {
			CHECK(ta.lines[r] == tb.lines[r]);
			for (size_t c = 0; c < ta.ncols; c++)
				CHECK(strcmp(ctable_get(&ta, r, (int)c),
					     ctable_get(&tb, r, (int)c)) == 0);
		}
	}
	ctable_release(&ta);
	ctable_release(&tb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	ctable_options direct = { NULL, NULL, 0 }, general = { NULL, NULL, 1 };
	ctable_options kdirect = { keep_every_other, NULL, 0 };
	ctable_options kgeneral = { keep_every_other, NULL, 1 };
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof path, "/tmp/fuzz_ctable.%ld.csv",
			 (long)getpid());
	f = fopen(path, "wb");
	CHECK(f != NULL);
	CHECK(fwrite(data, 1, size, f) == size);
	CHECK(fclose(f) == 0);
	same(path, &direct, &general);
	same(path, &kdirect, &kgeneral);
	return 0;
}
