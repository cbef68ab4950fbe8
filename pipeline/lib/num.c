/* num — numbers as Vietnamese and English spreadsheets write them.
 *
 * Every parser goes through the same two steps so the styles cannot drift
 * apart:
 *
 *  1. num_lex(): trim, take an optional sign and (for reals) a trailing '%',
 *     and check the shape of what is left: runs of ASCII digits separated by
 *     single marks ('.', ',', ' ' or NBSP). This step knows nothing about
 *     styles; anything else is NUM_GARBAGE.
 *  2. num_resolve(): decide which mark is the decimal mark. A "strict
 *     reading" of a style accepts '.'/',' only in that style's roles; a
 *     value is read strictly in the file's style and, when that fails, in
 *     the other style — which is the header's rule that a mark that cannot
 *     be a thousands separator is the decimal mark. When neither reading
 *     fits, the separators are misplaced (NUM_BAD_GROUPING).
 *
 * The digits are then converted by hand (counts, hundredths) or copied into
 * a plain "[-]digits[.digits]" buffer for strtod. strtod is the only
 * locale-sensitive call, and it only ever sees that form, which the C
 * locale reads with '.' as the decimal point; the pipeline never leaves the
 * C locale (nothing calls setlocale), so the result cannot depend on it.
 *
 * Exponent notation ("1e3", "5,8E+01") is rejected as NUM_GARBAGE on
 * purpose: Excel writes the tables this pipeline reads (counts, rates,
 * scores) in plain notation, so an 'e' in such a cell is far more likely a
 * typing slip or a mangled code than a number, and strtod would otherwise
 * let "1e999" or "inf" through as infinity.
 */
#include "num.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

/* The kinds of separator a value may contain between digit runs. Space and
 * NBSP are one kind: both only ever group thousands. */
enum num_mark {
	MARK_NONE = 0,
	MARK_DOT,
	MARK_COMMA,
	MARK_SPACE
};

/* What num_lex() found: the sign, the percent flag and the body (digits and
 * marks only, no surrounding blanks). */
typedef struct num_lexed {
	int negative;
	int percent;
	const char *body;
	size_t len;
} num_lexed;

/* The body split at the decimal mark chosen by num_resolve(): the integer
 * part is body[0, int_len) with its grouping marks still in it; the
 * fraction is frac[0, frac_len), digits only (no mark may follow the
 * decimal mark). */
typedef struct num_parts {
	int negative;
	int percent;
	const char *body;
	size_t int_len;
	const char *frac;
	size_t frac_len;
} num_parts;

static int num_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Length of the blank (space, tab, NBSP) starting at s[i], 0 if none. */
static size_t num_blank_at(const unsigned char *s, size_t i, size_t n)
{
	if (i < n && (s[i] == ' ' || s[i] == '\t'))
		return 1;
	if (i + 1 < n && s[i] == 0xC2 && s[i + 1] == 0xA0)
		return 2;
	return 0;
}

/* Length of the blank ending just before s[n], 0 if none. In valid UTF-8
 * 0xC2 is always a lead byte, so "C2 A0" at the end is always an NBSP. */
