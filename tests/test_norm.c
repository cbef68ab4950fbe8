/* Tests for norm. Expected numbers are worked out by hand from the rules
 * in include/norm.h and data/norms.md (the arithmetic is in the comments),
 * and the contract's example: 30 classes, 50 teachers at 1.9 -> 1.667,
 * shortfall ceil(57 - 50) = 7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctable.h"
#include "diag.h"
#include "norm.h"

/* cmocka 1.1.5's assert_float_equal casts to float; this keeps doubles. */
static void check_near(const char *what, double got, double want)
{
	double scale = fabs(got) > fabs(want) ? fabs(got) : fabs(want);

	if (got != want && fabs(got - want) > 1e-12 * scale)
		fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* ------------------------------------------------------------ helpers */

/* Loads a ctable from text (through a scratch file, as the stage reads
 * one); its path is name, so messages read as the tests expect.
 * Released with ctable_release. */
static void make_ctable(ctable *t, const char *name, const char *text)
{
	char dir[] = "/tmp/test_norm.XXXXXX", path[64];
	FILE *f;
	ss_error e;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.csv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	if (ctable_load(t, path, &e) != SS_OK)
		fail_msg("%s: %s", name, e.msg);
	unlink(path);
	rmdir(dir);
	free(t->path);
	t->path = strdup(name);
	assert_non_null(t->path);
}

#define HEADER                                                             \
	"norm,level,grade,sessions_per_day,region,value,valid_from,valid_to," \
	"regulation,article,note\n"

/* A small table with a change of rule between years and every kind of
 * key (hand-made; not the shipped data/norms.csv). */
static const char small_table[] =
	HEADER
	"leftover_rounding,*,*,*,*,floor,2020-2021,2029-2030,TT,1,\n"
	"leftover_rounding,*,*,*,*,half_up,2030-2031,,TT,1,\n"
	"count_managers,*,*,*,*,no,2020-2021,2024-2025,TT,1,\n"
	"count_managers,*,*,*,*,yes,2025-2026,,TT,1,\n"
	"teachers_per_class,thcs,*,*,*,1.8,2020-2021,2022-2023,Old,7,\n"
	"teachers_per_class,thcs,*,*,*,1.9,2023-2024,,New,12,\n"
	"teachers_per_class,tieu_hoc,*,1,*,1.2,2020-2021,,New,7,\n"
	"teachers_per_class,tieu_hoc,*,2,*,1.5,2020-2021,,New,7,\n"
	"teachers_per_class,mam_non,nha_tre,*,*,2.5,2020-2021,,TT19,5,\n"
	"teachers_per_class,mam_non,mg_3,*,*,2.2,2020-2021,,TT19,5,\n"
	"students_per_class,thcs,*,*,*,45,2020-2021,,Charter,16,\n"
	"students_per_class,thcs,9,*,*,40,2020-2021,,Special,1,\n"
	"students_per_class,mam_non,all,*,*,35,2020-2021,,Charter,15,\n"
	"posts_class_size,tieu_hoc,*,*,1,25,2023-2024,,TT20,3,\n"
	"posts_class_size,tieu_hoc,*,*,2,30,2023-2024,,TT20,3,\n"
	"posts_class_size,tieu_hoc,*,*,3,35,2023-2024,,TT20,3,\n"
	"posts_extra,tieu_hoc,*,*,*,1,2023-2024,,TT20,7,\n";

static void load_small(norm_table *t)
{
	ctable src;
	ss_error e;

	err_clear(&e);
	make_ctable(&src, "small.csv", small_table);
	if (norm_table_from_ctable(t, &src, &e) != SS_OK)
		fail_msg("small table: %s:%ld:%ld: %s", e.file, e.line,
			 e.column, e.msg);
	ctable_release(&src);
}

/* ------------------------------------------------------------ domains */

static void test_domains(void **state)
{
	(void)state;
	for (int l = 0; l < NORM_NLEVELS; l++)
		assert_int_equal(norm_level_parse(norm_level_name(l)), l);
	for (int g = 0; g < NORM_NGRADES; g++)
		assert_int_equal(norm_grade_parse(norm_grade_name(g)), g);
	assert_int_equal(norm_level_parse("THCS"), -1);
	assert_int_equal(norm_level_parse(""), -1);
	assert_int_equal(norm_grade_parse("13"), -1);
	assert_int_equal(norm_grade_parse("mg_6"), -1);
	assert_string_equal(norm_level_name(NORM_ANY), "*");
	assert_string_equal(norm_grade_name(99), "*");

	assert_int_equal(norm_grade_level(norm_grade_parse("nha_tre")),
			 NORM_MAM_NON);
	assert_int_equal(norm_grade_level(norm_grade_parse("mg_5")),
			 NORM_MAM_NON);
	assert_int_equal(norm_grade_level(norm_grade_parse("5")),
			 NORM_TIEU_HOC);
	assert_int_equal(norm_grade_level(norm_grade_parse("6")), NORM_THCS);
	assert_int_equal(norm_grade_level(norm_grade_parse("9")), NORM_THCS);
	assert_int_equal(norm_grade_level(norm_grade_parse("10")), NORM_THPT);
	assert_int_equal(norm_grade_level(NORM_GRADE_ALL), -1);

	assert_true(norm_level_has_grade(NORM_TH_THCS, norm_grade_parse("5")));
	assert_true(norm_level_has_grade(NORM_TH_THCS, norm_grade_parse("9")));
	assert_false(norm_level_has_grade(NORM_TH_THCS,
					  norm_grade_parse("10")));
	assert_true(norm_level_has_grade(NORM_THCS_THPT,
					 norm_grade_parse("12")));
	assert_false(norm_level_has_grade(NORM_THCS_THPT,
					  norm_grade_parse("5")));
	assert_false(norm_level_has_grade(NORM_TIEU_HOC,
					  norm_grade_parse("7")));
	assert_true(norm_level_has_grade(NORM_MAM_NON, NORM_GRADE_ALL));
	assert_false(norm_level_has_grade(-1, NORM_GRADE_ALL));
}

static void test_years(void **state)
{
	static const struct {
		const char *s;
		int ok, first;
	} cases[] = {
		{ "2024-2025", 1, 2024 }, { "1999-2000", 1, 1999 },
		{ "2024-2026", 0, 0 },    { "2025-2024", 0, 0 },
		{ "2024", 0, 0 },         { "2024/2025", 0, 0 },
		{ "20a4-2025", 0, 0 },    { "2024-2025 ", 0, 0 },
		{ "", 0, 0 },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int first = -1;

		assert_int_equal(norm_year_parse(cases[i].s, &first),
				 cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(first, cases[i].first);
		else
			assert_int_equal(first, -1);
	}
	assert_string_equal(norm_year_format(2023, buf, sizeof buf),
			    "2023-2024");
}

/* ------------------------------------------------------------ lookup */

static void test_lookup(void **state)
{
	static const struct {
		const char *norm;
		int level, grade, sessions, region, year;
		int found;
		double value;
		const char *article; /* which row won */
	} cases[] = {
		/* a change of rule between years: 1.8 until 2022-2023 */
		{ "teachers_per_class", NORM_THCS, NORM_GRADE_1 + 6, 2, 3, 2022,
		  1, 1.8, "7" },
		{ "teachers_per_class", NORM_THCS, NORM_GRADE_1 + 6, 2, 3, 2023,
		  1, 1.9, "12" },
		{ "teachers_per_class", NORM_THCS, NORM_GRADE_ALL, 2, 3, 2040,
		  1, 1.9, "12" },
		/* the first valid year, and one before valid_from */
		{ "teachers_per_class", NORM_THCS, NORM_ANY, 2, 3, 2020, 1, 1.8,
		  "7" },
		{ "teachers_per_class", NORM_THCS, NORM_ANY, 2, 3, 2019, 0, 0,
		  NULL },
		/* sessions pick the primary ratio */
		{ "teachers_per_class", NORM_TIEU_HOC, NORM_GRADE_1, 1, 3, 2024,
		  1, 1.2, "7" },
		{ "teachers_per_class", NORM_TIEU_HOC, NORM_GRADE_1, 2, 3, 2024,
		  1, 1.5, "7" },
		{ "teachers_per_class", NORM_TIEU_HOC, NORM_GRADE_1, 0, 3, 2024,
		  0, 0, NULL },
		/* grade-specific rows */
		{ "teachers_per_class", NORM_MAM_NON, NORM_GRADE_NHA_TRE, 2, 3,
		  2024, 1, 2.5, "5" },
		{ "teachers_per_class", NORM_MAM_NON, NORM_GRADE_MG_3, 1, 1,
		  2024, 1, 2.2, "5" },
		{ "teachers_per_class", NORM_MAM_NON, NORM_GRADE_MG_4, 2, 3,
		  2024, 0, 0, NULL },
		{ "teachers_per_class", NORM_MAM_NON, NORM_GRADE_ALL, 2, 3,
		  2024, 0, 0, NULL },
		/* the most specific row wins: grade 9 has its own */
		{ "students_per_class", NORM_THCS, NORM_GRADE_1 + 8, 2, 3, 2024,
		  1, 40, "1" },
		{ "students_per_class", NORM_THCS, NORM_GRADE_1 + 7, 2, 3, 2024,
		  1, 45, "16" },
		/* a level-as-a-whole key matches only grade '*' rows */
		{ "students_per_class", NORM_THCS, NORM_ANY, 2, 3, 2024, 1, 45,
		  "16" },
		{ "students_per_class", NORM_MAM_NON, NORM_ANY, 2, 3, 2024, 0, 0,
		  NULL },
		{ "students_per_class", NORM_MAM_NON, NORM_GRADE_ALL, 2, 3, 2024,
		  1, 35, "15" },
		/* regions */
		{ "posts_class_size", NORM_TIEU_HOC, NORM_ANY, 2, 1, 2024, 1, 25,
		  "3" },
		{ "posts_class_size", NORM_TIEU_HOC, NORM_ANY, 2, 2, 2024, 1, 30,
		  "3" },
		{ "posts_class_size", NORM_TIEU_HOC, NORM_ANY, 2, 3, 2024, 1, 35,
		  "3" },
		{ "posts_class_size", NORM_TIEU_HOC, NORM_ANY, 2, 0, 2024, 0, 0,
		  NULL },
		{ "posts_class_size", NORM_TIEU_HOC, NORM_ANY, 2, 3, 2022, 0, 0,
		  NULL },
		{ "posts_class_size", NORM_THCS, NORM_ANY, 2, 3, 2024, 0, 0,
		  NULL },
		{ "no_such_norm", NORM_THCS, NORM_ANY, 2, 3, 2024, 0, 0, NULL },
	};
	norm_table t;

	(void)state;
	load_small(&t);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		norm_key k = { cases[i].norm, cases[i].level, cases[i].grade,
			       cases[i].sessions, cases[i].region,
			       cases[i].year };
		const norm_row *r = NULL;
		double v = -1;
		ss_error e;
		ss_status st;

		err_clear(&e);
		st = norm_lookup(&t, &k, &r, &e);
		if (cases[i].found) {
			if (st != SS_OK)
				fail_msg("case %zu: %s", i, e.msg);
			check_near("value", r->value, cases[i].value);
			assert_string_equal(r->article, cases[i].article);
			assert_int_equal(norm_lookup_value(&t, &k, &v, &e),
					 SS_OK);
			check_near("lookup_value", v, cases[i].value);
		} else {
			char year[16];

			assert_int_equal(st, SS_EDATA);
			assert_null(r);
			/* the message names the norm and the school year */
			assert_non_null(strstr(e.msg, cases[i].norm));
			norm_year_format(cases[i].year, year, sizeof year);
			assert_non_null(strstr(e.msg, year));
			assert_string_equal(e.file, "small.csv");
			assert_int_equal(norm_lookup_value(&t, &k, &v, &e),
					 SS_EDATA);
			check_near("untouched", v, -1);
		}
	}
	norm_table_release(&t);
}

static void test_lookup_message(void **state)
{
	norm_table t;
	norm_key k = { "teachers_per_class", NORM_THCS, NORM_GRADE_1 + 6, 2, 3,
		       2019 };
	const norm_row *r;
	ss_error e;

	(void)state;
	load_small(&t);
	err_clear(&e);
	assert_int_equal(norm_lookup(&t, &k, &r, &e), SS_EDATA);
	assert_string_equal(e.msg,
			    "no norm 'teachers_per_class' for level thcs, "
			    "grade 7, 2 session(s) a day, region 3 valid in "
			    "school year 2019-2020 (expected a row whose "
			    "valid_from..valid_to covers it)");
	norm_table_release(&t);
}

static void test_settings(void **state)
{
	static const struct {
		int year;
		norm_rounding rounding;
		int managers;
	} cases[] = {
		{ 2020, NORM_ROUND_FLOOR, 0 },
		{ 2024, NORM_ROUND_FLOOR, 0 },
		{ 2025, NORM_ROUND_FLOOR, 1 },
		{ 2030, NORM_ROUND_HALF_UP, 1 },
	};
	norm_table t;
	norm_rounding r;
	int m;
	ss_error e;

	(void)state;
	load_small(&t);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(norm_setting_rounding(&t, cases[i].year, &r,
						       &e), SS_OK);
		assert_int_equal(r, cases[i].rounding);
		assert_int_equal(norm_setting_count_managers(&t, cases[i].year,
							     &m, &e), SS_OK);
		assert_int_equal(m, cases[i].managers);
	}
	err_clear(&e);
	assert_int_equal(norm_setting_rounding(&t, 2019, &r, &e), SS_EDATA);
	assert_non_null(strstr(e.msg, "'leftover_rounding'"));
	assert_non_null(strstr(e.msg, "2019-2020"));
	assert_int_equal(norm_setting_count_managers(&t, 2019, &m, &e),
			 SS_EDATA);
	assert_non_null(strstr(e.msg, "'count_managers'"));

	assert_int_equal(norm_rounding_parse("floor"), NORM_ROUND_FLOOR);
	assert_int_equal(norm_rounding_parse("half_up"), NORM_ROUND_HALF_UP);
	assert_int_equal(norm_rounding_parse("fraction"),
			 NORM_ROUND_FRACTION);
	assert_int_equal(norm_rounding_parse("round"), -1);
	assert_string_equal(norm_rounding_name(NORM_ROUND_HALF_UP), "half_up");
	assert_string_equal(norm_rounding_name((norm_rounding)7), "?");
	norm_table_release(&t);
}

