/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which failed insert made the helper drop a packet, per CPU.
 *
 * The helper inserts a call's expectations and, when it gives up, logs one
 * or more lines for the packet and returns NF_DROP; netfilter then frees
 * the packet. All of it happens on one CPU, in one call chain. So each CPU
 * remembers its latest failed insert (until the same master inserts
 * successfully, a drop takes it, or a second passes: then it belonged to a
 * packet the helper let through) and the packet being dropped, by
 * address, never dereferenced:
 *   - the first line of a packet counts one drop, and its cause: the failed
 *     insert of the same master before it, or unknown;
 *   - every line counts its message;
 *   - the free confirms the drop (drops_confirmed) and reports the lines.
 * Counts go to the stage the moment they happen; the lines are reported
 * (trace events, recent) when the free says whether the drop was real.
 */
#ifndef _SIPEXPECT_ATTRIB_H
#define _SIPEXPECT_ATTRIB_H

#include "stage.h"

/* Lines the helper logs for one packet: the SIP helper logs two. */
#define SIPEXPECT_ATTRIB_LINES	4

struct sipexpect_drop_line {
	u8 message;			/* SIPEXPECT_DROP_* */
	u64 logged_ns;			/* wall clock */
};

struct sipexpect_attrib_cpu {
	struct sipexpect_key fail_key;
	int fail_err;			/* 0: no failed insert pending */
	unsigned long fail_at;		/* jiffies */
	const void *skb;		/* the packet being dropped, or NULL */
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
};

int sipexpect_attrib_init(struct sipexpect_attrib *a,
			  struct sipexpect_stage *stage,
			  void (*report)(const struct sipexpect_drop_report *r));
void sipexpect_attrib_exit(struct sipexpect_attrib *a);

/* An insert returned @err; @nr expectations (1, or 2 for a pair) if 0. */
void sipexpect_attrib_insert(struct sipexpect_attrib *a,
			     const struct sipexpect_key *key, int err,
			     unsigned int nr, const struct sipexpect_fill *fill);
/* The helper logged @message (SIPEXPECT_DROP_*) for @skb of @key. */
void sipexpect_attrib_log(struct sipexpect_attrib *a, const void *skb,
			  const struct sipexpect_key *key, u8 message,
			  u64 now_ns);
/*
 * @skb was freed; @nf_drop: as a netfilter drop. Hot: every drop. True
 * when it was a packet the helper had logged.
 */
bool sipexpect_attrib_free(struct sipexpect_attrib *a, const void *skb,
			   bool nf_drop);

#endif /* _SIPEXPECT_ATTRIB_H */
