/* accr_ind — the accreditation rows of indicators.csv, as an ind_producer
 * the indicators stage passes to ind_run. */
#include "accr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The indicator names, in the order their rows are made. */
enum {
	NAME_STANDARD, NAME_QUALITY, NAME_VALID, NAME_EXPIRING, NAME_EXPIRED,
	NAME_OVERDUE, NUM_NAMES
};

static const char *const base_names[NUM_NAMES] = {
	"standard_school_share", "quality_level_share", "accreditation_valid",
	"accreditation_expiring", "accreditation_expired",
	"accreditation_overdue"
};

typedef struct producer_ctx {
	const ind_input *in;
	ind_rows *rows;
	accr_register reg;
	accr_options opt;
	const ind_def *def[2][NUM_NAMES]; /* [public][name], NULL: unknown */
	size_t *members;                  /* scratch, nschools */
	ss_error *e;
} producer_ctx;

static ss_status nomem(ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Looks every name up in ind's catalogue once; names it lacks are told to
 * diag once each and their rows are left out. */
static ss_status resolve_names(producer_ctx *c)
{
	char name[96];
	int pub, k;

	for (pub = 0; pub < 2; pub++)
		for (k = 0; k < NUM_NAMES; k++) {
			snprintf(name, sizeof name, "%s%s", base_names[k],
				 pub ? "_public" : "");
			c->def[pub][k] = ind_def_find(name);
			if (c->def[pub][k] && strcmp(c->def[pub][k]->name, name))
				c->def[pub][k] = NULL;
			if (c->def[pub][k] || !c->rows->diag)
				continue;
			if (diag_report(c->rows->diag, DIAG_WARNING,
					"indicator_not_in_catalogue",
					"accreditation.csv", 0, 0,
					"indicator '%s' is not in the catalogue of "
					"ind.h (expected it there); its rows are "
					"left out of indicators.csv",
					name) != SS_OK)
				return nomem(c->e);
		}
	return SS_OK;
}

/* ------------------------------------------------------------ years */

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static ss_status add_years(const ctable *t, int **years, size_t *n,
			   size_t *cap, ss_error *e)
{
	int col = ctable_col(t, "year");
	size_t i;

	for (i = 0; col >= 0 && i < t->nrows; i++) {
		int start;

		if (!ind_year_parse(ctable_get(t, i, col), &start))
			continue;
		if (*n == *cap) {
			size_t nc = *cap ? 2 * *cap : 16;
			int *p = realloc(*years, nc * sizeof *p);
			if (!p)
				return nomem(e);
			*years = p;
			*cap = nc;
		}
		(*years)[(*n)++] = start;
	}
	return SS_OK;
}

/* The school years to produce, ascending and unique. */
static ss_status collect_years(const producer_ctx *c, int **years,
			       size_t *n, ss_error *e)
{
	const ind_input *in = c->in;
	const struct {
		const ctable *t;
		int present;
	} tabs[] = {
		{ &in->enrollment, in->has_enrollment },
		{ &in->promotion, in->has_promotion },
		{ &in->staffing, in->has_staffing },
		{ &in->exam_summary, in->has_exam_summary },
		{ &in->exam_hist, in->has_exam_hist },
	};
	size_t i, cap = 0, k = 0;
	ss_status st = SS_OK;

	*years = NULL;
	*n = 0;
	for (i = 0; st == SS_OK && i < sizeof tabs / sizeof tabs[0]; i++)
		if (tabs[i].present)
			st = add_years(tabs[i].t, years, n, &cap, e);
	if (st == SS_OK && *n == 0 && c->reg.nrec > 0) {
		accr_day lo = c->reg.rec[0].recognized_on, hi = lo;
		int y, y0, y1;

		for (i = 1; i < c->reg.nrec; i++) {
			if (c->reg.rec[i].recognized_on < lo)
				lo = c->reg.rec[i].recognized_on;
			if (c->reg.rec[i].recognized_on > hi)
				hi = c->reg.rec[i].recognized_on;
		}
		y0 = accr_year_of(&c->opt, lo);
		y1 = accr_year_of(&c->opt, hi);
		*years = malloc((size_t)(y1 - y0 + 1) * sizeof **years);
		if (!*years)
			return nomem(e);
		for (y = y0; y <= y1; y++)
			(*years)[(*n)++] = y;
	}
	if (st != SS_OK) {
		free(*years);
		*years = NULL;
		*n = 0;
		return st;
	}
	if (*n > 1)
		qsort(*years, *n, sizeof **years, int_cmp);
	for (i = 0; i < *n; i++)
		if (k == 0 || (*years)[k - 1] != (*years)[i])
			(*years)[k++] = (*years)[i];
	*n = k;
	return SS_OK;
}

/* ------------------------------------------------------------ rows */

static ss_status add_share(producer_ctx *c, const ind_key *base, int pub,
			   int name, const char *suffix, long sub_rank,
			   long long num, long long den)
{
	ind_key k = *base;
	ind_src src = { "schools.csv", 0, "schools" };

	if (!c->def[pub][name])
		return SS_OK;
	k.id = c->def[pub][name]->id;
	k.suffix = suffix;
	k.sub_rank = sub_rank;
	return ind_rows_add_ratio(c->rows, &k, (double)num, (double)den, &src,
				  c->e);
}

static ss_status add_count(producer_ctx *c, const ind_key *base, int pub,
			   int name, long long v)
{
	ind_key k = *base;

	if (!c->def[pub][name])
		return SS_OK;
	k.id = c->def[pub][name]->id;
	k.suffix = NULL;
	k.sub_rank = 0;
	return ind_rows_add_count(c->rows, &k, v, c->e);
}

/* The rows of one scope, year and ownership variant. */
static ss_status scope_rows(producer_ctx *c, const ind_key *key, int pub,
			    int school_scope, const accr_counts *n)
{
	static const char *const suf[5] = { "0", "1", "2", "3", "4" };
	ss_status st;
	int k;

	st = add_share(c, key, pub, NAME_STANDARD, NULL, 0, n->standard,
		       n->schools);
	if (st == SS_OK)
		st = add_share(c, key, pub, NAME_QUALITY, NULL, 0, n->quality,
			       n->schools);
	if (school_scope)
		return st;
	for (k = 1; st == SS_OK && k <= 2; k++)
		st = add_share(c, key, pub, NAME_STANDARD, suf[k], k,
			       n->standard_at[k], n->schools);
	for (k = 1; st == SS_OK && k <= 4; k++)
		st = add_share(c, key, pub, NAME_QUALITY, suf[k], k,
			       n->quality_at[k], n->schools);
	if (st == SS_OK)
		st = add_count(c, key, pub, NAME_VALID, n->valid);
	if (st == SS_OK)
		st = add_count(c, key, pub, NAME_EXPIRING, n->expiring);
	if (st == SS_OK)
		st = add_count(c, key, pub, NAME_EXPIRED, n->expired);
	if (st == SS_OK)
		st = add_count(c, key, pub, NAME_OVERDUE, n->overdue);
	return st;
}

/* Members of an ind scope as register indices. */
static size_t scope_members(const producer_ctx *c, const ind_scope *sc)
{
	size_t i, k = 0;

	for (i = 0; i < sc->nmembers; i++) {
		long x = accr_register_find(&c->reg,
					    c->in->school[sc->members[i]].id);
		if (x >= 0)
			c->members[k++] = (size_t)x;
	}
	return k;
}

static ss_status year_rows(producer_ctx *c, int start)
{
	const ind_scopes *scopes = c->rows->scopes;
	char year[16];
	size_t i;
	ss_status st = SS_OK;

	ind_year_format(start, year, sizeof year);
	for (i = 0; st == SS_OK && i < scopes->n; i++) {
		const ind_scope *sc = &scopes->scope[i];
		int school = sc->kind == IND_SCOPE_SCHOOL;
		ind_key key = { year, sc->name, IND_STANDARD_SCHOOL_SHARE,
				NULL, 0 };
		accr_counts n;
		size_t m;
		int pub;

		if (!school && sc->kind != IND_SCOPE_LEVEL &&
		    sc->kind != IND_SCOPE_ALL)
			continue;
		m = scope_members(c, sc);
		for (pub = 0; st == SS_OK && pub < (school ? 1 : 2); pub++) {
			accr_count_year(&c->reg, c->members, m, pub, start,
					&c->opt, &n);
			if (n.schools > 0)
				st = scope_rows(c, &key, pub, school, &n);
		}
	}
	return st;
}

ss_status accr_produce_indicators(const ind_input *in, const ind_options *opt,
				  ind_rows *rows, ss_error *e)
{
	producer_ctx c;
	int *years = NULL;
	size_t nyears = 0, i;
	ss_status st;

	(void)opt;
	/* without a register the shares are unknown, not zero */
	if (!in->has_accreditation)
		return SS_OK;
	memset(&c, 0, sizeof c);
	c.in = in;
	c.rows = rows;
	c.e = e;
	accr_options_default(&c.opt);
	st = accr_register_build(&c.reg, &in->schools,
				 in->has_accreditation ? &in->accreditation
						       : NULL,
				 rows->diag, e);
	if (st != SS_OK)
		return st;
	c.members = malloc((c.reg.nschools ? c.reg.nschools : 1) *
			   sizeof *c.members);
	if (!c.members)
		st = nomem(e);
	if (st == SS_OK)
		st = resolve_names(&c);
	if (st == SS_OK)
		st = collect_years(&c, &years, &nyears, e);
	for (i = 0; st == SS_OK && i < nyears; i++)
		st = year_rows(&c, years[i]);
	free(years);
	free(c.members);
	accr_register_release(&c.reg);
	return st;
}
