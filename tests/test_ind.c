/* Tests for ind: the catalogue and row conventions, output order, and the
 * whole stage on small clean/ fixtures whose every expected number is
 * worked out by hand in the comments next to it.
 *
 * Wilson 95% interval used below, z = 1.959964 (z^2 = 3.841459):
 *   centre = (p + z^2/2n) / (1 + z^2/n),
 *   half   = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n).
 * e.g. 58/100: p = .58, 1 + z^2/n = 1.0384146,
 *   centre = (.58 + .0192073) / 1.0384146 = .5770396,
 *   half = 1.959964 x sqrt(.002436 + .00009604) / 1.0384146 = .0949747,
 *   interval 48.2065 .. 67.2014 percent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "csvout.h"
#include "ctable.h"
#include "diag.h"
#include "ind.h"

#include <dirent.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers */

#define ASSERT_CLOSE(got, want) \
	assert_close_at((got), (want), #got, __FILE__, __LINE__)

/* Output numbers have 6 decimals: 1e-6 absolute, 1e-9 relative. */
static int close_enough(double got, double want)
{
	return isfinite(got) && fabs(got - want) <= 1e-6 + 1e-9 * fabs(want);
}

static void assert_close_at(double got, double want, const char *what,
			    const char *file, int line)
{
	if (!close_enough(got, want)) {
		print_error("%s = %.17g, expected %.17g\n", what, got, want);
		_fail(file, line);
	}
}

typedef struct fixture_file {
	const char *name; /* relative to the output directory */
	const char *text;
} fixture_file;

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* A fresh output directory with clean/ and the given files; caller frees
 * the name and removes the tree. */
static char *make_dir(const fixture_file *files)
{
	char tmpl[] = "/tmp/test_ind.XXXXXX";
	char path[512];
	char *dir = mkdtemp(tmpl);
	size_t i;

	assert_non_null(dir);
	dir = strdup(dir);
	assert_non_null(dir);
	snprintf(path, sizeof path, "%s/clean", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	for (i = 0; files && files[i].name; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
		write_text(path, files[i].text);
	}
	return dir;
}

static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			empty_dir(path);
			rmdir(path);
		} else {
			unlink(path);
		}
	}
	closedir(d);
}

static void remove_tree(char *dir)
{
	empty_dir(dir);
	rmdir(dir);
	free(dir);
}

/* One run of the stage over a fixture. */
typedef struct run {
	char *dir;
	ss_status st;
	ss_error e;
	diag_sink diag;
	ctable ind, hist;
} run;

/* Runs the stage on files; every_scope asks for histograms of every scope
 * (ind_options.hist_every_scope). */
static void run_fixture_scopes(run *r, const fixture_file *files,
			       int every_scope)
{
	ind_options opt;
	char path[512];

	memset(r, 0, sizeof *r);
	r->dir = make_dir(files);
	ind_options_default(&opt);
	opt.hist_every_scope = every_scope;
	diag_init(&r->diag, NULL, NULL);
	err_clear(&r->e);
	ctable_init(&r->ind);
	ctable_init(&r->hist);
	r->st = ind_run(r->dir, &opt, NULL, 0, &r->diag, &r->e);
	if (r->st != SS_OK)
		return;
	snprintf(path, sizeof path, "%s/indicators.csv", r->dir);
	assert_int_equal(ctable_load(&r->ind, path, NULL), SS_OK);
	snprintf(path, sizeof path, "%s/exam_histograms.csv", r->dir);
	assert_int_equal(ctable_load(&r->hist, path, NULL), SS_OK);
}

static void run_fixture(run *r, const fixture_file *files)
{
	run_fixture_scopes(r, files, 0);
}

static void run_release(run *r)
{
	ctable_release(&r->ind);
	ctable_release(&r->hist);
	diag_release(&r->diag);
	remove_tree(r->dir);
}

/* Expected fields: NULL = not checked, "" = must be empty, else a number. */
typedef struct expect_row {
	const char *year, *scope, *indicator;
	const char *value, *num, *den, *lo, *hi;
} expect_row;

static long find_row(const ctable *t, const char *year, const char *scope,
		     const char *indicator)
{
	int cy = ctable_col(t, "year"), cs = ctable_col(t, "scope"),
	    ci = ctable_col(t, "indicator");
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(ctable_get(t, i, cy), year) == 0 &&
		    strcmp(ctable_get(t, i, cs), scope) == 0 &&
		    strcmp(ctable_get(t, i, ci), indicator) == 0)
			return (long)i;
	return -1;
}

static void check_field(const ctable *t, size_t row, const char *col,
			const char *want, const expect_row *x)
{
	const char *got = ctable_get(t, row, ctable_col(t, col));
	double g;

	if (!want)
		return;
	if (!*want) {
		if (*got) {
			print_error("%s,%s,%s: %s = '%s', expected empty\n",
				    x->year, x->scope, x->indicator, col, got);
			fail();
		}
		return;
	}
	if (ctable_get_double(t, row, ctable_col(t, col), &g) != 1 ||
	    !close_enough(g, strtod(want, NULL))) {
		print_error("%s,%s,%s: %s = '%s', expected %s\n", x->year,
			    x->scope, x->indicator, col, got, want);
		fail();
	}
}

static void check_rows(const ctable *t, const expect_row *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		long r = find_row(t, x[i].year, x[i].scope, x[i].indicator);
		if (r < 0) {
			print_error("missing row %s,%s,%s\n", x[i].year,
				    x[i].scope, x[i].indicator);
			fail();
		}
		check_field(t, (size_t)r, "value", x[i].value, &x[i]);
		check_field(t, (size_t)r, "numerator", x[i].num, &x[i]);
		check_field(t, (size_t)r, "denominator", x[i].den, &x[i]);
		check_field(t, (size_t)r, "ci_low", x[i].lo, &x[i]);
		check_field(t, (size_t)r, "ci_high", x[i].hi, &x[i]);
	}
}

typedef struct absent_row {
	const char *year, *scope, *indicator;
} absent_row;

static void check_absent(const ctable *t, const absent_row *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (find_row(t, x[i].year, x[i].scope, x[i].indicator) >= 0) {
			print_error("unexpected row %s,%s,%s\n", x[i].year,
				    x[i].scope, x[i].indicator);
			fail();
		}
}

/* No field of any row is nan or inf (case-insensitive "nan"/"inf"). */
static void check_no_nan(const ctable *t)
{
	size_t i, j;

	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++) {
			const char *v = ctable_get(t, i, (int)j);
			if (strstr(v, "nan") || strstr(v, "inf") ||
			    strstr(v, "NAN") || strstr(v, "INF")) {
				print_error("row %zu col %zu holds '%s'\n", i,
					    j, v);
				fail();
			}
		}
}

/* Number of messages with code, file and line (line < 0: any), whose text
 * contains `part` (NULL: any). */
static size_t count_msgs(const diag_sink *d, const char *code,
			 const char *file, long line, const char *part)
{
	size_t i, n = 0;

	for (i = 0; i < d->nmessages; i++) {
		const diag_message *m = &d->messages[i];
		if (strcmp(m->code, code) == 0 &&
		    (!file || strcmp(m->file, file) == 0) &&
		    (line < 0 || m->line == line) &&
		    (!part || strstr(m->message, part)))
			n++;
	}
	return n;
}

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ----------------------------------------------------------- catalogue */

static void test_catalogue(void **state)
{
	static const struct {
		const char *name;
		int found;
		ind_id id;
		ind_kind kind;
		double scale;
		int wilson;
	} cases[] = {
		{ "classes", 1, IND_CLASSES, IND_KIND_COUNT, 1, 0 },
		{ "students_per_class", 1, IND_STUDENTS_PER_CLASS,
		  IND_KIND_RATIO, 1, 0 },
		{ "permanent_staff_fill", 1, IND_PERMANENT_STAFF_FILL,
		  IND_KIND_RATIO, 100, 1 },
		{ "promotion_rate", 1, IND_PROMOTION_RATE, IND_KIND_RATIO, 100,
		  1 },
		{ "completion_rate_cohort", 1, IND_COMPLETION_RATE_COHORT,
		  IND_KIND_RATIO, 100, 1 },
		{ "survival_rate_last_grade:tieu_hoc", 1,
		  IND_SURVIVAL_RATE_LAST_GRADE, IND_KIND_RATIO, 100, 0 },
		{ "cohort_dropout_rate:5", 1, IND_COHORT_DROPOUT_RATE,
		  IND_KIND_RATIO, 100, 1 },
		{ "exam_mean:toan", 1, IND_EXAM_MEAN, IND_KIND_RATIO, 1, 0 },
		{ "exam_mean:tot_nghiep:toan", 1, IND_EXAM_MEAN,
		  IND_KIND_RATIO, 1, 0 },
		{ "exam_sd:van", 1, IND_EXAM_SD, IND_KIND_SD, 1, 0 },
		{ "exam_median:van", 1, IND_EXAM_MEDIAN, IND_KIND_QUANTILE, 1,
		  0 },
		{ "exam_low_rate:van", 1, IND_EXAM_LOW_RATE, IND_KIND_RATIO,
		  100, 1 },
		{ "standard_school_share", 1, IND_STANDARD_SCHOOL_SHARE,
		  IND_KIND_RATIO, 100, 1 },
		{ "exam_means:toan", 0, 0, 0, 0, 0 },
		{ "exam", 0, 0, 0, 0, 0 },
		{ ":toan", 0, 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0, 0 },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < NROWS(cases); i++) {
		const ind_def *d = ind_def_find(cases[i].name);
		if (!cases[i].found) {
			assert_null(d);
			continue;
		}
		assert_non_null(d);
		assert_int_equal(d->id, cases[i].id);
		assert_int_equal(d->kind, cases[i].kind);
		assert_true(d->scale == cases[i].scale);
		assert_int_equal(d->wilson, cases[i].wilson);
	}
	assert_null(ind_def_find(NULL));
	assert_null(ind_def_get(IND_NUM_INDICATORS));
	assert_null(ind_def_get((ind_id)-1));
	/* The table is indexed by id and names are unique. */
	for (i = 0; i < IND_NUM_INDICATORS; i++) {
		assert_int_equal(ind_def_get((ind_id)i)->id, i);
		for (j = 0; j < i; j++)
			assert_string_not_equal(ind_def_get((ind_id)i)->name,
						ind_def_get((ind_id)j)->name);
	}
}

