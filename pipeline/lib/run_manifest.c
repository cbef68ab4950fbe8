/* manifest.json (what a run did, for tracing a figure back to its files
 * and for the next run's decisions) and run_info.csv (its essentials for
 * the report). JSON is written by hand so that the key order is fixed. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void run_manifest_init(run_manifest *m)
{
	memset(m, 0, sizeof *m);
	m->nerrors = m->nwarnings = m->nrejected = -1;
	run_files_init(&m->outputs);
	run_strv_init(&m->kept);
}

void run_manifest_release(run_manifest *m)
{
	free(m->version);
	free(m->config_path);
	free(m->input_dir);
	free(m->output_dir);
	free(m->unit);
	free(m->year);
	free(m->number_style);
	free(m->encoding);
	free(m->norms);
	for (size_t i = 0; i < m->ntables; i++) {
		free(m->tables[i].table);
		free(m->tables[i].path);
	}
	free(m->tables);
	for (size_t i = 0; i < m->nstages; i++)
		run_stage_rec_release(&m->stages[i]);
	free(m->stages);
	run_files_release(&m->outputs);
	run_strv_release(&m->kept);
	run_manifest_init(m);
}

const run_stage_rec *run_manifest_stage(const run_manifest *m,
					const char *stage)
{
	for (size_t i = 0; i < m->nstages; i++)
		if (m->stages[i].stage && strcmp(m->stages[i].stage, stage) == 0)
			return &m->stages[i];
	return NULL;
}

void run_iso_time(long long epoch, char out[32])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* ------------------------------------------------------------ writing */

static void put_str_or_null(run_buf *b, const char *s)
{
	if (s)
		run_json_put_string(b, s);
	else
		run_buf_puts(b, "null");
}

static void put_sha(run_buf *b, const char *hex)
{
	put_str_or_null(b, hex && hex[0] ? hex : NULL);
}

static void put_count(run_buf *b, long long v)
{
	if (v < 0)
		run_buf_puts(b, "null");
	else
		run_buf_printf(b, "%lld", v);
}

/* "key": at the given indent. */
static void put_key(run_buf *b, int indent, const char *key)
{
	run_buf_printf(b, "%*s", indent, "");
	run_json_put_string(b, key);
	run_buf_puts(b, ": ");
}

static void put_strv(run_buf *b, const run_strv *l)
{
	run_buf_puts(b, "[");
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			run_buf_puts(b, ", ");
		run_json_put_string(b, l->v[i]);
	}
	run_buf_puts(b, "]");
}

/* One file per line: {"path": ..., "sha256": ..., "bytes": ...}; inputs
 * also say where the path is ("file": as given, "output": in the tree). */
static void put_files(run_buf *b, int indent, const run_files *l, int inputs)
{
	if (l->n == 0) {
		run_buf_puts(b, "[]");
		return;
	}
	run_buf_puts(b, "[\n");
	for (size_t i = 0; i < l->n; i++) {
		const run_file *f = &l->v[i];

		run_buf_printf(b, "%*s{\"path\": ", indent + 2, "");
		run_json_put_string(b, f->path);
		if (inputs)
			run_buf_printf(b, ", \"from\": \"%s\"",
				       f->external ? "file" : "output");
		run_buf_puts(b, ", \"sha256\": ");
		put_sha(b, f->sha256);
		if (!inputs || f->indexed) {
			run_buf_puts(b, ", \"bytes\": ");
			put_count(b, f->bytes);
		}
		/* the hash index: only for files that were not racy */
		if (f->indexed)
			run_buf_printf(b, ", \"mtime_ns\": %lld, \"inode\": %lld",
				       f->mtime_ns, f->ino);
		run_buf_puts(b, i + 1 < l->n ? "},\n" : "}\n");
	}
	run_buf_printf(b, "%*s]", indent, "");
}

static const char *vmode_name(run_vmode m)
{
	return m == RUN_VAL_APPEND ? "append" : m == RUN_VAL_REPLACE ? "replace"
								    : "none";
}

