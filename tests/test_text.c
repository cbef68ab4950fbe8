/* Tests for text: folding of the contract's Vietnamese header names
 * (precomposed NFC and decomposed NFD spellings, upper case, odd
 * spacing), UTF-8 validity at the edges of the encoding, character counts,
 * escaping, and the legacy decoders against byte strings produced by
 * glibc's iconv(1):
 *   printf '%s' 'Trường Tiểu học Lê Lợi' | iconv -f UTF-8 -t CP1258 | xxd
 * The NFD spellings were produced with Python's unicodedata.normalize. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

/* ------------------------------------------------------------ folding */

static const struct {
	const char *in;
	const char *want;
} fold_headers[] = {
	{"Mã trường", "ma_truong"},
	{"Ma\xCC\x83 tru\xCC\x9Bo\xCC\x9B\xCC\x80ng", "ma_truong"}, /* NFD */
	{"MÃ TRƯỜNG", "ma_truong"},
	{"MA\xCC\x83 TRU\xCC\x9BO\xCC\x9B\xCC\x80NG", "ma_truong"}, /* NFD */
	{"  Mã\ttrường  ", "ma_truong"},
	{"  Ma\xCC\x83\ttru\xCC\x9Bo\xCC\x9B\xCC\x80ng  ", "ma_truong"}, /* NFD */
	{"Tên trường", "ten_truong"},
	{"Te\xCC\x82n tru\xCC\x9Bo\xCC\x9B\xCC\x80ng", "ten_truong"}, /* NFD */
	{"TÊN TRƯỜNG", "ten_truong"},
	{"TE\xCC\x82N TRU\xCC\x9BO\xCC\x9B\xCC\x80NG", "ten_truong"}, /* NFD */
	{"Cấp học", "cap_hoc"},
	{"Ca\xCC\x82\xCC\x81p ho\xCC\xA3" "c", "cap_hoc"}, /* NFD */
	{"CẤP HỌC", "cap_hoc"},
	{"CA\xCC\x82\xCC\x81P HO\xCC\xA3" "C", "cap_hoc"}, /* NFD */
	{"Năm học", "nam_hoc"},
	{"Na\xCC\x86m ho\xCC\xA3" "c", "nam_hoc"}, /* NFD */
	{"NĂM HỌC", "nam_hoc"},
	{"NA\xCC\x86M HO\xCC\xA3" "C", "nam_hoc"}, /* NFD */
	{"năm   học ", "nam_hoc"},
	{"na\xCC\x86m   ho\xCC\xA3" "c ", "nam_hoc"}, /* NFD */
	{"Khối", "khoi"},
	{"Kho\xCC\x82\xCC\x81i", "khoi"}, /* NFD */
	{"KHỐI", "khoi"},
	{"KHO\xCC\x82\xCC\x81I", "khoi"}, /* NFD */
	{"Số lớp", "so_lop"},
	{"So\xCC\x82\xCC\x81 lo\xCC\x9B\xCC\x81p", "so_lop"}, /* NFD */
	{"SỐ LỚP", "so_lop"},
	{"SO\xCC\x82\xCC\x81 LO\xCC\x9B\xCC\x81P", "so_lop"}, /* NFD */
	{"Số học sinh", "so_hoc_sinh"},
	{"So\xCC\x82\xCC\x81 ho\xCC\xA3" "c sinh", "so_hoc_sinh"}, /* NFD */
	{"SỐ HỌC SINH", "so_hoc_sinh"},
	{"SO\xCC\x82\xCC\x81 HO\xCC\xA3" "C SINH", "so_hoc_sinh"}, /* NFD */
	{"Số__học - sinh.", "so_hoc_sinh"},
	{"So\xCC\x82\xCC\x81__ho\xCC\xA3" "c - sinh.", "so_hoc_sinh"}, /* NFD */
	{"Lên lớp", "len_lop"},
	{"Le\xCC\x82n lo\xCC\x9B\xCC\x81p", "len_lop"}, /* NFD */
	{"LÊN LỚP", "len_lop"},
	{"LE\xCC\x82N LO\xCC\x9B\xCC\x81P", "len_lop"}, /* NFD */
	{"Lưu ban", "luu_ban"},
	{"Lu\xCC\x9Bu ban", "luu_ban"}, /* NFD */
	{"LƯU BAN", "luu_ban"},
	{"LU\xCC\x9BU BAN", "luu_ban"}, /* NFD */
	{"Bỏ học", "bo_hoc"},
	{"Bo\xCC\x89 ho\xCC\xA3" "c", "bo_hoc"}, /* NFD */
	{"BỎ HỌC", "bo_hoc"},
	{"BO\xCC\x89 HO\xCC\xA3" "C", "bo_hoc"}, /* NFD */
	{"Số báo danh", "so_bao_danh"},
	{"So\xCC\x82\xCC\x81 ba\xCC\x81o danh", "so_bao_danh"}, /* NFD */
	{"SỐ BÁO DANH", "so_bao_danh"},
	{"SO\xCC\x82\xCC\x81 BA\xCC\x81O DANH", "so_bao_danh"}, /* NFD */
	{" SỐ BÁO-DANH ", "so_bao_danh"},
	{" SO\xCC\x82\xCC\x81 BA\xCC\x81O-DANH ", "so_bao_danh"}, /* NFD */
	{"Biên chế", "bien_che"},
	{"Bie\xCC\x82n che\xCC\x82\xCC\x81", "bien_che"}, /* NFD */
	{"BIÊN CHẾ", "bien_che"},
	{"BIE\xCC\x82N CHE\xCC\x82\xCC\x81", "bien_che"}, /* NFD */
	{"Biên/chế", "bien_che"},
	{"Bie\xCC\x82n/che\xCC\x82\xCC\x81", "bien_che"}, /* NFD */
	{"Hợp đồng", "hop_dong"},
	{"Ho\xCC\x9B\xCC\xA3p \xC4\x91o\xCC\x82\xCC\x80ng", "hop_dong"}, /* NFD */
	{"HỢP ĐỒNG", "hop_dong"},
	{"HO\xCC\x9B\xCC\xA3P \xC4\x90O\xCC\x82\xCC\x80NG", "hop_dong"}, /* NFD */
	{"Hợp\xC2\xA0đồng", "hop_dong"},
	{"Ho\xCC\x9B\xCC\xA3p\xC2\xA0\xC4\x91o\xCC\x82\xCC\x80ng", "hop_dong"}, /* NFD */
};

