/* The run's settings: an INI file (written by hand rather than through
 * libinih so that every mistake is reported as file:line:column with the
 * value found and what was expected) and the same keys from the command
 * line. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accr.h"
#include "num.h"
#include "text.h"

enum { KEY_UNIT, KEY_YEAR, KEY_INPUT, KEY_OUTPUT, KEY_NUMBER_STYLE,
       KEY_ENCODING, KEY_NORMS, KEY_STRICT, KEY_AUDIT_MARGIN_PCT,
       KEY_AUDIT_MARGIN_ABS, KEY_REFERENCE_DATE, NKEYS };

static const char *const key_names[NKEYS] = {
	"unit", "year", "input", "output", "number_style", "encoding", "norms",
	"strict", "audit_margin_pct", "audit_margin_abs", "reference_date"
};

static const char key_list[] =
	"unit, year, input, output, number_style, encoding, norms, strict, "
	"audit_margin_pct, audit_margin_abs or reference_date";

void run_config_init(run_config *c)
{
	memset(c, 0, sizeof *c);
}

void run_config_release(run_config *c)
{
	free(c->config_path);
	free(c->input);
	free(c->output);
	free(c->unit);
	free(c->year);
	free(c->number_style);
	free(c->encoding);
	free(c->norms);
	free(c->audit_margin_pct);
	free(c->audit_margin_abs);
	free(c->reference_date);
	free(c->bin_dir);
	free(c->source_date_epoch);
	free(c->delay_stage);
	run_config_init(c);
}

static int key_index(const char *key, size_t len)
{
	for (int k = 0; k < NKEYS; k++)
		if (strlen(key_names[k]) == len && memcmp(key_names[k], key, len) == 0)
			return k;
	return -1;
}

static int is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int digits4(const char *s)
{
	return ((s[0] - '0') * 10 + (s[1] - '0')) * 100 + (s[2] - '0') * 10 +
	       (s[3] - '0');
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 1;
	return 0;
}

/* 1 yes, 0 no, -1 neither. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return 1;
		if (strcmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* Checks value for key; on a problem writes the message into why (without
 * position) and returns 0. */
static int check_value(int key, const char *v, char *why, size_t size)
{
	size_t n = strlen(v);

	if (n == 0) {
		snprintf(why, size, "empty value for '%s' (expected a value)",
			 key_names[key]);
		return 0;
	}
	if (!text_utf8_valid(v, n, NULL) || has_control(v)) {
		char *shown = text_escape_invalid(v, n);

		snprintf(why, size, "bad %s '%s' (expected UTF-8 text without control characters)",
			 key_names[key], shown ? shown : "?");
		free(shown);
		return 0;
	}
	switch (key) {
	case KEY_YEAR:
		if (n != 9 || v[4] != '-' || !is_digits(v, 4) ||
		    !is_digits(v + 5, 4) || digits4(v + 5) != digits4(v) + 1) {
			snprintf(why, size,
				 "bad year '%s' (expected a school year such as 2024-2025)",
				 v);
			return 0;
		}
		return 1;
	case KEY_NUMBER_STYLE:
		if (strcmp(v, "auto") != 0 &&
		    num_style_from_name(v) == NUM_STYLE_AUTO) {
			snprintf(why, size,
				 "unknown number style '%s' (expected vi, en or auto)", v);
			return 0;
		}
		return 1;
	case KEY_ENCODING: {
		text_decoder *d = NULL;
		ss_error de;

		err_clear(&de);
		if (text_decoder_alloc(&d, v, &de) != SS_OK) {
			snprintf(why, size,
				 "unknown encoding '%s' (expected utf-8, cp1258 or tcvn3)", v);
			return 0;
		}
		text_decoder_free(d);
		return 1;
	}
	case KEY_STRICT:
		if (parse_bool(v) < 0) {
			snprintf(why, size, "bad strict '%s' (expected yes or no)", v);
			return 0;
		}
		return 1;
	case KEY_AUDIT_MARGIN_PCT:
	case KEY_AUDIT_MARGIN_ABS: {
		/* what schoolstat-audit accepts, checked here so that a
		   mistake is the config file's line, not a failed stage */
		int whole = key == KEY_AUDIT_MARGIN_ABS;
		size_t digits = strspn(v, "0123456789");

		if (digits == 0 || digits > 6 ||
		    (v[digits] != '\0' &&
		     (whole || v[digits] != '.' || v[digits + 1] == '\0' ||
		      strspn(v + digits + 1, "0123456789") != strlen(v + digits + 1)))) {
			snprintf(why, size, "bad %s '%s' (expected %s)", key_names[key],
				 v, whole ? "a whole number of pupils >= 0"
					  : "a percentage >= 0 such as 5 or 2.5");
			return 0;
		}
		return 1;
	}
	case KEY_REFERENCE_DATE: {
		accr_day d;

		if (!accr_day_parse(v, &d)) {
			snprintf(why, size,
				 "bad reference_date '%s' (expected a date YYYY-MM-DD such as 2025-05-31)",
				 v);
			return 0;
		}
		return 1;
	}
	default:
		return 1;
	}
}

