#include "csvin.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

/* Input is read in large blocks; a block boundary can fall anywhere. */
#define CSVIN_CHUNK (256 * 1024)
/* libcsv grows its field buffer linearly by this much. */
#define CSVIN_CSV_BLOCK (64 * 1024)

#define CSVIN_OPTS (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)

static const char utf8_hint[] =
	"expected UTF-8 text; for a legacy file use --encoding cp1258 or tcvn3";

/* One physical line in r->buf. */
struct line {
	size_t off;  /* first byte */
	size_t len;  /* bytes without the line ending */
	size_t next; /* first byte after the line ending */
	int cut;     /* longer than the limit asked: only a prefix is known */
};

/* A growable byte buffer, reused from record to record. */
struct bytes {
	char *p;
	size_t len, cap;
};

struct csvin_reader {
	char *name;
	FILE *fp;     /* NULL when reading from memory */
	int eof;      /* nothing more to read into buf */
	int io_errno; /* sticky read error */

	/* Input bytes [0, len). Bytes before `anchor` may be discarded; the
	 * anchor stays at the start of the pending record so that a broken
	 * record can be re-read from its second line. */
	char *buf;
	size_t cap, len, pos, anchor, scan;

	long lineno; /* physical lines consumed */
	int started, had_bom;
	char delim;  /* 0 until detected */
	long blank;
	size_t max_record;
	text_decoder *dec;

	struct csv_parser csv;
	int csv_ready;

	/* the current physical line as text: decoded, or escaped when bad */
	const char *text;
	size_t text_len;
	struct bytes dtext; /* decoded or escaped line */
	struct bytes tmp;   /* decoder scratch */

	/* pending record */
	long rec_lineno;      /* line of its first line */
	size_t rec_next_rel;  /* second line's offset from anchor */
	size_t rec_bytes;     /* input bytes so far (lines joined by 1) */
	size_t first_raw_len; /* raw length of the first line */
	long first_open_col;  /* open quote on the first line, 0 if none */
	int bad_text;         /* first problem already recorded */
	struct bytes raw;
	struct bytes fbuf;    /* field texts, NUL-separated */
	size_t *foff;
	size_t nf, foff_cap;
	int row_done, cb_nomem;

	char **fields;
	long *columns;
	size_t fields_cap;
	csvin_row row;
};

/* ------------------------------------------------------------ buffers */

static int bytes_reserve(struct bytes *b, size_t need)
{
	size_t ncap;
	char *np;

	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	np = realloc(b->p, ncap);
	if (!np)
		return -1;
	b->p = np;
	b->cap = ncap;
	return 0;
}

/* Appends and keeps the buffer NUL-terminated. */
static int bytes_add(struct bytes *b, const char *s, size_t n)
{
	if (n > SIZE_MAX - b->len - 1 || bytes_reserve(b, b->len + n + 1) != 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int bytes_add_hex(struct bytes *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 0x0F]};

	return bytes_add(b, esc, sizeof esc);
}

/* Where the first escaped byte went, and which byte it was. */
struct first_bad {
	size_t out_off; /* SIZE_MAX: none yet */
	unsigned char byte;
	size_t count;   /* escapes written */
};

/* Appends s[0..n) with every byte that is not valid UTF-8, and every NUL
 * (which would cut a C string short), escaped as \xNN. */
static int bytes_add_escaped(struct bytes *b, const char *s, size_t n,
			     struct first_bad *fb)
{
	size_t i = 0, bad, nul = 0;
	const char *z;

	while (i < n) {
		if (nul < i || i == 0) {
			z = memchr(s + i, '\0', n - i);
			nul = z ? (size_t)(z - s) : n;
		}
		if (text_utf8_valid(s + i, nul - i, &bad))
			bad = nul;
		else
			bad += i;
		if (bytes_add(b, s + i, bad - i) != 0)
			return -1;
		if (bad == n)
			break;
		if (fb && fb->out_off == SIZE_MAX) {
			fb->out_off = b->len;
			fb->byte = (unsigned char)s[bad];
		}
		if (fb)
			fb->count++;
		if (bytes_add_hex(b, (unsigned char)s[bad]) != 0)
			return -1;
		i = bad + 1;
	}
	return bytes_add(b, "", 0);
}

/* ------------------------------------------------------------ input */

static ss_status read_error(csvin_reader *r, ss_error *e)
{
	return err_set_errno(e, SS_EIO, NULL, r->io_errno, "cannot read '%s'",
			     r->name);
}

