/* report_accr — section IV of the report: quality accreditation (kiểm định
 * chất lượng giáo dục) and national-standard schools (trường đạt chuẩn
 * quốc gia). It reads what the accreditation stage wrote:
 *   accreditation_schedule.csv    through accr_charts_load, which keeps
 *                                 the table and builds the two charts
 *   accreditation_trajectory.csv  the path to each standard-share target
 * and the accreditation rows of indicators.csv and gaps.csv (rdata). Like
 * the other sections it formats and never computes: every number printed
 * is a cell of those files; sorting rows and counting them is the only
 * arithmetic. Files are read in each of the two layout passes (they are
 * small) so that rdata, shared with the other sections, stays as it is. */
#include "report_priv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "accr.h"
#include "fmt.h"

#define LABEL_MAX 256
/* Bullets name each school up to this many, else a sentence counts them. */
#define ACCR_MAX_BULLETS 20

/* ------------------------------------------------------------ helpers */

const char *rpt_accr_date(const char *iso, char *buf, size_t size)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	if (!iso)
		iso = "";
	for (i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !(iso[i] >= '0' && iso[i] <= '9')
				    : iso[i] != shape[i])
			break;
	if (i == sizeof shape - 1 && iso[i] == '\0')
		snprintf(buf, size, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(buf, size, "%s", iso);
	return buf;
}

/* days_to_register as a number of days: 1 and *out for an integer of at
 * most a million days either way (whatever the register holds), else 0. */
static int parse_days(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < -1000000L || v > 1000000L)
		return 0;
	*out = v;
	return 1;
}

const char *rpt_accr_todo(const char *next_action, const char *status,
			  const char *expires_on, const char *action_by,
			  const char *days, int brief, char *buf, size_t size)
{
	char exp[32], by[32], left[64] = "";
	long n = 0;
	int has_days = parse_days(days, &n);

	rpt_accr_date(expires_on, exp, sizeof exp);
	rpt_accr_date(action_by, by, sizeof by);
	if (strcmp(next_action, "none") == 0 || !*next_action) {
		snprintf(buf, size, "%s", "");
	} else if (strcmp(next_action, "first_recognition") == 0) {
		snprintf(buf, size, "%s",
			 brief ? "Đăng ký đánh giá ngoài để được công nhận "
				 "lần đầu"
			       : "đăng ký đánh giá ngoài để được công nhận lần "
				 "đầu");
	} else if (strcmp(next_action, "renewal") != 0) {
		snprintf(buf, size, "%s", next_action);
	} else if (strcmp(status, "expired") == 0 || !*action_by) {
		/* a lapsed recognition has no deadline left: act now */
		if (brief)
			snprintf(buf, size, "Đăng ký đánh giá ngoài để công "
					    "nhận lại ngay (đã hết hiệu lực)");
		else
			snprintf(buf, size,
				 "công nhận đã hết hiệu lực (hiệu lực đến hết "
				 "ngày %s), đăng ký đánh giá ngoài để công "
				 "nhận lại ngay",
				 exp);
	} else if (strcmp(status, "overdue") == 0 || (has_days && n < 0)) {
		if (has_days && n < 0)
			snprintf(left, sizeof left, "%s %ld ngày",
				 brief ? "" : ",", -n);
		if (brief)
			snprintf(buf, size,
				 "Đăng ký ngay để công nhận lại (đã quá hạn%s)",
				 left);
		else
			snprintf(buf, size,
				 "đã quá hạn đăng ký đánh giá lại (hạn ngày %s%s%s), "
				 "đăng ký ngay; công nhận còn hiệu lực đến hết "
				 "ngày %s",
				 by, *left ? ", đã quá" : "", *left ? left + 1 : "",
				 exp);
	} else {
		if (has_days && n > 0)
			snprintf(left, sizeof left, " (còn %ld ngày)", n);
		else if (has_days)
			snprintf(left, sizeof left,
				 " (hạn cuối là ngày tham chiếu)");
		if (brief)
			snprintf(buf, size,
				 "Đăng ký đánh giá ngoài để công nhận lại%s",
				 left);
		else
			snprintf(buf, size,
				 "đăng ký đánh giá ngoài để công nhận lại chậm "
				 "nhất ngày %s%s; công nhận còn hiệu lực đến hết "
				 "ngày %s",
				 by, left, exp);
	}
	return buf;
}

int rpt_accr_deadline_cmp(const char *a, size_t row_a, const char *b,
			  size_t row_b)
{
	int c;

	/* schools without a deadline (never recognised) come last */
	if (!*a != !*b)
		return *a ? -1 : 1;
	/* ISO dates compare as text */
	c = strcmp(a, b);
	if (c)
		return c < 0 ? -1 : 1;
	return row_a < row_b ? -1 : row_a > row_b;
}

int rpt_accr_verdict(const char *on_track, long long valid_at_deadline,
		     long long required)
{
	if (strcmp(on_track, "no") == 0)
		return 3;
	if (strcmp(on_track, "yes") != 0)
		return 0;
	return valid_at_deadline >= required ? 1 : 2;
}

/* A level of the history: one digit 0-9 then the end of the field. */
static int history_level(const char *s, const char *end, int *out)
{
	if (end - s != 1 || *s < '0' || *s > '9')
		return 0;
	*out = *s - '0';
	return 1;
}

const char *rpt_accr_levels(const char *history, char *buf, size_t size)
{
	const char *last = strrchr(history ? history : "", ';');
	const char *sp, *slash, *end;
	int q, st;

	buf[0] = '\0';
	last = last ? last + 1 : (history ? history : "");
	while (*last == ' ')
		last++;
	sp = strchr(last, ' ');
	slash = sp ? strchr(sp, '/') : NULL;
	end = slash ? slash + strlen(slash) : NULL;
	while (end && end > slash + 1 && end[-1] == ' ')
		end--;
	if (!sp || !slash || !history_level(sp + 1, slash, &q) ||
	    !history_level(slash + 1, end, &st))
		return buf;
	if (q > 0 && st > 0)
		snprintf(buf, size, "cấp độ %d, đạt chuẩn mức độ %d", q, st);
	else if (q > 0)
		snprintf(buf, size, "cấp độ %d, chưa đạt chuẩn", q);
	else if (st > 0)
		snprintf(buf, size, "đạt chuẩn mức độ %d", st);
	return buf;
}

