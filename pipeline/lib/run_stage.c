/* The pipeline's stages, what each reads, and the decision to rerun one.
 *
 * The reads lists say which files of the output tree each stage program
 * opens (see its --help and the README's stage table). They are what makes
 * the runs incremental, so a stage that starts reading another file must
 * have it added here, or its output would be reused when that file
 * changes. The report stage, still growing, is keyed on every file written
 * before the charts stage: it draws its own figures and reads nothing
 * under charts/, which lets the two run at the same time. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reads_ingest[] = { NULL };
static const char *const reads_indicators[] = {
	"clean/schools.csv", "clean/enrollment.csv", "clean/promotion.csv",
	"clean/staffing.csv", "clean/exam_summary.csv", "clean/exam_hist.csv",
	"clean/accreditation.csv", NULL
};
static const char *const reads_norms[] = {
	"clean/schools.csv", "clean/enrollment.csv", "clean/staffing.csv",
	"clean/sources.csv", NULL
};
static const char *const reads_gaps[] = {
	"clean/targets.csv", "clean/sources.csv", "indicators.csv", NULL
};
static const char *const reads_audit[] = {
	"clean/schools.csv", "clean/targets.csv", "clean/enrollment.csv",
	"clean/promotion.csv", "clean/sources.csv", "indicators.csv", NULL
};
static const char *const reads_accreditation[] = {
	"clean/schools.csv", "clean/accreditation.csv", "clean/targets.csv",
	"clean/enrollment.csv", "clean/promotion.csv", "clean/staffing.csv",
	"clean/exam_summary.csv", "clean/sources.csv", NULL
};
static const char *const reads_charts[] = {
	"clean/schools.csv", "gaps.csv", "norms.csv", "indicators.csv",
	"exam_histograms.csv", NULL
};
static const char *const reads_report[] = { NULL };
static const char *const writes_charts[] = { "charts/", NULL };
static const char *const writes_report[] = { "report.pdf", NULL };

/* exit_code is part of the documented interface: a stage added later
 * takes the next free number, wherever it runs. */
static const run_stage_def stage_table[] = {
	{ "ingest", 10, RUN_READS_INPUT, reads_ingest, NULL },
	{ "indicators", 11, 0, reads_indicators, NULL },
	{ "norms", 12, RUN_READS_NORMS, reads_norms, NULL },
	{ "gaps", 13, 0, reads_gaps, NULL },
	{ "audit", 14, RUN_TAKES_MARGINS, reads_audit, NULL },
	{ "accreditation", 15, RUN_TAKES_REF_DATE, reads_accreditation, NULL },
	{ "charts", 16, RUN_TAKES_YEAR, reads_charts, writes_charts },
	{ "report", 17, RUN_READS_ALL | RUN_TAKES_YEAR | RUN_TAKES_UNIT |
				RUN_TAKES_EPOCH | RUN_BESIDE_PREV, reads_report,
	  writes_report },
};

const run_stage_def *run_stages(size_t *n)
{
	*n = sizeof stage_table / sizeof stage_table[0];
	return stage_table;
}

int run_stage_writes(const run_stage_def *d, const char *path)
{
	for (size_t i = 0; d->writes && d->writes[i]; i++)
		if (strncmp(path, d->writes[i], strlen(d->writes[i])) == 0)
			return 1;
	return 0;
}