/* ------------------------------------------------------------ table errors */

static void test_table_errors(void **state)
{
	static const struct {
		const char *rows; /* after the header (line 1) */
		long line, column;
		const char *msg;
	} cases[] = {
		{ "teacher_per_class,thcs,*,*,*,1.9,2023-2024,,T,1,\n", 2, 1,
		  "unknown norm 'teacher_per_class' (expected "
		  "teachers_per_class, students_per_class, posts_class_size, "
		  "posts_leftover, posts_extra, leftover_rounding or "
		  "count_managers)" },
		{ "teachers_per_class,THCS,*,*,*,1.9,2023-2024,,T,1,\n", 2, 20,
		  "unknown level 'THCS' (expected mam_non, tieu_hoc, thcs, "
		  "thpt, th_thcs, thcs_thpt or *)" },
		{ "teachers_per_class,thcs,13,*,*,1.9,2023-2024,,T,1,\n", 2, 25,
		  "unknown grade '13' (expected nha_tre, mg_3, mg_4, mg_5, 1 to "
		  "12, all or *)" },
		{ "teachers_per_class,thcs,5,*,*,1.9,2023-2024,,T,1,\n", 2, 25,
		  "grade not in the level '5' (expected a grade of the row's "
		  "level)" },
		{ "teachers_per_class,thcs,*,3,*,1.9,2023-2024,,T,1,\n", 2, 27,
		  "bad value '3' (expected 1 to 2 or *)" },
		{ "teachers_per_class,thcs,*,*,4,1.9,2023-2024,,T,1,\n", 2, 29,
		  "bad value '4' (expected 1 to 3 or *)" },
		{ "teachers_per_class,thcs,*,*,*,1;9,2023-2024,,T,1,\n", 2, 31,
		  "not a number '1;9' (expected teachers per class, a number > "
		  "0)" },
		{ "teachers_per_class,thcs,*,*,*,inf,2023-2024,,T,1,\n", 2, 31,
		  "not a number 'inf' (expected teachers per class, a number > "
		  "0)" },
		{ "teachers_per_class,thcs,*,*,*,,2023-2024,,T,1,\n", 2, 31,
		  "not a number '' (expected teachers per class, a number > "
		  "0)" },
		{ "teachers_per_class,thcs,*,*,*,0,2023-2024,,T,1,\n", 2, 31,
		  "bad value '0' (expected teachers per class, a number > 0)" },
		{ "posts_class_size,thcs,*,*,3,35.5,2023-2024,,T,1,\n", 2, 29,
		  "bad value '35.5' (expected an average class size, a whole "
		  "number > 0)" },
		{ "posts_extra,thcs,*,*,*,-1,2023-2024,,T,1,\n", 2, 24,
		  "bad value '-1' (expected extra teacher posts per school, a "
		  "number >= 0)" },
		{ "leftover_rounding,*,*,*,*,round,2023-2024,,T,1,\n", 2, 27,
		  "unknown setting 'round' (expected floor, half_up or "
		  "fraction)" },
		{ "count_managers,*,*,*,*,true,2023-2024,,T,1,\n", 2, 24,
		  "unknown setting 'true' (expected no or yes)" },
		{ "teachers_per_class,thcs,*,*,*,1.9,2023,,T,1,\n", 2, 35,
		  "bad school year '2023' (expected a school year such as "
		  "2023-2024)" },
		{ "teachers_per_class,thcs,*,*,*,1.9,2023-2024,2024,T,1,\n", 2,
		  45, "bad school year '2024' (expected a school year such as "
		  "2023-2024, or empty)" },
		{ "teachers_per_class,thcs,*,*,*,1.9,2023-2024,2022-2023,T,1,\n",
		  2, 45, "valid_to before valid_from '2022-2023' (expected a "
		  "school year not before valid_from)" },
		/* overlaps: same key, overlapping years, same specificity */
		{ "teachers_per_class,thcs,*,*,*,1.9,2023-2024,,T,1,\n"
		  "teachers_per_class,thcs,*,*,*,2.0,2025-2026,,T,1,\n", 3, 1,
		  "row overlaps line 2 for norm 'teachers_per_class' in the "
		  "same school years (expected one row per level, grade, "
		  "sessions, region and year)" },
		{ "teachers_per_class,thcs,*,2,*,1.9,2023-2024,,T,1,\n"
		  "teachers_per_class,thcs,7,*,*,2.0,2020-2021,2023-2024,T,1,\n",
		  3, 1,
		  "row overlaps line 2 for norm 'teachers_per_class' in the "
		  "same school years (expected one row per level, grade, "
		  "sessions, region and year)" },
		{ "count_managers,*,*,*,*,no,2017-2018,,T,1,\n"
		  "count_managers,,,,,yes,2017-2018,2017-2018,T,1,\n", 3, 1,
		  "row overlaps line 2 for norm 'count_managers' in the same "
		  "school years (expected one row per level, grade, sessions, "
		  "region and year)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[1024];
		ctable src;
		norm_table t;
		ss_error e;

		snprintf(text, sizeof text, "%s%s", HEADER, cases[i].rows);
		make_ctable(&src, "bad.csv", text);
		err_clear(&e);
		assert_int_equal(norm_table_from_ctable(&t, &src, &e),
				 SS_EDATA);
		if (strcmp(e.msg, cases[i].msg) != 0 ||
		    e.line != cases[i].line || e.column != cases[i].column)
			fail_msg("case %zu: got %ld:%ld '%s'", i, e.line,
				 e.column, e.msg);
		assert_string_equal(e.file, "bad.csv");
		assert_int_equal(t.nrows, 0);
		assert_null(t.rows);
		norm_table_release(&t);
		ctable_release(&src);
	}
}

static void test_table_no_overlap(void **state)
{
	/* Not overlaps: disjoint years, different sessions, or a more
	 * specific row beside a general one. */
	static const char text[] =
		HEADER
		"teachers_per_class,thcs,*,*,*,1.8,2020-2021,2022-2023,T,1,\n"
		"teachers_per_class,thcs,*,*,*,1.9,2023-2024,,T,1,\n"
		"teachers_per_class,tieu_hoc,*,1,*,1.2,2020-2021,,T,1,\n"
		"teachers_per_class,tieu_hoc,*,2,*,1.5,2020-2021,,T,1,\n"
		"teachers_per_class,tieu_hoc,3,2,*,1.6,2020-2021,,T,1,\n"
		"students_per_class,*,*,*,*,40,2020-2021,,T,1,\n"
		"students_per_class,thcs,*,*,*,45,2020-2021,,T,1,\n";
	ctable src;
	norm_table t;
	ss_error e;
	norm_key k = { "teachers_per_class", NORM_TIEU_HOC, NORM_GRADE_1 + 2,
		       2, 3, 2024 };
	double v;

	(void)state;
	make_ctable(&src, "ok.csv", text);
	assert_int_equal(norm_table_from_ctable(&t, &src, &e), SS_OK);
	assert_int_equal(t.nrows, 7);
	assert_int_equal(t.rows[1].valid_to, INT_MAX);
	assert_int_equal(t.rows[0].valid_to, 2022);
	assert_int_equal(t.rows[0].line, 2);
	assert_int_equal(norm_lookup_value(&t, &k, &v, &e), SS_OK);
	check_near("grade 3 own row", v, 1.6);
	k.grade = NORM_GRADE_1 + 3;
	assert_int_equal(norm_lookup_value(&t, &k, &v, &e), SS_OK);
	check_near("grade 4 level row", v, 1.5);
	k.norm = "students_per_class";
	k.level = NORM_THPT;
	assert_int_equal(norm_lookup_value(&t, &k, &v, &e), SS_OK);
	check_near("any-level row", v, 40);
	norm_table_release(&t);
	ctable_release(&src);
}

static void test_table_missing_column(void **state)
{
	ctable src;
	norm_table t;
	ss_error e;

	(void)state;
	make_ctable(&src, "cols.csv",
		    "norm,level,grade,sessions_per_day,region,value,"
		    "valid_from,regulation,article\n");
	assert_int_equal(norm_table_from_ctable(&t, &src, &e), SS_EDATA);
	assert_string_equal(e.msg,
			    "missing column 'valid_to' (expected norm,level,"
			    "grade,sessions_per_day,region,value,valid_from,"
			    "valid_to,regulation,article,note)");
	assert_int_equal(e.line, 1);
	norm_table_release(&t);
	ctable_release(&src);

	/* note is optional; an empty table is a valid (useless) table */
	make_ctable(&src, "nonote.csv",
		    "norm,level,grade,sessions_per_day,region,value,"
		    "valid_from,valid_to,regulation,article\n"
		    "teachers_per_class,thcs,*,*,*,1.9,2023-2024,,T,1\n");
	assert_int_equal(norm_table_from_ctable(&t, &src, &e), SS_OK);
	assert_int_equal(t.nrows, 1);
	assert_string_equal(t.rows[0].note, "");
	assert_string_equal(t.rows[0].regulation, "T");
	norm_table_release(&t);
	ctable_release(&src);
}

static void test_table_load_file(void **state)
{
	char path[] = "/tmp/test_norm_XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;
	norm_table t;
	ss_error e;

	(void)state;
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(HEADER "teachers_per_class,thcs,*,*,*,1.9,2023-2024,,"
		     "\"Thông tư 20/2023/TT-BGDĐT\",\"Điều 12, khoản 1\","
		     "\"a note, with a comma\"\n", fp);
	assert_int_equal(fclose(fp), 0);
	err_clear(&e);
	if (norm_table_load(&t, path, &e) != SS_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(t.nrows, 1);
	assert_string_equal(t.rows[0].article, "Điều 12, khoản 1");
	assert_string_equal(t.path, path);
	norm_table_release(&t);

	/* a data error in a file names the file, line and column */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(HEADER "teachers_per_class,thcs,*,*,*,1.9,2023-2024,,T,1,\n"
		     "students_per_class,thcs,*,*,*,x,2023-2024,,T,1,\n",
	      fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(norm_table_load(&t, path, &e), SS_EDATA);
	assert_string_equal(e.file, path);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.column, 31);
	norm_table_release(&t);

	unlink(path);
	assert_int_equal(norm_table_load(&t, path, &e), SS_EIO);
	norm_table_release(&t);
	norm_table_release(NULL);
}

/* ------------------------------------------------------------ computations */

static void check_result(const char *what, const norm_result *r,
			 int has_value, double value, int has_limit,
			 double limit, norm_status status, int has_shortfall,
			 long long shortfall)
{
	if (r->has_value != has_value || r->has_limit != has_limit ||
	    r->status != status || r->has_shortfall != has_shortfall)
		fail_msg("%s: flags value %d limit %d status %s shortfall %d",
			 what, r->has_value, r->has_limit,
			 norm_status_name(r->status), r->has_shortfall);
	if (has_value)
		check_near(what, r->value, value);
	if (has_limit)
		check_near(what, r->limit, limit);
	if (has_shortfall && r->shortfall != shortfall)
		fail_msg("%s: shortfall %lld, want %lld", what, r->shortfall,
			 shortfall);
}

static void test_ceil_people(void **state)
{
	(void)state;
	assert_int_equal(norm_ceil_people(1.9 * 30 - 50), 7);
	assert_int_equal(norm_ceil_people(2.2 * 10 - 22), 0);
	assert_int_equal(norm_ceil_people(1.9 * 7 - 13), 1);
	assert_int_equal(norm_ceil_people(0), 0);
	assert_int_equal(norm_ceil_people(-3.5), 0);
	assert_int_equal(norm_ceil_people(1e-12), 0);
	assert_int_equal(norm_ceil_people(2.000001), 3);
}

static void test_teachers_per_class(void **state)
{
	static const struct {
		const char *what;
		norm_tpc_group g[4];
		size_t n;
		long long teachers;
		double value, limit;
		norm_status status;
		long long shortfall;
	} cases[] = {
		/* the contract: 50/30 = 1.667 < 1.9; ceil(57 - 50) = 7 */
		{ "contract example", { { 30, 1.9 } }, 1, 50, 50.0 / 30, 1.9,
		  NORM_STATUS_BELOW, 7 },
		/* exactly at the norm: 30 x 1.5 = 45 */
		{ "exact", { { 30, 1.5 } }, 1, 45, 1.5, 1.5, NORM_STATUS_OK, 0 },
		{ "above", { { 12, 2.25 } }, 1, 30, 2.5, 2.25, NORM_STATUS_ABOVE,
		  0 },
		/* 7 x 1.9 = 13.3: 13 teachers lack 0.3 -> 1 person */
		{ "fractional short", { { 7, 1.9 } }, 1, 13, 13.0 / 7, 1.9,
		  NORM_STATUS_BELOW, 1 },
		/* 14 > 13.3: above the maximum, nobody missing */
		{ "fractional over", { { 7, 1.9 } }, 1, 14, 2.0, 1.9,
		  NORM_STATUS_ABOVE, 0 },
		/* preschool: 2 crèche groups x 2.5 + 5 kindergarten classes
		 * x 2.2 = 5 + 11 = 16 teachers for 7 classes; limit 16/7 */
		{ "preschool mixed", { { 2, 2.5 }, { 3, 2.2 }, { 2, 2.2 } }, 3,
		  14, 2.0, 16.0 / 7, NORM_STATUS_BELOW, 2 },
		/* a school with 1-session and 2-session parts, 1.2 / 1.5:
		 * 4 x 1.2 + 6 x 1.5 = 4.8 + 9 = 13.8 -> 14 - 11 = 3 (2.8) */
		{ "two ratios", { { 4, 1.2 }, { 6, 1.5 } }, 2, 11, 1.1, 1.38,
		  NORM_STATUS_BELOW, 3 },
		/* no teachers at all */
		{ "no teachers", { { 10, 1.5 } }, 1, 0, 0, 1.5,
		  NORM_STATUS_BELOW, 15 },
	};
	norm_tpc x;
	norm_result r;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		norm_tpc_school(cases[i].g, cases[i].n, cases[i].teachers, &x);
		norm_tpc_result(&x, &r);
		check_result(cases[i].what, &r, 1, cases[i].value, 1,
			     cases[i].limit, cases[i].status, 1,
			     cases[i].shortfall);
	}

	/* zero classes: nothing can be judged, nothing is nan */
	norm_tpc_school(NULL, 0, 5, &x);
	norm_tpc_result(&x, &r);
	check_result("zero classes", &r, 0, 0, 0, 0, NORM_STATUS_NONE, 0, 0);
	{
		norm_tpc_group g = { 0, 1.9 };

		norm_tpc_school(&g, 1, 5, &x);
		norm_tpc_result(&x, &r);
		check_result("zero classes group", &r, 0, 0, 0, 0,
			     NORM_STATUS_NONE, 0, 0);
	}
	/* an unknown ratio: the value only */
	{
		norm_tpc_group g = { 10, 0 };

		norm_tpc_school(&g, 1, 12, &x);
		x.known = 0;
		norm_tpc_result(&x, &r);
		check_result("unknown ratio", &r, 1, 1.2, 0, 0,
			     NORM_STATUS_NONE, 0, 0);
	}
}

static void test_teachers_per_class_aggregate(void **state)
{
	/* A: 30 classes, 50 teachers, needs 57 (7 short). B: 10 classes
	 * x 1.5 = 15 needed, 20 teachers (5 surplus). The aggregate
	 * required is the sum 72, not 40 x a ratio; the shortfall is the
	 * contract's formula at the scope: ceil(72 - 70) = 2 (teachers can
	 * be reassigned between a unit's schools). */
	norm_tpc_group a = { 30, 1.9 }, b = { 10, 1.5 };
	norm_tpc sa, sb, acc;
	norm_result r;

	(void)state;
	memset(&acc, 0, sizeof acc);
	norm_tpc_result(&acc, &r);
	check_result("empty aggregate", &r, 0, 0, 0, 0, NORM_STATUS_NONE, 0, 0);
	norm_tpc_school(&a, 1, 50, &sa);
	norm_tpc_school(&b, 1, 20, &sb);
	norm_tpc_add(&acc, &sa);
	norm_tpc_add(&acc, &sb);
	assert_true(acc.known);
	norm_tpc_result(&acc, &r);
	check_result("aggregate", &r, 1, 70.0 / 40, 1, 72.0 / 40,
		     NORM_STATUS_BELOW, 1, 2);

	/* with B's staff larger the unit is above the norm in total: no
	 * shortfall at the scope (A's 7 show on A's own row) */
	b.classes = 10;
	norm_tpc_school(&b, 1, 30, &sb);
	memset(&acc, 0, sizeof acc);
	norm_tpc_add(&acc, &sa);
	norm_tpc_add(&acc, &sb);
	norm_tpc_result(&acc, &r);
	check_result("net surplus", &r, 1, 80.0 / 40, 1, 72.0 / 40,
		     NORM_STATUS_ABOVE, 1, 0);
}

static void test_students_per_class(void **state)
{
	static const struct {
		const char *what;
		norm_spc_group g[4];
		size_t n;
		double value, limit;
		norm_status status;
		long long shortfall;
	} cases[] = {
		{ "primary ok", { { 10, 330, 35 } }, 1, 33, 35, NORM_STATUS_OK,
		  0 },
		{ "exactly at the limit", { { 2, 90, 45 } }, 1, 45, 45,
		  NORM_STATUS_OK, 0 },
		/* 91 > 2 x 45: ceil(91/45) = 3 classes needed, 1 lacking */
		{ "one over", { { 2, 91, 45 } }, 1, 45.5, 45,
		  NORM_STATUS_ABOVE, 1 },
		/* preschool by age group: mg_3 26 > 25 in one class, the
		 * average 27.86 is below the weighted limit 28.57 yet the
		 * school is above (any grade); limits 25, 25, 30, 35 weighted
		 * by classes 2, 2, 1, 2: 200/7 */
		{ "preschool groups",
		  { { 2, 40, 25 }, { 2, 52, 25 }, { 1, 28, 30 }, { 2, 75, 35 } },
		  4, 195.0 / 7, 200.0 / 7, NORM_STATUS_ABOVE, 2 },
		/* pupils in a grade without classes: above, and the classes
		 * it needs, ceil(12/45) = 1 */
		{ "grade without classes", { { 2, 60, 35 }, { 0, 12, 45 } }, 2,
		  36, 35, NORM_STATUS_ABOVE, 1 },
	};
	norm_spc x;
	norm_result r;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		norm_spc_school(cases[i].g, cases[i].n, &x);
		norm_spc_result(&x, &r);
		check_result(cases[i].what, &r, 1, cases[i].value, 1,
			     cases[i].limit, cases[i].status, 1,
			     cases[i].shortfall);
	}
	{
		norm_spc_group g = { 0, 12, 45 };

		norm_spc_school(&g, 1, &x);
		norm_spc_result(&x, &r);
		check_result("zero classes", &r, 0, 0, 0, 0, NORM_STATUS_NONE,
			     0, 0);
		assert_int_equal(x.shortfall, 1);
	}
	/* aggregate: A above by one grade (1 class lacking), B fine */
	{
		norm_spc_group a[2] = { { 2, 75, 35 }, { 3, 80, 35 } };
		norm_spc_group b = { 10, 400, 45 };
		norm_spc sa, sb, acc;

		memset(&acc, 0, sizeof acc);
		norm_spc_school(a, 2, &sa);
		norm_spc_school(&b, 1, &sb);
		norm_spc_add(&acc, &sa);
		norm_spc_add(&acc, &sb);
		norm_spc_result(&acc, &r);
		/* (75 + 80 + 400) / 15 = 37; (5 x 35 + 10 x 45) / 15 */
		check_result("aggregate", &r, 1, 555.0 / 15, 1, 625.0 / 15,
			     NORM_STATUS_ABOVE, 1, 1);
	}
}