static void test_fold_contract_headers(void **state)
{
	char out[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof fold_headers / sizeof fold_headers[0]; i++) {
		n = text_fold(fold_headers[i].in, out, sizeof out);
		if (strcmp(out, fold_headers[i].want) != 0)
			fail_msg("case %zu: '%s' folded to '%s', want '%s'", i,
				 fold_headers[i].in, out, fold_headers[i].want);
		assert_int_equal(n, strlen(fold_headers[i].want));
	}
}

static void test_fold_rules(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{"", ""},
		{"school_id", "school_id"},
		{"SCHOOL ID", "school_id"},
		{"__a--b..c//d__", "a_b_c_d"},   /* runs become one '_' */
		{" \t\r\n", ""},                  /* only separators */
		{"Đ", "d"}, {"đ", "d"},           /* no decomposition */
		{"Đồng Nai", "dong_nai"},
		{"Ơ Ư ơ ư", "o_u_o_u"},
		{"ĂÂÊÔ ăâêô", "aaeo_aaeo"},
		{"Ỹ ỹ Ỳ ỳ Ỵ ỵ", "y_y_y_y_y_y"},  /* end of U+1EA0..U+1EF9 */
		{"Ạ ạ", "a_a"},                   /* start of it */
		{"Ĩ ĩ Ũ ũ", "i_i_u_u"},          /* Latin Extended-A */
		{"Mã (cũ)", "ma_(cu)"},           /* other characters kept */
		{"tỉ lệ %", "ti_le_%"},
		{"a\xE2\x80\x94" "b", "a\xE2\x80\x94" "b"}, /* em dash kept */
		{"Số\xC2\xA0lớp", "so_lop"},     /* no-break space */
		{"a\xE2\x80\xAF" "b", "a_b"},     /* narrow no-break space */
		{"Ω Я", "Ω_Я"},                   /* not Latin: kept, no case */
		{"ü ñ ç", "u_n_c"},
		/* a lone combining mark is dropped like any other */
		{"\xCC\x81" "a", "a"},
		/* invalid UTF-8 is kept byte for byte */
		{"a\xFF" "b", "a\xFF" "b"},
		{"\xE1\xBB", "\xE1\xBB"},
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		text_fold(cases[i].in, out, sizeof out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: '%s' folded to '%s', want '%s'", i,
				 cases[i].in, out, cases[i].want);
	}
}

