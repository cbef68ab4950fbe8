/* report_priv — the report's page engine and data access, shared by the
 * report*.c files only (not part of the library's interface).
 *
 * rdoc is a flow of blocks (paragraphs, headings, tables, figures) on A4
 * pages with a footer "Trang X/Y". The same code runs twice: on a surface
 * that discards its bytes to learn the page count and the page of each
 * section, then on the real file with those numbers known. Drawing calls
 * after a failure do nothing; the first failure is kept in doc->status /
 * doc->err.
 */
#ifndef SCHOOLSTAT_REPORT_PRIV_H
#define SCHOOLSTAT_REPORT_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "chart.h"
#include "ctable.h"
#include "err.h"
#include "report.h"
#include "strmap.h"

/* ------------------------------------------------------------ helper */

/* One helper thread (report_worker.c). */
typedef void (*rtask_fn)(void *arg);

typedef struct rtask {
	rtask_fn fn;
	void *arg;
} rtask;

#define RPT_WORKER_QUEUE 16

typedef struct rworker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running, stop;
	rtask queue[RPT_WORKER_QUEUE];
	size_t head, tail;   /* tasks done, tasks given */
} rworker;

void rworker_init(rworker *w);
/* Starts the thread; -1 when it cannot (tasks then run in the caller). */
int rworker_start(rworker *w);
/* Runs fn(arg) on the thread, or at once in the caller when w is NULL or
 * not running. Returns what rworker_wait takes. */
size_t rworker_submit(rworker *w, rtask_fn fn, void *arg);
/* Waits until the task of ticket has run. */
void rworker_wait(rworker *w, size_t ticket);
/* Runs what is left, then stops the thread. */
void rworker_release(rworker *w);

/* ------------------------------------------------------------ pages */

/* A4 portrait in points; margins leave the left side wider for binding,
 * as administrative documents do. */
#define RPT_PAGE_W 595.276
#define RPT_PAGE_H 841.89
#define RPT_MARGIN_L 56.0
#define RPT_MARGIN_R 46.0
#define RPT_MARGIN_T 50.0
#define RPT_MARGIN_B 58.0

#define RPT_MAX_MARKS 16
#define RPT_CELL_MAX_LINES 10
/* A table at most this share of a page is never split across pages. */
#define RPT_KEEP_TABLE 0.4
/* The norm chart shows every school up to this many, else only those
 * missing a norm, at most RPT_CHART_MAX_SCHOOLS of them. */
#define RPT_CHART_ALL_SCHOOLS 50
#define RPT_CHART_MAX_SCHOOLS 100

typedef enum rface { RFACE_SERIF, RFACE_SANS } rface;

enum {
	RSTYLE_BOLD = 1,
	RSTYLE_ITALIC = 2,
	RSTYLE_MARKUP = 4,   /* text is Pango markup (already escaped) */
	RSTYLE_UNDERLINE = 8
};

typedef enum ralign { RALIGN_LEFT, RALIGN_CENTER, RALIGN_RIGHT } ralign;

typedef struct rfont {
	rface face;
	double size;
	int style;
} rfont;

/* Laid-out texts by their text, font, width, alignment and line limit:
 * a report draws the same few strings ("–", column titles, labels)
 * thousands of times and lays out every text twice (measuring, then
 * drawing), and Pango's shaping was most of a national report's time.
 * One Pango context serves both passes, so a layout made while measuring
 * draws in the second pass exactly as a fresh one would. */
typedef struct rtext rtext;  /* an entry (report_layout.c) */

#define RPT_FONT_DESCS 32

typedef struct rlayouts {
	PangoContext *pctx;  /* made from the first pass's cairo context */
	/* font descriptions by face, size and weight/style, made once */
	struct {
		rfont font;
		PangoFontDescription *desc;
	} desc[RPT_FONT_DESCS];
	size_t ndesc;
	rworker *worker;     /* the helper that lays out too, or NULL */
	PangoFontMap *fm;    /* pctx's, when the helper loads its fonts */
	size_t fm_ticket;    /* that task */
	PangoContext *wctx;  /* the helper's context (made and used there) */
	rtext **slot;        /* open addressing, NULL = free */
	size_t n, nslots;
} rlayouts;

void rlayouts_init(rlayouts *c);
/* Lets w's thread lay out table cells too (it makes its Pango context as
 * its first task). w must be stopped before c is released. */
