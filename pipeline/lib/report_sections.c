/* report_sections — sections I to VI and the appendix of the report (IV,
 * accreditation, is in report_accr.c). Each
 * reads its rows from rdata and formats them; no figure is computed here
 * (counts of rows, such as "11 chỉ tiêu đạt", are the only arithmetic). */
#include "report_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ind.h"

#define LABEL_MAX 256

void rpt_fail_oom(rctx *c)
{
	ss_error e;

	err_set(&e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	rdoc_fail(c->d, &e);
}

void rpt_par_note(rctx *c, const char *text)
{
	rdoc_par(c->d, &rpt_note, RALIGN_LEFT, 0.0, text, 6.0);
}

void rpt_par_body(rctx *c, const char *text)
{
	rdoc_par(c->d, &rpt_body, RALIGN_LEFT, 0.0, text, 5.0);
}

/* A value cell of an indicator: value with parts, "–" when absent. */
static void ind_cell(rctx *c, rtable *t, size_t row, size_t col,
		     const char *scope, const char *indicator, int parts)
{
	char buf[160];
	rval v;

	if (!rdata_ind(c->r, c->r->year, scope, indicator, &v) ||
	    !v.has_value) {
		rtable_set(t, row, col, "–");
		return;
	}
	report_format_with_parts(indicator, v.value,
				 parts && v.has_num && v.has_den, v.num, v.den,
				 buf, sizeof buf);
	rtable_set(t, row, col, buf);
}

static int is_percent(const char *indicator)
{
	report_unit u;

	report_indicator_unit(indicator, &u, NULL);
	return u == REPORT_UNIT_PERCENT;
}

static int decimals_of(const char *indicator)
{
	int dec;

	report_indicator_unit(indicator, NULL, &dec);
	return dec;
}

/* Draws several charts in a grid as one figure. */
typedef struct chart_grid {
	size_t n;
	int cols;
	chart_draw_fn fn;
	const void *items;
	size_t item_size;
} chart_grid;

static ss_status grid_fn(cairo_t *cr, const chart_rect *area,
			 const chart_style *st, const void *data, ss_error *e)
{
	const chart_grid *g = data;
	size_t rows = (g->n + (size_t)g->cols - 1) / (size_t)g->cols, i;
	double gap = 10.0;
	double cw = (area->w - gap * (g->cols - 1)) / g->cols;
	double ch = (area->h - gap * ((double)rows - 1.0)) / (double)rows;

	for (i = 0; i < g->n; i++) {
		chart_rect r = { area->x + (double)(i % (size_t)g->cols) *
						   (cw + gap),
				 area->y + (double)(i / (size_t)g->cols) *
						   (ch + gap),
				 cw, ch };
		ss_status s = g->fn(cr, &r, st,
				    (const char *)g->items + i * g->item_size,
				    e);

		if (s != SS_OK)
			return s;
	}
	return SS_OK;
}

/* ------------------------------------------------------------ I. targets */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static chart_status chart_status_of(const char *status, const char *basis)
{
	if (strcmp(status, "no_data") == 0 || !*status)
		return CHART_NO_DATA;
	if (strcmp(basis, "baseline") == 0)
		return CHART_BASELINE;
	return strcmp(status, "met") == 0 ? CHART_MET : CHART_NOT_MET;
}

static void status_cell(rtable *t, size_t row, size_t col,
			const char *status)
{
	const char *l = report_status_label(status);
	chart_status s = strcmp(status, "met") == 0       ? CHART_MET
			 : strcmp(status, "not_met") == 0 ? CHART_NOT_MET
							  : CHART_NO_DATA;

	rtable_set(t, row, col, l ? l : status);
	rtable_style(t, row, col, s != CHART_NO_DATA, 1, chart_status_color(s),
		     chart_status_marker(s));
}

static const rcol target_cols[] = {
	{ "TT", 0.045, RALIGN_CENTER },
	{ "Đơn vị", 0.19, RALIGN_LEFT },
	{ "Chỉ tiêu", 0.205, RALIGN_LEFT },
	{ "Kế hoạch", 0.085, RALIGN_RIGHT },
	{ "Thực hiện", 0.1, RALIGN_RIGHT },
	{ "Số liệu", 0.105, RALIGN_LEFT },
	{ "Chênh lệch (*)", 0.09, RALIGN_RIGHT },
	{ "Đánh giá", 0.125, RALIGN_LEFT },
};

typedef struct target_text {
	char indicator[LABEL_MAX], scope[LABEL_MAX], note[64];
} target_text;

/* The target chart for rows[0..n), in chunks that fit a page. */
static void target_charts(rctx *c, const size_t *rows, size_t n,
			  const char *caption)
{
	const ctable *g = &c->r->gaps;
	/* as many rows as a page holds, in chunks of even size */
	const size_t most = 22;
	size_t parts = (n + most - 1) / most, chunk = (n + parts - 1) / parts;
	size_t i, k;

	for (k = 0; k < n && c->d->status == SS_OK; k += chunk) {
		size_t m = n - k < chunk ? n - k : chunk, used = 0;
		chart_target_row *cr = calloc(m, sizeof *cr);
		target_text *tx = calloc(m, sizeof *tx);
		chart_targets data;
		char cap[640];

		if (!cr || !tx) {
			free(cr);
			free(tx);
			rpt_fail_oom(c);
			return;
		}
		for (i = 0; i < m; i++) {
			size_t row = rows[k + i];
			const char *ind = rdata_cell(g, row, "indicator");
			chart_target_row *t = &cr[used];
			double target, actual = 0.0;

			if (!rdata_num(g, row, "target", &target))
				continue; /* nothing to draw against */
			report_indicator_label(ind, tx[used].indicator,
					       LABEL_MAX);
			rdata_scope_label(c->r, rdata_cell(g, row, "scope"),
					  tx[used].scope, LABEL_MAX);
			t->indicator = tx[used].indicator;
			t->scope = tx[used].scope;
			t->op = rdata_cell(g, row, "op");
			t->target = target;
			t->status = chart_status_of(
				rdata_cell(g, row, "status"),
				rdata_cell(g, row, "basis"));
			if (!rdata_num(g, row, "actual", &actual))
				t->status = CHART_NO_DATA;
			t->actual = actual;
			if (t->status == CHART_BASELINE) {
				snprintf(tx[used].note, sizeof tx[used].note,
					 "số liệu %s",
					 rdata_cell(g, row, "actual_year"));
				t->note = tx[used].note;
			}
			t->percent = is_percent(ind);
			t->decimals = decimals_of(ind);
			used++;
		}
		if (used) {
			data = (chart_targets){ NULL, NULL, cr, used };
			if (n > chunk)
				snprintf(cap, sizeof cap, "%s (phần %zu)",
					 caption, k / chunk + 1);
			else
				snprintf(cap, sizeof cap, "%s", caption);
			rdoc_figure(c->d, 62.0 + 27.0 * (double)used, cap,
				    chart_targets_fn, &data);
		}
		free(cr);
		free(tx);
	}
}

static void sources_line(rctx *c, const size_t *rows, size_t n)
{
	const ctable *g = &c->r->gaps;
	char buf[2048];
	size_t i, j, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < n && pos < sizeof buf; i++) {
		const char *s = rdata_cell(g, rows[i], "source");
		int seen = 0;

		if (!*s)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = strcmp(rdata_cell(g, rows[j], "source"), s) == 0;
		if (seen)
			continue;
		pos += (size_t)snprintf(buf + pos, sizeof buf - pos, "%s%s",
					pos ? "; " : "Căn cứ: ", s);
	}
	if (pos && pos < sizeof buf - 2) {
		snprintf(buf + pos, sizeof buf - pos, ".");
		rpt_par_note(c, buf);
	}
}

