// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_stage: the per-CPU staging between the probe
 * handlers and the master tables, driven directly.
 *
 * Each case sets up a stage of its own, folding into two tables of its own.
 * A case that looks into one CPU's buffer pins its thread (KUnit runs each
 * case in a kthread of its own) to that CPU first: the buffers are per CPU,
 * and only this case's calls touch this stage.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/overflow.h>
#include <linux/sched.h>

#include "../module/stage.c"
#include "test_key.h"

static struct sipexpect_key sip_key(u32 n)
{
	return test_key_of(n, "sip");
}

/* Even masters are SIP, odd ones another helper's: the other table. */
static struct sipexpect_key mixed_key(u32 n)
{
	return test_key_of(n, n % 2 ? "ftp" : "sip");
}

struct stage_ctx {
	struct sipexpect_table sip;
	struct sipexpect_table other;
	struct sipexpect_stage st;
	bool st_ready;
};

static struct stage_ctx *stage_ctx(struct kunit *test, unsigned int sip_max,
				   unsigned int other_max)
{
	struct stage_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	test->priv = ctx;	/* torn down by stage_test_exit() */
	KUNIT_ASSERT_EQ(test, sipexpect_table_init(&ctx->sip, sip_max), 0);
	KUNIT_ASSERT_EQ(test, sipexpect_table_init(&ctx->other, other_max), 0);
	KUNIT_ASSERT_EQ(test, sipexpect_stage_init(&ctx->st, &ctx->sip,
						   &ctx->other), 0);
	ctx->st_ready = true;
	return ctx;
}

static int stage_test_init(struct kunit *test)
{
	test->priv = NULL;
	return 0;
}

static void stage_test_exit(struct kunit *test)
{
	struct stage_ctx *ctx = test->priv;

	if (!ctx)
		return;
	if (ctx->st_ready)
		sipexpect_stage_exit(&ctx->st);
	/* Zeroed or initialised: destroy copes with both. */
	sipexpect_table_destroy(&ctx->other);
	sipexpect_table_destroy(&ctx->sip);
}

/* What a probe handler does: interrupts off around the add. */
static bool stage_add(struct sipexpect_stage *st, const struct sipexpect_key *k,
		      enum sipexpect_counter c, unsigned int n,
		      const struct sipexpect_fill *fill)
{
	unsigned long flags;
	bool kick;

	local_irq_save(flags);
	kick = __sipexpect_stage_add(st, k, c, n, fill);
	local_irq_restore(flags);
	return kick;
}

/* The rest of the case runs on @cpu only; returns its staging state. */
static struct sipexpect_stage_cpu *pin_cpu(struct kunit *test,
					   struct stage_ctx *ctx,
					   unsigned int cpu)
{
	struct sipexpect_stage_cpu *c;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)),
			0);
	KUNIT_ASSERT_EQ(test, (unsigned int)raw_smp_processor_id(), cpu);
	c = per_cpu_ptr(ctx->st.cpu, cpu);
	KUNIT_ASSERT_NOT_NULL(test, c->active);
	return c;
}

static struct sipexpect_stage_cpu *pin_here(struct kunit *test,
					    struct stage_ctx *ctx)
{
	return pin_cpu(test, ctx, raw_smp_processor_id());
}

static struct sipexpect_snapshot *test_snapshot(struct kunit *test,
						struct sipexpect_table *t)
{
	struct sipexpect_snapshot *snap = sipexpect_snapshot_take(t);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, snap);
	KUNIT_ASSERT_EQ(test, snap->nr, snap->counts.nr_masters);
	return snap;
}

static const struct sipexpect_master_stats *
find_master(const struct sipexpect_snapshot *snap,
	    const struct sipexpect_key *k)
{
	unsigned int i;

	for (i = 0; i < snap->nr; i++)
		if (sipexpect_key_eq(&snap->masters[i].key, k))
			return &snap->masters[i];
	return NULL;
}

static void expect_counters(struct kunit *test, const char *what,
			    const u64 *got, const u64 *want)
{
	unsigned int c;

	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		KUNIT_EXPECT_EQ_MSG(test, got[c], want[c], "%s, counter %s",
				    what, sipexpect_counter_names[c]);
}

static void expect_master(struct kunit *test,
			  const struct sipexpect_snapshot *snap,
			  const struct sipexpect_key *k, const u64 *want)
{
	const struct sipexpect_master_stats *m = find_master(snap, k);
	unsigned int c;

	KUNIT_ASSERT_NOT_NULL(test, m);
	/* A record's counters are u32 (core.h). */
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		KUNIT_EXPECT_EQ_MSG(test, (u64)m->counters[c], want[c],
				    "master, counter %s",
				    sipexpect_counter_names[c]);
}

