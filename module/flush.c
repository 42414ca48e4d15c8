// SPDX-License-Identifier: GPL-2.0
/* Media expectations flushed by an INVITE, settled later (see flush.h). */
#include <linux/bsearch.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/log2.h>

#include "alloc.h"
#include "flush.h"
#include "nfct.h"

/* Settled in one go (copies on the stack of a probe handler). */
#define SIPEXPECT_FLUSH_BATCH	2

static struct sipexpect_flushed *
sipexpect_flush_at(struct sipexpect_flush *fl, unsigned int i)
{
	return &fl->ring[(fl->head + i) % SIPEXPECT_FLUSH_PENDING];
}

/* The bucket of an expectation of @master with @t: what equal ones share. */
static u16 *sipexpect_flush_bucket(struct sipexpect_flush *fl,
				   const void *master,
				   const struct nf_conntrack_tuple *t)
{
	u32 h = hash_ptr(master, 32) ^ (__force u32)t->dst.u3.all[0] ^
		(__force u32)t->dst.u3.all[3] ^ (__force u16)t->dst.u.all;

	return &fl->buckets[hash_32(h, ilog2(SIPEXPECT_FLUSH_BUCKETS))];
}

static void sipexpect_flush_link(struct sipexpect_flush *fl,
				 struct sipexpect_flushed *e)
{
	u16 *first = sipexpect_flush_bucket(fl, e->master, &e->tuple);

	e->next = *first;
	*first = e - fl->ring + 1;
}

/* Before an entry is matched or leaves the ring unmatched. */
static void sipexpect_flush_unlink(struct sipexpect_flush *fl,
				   struct sipexpect_flushed *e)
{
	u16 *p = sipexpect_flush_bucket(fl, e->master, &e->tuple);
	u16 slot = e - fl->ring + 1;

	while (*p && *p != slot)
		p = &fl->ring[*p - 1].next;
	if (*p)
		*p = e->next;
}

/*
 * Takes the oldest entries that are due (any when @force), at most @max,
 * into @out; matched ones on the way are dropped. Lock held.
 */
static unsigned int sipexpect_flush_take(struct sipexpect_flush *fl, u64 now,
					 struct sipexpect_failure *out,
					 unsigned int max, bool force)
{
	unsigned int n = 0;

	while (fl->nr && n < max) {
		struct sipexpect_flushed *e = sipexpect_flush_at(fl, 0);
		bool matched = !e->master;

		if (!matched && !force &&
		    time_before64(now, e->at + fl->settle))
			break;
		if (!matched) {
			sipexpect_flush_unlink(fl, e);
			out[n++] = e->f;
		}
		fl->head = (fl->head + 1) % SIPEXPECT_FLUSH_PENDING;
		fl->nr--;
	}
	return n;
}

/* The ring is full: its oldest entry goes, settled early if it waited. */
static unsigned int sipexpect_flush_make_room(struct sipexpect_flush *fl,
					      struct sipexpect_failure *out)
{
	struct sipexpect_flushed *e = sipexpect_flush_at(fl, 0);
	unsigned int n = 0;

	if (e->master) {
		sipexpect_flush_unlink(fl, e);
		*out = e->f;
		fl->settled_early++;
		n = 1;
	}
	fl->head = (fl->head + 1) % SIPEXPECT_FLUSH_PENDING;
	fl->nr--;
	return n;
}

/* Lock dropped: count and report what was taken. */
static void sipexpect_flush_lost(struct sipexpect_flush *fl,
				 const struct sipexpect_failure *f, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		sipexpect_stage_count(fl->stage, &f[i].key,
				      SIPEXPECT_REMOVED_FLUSHED_BY_INVITE);
		fl->report(&f[i]);
	}
}

void sipexpect_flush_removed(struct sipexpect_flush *fl,
			     const struct nf_conntrack_expect *exp,
			     const struct sipexpect_failure *f)
{
	struct sipexpect_failure lost[SIPEXPECT_FLUSH_BATCH + 1];
	struct sipexpect_flushed *e;
	unsigned long flags;
	unsigned int n;
	u64 now = get_jiffies_64();

	raw_spin_lock_irqsave(&fl->lock, flags);
	n = sipexpect_flush_take(fl, now, lost, SIPEXPECT_FLUSH_BATCH, false);
	if (fl->nr == SIPEXPECT_FLUSH_PENDING)
		n += sipexpect_flush_make_room(fl, lost + n);
	e = sipexpect_flush_at(fl, fl->nr++);
	e->master = exp->master;
	e->at = now;
	e->tuple = exp->tuple;
	e->mask = exp->mask;
	e->class = exp->class;
	e->f = *f;
	sipexpect_flush_link(fl, e);
	raw_spin_unlock_irqrestore(&fl->lock, flags);
	sipexpect_flush_lost(fl, lost, n);
}

