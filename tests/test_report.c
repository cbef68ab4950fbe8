/* Tests for report: Vietnamese labels and formats, dates, page arithmetic,
 * the layout helpers, and report_run on a small hand-written output
 * directory (success, determinism, every error path). Expected strings are
 * written by hand from the rules in report.h and fmt.h; page splits are
 * computed by hand from the heights given. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "ind.h"
#include "report.h"
/* the page engine is internal to the report modules */
#include "../pipeline/lib/report_priv.h"

static int close_rel(double a, double b, double rel)
{
	double scale = fmax(fabs(a), fabs(b));

	return fabs(a - b) <= rel * (scale > 0.0 ? scale : 1.0);
}

/* ------------------------------------------------------------ labels */

typedef struct label_case {
	const char *indicator;
	const char *want;
	int known;
} label_case;

static const label_case label_cases[] = {
	{ "promotion_rate", "Tỷ lệ lên lớp", 1 },
	{ "repetition_rate", "Tỷ lệ lưu ban", 1 },
	{ "dropout_rate", "Tỷ lệ bỏ học", 1 },
	{ "classes", "Số lớp", 1 },
	{ "students_per_class", "Số học sinh bình quân/lớp", 1 },
	{ "teachers_per_class", "Tỷ lệ giáo viên/lớp", 1 },
	{ "permanent_staff_fill", "Tỷ lệ biên chế có mặt/được giao", 1 },
	{ "standard_school_share", "Tỷ lệ trường đạt chuẩn quốc gia", 1 },
	{ "exam_mean:tieng_anh", "Điểm TB môn Tiếng Anh", 1 },
	{ "exam_mean:toan", "Điểm TB môn Toán", 1 },
	{ "exam_median:ngu_van", "Điểm trung vị môn Ngữ văn", 1 },
	{ "exam_low_rate:vat_ly", "Tỷ lệ điểm liệt (≤ 1) môn Vật lí", 1 },
	{ "exam_candidates:dia_li", "Số thí sinh dự thi môn Địa lí", 1 },
	/* a subject the table does not know keeps its words */
	{ "exam_mean:tin_hoc_ung_dung", "Điểm TB môn tin hoc ung dung", 1 },
	/* two exams in a year: <exam>:<subject> */
	{ "exam_pass_rate:tuyen_sinh_10:toan",
	  "Tỷ lệ đạt từ 5 điểm môn Toán (thi tuyển sinh lớp 10)", 1 },
	{ "exam_sd:ky_thi_khac:toan", "Độ lệch chuẩn điểm môn Toán (ky_thi_khac)",
	  1 },
	{ "cohort_dropout_rate:7", "Tỷ lệ bỏ học theo khóa, lớp 7", 1 },
	{ "cohort_promotion_rate:mg_5",
	  "Tỷ lệ lên lớp theo khóa, mẫu giáo 5 tuổi", 1 },
	{ "survival_rate_last_grade:thcs", "Tỷ lệ học đến lớp cuối cấp THCS",
	  1 },
	{ "survival_rate_last_grade:tieu_hoc",
	  "Tỷ lệ học đến lớp cuối cấp tiểu học", 1 },
	/* a suffix on an indicator that takes none is shown, not lost */
	{ "students:extra", "Số học sinh (extra)", 1 },
	{ "no_such_indicator", "no_such_indicator", 0 },
	{ "promotion", "promotion", 0 },      /* a prefix is not a match */
	{ "", "", 0 },
};

static void test_indicator_labels(void **state)
{
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof label_cases / sizeof label_cases[0]; i++) {
		const label_case *c = &label_cases[i];
		int known = report_indicator_label(c->indicator, buf,
						   sizeof buf);

		if (known != c->known || strcmp(buf, c->want) != 0)
			fail_msg("case %zu '%s': got %d '%s', want %d '%s'", i,
				 c->indicator, known, buf, c->known, c->want);
	}
	assert_int_equal(report_indicator_label(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

/* Every indicator of the catalogue has a label, and its unit follows the
 * catalogue's definition: percentages are the scale-100 ones, counts the
 * COUNT kind. */
static void test_catalogue_complete(void **state)
{
	char buf[256], name[128];
	int i;

	(void)state;
	for (i = 0; i < IND_NUM_INDICATORS; i++) {
		const ind_def *d = ind_def_get((ind_id)i);
		report_unit u;
		int dec;

		assert_non_null(d);
		snprintf(name, sizeof name, "%s%s", d->name,
			 d->suffix == IND_SUFFIX_SUBJECT ? ":toan"
			 : d->suffix == IND_SUFFIX_GRADE ? ":3"
			 : d->suffix == IND_SUFFIX_STAGE ? ":thcs"
							 : "");
		if (!report_indicator_label(name, buf, sizeof buf))
			fail_msg("no label for '%s'", name);
		if (strcmp(buf, name) == 0 || strchr(buf, '_'))
			fail_msg("label of '%s' is not Vietnamese: '%s'", name,
				 buf);
		assert_int_equal(report_indicator_unit(name, &u, &dec), 1);
		if ((u == REPORT_UNIT_PERCENT) != (d->scale == 100.0))
			fail_msg("'%s': percent unit %d, scale %g", name,
				 u == REPORT_UNIT_PERCENT, d->scale);
		if ((u == REPORT_UNIT_COUNT) != (d->kind == IND_KIND_COUNT))
			fail_msg("'%s': count unit %d, kind %d", name,
				 u == REPORT_UNIT_COUNT, (int)d->kind);
		assert_int_equal(dec, u == REPORT_UNIT_COUNT ? 0 : 2);
	}
}

static void test_label_truncation(void **state)
{
	char buf[16];

	(void)state;
	/* "Tỷ lệ lên lớp": T ỷ(3 bytes) ' ' l ệ(3 bytes): 8 bytes of room
	 * end inside 'ệ', which is dropped whole */
	report_indicator_label("promotion_rate", buf, 9);
	assert_string_equal(buf, "Tỷ l");
	report_indicator_label("promotion_rate", buf, 10);
	assert_string_equal(buf, "Tỷ lệ");
	report_indicator_label("promotion_rate", buf, 3);
	assert_string_equal(buf, "T");
	report_indicator_label("promotion_rate", buf, 1);
	assert_string_equal(buf, "");
	/* size 0 writes nothing and still answers */
	buf[0] = 'x';
	assert_int_equal(report_indicator_label("dropout_rate", buf, 0), 1);
	assert_int_equal(buf[0], 'x');
}

static void test_code_tables(void **state)
{
	(void)state;
	assert_string_equal(report_subject_label("toan"), "Toán");
	assert_string_equal(report_subject_label("tieng_anh"), "Tiếng Anh");
	assert_null(report_subject_label("khong_co"));
	assert_null(report_subject_label(NULL));
	assert_string_equal(report_exam_label("tuyen_sinh_10"),
			    "Thi tuyển sinh lớp 10");
	assert_null(report_exam_label("x"));
	assert_string_equal(report_level_label("mam_non"), "Mầm non");
	assert_string_equal(report_level_label("tieu_hoc"), "Tiểu học");
	assert_string_equal(report_level_label("thcs"), "THCS");
	assert_null(report_level_label("dai_hoc"));
	assert_string_equal(report_ownership_label("tu_thuc"), "Tư thục");
	assert_string_equal(report_status_label("met"), "Đạt");
	assert_string_equal(report_status_label("not_met"), "Chưa đạt");
	assert_string_equal(report_status_label("no_data"),
			    "Không có số liệu");
	assert_null(report_status_label("MET"));
	assert_string_equal(report_code_label("unknown_school"),
			    "Mã trường không có trong danh sách trường");
	assert_string_equal(report_code_label("students_without_classes"),
			    "Có học sinh nhưng không có lớp");
	assert_null(report_code_label("no_such_code"));
	assert_string_equal(report_op_symbol(">="), "≥");
	assert_string_equal(report_op_symbol("<="), "≤");
	assert_string_equal(report_op_symbol("="), "=");
	assert_string_equal(report_op_symbol("=>"), "");
	assert_string_equal(report_op_symbol(NULL), "");
}

/* ------------------------------------------------------------ formats */

typedef struct fmt_case {
	const char *indicator;
	double v;
	const char *want;
} fmt_case;

static const fmt_case value_cases[] = {
	{ "promotion_rate", 99.598528, "99,60%" },
	{ "dropout_rate", 0.263574, "0,26%" },
	{ "promotion_rate", 99.888889, "99,89%" }, /* not "99,9%" */
	{ "promotion_rate", 100.0, "100,00%" },
	{ "students", 6707.0, "6.707" },
	{ "classes", 75.0, "75" },
	{ "exam_candidates:toan", 1166.0, "1.166" },
	{ "students_per_class", 39.866667, "39,87" },
	{ "teachers_per_class", 1.863636, "1,86" },
	{ "exam_mean:toan", 6.240814, "6,24" },
	{ "exam_median:toan", 6.25, "6,25" },
	{ "no_such", 1234.5, "1.234,50" },        /* unknown: a ratio */
	{ "promotion_rate", NAN, "–" },
	{ "students", INFINITY, "–" },
};

static void test_format_value(void **state)
{
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof value_cases / sizeof value_cases[0]; i++) {
		const fmt_case *c = &value_cases[i];

		report_format_value(c->indicator, c->v, buf, sizeof buf);
		if (strcmp(buf, c->want) != 0)
			fail_msg("case %zu %s %.17g: '%s', want '%s'", i,
				 c->indicator, c->v, buf, c->want);
	}
}

static void test_format_parts(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(report_format_with_parts("promotion_rate",
						     99.598528, 1, 2977, 2989,
						     buf, sizeof buf),
			    "99,60% (2.977/2.989)");
	assert_string_equal(report_format_with_parts("students_per_class",
						     39.866667, 1, 2990, 75,
						     buf, sizeof buf),
			    "39,87 (2.990/75)");
	/* an exam mean's numerator is a sum of scores: no parts */
	assert_string_equal(report_format_with_parts("exam_mean:toan",
						     6.240814, 1, 2377.75, 381,
						     buf, sizeof buf),
			    "6,24");
	/* counts never show parts */
	assert_string_equal(report_format_with_parts("students", 6707, 1,
						     6707, 1, buf, sizeof buf),
			    "6.707");
	assert_string_equal(report_format_with_parts("promotion_rate",
						     99.598528, 0, 2977, 2989,
						     buf, sizeof buf),
			    "99,60%");
	assert_string_equal(report_format_with_parts("promotion_rate", NAN, 1,
						     0, 0, buf, sizeof buf),
			    "–");
	assert_string_equal(report_format_with_parts("dropout_rate", 0.0, 1,
						     0, 1897, buf, sizeof buf),
			    "0,00% (0/1.897)");
}

static void test_format_gap_target(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(report_format_gap("promotion_rate", 0.098528, buf,
					      sizeof buf),
			    "+0,10");
	assert_string_equal(report_format_gap("promotion_rate", -0.079132,
					      buf, sizeof buf),
			    "-0,08");
	/* rounds to zero: no sign either way */
	assert_string_equal(report_format_gap("promotion_rate", 0.004, buf,
					      sizeof buf),
			    "0,00");
	assert_string_equal(report_format_gap("promotion_rate", -0.004, buf,
					      sizeof buf),
			    "0,00");
	assert_string_equal(report_format_gap("classes", 0.0, buf, sizeof buf),
			    "0");
	assert_string_equal(report_format_gap("students", -24.0, buf,
					      sizeof buf),
			    "-24");
	assert_string_equal(report_format_gap("students", 1500.0, buf,
					      sizeof buf),
			    "+1.500");
	assert_string_equal(report_format_gap("students", NAN, buf, sizeof buf),
			    "–");
	assert_string_equal(report_format_target("promotion_rate", ">=", 99.5,
						 buf, sizeof buf),
			    "≥ 99,5%");
	assert_string_equal(report_format_target("dropout_rate", "<=", 0.3,
						 buf, sizeof buf),
			    "≤ 0,3%");
	assert_string_equal(report_format_target("promotion_rate", ">=", 100,
						 buf, sizeof buf),
			    "≥ 100%");
	assert_string_equal(report_format_target("classes", "=", 75, buf,
						 sizeof buf),
			    "= 75");
	assert_string_equal(report_format_target("students", "=", 3014, buf,
						 sizeof buf),
			    "= 3.014");
	assert_string_equal(report_format_target("exam_mean:tieng_anh", ">=",
						 4.95, buf, sizeof buf),
			    "≥ 4,95");
	assert_string_equal(report_format_target("classes", "!=", 75, buf,
						 sizeof buf),
			    "75");
	assert_string_equal(report_format_target("classes", "=", NAN, buf,
						 sizeof buf),
			    "–");
}

/* ------------------------------------------------------------ places */

static void test_places(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(report_place_name("Phường Hòa Bình", buf,
					      sizeof buf),
			    "Hòa Bình");
	assert_string_equal(report_place_name("Xã Tân An", buf, sizeof buf),
			    "Tân An");
	assert_string_equal(report_place_name("Thị trấn Long Thành", buf,
					      sizeof buf),
			    "Long Thành");
	assert_string_equal(report_place_name("Thành phố Biên Hòa", buf,
					      sizeof buf),
			    "Biên Hòa");
	assert_string_equal(report_place_name("Phòng GD&ĐT Biên Hòa", buf,
					      sizeof buf),
			    "Phòng GD&ĐT Biên Hòa");
	/* a kind without a name is kept as it is */
	assert_string_equal(report_place_name("Phường ", buf, sizeof buf),
			    "Phường ");
	assert_string_equal(report_place_name(NULL, buf, sizeof buf), "");

	assert_string_equal(report_addressee("Tỉnh Đồng Nai", buf, sizeof buf),
			    "Sở Giáo dục và Đào tạo tỉnh Đồng Nai");
	assert_string_equal(report_addressee("Thành phố Hà Nội", buf,
					     sizeof buf),
			    "Sở Giáo dục và Đào tạo thành phố Hà Nội");
	assert_string_equal(report_addressee("Đồng Nai", buf, sizeof buf),
			    "Sở Giáo dục và Đào tạo Đồng Nai");
	assert_string_equal(report_addressee("", buf, sizeof buf),
			    "Sở Giáo dục và Đào tạo");
	assert_string_equal(report_addressee(NULL, buf, sizeof buf),
			    "Sở Giáo dục và Đào tạo");

	assert_string_equal(report_all_label("Phường Hòa Bình"), "Toàn phường");
	assert_string_equal(report_all_label("Xã Tân An"), "Toàn xã");
	assert_string_equal(report_all_label("Huyện Long Thành"),
			    "Toàn huyện");
	assert_string_equal(report_all_label("Phòng GD&ĐT"), "Toàn đơn vị");
	assert_string_equal(report_all_label(NULL), "Toàn đơn vị");
}

/* ------------------------------------------------------------ dates */

static void test_dates(void **state)
{
	char buf[64];

	(void)state;
	/* epochs checked with date -u -d @N */
	assert_true(report_year_epoch(1970) == 0);
	assert_true(report_year_epoch(2025) == 1735689600LL);
	assert_true(report_year_epoch(1900) == -2208988800LL);
	assert_string_equal(report_date_words(1748736000LL, buf, sizeof buf),
			    "ngày 01 tháng 6 năm 2025");
	/* leap day; February takes a leading zero */
	assert_string_equal(report_date_words(1709164800LL, buf, sizeof buf),
			    "ngày 29 tháng 02 năm 2024");
	assert_string_equal(report_date_words(1766620800LL, buf, sizeof buf),
			    "ngày 25 tháng 12 năm 2025");
	assert_string_equal(report_iso_date(0, buf, sizeof buf),
			    "1970-01-01T00:00:00Z");
	assert_string_equal(report_iso_date(1748736000LL + 3661, buf,
					    sizeof buf),
			    "2025-06-01T01:01:01Z");
	assert_string_equal(report_iso_date(253402300799LL, buf, sizeof buf),
			    "9999-12-31T23:59:59Z");
	assert_string_equal(report_iso_date(-1, buf, sizeof buf),
			    "1969-12-31T23:59:59Z");
}

typedef struct epoch_case {
	const char *s;
	int ok;
	long long want;
} epoch_case;

static const epoch_case epoch_cases[] = {
	{ "1748736000", 1, 1748736000LL },
	{ "0", 1, 0 },
	{ "253402300799", 1, 253402300799LL },
	{ "253402300800", 0, 0 },          /* past 9999-12-31 */
	{ "99999999999999999999", 0, 0 },  /* overflows long long */
	{ "", 0, 0 },
	{ "-1", 0, 0 },
	{ " 1", 0, 0 },
	{ "12a", 0, 0 },
	{ "1.5", 0, 0 },
};

static void test_parse_epoch(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof epoch_cases / sizeof epoch_cases[0]; i++) {
		const epoch_case *c = &epoch_cases[i];
		long long v = -42;
		ss_error e;
		ss_status st;

		err_clear(&e);
		st = report_parse_epoch(c->s, &v, &e);
		if (c->ok) {
			assert_int_equal(st, SS_OK);
			assert_true(v == c->want);
		} else {
			char want[64];

			assert_int_equal(st, SS_EUSAGE);
			assert_true(v == -42);
			snprintf(want, sizeof want, "'%s'", c->s);
			if (!strstr(e.msg, want))
				fail_msg("case %zu: message '%s' lacks %s", i,
					 e.msg, want);
		}
	}
	{
		long long v;
		ss_error e;

		err_clear(&e);
		assert_int_equal(report_parse_epoch(NULL, &v, &e), SS_EUSAGE);
	}
}

