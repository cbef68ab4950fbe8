/* report_label — Vietnamese words for the codes the pipeline writes, and
 * the formats figures are printed in. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

/* ------------------------------------------------------------ utf-8 */

/* After a truncating snprintf: drops a last character cut in the middle,
 * so that a short buffer still holds valid UTF-8. */
static void utf8_trim(char *buf)
{
	size_t len = strlen(buf), i = len, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)buf[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)buf[i - 1];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (i - 1 + need > len)
		buf[i - 1] = '\0';
}

/* ------------------------------------------------------------ tables */

typedef struct pair {
	const char *code, *label;
} pair;

static const char *lookup(const pair *t, size_t n, const char *code)
{
	size_t i;

	if (!code)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].label;
	return NULL;
}

#define LOOKUP(t, code) lookup((t), sizeof(t) / sizeof((t)[0]), (code))

typedef enum suffix_kind {
	SUF_NONE, SUF_SUBJECT, SUF_GRADE, SUF_STAGE, SUF_STANDARD_LEVEL,
	SUF_QUALITY_LEVEL
} suffix_kind;

typedef struct ind_label {
	const char *name;
	const char *label;
	report_unit unit;
	suffix_kind suffix;
} ind_label;

/* The whole catalogue of ind.h (test_report checks none is missing). */
static const ind_label indicators[] = {
	{ "classes", "Số lớp", REPORT_UNIT_COUNT, SUF_NONE },
	{ "students", "Số học sinh", REPORT_UNIT_COUNT, SUF_NONE },
	{ "students_per_class", "Số học sinh bình quân/lớp",
	  REPORT_UNIT_RATIO, SUF_NONE },
	{ "teachers", "Số giáo viên", REPORT_UNIT_COUNT, SUF_NONE },
	{ "teachers_per_class", "Tỷ lệ giáo viên/lớp", REPORT_UNIT_RATIO,
	  SUF_NONE },
	{ "teachers_per_class_permanent", "Tỷ lệ giáo viên biên chế/lớp",
	  REPORT_UNIT_RATIO, SUF_NONE },
	{ "students_per_teacher", "Số học sinh/giáo viên", REPORT_UNIT_RATIO,
	  SUF_NONE },
	{ "permanent_staff_fill", "Tỷ lệ biên chế có mặt/được giao",
	  REPORT_UNIT_PERCENT, SUF_NONE },
	{ "promotion_rate", "Tỷ lệ lên lớp", REPORT_UNIT_PERCENT, SUF_NONE },
	{ "repetition_rate", "Tỷ lệ lưu ban", REPORT_UNIT_PERCENT, SUF_NONE },
	{ "dropout_rate", "Tỷ lệ bỏ học", REPORT_UNIT_PERCENT, SUF_NONE },
	{ "completion_rate", "Tỷ lệ hoàn thành cấp học", REPORT_UNIT_PERCENT,
	  SUF_NONE },
	{ "completion_rate_cohort", "Tỷ lệ hoàn thành cấp học theo khóa",
	  REPORT_UNIT_PERCENT, SUF_NONE },
	{ "survival_rate_last_grade", "Tỷ lệ học đến lớp cuối cấp",
	  REPORT_UNIT_PERCENT, SUF_STAGE },
	{ "cohort_promotion_rate", "Tỷ lệ lên lớp theo khóa",
	  REPORT_UNIT_PERCENT, SUF_GRADE },
	{ "cohort_repetition_rate", "Tỷ lệ lưu ban theo khóa",
	  REPORT_UNIT_PERCENT, SUF_GRADE },
	{ "cohort_dropout_rate", "Tỷ lệ bỏ học theo khóa", REPORT_UNIT_PERCENT,
	  SUF_GRADE },
	{ "exam_candidates", "Số thí sinh dự thi", REPORT_UNIT_COUNT,
	  SUF_SUBJECT },
	{ "exam_mean", "Điểm TB", REPORT_UNIT_SCORE, SUF_SUBJECT },
	{ "exam_sd", "Độ lệch chuẩn điểm", REPORT_UNIT_SCORE, SUF_SUBJECT },
	{ "exam_median", "Điểm trung vị", REPORT_UNIT_SCORE, SUF_SUBJECT },
	{ "exam_pass_rate", "Tỷ lệ đạt từ 5 điểm", REPORT_UNIT_PERCENT,
	  SUF_SUBJECT },
	{ "exam_low_rate", "Tỷ lệ điểm liệt (≤ 1)", REPORT_UNIT_PERCENT,
	  SUF_SUBJECT },
	{ "standard_school_share", "Tỷ lệ trường đạt chuẩn quốc gia",
	  REPORT_UNIT_PERCENT, SUF_STANDARD_LEVEL },
	{ "quality_level_share", "Tỷ lệ trường đạt kiểm định chất lượng",
	  REPORT_UNIT_PERCENT, SUF_QUALITY_LEVEL },
	{ "standard_school_share_public",
	  "Tỷ lệ trường công lập đạt chuẩn quốc gia", REPORT_UNIT_PERCENT,
	  SUF_STANDARD_LEVEL },
	{ "quality_level_share_public",
	  "Tỷ lệ trường công lập đạt kiểm định chất lượng",
	  REPORT_UNIT_PERCENT, SUF_QUALITY_LEVEL },
	{ "accreditation_valid", "Số trường có công nhận còn hiệu lực",
	  REPORT_UNIT_COUNT, SUF_NONE },
	{ "accreditation_valid_public",
	  "Số trường công lập có công nhận còn hiệu lực", REPORT_UNIT_COUNT,
	  SUF_NONE },
	{ "accreditation_expiring",
	  "Số trường hết hạn công nhận trong năm học này hoặc năm sau",
	  REPORT_UNIT_COUNT, SUF_NONE },
	{ "accreditation_expiring_public",
	  "Số trường công lập hết hạn công nhận trong năm học này hoặc năm sau",
	  REPORT_UNIT_COUNT, SUF_NONE },
	{ "accreditation_expired", "Số trường đã hết hạn công nhận",
	  REPORT_UNIT_COUNT, SUF_NONE },
	{ "accreditation_expired_public",
	  "Số trường công lập đã hết hạn công nhận", REPORT_UNIT_COUNT,
	  SUF_NONE },
	{ "accreditation_overdue", "Số trường quá hạn đăng ký đánh giá lại",
	  REPORT_UNIT_COUNT, SUF_NONE },
	{ "accreditation_overdue_public",
	  "Số trường công lập quá hạn đăng ký đánh giá lại",
	  REPORT_UNIT_COUNT, SUF_NONE },
};

