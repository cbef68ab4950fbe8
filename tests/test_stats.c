/* Tests for stats: published Wilson intervals, score histograms against GSL
 * on expanded data, pooled groups against expanded groups, a hand-computed
 * reconstructed cohort and funnel limits against a brute-force binomial. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "stats.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT_CLOSE(got, want, tol) \
	assert_close_at((got), (want), (tol), #got, __FILE__, __LINE__)
#define ASSERT_NEAR(got, want, abstol) \
	assert_near_at((got), (want), (abstol), #got, __FILE__, __LINE__)

/* Relative tolerance, absolute near zero. */
static void assert_close_at(double got, double want, double tol,
			    const char *what, const char *file, int line)
{
	double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;

	if (!isfinite(got) || fabs(got - want) > tol * scale) {
		print_error("%s = %.17g, expected %.17g (rel tol %g)\n", what,
			    got, want, tol);
		_fail(file, line);
	}
}

static void assert_near_at(double got, double want, double abstol,
			   const char *what, const char *file, int line)
{
	if (!isfinite(got) || fabs(got - want) > abstol) {
		print_error("%s = %.17g, expected %.17g (abs tol %g)\n", what,
			    got, want, abstol);
		_fail(file, line);
	}
}

#define SENTINEL (-12345.0)

/* ------------------------------------------------------------ wilson */

/* Newcombe RG (1998), "Two-sided confidence intervals for the single
 * proportion: comparison of seven methods", Statistics in Medicine 17:
 * 857-872, Table I, method 3 (Wilson score interval without continuity
 * correction), 95%, published to 4 decimals. */
static const struct {
	long long k, n;
	double low, high;
} newcombe[] = {
	{81, 263, 0.2553, 0.3662},
	{15, 148, 0.0624, 0.1605},
	{0, 20, 0.0000, 0.1611},
	{1, 29, 0.0061, 0.1718},
};

static void test_wilson_newcombe(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof newcombe / sizeof newcombe[0]; i++) {
		double lo = SENTINEL, hi = SENTINEL;
		assert_int_equal(stats_wilson(newcombe[i].k, newcombe[i].n,
					      0.95, &lo, &hi),
				 1);
		/* 4 published decimals: within half a unit of the last. */
		ASSERT_NEAR(lo, newcombe[i].low, 0.00005 + 1e-12);
		ASSERT_NEAR(hi, newcombe[i].high, 0.00005 + 1e-12);
	}
}

static void test_wilson_edges(void **state)
{
	double lo = SENTINEL, hi = SENTINEL, lo0, hi0;
	/* z for 99% from a normal table: 2.5758293035489004. */
	const double z = 2.5758293035489004;
	double p = 30.0 / 70.0, n = 70.0, d, c, h;

	(void)state;
	/* k = 0: the lower bound is exactly 0. */
	assert_int_equal(stats_wilson(0, 20, 0.95, &lo0, &hi0), 1);
	assert_true(lo0 == 0.0);
	/* k = n mirrors k = 0 and the upper bound is exactly 1. */
	assert_int_equal(stats_wilson(20, 20, 0.95, &lo, &hi), 1);
	assert_true(hi == 1.0);
	ASSERT_CLOSE(lo, 1.0 - hi0, 1e-14);
	/* n = 1 */
	assert_int_equal(stats_wilson(1, 1, 0.95, &lo, &hi), 1);
	/* 1/(1+z^2) with z = 1.959963984540054 */
	ASSERT_CLOSE(lo, 1.0 / (1.0 + 1.959963984540054 * 1.959963984540054),
		     1e-14);
	assert_true(hi == 1.0);
	/* Another level: the z lookup must follow the level. */
	d = 1 + z * z / n;
	c = (p + z * z / (2 * n)) / d;
	h = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d;
	assert_int_equal(stats_wilson(30, 70, 0.99, &lo, &hi), 1);
	ASSERT_CLOSE(lo, c - h, 1e-13);
	ASSERT_CLOSE(hi, c + h, 1e-13);
	/* Huge n: the interval shrinks around k/n, no overflow. */
	assert_int_equal(stats_wilson(300000000000LL, 1000000000000LL, 0.95,
				      &lo, &hi),
			 1);
	assert_true(lo < 0.3 && hi > 0.3 && hi - lo < 1e-5);
}

