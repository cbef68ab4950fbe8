#include "schema.h"

#include <string.h>

#include "text.h"

#define A(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *const levels[] = {
	"mam_non", "tieu_hoc", "thcs", "thpt", "th_thcs", "thcs_thpt", NULL
};
static const char *const ownerships[] = { "cong_lap", "tu_thuc", NULL };
static const char *const roles[] = { "manager", "teacher", "staff", NULL };
static const char *const kinds[] = { "first", "renewal", NULL };
static const char *const grades[] = {
	"nha_tre", "mg_3", "mg_4", "mg_5", "1", "2", "3", "4", "5", "6", "7",
	"8", "9", "10", "11", "12", "all", NULL
};

/* Header aliases are compared after text_fold, so each is written once in
 * its natural Vietnamese spelling; case, diacritics and spacing do not
 * matter. */
static const schema_column schools_cols[] = {
	{ "school_id", SCH_ID, 1, A("Mã trường", "Mã", "Mã đơn vị", "Mã cơ sở"), NULL, 0, 0 },
	{ "name", SCH_TEXT, 1, A("Tên trường", "Tên", "Tên đơn vị", "Tên cơ sở"), NULL, 0, 0 },
	{ "level", SCH_ENUM, 1, A("Cấp học", "Cấp", "Bậc học"), levels, 0, 0 },
	{ "ownership", SCH_ENUM, 1, A("Loại hình", "Loại hình trường", "Hình thức"), ownerships, 0, 0 },
	{ "commune", SCH_TEXT, 1, A("Xã/Phường", "Phường/Xã", "Xã", "Phường", "Xã phường"), NULL, 0, 0 },
	{ "district", SCH_TEXT, 0, A("Quận/Huyện", "Huyện", "Quận", "Huyện/Quận"), NULL, 0, 0 },
	{ "province", SCH_TEXT, 0, A("Tỉnh/Thành phố", "Tỉnh", "Tỉnh/TP", "Tỉnh thành"), NULL, 0, 0 },
	{ "sites", SCH_COUNT, 0, A("Số điểm trường", "Điểm trường"), NULL, 0, 0 },
	{ "sessions_per_day", SCH_INT_RANGE, 0, A("Số buổi/ngày", "Số buổi học/ngày", "Buổi/ngày"), NULL, 1, 2 },
	{ "region", SCH_INT_RANGE, 0, A("Vùng", "Khu vực"), NULL, 1, 3 },
};

static const schema_column enrollment_cols[] = {
	{ "year", SCH_YEAR, 1, A("Năm học"), NULL, 0, 0 },
	{ "school_id", SCH_ID, 1, A("Mã trường"), NULL, 0, 0 },
	{ "grade", SCH_GRADE, 1, A("Khối", "Khối lớp", "Lớp", "Nhóm lớp", "Độ tuổi"), NULL, 0, 0 },
	{ "classes", SCH_COUNT, 1, A("Số lớp", "Số nhóm lớp", "Số nhóm/lớp"), NULL, 0, 0 },
	{ "students", SCH_COUNT, 1, A("Số học sinh", "Số HS", "Số trẻ", "Học sinh"), NULL, 0, 0 },
	{ "female", SCH_COUNT, 0, A("Nữ", "Học sinh nữ", "Số HS nữ"), NULL, 0, 0 },
	{ "ethnic_minority", SCH_COUNT, 0, A("Dân tộc", "Dân tộc thiểu số", "DTTS"), NULL, 0, 0 },
	{ "disabled", SCH_COUNT, 0, A("Khuyết tật", "Học sinh khuyết tật"), NULL, 0, 0 },
};

static const schema_column promotion_cols[] = {
	{ "year", SCH_YEAR, 1, A("Năm học"), NULL, 0, 0 },
	{ "school_id", SCH_ID, 1, A("Mã trường"), NULL, 0, 0 },
	{ "grade", SCH_GRADE, 1, A("Khối", "Khối lớp", "Lớp"), NULL, 0, 0 },
	{ "enrolled", SCH_COUNT, 1, A("Sĩ số", "Tổng số", "Số học sinh cuối năm"), NULL, 0, 0 },
	{ "promoted", SCH_COUNT, 1, A("Lên lớp", "Được lên lớp", "Đạt yêu cầu"), NULL, 0, 0 },
	{ "repeated", SCH_COUNT, 1, A("Lưu ban", "Ở lại lớp", "Chưa đạt"), NULL, 0, 0 },
	{ "dropped", SCH_COUNT, 1, A("Bỏ học"), NULL, 0, 0 },
	{ "summer_retest", SCH_COUNT, 0, A("Thi lại", "Kiểm tra lại", "Rèn luyện hè", "Rèn luyện trong hè"), NULL, 0, 0 },
	{ "completed", SCH_COUNT, 0, A("Hoàn thành chương trình", "Hoàn thành", "Tốt nghiệp"), NULL, 0, 0 },
};