static void test_value_from_parts(void **state)
{
	static const struct {
		ind_id id;
		double num, den;
		int ok;
		double value;
	} cases[] = {
		{ IND_CLASSES, 12, 1, 1, 12 },
		/* 430 students / 12 classes = 35.833333 */
		{ IND_STUDENTS_PER_CLASS, 430, 12, 1, 35.833333333333336 },
		/* 58 / 100 x 100 */
		{ IND_PROMOTION_RATE, 58, 100, 1, 58 },
		/* 27.75 / 4 */
		{ IND_EXAM_MEAN, 27.75, 4, 1, 6.9375 },
		/* sqrt(9.296875 / 3) = sqrt(3.0989583) = 1.7603859 */
		{ IND_EXAM_SD, 9.296875, 3, 1, 1.7603858669 },
		{ IND_EXAM_SD, -1, 3, 0, 0 },
		{ IND_EXAM_SD, 0, 0, 0, 0 },
		{ IND_PROMOTION_RATE, 3, 0, 0, 0 },
		{ IND_EXAM_MEDIAN, 6.75, 4, 0, 0 },
		{ IND_PROMOTION_RATE, NAN, 4, 0, 0 },
		{ IND_PROMOTION_RATE, 1, INFINITY, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(cases); i++) {
		double v = -1;
		int ok = ind_value_from_parts(ind_def_get(cases[i].id),
					      cases[i].num, cases[i].den, &v);
		assert_int_equal(ok, cases[i].ok);
		if (ok)
			ASSERT_CLOSE(v, cases[i].value);
		else
			assert_true(v == -1);
	}
	assert_int_equal(ind_value_from_parts(NULL, 1, 1, NULL), 0);
}

static void test_years_and_grades(void **state)
{
	static const struct {
		const char *s;
		int ok, start;
	} years[] = {
		{ "2024-2025", 1, 2024 }, { "1999-2000", 1, 1999 },
		{ "2024-2026", 0, 0 },    { "2024/2025", 0, 0 },
		{ "2024-2025 ", 0, 0 },   { "24-25", 0, 0 },
		{ "", 0, 0 },             { "abcd-efgh", 0, 0 },
	};
	char buf[16];
	size_t i;
	int start;

	(void)state;
	for (i = 0; i < NROWS(years); i++) {
		start = -1;
		assert_int_equal(ind_year_parse(years[i].s, &start),
				 years[i].ok);
		if (years[i].ok)
			assert_int_equal(start, years[i].start);
	}
	assert_int_equal(ind_year_parse(NULL, &start), 0);
	assert_string_equal(ind_year_format(2020, buf, sizeof buf),
			    "2020-2021");
	assert_int_equal(ind_grade_index("nha_tre"), 0);
	assert_int_equal(ind_grade_index("mg_5"), 3);
	assert_int_equal(ind_grade_index("1"), 4);
	assert_int_equal(ind_grade_index("12"), 15);
	assert_int_equal(ind_grade_index("all"), IND_GRADE_ALL);
	assert_int_equal(ind_grade_index("13"), -1);
	assert_int_equal(ind_grade_index("01"), -1);
	assert_int_equal(ind_grade_index(NULL), -1);
	assert_string_equal(ind_grade_name(8), "5");
	assert_null(ind_grade_name(IND_NUM_GRADES));
	assert_null(ind_grade_name(-1));
}

/* ---------------------------------------------------------------- rows */

static const ind_school two_schools[] = {
	{ "B", "thpt", "Xa Z", "", "", 2 },
	{ "A", "mam_non", "Xa Y", "Huyen H", "", 3 },
};

static void test_scopes_order(void **state)
{
	/* Schools in file order, levels in contract order (mam_non before
	 * thpt), then communes sorted, districts, then all. */
	static const char *const want[] = { "B", "A", "level:mam_non",
					    "level:thpt", "commune:Xa Y",
					    "commune:Xa Z", "district:Huyen H",
					    "all" };
	ind_scopes s;
	size_t i;

	(void)state;
	assert_int_equal(ind_scopes_build(&s, two_schools, 2, NULL), SS_OK);
	assert_int_equal(s.n, NROWS(want));
	for (i = 0; i < NROWS(want); i++) {
		assert_string_equal(s.scope[i].name, want[i]);
		assert_int_equal(ind_scopes_rank(&s, want[i]), (long)i);
	}
	assert_int_equal(ind_scopes_rank(&s, "C"), -1);
	/* Members: level:thpt is B (index 0); all is both. */
	assert_int_equal(s.scope[3].nmembers, 1);
	assert_int_equal(s.scope[3].members[0], 0);
	assert_int_equal(s.scope[7].nmembers, 2);
	assert_int_equal(s.scope[7].kind, IND_SCOPE_ALL);
	assert_int_equal(s.scope[6].kind, IND_SCOPE_DISTRICT);
	ind_scopes_release(&s);
	ind_scopes_release(&s); /* released twice is harmless */
}

static void test_rows_zero_denominator(void **state)
{
	ind_scopes s;
	ind_rows r;
	ind_values v;
	diag_sink d;
	ind_key k = { "2024-2025", "A", IND_STUDENTS_PER_CLASS, NULL, 0 };
	ind_src src = { "enrollment.csv", 12, "classes" };
	char *dir = make_dir(NULL), path[512], line[256];
	FILE *fp;

	(void)state;
	diag_init(&d, NULL, NULL);
	assert_int_equal(ind_scopes_build(&s, two_schools, 2, NULL), SS_OK);
	ind_rows_init(&r, &s, 0.95, &d);
	/* 30 students, 0 classes: no value, the parts kept, one warning. */
	assert_int_equal(ind_rows_add_ratio(&r, &k, 30, 0, &src, NULL), SS_OK);
	ind_rows_values(&r, 0, &v);
	assert_int_equal(v.has_value, 0);
	assert_int_equal(v.has_ci, 0);
	assert_int_equal(v.has_numerator, 1);
	ASSERT_CLOSE(v.numerator, 30);
	assert_int_equal(d.nmessages, 1);
	assert_string_equal(d.messages[0].code, "zero_denominator");
	assert_string_equal(d.messages[0].file, "enrollment.csv");
	assert_int_equal(d.messages[0].line, 12);
	assert_int_equal(d.messages[0].severity, DIAG_WARNING);
	assert_non_null(strstr(d.messages[0].message,
			       "students_per_class for 'A' in 2024-2025: classes is '0'"));
	/* An SD of one score: n - 1 = 0. */
	k.id = IND_EXAM_SD;
	k.suffix = "toan";
	assert_int_equal(ind_rows_add_sd(&r, &k, 0, 0, 1, NULL, NULL), SS_OK);
	assert_int_equal(d.nmessages, 2);
	assert_string_equal(d.messages[1].code, "zero_denominator");
	/* A median that cannot be computed: empty, no warning. */
	k.id = IND_EXAM_MEDIAN;
	assert_int_equal(ind_rows_add_quantile(&r, &k, 0, NAN, 0, NULL),
			 SS_OK);
	assert_int_equal(d.nmessages, 2);
	/* A rate above 100 (over-filled posts): value, no interval. 12 / 10
	 * x 100 = 120. */
	k.id = IND_PERMANENT_STAFF_FILL;
	k.suffix = NULL;
	assert_int_equal(ind_rows_add_ratio(&r, &k, 12, 10, NULL, NULL), SS_OK);
	ind_rows_values(&r, 3, &v);
	assert_int_equal(v.has_value, 1);
	ASSERT_CLOSE(v.value, 120);
	assert_int_equal(v.has_ci, 0);
	/* A key without a scope or with an unknown id is refused. */
	k.scope = NULL;
	assert_int_equal(ind_rows_add_count(&r, &k, 1, NULL), SS_EUSAGE);
	k.scope = "A";
	k.id = IND_NUM_INDICATORS;
	assert_int_equal(ind_rows_add_count(&r, &k, 1, NULL), SS_EUSAGE);

	snprintf(path, sizeof path, "%s/indicators.csv", dir);
	assert_int_equal(ind_rows_write(&r, path, NULL), SS_OK);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof line, fp));
	assert_string_equal(line, "year,scope,indicator,value,numerator,"
				  "denominator,ci_low,ci_high\n");
	assert_non_null(fgets(line, sizeof line, fp));
	assert_string_equal(line, "2024-2025,A,students_per_class,,30,0,,\n");
	assert_non_null(fgets(line, sizeof line, fp));
	assert_string_equal(line, "2024-2025,A,exam_sd:toan,,,0,,\n");
	assert_non_null(fgets(line, sizeof line, fp));
	assert_string_equal(line, "2024-2025,A,exam_median:toan,,,0,,\n");
	assert_non_null(fgets(line, sizeof line, fp));
	assert_string_equal(line, "2024-2025,A,permanent_staff_fill,120,12,10,,\n");
	assert_null(fgets(line, sizeof line, fp));
	fclose(fp);

	ind_rows_release(&r);
	ind_scopes_release(&s);
	diag_release(&d);
	remove_tree(dir);
}

static void test_rows_sort(void **state)
{
	static const struct {
		const char *year, *scope;
		ind_id id;
		const char *suffix;
		long sub;
	} add[] = {
		{ "2024-2025", "all", IND_CLASSES, NULL, 0 },
		{ "2024-2025", "A", IND_EXAM_MEAN, "van", 1 },
		{ "2024-2025", "zz", IND_CLASSES, NULL, 0 },
		{ "2024-2025", "A", IND_EXAM_MEAN, "toan", 0 },
		{ "2023-2024", "level:thpt", IND_STUDENTS, NULL, 0 },
		{ "2024-2025", "A", IND_CLASSES, NULL, 0 },
		{ "2024-2025", "commune:Xa Y", IND_CLASSES, NULL, 0 },
		{ "2024-2025", "B", IND_TEACHERS, NULL, 0 },
		{ "2024-2025", "level:mam_non", IND_CLASSES, NULL, 0 },
		{ "2024-2025", "A", IND_EXAM_CANDIDATES, "van", 1 },
	};
	/* Year first; then B, A (file order), levels, communes, all, and
	 * the unknown scope last; within a scope catalogue order, then the
	 * subject order. */
	static const char *const want[][3] = {
		{ "2023-2024", "level:thpt", "students" },
		{ "2024-2025", "B", "teachers" },
		{ "2024-2025", "A", "classes" },
		{ "2024-2025", "A", "exam_candidates:van" },
		{ "2024-2025", "A", "exam_mean:toan" },
		{ "2024-2025", "A", "exam_mean:van" },
		{ "2024-2025", "level:mam_non", "classes" },
		{ "2024-2025", "commune:Xa Y", "classes" },
		{ "2024-2025", "all", "classes" },
		{ "2024-2025", "zz", "classes" },
	};
	ind_scopes s;
	ind_rows r;
	size_t i;

	(void)state;
	assert_int_equal(ind_scopes_build(&s, two_schools, 2, NULL), SS_OK);
	ind_rows_init(&r, &s, 0.95, NULL);
	for (i = 0; i < NROWS(add); i++) {
		ind_key k = { add[i].year, add[i].scope, add[i].id,
			      add[i].suffix, add[i].sub };
		assert_int_equal(ind_rows_add_count(&r, &k, 1, NULL), SS_OK);
	}
	assert_int_equal(ind_rows_sort(&r, NULL), SS_OK);
	assert_int_equal(r.n, NROWS(want));
	for (i = 0; i < NROWS(want); i++) {
		ind_values v;
		ind_rows_values(&r, i, &v);
		assert_string_equal(v.year, want[i][0]);
		assert_string_equal(v.scope, want[i][1]);
		assert_string_equal(v.indicator, want[i][2]);
	}
	ind_rows_release(&r);
	ind_scopes_release(&s);
}

/* ------------------------------------------- number text and order */

/* What csvout_real wrote before it had its own conversion: snprintf
 * "%.*f", trailing zeros and '.' dropped, "-0" as "0". */
static void reference_real(double v, int decimals, char *buf, size_t size)
{
	char *dot, *end;

	if (!isfinite(v)) {
		buf[0] = '\0';
		return;
	}
	decimals = decimals < 0 ? 0 : decimals > 15 ? 15 : decimals;
	snprintf(buf, size, "%.*f", decimals, v);
	dot = strchr(buf, '.');
	if (dot) {
		end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, size, "0");
}

static uint64_t next_random(uint64_t *state)
{
	/* xorshift64*: fixed seed, so a failure repeats */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

static void check_real(double v, int decimals, long *failures)
{
	char got[CSVOUT_REAL_MAX], want[CSVOUT_REAL_MAX], small[64];
	size_t n = csvout_real_text(v, decimals, got);

	reference_real(v, decimals, want, sizeof want);
	if (n != strlen(got) || strcmp(got, want) != 0) {
		if ((*failures)++ < 10)
			print_error("%.17g with %d decimals: '%s', expected '%s'\n",
				    v, decimals, got, want);
		return;
	}
	/* csvout_format_real gives the same text in a 64-byte buffer
	 * (snprintf's truncation included for the few longer ones) */
	if (n >= sizeof small)
		reference_real(v, decimals, want, sizeof small);
	if (strcmp(csvout_format_real(v, decimals, small, sizeof small),
		   want) != 0 && (*failures)++ < 10)
		print_error("%.17g with %d decimals: format_real '%s', expected '%s'\n",
			    v, decimals, small, want);
}

/* A value of the kind generator g makes (see test_real_text). */
static double random_value(uint64_t *rs, int g)
{
	uint64_t u = next_random(rs);
	double v, sign = (u & 1) ? -1.0 : 1.0;
	static const double p10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7,
				      1e8, 1e9 };

	switch (g) {
	case 0: /* any bit pattern below 2^70 (larger ones are snprintf's
		   anyway, and slow to print), subnormals included */
		u &= ~(0x7ffULL << 52);
		u |= (next_random(rs) % (1023 + 70)) << 52;
		memcpy(&v, &u, sizeof v);
		return v;
	case 1: /* decimal-looking numbers */
		return sign * (double)(u >> (11 + (u >> 60) % 40)) /
		       p10[(u >> 4) % 10];
	case 2: /* dyadic fractions: exact halves at the 6th decimal */
		return sign * ldexp((double)((u >> 20) & 0xffffffffffULL),
				    -(int)((u >> 8) % 61));
	case 3: { /* halfway between two 6-decimal numbers, as near as a
		     double gets */
		double i = (double)((u >> 16) % 100000000);
		return sign * (i + 0.5) / 1e6;
	}
	case 4: { /* ratios and percentages as the stage writes them */
		uint64_t den = (u >> 32) % 100000 + 1, num = (u & 0xffffffff) %
							     (den + 1);
		return (u >> 31 & 1) ? (double)num / (double)den * 100.0
				     : (double)num / (double)den;
	}
	case 5: /* near the integer path's limits: 2^53 and 2^64 */
		return sign * ldexp(1.0 + (double)(u >> 40) / 16777216.0,
				    50 + (int)((u >> 8) % 16));
	default: /* tiny to huge powers of two times a fraction */
		return sign * ldexp((double)(u >> 11) / 9007199254740992.0,
				    (int)((u >> 3) % 1200) - 1100);
	}
}

