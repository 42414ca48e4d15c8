// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting core: a bounded hash of master records with an LRU.
 *
 * Only process context touches it: the fold of what the packet path staged
 * per CPU (stage.c), readers, reset and netns teardown. So a mutex guards
 * it, records are allocated with GFP_KERNEL, and a reader's copy never
 * holds up a packet.
 */
#include <linux/bitops.h>
#include <linux/bsearch.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sort.h>

#include "alloc.h"
#include "core.h"

/* A record's counters first..last (one of counters.h's ranges), added up. */
static u64 sipexpect_record_sum(const struct sipexpect_master_stats *stats,
				int first, int last)
{
	u64 sum = 0;
	int i;

	for (i = first; i <= last; i++)
		sum += stats->counters[i];
	return sum;
}

/* Packets the helper dropped for this master, then failed inserts. */
static u64 sipexpect_drops(const struct sipexpect_master_stats *stats)
{
	return sipexpect_record_sum(stats, SIPEXPECT_FIRST_CAUSE,
				    SIPEXPECT_LAST_CAUSE);
}

u64 sipexpect_failures(const struct sipexpect_master_stats *stats)
{
	return sipexpect_record_sum(stats, SIPEXPECT_FIRST_INSERT_FAIL,
				    SIPEXPECT_LAST_INSERT_FAIL);
}

u64 sipexpect_lost(const struct sipexpect_master_stats *stats)
{
	return sipexpect_record_sum(stats, SIPEXPECT_FIRST_LOST,
				    SIPEXPECT_LAST_LOST);
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
	table->buckets = sipexpect_alloc(sizeof(*table->buckets) <<
					 table->hash_bits, GFP_KERNEL);
	if (!table->buckets)
		return -ENOMEM;
	mutex_init(&table->lock);
	INIT_LIST_HEAD(&table->lru);
	table->counts.max_masters = max_masters;
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
	table->counts.nr_masters = 0;
}

static void sipexpect_free_list(struct list_head *doomed)
{
	struct sipexpect_master *m, *tmp;

	list_for_each_entry_safe(m, tmp, doomed, lru)
		sipexpect_free(m);
}

void sipexpect_table_destroy(struct sipexpect_table *table)
{
	LIST_HEAD(doomed);

	if (!table->buckets)
		return;
	sipexpect_table_clear_locked(table, &doomed);
	sipexpect_free_list(&doomed);
	sipexpect_free(table->buckets);
	table->buckets = NULL;
	mutex_destroy(&table->lock);
}

void sipexpect_table_reset(struct sipexpect_table *table)
{
	unsigned int max_masters;
	LIST_HEAD(doomed);

	mutex_lock(&table->lock);
	sipexpect_table_clear_locked(table, &doomed);
	max_masters = table->counts.max_masters;
	memset(&table->counts, 0, sizeof(table->counts));
	table->counts.max_masters = max_masters;
	mutex_unlock(&table->lock);

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
		if (sipexpect_key_eq(&m->stats.key, key))
			return m;
	return NULL;
}

/* Take a record out of the table; its counts stay in the totals. */
static void sipexpect_unlink_locked(struct sipexpect_table *table,
				    struct sipexpect_master *m)
{
	int i;

	for (i = 0; i < SIPEXPECT_NR_COUNTERS; i++)
		table->counts.evicted[i] += m->stats.counters[i];
	hlist_del(&m->hnode);
	list_del(&m->lru);
	table->counts.nr_masters--;
}

/*
 * At the bound, the least recently updated record makes room and is
 * reused, so a flood of new masters costs no allocation at all.
 */
static struct sipexpect_master *
sipexpect_new_locked(struct sipexpect_table *table,
		     struct hlist_head *bucket,
		     const struct sipexpect_key *key, u64 now)
{
	struct sipexpect_master *m;

	if (table->counts.nr_masters >= table->counts.max_masters) {
		m = list_first_entry(&table->lru, struct sipexpect_master, lru);
		sipexpect_unlink_locked(table, m);
		table->counts.masters_evicted++;
		memset(&m->stats, 0, sizeof(m->stats));
	} else {
		/* sipexpect_alloc() zeroes: no second memset(). */
		m = sipexpect_alloc(sizeof(*m), GFP_KERNEL);
		if (!m) {
			table->counts.alloc_failures++;
			return NULL;
		}
	}
	m->stats.key = *key;
	m->stats.first_seen = now;
	hlist_add_head(&m->hnode, bucket);
	list_add_tail(&m->lru, &table->lru);
	table->counts.nr_masters++;
	return m;
}

static void sipexpect_add_counts(u64 *dst, const struct sipexpect_delta *d)
{
	u64 present = d->present;

	while (present) {
		unsigned int c = __ffs64(present);

		dst[c] += d->counts[c];
		present &= present - 1;
	}
}

/*
 * Into a record's u32 counters: a count that would pass U32_MAX first
 * moves the record's count to the table's retired counts (evicted[]).
 */