static void test_teacher_posts(void **state)
{
	static const struct {
		const char *what;
		norm_posts_group g[4];
		size_t n;
		double extra;
		long long teachers;
		double posts[3]; /* floor, half_up, fraction */
	} cases[] = {
		/* primary, region 1 (25 a class, 12 leftover pupils a post),
		 * 2 sessions: 205 = 8 x 25 + 5; 8 x 1.5 = 12, +1 Đội;
		 * leftover 5: floor 0, half_up 0 (10 < 12), 5/12 */
		{ "primary region 1", { { 205, 25, 12, 1.5 } }, 1, 1, 9,
		  { 13, 13, 13 + 5.0 / 12 } },
		/* lower secondary, region 3 (45, 22): 1310 = 29 x 45 + 5;
		 * 29 x 1.9 = 55.1 + 1 */
		{ "thcs region 3", { { 1310, 45, 22, 1.9 } }, 1, 1, 50,
		  { 56.1, 56.1, 56.1 + 5.0 / 22 } },
		/* upper secondary, region 2 (40, 20): 529 = 13 x 40 + 9;
		 * 13 x 2.25 = 29.25; leftover 9 of 20: floor 0,
		 * half_up 0 (18 < 20), 0.45 */
		{ "thpt leftover 9", { { 529, 40, 20, 2.25 } }, 1, 0, 26,
		  { 29.25, 29.25, 29.7 } },
		/* leftover 10 of 20: half_up counts it (20 >= 20) */
		{ "thpt leftover 10", { { 530, 40, 20, 2.25 } }, 1, 0, 26,
		  { 29.25, 30.25, 29.75 } },
		/* thcs region 1 (35, 17): 34 leftover = 2 whole groups;
		 * 104 = 2 x 35 + 34: 2 x 1.9 + 2 = 5.8 (+1) */
		{ "two leftover groups", { { 104, 35, 17, 1.9 } }, 1, 1, 6,
		  { 6.8, 6.8, 1 + 3.8 + 2 } },
		/* leftover 26 of 17: floor 1, half_up 2 (2 x 9 >= 17) */
		{ "leftover 26", { { 61, 35, 17, 1.9 } }, 1, 1, 3,
		  { 3.9, 4.9, 2.9 + 26.0 / 17 } },
		/* preschool (no regions): nha_tre 40 = 1 x 25 + 15 -> 2.5 +
		 * floor(15/10) 1; mg_3 52 = 2 x 25 + 2 -> 4.4 + 0; mg_4 28 <
		 * 30 -> no class, 28/14 = 2; mg_5 75 = 2 x 35 + 5 -> 4.4 +
		 * floor(5/16) 0. Sum 3.5 + 4.4 + 2 + 4.4 = 14.3.
		 * half_up: 15/10 -> 2 (10 >= 10), 2/11 -> 0, 28/14 -> 2,
		 * 5/16 -> 0: 15.3. fraction: 1.5 + 2/11 + 2 + 5/16 */
		{ "preschool",
		  { { 40, 25, 10, 2.5 },
		    { 52, 25, 11, 2.2 },
		    { 28, 30, 14, 2.2 },
		    { 75, 35, 16, 2.2 } },
		  4, 0, 17,
		  { 14.3, 15.3, 2.5 + 1.5 + 4.4 + 2.0 / 11 + 2 + 4.4 +
				       5.0 / 16 } },
		/* no pupils: only the extra post */
		{ "no pupils", { { 0, 35, 17, 1.5 } }, 1, 1, 0, { 1, 1, 1 } },
		/* a bad group (class size 0) adds nothing */
		{ "bad group", { { 100, 0, 17, 1.5 } }, 1, 0, 0, { 0, 0, 0 } },
	};
	norm_posts x;
	norm_result r;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int m = 0; m < 3; m++) {
			double p = cases[i].posts[m];
			long long t = cases[i].teachers;
			norm_status st = t < p - 1e-9   ? NORM_STATUS_BELOW
					 : t > p + 1e-9 ? NORM_STATUS_ABOVE
							: NORM_STATUS_OK;
			long long sf = p - t > 1e-9 ? (long long)ceil(p - t - 1e-9)
						    : 0;
			char what[96];

			snprintf(what, sizeof what, "%s (%s)", cases[i].what,
				 norm_rounding_name((norm_rounding)m));
			norm_posts_school(cases[i].g, cases[i].n,
					  cases[i].extra, t, (norm_rounding)m,
					  &x);
			norm_posts_result(&x, &r);
			check_result(what, &r, 1, (double)t, 1, p, st, 1, sf);
		}
	}
	/* spot checks of status and shortfall written out by hand */
	{
		norm_posts_group g = { 1310, 45, 22, 1.9 };

		norm_posts_school(&g, 1, 1, 50, NORM_ROUND_FLOOR, &x);
		norm_posts_result(&x, &r);
		/* 56.1 - 50 = 6.1 -> 7 */
		check_result("thcs spot", &r, 1, 50, 1, 56.1,
			     NORM_STATUS_BELOW, 1, 7);
		norm_posts_school(&g, 1, 1, 57, NORM_ROUND_FLOOR, &x);
		norm_posts_result(&x, &r);
		check_result("thcs over", &r, 1, 57, 1, 56.1,
			     NORM_STATUS_ABOVE, 1, 0);
	}
	/* aggregate: sum of posts; shortfall ceil(posts - teachers) */
	{
		norm_posts_group a = { 205, 25, 12, 1.5 }; /* 13 posts */
		norm_posts_group b = { 520, 40, 20, 2.25 }; /* 29.25 */
		norm_posts sa, sb, acc;

		memset(&acc, 0, sizeof acc);
		norm_posts_school(&a, 1, 1, 9, NORM_ROUND_FLOOR, &sa);
		norm_posts_school(&b, 1, 0, 40, NORM_ROUND_FLOOR, &sb);
		norm_posts_add(&acc, &sa);
		norm_posts_add(&acc, &sb);
		norm_posts_result(&acc, &r);
		/* 49 teachers > 42.25 posts in total: none missing at the
		 * scope (4 at A, shown on A's row) */
		check_result("posts aggregate", &r, 1, 49, 1, 42.25,
			     NORM_STATUS_ABOVE, 1, 0);
		x.known = 0;
		x.teachers = 7;
		norm_posts_result(&x, &r);
		check_result("posts unknown", &r, 1, 7, 0, 0, NORM_STATUS_NONE,
			     0, 0);
	}
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(norm_status_name(NORM_STATUS_OK), "ok");
	assert_string_equal(norm_status_name(NORM_STATUS_BELOW), "below");
	assert_string_equal(norm_status_name(NORM_STATUS_ABOVE), "above");
	assert_string_equal(norm_status_name(NORM_STATUS_NONE), "");
}

