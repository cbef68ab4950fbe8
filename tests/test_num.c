/* Tests for num: every value below was worked out by hand from the style
 * rules in include/num.h (vi: '.' groups, ',' decimal; en: the reverse; a
 * mark that cannot group is the decimal mark in either style). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

#define NBSP "\xC2\xA0"
#define VI NUM_STYLE_VI
#define EN NUM_STYLE_EN
#define AUTO NUM_STYLE_AUTO
#define COUNT_SENTINEL (-777LL)
#define REAL_SENTINEL (-777.0)
#define CENTS_SENTINEL (-777L)

/* cmocka 1.1.5's assert_float_equal casts to float; this keeps doubles. */
static int near(double a, double b, double rel)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	if (a == b)
		return 1;
	return fabs(a - b) <= rel * scale;
}

static void check_near(const char *what, double got, double want)
{
	if (!near(got, want, 1e-15))
		fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* ------------------------------------------------------------ counts */

struct count_case {
	const char *in;
	num_style style;
	num_result r;
	long long v;
};

static const struct count_case count_cases[] = {
	/* plain */
	{ "1062", VI, NUM_OK, 1062 },
	{ "1062", EN, NUM_OK, 1062 },
	{ "0", VI, NUM_OK, 0 },
	{ "0000000000000000000000000042", EN, NUM_OK, 42 },
	{ "+5", VI, NUM_OK, 5 },
	{ "-0", EN, NUM_OK, 0 },
	{ "-0,0", VI, NUM_OK, 0 },
	/* Vietnamese grouping */
	{ "1.062", VI, NUM_OK, 1062 },
	{ "1.234.567", VI, NUM_OK, 1234567 },
	{ "12.345", VI, NUM_OK, 12345 },
	{ "123.456", VI, NUM_OK, 123456 },
	{ "1.062,0", VI, NUM_OK, 1062 },
	{ "1.000.000,00", VI, NUM_OK, 1000000 },
	/* the same strings in an English file */
	{ "1.062", EN, NUM_NOT_INTEGER, 0 },  /* 1.062 */
	{ "1.062", AUTO, NUM_NOT_INTEGER, 0 }, /* AUTO reads like en */
	{ "1.234.567", EN, NUM_OK, 1234567 }, /* two '.' cannot be decimal */
	{ "1.062,0", EN, NUM_OK, 1062 },      /* only the vi reading fits */
	/* English grouping */
	{ "1,062", EN, NUM_OK, 1062 },
	{ "1,234,567", EN, NUM_OK, 1234567 },
	{ "1,062.0", EN, NUM_OK, 1062 },
	{ "1,000,000.00", EN, NUM_OK, 1000000 },
	{ "1,062", VI, NUM_NOT_INTEGER, 0 },  /* 1,062 = 1.062 in vi */
	{ "1,234,567", VI, NUM_OK, 1234567 }, /* two ',' cannot be decimal */
	{ "1,062.5", VI, NUM_NOT_INTEGER, 0 }, /* 1062.5 */
	/* zero fractions, real fractions */
	{ "12,0", VI, NUM_OK, 12 },
	{ "12,0", EN, NUM_OK, 12 },
	{ "12.0", VI, NUM_OK, 12 },
	{ "12.0", EN, NUM_OK, 12 },
	{ "12,00", EN, NUM_OK, 12 },
	{ "12.000", EN, NUM_OK, 12 },     /* 12.000 */
	{ "12.000", VI, NUM_OK, 12000 },  /* twelve thousand */
	{ "12,000", VI, NUM_OK, 12 },
	{ "12,000", EN, NUM_OK, 12000 },
	{ "12,5", VI, NUM_NOT_INTEGER, 0 },
	{ "12,5", EN, NUM_NOT_INTEGER, 0 },
	{ "12.5", VI, NUM_NOT_INTEGER, 0 },
	{ "10.62", VI, NUM_NOT_INTEGER, 0 }, /* '.' + 2 digits: decimal */
	{ "0.062", VI, NUM_NOT_INTEGER, 0 }, /* a group never starts at 0 */
	{ "01.062", VI, NUM_NOT_INTEGER, 0 },
	{ "1.0620", VI, NUM_NOT_INTEGER, 0 },
	{ "1.062,5", EN, NUM_NOT_INTEGER, 0 },
	{ ",5", VI, NUM_NOT_INTEGER, 0 },
	{ ".5", EN, NUM_NOT_INTEGER, 0 },
	/* blanks around and inside */
	{ " 42 ", EN, NUM_OK, 42 },
	{ "\t42\t", VI, NUM_OK, 42 },
	{ NBSP "1.062" NBSP, VI, NUM_OK, 1062 },
	{ " \t" NBSP " 7 " NBSP "\t", EN, NUM_OK, 7 },
	{ "1 062", VI, NUM_OK, 1062 },
	{ "1 062", EN, NUM_OK, 1062 },
	{ "1" NBSP "062", VI, NUM_OK, 1062 },
	{ "1" NBSP "062", EN, NUM_OK, 1062 },
	{ "1 234 567", EN, NUM_OK, 1234567 },
	{ "1 234" NBSP "567", VI, NUM_OK, 1234567 },
	{ "12 345,0", VI, NUM_OK, 12345 },
	{ "1 062.345", VI, NUM_OK, 1062345 }, /* '.' + 3 digits groups in vi */
	{ "1 062.345", EN, NUM_NOT_INTEGER, 0 },
	/* negative */
	{ "-3", EN, NUM_NEGATIVE, 0 },
	{ "-3", VI, NUM_NEGATIVE, 0 },
	{ "-1.062", VI, NUM_NEGATIVE, 0 },
	{ "-3,5", VI, NUM_NEGATIVE, 0 }, /* negative wins over fraction */
	{ "-0,5", VI, NUM_NEGATIVE, 0 },
	/* not numbers */
	{ "abc", VI, NUM_GARBAGE, 0 },
	{ "12a", EN, NUM_GARBAGE, 0 },
	{ "a12", EN, NUM_GARBAGE, 0 },
	{ "1e3", EN, NUM_GARBAGE, 0 },
	{ "1E3", VI, NUM_GARBAGE, 0 },
	{ "0x10", EN, NUM_GARBAGE, 0 },
	{ "+", EN, NUM_GARBAGE, 0 },
	{ "-", VI, NUM_GARBAGE, 0 },
	{ "+-5", VI, NUM_GARBAGE, 0 },
	{ "--5", VI, NUM_GARBAGE, 0 },
	{ "5-", VI, NUM_GARBAGE, 0 },
	{ "- 5", EN, NUM_GARBAGE, 0 },
	{ "12 a", EN, NUM_GARBAGE, 0 },
	{ "1..2", EN, NUM_GARBAGE, 0 },
	{ "1,,2", VI, NUM_GARBAGE, 0 },
	{ "1. 062", VI, NUM_GARBAGE, 0 },
	{ "1  062", EN, NUM_GARBAGE, 0 },
	{ "1.", VI, NUM_GARBAGE, 0 },
	{ "5,", EN, NUM_GARBAGE, 0 },
	{ ".", EN, NUM_GARBAGE, 0 },
	{ ",", VI, NUM_GARBAGE, 0 },
	{ "1\t2", EN, NUM_GARBAGE, 0 },
	{ "5%", VI, NUM_GARBAGE, 0 },       /* percent only for reals */
	{ "1\xA0" "2", EN, NUM_GARBAGE, 0 }, /* half an NBSP */
	{ "1\xC2" "2", EN, NUM_GARBAGE, 0 },
	{ "\xD9\xA3", EN, NUM_GARBAGE, 0 }, /* Arabic-Indic three */
	{ "1'062", EN, NUM_GARBAGE, 0 },
	{ "(5)", EN, NUM_GARBAGE, 0 },
	/* empty */
	{ "", VI, NUM_EMPTY, 0 },
	{ "   ", EN, NUM_EMPTY, 0 },
	{ "\t", EN, NUM_EMPTY, 0 },
	{ NBSP, VI, NUM_EMPTY, 0 },
	{ " " NBSP "\t" NBSP " ", VI, NUM_EMPTY, 0 },
	/* misplaced separators */
	{ "1.06.2", VI, NUM_BAD_GROUPING, 0 },
	{ "1.06.2", EN, NUM_BAD_GROUPING, 0 },
	{ "1.062.5", VI, NUM_BAD_GROUPING, 0 },
	{ "1,062,5", EN, NUM_BAD_GROUPING, 0 },
	{ "1.2.3.4", VI, NUM_BAD_GROUPING, 0 },
	{ "7,2,5", VI, NUM_BAD_GROUPING, 0 },
	{ "1.5,2", VI, NUM_BAD_GROUPING, 0 },
	{ "1,5.2", EN, NUM_BAD_GROUPING, 0 },
	{ "1 06", VI, NUM_BAD_GROUPING, 0 },
	{ "1 0620", EN, NUM_BAD_GROUPING, 0 },
	{ "1234 567", EN, NUM_BAD_GROUPING, 0 }, /* first group > 3 digits */
	{ "0 062", EN, NUM_BAD_GROUPING, 0 },
	{ "1,5 000", VI, NUM_BAD_GROUPING, 0 },  /* grouping after decimals */
	/* the LLONG_MAX boundary */
	{ "9223372036854775807", EN, NUM_OK, LLONG_MAX },
	{ "9.223.372.036.854.775.807", VI, NUM_OK, LLONG_MAX },
	{ "9 223 372 036 854 775 807", EN, NUM_OK, LLONG_MAX },
	{ "9223372036854775807,00", VI, NUM_OK, LLONG_MAX },
	{ "0009223372036854775807", EN, NUM_OK, LLONG_MAX },
	{ "9223372036854775806", EN, NUM_OK, LLONG_MAX - 1 },
	{ "9223372036854775808", EN, NUM_RANGE, 0 },
	{ "9,223,372,036,854,775,808", EN, NUM_RANGE, 0 },
	{ "9223372036854775810", VI, NUM_RANGE, 0 },
	{ "18446744073709551616", EN, NUM_RANGE, 0 },
	{ "99999999999999999999", EN, NUM_RANGE, 0 },
	{ "9223372036854775808,5", VI, NUM_NOT_INTEGER, 0 },
};

static void test_count_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof count_cases / sizeof count_cases[0]; i++) {
		const struct count_case *c = &count_cases[i];
		long long v = COUNT_SENTINEL;
		num_result r = num_parse_count(c->in, c->style, &v);

		if (r != c->r)
			fail_msg("count '%s' (%s): result %d (%s), want %d (%s)",
				 c->in, num_style_name(c->style), (int)r,
				 num_result_text(r), (int)c->r,
				 num_result_text(c->r));
		if (c->r == NUM_OK && v != c->v)
			fail_msg("count '%s' (%s): %lld, want %lld", c->in,
				 num_style_name(c->style), v, c->v);
		if (c->r != NUM_OK && v != COUNT_SENTINEL)
			fail_msg("count '%s': *out written on failure", c->in);
	}
}

