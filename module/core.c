// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting core: a bounded hash of master records with an LRU.
 *
 * Writers run in softirq or process context on any CPU (probe handlers);
 * one spinlock with interrupts off covers the table: updates are a hash
 * lookup and a few increments, never an allocation larger than one record,
 * never a sleep. Readers copy everything under the lock and sort outside it.
 */
#include <linux/bitops.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "core.h"

const char * const sipexpect_counter_names[SIPEXPECT_NR_COUNTERS] = {
	[SIPEXPECT_INSERT_OK]			= "expect_insert_ok",
	[SIPEXPECT_INSERT_FAIL_TABLE_FULL]	= "expect_insert_fail_table_full",
	[SIPEXPECT_INSERT_FAIL_CLASH]		= "expect_insert_fail_clash",
	[SIPEXPECT_INSERT_FAIL_EXISTS]		= "expect_insert_fail_exists",
	[SIPEXPECT_INSERT_FAIL_SHUTDOWN]	= "expect_insert_fail_shutdown",
	[SIPEXPECT_INSERT_FAIL_OTHER]		= "expect_insert_fail_other",
	[SIPEXPECT_DROP_ALL_PORTS_SDP]		= "helper_drop_all_ports_in_use_sdp",
	[SIPEXPECT_DROP_ALL_PORTS_SIP]		= "helper_drop_all_ports_in_use_sip",
	[SIPEXPECT_DROP_CANNOT_ADD_EXPECTATION]	= "helper_drop_cannot_add_expectation",
	[SIPEXPECT_DROP_OTHER]			= "helper_drop_other",
	[SIPEXPECT_DROPS_CONFIRMED]		= "drops_confirmed",
};

int sipexpect_parse_max_masters(const char *val, unsigned int *max_masters)
{
	unsigned int v;

	if (!val || kstrtouint(val, 0, &v))
		return -EINVAL;
	if (v < SIPEXPECT_MAX_MASTERS_MIN || v > SIPEXPECT_MAX_MASTERS_MAX)
		return -EINVAL;
	*max_masters = v;
	return 0;
}

enum sipexpect_counter sipexpect_insert_outcome(int err)
{
	switch (err) {
	case 0:
		return SIPEXPECT_INSERT_OK;
	case -EMFILE:
		return SIPEXPECT_INSERT_FAIL_TABLE_FULL;
	case -EBUSY:
		return SIPEXPECT_INSERT_FAIL_CLASH;
	case -EALREADY:
		return SIPEXPECT_INSERT_FAIL_EXISTS;
	case -ESHUTDOWN:
		return SIPEXPECT_INSERT_FAIL_SHUTDOWN;
	default:
		return SIPEXPECT_INSERT_FAIL_OTHER;
	}
}

/*
 * The helper's format strings; "cannot add expectation" comes with and
 * without " for voice" (SDP and REGISTER paths).
 */
enum sipexpect_counter sipexpect_drop_reason(const char *helper_msg)
{
	if (!helper_msg)
		return SIPEXPECT_DROP_OTHER;
	if (!strcmp(helper_msg, "all ports in use for SDP media"))
		return SIPEXPECT_DROP_ALL_PORTS_SDP;
	if (!strcmp(helper_msg, "all ports in use for SIP"))
		return SIPEXPECT_DROP_ALL_PORTS_SIP;
	if (strstarts(helper_msg, "cannot add expectation"))
		return SIPEXPECT_DROP_CANNOT_ADD_EXPECTATION;
	return SIPEXPECT_DROP_OTHER;
}

bool sipexpect_counter_is_failure(enum sipexpect_counter counter)
{
	return (counter >= SIPEXPECT_FIRST_INSERT_FAIL &&
		counter <= SIPEXPECT_LAST_INSERT_FAIL) ||
	       (counter >= SIPEXPECT_FIRST_DROP &&
		counter <= SIPEXPECT_LAST_DROP);
}

u64 sipexpect_failures(const struct sipexpect_master_stats *stats)
{
	u64 sum = 0;
	int i;

	for (i = 0; i < SIPEXPECT_NR_COUNTERS; i++)
		if (sipexpect_counter_is_failure(i))
			sum += stats->counters[i];
	return sum;
}

int sipexpect_table_init(struct sipexpect_table *table, unsigned int max_masters)
{
	if (max_masters < SIPEXPECT_MAX_MASTERS_MIN ||
	    max_masters > SIPEXPECT_MAX_MASTERS_MAX)
		return -EINVAL;

	memset(table, 0, sizeof(*table));
	/*
	 * One bucket per record at the bound keeps chains short; at least two
	 * buckets, as hash_32() cannot produce a 0-bit hash.
	 */
	table->hash_bits = max(1, order_base_2(max_masters));
	table->buckets = kvcalloc(1U << table->hash_bits,
				  sizeof(*table->buckets), GFP_KERNEL);
	if (!table->buckets)
		return -ENOMEM;
	spin_lock_init(&table->lock);
	INIT_LIST_HEAD(&table->lru);
	table->max_masters = max_masters;
	table->hash_seed = get_random_u32();
	return 0;
}

