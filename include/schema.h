/* schema — the input tables of the data contract: columns, types, domains,
 * header aliases and keys. Static, read-only data plus lookups. */
#ifndef SCHOOLSTAT_SCHEMA_H
#define SCHOOLSTAT_SCHEMA_H

#include <stddef.h>

typedef enum schema_type {
	SCH_TEXT,      /* free text, trimmed */
	SCH_ID,        /* identifier: no spaces inside, trimmed */
	SCH_YEAR,      /* school year "2024-2025" (also 2024/2025, 2024 - 2025) */
	SCH_GRADE,     /* nha_tre, mg_3..mg_5, 1..12, all */
	SCH_COUNT,     /* whole number >= 0 */
	SCH_REAL,      /* number >= 0 */
	SCH_SCORE,     /* 0..10, at most 2 decimals */
	SCH_PERCENT,   /* 0..100, optional trailing % */
	SCH_ENUM,      /* one of enum_values (folded match) */
	SCH_DATE,      /* ISO date YYYY-MM-DD (also DD/MM/YYYY) */
	SCH_INT_RANGE, /* whole number in [min, max] */
	SCH_OP,        /* >=, <=, = (also ≥, ≤) */
	SCH_SCOPE,     /* school_id, level:<level> or all */
	SCH_INDICATOR, /* name from the catalogue, with :<subject> */
	SCH_TARGET     /* a number, percentages as 0-100, trailing % ok */
} schema_type;

typedef struct schema_column {
	const char *name;
	schema_type type;
	int required;
	const char *const *aliases;      /* NULL-terminated, may be NULL */
	const char *const *enum_values;  /* for SCH_ENUM, NULL-terminated */
	long min, max;                   /* for SCH_INT_RANGE */
} schema_column;

typedef struct schema_table {
	const char *name;       /* "enrollment" */
	const char *file;       /* "enrollment.csv" */
	const schema_column *columns;
	size_t ncolumns;
	const char *const *key; /* columns that identify a row, NULL-term. */
	int open_columns;       /* exam_scores: other columns are subjects */
} schema_table;

/* All tables of the contract in contract order; *n gets the count. */
const schema_table *schema_tables(size_t *n);

/* The table whose file is `file` ("schools.csv"), or NULL. */
const schema_table *schema_find(const char *file);

/* Index of the column a header names (canonical name or alias, matched
 * after text_fold, i.e. without regard to case or diacritics), or -1. */
int schema_column_index(const schema_table *t, const char *header);

/* Grades a level allows: 1 if `grade` may appear in a school of `level`
 * ("all" is allowed everywhere). Unknown level or grade: 0. */
int schema_grade_in_level(const char *level, const char *grade);

/* The level / grade / ownership domains, NULL-terminated, contract order. */
const char *const *schema_levels(void);
const char *const *schema_grades(void);

#endif