/* ------------------------------------------------------------ evaluate */

#define SCHOOLS_HEADER                                                   \
	"school_id,name,level,ownership,commune,district,province,sites," \
	"sessions_per_day,region,src_line\n"
#define ENROLLMENT_HEADER                                               \
	"year,school_id,grade,classes,students,female,ethnic_minority," \
	"disabled,src_line\n"
#define STAFFING_HEADER "year,school_id,role,permanent,contract,quota,src_line\n"

static const char eval_table[] =
	HEADER
	"leftover_rounding,*,*,*,*,floor,2020-2021,,T,1,\n"
	"count_managers,*,*,*,*,no,2020-2021,,T,1,\n"
	"teachers_per_class,thcs,*,*,*,1.9,2020-2021,,T,12,\n"
	"teachers_per_class,tieu_hoc,*,2,*,1.5,2020-2021,,T,7,\n"
	"students_per_class,thcs,*,*,*,45,2020-2021,,T,16,\n"
	"students_per_class,tieu_hoc,*,*,*,35,2020-2021,,T,16,\n"
	"posts_class_size,thcs,*,*,3,45,2023-2024,,T,3,\n"
	"posts_leftover,thcs,*,*,3,22,2023-2024,,T,12,\n"
	"posts_extra,thcs,*,*,*,1,2023-2024,,T,12,\n";

