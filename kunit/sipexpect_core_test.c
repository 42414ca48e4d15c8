// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_core: the accounting core, driven directly.
 *
 * The core is compiled into this module (not exported by sipexpect.ko), so
 * the suite runs without kprobes, conntrack or the product module loaded.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "../module/alloc.c"
#include "../module/core.c"
#include "../module/counters.c"
#include "../module/param.c"
#include "test_key.h"

/* A SIP master's key. */
static inline struct sipexpect_key test_key(u32 n)
{
	return test_key_of(n, "sip");
}

static struct sipexpect_table *test_table(struct kunit *test,
					  unsigned int max_masters)
{
	struct sipexpect_table *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	KUNIT_ASSERT_EQ(test, sipexpect_table_init(t, max_masters), 0);
	test->priv = t;		/* destroyed by sipexpect_core_exit() */
	return t;
}

/* What one event of a master looks like once staged and folded. */
static void count(struct sipexpect_table *t, const struct sipexpect_key *k,
		  enum sipexpect_counter c)
{
	struct sipexpect_delta d = { .key = *k, .stamp = get_jiffies_64() };

	sipexpect_delta_add(&d, c, 1);
	sipexpect_table_fold(t, &d);
}

static struct sipexpect_snapshot *test_snapshot(struct kunit *test,
						struct sipexpect_table *t)
{
	struct sipexpect_snapshot *snap = sipexpect_snapshot_take(t);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, snap);
	KUNIT_ASSERT_EQ(test, snap->nr, snap->counts.nr_masters);
	sipexpect_snapshot_sort(snap);
	return snap;
}

static const struct sipexpect_master_stats *
find_master(const struct sipexpect_snapshot *snap,
	    const struct sipexpect_key *k)
{
	unsigned int i;

	for (i = 0; i < snap->nr; i++)
		if (!memcmp(&snap->masters[i].key, k, sizeof(*k)))
			return &snap->masters[i];
	return NULL;
}

/* Sum over live records plus what evicted and unattributed events counted. */
static void expect_totals_balance(struct kunit *test,
				  const struct sipexpect_snapshot *snap)
{
	unsigned int i, c;

	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		u64 sum = snap->counts.evicted[c] + snap->counts.lost[c];

		for (i = 0; i < snap->nr; i++)
			sum += snap->masters[i].counters[c];
		KUNIT_EXPECT_EQ_MSG(test, snap->counts.totals[c], sum, "counter %s",
				    sipexpect_counter_names[c]);
	}
}

static int sipexpect_core_init(struct kunit *test)
{
	test->priv = NULL;
	return 0;
}

static void sipexpect_core_exit(struct kunit *test)
{
	if (test->priv)
		sipexpect_table_destroy(test->priv);
}

static void sipexpect_core_same_key_one_record(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 16);
	struct sipexpect_key a = test_key(1), b = test_key(1);
	struct sipexpect_snapshot *snap;

	count(t, &a, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	count(t, &a, SIPEXPECT_INSERT_OK);
	count(t, &b, SIPEXPECT_INSERT_OK);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 1U);
	KUNIT_EXPECT_EQ(test, snap->masters[0].counters[SIPEXPECT_INSERT_OK],
			(u64)2);
	KUNIT_EXPECT_EQ(test,
			snap->masters[0].counters[SIPEXPECT_INSERT_FAIL_TABLE_FULL],
			(u64)1);
	sipexpect_snapshot_free(snap);
}

/* Two keys equal but for one field must be two records with their own counts. */
static void expect_distinct(struct kunit *test,
			    void (*change)(struct sipexpect_key *k))
{
	struct sipexpect_table *t = test_table(test, 16);
	struct sipexpect_key a = test_key(1), b = test_key(1);
	struct sipexpect_snapshot *snap;
	const struct sipexpect_master_stats *ma, *mb;

	change(&b);
	KUNIT_ASSERT_NE(test, memcmp(&a, &b, sizeof(a)), 0);
	count(t, &a, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	count(t, &b, SIPEXPECT_INSERT_FAIL_CLASH);
	count(t, &b, SIPEXPECT_INSERT_FAIL_CLASH);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 2U);
	ma = find_master(snap, &a);
	mb = find_master(snap, &b);
	KUNIT_ASSERT_NOT_NULL(test, ma);
	KUNIT_ASSERT_NOT_NULL(test, mb);
	KUNIT_EXPECT_EQ(test, ma->counters[SIPEXPECT_INSERT_FAIL_TABLE_FULL],
			(u64)1);
	KUNIT_EXPECT_EQ(test, ma->counters[SIPEXPECT_INSERT_FAIL_CLASH], (u64)0);
	KUNIT_EXPECT_EQ(test, mb->counters[SIPEXPECT_INSERT_FAIL_TABLE_FULL],
			(u64)0);
	KUNIT_EXPECT_EQ(test, mb->counters[SIPEXPECT_INSERT_FAIL_CLASH], (u64)2);
	sipexpect_snapshot_free(snap);
}