/* Detach every record; the caller frees them outside the lock. */
static void sipexpect_table_clear_locked(struct sipexpect_table *table,
					 struct list_head *doomed)
{
	list_splice_init(&table->lru, doomed);
	memset(table->buckets, 0,
	       sizeof(*table->buckets) << table->hash_bits);
	table->nr_masters = 0;
}

static void sipexpect_free_list(struct list_head *doomed)
{
	struct sipexpect_master *m, *tmp;

	list_for_each_entry_safe(m, tmp, doomed, lru)
		kfree(m);
}

void sipexpect_table_destroy(struct sipexpect_table *table)
{
	LIST_HEAD(doomed);

	sipexpect_table_clear_locked(table, &doomed);
	sipexpect_free_list(&doomed);
	kvfree(table->buckets);
	table->buckets = NULL;
}

void sipexpect_table_reset(struct sipexpect_table *table)
{
	LIST_HEAD(doomed);
	unsigned long flags;

	spin_lock_irqsave(&table->lock, flags);
	sipexpect_table_clear_locked(table, &doomed);
	memset(table->totals, 0, sizeof(table->totals));
	memset(table->evicted, 0, sizeof(table->evicted));
	memset(table->lost, 0, sizeof(table->lost));
	table->masters_evicted = 0;
	table->masters_netns_gone = 0;
	table->alloc_failures = 0;
	spin_unlock_irqrestore(&table->lock, flags);

	sipexpect_free_list(&doomed);
}

static struct hlist_head *sipexpect_bucket(struct sipexpect_table *table,
					   const struct sipexpect_key *key)
{
	u32 h = jhash2((const u32 *)key, sizeof(*key) / sizeof(u32),
		       table->hash_seed);

	return &table->buckets[hash_32(h, table->hash_bits)];
}

static struct sipexpect_master *
sipexpect_lookup_locked(struct hlist_head *bucket,
			const struct sipexpect_key *key)
{
	struct sipexpect_master *m;

	hlist_for_each_entry(m, bucket, hnode)
		if (!memcmp(&m->stats.key, key, sizeof(*key)))
			return m;
	return NULL;
}

/* Take a record out of the table; its counts stay in the totals. */
static void sipexpect_unlink_locked(struct sipexpect_table *table,
				    struct sipexpect_master *m)
{
	int i;

	for (i = 0; i < SIPEXPECT_NR_COUNTERS; i++)
		table->evicted[i] += m->stats.counters[i];
	hlist_del(&m->hnode);
	list_del(&m->lru);
	table->nr_masters--;
}

/*
 * At the bound, the least recently updated record makes room and is
 * reused, so a flood of new masters costs no allocation at all.
 */
static struct sipexpect_master *
sipexpect_evict_locked(struct sipexpect_table *table)
{
	struct sipexpect_master *m;

	m = list_first_entry(&table->lru, struct sipexpect_master, lru);
	sipexpect_unlink_locked(table, m);
	table->masters_evicted++;
	return m;
}

static struct sipexpect_master *
sipexpect_insert_locked(struct sipexpect_table *table,
			struct hlist_head *bucket,
			const struct sipexpect_key *key, u64 now)
{
	struct sipexpect_master *m;

	if (table->nr_masters >= table->max_masters) {
		m = sipexpect_evict_locked(table);
	} else {
		m = kmalloc(sizeof(*m), GFP_ATOMIC | __GFP_NOWARN);
		if (!m) {
			table->alloc_failures++;
			return NULL;
		}
	}
	memset(&m->stats, 0, sizeof(m->stats));
	m->stats.key = *key;
	m->stats.first_seen = now;
	hlist_add_head(&m->hnode, bucket);
	list_add_tail(&m->lru, &table->lru);
	table->nr_masters++;
	return m;
}

/* Count each counter in @counters (a bitmask) once, in one locked update. */
static void sipexpect_update(struct sipexpect_table *table,
			     const struct sipexpect_key *key,
			     unsigned long counters,
			     const struct sipexpect_event *event)
{
	struct hlist_head *bucket = sipexpect_bucket(table, key);
	struct sipexpect_master *m;
	unsigned long flags;
	u64 now = get_jiffies_64();
	unsigned int c;

	if (WARN_ON_ONCE(counters >> SIPEXPECT_NR_COUNTERS))
		return;

	spin_lock_irqsave(&table->lock, flags);
	for_each_set_bit(c, &counters, SIPEXPECT_NR_COUNTERS)
		table->totals[c]++;
	m = sipexpect_lookup_locked(bucket, key);
	if (m)
		list_move_tail(&m->lru, &table->lru);
	else
		m = sipexpect_insert_locked(table, bucket, key, now);
	if (!m) {
		for_each_set_bit(c, &counters, SIPEXPECT_NR_COUNTERS)
			table->lost[c]++;
		goto out;
	}
	for_each_set_bit(c, &counters, SIPEXPECT_NR_COUNTERS)
		m->stats.counters[c]++;
	m->stats.last_seen = now;
	if (event && event->counter >= SIPEXPECT_FIRST_INSERT_FAIL &&
	    event->counter <= SIPEXPECT_LAST_INSERT_FAIL)
		m->stats.last_fail_fill = event->fill;
	if (event && event->has_held)
		m->stats.held = event->held;
out:
	spin_unlock_irqrestore(&table->lock, flags);
}