static ss_status dup_into(char **slot, const char *v, ss_error *e)
{
	char *copy = strdup(v);

	if (!copy)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	free(*slot);
	*slot = copy;
	return SS_OK;
}

/* Stores a checked value; relative paths get base_dir in front. */
static ss_status store(run_config *c, int key, const char *v,
		       const char *base_dir, ss_error *e)
{
	char **slot = NULL;

	switch (key) {
	case KEY_UNIT: slot = &c->unit; break;
	case KEY_YEAR: slot = &c->year; break;
	case KEY_INPUT: slot = &c->input; break;
	case KEY_OUTPUT: slot = &c->output; break;
	case KEY_NORMS: slot = &c->norms; break;
	case KEY_ENCODING: slot = &c->encoding; break;
	case KEY_AUDIT_MARGIN_PCT: slot = &c->audit_margin_pct; break;
	case KEY_AUDIT_MARGIN_ABS: slot = &c->audit_margin_abs; break;
	case KEY_REFERENCE_DATE: slot = &c->reference_date; break;
	case KEY_NUMBER_STYLE:
		if (strcmp(v, "auto") == 0) {
			free(c->number_style);
			c->number_style = NULL;
			return SS_OK;
		}
		slot = &c->number_style;
		break;
	case KEY_STRICT:
		c->strict = parse_bool(v);
		return SS_OK;
	default:
		return err_set(e, SS_EUSAGE, NULL, 0, 0, "unknown key");
	}
	if ((key == KEY_INPUT || key == KEY_OUTPUT || key == KEY_NORMS) &&
	    v[0] != '/' && base_dir && base_dir[0]) {
		char *joined = run_path_join(base_dir, v);
		ss_status st;

		if (!joined)
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		st = dup_into(slot, joined, e);
		free(joined);
		return st;
	}
	return dup_into(slot, v, e);
}

ss_status run_config_set(run_config *c, const char *key, const char *value,
			 ss_error *e)
{
	int k = key_index(key, strlen(key));
	char why[ERR_MSG_MAX];

	if (k < 0)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "unknown key '%s' (expected %s)", key, key_list);
	if (!check_value(k, value, why, sizeof why))
		return err_set(e, SS_EUSAGE, NULL, 0, 0, "%s", why);
	return store(c, k, value, NULL, e);
}

/* 1-based column in characters of byte offset off in line. */
static long char_col(const char *line, size_t off)
{
	long col = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)line[i] & 0xC0) != 0x80)
			col++;
	return col;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* seen[NKEYS] is the line of the [report] header, 0 before it. */
static int section_missing(const long *seen)
{
	return seen[NKEYS] == 0;
}

/* One "key = value" line (no comment, not blank); s is the whole line. */
static ss_status parse_pair(run_config *c, const char *s, size_t n,
			    const char *name, long lineno, const char *base_dir,
			    long *seen, ss_error *e)
{
	const char *eq = memchr(s, '=', n);
	size_t ks = 0, ke, vs, ve;
	char *value;
	char why[ERR_MSG_MAX];
	ss_status st;
	int k;

	while (ks < n && is_space(s[ks]))
		ks++;
	if (!eq) {
		char *shown = text_escape_invalid(s + ks, n - ks);

		st = err_set(e, SS_EDATA, name, lineno, char_col(s, ks),
			     "line without '=' '%s' (expected key = value)",
			     shown ? shown : "?");
		free(shown);
		return st;
	}
	ke = (size_t)(eq - s);
	while (ke > ks && is_space(s[ke - 1]))
		ke--;
	vs = (size_t)(eq - s) + 1;
	while (vs < n && is_space(s[vs]))
		vs++;
	ve = n;
	if (vs < n && s[vs] == '"') {
		const char *q = memchr(s + vs + 1, '"', n - vs - 1);
		size_t after;

		if (!q)
			return err_set(e, SS_EDATA, name, lineno, char_col(s, vs),
				       "unclosed quote (expected a closing '\"')");
		after = (size_t)(q - s) + 1;
		while (after < n && is_space(s[after]))
			after++;
		if (after < n && s[after] != ';' && s[after] != '#')
			return err_set(e, SS_EDATA, name, lineno,
				       char_col(s, after),
				       "text after a quoted value (expected the end of the line or a comment)");
		vs++;
		ve = (size_t)(q - s);
	} else {
		/* ';' or '#' after white space starts a comment (as in
		   libinih), and so does one where the value should start */
		for (size_t i = vs; i < n; i++)
			if ((s[i] == ';' || s[i] == '#') &&
			    (i == vs || is_space(s[i - 1]))) {
				ve = i;
				break;
			}
		while (ve > vs && is_space(s[ve - 1]))
			ve--;
	}
	if (section_missing(seen))
		return err_set(e, SS_EDATA, name, lineno, char_col(s, ks),
			       "key before any section (expected [report] first)");
	k = key_index(s + ks, ke - ks);
	if (k < 0) {
		char key[128];

		snprintf(key, sizeof key, "%.*s", (int)(ke - ks), s + ks);
		return err_set(e, SS_EDATA, name, lineno, char_col(s, ks),
			       "unknown key '%s' (expected %s)", key, key_list);
	}
	if (seen[k])
		return err_set(e, SS_EDATA, name, lineno, char_col(s, ks),
			       "key '%s' given twice (expected it once; first on line %ld)",
			       key_names[k], seen[k]);
	seen[k] = lineno;
	if (!(value = malloc(ve - vs + 1)))
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	memcpy(value, s + vs, ve - vs);
	value[ve - vs] = '\0';
	if (strlen(value) != ve - vs || !check_value(k, value, why, sizeof why))
		st = err_set(e, SS_EDATA, name, lineno, char_col(s, vs), "%s",
			     strlen(value) != ve - vs ? "NUL byte in a value (expected text)"
						      : why);
	else
		st = store(c, k, value, base_dir, e);
	free(value);
	return st;
}

