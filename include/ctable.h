/* ctable — a whole small CSV table in memory, columns looked up by name.
 * For the normalized tables between stages (the clean tables, indicators.csv,
 * norms.csv, ...), which are small; the large exam table is streamed
 * elsewhere. Reads through csvin, so the same tolerances apply. */
#ifndef SCHOOLSTAT_CTABLE_H
#define SCHOOLSTAT_CTABLE_H

#include <stddef.h>

#include "err.h"

typedef struct ctable {
	char *path;
	size_t ncols;
	char **header;   /* ncols column names */
	size_t nrows;
	char **cells;    /* nrows * ncols strings, row-major; missing = "" */
	long *lines;     /* physical line of each row */
} ctable;

/* Loads path (first record is the header). SS_EIO when it cannot be read,
 * SS_EDATA for a malformed record (the error names file:line:column). The
 * caller releases with ctable_release even on failure. */
ss_status ctable_load(ctable *t, const char *path, ss_error *e);

/* Loads dir/name when that file exists and sets *present to 1; a missing
 * file is not an error (*present 0, t empty). A file that exists but
 * cannot be read is SS_EIO, a malformed one SS_EDATA. The caller releases
 * t in every case. */
ss_status ctable_load_optional(ctable *t, const char *dir, const char *name,
			       int *present, ss_error *e);

/* Zeroes t so that ctable_release is safe before any load. */
void ctable_init(ctable *t);
void ctable_release(ctable *t);

/* Index of the column named name, or -1. */
int ctable_col(const ctable *t, const char *name);

/* The cell, or "" when col < 0. */
const char *ctable_get(const ctable *t, size_t row, int col);

/* Parses a plain (en-style) integer / real cell. Returns 1 and stores
 * *out when the cell holds a number, 0 when it is empty, -1 when it holds
 * something else. */
int ctable_get_ll(const ctable *t, size_t row, int col, long long *out);
int ctable_get_double(const ctable *t, size_t row, int col, double *out);

#endif
