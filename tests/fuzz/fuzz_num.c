/* libFuzzer harness for num: feeds arbitrary bytes to every num_ function in
 * every style and traps on a broken promise of the header.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude \
 *       -D_POSIX_C_SOURCE=200809L -std=c11 tests/fuzz/fuzz_num.c \
 *       pipeline/lib/num.c -o /tmp/fuzz_num
 *   /tmp/fuzz_num -max_total_time=60 tests/fuzz/corpus_num
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const num_style styles[] = { NUM_STYLE_AUTO, NUM_STYLE_EN,
				    NUM_STYLE_VI };

static void check_style(const char *s, num_style style)
{
	long long count = -1;
	double real = 0, real_c = 0;
	long cents = 0;
	int pct = -1;
	num_result rc, rr, rh;

	rc = num_parse_count(s, style, &count);
	rr = num_parse_real(s, style, &real, &pct);
	rh = num_parse_hundredths(s, style, &cents);
	if (rr == NUM_OK && (!isfinite(real) || (pct != 0 && pct != 1)))
		__builtin_trap();
	if (rc == NUM_OK && count < 0)
		__builtin_trap();
	/* A count is a real without a fraction, rounded the same way. */
	if (rc == NUM_OK) {
		if (num_parse_real(s, style, &real_c, NULL) != NUM_OK ||
		    real_c != (double)count)
			__builtin_trap();
	}
	/* Hundredths are the same number, exactly where a double can be. */
	if (rh == NUM_OK) {
		if (num_parse_real(s, style, &real_c, NULL) != NUM_OK)
			__builtin_trap();
		if (labs(cents) < (1L << 50) &&
		    fabs(real_c * 100.0 - (double)cents) > 1e-6 * (1.0 + fabs(real_c * 100.0)))
			__builtin_trap();
	}
	if (!num_result_text(rc) || !num_result_text(rr) || !num_result_text(rh))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	double vi = 0, en = 0;
	num_result rvi, ren;
	size_t i;
	int e;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	for (i = 0; i < sizeof styles / sizeof styles[0]; i++)
		check_style(s, styles[i]);

	/* Evidence for one style means the value reads the same in both
	 * (which may be the same failure: "-444...441,001" is only
	 * Vietnamese and too large either way). */
	e = num_style_evidence(s);
	if (e < -1 || e > 1)
		__builtin_trap();
	if (e != 0) {
		rvi = num_parse_real(s, NUM_STYLE_VI, &vi, NULL);
		ren = num_parse_real(s, NUM_STYLE_EN, &en, NULL);
		if (rvi != ren || (rvi == NUM_OK && vi != en))
			__builtin_trap();
	}

	/* Names must round-trip and never crash on odd text. */
	(void)num_style_from_name(s);
	for (i = 0; i < sizeof styles / sizeof styles[0]; i++)
		if (num_style_from_name(num_style_name(styles[i])) != styles[i])
			__builtin_trap();

	free(s);
	return 0;
}
