#include "field.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Catalogue of indicator names a target may refer to. The indicators stage
 * and the accreditation module produce these; keep in step with
 * data/README.md. */
static const char *const indicator_names[] = {
	"classes", "students", "students_per_class", "teachers",
	"teachers_per_class", "teachers_per_class_permanent",
	"students_per_teacher", "permanent_staff_fill", "promotion_rate",
	"repetition_rate", "dropout_rate", "completion_rate",
	"completion_rate_cohort", "survival_rate_last_grade",
	"cohort_promotion_rate", "cohort_repetition_rate",
	"cohort_dropout_rate", "exam_candidates", "exam_mean", "exam_sd",
	"exam_median", "exam_pass_rate", "exam_low_rate",
	"standard_school_share", "quality_level_share",
	"standard_school_share_public", "quality_level_share_public",
	"accreditation_valid", "accreditation_valid_public",
	"accreditation_expiring", "accreditation_expiring_public",
	"accreditation_expired", "accreditation_expired_public",
	"accreditation_overdue", "accreditation_overdue_public", NULL
};

static const char *const percent_indicators[] = {
	"permanent_staff_fill", "promotion_rate", "repetition_rate",
	"dropout_rate", "completion_rate", "completion_rate_cohort",
	"survival_rate_last_grade", "cohort_promotion_rate",
	"cohort_repetition_rate", "cohort_dropout_rate", "exam_pass_rate",
	"exam_low_rate", "standard_school_share", "quality_level_share",
	"standard_school_share_public", "quality_level_share_public", NULL
};

const char *const *field_indicator_names(void)
{
	return indicator_names;
}

static size_t base_len(const char *indicator)
{
	const char *colon = strchr(indicator, ':');

	return colon ? (size_t)(colon - indicator) : strlen(indicator);
}

static int in_list(const char *const *list, const char *s, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && strncmp(*list, s, len) == 0)
			return 1;
	return 0;
}

int field_indicator_is_percent(const char *indicator)
{
	return in_list(percent_indicators, indicator, base_len(indicator));
}

int field_indicator_needs_subject(const char *indicator)
{
	return strncmp(indicator, "exam_", 5) == 0 ||
	       strncmp(indicator, "cohort_", 7) == 0 ||
	       strncmp(indicator, "survival_rate_last_grade", 24) == 0;
}