/* Reads one more block, first dropping the bytes before the anchor.
 * Returns 0, or -1 with r->io_errno set, or -2 when out of memory. */
static int fill(csvin_reader *r)
{
	size_t n, a = r->anchor;

	if (r->eof)
		return 0;
	if (a > 0) {
		memmove(r->buf, r->buf + a, r->len - a);
		r->len -= a;
		r->pos -= a;
		r->scan = r->scan > a ? r->scan - a : 0;
		r->anchor = 0;
	}
	if (r->cap - r->len < CSVIN_CHUNK) {
		size_t ncap = r->cap * 2;
		char *nb;

		if (ncap < r->len + CSVIN_CHUNK)
			ncap = r->len + CSVIN_CHUNK;
		nb = realloc(r->buf, ncap);
		if (!nb)
			return -2;
		r->buf = nb;
		r->cap = ncap;
	}
	errno = 0;
	n = fread(r->buf + r->len, 1, CSVIN_CHUNK, r->fp);
	r->len += n;
	if (n < CSVIN_CHUNK) {
		if (ferror(r->fp)) {
			r->io_errno = errno ? errno : EIO;
			return -1;
		}
		r->eof = 1;
	}
	return 0;
}

static ss_status fill_status(csvin_reader *r, int rc, ss_error *e)
{
	if (rc == -1)
		return read_error(r, e);
	return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory reading '%s'",
		       r->name);
}

/* Finds the next physical line at r->pos (LF or CRLF; a CR elsewhere is
 * data, and a CR before the end of the file too). A line longer than
 * limit bytes is returned with cut set as soon as that is known, without
 * buffering the rest of it. Returns 1, 0 at end of input, or a fill()
 * error. Does not consume the line. */
static int read_line(csvin_reader *r, size_t limit, struct line *ln)
{
	const char *nl;
	size_t start, n;
	int rc;

	for (;;) {
		start = r->pos;
		if (r->scan < start)
			r->scan = start;
		nl = memchr(r->buf + r->scan, '\n', r->len - r->scan);
		if (nl) {
			size_t end = (size_t)(nl - r->buf);

			n = end - start;
			if (n && r->buf[end - 1] == '\r')
				n--;
			ln->off = start;
			ln->len = n;
			ln->next = end + 1;
			ln->cut = n > limit;
			return 1;
		}
		r->scan = r->len;
		/* one byte of slack for the CR of a CRLF */
		if (r->len - start > limit && r->len - start - limit > 1) {
			ln->off = start;
			ln->len = r->len - start;
			ln->next = r->len;
			ln->cut = 1;
			return 1;
		}
		if (r->eof) {
			if (start == r->len)
				return 0;
			n = r->len - start;
			if (r->buf[r->len - 1] == '\r')
				n--;
			ln->off = start;
			ln->len = n;
			ln->next = r->len;
			ln->cut = n > limit;
			return 1;
		}
		rc = fill(r);
		if (rc != 0)
			return rc;
	}
}

/* Consumes the line at r->pos up to and including its ending without
 * keeping it, and stores its length (without the ending) in *total. */
static int skip_line(csvin_reader *r, size_t *total)
{
	const char *nl;
	size_t n;
	char last = 0;
	int rc;

	*total = 0;
	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		n = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
		*total += n;
		if (n)
			last = r->buf[r->pos + n - 1];
		r->pos += n;
		if (nl) {
			r->pos++;
			break;
		}
		r->anchor = r->pos;
		if (r->eof)
			break;
		rc = fill(r);
		if (rc != 0)
			return rc;
	}
	if (last == '\r')
		(*total)--;
	r->anchor = r->pos;
	r->scan = r->pos;
	return 0;
}

static int start_input(csvin_reader *r)
{
	int rc;

	r->started = 1;
	while (!r->eof && r->len < 3) {
		rc = fill(r);
		if (rc != 0)
			return rc;
	}
	/* the BOM is a UTF-8 signature; in a legacy encoding those bytes are
	 * letters and stay */
	if (!r->dec && r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) {
		r->had_bom = 1;
		r->pos = r->anchor = r->scan = 3;
	}
	return 0;
}

/* ------------------------------------------------------------ text */

