/* chart_data — Vietnamese labels, school names and the chart structs built
 * from the contract's output tables. */
#include "chart.h"
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ind.h"

/* ------------------------------------------------------------ arena */

void chart_arena_init(chart_arena *a)
{
	a->blocks = NULL;
	a->n = a->cap = 0;
}

void chart_arena_release(chart_arena *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->blocks[i]);
	free(a->blocks);
	chart_arena_init(a);
}

void *chart_arena_alloc(chart_arena *a, size_t size)
{
	void *p;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		void **b = realloc(a->blocks, cap * sizeof *b);

		if (!b)
			return NULL;
		a->blocks = b;
		a->cap = cap;
	}
	p = calloc(1, size ? size : 1);
	if (p)
		a->blocks[a->n++] = p;
	return p;
}

char *chart_arena_strdup(chart_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = chart_arena_alloc(a, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static ss_status nomem(ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory building a chart");
}

/* ------------------------------------------------------------ labels */

typedef struct label_pair {
	const char *code;
	const char *label;
} label_pair;

static const char *lookup(const label_pair *t, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].label;
	return NULL;
}

#define LOOKUP(table, code) lookup(table, sizeof table / sizeof table[0], code)

/* One table of Vietnamese names serves the charts and the PDF
 * (report_label.c), so a chart and the page it stands on name every
 * indicator, subject and level alike. */
const char *chart_subject_label(const char *subject)
{
	const char *l = report_subject_label(subject);

	return l ? l : subject;
}

const char *chart_level_label(const char *level)
{
	const char *l = report_level_label(level);

	return l ? l : level;
}

const char *chart_indicator_label(const char *indicator, char *buf,
				  size_t size)
{
	report_indicator_label(indicator, buf, size);
	return buf;
}

/* "toan" -> "Toán"; "tn_thpt:toan" -> "Toán (Thi tốt nghiệp THPT)". */
static const char *subject_phrase(const char *subject, char *buf,
				  size_t size)
{
	const char *colon = strchr(subject, ':');
	char exam[128];
	const char *el;

	if (!colon) {
		snprintf(buf, size, "%s", chart_subject_label(subject));
		return buf;
	}
	snprintf(exam, sizeof exam, "%.*s", (int)(colon - subject), subject);
	el = report_exam_label(exam);
	snprintf(buf, size, "%s (%s)", chart_subject_label(colon + 1),
		 el ? el : exam);
	return buf;
}

int chart_indicator_is_percent(const char *indicator)
{
	const ind_def *def = ind_def_find(indicator);

	return def && def->scale == 100.0;
}

int chart_indicator_decimals(const char *indicator)
{
	const ind_def *def = ind_def_find(indicator);

	if (!def)
		return 2;
	if (def->scale == 100.0)
		return 1;
	if (def->kind == IND_KIND_COUNT)
		return 0;
	if (def->id == IND_STUDENTS_PER_CLASS ||
	    def->id == IND_STUDENTS_PER_TEACHER)
		return 1;
	return 2;
}

/* ------------------------------------------------------------ names */

void chart_names_init(chart_names *m)
{
	strmap_init(&m->index);
	m->names = NULL;
	m->n = m->cap = 0;
}

void chart_names_release(chart_names *m)
{
	size_t i;

	strmap_release(&m->index);
	for (i = 0; i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	m->names = NULL;
	m->n = m->cap = 0;
}

ss_status chart_names_load(chart_names *m, const ctable *schools,
			   ss_error *e)
{
	int cid = ctable_col(schools, "school_id");
	int cname = ctable_col(schools, "name");
	size_t r;

	if (cid < 0 || cname < 0)
		return err_set(e, SS_EDATA, schools->path, 1, 0,
			       "missing column '%s' (expected school_id and "
			       "name)",
			       cid < 0 ? "school_id" : "name");
	for (r = 0; r < schools->nrows; r++) {
		const char *id = ctable_get(schools, r, cid);
		int put;

		if (!*id)
			continue;
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 64;
			char **p = realloc(m->names, cap * sizeof *p);

			if (!p)
				return nomem(e);
			m->names = p;
			m->cap = cap;
		}
		put = strmap_put(&m->index, id, (long)m->n, NULL);
		if (put < 0)
			return nomem(e);
		if (put == 0)
			continue; /* the first row of an id wins */
		m->names[m->n] = strdup(ctable_get(schools, r, cname));
		if (!m->names[m->n])
			return nomem(e);
		m->n++;
	}
	return SS_OK;
}

const char *chart_names_get(const chart_names *m, const char *school_id)
{
	long i;

	if (!m || !strmap_get(&m->index, school_id, &i))
		return NULL;
	return m->names[i][0] ? m->names[i] : NULL;
}

int chart_scope_is_school(const char *scope)
{
	return scope[0] && strcmp(scope, "all") != 0 && !strchr(scope, ':');
}

const char *chart_scope_label(const chart_names *m, const char *scope,
			      char *buf, size_t size)
{
	static const label_pair area_prefix[] = {
		{ "commune", "Xã/phường" },
		{ "district", "Quận/huyện" },
		{ "province", "Tỉnh/thành phố" },
	};
	const char *colon = strchr(scope, ':');
	const char *name;
	char kind[32];

	if (strcmp(scope, "all") == 0) {
		snprintf(buf, size, "Toàn đơn vị");
		return buf;
	}
	if (!colon) {
		name = chart_names_get(m, scope);
		snprintf(buf, size, "%s", name ? name : scope);
		return buf;
	}
	snprintf(kind, sizeof kind, "%.*s", (int)(colon - scope), scope);
	if (strcmp(kind, "level") == 0) {
		/* inside a phrase the two word-named levels read lower case:
		 * "Cấp tiểu học", but "Cấp THCS" */
		const char *lv = colon + 1;

		snprintf(buf, size, "Cấp %s",
			 strcmp(lv, "tieu_hoc") == 0 ? "tiểu học"
			 : strcmp(lv, "mam_non") == 0 ? "mầm non"
						      : chart_level_label(lv));
	} else if ((name = LOOKUP(area_prefix, kind)) != NULL) {
		snprintf(buf, size, "%s %s", name, colon + 1);
	} else {
		snprintf(buf, size, "%s", scope);
	}
	return buf;
}

/* ------------------------------------------------------------ tables */

/* Column indexes of names[0..n) into cols; SS_EDATA naming the first one
 * missing. */
static ss_status need_columns(const ctable *t, const char *const *names,
			      int *cols, size_t n, ss_error *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cols[i] = ctable_col(t, names[i]);
		if (cols[i] < 0)
			return err_set(e, SS_EDATA, t->path, 1, 0,
				       "missing column '%s' (expected the "
				       "contract's header)",
				       names[i]);
	}
	return SS_OK;
}

