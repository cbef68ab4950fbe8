/* ind_basic — classes, students, teachers, staff fill, promotion flows and
 * completion. Each school-year is reduced to counts; a scope adds the
 * counts of its schools and only then divides, so aggregates are never
 * averages of school ratios. */
#include "ind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ind_priv.h"

/* The counts of one school-year, or of a scope (a sum of them). */
typedef struct bacc {
	int enr;
	long long classes, students;
	long enr_line;
	int staff;
	long long teachers, teachers_perm;
	long staff_line;
	int quota;
	long long fill_perm, fill_quota;
	int prom;
	long long enrolled, promoted, repeated, dropped;
	long prom_line;
	int fin;
	long long fin_enrolled, fin_completed;
	long fin_line;
	int coh;
	long long coh_completed, coh_entry;
	long coh_line;
	char coh_what[64];
	/* Schools with both enrolment and teachers: the parts of the
	 * cross-table ratios. */
	int pair;
	long long p_classes, p_students, p_teachers, p_teachers_perm;
} bacc;

static void bacc_add(bacc *a, const bacc *s)
{
	if (s->enr) {
		a->enr = 1;
		a->classes += s->classes;
		a->students += s->students;
	}
	if (s->staff) {
		a->staff = 1;
		a->teachers += s->teachers;
		a->teachers_perm += s->teachers_perm;
	}
	if (s->quota) {
		a->quota = 1;
		a->fill_perm += s->fill_perm;
		a->fill_quota += s->fill_quota;
	}
	if (s->prom) {
		a->prom = 1;
		a->enrolled += s->enrolled;
		a->promoted += s->promoted;
		a->repeated += s->repeated;
		a->dropped += s->dropped;
	}
	if (s->fin) {
		a->fin = 1;
		a->fin_enrolled += s->fin_enrolled;
		a->fin_completed += s->fin_completed;
	}
	if (s->coh) {
		a->coh = 1;
		a->coh_completed += s->coh_completed;
		a->coh_entry += s->coh_entry;
	}
	if (s->pair) {
		a->pair = 1;
		a->p_classes += s->p_classes;
		a->p_students += s->p_students;
		a->p_teachers += s->p_teachers;
		a->p_teachers_perm += s->p_teachers_perm;
	}
}

/* Enrolment, promotion and completion of school s in year index y. */
static void school_grid(bacc *a, const ind_grid *g, const ind_input *in,
			size_t y, size_t s)
{
	int lv = ind_level_index(in->school[s].level), grade, fin, st;
	const ind_level_info *li = ind_level_get(lv);
	const ind_cell *c;

	for (grade = 0; grade < IND_NUM_GRADES; grade++) {
		c = ind_grid_at(g, y, s, grade);
		if (c->has_enr) {
			if (!a->enr)
				a->enr_line = c->enr_line;
			a->enr = 1;
			a->classes += c->classes;
			a->students += c->students;
		}
		if (c->has_prom) {
			if (!a->prom)
				a->prom_line = c->prom_line;
			a->prom = 1;
			a->enrolled += c->enrolled;
			a->promoted += c->promoted;
			a->repeated += c->repeated;
			a->dropped += c->dropped;
		}
	}
	if (!li)
		return;
	fin = li->last;
	c = ind_grid_at(g, y, s, fin);
	if (!c->has_prom || !c->has_completed)
		return;
	a->fin = 1;
	a->fin_enrolled = c->enrolled;
	a->fin_completed = c->completed;
	a->fin_line = c->prom_line;
	/* The cohort that completes the stage this year entered its first
	 * grade (last - first) years earlier. */
	st = ind_stage_ending_at(fin);
	if (st >= 0) {
		const ind_stage_info *si = ind_stage_get(st);
		int lag = si->last - si->first;
		long ye = ind_years_find(&g->years,
					 g->years.start[y] - lag);
		const ind_cell *ce = ye < 0 ? NULL
				     : ind_grid_at(g, (size_t)ye, s, si->first);
		if (ce && ce->has_enr) {
			char yb[16];
			a->coh = 1;
			a->coh_completed = c->completed;
			a->coh_entry = ce->students;
			a->coh_line = ce->enr_line;
			snprintf(a->coh_what, sizeof a->coh_what,
				 "grade %s enrolment of %s",
				 ind_grade_name(si->first),
				 ind_year_format(g->years.start[ye], yb,
						 sizeof yb));
		}
	}
}

