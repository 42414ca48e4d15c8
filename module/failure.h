/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One failure as the trace events and the recent file show it: a failed
 * expectation insert, or a line the helper logged when it dropped a packet.
 * Both carry the same fields under the same names.
 */
#ifndef _SIPEXPECT_FAILURE_H
#define _SIPEXPECT_FAILURE_H

#include <linux/seq_file.h>

#include "counters.h"
#include "key.h"

enum sipexpect_failure_kind {
	SIPEXPECT_FAILURE_INSERT,	/* event expect_insert_failed */
	SIPEXPECT_FAILURE_DROP,		/* event helper_drop */
	SIPEXPECT_FAILURE_REMOVED,	/* event expect_removed */
};

/* The event names, the same in recent as in tracefs. */
const char *sipexpect_failure_event(u8 kind);

struct sipexpect_failure {
	struct sipexpect_key key;
	u64 time_ns;			/* wall clock, UTC, to the tick */
	u8 kind;
	/*
	 * expect_insert_failed: the expectation and the table around it;
	 * expect_removed: the expectation, and how many its master still
	 * holds
	 */
	char class_name[SIPEXPECT_HELPER_NAME_LEN];
	union nf_inet_addr exp_src;
	union nf_inet_addr exp_dst;
	u16 exp_dport;
	s32 err;
	u32 count;
	u32 max;
	u32 held;
	/* helper_drop */
	u8 message;			/* enum sipexpect_counter, SIPEXPECT_MESSAGE_* */
	u8 cause;			/* SIPEXPECT_DROPS_CAUSE_* */
	bool confirmed;
	/* expect_removed */
	u8 removed;			/* SIPEXPECT_REMOVED_* */
};

/* Longest text of an address: an IPv6 address, compressed. */
#define SIPEXPECT_ADDR_LEN		48
#define SIPEXPECT_ERR_LEN		12

void sipexpect_fmt_addr(char *buf, u8 l3, const union nf_inet_addr *a);
void sipexpect_fmt_err(char *buf, s32 err);
const char *sipexpect_l3_name(u8 l3);
/* "udp", "tcp" or NULL (then the number is shown) */
const char *sipexpect_l4_name(u8 l4);
/* "all_ports_in_use_sdp"... and "table_full"...: counter names, unprefixed */
const char *sipexpect_message_name(u8 message);
const char *sipexpect_cause_name(u8 cause);
const char *sipexpect_removed_name(u8 removed);
/* Seconds from a jiffies64 stamp to now. */
u64 sipexpect_age_s(u64 stamp);

/* "netns=... zone=... l3=... proto=... src=... dst=... sport=... dport=... helper=..." */
void sipexpect_show_key(struct seq_file *m, const struct sipexpect_key *key);
/* The fields after the key, as in the trace events' format. */
void sipexpect_show_failure(struct seq_file *m,
			    const struct sipexpect_failure *f);

#endif /* _SIPEXPECT_FAILURE_H */
