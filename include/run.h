/* run — the batch driver behind `schoolstat-run` and `make report`: runs the
 * stage programs in order, incrementally, under a lock, into a temporary
 * directory that replaces the output only when every stage succeeded, and
 * records what it did in OUTPUT/manifest.json (docs/CRON.md).
 *
 * Why a driver and not make: make decides by timestamps (a copied or
 * restored file looks new, an edited-back file looks changed), cannot swap
 * a directory atomically, cannot hold a lock for the whole run, and cannot
 * rebuild the shared validation.csv, to which every stage appends, from the
 * stages it did not rerun. The driver decides by SHA-256 of every input,
 * option and stage program, as recorded in the previous manifest.
 *
 * Layout of a run on OUTPUT (all beside it, on the same file system):
 *   OUTPUT.lock           flock()ed for the whole run (holds the pid)
 *   OUTPUT.tmp.XXXXXX/    the work directory of a run in progress:
 *       out/              the new output tree the stages write into
 *       log/<stage>.log   what each stage printed (unless verbose)
 * When every stage succeeded, out/ and OUTPUT are exchanged with
 * renameat2(RENAME_EXCHANGE) and the work directory (now holding the old
 * outputs) is removed. Work directories left by killed runs are removed by
 * the next run, under the lock.
 *
 * The core never prints: the engine reports through caller hooks, and
 * every function returns ss_status and fills a caller-owned ss_error.
 * Functions below the engine are exposed for the unit tests.
 */
#ifndef SCHOOLSTAT_RUN_H
#define SCHOOLSTAT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#ifndef SCHOOLSTAT_VERSION
#define SCHOOLSTAT_VERSION "0.1.0"
#endif

/* ------------------------------------------------------------ SHA-256 */

/* FIPS 180-4 SHA-256, streaming, through OpenSSL's libcrypto: it uses
 * the SHA extensions of x86 and ARMv8 where the CPU has them, four times
 * the speed of a portable C version, and the driver hashes every input
 * and output of a run (about 100 MB at national scale). */
struct evp_md_ctx_st;
typedef struct run_sha256 {
	struct evp_md_ctx_st *ctx;
	int failed;  /* sticky: out of memory or a libcrypto failure */
} run_sha256;

#define RUN_SHA256_HEX 65 /* 64 hex digits and the NUL */

/* 0, or -1 when out of memory (then release is still safe). */
int run_sha256_init(run_sha256 *s);
void run_sha256_update(run_sha256 *s, const void *data, size_t len);
/* Finishes and writes 64 lower-case hex digits and a NUL into hex;
 * releases s. -1 (hex empty) when any step failed. */
int run_sha256_final(run_sha256 *s, char hex[RUN_SHA256_HEX]);
/* Releases s without a result; safe after final and on a zeroed s. */
void run_sha256_release(run_sha256 *s);
/* One call for a whole buffer. */
/* -1 (hex empty) when out of memory. */
int run_sha256_hex(const void *data, size_t len, char hex[RUN_SHA256_HEX]);

/* Hashes len bytes of path from offset (len < 0: to the end of the file).
 * *bytes (may be NULL) gets the number hashed. SS_EIO when the file cannot
 * be read or is shorter than asked (the error names the path). */
ss_status run_sha256_file(const char *path, long long offset, long long len,
			  char hex[RUN_SHA256_HEX], long long *bytes,
			  ss_error *e);

/* Hashes from the current position of the open file fd (path names it in
 * errors) to its end (len < 0) or len bytes, as run_sha256_file. */
ss_status run_sha256_fd(int fd, const char *path, long long len,
			char hex[RUN_SHA256_HEX], long long *bytes, ss_error *e);

/* ------------------------------------------------------------ buffers */

/* A growing NUL-terminated string. An allocation failure is sticky
 * (failed = 1, later appends do nothing); check it once at the end. */
typedef struct run_buf {
	char *data;  /* NULL until the first append; owned */
	size_t len, cap;
	int failed;
} run_buf;

