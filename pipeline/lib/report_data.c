/* report_data — reads the pipeline's outputs for the report and answers
 * lookups by (year, scope, name). Nothing is computed here: values are
 * the stages' own. */
#include "report_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvin.h"

#include "ind.h"
#include "text.h"

void rdata_init(rdata *r)
{
	memset(r, 0, sizeof *r);
	ctable_init(&r->schools);
	ctable_init(&r->norms);
	ctable_init(&r->gaps);
	ctable_init(&r->valid);
	ctable_init(&r->rejects);
	ctable_init(&r->sources);
	ctable_init(&r->info);
	rpool_init(&r->strs);
	rpool_init(&r->aux);
	strmap_init(&r->norm_idx);
	strmap_init(&r->school_idx);
}

void rdata_release(rdata *r)
{
	ctable_release(&r->schools);
	ctable_release(&r->norms);
	ctable_release(&r->gaps);
	ctable_release(&r->valid);
	ctable_release(&r->rejects);
	ctable_release(&r->sources);
	ctable_release(&r->info);
	rpool_release(&r->strs);
	rpool_release(&r->aux);
	free(r->ind);
	free(r->ind_slots);
	free(r->hist);
	free(r->exam_scope);
	free(r->exam_subject);
	free(r->exams[0].item);
	free(r->exams[1].item);
	strmap_release(&r->norm_idx);
	strmap_release(&r->school_idx);
	free(r->outdir);
	free(r->unit);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ strings */

#define RPOOL_BLOCK (64 * 1024)

static uint32_t hash_str(const char *s, size_t *len)
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = s; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 16777619u;
	}
	if (len)
		*len = (size_t)(p - s);
	return h;
}

void rpool_init(rpool *p)
{
	memset(p, 0, sizeof *p);
}

void rpool_release(rpool *p)
{
	char *b = p->block;

	while (b) {
		char *prev;

		memcpy(&prev, b, sizeof prev);
		free(b);
		b = prev;
	}
	free(p->str);
	free(p->hash);
	free(p->slots);
	memset(p, 0, sizeof *p);
}

static long pool_lookup(const rpool *p, const char *s, uint32_t h,
			size_t *slot)
{
	size_t i, mask = p->nslots - 1;

	if (!p->nslots)
		return -1;
	for (i = h & mask; p->slots[i]; i = (i + 1) & mask) {
		uint32_t id = p->slots[i] - 1;

		if (p->hash[id] == h && strcmp(p->str[id], s) == 0)
			return (long)id;
	}
	if (slot)
		*slot = i;
	return -1;
}

long rpool_find(const rpool *p, const char *s)
{
	return pool_lookup(p, s, hash_str(s, NULL), NULL);
}