static void test_count_null(void **state)
{
	long long v = COUNT_SENTINEL;

	(void)state;
	assert_int_equal(num_parse_count(NULL, VI, &v), NUM_EMPTY);
	assert_true(v == COUNT_SENTINEL);
	/* out may be NULL to validate only */
	assert_int_equal(num_parse_count("1.062", VI, NULL), NUM_OK);
	assert_int_equal(num_parse_count("-1", VI, NULL), NUM_NEGATIVE);
}

/* Builds prefix + `reps` copies of unit + suffix in a heap buffer. */
static char *repeat(const char *prefix, const char *unit, size_t reps,
		    const char *suffix)
{
	size_t n = strlen(prefix) + strlen(unit) * reps + strlen(suffix) + 1;
	char *s = malloc(n);
	char *p;
	size_t i;

	assert_non_null(s);
	p = s + strlen(prefix);
	memcpy(s, prefix, strlen(prefix));
	for (i = 0; i < reps; i++, p += strlen(unit))
		memcpy(p, unit, strlen(unit));
	memcpy(p, suffix, strlen(suffix) + 1);
	return s;
}

static void test_count_long(void **state)
{
	long long v = COUNT_SENTINEL;
	char *s;

	(void)state;
	s = repeat("1", "0", 5000, "");
	assert_int_equal(num_parse_count(s, EN, &v), NUM_RANGE);
	free(s);
	s = repeat("", "0", 5000, "7");
	assert_int_equal(num_parse_count(s, EN, &v), NUM_OK);
	assert_true(v == 7);
	free(s);
	s = repeat("1", ".000", 2000, "");
	assert_int_equal(num_parse_count(s, VI, &v), NUM_RANGE);
	free(s);
	/* six groups fit (10^18), seven overflow (10^21 > 9.2e18) */
	assert_int_equal(num_parse_count("1.000.000.000.000.000.000", VI, &v),
			 NUM_OK);
	assert_true(v == 1000000000000000000LL);
	assert_int_equal(num_parse_count("1.000.000.000.000.000.000.000", VI,
					 &v),
			 NUM_RANGE);
	s = repeat("5,", "0", 5000, "");
	assert_int_equal(num_parse_count(s, VI, &v), NUM_OK);
	assert_true(v == 5);
	free(s);
	s = repeat("5,", "0", 5000, "1");
	assert_int_equal(num_parse_count(s, VI, &v), NUM_NOT_INTEGER);
	free(s);
}

