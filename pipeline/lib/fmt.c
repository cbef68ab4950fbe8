#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Digits beyond the ones kept that we ask printf for. glibc prints the exact
 * binary value correctly rounded, so with this many extra digits its own
 * rounding can only reach the first dropped digit for a double within
 * 1e-25 of a decimal tie, which no double of a magnitude we format is. */
#define EXTRA_DIGITS 25

/* 309 integer digits of DBL_MAX, the point, the decimals, NUL. */
#define WORK_SIZE 400

typedef struct outbuf {
	char *buf;
	size_t size;
	size_t pos;
} outbuf;

static void out_char(outbuf *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static const char *out_finish(outbuf *o)
{
	if (o->size == 0)
		return o->buf;
	o->buf[o->pos < o->size ? o->pos : o->size - 1] = '\0';
	return o->buf;
}

/* Writes the decimal digits `digits[0..n)` with '.' between groups of
 * three, counted from the right. */
static void out_grouped(outbuf *o, const char *digits, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out_char(o, '.');
		out_char(o, digits[i]);
	}
}

static int clamp_decimals(int d)
{
	if (d < 0)
		return 0;
	if (d > FMT_MAX_DECIMALS)
		return FMT_MAX_DECIMALS;
	return d;
}

/* Rounds |v| half away from zero to d decimals. On return digits holds the
 * integer digits followed by the d decimals (no point), NUL-terminated, and
 * *intlen the number of integer digits. */
static void round_abs(double v, int d, char *digits, size_t *intlen)
{
	char work[WORK_SIZE];
	const char *dot;
	size_t ilen, n, i;
	int carry;

	snprintf(work, sizeof work, "%.*f", d + EXTRA_DIGITS, fabs(v));
	dot = strchr(work, '.');
	ilen = (size_t)(dot - work);
	/* Leave room at the front for a carry out of the leading digit. */
	digits[0] = '0';
	memcpy(digits + 1, work, ilen);
	memcpy(digits + 1 + ilen, dot + 1, (size_t)d);
	n = 1 + ilen + (size_t)d;
	digits[n] = '\0';
	carry = dot[1 + d] >= '5';
	for (i = n; carry && i-- > 0;) {
		if (digits[i] == '9') {
			digits[i] = '0';
		} else {
			digits[i]++;
			carry = 0;
		}
	}
	if (digits[0] == '0') {
		memmove(digits, digits + 1, n);
		*intlen = ilen;
	} else {
		*intlen = ilen + 1;
	}
}

static int all_zero(const char *s)
{
	for (; *s; s++)
		if (*s != '0')
			return 0;
	return 1;
}

/* The shared body: trim drops trailing zeros of the fraction; suffix is
 * appended (may be NULL). */
static const char *format_real(double v, int decimals, int trim,
			       const char *suffix, char *buf, size_t size)
{
	char digits[WORK_SIZE + 2];
	outbuf o = { buf, size, 0 };
	size_t intlen, fraclen;
	int d = clamp_decimals(decimals);

	if (!isfinite(v))
		return out_finish(&o);
	round_abs(v, d, digits, &intlen);
	fraclen = (size_t)d;
	if (trim)
		while (fraclen > 0 && digits[intlen + fraclen - 1] == '0')
			fraclen--;
	digits[intlen + fraclen] = '\0';
	if (v < 0 && !all_zero(digits))
		out_char(&o, '-');
	out_grouped(&o, digits, intlen);
	if (fraclen > 0) {
		out_char(&o, ',');
		for (size_t i = 0; i < fraclen; i++)
			out_char(&o, digits[intlen + i]);
	}
	for (; suffix && *suffix; suffix++)
		out_char(&o, *suffix);
	return out_finish(&o);
}

const char *fmt_number(double v, int decimals, char *buf, size_t size)
{
	return format_real(v, decimals, 0, NULL, buf, size);
}

const char *fmt_number_trim(double v, int max_decimals, char *buf,
			    size_t size)
{
	return format_real(v, max_decimals, 1, NULL, buf, size);
}

const char *fmt_percent(double v, int decimals, char *buf, size_t size)
{
	return format_real(v, decimals, 0, "%", buf, size);
}

const char *fmt_percent_trim(double v, int max_decimals, char *buf,
			     size_t size)
{
	return format_real(v, max_decimals, 1, "%", buf, size);
}

const char *fmt_count(long long v, char *buf, size_t size)
{
	char digits[32];
	outbuf o = { buf, size, 0 };
	/* Through unsigned so that LLONG_MIN has a magnitude. */
	unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v
				       : (unsigned long long)v;
	int n = snprintf(digits, sizeof digits, "%llu", mag);

	if (v < 0)
		out_char(&o, '-');
	out_grouped(&o, digits, (size_t)n);
	return out_finish(&o);
}