static int pool_grow_slots(rpool *p)
{
	size_t n = p->nslots ? p->nslots * 2 : 256, i;
	uint32_t *slots = calloc(n, sizeof *slots);

	if (!slots)
		return -1;
	for (i = 0; i < p->n; i++) {
		size_t j = p->hash[i] & (n - 1);

		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = n;
	return 0;
}

/* Room for len bytes of text. */
static char *pool_text(rpool *p, size_t len)
{
	char *b;
	size_t size;

	if (p->block && p->block_size - p->block_used >= len) {
		b = p->block + p->block_used;
		p->block_used += len;
		return b;
	}
	size = sizeof(char *) + len > RPOOL_BLOCK ? sizeof(char *) + len
						  : RPOOL_BLOCK;
	if (!(b = malloc(size)))
		return NULL;
	memcpy(b, &p->block, sizeof p->block);
	p->block = b;
	p->block_size = size;
	p->block_used = sizeof(char *) + len;
	return b + sizeof(char *);
}

long rpool_add(rpool *p, const char *s)
{
	size_t len, slot = 0;
	uint32_t h = hash_str(s, &len);
	long id = pool_lookup(p, s, h, &slot);
	char *copy;

	if (id >= 0)
		return id;
	if (p->n >= UINT32_MAX - 1)
		return -1;
	if ((p->n + 1) * 2 > p->nslots) {
		if (pool_grow_slots(p) != 0)
			return -1;
		pool_lookup(p, s, h, &slot);
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		char **str = realloc(p->str, cap * sizeof *str);
		uint32_t *hash;

		if (!str)
			return -1;
		p->str = str;
		if (!(hash = realloc(p->hash, cap * sizeof *hash)))
			return -1;
		p->hash = hash;
		p->cap = cap;
	}
	if (!(copy = pool_text(p, len + 1)))
		return -1;
	memcpy(copy, s, len + 1);
	p->str[p->n] = copy;
	p->hash[p->n] = h;
	p->slots[slot] = (uint32_t)p->n + 1;
	return (long)p->n++;
}

const char *rdata_str(const rdata *r, uint32_t id)
{
	return id < r->strs.n ? r->strs.str[id] : "";
}

long rdata_str_id(const rdata *r, const char *s)
{
	return rpool_find(&r->strs, s);
}

const char *rdata_aux_str(const rdata *r, uint32_t id)
{
	return id < r->aux.n ? r->aux.str[id] : "";
}

long rdata_aux_id(const rdata *r, const char *s)
{
	return rpool_find(&r->aux, s);
}

const char *rdata_cell(const ctable *t, size_t row, const char *col)
{
	if (row >= t->nrows)
		return "";
	return ctable_get(t, row, ctable_col(t, col));
}

int rdata_num(const ctable *t, size_t row, const char *col, double *out)
{
	if (row >= t->nrows)
		return 0;
	return ctable_get_double(t, row, ctable_col(t, col), out) == 1;
}

/* ------------------------------------------------------------ loading */

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static ss_status oom(ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
}

/* A file that is missing is absent; one that exists but cannot be read
 * is an error of its reader. */
static int file_present(const char *path)
{
	struct stat sb;

	return !(stat(path, &sb) != 0 && errno == ENOENT);
}

/* Loads dir/name when it exists; *present says whether it did. A file that
 * exists but cannot be read or parsed is an error. */
static ss_status load_optional(ctable *t, const char *dir, const char *name,
			       int *present, ss_error *e)
{
	char *path = join(dir, name);
	ss_status st;

	*present = 0;
	if (!path)
		return oom(e);
	if (!file_present(path)) {
		free(path);
		return SS_OK;
	}
	*present = 1;
	st = ctable_load(t, path, e);
	free(path);
	return st;
}

static ss_status missing_column(const char *path, const char *col,
				ss_error *e)
{
	return err_set(e, SS_EDATA, path, 1, 0,
		       "missing column '%s' (expected it in the header "
		       "written by the pipeline)",
		       col);
}

/* Every name of cols (NULL-terminated) must be a column of t. */
static ss_status need_columns(const ctable *t, const char *const *cols,
			      ss_error *e)
{
	for (; *cols; cols++)
		if (ctable_col(t, *cols) < 0)
			return missing_column(t->path, *cols, e);
	return SS_OK;
}

static const char *const schools_cols[] = { "school_id", "name", "level",
					    NULL };
static const char *const ind_cols[] = { "year", "scope", "indicator",
					"value", "numerator", "denominator",
					NULL };
static const char *const norms_cols[] = { "year", "scope", "norm", "value",
					  "limit", "status", "shortfall",
					  NULL };
static const char *const gaps_cols[] = { "year", "scope", "indicator", "op",
					 "target", "actual", "actual_year",
					 "basis", "gap", "status", NULL };
static const char *const valid_cols[] = { "severity", "code", "file", "line",
					  "column", "message", NULL };
static const char *const hist_cols[] = { "year", "scope", "subject",
					 "bin_width", "bin_low", "bin_high",
					 "count", NULL };
static const char *const exam_cols[] = { "year", "exam", NULL };
static const char *const sources_cols[] = { "table", "path", "present",
					    "rows_read", "accepted",
					    "rejected", NULL };
static const char *const rejects_cols[] = { "file", "line", NULL };
static const char *const info_cols[] = { "key", "value", NULL };

/* ------------------------------------------------------------ streaming */

/* The three big tables (indicators.csv, exam_histograms.csv and
 * clean/exam_hist.csv, some 40 MB at national scale) are streamed
 * (ctable_stream) into what the report keeps of them, never whole into
 * memory. */

/* Column positions of a streamed table, found like ctable_col (the first
 * column of that name), and the first required column it lacks. */
typedef struct colmap {
	int col[8];
	const char *missing;
} colmap;

static void colmap_find(colmap *m, const char *const *want,
			char *const *names, size_t n)
{
	size_t w, i;

	m->missing = NULL;
	for (w = 0; want[w]; w++) {
		m->col[w] = -1;
		for (i = 0; i < n && m->col[w] < 0; i++)
			if (strcmp(names[i], want[w]) == 0)
				m->col[w] = (int)i;
		if (m->col[w] < 0 && !m->missing)
			m->missing = want[w];
	}
}

static const char *field(const char *const *f, size_t n, int col)
{
	return col >= 0 && (size_t)col < n ? f[col] : "";
}

/* A number cell as ctable_get_double reads it: 1 and *out for a number, 0
 * when empty, -1 for anything else. Plain decimals of at most 15 digits
 * are exact as m / 10^k (both exact doubles, one correctly rounded
 * division), which is what strtod returns for them; anything else goes
 * to strtod itself. */
static int parse_number(const char *s, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2,	1e3,  1e4,  1e5,
					1e6, 1e7, 1e8,	1e9,  1e10, 1e11,
					1e12, 1e13, 1e14, 1e15 };
	const char *p = s;
	uint64_t m = 0;
	int digits = 0, frac = -1, neg = 0;
	char *end;
	double v;

	if (!*s)
		return 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 15)
				break;
			m = m * 10 + (uint64_t)(*p - '0');
			if (frac >= 0)
				frac++;
		} else if (*p == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	if (*p == '\0' && digits > 0) {
		v = (double)m;
		if (frac > 0)
			v /= pow10[frac];
		*out = neg ? -v : v;
		return 1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v))
		return -1;
	*out = v;
	return 1;
}

