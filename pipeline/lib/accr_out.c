/* accr_out — the accreditation stage: accreditation_schedule.csv,
 * accreditation_trajectory.csv and the charts. */
#include "accr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvout.h"

#define PATH_SIZE 1024

/* ------------------------------------------------------------ schedule */

static const char *const schedule_header[] = {
	"reference_date", "school_id", "name", "level", "ownership", "status",
	"quality_level", "standard_level", "recognized_on", "kind", "rules",
	"expires_on", "register_by", "days_to_register", "next_action",
	"action_by", "next_due", "plan_check", "history", "src_line", NULL
};

static void put_day(csvout *w, int has, accr_day day)
{
	char buf[16];

	if (has)
		csvout_str(w, accr_day_format(day, buf, sizeof buf));
	else
		csvout_empty(w);
}

/* "2016-05-12 2/1; 2021-06-10 3/1": every recognition on or before ref,
 * date and quality/standard level, so the row can be checked against the
 * register by hand. */
static void put_history(csvout *w, const accr_register *r, size_t school,
			accr_day ref)
{
	const accr_school *s = &r->school[school];
	char buf[2048], day[16];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < s->n; i++) {
		const accr_recognition *x = &r->rec[s->first + i];
		int k;

		if (x->recognized_on > ref)
			break;
		k = snprintf(buf + len, sizeof buf - len, "%s%s %d/%d",
			     len ? "; " : "",
			     accr_day_format(x->recognized_on, day, sizeof day),
			     x->quality, x->standard);
		if (k < 0 || (size_t)k >= sizeof buf - len)
			break; /* a very long history is cut at a whole entry */
		len += (size_t)k;
	}
	csvout_str(w, buf);
}

static void schedule_row(csvout *w, const accr_register *r, size_t school,
			 accr_day ref, const accr_options *o)
{
	const accr_school *s = &r->school[school];
	accr_schedule_row x;
	const accr_recognition *last;
	int in_force;

	accr_schedule_at(r, school, ref, o, &x);
	last = x.state.last;
	in_force = x.state.status == ACCR_VALID ||
		   x.state.status == ACCR_OVERDUE;
	put_day(w, 1, ref);
	csvout_str(w, s->id);
	csvout_str(w, s->name);
	csvout_str(w, s->level);
	csvout_str(w, s->ownership);
	csvout_str(w, accr_status_name(x.state.status));
	csvout_int(w, x.state.quality);
	csvout_int(w, x.state.standard);
	put_day(w, last != NULL, last ? last->recognized_on : 0);
	if (last) {
		csvout_str(w, last->kind == ACCR_FIRST ? "first" : "renewal");
		csvout_str(w, accr_rules_name(
				      accr_rules_for(o, last->recognized_on)));
	} else {
		csvout_empty(w);
		csvout_empty(w);
	}
	put_day(w, last != NULL, x.state.expires_on);
	put_day(w, last != NULL, x.state.register_by);
	if (in_force)
		csvout_int(w, (long long)(x.state.register_by - ref));
	else
		csvout_empty(w);
	csvout_str(w, accr_action_name(x.action));
	put_day(w, x.has_action_by, x.action_by);
	put_day(w, x.has_next_due, x.next_due);
	csvout_str(w, accr_plan_check_name(x.plan));
	put_history(w, r, school, ref);
	if (last && last->src_line > 0)
		csvout_int(w, last->src_line);
	else
		csvout_empty(w);
	csvout_end_row(w);
}

ss_status accr_write_schedule(const accr_register *r, accr_day ref,
			      const accr_options *o, const char *path,
			      ss_error *e)
{
	csvout w;
	size_t i;
	ss_status st = csvout_open(&w, path, e);

	if (st != SS_OK)
		return st;
	csvout_header(&w, schedule_header);
	for (i = 0; i < r->nschools; i++)
		schedule_row(&w, r, i, ref, o);
	return csvout_close(&w, e);
}