static const schema_column exam_scores_cols[] = {
	{ "year", SCH_YEAR, 1, A("Năm học", "Năm"), NULL, 0, 0 },
	{ "exam", SCH_ID, 1, A("Kỳ thi", "Kì thi"), NULL, 0, 0 },
	{ "candidate_id", SCH_ID, 1, A("Số báo danh", "SBD"), NULL, 0, 0 },
	{ "school_id", SCH_ID, 1, A("Mã trường"), NULL, 0, 0 },
};

static const schema_column exam_summary_cols[] = {
	{ "year", SCH_YEAR, 1, A("Năm học", "Năm"), NULL, 0, 0 },
	{ "exam", SCH_ID, 1, A("Kỳ thi", "Kì thi"), NULL, 0, 0 },
	{ "school_id", SCH_ID, 1, A("Mã trường"), NULL, 0, 0 },
	{ "subject", SCH_TEXT, 1, A("Môn", "Môn thi"), NULL, 0, 0 },
	{ "candidates", SCH_COUNT, 1, A("Số thí sinh", "Số dự thi", "Thí sinh"), NULL, 0, 0 },
	{ "mean", SCH_REAL, 1, A("Điểm trung bình", "ĐTB", "Trung bình"), NULL, 0, 10 },
	{ "sd", SCH_REAL, 0, A("Độ lệch chuẩn", "ĐLC"), NULL, 0, 10 },
	{ "pass_rate", SCH_PERCENT, 0, A("Tỷ lệ trên trung bình", "Tỉ lệ trên trung bình", "Tỷ lệ đạt"), NULL, 0, 100 },
};

static const schema_column staffing_cols[] = {
	{ "year", SCH_YEAR, 1, A("Năm học"), NULL, 0, 0 },
	{ "school_id", SCH_ID, 1, A("Mã trường"), NULL, 0, 0 },
	{ "role", SCH_ENUM, 1, A("Vị trí", "Chức danh", "Vị trí việc làm"), roles, 0, 0 },
	{ "permanent", SCH_COUNT, 1, A("Biên chế", "Viên chức"), NULL, 0, 0 },
	{ "contract", SCH_COUNT, 1, A("Hợp đồng", "Hợp đồng lao động"), NULL, 0, 0 },
	{ "quota", SCH_COUNT, 0, A("Biên chế được giao", "Chỉ tiêu biên chế", "Định biên", "Số được giao"), NULL, 0, 0 },
};

static const schema_column targets_cols[] = {
	{ "year", SCH_YEAR, 1, A("Năm học"), NULL, 0, 0 },
	{ "scope", SCH_SCOPE, 1, A("Phạm vi", "Đơn vị"), NULL, 0, 0 },
	{ "indicator", SCH_INDICATOR, 1, A("Chỉ số", "Tiêu chí"), NULL, 0, 0 },
	{ "op", SCH_OP, 1, A("So sánh", "Phép so sánh"), NULL, 0, 0 },
	{ "target", SCH_TARGET, 1, A("Chỉ tiêu", "Kế hoạch", "Mục tiêu"), NULL, 0, 0 },
	{ "deadline", SCH_INT_RANGE, 0, A("Thời hạn", "Đến năm", "Năm đạt"), NULL, 1990, 2100 },
	{ "source", SCH_TEXT, 0, A("Nguồn", "Căn cứ", "Văn bản"), NULL, 0, 0 },
};