void rlayouts_use_worker(rlayouts *c, rworker *w);
void rlayouts_release(rlayouts *c);

typedef struct rdoc {
	cairo_surface_t *surface;  /* borrowed */
	cairo_t *cr;
	PangoContext *pctx;        /* the layouts' (borrowed) */
	rlayouts *lay;             /* own_lay or the caller's */
	rlayouts own_lay;
	double pw, ph, ml, mr, mt, mb;
	double y;                  /* top of the free space on this page */
	int page;                  /* 1-based; 0 before the first page */
	int total;                 /* page count; 0 while measuring */
	char footer[1024];         /* left part of every footer */
	chart_style chart;
	ss_status status;          /* first failure */
	ss_error err;
	int marks[RPT_MAX_MARKS];  /* page of each section in this pass */
	const int *known_marks;    /* pages from the measuring pass, or NULL */
	int tables, figures;       /* numbering of captions */
} rdoc;

/* Starts a document on surface (a PDF surface of RPT_PAGE_W x RPT_PAGE_H);
 * total is the known page count, 0 when measuring. Check doc->status. */
void rdoc_init(rdoc *d, cairo_surface_t *surface, int total,
	       const int *known_marks);
/* The same with the layouts of lay (kept by the caller across passes;
 * it must outlive the document). */
void rdoc_init_shared(rdoc *d, cairo_surface_t *surface, int total,
		      const int *known_marks, rlayouts *lay);
/* Ends the last page (footer, show_page) and releases the cairo and
 * Pango objects; returns doc->status, or SS_EINTERNAL if cairo failed. */
ss_status rdoc_finish(rdoc *d);
void rdoc_release(rdoc *d);

/* Records a failure (the first one wins). */
void rdoc_fail(rdoc *d, const ss_error *e);

double rdoc_width(const rdoc *d);       /* between the margins */
double rdoc_bottom(const rdoc *d);      /* y of the bottom margin */
double rdoc_avail(const rdoc *d);       /* points left on this page */
/* Height of the body of an empty page. */
double rdoc_page_body(const rdoc *d);

void rdoc_new_page(rdoc *d);
/* Starts a new page unless h points are left (or the page is empty). */
void rdoc_ensure(rdoc *d, double h);
void rdoc_space(rdoc *d, double h);
/* Records the current page as the page of mark i; returns the page of
 * mark i known from the measuring pass (0 while measuring). */
int rdoc_mark(rdoc *d, int i);
int rdoc_known_mark(const rdoc *d, int i);

/* A laid-out text of `width` points (<= 0: one unbounded line per '\n'),
 * at most max_lines lines (0: no limit), ellipsized beyond. The caller
 * unrefs it with g_object_unref and must not change it (it is shared
 * through d->lay). */
PangoLayout *rdoc_layout(rdoc *d, const rfont *f, const char *text,
			 double width, ralign align, int max_lines);
/* Logical height / width of a layout in points. */
double rdoc_layout_height(PangoLayout *l);
double rdoc_layout_width(PangoLayout *l);
/* Draws l with its top-left at (x, y) in colour rgb. */
void rdoc_draw_layout(rdoc *d, PangoLayout *l, double x, double y,
		      double r, double g, double b);
/* Height a text takes at width. */
double rdoc_text_height(rdoc *d, const rfont *f, const char *text,
			double width, int max_lines);
/* Draws a text at (x, y) in black; returns its height. */
double rdoc_text_at(rdoc *d, const rfont *f, const char *text, double x,
		    double y, double width, ralign align);

/* A paragraph across the text width (minus indent on the left), kept on
 * one page; space_after points follow it. */
void rdoc_par(rdoc *d, const rfont *f, ralign align, double indent,
	      const char *text, double space_after);
/* A section heading, kept with the next `keep` points. */
void rdoc_heading(rdoc *d, const char *text, double size, double keep);

/* A figure: `height` points of chart drawn by fn across the text width,
 * then "Biểu đồ N. caption" below it; kept on one page. Data the chart
 * refuses (SS_EUSAGE, before drawing) leave a note in its place; other
 * failures stop the document. */
void rdoc_figure(rdoc *d, double height, const char *caption,
		 chart_draw_fn fn, const void *data);

/* ------------------------------------------------------------ tables */

typedef struct rcol {
	const char *title;
	double weight;       /* relative width */
	ralign align;
} rcol;