static int is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Records the first text problem of the pending record. */
static void text_problem(csvin_reader *r, long lineno, long column,
			 const char *what, const char *expected)
{
	int n;

	if (r->bad_text)
		return;
	r->bad_text = 1;
	r->row.problem_column = column;
	/* a decoder message may be long: truncating it is fine */
	if (lineno != r->rec_lineno)
		n = snprintf(r->row.problem, sizeof r->row.problem,
			     "%s on line %ld (%s)", what, lineno, expected);
	else
		n = snprintf(r->row.problem, sizeof r->row.problem, "%s (%s)",
			     what, expected);
	if (n < 0)
		r->row.problem[0] = '\0';
}

/* Decodes s[0..n), which holds no NUL, escaping each byte the encoding
 * rejects. */
static ss_status decode_segment(csvin_reader *r, const char *s, size_t n,
				struct bytes *out, struct first_bad *fb,
				ss_error *first_err)
{
	size_t off = 0, dlen, bad;
	ss_status st;
	ss_error de;

	while (off < n) {
		err_clear(&de);
		st = text_decode_line(r->dec, s + off, n - off, &r->tmp.p,
				      &r->tmp.cap, &dlen, &de);
		if (st == SS_OK)
			return bytes_add(out, r->tmp.p, dlen) ? SS_ENOMEM : SS_OK;
		if (st != SS_EDATA)
			return st;
		if (de.column < 1 || (size_t)de.column > n - off)
			return SS_EINTERNAL;
		bad = (size_t)de.column - 1;
		if (fb->out_off == SIZE_MAX && first_err)
			*first_err = de;
		/* the part before the bad byte decodes on its own */
		st = text_decode_line(r->dec, s + off, bad, &r->tmp.p,
				      &r->tmp.cap, &dlen, &de);
		if (st != SS_OK)
			return st == SS_EDATA ? SS_EINTERNAL : st;
		if (bytes_add(out, r->tmp.p, dlen) != 0)
			return SS_ENOMEM;
		off += bad;
		if (fb->out_off == SIZE_MAX) {
			fb->out_off = out->len;
			fb->byte = (unsigned char)s[off];
		}
		fb->count++;
		if (bytes_add_hex(out, (unsigned char)s[off]) != 0)
			return SS_ENOMEM;
		off++;
	}
	return SS_OK;
}

/* Decodes a legacy line, escaping each byte the encoding rejects and each
 * NUL (iconv would pass it on as U+0000), so a bad line still has text
 * to show. Appends to out (NUL-terminated); fb records the first escape
 * and *first_err (may be NULL) the decoder's message about it. */
static ss_status decode_escaped(csvin_reader *r, const char *s, size_t n,
				struct bytes *out, struct first_bad *fb,
				ss_error *first_err)
{
	size_t off = 0, seg;
	const char *z;
	ss_status st;

	while (off < n) {
		z = memchr(s + off, '\0', n - off);
		seg = z ? (size_t)(z - (s + off)) : n - off;
		st = decode_segment(r, s + off, seg, out, fb, first_err);
		if (st != SS_OK)
			return st;
		off += seg;
		if (!z)
			break;
		if (fb->out_off == SIZE_MAX) {
			fb->out_off = out->len;
			fb->byte = 0;
		}
		fb->count++;
		if (bytes_add_hex(out, 0) != 0)
			return SS_ENOMEM;
		off++;
	}
	return bytes_add(out, "", 0) != 0 ? SS_ENOMEM : SS_OK;
}

static ss_status oom(csvin_reader *r, ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory reading '%s'",
		       r->name);
}

/* Splits a decoder message "what (expected ...)" into its two parts so
 * the line number can go between them. */
static void problem_from_msg(csvin_reader *r, long lineno, long column,
			     const char *msg)
{
	char what[128], expected[160];
	const char *open = strchr(msg, '(');
	size_t wl, el;

	if (!open || open == msg) {
		text_problem(r, lineno, column, msg, "expected valid text");
		return;
	}
	wl = (size_t)(open - msg);
	while (wl > 0 && msg[wl - 1] == ' ')
		wl--;
	el = strlen(open + 1);
	if (el > 0 && open[el] == ')')
		el--;
	snprintf(what, sizeof what, "%.*s", (int)wl, msg);
	snprintf(expected, sizeof expected, "%.*s", (int)el, open + 1);
	text_problem(r, lineno, column, what, expected);
}

