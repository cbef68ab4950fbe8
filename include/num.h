/* num — numbers as they appear in Vietnamese and English spreadsheets.
 *
 * Vietnamese style (vi-VN Excel): '.' groups thousands, ',' is the decimal
 * mark: "1.062" = 1062, "5,8" = 5.8. English style is the reverse. A mark
 * that cannot be a thousands separator (not followed by exactly three
 * digits, or a second decimal mark) is read as the decimal mark in either
 * style, so "8.5" in a Vietnamese file is 8.5; a value that is valid in both
 * readings ("1.062") follows the file's style.
 */
#ifndef SCHOOLSTAT_NUM_H
#define SCHOOLSTAT_NUM_H

#include <stddef.h>

typedef enum num_style {
	NUM_STYLE_AUTO = 0, /* not yet known: detect */
	NUM_STYLE_EN,       /* 1,062.5 */
	NUM_STYLE_VI        /* 1.062,5 */
} num_style;

typedef enum num_result {
	NUM_OK = 0,
	NUM_EMPTY,        /* only white space */
	NUM_GARBAGE,      /* not a number at all */
	NUM_NOT_INTEGER,  /* a count with a fractional part */
	NUM_NEGATIVE,     /* a count below zero */
	NUM_RANGE,        /* too large for the type */
	NUM_BAD_GROUPING  /* thousands separators in the wrong places: "1.06.2" */
} num_result;

/* Parses a non-negative whole number ("1.062" vi, "1,062" en, " 42 ").
 * "12.0"/"12,0" with an all-zero fraction is accepted as 12. On success
 * stores *out; on failure *out is untouched. */
num_result num_parse_count(const char *s, num_style style, long long *out);

/* Parses a real number in the given style; a trailing '%' (with optional
 * space before it) is accepted and reported through *had_percent (may be
 * NULL). Never yields nan or inf. */
num_result num_parse_real(const char *s, num_style style, double *out,
			  int *had_percent);

/* Parses a score with at most two decimals exactly, as hundredths:
 * "7,25" -> 725. Returns NUM_NOT_INTEGER when it has more than two
 * decimals (after dropping trailing zeros). Range is not checked here. */
num_result num_parse_hundredths(const char *s, num_style style, long *out);

/* Evidence about a file's style from one field value: +1 for Vietnamese,
 * -1 for English, 0 when the value fits both or is not a number. Used to
 * detect a file's style from its numeric cells. */
int num_style_evidence(const char *s);

/* Parses "vi" / "en" (command-line values); NUM_STYLE_AUTO when unknown. */
num_style num_style_from_name(const char *name);
const char *num_style_name(num_style style);

/* A lower-case English description of a failed result, for messages
 * ("not a number", "not a whole number", ...). */
const char *num_result_text(num_result r);

#endif