void run_buf_init(run_buf *b);
void run_buf_release(run_buf *b);
void run_buf_add(run_buf *b, const char *s, size_t n);
void run_buf_puts(run_buf *b, const char *s);
void run_buf_printf(run_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); valid until the next append. */
const char *run_buf_str(const run_buf *b);

/* A list of owned strings. */
typedef struct run_strv {
	char **v;
	size_t n, cap;
} run_strv;

void run_strv_init(run_strv *l);
void run_strv_release(run_strv *l);
/* Appends a copy of s. SS_ENOMEM on failure. */
ss_status run_strv_add(run_strv *l, const char *s, ss_error *e);
/* 1 when both lists hold the same strings in the same order. */
int run_strv_equal(const run_strv *a, const run_strv *b);

/* A list of files with their SHA-256: inputs and outputs of a stage. */
typedef struct run_file {
	char *path;                 /* owned */
	char sha256[RUN_SHA256_HEX];/* "" when the file does not exist */
	long long bytes;            /* -1 when unknown or absent */
	int external;               /* 1: a path outside the output tree,
				       as given; 0: relative to the output */
	/* The hash index (see run_index_hash): when indexed is 1, bytes,
	   mtime_ns and ino are the file's as it was when sha256 was taken,
	   and it was not racy then, so that an equal stat later means the
	   same bytes. 0: only the hash is known. */
	long long mtime_ns, ino;
	int indexed;
	/* the status-change time seen with the hash (0: unknown); within a
	   run it tells files nothing has touched since (run_index_hash_since) */
	long long ctime_ns;
} run_file;

typedef struct run_files {
	run_file *v;
	size_t n, cap;
} run_files;

void run_files_init(run_files *l);
void run_files_release(run_files *l);
/* Appends a copy of path with sha256 (NULL or "": absent) and bytes. */
ss_status run_files_add(run_files *l, const char *path, const char *sha256,
			long long bytes, int external, ss_error *e);
/* Appends a copy of f, its index fields included. */
ss_status run_files_add_copy(run_files *l, const run_file *f, ss_error *e);
/* The entry for path (and external flag), or NULL. Linear. */
const run_file *run_files_find(const run_files *l, const char *path,
			       int external);
/* Sorts by (external, path) in byte order, for deterministic output. */
void run_files_sort(run_files *l);

/* ------------------------------------------------------------ hash index */

/* Like git's index, the driver keeps (size, mtime in nanoseconds, inode)
 * beside each SHA-256 it records, and takes the recorded hash again
 * instead of reading the file when all three are unchanged.
 *
 * Racy files: a file rewritten with the same size within the same
 * time-stamp tick as the stat that was recorded would look unchanged. So
 * an entry is indexed only when the file's mtime was at least
 * RUN_RACY_NS older than the moment its hash was taken (and not in the
 * future); a file modified after that moment gets a newer mtime and is
 * hashed again. A file that was racy is always hashed again next time.
 * Limit: a tool that rewrites a file in place with the same size and then
 * sets its mtime back (touch -d, rsync --inplace -t) defeats the index. */
#define RUN_RACY_NS 2000000000LL

/* 1 when known is an indexed entry whose size, mtime and inode equal
 * these; 0 otherwise (known may be NULL). */
int run_index_fresh(const run_file *known, long long size, long long mtime_ns,
		    long long ino);

/* The wall clock in nanoseconds since the epoch, as file times are. */
long long run_index_now_ns(void);

/* Fills f->sha256, bytes, mtime_ns, ino and indexed for the file at path
 * (f->path and f->external untouched): the hash of known when
 * run_index_fresh, else by reading the file (stat taken on the open file
 * before it is read; indexed when not racy). *hashed (may be NULL) says
 * whether the file was read. SS_EIO naming the path. */
ss_status run_index_hash(const char *path, const run_file *known,
			 run_file *f, int *hashed, ss_error *e);