typedef struct eval_fixture {
	norm_table t;
	ctable schools, enrollment, staffing;
	diag_sink diag;
	norm_output out;
} eval_fixture;

static ss_status run_eval(eval_fixture *f, const char *schools,
			  const char *enrollment, const char *staffing,
			  int count_managers, ss_error *e)
{
	ctable src;
	norm_options opt = { count_managers };

	make_ctable(&src, "norms.csv", eval_table);
	assert_int_equal(norm_table_from_ctable(&f->t, &src, e), SS_OK);
	ctable_release(&src);
	make_ctable(&f->schools, "out/clean/schools.csv", schools);
	if (enrollment)
		make_ctable(&f->enrollment, "out/clean/enrollment.csv",
			    enrollment);
	else
		ctable_init(&f->enrollment);
	if (staffing)
		make_ctable(&f->staffing, "out/clean/staffing.csv", staffing);
	else
		ctable_init(&f->staffing);
	diag_init(&f->diag, NULL, NULL);
	norm_output_init(&f->out);
	err_clear(e);
	return norm_evaluate(&f->t, &f->schools,
			     enrollment ? &f->enrollment : NULL,
			     staffing ? &f->staffing : NULL, &opt, &f->diag,
			     &f->out, e);
}

static void release_eval(eval_fixture *f)
{
	norm_table_release(&f->t);
	ctable_release(&f->schools);
	ctable_release(&f->enrollment);
	ctable_release(&f->staffing);
	diag_release(&f->diag);
	norm_output_release(&f->out);
}

