/* Tests of the accreditation module: calendar arithmetic (29 February,
 * year boundaries), expiry and the registration window, histories with
 * renewals and downgrades, counts and shares with and without private
 * schools, the indicator producer through ind_run, the schedule, the
 * trajectory, the stage and the charts. Every expected value is worked
 * out by hand in the comments. */
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

#include "accr.h"

/* ------------------------------------------------------------ helpers */

static void assert_close(double got, double want)
{
	if (fabs(got - want) > 1e-9 * (fabs(want) > 1 ? fabs(want) : 1))
		fail_msg("got %.12g, expected %.12g", got, want);
}

static accr_day D(const char *iso)
{
	accr_day d = 0;

	if (!accr_day_parse(iso, &d))
		fail_msg("bad date in the test '%s'", iso);
	return d;
}

static void assert_day(accr_day got, const char *want)
{
	char buf[16];

	assert_string_equal(accr_day_format(got, buf, sizeof buf), want);
}

/* A scratch directory with a clean/ subdirectory, removed at the end. */
typedef struct scratch {
	char dir[64];
} scratch;

static void scratch_make(scratch *s)
{
	char clean[96];

	snprintf(s->dir, sizeof s->dir, "/tmp/test_accr_XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(clean, sizeof clean, "%s/clean", s->dir);
	assert_int_equal(mkdir(clean, 0777), 0);
}

static void scratch_write(const scratch *s, const char *name, const char *text)
{
	char path[160];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", s->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *scratch_read(const scratch *s, const char *name)
{
	char path[160];
	FILE *fp;
	long n;
	char *buf;

	snprintf(path, sizeof path, "%s/%s", s->dir, name);
	fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void scratch_remove(const scratch *s)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
	assert_int_equal(system(cmd), 0);
}

static void load(const scratch *s, const char *name, ctable *t)
{
	char path[160];
	ss_error e;

	err_clear(&e);
	snprintf(path, sizeof path, "%s/%s", s->dir, name);
	ctable_init(t);
	if (ctable_load(t, path, &e) != SS_OK)
		fail_msg("cannot load %s: %s", path, e.msg);
}

static const char schools_hdr[] =
	"school_id,name,level,ownership,commune,district,province,sites,"
	"sessions_per_day,region,src_line\n";
static const char accr_hdr[] =
	"school_id,quality_level,standard_level,recognized_on,kind,next_due,"
	"note,src_line\n";

/* A register from the two tables' texts (header included). */
typedef struct fixture {
	scratch s;
	ctable schools, accreditation;
	accr_register reg;
	accr_options opt;
	diag_sink diag;
} fixture;

static void fixture_open(fixture *f, const char *schools, const char *accr)
{
	ss_error e;

	scratch_make(&f->s);
	scratch_write(&f->s, "clean/schools.csv", schools);
	scratch_write(&f->s, "clean/accreditation.csv", accr);
	load(&f->s, "clean/schools.csv", &f->schools);
	load(&f->s, "clean/accreditation.csv", &f->accreditation);
	accr_options_default(&f->opt);
	diag_init(&f->diag, NULL, NULL);
	err_clear(&e);
	if (accr_register_build(&f->reg, &f->schools, &f->accreditation,
				&f->diag, &e) != SS_OK)
		fail_msg("register: %s", e.msg);
}

static void fixture_close(fixture *f)
{
	accr_register_release(&f->reg);
	ctable_release(&f->schools);
	ctable_release(&f->accreditation);
	diag_release(&f->diag);
	scratch_remove(&f->s);
}

static size_t school(const fixture *f, const char *id)
{
	long x = accr_register_find(&f->reg, id);

	if (x < 0)
		fail_msg("no school %s", id);
	return (size_t)x;
}

/* ------------------------------------------------------------ dates */

static void test_day_serials(void **state)
{
	/* days since 1970-01-01, from Python's datetime.date */
	static const struct {
		int y, m, d;
		long day;
	} cases[] = {
		{ 1970, 1, 1, 0 },       { 1969, 12, 31, -1 },
		{ 2000, 3, 1, 11017 },   { 2020, 2, 29, 18321 },
		{ 1600, 1, 1, -135140 }, { 2400, 12, 31, 157419 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int y, m, d;

		assert_int_equal(accr_day_from_ymd(cases[i].y, cases[i].m,
						   cases[i].d),
				 cases[i].day);
		accr_day_to_ymd(cases[i].day, &y, &m, &d);
		assert_int_equal(y, cases[i].y);
		assert_int_equal(m, cases[i].m);
		assert_int_equal(d, cases[i].d);
	}
}

static void test_day_parse(void **state)
{
	static const char *const bad[] = { "2021-02-29", "2020-02-30",
					   "2020-13-01", "2020-1-01",
					   "20200101",   "",
					   "31/05/2025", "2025-05-31x" };
	accr_day d = 42;
	size_t i;

	(void)state;
	assert_true(accr_day_parse("2024-02-29", &d));
	assert_int_equal(d, accr_day_from_ymd(2024, 2, 29));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		d = 42;
		if (accr_day_parse(bad[i], &d))
			fail_msg("'%s' parsed", bad[i]);
		assert_int_equal(d, 42);
	}
	assert_false(accr_day_parse(NULL, &d));
}

static void test_add_months(void **state)
{
	static const struct {
		const char *from;
		int months;
		const char *want;
	} cases[] = {
		/* 29 February to a year without it: its last day (Art. 148) */
		{ "2020-02-29", 60, "2025-02-28" },
		{ "2020-02-29", 48, "2024-02-29" },
		{ "2021-01-31", 1, "2021-02-28" },
		{ "2024-01-31", 1, "2024-02-29" },
		{ "2026-07-31", -5, "2026-02-28" },
		{ "2024-07-31", -5, "2024-02-29" },
		/* back across a year boundary */
		{ "2025-03-31", -5, "2024-10-31" },
		{ "2021-05-15", -5, "2020-12-15" },
		/* forward across one */
		{ "2025-10-31", 4, "2026-02-28" },
		{ "2020-12-31", 60, "2025-12-31" },
		{ "2025-12-15", 1, "2026-01-15" },
		{ "2026-01-15", -1, "2025-12-15" },
		{ "2025-06-10", 0, "2025-06-10" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_day(accr_add_months(D(cases[i].from), cases[i].months),
			   cases[i].want);
}

/* ------------------------------------------------------------ rules */

static void test_expiry_and_deadline(void **state)
{
	static const struct {
		const char *on, *expires, *register_by;
	} cases[] = {
		/* valid through 28 Feb 2025; registration 5 months before
		 * the expiry, counted from 28 Feb (not 29 Sep from the
		 * recognition) */
		{ "2020-02-29", "2025-02-28", "2024-09-28" },
		{ "2024-02-29", "2029-02-28", "2028-09-28" },
		{ "2021-06-10", "2026-06-10", "2026-01-10" },
		{ "2020-12-31", "2025-12-31", "2025-07-31" },
		/* the deadline falls in the calendar year before expiry */
		{ "2021-03-31", "2026-03-31", "2025-10-31" },
		{ "2021-01-20", "2026-01-20", "2025-08-20" },
		/* 31 July - 5 months: end of February, leap or not */
		{ "2019-07-31", "2024-07-31", "2024-02-29" },
		{ "2020-07-31", "2025-07-31", "2025-02-28" },
	};
	accr_options o;
	size_t i;

	(void)state;
	accr_options_default(&o);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_day(accr_expires_on(&o, D(cases[i].on)), cases[i].expires);
		assert_day(accr_register_by(&o, D(cases[i].on)),
			   cases[i].register_by);
	}
}

static void test_rules_switch(void **state)
{
	accr_options o;

	(void)state;
	accr_options_default(&o);
	assert_day(o.rules_2026_from, "2026-07-07");
	assert_int_equal(accr_rules_for(&o, D("2026-07-06")), ACCR_RULES_2018);
	assert_int_equal(accr_rules_for(&o, D("2026-07-07")), ACCR_RULES_2026);
	assert_string_equal(accr_rules_name(ACCR_RULES_2018), "2018");
	assert_string_equal(accr_rules_name(ACCR_RULES_2026), "2026");
	/* the period follows the rules of the recognition's own day */
	o.validity_months[ACCR_RULES_2026] = 48;
	o.register_months[ACCR_RULES_2026] = 6;
	assert_day(accr_expires_on(&o, D("2026-07-06")), "2031-07-06");
	assert_day(accr_register_by(&o, D("2026-07-06")), "2031-02-06");
	assert_day(accr_expires_on(&o, D("2026-07-07")), "2030-07-07");
	assert_day(accr_register_by(&o, D("2026-07-07")), "2030-01-07");
}

static void test_school_years(void **state)
{
	accr_options o;

	(void)state;
	accr_options_default(&o);
	assert_day(accr_year_end(&o, 2024), "2025-05-31");
	assert_int_equal(accr_year_of(&o, D("2025-05-31")), 2024);
	assert_int_equal(accr_year_of(&o, D("2025-06-01")), 2025);
	assert_int_equal(accr_year_of(&o, D("2025-01-01")), 2024);
	assert_int_equal(accr_year_of(&o, D("2024-12-31")), 2024);
	/* a measuring day at the end of February follows leap years */
	o.year_end_month = 2;
	o.year_end_day = 29;
	assert_day(accr_year_end(&o, 2023), "2024-02-29");
	assert_day(accr_year_end(&o, 2024), "2025-02-28");
	assert_int_equal(accr_year_of(&o, D("2025-03-01")), 2025);
	assert_int_equal(accr_year_of(&o, D("2025-02-28")), 2024);
}

/* ------------------------------------------------------------ state */

static void test_registration_window(void **state)
{
	/* recognised 2021-01-20: in force to 2026-01-20, register by
	 * 2025-08-20 */
	static const struct {
		const char *day;
		accr_status want;
	} cases[] = {
		{ "2021-01-19", ACCR_NONE },    { "2021-01-20", ACCR_VALID },
		{ "2025-08-19", ACCR_VALID },   { "2025-08-20", ACCR_VALID },
		{ "2025-08-21", ACCR_OVERDUE }, { "2026-01-20", ACCR_OVERDUE },
		{ "2026-01-21", ACCR_EXPIRED },
	};
	fixture f;
	size_t i;

	(void)state;
	fixture_open(&f,
		     "school_id,name,level,ownership,src_line\n"
		     "A,Trường A,tieu_hoc,cong_lap,2\n",
		     "school_id,quality_level,standard_level,recognized_on,kind,"
		     "next_due,note,src_line\n"
		     "A,2,1,2021-01-20,first,,,2\n");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		accr_state s;

		accr_state_at(&f.reg, 0, D(cases[i].day), &f.opt, &s);
		if (s.status != cases[i].want)
			fail_msg("%s: status %s, expected %s", cases[i].day,
				 accr_status_name(s.status),
				 accr_status_name(cases[i].want));
		if (cases[i].want == ACCR_VALID ||
		    cases[i].want == ACCR_OVERDUE) {
			assert_int_equal(s.quality, 2);
			assert_int_equal(s.standard, 1);
		} else {
			assert_int_equal(s.standard, 0);
		}
	}
	fixture_close(&f);
}

static void test_history(void **state)
{
	/* D: level 2, downgraded to 1 three years later, then to 0 (rows
	 * out of order in the file). R: renewed 5 days before expiry. */
	static const struct {
		const char *id, *day;
		accr_status status;
		int quality, standard;
		const char *last;
	} cases[] = {
		{ "D", "2016-01-01", ACCR_VALID, 3, 2, "2015-03-01" },
		/* a downgrade replaces a level still within its 5 years */
		{ "D", "2018-02-28", ACCR_VALID, 3, 2, "2015-03-01" },
		{ "D", "2018-03-01", ACCR_VALID, 2, 1, "2018-03-01" },
		/* 2018-03-01 expires 2023-03-01, register by 2022-10-01 */
		{ "D", "2022-02-28", ACCR_VALID, 2, 1, "2018-03-01" },
		{ "D", "2022-03-01", ACCR_VALID, 1, 0, "2022-03-01" },
		{ "D", "2027-03-01", ACCR_OVERDUE, 1, 0, "2022-03-01" },
		{ "D", "2027-03-02", ACCR_EXPIRED, 0, 0, "2022-03-01" },
		/* 2019-12-25 expires 2024-12-25, register by 2024-07-25 */
		{ "R", "2024-07-25", ACCR_VALID, 3, 1, "2019-12-25" },
		{ "R", "2024-12-19", ACCR_OVERDUE, 3, 1, "2019-12-25" },
		{ "R", "2024-12-20", ACCR_VALID, 3, 2, "2024-12-20" },
		{ "R", "2019-12-24", ACCR_EXPIRED, 0, 0, "2014-12-18" },
	};
	fixture f;
	size_t i;

	(void)state;
	fixture_open(&f,
		     "school_id,name,level,ownership,src_line\n"
		     "D,Trường D,thcs,cong_lap,2\n"
		     "R,Trường R,thcs,cong_lap,3\n",
		     "school_id,quality_level,standard_level,recognized_on,kind,"
		     "next_due,note,src_line\n"
		     "D,1,0,2022-03-01,renewal,,,2\n"
		     "R,3,2,2024-12-20,renewal,,,3\n"
		     "D,3,2,2015-03-01,first,,,4\n"
		     "R,2,1,2014-12-18,first,,,5\n"
		     "D,2,1,2018-03-01,renewal,,,6\n"
		     "R,3,1,2019-12-25,renewal,,,7\n");
	assert_int_equal(f.reg.nrec, 6);
	assert_int_equal(f.reg.school[school(&f, "D")].n, 3);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		accr_state s;

		accr_state_at(&f.reg, school(&f, cases[i].id), D(cases[i].day),
			      &f.opt, &s);
		if (s.status != cases[i].status)
			fail_msg("%s %s: %s", cases[i].id, cases[i].day,
				 accr_status_name(s.status));
		assert_int_equal(s.quality, cases[i].quality);
		assert_int_equal(s.standard, cases[i].standard);
		assert_non_null(s.last);
		assert_day(s.last->recognized_on, cases[i].last);
	}
	fixture_close(&f);
}

/* ------------------------------------------------------------ counts */

/* P1..P3 public, V1..V3 private. At 2025-05-31 (school year 2024-2025):
 *   P1 2020-09-30 2/1  expires 2025-09-30, register by 2025-04-30: overdue
 *   P2 2023-05-16 3/2  expires 2028-05-16: valid
 *   P3 2019-11-20 2/1  expired 2024-11-20
 *   V1 2021-06-10 3/1  expires 2026-06-10 (just after the window end
 *                      2026-05-31), register by 2026-01-10: valid
 *   V2, V3             never recognised; V3 the only thpt school */
static const char counts_schools[] =
	"school_id,name,level,ownership,src_line\n"
	"P1,Trường P1,tieu_hoc,cong_lap,2\n"
	"P2,Trường P2,tieu_hoc,cong_lap,3\n"
	"P3,Trường P3,thcs,cong_lap,4\n"
	"V1,Trường V1,tieu_hoc,tu_thuc,5\n"
	"V2,Trường V2,thcs,tu_thuc,6\n"
	"V3,Trường V3,thpt,tu_thuc,7\n";
static const char counts_accr[] =
	"school_id,quality_level,standard_level,recognized_on,kind,next_due,"
	"note,src_line\n"
	"P1,2,1,2020-09-30,first,2025-09-15,,2\n"
	"P2,3,2,2023-05-16,renewal,2028-06-01,,3\n"
	"P3,2,1,2019-11-20,first,2025-11-20,,4\n"
	"V1,3,1,2021-06-10,first,2025-05-01,\"Tư thục, mức 1\",5\n";

static void all_members(const fixture *f, size_t *m)
{
	size_t i;

	for (i = 0; i < f->reg.nschools; i++)
		m[i] = i;
}

static void test_counts_public_and_all(void **state)
{
	fixture f;
	size_t m[8];
	accr_counts c;

	(void)state;
	fixture_open(&f, counts_schools, counts_accr);
	all_members(&f, m);
	accr_count_year(&f.reg, m, 6, 0, 2024, &f.opt, &c);
	assert_int_equal(c.schools, 6);
	assert_int_equal(c.standard, 3);        /* P1, P2, V1: 50% */
	assert_int_equal(c.standard_at[1], 2);  /* P1, V1 */
	assert_int_equal(c.standard_at[2], 1);  /* P2 */
	assert_int_equal(c.quality, 3);
	assert_int_equal(c.quality_at[2], 1);   /* P1 */
	assert_int_equal(c.quality_at[3], 2);   /* P2, V1 */
	assert_int_equal(c.valid, 3);
	assert_int_equal(c.overdue, 1);         /* P1 */
	assert_int_equal(c.expired, 1);         /* P3 */
	assert_int_equal(c.expiring, 2);        /* P1 2025-09-30, P3 2024-11-20 */
	assert_int_equal(c.never, 2);
	/* public only: 2 of 3 (66.7%) where all schools give 3 of 6 */
	accr_count_year(&f.reg, m, 6, 1, 2024, &f.opt, &c);
	assert_int_equal(c.schools, 3);
	assert_int_equal(c.standard, 2);
	assert_int_equal(c.standard_at[1], 1);
	assert_int_equal(c.standard_at[2], 1);
	assert_int_equal(c.valid, 2);
	assert_int_equal(c.expiring, 2);
	assert_int_equal(c.expired, 1);
	assert_int_equal(c.overdue, 1);
	assert_int_equal(c.never, 0);
	/* a year later (2026-05-31): P1 lapsed, V1 past its deadline */
	accr_count_year(&f.reg, m, 6, 0, 2025, &f.opt, &c);
	assert_int_equal(c.standard, 2);        /* P2, V1 */
	assert_int_equal(c.expired, 2);
	assert_int_equal(c.overdue, 1);         /* V1 */
	/* window (2025-05-31, 2027-05-31]: P1 2025-09-30, V1 2026-06-10 */
	assert_int_equal(c.expiring, 2);
	/* 2019-2020 (2020-05-31): only P3, recognised 2019-11-20 */
	accr_count_year(&f.reg, m, 6, 0, 2019, &f.opt, &c);
	assert_int_equal(c.standard, 1);
	assert_int_equal(c.never, 5);
	assert_int_equal(c.expiring, 0);
	fixture_close(&f);
}

/* ------------------------------------------------------------ producer */

/* The value, numerator and denominator of one indicators.csv row. */
static int find_row(const ctable *t, const char *year, const char *scope,
		    const char *indicator, double *v, double *num, double *den)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(ctable_get(t, i, ctable_col(t, "year")), year) == 0 &&
		    strcmp(ctable_get(t, i, ctable_col(t, "scope")), scope) == 0 &&
		    strcmp(ctable_get(t, i, ctable_col(t, "indicator")),
			   indicator) == 0) {
			*v = *num = *den = NAN;
			ctable_get_double(t, i, ctable_col(t, "value"), v);
			ctable_get_double(t, i, ctable_col(t, "numerator"), num);
			ctable_get_double(t, i, ctable_col(t, "denominator"), den);
			return 1;
		}
	return 0;
}