static const schema_column accreditation_cols[] = {
	{ "school_id", SCH_ID, 1, A("Mã trường"), NULL, 0, 0 },
	{ "quality_level", SCH_INT_RANGE, 1, A("Cấp độ kiểm định", "Kiểm định", "Mức kiểm định", "Cấp độ"), NULL, 0, 4 },
	{ "standard_level", SCH_INT_RANGE, 1, A("Mức chuẩn quốc gia", "Chuẩn quốc gia", "Mức độ chuẩn"), NULL, 0, 2 },
	{ "recognized_on", SCH_DATE, 1, A("Ngày công nhận", "Ngày quyết định"), NULL, 0, 0 },
	{ "kind", SCH_ENUM, 1, A("Hình thức", "Loại công nhận", "Lần công nhận"), kinds, 0, 0 },
	{ "next_due", SCH_DATE, 0, A("Kế hoạch đánh giá", "Hạn đánh giá", "Dự kiến đánh giá"), NULL, 0, 0 },
	{ "note", SCH_TEXT, 0, A("Ghi chú"), NULL, 0, 0 },
};

#define COLS(c) c, sizeof c / sizeof c[0]

static const schema_table tables[] = {
	{ "schools", "schools.csv", COLS(schools_cols), A("school_id"), 0 },
	{ "enrollment", "enrollment.csv", COLS(enrollment_cols),
	  A("year", "school_id", "grade"), 0 },
	{ "promotion", "promotion.csv", COLS(promotion_cols),
	  A("year", "school_id", "grade"), 0 },
	{ "exam_scores", "exam_scores.csv", COLS(exam_scores_cols),
	  A("year", "exam", "candidate_id"), 1 },
	{ "exam_summary", "exam_summary.csv", COLS(exam_summary_cols),
	  A("year", "exam", "school_id", "subject"), 0 },
	{ "staffing", "staffing.csv", COLS(staffing_cols),
	  A("year", "school_id", "role"), 0 },
	{ "targets", "targets.csv", COLS(targets_cols),
	  A("year", "scope", "indicator", "deadline"), 0 },
	{ "accreditation", "accreditation.csv", COLS(accreditation_cols),
	  A("school_id", "recognized_on"), 0 },
};

const schema_table *schema_tables(size_t *n)
{
	*n = sizeof tables / sizeof tables[0];
	return tables;
}

const schema_table *schema_find(const char *file)
{
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (strcmp(tables[i].file, file) == 0)
			return &tables[i];
	return NULL;
}

static int folded_equal(const char *a_folded, const char *b)
{
	char fb[256];

	text_fold(b, fb, sizeof fb);
	return strcmp(a_folded, fb) == 0;
}

int schema_column_index(const schema_table *t, const char *header)
{
	char folded[256];

	text_fold(header, folded, sizeof folded);
	for (size_t i = 0; i < t->ncolumns; i++) {
		const schema_column *c = &t->columns[i];

		if (strcmp(folded, c->name) == 0)
			return (int)i;
		for (const char *const *a = c->aliases; a && *a; a++)
			if (folded_equal(folded, *a))
				return (int)i;
	}
	return -1;
}

const char *const *schema_levels(void)
{
	return levels;
}

const char *const *schema_grades(void)
{
	return grades;
}

static int grade_number(const char *grade)
{
	if (grade[0] >= '1' && grade[0] <= '9' && grade[1] == '\0')
		return grade[0] - '0';
	if (grade[0] == '1' && grade[1] >= '0' && grade[1] <= '2' &&
	    grade[2] == '\0')
		return 10 + grade[1] - '0';
	return 0;
}

int schema_grade_in_level(const char *level, const char *grade)
{
	int g = grade_number(grade);
	int preschool = strcmp(grade, "nha_tre") == 0 ||
			strcmp(grade, "mg_3") == 0 ||
			strcmp(grade, "mg_4") == 0 || strcmp(grade, "mg_5") == 0;

	if (strcmp(grade, "all") == 0) {
		for (const char *const *l = levels; *l; l++)
			if (strcmp(*l, level) == 0)
				return 1;
		return 0;
	}
	if (strcmp(level, "mam_non") == 0)
		return preschool;
	if (strcmp(level, "tieu_hoc") == 0)
		return g >= 1 && g <= 5;
	if (strcmp(level, "thcs") == 0)
		return g >= 6 && g <= 9;
	if (strcmp(level, "thpt") == 0)
		return g >= 10 && g <= 12;
	if (strcmp(level, "th_thcs") == 0)
		return g >= 1 && g <= 9;
	if (strcmp(level, "thcs_thpt") == 0)
		return g >= 6 && g <= 12;
	return 0;
}