static void target_table(rctx *c, const size_t *rows, size_t n,
			 const char *caption)
{
	const ctable *g = &c->r->gaps;
	rtable t;
	size_t i;

	rtable_init(&t, target_cols, 8, 7.5);
	for (i = 0; i < n; i++) {
		size_t row = rows[i], k = rtable_add(&t, RROW_BODY);
		const char *ind = rdata_cell(g, row, "indicator");
		const char *basis = rdata_cell(g, row, "basis");
		char buf[LABEL_MAX];
		double v;

		rtable_setf(&t, k, 0, "%zu", i + 1);
		rtable_set(&t, k, 1,
			   rdata_scope_label(c->r, rdata_cell(g, row, "scope"),
					     buf, sizeof buf));
		report_indicator_label(ind, buf, sizeof buf);
		rtable_set(&t, k, 2, buf);
		if (rdata_num(g, row, "target", &v))
			rtable_set(&t, k, 3,
				   report_format_target(ind,
							rdata_cell(g, row, "op"),
							v, buf, sizeof buf));
		rtable_set(&t, k, 4,
			   report_format_value(ind,
					       rdata_num(g, row, "actual", &v)
						       ? v
						       : NAN,
					       buf, sizeof buf));
		if (strcmp(basis, "actual") == 0)
			rtable_set(&t, k, 5, "Thực hiện");
		else if (strcmp(basis, "baseline") == 0)
			rtable_setf(&t, k, 5, "Năm gốc %s",
				    rdata_cell(g, row, "actual_year"));
		else
			rtable_set(&t, k, 5, "–");
		rtable_set(&t, k, 6,
			   report_format_gap(ind,
					     rdata_num(g, row, "gap", &v) ? v
									  : NAN,
					     buf, sizeof buf));
		status_cell(&t, k, 7, rdata_cell(g, row, "status"));
	}
	rdoc_table(c->d, &t, caption);
	rtable_release(&t);
}

static void target_group(rctx *c, const char *year, int sub, int *footnote)
{
	const rdata *r = c->r;
	const ctable *g = &r->gaps;
	size_t *rows = malloc(g->nrows * sizeof *rows), n = 0, i;
	size_t met = 0, not_met = 0, none = 0;
	int same_deadline = 1, baseline = 0;
	const char *deadline = NULL;
	char title[512], caption[512], buf[512];

	if (!rows) {
		rpt_fail_oom(c);
		return;
	}
	for (i = 0; i < g->nrows; i++) {
		const char *s, *dl;

		if (strcmp(rdata_cell(g, i, "year"), year) != 0)
			continue;
		rows[n++] = i;
		s = rdata_cell(g, i, "status");
		met += strcmp(s, "met") == 0;
		not_met += strcmp(s, "not_met") == 0;
		none += strcmp(s, "no_data") == 0;
		baseline |= strcmp(rdata_cell(g, i, "basis"), "baseline") == 0;
		dl = rdata_cell(g, i, "deadline");
		if (!deadline)
			deadline = dl;
		if (!*dl || strcmp(dl, deadline) != 0)
			same_deadline = 0;
	}
	if (same_deadline && deadline && *deadline) {
		snprintf(title, sizeof title,
			 "%d. Chỉ tiêu đến năm %s (năm học %s)", sub, deadline,
			 year);
		snprintf(caption, sizeof caption, "Chỉ tiêu đến năm %s",
			 deadline);
	} else {
		snprintf(title, sizeof title, "%d. Chỉ tiêu năm học %s", sub,
			 year);
		snprintf(caption, sizeof caption,
			 "Kết quả thực hiện chỉ tiêu năm học %s", year);
	}
	rpt_subheading(c, title);
	sources_line(c, rows, n);
	if (baseline && strcmp(year, r->year) > 0) {
		snprintf(buf, sizeof buf,
			 "Năm học %s chưa có số liệu thực hiện: chỉ tiêu được "
			 "đối chiếu với số liệu năm gốc (năm học gần nhất có "
			 "số liệu).",
			 year);
		rpt_par_body(c, buf);
	}
	snprintf(buf, sizeof buf,
		 "Kết quả: %zu/%zu chỉ tiêu đạt, %zu chỉ tiêu chưa đạt%s.",
		 met, n, not_met,
		 none ? ", có chỉ tiêu chưa có số liệu để đánh giá" : "");
	rpt_par_body(c, buf);
	target_table(c, rows, n, caption);
	if (!*footnote) {
		rpt_par_note(c, "(*) Chênh lệch = thực hiện − kế hoạch; với các chỉ "
			"tiêu tỷ lệ (%), chênh lệch tính bằng điểm phần trăm. "
			"Chỉ tiêu được đánh giá trên số liệu chưa làm tròn, nên "
			"99,89% chưa đạt chỉ tiêu 99,9%.");
		*footnote = 1;
	}
	if (same_deadline && deadline && *deadline)
		snprintf(buf, sizeof buf, "Chỉ tiêu đến năm %s và hiện trạng",
			 deadline);
	else
		snprintf(buf, sizeof buf,
			 "Chỉ tiêu và thực hiện năm học %s", year);
	target_charts(c, rows, n, buf);
	free(rows);
}

static const rcol deadline_cols[] = {
	{ "TT", 0.04, RALIGN_CENTER },
	{ "Đơn vị", 0.13, RALIGN_LEFT },
	{ "Chỉ tiêu", 0.17, RALIGN_LEFT },
	{ "Kế hoạch", 0.105, RALIGN_RIGHT },
	{ "Hiện tại", 0.1, RALIGN_RIGHT },
	{ "Xu hướng mỗi năm", 0.085, RALIGN_RIGHT },
	{ "Dự báo đến hạn", 0.085, RALIGN_RIGHT },
	{ "Cần thay đổi mỗi năm", 0.095, RALIGN_RIGHT },
	{ "Đánh giá", 0.19, RALIGN_LEFT },
};

typedef struct trend_store {
	double years[64], values[64];
	char title[LABEL_MAX], subtitle[LABEL_MAX];
} trend_store;

/* The indicator's yearly values for scope up to last_year (the target's
 * school year), oldest first. */
static size_t series(const rdata *r, const char *scope, const char *ind,
		     const char *last_year, double *years, double *values,
		     size_t cap)
{
	long sid = rdata_str_id(r, scope), iid = rdata_str_id(r, ind);
	size_t i, n = 0, j;

	for (i = 0; sid >= 0 && iid >= 0 && i < r->nind && n < cap; i++) {
		const rind_row *w = &r->ind[i];
		const char *y;
		int start;

		if (w->scope != (uint32_t)sid || w->indicator != (uint32_t)iid)
			continue;
		y = rdata_str(r, w->year);
		if (strcmp(y, last_year) > 0 || !ind_year_parse(y, &start) ||
		    !(w->has & RIND_VALUE))
			continue;
		/* insertion keeps years increasing whatever the file order */
		for (j = n; j > 0 && years[j - 1] > start; j--) {
			years[j] = years[j - 1];
			values[j] = values[j - 1];
		}
		years[j] = start;
		values[j] = w->value;
		n++;
	}
	return n;
}