static void test_fold_truncation(void **state)
{
	char out[8];

	(void)state;
	/* like snprintf: the full length is returned */
	memset(out, 'Z', sizeof out);
	assert_int_equal(text_fold("Số học sinh", out, 5), 11);
	assert_string_equal(out, "so_h");
	assert_int_equal(out[5], 'Z'); /* nothing written past outsz */
	assert_int_equal(text_fold("Số học sinh", out, 1), 11);
	assert_string_equal(out, "");
	assert_int_equal(text_fold("Số học sinh", NULL, 0), 11);
	/* truncation is by bytes, as snprintf would cut */
	assert_int_equal(text_fold("ab cd", out, 4), 5);
	assert_string_equal(out, "ab_");
}

/* ------------------------------------------------------------ UTF-8 */

static void test_utf8_valid(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		int valid;
		size_t bad;
	} cases[] = {
		{"", 0, 1, 0},
		{"plain ascii", 11, 1, 0},
		{"Trường", 10, 1, 0},
		{"\x00", 1, 1, 0},                 /* U+0000 is UTF-8 */
		{"\x7F", 1, 1, 0},
		{"\xC2\x80", 2, 1, 0},             /* U+0080, smallest 2-byte */
		{"\xDF\xBF", 2, 1, 0},             /* U+07FF */
		{"\xE0\xA0\x80", 3, 1, 0},         /* U+0800 */
		{"\xED\x9F\xBF", 3, 1, 0},         /* U+D7FF, before surrogates */
		{"\xEE\x80\x80", 3, 1, 0},         /* U+E000, after them */
		{"\xEF\xBF\xBF", 3, 1, 0},         /* U+FFFF */
		{"\xF0\x90\x80\x80", 4, 1, 0},     /* U+10000 */
		{"\xF4\x8F\xBF\xBF", 4, 1, 0},     /* U+10FFFF, the last */
		{"\x80", 1, 0, 0},                 /* lone continuation */
		{"ab\xBF", 3, 0, 2},
		{"\xC0\xAF", 2, 0, 0},             /* overlong '/' */
		{"\xC1\xBF", 2, 0, 0},             /* overlong */
		{"\xE0\x80\xAF", 3, 0, 0},         /* overlong 3-byte */
		{"\xE0\x9F\xBF", 3, 0, 0},         /* overlong U+07FF */
		{"\xF0\x80\x80\xAF", 4, 0, 0},     /* overlong 4-byte */
		{"\xF0\x8F\xBF\xBF", 4, 0, 0},     /* overlong U+FFFF */
		{"\xED\xA0\x80", 3, 0, 0},         /* U+D800 surrogate */
		{"\xED\xBF\xBF", 3, 0, 0},         /* U+DFFF surrogate */
		{"\xF4\x90\x80\x80", 4, 0, 0},     /* U+110000 */
		{"\xF5\x80\x80\x80", 4, 0, 0},     /* F5..FF never appear */
		{"\xFF", 1, 0, 0},
		{"x\xE1\xBB", 3, 0, 1},            /* truncated at the end */
		{"x\xE1\xBB" "y", 4, 0, 1},        /* cut by ASCII */
		{"\xC3" "a", 2, 0, 0},
		{"ok\xF0\x9F\x98", 5, 0, 2},
	};
	size_t i, bad;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bad = 999;
		if (text_utf8_valid(cases[i].s, cases[i].len, &bad) !=
		    cases[i].valid)
			fail_msg("case %zu: validity should be %d", i,
				 cases[i].valid);
		if (!cases[i].valid)
			assert_int_equal(bad, cases[i].bad);
		else
			assert_int_equal(bad, 999); /* untouched */
		/* bad_offset may be NULL */
		assert_int_equal(text_utf8_valid(cases[i].s, cases[i].len,
						 NULL),
				 cases[i].valid);
	}
}