static void change_netns(struct sipexpect_key *k) { k->netns++; }
static void change_zone(struct sipexpect_key *k) { k->zone = 7; }
static void change_l3(struct sipexpect_key *k) { k->l3 = NFPROTO_IPV6; }
static void change_l4(struct sipexpect_key *k) { k->l4 = IPPROTO_TCP; }
static void change_src(struct sipexpect_key *k) { k->src.ip ^= htonl(0x100); }
static void change_dst(struct sipexpect_key *k) { k->dst.all[3] = 1; }
static void change_sport(struct sipexpect_key *k) { k->sport = 40000; }
static void change_dport(struct sipexpect_key *k) { k->dport = 5061; }
static void change_helper(struct sipexpect_key *k)
{
	strscpy(k->helper, "ftp", sizeof(k->helper));
}

/* Keys are compared by words: the last byte of the name counts too. */
static void change_helper_last(struct sipexpect_key *k)
{
	strscpy(k->helper, "sip-50600000001", sizeof(k->helper));
}

static void sipexpect_core_key_netns(struct kunit *test)
{
	expect_distinct(test, change_netns);
}

static void sipexpect_core_key_zone(struct kunit *test)
{
	expect_distinct(test, change_zone);
}

static void sipexpect_core_key_l3(struct kunit *test)
{
	expect_distinct(test, change_l3);
}

static void sipexpect_core_key_l4(struct kunit *test)
{
	expect_distinct(test, change_l4);
}

static void sipexpect_core_key_src_addr(struct kunit *test)
{
	expect_distinct(test, change_src);
}

static void sipexpect_core_key_dst_addr(struct kunit *test)
{
	expect_distinct(test, change_dst);
}

static void sipexpect_core_key_sport(struct kunit *test)
{
	expect_distinct(test, change_sport);
}

static void sipexpect_core_key_dport(struct kunit *test)
{
	expect_distinct(test, change_dport);
}

static void sipexpect_core_key_helper(struct kunit *test)
{
	expect_distinct(test, change_helper);
}

static void sipexpect_core_key_helper_last_byte(struct kunit *test)
{
	expect_distinct(test, change_helper_last);
}

/*
 * A name becomes key bytes: zero after its end whatever the source holds
 * there, and cut to leave room for the NUL.
 */
static void sipexpect_core_copy_name(struct kunit *test)
{
	static const char tail[SIPEXPECT_HELPER_NAME_LEN + 4] = "sip\0garbage-after";
	static const char want[SIPEXPECT_HELPER_NAME_LEN] = "sip";
	char dst[SIPEXPECT_HELPER_NAME_LEN];

	memset(dst, 0x5a, sizeof(dst));
	sipexpect_copy_name(dst, tail);
	KUNIT_EXPECT_EQ(test, memcmp(dst, want, sizeof(dst)), 0);
	sipexpect_copy_name(dst, "0123456789abcdefXYZ");
	KUNIT_EXPECT_EQ(test, dst[SIPEXPECT_HELPER_NAME_LEN - 1], 0);
	KUNIT_EXPECT_STREQ(test, dst, "0123456789abcde");
}

static void sipexpect_core_counter_lands_alone(struct kunit *test)
{
	struct sipexpect_key k = test_key(1);
	unsigned int c, i;

	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		struct sipexpect_table *t = test_table(test, 4);
		struct sipexpect_snapshot *snap;

		count(t, &k, c);
		snap = test_snapshot(test, t);
		/* Only something to act on earns a record. */
		KUNIT_ASSERT_EQ_MSG(test, snap->counts.nr_masters,
				    sipexpect_counter_is_normal(c) ? 0U : 1U,
				    "event %s",
				    sipexpect_counter_names[c]);
		for (i = 0; i < SIPEXPECT_NR_COUNTERS; i++) {
			u64 want = i == c ? 1 : 0;

			KUNIT_EXPECT_EQ_MSG(test, sipexpect_counter_is_normal(c) ?
					    snap->counts.evicted[i] :
					    snap->masters[0].counters[i],
					    want, "event %s, counter %s",
					    sipexpect_counter_names[c],
					    sipexpect_counter_names[i]);
			KUNIT_EXPECT_EQ_MSG(test, snap->counts.totals[i], want,
					    "event %s, total %s",
					    sipexpect_counter_names[c],
					    sipexpect_counter_names[i]);
		}
		sipexpect_snapshot_free(snap);
		sipexpect_table_destroy(t);
		test->priv = NULL;
	}
}

