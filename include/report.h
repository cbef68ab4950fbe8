/* report — the Vietnamese report (report.pdf) a ward/commune education
 * office sends to the provincial Department of Education (Sở GD&ĐT).
 *
 * The report stage reads what the other stages wrote into OUTPUT_DIR:
 *   clean/schools.csv      names, levels, ownership, commune/district/
 *                          province (required)
 *   clean/sources.csv      rows read/accepted/rejected per input table
 *   clean/exam_hist.csv,   only to name the exam of the report year
 *   clean/exam_summary.csv
 *   clean/accreditation.csv, only whether the register was given
 *   indicators.csv, norms.csv, gaps.csv, validation.csv, rejects.csv,
 *   exam_histograms.csv, accreditation_schedule.csv,
 *   accreditation_trajectory.csv
 *                          (each optional: a section without its file says
 *                          so instead of printing figures)
 *   run_info.csv           key,value essentials of the run, written by
 *                          schoolstat-run before the report stage
 *                          (optional: without it, when the stage is run
 *                          by hand, there is no last page and no contents
 *                          entry for it)
 * and draws, with cairo (PDF surface) and Pango, an A4 portrait report:
 * cover, targets (the gaps.csv rows of the report year and later ones)
 * with the target chart and deadline trends, indicators per level, norms
 * with the norm chart, accreditation and national-standard schools (the
 * schools that must register for re-evaluation, the path to the share
 * target) with accr.h's two charts, exam results with score
 * distributions, data quality, a signature block, a per-school appendix
 * and, last, "Thông tin lần chạy" (program and version, input directory,
 * norm table, per input table its path, rows read/accepted/rejected and
 * the first 12 hex digits of its SHA-256, the validation counts;
 * manifest.json keeps the full hashes and the times). The charts are
 * chart.h's functions drawn straight onto the PDF surface (vectors);
 * numbers are formatted with fmt.h (Vietnamese style).
 * Every figure printed is read from those files; the renderer formats,
 * it never recomputes (gaps, shares and ratios come from the stages).
 *
 * Layout is two-pass: the whole document is first laid out onto a PDF
 * surface that discards its bytes, which fixes the page count and the page
 * of every section; the second pass draws the same layout into the file
 * with "Trang X/Y" footers and the table of contents filled in. Tables
 * paginate with their header repeated on every page and never split a row.
 *
 * Determinism: the PDF creation and modification dates come from
 * SOURCE_DATE_EPOCH when the caller passes it, else from the newest school
 * year in the data (1 January of the calendar year it ends in), never from
 * the clock (cairo 1.16 otherwise writes the current time); the same
 * inputs give the same bytes.
 *
 * The core never prints: functions return ss_status and fill ss_error.
 */
#ifndef SCHOOLSTAT_REPORT_H
#define SCHOOLSTAT_REPORT_H

#include <stddef.h>

#include "err.h"

/* ------------------------------------------------------------ labels */

/* How an indicator's values are printed. */
typedef enum report_unit {
	REPORT_UNIT_COUNT,   /* whole number with grouping: "6.707" */
	REPORT_UNIT_PERCENT, /* 0-100 with '%': "99,60%" */
	REPORT_UNIT_RATIO,   /* plain decimal: "39,87", "1,86" */
	REPORT_UNIT_SCORE    /* exam score on 0-10: "6,24" */
} report_unit;

/* The Vietnamese label of a full indicator name from the catalogue of
 * ind.h, suffix included, into buf (truncated like snprintf):
 *   "promotion_rate"              -> "Tỷ lệ lên lớp"
 *   "exam_mean:tieng_anh"         -> "Điểm TB môn Tiếng Anh"
 *   "exam_pass_rate:tuyen_sinh_10:toan"
 *                                 -> "Tỷ lệ đạt từ 5 điểm môn Toán (thi
 *                                     tuyển sinh lớp 10)"
 *   "cohort_dropout_rate:7"       -> "Tỷ lệ bỏ học theo khóa, lớp 7"
 *   "survival_rate_last_grade:thcs"
 *                                 -> "Tỷ lệ học đến lớp cuối cấp THCS"
 * An unknown subject keeps its name with '_' read as a space. Returns 1
 * when the base name is in the catalogue; 0 otherwise, buf then holding
 * the name unchanged. buf must not be NULL when size > 0. */
