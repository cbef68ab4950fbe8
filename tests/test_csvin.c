/* Tests for csvin: the fixture files in tests/data/csvin/ are read and
 * every record compared with values worked out by hand (lines, fields,
 * character columns, raw text, status and message), then the error paths
 * and the block/limit boundaries are provoked with generated input.
 * Run from the top of the source tree. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "csvin.h"
#include "text.h"

#define DATA "tests/data/csvin/"
#define MAXF 6

struct exp_row {
	long line, end_line;
	csvin_row_status status;
	size_t nfields;
	const char *fields[MAXF];
	long columns[MAXF];
	const char *raw;     /* exact */
	const char *problem; /* a substring of row->problem; NULL for OK */
	long problem_column;
};

struct file_case {
	const char *file;
	const char *encoding;
	size_t max_record;
	char want_delim;
	int want_bom;
	long want_blank;
	size_t nrows;
	struct exp_row rows[8];
};

/* ------------------------------------------------------------ fixtures */

static const struct file_case bom_crlf = {
	"bom_crlf.csv", NULL, 0, ',', 1, 0, 3, {
	{1, 1, CSVIN_ROW_OK, 3, {"Mã trường", "Tên trường", "Số lớp"},
	 {1, 11, 22}, "Mã trường,Tên trường,Số lớp", NULL, 0},
	{2, 2, CSVIN_ROW_OK, 3, {"TH01", "Tiểu học Lê Lợi", "12"},
	 {1, 6, 22}, "TH01,Tiểu học Lê Lợi,12", NULL, 0},
	{3, 3, CSVIN_ROW_OK, 3, {"TH02", "Tiểu học Kim Đồng", "8"},
	 {1, 6, 24}, "TH02,Tiểu học Kim Đồng,8", NULL, 0},
}};

static const struct file_case semicolon = {
	"semicolon.csv", NULL, 0, ';', 0, 0, 3, {
	{1, 1, CSVIN_ROW_OK, 3, {"school_id", "mean", "pass_rate"},
	 {1, 11, 16}, "school_id;mean;pass_rate", NULL, 0},
	{2, 2, CSVIN_ROW_OK, 3, {"TH01", "5,8", "92,5"}, {1, 6, 10},
	 "TH01;5,8;92,5", NULL, 0},
	{3, 3, CSVIN_ROW_OK, 3, {"TH02", "6,25", "88"}, {1, 6, 11},
	 "TH02;6,25;88", NULL, 0},
}};

static const struct file_case tab = {
	"tab.tsv", NULL, 0, '\t', 0, 0, 2, {
	{1, 1, CSVIN_ROW_OK, 3, {"school_id", "name", "students"},
	 {1, 11, 16}, "school_id\tname\tstudents", NULL, 0},
	{2, 2, CSVIN_ROW_OK, 3, {"TH01", "Lê Lợi, cơ sở 2", "512"},
	 {1, 6, 22}, "TH01\tLê Lợi, cơ sở 2\t512", NULL, 0},
}};

static const struct file_case quoted = {
	"quoted.csv", NULL, 0, ',', 0, 0, 4, {
	{1, 1, CSVIN_ROW_OK, 3, {"id", "name", "note"}, {1, 4, 9},
	 "id,name,note", NULL, 0},
	{2, 2, CSVIN_ROW_OK, 3, {"1", "Lê Lợi, cơ sở 2", "ghi \"chú\""},
	 {1, 3, 21}, "1,\"Lê Lợi, cơ sở 2\",\"ghi \"\"chú\"\"\"", NULL, 0},
	{3, 4, CSVIN_ROW_OK, 3, {"2", "dòng một\ndòng hai", "x"},
	 {1, 3, 23}, "2,\"dòng một\ndòng hai\",x", NULL, 0},
	{5, 5, CSVIN_ROW_OK, 3, {"3", "", ""}, {1, 3, 4}, "3,,\"\"", NULL,
	 0},
}};

static const struct file_case unclosed_middle = {
	"unclosed_middle.csv", NULL, 0, ',', 0, 0, 5, {
	{1, 1, CSVIN_ROW_OK, 3, {"id", "name", "students"}, {1, 4, 9},
	 "id,name,students", NULL, 0},
	{2, 2, CSVIN_ROW_OK, 3, {"TH01", "Lê Lợi", "512"}, {1, 6, 13},
	 "TH01,Lê Lợi,512", NULL, 0},
	{3, 3, CSVIN_ROW_BAD_QUOTE, 0, {NULL}, {0},
	 "TH02,\"Kim Đồng,480",
	 "unclosed quote opened at column 6 (expected a closing '\"'; "
	 "the quoted field runs on to line 5 and breaks there)", 6},
	{4, 4, CSVIN_ROW_OK, 3, {"TH03", "Chu Văn An", "390"}, {1, 6, 17},
	 "TH03,Chu Văn An,390", NULL, 0},
	{5, 5, CSVIN_ROW_OK, 3, {"TH04", "Nguyễn Du", "275"}, {1, 6, 18},
	 "TH04,\"Nguyễn Du\",275", NULL, 0},
}};