/* A delta of several counts (a dropped INVITE, staged) lands in one fold. */
static void sipexpect_core_counters_in_one_update(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 1);
	struct sipexpect_delta d = { .key = test_key(1), .stamp = 100 };
	struct sipexpect_delta other = { .key = test_key(2), .stamp = 101 };
	struct sipexpect_snapshot *snap;
	unsigned int c;

	sipexpect_delta_add(&d, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1);
	sipexpect_delta_add(&d, SIPEXPECT_MESSAGE_ALL_PORTS_SDP, 1);
	sipexpect_delta_add(&d, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	sipexpect_delta_add(&d, SIPEXPECT_DROPS_CONFIRMED, 1);
	sipexpect_delta_add(&d, SIPEXPECT_DROPS_CAUSE_TABLE_FULL, 1);
	sipexpect_delta_add(&other, SIPEXPECT_INSERT_OK, 2);
	sipexpect_delta_add(&other, SIPEXPECT_INSERT_FAIL_EXISTS, 1);
	sipexpect_table_fold(t, &d);
	sipexpect_table_fold(t, &d);
	/* At the bound: d's master is evicted, its counts move to evicted. */
	sipexpect_table_fold(t, &other);
	snap = test_snapshot(test, t);
	KUNIT_ASSERT_EQ(test, snap->nr, 1U);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, 1ULL);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		KUNIT_EXPECT_EQ_MSG(test, snap->masters[0].counters[c],
				    (u64)other.counts[c], "counter %s",
				    sipexpect_counter_names[c]);
		KUNIT_EXPECT_EQ_MSG(test, snap->counts.evicted[c],
				    2ULL * d.counts[c], "counter %s",
				    sipexpect_counter_names[c]);
		KUNIT_EXPECT_EQ_MSG(test, snap->counts.totals[c],
				    2ULL * d.counts[c] + other.counts[c],
				    "counter %s", sipexpect_counter_names[c]);
	}
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

/* A record's u32 count about to wrap moves to retired; the totals balance. */
static void sipexpect_core_record_count_wraps_to_retired(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 4);
	struct sipexpect_delta d = { .key = test_key(1), .stamp = 100 };
	const unsigned int c = SIPEXPECT_INSERT_FAIL_TABLE_FULL;
	struct sipexpect_snapshot *snap;
	struct sipexpect_master *m;

	sipexpect_delta_add(&d, c, 1);
	sipexpect_table_fold(t, &d);
	/* As if U32_MAX - 1 had been counted: the record and the total. */
	mutex_lock(&t->lock);
	m = sipexpect_lookup_locked(sipexpect_bucket(t, &d.key), &d.key);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->stats.counters[c] = U32_MAX - 1;
	t->counts.totals[c] = U32_MAX - 1;
	mutex_unlock(&t->lock);

	d.counts[c] = 5;
	sipexpect_table_fold(t, &d);
	snap = test_snapshot(test, t);
	KUNIT_ASSERT_EQ(test, snap->nr, 1U);
	KUNIT_EXPECT_EQ(test, snap->masters[0].counters[c], 5U);
	KUNIT_EXPECT_EQ(test, snap->counts.evicted[c], (u64)U32_MAX - 1);
	KUNIT_EXPECT_EQ(test, snap->counts.totals[c], (u64)U32_MAX + 4);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_insert_outcome(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sipexpect_insert_outcome(0), SIPEXPECT_INSERT_OK);
	KUNIT_EXPECT_EQ(test, sipexpect_insert_outcome(-EMFILE),
			SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	KUNIT_EXPECT_EQ(test, sipexpect_insert_outcome(-EBUSY),
			SIPEXPECT_INSERT_FAIL_CLASH);
	KUNIT_EXPECT_EQ(test, sipexpect_insert_outcome(-EALREADY),
			SIPEXPECT_INSERT_FAIL_EXISTS);
	/* Never seen (no helper, no master to name), but not lost either. */
	KUNIT_EXPECT_EQ(test, sipexpect_insert_outcome(-ESHUTDOWN),
			SIPEXPECT_INSERT_FAIL_OTHER);
	KUNIT_EXPECT_EQ(test, sipexpect_insert_outcome(-ENOMEM),
			SIPEXPECT_INSERT_FAIL_OTHER);
	KUNIT_EXPECT_EQ(test, sipexpect_insert_outcome(-EINVAL),
			SIPEXPECT_INSERT_FAIL_OTHER);
	KUNIT_EXPECT_EQ(test, sipexpect_insert_outcome(1),
			SIPEXPECT_INSERT_FAIL_OTHER);
}

static void sipexpect_core_drop_cause(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sipexpect_drop_cause(0),
			SIPEXPECT_DROPS_CAUSE_UNKNOWN);
	KUNIT_EXPECT_EQ(test, sipexpect_drop_cause(-EMFILE),
			SIPEXPECT_DROPS_CAUSE_TABLE_FULL);
	KUNIT_EXPECT_EQ(test, sipexpect_drop_cause(-EALREADY),
			SIPEXPECT_DROPS_CAUSE_EXISTS);
	KUNIT_EXPECT_EQ(test, sipexpect_drop_cause(-EBUSY),
			SIPEXPECT_DROPS_CAUSE_CLASH);
	KUNIT_EXPECT_EQ(test, sipexpect_drop_cause(-ENOMEM),
			SIPEXPECT_DROPS_CAUSE_OTHER);
	KUNIT_EXPECT_EQ(test, sipexpect_drop_cause(-EINVAL),
			SIPEXPECT_DROPS_CAUSE_OTHER);
}

