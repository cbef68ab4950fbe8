/* ind_exam — exam indicators per subject and exam_histograms.csv.
 *
 * For each (year, exam, subject) a school's source is clean/exam_hist.csv
 * when it has rows for that school: exact score histograms, merged for
 * every larger scope. Otherwise its exam_summary.csv row: candidates, mean,
 * sd and pass rate, combined candidate-weighted. A scope whose schools mix
 * both sources pools counts, sums and sums of squares exactly and leaves
 * what needs the distribution (median, low rate) empty. Entries are kept in a dense
 * (year, exam, subject, school) index so that a scope is the merge of its
 * members' entries, computed in output order; memory is one sparse
 * histogram (its nonzero bins) per school and subject, whatever the number
 * of candidates, and one full histogram per exam and subject for the scope
 * being written. */
#include "ind.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_histogram.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "exam.h"
#include "ind_priv.h"
#include "stats.h"
#include "text.h"

#define NAME_MAX_LEN 256

/* One exam_summary.csv row, chained per entry. */
typedef struct sum_row {
	long long n;
	double mean, sd, pass;
	unsigned char has_sd, has_pass;
	long line;
	long next; /* next row of the same entry, -1 */
} sum_row;

/* The scores of a school (one year, exam, subject), kept sparse: a
 * school's 201 grid bins hold some 25 nonzero counts, so a national file
 * (22,500 entries) takes 2 MB instead of 36 as full histograms. The
 * nonzero bins are the words c->nz[at .. at + nnz): count << 8 | bin, or
 * for a count of NZ_ESCAPE or more NZ_ESCAPE << 8 | bin followed by the
 * count's low and high 32 bits. The off-grid scores are
 * c->og[og_at .. og_at + nog). */
#define NZ_ESCAPE 0xffffffu

typedef struct entry {
	int hist;          /* 1: scores; 0: summary rows */
	long long n, sum_x100, sumsq_x10000;
	size_t at, nnz, og_at, nog;
	long head, tail;   /* summary rows, -1 when none */
} entry;

/* Raw names recently folded: a table repeats a handful of exam and
 * subject spellings on every row. */
#define MEMO_SLOTS 16
#define MEMO_LEN 64

/* Names in order of first appearance, folded. */
typedef struct names {
	char **name;
	size_t n, cap;
	strmap map;
	char memo_raw[MEMO_SLOTS][MEMO_LEN];
	long memo_index[MEMO_SLOTS]; /* -1: slot unused */
	size_t memo_next;            /* slot to fill next */
	size_t memo_hit;             /* slot of the last hit */
} names;

/* The scores of one subject merged over a scope's schools, and the grid
 * bins set since the last clear. */
typedef struct scope_acc {
	stats_scores s;
	unsigned char touched[STATS_GRID_BINS];
	size_t ntouched;
	int any_hist; /* some school has scores */
	int failed;   /* a sum overflowed or memory ran out */
} scope_acc;

typedef struct exam_ctx {
	const ind_input *in;
	const ind_options *opt;
	ind_years years;
	names exams, subjects;
	long *index;                /* Y*X*S*N -> entry, -1 */
	entry *ent;
	size_t nent, cap_ent;
	uint32_t *nz;               /* the entries' nonzero grid bins */
	size_t nnz, cap_nz;
	stats_offgrid *og;          /* the entries' off-grid scores */
	size_t nog, cap_og;
	stats_scores parsed;        /* one exam_hist.csv row */
	scope_acc *acc;             /* X*S: a scope's merged scores */
	unsigned char *summarized;  /* Y*X*S: some school has summaries */
	char **label;               /* X*S: the names' suffixes, this year */
	long *label_id;             /* X*S: their ind_rows_suffix_id */
	sum_row *rows;
	size_t nrows;
	unsigned char *present;     /* Y*X: the (year, exam) has entries */
	long *ignored_line;         /* Y*X: first summary row superseded */
	long *ignored;              /* Y*X: summary rows superseded by the
				       same school's scores for the subject */
	/* scratch for pooling summaries */
	long long *pn;
	double *pmean, *psd;
	/* "bin_width,bin_low,bin_high," of bin b of binning k is
	 * btext[k] + boff[k][b] .. boff[k][b + 1], formatted once */
	char *btext[3];
	size_t *boff[3];
} exam_ctx;

/* Binnings of exam_histograms.csv, in hundredths: the 0.05 grid the
 * scores are given on, and 0.25 / 1.0 bins for charts. */
static const long bin_widths[3] = { 5, 25, 100 };

/* ---------------------------------------------------------------- names */

static void names_init(names *n)
{
	size_t k;

	memset(n, 0, sizeof *n);
	strmap_init(&n->map);
	for (k = 0; k < MEMO_SLOTS; k++)
		n->memo_index[k] = -1;
}

/* Looks from the slot after the last hit on: rows cycle through the
 * subjects in the order they were first seen, which is slot order. */
static long memo_get(names *n, const char *raw)
{
	size_t i, k;

	for (i = 1; i <= MEMO_SLOTS; i++) {
		k = (n->memo_hit + i) % MEMO_SLOTS;
		if (n->memo_index[k] >= 0 && strcmp(n->memo_raw[k], raw) == 0) {
			n->memo_hit = k;
			return n->memo_index[k];
		}
	}
	return -1;
}

static void memo_put(names *n, const char *raw, long index)
{
	size_t len = strlen(raw);

	if (len >= MEMO_LEN)
		return;
	memcpy(n->memo_raw[n->memo_next], raw, len + 1);
	n->memo_index[n->memo_next] = index;
	n->memo_next = (n->memo_next + 1) % MEMO_SLOTS;
}

static void names_release(names *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		free(n->name[i]);
	free(n->name);
	strmap_release(&n->map);
	names_init(n);
}

/* Index of the folded name, added when new; -1 on ENOMEM. */
static long names_add(names *n, const char *raw)
{
	char folded[NAME_MAX_LEN];
	long v = memo_get(n, raw);
	int put;

	if (v >= 0)
		return v;
	text_fold(raw, folded, sizeof folded);
	if (strmap_get(&n->map, folded, &v)) {
		memo_put(n, raw, v);
		return v;
	}
	if (n->n == n->cap) {
		size_t cap = n->cap ? 2 * n->cap : 8;
		char **p = realloc(n->name, cap * sizeof *p);
		if (!p)
			return -1;
		n->name = p;
		n->cap = cap;
	}
	if (!(n->name[n->n] = strdup(folded)))
		return -1;
	put = strmap_put(&n->map, folded, (long)n->n, NULL);
	if (put < 0) {
		free(n->name[n->n]);
		return -1;
	}
	memo_put(n, raw, (long)n->n);
	return (long)n->n++;
}