/* Subject names as text_fold leaves them, with the spellings the Ministry
 * uses today (Vật lí, Địa lí). */
static const pair subjects[] = {
	{ "toan", "Toán" },
	{ "ngu_van", "Ngữ văn" },
	{ "van", "Ngữ văn" },
	{ "tieng_viet", "Tiếng Việt" },
	{ "tieng_anh", "Tiếng Anh" },
	{ "ngoai_ngu", "Ngoại ngữ" },
	{ "tieng_phap", "Tiếng Pháp" },
	{ "tieng_trung", "Tiếng Trung" },
	{ "tieng_nhat", "Tiếng Nhật" },
	{ "tieng_han", "Tiếng Hàn" },
	{ "tieng_duc", "Tiếng Đức" },
	{ "tieng_nga", "Tiếng Nga" },
	{ "vat_li", "Vật lí" },
	{ "vat_ly", "Vật lí" },
	{ "hoa_hoc", "Hóa học" },
	{ "sinh_hoc", "Sinh học" },
	{ "lich_su", "Lịch sử" },
	{ "dia_li", "Địa lí" },
	{ "dia_ly", "Địa lí" },
	{ "lich_su_dia_li", "Lịch sử và Địa lí" },
	{ "lich_su_va_dia_li", "Lịch sử và Địa lí" },
	{ "gdcd", "Giáo dục công dân" },
	{ "giao_duc_cong_dan", "Giáo dục công dân" },
	{ "gdktpl", "Giáo dục kinh tế và pháp luật" },
	{ "tin_hoc", "Tin học" },
	{ "cong_nghe", "Công nghệ" },
	{ "khtn", "Khoa học tự nhiên" },
	{ "khoa_hoc_tu_nhien", "Khoa học tự nhiên" },
	{ "chuyen", "Môn chuyên" },
	{ "mon_chuyen", "Môn chuyên" },
};

static const pair exams[] = {
	{ "tuyen_sinh_10", "Thi tuyển sinh lớp 10" },
	{ "tuyen_sinh_lop_10", "Thi tuyển sinh lớp 10" },
	{ "tuyen_sinh_10_chuyen", "Thi tuyển sinh lớp 10 chuyên" },
	{ "tot_nghiep_thpt", "Thi tốt nghiệp THPT" },
	{ "hoc_sinh_gioi", "Thi học sinh giỏi" },
	{ "hsg", "Thi học sinh giỏi" },
};