/* Finds an output row; fails when absent. */
static const norm_result *row(const eval_fixture *f, int year,
			      const char *scope, const char *norm)
{
	for (size_t i = 0; i < f->out.nrows; i++)
		if (f->out.rows[i].year == year &&
		    strcmp(f->out.rows[i].scope, scope) == 0 &&
		    strcmp(f->out.rows[i].norm, norm) == 0)
			return &f->out.rows[i].r;
	fail_msg("no row %d %s %s", year, scope, norm);
	return NULL;
}

static int has_row(const eval_fixture *f, int year, const char *scope,
		   const char *norm)
{
	for (size_t i = 0; i < f->out.nrows; i++)
		if (f->out.rows[i].year == year &&
		    strcmp(f->out.rows[i].scope, scope) == 0 &&
		    strcmp(f->out.rows[i].norm, norm) == 0)
			return 1;
	return 0;
}

static void expect_message(const eval_fixture *f, size_t i, const char *code,
			   const char *file, long line, const char *msg)
{
	const diag_message *m;

	if (i >= f->diag.nmessages)
		fail_msg("message %zu missing (%zu)", i, f->diag.nmessages);
	m = &f->diag.messages[i];
	assert_int_equal(m->severity, DIAG_WARNING);
	assert_string_equal(m->code, code);
	assert_string_equal(m->file, file);
	assert_int_equal(m->line, line);
	assert_string_equal(m->message, msg);
}

static void test_evaluate(void **state)
{
	/* CS01: the contract example in 2024-2025 (teacher_posts: 1310 =
	 * 29 x 45 + 5 -> 55.1 + 1 = 56.1); CS02 without staffing; TH01
	 * private (no teacher_posts). 2022-2023: no posts norms. */
	eval_fixture f;
	ss_error e;
	const norm_result *r;

	(void)state;
	memset(&f, 0, sizeof f);
	assert_int_equal(
		run_eval(&f,
			 SCHOOLS_HEADER
			 "CS01,A,thcs,cong_lap,x,,,,,3,5\n"
			 "CS02,B,thcs,cong_lap,x,,,,2,3,6\n"
			 "TH01,C,tieu_hoc,tu_thuc,x,,,,2,,7\n",
			 ENROLLMENT_HEADER
			 "2024-2025,CS01,6,8,350,,,,10\n"
			 "2024-2025,CS01,7,8,340,,,,11\n"
			 "2024-2025,CS01,8,7,320,,,,12\n"
			 "2024-2025,CS01,9,7,300,,,,13\n"
			 "2024-2025,CS02,all,10,400,,,,14\n"
			 "2024-2025,TH01,all,10,330,,,,15\n"
			 "2022-2023,CS01,all,28,1200,,,,16\n",
			 STAFFING_HEADER
			 "2024-2025,CS01,teacher,45,5,,20\n"
			 "2024-2025,CS01,manager,3,,,21\n"
			 "2024-2025,TH01,teacher,11,0,,22\n"
			 "2022-2023,CS01,teacher,50,,,23\n",
			 -1, &e),
		SS_OK);

	r = row(&f, 2024, "CS01", "teachers_per_class");
	check_result("CS01 tpc", r, 1, 50.0 / 30, 1, 1.9, NORM_STATUS_BELOW, 1,
		     7);
	/* grade 8: 320 > 7 x 45 -> 1 class lacking */
	r = row(&f, 2024, "CS01", "students_per_class");
	check_result("CS01 spc", r, 1, 1310.0 / 30, 1, 45, NORM_STATUS_ABOVE,
		     1, 1);
	r = row(&f, 2024, "CS01", "students_per_class:8");
	check_result("CS01 spc:8", r, 1, 320.0 / 7, 1, 45, NORM_STATUS_ABOVE,
		     1, 1);
	r = row(&f, 2024, "CS01", "students_per_class:6");
	check_result("CS01 spc:6", r, 1, 43.75, 1, 45, NORM_STATUS_OK, 1, 0);
	r = row(&f, 2024, "CS01", "teacher_posts");
	check_result("CS01 posts", r, 1, 50, 1, 56.1, NORM_STATUS_BELOW, 1, 7);
	assert_false(has_row(&f, 2024, "CS02", "teachers_per_class"));
	assert_false(has_row(&f, 2024, "CS02", "teacher_posts"));
	r = row(&f, 2024, "CS02", "students_per_class");
	check_result("CS02 spc", r, 1, 40, 1, 45, NORM_STATUS_OK, 1, 0);
	assert_false(has_row(&f, 2024, "CS02", "students_per_class:all"));
	r = row(&f, 2024, "TH01", "teachers_per_class");
	check_result("TH01 tpc", r, 1, 1.1, 1, 1.5, NORM_STATUS_BELOW, 1, 4);
	assert_false(has_row(&f, 2024, "TH01", "teacher_posts"));

	/* aggregates: sums of the schools' figures */
	r = row(&f, 2024, "level:thcs", "teachers_per_class");
	check_result("thcs tpc", r, 1, 50.0 / 30, 1, 1.9, NORM_STATUS_BELOW, 1,
		     7);
	r = row(&f, 2024, "level:thcs", "students_per_class");
	check_result("thcs spc", r, 1, 1710.0 / 40, 1, 45, NORM_STATUS_ABOVE,
		     1, 1);
	r = row(&f, 2024, "all", "teachers_per_class");
	/* (50 + 11) / 40; required 57 + 15 = 72 */
	check_result("all tpc", r, 1, 61.0 / 40, 1, 72.0 / 40,
		     NORM_STATUS_BELOW, 1, 11);
	r = row(&f, 2024, "all", "teacher_posts");
	check_result("all posts", r, 1, 50, 1, 56.1, NORM_STATUS_BELOW, 1, 7);

	/* 2022-2023: no posts norm, so teacher_posts has the value only */
	r = row(&f, 2022, "CS01", "teachers_per_class");
	check_result("2022 tpc", r, 1, 50.0 / 28, 1, 1.9, NORM_STATUS_BELOW,
		     1, 4);
	r = row(&f, 2022, "CS01", "teacher_posts");
	check_result("2022 posts", r, 1, 50, 0, 0, NORM_STATUS_NONE, 0, 0);
	assert_false(has_row(&f, 2022, "level:thcs", "teacher_posts"));
	assert_true(has_row(&f, 2024, "level:thcs", "teacher_posts"));

	/* order: year, schools, levels, all; the first and last rows */
	assert_int_equal(f.out.rows[0].year, 2022);
	assert_string_equal(f.out.rows[0].scope, "CS01");
	assert_string_equal(f.out.rows[0].norm, "teachers_per_class");
	assert_string_equal(f.out.rows[f.out.nrows - 1].scope, "all");
	assert_int_equal(f.out.rows[f.out.nrows - 1].year, 2024);
	assert_string_equal(f.out.rows[f.out.nrows - 1].norm, "teacher_posts");

	/* warnings: one per missing norm (not per school), no staffing */
	assert_int_equal(f.diag.nmessages, 3);
	expect_message(&f, 0, "norm_missing", "norms.csv", 0,
		       "no norm 'posts_class_size' for level thcs, 2 "
		       "session(s) a day, region 3 valid in school year "
		       "2022-2023 (expected a row whose valid_from..valid_to "
		       "covers it)");
	expect_message(&f, 1, "norm_missing", "norms.csv", 0,
		       "no norm 'posts_extra' for level thcs, 2 session(s) a "
		       "day, region 3 valid in school year 2022-2023 "
		       "(expected a row whose valid_from..valid_to covers "
		       "it)");
	expect_message(&f, 2, "norm_no_staffing", "enrollment.csv", 14,
		       "school 'CS02' has enrollment but no staffing row in "
		       "2024-2025 (expected its teachers in "
		       "staffing.csv): teachers_per_class and teacher_posts "
		       "left out");
	release_eval(&f);
}

