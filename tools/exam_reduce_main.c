/* exam_reduce — BENCHMARK DRIVER, not a pipeline stage: runs the exam
 * reduction alone (exam_reduce_file) on one file, so tools/bench.sh can
 * time it apart from the rest of ingest. The pipeline runs the same code
 * from schoolstat-ingest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctable.h"
#include "diag.h"
#include "exam.h"
#include "strmap.h"

static void usage(FILE *fp)
{
	fputs("usage: exam_reduce [--reader auto|csvin] [--schools schools.csv]\n"
	      "                   [--threads N] [--quiet]\n"
	      "                   exam_scores.csv exam_hist.csv\n"
	      "\n"
	      "Benchmark driver: reduces one exam_scores.csv to exam_hist.csv\n"
	      "and prints the counts (split_used=1 when the second half was\n"
	      "read on a thread of its own and taken). Messages go to stderr\n"
	      "(--quiet: only their number). --threads N: threads the own\n"
	      "scanner may use, 1 (default: one pass) or 2 (as schoolstat-ingest\n"
	      "on a machine with two cores or more).\n"
	      "\n"
	      "exit status: 0 done, 1 the file could not be reduced, 2 bad\n"
	      "command line\n"
	      "example: exam_reduce big.csv /tmp/exam_hist.csv\n",
	      fp);
}

static void emit(void *ctx, const char *line)
{
	if (!*(const int *)ctx)
		fprintf(stderr, "%s\n", line);
}

static int known(void *ctx, const char *id)
{
	return strmap_get(ctx, id, NULL);
}

int main(int argc, char **argv)
{
	exam_options opt;
	exam_counts c;
	diag_sink diag;
	ss_error e;
	ss_status st;
	strmap schools;
	ctable t;
	const char *in = NULL, *out = NULL, *schools_path = NULL;
	char buf[1024];
	int quiet = 0, i;

	exam_options_init(&opt);
	memset(&c, 0, sizeof c);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			quiet = 1;
		} else if (strcmp(argv[i], "--reader") == 0 && i + 1 < argc) {
			const char *v = argv[++i];

			if (strcmp(v, "csvin") == 0)
				opt.reader = EXAM_READER_CSVIN;
			else if (strcmp(v, "auto") == 0)
				opt.reader = EXAM_READER_AUTO;
			else {
				usage(stderr);
				return 2;
			}
		} else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*end || end == argv[i] || n < 1 || n > 64) {
				usage(stderr);
				return 2;
			}
			opt.threads = (int)n;
		} else if (strcmp(argv[i], "--schools") == 0 && i + 1 < argc) {
			schools_path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage(stderr);
			return 2;
		} else if (!in) {
			in = argv[i];
		} else if (!out) {
			out = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!in || !out) {
		usage(stderr);
		return 2;
	}
	err_clear(&e);
	strmap_init(&schools);
	ctable_init(&t);
	if (schools_path) {
		int col;
		size_t r;

		if (ctable_load(&t, schools_path, &e) != SS_OK) {
			fprintf(stderr, "%s\n", err_format(&e, "error", buf,
							     sizeof buf));
			return 1;
		}
		col = ctable_col(&t, "school_id");
		for (r = 0; r < t.nrows; r++)
			if (strmap_put(&schools, ctable_get(&t, r, col), 1,
				       NULL) < 0) {
				fprintf(stderr, "exam_reduce: out of memory\n");
				return 1;
			}
		opt.school_known = known;
		opt.school_ctx = &schools;
	}
	diag_init(&diag, emit, &quiet);
	st = exam_reduce_file(in, NULL, &opt, &diag, out, &c, &e);
	if (st != SS_OK && st != SS_EDATA)
		fprintf(stderr, "exam_reduce: %s\n",
			err_format(&e, "error", buf, sizeof buf));
	printf("rows_read=%lld accepted=%lld rejected=%lld scores=%lld "
	       "blanks=%lld offgrid=%lld groups=%lld hist_rows=%lld "
	       "errors=%zu warnings=%zu split_used=%d\n",
	       c.rows_read, c.rows_accepted, c.rows_rejected, c.scores,
	       c.blanks, c.offgrid, c.groups, c.hist_rows, diag.nerrors,
	       diag.nwarnings, c.split_used);
	diag_release(&diag);
	ctable_release(&t);
	strmap_release(&schools);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return st == SS_OK ? 0 : 1;
}