/* A number cell: *present 0 when empty; SS_EDATA when it holds text. */
static ss_status get_number(const ctable *t, size_t row, int col,
			    double *out, int *present, ss_error *e)
{
	int r = ctable_get_double(t, row, col, out);

	if (r < 0)
		return err_set(e, SS_EDATA, t->path, t->lines[row], 0,
			       "%s is not a number '%s' (expected a plain "
			       "number)",
			       t->header[col], ctable_get(t, row, col));
	*present = r > 0;
	return SS_OK;
}

static ss_status need_number(const ctable *t, size_t row, int col,
			     double *out, ss_error *e)
{
	int present = 0;
	ss_status s = get_number(t, row, col, out, &present, e);

	if (s == SS_OK && !present)
		return err_set(e, SS_EDATA, t->path, t->lines[row], 0,
			       "%s is empty '' (expected a number)",
			       t->header[col]);
	return s;
}

int chart_latest_year(const ctable *t, char *buf, size_t size)
{
	int cy = ctable_col(t, "year");
	const char *best = NULL;
	size_t r;

	if (cy < 0)
		return 0;
	for (r = 0; r < t->nrows; r++) {
		const char *y = ctable_get(t, r, cy);

		if (*y && (!best || strcmp(y, best) > 0))
			best = y;
	}
	if (!best)
		return 0;
	snprintf(buf, size, "%s", best);
	return 1;
}

static size_t count_year(const ctable *t, int cy, const char *year)
{
	size_t r, n = 0;

	for (r = 0; r < t->nrows; r++)
		if (strcmp(ctable_get(t, r, cy), year) == 0)
			n++;
	return n;
}

/* A target is in force in `year` when it is that year's, or when it has a
 * deadline and its year (gaps.csv gives a deadline target the deadline's
 * school year) is later: a 2030 target is followed every year until then.
 * A deadline row whose actual is from after `year` describes a later
 * state and is left out of that year. Missing optional columns are -1. */
static int target_in_force(const ctable *t, size_t r, int cyear, int cdead,
			   const char *year)
{
	const char *y = ctable_get(t, r, cyear);
	int cay = ctable_col(t, "actual_year");

	if (strcmp(y, year) == 0)
		return 1;
	if (cdead < 0 || !*ctable_get(t, r, cdead) || strcmp(y, year) <= 0)
		return 0;
	return cay < 0 || strcmp(ctable_get(t, r, cay), year) <= 0;
}

static size_t count_in_force(const ctable *t, int cyear, int cdead,
			     const char *year)
{
	size_t r, n = 0;

	for (r = 0; r < t->nrows; r++)
		n += (size_t)target_in_force(t, r, cyear, cdead, year);
	return n;
}