void sipexpect_flush_match(struct sipexpect_flush *fl,
			   const struct nf_conntrack_expect *exp)
{
	struct sipexpect_failure lost[SIPEXPECT_FLUSH_BATCH];
	struct sipexpect_flushed *e, *oldest = NULL;
	struct sipexpect_key key;
	unsigned long flags;
	unsigned int n;
	u16 i;

	raw_spin_lock_irqsave(&fl->lock, flags);
	n = sipexpect_flush_take(fl, get_jiffies_64(), lost,
				 SIPEXPECT_FLUSH_BATCH, false);
	/* Newest first: the oldest equal one is the one brought back. */
	for (i = *sipexpect_flush_bucket(fl, exp->master, &exp->tuple); i;
	     i = e->next) {
		e = &fl->ring[i - 1];
		if (sipexpect_exp_is(exp, e->master, e->class, &e->tuple,
				     &e->mask))
			oldest = e;
	}
	if (oldest) {
		sipexpect_flush_unlink(fl, oldest);
		oldest->master = NULL;
		key = oldest->f.key;
	}
	raw_spin_unlock_irqrestore(&fl->lock, flags);
	if (oldest)
		sipexpect_stage_count(fl->stage, &key, SIPEXPECT_REMOVED_REPLACED);
	sipexpect_flush_lost(fl, lost, n);
}

void sipexpect_flush_settle(struct sipexpect_flush *fl, bool all)
{
	struct sipexpect_failure lost[SIPEXPECT_FLUSH_BATCH];
	unsigned long flags;
	unsigned int n;

	do {
		raw_spin_lock_irqsave(&fl->lock, flags);
		n = sipexpect_flush_take(fl, get_jiffies_64(), lost,
					 SIPEXPECT_FLUSH_BATCH, all);
		raw_spin_unlock_irqrestore(&fl->lock, flags);
		sipexpect_flush_lost(fl, lost, n);
	} while (n == SIPEXPECT_FLUSH_BATCH);
}

void sipexpect_flush_forget_netns(struct sipexpect_flush *fl,
				  const u32 *netns, unsigned int nr)
{
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&fl->lock, flags);
	for (i = 0; i < fl->nr; i++) {
		struct sipexpect_flushed *e = sipexpect_flush_at(fl, i);

		if (e->master && bsearch(&e->f.key.netns, netns, nr, sizeof(*netns),
					 sipexpect_u32_cmp)) {
			sipexpect_flush_unlink(fl, e);
			e->master = NULL;
		}
	}
	raw_spin_unlock_irqrestore(&fl->lock, flags);
}

u64 sipexpect_flush_settled_early(struct sipexpect_flush *fl)
{
	unsigned long flags;
	u64 early;

	raw_spin_lock_irqsave(&fl->lock, flags);
	early = fl->settled_early;
	raw_spin_unlock_irqrestore(&fl->lock, flags);
	return early;
}

int sipexpect_flush_init(struct sipexpect_flush *fl, struct sipexpect_stage *st,
			 void (*report)(const struct sipexpect_failure *f))
{
	fl->ring = sipexpect_alloc(array_size(SIPEXPECT_FLUSH_PENDING,
					      sizeof(*fl->ring)), GFP_KERNEL);
	if (!fl->ring)
		return -ENOMEM;
	raw_spin_lock_init(&fl->lock);
	fl->head = 0;
	fl->nr = 0;
	memset(fl->buckets, 0, sizeof(fl->buckets));
	fl->settled_early = 0;
	fl->settle = SIPEXPECT_FLUSH_SETTLE;
	fl->stage = st;
	fl->report = report;
	return 0;
}

void sipexpect_flush_exit(struct sipexpect_flush *fl)
{
	sipexpect_free(fl->ring);
	fl->ring = NULL;
}