static void sipexpect_record_add(struct sipexpect_table *table,
				 struct sipexpect_master *m,
				 const struct sipexpect_delta *d)
{
	u64 present = d->present;

	while (present) {
		unsigned int c = __ffs64(present);
		u32 *count = &m->stats.counters[c];

		if (*count > U32_MAX - d->counts[c]) {
			table->counts.evicted[c] += *count;
			*count = 0;
		}
		*count += d->counts[c];
		present &= present - 1;
	}
}

/* Nothing to act on in @d: see sipexpect_counter_is_normal(). */
static bool sipexpect_delta_only_normal(const struct sipexpect_delta *d)
{
	u64 present = d->present;

	while (present) {
		unsigned int c = __ffs64(present);

		if (!sipexpect_counter_is_normal(c))
			return false;
		present &= present - 1;
	}
	return true;
}

void sipexpect_table_fold(struct sipexpect_table *table,
			  const struct sipexpect_delta *d)
{
	struct hlist_head *bucket = sipexpect_bucket(table, &d->key);
	struct sipexpect_master *m;

	mutex_lock(&table->lock);
	sipexpect_add_counts(table->counts.totals, d);
	m = sipexpect_lookup_locked(bucket, &d->key);
	if (m) {
		list_move_tail(&m->lru, &table->lru);
	} else if (sipexpect_delta_only_normal(d)) {
		/*
		 * A master earns its record with something to act on: a
		 * master whose calls work, or one the bound pushed out
		 * whose expectations now end (conntrack -F, its calls'
		 * BYEs), is counted with the retired, and pushes out no
		 * record that may hold failures.
		 */
		sipexpect_add_counts(table->counts.evicted, d);
		goto out;
	} else {
		m = sipexpect_new_locked(table, bucket, &d->key, d->stamp);
	}
	if (!m) {
		sipexpect_add_counts(table->counts.lost, d);
		goto out;
	}
	sipexpect_record_add(table, m, d);
	/* Deltas of several CPUs arrive in any order: keep the latest. */
	if (time_after64(d->stamp, m->stats.last_seen))
		m->stats.last_seen = d->stamp;
	if (d->has_fill && !time_before64(d->stamp, m->stats.last_fail_stamp)) {
		m->stats.last_fail_fill = d->fill;
		m->stats.last_fail_stamp = d->stamp;
	}
out:
	mutex_unlock(&table->lock);
}

/* Sums with no record: into the totals, and into @also (lost or evicted). */
static void sipexpect_table_fold_sums(struct sipexpect_table *table, u64 *also,
				      const u64 counts[SIPEXPECT_NR_COUNTERS])
{
	int c;

	mutex_lock(&table->lock);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		table->counts.totals[c] += counts[c];
		also[c] += counts[c];
	}
	mutex_unlock(&table->lock);
}

void sipexpect_table_fold_lost(struct sipexpect_table *table,
			       const u64 counts[SIPEXPECT_NR_COUNTERS])
{
	sipexpect_table_fold_sums(table, table->counts.lost, counts);
}

void sipexpect_table_fold_retired(struct sipexpect_table *table,
				  const u64 counts[SIPEXPECT_NR_COUNTERS])
{
	sipexpect_table_fold_sums(table, table->counts.evicted, counts);
}

int sipexpect_u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * A netns inum can be reused by a later netns: its masters must not live
 * on under the new one. Their counts stay in the totals, like evictions.
 * One pass for a batch of netns (@netns sorted), as the kernel tears them
 * down: the table lock is taken once, not once per netns.
 */
unsigned int sipexpect_table_forget_netns_set(struct sipexpect_table *table,
					      const u32 *netns, unsigned int nr)
{
	struct sipexpect_master *m, *tmp;
	LIST_HEAD(doomed);
	unsigned int n = 0;

	mutex_lock(&table->lock);
	list_for_each_entry_safe(m, tmp, &table->lru, lru) {
		if (!bsearch(&m->stats.key.netns, netns, nr, sizeof(*netns),
			     sipexpect_u32_cmp))
			continue;
		sipexpect_unlink_locked(table, m);
		list_add(&m->lru, &doomed);
		table->counts.masters_netns_gone++;
		n++;
	}
	mutex_unlock(&table->lock);

	sipexpect_free_list(&doomed);
	return n;
}

unsigned int sipexpect_table_forget_netns(struct sipexpect_table *table,
					  u32 netns)
{
	return sipexpect_table_forget_netns_set(table, &netns, 1);
}

void sipexpect_sort_netns(u32 *netns, unsigned int nr)
{
	sort(netns, nr, sizeof(*netns), sipexpect_u32_cmp, NULL);
}

