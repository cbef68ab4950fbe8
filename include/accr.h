/* accr — accreditation (kiểm định chất lượng giáo dục) and national-standard
 * schools (trường đạt chuẩn quốc gia): how long a recognition lasts, when a
 * school must register for re-evaluation, the state of every school at a
 * date, the indicators, the schedule wards attach to their yearly plan, and
 * the path to a standard_school_share target with a deadline.
 *
 * Rules (data/README.md, section "Accreditation", gives the legal basis):
 * - A recognition is valid 5 years (validity_months = 60) from the day of
 *   the decision. Periods follow Bộ luật Dân sự 2015 Art. 147-148: the
 *   period ends at the end of the corresponding day of the last year, and a
 *   day the end month lacks becomes that month's last day, so a recognition
 *   of 29 February 2020 is valid up to and including 28 February 2025.
 *   `expires_on` is that last valid day: a recognition is in force on day D
 *   when recognized_on <= D <= expires_on.
 * - Registration for re-evaluation is due at least 5 months before expiry:
 *   `register_by` = expires_on - 5 months (same month-end rule); registering
 *   on register_by is on time, a day later is late.
 * - Which rules apply follows the recognition date: recognitions on or
 *   after rules_2026_from (7 July 2026) fall under the rules in force from
 *   then, with their own validity and registration lead (settings, both 60
 *   and 5 months by default; see data/README.md).
 * - Several rows of a school form its history. Its state on day D comes
 *   from its latest recognition on or before D (a downgrade replaces a
 *   higher level still within its 5 years): none (no recognition yet),
 *   valid, overdue (in force but past register_by, no later recognition
 *   recorded), expired (past expires_on, no later recognition).
 * - A school year Y-(Y+1) is measured on (Y+1)-05-31 (year_end_month/day,
 *   a setting): its indicators describe the schools on that day.
 *
 * The core never prints; functions return ss_status and fill ss_error.
 */
#ifndef SCHOOLSTAT_ACCR_H
#define SCHOOLSTAT_ACCR_H

#include <stddef.h>

#include <cairo.h>

#include "chart.h"
#include "ctable.h"
#include "diag.h"
#include "err.h"
#include "gap.h"
#include "ind.h"
#include "strmap.h"

/* ------------------------------------------------------------ dates */

/* A calendar day as the number of days since 1970-01-01 (proleptic
 * Gregorian), so that days compare and subtract as integers. */
typedef long accr_day;

/* The day of a valid y-m-d (m 1..12, d 1..days in the month). */
accr_day accr_day_from_ymd(int y, int m, int d);
void accr_day_to_ymd(accr_day day, int *y, int *m, int *d);

/* Parses an ISO date "YYYY-MM-DD" naming a real calendar day; returns 1
 * and stores *out, else 0 (*out untouched). */
int accr_day_parse(const char *s, accr_day *out);

/* "YYYY-MM-DD" into buf (size >= 11); returns buf. */
const char *accr_day_format(accr_day day, char *buf, size_t size);

/* day moved by `months` calendar months (negative: back); when the target
 * month has no such day the result is its last day (BLDS 2015 Art.
 * 148(3)): 2020-02-29 + 60 -> 2025-02-28, 2026-07-31 - 5 -> 2026-02-28. */
accr_day accr_add_months(accr_day day, int months);

/* ------------------------------------------------------------ rules */

typedef enum accr_rules_id {
	ACCR_RULES_2018 = 0, /* Thông tư 17, 18, 19/2018 amended by 22/2024 */
	ACCR_RULES_2026 = 1, /* the rules in force from 7 July 2026 */
	ACCR_NUM_RULES
} accr_rules_id;

typedef struct accr_options {
	accr_day rules_2026_from;            /* 2026-07-07 */
	int validity_months[ACCR_NUM_RULES]; /* 60, 60 */
	int register_months[ACCR_NUM_RULES]; /* 5, 5 */
	int year_end_month, year_end_day;    /* 5, 31 */
} accr_options;

void accr_options_default(accr_options *o);