/* The first letter of s in lower case, for a label inside a sentence
 * ("Toàn phường" -> "toàn phường"). */
static void lower_first(char *s, size_t size)
{
	gunichar ch = g_utf8_get_char_validated(s, -1);
	char enc[8], tmp[LABEL_MAX];
	int n;

	if (ch == (gunichar)-1 || ch == (gunichar)-2 || ch == 0)
		return;
	n = g_unichar_to_utf8(g_unichar_tolower(ch), enc);
	snprintf(tmp, sizeof tmp, "%.*s%s", n, enc, g_utf8_next_char(s));
	snprintf(s, size, "%s", tmp);
}

/* ------------------------------------------------------------ data */


typedef struct accr_sec {
	rctx *c;
	accr_charts charts;  /* charts.table is the schedule */
	ctable traj;
	int has_traj;
	char ref[32];        /* reference date, dd/mm/yyyy */
} accr_sec;

static const char *const schedule_cols[] = {
	"school_id", "name", "status", "quality_level", "standard_level",
	"recognized_on", "kind", "expires_on", "register_by",
	"days_to_register", "next_action", "action_by", "next_due",
	"plan_check", "history", NULL
};

static const char *const traj_cols[] = {
	"scope", "indicator", "op", "target", "deadline", "year",
	"measured_on", "basis", "schools", "required", "path",
	"valid_no_renewal", "expiring", "to_recognize", "planned_valid",
	"src_line", NULL
};

static ss_status need_columns(const ctable *t, const char *const *cols,
			      ss_error *e)
{
	for (; *cols; cols++)
		if (ctable_col(t, *cols) < 0)
			return err_set(e, SS_EDATA, t->path, 1, 0,
				       "missing column '%s' (expected it in "
				       "the header written by the pipeline)",
				       *cols);
	return SS_OK;
}

/* 1 when outdir/name exists; a path that cannot be built counts as
 * absent. */
static int file_exists(const char *outdir, const char *name)
{
	char path[4096];
	struct stat sb;

	if (snprintf(path, sizeof path, "%s/%s", outdir, name) >=
	    (int)sizeof path)
		return 0;
	return stat(path, &sb) == 0;
}

static ss_status load_traj(accr_sec *s, ss_error *e)
{
	const char *dir = s->c->r->outdir;
	size_t n = strlen(dir) + sizeof "/accreditation_trajectory.csv";
	char *path = malloc(n);
	struct stat sb;
	ss_status st;

	if (!path)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	snprintf(path, n, "%s/accreditation_trajectory.csv", dir);
	/* absent is said in the text; a file that is there but cannot be
	 * read is an error, as for the other inputs */
	if (stat(path, &sb) != 0 && errno == ENOENT) {
		free(path);
		return SS_OK;
	}
	s->has_traj = 1;
	st = ctable_load(&s->traj, path, e);
	free(path);
	if (st == SS_OK)
		st = need_columns(&s->traj, traj_cols, e);
	return st;
}

static const char *cell(const accr_sec *s, size_t row, const char *col)
{
	return rdata_cell(&s->charts.table, row, col);
}

/* A count as the files write it: 1 and *out for a finite number of at
 * most 1e15 (converting anything else would be undefined), else 0. */
static int as_count(double v, long long *out)
{
	if (!isfinite(v) || fabs(v) > 1e15)
		return 0;
	*out = (long long)v;
	return 1;
}

/* A count cell of a table: "7", "–" when empty. */
static const char *count_of(const ctable *t, size_t row, const char *col,
			    char *buf, size_t size)
{
	long long n;
	double v;

	if (!rdata_num(t, row, col, &v) || !as_count(v, &n))
		return "–";
	return fmt_count(n, buf, size);
}

/* A count cell as a number: 1 and *out, else 0. */
static int count_num(const ctable *t, size_t row, const char *col,
		     long long *out)
{
	double v;

	return rdata_num(t, row, col, &v) && as_count(v, out);
}

/* ------------------------------------------------------------ 1. state */

static const char *const level_codes[] = { "mam_non", "tieu_hoc", "thcs",
					   "thpt", "th_thcs", "thcs_thpt" };

/* The numerator of an indicator row as a count, or -1. */
static long long numerator_of(const rdata *r, const char *scope,
			      const char *ind)
{
	rval v;

	long long n;

	if (!rdata_ind(r, r->year, scope, ind, &v) || !v.has_num ||
	    !as_count(v.num, &n))
		return -1;
	return n;
}

static const char *share_of(const rdata *r, const char *scope,
			    const char *ind, char *buf, size_t size)
{
	rval v;

	if (!rdata_ind(r, r->year, scope, ind, &v) || !v.has_value)
		return "–";
	return report_format_with_parts(ind, v.value, v.has_num && v.has_den,
					v.num, v.den, buf, size);
}

static const char *count_ind(const rdata *r, const char *scope,
			     const char *ind, char *buf, size_t size)
{
	rval v;

	if (!rdata_ind(r, r->year, scope, ind, &v) || !v.has_value)
		return "–";
	return report_format_value(ind, v.value, buf, size);
}

/* "trong đó mức độ 1: 5 trường, mức độ 2: 2 trường" from the :k rows
 * (levels without a school left out); "" when none has one. */
static void by_level(const rdata *r, const char *base, const char *word,
		     int kmax, char *buf, size_t size)
{
	size_t pos = 0;
	int k;

	buf[0] = '\0';
	for (k = 1; k <= kmax && pos < size; k++) {
		char ind[LABEL_MAX], num[FMT_BUF_SIZE];
		long long n;

		snprintf(ind, sizeof ind, "%s:%d", base, k);
		n = numerator_of(r, "all", ind);
		if (n <= 0)
			continue;
		pos += (size_t)snprintf(buf + pos, size - pos, "%s%s %d: %s "
					"trường",
					pos ? ", " : ", trong đó ", word, k,
					fmt_count(n, num, sizeof num));
	}
}