/* Within a run the driver rescans its work tree after every stage, and
 * files the earlier stages wrote are still racy then: the index alone
 * would read them all again each time (at national scale that was most
 * of the driver's second). But nothing can write a file without moving
 * its status-change time (ctime) to the moment of writing, which no
 * caller can set back. So a file whose known entry has a ctime at least
 * RUN_TICK_NS before `since` — the moment the writer that may have
 * changed the tree started — and whose size, mtime, inode and ctime are
 * all unchanged was not touched since its hash was taken, racy or not.
 * RUN_TICK_NS covers the coarse clock file times are taken from (one
 * scheduler tick, 10 ms at HZ=100). A ctime of a whole second is never
 * trusted: file systems with second-granular times give only those.
 * since 0: the index rule only (run_index_hash). Limit: it assumes file
 * times come from the driver's own clock; a network file system whose
 * server clock runs behind could date a rewrite before `since`, so the
 * output directory belongs on a local file system. */
#define RUN_TICK_NS 20000000LL
int run_index_untouched(const run_file *known, long long since_ns,
			long long size, long long mtime_ns, long long ino,
			long long ctime_ns);
ss_status run_index_hash_since(const char *path, const run_file *known,
			       long long since_ns, run_file *f, int *hashed,
			       ss_error *e);

/* ------------------------------------------------------------ JSON */

/* Appends s as a JSON string literal with its quotes: '"' and '\\'
 * escaped, control characters as \b \f \n \r \t or \u00XX, valid UTF-8
 * copied, and every byte that is not part of valid UTF-8 (overlong forms
 * and surrogates included) written as \ufffd, so the output is always
 * valid JSON. */
void run_json_put_string(run_buf *b, const char *s);

typedef enum run_json_type {
	RUN_JSON_NULL,
	RUN_JSON_BOOL,
	RUN_JSON_NUMBER,
	RUN_JSON_STRING,
	RUN_JSON_ARRAY,
	RUN_JSON_OBJECT
} run_json_type;

/* A parsed JSON value. Objects keep their keys in document order. */
typedef struct run_json {
	run_json_type type;
	int boolean;            /* RUN_JSON_BOOL */
	char *text;             /* RUN_JSON_STRING: the decoded string (UTF-8,
				   may hold NUL from \u0000: use len);
				   RUN_JSON_NUMBER: the number as written */
	size_t len;             /* bytes of text */
	struct run_json *items; /* array elements or object values */
	char **keys;            /* object keys (decoded); NULL for arrays */
	size_t n;
} run_json;

/* Parses text[0..len) (RFC 8259; nesting limited to 64 levels, one value
 * with only white space around it) into *root. SS_EDATA with
 * "name:line:column" for malformed input, SS_ENOMEM. The caller releases
 * *root with run_json_release even on failure. */
ss_status run_json_parse(run_json *root, const char *text, size_t len,
			 const char *name, ss_error *e);
void run_json_release(run_json *v);

/* Member key of an object, or NULL (also when v is NULL or no object). */
const run_json *run_json_get(const run_json *v, const char *key);
/* The string, or NULL when v is not a string. */
const char *run_json_str(const run_json *v);
/* 1 and *out when v is a number holding a whole number (no fraction or
 * exponent) that fits; else 0. */
int run_json_ll(const run_json *v, long long *out);

/* ------------------------------------------------------------ config */

/* Everything a run needs. Strings are owned (NULL: not set). */
typedef struct run_config {
	char *config_path;  /* the INI file read, if any */
	char *input;        /* input directory (contract tables) */
	char *output;       /* output directory */
	char *unit;         /* unit name for the report ("Phường Hòa Bình") */
	char *year;         /* report year "2024-2025" (charts, report) */
	char *number_style; /* "vi" or "en"; NULL: detected per file */
	char *encoding;     /* ingest --encoding; NULL: UTF-8 */
	char *norms;        /* norm table; NULL: data/norms.csv */
	int strict;         /* ingest --strict: a rejected row fails the run */
	char *audit_margin_pct;  /* audit --margin-pct; NULL: its default */
	char *audit_margin_abs;  /* audit --margin-abs; NULL: its default */
	char *reference_date;    /* accreditation --reference-date; NULL:
				    from the data */
	char *bin_dir;      /* where schoolstat-<stage> programs are */
	/* run-time settings, never from the INI file */
	int verbose;        /* stages print straight to stderr */
	char *source_date_epoch;  /* SOURCE_DATE_EPOCH passed to the stages
				     (the report stage's key includes it) */
	char *delay_stage;  /* test hook: sleep before exec of this stage */
	double delay_seconds;
} run_config;

