/* Tests for exam: the streaming reduction of exam_scores.csv.
 *
 * Expected histograms are written out from hand-computed hundredths
 * (7,25 -> 725 -> bin 145; sums and squares in the comments); messages,
 * lines and columns are counted by hand on the inputs. The property test
 * compares the reduction with a plain reference: all scores kept,
 * sorted, and summarised with GSL. Every input is also read with both
 * readers (own scanner, csvin for every line), which must agree byte for
 * byte on the histogram, the messages and the rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "exam.h"
#include "num.h"
#include "stats.h"

#define HEADER "year,exam,candidate_id,school_id,toan,ngu_van,tieng_anh\n"

/* ------------------------------------------------------------ helpers */

static int near(double a, double b, double rel)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	if (a == b)
		return 1;
	return fabs(a - b) <= rel * scale;
}

static void check_near(const char *what, double got, double want)
{
	if (!near(got, want, 1e-12))
		fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

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

/* A growing string. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_add(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
			      b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if (b->p && b->len + (size_t)n < b->cap)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
		if (b->len == 0)
			b->p[0] = '\0';
	}
	b->len += (size_t)n;
}

/* The outcome of one reduction. */
typedef struct run {
	ss_status st;
	ss_error e;
	exam_counts c;
	diag_sink diag;
	char *hist;     /* the histogram file, or NULL when not written */
	char *messages; /* "severity code line:column message" lines */
	char *rejects;  /* "line reason | raw" lines */
} run;

static const char *const known_schools[] = { "S1", "S2", "S3", "01000069",
					     NULL };

static int school_known(void *ctx, const char *id)
{
	const char *const *k;

	(void)ctx;
	for (k = known_schools; *k; k++)
		if (strcmp(*k, id) == 0)
			return 1;
	return 0;
}

static void summarize(run *r)
{
	sbuf m = { 0 }, j = { 0 };
	size_t i;

	sb_add(&m, "%s", "");
	sb_add(&j, "%s", "");
	for (i = 0; i < r->diag.nmessages; i++) {
		const diag_message *d = &r->diag.messages[i];

		sb_add(&m, "%s %s %ld:%ld %s\n",
		       d->severity == DIAG_ERROR ? "error" : "warning",
		       d->code, d->line, d->column, d->message);
	}
	for (i = 0; i < r->diag.nrejects; i++)
		sb_add(&j, "%ld %s | %s\n", r->diag.rejects[i].line,
		       r->diag.rejects[i].reason, r->diag.rejects[i].raw);
	r->messages = m.p;
	r->rejects = j.p;
}

static void run_opts(run *r, const char *data, size_t len,
		     const exam_options *opt)
{
	char out[] = "/tmp/test_exam_XXXXXX";
	int fd = mkstemp(out);

	assert_true(fd >= 0);
	close(fd);
	unlink(out);
	memset(r, 0, sizeof *r);
	diag_init(&r->diag, NULL, NULL);
	r->st = exam_reduce_mem("exam_scores.csv", data, len, opt, &r->diag,
				out, &r->c, &r->e);
	r->hist = slurp(out);
	unlink(out);
	summarize(r);
}

static void run_release(run *r)
{
	diag_release(&r->diag);
	free(r->hist);
	free(r->messages);
	free(r->rejects);
}

static void assert_same(const run *a, const run *b)
{
	if (a->st != b->st)
		fail_msg("readers differ: status %d (%s) and %d (%s)", a->st,
			 a->e.msg, b->st, b->e.msg);
	if (a->hist || b->hist) {
		assert_non_null(a->hist);
		assert_non_null(b->hist);
		assert_string_equal(a->hist, b->hist);
	}
	assert_string_equal(a->messages, b->messages);
	assert_string_equal(a->rejects, b->rejects);
	assert_int_equal(a->c.rows_read, b->c.rows_read);
	assert_int_equal(a->c.rows_accepted, b->c.rows_accepted);
	assert_int_equal(a->c.rows_rejected, b->c.rows_rejected);
	assert_int_equal(a->c.scores, b->c.scores);
	assert_int_equal(a->c.blanks, b->c.blanks);
	assert_int_equal(a->c.offgrid, b->c.offgrid);
	assert_int_equal(a->c.blank_lines, b->c.blank_lines);
}

/* Reduces data with both readers, checks they agree, returns the first. */
static void run_both_opts(run *r, const char *data, size_t len,
			  exam_options *opt)
{
	run other;

	opt->reader = EXAM_READER_AUTO;
	run_opts(r, data, len, opt);
	opt->reader = EXAM_READER_CSVIN;
	run_opts(&other, data, len, opt);
	assert_same(r, &other);
	run_release(&other);
	opt->reader = EXAM_READER_AUTO;
}

static void run_both(run *r, const char *data)
{
	exam_options opt;

	exam_options_init(&opt);
	opt.school_known = school_known;
	run_both_opts(r, data, strlen(data), &opt);
}

/* One expected histogram row: bins given as (index, count) pairs ending
 * with -1. */
static void expect_row(sbuf *b, const char *year, const char *exam,
		       const char *school, const char *subject, long long n,
		       long long sum, long long sumsq, const char *offgrid,
		       ...)
{
	long long bins[STATS_GRID_BINS] = { 0 };
	va_list ap;
	int i, k;

	va_start(ap, offgrid);
	while ((i = va_arg(ap, int)) >= 0) {
		k = va_arg(ap, int);
		bins[i] += k;
	}
	va_end(ap);
	sb_add(b, "%s,%s,%s,%s,%lld,%lld,%lld,", year, exam, school, subject,
	       n, sum, sumsq);
	for (i = 0; i < STATS_GRID_BINS; i++)
		sb_add(b, "%s%lld", i ? " " : "", bins[i]);
	sb_add(b, ",%s\n", offgrid);
}

#define HIST_HEADER "year,exam,school_id,subject,n,sum_x100,sumsq_x10000,bins,offgrid\n"

/* ------------------------------------------------------------ fixture */

/* tests/data/exam/vi_export.csv: a vi-VN Excel export (BOM, CRLF, ';',
 * decimal commas, Vietnamese headers, a blank line, no final newline). */
static void test_vi_export_file(void **state)
{
	exam_options opt;
	diag_sink diag;
	exam_counts c;
	ss_error e;
	sbuf want = { 0 };
	char out[] = "/tmp/test_exam_XXXXXX";
	char *got;
	int fd = mkstemp(out);
	size_t i;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	exam_options_init(&opt);
	opt.school_known = school_known;
	diag_init(&diag, NULL, NULL);
	err_clear(&e);
	assert_int_equal(exam_reduce_file("tests/data/exam/vi_export.csv",
					  "exam_scores.csv", &opt, &diag, out,
					  &c, &e),
			 SS_OK);
	got = slurp(out);
	unlink(out);
	assert_non_null(got);

	sb_add(&want, "%s", HIST_HEADER);
	/* S1: toan 7,25 + 6,5 = 1375, 725^2 + 650^2 = 525625 + 422500 */
	expect_row(&want, "2024-2025", "tn_thpt", "S1", "toan", 2, 1375, 948125,
		   "", 145, 1, 130, 1, -1);
	/* ngu_van 8 + 7,75: 640000 + 600625 */
	expect_row(&want, "2024-2025", "tn_thpt", "S1", "ngu_van", 2, 1575,
		   1240625, "", 160, 1, 155, 1, -1);
	expect_row(&want, "2024-2025", "tn_thpt", "S1", "tieng_anh", 1, 500,
		   250000, "", 100, 1, -1);
	/* S2: toan 10 and 0 */
	expect_row(&want, "2024-2025", "tn_thpt", "S2", "toan", 2, 1000,
		   1000000, "", 200, 1, 0, 1, -1);
	/* ngu_van 5,33 is off the grid: 533^2 = 284089 */
	expect_row(&want, "2024-2025", "tn_thpt", "S2", "ngu_van", 1, 533,
		   284089, "533:1", -1);
	expect_row(&want, "2024-2025", "tn_thpt", "S2", "tieng_anh", 1, 920,
		   846400, "", 184, 1, -1);
	assert_string_equal(got, want.p);

	assert_int_equal(c.rows_read, 7);
	assert_int_equal(c.rows_accepted, 4);
	assert_int_equal(c.rows_rejected, 3);
	assert_int_equal(c.scores, 9);
	assert_int_equal(c.blanks, 3);
	assert_int_equal(c.offgrid, 1);
	assert_int_equal(c.groups, 2);
	assert_int_equal(c.hist_rows, 6);
	assert_int_equal(c.blank_lines, 1);
	assert_int_equal(c.delimiter, ';');
	assert_int_equal(c.had_bom, 1);

	{
		static const struct {
			const char *code;
			long line, col;
			const char *msg;
		} m[] = {
			{ "unknown_school", 7, 28,
			  "unknown school 'S9' (expected a school_id listed in schools.csv)" },
			{ "duplicate_key", 8, 19,
			  "duplicate candidate_id '01000003' (expected each candidate once in 2024-2025 tn_thpt)" },
			{ "score_out_of_range", 9, 33,
			  "score out of range '11' (expected 0 to 10 for ngu_van)" },
			{ "offgrid_score", 6, 33,
			  "1 score off the 0.05 grid, first '5,33' for ngu_van (expected multiples of 0.05; kept exactly)" },
		};

		assert_int_equal(diag.nmessages, 4);
		for (i = 0; i < 4; i++) {
			assert_string_equal(diag.messages[i].code, m[i].code);
			assert_int_equal(diag.messages[i].line, m[i].line);
			assert_int_equal(diag.messages[i].column, m[i].col);
			assert_string_equal(diag.messages[i].message, m[i].msg);
			assert_string_equal(diag.messages[i].file,
					    "exam_scores.csv");
		}
		assert_int_equal(diag.messages[3].severity, DIAG_WARNING);
	}
	assert_int_equal(diag.nrejects, 3);
	assert_int_equal(diag.rejects[0].line, 7);
	assert_string_equal(diag.rejects[0].raw,
			    "2024-2025;tn_thpt;01000005;S9;1;2;3");
	assert_string_equal(diag.rejects[0].reason,
			    "unknown school 'S9' (expected a school_id listed in schools.csv)");
	assert_string_equal(diag.rejects[2].raw,
			    "2024-2025;tn_thpt;01000006;S1;4;11;4");

	/* the same bytes from memory, through both readers */
	{
		char *data = slurp("tests/data/exam/vi_export.csv");
		run r;

		assert_non_null(data);
		run_both(&r, data);
		assert_string_equal(r.hist, want.p);
		assert_int_equal(r.diag.nmessages, 4);
		run_release(&r);
		free(data);
	}
	free(want.p);
	free(got);
	diag_release(&diag);
}

/* ------------------------------------------------------------ row errors */

struct row_case {
	const char *row;  /* one data row after HEADER, with its newline */
	const char *code; /* first message's code, NULL: accepted */
	long col;
	const char *msg;
	int nmsg;         /* messages expected in all */
};

static const struct row_case row_cases[] = {
	/* accepted shapes */
	{ "2024-2025,tn_thpt,1,S1,7.25,8,\n", NULL, 0, NULL, 0 },
	{ "2024/2025,tn_thpt,1,S1,07,10.00,0.5\n", NULL, 0, NULL, 0 },
	{ " 2024 - 2025 ,tn_thpt, 1 , S1 , 7.5 ,,\n", NULL, 0, NULL, 0 },
	{ "2024-2025,tn_thpt,1,S1,,,\n", NULL, 0, NULL, 0 },
	{ "2024-2025,tn_thpt,1,S1,7.250,8.10,\n", NULL, 0, NULL, 0 },
	/* field counts: the column of the last field, or the first extra */
	{ "2024-2025,tn_thpt,1,S1,7,8\n", "too_few_fields", 26,
	  "too few fields '6' (expected 7 as in the header)", 1 },
	{ "2024-2025,tn_thpt,1,S1,7,8,9,\n", "too_many_fields", 30,
	  "too many fields '8' (expected 7 as in the header)", 1 },
	{ "2024-2025,tn_thpt,1,S1,7.2\n", "too_few_fields", 24,
	  "too few fields '5' (expected 7 as in the header)", 1 },
	/* scores */
	{ "2024-2025,tn_thpt,1,S1,7.125,,\n", "bad_score", 24,
	  "more than 2 decimals '7.125' (expected a score with at most 2 decimals for toan)", 1 },
	{ "2024-2025,tn_thpt,1,S1,abc,,\n", "bad_score", 24,
	  "not a number 'abc' (expected a score from 0 to 10 for toan)", 1 },
	{ "2024-2025,tn_thpt,1,S1,,10.5,\n", "score_out_of_range", 25,
	  "score out of range '10.5' (expected 0 to 10 for ngu_van)", 1 },
	{ "2024-2025,tn_thpt,1,S1,,,-1\n", "score_out_of_range", 26,
	  "score out of range '-1' (expected 0 to 10 for tieng_anh)", 1 },
	{ "2024-2025,tn_thpt,1,S1,,,99999999999999999999\n",
	  "score_out_of_range", 26,
	  "score out of range '99999999999999999999' (expected 0 to 10 for tieng_anh)", 1 },
	{ "2024-2025,tn_thpt,1,S1, 12 ,x,1e1\n", "score_out_of_range", 24,
	  "score out of range '12' (expected 0 to 10 for toan)", 3 },
	/* keys */
	{ "2024-2026,tn_thpt,1,S1,7,,\n", "bad_year", 1,
	  "bad school year '2024-2026' (expected two consecutive years like 2024-2025)", 1 },
	{ "2024,tn_thpt,1,S1,7,,\n", "bad_year", 1,
	  "bad school year '2024' (expected a year like 2024-2025)", 1 },
	{ ",tn_thpt,1,S1,7,,\n", "missing_value", 1,
	  "missing year (expected a value in every row)", 1 },
	{ "2024-2025,,1,S1,7,,\n", "missing_value", 11,
	  "missing exam (expected a value in every row)", 1 },
	{ "2024-2025,tn_thpt,,S1,7,,\n", "missing_value", 19,
	  "missing candidate_id (expected a value in every row)", 1 },
	{ "2024-2025,tn_thpt,1 2,S1,7,,\n", "bad_id", 19,
	  "space inside identifier '1 2' (expected an id without spaces for candidate_id)", 1 },
	{ "2024-2025,tn_thpt,1,,7,,\n", "missing_value", 21,
	  "missing school_id (expected a value in every row)", 1 },
	{ "2024-2025,tn_thpt,1,S7,7,,\n", "unknown_school", 21,
	  "unknown school 'S7' (expected a school_id listed in schools.csv)", 1 },
	/* a bad year does not hide an unknown school */
	{ "2024,tn_thpt,1,S7,7,,\n", "bad_year", 1,
	  "bad school year '2024' (expected a year like 2024-2025)", 2 },
	/* columns count characters, not bytes */
	{ "2024-2025,thi_thử,1,S1,x,,\n", "bad_score", 24,
	  "not a number 'x' (expected a score from 0 to 10 for toan)", 1 },
	/* csvin's own problems */
	{ "2024-2025,tn_thpt,\"1\"x,S1,7,,\n", "bad_quote", 22,
	  "unexpected text 'x' after a closing quote (expected a delimiter or the end of the line)", 1 },
	{ "2024-2025,tn_thpt,1,S1,7\xff,,\n", "bad_text", 25,
	  "invalid UTF-8 byte 0xFF (expected UTF-8 text; for a legacy file use --encoding cp1258 or tcvn3)", 1 },
	{ "2024-2025,tn_thpt,1,S1,7\r5,,\n", "bad_score", 24, NULL, 1 },
};

static void test_row_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof row_cases / sizeof row_cases[0]; i++) {
		const struct row_case *t = &row_cases[i];
		sbuf in = { 0 };
		run r;

		sb_add(&in, HEADER "%s", t->row);
		run_both(&r, in.p);
		assert_int_equal(r.st, SS_OK);
		assert_int_equal(r.c.rows_read, 1);
		if (!t->code) {
			if (r.diag.nmessages != 0)
				fail_msg("case %zu: unexpected %s", i, r.messages);
			assert_int_equal(r.c.rows_accepted, 1);
		} else {
			if ((int)r.diag.nmessages != t->nmsg)
				fail_msg("case %zu: messages %s", i, r.messages);
			assert_string_equal(r.diag.messages[0].code, t->code);
			assert_int_equal(r.diag.messages[0].line, 2);
			if (r.diag.messages[0].column != t->col)
				fail_msg("case %zu: column %ld, want %ld", i,
					 r.diag.messages[0].column, t->col);
			if (t->msg)
				assert_string_equal(r.diag.messages[0].message,
						    t->msg);
			assert_int_equal(r.c.rows_rejected, 1);
			assert_int_equal(r.diag.nrejects, 1);
			assert_int_equal(r.diag.rejects[0].line, 2);
			assert_string_equal(r.diag.rejects[0].reason,
					    r.diag.messages[0].message);
		}
		run_release(&r);
		free(in.p);
	}
}

