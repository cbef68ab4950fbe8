/* Tests of target evaluation: bases, statuses at full precision, every
 * operator, and the deadline trend, against hand-computed values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "gap.h"

static void assert_close(double got, double want)
{
	if (fabs(got - want) > 1e-9 * (fabs(want) > 1 ? fabs(want) : 1))
		fail_msg("got %.12g, expected %.12g", got, want);
}

static void test_full_precision(void **state)
{
	/* 8990 of 9000 promoted is 99.888...%, printed 99.9 at one decimal:
	 * it must not meet a target of 99.9 */
	double rate = 8990.0 / 9000.0 * 100.0;

	(void)state;
	assert_false(gap_meets(GAP_OP_GE, rate, 99.9));
	assert_true(gap_meets(GAP_OP_GE, 8991.0 / 9000.0 * 100.0, 99.9));
	assert_true(gap_meets(GAP_OP_LE, 0.5, 0.5));
	assert_false(gap_meets(GAP_OP_LE, 0.5000001, 0.5));
	/* = tolerates only floating-point noise */
	assert_true(gap_meets(GAP_OP_EQ, 0.1 + 0.2, 0.3));
	assert_false(gap_meets(GAP_OP_EQ, 0.3001, 0.3));
	assert_int_equal(gap_op_parse(">="), GAP_OP_GE);
	assert_int_equal(gap_op_parse("<="), GAP_OP_LE);
	assert_int_equal(gap_op_parse("="), GAP_OP_EQ);
	assert_int_equal(gap_op_parse(">"), GAP_OP_BAD);
}

static void test_bases(void **state)
{
	const gap_point pts[] = { { 2023, 97.0 }, { 2025, 98.5 }, { 2024, 96.0 },
				  { 2026, 99.9 } };
	gap_target t = { 2025, GAP_OP_GE, 98.0, 0 };
	gap_result g;

	(void)state;
	/* same year: actual, and a later year is never used */
	gap_evaluate(&t, pts, 4, &g);
	assert_true(g.has_actual);
	assert_string_equal(g.basis, "actual");
	assert_string_equal(g.status, "met");
	assert_int_equal(g.actual_year_end, 2025);
	assert_close(g.gap, 0.5);
	assert_false(g.has_trend);
	/* no same-year value: the latest earlier one is the baseline */
	gap_evaluate(&t, pts, 1, &g);
	assert_string_equal(g.basis, "baseline");
	assert_string_equal(g.status, "not_met");
	assert_close(g.gap, -1.0);
	/* only later values: no data */
	gap_evaluate(&t, pts + 3, 1, &g);
	assert_false(g.has_actual);
	assert_string_equal(g.status, "no_data");
	assert_string_equal(g.basis, "");
	gap_evaluate(&t, NULL, 0, &g);
	assert_string_equal(g.status, "no_data");
}

static void test_le_target(void **state)
{
	const gap_point pts[] = { { 2025, 0.62 } };
	gap_target t = { 2025, GAP_OP_LE, 0.5, 0 };
	gap_result g;

	(void)state;
	gap_evaluate(&t, pts, 1, &g);
	assert_string_equal(g.status, "not_met");
	assert_close(g.gap, 0.12);
}

static void test_deadline_trend(void **state)
{
	/* 60, 64, 68 in 2023..2025: slope 4 per year, 2030 -> 68 + 5*4 = 88;
	 * still needed: (84 - 68) / (2030 - 2025) = 3.2 per year */
	const gap_point pts[] = { { 2024, 64 }, { 2023, 60 }, { 2025, 68 } };
	gap_target t = { 2025, GAP_OP_GE, 84, 2030 };
	gap_result g;

	(void)state;
	gsl_set_error_handler_off();
	gap_evaluate(&t, pts, 3, &g);
	assert_string_equal(g.status, "not_met");
	assert_true(g.has_trend);
	assert_close(g.slope, 4.0);
	assert_close(g.projected, 88.0);
	assert_true(g.has_needed);
	assert_close(g.needed_per_year, 3.2);
	assert_string_equal(g.on_track, "yes");

	/* 70, 69, 71: slope 0.5, intercept from the mean (2024, 70) ->
	 * 2030: 73 < 84, off track */
	{
		const gap_point flat[] = { { 2023, 70 }, { 2024, 69 }, { 2025, 71 } };

		gap_evaluate(&t, flat, 3, &g);
		assert_close(g.slope, 0.5);
		assert_close(g.projected, 73.0);
		assert_string_equal(g.on_track, "no");
	}
	/* one point: no trend, but the yearly change needed is known */
	gap_evaluate(&t, pts + 2, 1, &g);
	assert_false(g.has_trend);
	assert_string_equal(g.on_track, "");
	assert_close(g.needed_per_year, 3.2);
}

static void test_trend_ignores_later_years(void **state)
{
	/* a 2024-2025 target judged with the data of its own time: the 2026
	 * point must not enter the fit */
	const gap_point pts[] = { { 2024, 10 }, { 2025, 20 }, { 2026, 100 } };
	gap_target t = { 2025, GAP_OP_GE, 50, 2027 };
	gap_result g;

	(void)state;
	gap_evaluate(&t, pts, 3, &g);
	assert_close(g.slope, 10.0);
	assert_close(g.projected, 40.0);
	assert_string_equal(g.on_track, "no");
	assert_close(g.needed_per_year, 15.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_precision),
		cmocka_unit_test(test_bases),
		cmocka_unit_test(test_le_target),
		cmocka_unit_test(test_deadline_trend),
		cmocka_unit_test(test_trend_ignores_later_years),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
