/* csvout — writing plain CSV (',' delimiter, '.' decimal, LF, UTF-8 without
 * BOM), quoting only fields that need it, checking every write.
 *
 * Errors are sticky (like cairo's status): write calls return nothing, and
 * csvout_close reports the first failure, so a partial write (disk full)
 * always fails the caller. */
#ifndef SCHOOLSTAT_CSVOUT_H
#define SCHOOLSTAT_CSVOUT_H

#include <stdio.h>

#include "err.h"

typedef struct csvout {
	FILE *fp;
	char path[ERR_FILE_MAX];
	int owns_fp;
	int fields_in_row; /* fields written in the current row */
	int failed;        /* errno of the first failed write, 0 if none */
} csvout;

/* Opens path for writing (truncating). SS_EIO on failure. */
ss_status csvout_open(csvout *w, const char *path, ss_error *e);

/* Writes to an already open stream the caller keeps owning (stdout). */
void csvout_init_stream(csvout *w, FILE *fp, const char *name);

/* Appends a field, quoting it when it holds ',', '"', CR or LF, or leading/
 * trailing space. */
void csvout_str(csvout *w, const char *s);
void csvout_empty(csvout *w);
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

/* Formats v like csvout_real into buf (size >= 64); returns buf. */
const char *csvout_format_real(double v, int decimals, char *buf,
			       size_t size);

#endif