/* Every count is in a live record, an evicted one, or lost: nowhere else. */
static void expect_totals_balance(struct kunit *test,
				  const struct sipexpect_snapshot *snap)
{
	unsigned int i, c;

	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
		u64 sum = snap->counts.evicted[c] + snap->counts.lost[c];

		for (i = 0; i < snap->nr; i++)
			sum += snap->masters[i].counters[c];
		KUNIT_EXPECT_EQ_MSG(test, snap->counts.totals[c], sum,
				    "counter %s", sipexpect_counter_names[c]);
	}
}

/* Both tables: totals exactly @want ([0] SIP, [1] other), and balanced. */
static void expect_tables(struct kunit *test, struct stage_ctx *ctx,
			  u64 want[2][SIPEXPECT_NR_COUNTERS])
{
	struct sipexpect_table *t[2] = { &ctx->sip, &ctx->other };
	struct sipexpect_snapshot *snap;
	unsigned int side;

	for (side = 0; side < 2; side++) {
		snap = test_snapshot(test, t[side]);
		expect_counters(test, side ? "other table" : "SIP table",
				snap->counts.totals, want[side]);
		expect_totals_balance(test, snap);
		sipexpect_snapshot_free(snap);
	}
}

/* What the bigger cases keep: too much for a kernel stack frame. */
struct stage_vars {
	u64 want[2][SIPEXPECT_NR_COUNTERS];	/* [0] SIP, [1] other */
	u64 lost[2][SIPEXPECT_NR_COUNTERS];
	struct sipexpect_totals t[2];
};

static struct stage_vars *stage_vars(struct kunit *test)
{
	struct stage_vars *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, v);
	return v;
}

/* All of one staged entry's counts. */
static u64 entry_sum(const struct sipexpect_delta *d)
{
	unsigned int c;
	u64 sum = 0;

	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		sum += d->counts[c];
	return sum;
}