static long names_find(names *n, const char *raw)
{
	char folded[NAME_MAX_LEN];
	long v = memo_get(n, raw);

	if (v >= 0)
		return v;
	text_fold(raw, folded, sizeof folded);
	if (!strmap_get(&n->map, folded, &v))
		return -1;
	memo_put(n, raw, v);
	return v;
}

/* ------------------------------------------------------------- context */

static void ctx_release(exam_ctx *c)
{
	size_t i;

	free(c->ent);
	free(c->nz);
	free(c->og);
	stats_scores_release(&c->parsed);
	for (i = 0; c->acc && i < c->exams.n * c->subjects.n; i++)
		stats_scores_release(&c->acc[i].s);
	free(c->acc);
	free(c->summarized);
	for (i = 0; c->label && i < c->exams.n * c->subjects.n; i++)
		free(c->label[i]);
	free(c->label);
	free(c->label_id);
	free(c->index);
	free(c->rows);
	free(c->present);
	free(c->ignored_line);
	free(c->ignored);
	free(c->pn);
	free(c->pmean);
	free(c->psd);
	for (i = 0; i < 3; i++) {
		free(c->btext[i]);
		free(c->boff[i]);
	}
	ind_years_release(&c->years);
	names_release(&c->exams);
	names_release(&c->subjects);
}

static ss_status nomem(ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0,
		       "out of memory computing exam indicators");
}

/* Collects years, exams and subjects of a table (columns year, exam,
 * subject at c[0], c[1], c[3]). */
static ss_status collect_names(exam_ctx *c, const ctable *t, const int *col,
			       ss_error *e)
{
	size_t i;
	ss_status st = ind_years_add_table(&c->years, t, e);

	for (i = 0; st == SS_OK && i < t->nrows; i++)
		if (names_add(&c->exams, ctable_get(t, i, col[1])) < 0 ||
		    names_add(&c->subjects, ctable_get(t, i, col[3])) < 0)
			return nomem(e);
	return st;
}

static size_t yx(const exam_ctx *c, size_t y, size_t x)
{
	return y * c->exams.n + x;
}

static long *slot(const exam_ctx *c, size_t y, size_t x, size_t sj,
		  size_t s)
{
	return &c->index[((yx(c, y, x)) * c->subjects.n + sj) *
				 c->in->nschools + s];
}

/* The entry of row i (columns year, exam, school_id, subject at col[0..3]);
 * NULL for an unknown school. *yxi gets the (year, exam) index. */
static entry *row_entry(exam_ctx *c, const ctable *t, size_t i,
			const int *col, int hist, size_t *yxi, ss_error *e,
			ss_status *st)
{
	int start = 0;
	long y, x, sj, s = ind_input_school(c->in, ctable_get(t, i, col[2]));
	long *p;

	*st = SS_OK;
	ind_year_parse(ctable_get(t, i, col[0]), &start);
	y = ind_years_find(&c->years, start);
	x = names_find(&c->exams, ctable_get(t, i, col[1]));
	sj = names_find(&c->subjects, ctable_get(t, i, col[3]));
	if (s < 0 || y < 0 || x < 0 || sj < 0)
		return NULL;
	*yxi = yx(c, (size_t)y, (size_t)x);
	p = slot(c, (size_t)y, (size_t)x, (size_t)sj, (size_t)s);
	if (*p < 0) {
		entry *en;
		if (c->nent == c->cap_ent) {
			size_t cap = c->cap_ent ? 2 * c->cap_ent : 64;
			entry *q = realloc(c->ent, cap * sizeof *q);
			if (!q) {
				*st = nomem(e);
				return NULL;
			}
			c->ent = q;
			c->cap_ent = cap;
		}
		en = &c->ent[c->nent];
		memset(en, 0, sizeof *en);
		en->hist = hist;
		en->head = en->tail = -1;
		*p = (long)c->nent++;
	}
	return &c->ent[*p];
}

/* Room for more nonzero bins and off-grid scores in the arenas. */
static int arena_reserve(exam_ctx *c, size_t nnz, size_t nog)
{
	if (c->nnz + nnz > c->cap_nz) {
		size_t cap = c->cap_nz ? c->cap_nz : 4096;
		uint32_t *w;
		while (cap < c->nnz + nnz)
			cap *= 2;
		if (!(w = realloc(c->nz, cap * sizeof *w)))
			return 0;
		c->nz = w;
		c->cap_nz = cap;
	}
	if (c->nog + nog > c->cap_og) {
		size_t cap = c->cap_og ? c->cap_og : 64;
		stats_offgrid *o;
		while (cap < c->nog + nog)
			cap *= 2;
		if (!(o = realloc(c->og, cap * sizeof *o)))
			return 0;
		c->og = o;
		c->cap_og = cap;
	}
	return 1;
}

/* Appends the count v (> 0) of grid bin b; room reserved by the caller
 * (3 words). */
static void nz_put(exam_ctx *c, size_t b, long long v)
{
	if ((unsigned long long)v < NZ_ESCAPE) {
		c->nz[c->nnz++] = (uint32_t)v << 8 | (uint32_t)b;
	} else {
		c->nz[c->nnz++] = NZ_ESCAPE << 8 | (uint32_t)b;
		c->nz[c->nnz++] = (uint32_t)(unsigned long long)v;
		c->nz[c->nnz++] = (uint32_t)((unsigned long long)v >> 32);
	}
}

/* The count of the bin of word j of the arena; advances j past its
 * words. */
static long long nz_count(const exam_ctx *c, size_t *j)
{
	uint32_t w = c->nz[(*j)++];

	if (w >> 8 != NZ_ESCAPE)
		return (long long)(w >> 8);
	*j += 2;
	return (long long)((unsigned long long)c->nz[*j - 2] |
			   (unsigned long long)c->nz[*j - 1] << 32);
}

