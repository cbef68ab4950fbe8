/* report — the report stage: two passes over the document (measure, then
 * draw into the file), the cover with its table of contents, the closing
 * and signature block, and the PDF file handling. */
#include "report_priv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#include "ind.h"

const rfont rpt_body = { RFACE_SERIF, 10.5, 0 };
const rfont rpt_small = { RFACE_SERIF, 9.0, 0 };
const rfont rpt_note = { RFACE_SERIF, 8.5, RSTYLE_ITALIC };

void report_options_init(report_options *o)
{
	memset(o, 0, sizeof *o);
}

/* ------------------------------------------------------------ helpers */

const char *rpt_upper(const char *s, char *buf, size_t size)
{
	gchar *u = g_utf8_strup(s ? s : "", -1);

	snprintf(buf, size, "%s", u ? u : "");
	g_free(u);
	return buf;
}

void rpt_heading(rctx *c, int mark, const char *text)
{
	rdoc_heading(c->d, text, 11.5, 60.0);
	/* after the heading: it may have moved to a new page */
	if (mark >= 0)
		rdoc_mark(c->d, mark);
}

void rpt_subheading(rctx *c, const char *text)
{
	rfont f = { RFACE_SERIF, 10.5, RSTYLE_BOLD | RSTYLE_ITALIC };
	double h = rdoc_text_height(c->d, &f, text, rdoc_width(c->d), 0);

	rdoc_ensure(c->d, h + 50.0);
	rdoc_space(c->d, 3.0);
	rdoc_par(c->d, &f, RALIGN_LEFT, 0.0, text, 4.0);
}

void rpt_bullet(rctx *c, const char *text)
{
	char buf[2048];

	snprintf(buf, sizeof buf, "- %s", text);
	rdoc_par(c->d, &rpt_body, RALIGN_LEFT, 14.0, buf, 2.5);
}

