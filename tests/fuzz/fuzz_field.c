/* libFuzzer harness: any bytes as a cell of any column of any table,
 * normalized in both number styles. Invariants: a result is one of the
 * three, output and message are NUL-terminated within their buffers, and
 * a normalized number never holds "nan" or "inf". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int numeric(schema_type t)
{
	return t == SCH_COUNT || t == SCH_REAL || t == SCH_SCORE ||
	       t == SCH_PERCENT || t == SCH_TARGET || t == SCH_INT_RANGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t ntables;
	const schema_table *tables = schema_tables(&ntables);
	char *raw, out[FIELD_MAX], why[600];

	if (size < 1)
		return 0;
	raw = malloc(size);
	if (!raw)
		return 0;
	memcpy(raw, data + 1, size - 1);
	raw[size - 1] = '\0';
	for (size_t t = 0; t < ntables; t++) {
		const schema_column *col =
			&tables[t].columns[data[0] % tables[t].ncolumns];

		for (int style = NUM_STYLE_EN; style <= NUM_STYLE_VI; style++) {
			field_result r = field_normalize(col, raw, (num_style)style,
							 out, sizeof out, why,
							 sizeof why);

			if (r != FIELD_OK && r != FIELD_EMPTY && r != FIELD_INVALID)
				__builtin_trap();
			if (memchr(out, '\0', sizeof out) == NULL ||
			    memchr(why, '\0', sizeof why) == NULL)
				__builtin_trap();
			if (r == FIELD_OK && numeric(col->type) &&
			    (strstr(out, "nan") || strstr(out, "inf")))
				__builtin_trap();
		}
	}
	free(raw);
	return 0;
}