static const pair levels[] = {
	{ "mam_non", "Mầm non" },
	{ "tieu_hoc", "Tiểu học" },
	{ "thcs", "THCS" },
	{ "thpt", "THPT" },
	{ "th_thcs", "Tiểu học và THCS" },
	{ "thcs_thpt", "THCS và THPT" },
};

static const pair ownerships[] = {
	{ "cong_lap", "Công lập" },
	{ "tu_thuc", "Tư thục" },
	{ "dan_lap", "Dân lập" },
};

static const pair statuses[] = {
	{ "met", "Đạt" },
	{ "not_met", "Chưa đạt" },
	{ "no_data", "Không có số liệu" },
};

/* Codes of validation.csv written by ingest, indicators, norms, gaps and
 * audit. */
static const pair codes[] = {
	{ "above_quota", "Biên chế vượt số được giao" },
	{ "bad_header", "Dòng tiêu đề không hợp lệ" },
	{ "bad_id", "Mã không hợp lệ" },
	{ "bad_quote", "Lỗi dấu ngoặc kép trong tệp CSV" },
	{ "bad_record", "Dòng CSV không hợp lệ" },
	{ "bad_score", "Điểm thi không hợp lệ" },
	{ "bad_target", "Chỉ tiêu không hợp lệ" },
	{ "bad_text", "Văn bản sai bảng mã ký tự" },
	{ "bad_value", "Giá trị không hợp lệ" },
	{ "bad_year", "Năm học không hợp lệ" },
	{ "class_too_large", "Sĩ số bình quân quá lớn" },
	{ "cohort_inconsistent", "Số liệu theo khóa không khớp giữa hai năm" },
	{ "deadline_before_year", "Thời hạn chỉ tiêu trước năm học" },
	{ "due_before_recognition",
	  "Hạn đánh giá lại trước ngày công nhận" },
	{ "duplicate_column", "Cột bị trùng tên" },
	{ "duplicate_key", "Dòng trùng khóa" },
	{ "empty_file", "Tệp rỗng" },
	{ "empty_value", "Ô bắt buộc để trống" },
	{ "enrollment_exceeds_promotion",
	  "Số học sinh vượt số lên lớp và lưu ban năm trước" },
	{ "exam_summary_superseded",
	  "Số liệu thi tổng hợp không dùng (đã có điểm từng thí sinh)" },
	{ "grade_all_mixed", "Dòng tổng (all) lẫn với dòng theo khối" },
	{ "grade_outside_level", "Khối lớp không thuộc cấp học của trường" },
	{ "line_too_long", "Dòng quá dài" },
	{ "missing_column", "Thiếu cột bắt buộc" },
	{ "missing_value", "Thiếu giá trị" },
	{ "no_actual", "Chỉ tiêu chưa có số liệu thực hiện" },
	{ "no_candidates", "Không có thí sinh nhưng có điểm trung bình" },
	{ "no_subjects", "Không có môn thi" },
	{ "norm_bad_region", "Vùng không hợp lệ" },
	{ "norm_bad_row", "Dòng định mức không hợp lệ" },
	{ "norm_bad_sessions", "Số buổi học/ngày không hợp lệ" },
	{ "norm_duplicate_school", "Trường bị trùng" },
	{ "norm_grade_level", "Khối lớp không thuộc cấp học" },
	{ "norm_missing", "Không có định mức áp dụng cho năm học" },
	{ "norm_mixed_grades", "Số liệu tổng lẫn với số liệu theo khối" },
	{ "norm_no_enrollment", "Có giáo viên nhưng không có số lớp" },
	{ "norm_no_staffing", "Có lớp nhưng không có số liệu giáo viên" },
	{ "norm_unknown_level", "Cấp học không xác định" },
	{ "norm_unknown_school", "Mã trường không có trong danh sách" },
	{ "norm_zero_classes", "Số lớp bằng 0" },
	{ "offgrid_score", "Điểm lẻ ngoài bước điểm" },
	{ "outcomes_do_not_add_up",
	  "Kết quả cuối năm không khớp số học sinh" },
	{ "part_exceeds_total", "Số thành phần vượt tổng số" },
	{ "score_out_of_range", "Điểm ngoài khoảng 0–10" },
	{ "standard_needs_quality",
	  "Đạt chuẩn quốc gia nhưng chưa đủ mức kiểm định" },
	{ "students_without_classes", "Có học sinh nhưng không có lớp" },
	{ "table_unusable", "Bảng không dùng được" },
	{ "target_contradicts_schools",
	  "Chỉ tiêu chung mâu thuẫn với chỉ tiêu các trường" },
	{ "too_few_fields", "Dòng thiếu cột" },
	{ "too_many_fields", "Dòng thừa cột" },
	{ "unknown_column", "Cột không xác định" },
	{ "unknown_grade", "Khối lớp không xác định" },
	{ "unknown_indicator", "Chỉ tiêu không có trong danh mục" },
	{ "unknown_school", "Mã trường không có trong danh sách trường" },
	{ "zero_denominator", "Không tính được (mẫu số bằng 0)" },
};

