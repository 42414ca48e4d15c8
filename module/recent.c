// SPDX-License-Identifier: GPL-2.0
/*
 * The recent ring. Failure number i lives in slot i % size. A writer claims
 * its slot by moving the slot's sequence from an even value below 2i + 2 to
 * 2i + 1, fills it and publishes 2i + 2. A writer that finds the slot
 * claimed (a writer a whole lap behind, still at work) drops its failure
 * and counts it: it never waits. A reader keeps a copy only if the
 * sequence read before and after it is 2i + 2.
 */
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/overflow.h>

#include "alloc.h"
#include "recent.h"

int sipexpect_recent_init(struct sipexpect_recent *r, unsigned int size)
{
	if (size < SIPEXPECT_RECENT_MIN || size > SIPEXPECT_RECENT_MAX)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->slots = sipexpect_alloc(array_size(size, sizeof(*r->slots)),
				   GFP_KERNEL);
	if (!r->slots)
		return -ENOMEM;
	r->size = size;
	return 0;
}

void sipexpect_recent_exit(struct sipexpect_recent *r)
{
	sipexpect_free(r->slots);
	r->slots = NULL;
}

/* Hide what is there; slots are reused in place, so writers never wait. */
void sipexpect_recent_reset(struct sipexpect_recent *r)
{
	atomic64_set(&r->base, atomic64_read(&r->next));
}

static struct sipexpect_recent_slot *
sipexpect_recent_slot(struct sipexpect_recent *r, u64 i)
{
	u32 rem;

	div_u64_rem(i, r->size, &rem);
	return &r->slots[rem];
}

void sipexpect_recent_add(struct sipexpect_recent *r,
			  const struct sipexpect_failure *f)
{
	u64 i = atomic64_inc_return(&r->next) - 1;
	struct sipexpect_recent_slot *s = sipexpect_recent_slot(r, i);
	s64 old = atomic64_read(&s->seq);

	if ((old & 1) || (u64)old >= 2 * i + 2 ||
	    atomic64_cmpxchg(&s->seq, old, 2 * i + 1) != old) {
		atomic64_inc(&r->skipped);
		return;
	}
	s->f = *f;
	smp_wmb();	/* the failure before its sequence */
	atomic64_set(&s->seq, 2 * i + 2);
}

struct sipexpect_recent_copy *sipexpect_recent_take(struct sipexpect_recent *r)
{
	struct sipexpect_recent_copy *copy;
	u64 next = atomic64_read(&r->next);
	u64 first = max_t(u64, atomic64_read(&r->base),
			  next > r->size ? next - r->size : 0);
	u64 i;

	copy = sipexpect_alloc(struct_size(copy, f, r->size), GFP_KERNEL);
	if (!copy)
		return NULL;
	for (i = first; i < next; i++) {
		struct sipexpect_recent_slot *s = sipexpect_recent_slot(r, i);
		s64 seq = atomic64_read(&s->seq);

		if ((u64)seq != 2 * i + 2)
			continue;	/* still being written, or lapped */
		smp_rmb();	/* the sequence before the failure */
		copy->f[copy->nr] = s->f;
		smp_rmb();	/* the failure before the sequence again */
		if (atomic64_read(&s->seq) == seq)
			copy->nr++;
	}
	return copy;
}

void sipexpect_recent_free(struct sipexpect_recent_copy *copy)
{
	sipexpect_free(copy);
}