static field_result invalid(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static field_result invalid(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_mark_truncated(why, whysz, vsnprintf(why, whysz, fmt, ap));
	va_end(ap);
	return FIELD_INVALID;
}

/* Trims ASCII white space and NBSP (C2 A0), which Excel exports leave
 * around numbers and names. */
static void trim(const char *raw, char *out, size_t outsz)
{
	const char *b = raw, *e = raw + strlen(raw);

	for (;;) {
		if (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')
			b++;
		else if ((unsigned char)b[0] == 0xC2 &&
			 (unsigned char)b[1] == 0xA0)
			b += 2;
		else
			break;
	}
	for (;;) {
		if (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			      e[-1] == '\n'))
			e--;
		else if (e - b >= 2 && (unsigned char)e[-2] == 0xC2 &&
			 (unsigned char)e[-1] == 0xA0)
			e -= 2;
		else
			break;
	}
	snprintf(out, outsz, "%.*s", (int)(e - b), b);
}

static int is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

static int to_int(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Accepts 2024-2025, 2024 - 2025, 2024/2025, 2024–2025 (en dash), 2024_2025
 * and the short 2024-25; all folded to 2024-2025. */
static field_result norm_year(const char *v, char *out, size_t outsz,
			      char *why, size_t whysz)
{
	char f[64];
	size_t n = text_fold(v, f, sizeof f);
	const char *p = f;
	int a, b;

	if (strncmp(p, "nam_hoc_", 8) == 0)
		p += 8;
	n = strlen(p);
	if (n >= 9 && is_digits(p, 4) && (p[4] == '_' || p[4] == '-') &&
	    is_digits(p + 5, 4) && n == 9) {
		a = to_int(p, 4);
		b = to_int(p + 5, 4);
	} else if (n == 7 && is_digits(p, 4) && (p[4] == '_' || p[4] == '-') &&
		   is_digits(p + 5, 2)) {
		a = to_int(p, 4);
		b = a - a % 100 + to_int(p + 5, 2);
		if (b < a)
			b += 100;
	} else if (strstr(v, "\xE2\x80\x93")) {
		/* en dash: fold keeps it, so replace and retry */
		char tmp[64];
		const char *d = strstr(v, "\xE2\x80\x93");

		snprintf(tmp, sizeof tmp, "%.*s-%s", (int)(d - v), v, d + 3);
		return norm_year(tmp, out, outsz, why, whysz);
	} else {
		return invalid(why, whysz,
			       "bad school year '%s' (expected a year like 2024-2025)",
			       v);
	}
	if (b != a + 1 || a < 1990 || a > 2100)
		return invalid(why, whysz,
			       "bad school year '%s' (expected two consecutive years like 2024-2025)",
			       v);
	snprintf(out, outsz, "%d-%d", a, b);
	return FIELD_OK;
}

struct alias {
	const char *folded;
	const char *canonical;
};

static const struct alias grade_aliases[] = {
	{ "nha_tre", "nha_tre" }, { "nt", "nha_tre" },
	{ "tre_duoi_3_tuoi", "nha_tre" }, { "mg_3", "mg_3" },
	{ "mg3", "mg_3" }, { "3_tuoi", "mg_3" }, { "mau_giao_3_tuoi", "mg_3" },
	{ "mau_giao_be", "mg_3" }, { "mg_4", "mg_4" }, { "mg4", "mg_4" },
	{ "4_tuoi", "mg_4" }, { "mau_giao_4_tuoi", "mg_4" },
	{ "mau_giao_nho", "mg_4" }, { "mg_5", "mg_5" }, { "mg5", "mg_5" },
	{ "5_tuoi", "mg_5" }, { "mau_giao_5_tuoi", "mg_5" },
	{ "mau_giao_lon", "mg_5" }, { "all", "all" }, { "tong", "all" },
	{ "tong_so", "all" }, { "toan_truong", "all" }, { "tong_cong", "all" },
	{ NULL, NULL }
};

static field_result norm_grade(const char *v, char *out, size_t outsz,
			       char *why, size_t whysz)
{
	char f[128];
	const char *p = f;

	text_fold(v, f, sizeof f);
	for (const struct alias *a = grade_aliases; a->folded; a++)
		if (strcmp(f, a->folded) == 0) {
			snprintf(out, outsz, "%s", a->canonical);
			return FIELD_OK;
		}
	if (strncmp(p, "lop_", 4) == 0 || strncmp(p, "khoi_", 5) == 0)
		p = strchr(p, '_') + 1;
	if (is_digits(p, strlen(p)) && strlen(p) <= 2) {
		int g = to_int(p, strlen(p));

		if (g >= 1 && g <= 12) {
			snprintf(out, outsz, "%d", g);
			return FIELD_OK;
		}
	}
	return invalid(why, whysz,
		       "unknown grade '%s' (expected nha_tre, mg_3, mg_4, mg_5, 1 to 12 or all)",
		       v);
}

static const struct alias enum_aliases[] = {
	{ "mn", "mam_non" }, { "mau_giao", "mam_non" },
	{ "tieu_hoc", "tieu_hoc" }, { "th", "tieu_hoc" },
	{ "trung_hoc_co_so", "thcs" }, { "trung_hoc_pho_thong", "thpt" },
	{ "th&thcs", "th_thcs" }, { "th_va_thcs", "th_thcs" },
	{ "tieu_hoc_va_thcs", "th_thcs" }, { "tieu_hoc_va_trung_hoc_co_so", "th_thcs" },
	{ "thcs&thpt", "thcs_thpt" }, { "thcs_va_thpt", "thcs_thpt" },
	{ "cong_lap", "cong_lap" }, { "cl", "cong_lap" },
	{ "tu_thuc", "tu_thuc" }, { "dan_lap", "tu_thuc" },
	{ "ngoai_cong_lap", "tu_thuc" }, { "ncl", "tu_thuc" },
	{ "cbql", "manager" }, { "can_bo_quan_ly", "manager" },
	{ "quan_ly", "manager" }, { "gv", "teacher" },
	{ "giao_vien", "teacher" }, { "nv", "staff" },
	{ "nhan_vien", "staff" }, { "lan_dau", "first" },
	{ "cong_nhan_lan_dau", "first" }, { "cong_nhan_lai", "renewal" },
	{ "tai_cong_nhan", "renewal" }, { "lai", "renewal" },
	{ NULL, NULL }
};

static void join_list(const char *const *list, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; *list && used < size; list++) {
		int n = snprintf(buf + used, size - used, "%s%s",
				 used ? ", " : "", *list);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static field_result norm_enum(const schema_column *col, const char *v,
			      char *out, size_t outsz, char *why,
			      size_t whysz)
{
	char f[128], expected[256];

	text_fold(v, f, sizeof f);
	for (const char *const *e = col->enum_values; *e; e++)
		if (strcmp(f, *e) == 0) {
			snprintf(out, outsz, "%s", *e);
			return FIELD_OK;
		}
	for (const struct alias *a = enum_aliases; a->folded; a++) {
		if (strcmp(f, a->folded) != 0)
			continue;
		for (const char *const *e = col->enum_values; *e; e++)
			if (strcmp(a->canonical, *e) == 0) {
				snprintf(out, outsz, "%s", *e);
				return FIELD_OK;
			}
	}
	join_list(col->enum_values, expected, sizeof expected);
	return invalid(why, whysz, "unknown %s '%s' (expected one of %s)",
		       col->name, v, expected);
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int field_parse_iso_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || !is_digits(s, 4) || s[4] != '-' ||
	    !is_digits(s + 5, 2) || s[7] != '-' || !is_digits(s + 8, 2))
		return 0;
	*y = to_int(s, 4);
	*m = to_int(s + 5, 2);
	*d = to_int(s + 8, 2);
	return *y >= 1900 && *y <= 2200 && *m >= 1 && *m <= 12 && *d >= 1 &&
	       *d <= days_in_month(*y, *m);
}

/* ISO 2024-08-15, or the Vietnamese day-first 15/08/2024 (also 15-8-2024,
 * 15.08.2024) that Excel in vi-VN writes. */
static field_result norm_date(const char *v, char *out, size_t outsz,
			      char *why, size_t whysz)
{
	int y, m, d, parts[3], np = 0;
	const char *p = v;
	char iso[16];

	if (field_parse_iso_date(v, &y, &m, &d)) {
		snprintf(out, outsz, "%s", v);
		return FIELD_OK;
	}
	while (np < 3) {
		size_t n = 0;

		while (p[n] >= '0' && p[n] <= '9')
			n++;
		if (n == 0 || n > 4)
			break;
		parts[np++] = to_int(p, n);
		p += n;
		if (np < 3 && (*p == '/' || *p == '-' || *p == '.'))
			p++;
		else
			break;
	}
	if (np == 3 && *p == '\0' && parts[2] >= 1900 && parts[2] <= 2200) {
		snprintf(iso, sizeof iso, "%04d-%02d-%02d", parts[2] % 10000,
			 parts[1] % 100, parts[0] % 100);
		if (field_parse_iso_date(iso, &y, &m, &d)) {
			snprintf(out, outsz, "%s", iso);
			return FIELD_OK;
		}
	}
	return invalid(why, whysz,
		       "bad date '%s' (expected a calendar date as YYYY-MM-DD or DD/MM/YYYY)",
		       v);
}

static field_result norm_op(const char *v, char *out, size_t outsz,
			    char *why, size_t whysz)
{
	static const struct alias ops[] = {
		{ ">=", ">=" }, { "=>", ">=" }, { "\xE2\x89\xA5", ">=" },
		{ "<=", "<=" }, { "=<", "<=" }, { "\xE2\x89\xA4", "<=" },
		{ "=", "=" }, { "==", "=" }, { NULL, NULL }
	};

	for (const struct alias *a = ops; a->folded; a++)
		if (strcmp(v, a->folded) == 0) {
			snprintf(out, outsz, "%s", a->canonical);
			return FIELD_OK;
		}
	return invalid(why, whysz, "unknown comparison '%s' (expected >=, <= or =)",
		       v);
}

static field_result norm_scope(const char *v, char *out, size_t outsz,
			       char *why, size_t whysz)
{
	char f[128];
	const char *colon = strchr(v, ':');

	text_fold(v, f, sizeof f);
	if (strcmp(f, "all") == 0 || strcmp(f, "toan_don_vi") == 0 ||
	    strcmp(f, "tat_ca") == 0) {
		snprintf(out, outsz, "all");
		return FIELD_OK;
	}
	if (colon) {
		char prefix[64], level[128];

		snprintf(prefix, sizeof prefix, "%.*s", (int)(colon - v), v);
		text_fold(prefix, f, sizeof f);
		text_fold(colon + 1, level, sizeof level);
		if (strcmp(f, "level") != 0 && strcmp(f, "cap") != 0)
			return invalid(why, whysz,
				       "bad scope '%s' (expected a school id, level:<level> or all)",
				       v);
		for (const char *const *l = schema_levels(); *l; l++)
			if (strcmp(level, *l) == 0) {
				snprintf(out, outsz, "level:%s", *l);
				return FIELD_OK;
			}
		for (const struct alias *a = enum_aliases; a->folded; a++) {
			if (strcmp(level, a->folded) != 0)
				continue;
			for (const char *const *l = schema_levels(); *l; l++)
				if (strcmp(a->canonical, *l) == 0) {
					snprintf(out, outsz, "level:%s", *l);
					return FIELD_OK;
				}
		}
		return invalid(why, whysz,
			       "unknown level in scope '%s' (expected level: followed by mam_non, tieu_hoc, thcs, thpt, th_thcs or thcs_thpt)",
			       v);
	}
	if (strpbrk(v, " \t"))
		return invalid(why, whysz,
			       "bad scope '%s' (expected a school id, level:<level> or all)",
			       v);
	snprintf(out, outsz, "%s", v);
	return FIELD_OK;
}

static field_result norm_indicator(const char *v, char *out, size_t outsz,
				   char *why, size_t whysz)
{
	size_t n = base_len(v);
	const char *subject = v[n] == ':' ? v + n + 1 : NULL;
	char fsub[128];

	if (!in_list(indicator_names, v, n))
		return invalid(why, whysz,
			       "unknown indicator '%s' (expected a name from the indicator catalogue in data/README.md)",
			       v);
	if (field_indicator_needs_subject(v) && (!subject || !*subject))
		return invalid(why, whysz,
			       "indicator '%s' needs a suffix (expected %.*s:%s)",
			       v, (int)n, v,
			       strncmp(v, "exam_", 5) == 0 ? "<subject>, e.g. :toan"
			       : strncmp(v, "cohort_", 7) == 0 ? "<grade>, e.g. :3"
							       : "<level>, e.g. :tieu_hoc");
	if (subject && !field_indicator_needs_subject(v))
		return invalid(why, whysz,
			       "unexpected suffix in indicator '%s' (expected %.*s alone)",
			       v, (int)n, v);
	if (!subject) {
		snprintf(out, outsz, "%s", v);
		return FIELD_OK;
	}
	text_fold(subject, fsub, sizeof fsub);
	snprintf(out, outsz, "%.*s:%s", (int)n, v, fsub);
	return FIELD_OK;
}

/* The shortest plain decimal (no exponent) that reads back as exactly x:
 * a target of 99.888888888888 stays that, not a rounded 99.88888889 that
 * would compare differently, and 0.00001 stays 0.00001, not 1e-05. */
static void plain_number(double x, char *out, size_t outsz)
{
	for (int decimals = 0; decimals <= 17; decimals++) {
		snprintf(out, outsz, "%.*f", decimals, x);
		if (strtod(out, NULL) == x)
			return;
	}
	snprintf(out, outsz, "%.17g", x);
}

static field_result norm_number(const schema_column *col, const char *v,
				num_style style, char *out, size_t outsz,
				char *why, size_t whysz)
{
	double x;
	int pct = 0;
	num_result r = num_parse_real(v, style, &x, &pct);

	if (r != NUM_OK)
		return invalid(why, whysz, "%s '%s' (expected a number for %s)",
			       num_result_text(r), v, col->name);
	if (pct && col->type != SCH_PERCENT && col->type != SCH_TARGET)
		return invalid(why, whysz,
			       "unexpected percentage '%s' (expected a plain number for %s)",
			       v, col->name);
	if (x < 0)
		return invalid(why, whysz,
			       "negative value '%s' (expected a number >= 0 for %s)",
			       v, col->name);
	if (col->type == SCH_PERCENT && x > 100)
		return invalid(why, whysz,
			       "percentage above 100 '%s' (expected 0 to 100 for %s)",
			       v, col->name);
	if (col->type == SCH_REAL && col->max > col->min && x > col->max)
		return invalid(why, whysz,
			       "value out of range '%s' (expected %ld to %ld for %s)",
			       v, col->min, col->max, col->name);
	plain_number(x, out, outsz);
	return FIELD_OK;
}

static field_result norm_count(const schema_column *col, const char *v,
			       num_style style, char *out, size_t outsz,
			       char *why, size_t whysz)
{
	long long x;
	num_result r = num_parse_count(v, style, &x);

	if (r == NUM_NOT_INTEGER && style != NUM_STYLE_VI &&
	    num_parse_count(v, NUM_STYLE_VI, &x) == NUM_OK)
		return invalid(why, whysz,
			       "not a whole number '%s' (expected a count for %s; if '.' groups thousands here, use --number-style vi)",
			       v, col->name);
	if (r == NUM_NEGATIVE)
		return invalid(why, whysz, "negative count '%s' (expected a whole number >= 0 for %s)",
			       v, col->name);
	if (r != NUM_OK)
		return invalid(why, whysz, "%s '%s' (expected a whole number >= 0 for %s)",
			       num_result_text(r), v, col->name);
	if (col->type == SCH_INT_RANGE && (x < col->min || x > col->max))
		return invalid(why, whysz,
			       "value out of range '%s' (expected %ld to %ld for %s)",
			       v, col->min, col->max, col->name);
	snprintf(out, outsz, "%lld", x);
	return FIELD_OK;
}

field_result field_normalize(const schema_column *col, const char *raw,
			     num_style style, char *out, size_t outsz,
			     char *why, size_t whysz)
{
	char v[FIELD_MAX];

	trim(raw, v, sizeof v);
	out[0] = '\0';
	why[0] = '\0';
	if (strlen(raw) >= FIELD_MAX)
		return invalid(why, whysz,
			       "value too long: %zu bytes (expected at most %d)",
			       strlen(raw), FIELD_MAX - 1);
	if (!v[0])
		return FIELD_EMPTY;
	if (style == NUM_STYLE_AUTO)
		style = NUM_STYLE_EN;
	switch (col->type) {
	case SCH_TEXT:
		snprintf(out, outsz, "%s", v);
		return FIELD_OK;
	case SCH_ID:
		if (strpbrk(v, " \t\r\n"))
			return invalid(why, whysz,
				       "space inside identifier '%s' (expected an id without spaces for %s)",
				       v, col->name);
		snprintf(out, outsz, "%s", v);
		return FIELD_OK;
	case SCH_YEAR:
		return norm_year(v, out, outsz, why, whysz);
	case SCH_GRADE:
		return norm_grade(v, out, outsz, why, whysz);
	case SCH_COUNT:
	case SCH_INT_RANGE:
		return norm_count(col, v, style, out, outsz, why, whysz);
	case SCH_REAL:
	case SCH_SCORE:
	case SCH_PERCENT:
	case SCH_TARGET:
		return norm_number(col, v, style, out, outsz, why, whysz);
	case SCH_ENUM:
		return norm_enum(col, v, out, outsz, why, whysz);
	case SCH_DATE:
		return norm_date(v, out, outsz, why, whysz);
	case SCH_OP:
		return norm_op(v, out, outsz, why, whysz);
	case SCH_SCOPE:
		return norm_scope(v, out, outsz, why, whysz);
	case SCH_INDICATOR:
		return norm_indicator(v, out, outsz, why, whysz);
	}
	return invalid(why, whysz, "unsupported column type");
}