const char *report_subject_label(const char *subject)
{
	return LOOKUP(subjects, subject);
}

const char *report_exam_label(const char *exam)
{
	return LOOKUP(exams, exam);
}

const char *report_level_label(const char *level)
{
	return LOOKUP(levels, level);
}

const char *report_ownership_label(const char *ownership)
{
	return LOOKUP(ownerships, ownership);
}

const char *report_status_label(const char *status)
{
	return LOOKUP(statuses, status);
}

const char *report_code_label(const char *code)
{
	return LOOKUP(codes, code);
}

const char *report_op_symbol(const char *op)
{
	if (!op)
		return "";
	if (strcmp(op, ">=") == 0)
		return "≥";
	if (strcmp(op, "<=") == 0)
		return "≤";
	if (strcmp(op, "=") == 0)
		return "=";
	return "";
}

/* ------------------------------------------------------------ indicators */

/* The catalogue entry for the part of name before the first ':'. */
static const ind_label *find_indicator(const char *name, const char **suffix)
{
	const char *colon = strchr(name, ':');
	size_t len = colon ? (size_t)(colon - name) : strlen(name), i;

	*suffix = colon ? colon + 1 : "";
	for (i = 0; i < sizeof indicators / sizeof indicators[0]; i++)
		if (strlen(indicators[i].name) == len &&
		    strncmp(indicators[i].name, name, len) == 0)
			return &indicators[i];
	return NULL;
}

/* A subject's name, or the code with '_' shown as spaces. */
static void subject_words(const char *code, size_t len, char *buf,
			  size_t size)
{
	char tmp[128];
	const char *known;
	size_t i;

	if (len >= sizeof tmp)
		len = sizeof tmp - 1;
	memcpy(tmp, code, len);
	tmp[len] = '\0';
	known = report_subject_label(tmp);
	if (known) {
		snprintf(buf, size, "%s", known);
		return;
	}
	for (i = 0; i < len; i++)
		if (tmp[i] == '_')
			tmp[i] = ' ';
	snprintf(buf, size, "%s", tmp);
}

static void grade_words(const char *g, char *buf, size_t size)
{
	static const pair preschool[] = {
		{ "nha_tre", "nhà trẻ" },
		{ "mg_3", "mẫu giáo 3 tuổi" },
		{ "mg_4", "mẫu giáo 4 tuổi" },
		{ "mg_5", "mẫu giáo 5 tuổi" },
	};
	const char *p = LOOKUP(preschool, g);

	if (p)
		snprintf(buf, size, ", %s", p);
	else
		snprintf(buf, size, ", lớp %s", g);
}

static void stage_words(const char *s, char *buf, size_t size)
{
	const char *l = report_level_label(s);

	/* "tiểu học" reads lower case inside a phrase; THCS/THPT stay. */
	if (s && strcmp(s, "tieu_hoc") == 0)
		l = "tiểu học";
	snprintf(buf, size, " %s", l ? l : s);
}

/* The exam in parentheses, first letter lower-cased (an ASCII 'T'). */
static void exam_words(const char *code, size_t len, char *buf, size_t size)
{
	char tmp[128];
	const char *known;

	if (len >= sizeof tmp)
		len = sizeof tmp - 1;
	memcpy(tmp, code, len);
	tmp[len] = '\0';
	known = report_exam_label(tmp);
	if (known && known[0] == 'T')
		snprintf(buf, size, " (t%s)", known + 1);
	else
		snprintf(buf, size, " (%s)", known ? known : tmp);
}