/* csvout's own conversion against snprintf on two million numbers of
 * every kind and hand-picked edges, mostly with the 6 decimals the
 * stages write. IND_TEST_REAL_COUNT sets how many random ones (fewer
 * under valgrind). */
static void test_real_text(void **state)
{
	static const double edges[] = {
		0.0, -0.0, 0.5, -0.5, 1.5, 2.5, 0.0000005, -0.0000005,
		0.0000015, 0.0078125, 0.0234375, -0.0078125, 1e-300, -1e-300,
		4.9406564584124654e-324, 2.2250738585072014e-308,
		0.1, 0.2, 0.3, 1.0 / 3.0, 2.0 / 3.0, 99.9999995, 99.99999949,
		9007199254740991.0, 9007199254740992.0, 9007199254740993.0,
		-9007199254740992.0, 9223372036854775807.0,
		-9223372036854775808.0, 18446744073709549568.0,
		18446744073709551616.0, -18446744073709551616.0, 1e20, 1e300,
		1.7976931348623157e308, -1.7976931348623157e308, 123456.7890125,
		0.9999995, 0.99999949999, 12.3456785, 1e15 + 0.5,
	};
	uint64_t rs = 0x9e3779b97f4a7c15ULL;
	const char *env = getenv("IND_TEST_REAL_COUNT");
	size_t i, count = env ? strtoul(env, NULL, 10) : 2000000;
	long failures = 0;
	int d;

	(void)state;
	for (i = 0; i < NROWS(edges); i++)
		for (d = -1; d <= 17; d++) {
			check_real(edges[i], d, &failures);
			check_real(nextafter(edges[i], INFINITY), d, &failures);
			check_real(nextafter(edges[i], -INFINITY), d, &failures);
		}
	check_real(NAN, 6, &failures);
	check_real(INFINITY, 6, &failures);
	check_real(-INFINITY, 6, &failures);
	for (i = 0; i < count; i++) {
		double v = random_value(&rs, (int)(i % 7));
		d = i % 8 == 7 ? (int)(next_random(&rs) % 19) - 1 : 6;
		check_real(v, d, &failures);
	}
	assert_int_equal(failures, 0);
}

/* The radix sort against a comparison sort of the documented order, on
 * random rows: repeated keys keep the order they were added in, unknown
 * scopes go last by name, sub_rank spans the whole of long. */
typedef struct sort_probe {
	const char *year, *scope;
	ind_id id;
	const char *suffix;
	long sub;
	long long seq; /* order of adding, written as the count */
	long rank;     /* scope rank, -1 unknown */
	char name[64];
} sort_probe;

static int probe_cmp(const void *a, const void *b)
{
	const sort_probe *x = a, *y = b;
	int c = strcmp(x->year, y->year);

	if (c)
		return c;
	if (x->rank != y->rank) {
		if (x->rank < 0)
			return 1;
		if (y->rank < 0)
			return -1;
		return x->rank < y->rank ? -1 : 1;
	}
	if ((c = strcmp(x->scope, y->scope)) != 0)
		return c;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->sub != y->sub)
		return x->sub < y->sub ? -1 : 1;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void test_rows_sort_random(void **state)
{
	static const char *const years[] = { "2024-2025", "2019-2020",
					     "2023-2024" };
	static const char *const scopes[] = { "A", "B", "all", "zz", "level:thcs",
					      "commune:Xa Y", "b", "Ä" };
	static const char *const suffixes[] = { NULL, "toan", "van", "ts:toan",
						"12", "" };
	static const long subs[] = { 0, 1, 2, -3, 7, LONG_MAX, LONG_MIN };
	enum { N = 20000 };
	sort_probe *p = calloc(N, sizeof *p);
	uint64_t rs = 12345;
	ind_scopes s;
	ind_rows r;
	size_t i, round;

	(void)state;
	assert_non_null(p);
	assert_int_equal(ind_scopes_build(&s, two_schools, 2, NULL), SS_OK);
	for (round = 0; round < 2; round++) {
		/* round 1 keeps sub_rank small, so the fields share one key */
		ind_rows_init(&r, &s, 0.95, NULL);
		for (i = 0; i < N; i++) {
			uint64_t u = next_random(&rs);
			const ind_def *d;
			ind_key k;
			p[i].year = years[u % 3];
			p[i].scope = scopes[(u >> 4) % NROWS(scopes)];
			p[i].id = (ind_id)((u >> 8) % IND_NUM_INDICATORS);
			p[i].suffix = suffixes[(u >> 16) % NROWS(suffixes)];
			p[i].sub = round ? (long)((u >> 24) % 5)
					 : subs[(u >> 24) % NROWS(subs)];
			p[i].seq = (long long)i;
			p[i].rank = ind_scopes_rank(&s, p[i].scope);
			d = ind_def_get(p[i].id);
			if (p[i].suffix && *p[i].suffix)
				snprintf(p[i].name, sizeof p[i].name, "%s:%s",
					 d->name, p[i].suffix);
			else
				snprintf(p[i].name, sizeof p[i].name, "%s",
					 d->name);
			k.year = p[i].year;
			k.scope = p[i].scope;
			k.id = p[i].id;
			k.suffix = p[i].suffix;
			k.sub_rank = p[i].sub;
			assert_int_equal(ind_rows_add_count(&r, &k, p[i].seq,
							    NULL),
					 SS_OK);
		}
		assert_int_equal(ind_rows_sort(&r, NULL), SS_OK);
		qsort(p, N, sizeof *p, probe_cmp);
		assert_int_equal(r.n, N);
		for (i = 0; i < N; i++) {
			ind_values v;
			ind_rows_values(&r, i, &v);
			assert_string_equal(v.year, p[i].year);
			assert_string_equal(v.scope, p[i].scope);
			assert_string_equal(v.indicator, p[i].name);
			assert_true(v.value == (double)p[i].seq);
		}
		ind_rows_release(&r);
	}
	ind_scopes_release(&s);
	free(p);
}

/* ------------------------------------------------- fixture A: counts */

#define SCHOOLS_HEADER                                                       \
	"school_id,name,level,ownership,commune,district,province,sites,"   \
	"sessions_per_day,region,src_line\n"
#define ENROLLMENT_HEADER                                                    \
	"year,school_id,grade,classes,students,female,ethnic_minority,"     \
	"disabled,src_line\n"
#define PROMOTION_HEADER                                                     \
	"year,school_id,grade,enrolled,promoted,repeated,dropped,"          \
	"summer_retest,completed,src_line\n"
#define STAFFING_HEADER \
	"year,school_id,role,permanent,contract,quota,src_line\n"
#define SUMMARY_HEADER                                                       \
	"year,exam,school_id,subject,candidates,mean,sd,pass_rate,src_line\n"
#define HIST_HEADER                                                          \
	"year,exam,school_id,subject,n,sum_x100,sumsq_x10000,bins,offgrid\n"

/* Three primary schools and one lower secondary. C has 0 classes and 0
 * teachers and 0 pupils in its promotion row; D has no staffing; only A
 * has the grade-1 enrolment of 2020-2021. */
static const fixture_file fixture_a[] = {
	{ "clean/schools.csv",
	  SCHOOLS_HEADER "A,Truong A,tieu_hoc,cong_lap,Xa 1,,,,,,2\n"
			 "B,Truong B,tieu_hoc,cong_lap,Xa 1,,,,,,3\n"
			 "C,Truong C,thcs,cong_lap,Xa 1,,,,,,4\n"
			 "D,Truong D,tieu_hoc,tu_thuc,Xa 1,,,,,,5\n" },
	{ "clean/enrollment.csv",
	  ENROLLMENT_HEADER "2020-2021,A,1,1,25,,,,2\n"
			    "2024-2025,A,1,1,20,,,,3\n"
			    "2024-2025,A,5,1,20,,,,4\n"
			    "2024-2025,B,1,4,160,,,,5\n"
			    "2024-2025,B,5,4,160,,,,6\n"
			    "2024-2025,C,6,0,30,,,,7\n"
			    "2024-2025,D,1,2,70,,,,8\n" },
	{ "clean/promotion.csv",
	  PROMOTION_HEADER "2024-2025,A,5,20,18,1,1,,18,2\n"
			   "2024-2025,B,5,80,40,30,10,,40,3\n"
			   "2024-2025,C,6,0,0,0,0,,,4\n" },
	{ "clean/staffing.csv",
	  STAFFING_HEADER "2024-2025,A,teacher,3,1,4,2\n"
			  "2024-2025,A,manager,2,0,2,3\n"
			  "2024-2025,A,staff,1,1,,4\n"
			  "2024-2025,B,teacher,10,2,12,5\n"
			  "2024-2025,C,teacher,0,0,0,6\n" },
	{ NULL, NULL }
};