static void deadline_group(rctx *c, const size_t *rows, size_t n, int sub)
{
	const rdata *r = c->r;
	const ctable *g = &r->gaps;
	chart_trend *tr = calloc(n, sizeof *tr);
	trend_store *ts = calloc(n, sizeof *ts);
	size_t i, ntr = 0;
	char title[256];
	rtable t;

	if (!tr || !ts) {
		free(tr);
		free(ts);
		rpt_fail_oom(c);
		return;
	}
	snprintf(title, sizeof title,
		 "%d. Chỉ tiêu có thời hạn: xu hướng và dự báo", sub);
	rpt_subheading(c, title);
	rpt_par_body(c, "Xu hướng là đường thẳng bình phương tối thiểu qua số liệu "
		"các năm học; dự báo là giá trị của đường xu hướng tại năm "
		"đến hạn. \"Đúng hướng\" khi dự báo đạt chỉ tiêu.");
	rtable_init(&t, deadline_cols, 9, 7.5);
	for (i = 0; i < n; i++) {
		size_t row = rows[i], k = rtable_add(&t, RROW_BODY);
		const char *ind = rdata_cell(g, row, "indicator");
		const char *on = rdata_cell(g, row, "on_track");
		const char *dl = rdata_cell(g, row, "deadline");
		char buf[LABEL_MAX], num[64];
		double v, target = NAN, slope = NAN, proj = NAN;
		int has_slope, has_proj, dl_year;

		rtable_setf(&t, k, 0, "%zu", i + 1);
		rtable_set(&t, k, 1,
			   rdata_scope_label(r, rdata_cell(g, row, "scope"),
					     buf, sizeof buf));
		report_indicator_label(ind, buf, sizeof buf);
		rtable_set(&t, k, 2, buf);
		if (rdata_num(g, row, "target", &target))
			rtable_setf(&t, k, 3, "%s đến năm %s",
				    report_format_target(
					    ind, rdata_cell(g, row, "op"),
					    target, buf, sizeof buf),
				    dl);
		if (rdata_num(g, row, "actual", &v))
			rtable_setf(&t, k, 4, "%s\n(%s)",
				    report_format_value(ind, v, buf,
							sizeof buf),
				    rdata_cell(g, row, "actual_year"));
		else
			rtable_set(&t, k, 4, "–");
		has_slope = rdata_num(g, row, "trend_slope", &slope);
		has_proj = rdata_num(g, row, "projected", &proj);
		rtable_set(&t, k, 5,
			   report_format_gap(ind, has_slope ? slope : NAN, num,
					     sizeof num));
		rtable_set(&t, k, 6,
			   report_format_value(ind, has_proj ? proj : NAN, num,
					       sizeof num));
		rtable_set(&t, k, 7,
			   report_format_gap(ind,
					     rdata_num(g, row,
						       "needed_per_year", &v)
						     ? v
						     : NAN,
					     num, sizeof num));
		if (strcmp(on, "yes") == 0) {
			rtable_set(&t, k, 8, "Đúng hướng");
			rtable_style(&t, k, 8, 1, 1,
				     chart_status_color(CHART_MET),
				     chart_status_marker(CHART_MET));
		} else if (strcmp(on, "no") == 0) {
			rtable_set(&t, k, 8, "Chưa đúng hướng");
			rtable_style(&t, k, 8, 1, 1,
				     chart_status_color(CHART_NOT_MET),
				     chart_status_marker(CHART_NOT_MET));
		} else {
			rtable_set(&t, k, 8, "Chưa đủ số liệu");
			rtable_style(&t, k, 8, 0, 1,
				     chart_status_color(CHART_NO_DATA),
				     chart_status_marker(CHART_NO_DATA));
		}
		/* a trend chart when there are values to draw */
		if (ntr < n && ind_year_parse(rdata_cell(g, row, "year"),
					      &dl_year)) {
			trend_store *s = &ts[ntr];
			chart_trend *d = &tr[ntr];
			long dlv = strtol(dl, NULL, 10);

			d->n = series(r, rdata_cell(g, row, "scope"), ind,
				      rdata_cell(g, row, "year"), s->years,
				      s->values, 64);
			if (d->n == 0 || !isfinite(target))
				continue;
			report_indicator_label(ind, s->title, LABEL_MAX);
			rdata_scope_label(r, rdata_cell(g, row, "scope"),
					  s->subtitle, LABEL_MAX);
			d->title = s->title;
			d->subtitle = s->subtitle;
			d->years = s->years;
			d->values = s->values;
			d->percent = is_percent(ind);
			d->decimals = decimals_of(ind);
			d->op = rdata_cell(g, row, "op");
			d->target = target;
			/* a deadline D is the school year ending in D */
			d->target_year = dlv > 0 ? (double)(dlv - 1)
						 : (double)dl_year;
			if (has_slope && has_proj && dlv > 0) {
				d->has_projection = 1;
				d->deadline_year = (double)(dlv - 1);
				d->slope = slope;
				d->projected = proj;
			}
			ntr++;
		}
	}
	rdoc_table(c->d, &t, "Chỉ tiêu có thời hạn: xu hướng và dự báo");
	rtable_release(&t);
	for (i = 0; i < ntr && c->d->status == SS_OK; i += 4) {
		size_t m = ntr - i < 4 ? ntr - i : 4;
		chart_grid grid = { m, 2, chart_trend_fn, &tr[i], sizeof *tr };
		char cap[160];

		snprintf(cap, sizeof cap,
			 "Diễn biến các chỉ tiêu có thời hạn%s",
			 ntr > 4 ? (i == 0 ? " (phần 1)" : " (tiếp)") : "");
		rdoc_figure(c->d, 200.0 * (double)((m + 1) / 2), cap, grid_fn,
			    &grid);
	}
	free(tr);
	free(ts);
}

void rpt_section_targets(rctx *c)
{
	const rdata *r = c->r;
	const ctable *g = &r->gaps;
	const char **years;
	size_t *dl_rows, ny = 0, ndl = 0, i, k;
	int sub = 0, footnote = 0;

	rpt_heading(c, MARK_TARGETS, "I. KẾT QUẢ THỰC HIỆN CHỈ TIÊU");
	if (!r->has_gaps) {
		rpt_par_body(c, "Chưa có kết quả đối chiếu chỉ tiêu (thiếu tệp "
			"gaps.csv).");
		return;
	}
	if (g->nrows == 0) {
		rpt_par_body(c, "Đơn vị không có chỉ tiêu kế hoạch nào để đối chiếu.");
		return;
	}
	years = malloc(g->nrows * sizeof *years);
	dl_rows = malloc(g->nrows * sizeof *dl_rows);
	if (!years || !dl_rows) {
		free(years);
		free(dl_rows);
		rpt_fail_oom(c);
		return;
	}
	for (i = 0; i < g->nrows; i++) {
		const char *y = rdata_cell(g, i, "year");
		int seen = 0;

		if (!rdata_target_current(r, i))
			continue;
		for (k = 0; k < ny && !seen; k++)
			seen = strcmp(years[k], y) == 0;
		if (!seen)
			years[ny++] = y;
		if (*rdata_cell(g, i, "deadline"))
			dl_rows[ndl++] = i;
	}
	if (ny == 0)
		rpt_par_body(c, "Không có chỉ tiêu kế hoạch cho năm học báo cáo hoặc "
			"các năm sau.");
	qsort(years, ny, sizeof *years, cmp_str);
	for (k = 0; k < ny && c->d->status == SS_OK; k++)
		target_group(c, years[k], ++sub, &footnote);
	if (ndl)
		deadline_group(c, dl_rows, ndl, ++sub);
	free(years);
	free(dl_rows);
}

/* ------------------------------------------------------------ II. levels */

static const char *const level_order[] = { "mam_non", "tieu_hoc", "thcs",
					   "thpt", "th_thcs", "thcs_thpt" };

/* Levels of the schools in contract order, then unknown ones as met. */
static size_t levels_present(const rdata *r, const char **out, size_t cap)
{
	size_t n = 0, i, k;

	for (k = 0; k < sizeof level_order / sizeof level_order[0]; k++)
		for (i = 0; i < r->schools.nrows; i++)
			if (strcmp(rdata_cell(&r->schools, i, "level"),
				   level_order[k]) == 0) {
				if (n < cap)
					out[n++] = level_order[k];
				break;
			}
	for (i = 0; i < r->schools.nrows; i++) {
		const char *l = rdata_cell(&r->schools, i, "level");
		int seen = 0;

		for (k = 0; k < n && !seen; k++)
			seen = strcmp(out[k], l) == 0;
		if (!seen && *l && n < cap)
			out[n++] = l;
	}
	return n;
}

static const char *const level_rows[] = {
	"classes", "students", "students_per_class", "teachers",
	"teachers_per_class", "students_per_teacher", "permanent_staff_fill",
	"promotion_rate", "repetition_rate", "dropout_rate",
	"completion_rate",
};