/* The raw text of a rejected row is the line as read, delimiters and
 * blanks included, without its line ending. */
static void test_reject_raw(void **state)
{
	run r;

	(void)state;
	run_both(&r, HEADER "2024-2025,tn_thpt,1,S1, 7.5 ,x,\r\n"
			    "2024-2025,tn_thpt,2,S1,1,2,3,4");
	assert_int_equal(r.diag.nrejects, 2);
	assert_string_equal(r.diag.rejects[0].raw,
			    "2024-2025,tn_thpt,1,S1, 7.5 ,x,");
	assert_string_equal(r.diag.rejects[1].raw,
			    "2024-2025,tn_thpt,2,S1,1,2,3,4");
	run_release(&r);
}

/* ------------------------------------------------------------ blanks, grid */

static void test_blanks_and_grid(void **state)
{
	run r;
	sbuf want = { 0 };

	(void)state;
	/* 5.33 and 5.33 and 7.01 off the grid; 4.2 on it (4 x 0.05 x 21);
	 * blanks: row 2 has 1, row 3 has 2, row 4 has 1 (" " is blank) */
	run_both(&r, HEADER "2024-2025,tn_thpt,1,S1,5.33,4.2,\n"
			    "2024-2025,tn_thpt,2,S1,5.33,,\n"
			    "2024-2025,tn_thpt,3,S1,7.01, ,9.95\n");
	assert_int_equal(r.c.scores, 5);
	assert_int_equal(r.c.blanks, 4);
	assert_int_equal(r.c.offgrid, 3);
	assert_int_equal(r.diag.nmessages, 1);
	assert_string_equal(r.messages,
			    "warning offgrid_score 2:24 3 scores off the 0.05 grid, first '5.33' for toan (expected multiples of 0.05; kept exactly)\n");
	sb_add(&want, "%s", HIST_HEADER);
	/* 533 + 533 + 701 = 1767; 284089 * 2 + 491401 = 1059579 */
	expect_row(&want, "2024-2025", "tn_thpt", "S1", "toan", 3, 1767,
		   1059579, "533:2 701:1", -1);
	expect_row(&want, "2024-2025", "tn_thpt", "S1", "ngu_van", 1, 420,
		   176400, "", 84, 1, -1);
	expect_row(&want, "2024-2025", "tn_thpt", "S1", "tieng_anh", 1, 995,
		   990025, "", 199, 1, -1);
	assert_string_equal(r.hist, want.p);
	free(want.p);
	run_release(&r);
}