static void sipexpect_core_counter_names(struct kunit *test)
{
	unsigned int c, d;

	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		KUNIT_ASSERT_NOT_NULL(test, sipexpect_counter_names[c]);
		for (d = 0; d < c; d++)
			KUNIT_EXPECT_STRNEQ(test, sipexpect_counter_names[c],
					    sipexpect_counter_names[d]);
	}
	/* The cause and message names are their counters' names, unprefixed. */
	for (c = SIPEXPECT_FIRST_CAUSE; c <= SIPEXPECT_LAST_CAUSE; c++)
		KUNIT_EXPECT_TRUE(test, strstarts(sipexpect_counter_names[c],
						  "drops_cause_"));
	for (c = SIPEXPECT_FIRST_MESSAGE; c <= SIPEXPECT_LAST_MESSAGE; c++)
		KUNIT_EXPECT_TRUE(test, strstarts(sipexpect_counter_names[c],
						  "helper_drop_"));
}

static void sipexpect_core_fill_on_failure_only(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 4);
	struct sipexpect_delta fail = {
		.key = test_key(1), .stamp = 1000, .has_fill = true,
		.fill = { .count = 4, .max = 4 },
	};
	struct sipexpect_delta ok = { .key = test_key(1), .stamp = 1001 };
	struct sipexpect_snapshot *snap;

	sipexpect_delta_add(&fail, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1);
	sipexpect_delta_add(&ok, SIPEXPECT_INSERT_OK, 1);
	sipexpect_table_fold(t, &fail);
	sipexpect_table_fold(t, &ok);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->masters[0].last_fail_fill.count, 4U);
	KUNIT_EXPECT_EQ(test, snap->masters[0].last_fail_fill.max, 4U);
	sipexpect_snapshot_free(snap);
}

/* CPUs' deltas fold in any order: the latest failure's fill, and seen time, win. */
static void sipexpect_core_latest_stamp_wins(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 4);
	struct sipexpect_delta newer = {
		.key = test_key(1), .stamp = 2000, .has_fill = true,
		.fill = { .count = 7, .max = 8 },
	};
	struct sipexpect_delta older;
	struct sipexpect_snapshot *snap;

	sipexpect_delta_add(&newer, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1);	/* its fill's */
	older = newer;
	older.stamp = 1500;
	older.fill.count = 3;
	sipexpect_table_fold(t, &newer);
	sipexpect_table_fold(t, &older);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->masters[0].last_fail_fill.count, 7U);
	KUNIT_EXPECT_EQ(test, snap->masters[0].last_seen, 2000ULL);
	KUNIT_EXPECT_EQ(test, snap->masters[0].first_seen, 2000ULL);
	sipexpect_snapshot_free(snap);
}

/* A fold of events nobody could stage: in the totals and in lost only. */
static void sipexpect_core_fold_lost(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 4);
	u64 lost[SIPEXPECT_NR_COUNTERS] = {};
	struct sipexpect_snapshot *snap;

	lost[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 5;
	lost[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 2;
	count(t, &(struct sipexpect_key){ .netns = 1 }, SIPEXPECT_INSERT_FAIL_OTHER);
	sipexpect_table_fold_lost(t, lost);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->nr, 1U);
	KUNIT_EXPECT_EQ(test, snap->counts.lost[SIPEXPECT_INSERT_FAIL_TABLE_FULL], 5ULL);
	KUNIT_EXPECT_EQ(test, snap->counts.totals[SIPEXPECT_DROPS_CAUSE_TABLE_FULL], 2ULL);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_seen_times(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 4);
	struct sipexpect_key k = test_key(1);
	struct sipexpect_snapshot *snap;
	u64 before = get_jiffies_64();

	count(t, &k, SIPEXPECT_INSERT_FAIL_CLASH);
	msleep(50);
	count(t, &k, SIPEXPECT_INSERT_FAIL_CLASH);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_GE(test, snap->masters[0].first_seen, before);
	KUNIT_EXPECT_GT(test, snap->masters[0].last_seen,
			snap->masters[0].first_seen);
	KUNIT_EXPECT_LE(test, snap->masters[0].last_seen, get_jiffies_64());
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_bound_exact(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 8);
	struct sipexpect_snapshot *snap;
	unsigned int i;

	for (i = 0; i < 100; i++) {
		struct sipexpect_key k = test_key(i);

		count(t, &k, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
		KUNIT_ASSERT_LE(test, t->counts.nr_masters, 8U);
	}
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 8U);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)92);
	/* The survivors are the 8 newest. */
	for (i = 92; i < 100; i++) {
		struct sipexpect_key k = test_key(i);

		KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &k));
	}
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_evicts_least_recently_updated(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 3);
	struct sipexpect_key a = test_key(1), b = test_key(2);
	struct sipexpect_key c = test_key(3), d = test_key(4);
	struct sipexpect_snapshot *snap;

	count(t, &a, SIPEXPECT_INSERT_FAIL_CLASH);
	count(t, &b, SIPEXPECT_INSERT_FAIL_CLASH);
	count(t, &c, SIPEXPECT_INSERT_FAIL_CLASH);
	count(t, &a, SIPEXPECT_INSERT_OK);	/* b is now the oldest */
	count(t, &d, SIPEXPECT_INSERT_FAIL_CLASH);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 3U);
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &a));
	KUNIT_EXPECT_NULL(test, find_master(snap, &b));
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &c));
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &d));
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)1);
	KUNIT_EXPECT_EQ(test, snap->counts.evicted[SIPEXPECT_INSERT_FAIL_CLASH],
			(u64)1);
	sipexpect_snapshot_free(snap);
}