static void put_stage(run_buf *b, const run_stage_rec *r, int last)
{
	const int in = 6;

	run_buf_puts(b, "    {\n");
	put_key(b, in, "stage");
	put_str_or_null(b, r->stage);
	run_buf_puts(b, ",\n");
	put_key(b, in, "status");
	run_json_put_string(b, run_stage_status_name(r->status));
	run_buf_puts(b, ",\n");
	put_key(b, in, "seconds");
	run_buf_printf(b, "%.3f,\n", r->seconds);
	put_key(b, in, "why");
	put_str_or_null(b, r->why);
	run_buf_puts(b, ",\n");
	put_key(b, in, "exit_status");
	if (r->exit_status >= 0)
		run_buf_printf(b, "%d,\n", r->exit_status);
	else
		run_buf_puts(b, "null,\n");
	put_key(b, in, "program");
	put_str_or_null(b, r->binary);
	run_buf_puts(b, ",\n");
	put_key(b, in, "program_sha256");
	put_sha(b, r->binary_sha256);
	run_buf_puts(b, ",\n");
	put_key(b, in, "args");
	put_strv(b, &r->args);
	run_buf_puts(b, ",\n");
	put_key(b, in, "env");
	put_strv(b, &r->env);
	run_buf_puts(b, ",\n");
	put_key(b, in, "key");
	put_sha(b, r->key);
	run_buf_puts(b, ",\n");
	put_key(b, in, "reusable");
	run_buf_puts(b, r->reusable ? "true,\n" : "false,\n");
	put_key(b, in, "inputs");
	put_files(b, in, &r->inputs, 1);
	run_buf_puts(b, ",\n");
	put_key(b, in, "outputs");
	put_files(b, in, &r->outputs, 0);
	run_buf_puts(b, ",\n");
	put_key(b, in, "validation");
	run_buf_printf(b, "{\"mode\": \"%s\", \"offset\": %lld, \"bytes\": %lld, \"sha256\": ",
		       vmode_name(r->vmode), r->voffset, r->vbytes);
	put_sha(b, r->vsha256);
	run_buf_puts(b, "}\n");
	run_buf_puts(b, last ? "    }\n" : "    },\n");
}

void run_manifest_write_json(const run_manifest *m, run_buf *b)
{
	run_buf_puts(b, "{\n");
	put_key(b, 2, "program");
	run_buf_puts(b, "\"schoolstat-run\",\n");
	put_key(b, 2, "version");
	put_str_or_null(b, m->version);
	run_buf_puts(b, ",\n");
	put_key(b, 2, "started");
	run_json_put_string(b, m->started);
	run_buf_puts(b, ",\n");
	put_key(b, 2, "finished");
	run_json_put_string(b, m->finished);
	run_buf_puts(b, ",\n");
	put_key(b, 2, "config");
	put_str_or_null(b, m->config_path);
	run_buf_puts(b, ",\n");
	put_key(b, 2, "input_dir");
	put_str_or_null(b, m->input_dir);
	run_buf_puts(b, ",\n");
	put_key(b, 2, "output_dir");
	put_str_or_null(b, m->output_dir);
	run_buf_puts(b, ",\n");
	put_key(b, 2, "settings");
	run_buf_puts(b, "{\n");
	put_key(b, 4, "unit");
	put_str_or_null(b, m->unit);
	run_buf_puts(b, ",\n");
	put_key(b, 4, "year");
	put_str_or_null(b, m->year);
	run_buf_puts(b, ",\n");
	put_key(b, 4, "number_style");
	put_str_or_null(b, m->number_style);
	run_buf_puts(b, ",\n");
	put_key(b, 4, "encoding");
	put_str_or_null(b, m->encoding);
	run_buf_puts(b, ",\n");
	put_key(b, 4, "norms");
	put_str_or_null(b, m->norms);
	run_buf_puts(b, ",\n");
	put_key(b, 4, "norms_sha256");
	put_sha(b, m->norms_sha256);
	run_buf_puts(b, ",\n");
	put_key(b, 4, "strict");
	run_buf_puts(b, m->strict > 0 ? "true\n" : "false\n");
	run_buf_puts(b, "  },\n");
	put_key(b, 2, "input_tables");
	run_buf_puts(b, m->ntables ? "[\n" : "[]");
	for (size_t i = 0; i < m->ntables; i++) {
		const run_table *t = &m->tables[i];

		run_buf_puts(b, "    {\"table\": ");
		put_str_or_null(b, t->table);
		run_buf_puts(b, ", \"path\": ");
		put_str_or_null(b, t->path);
		run_buf_printf(b, ", \"present\": %s, \"sha256\": ",
			       t->present ? "true" : "false");
		put_sha(b, t->sha256);
		run_buf_puts(b, ", \"bytes\": ");
		put_count(b, t->bytes);
		run_buf_puts(b, ", \"rows_read\": ");
		put_count(b, t->rows_read);
		run_buf_puts(b, ", \"rows_accepted\": ");
		put_count(b, t->rows_accepted);
		run_buf_puts(b, ", \"rows_rejected\": ");
		put_count(b, t->rows_rejected);
		run_buf_puts(b, i + 1 < m->ntables ? "},\n" : "}\n");
	}
	run_buf_puts(b, m->ntables ? "  ],\n" : ",\n");
	put_key(b, 2, "validation");
	run_buf_puts(b, "{\"errors\": ");
	put_count(b, m->nerrors);
	run_buf_puts(b, ", \"warnings\": ");
	put_count(b, m->nwarnings);
	run_buf_puts(b, "},\n");
	put_key(b, 2, "rejected_rows");
	put_count(b, m->nrejected);
	run_buf_puts(b, ",\n");
	put_key(b, 2, "stages");
	run_buf_puts(b, m->nstages ? "[\n" : "[]");
	for (size_t i = 0; i < m->nstages; i++)
		put_stage(b, &m->stages[i], i + 1 == m->nstages);
	run_buf_puts(b, m->nstages ? "  ],\n" : ",\n");
	put_key(b, 2, "outputs");
	put_files(b, 2, &m->outputs, 0);
	run_buf_puts(b, ",\n");
	put_key(b, 2, "kept");
	put_strv(b, &m->kept);
	run_buf_puts(b, "\n}\n");
}

