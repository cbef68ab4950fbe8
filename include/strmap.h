/* strmap — a string-keyed hash map to a long value (open addressing,
 * FNV-1a). Used for key uniqueness ("first seen on line N") and id
 * lookups. Keys are copied. Iteration order is never exposed, so results
 * cannot depend on hash order. */
#ifndef SCHOOLSTAT_STRMAP_H
#define SCHOOLSTAT_STRMAP_H

#include <stddef.h>

typedef struct strmap_slot {
	char *key;
	long value;
} strmap_slot;

typedef struct strmap {
	strmap_slot *slots;
	size_t cap, count;
} strmap;

void strmap_init(strmap *m);
void strmap_release(strmap *m);

/* Looks key up; returns 1 and stores *value when present, else 0. */
int strmap_get(const strmap *m, const char *key, long *value);

/* Inserts key -> value unless present. Returns 1 when inserted, 0 when the
 * key was already there (*existing, if not NULL, gets its value), -1 when
 * out of memory. */
int strmap_put(strmap *m, const char *key, long value, long *existing);

#endif