void run_config_init(run_config *c);
void run_config_release(run_config *c);

/* Parses an INI text into c:
 *     ; comment (also #), at the start of a line
 *     [report]
 *     unit = Phường Hòa Bình
 *     year = 2024-2025
 *     input = sample            ; paths relative to base_dir
 *     output = ../output
 *     number_style = vi         ; vi, en or auto
 *     encoding = utf-8          ; utf-8, cp1258, tcvn3
 *     norms = norms.csv
 *     strict = no               ; yes/no, true/false, on/off, 1/0
 * A value may be put in double quotes to keep spaces at its ends. UTF-8
 * BOM and CRLF are accepted. Relative paths (input, output, norms) get
 * base_dir in front (NULL or "": kept as written). Unknown sections and
 * keys, a key given twice, a key outside [report], an empty or invalid
 * value: SS_EDATA with name:line:column. Values replace those already in
 * c. */
ss_status run_config_parse(run_config *c, const char *text, size_t len,
			   const char *name, const char *base_dir,
			   ss_error *e);

/* Reads the INI file at path (relative paths in it are relative to the
 * file's directory) and records config_path. SS_EIO when unreadable. */
ss_status run_config_load(run_config *c, const char *path, ss_error *e);

/* Sets one [report] key from the command line, with the same checks
 * (paths used as given). SS_EUSAGE for an unknown key or a bad value. */
ss_status run_config_set(run_config *c, const char *key, const char *value,
			 ss_error *e);

/* Checks that input and output are set and that output names a directory
 * that can be replaced (not "/", ".", ".." or ending in one). SS_EUSAGE. */
ss_status run_config_check(const run_config *c, ss_error *e);

/* ------------------------------------------------------------ stages */

enum {
	RUN_READS_INPUT = 1u << 0,    /* the contract tables of the input dir */
	RUN_READS_NORMS = 1u << 1,    /* the norm table */
	RUN_READS_ALL = 1u << 2,      /* every file of the output tree so far */
	RUN_TAKES_YEAR = 1u << 3,     /* --year */
	RUN_TAKES_UNIT = 1u << 4,     /* --unit */
	RUN_TAKES_EPOCH = 1u << 5,    /* SOURCE_DATE_EPOCH */
	RUN_TAKES_MARGINS = 1u << 6,  /* --margin-pct, --margin-abs (audit) */
	RUN_TAKES_REF_DATE = 1u << 7, /* --reference-date (accreditation) */
	/* Runs at the same time as the stage before it when both rerun: it
	 * reads none of that stage's outputs (its RUN_READS_ALL is then the
	 * tree before that stage), and that stage writes only under its
	 * writes prefixes. */
	RUN_BESIDE_PREV = 1u << 8
};

/* One stage of the pipeline, in run order. exit_code is the driver's exit
 * status when this stage fails (fixed: ingest 10, indicators 11, norms 12,
 * gaps 13, audit 14, accreditation 15, charts 16, report 17). reads lists
 * the files of the output tree the stage reads (NULL-terminated); writes,
 * when not NULL, the path prefixes of every file it writes (needed only
 * for the two stages of a pair: see RUN_BESIDE_PREV; a file under neither
 * makes both rerun next time). */
typedef struct run_stage_def {
	const char *name;
	int exit_code;
	unsigned flags;
	const char *const *reads;
	const char *const *writes;
} run_stage_def;