static int warned(const diag_sink *d, const char *code, const char *what)
{
	size_t i;

	for (i = 0; i < d->nmessages; i++)
		if (strcmp(d->messages[i].code, code) == 0 &&
		    strstr(d->messages[i].message, what))
			return 1;
	return 0;
}

/* A row the producer makes when ind's catalogue knows the base name, and
 * otherwise a warning naming it. */
static void expect_row(const ctable *t, const diag_sink *d, const char *year,
		       const char *scope, const char *indicator, double value,
		       double num, double den)
{
	char base[96];
	double v, n, dd;
	const ind_def *def;

	snprintf(base, sizeof base, "%.*s", (int)strcspn(indicator, ":"),
		 indicator);
	def = ind_def_find(base);
	if (!def || strcmp(def->name, base) != 0) {
		char quoted[100];

		snprintf(quoted, sizeof quoted, "'%s'", base);
		if (!warned(d, "indicator_not_in_catalogue", quoted))
			fail_msg("%s neither produced nor warned about", base);
		if (find_row(t, year, scope, indicator, &v, &n, &dd))
			fail_msg("%s produced without a catalogue entry",
				 indicator);
		return;
	}
	if (!find_row(t, year, scope, indicator, &v, &n, &dd))
		fail_msg("no row %s,%s,%s", year, scope, indicator);
	/* indicators.csv keeps 6 decimals */
	if (fabs(v - value) > 5e-7)
		fail_msg("%s %s: value %.9g, expected %.9g", scope, indicator,
			 v, value);
	assert_close(n, num);
	assert_close(dd, den);
}

