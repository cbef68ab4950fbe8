#include "text.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text_fold_table.h"

/* ------------------------------------------------------------ UTF-8 */

/* Length of the valid UTF-8 sequence starting at s[i], or 0 when the byte
 * at s[i] does not start one (bad lead, truncated, overlong, surrogate or
 * above U+10FFFF). The second-byte ranges are those of RFC 3629 table 3-7. */
static size_t utf8_seq(const unsigned char *s, size_t len, size_t i,
		       uint32_t *cp)
{
	unsigned char c = s[i];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, k;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (len - i < n)
		return 0;
	if (s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i + k] & 0x3F);
	}
	*cp = v;
	return n;
}

int text_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		/* ASCII runs are the common case in CSV data: 8 bytes a step */
		if (u[i] < 0x80) {
			uint64_t w;

			i++;
			while (i + 8 <= len) {
				memcpy(&w, u + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			continue;
		}
		n = utf8_seq(u, len, i, &cp);
		if (n == 0) {
			if (bad_offset)
				*bad_offset = i;
			return 0;
		}
		i += n;
	}
	return 1;
}

size_t text_utf8_chars(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, count = 0;
	uint32_t cp;

	while (i < len) {
		n = utf8_seq(u, len, i, &cp);
		/* an invalid byte is shown as one (escaped) character */
		i += n ? n : 1;
		count++;
	}
	return count;
}

char *text_escape_invalid(const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, o = 0, bad = 0;
	uint32_t cp;
	char *out;

	while (i < len) {
		n = utf8_seq(u, len, i, &cp);
		if (n == 0) {
			bad++;
			n = 1;
		}
		i += n;
	}
	if (bad > (SIZE_MAX - len - 1) / 3)
		return NULL;
	out = malloc(len + 3 * bad + 1);
	if (!out)
		return NULL;
	for (i = 0; i < len; i += n) {
		n = utf8_seq(u, len, i, &cp);
		if (n == 0) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[u[i] >> 4];
			out[o++] = hex[u[i] & 0x0F];
			n = 1;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
	}
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------ folding */

static int fold_entry_cmp(const void *key, const void *elem)
{
	uint32_t cp = *(const uint32_t *)key;
	const struct text_fold_entry *e = elem;

	return cp < e->cp ? -1 : cp > e->cp ? 1 : 0;
}

static int is_separator_cp(uint32_t cp)
{
	switch (cp) {
	case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
	case '_': case '-': case '.': case '/':
	/* spreadsheets paste no-break and other wide spaces into headers */
	case 0x00A0: case 0x202F: case 0x3000:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200A;
	}
}

/* Appends one byte when it fits; the count keeps going (snprintf-like). */
static void fold_put(char *out, size_t outsz, size_t *n, char c)
{
	if (*n + 1 < outsz)
		out[*n] = c;
	(*n)++;
}

size_t text_fold(const char *in, char *out, size_t outsz)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t len = strlen(in), i = 0, n = 0, k, step;
	int pending_sep = 0;
	uint32_t cp;
	const struct text_fold_entry *hit;

	while (i < len) {
		step = utf8_seq(u, len, i, &cp);
		if (step == 0) {
			/* not UTF-8: kept as it is, one byte */
			step = 1;
			cp = 0xFFFFFFFFu;
		}
		if (step > 1 && cp >= 0x0300 && cp <= 0x036F) {
			/* combining mark of an NFD spelling: drop it */
			i += step;
			continue;
		}
		if (cp != 0xFFFFFFFFu && is_separator_cp(cp)) {
			pending_sep = n > 0;
			i += step;
			continue;
		}
		if (pending_sep) {
			fold_put(out, outsz, &n, '_');
			pending_sep = 0;
		}
		if (step == 1 && cp < 0x80) {
			char c = (char)cp;

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			fold_put(out, outsz, &n, c);
		} else if (step > 1 && cp <= 0xFFFF &&
			   (hit = bsearch(&cp, text_fold_table,
					  sizeof text_fold_table /
						  sizeof text_fold_table[0],
					  sizeof text_fold_table[0],
					  fold_entry_cmp)) != NULL) {
			fold_put(out, outsz, &n, hit->base);
		} else {
			for (k = 0; k < step; k++)
				fold_put(out, outsz, &n, in[i + k]);
		}
		i += step;
	}
	if (outsz > 0)
		out[n < outsz ? n : outsz - 1] = '\0';
	return n;
}

/* ------------------------------------------------------------ decoders */

struct text_decoder {
	int passthrough; /* UTF-8: validate and copy */
	iconv_t cd;
	char name[16];   /* canonical name for messages */
};

static const struct {
	const char *alias;
	const char *name;
	const char *iconv_name;
} decoder_names[] = {
	{"utf-8", "utf-8", NULL},
	{"utf8", "utf-8", NULL},
	{"cp1258", "cp1258", "CP1258"},
	{"windows-1258", "cp1258", "CP1258"},
	{"tcvn3", "tcvn3", "TCVN5712-1"},
	{"tcvn", "tcvn3", "TCVN5712-1"},
	{"tcvn5712", "tcvn3", "TCVN5712-1"},
};