/* Whether path is under one of d's writes prefixes (0 when it has none). */
int run_stage_writes(const run_stage_def *d, const char *path);

/* The stages in run order (static storage). */
const run_stage_def *run_stages(size_t *n);
/* The stage named name, or NULL. */
const run_stage_def *run_stage_find(const char *name);

/* The options a stage gets from c, without the output directory (which
 * the driver appends): ingest gets [--number-style S] [--encoding E]
 * [--strict] INPUT; norms --norms FILE; charts [--year Y]; report
 * [--unit U] [--year Y]; the others nothing. */
ss_status run_stage_args(const run_stage_def *d, const run_config *c,
			 run_strv *args, ss_error *e);

typedef enum run_stage_status {
	RUN_STAGE_PENDING,  /* not reached (an earlier stage failed) */
	RUN_STAGE_RERUN,    /* the program ran and succeeded */
	RUN_STAGE_REUSED,   /* inputs unchanged: previous outputs copied */
	RUN_STAGE_FAILED,   /* the program failed or was killed */
	RUN_STAGE_ABSENT    /* its program is not built */
} run_stage_status;

/* "pending", "rerun", "reused", "failed", "absent". */
const char *run_stage_status_name(run_stage_status s);
/* The status named s; RUN_STAGE_PENDING for anything else. */
run_stage_status run_stage_status_from_name(const char *s);

typedef enum run_vmode {
	RUN_VAL_NONE,     /* did not touch validation.csv */
	RUN_VAL_APPEND,   /* appended (or created it) */
	RUN_VAL_REPLACE   /* rewrote it */
} run_vmode;

/* What the manifest records of one stage. */
typedef struct run_stage_rec {
	char *stage;                 /* owned */
	run_stage_status status;
	int reusable;    /* 0 when it changed or removed files of earlier
			    stages: such a stage is always rerun */
	double seconds;
	int exit_status; /* of the program; -1 when it did not exit */
	int signal;      /* that killed it; 0 when none */
	char *binary;    /* program path */
	char binary_sha256[RUN_SHA256_HEX];
	char key[RUN_SHA256_HEX]; /* SHA-256 of all of the below */
	run_strv args;   /* without the output directory */
	run_strv env;    /* "NAME=value" that the stage depends on */
	run_files inputs;
	run_files outputs;
	run_vmode vmode;
	long long voffset, vbytes;   /* its part of the final validation.csv */
	char vsha256[RUN_SHA256_HEX];
	char *why;       /* why it was rerun, absent or failed; may be NULL */
} run_stage_rec;

void run_stage_rec_init(run_stage_rec *r);
void run_stage_rec_release(run_stage_rec *r);

/* Computes r->key from binary_sha256, args, env and inputs (sorted first)
 * as the SHA-256 of a length-prefixed canonical text. SS_ENOMEM. */
ss_status run_stage_key(run_stage_rec *r, ss_error *e);

typedef enum run_decision { RUN_DECIDE_RERUN, RUN_DECIDE_REUSE } run_decision;

/* Whether cur (binary, args, env and inputs filled, key computed) can
 * reuse the outputs of prev, the record of the same stage in the previous
 * manifest (NULL when there is none). On RUN_DECIDE_RERUN, why (size > 0)
 * gets the first reason, e.g. "clean/targets.csv changed",
 * "options changed", "program build/bin/schoolstat-norms changed",
 * "no previous run". */
run_decision run_decide(const run_stage_rec *prev, const run_stage_rec *cur,
			char *why, size_t size);

/* Whether cur must rerun whatever its inputs hold: no usable prev, or
 * another program, options or environment (binary, args and env filled).
 * Then why gets the reason run_decide would give and 1 is returned, and
 * the driver may hash the inputs while the stage runs; else 0. */
int run_decide_settled(const run_stage_rec *prev, const run_stage_rec *cur,
		       char *why, size_t size);

/* ------------------------------------------------------------ manifest */

