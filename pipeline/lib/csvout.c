#include "csvout.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Large enough that the stream sees few, big writes. */
#define CSVOUT_BLOCK ((size_t)64 * 1024)
#define REAL_MAX CSVOUT_REAL_MAX

static void note_failure(csvout *w)
{
	if (!w->failed)
		w->failed = errno ? errno : EIO;
}

static void write_through(csvout *w, const char *s, size_t len)
{
	if (len && fwrite(s, 1, len, w->fp) != len)
		note_failure(w);
}

static void flush_block(csvout *w)
{
	if (w->len && !w->failed && w->fp)
		write_through(w, w->buf, w->len);
	w->len = 0;
}

static void put(csvout *w, const char *s, size_t len)
{
	if (w->failed || !w->fp)
		return;
	if (!w->buf) {
		write_through(w, s, len);
		return;
	}
	if (w->len + len > w->cap) {
		flush_block(w);
		if (len > w->cap) {
			write_through(w, s, len);
			return;
		}
	}
	memcpy(w->buf + w->len, s, len);
	w->len += len;
}

/* A failed allocation only costs speed: put writes straight through. */
static void block_init(csvout *w)
{
	w->buf = malloc(CSVOUT_BLOCK);
	w->cap = w->buf ? CSVOUT_BLOCK : 0;
	w->len = 0;
}

ss_status csvout_open(csvout *w, const char *path, ss_error *e)
{
	memset(w, 0, sizeof *w);
	snprintf(w->path, sizeof w->path, "%s", path);
	w->fp = fopen(path, "w");
	if (!w->fp)
		return err_set_errno(e, SS_EIO, path, errno, "cannot create");
	w->owns_fp = 1;
	block_init(w);
	return SS_OK;
}

void csvout_init_stream(csvout *w, FILE *fp, const char *name)
{
	memset(w, 0, sizeof *w);
	snprintf(w->path, sizeof w->path, "%s", name);
	w->fp = fp;
	block_init(w);
}

static void separator(csvout *w)
{
	if (w->fields_in_row++ > 0)
		put(w, ",", 1);
}

static int needs_quotes(const char *s, size_t len)
{
	if (len && (s[0] == ' ' || s[len - 1] == ' ' || s[0] == '\t' ||
		    s[len - 1] == '\t'))
		return 1;
	return strpbrk(s, ",\"\r\n") != NULL;
}

/* Writes the field text of s (quoted when needed) to out, which has room
 * for 2 len + 3 bytes; returns its length. */
static size_t field_text(const char *s, size_t len, char *out)
{
	char *p = out;

	if (!needs_quotes(s, len)) {
		memcpy(out, s, len);
		return len;
	}
	*p++ = '"';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			*p++ = '"';
		*p++ = s[i];
	}
	*p++ = '"';
	return (size_t)(p - out);
}

