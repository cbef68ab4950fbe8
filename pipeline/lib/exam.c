/* exam — exam_scores.csv reduced in one pass to exact per-group aggregates.
 *
 * The hot loop is built for a national file (a million rows, ~60 bytes
 * each) on one core:
 *  - lines are found with memchr in a large buffer and split eight bytes
 *    at a time into field offsets; the line itself is never modified, so
 *    it is also the raw text of a rejected row;
 *  - the (year, exam) cells are compared with the last spelling seen and
 *    the school_id cell is looked up as raw bytes in that session's hash
 *    table, so normalisation (field_normalize) and the school check run
 *    once per distinct spelling, not once per row;
 *  - a score is usually 1-4 characters ("7", "6.25"), read by one table
 *    look-up built from the shapes num_parse_hundredths reads the same in
 *    either number style; everything else goes through
 *    num_parse_hundredths;
 *  - an on-grid score is one increment of a 16-bit counter (a school's
 *    201 counters per subject are 402 bytes, so 2,500 schools x 9 subjects
 *    stay near the caches); the exact sums follow from the counts when the
 *    file is written. Off-grid scores, and a counter about to wrap, go to
 *    a stats_scores kept beside it.
 * Anything unusual in a line (a quote, NUL, CR, bad UTF-8, an over-long
 * line) hands that record to csvin over a copy of it, so fields, columns
 * and messages are csvin's own; see the header.
 *
 * With two threads (exam_options.threads), a second thread reduces the
 * second half of a large input speculatively while the main thread reads
 * the first, and the halves are merged only when that must give the one
 * pass's outputs (see "two halves"); the histogram's rows are then also
 * formatted by two threads.
 */
#include "exam.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvin.h"
#include "csvout.h"
#include "field.h"
#include "schema.h"
#include "text.h"

/* Read buffer floor; the buffer also holds 4 record limits so that any
 * record csvin could accept is whole in it when it is handed over. */
#define EXAM_BUF_MIN ((size_t)8 << 20)
/* Bytes of a cell value quoted in a message. */
#define EXAM_SHOW_MAX 80
#define EXAM_GRID_STEP 5   /* hundredths: the 0.05 grid */
#define EXAM_SCORE_MAX 1000
#define EXAM_SLACK 16

/* Word-at-a-time scanning where the byte order is known to be little
 * endian (x86-64, arm64); byte loops elsewhere. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define EXAM_SWAR 1
#endif

/* The four key columns, in schema order. */
enum { KEY_YEAR, KEY_EXAM, KEY_CANDIDATE, KEY_SCHOOL, NKEYS };
static const char *const key_names[NKEYS] = { "year", "exam", "candidate_id",
					      "school_id" };

/* ------------------------------------------------------------ id sets */

/* Digit strings of 1..9 digits, each length its own range, so "0123" and
 * "123" stay different ids: key = sum_{k<len} 10^k + value, below
 * IDS_NUMERIC_KEYS. With the session number in front (from bit
 * IDS_SESSION_SHIFT, so that a page never holds two sessions and the sets
 * of two halves of a file can be compared page by page), every (year,
 * exam, id) is one bit of a sparse bitmap whose 512-bit pages live in a
 * hash table and are carved from 64 KiB slabs: a national file, whose ids
 * run in blocks per province, needs a few thousand pages (~200 KiB) for a
 * million candidates, and a file of scattered ids at most one page per id
 * — never a directory per session that a file with many exams would
 * multiply. Other ids are hashed with a salt made from the session's
 * normalized names, not its number, for the same comparison. */
#define IDS_NUMERIC_KEYS 1111111110ULL
#define IDS_SESSION_SHIFT 31
#define IDS_PAGE_SHIFT 9
#define IDS_PAGE_IN_SESSION ((1ULL << (IDS_SESSION_SHIFT - IDS_PAGE_SHIFT)) - 1)
#define IDS_PAGE_WORDS ((1u << IDS_PAGE_SHIFT) / 64)
#define IDS_SLAB_WORDS 8192

static const uint64_t ids_len_base[10] = {
	0, 0, 10, 110, 1110, 11110, 111110, 1111110, 11111110, 111111110
};

typedef struct idpage {
	uint64_t key; /* page number + 1; 0 marks an empty slot */
	uint64_t *bits;
} idpage;

typedef struct idset {
	idpage *pages;
	size_t pcap, pcount;
	uint64_t last_key;  /* the page used last: ids come in runs */
	uint64_t *last_bits;
	uint64_t **slabs;
	size_t nslabs, slab_used;
	uint64_t *hashes;   /* other ids; 0 marks an empty slot */
	size_t hcap, hcount;
} idset;

