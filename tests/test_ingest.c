/* Tests of the ingest module on fixture directories: every validation rule
 * with its exact file, line, column and message; counts; what reaches the
 * clean tables; and the failures that stop a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctable.h"
#include "diag.h"
#include "ingest.h"

#define BAD_DIR "tests/data/ingest/bad"

typedef struct expected_message {
	diag_severity severity;
	const char *code, *file;
	long line, column;
	const char *text;  /* substring of the message, or NULL */
} expected_message;

/* Columns counted by hand on the fixture lines (characters, from 1). */
static const expected_message bad_messages[] = {
	{ DIAG_ERROR, "bad_value", "schools.csv", 5, 15, "unknown level 'dai_hoc' (expected one of mam_non" },
	{ DIAG_ERROR, "duplicate_key", "schools.csv", 6, 1, "second row for (school_id) = (TH01) (expected one row per key; the first is on line 2)" },
	{ DIAG_ERROR, "bad_value", "schools.csv", 7, 54, "value out of range '3' (expected 1 to 2 for sessions_per_day)" },
	{ DIAG_ERROR, "unknown_school", "enrollment.csv", 3, 11, "unknown school id 'TH0l' (expected an id from schools.csv; did you mean 'TH01'?)" },
	{ DIAG_ERROR, "grade_outside_level", "enrollment.csv", 4, 16, "grade '7' outside the level of school TH01" },
	{ DIAG_ERROR, "duplicate_key", "enrollment.csv", 5, 1, "(year, school_id, grade) = (2024-2025, TH01, 1)" },
	{ DIAG_ERROR, "bad_value", "enrollment.csv", 6, 18, "negative count '-4'" },
	{ DIAG_ERROR, "bad_value", "enrollment.csv", 7, 20, "not a whole number '12.5'" },
	{ DIAG_ERROR, "bad_value", "enrollment.csv", 8, 20, "'abc'" },
	{ DIAG_ERROR, "too_few_fields", "enrollment.csv", 9, 18, "row has 4 fields (expected 5 as in the header)" },
	{ DIAG_ERROR, "too_many_fields", "enrollment.csv", 10, 24, "row has 6 fields (expected 5 as in the header)" },
	{ DIAG_WARNING, "students_without_classes", "enrollment.csv", 11, 18, "120 students but 0 classes" },
	{ DIAG_WARNING, "class_too_large", "enrollment.csv", 12, 20, "65.0 per class (expected at most 60)" },
	{ DIAG_ERROR, "bad_value", "enrollment.csv", 13, 1, "bad school year '2024-2026'" },
	{ DIAG_ERROR, "bad_quote", "enrollment.csv", 14, 1, "unclosed quote" },
	{ DIAG_WARNING, "outcomes_do_not_add_up", "promotion.csv", 2, 18, "= 139, not enrolled 140" },
	{ DIAG_ERROR, "grade_all_mixed", "promotion.csv", 3, 16, "beside per-grade rows on line 2" },
	{ DIAG_ERROR, "bad_value", "exam_summary.csv", 2, 43, "percentage above 100 '104'" },
	{ DIAG_ERROR, "bad_value", "exam_summary.csv", 3, 42, "value out of range '11' (expected 0 to 10 for mean)" },
	{ DIAG_WARNING, "above_quota", "staffing.csv", 2, 24, "permanent 20 above quota 18" },
	{ DIAG_ERROR, "bad_value", "staffing.csv", 3, 16, "unknown role 'principal'" },
	{ DIAG_ERROR, "percent_above_100", "targets.csv", 3, 33, "percentage above 100 '101' for promotion_rate" },
	{ DIAG_ERROR, "bad_value", "targets.csv", 4, 15, "unknown indicator 'bogus_rate'" },
	{ DIAG_ERROR, "unknown_school", "targets.csv", 5, 11, "unknown school id 'TH09'" },
	{ DIAG_ERROR, "bad_value", "targets.csv", 6, 15, "needs a suffix (expected exam_mean:<subject>, e.g. :toan)" },
	{ DIAG_WARNING, "standard_needs_quality", "accreditation.csv", 2, 8, "standard level 1 with quality level 1 (expected quality level >= 2)" },
	{ DIAG_ERROR, "bad_value", "accreditation.csv", 3, 10, "bad date '2023-02-29'" },
};