static char *arena_printf(chart_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *arena_printf(chart_arena *a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return chart_arena_strdup(a, buf);
}

/* ------------------------------------------------------------ a. targets */

/* met / not_met / no_data from the row; baseline when the actual is from
 * a year before the one drawn (a deadline target's "baseline" actual of
 * the drawn year itself is that year's progress). */
static ss_status target_status(const ctable *t, size_t r, int cstatus,
			       int cbasis, int cactual_year, const char *year,
			       chart_status *out, ss_error *e)
{
	const char *s = ctable_get(t, r, cstatus);

	if (strcmp(s, "met") == 0)
		*out = CHART_MET;
	else if (strcmp(s, "not_met") == 0)
		*out = CHART_NOT_MET;
	else if (strcmp(s, "no_data") == 0)
		*out = CHART_NO_DATA;
	else
		return err_set(e, SS_EDATA, t->path, t->lines[r], 0,
			       "unknown status '%s' (expected met, not_met or "
			       "no_data)",
			       s);
	if (*out != CHART_NO_DATA &&
	    strcmp(ctable_get(t, r, cbasis), "baseline") == 0 &&
	    strcmp(ctable_get(t, r, cactual_year), year) != 0)
		*out = CHART_BASELINE;
	return SS_OK;
}

ss_status chart_build_targets(chart_arena *a, const ctable *gaps,
			      const char *year, const chart_names *names,
			      chart_targets *out, ss_error *e)
{
	static const char *const cols_needed[] = { "year", "scope", "indicator",
						   "op", "target", "actual",
						   "actual_year", "basis",
						   "status" };
	enum { YEAR, SCOPE, IND, OP, TARGET, ACTUAL, ACTUAL_YEAR, BASIS,
	       STATUS, NCOLS };
	int c[NCOLS];
	int cdead = ctable_col(gaps, "deadline");
	chart_target_row *rows;
	size_t r, n = 0;
	ss_status s;

	memset(out, 0, sizeof *out);
	s = need_columns(gaps, cols_needed, c, NCOLS, e);
	if (s != SS_OK)
		return s;
	rows = chart_arena_alloc(a, (count_in_force(gaps, c[YEAR], cdead, year) + 1) *
				      sizeof *rows);
	if (!rows)
		return nomem(e);
	for (r = 0; r < gaps->nrows; r++) {
		chart_target_row *row = &rows[n];
		const char *ind = ctable_get(gaps, r, c[IND]);
		const char *dead = cdead >= 0 ? ctable_get(gaps, r, cdead) : "";
		char buf[512];

		if (!target_in_force(gaps, r, c[YEAR], cdead, year))
			continue;
		s = target_status(gaps, r, c[STATUS], c[BASIS], c[ACTUAL_YEAR],
				  year, &row->status, e);
		if (s == SS_OK)
			s = need_number(gaps, r, c[TARGET], &row->target, e);
		if (s == SS_OK && row->status != CHART_NO_DATA)
			s = need_number(gaps, r, c[ACTUAL], &row->actual, e);
		if (s != SS_OK)
			return s;
		row->indicator = chart_arena_strdup(
			a, chart_indicator_label(ind, buf, sizeof buf));
		row->scope = chart_arena_strdup(
			a, chart_scope_label(names, ctable_get(gaps, r, c[SCOPE]),
					     buf, sizeof buf));
		row->op = chart_arena_strdup(a, ctable_get(gaps, r, c[OP]));
		/* An earlier year's actual says which year it is from; a
		 * deadline target says when it is due. */
		if (row->status == CHART_BASELINE && *dead)
			row->note = arena_printf(
				a, "%s; đến năm %s",
				ctable_get(gaps, r, c[ACTUAL_YEAR]), dead);
		else if (row->status == CHART_BASELINE)
			row->note = chart_arena_strdup(
				a, ctable_get(gaps, r, c[ACTUAL_YEAR]));
		else if (*dead)
			row->note = arena_printf(a, "đến năm %s", dead);
		else
			row->note = "";
		if (!row->indicator || !row->scope || !row->op || !row->note)
			return nomem(e);
		row->percent = chart_indicator_is_percent(ind);
		row->decimals = chart_indicator_decimals(ind);
		n++;
	}
	out->title = arena_printf(a, "Chỉ tiêu và thực hiện, năm học %s", year);
	if (!out->title)
		return nomem(e);
	out->rows = rows;
	out->nrows = n;
	return SS_OK;
}

/* ------------------------------------------------------------ b. norms */

ss_status chart_build_norms(chart_arena *a, const ctable *norms,
			    const char *year, const chart_names *names,
			    chart_norms *out, ss_error *e)
{
	static const char *const cols_needed[] = { "year", "scope", "norm",
						   "value", "limit", "status" };
	enum { YEAR, SCOPE, NORM, VALUE, LIMIT, STATUS, NCOLS };
	int c[NCOLS];
	chart_norm_row *rows;
	strmap seen;
	size_t r, n = 0;
	ss_status s = SS_OK;

	memset(out, 0, sizeof *out);
	s = need_columns(norms, cols_needed, c, NCOLS, e);
	if (s != SS_OK)
		return s;
	rows = chart_arena_alloc(a, (count_year(norms, c[YEAR], year) + 1) *
				      sizeof *rows);
	if (!rows)
		return nomem(e);
	strmap_init(&seen);
	for (r = 0; r < norms->nrows && s == SS_OK; r++) {
		const char *scope = ctable_get(norms, r, c[SCOPE]);
		const char *norm = ctable_get(norms, r, c[NORM]);
		const char *status = ctable_get(norms, r, c[STATUS]);
		int p, put, present;
		long at;
		chart_norm_cell *cell;

		if (strcmp(ctable_get(norms, r, c[YEAR]), year) != 0 ||
		    !chart_scope_is_school(scope))
			continue;
		if (strcmp(norm, "teachers_per_class") == 0)
			p = 0;
		else if (strcmp(norm, "students_per_class") == 0)
			p = 1;
		else
			continue;
		put = strmap_put(&seen, scope, (long)n, &at);
		if (put < 0) {
			s = nomem(e);
			break;
		}
		if (put == 1) {
			const char *name = chart_names_get(names, scope);

			at = (long)n++;
			rows[at].name = chart_arena_strdup(a, name ? name : scope);
			if (!rows[at].name) {
				s = nomem(e);
				break;
			}
			rows[at].cell[0] = (chart_norm_cell){ NAN, NAN, 0 };
			rows[at].cell[1] = (chart_norm_cell){ NAN, NAN, 0 };
		}
		cell = &rows[at].cell[p];
		s = get_number(norms, r, c[VALUE], &cell->value, &present, e);
		if (s == SS_OK && !present)
			cell->value = NAN;
		if (s == SS_OK)
			s = get_number(norms, r, c[LIMIT], &cell->limit,
				       &present, e);
		if (s == SS_OK && !present)
			cell->limit = NAN;
		if (s == SS_OK && ((!isnan(cell->value) && cell->value < 0.0) ||
				   (!isnan(cell->limit) && cell->limit < 0.0)))
			s = err_set(e, SS_EDATA, norms->path, norms->lines[r], 0,
				    "negative value or limit '%s' (expected a "
				    "number >= 0)",
				    ctable_get(norms, r, c[VALUE]));
		cell->flagged = *status && strcmp(status, "ok") != 0;
	}
	strmap_release(&seen);
	if (s != SS_OK)
		return s;
	out->title = arena_printf(
		a, "Giáo viên/lớp và học sinh/lớp theo trường, năm học %s", year);
	if (!out->title)
		return nomem(e);
	out->panel_title[0] = "Giáo viên/lớp";
	out->panel_title[1] = "Học sinh/lớp";
	out->decimals[0] = 2;
	out->decimals[1] = 1;
	out->ok_label = "Đạt định mức";
	out->flag_label = "Không đạt (thiếu giáo viên, vượt sĩ số)";
	out->limit_label = "Định mức theo cấp học của trường";
	out->rows = rows;
	out->nrows = n;
	return SS_OK;
}

/* ------------------------------------------------------------ c. histograms */

/* The first indicators.csv row of each indicator of one year and scope
 * all (the exam charts' means and medians): one pass over the table, made
 * when first needed, instead of one per value. */
typedef struct value_index {
	strmap first;    /* indicator -> row */
	int built;
	int cv;          /* the value column */
} value_index;

/* The value of the row (year, all, indicator); NAN when absent or empty. */
static ss_status value_of(const ctable *ind, value_index *x, const char *year,
			  const char *indicator, double *out, ss_error *e)
{
	long row;
	int present = 0;
	ss_status s;

	*out = NAN;
	if (!x->built) {
		int cy = ctable_col(ind, "year"), cs = ctable_col(ind, "scope");
		int ci = ctable_col(ind, "indicator");
		size_t r;

		x->cv = ctable_col(ind, "value");
		if (cy < 0 || cs < 0 || ci < 0 || x->cv < 0)
			return err_set(e, SS_EDATA, ind->path, 1, 0,
				       "missing column '%s' (expected the "
				       "contract's header)",
				       cy < 0	? "year"
				       : cs < 0 ? "scope"
				       : ci < 0 ? "indicator"
						: "value");
		for (r = 0; r < ind->nrows; r++)
			if (strcmp(ctable_get(ind, r, cy), year) == 0 &&
			    strcmp(ctable_get(ind, r, cs), "all") == 0 &&
			    strmap_put(&x->first, ctable_get(ind, r, ci),
				       (long)r, NULL) < 0)
				return nomem(e);
		x->built = 1;
	}
	if (!strmap_get(&x->first, indicator, &row))
		return SS_OK;
	s = get_number(ind, (size_t)row, x->cv, out, &present, e);
	if (s == SS_OK && !present)
		*out = NAN;
	return s;
}

static int bin_cmp(const void *pa, const void *pb)
{
	const chart_hist_bin *a = pa, *b = pb;

	if (a->low != b->low)
		return a->low < b->low ? -1 : 1;
	if (a->high != b->high)
		return a->high < b->high ? -1 : 1;
	return 0;
}

#define HIST_PREFERRED_WIDTH 0.25

typedef struct hist_subject {
	const char *name;   /* in the arena */
	double width;       /* the width chosen */
	size_t nbins;
	const size_t *rows; /* its rows of the year and scope all */
	size_t nrows;
} hist_subject;

/* Gives each subject its rows, in file order, from the subject of each
 * row of year/all (rows[k] of subject of[k], k < m). */
static ss_status group_rows(hist_subject *subj, size_t n, const size_t *rows,
			    const size_t *of, size_t m, chart_arena *a,
			    ss_error *e)
{
	size_t *start = chart_arena_alloc(a, (n + 1) * sizeof *start);
	size_t *grouped = chart_arena_alloc(a, (m + 1) * sizeof *grouped);
	size_t i, k;

	if (!start || !grouped)
		return nomem(e);
	for (k = 0; k < m; k++)
		subj[of[k]].nrows++;
	for (i = 0; i + 1 < n; i++)
		start[i + 1] = start[i] + subj[i].nrows;
	for (i = 0; i < n; i++) {
		subj[i].rows = grouped + start[i];
		subj[i].nrows = 0;
	}
	for (k = 0; k < m; k++) {
		hist_subject *h = &subj[of[k]];

		grouped[(size_t)(h->rows - grouped) + h->nrows++] = rows[k];
	}
	return SS_OK;
}

/* Subjects of year/all in file order, each with the width to draw and its
 * rows. */
static ss_status hist_subjects(const ctable *h, const int *c,
			       const char *year, hist_subject **out,
			       size_t *n, chart_arena *a, ss_error *e)
{
	size_t r, m = 0, cap = count_year(h, c[0], year) + 1;
	hist_subject *subj = chart_arena_alloc(a, cap * sizeof *subj);
	size_t *rows = chart_arena_alloc(a, cap * sizeof *rows);
	size_t *of = chart_arena_alloc(a, cap * sizeof *of);
	strmap seen;
	ss_status s = SS_OK;

	*n = 0;
	if (!subj || !rows || !of)
		return nomem(e);
	strmap_init(&seen);
	for (r = 0; r < h->nrows && s == SS_OK; r++) {
		const char *sub = ctable_get(h, r, c[2]);
		double w;
		long at;
		int put;

		if (strcmp(ctable_get(h, r, c[0]), year) != 0 ||
		    strcmp(ctable_get(h, r, c[1]), "all") != 0)
			continue;
		s = need_number(h, r, c[3], &w, e);
		if (s != SS_OK)
			break;
		put = strmap_put(&seen, sub, (long)*n, &at);
		if (put < 0) {
			s = nomem(e);
		} else if (put == 1) {
			/* a copy: the charts may outlive the table */
			subj[*n].name = chart_arena_strdup(a, sub);
			subj[*n].width = w;
			if (!subj[*n].name)
				s = nomem(e);
			at = (long)(*n)++;
		} else if (fabs(w - HIST_PREFERRED_WIDTH) < 1e-9) {
			subj[at].width = w;
		}
		rows[m] = r;
		of[m++] = (size_t)at;
	}
	strmap_release(&seen);
	if (s == SS_OK)
		s = group_rows(subj, *n, rows, of, m, a, e);
	*out = subj;
	return s;
}

static ss_status build_histograms(chart_arena *a, const ctable *hist,
				  const ctable *ind, value_index *values,
				  const char *year, chart_histogram **out,
				  const char *const **subjects, size_t *n,
				  ss_error *e)
{
	static const char *const cols_needed[] = { "year", "scope", "subject",
						   "bin_width", "bin_low",
						   "bin_high", "count" };
	enum { YEAR, SCOPE, SUBJECT, WIDTH, LOW, HIGH, COUNT, NCOLS };
	int c[NCOLS];
	hist_subject *subj = NULL;
	chart_histogram *hs;
	const char **names;
	size_t ns = 0, i, j, r;
	ss_status s;

	*out = NULL;
	*subjects = NULL;
	*n = 0;
	s = need_columns(hist, cols_needed, c, NCOLS, e);
	if (s == SS_OK)
		s = hist_subjects(hist, c, year, &subj, &ns, a, e);
	if (s != SS_OK)
		return s;
	hs = chart_arena_alloc(a, (ns + 1) * sizeof *hs);
	names = chart_arena_alloc(a, (ns + 1) * sizeof *names);
	if (!hs || !names)
		return nomem(e);
	for (i = 0; i < ns; i++) {
		chart_hist_bin *bins;
		chart_histogram *h = &hs[i];
		long long total = 0;
		size_t nb = 0;
		char what[256], num[FMT_BUF_SIZE], wtxt[FMT_BUF_SIZE];
		char ind_name[256];

		for (j = 0; j < subj[i].nrows; j++) {
			double w;
			int present;

			r = subj[i].rows[j];
			s = get_number(hist, r, c[WIDTH], &w, &present, e);
			if (s != SS_OK)
				return s;
			if (present && fabs(w - subj[i].width) < 1e-9)
				nb++;
		}
		bins = chart_arena_alloc(a, (nb + 1) * sizeof *bins);
		if (!bins)
			return nomem(e);
		nb = 0;
		h->x_min = 0.0;
		h->x_max = 10.0;
		for (j = 0; j < subj[i].nrows; j++) {
			double w, count;

			r = subj[i].rows[j];
			s = need_number(hist, r, c[WIDTH], &w, e);
			if (s != SS_OK)
				return s;
			if (fabs(w - subj[i].width) >= 1e-9)
				continue;
			s = need_number(hist, r, c[LOW], &bins[nb].low, e);
			if (s == SS_OK)
				s = need_number(hist, r, c[HIGH], &bins[nb].high,
						e);
			if (s == SS_OK)
				s = need_number(hist, r, c[COUNT], &count, e);
			if (s == SS_OK &&
			    (count < 0.0 || count != floor(count) ||
			     count > 9e15 || !(bins[nb].high > bins[nb].low)))
				s = err_set(e, SS_EDATA, hist->path,
					    hist->lines[r], 0,
					    "bad bin '%s' (expected bin_low < "
					    "bin_high and a whole count)",
					    ctable_get(hist, r, c[COUNT]));
			if (s != SS_OK)
				return s;
			bins[nb].count = (long long)count;
			total += bins[nb].count;
			h->x_min = fmin(h->x_min, bins[nb].low);
			h->x_max = fmax(h->x_max, bins[nb].high);
			nb++;
		}
		qsort(bins, nb, sizeof *bins, bin_cmp);
		h->bins = bins;
		h->nbins = nb;
		h->decimals = 2;
		h->mean = h->median = NAN;
		if (ind) {
			snprintf(ind_name, sizeof ind_name, "exam_mean:%s",
				 subj[i].name);
			s = value_of(ind, values, year, ind_name, &h->mean, e);
			snprintf(ind_name, sizeof ind_name, "exam_median:%s",
				 subj[i].name);
			if (s == SS_OK)
				s = value_of(ind, values, year, ind_name,
					     &h->median, e);
			if (s != SS_OK)
				return s;
		}
		h->title = arena_printf(a, "Phổ điểm môn %s, năm học %s",
					subject_phrase(subj[i].name, what,
						       sizeof what),
					year);
		h->subtitle = arena_printf(
			a, "Toàn đơn vị · %s thí sinh · khoảng %s điểm",
			fmt_count(total, num, sizeof num),
			fmt_number_trim(subj[i].width, 2, wtxt, sizeof wtxt));
		h->x_title = "Điểm";
		h->y_title = "Số thí sinh";
		names[i] = subj[i].name;
		if (!h->title || !h->subtitle)
			return nomem(e);
	}
	*out = hs;
	*subjects = names;
	*n = ns;
	return SS_OK;
}

ss_status chart_build_histograms(chart_arena *a, const ctable *hist,
				 const ctable *ind, const char *year,
				 chart_histogram **out,
				 const char *const **subjects, size_t *n,
				 ss_error *e)
{
	value_index values;
	ss_status s;

	memset(&values, 0, sizeof values);
	strmap_init(&values.first);
	s = build_histograms(a, hist, ind, &values, year, out, subjects, n, e);
	strmap_release(&values.first);
	return s;
}

/* ------------------------------------------------------------ d. trends */

typedef struct year_value {
	double year;
	double value;
	size_t row;     /* file order, the tie-break */
} year_value;

static int yv_cmp(const void *pa, const void *pb)
{
	const year_value *a = pa, *b = pb;

	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* The rows of indicators.csv of each (scope, indicator) pair the trends
 * ask for, in file order: one pass over the table instead of one per
 * target. */
typedef struct series_index {
	strmap pairs;     /* "scope\x1findicator" -> pair number */
	size_t npairs;
	size_t *start;    /* npairs + 1 offsets into rows */
	size_t *rows;
} series_index;

/* The pair's key into buf (malloc'd when longer than size: *heap then
 * holds it for the caller to free); NULL when out of memory. */
static const char *pair_key(char *buf, size_t size, const char *scope,
			    const char *indicator, char **heap)
{
	size_t ls = strlen(scope), li = strlen(indicator);
	char *k = buf;

	*heap = NULL;
	if (ls + li + 2 > size) {
		k = *heap = malloc(ls + li + 2);
		if (!k)
			return NULL;
	}
	memcpy(k, scope, ls);
	k[ls] = '\x1f';
	memcpy(k + ls + 1, indicator, li + 1);
	return k;
}

static void series_index_release(series_index *x)
{
	strmap_release(&x->pairs);
	free(x->start);
	free(x->rows);
}

/* The number of the pair (scope, indicator), added when new with add,
 * else looked up (-2 when absent); -1 when out of memory. */
static long pair_number(series_index *x, const char *scope,
			const char *indicator, int add)
{
	char buf[256], *heap;
	const char *key = pair_key(buf, sizeof buf, scope, indicator, &heap);
	long at = -2;
	int put;

	if (!key)
		return -1;
	if (!add) {
		if (!strmap_get(&x->pairs, key, &at))
			at = -2;
	} else if ((put = strmap_put(&x->pairs, key, (long)x->npairs, &at)) <
		   0) {
		at = -1;
	} else if (put == 1) {
		at = (long)x->npairs++;
	}
	free(heap);
	return at;
}

/* The index of the pairs of the gaps rows in force, over the rows of
 * ind (columns c: year, scope, indicator, value). */
static ss_status series_index_build(series_index *x, const ctable *gaps,
				    const int *cg, int cdead, const char *year,
				    const ctable *ind, const int *c,
				    ss_error *e)
{
	long *pair_of = NULL;
	size_t r, *fill = NULL;
	ss_status s = SS_OK;

	memset(x, 0, sizeof *x);
	strmap_init(&x->pairs);
	for (r = 0; r < gaps->nrows && s == SS_OK; r++)
		if (target_in_force(gaps, r, cg[0], cdead, year) &&
		    pair_number(x, ctable_get(gaps, r, cg[1]),
				ctable_get(gaps, r, cg[2]), 1) < 0)
			s = nomem(e);
	if (s != SS_OK)
		return s;
	pair_of = malloc((ind->nrows + 1) * sizeof *pair_of);
	x->start = calloc(x->npairs + 2, sizeof *x->start);
	fill = calloc(x->npairs + 1, sizeof *fill);
	if (!pair_of || !x->start || !fill) {
		s = nomem(e);
		goto done;
	}
	for (r = 0; r < ind->nrows; r++) {
		pair_of[r] = x->npairs == 0
				     ? -2
				     : pair_number(x, ctable_get(ind, r, c[1]),
						   ctable_get(ind, r, c[2]), 0);
		if (pair_of[r] == -1) {
			s = nomem(e);
			goto done;
		}
		if (pair_of[r] >= 0)
			x->start[pair_of[r] + 1]++;
	}
	for (r = 0; r < x->npairs; r++)
		x->start[r + 1] += x->start[r];
	x->rows = malloc((x->start[x->npairs] + 1) * sizeof *x->rows);
	if (!x->rows) {
		s = nomem(e);
		goto done;
	}
	for (r = 0; r < ind->nrows; r++)
		if (pair_of[r] >= 0) {
			size_t p = (size_t)pair_of[r];

			x->rows[x->start[p] + fill[p]++] = r;
		}
done:
	free(pair_of);
	free(fill);
	return s;
}

/* The yearly values of scope/indicator in indicators.csv, sorted, one per
 * year (the first row of a year wins). */
static ss_status series_of(chart_arena *a, const ctable *ind, const int *c,
			   series_index *x, const char *scope,
			   const char *indicator, year_value **out, size_t *n,
			   ss_error *e)
{
	size_t r, k = 0, w, from = 0, to = 0;
	long pair = pair_number(x, scope, indicator, 0);
	year_value *yv;

	if (pair == -1)
		return nomem(e);
	if (pair >= 0) {
		from = x->start[pair];
		to = x->start[pair + 1];
	}
	yv = chart_arena_alloc(a, (to - from + 1) * sizeof *yv);
	if (!yv)
		return nomem(e);
	for (; from < to; from++) {
		int start, present;
		double v;
		ss_status s;

		r = x->rows[from];
		/* a key can stand for two pairs when a name holds the
		 * separator */
		if (strcmp(ctable_get(ind, r, c[1]), scope) != 0 ||
		    strcmp(ctable_get(ind, r, c[2]), indicator) != 0)
			continue;
		if (!ind_year_parse(ctable_get(ind, r, c[0]), &start))
			return err_set(e, SS_EDATA, ind->path, ind->lines[r], 0,
				       "malformed year '%s' (expected a "
				       "school year such as 2024-2025)",
				       ctable_get(ind, r, c[0]));
		s = get_number(ind, r, c[3], &v, &present, e);
		if (s != SS_OK)
			return s;
		if (!present)
			continue;
		yv[k].year = start;
		yv[k].value = v;
		yv[k].row = r;
		k++;
	}
	/* Sorted by year, then file order, so the first row of a year is
	 * kept whatever qsort does with ties. */
	qsort(yv, k, sizeof *yv, yv_cmp);
	for (r = 0, w = 0; r < k; r++)
		if (w == 0 || yv[w - 1].year != yv[r].year)
			yv[w++] = yv[r];
	*out = yv;
	*n = w;
	return SS_OK;
}

/* A deadline cell: "2030" or "2029-2030" -> the calendar year it ends. */
static int parse_deadline(const char *s, long *year)
{
	char *end;
	long v;
	int start;

	if (ind_year_parse(s, &start)) {
		*year = start + 1;
		return 1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1900 || v > 2200)
		return 0;
	*year = v;
	return 1;
}

/* A file name stem part: letters, digits, '-' kept, the rest '_'. */
static void stem_part(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++) {
		char ch = in[i];

		out[i] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-')
				 ? ch
				 : '_';
	}
	out[i] = '\0';
}

static const char *unique_stem(chart_arena *a, const char *const *stems,
			       size_t n, const char *want)
{
	char buf[640];
	int k;
	size_t i;

	for (k = 1; k < 10000; k++) {
		int clash = 0;

		if (k == 1)
			snprintf(buf, sizeof buf, "%s", want);
		else
			snprintf(buf, sizeof buf, "%s_%d", want, k);
		for (i = 0; i < n && !clash; i++)
			clash = strcmp(stems[i], buf) == 0;
		if (!clash)
			return chart_arena_strdup(a, buf);
	}
	return NULL;
}

static const char *on_track_phrase(const char *v)
{
	if (strcmp(v, "yes") == 0)
		return " · theo xu hướng: kịp chỉ tiêu";
	if (strcmp(v, "no") == 0)
		return " · theo xu hướng: chưa kịp chỉ tiêu";
	return "";
}

ss_status chart_build_trends(chart_arena *a, const ctable *gaps,
			     const ctable *ind, const char *year,
			     const chart_names *names, chart_trend **out,
			     const char *const **stems, size_t *n,
			     size_t *skipped, ss_error *e)
{
	static const char *const gap_cols[] = { "year", "scope", "indicator",
						"op", "target" };
	static const char *const ind_cols[] = { "year", "scope", "indicator",
						"value" };
	int cg[5], ci[4];
	int cdead = ctable_col(gaps, "deadline");
	int cslope = ctable_col(gaps, "trend_slope");
	int cproj = ctable_col(gaps, "projected");
	int ctrack = ctable_col(gaps, "on_track");
	chart_trend *tr;
	const char **st;
	size_t r, k = 0, cap;
	series_index index;
	int ystart;
	ss_status s;

	*out = NULL;
	*stems = NULL;
	*n = 0;
	*skipped = 0;
	s = need_columns(gaps, gap_cols, cg, 5, e);
	if (s == SS_OK)
		s = need_columns(ind, ind_cols, ci, 4, e);
	if (s != SS_OK)
		return s;
	cap = count_in_force(gaps, cg[0], cdead, year) + 1;
	tr = chart_arena_alloc(a, cap * sizeof *tr);
	st = chart_arena_alloc(a, cap * sizeof *st);
	if (!tr || !st)
		return nomem(e);
	if (!ind_year_parse(year, &ystart))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "malformed year '%s' (expected a school year "
			       "such as 2024-2025)",
			       year);
	s = series_index_build(&index, gaps, cg, cdead, year, ind, ci, e);
	if (s != SS_OK)
		goto out;
	for (r = 0; r < gaps->nrows; r++) {
		const char *scope = ctable_get(gaps, r, cg[1]);
		const char *indicator = ctable_get(gaps, r, cg[2]);
		chart_trend *t = &tr[k];
		year_value *yv = NULL;
		size_t nv = 0, i;
		double *years, *values;
		char label[512], slabel[512], want[600], sp[256], ip[256];
		long deadline = 0;
		int present_slope = 0, present_proj = 0;

		if (!target_in_force(gaps, r, cg[0], cdead, year))
			continue;
		s = series_of(a, ind, ci, &index, scope, indicator, &yv, &nv,
			      e);
		if (s != SS_OK)
			goto out;
		if (nv == 0) {
			(*skipped)++;
			continue;
		}
		memset(t, 0, sizeof *t);
		s = need_number(gaps, r, cg[4], &t->target, e);
		if (s != SS_OK)
			goto out;
		years = chart_arena_alloc(a, nv * sizeof *years);
		values = chart_arena_alloc(a, nv * sizeof *values);
		if (!years || !values) {
			s = nomem(e);
			goto out;
		}
		for (i = 0; i < nv; i++) {
			years[i] = yv[i].year;
			values[i] = yv[i].value;
		}
		t->years = years;
		t->values = values;
		t->n = nv;
		t->percent = chart_indicator_is_percent(indicator);
		t->decimals = chart_indicator_decimals(indicator);
		t->op = chart_arena_strdup(a, ctable_get(gaps, r, cg[3]));
		t->target_year = ystart;
		if (cdead >= 0 && *ctable_get(gaps, r, cdead)) {
			if (!parse_deadline(ctable_get(gaps, r, cdead),
					    &deadline)) {
				s = err_set(e, SS_EDATA, gaps->path,
					    gaps->lines[r], 0,
					    "malformed deadline '%s' (expected "
					    "a year such as 2030)",
					    ctable_get(gaps, r, cdead));
				goto out;
			}
			/* The school year that ends in the deadline. */
			t->target_year = (double)(deadline - 1);
		}
		if (deadline && cslope >= 0 && cproj >= 0) {
			s = get_number(gaps, r, cslope, &t->slope,
				       &present_slope, e);
			if (s == SS_OK)
				s = get_number(gaps, r, cproj, &t->projected,
					       &present_proj, e);
			if (s != SS_OK)
				goto out;
			t->has_projection = present_slope && present_proj;
			t->deadline_year = (double)(deadline - 1);
		}
		chart_indicator_label(indicator, label, sizeof label);
		chart_scope_label(names, scope, slabel, sizeof slabel);
		t->title = arena_printf(a, "%s qua các năm", label);
		if (deadline)
			t->subtitle = arena_printf(
				a, "%s · chỉ tiêu đến năm %ld%s", slabel,
				deadline,
				ctrack >= 0 ? on_track_phrase(ctable_get(
						      gaps, r, ctrack))
					    : "");
		else
			t->subtitle = arena_printf(a, "%s · chỉ tiêu năm học %s",
						   slabel, year);
		t->y_title = chart_arena_strdup(a, label);
		stem_part(scope, sp, sizeof sp);
		stem_part(indicator, ip, sizeof ip);
		snprintf(want, sizeof want, "trend_%s_%s", sp, ip);
		st[k] = unique_stem(a, st, k, want);
		if (!t->op || !t->title || !t->subtitle || !t->y_title ||
		    !st[k]) {
			s = nomem(e);
			goto out;
		}
		k++;
	}
	*out = tr;
	*stems = st;
	*n = k;
out:
	series_index_release(&index);
	return s;
}