static void test_wilson_errors(void **state)
{
	static const struct {
		long long k, n;
		double level;
	} bad[] = {
		{0, 0, 0.95},  {1, 0, 0.95},   {0, -5, 0.95}, {-1, 10, 0.95},
		{11, 10, 0.95}, {5, 10, 0.0},  {5, 10, 1.0},  {5, 10, -0.5},
		{5, 10, 95.0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double lo = SENTINEL, hi = SENTINEL;
		assert_int_equal(
			stats_wilson(bad[i].k, bad[i].n, bad[i].level, &lo, &hi),
			0);
		assert_true(lo == SENTINEL && hi == SENTINEL);
	}
	{
		double lo = SENTINEL, hi = SENTINEL;
		assert_int_equal(stats_wilson(5, 10, NAN, &lo, &hi), 0);
		assert_true(lo == SENTINEL && hi == SENTINEL);
	}
}

/* ------------------------------------------------------------ scores */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void fill(stats_scores *s, const long *h, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		assert_int_equal(stats_scores_add(s, h[i]), 1);
}

static void test_scores_layout(void **state)
{
	stats_scores s;
	static const long h[] = {725, 0, 1000, 333, 725, 1, 999, 333, 500};
	long long total = 0;
	size_t i;
	double mean;

	(void)state;
	stats_scores_init(&s);
	fill(&s, h, sizeof h / sizeof h[0]);
	assert_int_equal(s.n, 9);
	assert_int_equal(s.sum_x100, 725 + 0 + 1000 + 333 + 725 + 1 + 999 +
					     333 + 500);
	assert_int_equal(s.sumsq_x10000,
			 725LL * 725 * 2 + 1000LL * 1000 + 333LL * 333 * 2 +
				 1 + 999LL * 999 + 500LL * 500);
	/* 7.25 -> index 145, 10.00 -> index 200 */
	assert_int_equal(s.bins[145], 2);
	assert_int_equal(s.bins[0], 1);
	assert_int_equal(s.bins[200], 1);
	assert_int_equal(s.bins[100], 1);
	/* off-grid: sorted, duplicates merged */
	assert_int_equal(s.noffgrid, 3);
	assert_int_equal(s.offgrid[0].hundredths, 1);
	assert_int_equal(s.offgrid[0].count, 1);
	assert_int_equal(s.offgrid[1].hundredths, 333);
	assert_int_equal(s.offgrid[1].count, 2);
	assert_int_equal(s.offgrid[2].hundredths, 999);
	for (i = 0; i < STATS_GRID_BINS; i++)
		total += s.bins[i];
	for (i = 0; i < s.noffgrid; i++)
		total += s.offgrid[i].count;
	assert_int_equal(total, s.n);
	/* mean = 4616 / 9 / 100 */
	assert_int_equal(stats_scores_mean(&s, &mean), 1);
	ASSERT_CLOSE(mean, 46.16 / 9.0, 1e-15);
	stats_scores_release(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.offgrid);
	stats_scores_release(&s); /* twice is harmless */
	stats_scores_release(NULL);
}

static void test_scores_add_rejects(void **state)
{
	stats_scores s;
	static const long bad[] = {-1, 1001, LONG_MIN, LONG_MAX, -5};
	size_t i;

	(void)state;
	stats_scores_init(&s);
	assert_int_equal(stats_scores_add(&s, 505), 1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(stats_scores_add(&s, bad[i]), 0);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.sum_x100, 505);
		assert_int_equal(s.bins[101], 1);
		assert_int_equal(s.noffgrid, 0);
	}
	/* A sum about to overflow is refused, not wrapped. */
	s.sumsq_x10000 = LLONG_MAX - 10;
	assert_int_equal(stats_scores_add(&s, 1000), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.bins[200], 0);
	stats_scores_release(&s);
}

static void test_scores_empty(void **state)
{
	stats_scores s;
	double v = SENTINEL;

	(void)state;
	stats_scores_init(&s);
	assert_int_equal(stats_scores_mean(&s, &v), 0);
	assert_int_equal(stats_scores_sd(&s, &v), 0);
	assert_int_equal(stats_scores_quantile(&s, 0.5, &v), 0);
	assert_true(v == SENTINEL);
	assert_int_equal(stats_scores_count_at_least(&s, 0), 0);
	assert_int_equal(stats_scores_count_at_most(&s, 1000), 0);
	/* n = 1: mean and quantiles, but no sample SD */
	assert_int_equal(stats_scores_add(&s, 417), 1);
	assert_int_equal(stats_scores_sd(&s, &v), 0);
	assert_true(v == SENTINEL);
	assert_int_equal(stats_scores_quantile(&s, 0.0, &v), 1);
	ASSERT_CLOSE(v, 4.17, 1e-15);
	assert_int_equal(stats_scores_quantile(&s, 1.0, &v), 1);
	ASSERT_CLOSE(v, 4.17, 1e-15);
	/* p outside [0,1] */
	v = SENTINEL;
	assert_int_equal(stats_scores_quantile(&s, -0.01, &v), 0);
	assert_int_equal(stats_scores_quantile(&s, 1.01, &v), 0);
	assert_int_equal(stats_scores_quantile(&s, NAN, &v), 0);
	assert_true(v == SENTINEL);
	/* A histogram read from a file whose n disagrees with its counts */
	s.n = 3;
	assert_int_equal(stats_scores_quantile(&s, 1.0, &v), 0);
	assert_true(v == SENTINEL);
	stats_scores_release(&s);
}

static void test_scores_hand(void **state)
{
	/* 2.00 3.33 5.00 5.00 7.25 9.99: median (5+5)/2 = 5, mean 32.57/6,
	 * pass (>= 5.00) 4, low (<= 1.00) 0, quartile 0.25*5 = 1.25 ->
	 * 3.33 + 0.25*(5.00-3.33) = 3.7475 */
	static const long h[] = {999, 500, 200, 725, 333, 500};
	stats_scores s;
	double v;

	(void)state;
	stats_scores_init(&s);
	fill(&s, h, 6);
	assert_int_equal(stats_scores_quantile(&s, 0.5, &v), 1);
	ASSERT_CLOSE(v, 5.0, 1e-15);
	assert_int_equal(stats_scores_quantile(&s, 0.25, &v), 1);
	ASSERT_CLOSE(v, 3.7475, 1e-14);
	assert_int_equal(stats_scores_mean(&s, &v), 1);
	ASSERT_CLOSE(v, 32.57 / 6, 1e-15);
	assert_int_equal(stats_scores_count_at_least(&s, 500), 4);
	assert_int_equal(stats_scores_count_at_least(&s, 501), 2);
	assert_int_equal(stats_scores_count_at_least(&s, 334), 4);
	assert_int_equal(stats_scores_count_at_least(&s, 333), 5);
	assert_int_equal(stats_scores_count_at_most(&s, 100), 0);
	assert_int_equal(stats_scores_count_at_most(&s, 333), 2);
	assert_int_equal(stats_scores_count_at_most(&s, 332), 1);
	assert_int_equal(stats_scores_count_at_most(&s, 999), 6);
	assert_int_equal(stats_scores_count_at_most(&s, LONG_MAX), 6);
	assert_int_equal(stats_scores_count_at_least(&s, LONG_MIN), 6);
	assert_int_equal(stats_scores_count_at_least(&s, 1001), 0);
	assert_int_equal(stats_scores_count_at_most(&s, -1), 0);
	/* Hand SD: sum x^2 = 4 + 11.0889 + 25 + 25 + 52.5625 + 99.8001
	 * = 217.4515; (sum x)^2 / 6 = 1060.8049 / 6 = 176.8008166...;
	 * SS = 40.6506833...; variance SS/5 = 8.1301366... = 2439041/300000 */
	assert_int_equal(stats_scores_sd(&s, &v), 1);
	ASSERT_CLOSE(v, sqrt(2439041.0 / 300000.0), 1e-14);
	stats_scores_release(&s);
}