/* The rules a recognition of that day falls under. */
accr_rules_id accr_rules_for(const accr_options *o, accr_day recognized_on);
/* "2018" or "2026" (static storage). */
const char *accr_rules_name(accr_rules_id r);

/* Last day a recognition of recognized_on is in force. */
accr_day accr_expires_on(const accr_options *o, accr_day recognized_on);
/* Latest day to register for its re-evaluation. */
accr_day accr_register_by(const accr_options *o, accr_day recognized_on);

/* The day school year start-(start+1) is measured on: (start+1)-05-31. */
accr_day accr_year_end(const accr_options *o, int start);
/* The school year (its first calendar year) a day belongs to: the year Y
 * with accr_year_end(Y - 1) < day <= accr_year_end(Y). */
int accr_year_of(const accr_options *o, accr_day day);

/* ------------------------------------------------------------ register */

typedef enum accr_kind { ACCR_FIRST, ACCR_RENEWAL } accr_kind;

typedef struct accr_recognition {
	size_t school;           /* index into accr_register.school */
	int quality;             /* quality_level 0..4 */
	int standard;            /* standard_level 0..2 */
	accr_day recognized_on;
	accr_kind kind;
	int has_next_due;
	accr_day next_due;       /* planned next evaluation */
	long src_line;           /* line in the user's accreditation.csv */
} accr_recognition;

typedef struct accr_school {
	const char *id, *name, *level, *ownership; /* borrowed from schools */
	int is_public;           /* ownership cong_lap */
	size_t first, n;         /* its recognitions rec[first .. first+n),
				    oldest first */
	long src_line;           /* line in the user's schools.csv */
} accr_school;

typedef struct accr_register {
	accr_school *school;     /* schools.csv order, ids unique */
	size_t nschools;
	accr_recognition *rec;   /* grouped by school, each by date */
	size_t nrec;
	strmap index;            /* school id -> index */
} accr_register;

void accr_register_init(accr_register *r);
void accr_register_release(accr_register *r);

/* Builds the register from clean/schools.csv and clean/accreditation.csv
 * as loaded (accreditation may be NULL: no recognitions). Strings are
 * borrowed: both tables must outlive r. A school id that repeats keeps its
 * first row (as ingest and ind do). A recognition of a school missing from
 * schools.csv is left out with an `unknown_school` warning to diag (may be
 * NULL). SS_EDATA (clean file:line:column) for a missing column or a cell
 * that is not a date, a level or a kind; SS_ENOMEM. r is released on
 * failure. */
ss_status accr_register_build(accr_register *r, const ctable *schools,
			      const ctable *accreditation, diag_sink *diag,
			      ss_error *e);

/* Index of school id, or -1. */
long accr_register_find(const accr_register *r, const char *id);

/* ------------------------------------------------------------ state */

typedef enum accr_status {
	ACCR_NONE,     /* no recognition on or before the day */
	ACCR_VALID,    /* in force, registration deadline not passed */
	ACCR_OVERDUE,  /* in force, past register_by, no later recognition */
	ACCR_EXPIRED   /* past expires_on, no later recognition */
} accr_status;

/* "none", "valid", "overdue", "expired" (static storage). */
const char *accr_status_name(accr_status s);

typedef struct accr_state {
	accr_status status;
	const accr_recognition *last; /* latest on or before the day, or NULL */
	accr_day expires_on, register_by; /* of last (0 when NULL) */
	int quality, standard;  /* in force on the day; 0 when none is */
} accr_state;

/* The state of school on day (see the rules above). */
void accr_state_at(const accr_register *r, size_t school, accr_day day,
		   const accr_options *o, accr_state *out);

/* ------------------------------------------------------------ counts */

/* Schools of one group on the measuring day of a school year. */
typedef struct accr_counts {
	long long schools;        /* the denominator: every school counted */
	long long standard;       /* in force with standard_level >= 1 */
	long long standard_at[3]; /* in force at exactly standard level k */
	long long quality;        /* in force with quality_level >= 1 */
	long long quality_at[5];  /* in force at exactly quality level k */
	long long valid;          /* in force (valid or overdue) */
	long long expiring;       /* latest recognition's expires_on within the
				     school year or the next one */
	long long expired;
	long long overdue;
	long long never;          /* no recognition yet */
} accr_counts;

