/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting core: per-master counters of expectation failures.
 *
 * Pure data structure: it never sees a conntrack, an expectation or a probe,
 * so KUnit drives it directly. Masters are keyed by value; the table holds at
 * most max_masters records and evicts the least recently updated one.
 */
#ifndef _SIPEXPECT_CORE_H
#define _SIPEXPECT_CORE_H

#include <linux/list.h>
#include <linux/netfilter.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* Same as NF_CT_HELPER_NAME_LEN, without pulling in conntrack headers. */
#define SIPEXPECT_HELPER_NAME_LEN	16

#define SIPEXPECT_MAX_MASTERS_DEFAULT	4096
#define SIPEXPECT_MAX_MASTERS_MIN	1
/* A reader copies every record under the lock: keep that copy short. */
#define SIPEXPECT_MAX_MASTERS_MAX	65536

/*
 * One flat array of counters per master and globally. The order of the
 * first block is the order of the outcomes of an expectation insert; the
 * names in sipexpect_counter_names[] are the keys of the debugfs contract.
 */
enum sipexpect_counter {
	SIPEXPECT_INSERT_OK,
	SIPEXPECT_INSERT_FAIL_TABLE_FULL,	/* -EMFILE */
	SIPEXPECT_INSERT_FAIL_CLASH,		/* -EBUSY */
	SIPEXPECT_INSERT_FAIL_EXISTS,		/* -EALREADY */
	SIPEXPECT_INSERT_FAIL_SHUTDOWN,		/* -ESHUTDOWN */
	SIPEXPECT_INSERT_FAIL_OTHER,
	SIPEXPECT_DROP_ALL_PORTS_SDP,
	SIPEXPECT_DROP_ALL_PORTS_SIP,
	SIPEXPECT_DROP_CANNOT_ADD_EXPECTATION,
	SIPEXPECT_DROP_OTHER,
	SIPEXPECT_DROPS_CONFIRMED,
	SIPEXPECT_NR_COUNTERS
};

#define SIPEXPECT_FIRST_INSERT_FAIL	SIPEXPECT_INSERT_FAIL_TABLE_FULL
#define SIPEXPECT_LAST_INSERT_FAIL	SIPEXPECT_INSERT_FAIL_OTHER
#define SIPEXPECT_FIRST_DROP		SIPEXPECT_DROP_ALL_PORTS_SDP
#define SIPEXPECT_LAST_DROP		SIPEXPECT_DROP_OTHER

extern const char * const sipexpect_counter_names[SIPEXPECT_NR_COUNTERS];

/*
 * Identity of a master connection, by value. Filled field by field after a
 * memset() so that padding-free comparison and hashing by bytes are exact.
 */
struct sipexpect_key {
	union nf_inet_addr src;		/* original direction: the phone */
	union nf_inet_addr dst;
	u32 netns;			/* net->ns.inum */
	u16 zone;
	u16 sport;			/* host byte order */
	u16 dport;
	u8 l3;				/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	u8 l4;				/* IPPROTO_UDP, IPPROTO_TCP... */
	char helper[SIPEXPECT_HELPER_NAME_LEN];
};

/* Table fill level of the master's netns when an insert failed. */
struct sipexpect_fill {
	u32 count;
	u32 max;
};

/* What a reader sees of one master. */
struct sipexpect_master_stats {
	struct sipexpect_key key;
	u32 held;			/* expectations the master holds now */
	struct sipexpect_fill last_fail_fill;
	u64 first_seen;			/* jiffies64 */
	u64 last_seen;
	u64 counters[SIPEXPECT_NR_COUNTERS];
};

struct sipexpect_master {
	struct hlist_node hnode;
	struct list_head lru;		/* head: least recently updated */
	struct sipexpect_master_stats stats;
};

struct sipexpect_table {
	spinlock_t lock;		/* guards everything below */
	struct hlist_head *buckets;
	unsigned int hash_bits;
	u32 hash_seed;
	struct list_head lru;
	unsigned int nr_masters;
	unsigned int max_masters;
	u64 totals[SIPEXPECT_NR_COUNTERS];
	/*
	 * What records no longer in the table had counted (evicted, or their
	 * netns gone): totals == live + evicted + lost.
	 */
	u64 evicted[SIPEXPECT_NR_COUNTERS];
	/* Events whose record could not be allocated. */
	u64 lost[SIPEXPECT_NR_COUNTERS];
	u64 masters_evicted;		/* pushed out by the bound */
	u64 masters_netns_gone;		/* dropped with their netns */
	u64 alloc_failures;
};

/* One event against a master; fill and held are used where they apply. */
struct sipexpect_event {
	enum sipexpect_counter counter;
	struct sipexpect_fill fill;	/* on an insert failure */
	bool has_held;
	u32 held;
};

/* A table's counts, without its records: all that status and stats need. */
struct sipexpect_totals {
	u64 totals[SIPEXPECT_NR_COUNTERS];
	u64 evicted[SIPEXPECT_NR_COUNTERS];
	u64 lost[SIPEXPECT_NR_COUNTERS];
	u64 masters_evicted;
	u64 masters_netns_gone;
	u64 alloc_failures;
	unsigned int max_masters;
	unsigned int nr_masters;
};

struct sipexpect_snapshot {
	struct sipexpect_totals counts;	/* taken under the same lock */
	/* Sorted: most failures first, then most recently seen. */
	struct sipexpect_master_stats masters[];
};

int sipexpect_parse_max_masters(const char *val, unsigned int *max_masters);

int sipexpect_table_init(struct sipexpect_table *table, unsigned int max_masters);
void sipexpect_table_destroy(struct sipexpect_table *table);
void sipexpect_table_reset(struct sipexpect_table *table);

void sipexpect_account(struct sipexpect_table *table,
		       const struct sipexpect_key *key,
		       const struct sipexpect_event *event);

/*
 * Several events of one master at once, each counter in the bitmask
 * counted once: one lock round trip instead of one per event.
 */
void sipexpect_account_counters(struct sipexpect_table *table,
				const struct sipexpect_key *key,
				unsigned long counters);

/* Update a tracked master's held count; never creates a record. */
void sipexpect_set_held(struct sipexpect_table *table,
			const struct sipexpect_key *key, u32 held);
/* Drop every record of a netns that is going away; returns how many. */
unsigned int sipexpect_table_forget_netns(struct sipexpect_table *table,
					  u32 netns);

enum sipexpect_counter sipexpect_insert_outcome(int err);
enum sipexpect_counter sipexpect_drop_reason(const char *helper_msg);
bool sipexpect_counter_is_failure(enum sipexpect_counter counter);
u64 sipexpect_failures(const struct sipexpect_master_stats *stats);

void sipexpect_totals_take(struct sipexpect_table *table,
			   struct sipexpect_totals *out);
struct sipexpect_snapshot *sipexpect_snapshot_take(struct sipexpect_table *table);
void sipexpect_snapshot_free(struct sipexpect_snapshot *snap);

#endif /* _SIPEXPECT_CORE_H */
