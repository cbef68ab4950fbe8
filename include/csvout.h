/* csvout — writing plain CSV (',' delimiter, '.' decimal, LF, UTF-8 without
 * BOM), quoting only fields that need it, checking every write.
 *
 * Errors are sticky (like cairo's status): write calls return nothing, and
 * csvout_close reports the first failure, so a partial write (disk full)
 * always fails the caller. Output is gathered in a block of the writer's
 * own and handed to the stream when the block is full and at
 * csvout_close: a national indicators.csv is millions of fields, and a
 * stdio call per field was a good part of the cost of writing it. So the
 * stream holds everything only after csvout_close. */
#ifndef SCHOOLSTAT_CSVOUT_H
#define SCHOOLSTAT_CSVOUT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

typedef struct csvout {
	FILE *fp;
	char path[ERR_FILE_MAX];
	int owns_fp;
	int fields_in_row; /* fields written in the current row */
	int failed;        /* errno of the first failed write, 0 if none */
	char *buf;         /* pending output; NULL: written straight through */
	size_t len, cap;
} csvout;

/* Opens path for writing (truncating). SS_EIO on failure. */
ss_status csvout_open(csvout *w, const char *path, ss_error *e);

/* Writes to an already open stream the caller keeps owning (stdout). */
void csvout_init_stream(csvout *w, FILE *fp, const char *name);

/* Appends a field, quoting it when it holds ',', '"', CR or LF, or leading/
 * trailing space. */
void csvout_str(csvout *w, const char *s);
/* Appends a field given as its CSV text (already quoted when it needs
 * to be, e.g. by csvout_field_dup), len bytes. */
void csvout_raw(csvout *w, const char *text, size_t len);
void csvout_empty(csvout *w);
/* For rows assembled by the caller straight into the writer's block:
 * csvout_reserve returns room for n bytes (NULL after a write failure or
 * when n exceeds the block: write through csvout_raw then), and
 * csvout_commit_row adds the len bytes written there, which hold whole
 * rows, newline included. */
char *csvout_reserve(csvout *w, size_t n);
void csvout_commit_row(csvout *w, size_t len);
void csvout_int(csvout *w, long long v);
/* Writes v with at most `decimals` decimals, trailing zeros and a trailing
 * '.' dropped, "-0" written as "0"; nan/inf written as an empty field. */
void csvout_real(csvout *w, double v, int decimals);
/* Writes a whole header row from a NULL-terminated list. */
void csvout_header(csvout *w, const char *const *names);
void csvout_end_row(csvout *w);

/* Flushes and closes (unless the stream is the caller's); SS_EIO with
 * strerror when any write, the flush or the close failed. */
ss_status csvout_close(csvout *w, ss_error *e);

/* The decimal digits of u at p (at most 20, no NUL); returns the end. */
char *csvout_put_u64(char *p, unsigned long long u);

/* Formats v like csvout_real into buf (size >= 64); returns buf. The text
 * is exactly that of snprintf "%.*f" (round half to even on the exact
 * binary value) with the zeros trimmed; values below 2^64 in magnitude
 * are converted in integer arithmetic, larger ones by snprintf. */
const char *csvout_format_real(double v, int decimals, char *buf,
			       size_t size);

/* Room for any number csvout_real writes ("%.15f" of -DBL_MAX is 326
 * bytes). */
#define CSVOUT_REAL_MAX 400

/* Formats v like csvout_real into buf of CSVOUT_REAL_MAX bytes (NUL-
 * terminated) and returns the length: for callers assembling rows. */
size_t csvout_real_text(double v, int decimals, char *buf);

/* The text csvout_str writes for s (quoted when needed), malloc'ed and
 * NUL-terminated, its length in *len; NULL on ENOMEM. */
char *csvout_field_dup(const char *s, size_t *len);

#endif