static const struct file_case unclosed_eof = {
	"unclosed_eof.csv", NULL, 0, ',', 0, 0, 3, {
	{1, 1, CSVIN_ROW_OK, 2, {"id", "name"}, {1, 4}, "id,name", NULL, 0},
	{2, 2, CSVIN_ROW_BAD_QUOTE, 0, {NULL}, {0}, "1,\"abc",
	 "unclosed quote opened at column 3 (expected a closing '\"' "
	 "before the end of the file)", 3},
	{3, 3, CSVIN_ROW_OK, 2, {"2", "def"}, {1, 3}, "2,def", NULL, 0},
}};

static const struct file_case after_quote = {
	"after_quote.csv", NULL, 0, ',', 0, 0, 4, {
	{1, 1, CSVIN_ROW_OK, 2, {"id", "name"}, {1, 4}, "id,name", NULL, 0},
	{2, 2, CSVIN_ROW_BAD_QUOTE, 0, {NULL}, {0}, "1,\"ab\"c",
	 "unexpected text 'c' after a closing quote (expected a delimiter "
	 "or the end of the line)", 7},
	{3, 3, CSVIN_ROW_BAD_QUOTE, 0, {NULL}, {0}, "2,ab\"c",
	 "unexpected quote '\"' inside an unquoted field", 5},
	{4, 4, CSVIN_ROW_OK, 2, {"3", "ok"}, {1, 3}, "3,\"ok\"", NULL, 0},
}};

static const struct file_case no_final_newline = {
	"no_final_newline.csv", NULL, 0, ',', 0, 0, 3, {
	{1, 1, CSVIN_ROW_OK, 2, {"id", "students"}, {1, 4}, "id,students",
	 NULL, 0},
	{2, 2, CSVIN_ROW_OK, 2, {"TH01", "512"}, {1, 6}, "TH01,512", NULL,
	 0},
	{3, 3, CSVIN_ROW_OK, 2, {"TH02", "480"}, {1, 6}, "TH02,480", NULL,
	 0},
}};

static const struct file_case blank_lines = {
	"blank_lines.csv", NULL, 0, ',', 0, 5, 3, {
	{3, 3, CSVIN_ROW_OK, 2, {"id", "students"}, {1, 4}, "id,students",
	 NULL, 0},
	{5, 5, CSVIN_ROW_OK, 2, {"TH01", "512"}, {1, 6}, "TH01,512", NULL,
	 0},
	{7, 7, CSVIN_ROW_OK, 2, {"TH02", "480"}, {1, 6}, "TH02,480", NULL,
	 0},
}};

static const struct file_case invalid_utf8 = {
	"invalid_utf8.csv", NULL, 0, ',', 0, 0, 3, {
	{1, 1, CSVIN_ROW_OK, 2, {"id", "name"}, {1, 4}, "id,name", NULL, 0},
	{2, 2, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, "TH01,L\\xF5\\xF2i",
	 "invalid UTF-8 byte 0xF5 (expected UTF-8 text; for a legacy file "
	 "use --encoding cp1258 or tcvn3)", 7},
	{3, 3, CSVIN_ROW_OK, 2, {"TH02", "ok"}, {1, 6}, "TH02,ok", NULL, 0},
}};

#define VI_HEADER "Tên trường,Số học sinh,Hiệu trưởng"
#define VI_ROW "Trường Tiểu học Lê Lợi,512,Đỗ Thị Ánh"

static const struct file_case cp1258 = {
	"cp1258.csv", "cp1258", 0, ',', 0, 0, 2, {
	{1, 1, CSVIN_ROW_OK, 3, {"Tên trường", "Số học sinh", "Hiệu trưởng"},
	 {1, 12, 24}, VI_HEADER, NULL, 0},
	{2, 2, CSVIN_ROW_OK, 3, {"Trường Tiểu học Lê Lợi", "512", "Đỗ Thị Ánh"},
	 {1, 24, 28}, VI_ROW, NULL, 0},
}};

static const struct file_case tcvn3 = {
	"tcvn3.csv", "tcvn3", 0, ',', 0, 0, 2, {
	{1, 1, CSVIN_ROW_OK, 3, {"Tên trường", "Số học sinh", "Hiệu trưởng"},
	 {1, 12, 24}, VI_HEADER, NULL, 0},
	{2, 2, CSVIN_ROW_OK, 3, {"Trường Tiểu học Lê Lợi", "512", "Đỗ Thị Ánh"},
	 {1, 24, 28}, VI_ROW, NULL, 0},
}};

/* The same cp1258 file without --encoding: refused with the hint. 0xEA is
 * cp1258 'ê' in "Tên"; "Trường" starts T r 0xFD (ư). */
static const struct file_case cp1258_as_utf8 = {
	"cp1258.csv", NULL, 0, ',', 0, 0, 2, {
	{1, 1, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, NULL,
	 "invalid UTF-8 byte 0xEA (expected UTF-8 text; for a legacy file "
	 "use --encoding cp1258 or tcvn3)", 2},
	{2, 2, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, NULL,
	 "invalid UTF-8 byte 0xFD", 3},
}};