static void test_run_counts(void **state)
{
	static const expect_row want[] = {
		/* A: 2 classes, 40 pupils: 40/2 = 20 per class. Teachers
		 * 3 + 1 = 4 -> 4/2 = 2 per class, permanent 3/2 = 1.5,
		 * 40/4 = 10 pupils per teacher. Fill: rows with a quota,
		 * permanent (3 + 2) / quota (4 + 2) = 83.333333; the staff
		 * row without a quota is left out of both parts. */
		{ "2024-2025", "A", "classes", "2", "2", "1", "", "" },
		{ "2024-2025", "A", "students", "40", "40", "1", "", "" },
		{ "2024-2025", "A", "students_per_class", "20", "40", "2", "",
		  "" },
		{ "2024-2025", "A", "teachers", "4", "4", "1", "", "" },
		{ "2024-2025", "A", "teachers_per_class", "2", "4", "2", "",
		  "" },
		{ "2024-2025", "A", "teachers_per_class_permanent", "1.5", "3",
		  "2", "", "" },
		{ "2024-2025", "A", "students_per_teacher", "10", "40", "4", "",
		  "" },
		/* Wilson 5/6: 43.649718 .. 96.994663 */
		{ "2024-2025", "A", "permanent_staff_fill", "83.333333", "5",
		  "6", "43.649718", "96.994663" },
		/* 18/20 = 90 (Wilson 69.896635 .. 97.213352), 1/20 = 5
		 * (0.888145 .. 23.613119), 1/20 = 5. */
		{ "2024-2025", "A", "promotion_rate", "90", "18", "20",
		  "69.896635", "97.213352" },
		{ "2024-2025", "A", "repetition_rate", "5", "1", "20",
		  "0.888145", "23.613119" },
		{ "2024-2025", "A", "dropout_rate", "5", "1", "20", NULL, NULL },
		/* completed 18 of the 20 enrolled in grade 5 */
		{ "2024-2025", "A", "completion_rate", "90", "18", "20", NULL,
		  NULL },
		/* cohort: completed grade 5 in 2024-2025 (18) over grade-1
		 * enrolment four years earlier, 2020-2021 (25): 72, Wilson
		 * 52.423395 .. 85.716146 */
		{ "2024-2025", "A", "completion_rate_cohort", "72", "18", "25",
		  "52.423395", "85.716146" },
		/* B: 320/8 = 40; 12/8 = 1.5; 10/8 = 1.25; 320/12 =
		 * 26.666667; fill 10/12; 40/80 = 50 (39.297415 ..
		 * 60.702585); completion 40/80. */
		{ "2024-2025", "B", "students_per_class", "40", "320", "8", "",
		  "" },
		{ "2024-2025", "B", "teachers_per_class", "1.5", "12", "8", "",
		  "" },
		{ "2024-2025", "B", "teachers_per_class_permanent", "1.25",
		  "10", "8", "", "" },
		{ "2024-2025", "B", "students_per_teacher", "26.666667", "320",
		  "12", "", "" },
		{ "2024-2025", "B", "permanent_staff_fill", "83.333333", "10",
		  "12", NULL, NULL },
		{ "2024-2025", "B", "promotion_rate", "50", "40", "80",
		  "39.297415", "60.702585" },
		{ "2024-2025", "B", "completion_rate", "50", "40", "80", NULL,
		  NULL },
		/* C: every denominator 0 -> empty value and interval */
		{ "2024-2025", "C", "classes", "0", "0", "1", "", "" },
		{ "2024-2025", "C", "students_per_class", "", "30", "0", "",
		  "" },
		{ "2024-2025", "C", "teachers", "0", "0", "1", "", "" },
		{ "2024-2025", "C", "teachers_per_class", "", "0", "0", "", "" },
		{ "2024-2025", "C", "students_per_teacher", "", "30", "0", "",
		  "" },
		{ "2024-2025", "C", "permanent_staff_fill", "", "0", "0", "",
		  "" },
		{ "2024-2025", "C", "promotion_rate", "", "0", "0", "", "" },
		/* D: 70/2 = 35 */
		{ "2024-2025", "D", "students_per_class", "35", "70", "2", "",
		  "" },
		/* level:tieu_hoc = A + B + D. Classes 2 + 8 + 2 = 12,
		 * pupils 40 + 320 + 70 = 430: 430/12 = 35.833333 (the
		 * average of the school ratios would be (20 + 40 + 35)/3 =
		 * 31.666667). Teachers 4 + 12 = 16 over the classes of the
		 * schools that report teachers, 2 + 8 = 10: 1.6; permanent
		 * (3 + 10)/10 = 1.3; pupils of those schools 360/16 = 22.5;
		 * fill (5 + 10)/(6 + 12) = 83.333333 (60.777962 ..
		 * 94.163423). */
		{ "2024-2025", "level:tieu_hoc", "classes", "12", "12", "1", "",
		  "" },
		{ "2024-2025", "level:tieu_hoc", "students_per_class",
		  "35.833333", "430", "12", "", "" },
		{ "2024-2025", "level:tieu_hoc", "teachers", "16", "16", "1", "",
		  "" },
		{ "2024-2025", "level:tieu_hoc", "teachers_per_class", "1.6",
		  "16", "10", "", "" },
		{ "2024-2025", "level:tieu_hoc", "teachers_per_class_permanent",
		  "1.3", "13", "10", "", "" },
		{ "2024-2025", "level:tieu_hoc", "students_per_teacher", "22.5",
		  "360", "16", "", "" },
		{ "2024-2025", "level:tieu_hoc", "permanent_staff_fill",
		  "83.333333", "15", "18", "60.777962", "94.163423" },
		/* promoted 18 + 40 = 58 of 20 + 80 = 100: 58 (48.206487 ..
		 * 67.201617), not the average of 90 and 50 = 70. */
		{ "2024-2025", "level:tieu_hoc", "promotion_rate", "58", "58",
		  "100", "48.206487", "67.201617" },
		{ "2024-2025", "level:tieu_hoc", "repetition_rate", "31", "31",
		  "100", NULL, NULL },
		{ "2024-2025", "level:tieu_hoc", "dropout_rate", "11", "11",
		  "100", NULL, NULL },
		{ "2024-2025", "level:tieu_hoc", "completion_rate", "58", "58",
		  "100", NULL, NULL },
		/* only A has the 2020-2021 grade-1 enrolment: 18/25 */
		{ "2024-2025", "level:tieu_hoc", "completion_rate_cohort", "72",
		  "18", "25", NULL, NULL },
		/* level:thcs = C alone */
		{ "2024-2025", "level:thcs", "students_per_class", "", "30", "0",
		  "", "" },
		/* all: 460 pupils / 12 classes = 38.333333; teachers 16 over
		 * the classes of A, B, C (10 + 0); (360 + 30)/16 = 24.375;
		 * C adds nothing to the rates. */
		{ "2024-2025", "all", "students", "460", "460", "1", "", "" },
		{ "2024-2025", "all", "students_per_class", "38.333333", "460",
		  "12", "", "" },
		{ "2024-2025", "all", "teachers_per_class", "1.6", "16", "10",
		  "", "" },
		{ "2024-2025", "all", "students_per_teacher", "24.375", "390",
		  "16", "", "" },
		{ "2024-2025", "all", "promotion_rate", "58", "58", "100",
		  "48.206487", "67.201617" },
		{ "2024-2025", "all", "completion_rate_cohort", "72", "18", "25",
		  NULL, NULL },
		/* 2020-2021: A alone, 25 pupils in 1 class */
		{ "2020-2021", "A", "students_per_class", "25", "25", "1", "",
		  "" },
		{ "2020-2021", "all", "students_per_class", "25", "25", "1", "",
		  "" },
	};
	static const absent_row none[] = {
		/* no data, no row */
		{ "2024-2025", "D", "teachers" },
		{ "2024-2025", "D", "teachers_per_class" },
		{ "2024-2025", "D", "promotion_rate" },
		{ "2024-2025", "B", "completion_rate_cohort" },
		{ "2024-2025", "C", "completion_rate" },
		{ "2020-2021", "B", "classes" },
		{ "2020-2021", "A", "teachers" },
		/* no commune scopes outside the exam indicators */
		{ "2024-2025", "commune:Xa 1", "classes" },
	};
	run r;

	(void)state;
	run_fixture(&r, fixture_a);
	assert_int_equal(r.st, SS_OK);
	check_rows(&r.ind, want, NROWS(want));
	check_absent(&r.ind, none, NROWS(none));
	check_no_nan(&r.ind);
	/* C: students_per_class, teachers_per_class and its permanent
	 * variant (enrollment.csv:7), students_per_teacher and fill
	 * (staffing.csv:6), promotion, repetition, dropout
	 * (promotion.csv:4): 8; level:thcs the same 8 at line 0. */
	assert_int_equal(count_msgs(&r.diag, "zero_denominator", NULL, -1,
				    NULL),
			 16);
	assert_int_equal(count_msgs(&r.diag, "zero_denominator",
				    "enrollment.csv", 7, NULL),
			 3);
	assert_int_equal(count_msgs(&r.diag, "zero_denominator",
				    "staffing.csv", 6, "quota is '0'"),
			 1);
	assert_int_equal(count_msgs(&r.diag, "zero_denominator",
				    "promotion.csv", 4, "enrolled is '0'"),
			 3);
	assert_int_equal(count_msgs(&r.diag, "zero_denominator",
				    "enrollment.csv", 0, "'level:thcs'"),
			 3);
	assert_int_equal(r.diag.nmessages, 16);
	/* exam_histograms.csv has its header and no rows */
	assert_int_equal(r.hist.nrows, 0);
	assert_int_equal(r.hist.ncols, 7);
	assert_string_equal(r.hist.header[3], "bin_width");
	run_release(&r);
}

/* -------------------------------------------------- fixture B: exams */

/* A histogram row: pairs of (grid index, count) and the hand-computed
 * totals. */
static char *hist_row(const char *prefix, const int *pairs, size_t npairs,
		      const char *totals, const char *offgrid)
{
	long long bins[201] = { 0 };
	size_t i, used;
	char *s = malloc(4096);

	assert_non_null(s);
	for (i = 0; i < npairs; i++)
		bins[pairs[2 * i]] += pairs[2 * i + 1];
	used = (size_t)snprintf(s, 4096, "%s,%s,", prefix, totals);
	for (i = 0; i < 201; i++)
		used += (size_t)snprintf(s + used, 4096 - used, "%s%lld",
					 i ? " " : "", bins[i]);
	snprintf(s + used, 4096 - used, ",%s\n", offgrid);
	return s;
}

/* S1: 5.00 6.50 7.00 9.25 (grid 100, 130, 140, 185): n 4, sum 2775,
 *     sumsq 250000 + 422500 + 490000 + 855625 = 2018125.
 * S2: 0.50 1.00 4.75 10.00 on the grid (10, 20, 95, 200) and 7.33 off it:
 *     n 5, sum 50 + 100 + 475 + 1000 + 733 = 2358,
 *     sumsq 2500 + 10000 + 225625 + 1000000 + 537289 = 1775414.
 * S3: 8.00 twice (160): n 2, sum 1600, sumsq 1280000. */
static char *exam_hist_text(void)
{
	static const int s1[] = { 100, 1, 130, 1, 140, 1, 185, 1 };
	static const int s2[] = { 10, 1, 20, 1, 95, 1, 200, 1 };
	static const int s3[] = { 160, 2 };
	char *r1 = hist_row("2024-2025,ts10,S1,toan", s1, 4,
			    "4,2775,2018125", "");
	char *r2 = hist_row("2024-2025,ts10,S2,toan", s2, 4,
			    "5,2358,1775414", "733:1");
	char *r3 = hist_row("2024-2025,ts10,S3,toan", s3, 1, "2,1600,1280000",
			    "");
	size_t n = strlen(HIST_HEADER) + strlen(r1) + strlen(r2) +
		   strlen(r3) + 1;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s%s%s", HIST_HEADER, r1, r2, r3);
	free(r1);
	free(r2);
	free(r3);
	return s;
}

static const char exam_schools[] =
	SCHOOLS_HEADER "S1,Truong 1,thcs,cong_lap,Xa 1,Huyen X,Tinh T,,,,2\n"
		       "S2,Truong 2,thcs,cong_lap,Xa 2,Huyen X,Tinh T,,,,3\n"
		       "S3,Truong 3,thcs,cong_lap,Xa 2,,,,,,4\n";

/* 2022-2023 has two exams (names carry the exam), 2023-2024 one exam from
 * summaries, 2024-2025 histograms; its summary row is superseded. */
static const char exam_summary_text[] =
	SUMMARY_HEADER "2022-2023,ts10,S1,toan,4,5,1,50,2\n"
		       "2022-2023,tn,S1,toan,6,7,,,3\n"
		       "2023-2024,ts10,S1,toan,10,6,1,50,4\n"
		       "2023-2024,ts10,S2,toan,30,8,2,90,5\n"
		       "2023-2024,ts10,S3,toan,0,0,,,6\n"
		       "2024-2025,ts10,S1,toan,4,7,1,100,7\n";

