/* Tests of target evaluation: bases, statuses at full precision, every
 * operator, and the deadline trend, against hand-computed values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "diag.h"
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

/* ------------------------------------------------- the stage, on files */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *read_file(const char *dir, const char *name)
{
	static char buf[4096];
	char path[512];
	size_t n;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void make_outdir(char *dir, size_t size)
{
	char clean[600];

	snprintf(dir, size, "/tmp/test_gap.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(clean, sizeof clean, "%s/clean", dir);
	assert_int_equal(mkdir(clean, 0755), 0);
}

static void remove_outdir(const char *dir)
{
	const char *const names[] = { "clean/targets.csv", "indicators.csv",
				      "gaps.csv", "clean", NULL };
	char path[600];

	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		remove(path);
	}
	rmdir(dir);
}

static const char gaps_header_line[] =
	"year,scope,indicator,op,target,actual,actual_year,basis,gap,status,"
	"deadline,trend_slope,projected,needed_per_year,on_track,source,src_line\n";

static void test_run_without_targets_skips_indicators(void **state)
{
	char dir[64];
	diag_sink diag;
	ss_error e;

	(void)state;
	make_outdir(dir, sizeof dir);
	/* nothing in indicators.csv can matter without a target, so not even
	 * a broken file stops the stage */
	write_file(dir, "indicators.csv", "year,scope\n\"broken\n");
	err_clear(&e);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(gap_run(dir, &diag, &e), SS_OK);
	assert_string_equal(read_file(dir, "gaps.csv"), gaps_header_line);
	assert_int_equal(diag.nmessages, 0);
	diag_release(&diag);
	remove_outdir(dir);
}

static void test_run_checks_every_indicator_row(void **state)
{
	char dir[64];
	diag_sink diag;
	ss_error e;

	(void)state;
	make_outdir(dir, sizeof dir);
	write_file(dir, "clean/targets.csv",
		   "year,scope,indicator,op,target,deadline,source,src_line\n"
		   "2024-2025,S1,promotion_rate,>=,90,,plan,2\n");
	/* the broken row is of another school: still an error, as when the
	 * whole table was loaded */
	write_file(dir, "indicators.csv",
		   "year,scope,indicator,value,numerator,denominator\n"
		   "2024-2025,S1,promotion_rate,95,95,100\n"
		   "2024-2025,S2,promotion_rate,95,95\n");
	err_clear(&e);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(gap_run(dir, &diag, &e), SS_EDATA);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.column, 1);
	assert_string_equal(e.msg, "row has 5 fields (expected 6)");
	diag_release(&diag);

	write_file(dir, "indicators.csv", "year,scope,indicator\n");
	err_clear(&e);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(gap_run(dir, &diag, &e), SS_EDATA);
	assert_int_equal(e.line, 1);
	assert_non_null(strstr(e.msg, "missing column"));
	diag_release(&diag);
	remove_outdir(dir);
}

static void test_run_series_from_stream(void **state)
{
	char dir[64];
	diag_sink diag;
	ss_error e;
	const char *gaps;

	(void)state;
	make_outdir(dir, sizeof dir);
	write_file(dir, "clean/targets.csv",
		   "year,scope,indicator,op,target,deadline,source,src_line\n"
		   "2025-2026,S1,promotion_rate,>=,90,2027,plan,2\n"
		   "2024-2025,S9,promotion_rate,>=,90,,plan,3\n");
	/* S1: no 2025-2026 row, so 2024-2025 is the baseline, recomputed
	 * from the counts (89/100 -> 89, not the 89.9 written); the 2023-2024
	 * row gives the trend. Other scopes and indicators are skipped. */
	write_file(dir, "indicators.csv",
		   "year,scope,indicator,value,numerator,denominator\n"
		   "2023-2024,S1,promotion_rate,85,85,100\n"
		   "2024-2025,S2,promotion_rate,50,50,100\n"
		   "2024-2025,S1,students,100,100,1\n"
		   "2024-2025,S1,promotion_rate,89.9,89,100\n");
	err_clear(&e);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(gap_run(dir, &diag, &e), SS_OK);
	gaps = read_file(dir, "gaps.csv");
	assert_non_null(strstr(gaps,
			       "\n2025-2026,S1,promotion_rate,>=,90,89,2024-2025,baseline,-1,not_met,2027,4,97,0.5,yes,plan,2\n"));
	assert_non_null(strstr(gaps,
			       "\n2024-2025,S9,promotion_rate,>=,90,,,,,no_data,,,,,,plan,3\n"));
	assert_int_equal(diag.nmessages, 1);
	diag_release(&diag);
	remove_outdir(dir);
}

/* Series are told apart by scope and indicator themselves, not by a key
 * joined from them: neither a separator byte inside a name nor a long
 * name makes one series answer for another. */
static void test_run_series_keys_exact(void **state)
{
	char dir[64], long1[700], long2[700], text[4096];
	diag_sink diag;
	ss_error e;
	const char *gaps;

	(void)state;
	make_outdir(dir, sizeof dir);
	memset(long1, 'a', 600);
	strcpy(long1 + 600, "1");
	memcpy(long2, long1, 600);
	strcpy(long2 + 600, "2");
	snprintf(text, sizeof text,
		 "year,scope,indicator,op,target,deadline,source,src_line\n"
		 "2024-2025,%s,promotion_rate,>=,90,,plan,2\n"
		 "2024-2025,%s,promotion_rate,>=,90,,plan,3\n"
		 "2024-2025,S\x1fpromotion,rate,>=,90,,plan,4\n",
		 long1, long2);
	write_file(dir, "clean/targets.csv", text);
	snprintf(text, sizeof text,
		 "year,scope,indicator,value,numerator,denominator\n"
		 "2024-2025,%s,promotion_rate,95,95,100\n"
		 "2024-2025,S,promotion\x1frate,95,95,100\n",
		 long1);
	write_file(dir, "indicators.csv", text);
	err_clear(&e);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(gap_run(dir, &diag, &e), SS_OK);
	gaps = read_file(dir, "gaps.csv");
	snprintf(text, sizeof text,
		 "\n2024-2025,%s,promotion_rate,>=,90,95,2024-2025,actual,5,met,,,,,,plan,2\n"
		 "2024-2025,%s,promotion_rate,>=,90,,,,,no_data,,,,,,plan,3\n"
		 "2024-2025,S\x1fpromotion,rate,>=,90,,,,,no_data,,,,,,plan,4\n",
		 long1, long2);
	assert_non_null(strstr(gaps, text));
	assert_int_equal(diag.nmessages, 2);
	diag_release(&diag);
	remove_outdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_precision),
		cmocka_unit_test(test_bases),
		cmocka_unit_test(test_le_target),
		cmocka_unit_test(test_deadline_trend),
		cmocka_unit_test(test_trend_ignores_later_years),
		cmocka_unit_test(test_run_without_targets_skips_indicators),
		cmocka_unit_test(test_run_checks_every_indicator_row),
		cmocka_unit_test(test_run_series_from_stream),
		cmocka_unit_test(test_run_series_keys_exact),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