/* Counts schools members[0..n) (indices into r->school; with public_only,
 * only public ones) for school year start-(start+1), measured on
 * accr_year_end(start); `expiring` takes expires_on in
 * (accr_year_end(start - 1), accr_year_end(start + 1)]. */
void accr_count_year(const accr_register *r, const size_t *members,
		     size_t n, int public_only, int start,
		     const accr_options *o, accr_counts *out);

/* ------------------------------------------------------------ indicators */

/* The indicators producer (ind_producer signature, for ind_run's extra
 * list), with the default accr_options. For every school year of the
 * yearly clean tables (enrollment, promotion, staffing, exam_summary,
 * exam_hist; without them, the years from the first to the last
 * recognition), measured on 31 May of its second calendar year:
 *   standard_school_share        every school, level:<level>, all
 *   quality_level_share          every school, level:<level>, all
 *   standard_school_share:<k>    k = 1, 2     level:<level>, all
 *   quality_level_share:<k>      k = 1 .. 4   level:<level>, all
 *   accreditation_valid, accreditation_expiring, accreditation_expired,
 *   accreditation_overdue        (counts)     level:<level>, all
 * and the same for public schools only with the base name suffixed
 * "_public" (standard_school_share_public:2, accreditation_valid_public,
 * ...), level:<level> and all, left out where a scope has no public
 * school. Shares are ratios x 100 over every school of the scope in
 * schools.csv (with a Wilson interval from ind); the un-suffixed share is
 * the sum of its :<k> rows. A name that ind's catalogue (ind.h) does not
 * know yet is left out with one `indicator_not_in_catalogue` warning per
 * name. SS_EDATA for a malformed clean table, SS_ENOMEM. */
ss_status accr_produce_indicators(const ind_input *in, const ind_options *opt,
				  ind_rows *rows, ss_error *e);

/* ------------------------------------------------------------ schedule */

typedef enum accr_action {
	ACCR_ACTION_NONE,
	ACCR_ACTION_FIRST,   /* never recognised: first recognition */
	ACCR_ACTION_RENEWAL  /* lapsed, or register_by within the plan year */
} accr_action;

/* "none", "first_recognition", "renewal" (static storage). */
const char *accr_action_name(accr_action a);

/* Whether the planned evaluation (next_due) fits the recognition. */
typedef enum accr_plan_check {
	ACCR_PLAN_NONE,         /* no next_due */
	ACCR_PLAN_OK,           /* not passed, on or before expires_on */
	ACCR_PLAN_AFTER_EXPIRY, /* after expires_on (or the recognition has
				   already lapsed): a gap in validity */
	ACCR_PLAN_PASSED        /* before the reference day, no recognition
				   recorded on or after it */
} accr_plan_check;

/* "", "ok", "after_expiry", "passed" (static storage). */
const char *accr_plan_check_name(accr_plan_check p);

typedef struct accr_schedule_row {
	accr_state state;
	accr_action action;
	int has_action_by;
	accr_day action_by;     /* register_by for a renewal of a recognition
				   in force */
	accr_plan_check plan;
	int has_next_due;
	accr_day next_due;      /* of the latest recognition */
} accr_schedule_row;

/* The plan year ends on the first measuring day after ref:
 * accr_year_end(accr_year_of(ref + 1)). The action is first_recognition
 * for a school never recognised, renewal for a lapsed recognition or one
 * whose register_by falls on or before the end of the plan year, else
 * none. */
void accr_schedule_at(const accr_register *r, size_t school, accr_day ref,
		      const accr_options *o, accr_schedule_row *out);

/* Writes the schedule (columns in data/README.md) for every school in
 * schools.csv order. SS_EIO on any write failure. */
ss_status accr_write_schedule(const accr_register *r, accr_day ref,
			      const accr_options *o, const char *path,
			      ss_error *e);

/* ------------------------------------------------------------ trajectory */