static void test_run_exams(void **state)
{
	static const expect_row want[] = {
		/* S1 from its histogram: mean 27.75/4 = 6.9375; deviations
		 * -1.9375 -0.4375 0.0625 2.3125, squares sum 9.296875, over
		 * 3: SD 1.760386; median of 4 = (6.50 + 7.00)/2 = 6.75;
		 * 4 of 4 >= 5 (Wilson 51.010916 .. 100); none <= 1
		 * (0 .. 48.989084). */
		{ "2024-2025", "S1", "exam_candidates:toan", "4", "4", "1", "",
		  "" },
		{ "2024-2025", "S1", "exam_mean:toan", "6.9375", "27.75", "4",
		  "", "" },
		{ "2024-2025", "S1", "exam_sd:toan", "1.760386", "9.296875",
		  "3", "", "" },
		{ "2024-2025", "S1", "exam_median:toan", "6.75", "", "4", "",
		  "" },
		{ "2024-2025", "S1", "exam_pass_rate:toan", "100", "4", "4",
		  "51.010916", "100" },
		{ "2024-2025", "S1", "exam_low_rate:toan", "0", "0", "4", "0",
		  "48.989084" },
		/* S2: mean 23.58/5 = 4.716; squares of deviations 17.774656
		 * + 13.808656 + 0.001156 + 27.920656 + 6.832996 = 66.33812,
		 * /4 -> SD 4.072411; median 4.75; >= 5: 7.33, 10 -> 2/5
		 * (11.762077 .. 76.927572); <= 1: 0.5, 1.0 -> 2/5. */
		{ "2024-2025", "S2", "exam_mean:toan", "4.716", "23.58", "5", "",
		  "" },
		{ "2024-2025", "S2", "exam_sd:toan", "4.072411", "66.33812",
		  "4", "", "" },
		{ "2024-2025", "S2", "exam_median:toan", "4.75", "", "5", "",
		  "" },
		{ "2024-2025", "S2", "exam_pass_rate:toan", "40", "2", "5",
		  "11.762077", "76.927572" },
		{ "2024-2025", "S2", "exam_low_rate:toan", "40", "2", "5", NULL,
		  NULL },
		/* S3: two 8.00: SD 0 with n - 1 = 1 */
		{ "2024-2025", "S3", "exam_sd:toan", "0", "0", "1", "", "" },
		{ "2024-2025", "S3", "exam_median:toan", "8", "", "2", "", "" },
		/* commune:Xa 1 = S1 */
		{ "2024-2025", "commune:Xa 1", "exam_median:toan", "6.75", "",
		  "4", "", "" },
		/* commune:Xa 2 = S2 + S3: 0.5 1 4.75 7.33 8 8 10, n 7:
		 * mean 39.58/7 = 5.654286, median 7.33, SS 81.744771 -> SD
		 * sqrt(81.744771/6) = 3.691088, pass 4/7 = 57.142857
		 * (25.045836 .. 84.178014), low 2/7 = 28.571429. */
		{ "2024-2025", "commune:Xa 2", "exam_candidates:toan", "7", "7",
		  "1", "", "" },
		{ "2024-2025", "commune:Xa 2", "exam_mean:toan", "5.654286",
		  "39.58", "7", "", "" },
		{ "2024-2025", "commune:Xa 2", "exam_sd:toan", "3.691088",
		  "81.744771", "6", "", "" },
		{ "2024-2025", "commune:Xa 2", "exam_median:toan", "7.33", "",
		  "7", "", "" },
		{ "2024-2025", "commune:Xa 2", "exam_pass_rate:toan",
		  "57.142857", "4", "7", "25.045836", "84.178014" },
		{ "2024-2025", "commune:Xa 2", "exam_low_rate:toan",
		  "28.571429", "2", "7", NULL, NULL },
		/* district:Huyen X = province:Tinh T = S1 + S2 (S3 has
		 * neither): n 9, 51.33/9 = 5.703333, median of 0.5 1 4.75 5
		 * 6.5 7 7.33 9.25 10 = 6.5, SS 86.6018 -> SD 3.290171,
		 * pass 6/9, low 2/9 = 22.222222 (6.322511 .. 54.741103). */
		{ "2024-2025", "district:Huyen X", "exam_mean:toan", "5.703333",
		  "51.33", "9", "", "" },
		{ "2024-2025", "district:Huyen X", "exam_median:toan", "6.5", "",
		  "9", "", "" },
		{ "2024-2025", "district:Huyen X", "exam_low_rate:toan",
		  "22.222222", "2", "9", "6.322511", "54.741103" },
		{ "2024-2025", "province:Tinh T", "exam_sd:toan", "3.290171",
		  "86.6018", "8", "", "" },
		{ "2024-2025", "province:Tinh T", "exam_pass_rate:toan",
		  "66.666667", "6", "9", NULL, NULL },
		/* all = level:thcs = S1 + S2 + S3, n 11: 67.33/11 =
		 * 6.120909, median (6th of 11) 7, SS 95.233091 -> SD
		 * 3.085986, pass 8/11 (43.43547 .. 90.253941). */
		{ "2024-2025", "all", "exam_mean:toan", "6.120909", "67.33",
		  "11", "", "" },
		{ "2024-2025", "all", "exam_sd:toan", "3.085986", "95.233091",
		  "10", "", "" },
		{ "2024-2025", "all", "exam_median:toan", "7", "", "11", "", "" },
		{ "2024-2025", "all", "exam_pass_rate:toan", "72.727273", "8",
		  "11", "43.43547", "90.253941" },
		{ "2024-2025", "level:thcs", "exam_median:toan", "7", "", "11",
		  "", "" },
		/* 2023-2024 from summaries. S1: 10 candidates, mean 6, SD 1
		 * -> SS 9 over 9; pass 50% of 10 = 5 (23.659309 ..
		 * 76.340691). S2: 30, mean 8 (240), SD 2 -> SS 4 x 29 =
		 * 116; pass 90% of 30 = 27. */
		{ "2023-2024", "S1", "exam_mean:toan", "6", "60", "10", "", "" },
		{ "2023-2024", "S1", "exam_sd:toan", "1", "9", "9", "", "" },
		{ "2023-2024", "S1", "exam_pass_rate:toan", "50", "5", "10",
		  "23.659309", "76.340691" },
		{ "2023-2024", "S2", "exam_sd:toan", "2", "116", "29", "", "" },
		/* S3: 0 candidates -> no mean (0/0), no SD */
		{ "2023-2024", "S3", "exam_candidates:toan", "0", "0", "1", "",
		  "" },
		{ "2023-2024", "S3", "exam_mean:toan", "", "0", "0", "", "" },
		{ "2023-2024", "S3", "exam_sd:toan", "", "", "0", "", "" },
		/* all: 40 candidates, mean (60 + 240)/40 = 7.5 (the
		 * average of the school means would be 7); SS within 9 +
		 * 116 = 125, between 10 (6 - 7.5)^2 + 30 (8 - 7.5)^2 = 30,
		 * 155/39 -> SD 1.993579; pass (5 + 27)/40 = 80 (65.242694 ..
		 * 89.50001). */
		{ "2023-2024", "all", "exam_candidates:toan", "40", "40", "1",
		  "", "" },
		{ "2023-2024", "all", "exam_mean:toan", "7.5", "300", "40", "",
		  "" },
		{ "2023-2024", "all", "exam_sd:toan", "1.993579", "155", "39",
		  "", "" },
		{ "2023-2024", "all", "exam_pass_rate:toan", "80", "32", "40",
		  "65.242694", "89.50001" },
		/* commune:Xa 2 = S2 (S3 has no candidates) */
		{ "2023-2024", "commune:Xa 2", "exam_mean:toan", "8", "240",
		  "30", "", "" },
		/* 2022-2023 has two exams, named in the indicator. ts10: 4
		 * candidates, mean 5 (20), SD 1 (3 over 3), pass 2 of 4. */
		{ "2022-2023", "S1", "exam_candidates:ts10:toan", "4", "4", "1",
		  "", "" },
		{ "2022-2023", "S1", "exam_mean:ts10:toan", "5", "20", "4", "",
		  "" },
		{ "2022-2023", "S1", "exam_sd:ts10:toan", "1", "3", "3", "", "" },
		{ "2022-2023", "S1", "exam_pass_rate:ts10:toan", "50", "2", "4",
		  NULL, NULL },
		{ "2022-2023", "S1", "exam_mean:tn:toan", "7", "42", "6", "",
		  "" },
	};
	static const absent_row none[] = {
		/* no median nor low rate from summaries */
		{ "2023-2024", "S1", "exam_median:toan" },
		{ "2023-2024", "S1", "exam_low_rate:toan" },
		/* tn gives neither SD nor pass rate */
		{ "2022-2023", "S1", "exam_sd:tn:toan" },
		{ "2022-2023", "S1", "exam_pass_rate:tn:toan" },
		{ "2022-2023", "S1", "exam_mean:toan" },
		/* S3 has no district or province */
		{ "2024-2025", "district:", "exam_mean:toan" },
		{ "2024-2025", "S3", "exam_pass_rate:ts10:toan" },
	};
	/* exam_histograms.csv: S2's 10.00 is in the last bin of each
	 * binning; 7.33 in [7.3, 7.35), [7.25, 7.5), [7, 8). all: 8, 8 in
	 * [8, 9); 9.25 and 10 in [9, 10]. */
	static const char *const hist_want[][7] = {
		{ "2024-2025", "S2", "toan", "0.05", "9.95", "10", "1" },
		{ "2024-2025", "S2", "toan", "0.05", "9.9", "9.95", "0" },
		{ "2024-2025", "S2", "toan", "0.05", "7.3", "7.35", "1" },
		{ "2024-2025", "S2", "toan", "0.05", "0.5", "0.55", "1" },
		{ "2024-2025", "S2", "toan", "0.25", "7.25", "7.5", "1" },
		{ "2024-2025", "S2", "toan", "0.25", "9.75", "10", "1" },
		{ "2024-2025", "S2", "toan", "1", "0", "1", "1" },
		{ "2024-2025", "S2", "toan", "1", "1", "2", "1" },
		{ "2024-2025", "S2", "toan", "1", "4", "5", "1" },
		{ "2024-2025", "S2", "toan", "1", "7", "8", "1" },
		{ "2024-2025", "S2", "toan", "1", "9", "10", "1" },
		{ "2024-2025", "all", "toan", "1", "8", "9", "2" },
		{ "2024-2025", "all", "toan", "1", "9", "10", "2" },
		{ "2024-2025", "all", "toan", "1", "5", "6", "1" },
	};
	char *hist = exam_hist_text();
	const fixture_file files[] = {
		{ "clean/schools.csv", exam_schools },
		{ "clean/exam_summary.csv", exam_summary_text },
		{ "clean/exam_hist.csv", hist },
		{ NULL, NULL },
	};
	run r;
	size_t i, j;
	long long total[3] = { 0, 0, 0 };

	(void)state;
	run_fixture_scopes(&r, files, 1);
	assert_int_equal(r.st, SS_OK);
	check_rows(&r.ind, want, NROWS(want));
	check_absent(&r.ind, none, NROWS(none));
	check_no_nan(&r.ind);
	check_no_nan(&r.hist);
	/* S3 in 2023-2024: mean and SD (exam_summary.csv:6) */
	assert_int_equal(count_msgs(&r.diag, "zero_denominator",
				    "exam_summary.csv", 6, "'S3'"),
			 2);
	/* level:thcs, commune:Xa 2 and all also hold S3 but have
	 * candidates; nothing else is zero. */
	assert_int_equal(count_msgs(&r.diag, "zero_denominator", NULL, -1,
				    NULL),
			 2);
	assert_int_equal(count_msgs(&r.diag, "exam_summary_superseded",
				    "exam_summary.csv", 7, "'ts10' in 2024-2025"),
			 1);
	assert_int_equal(r.diag.nmessages, 3);

	/* 9 scopes with scores in 2024-2025 (S1, S2, S3, level:thcs,
	 * commune:Xa 1, commune:Xa 2, district:Huyen X, province:Tinh T,
	 * all), each 200 + 40 + 10 bins. */
	assert_int_equal(r.hist.nrows, 9 * 250);
	assert_string_equal(ctable_get(&r.hist, 0, 1), "S1");
	assert_string_equal(ctable_get(&r.hist, 0, 3), "0.05");
	assert_string_equal(ctable_get(&r.hist, 0, 4), "0");
	assert_string_equal(ctable_get(&r.hist, 9 * 250 - 1, 1), "all");
	assert_string_equal(ctable_get(&r.hist, 9 * 250 - 1, 5), "10");
	for (i = 0; i < NROWS(hist_want); i++) {
		int found = 0;
		for (j = 0; j < r.hist.nrows && !found; j++) {
			size_t c;
			found = 1;
			for (c = 0; c < 7 && found; c++)
				found = strcmp(ctable_get(&r.hist, j, (int)c),
					       hist_want[i][c]) == 0;
		}
		if (!found) {
			print_error("missing histogram row %s,%s,%s,%s,%s,%s,%s\n",
				    hist_want[i][0], hist_want[i][1],
				    hist_want[i][2], hist_want[i][3],
				    hist_want[i][4], hist_want[i][5],
				    hist_want[i][6]);
			fail();
		}
	}
	/* Each binning of S2 (rows 250..499) counts its 5 scores. */
	for (j = 250; j < 500; j++) {
		long long v;
		assert_string_equal(ctable_get(&r.hist, j, 1), "S2");
		assert_int_equal(ctable_get_ll(&r.hist, j, 6, &v), 1);
		total[j < 450 ? 0 : (j < 490 ? 1 : 2)] += v;
	}
	assert_int_equal(total[0], 5);
	assert_int_equal(total[1], 5);
	assert_int_equal(total[2], 5);
	run_release(&r);

	/* by default only the scopes charts and report draw: level:thcs,
	 * province:Tinh T and all, with the same bins as above */
	run_fixture(&r, files);
	free(hist);
	assert_int_equal(r.st, SS_OK);
	assert_int_equal(r.hist.nrows, 3 * 250);
	assert_string_equal(ctable_get(&r.hist, 0, 1), "level:thcs");
	assert_string_equal(ctable_get(&r.hist, 250, 1), "province:Tinh T");
	assert_string_equal(ctable_get(&r.hist, 500, 1), "all");
	run_release(&r);
}

/* Scores for S1 only, summaries for S2 and S3: a summary is superseded
 * only by the same school's scores for the same subject; scopes mixing the
 * two sources pool counts, sums and sums of squares. */
static const char mixed_summary_text[] =
	SUMMARY_HEADER "2024-2025,ts10,S1,toan,4,7,1,100,2\n"
		       "2024-2025,ts10,S2,toan,6,4,2,50,3\n"
		       "2024-2025,ts10,S3,toan,2,8,,100,4\n"
		       "2024-2025,ts10,S2,ngu_van,10,6,1,80,5\n";