static void test_utf8_chars(void **state)
{
	static const struct {
		const char *s;
		size_t n;
	} cases[] = {
		{"", 0},
		{"abc", 3},
		{"Trường", 6},
		{"Trường Tiểu học Lê Lợi", 22},
		{"Tru\xCC\x9Bo\xCC\x9B\xCC\x80ng", 9}, /* NFD: marks count */
		{"\xF0\x9F\x98\x80", 1},
		{"a\xFF" "b", 3},                      /* a bad byte is one */
		{"\xE1\xBB", 2},
		{"\xED\xA0\x80", 3},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(text_utf8_chars(cases[i].s,
						 strlen(cases[i].s)),
				 cases[i].n);
}

static void test_escape_invalid(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		const char *want;
	} cases[] = {
		{"", 0, ""},
		{"Lê Lợi", 9, "Lê Lợi"},
		{"L\xF5\xF2i", 4, "L\\xF5\\xF2i"},
		{"a\xE0" "b", 3, "a\\xE0b"},
		{"\xED\xA0\x80", 3, "\\xED\\xA0\\x80"},
		{"x\xE1\xBB", 3, "x\\xE1\\xBB"},
		{"back\\slash", 10, "back\\slash"}, /* not escaped */
		{"a\0b", 3, "a\0b"},                /* valid: kept */
	};
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		out = text_escape_invalid(cases[i].s, cases[i].len);
		assert_non_null(out);
		assert_memory_equal(out, cases[i].want,
				    strlen(cases[i].want) + 1);
		free(out);
	}
}

/* ------------------------------------------------------------ decoders */

/* Bytes from iconv(1) -t CP1258 and -t TCVN5712-1 (glibc 2.36). CP1258
 * writes tone marks as separate combining bytes (0xCC grave, 0xD2 hook,
 * 0xF2 dot below, 0xEC acute, 0xDE tilde); TCVN3 has precomposed
 * lower-case letters and maps some C0 bytes to upper-case ones. */
static const struct {
	const char *enc;
	const char *bytes;
	const char *utf8;
} decode_cases[] = {
	{"cp1258", "Tr\xFD\xF5\xCCng Ti\xEA\xD2u ho\xF2" "c L\xEA L\xF5\xF2i",
	 "Trường Tiểu học Lê Lợi"},
	{"cp1258", "S\xF4\xEC ho\xF2" "c sinh", "Số học sinh"},
	{"cp1258", "\xD0\xF4\xDE Thi\xF2 \xC1nh", "Đỗ Thị Ánh"},
	{"windows-1258", "L\xEA L\xF5\xF2i", "Lê Lợi"},
	{"tcvn3", "Tr\xAD\xEAng Ti\xD3u h\xE4" "c L\xAA L\xEEi",
	 "Trường Tiểu học Lê Lợi"},
	{"tcvn", "S\xE8 h\xE4" "c sinh", "Số học sinh"},
	{"tcvn5712", "\xA7\xE7 Th\xDE \x83nh", "Đỗ Thị Ánh"},
	{"TCVN3", "\x01", "Ú"},                  /* a C0 byte is a letter */
	{"utf-8", "Lê Lợi", "Lê Lợi"},
	{"UTF8", "", ""},
	{"cp1258", "", ""},
	/* the line ends in a letter that could still take a tone mark: the
	 * decoder must flush it */
	{"cp1258", "a", "a"},
	{"cp1258", "o\xEC", "ó"},
};

static void test_decode(void **state)
{
	text_decoder *d;
	ss_error e;
	char *buf = NULL;
	size_t cap = 0, len, i;

	(void)state;
	for (i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++) {
		err_clear(&e);
		assert_int_equal(text_decoder_alloc(&d, decode_cases[i].enc,
						    &e),
				 SS_OK);
		assert_int_equal(text_decode_line(d, decode_cases[i].bytes,
						  strlen(decode_cases[i].bytes),
						  &buf, &cap, &len, &e),
				 SS_OK);
		if (strcmp(buf, decode_cases[i].utf8) != 0)
			fail_msg("case %zu (%s): got '%s', want '%s'", i,
				 decode_cases[i].enc, buf,
				 decode_cases[i].utf8);
		assert_int_equal(len, strlen(decode_cases[i].utf8));
		/* the decoder is reusable line after line */
		assert_int_equal(text_decode_line(d, decode_cases[i].bytes,
						  strlen(decode_cases[i].bytes),
						  &buf, &cap, &len, &e),
				 SS_OK);
		assert_string_equal(buf, decode_cases[i].utf8);
		text_decoder_free(d);
	}
	free(buf);
	text_decoder_free(NULL);
}