static int sipexpect_stats_cmp(const void *a, const void *b)
{
	const struct sipexpect_master_stats *x = a, *y = b;
	u64 dx = sipexpect_drops(x), dy = sipexpect_drops(y);
	u64 fx = sipexpect_failures(x), fy = sipexpect_failures(y);
	u64 lx = sipexpect_lost(x), ly = sipexpect_lost(y);

	if (dx != dy)
		return dx > dy ? -1 : 1;
	if (fx != fy)
		return fx > fy ? -1 : 1;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	if (x->last_seen != y->last_seen)
		return time_after64(x->last_seen, y->last_seen) ? -1 : 1;
	/* Total order, so that equal snapshots print identically. */
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

void sipexpect_totals_take(struct sipexpect_table *table,
			   struct sipexpect_totals *out)
{
	mutex_lock(&table->lock);
	*out = table->counts;
	mutex_unlock(&table->lock);
}

static u64 sipexpect_conflict_drops(const struct sipexpect_master_stats *st)
{
	return (u64)st->counters[SIPEXPECT_DROPS_CAUSE_EXISTS] +
	       st->counters[SIPEXPECT_DROPS_CAUSE_CLASH];
}

bool sipexpect_table_worst_conflict(struct sipexpect_table *table,
				    struct sipexpect_master_stats *out)
{
	const struct sipexpect_master *m, *worst = NULL;

	mutex_lock(&table->lock);
	list_for_each_entry(m, &table->lru, lru)
		if (sipexpect_conflict_drops(&m->stats) &&
		    (!worst || sipexpect_conflict_drops(&m->stats) >
			       sipexpect_conflict_drops(&worst->stats)))
			worst = m;
	if (worst)
		*out = worst->stats;
	mutex_unlock(&table->lock);
	return worst;
}

/*
 * A copy of every record, unsorted (sipexpect_snapshot_sort()). Sized for
 * the records there are, not for the bound: the table may have grown
 * while the copy was allocated, then we try again.
 */
struct sipexpect_snapshot *sipexpect_snapshot_take(struct sipexpect_table *table)
{
	struct sipexpect_snapshot *snap;
	struct sipexpect_master *m;
	unsigned int room;

	room = READ_ONCE(table->counts.nr_masters) + 16;
	for (;;) {
		snap = sipexpect_alloc(struct_size(snap, masters, room),
				       GFP_KERNEL);
		if (!snap)
			return NULL;
		mutex_lock(&table->lock);
		if (table->counts.nr_masters <= room)
			break;
		room = table->counts.nr_masters + 16;
		mutex_unlock(&table->lock);
		sipexpect_free(snap);
	}
	list_for_each_entry(m, &table->lru, lru)
		snap->masters[snap->nr++] = m->stats;
	snap->counts = table->counts;
	mutex_unlock(&table->lock);
	return snap;
}

/*
 * What the order needs of a record, computed once: sorting the records
 * themselves re-summed their counters in every comparison and moved 200
 * bytes per swap.
 */
struct sipexpect_sort_key {
	u64 drops;
	u64 failures;
	u64 lost;
	u64 last_seen;
	struct sipexpect_key key;	/* ties, as sipexpect_stats_cmp() */
	u32 idx;
};

static int sipexpect_sort_key_cmp(const void *a, const void *b)
{
	const struct sipexpect_sort_key *x = a, *y = b;

	if (x->drops != y->drops)
		return x->drops > y->drops ? -1 : 1;
	if (x->failures != y->failures)
		return x->failures > y->failures ? -1 : 1;
	if (x->lost != y->lost)
		return x->lost > y->lost ? -1 : 1;
	if (x->last_seen != y->last_seen)
		return time_after64(x->last_seen, y->last_seen) ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

#define SIPEXPECT_SORT_MOVED	U32_MAX

void sipexpect_snapshot_sort(struct sipexpect_snapshot *snap)
{
	struct sipexpect_master_stats tmp;
	struct sipexpect_sort_key *keys;
	unsigned int i, j, next;

	keys = sipexpect_alloc(array_size(snap->nr, sizeof(*keys)), GFP_KERNEL);
	if (!keys) {
		/* Slower, and the same order: keys are unique. */
		sort(snap->masters, snap->nr, sizeof(snap->masters[0]),
		     sipexpect_stats_cmp, NULL);
		return;
	}
	for (i = 0; i < snap->nr; i++) {
		const struct sipexpect_master_stats *st = &snap->masters[i];

		keys[i] = (struct sipexpect_sort_key) {
			.drops = sipexpect_drops(st),
			.failures = sipexpect_failures(st),
			.lost = sipexpect_lost(st),
			.last_seen = st->last_seen,
			.key = st->key,
			.idx = i,
		};
	}
	sort(keys, snap->nr, sizeof(*keys), sipexpect_sort_key_cmp, NULL);
	/* Each record to its place, one cycle of the permutation at a time. */
	for (i = 0; i < snap->nr; i++) {
		if (keys[i].idx == SIPEXPECT_SORT_MOVED || keys[i].idx == i)
			continue;
		tmp = snap->masters[i];
		for (j = i; (next = keys[j].idx) != i; j = next) {
			snap->masters[j] = snap->masters[next];
			keys[j].idx = SIPEXPECT_SORT_MOVED;
		}
		snap->masters[j] = tmp;
		keys[j].idx = SIPEXPECT_SORT_MOVED;
		cond_resched();
	}
	sipexpect_free(keys);
}

void sipexpect_snapshot_free(struct sipexpect_snapshot *snap)
{
	sipexpect_free(snap);
}