/* ------------------------------------------------------------ reading */

static ss_status bad(const char *name, ss_error *e, const char *what,
		     size_t stage)
{
	return err_set(e, SS_EDATA, name, 0, 0,
		       "stage %zu: %s (expected a manifest written by schoolstat-run)",
		       stage + 1, what);
}

static ss_status dup_opt(char **slot, const run_json *v, ss_error *e)
{
	const char *s = run_json_str(v);

	if (!s)
		return SS_OK;
	if (!(*slot = strdup(s)))
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	return SS_OK;
}

static int copy_sha(char out[RUN_SHA256_HEX], const run_json *v)
{
	const char *s = run_json_str(v);

	out[0] = '\0';
	if (!v || v->type == RUN_JSON_NULL)
		return 1;
	if (!s || strlen(s) != 64 || strspn(s, "0123456789abcdef") != 64)
		return 0;
	memcpy(out, s, RUN_SHA256_HEX);
	return 1;
}

static ss_status read_strv(run_strv *l, const run_json *v, ss_error *e)
{
	ss_status st = SS_OK;

	if (!v || v->type != RUN_JSON_ARRAY)
		return SS_EDATA;
	for (size_t i = 0; i < v->n && st == SS_OK; i++) {
		const char *s = run_json_str(&v->items[i]);

		st = s ? run_strv_add(l, s, e) : SS_EDATA;
	}
	return st;
}

static ss_status read_files(run_files *l, const run_json *v, ss_error *e)
{
	if (!v || v->type != RUN_JSON_ARRAY)
		return SS_EDATA;
	for (size_t i = 0; i < v->n; i++) {
		const run_json *f = &v->items[i];
		const char *path = run_json_str(run_json_get(f, "path"));
		const char *from = run_json_str(run_json_get(f, "from"));
		char sha[RUN_SHA256_HEX];
		long long bytes = -1;
		ss_status st;

		if (!path || !copy_sha(sha, run_json_get(f, "sha256")))
			return SS_EDATA;
		long long mtime = -1, ino = -1;

		run_json_ll(run_json_get(f, "bytes"), &bytes);
		st = run_files_add(l, path, sha, bytes,
				   from && strcmp(from, "file") == 0, e);
		if (st != SS_OK)
			return st;
		if (sha[0] && bytes >= 0 &&
		    run_json_ll(run_json_get(f, "mtime_ns"), &mtime) &&
		    run_json_ll(run_json_get(f, "inode"), &ino) && ino >= 0) {
			l->v[l->n - 1].mtime_ns = mtime;
			l->v[l->n - 1].ino = ino;
			l->v[l->n - 1].indexed = 1;
		}
	}
	return SS_OK;
}