static void state_text(accr_sec *s)
{
	rctx *c = s->c;
	const rdata *r = c->r;
	char buf[2048], a[128], b[128], lv[512];
	char nv[FMT_BUF_SIZE], ne[FMT_BUF_SIZE], nx[FMT_BUF_SIZE],
		no[FMT_BUF_SIZE];
	rval v;

	if (!r->has_ind) {
		rpt_par_body(c, "Chưa có số liệu chỉ số (thiếu tệp indicators.csv).");
		return;
	}
	if (!rdata_ind(r, r->year, "all", "standard_school_share", &v)) {
		snprintf(buf, sizeof buf,
			 "Năm học %s chưa có chỉ số về trường đạt chuẩn quốc "
			 "gia trong tệp indicators.csv.",
			 r->year);
		rpt_par_body(c, buf);
		return;
	}
	share_of(r, "all", "standard_school_share", a, sizeof a);
	by_level(r, "standard_school_share", "mức độ", 2, lv, sizeof lv);
	if (rdata_ind(r, r->year, "all", "standard_school_share_public", &v))
		snprintf(buf, sizeof buf,
			 "Tỷ lệ trường đạt chuẩn quốc gia (công nhận còn hiệu "
			 "lực) cuối năm học %s: %s%s; riêng trường công lập: "
			 "%s.",
			 r->year, a, lv,
			 share_of(r, "all", "standard_school_share_public", b,
				  sizeof b));
	else
		snprintf(buf, sizeof buf,
			 "Tỷ lệ trường đạt chuẩn quốc gia (công nhận còn hiệu "
			 "lực) cuối năm học %s: %s%s.",
			 r->year, a, lv);
	rpt_par_body(c, buf);
	if (rdata_ind(r, r->year, "all", "quality_level_share", &v)) {
		share_of(r, "all", "quality_level_share", a, sizeof a);
		by_level(r, "quality_level_share", "cấp độ", 4, lv, sizeof lv);
		snprintf(buf, sizeof buf,
			 "Tỷ lệ trường đạt kiểm định chất lượng giáo dục (từ "
			 "cấp độ 1 trở lên, còn hiệu lực): %s%s.",
			 a, lv);
		rpt_par_body(c, buf);
	}
	if (rdata_ind(r, r->year, "all", "accreditation_valid", &v)) {
		count_ind(r, "all", "accreditation_valid", nv, sizeof nv);
		count_ind(r, "all", "accreditation_overdue", no, sizeof no);
		count_ind(r, "all", "accreditation_expired", nx, sizeof nx);
		count_ind(r, "all", "accreditation_expiring", ne, sizeof ne);
		snprintf(buf, sizeof buf,
			 "Tình trạng công nhận (kiểm định hoặc chuẩn quốc gia): "
			 "%s trường còn hiệu lực, trong đó %s trường đã quá hạn "
			 "đăng ký đánh giá lại; %s trường đã hết hiệu lực; %s "
			 "trường có thời hạn công nhận kết thúc trong năm học "
			 "%s hoặc năm học sau.",
			 nv, no, nx, ne, r->year);
		rpt_par_body(c, buf);
	}
}

static const rcol level_cols[] = {
	{ "Cấp học", 0.15, RALIGN_LEFT },
	{ "Số trường", 0.065, RALIGN_RIGHT },
	{ "Tỷ lệ", 0.115, RALIGN_RIGHT },
	{ "Mức độ 1", 0.065, RALIGN_RIGHT },
	{ "Mức độ 2", 0.065, RALIGN_RIGHT },
	{ "Riêng công lập", 0.115, RALIGN_RIGHT },
	{ "Đạt kiểm định chất lượng", 0.115, RALIGN_RIGHT },
	{ "Còn hiệu lực", 0.07, RALIGN_RIGHT },
	{ "Quá hạn đăng ký", 0.08, RALIGN_RIGHT },
	{ "Đã hết hiệu lực", 0.08, RALIGN_RIGHT },
	{ "Hết hạn năm này, năm sau", 0.08, RALIGN_RIGHT },
};

static const rspan level_spans[] = {
	{ "Đạt chuẩn quốc gia", 2, 4 },
	{ "Số trường theo tình trạng công nhận", 7, 4 },
};

/* One row of the level table; 0 when the scope has no share row. */
static int level_row(accr_sec *s, rtable *t, const char *scope, int kind)
{
	const rdata *r = s->c->r;
	static const char *const counts[] = {
		"accreditation_valid", "accreditation_overdue",
		"accreditation_expired", "accreditation_expiring"
	};
	char buf[LABEL_MAX];
	size_t k, j;
	long long n;
	rval v;

	if (!rdata_ind(r, r->year, scope, "standard_school_share", &v))
		return 0;
	k = rtable_add(t, kind);
	rtable_set(t, k, 0, rdata_scope_label(r, scope, buf, sizeof buf));
	if (v.has_den && as_count(v.den, &n))
		rtable_set(t, k, 1, fmt_count(n, buf, sizeof buf));
	else
		rtable_set(t, k, 1, "–");
	rtable_set(t, k, 2, share_of(r, scope, "standard_school_share", buf,
				     sizeof buf));
	n = numerator_of(r, scope, "standard_school_share:1");
	rtable_set(t, k, 3, n >= 0 ? fmt_count(n, buf, sizeof buf) : "–");
	n = numerator_of(r, scope, "standard_school_share:2");
	rtable_set(t, k, 4, n >= 0 ? fmt_count(n, buf, sizeof buf) : "–");
	rtable_set(t, k, 5, share_of(r, scope, "standard_school_share_public",
				     buf, sizeof buf));
	rtable_set(t, k, 6, share_of(r, scope, "quality_level_share", buf,
				     sizeof buf));
	for (j = 0; j < sizeof counts / sizeof counts[0]; j++) {
		rtable_set(t, k, 7 + j, count_ind(r, scope, counts[j], buf,
						  sizeof buf));
		/* what needs the office's attention stands out */
		if (j >= 1 && j <= 2 && rdata_ind(r, r->year, scope, counts[j],
						  &v) &&
		    v.has_value && v.value > 0)
			rtable_style(t, k, 7 + j, 1, 1, CHART_VERMILLION,
				     CHART_MARK_NONE);
	}
	return 1;
}

