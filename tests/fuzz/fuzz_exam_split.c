/* Differential libFuzzer harness for the exam reducer's two-thread path:
 * for every input, threads = 1 and threads = 2 must give the same status
 * and error, the same histogram file bytes, the same messages (severity,
 * code, file, line, column, text, in order), the same rejected rows and
 * the same counts (all but split_used). Any difference traps.
 *
 * Built and run by `make fuzz` like the other harnesses (the Makefile
 * picks up tests/fuzz/fuzz_*.c and its corpus_exam_split), or by hand:
 *   make build-fuzz/fuzz_exam_split
 *   build-fuzz/fuzz_exam_split -max_total_time=600 -max_len=65536 \
 *     tests/fuzz/corpus_exam_split
 * A file argument instead of a directory replays one input.
 *
 * min_split_bytes is 0, so the split is tried on any input whose middle
 * lies past the header. The first byte chooses the options:
 *   bits 0-1  record limit: default, 64, 200 or 1024 bytes (short inputs
 *             then reach the over-long line and hand-over paths)
 *   bits 2-3  number style: auto, English, Vietnamese, auto
 *   bit 4     school_known: NULL, or a predicate refusing ids with an 'X'
 *   bit 5     the rest of the input is a table as it is (0), or a recipe
 *             for a generated table of up to a few thousand clean rows
 *             with the recipe's edits (1): a second half that is clean
 *             is then common, so the merge itself is compared
 *   bit 6     reduce from a file (exam_reduce_file: fstat, pread, a
 *             second descriptor) instead of memory
 *   bit 7     reserved (kept so that old seeds keep their meaning)
 *
 * FUZZ_EXAM_SPLIT_STATS=1 in the environment prints, at exit, how many
 * inputs were compared and how many took the second half;
 * FUZZ_EXAM_SPLIT_DUMP=DIR writes each table reduced (after generation)
 * to DIR/table.csv and the two runs' messages and rejects to DIR/1.txt
 * and DIR/2.txt (replaying one input, to see a difference).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "err.h"
#include "exam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A difference must stop the fuzzer with a stack trace; the first line
 * that differs goes to stderr first. */
#define CHECK(cond, what)                                                   \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz_exam_split: %s differs\n",    \
				what);                                      \
			__builtin_trap();                                   \
		}                                                           \
	} while (0)

/* ------------------------------------------------------------ text */

typedef struct tbuf {
	char *p;
	size_t len, cap;
} tbuf;

static void tb_need(tbuf *b, size_t more)
{
	if (b->len + more + 1 > b->cap) {
		size_t ncap = (b->len + more + 1) * 2;
		char *np = realloc(b->p, ncap);

		if (!np)
			abort();
		b->p = np;
		b->cap = ncap;
	}
}

