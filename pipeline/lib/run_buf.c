/* Small containers of the run module: a growing string, a string list and
 * a file list. */
#include "run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_buf_init(run_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

void run_buf_release(run_buf *b)
{
	free(b->data);
	run_buf_init(b);
}

static int buf_reserve(run_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return 0;
	if (extra > (size_t)-1 / 2 - b->len) {
		b->failed = 1;
		return 0;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return 0;
	}
	b->data = p;
	b->cap = cap;
	return 1;
}

void run_buf_add(run_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void run_buf_puts(run_buf *b, const char *s)
{
	run_buf_add(b, s, strlen(s));
}

void run_buf_printf(run_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *run_buf_str(const run_buf *b)
{
	return b->data ? b->data : "";
}

/* ------------------------------------------------------------ strv */

void run_strv_init(run_strv *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
}

void run_strv_release(run_strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	run_strv_init(l);
}

ss_status run_strv_add(run_strv *l, const char *s, ss_error *e)
{
	char *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char **v = realloc(l->v, cap * sizeof *v);

		if (!v)
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	if (!(copy = strdup(s)))
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	l->v[l->n++] = copy;
	return SS_OK;
}

int run_strv_equal(const run_strv *a, const run_strv *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

/* ------------------------------------------------------------ files */

void run_files_init(run_files *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
}

void run_files_release(run_files *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	run_files_init(l);
}

ss_status run_files_add(run_files *l, const char *path, const char *sha256,
			long long bytes, int external, ss_error *e)
{
	run_file *f;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		run_file *v = realloc(l->v, cap * sizeof *v);

		if (!v)
			return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	f = &l->v[l->n];
	if (!(f->path = strdup(path)))
		return err_set(e, SS_ENOMEM, NULL, 0, 0, "out of memory");
	snprintf(f->sha256, sizeof f->sha256, "%s", sha256 ? sha256 : "");
	f->bytes = bytes;
	f->external = external;
	f->mtime_ns = f->ino = -1;
	f->indexed = 0;
	l->n++;
	return SS_OK;
}

ss_status run_files_add_copy(run_files *l, const run_file *f, ss_error *e)
{
	ss_status st = run_files_add(l, f->path, f->sha256, f->bytes,
				     f->external, e);

	if (st == SS_OK) {
		l->v[l->n - 1].mtime_ns = f->mtime_ns;
		l->v[l->n - 1].ino = f->ino;
		l->v[l->n - 1].indexed = f->indexed;
		l->v[l->n - 1].ctime_ns = f->ctime_ns;
	}
	return st;
}

const run_file *run_files_find(const run_files *l, const char *path,
			       int external)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].external == external && strcmp(l->v[i].path, path) == 0)
			return &l->v[i];
	return NULL;
}

static int file_cmp(const void *a, const void *b)
{
	const run_file *x = a, *y = b;

	if (x->external != y->external)
		return x->external - y->external;
	return strcmp(x->path, y->path);
}

void run_files_sort(run_files *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, file_cmp);
}

char *run_path_join(const char *dir, const char *name)
{
	size_t nd = dir ? strlen(dir) : 0, nn = strlen(name);
	char *p = malloc(nd + nn + 2);

	if (!p)
		return NULL;
	if (nd == 0) {
		memcpy(p, name, nn + 1);
		return p;
	}
	memcpy(p, dir, nd);
	/* "dir/" and "/" already end in a separator */
	if (dir[nd - 1] != '/')
		p[nd++] = '/';
	memcpy(p + nd, name, nn + 1);
	return p;
}
