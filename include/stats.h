/* stats — the statistics the indicators are made of, from counts.
 *
 * Everything here is a pure function of integers or arrays the caller owns;
 * nothing allocates unless stated. Rates are proportions k/n in [0,1];
 * callers scale to percent. No function returns nan or inf: where a value
 * cannot be computed the function returns 0 and leaves outputs untouched.
 */
#ifndef SCHOOLSTAT_STATS_H
#define SCHOOLSTAT_STATS_H

#include <stddef.h>

/* Wilson score interval for k successes of n at confidence `level`
 * (0.95 -> z = 1.959963984540054 from gsl_cdf_ugaussian_Pinv). Returns 1
 * and stores the bounds (as proportions) when n > 0, else 0. */
int stats_wilson(long long k, long long n, double level, double *low,
		 double *high);

/* Scores handled exactly as integer hundredths (7.25 -> 725). A score
 * histogram: 201 counts on the 0.05 grid (index i = score 0.05*i) plus
 * scores off that grid as sorted (hundredths, count) pairs. */
#define STATS_GRID_BINS 201

typedef struct stats_offgrid {
	long hundredths;
	long long count;
} stats_offgrid;

typedef struct stats_scores {
	long long n;
	long long sum_x100;       /* sum of hundredths */
	long long sumsq_x10000;   /* sum of squared hundredths */
	long long bins[STATS_GRID_BINS];
	stats_offgrid *offgrid;   /* sorted by hundredths, owned */
	size_t noffgrid, cap_offgrid;
} stats_scores;

void stats_scores_init(stats_scores *s);
void stats_scores_release(stats_scores *s);
/* Adds one score in hundredths (0..1000); returns 0 on allocation failure. */
int stats_scores_add(stats_scores *s, long hundredths);
/* Adds all of src into dst (merging partial aggregates). 0 on ENOMEM. */
int stats_scores_merge(stats_scores *dst, const stats_scores *src);

/* Mean (in score units). 0 when n == 0. */
int stats_scores_mean(const stats_scores *s, double *mean);
/* Sample SD (n-1), computed from the exact integer sums without
 * cancellation (128-bit or long double). 0 when n < 2. */
int stats_scores_sd(const stats_scores *s, double *sd);
/* Quantile p in [0,1] by the definition of gsl_stats_quantile_from_sorted_data
 * (p = 0.5 gives the median, mean of the two middle values for even n),
 * computed exactly from the counts. 0 when n == 0. */
int stats_scores_quantile(const stats_scores *s, double p, double *q);
/* Count of scores >= / <= a threshold given in hundredths. */
long long stats_scores_count_at_least(const stats_scores *s, long hundredths);
long long stats_scores_count_at_most(const stats_scores *s, long hundredths);

/* Candidate-weighted combination of per-group means and SDs (exam_summary):
 * pooled mean and pooled sample SD (within + between groups). n[i] are
 * candidates; sd may be NULL (then *pooled_sd is not computed). Returns 0
 * when the total is 0. */
int stats_pooled(const long long *n, const double *mean, const double *sd,
		 size_t k, double *pooled_mean, double *pooled_sd);

/* Least-squares line y = c0 + c1*x through (x[i], y[i]) by gsl_fit_linear.
 * Returns 0 when k < 2 or all x equal. */
int stats_trend(const double *x, const double *y, size_t k, double *c0,
		double *c1);

/* UNESCO reconstructed cohort for one level with G grades, from two
 * consecutive years: E[g] enrollment in grade g in year t, E1[g] in year
 * t+1, R1[g] repeaters in grade g in year t+1 (pupils of year t repeating).
 * Rates per grade: p[g] = (E1[g+1] - R1[g+1]) / E[g], r[g] = R1[g] / E[g],
 * d[g] = 1 - p[g] - r[g]; for the last grade p = graduates/E[last] where
 * graduates are given. Survival to the last grade per the reconstructed
 * cohort method (1000-pupil cohort, repetition allowed up to max_repeats).
 * Arrays have G entries; returns 0 when a denominator is 0. */
typedef struct stats_cohort {
	size_t grades;
	double promotion[16], repetition[16], dropout[16];
	double survival_to_last;   /* share of the cohort reaching last grade */
	double completion;          /* share of the cohort graduating */
} stats_cohort;

int stats_reconstructed_cohort(const long long *E, const long long *E1,
			       const long long *R1, long long graduates,
			       size_t G, int max_repeats, stats_cohort *out);

/* Funnel plot control limits for a proportion p0 at sample size n: the
 * binomial limits at two-sided level (0.95, 0.998) with the Spiegelhalter
 * interpolation, as proportions. 0 when n == 0 or p0 outside (0,1). */
int stats_funnel_limits(double p0, long long n, double level, double *low,
			double *high);

#endif
