/* JSON for the run manifest: a string escaper for writing by hand (so the
 * key order is ours and fixed) and a small strict parser to read the
 * previous manifest back. */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when the bytes there
 * are not one (stray continuation, overlong form, surrogate, > U+10FFFF,
 * truncated). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

void run_json_put_string(run_buf *b, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0;

	run_buf_add(b, "\"", 1);
	while (i < n) {
		unsigned char c = s[i];
		size_t len;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			run_buf_add(b, esc, 2);
			i++;
		} else if (c < 0x20) {
			const char *short_esc = c == '\b' ? "\\b" : c == '\f' ? "\\f"
					      : c == '\n' ? "\\n" : c == '\r' ? "\\r"
					      : c == '\t' ? "\\t" : NULL;

			if (short_esc) {
				run_buf_add(b, short_esc, 2);
			} else {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4],
					      hex[c & 0xF] };

				run_buf_add(b, u, 6);
			}
			i++;
		} else if ((len = utf8_seq(s + i, n - i)) > 0) {
			run_buf_add(b, (const char *)s + i, len);
			i += len;
		} else {
			/* a file name in another encoding must not make the
			   whole manifest unreadable */
			run_buf_add(b, "\\ufffd", 6);
			i++;
		}
	}
	run_buf_add(b, "\"", 1);
}

/* ------------------------------------------------------------ parser */

typedef struct parser {
	const char *s;
	size_t n, i;
	const char *name;
	ss_error *e;
} parser;