/* The whole text of a file (malloc'ed). */
static char *file_text(const char *dir, const char *name)
{
	char path[512], *text;
	long size;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	assert_true(size >= 0);
	rewind(fp);
	text = malloc((size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
	text[size] = '\0';
	fclose(fp);
	return text;
}

/* One set of scores written two ways: each school in one exam_hist.csv
 * row, and split over several rows of the same key, with leading zeros
 * and a count past 2^32 (read by the stage's own reader or by
 * exam_hist_parse, stored packed or escaped): both give the same files
 * to the byte.
 * S1: 5.00 x 3, 6.50 x 2, 7.33 off the grid: n 6, sum 1500 + 1300 + 733
 *     = 3533, sumsq 750000 + 845000 + 537289 = 2132289.
 * S2: 8.00 x 2^33 (grid 160), 4.00 x 16777219 (grid 80), 0 x 1:
 *     n 8606711812, sum 800 x 8589934592 + 400 x 16777219
 *     = 6878658561200, sumsq 640000 x 8589934592 + 160000 x 16777219
 *     = 5500242493920000. Split: S1 as 5.00 x 2 + 6.50 (n 3, sum 1650,
 *     sumsq 922500) and 5.00 + 6.50 + 7.33 (3, 1883, 1209789); S2 as
 *     the 2^32 8.00 of one row and the rest in another. */
static void test_run_exam_encodings(void **state)
{
	static const int s1a[] = { 100, 3, 130, 2 };
	static const int s1b[] = { 100, 2, 130, 1 };
	static const int s1c[] = { 100, 1, 130, 1 };
	char *one[2], *split[3], text[3][16384], bins[4096], *p;
	run r[2];
	size_t i;

	(void)state;
	one[0] = hist_row("2024-2025,ts10,S1,toan", s1a, 2,
			  "6,3533,2132289", "733:1");
	/* S2 by hand: its counts do not fit an int */
	p = bins;
	for (i = 0; i < 201; i++)
		p += sprintf(p, "%s%s", i ? " " : "",
			     i == 0 ? "1" : i == 80 ? "16777219"
				  : i == 160 ? "8589934592" : "0");
	one[1] = malloc(8192);
	assert_non_null(one[1]);
	snprintf(one[1], 8192,
		 "2024-2025,ts10,S2,toan,8606711812,6878658561200,5500242493920000,%s,\n",
		 bins);
	split[0] = hist_row("2024-2025,ts10,S1,toan", s1b, 2, "3,1650,922500",
			    "");
	split[1] = hist_row("2024-2025,ts10,S1,toan", s1c, 2,
			    "0003,1883,1209789", "733:1");
	p = bins;
	for (i = 0; i < 201; i++)
		p += sprintf(p, "%s%s", i ? " " : "",
			     i == 0 ? "01" : i == 80 ? "16777219"
				  : i == 160 ? "4294967296" : "000");
	split[2] = malloc(16384);
	assert_non_null(split[2]);
	p = split[2];
	p += sprintf(p, "2024-2025,ts10,S2,toan,4311744516,3442684724400,2751463424480000,%s,\n",
		     bins);
	/* the other half of S2: 8.00 x 2^32 */
	for (i = 0, p += sprintf(p, "2024-2025,ts10,S2,toan,4294967296,3435973836800,2748779069440000,");
	     i < 201; i++)
		p += sprintf(p, "%s%s", i ? " " : "",
			     i == 160 ? "4294967296" : "0");
	sprintf(p, ",\n");
	snprintf(text[0], sizeof text[0], "%s%s%s", HIST_HEADER, one[0],
		 one[1]);
	snprintf(text[1], sizeof text[1], "%s%s%s%s", HIST_HEADER,
		 split[2], split[0], split[1]);
	for (i = 0; i < 2; i++) {
		const fixture_file files[] = {
			{ "clean/schools.csv", exam_schools },
			{ "clean/exam_hist.csv", text[i] },
			{ NULL, NULL },
		};
		run_fixture_scopes(&r[i], files, 1);
		assert_int_equal(r[i].st, SS_OK);
	}
	check_rows(&r[0].ind,
		   (const expect_row[]){
			   { "2024-2025", "S2", "exam_candidates:toan",
			     "8606711812", "8606711812", "1", "", "" },
			   { "2024-2025", "S1", "exam_median:toan", "5.75", "",
			     "6", "", "" },
			   { "2024-2025", "all", "exam_candidates:toan",
			     "8606711818", "8606711818", "1", "", "" } },
		   3);
	for (i = 0; i < 2; i++) {
		char *a = file_text(r[0].dir, i ? "exam_histograms.csv"
						: "indicators.csv");
		char *b = file_text(r[1].dir, i ? "exam_histograms.csv"
						: "indicators.csv");
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	for (i = 0; i < 2; i++) {
		run_release(&r[i]);
		free(one[i]);
	}
	for (i = 0; i < 3; i++)
		free(split[i]);
}

static void test_run_exams_mixed(void **state)
{
	static const int s1[] = { 100, 1, 130, 1, 140, 1, 185, 1 };
	static const expect_row want[] = {
		/* S1 from its scores (its summary row is superseded): 5.00
		 * 6.50 7.00 9.25, mean 27.75/4 = 6.9375, SS 9.296875. */
		{ "2024-2025", "S1", "exam_candidates:toan", "4", "4", "1", "",
		  "" },
		{ "2024-2025", "S1", "exam_median:toan", "6.75", "", "4", "",
		  "" },
		/* S2 from its summary: 6 candidates, mean 4 (24), SD 2 (SS
		 * 4 x 5 = 20), 50% of 6 = 3 passers. */
		{ "2024-2025", "S2", "exam_candidates:toan", "6", "6", "1", "",
		  "" },
		{ "2024-2025", "S2", "exam_mean:toan", "4", "24", "6", "", "" },
		{ "2024-2025", "S2", "exam_sd:toan", "2", "20", "5", "", "" },
		{ "2024-2025", "S2", "exam_pass_rate:toan", "50", "3", "6", NULL,
		  NULL },
		{ "2024-2025", "S3", "exam_mean:toan", "8", "16", "2", "", "" },
		/* district:Huyen X = S1 (scores) + S2 (summary), mixed.
		 * n = 4 + 6 = 10; sum = 27.75 + 6 x 4 = 51.75 -> mean
		 * 5.175. Sum of squares: scores 2018125 / 10000 =
		 * 201.8125, summary (6 - 1) 2^2 + 6 x 4^2 = 20 + 96 = 116,
		 * total 317.8125; SS = 317.8125 - 51.75^2 / 10 = 317.8125 -
		 * 267.80625 = 50.00625 (the same as within 9.296875 + 20
		 * plus between 4 (6.9375 - 5.175)^2 + 6 (4 - 5.175)^2 =
		 * 12.425625 + 8.28375), over 9 -> SD sqrt(5.55625) =
		 * 2.35717. Passers: 4 scores >= 5 plus round(6 x 0.5) = 3
		 * -> 7 of 10. Median and low rate empty. */
		{ "2024-2025", "district:Huyen X", "exam_candidates:toan", "10",
		  "10", "1", "", "" },
		{ "2024-2025", "district:Huyen X", "exam_mean:toan", "5.175",
		  "51.75", "10", "", "" },
		{ "2024-2025", "district:Huyen X", "exam_sd:toan", "2.35717",
		  "50.00625", "9", "", "" },
		{ "2024-2025", "district:Huyen X", "exam_pass_rate:toan", "70",
		  "7", "10", NULL, NULL },
		{ "2024-2025", "district:Huyen X", "exam_median:toan", "", "",
		  "", "", "" },
		{ "2024-2025", "district:Huyen X", "exam_low_rate:toan", "", "",
		  "", "", "" },
		{ "2024-2025", "province:Tinh T", "exam_mean:toan", "5.175",
		  "51.75", "10", "", "" },
		/* all = S1 + S2 + S3: n 12, sum 51.75 + 2 x 8 = 67.75 ->
		 * 5.645833; S3 gives no SD, so the SD is the district's
		 * (n 10); passers 7 + round(2 x 1) = 9 of 12 = 75. */
		{ "2024-2025", "all", "exam_candidates:toan", "12", "12", "1", "",
		  "" },
		{ "2024-2025", "all", "exam_mean:toan", "5.645833", "67.75",
		  "12", "", "" },
		{ "2024-2025", "all", "exam_sd:toan", "2.35717", "50.00625", "9",
		  "", "" },
		{ "2024-2025", "all", "exam_pass_rate:toan", "75", "9", "12",
		  NULL, NULL },
		{ "2024-2025", "all", "exam_median:toan", "", "", "", "", "" },
		{ "2024-2025", "level:thcs", "exam_low_rate:toan", "", "", "",
		  "", "" },
		/* commune:Xa 2 = S2 + S3, summaries only: n 8, (24 + 16) / 8
		 * = 5, SD from S2 alone (SS 20 over 5), passers 3 + 2. */
		{ "2024-2025", "commune:Xa 2", "exam_mean:toan", "5", "40", "8",
		  "", "" },
		{ "2024-2025", "commune:Xa 2", "exam_sd:toan", "2", "20", "5", "",
		  "" },
		{ "2024-2025", "commune:Xa 2", "exam_pass_rate:toan", "62.5", "5",
		  "8", NULL, NULL },
		/* commune:Xa 1 = S1, scores only */
		{ "2024-2025", "commune:Xa 1", "exam_median:toan", "6.75", "",
		  "4", "", "" },
		/* ngu_van: summaries only (S2), although the exam has scores
		 * for toan */
		{ "2024-2025", "all", "exam_mean:ngu_van", "6", "60", "10", "",
		  "" },
	};
	static const absent_row none[] = {
		{ "2024-2025", "commune:Xa 2", "exam_median:toan" },
		{ "2024-2025", "all", "exam_median:ngu_van" },
		{ "2024-2025", "S3", "exam_sd:toan" },
	};
	char *r1 = hist_row("2024-2025,ts10,S1,toan", s1, 4, "4,2775,2018125",
			    "");
	size_t n = strlen(HIST_HEADER) + strlen(r1) + 1;
	char *hist = malloc(n);
	run r;

	(void)state;
	assert_non_null(hist);
	snprintf(hist, n, "%s%s", HIST_HEADER, r1);
	free(r1);
	{
		const fixture_file files[] = {
			{ "clean/schools.csv", exam_schools },
			{ "clean/exam_summary.csv", mixed_summary_text },
			{ "clean/exam_hist.csv", hist },
			{ NULL, NULL },
		};
		run_fixture_scopes(&r, files, 1);
	}
	free(hist);
	assert_int_equal(r.st, SS_OK);
	check_rows(&r.ind, want, NROWS(want));
	check_absent(&r.ind, none, NROWS(none));
	check_no_nan(&r.ind);
	/* only S1's own row is superseded */
	assert_int_equal(count_msgs(&r.diag, "exam_summary_superseded",
				    "exam_summary.csv", 2,
				    "1 summary rows of exam 'ts10' in 2024-2025 not used: the same school has per-candidate scores"),
			 1);
	/* median and low rate of the 4 mixed scopes (level:thcs,
	 * district, province, all) */
	assert_int_equal(count_msgs(&r.diag, "exam_mixed_sources",
				    "exam_summary.csv", 0, NULL),
			 8);
	assert_int_equal(count_msgs(&r.diag, "exam_mixed_sources",
				    "exam_summary.csv", 0,
				    "exam_low_rate:toan for 'all' in 2024-2025: '8' of '12' candidates are known only from exam_summary.csv"),
			 1);
	assert_int_equal(r.diag.nmessages, 9);
	/* histograms only for scopes with scores alone: S1 and commune:Xa
	 * 1, 250 bins each (no partial histogram for a mixed scope) */
	assert_int_equal(r.hist.nrows, 2 * 250);
	assert_string_equal(ctable_get(&r.hist, 0, 1), "S1");
	assert_string_equal(ctable_get(&r.hist, 250, 1), "commune:Xa 1");
	run_release(&r);
}

/* ------------------------------------------------ fixture C: cohorts */

/* P: enrolment 2023-2024 E = 100 90 80 70 60, 2024-2025 E1 = 110 97 88 78
 * 69, repeaters (promotion.csv 2023-2024) R1 = 5 4 3 2 1, 57 completed
 * grade 5. Q has no 2024-2025 enrolment and stays out of every sum. */
static const fixture_file fixture_c[] = {
	{ "clean/schools.csv",
	  SCHOOLS_HEADER "P,Truong P,tieu_hoc,cong_lap,Xa 1,,,,,,2\n"
			 "Q,Truong Q,tieu_hoc,cong_lap,Xa 1,,,,,,3\n" },
	{ "clean/enrollment.csv",
	  ENROLLMENT_HEADER "2023-2024,P,1,3,100,,,,2\n"
			    "2023-2024,P,2,3,90,,,,3\n"
			    "2023-2024,P,3,3,80,,,,4\n"
			    "2023-2024,P,4,3,70,,,,5\n"
			    "2023-2024,P,5,3,60,,,,6\n"
			    "2024-2025,P,1,3,110,,,,7\n"
			    "2024-2025,P,2,3,97,,,,8\n"
			    "2024-2025,P,3,3,88,,,,9\n"
			    "2024-2025,P,4,3,78,,,,10\n"
			    "2024-2025,P,5,3,69,,,,11\n"
			    "2023-2024,Q,1,1,30,,,,12\n"
			    "2023-2024,Q,2,1,30,,,,13\n"
			    "2023-2024,Q,3,1,30,,,,14\n"
			    "2023-2024,Q,4,1,30,,,,15\n"
			    "2023-2024,Q,5,1,30,,,,16\n" },
	{ "clean/promotion.csv",
	  PROMOTION_HEADER "2023-2024,P,1,100,93,5,2,,,2\n"
			   "2023-2024,P,2,90,85,4,1,,,3\n"
			   "2023-2024,P,3,80,76,3,1,,,4\n"
			   "2023-2024,P,4,70,68,2,0,,,5\n"
			   "2023-2024,P,5,60,57,1,2,,57,6\n"
			   "2023-2024,Q,1,30,30,0,0,,,7\n"
			   "2023-2024,Q,2,30,30,0,0,,,8\n"
			   "2023-2024,Q,3,30,30,0,0,,,9\n"
			   "2023-2024,Q,4,30,30,0,0,,,10\n"
			   "2023-2024,Q,5,30,30,0,0,,30,11\n" },
	{ NULL, NULL }
};

static void test_run_cohort(void **state)
{
	/* Promoted from grade g = E1[g+1] - R1[g+1]: 97 - 4 = 93,
	 * 88 - 3 = 85, 78 - 2 = 76, 69 - 1 = 68, and the 57 graduates of
	 * grade 5. Dropouts = E - promoted - repeaters: 2, 1, 1, 0, 2.
	 * Survival to grade 5 (at most 3 repetitions per grade): product
	 * over grades 1-4 of p (1 + r + r^2 + r^3):
	 *   .93 x 1.052625 = .97894125
	 *   (85/90) x 1.0465075 = .98836824
	 *   .95 x 1.0389590 = .98701104
	 *   (68/70) x 1.0294111 = .99999933
	 * = .95498627 -> 954.98627 of 1000 pupils. */
	static const expect_row p_rows[] = {
		{ "2023-2024", NULL, "cohort_promotion_rate:1", "93", "93",
		  "100", "86.250485", "96.568074" },
		{ "2023-2024", NULL, "cohort_repetition_rate:1", "5", "5", "100",
		  "2.154368", "11.175047" },
		{ "2023-2024", NULL, "cohort_dropout_rate:1", "2", "2", "100",
		  NULL, NULL },
		{ "2023-2024", NULL, "cohort_promotion_rate:2", "94.444444",
		  "85", "90", "87.646264", "97.603903" },
		{ "2023-2024", NULL, "cohort_repetition_rate:2", "4.444444", "4",
		  "90", NULL, NULL },
		{ "2023-2024", NULL, "cohort_dropout_rate:2", "1.111111", "1",
		  "90", NULL, NULL },
		{ "2023-2024", NULL, "cohort_promotion_rate:3", "95", "76", "80",
		  NULL, NULL },
		{ "2023-2024", NULL, "cohort_promotion_rate:4", "97.142857",
		  "68", "70", NULL, NULL },
		{ "2023-2024", NULL, "cohort_dropout_rate:4", "0", "0", "70", "0",
		  NULL },
		{ "2023-2024", NULL, "cohort_promotion_rate:5", "95", "57", "60",
		  "86.299484", "98.28505" },
		{ "2023-2024", NULL, "cohort_repetition_rate:5", "1.666667", "1",
		  "60", NULL, NULL },
		{ "2023-2024", NULL, "cohort_dropout_rate:5", "3.333333", "2",
		  "60", NULL, NULL },
		{ "2023-2024", NULL, "survival_rate_last_grade:tieu_hoc",
		  "95.498627", "954.98627", "1000", "", "" },
	};
	static const char *const scopes[] = { "P", "level:tieu_hoc", "all" };
	static const absent_row none[] = {
		{ "2023-2024", "Q", "cohort_promotion_rate:1" },
		{ "2023-2024", "Q", "survival_rate_last_grade:tieu_hoc" },
		{ "2024-2025", "P", "cohort_promotion_rate:1" },
		{ "2023-2024", "P", "survival_rate_last_grade:thcs" },
		{ "2023-2024", "P", "completion_rate_cohort" },
	};
	expect_row x[NROWS(p_rows)];
	run r;
	size_t i, s;

	(void)state;
	run_fixture(&r, fixture_c);
	assert_int_equal(r.st, SS_OK);
	for (s = 0; s < NROWS(scopes); s++) {
		for (i = 0; i < NROWS(p_rows); i++) {
			x[i] = p_rows[i];
			x[i].scope = scopes[s];
		}
		check_rows(&r.ind, x, NROWS(x));
	}
	check_absent(&r.ind, none, NROWS(none));
	check_no_nan(&r.ind);
	assert_int_equal(r.diag.nmessages, 0);
	run_release(&r);
}

/* R: no pupils in grade 3 in 2023-2024. T (th_thcs): 12 pupils reach grade
 * 2 from 10 in grade 1 (transfers in). U: 10 pupils in every grade, but 5
 * of grade 3 held back and only 3 in grade 3 the next year. */
static const fixture_file fixture_c2[] = {
	{ "clean/schools.csv",
	  SCHOOLS_HEADER "R,Truong R,tieu_hoc,cong_lap,Xa 1,,,,,,2\n"
			 "T,Truong T,th_thcs,cong_lap,Xa 1,,,,,,3\n"
			 "U,Truong U,tieu_hoc,cong_lap,Xa 1,,,,,,4\n" },
	{ "clean/enrollment.csv",
	  ENROLLMENT_HEADER "2023-2024,R,1,1,10,,,,2\n"
			    "2023-2024,R,2,1,10,,,,3\n"
			    "2023-2024,R,3,0,0,,,,4\n"
			    "2023-2024,R,4,1,10,,,,5\n"
			    "2023-2024,R,5,1,10,,,,6\n"
			    "2024-2025,R,1,1,10,,,,7\n"
			    "2024-2025,R,2,1,10,,,,8\n"
			    "2024-2025,R,3,1,10,,,,9\n"
			    "2024-2025,R,4,1,10,,,,10\n"
			    "2024-2025,R,5,1,10,,,,11\n"
			    "2023-2024,T,1,1,10,,,,12\n"
			    "2023-2024,T,2,1,10,,,,13\n"
			    "2023-2024,T,3,1,10,,,,14\n"
			    "2023-2024,T,4,1,10,,,,15\n"
			    "2023-2024,T,5,1,10,,,,16\n"
			    "2024-2025,T,1,1,10,,,,17\n"
			    "2024-2025,T,2,1,12,,,,18\n"
			    "2024-2025,T,3,1,10,,,,19\n"
			    "2024-2025,T,4,1,10,,,,20\n"
			    "2024-2025,T,5,1,10,,,,21\n"
			    "2023-2024,U,1,1,10,,,,22\n"
			    "2023-2024,U,2,1,10,,,,23\n"
			    "2023-2024,U,3,1,10,,,,24\n"
			    "2023-2024,U,4,1,10,,,,25\n"
			    "2023-2024,U,5,1,10,,,,26\n"
			    "2024-2025,U,1,1,10,,,,27\n"
			    "2024-2025,U,2,1,10,,,,28\n"
			    "2024-2025,U,3,1,3,,,,29\n"
			    "2024-2025,U,4,1,10,,,,30\n"
			    "2024-2025,U,5,1,10,,,,31\n" },
	{ "clean/promotion.csv",
	  PROMOTION_HEADER "2023-2024,R,1,10,10,0,0,,,2\n"
			   "2023-2024,R,2,10,10,0,0,,,3\n"
			   "2023-2024,R,3,0,0,0,0,,,4\n"
			   "2023-2024,R,4,10,10,0,0,,,5\n"
			   "2023-2024,R,5,10,10,0,0,,10,6\n"
			   "2023-2024,T,1,10,10,0,0,,,7\n"
			   "2023-2024,T,2,10,10,0,0,,,8\n"
			   "2023-2024,T,3,10,10,0,0,,,9\n"
			   "2023-2024,T,4,10,10,0,0,,,10\n"
			   "2023-2024,T,5,10,10,0,0,,,11\n"
			   "2023-2024,U,1,10,10,0,0,,,12\n"
			   "2023-2024,U,2,10,10,0,0,,,13\n"
			   "2023-2024,U,3,10,5,5,0,,,14\n"
			   "2023-2024,U,4,10,10,0,0,,,15\n"
			   "2023-2024,U,5,10,10,0,0,,10,16\n" },
	{ NULL, NULL }
};

/* Cohort rows never carry a negative count or a rate above 100. */
static void check_no_negative_rates(const ctable *t)
{
	int ci = ctable_col(t, "indicator"), cv = ctable_col(t, "value"),
	    cn = ctable_col(t, "numerator");
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		double v;
		if (strncmp(ctable_get(t, i, ci), "cohort_", 7) != 0)
			continue;
		if (ctable_get_double(t, i, cv, &v) == 1 &&
		    (v < 0 || v > 100)) {
			print_error("row %zu value %g\n", i, v);
			fail();
		}
		if (ctable_get_double(t, i, cn, &v) == 1 && v < 0) {
			print_error("row %zu numerator %g\n", i, v);
			fail();
		}
	}
}

static void test_run_cohort_refused(void **state)
{
	static const expect_row want[] = {
		/* R grade 3: (E1[4] - R1[4]) = 10 sent on from E[3] = 0
		 * (dropout 0 - 10 = -10): inconsistent, every number empty */
		{ "2023-2024", "R", "cohort_promotion_rate:3", "", "", "", "",
		  "" },
		{ "2023-2024", "R", "cohort_dropout_rate:3", "", "", "", "",
		  "" },
		/* R grade 2: 10 reach grade 3 of 10 */
		{ "2023-2024", "R", "cohort_promotion_rate:2", "100", "10", "10",
		  NULL, NULL },
		{ "2023-2024", "R", "survival_rate_last_grade:tieu_hoc", "", "",
		  "", "", "" },
		/* T grade 1: 12 - 0 = 12 promoted of 10 (a rate of 120),
		 * dropout 10 - 12 - 0 = -2: not usable, the grade's three
		 * rows are empty, counts included. Grade 2: 10 - 0 of 10.
		 * Graduates: completed empty -> promoted 10 of 10. */
		{ "2023-2024", "T", "cohort_promotion_rate:1", "", "", "", "",
		  "" },
		{ "2023-2024", "T", "cohort_repetition_rate:1", "", "", "", "",
		  "" },
		{ "2023-2024", "T", "cohort_dropout_rate:1", "", "", "", "",
		  "" },
		{ "2023-2024", "T", "cohort_promotion_rate:2", "100", "10", "10",
		  NULL, NULL },
		{ "2023-2024", "level:th_thcs", "cohort_dropout_rate:1", "", "",
		  "", "", "" },
		/* U grade 2: promoted 3 - 5 = -2; grade 3: promoted 10 - 0 =
		 * 10 plus 5 held back = 15 of 10 (dropout -5). Grades 1, 4
		 * and 5 are whole: 10 of 10 promoted, 0 dropouts. */
		{ "2023-2024", "U", "cohort_promotion_rate:2", "", "", "", "",
		  "" },
		{ "2023-2024", "U", "cohort_repetition_rate:2", "", "", "", "",
		  "" },
		{ "2023-2024", "U", "cohort_dropout_rate:2", "", "", "", "",
		  "" },
		{ "2023-2024", "U", "cohort_promotion_rate:3", "", "", "", "",
		  "" },
		{ "2023-2024", "U", "cohort_repetition_rate:3", "", "", "", "",
		  "" },
		{ "2023-2024", "U", "cohort_dropout_rate:3", "", "", "", "",
		  "" },
		{ "2023-2024", "U", "cohort_promotion_rate:1", "100", "10", "10",
		  NULL, NULL },
		{ "2023-2024", "U", "cohort_dropout_rate:4", "0", "0", "10", NULL,
		  NULL },
		{ "2023-2024", "U", "cohort_promotion_rate:5", "100", "10", "10",
		  NULL, NULL },
		{ "2023-2024", "U", "survival_rate_last_grade:tieu_hoc", "", "",
		  "", "", "" },
		{ "2023-2024", "T", "cohort_promotion_rate:5", "100", "10", "10",
		  NULL, NULL },
		{ "2023-2024", "T", "survival_rate_last_grade:tieu_hoc", "", "",
		  "", "", "" },
	};
	run r;

	(void)state;
	run_fixture(&r, fixture_c2);
	assert_int_equal(r.st, SS_OK);
	check_rows(&r.ind, want, NROWS(want));
	check_no_nan(&r.ind);
	/* R's grade-3 rows get one message at the grade-3 row, line 4;
	 * the survival has its own (a grade with 0 pupils). */
	assert_int_equal(count_msgs(&r.diag, "cohort_inconsistent",
				    "enrollment.csv", 4,
				    "cohort_promotion_rate:3 for 'R' in 2023-2024: grade 3 sends on and holds back '10' pupils of '0' enrolled"),
			 1);
	assert_int_equal(count_msgs(&r.diag, "zero_denominator",
				    "enrollment.csv", 4, NULL),
			 0);
	assert_int_equal(count_msgs(&r.diag, "zero_denominator",
				    "enrollment.csv", 0,
				    "survival_rate_last_grade:tieu_hoc for 'R'"),
			 1);
	assert_int_equal(count_msgs(&r.diag, "cohort_inconsistent",
				    "enrollment.csv", 0,
				    "survival_rate_last_grade:tieu_hoc for 'T' in 2023-2024: grade 1 sends on"),
			 1);
	/* one warning per unusable grade and scope, at the school's
	 * enrolment row of the grade (line 0 for an aggregate) */
	assert_int_equal(count_msgs(&r.diag, "cohort_inconsistent",
				    "enrollment.csv", 12,
				    "cohort_promotion_rate:1 for 'T' in 2023-2024: grade 1 sends on and holds back '12' pupils of '10' enrolled"),
			 1);
	assert_int_equal(count_msgs(&r.diag, "cohort_inconsistent",
				    "enrollment.csv", 0,
				    "cohort_promotion_rate:1 for 'level:th_thcs' in 2023-2024: grade 1 sends on"),
			 1);
	assert_int_equal(count_msgs(&r.diag, "cohort_inconsistent",
				    "enrollment.csv", 23,
				    "cohort_promotion_rate:2 for 'U' in 2023-2024: grade 3 has more repeaters '5' than pupils '3'"),
			 1);
	assert_int_equal(count_msgs(&r.diag, "cohort_inconsistent",
				    "enrollment.csv", 24,
				    "cohort_promotion_rate:3 for 'U' in 2023-2024: grade 3 sends on and holds back '15' pupils of '10' enrolled"),
			 1);
	/* T: grade 1 and the survival; U: grades 2, 3 and the survival */
	assert_int_equal(count_msgs(&r.diag, "cohort_inconsistent", NULL, -1,
				    "for 'T'"),
			 2);
	assert_int_equal(count_msgs(&r.diag, "cohort_inconsistent", NULL, -1,
				    "for 'U'"),
			 3);
	/* no value, numerator or denominator is negative, no rate above
	 * 100 */
	check_no_negative_rates(&r.ind);
	run_release(&r);
}

/* ------------------------------------------------------------- errors */

static const char ok_schools[] =
	SCHOOLS_HEADER "A,Truong A,tieu_hoc,cong_lap,Xa 1,,,,,,2\n";

static void test_run_errors(void **state)
{
	static const struct {
		const char *what;
		fixture_file files[3];
		ss_status st;
		const char *file; /* suffix of e.file */
		long line;
		const char *msg;  /* part of e.msg */
	} cases[] = {
		{ "no schools.csv", { { NULL, NULL } }, SS_EIO, NULL, 0,
		  "schools.csv" },
		{ "schools.csv without level",
		  { { "clean/schools.csv", "school_id,name,commune,district,"
					   "province,src_line\nA,x,y,,,2\n" },
		    { NULL, NULL } },
		  SS_EDATA, "clean/schools.csv", 1, "missing column 'level'" },
		{ "classes not a number",
		  { { "clean/schools.csv", ok_schools },
		    { "clean/enrollment.csv",
		      ENROLLMENT_HEADER "2024-2025,A,1,1,20,,,,2\n"
					"2024-2025,A,2,x,20,,,,3\n" },
		    { NULL, NULL } },
		  SS_EDATA, "clean/enrollment.csv", 3,
		  "classes is not a whole number 'x'" },
		{ "negative count",
		  { { "clean/schools.csv", ok_schools },
		    { "clean/promotion.csv",
		      PROMOTION_HEADER "2024-2025,A,1,20,-3,0,0,,,2\n" },
		    { NULL, NULL } },
		  SS_EDATA, "clean/promotion.csv", 2,
		  "promoted is not a whole number '-3'" },
		{ "promotion without dropped",
		  { { "clean/schools.csv", ok_schools },
		    { "clean/promotion.csv",
		      "year,school_id,grade,enrolled,promoted,repeated,"
		      "completed\n2024-2025,A,1,20,20,0,\n" },
		    { NULL, NULL } },
		  SS_EDATA, "clean/promotion.csv", 1,
		  "missing column 'dropped'" },
		{ "bad year",
		  { { "clean/schools.csv", ok_schools },
		    { "clean/staffing.csv",
		      STAFFING_HEADER "2024,A,teacher,1,0,,2\n" },
		    { NULL, NULL } },
		  SS_EDATA, "clean/staffing.csv", 2, "malformed year '2024'" },
		{ "summary mean not a number",
		  { { "clean/schools.csv", ok_schools },
		    { "clean/exam_summary.csv",
		      SUMMARY_HEADER "2024-2025,ts10,A,toan,3,abc,,,2\n" },
		    { NULL, NULL } },
		  SS_EDATA, "clean/exam_summary.csv", 2,
		  "mean is not a number 'abc'" },
		{ "histogram n disagrees with its bins",
		  { { "clean/schools.csv", ok_schools },
		    { "clean/exam_hist.csv",
		      HIST_HEADER "2024-2025,ts10,A,toan,3,0,0,1,\n" },
		    { NULL, NULL } },
		  SS_EDATA, "clean/exam_hist.csv", 2, NULL },
		{ "histogram without bins column",
		  { { "clean/schools.csv", ok_schools },
		    { "clean/exam_hist.csv",
		      "year,exam,school_id,subject,n\n2024-2025,t,A,toan,1\n" },
		    { NULL, NULL } },
		  SS_EDATA, "clean/exam_hist.csv", 1, "missing column" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(cases); i++) {
		run r;
		run_fixture(&r, cases[i].files);
		if (r.st != cases[i].st)
			print_error("case '%s': status %d (%s)\n", cases[i].what,
				    r.st, r.e.msg);
		assert_int_equal(r.st, cases[i].st);
		assert_int_equal(r.e.status, cases[i].st);
		if (cases[i].file) {
			size_t nf = strlen(r.e.file), ns = strlen(cases[i].file);
			assert_true(nf >= ns);
			assert_string_equal(r.e.file + nf - ns, cases[i].file);
			assert_int_equal(r.e.line, cases[i].line);
		}
		if (cases[i].msg && !strstr(r.e.msg, cases[i].msg) &&
		    !strstr(r.e.file, cases[i].msg)) {
			print_error("case '%s': message '%s' lacks '%s'\n",
				    cases[i].what, r.e.msg, cases[i].msg);
			fail();
		}
		run_release(&r);
	}
}

static void test_run_unwritable(void **state)
{
	/* indicators.csv is a directory: the write fails with SS_EIO. */
	static const fixture_file files[] = {
		{ "clean/schools.csv", ok_schools },
		{ NULL, NULL },
	};
	char *dir = make_dir(files), path[512];
	ind_options opt;
	diag_sink d;
	ss_error e;

	(void)state;
	snprintf(path, sizeof path, "%s/indicators.csv", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	ind_options_default(&opt);
	diag_init(&d, NULL, NULL);
	err_clear(&e);
	assert_int_equal(ind_run(dir, &opt, NULL, 0, &d, &e), SS_EIO);
	assert_int_equal(e.status, SS_EIO);
	diag_release(&d);
	remove_tree(dir);
}

static void test_unknown_school_and_extra(void **state)
{
	/* A row of a school missing from schools.csv is warned about and
	 * left out; only schools.csv given: no rows but the header. */
	static const fixture_file files[] = {
		{ "clean/schools.csv", ok_schools },
		{ "clean/enrollment.csv",
		  ENROLLMENT_HEADER "2024-2025,A,1,2,50,,,,2\n"
				    "2024-2025,ZZ,1,1,10,,,,3\n"
				    "2024-2025,A,13,1,10,,,,4\n" },
		{ NULL, NULL },
	};
	static const expect_row want[] = {
		{ "2024-2025", "A", "students", "50", "50", "1", "", "" },
		{ "2024-2025", "all", "students", "50", "50", "1", "", "" },
	};
	run r;

	(void)state;
	run_fixture(&r, files);
	assert_int_equal(r.st, SS_OK);
	check_rows(&r.ind, want, NROWS(want));
	assert_int_equal(count_msgs(&r.diag, "unknown_school", "enrollment.csv",
				    3, "'ZZ'"),
			 1);
	assert_int_equal(count_msgs(&r.diag, "unknown_grade", "enrollment.csv",
				    4, "'13'"),
			 1);
	assert_int_equal(r.diag.nmessages, 2);
	run_release(&r);
}

/* An extra producer (as the accreditation indicators will be) appends
 * rows that are sorted with the others. */
static ss_status extra_producer(const ind_input *in, const ind_options *opt,
				ind_rows *rows, ss_error *e)
{
	ind_key k = { "2024-2025", "all", IND_STANDARD_SCHOOL_SHARE, NULL, 0 };

	(void)opt;
	assert_int_equal(in->nschools, 1);
	return ind_rows_add_ratio(rows, &k, 1, 2, NULL, e);
}

static void test_run_extra_producer(void **state)
{
	static const fixture_file files[] = {
		{ "clean/schools.csv", ok_schools },
		{ "clean/enrollment.csv",
		  ENROLLMENT_HEADER "2024-2025,A,1,2,50,,,,2\n" },
		{ NULL, NULL },
	};
	const ind_producer extra[] = { extra_producer };
	char *dir = make_dir(files), path[512], line[256];
	ind_options opt;
	diag_sink d;
	FILE *fp;
	int n = 0;

	(void)state;
	ind_options_default(&opt);
	diag_init(&d, NULL, NULL);
	assert_int_equal(ind_run(dir, &opt, extra, 1, &d, NULL), SS_OK);
	snprintf(path, sizeof path, "%s/indicators.csv", dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp))
		n++;
	fclose(fp);
	/* header; A, level:tieu_hoc and all: classes, students,
	 * students_per_class; then all's standard_school_share = 1/2 = 50 (Wilson 9.453121
	 * .. 90.546879) last. */
	assert_int_equal(n, 11);
	assert_string_equal(line,
			    "2024-2025,all,standard_school_share,50,1,2,"
			    "9.453121,90.546879\n");
	diag_release(&d);
	remove_tree(dir);
}

/* "Phường 1" exists in many districts: such places must never merge,
 * while a name used by one place keeps its short form. */
static void test_ambiguous_commune_names(void **state)
{
	const ind_school schools[] = {
		{ "A", "tieu_hoc", "Phường 1", "Quận 3", "TP HCM", 2 },
		{ "B", "tieu_hoc", "Phường 1", "Quận 5", "TP HCM", 3 },
		{ "C", "tieu_hoc", "Phường 1", "Quận 3", "TP HCM", 4 },
		{ "D", "thcs", "Xã An Bình", "Huyện X", "Tỉnh Y", 5 },
		{ "E", "thcs", "Xã An Bình", "", "", 6 },
	};
	ind_scopes s;
	ss_error e;
	long r;

	(void)state;
	ind_scopes_init(&s);
	assert_int_equal(ind_scopes_build(&s, schools, 5, &e), SS_OK);
	r = ind_scopes_rank(&s, "commune:TP HCM/Quận 3/Phường 1");
	assert_true(r >= 0);
	assert_int_equal(s.scope[r].nmembers, 2);
	r = ind_scopes_rank(&s, "commune:TP HCM/Quận 5/Phường 1");
	assert_true(r >= 0);
	assert_int_equal(s.scope[r].nmembers, 1);
	assert_int_equal(ind_scopes_rank(&s, "commune:Phường 1"), -1);
	/* an unknown parent does not make a name ambiguous */
	r = ind_scopes_rank(&s, "commune:Xã An Bình");
	assert_true(r >= 0);
	assert_int_equal(s.scope[r].nmembers, 2);
	assert_true(ind_scopes_rank(&s, "district:Quận 3") >= 0);
	ind_scopes_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_ambiguous_commune_names),
		cmocka_unit_test(test_value_from_parts),
		cmocka_unit_test(test_years_and_grades),
		cmocka_unit_test(test_scopes_order),
		cmocka_unit_test(test_rows_zero_denominator),
		cmocka_unit_test(test_rows_sort),
		cmocka_unit_test(test_rows_sort_random),
		cmocka_unit_test(test_real_text),
		cmocka_unit_test(test_run_counts),
		cmocka_unit_test(test_run_exams),
		cmocka_unit_test(test_run_exams_mixed),
		cmocka_unit_test(test_run_exam_encodings),
		cmocka_unit_test(test_run_cohort),
		cmocka_unit_test(test_run_cohort_refused),
		cmocka_unit_test(test_run_errors),
		cmocka_unit_test(test_run_unwritable),
		cmocka_unit_test(test_unknown_school_and_extra),
		cmocka_unit_test(test_run_extra_producer),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