static void test_producer(void **state)
{
	const ind_producer extra[] = { accr_produce_indicators };
	scratch s;
	ctable t;
	diag_sink d;
	ind_options o;
	ss_error e;
	char sch[1024];
	double v, n, dd;

	(void)state;
	scratch_make(&s);
	snprintf(sch, sizeof sch, "%s", schools_hdr);
	strcat(sch, "P1,Trường P1,tieu_hoc,cong_lap,X,,,1,2,3,2\n"
		    "P2,Trường P2,tieu_hoc,cong_lap,X,,,1,2,3,3\n"
		    "P3,Trường P3,thcs,cong_lap,X,,,1,2,3,4\n"
		    "V1,Trường V1,tieu_hoc,tu_thuc,X,,,1,2,3,5\n"
		    "V2,Trường V2,thcs,tu_thuc,X,,,1,2,3,6\n"
		    "V3,Trường V3,thpt,tu_thuc,X,,,1,2,3,7\n");
	scratch_write(&s, "clean/schools.csv", sch);
	scratch_write(&s, "clean/accreditation.csv", counts_accr);
	/* the years come from the yearly tables: 2024-2025 only */
	scratch_write(&s, "clean/enrollment.csv",
		      "year,school_id,grade,classes,students,female,"
		      "ethnic_minority,disabled,src_line\n"
		      "2024-2025,P1,all,10,350,,,,2\n");
	diag_init(&d, NULL, NULL);
	ind_options_default(&o);
	err_clear(&e);
	if (ind_run(s.dir, &o, extra, 1, &d, &e) != SS_OK)
		fail_msg("ind_run: %s", e.msg);
	load(&s, "indicators.csv", &t);
	/* all: 3 of 6 = 50; public 2 of 3 = 66.666667 */
	expect_row(&t, &d, "2024-2025", "all", "standard_school_share", 50, 3, 6);
	expect_row(&t, &d, "2024-2025", "all", "standard_school_share:1",
		   100.0 / 3.0, 2, 6);
	expect_row(&t, &d, "2024-2025", "all", "standard_school_share:2",
		   100.0 / 6.0, 1, 6);
	expect_row(&t, &d, "2024-2025", "all", "quality_level_share", 50, 3, 6);
	expect_row(&t, &d, "2024-2025", "all", "quality_level_share:1", 0, 0, 6);
	expect_row(&t, &d, "2024-2025", "all", "quality_level_share:3",
		   100.0 / 3.0, 2, 6);
	expect_row(&t, &d, "2024-2025", "all", "standard_school_share_public",
		   200.0 / 3.0, 2, 3);
	expect_row(&t, &d, "2024-2025", "level:tieu_hoc",
		   "standard_school_share", 100, 3, 3);
	expect_row(&t, &d, "2024-2025", "level:tieu_hoc",
		   "standard_school_share_public", 100, 2, 2);
	expect_row(&t, &d, "2024-2025", "level:thcs", "standard_school_share",
		   0, 0, 2);
	expect_row(&t, &d, "2024-2025", "all", "accreditation_valid", 3, 3, 1);
	expect_row(&t, &d, "2024-2025", "all", "accreditation_expiring", 2, 2,
		   1);
	expect_row(&t, &d, "2024-2025", "all", "accreditation_expired", 1, 1, 1);
	expect_row(&t, &d, "2024-2025", "all", "accreditation_overdue", 1, 1, 1);
	expect_row(&t, &d, "2024-2025", "all", "accreditation_valid_public", 2,
		   2, 1);
	/* per school: the two shares, 0 or 100 of one school */
	expect_row(&t, &d, "2024-2025", "P1", "standard_school_share", 100, 1,
		   1);
	expect_row(&t, &d, "2024-2025", "P3", "standard_school_share", 0, 0, 1);
	expect_row(&t, &d, "2024-2025", "V2", "quality_level_share", 0, 0, 1);
	/* no per-school level breakdown or counts, no public rows for the
	 * private-only thpt level, no year without yearly data */
	assert_false(find_row(&t, "2024-2025", "P1", "standard_school_share:1",
			      &v, &n, &dd));
	assert_false(find_row(&t, "2024-2025", "P1", "accreditation_valid", &v,
			      &n, &dd));
	assert_false(find_row(&t, "2024-2025", "level:thpt",
			      "standard_school_share_public", &v, &n, &dd));
	assert_false(find_row(&t, "2023-2024", "all", "standard_school_share",
			      &v, &n, &dd));
	ctable_release(&t);
	diag_release(&d);
	scratch_remove(&s);
}

