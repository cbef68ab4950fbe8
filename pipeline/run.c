/* schoolstat-run — runs the pipeline for cron and `make report`:
 * incremental, locked, published atomically, with a manifest (run.h). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "run.h"

#define PROG "schoolstat-run"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_IO = 3, EXIT_LOCKED = 4 };

static const char usage_line[] =
	"usage: " PROG " [--config FILE] [--input DIR] [--output DIR] [--unit NAME]\n"
	"                      [--year YEAR] [--number-style vi|en|auto] [--encoding NAME]\n"
	"                      [--norms FILE] [--strict] [--audit-margin-pct N]\n"
	"                      [--audit-margin-abs N] [--reference-date YYYY-MM-DD]\n"
	"                      [--bin-dir DIR] [--verbose]\n";

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("\n"
	      "Run the pipeline (ingest, indicators, norms, gaps, audit, accreditation,\n"
	      "charts, report) from the input tables into the output directory, for cron:\n"
	      "  - a stage reruns only when one of its inputs, options or its program\n"
	      "    changed since the last good run (SHA-256, from OUTPUT/manifest.json);\n"
	      "    the others' outputs are reused; a missing stage program is skipped;\n"
	      "  - charts and report, which read none of each other's files, run at\n"
	      "    the same time when both rerun;\n"
	      "  - OUTPUT.lock is held for the whole run: a second run on the same\n"
	      "    output stops at once with exit status 4;\n"
	      "  - stages write into OUTPUT.tmp.XXXXXX/ beside the output, which replaces\n"
	      "    OUTPUT in one rename only when every stage succeeded: a failed or\n"
	      "    killed run leaves the previous outputs as they were;\n"
	      "  - OUTPUT/manifest.json records the inputs, outputs and stages of the\n"
	      "    run; OUTPUT/run_info.csv its essentials for the report.\n"
	      "Prints one line per stage and a summary to stderr; what a stage prints\n"
	      "is shown only when it fails (all of it with --verbose). See docs/CRON.md.\n"
	      "\n"
	      "options (each overrides the same key of the config file):\n"
	      "  --config FILE         INI file with a [report] section: unit, year, input,\n"
	      "                        output, number_style, encoding, norms, strict,\n"
	      "                        audit_margin_pct, audit_margin_abs, reference_date;\n"
	      "                        its relative paths are relative to its directory\n"
	      "  --input DIR           the input tables\n"
	      "  --output DIR          the output directory (replaced as a whole)\n"
	      "  --unit NAME           unit name for the report (default: from schools.csv)\n"
	      "  --year YEAR           school year of the charts and report, e.g. 2024-2025\n"
	      "                        (default: the latest with data)\n"
	      "  --number-style S      vi, en or auto (default: detected per file)\n"
	      "  --encoding NAME       input encoding: utf-8 (default), cp1258, tcvn3\n"
	      "  --norms FILE          the norm table (default: data/norms.csv)\n"
	      "  --strict              a rejected input row fails the run (stage ingest)\n"
	      "  --audit-margin-pct N  transfers in allowed by the audit, % of promoted\n"
	      "                        pupils (default 5)\n"
	      "  --audit-margin-abs N  and at least N pupils (default 2)\n"
	      "  --reference-date D    the day the accreditation register is read at,\n"
	      "                        YYYY-MM-DD (default: 31 May of the latest year)\n"
	      "  --bin-dir DIR         where the schoolstat-<stage> programs are\n"
	      "                        (default: this program's directory)\n"
	      "  -v, --verbose         show what every stage prints\n"
	      "  -h, --help            show this help\n"
	      "\n"
	      "exit status:\n"
	      "  0   every stage succeeded and the outputs are published (or nothing\n"
	      "      changed and only manifest.json was renewed)\n"
	      "  2   bad command line or config file\n"
	      "  3   the driver could not read or write a file (lock file, work\n"
	      "      directory, disk full, publishing); previous outputs kept\n"
	      "  4   another run holds OUTPUT.lock; nothing done\n"
	      "  10  stage ingest failed      14  stage audit failed\n"
	      "  11  stage indicators failed  15  stage accreditation failed\n"
	      "  12  stage norms failed       16  stage charts failed\n"
	      "  13  stage gaps failed        17  stage report failed\n"
	      "      (previous outputs kept in every case)\n"
	      "  killed by SIGTERM, SIGINT or SIGHUP: the stage running is stopped,\n"
	      "  previous outputs kept, and the driver dies of the same signal (the\n"
	      "  shell shows 128 + its number, e.g. 143)\n"
	      "\n"
	      "example (crontab):\n"
	      "  30 2 * * * /srv/schoolstat/build/bin/schoolstat-run --config /srv/schoolstat/ward.ini >>/var/log/schoolstat.log 2>&1\n",
	      stdout);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_line);
	return EXIT_USAGE;
}

static void print_error(const ss_error *e)
{
	char buf[ERR_MSG_MAX + ERR_FILE_MAX + 64];

	if (e->line > 0)
		fprintf(stderr, "%s\n", err_format(e, "error", buf, sizeof buf));
	else if (e->file[0])
		fprintf(stderr, PROG ": %s: %s\n", e->file, e->msg);
	else
		fprintf(stderr, PROG ": %s\n", e->msg);
}

static void on_note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, PROG ": %s\n", msg);
}

/* What the failed stage printed, as it printed it. */
static void replay(const char *path)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