static void sipexpect_stage_merges_same_key(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 16, 16);
	struct sipexpect_stage_cpu *c = pin_here(test, ctx);
	struct sipexpect_fill fill = { .count = 5, .max = 8 };
	struct sipexpect_key a = sip_key(1), b = sip_key(2);
	u64 want_a[SIPEXPECT_NR_COUNTERS] = {};
	u64 want_b[SIPEXPECT_NR_COUNTERS] = {};
	struct sipexpect_snapshot *snap;

	/* A dropped INVITE: its inserts, the helper's line, the cause. */
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_OK, 2, NULL);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1, &fill);
	stage_add(&ctx->st, &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP, 1, NULL);
	stage_add(&ctx->st, &a, SIPEXPECT_DROPS_CAUSE_TABLE_FULL, 1, NULL);
	KUNIT_EXPECT_TRUE(test, c->open_used);
	KUNIT_EXPECT_EQ(test, c->active->nr, 0U);
	KUNIT_EXPECT_TRUE(test, sipexpect_key_eq(&c->open->key, &a));
	KUNIT_EXPECT_EQ(test, c->open->counts[SIPEXPECT_INSERT_OK], 2U);
	KUNIT_EXPECT_EQ(test, entry_sum(c->open), 5ULL);

	/* Another master: a's entry goes into the buffer, whole. */
	stage_add(&ctx->st, &b, SIPEXPECT_INSERT_FAIL_CLASH, 1, NULL);
	KUNIT_ASSERT_EQ(test, c->active->nr, 1U);
	KUNIT_EXPECT_TRUE(test, sipexpect_key_eq(&c->active->d[0].key, &a));
	KUNIT_EXPECT_EQ(test, entry_sum(&c->active->d[0]), 5ULL);
	KUNIT_EXPECT_EQ(test,
			c->active->d[0].counts[SIPEXPECT_DROPS_CAUSE_TABLE_FULL],
			1U);
	KUNIT_EXPECT_TRUE(test, sipexpect_key_eq(&c->open->key, &b));

	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_FALSE(test, c->open_used);
	KUNIT_EXPECT_EQ(test, c->active->nr, 0U);
	KUNIT_EXPECT_EQ(test, ctx->st.entries_lost, 0ULL);

	want_a[SIPEXPECT_INSERT_OK] = 2;
	want_a[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want_a[SIPEXPECT_MESSAGE_ALL_PORTS_SDP] = 1;
	want_a[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	want_b[SIPEXPECT_INSERT_FAIL_CLASH] = 1;
	snap = test_snapshot(test, &ctx->sip);
	KUNIT_EXPECT_EQ(test, snap->nr, 2U);
	expect_master(test, snap, &a, want_a);
	expect_master(test, snap, &b, want_b);
	sipexpect_snapshot_free(snap);
	snap = test_snapshot(test, &ctx->other);
	KUNIT_EXPECT_EQ(test, snap->nr, 0U);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_stage_new_key_new_entry(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 16, 16);
	struct sipexpect_stage_cpu *c = pin_here(test, ctx);
	struct sipexpect_key a = sip_key(1), b = sip_key(2);
	u64 want_a[SIPEXPECT_NR_COUNTERS] = {};
	u64 want_b[SIPEXPECT_NR_COUNTERS] = {};
	struct sipexpect_snapshot *snap;

	/* Only consecutive events merge: a, b, a a, b is four entries. */
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_EXISTS, 1, NULL);
	stage_add(&ctx->st, &b, SIPEXPECT_INSERT_FAIL_EXISTS, 1, NULL);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_EXISTS, 1, NULL);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_CLASH, 1, NULL);
	stage_add(&ctx->st, &b, SIPEXPECT_INSERT_FAIL_EXISTS, 1, NULL);
	KUNIT_ASSERT_EQ(test, c->active->nr, 3U);
	KUNIT_EXPECT_TRUE(test, sipexpect_key_eq(&c->active->d[0].key, &a));
	KUNIT_EXPECT_TRUE(test, sipexpect_key_eq(&c->active->d[1].key, &b));
	KUNIT_EXPECT_TRUE(test, sipexpect_key_eq(&c->active->d[2].key, &a));
	KUNIT_EXPECT_EQ(test, entry_sum(&c->active->d[0]), 1ULL);
	KUNIT_EXPECT_EQ(test, entry_sum(&c->active->d[1]), 1ULL);
	KUNIT_EXPECT_EQ(test, entry_sum(&c->active->d[2]), 2ULL);
	KUNIT_EXPECT_TRUE(test, c->open_used);
	KUNIT_EXPECT_TRUE(test, sipexpect_key_eq(&c->open->key, &b));

	sipexpect_stage_drain(&ctx->st);
	want_a[SIPEXPECT_INSERT_FAIL_EXISTS] = 2;
	want_a[SIPEXPECT_INSERT_FAIL_CLASH] = 1;
	want_b[SIPEXPECT_INSERT_FAIL_EXISTS] = 2;
	snap = test_snapshot(test, &ctx->sip);
	KUNIT_EXPECT_EQ(test, snap->nr, 2U);
	expect_master(test, snap, &a, want_a);
	expect_master(test, snap, &b, want_b);
	KUNIT_EXPECT_EQ(test, snap->counts.totals[SIPEXPECT_INSERT_FAIL_EXISTS],
			4ULL);
	sipexpect_snapshot_free(snap);
}

static void sipexpect_stage_sip_and_other(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 16, 16);
	struct sipexpect_key s1 = sip_key(1), s2 = sip_key(2);
	struct sipexpect_key ftp = test_key_of(3, "ftp");
	struct sipexpect_key h323 = test_key_of(4, "h323");
	struct sipexpect_key sipish = test_key_of(5, "sip-5060");
	u64 want[2][SIPEXPECT_NR_COUNTERS] = {};
	struct sipexpect_snapshot *snap;

	stage_add(&ctx->st, &s1, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1, NULL);
	stage_add(&ctx->st, &ftp, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1, NULL);
	stage_add(&ctx->st, &s2, SIPEXPECT_INSERT_FAIL_OTHER, 2, NULL);
	stage_add(&ctx->st, &h323, SIPEXPECT_INSERT_FAIL_OTHER, 3, NULL);
	/* A helper merely named like sip is not the SIP helper. */
	stage_add(&ctx->st, &sipish, SIPEXPECT_MESSAGE_OTHER, 1, NULL);
	sipexpect_stage_drain(&ctx->st);

	want[0][SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[0][SIPEXPECT_INSERT_FAIL_OTHER] = 2;
	want[1][SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[1][SIPEXPECT_INSERT_FAIL_OTHER] = 3;
	want[1][SIPEXPECT_MESSAGE_OTHER] = 1;
	expect_tables(test, ctx, want);

	snap = test_snapshot(test, &ctx->sip);
	KUNIT_EXPECT_EQ(test, snap->nr, 2U);
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &s1));
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &s2));
	sipexpect_snapshot_free(snap);
	snap = test_snapshot(test, &ctx->other);
	KUNIT_EXPECT_EQ(test, snap->nr, 3U);
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &ftp));
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &h323));
	KUNIT_EXPECT_NOT_NULL(test, find_master(snap, &sipish));
	sipexpect_snapshot_free(snap);
}