typedef struct fixture {
	char out[64];
	diag_sink diag;
	ingest_summary sum;
	ss_error err;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->out, sizeof f->out, "/tmp/test_ingest.XXXXXX");
	if (!mkdtemp(f->out))
		return -1;
	diag_init(&f->diag, NULL, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	diag_release(&f->diag);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->out);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static ss_status run(fixture *f, const char *input, num_style style)
{
	ingest_options opt = { input, f->out, style, NULL };

	return ingest_run(&opt, &f->diag, &f->sum, &f->err);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void test_every_rule_reported(void **state)
{
	fixture *f = *state;
	size_t n = sizeof bad_messages / sizeof bad_messages[0];

	assert_int_equal(run(f, BAD_DIR, NUM_STYLE_AUTO), SS_OK);
	assert_int_equal(f->diag.nmessages, n);
	for (size_t i = 0; i < n; i++) {
		const expected_message *x = &bad_messages[i];
		const diag_message *m = &f->diag.messages[i];

		if (m->severity != x->severity || strcmp(m->code, x->code) != 0 ||
		    !ends_with(m->file, x->file) || m->line != x->line ||
		    m->column != x->column ||
		    (x->text && !strstr(m->message, x->text)))
			fail_msg("message %zu: got %s %s %s:%ld:%ld '%s', expected %s %s:%ld:%ld '%s'",
				 i, m->severity == DIAG_ERROR ? "error" : "warning",
				 m->code, m->file, m->line, m->column,
				 m->message, x->code, x->file, x->line,
				 x->column, x->text);
	}
}

static void test_no_row_lost(void **state)
{
	fixture *f = *state;
	long long read = 0, accepted = 0, rejected = 0;

	assert_int_equal(run(f, BAD_DIR, NUM_STYLE_AUTO), SS_OK);
	for (size_t i = 0; i < f->sum.ntables; i++) {
		const ingest_table_summary *t = &f->sum.tables[i];

		assert_int_equal(t->read, t->accepted + t->rejected);
		read += t->read;
		accepted += t->accepted;
		rejected += t->rejected;
	}
	/* 6 + 14 + 2 + 3 + 2 + 6 + 4 data rows in the fixture files; the last
	 * accreditation row falls under the 2026 rules: no pairing warning */
	assert_int_equal(read, 37);
	assert_int_equal(rejected, (long long)f->diag.nrejects);
	assert_int_equal(f->diag.nerrors, 22);
	assert_int_equal(f->diag.nwarnings, 5);
	assert_int_equal(accepted, 37 - 22);
	/* each reject keeps the row verbatim */
	assert_string_equal(f->diag.rejects[3].raw, "2024-2025,TH0l,2,4,140");
	assert_int_equal(f->diag.rejects[3].line, 3);
}

static void test_clean_tables(void **state)
{
	fixture *f = *state;
	char path[128];
	ctable t;
	ss_error e;

	assert_int_equal(run(f, BAD_DIR, NUM_STYLE_AUTO), SS_OK);
	snprintf(path, sizeof path, "%s/clean/enrollment.csv", f->out);
	assert_int_equal(ctable_load(&t, path, &e), SS_OK);
	/* lines 2, 11, 12 and 15 survive; 15 follows the broken quote */
	assert_int_equal(t.nrows, 4);
	assert_string_equal(ctable_get(&t, 3, ctable_col(&t, "grade")), "9");
	assert_string_equal(ctable_get(&t, 3, ctable_col(&t, "src_line")), "15");
	assert_int_equal(ctable_col(&t, "female"), 5);
	ctable_release(&t);

	snprintf(path, sizeof path, "%s/clean/schools.csv", f->out);
	assert_int_equal(ctable_load(&t, path, &e), SS_OK);
	assert_int_equal(t.nrows, 3);
	ctable_release(&t);

	snprintf(path, sizeof path, "%s/clean/targets.csv", f->out);
	assert_int_equal(ctable_load(&t, path, &e), SS_OK);
	assert_int_equal(t.nrows, 2);
	assert_string_equal(ctable_get(&t, 0, ctable_col(&t, "target")), "98");
	ctable_release(&t);

	snprintf(path, sizeof path, "%s/clean/exam_summary.csv", f->out);
	assert_int_equal(ctable_load(&t, path, &e), SS_OK);
	assert_int_equal(t.nrows, 1);
	assert_string_equal(ctable_get(&t, 0, ctable_col(&t, "subject")), "tieng_anh");
	ctable_release(&t);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void test_missing_schools_is_io_error(void **state)
{
	fixture *f = *state;
	char in[128];

	snprintf(in, sizeof in, "%s/in", f->out);
	assert_int_equal(mkdir(in, 0777), 0);
	assert_int_equal(run(f, in, NUM_STYLE_AUTO), SS_EIO);
	assert_non_null(strstr(f->err.file, "schools.csv"));
	assert_int_equal(run(f, "/nonexistent/dir", NUM_STYLE_AUTO), SS_EIO);
	assert_non_null(strstr(f->err.msg, "No such file"));
}

static void test_missing_column_rejects_every_row(void **state)
{
	fixture *f = *state;
	char in[128];

	snprintf(in, sizeof in, "%s/in", f->out);
	assert_int_equal(mkdir(in, 0777), 0);
	write_file(in, "schools.csv",
		   "school_id,name,level,ownership,commune\n"
		   "TH01,A,tieu_hoc,cong_lap,X\n");
	write_file(in, "enrollment.csv",
		   "Năm học,Mã trường,Khối,Số lớp,Ghi chú\n"
		   "2024-2025,TH01,1,3,x\n2024-2025,TH01,2,3,y\n");
	assert_int_equal(run(f, in, NUM_STYLE_AUTO), SS_OK);
	assert_int_equal(f->sum.tables[1].rejected, 2);
	assert_int_equal(f->diag.nrejects, 2);
	assert_string_equal(f->diag.rejects[0].reason,
			    "enrollment.csv lacks required column 'students' (expected it in the header)");
	/* the unknown column is named, with its position */
	assert_string_equal(f->diag.messages[0].code, "unknown_column");
	assert_int_equal(f->diag.messages[0].column, 31);
	assert_string_equal(f->diag.messages[1].code, "missing_column");
}

static void test_vietnamese_style_detected(void **state)
{
	fixture *f = *state;
	char in[128], path[128];
	ctable t;
	ss_error e;

	snprintf(in, sizeof in, "%s/in", f->out);
	assert_int_equal(mkdir(in, 0777), 0);
	write_file(in, "schools.csv",
		   "\xEF\xBB\xBFMÃ TRƯỜNG;Tên trường;Cấp học;Loại hình;Xã/Phường\r\n"
		   "CS01;Trường THCS A;THCS;Công lập;Phường 1\r\n");
	/* tab-delimited with a decimal comma: the cells vote Vietnamese */
	write_file(in, "exam_summary.csv",
		   "year\texam\tschool_id\tsubject\tcandidates\tmean\n"
		   "2024-2025\tts10\tCS01\tToán\t1.062\t6,25\n");
	assert_int_equal(run(f, in, NUM_STYLE_AUTO), SS_OK);
	assert_int_equal(f->sum.tables[0].delimiter, ';');
	assert_int_equal(f->sum.tables[0].had_bom, 1);
	assert_int_equal(f->sum.tables[4].style, NUM_STYLE_VI);
	snprintf(path, sizeof path, "%s/clean/exam_summary.csv", f->out);
	assert_int_equal(ctable_load(&t, path, &e), SS_OK);
	assert_string_equal(ctable_get(&t, 0, ctable_col(&t, "candidates")), "1062");
	assert_string_equal(ctable_get(&t, 0, ctable_col(&t, "mean")), "6.25");
	assert_string_equal(ctable_get(&t, 0, ctable_col(&t, "subject")), "toan");
	ctable_release(&t);
}

static void test_target_rules(void **state)
{
	fixture *f = *state;
	char in[128];

	snprintf(in, sizeof in, "%s/in", f->out);
	assert_int_equal(mkdir(in, 0777), 0);
	write_file(in, "schools.csv",
		   "school_id,name,level,ownership,commune\n"
		   "TH01,A,tieu_hoc,cong_lap,X\n");
	/* line 2: a count with '%'; line 3: a deadline inside its own
	 * school year (2029-2030 ends in 2030); line 4 is fine */
	write_file(in, "targets.csv",
		   "year,scope,indicator,op,target,deadline\n"
		   "2024-2025,all,students,>=,50%,\n"
		   "2029-2030,all,promotion_rate,>=,99,2029\n"
		   "2029-2030,all,promotion_rate,>=,99,2030\n");
	assert_int_equal(run(f, in, NUM_STYLE_AUTO), SS_OK);
	assert_int_equal(f->diag.nrejects, 2);
	assert_string_equal(f->diag.messages[0].code, "unexpected_percent");
	assert_int_equal(f->diag.messages[0].line, 2);
	assert_string_equal(f->diag.messages[1].code, "deadline_before_year");
	assert_int_equal(f->diag.messages[1].line, 3);
	assert_int_equal(f->sum.tables[6].accepted, 1);
}

static void test_suggest_id(void **state)
{
	const char *ids[] = { "TH01", "TH02", "THCS01", "MN01" };

	(void)state;
	assert_string_equal(ingest_suggest_id("TH0l", ids, 4), "TH01");
	assert_string_equal(ingest_suggest_id("thcs01", ids, 4), "THCS01");
	/* TH03 is one edit from both TH01 and TH02: no guess */
	assert_null(ingest_suggest_id("TH03", ids, 4));
	/* O for 0 is a likelier slip than 3 for 1 */
	assert_string_equal(ingest_suggest_id("THO2", ids, 4), "TH02");
	assert_null(ingest_suggest_id("XYZ999", ids, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_rule_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_row_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_schools_is_io_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_column_rejects_every_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vietnamese_style_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_rules, setup, teardown),
		cmocka_unit_test(test_suggest_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