/*
 * At the bound, the normal end of an evicted master's expectations (its
 * BYE, conntrack -F) pushes no record out; a lost one does.
 */
static void sipexpect_core_bound_normal_end_retired(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 2);
	struct sipexpect_key a = test_key(1), b = test_key(2);
	struct sipexpect_key c = test_key(3);
	struct sipexpect_snapshot *snap;
	int r;

	count(t, &a, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	count(t, &b, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	count(t, &c, SIPEXPECT_INSERT_FAIL_TABLE_FULL);	/* a is evicted */
	for (r = SIPEXPECT_FIRST_REMOVED; r < SIPEXPECT_FIRST_LOST; r++)
		count(t, &a, r);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)1);
	KUNIT_EXPECT_NULL(test, find_master(snap, &a));
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &b));
	for (r = SIPEXPECT_FIRST_REMOVED; r < SIPEXPECT_FIRST_LOST; r++) {
		KUNIT_EXPECT_EQ(test, snap->counts.totals[r], (u64)1);
		KUNIT_EXPECT_EQ(test, snap->counts.evicted[r], (u64)1);
		KUNIT_EXPECT_EQ(test, snap->counts.lost[r], (u64)0);
	}
	sipexpect_snapshot_free(snap);

	/* A flushed expectation is worth a record: b makes room for it. */
	count(t, &a, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)2);
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &a));
	KUNIT_EXPECT_NULL(test, find_master(snap, &b));
	sipexpect_snapshot_free(snap);
}

/*
 * Below the bound too, good inserts and normal ends earn no record: they
 * count as retired until the master has something to act on, and in its
 * record from then on.
 */
static void sipexpect_core_normal_events_earn_no_record(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 2);
	struct sipexpect_key a = test_key(1);
	struct sipexpect_snapshot *snap;
	int r;

	count(t, &a, SIPEXPECT_INSERT_OK);
	for (r = SIPEXPECT_FIRST_REMOVED; r < SIPEXPECT_FIRST_LOST; r++)
		count(t, &a, r);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 0U);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)0);
	KUNIT_EXPECT_EQ(test, snap->counts.evicted[SIPEXPECT_INSERT_OK], (u64)1);
	KUNIT_EXPECT_EQ(test, snap->counts.evicted[SIPEXPECT_REMOVED_USED], (u64)1);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);

	count(t, &a, SIPEXPECT_REMOVED_EXPIRED_UNUSED);
	count(t, &a, SIPEXPECT_INSERT_OK);
	snap = test_snapshot(test, t);
	KUNIT_ASSERT_EQ(test, snap->counts.nr_masters, 1U);
	KUNIT_EXPECT_EQ(test, snap->masters[0].counters[SIPEXPECT_INSERT_OK], (u64)1);
	KUNIT_EXPECT_EQ(test,
			snap->masters[0].counters[SIPEXPECT_REMOVED_EXPIRED_UNUSED],
			(u64)1);
	KUNIT_EXPECT_EQ(test, snap->counts.totals[SIPEXPECT_INSERT_OK], (u64)2);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_totals_balance(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 5);
	struct sipexpect_snapshot *snap;
	u32 state = 12345;
	unsigned int i, c;
	u64 sent[SIPEXPECT_NR_COUNTERS] = {};

	for (i = 0; i < 2000; i++) {
		struct sipexpect_key k;

		state = state * 1103515245 + 12345;	/* deterministic LCG */
		k = test_key((state >> 16) % 20);
		c = (state >> 8) % SIPEXPECT_NR_COUNTERS;
		count(t, &k, c);
		sent[c]++;
	}
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 5U);
	KUNIT_EXPECT_GT(test, snap->counts.masters_evicted, (u64)0);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		KUNIT_EXPECT_EQ(test, snap->counts.totals[c], sent[c]);
		KUNIT_EXPECT_EQ(test, snap->counts.lost[c], (u64)0);
	}
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