static void level_table(accr_sec *s)
{
	const rdata *r = s->c->r;
	char scope[64], buf[256];
	size_t i, rows = 0;
	rtable t;

	if (!r->has_ind)
		return;
	rtable_init(&t, level_cols, 11, 7.0);
	t.spans = level_spans;
	t.nspans = 2;
	for (i = 0; i < sizeof level_codes / sizeof level_codes[0]; i++) {
		snprintf(scope, sizeof scope, "level:%s", level_codes[i]);
		rows += (size_t)level_row(s, &t, scope, RROW_BODY);
	}
	rows += (size_t)level_row(s, &t, "all", RROW_TOTAL);
	if (rows) {
		snprintf(buf, sizeof buf,
			 "Trường đạt chuẩn quốc gia và kiểm định chất lượng "
			 "theo cấp học, năm học %s",
			 r->year);
		rdoc_table(s->c->d, &t, buf);
		rpt_par_note(s->c, "Tỷ lệ kèm số trường/tổng số trường của cấp học "
			   "(gồm cả trường tư thục; cột “Riêng công lập” chỉ "
			   "tính trường công lập). Chỉ tính công nhận còn "
			   "hiệu lực vào cuối năm học. “Hết hạn năm này, năm "
			   "sau”: thời hạn công nhận kết thúc trong năm học "
			   "báo cáo hoặc năm học sau, kể cả trường đã hết hiệu "
			   "lực trong năm học. Số tô đỏ: cần xử lý.");
	}
	rtable_release(&t);
}

/* ------------------------------------------------------------ charts */

typedef struct accr_fig {
	const accr_charts *charts;
	size_t which;
} accr_fig;

static ss_status accr_fig_fn(cairo_t *cr, const chart_rect *area,
			     const chart_style *st, const void *data,
			     ss_error *e)
{
	const accr_fig *f = data;

	return accr_charts_draw(cr, area, st, f->charts, f->which, e);
}

/* The charts without their own titles: in the report the caption under a
 * figure names it, as for every other chart. The copy shares the loaded
 * data and is never released. */
static accr_charts untitled(const accr_charts *c)
{
	accr_charts v = *c;

	v.levels.title = NULL;
	v.levels.subtitle = NULL;
	v.timeline.title = NULL;
	v.timeline.subtitle = "Trường xếp theo ngày hết hiệu lực";
	return v;
}

static void levels_chart(accr_sec *s)
{
	accr_charts v = untitled(&s->charts);
	accr_fig f = { &v, 0 };
	char cap[256];

	snprintf(cap, sizeof cap,
		 "Trường theo loại hình và mức độ đạt chuẩn quốc gia, đến ngày "
		 "%s",
		 s->ref);
	rdoc_figure(s->c->d, 60.0 + 25.0 * (double)v.levels.nrows, cap,
		    accr_fig_fn, &f);
}

static void timeline_charts(accr_sec *s)
{
	accr_charts v = untitled(&s->charts);
	size_t pages = accr_charts_timeline_pages(&v), p;

	for (p = 0; p < pages && s->c->d->status == SS_OK; p++) {
		size_t rows = v.timeline.nrows - p * ACCR_TIMELINE_PER_PAGE;
		accr_fig f = { &v, p + 1 };
		char cap[320];

		if (rows > ACCR_TIMELINE_PER_PAGE)
			rows = ACCR_TIMELINE_PER_PAGE;
		snprintf(cap, sizeof cap,
			 "Thời hạn công nhận, hạn đăng ký đánh giá lại và kế "
			 "hoạch đánh giá ngoài, đến ngày %s%s",
			 s->ref,
			 pages > 1 ? (p == 0 ? " (phần 1)" : " (tiếp)") : "");
		rdoc_figure(s->c->d, 78.0 + 19.0 * (double)rows, cap,
			    accr_fig_fn, &f);
	}
}

/* ------------------------------------------------------------ 2. actions */

typedef struct due_item {
	const char *key;   /* register_by: the deadline the list is sorted by */
	size_t row;
} due_item;

static int due_cmp(const void *a, const void *b)
{
	const due_item *x = a, *y = b;

	return rpt_accr_deadline_cmp(x->key, x->row, y->key, y->row);
}

static const rcol due_cols[] = {
	{ "TT", 0.04, RALIGN_CENTER },
	{ "Trường", 0.19, RALIGN_LEFT },
	{ "Công nhận gần nhất", 0.15, RALIGN_LEFT },
	{ "Hiệu lực đến hết ngày", 0.1, RALIGN_CENTER },
	{ "Hạn đăng ký đánh giá lại", 0.11, RALIGN_CENTER },
	{ "Việc phải làm", 0.26, RALIGN_LEFT },
	{ "Kế hoạch đánh giá ngoài", 0.15, RALIGN_LEFT },
};

static const char *kind_label(const char *kind)
{
	return strcmp(kind, "first") == 0     ? "lần đầu"
	       : strcmp(kind, "renewal") == 0 ? "công nhận lại"
					      : kind;
}

