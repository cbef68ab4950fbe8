/* audit — consistency checks that need computed figures, reported as
 * warnings in validation.csv with the file and line of the row concerned.
 *
 * 1. Target combination: a level:<level> or all target that its schools'
 *    own targets in the same table cannot deliver. The schools' targets
 *    are combined the way the indicator aggregates: ratios weighted by the
 *    indicator's denominator (enrolled pupils for promotion_rate,
 *    candidates for exam_mean, classes for students_per_class), taken
 *    from indicators.csv in the target's year or the latest earlier one;
 *    counts summed. Checked only when every school of the scope that has a
 *    weight has a target with the same year, op and deadline.
 *    ">=": the scope's target above the combination contradicts it;
 *    "<=": below; "=": any difference beyond rounding noise.
 * 2. Enrollment flow: pupils in grade g+1 in year t+1 cannot exceed those
 *    promoted from grade g in year t plus those repeating grade g+1, beyond
 *    a transfer margin (documented setting: the larger of margin_pct % of
 *    the promoted pupils and margin_abs pupils). Checked within a school
 *    for general-education grades of the school's level (not entry grades,
 *    not preschool, where children move up by age).
 */
#ifndef SCHOOLSTAT_AUDIT_H
#define SCHOOLSTAT_AUDIT_H

#include "diag.h"
#include "err.h"

typedef struct audit_options {
	double margin_pct;   /* 5: transfers in of up to 5% of promoted */
	long margin_abs;     /* 2: and at least 2 pupils */
} audit_options;

void audit_options_default(audit_options *o);

/* A weighted combination of targets t[0..n) with weights w: the weighted
 * mean for a ratio indicator (is_count 0), the sum for a count. Returns 0
 * when the weights sum to 0. */
int audit_combine(const double *t, const double *w, size_t n, int is_count,
		  double *combined);

/* 1 when a scope target `target` with op cannot be delivered by the
 * schools' combined target. */
int audit_contradicts(const char *op, double target, double combined);

/* Runs both audits on outdir (clean/ tables and indicators.csv; missing
 * tables skip their audit). Findings go to diag; SS_EIO / SS_EDATA when a
 * present table cannot be read. indicators.csv is read only when a target
 * is audited (schools present); every record is checked as ctable_load
 * checks it, but only the rows of the audited targets' indicators for the
 * schools are kept. */
ss_status audit_run(const char *outdir, const audit_options *opt,
		    diag_sink *diag, ss_error *e);

#endif