/* A title over a run of columns (a second header line above theirs). */
typedef struct rspan {
	const char *title;
	size_t first, n;
} rspan;

typedef struct rcell {
	char *text;          /* owned; NULL = empty */
	int markup;          /* text is Pango markup */
	int bold;
	int has_color;
	chart_color color;
	chart_marker marker; /* CHART_MARK_NONE: none */
} rcell;

enum { RROW_BODY, RROW_TOTAL, RROW_GROUP };

typedef struct rrow {
	rcell *cell;
	int kind;            /* RROW_GROUP: cell[0] spans the whole row */
} rrow;

typedef struct rtable {
	const rcol *cols;
	size_t ncols;
	const rspan *spans;
	size_t nspans;
	double font_size;
	rrow *rows;
	size_t nrows, cap;
	int oom;             /* an allocation failed: drawing reports it */
} rtable;

void rtable_init(rtable *t, const rcol *cols, size_t ncols,
		 double font_size);
void rtable_release(rtable *t);
/* Appends a row; returns its index (on failure t->oom is set and the
 * returned index is not usable: the setters ignore it). */
size_t rtable_add(rtable *t, int kind);
void rtable_set(rtable *t, size_t row, size_t col, const char *text);
void rtable_setf(rtable *t, size_t row, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets Pango markup (the caller escapes data with g_markup_escape_text). */
void rtable_set_markup(rtable *t, size_t row, size_t col,
		       const char *markup);
void rtable_style(rtable *t, size_t row, size_t col, int bold,
		  int has_color, chart_color color, chart_marker marker);

/* Draws the table from the current position with caption "Bảng N.
 * caption" (caption may be NULL: no caption, no number), paginated:
 * header repeated on every page, rows never split. */
void rdoc_table(rdoc *d, const rtable *t, const char *caption);

/* ------------------------------------------------------------ data */

/* One number row of indicators.csv. */
typedef struct rval {
	int has_value, has_num, has_den;
	double value, num, den;
} rval;

/* One row of norms.csv. */
typedef struct rnorm {
	int has_value, has_limit, has_shortfall;
	double value, limit;
	long long shortfall;
	const char *status;  /* "ok", "below", "above" or "" */
} rnorm;

/* Strings interned once: every equal string gets the same id and the
 * same pointer, so the big tables hold ids and compare them as numbers. */
typedef struct rpool {
	char **str;          /* id -> string */
	uint32_t *hash;      /* id -> its hash */
	size_t n, cap;
	uint32_t *slots;     /* open addressing: id + 1, 0 = free */
	size_t nslots;
	char *block;         /* the newest block of text; each block starts
				with a pointer to the one before */
	size_t block_used, block_size;
} rpool;

void rpool_init(rpool *p);
void rpool_release(rpool *p);
/* The id of s, added when new; -1 when out of memory. */
long rpool_add(rpool *p, const char *s);
/* The id of s, or -1 when it was never added. */
long rpool_find(const rpool *p, const char *s);

#define RIND_VALUE 1u
#define RIND_NUM 2u
#define RIND_DEN 4u

/* A row of indicators.csv: its cells as ids of rdata.strs and its
 * numbers parsed once (the national file has some 300,000 rows; they are
 * kept in 40 bytes each instead of as text). */
typedef struct rind_row {
	uint32_t year, scope, indicator;
	uint32_t has;        /* RIND_* of the numbers present */
	double value, num, den;
} rind_row;

/* A row of exam_histograms.csv with scope "all", the only ones the report
 * draws (the others, per level and per school, stay in the file). */
typedef struct rhist_row {
	uint32_t year, subject; /* ids of rdata.aux */
	int has_width, has_low, has_high, has_count;
	double width, low, high, count;
} rhist_row;

/* The exams of one school year in clean/exam_hist.csv or
 * clean/exam_summary.csv: the first named on a row of that year, and
 * whether another one is. */
typedef struct rexam_year {
	uint32_t year, exam; /* ids of rdata.aux */
	int many;
} rexam_year;

typedef struct rexam_list {
	rexam_year *item;
	size_t n, cap;
} rexam_list;

/* The pipeline's outputs as the report reads them. Tables that are absent
 * have has_* = 0 and zero rows. */
typedef struct rdata {
	char *outdir;
	ctable schools, norms, gaps, valid, rejects, sources;
	ctable info;         /* run_info.csv (key,value), written by
				schoolstat-run; absent when the report
				stage is run by hand */
	int has_ind, has_norms, has_gaps, has_valid, has_rejects, has_hist,
	    has_sources, has_info;
	rpool strs;          /* the cells of indicators.csv */
	rpool aux;           /* those of the exam tables, read by the
				helper thread at the same time */
	rind_row *ind;       /* indicators.csv, in file order */
	size_t nind, ind_cap;
	uint32_t *ind_slots; /* (year, scope, indicator) -> first row + 1 */
	size_t ind_nslots;
	rhist_row *hist;     /* exam_histograms.csv, scope "all" */
	size_t nhist, hist_cap;
	rexam_list exams[2]; /* clean/exam_hist.csv, clean/exam_summary.csv */
	/* The report year's exam_candidates rows: their scopes, and the
	 * indicators of those with scope "all", each once in file order
	 * (ids of strs; section V asks for them in both passes). */
	uint32_t *exam_scope, *exam_subject;
	size_t n_exam_scope, n_exam_subject;
	strmap norm_idx;     /* "year\x1fscope\x1fnorm" -> row */
	strmap school_idx;   /* school_id -> row of schools */
	char year[16];       /* the report's school year, "" when none */
	char latest[16];     /* newest school year in the data, "" when none */
	char *unit;          /* the reporting unit's name */
	int unit_derived;    /* 1: from clean/schools.csv */
	const char *commune, *district, *province; /* shared by all schools,
						      else NULL */
} rdata;

void rdata_init(rdata *r);
void rdata_release(rdata *r);

/* Loads the tables of outdir (see report.h) and settles the year and the
 * unit from opt. Errors as report_run. */
ss_status rdata_load(rdata *r, const char *outdir, const report_options *opt,
		     ss_error *e);
/* The same, reading the exam tables on w's thread (w may be NULL). */
ss_status rdata_load_with(rdata *r, const char *outdir,
			  const report_options *opt, rworker *w, ss_error *e);

/* The indicator row (year, scope, indicator); 1 when present. */
int rdata_ind(const rdata *r, const char *year, const char *scope,
	      const char *indicator, rval *out);
/* The same by ids of r->strs (-1: a string no table holds). */
int rdata_ind_id(const rdata *r, long year, long scope, long indicator,
		 rval *out);
/* The interned string of an id of r->strs. */
const char *rdata_str(const rdata *r, uint32_t id);
/* The id of s in r->strs, or -1 when no table holds it. */
long rdata_str_id(const rdata *r, const char *s);
/* The same for r->aux (the exam tables). */
const char *rdata_aux_str(const rdata *r, uint32_t id);
long rdata_aux_id(const rdata *r, const char *s);
/* The norm row; 1 when present. */
int rdata_norm(const rdata *r, const char *year, const char *scope,
	       const char *norm, rnorm *out);

/* The value of key in run_info.csv (the first row with that key), or NULL
 * when the file or the key is absent. An empty value is returned as "". */
const char *rdata_info(const rdata *r, const char *key);

/* A cell by column name ("" when the column or row is missing). */
const char *rdata_cell(const ctable *t, size_t row, const char *col);
/* A number cell: 1 and *out when it holds a number, else 0. */
int rdata_num(const ctable *t, size_t row, const char *col, double *out);

/* How a scope is shown: a school's name, "Cấp tiểu học", "Toàn phường",
 * the name of a commune/district/province scope. Returns buf. */
const char *rdata_scope_label(const rdata *r, const char *scope, char *buf,
			      size_t size);
/* Row of a school in r->schools, or -1. */
long rdata_school(const rdata *r, const char *id);

/* 1 when gaps.csv row i is a target of the report year or a later one
 * (earlier years' plans are not reported again). */
int rdata_target_current(const rdata *r, size_t i);

/* ------------------------------------------------------------ sections */

/* Section marks (the table of contents on the cover). */
enum {
	MARK_TARGETS,
	MARK_LEVELS,
	MARK_NORMS,
	MARK_ACCR,
	MARK_EXAM,
	MARK_QUALITY,
	MARK_APPENDIX,
	MARK_RUNINFO,   /* only when run_info.csv is present */
	MARK_COUNT
};

/* What the section writers share. */
typedef struct rctx {
	rdoc *d;
	rlayouts *lay;       /* shared by the passes; NULL: the document's */
	const rdata *r;
	const report_options *opt;
	char title[512];
	char all[64];        /* how scope "all" is named */
	char exam_title[160]; /* "Kết quả thi tuyển sinh lớp 10" */
	long long epoch;     /* the data date */
	int epoch_given;     /* from SOURCE_DATE_EPOCH */
} rctx;

/* Body text fonts. */
extern const rfont rpt_body, rpt_small, rpt_note;

void rpt_section_targets(rctx *c);
void rpt_section_levels(rctx *c);
void rpt_section_norms(rctx *c);
/* Section IV (report_accr.c): accreditation and national-standard
 * schools from accreditation_schedule.csv, accreditation_trajectory.csv,
 * indicators.csv and gaps.csv. */
void rpt_section_accr(rctx *c);
void rpt_section_exam(rctx *c);
void rpt_section_quality(rctx *c);
void rpt_appendix(rctx *c);
/* The last page (report_runinfo.c): the run's essentials from
 * run_info.csv. Draws nothing when the file is absent. */
void rpt_section_runinfo(rctx *c);

/* run_info.csv's cells as printed (pure; report_runinfo.c). */

/* A count: digits only (at most 18) -> grouped Vietnamese style ("1167"
 * -> "1.167", "0" -> "0"); NULL or "" (unknown) -> "—" (em dash); any
 * other text is copied as written. Returns buf. */
const char *rpt_info_count(const char *cell, char *buf, size_t size);

/* A SHA-256 shortened for print: its first 12 characters when they are
 * hex digits ("583abec76140" from the 64 of the file); NULL or "" -> "—";
 * anything else is copied as written. Returns buf. */
const char *rpt_info_hash(const char *hex, char *buf, size_t size);

/* 1 when key is "table:<file>:path" with a non-empty <file>, which is
 * copied into file (truncated like snprintf); 0 otherwise. */
int rpt_info_table(const char *key, char *file, size_t size);

/* Section IV's formats (pure; report_accr.c). */

/* "2025-05-31" -> "31/05/2025"; any other text (NULL as "") is copied as
 * written. Returns buf. */
const char *rpt_accr_date(const char *iso, char *buf, size_t size);

/* What a school of accreditation_schedule.csv must do, from its
 * next_action, status, expires_on, action_by and days_to_register cells:
 * with brief, a table cell ("Đăng ký ngay để công nhận lại (đã quá hạn 31
 * ngày)"); else the clause after the school's name ("đã quá hạn đăng ký
 * đánh giá lại (hạn ngày 30/04/2025, đã quá 31 ngày), đăng ký ngay; công
 * nhận còn hiệu lực đến hết ngày 30/09/2025"). "" for none; an action it
 * does not know as written. Returns buf. */
const char *rpt_accr_todo(const char *next_action, const char *status,
			  const char *expires_on, const char *action_by,
			  const char *days, int brief, char *buf, size_t size);

/* Orders schools by registration deadline (ISO dates; empty, never
 * recognised, last), then by row: < 0, 0, > 0 like strcmp. */
int rpt_accr_deadline_cmp(const char *a, size_t row_a, const char *b,
			  size_t row_b);

/* The linear trend of gaps.csv (its on_track cell) beside today's
 * standard recognitions still in force at the deadline if none is
 * renewed: 0 no trend; 1 on track, and those already meet `required`; 2
 * on track, but expiries leave fewer than required; 3 not on track. */
int rpt_accr_verdict(const char *on_track, long long valid_at_deadline,
		     long long required);

/* The levels of a schedule history's last entry: "2021-06-10 3/1" ->
 * "cấp độ 3, đạt chuẩn mức độ 1", "2019-11-20 1/0" -> "cấp độ 1, chưa đạt
 * chuẩn"; "" when it has not that form. Returns buf. */
const char *rpt_accr_levels(const char *history, char *buf, size_t size);

/* A section heading "I. TITLE" that records its mark. */
void rpt_heading(rctx *c, int mark, const char *text);
/* A subsection heading "1. Title" in bold italic. */
void rpt_subheading(rctx *c, const char *text);
/* A bullet line "- text" in body type. */
void rpt_bullet(rctx *c, const char *text);
/* Copies s upper-cased (Vietnamese letters included) into buf. */
const char *rpt_upper(const char *s, char *buf, size_t size);

/* Paragraph and failure helpers the sections share (report_sections.c). */
void rpt_fail_oom(rctx *c);
void rpt_par_note(rctx *c, const char *text);
void rpt_par_body(rctx *c, const char *text);

#endif
