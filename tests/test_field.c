/* Tests of field normalization: every column type, both number styles,
 * the Vietnamese spellings real exports use, and every rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "field.h"
#include "schema.h"

typedef struct norm_case {
	const char *table, *column, *raw;
	num_style style;
	field_result expect;
	const char *out;      /* normalized value, or a substring of why */
} norm_case;

static const schema_column *column(const char *table, const char *name)
{
	const schema_table *t = schema_find(table);

	assert_non_null(t);
	for (size_t i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return &t->columns[i];
	fail_msg("no column %s in %s", name, table);
	return NULL;
}

static const norm_case cases[] = {
	/* years */
	{ "enrollment.csv", "year", "2024-2025", NUM_STYLE_EN, FIELD_OK, "2024-2025" },
	{ "enrollment.csv", "year", " 2024 - 2025 ", NUM_STYLE_EN, FIELD_OK, "2024-2025" },
	{ "enrollment.csv", "year", "2024/2025", NUM_STYLE_EN, FIELD_OK, "2024-2025" },
	{ "enrollment.csv", "year", "2024\xE2\x80\x93" "2025", NUM_STYLE_EN, FIELD_OK, "2024-2025" },
	{ "enrollment.csv", "year", "2024-25", NUM_STYLE_EN, FIELD_OK, "2024-2025" },
	{ "enrollment.csv", "year", "2099-00", NUM_STYLE_EN, FIELD_OK, "2099-2100" },
	{ "enrollment.csv", "year", "Năm học 2023-2024", NUM_STYLE_EN, FIELD_OK, "2023-2024" },
	{ "enrollment.csv", "year", "2024-2026", NUM_STYLE_EN, FIELD_INVALID, "bad school year '2024-2026' (expected two consecutive" },
	{ "enrollment.csv", "year", "2024", NUM_STYLE_EN, FIELD_INVALID, "bad school year '2024'" },
	{ "enrollment.csv", "year", "", NUM_STYLE_EN, FIELD_EMPTY, "" },
	/* grades */
	{ "enrollment.csv", "grade", "Khối 6", NUM_STYLE_EN, FIELD_OK, "6" },
	{ "enrollment.csv", "grade", "Lớp 12", NUM_STYLE_EN, FIELD_OK, "12" },
	{ "enrollment.csv", "grade", "Nhà trẻ", NUM_STYLE_EN, FIELD_OK, "nha_tre" },
	{ "enrollment.csv", "grade", "MG 5", NUM_STYLE_EN, FIELD_OK, "mg_5" },
	{ "enrollment.csv", "grade", "Mẫu giáo lớn", NUM_STYLE_EN, FIELD_OK, "mg_5" },
	{ "enrollment.csv", "grade", "Tổng số", NUM_STYLE_EN, FIELD_OK, "all" },
	{ "enrollment.csv", "grade", "13", NUM_STYLE_EN, FIELD_INVALID, "unknown grade '13'" },
	{ "enrollment.csv", "grade", "0", NUM_STYLE_EN, FIELD_INVALID, "unknown grade '0'" },
	/* counts in both styles */
	{ "enrollment.csv", "students", "1.062", NUM_STYLE_VI, FIELD_OK, "1062" },
	{ "enrollment.csv", "students", "1,062", NUM_STYLE_EN, FIELD_OK, "1062" },
	{ "enrollment.csv", "students", "1.062", NUM_STYLE_EN, FIELD_INVALID, "use --number-style vi" },
	{ "enrollment.csv", "students", "12,5", NUM_STYLE_VI, FIELD_INVALID, "not a whole number '12,5'" },
	{ "enrollment.csv", "students", "-4", NUM_STYLE_EN, FIELD_INVALID, "negative count '-4'" },
	{ "enrollment.csv", "students", "abc", NUM_STYLE_EN, FIELD_INVALID, "'abc' (expected a whole number >= 0 for students)" },
	{ "enrollment.csv", "students", "\xC2\xA0" "35 ", NUM_STYLE_EN, FIELD_OK, "35" },
	/* reals and percentages */
	{ "exam_summary.csv", "mean", "5,8", NUM_STYLE_VI, FIELD_OK, "5.8" },
	{ "exam_summary.csv", "mean", "6.45", NUM_STYLE_EN, FIELD_OK, "6.45" },
	{ "exam_summary.csv", "mean", "10.5", NUM_STYLE_EN, FIELD_INVALID, "value out of range '10.5' (expected 0 to 10 for mean)" },
	{ "exam_summary.csv", "mean", "55%", NUM_STYLE_EN, FIELD_INVALID, "unexpected percentage '55%'" },
	{ "exam_summary.csv", "pass_rate", "99,9%", NUM_STYLE_VI, FIELD_OK, "99.9" },
	{ "exam_summary.csv", "pass_rate", "100.5", NUM_STYLE_EN, FIELD_INVALID, "percentage above 100 '100.5'" },
	{ "exam_summary.csv", "pass_rate", "-1", NUM_STYLE_EN, FIELD_INVALID, "negative value '-1'" },
	{ "targets.csv", "target", "98%", NUM_STYLE_EN, FIELD_OK, "98" },
	{ "targets.csv", "target", "4,95", NUM_STYLE_VI, FIELD_OK, "4.95" },
	/* targets keep every digit typed, in plain notation */
	{ "targets.csv", "target", "99.888888888888", NUM_STYLE_EN, FIELD_OK, "99.888888888888" },
	{ "targets.csv", "target", "0,00001", NUM_STYLE_VI, FIELD_OK, "0.00001" },
	{ "targets.csv", "target", "12.345.678.901", NUM_STYLE_VI, FIELD_OK, "12345678901" },
	{ "exam_summary.csv", "mean", "0.1", NUM_STYLE_EN, FIELD_OK, "0.1" },
	/* enums with Vietnamese spellings */
	{ "schools.csv", "level", "Tiểu học", NUM_STYLE_EN, FIELD_OK, "tieu_hoc" },
	{ "schools.csv", "level", "THCS", NUM_STYLE_EN, FIELD_OK, "thcs" },
	{ "schools.csv", "level", "TH&THCS", NUM_STYLE_EN, FIELD_OK, "th_thcs" },
	{ "schools.csv", "level", "Đại học", NUM_STYLE_EN, FIELD_INVALID, "unknown level 'Đại học' (expected one of mam_non, tieu_hoc" },
	{ "schools.csv", "ownership", "Tư thục", NUM_STYLE_EN, FIELD_OK, "tu_thuc" },
	{ "schools.csv", "ownership", "CÔNG LẬP", NUM_STYLE_EN, FIELD_OK, "cong_lap" },
	{ "staffing.csv", "role", "GV", NUM_STYLE_EN, FIELD_OK, "teacher" },
	{ "staffing.csv", "role", "CBQL", NUM_STYLE_EN, FIELD_OK, "manager" },
	{ "staffing.csv", "role", "Nhân viên", NUM_STYLE_EN, FIELD_OK, "staff" },
	{ "accreditation.csv", "kind", "Công nhận lại", NUM_STYLE_EN, FIELD_OK, "renewal" },
	/* ranges */
	{ "schools.csv", "region", "3", NUM_STYLE_EN, FIELD_OK, "3" },
	{ "schools.csv", "region", "4", NUM_STYLE_EN, FIELD_INVALID, "value out of range '4' (expected 1 to 3 for region)" },
	{ "accreditation.csv", "quality_level", "5", NUM_STYLE_EN, FIELD_INVALID, "expected 0 to 4" },
	/* dates, with leap years */
	{ "accreditation.csv", "recognized_on", "2020-02-29", NUM_STYLE_EN, FIELD_OK, "2020-02-29" },
	{ "accreditation.csv", "recognized_on", "29/02/2020", NUM_STYLE_EN, FIELD_OK, "2020-02-29" },
	{ "accreditation.csv", "recognized_on", "5/9/2021", NUM_STYLE_EN, FIELD_OK, "2021-09-05" },
	{ "accreditation.csv", "recognized_on", "2023-02-29", NUM_STYLE_EN, FIELD_INVALID, "bad date '2023-02-29'" },
	{ "accreditation.csv", "recognized_on", "1900-02-29", NUM_STYLE_EN, FIELD_INVALID, "bad date" },
	{ "accreditation.csv", "recognized_on", "2000-02-29", NUM_STYLE_EN, FIELD_OK, "2000-02-29" },
	{ "accreditation.csv", "recognized_on", "2021-13-01", NUM_STYLE_EN, FIELD_INVALID, "bad date" },
	/* targets: op, scope, indicator */
	{ "targets.csv", "op", "\xE2\x89\xA5", NUM_STYLE_EN, FIELD_OK, ">=" },
	{ "targets.csv", "op", "=<", NUM_STYLE_EN, FIELD_OK, "<=" },
	{ "targets.csv", "op", ">", NUM_STYLE_EN, FIELD_INVALID, "unknown comparison '>'" },
	{ "targets.csv", "scope", "level:Tiểu học", NUM_STYLE_EN, FIELD_OK, "level:tieu_hoc" },
	{ "targets.csv", "scope", "Toàn đơn vị", NUM_STYLE_EN, FIELD_OK, "all" },
	{ "targets.csv", "scope", "TH01", NUM_STYLE_EN, FIELD_OK, "TH01" },
	{ "targets.csv", "scope", "level:dai_hoc", NUM_STYLE_EN, FIELD_INVALID, "unknown level in scope" },
	/* "cl" is an alias of cong_lap, an ownership, not a level */
	{ "targets.csv", "scope", "level:cl", NUM_STYLE_EN, FIELD_INVALID, "unknown level in scope" },
	{ "targets.csv", "scope", "level:TH&THCS", NUM_STYLE_EN, FIELD_OK, "level:th_thcs" },
	{ "targets.csv", "indicator", "exam_mean:Tiếng Anh", NUM_STYLE_EN, FIELD_OK, "exam_mean:tieng_anh" },
	{ "targets.csv", "indicator", "promotion_rate", NUM_STYLE_EN, FIELD_OK, "promotion_rate" },
	{ "targets.csv", "indicator", "promotion_rate:toan", NUM_STYLE_EN, FIELD_INVALID, "unexpected suffix in indicator 'promotion_rate:toan' (expected promotion_rate alone)" },
	{ "targets.csv", "indicator", "exam_mean", NUM_STYLE_EN, FIELD_INVALID, "needs a suffix (expected exam_mean:<subject>, e.g. :toan)" },
	{ "targets.csv", "indicator", "survival_rate_last_grade", NUM_STYLE_EN, FIELD_INVALID, "expected survival_rate_last_grade:<level>" },
	{ "targets.csv", "indicator", "survival_rate_last_grade:THCS", NUM_STYLE_EN, FIELD_OK, "survival_rate_last_grade:thcs" },
	{ "targets.csv", "indicator", "happiness", NUM_STYLE_EN, FIELD_INVALID, "unknown indicator 'happiness'" },
	/* ids */
	{ "schools.csv", "school_id", " TH01 ", NUM_STYLE_EN, FIELD_OK, "TH01" },
	{ "schools.csv", "school_id", "TH 01", NUM_STYLE_EN, FIELD_INVALID, "space inside identifier 'TH 01'" },
};

static void test_normalize_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const norm_case *c = &cases[i];
		char out[FIELD_MAX], why[512];
		field_result r = field_normalize(column(c->table, c->column),
						 c->raw, c->style, out,
						 sizeof out, why, sizeof why);

		if (r != c->expect)
			fail_msg("case %zu (%s '%s'): result %d, expected %d (%s)",
				 i, c->column, c->raw, r, c->expect, why);
		if (r == FIELD_OK && strcmp(out, c->out) != 0)
			fail_msg("case %zu (%s '%s'): got '%s', expected '%s'",
				 i, c->column, c->raw, out, c->out);
		if (r == FIELD_INVALID && !strstr(why, c->out))
			fail_msg("case %zu (%s '%s'): message '%s' lacks '%s'",
				 i, c->column, c->raw, why, c->out);
	}
}

