/* report_runinfo — the report's last page, "Thông tin lần chạy": the
 * essentials of the run that made the report, from the run_info.csv that
 * schoolstat-run writes into the output just before the report stage
 * (program and version, input directory, norm table, per input table its
 * path, rows and SHA-256, the validation counts). The file has no times,
 * so the page, like the rest of the PDF, changes only when the data does;
 * manifest.json holds the full hashes and the times, and the page says so.
 * Every value is printed as the file says; counts are only regrouped in
 * the Vietnamese style and hashes shortened. Without the file (the report
 * stage run by hand) there is no page and no contents entry. */
#include "report_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/* What an unknown (empty) value prints as. */
#define INFO_NONE "—"
/* The digits of a SHA-256 shown: enough to tell files apart by eye. */
#define INFO_HASH_SHOWN 12

/* ------------------------------------------------------------ cells */

const char *rpt_info_count(const char *cell, char *buf, size_t size)
{
	size_t n, i;

	if (!cell || !*cell) {
		snprintf(buf, size, "%s", INFO_NONE);
		return buf;
	}
	n = strlen(cell);
	for (i = 0; i < n && cell[i] >= '0' && cell[i] <= '9'; i++)
		;
	/* 18 digits always fit a long long */
	if (i == n && n <= 18)
		return fmt_count(strtoll(cell, NULL, 10), buf, size);
	snprintf(buf, size, "%s", cell);
	return buf;
}

static int is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

const char *rpt_info_hash(const char *hex, char *buf, size_t size)
{
	size_t i;

	if (!hex || !*hex) {
		snprintf(buf, size, "%s", INFO_NONE);
		return buf;
	}
	for (i = 0; i < INFO_HASH_SHOWN && is_hex(hex[i]); i++)
		;
	if (i == INFO_HASH_SHOWN)
		snprintf(buf, size, "%.*s", INFO_HASH_SHOWN, hex);
	else
		snprintf(buf, size, "%s", hex);
	return buf;
}

int rpt_info_table(const char *key, char *file, size_t size)
{
	static const char pre[] = "table:", post[] = ":path";
	size_t n, lp = sizeof pre - 1, ls = sizeof post - 1;

	if (!key)
		return 0;
	n = strlen(key);
	if (n <= lp + ls || strncmp(key, pre, lp) != 0 ||
	    strcmp(key + n - ls, post) != 0)
		return 0;
	snprintf(file, size, "%.*s", (int)(n - lp - ls), key + lp);
	return 1;
}

/* ------------------------------------------------------------ page */

/* A value of the file as text: "—" when absent or empty. */
static const char *text_of(const rctx *c, const char *key)
{
	const char *v = rdata_info(c->r, key);

	return v && *v ? v : INFO_NONE;
}

static const char *count_of(const rctx *c, const char *key, char *buf,
			    size_t size)
{
	return rpt_info_count(rdata_info(c->r, key), buf, size);
}

/* "<b>Key:</b> value", the value escaped. */
static void info_line(rctx *c, const char *key, const char *value)
{
	char *m = g_markup_printf_escaped("<b>%s:</b> %s", key, value);
	rfont f = { RFACE_SERIF, 10.5, RSTYLE_MARKUP };

	rdoc_par(c->d, &f, RALIGN_LEFT, 0.0, m, 4.0);
	g_free(m);
}

static const rcol table_cols[] = {
	{ "TT", 0.05, RALIGN_CENTER },
	{ "Tệp số liệu đầu vào", 0.38, RALIGN_LEFT },
	{ "Đọc", 0.11, RALIGN_RIGHT },
	{ "Được nhận", 0.11, RALIGN_RIGHT },
	{ "Bị loại", 0.11, RALIGN_RIGHT },
	{ "SHA-256 (12 ký tự đầu)", 0.24, RALIGN_LEFT },
};

static const rspan table_spans[] = {
	{ "Số dòng", 2, 3 },
};

/* One row per "table:<file>:path" key, in the file's order (contract
 * order, as the driver writes it). Returns the number of rows. */