/* ------------------------------------------------------------ trajectory */

static const char *const trajectory_header[] = {
	"scope", "indicator", "op", "target", "deadline", "year",
	"measured_on", "basis", "schools", "required", "path",
	"valid_no_renewal", "expiring", "to_recognize", "planned_valid",
	"src_line", NULL
};

typedef struct run_ctx {
	const char *outdir;
	const accr_options *opt;
	accr_day ref;
	diag_sink *diag;
	accr_register reg;
	ctable schools, accreditation, targets;
	int has_accreditation, has_targets;
	size_t *members;
	size_t trajectories;
	ss_error *e;
} run_ctx;

/* Members of a target scope: all, level:<level> or a school id. Returns
 * the count, or (size_t)-1 when the scope names nothing. */
static size_t target_members(run_ctx *c, const char *scope)
{
	size_t i, k = 0;

	if (strcmp(scope, "all") == 0) {
		for (i = 0; i < c->reg.nschools; i++)
			c->members[k++] = i;
		return k;
	}
	if (strncmp(scope, "level:", 6) == 0) {
		for (i = 0; i < c->reg.nschools; i++)
			if (strcmp(c->reg.school[i].level, scope + 6) == 0)
				c->members[k++] = i;
		return k ? k : (size_t)-1;
	}
	{
		long x = accr_register_find(&c->reg, scope);
		if (x < 0)
			return (size_t)-1;
		c->members[0] = (size_t)x;
		return 1;
	}
}

static ss_status skip_target(run_ctx *c, long line, const char *indicator,
			     const char *scope, const char *why)
{
	if (diag_report(c->diag, DIAG_WARNING, "trajectory_skipped",
			"targets.csv", line, 0,
			"no accreditation trajectory for %s in %s: %s",
			indicator, scope, why) != SS_OK)
		return err_set(c->e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	return SS_OK;
}

static void write_path(csvout *w, const ctable *t, size_t row,
		       const accr_path *p, long line)
{
	size_t i;
	char ybuf[16];

	for (i = 0; i < p->n; i++) {
		const accr_path_year *y = &p->year[i];

		csvout_str(w, ctable_get(t, row, ctable_col(t, "scope")));
		csvout_str(w, ctable_get(t, row, ctable_col(t, "indicator")));
		csvout_str(w, ctable_get(t, row, ctable_col(t, "op")));
		csvout_str(w, ctable_get(t, row, ctable_col(t, "target")));
		csvout_str(w, ctable_get(t, row, ctable_col(t, "deadline")));
		csvout_str(w, ind_year_format(y->year, ybuf, sizeof ybuf));
		put_day(w, 1, y->measured_on);
		csvout_str(w, y->is_actual ? "actual" : "plan");
		csvout_int(w, p->schools);
		csvout_int(w, p->required);
		csvout_int(w, y->path);
		csvout_int(w, y->valid_no_renewal);
		csvout_int(w, y->expiring);
		csvout_int(w, y->to_recognize);
		csvout_int(w, y->planned_valid);
		if (line > 0)
			csvout_int(w, line);
		else
			csvout_empty(w);
		csvout_end_row(w);
	}
}

/* One target row: its path, or a warning saying why there is none. */
static ss_status target_path(run_ctx *c, csvout *w, size_t row)
{
	const ctable *t = &c->targets;
	const char *ind = ctable_get(t, row, ctable_col(t, "indicator"));
	const char *scope = ctable_get(t, row, ctable_col(t, "scope"));
	int pub = strcmp(ind, "standard_school_share_public") == 0;
	long long line = 0, deadline = 0;
	double target;
	size_t n;
	accr_path p;
	ss_error why;
	ss_status st;

	if (!pub && strcmp(ind, "standard_school_share") != 0)
		return SS_OK;
	if (ctable_get_ll(t, row, ctable_col(t, "deadline"), &deadline) != 1)
		return SS_OK; /* a yearly target: gaps.csv covers it */
	ctable_get_ll(t, row, ctable_col(t, "src_line"), &line);
	if (ctable_get_double(t, row, ctable_col(t, "target"), &target) != 1)
		return skip_target(c, (long)line, ind, scope,
				   "unreadable target (expected a number)");
	n = target_members(c, scope);
	if (n == (size_t)-1)
		return skip_target(c, (long)line, ind, scope,
				   "unknown scope (expected all, a level of "
				   "schools.csv or a school id)");
	err_clear(&why);
	st = accr_trajectory(&c->reg, c->members, n, pub,
			     gap_op_parse(ctable_get(t, row,
						     ctable_col(t, "op"))),
			     target, (int)deadline, c->ref, c->opt, &p, &why);
	if (st == SS_EUSAGE)
		return skip_target(c, (long)line, ind, scope, why.msg);
	if (st != SS_OK) {
		*c->e = why;
		return st;
	}
	write_path(w, t, row, &p, (long)line);
	accr_path_release(&p);
	c->trajectories++;
	return SS_OK;
}

static ss_status write_trajectory(run_ctx *c, const char *path)
{
	csvout w;
	size_t i;
	ss_status st = csvout_open(&w, path, c->e);

	if (st != SS_OK)
		return st;
	csvout_header(&w, trajectory_header);
	for (i = 0; c->has_targets && i < c->targets.nrows && st == SS_OK; i++)
		st = target_path(c, &w, i);
	if (st != SS_OK) {
		ss_error ignored;
		csvout_close(&w, &ignored);
		return st;
	}
	return csvout_close(&w, c->e);
}

/* ------------------------------------------------------------ inputs */

static ss_status clean_path(char *buf, const char *outdir, const char *name,
			    ss_error *e)
{
	if (snprintf(buf, PATH_SIZE, "%s/%s", outdir, name) >= PATH_SIZE)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "path too long '%s/%s' (expected under %d "
			       "bytes)",
			       outdir, name, PATH_SIZE);
	return SS_OK;
}

