/* ind_priv — what the ind_*.c files share and nobody else needs: the
 * school-system structure (levels, stages, grades), the years with data,
 * and the per (year, school, grade) grid of enrolment and promotion
 * counts. Not installed in include/. */
#ifndef SCHOOLSTAT_IND_PRIV_H
#define SCHOOLSTAT_IND_PRIV_H

#include <stddef.h>

#include "ctable.h"
#include "diag.h"
#include "err.h"
#include "ind.h"

/* Levels in contract order; grade indices as ind_grade_index. */
#define IND_NUM_LEVELS 6

typedef struct ind_level_info {
	const char *name;
	int first, last; /* grade range; last is the final grade */
} ind_level_info;

/* Index of a level in contract order, or -1. */
int ind_level_index(const char *level);
const ind_level_info *ind_level_get(int i);

/* Education stages (cap hoc) that have a cohort: primary, lower and upper
 * secondary. The cohort of a stage enters at `first` and completes at
 * `last`, (last - first) years later. */
#define IND_NUM_STAGES 3

typedef struct ind_stage_info {
	const char *name; /* "tieu_hoc", "thcs", "thpt" */
	int first, last;
} ind_stage_info;

const ind_stage_info *ind_stage_get(int i);
/* Stage whose last grade is g, or -1. */
int ind_stage_ending_at(int g);
/* 1 when a school of level index lv teaches every grade of stage st. */
int ind_level_covers_stage(int lv, int st);

/* Sorted distinct first years of the school years in some tables. */
typedef struct ind_years {
	int *start;
	size_t n, cap;
} ind_years;

void ind_years_init(ind_years *y);
void ind_years_release(ind_years *y);
/* Adds the years of column "year" of t; SS_EDATA for a malformed year. */
ss_status ind_years_add_table(ind_years *y, const ctable *t, ss_error *e);
/* Index of first year start, or -1. */
long ind_years_find(const ind_years *y, int start);

/* Per (year, school, grade) counts from enrollment.csv and promotion.csv,
 * summed when a key repeats. */
typedef struct ind_cell {
	unsigned char has_enr, has_prom, has_completed;
	long long classes, students;
	long long enrolled, promoted, repeated, dropped, completed;
	long enr_line, prom_line; /* src_line of the first row */
} ind_cell;

typedef struct ind_grid {
	ind_years years;
	size_t nschools;
	ind_cell *cell;
} ind_grid;

void ind_grid_init(ind_grid *g);
void ind_grid_release(ind_grid *g);
/* Builds the grid over the years of enrollment.csv and promotion.csv.
 * Rows of unknown schools or grades are skipped (ind_input_check warns).
 * SS_EDATA for a malformed number or year, SS_ENOMEM. */
ss_status ind_grid_build(ind_grid *g, const ind_input *in, ss_error *e);
const ind_cell *ind_grid_at(const ind_grid *g, size_t y, size_t s, int grade);

/* Warns (code unknown_school / unknown_grade) once per row of the data
 * tables that the producers will skip. */
ss_status ind_input_check(const ind_input *in, diag_sink *diag,
			  ss_error *e);

/* Column indices of names[] (NULL-terminated) in t into idx[];
 * SS_EDATA naming the first missing column. */
ss_status ind_columns(const ctable *t, const char *const *names, int *idx,
		      ss_error *e);

/* Reads a count cell: 1 with *out set, 0 when empty, and on a value that is
 * not a whole number >= 0 returns -1 with SS_EDATA in e. */
int ind_count_at(const ctable *t, size_t row, int col, long long *out,
		 ss_error *e);
/* The same for a real number (may be negative). */
int ind_real_at(const ctable *t, size_t row, int col, double *out,
		ss_error *e);
/* src_line of a row (0 when the column is missing or empty). */
long ind_src_line(const ctable *t, size_t row);

/* The year, scope and suffix of a key, looked up in the row list once:
 * a producer adding many rows with the same strings (the exam producer:
 * six for each of 50,000 scopes and subjects of a national file) points
 * rows->fixed at them, and ind_rows_add_* then only read the key's id
 * and sub_rank, until rows->fixed is NULL again. */
typedef struct ind_key_ids {
	long year, scope, suffix;
} ind_key_ids;

/* SS_ENOMEM when a string cannot be added. */
ss_status ind_rows_key_ids(ind_rows *r, const ind_key *k, ind_key_ids *ids,
			   ss_error *e);
/* The suffix part alone (NULL or "" for none); -1 on ENOMEM. */
long ind_rows_suffix_id(ind_rows *r, const char *suffix);

#endif