static size_t input_table(rctx *c)
{
	const rdata *r = c->r;
	int ck = ctable_col(&r->info, "key");
	size_t i, n = 0;
	rtable t;

	rtable_init(&t, table_cols, 6, 8.0);
	t.spans = table_spans;
	t.nspans = sizeof table_spans / sizeof table_spans[0];
	for (i = 0; i < r->info.nrows; i++) {
		char file[256], key[320], buf[FMT_BUF_SIZE + 64];
		const char *path;
		size_t k;

		if (!rpt_info_table(ctable_get(&r->info, i, ck), file,
				    sizeof file))
			continue;
		path = rdata_cell(&r->info, i, "value");
		k = rtable_add(&t, RROW_BODY);
		rtable_setf(&t, k, 0, "%zu", ++n);
		rtable_set(&t, k, 1, *path ? path : file);
		snprintf(key, sizeof key, "table:%s:rows_read", file);
		rtable_set(&t, k, 2, count_of(c, key, buf, sizeof buf));
		snprintf(key, sizeof key, "table:%s:rows_accepted", file);
		rtable_set(&t, k, 3, count_of(c, key, buf, sizeof buf));
		snprintf(key, sizeof key, "table:%s:rows_rejected", file);
		rtable_set(&t, k, 4, count_of(c, key, buf, sizeof buf));
		snprintf(key, sizeof key, "table:%s:sha256", file);
		rtable_set(&t, k, 5,
			   rpt_info_hash(rdata_info(r, key), buf, sizeof buf));
	}
	if (n)
		rdoc_table(c->d, &t, "Các tệp số liệu đầu vào của lần chạy");
	rtable_release(&t);
	return n;
}

void rpt_section_runinfo(rctx *c)
{
	const rdata *r = c->r;
	rfont head = { RFACE_SERIF, 12.0, RSTYLE_BOLD };
	rfont sub = { RFACE_SERIF, 10.0, RSTYLE_ITALIC };
	char buf[1024], a[FMT_BUF_SIZE], b[FMT_BUF_SIZE], h[FMT_BUF_SIZE + 64];
	const char *v;

	if (!r->has_info)
		return;
	rdoc_new_page(c->d);
	rdoc_mark(c->d, MARK_RUNINFO);
	rdoc_par(c->d, &head, RALIGN_CENTER, 0.0, "Thông tin lần chạy", 2.0);
	snprintf(buf, sizeof buf,
		 "(Kèm theo báo cáo thống kê giáo dục năm học %s của %s)",
		 r->year, r->unit);
	rdoc_par(c->d, &sub, RALIGN_CENTER, 0.0, buf, 12.0);
	rdoc_par(c->d, &rpt_body, RALIGN_LEFT, 0.0,
		 "Báo cáo này do chương trình xử lý số liệu lập tự động. Các "
		 "thông tin dưới đây (theo tệp run_info.csv trong thư mục kết "
		 "quả) cho biết báo cáo được lập từ những tệp số liệu nào, để "
		 "đối chiếu khi cần.",
		 8.0);
	v = rdata_info(r, "version");
	snprintf(buf, sizeof buf, "%s, phiên bản %s", text_of(c, "program"),
		 v && *v ? v : INFO_NONE);
	info_line(c, "Chương trình", buf);
	info_line(c, "Thư mục số liệu đầu vào", text_of(c, "input_dir"));
	snprintf(buf, sizeof buf, "%s (SHA-256, 12 ký tự đầu: %s)",
		 text_of(c, "norms"),
		 rpt_info_hash(rdata_info(r, "norms_sha256"), h, sizeof h));
	info_line(c, "Bảng định mức", buf);
	snprintf(buf, sizeof buf, "lỗi: %s; cảnh báo: %s; dòng bị loại: %s",
		 count_of(c, "validation_errors", a, sizeof a),
		 count_of(c, "validation_warnings", b, sizeof b),
		 count_of(c, "rejected_rows", h, sizeof h));
	info_line(c, "Kết quả kiểm tra số liệu", buf);
	info_line(c, "Số bảng số liệu đầu vào",
		  count_of(c, "tables", a, sizeof a));
	rdoc_space(c->d, 6.0);
	if (!input_table(c))
		rdoc_par(c->d, &rpt_note, RALIGN_LEFT, 0.0,
			 "(Tệp run_info.csv không ghi tệp số liệu đầu vào "
			 "nào.)",
			 6.0);
	rdoc_par(c->d, &rpt_note, RALIGN_LEFT, 0.0,
		 "Mã SHA-256 ở trên chỉ in 12 ký tự đầu (trong 64 ký tự) để "
		 "đối chiếu nhanh. Tệp manifest.json trong thư mục kết quả ghi "
		 "đầy đủ mã SHA-256 và kích thước của mọi tệp đầu vào và kết "
		 "quả, cùng thời điểm bắt đầu, kết thúc lần chạy và thời gian "
		 "của từng bước xử lý.",
		 6.0);
}