static void test_producer_years_from_register(void **state)
{
	/* without yearly tables, the years run from the first recognition's
	 * school year (2019-2020: 2019-11-20) to the last one's (2022-2023:
	 * 2023-05-16) */
	const ind_producer extra[] = { accr_produce_indicators };
	scratch s;
	ctable t;
	diag_sink d;
	ind_options o;
	ss_error e;
	char sch[1024];
	double v, n, dd;

	(void)state;
	scratch_make(&s);
	snprintf(sch, sizeof sch, "%s", schools_hdr);
	strcat(sch, "P1,Trường P1,tieu_hoc,cong_lap,X,,,1,2,3,2\n"
		    "P2,Trường P2,tieu_hoc,cong_lap,X,,,1,2,3,3\n"
		    "P3,Trường P3,thcs,cong_lap,X,,,1,2,3,4\n"
		    "V1,Trường V1,tieu_hoc,tu_thuc,X,,,1,2,3,5\n");
	scratch_write(&s, "clean/schools.csv", sch);
	scratch_write(&s, "clean/accreditation.csv", counts_accr);
	diag_init(&d, NULL, NULL);
	ind_options_default(&o);
	err_clear(&e);
	if (ind_run(s.dir, &o, extra, 1, &d, &e) != SS_OK)
		fail_msg("ind_run: %s", e.msg);
	load(&s, "indicators.csv", &t);
	/* 2020-05-31: P3 only; 2023-05-31: P1, P2, P3, V1 */
	expect_row(&t, &d, "2019-2020", "all", "standard_school_share", 25, 1, 4);
	expect_row(&t, &d, "2022-2023", "all", "standard_school_share", 100, 4,
		   4);
	assert_false(find_row(&t, "2018-2019", "all", "standard_school_share",
			      &v, &n, &dd));
	assert_false(find_row(&t, "2023-2024", "all", "standard_school_share",
			      &v, &n, &dd));
	ctable_release(&t);
	diag_release(&d);
	scratch_remove(&s);
}

/* ------------------------------------------------------------ schedule */

static void test_schedule_actions(void **state)
{
	/* at 2025-05-31 the plan year ends 2026-05-31 */
	static const struct {
		const char *id;
		accr_action action;
		const char *action_by;
		accr_plan_check plan;
	} cases[] = {
		{ "P1", ACCR_ACTION_RENEWAL, "2025-04-30", ACCR_PLAN_OK },
		/* register by 2027-12-16: not this plan year; next_due
		 * 2028-06-01 after the expiry 2028-05-16 */
		{ "P2", ACCR_ACTION_NONE, NULL, ACCR_PLAN_AFTER_EXPIRY },
		{ "P3", ACCR_ACTION_RENEWAL, NULL, ACCR_PLAN_AFTER_EXPIRY },
		/* register by 2026-01-10; the plan of 2025-05-01 passed */
		{ "V1", ACCR_ACTION_RENEWAL, "2026-01-10", ACCR_PLAN_PASSED },
		{ "V2", ACCR_ACTION_FIRST, NULL, ACCR_PLAN_NONE },
	};
	fixture f;
	size_t i;

	(void)state;
	fixture_open(&f, counts_schools, counts_accr);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		accr_schedule_row x;

		accr_schedule_at(&f.reg, school(&f, cases[i].id),
				 D("2025-05-31"), &f.opt, &x);
		if (x.action != cases[i].action)
			fail_msg("%s: %s", cases[i].id,
				 accr_action_name(x.action));
		assert_int_equal(x.has_action_by, cases[i].action_by != NULL);
		if (cases[i].action_by)
			assert_day(x.action_by, cases[i].action_by);
		if (x.plan != cases[i].plan)
			fail_msg("%s: plan %s", cases[i].id,
				 accr_plan_check_name(x.plan));
	}
	assert_string_equal(accr_action_name(ACCR_ACTION_FIRST),
			    "first_recognition");
	assert_string_equal(accr_plan_check_name(ACCR_PLAN_NONE), "");
	fixture_close(&f);
}

static void test_schedule_plan_year_edge(void **state)
{
	/* ref 2025-09-15: the plan year ends 2026-05-31. E recognised
	 * 2021-10-31 must register by 2026-05-31 (expires 2026-10-31):
	 * renewal; F recognised a day later registers by 2026-06-01: none */
	fixture f;
	accr_schedule_row x;

	(void)state;
	fixture_open(&f,
		     "school_id,name,level,ownership,src_line\n"
		     "E,Trường E,thcs,cong_lap,2\n"
		     "F,Trường F,thcs,cong_lap,3\n",
		     "school_id,quality_level,standard_level,recognized_on,kind,"
		     "next_due,note,src_line\n"
		     "E,2,1,2021-10-31,first,,,2\n"
		     "F,2,1,2021-11-01,first,,,3\n");
	accr_schedule_at(&f.reg, 0, D("2025-09-15"), &f.opt, &x);
	assert_int_equal(x.action, ACCR_ACTION_RENEWAL);
	assert_day(x.action_by, "2026-05-31");
	accr_schedule_at(&f.reg, 1, D("2025-09-15"), &f.opt, &x);
	assert_int_equal(x.action, ACCR_ACTION_NONE);
	assert_day(x.state.register_by, "2026-06-01");
	fixture_close(&f);
}