/* The records-free take reports exactly what a full snapshot does. */
static void sipexpect_core_totals_take_matches_snapshot(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 4);
	struct sipexpect_snapshot *snap;
	struct sipexpect_totals counts;
	struct sipexpect_key k;
	u32 i;

	for (i = 0; i < 10; i++) {
		k = test_key(i);
		count(t, &k, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
		count(t, &k, SIPEXPECT_MESSAGE_ALL_PORTS_SDP);
	}
	sipexpect_table_forget_netns(t, k.netns);
	sipexpect_totals_take(t, &counts);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, memcmp(&counts, &snap->counts, sizeof(counts)), 0);
	KUNIT_EXPECT_EQ(test, counts.nr_masters, snap->counts.nr_masters);
	KUNIT_EXPECT_EQ(test, counts.totals[SIPEXPECT_INSERT_FAIL_TABLE_FULL],
			(u64)10);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_evicted_master_starts_fresh(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 1);
	struct sipexpect_key a = test_key(1), b = test_key(2);
	struct sipexpect_snapshot *snap;

	count(t, &a, SIPEXPECT_INSERT_FAIL_CLASH);
	count(t, &b, SIPEXPECT_INSERT_FAIL_EXISTS);
	count(t, &a, SIPEXPECT_INSERT_FAIL_EXISTS);
	snap = test_snapshot(test, t);
	KUNIT_ASSERT_EQ(test, snap->counts.nr_masters, 1U);
	KUNIT_EXPECT_EQ(test, snap->masters[0].counters[SIPEXPECT_INSERT_FAIL_CLASH],
			(u64)0);
	KUNIT_EXPECT_EQ(test, snap->counts.totals[SIPEXPECT_INSERT_FAIL_CLASH], (u64)1);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)2);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_snapshot_most_failures_first(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 8);
	struct sipexpect_key k[4], dropped = test_key(9);
	struct sipexpect_snapshot *snap;
	unsigned int i, j;

	for (i = 0; i < 4; i++)
		k[i] = test_key(i);
	/* k[i] fails i + 1 times, spread over kinds; k[0] also succeeds a lot. */
	for (i = 0; i < 4; i++)
		for (j = 0; j <= i; j++)
			count(t, &k[i], j % 2 ? SIPEXPECT_INSERT_FAIL_CLASH :
						SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	for (j = 0; j < 50; j++)
		count(t, &k[0], SIPEXPECT_INSERT_OK);
	count(t, &k[0], SIPEXPECT_INSERT_OK);	/* most recent, fewest failures */
	/* One dropped packet outranks any number of tolerated failures. */
	count(t, &dropped, SIPEXPECT_DROPS_CAUSE_EXISTS);
	snap = test_snapshot(test, t);
	KUNIT_ASSERT_EQ(test, snap->nr, 5U);
	KUNIT_EXPECT_EQ(test, memcmp(&snap->masters[0].key, &dropped,
				     sizeof(dropped)), 0);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, memcmp(&snap->masters[i + 1].key, &k[3 - i],
					     sizeof(k[0])), 0);
		KUNIT_EXPECT_EQ(test, sipexpect_failures(&snap->masters[i + 1]),
				(u64)(4 - i));
	}
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_snapshot_ties_most_recent_first(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 8);
	struct sipexpect_key a = test_key(1), b = test_key(2);
	struct sipexpect_snapshot *snap;

	count(t, &a, SIPEXPECT_INSERT_FAIL_EXISTS);
	count(t, &b, SIPEXPECT_INSERT_FAIL_EXISTS);
	msleep(50);
	count(t, &a, SIPEXPECT_INSERT_OK);
	snap = test_snapshot(test, t);
	KUNIT_ASSERT_EQ(test, snap->counts.nr_masters, 2U);
	KUNIT_EXPECT_EQ(test, memcmp(&snap->masters[0].key, &a, sizeof(a)), 0);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_param_accepts(struct kunit *test)
{
	unsigned int v = 0;

	KUNIT_EXPECT_EQ(test, sipexpect_parse_max_masters("1", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1U);
	KUNIT_EXPECT_EQ(test, sipexpect_parse_max_masters("4096\n", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 4096U);
	KUNIT_EXPECT_EQ(test, sipexpect_parse_max_masters("65536", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 65536U);
	KUNIT_EXPECT_EQ(test, sipexpect_parse_max_masters("0x100", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 256U);
}

static void sipexpect_core_param_rejects(struct kunit *test)
{
	static const char * const bad[] = {
		"0", "65537", "-1", "", "\n", "abc", "12abc", "4096 4096",
		"99999999999999999999", "\x01\xff\x80", "1.5",
	};
	unsigned int i, v = 777;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, sipexpect_parse_max_masters(bad[i], &v),
				    -EINVAL, "input #%u", i);
	KUNIT_EXPECT_EQ(test, sipexpect_parse_max_masters(NULL, &v), -EINVAL);
	/* A refused value leaves the old one in place. */
	KUNIT_EXPECT_EQ(test, v, 777U);
}

static void sipexpect_core_init_rejects_bad_bound(struct kunit *test)
{
	struct sipexpect_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	KUNIT_EXPECT_EQ(test, sipexpect_table_init(t, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, sipexpect_table_init(t, SIPEXPECT_MAX_MASTERS_MAX + 1),
			-EINVAL);
}

static void sipexpect_core_reset_clears(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 2);
	struct sipexpect_snapshot *snap;
	unsigned int i, c;

	for (i = 0; i < 10; i++) {
		struct sipexpect_key k = test_key(i);

		count(t, &k, i % SIPEXPECT_NR_COUNTERS);
	}
	sipexpect_table_reset(t);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 0U);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)0);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		KUNIT_EXPECT_EQ(test, snap->counts.totals[c], (u64)0);
		KUNIT_EXPECT_EQ(test, snap->counts.evicted[c], (u64)0);
	}
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_reset_then_reuse(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 2);
	struct sipexpect_key a = test_key(1), b = test_key(2);
	struct sipexpect_key c = test_key(3);
	struct sipexpect_snapshot *snap;

	count(t, &a, SIPEXPECT_INSERT_OK);
	count(t, &b, SIPEXPECT_INSERT_OK);
	sipexpect_table_reset(t);
	count(t, &a, SIPEXPECT_INSERT_FAIL_OTHER);
	count(t, &b, SIPEXPECT_INSERT_FAIL_OTHER);
	count(t, &c, SIPEXPECT_INSERT_FAIL_OTHER);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 2U);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)1);
	KUNIT_EXPECT_EQ(test, snap->counts.totals[SIPEXPECT_INSERT_OK], (u64)0);
	KUNIT_EXPECT_EQ(test, snap->counts.totals[SIPEXPECT_INSERT_FAIL_OTHER], (u64)3);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_forget_netns(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 8);
	struct sipexpect_key a = test_key(1), b = test_key(2), c = test_key(3);
	struct sipexpect_snapshot *snap;

	b.netns = TEST_NETNS + 1;
	c.netns = TEST_NETNS + 1;
	count(t, &a, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	count(t, &b, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	count(t, &c, SIPEXPECT_MESSAGE_ALL_PORTS_SDP);
	KUNIT_EXPECT_EQ(test, sipexpect_table_forget_netns(t, TEST_NETNS + 1), 2U);
	KUNIT_EXPECT_EQ(test, sipexpect_table_forget_netns(t, TEST_NETNS + 7), 0U);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 1U);
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &a));
	KUNIT_EXPECT_EQ(test, snap->counts.masters_netns_gone, (u64)2);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)0);
	KUNIT_EXPECT_EQ(test, snap->counts.totals[SIPEXPECT_INSERT_FAIL_TABLE_FULL], (u64)2);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
	/* The freed slots are usable again, the bound still holds. */
	count(t, &b, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	KUNIT_EXPECT_EQ(test, t->counts.nr_masters, 2U);
}