/* Checks every statistic of s against GSL on the expanded data. */
static void check_against_gsl(const stats_scores *s, const long *h, size_t n,
			      gsl_rng *rng)
{
	static const double ps[] = {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0,
				    1.0 / 3.0};
	/* n + 1: never a zero-sized block, which GCC flags at -O1 */
	double *x = malloc((n + 1) * sizeof *x);
	double v;
	size_t i, j;

	assert_non_null(x);
	for (i = 0; i < n; i++)
		x[i] = (double)h[i] / 100.0;
	qsort(x, n, sizeof *x, cmp_double);

	assert_int_equal(s->n, (long long)n);
	assert_int_equal(stats_scores_mean(s, &v), 1);
	ASSERT_CLOSE(v, gsl_stats_mean(x, 1, n), 1e-9);
	if (n >= 2) {
		assert_int_equal(stats_scores_sd(s, &v), 1);
		ASSERT_CLOSE(v, gsl_stats_sd(x, 1, n), 1e-9);
	}
	assert_int_equal(stats_scores_quantile(s, 0.5, &v), 1);
	ASSERT_CLOSE(v, gsl_stats_median_from_sorted_data(x, 1, n), 1e-9);
	for (j = 0; j < sizeof ps / sizeof ps[0]; j++) {
		assert_int_equal(stats_scores_quantile(s, ps[j], &v), 1);
		ASSERT_CLOSE(v, gsl_stats_quantile_from_sorted_data(x, 1, n,
								    ps[j]),
			     1e-9);
	}
	for (j = 0; j < 3; j++) {
		double p = gsl_rng_uniform(rng);
		assert_int_equal(stats_scores_quantile(s, p, &v), 1);
		ASSERT_CLOSE(v, gsl_stats_quantile_from_sorted_data(x, 1, n, p),
			     1e-9);
	}
	for (j = 0; j < 4; j++) {
		long t = (long)gsl_rng_uniform_int(rng, 1003) - 1;
		long long ge = 0, le = 0;
		for (i = 0; i < n; i++) {
			ge += h[i] >= t;
			le += h[i] <= t;
		}
		assert_int_equal(stats_scores_count_at_least(s, t), ge);
		assert_int_equal(stats_scores_count_at_most(s, t), le);
	}
	free(x);
}

static long random_score(gsl_rng *rng, double offgrid_share)
{
	if (gsl_rng_uniform(rng) < offgrid_share)
		return (long)gsl_rng_uniform_int(rng, 1001);
	return 5 * (long)gsl_rng_uniform_int(rng, 201);
}

static void assert_same_scores(const stats_scores *a, const stats_scores *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->sum_x100, b->sum_x100);
	assert_int_equal(a->sumsq_x10000, b->sumsq_x10000);
	assert_memory_equal(a->bins, b->bins, sizeof a->bins);
	assert_int_equal(a->noffgrid, b->noffgrid);
	for (i = 0; i < a->noffgrid; i++) {
		assert_int_equal(a->offgrid[i].hundredths,
				 b->offgrid[i].hundredths);
		assert_int_equal(a->offgrid[i].count, b->offgrid[i].count);
	}
}

/* Many seeded random data sets: n = 1, 2, small even and odd, mostly on
 * the grid with some off-grid, all off-grid, all equal; each one also
 * split in two, aggregated separately and merged. */
