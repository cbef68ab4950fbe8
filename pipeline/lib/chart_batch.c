/* chart_batch — many charts written at the speed of drawing them.
 *
 * Encoding a chart's PNG (filtering and deflating 1600 x 1000 pixels)
 * takes three times as long as drawing the chart, so the caller's thread
 * draws each chart, PNG image and SVG document, and worker threads encode
 * the images meanwhile. Nothing but the encoding leaves the caller's
 * thread: cairo, Pango and the files are used from it alone.
 *
 * Every file, note and failure is an item of one queue, committed by the
 * caller's thread strictly in the order added, and nothing is committed
 * after the first failure: the files on disk and the notes told are those
 * the same charts written one by one would leave. */
#include "chart.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Encoding threads at most. One image more than there are threads (6.4 MB
 * each at 1600 x 1000) may wait or be encoded, so that a thread finds the
 * next one ready; the caller waits before drawing past that. */
#define CHART_BATCH_WORKERS_MAX 4

typedef enum item_kind { ITEM_FILE, ITEM_NOTE, ITEM_FAILURE } item_kind;

typedef struct batch_item {
	item_kind kind;
	char *path;                /* ITEM_FILE */
	cairo_surface_t *image;    /* a PNG still to encode, else NULL */
	unsigned char *pixels;     /* the image's, from the pool or NULL */
	size_t pixels_bytes;
	unsigned char *bytes;      /* the file's contents once ready */
	size_t len;
	int ready;                 /* encoded (always for SVG and notes) */
	int ends_chart;            /* the chart's last file */
	chart_note_fn note;        /* ITEM_NOTE */
	void *note_ctx;
	ss_status status;          /* an encoding failure or ITEM_FAILURE */
	ss_error error;
	struct batch_item *next;       /* commit order */
	struct batch_item *next_job;   /* encoding order */
} batch_item;

struct chart_batch {
	pthread_mutex_t lock;
	pthread_cond_t work;       /* a job was queued, or the batch stops */
	pthread_cond_t done;       /* a job was encoded */
	pthread_t threads[CHART_BATCH_WORKERS_MAX];
	int nthreads;
	int stopping;
	batch_item *head, *tail;   /* not yet committed */
	batch_item *jobs, *jobs_tail;
	int images;                /* queued or being encoded */
	int max_images;
	/* pixel buffers of encoded images, drawn in again */
	unsigned char *pool[CHART_BATCH_WORKERS_MAX + 2];
	size_t pool_bytes[CHART_BATCH_WORKERS_MAX + 2];
	int npool;
	/* the caller's side */
	ss_status status;          /* the first failure committed */
	ss_error error;
	size_t written;            /* charts with every file written */
};

/* Destroys the item's image and gives its pixels back to the pool (or
 * frees them). Called with the lock held, or before the item is queued. */
static void drop_image(chart_batch *b, batch_item *it)
{
	if (it->image)
		cairo_surface_destroy(it->image);
	it->image = NULL;
	if (!it->pixels)
		return;
	if (b->npool < (int)(sizeof b->pool / sizeof b->pool[0])) {
		b->pool[b->npool] = it->pixels;
		b->pool_bytes[b->npool++] = it->pixels_bytes;
	} else {
		free(it->pixels);
	}
	it->pixels = NULL;
}

/* Pixels of n bytes for an image: a buffer of the pool, else a new one,
 * else NULL (cairo then allocates its own). Called with the lock held. */
static unsigned char *take_pixels(chart_batch *b, size_t n)
{
	int i;

	if (n == 0)
		return NULL;
	for (i = b->npool - 1; i >= 0; i--) {
		if (b->pool_bytes[i] == n) {
			unsigned char *p = b->pool[i];

			b->pool[i] = b->pool[--b->npool];
			b->pool_bytes[i] = b->pool_bytes[b->npool];
			return p;
		}
	}
	return malloc(n);
}

static void item_free(chart_batch *b, batch_item *it)
{
	drop_image(b, it);
	free(it->path);
	free(it->bytes);
	free(it);
}