/* A subject nobody sat writes no row; an empty file of rows writes only
 * the header. */
static void test_empty_subjects(void **state)
{
	run r;

	(void)state;
	run_both(&r, HEADER "2024-2025,tn_thpt,1,S1,,,\n");
	assert_string_equal(r.hist, HIST_HEADER);
	assert_int_equal(r.c.blanks, 3);
	assert_int_equal(r.c.groups, 1);
	assert_int_equal(r.c.hist_rows, 0);
	run_release(&r);
	run_both(&r, HEADER);
	assert_string_equal(r.hist, HIST_HEADER);
	assert_int_equal(r.c.rows_read, 0);
	run_release(&r);
}

/* ------------------------------------------------------------ truncation */

static void test_truncated_last_line(void **state)
{
	run r;

	(void)state;
	/* no final newline: the row still counts */
	run_both(&r, HEADER "2024-2025,tn_thpt,1,S1,7,8,9");
	assert_int_equal(r.c.rows_accepted, 1);
	assert_int_equal(r.c.scores, 3);
	run_release(&r);
	/* CRLF and a final CR without LF */
	run_both(&r, HEADER "2024-2025,tn_thpt,1,S1,7,8,9\r\n"
			    "2024-2025,tn_thpt,2,S1,7,8,9\r");
	assert_int_equal(r.c.rows_accepted, 2);
	run_release(&r);
	/* cut in the middle of a score field: too few fields */
	run_both(&r, HEADER "2024-2025,tn_thpt,1,S1,7,8,9\n"
			    "2024-2025,tn_thpt,2,S1,7.");
	assert_int_equal(r.c.rows_accepted, 1);
	assert_int_equal(r.c.rows_rejected, 1);
	assert_string_equal(r.messages,
			    "error too_few_fields 3:24 too few fields '5' (expected 7 as in the header)\n");
	assert_string_equal(r.rejects,
			    "3 too few fields '5' (expected 7 as in the header) | 2024-2025,tn_thpt,2,S1,7.\n");
	run_release(&r);
	/* cut inside the last field: "9." is not a number */
	run_both(&r, HEADER "2024-2025,tn_thpt,2,S1,1,2,9.");
	assert_string_equal(r.messages,
			    "error bad_score 2:28 not a number '9.' (expected a score from 0 to 10 for tieng_anh)\n");
	run_release(&r);
	/* cut inside an open quote */
	run_both(&r, HEADER "2024-2025,tn_thpt,2,S1,1,2,\"9");
	assert_int_equal(r.c.rows_rejected, 1);
	assert_string_equal(r.diag.messages[0].code, "bad_quote");
	assert_int_equal(r.diag.messages[0].line, 2);
	run_release(&r);
}

/* ------------------------------------------------------------ duplicates */

static void test_duplicates(void **state)
{
	run r;

	(void)state;
	run_both(&r,
		 HEADER
		 "2024-2025,tn_thpt,01000001,S1,7,,\n"  /* 2 */
		 "2024-2025,tn_thpt,1000001,S1,7,,\n"   /* 3: other string */
		 "2024-2025,tn_thpt,01000001,S2,7,,\n"  /* 4: duplicate */
		 "2024/2025,tn_thpt,01000001,S1,7,,\n"  /* 5: same year */
		 "2023-2024,tn_thpt,01000001,S1,7,,\n"  /* 6: other year */
		 "2024-2025,vao_10,01000001,S1,7,,\n"   /* 7: other exam */
		 "2024-2025,tn_thpt,HN-0001,S1,7,,\n"   /* 8: text id */
		 "2024-2025,tn_thpt,HN-0001,S1,8,,\n"   /* 9: duplicate */
		 "2024-2025,tn_thpt,1234567890,S1,8,,\n" /* 10: 10 digits */
		 "2024-2025,tn_thpt,1234567890,S2,8,,\n" /* 11: duplicate */
		 "2024-2025,tn_thpt, 01000001 ,S1,7,,\n" /* 12: trimmed */
		 "2024-2025,tn_thpt,999999999,S1,7,,\n"  /* 13: largest */
		 "2024-2025,tn_thpt,999999999,S1,7,,\n"  /* 14: duplicate */
		 "2024-2025,tn_thpt,0,S1,7,,\n"          /* 15: smallest */
		 "2024-2025,tn_thpt,0,S1,7,,\n");        /* 16: duplicate */
	assert_string_equal(
		r.messages,
		"error duplicate_key 4:19 duplicate candidate_id '01000001' (expected each candidate once in 2024-2025 tn_thpt)\n"
		"error duplicate_key 5:19 duplicate candidate_id '01000001' (expected each candidate once in 2024-2025 tn_thpt)\n"
		"error duplicate_key 9:19 duplicate candidate_id 'HN-0001' (expected each candidate once in 2024-2025 tn_thpt)\n"
		"error duplicate_key 11:19 duplicate candidate_id '1234567890' (expected each candidate once in 2024-2025 tn_thpt)\n"
		"error duplicate_key 12:19 duplicate candidate_id '01000001' (expected each candidate once in 2024-2025 tn_thpt)\n"
		"error duplicate_key 14:19 duplicate candidate_id '999999999' (expected each candidate once in 2024-2025 tn_thpt)\n"
		"error duplicate_key 16:19 duplicate candidate_id '0' (expected each candidate once in 2024-2025 tn_thpt)\n");
	assert_int_equal(r.c.rows_accepted, 8);
	assert_int_equal(r.c.rows_rejected, 7);
	run_release(&r);
}

/* A rejected row does not claim its id: the corrected row that follows
 * is accepted. */
static void test_rejected_row_keeps_no_id(void **state)
{
	run r;

	(void)state;
	run_both(&r, HEADER "2024-2025,tn_thpt,5,S1,77,,\n"
			    "2024-2025,tn_thpt,5,S1,7.7,,\n");
	assert_int_equal(r.c.rows_rejected, 1);
	assert_int_equal(r.c.rows_accepted, 1);
	run_release(&r);
}

/* Many numeric and text ids in two sessions, against a reference count
 * of distinct (session, id) pairs. */
static void test_duplicates_many(void **state)
{
	sbuf in = { 0 };
	run r;
	int i, dups = 0;
	uint64_t x = 12345;
	static char seen[2][2000];

	(void)state;
	memset(seen, 0, sizeof seen);
	sb_add(&in, HEADER);
	for (i = 0; i < 3000; i++) {
		int sess, id;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sess = (int)((x >> 40) & 1);
		id = (int)((x >> 20) % 2000);
		if (seen[sess][id])
			dups++;
		seen[sess][id] = 1;
		/* ids < 1000 as 8-digit numbers, the rest as text */
		if (id < 1000)
			sb_add(&in, "%s,tn_thpt,%08d,S1,5,,\n",
			       sess ? "2023-2024" : "2024-2025", id * 7919);
		else
			sb_add(&in, "%s,tn_thpt,X%d,S1,5,,\n",
			       sess ? "2023-2024" : "2024-2025", id);
	}
	run_both(&r, in.p);
	assert_int_equal(r.c.rows_rejected, dups);
	assert_int_equal(r.c.rows_accepted, 3000 - dups);
	run_release(&r);
	free(in.p);
}

/* ------------------------------------------------------------ header */

struct header_case {
	const char *text;
	const char *code;
	long line, col;
	const char *msg;
};

static const struct header_case header_cases[] = {
	{ "", "empty_file", 0, 0,
	  "empty file (expected a header line with year, exam, candidate_id, school_id and subjects)" },
	{ "\n  \n\t\n", "empty_file", 0, 0,
	  "empty file (expected a header line with year, exam, candidate_id, school_id and subjects)" },
	{ "year,exam,candidate_id,toan\n", "missing_column", 1, 1,
	  "missing column 'school_id' (expected the columns year, exam, candidate_id, school_id and one column per subject)" },
	{ "year,exam,candidate_id,school_id\n", "no_subjects", 1, 1,
	  "no subject column in 'year,exam,candidate_id,school_id' (expected one column per subject after year, exam, candidate_id, school_id)" },
	{ "year,exam,SBD,school_id,Toán,TOAN\n", "duplicate_column", 1, 30,
	  "duplicate column 'TOAN' (expected subject toan once; first at column 25)" },
	{ "year,exam,candidate_id,Mã trường,school_id,toan\n",
	  "duplicate_column", 1, 34,
	  "duplicate column 'school_id' (expected school_id once; first at column 24)" },
	{ "year,exam,candidate_id,school_id,,toan\n", "bad_header", 1, 34,
	  "empty column name '' (expected a subject name)" },
	{ "year,exam,\"candidate_id,school_id,toan\n", "bad_quote", 1, 11,
	  NULL },
};