static ss_status parse_section(const char *s, size_t n, const char *name,
			       long lineno, long *seen, ss_error *e)
{
	size_t i = 0, end = n, ns, ne;

	while (i < n && is_space(s[i]))
		i++;
	while (end > i && is_space(s[end - 1]))
		end--;
	if (end - i < 2 || s[end - 1] != ']') {
		char *shown = text_escape_invalid(s + i, end - i);
		ss_status st = err_set(e, SS_EDATA, name, lineno, char_col(s, i),
				       "bad section header '%s' (expected [report])",
				       shown ? shown : "?");

		free(shown);
		return st;
	}
	ns = i + 1;
	ne = end - 1;
	while (ns < ne && is_space(s[ns]))
		ns++;
	while (ne > ns && is_space(s[ne - 1]))
		ne--;
	if (ne - ns != 6 || memcmp(s + ns, "report", 6) != 0) {
		char *shown = text_escape_invalid(s + ns, ne - ns);
		ss_status st = err_set(e, SS_EDATA, name, lineno, char_col(s, ns),
				       "unknown section '%s' (expected report)",
				       shown ? shown : "?");

		free(shown);
		return st;
	}
	if (!seen[NKEYS])
		seen[NKEYS] = lineno;
	return SS_OK;
}

ss_status run_config_parse(run_config *c, const char *text, size_t len,
			   const char *name, const char *base_dir,
			   ss_error *e)
{
	long seen[NKEYS + 1] = { 0 };
	size_t pos = 0;
	long lineno = 0;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		size_t i = 0;
		ss_status st;

		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		while (i < n && is_space(s[i]))
			i++;
		if (i == n || s[i] == ';' || s[i] == '#')
			continue;
		if (s[i] == '[')
			st = parse_section(s, n, name, lineno, seen, e);
		else
			st = parse_pair(c, s, n, name, lineno, base_dir, seen, e);
		if (st != SS_OK)
			return st;
	}
	return SS_OK;
}

ss_status run_config_load(run_config *c, const char *path, ss_error *e)
{
	const char *slash = strrchr(path, '/');
	char *text = NULL, *dir;
	size_t len = 0;
	ss_status st;

	if ((st = run_read_file(path, &text, &len, NULL, e)) != SS_OK)
		return st;
	if (!slash)
		dir = strdup("");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir) {
		free(text);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	st = run_config_parse(c, text, len, path, dir, e);
	free(dir);
	free(text);
	if (st == SS_OK)
		st = dup_into(&c->config_path, path, e);
	return st;
}

ss_status run_config_check(const run_config *c, ss_error *e)
{
	const char *base;
	size_t n;

	if (!c->input)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no input directory (expected --input DIR or input = DIR in the config)");
	if (!c->output)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "no output directory (expected --output DIR or output = DIR in the config)");
	n = strlen(c->output);
	while (n > 1 && c->output[n - 1] == '/')
		n--;
	base = c->output + n;
	while (base > c->output && base[-1] != '/')
		base--;
	if ((c->output + n - base == 1 && base[0] == '.') ||
	    (c->output + n - base == 2 && base[0] == '.' && base[1] == '.') ||
	    base == c->output + n)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "output '%s' cannot be replaced as a whole (expected a path that ends in a directory name)",
			       c->output);
	return SS_OK;
}