static void expect_fill(struct kunit *test, struct stage_ctx *ctx,
			const struct sipexpect_key *k, u32 count, u32 max)
{
	struct sipexpect_snapshot *snap = test_snapshot(test, &ctx->sip);
	const struct sipexpect_master_stats *m = find_master(snap, k);

	KUNIT_EXPECT_NOT_NULL(test, m);
	if (m) {
		KUNIT_EXPECT_EQ(test, m->last_fail_fill.count, count);
		KUNIT_EXPECT_EQ(test, m->last_fail_fill.max, max);
		KUNIT_EXPECT_NE(test, m->last_fail_stamp, 0ULL);
	}
	sipexpect_snapshot_free(snap);
}

/* Events after the failure (its log lines, a good insert) keep its fill. */
static void sipexpect_stage_fill_kept(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 16, 16);
	struct sipexpect_stage_cpu *c = pin_here(test, ctx);
	struct sipexpect_fill f10 = { .count = 10, .max = 64 };
	struct sipexpect_fill f20 = { .count = 20, .max = 64 };
	struct sipexpect_fill f30 = { .count = 30, .max = 128 };
	struct sipexpect_key a = sip_key(1);

	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1, &f10);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_OK, 1, NULL);
	stage_add(&ctx->st, &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP, 1, NULL);
	KUNIT_EXPECT_TRUE(test, c->open->has_fill);
	KUNIT_EXPECT_EQ(test, c->open->fill.count, 10U);
	sipexpect_stage_drain(&ctx->st);
	expect_fill(test, ctx, &a, 10, 64);

	/* In one entry, the latest failure's fill wins. */
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1, &f20);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_TABLE_FULL, 1, &f30);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_OK, 1, NULL);
	sipexpect_stage_drain(&ctx->st);
	expect_fill(test, ctx, &a, 30, 128);

	/* An entry without a failure leaves the last one's fill alone. */
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_OK, 1, NULL);
	KUNIT_EXPECT_FALSE(test, c->open->has_fill);
	sipexpect_stage_drain(&ctx->st);
	expect_fill(test, ctx, &a, 30, 128);
}

/* The largest count a staged entry holds, whatever its type. */
#define STAGE_COUNT_MAX \
	((u64)type_max(typeof(((struct sipexpect_delta *)NULL)->counts[0])))

/* A count about to wrap starts a new entry instead. */
static void sipexpect_stage_count_never_wraps(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 16, 16);
	struct sipexpect_stage_cpu *c = pin_here(test, ctx);
	struct sipexpect_key a = sip_key(1);
	struct sipexpect_totals t;

	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_EXISTS, STAGE_COUNT_MAX - 1,
		  NULL);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_EXISTS, 1, NULL);
	KUNIT_EXPECT_EQ(test, c->active->nr, 0U);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_FAIL_EXISTS, 5, NULL);
	KUNIT_EXPECT_EQ(test, c->active->nr, 1U);
	KUNIT_EXPECT_EQ(test, c->open->counts[SIPEXPECT_INSERT_FAIL_EXISTS], 5U);
	sipexpect_stage_drain(&ctx->st);
	sipexpect_totals_take(&ctx->sip, &t);
	KUNIT_EXPECT_EQ(test, t.totals[SIPEXPECT_INSERT_FAIL_EXISTS],
			STAGE_COUNT_MAX + 5);
	KUNIT_EXPECT_EQ(test, t.nr_masters, 1U);
}

/*
 * Many events over many masters from a thread that may move between CPUs;
 * a kick drains at once (in place of the work). Exact, nothing lost.
 */
static void sipexpect_stage_drain_exact(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 8, 8);
	struct stage_vars *v = stage_vars(test);
	struct sipexpect_totals *before = &v->t[0], *after = &v->t[1];
	unsigned int i, kicks = 0;
	u32 state = 4242;

	for (i = 0; i < 5000; i++) {
		struct sipexpect_fill fill = { .count = i, .max = 5000 };
		struct sipexpect_key k;
		enum sipexpect_counter c;
		unsigned int n, m;

		state = state * 1103515245 + 12345;	/* deterministic LCG */
		m = (state >> 16) % 24;
		k = mixed_key(m);
		c = (state >> 8) % SIPEXPECT_NR_COUNTERS;
		n = 1 + (state >> 4) % 3;
		if (stage_add(&ctx->st, &k, c, n, state & 1 ? &fill : NULL)) {
			kicks++;
			sipexpect_stage_drain(&ctx->st);
		}
		v->want[m % 2][c] += n;
	}
	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_GT(test, kicks, 0U);
	KUNIT_EXPECT_EQ(test, ctx->st.entries_lost, 0ULL);
	expect_tables(test, ctx, v->want);

	/* Nothing is folded twice. */
	sipexpect_totals_take(&ctx->sip, before);
	sipexpect_stage_drain(&ctx->st);
	sipexpect_totals_take(&ctx->sip, after);
	KUNIT_EXPECT_EQ(test, memcmp(before, after, sizeof(*before)), 0);
	for (i = 0; i < SIPEXPECT_NR_COUNTERS; i++)
		KUNIT_EXPECT_EQ(test, after->lost[i], 0ULL);
}