static void test_scores_property(void **state)
{
	enum { SETS = 600, MAXN = 400 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	long *h = malloc(MAXN * sizeof *h);
	int set;

	(void)state;
	assert_non_null(rng);
	assert_non_null(h);
	gsl_rng_set(rng, 20240901UL);
	for (set = 0; set < SETS; set++) {
		stats_scores all, a, b;
		size_t n, i, cut;
		double off;

		if (set < 50)
			n = 1;
		else if (set < 100)
			n = 2;
		else if (set < 200)
			n = 2 * (1 + gsl_rng_uniform_int(rng, MAXN / 2));
		else
			n = 1 + gsl_rng_uniform_int(rng, MAXN);
		off = set % 7 == 0 ? 1.0 : (set % 11 == 0 ? 0.0 : 0.2);
		for (i = 0; i < n; i++)
			h[i] = random_score(rng, off);
		if (set % 13 == 0)
			for (i = 1; i < n; i++)
				h[i] = h[0];

		stats_scores_init(&all);
		stats_scores_init(&a);
		stats_scores_init(&b);
		fill(&all, h, n);
		check_against_gsl(&all, h, n, rng);

		cut = gsl_rng_uniform_int(rng, n + 1);
		fill(&a, h, cut);
		fill(&b, h + cut, n - cut);
		assert_int_equal(stats_scores_merge(&a, &b), 1);
		assert_same_scores(&a, &all);

		stats_scores_release(&all);
		stats_scores_release(&a);
		stats_scores_release(&b);
	}
	free(h);
	gsl_rng_free(rng);
}

static void test_scores_merge_self_and_empty(void **state)
{
	static const long h[] = {333, 500, 1, 333, 1000};
	static const long twice[] = {333, 500, 1, 333, 1000,
				     333, 500, 1, 333, 1000};
	stats_scores s, empty, want;

	(void)state;
	stats_scores_init(&s);
	stats_scores_init(&empty);
	stats_scores_init(&want);
	fill(&s, h, 5);
	fill(&want, twice, 10);
	assert_int_equal(stats_scores_merge(&s, &empty), 1);
	assert_int_equal(s.n, 5);
	assert_int_equal(stats_scores_merge(&s, &s), 1);
	assert_same_scores(&s, &want);
	assert_int_equal(stats_scores_merge(&empty, &s), 1);
	assert_same_scores(&empty, &want);
	/* an overflowing merge is refused and leaves dst as it was */
	want.sum_x100 = LLONG_MAX;
	assert_int_equal(stats_scores_merge(&want, &s), 0);
	assert_int_equal(want.n, 10);
	assert_int_equal(want.noffgrid, 2);
	stats_scores_release(&s);
	stats_scores_release(&empty);
	stats_scores_release(&want);
}

/* Ten million identical large scores: the sums are ~1e20 when combined,
 * where a double formula cancels; the exact integers give SD = 0. */
static void test_scores_sd_no_cancellation(void **state)
{
	enum { N = 10000000 };
	stats_scores s;
	double sd = SENTINEL, mean, naive_sum = 0, naive_sq = 0, naive_var;
	long i;

	(void)state;
	stats_scores_init(&s);
	for (i = 0; i < N; i++) {
		assert_true(stats_scores_add(&s, 777));
		naive_sum += 7.77;
		naive_sq += 7.77 * 7.77;
	}
	assert_int_equal(stats_scores_sd(&s, &sd), 1);
	assert_true(sd == 0.0);
	assert_int_equal(stats_scores_mean(&s, &mean), 1);
	ASSERT_CLOSE(mean, 7.77, 1e-15);
	/* The textbook one-pass double formula on the same data is not 0:
	 * this is the failure the integer sums avoid. */
	naive_var = (naive_sq - naive_sum * naive_sum / N) / (N - 1);
	assert_true(naive_var != 0.0);
	stats_scores_release(&s);

	/* Half 9.95, half 10.00: sd = 0.025 * sqrt(n/(n-1)) exactly. */
	stats_scores_init(&s);
	for (i = 0; i < N; i++)
		assert_true(stats_scores_add(&s, i % 2 ? 1000 : 995));
	assert_int_equal(stats_scores_sd(&s, &sd), 1);
	ASSERT_CLOSE(sd, 0.025 * sqrt((double)N / (N - 1)), 1e-13);
	stats_scores_release(&s);
}

/* ------------------------------------------------------------ pooled */

static void test_pooled_expanded(void **state)
{
	/* Groups {1,2,3}, {4,6}, {10}, and an empty group whose figures
	 * must be ignored. */
	static const long long n[] = {3, 2, 0, 1};
	static const double mean[] = {2.0, 5.0, NAN, 10.0};
	static const double sd[] = {1.0, 1.4142135623730951, NAN, 0.0};
	static const double all[] = {1, 2, 3, 4, 6, 10};
	double m = SENTINEL, s = SENTINEL;

	(void)state;
	assert_int_equal(stats_pooled(n, mean, sd, 4, &m, &s), 1);
	ASSERT_CLOSE(m, gsl_stats_mean(all, 1, 6), 1e-14);
	ASSERT_CLOSE(s, gsl_stats_sd(all, 1, 6), 1e-14);
	/* by hand: mean 26/6; SS = 166 - 26^2/6 = 53.333...; /5 */
	ASSERT_CLOSE(m, 26.0 / 6.0, 1e-14);
	ASSERT_CLOSE(s, sqrt((166.0 - 676.0 / 6.0) / 5.0), 1e-14);
	/* without SDs only the mean is computed */
	m = s = SENTINEL;
	assert_int_equal(stats_pooled(n, mean, NULL, 4, &m, &s), 1);
	ASSERT_CLOSE(m, 26.0 / 6.0, 1e-14);
	assert_true(s == SENTINEL);
}

static void test_pooled_random(void **state)
{
	enum { GROUPS = 7, MAXG = 60 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double *all = malloc(GROUPS * MAXG * sizeof *all);
	int rep;

	(void)state;
	assert_non_null(rng);
	assert_non_null(all);
	gsl_rng_set(rng, 7UL);
	for (rep = 0; rep < 200; rep++) {
		long long n[GROUPS];
		double mean[GROUPS], sd[GROUPS], m, s;
		size_t g, i, total = 0;
		for (g = 0; g < GROUPS; g++) {
			double *x = all + total;
			n[g] = (long long)gsl_rng_uniform_int(rng, MAXG);
			for (i = 0; i < (size_t)n[g]; i++)
				x[i] = (double)gsl_rng_uniform_int(rng, 1001) /
				       100.0;
			mean[g] = n[g] ? gsl_stats_mean(x, 1, n[g]) : 0.0;
			sd[g] = n[g] > 1 ? gsl_stats_sd(x, 1, n[g]) : 0.0;
			total += (size_t)n[g];
		}
		if (total < 2)
			continue;
		assert_int_equal(stats_pooled(n, mean, sd, GROUPS, &m, &s), 1);
		ASSERT_CLOSE(m, gsl_stats_mean(all, 1, total), 1e-9);
		ASSERT_CLOSE(s, gsl_stats_sd(all, 1, total), 1e-9);
	}
	free(all);
	gsl_rng_free(rng);
}

static void test_pooled_errors(void **state)
{
	static const long long zero[] = {0, 0};
	static const long long neg[] = {3, -1};
	static const long long one[] = {1, 0};
	static const long long ok[] = {3, 4};
	static const double mean[] = {5.0, 6.0};
	static const double nanmean[] = {5.0, NAN};
	static const double infmean[] = {INFINITY, 6.0};
	static const double sd[] = {1.0, 2.0};
	static const double negsd[] = {1.0, -2.0};
	static const double nansd[] = {1.0, NAN};
	double m = SENTINEL, s = SENTINEL;

	(void)state;
	assert_int_equal(stats_pooled(ok, mean, sd, 0, &m, &s), 0);
	assert_int_equal(stats_pooled(zero, mean, sd, 2, &m, &s), 0);
	assert_int_equal(stats_pooled(neg, mean, sd, 2, &m, &s), 0);
	assert_int_equal(stats_pooled(ok, nanmean, sd, 2, &m, &s), 0);
	assert_int_equal(stats_pooled(ok, infmean, NULL, 2, &m, &s), 0);
	assert_int_equal(stats_pooled(ok, mean, negsd, 2, &m, &s), 0);
	assert_int_equal(stats_pooled(ok, mean, nansd, 2, &m, &s), 0);
	/* one candidate has a mean but no sample SD */
	assert_int_equal(stats_pooled(one, mean, sd, 2, &m, &s), 0);
	assert_true(m == SENTINEL && s == SENTINEL);
	assert_int_equal(stats_pooled(one, mean, NULL, 2, &m, &s), 1);
	ASSERT_CLOSE(m, 5.0, 1e-15);
	assert_true(s == SENTINEL);
}

/* ------------------------------------------------------------- trend */

static void test_trend(void **state)
{
	static const double x4[] = {1, 2, 3, 4};
	static const double y4[] = {5, 7, 9, 11}; /* y = 3 + 2x */
	static const double x3[] = {0, 1, 2};
	static const double y3[] = {1, 3, 2};
	/* Years, as the gaps stage will pass them: y = 60 + 1.5(x - 2019) */
	static const double xy[] = {2019, 2020, 2021, 2022, 2023};
	static const double yy[] = {60, 61.5, 63, 64.5, 66};
	double c0 = SENTINEL, c1 = SENTINEL;

	(void)state;
	assert_int_equal(stats_trend(x4, y4, 4, &c0, &c1), 1);
	ASSERT_CLOSE(c0, 3.0, 1e-13);
	ASSERT_CLOSE(c1, 2.0, 1e-13);
	/* By hand: xbar 1, ybar 2, Sxy = (-1)(-1) + 0 + (1)(0) = 1,
	 * Sxx = 2, slope 0.5, intercept 2 - 0.5 = 1.5 */
	assert_int_equal(stats_trend(x3, y3, 3, &c0, &c1), 1);
	ASSERT_CLOSE(c0, 1.5, 1e-13);
	ASSERT_CLOSE(c1, 0.5, 1e-13);
	assert_int_equal(stats_trend(xy, yy, 5, &c0, &c1), 1);
	ASSERT_CLOSE(c1, 1.5, 1e-10);
	ASSERT_CLOSE(c0 + c1 * 2030, 60 + 1.5 * 11, 1e-9);
	/* two points */
	assert_int_equal(stats_trend(x3, y3, 2, &c0, &c1), 1);
	ASSERT_CLOSE(c0, 1.0, 1e-13);
	ASSERT_CLOSE(c1, 2.0, 1e-13);
}

static void test_trend_errors(void **state)
{
	static const double same[] = {2020, 2020, 2020};
	static const double y[] = {1, 2, 3};
	static const double xnan[] = {1, NAN, 3};
	static const double yinf[] = {1, INFINITY, 3};
	static const double x[] = {1, 2, 3};
	double c0 = SENTINEL, c1 = SENTINEL;

	(void)state;
	assert_int_equal(stats_trend(x, y, 0, &c0, &c1), 0);
	assert_int_equal(stats_trend(x, y, 1, &c0, &c1), 0);
	assert_int_equal(stats_trend(same, y, 3, &c0, &c1), 0);
	assert_int_equal(stats_trend(xnan, y, 3, &c0, &c1), 0);
	assert_int_equal(stats_trend(x, yinf, 3, &c0, &c1), 0);
	assert_true(c0 == SENTINEL && c1 == SENTINEL);
}

/* ------------------------------------------------------------ cohort */

/* No published worked example with its inputs could be retrieved, so this
 * one is built by hand. Three grades, year t and t+1:
 *
 *   grade               1      2      3
 *   E   (year t)     1000    800    500
 *   E1  (year t+1)    990    840    620
 *   R1  (year t+1)    100     40     20      graduates (year t) = 450
 *
 *   p1 = (E1[2] - R1[2]) / E[1] = (840 - 40) / 1000 = 0.80
 *   r1 = R1[1] / E[1]          = 100 / 1000        = 0.10, d1 = 0.10
 *   p2 = (620 - 20) / 800      = 0.75, r2 = 40/800 = 0.05, d2 = 0.20
 *   p3 = 450 / 500             = 0.90, r3 = 20/500 = 0.04, d3 = 0.06
 *
 * Cohort of 1000 in grade 1, at most 2 repetitions per grade:
 *   grade 1: 1000 -> 800 promoted, 100 repeat, 100 drop
 *            100  ->  80 promoted,  10 repeat,  10 drop
 *             10  ->   8 promoted,   1 would repeat a third time: drops
 *            reach grade 2: 800 + 80 + 8 = 888 = 1000 * 0.8 * 1.11
 *   grade 2:  888 -> 666 promoted, 44.4 repeat
 *            44.4 -> 33.3 promoted, 2.22 repeat
 *            2.22 -> 1.665 promoted
 *            reach grade 3: 666 + 33.3 + 1.665 = 700.965
 *   survival to the last grade = 700.965 / 1000 = 0.700965
 *   grade 3: 700.965 * 0.9 * (1 + 0.04 + 0.0016) = 700.965 * 0.93744
 *            = 657.1126296 graduates -> completion 0.6571126296
 * With no repetition allowed: 0.8 * 0.75 = 0.6 and 0.6 * 0.9 = 0.54.
 * With one: 0.8*1.1 * 0.75*1.05 = 0.693, * 0.9*1.04 = 0.648648. */
static const long long hand_E[] = {1000, 800, 500};
static const long long hand_E1[] = {990, 840, 620};
static const long long hand_R1[] = {100, 40, 20};

static void test_cohort_hand(void **state)
{
	static const struct {
		int m;
		double survival, completion;
	} want[] = {
		{0, 0.6, 0.54},
		{1, 0.693, 0.648648},
		{2, 0.700965, 0.6571126296},
	};
	stats_cohort c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1,
							    hand_R1, 450, 3,
							    want[i].m, &c),
				 1);
		assert_int_equal(c.grades, 3);
		ASSERT_CLOSE(c.promotion[0], 0.80, 1e-15);
		ASSERT_CLOSE(c.repetition[0], 0.10, 1e-15);
		ASSERT_CLOSE(c.dropout[0], 0.10, 1e-15);
		ASSERT_CLOSE(c.promotion[1], 0.75, 1e-15);
		ASSERT_CLOSE(c.repetition[1], 0.05, 1e-15);
		ASSERT_CLOSE(c.dropout[1], 0.20, 1e-15);
		ASSERT_CLOSE(c.promotion[2], 0.90, 1e-15);
		ASSERT_CLOSE(c.repetition[2], 0.04, 1e-15);
		ASSERT_CLOSE(c.dropout[2], 0.06, 1e-15);
		ASSERT_CLOSE(c.survival_to_last, want[i].survival, 1e-12);
		ASSERT_CLOSE(c.completion, want[i].completion, 1e-12);
	}
}