int report_indicator_label(const char *indicator, char *buf, size_t size);

/* The unit and number of decimals an indicator is printed with (counts 0,
 * everything else 2). Returns 1 when the base name is known; 0 otherwise
 * (then REPORT_UNIT_RATIO with 2 decimals). */
int report_indicator_unit(const char *indicator, report_unit *unit,
			  int *decimals);

/* Vietnamese names; NULL when the code is unknown. Static storage. */
const char *report_subject_label(const char *subject);  /* "Toán" */
const char *report_exam_label(const char *exam);  /* "Thi tuyển sinh lớp 10" */
const char *report_level_label(const char *level);      /* "Tiểu học" */
const char *report_ownership_label(const char *ownership); /* "Công lập" */
/* gaps.csv status: met -> "Đạt", not_met -> "Chưa đạt", no_data ->
 * "Không có số liệu". */
const char *report_status_label(const char *status);
/* A validation.csv code: "unknown_school" -> "Mã trường không có trong
 * danh sách trường". */
const char *report_code_label(const char *code);

/* ">=" -> "≥", "<=" -> "≤", "=" -> "="; "" for anything else. */
const char *report_op_symbol(const char *op);

/* ------------------------------------------------------------ formats */

/* v as an indicator's value: "99,60%", "6.707", "39,87". "–" (en dash)
 * when v is not finite. Returns buf. */
const char *report_format_value(const char *indicator, double v, char *buf,
				size_t size);

/* A value with the parts it was computed from, for ratios:
 * "99,60% (2.977/2.989)", "39,87 (2.990/75)". Parts are shown only when
 * has_parts is set and the indicator is a percentage or a ratio of counts
 * (not exam means, whose numerator is a sum of scores); counts never show
 * parts. Returns buf. */
const char *report_format_with_parts(const char *indicator, double v,
				     int has_parts, double numerator,
				     double denominator, char *buf,
				     size_t size);

/* actual - target with an explicit sign: "+0,10", "-0,08", "0,00" (a gap
 * that rounds to zero has no sign), at the indicator's decimals, without
 * '%' (a percentage gap is in percentage points). Returns buf. */
const char *report_format_gap(const char *indicator, double gap, char *buf,
			      size_t size);

/* A target as planned, trimmed: "≥ 99,5%", "= 75", "≤ 0,3%". */
const char *report_format_target(const char *indicator, const char *op,
				 double target, char *buf, size_t size);

/* ------------------------------------------------------------ places */

/* The place name for the date line of an administrative document: the
 * name without its kind ("Phường Hòa Bình" -> "Hòa Bình", "Xã Tân An" ->
 * "Tân An", "Thành phố Biên Hòa" -> "Biên Hòa"); other names unchanged.
 * Returns buf. */
const char *report_place_name(const char *unit, char *buf, size_t size);

/* The addressee line: "Sở Giáo dục và Đào tạo tỉnh Đồng Nai" from
 * "Tỉnh Đồng Nai" (the kind lower-cased inside the sentence); "Sở Giáo
 * dục và Đào tạo" when province is NULL or empty. Returns buf. */
const char *report_addressee(const char *province, char *buf, size_t size);

/* How the whole unit (scope "all") is named after the unit's kind:
 * "Phường ..." -> "Toàn phường", likewise xã, thị trấn, quận, huyện, thị
 * xã, thành phố, đặc khu, tỉnh; anything else (or NULL) -> "Toàn đơn
 * vị". Static storage. */
const char *report_all_label(const char *unit);

/* A date in the style of Nghị định 30/2020 for epoch seconds (UTC):
 * "ngày 01 tháng 6 năm 2025" (a day below 10 and the months 1 and 2 take
 * a leading zero). Returns buf. */
