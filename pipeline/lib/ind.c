/* ind — the catalogue, scopes and the row list of the indicators stage.
 * The producers (ind_basic.c, ind_cohort.c, ind_exam.c) append rows; this
 * file owns their conventions, so every producer writes numerator,
 * denominator and interval the same way. */
#include "ind.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "ind_priv.h"
#include "stats.h"

/* ------------------------------------------------------------ catalogue */

static const ind_def catalogue[IND_NUM_INDICATORS] = {
	{ IND_CLASSES, "classes", IND_KIND_COUNT, 1, 0, IND_SUFFIX_NONE },
	{ IND_STUDENTS, "students", IND_KIND_COUNT, 1, 0, IND_SUFFIX_NONE },
	{ IND_STUDENTS_PER_CLASS, "students_per_class", IND_KIND_RATIO, 1, 0,
	  IND_SUFFIX_NONE },
	{ IND_TEACHERS, "teachers", IND_KIND_COUNT, 1, 0, IND_SUFFIX_NONE },
	{ IND_TEACHERS_PER_CLASS, "teachers_per_class", IND_KIND_RATIO, 1, 0,
	  IND_SUFFIX_NONE },
	{ IND_TEACHERS_PER_CLASS_PERMANENT, "teachers_per_class_permanent",
	  IND_KIND_RATIO, 1, 0, IND_SUFFIX_NONE },
	{ IND_STUDENTS_PER_TEACHER, "students_per_teacher", IND_KIND_RATIO, 1,
	  0, IND_SUFFIX_NONE },
	{ IND_PERMANENT_STAFF_FILL, "permanent_staff_fill", IND_KIND_RATIO,
	  100, 1, IND_SUFFIX_NONE },
	{ IND_PROMOTION_RATE, "promotion_rate", IND_KIND_RATIO, 100, 1,
	  IND_SUFFIX_NONE },
	{ IND_REPETITION_RATE, "repetition_rate", IND_KIND_RATIO, 100, 1,
	  IND_SUFFIX_NONE },
	{ IND_DROPOUT_RATE, "dropout_rate", IND_KIND_RATIO, 100, 1,
	  IND_SUFFIX_NONE },
	{ IND_COMPLETION_RATE, "completion_rate", IND_KIND_RATIO, 100, 1,
	  IND_SUFFIX_NONE },
	{ IND_COMPLETION_RATE_COHORT, "completion_rate_cohort", IND_KIND_RATIO,
	  100, 1, IND_SUFFIX_NONE },
	{ IND_SURVIVAL_RATE_LAST_GRADE, "survival_rate_last_grade",
	  IND_KIND_RATIO, 100, 0, IND_SUFFIX_STAGE },
	{ IND_COHORT_PROMOTION_RATE, "cohort_promotion_rate", IND_KIND_RATIO,
	  100, 1, IND_SUFFIX_GRADE },
	{ IND_COHORT_REPETITION_RATE, "cohort_repetition_rate",
	  IND_KIND_RATIO, 100, 1, IND_SUFFIX_GRADE },
	{ IND_COHORT_DROPOUT_RATE, "cohort_dropout_rate", IND_KIND_RATIO, 100,
	  1, IND_SUFFIX_GRADE },
	{ IND_EXAM_CANDIDATES, "exam_candidates", IND_KIND_COUNT, 1, 0,
	  IND_SUFFIX_SUBJECT },
	{ IND_EXAM_MEAN, "exam_mean", IND_KIND_RATIO, 1, 0,
	  IND_SUFFIX_SUBJECT },
	{ IND_EXAM_SD, "exam_sd", IND_KIND_SD, 1, 0, IND_SUFFIX_SUBJECT },
	{ IND_EXAM_MEDIAN, "exam_median", IND_KIND_QUANTILE, 1, 0,
	  IND_SUFFIX_SUBJECT },
	{ IND_EXAM_PASS_RATE, "exam_pass_rate", IND_KIND_RATIO, 100, 1,
	  IND_SUFFIX_SUBJECT },
	{ IND_EXAM_LOW_RATE, "exam_low_rate", IND_KIND_RATIO, 100, 1,
	  IND_SUFFIX_SUBJECT },
	{ IND_STANDARD_SCHOOL_SHARE, "standard_school_share", IND_KIND_RATIO,
	  100, 1, IND_SUFFIX_LEVEL_K },
	{ IND_QUALITY_LEVEL_SHARE, "quality_level_share", IND_KIND_RATIO, 100,
	  1, IND_SUFFIX_LEVEL_K },
	{ IND_STANDARD_SCHOOL_SHARE_PUBLIC, "standard_school_share_public",
	  IND_KIND_RATIO, 100, 1, IND_SUFFIX_LEVEL_K },
	{ IND_QUALITY_LEVEL_SHARE_PUBLIC, "quality_level_share_public",
	  IND_KIND_RATIO, 100, 1, IND_SUFFIX_LEVEL_K },
	{ IND_ACCREDITATION_VALID, "accreditation_valid", IND_KIND_COUNT, 1, 0,
	  IND_SUFFIX_NONE },
	{ IND_ACCREDITATION_VALID_PUBLIC, "accreditation_valid_public",
	  IND_KIND_COUNT, 1, 0, IND_SUFFIX_NONE },
	{ IND_ACCREDITATION_EXPIRING, "accreditation_expiring", IND_KIND_COUNT,
	  1, 0, IND_SUFFIX_NONE },
	{ IND_ACCREDITATION_EXPIRING_PUBLIC, "accreditation_expiring_public",
	  IND_KIND_COUNT, 1, 0, IND_SUFFIX_NONE },
	{ IND_ACCREDITATION_EXPIRED, "accreditation_expired", IND_KIND_COUNT, 1,
	  0, IND_SUFFIX_NONE },
	{ IND_ACCREDITATION_EXPIRED_PUBLIC, "accreditation_expired_public",
	  IND_KIND_COUNT, 1, 0, IND_SUFFIX_NONE },
	{ IND_ACCREDITATION_OVERDUE, "accreditation_overdue", IND_KIND_COUNT, 1,
	  0, IND_SUFFIX_NONE },
	{ IND_ACCREDITATION_OVERDUE_PUBLIC, "accreditation_overdue_public",
	  IND_KIND_COUNT, 1, 0, IND_SUFFIX_NONE },
};

