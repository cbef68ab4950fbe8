/* schoolstat-indicators — the indicator catalogue from the clean tables.
 * Parses the command line, runs ind_run, prints warnings and errors, and
 * appends the warnings to validation.csv. */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "accr.h"
#include "diag.h"
#include "err.h"
#include "ind.h"
#include "ingest.h"

#define PROG "schoolstat-indicators"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char usage_line[] = "usage: " PROG " [--help] OUTPUT_DIR\n";

static void print_help(FILE *fp)
{
	fputs(usage_line, fp);
	fputs("\n"
	      "Computes the indicator catalogue from OUTPUT_DIR/clean/ (written by\n"
	      "schoolstat-ingest) for every school, level:<level> and all, and for\n"
	      "exams also commune:, district: and province:, for every year with\n"
	      "data. Writes OUTPUT_DIR/indicators.csv and OUTPUT_DIR/exam_histograms.csv;\n"
	      "warnings (zero denominators, ...) are printed to stderr and appended\n"
	      "to OUTPUT_DIR/validation.csv.\n"
	      "\n"
	      "options:\n"
	      "    -h, --help    show this help and exit\n"
	      "\n"
	      "exit status:\n"
	      "    0  indicators written (warnings may have been reported)\n"
	      "    2  bad command line\n"
	      "    3  a file could not be read or written, a clean table is\n"
	      "       malformed, or memory ran out\n"
	      "\n"
	      "example:\n"
	      "    " PROG " output\n",
	      fp);
}

static void emit_stderr(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

static int report_error(const ss_error *e)
{
	char buf[ERR_MSG_MAX + ERR_FILE_MAX + 64];

	if (e->status == SS_EIO || e->status == SS_ENOMEM || !e->file[0]) {
		/* "<prog>: <what>: <strerror>" for files without a line. */
		if (e->file[0] && e->line == 0)
			fprintf(stderr, "%s: %s: %s\n", PROG, e->file, e->msg);
		else if (e->file[0])
			fprintf(stderr, "%s: %s\n", PROG,
				err_format(e, "error", buf, sizeof buf));
		else
			fprintf(stderr, "%s: %s\n", PROG, e->msg);
	} else {
		fprintf(stderr, "%s\n", err_format(e, "error", buf, sizeof buf));
	}
	return EXIT_IO;
}

int main(int argc, char **argv)
{
	static const ind_producer extra[] = { accr_produce_indicators };
	const char *outdir = NULL;
	char vpath[4096];
	ind_options opt;
	diag_sink diag;
	ss_error e;
	ss_status st;
	int i, only_args = 0, rc = EXIT_OK;

	gsl_set_error_handler_off();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_args && strcmp(a, "--") == 0) {
			only_args = 1;
		} else if (!only_args &&
			   (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			print_help(stdout);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "%s: cannot write the help: %s\n",
					PROG, strerror(errno));
				return EXIT_IO;
			}
			return EXIT_OK;
		} else if (!only_args && a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "%s: unknown option '%s'\n", PROG, a);
			fputs(usage_line, stderr);
			return EXIT_USAGE;
		} else if (!outdir) {
			outdir = a;
		} else {
			fprintf(stderr, "%s: unexpected argument '%s'\n", PROG,
				a);
			fputs(usage_line, stderr);
			return EXIT_USAGE;
		}
	}
	if (!outdir || !*outdir) {
		fprintf(stderr, "%s: missing OUTPUT_DIR\n", PROG);
		fputs(usage_line, stderr);
		return EXIT_USAGE;
	}
	if ((size_t)snprintf(vpath, sizeof vpath, "%s/validation.csv",
			     outdir) >= sizeof vpath) {
		fprintf(stderr, "%s: output directory name too long\n", PROG);
		return EXIT_USAGE;
	}

	err_clear(&e);
	ind_options_default(&opt);
	diag_init(&diag, emit_stderr, NULL);
	st = ingest_map_sources(&diag, outdir);
	/* the accreditation register adds its shares and counts */
	if (st == SS_OK)
		st = ind_run(outdir, &opt, extra, sizeof extra / sizeof extra[0],
			     &diag, &e);
	if (st != SS_OK)
		rc = report_error(&e);
	/* Warnings found before a failure still belong in validation.csv. */
	if (diag.nmessages > 0) {
		ss_error e2;
		err_clear(&e2);
		if (diag_append_validation(&diag, vpath, &e2) != SS_OK)
			rc = report_error(&e2);
	}
	diag_release(&diag);
	return rc;
}