static void test_too_long_value(void **state)
{
	char raw[FIELD_MAX + 10], out[FIELD_MAX], why[512];

	(void)state;
	memset(raw, 'x', sizeof raw - 1);
	raw[sizeof raw - 1] = '\0';
	assert_int_equal(field_normalize(column("schools.csv", "name"), raw,
					 NUM_STYLE_EN, out, sizeof out, why,
					 sizeof why),
			 FIELD_INVALID);
	assert_non_null(strstr(why, "value too long"));
}

static void test_indicator_properties(void **state)
{
	(void)state;
	assert_true(field_indicator_is_percent("promotion_rate"));
	assert_true(field_indicator_is_percent("exam_pass_rate:toan"));
	assert_false(field_indicator_is_percent("exam_mean:toan"));
	assert_false(field_indicator_is_percent("teachers_per_class"));
	assert_true(field_indicator_needs_subject("exam_sd"));
	assert_true(field_indicator_needs_subject("survival_rate_last_grade"));
	assert_false(field_indicator_needs_subject("dropout_rate"));
}

static void test_grade_in_level(void **state)
{
	(void)state;
	assert_true(schema_grade_in_level("tieu_hoc", "5"));
	assert_false(schema_grade_in_level("tieu_hoc", "6"));
	assert_true(schema_grade_in_level("thcs", "6"));
	assert_false(schema_grade_in_level("thcs", "10"));
	assert_true(schema_grade_in_level("th_thcs", "9"));
	assert_true(schema_grade_in_level("thcs_thpt", "12"));
	assert_true(schema_grade_in_level("mam_non", "mg_4"));
	assert_false(schema_grade_in_level("mam_non", "1"));
	assert_true(schema_grade_in_level("thpt", "all"));
	assert_false(schema_grade_in_level("dai_hoc", "all"));
}

