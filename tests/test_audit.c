/* Tests of the audits: the combination arithmetic, the contradiction rule
 * for each operator, and both audits on a hand-computed fixture
 * (tests/data/audit, arithmetic in its comments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "audit.h"
#include "ingest.h"

static void test_combine(void **state)
{
	const double t[] = { 98, 100 }, w[] = { 300, 100 };
	const double z[] = { 0, 0 };
	double c;

	(void)state;
	assert_true(audit_combine(t, w, 2, 0, &c));
	assert_true(fabs(c - 98.5) < 1e-12);
	assert_true(audit_combine(t, w, 2, 1, &c));
	assert_true(fabs(c - 198) < 1e-12);
	assert_false(audit_combine(t, z, 2, 0, &c));
}

static void test_contradicts(void **state)
{
	(void)state;
	assert_true(audit_contradicts(">=", 99.5, 98));
	assert_false(audit_contradicts(">=", 98, 98));
	assert_false(audit_contradicts(">=", 97, 98));
	assert_true(audit_contradicts("<=", 0.3, 0.5));
	assert_false(audit_contradicts("<=", 0.7, 0.5));
	assert_true(audit_contradicts("=", 5.0, 5.1));
	assert_false(audit_contradicts("=", 0.3, 0.1 + 0.2));
}

static void test_fixture(void **state)
{
	audit_options opt;
	diag_sink diag;
	ss_error e;

	(void)state;
	audit_options_default(&opt);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(ingest_map_sources(&diag, "tests/data/audit"), SS_OK);
	assert_int_equal(audit_run("tests/data/audit", &opt, &diag, &e), SS_OK);
	assert_int_equal(diag.nmessages, 3);

	assert_string_equal(diag.messages[0].code, "target_contradicts_schools");
	assert_string_equal(diag.messages[0].file, "in/targets.csv");
	assert_int_equal(diag.messages[0].line, 12);
	assert_non_null(strstr(diag.messages[0].message,
			       "level:tieu_hoc target promotion_rate >= 99 contradicts its 2 schools' targets, whose weighted combination is 98.5"));

	assert_int_equal(diag.messages[1].line, 14);
	assert_non_null(strstr(diag.messages[1].message, "whose sum is 420"));

	assert_string_equal(diag.messages[2].code, "enrollment_exceeds_promotion");
	assert_string_equal(diag.messages[2].file, "in/enrollment.csv");
	assert_int_equal(diag.messages[2].line, 7);
	assert_non_null(strstr(diag.messages[2].message,
			       "grade 3 of TH01 has 150 pupils in 2024-2025, but 130 were promoted from grade 2 and 4 held back in grade 3 in 2023-2024 (expected at most 140"));
	diag_release(&diag);

	/* a wider margin (15% of 130 = 19.5) accepts the 150 */
	opt.margin_pct = 15;
	diag_init(&diag, NULL, NULL);
	assert_int_equal(audit_run("tests/data/audit", &opt, &diag, &e), SS_OK);
	assert_int_equal(diag.nmessages, 2);
	diag_release(&diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_contradicts),
		cmocka_unit_test(test_fixture),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
