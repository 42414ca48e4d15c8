/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Masters that may have a record: the conntrack addresses of masters that
 * had something to act on (a failed insert, a helper drop line, a lost
 * expectation), compared only, never dereferenced.
 *
 * A master earns its record in the tables with its first such event (see
 * sipexpect_table_fold()). Almost every insert succeeds, so the packet
 * path asks here first: a master this set does not know has no record to
 * count a good insert or a normal end in, and the event goes to its
 * table's retired counts without a key being built or staged. A wrong
 * "maybe" (an address reused by a new master) costs a staged entry, which
 * the fold counts as retired all the same; a wrong "no" (the address
 * pushed out of its bucket by newer ones) counts one event as retired
 * rather than in the master's record, and every address pushed out is
 * counted (status: recorded_forgotten).
 */
#ifndef _SIPEXPECT_RECORDED_H
#define _SIPEXPECT_RECORDED_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/hash.h>

/* Addresses per bucket: one compare each, no pointer chased. */
#define SIPEXPECT_RECORDED_WAYS	4

struct sipexpect_recorded {
	unsigned long *slots;		/* 0: empty */
	unsigned int bucket_bits;
	atomic64_t forgotten;		/* addresses pushed out of a full bucket */
};

/* Room for @addresses, rounded up to a power of two (8 at least). */
int sipexpect_recorded_init(struct sipexpect_recorded *r, unsigned int addresses);
void sipexpect_recorded_exit(struct sipexpect_recorded *r);

static inline unsigned long *
sipexpect_recorded_bucket(const struct sipexpect_recorded *r, const void *master)
{
	return &r->slots[hash_ptr(master, r->bucket_bits) *
			 SIPEXPECT_RECORDED_WAYS];
}

/* Every good insert and normal removal asks (@master not NULL). */
static inline bool sipexpect_recorded_maybe(const struct sipexpect_recorded *r,
					    const void *master)
{
	const unsigned long *b = sipexpect_recorded_bucket(r, master);
	unsigned long a = (unsigned long)master;
	unsigned int i;

	for (i = 0; i < SIPEXPECT_RECORDED_WAYS; i++)
		if (READ_ONCE(b[i]) == a)
			return true;
	return false;
}

/* @master had something to act on; any context. */
void sipexpect_recorded_add(struct sipexpect_recorded *r, const void *master);

static inline u64 sipexpect_recorded_forgotten(struct sipexpect_recorded *r)
{
	return atomic64_read(&r->forgotten);
}

#endif /* _SIPEXPECT_RECORDED_H */