static void test_schedule_file(void **state)
{
	/* days_to_register: 2025-04-30 - 2025-05-31 = -31; 2026-01-10 -
	 * 2025-05-31 = 30+31+31+30+31+30+31+10 = 224 */
	static const char want[] =
		"reference_date,school_id,name,level,ownership,status,"
		"quality_level,standard_level,recognized_on,kind,rules,"
		"expires_on,register_by,days_to_register,next_action,action_by,"
		"next_due,plan_check,history,src_line\n"
		"2025-05-31,P1,Trường P1,tieu_hoc,cong_lap,overdue,2,1,"
		"2020-09-30,first,2018,2025-09-30,2025-04-30,-31,renewal,"
		"2025-04-30,2025-09-15,ok,2020-09-30 2/1,2\n"
		"2025-05-31,P2,Trường P2,tieu_hoc,cong_lap,valid,3,2,2023-05-16,"
		"renewal,2018,2028-05-16,2027-12-16,929,none,,2028-06-01,"
		"after_expiry,2023-05-16 3/2,3\n"
		"2025-05-31,P3,Trường P3,thcs,cong_lap,expired,0,0,2019-11-20,"
		"first,2018,2024-11-20,2024-06-20,,renewal,,2025-11-20,"
		"after_expiry,2019-11-20 2/1,4\n"
		"2025-05-31,V1,Trường V1,tieu_hoc,tu_thuc,valid,3,1,2021-06-10,"
		"first,2018,2026-06-10,2026-01-10,224,renewal,2026-01-10,"
		"2025-05-01,passed,2021-06-10 3/1,5\n"
		"2025-05-31,V2,Trường V2,thcs,tu_thuc,none,0,0,,,,,,,"
		"first_recognition,,,,,\n"
		"2025-05-31,V3,Trường V3,thpt,tu_thuc,none,0,0,,,,,,,"
		"first_recognition,,,,,\n";
	fixture f;
	ss_error e;
	char path[160], *got;

	(void)state;
	fixture_open(&f, counts_schools, counts_accr);
	snprintf(path, sizeof path, "%s/schedule.csv", f.s.dir);
	err_clear(&e);
	assert_int_equal(accr_write_schedule(&f.reg, D("2025-05-31"), &f.opt,
					     path, &e),
			 SS_OK);
	got = scratch_read(&f.s, "schedule.csv");
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	/* a directory that does not exist: SS_EIO */
	snprintf(path, sizeof path, "%s/none/schedule.csv", f.s.dir);
	assert_int_equal(accr_write_schedule(&f.reg, D("2025-05-31"), &f.opt,
					     path, &e),
			 SS_EIO);
	fixture_close(&f);
}

/* ------------------------------------------------------------ register */

static void test_register_errors(void **state)
{
	static const struct {
		const char *accr;
		const char *msg;
		long line, column;
	} cases[] = {
		{ "school_id,quality_level,standard_level,recognized_on,kind\n"
		  "A,2,1,2021-01-20,first\n",
		  "missing column 'next_due'", 1, 0 },
		{ "school_id,quality_level,standard_level,recognized_on,kind,"
		  "next_due,note,src_line\nA,2,1,2021-02-29,first,,,2\n",
		  "bad recognized_on '2021-02-29'", 2, 4 },
		{ "school_id,quality_level,standard_level,recognized_on,kind,"
		  "next_due,note,src_line\nA,5,1,2021-01-20,first,,,2\n",
		  "bad quality_level '5' (expected a level 0 to 4)", 2, 2 },
		{ "school_id,quality_level,standard_level,recognized_on,kind,"
		  "next_due,note,src_line\nA,2,3,2021-01-20,first,,,2\n",
		  "bad standard_level '3' (expected a level 0 to 2)", 2, 3 },
		{ "school_id,quality_level,standard_level,recognized_on,kind,"
		  "next_due,note,src_line\nA,2,1,2021-01-20,lan_dau,,,2\n",
		  "bad kind 'lan_dau' (expected first or renewal)", 2, 5 },
		{ "school_id,quality_level,standard_level,recognized_on,kind,"
		  "next_due,note,src_line\nA,2,1,2021-01-20,first,soon,,2\n",
		  "bad next_due 'soon'", 2, 6 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		scratch s;
		ctable sch, acc;
		accr_register r;
		ss_error e;

		scratch_make(&s);
		scratch_write(&s, "clean/schools.csv",
			      "school_id,name,level,ownership\n"
			      "A,Trường A,thcs,cong_lap\n");
		scratch_write(&s, "clean/accreditation.csv", cases[i].accr);
		load(&s, "clean/schools.csv", &sch);
		load(&s, "clean/accreditation.csv", &acc);
		err_clear(&e);
		assert_int_equal(accr_register_build(&r, &sch, &acc, NULL, &e),
				 SS_EDATA);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: message '%s'", i, e.msg);
		assert_int_equal(e.line, cases[i].line);
		assert_int_equal(e.column, cases[i].column);
		assert_non_null(strstr(e.file, "accreditation.csv"));
		assert_null(r.school); /* released on failure */
		ctable_release(&sch);
		ctable_release(&acc);
		scratch_remove(&s);
	}
}

static void test_register_unknown_and_repeated(void **state)
{
	fixture f;

	(void)state;
	fixture_open(&f,
		     "school_id,name,level,ownership,src_line\n"
		     "A,Trường A,thcs,cong_lap,2\n"
		     "A,Trường A bis,thpt,tu_thuc,3\n",
		     "school_id,quality_level,standard_level,recognized_on,kind,"
		     "next_due,note,src_line\n"
		     "Z,2,1,2021-01-20,first,,,2\n"
		     "A,2,1,2021-01-20,first,,,3\n");
	assert_int_equal(f.reg.nschools, 1);
	assert_string_equal(f.reg.school[0].level, "thcs");
	assert_true(f.reg.school[0].is_public);
	assert_int_equal(f.reg.nrec, 1);
	assert_int_equal(f.diag.nwarnings, 1);
	assert_string_equal(f.diag.messages[0].code, "unknown_school");
	assert_int_equal(f.diag.messages[0].line, 2);
	assert_true(warned(&f.diag, "unknown_school", "'Z'"));
	assert_int_equal(accr_register_find(&f.reg, "Z"), -1);
	fixture_close(&f);
	/* a schools table without ownership */
	{
		scratch s;
		ctable sch;
		accr_register r;
		ss_error e;

		scratch_make(&s);
		scratch_write(&s, "clean/schools.csv",
			      "school_id,name,level\nA,Trường A,thcs\n");
		load(&s, "clean/schools.csv", &sch);
		err_clear(&e);
		assert_int_equal(accr_register_build(&r, &sch, NULL, NULL, &e),
				 SS_EDATA);
		assert_non_null(strstr(e.msg, "missing column 'ownership'"));
		ctable_release(&sch);
		scratch_remove(&s);
	}
}

/* ------------------------------------------------------------ trajectory */

/* Four public schools at 2025-05-31: A (2021-01-20, to 2026-01-20) and B
 * (2022-03-10, to 2027-03-10) standard; C lapsed 2025-02-28 (recognised
 * 2020-02-29); D never. A private W standard to 2027-12-05. */
static const char path_schools[] =
	"school_id,name,level,ownership,src_line\n"
	"A,Trường A,tieu_hoc,cong_lap,2\n"
	"B,Trường B,tieu_hoc,cong_lap,3\n"
	"C,Trường C,mam_non,cong_lap,4\n"
	"D,Trường D,mam_non,cong_lap,5\n"
	"W,Trường W,mam_non,tu_thuc,6\n";
static const char path_accr[] =
	"school_id,quality_level,standard_level,recognized_on,kind,next_due,"
	"note,src_line\n"
	"A,2,1,2021-01-20,first,,,2\n"
	"B,2,1,2022-03-10,renewal,,,3\n"
	"C,2,1,2020-02-29,first,,,4\n"
	"W,2,1,2022-12-05,first,,,5\n";

typedef struct path_want {
	const char *year;
	long long path, valid, expiring, todo, planned;
} path_want;

static void check_path(const accr_path *p, const path_want *w, size_t n)
{
	size_t i;
	char ybuf[16];

	assert_int_equal(p->n, n);
	for (i = 0; i < n; i++) {
		const accr_path_year *y = &p->year[i];

		assert_string_equal(ind_year_format(y->year, ybuf, sizeof ybuf),
				    w[i].year);
		assert_int_equal(y->is_actual, i == 0);
		if (y->path != w[i].path || y->valid_no_renewal != w[i].valid ||
		    y->expiring != w[i].expiring ||
		    y->to_recognize != w[i].todo ||
		    y->planned_valid != w[i].planned)
			fail_msg("%s: path %lld valid %lld expiring %lld todo "
				 "%lld planned %lld",
				 w[i].year, y->path, y->valid_no_renewal,
				 y->expiring, y->to_recognize, y->planned_valid);
	}
}

static void test_trajectory(void **state)
{
	/* public, >= 75% of 4 by 2028: required 3, current 2 (A, B).
	 * path 2 + ceil(i/3) = 3, 3, 3. Stock at 2026-05-31: B (A lapsed in
	 * January); at 2027-05-31 none (B lapsed in March).
	 * 2025-2026: 3 - 1 = 2 recognitions (valid to 2030-06-01 at least);
	 * 2026-2027: 3 - 0 - 2 = 1; 2027-2028: 3 - 0 - 3 = 0. */
	static const path_want want[] = {
		{ "2024-2025", 2, 2, 0, 0, 2 },
		{ "2025-2026", 3, 1, 1, 2, 3 },
		{ "2026-2027", 3, 0, 1, 1, 3 },
		{ "2027-2028", 3, 0, 0, 0, 3 },
	};
	/* >= 75% by 2032: the recognitions of 2025-2026 (valid at least to
	 * 2030-06-01) still count on 2030-05-31 but not on 2031-05-31, so
	 * 2030-2031 must renew 2 (3 - 1 still valid from 2026-2027, which
	 * lasts to 2031-06-01), and 2031-2032 one more (3 - 2). */
	static const path_want longer[] = {
		{ "2024-2025", 2, 2, 0, 0, 2 }, { "2025-2026", 3, 1, 1, 2, 3 },
		{ "2026-2027", 3, 0, 1, 1, 3 }, { "2027-2028", 3, 0, 0, 0, 3 },
		{ "2028-2029", 3, 0, 0, 0, 3 }, { "2029-2030", 3, 0, 0, 0, 3 },
		{ "2030-2031", 3, 0, 0, 2, 3 }, { "2031-2032", 3, 0, 0, 1, 3 },
	};
	/* = 50%: required 2 = current: path 2; 2 - 1 = 1, then 2 - 0 - 1 */
	static const path_want equal[] = {
		{ "2024-2025", 2, 2, 0, 0, 2 },
		{ "2025-2026", 2, 1, 1, 1, 2 },
		{ "2026-2027", 2, 0, 1, 1, 2 },
		{ "2027-2028", 2, 0, 0, 0, 2 },
	};
	fixture f;
	size_t m[5];
	accr_path p;
	ss_error e;

	(void)state;
	fixture_open(&f, path_schools, path_accr);
	all_members(&f, m);
	err_clear(&e);
	assert_int_equal(accr_trajectory(&f.reg, m, 5, 1, GAP_OP_GE, 75, 2028,
					 D("2025-05-31"), &f.opt, &p, &e),
			 SS_OK);
	assert_int_equal(p.schools, 4);
	assert_int_equal(p.current, 2);
	assert_int_equal(p.required, 3);
	assert_day(p.year[0].measured_on, "2025-05-31");
	assert_day(p.year[3].measured_on, "2028-05-31");
	check_path(&p, want, 4);
	accr_path_release(&p);
	assert_int_equal(accr_trajectory(&f.reg, m, 5, 1, GAP_OP_GE, 75, 2032,
					 D("2025-05-31"), &f.opt, &p, &e),
			 SS_OK);
	check_path(&p, longer, 8);
	accr_path_release(&p);
	assert_int_equal(accr_trajectory(&f.reg, m, 5, 1, GAP_OP_EQ, 50, 2028,
					 D("2025-05-31"), &f.opt, &p, &e),
			 SS_OK);
	assert_int_equal(p.required, 2);
	check_path(&p, equal, 4);
	accr_path_release(&p);
	/* all schools (W private counted): 5 schools, 3 standard; >= 84%
	 * needs 5 (4/5 = 80% falls short) */
	assert_int_equal(accr_trajectory(&f.reg, m, 5, 0, GAP_OP_GE, 84, 2028,
					 D("2025-05-31"), &f.opt, &p, &e),
			 SS_OK);
	assert_int_equal(p.schools, 5);
	assert_int_equal(p.current, 3);
	assert_int_equal(p.required, 5);
	/* path 3 + ceil(2 i / 3) = 4, 5, 5 */
	assert_int_equal(p.year[1].path, 4);
	assert_int_equal(p.year[2].path, 5);
	assert_int_equal(p.year[3].path, 5);
	accr_path_release(&p);
	fixture_close(&f);
}

static void test_trajectory_mid_year(void **state)
{
	/* from 2025-09-15 the first planned year is 2025-2026 itself; the
	 * reference row belongs to 2025-2026 too */
	fixture f;
	size_t m[5];
	accr_path p;
	ss_error e;

	(void)state;
	fixture_open(&f, path_schools, path_accr);
	all_members(&f, m);
	err_clear(&e);
	assert_int_equal(accr_trajectory(&f.reg, m, 5, 1, GAP_OP_GE, 75, 2027,
					 D("2025-09-15"), &f.opt, &p, &e),
			 SS_OK);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.year[0].year, 2025);
	assert_day(p.year[0].measured_on, "2025-09-15");
	assert_int_equal(p.year[1].year, 2025);
	assert_day(p.year[1].measured_on, "2026-05-31");
	assert_int_equal(p.year[2].year, 2026);
	accr_path_release(&p);
	fixture_close(&f);
}

