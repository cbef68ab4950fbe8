/* ind_exam — exam indicators per subject and exam_histograms.csv.
 *
 * For each (year, exam, subject) a school's source is clean/exam_hist.csv
 * when it has rows for that school: exact score histograms, merged for
 * every larger scope. Otherwise its exam_summary.csv row: candidates, mean,
 * sd and pass rate, combined candidate-weighted. A scope whose schools mix
 * both sources pools counts, sums and sums of squares exactly and leaves
 * what needs the distribution (median, low rate) empty. Entries are kept in a dense
 * (year, exam, subject, school) index so that a scope is the merge of its
 * members' entries, computed in output order; memory is one histogram per
 * school and subject, whatever the number of candidates. */
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

typedef struct entry {
	int hist;          /* 1: sc holds scores; 0: summary rows */
	stats_scores sc;
	long head, tail;   /* summary rows, -1 when none */
} entry;

/* Names in order of first appearance, folded. */
typedef struct names {
	char **name;
	size_t n, cap;
	strmap map;
} names;

typedef struct exam_ctx {
	const ind_input *in;
	const ind_options *opt;
	ind_years years;
	names exams, subjects;
	long *index;                /* Y*X*S*N -> entry, -1 */
	entry *ent;
	size_t nent, cap_ent;
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
	memset(n, 0, sizeof *n);
	strmap_init(&n->map);
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
	long v;
	int put;

	text_fold(raw, folded, sizeof folded);
	if (strmap_get(&n->map, folded, &v))
		return v;
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
	return (long)n->n++;
}

static long names_find(const names *n, const char *raw)
{
	char folded[NAME_MAX_LEN];
	long v;

	text_fold(raw, folded, sizeof folded);
	return strmap_get(&n->map, folded, &v) ? v : -1;
}

/* ------------------------------------------------------------- context */

static void ctx_release(exam_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nent; i++)
		stats_scores_release(&c->ent[i].sc);
	free(c->ent);
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
		stats_scores_init(&en->sc);
		en->hist = hist;
		en->head = en->tail = -1;
		*p = (long)c->nent++;
	}
	return &c->ent[*p];
}

static ss_status load_hist(exam_ctx *c, const int *col, ss_error *e)
{
	const ctable *t = &c->in->exam_hist;
	size_t i, yxi = 0;
	ss_status st = SS_OK;

	for (i = 0; st == SS_OK && i < t->nrows; i++) {
		stats_scores sc;
		entry *en = row_entry(c, t, i, col, 1, &yxi, e, &st);
		if (!en)
			continue;
		stats_scores_init(&sc);
		st = exam_hist_parse(ctable_get(t, i, col[4]),
				     ctable_get(t, i, col[5]),
				     ctable_get(t, i, col[6]),
				     ctable_get(t, i, col[7]),
				     ctable_get(t, i, col[8]), &sc, e);
		if (st == SS_EDATA) {
			char msg[ERR_MSG_MAX];
			snprintf(msg, sizeof msg, "%s", e->msg);
			st = err_set(e, SS_EDATA, t->path, t->lines[i], 0,
				     "%s", msg);
		} else if (st == SS_OK && !stats_scores_merge(&en->sc, &sc)) {
			st = nomem(e);
		}
		stats_scores_release(&sc);
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
	if (!c->index || !c->present || !c->ignored_line ||
	    !c->ignored)
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

#define HOUT_BLOCK ((size_t)1 << 20)

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

/* Rows (and histograms) of one scope for one (year, exam, subject): from
 * the scores when every school of the scope that took the exam has them,
 * from the summaries when none has, pooled when they mix. A mixed scope
 * writes no histogram: the scores cover only part of its candidates. */
static ss_status emit_group(exam_ctx *c, ind_rows *rows, hist_out *w,
			    size_t y, size_t x, size_t sj,
			    const ind_scope *sc, const char *year,
			    const char *label, long sub_rank, long *heads,
			    ss_error *e)
{
	ind_key k = { year, sc->name, IND_EXAM_CANDIDATES, label, sub_rank };
	stats_scores acc;
	size_t m, nh = 0;
	int any_hist = 0;
	long line = 0;
	ss_status st = SS_OK;

	stats_scores_init(&acc);
	for (m = 0; st == SS_OK && m < sc->nmembers; m++) {
		long p = *slot(c, y, x, sj, sc->members[m]);
		if (p < 0)
			continue;
		if (c->ent[p].hist) {
			any_hist = 1;
			if (!stats_scores_merge(&acc, &c->ent[p].sc))
				st = nomem(e);
		} else if (c->ent[p].head >= 0) {
			heads[nh++] = c->ent[p].head;
		}
	}
	if (st == SS_OK && any_hist && nh == 0) {
		st = emit_hist(c, rows, &k, &acc, e);
		if (st == SS_OK && hist_scope(c, sc))
			st = write_hists(c, w, year, sc->name, label, &acc, e);
	} else if (st == SS_OK && any_hist) {
		st = emit_mixed(c, rows, &k, &acc, heads, nh, e);
	} else if (st == SS_OK && nh > 0) {
		if (sc->kind == IND_SCOPE_SCHOOL)
			line = c->rows[heads[0]].line;
		st = emit_summary(c, rows, &k, heads, nh, line, e);
	}
	stats_scores_release(&acc);
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
	size_t x, sj, i, nexams = 0;
	ss_status st = SS_OK;

	ind_year_format(c->years.start[y], year, sizeof year);
	for (x = 0; x < c->exams.n; x++)
		nexams += c->present[yx(c, y, x)];
	for (i = 0; st == SS_OK && i < c->in->scopes.n; i++) {
		const ind_scope *sc = &c->in->scopes.scope[i];
		for (x = 0; st == SS_OK && x < c->exams.n; x++) {
			if (!c->present[yx(c, y, x)])
				continue;
			for (sj = 0; st == SS_OK && sj < c->subjects.n; sj++) {
				/* The exam joins the name only when the year
				 * has several, so the usual single-exam
				 * names stay short and stable. */
				if (nexams > 1)
					snprintf(label, sizeof label, "%s:%s",
						 c->exams.name[x],
						 c->subjects.name[sj]);
				else
					snprintf(label, sizeof label, "%s",
						 c->subjects.name[sj]);
				st = emit_group(c, rows, w, y, x, sj, sc, year,
						label,
						(long)(x * c->subjects.n + sj),
						heads, e);
			}
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