/* Loads OUTPUT_DIR/name when present (*present 1) or required. */
static ss_status load_table(const char *outdir, const char *name,
			    int required, ctable *t, int *present,
			    ss_error *e)
{
	char path[PATH_SIZE];
	struct stat sb;
	ss_status st = clean_path(path, outdir, name, e);

	if (present)
		*present = 0;
	if (st != SS_OK)
		return st;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT && !required)
			return SS_OK;
		return err_set_errno(e, SS_EIO, path, errno, "cannot read");
	}
	if (present)
		*present = 1;
	return ctable_load(t, path, e);
}

/* The measuring day of the latest school year in the yearly clean tables;
 * 0 in *found when none has a year. */
static ss_status latest_data_year(const char *outdir, int *start, int *found,
				  ss_error *e)
{
	static const char *const names[] = {
		"clean/enrollment.csv", "clean/promotion.csv",
		"clean/staffing.csv", "clean/exam_summary.csv"
	};
	size_t i, r;
	ss_status st = SS_OK;

	*found = 0;
	for (i = 0; st == SS_OK && i < sizeof names / sizeof names[0]; i++) {
		ctable t;
		int present, col, y;

		ctable_init(&t);
		st = load_table(outdir, names[i], 0, &t, &present, e);
		col = ctable_col(&t, "year");
		for (r = 0; st == SS_OK && present && col >= 0 && r < t.nrows;
		     r++)
			if (ind_year_parse(ctable_get(&t, r, col), &y) &&
			    (!*found || y > *start)) {
				*start = y;
				*found = 1;
			}
		ctable_release(&t);
	}
	return st;
}