/* The id of s, trying the previous row's first (*last; -1 none): the big
 * tables repeat their year and scope over runs of rows. */
static long intern(rpool *p, const char *s, long *last)
{
	long id;

	if (*last >= 0 && strcmp(p->str[*last], s) == 0)
		return *last;
	id = rpool_add(p, s);
	if (id >= 0)
		*last = id;
	return id;
}

/* indicators.csv */

/* v (cap items of size, n used) with room for one more, doubled from
 * first; NULL when out of memory, v then unchanged. */
static void *room_for_one(void *v, size_t n, size_t *cap, size_t size,
			  size_t first)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : first;
	if (!(p = realloc(v, ncap * size)))
		return NULL;
	*cap = ncap;
	return p;
}

typedef struct ind_sink {
	rdata *r;
	colmap m;
	long last_year, last_scope;
} ind_sink;

static int ind_take_header(void *ctx, char *const *names, size_t n)
{
	ind_sink *k = ctx;

	colmap_find(&k->m, ind_cols, names, n);
	return 0;
}

/* A number cell into *out (0.0 when it holds none), bit into *has. */
static void take_part(const char *cell, uint32_t bit, double *out,
		      uint32_t *has)
{
	if (parse_number(cell, out) == 1)
		*has |= bit;
	else
		*out = 0.0;
}

static int ind_take_row(void *ctx, const char *const *f, size_t n,
			long line)
{
	ind_sink *k = ctx;
	rdata *r = k->r;
	rind_row *row, *p;
	long y, s, i;

	(void)line; /* the report quotes no line of these tables */

	if (!(p = room_for_one(r->ind, r->nind, &r->ind_cap, sizeof *p, 1024)))
		return -1;
	r->ind = p;
	y = intern(&r->strs, field(f, n, k->m.col[0]), &k->last_year);
	s = intern(&r->strs, field(f, n, k->m.col[1]), &k->last_scope);
	i = rpool_add(&r->strs, field(f, n, k->m.col[2]));
	if (y < 0 || s < 0 || i < 0)
		return -1;
	row = &r->ind[r->nind++];
	row->year = (uint32_t)y;
	row->scope = (uint32_t)s;
	row->indicator = (uint32_t)i;
	row->has = 0;
	take_part(field(f, n, k->m.col[3]), RIND_VALUE, &row->value, &row->has);
	take_part(field(f, n, k->m.col[4]), RIND_NUM, &row->num, &row->has);
	take_part(field(f, n, k->m.col[5]), RIND_DEN, &row->den, &row->has);
	return 0;
}

static void ind_take_reset(void *ctx)
{
	ind_sink *k = ctx;

	/* interned strings stay: ids are only looked up through rows */
	k->r->nind = 0;
	k->last_year = k->last_scope = -1;
}

/* exam_histograms.csv */

typedef struct hist_sink {
	rdata *r;
	colmap m;
	long last_year, last_subject;
} hist_sink;

static int hist_take_header(void *ctx, char *const *names, size_t n)
{
	hist_sink *k = ctx;

	colmap_find(&k->m, hist_cols, names, n);
	return 0;
}

static int hist_take_row(void *ctx, const char *const *f, size_t n,
			long line)
{
	hist_sink *k = ctx;
	rdata *r = k->r;
	rhist_row *h, *p;
	long y, s;

	(void)line; /* the report quotes no line of these tables */

	if (strcmp(field(f, n, k->m.col[1]), "all") != 0)
		return 0;
	if (!(p = room_for_one(r->hist, r->nhist, &r->hist_cap, sizeof *p,
			       256)))
		return -1;
	r->hist = p;
	y = intern(&r->aux, field(f, n, k->m.col[0]), &k->last_year);
	s = intern(&r->aux, field(f, n, k->m.col[2]), &k->last_subject);
	if (y < 0 || s < 0)
		return -1;
	h = &r->hist[r->nhist++];
	memset(h, 0, sizeof *h);
	h->year = (uint32_t)y;
	h->subject = (uint32_t)s;
	h->has_width = parse_number(field(f, n, k->m.col[3]), &h->width) == 1;
	h->has_low = parse_number(field(f, n, k->m.col[4]), &h->low) == 1;
	h->has_high = parse_number(field(f, n, k->m.col[5]), &h->high) == 1;
	h->has_count = parse_number(field(f, n, k->m.col[6]), &h->count) == 1;
	return 0;
}