/* ------------------------------------------------------------ reals */

struct real_case {
	const char *in;
	num_style style;
	num_result r;
	double v;
	int pct;
};

static const struct real_case real_cases[] = {
	{ "5,8", VI, NUM_OK, 5.8, 0 },
	{ "5,8", EN, NUM_OK, 5.8, 0 }, /* ',' + 1 digit cannot group */
	{ "5.8", VI, NUM_OK, 5.8, 0 },
	{ "5.8", EN, NUM_OK, 5.8, 0 },
	{ "8.5", VI, NUM_OK, 8.5, 0 },
	{ "1.062,5", VI, NUM_OK, 1062.5, 0 },
	{ "1.062,5", EN, NUM_OK, 1062.5, 0 },
	{ "1,062.5", EN, NUM_OK, 1062.5, 0 },
	{ "1,062.5", VI, NUM_OK, 1062.5, 0 },
	{ "1.062", VI, NUM_OK, 1062.0, 0 },
	{ "1.062", EN, NUM_OK, 1.062, 0 },
	{ "1.062", AUTO, NUM_OK, 1.062, 0 },
	{ "1,062", VI, NUM_OK, 1.062, 0 },
	{ "1,062", EN, NUM_OK, 1062.0, 0 },
	{ "10.62", VI, NUM_OK, 10.62, 0 },
	{ "1.234.567,89", VI, NUM_OK, 1234567.89, 0 },
	{ "1 234 567,89", VI, NUM_OK, 1234567.89, 0 },
	{ "1" NBSP "234,5", VI, NUM_OK, 1234.5, 0 },
	{ "1 234.5", EN, NUM_OK, 1234.5, 0 },
	{ "0,062", VI, NUM_OK, 0.062, 0 },
	{ "0.062", VI, NUM_OK, 0.062, 0 },
	{ ",5", VI, NUM_OK, 0.5, 0 },
	{ ".5", VI, NUM_OK, 0.5, 0 },
	{ "-5,8", VI, NUM_OK, -5.8, 0 },
	{ "+5,8", VI, NUM_OK, 5.8, 0 },
	{ "-1.062,5", VI, NUM_OK, -1062.5, 0 },
	{ "-.25", EN, NUM_OK, -0.25, 0 },
	{ "007,50", VI, NUM_OK, 7.5, 0 },
	{ "0", EN, NUM_OK, 0.0, 0 },
	{ "  3,25\t", VI, NUM_OK, 3.25, 0 },
	{ NBSP "3,25" NBSP, VI, NUM_OK, 3.25, 0 },
	/* percent */
	{ "45%", VI, NUM_OK, 45.0, 1 },
	{ "45 %", VI, NUM_OK, 45.0, 1 },
	{ "45,5" NBSP "%", VI, NUM_OK, 45.5, 1 },
	{ " 12.5 % ", EN, NUM_OK, 12.5, 1 },
	{ "98,76%", EN, NUM_OK, 98.76, 1 },
	{ "-2,5%", VI, NUM_OK, -2.5, 1 },
	{ "100%", EN, NUM_OK, 100.0, 1 },
	{ "%", VI, NUM_GARBAGE, 0, 0 },
	{ " % ", VI, NUM_GARBAGE, 0, 0 },
	{ "-%", VI, NUM_GARBAGE, 0, 0 },
	{ "45%%", VI, NUM_GARBAGE, 0, 0 },
	{ "% 45", VI, NUM_GARBAGE, 0, 0 },
	{ "4%5", VI, NUM_GARBAGE, 0, 0 },
	/* never nan or inf; no exponents */
	{ "nan", EN, NUM_GARBAGE, 0, 0 },
	{ "NaN", VI, NUM_GARBAGE, 0, 0 },
	{ "inf", EN, NUM_GARBAGE, 0, 0 },
	{ "-inf", EN, NUM_GARBAGE, 0, 0 },
	{ "infinity", EN, NUM_GARBAGE, 0, 0 },
	{ "1e999", EN, NUM_GARBAGE, 0, 0 },
	{ "1e3", EN, NUM_GARBAGE, 0, 0 },
	{ "5,8E+01", VI, NUM_GARBAGE, 0, 0 },
	{ "0x1p3", EN, NUM_GARBAGE, 0, 0 },
	{ "abc", VI, NUM_GARBAGE, 0, 0 },
	{ "5,8 kg", VI, NUM_GARBAGE, 0, 0 },
	{ "", VI, NUM_EMPTY, 0, 0 },
	{ NBSP " ", EN, NUM_EMPTY, 0, 0 },
	{ "1.06.2", VI, NUM_BAD_GROUPING, 0, 0 },
	{ "1,5.2", EN, NUM_BAD_GROUPING, 0, 0 },
};

