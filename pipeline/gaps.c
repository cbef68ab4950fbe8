/* schoolstat-gaps — targets against actuals: OUTPUT_DIR/gaps.csv. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "diag.h"
#include "ingest.h"
#include "gap.h"

enum { EXIT_WRITTEN = 0, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char usage_line[] = "usage: schoolstat-gaps [--quiet] OUTPUT_DIR\n";

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Compare every target of OUTPUT_DIR/clean/targets.csv with the actual in\n"
	      "OUTPUT_DIR/indicators.csv and write OUTPUT_DIR/gaps.csv: the same-year actual\n"
	      "(basis actual) or the latest earlier one (basis baseline), the gap, and the\n"
	      "status met / not_met / no_data, compared at full precision from numerator and\n"
	      "denominator. Targets with a deadline also get the least-squares trend of the\n"
	      "yearly actuals, its projection to the deadline, the change per year still\n"
	      "needed and whether the unit is on track. Warnings are appended to\n"
	      "OUTPUT_DIR/validation.csv.\n"
	      "\n"
	      "options:\n"
	      "  --quiet      do not print warnings\n"
	      "  -h, --help   show this help\n"
	      "\n"
	      "exit status:\n"
	      "  0  gaps.csv written\n"
	      "  2  bad command line\n"
	      "  3  an input could not be read or an output written\n"
	      "\n"
	      "example:\n"
	      "  schoolstat-gaps output\n",
	      stdout);
}

static void print_message(void *ctx, const char *line)
{
	if (!*(const int *)ctx)
		fprintf(stderr, "%s\n", line);
}

int main(int argc, char **argv)
{
	const char *outdir = NULL;
	char path[4096], msg[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	int quiet = 0;
	diag_sink diag;
	ss_error e;
	ss_status st;

	gsl_set_error_handler_off();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_help();
			return fflush(stdout) == 0 ? EXIT_WRITTEN : EXIT_IO;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			quiet = 1;
		} else if (argv[i][0] == '-' || outdir) {
			fprintf(stderr, "schoolstat-gaps: unexpected argument '%s'\n%s",
				argv[i], usage_line);
			return EXIT_USAGE;
		} else {
			outdir = argv[i];
		}
	}
	if (!outdir) {
		fprintf(stderr, "schoolstat-gaps: expected OUTPUT_DIR\n%s", usage_line);
		return EXIT_USAGE;
	}
	err_clear(&e);
	diag_init(&diag, print_message, &quiet);
	st = ingest_map_sources(&diag, outdir);
	if (st == SS_OK)
		st = gap_run(outdir, &diag, &e);
	if (st == SS_OK) {
		snprintf(path, sizeof path, "%s/validation.csv", outdir);
		st = diag_append_validation(&diag, path, &e);
	}
	if (st != SS_OK)
		fprintf(stderr, "schoolstat-gaps: %s\n",
			err_format(&e, "error", msg, sizeof msg));
	else
		fprintf(stderr, "schoolstat-gaps: gaps.csv written; %zu warnings\n",
			diag.nwarnings);
	diag_release(&diag);
	return st == SS_OK ? EXIT_WRITTEN : EXIT_IO;
}