static void hist_take_reset(void *ctx)
{
	hist_sink *k = ctx;

	k->r->nhist = 0;
	k->last_year = k->last_subject = -1;
}

/* clean/exam_hist.csv and clean/exam_summary.csv */

typedef struct exam_sink {
	rdata *r;
	rexam_list *list;
	colmap m;
	long last_year, last_exam;
	size_t last_item;
} exam_sink;

static int exam_take_header(void *ctx, char *const *names, size_t n)
{
	exam_sink *k = ctx;

	colmap_find(&k->m, exam_cols, names, n);
	return 0;
}

static int exam_take_row(void *ctx, const char *const *f, size_t n,
			long line)
{
	exam_sink *k = ctx;
	rexam_list *l = k->list;
	const char *ex = field(f, n, k->m.col[1]);
	long y, x;
	size_t i;

	(void)line; /* the report quotes no line of these tables */

	if (!*ex)
		return 0; /* a row without an exam names none */
	y = intern(&k->r->aux, field(f, n, k->m.col[0]), &k->last_year);
	x = intern(&k->r->aux, ex, &k->last_exam);
	if (y < 0 || x < 0)
		return -1;
	i = k->last_item;
	if (i >= l->n || l->item[i].year != (uint32_t)y)
		for (i = 0; i < l->n && l->item[i].year != (uint32_t)y; i++)
			;
	if (i == l->n) {
		rexam_year *p = room_for_one(l->item, l->n, &l->cap, sizeof *p, 8);

		if (!p)
			return -1;
		l->item = p;
		l->item[l->n++] = (rexam_year){ (uint32_t)y, (uint32_t)x, 0 };
	} else if (l->item[i].exam != (uint32_t)x) {
		l->item[i].many = 1;
	}
	k->last_item = i;
	return 0;
}

static void exam_take_reset(void *ctx)
{
	exam_sink *k = ctx;

	k->list->n = 0;
	k->last_year = k->last_exam = -1;
	k->last_item = 0;
}

/* Streams dir/name into k when the file exists (*present). */
static ss_status stream_optional(const char *dir, const char *name,
				 const ctable_sink *k, int *present, ss_error *e)
{
	char *path = join(dir, name);
	ss_status st;

	*present = 0;
	if (!path)
		return oom(e);
	if (!file_present(path)) {
		free(path);
		return SS_OK;
	}
	*present = 1;
	st = ctable_stream(path, k, NULL, e);
	free(path);
	return st;
}

static ss_status stream_need(const char *dir, const char *name,
			     const char *missing, ss_error *e)
{
	char *path;
	ss_status st;

	if (!missing)
		return SS_OK;
	if (!(path = join(dir, name)))
		return oom(e);
	st = missing_column(path, missing, e);
	free(path);
	return st;
}

/* ------------------------------------------------------------ indexing */

static int make_key(char *buf, size_t size, const char *a, const char *b,
		    const char *c)
{
	int n = snprintf(buf, size, "%s\x1f%s\x1f%s", a, b, c);

	return n >= 0 && (size_t)n < size;
}

static ss_status index_rows(const ctable *t, const char *c3, strmap *m,
			    ss_error *e)
{
	int cy = ctable_col(t, "year"), cs = ctable_col(t, "scope"),
	    cn = ctable_col(t, c3);
	char key[1024];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		if (!make_key(key, sizeof key, ctable_get(t, i, cy),
			      ctable_get(t, i, cs), ctable_get(t, i, cn)))
			continue; /* longer than any real key: never asked */
		if (strmap_put(m, key, (long)i, NULL) < 0)
			return oom(e);
	}
	return SS_OK;
}

/* The lookup keys of indicators.csv were "year\x1fscope\x1findicator" in a
 * buffer of 1024 bytes: longer ones were never asked for. */
#define IND_KEY_MAX 1024

static int ind_key_fits(size_t year, size_t scope, size_t indicator)
{
	return year + scope + indicator + 2 < IND_KEY_MAX;
}