static void test_real_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof real_cases / sizeof real_cases[0]; i++) {
		const struct real_case *c = &real_cases[i];
		double v = REAL_SENTINEL;
		int pct = -1;
		num_result r = num_parse_real(c->in, c->style, &v, &pct);
		char what[128];

		snprintf(what, sizeof what, "real '%.40s' (%s)", c->in,
			 num_style_name(c->style));
		if (r != c->r)
			fail_msg("%s: result %d (%s), want %d (%s)", what,
				 (int)r, num_result_text(r), (int)c->r,
				 num_result_text(c->r));
		if (c->r != NUM_OK) {
			if (v != REAL_SENTINEL || pct != -1)
				fail_msg("%s: outputs written on failure", what);
			continue;
		}
		check_near(what, v, c->v);
		if (pct != c->pct)
			fail_msg("%s: had_percent %d, want %d", what, pct,
				 c->pct);
	}
}

static void test_real_sign_and_null(void **state)
{
	double v = REAL_SENTINEL;

	(void)state;
	/* "-0" must not reach an output file as "-0" */
	assert_int_equal(num_parse_real("-0", VI, &v, NULL), NUM_OK);
	assert_true(v == 0.0 && !signbit(v));
	assert_int_equal(num_parse_real("-0,000", VI, &v, NULL), NUM_OK);
	assert_true(v == 0.0 && !signbit(v));
	assert_int_equal(num_parse_real(NULL, VI, &v, NULL), NUM_EMPTY);
	assert_int_equal(num_parse_real("12,5%", VI, NULL, NULL), NUM_OK);
}

