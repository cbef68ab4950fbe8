/* schoolstat-audit — consistency checks on computed figures, appended to
 * OUTPUT_DIR/validation.csv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "audit.h"
#include "diag.h"
#include "ingest.h"

enum { EXIT_WRITTEN = 0, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char usage_line[] =
	"usage: schoolstat-audit [--margin-pct N] [--margin-abs N] [--quiet] OUTPUT_DIR\n";

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Check figures against each other once they are computed, and append the\n"
	      "findings to OUTPUT_DIR/validation.csv as warnings with the input file and\n"
	      "line concerned:\n"
	      "  - a level:<level> or all target that its schools' own targets cannot\n"
	      "    deliver (combined weighted by the indicator's denominator, or summed);\n"
	      "  - pupils in grade g+1 beyond those promoted from grade g the year before\n"
	      "    plus those held back in g+1, beyond a transfer margin.\n"
	      "\n"
	      "options:\n"
	      "  --margin-pct N   transfers in allowed, % of promoted pupils (default 5)\n"
	      "  --margin-abs N   and at least N pupils (default 2)\n"
	      "  --quiet          do not print the findings\n"
	      "  -h, --help       show this help\n"
	      "\n"
	      "exit status:\n"
	      "  0  checks done, findings (if any) appended\n"
	      "  2  bad command line\n"
	      "  3  an input could not be read or validation.csv written\n"
	      "\n"
	      "example:\n"
	      "  schoolstat-audit --margin-pct 3 output\n",
	      stdout);
}

static void print_message(void *ctx, const char *line)
{
	if (!*(const int *)ctx)
		fprintf(stderr, "%s\n", line);
}

static int parse_number(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return s[0] && !*end && !errno && *out >= 0 && *out < 1e6;
}

int main(int argc, char **argv)
{
	const char *outdir = NULL;
	char path[4096], msg[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	audit_options opt;
	int quiet = 0;
	diag_sink diag;
	ss_error e;
	ss_status st;
	double v;

	gsl_set_error_handler_off();
	audit_options_default(&opt);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			return fflush(stdout) == 0 ? EXIT_WRITTEN : EXIT_IO;
		} else if (strcmp(a, "--quiet") == 0) {
			quiet = 1;
		} else if (strcmp(a, "--margin-pct") == 0 ||
			   strcmp(a, "--margin-abs") == 0) {
			if (i + 1 == argc) {
				fprintf(stderr, "schoolstat-audit: %s needs a value\n%s",
					a, usage_line);
				return EXIT_USAGE;
			}
			if (!parse_number(argv[++i], &v) ||
			    (a[9] == 'a' && v != (double)(long)v)) {
				fprintf(stderr, "schoolstat-audit: bad value '%s' for %s (expected a number >= 0; a whole number for --margin-abs)\n%s",
					argv[i], a, usage_line);
				return EXIT_USAGE;
			}
			if (a[9] == 'p')
				opt.margin_pct = v;
			else
				opt.margin_abs = (long)v;
		} else if (a[0] == '-' || outdir) {
			fprintf(stderr, "schoolstat-audit: unexpected argument '%s'\n%s",
				a, usage_line);
			return EXIT_USAGE;
		} else {
			outdir = a;
		}
	}
	if (!outdir) {
		fprintf(stderr, "schoolstat-audit: expected OUTPUT_DIR\n%s", usage_line);
		return EXIT_USAGE;
	}
	err_clear(&e);
	diag_init(&diag, print_message, &quiet);
	st = ingest_map_sources(&diag, outdir);
	if (st == SS_OK)
		st = audit_run(outdir, &opt, &diag, &e);
	if (st == SS_OK) {
		snprintf(path, sizeof path, "%s/validation.csv", outdir);
		st = diag_append_validation(&diag, path, &e);
	}
	if (st != SS_OK)
		fprintf(stderr, "schoolstat-audit: %s\n",
			err_format(&e, "error", msg, sizeof msg));
	else
		fprintf(stderr, "schoolstat-audit: %zu findings\n", diag.nwarnings);
	diag_release(&diag);
	return st == SS_OK ? EXIT_WRITTEN : EXIT_IO;
}