static void test_header_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof header_cases / sizeof header_cases[0]; i++) {
		const struct header_case *t = &header_cases[i];
		sbuf in = { 0 };
		run r;

		sb_add(&in, "%s", t->text);
		if (strcmp(t->code, "empty_file") != 0)
			sb_add(&in, "2024-2025,tn_thpt,1,S1,7\n");
		run_both(&r, in.p);
		assert_int_equal(r.st, SS_EDATA);
		assert_null(r.hist);
		assert_int_equal(r.e.status, SS_EDATA);
		assert_true(r.diag.nmessages >= 1);
		assert_string_equal(r.diag.messages[0].code, t->code);
		assert_int_equal(r.diag.messages[0].line, t->line);
		if (r.diag.messages[0].column != t->col)
			fail_msg("case %zu: column %ld", i,
				 r.diag.messages[0].column);
		if (t->msg) {
			assert_string_equal(r.diag.messages[0].message, t->msg);
			assert_string_equal(r.e.msg, t->msg);
		}
		assert_int_equal(r.c.rows_read, 0);
		run_release(&r);
		free(in.p);
	}
}

/* Aliases and folded subject names, a tab-delimited file. */
static void test_header_aliases(void **state)
{
	run r;

	(void)state;
	run_both(&r, "Mã trường\tSố báo danh\tNăm học\tKỳ thi\tTiếng Anh\tGDCD\n"
		     "S1\t1\t2024-2025\ttn_thpt\t6.5\t8\n");
	assert_int_equal(r.st, SS_OK);
	assert_int_equal(r.c.delimiter, '\t');
	assert_non_null(strstr(r.hist, "\n2024-2025,tn_thpt,S1,tieng_anh,1,650,"));
	assert_non_null(strstr(r.hist, "\n2024-2025,tn_thpt,S1,gdcd,1,800,"));
	run_release(&r);
}

/* ------------------------------------------------------------ readers */

/* Lines the own scanner hands to csvin: quotes (also over two lines),
 * CR inside a line, bad UTF-8, NUL; the line numbers after them. */
static void test_handover_lines(void **state)
{
	static const char data[] =
		HEADER
		"2024-2025,\"tn_thpt\",1,S1,\"7,5\",,\n"       /* 2 */
		"2024-2025,tn_thpt,2,S1,\"x\ny\",,\n"          /* 3-4 */
		"2024-2025,tn_thpt,3,S1,8,,\n"                 /* 5 */
		"2024-2025,tn_thpt,4,S1,\"8,,\n"               /* 6: open */
		"2024-2025,tn_thpt,5,S1,8,,\n"                 /* 7 */
		"2024-2025,tn_thpt,6,S1,\"\"\"\",,\n"          /* 8 */
		"2024-2025,tn_thpt,7,S1,\"1\n2\"x,,\n"         /* 9-10 */
		"2024-2025,tn_thpt,8,S1,9\xc3,,\n"             /* 11 */
		"2024-2025,tn_thpt,9,S1,9\0,,\n"               /* 12 */
		"2024-2025,tn_thpt,10,S1,9,,\n";               /* 13 */
	exam_options opt;
	run r;

	(void)state;
	exam_options_init(&opt);
	run_both_opts(&r, data, sizeof data - 1, &opt);
	assert_int_equal(r.c.rows_read, 11);
	assert_int_equal(r.c.rows_accepted, 4);
	assert_string_equal(
		r.messages,
		"error bad_score 3:24 not a number 'x\ny' (expected a score from 0 to 10 for toan)\n"
		/* the quote opened on line 6 closes on line 8 and breaks on
		 * line 9; reading starts again at line 7 */
		"error bad_quote 6:24 unclosed quote opened at column 24 (expected a closing '\"'; the quoted field runs on to line 9 and breaks there)\n"
		"error bad_score 8:24 not a number '\"' (expected a score from 0 to 10 for toan)\n"
		"error bad_quote 9:24 unclosed quote opened at column 24 (expected a closing '\"'; the quoted field runs on to line 10 and breaks there)\n"
		"error bad_quote 10:2 unexpected quote '\"' inside an unquoted field (expected the whole field in quotes, with inner quotes doubled)\n"
		"error bad_text 11:25 invalid UTF-8 byte 0xC3 (expected UTF-8 text; for a legacy file use --encoding cp1258 or tcvn3)\n"
		"error bad_text 12:25 unexpected NUL byte 0x00 (expected UTF-8 text; a UTF-16 file must be saved as UTF-8 first)\n");
	run_release(&r);
}

/* A line over the record limit, whole in the buffer or not. */
static void test_long_line(void **state)
{
	exam_options opt;
	sbuf in = { 0 };
	run r;
	int i;

	(void)state;
	exam_options_init(&opt);
	opt.max_record = 100;
	sb_add(&in, HEADER "2024-2025,tn_thpt,1,S1,7,,");
	for (i = 0; i < 150; i++)
		sb_add(&in, "x");
	sb_add(&in, "\n2024-2025,tn_thpt,2,S1,7,,\n");
	run_both_opts(&r, in.p, in.len, &opt);
	assert_int_equal(r.c.rows_read, 2);
	assert_int_equal(r.c.rows_accepted, 1);
	assert_string_equal(r.diag.messages[0].code, "line_too_long");
	assert_string_equal(r.diag.messages[0].message,
			    "line of 176 bytes is longer than the limit (expected at most 100 bytes per record)");
	run_release(&r);
	free(in.p);

	/* a quote left open runs into the record limit; reading goes on
	 * at the next line */
	in.p = NULL;
	in.len = in.cap = 0;
	sb_add(&in, HEADER "2024-2025,tn_thpt,1,S1,\"7,,\n");
	for (i = 2; i < 12; i++)
		sb_add(&in, "2024-2025,tn_thpt,%d,S1,7,,\r\n", i);
	run_both_opts(&r, in.p, in.len, &opt);
	assert_int_equal(r.c.rows_read, 11);
	assert_int_equal(r.c.rows_accepted, 10);
	assert_string_equal(r.diag.messages[0].message,
			    "unclosed quote opened at column 24 (expected a closing '\"' within the record limit of 100 bytes)");
	run_release(&r);
	free(in.p);

	/* longer than the whole read buffer: csvin sees a prefix only */
	in.p = NULL;
	in.len = in.cap = 0;
	sb_add(&in, HEADER "2024-2025,tn_thpt,1,S1,7,,");
	for (i = 0; i < 9000; i++)
		sb_add(&in, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	sb_add(&in, "\n2024-2025,tn_thpt,2,S1,7,,\n");
	opt.max_record = 0;
	run_both_opts(&r, in.p, in.len, &opt);
	assert_int_equal(r.c.rows_read, 2);
	assert_int_equal(r.c.rows_accepted, 1);
	assert_string_equal(r.diag.messages[0].code, "line_too_long");
	{
		char want[200];

		snprintf(want, sizeof want,
			 "line of %zu bytes is longer than the limit (expected at most %d bytes per record)",
			 in.len - strlen(HEADER) -
				 strlen("\n2024-2025,tn_thpt,2,S1,7,,\n"),
			 1024 * 1024);
		assert_string_equal(r.diag.messages[0].message, want);
	}
	run_release(&r);
	free(in.p);
}

/* Legacy encodings go through csvin throughout. */
static void test_encoding(void **state)
{
	/* "Toán" in cp1258: T o 0xE1 n */
	static const char data[] = "year,exam,candidate_id,school_id,To\xe1n\n"
				   "2024-2025,tn_thpt,1,S1,7\n";
	exam_options opt;
	run r;

	(void)state;
	exam_options_init(&opt);
	opt.encoding = "cp1258";
	run_opts(&r, data, sizeof data - 1, &opt);
	assert_int_equal(r.st, SS_OK);
	assert_non_null(strstr(r.hist, ",S1,toan,1,700,490000,"));
	run_release(&r);
	opt.encoding = "klingon";
	run_opts(&r, data, sizeof data - 1, &opt);
	assert_int_equal(r.st, SS_EUSAGE);
	run_release(&r);
}

static void test_io_errors(void **state)
{
	exam_options opt;
	diag_sink diag;
	ss_error e;

	(void)state;
	exam_options_init(&opt);
	diag_init(&diag, NULL, NULL);
	err_clear(&e);
	assert_int_equal(exam_reduce_file("tests/data/exam/no_such_file.csv",
					  NULL, &opt, &diag, "/tmp/x.csv", NULL,
					  &e),
			 SS_EIO);
	assert_non_null(strstr(e.msg, "no_such_file.csv"));
	err_clear(&e);
	assert_int_equal(exam_reduce_mem("m", HEADER, strlen(HEADER), NULL,
					 &diag, "/nonexistent/dir/h.csv", NULL,
					 &e),
			 SS_EIO);
	assert_int_equal(exam_reduce_mem("m", HEADER, strlen(HEADER), NULL,
					 NULL, "/tmp/x.csv", NULL, &e),
			 SS_EUSAGE);
	assert_int_equal(exam_reduce_file(NULL, NULL, NULL, &diag, "/tmp/x",
					  NULL, &e),
			 SS_EUSAGE);
	diag_release(&diag);
}


/* ------------------------------------------------------------ order, style */

/* Output rows sorted by year, exam, school_id (byte order), subjects in
 * header order, whatever the input order. */
static void test_output_order(void **state)
{
	run r;
	const char *p;
	static const char *const keys[] = {
		"\n2023-2024,tn_thpt,S2,toan,", "\n2024-2025,tn_thpt,S1,toan,",
		"\n2024-2025,tn_thpt,S1,tieng_anh,",
		"\n2024-2025,tn_thpt,S10,toan,", "\n2024-2025,tn_thpt,S2,toan,",
		"\n2024-2025,vao_10,S1,toan,",
	};
	static const char data[] = HEADER "2024-2025,vao_10,1,S1,5,,\n"
					  "2024-2025,tn_thpt,1,S2,5,,\n"
					  "2024-2025,tn_thpt,2,S10,5,,\n"
					  "2024-2025,tn_thpt,3,S1,5,,6\n"
					  "2023-2024,tn_thpt,1,S2,5,,\n";
	exam_options opt;
	size_t k;

	(void)state;
	run_both(&r, data);
	assert_int_equal(r.c.rows_rejected, 1); /* S10 is not known */
	run_release(&r);
	exam_options_init(&opt);
	run_both_opts(&r, data, strlen(data), &opt);
	p = r.hist;
	for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		const char *q = strstr(p, keys[k]);

		if (!q)
			fail_msg("row %zu '%s' missing or out of order", k,
				 keys[k] + 1);
		p = q + 1;
	}
	assert_int_equal(r.c.hist_rows, 6);
	run_release(&r);
}

