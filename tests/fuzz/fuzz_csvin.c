/* libFuzzer harness for csvin: any byte string must be read to the end
 * without a crash, a leak or a broken invariant.
 *
 * clang -fsanitize=fuzzer,address,undefined -Iinclude \
 *   -D_POSIX_C_SOURCE=200809L -std=c11 tests/fuzz/fuzz_csvin.c \
 *   pipeline/lib/csvin.c pipeline/lib/text.c pipeline/lib/err.c -lcsv \
 *   -o /tmp/fuzz_csvin
 * /tmp/fuzz_csvin -max_total_time=300 tests/fuzz/corpus_csvin
 *
 * Each input is read twice: with the defaults (detected delimiter, UTF-8,
 * default record limit), and with options chosen by its first byte (a
 * fixed delimiter, a legacy encoding, a small record limit) so the
 * truncation and resynchronisation paths are reached by short inputs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant must stop the fuzzer with a stack trace. */
#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond))                                                \
			__builtin_trap();                                   \
	} while (0)

/* Physical lines: LF-terminated ones plus an unterminated last one. */
static long count_lines(const uint8_t *data, size_t size)
{
	long n = 0;
	size_t i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size > 0 && data[size - 1] != '\n');
}

/* max_rec: a bound on raw_len for UTF-8 input, 0 when decoding (a legacy
 * byte can become three UTF-8 bytes). */
static void check_row(const csvin_row *row, long *prev_end, size_t max_rec,
		      long *covered)
{
	size_t i;

	*covered += row->end_line - row->line + 1;
	CHECK(row->line >= 1);
	CHECK(row->end_line >= row->line);
	/* records never overlap and never go back */
	CHECK(row->line > *prev_end);
	*prev_end = row->end_line;
	CHECK(row->raw != NULL);
	CHECK(strlen(row->raw) == row->raw_len);
	CHECK(text_utf8_valid(row->raw, row->raw_len, NULL));
	if (row->status != CSVIN_ROW_OK) {
		CHECK(row->problem[0] != '\0');
		CHECK(row->problem_column >= 1);
		CHECK(row->nfields == 0);
		if (row->status == CSVIN_ROW_BAD_QUOTE)
			CHECK(row->end_line == row->line);
		return;
	}
	CHECK(row->nfields >= 1);
	if (max_rec)
		CHECK(row->raw_len <= max_rec);
	for (i = 0; i < row->nfields; i++) {
		CHECK(row->fields[i] != NULL);
		CHECK(text_utf8_valid(row->fields[i], strlen(row->fields[i]),
				      NULL));
		CHECK(strlen(row->fields[i]) <= row->raw_len);
		CHECK(row->columns[i] >= 1);
		if (i > 0)
			CHECK(row->columns[i] > row->columns[i - 1]);
	}
}

static void run(const uint8_t *data, size_t size, const csvin_options *opt)
{
	csvin_reader *r = NULL;
	const csvin_row *row;
	ss_error e;
	long prev_end = 0, covered = 0;
	char d;
	size_t max_rec = opt->max_record ? opt->max_record
					 : CSVIN_DEFAULT_MAX_LINE;

	if (opt->encoding && strcmp(opt->encoding, "utf-8") != 0)
		max_rec = 0;
	err_clear(&e);
	if (csvin_open_mem(&r, "fuzz.csv", (const char *)data, size, opt,
			   &e) != SS_OK) {
		CHECK(e.status == SS_ENOMEM);
		return;
	}
	for (;;) {
		if (csvin_next(r, &row, &e) != SS_OK) {
			/* memory input: only an allocation can fail */
			CHECK(e.status == SS_ENOMEM);
			csvin_free(r);
			return;
		}
		if (!row)
			break;
		check_row(row, &prev_end, max_rec, &covered);
	}
	d = csvin_delimiter(r);
	CHECK(opt->delimiter ? d == opt->delimiter
			     : (d == ',' || d == ';' || d == '\t'));
	/* every line is in exactly one record or counted blank: a resync
	 * neither skips lines nor reads one twice into a good record */
	CHECK(csvin_blank_lines(r) >= 0);
	if (csvin_had_bom(r))
		CHECK(covered + csvin_blank_lines(r) ==
		      count_lines(data + 3, size - 3));
	else
		CHECK(covered + csvin_blank_lines(r) ==
		      count_lines(data, size));
	csvin_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[4] = {0, ',', ';', '\t'};
	static const char *const encodings[4] = {NULL, "utf-8", "cp1258",
						  "tcvn3"};
	csvin_options opt;

	memset(&opt, 0, sizeof opt);
	run(data, size, &opt);
	if (size > 0) {
		opt.delimiter = delims[data[0] & 3];
		opt.encoding = encodings[(data[0] >> 2) & 3];
		opt.max_record = 1 + (size_t)(data[0] >> 4) * 4;
		run(data + 1, size - 1, &opt);
	}
	return 0;
}