static ss_status decode_line(csvin_reader *r, const char *s, size_t n,
			     long lineno, ss_error *e)
{
	struct first_bad fb = {SIZE_MAX, 0, 0};
	ss_status st = SS_EDATA;
	ss_error de;

	err_clear(&de);
	r->dtext.len = 0;
	if (!memchr(s, '\0', n))
		st = text_decode_line(r->dec, s, n, &r->dtext.p,
				      &r->dtext.cap, &r->dtext.len, &de);
	if (st == SS_EDATA) {
		r->dtext.len = 0;
		st = decode_escaped(r, s, n, &r->dtext, &fb, &de);
		if (st == SS_OK && fb.out_off != SIZE_MAX) {
			long col = (long)text_utf8_chars(r->dtext.p,
							 fb.out_off) + 1;

			if (fb.byte == 0)
				text_problem(r, lineno, col,
					     "unexpected NUL byte 0x00",
					     "expected text; a UTF-16 file must be saved in an 8-bit encoding first");
			else
				problem_from_msg(r, lineno, col, de.msg);
		}
	}
	if (st == SS_ENOMEM)
		return oom(r, e);
	if (st != SS_OK)
		return err_set(e, st, NULL, 0, 0, "cannot decode '%s': %s",
			       r->name, de.msg);
	r->text = r->dtext.p;
	r->text_len = r->dtext.len;
	return SS_OK;
}

/* Sets r->text to the UTF-8 text of the line s[0..n): the bytes
 * themselves, the decoded line, or (for a bad line) an escaped copy, with
 * the problem recorded. */
static ss_status line_text(csvin_reader *r, const char *s, size_t n,
			   long lineno, ss_error *e)
{
	struct first_bad fb = {SIZE_MAX, 0, 0};
	char what[64];
	size_t bad;
	long col;

	if (r->dec)
		return decode_line(r, s, n, lineno, e);
	if (!memchr(s, '\0', n) && text_utf8_valid(s, n, &bad)) {
		r->text = s;
		r->text_len = n;
		return SS_OK;
	}
	r->dtext.len = 0;
	if (bytes_add_escaped(&r->dtext, s, n, &fb) != 0)
		return oom(r, e);
	col = (long)text_utf8_chars(r->dtext.p, fb.out_off) + 1;
	if (fb.byte == 0) {
		text_problem(r, lineno, col, "unexpected NUL byte 0x00",
			     "expected UTF-8 text; a UTF-16 file must be saved as UTF-8 first");
	} else {
		snprintf(what, sizeof what, "invalid UTF-8 byte 0x%02X",
			 (unsigned)fb.byte);
		text_problem(r, lineno, col, what, utf8_hint);
	}
	r->text = r->dtext.p;
	r->text_len = r->dtext.len;
	return SS_OK;
}

/* ------------------------------------------------------------ CSV */

/* The delimiter occurring most often outside double quotes; ',' when
 * none does or when the highest count is shared. */
static char detect_delimiter(const char *s, size_t n)
{
	static const char cand[3] = {',', ';', '\t'};
	size_t count[3] = {0, 0, 0}, i, best = 0;
	int quoted = 0, k, ties = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted)
			for (k = 0; k < 3; k++)
				if (s[i] == cand[k])
					count[k]++;
	}
	for (k = 1; k < 3; k++) {
		if (count[k] > count[best]) {
			best = (size_t)k;
			ties = 0;
		} else if (count[k] == count[best]) {
			ties = 1;
		}
	}
	return ties || count[best] == 0 ? ',' : cand[best];
}

/* Walks s[0..n) with the CSV quote rules, storing in cols (up to max) the
 * 1-based character column where each field starts, counted from the
 * start of s (a "\n" between lines counts as one character). Returns the
 * number of fields; *open_col gets the column of a quote still open at
 * the end, else 0. */
static size_t scan_fields(const char *s, size_t n, char delim, long *cols,
			  size_t max, long *open_col)
{
	enum { START, PLAIN, QUOTED, QUOTE_SEEN } st = START;
	size_t i, nf = 1;
	long col = 1, opened = 0;

	if (max > 0)
		cols[0] = 1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (((unsigned char)c & 0xC0) == 0x80)
			continue; /* UTF-8 continuation: same character */
		switch (st) {
		case START:
			if (c == '"') {
				st = QUOTED;
				opened = col;
				break;
			}
			/* fall through */
		case PLAIN:
			st = PLAIN;
			if (c == delim) {
				if (nf < max)
					cols[nf] = col + 1;
				nf++;
				st = START;
			}
			break;
		case QUOTED:
			if (c == '"')
				st = QUOTE_SEEN;
			break;
		case QUOTE_SEEN:
			if (c == '"') {
				st = QUOTED;
			} else if (c == delim) {
				if (nf < max)
					cols[nf] = col + 1;
				nf++;
				st = START;
			} else {
				st = PLAIN;
			}
			break;
		}
		col++;
	}
	if (open_col)
		*open_col = st == QUOTED ? opened : 0;
	return nf;
}