/* The score style: ';' files read "7.250" as Vietnamese (7250, out of
 * range), ',' files as English (7.25); --number-style overrides. */
static void test_number_style(void **state)
{
	static const char semi[] = "year;exam;candidate_id;school_id;toan\n"
				   "2024-2025;tn_thpt;1;S1;7.250\n"
				   "2024-2025;tn_thpt;2;S1;7,5\n";
	exam_options opt;
	run r;

	(void)state;
	exam_options_init(&opt);
	run_both_opts(&r, semi, sizeof semi - 1, &opt);
	assert_string_equal(r.messages,
			    "error score_out_of_range 2:24 score out of range '7.250' (expected 0 to 10 for toan)\n");
	run_release(&r);
	opt.style = NUM_STYLE_EN;
	run_both_opts(&r, semi, sizeof semi - 1, &opt);
	assert_int_equal(r.c.rows_accepted, 2);
	/* 725 + 750 = 1475; 525625 + 562500 = 1088125 */
	assert_non_null(strstr(r.hist, ",S1,toan,2,1475,1088125,"));
	run_release(&r);
}

/* More than 65,535 equal scores in one school and subject: the 16-bit
 * counter hands its count over and the total stays exact. */
static void test_counter_overflow(void **state)
{
	enum { N = 140000 };
	sbuf in = { 0 }, want = { 0 };
	exam_options opt;
	run r;
	int i;

	(void)state;
	sb_add(&in, "year,exam,candidate_id,school_id,toan\n");
	for (i = 0; i < N; i++)
		sb_add(&in, "2024-2025,tn_thpt,%d,S1,%s\n", i,
		       i % 7 == 0 ? "6.01" : "7");
	exam_options_init(&opt);
	run_both_opts(&r, in.p, in.len, &opt);
	/* 20000 x 601 and 120000 x 700: n 140000, sum 12020000 + 84000000,
	 * sumsq 20000 x 361201 + 120000 x 490000 */
	sb_add(&want, "%s", HIST_HEADER);
	expect_row(&want, "2024-2025", "tn_thpt", "S1", "toan", N,
		   12020000LL + 84000000LL, 7224020000LL + 58800000000LL,
		   "601:20000", 140, 120000, -1);
	assert_string_equal(r.hist, want.p);
	run_release(&r);
	free(in.p);
	free(want.p);
}

/* ------------------------------------------------------------ property */

/* Scores as people type them, with their value by num_parse_hundredths
 * (the reference parser): on and off the grid, styles, blanks. */
static const char *const score_texts[] = {
	"0", "1", "5", "7", "10", "07", "0.5", "7.5", "7,5", "6.25", "6,25",
	"8.2", "9.95", "10.00", "10,0", "3.33", "4.01", "0.01", " 7.5",
	"7.5 ", "8.250", "2.40", "9.99", ".75", "", "", "", " ",
};

struct ref_group {
	long *scores[3];
	size_t n[3];
};

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void check_against_reference(const char *hist,
				    struct ref_group *g, int nschools)
{
	static const char *const subj[3] = { "toan", "ngu_van", "tieng_anh" };
	int s, j;

	for (s = 0; s < nschools; s++) {
		for (j = 0; j < 3; j++) {
			char key[64], *line, *end, *cells[9], *copy;
			stats_scores sc;
			ss_error e;
			double *sorted, v, w;
			size_t n = g[s].n[j], k;
			int c;
			static const double ps[] = { 0, 0.1, 0.25, 0.5, 0.75,
						     0.9, 1, 0.333 };

			snprintf(key, sizeof key, "\n2024-2025,tn_thpt,S%d,%s,",
				 s, subj[j]);
			line = strstr(hist, key);
			if (n == 0) {
				assert_null(line);
				continue;
			}
			assert_non_null(line);
			line++;
			end = strchr(line, '\n');
			copy = strndup(line, (size_t)(end - line));
			cells[0] = copy;
			for (c = 1; c < 9; c++) {
				cells[c] = strchr(cells[c - 1], ',');
				assert_non_null(cells[c]);
				*cells[c]++ = '\0';
			}
			stats_scores_init(&sc);
			assert_int_equal(exam_hist_parse(cells[4], cells[5],
							 cells[6], cells[7],
							 cells[8], &sc, &e),
					 SS_OK);
			free(copy);
			assert_int_equal(sc.n, (long long)n);

			qsort(g[s].scores[j], n, sizeof(long), cmp_long);
			sorted = malloc(n * sizeof *sorted);
			for (k = 0; k < n; k++)
				sorted[k] = g[s].scores[j][k] / 100.0;
			assert_int_equal(stats_scores_mean(&sc, &v), 1);
			check_near("mean", v, gsl_stats_mean(sorted, 1, n));
			if (n >= 2) {
				assert_int_equal(stats_scores_sd(&sc, &v), 1);
				w = gsl_stats_sd(sorted, 1, n);
				if (!near(v, w, 1e-9))
					fail_msg("sd %.17g want %.17g", v, w);
			}
			for (k = 0; k < sizeof ps / sizeof ps[0]; k++) {
				assert_int_equal(stats_scores_quantile(&sc, ps[k],
								       &v),
						 1);
				w = gsl_stats_quantile_from_sorted_data(sorted,
									1, n,
									ps[k]);
				if (!near(v, w, 1e-12))
					fail_msg("q%.3f %.17g want %.17g",
						 ps[k], v, w);
			}
			{
				long long pass = 0, low = 0;

				for (k = 0; k < n; k++) {
					pass += g[s].scores[j][k] >= 500;
					low += g[s].scores[j][k] <= 100;
				}
				assert_int_equal(
					stats_scores_count_at_least(&sc, 500),
					pass);
				assert_int_equal(
					stats_scores_count_at_most(&sc, 100),
					low);
			}
			free(sorted);
			stats_scores_release(&sc);
		}
	}
}

/* Random rows in memory, reduced, against the sorted reference; the
 * score texts go through num_parse_hundredths for the reference value, so
 * the fast shape parser is checked against the library's. */
static void test_property_random(void **state)
{
	enum { NSCHOOLS = 7, NROWS = 20000 };
	struct ref_group g[NSCHOOLS];
	sbuf in = { 0 };
	uint64_t x = 0x2545F4914F6CDD1DULL;
	long long scores = 0, blanks = 0, offgrid = 0;
	int i, j, s, round;
	exam_options opt;
	run r;

	(void)state;
	for (round = 0; round < 2; round++) {
		memset(g, 0, sizeof g);
		in.len = 0;
		sb_add(&in, HEADER);
		scores = blanks = offgrid = 0;
		for (i = 0; i < NROWS; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			s = (int)(x % NSCHOOLS);
			sb_add(&in, "2024-2025,tn_thpt,%d,S%d", i, s);
			for (j = 0; j < 3; j++) {
				const char *t;
				char buf[16];
				long h;
				num_result nr;

				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				if (round == 0) {
					t = score_texts[x % (sizeof score_texts /
							     sizeof score_texts[0])];
					/* "7,5": quoted, so csvin reads it */
					sb_add(&in, strchr(t, ',') ? ",\"%s\"" :
								     ",%s",
					       t);
				} else {
					/* every hundredth from 0 to 10 */
					h = (long)(x % 1001);
					snprintf(buf, sizeof buf, "%ld.%02ld",
						 h / 100, h % 100);
					t = buf;
					sb_add(&in, ",%s", t);
				}
				nr = num_parse_hundredths(t, NUM_STYLE_EN, &h);
				if (nr == NUM_EMPTY) {
					blanks++;
					continue;
				}
				assert_int_equal(nr, NUM_OK);
				scores++;
				offgrid += h % 5 != 0;
				g[s].scores[j] = realloc(g[s].scores[j],
							 (g[s].n[j] + 1) *
								 sizeof(long));
				g[s].scores[j][g[s].n[j]++] = h;
			}
			sb_add(&in, "\n");
		}
		exam_options_init(&opt);
		run_both_opts(&r, in.p, in.len, &opt);
		if (r.c.rows_accepted != NROWS)
			fail_msg("%.300s", r.messages);
		assert_int_equal(r.c.scores, scores);
		assert_int_equal(r.c.blanks, blanks);
		assert_int_equal(r.c.offgrid, offgrid);
		assert_int_equal(r.c.groups, NSCHOOLS);
		check_against_reference(r.hist, g, NSCHOOLS);
		run_release(&r);
		for (s = 0; s < NSCHOOLS; s++)
			for (j = 0; j < 3; j++)
				free(g[s].scores[j]);
	}
	free(in.p);
}