int report_indicator_label(const char *indicator, char *buf, size_t size)
{
	const char *suffix;
	const ind_label *d;
	char extra[256] = "";

	if (size == 0)
		return indicator && find_indicator(indicator, &suffix);
	if (!indicator) {
		buf[0] = '\0';
		return 0;
	}
	d = find_indicator(indicator, &suffix);
	if (!d) {
		snprintf(buf, size, "%s", indicator);
		utf8_trim(buf);
		return 0;
	}
	if (*suffix) {
		switch (d->suffix) {
		case SUF_SUBJECT: {
			const char *colon = strchr(suffix, ':');
			char subj[128], exam[160] = "";

			if (colon) {
				subject_words(colon + 1, strlen(colon + 1),
					      subj, sizeof subj);
				exam_words(suffix, (size_t)(colon - suffix),
					   exam, sizeof exam);
			} else {
				subject_words(suffix, strlen(suffix), subj,
					      sizeof subj);
			}
			snprintf(extra, sizeof extra, " môn %s%s", subj, exam);
			break;
		}
		case SUF_GRADE:
			grade_words(suffix, extra, sizeof extra);
			break;
		case SUF_STAGE:
			stage_words(suffix, extra, sizeof extra);
			break;
		case SUF_STANDARD_LEVEL:
			snprintf(extra, sizeof extra, " mức %s", suffix);
			break;
		case SUF_QUALITY_LEVEL:
			snprintf(extra, sizeof extra, " cấp độ %s", suffix);
			break;
		case SUF_NONE:
			snprintf(extra, sizeof extra, " (%s)", suffix);
			break;
		}
	}
	snprintf(buf, size, "%s%s", d->label, extra);
	utf8_trim(buf);
	return 1;
}

int report_indicator_unit(const char *indicator, report_unit *unit,
			  int *decimals)
{
	const char *suffix;
	const ind_label *d = indicator ? find_indicator(indicator, &suffix)
				       : NULL;
	report_unit u = d ? d->unit : REPORT_UNIT_RATIO;

	if (unit)
		*unit = u;
	if (decimals)
		*decimals = u == REPORT_UNIT_COUNT ? 0 : 2;
	return d != NULL;
}

/* ------------------------------------------------------------ formats */

#define DASH "–"

const char *report_format_value(const char *indicator, double v, char *buf,
				size_t size)
{
	report_unit u;
	int dec;

	if (!isfinite(v)) {
		snprintf(buf, size, DASH);
		return buf;
	}
	report_indicator_unit(indicator, &u, &dec);
	if (u == REPORT_UNIT_PERCENT)
		return fmt_percent(v, dec, buf, size);
	if (u == REPORT_UNIT_COUNT)
		/* counts are whole in the CSVs; a fractional one is shown as
		 * written rather than rounded away */
		return fmt_number_trim(v, 2, buf, size);
	return fmt_number(v, dec, buf, size);
}

const char *report_format_with_parts(const char *indicator, double v,
				     int has_parts, double numerator,
				     double denominator, char *buf,
				     size_t size)
{
	char val[FMT_BUF_SIZE], num[FMT_BUF_SIZE], den[FMT_BUF_SIZE];
	report_unit u;

	report_format_value(indicator, v, val, sizeof val);
	report_indicator_unit(indicator, &u, NULL);
	if (!has_parts || !isfinite(v) || !isfinite(numerator) ||
	    !isfinite(denominator) ||
	    (u != REPORT_UNIT_PERCENT && u != REPORT_UNIT_RATIO)) {
		snprintf(buf, size, "%s", val);
		return buf;
	}
	fmt_number_trim(numerator, 2, num, sizeof num);
	fmt_number_trim(denominator, 2, den, sizeof den);
	snprintf(buf, size, "%s (%s/%s)", val, num, den);
	return buf;
}

const char *report_format_gap(const char *indicator, double gap, char *buf,
			      size_t size)
{
	char num[FMT_BUF_SIZE];
	int dec;

	if (!isfinite(gap)) {
		snprintf(buf, size, DASH);
		return buf;
	}
	report_indicator_unit(indicator, NULL, &dec);
	fmt_number(gap, dec, num, sizeof num);
	/* fmt drops the sign of a value that rounds to zero: only a
	 * non-zero positive text gets '+'. */
	if (gap > 0.0 && strspn(num, "0,.") != strlen(num))
		snprintf(buf, size, "+%s", num);
	else
		snprintf(buf, size, "%s", num);
	return buf;
}

