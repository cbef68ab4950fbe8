/* Tests for ctable: the direct in-place scanner must load exactly what
 * the csvin path loads (cells, header, physical lines, the error and its
 * file:line:column) on random tables built from the awkward pieces —
 * quotes, doubled quotes, commas and line breaks in quoted fields, CRLF,
 * a BOM, blank lines, UTF-8 and broken UTF-8, missing last line feed,
 * ragged rows — and the keep predicate must select the same rows either
 * way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctable.h"

typedef struct scratch {
	char dir[64];
	char path[128];
} scratch;

static int setup(void **state)
{
	scratch *s = calloc(1, sizeof *s);

	assert_non_null(s);
	strcpy(s->dir, "/tmp/test_ctable.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof s->path, "%s/t.csv", s->dir);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	scratch *s = *state;

	unlink(s->path);
	rmdir(s->dir);
	free(s);
	return 0;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

typedef struct loaded {
	ctable t;
	ss_status st;
	ss_error e;
} loaded;

static void load(loaded *l, const char *path, const ctable_options *opt)
{
	memset(l, 0, sizeof *l);
	l->st = ctable_load_opt(&l->t, path, opt, &l->e);
}

static void assert_same(const loaded *a, const loaded *b)
{
	assert_int_equal(a->st, b->st);
	if (a->st != SS_OK) {
		assert_string_equal(a->e.msg, b->e.msg);
		assert_int_equal(a->e.line, b->e.line);
		assert_int_equal(a->e.column, b->e.column);
		return;
	}
	assert_int_equal(a->t.ncols, b->t.ncols);
	assert_int_equal(a->t.nrows, b->t.nrows);
	for (size_t c = 0; c < a->t.ncols; c++)
		assert_string_equal(a->t.header[c], b->t.header[c]);
	for (size_t r = 0; r < a->t.nrows; r++) {
		assert_int_equal(a->t.lines[r], b->t.lines[r]);
		for (size_t c = 0; c < a->t.ncols; c++)
			assert_string_equal(ctable_get(&a->t, r, (int)c),
					    ctable_get(&b->t, r, (int)c));
	}
}

/* Both readers on the same bytes, with and without a predicate. */
static int keep_odd_first(const char *const *fields, size_t n,
			  char *const *header, void *ctx)
{
	(void)header;
	(void)ctx;
	return n > 0 && strlen(fields[0]) % 2 == 1;
}

static void compare_readers(const char *path, int *direct_rows)
{
	ctable_options general = { NULL, NULL, 1 };
	ctable_options keep = { keep_odd_first, NULL, 0 };
	ctable_options keep_general = { keep_odd_first, NULL, 1 };
	loaded a, b;

	load(&a, path, NULL);
	load(&b, path, &general);
	assert_same(&a, &b);
	if (direct_rows && a.st == SS_OK)
		*direct_rows += (int)a.t.nrows;
	ctable_release(&a.t);
	ctable_release(&b.t);
	load(&a, path, &keep);
	load(&b, path, &keep_general);
	assert_same(&a, &b);
	ctable_release(&a.t);
	ctable_release(&b.t);
}

/* A deterministic generator (xorshift), so a failure reproduces. */
static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static const char *const pieces[] = {
	"a", "Phường Hòa Bình", "12", "7.25", "", " ", "x y", "\"q\"",
	"\"a,b\"", "\"say \"\"hi\"\"\"", "\"\"", "\"two\nlines\"", "b\"c",
	"\"open", "\"x\"y", "\xC3", "\t", "Trường", "0", "-1"
};

