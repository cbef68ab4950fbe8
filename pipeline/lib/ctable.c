#include "ctable.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "csvin.h"

void ctable_init(ctable *t)
{
	memset(t, 0, sizeof *t);
}

void ctable_release(ctable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncols; i++)
		free(t->header[i]);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->header);
	free(t->cells);
	free(t->lines);
	free(t->path);
	memset(t, 0, sizeof *t);
}

static ss_status read_header(ctable *t, const csvin_row *row, ss_error *e)
{
	if (row->status != CSVIN_ROW_OK)
		return err_set(e, SS_EDATA, t->path, row->line,
			       row->problem_column, "%s", row->problem);
	t->header = calloc(row->nfields ? row->nfields : 1, sizeof *t->header);
	if (!t->header)
		return err_set(e, SS_ENOMEM, t->path, 0, 0, "out of memory");
	t->ncols = row->nfields;
	for (size_t i = 0; i < row->nfields; i++)
		if (!(t->header[i] = strdup(row->fields[i])))
			return err_set(e, SS_ENOMEM, t->path, 0, 0,
				       "out of memory");
	return SS_OK;
}

static ss_status append_row(ctable *t, const csvin_row *row, size_t *cap,
			    ss_error *e)
{
	char **cells;
	long *lines;

	if (row->status != CSVIN_ROW_OK)
		return err_set(e, SS_EDATA, t->path, row->line,
			       row->problem_column, "%s", row->problem);
	if (row->nfields != t->ncols)
		return err_set(e, SS_EDATA, t->path, row->line, 1,
			       "row has %zu fields (expected %zu)",
			       row->nfields, t->ncols);
	if (t->nrows == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;

		cells = realloc(t->cells, ncap * t->ncols * sizeof *cells);
		if (!cells)
			return err_set(e, SS_ENOMEM, t->path, 0, 0,
				       "out of memory");
		t->cells = cells;
		lines = realloc(t->lines, ncap * sizeof *lines);
		if (!lines)
			return err_set(e, SS_ENOMEM, t->path, 0, 0,
				       "out of memory");
		t->lines = lines;
		*cap = ncap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *cell = strdup(row->fields[i]);

		if (!cell) {
			/* keep the table releasable: count the partial row */
			for (size_t j = i; j < t->ncols; j++)
				t->cells[t->nrows * t->ncols + j] = NULL;
			t->nrows++;
			return err_set(e, SS_ENOMEM, t->path, 0, 0,
				       "out of memory");
		}
		t->cells[t->nrows * t->ncols + i] = cell;
	}
	t->lines[t->nrows++] = row->line;
	return SS_OK;
}

ss_status ctable_load(ctable *t, const char *path, ss_error *e)
{
	csvin_options opt = { ',', NULL, 0 };
	csvin_reader *r = NULL;
	const csvin_row *row;
	size_t cap = 0;
	ss_status st;

	ctable_init(t);
	if (!(t->path = strdup(path)))
		return err_set(e, SS_ENOMEM, path, 0, 0, "out of memory");
	if ((st = csvin_open(&r, path, &opt, e)) != SS_OK)
		return st;
	while ((st = csvin_next(r, &row, e)) == SS_OK && row) {
		if (!t->header)
			st = read_header(t, row, e);
		else
			st = append_row(t, row, &cap, e);
		if (st != SS_OK)
			break;
	}
	if (st == SS_OK && !t->header)
		st = err_set(e, SS_EDATA, path, 1, 1,
			     "empty file (expected a header row)");
	csvin_free(r);
	return st;
}

ss_status ctable_load_optional(ctable *t, const char *dir, const char *name,
			       int *present, ss_error *e)
{
	char path[4096];
	struct stat sb;

	ctable_init(t);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	*present = !(stat(path, &sb) != 0 && errno == ENOENT);
	return *present ? ctable_load(t, path, e) : SS_OK;
}

int ctable_col(const ctable *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->header[i], name) == 0)
			return (int)i;
	return -1;
}

const char *ctable_get(const ctable *t, size_t row, int col)
{
	const char *cell;

	if (col < 0 || (size_t)col >= t->ncols || row >= t->nrows)
		return "";
	cell = t->cells[row * t->ncols + (size_t)col];
	return cell ? cell : "";
}

int ctable_get_ll(const ctable *t, size_t row, int col, long long *out)
{
	const char *s = ctable_get(t, row, col);
	char *end;
	long long v;

	if (!*s)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 1;
}

int ctable_get_double(const ctable *t, size_t row, int col, double *out)
{
	const char *s = ctable_get(t, row, col);
	char *end;
	double v;

	if (!*s)
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v))
		return -1;
	*out = v;
	return 1;
}