static void test_trajectory_errors(void **state)
{
	static const struct {
		int public_only, n;
		gap_op op;
		double target;
		int deadline;
		const char *msg;
	} cases[] = {
		{ 1, 5, GAP_OP_LE, 75, 2030, "operator '<=' (expected >= or =)" },
		{ 1, 5, GAP_OP_GE, 75, 2025, "deadline '2025'" },
		{ 1, 5, GAP_OP_GE, 101, 2030, "no count of the 4 schools" },
		{ 1, 5, GAP_OP_EQ, 60, 2030, "no count of the 4 schools" },
		{ 0, 0, GAP_OP_GE, 75, 2030, "no schools in the scope" },
	};
	fixture f;
	size_t m[5], i;

	(void)state;
	fixture_open(&f, path_schools, path_accr);
	all_members(&f, m);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		accr_path p;
		ss_error e;

		err_clear(&e);
		assert_int_equal(accr_trajectory(&f.reg, m, (size_t)cases[i].n,
						 cases[i].public_only,
						 cases[i].op, cases[i].target,
						 cases[i].deadline,
						 D("2025-05-31"), &f.opt, &p,
						 &e),
				 SS_EUSAGE);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: '%s'", i, e.msg);
		assert_null(p.year);
	}
	/* W alone, public only: no school */
	{
		size_t w = school(&f, "W");
		accr_path p;
		ss_error e;

		err_clear(&e);
		assert_int_equal(accr_trajectory(&f.reg, &w, 1, 1, GAP_OP_GE,
						 100, 2030, D("2025-05-31"),
						 &f.opt, &p, &e),
				 SS_EUSAGE);
	}
	fixture_close(&f);
}

/* ------------------------------------------------------------ stage */

static void write_stage_inputs(const scratch *s)
{
	scratch_write(s, "clean/schools.csv", path_schools);
	scratch_write(s, "clean/accreditation.csv", path_accr);
	scratch_write(s, "clean/targets.csv",
		      "year,scope,indicator,op,target,deadline,source,src_line\n"
		      "2027-2028,all,standard_school_share_public,>=,75,2028,,2\n"
		      "2027-2028,all,standard_school_share,<=,50,2028,,3\n"
		      "2027-2028,level:thpt,standard_school_share,>=,50,2028,,4\n"
		      "2024-2025,all,standard_school_share,>=,50,,,5\n"
		      "2027-2028,all,promotion_rate,>=,99,2028,,6\n"
		      "2024-2025,A,standard_school_share,>=,100,2025,,7\n");
	scratch_write(s, "clean/enrollment.csv",
		      "year,school_id,grade,classes,students,src_line\n"
		      "2023-2024,A,all,1,30,2\n2024-2025,A,all,1,30,3\n");
}

