/* Tests for fmt: Vietnamese number style. Expected strings are written by
 * hand from the rules in fmt.h (thousands '.', decimal ',', half away from
 * zero on the exact double). */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fmt.h"

typedef struct real_case {
	double v;
	int decimals;
	const char *want;
} real_case;

static const real_case number_cases[] = {
	{ 0.0, 0, "0" },
	{ 0.0, 2, "0,00" },
	{ -0.0, 1, "0,0" },
	{ 4.95, 2, "4,95" },
	{ 1062.0, 0, "1.062" },
	{ 1062.5, 1, "1.062,5" },
	{ 999.0, 0, "999" },
	{ 1000.0, 0, "1.000" },
	{ 999999.5, 0, "1.000.000" },      /* carry through every digit */
	{ 1234567.891, 2, "1.234.567,89" },
	{ 12345678901234.0, 0, "12.345.678.901.234" },
	{ 1e20, 0, "100.000.000.000.000.000.000" },
	{ -1234.5, 1, "-1.234,5" },
	{ -1234.56, 1, "-1.234,6" },
	{ -0.04, 1, "0,0" },               /* rounds to zero: no sign */
	{ -0.05, 1, "-0,1" },              /* -0.05000000000000000277 */
	{ 2.5, 0, "3" },                   /* exact tie: away from zero */
	{ -2.5, 0, "-3" },
	{ 0.125, 2, "0,13" },              /* exact tie */
	{ 1.005, 2, "1,00" },              /* the double is below the tie */
	{ 99.95, 1, "100,0" },             /* the double is above the tie */
	{ 99.94, 1, "99,9" },
	{ 9.995, 2, "9,99" },              /* 9.99499999999999957 */
	{ 0.1 + 0.2, 2, "0,30" },
	{ 1.0 / 3.0, 9, "0,333333333" },
	{ 1.0 / 3.0, 20, "0,333333333" },  /* clamped to FMT_MAX_DECIMALS */
	{ 7.0, -3, "7" },                  /* clamped to 0 */
	{ 0.5, 0, "1" },
	{ 0.49999999999999994, 0, "0" },   /* largest double below 0.5 */
};

static void test_fmt_number_table(void **state)
{
	char buf[FMT_BUF_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof number_cases / sizeof number_cases[0]; i++) {
		const real_case *c = &number_cases[i];

		fmt_number(c->v, c->decimals, buf, sizeof buf);
		if (strcmp(buf, c->want) != 0)
			fail_msg("case %zu: fmt_number(%.17g, %d) = '%s', want '%s'",
				 i, c->v, c->decimals, buf, c->want);
	}
}

static const real_case trim_cases[] = {
	{ 98.0, 2, "98" },
	{ 97.5, 2, "97,5" },
	{ 1.25, 1, "1,3" },
	{ 1.9, 3, "1,9" },
	{ 2.25, 2, "2,25" },
	{ 1000.0, 2, "1.000" },            /* zeros of the integer part stay */
	{ -0.001, 2, "0" },
	{ 0.999, 2, "1" },
};

static void test_fmt_number_trim_table(void **state)
{
	char buf[FMT_BUF_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof trim_cases / sizeof trim_cases[0]; i++) {
		const real_case *c = &trim_cases[i];

		fmt_number_trim(c->v, c->decimals, buf, sizeof buf);
		if (strcmp(buf, c->want) != 0)
			fail_msg("case %zu: fmt_number_trim(%.17g, %d) = '%s', want '%s'",
				 i, c->v, c->decimals, buf, c->want);
	}
}

static const real_case percent_cases[] = {
	{ 99.94, 1, "99,9%" },
	{ 99.95, 1, "100,0%" },
	{ 100.0, 1, "100,0%" },
	{ 0.0, 1, "0,0%" },
	{ 12.345, 2, "12,35%" },           /* 12.3450000000000006 */
	{ 5.0, 0, "5%" },
	{ -3.25, 1, "-3,3%" },
	{ 1500.0, 0, "1.500%" },
};

static void test_fmt_percent_table(void **state)
{
	char buf[FMT_BUF_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof percent_cases / sizeof percent_cases[0]; i++) {
		const real_case *c = &percent_cases[i];

		fmt_percent(c->v, c->decimals, buf, sizeof buf);
		if (strcmp(buf, c->want) != 0)
			fail_msg("case %zu: fmt_percent(%.17g, %d) = '%s', want '%s'",
				 i, c->v, c->decimals, buf, c->want);
	}
	assert_string_equal(fmt_percent_trim(98.0, 1, buf, sizeof buf), "98%");
	/* 97.55 is stored as 97.54999999999999716 */
	assert_string_equal(fmt_percent_trim(97.55, 1, buf, sizeof buf),
			    "97,5%");
}

typedef struct count_case {
	long long v;
	const char *want;
} count_case;

static const count_case count_cases[] = {
	{ 0, "0" },
	{ 7, "7" },
	{ 999, "999" },
	{ 1000, "1.000" },
	{ 1062, "1.062" },
	{ 123456, "123.456" },
	{ 1234567, "1.234.567" },
	{ -1062, "-1.062" },
	{ -999, "-999" },
	{ LLONG_MAX, "9.223.372.036.854.775.807" },
	{ LLONG_MIN, "-9.223.372.036.854.775.808" },
};

static void test_fmt_count_table(void **state)
{
	char buf[FMT_BUF_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof count_cases / sizeof count_cases[0]; i++) {
		fmt_count(count_cases[i].v, buf, sizeof buf);
		if (strcmp(buf, count_cases[i].want) != 0)
			fail_msg("case %zu: fmt_count(%lld) = '%s', want '%s'", i,
				 count_cases[i].v, buf, count_cases[i].want);
	}
}

static void test_fmt_non_finite(void **state)
{
	char buf[FMT_BUF_SIZE] = "junk";

	(void)state;
	assert_string_equal(fmt_number(NAN, 2, buf, sizeof buf), "");
	strcpy(buf, "junk");
	assert_string_equal(fmt_number(INFINITY, 0, buf, sizeof buf), "");
	strcpy(buf, "junk");
	assert_string_equal(fmt_percent(-INFINITY, 1, buf, sizeof buf), "");
}

/* Small buffers truncate like snprintf and stay NUL-terminated; the
 * largest double still formats without overflowing the work buffers. */
static void test_fmt_truncation(void **state)
{
	char small[5];
	char big[512];

	(void)state;
	assert_string_equal(fmt_count(1234567, small, sizeof small), "1.23");
	assert_string_equal(fmt_number(1062.5, 1, small, sizeof small),
			    "1.06");
	assert_string_equal(fmt_percent(99.9, 1, small, 1), "");
	fmt_number(1.7976931348623157e308, 9, big, sizeof big);
	/* 309 digits in 103 groups of three, 102 dots, ',' and 9 zeros. */
	assert_int_equal(strlen(big), 309 + 102 + 1 + 9);
	assert_memory_equal(big, "179.769.313", 11);
	assert_string_equal(big + strlen(big) - 10, ",000000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_number_table),
		cmocka_unit_test(test_fmt_number_trim_table),
		cmocka_unit_test(test_fmt_percent_table),
		cmocka_unit_test(test_fmt_count_table),
		cmocka_unit_test(test_fmt_non_finite),
		cmocka_unit_test(test_fmt_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
