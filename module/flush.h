/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Media expectations flushed by an INVITE, until it is known whether they
 * come back.
 *
 * nf_conntrack_sip flushes all of a master's media expectations before
 * it reads an INVITE's SDP (process_invite_request()). A retransmission or
 * a re-INVITE of the same call inserts the same ones again: its own at
 * once, the other side's with the answer. Nothing was lost. What no
 * insert of the same master brings back was removed while a call may
 * still need it: on a trunk, the calls before the INVITE lose their
 * media. So each flushed expectation waits, at most SIPEXPECT_FLUSH_SETTLE
 * (the answer to a re-INVITE comes at once, it does not ring):
 *   - a good insert of the same expectation (master, class, tuple, mask)
 *     makes it replaced;
 *   - else, once that time has passed (seen by the next flush or insert,
 *     or by a reader), it is flushed_by_invite, reported with the time of
 *     its flush.
 * At most SIPEXPECT_FLUSH_PENDING wait at once; beyond, the oldest is
 * settled early, as flushed, and counted in status (flushes_settled_early).
 */
#ifndef _SIPEXPECT_FLUSH_H
#define _SIPEXPECT_FLUSH_H

#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <net/netfilter/nf_conntrack_expect.h>

#include "failure.h"
#include "stage.h"

#define SIPEXPECT_FLUSH_PENDING	256
/*
 * What waits is indexed by master and tuple: a trunk's INVITE inserts
 * while hundreds of its master's flushed expectations wait, and scanning
 * them all per insert cost 15,000 instructions an INVITE.
 */
#define SIPEXPECT_FLUSH_BUCKETS	(2 * SIPEXPECT_FLUSH_PENDING)
/* T4 of RFC 3261: the longest a SIP message may take through the network. */
#define SIPEXPECT_FLUSH_SETTLE	(5 * HZ)

struct sipexpect_flushed {
	const void *master;		/* compared only; NULL: matched */
	u64 at;				/* jiffies64 of the flush */
	struct nf_conntrack_tuple tuple;
	struct nf_conntrack_tuple_mask mask;
	u8 class;
	u16 next;			/* its bucket's next slot + 1; 0: last */
	struct sipexpect_failure f;	/* what recent and the event show */
};

struct sipexpect_flush {
	/* Raw: taken in probe handlers, also on PREEMPT_RT; held briefly. */
	raw_spinlock_t lock;
	struct sipexpect_flushed *ring;	/* oldest at head */
	unsigned int head, nr;
	/* Unmatched entries by bucket: the first one's slot + 1; 0: none. */
	u16 buckets[SIPEXPECT_FLUSH_BUCKETS];
	u64 settled_early;
	unsigned long settle;		/* SIPEXPECT_FLUSH_SETTLE; KUnit's own */
	struct sipexpect_stage *stage;
	/* What a lost expectation shows (trace event, recent). */
	void (*report)(const struct sipexpect_failure *f);
};

int sipexpect_flush_init(struct sipexpect_flush *fl, struct sipexpect_stage *st,
			 void (*report)(const struct sipexpect_failure *f));
/* After the probes: what still waits goes with the module's counts. */
void sipexpect_flush_exit(struct sipexpect_flush *fl);

/* An INVITE flushed @exp, described in @f (its master's key, its fields). */
void sipexpect_flush_removed(struct sipexpect_flush *fl,
			     const struct nf_conntrack_expect *exp,
			     const struct sipexpect_failure *f);
/* Out of line: @exp was inserted while flushed ones wait. */
void sipexpect_flush_match(struct sipexpect_flush *fl,
			   const struct nf_conntrack_expect *exp);

/*
 * @exp was inserted (a good insert). Most inserts follow no flush: one
 * unlocked read, and none of sipexpect_flush_match()'s frame (its arrays
 * are zeroed on entry where the kernel initialises the stack).
 */
static inline void sipexpect_flush_inserted(struct sipexpect_flush *fl,
					    const struct nf_conntrack_expect *exp)
{
	if (READ_ONCE(fl->nr))
		sipexpect_flush_match(fl, exp);
}

/* A reader: settle what has waited long enough (@all: everything). */
void sipexpect_flush_settle(struct sipexpect_flush *fl, bool all);
u64 sipexpect_flush_settled_early(struct sipexpect_flush *fl);
/* Forget what waits for masters of these netns (sorted), going away. */
void sipexpect_flush_forget_netns(struct sipexpect_flush *fl,
				  const u32 *netns, unsigned int nr);

#endif /* _SIPEXPECT_FLUSH_H */