/* The unit is an administrative unit (its people's committee issues). */
static int is_admin_unit(const char *unit)
{
	static const char *const kinds[] = { "Phường ", "Xã ", "Thị trấn ",
					     "Quận ", "Huyện ", "Thị xã ",
					     "Thành phố ", "Đặc khu ",
					     "Tỉnh " };
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strncmp(unit, kinds[i], strlen(kinds[i])) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ cover */

static double centered(rdoc *d, const rfont *f, const char *text, double x,
		       double y, double w)
{
	PangoLayout *l = rdoc_layout(d, f, text, w, RALIGN_CENTER, 0);
	double h = rdoc_layout_height(l);

	rdoc_draw_layout(d, l, x, y, 0.0, 0.0, 0.0);
	g_object_unref(l);
	return h;
}

static void rule(rdoc *d, double cx, double y, double w)
{
	cairo_save(d->cr);
	cairo_set_source_rgb(d->cr, 0.0, 0.0, 0.0);
	cairo_set_line_width(d->cr, 0.6);
	cairo_move_to(d->cr, cx - w / 2.0, y);
	cairo_line_to(d->cr, cx + w / 2.0, y);
	cairo_stroke(d->cr);
	cairo_restore(d->cr);
}

static double text_width(rdoc *d, const rfont *f, const char *s)
{
	PangoLayout *l = rdoc_layout(d, f, s, 0.0, RALIGN_LEFT, 0);
	double w = rdoc_layout_width(l);

	g_object_unref(l);
	return w;
}

/* The two-column heading of an administrative document (Nghị định
 * 30/2020): the issuing body on the left, the national motto on the
 * right, the place and date under it. */
static void cover_header(rctx *c)
{
	rdoc *d = c->d;
	rfont reg = { RFACE_SERIF, 10.5, 0 };
	rfont bold = { RFACE_SERIF, 10.5, RSTYLE_BOLD };
	rfont motto = { RFACE_SERIF, 11.0, RSTYLE_BOLD };
	rfont date = { RFACE_SERIF, 10.5, RSTYLE_ITALIC };
	double W = rdoc_width(d), lw = W * 0.42, rw = W - lw;
	double lx = d->ml, rx = d->ml + lw, y0 = d->y, ly = y0, ry = y0, tw;
	char up[512], place[256], when[128], line[512];

	if (c->r->unit_derived || is_admin_unit(c->r->unit))
		ly += centered(d, &reg, "ỦY BAN NHÂN DÂN", lx, ly, lw);
	ly += centered(d, &bold, rpt_upper(c->r->unit, up, sizeof up), lx, ly,
		       lw);
	rule(d, lx + lw / 2.0, ly + 3.0, lw * 0.3);
	ly += 10.0;
	ly += centered(d, &reg, "Số:          /BC", lx, ly, lw);

	ry += centered(d, &bold, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rx, ry,
		       rw);
	ry += centered(d, &motto, "Độc lập - Tự do - Hạnh phúc", rx, ry, rw);
	tw = text_width(d, &motto, "Độc lập - Tự do - Hạnh phúc");
	rule(d, rx + rw / 2.0, ry + 2.0, tw);
	ry += 14.0;
	/* the place of the document is where the schools are, whatever
	 * --unit calls the office */
	report_place_name(c->r->commune	   ? c->r->commune
			  : c->r->district ? c->r->district
			  : c->r->province ? c->r->province
					   : c->r->unit,
			  place, sizeof place);
	if (c->epoch_given) {
		report_date_words(c->epoch, when, sizeof when);
	} else {
		/* no date given: left blank for the signer, as on paper */
		int start = 0;

		ind_year_parse(c->r->latest, &start);
		if (start > 0)
			snprintf(when, sizeof when,
				 "ngày      tháng      năm %d", start + 1);
		else
			snprintf(when, sizeof when,
				 "ngày      tháng      năm       ");
	}
	snprintf(line, sizeof line, "%s, %s", place, when);
	ry += centered(d, &date, line, rx, ry, rw);
	d->y = fmax(ly, ry) + 40.0;
}

static void cover_info_line(rctx *c, const char *key, const char *value)
{
	char *m = g_markup_printf_escaped("<b>%s:</b> %s", key, value);
	rfont f = { RFACE_SERIF, 10.5, RSTYLE_MARKUP };

	rdoc_par(c->d, &f, RALIGN_LEFT, 30.0, m, 4.0);
	g_free(m);
}

/* "10 (mầm non: 5; tiểu học: 3; THCS: 2), trong đó công lập 8, tư thục 2"
 * by counting the rows of clean/schools.csv. */
static void school_counts(const rdata *r, char *buf, size_t size)
{
	static const struct {
		const char *code, *words;
	} lv[] = {
		{ "mam_non", "mầm non" },   { "tieu_hoc", "tiểu học" },
		{ "thcs", "THCS" },         { "thpt", "THPT" },
		{ "th_thcs", "TH và THCS" }, { "thcs_thpt", "THCS và THPT" },
	}, ow[] = {
		{ "cong_lap", "công lập" },
		{ "tu_thuc", "tư thục" },
		{ "dan_lap", "dân lập" },
	};
	size_t i, k, n = r->schools.nrows, pos;
	int first = 1;

	pos = (size_t)snprintf(buf, size, "%zu", n);
	for (k = 0; k < sizeof lv / sizeof lv[0] && pos < size; k++) {
		size_t cnt = 0;

		for (i = 0; i < n; i++)
			cnt += strcmp(rdata_cell(&r->schools, i, "level"),
				      lv[k].code) == 0;
		if (!cnt)
			continue;
		pos += (size_t)snprintf(buf + pos, size - pos, "%s%s: %zu",
					first ? " (" : "; ", lv[k].words, cnt);
		first = 0;
	}
	if (!first && pos < size)
		pos += (size_t)snprintf(buf + pos, size - pos, ")");
	first = 1;
	for (k = 0; k < sizeof ow / sizeof ow[0] && pos < size; k++) {
		size_t cnt = 0;

		for (i = 0; i < n; i++)
			cnt += strcmp(rdata_cell(&r->schools, i, "ownership"),
				      ow[k].code) == 0;
		if (!cnt)
			continue;
		pos += (size_t)snprintf(buf + pos, size - pos, "%s %s %zu",
					first ? ", trong đó" : ",",
					ow[k].words, cnt);
		first = 0;
	}
}

static const char *const toc_titles[MARK_COUNT] = {
	"I. Kết quả thực hiện chỉ tiêu",
	"II. Chỉ số theo cấp học",
	"III. Định mức giáo viên và sĩ số lớp",
	"IV. Kiểm định chất lượng giáo dục và trường đạt chuẩn quốc gia",
	"V. Kết quả thi",
	"VI. Chất lượng dữ liệu",
	"Phụ lục. Số liệu chi tiết theo trường",
	"Thông tin lần chạy",
};

static void cover_toc(rctx *c)
{
	rdoc *d = c->d;
	rfont f = { RFACE_SERIF, 10.5, 0 };
	rfont hf = { RFACE_SERIF, 11.0, RSTYLE_BOLD };
	double x0 = d->ml + 30.0, x1 = d->ml + rdoc_width(d) - 30.0;
	int i;

	rdoc_space(d, 16.0);
	rdoc_par(d, &hf, RALIGN_CENTER, 0.0, "MỤC LỤC", 6.0);
	for (i = 0; i < MARK_COUNT; i++) {
		char page[32], title[256];
		int p = rdoc_known_mark(d, i);
		PangoLayout *lt, *lp;
		double tw, pw, h;

		/* the report stage run by hand has no run information */
		if (i == MARK_RUNINFO && !c->r->has_info)
			continue;
		if (i == MARK_EXAM)
			snprintf(title, sizeof title, "V. %s", c->exam_title);
		else
			snprintf(title, sizeof title, "%s", toc_titles[i]);
		snprintf(page, sizeof page, "%s", "…");
		if (p > 0)
			snprintf(page, sizeof page, "%d", p);
		lt = rdoc_layout(d, &f, title, 0.0, RALIGN_LEFT, 0);
		lp = rdoc_layout(d, &f, page, 0.0, RALIGN_LEFT, 0);
		tw = rdoc_layout_width(lt);
		pw = rdoc_layout_width(lp);
		h = rdoc_layout_height(lt);
		rdoc_draw_layout(d, lt, x0, d->y, 0.0, 0.0, 0.0);
		rdoc_draw_layout(d, lp, x1 - pw, d->y, 0.0, 0.0, 0.0);
		/* dot leaders between the title and its page */
		cairo_save(d->cr);
		cairo_set_source_rgb(d->cr, 0.3, 0.3, 0.3);
		cairo_set_line_width(d->cr, 0.9);
		cairo_set_line_cap(d->cr, CAIRO_LINE_CAP_ROUND);
		{
			double dash[2] = { 0.01, 3.0 };

			cairo_set_dash(d->cr, dash, 2, 0.0);
		}
		cairo_move_to(d->cr, x0 + tw + 4.0, d->y + h * 0.78);
		cairo_line_to(d->cr, x1 - pw - 4.0, d->y + h * 0.78);
		cairo_stroke(d->cr);
		cairo_restore(d->cr);
		g_object_unref(lt);
		g_object_unref(lp);
		rdoc_space(d, h + 4.0);
	}
}

static void cover(rctx *c)
{
	rdoc *d = c->d;
	const rdata *r = c->r;
	rfont tf = { RFACE_SERIF, 16.0, RSTYLE_BOLD };
	rfont kf = { RFACE_SERIF, 11.5, RSTYLE_MARKUP };
	char buf[1024], addr[256], place[512];
	char *m;

	rdoc_new_page(d);
	cover_header(c);
	/* the title centred on the page, narrower than the text */
	d->y += centered(d, &tf, c->title, d->ml + 40.0, d->y,
			 rdoc_width(d) - 80.0) + 4.0;
	rule(d, d->ml + rdoc_width(d) / 2.0, d->y + 2.0, 90.0);
	rdoc_space(d, 20.0);
	report_addressee(r->province, addr, sizeof addr);
	m = g_markup_printf_escaped("Kính gửi: %s.", addr);
	rdoc_par(d, &kf, RALIGN_CENTER, 0.0, m, 28.0);
	g_free(m);

	cover_info_line(c, "Đơn vị báo cáo", r->unit);
	if (r->unit_derived && (r->district || r->province)) {
		if (r->commune && r->district && r->province)
			snprintf(place, sizeof place, "%s, %s", r->district,
				 r->province);
		else if (r->commune && r->district)
			snprintf(place, sizeof place, "%s", r->district);
		else if (r->province && (r->commune || r->district))
			snprintf(place, sizeof place, "%s", r->province);
		else
			place[0] = '\0';
		if (place[0])
			cover_info_line(c, "Trực thuộc", place);
	}
	cover_info_line(c, "Năm học báo cáo", r->year[0] ? r->year : "–");
	if (c->epoch_given) {
		char iso[32];

		report_iso_date(c->epoch, iso, sizeof iso);
		/* "2025-06-01..." -> "01/06/2025" */
		snprintf(buf, sizeof buf, "%.2s/%.2s/%.4s", iso + 8, iso + 5,
			 iso);
		cover_info_line(c, "Ngày lập số liệu", buf);
	} else if (r->latest[0]) {
		snprintf(buf, sizeof buf, "hết năm học %s", r->latest);
		cover_info_line(c, "Thời điểm số liệu", buf);
	}
	school_counts(r, buf, sizeof buf);
	cover_info_line(c, "Số trường", buf);
	if (r->has_sources) {
		size_t i, n = 0;

		for (i = 0; i < r->sources.nrows; i++)
			n += strcmp(rdata_cell(&r->sources, i, "present"),
				    "1") == 0;
		snprintf(buf, sizeof buf,
			 "%zu bảng số liệu do đơn vị nhập, đã qua kiểm tra "
			 "và xử lý tự động (xem mục VI)",
			 n);
		cover_info_line(c, "Nguồn số liệu", buf);
	}
	cover_toc(c);
}

/* ------------------------------------------------------------ opening */

static void opening(rctx *c)
{
	rdoc *d = c->d;
	const rdata *r = c->r;
	const char *y = r->year;
	char addr[256], buf[2048], a[128], b[128], cl[64], st[64], tc[64];
	rval v;

	rdoc_new_page(d);
	report_addressee(r->province, addr, sizeof addr);
	snprintf(buf, sizeof buf,
		 "Thực hiện chế độ báo cáo thống kê ngành giáo dục, %s báo cáo "
		 "%s kết quả thống kê giáo dục năm học %s như sau:",
		 r->unit, addr, y);
	rdoc_par(d, &rpt_body, RALIGN_LEFT, 0.0, buf, 6.0);
	if (r->has_ind && rdata_ind(r, y, "all", "students", &v) &&
	    v.has_value) {
		rval vc, vt;

		rdata_ind(r, y, "all", "classes", &vc);
		rdata_ind(r, y, "all", "teachers", &vt);
		report_format_value("students", v.value, st, sizeof st);
		report_format_value("classes", vc.has_value ? vc.value : NAN,
				    cl, sizeof cl);
		report_format_value("teachers", vt.has_value ? vt.value : NAN,
				    tc, sizeof tc);
		snprintf(buf, sizeof buf,
			 "%s có %zu trường, %s lớp (nhóm lớp), %s học sinh "
			 "(trẻ) và %s giáo viên.",
			 c->all, r->schools.nrows, cl, st, tc);
		if (rdata_ind(r, y, "all", "promotion_rate", &v) &&
		    v.has_value) {
			rval vd;
			size_t n = strlen(buf);

			report_format_with_parts("promotion_rate", v.value,
						 v.has_num && v.has_den, v.num,
						 v.den, a, sizeof a);
			rdata_ind(r, y, "all", "dropout_rate", &vd);
			report_format_with_parts(
				"dropout_rate", vd.has_value ? vd.value : NAN,
				vd.has_num && vd.has_den, vd.num, vd.den, b,
				sizeof b);
			/* the sentence goes on after its final '.' */
			snprintf(buf + n - 1, sizeof buf - n + 1,
				 "; tỷ lệ lên lớp %s, tỷ lệ bỏ học %s.", a, b);
		}
		rdoc_par(d, &rpt_body, RALIGN_LEFT, 0.0, buf, 6.0);
	}
	if (r->has_gaps && r->gaps.nrows) {
		size_t i, met = 0, not_met = 0, none = 0, n = 0;

		for (i = 0; i < r->gaps.nrows; i++) {
			const char *s = rdata_cell(&r->gaps, i, "status");

			if (!rdata_target_current(r, i))
				continue;
			n++;
			met += strcmp(s, "met") == 0;
			not_met += strcmp(s, "not_met") == 0;
			none += strcmp(s, "no_data") == 0;
		}
		snprintf(buf, sizeof buf,
			 "Trong %zu chỉ tiêu kế hoạch được đối chiếu: %zu chỉ "
			 "tiêu đạt, %zu chỉ tiêu chưa đạt, %zu chỉ tiêu chưa có "
			 "số liệu (chi tiết tại mục I).",
			 n, met, not_met, none);
		if (n)
			rdoc_par(d, &rpt_body, RALIGN_LEFT, 0.0, buf, 6.0);
	}
}

/* ------------------------------------------------------------ closing */

static void closing(rctx *c)
{
	rdoc *d = c->d;
	const rdata *r = c->r;
	rfont key = { RFACE_SERIF, 10.0, RSTYLE_BOLD | RSTYLE_ITALIC };
	rfont small = { RFACE_SERIF, 9.5, 0 };
	rfont sig = { RFACE_SERIF, 10.5, RSTYLE_BOLD };
	rfont sig_note = { RFACE_SERIF, 9.5, RSTYLE_ITALIC };
	char addr[256], buf[1024];
	double W = rdoc_width(d), half = W / 2.0, y0, hl = 0.0, hr = 0.0;

	report_addressee(r->province, addr, sizeof addr);
	snprintf(buf, sizeof buf,
		 "Trên đây là báo cáo thống kê giáo dục năm học %s của %s. "
		 "Kính báo cáo %s xem xét, tổng hợp./.",
		 r->year, r->unit, addr);
	rdoc_space(d, 6.0);
	rdoc_par(d, &rpt_body, RALIGN_LEFT, 0.0, buf, 14.0);
	/* the signature block never splits */
	rdoc_ensure(d, 130.0);
	y0 = d->y;
	hl += rdoc_text_at(d, &key, "Nơi nhận:", d->ml, y0, half, RALIGN_LEFT);
	snprintf(buf, sizeof buf, "- Như trên;\n- Lưu: VT.");
	hl += rdoc_text_at(d, &small, buf, d->ml, y0 + hl, half, RALIGN_LEFT);
	hr += rdoc_text_at(d, &sig, "THỦ TRƯỞNG ĐƠN VỊ", d->ml + half, y0,
			   half, RALIGN_CENTER);
	hr += rdoc_text_at(d, &sig_note, "(Ký, ghi rõ họ tên và đóng dấu)",
			   d->ml + half, y0 + hr, half, RALIGN_CENTER);
	d->y = y0 + fmax(hl, hr) + 90.0;
}

/* ------------------------------------------------------------ document */

static void render(rctx *c)
{
	cover(c);
	opening(c);
	rpt_section_targets(c);
	rpt_section_levels(c);
	rpt_section_norms(c);
	rpt_section_accr(c);
	rpt_section_exam(c);
	rpt_section_quality(c);
	closing(c);
	rpt_appendix(c);
	rpt_section_runinfo(c);
}

static cairo_status_t discard(void *closure, const unsigned char *data,
			      unsigned int length)
{
	(void)closure;
	(void)data;
	(void)length;
	return CAIRO_STATUS_SUCCESS;
}

typedef struct file_sink {
	FILE *f;
	int err;   /* errno of the first failed write */
} file_sink;

static cairo_status_t to_file(void *closure, const unsigned char *data,
			      unsigned int length)
{
	file_sink *s = closure;

	if (s->err)
		return CAIRO_STATUS_WRITE_ERROR;
	errno = 0;
	if (fwrite(data, 1, length, s->f) != length) {
		s->err = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static ss_status surface_failure(cairo_surface_t *s, const char *path,
				 ss_error *e)
{
	cairo_status_t cs = cairo_surface_status(s);

	return err_set(e, cs == CAIRO_STATUS_NO_MEMORY ? SS_ENOMEM
						       : SS_EINTERNAL,
		       path, 0, 0, "cairo failed: %s",
		       cairo_status_to_string(cs));
}

/* One pass over the document onto surface; *pages and marks[] receive
 * what it laid out. */
static ss_status run_pass(rctx *c, cairo_surface_t *surface, int total,
			  const int *known, int *pages, int *marks,
			  ss_error *e)
{
	rdoc d;
	ss_status st;

	rdoc_init_shared(&d, surface, total, known, c->lay);
	c->d = &d;
	snprintf(d.footer, sizeof d.footer, "%s — %s", c->r->unit, c->title);
	if (d.status == SS_OK)
		render(c);
	st = rdoc_finish(&d);
	*pages = d.page;
	memcpy(marks, d.marks, sizeof d.marks);
	if (st != SS_OK)
		*e = d.err;
	rdoc_release(&d);
	c->d = NULL;
	return st;
}

static void set_metadata(cairo_surface_t *s, const rctx *c)
{
	char iso[32], subject[256];

	report_iso_date(c->epoch, iso, sizeof iso);
	snprintf(subject, sizeof subject, "Thống kê giáo dục năm học %s",
		 c->r->year);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, c->title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR,
				       c->r->unit);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, subject);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR,
				       "schoolstat-report");
	/* cairo 1.16 writes the current time unless these are set */
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, iso);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, iso);
}