const ind_def *ind_def_get(ind_id id)
{
	if ((int)id < 0 || id >= IND_NUM_INDICATORS)
		return NULL;
	return &catalogue[id];
}

const ind_def *ind_def_find(const char *indicator)
{
	const char *colon;
	size_t n, i;

	if (!indicator)
		return NULL;
	colon = strchr(indicator, ':');
	n = colon ? (size_t)(colon - indicator) : strlen(indicator);
	for (i = 0; i < IND_NUM_INDICATORS; i++)
		if (strlen(catalogue[i].name) == n &&
		    memcmp(catalogue[i].name, indicator, n) == 0)
			return &catalogue[i];
	return NULL;
}

int ind_value_from_parts(const ind_def *d, double numerator,
			 double denominator, double *value)
{
	double v;

	if (!d || !isfinite(numerator) || !isfinite(denominator))
		return 0;
	switch (d->kind) {
	case IND_KIND_COUNT:
		v = numerator;
		break;
	case IND_KIND_RATIO:
		if (denominator == 0)
			return 0;
		v = numerator / denominator * d->scale;
		break;
	case IND_KIND_SD:
		if (denominator <= 0 || numerator < 0)
			return 0;
		v = sqrt(numerator / denominator);
		break;
	default:
		return 0;
	}
	if (!isfinite(v))
		return 0;
	*value = v;
	return 1;
}

/* ------------------------------------------------------ grades and years */

static const char *const grade_names[IND_NUM_GRADES] = {
	"nha_tre", "mg_3", "mg_4", "mg_5", "1", "2", "3", "4", "5", "6",
	"7", "8", "9", "10", "11", "12", "all"
};

int ind_grade_index(const char *grade)
{
	int g;

	if (!grade)
		return -1;
	for (g = 0; g < IND_NUM_GRADES; g++)
		if (strcmp(grade, grade_names[g]) == 0)
			return g;
	return -1;
}

