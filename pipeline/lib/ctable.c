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
	free(t->header);
	free(t->cells);
	free(t->lines);
	free(t->text);
	free(t->path);
	memset(t, 0, sizeof *t);
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

#define CTABLE_CHUNK (1024 * 1024)
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Nonzero when some byte of x is zero. */
static uint64_t any_zero(uint64_t x)
{
	return (x - ONES) & ~x & HIGHS;
}

/* 0x80 in exactly the bytes of x that are zero. */
static uint64_t zero_bytes(uint64_t x)
{
	return ~(((x & ~HIGHS) + ~HIGHS) | x | ~HIGHS);
}

/* A copy of n names in one block: the pointers, then the text. */
static char **names_dup(char *const *names, size_t n)
{
	size_t bytes = (n ? n : 1) * sizeof(char *);
	char **copy, *p;

	for (size_t i = 0; i < n; i++)
		bytes += strlen(names[i]) + 1;
	if (!(copy = malloc(bytes)))
		return NULL;
	p = (char *)(copy + (n ? n : 1));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]) + 1;

		memcpy(p, names[i], len);
		copy[i] = p;
		p += len;
	}
	return copy;
}

typedef struct scanner {
	const ctable_sink *k;
	const ctable_options *opt;
	uint32_t *starts;      /* field offsets in the line */
	const char **fields;
	size_t cap, ncols;
	char **header;         /* the sink's copy is its own; this one is
				  for the keep predicate (names_dup) */
	long line;
} scanner;

static int room_for_field(scanner *sc, size_t nf)
{
	if (nf < sc->cap)
		return 0;
	size_t cap = sc->cap ? sc->cap * 2 : 64;
	uint32_t *s = realloc(sc->starts, cap * sizeof *s);
	const char **f;

	if (!s)
		return -1;
	sc->starts = s;
	if (!(f = realloc(sc->fields, cap * sizeof *f)))
		return -1;
	sc->fields = f;
	sc->cap = cap;
	return 0;
}

/* A line with quotes, split in place: each quoted field unquoted ("" is a
 * quote) and NUL-terminated. DIRECT_NO for text after a closing quote or
 * a quote left open (a line break inside quotes: csvin's). */
static direct_result split_quoted(scanner *sc, char *s, size_t len,
				  size_t *nfields)
{
	size_t p = 0, n = 0;
	int more = 1;

	while (more) {
		size_t w;

		if (room_for_field(sc, n) != 0)
			return DIRECT_NOMEM;
		sc->starts[n++] = (uint32_t)p;
		if (p < len && s[p] == '"') {
			w = p++;
			for (;;) {
				if (p >= len)
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
			if (p < len && s[p] != ',')
				return DIRECT_NO;
		} else {
			while (p < len && s[p] != ',') {
				if (s[p] == '"')
					return DIRECT_NO;
				p++;
			}
			w = p;
		}
		more = p < len;
		s[w] = '\0';
		p++;
	}
	*nfields = n;
	return DIRECT_OK;
}

/* One line p[0..n) without its line feed (p[n] is writable): split at
 * the commas in place and handed on. DIRECT_NO for anything csvin reads
 * otherwise or words an error for: CR, NUL, bad UTF-8, a blank line, a
 * ragged row, an over-long line, a broken quote. Eight bytes at a time
 * where there are no quotes: the big tables are some 40 MB. */
static direct_result take_line(scanner *sc, char *p, size_t n)
{
	size_t i = 0, nf = 1;
	uint64_t high = 0;
	int quoted = 0;
	direct_result r;

	sc->line++;
	if (n + 1 >= CSVIN_DEFAULT_MAX_LINE)
		return DIRECT_NO;
	if (room_for_field(sc, 0) != 0)
		return DIRECT_NOMEM;
	sc->starts[0] = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, commas;

		memcpy(&x, p + i, sizeof x);
		high |= x;
		if (any_zero(x ^ (ONES * '\r')) | any_zero(x))
			return DIRECT_NO;
		if (any_zero(x ^ (ONES * '"')))
			quoted = 1;
		for (commas = zero_bytes(x ^ (ONES * ',')); commas;
		     commas &= commas - 1) {
			if (room_for_field(sc, nf) != 0)
				return DIRECT_NOMEM;
			sc->starts[nf++] =
				(uint32_t)(i + (size_t)__builtin_ctzll(commas) / 8 + 1);
		}
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		high |= c;
		if (c == ',') {
			if (room_for_field(sc, nf) != 0)
				return DIRECT_NOMEM;
			sc->starts[nf++] = (uint32_t)(i + 1);
		} else if (c == '\r' || c == '\0') {
			return DIRECT_NO;
		} else if (c == '"') {
			quoted = 1;
		}
	}
	if ((high & HIGHS) && !text_utf8_valid(p, n, NULL))
		return DIRECT_NO;
	if (quoted) {
		if ((r = split_quoted(sc, p, n, &nf)) != DIRECT_OK)
			return r;
	} else {
		for (size_t j = 1; j < nf; j++)
			p[sc->starts[j] - 1] = '\0';
		p[n] = '\0';
	}
	/* csvin skips a line of blanks (and counts it): it is not a row */
	if (nf == 1 && p[strspn(p, " \t")] == '\0' && !(quoted && n > 0))
		return DIRECT_NO;
	for (size_t j = 0; j < nf; j++)
		sc->fields[j] = p + sc->starts[j];
	if (!sc->header) {
		if (!(sc->header = names_dup((char *const *)sc->fields, nf)) ||
		    sc->k->header(sc->k->ctx, sc->header, nf) != 0)
			return DIRECT_NOMEM;
		sc->ncols = nf;
		return DIRECT_OK;
	}
	if (nf != sc->ncols)
		return DIRECT_NO; /* csvin words the error */
	if (sc->opt && sc->opt->keep &&
	    !sc->opt->keep(sc->fields, nf, sc->header, sc->opt->keep_ctx))
		return DIRECT_OK;
	return sc->k->row(sc->k->ctx, sc->fields, nf, sc->line) ? DIRECT_NOMEM
							       : DIRECT_OK;
}