static size_t ind_hash(uint32_t y, uint32_t s, uint32_t i)
{
	uint64_t h = (uint64_t)s * 0x9E3779B97F4A7C15ULL ^
		     (uint64_t)i * 0xC2B2AE3D27D4EB4FULL ^
		     (uint64_t)y * 0x165667B19E3779F9ULL;

	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 29;
	return (size_t)h;
}

/* (year, scope, indicator) -> its first row, like strmap_put keeping the
 * first of duplicates. */
static ss_status index_ind(rdata *r, ss_error *e)
{
	size_t n = 16, i, mask;
	const rpool *p = &r->strs;
	int long_strings = 0;

	while (n < r->nind * 2)
		n *= 2;
	if (!(r->ind_slots = calloc(n, sizeof *r->ind_slots)))
		return oom(e);
	r->ind_nslots = n;
	mask = n - 1;
	/* only a string of 340 bytes or more can make a key too long */
	for (i = 0; i < p->n && !long_strings; i++)
		long_strings = !ind_key_fits(strlen(p->str[i]) * 3, 0, 0);
	for (i = 0; i < r->nind; i++) {
		const rind_row *w = &r->ind[i];
		size_t j;

		if (long_strings &&
		    !ind_key_fits(strlen(p->str[w->year]),
				  strlen(p->str[w->scope]),
				  strlen(p->str[w->indicator])))
			continue;
		for (j = ind_hash(w->year, w->scope, w->indicator) & mask;
		     r->ind_slots[j]; j = (j + 1) & mask) {
			const rind_row *o = &r->ind[r->ind_slots[j] - 1];

			if (o->year == w->year && o->scope == w->scope &&
			    o->indicator == w->indicator)
				break;
		}
		if (!r->ind_slots[j])
			r->ind_slots[j] = (uint32_t)i + 1;
	}
	return SS_OK;
}

static void newest_year(const ctable *t, const char *col, char *best,
			size_t size)
{
	int c = ctable_col(t, col);
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const char *y = ctable_get(t, i, c);
		int start;

		/* "2024-2025" strings of one form sort as their years */
		if (ind_year_parse(y, &start) && strcmp(y, best) > 0)
			snprintf(best, size, "%s", y);
	}
}

/* newest_year over indicators.csv's years. */
static void newest_ind_year(const rdata *r, char *best, size_t size)
{
	uint32_t prev = UINT32_MAX;
	size_t i;

	for (i = 0; i < r->nind; i++) {
		const char *y;
		int start;

		if (r->ind[i].year == prev)
			continue; /* the same string again changes nothing */
		prev = r->ind[i].year;
		y = rdata_str(r, prev);
		if (ind_year_parse(y, &start) && strcmp(y, best) > 0)
			snprintf(best, size, "%s", y);
	}
}

/* The value of column col shared by every school, or NULL. */
static const char *shared(const ctable *t, const char *col)
{
	int c = ctable_col(t, col);
	const char *v;
	size_t i;

	if (c < 0 || t->nrows == 0)
		return NULL;
	v = ctable_get(t, 0, c);
	if (!*v)
		return NULL;
	for (i = 1; i < t->nrows; i++)
		if (strcmp(ctable_get(t, i, c), v) != 0)
			return NULL;
	return v;
}

static ss_status settle_year(rdata *r, const report_options *opt,
			     ss_error *e)
{
	char oldest[16] = "";
	long want;
	int start;
	size_t i;

	newest_ind_year(r, r->latest, sizeof r->latest);
	if (!r->latest[0])
		newest_year(&r->norms, "year", r->latest, sizeof r->latest);
	if (!r->latest[0])
		newest_year(&r->gaps, "actual_year", r->latest,
			    sizeof r->latest);
	if (!opt || !opt->year) {
		snprintf(r->year, sizeof r->year, "%s", r->latest);
		return SS_OK;
	}
	if (!ind_year_parse(opt->year, &start))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "bad school year '%s' (expected two consecutive "
			       "years such as 2024-2025)",
			       opt->year);
	snprintf(r->year, sizeof r->year, "%s", opt->year);
	if (!r->has_ind)
		return SS_OK;
	want = rdata_str_id(r, opt->year);
	for (i = 0; want >= 0 && i < r->nind; i++)
		if (r->ind[i].year == (uint32_t)want)
			return SS_OK;
	for (i = 0; i < r->nind; i++) {
		const char *y = rdata_str(r, r->ind[i].year);

		if (!oldest[0] || strcmp(y, oldest) < 0)
			snprintf(oldest, sizeof oldest, "%s", y);
	}
	return err_set(e, SS_EUSAGE, NULL, 0, 0,
		       "no indicators for school year '%s' (expected a year "
		       "from %s to %s)",
		       opt->year, oldest[0] ? oldest : "?",
		       r->latest[0] ? r->latest : "?");
}