/* One input table: what ingest read (hashed by the driver) and what
 * clean/sources.csv says of it. */
typedef struct run_table {
	char *table;      /* "schools.csv" */
	char *path;       /* as read */
	int present;
	char sha256[RUN_SHA256_HEX];
	long long bytes, rows_read, rows_accepted, rows_rejected; /* -1 unknown */
} run_table;

typedef struct run_manifest {
	char *version;
	char started[32], finished[32]; /* UTC ISO 8601 "2025-06-01T02:00:00Z" */
	char *config_path, *input_dir, *output_dir;
	char *unit, *year, *number_style, *encoding, *norms;
	int strict;
	char norms_sha256[RUN_SHA256_HEX];
	run_table *tables;
	size_t ntables;
	long long nerrors, nwarnings, nrejected;  /* -1 unknown */
	run_stage_rec *stages;
	size_t nstages;
	run_files outputs;   /* every file of the output but manifest.json */
	run_strv kept;       /* top-level entries kept from the old output */
} run_manifest;

void run_manifest_init(run_manifest *m);
void run_manifest_release(run_manifest *m);

/* Appends the manifest as JSON (2-space indent, fixed key order, LF). */
void run_manifest_write_json(const run_manifest *m, run_buf *b);

/* Reads a manifest written by run_manifest_write_json: the stages (with
 * their inputs, outputs and validation parts) and the output list; other
 * members are read where present. SS_EDATA with name:line:column when the
 * text is not JSON or lacks what a decision needs. */
ss_status run_manifest_parse(run_manifest *m, const char *text, size_t len,
			     const char *name, ss_error *e);

/* The record of stage in m, or NULL. */
const run_stage_rec *run_manifest_stage(const run_manifest *m,
					const char *stage);

/* Appends run_info.csv — the manifest's essentials for the report's last
 * page, without times, so that it changes only when the data does:
 *     key,value
 *     program,schoolstat-run
 *     version,<version>
 *     input_dir,<dir>
 *     norms,<path>               (when set)
 *     norms_sha256,<hex>
 *     validation_errors,<n>
 *     validation_warnings,<n>
 *     rejected_rows,<n>
 *     tables,<number of input tables present>
 * then for each present table, in contract order:
 *     table:<file>:path,<path>
 *     table:<file>:sha256,<hex>
 *     table:<file>:rows_read,<n>
 *     table:<file>:rows_accepted,<n>
 *     table:<file>:rows_rejected,<n>
 * Unknown counts are empty. CSV quoting as csvout. */
void run_info_write_csv(const run_manifest *m, run_buf *b);

/* Formats epoch seconds as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void run_iso_time(long long epoch, char out[32]);

/* ------------------------------------------------------------ files */

/* Joins dir and name with one '/' (dir "" or NULL: name alone). Returns a
 * malloc'd string the caller frees, NULL when out of memory. */
char *run_path_join(const char *dir, const char *name);

/* Lists the regular files under dir, recursively, as paths relative to
 * dir, with their SHA-256 and size, sorted. Symbolic links and special
 * files are skipped. SS_EIO. */
ss_status run_scan_tree(const char *dir, run_files *out, ss_error *e);
/* The same, through the hash index: a file whose entry in known (paths
 * relative to dir; may be NULL) is fresh is not read. *nhashed (may be
 * NULL) gets the number of bytes read. */
ss_status run_scan_tree_indexed(const char *dir, const run_files *known,
				run_files *out, long long *nhashed,
				ss_error *e);
/* The same, also taking the hash of a file untouched since since_ns
 * (run_index_hash_since). */
ss_status run_scan_tree_since(const char *dir, const run_files *known,
			      long long since_ns, run_files *out,
			      long long *nhashed, ss_error *e);

/* Copies src to dst (created; its parent directories too), keeping mode
 * and modification time, and hashes what was copied into hex (may be
 * NULL). The copy is written fresh: dst must not exist. SS_EIO, naming the
 * path (a full disk says "No space left on device"). */
