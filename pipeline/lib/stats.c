/* stats — the statistics the indicators are made of, from counts.
 *
 * Every public function validates its inputs and checks what GSL hands back:
 * with gsl_set_error_handler_off() GSL signals failure through a status code
 * or a nan, and neither may leak out of this module.
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_randist.h>

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SCORE_MAX_X100 1000L
#define GRID_STEP_X100 5L

/* Two-sided normal quantile for a confidence level; 0 on a bad level. */
static int two_sided_z(double level, double *z)
{
	double v;

	if (!(level > 0.0 && level < 1.0))
		return 0;
	v = gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0);
	if (!isfinite(v) || v <= 0.0)
		return 0;
	*z = v;
	return 1;
}

static double clamp01(double v)
{
	return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

int stats_wilson_z(double level, double *z)
{
	return two_sided_z(level, z);
}

int stats_wilson(long long k, long long n, double level, double *low,
		 double *high)
{
	double z;

	if (n <= 0 || k < 0 || k > n || !two_sided_z(level, &z))
		return 0;
	return stats_wilson_at(k, n, z, low, high);
}

int stats_wilson_at(long long k, long long n, double z, double *low,
		    double *high)
{
	double nn, p, z2n, denom, centre, half, lo, hi;

	if (n <= 0 || k < 0 || k > n || !(z > 0.0) || !isfinite(z))
		return 0;
	nn = (double)n;
	p = (double)k / nn;
	z2n = z * z / nn;
	denom = 1.0 + z2n;
	centre = (p + z2n / 2.0) / denom;
	half = z * sqrt(p * (1.0 - p) / nn + z2n / (4.0 * nn)) / denom;
	/* At k = 0 and k = n the bound is 0 or 1 exactly in real arithmetic;
	 * rounding could leave -1e-17, which would print as "-0". */
	lo = k == 0 ? 0.0 : clamp01(centre - half);
	hi = k == n ? 1.0 : clamp01(centre + half);
	if (!isfinite(lo) || !isfinite(hi))
		return 0;
	*low = lo;
	*high = hi;
	return 1;
}

/* ------------------------------------------------------------ scores */

void stats_scores_init(stats_scores *s)
{
	memset(s, 0, sizeof *s);
}

void stats_scores_release(stats_scores *s)
{
	if (!s)
		return;
	free(s->offgrid);
	stats_scores_init(s);
}

static int on_grid(long hundredths)
{
	return hundredths % GRID_STEP_X100 == 0;
}

/* The running sums after adding count copies of one value; 0 when a sum
 * would overflow (far beyond any real exam, but a silent wrap would be a
 * wrong figure rather than a failure). */
static int sums_after_add(const stats_scores *s, long hundredths,
			  long long count, long long *n, long long *sum,
			  long long *sumsq)
{
	long long h = hundredths, t;

	if (__builtin_add_overflow(s->n, count, n) ||
	    __builtin_mul_overflow(h, count, &t) ||
	    __builtin_add_overflow(s->sum_x100, t, sum) ||
	    __builtin_mul_overflow(h * h, count, &t) ||
	    __builtin_add_overflow(s->sumsq_x10000, t, sumsq))
		return 0;
	return 1;
}

/* Index of the first off-grid entry with hundredths >= h. */
static size_t offgrid_lower_bound(const stats_scores *s, long h)
{
	size_t lo = 0, hi = s->noffgrid;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->offgrid[mid].hundredths < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int offgrid_reserve(stats_scores *s, size_t need)
{
	stats_offgrid *p;
	size_t cap;

	if (need <= s->cap_offgrid)
		return 1;
	cap = s->cap_offgrid ? s->cap_offgrid : 8;
	while (cap < need)
		cap *= 2;
	p = realloc(s->offgrid, cap * sizeof *p);
	if (!p)
		return 0;
	s->offgrid = p;
	s->cap_offgrid = cap;
	return 1;
}

int stats_scores_add(stats_scores *s, long hundredths)
{
	long long n, sum, sumsq;
	size_t i;

	if (hundredths < 0 || hundredths > SCORE_MAX_X100)
		return 0;
	/* Sums first, committed last: a failure leaves *s untouched. */
	if (!sums_after_add(s, hundredths, 1, &n, &sum, &sumsq))
		return 0;
	if (on_grid(hundredths)) {
		s->bins[hundredths / GRID_STEP_X100]++;
	} else {
		i = offgrid_lower_bound(s, hundredths);
		if (i < s->noffgrid && s->offgrid[i].hundredths == hundredths) {
			s->offgrid[i].count++;
		} else {
			if (!offgrid_reserve(s, s->noffgrid + 1))
				return 0;
			memmove(&s->offgrid[i + 1], &s->offgrid[i],
				(s->noffgrid - i) * sizeof *s->offgrid);
			s->offgrid[i].hundredths = hundredths;
			s->offgrid[i].count = 1;
			s->noffgrid++;
		}
	}
	s->n = n;
	s->sum_x100 = sum;
	s->sumsq_x10000 = sumsq;
	return 1;
}

int stats_scores_merge(stats_scores *dst, const stats_scores *src)
{
	stats_offgrid *merged = NULL;
	size_t i = 0, j = 0, m = 0, na = dst->noffgrid, nb = src->noffgrid;
	long long n, sum, sumsq, bins[STATS_GRID_BINS];
	int b;

	if (__builtin_add_overflow(dst->n, src->n, &n) ||
	    __builtin_add_overflow(dst->sum_x100, src->sum_x100, &sum) ||
	    __builtin_add_overflow(dst->sumsq_x10000, src->sumsq_x10000,
				   &sumsq))
		return 0;
	for (b = 0; b < STATS_GRID_BINS; b++)
		if (__builtin_add_overflow(dst->bins[b], src->bins[b],
					   &bins[b]))
			return 0;
	/* Merge the two sorted lists into a fresh array, so that dst is
	 * untouched on failure and dst == src (doubling) also works. */
	if (na + nb > 0) {
		merged = malloc((na + nb) * sizeof *merged);
		if (!merged)
			return 0;
	}
	while (i < na || j < nb) {
		if (j == nb || (i < na && dst->offgrid[i].hundredths <
						  src->offgrid[j].hundredths)) {
			merged[m++] = dst->offgrid[i++];
		} else if (i == na || src->offgrid[j].hundredths <
					      dst->offgrid[i].hundredths) {
			merged[m++] = src->offgrid[j++];
		} else {
			merged[m] = dst->offgrid[i++];
			if (__builtin_add_overflow(merged[m].count,
						   src->offgrid[j++].count,
						   &merged[m].count)) {
				free(merged);
				return 0;
			}
			m++;
		}
	}
	free(dst->offgrid);
	dst->offgrid = merged;
	dst->noffgrid = m;
	dst->cap_offgrid = na + nb;
	memcpy(dst->bins, bins, sizeof bins);
	dst->n = n;
	dst->sum_x100 = sum;
	dst->sumsq_x10000 = sumsq;
	return 1;
}

int stats_scores_mean(const stats_scores *s, double *mean)
{
	if (s->n <= 0)
		return 0;
	/* sum_x100 < 2^53 for any real exam, so this is one rounding. */
	*mean = (double)s->sum_x100 / (double)s->n / 100.0;
	return 1;
}

int stats_scores_sd(const stats_scores *s, double *sd)
{
	long double num, var;

	if (s->n < 2)
		return 0;
#ifdef __SIZEOF_INT128__
	{
		/* n*sumsq and sum^2 reach 1e20 for ten million candidates:
		 * past int64, and far past what a double subtracts exactly. */
		__extension__ typedef __int128 wide;
		wide d = (wide)s->n * s->sumsq_x10000 -
			 (wide)s->sum_x100 * s->sum_x100;
		if (d < 0) /* impossible for consistent sums (Cauchy-Schwarz) */
			return 0;
		num = (long double)d;
	}
#else
	num = (long double)s->n * s->sumsq_x10000 -
	      (long double)s->sum_x100 * s->sum_x100;
	if (num < 0)
		num = 0;
#endif
	var = num / ((long double)s->n * (long double)(s->n - 1)) / 10000.0L;
	*sd = (double)sqrtl(var);
	return isfinite(*sd) ? 1 : 0;
}

/* Walks the scores in value order (grid bins and off-grid entries merged)
 * and finds the hundredths of the order statistics with 0-based ranks r
 * and, when want_hi, r + 1, in one walk. Returns 0 when the counts hold
 * fewer scores than that (a histogram read from a file whose n disagrees
 * with its counts). */
static int order_statistics(const stats_scores *s, long long r, int want_hi,
			    long *lo, long *hi)
{
	long long seen = 0;
	size_t j = 0;
	int b, have_lo = 0;

	/* Called for each value h in order after its count is in seen. */
#define AT_VALUE(h)                                                  \
	do {                                                         \
		if (!have_lo && r < seen) {                          \
			*lo = (h);                                   \
			have_lo = 1;                                 \
		}                                                    \
		if (have_lo && (!want_hi || r + 1 < seen)) {         \
			if (want_hi)                                 \
				*hi = (h);                           \
			return 1;                                    \
		}                                                    \
	} while (0)

	b = 0;
	if (s->noffgrid == 0) {
		/* Only grid values: whole blocks of bins below rank r are
		 * passed over by their sum (counts of a block all >= 0, so
		 * no bin inside it can reach r). */
		enum { BLOCK = 8 };
		for (; b + BLOCK <= STATS_GRID_BINS; b += BLOCK) {
			long long block = 0;
			int negative = 0;
			for (int i = 0; i < BLOCK; i++) {
				block += s->bins[b + i];
				negative |= s->bins[b + i] < 0;
			}
			if (negative || r < seen + block)
				break;
			seen += block;
		}
	}
	for (; b <= STATS_GRID_BINS; b++) {
		long h = (long)b * GRID_STEP_X100;
		/* Off-grid values below this bin; after the last bin, all the
		 * rest (none when the struct was filled by stats_scores_add). */
		while (j < s->noffgrid &&
		       (b == STATS_GRID_BINS || s->offgrid[j].hundredths < h)) {
			seen += s->offgrid[j].count;
			AT_VALUE(s->offgrid[j].hundredths);
			j++;
		}
		if (b == STATS_GRID_BINS)
			break;
		seen += s->bins[b];
		AT_VALUE(h);
	}
#undef AT_VALUE
	return 0;
}

int stats_scores_quantile(const stats_scores *s, double p, double *q)
{
	double index, delta;
	long long lhs;
	long lo = 0, hi = 0;

	if (s->n <= 0 || !(p >= 0.0 && p <= 1.0))
		return 0;
	/* The same arithmetic as gsl_stats_quantile_from_sorted_data, so the
	 * two agree to the last bit on the expanded data. */
	index = p * (double)(s->n - 1);
	lhs = (long long)index;
	delta = index - (double)lhs;
	if (!order_statistics(s, lhs, lhs != s->n - 1, &lo, &hi))
		return 0;
	if (lhs == s->n - 1)
		*q = (double)lo / 100.0;
	else
		*q = (1 - delta) * ((double)lo / 100.0) +
		     delta * ((double)hi / 100.0);
	return 1;
}

long long stats_scores_count_at_least(const stats_scores *s, long hundredths)
{
	long long c = 0;
	size_t j;
	long b = 0;

	/* Grid value 5 b >= h for every b from ceil(h / 5) on. */
	if (hundredths > (long)(STATS_GRID_BINS - 1) * GRID_STEP_X100)
		b = STATS_GRID_BINS;
	else if (hundredths > 0)
		b = (hundredths + GRID_STEP_X100 - 1) / GRID_STEP_X100;
	for (; b < STATS_GRID_BINS; b++)
		c += s->bins[b];
	for (j = offgrid_lower_bound(s, hundredths); j < s->noffgrid; j++)
		c += s->offgrid[j].count;
	return c;
}

long long stats_scores_count_at_most(const stats_scores *s, long hundredths)
{
	long long c = 0;
	size_t j, end;
	long b, last = -1;

	/* Grid value 5 b <= h for every b up to floor(h / 5). */
	if (hundredths >= (long)(STATS_GRID_BINS - 1) * GRID_STEP_X100)
		last = STATS_GRID_BINS - 1;
	else if (hundredths >= 0)
		last = hundredths / GRID_STEP_X100;
	for (b = 0; b <= last; b++)
		c += s->bins[b];
	end = hundredths == LONG_MAX ? s->noffgrid
				     : offgrid_lower_bound(s, hundredths + 1);
	for (j = 0; j < end; j++)
		c += s->offgrid[j].count;
	return c;
}

/* ------------------------------------------------------------ pooled */

int stats_pooled(const long long *n, const double *mean, const double *sd,
		 size_t k, double *pooled_mean, double *pooled_sd)
{
	long double total = 0, wsum = 0, m, ss = 0, v;
	size_t i;

	for (i = 0; i < k; i++) {
		if (n[i] < 0)
			return 0;
		if (n[i] == 0)
			continue; /* an empty group's mean is meaningless */
		if (!isfinite(mean[i]))
			return 0;
		if (sd && (!isfinite(sd[i]) || sd[i] < 0.0))
			return 0;
		total += n[i];
		wsum += (long double)n[i] * mean[i];
	}
	if (total <= 0)
		return 0;
	m = wsum / total;
	if (sd) {
		if (total < 2)
			return 0;
		/* Total sum of squares = within-group + between-group. */
		for (i = 0; i < k; i++) {
			long double dm;
			if (n[i] == 0)
				continue;
			dm = (long double)mean[i] - m;
			ss += (long double)(n[i] - 1) * sd[i] * sd[i] +
			      (long double)n[i] * dm * dm;
		}
		v = sqrtl(ss / (total - 1));
		if (!isfinite((double)v))
			return 0;
		*pooled_sd = (double)v;
	}
	*pooled_mean = (double)m;
	return 1;
}

/* ------------------------------------------------------------- trend */

int stats_trend(const double *x, const double *y, size_t k, double *c0,
		double *c1)
{
	double a, b, cov00, cov01, cov11, sumsq;
	int distinct = 0;
	size_t i;

	if (k < 2)
		return 0;
	for (i = 0; i < k; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return 0;
		if (x[i] != x[0])
			distinct = 1;
	}
	/* gsl_fit_linear divides by the spread of x without checking it. */
	if (!distinct)
		return 0;
	if (gsl_fit_linear(x, 1, y, 1, k, &a, &b, &cov00, &cov01, &cov11,
			   &sumsq) != GSL_SUCCESS)
		return 0;
	if (!isfinite(a) || !isfinite(b))
		return 0;
	*c0 = a;
	*c1 = b;
	return 1;
}

/* ------------------------------------------------------------ cohort */

/* 1 + r + r^2 + ... + r^m: the attempts a pupil may spend in one grade,
 * each one reached with probability r^j. */
static double attempts(double r, int m)
{
	if (r == 0.0)
		return 1.0;
	if (r == 1.0)
		return (double)m + 1.0;
	return (1.0 - pow(r, (double)m + 1.0)) / (1.0 - r);
}

int stats_reconstructed_cohort(const long long *E, const long long *E1,
			       const long long *R1, long long graduates,
			       size_t G, int max_repeats, stats_cohort *out)
{
	stats_cohort c;
	double flow;
	size_t g;

	if (G < 1 || G > sizeof c.promotion / sizeof c.promotion[0] ||
	    max_repeats < 0 || graduates < 0)
		return 0;
	memset(&c, 0, sizeof c);
	c.grades = G;
	for (g = 0; g < G; g++) {
		long long promoted, stayed = R1[g];
		if (E[g] <= 0 || E1[g] < 0 || stayed < 0)
			return 0;
		if (g + 1 < G) {
			/* Entrants to the next grade who are not its own
			 * repeaters were promoted from this grade. */
			if (R1[g + 1] < 0 || E1[g + 1] < R1[g + 1])
				return 0;
			promoted = E1[g + 1] - R1[g + 1];
		} else {
			promoted = graduates;
		}
		/* More promoted + repeating than enrolled means transfers in
		 * or bad data: a negative dropout rate, no cohort. Checked in
		 * integers so there is no rounding at the boundary. */
		if (promoted > E[g] || stayed > E[g] - promoted)
			return 0;
		c.promotion[g] = (double)promoted / (double)E[g];
		c.repetition[g] = (double)stayed / (double)E[g];
		c.dropout[g] = (double)(E[g] - promoted - stayed) / (double)E[g];
	}
	/* A pupil entering grade g leaves it promoted after j repetitions
	 * with probability r^j p (j = 0..max_repeats); whoever would repeat
	 * once more is counted as a dropout. Survival to the last grade is
	 * the product over the earlier grades. */
	flow = 1.0;
	for (g = 0; g + 1 < G; g++)
		flow *= c.promotion[g] * attempts(c.repetition[g], max_repeats);
	c.survival_to_last = flow;
	c.completion = flow * c.promotion[G - 1] *
		       attempts(c.repetition[G - 1], max_repeats);
	if (!isfinite(c.survival_to_last) || !isfinite(c.completion))
		return 0;
	*out = c;
	return 1;
}

/* ------------------------------------------------------------ funnel */

/* One tail of Binomial(n, p0) by summing the probability mass from k away
 * from the mode, where the terms only shrink: P(Y <= k) downwards when
 * upper is 0, P(Y > k) upwards from k + 1 otherwise. The caller makes sure
 * the sum runs away from the mode. */
static int binom_tail_sum(unsigned k, double p0, unsigned n, int upper,
			  double *v)
{
	double t, sum, odds = p0 / (1.0 - p0);
	unsigned i;

	if (upper) {
		if (k >= n) {
			*v = 0.0;
			return 1;
		}
		i = k + 1;
	} else {
		i = k;
	}
	t = gsl_ran_binomial_pdf(i, p0, n);
	if (!isfinite(t))
		return 0;
	sum = t;
	/* Stop once a term can no longer change the sum. */
	while (t > sum * DBL_EPSILON / 4.0) {
		if (upper) {
			if (i == n)
				break;
			t *= (double)(n - i) / (double)(i + 1) * odds;
			i++;
		} else {
			if (i == 0)
				break;
			t *= (double)i / (double)(n - i + 1) / odds;
			i--;
		}
		sum += t;
	}
	*v = sum;
	return isfinite(sum);
}

/* P(Y <= k) (upper = 0) or P(Y > k) (upper = 1) for Y ~ Binomial(n, p0).
 * GSL's incomplete beta gives up (nan) once n passes about two million
 * near the centre of the distribution; the direct sum then takes over,
 * computing whichever tail lies away from the mode and complementing. */
static int binom_tail(unsigned k, double p0, unsigned n, int upper,
		      double *v)
{
	double x = upper ? gsl_cdf_binomial_Q(k, p0, n)
			 : gsl_cdf_binomial_P(k, p0, n);
	double mode = floor(((double)n + 1.0) * p0);
	int below = (double)k < mode;

	if (isfinite(x)) {
		*v = x;
		return 1;
	}
	if (!binom_tail_sum(k, p0, n, !below, &x))
		return 0;
	*v = (below == !upper) ? x : 1.0 - x;
	return 1;
}

/* Smallest r in 0..n with P(Y <= r) >= prob for Y ~ Binomial(n, p0).
 * Upper-tail quantiles are found through Q = P(Y > r) <= 1 - prob, which
 * keeps precision when prob is close to 1. Returns 0 on failure. */
static int binom_quantile(double prob, double p0, unsigned n, unsigned *r)
{
	unsigned lo = 0, hi = n;
	int upper = prob > 0.5;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		double t;
		if (!binom_tail(mid, p0, n, upper, &t))
			return 0;
		if (upper ? t <= 1.0 - prob : t >= prob)
			hi = mid;
		else
			lo = mid + 1;
	}
	*r = lo;
	return 1;
}

/* Spiegelhalter (2005), appendix A.1.1: with r_p the p-quantile,
 * alpha = (P(Y <= r_p) - p) / P(Y = r_p) and the limit is (r_p - alpha)/n,
 * which moves the step function of the discrete quantile onto a smooth
 * curve. */
static int funnel_limit(double prob, double p0, unsigned n, double *limit)
{
	unsigned r;
	double tail, excess, mass, alpha;
	int upper = prob > 0.5;

	if (!binom_quantile(prob, p0, n, &r) ||
	    !binom_tail(r, p0, n, upper, &tail))
		return 0;
	/* P(Y <= r) - prob, from whichever tail keeps the digits */
	excess = upper ? (1.0 - prob) - tail : tail - prob;
	mass = gsl_ran_binomial_pdf(r, p0, n);
	if (!isfinite(excess) || !isfinite(mass) || mass <= 0.0)
		return 0;
	alpha = excess / mass;
	/* Rounding in the tails can push alpha a hair outside [0, 1]. */
	alpha = alpha < 0.0 ? 0.0 : (alpha > 1.0 ? 1.0 : alpha);
	*limit = clamp01(((double)r - alpha) / (double)n);
	return 1;
}

int stats_funnel_limits(double p0, long long n, double level, double *low,
			double *high)
{
	double lo, hi;

	if (n <= 0 || (unsigned long long)n > UINT_MAX ||
	    !(p0 > 0.0 && p0 < 1.0) || !(level > 0.0 && level < 1.0))
		return 0;
	if (!funnel_limit((1.0 - level) / 2.0, p0, (unsigned)n, &lo) ||
	    !funnel_limit((1.0 + level) / 2.0, p0, (unsigned)n, &hi))
		return 0;
	*low = lo;
	*high = hi;
	return 1;
}
