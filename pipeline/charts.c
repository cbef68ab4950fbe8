/* schoolstat-charts — draw the report's charts from the pipeline's
 * outputs as PNG and SVG files. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "chart.h"
#include "ind.h"

enum { EXIT_WRITTEN = 0, EXIT_USAGE = 2, EXIT_FAILED = 3 };

static const char usage_line[] =
	"usage: schoolstat-charts [--year YEAR] OUTPUT_DIR\n";

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Draw the charts of the report from the outputs in OUTPUT_DIR (gaps.csv,\n"
	      "norms.csv, indicators.csv, exam_histograms.csv, clean/schools.csv) into\n"
	      "OUTPUT_DIR/charts/, each as a PNG (1600x1000 pixels) and an SVG (800x500 pt):\n"
	      "  gaps_N            targets against actuals, at most 10 targets a page\n"
	      "  trend_SCOPE_IND   an indicator over the years with its target and, for a\n"
	      "                    target with a deadline, the projected trend\n"
	      "  norms_N           teachers and students per class by school against the\n"
	      "                    legal norms, at most 16 schools a page\n"
	      "  exam_SUBJECT      score distribution of a subject (whole unit, 0.25 bins)\n"
	      "  funnel_RATE       promotion and repetition rates of the schools against\n"
	      "                    the unit's, with 95% and 99.8% control limits\n"
	      "Labels are in Vietnamese and numbers in Vietnamese style (1.062; 99,9%).\n"
	      "A missing input or a year without data skips its charts with a note on\n"
	      "stderr. The same inputs always give byte-identical files.\n"
	      "\n"
	      "options:\n"
	      "  --year YEAR   school year to draw, e.g. 2024-2025; default: the latest\n"
	      "                year in indicators.csv (else the latest of each input)\n"
	      "  -h, --help    show this help\n"
	      "\n"
	      "exit status:\n"
	      "  0  charts written (some may be skipped, with a note, for missing inputs)\n"
	      "  2  bad command line\n"
	      "  3  an input cannot be read or is malformed, or a chart cannot be\n"
	      "     written (disk full, permissions)\n"
	      "\n"
	      "example:\n"
	      "  schoolstat-charts --year 2024-2025 output\n",
	      stdout);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "schoolstat-charts: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_line);
	return EXIT_USAGE;
}

static void print_note(void *ctx, const char *message)
{
	(void)ctx;
	fprintf(stderr, "schoolstat-charts: %s\n", message);
}

int main(int argc, char **argv)
{
	chart_run_options opt;
	const char *outdir = NULL;
	char msg[ERR_MSG_MAX + ERR_FILE_MAX + 64];
	size_t written = 0;
	ss_error e;
	ss_status st;
	int start, options_done = 0;

	gsl_set_error_handler_off();
	memset(&opt, 0, sizeof opt);
	opt.note = print_note;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options_done || a[0] != '-' || !a[1]) {
			if (outdir)
				return usage_error("unexpected argument '%s'", a);
			outdir = a;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			return fflush(stdout) == 0 && !ferror(stdout)
				       ? EXIT_WRITTEN
				       : EXIT_FAILED;
		} else if (strcmp(a, "--year") == 0) {
			if (++i == argc)
				return usage_error("%s needs a value (a school year such as 2024-2025)",
						   a);
			opt.year = argv[i];
		} else if (strncmp(a, "--year=", 7) == 0) {
			opt.year = a + 7;
		} else if (strcmp(a, "--") == 0) {
			options_done = 1;
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (!outdir)
		return usage_error("%s", "expected OUTPUT_DIR");
	if (opt.year && !ind_year_parse(opt.year, &start))
		return usage_error("malformed year '%s' (expected a school year such as 2024-2025)",
				   opt.year);

	err_clear(&e);
	st = chart_run(outdir, &opt, &written, &e);
	chart_fonts_release();
	if (st != SS_OK) {
		fprintf(stderr, "schoolstat-charts: %s\n",
			err_format(&e, "error", msg, sizeof msg));
		return EXIT_FAILED;
	}
	if (fflush(stderr) != 0)
		return EXIT_FAILED;
	return EXIT_WRITTEN;
}