static void on_field(void *s, size_t len, void *data)
{
	csvin_reader *r = data;

	if (r->cb_nomem)
		return;
	if (r->nf == r->foff_cap) {
		size_t ncap = r->foff_cap ? r->foff_cap * 2 : 64;
		size_t *np = realloc(r->foff, ncap * sizeof *np);

		if (!np) {
			r->cb_nomem = 1;
			return;
		}
		r->foff = np;
		r->foff_cap = ncap;
	}
	if (len > SIZE_MAX - r->fbuf.len - 1 ||
	    bytes_reserve(&r->fbuf, r->fbuf.len + len + 1) != 0) {
		r->cb_nomem = 1;
		return;
	}
	r->foff[r->nf++] = r->fbuf.len;
	if (len)
		memcpy(r->fbuf.p + r->fbuf.len, s, len);
	r->fbuf.p[r->fbuf.len + len] = '\0';
	r->fbuf.len += len + 1;
}

static void on_row(int c, void *data)
{
	csvin_reader *r = data;

	(void)c;
	r->row_done = 1;
}

/* Fields are taken as written: callers decide about white space. */
static int never_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Lines are split before libcsv sees them; only the LF we feed ends a
 * record, so a lone CR stays data. */
static int is_lf(unsigned char c)
{
	return c == '\n';
}

static void parser_reset(csvin_reader *r)
{
	/* without CSV_STRICT_FINI, csv_fini always resets the parser; the
	 * pending field goes to no callback */
	csv_set_opts(&r->csv, CSV_STRICT | CSV_APPEND_NULL);
	csv_fini(&r->csv, NULL, NULL, NULL);
	csv_set_opts(&r->csv, CSVIN_OPTS);
}

/* Returns 0, 1 on a strict-mode parse error (offset in *err_off), or -1
 * when libcsv ran out of memory. */
static int feed(csvin_reader *r, const char *s, size_t n, size_t *err_off)
{
	size_t used = csv_parse(&r->csv, s, n, on_field, on_row, r);

	if (r->cb_nomem)
		return -1;
	if (used == n)
		return 0;
	*err_off = used;
	return csv_error(&r->csv) == CSV_EPARSE ? 1 : -1;
}

/* ------------------------------------------------------------ records */

static void reset_row(csvin_reader *r)
{
	csvin_row *row = &r->row;

	row->line = row->end_line = 0;
	row->nfields = 0;
	row->fields = NULL;
	row->columns = NULL;
	row->raw = "";
	row->raw_len = 0;
	row->status = CSVIN_ROW_OK;
	row->problem_column = 0;
	row->problem[0] = '\0';
	r->raw.len = 0;
	r->fbuf.len = 0;
	r->nf = 0;
	r->row_done = 0;
	r->bad_text = 0;
	r->first_open_col = 0;
}

static void set_raw(csvin_reader *r, size_t len)
{
	r->raw.len = len;
	if (r->raw.p)
		r->raw.p[len] = '\0';
	r->row.raw = r->raw.p ? r->raw.p : "";
	r->row.raw_len = len;
}

/* Ends a broken multi-line attempt: the record is its first line, and
 * reading starts again at the second line, which may well be good. */
static void resync(csvin_reader *r)
{
	r->pos = r->anchor + r->rec_next_rel;
	r->anchor = r->scan = r->pos;
	r->lineno = r->rec_lineno;
	parser_reset(r);
	r->row.status = CSVIN_ROW_BAD_QUOTE;
	r->row.end_line = r->row.line;
	r->row.nfields = 0;
	set_raw(r, r->first_raw_len);
}

/* at_eof: the file ended inside the quote; else the record outgrew
 * max_record. */
static void unclosed_quote(csvin_reader *r, int at_eof)
{
	if (at_eof)
		snprintf(r->row.problem, sizeof r->row.problem,
			 "unclosed quote opened at column %ld (expected a closing '\"' before the end of the file)",
			 r->first_open_col);
	else
		snprintf(r->row.problem, sizeof r->row.problem,
			 "unclosed quote opened at column %ld (expected a closing '\"' within the record limit of %zu bytes)",
			 r->first_open_col, r->max_record);
	r->row.problem_column = r->first_open_col;
	resync(r);
}