/* ------------------------------------------------------------ pages */

static void test_rows_fit(void **state)
{
	const double h[3] = { 10.0, 10.0, 10.0 };

	(void)state;
	assert_int_equal(report_rows_fit(h, 3, 5.0, 25.0), 2);
	assert_int_equal(report_rows_fit(h, 3, 5.0, 35.0), 3);
	assert_int_equal(report_rows_fit(h, 3, 5.0, 34.99), 2);
	assert_int_equal(report_rows_fit(h, 3, 5.0, 15.0), 1); /* exactly */
	assert_int_equal(report_rows_fit(h, 3, 5.0, 14.0), 0);
	assert_int_equal(report_rows_fit(h, 3, 5.0, 4.0), 0);
	assert_int_equal(report_rows_fit(h, 0, 5.0, 100.0), 0);
}

static void test_paginate_uniform(void **state)
{
	double h[350];
	size_t starts[350], i, n;
	int fresh = -1;

	(void)state;
	for (i = 0; i < 350; i++)
		h[i] = 10.0;
	/* 100 rows: (500-20)/10 = 48 on the first page, 52 left < 68 */
	n = report_paginate(h, 100, 20.0, 500.0, 700.0, starts, &fresh);
	assert_int_equal(n, 2);
	assert_int_equal(fresh, 0);
	assert_int_equal(starts[0], 0);
	assert_int_equal(starts[1], 48);
	/* hundreds of schools: 350 rows of 12 pt, header 24: 48 on the
	 * first page ((600-24)/12), then 56 a page ((700-24)/12 = 56.3):
	 * 48 + 5 x 56 = 328, the last 22 on a seventh page */
	for (i = 0; i < 350; i++)
		h[i] = 12.0;
	n = report_paginate(h, 350, 24.0, 600.0, 700.0, starts, &fresh);
	assert_int_equal(n, 7);
	assert_int_equal(starts[1], 48);
	assert_int_equal(starts[6], 328);
	for (i = 2; i < 7; i++)
		assert_int_equal(starts[i] - starts[i - 1], 56);
	assert_int_equal(report_paginate(h, 0, 24.0, 600.0, 700.0, starts,
					 &fresh),
			 0);
}

/* A single row alone on the last page takes a companion from the page
 * before. */
