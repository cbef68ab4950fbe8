#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "text.h"

void diag_init(diag_sink *s, diag_emit_fn emit, void *emit_ctx)
{
	memset(s, 0, sizeof *s);
	s->emit = emit;
	s->emit_ctx = emit_ctx;
}

void diag_release(diag_sink *s)
{
	for (size_t i = 0; i < s->nmessages; i++) {
		free(s->messages[i].code);
		free(s->messages[i].file);
		free(s->messages[i].message);
	}
	for (size_t i = 0; i < s->nrejects; i++) {
		free(s->rejects[i].file);
		free(s->rejects[i].reason);
		free(s->rejects[i].raw);
	}
	for (size_t i = 0; i < s->nmap; i++) {
		free(s->map_from[i]);
		free(s->map_to[i]);
	}
	free(s->map_from);
	free(s->map_to);
	free(s->messages);
	free(s->rejects);
	memset(s, 0, sizeof *s);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int grow(void **items, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 1;
	ncap = *cap ? *cap * 2 : 64;
	p = realloc(*items, ncap * size);
	if (!p)
		return 0;
	*items = p;
	*cap = ncap;
	return 1;
}

ss_status diag_map_file(diag_sink *s, const char *name, const char *shown)
{
	char **from = realloc(s->map_from, (s->nmap + 1) * sizeof *from);
	char **to;

	if (!from)
		return SS_ENOMEM;
	s->map_from = from;
	to = realloc(s->map_to, (s->nmap + 1) * sizeof *to);
	if (!to)
		return SS_ENOMEM;
	s->map_to = to;
	from[s->nmap] = strdup(name);
	to[s->nmap] = strdup(shown);
	if (!from[s->nmap] || !to[s->nmap]) {
		free(from[s->nmap]);
		free(to[s->nmap]);
		return SS_ENOMEM;
	}
	s->nmap++;
	return SS_OK;
}

static const char *shown_name(const diag_sink *s, const char *file)
{
	for (size_t i = 0; file && i < s->nmap; i++)
		if (strcmp(s->map_from[i], file) == 0)
			return s->map_to[i];
	return file;
}

static const char *severity_name(diag_severity sev)
{
	return sev == DIAG_ERROR ? "error" : "warning";
}

ss_status diag_report(diag_sink *s, diag_severity sev, const char *code,
		      const char *file, long line, long column,
		      const char *fmt, ...)
{
	char text[1024], formatted[1400];
	diag_message *m;
	ss_error pos;
	va_list ap;

	va_start(ap, fmt);
	text_mark_truncated(text, sizeof text,
			    vsnprintf(text, sizeof text, fmt, ap));
	va_end(ap);
	file = shown_name(s, file);

	if (sev == DIAG_ERROR)
		s->nerrors++;
	else
		s->nwarnings++;
	if (s->emit) {
		err_set(&pos, SS_EDATA, file, line, column, "%s", text);
		s->emit(s->emit_ctx, err_format(&pos, severity_name(sev),
						formatted, sizeof formatted));
	}
	if (!grow((void **)&s->messages, &s->cap_messages, s->nmessages,
		  sizeof *s->messages)) {
		s->failed = 1;
		return SS_ENOMEM;
	}
	m = &s->messages[s->nmessages];
	m->severity = sev;
	m->line = line;
	m->column = column;
	m->code = dup_or_empty(code);
	m->file = dup_or_empty(file);
	m->message = dup_or_empty(text);
	if (!m->code || !m->file || !m->message) {
		free(m->code);
		free(m->file);
		free(m->message);
		s->failed = 1;
		return SS_ENOMEM;
	}
	s->nmessages++;
	return SS_OK;
}

ss_status diag_reject_row(diag_sink *s, const char *file, long line,
			  const char *reason, const char *raw)
{
	diag_reject *r;

	if (!grow((void **)&s->rejects, &s->cap_rejects, s->nrejects,
		  sizeof *s->rejects)) {
		s->failed = 1;
		return SS_ENOMEM;
	}
	r = &s->rejects[s->nrejects];
	file = shown_name(s, file);
	r->line = line;
	r->file = dup_or_empty(file);
	r->reason = dup_or_empty(reason);
	r->raw = dup_or_empty(raw);
	if (!r->file || !r->reason || !r->raw) {
		free(r->file);
		free(r->reason);
		free(r->raw);
		s->failed = 1;
		return SS_ENOMEM;
	}
	s->nrejects++;
	return SS_OK;
}

static const char *const validation_header[] = {
	"severity", "code", "file", "line", "column", "message", NULL
};

static void write_messages(const diag_sink *s, csvout *w)
{
	for (size_t i = 0; i < s->nmessages; i++) {
		const diag_message *m = &s->messages[i];

		csvout_str(w, severity_name(m->severity));
		csvout_str(w, m->code);
		csvout_str(w, m->file);
		if (m->line > 0)
			csvout_int(w, m->line);
		else
			csvout_empty(w);
		if (m->column > 0)
			csvout_int(w, m->column);
		else
			csvout_empty(w);
		csvout_str(w, m->message);
		csvout_end_row(w);
	}
}

static ss_status check_complete(const diag_sink *s, const char *path,
				ss_error *e)
{
	if (s->failed)
		return err_set(e, SS_ENOMEM, path, 0, 0,
			       "some messages were lost: out of memory");
	return SS_OK;
}

ss_status diag_write_validation(const diag_sink *s, const char *path,
				ss_error *e)
{
	csvout w;
	ss_status st;

	if ((st = check_complete(s, path, e)) != SS_OK)
		return st;
	if ((st = csvout_open(&w, path, e)) != SS_OK)
		return st;
	csvout_header(&w, validation_header);
	write_messages(s, &w);
	return csvout_close(&w, e);
}

ss_status diag_append_validation(const diag_sink *s, const char *path,
				 ss_error *e)
{
	csvout w;
	FILE *fp;
	long size;
	ss_status st;

	if ((st = check_complete(s, path, e)) != SS_OK)
		return st;
	fp = fopen(path, "a+");
	if (!fp)
		return err_set_errno(e, SS_EIO, path, errno, "cannot open");
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	csvout_init_stream(&w, fp, path);
	if (size <= 0)
		csvout_header(&w, validation_header);
	write_messages(s, &w);
	st = csvout_close(&w, e);
	if (fclose(fp) != 0 && st == SS_OK)
		st = err_set_errno(e, SS_EIO, path, errno,
				   "cannot write");
	return st;
}

ss_status diag_write_rejects(const diag_sink *s, const char *path,
			     ss_error *e)
{
	static const char *const header[] = { "file", "line", "reason", "raw",
					      NULL };
	csvout w;
	ss_status st;

	if ((st = check_complete(s, path, e)) != SS_OK)
		return st;
	if ((st = csvout_open(&w, path, e)) != SS_OK)
		return st;
	csvout_header(&w, header);
	for (size_t i = 0; i < s->nrejects; i++) {
		const diag_reject *r = &s->rejects[i];

		csvout_str(&w, r->file);
		csvout_int(&w, r->line);
		csvout_str(&w, r->reason);
		csvout_str(&w, r->raw);
		csvout_end_row(&w);
	}
	return csvout_close(&w, e);
}
