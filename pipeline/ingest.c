/* schoolstat-ingest — validate an input directory and write the clean
 * tables, validation.csv and rejects.csv. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "diag.h"
#include "ingest.h"

enum { EXIT_WRITTEN = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char usage_line[] =
	"usage: schoolstat-ingest [--number-style vi|en] [--encoding NAME] [--strict]\n"
	"                         [--quiet] INPUT_DIR OUTPUT_DIR\n";

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Read the contract tables in INPUT_DIR (schools.csv is required; enrollment,\n"
	      "promotion, exam_scores, exam_summary, staffing, targets, accreditation are\n"
	      "used when present), check every row and the references between tables, and\n"
	      "write OUTPUT_DIR/clean/<table>.csv, validation.csv and rejects.csv.\n"
	      "Messages go to stderr as file:line:column: error|warning: message, then a\n"
	      "summary per table (rows read, accepted, rejected).\n"
	      "\n"
	      "options:\n"
	      "  --number-style vi|en  read numbers in Vietnamese (1.062 / 5,8) or English\n"
	      "                        (1,062 / 5.8) style; default: detected per file\n"
	      "  --encoding NAME       input encoding: utf-8 (default), cp1258, tcvn3\n"
	      "  --strict              exit 1 when any row was rejected\n"
	      "  --quiet               print only errors and the summary, not warnings\n"
	      "  -h, --help            show this help\n"
	      "\n"
	      "exit status:\n"
	      "  0  outputs written (rejected rows, if any, are in rejects.csv)\n"
	      "  1  --strict and at least one row was rejected (outputs still written)\n"
	      "  2  bad command line\n"
	      "  3  cannot read the input (no schools.csv, unreadable directory) or\n"
	      "     cannot write an output (disk full, permissions)\n"
	      "\n"
	      "example:\n"
	      "  schoolstat-ingest --number-style vi exports/2024 output\n",
	      stdout);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "schoolstat-ingest: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_line);
	return EXIT_USAGE;
}

typedef struct printer {
	int quiet;
} printer;

static void print_message(void *ctx, const char *line)
{
	const printer *p = ctx;

	if (p->quiet && strstr(line, ": warning: "))
		return;
	fprintf(stderr, "%s\n", line);
}

static const char *delimiter_name(char d)
{
	return d == ';' ? "';'" : d == '\t' ? "tab" : "','";
}

static void print_summary(const ingest_summary *sum, const diag_sink *diag)
{
	long long read = 0, accepted = 0, rejected = 0;

	for (size_t i = 0; i < sum->ntables; i++) {
		const ingest_table_summary *t = &sum->tables[i];

		if (!t->present)
			continue;
		fprintf(stderr,
			"schoolstat-ingest: %-18s %7lld read %7lld accepted %6lld rejected  (%s, %s numbers%s)\n",
			t->file, t->read, t->accepted, t->rejected,
			delimiter_name(t->delimiter), num_style_name(t->style),
			t->had_bom ? ", BOM" : "");
		read += t->read;
		accepted += t->accepted;
		rejected += t->rejected;
	}
	fprintf(stderr,
		"schoolstat-ingest: total %lld rows read, %lld accepted, %lld rejected; %zu errors, %zu warnings\n",
		read, accepted, rejected, diag->nerrors, diag->nwarnings);
}

int main(int argc, char **argv)
{
	ingest_options opt = { NULL, NULL, NUM_STYLE_AUTO, NULL };
	ingest_summary sum;
	printer pr = { 0 };
	diag_sink diag;
	ss_error e;
	char msg[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	int strict = 0, npos = 0;
	const char *pos[2] = { NULL, NULL };
	ss_status st;

	gsl_set_error_handler_off();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			return fflush(stdout) == 0 ? 0 : EXIT_IO;
		} else if (strcmp(a, "--strict") == 0) {
			strict = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			pr.quiet = 1;
		} else if (strcmp(a, "--number-style") == 0) {
			if (++i == argc)
				return usage_error("%s needs a value (vi or en)", a);
			opt.style = num_style_from_name(argv[i]);
			if (opt.style == NUM_STYLE_AUTO)
				return usage_error("unknown number style '%s' (expected vi or en)",
						   argv[i]);
		} else if (strcmp(a, "--encoding") == 0) {
			if (++i == argc)
				return usage_error("%s needs a value (utf-8, cp1258 or tcvn3)", a);
			opt.encoding = argv[i];
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option '%s'", a);
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			return usage_error("unexpected argument '%s'", a);
		}
	}
	if (npos != 2)
		return usage_error("%s", "expected INPUT_DIR and OUTPUT_DIR");
	opt.input_dir = pos[0];
	opt.output_dir = pos[1];

	err_clear(&e);
	diag_init(&diag, print_message, &pr);
	st = ingest_run(&opt, &diag, &sum, &e);
	if (st != SS_OK) {
		fprintf(stderr, "schoolstat-ingest: %s\n",
			err_format(&e, "error", msg, sizeof msg));
		diag_release(&diag);
		return st == SS_EUSAGE ? EXIT_USAGE : EXIT_IO;
	}
	print_summary(&sum, &diag);
	st = diag.nrejects > 0 && strict ? SS_EDATA : SS_OK;
	diag_release(&diag);
	return st == SS_OK ? EXIT_WRITTEN : EXIT_REJECTED;
}