static void test_paginate_widow(void **state)
{
	double h[60];
	size_t starts[60], i, n;

	(void)state;
	for (i = 0; i < 60; i++)
		h[i] = 10.0;
	/* 49 rows: 48 fit the first page, the 49th would be alone */
	n = report_paginate(h, 49, 20.0, 500.0, 700.0, starts, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(starts[1], 47);
	/* 50 rows: two on the last page already */
	n = report_paginate(h, 50, 20.0, 500.0, 700.0, starts, NULL);
	assert_int_equal(starts[1], 48);
	/* the page before has only two rows: it keeps them (3 pages of
	 * room 40: 2, 2, 1 rows) */
	n = report_paginate(h, 5, 20.0, 40.0, 40.0, starts, NULL);
	assert_int_equal(n, 3);
	assert_int_equal(starts[1], 2);
	assert_int_equal(starts[2], 4);
	/* two rows would not fit on the last page together: no move */
	h[58] = 30.0;
	h[59] = 30.0;
	n = report_paginate(h + 56, 4, 10.0, 60.0, 60.0, starts, NULL);
	/* rows 10,10,30,30: page 1 holds 10+10+30 = 50 (+10 header = 60),
	 * the last 30 alone; 10 + 30 + 30 > 60, so it stays alone */
	assert_int_equal(n, 2);
	assert_int_equal(starts[1], 3);
}

static void test_paginate_fresh_and_tall(void **state)
{
	const double a[4] = { 30.0, 30.0, 50.0, 30.0 };
	const double tall[3] = { 30.0, 200.0, 30.0 };
	const double first_tall[2] = { 120.0, 10.0 };
	double h[100];
	size_t starts[100], n, i;
	int fresh = -1;

	(void)state;
	/* never split: 10+30+30 = 70, +50 > 100; then 10+50+30 = 90 */
	n = report_paginate(a, 4, 10.0, 100.0, 100.0, starts, &fresh);
	assert_int_equal(n, 2);
	assert_int_equal(starts[0], 0);
	assert_int_equal(starts[1], 2);
	/* header + first row (30) do not fit in 25: a fresh page */
	for (i = 0; i < 100; i++)
		h[i] = 10.0;
	n = report_paginate(h, 100, 20.0, 25.0, 700.0, starts, &fresh);
	assert_int_equal(fresh, 1);
	assert_int_equal(n, 2);
	assert_int_equal(starts[0], 0);
	assert_int_equal(starts[1], 68);
	/* a row taller than a page gets a page of its own */
	n = report_paginate(tall, 3, 10.0, 100.0, 100.0, starts, &fresh);
	assert_int_equal(fresh, 0);
	assert_int_equal(n, 3);
	assert_int_equal(starts[1], 1);
	assert_int_equal(starts[2], 2);
	/* ... also as the very first row on an empty page (no endless
	 * fresh pages) */
	n = report_paginate(first_tall, 2, 10.0, 100.0, 100.0, starts,
			    &fresh);
	assert_int_equal(fresh, 0);
	assert_int_equal(n, 2);
	assert_int_equal(starts[1], 1);
	/* fresh may be NULL */
	assert_int_equal(report_paginate(a, 4, 10.0, 100.0, 100.0, starts,
					 NULL),
			 2);
}

/* Irregular heights from a fixed generator: every page holds whole rows
 * within its room, and (but for the page before the last, which may lend
 * a row to a widow) the next row would not have fitted. */
static void test_paginate_property(void **state)
{
	double h[500];
	size_t starts[500], n, p, i;
	unsigned long x = 12345;
	const double header = 18.0, first = 230.0, page = 700.0;
	int fresh;

	(void)state;
	for (i = 0; i < 500; i++) {
		x = x * 1103515245UL + 12345UL;
		h[i] = 9.0 + (double)((x >> 16) % 60); /* 9 .. 68 pt */
	}
	n = report_paginate(h, 500, header, first, page, starts, &fresh);
	assert_int_equal(fresh, 0);
	assert_true(n > 1);
	for (p = 0; p < n; p++) {
		size_t end = p + 1 < n ? starts[p + 1] : 500;
		double avail = p == 0 ? first : page, used = header;

		assert_true(end > starts[p]);
		for (i = starts[p]; i < end; i++)
			used += h[i];
		assert_true(used <= avail);
		/* full pages, except the one that may give a row to a widow */
		if (end < 500 && p + 2 < n)
			assert_true(used + h[end] > avail);
	}
}

static void test_column_widths(void **state)
{
	const double w3[3] = { 1.0, 2.0, 1.0 }, eq[3] = { 1.0, 1.0, 1.0 };
	const double bad[2] = { 1.0, 0.0 };
	double out[3] = { -1.0, -1.0, -1.0 };

	(void)state;
	assert_int_equal(report_column_widths(w3, 3, 400.0, out), 1);
	assert_true(close_rel(out[0], 100.0, 1e-12));
	assert_true(close_rel(out[1], 200.0, 1e-12));
	assert_true(close_rel(out[2], 100.0, 1e-12));
	assert_int_equal(report_column_widths(eq, 3, 100.0, out), 1);
	/* the widths add up to the total exactly */
	assert_true(out[0] + out[1] + out[2] == 100.0);
	assert_true(close_rel(out[0], 100.0 / 3.0, 1e-12));
	out[0] = -1.0;
	assert_int_equal(report_column_widths(bad, 2, 100.0, out), 0);
	assert_true(out[0] == -1.0);
	assert_int_equal(report_column_widths(w3, 0, 100.0, out), 0);
	assert_int_equal(report_column_widths(w3, 3, 0.0, out), 0);
}

static void test_truncate(void **state)
{
	size_t hidden = 99;

	(void)state;
	assert_int_equal(report_truncate(10, 200, &hidden), 10);
	assert_int_equal(hidden, 0);
	assert_int_equal(report_truncate(200, 200, &hidden), 200);
	assert_int_equal(hidden, 0);
	/* one row is kept for "và 2 mục khác" */
	assert_int_equal(report_truncate(201, 200, &hidden), 199);
	assert_int_equal(hidden, 2);
	assert_int_equal(report_truncate(5000, 200, &hidden), 199);
	assert_int_equal(hidden, 4801);
	assert_int_equal(report_truncate(5, 1, &hidden), 0);
	assert_int_equal(hidden, 5);
	assert_int_equal(report_truncate(0, 200, NULL), 0);
}

/* ------------------------------------------------------------ layout */

static cairo_status_t discard(void *closure, const unsigned char *data,
			      unsigned int length)
{
	(void)closure;
	(void)data;
	(void)length;
	return CAIRO_STATUS_SUCCESS;
}

/* Long names wrap in cells: the same text at a third of the width takes
 * more lines, a capped text takes exactly its cap, and the engine pages
 * a long table with every row on a page. */
static void test_layout_wrap(void **state)
{
	const char *name = "Trường Tiểu học và Trung học cơ sở liên xã số 7 "
			   "mang tên Anh hùng Lực lượng vũ trang Nhân dân";
	rfont f = { RFACE_SANS, 8.0, 0 };
	cairo_surface_t *s;
	rdoc d;
	double one, wide, narrow, capped;

	(void)state;
	s = cairo_pdf_surface_create_for_stream(discard, NULL, RPT_PAGE_W,
						RPT_PAGE_H);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	rdoc_init(&d, s, 0, NULL);
	assert_int_equal(d.status, SS_OK);
	one = rdoc_text_height(&d, &f, "Trường", 400.0, 0);
	wide = rdoc_text_height(&d, &f, name, 1000.0, 0);
	narrow = rdoc_text_height(&d, &f, name, 80.0, 0);
	capped = rdoc_text_height(&d, &f, name, 40.0, 3);
	assert_true(one > 0.0);
	assert_true(close_rel(wide, one, 1e-9));      /* one line */
	assert_true(narrow >= 4.0 * one - 1e-9);       /* wrapped */
	assert_true(close_rel(narrow / one, round(narrow / one), 1e-6));
	assert_true(close_rel(capped, 3.0 * one, 1e-6)); /* ellipsized */
	assert_int_equal(rdoc_finish(&d), SS_OK);
	rdoc_release(&d);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
}

static void test_layout_table_pages(void **state)
{
	static const rcol cols[] = { { "TT", 0.1, RALIGN_CENTER },
				     { "Trường", 0.6, RALIGN_LEFT },
				     { "Số lớp", 0.3, RALIGN_RIGHT } };
	cairo_surface_t *s;
	rtable t;
	rdoc d;
	size_t i;

	(void)state;
	s = cairo_pdf_surface_create_for_stream(discard, NULL, RPT_PAGE_W,
						RPT_PAGE_H);
	rdoc_init(&d, s, 0, NULL);
	rtable_init(&t, cols, 3, 7.5);
	for (i = 0; i < 300; i++) {
		size_t k = rtable_add(&t, RROW_BODY);

		rtable_setf(&t, k, 0, "%zu", i + 1);
		rtable_set(&t, k, 1, "Trường số");
		rtable_setf(&t, k, 2, "%zu", i % 40);
	}
	rdoc_new_page(&d);
	rdoc_table(&d, &t, "Thử");
	/* one line per row, about 14 pt with padding: several pages, and
	 * the last row ended inside the bottom margin */
	assert_true(d.page >= 5);
	assert_true(d.y <= rdoc_bottom(&d) + 1e-9);
	assert_int_equal(d.tables, 1);
	/* an allocation failure is reported by the drawing call */
	t.oom = 1;
	rdoc_table(&d, &t, "Thử");
	assert_int_equal(d.status, SS_ENOMEM);
	rtable_release(&t);
	assert_int_equal(rdoc_finish(&d), SS_ENOMEM);
	rdoc_release(&d);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
}

static ss_status refuse_fn(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const void *data,
			   ss_error *e)
{
	(void)cr;
	(void)area;
	(void)st;
	return err_set(e, *(const ss_status *)data, NULL, 0, 0, "refused");
}

/* A chart that refuses its data leaves a note and the document goes on;
 * any other failure stops it. A real chart is numbered. */
static void test_layout_figure(void **state)
{
	const chart_hist_bin bins[2] = { { 0.0, 5.0, 3 }, { 5.0, 10.0, 7 } };
	chart_histogram h = { NULL, NULL, "Điểm", "Số thí sinh", bins, 2,
			      0.0,  10.0, 6.0,    NAN,           2 };
	ss_status usage = SS_EUSAGE, internal = SS_EINTERNAL;
	cairo_surface_t *s;
	rdoc d;
	double y;

	(void)state;
	s = cairo_pdf_surface_create_for_stream(discard, NULL, RPT_PAGE_W,
						RPT_PAGE_H);
	rdoc_init(&d, s, 0, NULL);
	rdoc_new_page(&d);
	y = d.y;
	rdoc_figure(&d, 150.0, "Thử", chart_histogram_fn, &h);
	assert_int_equal(d.status, SS_OK);
	assert_int_equal(d.figures, 1);
	assert_true(d.y > y + 150.0);
	rdoc_figure(&d, 150.0, "Thử", refuse_fn, &usage);
	assert_int_equal(d.status, SS_OK);
	assert_int_equal(d.figures, 1);
	rdoc_figure(&d, 150.0, "Thử", refuse_fn, &internal);
	assert_int_equal(d.status, SS_EINTERNAL);
	assert_string_equal(d.err.msg, "refused");
	assert_int_equal(rdoc_finish(&d), SS_EINTERNAL);
	rdoc_release(&d);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
}

/* The layout cache hands out one layout per text, font, width, alignment
 * and line limit; the height of a text does not depend on its alignment
 * (row heights are measured with the alignment the cell is drawn with). */
static void test_layout_cache(void **state)
{
	const char *name = "Trường Trung học phổ thông chuyên Lê Quý Đôn "
			   "tỉnh Bà Rịa - Vũng Tàu";
	rfont f = { RFACE_SANS, 7.0, 0 }, b = { RFACE_SANS, 7.0, RSTYLE_BOLD };
	cairo_surface_t *s;
	PangoLayout *l1, *l2, *l3, *l4;
	rdoc d;
	double h;

	(void)state;
	s = cairo_pdf_surface_create_for_stream(discard, NULL, RPT_PAGE_W,
						RPT_PAGE_H);
	rdoc_init(&d, s, 0, NULL);
	l1 = rdoc_layout(&d, &f, name, 60.0, RALIGN_LEFT, 10);
	l2 = rdoc_layout(&d, &f, name, 60.0, RALIGN_LEFT, 10);
	l3 = rdoc_layout(&d, &f, name, 60.0, RALIGN_RIGHT, 10);
	l4 = rdoc_layout(&d, &b, name, 60.0, RALIGN_LEFT, 10);
	assert_ptr_equal(l1, l2);
	assert_ptr_not_equal(l1, l3);
	assert_ptr_not_equal(l1, l4);
	h = rdoc_layout_height(l1);
	assert_true(h > 0.0);
	assert_true(rdoc_layout_height(l3) == h);
	assert_true(rdoc_text_height(&d, &f, name, 60.0, 10) == h);
	g_object_unref(l1);
	g_object_unref(l2);
	g_object_unref(l3);
	g_object_unref(l4);
	/* no width: one line per '\n', whatever the limit asked */
	l1 = rdoc_layout(&d, &f, "a\nb", 0.0, RALIGN_LEFT, 1);
	l2 = rdoc_layout(&d, &f, "a\nb", -5.0, RALIGN_LEFT, 0);
	assert_ptr_equal(l1, l2);
	assert_int_equal(pango_layout_get_line_count(l1), 2);
	g_object_unref(l1);
	g_object_unref(l2);
	assert_int_equal(rdoc_finish(&d), SS_OK);
	rdoc_release(&d);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
}

static void count_task(void *arg)
{
	int *n = arg;

	*n = *n * 10 + 1;
}

/* Tasks run in order on the helper, or at once without it. */
static void test_worker(void **state)
{
	rworker w;
	int n = 0;
	size_t t1, t2;

	(void)state;
	rworker_init(&w);
	assert_int_equal(rworker_submit(&w, count_task, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rworker_start(&w), 0);
	t1 = rworker_submit(&w, count_task, &n);
	t2 = rworker_submit(&w, count_task, &n);
	assert_true(t2 > t1);
	rworker_wait(&w, t2);
	assert_int_equal(n, 111);
	rworker_release(&w);
	rworker_release(&w); /* twice is harmless */
}

typedef struct bytes_sink {
	char *p;
	size_t len, cap;
} bytes_sink;

static cairo_status_t to_bytes(void *closure, const unsigned char *data,
			       unsigned int length)
{
	bytes_sink *b = closure;

	if (b->len + length > b->cap) {
		size_t cap = (b->len + length) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return CAIRO_STATUS_WRITE_ERROR;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, length);
	b->len += length;
	return CAIRO_STATUS_SUCCESS;
}

/* A long table measured then drawn, its cells laid out on one thread or
 * on two (with the helper's own Pango context). */
static void draw_table_twice(int helper, bytes_sink *out)
{
	static const rcol cols[] = { { "TT", 0.1, RALIGN_CENTER },
				     { "Trường", 0.6, RALIGN_LEFT },
				     { "Tỷ lệ", 0.3, RALIGN_RIGHT } };
	cairo_surface_t *s;
	rlayouts lay;
	rworker w;
	rtable t;
	rdoc d;
	size_t i;
	int pass, pages = 0;

	rworker_init(&w);
	rlayouts_init(&lay);
	if (helper) {
		assert_int_equal(rworker_start(&w), 0);
		rlayouts_use_worker(&lay, &w);
	}
	rtable_init(&t, cols, 3, 7.0);
	for (i = 0; i < 400; i++) {
		size_t k = rtable_add(&t, i % 50 ? RROW_BODY : RROW_GROUP);

		rtable_setf(&t, k, 0, "%zu", i + 1);
		rtable_setf(&t, k, 1, "Trường Tiểu học số %zu xã Đắk Ơ", i * 7);
		rtable_setf(&t, k, 2, "%zu,%02zu%%", i % 100, i % 97);
	}
	for (pass = 0; pass < 2; pass++) {
		s = pass ? cairo_pdf_surface_create_for_stream(
				   to_bytes, out, RPT_PAGE_W, RPT_PAGE_H)
			 : cairo_pdf_surface_create_for_stream(
				   discard, NULL, RPT_PAGE_W, RPT_PAGE_H);
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE,
					       "2025-01-01T00:00:00Z");
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE,
					       "2025-01-01T00:00:00Z");
		rdoc_init_shared(&d, s, pass ? pages : 0, NULL, &lay);
		rdoc_new_page(&d);
		rdoc_table(&d, &t, "Thử");
		assert_int_equal(rdoc_finish(&d), SS_OK);
		pages = d.page;
		rdoc_release(&d);
		cairo_surface_finish(s);
		cairo_surface_destroy(s);
	}
	rtable_release(&t);
	rworker_release(&w);
	rlayouts_release(&lay);
}