/* Mutated copies of a small file: whatever the bytes, both readers give
 * the same histogram, messages and rejects, and every row is either
 * accepted or rejected. */
static void test_property_readers_agree(void **state)
{
	static const char base[] =
		"year,exam,candidate_id,school_id,toan,ngu_van\n"
		"2024-2025,tn_thpt,1,S1,7.5,8\n"
		"2024/2025,tn_thpt,2,S2,\"6,5\",\n"
		"2024-2025,tn_thpt,3,S1,10,9.25\r\n"
		"\n"
		"2024-2025,tn_thpt,4,S3,0,\n"
		"2024-2025,tn_thpt,5,S1,5.33,7\n";
	static const char alphabet[] = { ',', ';', '"', '\n', '\r', ' ', '.',
					 'x', '7', '\xc3', '\xa1', '\xff',
					 '\0', '\t' };
	uint64_t x = 99;
	int round;

	(void)state;
	for (round = 0; round < 400; round++) {
		char buf[sizeof base + 8];
		size_t len = sizeof base - 1, k, nmut;
		exam_options opt;
		run r;

		memcpy(buf, base, len);
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		nmut = 1 + (x >> 60) % 4;
		for (k = 0; k < nmut; k++) {
			size_t at;

			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			/* keep the header intact: mutate after it */
			at = 46 + (size_t)((x >> 33) % (len - 46));
			buf[at] = alphabet[(x >> 20) % sizeof alphabet];
		}
		if (round % 5 == 0)
			len -= (size_t)((x >> 8) % 20); /* cut the end */
		exam_options_init(&opt);
		opt.school_known = school_known;
		run_both_opts(&r, buf, len, &opt);
		if (r.st == SS_OK)
			assert_int_equal(r.c.rows_read,
					 r.c.rows_accepted + r.c.rows_rejected);
		run_release(&r);
	}
}


/* Every cell of up to 4 characters over digits, marks and a letter, one
 * per row: the own scanner's table parse and csvin's path (which uses
 * num_parse_hundredths for anything unusual) must agree on each. */
static void test_short_cells_exhaustive(void **state)
{
	static const char alpha[] = "0159.,x ";
	sbuf in = { 0 };
	exam_options opt;
	char cell[8];
	long total, v, k, len, id = 0;
	run r;

	(void)state;
	sb_add(&in, "year,exam,candidate_id,school_id,toan\n");
	for (len = 0; len <= 4; len++) {
		for (total = 1, k = 0; k < len; k++)
			total *= (long)(sizeof alpha - 1);
		for (v = 0; v < total; v++) {
			long x = v;

			for (k = 0; k < len; k++) {
				cell[k] = alpha[x % (long)(sizeof alpha - 1)];
				x /= (long)(sizeof alpha - 1);
			}
			cell[len] = '\0';
			if (strchr(cell, ','))
				sb_add(&in, "2024-2025,tn_thpt,%ld,S1,\"%s\"\n",
				       id++, cell);
			else
				sb_add(&in, "2024-2025,tn_thpt,%ld,S1,%s\n",
				       id++, cell);
		}
	}
	exam_options_init(&opt);
	run_both_opts(&r, in.p, in.len, &opt);
	assert_int_equal(r.c.rows_read, id);
	run_release(&r);
	free(in.p);
}

/* ------------------------------------------------------------ two threads */

/* Reduces data[0..len) with opt and `threads` threads, splitting inputs
 * of any size. */
static void run_threads(run *r, const char *data, size_t len,
			exam_options *opt, int threads)
{
	opt->threads = threads;
	opt->min_split_bytes = 0;
	run_opts(r, data, len, opt);
}

static void assert_same_runs(const run *a, const run *b)
{
	assert_same(a, b);
	assert_int_equal(a->c.groups, b->c.groups);
	assert_int_equal(a->c.hist_rows, b->c.hist_rows);
	assert_int_equal(a->c.delimiter, b->c.delimiter);
	assert_int_equal(a->c.had_bom, b->c.had_bom);
	assert_int_equal(a->diag.nerrors, b->diag.nerrors);
	assert_int_equal(a->diag.nwarnings, b->diag.nwarnings);
}

/* Reduces data with one thread and with two, checks every output agrees
 * and that one thread never splits; returns whether two did. */
static int split_agrees(const char *data, size_t len, exam_options *opt)
{
	run one, two;
	int used;

	run_threads(&one, data, len, opt, 1);
	run_threads(&two, data, len, opt, 2);
	assert_int_equal(one.c.split_used, 0);
	assert_same_runs(&one, &two);
	used = two.c.split_used;
	run_release(&one);
	run_release(&two);
	return used;
}

/* n clean rows of one session, candidate ids from first_id, schools S1-S3
 * in turn. */
static void clean_rows(sbuf *b, int first_id, int n)
{
	static const char *const sc[] = { "7", "6.5", "8.25", "", "10", "0",
					  "4.75", "" };
	int i;

	for (i = 0; i < n; i++)
		sb_add(b, "2024-2025,tn_thpt,%08d,S%d,%s,%s,%s\n",
		       first_id + i, 1 + i % 3, sc[i % 8], sc[(i + 3) % 8],
		       sc[(i * 7) % 8]);
}

/* Offset of the second half as the library chooses it. */
static size_t split_offset(const char *data, size_t len)
{
	const char *nl = memchr(data + len / 2, '\n', len - len / 2);

	assert_non_null(nl);
	return (size_t)(nl - data) + 1;
}

/* The second half is taken for a clean table (from memory and from a
 * file), not below min_split_bytes, never with one thread. */
static void test_split_clean(void **state)
{
	sbuf in = { 0 };
	exam_options opt;
	run one, two;
	char path[] = "/tmp/test_exam_in_XXXXXX";
	char out[] = "/tmp/test_exam_XXXXXX";
	diag_sink diag;
	exam_counts c;
	ss_error e;
	char *got;
	FILE *fp;
	int fd;

	(void)state;
	sb_add(&in, HEADER);
	clean_rows(&in, 1000, 3000);
	exam_options_init(&opt);
	opt.school_known = school_known;
	assert_int_equal(opt.threads, 1);
	assert_int_equal(opt.min_split_bytes, EXAM_MIN_SPLIT_DEFAULT);
	assert_int_equal(split_agrees(in.p, in.len, &opt), 1);

	/* the default minimum keeps a small table in one pass */
	exam_options_init(&opt);
	opt.threads = 2;
	run_opts(&two, in.p, in.len, &opt);
	assert_int_equal(two.c.split_used, 0);
	assert_int_equal(two.c.rows_accepted, 3000);
	run_release(&two);

	/* from a file: the second half through a descriptor of its own */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(in.p, 1, in.len, fp), in.len);
	assert_int_equal(fclose(fp), 0);
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	exam_options_init(&opt);
	opt.school_known = school_known;
	run_threads(&one, in.p, in.len, &opt, 1);
	opt.threads = 2;
	opt.min_split_bytes = 0;
	diag_init(&diag, NULL, NULL);
	err_clear(&e);
	memset(&c, 0, sizeof c);
	assert_int_equal(exam_reduce_file(path, "exam_scores.csv", &opt, &diag,
					  out, &c, &e),
			 SS_OK);
	got = slurp(out);
	assert_non_null(got);
	assert_string_equal(got, one.hist);
	assert_int_equal(c.split_used, 1);
	assert_int_equal(c.rows_read, 3000);
	assert_int_equal(c.rows_accepted, 3000);
	assert_int_equal(c.groups, 3);
	assert_int_equal(c.scores, one.c.scores);
	assert_int_equal(c.blanks, one.c.blanks);
	assert_int_equal(diag.nmessages, 0);
	free(got);
	diag_release(&diag);
	run_release(&one);
	unlink(path);
	unlink(out);
	free(in.p);
}

/* Second halves that are taken: CRLF, blank lines, other spellings of
 * the session and schools, text ids, a new session and school, a first
 * half full of problems, ids already used in another session. */
static void test_split_taken(void **state)
{
	sbuf in = { 0 };
	exam_options opt;

	(void)state;
	exam_options_init(&opt);
	opt.school_known = school_known;

	/* problems in the first half only: its messages, as one pass */
	sb_add(&in, HEADER);
	clean_rows(&in, 1000, 200);
	sb_add(&in, "2024-2025,tn_thpt,00001000,S1,7,,\n"  /* duplicate */
		    "2024-2025,tn_thpt,x1,S9,7,,\n"        /* unknown */
		    "2024-2025,tn_thpt,x2,S1,6.01,,\n"     /* off-grid */
		    "2024-2025,tn_thpt,x3,S1,\"7\n5\",,\n" /* handed over */
		    "\n"
		    "2024-2025,tn_thpt,x4,S1,11\n");        /* too few */
	clean_rows(&in, 5000, 300);
	assert_int_equal(split_agrees(in.p, in.len, &opt), 1);

	/* CRLF and blank lines, spellings, a session and school that the
	 * first half does not have, text ids; ids of the first half again
	 * in another session */
	in.len = 0;
	sb_add(&in, "%s", HEADER);
	clean_rows(&in, 1000, 200);
	sb_add(&in, "2024-2025,vao_10,A-1,S3,7,,\n");
	clean_rows(&in, 5000, 150);
	sb_add(&in, "2024-2025,tn_thpt,%08d,S2,5,,\r\n\n \n", 9000);
	sb_add(&in, " 2024 - 2025 ,tn_thpt,%08d, S1 ,5,,\r\n", 9001);
	sb_add(&in, "2024/2025,tn_thpt,%08d,S1,5,,\n", 9002);
	sb_add(&in, "2024-2025,tn_thpt,HN-%d,S1,5,,\n", 9003);
	sb_add(&in, "2024-2025,tn_thpt,Đ%d,01000069,5,,\n", 9004);
	sb_add(&in, "2023-2024,tn_thpt,%08d,S1,5,,\n", 1000);
	sb_add(&in, "2024-2025,vao_10,%08d,S1,5,,\n", 1001);
	sb_add(&in, "2024-2025,vao_10,A-2,S1,5,,\n");
	sb_add(&in, "2023-2024,tn_thpt,A-1,S1,5,,\n");
	clean_rows(&in, 7000, 20);
	assert_true(split_offset(in.p, in.len) <
		    (size_t)(strstr(in.p, "00009000") - in.p));
	assert_int_equal(split_agrees(in.p, in.len, &opt), 1);

	/* no final newline */
	in.len--;
	in.p[in.len] = '\0';
	assert_int_equal(split_agrees(in.p, in.len, &opt), 1);
	free(in.p);
}

