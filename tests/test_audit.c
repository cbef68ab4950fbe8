/* Tests of the audits: the combination arithmetic, the contradiction rule
 * for each operator, and both audits on a hand-computed fixture
 * (tests/data/audit, arithmetic in its comments). */
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

static void test_indicators_read_only_for_audited_targets(void **state)
{
	const char *const names[] = { "clean/schools.csv", "clean/targets.csv",
				      "indicators.csv", "clean", NULL };
	char dir[64], path[600];
	audit_options opt;
	diag_sink diag;
	ss_error e;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_audit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/clean", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	audit_options_default(&opt);
	write_file(dir, "clean/schools.csv",
		   "school_id,level\nTH01,tieu_hoc\nTH02,tieu_hoc\n");
	write_file(dir, "indicators.csv",
		   "year,scope,indicator,value,numerator,denominator\n"
		   "2024-2025,TH01,promotion_rate,98,294,300\n"
		   "2024-2025,TH02,promotion_rate,99\n");
	/* school targets only: no weight is ever needed, so indicators.csv
	 * is not read and its broken row goes unnoticed */
	write_file(dir, "clean/targets.csv",
		   "year,scope,indicator,op,target,deadline,src_line\n"
		   "2024-2025,TH01,promotion_rate,>=,98,,2\n");
	err_clear(&e);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(audit_run(dir, &opt, &diag, &e), SS_OK);
	diag_release(&diag);
	/* a level target needs the weights: the file is read, every row
	 * checked as a whole-table load checks it */
	write_file(dir, "clean/targets.csv",
		   "year,scope,indicator,op,target,deadline,src_line\n"
		   "2024-2025,level:tieu_hoc,promotion_rate,>=,99,,2\n");
	err_clear(&e);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(audit_run(dir, &opt, &diag, &e), SS_EDATA);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.column, 1);
	assert_string_equal(e.msg, "row has 4 fields (expected 6)");
	diag_release(&diag);
	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		remove(path);
	}
	rmdir(dir);
}

/* Weights are looked up by the exact (year, school, indicator): school ids
 * that agree on their first 600 bytes keep their own denominators. With
 * the weights 300 and 100 the schools' targets combine to 85, which the
 * level target of 88 contradicts; had the second school taken the first
 * one's weight they would combine to 90 and nothing would be reported. */
static void test_weights_keys_exact(void **state)
{
	const char *const names[] = { "clean/schools.csv", "clean/targets.csv",
				      "indicators.csv", "clean", NULL };
	char dir[64], path[600], id1[700], id2[700], text[8192];
	audit_options opt;
	diag_sink diag;
	ss_error e;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_audit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/clean", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	audit_options_default(&opt);
	memset(id1, 'S', 600);
	strcpy(id1 + 600, "1");
	memcpy(id2, id1, 600);
	strcpy(id2 + 600, "2");
	snprintf(text, sizeof text, "school_id,level\n%s,tieu_hoc\n%s,tieu_hoc\n",
		 id1, id2);
	write_file(dir, "clean/schools.csv", text);
	snprintf(text, sizeof text,
		 "year,scope,indicator,value,numerator,denominator\n"
		 "2024-2025,%s,promotion_rate,80,240,300\n"
		 "2024-2025,%s,promotion_rate,100,100,100\n",
		 id1, id2);
	write_file(dir, "indicators.csv", text);
	snprintf(text, sizeof text,
		 "year,scope,indicator,op,target,deadline,src_line\n"
		 "2024-2025,level:tieu_hoc,promotion_rate,>=,88,,2\n"
		 "2024-2025,%s,promotion_rate,>=,80,,3\n"
		 "2024-2025,%s,promotion_rate,>=,100,,4\n",
		 id1, id2);
	write_file(dir, "clean/targets.csv", text);
	err_clear(&e);
	diag_init(&diag, NULL, NULL);
	assert_int_equal(audit_run(dir, &opt, &diag, &e), SS_OK);
	assert_int_equal(diag.nmessages, 1);
	assert_string_equal(diag.messages[0].code, "target_contradicts_schools");
	diag_release(&diag);
	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		remove(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_contradicts),
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_indicators_read_only_for_audited_targets),
		cmocka_unit_test(test_weights_keys_exact),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