/* A batch of netns torn down together: one pass forgets them all. */
static void sipexpect_core_forget_netns_batch(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 16);
	struct sipexpect_snapshot *snap;
	struct sipexpect_key k;
	u32 gone[] = { TEST_NETNS + 9, TEST_NETNS + 2, TEST_NETNS + 5 };
	unsigned int i;

	for (i = 0; i < 10; i++) {
		k = test_key(i);
		k.netns = TEST_NETNS + i;
		count(t, &k, SIPEXPECT_INSERT_FAIL_TABLE_FULL);
	}
	sipexpect_sort_netns(gone, ARRAY_SIZE(gone));
	KUNIT_EXPECT_EQ(test, gone[0], TEST_NETNS + 2);
	KUNIT_EXPECT_EQ(test, sipexpect_table_forget_netns_set(t, gone,
							       ARRAY_SIZE(gone)),
			3U);
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 7U);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_netns_gone, (u64)3);
	for (i = 0; i < 10; i++) {
		k = test_key(i);
		k.netns = TEST_NETNS + i;
		KUNIT_EXPECT_EQ_MSG(test, !find_master(snap, &k),
				    i == 2 || i == 5 || i == 9, "netns +%u", i);
	}
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

/* Concurrency: writers on every CPU at once, counts must stay exact. */
#define HAMMER_UPDATES	100000

struct hammer {
	struct sipexpect_table *table;
	struct completion *go;
	struct completion done;
	struct task_struct *task;
	unsigned int first_key;
	unsigned int nr_keys;
};