static size_t num_blank_before(const unsigned char *s, size_t start, size_t n)
{
	if (n > start && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		return 1;
	if (n >= start + 2 && s[n - 2] == 0xC2 && s[n - 1] == 0xA0)
		return 2;
	return 0;
}

/* The mark at body[i] and its length in bytes (0 for a digit or a byte that
 * is no mark). Space inside a number is a grouping mark, tab is not: Excel
 * never writes a tab inside a cell value. */
static enum num_mark num_mark_at(const unsigned char *b, size_t i, size_t n,
				 size_t *len)
{
	*len = 1;
	if (b[i] == '.')
		return MARK_DOT;
	if (b[i] == ',')
		return MARK_COMMA;
	if (b[i] == ' ')
		return MARK_SPACE;
	if (i + 1 < n && b[i] == 0xC2 && b[i + 1] == 0xA0) {
		*len = 2;
		return MARK_SPACE;
	}
	*len = 0;
	return MARK_NONE;
}

/* Step 1: the style-independent shape of the value. */
static num_result num_lex(const char *s, int allow_percent, num_lexed *lx)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = 0, end, i, k, mlen;
	int digits = 0, after_mark = 0;

	if (!s)
		return NUM_EMPTY;
	end = 0;
	while (u[end])
		end++;
	while ((k = num_blank_at(u, start, end)) > 0)
		start += k;
	while ((k = num_blank_before(u, start, end)) > 0)
		end -= k;
	if (start == end)
		return NUM_EMPTY;

	lx->percent = 0;
	if (allow_percent && u[end - 1] == '%') {
		lx->percent = 1;
		end--;
		while ((k = num_blank_before(u, start, end)) > 0)
			end -= k;
	}
	lx->negative = 0;
	if (start < end && (u[start] == '+' || u[start] == '-')) {
		lx->negative = u[start] == '-';
		start++;
	}
	if (start == end)
		return NUM_GARBAGE;

	/* A value may open with a decimal mark (".5"), never with a blank:
	 * "- 5" is not a number. */
	if (num_mark_at(u, start, end, &mlen) == MARK_SPACE)
		return NUM_GARBAGE;
	for (i = start; i < end; i += mlen) {
		if (num_is_digit(u[i])) {
			mlen = 1;
			digits = 1;
			after_mark = 0;
			continue;
		}
		if (num_mark_at(u, i, end, &mlen) == MARK_NONE || after_mark)
			return NUM_GARBAGE;
		after_mark = 1;
	}
	if (!digits || after_mark)
		return NUM_GARBAGE;
	lx->body = s + start;
	lx->len = end - start;
	return NUM_OK;
}

/* Step 2 for one style: does the body read strictly as `group` thousands
 * separators (plus blanks) and one optional `dec` decimal mark? Groups after
 * the first are exactly three digits; the first is one to three digits and
 * does not start with 0 ("0.062" is never 62). On success *int_len is the
 * offset of the decimal mark, or the whole length when there is none. */
static int num_reading_fits(const char *body, size_t n, enum num_mark group,
			    enum num_mark dec, size_t *int_len)
{
	const unsigned char *b = (const unsigned char *)body;
	size_t i, mlen, run = 0, first_run = 0;
	int marks = 0, grouped = 0, prev_group = 0, seen_dec = 0;
	enum num_mark m;

	*int_len = n;
	for (i = 0; i < n; i += mlen) {
		if (num_is_digit(b[i])) {
			mlen = 1;
			run++;
			continue;
		}
		m = num_mark_at(b, i, n, &mlen);
		if (seen_dec)
			return 0; /* a second decimal mark, or grouping after it */
		if (marks == 0)
			first_run = run;
		else if (prev_group && run != 3)
			return 0;
		marks++;
		if (m == dec) {
			seen_dec = 1;
			prev_group = 0;
			*int_len = i;
		} else if (m == group || m == MARK_SPACE) {
			grouped = 1;
			prev_group = 1;
		} else {
			return 0;
		}
		run = 0;
	}
	if (prev_group && run != 3)
		return 0;
	if (grouped && (first_run < 1 || first_run > 3 || b[0] == '0'))
		return 0;
	return 1;
}

static int num_style_fits(const num_lexed *lx, num_style style,
			  size_t *int_len)
{
	if (style == NUM_STYLE_VI)
		return num_reading_fits(lx->body, lx->len, MARK_DOT, MARK_COMMA,
					int_len);
	return num_reading_fits(lx->body, lx->len, MARK_COMMA, MARK_DOT,
				int_len);
}

/* Step 2: the file's style first, the other one as the fallback. AUTO reads
 * like English: the two styles only differ on values that fit both
 * ("1.062"), and the English reading of those is never a silent factor of
 * a thousand in a count. */
