/* schoolstat-norms — compares schools, levels and the whole unit with the
 * legal norms and writes OUTPUT_DIR/norms.csv (see include/norm.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_errno.h>

#include "ctable.h"
#include "diag.h"
#include "ingest.h"
#include "err.h"
#include "norm.h"

#define PROG "schoolstat-norms"

enum { EXIT_WRITTEN = 0, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char usage_line[] =
	"usage: " PROG " [--norms FILE] [--count-managers] OUTPUT_DIR\n";

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Compares every school, level:<level> and the whole unit (all)\n"
	      "with the legal norms -- teachers per class, students per class\n"
	      "and the teacher posts of Thông tư 19/2023 and 20/2023 -- and\n"
	      "writes OUTPUT_DIR/norms.csv (year,scope,norm,value,limit,status,\n"
	      "shortfall). Reads OUTPUT_DIR/clean/schools.csv and, when they\n"
	      "exist, clean/enrollment.csv and clean/staffing.csv. Warnings go\n"
	      "to stderr and are appended to OUTPUT_DIR/validation.csv.\n"
	      "\n"
	      "options:\n"
	      "    --norms FILE       the norm table (default: data/norms.csv;\n"
	      "                       see data/norms.md)\n"
	      "    --count-managers   count managers (role manager) as teachers\n"
	      "                       in teacher_posts, whatever the table's\n"
	      "                       count_managers setting says\n"
	      "    -h, --help         show this help and exit\n"
	      "\n"
	      "exit status:\n"
	      "    0  norms.csv written\n"
	      "    2  bad command line\n"
	      "    3  an input cannot be read (missing, unreadable or\n"
	      "       malformed) or an output cannot be written\n"
	      "\n"
	      "example:\n"
	      "    " PROG " --norms data/norms.csv output\n",
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

static void emit_stderr(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

/* Data errors carry a position and print as "file:line:col: error: ...";
 * I/O errors as "schoolstat-norms: file: what: strerror". */
static int report(const ss_error *e)
{
	char buf[ERR_MSG_MAX + ERR_FILE_MAX + 64];

	if (e->line > 0)
		fprintf(stderr, "%s\n", err_format(e, "error", buf, sizeof buf));
	else if (e->file[0])
		fprintf(stderr, PROG ": %s: %s\n", e->file, e->msg);
	else
		fprintf(stderr, PROG ": %s\n", e->msg);
	return EXIT_IO;
}

int main(int argc, char **argv)
{
	const char *norms_path = "data/norms.csv", *outdir = NULL;
	norm_options opt = { -1 };
	diag_sink diag;
	ss_error e;
	char path[4096];
	int status = EXIT_IO;

	gsl_set_error_handler_off();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			return fflush(stdout) == 0 && !ferror(stdout)
				       ? EXIT_WRITTEN
				       : EXIT_IO;
		} else if (strcmp(a, "--count-managers") == 0) {
			opt.count_managers = 1;
		} else if (strcmp(a, "--norms") == 0) {
			if (++i == argc)
				return bad_usage("option '%s' needs a file",
						 a);
			norms_path = argv[i];
		} else if (strncmp(a, "--norms=", 8) == 0) {
			norms_path = a + 8;
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
	if (!*norms_path)
		return bad_usage("%s", "option '--norms' needs a file");
	if (!outdir || !*outdir)
		return bad_usage("%s", "missing OUTPUT_DIR");

	err_clear(&e);
	diag_init(&diag, emit_stderr, NULL);
	snprintf(path, sizeof path, "%s/validation.csv", outdir);
	if (ingest_map_sources(&diag, outdir) != SS_OK) {
		err_set(&e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		goto fail;
	}
	if (norm_run(outdir, norms_path, &opt, &diag, &e) != SS_OK)
		goto fail;
	if (diag.nmessages &&
	    diag_append_validation(&diag, path, &e) != SS_OK)
		goto fail;
	status = EXIT_WRITTEN;
	goto done;
fail:
	status = report(&e);
done:
	diag_release(&diag);
	return status;
}
