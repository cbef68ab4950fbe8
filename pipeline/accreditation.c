/* schoolstat-accreditation — the accreditation register at a reference
 * date: OUTPUT_DIR/accreditation_schedule.csv, accreditation_trajectory.csv
 * and charts/accreditation_*.{png,svg}. Parses the command line, runs
 * accr_run, prints messages and appends warnings to validation.csv. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "accr.h"
#include "diag.h"
#include "ingest.h"

#define PROG "schoolstat-accreditation"

enum { EXIT_WRITTEN = 0, EXIT_USAGE = 2, EXIT_FAILED = 3 };

static const char usage_line[] =
	"usage: " PROG " [--reference-date YYYY-MM-DD] OUTPUT_DIR\n";

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Read the accreditation register OUTPUT_DIR/clean/accreditation.csv with\n"
	      "clean/schools.csv and clean/targets.csv (written by schoolstat-ingest) and\n"
	      "write, for the reference date:\n"
	      "  accreditation_schedule.csv    per school: status, levels in force, last\n"
	      "                                recognition, expiry, registration deadline\n"
	      "                                (5 months before expiry), next action\n"
	      "                                (first_recognition, renewal, none) and the\n"
	      "                                planned evaluation (next_due)\n"
	      "  accreditation_trajectory.csv  per standard_school_share target with a\n"
	      "                                deadline, per school year: schools needed,\n"
	      "                                recognitions still valid without renewal,\n"
	      "                                recognitions to make to stay on the path\n"
	      "  charts/accreditation_levels.{png,svg}, charts/accreditation_timeline_N\n"
	      "                                schools by type and level; the timeline of\n"
	      "                                expiries and planned evaluations\n"
	      "A recognition is valid 5 years (29 February rolls to 28 February);\n"
	      "rules follow the recognition date. Warnings are printed to stderr and\n"
	      "appended to OUTPUT_DIR/validation.csv. The accreditation indicators of\n"
	      "indicators.csv come from schoolstat-indicators.\n"
	      "\n"
	      "options:\n"
	      "  --reference-date YYYY-MM-DD  the day the register is read at; default:\n"
	      "                               31 May ending the latest school year in the\n"
	      "                               clean tables (else the school year of the\n"
	      "                               latest recognition)\n"
	      "  -h, --help                   show this help\n"
	      "\n"
	      "exit status:\n"
	      "  0  outputs written (warnings may have been reported)\n"
	      "  2  bad command line, or no reference date given and none in the data\n"
	      "  3  an input cannot be read or is malformed, an output cannot be\n"
	      "     written, or memory ran out\n"
	      "\n"
	      "example:\n"
	      "  " PROG " --reference-date 2025-05-31 output\n",
	      stdout);
}

/* "<prog>: <what> '<arg>'<tail>" and the usage line; exit status 2. */
static int usage_error(const char *what, const char *arg, const char *tail)
{
	fprintf(stderr, "%s: %s '%s'%s\n%s", PROG, what, arg, tail, usage_line);
	return EXIT_USAGE;
}

static void emit_stderr(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

static void print_error(const ss_error *e)
{
	char buf[ERR_MSG_MAX + ERR_FILE_MAX + 64];

	if (e->file[0] && e->line == 0)
		fprintf(stderr, "%s: %s: %s\n", PROG, e->file, e->msg);
	else if (e->file[0])
		fprintf(stderr, "%s\n", err_format(e, "error", buf, sizeof buf));
	else
		fprintf(stderr, "%s: %s\n", PROG, e->msg);
}

int main(int argc, char **argv)
{
	const char *outdir = NULL;
	char vpath[4096], day[16];
	accr_run_options opt;
	accr_run_summary sum;
	diag_sink diag;
	ss_error e;
	ss_status st;
	int i, rc = EXIT_WRITTEN;

	gsl_set_error_handler_off();
	accr_run_options_default(&opt);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "%s: cannot write the help: %s\n",
					PROG, strerror(errno));
				return EXIT_FAILED;
			}
			return EXIT_WRITTEN;
		} else if (strcmp(a, "--reference-date") == 0) {
			if (i + 1 >= argc)
				return usage_error("missing value for",
						   "--reference-date", "");
			if (!accr_day_parse(argv[++i], &opt.reference))
				return usage_error("bad --reference-date",
						   argv[i],
						   " (expected an ISO date "
						   "YYYY-MM-DD)");
			opt.has_reference = 1;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option", a, "");
		} else if (outdir) {
			return usage_error("unexpected argument", a, "");
		} else {
			outdir = a;
		}
	}
	if (!outdir || !*outdir) {
		fprintf(stderr, "%s: missing OUTPUT_DIR\n%s", PROG, usage_line);
		return EXIT_USAGE;
	}
	if ((size_t)snprintf(vpath, sizeof vpath, "%s/validation.csv",
			     outdir) >= sizeof vpath) {
		fprintf(stderr, "%s: output directory name too long\n", PROG);
		return EXIT_USAGE;
	}
	err_clear(&e);
	diag_init(&diag, emit_stderr, NULL);
	if (ingest_map_sources(&diag, outdir) != SS_OK) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		diag_release(&diag);
		return EXIT_FAILED;
	}
	st = accr_run(outdir, &opt, &diag, &sum, &e);
	if (st != SS_OK) {
		print_error(&e);
		rc = st == SS_EUSAGE ? EXIT_USAGE : EXIT_FAILED;
	}
	/* warnings found before a failure still belong in validation.csv */
	if (diag.nmessages > 0) {
		ss_error e2;

		err_clear(&e2);
		if (diag_append_validation(&diag, vpath, &e2) != SS_OK) {
			print_error(&e2);
			rc = EXIT_FAILED;
		}
	}
	if (rc == EXIT_WRITTEN && sum.no_register)
		fprintf(stderr, "%s: no accreditation.csv in the input: nothing "
				"to do\n", PROG);
	else if (rc == EXIT_WRITTEN)
		fprintf(stderr,
			"%s: reference date %s%s; %zu schools, %zu recognitions; "
			"trajectories %zu, charts %zu, warnings %zu\n",
			PROG, accr_day_format(sum.reference, day, sizeof day),
			sum.reference_from_data ? " (end of the latest school year)"
						: "",
			sum.schools, sum.recognitions, sum.trajectories,
			sum.charts, diag.nwarnings);
	diag_release(&diag);
	return rc;
}