static ss_status pick_reference(run_ctx *c, const accr_run_options *opt,
				accr_run_summary *sum)
{
	int start = 0, found = 0;
	size_t i;
	ss_status st;

	if (opt->has_reference) {
		c->ref = opt->reference;
		return SS_OK;
	}
	st = latest_data_year(c->outdir, &start, &found, c->e);
	if (st != SS_OK)
		return st;
	if (!found && c->reg.nrec > 0) {
		accr_day hi = c->reg.rec[0].recognized_on;

		for (i = 1; i < c->reg.nrec; i++)
			if (c->reg.rec[i].recognized_on > hi)
				hi = c->reg.rec[i].recognized_on;
		start = accr_year_of(c->opt, hi);
		found = 1;
	}
	if (!found)
		return err_set(c->e, SS_EUSAGE, NULL, 0, 0,
			       "no school year in the clean tables to take the "
			       "reference date from (expected --reference-date)");
	c->ref = accr_year_end(c->opt, start);
	sum->reference_from_data = 1;
	return SS_OK;
}

/* ------------------------------------------------------------ stage */

void accr_run_options_default(accr_run_options *o)
{
	memset(o, 0, sizeof *o);
	accr_options_default(&o->rules);
}

static ss_status write_outputs(run_ctx *c, accr_run_summary *sum)
{
	char path[PATH_SIZE];
	accr_charts charts;
	int found = 0;
	ss_status st = clean_path(path, c->outdir, "accreditation_schedule.csv",
				  c->e);

	if (st == SS_OK)
		st = accr_write_schedule(&c->reg, c->ref, c->opt, path, c->e);
	if (st == SS_OK)
		st = clean_path(path, c->outdir,
				"accreditation_trajectory.csv", c->e);
	if (st == SS_OK)
		st = write_trajectory(c, path);
	if (st != SS_OK)
		return st;
	/* the charts are drawn from the schedule just written, as the
	 * report draws them, so both show the same figures */
	accr_charts_init(&charts);
	st = accr_charts_load(&charts, c->outdir, &found, c->e);
	if (st == SS_OK && found)
		st = accr_charts_write(&charts, c->outdir, 0, 0, 0,
				       &sum->charts, c->e);
	accr_charts_release(&charts);
	return st;
}

ss_status accr_run(const char *outdir, const accr_run_options *opt,
		   diag_sink *diag, accr_run_summary *sum, ss_error *e)
{
	accr_run_summary local;
	run_ctx c;
	ss_status st;

	if (!sum)
		sum = &local;
	memset(sum, 0, sizeof *sum);
	memset(&c, 0, sizeof c);
	c.outdir = outdir;
	c.opt = &opt->rules;
	c.diag = diag;
	c.e = e;
	ctable_init(&c.schools);
	ctable_init(&c.accreditation);
	ctable_init(&c.targets);
	accr_register_init(&c.reg);
	st = load_table(outdir, "clean/schools.csv", 1, &c.schools, NULL, e);
	if (st == SS_OK)
		st = load_table(outdir, "clean/accreditation.csv", 0,
				&c.accreditation, &c.has_accreditation, e);
	if (st == SS_OK)
		st = load_table(outdir, "clean/targets.csv", 0, &c.targets,
				&c.has_targets, e);
	if (st == SS_OK && !c.has_accreditation) {
		sum->no_register = 1;
		goto done;
	}
	if (st == SS_OK)
		st = accr_register_build(&c.reg, &c.schools,
					 c.has_accreditation ? &c.accreditation
							     : NULL,
					 diag, e);
	if (st == SS_OK) {
		c.members = malloc((c.reg.nschools ? c.reg.nschools : 1) *
				   sizeof *c.members);
		if (!c.members)
			st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	}
	if (st == SS_OK)
		st = pick_reference(&c, opt, sum);
	if (st == SS_OK)
		st = write_outputs(&c, sum);
done:
	sum->reference = c.ref;
	sum->schools = c.reg.nschools;
	sum->recognitions = c.reg.nrec;
	sum->trajectories = c.trajectories;
	free(c.members);
	accr_register_release(&c.reg);
	ctable_release(&c.targets);
	ctable_release(&c.accreditation);
	ctable_release(&c.schools);
	return st;
}
