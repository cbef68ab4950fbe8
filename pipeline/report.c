/* schoolstat-report — draws OUTPUT_DIR/report.pdf, the Vietnamese report
 * to the provincial Department of Education, from the other stages'
 * outputs (see include/report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "chart.h"
#include "err.h"
#include "report.h"

#define PROG "schoolstat-report"

enum { EXIT_WRITTEN = 0, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char usage_line[] =
	"usage: " PROG " [--unit NAME] [--title TEXT] [--year YEAR] "
	"OUTPUT_DIR\n";

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Draws OUTPUT_DIR/report.pdf: the report in Vietnamese (A4) a\n"
	      "ward/commune education office sends to the provincial Department\n"
	      "of Education -- cover, targets against actuals, indicators per\n"
	      "level, norms, exam results, data quality and a per-school\n"
	      "appendix, with the charts drawn as vectors. Reads\n"
	      "OUTPUT_DIR/clean/schools.csv (required) and, when present,\n"
	      "indicators.csv, norms.csv, gaps.csv, validation.csv,\n"
	      "rejects.csv, exam_histograms.csv and clean/sources.csv, and\n"
	      "run_info.csv (written by schoolstat-run) for a last page on\n"
	      "the run: input files, their rows and SHA-256, counts.\n"
	      "The PDF dates come from SOURCE_DATE_EPOCH when it is set, else\n"
	      "from the newest school year in the data: the same inputs give\n"
	      "the same bytes.\n"
	      "\n"
	      "options:\n"
	      "    --unit NAME    the reporting unit (default: the commune all\n"
	      "                   schools share, else their district or\n"
	      "                   province)\n"
	      "    --title TEXT   the title (default: \"Báo cáo thống kê giáo\n"
	      "                   dục năm học YEAR\")\n"
	      "    --year YEAR    the school year to report, e.g. 2024-2025\n"
	      "                   (default: the latest in indicators.csv)\n"
	      "    -h, --help     show this help and exit\n"
	      "\n"
	      "exit status:\n"
	      "    0  report.pdf written\n"
	      "    2  bad command line (also a malformed --year, a year\n"
	      "       without indicators or a bad SOURCE_DATE_EPOCH)\n"
	      "    3  an input cannot be read (missing, unreadable or\n"
	      "       malformed) or report.pdf cannot be written; no\n"
	      "       half-written report is left behind\n"
	      "\n"
	      "example:\n"
	      "    SOURCE_DATE_EPOCH=1748736000 " PROG
	      " --unit \"Phường Hòa Bình\" output\n",
	      stdout);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(usage_line, stderr);
	return EXIT_USAGE;
}

/* Data errors carry a position and print as "file:line:col: error: ...";
 * others as "schoolstat-report: [file: ]what". */
static int report_error(const ss_error *e)
{
	char buf[ERR_MSG_MAX + ERR_FILE_MAX + 64];

	if (e->line > 0)
		fprintf(stderr, "%s\n", err_format(e, "error", buf, sizeof buf));
	else if (e->file[0])
		fprintf(stderr, PROG ": %s: %s\n", e->file, e->msg);
	else
		fprintf(stderr, PROG ": %s\n", e->msg);
	return e->status == SS_EUSAGE ? EXIT_USAGE : EXIT_IO;
}

/* "--opt VALUE" or "--opt=VALUE": returns the value and advances *i, or
 * NULL when argv[*i] is not this option. *missing is set when the value
 * is absent. */
static const char *option_value(int argc, char **argv, int *i,
				const char *name, int *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 == argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	const char *outdir = NULL, *epoch;
	report_options opt;
	report_summary sum;
	ss_status st;
	ss_error e;
	int i;

	gsl_set_error_handler_off();
	report_options_init(&opt);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		int missing = 0;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			return fflush(stdout) == 0 && !ferror(stdout)
				       ? EXIT_WRITTEN
				       : EXIT_IO;
		} else if ((v = option_value(argc, argv, &i, "--unit",
					     &missing))) {
			opt.unit = v;
		} else if ((v = option_value(argc, argv, &i, "--title",
					     &missing))) {
			opt.title = v;
		} else if ((v = option_value(argc, argv, &i, "--year",
					     &missing))) {
			opt.year = v;
		} else if (missing) {
			return bad_usage("option '%s' needs a value", a);
		} else if (strcmp(a, "--") == 0 && i + 1 < argc && !outdir) {
			outdir = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return bad_usage("unknown option '%s'", a);
		} else if (outdir) {
			return bad_usage("unexpected argument '%s'", a);
		} else {
			outdir = a;
		}
	}
	if (!outdir || !*outdir)
		return bad_usage("%s", "missing OUTPUT_DIR");
	if (opt.unit && !*opt.unit)
		return bad_usage("%s", "empty --unit");
	err_clear(&e);
	epoch = getenv("SOURCE_DATE_EPOCH");
	if (epoch && *epoch) {
		if (report_parse_epoch(epoch, &opt.epoch, &e) != SS_OK)
			return report_error(&e);
		opt.has_epoch = 1;
	}
	st = report_run(outdir, &opt, &sum, &e);
	chart_fonts_release();
	if (st != SS_OK)
		return report_error(&e);
	fprintf(stderr, PROG ": %s/report.pdf written: %d pages, school year %s\n",
		outdir, sum.pages, sum.year[0] ? sum.year : "(none)");
	return EXIT_WRITTEN;
}