static ss_status read_stage(run_stage_rec *r, const run_json *v,
			    const char *name, size_t k, ss_error *e)
{
	const run_json *val = run_json_get(v, "validation");
	const run_json *reusable = run_json_get(v, "reusable");
	const char *mode = run_json_str(run_json_get(val, "mode"));
	long long x;
	ss_status st;

	if (v->type != RUN_JSON_OBJECT)
		return bad(name, e, "not an object", k);
	if (!run_json_str(run_json_get(v, "stage")))
		return bad(name, e, "no \"stage\" name", k);
	if ((st = dup_opt(&r->stage, run_json_get(v, "stage"), e)) ||
	    (st = dup_opt(&r->binary, run_json_get(v, "program"), e)) ||
	    (st = dup_opt(&r->why, run_json_get(v, "why"), e)))
		return st;
	r->status = run_stage_status_from_name(run_json_str(run_json_get(v, "status")));
	r->reusable = reusable && reusable->type == RUN_JSON_BOOL && reusable->boolean;
	if (run_json_ll(run_json_get(v, "exit_status"), &x))
		r->exit_status = (int)x;
	if (!copy_sha(r->binary_sha256, run_json_get(v, "program_sha256")) ||
	    !copy_sha(r->key, run_json_get(v, "key")))
		return bad(name, e, "bad \"program_sha256\" or \"key\"", k);
	if ((st = read_strv(&r->args, run_json_get(v, "args"), e)) != SS_OK)
		return st == SS_EDATA ? bad(name, e, "bad \"args\"", k) : st;
	if ((st = read_strv(&r->env, run_json_get(v, "env"), e)) != SS_OK)
		return st == SS_EDATA ? bad(name, e, "bad \"env\"", k) : st;
	if ((st = read_files(&r->inputs, run_json_get(v, "inputs"), e)) != SS_OK)
		return st == SS_EDATA ? bad(name, e, "bad \"inputs\"", k) : st;
	if ((st = read_files(&r->outputs, run_json_get(v, "outputs"), e)) != SS_OK)
		return st == SS_EDATA ? bad(name, e, "bad \"outputs\"", k) : st;
	if (!mode || !run_json_ll(run_json_get(val, "offset"), &r->voffset) ||
	    !run_json_ll(run_json_get(val, "bytes"), &r->vbytes) ||
	    r->voffset < 0 || r->vbytes < 0 ||
	    !copy_sha(r->vsha256, run_json_get(val, "sha256")))
		return bad(name, e, "bad \"validation\"", k);
	r->vmode = strcmp(mode, "append") == 0 ? RUN_VAL_APPEND
		 : strcmp(mode, "replace") == 0 ? RUN_VAL_REPLACE : RUN_VAL_NONE;
	return SS_OK;
}