void rpt_section_levels(rctx *c)
{
	const rdata *r = c->r;
	const char *lv[8];
	size_t nl = levels_present(r, lv, 7), i, j;
	rcol cols[10];
	char heads[9][64], scope[64], buf[256];
	rtable t;

	rpt_heading(c, MARK_LEVELS, "II. CHỈ SỐ THEO CẤP HỌC");
	if (!r->has_ind) {
		rpt_par_body(c, "Chưa có số liệu chỉ số (thiếu tệp indicators.csv).");
		return;
	}
	snprintf(buf, sizeof buf,
		 "Số liệu năm học %s; tỷ lệ kèm tử số/mẫu số (số học sinh) "
		 "để tiện đối chiếu.",
		 r->year);
	rpt_par_body(c, buf);
	cols[0] = (rcol){ "Chỉ số", 0.24, RALIGN_LEFT };
	for (i = 0; i <= nl; i++) {
		const char *l = i < nl ? report_level_label(lv[i]) : NULL;

		snprintf(heads[i], sizeof heads[i], "%s",
			 i < nl ? (l ? l : lv[i]) : c->all);
		cols[i + 1] = (rcol){ heads[i], 0.76 / (double)(nl + 1),
				      RALIGN_RIGHT };
	}
	rtable_init(&t, cols, nl + 2, 7.5);
	for (j = 0; j < sizeof level_rows / sizeof level_rows[0]; j++) {
		size_t k = rtable_add(&t, RROW_BODY);
		const char *ind = level_rows[j];
		int parts = strcmp(ind, "students_per_class") == 0 ||
			    strcmp(ind, "teachers_per_class") == 0 ||
			    is_percent(ind);

		report_indicator_label(ind, buf, sizeof buf);
		rtable_set(&t, k, 0, buf);
		for (i = 0; i <= nl; i++) {
			if (i < nl)
				snprintf(scope, sizeof scope, "level:%s", lv[i]);
			else
				snprintf(scope, sizeof scope, "all");
			ind_cell(c, &t, k, i + 1, scope, ind, parts);
		}
		/* the unit's column stands out */
		rtable_style(&t, k, nl + 1, 1, 0, CHART_BLACK,
			     CHART_MARK_NONE);
	}
	snprintf(buf, sizeof buf, "Chỉ số theo cấp học, năm học %s", r->year);
	rdoc_table(c->d, &t, buf);
	rtable_release(&t);
	rpt_par_note(c, "Mầm non: “lên lớp” là trẻ đạt yêu cầu phát triển, “lưu ban” "
		"là trẻ chưa đạt. Tỷ lệ hoàn thành cấp học tính trên học sinh "
		"lớp cuối cấp. Giáo viên gồm biên chế và hợp đồng. Dấu “–”: "
		"không có số liệu hoặc không tính được (mẫu số bằng 0).");
}

/* ------------------------------------------------------------ III. norms */

static const rcol norm_cols[] = {
	{ "Trường / đơn vị", 0.235, RALIGN_LEFT },
	{ "Số lớp", 0.06, RALIGN_RIGHT },
	{ "Số GV", 0.06, RALIGN_RIGHT },
	{ "Hiện có", 0.07, RALIGN_RIGHT },
	{ "Định mức", 0.075, RALIGN_RIGHT },
	{ "Thiếu (người)", 0.075, RALIGN_RIGHT },
	{ "Bình quân", 0.075, RALIGN_RIGHT },
	{ "Tối đa", 0.065, RALIGN_RIGHT },
	{ "Thiếu (lớp)", 0.065, RALIGN_RIGHT },
	{ "Theo định mức", 0.08, RALIGN_RIGHT },
	{ "Thiếu (người)", 0.07, RALIGN_RIGHT },
};

static const rspan norm_spans[] = {
	{ "Giáo viên/lớp", 3, 3 },
	{ "Học sinh/lớp", 6, 3 },
	{ "Biên chế giáo viên", 9, 2 },
};

static void num_cell(rtable *t, size_t row, size_t col, int has, double v,
		     int decimals)
{
	char buf[FMT_BUF_SIZE];

	if (!has) {
		rtable_set(t, row, col, "–");
		return;
	}
	rtable_set(t, row, col, fmt_number(v, decimals, buf, sizeof buf));
}

static void shortfall_cell(rtable *t, size_t row, size_t col,
			   const rnorm *n)
{
	char buf[FMT_BUF_SIZE];

	if (!n->has_shortfall) {
		rtable_set(t, row, col, "–");
		return;
	}
	rtable_set(t, row, col,
		   fmt_count(n->shortfall, buf, sizeof buf));
	if (n->shortfall > 0)
		rtable_style(t, row, col, 1, 1, CHART_VERMILLION,
			     CHART_MARK_NONE);
}

/* One row of the norm table for scope; 0 when the scope has no norm row
 * in the year. */
static int norm_row(rctx *c, rtable *t, const char *scope, int kind)
{
	const rdata *r = c->r;
	const char *y = r->year;
	rnorm tpc, spc, posts;
	int a = rdata_norm(r, y, scope, "teachers_per_class", &tpc);
	int b = rdata_norm(r, y, scope, "students_per_class", &spc);
	int p = rdata_norm(r, y, scope, "teacher_posts", &posts);
	char buf[LABEL_MAX];
	size_t k;
	rval v;
	int has;

	if (!a && !b && !p)
		return 0;
	k = rtable_add(t, kind);
	rtable_set(t, k, 0, rdata_scope_label(r, scope, buf, sizeof buf));
	/* the lookup must run before v is read: no call inside the list */
	has = rdata_ind(r, y, scope, "classes", &v) && v.has_value;
	num_cell(t, k, 1, has, v.value, 0);
	has = rdata_ind(r, y, scope, "teachers", &v) && v.has_value;
	num_cell(t, k, 2, has, v.value, 0);
	num_cell(t, k, 3, tpc.has_value, tpc.value, 2);
	if (strcmp(tpc.status, "below") == 0)
		rtable_style(t, k, 3, 1, 1, CHART_VERMILLION, CHART_MARK_NONE);
	num_cell(t, k, 4, tpc.has_limit, tpc.limit, 2);
	shortfall_cell(t, k, 5, &tpc);
	num_cell(t, k, 6, spc.has_value, spc.value, 2);
	if (strcmp(spc.status, "above") == 0)
		rtable_style(t, k, 6, 1, 1, CHART_VERMILLION, CHART_MARK_NONE);
	num_cell(t, k, 7, spc.has_limit, spc.limit, 2);
	shortfall_cell(t, k, 8, &spc);
	if (posts.has_limit)
		rtable_set(t, k, 9, fmt_number_trim(posts.limit, 1, buf,
						    sizeof buf));
	else
		rtable_set(t, k, 9, "–");
	shortfall_cell(t, k, 10, &posts);
	return 1;
}

typedef struct norm_text {
	char name[LABEL_MAX];
} norm_text;

static void norm_chart(rctx *c, const size_t *schools, size_t n)
{
	const rdata *r = c->r;
	const size_t most = 25;
	size_t parts = (n + most - 1) / most, chunk = (n + parts - 1) / parts;
	size_t k, i;

	for (k = 0; k < n && c->d->status == SS_OK; k += chunk) {
		size_t m = n - k < chunk ? n - k : chunk;
		chart_norm_row *rows = calloc(m, sizeof *rows);
		norm_text *names = calloc(m, sizeof *names);
		chart_norms data;
		char cap[256];

		if (!rows || !names) {
			free(rows);
			free(names);
			rpt_fail_oom(c);
			return;
		}
		for (i = 0; i < m; i++) {
			const char *id = rdata_cell(&r->schools, schools[k + i],
						    "school_id");
			rnorm tpc, spc;

			rdata_norm(r, r->year, id, "teachers_per_class", &tpc);
			rdata_norm(r, r->year, id, "students_per_class", &spc);
			rdata_scope_label(r, id, names[i].name, LABEL_MAX);
			rows[i].name = names[i].name;
			rows[i].cell[0] = (chart_norm_cell){
				tpc.has_value ? tpc.value : NAN,
				tpc.has_limit ? tpc.limit : NAN,
				strcmp(tpc.status, "below") == 0
			};
			rows[i].cell[1] = (chart_norm_cell){
				spc.has_value ? spc.value : NAN,
				spc.has_limit ? spc.limit : NAN,
				strcmp(spc.status, "above") == 0
			};
		}
		data = (chart_norms){
			NULL, NULL, { "Giáo viên/lớp", "Học sinh/lớp" },
			{ 2, 1 }, "Đạt định mức",
			"Chưa đạt (thiếu giáo viên, vượt sĩ số)", "Định mức",
			rows, m
		};
		snprintf(cap, sizeof cap,
			 "Giáo viên/lớp và sĩ số so với định mức, năm học %s%s",
			 r->year,
			 n > chunk ? (k == 0 ? " (phần 1)" : " (tiếp)") : "");
		rdoc_figure(c->d, 75.0 + 24.0 * (double)m, cap,
			    chart_norms_fn, &data);
		free(rows);
		free(names);
	}
}