/* Staffing of every school in year index y of ys into acc[]. */
static ss_status school_staff(bacc *acc, const ind_input *in,
			      const ind_years *ys, size_t y, ss_error *e)
{
	static const char *const cols[] = { "year", "school_id", "role",
					    "permanent", "contract", "quota",
					    NULL };
	const ctable *t = &in->staffing;
	int c[6], start;
	size_t i;
	ss_status st = ind_columns(t, cols, c, e);

	for (i = 0; st == SS_OK && i < t->nrows; i++) {
		long s = ind_input_school(in, ctable_get(t, i, c[1]));
		long long perm = 0, contract = 0, quota = 0;
		int has_quota;
		bacc *a;
		if (ind_count_at(t, i, c[3], &perm, e) < 0 ||
		    ind_count_at(t, i, c[4], &contract, e) < 0 ||
		    (has_quota = ind_count_at(t, i, c[5], &quota, e)) < 0)
			return SS_EDATA;
		if (s < 0 || !ind_year_parse(ctable_get(t, i, c[0]), &start) ||
		    start != ys->start[y])
			continue;
		a = &acc[s];
		if (!a->staff)
			a->staff_line = ind_src_line(t, i);
		a->staff = 1;
		if (strcmp(ctable_get(t, i, c[2]), "teacher") == 0) {
			a->teachers += perm + contract;
			a->teachers_perm += perm;
		}
		/* Fill compares posts with the people holding them, so a
		 * row without a quota is left out of both parts. */
		if (has_quota == 1) {
			a->quota = 1;
			a->fill_perm += perm;
			a->fill_quota += quota;
		}
	}
	return st;
}

static ss_status emit_scope(const bacc *a, const char *year,
			    const char *scope, int is_school, ind_rows *rows,
			    ss_error *e)
{
	ind_key k = { year, scope, IND_CLASSES, NULL, 0 };
	ind_src enr = { "enrollment.csv", is_school ? a->enr_line : 0,
			"classes" };
	ind_src tea = { "staffing.csv", is_school ? a->staff_line : 0,
			"teachers" };
	ind_src quo = { "staffing.csv", is_school ? a->staff_line : 0,
			"quota" };
	ind_src pro = { "promotion.csv", is_school ? a->prom_line : 0,
			"enrolled" };
	ind_src fin = { "promotion.csv", is_school ? a->fin_line : 0,
			"enrolled in the final grade" };
	ind_src coh = { "enrollment.csv", is_school ? a->coh_line : 0,
			is_school ? a->coh_what : "entry-grade enrolment" };
	ss_status st = SS_OK;

#define ADD_COUNT(ID, V)                                         \
	do {                                                     \
		k.id = (ID);                                     \
		if (st == SS_OK)                                 \
			st = ind_rows_add_count(rows, &k, (V), e); \
	} while (0)
#define ADD_RATIO(ID, N, D, SRC)                                       \
	do {                                                           \
		k.id = (ID);                                           \
		if (st == SS_OK)                                       \
			st = ind_rows_add_ratio(rows, &k, (double)(N), \
						(double)(D), (SRC), e);  \
	} while (0)

	if (a->enr) {
		ADD_COUNT(IND_CLASSES, a->classes);
		ADD_COUNT(IND_STUDENTS, a->students);
		ADD_RATIO(IND_STUDENTS_PER_CLASS, a->students, a->classes, &enr);
	}
	if (a->staff)
		ADD_COUNT(IND_TEACHERS, a->teachers);
	if (a->pair) {
		ADD_RATIO(IND_TEACHERS_PER_CLASS, a->p_teachers, a->p_classes,
			  &enr);
		ADD_RATIO(IND_TEACHERS_PER_CLASS_PERMANENT, a->p_teachers_perm,
			  a->p_classes, &enr);
		ADD_RATIO(IND_STUDENTS_PER_TEACHER, a->p_students,
			  a->p_teachers, &tea);
	}
	if (a->quota)
		ADD_RATIO(IND_PERMANENT_STAFF_FILL, a->fill_perm, a->fill_quota,
			  &quo);
	if (a->prom) {
		ADD_RATIO(IND_PROMOTION_RATE, a->promoted, a->enrolled, &pro);
		ADD_RATIO(IND_REPETITION_RATE, a->repeated, a->enrolled, &pro);
		ADD_RATIO(IND_DROPOUT_RATE, a->dropped, a->enrolled, &pro);
	}
	if (a->fin)
		ADD_RATIO(IND_COMPLETION_RATE, a->fin_completed, a->fin_enrolled,
			  &fin);
	if (a->coh)
		ADD_RATIO(IND_COMPLETION_RATE_COHORT, a->coh_completed,
			  a->coh_entry, &coh);
#undef ADD_COUNT
#undef ADD_RATIO
	return st;
}