ss_status run_manifest_parse(run_manifest *m, const char *text, size_t len,
			     const char *name, ss_error *e)
{
	run_json root;
	const run_json *stages, *v;
	ss_status st;

	if ((st = run_json_parse(&root, text, len, name, e)) != SS_OK) {
		run_json_release(&root);
		return st;
	}
	stages = run_json_get(&root, "stages");
	if (root.type != RUN_JSON_OBJECT || !stages ||
	    stages->type != RUN_JSON_ARRAY) {
		run_json_release(&root);
		return err_set(e, SS_EDATA, name, 0, 0,
			       "no \"stages\" list (expected a manifest written by schoolstat-run)");
	}
	if ((st = dup_opt(&m->version, run_json_get(&root, "version"), e)) ||
	    (st = dup_opt(&m->input_dir, run_json_get(&root, "input_dir"), e)) ||
	    (st = dup_opt(&m->output_dir, run_json_get(&root, "output_dir"), e)) ||
	    (st = dup_opt(&m->config_path, run_json_get(&root, "config"), e)))
		goto out;
	if ((v = run_json_get(&root, "started")) && run_json_str(v))
		snprintf(m->started, sizeof m->started, "%s", run_json_str(v));
	if ((v = run_json_get(&root, "finished")) && run_json_str(v))
		snprintf(m->finished, sizeof m->finished, "%s", run_json_str(v));
	if (stages->n && !(m->stages = calloc(stages->n, sizeof *m->stages))) {
		st = err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < stages->n; i++) {
		run_stage_rec_init(&m->stages[i]);
		m->nstages++;
		if ((st = read_stage(&m->stages[i], &stages->items[i], name, i,
				     e)) != SS_OK)
			goto out;
	}
	st = read_files(&m->outputs, run_json_get(&root, "outputs"), e);
	if (st == SS_EDATA) {
		st = err_set(e, SS_EDATA, name, 0, 0,
			     "bad \"outputs\" list (expected a manifest written by schoolstat-run)");
		goto out;
	}
	if (st == SS_OK && run_json_get(&root, "kept") &&
	    (st = read_strv(&m->kept, run_json_get(&root, "kept"), e)) == SS_EDATA)
		st = err_set(e, SS_EDATA, name, 0, 0,
			     "bad \"kept\" list (expected a manifest written by schoolstat-run)");
out:
	run_json_release(&root);
	return st;
}

/* ------------------------------------------------------------ run_info */

static void csv_field(run_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (n && (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[n - 1] == ' ')) {
		run_buf_add(b, "\"", 1);
		for (; *s; s++) {
			if (*s == '"')
				run_buf_add(b, "\"", 1);
			run_buf_add(b, s, 1);
		}
		run_buf_add(b, "\"", 1);
	} else {
		run_buf_add(b, s, n);
	}
}

static void info_row(run_buf *b, const char *key, const char *value)
{
	csv_field(b, key);
	run_buf_add(b, ",", 1);
	csv_field(b, value ? value : "");
	run_buf_add(b, "\n", 1);
}

static void info_count(run_buf *b, const char *key, long long v)
{
	char num[32] = "";

	if (v >= 0)
		snprintf(num, sizeof num, "%lld", v);
	info_row(b, key, num);
}

void run_info_write_csv(const run_manifest *m, run_buf *b)
{
	size_t present = 0;
	char num[32];

	for (size_t i = 0; i < m->ntables; i++)
		present += m->tables[i].present != 0;
	info_row(b, "key", "value");
	info_row(b, "program", "schoolstat-run");
	info_row(b, "version", m->version);
	info_row(b, "input_dir", m->input_dir);
	if (m->norms) {
		info_row(b, "norms", m->norms);
		info_row(b, "norms_sha256", m->norms_sha256);
	}
	info_count(b, "validation_errors", m->nerrors);
	info_count(b, "validation_warnings", m->nwarnings);
	info_count(b, "rejected_rows", m->nrejected);
	snprintf(num, sizeof num, "%zu", present);
	info_row(b, "tables", num);
	for (size_t i = 0; i < m->ntables; i++) {
		const run_table *t = &m->tables[i];
		run_buf key;

		if (!t->present)
			continue;
		run_buf_init(&key);
		run_buf_printf(&key, "table:%s:path", t->table);
		info_row(b, run_buf_str(&key), t->path);
		key.len = 0;
		run_buf_printf(&key, "table:%s:sha256", t->table);
		info_row(b, run_buf_str(&key), t->sha256);
		key.len = 0;
		run_buf_printf(&key, "table:%s:rows_read", t->table);
		info_count(b, run_buf_str(&key), t->rows_read);
		key.len = 0;
		run_buf_printf(&key, "table:%s:rows_accepted", t->table);
		info_count(b, run_buf_str(&key), t->rows_accepted);
		key.len = 0;
		run_buf_printf(&key, "table:%s:rows_rejected", t->table);
		info_count(b, run_buf_str(&key), t->rows_rejected);
		b->failed |= key.failed;
		run_buf_release(&key);
	}
}