/* Keeps the schools that miss a norm (at most RPT_CHART_MAX_SCHOOLS), for
 * a chart a district with hundreds of schools can still read; says so in
 * a note. Returns how many are kept. */
static size_t flagged_only(rctx *c, size_t *with, size_t n)
{
	const rdata *r = c->r;
	size_t i, kept = 0, flagged = 0;
	char buf[512];

	for (i = 0; i < n; i++) {
		const char *id = rdata_cell(&r->schools, with[i], "school_id");
		rnorm tpc, spc;

		rdata_norm(r, r->year, id, "teachers_per_class", &tpc);
		rdata_norm(r, r->year, id, "students_per_class", &spc);
		if (strcmp(tpc.status, "below") != 0 &&
		    strcmp(spc.status, "above") != 0)
			continue;
		flagged++;
		if (kept < RPT_CHART_MAX_SCHOOLS)
			with[kept++] = with[i];
	}
	if (kept < flagged)
		snprintf(buf, sizeof buf,
			 "Biểu đồ dưới đây chỉ gồm %zu trong số %zu trường "
			 "chưa đạt định mức (theo thứ tự danh sách trường); "
			 "số liệu đầy đủ ở bảng trên.",
			 kept, flagged);
	else
		snprintf(buf, sizeof buf,
			 "Biểu đồ dưới đây chỉ gồm %zu trường chưa đạt định "
			 "mức; số liệu đầy đủ ở bảng trên.",
			 kept);
	if (kept)
		rpt_par_note(c, buf);
	return kept;
}

void rpt_section_norms(rctx *c)
{
	const rdata *r = c->r;
	const char *lv[8];
	size_t nl = levels_present(r, lv, 7), i, *with = NULL, nwith = 0;
	size_t nshort = 0, listed = 0;
	char buf[1024], scope[64], a[64], b[64], s[64];
	rnorm tpc, spc;
	rtable t;

	rpt_heading(c, MARK_NORMS, "III. ĐỊNH MỨC GIÁO VIÊN VÀ SĨ SỐ LỚP");
	if (!r->has_norms) {
		rpt_par_body(c, "Chưa có kết quả so sánh định mức (thiếu tệp "
			"norms.csv).");
		return;
	}
	if (rdata_norm(r, r->year, "all", "teachers_per_class", &tpc) &&
	    tpc.has_value && tpc.has_limit) {
		fmt_number(tpc.value, 2, a, sizeof a);
		fmt_number(tpc.limit, 2, b, sizeof b);
		fmt_count(tpc.shortfall, s, sizeof s);
		if (tpc.has_shortfall && tpc.shortfall > 0)
			snprintf(buf, sizeof buf,
				 "%s bình quân %s giáo viên/lớp, định mức %s: "
				 "thiếu %s giáo viên (tổng số thiếu của các "
				 "trường).",
				 c->all, a, b, s);
		else
			snprintf(buf, sizeof buf,
				 "%s bình quân %s giáo viên/lớp, định mức %s: "
				 "đủ giáo viên theo định mức.",
				 c->all, a, b);
		rpt_par_body(c, buf);
	}
	if (rdata_norm(r, r->year, "all", "students_per_class", &spc) &&
	    spc.has_value && spc.has_limit) {
		fmt_number(spc.value, 2, a, sizeof a);
		fmt_number(spc.limit, 2, b, sizeof b);
		snprintf(buf, sizeof buf,
			 "Sĩ số bình quân %s học sinh/lớp, tối đa theo Điều lệ "
			 "trường %s (bình quân theo số lớp)%s.",
			 a, b,
			 strcmp(spc.status, "above") == 0
				 ? ": có lớp vượt sĩ số tối đa"
				 : "");
		rpt_par_body(c, buf);
	}
	with = malloc((r->schools.nrows + 1) * sizeof *with);
	if (!with) {
		rpt_fail_oom(c);
		return;
	}
	rtable_init(&t, norm_cols, 11, 7.0);
	t.spans = norm_spans;
	t.nspans = 3;
	for (i = 0; i < r->schools.nrows; i++) {
		const char *id = rdata_cell(&r->schools, i, "school_id");

		if (norm_row(c, &t, id, RROW_BODY))
			with[nwith++] = i;
		if (rdata_norm(r, r->year, id, "teachers_per_class", &tpc) &&
		    tpc.has_shortfall && tpc.shortfall > 0)
			nshort++;
	}
	for (i = 0; i < nl; i++) {
		snprintf(scope, sizeof scope, "level:%s", lv[i]);
		norm_row(c, &t, scope, RROW_TOTAL);
	}
	norm_row(c, &t, "all", RROW_TOTAL);
	snprintf(buf, sizeof buf, "Định mức giáo viên và sĩ số, năm học %s",
		 r->year);
	rdoc_table(c->d, &t, buf);
	rtable_release(&t);
	rpt_par_note(c, "Định mức giáo viên/lớp và biên chế giáo viên theo các thông tư "
		"của Bộ GD&ĐT về định mức (bảng định mức data/norms.csv ghi "
		"rõ văn bản, điều khoản và năm học áp dụng); sĩ số tối đa theo "
		"Điều lệ trường, với mầm non theo độ tuổi (bình quân theo số "
		"lớp). Số thiếu của cấp học và toàn đơn vị là tổng số thiếu "
		"của các trường. Số tô đỏ: chưa đạt định mức.");
	if (nshort && nshort <= 20) {
		rpt_par_body(c, "Các trường thiếu giáo viên so với định mức "
			"giáo viên/lớp:");
		for (i = 0; i < r->schools.nrows; i++) {
			const char *id = rdata_cell(&r->schools, i, "school_id");
			char name[LABEL_MAX];

			if (!rdata_norm(r, r->year, id, "teachers_per_class",
					&tpc) ||
			    !tpc.has_shortfall || tpc.shortfall <= 0)
				continue;
			fmt_number(tpc.value, 2, a, sizeof a);
			fmt_number(tpc.limit, 2, b, sizeof b);
			fmt_count(tpc.shortfall, s, sizeof s);
			snprintf(buf, sizeof buf,
				 "%s: %s giáo viên/lớp, định mức %s — thiếu "
				 "%s giáo viên%s",
				 rdata_scope_label(r, id, name, sizeof name), a,
				 b, s, ++listed < nshort ? ";" : ".");
			rpt_bullet(c, buf);
		}
	} else if (nshort) {
		snprintf(buf, sizeof buf,
			 "%zu trường thiếu giáo viên so với định mức "
			 "giáo viên/lớp (xem Bảng trên và Phụ lục).",
			 nshort);
		rpt_par_body(c, buf);
	}
	if (nwith > RPT_CHART_ALL_SCHOOLS)
		nwith = flagged_only(c, with, nwith);
	if (nwith)
		norm_chart(c, with, nwith);
	free(with);
}

/* ------------------------------------------------------------ V. exam */

static const rcol exam_cols[] = {
	{ "Đơn vị", 0.25, RALIGN_LEFT },
	{ "Số thí sinh", 0.085, RALIGN_RIGHT },
	{ "Điểm TB", 0.08, RALIGN_RIGHT },
	{ "Trung vị", 0.08, RALIGN_RIGHT },
	{ "Độ lệch chuẩn", 0.085, RALIGN_RIGHT },
	{ "Tỷ lệ đạt từ 5 điểm", 0.21, RALIGN_RIGHT },
	{ "Tỷ lệ điểm liệt (≤ 1)", 0.21, RALIGN_RIGHT },
};

