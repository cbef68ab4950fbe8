/* report_worker — one helper thread for the report stage: the machine has
 * two cores, and a national report spends a tenth of a second each on
 * reading its two big exam tables and on laying out thousands of table
 * cells, work that splits cleanly from what the main thread does at the
 * same time. Tasks run in the order given; without a thread (none could
 * be started) they run in the caller at once, so results never depend on
 * whether the helper exists, only the time does. */
#include "report_priv.h"

#include <string.h>

void rworker_init(rworker *w)
{
	memset(w, 0, sizeof *w);
}

static void *worker_main(void *arg)
{
	rworker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		rtask t;

		while (w->head == w->tail && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->head == w->tail)
			break; /* stopping with nothing left to do */
		t = w->queue[w->head % RPT_WORKER_QUEUE];
		pthread_mutex_unlock(&w->lock);
		t.fn(t.arg);
		pthread_mutex_lock(&w->lock);
		w->head++;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int rworker_start(rworker *w)
{
	if (w->running)
		return 0;
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&w->cond, NULL) != 0) {
		pthread_mutex_destroy(&w->lock);
		return -1;
	}
	w->head = w->tail = 0;
	w->stop = 0;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		return -1;
	}
	w->running = 1;
	return 0;
}

size_t rworker_submit(rworker *w, rtask_fn fn, void *arg)
{
	size_t ticket;

	if (!w || !w->running) {
		fn(arg);
		return 0;
	}
	pthread_mutex_lock(&w->lock);
	/* a full queue waits for room: the tasks are few and short */
	while (w->tail - w->head == RPT_WORKER_QUEUE)
		pthread_cond_wait(&w->cond, &w->lock);
	w->queue[w->tail % RPT_WORKER_QUEUE] = (rtask){ fn, arg };
	ticket = ++w->tail;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return ticket;
}

void rworker_wait(rworker *w, size_t ticket)
{
	if (!w || !w->running || ticket == 0)
		return;
	pthread_mutex_lock(&w->lock);
	while (w->head < ticket)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void rworker_release(rworker *w)
{
	if (w->running) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
	}
	memset(w, 0, sizeof *w);
}