/* Stores the scores s as entry en's (appended to the arenas). */
static int entry_store(exam_ctx *c, entry *en, const stats_scores *s)
{
	size_t b, nnz = 0;

	for (b = 0; b < STATS_GRID_BINS; b++)
		nnz += s->bins[b] != 0;
	if (!arena_reserve(c, 3 * nnz, s->noffgrid))
		return 0;
	en->n = s->n;
	en->sum_x100 = s->sum_x100;
	en->sumsq_x10000 = s->sumsq_x10000;
	en->at = c->nnz;
	for (b = 0; b < STATS_GRID_BINS; b++)
		if (s->bins[b])
			nz_put(c, b, s->bins[b]);
	en->nnz = c->nnz - en->at;
	en->og_at = c->nog;
	en->nog = s->noffgrid;
	if (s->noffgrid)
		memcpy(c->og + c->nog, s->offgrid,
		       s->noffgrid * sizeof *s->offgrid);
	c->nog += s->noffgrid;
	return 1;
}

/* The scores of entry en as a full histogram in out (initialized). */
static int entry_expand(const exam_ctx *c, const entry *en, stats_scores *out)
{
	size_t j;

	stats_scores_init(out);
	out->n = en->n;
	out->sum_x100 = en->sum_x100;
	out->sumsq_x10000 = en->sumsq_x10000;
	for (j = en->at; j < en->at + en->nnz;) {
		uint32_t b = c->nz[j] & 0xff;
		out->bins[b] = nz_count(c, &j);
	}
	if (en->nog) {
		out->offgrid = malloc(en->nog * sizeof *out->offgrid);
		if (!out->offgrid)
			return 0;
		memcpy(out->offgrid, c->og + en->og_at,
		       en->nog * sizeof *out->offgrid);
		out->noffgrid = out->cap_offgrid = en->nog;
	}
	return 1;
}

/* Adds the parsed row to entry en: stored as is when en is new, merged
 * with what en holds when the table repeats the key. */
static ss_status entry_add(exam_ctx *c, entry *en, const stats_scores *s,
			   ss_error *e)
{
	stats_scores old;
	int ok;

	if (en->n == 0 && en->nnz == 0 && en->nog == 0)
		return entry_store(c, en, s) ? SS_OK : nomem(e);
	ok = entry_expand(c, en, &old) && stats_scores_merge(&old, s) &&
	     entry_store(c, en, &old);
	stats_scores_release(&old);
	return ok ? SS_OK : nomem(e);
}

/* A whole number cell as exam_hist_parse reads one: digits only, no
 * overflow. */
static int plain_count(const char *s, const char **end, long long *out)
{
	long long v = 0;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *s - '0', &v))
			return 0;
	*end = s;
	*out = v;
	return 1;
}

static int plain_cell(const char *s, long long *out)
{
	const char *end;

	return plain_count(s, &end, out) && *end == '\0';
}

/* The usual exam_hist.csv row (sums, 201 counts, no off-grid scores)
 * read straight into the arenas as the scores of the new entry en: the
 * checks and arithmetic of exam_hist_parse, so a row taken here is one it
 * takes, with the same counts, without filling three full histograms per
 * row. Returns 0 for anything else, leaving en untouched: exam_hist_parse
 * then reads the row and words any error. */
static int parse_plain(exam_ctx *c, entry *en, const char *n,
		       const char *sum, const char *sumsq, const char *bins,
		       const char *offgrid)
{
	long long want_n, want_sum, want_sumsq, an = 0, asum = 0, asumsq = 0;
	const char *p = bins, *end = bins + strlen(bins);
	size_t start = c->nnz, k = 0;

	if (*offgrid || !plain_cell(n, &want_n) ||
	    !plain_cell(sum, &want_sum) || !plain_cell(sumsq, &want_sumsq) ||
	    !arena_reserve(c, 3 * STATS_GRID_BINS, 0))
		return 0;
	while (k < STATS_GRID_BINS) {
		long long h, v, t;
		if (k > 0) {
			/* Most bins of a school are empty (a national file
			 * has 4.5 million), in long runs at both ends and in
			 * runs of four between the scores of a 0.25 grid:
			 * "0" four at a time, the last ended by the next
			 * separator. */
			if (k + 4 <= STATS_GRID_BINS && end - p >= 9 &&
			    memcmp(p, " 0 0 0 0 ", 9) == 0) {
				p += 8;
				k += 4;
				continue;
			}
			if (*p++ != ' ')
				goto other;
		}
		h = (long long)k * 5;
		if (p[0] == '0' && (p[1] == ' ' || p[1] == '\0')) {
			p++;
			k++;
			continue;
		}
		if (!plain_count(p, &p, &v) ||
		    __builtin_add_overflow(an, v, &an) ||
		    __builtin_mul_overflow(v, h, &t) ||
		    __builtin_add_overflow(asum, t, &asum) ||
		    __builtin_mul_overflow(t, h, &t) ||
		    __builtin_add_overflow(asumsq, t, &asumsq))
			goto other;
		if (v)
			nz_put(c, k, v);
		k++;
	}
	if (*p != '\0' || an != want_n || asum != want_sum ||
	    asumsq != want_sumsq)
		goto other;
	en->n = an;
	en->sum_x100 = asum;
	en->sumsq_x10000 = asumsq;
	en->at = start;
	en->nnz = c->nnz - start;
	en->og_at = c->nog;
	en->nog = 0;
	return 1;
other:
	c->nnz = start;
	return 0;
}

static ss_status load_hist(exam_ctx *c, const int *col, ss_error *e)
{
	const ctable *t = &c->in->exam_hist;
	size_t i, yxi = 0;
	ss_status st = SS_OK;

	for (i = 0; st == SS_OK && i < t->nrows; i++) {
		entry *en = row_entry(c, t, i, col, 1, &yxi, e, &st);
		if (!en)
			continue;
		if (en->n == 0 && en->nnz == 0 && en->nog == 0 &&
		    parse_plain(c, en, ctable_get(t, i, col[4]),
				ctable_get(t, i, col[5]),
				ctable_get(t, i, col[6]),
				ctable_get(t, i, col[7]),
				ctable_get(t, i, col[8]))) {
			c->present[yxi] = 1;
			continue;
		}
		st = exam_hist_parse(ctable_get(t, i, col[4]),
				     ctable_get(t, i, col[5]),
				     ctable_get(t, i, col[6]),
				     ctable_get(t, i, col[7]),
				     ctable_get(t, i, col[8]), &c->parsed, e);
		if (st == SS_EDATA) {
			char msg[ERR_MSG_MAX];
			snprintf(msg, sizeof msg, "%s", e->msg);
			st = err_set(e, SS_EDATA, t->path, t->lines[i], 0,
				     "%s", msg);
		} else if (st == SS_OK) {
			st = entry_add(c, en, &c->parsed, e);
		}
		if (st == SS_OK)
			c->present[yxi] = 1;
	}
	return st;
}