const char *ind_grade_name(int g)
{
	return g >= 0 && g < IND_NUM_GRADES ? grade_names[g] : NULL;
}

static int four_digits(const char *s, int *out)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int ind_year_parse(const char *year, int *start)
{
	int a, b;

	if (!year || strlen(year) != 9 || year[4] != '-' ||
	    !four_digits(year, &a) || !four_digits(year + 5, &b) ||
	    b != a + 1)
		return 0;
	*start = a;
	return 1;
}

const char *ind_year_format(int start, char *buf, size_t size)
{
	snprintf(buf, size, "%04d-%04d", start, start + 1);
	return buf;
}

/* Grade ranges per level (indices into grade_names): preschool groups,
 * grades 1-5, 6-9, 10-12 and the two multi-level kinds. */
static const ind_level_info levels[IND_NUM_LEVELS] = {
	{ "mam_non", 0, 3 },  { "tieu_hoc", 4, 8 },  { "thcs", 9, 12 },
	{ "thpt", 13, 15 },   { "th_thcs", 4, 12 },  { "thcs_thpt", 9, 15 },
};

static const ind_stage_info stages[IND_NUM_STAGES] = {
	{ "tieu_hoc", 4, 8 }, { "thcs", 9, 12 }, { "thpt", 13, 15 },
};

int ind_level_index(const char *level)
{
	int i;

	if (!level)
		return -1;
	for (i = 0; i < IND_NUM_LEVELS; i++)
		if (strcmp(level, levels[i].name) == 0)
			return i;
	return -1;
}

const ind_level_info *ind_level_get(int i)
{
	return i >= 0 && i < IND_NUM_LEVELS ? &levels[i] : NULL;
}

const ind_stage_info *ind_stage_get(int i)
{
	return i >= 0 && i < IND_NUM_STAGES ? &stages[i] : NULL;
}

int ind_stage_ending_at(int g)
{
	int i;

	for (i = 0; i < IND_NUM_STAGES; i++)
		if (stages[i].last == g)
			return i;
	return -1;
}

int ind_level_covers_stage(int lv, int st)
{
	const ind_level_info *l = ind_level_get(lv);
	const ind_stage_info *s = ind_stage_get(st);

	return l && s && l->first <= s->first && s->last <= l->last;
}

/* --------------------------------------------------------------- scopes */

void ind_scopes_init(ind_scopes *s)
{
	memset(s, 0, sizeof *s);
	strmap_init(&s->by_name);
}

void ind_scopes_release(ind_scopes *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->scope[i].name);
		free(s->scope[i].members);
	}
	free(s->scope);
	strmap_release(&s->by_name);
	ind_scopes_init(s);
}

/* A grouping scope being built (level, commune, district, province). */
typedef struct scope_draft {
	char *name;
	ind_scope_kind kind;
	int level;         /* level index for LEVEL scopes; -1 otherwise */
	size_t nmembers;
} scope_draft;

static int draft_cmp(const scope_draft *x, const scope_draft *y)
{
	if (x->kind != y->kind)
		return (int)x->kind < (int)y->kind ? -1 : 1;
	if (x->kind == IND_SCOPE_LEVEL) {
		/* Known levels in contract order, unknown ones after by name. */
		int lx = x->level < 0 ? IND_NUM_LEVELS : x->level;
		int ly = y->level < 0 ? IND_NUM_LEVELS : y->level;
		if (lx != ly)
			return lx < ly ? -1 : 1;
	}
	return strcmp(x->name, y->name);
}

static int draft_ptr_cmp(const void *a, const void *b)
{
	return draft_cmp(*(const scope_draft *const *)a,
			 *(const scope_draft *const *)b);
}

static const char *school_field(const ind_school *s, ind_scope_kind kind)
{
	switch (kind) {
	case IND_SCOPE_LEVEL: return s->level;
	case IND_SCOPE_COMMUNE: return s->commune;
	case IND_SCOPE_DISTRICT: return s->district;
	case IND_SCOPE_PROVINCE: return s->province;
	default: return NULL;
	}
}