static void test_evaluate_managers(void **state)
{
	/* the same school with managers counted: 50 + 3 = 53 teachers for
	 * 56.1 posts -> 3.1 -> 4 missing; teachers_per_class unchanged */
	static const char schools[] = SCHOOLS_HEADER
		"CS01,A,thcs,cong_lap,x,,,,,3,5\n";
	static const char enrollment[] = ENROLLMENT_HEADER
		"2024-2025,CS01,all,30,1310,,,,10\n";
	static const char staffing[] = STAFFING_HEADER
		"2024-2025,CS01,teacher,45,5,,20\n"
		"2024-2025,CS01,manager,3,0,,21\n"
		"2024-2025,CS01,staff,4,0,,22\n";
	eval_fixture f;
	ss_error e;

	(void)state;
	memset(&f, 0, sizeof f);
	assert_int_equal(run_eval(&f, schools, enrollment, staffing, 1, &e),
			 SS_OK);
	check_result("posts with managers",
		     row(&f, 2024, "CS01", "teacher_posts"), 1, 53, 1, 56.1,
		     NORM_STATUS_BELOW, 1, 4);
	check_result("tpc without managers",
		     row(&f, 2024, "CS01", "teachers_per_class"), 1, 50.0 / 30,
		     1, 1.9, NORM_STATUS_BELOW, 1, 7);
	release_eval(&f);

	memset(&f, 0, sizeof f);
	assert_int_equal(run_eval(&f, schools, enrollment, staffing, 0, &e),
			 SS_OK);
	check_result("posts without managers",
		     row(&f, 2024, "CS01", "teacher_posts"), 1, 50, 1, 56.1,
		     NORM_STATUS_BELOW, 1, 7);
	assert_int_equal(f.diag.nmessages, 0);
	release_eval(&f);
}

static void test_evaluate_missing_once(void **state)
{
	/* two lower secondary schools, different regions and sessions, in a
	 * year without posts norms: one warning per norm and level, naming
	 * the first key that missed */
	eval_fixture f;
	ss_error e;

	(void)state;
	memset(&f, 0, sizeof f);
	assert_int_equal(run_eval(&f,
				  SCHOOLS_HEADER
				  "CS01,A,thcs,cong_lap,x,,,,1,1,5\n"
				  "CS02,B,thcs,cong_lap,x,,,,2,3,6\n",
				  ENROLLMENT_HEADER
				  "2022-2023,CS01,all,10,400,,,,10\n"
				  "2022-2023,CS02,all,10,400,,,,11\n",
				  STAFFING_HEADER
				  "2022-2023,CS01,teacher,19,0,,20\n"
				  "2022-2023,CS02,teacher,19,0,,21\n",
				  -1, &e),
			 SS_OK);
	assert_int_equal(f.diag.nmessages, 2);
	expect_message(&f, 0, "norm_missing", "norms.csv", 0,
		       "no norm 'posts_class_size' for level thcs, 1 "
		       "session(s) a day, region 1 valid in school year "
		       "2022-2023 (expected a row whose valid_from..valid_to "
		       "covers it)");
	assert_non_null(strstr(f.diag.messages[1].message, "'posts_extra'"));
	/* both schools still get their value */
	check_result("CS02 posts", row(&f, 2022, "CS02", "teacher_posts"), 1,
		     19, 0, 0, NORM_STATUS_NONE, 0, 0);
	release_eval(&f);
}