static void tb_add(tbuf *b, const char *s, size_t n)
{
	tb_need(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void tb_printf(tbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tb_printf(tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	tb_need(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ------------------------------------------------------------ one run */

typedef struct result {
	ss_status st;
	ss_error e;
	exam_counts c;
	diag_sink diag;
	char *hist; /* NULL: no file written */
	size_t hist_len;
} result;

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	tbuf b = { 0 };
	char chunk[65536];
	size_t n;

	*len = 0;
	if (!fp)
		return NULL;
	tb_need(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		tb_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	return b.p;
}

/* Ids with an 'X' are unknown schools; only reads, as the option asks. */
static int school_known(void *ctx, const char *id)
{
	(void)ctx;
	return strchr(id, 'X') == NULL;
}

static const char *scratch_dir(void)
{
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static void reduce_once(result *r, const uint8_t *data, size_t size,
			const exam_options *opt, int from_file,
			const char *in_path, int threads)
{
	exam_options o = *opt;
	char out[256];

	o.threads = threads;
	o.min_split_bytes = 0;
	snprintf(out, sizeof out, "%s/fuzz_exam_split.%ld.%d.out",
		 scratch_dir(), (long)getpid(), threads);
	unlink(out);
	memset(r, 0, sizeof *r);
	diag_init(&r->diag, NULL, NULL);
	err_clear(&r->e);
	if (from_file)
		r->st = exam_reduce_file(in_path, "exam_scores.csv", &o,
					 &r->diag, out, &r->c, &r->e);
	else
		r->st = exam_reduce_mem("exam_scores.csv", (const char *)data,
					size, &o, &r->diag, out, &r->c, &r->e);
	r->hist = slurp(out, &r->hist_len);
	unlink(out);
}

static void result_release(result *r)
{
	diag_release(&r->diag);
	free(r->hist);
}

static int same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The messages and rejects of r as lines, for FUZZ_EXAM_SPLIT_DUMP. */
static void dump_result(const char *dir, int threads, const result *r)
{
	char path[512];
	FILE *fp;
	size_t i;

	snprintf(path, sizeof path, "%s/%d.txt", dir, threads);
	fp = fopen(path, "w");
	if (!fp)
		return;
	fprintf(fp, "status %d %s\nsplit_used %d read %lld accepted %lld "
		"rejected %lld groups %lld hist_rows %lld\n", r->st, r->e.msg,
		r->c.split_used, r->c.rows_read, r->c.rows_accepted,
		r->c.rows_rejected, r->c.groups, r->c.hist_rows);
	for (i = 0; i < r->diag.nmessages; i++) {
		const diag_message *d = &r->diag.messages[i];

		fprintf(fp, "%s %s %ld:%ld %s\n",
			d->severity == DIAG_ERROR ? "error" : "warning",
			d->code, d->line, d->column, d->message);
	}
	for (i = 0; i < r->diag.nrejects; i++)
		fprintf(fp, "reject %ld %s | %s\n", r->diag.rejects[i].line,
			r->diag.rejects[i].reason, r->diag.rejects[i].raw);
	if (r->hist)
		fwrite(r->hist, 1, r->hist_len, fp);
	fclose(fp);
}

static void compare(const result *a, const result *b)
{
	size_t i;

	CHECK(a->st == b->st, "status");
	CHECK(a->e.status == b->e.status, "error status");
	CHECK(strcmp(a->e.msg, b->e.msg) == 0, "error message");
	CHECK(strcmp(a->e.file, b->e.file) == 0, "error file");
	CHECK(a->e.line == b->e.line && a->e.column == b->e.column,
	      "error position");
	CHECK((a->hist == NULL) == (b->hist == NULL), "histogram presence");
	CHECK(a->hist_len == b->hist_len, "histogram length");
	CHECK(!a->hist || memcmp(a->hist, b->hist, a->hist_len) == 0,
	      "histogram bytes");
	CHECK(a->diag.nmessages == b->diag.nmessages, "message count");
	for (i = 0; i < a->diag.nmessages; i++) {
		const diag_message *x = &a->diag.messages[i];
		const diag_message *y = &b->diag.messages[i];

		CHECK(x->severity == y->severity, "message severity");
		CHECK(same_str(x->code, y->code), "message code");
		CHECK(same_str(x->file, y->file), "message file");
		CHECK(x->line == y->line, "message line");
		CHECK(x->column == y->column, "message column");
		CHECK(same_str(x->message, y->message), "message text");
	}
	CHECK(a->diag.nerrors == b->diag.nerrors, "error count");
	CHECK(a->diag.nwarnings == b->diag.nwarnings, "warning count");
	CHECK(a->diag.failed == b->diag.failed, "sink failure");
	CHECK(a->diag.nrejects == b->diag.nrejects, "reject count");
	for (i = 0; i < a->diag.nrejects; i++) {
		const diag_reject *x = &a->diag.rejects[i];
		const diag_reject *y = &b->diag.rejects[i];

		CHECK(same_str(x->file, y->file), "reject file");
		CHECK(x->line == y->line, "reject line");
		CHECK(same_str(x->reason, y->reason), "reject reason");
		CHECK(same_str(x->raw, y->raw), "reject raw text");
	}
	CHECK(a->c.rows_read == b->c.rows_read, "rows_read");
	CHECK(a->c.rows_accepted == b->c.rows_accepted, "rows_accepted");
	CHECK(a->c.rows_rejected == b->c.rows_rejected, "rows_rejected");
	CHECK(a->c.scores == b->c.scores, "scores");
	CHECK(a->c.blanks == b->c.blanks, "blanks");
	CHECK(a->c.offgrid == b->c.offgrid, "offgrid");
	CHECK(a->c.groups == b->c.groups, "groups");
	CHECK(a->c.hist_rows == b->c.hist_rows, "hist_rows");
	CHECK(a->c.blank_lines == b->c.blank_lines, "blank_lines");
	CHECK(a->c.delimiter == b->c.delimiter, "delimiter");
	CHECK(a->c.had_bom == b->c.had_bom, "had_bom");
	CHECK(a->c.split_used == 0, "split_used of one thread");
}

/* ------------------------------------------------------------ tables */

/* A tiny deterministic generator (splitmix64) seeded by the recipe. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint8_t take(const uint8_t **p, const uint8_t *end)
{
	return *p < end ? *(*p)++ : 0;
}

/* A table from a recipe: 2 bytes of row count, 1 of shape, 4 of seed,
 * then edits of 4 bytes each (position hi, lo, operation, byte) applied
 * to the text at scaled positions. The rows are clean (unique ids, known
 * schools, grid scores) until edited, in one to three sessions. */
static void generate(tbuf *out, const uint8_t *p, size_t size)
{
	static const char *const scores[] = { "7", "6.5", "8.25", "", "10",
					      "0", "4.75", "9.2", "", "5,5",
					      "3.05", "" };
	static const char *const sessions[][2] = {
		{ "2024-2025", "tn_thpt" },
		{ "2023-2024", "tn_thpt" },
		{ "2024-2025", "hsg" },
		{ " 2024-2025", "tn_thpt" }, /* another spelling of the first */
	};
	const uint8_t *end = p + size;
	unsigned rows, shape, nsubj, i, k;
	uint64_t seed = 0;
	char delim;
	int crlf;
	tbuf t = { 0 };

	rows = (unsigned)take(&p, end) << 8;
	rows |= take(&p, end);
	rows %= 4000;
	shape = take(&p, end);
	for (i = 0; i < 4; i++)
		seed = seed << 8 | take(&p, end);
	nsubj = 1 + shape % 4;
	delim = shape & 0x10 ? ';' : ',';
	crlf = (shape & 0x20) != 0;
	if (shape & 0x40)
		tb_add(&t, "\xEF\xBB\xBF", 3);
	tb_printf(&t, "year%cexam%ccandidate_id%cschool_id", delim, delim,
		  delim);
	for (k = 0; k < nsubj; k++)
		tb_printf(&t, "%csubj%u", delim, k);
	tb_add(&t, crlf ? "\r\n" : "\n", crlf ? 2 : 1);
	for (i = 0; i < rows; i++) {
		uint64_t r = next_rand(&seed);
		unsigned sess = (unsigned)(r % (shape & 0x80 ? 4 : 1));
		unsigned long id = 10000000UL + i * 16UL +
				   (unsigned long)(r >> 60);

		if (sess == 3 && !(shape & 0x08))
			sess = 0;
		/* schools S1-S5 and, now and then, 01-05 */
		tb_printf(&t, "%s%c%s%c%08lu%c%s%u", sessions[sess][0], delim,
			  sessions[sess][1], delim, id, delim,
			  (r >> 8) % 7 == 6 ? "0" : "S",
			  1 + (unsigned)(r >> 12) % 5);
		for (k = 0; k < nsubj; k++) {
			const char *sc = scores[(r >> (16 + 4 * k)) % 12];

			if (delim == ',' && strchr(sc, ','))
				sc = "5.5";
			tb_printf(&t, "%c%s", delim, sc);
		}
		tb_add(&t, crlf ? "\r\n" : "\n", crlf ? 2 : 1);
	}
	if (shape & 0x04 && t.len && t.p[t.len - 1] == '\n')
		t.len -= crlf ? 2 : 1; /* no final line end */
	/* the edits */
	while (end - p >= 4 && t.len > 0) {
		size_t pos = ((size_t)p[0] << 8 | p[1]) * t.len / 65536;
		uint8_t op = p[2], byte = p[3];

		p += 4;
		switch (op % 8) {
		case 0: /* replace a byte */
			t.p[pos] = (char)byte;
			break;
		case 1: /* insert a byte */
		case 2:
			tb_need(&t, 1);
			memmove(t.p + pos + 1, t.p + pos, t.len - pos);
			t.p[pos] = (char)byte;
			t.len++;
			break;
		case 3: { /* delete up to 8 bytes */
			size_t n = 1 + byte % 8;

			if (n > t.len - pos)
				n = t.len - pos;
			memmove(t.p + pos, t.p + pos + n, t.len - pos - n);
			t.len -= n;
			break;
		}
		case 4: { /* copy the line at pos into the second half or to
			   * the end: a candidate id seen twice */
			const char *s = t.p + pos, *e;
			size_t n, at;
			char *line;

			while (s > t.p && s[-1] != '\n')
				s--;
			e = memchr(s, '\n', t.len - (size_t)(s - t.p));
			if (!e || s == t.p)
				break;
			n = (size_t)(e - s) + 1;
			line = malloc(n);
			if (!line)
				abort();
			memcpy(line, s, n);
			at = t.len;
			if (byte & 1)
				at = t.len / 2 + (t.len / 2) * byte / 512;
			while (at < t.len && at > 0 && t.p[at - 1] != '\n')
				at++;
			tb_need(&t, n);
			memmove(t.p + at + n, t.p + at, t.len - at);
			memcpy(t.p + at, line, n);
			t.len += n;
			free(line);
			break;
		}
		case 5: { /* a long line: byte * 600 bytes of one letter */
			size_t n = (size_t)byte * 600 + 1;

			tb_need(&t, n + 1);
			memmove(t.p + pos + n + 1, t.p + pos, t.len - pos);
			memset(t.p + pos, 'a', n);
			t.p[pos + n] = '\n';
			t.len += n + 1;
			break;
		}
		case 6: { /* a quoted field with a line end in it */
			static const char q[] = "\"x\ny\"";

			size_t n = sizeof q - 1;

			tb_need(&t, n);
			memmove(t.p + pos + n, t.p + pos, t.len - pos);
			memcpy(t.p + pos, q, n);
			t.len += n;
			break;
		}
		default: /* a blank line, or CR, at a line start */
			while (pos < t.len && pos > 0 && t.p[pos - 1] != '\n')
				pos++;
			tb_need(&t, 1);
			memmove(t.p + pos + 1, t.p + pos, t.len - pos);
			t.p[pos] = byte & 1 ? '\r' : '\n';
			t.len++;
			break;
		}
	}
	tb_need(&t, 0);
	*out = t;
}

/* ------------------------------------------------------------ entry */

static long long n_inputs, n_split;

static void print_stats(void)
{
	fprintf(stderr, "fuzz_exam_split: %lld inputs compared, %lld split\n",
		n_inputs, n_split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t limits[4] = { 0, 64, 200, 1024 };
	static const num_style styles[4] = { NUM_STYLE_AUTO, NUM_STYLE_EN,
					     NUM_STYLE_VI, NUM_STYLE_AUTO };
	static int stats_registered;
	exam_options opt;
	result one, two;
	tbuf gen = { 0 };
	const uint8_t *table;
	size_t table_len;
	char in_path[256] = "";
	uint8_t mode;
	int from_file;

	if (!stats_registered) {
		stats_registered = 1;
		if (getenv("FUZZ_EXAM_SPLIT_STATS"))
			atexit(print_stats);
	}
	if (size < 1)
		return 0;
	mode = data[0];
	exam_options_init(&opt);
	opt.max_record = limits[mode & 3];
	opt.style = styles[(mode >> 2) & 3];
	if (mode & 0x10)
		opt.school_known = school_known;
	if (mode & 0x20) {
		generate(&gen, data + 1, size - 1);
		table = (const uint8_t *)gen.p;
		table_len = gen.len;
	} else {
		table = data + 1;
		table_len = size - 1;
	}
	from_file = (mode & 0x40) != 0;
	if (from_file) {
		FILE *fp;

		snprintf(in_path, sizeof in_path, "%s/fuzz_exam_split.%ld.in",
			 scratch_dir(), (long)getpid());
		fp = fopen(in_path, "wb");
		if (!fp || fwrite(table, 1, table_len, fp) != table_len ||
		    fclose(fp) != 0)
			abort();
	}
	reduce_once(&one, table, table_len, &opt, from_file, in_path, 1);
	reduce_once(&two, table, table_len, &opt, from_file, in_path, 2);
	if (getenv("FUZZ_EXAM_SPLIT_DUMP")) {
		const char *dir = getenv("FUZZ_EXAM_SPLIT_DUMP");
		char path[512];
		FILE *fp;

		snprintf(path, sizeof path, "%s/table.csv", dir);
		fp = fopen(path, "wb");
		if (fp) {
			fwrite(table, 1, table_len, fp);
			fclose(fp);
		}
		dump_result(dir, 1, &one);
		dump_result(dir, 2, &two);
	}
	compare(&one, &two);
	n_inputs++;
	n_split += two.c.split_used;
	result_release(&one);
	result_release(&two);
	if (from_file)
		unlink(in_path);
	free(gen.p);
	return 0;
}