/* The cohort flowed year by year, as in the UNESCO flow diagram:
 * pupils[g][j] are in grade g for their (j+1)-th year. */
static void simulate_cohort(const double *p, const double *r, size_t G,
			    int m, double *survival, double *completion)
{
	double cur[16][8], next[16][8], reached_last = 0, graduated = 0;
	size_t g;
	int j, year;

	memset(cur, 0, sizeof cur);
	cur[0][0] = 1000.0;
	if (G == 1)
		reached_last = 1000.0;
	for (year = 0; year < 200; year++) {
		memset(next, 0, sizeof next);
		for (g = 0; g < G; g++)
			for (j = 0; j <= m; j++) {
				double x = cur[g][j];
				if (g + 1 < G) {
					next[g + 1][0] += x * p[g];
					if (g + 1 == G - 1)
						reached_last += x * p[g];
				} else {
					graduated += x * p[g];
				}
				if (j < m)
					next[g][j + 1] += x * r[g];
			}
		memcpy(cur, next, sizeof cur);
	}
	*survival = reached_last / 1000.0;
	*completion = graduated / 1000.0;
}

/* stats_wilson_at with the z of stats_wilson_z gives stats_wilson's
 * bounds to the bit. */
static void test_wilson_at_same(void **state)
{
	static const double levels[] = { 0.95, 0.9, 0.99, 0.5 };
	size_t l;

	(void)state;
	for (l = 0; l < sizeof levels / sizeof levels[0]; l++) {
		double z;
		long long n, k;
		assert_int_equal(stats_wilson_z(levels[l], &z), 1);
		for (n = 0; n < 300; n++)
			for (k = -1; k <= n + 1; k++) {
				double a = -1, b = -1, c = -1, d = -1;
				int r1 = stats_wilson(k, n, levels[l], &a, &b);
				int r2 = stats_wilson_at(k, n, z, &c, &d);
				assert_int_equal(r1, r2);
				assert_true(memcmp(&a, &c, sizeof a) == 0);
				assert_true(memcmp(&b, &d, sizeof b) == 0);
			}
	}
	{
		double z = 1, lo, hi;
		assert_int_equal(stats_wilson_z(0.0, &z), 0);
		assert_int_equal(stats_wilson_z(1.0, &z), 0);
		assert_int_equal(stats_wilson_z(NAN, &z), 0);
		assert_int_equal(stats_wilson_at(1, 2, 0.0, &lo, &hi), 0);
		assert_int_equal(stats_wilson_at(1, 2, NAN, &lo, &hi), 0);
		assert_int_equal(stats_wilson_at(1, 2, -1.0, &lo, &hi), 0);
	}
}