typedef struct accr_path_year {
	int year;                   /* school year start: 2025 = 2025-2026 */
	accr_day measured_on;       /* its end (the reference day for the
				       first row) */
	int is_actual;              /* 1 for the first row (the reference) */
	long long path;             /* standard schools needed on the path */
	long long valid_no_renewal; /* today's standard recognitions still in
				       force on measured_on, none renewed */
	long long expiring;         /* of those, lapsing during this row */
	long long to_recognize;     /* first recognitions and renewals needed
				       during the row's year */
	long long planned_valid;    /* in force on measured_on with the plan */
} accr_path_year;

typedef struct accr_path {
	long long schools;    /* in the scope (denominator) */
	long long current;    /* standard schools in force on the reference */
	long long required;   /* smallest count meeting the target */
	accr_path_year *year; /* n rows: the reference, then each school year
				 up to the deadline's */
	size_t n;
} accr_path;

void accr_path_init(accr_path *p);
void accr_path_release(accr_path *p);

/* The path to `op target` (percent of schools with a standard recognition
 * in force) for members[0..n) (public only with public_only) by the
 * deadline (calendar year D: the school year (D-1)-D, measured on
 * D-05-31), from ref. path(i) = current + ceil((required - current) i / m)
 * for the i-th of m school years (required throughout when current >=
 * required). A recognition made during a year is counted from that year's
 * measuring day up to the expiry of one made on the year's first day (the
 * conservative case): with 5-year validity, that year and the four after.
 * to_recognize = max(0, path - valid_no_renewal - planned recognitions
 * still in force). SS_EUSAGE (nothing computed, message says why) for an
 * op other than >= or =, a scope without schools, a target no count
 * meets, or a deadline not after ref's school year; SS_ENOMEM. */
ss_status accr_trajectory(const accr_register *r, const size_t *members,
			  size_t n, int public_only, gap_op op, double target,
			  int deadline, accr_day ref, const accr_options *o,
			  accr_path *out, ss_error *e);

/* ------------------------------------------------------------ charts */

/* a. Schools by school type (level and ownership), one stacked bar each,
 * segments in this order. */
enum {
	ACCR_SEG_STANDARD_2,  /* standard level 2 in force */
	ACCR_SEG_STANDARD_1,  /* standard level 1 in force */
	ACCR_SEG_QUALITY,     /* in force without a standard level */
	ACCR_SEG_EXPIRED,
	ACCR_SEG_NEVER,
	ACCR_NUM_SEGMENTS
};

typedef struct accr_levels_row {
	const char *label;   /* "Tiểu học công lập" */
	long long count[ACCR_NUM_SEGMENTS];
} accr_levels_row;

typedef struct accr_levels_chart {
	const char *title, *subtitle; /* may be NULL */
	const accr_levels_row *rows;
	size_t nrows;
} accr_levels_chart;

ss_status accr_chart_draw_levels(cairo_t *cr, const chart_rect *area,
				 const chart_style *st,
				 const accr_levels_chart *d, ss_error *e);

/* b. A timeline, one row per school: the recognition in force (or lapsed)
 * as a bar from recognized_on to expires_on, the registration deadline,
 * the expiry, the planned evaluation, and the reference day. */
typedef struct accr_timeline_row {
	const char *label;        /* school name */
	accr_status status;
	int standard;             /* level of the latest recognition */
	int has_recognition;
	accr_day recognized_on, expires_on, register_by;
	int has_next_due;
	accr_day next_due;
} accr_timeline_row;

typedef struct accr_timeline_chart {
	const char *title, *subtitle;
	accr_day reference;
	accr_day from, to;        /* the x axis, from < to */
	const accr_timeline_row *rows;
	size_t nrows;
} accr_timeline_chart;

ss_status accr_chart_draw_timeline(cairo_t *cr, const chart_rect *area,
				   const chart_style *st,
				   const accr_timeline_chart *d, ss_error *e);

/* chart_draw_fn adapters. */
ss_status accr_chart_levels_fn(cairo_t *cr, const chart_rect *area,
			       const chart_style *st, const void *data,
			       ss_error *e);
