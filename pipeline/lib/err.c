#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(ss_error *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

static void set_position(ss_error *e, ss_status status, const char *file,
			 long line, long column)
{
	e->status = status;
	e->line = line;
	e->column = column;
	if (file)
		snprintf(e->file, sizeof e->file, "%s", file);
	else
		e->file[0] = '\0';
}

ss_status err_set(ss_error *e, ss_status status, const char *file, long line,
		  long column, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return status;
	set_position(e, status, file, line, column);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return status;
}

ss_status err_set_errno(ss_error *e, ss_status status, const char *file,
			int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (!e)
		return status;
	set_position(e, status, file, 0, 0);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	used = strlen(e->msg);
	snprintf(e->msg + used, sizeof e->msg - used, ": %s", strerror(errnum));
	return status;
}

const char *err_format(const ss_error *e, const char *severity, char *buf,
		       size_t size)
{
	if (e->file[0] && e->line > 0 && e->column > 0)
		snprintf(buf, size, "%s:%ld:%ld: %s: %s", e->file, e->line,
			 e->column, severity, e->msg);
	else if (e->file[0] && e->line > 0)
		snprintf(buf, size, "%s:%ld: %s: %s", e->file, e->line,
			 severity, e->msg);
	else if (e->file[0])
		snprintf(buf, size, "%s: %s: %s", e->file, severity, e->msg);
	else
		snprintf(buf, size, "%s: %s", severity, e->msg);
	return buf;
}

const char *err_status_name(ss_status status)
{
	switch (status) {
	case SS_OK: return "ok";
	case SS_EDATA: return "bad data";
	case SS_EIO: return "i/o error";
	case SS_ENOMEM: return "out of memory";
	case SS_EUSAGE: return "bad usage";
	case SS_EINTERNAL: return "internal error";
	}
	return "unknown error";
}