/* The walks of stats_scores_quantile and the counts at a threshold,
 * written the plain way: bin by bin with the off-grid values merged in. */
static long naive_order_statistic(const stats_scores *s, long long r)
{
	long long seen = 0;
	long h;
	size_t j = 0;

	for (h = 0; h <= 1000; h++) {
		if (h % 5 == 0)
			seen += s->bins[h / 5];
		else if (j < s->noffgrid && s->offgrid[j].hundredths == h)
			seen += s->offgrid[j++].count;
		if (r < seen)
			return h;
	}
	return -1;
}

static long long naive_count(const stats_scores *s, long h, int at_least)
{
	long long c = 0;
	size_t j;
	int b;

	for (b = 0; b < STATS_GRID_BINS; b++)
		if (at_least ? (long)b * 5 >= h : (long)b * 5 <= h)
			c += s->bins[b];
	for (j = 0; j < s->noffgrid; j++)
		if (at_least ? s->offgrid[j].hundredths >= h
			     : s->offgrid[j].hundredths <= h)
			c += s->offgrid[j].count;
	return c;
}

/* Random histograms, sparse and dense, with and without off-grid scores:
 * the quantiles and threshold counts match the plain walks exactly
 * (the block skipping and index arithmetic of stats.c). */
static void test_scores_walks_random(void **state)
{
	static const long thresholds[] = { LONG_MIN, -6, -5, -1, 0, 1, 4, 5,
					   6, 99, 100, 101, 333, 499, 500, 501,
					   995, 999, 1000, 1001, 5000, LONG_MAX };
	static const double ps[] = { 0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0 };
	uint64_t rs = 88172645463325252ULL;
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		stats_scores s;
		int i, scores;
		size_t t, q;
		stats_scores_init(&s);
		rs ^= rs << 13;
		rs ^= rs >> 7;
		rs ^= rs << 17;
		scores = (int)(rs % 300);
		for (i = 0; i < scores; i++) {
			long h;
			rs ^= rs << 13;
			rs ^= rs >> 7;
			rs ^= rs << 17;
			/* clustered, on a coarse grid, or anywhere */
			h = round % 3 == 0 ? (long)(rs % 1001)
			    : round % 3 == 1 ? (long)(rs % 41) * 25
					     : 400 + (long)(rs % 101);
			if (round % 5 == 0 && h % 5 != 0)
				h -= h % 5;
			assert_int_equal(stats_scores_add(&s, h), 1);
		}
		for (q = 0; q < sizeof ps / sizeof ps[0]; q++) {
			double got, index, delta, want;
			long long lhs;
			long lo, hi;
			if (s.n == 0) {
				assert_int_equal(stats_scores_quantile(&s, ps[q],
								       &got),
						 0);
				continue;
			}
			assert_int_equal(stats_scores_quantile(&s, ps[q], &got),
					 1);
			index = ps[q] * (double)(s.n - 1);
			lhs = (long long)index;
			delta = index - (double)lhs;
			lo = naive_order_statistic(&s, lhs);
			hi = lhs == s.n - 1 ? lo
					    : naive_order_statistic(&s, lhs + 1);
			want = lhs == s.n - 1 ? (double)lo / 100.0
				: (1 - delta) * ((double)lo / 100.0) +
					  delta * ((double)hi / 100.0);
			assert_true(memcmp(&got, &want, sizeof got) == 0);
		}
		for (t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++) {
			assert_int_equal(stats_scores_count_at_least(&s,
								     thresholds[t]),
					 naive_count(&s, thresholds[t], 1));
			assert_int_equal(stats_scores_count_at_most(&s,
								    thresholds[t]),
					 naive_count(&s, thresholds[t], 0));
		}
		stats_scores_release(&s);
	}
}