ss_status text_decoder_alloc(text_decoder **out, const char *encoding,
			     ss_error *e)
{
	size_t i, count = sizeof decoder_names / sizeof decoder_names[0];
	text_decoder *d;

	*out = NULL;
	for (i = 0; i < count; i++)
		if (encoding && strcasecmp(encoding, decoder_names[i].alias) == 0)
			break;
	if (i == count)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "unknown encoding '%s' (expected utf-8, cp1258 or tcvn3)",
			       encoding ? encoding : "");
	d = calloc(1, sizeof *d);
	if (!d)
		return err_set(e, SS_ENOMEM, NULL, 0, 0,
			       "out of memory creating a decoder");
	snprintf(d->name, sizeof d->name, "%s", decoder_names[i].name);
	if (!decoder_names[i].iconv_name) {
		d->passthrough = 1;
	} else {
		d->cd = iconv_open("UTF-8", decoder_names[i].iconv_name);
		if (d->cd == (iconv_t)-1) {
			int err = errno;

			free(d);
			return err_set_errno(e, SS_EINTERNAL, NULL, err,
					     "iconv cannot convert from %s",
					     decoder_names[i].iconv_name);
		}
	}
	*out = d;
	return SS_OK;
}

void text_decoder_free(text_decoder *d)
{
	if (!d)
		return;
	if (!d->passthrough)
		iconv_close(d->cd);
	free(d);
}

/* Makes room for at least need bytes in *buf. */
static int reserve(char **buf, size_t *cap, size_t need)
{
	size_t ncap;
	char *nb;

	if (*cap >= need && *buf)
		return 0;
	ncap = *cap ? *cap : 64;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	nb = realloc(*buf, ncap);
	if (!nb)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 0;
}

static ss_status decode_bad_byte(const text_decoder *d, const char *in,
				 size_t off, ss_error *e)
{
	return err_set(e, SS_EDATA, NULL, 0, (long)off + 1,
		       "invalid %s byte 0x%02X (expected text in %s; check the encoding)",
		       d->name, (unsigned)(unsigned char)in[off], d->name);
}

static ss_status decode_passthrough(const text_decoder *d, const char *in,
				    size_t len, char **buf, size_t *cap,
				    size_t *outlen, ss_error *e)
{
	size_t bad;

	if (!text_utf8_valid(in, len, &bad))
		return err_set(e, SS_EDATA, NULL, 0, (long)bad + 1,
			       "invalid UTF-8 byte 0x%02X (expected UTF-8 text; for a legacy file use --encoding cp1258 or tcvn3)",
			       (unsigned)(unsigned char)in[bad]);
	(void)d;
	if (reserve(buf, cap, len + 1) != 0)
		return err_set(e, SS_ENOMEM, NULL, 0, 0,
			       "out of memory decoding a line");
	memcpy(*buf, in, len);
	(*buf)[len] = '\0';
	*outlen = len;
	return SS_OK;
}

ss_status text_decode_line(text_decoder *d, const char *in, size_t len,
			   char **buf, size_t *cap, size_t *outlen,
			   ss_error *e)
{
	char *inp = (char *)in; /* iconv's prototype is not const-correct */
	size_t inleft = len, outleft, used = 0, rc;
	char *outp;
	int flushing = 0;

	*outlen = 0;
	if (d->passthrough)
		return decode_passthrough(d, in, len, buf, cap, outlen, e);
	/* both legacy encodings are single-byte, expanding to at most a
	 * 3-byte UTF-8 character (plus composition): start at 3x + slack */
	if (len > (SIZE_MAX - 16) / 3 ||
	    reserve(buf, cap, 3 * len + 16) != 0)
		return err_set(e, SS_ENOMEM, NULL, 0, 0,
			       "out of memory decoding a line");
	/* a previous failed line may have left a buffered base letter */
	iconv(d->cd, NULL, NULL, NULL, NULL);
	for (;;) {
		outp = *buf + used;
		outleft = *cap - used - 1; /* room for the NUL */
		if (!flushing)
			rc = iconv(d->cd, &inp, &inleft, &outp, &outleft);
		else
			/* CP1258 and TCVN hold back a base letter waiting for
			 * a combining tone mark: a NULL input flushes it */
			rc = iconv(d->cd, NULL, NULL, &outp, &outleft);
		used = (size_t)(outp - *buf);
		if (rc != (size_t)-1) {
			if (flushing)
				break;
			flushing = 1;
			continue;
		}
		if (errno == E2BIG) {
			if (reserve(buf, cap, *cap * 2) != 0)
				return err_set(e, SS_ENOMEM, NULL, 0, 0,
					       "out of memory decoding a line");
			continue;
		}
		if (errno == EILSEQ || errno == EINVAL) {
			size_t off = (size_t)(inp - in);

			iconv(d->cd, NULL, NULL, NULL, NULL);
			if (len == 0)
				return err_set(e, SS_EINTERNAL, NULL, 0, 0,
					       "iconv failed on an empty line");
			if (off >= len)
				off = len - 1;
			return decode_bad_byte(d, in, off, e);
		}
		return err_set_errno(e, SS_EINTERNAL, NULL, errno,
				     "iconv failed converting from %s",
				     d->name);
	}
	(*buf)[used] = '\0';
	*outlen = used;
	return SS_OK;
}

void text_mark_truncated(char *buf, size_t size, int needed)
{
	static const char ellipsis[] = "\xE2\x80\xA6";
	size_t len;

	if (size == 0 || needed < 0 || (size_t)needed < size)
		return;
	len = strlen(buf);
	/* room for the ellipsis */
	while (len > 0 && len + sizeof ellipsis > size)
		len--;
	/* back to the start of a character */
	while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80)
		len--;
	if (len + sizeof ellipsis <= size)
		memcpy(buf + len, ellipsis, sizeof ellipsis);
	else
		buf[len] = '\0';
}