static const struct file_case columns_vi = {
	"columns_vi.csv", NULL, 0, ',', 0, 0, 2, {
	{1, 1, CSVIN_ROW_OK, 3, {"Tên trường", "Số học sinh", "Ghi chú"},
	 {1, 12, 26}, "Tên trường,\"Số học sinh\",Ghi chú", NULL, 0},
	{2, 2, CSVIN_ROW_OK, 3, {"Trường Tiểu học Lê Lợi", "512", "Đỗ Thị Ánh"},
	 {1, 24, 30}, "Trường Tiểu học Lê Lợi,\"512\",Đỗ Thị Ánh", NULL, 0},
}};

static const struct file_case long_line = {
	"long_line.csv", NULL, 32, ',', 0, 0, 3, {
	{1, 1, CSVIN_ROW_OK, 2, {"id", "note"}, {1, 4}, "id,note", NULL, 0},
	{2, 2, CSVIN_ROW_TOO_LONG, 0, {NULL}, {0},
	 "1,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx [truncated: 100 bytes in all]",
	 "line of 100 bytes is longer than the limit (expected at most 32 "
	 "bytes per record)", 33},
	{3, 3, CSVIN_ROW_OK, 2, {"2", "short"}, {1, 3}, "2,short", NULL, 0},
}};

static const struct file_case empty = {
	"empty.csv", NULL, 0, ',', 0, 0, 0, {{0}}};

static const struct file_case header_only = {
	"header_only.csv", NULL, 0, ',', 0, 0, 1, {
	{1, 1, CSVIN_ROW_OK, 5,
	 {"year", "school_id", "grade", "classes", "students"},
	 {1, 6, 16, 22, 30}, "year,school_id,grade,classes,students", NULL,
	 0},
}};

/* ------------------------------------------------------------ helpers */

static void check_row(const csvin_row *row, const struct exp_row *x)
{
	size_t i;

	assert_non_null(row);
	assert_int_equal(row->line, x->line);
	assert_int_equal(row->end_line, x->end_line);
	assert_int_equal(row->status, x->status);
	assert_int_equal(row->nfields, x->nfields);
	assert_non_null(row->raw);
	assert_int_equal(strlen(row->raw), row->raw_len);
	if (x->raw)
		assert_string_equal(row->raw, x->raw);
	for (i = 0; i < x->nfields; i++) {
		assert_string_equal(row->fields[i], x->fields[i]);
		assert_int_equal(row->columns[i], x->columns[i]);
	}
	if (x->problem) {
		if (!strstr(row->problem, x->problem))
			fail_msg("problem '%s' lacks '%s'", row->problem,
				 x->problem);
		assert_int_equal(row->problem_column, x->problem_column);
	} else {
		assert_string_equal(row->problem, "");
	}
}

static void test_file(void **state)
{
	const struct file_case *c = *state;
	csvin_options opt = {0, c->encoding, c->max_record};
	char path[256];
	csvin_reader *r = NULL;
	const csvin_row *row;
	ss_error e;
	size_t i;

	err_clear(&e);
	snprintf(path, sizeof path, DATA "%s", c->file);
	assert_int_equal(csvin_open(&r, path, &opt, &e), SS_OK);
	assert_string_equal(csvin_name(r), path);
	for (i = 0; i < c->nrows; i++) {
		assert_int_equal(csvin_next(r, &row, &e), SS_OK);
		check_row(row, &c->rows[i]);
	}
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_null(row);
	/* end of input stays the end */
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_null(row);
	assert_int_equal(csvin_delimiter(r), c->want_delim);
	assert_int_equal(csvin_had_bom(r), c->want_bom);
	assert_int_equal(csvin_blank_lines(r), c->want_blank);
	csvin_free(r);
}

/* Reads s from memory into a list of rows rendered as text, for the
 * generated cases: "line-end_line status|f1|f2..." per record. */
struct mem_run {
	csvin_reader *r;
	const csvin_row *row;
	ss_error e;
};

static void mem_open(struct mem_run *m, const char *s, size_t len,
		     char delim, const char *enc, size_t max_record)
{
	csvin_options opt = {delim, enc, max_record};

	err_clear(&m->e);
	assert_int_equal(csvin_open_mem(&m->r, "mem.csv", s, len, &opt,
					&m->e),
			 SS_OK);
}

static const csvin_row *mem_next(struct mem_run *m)
{
	assert_int_equal(csvin_next(m->r, &m->row, &m->e), SS_OK);
	return m->row;
}

static void mem_expect(const char *s, size_t len, char delim,
		       const char *enc, size_t max_record,
		       const struct exp_row *rows, size_t n)
{
	struct mem_run m;
	size_t i;

	mem_open(&m, s, len, delim, enc, max_record);
	for (i = 0; i < n; i++)
		check_row(mem_next(&m), &rows[i]);
	assert_null(mem_next(&m));
	csvin_free(m.r);
}

/* ------------------------------------------------------------ errors */