/* Layouts made on the helper thread draw the very bytes the main thread's
 * would. */
static void test_layout_helper_same_bytes(void **state)
{
	bytes_sink one = { NULL, 0, 0 }, two = { NULL, 0, 0 };

	(void)state;
	draw_table_twice(0, &one);
	draw_table_twice(1, &two);
	assert_true(one.len > 1000);
	assert_int_equal(one.len, two.len);
	assert_memory_equal(one.p, two.p, one.len);
	free(one.p);
	free(two.p);
}

static void test_rpool(void **state)
{
	char buf[64], big[100000];
	rpool p;
	long a, b, i;

	(void)state;
	rpool_init(&p);
	assert_int_equal(rpool_find(&p, "x"), -1);
	a = rpool_add(&p, "2024-2025");
	b = rpool_add(&p, "");
	assert_true(a >= 0 && b >= 0 && a != b);
	assert_int_equal(rpool_add(&p, "2024-2025"), a);
	assert_int_equal(rpool_find(&p, ""), b);
	/* growth: many strings, and one longer than a block */
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof buf, "%08ld", i);
		assert_int_equal(rpool_add(&p, buf), i + 2);
	}
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	a = rpool_add(&p, big);
	assert_string_equal(p.str[a], big);
	for (i = 0; i < 5000; i++) {
		snprintf(buf, sizeof buf, "%08ld", i);
		assert_int_equal(rpool_find(&p, buf), i + 2);
		assert_string_equal(p.str[i + 2], buf);
	}
	assert_string_equal(p.str[0], "2024-2025");
	rpool_release(&p);
}

/* ------------------------------------------------------------ accreditation */

static void test_accr_date(void **state)
{
	static const struct {
		const char *iso, *want;
	} cases[] = {
		{ "2025-05-31", "31/05/2025" },
		{ "2020-02-29", "29/02/2020" },
		{ "2024-12-01", "01/12/2024" },
		/* anything else is shown as written, never guessed at */
		{ "", "" },
		{ "2025-5-31", "2025-5-31" },
		{ "2025-05-31x", "2025-05-31x" },
		{ "2025/05/31", "2025/05/31" },
		{ "31/05/2025", "31/05/2025" },
	};
	char buf[32], small[6];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(rpt_accr_date(cases[i].iso, buf,
						  sizeof buf),
				    cases[i].want);
	assert_string_equal(rpt_accr_date(NULL, buf, sizeof buf), "");
	/* truncated like snprintf */
	assert_string_equal(rpt_accr_date("2025-05-31", small, sizeof small),
			    "31/05");
}

typedef struct todo_case {
	const char *action, *status, *expires, *by, *days;
	int brief;
	const char *want;
} todo_case;

/* The sample ward's schools at 31/05/2025 (data/README.md, "The sample
 * ward"): TH03 valid, 81 days left; THCS02 overdue by 31 days; MN02
 * expired on 28/02/2025; MN05 never recognised. */
static const todo_case todo_cases[] = {
	{ "renewal", "valid", "2026-01-20", "2025-08-20", "81", 0,
	  "đăng ký đánh giá ngoài để công nhận lại chậm nhất ngày 20/08/2025 "
	  "(còn 81 ngày); công nhận còn hiệu lực đến hết ngày 20/01/2026" },
	{ "renewal", "valid", "2026-01-20", "2025-08-20", "81", 1,
	  "Đăng ký đánh giá ngoài để công nhận lại (còn 81 ngày)" },
	{ "renewal", "overdue", "2025-09-30", "2025-04-30", "-31", 0,
	  "đã quá hạn đăng ký đánh giá lại (hạn ngày 30/04/2025, đã quá 31 "
	  "ngày), đăng ký ngay; công nhận còn hiệu lực đến hết ngày "
	  "30/09/2025" },
	{ "renewal", "overdue", "2025-09-30", "2025-04-30", "-31", 1,
	  "Đăng ký ngay để công nhận lại (đã quá hạn 31 ngày)" },
	{ "renewal", "expired", "2025-02-28", "", "", 0,
	  "công nhận đã hết hiệu lực (hiệu lực đến hết ngày 28/02/2025), đăng "
	  "ký đánh giá ngoài để công nhận lại ngay" },
	{ "renewal", "expired", "2025-02-28", "", "", 1,
	  "Đăng ký đánh giá ngoài để công nhận lại ngay (đã hết hiệu lực)" },
	{ "first_recognition", "none", "", "", "", 0,
	  "đăng ký đánh giá ngoài để được công nhận lần đầu" },
	{ "first_recognition", "none", "", "", "", 1,
	  "Đăng ký đánh giá ngoài để được công nhận lần đầu" },
	{ "none", "valid", "2028-05-16", "", "929", 0, "" },
	{ "", "valid", "2028-05-16", "", "929", 1, "" },
	/* an action the report does not know is shown as written */
	{ "inspect", "valid", "", "", "", 0, "inspect" },
	/* registering on the deadline itself is on time */
	{ "renewal", "valid", "2026-01-20", "2025-08-20", "0", 0,
	  "đăng ký đánh giá ngoài để công nhận lại chậm nhất ngày 20/08/2025 "
	  "(hạn cuối là ngày tham chiếu); công nhận còn hiệu lực đến hết ngày "
	  "20/01/2026" },
	/* days that are not a number, or absurd, are left out */
	{ "renewal", "valid", "2026-01-20", "2025-08-20", "", 1,
	  "Đăng ký đánh giá ngoài để công nhận lại" },
	{ "renewal", "valid", "2026-01-20", "2025-08-20", "8l", 1,
	  "Đăng ký đánh giá ngoài để công nhận lại" },
	{ "renewal", "overdue", "2025-09-30", "2025-04-30", "", 0,
	  "đã quá hạn đăng ký đánh giá lại (hạn ngày 30/04/2025), đăng ký "
	  "ngay; công nhận còn hiệu lực đến hết ngày 30/09/2025" },
	{ "renewal", "overdue", "2025-09-30", "2025-04-30",
	  "-9223372036854775808", 1,
	  "Đăng ký ngay để công nhận lại (đã quá hạn)" },
	/* negative days are late whatever the status column says */
	{ "renewal", "valid", "2025-09-30", "2025-04-30", "-3", 1,
	  "Đăng ký ngay để công nhận lại (đã quá hạn 3 ngày)" },
};

static void test_accr_todo(void **state)
{
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof todo_cases / sizeof todo_cases[0]; i++) {
		const todo_case *t = &todo_cases[i];

		rpt_accr_todo(t->action, t->status, t->expires, t->by, t->days,
			      t->brief, buf, sizeof buf);
		if (strcmp(buf, t->want) != 0)
			fail_msg("case %zu: '%s' (expected '%s')", i, buf,
				 t->want);
	}
}

typedef struct due_case {
	const char *key;
	size_t row;
} due_case;

static int due_case_cmp(const void *a, const void *b)
{
	const due_case *x = a, *y = b;

	return rpt_accr_deadline_cmp(x->key, x->row, y->key, y->row);
}

static void test_accr_deadline_order(void **state)
{
	/* the sample's schools with something to do, in schools.csv order,
	 * with register_by; the README lists the deadlines */
	due_case items[] = {
		{ "2026-01-10", 0 }, /* MN01 */
		{ "2024-09-28", 1 }, /* MN02, expired */
		{ "2024-06-20", 2 }, /* MN03, expired */
		{ "", 4 },           /* MN05, never recognised */
		{ "2025-08-20", 7 }, /* TH03 */
		{ "2025-04-30", 9 }, /* THCS02, overdue */
		{ "", 3 },           /* another first recognition */
	};
	static const size_t want[] = { 2, 1, 9, 7, 0, 3, 4 };
	size_t i;

	(void)state;
	assert_true(rpt_accr_deadline_cmp("2024-06-20", 5, "2025-08-20", 1) <
		    0);
	assert_true(rpt_accr_deadline_cmp("2025-08-20", 1, "2024-06-20", 5) >
		    0);
	assert_true(rpt_accr_deadline_cmp("", 0, "2030-01-01", 9) > 0);
	assert_true(rpt_accr_deadline_cmp("2030-01-01", 9, "", 0) < 0);
	assert_true(rpt_accr_deadline_cmp("2025-01-01", 1, "2025-01-01", 2) <
		    0);
	assert_true(rpt_accr_deadline_cmp("", 4, "", 3) > 0);
	assert_int_equal(rpt_accr_deadline_cmp("2025-01-01", 2, "2025-01-01",
					       2),
			 0);
	qsort(items, sizeof items / sizeof items[0], sizeof items[0],
	      due_case_cmp);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(items[i].row, want[i]);
}

