/* ingest — reads an input directory of contract tables, validates every
 * row and the references between tables, and writes the stage outputs:
 * clean/<table>.csv (accepted rows, normalized), validation.csv and
 * rejects.csv. No row disappears without a trace: each row is either in a
 * clean table or in rejects.csv with its reason. */
#ifndef SCHOOLSTAT_INGEST_H
#define SCHOOLSTAT_INGEST_H

#include <stddef.h>

#include "diag.h"
#include "err.h"
#include "num.h"

#define INGEST_MAX_TABLES 8

typedef struct ingest_options {
	const char *input_dir;
	const char *output_dir;
	num_style style;      /* NUM_STYLE_AUTO: detect per file */
	const char *encoding; /* NULL: UTF-8 */
} ingest_options;

typedef struct ingest_table_summary {
	const char *file;     /* "schools.csv" (static storage) */
	int present;
	long long read, accepted, rejected;
	long blank_lines;
	char delimiter;
	num_style style;
	int had_bom;
} ingest_table_summary;

typedef struct ingest_summary {
	ingest_table_summary tables[INGEST_MAX_TABLES];
	size_t ntables;
} ingest_summary;

/* Runs the whole ingest. Problems in the data go to diag (and so to
 * validation.csv / rejects.csv) and do not fail the call. Fails with
 * SS_EIO when the input directory or schools.csv cannot be read or an
 * output cannot be written, SS_ENOMEM when memory runs out, SS_EUSAGE for
 * an unknown encoding. *sum is filled as far as the run got. */
ss_status ingest_run(const ingest_options *opt, diag_sink *diag,
		     ingest_summary *sum, ss_error *e);

/* Maps every table of OUTPUT_DIR/clean/sources.csv in diag to the path it
 * was read from (diag_map_file). A missing sources.csv maps nothing. */
ss_status ingest_map_sources(diag_sink *diag, const char *outdir);

/* Closest id to `id` among ids[0..n) by edit distance (ignoring case; a
 * confusable pair such as l/1 or O/0 counts half), when it is at most two
 * edits and unique; else NULL. For "did you mean". */
const char *ingest_suggest_id(const char *id, const char *const *ids,
			      size_t n);

#endif