/* 1-based line and column (in characters) of byte offset at. */
static void position(const parser *p, size_t at, long *line, long *col)
{
	*line = 1;
	*col = 1;
	for (size_t k = 0; k < at && k < p->n; k++) {
		unsigned char c = (unsigned char)p->s[k];

		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static ss_status fail_at(parser *p, size_t at, const char *what,
			 const char *expected)
{
	long line, col;
	char found[16];

	position(p, at, &line, &col);
	if (at >= p->n)
		return err_set(p->e, SS_EDATA, p->name, line, col,
			       "%s at the end of the text (expected %s)", what,
			       expected);
	if ((unsigned char)p->s[at] < 0x20 || (unsigned char)p->s[at] >= 0x7F)
		snprintf(found, sizeof found, "\\x%02X",
			 (unsigned)(unsigned char)p->s[at]);
	else
		snprintf(found, sizeof found, "%c", p->s[at]);
	return err_set(p->e, SS_EDATA, p->name, line, col, "%s '%s' (expected %s)",
		       what, found, expected);
}

static void skip_ws(parser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
			       p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_u4(parser *p, size_t at, unsigned long *out)
{
	unsigned long v = 0;

	if (at + 4 > p->n)
		return 0;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval(p->s[at + k]);

		if (h < 0)
			return 0;
		v = v << 4 | (unsigned long)h;
	}
	*out = v;
	return 1;
}

static void put_utf8(run_buf *b, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		run_buf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		run_buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		run_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		run_buf_add(b, u, 4);
	}
}

/* At an opening quote; decodes the string into *out (malloc'd). */
static ss_status parse_string(parser *p, char **out, size_t *outlen)
{
	run_buf b;

	run_buf_init(&b);
	p->i++;
	for (;;) {
		unsigned char c;
		size_t len;

		if (p->i >= p->n) {
			run_buf_release(&b);
			return fail_at(p, p->i, "unterminated string", "'\"'");
		}
		c = (unsigned char)p->s[p->i];
		if (c == '"') {
			p->i++;
			break;
		}
		if (c < 0x20) {
			run_buf_release(&b);
			return fail_at(p, p->i, "control character in a string",
				       "an escape such as \\n");
		}
		if (c != '\\') {
			len = utf8_seq((const unsigned char *)p->s + p->i,
				       p->n - p->i);
			if (!len) {
				run_buf_release(&b);
				return fail_at(p, p->i, "invalid UTF-8 byte",
					       "UTF-8 text");
			}
			run_buf_add(&b, p->s + p->i, len);
			p->i += len;
			continue;
		}
		if (p->i + 1 >= p->n) {
			run_buf_release(&b);
			return fail_at(p, p->i + 1, "unterminated escape",
				       "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
		}
		c = (unsigned char)p->s[p->i + 1];
		switch (c) {
		case '"': case '\\': case '/':
			run_buf_add(&b, (const char *)&p->s[p->i + 1], 1);
			p->i += 2;
			break;
		case 'b': run_buf_add(&b, "\b", 1); p->i += 2; break;
		case 'f': run_buf_add(&b, "\f", 1); p->i += 2; break;
		case 'n': run_buf_add(&b, "\n", 1); p->i += 2; break;
		case 'r': run_buf_add(&b, "\r", 1); p->i += 2; break;
		case 't': run_buf_add(&b, "\t", 1); p->i += 2; break;
		case 'u': {
			unsigned long cp, lo;

			if (!read_u4(p, p->i + 2, &cp)) {
				run_buf_release(&b);
				return fail_at(p, p->i, "bad \\u escape",
					       "four hex digits");
			}
			p->i += 6;
			if (cp >= 0xDC00 && cp <= 0xDFFF) {
				run_buf_release(&b);
				return fail_at(p, p->i - 6, "lone low surrogate",
					       "a high surrogate first");
			}
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (p->i + 1 >= p->n || p->s[p->i] != '\\' ||
				    p->s[p->i + 1] != 'u' ||
				    !read_u4(p, p->i + 2, &lo) || lo < 0xDC00 ||
				    lo > 0xDFFF) {
					run_buf_release(&b);
					return fail_at(p, p->i - 6,
						       "lone high surrogate",
						       "a \\uDC00-\\uDFFF escape after it");
				}
				p->i += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			put_utf8(&b, cp);
			break;
		}
		default:
			run_buf_release(&b);
			return fail_at(p, p->i, "unknown escape",
				       "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
		}
	}
	if (b.failed) {
		run_buf_release(&b);
		return err_set(p->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	if (!b.data) {
		b.data = calloc(1, 1);
		if (!b.data)
			return err_set(p->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	*out = b.data;
	*outlen = b.len;
	return SS_OK;
}

static ss_status parse_number(parser *p, run_json *v)
{
	size_t start = p->i, k = p->i;

	if (k < p->n && p->s[k] == '-')
		k++;
	if (k < p->n && p->s[k] == '0') {
		k++;
	} else if (k < p->n && p->s[k] >= '1' && p->s[k] <= '9') {
		while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9')
			k++;
	} else {
		return fail_at(p, k, "bad number", "a digit");
	}
	if (k < p->n && p->s[k] == '.') {
		k++;
		if (k >= p->n || p->s[k] < '0' || p->s[k] > '9')
			return fail_at(p, k, "bad number", "a digit after '.'");
		while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9')
			k++;
	}
	if (k < p->n && (p->s[k] == 'e' || p->s[k] == 'E')) {
		k++;
		if (k < p->n && (p->s[k] == '+' || p->s[k] == '-'))
			k++;
		if (k >= p->n || p->s[k] < '0' || p->s[k] > '9')
			return fail_at(p, k, "bad number", "a digit in the exponent");
		while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9')
			k++;
	}
	v->type = RUN_JSON_NUMBER;
	v->len = k - start;
	v->text = malloc(v->len + 1);
	if (!v->text)
		return err_set(p->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	memcpy(v->text, p->s + start, v->len);
	v->text[v->len] = '\0';
	p->i = k;
	return SS_OK;
}

static int match_word(parser *p, const char *w)
{
	size_t n = strlen(w);

	if (p->n - p->i < n || memcmp(p->s + p->i, w, n) != 0)
		return 0;
	p->i += n;
	return 1;
}

static ss_status parse_value(parser *p, run_json *v, int depth);

/* Appends a zeroed slot to v's items (and keys for objects). */
static run_json *add_item(parser *p, run_json *v, size_t *cap)
{
	if (v->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;
		run_json *items = realloc(v->items, ncap * sizeof *items);

		if (!items)
			return NULL;
		v->items = items;
		if (v->type == RUN_JSON_OBJECT) {
			char **keys = realloc(v->keys, ncap * sizeof *keys);

			if (!keys)
				return NULL;
			v->keys = keys;
		}
		*cap = ncap;
	}
	(void)p;
	memset(&v->items[v->n], 0, sizeof v->items[v->n]);
	if (v->type == RUN_JSON_OBJECT)
		v->keys[v->n] = NULL;
	return &v->items[v->n++];
}

static ss_status parse_container(parser *p, run_json *v, int depth)
{
	int object = p->s[p->i] == '{';
	char close = object ? '}' : ']';
	size_t cap = 0;
	ss_status st;

	if (depth >= JSON_MAX_DEPTH)
		return fail_at(p, p->i, "nesting too deep", "at most 64 levels");
	v->type = object ? RUN_JSON_OBJECT : RUN_JSON_ARRAY;
	p->i++;
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return SS_OK;
	}
	for (;;) {
		run_json *item;
		char *key = NULL;
		size_t keylen;

		skip_ws(p);
		if (object) {
			if (p->i >= p->n || p->s[p->i] != '"')
				return fail_at(p, p->i, "unexpected", "a member name in quotes");
			if ((st = parse_string(p, &key, &keylen)) != SS_OK)
				return st;
			skip_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':') {
				free(key);
				return fail_at(p, p->i, "unexpected", "':'");
			}
			p->i++;
		}
		if (!(item = add_item(p, v, &cap))) {
			free(key);
			return err_set(p->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		}
		if (object)
			v->keys[v->n - 1] = key;
		if ((st = parse_value(p, item, depth + 1)) != SS_OK)
			return st;
		skip_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			return SS_OK;
		}
		return fail_at(p, p->i, "unexpected",
			       object ? "',' or '}'" : "',' or ']'");
	}
}

static ss_status parse_value(parser *p, run_json *v, int depth)
{
	char c;

	skip_ws(p);
	if (p->i >= p->n)
		return fail_at(p, p->i, "missing value", "a JSON value");
	c = p->s[p->i];
	if (c == '{' || c == '[')
		return parse_container(p, v, depth);
	if (c == '"') {
		v->type = RUN_JSON_STRING;
		return parse_string(p, &v->text, &v->len);
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p, v);
	if (match_word(p, "true")) {
		v->type = RUN_JSON_BOOL;
		v->boolean = 1;
		return SS_OK;
	}
	if (match_word(p, "false")) {
		v->type = RUN_JSON_BOOL;
		return SS_OK;
	}
	if (match_word(p, "null")) {
		v->type = RUN_JSON_NULL;
		return SS_OK;
	}
	return fail_at(p, p->i, "unexpected", "a JSON value");
}

ss_status run_json_parse(run_json *root, const char *text, size_t len,
			 const char *name, ss_error *e)
{
	parser p = { text, len, 0, name, e };
	ss_status st;

	memset(root, 0, sizeof *root);
	if ((st = parse_value(&p, root, 0)) != SS_OK)
		return st;
	skip_ws(&p);
	if (p.i < p.n)
		return fail_at(&p, p.i, "text after the value", "the end of the text");
	return SS_OK;
}

void run_json_release(run_json *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		run_json_release(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
	memset(v, 0, sizeof *v);
}

const run_json *run_json_get(const run_json *v, const char *key)
{
	if (!v || v->type != RUN_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return &v->items[i];
	return NULL;
}

const char *run_json_str(const run_json *v)
{
	return v && v->type == RUN_JSON_STRING ? v->text : NULL;
}

int run_json_ll(const run_json *v, long long *out)
{
	char *end;
	long long x;

	if (!v || v->type != RUN_JSON_NUMBER || strpbrk(v->text, ".eE"))
		return 0;
	errno = 0;
	x = strtoll(v->text, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return 0;
	*out = x;
	return 1;
}