void csvout_str(csvout *w, const char *s)
{
	size_t len;

	separator(w);
	if (!s)
		return;
	len = strlen(s);
	if (!needs_quotes(s, len)) {
		put(w, s, len);
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

char *csvout_reserve(csvout *w, size_t n)
{
	if (w->failed || !w->fp || !w->buf || n > w->cap)
		return NULL;
	if (w->len + n > w->cap)
		flush_block(w);
	return w->failed ? NULL : w->buf + w->len;
}

void csvout_commit_row(csvout *w, size_t len)
{
	w->len += len;
	w->fields_in_row = 0;
}

void csvout_raw(csvout *w, const char *text, size_t len)
{
	separator(w);
	put(w, text, len);
}

char *csvout_field_dup(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 3);

	if (!out)
		return NULL;
	*len = field_text(s, n, out);
	out[*len] = '\0';
	return out;
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

/* ------------------------------------------------------------- reals */

/* "%.*f" with the trimming of csvout_real, by snprintf: the reference,
 * and the way for values the integer path does not cover. */
static size_t format_by_printf(double v, int decimals, char *buf,
			       size_t size)
{
	char *dot, *end;

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
	return strlen(buf);
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10_u64[16] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL
};

static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

/* Writes the last n digits of u (zero-padded) ending at end, two at a
 * time. */
static void put_digits_back(char *end, uint64_t u, size_t n)
{
	for (; n >= 2; n -= 2) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (n)
		*--end = (char)('0' + u % 10);
}

char *csvout_put_u64(char *p, unsigned long long u)
{
	size_t n = 1;

	for (uint64_t t = u; t >= 10; t /= 10)
		n++;
	put_digits_back(p + n, u, n);
	return p + n;
}

/* q / p10 and q % p10; the usual 6 decimals as a constant divisor,
 * which the compiler turns into a multiplication. */
static void split_fixed(u128 q, int decimals, uint64_t p10, uint64_t *ip,
			uint64_t *fp)
{
	if (q >> 64 != 0) {
		*ip = (uint64_t)(q / p10);
		*fp = (uint64_t)(q % p10);
	} else if (decimals == 6) {
		*ip = (uint64_t)q / 1000000;
		*fp = (uint64_t)q % 1000000;
	} else {
		*ip = (uint64_t)q / p10;
		*fp = (uint64_t)q % p10;
	}
}

/* The text of format_by_printf for finite v with |v| < 2^64, from the
 * exact value: v = m 2^e, so v 10^d = m 10^d 2^e is a 128-bit integer
 * (m < 2^53, 10^d < 2^50) shifted, rounded to the nearest with ties to
 * even as glibc's printf does in the default rounding mode. Returns the
 * length, or 0 when v is out of range. */
static size_t format_exact(double v, int decimals, char *out)
{
	uint64_t bits, m, p10 = pow10_u64[decimals], ip, fp;
	int biased, e, d = decimals;
	u128 q;
	char *p = out;

	/* Whole numbers (counts, denominators) are most of what is
	 * written: their text has no decimals whatever d is. */
	if (v > -9007199254740992.0 && v < 9007199254740992.0 &&
	    v == (double)(int64_t)v) {
		int64_t iv = (int64_t)v;
		if (iv < 0)
			*p++ = '-';
		p = csvout_put_u64(p, iv < 0 ? 0 - (uint64_t)iv : (uint64_t)iv);
		*p = '\0';
		return (size_t)(p - out);
	}
	memcpy(&bits, &v, sizeof bits);
	biased = (int)((bits >> 52) & 0x7ff);
	m = bits & ((1ULL << 52) - 1);
	if (biased == 0x7ff)
		return 0;
	if (biased == 0) {
		e = -1074;
	} else {
		m |= 1ULL << 52;
		e = biased - 1075;
	}
	if (e >= 0) {
		if (e > 11) /* m 2^e may reach 2^64 */
			return 0;
		q = ((u128)m << e) * p10;
	} else if (-e > 104) {
		/* m 10^d < 2^103 is below half of 2^-e: rounds to 0 */
		q = 0;
	} else {
		u128 s = (u128)m * p10, half = (u128)1 << (-e - 1);
		u128 rem = s & ((half << 1) - 1);
		q = s >> -e;
		if (rem > half || (rem == half && (q & 1)))
			q++;
	}
	if (q == 0) {
		/* "-0.000" trims to "-0", written "0" */
		out[0] = '0';
		out[1] = '\0';
		return 1;
	}
	if (bits >> 63)
		*p++ = '-';
	split_fixed(q, d, p10, &ip, &fp);
	p = csvout_put_u64(p, ip);
	if (fp) {
		/* d digits with the zeros at the end dropped */
		*p++ = '.';
		put_digits_back(p + d, fp, (size_t)d);
		p += d;
		while (p[-1] == '0')
			p--;
	}
	*p = '\0';
	return (size_t)(p - out);
}
#endif

/* Formats into buf of size >= 64; returns the length. */
static size_t format_real(double v, int decimals, char *buf, size_t size)
{
	if (!isfinite(v)) {
		buf[0] = '\0';
		return 0;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 15)
		decimals = 15;
#ifdef __SIZEOF_INT128__
	{
		size_t n = format_exact(v, decimals, buf);
		if (n)
			return n;
	}
#endif
	return format_by_printf(v, decimals, buf, size);
}

size_t csvout_real_text(double v, int decimals, char *buf)
{
	return format_real(v, decimals, buf, CSVOUT_REAL_MAX);
}

const char *csvout_format_real(double v, int decimals, char *buf, size_t size)
{
	if (size < 64) {
		/* too small for the integer path's longest text */
		if (!isfinite(v))
			buf[0] = '\0';
		else
			format_by_printf(v, decimals < 0 ? 0
					    : decimals > 15 ? 15 : decimals,
					 buf, size);
		return buf;
	}
	format_real(v, decimals, buf, size);
	return buf;
}

void csvout_real(csvout *w, double v, int decimals)
{
	char buf[REAL_MAX];

	separator(w);
	put(w, buf, format_real(v, decimals, buf, sizeof buf));
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

	if (!w->fp) {
		free(w->buf);
		w->buf = NULL;
		return err_set(e, SS_EIO, w->path, 0, 0, "not open");
	}
	flush_block(w);
	free(w->buf);
	w->buf = NULL;
	w->cap = 0;
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