static num_result num_resolve(const num_lexed *lx, num_style style,
			      num_parts *p)
{
	num_style first = style == NUM_STYLE_VI ? NUM_STYLE_VI : NUM_STYLE_EN;
	num_style other = first == NUM_STYLE_VI ? NUM_STYLE_EN : NUM_STYLE_VI;
	size_t int_len;

	if (!num_style_fits(lx, first, &int_len) &&
	    !num_style_fits(lx, other, &int_len))
		return NUM_BAD_GROUPING;
	p->negative = lx->negative;
	p->percent = lx->percent;
	p->body = lx->body;
	p->int_len = int_len;
	if (int_len < lx->len) {
		p->frac = lx->body + int_len + 1; /* decimal marks are 1 byte */
		p->frac_len = lx->len - int_len - 1;
	} else {
		p->frac = lx->body + lx->len;
		p->frac_len = 0;
	}
	return NUM_OK;
}

static num_result num_split(const char *s, num_style style, int allow_percent,
			    num_parts *p)
{
	num_lexed lx;
	num_result r = num_lex(s, allow_percent, &lx);

	if (r != NUM_OK)
		return r;
	return num_resolve(&lx, style, p);
}

static int num_any_nonzero(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (num_is_digit((unsigned char)s[i]) && s[i] != '0')
			return 1;
	return 0;
}

/* The value of the integer digits of p (grouping marks skipped), refusing
 * to pass `limit`. Returns 0 on overflow. Leading zeros never overflow. */