static void test_cohort_flow(void **state)
{
	/* A five-grade primary level, figures of the kind a district has. */
	static const long long E[] = {1210, 1150, 1102, 1043, 987};
	static const long long E1[] = {1190, 1121, 1098, 1040, 1001};
	static const long long R1[] = {84, 41, 35, 22, 9};
	stats_cohort c;
	double s, k;
	int m;

	(void)state;
	for (m = 0; m <= 5; m++) {
		assert_int_equal(stats_reconstructed_cohort(E, E1, R1, 955, 5,
							    m, &c),
				 1);
		simulate_cohort(c.promotion, c.repetition, 5, m, &s, &k);
		ASSERT_CLOSE(c.survival_to_last, s, 1e-12);
		ASSERT_CLOSE(c.completion, k, 1e-12);
		assert_true(c.completion <= c.survival_to_last);
	}
	/* first-grade promotion by hand: (1121 - 41) / 1210 */
	ASSERT_CLOSE(c.promotion[0], 1080.0 / 1210.0, 1e-15);
	ASSERT_CLOSE(c.repetition[4], 9.0 / 987.0, 1e-15);
	ASSERT_CLOSE(c.promotion[4], 955.0 / 987.0, 1e-15);
	/* one grade: everyone starts in the last grade */
	assert_int_equal(stats_reconstructed_cohort(E + 4, E1 + 4, R1 + 4, 955,
						    1, 2, &c),
			 1);
	ASSERT_CLOSE(c.survival_to_last, 1.0, 1e-15);
	simulate_cohort(c.promotion, c.repetition, 1, 2, &s, &k);
	ASSERT_CLOSE(c.completion, k, 1e-12);
}

static void test_cohort_errors(void **state)
{
	static const long long zeroE[] = {1000, 0, 500};
	static const long long negE1[] = {990, -1, 620};
	static const long long fewE1[] = {990, 30, 620}; /* E1 < R1 */
	static const long long negR1[] = {100, 40, -20};
	/* promoted 800 + repeating 250 > enrolled 1000 */
	static const long long bigR1[] = {250, 40, 20};
	static const long long E17[17] = {0};
	stats_cohort c, before;

	(void)state;
	memset(&c, 0x5a, sizeof c);
	before = c;
	assert_int_equal(stats_reconstructed_cohort(zeroE, hand_E1, hand_R1,
						    450, 3, 2, &c),
			 0);
	assert_int_equal(stats_reconstructed_cohort(hand_E, negE1, hand_R1,
						    450, 3, 2, &c),
			 0);
	assert_int_equal(stats_reconstructed_cohort(hand_E, fewE1, hand_R1,
						    450, 3, 2, &c),
			 0);
	assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1, negR1,
						    450, 3, 2, &c),
			 0);
	assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1, bigR1,
						    450, 3, 2, &c),
			 0);
	/* graduates > enrolled, and graduates + repeaters > enrolled */
	assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1, hand_R1,
						    501, 3, 2, &c),
			 0);
	assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1, hand_R1,
						    481, 3, 2, &c),
			 0);
	assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1, hand_R1,
						    -1, 3, 2, &c),
			 0);
	assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1, hand_R1,
						    450, 3, -1, &c),
			 0);
	assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1, hand_R1,
						    450, 0, 2, &c),
			 0);
	assert_int_equal(
		stats_reconstructed_cohort(E17, E17, E17, 0, 17, 2, &c), 0);
	assert_memory_equal(&c, &before, sizeof c);
	/* the boundary itself is fine: no dropout in the last grade */
	assert_int_equal(stats_reconstructed_cohort(hand_E, hand_E1, hand_R1,
						    480, 3, 2, &c),
			 1);
	ASSERT_CLOSE(c.dropout[2], 0.0, 1e-15);
}

/* ------------------------------------------------------------ funnel */

/* Spiegelhalter's limit computed the slow way: the CDF by summing the
 * probability mass from 0, the quantile by a linear scan. */
static double brute_limit(double prob, double p0, unsigned n)
{
	double cdf = 0.0, mass = 0.0, alpha, y;
	unsigned r;

	for (r = 0; r <= n; r++) {
		mass = gsl_ran_binomial_pdf(r, p0, n);
		cdf += mass;
		if (cdf >= prob)
			break;
	}
	if (r > n)
		r = n;
	alpha = (cdf - prob) / mass;
	y = ((double)r - alpha) / n;
	return y < 0 ? 0 : (y > 1 ? 1 : y);
}

static void test_funnel_hand(void **state)
{
	double lo = SENTINEL, hi = SENTINEL;

	(void)state;
	/* Binomial(10, 0.5) in 1024ths: P(Y<=1) = 11, P(Y<=2) = 56,
	 * P(Y<=7) = 968, P(Y<=8) = 1013; P(Y=2) = P(Y=8) = 45.
	 * Lower, p = 0.025 = 25.6/1024: r = 2, alpha = (56-25.6)/45,
	 *   limit = (2 - 30.4/45)/10 = 59.6/450.
	 * Upper, p = 0.975 = 998.4/1024: r = 8, alpha = (1013-998.4)/45,
	 *   limit = (8 - 14.6/45)/10 = 345.4/450. */
	assert_int_equal(stats_funnel_limits(0.5, 10, 0.95, &lo, &hi), 1);
	ASSERT_CLOSE(lo, 59.6 / 450.0, 1e-12);
	ASSERT_CLOSE(hi, 345.4 / 450.0, 1e-12);
	/* n = 1, p0 = 0.5: lower (0 - 0.95)/1 is clamped to 0; upper
	 * r = 1, alpha = (1 - 0.975)/0.5 = 0.05 -> 0.95 */
	assert_int_equal(stats_funnel_limits(0.5, 1, 0.95, &lo, &hi), 1);
	assert_true(lo == 0.0);
	ASSERT_CLOSE(hi, 0.95, 1e-12);
}