/*
 * More masters than a buffer holds, and no drain: what does not fit is
 * counted as lost, by table, and the totals stay exact.
 */
static void sipexpect_stage_full_buffer_lost(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 4096, 4096);
	struct sipexpect_stage_cpu *c = pin_here(test, ctx);
	struct stage_vars *v = stage_vars(test);
	struct sipexpect_totals *t = v->t;
	const unsigned int n = SIPEXPECT_STAGE_ENTRIES + 10;
	unsigned int i, side, cnt, recorded = 0;

	for (i = 0; i < n; i++) {
		struct sipexpect_key k = mixed_key(i);

		cnt = i % SIPEXPECT_NR_COUNTERS;
		/* The kick is not acted on: nothing drains this buffer. */
		stage_add(&ctx->st, &k, cnt, 1 + i % 3, NULL);
		v->want[i % 2][cnt] += 1 + i % 3;
		/* The first ENTRIES fit; the rest, the open one too, do not. */
		if (i >= SIPEXPECT_STAGE_ENTRIES)
			v->lost[i % 2][cnt] += 1 + i % 3;
		/* Those that fit, and have something to act on, get a record. */
		else if (!sipexpect_counter_is_normal(cnt))
			recorded++;
	}
	KUNIT_EXPECT_EQ(test, c->active->nr, SIPEXPECT_STAGE_ENTRIES);
	KUNIT_EXPECT_TRUE(test, c->has_lost);
	KUNIT_EXPECT_EQ(test, c->lost_entries, (u64)(n - 1 - SIPEXPECT_STAGE_ENTRIES));

	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_EQ(test, ctx->st.entries_lost,
			(u64)(n - SIPEXPECT_STAGE_ENTRIES));
	KUNIT_EXPECT_FALSE(test, c->has_lost);
	KUNIT_EXPECT_EQ(test, c->lost_entries, 0ULL);
	expect_tables(test, ctx, v->want);
	sipexpect_totals_take(&ctx->sip, &t[0]);
	sipexpect_totals_take(&ctx->other, &t[1]);
	for (side = 0; side < 2; side++)
		expect_counters(test, side ? "other lost" : "SIP lost",
				t[side].lost, v->lost[side]);
	KUNIT_EXPECT_EQ(test, t[0].nr_masters + t[1].nr_masters, recorded);

	/* Lost once: a second drain adds nothing. */
	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_EQ(test, ctx->st.entries_lost,
			(u64)(n - SIPEXPECT_STAGE_ENTRIES));
	expect_tables(test, ctx, v->want);
}

/* Add @n distinct masters from @first; returns which add asked for a kick. */
static int add_count_kicks(struct stage_ctx *ctx, u32 first, unsigned int n,
			   unsigned int *kicks)
{
	int kick_at = -1;
	unsigned int i;

	*kicks = 0;
	for (i = 0; i < n; i++) {
		struct sipexpect_key k = sip_key(first + i);

		if (stage_add(&ctx->st, &k, SIPEXPECT_INSERT_FAIL_EXISTS, 1,
			      NULL)) {
			(*kicks)++;
			if (kick_at < 0)
				kick_at = i;
		}
	}
	return kick_at;
}