static ss_status load_summary(exam_ctx *c, const int *col, ss_error *e)
{
	const ctable *t = &c->in->exam_summary;
	size_t i, yxi = 0;
	ss_status st = SS_OK;

	c->rows = calloc(t->nrows + 1, sizeof *c->rows);
	c->pn = calloc(t->nrows + 1, sizeof *c->pn);
	c->pmean = calloc(t->nrows + 1, sizeof *c->pmean);
	c->psd = calloc(t->nrows + 1, sizeof *c->psd);
	if (!c->rows || !c->pn || !c->pmean || !c->psd)
		return nomem(e);
	for (i = 0; st == SS_OK && i < t->nrows; i++) {
		sum_row r;
		int hs = 0, hp = 0;
		entry *en;
		memset(&r, 0, sizeof r);
		if (ind_count_at(t, i, col[4], &r.n, e) < 0 ||
		    ind_real_at(t, i, col[5], &r.mean, e) < 0 ||
		    (hs = ind_real_at(t, i, col[6], &r.sd, e)) < 0 ||
		    (hp = ind_real_at(t, i, col[7], &r.pass, e)) < 0)
			return SS_EDATA;
		en = row_entry(c, t, i, col, 0, &yxi, e, &st);
		if (!en)
			continue;
		r.line = ind_src_line(t, i);
		/* Only the same school's scores for the same subject
		 * replace its summary; other schools keep theirs. */
		if (en->hist) {
			if (c->ignored[yxi]++ == 0)
				c->ignored_line[yxi] = r.line;
			continue;
		}
		/* One candidate has no spread: its SD is 0 whatever the file
		 * says, so it never keeps a pooled SD from being computed. */
		r.has_sd = hs == 1 || r.n <= 1;
		if (r.n <= 1)
			r.sd = 0;
		r.has_pass = hp == 1;
		r.next = -1;
		c->rows[c->nrows] = r;
		if (en->tail >= 0)
			c->rows[en->tail].next = (long)c->nrows;
		else
			en->head = (long)c->nrows;
		en->tail = (long)c->nrows++;
		c->present[yxi] = 1;
	}
	return st;
}

/* Formats the "bin_width,bin_low,bin_high," text of every bin of binning
 * k once. The edges are GSL's uniform ranges over 0..10 and the numbers
 * csvout's, so the text is what csvout_real wrote for them field by
 * field (12 M rows for a national file made that the stage's cost). */
static ss_status bin_text_build(exam_ctx *c, size_t k, ss_error *e)
{
	size_t nb = (size_t)(1000 / bin_widths[k]), b, len = 0;
	gsl_histogram *g = gsl_histogram_alloc(nb);
	char w[64], lo[64], hi[64];
	ss_status st = SS_OK;

	c->boff[k] = malloc((nb + 1) * sizeof *c->boff[k]);
	/* three numbers of at most 63 bytes and three commas per bin */
	c->btext[k] = malloc(nb * 3 * 64 + 1);
	if (!g || !c->boff[k] || !c->btext[k] ||
	    gsl_histogram_set_ranges_uniform(g, 0.0, 10.0) != GSL_SUCCESS) {
		st = err_set(e, SS_ENOMEM, NULL, 0, 0,
			     "cannot allocate a score histogram");
		goto out;
	}
	csvout_format_real((double)bin_widths[k] / 100.0, 6, w, sizeof w);
	for (b = 0; b < nb; b++) {
		double l, h;
		gsl_histogram_get_range(g, b, &l, &h);
		csvout_format_real(l, 6, lo, sizeof lo);
		csvout_format_real(h, 6, hi, sizeof hi);
		c->boff[k][b] = len;
		len += (size_t)sprintf(c->btext[k] + len, "%s,%s,%s,", w, lo,
				       hi);
	}
	c->boff[k][nb] = len;
out:
	if (g)
		gsl_histogram_free(g);
	return st;
}

/* Notes the (year, exam, subject) for which some school has summary
 * rows, so that scopes of the others need not look for them. */
static ss_status note_summaries(exam_ctx *c, size_t nidx, ss_error *e)
{
	size_t nsch = c->in->nschools, i;

	c->summarized = calloc(c->years.n * c->exams.n * c->subjects.n + 1, 1);
	if (!c->summarized)
		return nomem(e);
	for (i = 0; i < nidx; i++)
		if (c->index[i] >= 0 && !c->ent[c->index[i]].hist)
			c->summarized[i / nsch] = 1;
	return SS_OK;
}

static ss_status ctx_build(exam_ctx *c, ss_error *e)
{
	static const char *const hcols[] = { "year", "exam", "school_id",
					     "subject", "n", "sum_x100",
					     "sumsq_x10000", "bins", "offgrid",
					     NULL };
	static const char *const scols[] = { "year", "exam", "school_id",
					     "subject", "candidates", "mean",
					     "sd", "pass_rate", NULL };
	const ind_input *in = c->in;
	int hc[9], sc[8];
	size_t nyx, nidx, i;
	ss_status st = SS_OK;

	if (in->has_exam_hist && (st = ind_columns(&in->exam_hist, hcols, hc,
						   e)) == SS_OK)
		st = collect_names(c, &in->exam_hist, hc, e);
	if (st == SS_OK && in->has_exam_summary &&
	    (st = ind_columns(&in->exam_summary, scols, sc, e)) == SS_OK)
		st = collect_names(c, &in->exam_summary, sc, e);
	if (st != SS_OK)
		return st;
	nyx = c->years.n * c->exams.n;
	nidx = nyx * c->subjects.n * in->nschools;
	c->index = malloc((nidx ? nidx : 1) * sizeof *c->index);
	c->present = calloc(nyx + 1, 1);
	c->ignored_line = calloc(nyx + 1, sizeof *c->ignored_line);
	c->ignored = calloc(nyx + 1, sizeof *c->ignored);
	c->acc = calloc(c->exams.n * c->subjects.n + 1, sizeof *c->acc);
	c->label = calloc(c->exams.n * c->subjects.n + 1, sizeof *c->label);
	c->label_id = calloc(c->exams.n * c->subjects.n + 1,
			     sizeof *c->label_id);
	if (!c->index || !c->present || !c->ignored_line ||
	    !c->ignored || !c->acc || !c->label || !c->label_id)
		return nomem(e);
	for (i = 0; i < nidx; i++)
		c->index[i] = -1;
	for (i = 0; i < 3; i++)
		if ((st = bin_text_build(c, i, e)) != SS_OK)
			return st;
	if (in->has_exam_hist)
		st = load_hist(c, hc, e);
	if (st == SS_OK && in->has_exam_summary)
		st = load_summary(c, sc, e);
	if (st == SS_OK)
		st = note_summaries(c, nidx, e);
	return st;
}