static void due_row(accr_sec *s, rtable *t, size_t no, size_t row)
{
	const char *action = cell(s, row, "next_action");
	const char *status = cell(s, row, "status");
	const char *plan = cell(s, row, "plan_check");
	char buf[1024], d1[32], d2[32], lv[128];
	int lapsed = strcmp(status, "expired") == 0;
	int late = strcmp(status, "overdue") == 0;
	size_t k = rtable_add(t, RROW_BODY);

	rtable_setf(t, k, 0, "%zu", no);
	rtable_set(t, k, 1, cell(s, row, "name"));
	if (*cell(s, row, "recognized_on")) {
		rpt_accr_levels(cell(s, row, "history"), lv, sizeof lv);
		rtable_setf(t, k, 2, "%s (%s)%s%s",
			    rpt_accr_date(cell(s, row, "recognized_on"), d1,
					  sizeof d1),
			    kind_label(cell(s, row, "kind")), *lv ? "\n" : "",
			    lv);
	} else {
		rtable_set(t, k, 2, "Chưa được công nhận");
	}
	rtable_set(t, k, 3, *cell(s, row, "expires_on")
				    ? rpt_accr_date(cell(s, row, "expires_on"),
						    d1, sizeof d1)
				    : "–");
	if (lapsed)
		rtable_style(t, k, 3, 1, 1, CHART_VERMILLION, CHART_MARK_NONE);
	if (strcmp(action, "first_recognition") == 0)
		rtable_set(t, k, 4, "–");
	else
		rtable_setf(t, k, 4, "%s%s",
			    rpt_accr_date(cell(s, row, "register_by"), d2,
					  sizeof d2),
			    lapsed || late ? "\n(đã quá hạn)" : "");
	if (lapsed || late)
		rtable_style(t, k, 4, 1, 1, CHART_VERMILLION, CHART_MARK_NONE);
	rpt_accr_todo(action, status, cell(s, row, "expires_on"),
		      cell(s, row, "action_by"),
		      cell(s, row, "days_to_register"), 1, buf, sizeof buf);
	rtable_set(t, k, 5, buf);
	if (*cell(s, row, "next_due")) {
		rpt_accr_date(cell(s, row, "next_due"), d1, sizeof d1);
		if (strcmp(plan, "after_expiry") == 0)
			rtable_setf(t, k, 6, "%s\n(sau ngày hết hiệu lực)", d1);
		else if (strcmp(plan, "passed") == 0)
			rtable_setf(t, k, 6, "%s\n(đã qua, chưa có quyết "
					     "định mới)",
				    d1);
		else
			rtable_set(t, k, 6, d1);
		if (strcmp(plan, "after_expiry") == 0 ||
		    strcmp(plan, "passed") == 0)
			rtable_style(t, k, 6, 0, 1, CHART_VERMILLION,
				     CHART_MARK_NONE);
	} else {
		rtable_set(t, k, 6, "Chưa có kế hoạch");
	}
}

/* The schools that must act, as bullets: renewals by deadline, then first
 * recognitions. */
static void due_bullets(accr_sec *s, const due_item *items, size_t n)
{
	rctx *c = s->c;
	char buf[2048], todo[1024];
	size_t i, renew = 0, first = 0, said = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(cell(s, items[i].row, "next_action"), "renewal") ==
		    0)
			renew++;
		else
			first++;
	}
	if (n > ACCR_MAX_BULLETS) {
		char a[160] = "", b[160] = "";

		if (renew)
			snprintf(a, sizeof a,
				 "%zu trường phải đăng ký đánh giá ngoài để "
				 "công nhận lại",
				 renew);
		if (first)
			snprintf(b, sizeof b,
				 "%zu trường chưa được công nhận cần đăng ký "
				 "công nhận lần đầu",
				 first);
		snprintf(buf, sizeof buf,
			 "Theo sổ theo dõi đến ngày %s, %s%s%s; hạn đăng ký của "
			 "từng trường ở bảng dưới đây (theo thứ tự hạn đăng "
			 "ký).",
			 s->ref, a, renew && first ? " và " : "", b);
		rpt_par_body(c, buf);
		return;
	}
	if (renew) {
		snprintf(buf, sizeof buf,
			 "Theo sổ theo dõi đến ngày %s, các trường sau phải "
			 "đăng ký đánh giá ngoài để công nhận lại (theo thứ tự "
			 "hạn đăng ký):",
			 s->ref);
		rpt_par_body(c, buf);
	}
	for (i = 0; i < n; i++) {
		size_t row = items[i].row;

		if (strcmp(cell(s, row, "next_action"), "renewal") != 0)
			continue;
		rpt_accr_todo("renewal", cell(s, row, "status"),
			      cell(s, row, "expires_on"),
			      cell(s, row, "action_by"),
			      cell(s, row, "days_to_register"), 0, todo,
			      sizeof todo);
		snprintf(buf, sizeof buf, "%s: %s%s", cell(s, row, "name"),
			 todo, ++said < renew ? ";" : ".");
		rpt_bullet(c, buf);
	}
	if (first) {
		size_t pos, k = 0;

		pos = (size_t)snprintf(buf, sizeof buf,
				       "%s phải đăng ký đánh giá ngoài để được "
				       "công nhận lần đầu (chưa có hạn bắt "
				       "buộc): ",
				       first > 1 ? "Các trường chưa được công "
						   "nhận"
						 : "Trường chưa được công nhận");
		for (i = 0; i < n && pos < sizeof buf; i++) {
			if (strcmp(cell(s, items[i].row, "next_action"),
				   "renewal") == 0)
				continue;
			pos += (size_t)snprintf(buf + pos, sizeof buf - pos,
						"%s%s", k++ ? ", " : "",
						cell(s, items[i].row, "name"));
		}
		if (pos < sizeof buf - 1)
			snprintf(buf + pos, sizeof buf - pos, ".");
		rpt_par_body(c, buf);
	}
}

/* Schools with nothing due this plan year whose planned evaluation falls
 * after their expiry (or has passed): said in one line each. */
static void plan_warnings(accr_sec *s)
{
	const ctable *t = &s->charts.table;
	char buf[1024], a[32], b[32];
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		const char *plan = cell(s, i, "plan_check");

		if (strcmp(cell(s, i, "next_action"), "none") != 0)
			continue;
		if (strcmp(plan, "after_expiry") == 0)
			snprintf(buf, sizeof buf,
				 "%s: kế hoạch đánh giá ngoài ngày %s muộn hơn "
				 "ngày hết hiệu lực %s, cần đưa lên sớm hơn để "
				 "công nhận không bị gián đoạn.",
				 cell(s, i, "name"),
				 rpt_accr_date(cell(s, i, "next_due"), a,
					       sizeof a),
				 rpt_accr_date(cell(s, i, "expires_on"), b,
					       sizeof b));
		else if (strcmp(plan, "passed") == 0)
			snprintf(buf, sizeof buf,
				 "%s: ngày đánh giá ngoài dự kiến %s đã qua mà "
				 "chưa có quyết định công nhận mới.",
				 cell(s, i, "name"),
				 rpt_accr_date(cell(s, i, "next_due"), a,
					       sizeof a));
		else
			continue;
		rpt_bullet(s->c, buf);
	}
}