static void test_funnel_brute_force(void **state)
{
	static const double p0s[] = {0.02, 0.3, 0.5, 0.85, 0.97};
	static const unsigned ns[] = {1, 2, 7, 20, 45, 100, 333, 1000, 2500};
	static const double levels[] = {0.95, 0.998};
	size_t a, b, c;

	(void)state;
	for (a = 0; a < sizeof p0s / sizeof p0s[0]; a++)
		for (b = 0; b < sizeof ns / sizeof ns[0]; b++)
			for (c = 0; c < 2; c++) {
				double lv = levels[c], lo, hi;
				unsigned n = ns[b];
				assert_int_equal(stats_funnel_limits(p0s[a], n,
								     lv, &lo,
								     &hi),
						 1);
				ASSERT_NEAR(lo,
					    brute_limit((1 - lv) / 2, p0s[a],
							n),
					    1e-9);
				ASSERT_NEAR(hi,
					    brute_limit((1 + lv) / 2, p0s[a],
							n),
					    1e-9);
				assert_true(0 <= lo && lo <= p0s[a] + 1.0 / n);
				assert_true(hi <= 1 && hi >= p0s[a] - 1.0 / n);
				assert_true(lo <= hi);
			}
}

/* Past about two million trials GSL's incomplete beta returns nan near
 * the centre of the distribution and the module sums the mass itself:
 * the same brute force must agree there too. */
static void test_funnel_beyond_gsl_beta(void **state)
{
	double lo, hi;

	(void)state;
	assert_int_equal(stats_funnel_limits(0.5, 2200000, 0.95, &lo, &hi), 1);
	ASSERT_NEAR(lo, brute_limit(0.025, 0.5, 2200000), 1e-9);
	ASSERT_NEAR(hi, brute_limit(0.975, 0.5, 2200000), 1e-9);
	assert_int_equal(stats_funnel_limits(0.5, 2200000, 0.998, &lo, &hi),
			 1);
	ASSERT_NEAR(lo, brute_limit(0.001, 0.5, 2200000), 1e-9);
	ASSERT_NEAR(hi, brute_limit(0.999, 0.5, 2200000), 1e-9);
}

/* For large n the binomial limits approach p0 +- z sqrt(p0(1-p0)/n); the
 * interpolation sits within about one count (1/n) of the normal value. */
static void test_funnel_large_n(void **state)
{
	static const double p0s[] = {0.1, 0.5, 0.73};
	static const long long ns[] = {100000, 1000000, 20000000,
					1000000000};
	static const struct {
		double level, z;
	} lv[] = {{0.95, 1.959963984540054}, {0.998, 3.090232306167813}};
	size_t a, b, c;

	(void)state;
	for (a = 0; a < 3; a++)
		for (b = 0; b < 4; b++)
			for (c = 0; c < 2; c++) {
				double p0 = p0s[a], n = (double)ns[b], lo, hi;
				double half = lv[c].z * sqrt(p0 * (1 - p0) / n);
				assert_int_equal(
					stats_funnel_limits(p0, ns[b],
							    lv[c].level, &lo,
							    &hi),
					1);
				ASSERT_NEAR(lo, p0 - half, 2.0 / n);
				ASSERT_NEAR(hi, p0 + half, 2.0 / n);
				if (ns[b] < 1000000 || ns[b] > 100000000)
					continue;
				/* Sharper: the next term of the expansion of
				 * the binomial quantile (Cornish-Fisher with
				 * continuity correction, the interpolation
				 * being linear in the CDF between integers)
				 * is (-0.5 + (z^2 - 1)(1 - 2 p0) / 6) / n. */
				{
					double z = lv[c].z, t2;
					t2 = (-0.5 + (z * z - 1) * (1 - 2 * p0) /
							     6.0) /
					     n;
					ASSERT_NEAR(lo, p0 - half + t2, 0.05 / n);
					ASSERT_NEAR(hi, p0 + half + t2, 0.05 / n);
				}
			}
}

static void test_funnel_errors(void **state)
{
	static const struct {
		double p0;
		long long n;
		double level;
	} bad[] = {
		{0.5, 0, 0.95},   {0.5, -3, 0.95},  {0.0, 100, 0.95},
		{1.0, 100, 0.95}, {-0.1, 100, 0.95}, {1.5, 100, 0.95},
		{0.5, 100, 0.0},  {0.5, 100, 1.0},  {0.5, 5000000000LL, 0.95},
	};
	size_t i;
	double lo = SENTINEL, hi = SENTINEL;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(stats_funnel_limits(bad[i].p0, bad[i].n,
						     bad[i].level, &lo, &hi),
				 0);
	}
	assert_int_equal(stats_funnel_limits(NAN, 100, 0.95, &lo, &hi), 0);
	assert_int_equal(stats_funnel_limits(0.5, 100, NAN, &lo, &hi), 0);
	assert_true(lo == SENTINEL && hi == SENTINEL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilson_newcombe),
		cmocka_unit_test(test_wilson_edges),
		cmocka_unit_test(test_wilson_errors),
		cmocka_unit_test(test_wilson_at_same),
		cmocka_unit_test(test_scores_layout),
		cmocka_unit_test(test_scores_add_rejects),
		cmocka_unit_test(test_scores_empty),
		cmocka_unit_test(test_scores_hand),
		cmocka_unit_test(test_scores_property),
		cmocka_unit_test(test_scores_merge_self_and_empty),
		cmocka_unit_test(test_scores_walks_random),
		cmocka_unit_test(test_scores_sd_no_cancellation),
		cmocka_unit_test(test_pooled_expanded),
		cmocka_unit_test(test_pooled_random),
		cmocka_unit_test(test_pooled_errors),
		cmocka_unit_test(test_trend),
		cmocka_unit_test(test_trend_errors),
		cmocka_unit_test(test_cohort_hand),
		cmocka_unit_test(test_cohort_flow),
		cmocka_unit_test(test_cohort_errors),
		cmocka_unit_test(test_funnel_hand),
		cmocka_unit_test(test_funnel_brute_force),
		cmocka_unit_test(test_funnel_beyond_gsl_beta),
		cmocka_unit_test(test_funnel_large_n),
		cmocka_unit_test(test_funnel_errors),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