/* ----------------------------------------------------------- histograms */

/* exam_histograms.csv, written in large blocks: a national file has about
 * 5,000 scopes x 9 subjects x 250 bins = 12 M rows, which field-by-field
 * csvout calls (printf for every number) took ~10 s to write; assembled
 * from pieces formatted once, they take a fraction of a second. Errors are
 * sticky as in csvout and reported by hout_close. */
typedef struct hist_out {
	FILE *fp;
	char path[ERR_FILE_MAX];
	int failed; /* errno of the first failed write, 0 if none */
	char *buf;
	size_t len, cap;
} hist_out;

#define HOUT_BLOCK ((size_t)1 << 18)

static ss_status hout_open(hist_out *h, const char *path, ss_error *e)
{
	memset(h, 0, sizeof *h);
	snprintf(h->path, sizeof h->path, "%s", path);
	if (!(h->buf = malloc(HOUT_BLOCK)))
		return nomem(e);
	h->cap = HOUT_BLOCK;
	h->fp = fopen(path, "w");
	if (!h->fp) {
		int err = errno;
		free(h->buf);
		h->buf = NULL;
		return err_set_errno(e, SS_EIO, path, err, "cannot create");
	}
	return SS_OK;
}

static void hout_flush(hist_out *h)
{
	if (!h->failed && h->len &&
	    fwrite(h->buf, 1, h->len, h->fp) != h->len)
		h->failed = errno ? errno : EIO;
	h->len = 0;
}

/* Room for need more bytes at h->buf + h->len; NULL on ENOMEM. */
static char *hout_reserve(hist_out *h, size_t need)
{
	if (h->len + need > h->cap)
		hout_flush(h);
	if (need > h->cap) {
		char *p = realloc(h->buf, need);
		if (!p)
			return NULL;
		h->buf = p;
		h->cap = need;
	}
	return h->buf + h->len;
}

/* Closes h (also after a failure); SS_EIO when any write failed. */
static ss_status hout_close(hist_out *h, ss_error *e)
{
	int failed;

	hout_flush(h);
	if (!h->failed && (fflush(h->fp) != 0 || ferror(h->fp)))
		h->failed = errno ? errno : EIO;
	if (fclose(h->fp) != 0 && !h->failed)
		h->failed = errno ? errno : EIO;
	h->fp = NULL;
	free(h->buf);
	h->buf = NULL;
	failed = h->failed;
	if (failed && e)
		return err_set_errno(e, SS_EIO, h->path, failed,
				     "cannot write");
	return failed ? SS_EIO : SS_OK;
}

/* The fields f[0..n) as csvout writes them (quoting included), then a
 * ',' when more fields follow (sep) or the end of the row; *out is
 * malloc'ed and NUL-terminated. */
static ss_status csv_fields(const char *const *f, size_t n, int sep,
			    char **out, size_t *len, ss_error *e)
{
	FILE *fp;
	csvout w;
	size_t i;
	ss_status st;

	*out = NULL;
	*len = 0;
	if (!(fp = open_memstream(out, len)))
		return nomem(e);
	csvout_init_stream(&w, fp, "exam_histograms.csv");
	for (i = 0; i < n; i++)
		csvout_str(&w, f[i]);
	if (sep)
		csvout_empty(&w);
	else
		csvout_end_row(&w);
	st = csvout_close(&w, NULL);
	if (fclose(fp) != 0 || st != SS_OK || !*out) {
		free(*out);
		*out = NULL;
		return nomem(e);
	}
	return SS_OK;
}