static ss_status settle_unit(rdata *r, const report_options *opt,
			     ss_error *e)
{
	const char *name = NULL;

	r->commune = shared(&r->schools, "commune");
	r->district = shared(&r->schools, "district");
	r->province = shared(&r->schools, "province");
	if (opt && opt->unit && *opt->unit) {
		name = opt->unit;
	} else {
		r->unit_derived = 1;
		name = r->commune   ? r->commune
		       : r->district ? r->district
		       : r->province ? r->province
				     : "Đơn vị báo cáo";
	}
	if (!(r->unit = strdup(name)))
		return oom(e);
	return SS_OK;
}

/* r->exam_scope and r->exam_subject for the report year. */
static ss_status exam_rows(rdata *r, ss_error *e)
{
	long yid = rdata_str_id(r, r->year), all = rdata_str_id(r, "all");
	/* per string id: 0 not asked, 1 no, 2 yes (as an indicator); a
	 * scope or a subject already listed (as a scope, as a subject) */
	unsigned char *flag = calloc(3 * (r->strs.n + 1), 1);
	unsigned char *scope_out = flag + r->strs.n + 1;
	unsigned char *subject_out = scope_out + r->strs.n + 1;
	size_t i;

	if (!flag)
		return oom(e);
	for (i = 0; yid >= 0 && i < r->nind; i++) {
		const rind_row *w = &r->ind[i];

		if (w->year != (uint32_t)yid)
			continue;
		if (!flag[w->indicator])
			flag[w->indicator] =
				strncmp(rdata_str(r, w->indicator),
					"exam_candidates:",
					strlen("exam_candidates:")) == 0
					? 2
					: 1;
		if (flag[w->indicator] != 2)
			continue;
		if (!scope_out[w->scope]) {
			scope_out[w->scope] = 1;
			r->exam_scope[r->n_exam_scope++] = w->scope;
		}
		if (w->scope == (uint32_t)all && !subject_out[w->indicator]) {
			subject_out[w->indicator] = 1;
			r->exam_subject[r->n_exam_subject++] = w->indicator;
		}
	}
	free(flag);
	return SS_OK;
}

/* The exam tables, read on the helper thread while the main one reads
 * the rest: clean/exam_hist.csv, clean/exam_summary.csv and
 * exam_histograms.csv, into r->aux, r->exams and r->hist only. */
typedef struct exam_load {
	rdata *r;
	const char *outdir;
	hist_sink hk;
	exam_sink ek[2];
	ss_status st[3];     /* per file, in the order above */
	ss_error err[3];
} exam_load;

static void exam_load_run(void *arg)
{
	exam_load *x = arg;
	const ctable_sink exam_k[2] = {
		{ exam_take_header, exam_take_row, exam_take_reset, &x->ek[0] },
		{ exam_take_header, exam_take_row, exam_take_reset, &x->ek[1] }
	};
	const ctable_sink hist_k = { hist_take_header, hist_take_row,
			       hist_take_reset, &x->hk };
	char *clean = join(x->outdir, "clean");
	int dummy;

	if (!clean) {
		x->st[0] = oom(&x->err[0]);
		return;
	}
	/* stops at its first failure, as reading them in turn would */
	x->st[0] = stream_optional(clean, "exam_hist.csv", &exam_k[0], &dummy,
				   &x->err[0]);
	if (x->st[0] == SS_OK)
		x->st[1] = stream_optional(clean, "exam_summary.csv",
					   &exam_k[1], &dummy, &x->err[1]);
	free(clean);
	if (x->st[0] == SS_OK && x->st[1] == SS_OK)
		x->st[2] = stream_optional(x->outdir, "exam_histograms.csv",
					   &hist_k, &x->r->has_hist,
					   &x->err[2]);
}

/* The tables in the order they were always read (and a failure of an
 * earlier one reported first): schools, sources, exam_hist,
 * exam_summary, indicators, norms, gaps, validation, rejects,
 * exam_histograms, run_info. Returns the index of the failed one in
 * that order, or -1. */