static void on_stage(void *ctx, const run_stage_event *ev)
{
	(void)ctx;
	if (ev->status == RUN_STAGE_FAILED && ev->log_path)
		replay(ev->log_path);
	if (ev->status == RUN_STAGE_ABSENT)
		fprintf(stderr, PROG ": %s: absent (%s)\n", ev->stage,
			ev->why ? ev->why : "no program");
	else if (ev->why && ev->status != RUN_STAGE_REUSED)
		fprintf(stderr, PROG ": %s: %s (%.2f s): %s\n", ev->stage,
			run_stage_status_name(ev->status), ev->seconds, ev->why);
	else
		fprintf(stderr, PROG ": %s: %s (%.2f s)\n", ev->stage,
			run_stage_status_name(ev->status), ev->seconds);
	fflush(stderr);
}

/* The directory of this program, for finding the stage programs. */
static char *own_dir(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	const char *src = buf;
	char *slash, *dir;

	if (n > 0) {
		buf[n] = '\0';
	} else if (strchr(argv0, '/')) {
		src = argv0;
	} else {
		return NULL;
	}
	if (!(dir = strdup(src)))
		return NULL;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

/* SCHOOLSTAT_TEST_STAGE_DELAY=stage:seconds — a test hook: the stage
 * program waits that long before it starts, so that tests can kill or
 * race a run in the middle. */
static int parse_delay(const char *v, run_config *c)
{
	const char *colon = strchr(v, ':');
	char *end;
	double s;

	if (!colon || colon == v)
		return 0;
	errno = 0;
	s = strtod(colon + 1, &end);
	if (errno || *end || end == colon + 1 || s < 0 || s > 3600)
		return 0;
	if (!(c->delay_stage = strndup(v, (size_t)(colon - v))))
		return 0;
	c->delay_seconds = s;
	return 1;
}

typedef struct cli_opt {
	const char *flag;  /* "--year" */
	const char *key;   /* config key, or NULL */
} cli_opt;

static const cli_opt value_opts[] = {
	{ "--input", "input" }, { "--output", "output" }, { "--unit", "unit" },
	{ "--year", "year" }, { "--number-style", "number_style" },
	{ "--encoding", "encoding" }, { "--norms", "norms" },
	{ "--audit-margin-pct", "audit_margin_pct" },
	{ "--audit-margin-abs", "audit_margin_abs" },
	{ "--reference-date", "reference_date" },
	{ "--config", NULL }, { "--bin-dir", NULL },
};

#define NVALUE (sizeof value_opts / sizeof value_opts[0])

/* What became of the outputs of a run that did not publish. */
static void kept(const run_result *res, const char *output, char *buf,
		 size_t size)
{
	if (res->had_output)
		snprintf(buf, size, "previous outputs in %s kept", output);
	else
		snprintf(buf, size, "nothing published to %s", output);
}

static int summary(const run_config *c, const run_result *res)
{
	char what[ERR_FILE_MAX + 64];

	kept(res, c->output, what, sizeof what);
	switch (res->outcome) {
	case RUN_OUT_OK:
		if (res->nrerun == 0)
			fprintf(stderr,
				PROG ": nothing changed: no stage rerun, %zu reused; outputs in %s unchanged, manifest.json renewed\n",
				res->nreused, c->output);
		else
			fprintf(stderr,
				PROG ": published %s: %zu stage%s rerun, %zu reused%s; %lld errors and %lld warnings in validation.csv, %lld rows in rejects.csv\n",
				c->output, res->nrerun, res->nrerun == 1 ? "" : "s",
				res->nreused, res->nabsent ? ", some absent" : "",
				res->nerrors < 0 ? 0 : res->nerrors,
				res->nwarnings < 0 ? 0 : res->nwarnings,
				res->nrejected < 0 ? 0 : res->nrejected);
		return EXIT_OK;
	case RUN_OUT_LOCKED:
		if (res->lock_holder > 0)
			fprintf(stderr,
				PROG ": another run (pid %ld) holds %s: nothing done\n",
				res->lock_holder, res->lock_path);
		else
			fprintf(stderr, PROG ": another run holds %s: nothing done\n",
				res->lock_path);
		return EXIT_LOCKED;
	case RUN_OUT_STAGE_FAILED:
		fprintf(stderr, PROG ": stage %s failed: %s (exit status %d)\n",
			res->failed->name, what, res->failed->exit_code);
		return res->failed->exit_code;
	case RUN_OUT_INTERRUPTED:
		fprintf(stderr, PROG ": stopped by %s: %s\n",
			res->signal == SIGTERM ? "SIGTERM" : res->signal == SIGINT ? "SIGINT"
			: res->signal == SIGHUP ? "SIGHUP" : "a signal", what);
		return 128 + res->signal;
	default:
		return EXIT_IO;
	}
}

int main(int argc, char **argv)
{
	run_config cfg;
	run_hooks hooks = { on_note, on_stage, NULL };
	run_result res;
	ss_error e;
	const char *config = NULL, *bin_dir = NULL;
	const char *vals[NVALUE] = { NULL };
	const char *env;
	int strict = 0, status;
	ss_status st;

	run_config_init(&cfg);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t k;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			run_config_release(&cfg);
			return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_IO;
		}
		if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			cfg.verbose = 1;
			continue;
		}
		if (strcmp(a, "--strict") == 0) {
			strict = 1;
			continue;
		}
		for (k = 0; k < NVALUE; k++) {
			size_t n = strlen(value_opts[k].flag);

			if (strncmp(a, value_opts[k].flag, n) != 0)
				continue;
			if (a[n] == '=') {
				vals[k] = a + n + 1;
				break;
			}
			if (a[n] == '\0') {
				if (++i == argc) {
					run_config_release(&cfg);
					return usage_error("%s needs a value", a);
				}
				vals[k] = argv[i];
				break;
			}
		}
		if (k < NVALUE)
			continue;
		run_config_release(&cfg);
		if (a[0] == '-')
			return usage_error("unknown option '%s'", a);
		return usage_error("unexpected argument '%s' (expected options only)", a);
	}
	for (size_t k = 0; k < NVALUE; k++) {
		if (strcmp(value_opts[k].flag, "--config") == 0)
			config = vals[k];
		else if (strcmp(value_opts[k].flag, "--bin-dir") == 0)
			bin_dir = vals[k];
	}

	err_clear(&e);
	if (config && (st = run_config_load(&cfg, config, &e)) != SS_OK) {
		print_error(&e);
		run_config_release(&cfg);
		return st == SS_EIO ? EXIT_IO : EXIT_USAGE;
	}
	for (size_t k = 0; k < NVALUE; k++) {
		if (!vals[k] || !value_opts[k].key)
			continue;
		if (run_config_set(&cfg, value_opts[k].key, vals[k], &e) != SS_OK) {
			fprintf(stderr, PROG ": %s: %s\n", value_opts[k].flag, e.msg);
			fputs(usage_line, stderr);
			run_config_release(&cfg);
			return EXIT_USAGE;
		}
	}
	if (strict)
		cfg.strict = 1;
	cfg.bin_dir = bin_dir ? strdup(bin_dir) : own_dir(argv[0]);
	if ((env = getenv("SOURCE_DATE_EPOCH")) && *env)
		cfg.source_date_epoch = strdup(env);
	if ((env = getenv("SCHOOLSTAT_TEST_STAGE_DELAY")) && *env &&
	    !parse_delay(env, &cfg)) {
		fprintf(stderr,
			PROG ": bad SCHOOLSTAT_TEST_STAGE_DELAY '%s' (expected STAGE:SECONDS)\n",
			env);
		run_config_release(&cfg);
		return EXIT_USAGE;
	}
	if (!cfg.bin_dir) {
		run_config_release(&cfg);
		return usage_error("%s", "cannot find the stage programs (expected --bin-dir DIR)");
	}
	if ((st = run_config_check(&cfg, &e)) != SS_OK) {
		fprintf(stderr, PROG ": %s\n%s", e.msg, usage_line);
		run_config_release(&cfg);
		return EXIT_USAGE;
	}

	st = run_execute(&cfg, &hooks, &res, &e);
	if (st != SS_OK) {
		print_error(&e);
		if (st != SS_EUSAGE) {
			char what[ERR_FILE_MAX + 64];

			kept(&res, cfg.output, what, sizeof what);
			fprintf(stderr, PROG ": run failed: %s\n", what);
		}
		status = st == SS_EUSAGE ? EXIT_USAGE : EXIT_IO;
	} else {
		status = summary(&cfg, &res);
	}
	run_config_release(&cfg);
	if (fflush(stderr) != 0 && status == EXIT_OK)
		status = EXIT_IO;
	if (st == SS_OK && res.outcome == RUN_OUT_INTERRUPTED) {
		/* die of the same signal, so that the caller sees it */
		signal(res.signal, SIG_DFL);
		raise(res.signal);
	}
	return status;
}