ss_status accr_chart_timeline_fn(cairo_t *cr, const chart_rect *area,
				 const chart_style *st, const void *data,
				 ss_error *e);

/* Rows per timeline page. */
#define ACCR_TIMELINE_PER_PAGE 16

/* The section's charts, built from OUTPUT_DIR/accreditation_schedule.csv
 * (what the report reads; nothing is recomputed). Owns everything the
 * chart structs point into. */
typedef struct accr_charts {
	ctable table;                    /* the schedule; names point here */
	accr_levels_row *level_rows;
	char (*level_labels)[96];
	accr_timeline_row *timeline_rows; /* every school, by expiry */
	char levels_subtitle[192], timeline_subtitle[192];
	accr_levels_chart levels;
	accr_timeline_chart timeline;    /* every row; pages slice it */
	accr_day reference;
	long long schools, standard;     /* standard: level >= 1 in force */
} accr_charts;

void accr_charts_init(accr_charts *c);
void accr_charts_release(accr_charts *c);

/* Loads OUTPUT_DIR/accreditation_schedule.csv. *found = 0 (c empty, SS_OK)
 * when the file does not exist. SS_EIO when it cannot be read, SS_EDATA
 * (file:line:column) for a missing column or a bad cell, SS_ENOMEM. */
ss_status accr_charts_load(accr_charts *c, const char *outdir, int *found,
			   ss_error *e);

/* Number of timeline pages (ACCR_TIMELINE_PER_PAGE rows each; 0 without
 * schools). */
size_t accr_charts_timeline_pages(const accr_charts *c);

/* For the report: draws chart `which` (0: levels by school type; 1 + p:
 * page p of the timeline) of the loaded charts into area. SS_EUSAGE for a
 * page out of range; drawing errors as the chart functions. */
ss_status accr_charts_draw(cairo_t *cr, const chart_rect *area,
			   const chart_style *st, const accr_charts *c,
			   size_t which, ss_error *e);

/* Writes OUTPUT_DIR/charts/accreditation_levels.{png,svg} and
 * accreditation_timeline_<p>.{png,svg} (p from 1) from the loaded charts,
 * width x height points, PNG at scale pixels a point (0: 800, 500, 2).
 * *written counts charts. SS_EIO when the directory or a file cannot be
 * written. */
ss_status accr_charts_write(const accr_charts *c, const char *outdir,
			    double width, double height, double scale,
			    size_t *written, ss_error *e);

/* ------------------------------------------------------------ stage */

typedef struct accr_run_options {
	accr_options rules;
	int has_reference;
	accr_day reference;   /* --reference-date */
} accr_run_options;

void accr_run_options_default(accr_run_options *o);

typedef struct accr_run_summary {
	accr_day reference;
	int reference_from_data;   /* 1: derived, not given */
	size_t schools, recognitions, trajectories, charts;
	int no_register;           /* 1: no clean/accreditation.csv, nothing
				      written */
} accr_run_summary;

/* The stage: reads OUTPUT_DIR/clean/schools.csv (required),
 * accreditation.csv and targets.csv (optional; without accreditation.csv
 * the stage writes nothing and sets sum->no_register: an absent register
 * is unknown, not a ward without recognised schools), writes
 * OUTPUT_DIR/accreditation_schedule.csv, accreditation_trajectory.csv
 * (one block of rows per standard_school_share or
 * standard_school_share_public target with a deadline) and the charts.
 * Without a given reference day it is the measuring day of the latest
 * school year in clean/{enrollment,promotion,staffing,exam_summary}.csv,
 * else of the school year of the latest recognition. Targets the path
 * cannot be computed for get a `trajectory_skipped` warning in diag.
 * SS_EUSAGE when no reference day can be derived; SS_EIO for an unreadable
 * input or a failed write; SS_EDATA for a malformed clean table;
 * SS_ENOMEM. sum may be NULL. */
ss_status accr_run(const char *outdir, const accr_run_options *opt,
		   diag_sink *diag, accr_run_summary *sum, ss_error *e);

#endif