/* strtod sees the full precision: values must be correctly rounded. */
static void test_real_rounding(void **state)
{
	/* 1 + 2^-53, exactly halfway between 1 and 1 + DBL_EPSILON */
	static const char half[] =
		"1.00000000000000011102230246251565404236316680908203125";
	double v = 0;
	char *s;

	(void)state;
	assert_int_equal(num_parse_real(half, EN, &v, NULL), NUM_OK);
	assert_true(v == 1.0); /* ties to even */
	/* a nonzero digit far beyond the halfway point tips it up, even
	 * past the digits the parser keeps for strtod */
	s = repeat(half, "0", 3000, "1");
	assert_int_equal(num_parse_real(s, EN, &v, NULL), NUM_OK);
	assert_true(v == 1.0 + DBL_EPSILON);
	free(s);
	s = repeat(half, "0", 3000, "");
	assert_int_equal(num_parse_real(s, EN, &v, NULL), NUM_OK);
	assert_true(v == 1.0);
	free(s);
	/* the same in Vietnamese style, with grouping in front */
	assert_int_equal(num_parse_real("1.000,5", VI, &v, NULL), NUM_OK);
	assert_true(v == 1000.5);
	/* 0.1 and 0.2 are the same doubles the compiler makes */
	assert_int_equal(num_parse_real("0,1", VI, &v, NULL), NUM_OK);
	assert_true(v == 0.1);
	assert_int_equal(num_parse_real("0.2", EN, &v, NULL), NUM_OK);
	assert_true(v == 0.2);
}