static void test_evaluate_warnings(void **state)
{
	eval_fixture f;
	ss_error e;

	(void)state;
	memset(&f, 0, sizeof f);
	assert_int_equal(
		run_eval(&f,
			 SCHOOLS_HEADER
			 "CS01,A,thcs,cong_lap,x,,,,7,3,5\n"
			 "CS01,A again,thcs,cong_lap,x,,,,2,3,6\n"
			 "XX01,B,dai_hoc,cong_lap,x,,,,2,3,7\n"
			 "CS02,C,thcs,cong_lap,x,,,,2,9,8\n"
			 "TH01,D,tieu_hoc,cong_lap,x,,,,2,3,9\n",
			 ENROLLMENT_HEADER
			 "2024-2025,CS01,6,0,40,,,,10\n"
			 "2024-2025,NOPE,6,2,40,,,,11\n"
			 "2024,CS01,6,2,40,,,,12\n"
			 "2024-2025,CS02,5,2,40,,,,13\n"
			 "2024-2025,CS02,6,x,40,,,,14\n"
			 "2024-2025,CS02,all,3,100,,,,15\n"
			 "2024-2025,CS02,7,2,80,,,,16\n",
			 STAFFING_HEADER
			 "2024-2025,CS01,teacher,2,0,,20\n"
			 "2024-2025,CS02,teacher,4,0,,21\n"
			 "2024-2025,TH01,teacher,4,-1,,22\n"
			 "2024-2025,TH01,teacher,4,0,,23\n",
			 -1, &e),
		SS_OK);
	expect_message(&f, 0, "norm_bad_sessions", "schools.csv", 5,
		       "sessions_per_day '7' of school 'CS01' (expected 1 or "
		       "2): 2 is used");
	expect_message(&f, 1, "norm_duplicate_school", "schools.csv", 6,
		       "school 'CS01' listed twice (expected one row per "
		       "school): the first row is used");
	expect_message(&f, 2, "norm_unknown_level", "schools.csv", 7,
		       "unknown level 'dai_hoc' of school 'XX01' (expected "
		       "mam_non, tieu_hoc, thcs, thpt, th_thcs or thcs_thpt): "
		       "school left out of the norms");
	expect_message(&f, 3, "norm_bad_region", "schools.csv", 8,
		       "region '9' of school 'CS02' (expected 1, 2 or 3): 3 "
		       "is used");
	expect_message(&f, 4, "norm_unknown_school", "enrollment.csv", 11,
		       "school 'NOPE' is not in schools.csv (expected a "
		       "school_id listed there): row left out of the norms");
	expect_message(&f, 5, "norm_bad_row", "enrollment.csv", 12,
		       "bad school year '2024' (expected a school year such "
		       "as 2024-2025): row left out of the norms");
	expect_message(&f, 6, "norm_grade_level", "enrollment.csv", 13,
		       "grade '5' in school 'CS02' of level thcs (expected a "
		       "grade of that level): row left out of the norms");
	expect_message(&f, 7, "norm_bad_row", "enrollment.csv", 14,
		       "bad count 'x' in column 'classes' (expected a whole "
		       "number >= 0): row left out of the norms");
	expect_message(&f, 8, "norm_bad_row", "staffing.csv", 22,
		       "bad count '-1' in column 'contract' (expected a whole "
		       "number >= 0): row left out of the norms");
	expect_message(&f, 9, "norm_zero_classes", "enrollment.csv", 10,
		       "school 'CS01' has no classes in 2024-2025 (40 "
		       "students): teachers_per_class and students_per_class "
		       "left empty");
	expect_message(&f, 10, "norm_mixed_grades", "enrollment.csv", 15,
		       "school 'CS02' has a grade 'all' row and per-grade rows "
		       "in 2024-2025 (expected one or the other): the 'all' "
		       "row is ignored");
	expect_message(&f, 11, "norm_no_enrollment", "staffing.csv", 23,
		       "school 'TH01' has staffing but no enrollment row in "
		       "2024-2025 (expected its classes in enrollment.csv): no "
		       "norms computed for it");
	assert_int_equal(f.diag.nmessages, 12);

	/* CS01: zero classes -> empty fields, never nan */
	check_result("zero tpc", row(&f, 2024, "CS01", "teachers_per_class"),
		     0, 0, 0, 0, NORM_STATUS_NONE, 0, 0);
	check_result("zero spc", row(&f, 2024, "CS01", "students_per_class"),
		     0, 0, 0, 0, NORM_STATUS_NONE, 0, 0);
	check_result("zero spc:6",
		     row(&f, 2024, "CS01", "students_per_class:6"), 0, 0, 0, 0,
		     NORM_STATUS_NONE, 0, 0);
	/* CS02: grade 7 only (all ignored): 80/2 = 40; 2 x 1.9 = 3.8 */
	check_result("mixed spc", row(&f, 2024, "CS02", "students_per_class"),
		     1, 40, 1, 45, NORM_STATUS_OK, 1, 0);
	check_result("mixed tpc", row(&f, 2024, "CS02", "teachers_per_class"),
		     1, 2, 1, 1.9, NORM_STATUS_ABOVE, 1, 0);
	/* the zero-class school stays out of the aggregates */
	check_result("level", row(&f, 2024, "level:thcs", "teachers_per_class"),
		     1, 2, 1, 1.9, NORM_STATUS_ABOVE, 1, 0);
	release_eval(&f);
}

static void test_evaluate_absent_tables(void **state)
{
	eval_fixture f;
	ss_error e;

	(void)state;
	memset(&f, 0, sizeof f);
	assert_int_equal(run_eval(&f,
				  SCHOOLS_HEADER
				  "CS01,A,thcs,cong_lap,x,,,,2,3,5\n",
				  NULL, NULL, -1, &e),
			 SS_OK);
	assert_int_equal(f.out.nrows, 0);
	expect_message(&f, 0, "norm_no_enrollment", "enrollment.csv", 0,
		       "no enrollment.csv in clean/ (expected classes and "
		       "students per school): no norms computed");
	assert_int_equal(f.diag.nmessages, 1);
	release_eval(&f);

	/* enrollment without staffing.csv: students_per_class only */
	memset(&f, 0, sizeof f);
	assert_int_equal(run_eval(&f,
				  SCHOOLS_HEADER
				  "CS01,A,thcs,cong_lap,x,,,,2,3,5\n",
				  ENROLLMENT_HEADER
				  "2024-2025,CS01,all,30,1310,,,,10\n",
				  NULL, -1, &e),
			 SS_OK);
	assert_int_equal(f.out.nrows, 3); /* CS01, level:thcs, all; spc */
	assert_string_equal(f.out.rows[2].scope, "all");
	assert_string_equal(f.diag.messages[0].code, "norm_no_staffing");
	release_eval(&f);
}

static void test_evaluate_missing_column(void **state)
{
	static const struct {
		const char *schools, *enrollment, *staffing, *msg;
	} cases[] = {
		{ "school_id,name,ownership\nCS01,A,cong_lap\n", NULL, NULL,
		  "missing column 'level'" },
		{ SCHOOLS_HEADER, "year,school_id,grade,students\n", NULL,
		  "missing column 'classes'" },
		{ SCHOOLS_HEADER, NULL, "year,school_id,permanent,contract\n",
		  "missing column 'role'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		eval_fixture f;
		ss_error e;

		memset(&f, 0, sizeof f);
		assert_int_equal(run_eval(&f, cases[i].schools,
					  cases[i].enrollment,
					  cases[i].staffing, -1, &e),
				 SS_EDATA);
		assert_string_equal(e.msg, cases[i].msg);
		assert_int_equal(e.line, 1);
		release_eval(&f);
	}
}

/* ------------------------------------------------------------ writing */

static void test_output_write(void **state)
{
	char path[] = "/tmp/test_norm_out_XXXXXX";
	int fd = mkstemp(path);
	norm_output o;
	norm_result r;
	ss_error e;
	char buf[512];
	size_t n;
	FILE *fp;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	norm_output_init(&o);
	memset(&r, 0, sizeof r);
	r.has_value = r.has_limit = r.has_shortfall = 1;
	r.value = 50.0 / 30;
	r.limit = 1.9;
	r.status = NORM_STATUS_BELOW;
	r.shortfall = 7;
	assert_int_equal(norm_output_push(&o, 2024, "CS01",
					  "teachers_per_class", &r, &e),
			 SS_OK);
	memset(&r, 0, sizeof r);
	assert_int_equal(norm_output_push(&o, 2024, "has,comma",
					  "students_per_class:9", &r, &e),
			 SS_OK);
	assert_int_equal(norm_output_write(&o, path, &e), SS_OK);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_string_equal(buf,
			    "year,scope,norm,value,limit,status,shortfall\n"
			    "2024-2025,CS01,teachers_per_class,1.666667,1.9,"
			    "below,7\n"
			    "2024-2025,\"has,comma\",students_per_class:9,,,,\n");
	unlink(path);
	assert_int_equal(norm_output_write(&o, "/nonexistent-dir/norms.csv",
					   &e),
			 SS_EIO);
	norm_output_release(&o);
	norm_output_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_years),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_lookup_message),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_table_no_overlap),
		cmocka_unit_test(test_table_missing_column),
		cmocka_unit_test(test_table_load_file),
		cmocka_unit_test(test_ceil_people),
		cmocka_unit_test(test_teachers_per_class),
		cmocka_unit_test(test_teachers_per_class_aggregate),
		cmocka_unit_test(test_students_per_class),
		cmocka_unit_test(test_teacher_posts),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_evaluate_managers),
		cmocka_unit_test(test_evaluate_missing_once),
		cmocka_unit_test(test_evaluate_warnings),
		cmocka_unit_test(test_evaluate_absent_tables),
		cmocka_unit_test(test_evaluate_missing_column),
		cmocka_unit_test(test_output_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
