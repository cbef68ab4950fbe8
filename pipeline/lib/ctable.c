#include "ctable.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvin.h"
#include "text.h"

/* Offsets are 32-bit to halve the index of a large table. */
#define CTABLE_MAX_TEXT ((size_t)UINT32_MAX)

void ctable_init(ctable *t)
{
	memset(t, 0, sizeof *t);
}

void ctable_release(ctable *t)
{
	if (!t)
		return;
	free(t->header_text);
	free(t->header);
	free(t->cells);
	free(t->lines);
	free(t->text);
	free(t->path);
	memset(t, 0, sizeof *t);
}

static ss_status oom(const ctable *t, ss_error *e)
{
	return err_set(e, SS_ENOMEM, t->path, 0, 0, "out of memory");
}

/* Room for one more row in cells and lines. */
static int grow_rows(ctable *t, size_t *cap)
{
	uint32_t *cells;
	long *lines;
	size_t ncap;

	if (t->nrows < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	if (t->ncols && ncap > SIZE_MAX / sizeof *cells / t->ncols)
		return -1;
	cells = realloc(t->cells, ncap * (t->ncols ? t->ncols : 1) * sizeof *cells);
	if (!cells)
		return -1;
	t->cells = cells;
	lines = realloc(t->lines, ncap * sizeof *lines);
	if (!lines)
		return -1;
	t->lines = lines;
	*cap = ncap;
	return 0;
}

/* ------------------------------------------------------------ direct */

typedef enum { DIRECT_OK, DIRECT_NO, DIRECT_NOMEM } direct_result;

/* Reads the whole file into t->text (NUL-terminated). */
static ss_status slurp(ctable *t, ss_error *e)
{
	struct stat sb;
	size_t len = 0, cap;
	int fd = open(t->path, O_RDONLY | O_CLOEXEC);

	/* worded as csvin words them, whichever reader meets the failure */
	if (fd < 0)
		return err_set_errno(e, SS_EIO, NULL, errno, "cannot open '%s'",
				     t->path);
	cap = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0
		      ? (size_t)sb.st_size + 1 : 65536;
	if (!(t->text = malloc(cap))) {
		close(fd);
		return oom(t, e);
	}
	for (;;) {
		ssize_t got;

		if (len + 1 >= cap) {
			char *bigger = cap <= SIZE_MAX / 2 ? realloc(t->text, cap * 2) : NULL;

			if (!bigger) {
				close(fd);
				return oom(t, e);
			}
			t->text = bigger;
			cap *= 2;
		}
		got = read(fd, t->text + len, cap - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = errno;

			close(fd);
			return err_set_errno(e, SS_EIO, NULL, err, "cannot read '%s'",
					     t->path);
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	t->text[len] = '\0';
	t->text_len = len;
	t->text_cap = cap;
	return SS_OK;
}

/* Splits the record at s[*pos] in place: each field is NUL-terminated
 * where it ends, a quoted one unquoted. Its start offsets go to fields
 * (*nfields of them, growing *cap). Returns DIRECT_NO for whatever the
 * direct scanner leaves to csvin: a blank line, a quote inside an
 * unquoted field, text after a closing quote, a line break inside quotes,
 * an over-long record. */
static direct_result split_record(char *s, size_t len, size_t *pos,
				  uint32_t **fields, size_t *nfields, size_t *cap)
{
	size_t p = *pos, start = *pos, n = 0;
	int more = 1;

	while (more) {
		size_t w;

		if (n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			uint32_t *bigger = realloc(*fields, ncap * sizeof *bigger);

			if (!bigger)
				return DIRECT_NOMEM;
			*fields = bigger;
			*cap = ncap;
		}
		(*fields)[n++] = (uint32_t)p;
		if (p < len && s[p] == '"') {
			/* quoted: "" is a quote, the closing one ends the field */
			w = p;
			p++;
			for (;;) {
				if (p >= len || s[p] == '\n')
					return DIRECT_NO;
				if (s[p] == '"') {
					if (p + 1 < len && s[p + 1] == '"') {
						s[w++] = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				s[w++] = s[p++];
			}
			if (p < len && s[p] != ',' && s[p] != '\n')
				return DIRECT_NO;
		} else {
			while (p < len && s[p] != ',' && s[p] != '\n') {
				if (s[p] == '"')
					return DIRECT_NO;
				p++;
			}
			w = p;
		}
		more = p < len && s[p] == ',';
		s[w] = '\0';
		if (p < len)
			p++; /* the comma or the line feed */
	}
	/* a line of nothing but blanks is skipped by csvin, counted there */
	if (n == 1) {
		size_t i = start;

		while (s[i] == ' ' || s[i] == '\t')
			i++;
		if (s[i] == '\0')
			return DIRECT_NO;
	}
	if (p - start > CSVIN_DEFAULT_MAX_LINE)
		return DIRECT_NO;
	*pos = p;
	*nfields = n;
	return DIRECT_OK;
}

/* The table straight from t->text. On DIRECT_NO nothing is kept and
 * t->text is spoiled (fields were cut in place): the caller frees it. */
static direct_result load_direct(ctable *t, const ctable_options *opt)
{
	char *s = t->text;
	size_t len = t->text_len, pos = 0, n, fcap = 0, rcap = 0;
	uint32_t *fields = NULL;
	const char **row = NULL;
	long line = 0;
	direct_result r = DIRECT_OK;

	if (len >= CTABLE_MAX_TEXT || len == 0 ||
	    (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) ||
	    memchr(s, '\r', len) || memchr(s, '\0', len) ||
	    !text_utf8_valid(s, len, NULL))
		return DIRECT_NO;
	while (pos < len && r == DIRECT_OK) {
		line++;
		if ((r = split_record(s, len, &pos, &fields, &n, &fcap)) != DIRECT_OK)
			break;
		if (!t->header) {
			if (!(t->header = malloc(n * sizeof *t->header)) ||
			    !(row = malloc(n * sizeof *row))) {
				r = DIRECT_NOMEM;
				break;
			}
			for (size_t i = 0; i < n; i++)
				t->header[i] = s + fields[i];
			t->ncols = n;
			continue;
		}
		if (n != t->ncols) {
			r = DIRECT_NO; /* csvin words the error */
			break;
		}
		if (opt && opt->keep) {
			for (size_t i = 0; i < n; i++)
				row[i] = s + fields[i];
			if (!opt->keep(row, n, t->header, opt->keep_ctx))
				continue;
		}
		if (grow_rows(t, &rcap) != 0) {
			r = DIRECT_NOMEM;
			break;
		}
		memcpy(t->cells + t->nrows * t->ncols, fields, n * sizeof *fields);
		t->lines[t->nrows++] = line;
	}
	free(fields);
	free(row);
	if (r == DIRECT_OK && !t->header)
		r = DIRECT_NO;
	return r;
}

/* ------------------------------------------------------------ general */

/* Appends a NUL-terminated copy of s to t->text; *off gets its offset. */
static int append_text(ctable *t, const char *s, uint32_t *off)
{
	size_t n = strlen(s) + 1;

	if (t->text_len + n > CTABLE_MAX_TEXT)
		return -1;
	if (t->text_len + n > t->text_cap) {
		size_t ncap = t->text_cap ? t->text_cap : 4096;
		char *bigger;

		while (ncap < t->text_len + n)
			ncap *= 2;
		if (!(bigger = realloc(t->text, ncap)))
			return -1;
		t->text = bigger;
		t->text_cap = ncap;
	}
	memcpy(t->text + t->text_len, s, n);
	*off = (uint32_t)t->text_len;
	t->text_len += n;
	return 0;
}

static ss_status bad_row(const ctable *t, const csvin_row *row, ss_error *e)
{
	return err_set(e, SS_EDATA, t->path, row->line, row->problem_column,
		       "%s", row->problem);
}

/* The header in a block of its own: data cells may move t->text. */
static ss_status read_header(ctable *t, const csvin_row *row, ss_error *e)
{
	size_t bytes = 0;
	char *p;

	if (row->status != CSVIN_ROW_OK)
		return bad_row(t, row, e);
	for (size_t i = 0; i < row->nfields; i++)
		bytes += strlen(row->fields[i]) + 1;
	t->header = calloc(row->nfields ? row->nfields : 1, sizeof *t->header);
	t->header_text = malloc(bytes ? bytes : 1);
	if (!t->header || !t->header_text)
		return oom(t, e);
	p = t->header_text;
	for (size_t i = 0; i < row->nfields; i++) {
		size_t n = strlen(row->fields[i]) + 1;

		memcpy(p, row->fields[i], n);
		t->header[i] = p;
		p += n;
	}
	t->ncols = row->nfields;
	return SS_OK;
}

static ss_status append_row(ctable *t, const csvin_row *row, size_t *cap,
			    const ctable_options *opt, ss_error *e)
{
	uint32_t *cells;

	if (row->status != CSVIN_ROW_OK)
		return bad_row(t, row, e);
	if (row->nfields != t->ncols)
		return err_set(e, SS_EDATA, t->path, row->line, 1,
			       "row has %zu fields (expected %zu)",
			       row->nfields, t->ncols);
	if (opt && opt->keep &&
	    !opt->keep((const char *const *)row->fields, row->nfields,
		       t->header, opt->keep_ctx))
		return SS_OK;
	if (grow_rows(t, cap) != 0)
		return oom(t, e);
	cells = t->cells + t->nrows * t->ncols;
	for (size_t i = 0; i < t->ncols; i++)
		if (append_text(t, row->fields[i], &cells[i]) != 0)
			return t->text_len > CTABLE_MAX_TEXT / 2
				       ? err_set(e, SS_EDATA, t->path, row->line, 1,
						 "table larger than 4 GiB")
				       : oom(t, e);
	t->lines[t->nrows++] = row->line;
	return SS_OK;
}

static ss_status load_general(ctable *t, const ctable_options *opt, ss_error *e)
{
	csvin_options copt = { ',', NULL, 0 };
	csvin_reader *r = NULL;
	const csvin_row *row;
	size_t cap = 0;
	ss_status st;

	if ((st = csvin_open(&r, t->path, &copt, e)) != SS_OK)
		return st;
	while ((st = csvin_next(r, &row, e)) == SS_OK && row) {
		if (!t->header)
			st = read_header(t, row, e);
		else
			st = append_row(t, row, &cap, opt, e);
		if (st != SS_OK)
			break;
	}
	if (st == SS_OK && !t->header)
		st = err_set(e, SS_EDATA, t->path, 1, 1,
			     "empty file (expected a header row)");
	csvin_free(r);
	return st;
}

/* ------------------------------------------------------------ loading */

ss_status ctable_load_opt(ctable *t, const char *path,
			  const ctable_options *opt, ss_error *e)
{
	ss_status st;
	direct_result r;

	ctable_init(t);
	if (!(t->path = strdup(path)))
		return err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
	if (!opt || !opt->general_reader) {
		if ((st = slurp(t, e)) != SS_OK)
			return st;
		if ((r = load_direct(t, opt)) == DIRECT_OK)
			return SS_OK;
		if (r == DIRECT_NOMEM)
			return oom(t, e);
		/* start again: the scanner cut the text in place */
		char *keep_path = t->path;

		t->path = NULL;
		ctable_release(t);
		t->path = keep_path;
	}
	return load_general(t, opt, e);
}

ss_status ctable_load(ctable *t, const char *path, ss_error *e)
{
	return ctable_load_opt(t, path, NULL, e);
}

ss_status ctable_load_optional(ctable *t, const char *dir, const char *name,
			       int *present, ss_error *e)
{
	char path[4096];
	struct stat sb;

	ctable_init(t);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	*present = !(stat(path, &sb) != 0 && errno == ENOENT);
	return *present ? ctable_load(t, path, e) : SS_OK;
}

/* ------------------------------------------------------------ access */

int ctable_col(const ctable *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->header[i], name) == 0)
			return (int)i;
	return -1;
}

const char *ctable_get(const ctable *t, size_t row, int col)
{
	if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return "";
	return t->text + t->cells[row * t->ncols + (size_t)col];
}

int ctable_get_ll(const ctable *t, size_t row, int col, long long *out)
{
	const char *s = ctable_get(t, row, col);
	char *end;
	long long v;

	if (!*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 1;
}

int ctable_get_double(const ctable *t, size_t row, int col, double *out)
{
	const char *s = ctable_get(t, row, col);
	char *end;
	double v;

	if (!*s)
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v))
		return -1;
	*out = v;
	return 1;
}