const char *report_date_words(long long epoch, char *buf, size_t size);

/* PDF metadata date "2025-06-01T00:00:00Z" for epoch seconds (UTC).
 * Returns buf (size >= 21). */
const char *report_iso_date(long long epoch, char *buf, size_t size);

/* Seconds from 1970-01-01 to 1 January of `year` 00:00 UTC. */
long long report_year_epoch(int year);

/* Parses SOURCE_DATE_EPOCH: decimal digits only, 0 .. 253402300799
 * (9999-12-31T23:59:59Z). SS_EUSAGE with a message naming the value
 * otherwise. */
ss_status report_parse_epoch(const char *s, long long *out, ss_error *e);

/* ------------------------------------------------------------ layout */

/* Plans a table over pages. The table starts where first_avail points
 * are left on the current page; every later page has page_avail points.
 * Each page the table touches carries the header (header_h) and then whole
 * rows: a row that does not fit goes to the next page, never split. A row
 * taller than page_avail - header_h gets a page of its own (the caller
 * clips it; the report limits cell lines so this does not happen). A
 * last page that would hold a single row (a widow) gets the last row of
 * the page before too, when that page keeps at least two rows.
 *
 * starts[k] receives the first row of the k-th page of the table (the
 * rows of page k are starts[k] .. starts[k+1]-1, the last page ending at
 * n); starts needs room for n entries. *fresh (may be NULL) is set to 1
 * when not even the header and the first row fit in first_avail, so the
 * table begins on a new page (the first page then holds nothing of it and
 * is not counted), else 0. Returns the number of pages the table's rows
 * are on; 0 when n == 0. Heights are in points and must be >= 0. */
size_t report_paginate(const double *row_h, size_t n, double header_h,
		       double first_avail, double page_avail, size_t *starts,
		       int *fresh);

/* How many rows from row_h[0] fit, with the header, into avail points
 * (whole rows only). */
size_t report_rows_fit(const double *row_h, size_t n, double header_h,
		       double avail);

/* Scales relative column weights w[0..n) to widths that sum to total
 * (points) into out; every weight must be > 0. Returns 1, or 0 (out
 * untouched) when n == 0, total <= 0 or a weight is not > 0. */
int report_column_widths(const double *w, size_t n, double total,
			 double *out);

/* Splits n findings into what a table shows and what it summarises: all
 * of them when n <= max_rows, else max_rows - 1 rows and one line "và N
 * mục khác" for the rest (so the table never exceeds max_rows rows).
 * Returns the number shown; *hidden gets the number left out. */
size_t report_truncate(size_t n, size_t max_rows, size_t *hidden);

/* ------------------------------------------------------------ stage */

typedef struct report_options {
	const char *unit;   /* --unit; NULL: derived from clean/schools.csv */
	const char *title;  /* --title; NULL: "Báo cáo thống kê giáo dục năm
			       học <year>" */
	const char *year;   /* --year "2024-2025"; NULL: the latest year in
			       indicators.csv */
	int has_epoch;      /* SOURCE_DATE_EPOCH given */
	long long epoch;
	size_t max_findings; /* rows of the findings table (0: 200) */
} report_options;

void report_options_init(report_options *o);

/* What was written, for the stage's summary line. */
typedef struct report_summary {
	int pages;
	char year[16];
} report_summary;

/* Writes OUTPUT_DIR/report.pdf: drawn into OUTPUT_DIR/report.pdf.tmp,
 * which is renamed only when the whole document is written, so a failure
 * never leaves a half report (the temporary file is removed). sum may be
 * NULL.
 * Errors: SS_EIO when an input cannot be read (clean/schools.csv missing)
 * or the output cannot be written (with strerror); SS_EDATA for a
 * malformed input table (file:line:column) or one without a column the
 * report needs; SS_EUSAGE for a malformed --year or a year without any
 * indicator row; SS_EINTERNAL when cairo fails; SS_ENOMEM. */
ss_status report_run(const char *outdir, const report_options *opt,
		     report_summary *sum, ss_error *e);

#endif