static void actions(accr_sec *s, int sub)
{
	rctx *c = s->c;
	const ctable *t = &s->charts.table;
	due_item *items = malloc((t->nrows + 1) * sizeof *items);
	size_t i, n = 0;
	char buf[1024];
	accr_options o;
	rtable tab;

	if (!items) {
		rpt_fail_oom(c);
		return;
	}
	snprintf(buf, sizeof buf,
		 "%d. Các trường phải đăng ký đánh giá ngoài",
		 sub);
	rpt_subheading(c, buf);
	for (i = 0; i < t->nrows; i++) {
		const char *a = cell(s, i, "next_action");

		if (strcmp(a, "none") == 0 || !*a)
			continue;
		items[n].key = cell(s, i, "register_by");
		items[n].row = i;
		n++;
	}
	qsort(items, n, sizeof *items, due_cmp);
	if (n == 0) {
		snprintf(buf, sizeof buf,
			 "Theo sổ theo dõi đến ngày %s, không trường nào đến "
			 "hạn đăng ký đánh giá ngoài trong năm kế hoạch.",
			 s->ref);
		rpt_par_body(c, buf);
	} else {
		due_bullets(s, items, n);
		rtable_init(&tab, due_cols, 7, 7.0);
		for (i = 0; i < n; i++)
			due_row(s, &tab, i + 1, items[i].row);
		snprintf(buf, sizeof buf,
			 "Các trường cần đăng ký đánh giá ngoài, đến ngày %s "
			 "(theo hạn đăng ký)",
			 s->ref);
		rdoc_table(c->d, &tab, buf);
		rtable_release(&tab);
		accr_options_default(&o);
		snprintf(buf, sizeof buf,
			 "Công nhận có giá trị %d năm kể từ ngày quyết định; "
			 "“hiệu lực đến hết ngày” là ngày cuối cùng còn hiệu "
			 "lực (Bộ luật Dân sự 2015, Điều 147-148). Hạn đăng ký "
			 "đánh giá ngoài để công nhận lại được tính bằng %d "
			 "tháng trước ngày đó; đăng ký đúng ngày hạn là kịp. "
			 "Danh sách đầy "
			 "đủ các trường: tệp accreditation_schedule.csv.",
			 o.validity_months[ACCR_RULES_2018] / 12,
			 o.register_months[ACCR_RULES_2018]);
		rpt_par_note(c, buf);
	}
	if (n < t->nrows) {
		snprintf(buf, sizeof buf,
			 "%zu trường còn lại chưa đến hạn đăng ký đánh giá lại "
			 "trong năm kế hoạch.",
			 t->nrows - n);
		rpt_par_body(c, buf);
	}
	plan_warnings(s);
	free(items);
	timeline_charts(s);
}

/* ------------------------------------------------------------ 3. path */

static const rcol path_cols[] = {
	{ "Năm học", 0.15, RALIGN_LEFT },
	{ "Ngày đo", 0.1, RALIGN_CENTER },
	{ "Số trường đạt chuẩn cần có theo lộ trình", 0.15, RALIGN_RIGHT },
	{ "Còn hiệu lực nếu không công nhận lại", 0.15, RALIGN_RIGHT },
	{ "Trong đó hết hiệu lực trong năm", 0.14, RALIGN_RIGHT },
	{ "Số lượt công nhận cần trong năm (*)", 0.16, RALIGN_RIGHT },
	{ "Đạt chuẩn nếu thực hiện đủ kế hoạch", 0.15, RALIGN_RIGHT },
};

/* The gaps.csv row of the target a trajectory block was computed for
 * (same targets.csv line, scope and indicator), or -1. */
static long gap_row(const rdata *r, const char *scope, const char *ind,
		    const char *src_line)
{
	size_t i;

	if (!r->has_gaps)
		return -1;
	for (i = 0; i < r->gaps.nrows; i++)
		if (strcmp(rdata_cell(&r->gaps, i, "src_line"), src_line) ==
			    0 &&
		    strcmp(rdata_cell(&r->gaps, i, "scope"), scope) == 0 &&
		    strcmp(rdata_cell(&r->gaps, i, "indicator"), ind) == 0)
			return (long)i;
	return -1;
}

/* "3 lượt trong năm học 2025-2026; 2 lượt trong năm học 2026-2027 và 1
 * lượt trong năm học 2029-2030" for the plan rows with something to do. */
static size_t needed_list(const ctable *t, size_t from, size_t to, char *buf,
			  size_t size)
{
	size_t i, n = 0, k = 0, pos = 0;
	long long v;

	buf[0] = '\0';
	for (i = from; i < to; i++)
		n += strcmp(rdata_cell(t, i, "basis"), "plan") == 0 &&
		     count_num(t, i, "to_recognize", &v) && v > 0;
	for (i = from; i < to && pos < size; i++) {
		char num[FMT_BUF_SIZE];

		if (strcmp(rdata_cell(t, i, "basis"), "plan") != 0 ||
		    !count_num(t, i, "to_recognize", &v) || v <= 0)
			continue;
		k++;
		pos += (size_t)snprintf(buf + pos, size - pos,
					"%s%s lượt trong năm học %s",
					k == 1 ? "" : k == n ? " và " : "; ",
					fmt_count(v, num, sizeof num),
					rdata_cell(t, i, "year"));
	}
	return n;
}

/* Appends to buf at *pos like snprintf, never past size. */
static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

/* The sentence that sets the linear trend of gaps.csv beside the path:
 * the trend knows nothing of expiries, the path does. */
