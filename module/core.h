/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting core: a bounded table of per-master counters
 * (counters.h), each master under its key (key.h).
 *
 * Pure data structure: it never sees a conntrack, an expectation or a probe,
 * so KUnit drives it directly. Masters are keyed by value; the table holds at
 * most max_masters records and evicts the least recently updated one. The
 * table is only ever touched in process context (folding what the packet
 * path staged per CPU, and readers), so a mutex guards it.
 */
#ifndef _SIPEXPECT_CORE_H
#define _SIPEXPECT_CORE_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "counters.h"
#include "key.h"
#include "param.h"

#define SIPEXPECT_MAX_MASTERS_DEFAULT	4096
#define SIPEXPECT_MAX_MASTERS_MIN	1
#define SIPEXPECT_MAX_MASTERS_MAX	65536

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
	/* After the key: the 4-byte fields fill its tail, no holes. */
	struct sipexpect_fill fill;	/* at the latest insert failure */
	bool has_fill;
	u64 stamp;
	/*
	 * A bit per counter with a count: a delta holds two or three, and
	 * the fold visits those, not every counter three times over.
	 */
	u64 present;
	u16 counts[SIPEXPECT_NR_COUNTERS];	/* small: it is staged per CPU */
};

static_assert(SIPEXPECT_NR_COUNTERS <= 64, "a delta's present bits are a u64");

/* Every count of a delta goes in this way, so that its bit is set. */
static inline void sipexpect_delta_add(struct sipexpect_delta *d,
				       enum sipexpect_counter counter, u16 n)
{
	d->counts[counter] += n;
	d->present |= BIT_ULL(counter);
}

/* What a reader sees of one master. */
struct sipexpect_master_stats {
	struct sipexpect_key key;
	u32 held;			/* filled by the reader, from the kernel */
	struct sipexpect_fill last_fail_fill;
	u64 last_fail_stamp;
	u64 first_seen;			/* jiffies64 */
	u64 last_seen;
	/*
	 * u32, so that a record fits kmalloc-256 (max_masters of them per
	 * table): a count about to pass U32_MAX moves to the table's retired
	 * counts and starts again, so stats = masters + retired holds.
	 */
	u32 counters[SIPEXPECT_NR_COUNTERS];
};

struct sipexpect_master {
	struct hlist_node hnode;
	struct list_head lru;		/* head: least recently updated */
	struct sipexpect_master_stats stats;
};

static_assert(sizeof(struct sipexpect_master) <= 256, "a record fits kmalloc-256");

/* A table's counts, without its records: all that status and stats need. */
struct sipexpect_totals {
	u64 totals[SIPEXPECT_NR_COUNTERS];
	/*
	 * What records no longer in the table had counted (evicted, or their
	 * netns gone), the good inserts and normal ends of masters with no
	 * record (retired), and events that never had a record (no memory
	 * for one, or no room to stage them): totals == live + evicted + lost.
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
/* Events of masters with no record (recorded.h): totals and retired. */
void sipexpect_table_fold_retired(struct sipexpect_table *table,
				  const u64 counts[SIPEXPECT_NR_COUNTERS]);
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