void sipexpect_account(struct sipexpect_table *table,
		       const struct sipexpect_key *key,
		       const struct sipexpect_event *event)
{
	if (WARN_ON_ONCE(event->counter >= SIPEXPECT_NR_COUNTERS))
		return;
	sipexpect_update(table, key, BIT(event->counter), event);
}

void sipexpect_account_counters(struct sipexpect_table *table,
				const struct sipexpect_key *key,
				unsigned long counters)
{
	sipexpect_update(table, key, counters, NULL);
}

void sipexpect_set_held(struct sipexpect_table *table,
			const struct sipexpect_key *key, u32 held)
{
	struct hlist_head *bucket = sipexpect_bucket(table, key);
	struct sipexpect_master *m;
	unsigned long flags;

	spin_lock_irqsave(&table->lock, flags);
	m = sipexpect_lookup_locked(bucket, key);
	if (m)
		m->stats.held = held;
	spin_unlock_irqrestore(&table->lock, flags);
}

/*
 * A netns inum can be reused by a later netns: its masters must not live
 * on under the new one. Their counts stay in the totals, like evictions.
 */
unsigned int sipexpect_table_forget_netns(struct sipexpect_table *table,
					  u32 netns)
{
	struct sipexpect_master *m, *tmp;
	unsigned long flags;
	LIST_HEAD(doomed);
	unsigned int n = 0;

	spin_lock_irqsave(&table->lock, flags);
	list_for_each_entry_safe(m, tmp, &table->lru, lru) {
		if (m->stats.key.netns != netns)
			continue;
		sipexpect_unlink_locked(table, m);
		list_add(&m->lru, &doomed);
		table->masters_netns_gone++;
		n++;
	}
	spin_unlock_irqrestore(&table->lock, flags);

	sipexpect_free_list(&doomed);
	return n;
}

static int sipexpect_stats_cmp(const void *a, const void *b)
{
	const struct sipexpect_master_stats *x = a, *y = b;
	u64 fx = sipexpect_failures(x), fy = sipexpect_failures(y);

	if (fx != fy)
		return fx > fy ? -1 : 1;
	if (x->last_seen != y->last_seen)
		return time_after64(x->last_seen, y->last_seen) ? -1 : 1;
	/* Total order, so that equal snapshots print identically. */
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* Caller holds table->lock. */
static void sipexpect_copy_totals(const struct sipexpect_table *table,
				  struct sipexpect_totals *out)
{
	memcpy(out->totals, table->totals, sizeof(out->totals));
	memcpy(out->evicted, table->evicted, sizeof(out->evicted));
	memcpy(out->lost, table->lost, sizeof(out->lost));
	out->masters_evicted = table->masters_evicted;
	out->masters_netns_gone = table->masters_netns_gone;
	out->alloc_failures = table->alloc_failures;
	out->max_masters = table->max_masters;
	out->nr_masters = table->nr_masters;
}

void sipexpect_totals_take(struct sipexpect_table *table,
			   struct sipexpect_totals *out)
{
	unsigned long flags;

	spin_lock_irqsave(&table->lock, flags);
	sipexpect_copy_totals(table, out);
	spin_unlock_irqrestore(&table->lock, flags);
}

struct sipexpect_snapshot *sipexpect_snapshot_take(struct sipexpect_table *table)
{
	struct sipexpect_snapshot *snap;
	struct sipexpect_master *m;
	unsigned long flags;
	unsigned int n = 0;

	/*
	 * Room for the bound, taken before the lock: the table can only grow
	 * up to max_masters, so the copy below always fits.
	 */
	snap = kvzalloc(struct_size(snap, masters, table->max_masters),
			GFP_KERNEL);
	if (!snap)
		return NULL;

	spin_lock_irqsave(&table->lock, flags);
	list_for_each_entry(m, &table->lru, lru)
		snap->masters[n++] = m->stats;
	sipexpect_copy_totals(table, &snap->counts);
	spin_unlock_irqrestore(&table->lock, flags);

	sort(snap->masters, n, sizeof(snap->masters[0]),
	     sipexpect_stats_cmp, NULL);
	return snap;
}

void sipexpect_snapshot_free(struct sipexpect_snapshot *snap)
{
	kvfree(snap);
}