static void scanner_release(scanner *sc)
{
	free(sc->starts);
	free(sc->fields);
	free(sc->header);
	memset(sc, 0, sizeof *sc);
}

/* The whole file through take_line, a chunk at a time. DIRECT_NO also
 * when the file cannot be opened or read: csvin then words the error. */
static direct_result stream_direct(const char *path, scanner *sc)
{
	size_t cap = CTABLE_CHUNK, len = 0, start;
	int fd = open(path, O_RDONLY | O_CLOEXEC), eof = 0, checked_bom = 0;
	direct_result r = DIRECT_OK;
	char *buf;

	if (fd < 0)
		return DIRECT_NO;
	/* one byte more than is read: the last line gets its NUL there */
	if (!(buf = malloc(cap + 1))) {
		close(fd);
		return DIRECT_NOMEM;
	}
	while (r == DIRECT_OK && !eof) {
		ssize_t got = read(fd, buf + len, cap - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = DIRECT_NO;
			break;
		}
		eof = got == 0;
		len += (size_t)got;
		if (!checked_bom && (len >= 3 || eof)) {
			checked_bom = 1;
			if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
				r = DIRECT_NO;
				break;
			}
		}
		start = 0;
		while (r == DIRECT_OK && start < len) {
			char *nl = memchr(buf + start, '\n', len - start);
			size_t end = nl ? (size_t)(nl - buf) : len;

			if (!nl && !eof)
				break;
			r = take_line(sc, buf + start, end - start);
			start = nl ? end + 1 : len;
		}
		if (r != DIRECT_OK)
			break;
		memmove(buf, buf + start, len - start);
		len -= start;
		if (len == cap) {
			char *bigger;

			if (cap > CSVIN_DEFAULT_MAX_LINE) {
				r = DIRECT_NO; /* a line csvin finds too long */
				break;
			}
			if (!(bigger = realloc(buf, cap * 2 + 1))) {
				r = DIRECT_NOMEM;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	close(fd);
	free(buf);
	if (r == DIRECT_OK && !sc->header)
		r = DIRECT_NO; /* empty: csvin words the error */
	return r;
}

/* ------------------------------------------------------------ general */

static ss_status stream_general(const char *path, const ctable_sink *k,
				const ctable_options *opt, ss_error *e)
{
	csvin_options copt = { ',', NULL, 0 };
	csvin_reader *r = NULL;
	const csvin_row *row;
	size_t ncols = 0;
	char **header = NULL;
	ss_status st;

	if ((st = csvin_open(&r, path, &copt, e)) != SS_OK)
		return st;
	while ((st = csvin_next(r, &row, e)) == SS_OK && row) {
		if (row->status != CSVIN_ROW_OK) {
			st = err_set(e, SS_EDATA, path, row->line,
				     row->problem_column, "%s", row->problem);
			break;
		}
		if (!header) {
			if (!(header = names_dup(row->fields, row->nfields))) {
				st = err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
				break;
			}
			ncols = row->nfields;
			if (k->header(k->ctx, header, ncols) != 0) {
				st = err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
				break;
			}
			continue;
		}
		if (row->nfields != ncols) {
			st = err_set(e, SS_EDATA, path, row->line, 1,
				     "row has %zu fields (expected %zu)",
				     row->nfields, ncols);
			break;
		}
		if (opt && opt->keep &&
		    !opt->keep((const char *const *)row->fields, ncols, header,
			       opt->keep_ctx))
			continue;
		if (k->row(k->ctx, (const char *const *)row->fields, ncols,
			   row->line) != 0) {
			st = err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
			break;
		}
	}
	if (st == SS_OK && !header)
		st = err_set(e, SS_EDATA, path, 1, 1,
			     "empty file (expected a header row)");
	free(header);
	csvin_free(r);
	return st;
}

ss_status ctable_stream(const char *path, const ctable_sink *k,
			const ctable_options *opt, ss_error *e)
{
	if (!opt || !opt->general_reader) {
		scanner sc;
		direct_result r;

		memset(&sc, 0, sizeof sc);
		sc.k = k;
		sc.opt = opt;
		r = stream_direct(path, &sc);
		scanner_release(&sc);
		if (r == DIRECT_OK)
			return SS_OK;
		if (r == DIRECT_NOMEM)
			return err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
		k->reset(k->ctx);
	}
	return stream_general(path, k, opt, e);
}

/* ------------------------------------------------------------ loading */

/* Appends a NUL-terminated copy of s to t->text; *off gets its offset.
 * 0, 1 when the text would pass what 32-bit offsets reach, -1 when out
 * of memory. */
static int append_text(ctable *t, const char *s, uint32_t *off)
{
	size_t n = strlen(s) + 1;

	if (t->text_len + n > CTABLE_MAX_TEXT)
		return 1;
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

typedef struct store {
	ctable *t;
	size_t cap;    /* rows room */
	size_t hint;   /* bytes the text will need, at most */
	int too_large; /* the text passed 4 GiB */
} store;

static int store_header(void *ctx, char *const *names, size_t n)
{
	store *s = ctx;
	ctable *t = s->t;

	if (!(t->header = names_dup(names, n)))
		return -1;
	t->ncols = n;
	if (s->hint && !t->text && (t->text = malloc(s->hint)))
		t->text_cap = s->hint;
	return 0;
}

static int store_row(void *ctx, const char *const *fields, size_t n,
		     long line)
{
	store *s = ctx;
	ctable *t = s->t;
	uint32_t *cells;

	if (grow_rows(t, &s->cap) != 0)
		return -1;
	cells = t->cells + t->nrows * t->ncols;
	for (size_t i = 0; i < n; i++) {
		int r = append_text(t, fields[i], &cells[i]);

		if (r != 0) {
			s->too_large = r > 0;
			return -1;
		}
	}
	t->lines[t->nrows++] = line;
	return 0;
}

static void store_reset(void *ctx)
{
	store *s = ctx;
	char *path = s->t->path;

	s->t->path = NULL;
	ctable_release(s->t);
	s->t->path = path;
	s->cap = 0;
}

ss_status ctable_load_opt(ctable *t, const char *path,
			  const ctable_options *opt, ss_error *e)
{
	store s = { t, 0, 0, 0 };
	ctable_sink k = { store_header, store_row, store_reset, &s };
	struct stat sb;
	ss_status st;

	ctable_init(t);
	if (!(t->path = strdup(path)))
		return err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
	/* a whole table needs at most its file's bytes: no regrowing */
	if ((!opt || !opt->keep) && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > 0 && (unsigned long long)sb.st_size < CTABLE_MAX_TEXT)
		s.hint = (size_t)sb.st_size + 1;
	st = ctable_stream(path, &k, opt, e);
	if (st == SS_ENOMEM && s.too_large)
		st = err_set(e, SS_EDATA, path, 0, 0,
			     "table larger than 4 GiB (expected a smaller table)");
	return st;
}

ss_status ctable_load(ctable *t, const char *path, ss_error *e)
{
	return ctable_load_opt(t, path, NULL, e);
}

ss_status ctable_load_optional_opt(ctable *t, const char *dir,
				   const char *name, const ctable_options *opt,
				   int *present, ss_error *e)
{
	char path[4096];
	struct stat sb;

	ctable_init(t);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	*present = !(stat(path, &sb) != 0 && errno == ENOENT);
	return *present ? ctable_load_opt(t, path, opt, e) : SS_OK;
}

ss_status ctable_load_optional(ctable *t, const char *dir, const char *name,
			       int *present, ss_error *e)
{
	return ctable_load_optional_opt(t, dir, name, NULL, present, e);
}

/* ------------------------------------------------------------ access */

int ctable_header_col(char *const *header, size_t ncols, const char *name)
{
	for (size_t i = 0; i < ncols; i++)
		if (strcmp(header[i], name) == 0)
			return (int)i;
	return -1;
}

int ctable_col(const ctable *t, const char *name)
{
	return ctable_header_col(t->header, t->ncols, name);
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