static void test_accr_verdict(void **state)
{
	static const struct {
		const char *on_track;
		long long valid, required;
		int want;
	} cases[] = {
		/* the sample: trend on track, none of today's recognitions
		 * left by 31/05/2030, 9 needed */
		{ "yes", 0, 9, 2 },
		{ "yes", 8, 9, 2 },
		{ "yes", 9, 9, 1 },
		{ "yes", 10, 9, 1 },
		{ "no", 0, 9, 3 },
		{ "no", 10, 9, 3 },
		{ "", 0, 9, 0 },
		{ "", 10, 9, 0 },
		{ "Yes", 10, 9, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(rpt_accr_verdict(cases[i].on_track,
						  cases[i].valid,
						  cases[i].required),
				 cases[i].want);
}

static void test_accr_levels(void **state)
{
	static const struct {
		const char *history, *want;
	} cases[] = {
		{ "2016-05-12 2/1; 2021-06-10 3/1",
		  "cấp độ 3, đạt chuẩn mức độ 1" },
		{ "2013-04-25 2/1; 2018-05-20 3/2; 2023-05-16 3/2",
		  "cấp độ 3, đạt chuẩn mức độ 2" },
		{ "2019-11-20 1/0", "cấp độ 1, chưa đạt chuẩn" },
		{ "2024-12-20 0/2", "đạt chuẩn mức độ 2" },
		{ "2024-12-20 0/0", "" },
		{ "2024-12-20 4/2 ", "cấp độ 4, đạt chuẩn mức độ 2" },
		/* the last entry is the one described */
		{ "2024-12-20 3/2; 2025-01-01 x/1", "" },
		{ "2024-12-20 12/1", "" },
		{ "2024-12-20 3/", "" },
		{ "2024-12-20 /1", "" },
		{ "2024-12-20", "" },
		{ "", "" },
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(rpt_accr_levels(cases[i].history, buf,
						    sizeof buf),
				    cases[i].want);
	assert_string_equal(rpt_accr_levels(NULL, buf, sizeof buf), "");
}

/* ------------------------------------------------------------ run info */

/* Counts of run_info.csv grouped by hand in the Vietnamese style (fmt.h:
 * '.' every three digits); what is not a plain count is kept as written. */
static void test_info_count(void **state)
{
	static const struct {
		const char *cell, *want;
	} cases[] = {
		{ "0", "0" },
		{ "10", "10" },
		{ "999", "999" },
		{ "1000", "1.000" },
		{ "1167", "1.167" },
		{ "1234567", "1.234.567" },
		{ "999999999999999999", "999.999.999.999.999.999" },
		/* 19 digits may not fit a long long: kept */
		{ "1234567890123456789", "1234567890123456789" },
		/* unknown */
		{ "", "—" },
		/* not a count: printed as the file says */
		{ "-3", "-3" },
		{ "12a", "12a" },
		{ " 12", " 12" },
		{ "1.5", "1.5" },
		{ "n/a", "n/a" },
	};
	char buf[64], small[4];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(rpt_info_count(cases[i].cell, buf,
						   sizeof buf),
				    cases[i].want);
	assert_string_equal(rpt_info_count(NULL, buf, sizeof buf), "—");
	/* truncated like snprintf */
	assert_string_equal(rpt_info_count("1167", small, sizeof small),
			    "1.1");
	assert_ptr_equal(rpt_info_count("7", buf, sizeof buf), buf);
}

static void test_info_hash(void **state)
{
	static const struct {
		const char *hex, *want;
	} cases[] = {
		/* sha256sum data/sample/schools.csv, as run_info.csv has it */
		{ "583abec76140a17faa846fabae15d611"
		  "1f263b843c553993fc45106a253304b1",
		  "583abec76140" },
		/* upper case is hex too, kept as written */
		{ "0418392A2DDB57F742C31815EDD67354"
		  "9FB92ACB04071EDE00333B4BC2837D7",
		  "0418392A2DDB" },
		{ "0123456789ab", "0123456789ab" },
		{ "", "—" },
		/* not a hash of twelve hex digits: as written */
		{ "0123456789a", "0123456789a" },
		{ "0123456789ag0000", "0123456789ag0000" },
		{ "unknown", "unknown" },
	};
	char buf[80], small[5];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(rpt_info_hash(cases[i].hex, buf,
						  sizeof buf),
				    cases[i].want);
	assert_string_equal(rpt_info_hash(NULL, buf, sizeof buf), "—");
	assert_string_equal(rpt_info_hash(cases[0].hex, small, sizeof small),
			    "583a");
}

static void test_info_table(void **state)
{
	static const struct {
		const char *key, *file;
		int ok;
	} cases[] = {
		{ "table:schools.csv:path", "schools.csv", 1 },
		{ "table:exam_scores.csv:path", "exam_scores.csv", 1 },
		{ "table:x:path", "x", 1 },
		/* the name is what lies between the first "table:" and the
		 * last ":path" */
		{ "table:a:b.csv:path", "a:b.csv", 1 },
		{ "table::path", "", 0 },
		{ "table:path", "", 0 },
		{ "table:schools.csv:sha256", "", 0 },
		{ "table:schools.csv:rows_read", "", 0 },
		{ "table:schools.csv:path ", "", 0 },
		{ "Table:schools.csv:path", "", 0 },
		{ "xtable:schools.csv:path", "", 0 },
		{ "tables", "", 0 },
		{ "input_dir", "", 0 },
		{ "", "", 0 },
	};
	char file[64], small[5];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(file, sizeof file, "%s", "");
		assert_int_equal(rpt_info_table(cases[i].key, file,
						sizeof file),
				 cases[i].ok);
		assert_string_equal(file, cases[i].file);
	}
	assert_int_equal(rpt_info_table(NULL, file, sizeof file), 0);
	assert_int_equal(rpt_info_table("table:schools.csv:path", small,
					sizeof small),
			 1);
	assert_string_equal(small, "scho");
}

/* ------------------------------------------------------------ report_run */

typedef struct fixture {
	char dir[64];
} fixture;

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void remove_tree(const char *path)
{
	struct stat sb;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode) && (d = opendir(path))) {
		while ((de = readdir(d))) {
			char sub[1024];

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static const char schools_csv[] =
	"school_id,name,level,ownership,commune,district,province,sites,"
	"sessions_per_day,region,src_line\n"
	"A1,Trường Tiểu học An Bình,tieu_hoc,cong_lap,Xã An Bình,"
	"Huyện Long Thành,Tỉnh Đồng Nai,1,2,3,2\n"
	"A2,Trường THCS An Bình,thcs,cong_lap,Xã An Bình,Huyện Long Thành,"
	"Tỉnh Đồng Nai,1,1,3,3\n";

static const char indicators_csv[] =
	"year,scope,indicator,value,numerator,denominator,ci_low,ci_high\n"
	"2023-2024,A1,classes,10,10,1,,\n"
	"2023-2024,all,promotion_rate,99,198,200,,\n"
	"2024-2025,A1,classes,11,11,1,,\n"
	"2024-2025,A1,students,385,385,1,,\n"
	"2024-2025,A1,promotion_rate,99.480519,383,385,,\n"
	"2024-2025,A2,classes,8,8,1,,\n"
	"2024-2025,level:tieu_hoc,promotion_rate,99.480519,383,385,,\n"
	"2024-2025,all,students,745,745,1,,\n"
	"2024-2025,all,classes,19,19,1,,\n"
	"2024-2025,all,promotion_rate,99.2,739,745,,\n";

static const char gaps_csv[] =
	"year,scope,indicator,op,target,actual,actual_year,basis,gap,status,"
	"deadline,trend_slope,projected,needed_per_year,on_track,source,"
	"src_line\n"
	"2024-2025,A1,promotion_rate,>=,99.5,99.480519,2024-2025,actual,"
	"-0.019481,not_met,,,,,,Kế hoạch 1,2\n"
	"2029-2030,all,promotion_rate,>=,99.5,99.2,2024-2025,baseline,-0.3,"
	"not_met,2030,0.2,100.2,0.06,yes,Nghị quyết 2,3\n";

static const char validation_csv[] =
	"severity,code,file,line,column,message\n"
	"warning,students_without_classes,in/enrollment.csv,5,20,"
	"98 students but 0 classes (expected at least one class)\n";

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	char clean[128];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/test_report.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(clean, sizeof clean, "%s/clean", f->dir);
	if (mkdir(clean, 0755) != 0)
		return -1;
	write_file(f->dir, "clean/schools.csv", schools_csv);
	write_file(f->dir, "indicators.csv", indicators_csv);
	write_file(f->dir, "gaps.csv", gaps_csv);
	write_file(f->dir, "validation.csv", validation_csv);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	remove_tree(f->dir);
	free(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static int contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

static int exists(const char *dir, const char *name)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return lstat(path, &sb) == 0;
}

static void test_run_ok(void **state)
{
	fixture *f = *state;
	report_options o;
	report_summary sum;
	char path[512], count[32];
	char *a, *b;
	size_t la = 0, lb = 0;
	ss_error e;

	report_options_init(&o);
	o.has_epoch = 1;
	o.epoch = 1748736000LL; /* 2025-06-01 */
	err_clear(&e);
	assert_int_equal(report_run(f->dir, &o, &sum, &e), SS_OK);
	assert_string_equal(sum.year, "2024-2025");
	assert_true(sum.pages >= 3); /* cover, body, appendix */
	assert_false(exists(f->dir, "report.pdf.tmp"));
	snprintf(path, sizeof path, "%s/report.pdf", f->dir);
	a = slurp(path, &la);
	assert_non_null(a);
	assert_true(la > 1000 && memcmp(a, "%PDF-1.", 7) == 0);
	/* the dates are the epoch's, never the clock's */
	assert_true(contains(a, la, "/CreationDate (20250601000000Z)"));
	assert_true(contains(a, la, "/ModDate (20250601000000Z)"));
	assert_true(contains(a, la, "/Title <FEFF"));
	assert_true(contains(a, la, "/Author <FEFF"));
	/* the page tree counts the pages the summary reports */
	snprintf(count, sizeof count, "/Count %d\n", sum.pages);
	assert_true(contains(a, la, count));
	/* the same inputs give the same bytes */
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_OK);
	b = slurp(path, &lb);
	assert_non_null(b);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(b);
	/* without SOURCE_DATE_EPOCH: 1 January of the year the newest school
	 * year ends in */
	o.has_epoch = 0;
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_OK);
	b = slurp(path, &lb);
	assert_non_null(b);
	assert_true(contains(b, lb, "/CreationDate (20250101000000Z)"));
	free(b);
	free(a);
	/* another year, another title and unit */
	o.year = "2023-2024";
	o.title = "Báo cáo nhanh";
	o.unit = "Phòng Giáo dục";
	assert_int_equal(report_run(f->dir, &o, &sum, &e), SS_OK);
	assert_string_equal(sum.year, "2023-2024");
	/* NULL options: the defaults */
	assert_int_equal(report_run(f->dir, NULL, &sum, &e), SS_OK);
	assert_string_equal(sum.year, "2024-2025");
}

static void test_run_bad_year(void **state)
{
	fixture *f = *state;
	report_options o;
	ss_error e;

	report_options_init(&o);
	err_clear(&e);
	o.year = "2024";
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_EUSAGE);
	assert_string_equal(e.msg, "bad school year '2024' (expected two "
				   "consecutive years such as 2024-2025)");
	o.year = "2019-2020";
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_EUSAGE);
	assert_string_equal(e.msg,
			    "no indicators for school year '2019-2020' "
			    "(expected a year from 2023-2024 to 2024-2025)");
	assert_false(exists(f->dir, "report.pdf"));
}