static void test_open_missing(void **state)
{
	ss_error e;
	csvin_reader *r = (csvin_reader *)&e; /* must be set to NULL */
	const char *path = DATA "no_such_file.csv";

	(void)state;
	err_clear(&e);
	assert_int_equal(csvin_open(&r, path, NULL, &e), SS_EIO);
	assert_null(r);
	assert_int_equal(e.status, SS_EIO);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, strerror(ENOENT)));
}

static void test_read_directory(void **state)
{
	csvin_reader *r = NULL;
	ss_error e;
	const csvin_row *row = (const csvin_row *)&e; /* must be set */

	(void)state;
	err_clear(&e);
	/* fopen accepts a directory; the first read fails */
	assert_int_equal(csvin_open(&r, DATA, NULL, &e), SS_OK);
	assert_int_equal(csvin_next(r, &row, &e), SS_EIO);
	assert_null(row);
	assert_non_null(strstr(e.msg, DATA));
	assert_non_null(strstr(e.msg, strerror(EISDIR)));
	/* the error is sticky */
	err_clear(&e);
	assert_int_equal(csvin_next(r, &row, &e), SS_EIO);
	csvin_free(r);
}

static void test_bad_options(void **state)
{
	static const struct {
		char delim;
		const char *enc;
		const char *msg;
	} cases[] = {
		{0, "latin1", "unknown encoding 'latin1'"},
		{0, "", "unknown encoding ''"},
		{'"', NULL, "delimiter '\\x22' cannot be used"},
		{'\n', NULL, "delimiter '\\x0A' cannot be used"},
		{'\r', NULL, "delimiter '\\x0D' cannot be used"},
		{(char)0xC3, NULL, "delimiter '\\xC3' cannot be used"},
	};
	csvin_reader *r;
	ss_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		csvin_options opt = {cases[i].delim, cases[i].enc, 0};

		err_clear(&e);
		r = (csvin_reader *)&e;
		assert_int_equal(csvin_open_mem(&r, "x", "a\n", 2, &opt, &e),
				 SS_EUSAGE);
		assert_null(r);
		assert_non_null(strstr(e.msg, cases[i].msg));
		err_clear(&e);
		r = (csvin_reader *)&e;
		assert_int_equal(csvin_open(&r, DATA "empty.csv", &opt, &e),
				 SS_EUSAGE);
		assert_null(r);
	}
	/* names are not case-sensitive; utf-8 needs no decoder */
	{
		csvin_options opt = {0, "CP1258", 0};

		assert_int_equal(csvin_open_mem(&r, "x", "a\n", 2, &opt, &e),
				 SS_OK);
		csvin_free(r);
		opt.encoding = "UTF-8";
		assert_int_equal(csvin_open_mem(&r, "x", "a\n", 2, &opt, &e),
				 SS_OK);
		csvin_free(r);
	}
	csvin_free(NULL);
}

/* ------------------------------------------------------------ delimiter */

static void test_detect_delimiter(void **state)
{
	static const struct {
		const char *text;
		char want;
		size_t nfields;
	} cases[] = {
		{"a,b,c\n", ',', 3},
		{"a;b;c\n", ';', 3},
		{"a\tb\tc\n", '\t', 3},
		{"abc\n", ',', 1},            /* none: ',' */
		{"a,b;c\n", ',', 2},          /* tie: ',' */
		{"a;b\tc\n", ',', 1},         /* tie without ',': still ',' */
		{"a;b;c,d\n", ';', 3},        /* most frequent */
		{"\"x,y,z\";b;c\n", ';', 3},  /* quoted ones do not count */
		{"\"x;y;z\",b\n", ',', 2},
		{"\n \nh1;h2\nx,y;z\n", ';', 2}, /* first non-blank line */
	};
	struct mem_run m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mem_open(&m, cases[i].text, strlen(cases[i].text), 0, NULL,
			 0);
		assert_int_equal(csvin_delimiter(m.r), 0); /* not yet known */
		assert_non_null(mem_next(&m));
		assert_int_equal(csvin_delimiter(m.r), cases[i].want);
		assert_int_equal(m.row->nfields, cases[i].nfields);
		csvin_free(m.r);
	}
}

static void test_fixed_delimiter(void **state)
{
	static const struct exp_row rows[] = {
		{1, 1, CSVIN_ROW_OK, 2, {"a,b", "c"}, {1, 5}, "a,b;c", NULL, 0},
		{2, 2, CSVIN_ROW_OK, 1, {"1,2,3"}, {1}, "1,2,3", NULL, 0},
	};
	struct mem_run m;
	const char *s = "a,b;c\n1,2,3\n";

	(void)state;
	mem_expect(s, strlen(s), ';', NULL, 0, rows, 2);
	mem_open(&m, s, strlen(s), ';', NULL, 0);
	assert_int_equal(csvin_delimiter(m.r), ';');
	csvin_free(m.r);
}

/* ------------------------------------------------------------ lines */

