// SPDX-License-Identifier: GPL-2.0
/* Masters that may have a record, by address (see recorded.h). */
#include <linux/log2.h>
#include <linux/minmax.h>

#include "alloc.h"
#include "recorded.h"

int sipexpect_recorded_init(struct sipexpect_recorded *r, unsigned int addresses)
{
	/* Two buckets at least: hash_ptr() takes 1 to 63 bits. */
	unsigned int buckets = max(addresses / SIPEXPECT_RECORDED_WAYS, 2U);

	r->bucket_bits = ilog2(roundup_pow_of_two(buckets));
	r->slots = sipexpect_alloc(sizeof(*r->slots) * SIPEXPECT_RECORDED_WAYS <<
				   r->bucket_bits, GFP_KERNEL);
	atomic64_set(&r->forgotten, 0);
	return r->slots ? 0 : -ENOMEM;
}

void sipexpect_recorded_exit(struct sipexpect_recorded *r)
{
	sipexpect_free(r->slots);
	r->slots = NULL;
}

void sipexpect_recorded_add(struct sipexpect_recorded *r, const void *master)
{
	unsigned long *b = sipexpect_recorded_bucket(r, master);
	unsigned long a = (unsigned long)master;
	unsigned int i;

	if (!master || sipexpect_recorded_maybe(r, master))
		return;
	/* Two CPUs adding to one bucket must not take the same empty slot. */
	for (i = 0; i < SIPEXPECT_RECORDED_WAYS; i++)
		if (!READ_ONCE(b[i]) && !cmpxchg(&b[i], 0, a))
			return;
	/*
	 * Full: push one out. Which one by the address's own bits, so that
	 * a burst of new masters does not always push out the same slot.
	 */
	WRITE_ONCE(b[(a >> L1_CACHE_SHIFT) % SIPEXPECT_RECORDED_WAYS], a);
	atomic64_inc(&r->forgotten);
}