/* One kick per CPU once its buffer holds KICK entries, until drained. */
static void sipexpect_stage_kick_once(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 4096, 16);
	struct sipexpect_stage_cpu *c = pin_here(test, ctx);
	const unsigned int first = SIPEXPECT_STAGE_ENTRIES;
	const unsigned int second = SIPEXPECT_STAGE_KICK + 5;
	struct sipexpect_totals t;
	unsigned int kicks;

	/* Entry i + 1 publishes entry i: the buffer holds KICK at add KICK. */
	KUNIT_EXPECT_EQ(test, add_count_kicks(ctx, 0, first, &kicks),
			SIPEXPECT_STAGE_KICK);
	KUNIT_EXPECT_EQ(test, kicks, 1U);
	KUNIT_EXPECT_TRUE(test, c->kicked);
	KUNIT_EXPECT_EQ(test, c->active->nr, first - 1);

	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_FALSE(test, c->kicked);
	KUNIT_EXPECT_EQ(test, add_count_kicks(ctx, first, second, &kicks),
			SIPEXPECT_STAGE_KICK);
	KUNIT_EXPECT_EQ(test, kicks, 1U);

	/* The kick's work drains this CPU, its open entry too. */
	sipexpect_stage_kick(&ctx->st, smp_processor_id());
	sipexpect_stage_flush(&ctx->st);
	KUNIT_EXPECT_FALSE(test, c->open_used);
	KUNIT_EXPECT_EQ(test, c->active->nr, 0U);
	KUNIT_EXPECT_FALSE(test, c->kicked);
	sipexpect_totals_take(&ctx->sip, &t);
	KUNIT_EXPECT_EQ(test, t.totals[SIPEXPECT_INSERT_FAIL_EXISTS],
			(u64)(first + second));
	KUNIT_EXPECT_EQ(test, t.nr_masters, first + second);
	KUNIT_EXPECT_EQ(test, ctx->st.entries_lost, 0ULL);
}

/*
 * Good inserts and normal ends of masters with no record stage no entry:
 * a drain moves them to their table's totals and retired, once, from this
 * CPU or another one.
 */
static void sipexpect_stage_norecord_retired(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 16, 16);
	struct sipexpect_stage_cpu *c = pin_here(test, ctx);
	struct sipexpect_totals *t = kunit_kcalloc(test, 2, sizeof(*t),
						   GFP_KERNEL);
	unsigned int here = raw_smp_processor_id(), there;
	u64 sip_ok = 2;

	KUNIT_ASSERT_NOT_NULL(test, t);
	sipexpect_stage_norecord(&ctx->st, true, SIPEXPECT_INSERT_OK, 2);
	sipexpect_stage_norecord(&ctx->st, false, SIPEXPECT_REMOVED_USED, 1);
	KUNIT_EXPECT_FALSE(test, c->open_used);
	KUNIT_EXPECT_EQ(test, c->active->nr, 0U);
	KUNIT_EXPECT_TRUE(test, c->has_norecord);
	there = cpumask_any_but(cpu_online_mask, here);
	if (there < nr_cpu_ids) {
		pin_cpu(test, ctx, there);
		sipexpect_stage_norecord(&ctx->st, true, SIPEXPECT_INSERT_OK, 3);
		sip_ok += 3;
		pin_cpu(test, ctx, here);
	}
	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_FALSE(test, c->has_norecord);
	sipexpect_totals_take(&ctx->sip, &t[0]);
	sipexpect_totals_take(&ctx->other, &t[1]);
	KUNIT_EXPECT_EQ(test, t[0].totals[SIPEXPECT_INSERT_OK], sip_ok);
	KUNIT_EXPECT_EQ(test, t[0].evicted[SIPEXPECT_INSERT_OK], sip_ok);
	KUNIT_EXPECT_EQ(test, t[1].totals[SIPEXPECT_REMOVED_USED], 1ULL);
	KUNIT_EXPECT_EQ(test, t[1].evicted[SIPEXPECT_REMOVED_USED], 1ULL);
	KUNIT_EXPECT_EQ(test, t[1].totals[SIPEXPECT_INSERT_OK], 0ULL);
	KUNIT_EXPECT_EQ(test, t[0].nr_masters + t[1].nr_masters, 0U);

	/* Folded once: a second drain adds nothing. */
	sipexpect_stage_drain(&ctx->st);
	sipexpect_totals_take(&ctx->sip, &t[0]);
	KUNIT_EXPECT_EQ(test, t[0].totals[SIPEXPECT_INSERT_OK], sip_ok);
}

/* A stage without events drains to nothing, and a torn-down one re-inits. */
static void sipexpect_stage_empty_drain(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 4, 4);
	u64 none[2][SIPEXPECT_NR_COUNTERS] = {};
	struct sipexpect_key a = sip_key(1);
	struct sipexpect_totals *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	sipexpect_stage_drain(&ctx->st);
	sipexpect_stage_drain(&ctx->st);
	expect_tables(test, ctx, none);
	sipexpect_totals_take(&ctx->sip, t);
	KUNIT_EXPECT_EQ(test, t->nr_masters, 0U);

	/* Exit folds what is left; a new stage on the same tables works. */
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_OK, 1, NULL);
	ctx->st_ready = false;
	sipexpect_stage_exit(&ctx->st);
	sipexpect_totals_take(&ctx->sip, t);
	KUNIT_EXPECT_EQ(test, t->totals[SIPEXPECT_INSERT_OK], 1ULL);
	KUNIT_ASSERT_EQ(test, sipexpect_stage_init(&ctx->st, &ctx->sip,
						   &ctx->other), 0);
	ctx->st_ready = true;
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_OK, 1, NULL);
	sipexpect_stage_drain(&ctx->st);
	sipexpect_totals_take(&ctx->sip, t);
	KUNIT_EXPECT_EQ(test, t->totals[SIPEXPECT_INSERT_OK], 2ULL);
}

