/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The last N failures, always on: a ring of fixed size, written lock-free
 * from the probe handlers (O(1) per failure) and copied by readers without
 * ever holding up a writer. A slot's sequence number tells a reader
 * whether the copy it took is whole.
 */
#ifndef _SIPEXPECT_RECENT_H
#define _SIPEXPECT_RECENT_H

#include <linux/atomic.h>

#include "failure.h"
#include "param.h"

#define SIPEXPECT_RECENT_DEFAULT	1024
#define SIPEXPECT_RECENT_MIN		16
#define SIPEXPECT_RECENT_MAX		65536

struct sipexpect_recent_slot {
	/* 2 * index + 2 once failure number index is in; odd while written */
	atomic64_t seq;
	struct sipexpect_failure f;
};

struct sipexpect_recent {
	unsigned int size;
	atomic64_t next;		/* number of the next failure */
	atomic64_t base;		/* failures before it were reset away */
	atomic64_t skipped;		/* a slot still being written: dropped */
	struct sipexpect_recent_slot *slots;
};

/* What a reader took: the failures in order, oldest first. */
struct sipexpect_recent_copy {
	unsigned int nr;
	struct sipexpect_failure f[];
};

static inline int sipexpect_parse_recent_size(const char *val,
					      unsigned int *size)
{
	return sipexpect_parse_uint_range(val, SIPEXPECT_RECENT_MIN,
					  SIPEXPECT_RECENT_MAX, size);
}

int sipexpect_recent_init(struct sipexpect_recent *r, unsigned int size);
void sipexpect_recent_exit(struct sipexpect_recent *r);
void sipexpect_recent_reset(struct sipexpect_recent *r);

/* Any context, even with interrupts off. */
void sipexpect_recent_add(struct sipexpect_recent *r,
			  const struct sipexpect_failure *f);

struct sipexpect_recent_copy *sipexpect_recent_take(struct sipexpect_recent *r);
void sipexpect_recent_free(struct sipexpect_recent_copy *copy);

#endif /* _SIPEXPECT_RECENT_H */
