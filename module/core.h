/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting core: per-master counters of expectation failures.
 *
 * Pure data structure: it never sees a conntrack, an expectation or a probe,
 * so KUnit drives it directly. Masters are keyed by value; the table holds at
 * most max_masters records and evicts the least recently updated one. The
 * table is only ever touched in process context (folding what the packet
 * path staged per CPU, and readers), so a mutex guards it.
 */
#ifndef _SIPEXPECT_CORE_H
#define _SIPEXPECT_CORE_H

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/string.h>
#include <linux/types.h>

#include "errnos.h"
#include "param.h"

/* Same as NF_CT_HELPER_NAME_LEN, without pulling in conntrack headers. */
#define SIPEXPECT_HELPER_NAME_LEN	16

#define SIPEXPECT_MAX_MASTERS_DEFAULT	4096
#define SIPEXPECT_MAX_MASTERS_MIN	1
#define SIPEXPECT_MAX_MASTERS_MAX	65536

/*
 * One flat array of counters per master and globally; the names in
 * sipexpect_counter_names[] are the keys of the debugfs contract.
 *   - what each expectation insert returned (raw errnos, facts about the
 *     kernel, whether or not the helper then dropped anything);
 *   - the helper's drop messages, one per line it logged;
 *   - per dropped packet: whether netfilter really freed it as a drop, and
 *     the failed insert that made the helper give up on it (its cause).
 */
#define SIPEXPECT_INSERT_FAIL_ENUM(err, SUFFIX, suffix)	\
	SIPEXPECT_INSERT_FAIL_##SUFFIX,
#define SIPEXPECT_DROPS_CAUSE_ENUM(err, SUFFIX, suffix)	\
	SIPEXPECT_DROPS_CAUSE_##SUFFIX,

enum sipexpect_counter {
	SIPEXPECT_INSERT_OK,
	SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_INSERT_FAIL_ENUM)	/* errnos.h */
	SIPEXPECT_INSERT_FAIL_OTHER,
	SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
	SIPEXPECT_MESSAGE_ALL_PORTS_SIP,
	SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
	SIPEXPECT_MESSAGE_OTHER,
	SIPEXPECT_DROPS_CONFIRMED,
	SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_DROPS_CAUSE_ENUM)	/* errnos.h */
	SIPEXPECT_DROPS_CAUSE_OTHER,
	SIPEXPECT_DROPS_CAUSE_UNKNOWN,		/* no failed insert before it */
	/* Expectations removed, by why (removal.c). Normal ends first: */
	SIPEXPECT_REMOVED_USED,			/* its media came */
	SIPEXPECT_REMOVED_REPLACED,		/* the same one inserted again */
	SIPEXPECT_REMOVED_ENDED,		/* BYE, failed call, REGISTER */
	SIPEXPECT_REMOVED_WITHDRAWN,		/* the helper took it back */
	SIPEXPECT_REMOVED_MASTER_GONE,
	SIPEXPECT_REMOVED_OTHER,		/* conntrack -F, unload, unknown */
	/* ... then what a call may still have needed: */
	SIPEXPECT_REMOVED_FLUSHED_BY_INVITE,
	SIPEXPECT_REMOVED_EVICTED,		/* per-class limit of a master */
	SIPEXPECT_REMOVED_EXPIRED_UNUSED,	/* its media never came */
	SIPEXPECT_NR_COUNTERS
};

#define SIPEXPECT_FIRST_INSERT_FAIL	(SIPEXPECT_INSERT_OK + 1)
#define SIPEXPECT_LAST_INSERT_FAIL	SIPEXPECT_INSERT_FAIL_OTHER
#define SIPEXPECT_FIRST_MESSAGE		SIPEXPECT_MESSAGE_ALL_PORTS_SDP
#define SIPEXPECT_LAST_MESSAGE		SIPEXPECT_MESSAGE_OTHER
#define SIPEXPECT_FIRST_CAUSE		(SIPEXPECT_DROPS_CONFIRMED + 1)
#define SIPEXPECT_LAST_CAUSE		SIPEXPECT_DROPS_CAUSE_UNKNOWN
#define SIPEXPECT_FIRST_REMOVED		SIPEXPECT_REMOVED_USED
#define SIPEXPECT_LAST_REMOVED		SIPEXPECT_REMOVED_EXPIRED_UNUSED
/* Removed while the call may still have needed it. */
#define SIPEXPECT_FIRST_LOST		SIPEXPECT_REMOVED_FLUSHED_BY_INVITE
#define SIPEXPECT_LAST_LOST		SIPEXPECT_REMOVED_EXPIRED_UNUSED

