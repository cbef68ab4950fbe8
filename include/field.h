/* field — one cell of an input table checked against its column's type and
 * normalized to the form the clean tables use ("2024 - 2025" -> "2024-2025",
 * "Khối 6" -> "6", "1.062" -> "1062", "≥" -> ">=", "15/08/2024" ->
 * "2024-08-15"). */
#ifndef SCHOOLSTAT_FIELD_H
#define SCHOOLSTAT_FIELD_H

#include <stddef.h>

#include "num.h"
#include "schema.h"

#define FIELD_MAX 1024

typedef enum field_result {
	FIELD_OK = 0,
	FIELD_EMPTY,    /* nothing there (an error only for required columns) */
	FIELD_INVALID   /* *why says what was found and what was expected */
} field_result;

/* Checks raw against col in the given number style (EN or VI; AUTO is
 * read as EN). On FIELD_OK writes the normalized value to out (always
 * NUL-terminated, outsz >= FIELD_MAX recommended). On FIELD_INVALID writes
 * a message such as "not a whole number '12,5' (expected a count of
 * students)" to why. Never touches global state. */
field_result field_normalize(const schema_column *col, const char *raw,
			     num_style style, char *out, size_t outsz,
			     char *why, size_t whysz);

/* Known indicator base names (before any ":<subject>"), contract order. */
const char *const *field_indicator_names(void);
/* 1 when the indicator (base name or with subject) is a percentage. */
int field_indicator_is_percent(const char *indicator);
/* 1 when the indicator needs a suffix: ":<subject>" for exam_*,
 * ":<grade>" for cohort_*, ":<level>" for survival_rate_last_grade. */
int field_indicator_needs_subject(const char *indicator);

/* Splits a valid ISO date (YYYY-MM-DD, a real calendar day) into parts;
 * returns 1, or 0 when malformed. */
int field_parse_iso_date(const char *s, int *y, int *m, int *d);

#endif
