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
 * and stores the bounds (as proportions) when n > 0, else 0. Also 0 when
 * k is outside 0..n or level outside (0,1). The lower bound is exactly 0
 * at k = 0 and the upper exactly 1 at k = n. */
int stats_wilson(long long k, long long n, double level, double *low,
		 double *high);
/* The z of a confidence level as stats_wilson finds it; 0 on a bad level.
 * For callers computing many intervals at one level. */
int stats_wilson_z(double level, double *z);
/* stats_wilson with z given (from stats_wilson_z): the same bounds to the
 * bit. 0 when n <= 0, k is outside 0..n or z is not a positive number. */
int stats_wilson_at(long long k, long long n, double z, double *low,
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

/* init makes an empty histogram; release frees offgrid and leaves s empty
 * again (release twice, or release(NULL), is harmless). A histogram may
 * also be filled directly (e.g. from clean/exam_hist.csv): offgrid then
 * must be malloc'ed, sorted, without grid values, and n = all counts. */
void stats_scores_init(stats_scores *s);
void stats_scores_release(stats_scores *s);
/* Adds one score in hundredths (0..1000); returns 1, or 0 on allocation
 * failure, a score out of range or a sum that would overflow, leaving s
 * unchanged. Grows s->offgrid for off-grid scores. */
int stats_scores_add(stats_scores *s, long hundredths);
/* Adds all of src into dst (merging partial aggregates); dst == src
 * doubles it. 0 on ENOMEM or overflow, dst unchanged. */
int stats_scores_merge(stats_scores *dst, const stats_scores *src);

/* Mean (in score units). 0 when n == 0. */
int stats_scores_mean(const stats_scores *s, double *mean);
/* Sample SD (n-1), computed from the exact integer sums without
 * cancellation (128-bit or long double). 0 when n < 2. */
int stats_scores_sd(const stats_scores *s, double *sd);
/* Quantile p in [0,1] by the definition of gsl_stats_quantile_from_sorted_data
 * (p = 0.5 gives the median, mean of the two middle values for even n),
 * computed exactly from the counts. 0 when n == 0, p is outside [0,1], or
 * the counts hold fewer scores than n. */
int stats_scores_quantile(const stats_scores *s, double p, double *q);
/* Count of scores >= / <= a threshold given in hundredths (any value:
 * 500 for the pass rate, 100 for the low-score rate). */
long long stats_scores_count_at_least(const stats_scores *s, long hundredths);
long long stats_scores_count_at_most(const stats_scores *s, long hundredths);

/* Candidate-weighted combination of per-group means and SDs (exam_summary):
 * pooled mean M = sum n_i m_i / N and pooled sample SD
 * sqrt((sum (n_i - 1) s_i^2 + sum n_i (m_i - M)^2) / (N - 1)), i.e. the SD
 * of all N candidates together (within + between groups). n[i] are
 * candidates; groups with n[i] == 0 are skipped (their mean/sd are not
 * read). sd may be NULL (then *pooled_sd is not computed). Returns 0, with
 * both outputs untouched, when the total is 0, some n[i] < 0, a mean or sd
 * is not finite, an sd is negative, or sd is given and N < 2 (a sample SD
 * needs two candidates: call again with sd NULL for the mean alone). */
int stats_pooled(const long long *n, const double *mean, const double *sd,
		 size_t k, double *pooled_mean, double *pooled_sd);

/* Least-squares line y = c0 + c1*x through (x[i], y[i]) by gsl_fit_linear.
 * Returns 0 when k < 2, all x equal, or an x or y is not finite. */
int stats_trend(const double *x, const double *y, size_t k, double *c0,
		double *c1);

/* UNESCO reconstructed cohort for one level with G grades, from two
 * consecutive years: E[g] enrollment in grade g in year t, E1[g] in year
 * t+1, R1[g] repeaters in grade g in year t+1 (pupils of year t repeating).
 * Rates per grade: p[g] = (E1[g+1] - R1[g+1]) / E[g], r[g] = R1[g] / E[g],
 * d[g] = 1 - p[g] - r[g]; for the last grade p = graduates/E[last] where
 * graduates (of year t) are given. Survival to the last grade per the
 * reconstructed cohort method: a cohort entering grade 1 flows with these
 * rates (no new entrants, dropouts never return, the same rates for
 * repeaters), each pupil repeating a grade at most max_repeats times; one
 * who would repeat once more counts as a dropout. So the share of those
 * entering grade g who reach g+1 is p[g] (1 + r[g] + ... + r[g]^max_repeats)
 * and survival_to_last is the product of these over the grades before the
 * last (1 when G == 1); completion multiplies in the last grade's factor.
 * Both are shares of the cohort (x 1000 for the UNESCO table), not rounded.
 * max_repeats is the caller's documented setting, not a constant here.
 * Arrays have G entries, G in 1..16; E1[0] is not used. Returns 0, out
 * untouched, when a denominator is 0, a count is negative, max_repeats < 0,
 * or the flows are inconsistent: E1[g+1] < R1[g+1], or promoted plus
 * repeaters more than enrolled (a negative dropout, e.g. transfers in). */
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
 * interpolation, as proportions. For each tail probability q ((1-level)/2
 * and (1+level)/2): r = smallest count with P(Y <= r) >= q for
 * Y ~ Binomial(n, p0), alpha = (P(Y <= r) - q) / P(Y = r), limit
 * (r - alpha)/n, clamped to [0,1] (Spiegelhalter 2005, Stat Med 24:1185,
 * appendix A.1.1). For large n they approach p0 +- z sqrt(p0(1-p0)/n).
 * 0 when n <= 0 or n > UINT_MAX, p0 outside (0,1), or level outside
 * (0,1). */
int stats_funnel_limits(double p0, long long n, double level, double *low,
			double *high);

#endif
