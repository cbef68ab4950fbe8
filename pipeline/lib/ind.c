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
	/* ambiguous[] is zeroed: most countries name places uniquely */
	for (size_t k = 0; ok && clash.count > 0 && k < GROUP_KINDS; k++)
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

/* The name of an unqualified scope in buf when it fits (the common case,
 * looked up without an allocation); NULL otherwise. */
static const char *short_name(ind_scope_kind kind, const char *v, char *buf,
			      size_t size)
{
	const char *prefix = kind_prefix(kind);
	size_t np = strlen(prefix), nv = strlen(v);

	if (np + nv + 1 > size)
		return NULL;
	memcpy(buf, prefix, np);
	memcpy(buf + np, v, nv + 1);
	return buf;
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
			const char *known;
			char *name, buf[256];
			long at;
			int put;
			sd[GROUP_KINDS * i + k] = (size_t)-1;
			if (!v || !*v)
				continue;
			/* a place seen before needs no name of its own */
			known = ambiguous[k * n + i]
					? NULL
					: short_name(group_kinds[k], v, buf,
						     sizeof buf);
			if (known && strmap_get(&seen, known, &at)) {
				sd[GROUP_KINDS * i + k] = (size_t)at;
				d[at].nmembers++;
				continue;
			}
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

#define NO_INDEX UINT32_MAX

void ind_rows_init(ind_rows *r, const ind_scopes *scopes, double ci_level,
		   diag_sink *diag)
{
	memset(r, 0, sizeof *r);
	r->scopes = scopes;
	r->ci_level = ci_level;
	r->z_ok = stats_wilson_z(ci_level, &r->z);
	r->diag = diag;
	r->last_year = r->last_scope = r->last_suffix = -1;
	strmap_init(&r->pool_index);
	strmap_init(&r->suffix_index);
}

void ind_rows_release(ind_rows *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->npool; i++)
		free(r->pool[i]);
	free(r->pool);
	free(r->pool_role);
	for (i = 0; i < r->nsuffix; i++)
		free(r->suffix[i]);
	free(r->suffix);
	free(r->named);
	free(r->row);
	strmap_release(&r->pool_index);
	strmap_release(&r->suffix_index);
	ind_rows_init(r, r->scopes, r->ci_level, r->diag);
}

static ss_status nomem(ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0,
		       "out of memory adding an indicator row");
}

enum { ROLE_YEAR = 1, ROLE_SCOPE = 2, ROLE_NAME = 4 };

/* Index of the pooled copy of s, marked as used in role; -1 on ENOMEM. */
static long intern(ind_rows *r, const char *s, unsigned char role)
{
	long at;
	char *copy;

	if (strmap_get(&r->pool_index, s, &at)) {
		r->pool_role[at] |= role;
		return at;
	}
	if (r->npool >= NO_INDEX)
		return -1;
	if (r->npool == r->cap_pool) {
		size_t cap = r->cap_pool ? 2 * r->cap_pool : 64;
		char **p = realloc(r->pool, cap * sizeof *p);
		unsigned char *q;
		if (!p)
			return -1;
		r->pool = p;
		q = realloc(r->pool_role, cap);
		if (!q)
			return -1;
		r->pool_role = q;
		r->cap_pool = cap;
	}
	copy = strdup(s);
	if (!copy)
		return -1;
	if (strmap_put(&r->pool_index, s, (long)r->npool, NULL) < 0) {
		free(copy);
		return -1;
	}
	r->pool[r->npool] = copy;
	r->pool_role[r->npool] = role;
	return (long)r->npool++;
}

/* intern, remembering the last string asked for in *last (whose role is
 * marked already). */
static long intern_cached(ind_rows *r, const char *s, long *last,
			  unsigned char role)
{
	if (*last >= 0 && strcmp(r->pool[*last], s) == 0)
		return *last;
	return *last = intern(r, s, role);
}

