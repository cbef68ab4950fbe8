/* err — the error value every core function fills instead of printing.
 *
 * The core never prints and never exits (git's error()/die() split): a
 * function that can fail takes a caller-owned `ss_error *` and returns an
 * ss_status. Only the stage programs in pipeline/ print, using err_format().
 */
#ifndef SCHOOLSTAT_ERR_H
#define SCHOOLSTAT_ERR_H

#include <stddef.h>

typedef enum ss_status {
	SS_OK = 0,
	SS_EDATA,     /* the input is wrong: bad value, bad row, bad header */
	SS_EIO,       /* a file could not be read or written */
	SS_ENOMEM,    /* an allocation failed */
	SS_EUSAGE,    /* the caller passed an invalid argument or option */
	SS_EINTERNAL  /* a library (GSL, cairo, iconv) failed unexpectedly */
} ss_status;

#define ERR_MSG_MAX 512
#define ERR_FILE_MAX 256

/* Caller-owned; zero-initialise or err_clear() before use. line/column are
 * 1-based, 0 when unknown. */
typedef struct ss_error {
	ss_status status;
	char file[ERR_FILE_MAX];
	long line;
	long column;
	char msg[ERR_MSG_MAX];
} ss_error;

void err_clear(ss_error *e);

/* Records status, position and message in *e (e may be NULL) and returns
 * status, so a failing function can `return err_set(...)`. file may be NULL. */
ss_status err_set(ss_error *e, ss_status status, const char *file, long line,
		  long column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Like err_set but appends ": strerror(errnum)". */
ss_status err_set_errno(ss_error *e, ss_status status, const char *file,
			int errnum, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Formats "file:line:column: error: msg" (position parts omitted when
 * unknown) into buf; returns buf. */
const char *err_format(const ss_error *e, const char *severity, char *buf,
		       size_t size);

/* A short lower-case name of the status, for messages. */
const char *err_status_name(ss_status status);

#endif