/* A strict-mode error at byte off of the current line. On a later line
 * of a record the cause is almost always the quote left open on the
 * first line, so that is what gets reported. */
static void parse_error(csvin_reader *r, size_t off, long lineno)
{
	char what[16];
	const unsigned char *u = (const unsigned char *)r->text + off;
	size_t n = 1;

	if (lineno != r->rec_lineno) {
		snprintf(r->row.problem, sizeof r->row.problem,
			 "unclosed quote opened at column %ld (expected a closing '\"'; the quoted field runs on to line %ld and breaks there)",
			 r->first_open_col, lineno);
		r->row.problem_column = r->first_open_col;
	} else if (*u == '"') {
		snprintf(r->row.problem, sizeof r->row.problem,
			 "unexpected quote '\"' inside an unquoted field (expected the whole field in quotes, with inner quotes doubled)");
		r->row.problem_column = (long)text_utf8_chars(r->text, off) + 1;
	} else {
		/* show the whole character after the quote, or its byte */
		while (off + n < r->text_len && (u[n] & 0xC0) == 0x80 && n < 4)
			n++;
		if (*u < 0x20 || *u == 0x7F ||
		    !text_utf8_valid((const char *)u, n, NULL))
			snprintf(what, sizeof what, "\\x%02X", (unsigned)*u);
		else
			snprintf(what, sizeof what, "%.*s", (int)n,
				 (const char *)u);
		snprintf(r->row.problem, sizeof r->row.problem,
			 "unexpected text '%s' after a closing quote (expected a delimiter or the end of the line)",
			 what);
		r->row.problem_column = (long)text_utf8_chars(r->text, off) + 1;
	}
	resync(r);
}

/* Prepares line text, checks it, and feeds it to libcsv with its LF.
 * Returns SS_OK with *perr 1 when the record broke (row already set). */
static ss_status take_line(csvin_reader *r, const struct line *ln,
			   long lineno, int *perr, ss_error *e)
{
	size_t off = 0;
	ss_status st;
	int rc;

	*perr = 0;
	st = line_text(r, r->buf + ln->off, ln->len, lineno, e);
	if (st != SS_OK)
		return st;
	if (!r->delim) {
		r->delim = detect_delimiter(r->text, r->text_len);
		csv_set_delim(&r->csv, (unsigned char)r->delim);
	}
	if (lineno != r->rec_lineno && bytes_add(&r->raw, "\n", 1) != 0)
		return oom(r, e);
	if (bytes_add(&r->raw, r->text, r->text_len) != 0)
		return oom(r, e);
	if (lineno == r->rec_lineno) {
		r->first_raw_len = r->raw.len;
		scan_fields(r->text, r->text_len, r->delim, NULL, 0,
			    &r->first_open_col);
	}
	r->pos = ln->next; /* before a resync can move it back */
	rc = feed(r, r->text, r->text_len, &off);
	if (rc == 0)
		rc = feed(r, "\n", 1, &off);
	if (rc < 0)
		return oom(r, e);
	if (rc > 0) {
		parse_error(r, off, lineno);
		*perr = 1;
	}
	return SS_OK;
}