/* The number of suffix s ("" for none), added when new; -1 on ENOMEM. */
static long suffix_number(ind_rows *r, const char *s)
{
	long at;
	size_t k;

	if (r->last_suffix >= 0 && strcmp(r->suffix[r->last_suffix], s) == 0)
		return r->last_suffix;
	if (strmap_get(&r->suffix_index, s, &at))
		return r->last_suffix = at;
	if (r->nsuffix == r->cap_suffix) {
		size_t cap = r->cap_suffix ? 2 * r->cap_suffix : 16;
		char **p = realloc(r->suffix, cap * sizeof *p);
		uint32_t *q;
		if (!p)
			return -1;
		r->suffix = p;
		q = realloc(r->named, cap * IND_NUM_INDICATORS * sizeof *q);
		if (!q)
			return -1;
		r->named = q;
		r->cap_suffix = cap;
	}
	if (!(r->suffix[r->nsuffix] = strdup(s)))
		return -1;
	if (strmap_put(&r->suffix_index, s, (long)r->nsuffix, NULL) < 0) {
		free(r->suffix[r->nsuffix]);
		return -1;
	}
	for (k = 0; k < IND_NUM_INDICATORS; k++)
		r->named[r->nsuffix * IND_NUM_INDICATORS + k] = NO_INDEX;
	return r->last_suffix = (long)r->nsuffix++;
}

/* Pool index of the full name of indicator d with suffix sfx, or
 * (uint32_t)-1 with *st set. */
static uint32_t indicator_name(ind_rows *r, const ind_def *d, long s,
			       ss_status *st, ss_error *e)
{
	const char *sfx;
	uint32_t *slot;
	char name[512];
	long at;

	if (s < 0) {
		*st = nomem(e);
		return NO_INDEX;
	}
	sfx = r->suffix[s];
	slot = &r->named[(size_t)s * IND_NUM_INDICATORS + d->id];
	if (*slot != NO_INDEX)
		return *slot;
	if (*sfx) {
		if ((size_t)snprintf(name, sizeof name, "%s:%s", d->name,
				     sfx) >= sizeof name) {
			*st = err_set(e, SS_EUSAGE, NULL, 0, 0,
				      "indicator name too long '%s:%s'",
				      d->name, sfx);
			return NO_INDEX;
		}
	} else {
		snprintf(name, sizeof name, "%s", d->name);
	}
	at = intern(r, name, ROLE_NAME);
	if (at < 0) {
		*st = nomem(e);
		return NO_INDEX;
	}
	return *slot = (uint32_t)at;
}

/* Appends a row with the key's strings and no parts; *out points to it. */
static ss_status row_new(ind_rows *r, const ind_key *k, ind_form form,
			 ind_row **out, ss_error *e)
{
	const ind_def *d = ind_def_get(k->id);
	ss_status st = SS_OK;
	long year, scope;
	uint32_t name;
	ind_row *w;

	if (!d || !k->year || !k->scope)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "indicator row without a year, scope or known indicator");
	if (r->fixed) {
		name = indicator_name(r, d, r->fixed->suffix, &st, e);
		year = r->fixed->year;
		scope = r->fixed->scope;
	} else {
		name = indicator_name(r, d,
				      suffix_number(r, k->suffix ? k->suffix
								 : ""),
				      &st, e);
		year = intern_cached(r, k->year, &r->last_year, ROLE_YEAR);
		scope = intern_cached(r, k->scope, &r->last_scope,
				      ROLE_SCOPE);
	}
	if (st != SS_OK)
		return st;
	if (year < 0 || scope < 0)
		return nomem(e);
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		ind_row *p = realloc(r->row, cap * sizeof *p);
		if (!p)
			return nomem(e);
		r->row = p;
		r->cap = cap;
	}
	if (r->n == 0 || k->sub_rank < r->min_sub)
		r->min_sub = k->sub_rank;
	if (r->n == 0 || k->sub_rank > r->max_sub)
		r->max_sub = k->sub_rank;
	w = &r->row[r->n++];
	memset(w, 0, sizeof *w);
	w->id = (unsigned char)k->id;
	w->form = (unsigned char)form;
	w->sub_rank = k->sub_rank;
	w->year = (uint32_t)year;
	w->scope = (uint32_t)scope;
	w->indicator = name;
	*out = w;
	return SS_OK;
}

long ind_rows_suffix_id(ind_rows *r, const char *suffix)
{
	return suffix_number(r, suffix ? suffix : "");
}