static void test_run_missing_schools(void **state)
{
	fixture *f = *state;
	char path[512];
	ss_error e;

	snprintf(path, sizeof path, "%s/clean/schools.csv", f->dir);
	assert_int_equal(unlink(path), 0);
	err_clear(&e);
	assert_int_equal(report_run(f->dir, NULL, NULL, &e), SS_EIO);
	assert_string_equal(e.file, path);
	assert_non_null(strstr(e.msg, "cannot open"));
	assert_false(exists(f->dir, "report.pdf"));
	/* a directory that does not exist at all */
	assert_int_equal(report_run("/nonexistent/x", NULL, NULL, &e), SS_EIO);
}

static void test_run_bad_tables(void **state)
{
	fixture *f = *state;
	char path[512];
	ss_error e;

	err_clear(&e);
	write_file(f->dir, "clean/schools.csv", "school_id,name\nA1,An\n");
	assert_int_equal(report_run(f->dir, NULL, NULL, &e), SS_EDATA);
	assert_int_equal(e.line, 1);
	assert_string_equal(e.msg, "missing column 'level' (expected it in the "
				   "header written by the pipeline)");
	write_file(f->dir, "clean/schools.csv", schools_csv);
	write_file(f->dir, "norms.csv", "year,scope,norm,value\n");
	assert_int_equal(report_run(f->dir, NULL, NULL, &e), SS_EDATA);
	snprintf(path, sizeof path, "%s/norms.csv", f->dir);
	assert_string_equal(e.file, path);
	assert_non_null(strstr(e.msg, "'limit'"));
	write_file(f->dir, "norms.csv",
		   "year,scope,norm,value,limit,status,shortfall\n");
	/* an unclosed quote: a malformed record, with its position */
	write_file(f->dir, "indicators.csv",
		   "year,scope,indicator,value,numerator,denominator\n"
		   "2024-2025,\"all,classes,1,1,1\n");
	assert_int_equal(report_run(f->dir, NULL, NULL, &e), SS_EDATA);
	assert_true(e.line >= 2);
	assert_false(exists(f->dir, "report.pdf"));
}

static void test_run_write_failures(void **state)
{
	fixture *f = *state;
	char path[512], tmp[512];
	ss_error e;

	snprintf(path, sizeof path, "%s/report.pdf", f->dir);
	snprintf(tmp, sizeof tmp, "%s/report.pdf.tmp", f->dir);
	err_clear(&e);
	/* the temporary name cannot be created */
	assert_int_equal(mkdir(tmp, 0755), 0);
	assert_int_equal(report_run(f->dir, NULL, NULL, &e), SS_EIO);
	assert_string_equal(e.file, tmp);
	assert_non_null(strstr(e.msg, "cannot create"));
	assert_false(exists(f->dir, "report.pdf"));
	rmdir(tmp);
	/* a full disk: nothing is left behind */
	if (access("/dev/full", W_OK) == 0) {
		assert_int_equal(symlink("/dev/full", tmp), 0);
		assert_int_equal(report_run(f->dir, NULL, NULL, &e), SS_EIO);
		assert_non_null(strstr(e.msg, "cannot write"));
		assert_false(exists(f->dir, "report.pdf"));
		assert_false(exists(f->dir, "report.pdf.tmp"));
	}
	/* the rename fails (report.pdf is a non-empty directory): the
	 * temporary file goes, the directory stays */
	assert_int_equal(mkdir(path, 0755), 0);
	write_file(f->dir, "report.pdf/keep", "x");
	assert_int_equal(report_run(f->dir, NULL, NULL, &e), SS_EIO);
	assert_non_null(strstr(e.msg, "cannot rename"));
	assert_false(exists(f->dir, "report.pdf.tmp"));
	assert_true(exists(f->dir, "report.pdf/keep"));
}

/* ------------------------------------------------------------ section IV */

static const char schedule_head[] =
	"reference_date,school_id,name,level,ownership,status,quality_level,"
	"standard_level,recognized_on,kind,rules,expires_on,register_by,"
	"days_to_register,next_action,action_by,next_due,plan_check,history,"
	"src_line\n";

/* A1 must register by 20/08/2025, A2 was never recognised. */
static const char schedule_rows[] =
	"2025-05-31,A1,Trường Tiểu học An Bình,tieu_hoc,cong_lap,valid,2,1,"
	"2021-01-20,first,2018,2026-01-20,2025-08-20,81,renewal,2025-08-20,"
	"2025-12-10,ok,2021-01-20 2/1,2\n"
	"2025-05-31,A2,Trường THCS An Bình,thcs,cong_lap,none,0,0,,,,,,,"
	"first_recognition,,,,,\n";

static const char traj_head[] =
	"scope,indicator,op,target,deadline,year,measured_on,basis,schools,"
	"required,path,valid_no_renewal,expiring,to_recognize,planned_valid,"
	"src_line\n";

static const char traj_rows[] =
	"all,standard_school_share,>=,100,2027,2024-2025,2025-05-31,actual,2,"
	"2,1,1,0,0,1,4\n"
	"all,standard_school_share,>=,100,2027,2025-2026,2026-05-31,plan,2,2,"
	"2,0,1,2,2,4\n"
	"all,standard_school_share,>=,100,2027,2026-2027,2027-05-31,plan,2,2,"
	"2,0,0,0,2,4\n";

static const char traj_public_rows[] =
	"all,standard_school_share_public,>=,100,2027,2024-2025,2025-05-31,"
	"actual,2,2,1,1,0,0,1,5\n"
	"all,standard_school_share_public,>=,100,2027,2025-2026,2026-05-31,"
	"plan,2,2,2,0,1,2,2,5\n";

static const char accr_indicators[] =
	"2024-2025,all,standard_school_share,50,1,2,,\n"
	"2024-2025,all,standard_school_share:1,50,1,2,,\n"
	"2024-2025,all,standard_school_share:2,0,0,2,,\n"
	"2024-2025,all,standard_school_share_public,50,1,2,,\n"
	"2024-2025,all,quality_level_share,50,1,2,,\n"
	"2024-2025,all,quality_level_share:2,50,1,2,,\n"
	"2024-2025,all,accreditation_valid,1,1,1,,\n"
	"2024-2025,all,accreditation_expiring,0,0,1,,\n"
	"2024-2025,all,accreditation_expired,0,0,1,,\n"
	"2024-2025,all,accreditation_overdue,0,0,1,,\n"
	"2024-2025,level:tieu_hoc,standard_school_share,100,1,1,,\n"
	"2024-2025,level:thcs,standard_school_share,0,0,1,,\n";

/* The fixture plus a register, its schedule and trajectory and the
 * accreditation indicators. */
static void write_accr(const fixture *f)
{
	char ind[4096], sched[4096], traj[2048];

	snprintf(ind, sizeof ind, "%s%s", indicators_csv, accr_indicators);
	snprintf(sched, sizeof sched, "%s%s", schedule_head, schedule_rows);
	snprintf(traj, sizeof traj, "%s%s", traj_head, traj_rows);
	write_file(f->dir, "indicators.csv", ind);
	write_file(f->dir, "accreditation_schedule.csv", sched);
	write_file(f->dir, "accreditation_trajectory.csv", traj);
	write_file(f->dir, "clean/accreditation.csv",
		   "school_id,quality_level,standard_level,recognized_on,kind,"
		   "next_due,note,src_line\n"
		   "A1,2,1,2021-01-20,first,2025-12-10,,2\n");
}

typedef struct section_result {
	int tables, figures, pages;
	ss_status status;
	ss_error err;
} section_result;

/* Lays section IV out alone on a surface that discards its bytes. */
static void run_section(const char *dir, section_result *out)
{
	report_options o;
	cairo_surface_t *s;
	rdata r;
	rctx c;
	rdoc d;
	ss_error e;

	memset(out, 0, sizeof *out);
	report_options_init(&o);
	rdata_init(&r);
	err_clear(&e);
	assert_int_equal(rdata_load(&r, dir, &o, &e), SS_OK);
	memset(&c, 0, sizeof c);
	c.r = &r;
	c.opt = &o;
	snprintf(c.all, sizeof c.all, "%s", report_all_label(r.unit));
	s = cairo_pdf_surface_create_for_stream(discard, NULL, RPT_PAGE_W,
						RPT_PAGE_H);
	rdoc_init(&d, s, 0, NULL);
	c.d = &d;
	rdoc_new_page(&d);
	rpt_section_accr(&c);
	out->tables = d.tables;
	out->figures = d.figures;
	out->pages = d.page;
	out->status = d.status;
	out->err = d.err;
	rdoc_finish(&d);
	rdoc_release(&d);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
	rdata_release(&r);
}

/* What the section draws for each state of the accreditation files. */
static void test_section_accr(void **state)
{
	fixture *f = *state;
	char path[512], text[8192];
	section_result res;
	size_t i, pos;

	write_accr(f);
	/* everything: the level table, the schools that must act, one path;
	 * the level chart and one page of timeline */
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.tables, 3);
	assert_int_equal(res.figures, 2);
	/* two targets: a path table each */
	snprintf(text, sizeof text, "%s%s%s", traj_head, traj_rows,
		 traj_public_rows);
	write_file(f->dir, "accreditation_trajectory.csv", text);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.tables, 4);
	/* no target with a deadline: no path table */
	write_file(f->dir, "accreditation_trajectory.csv", traj_head);
	run_section(f->dir, &res);
	assert_int_equal(res.tables, 2);
	/* no trajectory file: said, the rest is drawn */
	snprintf(path, sizeof path, "%s/accreditation_trajectory.csv", f->dir);
	assert_int_equal(unlink(path), 0);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.tables, 2);
	assert_int_equal(res.figures, 2);
	/* 17 schools: the timeline takes two figures */
	pos = (size_t)snprintf(text, sizeof text, "%s", schedule_head);
	for (i = 0; i < 17 && pos < sizeof text; i++)
		pos += (size_t)snprintf(
			text + pos, sizeof text - pos,
			"2025-05-31,S%zu,Trường số %zu,tieu_hoc,cong_lap,valid,"
			"2,1,2022-03-%02zu,first,2018,2027-03-%02zu,"
			"2026-10-%02zu,400,none,,,,2022-03-%02zu 2/1,%zu\n",
			i, i, i + 1, i + 1, i + 1, i + 1, i + 2);
	write_file(f->dir, "accreditation_schedule.csv", text);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.figures, 3);
	/* nobody has to act: no table of schools */
	assert_int_equal(res.tables, 1);
	/* without the accreditation indicators: no level table */
	snprintf(text, sizeof text, "%s%s", schedule_head, schedule_rows);
	write_file(f->dir, "accreditation_schedule.csv", text);
	write_file(f->dir, "indicators.csv", indicators_csv);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.tables, 1);
	assert_int_equal(res.figures, 2);
	/* no register in the input: one line, nothing else */
	snprintf(path, sizeof path, "%s/clean/accreditation.csv", f->dir);
	assert_int_equal(unlink(path), 0);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.tables, 0);
	assert_int_equal(res.figures, 0);
	/* no schedule: one line */
	write_accr(f);
	snprintf(path, sizeof path, "%s/accreditation_schedule.csv", f->dir);
	assert_int_equal(unlink(path), 0);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.tables, 0);
	assert_int_equal(res.figures, 0);
	assert_int_equal(res.pages, 1);
}