static void exam_row(rctx *c, rtable *t, const char *scope,
		     const char *subject, int kind)
{
	static const char *const names[] = { "exam_candidates", "exam_mean",
					     "exam_median", "exam_sd",
					     "exam_pass_rate",
					     "exam_low_rate" };
	char ind[LABEL_MAX], buf[LABEL_MAX];
	size_t k = rtable_add(t, kind), j;

	rtable_set(t, k, 0, rdata_scope_label(c->r, scope, buf, sizeof buf));
	for (j = 0; j < sizeof names / sizeof names[0]; j++) {
		snprintf(ind, sizeof ind, "%s:%s", names[j], subject);
		ind_cell(c, t, k, j + 1, scope, ind, j >= 4);
	}
}

typedef struct hist_store {
	chart_hist_bin *bins;
	size_t n;
} hist_store;

/* The distribution of a subject for scope "all" from exam_histograms.csv:
 * the 0.25-point bins when written, else the widest ones. */
static size_t hist_bins(const rdata *r, const char *subject,
			chart_hist_bin *out, size_t cap)
{
	long yid = rdata_aux_id(r, r->year), sid = rdata_aux_id(r, subject);
	double best = 0.0;
	size_t i, n = 0;

	if (yid < 0 || sid < 0)
		return 0;
	for (i = 0; i < r->nhist; i++) {
		const rhist_row *h = &r->hist[i];

		if (h->year == (uint32_t)yid && h->subject == (uint32_t)sid &&
		    h->has_width &&
		    (best == 0.0 || fabs(h->width - 0.25) < fabs(best - 0.25)))
			best = h->width;
	}
	if (best == 0.0)
		return 0;
	for (i = 0; i < r->nhist && n < cap; i++) {
		const rhist_row *h = &r->hist[i];

		if (h->year != (uint32_t)yid || h->subject != (uint32_t)sid ||
		    !h->has_width || h->width != best || !h->has_low ||
		    !h->has_high || !h->has_count)
			continue;
		out[n++] = (chart_hist_bin){ h->low, h->high,
					     (long long)h->count };
	}
	return n;
}

static void subject_name(const char *suffix, char *buf, size_t size)
{
	char ind[LABEL_MAX];

	/* "exam_candidates:toan" -> "Số thí sinh dự thi môn Toán" -> "Toán" */
	snprintf(ind, sizeof ind, "exam_candidates:%s", suffix);
	report_indicator_label(ind, buf, size);
	if (strncmp(buf, "Số thí sinh dự thi môn ",
		    strlen("Số thí sinh dự thi môn ")) == 0)
		memmove(buf, buf + strlen("Số thí sinh dự thi môn "),
			strlen(buf) - strlen("Số thí sinh dự thi môn ") + 1);
}

static void exam_histograms(rctx *c, const char **subjects, size_t ns)
{
	const rdata *r = c->r;
	chart_hist_bin *bins = NULL;
	size_t i;

	if (!r->has_hist)
		return;
	bins = malloc(1024 * sizeof *bins);
	if (!bins) {
		rpt_fail_oom(c);
		return;
	}
	for (i = 0; i < ns && c->d->status == SS_OK; i++) {
		char name[LABEL_MAX], ind[LABEL_MAX], sub[LABEL_MAX],
			cap[1024], num[FMT_BUF_SIZE];
		size_t nb = hist_bins(r, subjects[i], bins, 1024);
		chart_histogram h;
		rval mean, median, cand;

		if (!nb)
			continue;
		subject_name(subjects[i], name, sizeof name);
		snprintf(ind, sizeof ind, "exam_mean:%s", subjects[i]);
		rdata_ind(r, r->year, "all", ind, &mean);
		snprintf(ind, sizeof ind, "exam_median:%s", subjects[i]);
		rdata_ind(r, r->year, "all", ind, &median);
		snprintf(ind, sizeof ind, "exam_candidates:%s", subjects[i]);
		rdata_ind(r, r->year, "all", ind, &cand);
		snprintf(sub, sizeof sub, "%s thí sinh",
			 cand.has_value ? fmt_count((long long)cand.value, num,
						    sizeof num)
					: "–");
		h = (chart_histogram){ NULL,
				       NULL,
				       "Điểm",
				       "Số thí sinh",
				       bins,
				       nb,
				       0.0,
				       10.0,
				       mean.has_value ? mean.value : NAN,
				       median.has_value ? median.value : NAN,
				       2 };
		snprintf(cap, sizeof cap,
			 "Phân bố điểm môn %s, %s (%s, %s)", name,
			 c->exam_title[0] ? c->exam_title : "kết quả thi",
			 r->year, sub);
		rdoc_figure(c->d, 175.0, cap, chart_histogram_fn, &h);
	}
	free(bins);
}

/* Above this many schools with exam results the exam table shows levels
 * and areas instead of schools: a national file would list every school
 * of every subject on hundreds of pages (the exact figures per school
 * stay in indicators.csv). */
#define RPT_EXAM_MAX_SCHOOLS 60

/* Scopes of the report year's exam_candidates rows that start with
 * prefix, each once, in file order, appended to out (room for the
 * distinct scopes). Returns the new count. */
static size_t exam_scopes(const rdata *r, const char *prefix,
			  const char **out, size_t n)
{
	size_t i, plen = strlen(prefix);

	for (i = 0; i < r->n_exam_scope; i++) {
		const char *scope = rdata_str(r, r->exam_scope[i]);

		if (strncmp(scope, prefix, plen) == 0)
			out[n++] = scope;
	}
	return n;
}

/* Schools with a result in some subject of the report year. */
static size_t exam_school_count(const rdata *r, const char **subjects,
				size_t ns)
{
	char ind[LABEL_MAX];
	/* the indicators' ids, found once (else by name for each school) */
	long yid = rdata_str_id(r, r->year), *iid = malloc((ns + 1) *
							  sizeof *iid);
	size_t i, j, n = 0;
	rval v;

	for (j = 0; iid && j < ns; j++) {
		snprintf(ind, sizeof ind, "exam_candidates:%s", subjects[j]);
		iid[j] = rdata_str_id(r, ind);
	}
	for (i = 0; i < r->schools.nrows; i++) {
		const char *id = rdata_cell(&r->schools, i, "school_id");
		long sid = rdata_str_id(r, id);

		for (j = 0; j < ns; j++) {
			int found;

			if (iid) {
				found = rdata_ind_id(r, yid, sid, iid[j], &v);
			} else {
				snprintf(ind, sizeof ind, "exam_candidates:%s",
					 subjects[j]);
				found = rdata_ind(r, r->year, id, ind, &v);
			}
			if (found) {
				n++;
				break;
			}
		}
	}
	free(iid);
	return n;
}