extern const char * const sipexpect_counter_names[SIPEXPECT_NR_COUNTERS];

/* Counters first..last (one of the ranges above), added up. */
static inline u64 sipexpect_sum(const u64 *c, int first, int last)
{
	u64 sum = 0;
	int i;

	for (i = first; i <= last; i++)
		sum += c[i];
	return sum;
}

/*
 * Identity of a master connection, by value. Every byte belongs to a field
 * (no padding, the name zero-filled), so comparison and hashing by bytes
 * are exact without a memset() first.
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

static_assert(sizeof(struct sipexpect_key) ==
	      2 * sizeof(union nf_inet_addr) + sizeof(u32) + 3 * sizeof(u16) +
	      2 * sizeof(u8) + SIPEXPECT_HELPER_NAME_LEN,
	      "a key has no padding: it is compared and hashed by bytes");

/* One word of a key at a byte offset (keys are only 4-byte aligned). */
static inline u64 sipexpect_key_word(const struct sipexpect_key *k,
				     unsigned int off)
{
	u64 w;

	__builtin_memcpy(&w, (const u8 *)k + off, sizeof(w));
	return w;
}

/*
 * Inline, eight bytes at a time and unrolled: every probe hit compares
 * keys, most of them equal (no memcmp call, no loop of 4-byte words).
 */
static inline bool sipexpect_key_eq(const struct sipexpect_key *a,
				    const struct sipexpect_key *b)
{
	u64 diff = 0;
	u32 x, y;

	BUILD_BUG_ON(sizeof(*a) != 7 * sizeof(u64) + sizeof(u32));
	diff |= sipexpect_key_word(a, 0) ^ sipexpect_key_word(b, 0);
	diff |= sipexpect_key_word(a, 8) ^ sipexpect_key_word(b, 8);
	diff |= sipexpect_key_word(a, 16) ^ sipexpect_key_word(b, 16);
	diff |= sipexpect_key_word(a, 24) ^ sipexpect_key_word(b, 24);
	diff |= sipexpect_key_word(a, 32) ^ sipexpect_key_word(b, 32);
	diff |= sipexpect_key_word(a, 40) ^ sipexpect_key_word(b, 40);
	diff |= sipexpect_key_word(a, 48) ^ sipexpect_key_word(b, 48);
	__builtin_memcpy(&x, (const u8 *)a + 56, sizeof(x));
	__builtin_memcpy(&y, (const u8 *)b + 56, sizeof(y));
	return !(diff | (x ^ y));
}

/*
 * A helper or class name (at most SIPEXPECT_HELPER_NAME_LEN with its NUL)
 * into a buffer of that size, zero-filled behind it. Inline, no fortified
 * strscpy(): it runs on the packet path.
 */
static inline void sipexpect_copy_name(char dst[SIPEXPECT_HELPER_NAME_LEN],
				       const char *src)
{
	unsigned int i;

	memset(dst, 0, SIPEXPECT_HELPER_NAME_LEN);
	for (i = 0; i < SIPEXPECT_HELPER_NAME_LEN - 1 && src[i]; i++)
		dst[i] = src[i];
}

/*
 * SIP masters have a table of their own: nothing else may evict them.
 * The name is "sip" when its first four bytes are, NUL included.
 */
static inline bool sipexpect_key_is_sip(const struct sipexpect_key *key)
{
	return !memcmp(key->helper, "sip", 4);
}

/* Table fill level of the master's netns when an insert failed. */
struct sipexpect_fill {
	u32 count;
	u32 max;
};

/*
 * What the packet path hands the table: counts for one master since the
 * last fold, stamped with the jiffies of the latest of them.
 */
struct sipexpect_delta {
	struct sipexpect_key key;
	u64 stamp;
	struct sipexpect_fill fill;	/* at the latest insert failure */
	bool has_fill;
	u16 counts[SIPEXPECT_NR_COUNTERS];	/* small: it is staged per CPU */
};

/* What a reader sees of one master. */
struct sipexpect_master_stats {
	struct sipexpect_key key;
	u32 held;			/* filled by the reader, from the kernel */
	struct sipexpect_fill last_fail_fill;
	u64 last_fail_stamp;
	u64 first_seen;			/* jiffies64 */
	u64 last_seen;
	u64 counters[SIPEXPECT_NR_COUNTERS];
};

struct sipexpect_master {
	struct hlist_node hnode;
	struct list_head lru;		/* head: least recently updated */
	struct sipexpect_master_stats stats;
};