static void idset_release(idset *s)
{
	size_t i;

	for (i = 0; i < s->nslabs; i++)
		free(s->slabs[i]);
	free(s->slabs);
	free(s->pages);
	free(s->hashes);
	memset(s, 0, sizeof *s);
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* A word-at-a-time multiplicative hash with the MurmurHash3 finaliser
 * (fmix64), so that the low bits used for slots depend on every byte. The
 * value depends on the machine's byte order, which only changes where
 * entries sit in the tables, never an output. */
static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n, w;
	unsigned char tail[8] = { 0 };

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	if (n) {
		/* byte by byte: a variable-length memcpy is a library call */
		switch (n) {
		case 7: tail[6] = (unsigned char)s[6]; /* fall through */
		case 6: tail[5] = (unsigned char)s[5]; /* fall through */
		case 5: tail[4] = (unsigned char)s[4]; /* fall through */
		case 4: tail[3] = (unsigned char)s[3]; /* fall through */
		case 3: tail[2] = (unsigned char)s[2]; /* fall through */
		case 2: tail[1] = (unsigned char)s[1]; /* fall through */
		default: tail[0] = (unsigned char)s[0];
		}
		memcpy(&w, tail, 8);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	return mix64(h);
}

static int idset_hash_grow(idset *s)
{
	size_t ncap = s->hcap ? s->hcap * 2 : 1024, i, j;
	uint64_t *nh = calloc(ncap, sizeof *nh);

	if (!nh)
		return -1;
	for (i = 0; i < s->hcap; i++) {
		if (!s->hashes[i])
			continue;
		for (j = s->hashes[i] & (ncap - 1); nh[j]; j = (j + 1) & (ncap - 1))
			;
		nh[j] = s->hashes[i];
	}
	free(s->hashes);
	s->hashes = nh;
	s->hcap = ncap;
	return 0;
}

static int idset_pages_grow(idset *s)
{
	size_t ncap = s->pcap ? s->pcap * 2 : 1024, i, j;
	idpage *np = calloc(ncap, sizeof *np);

	if (!np)
		return -1;
	for (i = 0; i < s->pcap; i++) {
		if (!s->pages[i].key)
			continue;
		for (j = mix64(s->pages[i].key) & (ncap - 1); np[j].key;
		     j = (j + 1) & (ncap - 1))
			;
		np[j] = s->pages[i];
	}
	free(s->pages);
	s->pages = np;
	s->pcap = ncap;
	return 0;
}

/* The bits of page `key` (page number + 1), or NULL when it has none. */
static const uint64_t *idset_find_page(const idset *s, uint64_t key)
{
	size_t i;

	if (!s->pcap)
		return NULL;
	for (i = mix64(key) & (s->pcap - 1); s->pages[i].key;
	     i = (i + 1) & (s->pcap - 1))
		if (s->pages[i].key == key)
			return s->pages[i].bits;
	return NULL;
}

/* The bits of page `key` (page number + 1), created zeroed; NULL when out
 * of memory. */
static uint64_t *idset_page(idset *s, uint64_t key)
{
	size_t i;
	uint64_t *bits;

	if (key == s->last_key)
		return s->last_bits;
	if (s->pcap) {
		for (i = mix64(key) & (s->pcap - 1); s->pages[i].key;
		     i = (i + 1) & (s->pcap - 1))
			if (s->pages[i].key == key) {
				s->last_key = key;
				return s->last_bits = s->pages[i].bits;
			}
	}
	if ((s->pcount + 1) * 2 > s->pcap && idset_pages_grow(s) != 0)
		return NULL;
	if (!s->nslabs || s->slab_used + IDS_PAGE_WORDS > IDS_SLAB_WORDS) {
		uint64_t **ns = realloc(s->slabs, (s->nslabs + 1) * sizeof *ns);

		if (!ns)
			return NULL;
		s->slabs = ns;
		ns[s->nslabs] = calloc(IDS_SLAB_WORDS, sizeof(uint64_t));
		if (!ns[s->nslabs])
			return NULL;
		s->nslabs++;
		s->slab_used = 0;
	}
	bits = s->slabs[s->nslabs - 1] + s->slab_used;
	s->slab_used += IDS_PAGE_WORDS;
	for (i = mix64(key) & (s->pcap - 1); s->pages[i].key;
	     i = (i + 1) & (s->pcap - 1))
		;
	s->pages[i].key = key;
	s->pages[i].bits = bits;
	s->pcount++;
	s->last_key = key;
	return s->last_bits = bits;
}

/* The value of id[0..n) when it is 1 to 9 ASCII digits: 1 and *out,
 * else 0. */
static int numeric_id(const char *id, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

#ifdef EXAM_SWAR
	if (n == 8) {
		/* eight digits at once (số báo danh): each byte minus '0'
		 * must be 0-9; then pairs, quads and the whole are combined
		 * by multiplication (first digit in the lowest byte) */
		uint64_t w, d;

		memcpy(&w, id, 8);
		d = w - 0x3030303030303030ULL;
		if (((d + 0x7676767676767676ULL) | d) & 0x8080808080808080ULL)
			return 0;
		d = d * 10 + (d >> 8);
		*out = (((d & 0x000000FF000000FFULL) *
			 (100 + (1000000ULL << 32))) +
			(((d >> 16) & 0x000000FF000000FFULL) *
			 (1 + (10000ULL << 32)))) >>
		       32;
		return 1;
	}
#endif
	if (n < 1 || n > 9)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)((unsigned char)id[i] - '0');

		if (d > 9)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

/* Adds id[0..n) of session sess, whose names hash to salt. Returns 1
 * when it is new, 0 when already present, -1 when out of memory. */
static int idset_add(idset *s, size_t sess, uint64_t salt, const char *id,
		     size_t n)
{
	uint64_t key, h, bit, *bits;
	size_t i;

	if (numeric_id(id, n, &key)) {
		key += ids_len_base[n] + ((uint64_t)sess << IDS_SESSION_SHIFT);
		bits = idset_page(s, (key >> IDS_PAGE_SHIFT) + 1);
		if (!bits)
			return -1;
		i = (size_t)(key & ((1u << IDS_PAGE_SHIFT) - 1));
		bit = (uint64_t)1 << (i & 63);
		if (bits[i >> 6] & bit)
			return 0;
		bits[i >> 6] |= bit;
		return 1;
	}
	h = mix64(hash_bytes(id, n) ^ salt);
	if (!h)
		h = 1;
	if ((s->hcount + 1) * 2 > s->hcap && idset_hash_grow(s) != 0)
		return -1;
	for (i = h & (s->hcap - 1); s->hashes[i]; i = (i + 1) & (s->hcap - 1))
		if (s->hashes[i] == h)
			return 0;
	s->hashes[i] = h;
	s->hcount++;
	return 1;
}

static int idset_has_hash(const idset *s, uint64_t h)
{
	size_t i;

	if (!s->hcap)
		return 0;
	for (i = h & (s->hcap - 1); s->hashes[i]; i = (i + 1) & (s->hcap - 1))
		if (s->hashes[i] == h)
			return 1;
	return 0;
}

/* Whether b holds an id that a holds too in the same session; b's session
 * i is a's session b_to_a[i], or none when -1. */
static int idset_overlap(const idset *a, const idset *b, const long *b_to_a)
{
	size_t i, w;

	for (i = 0; i < b->pcap; i++) {
		uint64_t page = b->pages[i].key - 1;
		long sa;
		const uint64_t *bits;

		if (!b->pages[i].key)
			continue;
		sa = b_to_a[page >> (IDS_SESSION_SHIFT - IDS_PAGE_SHIFT)];
		if (sa < 0)
			continue;
		bits = idset_find_page(a, (((uint64_t)sa << (IDS_SESSION_SHIFT -
							      IDS_PAGE_SHIFT)) |
					   (page & IDS_PAGE_IN_SESSION)) + 1);
		if (!bits)
			continue;
		for (w = 0; w < IDS_PAGE_WORDS; w++)
			if (bits[w] & b->pages[i].bits[w])
				return 1;
	}
	for (i = 0; i < b->hcap; i++)
		if (b->hashes[i] && idset_has_hash(a, b->hashes[i]))
			return 1;
	return 0;
}

/* ------------------------------------------------------------ groups */

/* A spelling of school_id -> group, within one session. */
typedef struct key_entry {
	uint64_t hash;
	char *key;
	size_t len;
	size_t group;
} key_entry;

typedef struct keymap {
	key_entry *slots;
	size_t n, cap;
} keymap;

/* One (year, exam): its normalized names and its schools. */
typedef struct session {
	char *year, *exam; /* one allocation, at year */
	uint64_t id_salt;  /* hash of the names, for idset_add */
	keymap schools;    /* raw and normalized school_id spellings */
} session;

/* A raw spelling of (year, exam) -> session. */
typedef struct spelling {
	char *text; /* the year's bytes, then the exam's */
	size_t ny, nx;
	size_t session;
} spelling;

typedef struct group {
	const char *year, *exam; /* the session's */
	char *school;
	size_t session;
	uint16_t **bins;     /* per subject: STATS_GRID_BINS counts or NULL */
	stats_scores *spill; /* NULL, or per subject: off-grid and overflow */
} group;

/* ------------------------------------------------------------ rows */

/* A record to validate: csvin's fields, or the own scanner's line with
 * the offsets of its fields (not NUL-terminated: the line stays as read,
 * so it is also the raw text of a reject). */
typedef struct rowview {
	long line;
	size_t nfields;
	char **fields;        /* csvin: NUL-terminated fields, else NULL */
	const long *columns;  /* csvin's columns, or NULL: from offs */
	const char *base;     /* own scanner: the line, NUL-terminated */
	const size_t *offs;   /* byte offset of each field in base */
	size_t base_len;
	int ascii;
	const char *raw;      /* csvin's raw text */
} rowview;

enum { CLS_DELIM = 1, CLS_SPECIAL = 2, CLS_HIGH = 4 };

struct split_job;

typedef struct reducer {
	const char *name;
	exam_options opt;
	num_style style;
	diag_sink *diag;
	const schema_table *schema;
	char delim;

	size_t ncols;
	int key_col[NKEYS];
	const schema_column *key_schema[NKEYS];
	size_t nsubj;
	char **subjects;
	size_t *subj_col; /* subject -> column */

	group *groups;
	size_t ngroups, cap_groups;
	session *sessions;
	size_t nsessions, cap_sessions;
	spelling *spellings;
	size_t nspellings, cap_spellings, last_spelling;
	idset ids;

	long *vals;      /* per subject: hundredths, or -1 for blank */
	int16_t *score_value;        /* see build_score_table */
	uint16_t scratch_count;      /* see commit_scores */
	unsigned char score_code[256];
	size_t *offs;    /* own scanner: field offsets */
	char *scratch;   /* a field copied to be NUL-terminated */
	size_t cap_scratch;
	unsigned char cls[256];

	exam_counts counts;
	long off_line, off_col;
	char off_value[EXAM_SHOW_MAX + 4];
	char off_subject[128];

	int row_errors;
	char reason[1400];
	ss_status fatal;

	/* Reading in two halves (see split_start): the main thread's
	 * reducer has the pending second half in split; the second half's
	 * reducer is speculative — it reports nothing and gives up
	 * (abandoned) at the first thing a clean row would not do, or when
	 * the main thread sets *stop. */
	struct split_job *split;
	int speculative;
	int abandoned;
	atomic_int *stop;
} reducer;

void exam_options_init(exam_options *o)
{
	memset(o, 0, sizeof *o);
	o->threads = 1;
	o->min_split_bytes = EXAM_MIN_SPLIT_DEFAULT;
}

static void reducer_release(reducer *r)
{
	size_t i, j;

	for (i = 0; i < r->ngroups; i++) {
		group *g = &r->groups[i];

		for (j = 0; j < r->nsubj; j++) {
			free(g->bins[j]);
			if (g->spill)
				stats_scores_release(&g->spill[j]);
		}
		free(g->bins);
		free(g->spill);
		free(g->school);
	}
	free(r->groups);
	for (i = 0; i < r->nsessions; i++) {
		keymap *m = &r->sessions[i].schools;

		for (j = 0; j < m->cap; j++)
			free(m->slots[j].key);
		free(m->slots);
		free(r->sessions[i].year);
	}
	free(r->sessions);
	for (i = 0; i < r->nspellings; i++)
		free(r->spellings[i].text);
	free(r->spellings);
	idset_release(&r->ids);
	for (i = 0; i < r->nsubj; i++)
		free(r->subjects[i]);
	free(r->subjects);
	free(r->subj_col);
	free(r->vals);
	free(r->score_value);
	free(r->scratch);
	free(r->offs);
}

/* ------------------------------------------------------------ messages */

/* Copies s[0..n) for a message, at most EXAM_SHOW_MAX bytes cut at a
 * character boundary, with "..." when cut. */
static const char *show(const char *s, size_t n, char *buf)
{
	size_t k = n;

	if (k > EXAM_SHOW_MAX) {
		k = EXAM_SHOW_MAX;
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
	}
	memcpy(buf, s, k);
	strcpy(buf + k, k < n ? "..." : "");
	return buf;
}

static long row_column(const rowview *rv, size_t i)
{
	if (rv->columns)
		return rv->columns[i];
	if (rv->ascii)
		return (long)rv->offs[i] + 1;
	return (long)text_utf8_chars(rv->base, rv->offs[i]) + 1;
}

static inline const char *row_ptr(const rowview *rv, size_t i)
{
	return rv->offs ? rv->base + rv->offs[i] : rv->fields[i];
}

static inline size_t row_len(const rowview *rv, size_t i)
{
	if (!rv->offs)
		return strlen(rv->fields[i]);
	/* offs[nfields] is base_len + 1, as if a delimiter ended the line */
	return rv->offs[i + 1] - 1 - rv->offs[i];
}

/* Field i as a C string, for the library's parsers (the slow paths). A
 * field of the own scanner is copied to r->scratch, valid until the next
 * call. */
static const char *row_str(reducer *r, const rowview *rv, size_t i)
{
	size_t n;

	if (!rv->offs)
		return rv->fields[i];
	n = row_len(rv, i);
	if (n + 1 > r->cap_scratch) {
		char *ns = realloc(r->scratch, n + 1);

		if (!ns) {
			r->fatal = SS_ENOMEM;
			return "";
		}
		r->scratch = ns;
		r->cap_scratch = n + 1;
	}
	memcpy(r->scratch, rv->base + rv->offs[i], n);
	r->scratch[n] = '\0';
	return r->scratch;
}

static void row_error(reducer *r, const rowview *rv, const char *code,
		      long column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Reports one problem of the row; the first becomes the reject reason. */
static void row_error(reducer *r, const rowview *rv, const char *code,
		      long column, const char *fmt, ...)
{
	char msg[sizeof r->reason];
	va_list ap;

	if (r->speculative) {
		r->abandoned = 1;
		r->row_errors++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (diag_report(r->diag, DIAG_ERROR, code, r->name, rv->line, column,
			"%s", msg) != SS_OK)
		r->fatal = SS_ENOMEM;
	if (r->row_errors++ == 0)
		memcpy(r->reason, msg, sizeof msg);
}

/* Rejects the row with its first problem. */
static void row_reject(reducer *r, rowview *rv)
{
	if (r->speculative) {
		r->abandoned = 1;
		return;
	}
	if (diag_reject_row(r->diag, r->name, rv->line, r->reason,
			    rv->raw ? rv->raw : rv->base) != SS_OK)
		r->fatal = SS_ENOMEM;
	r->counts.rows_rejected++;
}

/* ------------------------------------------------------------ header */

static ss_status header_error(reducer *r, ss_error *e, int *first,
			      const char *code, long line, long column,
			      const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static ss_status header_error(reducer *r, ss_error *e, int *first,
			      const char *code, long line, long column,
			      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (diag_report(r->diag, DIAG_ERROR, code, r->name, line, column, "%s",
			msg) != SS_OK)
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	if (*first) {
		*first = 0;
		err_set(e, SS_EDATA, r->name, line, column, "%s", msg);
	}
	return SS_EDATA;
}

static const char *status_code(csvin_row_status st)
{
	switch (st) {
	case CSVIN_ROW_OK:
		return "ok";
	case CSVIN_ROW_BAD_QUOTE:
		return "bad_quote";
	case CSVIN_ROW_TOO_LONG:
		return "line_too_long";
	case CSVIN_ROW_BAD_TEXT:
		return "bad_text";
	}
	return "bad_record";
}

static ss_status oom(ss_error *e)
{
	return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Maps the header's columns: the four keys by name or alias, every other
 * column a subject named by its folded header. */
static ss_status take_header(reducer *r, const csvin_row *h, ss_error *e)
{
	ss_status st = SS_OK;
	int first = 1, k;
	size_t i, j, n = h->nfields;
	char folded[256];

	if (h->status != CSVIN_ROW_OK)
		return header_error(r, e, &first, status_code(h->status),
				    h->line, h->problem_column,
				    "bad header: %s", h->problem);
	r->ncols = n;
	r->subjects = calloc(n, sizeof *r->subjects);
	r->subj_col = malloc(n * sizeof *r->subj_col);
	r->offs = malloc((n + 1) * sizeof *r->offs);
	r->vals = malloc(n * sizeof *r->vals);
	if (!r->subjects || !r->subj_col || !r->offs ||
	    !r->vals)
		return oom(e);
	for (k = 0; k < NKEYS; k++)
		r->key_col[k] = -1;
	for (i = 0; i < n; i++) {
		char buf[EXAM_SHOW_MAX + 4];
		const char *name = h->fields[i];
		int idx = schema_column_index(r->schema, name);

		if (idx >= 0 && idx < NKEYS) {
			if (r->key_col[idx] >= 0) {
				st = header_error(
					r, e, &first, "duplicate_column",
					h->line, h->columns[i],
					"duplicate column '%s' (expected %s once; first at column %ld)",
					show(name, strlen(name), buf),
					key_names[idx],
					h->columns[r->key_col[idx]]);
				if (st == SS_ENOMEM)
					return st;
				continue;
			}
			r->key_col[idx] = (int)i;
			continue;
		}
		if (text_fold(name, folded, sizeof folded) >= sizeof folded) {
			st = header_error(r, e, &first, "bad_header", h->line,
					  h->columns[i],
					  "column name too long '%s' (expected a subject name of at most %zu bytes)",
					  show(name, strlen(name), buf),
					  sizeof folded - 1);
			if (st == SS_ENOMEM)
				return st;
			continue;
		}
		if (!folded[0]) {
			st = header_error(r, e, &first, "bad_header", h->line,
					  h->columns[i],
					  "empty column name '%s' (expected a subject name)",
					  show(name, strlen(name), buf));
			if (st == SS_ENOMEM)
				return st;
			continue;
		}
		for (j = 0; j < r->nsubj; j++)
			if (strcmp(r->subjects[j], folded) == 0)
				break;
		if (j < r->nsubj) {
			st = header_error(r, e, &first, "duplicate_column",
					  h->line, h->columns[i],
					  "duplicate column '%s' (expected subject %s once; first at column %ld)",
					  show(name, strlen(name), buf), folded,
					  h->columns[r->subj_col[j]]);
			if (st == SS_ENOMEM)
				return st;
			continue;
		}
		r->subjects[r->nsubj] = strdup(folded);
		if (!r->subjects[r->nsubj])
			return oom(e);
		r->subj_col[r->nsubj] = i;
		r->nsubj++;
	}
	for (k = 0; k < NKEYS; k++) {
		if (r->key_col[k] >= 0) {
			r->key_schema[k] = &r->schema->columns[k];
			continue;
		}
		st = header_error(r, e, &first, "missing_column", h->line, 1,
				  "missing column '%s' (expected the columns year, exam, candidate_id, school_id and one column per subject)",
				  key_names[k]);
		if (st == SS_ENOMEM)
			return st;
	}
	if (r->nsubj == 0) {
		st = header_error(r, e, &first, "no_subjects", h->line, 1,
				  "no subject column in '%s' (expected one column per subject after year, exam, candidate_id, school_id)",
				  show(h->raw, h->raw_len, folded));
		if (st == SS_ENOMEM)
			return st;
	}
	if (!first)
		return SS_EDATA;
	return SS_OK;
}

static void setup_classes(reducer *r)
{
	int c;

	memset(r->cls, 0, sizeof r->cls);
	for (c = 0x80; c < 256; c++)
		r->cls[c] = CLS_HIGH;
	r->cls['"'] = CLS_SPECIAL;
	r->cls['\r'] = CLS_SPECIAL;
	r->cls['\0'] = CLS_SPECIAL;
	r->cls[(unsigned char)r->delim] = CLS_DELIM;
	if (r->opt.style != NUM_STYLE_AUTO)
		r->style = r->opt.style;
	else
		r->style = r->delim == ';' ? NUM_STYLE_VI : NUM_STYLE_EN;
}

/* ------------------------------------------------------------ lookups */

static int keymap_grow(keymap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64, i, j;
	key_entry *nk = calloc(ncap, sizeof *nk);

	if (!nk)
		return -1;
	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		for (j = m->slots[i].hash & (ncap - 1); nk[j].key;
		     j = (j + 1) & (ncap - 1))
			;
		nk[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = nk;
	m->cap = ncap;
	return 0;
}

/* The group spelled key[0..n) with hash h, or -1. */
static long keymap_find(const keymap *m, const char *key, size_t n,
			uint64_t h)
{
	size_t i;

	if (!m->cap)
		return -1;
	for (i = h & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].hash == h && m->slots[i].len == n &&
		    memcmp(m->slots[i].key, key, n) == 0)
			return (long)m->slots[i].group;
	return -1;
}

static int keymap_add(keymap *m, const char *key, size_t n, uint64_t h,
		      size_t g)
{
	size_t i;
	char *copy;

	if (keymap_find(m, key, n, h) >= 0)
		return 0;
	if ((m->n + 1) * 2 > m->cap && keymap_grow(m) != 0)
		return -1;
	copy = malloc(n ? n : 1);
	if (!copy)
		return -1;
	memcpy(copy, key, n);
	for (i = h & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1))
		;
	m->slots[i].hash = h;
	m->slots[i].key = copy;
	m->slots[i].len = n;
	m->slots[i].group = g;
	m->n++;
	return 0;
}

static long find_session(const reducer *r, const char *year, const char *exam)
{
	size_t i;

	for (i = 0; i < r->nsessions; i++)
		if (strcmp(r->sessions[i].year, year) == 0 &&
		    strcmp(r->sessions[i].exam, exam) == 0)
			return (long)i;
	return -1;
}

static long add_session(reducer *r, const char *year, const char *exam)
{
	session *s;
	size_t ny = strlen(year), ne = strlen(exam);

	if (r->nsessions == r->cap_sessions) {
		size_t ncap = r->cap_sessions ? r->cap_sessions * 2 : 4;
		session *ns = realloc(r->sessions, ncap * sizeof *ns);

		if (!ns)
			return -1;
		r->sessions = ns;
		r->cap_sessions = ncap;
	}
	s = &r->sessions[r->nsessions];
	memset(s, 0, sizeof *s);
	s->year = malloc(ny + ne + 2);
	if (!s->year)
		return -1;
	memcpy(s->year, year, ny + 1);
	s->exam = s->year + ny + 1;
	memcpy(s->exam, exam, ne + 1);
	s->id_salt = hash_bytes(s->year, ny + 1 + ne);
	return (long)r->nsessions++;
}

/* The session of the raw (year, exam) cells, or -1 when not seen yet.
 * Consecutive rows nearly always repeat the last one. */
static long find_spelling(reducer *r, const char *y, size_t ny, const char *x,
			  size_t nx)
{
	size_t i;

	for (i = 0; i <= r->nspellings; i++) {
		/* the last one first, then all */
		size_t k = i == 0 ? r->last_spelling : i - 1;
		const spelling *sp;

		if (k >= r->nspellings)
			continue;
		sp = &r->spellings[k];
		if (sp->ny == ny && sp->nx == nx &&
		    memcmp(sp->text, y, ny) == 0 &&
		    memcmp(sp->text + ny, x, nx) == 0) {
			r->last_spelling = k;
			return (long)sp->session;
		}
	}
	return -1;
}

static int add_spelling(reducer *r, const char *y, size_t ny, const char *x,
			size_t nx, size_t sess)
{
	spelling *sp;

	if (r->nspellings == r->cap_spellings) {
		size_t ncap = r->cap_spellings ? r->cap_spellings * 2 : 4;
		spelling *ns = realloc(r->spellings, ncap * sizeof *ns);

		if (!ns)
			return -1;
		r->spellings = ns;
		r->cap_spellings = ncap;
	}
	sp = &r->spellings[r->nspellings];
	sp->text = malloc(ny + nx + 1);
	if (!sp->text)
		return -1;
	memcpy(sp->text, y, ny);
	memcpy(sp->text + ny, x, nx);
	sp->ny = ny;
	sp->nx = nx;
	sp->session = sess;
	r->last_spelling = r->nspellings++;
	return 0;
}

static long add_group(reducer *r, size_t sess, const char *school)
{
	group *g;

	if (r->ngroups == r->cap_groups) {
		size_t ncap = r->cap_groups ? r->cap_groups * 2 : 256;
		group *ng = realloc(r->groups, ncap * sizeof *ng);

		if (!ng)
			return -1;
		r->groups = ng;
		r->cap_groups = ncap;
	}
	g = &r->groups[r->ngroups];
	memset(g, 0, sizeof *g);
	g->school = strdup(school);
	g->bins = calloc(r->nsubj, sizeof *g->bins);
	if (!g->school || !g->bins) {
		free(g->school);
		free(g->bins);
		return -1;
	}
	g->year = r->sessions[sess].year;
	g->exam = r->sessions[sess].exam;
	g->session = sess;
	return (long)r->ngroups++;
}

/* ------------------------------------------------------------ values */

static int is_trim_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A candidate id that field_normalize would keep as it is: no white space
 * at all, no NBSP at either end, shorter than FIELD_MAX. */
static int plain_id(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= FIELD_MAX || (unsigned char)s[0] == 0xC2 ||
	    (unsigned char)s[n - 1] == 0xA0)
		return 0;
	for (i = 0; i < n; i++)
		if (is_trim_space((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The shapes D, DD, D.D, D.DD, DD.D, DD.DD with '.' or ',' — the mark can
 * only be a decimal mark there (a thousands group has three digits), so
 * num_parse_hundredths reads them the same in either style. */
static int quick_hundredths(const char *s, size_t n, long *out)
{
	unsigned d0, d1, d2, d3;
	size_t ni;

	if (n == 0 || n > 5)
		return 0;
	d0 = (unsigned)((unsigned char)s[0] - '0');
	if (d0 > 9)
		return 0;
	ni = 1;
	if (n > 1 && (d1 = (unsigned)((unsigned char)s[1] - '0')) <= 9) {
		d0 = d0 * 10 + d1;
		ni = 2;
	}
	if (ni == n) {
		*out = (long)d0 * 100;
		return 1;
	}
	if (s[ni] != '.' && s[ni] != ',')
		return 0;
	if (n - ni == 2) {
		d2 = (unsigned)((unsigned char)s[ni + 1] - '0');
		if (d2 > 9)
			return 0;
		*out = (long)d0 * 100 + (long)d2 * 10;
		return 1;
	}
	if (n - ni == 3) {
		d2 = (unsigned)((unsigned char)s[ni + 1] - '0');
		d3 = (unsigned)((unsigned char)s[ni + 2] - '0');
		if (d2 > 9 || d3 > 9)
			return 0;
		*out = (long)d0 * 100 + (long)d2 * 10 + d3;
		return 1;
	}
	return 0;
}

/* Scores of up to 4 characters through one table look-up, without a
 * branch on their shape: each byte maps to a 4-bit code (digit 0-9, mark
 * 10, past the cell's end 11, other 15) and the four codes index a table
 * of 65,536 values built from the shapes quick_hundredths accepts — so
 * the table agrees with num_parse_hundredths by construction. The
 * unpredictable mix of "7", "6.5", "8.25" and blank cells otherwise costs
 * a mispredicted jump per cell. */
#define SCORE_BLANK (-1)
#define SCORE_OTHER (-2)
#define CODE_MARK 10
#define CODE_END 11
#define CODE_OTHER 15

static int build_score_table(reducer *r)
{
	unsigned c, k, v, len;
	unsigned char str[4];

	r->score_value = malloc(65536 * sizeof *r->score_value);
	if (!r->score_value)
		return 0;
	for (c = 0; c < 256; c++)
		r->score_code[c] = CODE_OTHER;
	for (c = '0'; c <= '9'; c++)
		r->score_code[c] = (unsigned char)(c - '0');
	r->score_code['.'] = r->score_code[','] = CODE_MARK;
	r->score_code[0] = CODE_END;
	for (v = 0; v < 65536; v++) {
		long h = SCORE_OTHER;

		/* the codes as a string: a prefix, then only ends */
		for (len = 0; len < 4; len++) {
			c = (v >> (4 * len)) & 15;
			if (c == CODE_END)
				break;
			str[len] = (unsigned char)(c == CODE_MARK ? '.' :
						   c <= 9 ? '0' + c : 'x');
		}
		for (k = len; k < 4; k++)
			if (((v >> (4 * k)) & 15) != CODE_END)
				break;
		if (k < 4)
			h = SCORE_OTHER;
		else if (len == 0)
			h = SCORE_BLANK;
		else if (!quick_hundredths((const char *)str, len, &h) ||
			 h > EXAM_SCORE_MAX)
			h = SCORE_OTHER;
		r->score_value[v] = (int16_t)h;
	}
	return 1;
}

/* The table's value for p[0..n): hundredths, SCORE_BLANK or SCORE_OTHER
 * (the general parser decides). Reads p[0..4) whatever n is: only for
 * the own scanner's lines, whose buffer has slack after the data. */
static inline long table_hundredths(const reducer *r, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	const unsigned char *code = r->score_code;
	unsigned idx;

	if (n > 4)
		return SCORE_OTHER;
	/* bytes past the cell read as NUL, code CODE_END */
#ifdef EXAM_SWAR
	{
		static const uint32_t keep[5] = { 0, 0xFF, 0xFFFF, 0xFFFFFF,
						  0xFFFFFFFF };
		uint32_t w;

		memcpy(&w, s, 4);
		w &= keep[n];
		idx = code[w & 0xFF] | (unsigned)code[(w >> 8) & 0xFF] << 4 |
		      (unsigned)code[(w >> 16) & 0xFF] << 8 |
		      (unsigned)code[w >> 24] << 12;
	}
#else
	idx = code[n > 0 ? s[0] : 0] | (unsigned)code[n > 1 ? s[1] : 0] << 4 |
	      (unsigned)code[n > 2 ? s[2] : 0] << 8 |
	      (unsigned)code[n > 3 ? s[3] : 0] << 12;
#endif
	return r->score_value[idx];
}

/* Parses subject j's cell into r->vals[j] (-1 when blank); reports a bad
 * score. Returns 1 for a score, 0 for a blank or an error. */
static int take_score(reducer *r, const rowview *rv, size_t j)
{
	size_t c = r->subj_col[j], n = row_len(rv, c);
	const char *s = row_ptr(rv, c);
	char buf[EXAM_SHOW_MAX + 4];
	const char *v;
	size_t vn;
	long h;
	num_result nr;

	r->vals[j] = -1;
	if (n == 0)
		return 0;
	if (!quick_hundredths(s, n, &h)) {
		nr = num_parse_hundredths(row_str(r, rv, c), r->style, &h);
		if (nr == NUM_EMPTY)
			return 0;
		if (nr != NUM_OK) {
			v = s;
			vn = n;
			while (vn > 0 && is_trim_space((unsigned char)*v)) {
				v++;
				vn--;
			}
			while (vn > 0 && is_trim_space((unsigned char)v[vn - 1]))
				vn--;
			show(v, vn, buf);
			if (nr == NUM_NOT_INTEGER)
				row_error(r, rv, "bad_score", row_column(rv, c),
					  "more than 2 decimals '%s' (expected a score with at most 2 decimals for %s)",
					  buf, r->subjects[j]);
			else if (nr == NUM_RANGE)
				row_error(r, rv, "score_out_of_range",
					  row_column(rv, c),
					  "score out of range '%s' (expected 0 to 10 for %s)",
					  buf, r->subjects[j]);
			else
				row_error(r, rv, "bad_score", row_column(rv, c),
					  "%s '%s' (expected a score from 0 to 10 for %s)",
					  num_result_text(nr), buf,
					  r->subjects[j]);
			return 0;
		}
	}
	if (h < 0 || h > EXAM_SCORE_MAX) {
		v = s;
		vn = n;
		while (vn > 0 && is_trim_space((unsigned char)*v)) {
			v++;
			vn--;
		}
		while (vn > 0 && is_trim_space((unsigned char)v[vn - 1]))
			vn--;
		row_error(r, rv, "score_out_of_range", row_column(rv, c),
			  "score out of range '%s' (expected 0 to 10 for %s)",
			  show(v, vn, buf), r->subjects[j]);
		return 0;
	}
	r->vals[j] = h;
	return 1;
}

/* Normalizes key column k with field_normalize into out; reports and
 * returns 0 when it is empty or invalid. */
static int take_key(reducer *r, const rowview *rv, int k, char *out)
{
	char why[FIELD_MAX + 512];
	size_t c = (size_t)r->key_col[k];
	field_result fr = field_normalize(r->key_schema[k], row_str(r, rv, c),
					  r->style, out, FIELD_MAX, why,
					  sizeof why);

	if (fr == FIELD_OK)
		return 1;
	if (fr == FIELD_EMPTY)
		row_error(r, rv, "missing_value", row_column(rv, c),
			  "missing %s (expected a value in every row)",
			  key_names[k]);
	else
		row_error(r, rv, k == KEY_YEAR ? "bad_year" : "bad_id",
			  row_column(rv, c), "%s", why);
	return 0;
}

/* Checks a normalized school_id against schools.csv. */
static int school_ok(reducer *r, const rowview *rv, const char *s)
{
	char buf[EXAM_SHOW_MAX + 4];

	if (!r->opt.school_known || r->opt.school_known(r->opt.school_ctx, s))
		return 1;
	row_error(r, rv, "unknown_school",
		  row_column(rv, (size_t)r->key_col[KEY_SCHOOL]),
		  "unknown school '%s' (expected a school_id listed in schools.csv)",
		  show(s, strlen(s), buf));
	return 0;
}

/* Finds the row's session and group, by the raw cells first; the
 * normalization and the school check run only for a spelling not seen
 * before. *sess gets the session (-1 when year or exam is bad), *gi the
 * group or -1 when it is new (then s holds the normalized school_id).
 * Returns 0 after reporting a problem; the school_id is checked even when
 * the year is bad, so a row's messages never depend on earlier rows. */
static int find_group(reducer *r, const rowview *rv, long *sess, long *gi,
		      char *s)
{
	size_t cy = (size_t)r->key_col[KEY_YEAR];
	size_t cx = (size_t)r->key_col[KEY_EXAM];
	size_t cs = (size_t)r->key_col[KEY_SCHOOL];
	const char *y = row_ptr(rv, cy), *x = row_ptr(rv, cx);
	const char *sc = row_ptr(rv, cs);
	size_t ny = row_len(rv, cy), nx = row_len(rv, cx), ns = row_len(rv, cs);
	keymap *m;
	uint64_t h;

	*gi = -1;
	*sess = find_spelling(r, y, ny, x, nx);
	if (*sess < 0) {
		char yn[FIELD_MAX], xn[FIELD_MAX];
		int ok = take_key(r, rv, KEY_YEAR, yn);

		ok &= take_key(r, rv, KEY_EXAM, xn);
		if (!ok) {
			if (take_key(r, rv, KEY_SCHOOL, s))
				school_ok(r, rv, s);
			return 0;
		}
		*sess = find_session(r, yn, xn);
		if ((*sess < 0 && (*sess = add_session(r, yn, xn)) < 0) ||
		    add_spelling(r, y, ny, x, nx, (size_t)*sess) != 0) {
			r->fatal = SS_ENOMEM;
			return 0;
		}
	}
	m = &r->sessions[*sess].schools;
	h = hash_bytes(sc, ns);
	*gi = keymap_find(m, sc, ns, h);
	if (*gi >= 0)
		return 1;
	if (!take_key(r, rv, KEY_SCHOOL, s))
		return 0;
	*gi = keymap_find(m, s, strlen(s), hash_bytes(s, strlen(s)));
	if (*gi >= 0) {
		/* a new spelling of a known school ("  79001" for "79001") */
		if (keymap_add(m, sc, ns, h, (size_t)*gi) != 0)
			r->fatal = SS_ENOMEM;
		return 1;
	}
	return school_ok(r, rv, s);
}

/* Creates the group for a first accepted row and remembers both its
 * normalized and its raw school_id spelling. */
static long new_group(reducer *r, const rowview *rv, size_t sess,
		      const char *s)
{
	size_t cs = (size_t)r->key_col[KEY_SCHOOL];
	keymap *m = &r->sessions[sess].schools;
	long g = add_group(r, sess, s);

	if (g < 0 ||
	    keymap_add(m, s, strlen(s), hash_bytes(s, strlen(s)),
		       (size_t)g) != 0 ||
	    keymap_add(m, row_ptr(rv, cs), row_len(rv, cs),
		       hash_bytes(row_ptr(rv, cs), row_len(rv, cs)),
		       (size_t)g) != 0)
		return -1;
	r->counts.groups++;
	return g;
}

/* Gives g its spill aggregates (empty) when it has none yet. */
static int spill_ensure(const reducer *r, group *g)
{
	size_t k;

	if (g->spill)
		return 1;
	g->spill = malloc(r->nsubj * sizeof *g->spill);
	if (!g->spill)
		return 0;
	for (k = 0; k < r->nsubj; k++)
		stats_scores_init(&g->spill[k]);
	return 1;
}

/* Adds count copies of hundredths h to subject j's spill aggregate. */
static int spill_add(reducer *r, group *g, size_t j, long h, long long count)
{
	stats_scores one;
	int ok;

	if (!spill_ensure(r, g))
		return 0;
	if (count == 1)
		return stats_scores_add(&g->spill[j], h);
	/* a whole 16-bit counter moves over at once */
	stats_scores_init(&one);
	one.n = count;
	one.sum_x100 = h * count;
	one.sumsq_x10000 = (long long)h * h * count;
	one.bins[h / EXAM_GRID_STEP] = count;
	ok = stats_scores_merge(&g->spill[j], &one);
	stats_scores_release(&one);
	return ok;
}

/* Adds the row's scores to its group. */
static int commit_scores(reducer *r, const rowview *rv, group *g)
{
	size_t j;

	for (j = 0; j < r->nsubj; j++) {
		long h = r->vals[j], idx;
		int blank = h < 0;
		uint16_t *b;

		/* blanks are a third of the cells in no order a branch could
		 * learn: they count into a scratch counter instead */
		r->counts.blanks += blank;
		r->counts.scores += !blank;
		if (!blank && h % EXAM_GRID_STEP != 0) {
			/* the file's one warning names the first: a second
			 * half cannot know whether it has it */
			if (r->speculative) {
				r->abandoned = 1;
				return 1;
			}
			if (r->counts.offgrid++ == 0) {
				size_t c = r->subj_col[j];

				r->off_line = rv->line;
				r->off_col = row_column(rv, c);
				show(row_ptr(rv, c), row_len(rv, c),
				     r->off_value);
				snprintf(r->off_subject, sizeof r->off_subject,
					 "%s", r->subjects[j]);
			}
			if (!spill_add(r, g, j, h, 1))
				return 0;
			continue;
		}
		b = g->bins[j];
		if (!b && !blank) {
			b = g->bins[j] = calloc(STATS_GRID_BINS, sizeof *b);
			if (!b)
				return 0;
		}
		b = blank ? &r->scratch_count : b;
		idx = blank ? 0 : h / EXAM_GRID_STEP;
		if (b[idx] == UINT16_MAX && !blank) {
			if (!spill_add(r, g, j, h, UINT16_MAX))
				return 0;
			b[idx] = 0;
		}
		b[idx]++; /* the scratch counter may wrap: never read */
	}
	return 1;
}

static void process_row(reducer *r, rowview *rv)
{
	char s[FIELD_MAX], cand[FIELD_MAX];
	char why[FIELD_MAX + 512], buf[EXAM_SHOW_MAX + 4];
	const char *id;
	size_t idn, cc, j;
	long gi, sess;
	int rc;
	field_result fr;

	r->counts.rows_read++;
	r->row_errors = 0;
	if (rv->nfields != r->ncols) {
		if (rv->nfields < r->ncols)
			row_error(r, rv, "too_few_fields",
				  row_column(rv, rv->nfields - 1),
				  "too few fields '%zu' (expected %zu as in the header)",
				  rv->nfields, r->ncols);
		else
			row_error(r, rv, "too_many_fields",
				  row_column(rv, r->ncols),
				  "too many fields '%zu' (expected %zu as in the header)",
				  rv->nfields, r->ncols);
		row_reject(r, rv);
		return;
	}
	find_group(r, rv, &sess, &gi, s);

	cc = (size_t)r->key_col[KEY_CANDIDATE];
	id = row_ptr(rv, cc);
	idn = row_len(rv, cc);
	if (!plain_id(id, idn)) {
		fr = field_normalize(r->key_schema[KEY_CANDIDATE],
				     row_str(r, rv, cc), r->style, cand,
				     sizeof cand, why, sizeof why);
		if (fr == FIELD_EMPTY)
			row_error(r, rv, "missing_value", row_column(rv, cc),
				  "missing candidate_id (expected a value in every row)");
		else if (fr != FIELD_OK)
			row_error(r, rv, "bad_id", row_column(rv, cc), "%s", why);
		id = cand;
		idn = strlen(cand);
	}
	if (rv->offs) {
		for (j = 0; j < r->nsubj; j++) {
			size_t c = r->subj_col[j];
			long h = table_hundredths(r, rv->base + rv->offs[c],
						  row_len(rv, c));

			r->vals[j] = h;
			if (h == SCORE_OTHER)
				take_score(r, rv, j);
		}
	} else {
		for (j = 0; j < r->nsubj; j++)
			take_score(r, rv, j);
	}
	if (r->fatal)
		return;
	if (r->row_errors) {
		row_reject(r, rv);
		return;
	}

	rc = idset_add(&r->ids, (size_t)sess, r->sessions[sess].id_salt, id,
		       idn);
	if (rc < 0) {
		r->fatal = SS_ENOMEM;
		return;
	}
	if (rc == 0) {
		row_error(r, rv, "duplicate_key", row_column(rv, cc),
			  "duplicate candidate_id '%s' (expected each candidate once in %s %s)",
			  show(id, idn, buf), r->sessions[sess].year,
			  r->sessions[sess].exam);
		row_reject(r, rv);
		return;
	}
	if (gi < 0 && (gi = new_group(r, rv, (size_t)sess, s)) < 0) {
		r->fatal = SS_ENOMEM;
		return;
	}
	if (!commit_scores(r, rv, &r->groups[gi])) {
		r->fatal = SS_ENOMEM;
		return;
	}
	r->counts.rows_accepted++;
}

/* ------------------------------------------------------------ csvin rows */

/* csvin names physical lines inside a multi-line record ("... on line
 * 3 ...", "... runs on to line 3 ..."); in a record handed over from the
 * middle of the file those numbers count from the copy and are moved
 * here: every "line " followed by a digit. */
static void shift_line_number(const char *problem, long offset, char *out,
			      size_t outsz)
{
	static const char tag[] = "line ";
	const char *p = problem, *at;
	size_t used = 0;

	out[0] = '\0';
	while (offset && (at = strstr(p, tag)) != NULL) {
		const char *d = at + sizeof tag - 1;
		long v = 0;

		if (*d < '0' || *d > '9') {
			used += (size_t)snprintf(out + used, outsz - used, "%.*s",
						 (int)(d - p), p);
			p = d;
		} else {
			while (*d >= '0' && *d <= '9')
				v = v * 10 + (*d++ - '0');
			used += (size_t)snprintf(out + used, outsz - used,
						 "%.*s%ld", (int)(at - p) + 5, p,
						 v + offset);
			p = d;
		}
		if (used >= outsz)
			return;
	}
	snprintf(out + used, outsz - used, "%s", p);
}

static void process_csvin_row(reducer *r, const csvin_row *row, long offset)
{
	rowview rv;
	char problem[sizeof row->problem + 32];

	memset(&rv, 0, sizeof rv);
	rv.line = row->line + offset;
	rv.raw = row->raw;
	if (row->status != CSVIN_ROW_OK) {
		r->counts.rows_read++;
		r->row_errors = 0;
		shift_line_number(row->problem, offset, problem, sizeof problem);
		row_error(r, &rv, status_code(row->status),
			  row->problem_column, "%s", problem);
		row_reject(r, &rv);
		return;
	}
	rv.nfields = row->nfields;
	rv.fields = row->fields;
	rv.columns = row->columns;
	process_row(r, &rv);
}

/* Reads the whole file through csvin. */
static ss_status scan_csvin(reducer *r, csvin_reader *cr, ss_error *e)
{
	const csvin_row *row;
	ss_status st;

	st = csvin_next(cr, &row, e);
	if (st != SS_OK)
		return st;
	if (!row) {
		int first = 1;

		return header_error(r, e, &first, "empty_file", 0, 0,
				    "empty file (expected a header line with year, exam, candidate_id, school_id and subjects)");
	}
	r->delim = csvin_delimiter(cr);
	r->counts.delimiter = r->delim;
	r->counts.had_bom = csvin_had_bom(cr);
	st = take_header(r, row, e);
	if (st != SS_OK)
		return st;
	setup_classes(r);
	for (;;) {
		st = csvin_next(cr, &row, e);
		if (st != SS_OK)
			return st;
		if (!row)
			break;
		process_csvin_row(r, row, 0);
		if (r->fatal)
			return oom(e);
	}
	r->counts.blank_lines = csvin_blank_lines(cr);
	return SS_OK;
}

/* ------------------------------------------------------------ own scanner */

typedef struct source {
	int fd; /* -1: memory */
	const char *path;     /* the file of fd, NULL for memory */
	int positioned;       /* fd is read with pread at fpos */
	off_t fpos;
	const char *mem;
	size_t mem_len, mem_pos;
	char *buf;
	size_t cap, len, pos; /* unread bytes are buf[pos, len) */
	size_t base;          /* offset in the input of buf[0] */
	size_t fill_to;       /* 0, or a fill stops at that many bytes */
	int eof;
	long line;            /* physical lines consumed */
	size_t need;          /* bytes kept ahead of pos when possible */
} source;

/* Moves the unread bytes to the front and reads until the buffer is full
 * but for EXAM_SLACK zero bytes: room to NUL-terminate a last line, and
 * bytes that table_hundredths may look at past a last field. */
static int src_fill(source *s)
{
	size_t limit = s->cap - EXAM_SLACK;

	if (s->fill_to && s->fill_to < limit)
		limit = s->fill_to;
	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->base += s->pos;
		s->pos = 0;
	}
	while (!s->eof && s->len < limit) {
		size_t want = limit - s->len;

		if (s->fd < 0) {
			size_t left = s->mem_len - s->mem_pos;

			if (want > left)
				want = left;
			memcpy(s->buf + s->len, s->mem + s->mem_pos, want);
			s->mem_pos += want;
			s->len += want;
			if (s->mem_pos == s->mem_len)
				s->eof = 1;
		} else {
			ssize_t n = s->positioned ?
					    pread(s->fd, s->buf + s->len, want,
						  s->fpos) :
					    read(s->fd, s->buf + s->len, want);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			if (n == 0)
				s->eof = 1;
			s->len += (size_t)n;
			s->fpos += n;
		}
	}
	memset(s->buf + s->len, 0, EXAM_SLACK);
	return 0;
}

static ss_status src_ensure(source *s, const char *name, ss_error *e)
{
	if (!s->eof && s->len - s->pos < s->need && src_fill(s) != 0)
		return err_set_errno(e, SS_EIO, NULL, errno, "cannot read '%s'",
				     name);
	return SS_OK;
}

/* Consumes `lines` physical lines (or up to the end of the data). */
static void src_skip_lines(source *s, long lines)
{
	while (lines-- > 0 && s->pos < s->len) {
		const char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);

		s->pos = nl ? (size_t)(nl - s->buf) + 1 : s->len;
		s->line++;
	}
}

/* Length of the record at s[0..avail) by csvin's quote rules, through its
 * LF; 0 when a quote is still open at the end of what is there. */
static size_t quoted_extent(const char *s, size_t avail, char delim)
{
	enum { START, PLAIN, QUOTED, QUOTE_SEEN } st = START;
	size_t i;

	for (i = 0; i < avail; i++) {
		char c = s[i];

		switch (st) {
		case START:
			if (c == '"') {
				st = QUOTED;
				break;
			}
			/* fall through */
		case PLAIN:
			st = PLAIN;
			if (c == delim)
				st = START;
			else if (c == '\n')
				return i + 1;
			break;
		case QUOTED:
			if (c == '"')
				st = QUOTE_SEEN;
			break;
		case QUOTE_SEEN:
			if (c == '"')
				st = QUOTED;
			else if (c == delim)
				st = START;
			else if (c == '\n')
				return i + 1;
			else
				st = PLAIN;
			break;
		}
	}
	return st == QUOTED ? 0 : avail;
}

/* Hands chunk[0..n), which starts at physical line `line`, to csvin and
 * processes its first record. *lines gets how many physical lines that
 * record took (1 for a broken record: csvin reads on from its second
 * line, and so does the scanner). */
static ss_status hand_over(reducer *r, const char *chunk, size_t n,
			   long line, long *lines, ss_error *e)
{
	csvin_options co;
	csvin_reader *cr;
	const csvin_row *row;
	ss_status st;

	co.delimiter = r->delim;
	co.encoding = NULL;
	co.max_record = r->opt.max_record;
	*lines = 1;
	st = csvin_open_mem(&cr, r->name, chunk, n, &co, e);
	if (st != SS_OK)
		return st;
	st = csvin_next(cr, &row, e);
	if (st == SS_OK && row) {
		process_csvin_row(r, row, line - 1);
		*lines = row->end_line;
	}
	csvin_free(cr);
	if (st == SS_OK && r->fatal)
		return oom(e);
	return st;
}

/* A line longer than the record limit. csvin counts the bytes of the
 * whole line for its message and raw marker; when the line is whole in
 * the buffer csvin sees all of it, else it sees a prefix and the count is
 * put right here, in csvin's words. */
static ss_status long_line(reducer *r, source *s, ss_error *e)
{
	const char *p = s->buf + s->pos;
	size_t avail = s->len - s->pos, total, keep;
	const char *nl = memchr(p, '\n', avail);
	csvin_options co;
	csvin_reader *cr;
	const csvin_row *row;
	ss_status st;
	char last = 0;
	long line = s->line + 1;

	if (nl) {
		long lines;

		st = hand_over(r, p, (size_t)(nl - p) + 1, line, &lines, e);
		src_skip_lines(s, 1);
		return st;
	}
	keep = r->opt.max_record + 2;
	if (keep > avail)
		keep = avail;
	co.delimiter = r->delim;
	co.encoding = NULL;
	co.max_record = r->opt.max_record;
	st = csvin_open_mem(&cr, r->name, p, keep, &co, e);
	if (st != SS_OK)
		return st;
	st = csvin_next(cr, &row, e);
	if (st != SS_OK || !row) {
		csvin_free(cr);
		return st;
	}
	/* the rest of the line, without keeping it */
	total = 0;
	for (;;) {
		avail = s->len - s->pos;
		nl = memchr(s->buf + s->pos, '\n', avail);
		if (nl)
			avail = (size_t)(nl - (s->buf + s->pos));
		total += avail;
		if (avail)
			last = s->buf[s->pos + avail - 1];
		s->pos += avail;
		if (nl) {
			s->pos++;
			break;
		}
		if (s->eof)
			break;
		if (src_fill(s) != 0) {
			csvin_free(cr);
			return err_set_errno(e, SS_EIO, NULL, errno,
					     "cannot read '%s'", r->name);
		}
	}
	s->line++;
	if (last == '\r')
		total--;
	{
		csvin_row fixed = *row;
		char raw[1024];
		char *buf;
		const char *cut = NULL, *q;
		size_t head, blen;

		for (q = row->raw; (q = strstr(q, " [truncated: ")); q++)
			cut = q;
		head = cut ? (size_t)(cut - row->raw) : row->raw_len;
		snprintf(raw, sizeof raw, " [truncated: %zu bytes in all]",
			 total);
		blen = head + strlen(raw) + 1;
		buf = malloc(blen);
		if (!buf) {
			csvin_free(cr);
			return oom(e);
		}
		memcpy(buf, row->raw, head);
		strcpy(buf + head, raw);
		fixed.raw = buf;
		fixed.raw_len = blen - 1;
		snprintf(fixed.problem, sizeof fixed.problem,
			 "line of %zu bytes is longer than the limit (expected at most %zu bytes per record)",
			 total, r->opt.max_record);
		process_csvin_row(r, &fixed, line - 1);
		free(buf);
	}
	csvin_free(cr);
	return r->fatal ? oom(e) : SS_OK;
}

static int is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Reads the header through csvin (which detects the delimiter). */
static ss_status fast_header(reducer *r, source *s, ss_error *e)
{
	csvin_options co;
	csvin_reader *cr;
	const csvin_row *row;
	ss_status st;
	size_t n;

	st = src_ensure(s, r->name, e);
	if (st != SS_OK)
		return st;
	if (s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0) {
		s->pos = 3;
		r->counts.had_bom = 1;
	}
	n = s->len - s->pos;
	if (n > s->need)
		n = s->need;
	co.delimiter = 0;
	co.encoding = NULL;
	co.max_record = r->opt.max_record;
	st = csvin_open_mem(&cr, r->name, s->buf + s->pos, n, &co, e);
	if (st != SS_OK)
		return st;
	st = csvin_next(cr, &row, e);
	if (st == SS_OK && !row) {
		int first = 1;

		st = header_error(r, e, &first, "empty_file", 0, 0,
				  "empty file (expected a header line with year, exam, candidate_id, school_id and subjects)");
	}
	if (st == SS_OK) {
		r->delim = csvin_delimiter(cr);
		r->counts.delimiter = r->delim;
		r->counts.blank_lines += csvin_blank_lines(cr);
		src_skip_lines(s, row->end_line);
		st = take_header(r, row, e);
	}
	csvin_free(cr);
	if (st == SS_OK)
		setup_classes(r);
	return st;
}

/* 0x80 in each byte of v that is zero, 0 elsewhere (exact: no borrow
 * crosses bytes). */
static inline uint64_t zero_bytes(uint64_t v)
{
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;

	return ~(((v & low7) + low7) | v | low7);
}

/* Splits p[0..n) at the delimiter: r->offs gets the offset of each field
 * start (up to capf of them); returns the number of fields. *flags gets
 * CLS_SPECIAL when a quote, CR or NUL is there, CLS_HIGH for a byte >=
 * 0x80. Eight bytes at a time where the byte order allows: fields are a
 * few bytes long, so a byte loop would mispredict a branch per field. */
static size_t split_line(reducer *r, const char *p, size_t n, size_t capf,
			 int *flags)
{
	size_t nf = 1, i = 0;
	int fl = 0;

	r->offs[0] = 0;
#ifdef EXAM_SWAR
	{
		const uint64_t ones = 0x0101010101010101ULL;
		const uint64_t dpat = ones * (unsigned char)r->delim;
		const uint64_t qpat = ones * (unsigned char)'"';
		const uint64_t cpat = ones * (unsigned char)'\r';
		uint64_t special = 0, high = 0, w, d;

		for (; i + 8 <= n; i += 8) {
			memcpy(&w, p + i, 8);
			d = zero_bytes(w ^ dpat);
			special |= zero_bytes(w ^ qpat) | zero_bytes(w ^ cpat) |
				   zero_bytes(w);
			high |= w;
			while (d) {
				size_t k = (size_t)__builtin_ctzll(d) >> 3;

				if (nf < capf)
					r->offs[nf] = i + k + 1;
				nf++;
				d &= d - 1;
			}
		}
		if (special)
			fl |= CLS_SPECIAL;
		if (high & 0x8080808080808080ULL)
			fl |= CLS_HIGH;
	}
#endif
	for (; i < n; i++) {
		unsigned c = r->cls[(unsigned char)p[i]];

		if (!c)
			continue;
		if (c == CLS_DELIM) {
			if (nf < capf)
				r->offs[nf] = i + 1;
			nf++;
		} else {
			fl |= (int)c;
		}
	}
	*flags = fl;
	return nf;
}

/* A speculative second half meets something a clean row would not do:
 * its result is not wanted. */
static ss_status give_up(reducer *r)
{
	r->abandoned = 1;
	return SS_OK;
}

/* A second half read on a thread of its own (see "two halves" below). */
typedef struct split_job {
	reducer r;
	source s;
	size_t at;         /* offset in the input of the second half */
	pthread_t thread;
	atomic_int stop;   /* set by the main thread: result not wanted */
	int clean;         /* set by the thread: read to the end, all clean */
} split_job;

static int split_finish(reducer *r, size_t offset, ss_error *e);

/* Reads the rows from s's position to the end of the input (or, for the
 * main thread, to where a second half is taken over). */
static ss_status scan_rows(reducer *r, source *s, ss_error *e)
{
	size_t capf = r->ncols + 1, maxrec = r->opt.max_record;
	ss_status st;

	for (;;) {
		char *p, *nl;
		size_t avail, raw_n, n, nf;
		int flags = 0;
		rowview rv;

		if (r->split && s->base + s->pos >= r->split->at) {
			int rc = split_finish(r, s->base + s->pos, e);

			if (rc < 0)
				return SS_ENOMEM;
			if (rc > 0)
				return SS_OK;
		}
		if (r->speculative &&
		    (r->abandoned ||
		     atomic_load_explicit(r->stop, memory_order_relaxed)))
			return give_up(r);
		st = src_ensure(s, r->name, e);
		if (st != SS_OK)
			return st;
		if (s->pos == s->len)
			break;
		p = s->buf + s->pos;
		avail = s->len - s->pos;
		nl = memchr(p, '\n', avail);
		if (!nl && !s->eof) {
			if (r->speculative)
				return give_up(r);
			st = long_line(r, s, e);
			if (st != SS_OK)
				return st;
			continue;
		}
		raw_n = nl ? (size_t)(nl - p) : avail;
		n = raw_n;
		if (n && p[n - 1] == '\r')
			n--;
		if (n > maxrec) {
			if (r->speculative)
				return give_up(r);
			st = long_line(r, s, e);
			if (st != SS_OK)
				return st;
			continue;
		}

		nf = split_line(r, p, n, capf, &flags);
		if ((flags & CLS_SPECIAL) ||
		    ((flags & CLS_HIGH) && !text_utf8_valid(p, n, NULL))) {
			size_t len = avail < s->need ? avail : s->need;
			long lines;

			if (r->speculative)
				return give_up(r);
			if (memchr(p, '"', n)) {
				size_t ext = quoted_extent(p, len, r->delim);

				if (ext)
					len = ext;
			} else {
				len = nl ? raw_n + 1 : raw_n;
			}
			st = hand_over(r, p, len, s->line + 1, &lines, e);
			if (st != SS_OK)
				return st;
			src_skip_lines(s, lines);
			continue;
		}
		if (nf == 1 && is_blank(p, n)) {
			r->counts.blank_lines++;
			src_skip_lines(s, 1);
			continue;
		}

		if (nf < capf)
			r->offs[nf] = n + 1;
		memset(&rv, 0, sizeof rv);
		rv.line = s->line + 1;
		rv.nfields = nf;
		rv.base = p;
		rv.base_len = n;
		rv.offs = r->offs;
		rv.ascii = !(flags & CLS_HIGH);
		p[n] = '\0';
		process_row(r, &rv);
		if (r->fatal)
			return oom(e);
		s->pos = nl ? (size_t)(nl - s->buf) + 1 : s->len;
		s->line++;
	}
	return SS_OK;
}

/* ------------------------------------------------------------ two halves */

/* With two threads, a large input is read in two halves at once: the
 * main thread reads from the start as it always does, and a second thread
 * reduces the rows from just after the first line end at or after the
 * middle to the end into a reducer of its own. When the main thread
 * reaches that offset it takes the second half's result only if it must
 * be what reading on would give: the main thread's last record ended
 * exactly there, the second half saw nothing but rows the fast path
 * accepts (no message, reject, hand-over to csvin, over-long line or
 * off-grid score — blank lines, which only count, are fine), and none of
 * its candidate ids was accepted in the first half too. Rows that are
 * accepted without a message do not depend on the rows before them but
 * through those ids, and the outputs are sums and a sorted file, so the
 * outputs are then byte for byte those of one pass. Otherwise the second
 * half is dropped and the main thread reads on: dirty input costs at
 * most the time of one pass. */

static void split_free(split_job *j)
{
	reducer_release(&j->r);
	free(j->s.buf);
	if (j->s.fd >= 0)
		close(j->s.fd);
	free(j);
}

static void *split_main(void *arg)
{
	split_job *j = arg;
	ss_error e;
	ss_status st;

	err_clear(&e);
	st = scan_rows(&j->r, &j->s, &e);
	j->clean = st == SS_OK && !j->r.abandoned;
	/* not needed for the merge: give the memory back early */
	free(j->s.buf);
	j->s.buf = NULL;
	return NULL;
}

/* The header's analysis of a, for a second half b: the same columns,
 * subjects, delimiter, style and tables, allocated apart. 0 when out of
 * memory (b may then be released). */
static int reducer_copy_header(reducer *b, const reducer *a)
{
	size_t i;

	memset(b, 0, sizeof *b);
	b->name = a->name;
	b->opt = a->opt;
	b->style = a->style;
	b->schema = a->schema;
	b->delim = a->delim;
	b->ncols = a->ncols;
	memcpy(b->key_col, a->key_col, sizeof b->key_col);
	memcpy(b->key_schema, a->key_schema, sizeof b->key_schema);
	memcpy(b->score_code, a->score_code, sizeof b->score_code);
	memcpy(b->cls, a->cls, sizeof b->cls);
	b->subjects = calloc(a->nsubj, sizeof *b->subjects);
	b->subj_col = malloc(a->nsubj * sizeof *b->subj_col);
	b->offs = malloc((a->ncols + 1) * sizeof *b->offs);
	b->vals = malloc(a->nsubj * sizeof *b->vals);
	b->score_value = malloc(65536 * sizeof *b->score_value);
	if (!b->subjects || !b->subj_col || !b->offs || !b->vals ||
	    !b->score_value)
		return 0;
	memcpy(b->subj_col, a->subj_col, a->nsubj * sizeof *b->subj_col);
	memcpy(b->score_value, a->score_value,
	       65536 * sizeof *b->score_value);
	for (i = 0; i < a->nsubj; i++) {
		b->subjects[i] = strdup(a->subjects[i]);
		if (!b->subjects[i])
			return 0;
		b->nsubj = i + 1;
	}
	return 1;
}

/* Offset just past the first '\n' in the file fd at or after from and
 * within limit bytes of it; 0 when there is none. */
static size_t line_end_after(int fd, size_t from, size_t limit)
{
	char buf[4096];
	size_t done = 0;

	while (done < limit) {
		ssize_t n = pread(fd, buf, sizeof buf, (off_t)(from + done));
		const char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		nl = memchr(buf, '\n', (size_t)n);
		if (nl)
			return from + done + (size_t)(nl - buf) + 1;
		done += (size_t)n;
	}
	return 0;
}

/* Starts the second half when the options allow two threads and the
 * input is a regular file or memory of at least opt.min_split_bytes whose
 * middle is past the header. Nothing is reported when it cannot be
 * started: the main thread then reads on alone. */
static void split_start(reducer *r, source *s)
{
	size_t total, at, from = s->base + s->pos;
	split_job *j;
	int fd = -1;

	if (r->opt.threads < 2)
		return;
	if (s->fd >= 0) {
		struct stat a, b;

		if (!s->path || fstat(s->fd, &a) != 0 || !S_ISREG(a.st_mode) ||
		    a.st_size <= 0)
			return;
		total = (size_t)a.st_size;
		if (total < r->opt.min_split_bytes || total / 2 < from)
			return;
		/* an open file description of its own: its own read-ahead */
		fd = open(s->path, O_RDONLY);
		if (fd < 0)
			return;
		if (fstat(fd, &b) != 0 || b.st_dev != a.st_dev ||
		    b.st_ino != a.st_ino) {
			close(fd);
			return;
		}
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		at = line_end_after(fd, total / 2, r->opt.max_record + 2);
	} else {
		const char *nl;

		total = s->mem_len;
		if (total < r->opt.min_split_bytes || total / 2 < from)
			return;
		nl = memchr(s->mem + total / 2, '\n', total - total / 2);
		at = nl ? (size_t)(nl - s->mem) + 1 : 0;
	}
	if (at == 0 || at >= total) {
		if (fd >= 0)
			close(fd);
		return;
	}
	j = calloc(1, sizeof *j);
	if (!j) {
		if (fd >= 0)
			close(fd);
		return;
	}
	j->at = at;
	atomic_init(&j->stop, 0);
	j->s.fd = fd;
	j->s.path = s->path;
	j->s.positioned = 1;
	j->s.fpos = (off_t)at;
	j->s.mem = s->mem;
	j->s.mem_len = s->mem_len;
	j->s.mem_pos = at;
	j->s.base = at;
	j->s.need = s->need;
	j->s.cap = s->cap;
	j->s.buf = malloc(j->s.cap);
	if (!j->s.buf || !reducer_copy_header(&j->r, r)) {
		split_free(j);
		return;
	}
	memset(j->s.buf, 0, EXAM_SLACK);
	j->r.speculative = 1;
	j->r.stop = &j->stop;
	if (pthread_create(&j->thread, NULL, split_main, j) != 0) {
		split_free(j);
		return;
	}
	r->split = j;
}

/* Adds b's counts of group gb, subject by subject, to ga of a; b's
 * counters move over where ga has none. 0 when out of memory. */
static int merge_group(reducer *a, group *ga, group *gb)
{
	size_t j, k;

	for (j = 0; j < a->nsubj; j++) {
		uint16_t *x = ga->bins[j], *y = gb->bins[j];

		if (y && !x) {
			ga->bins[j] = y;
			gb->bins[j] = NULL;
		} else if (y) {
			for (k = 0; k < STATS_GRID_BINS; k++) {
				unsigned sum = (unsigned)x[k] + y[k];

				if (sum > UINT16_MAX) {
					if (!spill_add(a, ga, j,
						       (long)k * EXAM_GRID_STEP,
						       UINT16_MAX))
						return 0;
					sum -= UINT16_MAX;
				}
				x[k] = (uint16_t)sum;
			}
		}
		if (gb->spill && (!spill_ensure(a, ga) ||
				  !stats_scores_merge(&ga->spill[j],
						      &gb->spill[j])))
			return 0;
	}
	return 1;
}

/* Takes the second half b into a when no id of b is in a too. 1: taken;
 * 0: not (a unchanged); -1: out of memory while taking it (a is then
 * unusable). */
static int split_merge(reducer *a, reducer *b)
{
	long *smap, *gmap;
	size_t i;
	int rc = 0;

	smap = malloc((b->nsessions + 1) * sizeof *smap);
	gmap = malloc((b->ngroups + 1) * sizeof *gmap);
	if (!smap || !gmap)
		goto out; /* not taken: the main thread reads on */
	for (i = 0; i < b->nsessions; i++)
		smap[i] = find_session(a, b->sessions[i].year,
				       b->sessions[i].exam);
	if (idset_overlap(&a->ids, &b->ids, smap))
		goto out;
	for (i = 0; i < b->ngroups; i++) {
		const group *g = &b->groups[i];
		long s = smap[g->session];
		size_t n = strlen(g->school);

		gmap[i] = s < 0 ? -1 :
			  keymap_find(&a->sessions[s].schools, g->school, n,
				      hash_bytes(g->school, n));
		/* a spelling of another school: never, as field_normalize
		 * keeps a normalized id as it is; if ever, read on */
		if (gmap[i] >= 0 &&
		    strcmp(a->groups[gmap[i]].school, g->school) != 0)
			goto out;
	}

	rc = -1;
	for (i = 0; i < b->nsessions; i++)
		if (smap[i] < 0 &&
		    (smap[i] = add_session(a, b->sessions[i].year,
					   b->sessions[i].exam)) < 0)
			goto out;
	for (i = 0; i < b->ngroups; i++) {
		group *g = &b->groups[i];

		if (gmap[i] < 0) {
			size_t s = (size_t)smap[g->session];
			size_t n = strlen(g->school);

			gmap[i] = add_group(a, s, g->school);
			if (gmap[i] < 0 ||
			    keymap_add(&a->sessions[s].schools, g->school, n,
				       hash_bytes(g->school, n),
				       (size_t)gmap[i]) != 0)
				goto out;
			a->counts.groups++;
		}
		if (!merge_group(a, &a->groups[gmap[i]], g))
			goto out;
	}
	a->counts.rows_read += b->counts.rows_read;
	a->counts.rows_accepted += b->counts.rows_accepted;
	a->counts.rows_rejected += b->counts.rows_rejected;
	a->counts.scores += b->counts.scores;
	a->counts.blanks += b->counts.blanks;
	a->counts.offgrid += b->counts.offgrid;
	a->counts.blank_lines += b->counts.blank_lines;
	a->counts.split_used = 1;
	rc = 1;
out:
	free(smap);
	free(gmap);
	return rc;
}

/* The main thread is at offset, at or past the second half's start:
 * waits for the thread and takes its result when it may (see above).
 * 1: taken, the input is read; 0: not, reading goes on from offset; -1:
 * out of memory (*e set). */
static int split_finish(reducer *r, size_t offset, ss_error *e)
{
	split_job *j = r->split;
	int rc = 0;

	r->split = NULL;
	if (offset != j->at)
		atomic_store(&j->stop, 1);
	pthread_join(j->thread, NULL);
	if (offset == j->at && j->clean) {
		rc = split_merge(r, &j->r);
		if (rc < 0)
			oom(e);
	}
	split_free(j);
	return rc;
}

/* A second half still running when reading stops (an error, or an input
 * that ended early): its result is not wanted. */
static void split_cancel(reducer *r)
{
	if (!r->split)
		return;
	atomic_store(&r->split->stop, 1);
	pthread_join(r->split->thread, NULL);
	split_free(r->split);
	r->split = NULL;
}

static ss_status scan_fast(reducer *r, source *s, ss_error *e)
{
	ss_status st;

	st = fast_header(r, s, e);
	s->fill_to = 0;
	if (st != SS_OK)
		return st;
	split_start(r, s);
	st = scan_rows(r, s, e);
	split_cancel(r);
	return st;
}

/* ------------------------------------------------------------ output */

static int group_cmp(const void *a, const void *b)
{
	const group *x = *(const group *const *)a, *y = *(const group *const *)b;
	int c = strcmp(x->year, y->year);

	if (!c)
		c = strcmp(x->exam, y->exam);
	if (!c)
		c = strcmp(x->school, y->school);
	return c;
}

/* The exact aggregate of one group and subject: the 16-bit counts with
 * their sums, plus the spill. Returns 0 on overflow or ENOMEM. */
static int group_scores(const group *g, size_t j, stats_scores *out)
{
	const uint16_t *b = g->bins[j];
	long long i;

	stats_scores_init(out);
	if (b) {
		for (i = 0; i < STATS_GRID_BINS; i++) {
			long long c = b[i], h = i * EXAM_GRID_STEP;

			out->bins[i] = c;
			out->n += c;
			out->sum_x100 += c * h;
			out->sumsq_x10000 += c * h * h;
		}
	}
	if (g->spill && !stats_scores_merge(out, &g->spill[j])) {
		stats_scores_release(out);
		return 0;
	}
	return 1;
}

/* The bins cell of 16-bit counts at p, with their number and exact sums;
 * returns the end. Most counts of a school are 0 or below 10: four of
 * them are then written at once, each 16-bit count (v < 10 in its low
 * byte, 0 in its high byte) becoming '0' + v and a space by one OR, and
 * four zeros add nothing to the sums. */
static char *put_bins16(char *p, const uint16_t *b, long long *n,
			long long *sum_x100, long long *sumsq_x10000)
{
	long long cn = 0, ck = 0, ckk = 0;
	size_t k = 0;

	while (k < STATS_GRID_BINS) {
		long long v;

#ifdef EXAM_SWAR
		if (k + 4 <= STATS_GRID_BINS) {
			uint64_t w;
			size_t i;

			memcpy(&w, b + k, 8);
			/* a lane >= 10 sets its top bit here or in w */
			if (!(((w + 0x7FF67FF67FF67FF6ULL) | w) &
			      0x8000800080008000ULL)) {
				for (i = 0; w && i < 4; i++) {
					long long kk = (long long)(k + i);

					v = (long long)((w >> (16 * i)) & 0xFFFF);
					cn += v;
					ck += v * kk;
					ckk += v * kk * kk;
				}
				w |= 0x2030203020302030ULL;
				memcpy(p, &w, 8);
				p += 8;
				k += 4;
				continue;
			}
		}
#endif
		v = b[k];
		cn += v;
		ck += v * (long long)k;
		ckk += v * (long long)k * (long long)k;
		if (v < 10)
			*p++ = (char)('0' + v);
		else
			p = csvout_put_u64(p, (unsigned long long)v);
		*p++ = ' ';
		k++;
	}
	*n = cn;
	*sum_x100 = ck * EXAM_GRID_STEP;
	*sumsq_x10000 = ckk * EXAM_GRID_STEP * EXAM_GRID_STEP;
	return p - 1;
}

/* The bins and off-grid cells of an aggregate at bins and off; returns
 * the end of the bins. */
static char *put_bins_scores(char *bins, char *off, const stats_scores *sc)
{
	char *p = bins;
	size_t k;

	for (k = 0; k < STATS_GRID_BINS; k++) {
		unsigned long long v = (unsigned long long)sc->bins[k];

		if (k)
			*p++ = ' ';
		if (v < 10)
			*p++ = (char)('0' + v);
		else
			p = csvout_put_u64(p, v);
	}
	for (k = 0; k < sc->noffgrid; k++) {
		if (k)
			*off++ = ' ';
		off = csvout_put_u64(off, (unsigned long long)
					  sc->offgrid[k].hundredths);
		*off++ = ':';
		off = csvout_put_u64(off, (unsigned long long)
					  sc->offgrid[k].count);
	}
	*off = '\0';
	return p;
}

/* buf grown to at least n bytes; 0 when out of memory. */
static int grow_to(char **buf, size_t *cap, size_t n)
{
	char *nb;

	if (n <= *cap)
		return 1;
	nb = realloc(*buf, n);
	if (!nb)
		return 0;
	*buf = nb;
	*cap = n;
	return 1;
}

/* Appends s as csvout_str writes it, and a comma; 0 when out of memory. */
static int put_key(char **buf, size_t *cap, size_t *len, const char *s)
{
	size_t n;
	char *t = csvout_field_dup(s, &n);

	if (!t || !grow_to(buf, cap, *len + n + 1)) {
		free(t);
		return 0;
	}
	memcpy(*buf + *len, t, n);
	(*buf)[*len + n] = ',';
	*len += n + 1;
	free(t);
	return 1;
}

/* The rows of groups order[from, to) as text, by one thread: the main
 * thread's go to the writer as they are made, a helper's into memory
 * (out). Rows are assembled whole: a national file has tens of thousands
 * of rows of 201 counts. */
typedef struct hist_part {
	const reducer *r;
	group *const *order;
	size_t from, to;
	const char *subj_keys;  /* each subject's cell and a comma... */
	const size_t *subj_at;  /* ...subject j's from subj_at[j] */
	char *keys, *row, *bins, *off;
	size_t keycap, rowcap, offcap;
	char *out;
	size_t outlen, outcap;
	long long rows;
	ss_status st;           /* SS_ENOMEM, or SS_EDATA for an overflow */
} hist_part;

static void hist_part_release(hist_part *h)
{
	free(h->keys);
	free(h->row);
	free(h->bins);
	free(h->off);
	free(h->out);
}

/* Row j of group g in h->row: its length, or 0 when the group has no
 * score in that subject or on failure (h->st). */
static size_t hist_row(hist_part *h, const group *g, size_t glen, size_t j)
{
	const size_t *at = h->subj_at;
	size_t slen = at[j + 1] - at[j], len;
	long long n, sum, sumsq;
	char *bins_end, *p;
	stats_scores sc;

	if (!h->bins && !(h->bins = malloc(STATS_GRID_BINS * 21 + 1))) {
		h->st = SS_ENOMEM;
		return 0;
	}
	if (!grow_to(&h->off, &h->offcap, 1)) {
		h->st = SS_ENOMEM;
		return 0;
	}
	h->off[0] = '\0';
	if (!g->spill) {
		if (!g->bins[j])
			return 0;
		bins_end = put_bins16(h->bins, g->bins[j], &n, &sum, &sumsq);
	} else {
		if (!group_scores(g, j, &sc)) {
			h->st = SS_EDATA;
			return 0;
		}
		if (!grow_to(&h->off, &h->offcap, sc.noffgrid * 48 + 1)) {
			stats_scores_release(&sc);
			h->st = SS_ENOMEM;
			return 0;
		}
		n = sc.n;
		sum = sc.sum_x100;
		sumsq = sc.sumsq_x10000;
		bins_end = put_bins_scores(h->bins, h->off, &sc);
		stats_scores_release(&sc);
	}
	if (n == 0)
		return 0;
	len = glen + slen + 3 * 21 + (size_t)(bins_end - h->bins) +
	      strlen(h->off) + 2;
	if (!grow_to(&h->row, &h->rowcap, len)) {
		h->st = SS_ENOMEM;
		return 0;
	}
	p = h->row;
	memcpy(p, h->keys, glen);
	p += glen;
	memcpy(p, h->subj_keys + at[j], slen);
	p += slen;
	p = csvout_put_u64(p, (unsigned long long)n);
	*p++ = ',';
	p = csvout_put_u64(p, (unsigned long long)sum);
	*p++ = ',';
	p = csvout_put_u64(p, (unsigned long long)sumsq);
	*p++ = ',';
	memcpy(p, h->bins, (size_t)(bins_end - h->bins));
	p += bins_end - h->bins;
	*p++ = ',';
	p = stpcpy(p, h->off);
	*p++ = '\n';
	return (size_t)(p - h->row);
}

/* One whole row (newline included) to the writer. */
static void emit_row(csvout *w, const char *row, size_t len)
{
	char *p = csvout_reserve(w, len);

	if (p) {
		memcpy(p, row, len);
		csvout_commit_row(w, len);
	} else {
		csvout_raw(w, row, len - 1);
		csvout_end_row(w);
	}
}

/* Formats h's groups; each row goes to w, or to h->out when w is NULL.
 * Stops at the first failure (h->st). */
static void hist_part_run(hist_part *h, csvout *w)
{
	size_t i, j;

	for (i = h->from; i < h->to && h->st == SS_OK; i++) {
		const group *g = h->order[i];
		size_t glen = 0;

		if (!put_key(&h->keys, &h->keycap, &glen, g->year) ||
		    !put_key(&h->keys, &h->keycap, &glen, g->exam) ||
		    !put_key(&h->keys, &h->keycap, &glen, g->school)) {
			h->st = SS_ENOMEM;
			break;
		}
		for (j = 0; j < h->r->nsubj && h->st == SS_OK; j++) {
			size_t len = hist_row(h, g, glen, j);

			if (!len)
				continue;
			if (w) {
				emit_row(w, h->row, len);
			} else if (h->outlen + len <= h->outcap ||
				   grow_to(&h->out, &h->outcap,
					   (h->outlen + len) * 2)) {
				memcpy(h->out + h->outlen, h->row, len);
				h->outlen += len;
			} else {
				h->st = SS_ENOMEM;
				break;
			}
			h->rows++;
		}
	}
}

static void *hist_part_main(void *arg)
{
	hist_part_run(arg, NULL);
	return NULL;
}

/* Writes h->out, whole rows at a time. */
static void emit_text(csvout *w, const char *text, size_t len)
{
	while (len > 0) {
		size_t n = len < ((size_t)32 << 10) ? len : (size_t)32 << 10;

		/* up to a row's end; a row longer than the piece whole */
		while (n < len && text[n - 1] != '\n' && n > 1)
			n--;
		if (text[n - 1] != '\n') {
			const char *nl = memchr(text, '\n', len);

			n = (size_t)(nl - text) + 1;
		}
		emit_row(w, text, n);
		text += n;
		len -= n;
	}
}

/* The second half of the rows is formatted by a helper thread when two
 * threads are allowed and the file is large (about 470 bytes a row). */
static ss_status write_hist(reducer *r, const char *path, ss_error *e)
{
	static const char *const header[] = { "year", "exam", "school_id",
					      "subject", "n", "sum_x100",
					      "sumsq_x10000", "bins",
					      "offgrid", NULL };
	group **order = NULL;
	char *subj_keys = NULL;
	size_t *subj_at = NULL;
	size_t i, nkeys = 0, keycap = 0, mid = r->ngroups;
	hist_part part[2];
	pthread_t helper;
	int helping = 0;
	csvout w;
	ss_status st = SS_OK;

	memset(part, 0, sizeof part);
	order = malloc((r->ngroups + 1) * sizeof *order);
	subj_at = malloc((r->nsubj + 1) * sizeof *subj_at);
	if (!order || !subj_at) {
		st = oom(e);
		goto out;
	}
	for (i = 0; i < r->ngroups; i++)
		order[i] = &r->groups[i];
	if (r->ngroups)
		qsort(order, r->ngroups, sizeof *order, group_cmp);
	for (i = 0; i < r->nsubj; i++) {
		subj_at[i] = nkeys;
		if (!put_key(&subj_keys, &keycap, &nkeys, r->subjects[i])) {
			st = oom(e);
			goto out;
		}
	}
	subj_at[r->nsubj] = nkeys;
	for (i = 0; i < 2; i++) {
		part[i].r = r;
		part[i].order = order;
		part[i].subj_keys = subj_keys;
		part[i].subj_at = subj_at;
	}
	st = csvout_open(&w, path, e);
	if (st != SS_OK)
		goto out;
	csvout_header(&w, header);
	if (r->opt.threads >= 2 && r->ngroups >= 2 &&
	    r->ngroups * r->nsubj * 470 >= r->opt.min_split_bytes) {
		mid = r->ngroups / 2;
		part[1].from = mid;
		part[1].to = r->ngroups;
		helping = pthread_create(&helper, NULL, hist_part_main,
					 &part[1]) == 0;
		if (!helping)
			mid = r->ngroups;
	}
	part[0].from = 0;
	part[0].to = mid;
	hist_part_run(&part[0], &w);
	if (helping) {
		pthread_join(helper, NULL);
		if (part[0].st == SS_OK && part[1].st == SS_OK) {
			emit_text(&w, part[1].out, part[1].outlen);
			part[0].rows += part[1].rows;
		} else if (part[0].st == SS_OK) {
			/* as one thread would have gone on */
			part[1].rows = 0;
			part[1].st = SS_OK;
			hist_part_run(&part[1], &w);
			part[0].rows += part[1].rows;
			part[0].st = part[1].st;
		}
	}
	r->counts.hist_rows += part[0].rows;
	if (part[0].st == SS_ENOMEM)
		st = oom(e);
	else if (part[0].st != SS_OK)
		st = err_set(e, SS_ENOMEM, NULL, 0, 0,
			     "out of memory or overflow summing '%s'", r->name);
	if (st != SS_OK) {
		ss_error ignore;

		csvout_close(&w, &ignore);
	} else {
		st = csvout_close(&w, e);
	}
out:
	free(order);
	free(subj_at);
	free(subj_keys);
	hist_part_release(&part[0]);
	hist_part_release(&part[1]);
	return st;
}

/* ------------------------------------------------------------ entry */

/* One warning for the whole file about scores off the 0.05 grid. */
static ss_status offgrid_warning(reducer *r, ss_error *e)
{
	if (!r->counts.offgrid)
		return SS_OK;
	if (diag_report(r->diag, DIAG_WARNING, "offgrid_score", r->name,
			r->off_line, r->off_col,
			"%lld score%s off the 0.05 grid, first '%s' for %s (expected multiples of 0.05; kept exactly)",
			r->counts.offgrid, r->counts.offgrid == 1 ? "" : "s",
			r->off_value, r->off_subject) != SS_OK)
		return oom(e);
	return SS_OK;
}

static int is_utf8_name(const char *enc)
{
	return !enc || strcasecmp(enc, "utf-8") == 0 ||
	       strcasecmp(enc, "utf8") == 0;
}

static ss_status reduce(const char *path, const char *name, const char *data,
			size_t len, const exam_options *opt, diag_sink *diag,
			const char *hist_out_path, exam_counts *counts,
			ss_error *e)
{
	reducer r;
	ss_status st;

	memset(&r, 0, sizeof r);
	if (opt)
		r.opt = *opt;
	if (!r.opt.max_record)
		r.opt.max_record = CSVIN_DEFAULT_MAX_LINE;
	r.name = name;
	r.diag = diag;
	r.schema = schema_find("exam_scores.csv");
	if (!r.schema || r.schema->ncolumns < NKEYS)
		return err_set(e, SS_EINTERNAL, NULL, 0, 0,
			       "no exam_scores table in the schema");
	if (!diag || !hist_out_path)
		return err_set(e, SS_EUSAGE, NULL, 0, 0,
			       "exam: a diagnostics sink and an output path are needed");
	if (!build_score_table(&r)) {
		st = oom(e);
		goto done;
	}

	if (r.opt.reader == EXAM_READER_CSVIN ||
	    !is_utf8_name(r.opt.encoding)) {
		csvin_options co;
		csvin_reader *cr;

		co.delimiter = 0;
		co.encoding = r.opt.encoding;
		co.max_record = r.opt.max_record;
		st = path ? csvin_open(&cr, path, &co, e) :
			    csvin_open_mem(&cr, name, data, len, &co, e);
		if (st == SS_OK) {
			st = scan_csvin(&r, cr, e);
			csvin_free(cr);
		}
	} else {
		source s;

		memset(&s, 0, sizeof s);
		s.fd = -1;
		s.need = 2 * r.opt.max_record + 8;
		s.cap = 4 * r.opt.max_record + 16;
		if (s.cap < EXAM_BUF_MIN)
			s.cap = EXAM_BUF_MIN;
		if (path) {
			s.path = path;
			s.fd = open(path, O_RDONLY);
			if (s.fd < 0) {
				st = err_set_errno(e, SS_EIO, NULL, errno,
						   "cannot open '%s'", path);
				goto done;
			}
			/* a hint for read-ahead; failure changes nothing */
			(void)posix_fadvise(s.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		} else {
			s.mem = data;
			s.mem_len = len;
			if (!len)
				s.eof = 1;
		}
		/* with a second half to start, the header is read from a
		 * first fill just large enough for it (what fast_header looks
		 * at), so that the thread starts sooner; filling the rest of
		 * the buffer, a page fault per 4 KiB, then runs beside it */
		if (r.opt.threads >= 2)
			s.fill_to = s.need + ((size_t)64 << 10);
		/* then a line over max_record in the first 64 KiB after the
		 * header meets long_line with only a prefix in the buffer,
		 * not the whole line: its messages are the same only because
		 * that branch repeats csvin's words exactly (the fuzz harness
		 * fuzz_exam_split compares the two) */
		s.buf = malloc(s.cap);
		if (s.buf)
			memset(s.buf, 0, EXAM_SLACK);
		st = s.buf ? scan_fast(&r, &s, e) : oom(e);
		free(s.buf);
		if (s.fd >= 0)
			close(s.fd);
	}
	if (st == SS_OK)
		st = offgrid_warning(&r, e);
	if (st == SS_OK)
		st = write_hist(&r, hist_out_path, e);
done:
	if (counts)
		*counts = r.counts;
	reducer_release(&r);
	return st;
}

ss_status exam_reduce_file(const char *path, const char *display_name,
			   const exam_options *opt, diag_sink *diag,
			   const char *hist_out_path, exam_counts *counts,
			   ss_error *e)
{
	if (!path)
		return err_set(e, SS_EUSAGE, NULL, 0, 0, "exam: no input path");
	return reduce(path, display_name ? display_name : path, NULL, 0, opt,
		      diag, hist_out_path, counts, e);
}

ss_status exam_reduce_mem(const char *name, const char *data, size_t len,
			  const exam_options *opt, diag_sink *diag,
			  const char *hist_out_path, exam_counts *counts,
			  ss_error *e)
{
	return reduce(NULL, name ? name : "exam_scores.csv", data ? data : "",
		      data ? len : 0, opt, diag, hist_out_path, counts, e);
}

/* ------------------------------------------------------------ reading */

/* A whole number >= 0 in plain digits; 1 and *out, or 0. */
static int parse_count(const char *s, const char **end, long long *out)
{
	long long v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9') {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *p - '0', &v))
			return 0;
		p++;
	}
	*end = p;
	*out = v;
	return 1;
}

static int parse_cell(const char *s, long long *out)
{
	const char *end;

	return s && parse_count(s, &end, out) && *end == '\0';
}

ss_status exam_hist_parse(const char *n, const char *sum_x100,
			  const char *sumsq_x10000, const char *bins,
			  const char *offgrid, stats_scores *s, ss_error *e)
{
	stats_scores acc, extra;
	long long want_n, want_sum, want_sumsq, v, c;
	const char *p = bins ? bins : "", *end;
	size_t k;
	int ok;

	stats_scores_init(&acc);
	stats_scores_init(&extra);
	if (!parse_cell(n, &want_n) || !parse_cell(sum_x100, &want_sum) ||
	    !parse_cell(sumsq_x10000, &want_sumsq))
		return err_set(e, SS_EDATA, NULL, 0, 0,
			       "bad count or sum '%s,%s,%s' (expected whole numbers >= 0)",
			       n ? n : "", sum_x100 ? sum_x100 : "",
			       sumsq_x10000 ? sumsq_x10000 : "");
	for (k = 0; k < STATS_GRID_BINS; k++) {
		long long h = (long long)k * EXAM_GRID_STEP, t;

		if (k > 0) {
			if (*p != ' ')
				break;
			p++;
		}
		if (!parse_count(p, &end, &v))
			break;
		p = end;
		acc.bins[k] = v;
		if (__builtin_add_overflow(acc.n, v, &acc.n) ||
		    __builtin_mul_overflow(v, h, &t) ||
		    __builtin_add_overflow(acc.sum_x100, t, &acc.sum_x100) ||
		    __builtin_mul_overflow(t, h, &t) ||
		    __builtin_add_overflow(acc.sumsq_x10000, t,
					   &acc.sumsq_x10000))
			return err_set(e, SS_EDATA, NULL, 0, 0,
				       "counts too large in bins (expected sums below 2^63)");
	}
	if (k < STATS_GRID_BINS || *p != '\0')
		return err_set(e, SS_EDATA, NULL, 0, 0,
			       "bad bins near '%.20s' (expected %d space-separated counts)",
			       p, STATS_GRID_BINS);
	p = offgrid ? offgrid : "";
	while (*p) {
		long long h;

		if (extra.noffgrid > 0) {
			if (*p != ' ')
				goto bad_offgrid;
			p++;
		}
		if (!parse_count(p, &end, &h) || *end != ':')
			goto bad_offgrid;
		p = end + 1;
		if (!parse_count(p, &end, &c) || c == 0 || h > EXAM_SCORE_MAX ||
		    h % EXAM_GRID_STEP == 0 ||
		    (extra.noffgrid > 0 &&
		     h <= extra.offgrid[extra.noffgrid - 1].hundredths))
			goto bad_offgrid;
		p = end;
		if (extra.noffgrid == extra.cap_offgrid) {
			size_t ncap = extra.cap_offgrid ? extra.cap_offgrid * 2 : 8;
			stats_offgrid *no = realloc(extra.offgrid,
						    ncap * sizeof *no);

			if (!no) {
				stats_scores_release(&extra);
				return err_set(e, SS_ENOMEM, NULL, 0, 0,
					       "out of memory");
			}
			extra.offgrid = no;
			extra.cap_offgrid = ncap;
		}
		extra.offgrid[extra.noffgrid].hundredths = (long)h;
		extra.offgrid[extra.noffgrid].count = c;
		extra.noffgrid++;
		if (__builtin_add_overflow(extra.n, c, &extra.n) ||
		    __builtin_mul_overflow(c, h, &v) ||
		    __builtin_add_overflow(extra.sum_x100, v, &extra.sum_x100) ||
		    __builtin_mul_overflow(v, h, &v) ||
		    __builtin_add_overflow(extra.sumsq_x10000, v,
					   &extra.sumsq_x10000)) {
			stats_scores_release(&extra);
			return err_set(e, SS_EDATA, NULL, 0, 0,
				       "counts too large in offgrid (expected sums below 2^63)");
		}
	}
	ok = stats_scores_merge(&acc, &extra);
	stats_scores_release(&extra);
	if (!ok) {
		stats_scores_release(&acc);
		return err_set(e, SS_EDATA, NULL, 0, 0,
			       "counts too large (expected sums below 2^63)");
	}
	if (acc.n != want_n || acc.sum_x100 != want_sum ||
	    acc.sumsq_x10000 != want_sumsq) {
		err_set(e, SS_EDATA, NULL, 0, 0,
			"n and sums '%lld,%lld,%lld' disagree with the counts (expected %lld,%lld,%lld)",
			want_n, want_sum, want_sumsq, acc.n, acc.sum_x100,
			acc.sumsq_x10000);
		stats_scores_release(&acc);
		return SS_EDATA;
	}
	stats_scores_release(s);
	*s = acc;
	return SS_OK;

bad_offgrid:
	stats_scores_release(&extra);
	return err_set(e, SS_EDATA, NULL, 0, 0,
		       "bad offgrid near '%.20s' (expected increasing hundredths:count pairs off the 0.05 grid)",
		       p);
}