static int hammer_fn(void *data)
{
	struct hammer *h = data;
	unsigned int i;

	wait_for_completion(h->go);
	for (i = 0; i < HAMMER_UPDATES; i++) {
		struct sipexpect_key k = test_key(h->first_key + i % h->nr_keys);

		count(h->table, &k, i % SIPEXPECT_NR_COUNTERS);
	}
	complete(&h->done);
	/* Return only when told, so kthread_stop() never races our exit. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void run_hammers(struct kunit *test, struct sipexpect_table *t,
			struct hammer *h, unsigned int n)
{
	DECLARE_COMPLETION_ONSTACK(go);
	unsigned int i;

	for (i = 0; i < n; i++) {
		h[i].table = t;
		h[i].go = &go;
		init_completion(&h[i].done);
		h[i].task = kthread_run(hammer_fn, &h[i], "sipexpect_hammer%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(h[i].task));
	}
	complete_all(&go);
	for (i = 0; i < n; i++) {
		wait_for_completion(&h[i].done);
		kthread_stop(h[i].task);
	}
}

static u64 expected_per_counter(unsigned int c)
{
	return HAMMER_UPDATES / SIPEXPECT_NR_COUNTERS +
	       (c < HAMMER_UPDATES % SIPEXPECT_NR_COUNTERS ? 1 : 0);
}

static void sipexpect_core_concurrent_shared_keys(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 64);
	struct hammer h[3] = {};
	struct sipexpect_snapshot *snap;
	unsigned int i, c;

	/* All threads hit the same 8 records: maximum contention. */
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i].first_key = 0;
		h[i].nr_keys = 8;
	}
	run_hammers(test, t, h, ARRAY_SIZE(h));
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 8U);
	KUNIT_EXPECT_EQ(test, snap->counts.masters_evicted, (u64)0);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		KUNIT_EXPECT_EQ_MSG(test, snap->counts.totals[c],
				    ARRAY_SIZE(h) * expected_per_counter(c),
				    "counter %s", sipexpect_counter_names[c]);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_core_concurrent_eviction(struct kunit *test)
{
	struct sipexpect_table *t = test_table(test, 32);
	struct hammer h[2] = {};
	struct sipexpect_snapshot *snap;
	unsigned int i, c;
	u64 all = 0;

	/* Disjoint key ranges, far more keys than records: constant eviction. */
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		h[i].first_key = i * 1000;
		h[i].nr_keys = 997;
	}
	run_hammers(test, t, h, ARRAY_SIZE(h));
	snap = test_snapshot(test, t);
	KUNIT_EXPECT_EQ(test, snap->counts.nr_masters, 32U);
	KUNIT_EXPECT_GT(test, snap->counts.masters_evicted, (u64)1000);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		KUNIT_EXPECT_EQ(test, snap->counts.totals[c],
				ARRAY_SIZE(h) * expected_per_counter(c));
		all += snap->counts.totals[c];
	}
	KUNIT_EXPECT_EQ(test, all, (u64)ARRAY_SIZE(h) * HAMMER_UPDATES);
	expect_totals_balance(test, snap);
	sipexpect_snapshot_free(snap);
}

static struct kunit_case sipexpect_core_cases[] = {
	KUNIT_CASE(sipexpect_core_same_key_one_record),
	KUNIT_CASE(sipexpect_core_key_netns),
	KUNIT_CASE(sipexpect_core_key_zone),
	KUNIT_CASE(sipexpect_core_key_l3),
	KUNIT_CASE(sipexpect_core_key_l4),
	KUNIT_CASE(sipexpect_core_key_src_addr),
	KUNIT_CASE(sipexpect_core_key_dst_addr),
	KUNIT_CASE(sipexpect_core_key_sport),
	KUNIT_CASE(sipexpect_core_key_dport),
	KUNIT_CASE(sipexpect_core_key_helper),
	KUNIT_CASE(sipexpect_core_key_helper_last_byte),
	KUNIT_CASE(sipexpect_core_copy_name),
	KUNIT_CASE(sipexpect_core_counter_lands_alone),
	KUNIT_CASE(sipexpect_core_counters_in_one_update),
	KUNIT_CASE(sipexpect_core_record_count_wraps_to_retired),
	KUNIT_CASE(sipexpect_core_insert_outcome),
	KUNIT_CASE(sipexpect_core_drop_cause),
	KUNIT_CASE(sipexpect_core_counter_names),
	KUNIT_CASE(sipexpect_core_fill_on_failure_only),
	KUNIT_CASE(sipexpect_core_latest_stamp_wins),
	KUNIT_CASE(sipexpect_core_fold_lost),
	KUNIT_CASE(sipexpect_core_bound_normal_end_retired),
	KUNIT_CASE(sipexpect_core_normal_events_earn_no_record),
	KUNIT_CASE(sipexpect_core_seen_times),
	KUNIT_CASE(sipexpect_core_bound_exact),
	KUNIT_CASE(sipexpect_core_evicts_least_recently_updated),
	KUNIT_CASE(sipexpect_core_totals_balance),
	KUNIT_CASE(sipexpect_core_totals_take_matches_snapshot),
	KUNIT_CASE(sipexpect_core_evicted_master_starts_fresh),
	KUNIT_CASE(sipexpect_core_snapshot_most_failures_first),
	KUNIT_CASE(sipexpect_core_snapshot_ties_most_recent_first),
	KUNIT_CASE(sipexpect_core_param_accepts),
	KUNIT_CASE(sipexpect_core_param_rejects),
	KUNIT_CASE(sipexpect_core_init_rejects_bad_bound),
	KUNIT_CASE(sipexpect_core_reset_clears),
	KUNIT_CASE(sipexpect_core_reset_then_reuse),
	KUNIT_CASE(sipexpect_core_forget_netns),
	KUNIT_CASE(sipexpect_core_forget_netns_batch),
	KUNIT_CASE(sipexpect_core_concurrent_shared_keys),
	KUNIT_CASE(sipexpect_core_concurrent_eviction),
	{}
};

static struct kunit_suite sipexpect_core_suite = {
	.name = "sipexpect_core",
	.init = sipexpect_core_init,
	.exit = sipexpect_core_exit,
	.test_cases = sipexpect_core_cases,
};

kunit_test_suite(sipexpect_core_suite);

MODULE_DESCRIPTION("KUnit tests for the sipexpect accounting core");
MODULE_LICENSE("GPL");
