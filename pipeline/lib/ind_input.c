/* ind_input — loading the clean tables for the indicators stage, the years
 * they cover and the (year, school, grade) grid of enrolment and promotion
 * counts that the basic and cohort producers share. */
#include "ind.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ind_priv.h"

/* ------------------------------------------------------------- columns */

ss_status ind_columns(const ctable *t, const char *const *names, int *idx,
		      ss_error *e)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		idx[i] = ctable_col(t, names[i]);
		if (idx[i] < 0)
			return err_set(e, SS_EDATA, t->path, 1, 0,
				       "missing column '%s' (expected the clean table header of docs/DESIGN.md)",
				       names[i]);
	}
	return SS_OK;
}

int ind_count_at(const ctable *t, size_t row, int col, long long *out,
		 ss_error *e)
{
	int r = ctable_get_ll(t, row, col, out);

	if (r == 1 && *out < 0)
		r = -1;
	if (r < 0)
		err_set(e, SS_EDATA, t->path, t->lines[row], 0,
			"%s is not a whole number '%s' (expected a count of 0 or more)",
			t->header[col], ctable_get(t, row, col));
	return r;
}

int ind_real_at(const ctable *t, size_t row, int col, double *out,
		ss_error *e)
{
	int r = ctable_get_double(t, row, col, out);

	if (r < 0)
		err_set(e, SS_EDATA, t->path, t->lines[row], 0,
			"%s is not a number '%s' (expected a plain number)",
			t->header[col], ctable_get(t, row, col));
	return r;
}

long ind_src_line(const ctable *t, size_t row)
{
	long long v;

	if (ctable_get_ll(t, row, ctable_col(t, "src_line"), &v) != 1 ||
	    v < 0 || v > 0x7fffffffL)
		return 0;
	return (long)v;
}

/* --------------------------------------------------------------- input */

void ind_input_init(ind_input *in)
{
	memset(in, 0, sizeof *in);
	ctable_init(&in->schools);
	ctable_init(&in->enrollment);
	ctable_init(&in->promotion);
	ctable_init(&in->staffing);
	ctable_init(&in->exam_summary);
	ctable_init(&in->exam_hist);
	ctable_init(&in->accreditation);
	strmap_init(&in->school_index);
	ind_scopes_init(&in->scopes);
}

void ind_input_release(ind_input *in)
{
	if (!in)
		return;
	ctable_release(&in->schools);
	ctable_release(&in->enrollment);
	ctable_release(&in->promotion);
	ctable_release(&in->staffing);
	ctable_release(&in->exam_summary);
	ctable_release(&in->exam_hist);
	ctable_release(&in->accreditation);
	strmap_release(&in->school_index);
	ind_scopes_release(&in->scopes);
	free(in->school);
	free(in->outdir);
	ind_input_init(in);
}

/* Loads outdir/clean/name into t. *present = 0 when the file does not
 * exist and it is optional. */
static ss_status load_table(const char *outdir, const char *name,
			    int required, ctable *t, int *present,
			    ss_error *e)
{
	char path[4096];
	struct stat sb;

	*present = 0;
	if ((size_t)snprintf(path, sizeof path, "%s/clean/%s", outdir, name) >=
	    sizeof path)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "output directory name too long '%s'", outdir);
	if (!required && stat(path, &sb) != 0 && errno == ENOENT)
		return SS_OK;
	*present = 1;
	return ctable_load(t, path, e);
}

static ss_status load_schools(ind_input *in, ss_error *e)
{
	static const char *const cols[] = { "school_id", "level", "commune",
					    "district", "province", NULL };
	int c[5];
	size_t i;
	ss_status st = ind_columns(&in->schools, cols, c, e);

	if (st != SS_OK)
		return st;
	in->school = calloc(in->schools.nrows + 1, sizeof *in->school);
	if (!in->school)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	for (i = 0; i < in->schools.nrows; i++) {
		ind_school *s = &in->school[in->nschools];
		int put;
		s->id = ctable_get(&in->schools, i, c[0]);
		if (!*s->id)
			continue;
		/* A repeated id keeps its first row, as ingest does. */
		put = strmap_put(&in->school_index, s->id,
				 (long)in->nschools, NULL);
		if (put < 0)
			return err_set(e, SS_ENOMEM, NULL, 0, 0,
				       "out of memory");
		if (put == 0)
			continue;
		s->level = ctable_get(&in->schools, i, c[1]);
		s->commune = ctable_get(&in->schools, i, c[2]);
		s->district = ctable_get(&in->schools, i, c[3]);
		s->province = ctable_get(&in->schools, i, c[4]);
		s->src_line = ind_src_line(&in->schools, i);
		in->nschools++;
	}
	return ind_scopes_build(&in->scopes, in->school, in->nschools, e);
}

