/* diag — collects what validation finds: messages for validation.csv and
 * stderr, rejected rows for rejects.csv, and per-file counts.
 *
 * The core never prints: a sink hands each formatted message
 * ("file:line:column: severity: message") to an optional callback that the
 * stage program supplies (it prints to stderr). Writing the CSV files is
 * done by diag_write_*; rows keep the order in which they were reported.
 */
#ifndef SCHOOLSTAT_DIAG_H
#define SCHOOLSTAT_DIAG_H

#include <stddef.h>

#include "err.h"

typedef enum diag_severity { DIAG_ERROR, DIAG_WARNING } diag_severity;

typedef void (*diag_emit_fn)(void *ctx, const char *line);

typedef struct diag_message {
	diag_severity severity;
	char *code;    /* short stable identifier: "unknown_school", ... */
	char *file;    /* file name as shown to the user */
	long line;     /* 0 when not about a line */
	long column;   /* 0 when not about a column */
	char *message;
} diag_message;

typedef struct diag_reject {
	char *file;
	long line;
	char *reason;
	char *raw;     /* the row as read, verbatim */
} diag_reject;

typedef struct diag_sink {
	diag_message *messages;
	size_t nmessages, cap_messages;
	diag_reject *rejects;
	size_t nrejects, cap_rejects;
	size_t nerrors, nwarnings;
	diag_emit_fn emit;  /* may be NULL */
	void *emit_ctx;
	int failed;         /* an allocation failed; reported by write */
	char **map_from, **map_to; /* file names shown as other names */
	size_t nmap;
} diag_sink;

/* Initialises an empty sink; emit may be NULL. Release with diag_release. */
void diag_init(diag_sink *s, diag_emit_fn emit, void *emit_ctx);
void diag_release(diag_sink *s);

/* From now on, messages about file `name` ("enrollment.csv") name it as
 * `shown` ("data/sample/enrollment.csv"), so that later stages point at
 * the user's own file. Strings are copied; SS_ENOMEM on failure. */
ss_status diag_map_file(diag_sink *s, const char *name, const char *shown);

/* Records a message (copied) and passes its formatted form to emit.
 * Returns SS_ENOMEM if it could not be stored. */
ss_status diag_report(diag_sink *s, diag_severity sev, const char *code,
		      const char *file, long line, long column,
		      const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Records a rejected row (all strings copied). */
ss_status diag_reject_row(diag_sink *s, const char *file, long line,
			  const char *reason, const char *raw);

/* Writes validation.csv (severity,code,file,line,column,message) and
 * rejects.csv (file,line,reason,raw). SS_EIO on any write failure. */
ss_status diag_write_validation(const diag_sink *s, const char *path,
				ss_error *e);
ss_status diag_write_rejects(const diag_sink *s, const char *path,
			     ss_error *e);

/* Appends the sink's messages to an existing validation.csv written by an
 * earlier stage (later stages add audit warnings). */
ss_status diag_append_validation(const diag_sink *s, const char *path,
				 ss_error *e);

#endif