const char *report_format_target(const char *indicator, const char *op,
				 double target, char *buf, size_t size)
{
	char num[FMT_BUF_SIZE];
	report_unit u;
	const char *sym = report_op_symbol(op);

	if (!isfinite(target)) {
		snprintf(buf, size, DASH);
		return buf;
	}
	report_indicator_unit(indicator, &u, NULL);
	if (u == REPORT_UNIT_PERCENT)
		fmt_percent_trim(target, 2, num, sizeof num);
	else
		fmt_number_trim(target, 2, num, sizeof num);
	if (*sym)
		snprintf(buf, size, "%s %s", sym, num);
	else
		snprintf(buf, size, "%s", num);
	utf8_trim(buf);
	return buf;
}

/* ------------------------------------------------------------ places */

static const char *const unit_kinds[] = {
	"Phường ", "Xã ", "Thị trấn ", "Thành phố ", "Thị xã ", "Quận ",
	"Huyện ", "Đặc khu ",
};

const char *report_place_name(const char *unit, char *buf, size_t size)
{
	size_t i;

	if (!unit)
		unit = "";
	for (i = 0; i < sizeof unit_kinds / sizeof unit_kinds[0]; i++) {
		size_t n = strlen(unit_kinds[i]);

		if (strncmp(unit, unit_kinds[i], n) == 0 && unit[n]) {
			unit += n;
			break;
		}
	}
	snprintf(buf, size, "%s", unit);
	utf8_trim(buf);
	return buf;
}

const char *report_addressee(const char *province, char *buf, size_t size)
{
	static const pair kinds[] = {
		{ "Tỉnh ", "tỉnh " },
		{ "Thành phố ", "thành phố " },
		{ "TP. ", "thành phố " },
	};
	const char *base = "Sở Giáo dục và Đào tạo";
	size_t i;

	if (!province || !*province) {
		snprintf(buf, size, "%s", base);
		return buf;
	}
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t n = strlen(kinds[i].code);

		if (strncmp(province, kinds[i].code, n) == 0) {
			snprintf(buf, size, "%s %s%s", base, kinds[i].label,
				 province + n);
			utf8_trim(buf);
			return buf;
		}
	}
	snprintf(buf, size, "%s %s", base, province);
	utf8_trim(buf);
	return buf;
}

const char *report_all_label(const char *unit)
{
	static const pair kinds[] = {
		{ "Phường ", "Toàn phường" },   { "Xã ", "Toàn xã" },
		{ "Thị trấn ", "Toàn thị trấn" }, { "Quận ", "Toàn quận" },
		{ "Huyện ", "Toàn huyện" },     { "Thị xã ", "Toàn thị xã" },
		{ "Thành phố ", "Toàn thành phố" }, { "Đặc khu ", "Toàn đặc khu" },
		{ "Tỉnh ", "Toàn tỉnh" },
	};
	size_t i;

	for (i = 0; unit && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strncmp(unit, kinds[i].code, strlen(kinds[i].code)) == 0)
			return kinds[i].label;
	return "Toàn đơn vị";
}

/* ------------------------------------------------------------ dates */

/* Days from 1970-01-01 to y-m-d, and back (Howard Hinnant's algorithms,
 * "chrono-Compatible Low-Level Date Algorithms"): no gmtime, no TZ. */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void split_epoch(long long epoch, long long *y, int *mo, int *d,
			int *h, int *mi, int *s)
{
	long long days = epoch / 86400, rem = epoch % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, y, mo, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem % 3600 / 60);
	*s = (int)(rem % 60);
}

long long report_year_epoch(int year)
{
	return days_from_civil(year, 1, 1) * 86400LL;
}

const char *report_date_words(long long epoch, char *buf, size_t size)
{
	long long y;
	int mo, d, h, mi, s;

	split_epoch(epoch, &y, &mo, &d, &h, &mi, &s);
	snprintf(buf, size, "ngày %02d tháng %s%d năm %lld", d,
		 mo <= 2 ? "0" : "", mo, y);
	return buf;
}

const char *report_iso_date(long long epoch, char *buf, size_t size)
{
	long long y;
	int mo, d, h, mi, s;

	split_epoch(epoch, &y, &mo, &d, &h, &mi, &s);
	snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h,
		 mi, s);
	return buf;
}

ss_status report_parse_epoch(const char *s, long long *out, ss_error *e)
{
	const long long max = 253402300799LL; /* 9999-12-31T23:59:59Z */
	long long v;
	char *end;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s))
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "bad SOURCE_DATE_EPOCH '%s' (expected seconds "
			       "since 1970-01-01 as decimal digits)",
			       s ? s : "");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end || v > max)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "bad SOURCE_DATE_EPOCH '%s' (expected at most "
			       "%lld)",
			       s, max);
	*out = v;
	return SS_OK;
}