void rpt_section_exam(rctx *c)
{
	const rdata *r = c->r;
	const char **subjects = NULL, **scopes = NULL;
	size_t ns = 0, i, j, nschools, nscopes = 0;
	char head[512], up[512], buf[1024];
	rtable t;

	snprintf(head, sizeof head, "V. %s",
		 rpt_upper(c->exam_title, up, sizeof up));
	rpt_heading(c, MARK_EXAM, head);
	if (r->has_ind)
		subjects = malloc((r->n_exam_subject + 1) * sizeof *subjects);
	if (r->has_ind && !subjects) {
		rpt_fail_oom(c);
		return;
	}
	/* distinct indicators with one prefix: distinct subjects */
	for (i = 0; r->has_ind && i < r->n_exam_subject; i++)
		subjects[ns++] = rdata_str(r, r->exam_subject[i]) +
				 strlen("exam_candidates:");
	if (ns == 0) {
		snprintf(buf, sizeof buf,
			 "Năm học %s không có số liệu thi.", r->year);
		rpt_par_body(c, buf);
		free(subjects);
		return;
	}
	nschools = exam_school_count(r, subjects, ns);
	if (nschools > RPT_EXAM_MAX_SCHOOLS) {
		/* the coarsest area the schools do not all share */
		const char *geo = !r->province   ? "province:"
				  : !r->district ? "district:"
				  : !r->commune  ? "commune:"
						 : NULL;
		const char *what = !r->province   ? "tỉnh/thành phố"
				   : !r->district ? "quận/huyện"
						  : "xã/phường";
		char cnt[FMT_BUF_SIZE];

		fmt_count((long long)nschools, cnt, sizeof cnt);

		scopes = malloc((r->n_exam_scope + 1) * sizeof *scopes);
		if (!scopes) {
			rpt_fail_oom(c);
			free(subjects);
			return;
		}
		nscopes = exam_scopes(r, "level:", scopes, 0);
		if (geo)
			nscopes = exam_scopes(r, geo, scopes, nscopes);
		if (geo)
			snprintf(buf, sizeof buf,
				 "Số liệu năm học %s theo từng môn: toàn đơn "
				 "vị, từng cấp học và từng %s. Đơn vị có %s "
				 "trường có thí sinh, quá nhiều để liệt kê ở "
				 "đây; số liệu của từng trường có trong tệp "
				 "indicators.csv. Tỷ lệ kèm số thí sinh/tổng "
				 "số thí sinh.",
				 r->year, what, cnt);
		else
			snprintf(buf, sizeof buf,
				 "Số liệu năm học %s theo từng môn: toàn đơn "
				 "vị và từng cấp học. Đơn vị có %s trường có "
				 "thí sinh, quá nhiều để liệt kê ở đây; số "
				 "liệu của từng trường có trong tệp "
				 "indicators.csv. Tỷ lệ kèm số thí sinh/tổng "
				 "số thí sinh.",
				 r->year, cnt);
	} else {
		snprintf(buf, sizeof buf,
			 "Số liệu năm học %s theo từng môn, toàn đơn vị và "
			 "từng trường có thí sinh. Tỷ lệ kèm số thí sinh/tổng "
			 "số thí sinh.",
			 r->year);
	}
	rpt_par_body(c, buf);
	rtable_init(&t, exam_cols, 7, 7.5);
	for (j = 0; j < ns; j++) {
		char name[LABEL_MAX], ind[LABEL_MAX];
		size_t k = rtable_add(&t, RROW_GROUP);
		rval v;

		subject_name(subjects[j], name, sizeof name);
		rtable_setf(&t, k, 0, "Môn %s", name);
		exam_row(c, &t, "all", subjects[j], RROW_TOTAL);
		snprintf(ind, sizeof ind, "exam_candidates:%s", subjects[j]);
		for (i = 0; scopes && i < nscopes; i++)
			if (rdata_ind(r, r->year, scopes[i], ind, &v))
				exam_row(c, &t, scopes[i], subjects[j],
					 strncmp(scopes[i], "level:", 6) == 0
						 ? RROW_TOTAL
						 : RROW_BODY);
		for (i = 0; !scopes && i < r->schools.nrows; i++) {
			const char *id = rdata_cell(&r->schools, i,
						    "school_id");

			if (rdata_ind(r, r->year, id, ind, &v))
				exam_row(c, &t, id, subjects[j], RROW_BODY);
		}
	}
	snprintf(buf, sizeof buf, "%s năm học %s", c->exam_title, r->year);
	rdoc_table(c->d, &t, buf);
	rtable_release(&t);
	rpt_par_note(c, "Điểm liệt: điểm từ 1 trở xuống. Độ lệch chuẩn là độ lệch "
		"chuẩn mẫu. Trung vị và phân bố điểm chỉ có khi có điểm của "
		"từng thí sinh; khi chỉ có số liệu tổng hợp, ô để “–”.");
	exam_histograms(c, subjects, ns);
	free(scopes);
	free(subjects);
}

/* ------------------------------------------------------------ VI. quality */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static const rcol source_cols[] = {
	{ "Tệp số liệu", 0.3, RALIGN_LEFT },
	{ "Số dòng đọc", 0.13, RALIGN_RIGHT },
	{ "Dòng được nhận", 0.13, RALIGN_RIGHT },
	{ "Dòng bị loại", 0.13, RALIGN_RIGHT },
	{ "Lỗi", 0.13, RALIGN_RIGHT },
	{ "Cảnh báo", 0.13, RALIGN_RIGHT },
};

static const rcol finding_cols[] = {
	{ "TT", 0.05, RALIGN_CENTER },
	{ "Mức", 0.09, RALIGN_LEFT },
	{ "Vị trí (tệp:dòng:cột)", 0.2, RALIGN_LEFT },
	{ "Nội dung", 0.66, RALIGN_LEFT },
};

/* Whether validation row i is about the input file of sources row s. */
static int finding_of(const rdata *r, size_t i, size_t s)
{
	const char *f = rdata_cell(&r->valid, i, "file");

	return strcmp(f, rdata_cell(&r->sources, s, "path")) == 0 ||
	       strcmp(base_name(f), rdata_cell(&r->sources, s, "table")) == 0;
}

static void count_cell(rtable *t, size_t row, size_t col, size_t n,
		       int flag)
{
	rtable_setf(t, row, col, "%zu", n);
	if (n && flag)
		rtable_style(t, row, col, 1, 1, CHART_VERMILLION,
			     CHART_MARK_NONE);
}

static void source_table(rctx *c)
{
	const rdata *r = c->r;
	char *matched = calloc(r->valid.nrows + 1, 1);
	size_t i, s, k;
	rtable t;

	if (!matched) {
		rpt_fail_oom(c);
		return;
	}
	rtable_init(&t, source_cols, 6, 7.5);
	for (s = 0; s < r->sources.nrows; s++) {
		size_t nerr = 0, nwarn = 0;
		int present = strcmp(rdata_cell(&r->sources, s, "present"),
				     "1") == 0;
		double rej = 0.0;

		for (i = 0; i < r->valid.nrows; i++) {
			const char *sev;

			if (matched[i] || !finding_of(r, i, s))
				continue;
			matched[i] = 1;
			sev = rdata_cell(&r->valid, i, "severity");
			nerr += strcmp(sev, "error") == 0;
			nwarn += strcmp(sev, "warning") == 0;
		}
		k = rtable_add(&t, RROW_BODY);
		rtable_setf(&t, k, 0, "%s%s",
			    rdata_cell(&r->sources, s, "table"),
			    present ? "" : " (không có tệp)");
		if (!present) {
			rtable_set(&t, k, 1, "–");
			rtable_set(&t, k, 2, "–");
			rtable_set(&t, k, 3, "–");
		} else {
			char buf[FMT_BUF_SIZE];
			double v;

			rtable_set(&t, k, 1,
				   rdata_num(&r->sources, s, "rows_read", &v)
					   ? fmt_number_trim(v, 0, buf,
							     sizeof buf)
					   : "–");
			rtable_set(&t, k, 2,
				   rdata_num(&r->sources, s, "accepted", &v)
					   ? fmt_number_trim(v, 0, buf,
							     sizeof buf)
					   : "–");
			if (rdata_num(&r->sources, s, "rejected", &rej)) {
				rtable_set(&t, k, 3,
					   fmt_number_trim(rej, 0, buf,
							   sizeof buf));
				if (rej > 0)
					rtable_style(&t, k, 3, 1, 1,
						     CHART_VERMILLION,
						     CHART_MARK_NONE);
			} else {
				rtable_set(&t, k, 3, "–");
			}
		}
		count_cell(&t, k, 4, nerr, 1);
		count_cell(&t, k, 5, nwarn, 0);
	}
	/* findings about other files: the norm table, outputs */
	for (i = 0; i < r->valid.nrows; i++) {
		const char *f = rdata_cell(&r->valid, i, "file");
		size_t nerr = 0, nwarn = 0, j;

		if (matched[i])
			continue;
		for (j = i; j < r->valid.nrows; j++) {
			const char *sev;

			if (matched[j] ||
			    strcmp(rdata_cell(&r->valid, j, "file"), f) != 0)
				continue;
			matched[j] = 1;
			sev = rdata_cell(&r->valid, j, "severity");
			nerr += strcmp(sev, "error") == 0;
			nwarn += strcmp(sev, "warning") == 0;
		}
		k = rtable_add(&t, RROW_BODY);
		rtable_set(&t, k, 0, *f ? f : "(không rõ tệp)");
		rtable_set(&t, k, 1, "–");
		rtable_set(&t, k, 2, "–");
		rtable_set(&t, k, 3, "–");
		count_cell(&t, k, 4, nerr, 1);
		count_cell(&t, k, 5, nwarn, 0);
	}
	free(matched);
	rdoc_table(c->d, &t, "Kiểm tra số liệu theo tệp");
	rtable_release(&t);
}