/*
 * Concurrency: a writer kthread bound to each online CPU adds events the
 * way the probe handlers do (interrupts off around each add, a kick when
 * asked for), a timer on the same CPU adds more from hard interrupt
 * context, and this thread drains in a loop meanwhile. The bounds are
 * small, so folds evict all along. At the end every event must be in the
 * totals exactly once, and each table must balance.
 */
#define STAGE_HAMMER_ADDS	100000
#define STAGE_HAMMER_MASTERS	40
#define STAGE_IRQ_PERIOD_NS	(500 * NSEC_PER_USEC)

struct stage_writer {
	struct sipexpect_stage *st;
	struct completion *go;
	struct completion done;
	struct task_struct *task;
	unsigned int cpu;
	u64 sent[2][SIPEXPECT_NR_COUNTERS];
	u64 kicks;
	/* The interrupt side, on the same CPU. */
	struct hrtimer timer;
	bool timer_stop;
	u64 irq_sent;
};

static enum hrtimer_restart stage_irq_fn(struct hrtimer *timer)
{
	struct stage_writer *w = container_of(timer, struct stage_writer,
					      timer);
	/* A few masters of their own, shared by every CPU's timer. */
	struct sipexpect_key k = sip_key(1000 + w->irq_sent % 3);

	if (__sipexpect_stage_add(w->st, &k, SIPEXPECT_DROPS_CONFIRMED, 1,
				  NULL))
		sipexpect_stage_kick(w->st, smp_processor_id());
	w->irq_sent++;
	if (READ_ONCE(w->timer_stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(STAGE_IRQ_PERIOD_NS));
	return HRTIMER_RESTART;
}

static int stage_writer_fn(void *data)
{
	struct stage_writer *w = data;
	u32 state = 7 + w->cpu, m = 0;
	unsigned int i;

	wait_for_completion(w->go);
	hrtimer_start(&w->timer, ns_to_ktime(STAGE_IRQ_PERIOD_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	for (i = 0; i < STAGE_HAMMER_ADDS; i++) {
		struct sipexpect_fill fill = { .count = i, .max = ~0U };
		struct sipexpect_key k;
		enum sipexpect_counter c;
		unsigned long flags;
		unsigned int n;
		bool kick;

		state = state * 1103515245 + 12345;
		/* Runs of one master (merged), then another one. */
		if (!((state >> 20) & 3))
			m = (state >> 8) % STAGE_HAMMER_MASTERS;
		k = mixed_key(m);
		c = (state >> 12) % SIPEXPECT_NR_COUNTERS;
		n = 1 + (state >> 24) % 4;
		local_irq_save(flags);
		kick = __sipexpect_stage_add(w->st, &k, c, n,
					     c == SIPEXPECT_INSERT_FAIL_TABLE_FULL ?
					     &fill : NULL);
		local_irq_restore(flags);
		if (kick) {
			sipexpect_stage_kick(w->st, w->cpu);
			w->kicks++;
		}
		w->sent[m % 2][c] += n;
		if (!(i % 1024))
			cond_resched();
	}
	complete(&w->done);
	/* Return only when told, so kthread_stop() never races our exit. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static bool stage_writers_done(struct stage_writer *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (w[i].task && !completion_done(&w[i].done))
			return false;
	return true;
}

static void sipexpect_stage_concurrent_fold(struct kunit *test)
{
	/* 23 SIP masters into 8 records, 20 others into 4: eviction. */
	struct stage_ctx *ctx = stage_ctx(test, 8, 4);
	struct stage_vars *v = stage_vars(test);
	DECLARE_COMPLETION_ONSTACK(go);
	unsigned int i, c, cpu, nr = 0;
	struct stage_writer *w;
	u64 drains = 0, kicks = 0, irq = 0;

	w = kunit_kcalloc(test, num_online_cpus(), sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, w);
	for_each_online_cpu(cpu) {
		struct stage_writer *wr;

		if (nr == num_online_cpus())
			break;
		wr = &w[nr];
		wr->st = &ctx->st;
		wr->go = &go;
		wr->cpu = cpu;
		init_completion(&wr->done);
		hrtimer_setup(&wr->timer, stage_irq_fn, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_PINNED_HARD);
		wr->task = kthread_create_on_cpu(stage_writer_fn, wr, cpu,
						 "sipexpect_stage/%u");
		if (IS_ERR(wr->task)) {
			wr->task = NULL;
			break;
		}
		wake_up_process(wr->task);
		nr++;
	}
	complete_all(&go);
	while (!stage_writers_done(w, nr)) {
		sipexpect_stage_drain(&ctx->st);
		drains++;
		usleep_range(200, 400);
	}
	for (i = 0; i < nr; i++) {
		WRITE_ONCE(w[i].timer_stop, true);
		hrtimer_cancel(&w[i].timer);
		kthread_stop(w[i].task);
	}
	KUNIT_ASSERT_EQ(test, nr, num_online_cpus());

	sipexpect_stage_flush(&ctx->st);
	sipexpect_stage_drain(&ctx->st);
	for (i = 0; i < nr; i++) {
		for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++) {
			v->want[0][c] += w[i].sent[0][c];
			v->want[1][c] += w[i].sent[1][c];
		}
		v->want[0][SIPEXPECT_DROPS_CONFIRMED] += w[i].irq_sent;
		kicks += w[i].kicks;
		irq += w[i].irq_sent;
	}
	expect_tables(test, ctx, v->want);
	sipexpect_totals_take(&ctx->sip, &v->t[0]);
	sipexpect_totals_take(&ctx->other, &v->t[1]);
	KUNIT_EXPECT_GT(test, v->t[0].masters_evicted, 0ULL);
	KUNIT_EXPECT_GT(test, v->t[1].masters_evicted, 0ULL);
	KUNIT_EXPECT_GT(test, irq, 0ULL);
	kunit_info(test, "%u writers, %llu drains, %llu kicks, %llu adds from interrupts, %llu entries lost",
		   nr, drains, kicks, irq, ctx->st.entries_lost);
}

/*
 * A drain calls only the CPUs with something staged: with nothing staged
 * it interrupts no other CPU; with one event on another CPU, that CPU
 * only, and the event is folded.
 */
static void sipexpect_stage_drain_idle_no_ipi(struct kunit *test)
{
	struct stage_ctx *ctx = stage_ctx(test, 8, 8);
	unsigned int here = raw_smp_processor_id(), there;
	struct sipexpect_key a = sip_key(1);
	struct sipexpect_totals t;

	pin_here(test, ctx);
	sipexpect_stage_drain(&ctx->st);
	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_EQ(test, ctx->st.ipis, 0ULL);

	there = cpumask_any_but(cpu_online_mask, here);
	if (there >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");
	pin_cpu(test, ctx, there);
	stage_add(&ctx->st, &a, SIPEXPECT_INSERT_OK, 1, NULL);
	pin_cpu(test, ctx, here);
	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_EQ(test, ctx->st.ipis, 1ULL);
	sipexpect_totals_take(&ctx->sip, &t);
	KUNIT_EXPECT_EQ(test, t.totals[SIPEXPECT_INSERT_OK], 1ULL);
	sipexpect_stage_drain(&ctx->st);
	KUNIT_EXPECT_EQ(test, ctx->st.ipis, 1ULL);
}

static struct kunit_case sipexpect_stage_cases[] = {
	KUNIT_CASE(sipexpect_stage_merges_same_key),
	KUNIT_CASE(sipexpect_stage_new_key_new_entry),
	KUNIT_CASE(sipexpect_stage_sip_and_other),
	KUNIT_CASE(sipexpect_stage_fill_kept),
	KUNIT_CASE(sipexpect_stage_norecord_retired),
	KUNIT_CASE(sipexpect_stage_count_never_wraps),
	KUNIT_CASE(sipexpect_stage_drain_exact),
	KUNIT_CASE(sipexpect_stage_full_buffer_lost),
	KUNIT_CASE(sipexpect_stage_kick_once),
	KUNIT_CASE(sipexpect_stage_empty_drain),
	KUNIT_CASE(sipexpect_stage_concurrent_fold),
	KUNIT_CASE(sipexpect_stage_drain_idle_no_ipi),
	{}
};

static struct kunit_suite sipexpect_stage_suite = {
	.name = "sipexpect_stage",
	.init = stage_test_init,
	.exit = stage_test_exit,
	.test_cases = sipexpect_stage_cases,
};

kunit_test_suite(sipexpect_stage_suite);
