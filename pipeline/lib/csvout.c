#include "csvout.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void note_failure(csvout *w)
{
	if (!w->failed)
		w->failed = errno ? errno : EIO;
}

static void put(csvout *w, const char *s, size_t len)
{
	if (w->failed || !w->fp)
		return;
	if (len && fwrite(s, 1, len, w->fp) != len)
		note_failure(w);
}

ss_status csvout_open(csvout *w, const char *path, ss_error *e)
{
	memset(w, 0, sizeof *w);
	snprintf(w->path, sizeof w->path, "%s", path);
	w->fp = fopen(path, "w");
	if (!w->fp)
		return err_set_errno(e, SS_EIO, path, errno, "cannot create");
	w->owns_fp = 1;
	return SS_OK;
}

void csvout_init_stream(csvout *w, FILE *fp, const char *name)
{
	memset(w, 0, sizeof *w);
	snprintf(w->path, sizeof w->path, "%s", name);
	w->fp = fp;
}

static void separator(csvout *w)
{
	if (w->fields_in_row++ > 0)
		put(w, ",", 1);
}

static int needs_quotes(const char *s)
{
	size_t len = strlen(s);

	if (len && (s[0] == ' ' || s[len - 1] == ' ' || s[0] == '\t' ||
		    s[len - 1] == '\t'))
		return 1;
	return strpbrk(s, ",\"\r\n") != NULL;
}

void csvout_str(csvout *w, const char *s)
{
	separator(w);
	if (!s)
		return;
	if (!needs_quotes(s)) {
		put(w, s, strlen(s));
		return;
	}
	put(w, "\"", 1);
	for (const char *q; (q = strchr(s, '"')); s = q + 1) {
		put(w, s, (size_t)(q - s + 1));
		put(w, "\"", 1);
	}
	put(w, s, strlen(s));
	put(w, "\"", 1);
}

void csvout_empty(csvout *w)
{
	separator(w);
}

void csvout_int(csvout *w, long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%lld", v);

	separator(w);
	put(w, buf, (size_t)n);
}

const char *csvout_format_real(double v, int decimals, char *buf, size_t size)
{
	char *dot, *end;

	if (!isfinite(v)) {
		buf[0] = '\0';
		return buf;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 15)
		decimals = 15;
	snprintf(buf, size, "%.*f", decimals, v);
	dot = strchr(buf, '.');
	if (dot) {
		end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	/* Rounding can leave "-0"; a sign on zero would make reruns of
	 * equal data differ in text only. */
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, size, "0");
	return buf;
}

void csvout_real(csvout *w, double v, int decimals)
{
	char buf[400];

	separator(w);
	csvout_format_real(v, decimals, buf, sizeof buf);
	put(w, buf, strlen(buf));
}

void csvout_header(csvout *w, const char *const *names)
{
	for (; *names; names++)
		csvout_str(w, *names);
	csvout_end_row(w);
}

void csvout_end_row(csvout *w)
{
	put(w, "\n", 1);
	w->fields_in_row = 0;
}

ss_status csvout_close(csvout *w, ss_error *e)
{
	int failed;

	if (!w->fp)
		return err_set(e, SS_EIO, w->path, 0, 0, "not open");
	if (fflush(w->fp) != 0 || ferror(w->fp))
		note_failure(w);
	if (w->owns_fp && fclose(w->fp) != 0)
		note_failure(w);
	w->fp = NULL;
	failed = w->failed;
	if (failed)
		return err_set_errno(e, SS_EIO, w->path, failed,
				     "cannot write");
	return SS_OK;
}