const run_stage_def *run_stage_find(const char *name)
{
	size_t n;
	const run_stage_def *s = run_stages(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

ss_status run_stage_args(const run_stage_def *d, const run_config *c,
			 run_strv *args, ss_error *e)
{
	ss_status st = SS_OK;

	if (d->flags & RUN_READS_INPUT) {
		if (c->number_style &&
		    ((st = run_strv_add(args, "--number-style", e)) ||
		     (st = run_strv_add(args, c->number_style, e))))
			return st;
		if (c->encoding && ((st = run_strv_add(args, "--encoding", e)) ||
				    (st = run_strv_add(args, c->encoding, e))))
			return st;
		if (c->strict > 0 && (st = run_strv_add(args, "--strict", e)))
			return st;
		if (!c->input)
			return err_set(e, SS_EUSAGE, NULL, 0, 0, "no input directory");
		return run_strv_add(args, c->input, e);
	}
	if ((d->flags & RUN_READS_NORMS) &&
	    ((st = run_strv_add(args, "--norms", e)) ||
	     (st = run_strv_add(args, c->norms ? c->norms : "data/norms.csv", e))))
		return st;
	if ((d->flags & RUN_TAKES_UNIT) && c->unit &&
	    ((st = run_strv_add(args, "--unit", e)) ||
	     (st = run_strv_add(args, c->unit, e))))
		return st;
	if ((d->flags & RUN_TAKES_YEAR) && c->year &&
	    ((st = run_strv_add(args, "--year", e)) ||
	     (st = run_strv_add(args, c->year, e))))
		return st;
	if ((d->flags & RUN_TAKES_MARGINS) && c->audit_margin_pct &&
	    ((st = run_strv_add(args, "--margin-pct", e)) ||
	     (st = run_strv_add(args, c->audit_margin_pct, e))))
		return st;
	if ((d->flags & RUN_TAKES_MARGINS) && c->audit_margin_abs &&
	    ((st = run_strv_add(args, "--margin-abs", e)) ||
	     (st = run_strv_add(args, c->audit_margin_abs, e))))
		return st;
	if ((d->flags & RUN_TAKES_REF_DATE) && c->reference_date &&
	    ((st = run_strv_add(args, "--reference-date", e)) ||
	     (st = run_strv_add(args, c->reference_date, e))))
		return st;
	return SS_OK;
}

static const char *const status_names[] = { "pending", "rerun", "reused",
					    "failed", "absent" };

const char *run_stage_status_name(run_stage_status s)
{
	return (unsigned)s < sizeof status_names / sizeof status_names[0]
		       ? status_names[s] : "pending";
}

run_stage_status run_stage_status_from_name(const char *s)
{
	for (size_t i = 0; s && i < sizeof status_names / sizeof status_names[0]; i++)
		if (strcmp(s, status_names[i]) == 0)
			return (run_stage_status)i;
	return RUN_STAGE_PENDING;
}

void run_stage_rec_init(run_stage_rec *r)
{
	memset(r, 0, sizeof *r);
	r->exit_status = -1;
	run_strv_init(&r->args);
	run_strv_init(&r->env);
	run_files_init(&r->inputs);
	run_files_init(&r->outputs);
}

void run_stage_rec_release(run_stage_rec *r)
{
	free(r->stage);
	free(r->binary);
	free(r->why);
	run_strv_release(&r->args);
	run_strv_release(&r->env);
	run_files_release(&r->inputs);
	run_files_release(&r->outputs);
	run_stage_rec_init(r);
}

/* Length-prefixed, so that no two different records give the same text. */
static void key_field(run_buf *b, const char *tag, const char *v)
{
	run_buf_printf(b, "%s %zu:", tag, strlen(v));
	run_buf_puts(b, v);
	run_buf_add(b, "\n", 1);
}

ss_status run_stage_key(run_stage_rec *r, ss_error *e)
{
	run_buf b;

	run_buf_init(&b);
	run_files_sort(&r->inputs);
	run_buf_puts(&b, "schoolstat-run stage key 1\n");
	key_field(&b, "stage", r->stage ? r->stage : "");
	key_field(&b, "binary", r->binary_sha256);
	for (size_t i = 0; i < r->args.n; i++)
		key_field(&b, "arg", r->args.v[i]);
	for (size_t i = 0; i < r->env.n; i++)
		key_field(&b, "env", r->env.v[i]);
	for (size_t i = 0; i < r->inputs.n; i++) {
		const run_file *f = &r->inputs.v[i];

		key_field(&b, f->external ? "file" : "output", f->path);
		key_field(&b, "sha256", f->sha256[0] ? f->sha256 : "-");
	}
	if (b.failed) {
		run_buf_release(&b);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	if (run_sha256_hex(b.data, b.len, r->key) != 0) {
		run_buf_release(&b);
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	run_buf_release(&b);
	return SS_OK;
}

/* The first input that differs between the two sorted lists, in order. */
static int input_change(const run_files *prev, const run_files *cur,
			char *why, size_t size)
{
	size_t i = 0, j = 0;

	while (i < prev->n || j < cur->n) {
		const run_file *p = i < prev->n ? &prev->v[i] : NULL;
		const run_file *c = j < cur->n ? &cur->v[j] : NULL;
		int cmp;

		if (!p)
			cmp = 1;
		else if (!c)
			cmp = -1;
		else if (p->external != c->external)
			cmp = p->external - c->external;
		else
			cmp = strcmp(p->path, c->path);
		if (cmp == 0) {
			if (strcmp(p->sha256, c->sha256) != 0) {
				snprintf(why, size, "%s %s", c->path,
					 !p->sha256[0] ? "appeared"
					 : !c->sha256[0] ? "disappeared" : "changed");
				return 1;
			}
			i++;
			j++;
		} else if (cmp < 0) {
			snprintf(why, size, "%s is no longer read", p->path);
			return 1;
		} else {
			snprintf(why, size, "%s is now read", c->path);
			return 1;
		}
	}
	return 0;
}

int run_decide_settled(const run_stage_rec *prev, const run_stage_rec *cur,
		       char *why, size_t size)
{
	if (!prev) {
		snprintf(why, size, "no previous run");
		return 1;
	}
	if (prev->status != RUN_STAGE_RERUN && prev->status != RUN_STAGE_REUSED) {
		snprintf(why, size, "%s last time", run_stage_status_name(prev->status));
		return 1;
	}
	if (!prev->reusable) {
		snprintf(why, size, "its last run cannot be reused (it changed files of earlier stages or outside its own, or an input changed while it ran)");
		return 1;
	}
	if (strcmp(prev->binary_sha256, cur->binary_sha256) != 0) {
		snprintf(why, size, "program %s changed",
			 cur->binary ? cur->binary : "");
		return 1;
	}
	if (!run_strv_equal(&prev->args, &cur->args)) {
		snprintf(why, size, "options changed");
		return 1;
	}
	if (!run_strv_equal(&prev->env, &cur->env)) {
		snprintf(why, size, "environment changed");
		return 1;
	}
	return 0;
}

run_decision run_decide(const run_stage_rec *prev, const run_stage_rec *cur,
			char *why, size_t size)
{
	run_files sorted_prev;

	if (run_decide_settled(prev, cur, why, size))
		return RUN_DECIDE_RERUN;
	/* the previous list comes from a file: sort a shallow copy */
	sorted_prev.n = sorted_prev.cap = prev->inputs.n;
	sorted_prev.v = prev->inputs.n ? malloc(prev->inputs.n * sizeof *sorted_prev.v)
				       : NULL;
	if (prev->inputs.n && !sorted_prev.v) {
		snprintf(why, size, "out of memory comparing inputs");
		return RUN_DECIDE_RERUN;
	}
	if (sorted_prev.v)
		memcpy(sorted_prev.v, prev->inputs.v,
		       prev->inputs.n * sizeof *sorted_prev.v);
	run_files_sort(&sorted_prev);
	if (input_change(&sorted_prev, &cur->inputs, why, size)) {
		free(sorted_prev.v);
		return RUN_DECIDE_RERUN;
	}
	free(sorted_prev.v);
	/* every part is equal; the key also covers a change in how they
	   are combined (a new key format) */
	if (strcmp(prev->key, cur->key) != 0) {
		snprintf(why, size, "stage key changed");
		return RUN_DECIDE_RERUN;
	}
	return RUN_DECIDE_REUSE;
}