static void test_line_endings(void **state)
{
	/* CRLF, LF and a lone CR (data) mixed; CR before EOF is dropped */
	static const char s[] = "a,b\r\nc\rd,e\nf,\"g\r\nh\"\r\ni,j\r";
	static const struct exp_row rows[] = {
		{1, 1, CSVIN_ROW_OK, 2, {"a", "b"}, {1, 3}, "a,b", NULL, 0},
		{2, 2, CSVIN_ROW_OK, 2, {"c\rd", "e"}, {1, 5}, "c\rd,e", NULL,
		 0},
		{3, 4, CSVIN_ROW_OK, 2, {"f", "g\nh"}, {1, 3}, "f,\"g\nh\"",
		 NULL, 0},
		{5, 5, CSVIN_ROW_OK, 2, {"i", "j"}, {1, 3}, "i,j", NULL, 0},
	};

	(void)state;
	mem_expect(s, sizeof s - 1, 0, NULL, 0, rows, 4);
}

static void test_fields_not_trimmed(void **state)
{
	static const char s[] = " a , b ,\t\n";
	static const struct exp_row rows[] = {
		{1, 1, CSVIN_ROW_OK, 3, {" a ", " b ", "\t"}, {1, 5, 9},
		 " a , b ,\t", NULL, 0},
	};

	(void)state;
	mem_expect(s, sizeof s - 1, 0, NULL, 0, rows, 1);
}

static void test_nul_byte(void **state)
{
	/* "id" in UTF-16LE: every other byte is NUL */
	static const char s[] = "i\0d\0\n\0ok\n";
	static const struct exp_row rows[] = {
		{1, 1, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, "i\\x00d\\x00",
		 "unexpected NUL byte 0x00 (expected UTF-8 text", 2},
		{2, 2, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, "\\x00ok",
		 "unexpected NUL byte 0x00", 1},
	};

	(void)state;
	mem_expect(s, sizeof s - 1, 0, NULL, 0, rows, 2);
}

static void test_utf8_edge_bytes(void **state)
{
	/* overlong '/', a surrogate, above U+10FFFF, a truncated character
	 * at the end of the line: each refused, the next line read */
	static const struct {
		const char *line;
		const char *raw;
		const char *problem;
		long column;
	} cases[] = {
		{"ab,\xC0\xAF\n", "ab,\\xC0\\xAF", "invalid UTF-8 byte 0xC0", 4},
		{"\xED\xA0\x80\n", "\\xED\\xA0\\x80", "invalid UTF-8 byte 0xED",
		 1},
		{"é,\xF4\x90\x80\x80\n", "é,\\xF4\\x90\\x80\\x80",
		 "invalid UTF-8 byte 0xF4", 3},
		{"Lợ\xE1\xBB\n", "Lợ\\xE1\\xBB", "invalid UTF-8 byte 0xE1", 3},
	};
	char buf[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct exp_row rows[2] = {
			{1, 1, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, cases[i].raw,
			 cases[i].problem, cases[i].column},
			{2, 2, CSVIN_ROW_OK, 1, {"next"}, {1}, "next", NULL, 0},
		};

		n = (size_t)snprintf(buf, sizeof buf, "%snext\n",
				     cases[i].line);
		mem_expect(buf, n, 0, NULL, 0, rows, 2);
	}
}

static void test_bad_text_on_second_line(void **state)
{
	static const char s[] = "1,\"a\n\xFF b\",c\n2,d\n";
	static const struct exp_row rows[] = {
		{1, 2, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, "1,\"a\n\\xFF b\",c",
		 "invalid UTF-8 byte 0xFF on line 2 (expected UTF-8 text", 1},
		{3, 3, CSVIN_ROW_OK, 2, {"2", "d"}, {1, 3}, "2,d", NULL, 0},
	};

	(void)state;
	mem_expect(s, sizeof s - 1, 0, NULL, 0, rows, 2);
}

/* ------------------------------------------------------------ limits */

static void test_record_limit_multiline(void **state)
{
	/* the quoted field would make a 20-byte record: over 10 */
	static const char s[] = "1,\"abcdef\nghijkl\",x\n2,y\n";
	static const struct exp_row rows[] = {
		{1, 1, CSVIN_ROW_BAD_QUOTE, 0, {NULL}, {0}, "1,\"abcdef",
		 "unclosed quote opened at column 3 (expected a closing '\"' "
		 "within the record limit of 10 bytes)", 3},
		{2, 2, CSVIN_ROW_BAD_QUOTE, 0, {NULL}, {0}, "ghijkl\",x",
		 "unexpected quote '\"' inside an unquoted field", 7},
		{3, 3, CSVIN_ROW_OK, 2, {"2", "y"}, {1, 3}, "2,y", NULL, 0},
	};

	(void)state;
	mem_expect(s, sizeof s - 1, 0, NULL, 10, rows, 3);
}