static void test_real_long(void **state)
{
	double v = REAL_SENTINEL;
	char *s;

	(void)state;
	/* DBL_MAX = 1.7976931348623157081e308; the overflow threshold is
	 * DBL_MAX + half an ulp = 1.7976931348623158079e308 */
	s = repeat("17976931348623157", "0", 292, "");
	assert_int_equal(num_parse_real(s, EN, &v, NULL), NUM_OK);
	assert_true(v == DBL_MAX);
	free(s);
	s = repeat("17976931348623158", "0", 292, "");
	assert_int_equal(num_parse_real(s, EN, &v, NULL), NUM_OK);
	assert_true(v == DBL_MAX);
	free(s);
	s = repeat("179.769.313.486.231.590", ".000", 97, ",0");
	v = REAL_SENTINEL;
	assert_int_equal(num_parse_real(s, VI, &v, NULL), NUM_RANGE);
	assert_true(v == REAL_SENTINEL);
	free(s);
	/* 10^308 is finite, 10^309 is not */
	s = repeat("1", "0", 308, "");
	assert_int_equal(num_parse_real(s, EN, &v, NULL), NUM_OK);
	check_near("1e308", v, 1e308);
	free(s);
	s = repeat("1", "0", 309, "");
	v = REAL_SENTINEL;
	assert_int_equal(num_parse_real(s, EN, &v, NULL), NUM_RANGE);
	assert_true(v == REAL_SENTINEL);
	free(s);
	s = repeat("-1", "0", 5000, ",5");
	assert_int_equal(num_parse_real(s, VI, &v, NULL), NUM_RANGE);
	free(s);
	/* leading zeros do not count towards the limit */
	s = repeat("", "0", 5000, "2,5");
	assert_int_equal(num_parse_real(s, VI, &v, NULL), NUM_OK);
	assert_true(v == 2.5);
	free(s);
	/* 10^-310 is subnormal but representable */
	s = repeat("0,", "0", 309, "1");
	assert_int_equal(num_parse_real(s, VI, &v, NULL), NUM_OK);
	assert_true(v == 1e-310);
	free(s);
	/* 10^-401 is below the smallest subnormal: zero, not an error */
	s = repeat("-0,", "0", 400, "1");
	v = REAL_SENTINEL;
	assert_int_equal(num_parse_real(s, VI, &v, NULL), NUM_OK);
	assert_true(v == 0.0 && !signbit(v));
	free(s);
	/* 0.333... with 2000 threes is 1/3 to the last bit */
	s = repeat("0.", "3", 2000, "");
	assert_int_equal(num_parse_real(s, EN, &v, NULL), NUM_OK);
	assert_true(v == 1.0 / 3.0);
	free(s);
}

/* ------------------------------------------------------------ hundredths */

struct cents_case {
	const char *in;
	num_style style;
	num_result r;
	long v;
};

static const struct cents_case cents_cases[] = {
	{ "7,25", VI, NUM_OK, 725 },
	{ "7.25", EN, NUM_OK, 725 },
	{ "7,25", EN, NUM_OK, 725 },  /* ',' + 2 digits cannot group */
	{ "7.25", VI, NUM_OK, 725 },
	{ "10", VI, NUM_OK, 1000 },
	{ "10,00", VI, NUM_OK, 1000 },
	{ "8.5", EN, NUM_OK, 850 },
	{ "8.5", VI, NUM_OK, 850 },
	{ "8,5", VI, NUM_OK, 850 },
	{ "0,05", VI, NUM_OK, 5 },
	{ ",75", VI, NUM_OK, 75 },
	{ "0", EN, NUM_OK, 0 },
	{ "-0", EN, NUM_OK, 0 },
	{ "7.250", EN, NUM_OK, 725 },     /* trailing zero dropped */
	{ "7,2500000", VI, NUM_OK, 725 },
	{ "7.250", VI, NUM_OK, 725000 },  /* seven thousand two hundred fifty */
	{ "7,001", EN, NUM_OK, 700100 },  /* seven thousand and one */
	{ " 9,5 ", VI, NUM_OK, 950 },
	{ NBSP "9.75" NBSP, EN, NUM_OK, 975 },
	{ "+6,5", VI, NUM_OK, 650 },
	{ "-1,5", VI, NUM_OK, -150 },     /* sign kept; caller checks range */
	{ "-0,25", VI, NUM_OK, -25 },
	{ "1.000,5", VI, NUM_OK, 100050 },
	{ "7.255", EN, NUM_NOT_INTEGER, 0 },
	{ "7,001", VI, NUM_NOT_INTEGER, 0 },
	{ "7,125", VI, NUM_NOT_INTEGER, 0 },
	{ "", VI, NUM_EMPTY, 0 },
	{ " ", VI, NUM_EMPTY, 0 },
	{ "abc", VI, NUM_GARBAGE, 0 },
	{ "7%", VI, NUM_GARBAGE, 0 },
	{ "7,5e0", VI, NUM_GARBAGE, 0 },
	{ "nan", EN, NUM_GARBAGE, 0 },
	{ "7,2,5", VI, NUM_BAD_GROUPING, 0 },
	{ "1.06.2", VI, NUM_BAD_GROUPING, 0 },
#if LONG_MAX == 9223372036854775807L
	{ "92233720368547758.07", EN, NUM_OK, LONG_MAX },
	{ "-92233720368547758.07", EN, NUM_OK, -LONG_MAX },
	{ "92233720368547758.08", EN, NUM_RANGE, 0 },
	{ "92233720368547759", EN, NUM_RANGE, 0 },
	{ "99999999999999999999", EN, NUM_RANGE, 0 },
#endif
};