ss_status ind_rows_key_ids(ind_rows *r, const ind_key *k, ind_key_ids *ids,
			   ss_error *e)
{
	ids->year = intern_cached(r, k->year, &r->last_year, ROLE_YEAR);
	ids->scope = intern_cached(r, k->scope, &r->last_scope, ROLE_SCOPE);
	ids->suffix = suffix_number(r, k->suffix ? k->suffix : "");
	if (ids->year < 0 || ids->scope < 0 || ids->suffix < 0)
		return nomem(e);
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
			   r->pool[w->indicator], r->pool[w->scope],
			   r->pool[w->year], why);
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
	ss_status st = row_new(r, k, IND_FORM_COUNT, &w, e);

	if (st != SS_OK)
		return st;
	w->has_a = 1;
	w->a = (double)count;
	return SS_OK;
}

ss_status ind_rows_add_ratio(ind_rows *r, const ind_key *k, double num,
			     double den, const ind_src *src, ss_error *e)
{
	double value;
	ind_row *w;
	ss_status st = row_new(r, k, IND_FORM_RATIO, &w, e);

	if (st != SS_OK)
		return st;
	w->has_a = isfinite(num);
	w->a = num;
	w->has_b = isfinite(den);
	w->b = den;
	if (!ind_value_from_parts(ind_def_get(k->id), num, den, &value) &&
	    den == 0)
		return warn_zero(r, src, w, e);
	return SS_OK;
}

ss_status ind_rows_add_sd(ind_rows *r, const ind_key *k, int ok, double sd,
			  long long n, const ind_src *src, ss_error *e)
{
	ind_row *w;
	ss_status st = row_new(r, k, IND_FORM_SD, &w, e);

	if (st != SS_OK)
		return st;
	w->has_b = 1;
	w->b = n >= 1 ? (double)(n - 1) : 0;
	if (!ok || n < 2 || !isfinite(sd)) {
		if (n < 2)
			return warn_zero(r, src, w, e);
		return SS_OK;
	}
	w->has_a = 1;
	w->a = sd;
	return SS_OK;
}

ss_status ind_rows_add_quantile(ind_rows *r, const ind_key *k, int ok,
				double q, long long n, ss_error *e)
{
	ind_row *w;
	ss_status st = row_new(r, k, IND_FORM_QUANTILE, &w, e);

	if (st != SS_OK)
		return st;
	w->has_b = 1;
	w->b = (double)n;
	if (ok && isfinite(q)) {
		w->has_a = 1;
		w->a = q;
	}
	return SS_OK;
}

ss_status ind_rows_add_empty(ind_rows *r, const ind_key *k,
			     const ind_src *src, const char *code,
			     const char *why, ss_error *e)
{
	ind_row *w;
	ss_status st = row_new(r, k, IND_FORM_EMPTY, &w, e);

	if (st != SS_OK)
		return st;
	if (code && warn(r, src, code, w, "%s", why ? why : "") != SS_OK)
		return nomem(e);
	return SS_OK;
}

/* The numbers of row x by the row conventions. */
static void row_numbers(const ind_rows *r, const ind_row *x, ind_values *v)
{
	const ind_def *d = ind_def_get((ind_id)x->id);
	double lo, hi;

	v->has_value = v->has_numerator = v->has_denominator = v->has_ci = 0;
	v->value = v->numerator = v->denominator = v->ci_low = v->ci_high = 0;
	switch ((ind_form)x->form) {
	case IND_FORM_COUNT:
		v->has_value = v->has_numerator = v->has_denominator = 1;
		v->value = v->numerator = x->a;
		v->denominator = 1;
		break;
	case IND_FORM_RATIO:
		v->has_numerator = x->has_a;
		v->numerator = x->a;
		v->has_denominator = x->has_b;
		v->denominator = x->b;
		if (!ind_value_from_parts(d, x->a, x->b, &v->value))
			break;
		v->has_value = 1;
		/* Wilson needs a count of successes among den trials; anything
		 * else (over-filled posts, migration flows, model outputs)
		 * gets none. */
		if (d->wilson && r->z_ok && x->a >= 0 && x->a <= x->b &&
		    x->a == floor(x->a) && x->b == floor(x->b) &&
		    x->b < 9e15 &&
		    stats_wilson_at((long long)x->a, (long long)x->b, r->z,
				    &lo, &hi)) {
			v->has_ci = 1;
			v->ci_low = lo * d->scale;
			v->ci_high = hi * d->scale;
		}
		break;
	case IND_FORM_SD:
		v->has_denominator = 1;
		v->denominator = x->b;
		if (x->has_a) {
			v->has_numerator = v->has_value = 1;
			v->numerator = x->a * x->a * x->b;
			v->value = x->a;
		}
		break;
	case IND_FORM_QUANTILE:
		v->has_denominator = 1;
		v->denominator = x->b;
		if (x->has_a) {
			v->has_value = 1;
			v->value = x->a;
		}
		break;
	default:
		break;
	}
}