static int load_main(rdata *r, const char *outdir, ind_sink *ik,
		     ss_status *st, ss_error *e)
{
	const ctable_sink ind_k = { ind_take_header, ind_take_row, ind_take_reset,
			      ik };
	char *clean = join(outdir, "clean");
	int has_schools = 0;

	if (!clean) {
		*st = oom(e);
		return 0;
	}
	*st = load_optional(&r->schools, clean, "schools.csv", &has_schools,
			    e);
	if (*st == SS_OK && !has_schools) {
		char *path = join(clean, "schools.csv");

		*st = err_set_errno(e, SS_EIO, path ? path : "schools.csv",
				    ENOENT, "cannot open");
		free(path);
	}
	if (*st == SS_OK)
		*st = need_columns(&r->schools, schools_cols, e);
	if (*st != SS_OK) {
		free(clean);
		return 0;
	}
	*st = load_optional(&r->sources, clean, "sources.csv",
			    &r->has_sources, e);
	free(clean);
	if (*st != SS_OK)
		return 1;
	if ((*st = stream_optional(outdir, "indicators.csv", &ind_k,
				   &r->has_ind, e)) != SS_OK)
		return 4;
	if ((*st = load_optional(&r->norms, outdir, "norms.csv",
				 &r->has_norms, e)) != SS_OK)
		return 5;
	if ((*st = load_optional(&r->gaps, outdir, "gaps.csv", &r->has_gaps,
				 e)) != SS_OK)
		return 6;
	if ((*st = load_optional(&r->valid, outdir, "validation.csv",
				 &r->has_valid, e)) != SS_OK)
		return 7;
	if ((*st = load_optional(&r->rejects, outdir, "rejects.csv",
				 &r->has_rejects, e)) != SS_OK)
		return 8;
	if ((*st = load_optional(&r->info, outdir, "run_info.csv",
				 &r->has_info, e)) != SS_OK)
		return 10;
	return -1;
}

ss_status rdata_load_with(rdata *r, const char *outdir,
			  const report_options *opt, rworker *w, ss_error *e)
{
	static const int exam_order[3] = { 2, 3, 9 };
	ind_sink ik = { r, { { 0 }, NULL }, -1, -1 };
	exam_load x;
	ss_status st;
	size_t i, ticket;
	int failed, k;

	memset(&x, 0, sizeof x);
	x.r = r;
	x.outdir = outdir;
	x.hk = (hist_sink){ r, { { 0 }, NULL }, -1, -1 };
	x.ek[0] = (exam_sink){ r, &r->exams[0], { { 0 }, NULL }, -1, -1, 0 };
	x.ek[1] = (exam_sink){ r, &r->exams[1], { { 0 }, NULL }, -1, -1, 0 };
	for (k = 0; k < 3; k++)
		err_clear(&x.err[k]);
	if (!(r->outdir = strdup(outdir)))
		return oom(e);
	ticket = rworker_submit(w, exam_load_run, &x);
	failed = load_main(r, outdir, &ik, &st, e);
	rworker_wait(w, ticket);
	for (k = 0; k < 3; k++)
		if (x.st[k] != SS_OK &&
		    (failed < 0 || exam_order[k] < failed)) {
			failed = exam_order[k];
			st = x.st[k];
			*e = x.err[k];
		}
	if (failed >= 0)
		return st;
	if ((r->has_ind &&
	     (st = stream_need(outdir, "indicators.csv", ik.m.missing, e))) ||
	    (r->has_norms && (st = need_columns(&r->norms, norms_cols, e))) ||
	    (r->has_gaps && (st = need_columns(&r->gaps, gaps_cols, e))) ||
	    (r->has_valid && (st = need_columns(&r->valid, valid_cols, e))) ||
	    (r->has_hist && (st = stream_need(outdir, "exam_histograms.csv",
					      x.hk.m.missing, e))) ||
	    (r->has_sources &&
	     (st = need_columns(&r->sources, sources_cols, e))) ||
	    (r->has_rejects &&
	     (st = need_columns(&r->rejects, rejects_cols, e))) ||
	    (r->has_info && (st = need_columns(&r->info, info_cols, e))))
		return st;
	if ((st = index_ind(r, e)) ||
	    (st = index_rows(&r->norms, "norm", &r->norm_idx, e)))
		return st;
	for (i = 0; i < r->schools.nrows; i++)
		if (strmap_put(&r->school_idx,
			       rdata_cell(&r->schools, i, "school_id"), (long)i,
			       NULL) < 0)
			return oom(e);
	if ((st = settle_year(r, opt, e)))
		return st;
	r->exam_scope = malloc((r->strs.n + 1) * sizeof *r->exam_scope);
	r->exam_subject = malloc((r->strs.n + 1) * sizeof *r->exam_subject);
	if (!r->exam_scope || !r->exam_subject)
		return oom(e);
	if ((st = exam_rows(r, e)))
		return st;
	return settle_unit(r, opt, e);
}

ss_status rdata_load(rdata *r, const char *outdir, const report_options *opt,
		     ss_error *e)
{
	return rdata_load_with(r, outdir, opt, NULL, e);
}

/* ------------------------------------------------------------ lookups */

