#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void strmap_init(strmap *m)
{
	memset(m, 0, sizeof *m);
}

void strmap_release(strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t find_slot(const strmap_slot *slots, size_t cap,
			const char *key)
{
	size_t i = (size_t)hash(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

int strmap_get(const strmap *m, const char *key, long *value)
{
	size_t i;

	if (!m->cap)
		return 0;
	i = find_slot(m->slots, m->cap, key);
	if (!m->slots[i].key)
		return 0;
	if (value)
		*value = m->slots[i].value;
	return 1;
}

static int grow(strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	strmap_slot *ns = calloc(ncap, sizeof *ns);

	if (!ns)
		return 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			ns[find_slot(ns, ncap, m->slots[i].key)] = m->slots[i];
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 1;
}

int strmap_put(strmap *m, const char *key, long value, long *existing)
{
	size_t i;

	/* keep the load at most 1/2 so probes stay short */
	if ((m->count + 1) * 2 > m->cap && !grow(m))
		return -1;
	i = find_slot(m->slots, m->cap, key);
	if (m->slots[i].key) {
		if (existing)
			*existing = m->slots[i].value;
		return 0;
	}
	if (!(m->slots[i].key = strdup(key)))
		return -1;
	m->slots[i].value = value;
	m->count++;
	return 1;
}