static ss_status too_long_row(csvin_reader *r, const struct line *ln,
			      ss_error *e)
{
	struct first_bad fb = {SIZE_MAX, 0, 0};
	const unsigned char *u = (const unsigned char *)r->buf + ln->off;
	size_t keep = r->max_record, total = 0, k;
	char marker[64];
	int rc;

	if (keep > ln->len)
		keep = ln->len;
	r->raw.len = 0;
	if (r->dec) {
		ss_status st = decode_escaped(r, r->buf + ln->off, keep,
					      &r->raw, &fb, NULL);

		if (st == SS_ENOMEM)
			return oom(r, e);
		if (st != SS_OK)
			return err_set(e, st, NULL, 0, 0, "cannot decode '%s'",
				       r->name);
	} else {
		/* do not cut a character in two: drop a partial one */
		if (keep < ln->len && (u[keep] & 0xC0) == 0x80) {
			for (k = keep; k > 0 && keep - k < 3; k--)
				if ((u[k - 1] & 0xC0) != 0x80)
					break;
			if (k > 0 && u[k - 1] >= 0xC0)
				keep = k - 1;
		}
		if (bytes_add_escaped(&r->raw, r->buf + ln->off, keep, &fb))
			return oom(r, e);
	}
	if (!r->delim) {
		r->delim = detect_delimiter(r->raw.p, r->raw.len);
		csv_set_delim(&r->csv, (unsigned char)r->delim);
	}
	/* where the limit falls in the line: an escape shows one byte */
	r->row.problem_column =
		(long)(text_utf8_chars(r->raw.p, r->raw.len) - 3 * fb.count) + 1;
	r->pos = ln->off;
	rc = skip_line(r, &total);
	if (rc != 0)
		return fill_status(r, rc, e);
	snprintf(marker, sizeof marker, " [truncated: %zu bytes in all]",
		 total);
	if (bytes_add(&r->raw, marker, strlen(marker)) != 0)
		return oom(r, e);
	set_raw(r, r->raw.len);
	r->row.status = CSVIN_ROW_TOO_LONG;
	snprintf(r->row.problem, sizeof r->row.problem,
		 "line of %zu bytes is longer than the limit (expected at most %zu bytes per record)",
		 total, r->max_record);
	return SS_OK;
}

static ss_status finish_ok_row(csvin_reader *r, ss_error *e)
{
	csvin_row *row = &r->row;
	size_t i;
	long open_col;

	set_raw(r, r->raw.len);
	if (r->bad_text) {
		row->status = CSVIN_ROW_BAD_TEXT;
		return SS_OK;
	}
	if (r->nf > r->fields_cap) {
		size_t ncap = r->fields_cap ? r->fields_cap : 64;
		char **nfld;
		long *ncol;

		while (ncap < r->nf)
			ncap *= 2;
		nfld = realloc(r->fields, ncap * sizeof *nfld);
		if (!nfld)
			return oom(r, e);
		r->fields = nfld;
		ncol = realloc(r->columns, ncap * sizeof *ncol);
		if (!ncol)
			return oom(r, e);
		r->columns = ncol;
		r->fields_cap = ncap;
	}
	for (i = 0; i < r->nf; i++) {
		r->fields[i] = r->fbuf.p + r->foff[i];
		r->columns[i] = 0;
	}
	scan_fields(row->raw, row->raw_len, r->delim, r->columns, r->nf,
		    &open_col);
	row->nfields = r->nf;
	row->fields = r->fields;
	row->columns = r->columns;
	return SS_OK;
}

/* Reads the lines after the first until the record closes. */
static ss_status continue_record(csvin_reader *r, ss_error *e)
{
	struct line ln;
	size_t limit;
	ss_status st;
	int rc, broke;

	while (!r->row_done) {
		if (r->rec_bytes >= r->max_record) {
			unclosed_quote(r, 0);
			return SS_OK;
		}
		limit = r->max_record - r->rec_bytes - 1;
		rc = read_line(r, limit, &ln);
		if (rc < 0)
			return fill_status(r, rc, e);
		if (rc == 0) {
			/* CSV_STRICT_FINI makes libcsv confirm the open quote */
			if (csv_fini(&r->csv, on_field, on_row, r) != 0 ||
			    !r->row_done) {
				unclosed_quote(r, 1);
				return SS_OK;
			}
			break;
		}
		if (ln.cut) {
			unclosed_quote(r, 0);
			return SS_OK;
		}
		r->lineno++;
		r->rec_bytes += 1 + ln.len;
		st = take_line(r, &ln, r->lineno, &broke, e);
		if (st != SS_OK || broke)
			return st;
	}
	r->row.end_line = r->lineno;
	r->anchor = r->pos;
	return finish_ok_row(r, e);
}

ss_status csvin_next(csvin_reader *r, const csvin_row **row, ss_error *e)
{
	struct line ln;
	ss_status st;
	int rc, broke;

	*row = NULL;
	if (r->io_errno)
		return read_error(r, e);
	if (!r->started) {
		rc = start_input(r);
		if (rc != 0)
			return fill_status(r, rc, e);
	}
	reset_row(r);
	for (;;) {
		rc = read_line(r, r->max_record, &ln);
		if (rc < 0)
			return fill_status(r, rc, e);
		if (rc == 0) {
			if (!r->delim)
				r->delim = ',';
			return SS_OK;
		}
		r->lineno++;
		if (ln.cut || !is_blank(r->buf + ln.off, ln.len))
			break;
		r->blank++;
		r->pos = r->anchor = ln.next;
	}
	r->row.line = r->row.end_line = r->lineno;
	r->rec_lineno = r->lineno;
	if (ln.cut) {
		st = too_long_row(r, &ln, e);
		if (st == SS_OK)
			*row = &r->row;
		return st;
	}
	r->anchor = ln.off;
	r->rec_next_rel = ln.next - ln.off;
	r->rec_bytes = ln.len;
	st = take_line(r, &ln, r->lineno, &broke, e);
	if (st == SS_OK && !broke)
		st = continue_record(r, e);
	if (st == SS_OK)
		*row = &r->row;
	return st;
}

