/* csvin — reading CSV tables as real exports write them, over libcsv.
 *
 * Tolerates without flags: a UTF-8 BOM, CRLF or LF, delimiter ',' ';' or
 * tab detected from the header line (the delimiter occurring most often
 * outside quotes; ',' on a tie). Keeps for every record its physical line,
 * the 1-based character column where each field starts, and the raw text,
 * so that callers can report "file:line:column" and keep rejected rows
 * verbatim. A broken record (unclosed quote, text after a closing quote,
 * an over-long line, invalid UTF-8) is returned with a status and a
 * message instead of ending the read: the reader resynchronises at the
 * next line, so one bad row never takes the rest of the file with it.
 * Blank lines (nothing but white space) are skipped and counted.
 */
#ifndef SCHOOLSTAT_CSVIN_H
#define SCHOOLSTAT_CSVIN_H

#include <stddef.h>

#include "err.h"

#define CSVIN_DEFAULT_MAX_LINE (1024 * 1024)

typedef struct csvin_options {
	char delimiter;       /* 0: detect from the header line */
	const char *encoding; /* NULL or "utf-8"; else see text_decoder */
	size_t max_record;    /* bytes; 0: CSVIN_DEFAULT_MAX_LINE */
} csvin_options;

typedef enum csvin_row_status {
	CSVIN_ROW_OK = 0,
	CSVIN_ROW_BAD_QUOTE, /* unclosed quote or text after a closing quote */
	CSVIN_ROW_TOO_LONG,  /* record longer than max_record */
	CSVIN_ROW_BAD_TEXT   /* invalid UTF-8, or invalid in --encoding */
} csvin_row_status;

typedef struct csvin_row {
	long line;          /* physical line where the record starts, 1-based */
	long end_line;      /* physical line where it ends (multi-line quotes) */
	size_t nfields;
	char **fields;      /* nfields NUL-terminated UTF-8 strings */
	long *columns;      /* 1-based character column of each field start */
	const char *raw;    /* record text as decoded, without line ending;
			       invalid bytes escaped as \xNN; NUL-terminated */
	size_t raw_len;
	csvin_row_status status;
	long problem_column;     /* where the problem is, when status != OK */
	char problem[256];       /* what is wrong, when status != OK */
} csvin_row;

typedef struct csvin_reader csvin_reader;

/* Opens path for reading. The reader owns everything it returns; free it
 * with csvin_free. SS_EIO (message with strerror) when the file cannot be
 * opened; SS_EUSAGE for an unknown encoding. */
ss_status csvin_open(csvin_reader **out, const char *path,
		     const csvin_options *opt, ss_error *e);

/* Reads from memory instead of a file (tests, fuzzing). data is copied;
 * name is used in messages. */
ss_status csvin_open_mem(csvin_reader **out, const char *name,
			 const char *data, size_t len,
			 const csvin_options *opt, ss_error *e);

/* Next record. On SS_OK *row points to a record owned by the reader and
 * valid until the next call, or is NULL at end of input. Records with a
 * status other than CSVIN_ROW_OK are still returned (see above). Fails only
 * for I/O (SS_EIO) or memory (SS_ENOMEM). */
ss_status csvin_next(csvin_reader *r, const csvin_row **row, ss_error *e);

/* The delimiter in use (known after the first csvin_next). */
char csvin_delimiter(const csvin_reader *r);
int csvin_had_bom(const csvin_reader *r);
long csvin_blank_lines(const csvin_reader *r);
const char *csvin_name(const csvin_reader *r);

/* Frees the reader; NULL does nothing. */
void csvin_free(csvin_reader *r);

#endif