ss_status ind_input_load(ind_input *in, const char *outdir, ss_error *e)
{
	struct {
		const char *name;
		ctable *t;
		int *present;
	} opt[] = {
		{ "enrollment.csv", &in->enrollment, &in->has_enrollment },
		{ "promotion.csv", &in->promotion, &in->has_promotion },
		{ "staffing.csv", &in->staffing, &in->has_staffing },
		{ "exam_summary.csv", &in->exam_summary,
		  &in->has_exam_summary },
		{ "exam_hist.csv", &in->exam_hist, &in->has_exam_hist },
		{ "accreditation.csv", &in->accreditation,
		  &in->has_accreditation },
	};
	int present;
	size_t i;
	ss_status st;

	in->outdir = strdup(outdir);
	if (!in->outdir)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	st = load_table(outdir, "schools.csv", 1, &in->schools, &present, e);
	if (st == SS_OK)
		st = load_schools(in, e);
	for (i = 0; st == SS_OK && i < sizeof opt / sizeof opt[0]; i++)
		st = load_table(outdir, opt[i].name, 0, opt[i].t,
				opt[i].present, e);
	return st;
}

long ind_input_school(const ind_input *in, const char *id)
{
	long v;

	return strmap_get(&in->school_index, id, &v) ? v : -1;
}

/* Warns once per row whose school the producers will skip. */
static ss_status check_table(const ind_input *in, const ctable *t,
			     const char *file, int grades, diag_sink *diag,
			     ss_error *e)
{
	int cs = ctable_col(t, "school_id"), cg = ctable_col(t, "grade");
	size_t i;

	if (cs < 0)
		return SS_OK; /* the producer reports the missing column */
	for (i = 0; i < t->nrows; i++) {
		const char *id = ctable_get(t, i, cs);
		ss_status st = SS_OK;
		if (ind_input_school(in, id) < 0)
			st = diag_report(diag, DIAG_WARNING, "unknown_school",
					 file, ind_src_line(t, i), 0,
					 "school '%s' is not in schools.csv (expected a school_id of schools.csv); row left out of the indicators",
					 id);
		else if (grades && cg >= 0 &&
			 ind_grade_index(ctable_get(t, i, cg)) < 0)
			st = diag_report(diag, DIAG_WARNING, "unknown_grade",
					 file, ind_src_line(t, i), 0,
					 "unknown grade '%s' (expected nha_tre, mg_3, mg_4, mg_5, 1 to 12 or all); row left out of the indicators",
					 ctable_get(t, i, cg));
		if (st != SS_OK)
			return err_set(e, st, NULL, 0, 0, "out of memory");
	}
	return SS_OK;
}

ss_status ind_input_check(const ind_input *in, diag_sink *diag,
			  ss_error *e)
{
	ss_status st = SS_OK;

	if (!diag)
		return SS_OK;
	if (in->has_enrollment)
		st = check_table(in, &in->enrollment, "enrollment.csv", 1, diag,
				 e);
	if (st == SS_OK && in->has_promotion)
		st = check_table(in, &in->promotion, "promotion.csv", 1, diag,
				 e);
	if (st == SS_OK && in->has_staffing)
		st = check_table(in, &in->staffing, "staffing.csv", 0, diag, e);
	if (st == SS_OK && in->has_exam_summary)
		st = check_table(in, &in->exam_summary, "exam_summary.csv", 0,
				 diag, e);
	if (st == SS_OK && in->has_exam_hist)
		st = check_table(in, &in->exam_hist, "exam_scores.csv", 0,
				 diag, e);
	return st;
}

/* --------------------------------------------------------------- years */

void ind_years_init(ind_years *y)
{
	memset(y, 0, sizeof *y);
}

void ind_years_release(ind_years *y)
{
	if (!y)
		return;
	free(y->start);
	ind_years_init(y);
}

static int add_year(ind_years *y, int start)
{
	size_t lo = 0, hi = y->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (y->start[mid] < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < y->n && y->start[lo] == start)
		return 1;
	if (y->n == y->cap) {
		size_t cap = y->cap ? 2 * y->cap : 16;
		int *p = realloc(y->start, cap * sizeof *p);
		if (!p)
			return 0;
		y->start = p;
		y->cap = cap;
	}
	memmove(y->start + lo + 1, y->start + lo,
		(y->n - lo) * sizeof *y->start);
	y->start[lo] = start;
	y->n++;
	return 1;
}

ss_status ind_years_add_table(ind_years *y, const ctable *t, ss_error *e)
{
	int c = ctable_col(t, "year"), start;
	size_t i;

	if (c < 0)
		return err_set(e, SS_EDATA, t->path, 1, 0,
			       "missing column 'year' (expected the clean table header of docs/DESIGN.md)");
	for (i = 0; i < t->nrows; i++) {
		const char *v = ctable_get(t, i, c);
		if (!ind_year_parse(v, &start))
			return err_set(e, SS_EDATA, t->path, t->lines[i], 0,
				       "malformed year '%s' (expected a school year such as 2024-2025)",
				       v);
		if (!add_year(y, start))
			return err_set(e, SS_ENOMEM, NULL, 0, 0,
				       "out of memory");
	}
	return SS_OK;
}