/* ------------------------------------------------------------ e. funnel */

/* A count cell: a whole number >= 0 written as a plain number. */
static ss_status get_count(const ctable *t, size_t r, int c, long long *out,
			   int *present, ss_error *e)
{
	double v;
	ss_status s = get_number(t, r, c, &v, present, e);

	if (s != SS_OK || !*present)
		return s;
	if (v < 0.0 || v > 9e15 || fabs(v - floor(v + 0.5)) > 1e-6)
		return err_set(e, SS_EDATA, t->path, t->lines[r], 0,
			       "%s is not a count '%s' (expected a whole "
			       "number >= 0)",
			       t->header[c], ctable_get(t, r, c));
	*out = (long long)floor(v + 0.5);
	return SS_OK;
}

ss_status chart_build_funnel(chart_arena *a, const ctable *ind,
			     const char *indicator, const char *year,
			     const chart_names *names, chart_funnel *out,
			     int *found, ss_error *e)
{
	static const char *const cols_needed[] = { "year", "scope", "indicator",
						   "value", "numerator",
						   "denominator" };
	enum { YEAR, SCOPE, IND, VALUE, NUM, DEN, NCOLS };
	int c[NCOLS];
	chart_funnel_point *pts;
	double p0 = NAN;
	size_t r, n = 0, cap = 0;
	char label[512];
	ss_status s;

	*found = 0;
	s = need_columns(ind, cols_needed, c, NCOLS, e);
	if (s != SS_OK)
		return s;
	for (r = 0; r < ind->nrows; r++)
		if (strcmp(ctable_get(ind, r, c[YEAR]), year) == 0 &&
		    strcmp(ctable_get(ind, r, c[IND]), indicator) == 0)
			cap++;
	pts = chart_arena_alloc(a, (cap + 1) * sizeof *pts);
	if (!pts)
		return nomem(e);
	for (r = 0; r < ind->nrows; r++) {
		const char *scope = ctable_get(ind, r, c[SCOPE]);
		long long k = 0, nn = 0;
		int hk = 0, hn = 0;

		if (strcmp(ctable_get(ind, r, c[YEAR]), year) != 0 ||
		    strcmp(ctable_get(ind, r, c[IND]), indicator) != 0)
			continue;
		s = get_count(ind, r, c[NUM], &k, &hk, e);
		if (s == SS_OK)
			s = get_count(ind, r, c[DEN], &nn, &hn, e);
		if (s != SS_OK)
			return s;
		if (hk && hn && k > nn)
			return err_set(e, SS_EDATA, ind->path, ind->lines[r], 0,
				       "numerator above denominator '%lld' "
				       "(expected at most %lld)",
				       k, nn);
		if (strcmp(scope, "all") == 0) {
			double v;
			int hv;

			if (hk && hn && nn > 0) {
				p0 = (double)k / (double)nn;
			} else {
				s = get_number(ind, r, c[VALUE], &v, &hv, e);
				if (s != SS_OK)
					return s;
				if (hv)
					p0 = v / 100.0;
			}
			continue;
		}
		if (!chart_scope_is_school(scope) || !hk || !hn || nn == 0)
			continue;
		{
			const char *name = chart_names_get(names, scope);

			pts[n].label = chart_arena_strdup(a, name ? name : scope);
		}
		if (!pts[n].label)
			return nomem(e);
		pts[n].k = k;
		pts[n].n = nn;
		n++;
	}
	if (!(p0 > 0.0 && p0 < 1.0))
		return SS_OK;
	memset(out, 0, sizeof *out);
	chart_indicator_label(indicator, label, sizeof label);
	out->title = arena_printf(a, "%s các trường so với toàn đơn vị, năm "
				     "học %s",
				  label, year);
	out->subtitle = chart_arena_strdup(
		a, "Mỗi điểm là một trường. Trường nằm ngoài đường chấm "
		   "khác biệt rõ rệt với toàn đơn vị, không do ngẫu nhiên.");
	out->y_title = arena_printf(a, "%s (%%)", label);
	if (!out->title || !out->subtitle || !out->y_title)
		return nomem(e);
	out->x_title = "Số học sinh (mẫu số của tỷ lệ)";
	out->center_label = "Toàn đơn vị";
	out->p0 = p0;
	out->points = pts;
	out->npoints = n;
	*found = 1;
	return SS_OK;
}