static const char *kind_prefix(ind_scope_kind kind)
{
	switch (kind) {
	case IND_SCOPE_LEVEL: return "level:";
	case IND_SCOPE_COMMUNE: return "commune:";
	case IND_SCOPE_DISTRICT: return "district:";
	case IND_SCOPE_PROVINCE: return "province:";
	default: return "";
	}
}

static char *join2(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 1);

	if (!s)
		return NULL;
	memcpy(s, a, na);
	memcpy(s + na, b, nb + 1);
	return s;
}

/* Appends a scope named name (ownership taken, freed on failure) with
 * room for k members; NULL on ENOMEM. */
static ind_scope *push_scope(ind_scopes *s, char *name, ind_scope_kind kind,
			     size_t k)
{
	ind_scope *sc = &s->scope[s->n];

	if (!name)
		return NULL;
	sc->members = malloc((k ? k : 1) * sizeof *sc->members);
	if (!sc->members) {
		free(name);
		return NULL;
	}
	sc->name = name;
	sc->kind = kind;
	sc->nmembers = 0;
	s->n++;
	if (strmap_put(&s->by_name, name, (long)(s->n - 1), NULL) < 0)
		return NULL;
	return sc;
}

#define GROUP_KINDS 4

static const ind_scope_kind group_kinds[GROUP_KINDS] = {
	IND_SCOPE_LEVEL, IND_SCOPE_COMMUNE, IND_SCOPE_DISTRICT,
	IND_SCOPE_PROVINCE
};

/* The parent path of a commune or district ("province/district"), empty
 * when the school gives no parent. */
static void parent_path(const ind_school *sc, ind_scope_kind kind,
			char *buf, size_t size)
{
	const char *p = sc->province ? sc->province : "";
	const char *d = sc->district ? sc->district : "";

	if (kind == IND_SCOPE_COMMUNE)
		snprintf(buf, size, "%s%s%s", p, *p && *d ? "/" : "", d);
	else if (kind == IND_SCOPE_DISTRICT)
		snprintf(buf, size, "%s", p);
	else
		buf[0] = '\0';
}

/* Commune names repeat across a country ("Phường 1" in hundreds of
 * districts), and district names across provinces. A name that stands for
 * places with different parents is qualified by its parent path
 * ("commune:Tỉnh A/Quận 3/Phường 1") so that such places are never merged;
 * an unambiguous name stays short. Marks ambiguous[k * n + i] for school i
 * and group kind k. Returns 0 on ENOMEM. */
static int mark_ambiguous(const ind_school *schools, size_t n,
			  unsigned char *ambiguous)
{
	strmap first;         /* "k\x1fname" -> first school */
	strmap clash;         /* "k\x1fname" of ambiguous names */
	char key[1024], pa[1024], pb[1024];
	int ok = 1;

	strmap_init(&first);
	strmap_init(&clash);
	for (size_t k = 1; ok && k < GROUP_KINDS - 1; k++) {
		for (size_t i = 0; ok && i < n; i++) {
			const char *v = school_field(&schools[i], group_kinds[k]);
			long at;
			int put;

			if (!v || !*v)
				continue;
			snprintf(key, sizeof key, "%zu\x1f%s", k, v);
			put = strmap_put(&first, key, (long)i, &at);
			if (put < 0) {
				ok = 0;
			} else if (put == 0) {
				parent_path(&schools[i], group_kinds[k], pa, sizeof pa);
				parent_path(&schools[at], group_kinds[k], pb, sizeof pb);
				/* an unknown parent may be the same place */
				if (*pa && *pb && strcmp(pa, pb) != 0 &&
				    strmap_put(&clash, key, 1, NULL) < 0)
					ok = 0;
			}
		}
	}
	for (size_t k = 0; ok && k < GROUP_KINDS; k++)
		for (size_t i = 0; i < n; i++) {
			const char *v = school_field(&schools[i], group_kinds[k]);

			snprintf(key, sizeof key, "%zu\x1f%s", k, v ? v : "");
			ambiguous[k * n + i] = v && strmap_get(&clash, key, NULL);
		}
	strmap_release(&first);
	strmap_release(&clash);
	return ok;
}