/* A table whose second half, starting at row `from` of `n` clean rows,
 * holds `bad` as its row `at`: the second half is dropped and the outputs
 * are those of one pass. */
static void check_dropped(int n, int at, const char *bad)
{
	sbuf in = { 0 };
	exam_options opt;
	size_t bad_at;

	sb_add(&in, HEADER);
	clean_rows(&in, 1000, at);
	bad_at = in.len;
	sb_add(&in, "%s", bad);
	clean_rows(&in, 1000 + at, n - at);
	assert_true(split_offset(in.p, in.len) <= bad_at);
	exam_options_init(&opt);
	opt.school_known = school_known;
	if (split_agrees(in.p, in.len, &opt))
		fail_msg("second half with '%s' taken", bad);
	free(in.p);
}

/* Anything in the second half that is not a clean row, an id of both
 * halves, a record over the split point: one pass. */
static void test_split_dropped(void **state)
{
	static const char *const bad[] = {
		"2024-2025,tn_thpt,x,S1,abc,,\n",          /* bad score */
		"2024-2025,tn_thpt,x,S1,6.01,,\n",         /* off-grid */
		"2024-2025,tn_thpt,x,S9,7,,\n",            /* unknown school */
		"2024-2025,tn_thpt,,S1,7,,\n",             /* missing id */
		"2024,tn_thpt,x,S1,7,,\n",                 /* bad year */
		"2024-2025,tn_thpt,x,S1,7,\n",             /* too few fields */
		"2024-2025,tn_thpt,x,S1,7,,,\n",           /* too many */
		"2024-2025,tn_thpt,x,S1,\"7\",,\n",        /* quote */
		"2024-2025,tn_thpt,x,S1,7\r,,\n",          /* CR */
		"2024-2025,tn_thpt,x,S1,7\xff,,\n",        /* bad UTF-8 */
		"2024-2025,tn_thpt,00001000,S1,7,,\n",     /* id of half 1 */
		"2024-2025,tn_thpt, 00001001 ,S2,7,,\n",   /* the same */
		"2024-2025,tn_thpt,00003500,S2,7,,\n",     /* id of half 2 */
	};
	size_t k;
	sbuf in = { 0 };
	exam_options opt;
	size_t at, after;
	int i;

	(void)state;
	for (k = 0; k < sizeof bad / sizeof bad[0]; k++)
		check_dropped(3000, 2000, bad[k]);
	/* text ids in both halves */
	sb_add(&in, HEADER);
	for (i = 0; i < 400; i++)
		sb_add(&in, "2024-2025,tn_thpt,HN-%d,S1,7,,\n", i);
	sb_add(&in, "2024-2025,tn_thpt,HN-%d,S2,7,,\n", 3);
	exam_options_init(&opt);
	opt.school_known = school_known;
	assert_int_equal(split_agrees(in.p, in.len, &opt), 0);
	in.len = 0;
	/* the same id in sessions the two halves number differently */
	sb_add(&in, HEADER "2023-2024,tn_thpt,%08d,S1,7,,\n", 1);
	clean_rows(&in, 1000, 300);
	sb_add(&in, "2023-2024,tn_thpt,%08d,S1,7,,\n", 1);
	assert_int_equal(split_agrees(in.p, in.len, &opt), 0);
	in.len = 0;
	/* a quoted field open over the split point */
	sb_add(&in, HEADER);
	clean_rows(&in, 1000, 300);
	at = split_offset(in.p, in.len);
	in.p[at - 3] = '"';       /* the last field of the row before */
	in.p[in.len - 3] = '"';   /* closed by the last row */
	assert_int_equal(split_agrees(in.p, in.len, &opt), 0);
	free(in.p);
	/* a line longer than the record limit in the second half; over
	 * the middle it ends where the second half starts, which is then
	 * taken */
	for (k = 0; k < 2; k++) {
		in.p = NULL;
		in.len = in.cap = 0;
		sb_add(&in, HEADER);
		clean_rows(&in, 1000, 300);
		at = in.len;
		sb_add(&in, "2024-2025,tn_thpt,x,S1,7,,");
		for (i = 0; i < 300; i++)
			sb_add(&in, "xxxxxxxxxx");
		sb_add(&in, "\n");
		after = in.len;
		clean_rows(&in, 5000, k == 0 ? 300 : 10);
		if (k == 0)
			assert_int_equal(split_offset(in.p, in.len), after);
		else
			assert_true(split_offset(in.p, in.len) < at);
		opt.max_record = 1000;
		assert_int_equal(split_agrees(in.p, in.len, &opt), k == 0);
		free(in.p);
	}
}

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static unsigned rand_below(uint64_t *x, unsigned n)
{
	return (unsigned)(next_rand(x) % n);
}

enum { PROBLEM_KINDS = 16 };

/* One random row: clean shapes, or problem kind `problem` (1 to
 * PROBLEM_KINDS). ids holds the ids used so far (16 bytes each); a
 * duplicate takes one of the first dup_from. */
static void random_row(sbuf *b, uint64_t *x, char delim, const char *eol,
		       int problem, char (*ids)[16], int i, int dup_from)
{
	static const char *const years[] = { "2024-2025", "2024-2025",
					     "2024-2025", "2024/2025",
					     " 2024 - 2025 ", "2023-2024" };
	static const char *const exams[] = { "tn_thpt", "tn_thpt", "tn_thpt",
					     "vao_10" };
	static const char *const schools[] = { "S1", "S2", "S3", "01000069",
					       " S2 ", "S1" };
	static const char *const scores[] = { "7", "6.5", "8.25", "", "",
					      "10", "0", "4.75", "9.9", "" };
	static const char *const bad_scores[] = { "x", "11", "7.333", "-1",
						  "1e1", "7,,5" };
	char f[7][64];
	int nf = 7, k;
	unsigned kind = rand_below(x, 8);

	snprintf(f[0], sizeof f[0], "%s", years[rand_below(x, 6)]);
	snprintf(f[1], sizeof f[1], "%s", exams[rand_below(x, 4)]);
	if (kind == 0)
		snprintf(ids[i], 16, "HN-%d", i);
	else if (kind == 1)
		snprintf(ids[i], 16, "Đ%d", i);
	else if (kind == 2)
		snprintf(ids[i], 16, "%d", i);
	else
		snprintf(ids[i], 16, "%08d", 1000000 + i);
	snprintf(f[2], sizeof f[2], "%s", ids[i]);
	snprintf(f[3], sizeof f[3], "%s", schools[rand_below(x, 6)]);
	for (k = 4; k < 7; k++)
		snprintf(f[k], sizeof f[k], "%s", scores[rand_below(x, 10)]);
	k = 4 + (int)rand_below(x, 3);
	switch (problem) {
	case 1:
		snprintf(f[k], sizeof f[k], "%s", bad_scores[rand_below(x, 6)]);
		break;
	case 2:
		f[rand_below(x, 4)][0] = '\0';
		break;
	case 3:
		nf = 6;
		break;
	case 4:
		snprintf(f[k], sizeof f[k], "7%c9", delim);
		break;
	case 5: /* an id used before, maybe in the other half */
		if (dup_from > 0)
			snprintf(f[2], sizeof f[2], "%s",
				 ids[rand_below(x, (unsigned)dup_from)]);
		break;
	case 6:
		snprintf(f[k], sizeof f[k], "\"%s\"", delim == ',' ? "7,5" : "8");
		break;
	case 7:
		snprintf(f[k], sizeof f[k], "\"7%s\"", eol);
		break;
	case 8:
		snprintf(f[k], sizeof f[k], "7\r5");
		break;
	case 9:
		sb_add(b, "%s", rand_below(x, 2) ? eol : " \t");
		sb_add(b, "%s", rand_below(x, 2) ? "" : eol);
		break;
	case 10:
		snprintf(f[k], sizeof f[k], "%s",
			 rand_below(x, 2) ? "6.01" : "3.33");
		break;
	case 11:
		snprintf(f[3], sizeof f[3], "%s", rand_below(x, 2) ? "S9" : "Sá");
		break;
	case 12:
		snprintf(f[k], sizeof f[k], "7\xff");
		break;
	case 13: /* over the record limit of the rounds that set one */
		memset(f[k], 'y', 60);
		f[k][60] = '\0';
		break;
	case 14:
		snprintf(f[0], sizeof f[0], "%s", rand_below(x, 2) ? "2024" : "20x4");
		break;
	case 15: /* an unclosed quote */
		snprintf(f[k], sizeof f[k], "\"7");
		break;
	case 16:
		snprintf(f[2], sizeof f[2], "a b");
		break;
	}
	for (k = 0; k < nf; k++)
		sb_add(b, "%s%s", k ? (char[2]){ delim, '\0' } : "", f[k]);
	sb_add(b, "%s", eol);
}

