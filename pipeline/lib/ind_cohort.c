/* ind_cohort — UNESCO reconstructed-cohort flow rates per grade and the
 * survival to the last grade of each stage (see ind.h for the mapping of
 * the clean tables onto E, E1 and R1). */
#include "ind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ind_priv.h"
#include "stats.h"

#define MAX_STAGE_GRADES 5

/* The flows of one stage for one scope: sums over the schools that have
 * every grade of the stage in both years. */
typedef struct flows {
	int have;
	size_t G;
	int first; /* grade index of the stage's first grade */
	long long E[MAX_STAGE_GRADES], E1[MAX_STAGE_GRADES],
		R1[MAX_STAGE_GRADES], graduates;
	long line[MAX_STAGE_GRADES]; /* enrollment.csv lines (one school) */
} flows;

/* The flows of school s in years y, y1 for stage st; 0 when incomplete. */
static int school_flows(const ind_grid *g, size_t y, size_t y1, size_t s,
			const ind_stage_info *si, flows *f)
{
	size_t k;
	const ind_cell *last;

	memset(f, 0, sizeof *f);
	f->G = (size_t)(si->last - si->first + 1);
	f->first = si->first;
	for (k = 0; k < f->G; k++) {
		const ind_cell *c = ind_grid_at(g, y, s, si->first + (int)k);
		const ind_cell *c1 = ind_grid_at(g, y1, s, si->first + (int)k);
		if (!c->has_enr || !c1->has_enr || !c->has_prom)
			return 0;
		f->E[k] = c->students;
		f->E1[k] = c1->students;
		/* Pupils held back at the end of year t are the repeaters of
		 * year t+1. */
		f->R1[k] = c->repeated;
		f->line[k] = c->enr_line;
	}
	last = ind_grid_at(g, y, s, si->last);
	f->graduates = last->has_completed ? last->completed : last->promoted;
	f->have = 1;
	return 1;
}

static void flows_add(flows *a, const flows *b)
{
	size_t k;

	a->have = 1;
	a->G = b->G;
	a->first = b->first;
	for (k = 0; k < b->G; k++) {
		a->E[k] += b->E[k];
		a->E1[k] += b->E1[k];
		a->R1[k] += b->R1[k];
	}
	a->graduates += b->graduates;
}

/* Why stats_reconstructed_cohort refused flows with no zero enrolment. */
static void inconsistency(const flows *f, const ind_stage_info *si,
			  char *buf, size_t size)
{
	size_t k;

	for (k = 0; k < f->G; k++) {
		long long promoted = k + 1 < f->G ? f->E1[k + 1] - f->R1[k + 1]
						  : f->graduates;
		const char *g = ind_grade_name(si->first + (int)k);
		if (k + 1 < f->G && f->E1[k + 1] < f->R1[k + 1]) {
			snprintf(buf, size,
				 "grade %s has more repeaters '%lld' than pupils '%lld' the next year (expected at most as many); survival left empty",
				 ind_grade_name(si->first + (int)k + 1),
				 f->R1[k + 1], f->E1[k + 1]);
			return;
		}
		if (promoted + f->R1[k] > f->E[k]) {
			snprintf(buf, size,
				 "grade %s sends on and holds back '%lld' pupils of '%lld' enrolled (expected at most as many: transfers in?); survival left empty",
				 g, promoted + f->R1[k], f->E[k]);
			return;
		}
	}
	snprintf(buf, size, "the cohort model failed; survival left empty");
}

/* The rows of grade g (0-based in the stage) when its flows are not
 * usable: more pupils the next year were held back than there were
 * (a negative promotion count), or more sent on and held back than were
 * enrolled (a negative dropout count, a promotion rate above 100 -- pupils
 * transferring in). The three rows are written with every number empty,
 * counts included: a count that mixes in transfers is no cohort flow
 * either; the warning quotes the counts. An empty grade that still sends
 * pupils on is inconsistent too (its dropout count would be negative); one
 * with no flows at all is left to the zero_denominator rows. 0 when the
 * grade is usable. */
static int grade_inconsistent(const flows *f, size_t g, char *why,
			      size_t size)
{
	long long promoted = g + 1 < f->G ? f->E1[g + 1] - f->R1[g + 1]
					  : f->graduates;

	if (promoted < 0) {
		snprintf(why, size,
			 "grade %s has more repeaters '%lld' than pupils '%lld' the next year (expected at most as many); promotion, repetition and dropout rates of grade %s left empty",
			 ind_grade_name((int)g + 1 + f->first),
			 f->R1[g + 1], f->E1[g + 1],
			 ind_grade_name((int)g + f->first));
		return 1;
	}
	if (promoted + f->R1[g] > f->E[g]) {
		snprintf(why, size,
			 "grade %s sends on and holds back '%lld' pupils of '%lld' enrolled (expected at most as many: transfers in?); promotion, repetition and dropout rates of grade %s left empty",
			 ind_grade_name((int)g + f->first),
			 promoted + f->R1[g], f->E[g],
			 ind_grade_name((int)g + f->first));
		return 1;
	}
	return 0;
}