static size_t gen_table(uint64_t *seed, char *buf, size_t cap)
{
	size_t len = 0, ncols = 1 + next(seed) % 5, nrows = next(seed) % 12;
	int bom = next(seed) % 16 == 0, crlf = next(seed) % 8 == 0;
	const char *eol = crlf ? "\r\n" : "\n";

#define PUT(s) do { size_t n_ = strlen(s); \
		if (len + n_ < cap) { memcpy(buf + len, s, n_); len += n_; } \
	} while (0)
	if (bom)
		PUT("\xEF\xBB\xBF");
	for (size_t c = 0; c < ncols; c++) {
		char h[16];

		snprintf(h, sizeof h, "%scol%zu", c ? "," : "", c);
		PUT(h);
	}
	PUT(eol);
	for (size_t r = 0; r < nrows; r++) {
		size_t n = ncols;
		unsigned roll = (unsigned)(next(seed) % 64);

		if (roll == 0)
			n = ncols + 1; /* ragged */
		else if (roll == 1) {
			PUT(eol); /* blank line */
			continue;
		} else if (roll == 2)
			PUT("   ");
		for (size_t c = 0; c < n; c++) {
			const char *p;

			/* mostly clean cells, as the stages write them */
			if (next(seed) % 4)
				p = pieces[next(seed) % 3];
			else
				p = pieces[next(seed) % (sizeof pieces / sizeof *pieces)];
			if (c)
				PUT(",");
			PUT(p);
		}
		if (r + 1 < nrows || next(seed) % 4)
			PUT(eol);
	}
#undef PUT
	return len;
}

static void test_random_tables_load_alike(void **state)
{
	scratch *s = *state;
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	char buf[4096];
	int rows = 0;

	for (int i = 0; i < 3000; i++) {
		size_t len = gen_table(&seed, buf, sizeof buf);

		write_file(s->path, buf, len);
		compare_readers(s->path, &rows);
	}
	/* the generator must exercise successful loads, not only errors */
	assert_true(rows > 3000);
}

static void test_quoted_cells_are_unquoted(void **state)
{
	scratch *s = *state;
	static const char data[] =
		"year,scope,indicator\n"
		"2024-2025,\"a,b\",\"say \"\"hi\"\"\"\n"
		"2024-2025,\"\",x\n";
	loaded l;

	write_file(s->path, data, sizeof data - 1);
	load(&l, s->path, NULL);
	assert_int_equal(l.st, SS_OK);
	assert_int_equal(l.t.nrows, 2);
	assert_string_equal(ctable_get(&l.t, 0, 1), "a,b");
	assert_string_equal(ctable_get(&l.t, 0, 2), "say \"hi\"");
	assert_string_equal(ctable_get(&l.t, 1, 1), "");
	assert_int_equal(l.t.lines[1], 3);
	assert_string_equal(ctable_get(&l.t, 1, ctable_col(&l.t, "indicator")), "x");
	assert_string_equal(ctable_get(&l.t, 1, -1), "");
	assert_string_equal(ctable_get(&l.t, 5, 0), "");
	ctable_release(&l.t);
}

static void test_ragged_row_is_an_error_with_its_line(void **state)
{
	scratch *s = *state;
	static const char data[] = "a,b\n1,2\n3\n";
	loaded l;

	write_file(s->path, data, sizeof data - 1);
	load(&l, s->path, NULL);
	assert_int_equal(l.st, SS_EDATA);
	assert_int_equal(l.e.line, 3);
	assert_non_null(strstr(l.e.msg, "row has 1 fields (expected 2)"));
	ctable_release(&l.t);
}

static void test_empty_file_is_an_error(void **state)
{
	scratch *s = *state;
	loaded l;

	write_file(s->path, "", 0);
	load(&l, s->path, NULL);
	assert_int_equal(l.st, SS_EDATA);
	assert_non_null(strstr(l.e.msg, "empty file"));
	ctable_release(&l.t);
}

static int keep_scope_all(const char *const *fields, size_t n,
			  char *const *header, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		if (strcmp(header[i], "scope") == 0)
			return strcmp(fields[i], "all") == 0;
	return 0;
}

static void test_keep_selects_rows_and_keeps_their_lines(void **state)
{
	scratch *s = *state;
	static const char data[] =
		"year,scope,v\n"
		"2024,s1,1\n"
		"2024,all,2\n"
		"2024,s2,3\n"
		"2025,all,4\n";
	ctable_options opt = { keep_scope_all, NULL, 0 };
	loaded l;

	write_file(s->path, data, sizeof data - 1);
	load(&l, s->path, &opt);
	assert_int_equal(l.st, SS_OK);
	assert_int_equal(l.t.nrows, 2);
	assert_string_equal(ctable_get(&l.t, 0, 2), "2");
	assert_string_equal(ctable_get(&l.t, 1, 2), "4");
	assert_int_equal(l.t.lines[0], 3);
	assert_int_equal(l.t.lines[1], 5);
	ctable_release(&l.t);
}