/* A malformed schedule or trajectory stops the report with its position. */
static void test_section_accr_errors(void **state)
{
	fixture *f = *state;
	char path[512], text[4096];
	section_result res;

	write_accr(f);
	snprintf(path, sizeof path, "%s/accreditation_schedule.csv", f->dir);
	/* a column only this section reads */
	snprintf(text, sizeof text, "%s%s", schedule_head, schedule_rows);
	memcpy(strstr(text, "next_action"), "next_actiom", 11);
	write_file(f->dir, "accreditation_schedule.csv", text);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_EDATA);
	assert_string_equal(res.err.file, path);
	assert_int_equal(res.err.line, 1);
	assert_string_equal(res.err.msg,
			    "missing column 'next_action' (expected it in the "
			    "header written by the pipeline)");
	/* a cell the charts cannot read, on line 2 */
	snprintf(text, sizeof text, "%s%s", schedule_head, schedule_rows);
	memcpy(strstr(text, ",valid,"), ",vaIid,", 7);
	write_file(f->dir, "accreditation_schedule.csv", text);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_EDATA);
	assert_string_equal(res.err.file, path);
	assert_int_equal(res.err.line, 2);
	assert_non_null(strstr(res.err.msg, "'vaIid'"));
	/* the trajectory without a column */
	snprintf(text, sizeof text, "%s%s", schedule_head, schedule_rows);
	write_file(f->dir, "accreditation_schedule.csv", text);
	snprintf(text, sizeof text, "%s%s", traj_head, traj_rows);
	memcpy(strstr(text, "to_recognize"), "to_recognise", 12);
	write_file(f->dir, "accreditation_trajectory.csv", text);
	snprintf(path, sizeof path, "%s/accreditation_trajectory.csv", f->dir);
	run_section(f->dir, &res);
	assert_int_equal(res.status, SS_EDATA);
	assert_string_equal(res.err.file, path);
	assert_string_equal(res.err.msg,
			    "missing column 'to_recognize' (expected it in the "
			    "header written by the pipeline)");
	/* through report_run: the error, and no report */
	err_clear(&res.err);
	assert_int_equal(report_run(f->dir, NULL, NULL, &res.err), SS_EDATA);
	assert_string_equal(res.err.file, path);
	assert_false(exists(f->dir, "report.pdf"));
	assert_false(exists(f->dir, "report.pdf.tmp"));
}

/* The whole report with the section: written, and the same bytes again. */
static void test_run_accr(void **state)
{
	fixture *f = *state;
	report_options o;
	report_summary sum, plain;
	char path[512];
	char *a, *b;
	size_t la = 0, lb = 0;
	ss_error e;

	report_options_init(&o);
	o.has_epoch = 1;
	o.epoch = 1748736000LL;
	err_clear(&e);
	assert_int_equal(report_run(f->dir, &o, &plain, &e), SS_OK);
	write_accr(f);
	assert_int_equal(report_run(f->dir, &o, &sum, &e), SS_OK);
	/* three tables and two charts take pages of their own */
	assert_true(sum.pages >= plain.pages + 2);
	snprintf(path, sizeof path, "%s/report.pdf", f->dir);
	a = slurp(path, &la);
	assert_non_null(a);
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_OK);
	b = slurp(path, &lb);
	assert_non_null(b);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

/* ------------------------------------------------------------ run info */

/* As schoolstat-run writes it (include/run.h), for two tables; the
 * enrollment table's rows_rejected unknown. */
static const char run_info_csv[] =
	"key,value\n"
	"program,schoolstat-run\n"
	"version,0.1.0\n"
	"input_dir,data/sample\n"
	"norms,data/norms.csv\n"
	"norms_sha256,"
	"04183920a2ddb57f742c31815edd673549fb92acb04071ede00333b4bc2837d7\n"
	"validation_errors,3\n"
	"validation_warnings,49\n"
	"rejected_rows,3\n"
	"tables,2\n"
	"table:schools.csv:path,data/sample/schools.csv\n"
	"table:schools.csv:sha256,"
	"583abec76140a17faa846fabae15d6111f263b843c553993fc45106a253304b1\n"
	"table:schools.csv:rows_read,10\n"
	"table:schools.csv:rows_accepted,10\n"
	"table:schools.csv:rows_rejected,0\n"
	"table:enrollment.csv:path,\"data/in, 2025/enrollment.csv\"\n"
	"table:enrollment.csv:sha256,"
	"7c58c5f7eee0a45a4fb9abe4b818ae42ad2d3236fd73fdda693871f5ef1e1423\n"
	"table:enrollment.csv:rows_read,1206\n"
	"table:enrollment.csv:rows_accepted,1205\n"
	"table:enrollment.csv:rows_rejected,\n";

typedef struct info_result {
	int tables, pages, mark;
	ss_status status;
} info_result;

/* Lays the run-information page out alone (no page before it). */
static void run_info_section(const char *dir, info_result *out)
{
	report_options o;
	cairo_surface_t *s;
	rdata r;
	rctx c;
	rdoc d;
	ss_error e;

	memset(out, 0, sizeof *out);
	report_options_init(&o);
	rdata_init(&r);
	err_clear(&e);
	assert_int_equal(rdata_load(&r, dir, &o, &e), SS_OK);
	memset(&c, 0, sizeof c);
	c.r = &r;
	c.opt = &o;
	s = cairo_pdf_surface_create_for_stream(discard, NULL, RPT_PAGE_W,
						RPT_PAGE_H);
	rdoc_init(&d, s, 0, NULL);
	c.d = &d;
	rpt_section_runinfo(&c);
	out->tables = d.tables;
	out->pages = d.page;
	out->mark = d.marks[MARK_RUNINFO];
	out->status = d.status;
	rdoc_finish(&d);
	rdoc_release(&d);
	cairo_surface_finish(s);
	cairo_surface_destroy(s);
	rdata_release(&r);
}

/* The file read as key -> value: quoted cells, empty values, a repeated
 * key (the first wins), absent keys and an absent file. */
static void test_rdata_info(void **state)
{
	fixture *f = *state;
	report_options o;
	rdata r;
	ss_error e;
	char text[4096];

	report_options_init(&o);
	err_clear(&e);
	rdata_init(&r);
	assert_int_equal(rdata_load(&r, f->dir, &o, &e), SS_OK);
	assert_int_equal(r.has_info, 0);
	assert_null(rdata_info(&r, "program"));
	rdata_release(&r);
	snprintf(text, sizeof text, "%sprogram,other\n", run_info_csv);
	write_file(f->dir, "run_info.csv", text);
	rdata_init(&r);
	assert_int_equal(rdata_load(&r, f->dir, &o, &e), SS_OK);
	assert_int_equal(r.has_info, 1);
	assert_string_equal(rdata_info(&r, "program"), "schoolstat-run");
	assert_string_equal(rdata_info(&r, "input_dir"), "data/sample");
	assert_string_equal(rdata_info(&r, "table:enrollment.csv:path"),
			    "data/in, 2025/enrollment.csv");
	assert_string_equal(rdata_info(&r, "table:enrollment.csv:rows_read"),
			    "1206");
	assert_string_equal(
		rdata_info(&r, "table:enrollment.csv:rows_rejected"), "");
	assert_null(rdata_info(&r, "table:targets.csv:path"));
	assert_null(rdata_info(&r, "key"));   /* the header is no row */
	rdata_release(&r);
}

/* The page: one table of the input files, after a page of its own; a
 * file without tables gives no table; no file, no page. */
/* Every indicators.csv row of dir as rdata reads it against ctable's
 * reading of the same file: the first row of each (year, scope,
 * indicator) is found, with the numbers ctable_get_double gives. */
static void check_against_ctable(const char *dir)
{
	char path[512];
	report_options o;
	ctable t;
	rdata r;
	rval none;
	ss_error e;
	size_t i, j;

	snprintf(path, sizeof path, "%s/indicators.csv", dir);
	report_options_init(&o);
	rdata_init(&r);
	err_clear(&e);
	assert_int_equal(rdata_load(&r, dir, &o, &e), SS_OK);
	assert_int_equal(ctable_load(&t, path, &e), SS_OK);
	assert_int_equal(r.nind, t.nrows);
	for (i = 0; i < t.nrows; i++) {
		const char *y = ctable_get(&t, i, ctable_col(&t, "year"));
		const char *sc = ctable_get(&t, i, ctable_col(&t, "scope"));
		const char *in = ctable_get(&t, i, ctable_col(&t, "indicator"));
		static const char *const num[3] = { "value", "numerator",
						    "denominator" };
		double want[3], got[3];
		int has[3];
		rval v;

		for (j = 0; j < i; j++)
			if (!strcmp(ctable_get(&t, j, 0), ctable_get(&t, i, 0)) &&
			    !strcmp(ctable_get(&t, j, 1), ctable_get(&t, i, 1)) &&
			    !strcmp(ctable_get(&t, j, 2), ctable_get(&t, i, 2)))
				break;
		if (j < i)
			continue; /* a later duplicate: the first one counts */
		assert_int_equal(rdata_ind(&r, y, sc, in, &v), 1);
		for (j = 0; j < 3; j++) {
			has[j] = ctable_get_double(&t, i, ctable_col(&t, num[j]),
						   &want[j]) == 1;
		}
		assert_int_equal(v.has_value, has[0]);
		assert_int_equal(v.has_num, has[1]);
		assert_int_equal(v.has_den, has[2]);
		got[0] = v.value;
		got[1] = v.num;
		got[2] = v.den;
		for (j = 0; j < 3; j++)
			if (has[j])
				assert_memory_equal(&got[j], &want[j],
						    sizeof got[j]);
	}
	assert_int_equal(rdata_ind(&r, "2024-2025", "all", "nothing", &none),
			 0);
	assert_false(none.has_value);
	ctable_release(&t);
	rdata_release(&r);
}

/* indicators.csv as the stages write it is read directly, anything else
 * (BOM, CRLF, quotes, blank lines) through ctable: the same values either
 * way, numbers parsed exactly as strtod does. */