void ind_rows_values(const ind_rows *r, size_t i, ind_values *v)
{
	const ind_row *x = &r->row[i];

	v->year = r->pool[x->year];
	v->scope = r->pool[x->scope];
	v->indicator = r->pool[x->indicator];
	row_numbers(r, x, v);
}

/* Sorting. Every field of the order is turned into a small unsigned
 * number first: years and indicator names into their rank among the
 * years and names in use (one sort of the pool's few thousand strings),
 * scopes into their rank in the scope list (unknown ones after all of
 * them, by name), sub_rank shifted to start at 0. The fields are packed
 * into 64-bit keys (one for any real catalogue: some 30 bits) and a
 * stable radix sort of row indices, least significant key first, does the
 * rest in a few linear passes: a national run has 300,000 rows, which a
 * comparison sort on strings took long to order. */

enum { KEY_YEAR, KEY_SCOPE, KEY_ID, KEY_SUB, KEY_NAME, NUM_KEYS };

typedef struct sort_keys {
	uint32_t *year_rank;  /* pool index -> rank among the years */
	uint32_t *name_rank;  /* pool index -> rank among the names */
	uint64_t *scope_key;  /* pool index -> scope order */
	long min_sub;
	uint64_t max[NUM_KEYS];
} sort_keys;

typedef struct pooled {
	const char *text;
	uint32_t index;
} pooled;

static int pooled_cmp(const void *a, const void *b)
{
	return strcmp(((const pooled *)a)->text, ((const pooled *)b)->text);
}

static void row_keys(const sort_keys *k, const ind_row *x,
		     uint64_t v[NUM_KEYS])
{
	v[KEY_YEAR] = k->year_rank[x->year];
	v[KEY_SCOPE] = k->scope_key[x->scope];
	v[KEY_ID] = x->id;
	v[KEY_SUB] = (uint64_t)x->sub_rank - (uint64_t)k->min_sub;
	v[KEY_NAME] = k->name_rank[x->indicator];
}