/* Decimal digits of v at p; returns their number. */
static size_t put_ll(char *p, long long v)
{
	char tmp[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
				      : (unsigned long long)v;
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		p[k++] = '-';
	while (n)
		p[k++] = tmp[--n];
	return k;
}

/* A score of h hundredths belongs to bin h / width (a score on a bin edge
 * to the bin above it; 10.00 to the last bin): found in integers, so no
 * rounding of the edge values can move a score into a neighbour. */
static void bin_add(long long *cnt, size_t nb, long width, long h,
		    long long count)
{
	size_t b = (size_t)(h / width);

	if (b >= nb)
		b = nb - 1;
	cnt[b] += count;
}

static ss_status write_hists(exam_ctx *c, hist_out *w, const char *year,
			     const char *scope, const char *label,
			     const stats_scores *s, ss_error *e)
{
	const char *f[3] = { year, scope, label };
	long long cnt[1000 / 5];
	char *prefix;
	size_t plen, k, b, j;
	ss_status st = csv_fields(f, 3, 1, &prefix, &plen, e);

	if (st != SS_OK)
		return st;
	for (k = 0; st == SS_OK && k < 3; k++) {
		size_t nb = (size_t)(1000 / bin_widths[k]);
		memset(cnt, 0, sizeof cnt);
		for (b = 0; b < STATS_GRID_BINS; b++)
			bin_add(cnt, nb, bin_widths[k], (long)b * 5,
				s->bins[b]);
		for (j = 0; j < s->noffgrid; j++)
			bin_add(cnt, nb, bin_widths[k],
				s->offgrid[j].hundredths, s->offgrid[j].count);
		for (b = 0; b < nb; b++) {
			size_t blen = c->boff[k][b + 1] - c->boff[k][b];
			char *p = hout_reserve(w, plen + blen + 24);
			if (!p) {
				st = nomem(e);
				break;
			}
			memcpy(p, prefix, plen);
			memcpy(p + plen, c->btext[k] + c->boff[k][b], blen);
			p += plen + blen;
			p += put_ll(p, cnt[b]);
			*p++ = '\n';
			w->len = (size_t)(p - w->buf);
		}
	}
	free(prefix);
	return st;
}

/* ------------------------------------------------------------ indicators */

static ss_status emit_hist(exam_ctx *c, ind_rows *rows, ind_key *k,
			   const stats_scores *s, ss_error *e)
{
	ind_src src = { "exam_scores.csv", 0, "candidates" };
	double sd = 0, q = 0;
	int ok_sd, ok_q;
	ss_status st;

	k->id = IND_EXAM_CANDIDATES;
	st = ind_rows_add_count(rows, k, s->n, e);
	k->id = IND_EXAM_MEAN;
	if (st == SS_OK)
		st = ind_rows_add_ratio(rows, k, (double)s->sum_x100 / 100.0,
					(double)s->n, &src, e);
	ok_sd = stats_scores_sd(s, &sd);
	k->id = IND_EXAM_SD;
	if (st == SS_OK)
		st = ind_rows_add_sd(rows, k, ok_sd, sd, s->n, &src, e);
	ok_q = stats_scores_quantile(s, 0.5, &q);
	k->id = IND_EXAM_MEDIAN;
	if (st == SS_OK)
		st = ind_rows_add_quantile(rows, k, ok_q, q, s->n, e);
	k->id = IND_EXAM_PASS_RATE;
	if (st == SS_OK)
		st = ind_rows_add_ratio(
			rows, k,
			(double)stats_scores_count_at_least(s, c->opt->pass_x100),
			(double)s->n, &src, e);
	k->id = IND_EXAM_LOW_RATE;
	if (st == SS_OK)
		st = ind_rows_add_ratio(
			rows, k,
			(double)stats_scores_count_at_most(s, c->opt->low_x100),
			(double)s->n, &src, e);
	return st;
}

/* Pools the summary rows of the scope's entries (chains heads[0..nh)). */
static ss_status emit_summary(exam_ctx *c, ind_rows *rows, ind_key *k,
			      const long *heads, size_t nh, long line,
			      ss_error *e)
{
	ind_src src = { "exam_summary.csv", line, "candidates" };
	long long N = 0, Nsd = 0, passers = 0, Npass = 0;
	size_t h, m = 0, msd = 0;
	double pm = 0, psd = 0;
	int any_sd = 0, any_pass = 0, ok;
	long r;
	ss_status st;

	for (h = 0; h < nh; h++)
		for (r = heads[h]; r >= 0; r = c->rows[r].next) {
			const sum_row *x = &c->rows[r];
			N += x->n;
			c->pn[m] = x->n;
			c->pmean[m++] = x->mean;
			if (x->has_pass) {
				any_pass = 1;
				/* A published rate is rounded: the nearest
				 * whole number of candidates is the count
				 * it was computed from. */
				passers += llround((double)x->n * x->pass /
						   100.0);
				Npass += x->n;
			}
		}
	k->id = IND_EXAM_CANDIDATES;
	st = ind_rows_add_count(rows, k, N, e);
	ok = N > 0 && stats_pooled(c->pn, c->pmean, NULL, m, &pm, NULL);
	k->id = IND_EXAM_MEAN;
	if (st == SS_OK)
		st = ind_rows_add_ratio(rows, k, ok ? pm * (double)N : 0.0,
					ok ? (double)N : 0.0, &src, e);
	/* The SD pools the rows that give one (within- plus
	 * between-group sums of squares); its denominator says how many. */
	for (h = 0; h < nh; h++)
		for (r = heads[h]; r >= 0; r = c->rows[r].next) {
			const sum_row *x = &c->rows[r];
			if (!x->has_sd)
				continue;
			any_sd = 1;
			Nsd += x->n;
			c->pn[msd] = x->n;
			c->pmean[msd] = x->mean;
			c->psd[msd++] = x->sd;
		}
	if (st == SS_OK && any_sd) {
		double pm2 = 0;
		ok = Nsd >= 2 &&
		     stats_pooled(c->pn, c->pmean, c->psd, msd, &pm2, &psd);
		k->id = IND_EXAM_SD;
		st = ind_rows_add_sd(rows, k, ok, psd, Nsd, &src, e);
	}
	if (st == SS_OK && any_pass) {
		k->id = IND_EXAM_PASS_RATE;
		st = ind_rows_add_ratio(rows, k, (double)passers, (double)Npass,
					&src, e);
	}
	return st;
}

/* exam_histograms.csv serves the charts and the report, which draw the
 * unit, its levels and its provinces. Schools, communes and districts are
 * left out: a national file would otherwise write 12 million rows that
 * nothing reads; their exact distributions are in clean/exam_hist.csv. */
static int hist_scope(const exam_ctx *c, const ind_scope *sc)
{
	return c->opt->hist_every_scope || sc->kind == IND_SCOPE_ALL || sc->kind == IND_SCOPE_LEVEL ||
	       sc->kind == IND_SCOPE_PROVINCE;
}

/* Rows of a scope whose schools mix both sources for one subject: the
 * merged scores acc of some schools and the summary chains heads[0..nh) of
 * the others. Counts, sums and sums of squares add up exactly (a summary
 * row stands for n mean and (n - 1) sd^2 + n mean^2), so candidates, mean,
 * SD and pass rate are pooled as if every score were known; median and low
 * rate need the distribution, which summaries do not give. A scope holding
 * one school is never mixed: its entry has one source. */
static ss_status emit_mixed(exam_ctx *c, ind_rows *rows, ind_key *k,
			    const stats_scores *acc, const long *heads,
			    size_t nh, ss_error *e)
{
	ind_src src = { "exam_summary.csv", 0, "candidates" };
	long long N = acc->n, Nsd = acc->n, Nsum = 0, passers, Npass = acc->n;
	double sum = (double)acc->sum_x100 / 100.0, pm = 0, psd = 0;
	size_t h, m = 0;
	char why[256];
	long r;
	int ok;
	ss_status st;

	passers = stats_scores_count_at_least(acc, c->opt->pass_x100);
	/* The scores enter the pooling as one group with their exact mean
	 * and SD (stats_pooled skips it when it has no candidates). */
	c->pn[m] = acc->n;
	c->pmean[m] = acc->n > 0 ? (double)acc->sum_x100 / 100.0 /
					   (double)acc->n
				 : 0.0;
	if (!stats_scores_sd(acc, &c->psd[m]))
		c->psd[m] = 0; /* fewer than two scores: no spread */
	m++;
	for (h = 0; h < nh; h++)
		for (r = heads[h]; r >= 0; r = c->rows[r].next) {
			const sum_row *x = &c->rows[r];
			N += x->n;
			Nsum += x->n;
			sum += (double)x->n * x->mean;
			if (x->has_pass) {
				passers += llround((double)x->n * x->pass /
						   100.0);
				Npass += x->n;
			}
			if (!x->has_sd)
				continue;
			Nsd += x->n;
			c->pn[m] = x->n;
			c->pmean[m] = x->mean;
			c->psd[m++] = x->sd;
		}
	k->id = IND_EXAM_CANDIDATES;
	st = ind_rows_add_count(rows, k, N, e);
	k->id = IND_EXAM_MEAN;
	if (st == SS_OK)
		st = ind_rows_add_ratio(rows, k, N > 0 ? sum : 0.0, (double)N,
					&src, e);
	/* The SD pools the scores and the summary rows that give one. */
	ok = Nsd >= 2 && stats_pooled(c->pn, c->pmean, c->psd, m, &pm, &psd);
	k->id = IND_EXAM_SD;
	if (st == SS_OK)
		st = ind_rows_add_sd(rows, k, ok, psd, Nsd, &src, e);
	k->id = IND_EXAM_MEDIAN;
	snprintf(why, sizeof why,
		 "'%lld' of '%lld' candidates are known only from exam_summary.csv, which gives no score distribution (expected per-candidate scores for every school); value left empty",
		 Nsum, N);
	if (st == SS_OK)
		st = ind_rows_add_empty(rows, k, &src, "exam_mixed_sources",
					why, e);
	k->id = IND_EXAM_PASS_RATE;
	if (st == SS_OK)
		st = ind_rows_add_ratio(rows, k, (double)passers,
					(double)Npass, &src, e);
	k->id = IND_EXAM_LOW_RATE;
	if (st == SS_OK)
		st = ind_rows_add_empty(rows, k, &src, "exam_mixed_sources",
					why, e);
	return st;
}

/* Empties a, keeping its off-grid array for the next scope. Only the
 * bins set since the last clear are zeroed: most scopes are single
 * schools with a few dozen. */
static void acc_clear(scope_acc *a)
{
	size_t j;

	for (j = 0; j < a->ntouched; j++)
		a->s.bins[a->touched[j]] = 0;
	a->ntouched = 0;
	a->s.n = a->s.sum_x100 = a->s.sumsq_x10000 = 0;
	a->s.noffgrid = 0;
	a->any_hist = a->failed = 0;
}

/* Adds entry en's scores to acc as stats_scores_merge would; 0 when a
 * sum would overflow or on ENOMEM (acc is then unusable: the caller
 * fails). An entry's counts add up to its n (exam_hist_parse checks), so
 * when the totals fit, every count does. */
static int acc_add(const exam_ctx *c, scope_acc *acc, const entry *en)
{
	stats_scores *a = &acc->s;
	const stats_offgrid *src = c->og + en->og_at;
	size_t j, na = a->noffgrid, nb = en->nog, i, k;

	if (__builtin_add_overflow(a->n, en->n, &a->n) ||
	    __builtin_add_overflow(a->sum_x100, en->sum_x100, &a->sum_x100) ||
	    __builtin_add_overflow(a->sumsq_x10000, en->sumsq_x10000,
				   &a->sumsq_x10000))
		return 0;
	{
		const uint32_t *nz = c->nz;
		size_t end = en->at + en->nnz, nt = acc->ntouched;
		for (j = en->at; j < end;) {
			uint32_t b = nz[j] & 0xff;
			/* no branch: whether a bin is new is unpredictable */
			acc->touched[nt] = (unsigned char)b;
			nt += a->bins[b] == 0;
			a->bins[b] += nz_count(c, &j);
		}
		acc->ntouched = nt;
	}
	if (nb == 0)
		return 1;
	if (na + nb > a->cap_offgrid) {
		size_t cap = a->cap_offgrid ? a->cap_offgrid : 8;
		stats_offgrid *p;
		while (cap < na + nb)
			cap *= 2;
		p = realloc(a->offgrid, cap * sizeof *p);
		if (!p)
			return 0;
		a->offgrid = p;
		a->cap_offgrid = cap;
	}
	/* Merge the two sorted lists from the back, so that nothing is
	 * overwritten before it is read, then move the result to the front
	 * (equal values combine, so it may be shorter). */
	i = na;
	j = nb;
	k = na + nb;
	while (j > 0) {
		if (i > 0 && a->offgrid[i - 1].hundredths > src[j - 1].hundredths) {
			a->offgrid[--k] = a->offgrid[--i];
		} else if (i > 0 && a->offgrid[i - 1].hundredths ==
					    src[j - 1].hundredths) {
			stats_offgrid v = a->offgrid[--i];
			v.count += src[--j].count;
			a->offgrid[--k] = v;
		} else {
			a->offgrid[--k] = src[--j];
		}
	}
	/* what is left of dst sits in place below k */
	if (k > i) {
		memmove(a->offgrid + i, a->offgrid + k,
			(na + nb - k) * sizeof *a->offgrid);
	}
	a->noffgrid = i + (na + nb - k);
	return 1;
}

/* Merges the scores of every (exam, subject) of year y over the schools of
 * sc into c->acc, school by school: a school's entries lie side by side
 * when exam_hist.csv gives a school's subjects together, as the exam
 * stage writes it. */
static void merge_scope(exam_ctx *c, size_t y, const ind_scope *sc)
{
	size_t nx = c->exams.n, ns = c->subjects.n, m, x, sj;

	for (x = 0; x < nx * ns; x++)
		acc_clear(&c->acc[x]);
	for (m = 0; m < sc->nmembers; m++)
		for (x = 0; x < nx; x++) {
			if (!c->present[yx(c, y, x)])
				continue;
			for (sj = 0; sj < ns; sj++) {
				long p = *slot(c, y, x, sj, sc->members[m]);
				scope_acc *a = &c->acc[x * ns + sj];
				if (p < 0 || !c->ent[p].hist || a->failed)
					continue;
				a->any_hist = 1;
				a->failed = !acc_add(c, a, &c->ent[p]);
			}
		}
}

/* Rows (and histograms) of one scope for one (year, exam, subject): from
 * the scores when every school of the scope that took the exam has them,
 * from the summaries when none has, pooled when they mix. A mixed scope
 * writes no histogram: the scores cover only part of its candidates.
 * The scores are merged in c->acc already (merge_scope). */
static ss_status emit_group(exam_ctx *c, ind_rows *rows, hist_out *w,
			    size_t y, size_t x, size_t sj,
			    const ind_scope *sc, const char *year,
			    ind_key_ids *ids, long *heads, ss_error *e)
{
	size_t ns = c->subjects.n, m, nh = 0;
	const char *label = c->label[x * ns + sj];
	ind_key k = { year, sc->name, IND_EXAM_CANDIDATES, label,
		      (long)(x * ns + sj) };
	scope_acc *a = &c->acc[x * ns + sj];
	long line = 0;
	ss_status st = SS_OK;

	if (a->failed)
		return nomem(e);
	/* the key's strings were looked up for the scope and year */
	ids->suffix = c->label_id[x * ns + sj];
	rows->fixed = ids;
	if (c->summarized[yx(c, y, x) * ns + sj])
		for (m = 0; m < sc->nmembers; m++) {
			long p = *slot(c, y, x, sj, sc->members[m]);
			if (p >= 0 && !c->ent[p].hist && c->ent[p].head >= 0)
				heads[nh++] = c->ent[p].head;
		}
	if (a->any_hist && nh == 0) {
		st = emit_hist(c, rows, &k, &a->s, e);
		if (st == SS_OK && hist_scope(c, sc))
			st = write_hists(c, w, year, sc->name, label, &a->s,
					 e);
	} else if (a->any_hist) {
		st = emit_mixed(c, rows, &k, &a->s, heads, nh, e);
	} else if (nh > 0) {
		if (sc->kind == IND_SCOPE_SCHOOL)
			line = c->rows[heads[0]].line;
		st = emit_summary(c, rows, &k, heads, nh, line, e);
	}
	rows->fixed = NULL;
	return st;
}

static ss_status warn_ignored(exam_ctx *c, diag_sink *diag, ss_error *e)
{
	size_t y, x;
	char year[16];

	if (!diag)
		return SS_OK;
	for (y = 0; y < c->years.n; y++)
		for (x = 0; x < c->exams.n; x++) {
			long n = c->ignored[yx(c, y, x)];
			if (n == 0)
				continue;
			if (diag_report(diag, DIAG_WARNING,
					"exam_summary_superseded",
					"exam_summary.csv",
					c->ignored_line[yx(c, y, x)], 0,
					"%ld summary rows of exam '%s' in %s not used: the same school has per-candidate scores for that subject, which give its indicators",
					n, c->exams.name[x],
					ind_year_format(c->years.start[y],
							year,
							sizeof year)) !=
			    SS_OK)
				return nomem(e);
		}
	return SS_OK;
}

static ss_status exam_year(exam_ctx *c, ind_rows *rows, hist_out *w, size_t y,
			   long *heads, ss_error *e)
{
	char year[16], label[2 * NAME_MAX_LEN + 2];
	size_t x, sj, i, nexams = 0, ns = c->subjects.n;
	ss_status st = SS_OK;

	ind_year_format(c->years.start[y], year, sizeof year);
	for (x = 0; x < c->exams.n; x++)
		nexams += c->present[yx(c, y, x)];
	for (x = 0; x < c->exams.n; x++)
		for (sj = 0; sj < ns; sj++) {
			/* The exam joins the name only when the year has
			 * several, so the usual single-exam names stay
			 * short and stable. */
			if (nexams > 1)
				snprintf(label, sizeof label, "%s:%s",
					 c->exams.name[x], c->subjects.name[sj]);
			else
				snprintf(label, sizeof label, "%s",
					 c->subjects.name[sj]);
			free(c->label[x * ns + sj]);
			if (!(c->label[x * ns + sj] = strdup(label)))
				return nomem(e);
			c->label_id[x * ns + sj] =
				ind_rows_suffix_id(rows, label);
			if (c->label_id[x * ns + sj] < 0)
				return nomem(e);
		}
	for (i = 0; st == SS_OK && i < c->in->scopes.n; i++) {
		const ind_scope *sc = &c->in->scopes.scope[i];
		ind_key k = { year, sc->name, IND_EXAM_CANDIDATES, NULL, 0 };
		ind_key_ids ids;
		int have_ids = 0;
		merge_scope(c, y, sc);
		for (x = 0; st == SS_OK && x < c->exams.n; x++) {
			if (!c->present[yx(c, y, x)])
				continue;
			/* the scope's strings, once for all its subjects */
			if (!have_ids &&
			    (st = ind_rows_key_ids(rows, &k, &ids, e)) != SS_OK)
				break;
			have_ids = 1;
			for (sj = 0; st == SS_OK && sj < ns; sj++)
				st = emit_group(c, rows, w, y, x, sj, sc, year,
						&ids, heads, e);
		}
	}
	return st;
}

ss_status ind_produce_exam(const ind_input *in, const ind_options *opt,
			   ind_rows *rows, const char *hist_path,
			   ss_error *e)
{
	static const char *const header[] = { "year", "scope", "subject",
					      "bin_width", "bin_low",
					      "bin_high", "count", NULL };
	exam_ctx c;
	hist_out w;
	char *head = NULL;
	size_t hlen = 0;
	long *heads = NULL;
	size_t y;
	ss_status st, st2;

	memset(&c, 0, sizeof c);
	c.in = in;
	c.opt = opt;
	ind_years_init(&c.years);
	names_init(&c.exams);
	names_init(&c.subjects);
	st = ctx_build(&c, e);
	if (st == SS_OK)
		st = warn_ignored(&c, rows->diag, e);
	if (st == SS_OK) {
		heads = malloc((in->nschools + 1) * sizeof *heads);
		if (!heads)
			st = nomem(e);
	}
	if (st != SS_OK) {
		free(heads);
		ctx_release(&c);
		return st;
	}
	st = csv_fields(header, 7, 0, &head, &hlen, e);
	if (st == SS_OK)
		st = hout_open(&w, hist_path, e);
	if (st == SS_OK) {
		char *p = hout_reserve(&w, hlen);
		if (p) {
			memcpy(p, head, hlen);
			w.len += hlen;
		} else {
			st = nomem(e);
		}
		for (y = 0; st == SS_OK && y < c.years.n; y++)
			st = exam_year(&c, rows, &w, y, heads, e);
		st2 = hout_close(&w, st == SS_OK ? e : NULL);
		if (st == SS_OK)
			st = st2;
	}
	free(head);
	free(heads);
	ctx_release(&c);
	return st;
}