static ss_status emit_flows(const flows *f, const ind_stage_info *si,
			    int stage, const char *year, const char *scope,
			    int is_school, const ind_options *opt,
			    ind_rows *rows, ss_error *e)
{
	ind_key k = { year, scope, IND_COHORT_PROMOTION_RATE, NULL, 0 };
	stats_cohort out;
	ss_status st = SS_OK;
	size_t g;
	int zero = 0;

	for (g = 0; st == SS_OK && g < f->G; g++) {
		int grade = si->first + (int)g;
		long long promoted = g + 1 < f->G ? f->E1[g + 1] - f->R1[g + 1]
						  : f->graduates;
		ind_src src = { "enrollment.csv", is_school ? f->line[g] : 0,
				"enrolment" };
		char what[48], why[384];
		snprintf(what, sizeof what, "grade %s enrolment",
			 ind_grade_name(grade));
		src.what = what;
		zero |= f->E[g] == 0;
		k.suffix = ind_grade_name(grade);
		k.sub_rank = grade;
		k.id = IND_COHORT_PROMOTION_RATE;
		if (grade_inconsistent(f, g, why, sizeof why)) {
			/* One warning for the grade, on its first row. */
			src.what = NULL;
			st = ind_rows_add_empty(rows, &k, &src,
						"cohort_inconsistent", why, e);
			k.id = IND_COHORT_REPETITION_RATE;
			if (st == SS_OK)
				st = ind_rows_add_empty(rows, &k, &src, NULL,
							NULL, e);
			k.id = IND_COHORT_DROPOUT_RATE;
			if (st == SS_OK)
				st = ind_rows_add_empty(rows, &k, &src, NULL,
							NULL, e);
			continue;
		}
		st = ind_rows_add_ratio(rows, &k, (double)promoted,
					(double)f->E[g], &src, e);
		k.id = IND_COHORT_REPETITION_RATE;
		if (st == SS_OK)
			st = ind_rows_add_ratio(rows, &k, (double)f->R1[g],
						(double)f->E[g], &src, e);
		k.id = IND_COHORT_DROPOUT_RATE;
		if (st == SS_OK)
			st = ind_rows_add_ratio(
				rows, &k,
				(double)(f->E[g] - promoted - f->R1[g]),
				(double)f->E[g], &src, e);
	}
	if (st != SS_OK)
		return st;
	k.id = IND_SURVIVAL_RATE_LAST_GRADE;
	k.suffix = si->name;
	k.sub_rank = stage;
	if (stats_reconstructed_cohort(f->E, f->E1, f->R1, f->graduates, f->G,
				       opt->cohort_max_repeats, &out)) {
		/* The model follows 1000 pupils; the row says how many of
		 * them reach the last grade. */
		return ind_rows_add_ratio(rows, &k, out.survival_to_last * 1000.0,
					  1000.0, NULL, e);
	} else {
		ind_src src = { "enrollment.csv", 0, NULL };
		char why[256];
		if (zero)
			snprintf(why, sizeof why,
				 "a grade has '0' pupils (expected more than 0); survival left empty");
		else
			inconsistency(f, si, why, sizeof why);
		return ind_rows_add_empty(rows, &k, &src,
					  zero ? "zero_denominator"
					       : "cohort_inconsistent",
					  why, e);
	}
}

static ss_status cohort_year(const ind_input *in, const ind_grid *g,
			     size_t y, const ind_options *opt, flows *sf,
			     ind_rows *rows, ss_error *e)
{
	long y1 = ind_years_find(&g->years, g->years.start[y] + 1);
	char year[16];
	int st_i;
	size_t i, m, s;
	ss_status st = SS_OK;

	if (y1 < 0)
		return SS_OK;
	ind_year_format(g->years.start[y], year, sizeof year);
	for (st_i = 0; st == SS_OK && st_i < IND_NUM_STAGES; st_i++) {
		const ind_stage_info *si = ind_stage_get(st_i);
		for (s = 0; s < in->nschools; s++) {
			int lv = ind_level_index(in->school[s].level);
			if (!ind_level_covers_stage(lv, st_i) ||
			    !school_flows(g, y, (size_t)y1, s, si, &sf[s]))
				sf[s].have = 0;
		}
		for (i = 0; st == SS_OK && i < in->scopes.n; i++) {
			const ind_scope *sc = &in->scopes.scope[i];
			flows sum;
			if (sc->kind != IND_SCOPE_SCHOOL &&
			    sc->kind != IND_SCOPE_LEVEL &&
			    sc->kind != IND_SCOPE_ALL)
				continue;
			memset(&sum, 0, sizeof sum);
			for (m = 0; m < sc->nmembers; m++)
				if (sf[sc->members[m]].have)
					flows_add(&sum, &sf[sc->members[m]]);
			if (sc->kind == IND_SCOPE_SCHOOL && sum.have)
				memcpy(sum.line, sf[sc->members[0]].line,
				       sizeof sum.line);
			if (sum.have)
				st = emit_flows(&sum, si, st_i, year, sc->name,
						sc->kind == IND_SCOPE_SCHOOL,
						opt, rows, e);
		}
	}
	return st;
}

ss_status ind_produce_cohort(const ind_input *in, const ind_options *opt,
			     ind_rows *rows, ss_error *e)
{
	ind_grid g;
	flows *sf;
	size_t y;
	ss_status st;

	if (!in->has_enrollment || !in->has_promotion)
		return SS_OK;
	st = ind_grid_build(&g, in, e);
	sf = calloc(in->nschools + 1, sizeof *sf);
	if (st == SS_OK && !sf)
		st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	for (y = 0; st == SS_OK && y < g.years.n; y++)
		st = cohort_year(in, &g, y, opt, sf, rows, e);
	free(sf);
	ind_grid_release(&g);
	return st;
}