static void test_hundredths_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cents_cases / sizeof cents_cases[0]; i++) {
		const struct cents_case *c = &cents_cases[i];
		long v = CENTS_SENTINEL;
		num_result r = num_parse_hundredths(c->in, c->style, &v);

		if (r != c->r)
			fail_msg("hundredths '%s' (%s): result %d (%s), want %d",
				 c->in, num_style_name(c->style), (int)r,
				 num_result_text(r), (int)c->r);
		if (c->r == NUM_OK && v != c->v)
			fail_msg("hundredths '%s' (%s): %ld, want %ld", c->in,
				 num_style_name(c->style), v, c->v);
		if (c->r != NUM_OK && v != CENTS_SENTINEL)
			fail_msg("hundredths '%s': *out written on failure",
				 c->in);
	}
	assert_int_equal(num_parse_hundredths(NULL, VI, NULL), NUM_EMPTY);
	assert_int_equal(num_parse_hundredths("5,5", VI, NULL), NUM_OK);
}

/* Every score on the 0.05 grid from 0 to 10, written both ways, comes back
 * as the exact integer (the exam aggregates depend on it). */
static void test_hundredths_grid(void **state)
{
	long k, v;
	char buf[32];

	(void)state;
	for (k = 0; k <= 1000; k += 5) {
		snprintf(buf, sizeof buf, "%ld,%02ld", k / 100, k % 100);
		assert_int_equal(num_parse_hundredths(buf, VI, &v), NUM_OK);
		assert_int_equal(v, k);
		snprintf(buf, sizeof buf, "%ld.%02ld", k / 100, k % 100);
		assert_int_equal(num_parse_hundredths(buf, EN, &v), NUM_OK);
		assert_int_equal(v, k);
	}
}

/* ------------------------------------------------------------ evidence */

struct evidence_case {
	const char *in;
	int e;
};

static const struct evidence_case evidence_cases[] = {
	{ "5,8", 1 },
	{ "1.062,5", 1 },
	{ "12,25", 1 },
	{ "1.234.567", 1 },
	{ "0,062", 1 },
	{ "-5,8", 1 },
	{ "5,8%", 1 },
	{ ",5", 1 },
	{ "1 062,5", 1 },
	{ " 3,25 ", 1 },
	{ "5.8", -1 },
	{ "1,062.5", -1 },
	{ "12.25", -1 },
	{ "1,234,567", -1 },
	{ "0.062", -1 },
	{ "8.5%", -1 },
	{ "1 062.5", -1 },
	{ ".5", -1 },
	{ "1.062", 0 },
	{ "1,062", 0 },
	{ "12.000", 0 },
	{ "12,000", 0 },
	{ "15", 0 },
	{ "-15", 0 },
	{ "1 062", 0 },
	{ "45%", 0 },
	{ "abc", 0 },
	{ "", 0 },
	{ "  ", 0 },
	{ "1e3", 0 },
	{ "1.06.2", 0 },
	{ "7,2,5", 0 },
	{ "nan", 0 },
};

static void test_evidence(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof evidence_cases / sizeof evidence_cases[0]; i++) {
		int e = num_style_evidence(evidence_cases[i].in);

		if (e != evidence_cases[i].e)
			fail_msg("evidence '%s': %d, want %d",
				 evidence_cases[i].in, e, evidence_cases[i].e);
	}
	assert_int_equal(num_style_evidence(NULL), 0);
}

/* Evidence agrees with the parsers: a value that points to one style reads
 * the same whatever style the file is said to have. */
static void test_evidence_consistent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof evidence_cases / sizeof evidence_cases[0]; i++) {
		const char *s = evidence_cases[i].in;
		double a = 0, b = 0;
		num_result ra = num_parse_real(s, VI, &a, NULL);
		num_result rb = num_parse_real(s, EN, &b, NULL);

		if (evidence_cases[i].e == 0)
			continue;
		assert_int_equal(ra, NUM_OK);
		assert_int_equal(rb, NUM_OK);
		assert_true(a == b);
	}
}

