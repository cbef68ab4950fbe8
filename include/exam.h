/* exam — the per-candidate exam table (exam_scores.csv) reduced in one
 * streaming pass to exact, mergeable per-school aggregates
 * (clean/exam_hist.csv, see docs/DESIGN.md).
 *
 * A national exam has about a million candidates, so nothing here keeps
 * candidates: memory is proportional to (year, exam, school) groups times
 * subjects (402 bytes per group and subject sat), plus a duplicate-id set
 * that does not grow with candidates in the common case: ids that are
 * digit strings of at most 9 digits (số báo danh are 8 digits) are bits of
 * a sparse bitmap over all such strings, in 512-bit pages allocated on
 * first use — a national file, whose ids run in blocks per province, needs
 * about 1 bit per candidate (~200 KiB for a million). Other ids fall back
 * to a set of 64-bit hashes (16 bytes per id at most): two different ids
 * are then taken for duplicates with probability about n^2 / 2^65 for n
 * such ids (~3e-8 for a million; the row would be rejected as a
 * duplicate_key, never silently merged).
 *
 * Reading. Lines that hold no double quote, NUL, CR or invalid UTF-8 and
 * fit the record limit — every line of a normal export — are split by a
 * scanner of this module over large buffered reads; any other line (and
 * the header) is handed to csvin, so that fields, columns, messages and
 * rejected raw text are exactly those csvin gives. A legacy --encoding
 * reads the whole file through csvin. EXAM_READER_CSVIN forces csvin for
 * every line (tests compare the two; the benchmark measures both).
 *
 * Two threads (exam_options.threads = 2, own scanner only): the second
 * half of an input of at least min_split_bytes is reduced at the same time
 * by a thread of its own and merged when it held only rows accepted
 * without a message, no candidate id of the first half and no record
 * running over the split point; otherwise the main thread reads on over
 * it as with one thread. Outputs, messages and counts are byte for byte
 * those of one thread (exam_counts.split_used tells which way it went).
 * Memory: up to a second set of groups and an 8 MiB read buffer more.
 *
 * Validation, per row (each problem one message through diag_report, the
 * row kept verbatim through diag_reject_row with the first problem as its
 * reason; codes): wrong field count (too_few_fields, too_many_fields),
 * broken record (bad_quote, bad_text, line_too_long), year / exam /
 * candidate_id / school_id empty (missing_value) or malformed (bad_year,
 * bad_id, checked by field_normalize), school not known (unknown_school),
 * score not a number or with more than 2 decimals (bad_score), score
 * outside 0-10 (score_out_of_range), a candidate_id already accepted for
 * the same year and exam (duplicate_key). A blank score means the
 * candidate did not sit the subject: counted, not an error. Scores off the
 * 0.05 grid are kept exactly and summarised in ONE warning per file
 * (offgrid_score) naming how many and the first one.
 *
 * Header problems (empty file, broken header record, a required column
 * missing, a column named twice, an empty column name, no subject column)
 * are reported to diag with codes empty_file, bad_header, missing_column,
 * duplicate_column, no_subjects; the call then returns SS_EDATA with *e
 * describing the first of them, reads no row and writes no output.
 */
#ifndef SCHOOLSTAT_EXAM_H
#define SCHOOLSTAT_EXAM_H

#include <stddef.h>

#include "diag.h"
#include "err.h"
#include "num.h"
#include "stats.h"

typedef enum exam_reader {
	EXAM_READER_AUTO = 0, /* own scanner, csvin for unusual lines */
	EXAM_READER_CSVIN     /* csvin for every line */
} exam_reader;

typedef struct exam_options {
	/* Style of the score cells. NUM_STYLE_AUTO: Vietnamese when the file
	 * is ';'-delimited, else English. Scores with one or two decimals
	 * read the same in both styles; only a 3-decimal cell such as
	 * "7.250" depends on it. */
	num_style style;
	const char *encoding; /* NULL or "utf-8": UTF-8; else via csvin */
	/* Returns nonzero when school_id (normalized, NUL-terminated) is in
	 * schools.csv. NULL: every school is known. Called when a school_id
	 * is first seen in a (year, exam), and again for every row whose
	 * school is unknown or whose year or exam is bad (so a row's
	 * messages never depend on the rows before it). */
	int (*school_known)(void *ctx, const char *school_id);
	void *school_ctx;
	exam_reader reader;
	size_t max_record; /* bytes; 0: CSVIN_DEFAULT_MAX_LINE */
	/* Threads the own scanner may use: 0 or 1 one pass; 2 (or more)
	 * also reduces the second half of an input of at least
	 * min_split_bytes on a thread of its own, its result used only when
	 * it must equal the one pass's (clean rows only, no candidate of
	 * both halves; see exam.c): every output byte and message is the
	 * same either way. school_known is then called from both threads
	 * at once, so it must only read. */
	int threads;
	size_t min_split_bytes;
} exam_options;

#define EXAM_MIN_SPLIT_DEFAULT ((size_t)4 << 20)

/* AUTO style, UTF-8, all schools known, AUTO reader, one thread,
 * min_split_bytes EXAM_MIN_SPLIT_DEFAULT. */
void exam_options_init(exam_options *o);

typedef struct exam_counts {
	long long rows_read;     /* data records (blank lines not counted) */
	long long rows_accepted;
	long long rows_rejected;
	long long scores;        /* scores of accepted rows */
	long long blanks;        /* blank score cells of accepted rows */
	long long offgrid;       /* accepted scores off the 0.05 grid */
	long long groups;        /* (year, exam, school_id) groups */
	long long hist_rows;     /* rows written to the histogram file */
	long blank_lines;        /* blank lines skipped */
	char delimiter;
	int had_bom;
	int split_used;          /* 1: a second half's result was taken */
} exam_counts;

/* Reduces the exam table at path to hist_out_path (the exam_hist.csv
 * format of docs/DESIGN.md: one row per group and subject with at least
 * one score, sorted by year, exam, school_id, then subject in header
 * order). display_name (NULL: path) names the file in messages and
 * rejects. opt may be NULL (defaults). counts (may be NULL) is filled as
 * far as the run got.
 *
 * Returns SS_OK when the file was read, whatever its rows held (their
 * problems are in diag); SS_EDATA for an unusable header (see above);
 * SS_EIO when the input cannot be read or the output written; SS_ENOMEM;
 * SS_EUSAGE for an unknown encoding or a bad option. */
ss_status exam_reduce_file(const char *path, const char *display_name,
			   const exam_options *opt, diag_sink *diag,
			   const char *hist_out_path, exam_counts *counts,
			   ss_error *e);

/* The same over data[0..len) (copied as it is read; tests, fuzzing).
 * name is used in messages. */
ss_status exam_reduce_mem(const char *name, const char *data, size_t len,
			  const exam_options *opt, diag_sink *diag,
			  const char *hist_out_path, exam_counts *counts,
			  ss_error *e);

/* Parses the n, sum_x100, sumsq_x10000, bins and offgrid cells of one
 * exam_hist.csv row into *s, which the caller has initialised
 * (stats_scores_init) and releases. Checks that bins holds exactly
 * STATS_GRID_BINS counts, that offgrid holds "hundredths:count" pairs off
 * the 0.05 grid in increasing order, and that n and the sums agree with
 * the counts. SS_EDATA with a message (no position) when they do not; s
 * is then empty. SS_ENOMEM when the off-grid list cannot be stored. */
ss_status exam_hist_parse(const char *n, const char *sum_x100,
			  const char *sumsq_x10000, const char *bins,
			  const char *offgrid, stats_scores *s, ss_error *e);

#endif