static void findings_table(rctx *c)
{
	const rdata *r = c->r;
	size_t n = r->valid.nrows, max = c->opt->max_findings, hidden = 0;
	size_t shown, i, k, done = 0;
	int pass;
	rtable t;

	if (max == 0)
		max = 200;
	shown = report_truncate(n, max, &hidden);
	rtable_init(&t, finding_cols, 4, 7.0);
	/* errors first, then warnings, each in file order */
	for (pass = 0; pass < 2 && done < shown; pass++)
		for (i = 0; i < n && done < shown; i++) {
			const char *sev = rdata_cell(&r->valid, i, "severity");
			const char *code = rdata_cell(&r->valid, i, "code");
			const char *line = rdata_cell(&r->valid, i, "line");
			const char *col = rdata_cell(&r->valid, i, "column");
			const char *label = report_code_label(code);
			int is_err = strcmp(sev, "error") == 0;
			char pos[512];
			char *m;

			if (is_err != (pass == 0))
				continue;
			k = rtable_add(&t, RROW_BODY);
			rtable_setf(&t, k, 0, "%zu", ++done);
			rtable_set(&t, k, 1, is_err ? "Lỗi" : "Cảnh báo");
			rtable_style(&t, k, 1, is_err, is_err,
				     CHART_VERMILLION, CHART_MARK_NONE);
			snprintf(pos, sizeof pos, "%s%s%s%s%s",
				 base_name(rdata_cell(&r->valid, i, "file")),
				 *line && strcmp(line, "0") ? ":" : "",
				 *line && strcmp(line, "0") ? line : "",
				 *col && strcmp(col, "0") ? ":" : "",
				 *col && strcmp(col, "0") ? col : "");
			rtable_set(&t, k, 2, pos);
			m = g_markup_printf_escaped(
				"<b>%s</b>\n<span foreground=\"#4d4d4d\">%s</span>",
				label ? label : code,
				rdata_cell(&r->valid, i, "message"));
			rtable_set_markup(&t, k, 3, m);
			g_free(m);
		}
	if (hidden) {
		k = rtable_add(&t, RROW_GROUP);
		rtable_setf(&t, k, 0,
			    "… và %zu mục khác không hiển thị (xem đầy đủ trong "
			    "tệp validation.csv).",
			    hidden);
	}
	rdoc_table(c->d, &t, "Các lỗi và cảnh báo về số liệu");
	rtable_release(&t);
}

void rpt_section_quality(rctx *c)
{
	const rdata *r = c->r;
	size_t i, nerr = 0, nwarn = 0;
	char buf[1024];

	rpt_heading(c, MARK_QUALITY, "VI. CHẤT LƯỢNG DỮ LIỆU");
	for (i = 0; i < r->valid.nrows; i++) {
		const char *sev = rdata_cell(&r->valid, i, "severity");

		nerr += strcmp(sev, "error") == 0;
		nwarn += strcmp(sev, "warning") == 0;
	}
	if (!r->has_valid && !r->has_sources) {
		rpt_par_body(c, "Chưa có kết quả kiểm tra số liệu (thiếu tệp "
			"validation.csv và clean/sources.csv).");
		return;
	}
	snprintf(buf, sizeof buf,
		 "Số liệu đầu vào được kiểm tra tự động trước khi tính toán: "
		 "%zu lỗi (dòng có lỗi bị loại, không đưa vào tính toán) và "
		 "%zu cảnh báo (số liệu được giữ lại nhưng cần rà soát).",
		 nerr, nwarn);
	rpt_par_body(c, buf);
	if (r->has_rejects) {
		snprintf(buf, sizeof buf,
			 "Các dòng bị loại được lưu nguyên văn trong tệp "
			 "rejects.csv (%zu dòng) để đơn vị sửa và nộp lại.",
			 r->rejects.nrows);
		rpt_par_body(c, buf);
	}
	if (r->has_sources || r->valid.nrows)
		source_table(c);
	if (r->valid.nrows)
		findings_table(c);
}

/* ------------------------------------------------------------ appendix */

static const rcol appendix_cols[] = {
	{ "TT", 0.04, RALIGN_CENTER },
	{ "Trường", 0.22, RALIGN_LEFT },
	{ "Cấp học", 0.075, RALIGN_LEFT },
	{ "Loại hình", 0.075, RALIGN_LEFT },
	{ "Số lớp", 0.055, RALIGN_RIGHT },
	{ "Số học sinh", 0.07, RALIGN_RIGHT },
	{ "HS/lớp", 0.06, RALIGN_RIGHT },
	{ "Số GV", 0.055, RALIGN_RIGHT },
	{ "GV/lớp", 0.06, RALIGN_RIGHT },
	{ "Tỷ lệ lên lớp", 0.075, RALIGN_RIGHT },
	{ "Tỷ lệ lưu ban", 0.07, RALIGN_RIGHT },
	{ "Tỷ lệ bỏ học", 0.07, RALIGN_RIGHT },
};

void rpt_appendix(rctx *c)
{
	static const char *const inds[] = {
		"classes", "students", "students_per_class", "teachers",
		"teachers_per_class", "promotion_rate", "repetition_rate",
		"dropout_rate"
	};
	const rdata *r = c->r;
	rfont head = { RFACE_SERIF, 11.5, RSTYLE_BOLD };
	rfont sub = { RFACE_SERIF, 10.0, RSTYLE_ITALIC };
	char buf[512];
	size_t i, j;
	rtable t;

	rdoc_new_page(c->d);
	rdoc_mark(c->d, MARK_APPENDIX);
	rdoc_par(c->d, &head, RALIGN_CENTER, 0.0, "PHỤ LỤC", 2.0);
	rdoc_par(c->d, &head, RALIGN_CENTER, 0.0,
		 "SỐ LIỆU CHI TIẾT THEO TRƯỜNG", 2.0);
	snprintf(buf, sizeof buf,
		 "(Kèm theo báo cáo thống kê giáo dục năm học %s của %s)",
		 r->year, r->unit);
	rdoc_par(c->d, &sub, RALIGN_CENTER, 0.0, buf, 12.0);
	rtable_init(&t, appendix_cols, 12, 7.0);
	for (i = 0; i < r->schools.nrows; i++) {
		const char *id = rdata_cell(&r->schools, i, "school_id");
		const char *lv = rdata_cell(&r->schools, i, "level");
		const char *ow = rdata_cell(&r->schools, i, "ownership");
		const char *l;
		size_t k = rtable_add(&t, RROW_BODY);

		rtable_setf(&t, k, 0, "%zu", i + 1);
		rtable_set(&t, k, 1, rdata_scope_label(r, id, buf, sizeof buf));
		l = report_level_label(lv);
		rtable_set(&t, k, 2, l ? l : lv);
		l = report_ownership_label(ow);
		rtable_set(&t, k, 3, l ? l : ow);
		for (j = 0; j < sizeof inds / sizeof inds[0]; j++)
			ind_cell(c, &t, k, j + 4, id, inds[j], 0);
	}
	snprintf(buf, sizeof buf, "Số liệu các trường, năm học %s", r->year);
	rdoc_table(c->d, &t, buf);
	rpt_par_note(c, "Thứ tự các trường theo danh sách trường (clean/schools.csv); "
		"tỷ lệ lên lớp, lưu ban, bỏ học tính trên số học sinh cuối "
		"năm của trường.");
	rtable_release(&t);
}