/* A table's counts, without its records: all that status and stats need. */
struct sipexpect_totals {
	u64 totals[SIPEXPECT_NR_COUNTERS];
	/*
	 * What records no longer in the table had counted (evicted, or their
	 * netns gone) or count after eviction (expectations ending normally,
	 * at the bound), and events that never had a record (no memory for
	 * one, or no room to stage them): totals == live + evicted + lost.
	 */
	u64 evicted[SIPEXPECT_NR_COUNTERS];
	u64 lost[SIPEXPECT_NR_COUNTERS];
	u64 masters_evicted;		/* pushed out by the bound */
	u64 masters_netns_gone;		/* dropped with their netns */
	u64 alloc_failures;
	unsigned int max_masters;
	unsigned int nr_masters;
};

struct sipexpect_table {
	struct mutex lock;		/* guards everything below */
	struct hlist_head *buckets;
	unsigned int hash_bits;
	u32 hash_seed;
	struct list_head lru;
	struct sipexpect_totals counts;
};

struct sipexpect_snapshot {
	struct sipexpect_totals counts;	/* taken under the same lock */
	unsigned int nr;
	/* Sorted: most drops, failures, then lost expectations first. */
	struct sipexpect_master_stats masters[];
};

static inline int sipexpect_parse_max_masters(const char *val,
					      unsigned int *max_masters)
{
	return sipexpect_parse_uint_range(val, SIPEXPECT_MAX_MASTERS_MIN,
					  SIPEXPECT_MAX_MASTERS_MAX, max_masters);
}

int sipexpect_table_init(struct sipexpect_table *table, unsigned int max_masters);
void sipexpect_table_destroy(struct sipexpect_table *table);
void sipexpect_table_reset(struct sipexpect_table *table);

/* Add what one master did since the last fold. */
void sipexpect_table_fold(struct sipexpect_table *table,
			  const struct sipexpect_delta *delta);
/* Events that never reached a record: counted in the totals only. */
void sipexpect_table_fold_lost(struct sipexpect_table *table,
			       const u64 counts[SIPEXPECT_NR_COUNTERS]);
/* Drop every record of a netns that is going away; returns how many. */
/* @netns: sorted (sipexpect_sort_netns()) */
unsigned int sipexpect_table_forget_netns_set(struct sipexpect_table *table,
					      const u32 *netns, unsigned int nr);
void sipexpect_sort_netns(u32 *netns, unsigned int nr);
/* For sort() and bsearch() of netns inums. */
int sipexpect_u32_cmp(const void *a, const void *b);
unsigned int sipexpect_table_forget_netns(struct sipexpect_table *table,
					  u32 netns);

#define SIPEXPECT_INSERT_ERRNO_VALUE(err, SUFFIX, suffix)			\
	[SIPEXPECT_INSERT_FAIL_##SUFFIX - SIPEXPECT_FIRST_INSERT_FAIL] = -(err),

/*
 * Its place in errnos.h's list, where its counters are in the enum's;
 * past the list (the "other" counters) for any other errno.
 */
static inline unsigned int sipexpect_insert_errno_index(int err)
{
	static const s16 errnos[] = {
		SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_INSERT_ERRNO_VALUE)
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i] == err)
			break;
	return i;
}

/*
 * -ESHUTDOWN (master without helper extension) has no counter: the probe
 * cannot name a helper for such a master, so it never reaches here.
 * Inline: every insert's return handler asks.
 */
static inline enum sipexpect_counter sipexpect_insert_outcome(int err)
{
	if (!err)
		return SIPEXPECT_INSERT_OK;
	return SIPEXPECT_FIRST_INSERT_FAIL + sipexpect_insert_errno_index(err);
}

/* The cause of a dropped packet, from the failed insert before it (0: none). */
static inline enum sipexpect_counter sipexpect_drop_cause(int err)
{
	if (!err)
		return SIPEXPECT_DROPS_CAUSE_UNKNOWN;
	return SIPEXPECT_FIRST_CAUSE + sipexpect_insert_errno_index(err);
}

u64 sipexpect_failures(const struct sipexpect_master_stats *stats);
/* Expectations removed while their call may still have needed them. */
u64 sipexpect_lost(const struct sipexpect_master_stats *stats);

void sipexpect_totals_take(struct sipexpect_table *table,
			   struct sipexpect_totals *out);
/* The master with most drops caused by a conflict (exists, clash), if any. */
bool sipexpect_table_worst_conflict(struct sipexpect_table *table,
				    struct sipexpect_master_stats *out);
struct sipexpect_snapshot *sipexpect_snapshot_take(struct sipexpect_table *table);
void sipexpect_snapshot_sort(struct sipexpect_snapshot *snap);
void sipexpect_snapshot_free(struct sipexpect_snapshot *snap);

#endif /* _SIPEXPECT_CORE_H */