typedef struct counting {
	size_t headers, rows, resets;
	long last_line;
} counting;

static int count_header(void *ctx, char *const *names, size_t n)
{
	counting *c = ctx;

	(void)names;
	(void)n;
	c->headers++;
	return 0;
}

static int count_row(void *ctx, const char *const *fields, size_t n,
		     long line)
{
	counting *c = ctx;

	(void)fields;
	(void)n;
	c->rows++;
	c->last_line = line;
	return 0;
}

static void count_reset(void *ctx)
{
	counting *c = ctx;

	c->headers = c->rows = 0;
	c->resets++;
}

/* Files as the stages write them never leave the direct scanner (no
 * reset); a CRLF file is handed to csvin once, and the sink sees every
 * row once after the reset. */
static void test_stream_direct_and_fallback(void **state)
{
	scratch *s = *state;
	static const char plain[] =
		"year,scope,name\n"
		"2024,s1,\"Trường \"\"A\"\", Hòa Bình\"\n"
		"2024,s2,plain\n";
	static const char crlf[] = "a,b\r\n1,2\r\n3,4\r\n";
	counting c;
	ctable_sink k = { count_header, count_row, count_reset, &c };
	ss_error e;

	write_file(s->path, plain, sizeof plain - 1);
	memset(&c, 0, sizeof c);
	assert_int_equal(ctable_stream(s->path, &k, NULL, &e), SS_OK);
	assert_int_equal(c.resets, 0);
	assert_int_equal(c.headers, 1);
	assert_int_equal(c.rows, 2);
	assert_int_equal(c.last_line, 3);
	write_file(s->path, crlf, sizeof crlf - 1);
	memset(&c, 0, sizeof c);
	assert_int_equal(ctable_stream(s->path, &k, NULL, &e), SS_OK);
	assert_int_equal(c.resets, 1);
	assert_int_equal(c.headers, 1);
	assert_int_equal(c.rows, 2);
	assert_int_equal(c.last_line, 3);
}

/* Tables larger than the scanner's 1 MiB chunk: rows straddle the chunk
 * edges at every offset, and a row longer than a chunk (over csvin's
 * record limit) is the same error both ways. */
static void test_chunk_edges_load_alike(void **state)
{
	scratch *s = *state;
	size_t cap = 3u << 20, len = 0;
	char *buf = malloc(cap + (2u << 20));
	int rows = 0;
	counting c;
	ctable_sink k = { count_header, count_row, count_reset, &c };
	ss_error e;

	assert_non_null(buf);
	len += (size_t)sprintf(buf, "id,name,value\n");
	for (unsigned i = 0; len < cap; i++) {
		/* lengths cycle through 1..97 so edges fall everywhere */
		unsigned n = 1 + i % 97;

		len += (size_t)sprintf(buf + len, "%u,", i);
		memset(buf + len, 'a' + (char)(i % 26), n);
		len += n;
		len += (size_t)sprintf(buf + len, ",\"%u,%u\"\n", i, n);
	}
	write_file(s->path, buf, len);
	compare_readers(s->path, &rows);
	assert_true(rows > 40000);
	/* and the direct scanner read it all, without handing over */
	memset(&c, 0, sizeof c);
	assert_int_equal(ctable_stream(s->path, &k, NULL, &e), SS_OK);
	assert_int_equal(c.resets, 0);
	assert_int_equal((int)c.rows, rows);
	/* no line feed at the very end */
	write_file(s->path, buf, len - 1);
	compare_readers(s->path, NULL);
	/* one row of 1.5 MiB */
	len = (size_t)sprintf(buf, "id,name\n1,");
	memset(buf + len, 'x', 3u << 19);
	len += 3u << 19;
	buf[len++] = '\n';
	write_file(s->path, buf, len);
	compare_readers(s->path, NULL);
	free(buf);
}

static void test_missing_file_is_eio(void **state)
{
	scratch *s = *state;
	loaded l;

	load(&l, s->path, NULL);
	assert_int_equal(l.st, SS_EIO);
	ctable_release(&l.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_tables_load_alike,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoted_cells_are_unquoted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ragged_row_is_an_error_with_its_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_is_an_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_keep_selects_rows_and_keeps_their_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunk_edges_load_alike,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_direct_and_fallback,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file_is_eio, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