static void test_decode_long_line(void **state)
{
	/* 20000 x "ờ" as o-horn + grave: 40000 bytes in, 60000 out */
	const size_t n = 20000;
	char *in = malloc(2 * n), *buf = NULL;
	size_t cap = 0, len, i;
	text_decoder *d;
	ss_error e;

	(void)state;
	assert_non_null(in);
	for (i = 0; i < n; i++) {
		in[2 * i] = '\xF5';
		in[2 * i + 1] = '\xCC';
	}
	err_clear(&e);
	assert_int_equal(text_decoder_alloc(&d, "cp1258", &e), SS_OK);
	assert_int_equal(text_decode_line(d, in, 2 * n, &buf, &cap, &len, &e),
			 SS_OK);
	assert_int_equal(len, 3 * n);
	assert_int_equal(text_utf8_chars(buf, len), n);
	assert_memory_equal(buf + len - 3, "ờ", 3);
	assert_int_equal(buf[len], '\0');
	text_decoder_free(d);
	free(in);
	free(buf);
}

static void test_decode_errors(void **state)
{
	static const struct {
		const char *enc;
		const char *bytes;
		size_t len;
		long column;
		const char *msg;
	} cases[] = {
		/* unassigned in windows-1258 */
		{"cp1258", "a,b\x81" "c", 5, 4, "invalid cp1258 byte 0x81"},
		{"cp1258", "\x8A", 1, 1, "invalid cp1258 byte 0x8A"},
		{"utf-8", "L\xF5\xF2i", 4, 2, "invalid UTF-8 byte 0xF5"},
		{"utf8", "ab\xED\xA0\x80", 5, 3, "invalid UTF-8 byte 0xED"},
	};
	text_decoder *d;
	ss_error e;
	char *buf = NULL;
	size_t cap = 0, len, i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err_clear(&e);
		assert_int_equal(text_decoder_alloc(&d, cases[i].enc, &e),
				 SS_OK);
		assert_int_equal(text_decode_line(d, cases[i].bytes,
						  cases[i].len, &buf, &cap,
						  &len, &e),
				 SS_EDATA);
		assert_int_equal(e.status, SS_EDATA);
		assert_int_equal(e.column, cases[i].column);
		if (!strstr(e.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
				 cases[i].msg);
		/* a failed line leaves nothing behind for the next one */
		assert_int_equal(text_decode_line(d, "ok", 2, &buf, &cap,
						  &len, &e),
				 SS_OK);
		assert_string_equal(buf, "ok");
		text_decoder_free(d);
	}
	free(buf);
}

static void test_decoder_names(void **state)
{
	static const char *const bad[] = {"latin1", "", "cp125", "utf-16",
					  "tcvn3 "};
	text_decoder *d;
	ss_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		d = (text_decoder *)&e;
		assert_int_equal(text_decoder_alloc(&d, bad[i], &e), SS_EUSAGE);
		assert_null(d);
		assert_non_null(strstr(e.msg, "unknown encoding"));
		assert_non_null(strstr(e.msg, "(expected utf-8, cp1258 or tcvn3)"));
	}
	err_clear(&e);
	assert_int_equal(text_decoder_alloc(&d, NULL, &e), SS_EUSAGE);
	assert_null(d);
	assert_int_equal(text_decoder_alloc(&d, "Windows-1258", &e), SS_OK);
	text_decoder_free(d);
}

/* What snprintf leaves in buf[0..size) for src, and what it returns. */
static int cut(char *buf, size_t size, const char *src)
{
	size_t n = strlen(src);
	size_t k = n < size ? n : size - 1;

	memcpy(buf, src, k);
	buf[k] = '\0';
	return (int)n;
}

/* A cut message stays valid UTF-8 and shows it was cut. */
static void test_mark_truncated(void **state)
{
	char buf[8];

	(void)state;
	/* 4 x "ả" (3 bytes each) into 8 bytes: "ảả" and a partial byte;
	 * the partial character goes and "…" takes its place */
	text_mark_truncated(buf, sizeof buf, cut(buf, sizeof buf, "ảảảả"));
	assert_string_equal(buf, "ả…");
	assert_true(text_utf8_valid(buf, strlen(buf), NULL));
	/* not cut: untouched */
	text_mark_truncated(buf, sizeof buf, cut(buf, sizeof buf, "abc"));
	assert_string_equal(buf, "abc");
	/* cut ASCII */
	text_mark_truncated(buf, sizeof buf, cut(buf, sizeof buf, "abcdefghij"));
	assert_string_equal(buf, "abcd…");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_truncated),
		cmocka_unit_test(test_fold_contract_headers),
		cmocka_unit_test(test_fold_rules),
		cmocka_unit_test(test_fold_truncation),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_chars),
		cmocka_unit_test(test_escape_invalid),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_long_line),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_decoder_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