const char *rdata_info(const rdata *r, const char *key)
{
	int ck = ctable_col(&r->info, "key");
	int cv = ctable_col(&r->info, "value");
	size_t i;

	/* a few dozen rows: a scan is enough */
	for (i = 0; r->has_info && i < r->info.nrows; i++)
		if (strcmp(ctable_get(&r->info, i, ck), key) == 0)
			return ctable_get(&r->info, i, cv);
	return NULL;
}

static int find(const strmap *m, const char *a, const char *b, const char *c,
		long *row)
{
	char key[1024];

	return make_key(key, sizeof key, a, b, c) && strmap_get(m, key, row);
}

int rdata_ind_id(const rdata *r, long year, long scope, long indicator,
		 rval *out)
{
	const rind_row *w;
	size_t j, mask = r->ind_nslots - 1;

	memset(out, 0, sizeof *out);
	if (year < 0 || scope < 0 || indicator < 0 || !r->ind_nslots)
		return 0;
	for (j = ind_hash((uint32_t)year, (uint32_t)scope,
			  (uint32_t)indicator) & mask;
	     r->ind_slots[j]; j = (j + 1) & mask) {
		w = &r->ind[r->ind_slots[j] - 1];
		if (w->year == (uint32_t)year && w->scope == (uint32_t)scope &&
		    w->indicator == (uint32_t)indicator) {
			out->has_value = (w->has & RIND_VALUE) != 0;
			out->has_num = (w->has & RIND_NUM) != 0;
			out->has_den = (w->has & RIND_DEN) != 0;
			out->value = w->value;
			out->num = w->num;
			out->den = w->den;
			return 1;
		}
	}
	return 0;
}

int rdata_ind(const rdata *r, const char *year, const char *scope,
	      const char *indicator, rval *out)
{
	memset(out, 0, sizeof *out);
	if (!ind_key_fits(strlen(year), strlen(scope), strlen(indicator)))
		return 0;
	return rdata_ind_id(r, rdata_str_id(r, year), rdata_str_id(r, scope),
			    rdata_str_id(r, indicator), out);
}

int rdata_norm(const rdata *r, const char *year, const char *scope,
	       const char *norm, rnorm *out)
{
	double sf;
	long row;

	memset(out, 0, sizeof *out);
	out->status = "";
	if (!find(&r->norm_idx, year, scope, norm, &row))
		return 0;
	out->has_value = rdata_num(&r->norms, (size_t)row, "value",
				   &out->value);
	out->has_limit = rdata_num(&r->norms, (size_t)row, "limit",
				   &out->limit);
	out->has_shortfall = rdata_num(&r->norms, (size_t)row, "shortfall",
				       &sf);
	out->shortfall = out->has_shortfall ? (long long)sf : 0;
	out->status = rdata_cell(&r->norms, (size_t)row, "status");
	return 1;
}

int rdata_target_current(const rdata *r, size_t i)
{
	/* school years of one form compare as text */
	return strcmp(rdata_cell(&r->gaps, i, "year"), r->year) >= 0;
}

long rdata_school(const rdata *r, const char *id)
{
	long row;

	return strmap_get(&r->school_idx, id, &row) ? row : -1;
}

static const char *level_scope(const char *level)
{
	static const struct {
		const char *code, *label;
	} t[] = {
		{ "mam_non", "Cấp mầm non" },
		{ "tieu_hoc", "Cấp tiểu học" },
		{ "thcs", "Cấp THCS" },
		{ "thpt", "Cấp THPT" },
		{ "th_thcs", "Trường tiểu học và THCS" },
		{ "thcs_thpt", "Trường THCS và THPT" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].code, level) == 0)
			return t[i].label;
	return NULL;
}

const char *rdata_scope_label(const rdata *r, const char *scope, char *buf,
			      size_t size)
{
	static const char *const prefixes[] = { "commune:", "district:",
						"province:" };
	long row;
	size_t i;

	if (strcmp(scope, "all") == 0) {
		snprintf(buf, size, "%s",
			 report_all_label(r->unit_derived ? r->unit : NULL));
		return buf;
	}
	if (strncmp(scope, "level:", 6) == 0) {
		const char *l = level_scope(scope + 6);

		if (l)
			snprintf(buf, size, "%s", l);
		else
			snprintf(buf, size, "Cấp %s", scope + 6);
		return buf;
	}
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(scope, prefixes[i], strlen(prefixes[i])) == 0) {
			snprintf(buf, size, "%s", scope + strlen(prefixes[i]));
			return buf;
		}
	row = rdata_school(r, scope);
	if (row >= 0 && *rdata_cell(&r->schools, (size_t)row, "name"))
		snprintf(buf, size, "%s",
			 rdata_cell(&r->schools, (size_t)row, "name"));
	else
		snprintf(buf, size, "%s", scope);
	return buf;
}