static void compare_trend(accr_sec *s, const char *ind, long gap,
			  int known, long long valid_end, long long required,
			  const char *end_day, const char *deadline,
			  int table_no)
{
	const rdata *r = s->c->r;
	const ctable *g = &r->gaps;
	char buf[2048], trend[512], slope[64], proj[64], vn[32], rq[32];
	size_t pos = 0;
	/* without both counts, only the trend is reported */
	int verdict, short_fall = known && valid_end < required;
	double v;

	fmt_count(valid_end, vn, sizeof vn);
	fmt_count(required, rq, sizeof rq);
	verdict = rpt_accr_verdict(
		gap >= 0 ? rdata_cell(g, (size_t)gap, "on_track") : "",
		valid_end, required);
	if (gap >= 0 && rdata_num(g, (size_t)gap, "trend_slope", &v)) {
		report_format_gap(ind, v, slope, sizeof slope);
		report_format_value(
			ind,
			rdata_num(g, (size_t)gap, "projected", &v) ? v : NAN,
			proj, sizeof proj);
		snprintf(trend, sizeof trend,
			 "xu hướng tuyến tính của tỷ lệ các năm qua (%s điểm "
			 "phần trăm mỗi năm, dự báo năm %s: %s; xem mục I)",
			 slope, deadline, proj);
	} else {
		snprintf(trend, sizeof trend,
			 "xu hướng tuyến tính của tỷ lệ các năm qua (mục I)");
	}
	switch (verdict) {
	case 1:
	case 2:
		append(buf, sizeof buf, &pos, "Theo %s, chỉ tiêu “đúng hướng”",
		       trend);
		break;
	case 3:
		append(buf, sizeof buf, &pos,
		       "Theo %s, chỉ tiêu chưa đúng hướng", trend);
		break;
	default:
		append(buf, sizeof buf, &pos,
		       "Chưa có dự báo theo xu hướng để so sánh (gaps.csv "
		       "không có chỉ tiêu này hoặc chưa đủ số liệu các năm)");
		break;
	}
	if (!known)
		append(buf, sizeof buf, &pos, ".");
	else if (short_fall)
		append(buf, sizeof buf, &pos,
		       "%s nếu không trường nào được công nhận lại, đến ngày "
		       "%s chỉ còn %s trường đạt chuẩn còn hiệu lực, thấp hơn "
		       "%s trường cần có. Chỉ tiêu năm %s chỉ đạt được khi "
		       "thực hiện đủ các lượt công nhận lần đầu và công nhận "
		       "lại theo Bảng %d.",
		       verdict == 2   ? "; nhưng xu hướng này chưa tính đến "
					"việc công nhận hết hạn:"
		       : verdict == 3 ? "; thêm vào đó,"
				      : ";",
		       end_day, vn, rq, deadline, table_no);
	else
		append(buf, sizeof buf, &pos,
		       "; các công nhận hiện có còn hiệu lực đến ngày %s (%s "
		       "trường) đã đủ %s trường cần có, nếu các trường duy trì "
		       "được công nhận.",
		       end_day, vn, rq);
	if (verdict == 3 && known && !short_fall)
		append(buf, sizeof buf, &pos,
		       " Cần thực hiện các lượt công nhận theo Bảng %d để giữ "
		       "lộ trình.",
		       table_no);
	rpt_par_body(s->c, buf);
}

static void path_block(accr_sec *s, size_t from, size_t to, int sub,
		       int nblocks, int k)
{
	rctx *c = s->c;
	const rdata *r = c->r;
	const ctable *t = &s->traj;
	const char *ind = rdata_cell(t, from, "indicator");
	const char *scope = rdata_cell(t, from, "scope");
	const char *deadline = rdata_cell(t, from, "deadline");
	char buf[2048], label[LABEL_MAX], sc[LABEL_MAX], tg[64], list[1024],
		day[32], n1[32], n2[32], n3[32], src[1024] = "";
	double target = 0.0, v;
	long long required = 0, schools = 0, valid_end = 0;
	long gap;
	size_t i, last = to - 1;
	int known;
	rtable tab;

	report_indicator_label(ind, label, sizeof label);
	rdata_scope_label(r, scope, sc, sizeof sc);
	rdata_num(t, from, "target", &target);
	report_format_target(ind, rdata_cell(t, from, "op"), target, tg,
			     sizeof tg);
	known = count_num(t, from, "required", &required) &
		count_num(t, last, "valid_no_renewal", &valid_end);
	count_num(t, from, "schools", &schools);
	if (nblocks > 1) {
		rfont f = { RFACE_SERIF, 10.5, RSTYLE_ITALIC };

		snprintf(buf, sizeof buf, "%d.%d. %s: %s %s đến năm %s", sub,
			 k, sc, label, tg, deadline);
		rdoc_par(c->d, &f, RALIGN_LEFT, 0.0, buf, 4.0);
	}
	/* inside a sentence: "tỷ lệ ...", "toàn phường", "cấp tiểu học"; a
	 * school's name keeps its capitals */
	lower_first(label, sizeof label);
	if (strcmp(scope, "all") == 0 || strncmp(scope, "level:", 6) == 0)
		lower_first(sc, sizeof sc);
	gap = gap_row(r, scope, ind, rdata_cell(t, from, "src_line"));
	if (gap >= 0 && *rdata_cell(&r->gaps, (size_t)gap, "source"))
		snprintf(src, sizeof src, ", theo %s",
			 rdata_cell(&r->gaps, (size_t)gap, "source"));
	snprintf(buf, sizeof buf,
		 "Chỉ tiêu: %s của %s %s đến năm %s%s. Với %s trường, cần ít "
		 "nhất %s trường đạt chuẩn còn hiệu lực; đến ngày %s hiện có "
		 "%s trường.",
		 label, sc, tg, deadline, src,
		 fmt_count(schools, n1, sizeof n1),
		 fmt_count(required, n2, sizeof n2),
		 rpt_accr_date(rdata_cell(t, from, "measured_on"), day,
			       sizeof day),
		 count_of(t, from, "planned_valid", n3, sizeof n3));
	rpt_par_body(c, buf);
	rtable_init(&tab, path_cols, 7, 7.5);
	for (i = from; i < to; i++) {
		int actual = strcmp(rdata_cell(t, i, "basis"), "actual") == 0;
		size_t row = rtable_add(&tab, actual ? RROW_TOTAL : RROW_BODY);
		char num[FMT_BUF_SIZE];

		rtable_setf(&tab, row, 0, "%s%s", rdata_cell(t, i, "year"),
			    actual ? " (hiện trạng)" : "");
		rtable_set(&tab, row, 1,
			   rpt_accr_date(rdata_cell(t, i, "measured_on"), day,
					 sizeof day));
		rtable_set(&tab, row, 2, count_of(t, i, "path", num,
						  sizeof num));
		rtable_set(&tab, row, 3, count_of(t, i, "valid_no_renewal",
						  num, sizeof num));
		rtable_set(&tab, row, 4, count_of(t, i, "expiring", num,
						  sizeof num));
		rtable_set(&tab, row, 5, count_of(t, i, "to_recognize", num,
						  sizeof num));
		if (rdata_num(t, i, "to_recognize", &v) && v > 0)
			rtable_style(&tab, row, 5, 1, 1, CHART_VERMILLION,
				     CHART_MARK_NONE);
		rtable_set(&tab, row, 6, count_of(t, i, "planned_valid", num,
						  sizeof num));
	}
	snprintf(buf, sizeof buf, "Lộ trình đạt chỉ tiêu %s %s đến năm %s, %s",
		 label, tg, deadline, sc);
	rdoc_table(c->d, &tab, buf);
	rtable_release(&tab);
	/* the footnote under the first table, where (*) is read */
	if (k == 1)
		rpt_par_note(c, "(*) Số lượt công nhận (lần đầu hoặc công nhận lại) "
			"cần có trong năm học để số trường đạt chuẩn còn hiệu "
			"lực cuối năm bằng số cần có theo lộ trình. Một lượt "
			"công nhận dự kiến trong năm được tính như công nhận "
			"vào ngày đầu năm học (trường hợp thận trọng nhất). Lộ "
			"trình chia đều số trường còn thiếu cho các năm đến "
			"hạn.");
	if (needed_list(t, from, to, list, sizeof list))
		snprintf(buf, sizeof buf,
			 "Để giữ lộ trình, %s cần số lượt công nhận (lần đầu "
			 "hoặc công nhận lại) như sau: %s.",
			 sc, list);
	else
		snprintf(buf, sizeof buf,
			 "Theo lộ trình, %s không cần thêm lượt công nhận nào "
			 "đến năm %s nếu các trường duy trì được công nhận.",
			 sc, deadline);
	rpt_par_body(c, buf);
	compare_trend(s, ind, gap, known, valid_end, required,
		      rpt_accr_date(rdata_cell(t, last, "measured_on"), day,
				    sizeof day),
		      deadline, c->d->tables);
}