/* The exam of the report year, for the title of section V: the one
 * clean/exam_hist.csv names for that year, else clean/exam_summary.csv. */
static void exam_title(rctx *c)
{
	const rdata *r = c->r;
	const char *found = NULL;
	int many = 0;
	size_t i, k;

	for (k = 0; k < 2 && !found; k++)
		for (i = 0; i < r->exams[k].n && !found; i++) {
			const rexam_year *x = &r->exams[k].item[i];

			if (strcmp(rdata_aux_str(r, x->year), r->year) != 0)
				continue;
			found = rdata_aux_str(r, x->exam);
			many = x->many;
		}
	if (found && !many) {
		const char *l = report_exam_label(found);

		if (l && l[0] == 'T') /* "Thi ..." -> "Kết quả thi ..." */
			snprintf(c->exam_title, sizeof c->exam_title,
				 "Kết quả t%s", l + 1);
		else
			snprintf(c->exam_title, sizeof c->exam_title,
				 "Kết quả thi %s", l ? l : found);
	} else {
		snprintf(c->exam_title, sizeof c->exam_title, "Kết quả thi");
	}
}

static ss_status write_pdf(rctx *c, const char *tmp, int pages,
			   const int *marks, ss_error *e)
{
	file_sink sink = { NULL, 0 };
	cairo_surface_t *s;
	int pages2 = 0, marks2[RPT_MAX_MARKS];
	ss_status st;

	if (!(sink.f = fopen(tmp, "wb")))
		return err_set_errno(e, SS_EIO, tmp, errno, "cannot create");
	s = cairo_pdf_surface_create_for_stream(to_file, &sink, RPT_PAGE_W,
						RPT_PAGE_H);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		st = surface_failure(s, tmp, e);
		cairo_surface_destroy(s);
		fclose(sink.f);
		return st;
	}
	set_metadata(s, c);
	st = run_pass(c, s, pages, marks, &pages2, marks2, e);
	if (st == SS_OK && pages2 != pages)
		st = err_set(e, SS_EINTERNAL, tmp, 0, 0,
			     "the layout changed between passes (%d pages, "
			     "then %d)",
			     pages, pages2);
	/* cairo's status is sticky: check it before finishing (the
	 * drawing) and after (the trailer written at finish) */
	if (st == SS_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		st = surface_failure(s, tmp, e);
	if (st == SS_OK) {
		cairo_surface_finish(s);
		if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
			st = surface_failure(s, tmp, e);
	}
	/* cairo reports a failed write as its own sticky error, during the
	 * pass or at finish: name the file and the system's reason instead */
	if (sink.err)
		st = err_set_errno(e, SS_EIO, tmp, sink.err, "cannot write");
	cairo_surface_destroy(s);
	if (fflush(sink.f) != 0 || ferror(sink.f)) {
		if (st == SS_OK)
			st = err_set_errno(e, SS_EIO, tmp, errno ? errno : EIO,
					   "cannot write");
	}
	if (fclose(sink.f) != 0 && st == SS_OK)
		st = err_set_errno(e, SS_EIO, tmp, errno, "cannot write");
	return st;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

ss_status report_run(const char *outdir, const report_options *opt,
		     report_summary *sum, ss_error *e)
{
	report_options defaults;
	rworker helper;
	rlayouts lay;
	rdata r;
	rctx c;
	cairo_surface_t *s;
	int pages = 0, marks[RPT_MAX_MARKS];
	char *path = NULL, *tmp = NULL;
	ss_status st;
	int start;

	if (!opt) {
		report_options_init(&defaults);
		opt = &defaults;
	}
	memset(&c, 0, sizeof c);
	rlayouts_init(&lay);
	c.lay = &lay;
	rdata_init(&r);
	rworker_init(&helper);
	/* without the thread the same work is done in this one, later */
	rworker_start(&helper);
	/* the helper loads the fonts, then reads the exam tables, while
	 * this thread reads the others */
	rlayouts_use_worker(&lay, &helper);
	st = rdata_load_with(&r, outdir, opt, &helper, e);
	if (st != SS_OK)
		goto done;
	c.r = &r;
	c.opt = opt;
	if (opt->title && *opt->title)
		snprintf(c.title, sizeof c.title, "%s", opt->title);
	else if (r.year[0])
		snprintf(c.title, sizeof c.title,
			 "Báo cáo thống kê giáo dục năm học %s", r.year);
	else
		snprintf(c.title, sizeof c.title,
			 "Báo cáo thống kê giáo dục");
	snprintf(c.all, sizeof c.all, "%s",
		 report_all_label(r.unit_derived ? r.unit : NULL));
	c.epoch_given = opt->has_epoch;
	if (opt->has_epoch)
		c.epoch = opt->epoch;
	else if (ind_year_parse(r.latest, &start))
		c.epoch = report_year_epoch(start + 1);
	else
		c.epoch = 0;
	exam_title(&c);

	/* pass 1: lay out onto nothing to learn the pages */
	s = cairo_pdf_surface_create_for_stream(discard, NULL, RPT_PAGE_W,
						RPT_PAGE_H);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		st = surface_failure(s, NULL, e);
		cairo_surface_destroy(s);
		goto done;
	}
	st = run_pass(&c, s, 0, NULL, &pages, marks, e);
	if (st == SS_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		st = surface_failure(s, NULL, e);
	cairo_surface_finish(s);
	if (st == SS_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		st = surface_failure(s, NULL, e);
	cairo_surface_destroy(s);
	if (st != SS_OK)
		goto done;

	/* pass 2: the same layout into the file, page count known */
	if (!(path = join(outdir, "report.pdf")) ||
	    !(tmp = join(outdir, "report.pdf.tmp"))) {
		st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		goto done;
	}
	st = write_pdf(&c, tmp, pages, marks, e);
	if (st == SS_OK && rename(tmp, path) != 0)
		st = err_set_errno(e, SS_EIO, path, errno, "cannot rename %s to",
				   tmp);
	if (st != SS_OK && tmp)
		remove(tmp);
	else if (st == SS_OK && sum) {
		sum->pages = pages;
		snprintf(sum->year, sizeof sum->year, "%s", r.year);
	}
done:
	free(path);
	free(tmp);
	rworker_release(&helper);
	rlayouts_release(&lay);
	rdata_release(&r);
	return st;
}