/* One school's 16-bit counters overflow in a half, or only once the
 * halves are added: the totals stay exact. */
static void test_split_counter_overflow(void **state)
{
	static const int sizes[] = { 100000, 140000 };
	sbuf in = { 0 }, want = { 0 };
	exam_options opt;
	run r;
	size_t k;
	int i;

	(void)state;
	for (k = 0; k < 2; k++) {
		long long n = sizes[k];

		in.len = want.len = 0;
		sb_add(&in, "year,exam,candidate_id,school_id,toan\n");
		for (i = 0; i < sizes[k]; i++)
			sb_add(&in, "2024-2025,tn_thpt,%d,S1,7\n", i);
		exam_options_init(&opt);
		assert_int_equal(split_agrees(in.p, in.len, &opt), 1);
		run_threads(&r, in.p, in.len, &opt, 2);
		sb_add(&want, "%s", HIST_HEADER);
		expect_row(&want, "2024-2025", "tn_thpt", "S1", "toan", n,
			   700 * n, 490000 * n, "", 140, (int)n, -1);
		assert_string_equal(r.hist, want.p);
		run_release(&r);
	}
	free(in.p);
	free(want.p);
}

/* Random tables, clean or with problems in either half or at the split
 * point, reduced with one thread and with two: the histogram, every
 * message and reject (in order, with line and column) and the counts are
 * the same. Clean second halves must be taken. */
static void test_property_split(void **state)
{
	enum { ROUNDS = 300, MAXROWS = 700, TYPES = 6 };
	static char ids[MAXROWS][16];
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	int round, taken[TYPES] = { 0 }, dropped[TYPES] = { 0 };
	sbuf in = { 0 };

	(void)state;
	for (round = 0; round < ROUNDS; round++) {
		/* 0 clean; 1 problems in the first 40 % of rows; 2 one
		 * problem past 60 %, nothing else (a duplicate then takes an
		 * id of the first 40 %); 3 problems anywhere; 4 clean but for
		 * a byte changed at the split point; 5 as 1 and 2 at once */
		int type = round % TYPES, nrows = 50 + (int)rand_below(&x, 650);
		int first = nrows * 2 / 5, second = nrows * 3 / 5;
		int lone = second + (int)rand_below(&x, (unsigned)(nrows - second));
		char delim = rand_below(&x, 6) ? ',' : ';';
		const char *eol = rand_below(&x, 4) ? "\n" : "\r\n";
		int rate = 2 + (int)rand_below(&x, 30), i, used;
		exam_options opt;

		in.len = 0;
		sb_add(&in, "%s", rand_below(&x, 6) ? "" : "\xEF\xBB\xBF");
		sb_add(&in, "year%cexam%ccandidate_id%cschool_id%ctoan%cngu_van%ctieng_anh%s",
		       delim, delim, delim, delim, delim, delim, eol);
		for (i = 0; i < nrows; i++) {
			int dirty = ((type == 1 || type == 5) && i < first) ||
				    type == 3;
			int problem = dirty && rand_below(&x, 100) < (unsigned)rate ?
					      1 + (int)rand_below(&x, PROBLEM_KINDS) :
					      0;

			/* duplicates most often: they are found only when
			 * both halves are done */
			if ((type == 2 || type == 5) && i == lone)
				problem = rand_below(&x, 3) == 0 ?
						  5 :
						  1 + (int)rand_below(&x, PROBLEM_KINDS);
			/* a lone duplicate: of the first half or of any row */
			random_row(&in, &x, delim, eol, problem, ids, i,
				   i == lone && (lone & 1) ? first : i);
		}
		if (type == 4) {
			size_t at = split_offset(in.p, in.len);
			static const char poke[] = { '"', '\r', '\n', '\xff', ' ',
						     '\0' };
			size_t where = at - 2 + rand_below(&x, 4);

			if (where < in.len)
				in.p[where] = poke[rand_below(&x, 6)];
		}
		if (rand_below(&x, 4) == 0)
			in.len -= strlen(eol); /* no final line end */
		exam_options_init(&opt);
		opt.school_known = school_known;
		if (rand_below(&x, 8) == 0)
			opt.max_record = 90;
		if (delim == ';' && rand_below(&x, 2))
			opt.style = NUM_STYLE_EN;
		used = split_agrees(in.p, in.len, &opt);
		if (type <= 1 && !used)
			fail_msg("round %d: clean second half not taken", round);
		taken[type] += used;
		dropped[type] += !used;
	}
	/* both outcomes, several times, where both can happen */
	for (round = 2; round < TYPES; round++)
		if ((round != 3 && taken[round] < 2) || dropped[round] < 5)
			fail_msg("type %d: %d taken, %d dropped", round,
				 taken[round], dropped[round]);
	free(in.p);
}

/* ------------------------------------------------------------ reading back */

struct parse_case {
	const char *n, *sum, *sumsq, *bins, *offgrid;
	ss_status st;
};

static void test_hist_parse(void **state)
{
	sbuf zeros = { 0 }, two = { 0 }, short_ = { 0 };
	stats_scores s;
	ss_error e;
	double m;
	int i;

	(void)state;
	for (i = 0; i < STATS_GRID_BINS; i++) {
		sb_add(&zeros, "%s0", i ? " " : "");
		/* 7.25 (bin 145) twice */
		sb_add(&two, "%s%d", i ? " " : "", i == 145 ? 2 : 0);
		if (i < STATS_GRID_BINS - 1)
			sb_add(&short_, "%s0", i ? " " : "");
	}
	{
		const struct parse_case cases[] = {
			{ "2", "1450", "1051250", two.p, "", SS_OK },
			/* plus 5.33 once: 1983, 1051250 + 284089 */
			{ "3", "1983", "1335339", two.p, "533:1", SS_OK },
			{ "0", "0", "0", zeros.p, "", SS_OK },
			{ "3", "1450", "1051250", two.p, "", SS_EDATA },
			{ "2", "1451", "1051250", two.p, "", SS_EDATA },
			{ "2", "1450", "1051251", two.p, "", SS_EDATA },
			{ "x", "1450", "1051250", two.p, "", SS_EDATA },
			{ "-2", "1450", "1051250", two.p, "", SS_EDATA },
			{ "0", "0", "0", short_.p, "", SS_EDATA },
			{ "0", "0", "0", "", "", SS_EDATA },
			{ "1", "500", "250000", zeros.p, "500:1", SS_EDATA },
			{ "2", "1066", "568178", zeros.p, "533:2", SS_OK },
			{ "2", "1066", "568178", zeros.p, "533:1 533:1",
			  SS_EDATA },
			{ "0", "0", "0", zeros.p, "533:0", SS_EDATA },
			{ "1", "1001", "1002001", zeros.p, "1001:1", SS_EDATA },
			{ "1", "533", "284089", zeros.p, "533:1 ", SS_EDATA },
			{ "1", "533", "284089", zeros.p, "533", SS_EDATA },
		};
		size_t k;

		for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
			stats_scores_init(&s);
			err_clear(&e);
			if (exam_hist_parse(cases[k].n, cases[k].sum,
					    cases[k].sumsq, cases[k].bins,
					    cases[k].offgrid, &s,
					    &e) != cases[k].st)
				fail_msg("parse case %zu: %s", k, e.msg);
			if (cases[k].st != SS_OK) {
				assert_int_equal(s.n, 0);
				assert_true(e.msg[0] != '\0');
			}
			stats_scores_release(&s);
		}
	}
	stats_scores_init(&s);
	assert_int_equal(exam_hist_parse("3", "1983", "1335339", two.p, "533:1",
					 &s, &e),
			 SS_OK);
	assert_int_equal(s.bins[145], 2);
	assert_int_equal(s.noffgrid, 1);
	assert_int_equal(stats_scores_mean(&s, &m), 1);
	check_near("mean", m, 19.83 / 3);
	stats_scores_release(&s);
	free(zeros.p);
	free(two.p);
	free(short_.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vi_export_file),
		cmocka_unit_test(test_row_cases),
		cmocka_unit_test(test_reject_raw),
		cmocka_unit_test(test_blanks_and_grid),
		cmocka_unit_test(test_empty_subjects),
		cmocka_unit_test(test_truncated_last_line),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_rejected_row_keeps_no_id),
		cmocka_unit_test(test_duplicates_many),
		cmocka_unit_test(test_header_cases),
		cmocka_unit_test(test_header_aliases),
		cmocka_unit_test(test_handover_lines),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_output_order),
		cmocka_unit_test(test_number_style),
		cmocka_unit_test(test_counter_overflow),
		cmocka_unit_test(test_property_random),
		cmocka_unit_test(test_property_readers_agree),
		cmocka_unit_test(test_short_cells_exhaustive),
		cmocka_unit_test(test_split_clean),
		cmocka_unit_test(test_split_taken),
		cmocka_unit_test(test_split_dropped),
		cmocka_unit_test(test_split_counter_overflow),
		cmocka_unit_test(test_property_split),
		cmocka_unit_test(test_hist_parse),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