ss_status run_copy_file(const char *src, const char *dst,
			char hex[RUN_SHA256_HEX], long long *bytes,
			ss_error *e);

/* The same, through the hash index: when known (may be NULL) is fresh
 * for src, the bytes are copied without hashing and known's hash is taken.
 * *got gets the hash, bytes, mtime_ns, ino and indexed of dst (path and
 * external untouched); *hashed (may be NULL) whether src was hashed. */
ss_status run_copy_file_indexed(const char *src, const char *dst,
				const run_file *known, run_file *got,
				int *hashed, ss_error *e);

/* Copies the tree at src (a file or directory) to dst. */
ss_status run_copy_tree(const char *src, const char *dst, ss_error *e);

/* Removes path and everything under it without following symbolic links.
 * A missing path is not an error. SS_EIO. */
ss_status run_remove_tree(const char *path, ss_error *e);

/* Reads a whole file into a malloc'd buffer (NUL-terminated; *len bytes).
 * SS_EIO (errno ENOENT kept in *missing when not NULL). */
ss_status run_read_file(const char *path, char **data, size_t *len,
			int *missing, ss_error *e);

/* Writes data to path (created or truncated) and fsyncs it. SS_EIO. */
ss_status run_write_file(const char *path, const char *data, size_t len,
			 ss_error *e);

/* ------------------------------------------------------------ engine */

typedef enum run_outcome {
	RUN_OUT_OK,          /* every stage succeeded; outputs published */
	RUN_OUT_ERROR,       /* the driver itself failed (see the status) */
	RUN_OUT_LOCKED,      /* another run holds OUTPUT.lock */
	RUN_OUT_STAGE_FAILED,/* a stage failed; outputs untouched */
	RUN_OUT_INTERRUPTED  /* SIGTERM, SIGINT or SIGHUP; outputs untouched */
} run_outcome;

typedef struct run_stage_event {
	const char *stage;
	run_stage_status status;  /* RERUN, REUSED, FAILED or ABSENT */
	double seconds;
	const char *why;      /* reason for a rerun, failure or absence; may
				 be NULL */
	const char *log_path; /* what a failed stage printed, when captured;
				 NULL otherwise; valid during the call only */
} run_stage_event;

/* How the engine talks: a note is a full sentence for the log (stale work
 * directory removed, unreadable previous manifest, ...). Either function
 * may be NULL. */
typedef struct run_hooks {
	void (*note)(void *ctx, const char *msg);
	void (*stage)(void *ctx, const run_stage_event *ev);
	void *ctx;
} run_hooks;

typedef struct run_result {
	run_outcome outcome;
	const run_stage_def *failed;  /* RUN_OUT_STAGE_FAILED */
	int signal;                   /* RUN_OUT_INTERRUPTED: the signal */
	long lock_holder;             /* RUN_OUT_LOCKED: pid in the lock file, or 0 */
	char lock_path[ERR_FILE_MAX];
	int had_output;               /* the output existed before the run */
	size_t nrerun, nreused, nabsent;
	long long nerrors, nwarnings, nrejected;  /* of the published run */
} run_result;

/* Runs the pipeline as described at the top of this file. Returns SS_OK
 * with res->outcome saying what happened, or an error status with
 * res->outcome RUN_OUT_ERROR: SS_EUSAGE (incomplete config, an output that is
 * not a directory this driver wrote), SS_EIO, SS_ENOMEM. In every outcome
 * but RUN_OUT_OK the previous outputs are untouched and the work directory is
 * removed. Signals SIGTERM, SIGINT, SIGHUP and SIGCHLD are blocked during
 * the call (and SIGXFSZ ignored, so an over-large write fails instead of
 * killing the driver); the mask and dispositions are restored on return.
 * Stage programs run with the caller's environment and signal defaults,
 * and die with the driver (PR_SET_PDEATHSIG). */
ss_status run_execute(const run_config *c, const run_hooks *hooks,
		      run_result *res, ss_error *e);

#endif