static void test_too_long_utf8_cut(void **state)
{
	/* 3 bytes of "ééé" would split the second é: only one é is kept */
	static const char s[] = "ééé\nok\n";
	static const struct exp_row rows[] = {
		{1, 1, CSVIN_ROW_TOO_LONG, 0, {NULL}, {0},
		 "é [truncated: 6 bytes in all]",
		 "expected at most 3 bytes per record", 2},
		{2, 2, CSVIN_ROW_OK, 1, {"ok"}, {1}, "ok", NULL, 0},
	};
	/* exactly at the limit is fine, CR of CRLF not counted */
	static const char s2[] = "abc\r\nabcd\r\n";
	static const struct exp_row rows2[] = {
		{1, 1, CSVIN_ROW_OK, 1, {"abc"}, {1}, "abc", NULL, 0},
		{2, 2, CSVIN_ROW_TOO_LONG, 0, {NULL}, {0},
		 "abc [truncated: 4 bytes in all]", "line of 4 bytes", 4},
	};

	(void)state;
	mem_expect(s, sizeof s - 1, 0, NULL, 3, rows, 2);
	mem_expect(s2, sizeof s2 - 1, 0, NULL, 3, rows2, 2);
}

/* ------------------------------------------------------------ encodings */

static void test_cp1258_bad_byte(void **state)
{
	/* 0x81 is unassigned in windows-1258; the next line still decodes
	 * ("L\xF5\xF2i" is L ơ + dot below, i = "Lợi") */
	static const char s[] = "a,b\x81" "c\nL\xF5\xF2i,1\n";
	static const struct exp_row rows[] = {
		{1, 1, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, "a,b\\x81c",
		 "invalid cp1258 byte 0x81 (expected text in cp1258", 4},
		{2, 2, CSVIN_ROW_OK, 2, {"Lợi", "1"}, {1, 5}, "Lợi,1", NULL, 0},
	};

	(void)state;
	mem_expect(s, sizeof s - 1, 0, "windows-1258", 0, rows, 2);
}

static void test_legacy_nul_too_long(void **state)
{
	/* fuzz finding: a NUL in a too-long legacy line reached raw as a
	 * real NUL, so strlen(raw) != raw_len */
	static const char s[] = "ab\0cdefgh\nx\n";
	static const struct exp_row rows[] = {
		{1, 1, CSVIN_ROW_TOO_LONG, 0, {NULL}, {0},
		 "ab\\x00c [truncated: 9 bytes in all]", "line of 9 bytes", 5},
		{2, 2, CSVIN_ROW_OK, 1, {"x"}, {1}, "x", NULL, 0},
	};
	static const char s2[] = "a\0b\n";
	static const struct exp_row rows2[] = {
		{1, 1, CSVIN_ROW_BAD_TEXT, 0, {NULL}, {0}, "a\\x00b",
		 "unexpected NUL byte 0x00", 2},
	};

	(void)state;
	mem_expect(s, sizeof s - 1, 0, "cp1258", 4, rows, 2);
	mem_expect(s2, sizeof s2 - 1, 0, "tcvn3", 0, rows2, 1);
}

static void test_bom_only_for_utf8(void **state)
{
	/* EF BB BF are letters in TCVN3: kept and decoded */
	static const char s[] = "\xEF\xBB\xBF" "a\n";
	struct mem_run m;

	(void)state;
	mem_open(&m, s, sizeof s - 1, 0, "tcvn3", 0);
	assert_non_null(mem_next(&m));
	assert_int_equal(csvin_had_bom(m.r), 0);
	assert_int_equal(m.row->status, CSVIN_ROW_OK);
	assert_int_equal(text_utf8_chars(m.row->fields[0],
					 strlen(m.row->fields[0])),
			 4);
	csvin_free(m.r);

	mem_open(&m, s, sizeof s - 1, 0, NULL, 0);
	assert_non_null(mem_next(&m));
	assert_int_equal(csvin_had_bom(m.r), 1);
	assert_string_equal(m.row->fields[0], "a");
	csvin_free(m.r);
}

/* ------------------------------------------------------------ big input */