static ss_status basic_year(const ind_input *in, const ind_grid *g,
			    const ind_years *ys, size_t y, bacc *acc,
			    ind_rows *rows, ss_error *e)
{
	long gy = ind_years_find(&g->years, ys->start[y]);
	char year[16];
	size_t s, i, m;
	ss_status st = SS_OK;

	ind_year_format(ys->start[y], year, sizeof year);
	memset(acc, 0, in->nschools * sizeof *acc);
	for (s = 0; gy >= 0 && s < in->nschools; s++)
		school_grid(&acc[s], g, in, (size_t)gy, s);
	if (in->has_staffing &&
	    (st = school_staff(acc, in, ys, y, e)) != SS_OK)
		return st;
	for (s = 0; s < in->nschools; s++) {
		bacc *a = &acc[s];
		if (a->enr && a->staff) {
			a->pair = 1;
			a->p_classes = a->classes;
			a->p_students = a->students;
			a->p_teachers = a->teachers;
			a->p_teachers_perm = a->teachers_perm;
		}
	}
	for (i = 0; st == SS_OK && i < in->scopes.n; i++) {
		const ind_scope *sc = &in->scopes.scope[i];
		bacc sum;
		if (sc->kind == IND_SCOPE_SCHOOL) {
			st = emit_scope(&acc[sc->members[0]], year, sc->name, 1,
					rows, e);
			continue;
		}
		if (sc->kind != IND_SCOPE_LEVEL && sc->kind != IND_SCOPE_ALL)
			continue;
		memset(&sum, 0, sizeof sum);
		for (m = 0; m < sc->nmembers; m++)
			bacc_add(&sum, &acc[sc->members[m]]);
		st = emit_scope(&sum, year, sc->name, 0, rows, e);
	}
	return st;
}

ss_status ind_produce_basic(const ind_input *in, const ind_options *opt,
			    ind_rows *rows, ss_error *e)
{
	ind_grid g;
	ind_years ys;
	bacc *acc = NULL;
	size_t y;
	ss_status st;

	(void)opt;
	ind_years_init(&ys);
	st = ind_grid_build(&g, in, e);
	if (st == SS_OK && in->has_enrollment)
		st = ind_years_add_table(&ys, &in->enrollment, e);
	if (st == SS_OK && in->has_promotion)
		st = ind_years_add_table(&ys, &in->promotion, e);
	if (st == SS_OK && in->has_staffing)
		st = ind_years_add_table(&ys, &in->staffing, e);
	if (st == SS_OK) {
		acc = calloc(in->nschools + 1, sizeof *acc);
		if (!acc)
			st = err_set(e, SS_ENOMEM, NULL, 0, 0,
				     "out of memory");
	}
	for (y = 0; st == SS_OK && y < ys.n; y++)
		st = basic_year(in, &g, &ys, y, acc, rows, e);
	free(acc);
	ind_years_release(&ys);
	ind_grid_release(&g);
	return st;
}