static void test_run(void **state)
{
	/* the path of target line 2 is test_trajectory's first one */
	static const char traj[] =
		"scope,indicator,op,target,deadline,year,measured_on,basis,"
		"schools,required,path,valid_no_renewal,expiring,to_recognize,"
		"planned_valid,src_line\n"
		"all,standard_school_share_public,>=,75,2028,2024-2025,"
		"2025-05-31,actual,4,3,2,2,0,0,2,2\n"
		"all,standard_school_share_public,>=,75,2028,2025-2026,"
		"2026-05-31,plan,4,3,3,1,1,2,3,2\n"
		"all,standard_school_share_public,>=,75,2028,2026-2027,"
		"2027-05-31,plan,4,3,3,0,1,1,3,2\n"
		"all,standard_school_share_public,>=,75,2028,2027-2028,"
		"2028-05-31,plan,4,3,3,0,0,0,3,2\n";
	accr_run_options o;
	accr_run_summary sum;
	diag_sink d;
	ss_error e;
	scratch s;
	char *got;
	struct stat sb;
	char path[200];

	(void)state;
	scratch_make(&s);
	write_stage_inputs(&s);
	accr_run_options_default(&o);
	diag_init(&d, NULL, NULL);
	err_clear(&e);
	if (accr_run(s.dir, &o, &d, &sum, &e) != SS_OK)
		fail_msg("accr_run: %s", e.msg);
	/* the reference: the end of 2024-2025, the latest enrollment year */
	assert_day(sum.reference, "2025-05-31");
	assert_true(sum.reference_from_data);
	assert_int_equal(sum.schools, 5);
	assert_int_equal(sum.recognitions, 4);
	assert_int_equal(sum.trajectories, 1);
	/* levels + one timeline page */
	assert_int_equal(sum.charts, 2);
	got = scratch_read(&s, "accreditation_trajectory.csv");
	assert_non_null(got);
	assert_string_equal(got, traj);
	free(got);
	/* lines 3 (<=), 4 (no thpt school) and 7 (deadline passed) are
	 * skipped with a warning; 5 has no deadline, 6 is not a share */
	assert_int_equal(d.nwarnings, 3);
	assert_true(warned(&d, "trajectory_skipped", "expected >= or ="));
	assert_true(warned(&d, "trajectory_skipped", "unknown scope"));
	assert_true(warned(&d, "trajectory_skipped", "deadline '2025'"));
	assert_int_equal(d.messages[0].line, 3);
	snprintf(path, sizeof path, "%s/charts/accreditation_levels.svg",
		 s.dir);
	assert_int_equal(stat(path, &sb), 0);
	snprintf(path, sizeof path, "%s/charts/accreditation_timeline_1.png",
		 s.dir);
	assert_int_equal(stat(path, &sb), 0);
	diag_release(&d);
	/* a given reference wins */
	o.has_reference = 1;
	o.reference = D("2025-09-15");
	diag_init(&d, NULL, NULL);
	assert_int_equal(accr_run(s.dir, &o, &d, &sum, &e), SS_OK);
	assert_false(sum.reference_from_data);
	assert_day(sum.reference, "2025-09-15");
	diag_release(&d);
	scratch_remove(&s);
}

static void test_run_errors(void **state)
{
	accr_run_options o;
	diag_sink d;
	ss_error e;
	scratch s;

	(void)state;
	accr_run_options_default(&o);
	diag_init(&d, NULL, NULL);
	scratch_make(&s);
	/* no schools.csv */
	err_clear(&e);
	assert_int_equal(accr_run(s.dir, &o, &d, NULL, &e), SS_EIO);
	assert_non_null(strstr(e.file, "clean/schools.csv"));
	/* no register: nothing to do, not an error */
	scratch_write(&s, "clean/schools.csv",
		      "school_id,name,level,ownership\nA,Trường A,thcs,cong_lap\n");
	{
		accr_run_summary sum;

		err_clear(&e);
		assert_int_equal(accr_run(s.dir, &o, &d, &sum, &e), SS_OK);
		assert_int_equal(sum.no_register, 1);
	}
	/* an empty register and no year anywhere: no reference */
	scratch_write(&s, "clean/accreditation.csv",
		      "school_id,quality_level,standard_level,recognized_on,kind,"
		      "next_due,note,src_line\n");
	err_clear(&e);
	assert_int_equal(accr_run(s.dir, &o, &d, NULL, &e), SS_EUSAGE);
	assert_non_null(strstr(e.msg, "expected --reference-date"));
	/* the latest recognition's school year: 2023-11-02 is in 2023-2024 */
	scratch_write(&s, "clean/accreditation.csv",
		      "school_id,quality_level,standard_level,recognized_on,kind,"
		      "next_due,note,src_line\nA,2,1,2023-11-02,first,,,2\n");
	{
		accr_run_summary sum;

		err_clear(&e);
		assert_int_equal(accr_run(s.dir, &o, &d, &sum, &e), SS_OK);
		assert_day(sum.reference, "2024-05-31");
	}
	/* a malformed clean table */
	scratch_write(&s, "clean/accreditation.csv",
		      "school_id,quality_level,standard_level,recognized_on,kind,"
		      "next_due,note,src_line\nA,2,1,02/11/2023,first,,,2\n");
	err_clear(&e);
	assert_int_equal(accr_run(s.dir, &o, &d, NULL, &e), SS_EDATA);
	/* an output that cannot be written: a directory in its place */
	scratch_write(&s, "clean/accreditation.csv", accr_hdr);
	{
		char p[200];

		snprintf(p, sizeof p, "%s/accreditation_schedule.csv", s.dir);
		unlink(p);
		assert_int_equal(mkdir(p, 0777), 0);
		o.has_reference = 1;
		o.reference = D("2025-05-31");
		err_clear(&e);
		assert_int_equal(accr_run(s.dir, &o, &d, NULL, &e), SS_EIO);
	}
	diag_release(&d);
	scratch_remove(&s);
}

/* ------------------------------------------------------------ charts */

static void test_charts_load(void **state)
{
	fixture f;
	accr_charts c;
	int found;
	ss_error e;
	char path[200];
	size_t i;

	(void)state;
	fixture_open(&f, counts_schools, counts_accr);
	err_clear(&e);
	accr_charts_init(&c);
	assert_int_equal(accr_charts_load(&c, f.s.dir, &found, &e), SS_OK);
	assert_false(found);
	snprintf(path, sizeof path, "%s/accreditation_schedule.csv", f.s.dir);
	assert_int_equal(accr_write_schedule(&f.reg, D("2025-05-31"), &f.opt,
					     path, &e),
			 SS_OK);
	assert_int_equal(accr_charts_load(&c, f.s.dir, &found, &e), SS_OK);
	assert_true(found);
	assert_day(c.reference, "2025-05-31");
	assert_int_equal(c.schools, 6);
	assert_int_equal(c.standard, 3);
	/* school types: Tiểu học công lập (P1 level 1, P2 level 2), Tiểu
	 * học tư thục (V1 level 1), THCS công lập (P3 expired), THCS tư
	 * thục (V2 never), THPT tư thục (V3 never) */
	assert_int_equal(c.levels.nrows, 5);
	assert_string_equal(c.levels.rows[0].label, "Tiểu học công lập");
	assert_int_equal(c.levels.rows[0].count[ACCR_SEG_STANDARD_1], 1);
	assert_int_equal(c.levels.rows[0].count[ACCR_SEG_STANDARD_2], 1);
	assert_string_equal(c.levels.rows[1].label, "Tiểu học tư thục");
	assert_int_equal(c.levels.rows[1].count[ACCR_SEG_STANDARD_1], 1);
	assert_string_equal(c.levels.rows[2].label, "THCS công lập");
	assert_int_equal(c.levels.rows[2].count[ACCR_SEG_EXPIRED], 1);
	assert_string_equal(c.levels.rows[4].label, "THPT tư thục");
	assert_int_equal(c.levels.rows[4].count[ACCR_SEG_NEVER], 1);
	/* the timeline by expiry: P3 2024-11-20, P1 2025-09-30, V1
	 * 2026-06-10, P2 2028-05-16, then V2 and V3 (never) by name */
	{
		static const char *const order[] = { "Trường P3", "Trường P1",
						     "Trường V1", "Trường P2",
						     "Trường V2", "Trường V3" };
		for (i = 0; i < 6; i++)
			assert_string_equal(c.timeline.rows[i].label, order[i]);
	}
	assert_int_equal(c.timeline.rows[1].status, ACCR_OVERDUE);
	assert_day(c.timeline.rows[1].register_by, "2025-04-30");
	/* axis: from P3's recognition year 2019, but at most 5 years before
	 * 2025: 2020; to the year after P2's 2028 dates */
	assert_day(c.timeline.from, "2020-01-01");
	assert_day(c.timeline.to, "2029-01-01");
	assert_int_equal(accr_charts_timeline_pages(&c), 1);
	accr_charts_release(&c);
	fixture_close(&f);
}