static char *write_temp(const char *data, size_t len, char *path,
			size_t pathsz)
{
	int fd;
	FILE *f;

	snprintf(path, pathsz, "/tmp/test_csvin_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Builds a file of about 1.6 MB: rows with CRLF, multi-line quoted
 * fields, doubled quotes and blank lines, so records straddle the 256 KiB
 * read blocks at every kind of position. Row k (from 0) has fields
 * "k", "name k" and a note. */
static char *make_big(size_t nrows, size_t *len)
{
	size_t cap = nrows * 64 + 64, n = 0, k;
	char *s = malloc(cap);

	assert_non_null(s);
	n += (size_t)sprintf(s + n, "id,name,note\r\n");
	for (k = 0; k < nrows; k++) {
		switch (k % 4) {
		case 0:
			n += (size_t)sprintf(s + n, "%zu,name %zu,plain\r\n", k,
					     k);
			break;
		case 1:
			n += (size_t)sprintf(s + n,
					     "%zu,\"name %zu\",\"two\r\nlines\"\r\n",
					     k, k);
			break;
		case 2:
			n += (size_t)sprintf(s + n,
					     "%zu,name %zu,\"say \"\"hi\"\"\"\n\n",
					     k, k);
			break;
		default:
			n += (size_t)sprintf(s + n, "%zu,name %zu,Lê Lợi\n", k,
					     k);
			break;
		}
	}
	*len = n;
	return s;
}

static void test_big_file_matches_memory(void **state)
{
	static const char *const notes[4] = {"plain", "two\nlines",
					     "say \"hi\"", "Lê Lợi"};
	const size_t nrows = 60000;
	size_t len, k;
	char *data = make_big(nrows, &len), path[64], want[32];
	csvin_reader *rf, *rm;
	const csvin_row *a, *b;
	ss_error e;
	long line = 1;

	(void)state;
	assert_true(len > 4 * 256 * 1024);
	write_temp(data, len, path, sizeof path);
	err_clear(&e);
	assert_int_equal(csvin_open(&rf, path, NULL, &e), SS_OK);
	assert_int_equal(csvin_open_mem(&rm, "mem", data, len, NULL, &e),
			 SS_OK);
	assert_int_equal(csvin_next(rf, &a, &e), SS_OK);
	assert_string_equal(a->raw, "id,name,note");
	assert_int_equal(csvin_next(rm, &b, &e), SS_OK);
	for (k = 0; k < nrows; k++) {
		assert_int_equal(csvin_next(rf, &a, &e), SS_OK);
		assert_int_equal(csvin_next(rm, &b, &e), SS_OK);
		assert_non_null(a);
		assert_non_null(b);
		line++;
		assert_int_equal(a->line, line);
		assert_int_equal(a->status, CSVIN_ROW_OK);
		assert_int_equal(a->nfields, 3);
		snprintf(want, sizeof want, "%zu", k);
		assert_string_equal(a->fields[0], want);
		assert_string_equal(a->fields[2], notes[k % 4]);
		/* the two readers agree on everything */
		assert_int_equal(a->end_line, b->end_line);
		assert_int_equal(a->raw_len, b->raw_len);
		assert_memory_equal(a->raw, b->raw, a->raw_len);
		assert_memory_equal(a->columns, b->columns,
				    3 * sizeof a->columns[0]);
		if (k % 4 == 1)
			line++; /* two physical lines */
		else if (k % 4 == 2)
			line++; /* followed by a blank line */
		assert_int_equal(a->end_line,
				 k % 4 == 1 ? line : a->line);
	}
	assert_int_equal(csvin_next(rf, &a, &e), SS_OK);
	assert_null(a);
	assert_int_equal(csvin_blank_lines(rf), (long)(nrows / 4));
	assert_int_equal(csvin_blank_lines(rm), (long)(nrows / 4));
	csvin_free(rf);
	csvin_free(rm);
	unlink(path);
	free(data);
}

/* An unclosed quote whose record runs past a 256 KiB block and past the
 * record limit: the reader must go back to the line after it, data that
 * was read several blocks earlier. */
static void test_resync_across_blocks(void **state)
{
	const size_t nlines = 40000; /* ~ 480 KB of "line NNNNN,x\n" */
	size_t cap = nlines * 16 + 64, n = 0, k;
	char *s = malloc(cap), path[64], want[32];
	csvin_options opt = {0, NULL, 300 * 1024};
	csvin_reader *r;
	const csvin_row *row;
	ss_error e;

	(void)state;
	assert_non_null(s);
	n += (size_t)sprintf(s + n, "a,b\nstart,\"open\n");
	for (k = 0; k < nlines; k++)
		n += (size_t)sprintf(s + n, "line %05zu,x\n", k);
	write_temp(s, n, path, sizeof path);
	err_clear(&e);
	assert_int_equal(csvin_open(&r, path, &opt, &e), SS_OK);
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_int_equal(row->line, 2);
	assert_int_equal(row->status, CSVIN_ROW_BAD_QUOTE);
	assert_string_equal(row->raw, "start,\"open");
	assert_non_null(strstr(row->problem,
			       "within the record limit of 307200 bytes"));
	for (k = 0; k < nlines; k++) {
		assert_int_equal(csvin_next(r, &row, &e), SS_OK);
		assert_non_null(row);
		assert_int_equal(row->status, CSVIN_ROW_OK);
		assert_int_equal(row->line, (long)k + 3);
		snprintf(want, sizeof want, "line %05zu", k);
		assert_string_equal(row->fields[0], want);
	}
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_null(row);
	csvin_free(r);
	unlink(path);
	free(s);
}

/* A 3 MB line with the default 1 MiB limit, read through 256 KiB blocks:
 * reported with its full length, never held whole, next row intact. */
static void test_huge_line_default_limit(void **state)
{
	const size_t big = 3u * 1000 * 1000;
	size_t n = 0;
	char *s = malloc(big + 64), path[64], marker[64];
	csvin_reader *r;
	const csvin_row *row;
	ss_error e;

	(void)state;
	assert_non_null(s);
	n += (size_t)sprintf(s, "h\r\n");
	memset(s + n, 'y', big);
	n += big;
	n += (size_t)sprintf(s + n, "\r\nlast");
	write_temp(s, n, path, sizeof path);
	err_clear(&e);
	assert_int_equal(csvin_open(&r, path, NULL, &e), SS_OK);
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_string_equal(row->fields[0], "h");
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_int_equal(row->status, CSVIN_ROW_TOO_LONG);
	assert_int_equal(row->line, 2);
	snprintf(marker, sizeof marker, " [truncated: %zu bytes in all]", big);
	assert_int_equal(row->raw_len,
			 CSVIN_DEFAULT_MAX_LINE + strlen(marker));
	assert_string_equal(row->raw + CSVIN_DEFAULT_MAX_LINE, marker);
	assert_int_equal(row->raw[CSVIN_DEFAULT_MAX_LINE - 1], 'y');
	assert_non_null(strstr(row->problem, "at most 1048576 bytes"));
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_int_equal(row->line, 3);
	assert_string_equal(row->fields[0], "last");
	assert_int_equal(csvin_next(r, &row, &e), SS_OK);
	assert_null(row);
	csvin_free(r);
	unlink(path);
	free(s);
}

/* ------------------------------------------------------------ fuzz corpus */

/* The invariants of tests/fuzz/fuzz_csvin.c, on the saved findings. */
static void read_all_checked(const char *data, size_t len,
			     const csvin_options *opt)
{
	csvin_reader *r;
	const csvin_row *row;
	ss_error e;
	long prev_end = 0, covered = 0, lines = 0;
	size_t i;

	for (i = 0; i < len; i++)
		lines += data[i] == '\n';
	lines += len > 0 && data[len - 1] != '\n';
	err_clear(&e);
	assert_int_equal(csvin_open_mem(&r, "fuzz", data, len, opt, &e),
			 SS_OK);
	for (;;) {
		assert_int_equal(csvin_next(r, &row, &e), SS_OK);
		if (!row)
			break;
		assert_true(row->line > prev_end);
		assert_true(row->end_line >= row->line);
		prev_end = row->end_line;
		covered += row->end_line - row->line + 1;
		assert_int_equal(strlen(row->raw), row->raw_len);
		assert_true(text_utf8_valid(row->raw, row->raw_len, NULL));
		if (row->status != CSVIN_ROW_OK) {
			assert_true(row->problem[0] != '\0');
			assert_true(row->problem_column >= 1);
			continue;
		}
		assert_true(row->nfields >= 1);
		for (i = 0; i < row->nfields; i++) {
			assert_true(row->columns[i] >= 1);
			if (i > 0)
				assert_true(row->columns[i] >
					    row->columns[i - 1]);
		}
	}
	/* each physical line is in one record or counted blank; a BOM
	 * alone is no line */
	if (csvin_had_bom(r) && len == 3)
		lines = 0;
	assert_int_equal(covered + csvin_blank_lines(r), lines);
	csvin_free(r);
}

static void test_fuzz_corpus(void **state)
{
	static const char delims[4] = {0, ',', ';', '\t'};
	static const char *const encodings[4] = {NULL, "utf-8", "cp1258",
						  "tcvn3"};
	const char *dir = "tests/fuzz/corpus_csvin";
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512], *buf;
	size_t files = 0, len;
	FILE *f;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		csvin_options opt = {0, NULL, 0};

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		buf = malloc(1 << 20);
		assert_non_null(buf);
		len = fread(buf, 1, 1 << 20, f);
		fclose(f);
		read_all_checked(buf, len, &opt);
		if (len > 0) {
			unsigned char c = (unsigned char)buf[0];

			opt.delimiter = delims[c & 3];
			opt.encoding = encodings[(c >> 2) & 3];
			opt.max_record = 1 + (size_t)(c >> 4) * 4;
			read_all_checked(buf + 1, len - 1, &opt);
		}
		free(buf);
		files++;
	}
	closedir(d);
	assert_true(files >= 1);
}