static int num_accumulate(const num_parts *p, unsigned long long limit,
			  unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;
	unsigned d;

	for (i = 0; i < p->int_len; i++) {
		if (!num_is_digit((unsigned char)p->body[i]))
			continue;
		d = (unsigned)(p->body[i] - '0');
		if (v > (limit - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

num_result num_parse_count(const char *s, num_style style, long long *out)
{
	num_parts p;
	unsigned long long v;
	num_result r = num_split(s, style, 0, &p);

	if (r != NUM_OK)
		return r;
	/* "-0" is zero, not a count below zero; "-3,5" is negative first. */
	if (p.negative && (num_any_nonzero(p.body, p.int_len) ||
			   num_any_nonzero(p.frac, p.frac_len)))
		return NUM_NEGATIVE;
	if (num_any_nonzero(p.frac, p.frac_len))
		return NUM_NOT_INTEGER;
	if (!num_accumulate(&p, (unsigned long long)LLONG_MAX, &v))
		return NUM_RANGE;
	if (out)
		*out = (long long)v;
	return NUM_OK;
}

num_result num_parse_hundredths(const char *s, num_style style, long *out)
{
	num_parts p;
	unsigned long long v;
	size_t flen;
	unsigned cents = 0;
	num_result r = num_split(s, style, 0, &p);

	if (r != NUM_OK)
		return r;
	flen = p.frac_len;
	while (flen > 0 && p.frac[flen - 1] == '0')
		flen--;
	if (flen > 2)
		return NUM_NOT_INTEGER;
	if (flen >= 1)
		cents += 10u * (unsigned)(p.frac[0] - '0');
	if (flen == 2)
		cents += (unsigned)(p.frac[1] - '0');
	/* The limit on the integer part leaves room for the two decimals. */
	if (!num_accumulate(&p, (unsigned long long)LONG_MAX / 100, &v))
		return NUM_RANGE;
	v = v * 100;
	if (v > (unsigned long long)LONG_MAX - cents)
		return NUM_RANGE;
	v += cents;
	if (out)
		*out = p.negative ? -(long)v : (long)v;
	return NUM_OK;
}

/* Longest integer part that can still be finite: DBL_MAX < 10^309. */
#define NUM_REAL_INT_DIGITS (DBL_MAX_10_EXP + 1)
/* Fraction digits kept for strtod. Halfway points between doubles have at
 * most 1074 decimals (2^-1074), so keeping 1100 digits plus a sticky '1'
 * for any nonzero digit dropped after them rounds exactly like the full
 * string would. */
#define NUM_REAL_FRAC_DIGITS 1100
#define NUM_REAL_BUF (1 + NUM_REAL_INT_DIGITS + 1 + NUM_REAL_FRAC_DIGITS + 2)

num_result num_parse_real(const char *s, num_style style, double *out,
			  int *had_percent)
{
	num_parts p;
	char buf[NUM_REAL_BUF];
	size_t n = 0, i, flen, keep;
	int int_digits = 0, significant = 0;
	double v;
	char *end;
	num_result r = num_split(s, style, 1, &p);

	if (r != NUM_OK)
		return r;
	if (p.negative)
		buf[n++] = '-';
	for (i = 0; i < p.int_len; i++) {
		char c = p.body[i];

		if (!num_is_digit((unsigned char)c) || (c == '0' && !significant))
			continue;
		significant = 1;
		if (++int_digits > NUM_REAL_INT_DIGITS)
			return NUM_RANGE;
		buf[n++] = c;
	}
	if (!significant)
		buf[n++] = '0';
	flen = p.frac_len;
	while (flen > 0 && p.frac[flen - 1] == '0')
		flen--;
	if (flen > 0) {
		keep = flen < NUM_REAL_FRAC_DIGITS ? flen : NUM_REAL_FRAC_DIGITS;
		buf[n++] = '.';
		for (i = 0; i < keep; i++)
			buf[n++] = p.frac[i];
		/* flen was cut at its last nonzero digit, so anything dropped
		 * is nonzero. */
		if (keep < flen)
			buf[n++] = '1';
	}
	buf[n] = '\0';

	errno = 0;
	v = strtod(buf, &end);
	if (end != buf + n)
		return NUM_GARBAGE; /* cannot happen: buf is plain digits */
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
		return NUM_RANGE;
	/* Underflow (a value below 1e-308) keeps strtod's nearest value; a
	 * zero result drops the sign so "-0" never reaches an output file. */
	if (v == 0.0)
		v = 0.0;
	if (out)
		*out = v;
	if (had_percent)
		*had_percent = p.percent;
	return NUM_OK;
}

int num_style_evidence(const char *s)
{
	num_lexed lx;
	size_t int_len;
	int vi, en;

	if (num_lex(s, 1, &lx) != NUM_OK)
		return 0;
	vi = num_style_fits(&lx, NUM_STYLE_VI, &int_len);
	en = num_style_fits(&lx, NUM_STYLE_EN, &int_len);
	if (vi && !en)
		return 1;
	if (en && !vi)
		return -1;
	return 0;
}

static int num_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int num_is_alnum(int c)
{
	return num_is_digit((unsigned char)c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* "vi", "VI", "vi-VN", "vi_VN", "en-US": a language code, then optionally
 * '-' or '_' and a region of one to eight letters or digits (BCP 47 and
 * POSIX locale spellings both reach the command line). */
num_style num_style_from_name(const char *name)
{
	num_style style;
	size_t i;

	if (!name || !name[0] || !name[1])
		return NUM_STYLE_AUTO;
	if (num_lower(name[0]) == 'v' && num_lower(name[1]) == 'i')
		style = NUM_STYLE_VI;
	else if (num_lower(name[0]) == 'e' && num_lower(name[1]) == 'n')
		style = NUM_STYLE_EN;
	else
		return NUM_STYLE_AUTO;
	if (name[2] == '\0')
		return style;
	if (name[2] != '-' && name[2] != '_')
		return NUM_STYLE_AUTO;
	for (i = 3; name[i]; i++)
		if (!num_is_alnum(name[i]) || i > 10)
			return NUM_STYLE_AUTO;
	return i > 3 ? style : NUM_STYLE_AUTO;
}

const char *num_style_name(num_style style)
{
	switch (style) {
	case NUM_STYLE_AUTO:
		return "auto";
	case NUM_STYLE_EN:
		return "en";
	case NUM_STYLE_VI:
		return "vi";
	}
	return "unknown";
}

const char *num_result_text(num_result r)
{
	switch (r) {
	case NUM_OK:
		return "ok";
	case NUM_EMPTY:
		return "empty";
	case NUM_GARBAGE:
		return "not a number";
	case NUM_NOT_INTEGER:
		return "not a whole number";
	case NUM_NEGATIVE:
		return "negative";
	case NUM_RANGE:
		return "too large";
	case NUM_BAD_GROUPING:
		return "misplaced thousands separator";
	}
	return "unknown result";
}
