/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which failed insert made the helper drop a packet, per CPU.
 *
 * The helper inserts a call's expectations and, when it gives up, logs one
 * or more lines for the packet and returns NF_DROP; netfilter then frees
 * the packet. All of it happens in one call chain, usually on one CPU. So
 * each CPU remembers its latest failed inserts (until the same master
 * inserts successfully, a drop takes one, or a second passes: then it
 * belonged to a packet the helper let through) and the packet being
 * dropped, by address, never dereferenced. A packet sent by a local
 * process (OUTPUT) is in process context: on PREEMPT_RT another task may
 * run between the insert and the log on that CPU (hence a few failures
 * per CPU, matched by master), or the task may move to another CPU (hence,
 * in task context only, a look at the other CPUs' failures when this one
 * has none; a softirq's call chain cannot move):
 *   - the first line of a packet counts one drop, and its cause: if the
 *     line says an insert failed ("all ports in use...", "cannot add
 *     expectation"), the failed insert of the same master before it, which
 *     it takes, so that a failure is the cause of one packet at most;
 *     otherwise (a parse error, an allocation failure) unknown, and a
 *     failure the helper tolerated stays nobody's cause;
 *   - every line counts its message;
 *   - the free confirms the drop (drops_confirmed) and reports the lines,
 *     if it comes in the same context (the same task, or softirq), within
 *     a second, and no netns went meanwhile; else the packet was freed
 *     elsewhere (its task moved) and another one now has its address: the
 *     lines are reported unconfirmed, never charged to a netns that is
 *     gone.
 * Counts go to the stage the moment they happen; the lines are reported
 * (trace events, recent) when the free says whether the drop was real.
 */
#ifndef _SIPEXPECT_ATTRIB_H
#define _SIPEXPECT_ATTRIB_H

#include <linux/atomic.h>
#include <linux/seqlock.h>

#include "stage.h"

/* Lines the helper logs for one packet: the SIP helper logs two. */
#define SIPEXPECT_ATTRIB_LINES	4

struct sipexpect_drop_line {
	u8 message;			/* SIPEXPECT_MESSAGE_* */
	u64 logged_ns;			/* wall clock */
};

/* Failed inserts pending per CPU: tasks preempted between insert and log. */
#define SIPEXPECT_ATTRIB_FAILS	4

/*
 * A failed insert. Its errno and a generation share one word, so that any
 * CPU can take it (compare and exchange) and a slot written anew meanwhile
 * is never taken by mistake.
 */
struct sipexpect_attrib_fail {
	struct sipexpect_key key;
	atomic64_t tag;			/* generation << 32 | (u32)errno */
	u64 at;				/* jiffies64 */
};

struct sipexpect_attrib_cpu {
	/*
	 * Written by its own CPU, irqs off; other CPUs read it under it, and
	 * take a failure by its tag alone.
	 */
	seqcount_t fails_seq;
	unsigned int fails_next;
	u32 fails_gen;
	struct sipexpect_attrib_fail fails[SIPEXPECT_ATTRIB_FAILS];
	const void *skb;		/* the packet being dropped, or NULL */
	u64 skb_at;			/* jiffies64 of its first line */
	unsigned long skb_ctx;		/* its task, compared only; 0: softirq */
	u32 skb_netns_gen;
	struct sipexpect_key drop_key;
	u8 cause;
	unsigned int nr_lines;
	struct sipexpect_drop_line lines[SIPEXPECT_ATTRIB_LINES];
};

/* A helper line, now that its packet's fate is known. */
struct sipexpect_drop_report {
	const struct sipexpect_key *key;
	u8 message;
	u8 cause;
	bool confirmed;
	u64 logged_ns;
};

struct sipexpect_attrib {
	struct sipexpect_attrib_cpu __percpu *cpu;
	struct sipexpect_stage *stage;
	/* Called with interrupts off, on the CPU that logged the line. */
	void (*report)(const struct sipexpect_drop_report *r);
	/* A free will come (kfree_skb probe attached): wait for it. */
	bool confirmable;
	/* jiffies64 of the newest failure on any CPU */
	u64 last_fail_at;
	/* Netns teardowns so far: a packet logged before one is stale. */
	atomic_t netns_gen;
};

int sipexpect_attrib_init(struct sipexpect_attrib *a,
			  struct sipexpect_stage *stage,
			  void (*report)(const struct sipexpect_drop_report *r));
void sipexpect_attrib_exit(struct sipexpect_attrib *a);

/*
 * No insert failed in the last second, on any CPU: a good insert has no
 * failure to clear (sipexpect_attrib_insert() would find none pending).
 */
static inline bool sipexpect_attrib_quiet(const struct sipexpect_attrib *a)
{
	return !time_before64(get_jiffies_64(), READ_ONCE(a->last_fail_at) + HZ);
}

/* An insert returned @err; @nr expectations (1, or 2 for a pair) if 0. */
void sipexpect_attrib_insert(struct sipexpect_attrib *a,
			     const struct sipexpect_key *key, int err,
			     unsigned int nr, const struct sipexpect_fill *fill);
/* The helper logged @message (SIPEXPECT_MESSAGE_*) for @skb of @key. */
void sipexpect_attrib_log(struct sipexpect_attrib *a, const void *skb,
			  const struct sipexpect_key *key, u8 message,
			  u64 now_ns);
/*
 * @skb was freed; @nf_drop: as a netfilter drop. Hot: every drop. True
 * when it was a packet the helper had logged.
 */
bool sipexpect_attrib_free(struct sipexpect_attrib *a, const void *skb,
			   bool nf_drop);
/* Netns are going (before their masters are forgotten). */
void sipexpect_attrib_netns_gone(struct sipexpect_attrib *a);

#endif /* _SIPEXPECT_ATTRIB_H */