static void test_header_aliases(void **state)
{
	const schema_table *t = schema_find("enrollment.csv");
	const schema_table *p = schema_find("promotion.csv");
	const schema_table *x = schema_find("exam_scores.csv");
	const schema_table *s = schema_find("staffing.csv");

	(void)state;
	assert_int_equal(schema_column_index(t, "Năm học"), 0);
	assert_int_equal(schema_column_index(t, "NĂM HỌC"), 0);
	assert_int_equal(schema_column_index(t, "Mã  trường"), 1);
	assert_int_equal(schema_column_index(t, "Khối"), 2);
	assert_int_equal(schema_column_index(t, "Số lớp"), 3);
	assert_int_equal(schema_column_index(t, "số học sinh"), 4);
	assert_int_equal(schema_column_index(t, "students"), 4);
	assert_int_equal(schema_column_index(t, "Số giáo viên"), -1);
	assert_int_equal(schema_column_index(p, "Lên lớp"), 4);
	assert_int_equal(schema_column_index(p, "Lưu ban"), 5);
	assert_int_equal(schema_column_index(p, "Bỏ học"), 6);
	assert_int_equal(schema_column_index(x, "Số báo danh"), 2);
	assert_int_equal(schema_column_index(x, "Toán"), -1);
	assert_int_equal(schema_column_index(s, "Biên chế"), 3);
	assert_int_equal(schema_column_index(s, "Hợp đồng"), 4);
	assert_null(schema_find("nothing.csv"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_too_long_value),
		cmocka_unit_test(test_indicator_properties),
		cmocka_unit_test(test_grade_in_level),
		cmocka_unit_test(test_header_aliases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
