/* ctable — a whole CSV table in memory, columns looked up by name.
 * For the normalized tables between stages (the clean tables, indicators.csv,
 * norms.csv, ...); the large exam table is streamed elsewhere.
 *
 * The text of every cell lives in one block (t->text) addressed by 32-bit
 * offsets, so a table costs little more than its file: at national scale
 * indicators.csv has some 300,000 rows, and a string per cell made loading
 * it slower than the work done with it. Files as the stages write them
 * (UTF-8, no BOM, LF, RFC 4180 quoting within a line) are read by a direct
 * scanner, a megabyte at a time; anything else — a BOM, CRLF, blank lines,
 * quoted line breaks, a malformed record — goes through csvin, so the
 * same tolerances apply and errors carry the same file:line:column
 * messages. ctable_stream hands the rows to the caller instead of storing
 * them. */
#ifndef SCHOOLSTAT_CTABLE_H
#define SCHOOLSTAT_CTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct ctable {
	char *path;
	size_t ncols;
	char **header;   /* ncols column names (one block with their text) */
	size_t nrows;
	uint32_t *cells; /* nrows * ncols offsets into text, row-major */
	long *lines;     /* physical line of each row */
	char *text;      /* every cell, NUL-terminated */
	size_t text_len, text_cap;
} ctable;

/* Decides whether a data row is kept: fields are the row's ncols cells,
 * header the column names. Returns nonzero to keep. It must have no side
 * effects: when the direct scanner meets something it leaves to csvin
 * partway through a file, the load starts again and the rows before that
 * point are offered a second time. */
typedef int (*ctable_keep_fn)(const char *const *fields, size_t ncols,
			      char *const *header, void *ctx);

typedef struct ctable_options {
	ctable_keep_fn keep; /* NULL: keep every row */
	void *keep_ctx;
	int general_reader;  /* tests: always read through csvin */
} ctable_options;

/* Loads path (first record is the header). SS_EIO when it cannot be read,
 * SS_EDATA for a malformed record (the error names file:line:column). The
 * caller releases with ctable_release even on failure. */
ss_status ctable_load(ctable *t, const char *path, ss_error *e);

/* ctable_load keeping only the rows opt->keep accepts (opt may be NULL).
 * Rows that are not kept are still checked: a malformed one is an error. */
ss_status ctable_load_opt(ctable *t, const char *path,
			  const ctable_options *opt, ss_error *e);

/* What a streamed table does with its header and rows, for a caller that
 * keeps its own compact form of a large table instead of the cells. The
 * callbacks return 0, or nonzero to stop (the load then fails with
 * SS_ENOMEM: they stop only when out of memory). */
typedef struct ctable_sink {
	int (*header)(void *ctx, char *const *names, size_t ncols);
	/* line: the physical line where the row starts */
	int (*row)(void *ctx, const char *const *fields, size_t ncols,
		   long line);
	/* forgets every row taken: the file is read again from the start
	   (the direct scanner met something it leaves to csvin) */
	void (*reset)(void *ctx);
	void *ctx;
} ctable_sink;

/* Reads path as ctable_load_opt does (same checks, same errors) and hands
 * the header and each kept row to k instead of storing them; the strings
 * are valid only during the call. Memory stays constant: the file is read
 * a megabyte at a time. */
ss_status ctable_stream(const char *path, const ctable_sink *k,
			const ctable_options *opt, ss_error *e);

/* Loads dir/name when that file exists and sets *present to 1; a missing
 * file is not an error (*present 0, t empty). A file that exists but
 * cannot be read is SS_EIO, a malformed one SS_EDATA. The caller releases
 * t in every case. */
ss_status ctable_load_optional(ctable *t, const char *dir, const char *name,
			       int *present, ss_error *e);
/* ctable_load_optional keeping the rows opt->keep accepts. */
ss_status ctable_load_optional_opt(ctable *t, const char *dir,
				   const char *name, const ctable_options *opt,
				   int *present, ss_error *e);

/* Zeroes t so that ctable_release is safe before any load. */
void ctable_init(ctable *t);
void ctable_release(ctable *t);

/* Index of the column named name, or -1. */
int ctable_col(const ctable *t, const char *name);
/* The same over a header as a keep predicate or a sink sees it: the
 * first of the ncols names equal to name, or -1. */
int ctable_header_col(char *const *header, size_t ncols, const char *name);

/* The cell, or "" when col < 0. */
const char *ctable_get(const ctable *t, size_t row, int col);

/* Parses a plain (en-style) integer / real cell. Returns 1 and stores
 * *out when the cell holds a number, 0 when it is empty, -1 when it holds
 * something else. */
int ctable_get_ll(const ctable *t, size_t row, int col, long long *out);
int ctable_get_double(const ctable *t, size_t row, int col, double *out);

#endif