static char *scope_name(const ind_school *sc, ind_scope_kind kind,
			const char *v, int qualify)
{
	char parent[1024], *name, *full;

	if (!qualify)
		return join2(kind_prefix(kind), v);
	parent_path(sc, kind, parent, sizeof parent);
	size_t n = strlen(parent) + strlen(v) + 2;

	full = malloc(n);
	if (!full)
		return NULL;
	snprintf(full, n, "%s/%s", parent, v);
	name = join2(kind_prefix(kind), full);
	free(full);
	return name;
}

/* The drafts of the schools' level/commune/district/province values, in
 * one pass: sd[4 i + k] is the draft of school i for group kind k, or
 * (size_t)-1. Returns the number of drafts or (size_t)-1 on ENOMEM. */
static size_t collect_drafts(const ind_school *schools, size_t n,
			     scope_draft *d, size_t *sd)
{
	strmap seen;
	size_t nd = 0, i, k;
	unsigned char *ambiguous = calloc(GROUP_KINDS * (n ? n : 1), 1);
	int ok = ambiguous && mark_ambiguous(schools, n, ambiguous);

	strmap_init(&seen);
	for (k = 0; ok && k < GROUP_KINDS; k++) {
		for (i = 0; ok && i < n; i++) {
			const char *v = school_field(&schools[i],
						     group_kinds[k]);
			char *name;
			long at;
			int put;
			sd[GROUP_KINDS * i + k] = (size_t)-1;
			if (!v || !*v)
				continue;
			name = scope_name(&schools[i], group_kinds[k], v,
					  ambiguous[k * n + i]);
			if (!name) {
				ok = 0;
				break;
			}
			put = strmap_put(&seen, name, (long)nd, &at);
			if (put < 0) {
				free(name);
				ok = 0;
			} else if (put == 0) {
				free(name);
				sd[GROUP_KINDS * i + k] = (size_t)at;
				d[at].nmembers++;
			} else {
				d[nd].name = name;
				d[nd].kind = group_kinds[k];
				d[nd].level = group_kinds[k] == IND_SCOPE_LEVEL
						      ? ind_level_index(v)
						      : -1;
				d[nd].nmembers = 1;
				sd[GROUP_KINDS * i + k] = nd++;
			}
		}
	}
	strmap_release(&seen);
	free(ambiguous);
	return ok ? nd : (size_t)-1;
}

static void drafts_free(scope_draft *d, size_t cap)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < cap; i++)
		free(d[i].name);
	free(d);
}

/* Scopes of the drafts in sorted order; pos[draft] = scope index. */
static int push_groups(ind_scopes *s, scope_draft *d, size_t nd,
		       scope_draft *const *order, size_t *pos)
{
	size_t j;

	for (j = 0; j < nd; j++) {
		scope_draft *x = order[j];
		char *name = x->name;
		x->name = NULL; /* now owned by the scope */
		pos[x - d] = s->n;
		if (!push_scope(s, name, x->kind, x->nmembers))
			return 0;
	}
	return 1;
}