static void path_section(accr_sec *s, int sub)
{
	rctx *c = s->c;
	const ctable *t = &s->traj;
	char buf[256];
	size_t i, from;
	int nblocks = 0, k = 0;

	snprintf(buf, sizeof buf,
		 "%d. Lộ trình đạt chỉ tiêu tỷ lệ trường đạt chuẩn quốc gia",
		 sub);
	rpt_subheading(c, buf);
	if (!s->has_traj) {
		rpt_par_body(c, "Chưa có lộ trình (thiếu tệp "
			"accreditation_trajectory.csv).");
		return;
	}
	if (t->nrows == 0) {
		rpt_par_body(c, "Kế hoạch của đơn vị không có chỉ tiêu tỷ lệ trường đạt "
			"chuẩn quốc gia có thời hạn; không lập lộ trình.");
		return;
	}
	/* a block starts at each row of basis actual */
	for (i = 0; i < t->nrows; i++)
		nblocks += i == 0 ||
			   strcmp(rdata_cell(t, i, "basis"), "actual") == 0;
	for (from = 0; from < t->nrows && c->d->status == SS_OK;) {
		size_t to = from + 1;

		while (to < t->nrows &&
		       strcmp(rdata_cell(t, to, "basis"), "actual") != 0)
			to++;
		path_block(s, from, to, sub, nblocks, ++k);
		from = to;
	}
}

/* ------------------------------------------------------------ section */

void rpt_section_accr(rctx *c)
{
	accr_sec s;
	ss_error e;
	int found = 0;
	ss_status st;

	rpt_heading(c, MARK_ACCR,
		    "IV. KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC VÀ TRƯỜNG ĐẠT CHUẨN "
		    "QUỐC GIA");
	memset(&s, 0, sizeof s);
	s.c = c;
	accr_charts_init(&s.charts);
	ctable_init(&s.traj);
	err_clear(&e);
	st = accr_charts_load(&s.charts, c->r->outdir, &found, &e);
	if (st == SS_OK && found)
		st = need_columns(&s.charts.table, schedule_cols, &e);
	if (st == SS_OK && found)
		st = load_traj(&s, &e);
	if (st != SS_OK) {
		rdoc_fail(c->d, &e);
	} else if (!found) {
		rpt_par_body(c, "Chưa có số liệu kiểm định chất lượng và công nhận "
			"trường đạt chuẩn quốc gia (thiếu tệp "
			"accreditation_schedule.csv).");
	} else if (!file_exists(c->r->outdir, "clean/accreditation.csv")) {
		rpt_par_body(c, "Đơn vị chưa nhập sổ theo dõi kiểm định chất lượng và "
			"công nhận trường đạt chuẩn quốc gia (không có tệp "
			"accreditation.csv trong số liệu đầu vào).");
	} else {
		rpt_accr_date(rdata_cell(&s.charts.table, 0, "reference_date"),
			      s.ref, sizeof s.ref);
		rpt_subheading(c, "1. Hiện trạng");
		state_text(&s);
		level_table(&s);
		if (c->d->status == SS_OK)
			levels_chart(&s);
		if (c->d->status == SS_OK)
			actions(&s, 2);
		if (c->d->status == SS_OK)
			path_section(&s, 3);
	}
	ctable_release(&s.traj);
	accr_charts_release(&s.charts);
}