static void test_charts_draw(void **state)
{
	fixture f;
	accr_charts c;
	int found;
	ss_error e;
	char path[200];
	cairo_surface_t *surf;
	cairo_t *cr;
	chart_style st;
	chart_rect area = { 0, 0, 600, 400 };
	size_t written;
	struct stat sb;

	(void)state;
	fixture_open(&f, counts_schools, counts_accr);
	err_clear(&e);
	snprintf(path, sizeof path, "%s/accreditation_schedule.csv", f.s.dir);
	assert_int_equal(accr_write_schedule(&f.reg, D("2025-05-31"), &f.opt,
					     path, &e),
			 SS_OK);
	accr_charts_init(&c);
	assert_int_equal(accr_charts_load(&c, f.s.dir, &found, &e), SS_OK);
	surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 600, 400);
	cr = cairo_create(surf);
	chart_style_init(&st, 10.0);
	assert_int_equal(accr_charts_draw(cr, &area, &st, &c, 0, &e), SS_OK);
	assert_int_equal(accr_charts_draw(cr, &area, &st, &c, 1, &e), SS_OK);
	assert_int_equal(accr_charts_draw(cr, &area, &st, &c, 2, &e), SS_EUSAGE);
	assert_non_null(strstr(e.msg, "no accreditation chart 2"));
	{
		/* bad data: no rows, a negative count, an empty axis */
		accr_levels_chart lv = { NULL, NULL, NULL, 0 };
		accr_levels_row row = { "x", { 1, -1, 0, 0, 0 } };
		accr_timeline_chart tl = c.timeline;
		chart_rect empty = { 0, 0, 0, 10 };

		assert_int_equal(accr_chart_draw_levels(cr, &area, &st, &lv, &e),
				 SS_EUSAGE);
		lv.rows = &row;
		lv.nrows = 1;
		assert_int_equal(accr_chart_draw_levels(cr, &area, &st, &lv, &e),
				 SS_EUSAGE);
		assert_non_null(strstr(e.msg, "negative count '-1'"));
		row.count[1] = 0;
		assert_int_equal(accr_chart_draw_levels(cr, &empty, &st, &lv,
							&e),
				 SS_EUSAGE);
		assert_int_equal(accr_chart_draw_levels(cr, &area, &st, &lv, &e),
				 SS_OK);
		tl.to = tl.from;
		assert_int_equal(accr_chart_draw_timeline(cr, &area, &st, &tl,
							  &e),
				 SS_EUSAGE);
		tl = c.timeline;
		tl.nrows = 0;
		assert_int_equal(accr_chart_draw_timeline(cr, &area, &st, &tl,
							  &e),
				 SS_EUSAGE);
	}
	cairo_destroy(cr);
	cairo_surface_destroy(surf);
	assert_int_equal(accr_charts_write(&c, f.s.dir, 400, 250, 1, &written,
					   &e),
			 SS_OK);
	assert_int_equal(written, 2);
	snprintf(path, sizeof path, "%s/charts/accreditation_timeline_1.svg",
		 f.s.dir);
	assert_int_equal(stat(path, &sb), 0);
	accr_charts_release(&c);
	fixture_close(&f);
}

static void test_charts_bad_schedule(void **state)
{
	static const struct {
		const char *row;
		const char *msg;
	} cases[] = {
		{ "2025-05-31,A,N,thcs,cong_lap,bogus,0,0,,,,,,,none,,,,,",
		  "bad status 'bogus'" },
		{ "2025-05-31,A,N,thcs,cong_lap,none,0,7,,,,,,,none,,,,,",
		  "bad standard_level '7'" },
		{ "2025-05-31,A,N,thcs,cong_lap,valid,2,1,2021-01-20,first,2018,"
		  ",2025-08-20,0,none,,,,,",
		  "bad expires_on ''" },
		{ "2025-05-31,A,N,thcs,cong_lap,none,2,1,2021-01-20,first,2018,"
		  "2026-01-20,2025-08-20,0,none,,,,,",
		  "bad status 'none' (expected a status other than none)" },
		{ "31/05/2025,A,N,thcs,cong_lap,none,0,0,,,,,,,none,,,,,",
		  "bad reference_date '31/05/2025'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		scratch s;
		accr_charts c;
		char text[1024];
		int found;
		ss_error e;

		scratch_make(&s);
		snprintf(text, sizeof text,
			 "reference_date,school_id,name,level,ownership,status,"
			 "quality_level,standard_level,recognized_on,kind,rules,"
			 "expires_on,register_by,days_to_register,next_action,"
			 "action_by,next_due,plan_check,history,src_line\n%s\n",
			 cases[i].row);
		scratch_write(&s, "accreditation_schedule.csv", text);
		accr_charts_init(&c);
		err_clear(&e);
		assert_int_equal(accr_charts_load(&c, s.dir, &found, &e),
				 SS_EDATA);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: '%s'", i, e.msg);
		assert_int_equal(e.line, 2);
		accr_charts_release(&c);
		scratch_remove(&s);
	}
	{
		scratch s;
		accr_charts c;
		int found;
		ss_error e;

		scratch_make(&s);
		scratch_write(&s, "accreditation_schedule.csv",
			      "school_id,name\nA,N\n");
		accr_charts_init(&c);
		assert_int_equal(accr_charts_load(&c, s.dir, &found, &e),
				 SS_EDATA);
		assert_non_null(strstr(e.msg, "missing column 'reference_date'"));
		accr_charts_release(&c);
		scratch_remove(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_serials),
		cmocka_unit_test(test_day_parse),
		cmocka_unit_test(test_add_months),
		cmocka_unit_test(test_expiry_and_deadline),
		cmocka_unit_test(test_rules_switch),
		cmocka_unit_test(test_school_years),
		cmocka_unit_test(test_registration_window),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_counts_public_and_all),
		cmocka_unit_test(test_producer),
		cmocka_unit_test(test_producer_years_from_register),
		cmocka_unit_test(test_schedule_actions),
		cmocka_unit_test(test_schedule_plan_year_edge),
		cmocka_unit_test(test_schedule_file),
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_register_unknown_and_repeated),
		cmocka_unit_test(test_trajectory),
		cmocka_unit_test(test_trajectory_mid_year),
		cmocka_unit_test(test_trajectory_errors),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_run_errors),
		cmocka_unit_test(test_charts_load),
		cmocka_unit_test(test_charts_draw),
		cmocka_unit_test(test_charts_bad_schedule),
	};

	int failed;

	gsl_set_error_handler_off();
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	chart_fonts_release();
	return failed;
}