ss_status ind_scopes_build(ind_scopes *s, const ind_school *schools,
			   size_t n, ss_error *e)
{
	size_t cap = GROUP_KINDS * n + 1, nd = 0, i, k;
	scope_draft *d = calloc(cap, sizeof *d);
	size_t *sd = calloc(cap, sizeof *sd);
	scope_draft **order = calloc(cap, sizeof *order);
	size_t *pos = calloc(cap, sizeof *pos);
	int ok = d && sd && order && pos;
	ind_scope *all = NULL;

	ind_scopes_init(s);
	if (ok) {
		nd = collect_drafts(schools, n, d, sd);
		ok = nd != (size_t)-1;
	}
	if (ok) {
		for (i = 0; i < nd; i++)
			order[i] = &d[i];
		qsort(order, nd, sizeof *order, draft_ptr_cmp);
		s->scope = calloc(n + nd + 1, sizeof *s->scope);
		ok = s->scope != NULL;
	}
	for (i = 0; ok && i < n; i++) {
		ind_scope *sc = push_scope(s, strdup(schools[i].id),
					   IND_SCOPE_SCHOOL, 1);
		ok = sc != NULL;
		if (ok)
			sc->members[sc->nmembers++] = i;
	}
	ok = ok && push_groups(s, d, nd, order, pos);
	for (i = 0; ok && i < n; i++)
		for (k = 0; k < GROUP_KINDS; k++) {
			size_t x = sd[GROUP_KINDS * i + k];
			if (x != (size_t)-1) {
				ind_scope *sc = &s->scope[pos[x]];
				sc->members[sc->nmembers++] = i;
			}
		}
	if (ok) {
		all = push_scope(s, strdup("all"), IND_SCOPE_ALL, n);
		ok = all != NULL;
	}
	for (i = 0; ok && i < n; i++)
		all->members[all->nmembers++] = i;
	drafts_free(d, cap);
	free(sd);
	free(order);
	free(pos);
	if (!ok) {
		ind_scopes_release(s);
		return err_set(e, SS_ENOMEM, NULL, 0, 0,
			       "out of memory building the scopes");
	}
	return SS_OK;
}

long ind_scopes_rank(const ind_scopes *s, const char *name)
{
	long v;

	if (!s || !name || !strmap_get(&s->by_name, name, &v))
		return -1;
	return v;
}

/* ----------------------------------------------------------------- rows */

void ind_rows_init(ind_rows *r, const ind_scopes *scopes, double ci_level,
		   diag_sink *diag)
{
	memset(r, 0, sizeof *r);
	r->scopes = scopes;
	r->ci_level = ci_level;
	r->diag = diag;
	strmap_init(&r->pool_index);
}

void ind_rows_release(ind_rows *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->npool; i++)
		free(r->pool[i]);
	free(r->pool);
	free(r->row);
	strmap_release(&r->pool_index);
	ind_rows_init(r, r->scopes, r->ci_level, r->diag);
}

static ss_status nomem(ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0,
		       "out of memory adding an indicator row");
}

/* The pooled copy of s; NULL on ENOMEM. */
static const char *intern(ind_rows *r, const char *s)
{
	long at;
	char *copy;

	if (strmap_get(&r->pool_index, s, &at))
		return r->pool[at];
	if (r->npool == r->cap_pool) {
		size_t cap = r->cap_pool ? 2 * r->cap_pool : 64;
		char **p = realloc(r->pool, cap * sizeof *p);
		if (!p)
			return NULL;
		r->pool = p;
		r->cap_pool = cap;
	}
	copy = strdup(s);
	if (!copy)
		return NULL;
	if (strmap_put(&r->pool_index, s, (long)r->npool, NULL) < 0) {
		free(copy);
		return NULL;
	}
	r->pool[r->npool++] = copy;
	return copy;
}

/* Appends a row with the key's strings and every number empty; *out
 * points to it. */
static ss_status row_new(ind_rows *r, const ind_key *k, ind_row **out,
			 ss_error *e)
{
	const ind_def *d = ind_def_get(k->id);
	char name[512];
	ind_row w;

	if (!d || !k->year || !k->scope)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "indicator row without a year, scope or known indicator");
	if (k->suffix && *k->suffix) {
		if ((size_t)snprintf(name, sizeof name, "%s:%s", d->name,
				     k->suffix) >= sizeof name)
			return err_set(e, SS_EUSAGE, NULL, 0, 0,
				       "indicator name too long '%s:%s'",
				       d->name, k->suffix);
	} else {
		snprintf(name, sizeof name, "%s", d->name);
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		ind_row *p = realloc(r->row, cap * sizeof *p);
		if (!p)
			return nomem(e);
		r->row = p;
		r->cap = cap;
	}
	memset(&w, 0, sizeof w);
	w.id = k->id;
	w.sub_rank = k->sub_rank;
	w.scope_rank = ind_scopes_rank(r->scopes, k->scope);
	w.year = intern(r, k->year);
	w.scope = intern(r, k->scope);
	w.indicator = intern(r, name);
	if (!w.year || !w.scope || !w.indicator)
		return nomem(e);
	r->row[r->n] = w;
	*out = &r->row[r->n++];
	return SS_OK;
}