/* ------------------------------------------------------------ fuzz finds */

/* tests/fuzz/corpus_num/evidence-range-60aa8152: '-', 343 fours, "1,001".
 * Only the Vietnamese reading fits (an English group cannot follow 344
 * digits), so evidence is +1, but it is far beyond DBL_MAX in both styles.
 * It broke the harness's assumption that evidence implies success. */
static void test_fuzz_evidence_range(void **state)
{
	char *s = repeat("-", "4", 343, "1,001");
	long long n = COUNT_SENTINEL;
	double v = REAL_SENTINEL;
	long h = CENTS_SENTINEL;

	(void)state;
	assert_int_equal(num_style_evidence(s), 1);
	assert_int_equal(num_parse_real(s, VI, &v, NULL), NUM_RANGE);
	assert_int_equal(num_parse_real(s, EN, &v, NULL), NUM_RANGE);
	assert_int_equal(num_parse_real(s, AUTO, &v, NULL), NUM_RANGE);
	assert_true(v == REAL_SENTINEL);
	assert_int_equal(num_parse_count(s, VI, &n), NUM_NEGATIVE);
	assert_int_equal(num_parse_hundredths(s, VI, &h), NUM_NOT_INTEGER);
	assert_int_equal(num_parse_hundredths(s, EN, &h), NUM_NOT_INTEGER);
	assert_true(n == COUNT_SENTINEL && h == CENTS_SENTINEL);
	free(s);
}

/* ------------------------------------------------------------ names */

struct name_case {
	const char *in;
	num_style style;
};

static const struct name_case name_cases[] = {
	{ "vi", VI },       { "VI", VI },       { "Vi", VI },
	{ "vi-VN", VI },    { "vi_VN", VI },    { "VI-vn", VI },
	{ "en", EN },       { "EN", EN },       { "en-US", EN },
	{ "en_GB", EN },    { "en-001", EN },   { "fr", AUTO },
	{ "auto", AUTO },   { "", AUTO },       { "v", AUTO },
	{ "vie", AUTO },    { "eng", AUTO },    { "vi-", AUTO },
	{ "vi_", AUTO },    { "en-US-x", AUTO }, { "en US", AUTO },
	{ "vi-VNVNVNVN", VI }, { "vi-VNVNVNVNV", AUTO }, { "vi.VN", AUTO },
};

static void test_style_names(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
		num_style s = num_style_from_name(name_cases[i].in);

		if (s != name_cases[i].style)
			fail_msg("style name '%s': %d, want %d",
				 name_cases[i].in, (int)s,
				 (int)name_cases[i].style);
	}
	assert_int_equal(num_style_from_name(NULL), AUTO);
	assert_string_equal(num_style_name(VI), "vi");
	assert_string_equal(num_style_name(EN), "en");
	assert_string_equal(num_style_name(AUTO), "auto");
	assert_string_equal(num_style_name((num_style)42), "unknown");
	assert_int_equal(num_style_from_name(num_style_name(VI)), VI);
	assert_int_equal(num_style_from_name(num_style_name(EN)), EN);
}

static void test_result_text(void **state)
{
	static const struct {
		num_result r;
		const char *text;
	} texts[] = {
		{ NUM_OK, "ok" },
		{ NUM_EMPTY, "empty" },
		{ NUM_GARBAGE, "not a number" },
		{ NUM_NOT_INTEGER, "not a whole number" },
		{ NUM_NEGATIVE, "negative" },
		{ NUM_RANGE, "too large" },
		{ NUM_BAD_GROUPING, "misplaced thousands separator" },
		{ (num_result)42, "unknown result" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
		assert_string_equal(num_result_text(texts[i].r), texts[i].text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_table),
		cmocka_unit_test(test_count_null),
		cmocka_unit_test(test_count_long),
		cmocka_unit_test(test_real_table),
		cmocka_unit_test(test_real_sign_and_null),
		cmocka_unit_test(test_real_rounding),
		cmocka_unit_test(test_real_long),
		cmocka_unit_test(test_hundredths_table),
		cmocka_unit_test(test_hundredths_grid),
		cmocka_unit_test(test_evidence),
		cmocka_unit_test(test_evidence_consistent),
		cmocka_unit_test(test_fuzz_evidence_range),
		cmocka_unit_test(test_style_names),
		cmocka_unit_test(test_result_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