static void *worker_main(void *arg)
{
	chart_batch *b = arg;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		batch_item *job;
		cairo_surface_t *image;
		ss_status s;

		while (!b->jobs && !b->stopping)
			pthread_cond_wait(&b->work, &b->lock);
		if (!b->jobs)
			break;
		job = b->jobs;
		b->jobs = job->next_job;
		if (!b->jobs)
			b->jobs_tail = NULL;
		image = job->image;
		pthread_mutex_unlock(&b->lock);

		err_clear(&job->error);
		s = chart_encode_image(job->path, image, &job->bytes, &job->len,
				       &job->error);

		pthread_mutex_lock(&b->lock);
		drop_image(b, job);
		job->status = s;
		job->ready = 1;
		b->images--;
		pthread_cond_broadcast(&b->done);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static int processors(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CHART_BATCH_WORKERS_MAX
				   ? CHART_BATCH_WORKERS_MAX
				   : (int)n;
}

ss_status chart_batch_open(chart_batch **out, int threads, ss_error *e)
{
	chart_batch *b = calloc(1, sizeof *b);
	int i, workers = threads;

	*out = NULL;
	if (!b)
		return err_set(e, SS_ENOMEM, NULL, 0, 0,
			       "out of memory starting the charts");
	/* One processor gains nothing from a thread: the caller encodes. */
	if (workers == 0)
		workers = processors() > 1 ? processors() : 0;
	if (workers > CHART_BATCH_WORKERS_MAX)
		workers = CHART_BATCH_WORKERS_MAX;
	if (pthread_mutex_init(&b->lock, NULL) != 0) {
		free(b);
		return err_set(e, SS_ENOMEM, NULL, 0, 0,
			       "out of memory starting the charts");
	}
	pthread_cond_init(&b->work, NULL);
	pthread_cond_init(&b->done, NULL);
	for (i = 0; i < workers; i++) {
		if (pthread_create(&b->threads[i], NULL, worker_main, b) != 0)
			break; /* fewer workers, or none: still correct */
		b->nthreads++;
	}
	b->max_images = b->nthreads + 1;
	*out = b;
	return SS_OK;
}

/* Writes or tells one item; a failure is kept as the batch's. */
static void commit(chart_batch *b, batch_item *it)
{
	ss_status s = it->status;
	ss_error err = it->error;

	if (s == SS_OK && it->kind == ITEM_FILE) {
		err_clear(&err);
		s = chart_write_file(it->path, it->bytes, it->len, &err);
		if (s == SS_OK && it->ends_chart)
			b->written++;
	} else if (s == SS_OK && it->kind == ITEM_NOTE && it->note) {
		it->note(it->note_ctx, (const char *)it->bytes);
	}
	if (s != SS_OK) {
		b->status = s;
		b->error = err;
	}
}

typedef enum commit_until {
	COMMIT_READY,   /* up to the first item not yet encoded */
	COMMIT_ROOM,    /* and on, until fewer than max_images are pending */
	COMMIT_ALL      /* every item */
} commit_until;

/* Commits the items at the head of the queue in order, stopping at the
 * first failure. Called with the lock held; released while committing. */
static void commit_items(chart_batch *b, commit_until until)
{
	while (b->status == SS_OK && b->head) {
		batch_item *it = b->head;

		if (!it->ready) {
			if (until == COMMIT_READY ||
			    (until == COMMIT_ROOM && b->images < b->max_images))
				return;
			pthread_cond_wait(&b->done, &b->lock);
			continue;
		}
		b->head = it->next;
		if (!b->head)
			b->tail = NULL;
		pthread_mutex_unlock(&b->lock);
		commit(b, it);
		pthread_mutex_lock(&b->lock);
		item_free(b, it);
	}
}

static ss_status failed(chart_batch *b, ss_error *e)
{
	if (e)
		*e = b->error;
	return b->status;
}

/* Queues it; an image still to encode goes to the workers too. Called
 * with the lock held. */
static void enqueue(chart_batch *b, batch_item *it)
{
	it->ready = it->image == NULL;
	if (!it->ready) {
		b->images++;
		if (b->jobs_tail)
			b->jobs_tail->next_job = it;
		else
			b->jobs = it;
		b->jobs_tail = it;
		pthread_cond_signal(&b->work);
	}
	if (b->tail)
		b->tail->next = it;
	else
		b->head = it;
	b->tail = it;
}

static batch_item *new_failure(ss_status s, const ss_error *err)
{
	batch_item *it = calloc(1, sizeof *it);

	if (it) {
		it->kind = ITEM_FAILURE;
		it->status = s;
		it->error = *err;
		it->ready = 1;
	}
	return it;
}

/* Adds a failure met while drawing and commits everything before it, so
 * that the batch's first failure is known. */
static ss_status fail_here(chart_batch *b, ss_status s, const ss_error *err,
			   ss_error *e)
{
	batch_item *it = new_failure(s, err);

	pthread_mutex_lock(&b->lock);
	if (it) {
		enqueue(b, it);
		commit_items(b, COMMIT_ALL);
	} else {
		commit_items(b, COMMIT_ALL);
		if (b->status == SS_OK) {
			b->status = s;
			b->error = *err;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return failed(b, e);
}

static batch_item *new_file(const char *path, const char *ext)
{
	batch_item *it = calloc(1, sizeof *it);
	size_t n = strlen(path), m = strlen(ext);

	if (!it)
		return NULL;
	it->kind = ITEM_FILE;
	it->path = malloc(n + m + 1);
	if (!it->path) {
		free(it);
		return NULL;
	}
	memcpy(it->path, path, n);
	memcpy(it->path + n, ext, m + 1);
	return it;
}

ss_status chart_batch_chart(chart_batch *b, const char *stem, double width,
			    double height, double scale,
			    const chart_style *st, chart_draw_fn draw,
			    const void *data, ss_error *e)
{
	batch_item *png, *svg;
	ss_error err;
	ss_status s;
	char *doc = NULL;
	size_t len = 0;

	pthread_mutex_lock(&b->lock);
	/* At most max_images images wait in memory. */
	commit_items(b, b->nthreads > 0 ? COMMIT_ROOM : COMMIT_READY);
	pthread_mutex_unlock(&b->lock);
	if (b->status != SS_OK)
		return failed(b, e);
	png = new_file(stem, ".png");
	svg = new_file(stem, ".svg");
	err_clear(&err);
	if (!png || !svg) {
		if (png)
			item_free(b, png);
		if (svg)
			item_free(b, svg);
		s = err_set(&err, SS_ENOMEM, stem, 0, 0,
			    "out of memory writing a chart");
		return fail_here(b, s, &err, e);
	}
	png->pixels_bytes = chart_image_bytes(width, height, scale);
	pthread_mutex_lock(&b->lock);
	png->pixels = take_pixels(b, png->pixels_bytes);
	pthread_mutex_unlock(&b->lock);
	s = chart_render_image(png->path, width, height, scale, st, draw, data,
			       png->pixels, &png->image, &err);
	if (s == SS_OK && b->nthreads == 0)
		s = chart_encode_image(png->path, png->image, &png->bytes,
				       &png->len, &err);
	if (s != SS_OK || b->nthreads == 0) {
		pthread_mutex_lock(&b->lock);
		drop_image(b, png);
		pthread_mutex_unlock(&b->lock);
	}
	if (s != SS_OK) {
		item_free(b, png);
		item_free(b, svg);
		return fail_here(b, s, &err, e);
	}
	pthread_mutex_lock(&b->lock);
	enqueue(b, png);
	pthread_mutex_unlock(&b->lock);

	s = chart_render_svg(svg->path, width, height, st, draw, data, &doc,
			     &len, &err);
	if (s != SS_OK) {
		item_free(b, svg);
		return fail_here(b, s, &err, e);
	}
	svg->bytes = (unsigned char *)doc;
	svg->len = len;
	svg->ends_chart = 1;
	pthread_mutex_lock(&b->lock);
	enqueue(b, svg);
	commit_items(b, COMMIT_READY);
	pthread_mutex_unlock(&b->lock);
	return b->status == SS_OK ? SS_OK : failed(b, e);
}

ss_status chart_batch_note(chart_batch *b, chart_note_fn note, void *ctx,
			   const char *message, ss_error *e)
{
	batch_item *it = calloc(1, sizeof *it);
	size_t n = strlen(message) + 1;
	ss_error err;

	if (b->status != SS_OK) {
		free(it);
		return failed(b, e);
	}
	if (!it || !(it->bytes = malloc(n))) {
		free(it);
		err_clear(&err);
		return fail_here(b,
				 err_set(&err, SS_ENOMEM, NULL, 0, 0,
					 "out of memory telling a note"),
				 &err, e);
	}
	memcpy(it->bytes, message, n);
	it->kind = ITEM_NOTE;
	it->note = note;
	it->note_ctx = ctx;
	pthread_mutex_lock(&b->lock);
	enqueue(b, it);
	commit_items(b, COMMIT_READY);
	pthread_mutex_unlock(&b->lock);
	return b->status == SS_OK ? SS_OK : failed(b, e);
}

ss_status chart_batch_close(chart_batch *b, size_t *written, ss_error *e)
{
	ss_status s;
	int i;

	if (!b) {
		if (written)
			*written = 0;
		return SS_OK;
	}
	pthread_mutex_lock(&b->lock);
	commit_items(b, COMMIT_ALL);
	b->stopping = 1;
	pthread_cond_broadcast(&b->work);
	pthread_mutex_unlock(&b->lock);
	/* After a failure the workers still encode what they were given;
	 * none of it is written. */
	for (i = 0; i < b->nthreads; i++)
		pthread_join(b->threads[i], NULL);
	while (b->head) {
		batch_item *it = b->head;

		b->head = it->next;
		item_free(b, it);
	}
	while (b->npool > 0)
		free(b->pool[--b->npool]);
	if (written)
		*written = b->written;
	s = b->status;
	if (s != SS_OK && e)
		*e = b->error;
	pthread_cond_destroy(&b->work);
	pthread_cond_destroy(&b->done);
	pthread_mutex_destroy(&b->lock);
	free(b);
	return s;
}