long ind_years_find(const ind_years *y, int start)
{
	size_t lo = 0, hi = y->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (y->start[mid] == start)
			return (long)mid;
		if (y->start[mid] < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---------------------------------------------------------------- grid */

void ind_grid_init(ind_grid *g)
{
	memset(g, 0, sizeof *g);
	ind_years_init(&g->years);
}

void ind_grid_release(ind_grid *g)
{
	if (!g)
		return;
	ind_years_release(&g->years);
	free(g->cell);
	ind_grid_init(g);
}

static ind_cell *grid_cell(const ind_grid *g, size_t y, size_t s, int grade)
{
	return &g->cell[(y * g->nschools + s) * IND_NUM_GRADES +
			(size_t)grade];
}

const ind_cell *ind_grid_at(const ind_grid *g, size_t y, size_t s, int grade)
{
	if (y >= g->years.n || s >= g->nschools || grade < 0 ||
	    grade >= IND_NUM_GRADES)
		return NULL;
	return grid_cell(g, y, s, grade);
}

/* Finds the cell of row i of t (year, school_id, grade columns c[0..2]);
 * NULL when the school or grade is unknown (warned about elsewhere). */
static ind_cell *row_cell(const ind_grid *g, const ind_input *in,
			  const ctable *t, size_t i, const int *c)
{
	int start, grade = ind_grade_index(ctable_get(t, i, c[2]));
	long s = ind_input_school(in, ctable_get(t, i, c[1]));
	long y;

	if (s < 0 || grade < 0 || !ind_year_parse(ctable_get(t, i, c[0]),
						  &start))
		return NULL;
	y = ind_years_find(&g->years, start);
	return y < 0 ? NULL : grid_cell(g, (size_t)y, (size_t)s, grade);
}

static ss_status fill_enrollment(ind_grid *g, const ind_input *in,
				 ss_error *e)
{
	static const char *const cols[] = { "year", "school_id", "grade",
					    "classes", "students", NULL };
	const ctable *t = &in->enrollment;
	int c[5];
	size_t i;
	ss_status st = ind_columns(t, cols, c, e);

	for (i = 0; st == SS_OK && i < t->nrows; i++) {
		ind_cell *x = row_cell(g, in, t, i, c);
		long long classes = 0, students = 0;
		if (ind_count_at(t, i, c[3], &classes, e) < 0 ||
		    ind_count_at(t, i, c[4], &students, e) < 0)
			return SS_EDATA;
		if (!x)
			continue;
		if (!x->has_enr)
			x->enr_line = ind_src_line(t, i);
		x->has_enr = 1;
		x->classes += classes;
		x->students += students;
	}
	return st;
}

static ss_status fill_promotion(ind_grid *g, const ind_input *in,
				ss_error *e)
{
	static const char *const cols[] = { "year", "school_id", "grade",
					    "enrolled", "promoted",
					    "repeated", "dropped",
					    "completed", NULL };
	const ctable *t = &in->promotion;
	int c[8];
	size_t i;
	ss_status st = ind_columns(t, cols, c, e);

	for (i = 0; st == SS_OK && i < t->nrows; i++) {
		ind_cell *x = row_cell(g, in, t, i, c);
		long long v[5] = { 0, 0, 0, 0, 0 };
		int k, has_completed = 0;
		for (k = 0; k < 5; k++) {
			int r = ind_count_at(t, i, c[3 + k], &v[k], e);
			if (r < 0)
				return SS_EDATA;
			if (k == 4)
				has_completed = r == 1;
		}
		if (!x)
			continue;
		if (!x->has_prom)
			x->prom_line = ind_src_line(t, i);
		x->has_prom = 1;
		x->enrolled += v[0];
		x->promoted += v[1];
		x->repeated += v[2];
		x->dropped += v[3];
		if (has_completed) {
			x->has_completed = 1;
			x->completed += v[4];
		}
	}
	return st;
}

ss_status ind_grid_build(ind_grid *g, const ind_input *in, ss_error *e)
{
	ss_status st = SS_OK;
	size_t ncells;

	ind_grid_init(g);
	g->nschools = in->nschools;
	if (in->has_enrollment)
		st = ind_years_add_table(&g->years, &in->enrollment, e);
	if (st == SS_OK && in->has_promotion)
		st = ind_years_add_table(&g->years, &in->promotion, e);
	if (st != SS_OK)
		return st;
	ncells = g->years.n * g->nschools * IND_NUM_GRADES;
	g->cell = calloc(ncells ? ncells : 1, sizeof *g->cell);
	if (!g->cell)
		return err_set(e, SS_ENOMEM, NULL, 0, 0,
			       "out of memory for the enrolment grid");
	if (in->has_enrollment)
		st = fill_enrollment(g, in, e);
	if (st == SS_OK && in->has_promotion)
		st = fill_promotion(g, in, e);
	return st;
}