static void test_rdata_read_forms(void **state)
{
	static const char head[] =
		"year,scope,indicator,value,numerator,denominator,ci_low,"
		"ci_high\n";
	static const char body[] =
		"2024-2025,all,students,745,745,1,,\n"
		"2024-2025,all,a,1e3,0.1,-0,,\n"
		"2024-2025,all,b, 5,.5,5.,,\n"
		"2024-2025,all,c,123456789012345678,1.2.3,inf,,\n"
		"2024-2025,all,d,nan,0x10,99.480519,,\n"
		"2024-2025,all,e,-0.019481,1234567890.12345,"
		"0.30000000000000004,,\n"
		"2024-2025,all,f,-,+7,1e-400,,\n"
		"2024-2025,all,g,000000000000000012.5,9007199254740993,"
		"0.1234567890123456,,\n"
		"2024-2025,Trường Đắk Ơ,students,12,,,,\n"
		"2024-2025,all,students,999,1,1,,\n"
		"2023-2024,all,students,700,700,1,,\n";
	fixture *f = *state;
	char buf[4096], crlf[8192];
	size_t i, n = 0;

	/* as the stages write it */
	snprintf(buf, sizeof buf, "%s%s", head, body);
	write_file(f->dir, "indicators.csv", buf);
	check_against_ctable(f->dir);
	/* no line feed at the end */
	buf[strlen(buf) - 1] = '\0';
	write_file(f->dir, "indicators.csv", buf);
	check_against_ctable(f->dir);
	/* a BOM */
	snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s%s", head, body);
	write_file(f->dir, "indicators.csv", buf);
	check_against_ctable(f->dir);
	/* CRLF */
	snprintf(buf, sizeof buf, "%s%s", head, body);
	for (i = 0; buf[i]; i++) {
		if (buf[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = buf[i];
	}
	crlf[n] = '\0';
	write_file(f->dir, "indicators.csv", crlf);
	check_against_ctable(f->dir);
	/* quotes and a blank line */
	snprintf(buf, sizeof buf,
		 "%s\"2024-2025\",\"all\",\"students\",\"745\",745,1,,\n\n%s",
		 head, body);
	write_file(f->dir, "indicators.csv", buf);
	check_against_ctable(f->dir);
}

/* A malformed table is reported as ctable reports it, and of two
 * malformed tables the one read first in the stage's order. */
static void test_rdata_bad_forms(void **state)
{
	fixture *f = *state;
	char path[512], hist[512];
	report_options o;
	ctable t;
	rdata r;
	rworker w;
	ss_error e, want;
	int helper;

	report_options_init(&o);
	snprintf(path, sizeof path, "%s/indicators.csv", f->dir);
	snprintf(hist, sizeof hist, "%s/exam_histograms.csv", f->dir);
	/* a short row, then invalid UTF-8 */
	write_file(f->dir, "indicators.csv",
		   "year,scope,indicator,value,numerator,denominator\n"
		   "2024-2025,all,students,1,1,1\n"
		   "2024-2025,all,classes\n");
	for (helper = 0; helper < 2; helper++) {
		rworker_init(&w);
		if (helper)
			assert_int_equal(rworker_start(&w), 0);
		err_clear(&want);
		assert_int_equal(ctable_load(&t, path, &want), SS_EDATA);
		ctable_release(&t);
		rdata_init(&r);
		err_clear(&e);
		assert_int_equal(rdata_load_with(&r, f->dir, &o, &w, &e),
				 SS_EDATA);
		assert_string_equal(e.file, want.file);
		assert_int_equal(e.line, want.line);
		assert_int_equal(e.column, want.column);
		assert_string_equal(e.msg, want.msg);
		rdata_release(&r);
		/* exam_histograms.csv is read after indicators.csv */
		write_file(f->dir, "exam_histograms.csv",
			   "year,scope,subject\n\"2024-2025,all,toan\n");
		rdata_init(&r);
		assert_int_equal(rdata_load_with(&r, f->dir, &o, &w, &e),
				 SS_EDATA);
		assert_string_equal(e.file, path);
		rdata_release(&r);
		/* clean/exam_hist.csv before both */
		write_file(f->dir, "clean/exam_hist.csv",
			   "year,exam\n2024-2025,tn_thpt\n2024-2025\xff,x\n");
		rdata_init(&r);
		assert_int_equal(rdata_load_with(&r, f->dir, &o, &w, &e),
				 SS_EDATA);
		assert_non_null(strstr(e.file, "clean/exam_hist.csv"));
		assert_int_equal(e.line, 3);
		rdata_release(&r);
		rworker_release(&w);
		write_file(f->dir, "clean/exam_hist.csv", "year,exam\n");
		unlink(hist);
	}
	/* a missing column of a streamed table */
	write_file(f->dir, "indicators.csv", indicators_csv);
	write_file(f->dir, "exam_histograms.csv",
		   "year,scope,subject,bin_width,bin_low,count\n");
	rdata_init(&r);
	assert_int_equal(rdata_load(&r, f->dir, &o, &e), SS_EDATA);
	assert_string_equal(e.file, hist);
	assert_int_equal(e.line, 1);
	assert_string_equal(e.msg, "missing column 'bin_high' (expected it in "
				   "the header written by the pipeline)");
	rdata_release(&r);
}

/* The exam tables read on the helper give what they give read in turn:
 * the exam of the year and the scope "all" bins. */
static void test_rdata_exam_tables(void **state)
{
	fixture *f = *state;
	report_options o;
	rdata a, b;
	rworker w;
	ss_error e;
	size_t i;

	write_file(f->dir, "clean/exam_hist.csv",
		   "year,exam,school_id,subject\n"
		   "2023-2024,tn_thpt,A1,toan\n"
		   "2024-2025,,A1,toan\n"
		   "2024-2025,tuyen_sinh_10,A1,toan\n"
		   "2024-2025,tuyen_sinh_10,A2,van\n");
	write_file(f->dir, "clean/exam_summary.csv",
		   "year,exam,school_id\n2024-2025,tn_thpt,A1\n"
		   "2024-2025,tuyen_sinh_10,A2\n");
	write_file(f->dir, "exam_histograms.csv",
		   "year,scope,subject,bin_width,bin_low,bin_high,count\n"
		   "2024-2025,all,toan,0.25,0,0.25,3\n"
		   "2024-2025,A1,toan,0.25,0,0.25,1\n"
		   "2024-2025,all,toan,0.25,0.25,0.5,x\n"
		   "2024-2025,all,van,1,0,1,7\n");
	report_options_init(&o);
	rdata_init(&a);
	rdata_init(&b);
	rworker_init(&w);
	assert_int_equal(rworker_start(&w), 0);
	assert_int_equal(rdata_load(&a, f->dir, &o, &e), SS_OK);
	assert_int_equal(rdata_load_with(&b, f->dir, &o, &w, &e), SS_OK);
	rworker_release(&w);
	assert_int_equal(a.nhist, 3);
	assert_int_equal(b.nhist, 3);
	for (i = 0; i < a.nhist; i++) {
		assert_string_equal(rdata_aux_str(&a, a.hist[i].subject),
				    rdata_aux_str(&b, b.hist[i].subject));
		assert_int_equal(a.hist[i].has_count, b.hist[i].has_count);
		assert_true(a.hist[i].low == b.hist[i].low);
	}
	assert_false(a.hist[1].has_count);
	assert_int_equal(a.exams[0].n, 2);
	assert_string_equal(rdata_aux_str(&a, a.exams[0].item[1].year),
			    "2024-2025");
	assert_string_equal(rdata_aux_str(&a, a.exams[0].item[1].exam),
			    "tuyen_sinh_10");
	assert_false(a.exams[0].item[1].many);
	assert_true(a.exams[1].item[0].many);
	assert_int_equal(b.exams[0].n, 2);
	assert_int_equal(b.exams[1].n, 1);
	rdata_release(&a);
	rdata_release(&b);
}

static void test_section_runinfo(void **state)
{
	fixture *f = *state;
	info_result res;

	run_info_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.pages, 0);
	assert_int_equal(res.tables, 0);
	assert_int_equal(res.mark, 0);
	write_file(f->dir, "run_info.csv", run_info_csv);
	run_info_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.pages, 1);
	assert_int_equal(res.mark, 1);
	assert_int_equal(res.tables, 1);
	/* only the header and the totals: no table, still a page */
	write_file(f->dir, "run_info.csv",
		   "key,value\nprogram,schoolstat-run\nversion,\n"
		   "validation_errors,\ntables,0\n");
	run_info_section(f->dir, &res);
	assert_int_equal(res.status, SS_OK);
	assert_int_equal(res.pages, 1);
	assert_int_equal(res.tables, 0);
}

/* Through report_run: one page more with the file, the same bytes again,
 * as before without it; a malformed file stops the report. */
static void test_run_info_page(void **state)
{
	fixture *f = *state;
	report_options o;
	report_summary plain, sum;
	char path[512], info[512];
	char *a, *b, *c0;
	size_t la = 0, lb = 0, lc = 0;
	ss_error e;

	report_options_init(&o);
	o.has_epoch = 1;
	o.epoch = 1748736000LL;
	err_clear(&e);
	snprintf(path, sizeof path, "%s/report.pdf", f->dir);
	snprintf(info, sizeof info, "%s/run_info.csv", f->dir);
	assert_int_equal(report_run(f->dir, &o, &plain, &e), SS_OK);
	c0 = slurp(path, &lc);
	assert_non_null(c0);
	write_file(f->dir, "run_info.csv", run_info_csv);
	assert_int_equal(report_run(f->dir, &o, &sum, &e), SS_OK);
	assert_int_equal(sum.pages, plain.pages + 1);
	a = slurp(path, &la);
	assert_non_null(a);
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_OK);
	b = slurp(path, &lb);
	assert_non_null(b);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	/* gone again: the report is the one without it, byte for byte (no
	 * contents entry either) */
	assert_int_equal(unlink(info), 0);
	assert_int_equal(report_run(f->dir, &o, &sum, &e), SS_OK);
	assert_int_equal(sum.pages, plain.pages);
	b = slurp(path, &lb);
	assert_non_null(b);
	assert_int_equal(lb, lc);
	assert_memory_equal(b, c0, lc);
	free(b);
	free(c0);
	/* a header without "value" */
	write_file(f->dir, "run_info.csv", "key,val\nprogram,schoolstat-run\n");
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_EDATA);
	assert_string_equal(e.file, info);
	assert_int_equal(e.line, 1);
	assert_string_equal(e.msg, "missing column 'value' (expected it in the "
				   "header written by the pipeline)");
	/* an unclosed quote */
	write_file(f->dir, "run_info.csv",
		   "key,value\nprogram,schoolstat-run\ninput_dir,\"data\n");
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_EDATA);
	assert_string_equal(e.file, info);
	assert_true(e.line >= 3);
	/* unreadable: a directory by that name */
	assert_int_equal(unlink(info), 0);
	assert_int_equal(mkdir(info, 0755), 0);
	assert_int_equal(report_run(f->dir, &o, NULL, &e), SS_EIO);
	assert_false(exists(f->dir, "report.pdf.tmp"));
	assert_int_equal(rmdir(info), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indicator_labels),
		cmocka_unit_test(test_catalogue_complete),
		cmocka_unit_test(test_label_truncation),
		cmocka_unit_test(test_code_tables),
		cmocka_unit_test(test_format_value),
		cmocka_unit_test(test_format_parts),
		cmocka_unit_test(test_format_gap_target),
		cmocka_unit_test(test_places),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_parse_epoch),
		cmocka_unit_test(test_rows_fit),
		cmocka_unit_test(test_paginate_uniform),
		cmocka_unit_test(test_paginate_widow),
		cmocka_unit_test(test_paginate_fresh_and_tall),
		cmocka_unit_test(test_paginate_property),
		cmocka_unit_test(test_column_widths),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_layout_wrap),
		cmocka_unit_test(test_layout_table_pages),
		cmocka_unit_test(test_layout_figure),
		cmocka_unit_test(test_layout_cache),
		cmocka_unit_test(test_worker),
		cmocka_unit_test(test_layout_helper_same_bytes),
		cmocka_unit_test(test_rpool),
		cmocka_unit_test(test_accr_date),
		cmocka_unit_test(test_accr_todo),
		cmocka_unit_test(test_accr_deadline_order),
		cmocka_unit_test(test_accr_verdict),
		cmocka_unit_test(test_accr_levels),
		cmocka_unit_test(test_info_count),
		cmocka_unit_test(test_info_hash),
		cmocka_unit_test(test_info_table),
		cmocka_unit_test_setup_teardown(test_run_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_bad_year, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_missing_schools, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_bad_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_write_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_section_accr, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_section_accr_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_accr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rdata_info, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rdata_read_forms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rdata_bad_forms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rdata_exam_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_section_runinfo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_info_page, setup,
						teardown),
	};

	int failed;

	gsl_set_error_handler_off();
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	chart_fonts_release();
	return failed;
}