#define FILE_TEST(c) { "file " #c, test_file, NULL, NULL, (void *)&c }

int main(void)
{
	const struct CMUnitTest tests[] = {
		FILE_TEST(bom_crlf),
		FILE_TEST(semicolon),
		FILE_TEST(tab),
		FILE_TEST(quoted),
		FILE_TEST(unclosed_middle),
		FILE_TEST(unclosed_eof),
		FILE_TEST(after_quote),
		FILE_TEST(no_final_newline),
		FILE_TEST(blank_lines),
		FILE_TEST(invalid_utf8),
		FILE_TEST(cp1258),
		FILE_TEST(tcvn3),
		FILE_TEST(cp1258_as_utf8),
		FILE_TEST(columns_vi),
		FILE_TEST(long_line),
		FILE_TEST(empty),
		FILE_TEST(header_only),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_read_directory),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_detect_delimiter),
		cmocka_unit_test(test_fixed_delimiter),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_fields_not_trimmed),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_utf8_edge_bytes),
		cmocka_unit_test(test_bad_text_on_second_line),
		cmocka_unit_test(test_record_limit_multiline),
		cmocka_unit_test(test_too_long_utf8_cut),
		cmocka_unit_test(test_cp1258_bad_byte),
		cmocka_unit_test(test_legacy_nul_too_long),
		cmocka_unit_test(test_bom_only_for_utf8),
		cmocka_unit_test(test_big_file_matches_memory),
		cmocka_unit_test(test_resync_across_blocks),
		cmocka_unit_test(test_huge_line_default_limit),
		cmocka_unit_test(test_fuzz_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
