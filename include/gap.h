/* gap — targets (chỉ tiêu) against actuals: gaps.csv.
 *
 * For each row of clean/targets.csv the actual is the same-year value of
 * the indicator for the scope (basis "actual"), else the latest earlier one
 * (basis "baseline"), else none (status "no_data"). Values are recomputed
 * from numerator and denominator at full precision (ind_value_from_parts),
 * so a rate of 99.889% does not meet 99.9 even though both print as 99.9.
 * A target with a deadline also gets the least-squares trend of the yearly
 * actuals up to the target's year (gsl_fit_linear, x = the calendar year in
 * which a school year ends), its value projected to the deadline, the
 * change per year still needed from the latest actual, and whether the
 * projection meets the target (on_track yes/no).
 */
#ifndef SCHOOLSTAT_GAP_H
#define SCHOOLSTAT_GAP_H

#include <stddef.h>

#include "diag.h"
#include "err.h"

typedef enum gap_op { GAP_OP_GE, GAP_OP_LE, GAP_OP_EQ, GAP_OP_BAD } gap_op;

/* ">=" / "<=" / "="; GAP_OP_BAD otherwise. */
gap_op gap_op_parse(const char *op);

/* 1 when actual satisfies op target. "=" allows a relative difference of
 * 1e-9 so that a value recomputed from counts equals the same value typed
 * in a plan (0.1 + 0.2 style rounding), nothing more. */
int gap_meets(gap_op op, double actual, double target);

/* One yearly actual of an indicator for a scope. */
typedef struct gap_point {
	int year_end;   /* 2025 for 2024-2025 */
	double value;
} gap_point;

typedef struct gap_target {
	int year_end;       /* the target's school year */
	gap_op op;
	double target;
	int deadline;       /* 0: none */
} gap_target;

typedef struct gap_result {
	int has_actual;
	double actual;
	int actual_year_end;
	const char *basis;   /* "actual", "baseline" or "" (static) */
	const char *status;  /* "met", "not_met", "no_data" (static) */
	double gap;          /* actual - target, when has_actual */
	/* deadline targets only */
	int has_trend;       /* two or more points */
	double slope, projected;
	int has_needed;
	double needed_per_year;
	const char *on_track; /* "yes", "no" or "" */
} gap_result;

/* Evaluates one target against points[0..n) (any order, one per year).
 * Never yields nan or inf. */
void gap_evaluate(const gap_target *t, const gap_point *points, size_t n,
		  gap_result *out);

/* The stage: reads OUTPUT_DIR/clean/targets.csv and indicators.csv,
 * writes OUTPUT_DIR/gaps.csv. Targets whose indicator is unknown to the
 * catalogue or has no row at all get status no_data and a warning in diag.
 * SS_EIO when an input cannot be read or the output written. A missing
 * targets table writes a gaps.csv with the header only. indicators.csv is
 * read only when some target row is readable; every record is checked
 * (SS_EDATA with file:line:column, as ctable_load) but only the rows of
 * the (scope, indicator) series the targets name are kept. */
ss_status gap_run(const char *outdir, diag_sink *diag, ss_error *e);

#endif
