/* Tests for run: SHA-256 against the FIPS 180-2 examples (and messages
 * around the padding boundaries, hashed with coreutils sha256sum), JSON
 * escaping and parsing, the INI config with every error and its position,
 * the stage table and the rerun decision, the manifest and run_info.csv
 * against hand-written text, the file helpers, and the engine itself with
 * small shell-script stages in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

/* ------------------------------------------------------------ helpers */

static char *tmpdir_make(void)
{
	char tmpl[] = "/tmp/test_run.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void tmpdir_free(char *d)
{
	ss_error e;

	err_clear(&e);
	assert_int_equal(run_remove_tree(d, &e), SS_OK);
	free(d);
}

static char *path2(const char *a, const char *b)
{
	char *p = run_path_join(a, b);

	assert_non_null(p);
	return p;
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char *p = path2(dir, name);
	ss_error e;

	err_clear(&e);
	assert_int_equal(run_write_file(p, text, strlen(text), &e), SS_OK);
	free(p);
}

/* The file's text (caller frees), NULL when it does not exist. */
static char *get_file(const char *dir, const char *name)
{
	char *p = path2(dir, name), *data = NULL;
	size_t len;
	int missing = 0;
	ss_error e;

	err_clear(&e);
	if (run_read_file(p, &data, &len, &missing, &e) != SS_OK) {
		assert_true(missing);
		data = NULL;
	}
	free(p);
	return data;
}

static int file_exists(const char *dir, const char *name)
{
	char *p = path2(dir, name);
	struct stat sb;
	int r = lstat(p, &sb) == 0;

	free(p);
	return r;
}

static void check_str(const char *what, const char *got, const char *want)
{
	if (!got || strcmp(got, want) != 0)
		fail_msg("%s:\n got: [%s]\nwant: [%s]", what, got ? got : "(null)", want);
}

/* ------------------------------------------------------------ SHA-256 */

struct sha_case {
	const char *msg;
	size_t repeat;     /* the message repeated this many times */
	const char *hex;
};

static const struct sha_case sha_cases[] = {
	/* FIPS 180-2, appendix B */
	{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	/* the empty message (NIST example) */
	{ "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	/* padding boundaries: 55 bytes fit one block, 56 need two, ...
	   (values from coreutils sha256sum) */
	{ "a", 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ "a", 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ "a", 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
	{ "a", 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
	{ "a", 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	{ "a", 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
	{ "a", 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
};

static void test_sha256_vectors(void **state)
{
	static const size_t chunks[] = { 0, 1, 3, 63, 64, 65, 1000 };

	(void)state;
	for (size_t i = 0; i < sizeof sha_cases / sizeof sha_cases[0]; i++) {
		const struct sha_case *c = &sha_cases[i];
		size_t n = strlen(c->msg) * c->repeat;
		char *msg = malloc(n + 1), hex[RUN_SHA256_HEX];

		assert_non_null(msg);
		for (size_t r = 0; r < c->repeat; r++)
			memcpy(msg + r * strlen(c->msg), c->msg, strlen(c->msg));
		/* whole, and fed in pieces of every size around a block */
		for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
			run_sha256 s;
			size_t step = chunks[k] ? chunks[k] : n ? n : 1;

			assert_int_equal(run_sha256_init(&s), 0);
			for (size_t off = 0; off < n; off += step)
				run_sha256_update(&s, msg + off, n - off < step ? n - off : step);
			assert_int_equal(run_sha256_final(&s, hex), 0);
			if (strcmp(hex, c->hex) != 0)
				fail_msg("case %zu in pieces of %zu: %s", i, step, hex);
		}
		free(msg);
	}
}

static void test_sha256_file(void **state)
{
	char *dir = tmpdir_make(), *p = path2(dir, "f"), hex[RUN_SHA256_HEX];
	long long bytes = -1;
	ss_error e;

	(void)state;
	put_file(dir, "f", "xxabcyy");
	err_clear(&e);
	assert_int_equal(run_sha256_file(p, 2, 3, hex, &bytes, &e), SS_OK);
	check_str("range abc", hex, sha_cases[0].hex);
	assert_int_equal(bytes, 3);
	assert_int_equal(run_sha256_file(p, 0, -1, hex, &bytes, &e), SS_OK);
	assert_int_equal(bytes, 7);
	assert_int_equal(run_sha256_file(p, 7, 0, hex, &bytes, &e), SS_OK);
	check_str("empty range", hex, sha_cases[3].hex);
	/* asking past the end is an error, naming the file */
	assert_int_equal(run_sha256_file(p, 5, 3, hex, &bytes, &e), SS_EIO);
	check_str("short file", e.msg,
		  "file is shorter than expected: 2 bytes from offset 5 (expected 3)");
	check_str("short file path", e.file, p);
	free(p);
	p = path2(dir, "missing");
	assert_int_equal(run_sha256_file(p, 0, -1, hex, NULL, &e), SS_EIO);
	check_str("missing", e.msg, "cannot open: No such file or directory");
	free(p);
	tmpdir_free(dir);
}

/* ------------------------------------------------------------ hash index */

/* Sets path's mtime to now + offset seconds (+ ns); returns it in ns. */
static long long set_mtime(const char *path, long long offset, long ns)
{
	struct timespec t[2];
	long long now = run_index_now_ns() / 1000000000LL;

	t[0].tv_sec = t[1].tv_sec = (time_t)(now + offset);
	t[0].tv_nsec = t[1].tv_nsec = ns;
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
	return (now + offset) * 1000000000LL + ns;
}

/* Hashes p with known, checks hashed and the hash, and keeps the entry. */
static void index_step(const char *what, const char *p, run_file *known,
		       int want_hashed, const char *want_hex, int want_indexed)
{
	run_file f;
	int hashed = -1;
	ss_error e;

	memset(&f, 0, sizeof f);
	err_clear(&e);
	assert_int_equal(run_index_hash(p, known, &f, &hashed, &e), SS_OK);
	if (hashed != want_hashed || f.indexed != want_indexed)
		fail_msg("%s: hashed %d (want %d), indexed %d (want %d)", what,
			 hashed, want_hashed, f.indexed, want_indexed);
	check_str(what, f.sha256, want_hex);
	assert_int_equal(f.bytes, 3);
	*known = f;
}

static void test_index_rule(void **state)
{
	/* SHA-256 of "abc" (FIPS 180-2) and of "xyz" (sha256sum) */
	static const char abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	static const char xyz[] = "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282";
	char *dir = tmpdir_make(), *p = path2(dir, "f"), *q = path2(dir, "g");
	run_file k;
	long long m;
	ss_error e;

	(void)state;
	memset(&k, 0, sizeof k);
	err_clear(&e);
	put_file(dir, "f", "abc");
	m = set_mtime(p, -100, 123456789);
	index_step("first: hashed", p, &k, 1, abc, 1);
	assert_int_equal(k.mtime_ns, m);
	index_step("unchanged: not read", p, &k, 0, abc, 1);
	/* touched, same content: the stat differs, so it is read again */
	set_mtime(p, -50, 0);
	index_step("touched: hashed again", p, &k, 1, abc, 1);
	index_step("touched, then unchanged", p, &k, 0, abc, 1);
	/* same-size rewrite: a new mtime gives it away */
	put_file(dir, "f", "xyz");
	set_mtime(p, -40, 0);
	index_step("same-size rewrite", p, &k, 1, xyz, 1);
	/* same size and the old mtime put back, but a new file (new inode):
	   what an editor's save-by-rename or tar leaves */
	put_file(dir, "g", "abc");
	set_mtime(q, -40, 0);
	assert_int_equal(rename(q, p), 0);
	index_step("new inode", p, &k, 1, abc, 1);
	/* racy: written now, so a same-size rewrite within the same tick
	   would keep size, mtime and inode; such an entry is never trusted */
	put_file(dir, "f", "abc");
	m = set_mtime(p, 0, 0);
	index_step("racy: hashed, not indexed", p, &k, 1, abc, 0);
	put_file(dir, "f", "xyz");
	set_mtime(p, 0, 0);
	assert_int_equal(k.mtime_ns, m);
	index_step("racy rewrite, same stat: hashed again", p, &k, 1, xyz, 0);
	/* an mtime in the future (clock skew) is racy too */
	set_mtime(p, 3600, 0);
	index_step("future mtime", p, &k, 1, xyz, 0);
	index_step("future mtime, again", p, &k, 1, xyz, 0);
	/* the documented limit: same size, mtime put back, same inode */
	set_mtime(p, -30, 0);
	index_step("old again", p, &k, 1, xyz, 1);
	put_file(dir, "f", "abc");
	set_mtime(p, -30, 0);
	index_step("limit: mtime put back by hand", p, &k, 0, xyz, 1);
	/* missing file */
	free(q);
	q = path2(dir, "missing");
	assert_int_equal(run_index_hash(q, &k, &k, NULL, &e), SS_EIO);
	check_str("missing", e.msg, "cannot open: No such file or directory");
	free(p);
	free(q);
	tmpdir_free(dir);
}

static void test_index_fresh(void **state)
{
	run_file k;

	(void)state;
	memset(&k, 0, sizeof k);
	snprintf(k.sha256, sizeof k.sha256, "%s", sha_cases[0].hex);
	k.bytes = 3;
	k.mtime_ns = 1000;
	k.ino = 7;
	k.indexed = 1;
	assert_int_equal(run_index_fresh(&k, 3, 1000, 7), 1);
	assert_int_equal(run_index_fresh(NULL, 3, 1000, 7), 0);
	assert_int_equal(run_index_fresh(&k, 4, 1000, 7), 0);
	assert_int_equal(run_index_fresh(&k, 3, 1001, 7), 0);
	assert_int_equal(run_index_fresh(&k, 3, 1000, 8), 0);
	k.indexed = 0;
	assert_int_equal(run_index_fresh(&k, 3, 1000, 7), 0);
	k.indexed = 1;
	k.sha256[0] = '\0';
	assert_int_equal(run_index_fresh(&k, 3, 1000, 7), 0);
}

/* The in-run rule: untouched since `since` only with every stat field
 * equal and a ctime a tick older than since, never a whole-second one. */
static void test_index_untouched(void **state)
{
	const long long since = 5000000000000LL;
	const long long ct = since - 2 * RUN_TICK_NS;
	run_file k;

	(void)state;
	memset(&k, 0, sizeof k);
	snprintf(k.sha256, sizeof k.sha256, "%s", sha_cases[0].hex);
	k.bytes = 3;
	k.mtime_ns = 1000;
	k.ino = 7;
	k.ctime_ns = ct;
	assert_int_equal(run_index_untouched(&k, since, 3, 1000, 7, ct), 1);
	assert_int_equal(run_index_untouched(&k, 0, 3, 1000, 7, ct), 0);
	assert_int_equal(run_index_untouched(NULL, since, 3, 1000, 7, ct), 0);
	assert_int_equal(run_index_untouched(&k, since, 4, 1000, 7, ct), 0);
	assert_int_equal(run_index_untouched(&k, since, 3, 1001, 7, ct), 0);
	assert_int_equal(run_index_untouched(&k, since, 3, 1000, 8, ct), 0);
	assert_int_equal(run_index_untouched(&k, since, 3, 1000, 7, ct + 1), 0);
	/* within a tick of since: the writer may have changed it unseen */
	k.ctime_ns = since - RUN_TICK_NS / 2;
	assert_int_equal(run_index_untouched(&k, since, 3, 1000, 7, k.ctime_ns), 0);
	/* second-granular file system */
	k.ctime_ns = 4000000000000LL;
	assert_int_equal(run_index_untouched(&k, since, 3, 1000, 7, k.ctime_ns), 0);
	k.ctime_ns = ct;
	k.sha256[0] = '\0';
	assert_int_equal(run_index_untouched(&k, since, 3, 1000, 7, ct), 0);
}

/* A scan with since takes the hash of a racy file nothing has touched,
 * and reads one rewritten after since with the same size and mtime. */
static void test_index_since_scan(void **state)
{
	char *dir = tmpdir_make(), *a = path2(dir, "a");
	run_files first, second, third;
	long long n = -1, mtime, since;
	struct timespec pause = { 0, 3 * RUN_TICK_NS };
	ss_error e;

	(void)state;
	err_clear(&e);
	put_file(dir, "a", "abc");
	run_files_init(&first);
	run_files_init(&second);
	run_files_init(&third);
	assert_int_equal(run_scan_tree_indexed(dir, NULL, &first, &n, &e), SS_OK);
	assert_int_equal(first.v[0].indexed, 0); /* racy */
	nanosleep(&pause, NULL);
	since = run_index_now_ns();
	assert_int_equal(run_scan_tree_since(dir, &first, since, &second, &n, &e),
			 SS_OK);
	assert_int_equal(n, 0);
	check_str("untouched", second.v[0].sha256, sha_cases[0].hex);
	/* the same size, the mtime set back: only the ctime tells */
	mtime = first.v[0].mtime_ns;
	put_file(dir, "a", "xyz");
	{
		struct timespec t[2];

		t[0].tv_sec = t[1].tv_sec = (time_t)(mtime / 1000000000LL);
		t[0].tv_nsec = t[1].tv_nsec = (long)(mtime % 1000000000LL);
		assert_int_equal(utimensat(AT_FDCWD, a, t, 0), 0);
	}
	assert_int_equal(run_scan_tree_since(dir, &second, since, &third, &n, &e),
			 SS_OK);
	assert_int_equal(n, 3);
	assert_string_not_equal(third.v[0].sha256, sha_cases[0].hex);
	run_files_release(&first);
	run_files_release(&second);
	run_files_release(&third);
	unlink(a);
	rmdir(dir);
	free(a);
	free(dir);
}

/* The index through a tree scan, a copy and the manifest. */
static void test_index_tree(void **state)
{
	char *dir = tmpdir_make(), *a = path2(dir, "a"), *b = path2(dir, "b");
	char *dst = path2(dir, "copy/b");
	run_files first, second, back;
	run_manifest m, m2;
	run_file got;
	run_buf buf;
	long long n = -1;
	int hashed = -1;
	ss_error e;

	(void)state;
	err_clear(&e);
	put_file(dir, "a", "abc");
	put_file(dir, "b", "xyz");
	set_mtime(a, -100, 0);
	run_files_init(&first);
	run_files_init(&second);
	assert_int_equal(run_scan_tree_indexed(dir, NULL, &first, &n, &e), SS_OK);
	assert_int_equal(n, 6);
	assert_int_equal(first.n, 2);
	assert_int_equal(first.v[0].indexed, 1);
	assert_int_equal(first.v[1].indexed, 0); /* b: just written */
	n = -1;
	assert_int_equal(run_scan_tree_indexed(dir, &first, &second, &n, &e), SS_OK);
	assert_int_equal(n, 0 + 3); /* only the racy b is read */
	check_str("scan a", second.v[0].sha256, sha_cases[0].hex);
	/* a copy of a fresh entry is not hashed and takes its hash */
	memset(&got, 0, sizeof got);
	assert_int_equal(run_copy_file_indexed(a, dst, &first.v[0], &got, &hashed, &e),
			 SS_OK);
	assert_int_equal(hashed, 0);
	check_str("copy a", got.sha256, sha_cases[0].hex);
	assert_int_equal(got.mtime_ns, first.v[0].mtime_ns);
	assert_int_equal(got.indexed, 1);
	unlink(dst);
	assert_int_equal(run_copy_file_indexed(b, dst, &first.v[1], &got, &hashed, &e),
			 SS_OK);
	assert_int_equal(hashed, 1);
	assert_int_equal(got.indexed, 0);
	/* the manifest keeps the stat of indexed entries only */
	run_manifest_init(&m);
	run_manifest_init(&m2);
	for (size_t i = 0; i < first.n; i++)
		assert_int_equal(run_files_add_copy(&m.outputs, &first.v[i], &e), SS_OK);
	run_buf_init(&buf);
	run_manifest_write_json(&m, &buf);
	assert_int_equal(run_manifest_parse(&m2, buf.data, buf.len, "m.json", &e),
			 SS_OK);
	back = m2.outputs;
	assert_int_equal(back.n, 2);
	assert_int_equal(back.v[0].indexed, 1);
	assert_true(back.v[0].mtime_ns == first.v[0].mtime_ns);
	assert_true(back.v[0].ino == first.v[0].ino);
	assert_int_equal(back.v[1].indexed, 0);
	run_buf_release(&buf);
	run_manifest_release(&m);
	run_manifest_release(&m2);
	run_files_release(&first);
	run_files_release(&second);
	free(a);
	free(b);
	free(dst);
	tmpdir_free(dir);
}

/* ------------------------------------------------------------ JSON */

struct esc_case {
	const char *in;
	const char *out;
};

static const struct esc_case esc_cases[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
	{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
	{ "\x01\x1f", "\"\\u0001\\u001f\"" },
	{ "\x7f/", "\"\x7f/\"" },                 /* DEL and '/' need nothing */
	{ "Phường Hòa Bình", "\"Phường Hòa Bình\"" },
	{ "\xF0\x9F\x98\x80", "\"\xF0\x9F\x98\x80\"" },  /* 4-byte UTF-8 */
	{ "a\xFF" "b", "\"a\\ufffdb\"" },         /* not UTF-8 */
	{ "\xC3", "\"\\ufffd\"" },                /* truncated sequence */
	{ "\xC0\xAF", "\"\\ufffd\\ufffd\"" },     /* overlong '/' */
	{ "\xE0\x80\xAF", "\"\\ufffd\\ufffd\\ufffd\"" }, /* overlong, 3 bytes */
	{ "\xED\xA0\x80", "\"\\ufffd\\ufffd\\ufffd\"" }, /* UTF-16 surrogate */
	{ "\xF4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* > U+10FFFF */
	{ "\x80x", "\"\\ufffdx\"" },              /* stray continuation */
};

static void test_json_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof esc_cases / sizeof esc_cases[0]; i++) {
		run_buf b;

		run_buf_init(&b);
		run_json_put_string(&b, esc_cases[i].in);
		assert_false(b.failed);
		check_str(esc_cases[i].in, run_buf_str(&b), esc_cases[i].out);
		run_buf_release(&b);
	}
}

/* Valid UTF-8 survives escape then parse unchanged. */
static void test_json_roundtrip(void **state)
{
	static const char *const texts[] = { "", "a\"b\\c\n\t\x01", "Phường",
					     "\xF0\x9F\x98\x80", "/x/y" };

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		run_buf b;
		run_json v;
		ss_error e;

		run_buf_init(&b);
		err_clear(&e);
		run_json_put_string(&b, texts[i]);
		assert_int_equal(run_json_parse(&v, b.data, b.len, "t", &e), SS_OK);
		assert_int_equal(v.type, RUN_JSON_STRING);
		check_str("roundtrip", run_json_str(&v), texts[i]);
		run_json_release(&v);
		run_buf_release(&b);
	}
}

static void test_json_parse(void **state)
{
	const char *doc =
		"{\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\/\"],\n"
		" \"b\": {}, \"c\": [], \"n\": 9223372036854775807}";
	run_json v;
	const run_json *a;
	long long x;
	ss_error e;

	(void)state;
	err_clear(&e);
	assert_int_equal(run_json_parse(&v, doc, strlen(doc), "t", &e), SS_OK);
	assert_int_equal(v.type, RUN_JSON_OBJECT);
	assert_int_equal(v.n, 4);
	a = run_json_get(&v, "a");
	assert_non_null(a);
	assert_int_equal(a->type, RUN_JSON_ARRAY);
	assert_int_equal(a->n, 6);
	assert_true(run_json_ll(&a->items[0], &x));
	assert_int_equal(x, 1);
	assert_false(run_json_ll(&a->items[1], &x)); /* not a whole number */
	check_str("number text", a->items[1].text, "-2.5e3");
	assert_int_equal(a->items[2].type, RUN_JSON_BOOL);
	assert_int_equal(a->items[2].boolean, 1);
	assert_int_equal(a->items[3].boolean, 0);
	assert_int_equal(a->items[4].type, RUN_JSON_NULL);
	check_str("escapes", run_json_str(&a->items[5]), "x\xC3\xA9\xF0\x9F\x98\x80/");
	assert_null(run_json_str(&a->items[0]));
	assert_int_equal(run_json_get(&v, "b")->type, RUN_JSON_OBJECT);
	assert_int_equal(run_json_get(&v, "c")->n, 0);
	assert_null(run_json_get(&v, "zz"));
	assert_null(run_json_get(a, "a"));  /* not an object */
	assert_true(run_json_ll(run_json_get(&v, "n"), &x));
	assert_true(x == 9223372036854775807LL);
	run_json_release(&v);
}

struct json_err {
	const char *text;
	const char *msg;   /* "line:col: message" */
};

static const struct json_err json_errs[] = {
	{ "", "1:1: missing value at the end of the text (expected a JSON value)" },
	{ "{\"a\" 1}", "1:6: unexpected '1' (expected ':')" },
	{ "{\"a\": 1,}", "1:9: unexpected '}' (expected a member name in quotes)" },
	{ "[1 2]", "1:4: unexpected '2' (expected ',' or ']')" },
	{ "[1,\n  x]", "2:3: unexpected 'x' (expected a JSON value)" },
	{ "\"abc", "1:5: unterminated string at the end of the text (expected '\"')" },
	{ "\"a\tb\"", "1:3: control character in a string '\\x09' (expected an escape such as \\n)" },
	{ "\"\\x\"", "1:2: unknown escape '\\' (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)" },
	{ "\"\\u12g4\"", "1:2: bad \\u escape '\\' (expected four hex digits)" },
	{ "\"\\udc00\"", "1:2: lone low surrogate '\\' (expected a high surrogate first)" },
	{ "\"\\ud800x\"", "1:2: lone high surrogate '\\' (expected a \\uDC00-\\uDFFF escape after it)" },
	{ "\"\xff\"", "1:2: invalid UTF-8 byte '\\xFF' (expected UTF-8 text)" },
	{ "01", "1:2: text after the value '1' (expected the end of the text)" },
	{ "-", "1:2: bad number at the end of the text (expected a digit)" },
	{ "1.", "1:3: bad number at the end of the text (expected a digit after '.')" },
	{ "1e+", "1:4: bad number at the end of the text (expected a digit in the exponent)" },
	{ "tru", "1:1: unexpected 't' (expected a JSON value)" },
	{ "{} {}", "1:4: text after the value '{' (expected the end of the text)" },
	{ "\"é\" x", "1:5: text after the value 'x' (expected the end of the text)" },
};

static void test_json_errors(void **state)
{
	char deep[200];

	(void)state;
	for (size_t i = 0; i < sizeof json_errs / sizeof json_errs[0]; i++) {
		run_json v;
		ss_error e;
		char got[ERR_MSG_MAX + 64];

		err_clear(&e);
		assert_int_equal(run_json_parse(&v, json_errs[i].text,
						strlen(json_errs[i].text), "m.json", &e),
				 SS_EDATA);
		check_str("file", e.file, "m.json");
		snprintf(got, sizeof got, "%ld:%ld: %s", e.line, e.column, e.msg);
		check_str(json_errs[i].text, got, json_errs[i].msg);
		run_json_release(&v);
	}
	/* 64 levels parse, 65 do not */
	for (int depth = 64; depth <= 65; depth++) {
		run_json v;
		ss_error e;

		memset(deep, '[', (size_t)depth);
		memset(deep + depth, ']', (size_t)depth);
		err_clear(&e);
		assert_int_equal(run_json_parse(&v, deep, 2 * (size_t)depth, "d", &e),
				 depth == 64 ? SS_OK : SS_EDATA);
		if (depth == 65)
			check_str("depth", e.msg, "nesting too deep '[' (expected at most 64 levels)");
		run_json_release(&v);
	}
}

static void test_json_ll(void **state)
{
	static const struct {
		const char *text;
		int ok;
		long long v;
	} cases[] = {
		{ "0", 1, 0 }, { "-12", 1, -12 }, { "1.0", 0, 0 }, { "1e2", 0, 0 },
		{ "99999999999999999999", 0, 0 }, { "\"3\"", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_json v;
		long long x = -777;
		ss_error e;

		err_clear(&e);
		assert_int_equal(run_json_parse(&v, cases[i].text, strlen(cases[i].text),
						"t", &e), SS_OK);
		assert_int_equal(run_json_ll(&v, &x), cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(x, cases[i].v);
		else
			assert_int_equal(x, -777);
		run_json_release(&v);
	}
}

/* ------------------------------------------------------------ config */

static void test_config_sample(void **state)
{
	const char *ini =
		"\xEF\xBB\xBF; comment\r\n"
		"# another\r\n"
		"\r\n"
		"  [ report ]  \r\n"
		"unit = Phường Hòa Bình   ; trailing comment\r\n"
		"year=2024-2025\r\n"
		"input = sample\r\n"
		"output = /srv/out\r\n"
		"number_style = vi\r\n"
		"encoding = cp1258\r\n"
		"norms = \" norms;1.csv \"  # quoted: spaces and ';' kept\r\n"
		"strict = Yes";
	run_config c;
	ss_error e;

	(void)state;
	run_config_init(&c);
	err_clear(&e);
	/* "Yes" is not in the list: booleans are lower case */
	assert_int_equal(run_config_parse(&c, ini, strlen(ini), "w.ini", "etc", &e),
			 SS_EDATA);
	check_str("Yes", e.msg, "bad strict 'Yes' (expected yes or no)");
	assert_int_equal(e.line, 12);
	assert_int_equal(e.column, 10);
	run_config_release(&c);

	run_config_init(&c);
	{
		char *fixed = strdup(ini);

		memcpy(strstr(fixed, "Yes"), "yes", 3);
		assert_int_equal(run_config_parse(&c, fixed, strlen(fixed), "w.ini",
						  "etc", &e), SS_OK);
		free(fixed);
	}
	check_str("unit", c.unit, "Phường Hòa Bình");
	check_str("year", c.year, "2024-2025");
	check_str("input joined to the config dir", c.input, "etc/sample");
	check_str("absolute output kept", c.output, "/srv/out");
	check_str("number style", c.number_style, "vi");
	check_str("encoding", c.encoding, "cp1258");
	check_str("quoted norms", c.norms, "etc/ norms;1.csv ");
	assert_int_equal(c.strict, 1);
	run_config_release(&c);
}

struct ini_err {
	const char *text;
	long line, col;
	const char *msg;
};

static const struct ini_err ini_errs[] = {
	{ "year = 2024-2025\n", 1, 1, "key before any section (expected [report] first)" },
	{ "[report]\n[run]\n", 2, 2, "unknown section 'run' (expected report)" },
	{ "[report\n", 1, 1, "bad section header '[report' (expected [report])" },
	{ "[report]\nyaer = 2024-2025\n", 2, 1,
	  "unknown key 'yaer' (expected unit, year, input, output, number_style, encoding, norms, strict, audit_margin_pct, audit_margin_abs or reference_date)" },
	{ "[report]\nyear = 2023-2024\nyear = 2024-2025\n", 3, 1,
	  "key 'year' given twice (expected it once; first on line 2)" },
	{ "[report]\n  just text\n", 2, 3, "line without '=' 'just text' (expected key = value)" },
	{ "[report]\nunit =\n", 2, 7, "empty value for 'unit' (expected a value)" },
	{ "[report]\nunit = ; only a comment\n", 2, 8, "empty value for 'unit' (expected a value)" },
	{ "[report]\nyear = 2024\n", 2, 8, "bad year '2024' (expected a school year such as 2024-2025)" },
	{ "[report]\nyear = 2024-2026\n", 2, 8, "bad year '2024-2026' (expected a school year such as 2024-2025)" },
	{ "[report]\nyear = 2O24-2025\n", 2, 8, "bad year '2O24-2025' (expected a school year such as 2024-2025)" },
	{ "[report]\nnumber_style = vn\n", 2, 16, "unknown number style 'vn' (expected vi, en or auto)" },
	{ "[report]\nencoding = latin9\n", 2, 12, "unknown encoding 'latin9' (expected utf-8, cp1258 or tcvn3)" },
	{ "[report]\naudit_margin_pct = 5%\n", 2, 20,
	  "bad audit_margin_pct '5%' (expected a percentage >= 0 such as 5 or 2.5)" },
	{ "[report]\naudit_margin_pct = -1\n", 2, 20,
	  "bad audit_margin_pct '-1' (expected a percentage >= 0 such as 5 or 2.5)" },
	{ "[report]\naudit_margin_pct = 2.\n", 2, 20,
	  "bad audit_margin_pct '2.' (expected a percentage >= 0 such as 5 or 2.5)" },
	{ "[report]\naudit_margin_abs = 2.5\n", 2, 20,
	  "bad audit_margin_abs '2.5' (expected a whole number of pupils >= 0)" },
	{ "[report]\naudit_margin_abs = 1000000\n", 2, 20,
	  "bad audit_margin_abs '1000000' (expected a whole number of pupils >= 0)" },
	{ "[report]\nreference_date = 2025-02-29\n", 2, 18,
	  "bad reference_date '2025-02-29' (expected a date YYYY-MM-DD such as 2025-05-31)" },
	{ "[report]\nreference_date = 31/05/2025\n", 2, 18,
	  "bad reference_date '31/05/2025' (expected a date YYYY-MM-DD such as 2025-05-31)" },
	{ "[report]\nunit = \"Hòa Bình\n", 2, 8, "unclosed quote (expected a closing '\"')" },
	{ "[report]\nunit = \"Hòa\" Bình\n", 2, 14,
	  "text after a quoted value (expected the end of the line or a comment)" },
	{ "[report]\nunit = H\xF2\x61 B\xECnh\n", 2, 8,
	  "bad unit 'H\\xF2a B\\xECnh' (expected UTF-8 text without control characters)" },
	{ "[report]\nunit = \"a\tb\"\n", 2, 9,
	  "bad unit 'a\tb' (expected UTF-8 text without control characters)" },
	/* columns count characters, not bytes */
	{ "[report]\nunit = Hòa\nyear = x\n", 3, 8,
	  "bad year 'x' (expected a school year such as 2024-2025)" },
};

static void test_config_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof ini_errs / sizeof ini_errs[0]; i++) {
		run_config c;
		ss_error e;

		run_config_init(&c);
		err_clear(&e);
		assert_int_equal(run_config_parse(&c, ini_errs[i].text,
						  strlen(ini_errs[i].text), "x.ini", NULL, &e),
				 SS_EDATA);
		check_str(ini_errs[i].text, e.msg, ini_errs[i].msg);
		check_str("file", e.file, "x.ini");
		if (e.line != ini_errs[i].line || e.column != ini_errs[i].col)
			fail_msg("%s: at %ld:%ld, want %ld:%ld", ini_errs[i].text, e.line,
				 e.column, ini_errs[i].line, ini_errs[i].col);
		run_config_release(&c);
	}
}

static void test_config_set_and_check(void **state)
{
	static const struct {
		const char *key, *value;
		ss_status st;
		const char *msg;
	} sets[] = {
		{ "year", "2024-2025", SS_OK, NULL },
		{ "audit_margin_pct", "2.5", SS_OK, NULL },
		{ "audit_margin_abs", "0", SS_OK, NULL },
		{ "reference_date", "2024-02-29", SS_OK, NULL },
		{ "number_style", "auto", SS_OK, NULL },
		{ "strict", "off", SS_OK, NULL },
		{ "output", "rel/out", SS_OK, NULL },
		{ "colour", "red", SS_EUSAGE,
		  "unknown key 'colour' (expected unit, year, input, output, number_style, encoding, norms, strict, audit_margin_pct, audit_margin_abs or reference_date)" },
		{ "year", "24-25", SS_EUSAGE,
		  "bad year '24-25' (expected a school year such as 2024-2025)" },
	};
	static const struct {
		const char *input, *output;
		const char *msg; /* NULL: accepted */
	} checks[] = {
		{ "in", "out", NULL },
		{ "in", "a/out/", NULL },
		{ NULL, "out", "no input directory (expected --input DIR or input = DIR in the config)" },
		{ "in", NULL, "no output directory (expected --output DIR or output = DIR in the config)" },
		{ "in", "/", "output '/' cannot be replaced as a whole (expected a path that ends in a directory name)" },
		{ "in", ".", "output '.' cannot be replaced as a whole (expected a path that ends in a directory name)" },
		{ "in", "a/..", "output 'a/..' cannot be replaced as a whole (expected a path that ends in a directory name)" },
		{ "in", "a/./", "output 'a/./' cannot be replaced as a whole (expected a path that ends in a directory name)" },
	};
	run_config c;
	ss_error e;

	(void)state;
	run_config_init(&c);
	c.strict = 1;
	c.number_style = strdup("vi");
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		err_clear(&e);
		assert_int_equal(run_config_set(&c, sets[i].key, sets[i].value, &e),
				 sets[i].st);
		if (sets[i].msg)
			check_str(sets[i].key, e.msg, sets[i].msg);
	}
	check_str("year", c.year, "2024-2025");
	assert_null(c.number_style);  /* auto = detect */
	assert_int_equal(c.strict, 0);
	check_str("command-line paths are used as given", c.output, "rel/out");
	run_config_release(&c);

	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		run_config_init(&c);
		c.input = checks[i].input ? strdup(checks[i].input) : NULL;
		c.output = checks[i].output ? strdup(checks[i].output) : NULL;
		err_clear(&e);
		assert_int_equal(run_config_check(&c, &e),
				 checks[i].msg ? SS_EUSAGE : SS_OK);
		if (checks[i].msg)
			check_str("check", e.msg, checks[i].msg);
		run_config_release(&c);
	}
}

static void test_config_load(void **state)
{
	char *dir = tmpdir_make(), *ini = path2(dir, "ward.ini");
	run_config c;
	ss_error e;

	(void)state;
	put_file(dir, "ward.ini", "[report]\ninput = tables\nnorms = /etc/norms.csv\n");
	run_config_init(&c);
	err_clear(&e);
	assert_int_equal(run_config_load(&c, ini, &e), SS_OK);
	check_str("config path", c.config_path, ini);
	{
		char *want = path2(dir, "tables");

		check_str("input beside the file", c.input, want);
		free(want);
	}
	check_str("absolute norms", c.norms, "/etc/norms.csv");
	run_config_release(&c);
	free(ini);
	ini = path2(dir, "none.ini");
	run_config_init(&c);
	assert_int_equal(run_config_load(&c, ini, &e), SS_EIO);
	check_str("missing", e.msg, "cannot open: No such file or directory");
	run_config_release(&c);
	free(ini);
	tmpdir_free(dir);
}

/* ------------------------------------------------------------ stages */

static void test_stage_table(void **state)
{
	static const char *const names[] = { "ingest", "indicators", "norms", "gaps",
					     "audit", "accreditation", "charts",
					     "report" };
	size_t n;
	const run_stage_def *s = run_stages(&n);

	(void)state;
	assert_int_equal(n, 8);
	for (size_t i = 0; i < n; i++) {
		check_str("order", s[i].name, names[i]);
		assert_int_equal(s[i].exit_code, 10 + (int)i);
		assert_ptr_equal(run_stage_find(names[i]), &s[i]);
	}
	assert_null(run_stage_find("run"));
	check_str("status", run_stage_status_name(RUN_STAGE_REUSED), "reused");
	assert_int_equal(run_stage_status_from_name("absent"), RUN_STAGE_ABSENT);
	assert_int_equal(run_stage_status_from_name("bogus"), RUN_STAGE_PENDING);
	assert_int_equal(run_stage_status_from_name(NULL), RUN_STAGE_PENDING);
}

static void join_args(const run_strv *l, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? "|" : "",
			 l->v[i]);
}

static void test_stage_args(void **state)
{
	static const struct {
		const char *stage;
		int full;      /* with every setting */
		const char *want;
	} cases[] = {
		{ "ingest", 0, "in" },
		{ "ingest", 1, "--number-style|vi|--encoding|tcvn3|--strict|in" },
		{ "indicators", 1, "" },
		{ "norms", 0, "--norms|data/norms.csv" },
		{ "norms", 1, "--norms|n.csv" },
		{ "charts", 0, "" },
		{ "charts", 1, "--year|2024-2025" },
		{ "report", 1, "--unit|Xã A|--year|2024-2025" },
		{ "accreditation", 0, "" },
		{ "accreditation", 1, "--reference-date|2025-05-31" },
		{ "audit", 0, "" },
		{ "audit", 1, "--margin-pct|2.5|--margin-abs|3" },
		{ "gaps", 1, "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_config c;
		run_strv args;
		char got[256];
		ss_error e;

		run_config_init(&c);
		c.input = strdup("in");
		if (cases[i].full) {
			c.number_style = strdup("vi");
			c.encoding = strdup("tcvn3");
			c.strict = 1;
			c.norms = strdup("n.csv");
			c.year = strdup("2024-2025");
			c.unit = strdup("Xã A");
			c.audit_margin_pct = strdup("2.5");
			c.audit_margin_abs = strdup("3");
			c.reference_date = strdup("2025-05-31");
		}
		run_strv_init(&args);
		err_clear(&e);
		assert_int_equal(run_stage_args(run_stage_find(cases[i].stage), &c, &args, &e),
				 SS_OK);
		join_args(&args, got, sizeof got);
		check_str(cases[i].stage, got, cases[i].want);
		run_strv_release(&args);
		run_config_release(&c);
	}
}

static const char sha_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char sha_b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/* A record as the engine fills it before deciding. */
static void base_rec(run_stage_rec *r)
{
	run_stage_rec_init(r);
	r->stage = strdup("gaps");
	r->binary = strdup("bin/schoolstat-gaps");
	r->status = RUN_STAGE_RERUN;
	r->reusable = 1;
	memcpy(r->binary_sha256, sha_a, sizeof sha_a);
	run_strv_add(&r->args, "--quiet", NULL);
	run_files_add(&r->inputs, "indicators.csv", sha_a, -1, 0, NULL);
	run_files_add(&r->inputs, "clean/targets.csv", sha_b, -1, 0, NULL);
	run_files_add(&r->inputs, "clean/sources.csv", "", -1, 0, NULL);
	assert_int_equal(run_stage_key(r, NULL), SS_OK);
}

enum { MUT_NONE, MUT_NO_PREV, MUT_PREV_FAILED, MUT_PREV_ABSENT, MUT_NOT_REUSABLE,
       MUT_BINARY, MUT_ARGS, MUT_ENV, MUT_INPUT_CHANGED, MUT_INPUT_APPEARED,
       MUT_INPUT_GONE, MUT_INPUT_DROPPED, MUT_INPUT_ADDED, MUT_KEY_ONLY,
       MUT_ORDER };

static void test_decide(void **state)
{
	static const struct {
		int mut;
		run_decision d;
		const char *why;
	} cases[] = {
		{ MUT_NONE, RUN_DECIDE_REUSE, "" },
		{ MUT_ORDER, RUN_DECIDE_REUSE, "" },
		{ MUT_NO_PREV, RUN_DECIDE_RERUN, "no previous run" },
		{ MUT_PREV_FAILED, RUN_DECIDE_RERUN, "failed last time" },
		{ MUT_PREV_ABSENT, RUN_DECIDE_RERUN, "absent last time" },
		{ MUT_NOT_REUSABLE, RUN_DECIDE_RERUN,
		  "its last run cannot be reused (it changed files of earlier stages or outside its own, or an input changed while it ran)" },
		{ MUT_BINARY, RUN_DECIDE_RERUN, "program bin/schoolstat-gaps changed" },
		{ MUT_ARGS, RUN_DECIDE_RERUN, "options changed" },
		{ MUT_ENV, RUN_DECIDE_RERUN, "environment changed" },
		{ MUT_INPUT_CHANGED, RUN_DECIDE_RERUN, "clean/targets.csv changed" },
		{ MUT_INPUT_APPEARED, RUN_DECIDE_RERUN, "clean/sources.csv appeared" },
		{ MUT_INPUT_GONE, RUN_DECIDE_RERUN, "indicators.csv disappeared" },
		{ MUT_INPUT_DROPPED, RUN_DECIDE_RERUN, "clean/sources.csv is no longer read" },
		{ MUT_INPUT_ADDED, RUN_DECIDE_RERUN, "norms.csv is now read" },
		{ MUT_KEY_ONLY, RUN_DECIDE_RERUN, "stage key changed" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_stage_rec prev, cur;
		char why[256] = "";
		int m = cases[i].mut;

		base_rec(&prev);
		base_rec(&cur);
		switch (m) {
		case MUT_PREV_FAILED: prev.status = RUN_STAGE_FAILED; break;
		case MUT_PREV_ABSENT: prev.status = RUN_STAGE_ABSENT; break;
		case MUT_NOT_REUSABLE: prev.reusable = 0; break;
		case MUT_BINARY: cur.binary_sha256[0] = 'c'; break;
		case MUT_ARGS: run_strv_add(&cur.args, "x", NULL); break;
		case MUT_ENV: run_strv_add(&cur.env, "SOURCE_DATE_EPOCH=1", NULL); break;
		case MUT_INPUT_CHANGED:
			memcpy(cur.inputs.v[1].sha256, sha_a, sizeof sha_a);
			break;
		case MUT_INPUT_APPEARED:
			memcpy(cur.inputs.v[0].sha256, sha_a, sizeof sha_a);
			break;
		case MUT_INPUT_GONE:
			cur.inputs.v[2].sha256[0] = '\0';
			break;
		case MUT_INPUT_DROPPED:
			/* sorted: clean/sources.csv, clean/targets.csv, indicators.csv */
			free(cur.inputs.v[0].path);
			cur.inputs.v[0] = cur.inputs.v[2];
			cur.inputs.n = 2;
			run_files_sort(&cur.inputs);
			break;
		case MUT_INPUT_ADDED:
			run_files_add(&cur.inputs, "norms.csv", sha_a, -1, 0, NULL);
			break;
		case MUT_KEY_ONLY: cur.key[0] = cur.key[0] == '0' ? '1' : '0'; break;
		case MUT_ORDER: {
			/* the previous list read back from a file in another order */
			run_file t = prev.inputs.v[0];

			prev.inputs.v[0] = prev.inputs.v[2];
			prev.inputs.v[2] = t;
			break;
		}
		default: break;
		}
		if (m != MUT_KEY_ONLY)
			assert_int_equal(run_stage_key(&cur, NULL), SS_OK);
		assert_int_equal(run_decide(m == MUT_NO_PREV ? NULL : &prev, &cur, why,
					    sizeof why), cases[i].d);
		if (cases[i].d == RUN_DECIDE_RERUN)
			check_str("why", why, cases[i].why);
		/* settled without the inputs exactly when the reason is not
		   about them: the driver then hashes them beside the stage */
		{
			char why2[256] = "";
			int settled = m == MUT_NO_PREV || m == MUT_PREV_FAILED ||
				      m == MUT_PREV_ABSENT || m == MUT_NOT_REUSABLE ||
				      m == MUT_BINARY || m == MUT_ARGS || m == MUT_ENV;

			assert_int_equal(run_decide_settled(m == MUT_NO_PREV ? NULL : &prev,
							    &cur, why2, sizeof why2),
					 settled);
			if (settled)
				check_str("settled why", why2, cases[i].why);
		}
		run_stage_rec_release(&prev);
		run_stage_rec_release(&cur);
	}
}

/* The key changes with every part and not with the input order. */
static void test_stage_key(void **state)
{
	run_stage_rec a, b;

	(void)state;
	base_rec(&a);
	base_rec(&b);
	check_str("same record, same key", a.key, b.key);
	/* "ab" + "c" must not collide with "a" + "bc" */
	run_strv_release(&a.args);
	run_strv_release(&b.args);
	run_strv_add(&a.args, "ab", NULL);
	run_strv_add(&a.args, "c", NULL);
	run_strv_add(&b.args, "a", NULL);
	run_strv_add(&b.args, "bc", NULL);
	run_stage_key(&a, NULL);
	run_stage_key(&b, NULL);
	assert_true(strcmp(a.key, b.key) != 0);
	run_stage_rec_release(&a);
	run_stage_rec_release(&b);
	base_rec(&a);
	base_rec(&b);
	b.inputs.v[0].external = 1;  /* a file outside the tree of that name */
	run_stage_key(&b, NULL);
	assert_true(strcmp(a.key, b.key) != 0);
	run_stage_rec_release(&a);
	run_stage_rec_release(&b);
}

/* ------------------------------------------------------------ manifest */

static void small_manifest(run_manifest *m)
{
	run_stage_rec *r;

	run_manifest_init(m);
	m->version = strdup("1.2.3");
	snprintf(m->started, sizeof m->started, "2025-06-01T02:00:00Z");
	snprintf(m->finished, sizeof m->finished, "2025-06-01T02:00:09Z");
	m->input_dir = strdup("in, \"x\"");
	m->output_dir = strdup("out");
	m->unit = strdup("Xã A");
	m->norms = strdup("n.csv");
	memcpy(m->norms_sha256, sha_b, sizeof sha_b);
	m->ntables = 2;
	m->tables = calloc(2, sizeof *m->tables);
	m->tables[0].table = strdup("schools.csv");
	m->tables[0].path = strdup("in/schools.csv");
	m->tables[0].present = 1;
	memcpy(m->tables[0].sha256, sha_a, sizeof sha_a);
	m->tables[0].bytes = 10;
	m->tables[0].rows_read = 3;
	m->tables[0].rows_accepted = 2;
	m->tables[0].rows_rejected = 1;
	m->tables[1].table = strdup("targets.csv");
	m->tables[1].path = strdup("in/targets.csv");
	m->tables[1].bytes = m->tables[1].rows_read = m->tables[1].rows_accepted =
		m->tables[1].rows_rejected = -1;
	m->nerrors = 1;
	m->nwarnings = 4;
	m->nrejected = 1;
	m->nstages = 1;
	m->stages = calloc(1, sizeof *m->stages);
	r = &m->stages[0];
	run_stage_rec_init(r);
	r->stage = strdup("ingest");
	r->status = RUN_STAGE_RERUN;
	r->seconds = 0.25;
	r->why = strdup("no previous run");
	r->exit_status = 0;
	r->binary = strdup("b/schoolstat-ingest");
	memcpy(r->binary_sha256, sha_a, sizeof sha_a);
	memcpy(r->key, sha_b, sizeof sha_b);
	r->reusable = 1;
	run_strv_add(&r->args, "in", NULL);
	run_files_add(&r->inputs, "in/schools.csv", sha_a, 10, 1, NULL);
	run_files_add(&r->inputs, "in/targets.csv", "", -1, 1, NULL);
	run_files_add(&r->outputs, "clean/schools.csv", sha_b, 7, 0, NULL);
	r->vmode = RUN_VAL_APPEND;
	r->voffset = 0;
	r->vbytes = 40;
	memcpy(r->vsha256, sha_a, sizeof sha_a);
	run_files_add(&m->outputs, "clean/schools.csv", sha_b, 7, 0, NULL);
	run_files_add(&m->outputs, "validation.csv", sha_a, 40, 0, NULL);
	run_strv_add(&m->kept, "README.md", NULL);
}

#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B64 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char want_json[] =
	"{\n"
	"  \"program\": \"schoolstat-run\",\n"
	"  \"version\": \"1.2.3\",\n"
	"  \"started\": \"2025-06-01T02:00:00Z\",\n"
	"  \"finished\": \"2025-06-01T02:00:09Z\",\n"
	"  \"config\": null,\n"
	"  \"input_dir\": \"in, \\\"x\\\"\",\n"
	"  \"output_dir\": \"out\",\n"
	"  \"settings\": {\n"
	"    \"unit\": \"Xã A\",\n"
	"    \"year\": null,\n"
	"    \"number_style\": null,\n"
	"    \"encoding\": null,\n"
	"    \"norms\": \"n.csv\",\n"
	"    \"norms_sha256\": \"" B64 "\",\n"
	"    \"strict\": false\n"
	"  },\n"
	"  \"input_tables\": [\n"
	"    {\"table\": \"schools.csv\", \"path\": \"in/schools.csv\", \"present\": true, \"sha256\": \"" A64 "\", \"bytes\": 10, \"rows_read\": 3, \"rows_accepted\": 2, \"rows_rejected\": 1},\n"
	"    {\"table\": \"targets.csv\", \"path\": \"in/targets.csv\", \"present\": false, \"sha256\": null, \"bytes\": null, \"rows_read\": null, \"rows_accepted\": null, \"rows_rejected\": null}\n"
	"  ],\n"
	"  \"validation\": {\"errors\": 1, \"warnings\": 4},\n"
	"  \"rejected_rows\": 1,\n"
	"  \"stages\": [\n"
	"    {\n"
	"      \"stage\": \"ingest\",\n"
	"      \"status\": \"rerun\",\n"
	"      \"seconds\": 0.250,\n"
	"      \"why\": \"no previous run\",\n"
	"      \"exit_status\": 0,\n"
	"      \"program\": \"b/schoolstat-ingest\",\n"
	"      \"program_sha256\": \"" A64 "\",\n"
	"      \"args\": [\"in\"],\n"
	"      \"env\": [],\n"
	"      \"key\": \"" B64 "\",\n"
	"      \"reusable\": true,\n"
	"      \"inputs\": [\n"
	"        {\"path\": \"in/schools.csv\", \"from\": \"file\", \"sha256\": \"" A64 "\"},\n"
	"        {\"path\": \"in/targets.csv\", \"from\": \"file\", \"sha256\": null}\n"
	"      ],\n"
	"      \"outputs\": [\n"
	"        {\"path\": \"clean/schools.csv\", \"sha256\": \"" B64 "\", \"bytes\": 7}\n"
	"      ],\n"
	"      \"validation\": {\"mode\": \"append\", \"offset\": 0, \"bytes\": 40, \"sha256\": \"" A64 "\"}\n"
	"    }\n"
	"  ],\n"
	"  \"outputs\": [\n"
	"    {\"path\": \"clean/schools.csv\", \"sha256\": \"" B64 "\", \"bytes\": 7},\n"
	"    {\"path\": \"validation.csv\", \"sha256\": \"" A64 "\", \"bytes\": 40}\n"
	"  ],\n"
	"  \"kept\": [\"README.md\"]\n"
	"}\n";

static void test_manifest_write_read(void **state)
{
	run_manifest m, back;
	run_buf b;
	const run_stage_rec *r;
	ss_error e;

	(void)state;
	small_manifest(&m);
	run_buf_init(&b);
	run_manifest_write_json(&m, &b);
	assert_false(b.failed);
	check_str("manifest.json", run_buf_str(&b), want_json);

	run_manifest_init(&back);
	err_clear(&e);
	assert_int_equal(run_manifest_parse(&back, b.data, b.len, "m", &e), SS_OK);
	check_str("version", back.version, "1.2.3");
	check_str("started", back.started, "2025-06-01T02:00:00Z");
	check_str("input_dir", back.input_dir, "in, \"x\"");
	assert_null(back.config_path);
	assert_int_equal(back.nstages, 1);
	r = run_manifest_stage(&back, "ingest");
	assert_non_null(r);
	assert_null(run_manifest_stage(&back, "gaps"));
	assert_int_equal(r->status, RUN_STAGE_RERUN);
	assert_int_equal(r->reusable, 1);
	assert_int_equal(r->exit_status, 0);
	check_str("program", r->binary, "b/schoolstat-ingest");
	check_str("key", r->key, sha_b);
	assert_int_equal(r->args.n, 1);
	assert_int_equal(r->inputs.n, 2);
	assert_int_equal(r->inputs.v[1].external, 1);
	check_str("absent input", r->inputs.v[1].sha256, "");
	assert_int_equal(r->outputs.n, 1);
	assert_int_equal(r->outputs.v[0].bytes, 7);
	assert_int_equal(r->vmode, RUN_VAL_APPEND);
	assert_int_equal(r->vbytes, 40);
	assert_int_equal(back.outputs.n, 2);
	assert_int_equal(back.kept.n, 1);
	/* what was written and read back decides like the original */
	{
		char why[128];

		assert_int_equal(run_decide(r, &m.stages[0], why, sizeof why),
				 RUN_DECIDE_REUSE);
	}
	run_manifest_release(&back);
	run_manifest_release(&m);
	run_buf_release(&b);
}

static void test_manifest_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "[]", "no \"stages\" list (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": {}}", "no \"stages\" list (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": [1]}", "stage 1: not an object (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": [{}]}", "stage 1: no \"stage\" name (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": [{\"stage\": \"x\", \"key\": \"abc\"}]}",
		  "stage 1: bad \"program_sha256\" or \"key\" (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": [{\"stage\": \"x\"}]}",
		  "stage 1: bad \"args\" (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": [{\"stage\": \"x\", \"args\": [], \"env\": [], \"inputs\": [], \"outputs\": [{\"sha256\": null}]}]}",
		  "stage 1: bad \"outputs\" (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": [{\"stage\": \"x\", \"args\": [], \"env\": [], \"inputs\": [], \"outputs\": [], \"validation\": {\"mode\": \"append\", \"offset\": -1, \"bytes\": 0, \"sha256\": null}}]}",
		  "stage 1: bad \"validation\" (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": [], \"outputs\": 3}",
		  "bad \"outputs\" list (expected a manifest written by schoolstat-run)" },
		{ "{\"stages\": [], \"outputs\": [], \"kept\": [1]}",
		  "bad \"kept\" list (expected a manifest written by schoolstat-run)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_manifest m;
		ss_error e;

		run_manifest_init(&m);
		err_clear(&e);
		assert_int_equal(run_manifest_parse(&m, cases[i].text, strlen(cases[i].text),
						    "m.json", &e), SS_EDATA);
		check_str(cases[i].text, e.msg, cases[i].msg);
		run_manifest_release(&m);
	}
}

static void test_run_info(void **state)
{
	static const char want[] =
		"key,value\n"
		"program,schoolstat-run\n"
		"version,1.2.3\n"
		"input_dir,\"in, \"\"x\"\"\"\n"
		"norms,n.csv\n"
		"norms_sha256," B64 "\n"
		"validation_errors,1\n"
		"validation_warnings,4\n"
		"rejected_rows,1\n"
		"tables,1\n"
		"table:schools.csv:path,in/schools.csv\n"
		"table:schools.csv:sha256," A64 "\n"
		"table:schools.csv:rows_read,3\n"
		"table:schools.csv:rows_accepted,2\n"
		"table:schools.csv:rows_rejected,1\n";
	run_manifest m;
	run_buf b;

	(void)state;
	small_manifest(&m);
	m.nwarnings = 4;
	run_buf_init(&b);
	run_info_write_csv(&m, &b);
	check_str("run_info.csv", run_buf_str(&b), want);
	run_buf_release(&b);
	/* unknown counts are empty fields */
	m.nerrors = -1;
	run_buf_init(&b);
	run_info_write_csv(&m, &b);
	assert_non_null(strstr(run_buf_str(&b), "\nvalidation_errors,\n"));
	run_buf_release(&b);
	run_manifest_release(&m);
}

static void test_iso_time(void **state)
{
	static const struct {
		long long t;
		const char *iso;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },   /* leap day */
		{ 1748736000, "2025-06-01T00:00:00Z" },
		{ 4102444799LL, "2099-12-31T23:59:59Z" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_iso_time(cases[i].t, buf);
		check_str("iso", buf, cases[i].iso);
	}
}

/* ------------------------------------------------------------ files */

static void test_path_join(void **state)
{
	static const struct {
		const char *dir, *name, *want;
	} cases[] = {
		{ "a", "b", "a/b" }, { "a/", "b", "a/b" }, { "/", "b", "/b" },
		{ "", "b", "b" }, { NULL, "b", "b" }, { "a/b", "c/d", "a/b/c/d" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *p = run_path_join(cases[i].dir, cases[i].name);

		check_str("join", p, cases[i].want);
		free(p);
	}
}

static void test_files(void **state)
{
	char *dir = tmpdir_make(), *src, *dst, *link;
	run_files l;
	char hex[RUN_SHA256_HEX];
	long long bytes;
	struct stat sa, sb;
	ss_error e;

	(void)state;
	err_clear(&e);
	put_file(dir, "abc", "abc");
	src = path2(dir, "sub");
	assert_int_equal(mkdir(src, 0755), 0);
	free(src);
	put_file(dir, "sub/z.txt", "");
	put_file(dir, "a b", "x");
	link = path2(dir, "link");
	assert_int_equal(symlink("abc", link), 0);
	free(link);

	/* scan: regular files, sorted in byte order, links skipped */
	run_files_init(&l);
	assert_int_equal(run_scan_tree(dir, &l, &e), SS_OK);
	assert_int_equal(l.n, 3);
	check_str("0", l.v[0].path, "a b");
	check_str("1", l.v[1].path, "abc");
	check_str("2", l.v[2].path, "sub/z.txt");
	check_str("abc hash", l.v[1].sha256, sha_cases[0].hex);
	assert_int_equal(l.v[1].bytes, 3);
	check_str("empty hash", l.v[2].sha256, sha_cases[3].hex);
	assert_non_null(run_files_find(&l, "abc", 0));
	assert_null(run_files_find(&l, "abc", 1));
	run_files_release(&l);

	/* copy: same bytes, mode and mtime, parents made, never over a file */
	src = path2(dir, "abc");
	dst = path2(dir, "new/deep/abc");
	assert_int_equal(chmod(src, 0640), 0);
	assert_int_equal(run_copy_file(src, dst, hex, &bytes, &e), SS_OK);
	check_str("copied hash", hex, sha_cases[0].hex);
	assert_int_equal(bytes, 3);
	assert_int_equal(stat(src, &sa), 0);
	assert_int_equal(stat(dst, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_true(sa.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
		    sa.st_mtim.tv_nsec == sb.st_mtim.tv_nsec);
	assert_int_equal(run_copy_file(src, dst, hex, &bytes, &e), SS_EIO);
	check_str("exists", e.msg, "cannot create: File exists");
	free(dst);
	dst = path2(dir, "missing");
	assert_int_equal(run_copy_file(dst, src, NULL, NULL, &e), SS_EIO);
	check_str("missing source", e.file, dst);
	free(dst);

	/* copy a tree, then remove it without following the link into dir */
	dst = path2(dir, "copy");
	link = path2(dir, "sub/up");
	assert_int_equal(symlink("..", link), 0);
	free(link);
	free(src);
	src = path2(dir, "sub");
	assert_int_equal(run_copy_tree(src, dst, &e), SS_OK);
	assert_true(file_exists(dir, "copy/z.txt"));
	assert_true(file_exists(dir, "copy/up"));
	assert_int_equal(run_remove_tree(dst, &e), SS_OK);
	assert_false(file_exists(dir, "copy"));
	assert_true(file_exists(dir, "abc"));
	assert_int_equal(run_remove_tree(dst, &e), SS_OK);  /* gone: fine */
	free(src);
	free(dst);
	tmpdir_free(dir);
}

/* ------------------------------------------------------------ engine */

/* A temporary pipeline: root/bin with shell-script stages, root/in with
 * one table, the output root/out. */
typedef struct rig {
	char *root, *bin, *in, *out;
	run_config c;
	run_buf events;   /* "stage:status " for each stage event */
	run_buf notes;
	char why[512];    /* of the last event that had one */
} rig;

static void ev_stage(void *ctx, const run_stage_event *ev)
{
	rig *r = ctx;

	run_buf_printf(&r->events, "%s:%s ", ev->stage,
		       run_stage_status_name(ev->status));
	if (ev->why && ev->status != RUN_STAGE_ABSENT)
		snprintf(r->why, sizeof r->why, "%s: %s", ev->stage, ev->why);
}

static void ev_note(void *ctx, const char *msg)
{
	rig *r = ctx;

	run_buf_printf(&r->notes, "%s\n", msg);
}

static void stage_script(rig *r, const char *stage, const char *body)
{
	char name[64];
	char *text = malloc(strlen(body) + 64), *p;

	assert_non_null(text);
	snprintf(name, sizeof name, "schoolstat-%s", stage);
	/* the output directory is the last argument */
	sprintf(text, "#!/bin/sh\nfor o; do :; done\nset -e\n%s\n", body);
	put_file(r->bin, name, text);
	p = path2(r->bin, name);
	assert_int_equal(chmod(p, 0755), 0);
	free(p);
	free(text);
}

static const char ingest_body[] =
	"mkdir -p \"$o/clean\"\n"
	"cp \"$1/schools.csv\" \"$o/clean/schools.csv\"\n"
	"printf 'severity,code,file,line,column,message\\nwarning,w1,schools.csv,2,1,from ingest\\n' >\"$o/validation.csv\"\n"
	"printf 'file,line,reason,raw\\n' >\"$o/rejects.csv\"";
static const char indicators_body[] =
	"tr a-z A-Z <\"$o/clean/schools.csv\" >\"$o/indicators.csv\"\n"
	"printf 'error,e2,x,0,0,from indicators\\n' >>\"$o/validation.csv\"";

static void rig_init(rig *r)
{
	memset(r, 0, sizeof *r);
	r->root = tmpdir_make();
	r->bin = path2(r->root, "bin");
	r->in = path2(r->root, "in");
	r->out = path2(r->root, "out");
	assert_int_equal(mkdir(r->bin, 0755), 0);
	assert_int_equal(mkdir(r->in, 0755), 0);
	put_file(r->in, "schools.csv", "school_id\nab\n");
	stage_script(r, "ingest", ingest_body);
	stage_script(r, "indicators", indicators_body);
	run_config_init(&r->c);
	r->c.input = strdup(r->in);
	r->c.output = strdup(r->out);
	r->c.bin_dir = strdup(r->bin);
	run_buf_init(&r->events);
	run_buf_init(&r->notes);
}

static void rig_release(rig *r)
{
	run_config_release(&r->c);
	run_buf_release(&r->events);
	run_buf_release(&r->notes);
	free(r->bin);
	free(r->in);
	free(r->out);
	tmpdir_free(r->root);
}

static int work_dirs_left(const rig *r)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd,
		 "for d in '%s'.tmp.??????; do [ -d \"$d\" ] && exit 0; done; exit 1",
		 r->out);
	return system(cmd) == 0;
}

/* Runs and returns the events; the outcome must be want. */
static const char *rig_run(rig *r, run_outcome want, ss_status want_st)
{
	run_hooks h = { ev_note, ev_stage, r };
	run_result res;
	ss_error e;
	ss_status st;

	r->events.len = 0;
	if (r->events.data)
		r->events.data[0] = '\0';
	r->notes.len = 0;
	if (r->notes.data)
		r->notes.data[0] = '\0';
	r->why[0] = '\0';
	err_clear(&e);
	st = run_execute(&r->c, &h, &res, &e);
	if (st != want_st || res.outcome != want)
		fail_msg("status %d outcome %d (want %d, %d): %s: %s", st, res.outcome,
			 want_st, want, e.file, e.msg);
	/* never a work directory left behind */
	if (work_dirs_left(r))
		fail_msg("a work directory is left beside %s", r->out);
	return run_buf_str(&r->events);
}

#define ABSENT6 "norms:absent gaps:absent audit:absent accreditation:absent charts:absent report:absent "

static void test_engine_incremental(void **state)
{
	rig r;
	char *v1, *v2, *m;

	(void)state;
	rig_init(&r);
	check_str("first run", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:rerun indicators:rerun " ABSENT6);
	check_str("first why", r.why, "indicators: no previous run");
	assert_false(work_dirs_left(&r));
	v1 = get_file(r.out, "validation.csv");
	check_str("validation.csv: ingest's, then indicators' line", v1,
		  "severity,code,file,line,column,message\n"
		  "warning,w1,schools.csv,2,1,from ingest\n"
		  "error,e2,x,0,0,from indicators\n");
	m = get_file(r.out, "indicators.csv");
	check_str("indicators.csv", m, "SCHOOL_ID\nAB\n");
	free(m);
	m = get_file(r.out, "run_info.csv");
	assert_non_null(strstr(m, "\nvalidation_errors,1\nvalidation_warnings,1\nrejected_rows,0\n"));
	free(m);
	assert_true(file_exists(r.root, "out.lock"));

	/* unchanged: nothing runs, validation.csv rebuilt byte for byte */
	check_str("second run", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:reused indicators:reused " ABSENT6);
	v2 = get_file(r.out, "validation.csv");
	check_str("validation.csv rebuilt", v2, v1);
	free(v2);

	/* an input that changes content reruns what depends on it */
	put_file(r.in, "schools.csv", "school_id\ncd\n");
	check_str("changed input", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:rerun indicators:rerun " ABSENT6);
	assert_non_null(strstr(r.why, "indicators: clean/schools.csv changed"));
	m = get_file(r.out, "indicators.csv");
	check_str("indicators.csv", m, "SCHOOL_ID\nCD\n");
	free(m);

	/* an output edited by hand is not reused */
	put_file(r.out, "indicators.csv", "edited\n");
	check_str("edited output", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:reused indicators:rerun " ABSENT6);
	check_str("why", r.why,
		  "indicators: its previous output indicators.csv was changed after the last run");
	m = get_file(r.out, "indicators.csv");
	check_str("indicators.csv rebuilt", m, "SCHOOL_ID\nCD\n");
	free(m);

	/* a new stage program reruns that stage */
	stage_script(&r, "indicators", "tr a-z A-Z <\"$o/clean/schools.csv\" >\"$o/indicators.csv\"");
	check_str("new program", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:reused indicators:rerun " ABSENT6);
	assert_non_null(strstr(r.why, "indicators: program "));
	m = get_file(r.out, "validation.csv");
	check_str("no indicators warning now", m,
		  "severity,code,file,line,column,message\n"
		  "warning,w1,schools.csv,2,1,from ingest\n");
	free(m);

	/* an unreadable manifest: every stage runs, with a note */
	put_file(r.out, "manifest.json", "{broken");
	check_str("broken manifest", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:rerun indicators:rerun " ABSENT6);
	assert_non_null(strstr(run_buf_str(&r.notes), "every stage runs: "));
	free(v1);
	rig_release(&r);
}

static void test_engine_failure_keeps_outputs(void **state)
{
	rig r;
	char *before, *after;
	run_hooks h;
	run_result res;
	ss_error e;

	(void)state;
	rig_init(&r);
	rig_run(&r, RUN_OUT_OK, SS_OK);
	before = get_file(r.out, "manifest.json");
	put_file(r.in, "schools.csv", "school_id\nzz\n");
	stage_script(&r, "norms", "echo 'n.csv:3:1: error: broken' >&2\nexit 3");
	h.note = ev_note;
	h.stage = ev_stage;
	h.ctx = &r;
	err_clear(&e);
	assert_int_equal(run_execute(&r.c, &h, &res, &e), SS_OK);
	assert_int_equal(res.outcome, RUN_OUT_STAGE_FAILED);
	check_str("failed stage", res.failed->name, "norms");
	assert_int_equal(res.failed->exit_code, 12);
	check_str("why", r.why, "norms: exit status 3");
	after = get_file(r.out, "manifest.json");
	check_str("previous manifest kept", after, before);
	free(after);
	after = get_file(r.out, "indicators.csv");
	check_str("previous outputs kept", after, "SCHOOL_ID\nAB\n");
	free(after);
	assert_false(work_dirs_left(&r));

	/* killed by a signal: named too */
	stage_script(&r, "norms", "kill -KILL $$");
	err_clear(&e);
	assert_int_equal(run_execute(&r.c, &h, &res, &e), SS_OK);
	assert_int_equal(res.outcome, RUN_OUT_STAGE_FAILED);
	check_str("why", r.why, "norms: killed by signal 9 (SIGKILL)");
	free(before);
	rig_release(&r);
}

static void test_engine_lock(void **state)
{
	rig r;
	char *lock;
	int fd;
	run_hooks h = { ev_note, ev_stage, NULL };
	run_result res;
	ss_error e;

	(void)state;
	rig_init(&r);
	h.ctx = &r;
	lock = path2(r.root, "out.lock");
	fd = open(lock, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "4242\n", 5), 5);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	err_clear(&e);
	assert_int_equal(run_execute(&r.c, &h, &res, &e), SS_OK);
	assert_int_equal(res.outcome, RUN_OUT_LOCKED);
	assert_int_equal(res.lock_holder, 4242);
	check_str("lock path", res.lock_path, lock);
	check_str("nothing ran", run_buf_str(&r.events), "");
	assert_false(file_exists(r.root, "out"));
	close(fd);
	check_str("after unlock", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:rerun indicators:rerun " ABSENT6);
	free(lock);
	rig_release(&r);
}

static void test_engine_output_dirs(void **state)
{
	rig r;
	char *m, *p;

	(void)state;
	rig_init(&r);
	/* someone else's directory is refused, and no lock file is left */
	assert_int_equal(mkdir(r.out, 0755), 0);
	put_file(r.out, "thesis.tex", "x");
	rig_run(&r, RUN_OUT_ERROR, SS_EUSAGE);
	assert_false(file_exists(r.root, "out.lock"));
	assert_true(file_exists(r.out, "thesis.tex"));
	p = path2(r.out, "thesis.tex");
	unlink(p);
	free(p);

	/* a checkout's output/ with a README: kept through runs */
	put_file(r.out, "README.md", "# output\n");
	rig_run(&r, RUN_OUT_OK, SS_OK);
	m = get_file(r.out, "README.md");
	check_str("README kept", m, "# output\n");
	free(m);
	m = get_file(r.out, "manifest.json");
	assert_non_null(strstr(m, "\"kept\": [\"README.md\"]"));
	assert_null(strstr(m, "{\"path\": \"README.md\""));
	free(m);
	rig_run(&r, RUN_OUT_OK, SS_OK);
	assert_true(file_exists(r.out, "README.md"));

	/* an output the pipeline stopped writing disappears */
	stage_script(&r, "indicators", "printf 'x\\n' >\"$o/other.csv\"");
	rig_run(&r, RUN_OUT_OK, SS_OK);
	assert_false(file_exists(r.out, "indicators.csv"));
	assert_true(file_exists(r.out, "other.csv"));

	/* a file where the output should be */
	p = path2(r.root, "file");
	put_file(r.root, "file", "x");
	free(r.c.output);
	r.c.output = p;
	rig_run(&r, RUN_OUT_ERROR, SS_EUSAGE);
	rig_release(&r);
}

static void test_engine_stale_work(void **state)
{
	rig r;
	char *stale, *old;

	(void)state;
	rig_init(&r);
	rig_run(&r, RUN_OUT_OK, SS_OK);
	/* a killed run's work directory is removed */
	stale = path2(r.root, "out.tmp.AbC123");
	assert_int_equal(mkdir(stale, 0755), 0);
	put_file(stale, "junk", "x");
	check_str("after a killed run", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:reused indicators:reused " ABSENT6);
	assert_false(file_exists(r.root, "out.tmp.AbC123"));
	assert_non_null(strstr(run_buf_str(&r.notes), "out.tmp.AbC123, left by an interrupted run"));

	/* a run killed between the two renames of the fallback publish:
	   the outputs are in its work/old and come back */
	assert_int_equal(mkdir(stale, 0755), 0);
	old = path2(stale, "old");
	assert_int_equal(rename(r.out, old), 0);
	check_str("restored", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:reused indicators:reused " ABSENT6);
	assert_non_null(strstr(run_buf_str(&r.notes), "restored the previous outputs"));
	assert_false(file_exists(r.root, "out.tmp.AbC123"));
	/* names that only look alike are not touched */
	put_file(r.root, "out.tmp.toolong1", "x");
	put_file(r.root, "out.tmpx.AbC123", "x");
	rig_run(&r, RUN_OUT_OK, SS_OK);
	assert_true(file_exists(r.root, "out.tmp.toolong1"));
	assert_true(file_exists(r.root, "out.tmpx.AbC123"));
	free(old);
	free(stale);
	rig_release(&r);
}

static void test_engine_validation_modes(void **state)
{
	rig r;
	char *v1, *v2, *m;

	(void)state;
	rig_init(&r);
	/* a stage that rewrites validation.csv instead of appending */
	stage_script(&r, "indicators",
		     "tr a-z A-Z <\"$o/clean/schools.csv\" >\"$o/indicators.csv\"\n"
		     "printf 'severity,code,file,line,column,message\\nwarning,w9,y,0,0,rewritten\\n' >\"$o/validation.csv\"");
	rig_run(&r, RUN_OUT_OK, SS_OK);
	v1 = get_file(r.out, "validation.csv");
	check_str("rewritten", v1,
		  "severity,code,file,line,column,message\nwarning,w9,y,0,0,rewritten\n");
	m = get_file(r.out, "manifest.json");
	assert_non_null(strstr(m, "\"mode\": \"replace\""));
	free(m);
	/* the ingest part is gone from the file, so ingest cannot be reused;
	   indicators then sees the same inputs and is */
	check_str("rerun", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:rerun indicators:reused " ABSENT6);
	check_str("why", r.why,
		  "ingest: its part of the previous validation.csv was changed after the last run");
	v2 = get_file(r.out, "validation.csv");
	check_str("same validation.csv", v2, v1);
	free(v1);
	free(v2);

	/* a stage that changes an earlier stage's file always reruns */
	stage_script(&r, "indicators", "echo x >>\"$o/clean/schools.csv\"");
	rig_run(&r, RUN_OUT_OK, SS_OK);
	m = get_file(r.out, "manifest.json");
	assert_non_null(strstr(m, "\"reusable\": false"));
	free(m);
	check_str("always", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:rerun indicators:rerun " ABSENT6);
	check_str("why", r.why,
		  "indicators: its last run cannot be reused (it changed files of earlier stages or outside its own, or an input changed while it ran)");
	rig_release(&r);
}

/* A reuse that fails half-way leaves nothing behind for the rerun: this
 * stage writes extra.csv only when it is not there. */
static void test_engine_reuse_undo(void **state)
{
	rig r;
	char *m;

	(void)state;
	rig_init(&r);
	stage_script(&r, "indicators",
		     "echo ind >\"$o/indicators.csv\"\n"
		     "[ -e \"$o/extra.csv\" ] || echo fresh >\"$o/extra.csv\"");
	rig_run(&r, RUN_OUT_OK, SS_OK);
	put_file(r.out, "extra.csv", "edited\n");
	check_str("edited", rig_run(&r, RUN_OUT_OK, SS_OK),
		  "ingest:reused indicators:rerun " ABSENT6);
	check_str("why", r.why,
		  "indicators: its previous output extra.csv was changed after the last run");
	m = get_file(r.out, "extra.csv");
	check_str("rebuilt, not the edited copy", m, "fresh\n");
	free(m);
	m = get_file(r.out, "manifest.json");
	assert_non_null(strstr(m, "{\"path\": \"extra.csv\", \"sha256\": \""));
	free(m);
	rig_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_file),
		cmocka_unit_test(test_index_rule),
		cmocka_unit_test(test_index_fresh),
		cmocka_unit_test(test_index_untouched),
		cmocka_unit_test(test_index_since_scan),
		cmocka_unit_test(test_index_tree),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_json_parse),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_json_ll),
		cmocka_unit_test(test_config_sample),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_set_and_check),
		cmocka_unit_test(test_config_load),
		cmocka_unit_test(test_stage_table),
		cmocka_unit_test(test_stage_args),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_stage_key),
		cmocka_unit_test(test_manifest_write_read),
		cmocka_unit_test(test_manifest_parse_errors),
		cmocka_unit_test(test_run_info),
		cmocka_unit_test(test_iso_time),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_engine_incremental),
		cmocka_unit_test(test_engine_failure_keeps_outputs),
		cmocka_unit_test(test_engine_lock),
		cmocka_unit_test(test_engine_output_dirs),
		cmocka_unit_test(test_engine_stale_work),
		cmocka_unit_test(test_engine_validation_modes),
		cmocka_unit_test(test_engine_reuse_undo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