static ss_status warn(ind_rows *r, const ind_src *src, const char *code,
		      const ind_row *w, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static ss_status warn(ind_rows *r, const ind_src *src, const char *code,
		      const ind_row *w, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (!r->diag)
		return SS_OK;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return diag_report(r->diag, DIAG_WARNING, code,
			   src && src->file ? src->file : "",
			   src ? src->line : 0, 0, "%s for '%s' in %s: %s",
			   w->indicator, w->scope, w->year, why);
}

static ss_status warn_zero(ind_rows *r, const ind_src *src, const ind_row *w,
			   ss_error *e)
{
	if (warn(r, src, "zero_denominator", w,
		 "%s is '0' (expected more than 0); value left empty",
		 src && src->what ? src->what : "the denominator") != SS_OK)
		return nomem(e);
	return SS_OK;
}

ss_status ind_rows_add_count(ind_rows *r, const ind_key *k, long long count,
			     ss_error *e)
{
	ind_row *w;
	ss_status st = row_new(r, k, &w, e);

	if (st != SS_OK)
		return st;
	w->has_value = w->has_numerator = w->has_denominator = 1;
	w->value = w->numerator = (double)count;
	w->denominator = 1;
	return SS_OK;
}

ss_status ind_rows_add_ratio(ind_rows *r, const ind_key *k, double num,
			     double den, const ind_src *src, ss_error *e)
{
	const ind_def *d = ind_def_get(k->id);
	ind_row *w;
	double lo, hi;
	ss_status st = row_new(r, k, &w, e);

	if (st != SS_OK)
		return st;
	w->has_numerator = isfinite(num);
	w->numerator = num;
	w->has_denominator = isfinite(den);
	w->denominator = den;
	if (!ind_value_from_parts(d, num, den, &w->value))
		return den == 0 ? warn_zero(r, src, w, e) : SS_OK;
	w->has_value = 1;
	/* Wilson needs a count of successes among den trials; anything else
	 * (over-filled posts, migration flows, model outputs) gets none. */
	if (d->wilson && num >= 0 && num <= den && num == floor(num) &&
	    den == floor(den) && den < 9e15 &&
	    stats_wilson((long long)num, (long long)den, r->ci_level, &lo,
			 &hi)) {
		w->has_ci = 1;
		w->ci_low = lo * d->scale;
		w->ci_high = hi * d->scale;
	}
	return SS_OK;
}

ss_status ind_rows_add_sd(ind_rows *r, const ind_key *k, int ok, double sd,
			  long long n, const ind_src *src, ss_error *e)
{
	ind_row *w;
	ss_status st = row_new(r, k, &w, e);

	if (st != SS_OK)
		return st;
	w->has_denominator = 1;
	w->denominator = n >= 1 ? (double)(n - 1) : 0;
	if (!ok || n < 2 || !isfinite(sd)) {
		if (n < 2)
			return warn_zero(r, src, w, e);
		return SS_OK;
	}
	w->has_numerator = w->has_value = 1;
	w->numerator = sd * sd * (double)(n - 1);
	w->value = sd;
	return SS_OK;
}

ss_status ind_rows_add_quantile(ind_rows *r, const ind_key *k, int ok,
				double q, long long n, ss_error *e)
{
	ind_row *w;
	ss_status st = row_new(r, k, &w, e);

	if (st != SS_OK)
		return st;
	w->has_denominator = 1;
	w->denominator = (double)n;
	if (ok && isfinite(q)) {
		w->has_value = 1;
		w->value = q;
	}
	return SS_OK;
}

ss_status ind_rows_add_empty(ind_rows *r, const ind_key *k,
			     const ind_src *src, const char *code,
			     const char *why, ss_error *e)
{
	ind_row *w;
	ss_status st = row_new(r, k, &w, e);

	if (st != SS_OK)
		return st;
	if (code && warn(r, src, code, w, "%s", why ? why : "") != SS_OK)
		return nomem(e);
	return SS_OK;
}

static int row_cmp(const void *a, const void *b)
{
	const ind_row *x = a, *y = b;
	long rx = x->scope_rank, ry = y->scope_rank;
	int c = strcmp(x->year, y->year);

	if (c)
		return c;
	if (rx != ry) {
		/* Unknown scopes (rank -1) come after every known one. */
		if (rx < 0)
			return 1;
		if (ry < 0)
			return -1;
		return rx < ry ? -1 : 1;
	}
	c = strcmp(x->scope, y->scope);
	if (c)
		return c;
	if (x->id != y->id)
		return (int)x->id < (int)y->id ? -1 : 1;
	if (x->sub_rank != y->sub_rank)
		return x->sub_rank < y->sub_rank ? -1 : 1;
	return strcmp(x->indicator, y->indicator);
}

void ind_rows_sort(ind_rows *r)
{
	if (r->n > 1)
		qsort(r->row, r->n, sizeof *r->row, row_cmp);
}

static void put_opt(csvout *w, int has, double v)
{
	if (has)
		csvout_real(w, v, 6);
	else
		csvout_empty(w);
}

ss_status ind_rows_write(const ind_rows *r, const char *path, ss_error *e)
{
	static const char *const header[] = {
		"year", "scope", "indicator", "value", "numerator",
		"denominator", "ci_low", "ci_high", NULL
	};
	csvout w;
	size_t i;
	ss_status st = csvout_open(&w, path, e);

	if (st != SS_OK)
		return st;
	csvout_header(&w, header);
	for (i = 0; i < r->n; i++) {
		const ind_row *x = &r->row[i];
		csvout_str(&w, x->year);
		csvout_str(&w, x->scope);
		csvout_str(&w, x->indicator);
		put_opt(&w, x->has_value, x->value);
		put_opt(&w, x->has_numerator, x->numerator);
		put_opt(&w, x->has_denominator, x->denominator);
		put_opt(&w, x->has_ci, x->ci_low);
		put_opt(&w, x->has_ci, x->ci_high);
		csvout_end_row(&w);
	}
	return csvout_close(&w, e);
}

/* ---------------------------------------------------------------- stage */

void ind_options_default(ind_options *o)
{
	o->ci_level = 0.95;
	o->pass_x100 = 500;
	o->low_x100 = 100;
	o->cohort_max_repeats = 3;
	o->hist_every_scope = 0;
}

static char *path_join(const char *dir, const char *name)
{
	size_t nd = strlen(dir), nn = strlen(name);
	char *p = malloc(nd + nn + 2);

	if (!p)
		return NULL;
	memcpy(p, dir, nd);
	p[nd] = '/';
	memcpy(p + nd + 1, name, nn + 1);
	return p;
}

ss_status ind_run(const char *outdir, const ind_options *opt,
		  const ind_producer *extra, size_t nextra, diag_sink *diag,
		  ss_error *e)
{
	static const ind_producer builtin[] = { ind_produce_basic,
						ind_produce_cohort };
	ind_input in;
	ind_rows rows;
	char *ind_path = path_join(outdir, "indicators.csv");
	char *hist_path = path_join(outdir, "exam_histograms.csv");
	ss_status st;
	size_t i;

	ind_input_init(&in);
	ind_rows_init(&rows, &in.scopes, opt->ci_level, diag);
	if (!ind_path || !hist_path) {
		st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		goto done;
	}
	st = ind_input_load(&in, outdir, e);
	if (st == SS_OK)
		st = ind_input_check(&in, diag, e);
	for (i = 0; st == SS_OK && i < sizeof builtin / sizeof builtin[0]; i++)
		st = builtin[i](&in, opt, &rows, e);
	if (st == SS_OK)
		st = ind_produce_exam(&in, opt, &rows, hist_path, e);
	for (i = 0; st == SS_OK && i < nextra; i++)
		st = extra[i](&in, opt, &rows, e);
	if (st == SS_OK) {
		ind_rows_sort(&rows);
		st = ind_rows_write(&rows, ind_path, e);
	}
done:
	ind_rows_release(&rows);
	ind_input_release(&in);
	free(ind_path);
	free(hist_path);
	return st;
}