static unsigned bit_length(uint64_t v)
{
	unsigned n = 0;

	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

static void sort_keys_release(sort_keys *k)
{
	free(k->year_rank);
	free(k->name_rank);
	free(k->scope_key);
}

/* The ranks of the pool strings in their roles and the largest value of
 * each field; 0 on ENOMEM. */
static int sort_keys_build(sort_keys *k, const ind_rows *r)
{
	size_t i, np = r->npool;
	uint64_t nyears = 0, nnames = 0, nunknown = 0;
	uint64_t nscopes = r->scopes ? r->scopes->n : 0;
	pooled *by_text = malloc((np + 1) * sizeof *by_text);

	k->year_rank = malloc((np + 1) * sizeof *k->year_rank);
	k->name_rank = malloc((np + 1) * sizeof *k->name_rank);
	k->scope_key = malloc((np + 1) * sizeof *k->scope_key);
	if (!by_text || !k->year_rank || !k->name_rank || !k->scope_key) {
		free(by_text);
		return 0;
	}
	memset(k->max, 0, sizeof k->max);
	k->min_sub = r->min_sub;
	k->max[KEY_SUB] = (uint64_t)r->max_sub - (uint64_t)r->min_sub;
	k->max[KEY_ID] = IND_NUM_INDICATORS - 1;
	for (i = 0; i < np; i++) {
		by_text[i].text = r->pool[i];
		by_text[i].index = (uint32_t)i;
	}
	qsort(by_text, np, sizeof *by_text, pooled_cmp);
	for (i = 0; i < np; i++) {
		uint32_t x = by_text[i].index;
		unsigned char role = r->pool_role[x];
		if (role & ROLE_YEAR)
			k->year_rank[x] = (uint32_t)nyears++;
		if (role & ROLE_NAME)
			k->name_rank[x] = (uint32_t)nnames++;
		if (role & ROLE_SCOPE) {
			long rank = ind_scopes_rank(r->scopes, r->pool[x]);
			k->scope_key[x] = rank >= 0 ? (uint64_t)rank
						    : nscopes + nunknown++;
			if (k->scope_key[x] > k->max[KEY_SCOPE])
				k->max[KEY_SCOPE] = k->scope_key[x];
		}
	}
	k->max[KEY_YEAR] = nyears ? nyears - 1 : 0;
	k->max[KEY_NAME] = nnames ? nnames - 1 : 0;
	free(by_text);
	return 1;
}

/* Stable radix sort of order[0..n) by key[order[i]] of `bits` bits, in
 * as few passes of at most 16 bits as cover them; tmp has n entries,
 * count 2^16. Returns the array holding the result. */
static uint32_t *radix_pass(const uint64_t *key, unsigned bits,
			    uint32_t *order, uint32_t *tmp, size_t n,
			    size_t *count)
{
	unsigned passes = (bits + 15) / 16, digit, shift;
	size_t i, size, mask;

	if (bits == 0)
		return order;
	digit = (bits + passes - 1) / passes;
	size = (size_t)1 << digit;
	mask = size - 1;
	for (shift = 0; shift < bits; shift += digit) {
		size_t sum = 0, c;
		uint32_t *t;
		memset(count, 0, size * sizeof *count);
		for (i = 0; i < n; i++)
			count[(key[order[i]] >> shift) & mask]++;
		if (count[(key[order[0]] >> shift) & mask] == n)
			continue; /* one digit for all: nothing moves */
		for (c = 0; c < size; c++) {
			size_t m = count[c];
			count[c] = sum;
			sum += m;
		}
		for (i = 0; i < n; i++) {
			uint32_t x = order[i];
			tmp[count[(key[x] >> shift) & mask]++] = x;
		}
		t = order;
		order = tmp;
		tmp = t;
	}
	return order;
}

ss_status ind_rows_sort(ind_rows *r, ss_error *e)
{
	sort_keys k;
	uint32_t *order = NULL, *tmp = NULL, *res;
	uint64_t *key = NULL;
	size_t *count = NULL;
	size_t i, n = r->n;
	unsigned bits[NUM_KEYS];
	ss_status st = SS_OK;
	int f, lo;

	if (n < 2)
		return SS_OK;
	memset(&k, 0, sizeof k);
	order = malloc(n * sizeof *order);
	tmp = malloc(n * sizeof *tmp);
	key = malloc(n * sizeof *key);
	count = malloc(((size_t)1 << 16) * sizeof *count);
	if (!order || !tmp || !key || !count || n > NO_INDEX ||
	    !sort_keys_build(&k, r)) {
		st = err_set(e, SS_ENOMEM, NULL, 0, 0,
			     "out of memory sorting the indicator rows");
		goto done;
	}
	for (f = 0; f < NUM_KEYS; f++)
		bits[f] = bit_length(k.max[f]);
	for (i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	/* Fields [lo, hi] share one key, as many as fit in 64 bits; keys
	 * are sorted least significant first. */
	for (int hi = NUM_KEYS - 1; hi >= 0; hi = lo - 1) {
		unsigned total = bits[hi];
		lo = hi;
		while (lo > 0 && total + bits[lo - 1] <= 64)
			total += bits[--lo];
		for (i = 0; i < n; i++) {
			uint64_t v[NUM_KEYS], packed = 0;
			row_keys(&k, &r->row[i], v);
			for (f = lo; f <= hi; f++)
				/* a 64-bit field is alone in its key */
				packed = (bits[f] >= 64 ? 0 : packed << bits[f]) |
					 v[f];
			key[i] = packed;
		}
		res = radix_pass(key, total, order, tmp, n, count);
		if (res != order) {
			tmp = order;
			order = res;
		}
	}
	/* Rows into that order, following the cycles of the permutation;
	 * done rows are marked in order[]. */
	for (i = 0; i < n; i++) {
		size_t j = i, next;
		ind_row first;
		if (order[i] == NO_INDEX)
			continue;
		first = r->row[i];
		while ((next = order[j]) != i) {
			r->row[j] = r->row[next];
			order[j] = NO_INDEX;
			j = next;
		}
		r->row[j] = first;
		order[j] = NO_INDEX;
	}
done:
	sort_keys_release(&k);
	free(order);
	free(tmp);
	free(key);
	free(count);
	return st;
}

/* Appends ",<number>" (or "," for none) at p; returns the end. */
static char *put_opt(char *p, int has, double v)
{
	*p++ = ',';
	if (has)
		p += csvout_real_text(v, 6, p);
	return p;
}

ss_status ind_rows_write(const ind_rows *r, const char *path, ss_error *e)
{
	static const char *const header[] = {
		"year", "scope", "indicator", "value", "numerator",
		"denominator", "ci_low", "ci_high", NULL
	};
	char **text = calloc(r->npool + 1, sizeof *text), *line = NULL;
	size_t *len = calloc(r->npool + 1, sizeof *len), longest = 0, linecap;
	csvout w;
	size_t i;
	ss_status st;

	/* The row strings as CSV fields, quoted once. */
	for (i = 0; text && len && i < r->npool; i++) {
		if (!(text[i] = csvout_field_dup(r->pool[i], &len[i])))
			break;
		if (len[i] > longest)
			longest = len[i];
	}
	linecap = 3 * (longest + 1) + 5 * (CSVOUT_REAL_MAX + 1) + 1;
	if (text && len && i == r->npool)
		line = malloc(linecap);
	if (!line) {
		st = err_set(e, SS_ENOMEM, NULL, 0, 0,
			     "out of memory writing the indicators");
		goto done;
	}
	st = csvout_open(&w, path, e);
	if (st != SS_OK)
		goto done;
	csvout_header(&w, header);
	/* Each row is assembled in the writer's block (or in line, should
	 * that fail) and handed over whole. */
	for (i = 0; i < r->n; i++) {
		const ind_row *x = &r->row[i];
		ind_values v;
		char *start = csvout_reserve(&w, linecap), *p, *value;
		p = start ? start : line;
		row_numbers(r, x, &v);
		memcpy(p, text[x->year], len[x->year]);
		p += len[x->year];
		*p++ = ',';
		memcpy(p, text[x->scope], len[x->scope]);
		p += len[x->scope];
		*p++ = ',';
		memcpy(p, text[x->indicator], len[x->indicator]);
		p += len[x->indicator];
		value = p;
		p = put_opt(p, v.has_value, v.value);
		if (x->form == IND_FORM_COUNT) {
			/* numerator = value: the same ",<number>" again */
			memcpy(p, value, (size_t)(p - value));
			p += p - value;
		} else {
			p = put_opt(p, v.has_numerator, v.numerator);
		}
		p = put_opt(p, v.has_denominator, v.denominator);
		p = put_opt(p, v.has_ci, v.ci_low);
		p = put_opt(p, v.has_ci, v.ci_high);
		if (start) {
			*p++ = '\n';
			csvout_commit_row(&w, (size_t)(p - start));
		} else {
			csvout_raw(&w, line, (size_t)(p - line));
			csvout_end_row(&w);
		}
	}
	st = csvout_close(&w, e);
done:
	for (i = 0; text && i < r->npool; i++)
		free(text[i]);
	free(text);
	free(len);
	free(line);
	return st;
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
		st = ind_rows_sort(&rows, e);
		if (st == SS_OK)
			st = ind_rows_write(&rows, ind_path, e);
	}
done:
	ind_rows_release(&rows);
	ind_input_release(&in);
	free(ind_path);
	free(hist_path);
	return st;
}