/* ------------------------------------------------------------ open */

static ss_status reader_new(csvin_reader **out, const char *name,
			    const csvin_options *opt, ss_error *e)
{
	csvin_reader *r;
	ss_status st;
	const char *enc = opt ? opt->encoding : NULL;
	char delim = opt ? opt->delimiter : 0;

	*out = NULL;
	/* the quote and line ends have their own meaning; a non-ASCII byte
	 * would be part of a UTF-8 character */
	if (delim == '"' || delim == '\n' || delim == '\r' ||
	    (unsigned char)delim >= 0x80)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "delimiter '\\x%02X' cannot be used (expected ',', ';' or a tab)",
			       (unsigned)(unsigned char)delim);
	r = calloc(1, sizeof *r);
	if (!r)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	r->name = strdup(name ? name : "");
	if (!r->name) {
		free(r);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	r->delim = delim;
	r->max_record = opt && opt->max_record ? opt->max_record :
						 CSVIN_DEFAULT_MAX_LINE;
	if (enc && strcasecmp(enc, "utf-8") != 0 && strcasecmp(enc, "utf8") != 0) {
		st = text_decoder_alloc(&r->dec, enc, e);
		if (st != SS_OK) {
			csvin_free(r);
			return st;
		}
	}
	if (csv_init(&r->csv, CSVIN_OPTS) != 0) {
		csvin_free(r);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	r->csv_ready = 1;
	csv_set_space_func(&r->csv, never_space);
	csv_set_term_func(&r->csv, is_lf);
	csv_set_blk_size(&r->csv, CSVIN_CSV_BLOCK);
	if (r->delim)
		csv_set_delim(&r->csv, (unsigned char)r->delim);
	*out = r;
	return SS_OK;
}

ss_status csvin_open(csvin_reader **out, const char *path,
		     const csvin_options *opt, ss_error *e)
{
	csvin_reader *r;
	ss_status st;

	*out = NULL;
	st = reader_new(&r, path, opt, e);
	if (st != SS_OK)
		return st;
	r->fp = fopen(path, "rb");
	if (!r->fp) {
		int err = errno;

		csvin_free(r);
		*out = NULL;
		return err_set_errno(e, SS_EIO, NULL, err, "cannot open '%s'",
				     path);
	}
	*out = r;
	return SS_OK;
}

ss_status csvin_open_mem(csvin_reader **out, const char *name,
			 const char *data, size_t len,
			 const csvin_options *opt, ss_error *e)
{
	csvin_reader *r;
	ss_status st;

	*out = NULL;
	st = reader_new(&r, name, opt, e);
	if (st != SS_OK)
		return st;
	r->buf = malloc(len + 1);
	if (!r->buf) {
		csvin_free(r);
		*out = NULL;
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	if (len)
		memcpy(r->buf, data, len);
	r->cap = len + 1;
	r->len = len;
	r->eof = 1;
	*out = r;
	return SS_OK;
}

char csvin_delimiter(const csvin_reader *r)
{
	return r->delim;
}

int csvin_had_bom(const csvin_reader *r)
{
	return r->had_bom;
}

long csvin_blank_lines(const csvin_reader *r)
{
	return r->blank;
}

const char *csvin_name(const csvin_reader *r)
{
	return r->name;
}

void csvin_free(csvin_reader *r)
{
	if (!r)
		return;
	if (r->fp)
		fclose(r->fp);
	if (r->csv_ready)
		csv_free(&r->csv);
	text_decoder_free(r->dec);
	free(r->name);
	free(r->buf);
	free(r->dtext.p);
	free(r->tmp.p);
	free(r->raw.p);
	free(r->fbuf.p);
	free(r->foff);
	free(r->fields);
	free(r->columns);
	free(r);
}
