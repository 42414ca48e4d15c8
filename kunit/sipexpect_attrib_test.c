// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_attrib: which failed insert made the helper drop a
 * packet, driven the way the probes drive it (module/attrib.h has the
 * rules).
 *
 * Each case has an attribution, a stage and two tables of its own; counts
 * are read from the tables after a drain, and the lines reported are kept
 * in order in reports[]. The state is per CPU, so every case pins its
 * thread (KUnit runs each case in a kthread of its own) to one CPU first.
 * The packets are addresses never dereferenced, as in the module.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/sched.h>

#include "../module/attrib.c"
#include "test_key.h"

static struct sipexpect_key sip_key(u32 n)
{
	return test_key_of(n, "sip");
}

/* Packets, by address only. */
static const char fake_skb[8];
#define SKB(n)	((const void *)(fake_skb + (n)))

struct seen_report {
	struct sipexpect_key key;
	u8 message;
	u8 cause;
	bool confirmed;
	u64 logged_ns;
};

#define MAX_REPORTS	16
static struct seen_report reports[MAX_REPORTS];
static unsigned int nr_reports;
static unsigned int reports_overflow;

/* Interrupts off, on the CPU of the line: a copy, nothing else. */
static void record_report(const struct sipexpect_drop_report *r)
{
	struct seen_report *s;

	if (nr_reports >= MAX_REPORTS) {
		reports_overflow++;
		return;
	}
	s = &reports[nr_reports++];
	s->key = *r->key;
	s->message = r->message;
	s->cause = r->cause;
	s->confirmed = r->confirmed;
	s->logged_ns = r->logged_ns;
}

struct attrib_ctx {
	struct sipexpect_table sip;
	struct sipexpect_table other;
	struct sipexpect_stage st;
	struct sipexpect_attrib a;
	bool st_ready;
	bool a_ready;
};

static void pin_cpu(struct kunit *test, unsigned int cpu)
{
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)),
			0);
	KUNIT_ASSERT_EQ(test, (unsigned int)raw_smp_processor_id(), cpu);
}

/* A confirmable attribution (a free will come), this thread pinned. */
static struct attrib_ctx *attrib_ctx(struct kunit *test)
{
	struct attrib_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	test->priv = ctx;	/* torn down by attrib_test_exit() */
	KUNIT_ASSERT_EQ(test, sipexpect_table_init(&ctx->sip, 64), 0);
	KUNIT_ASSERT_EQ(test, sipexpect_table_init(&ctx->other, 64), 0);
	KUNIT_ASSERT_EQ(test, sipexpect_stage_init(&ctx->st, &ctx->sip,
						   &ctx->other), 0);
	ctx->st_ready = true;
	KUNIT_ASSERT_EQ(test, sipexpect_attrib_init(&ctx->a, &ctx->st,
						    record_report), 0);
	ctx->a_ready = true;
	WRITE_ONCE(ctx->a.confirmable, true);
	pin_cpu(test, raw_smp_processor_id());
	return ctx;
}

static int attrib_test_init(struct kunit *test)
{
	test->priv = NULL;
	memset(reports, 0, sizeof(reports));
	nr_reports = 0;
	reports_overflow = 0;
	return 0;
}

static void attrib_test_exit(struct kunit *test)
{
	struct attrib_ctx *ctx = test->priv;

	if (!ctx)
		return;
	if (ctx->a_ready)
		sipexpect_attrib_exit(&ctx->a);
	if (ctx->st_ready)
		sipexpect_stage_exit(&ctx->st);
	sipexpect_table_destroy(&ctx->other);
	sipexpect_table_destroy(&ctx->sip);
}

/* Drain, then @t's totals must be exactly @want, every counter. */
static void expect_totals(struct kunit *test, struct attrib_ctx *ctx,
			  struct sipexpect_table *t, const u64 *want)
{
	struct sipexpect_totals got;
	unsigned int c;

	sipexpect_stage_drain(&ctx->st);
	sipexpect_totals_take(t, &got);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		KUNIT_EXPECT_EQ_MSG(test, got.totals[c], want[c],
				    "%s table, counter %s",
				    t == &ctx->sip ? "SIP" : "other",
				    sipexpect_counter_names[c]);
}

/* The SIP table is exactly @want, the other one empty. */
static void expect_sip_totals(struct kunit *test, struct attrib_ctx *ctx,
			      const u64 *want)
{
	static const u64 none[SIPEXPECT_NR_COUNTERS];

	expect_totals(test, ctx, &ctx->sip, want);
	expect_totals(test, ctx, &ctx->other, none);
}

/* One master's record (after a drain) has @c at @want. */
static void expect_master_counter(struct kunit *test, struct attrib_ctx *ctx,
				  const struct sipexpect_key *k,
				  enum sipexpect_counter c, u64 want)
{
	struct sipexpect_snapshot *snap;
	unsigned int i;
	bool found = false;

	sipexpect_stage_drain(&ctx->st);
	snap = sipexpect_snapshot_take(&ctx->sip);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, snap);
	for (i = 0; i < snap->nr; i++) {
		if (!sipexpect_key_eq(&snap->masters[i].key, k))
			continue;
		found = true;
		KUNIT_EXPECT_EQ_MSG(test, snap->masters[i].counters[c], want,
				    "master %pI4, counter %s", &k->src.ip,
				    sipexpect_counter_names[c]);
	}
	KUNIT_EXPECT_TRUE_MSG(test, found, "no record of master %pI4",
			      &k->src.ip);
	sipexpect_snapshot_free(snap);
}

static void expect_report(struct kunit *test, unsigned int i,
			  const struct sipexpect_key *k, u8 message, u8 cause,
			  bool confirmed, u64 logged_ns)
{
	const struct seen_report *r = &reports[i];

	KUNIT_ASSERT_LT_MSG(test, i, nr_reports, "report %u never came", i);
	KUNIT_EXPECT_TRUE_MSG(test, sipexpect_key_eq(&r->key, k),
			      "report %u: master %pI4, not %pI4", i,
			      &r->key.src.ip, &k->src.ip);
	KUNIT_EXPECT_EQ_MSG(test, r->message, message, "report %u: message", i);
	KUNIT_EXPECT_EQ_MSG(test, r->cause, cause, "report %u: cause", i);
	KUNIT_EXPECT_EQ_MSG(test, r->confirmed, confirmed,
			    "report %u: confirmed", i);
	KUNIT_EXPECT_EQ_MSG(test, r->logged_ns, logged_ns,
			    "report %u: logged_ns", i);
}

/* Each errno is the cause of the drop that follows it, once. */
static void sipexpect_attrib_cause_per_errno(struct kunit *test)
{
	static const struct {
		int err;
		enum sipexpect_counter fail, cause;
	} e[] = {
		{ -EMFILE, SIPEXPECT_INSERT_FAIL_TABLE_FULL,
		  SIPEXPECT_DROPS_CAUSE_TABLE_FULL },
		{ -EALREADY, SIPEXPECT_INSERT_FAIL_EXISTS,
		  SIPEXPECT_DROPS_CAUSE_EXISTS },
		{ -EBUSY, SIPEXPECT_INSERT_FAIL_CLASH,
		  SIPEXPECT_DROPS_CAUSE_CLASH },
		{ -ENOMEM, SIPEXPECT_INSERT_FAIL_OTHER,
		  SIPEXPECT_DROPS_CAUSE_OTHER },
	};
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_fill fill = { .count = 64, .max = 64 };
	u64 want[SIPEXPECT_NR_COUNTERS] = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(e); i++) {
		struct sipexpect_key k = sip_key(i);

		sipexpect_attrib_insert(&ctx->a, &k, e[i].err, 1, &fill);
		sipexpect_attrib_log(&ctx->a, SKB(i), &k,
				     SIPEXPECT_MESSAGE_ALL_PORTS_SDP, 100 + i);
		KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(i),
							      true));
		want[e[i].fail]++;
		want[e[i].cause]++;
	}
	want[SIPEXPECT_MESSAGE_ALL_PORTS_SDP] = ARRAY_SIZE(e);
	want[SIPEXPECT_DROPS_CONFIRMED] = ARRAY_SIZE(e);
	expect_sip_totals(test, ctx, want);
	KUNIT_ASSERT_EQ(test, nr_reports, (unsigned int)ARRAY_SIZE(e));
	for (i = 0; i < ARRAY_SIZE(e); i++) {
		struct sipexpect_key k = sip_key(i);

		expect_report(test, i, &k, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
			      e[i].cause, true, 100 + i);
		/* Counted on the master that dropped, not elsewhere. */
		expect_master_counter(test, ctx, &k, e[i].cause, 1);
		expect_master_counter(test, ctx, &k, SIPEXPECT_DROPS_CONFIRMED,
				      1);
	}
}

/* The SIP helper logs two lines for a packet: one drop, two messages. */
static void sipexpect_attrib_two_lines_one_drop(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
			     1000);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 2000);
	/* The lines wait for the packet's fate. */
	KUNIT_EXPECT_EQ(test, nr_reports, 0U);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 2U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 1000);
	expect_report(test, 1, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 2000);

	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_ALL_PORTS_SDP] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	expect_sip_totals(test, ctx, want);
}

/* A retry that worked: the failure before it dropped nothing. */
static void sipexpect_attrib_success_clears_failure(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_insert(&ctx->a, &a, 0, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 1);

	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_INSERT_OK] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	expect_sip_totals(test, ctx, want);
}

/* Another master's good insert does not clear the pending failure. */
static void sipexpect_attrib_other_success_keeps_failure(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1), b = sip_key(2);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};
	struct sipexpect_snapshot *snap;

	sipexpect_attrib_insert(&ctx->a, &a, -EBUSY, 1, NULL);
	sipexpect_attrib_insert(&ctx->a, &b, 0, 2, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_ALL_PORTS_SIP,
			     7);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_ALL_PORTS_SIP,
		      SIPEXPECT_DROPS_CAUSE_CLASH, true, 7);

	want[SIPEXPECT_INSERT_FAIL_CLASH] = 1;
	want[SIPEXPECT_INSERT_OK] = 2;
	want[SIPEXPECT_MESSAGE_ALL_PORTS_SIP] = 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_CLASH] = 1;
	expect_sip_totals(test, ctx, want);
	/* b had nothing to act on: no record, its inserts with the retired. */
	snap = sipexpect_snapshot_take(&ctx->sip);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, snap);
	KUNIT_EXPECT_EQ(test, snap->nr, 1U);
	KUNIT_EXPECT_EQ(test, snap->counts.evicted[SIPEXPECT_INSERT_OK], 2ULL);
	sipexpect_snapshot_free(snap);
	expect_master_counter(test, ctx, &a, SIPEXPECT_DROPS_CAUSE_CLASH, 1);
}

/*
 * A failure of master a is not the cause of master b's drop, and stays
 * pending for a; once a drop took it, a's next drop has no known cause.
 */
static void sipexpect_attrib_other_master_not_cause(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1), b = sip_key(2);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	sipexpect_attrib_log(&ctx->a, SKB(1), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 2);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(1), true));
	sipexpect_attrib_log(&ctx->a, SKB(2), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 3);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(2), true));

	KUNIT_ASSERT_EQ(test, nr_reports, 3U);
	expect_report(test, 0, &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 1);
	expect_report(test, 1, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 2);
	expect_report(test, 2, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 3);

	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 3;
	want[SIPEXPECT_DROPS_CONFIRMED] = 3;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 2;
	expect_sip_totals(test, ctx, want);
	expect_master_counter(test, ctx, &b, SIPEXPECT_DROPS_CAUSE_UNKNOWN, 1);
	expect_master_counter(test, ctx, &b, SIPEXPECT_DROPS_CAUSE_TABLE_FULL,
			      0);
	expect_master_counter(test, ctx, &a, SIPEXPECT_DROPS_CAUSE_TABLE_FULL,
			      1);
}

/* The free confirms the drop once; then the packet is forgotten. */
static void sipexpect_attrib_free_confirms(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
			     5);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_EXPECT_FALSE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 5);

	want[SIPEXPECT_MESSAGE_ALL_PORTS_SDP] = 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	expect_sip_totals(test, ctx, want);
}

/* A free that is not a netfilter drop reports the lines unconfirmed. */
static void sipexpect_attrib_free_not_netfilter(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 5);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), false));
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, false, 5);

	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	expect_sip_totals(test, ctx, want);
}

/*
 * Without NAT the helper accepts a packet whose insert returned -EALREADY
 * (audio and video offered on one port). A drop of the same master right
 * after, for a reason that is no insert's ("cannot parse cseq"), has no
 * insert cause: the tolerated failure is nobody's.
 */
static void sipexpect_attrib_tolerated_not_cause(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &a, -EALREADY, 1, NULL);
	sipexpect_attrib_insert(&ctx->a, &a, -EALREADY, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_OTHER, 5);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_OTHER,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 5);

	want[SIPEXPECT_INSERT_FAIL_EXISTS] = 2;
	want[SIPEXPECT_MESSAGE_OTHER] = 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	expect_sip_totals(test, ctx, want);
}

/* A line of another packet: the last one was not freed as a drop. */
static void sipexpect_attrib_next_packet_resolves(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
			     10);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 11);
	KUNIT_EXPECT_EQ(test, nr_reports, 0U);
	sipexpect_attrib_log(&ctx->a, SKB(1), &a, SIPEXPECT_MESSAGE_OTHER, 20);
	KUNIT_ASSERT_EQ(test, nr_reports, 2U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, false, 10);
	expect_report(test, 1, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, false, 11);
	/* The first packet is forgotten: its late free changes nothing. */
	KUNIT_EXPECT_FALSE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_EXPECT_EQ(test, nr_reports, 2U);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(1), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 3U);
	expect_report(test, 2, &a, SIPEXPECT_MESSAGE_OTHER,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 20);

	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_ALL_PORTS_SDP] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_MESSAGE_OTHER] = 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	expect_sip_totals(test, ctx, want);
}

/* The same address for another master is another packet (a reused skb). */
static void sipexpect_attrib_same_skb_other_master(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1), b = sip_key(2);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &b, -EBUSY, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	sipexpect_attrib_log(&ctx->a, SKB(0), &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 2);
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, false, 1);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 2U);
	expect_report(test, 1, &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_CLASH, true, 2);

	want[SIPEXPECT_INSERT_FAIL_CLASH] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 2;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	want[SIPEXPECT_DROPS_CAUSE_CLASH] = 1;
	expect_sip_totals(test, ctx, want);
	expect_master_counter(test, ctx, &b, SIPEXPECT_DROPS_CONFIRMED, 1);
	expect_master_counter(test, ctx, &a, SIPEXPECT_DROPS_CONFIRMED, 0);
}

/* No free will come (no kfree_skb probe): every line is reported at once. */
static void sipexpect_attrib_unconfirmable_at_once(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	WRITE_ONCE(ctx->a.confirmable, false);
	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
			     1);
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_ALL_PORTS_SDP,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, false, 1);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 2);
	KUNIT_ASSERT_EQ(test, nr_reports, 2U);
	expect_report(test, 1, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, false, 2);

	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_ALL_PORTS_SDP] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	expect_sip_totals(test, ctx, want);
}

/* The free of a packet the helper did not log: false, nothing changes. */
static void sipexpect_attrib_free_unrelated(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_attrib_cpu *c = per_cpu_ptr(ctx->a.cpu,
						     raw_smp_processor_id());
	struct sipexpect_key a = sip_key(1);
	struct sipexpect_totals *before, *after;

	before = kunit_kcalloc(test, 2, sizeof(*before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, before);
	after = before + 1;
	/* Nothing pending at all. */
	KUNIT_EXPECT_FALSE(test, sipexpect_attrib_free(&ctx->a, SKB(1), true));

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	sipexpect_stage_drain(&ctx->st);
	sipexpect_totals_take(&ctx->sip, before);
	KUNIT_EXPECT_FALSE(test, sipexpect_attrib_free(&ctx->a, SKB(1), true));
	KUNIT_EXPECT_FALSE(test, sipexpect_attrib_free(&ctx->a, SKB(2), false));
	sipexpect_stage_drain(&ctx->st);
	sipexpect_totals_take(&ctx->sip, after);
	KUNIT_EXPECT_EQ(test, memcmp(before, after, sizeof(*before)), 0);
	KUNIT_EXPECT_EQ(test, nr_reports, 0U);
	KUNIT_EXPECT_PTR_EQ(test, c->skb, SKB(0));
	KUNIT_EXPECT_EQ(test, c->nr_lines, 1U);

	/* The logged packet is still waited for. */
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 1);
	KUNIT_EXPECT_PTR_EQ(test, c->skb, (const void *)NULL);
}

/* A pair that worked inserted two; one that failed counts once. */
static void sipexpect_attrib_pair_insert(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_fill fill = { .count = 63, .max = 64 };
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};
	struct sipexpect_snapshot *snap;

	sipexpect_attrib_insert(&ctx->a, &a, 0, 2, &fill);
	want[SIPEXPECT_INSERT_OK] = 2;
	expect_sip_totals(test, ctx, want);
	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 2, &fill);
	sipexpect_attrib_insert(&ctx->a, &a, 0, 1, NULL);
	want[SIPEXPECT_INSERT_OK] = 3;
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	expect_sip_totals(test, ctx, want);
	KUNIT_EXPECT_EQ(test, nr_reports, 0U);

	/* The failure's fill, not the good insert's, is the master's. */
	snap = sipexpect_snapshot_take(&ctx->sip);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, snap);
	KUNIT_EXPECT_EQ(test, snap->nr, 1U);
	if (snap->nr == 1) {
		KUNIT_EXPECT_EQ(test, snap->masters[0].last_fail_fill.count, 63U);
		KUNIT_EXPECT_EQ(test, snap->masters[0].last_fail_fill.max, 64U);
	}
	sipexpect_snapshot_free(snap);
}

/* Lines beyond what a packet keeps are reported at once, not lost. */
static void sipexpect_attrib_lines_overflow(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};
	unsigned int i, confirmed = 0;

	for (i = 0; i <= SIPEXPECT_ATTRIB_LINES; i++)
		sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
				     i);
	KUNIT_EXPECT_EQ(test, nr_reports, 1U);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, SIPEXPECT_ATTRIB_LINES + 1);
	for (i = 0; i < nr_reports; i++)
		confirmed += reports[i].confirmed;
	KUNIT_EXPECT_EQ(test, confirmed, SIPEXPECT_ATTRIB_LINES);

	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = SIPEXPECT_ATTRIB_LINES + 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	expect_sip_totals(test, ctx, want);
}

/* Another helper's masters are attributed the same, in the other table. */
static void sipexpect_attrib_other_helper(struct kunit *test)
{
	static const u64 none[SIPEXPECT_NR_COUNTERS];
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key f = test_key_of(1, "ftp");
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &f, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &f, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	expect_totals(test, ctx, &ctx->other, want);
	expect_totals(test, ctx, &ctx->sip, none);
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &f, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 1);
}

/* Each CPU has its own pending failure and packet. */
static void sipexpect_attrib_per_cpu(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	unsigned int here = raw_smp_processor_id(), there;
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	there = cpumask_any_but(cpu_online_mask, here);
	if (there >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	pin_cpu(test, there);
	/* Not the packet logged on the first CPU, nor its failure. */
	KUNIT_EXPECT_FALSE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	sipexpect_attrib_insert(&ctx->a, &a, -EBUSY, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(1), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 2);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(1), true));
	pin_cpu(test, here);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));

	KUNIT_ASSERT_EQ(test, nr_reports, 2U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_CLASH, true, 2);
	expect_report(test, 1, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 1);
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_INSERT_FAIL_CLASH] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 2;
	want[SIPEXPECT_DROPS_CONFIRMED] = 2;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	want[SIPEXPECT_DROPS_CAUSE_CLASH] = 1;
	expect_sip_totals(test, ctx, want);
}

/*
 * PREEMPT_RT, a packet sent by a local process: another task inserts on
 * the same CPU between a failed insert and its log. Each drop still takes
 * its own master's failure.
 */
static void sipexpect_attrib_preempted(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1), b = sip_key(2);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_insert(&ctx->a, &b, -EBUSY, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	sipexpect_attrib_log(&ctx->a, SKB(1), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 2);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(1), true));

	KUNIT_ASSERT_EQ(test, nr_reports, 2U);
	expect_report(test, 0, &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_CLASH, true, 1);
	expect_report(test, 1, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 2);
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_INSERT_FAIL_CLASH] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 2;
	want[SIPEXPECT_DROPS_CONFIRMED] = 2;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	want[SIPEXPECT_DROPS_CAUSE_CLASH] = 1;
	expect_sip_totals(test, ctx, want);
}

/*
 * PREEMPT_RT, a task preempted for longer: more tasks than this CPU has
 * slots fail, log and drop before it logs. Their failures were taken;
 * the one still waiting keeps its slot.
 */
static void sipexpect_attrib_preempted_long(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1), b;
	u64 want[SIPEXPECT_NR_COUNTERS] = {};
	unsigned int i, others = SIPEXPECT_ATTRIB_FAILS + 1;

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	for (i = 0; i < others; i++) {
		b = sip_key(2 + i);
		sipexpect_attrib_insert(&ctx->a, &b, -EBUSY, 1, NULL);
		sipexpect_attrib_log(&ctx->a, SKB(i), &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
				     1 + i);
		KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(i),
							      true));
	}
	sipexpect_attrib_log(&ctx->a, SKB(others), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
			     1 + others);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(others),
						      true));

	KUNIT_ASSERT_EQ(test, nr_reports, others + 1);
	expect_report(test, others, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 1 + others);
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_INSERT_FAIL_CLASH] = others;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = others + 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = others + 1;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	want[SIPEXPECT_DROPS_CAUSE_CLASH] = others;
	expect_sip_totals(test, ctx, want);
}

/*
 * PREEMPT_RT again: the task moved to another CPU between its failed
 * insert and the helper's log. The cause is found on the first CPU.
 */
static void sipexpect_attrib_migrated(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	unsigned int here = raw_smp_processor_id(), there;
	struct sipexpect_key a = sip_key(1), b = sip_key(2);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	there = cpumask_any_but(cpu_online_mask, here);
	if (there >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	pin_cpu(test, there);
	/* Another master's drop there does not take a's failure. */
	sipexpect_attrib_log(&ctx->a, SKB(0), &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	sipexpect_attrib_log(&ctx->a, SKB(1), &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 2);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(1), true));

	KUNIT_ASSERT_EQ(test, nr_reports, 2U);
	expect_report(test, 0, &b, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 1);
	expect_report(test, 1, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 2);
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 2;
	want[SIPEXPECT_DROPS_CONFIRMED] = 2;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	expect_sip_totals(test, ctx, want);
}

/*
 * A failure on another CPU is the cause of one drop at most: the first
 * drop that finds it takes it.
 */
static void sipexpect_attrib_remote_taken_once(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	unsigned int here = raw_smp_processor_id(), there;
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	there = cpumask_any_but(cpu_online_mask, here);
	if (there >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	pin_cpu(test, there);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	sipexpect_attrib_log(&ctx->a, SKB(1), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 2);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(1), true));
	/* Nor is it found again on its own CPU. */
	pin_cpu(test, here);
	sipexpect_attrib_log(&ctx->a, SKB(2), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 3);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(2), true));

	KUNIT_ASSERT_EQ(test, nr_reports, 3U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, true, 1);
	expect_report(test, 1, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 2);
	expect_report(test, 2, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 3);
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 3;
	want[SIPEXPECT_DROPS_CONFIRMED] = 3;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 2;
	expect_sip_totals(test, ctx, want);
}

/*
 * The master inserted successfully on another CPU after it failed here:
 * the failure is older than that success, and nobody's cause.
 */
static void sipexpect_attrib_remote_success_clears(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	unsigned int here = raw_smp_processor_id(), there;
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	there = cpumask_any_but(cpu_online_mask, here);
	if (there >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	pin_cpu(test, there);
	sipexpect_attrib_insert(&ctx->a, &a, 0, 2, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	KUNIT_EXPECT_TRUE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));

	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 1);
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_INSERT_OK] = 2;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_DROPS_CONFIRMED] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	expect_sip_totals(test, ctx, want);
}

/* What a test runs in softirq, on this CPU: a pinned soft hrtimer. */
struct softirq_run {
	struct hrtimer timer;
	void (*fn)(void *arg);
	void *arg;
	bool in_softirq;
	struct completion done;
};

static enum hrtimer_restart softirq_run_fire(struct hrtimer *t)
{
	struct softirq_run *r = container_of(t, struct softirq_run, timer);

	r->in_softirq = in_serving_softirq();
	r->fn(r->arg);
	complete(&r->done);
	return HRTIMER_NORESTART;
}

static void run_in_softirq(struct kunit *test, void (*fn)(void *arg), void *arg)
{
	struct softirq_run r = { .fn = fn, .arg = arg };
	unsigned long left;

	init_completion(&r.done);
	hrtimer_setup(&r.timer, softirq_run_fire, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_SOFT);
	hrtimer_start(&r.timer, ns_to_ktime(1000), HRTIMER_MODE_REL_PINNED_SOFT);
	left = wait_for_completion_timeout(&r.done, 10 * HZ);
	/* The timer lives on this stack: gone before an assert can return. */
	hrtimer_cancel(&r.timer);
	KUNIT_ASSERT_NE(test, left, 0UL);
	KUNIT_EXPECT_TRUE(test, r.in_softirq);
}

struct softirq_packet {
	struct attrib_ctx *ctx;
	const struct sipexpect_key *key;
	bool freed_ours;
};

static void softirq_drop(void *arg)
{
	struct softirq_packet *p = arg;

	sipexpect_attrib_log(&p->ctx->a, SKB(0), p->key,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	p->freed_ours = sipexpect_attrib_free(&p->ctx->a, SKB(0), true);
}

static void softirq_free(void *arg)
{
	struct softirq_packet *p = arg;

	p->freed_ours = sipexpect_attrib_free(&p->ctx->a, SKB(0), true);
}

/*
 * A softirq's call chain cannot move to another CPU: a drop there has
 * its cause on its own CPU or none, and never looks at the others'.
 */
static void sipexpect_attrib_softirq_stays_local(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	unsigned int here = raw_smp_processor_id(), there;
	struct sipexpect_key a = sip_key(1);
	struct softirq_packet p = { .ctx = ctx, .key = &a };

	there = cpumask_any_but(cpu_online_mask, here);
	if (there >= nr_cpu_ids)
		kunit_skip(test, "needs a second online CPU");

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	pin_cpu(test, there);
	run_in_softirq(test, softirq_drop, &p);

	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, true, 1);
}

/*
 * The task that logged a packet moved away and its packet was freed on
 * another CPU; here a packet at the same address is dropped in softirq.
 * It is not the logged one: its lines are reported unconfirmed, and no
 * drop is confirmed.
 */
static void sipexpect_attrib_stale_other_context(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	struct softirq_packet p = { .ctx = ctx };
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_insert(&ctx->a, &a, -EMFILE, 1, NULL);
	sipexpect_attrib_log(&ctx->a, SKB(0), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	run_in_softirq(test, softirq_free, &p);

	KUNIT_EXPECT_FALSE(test, p.freed_ours);
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_TABLE_FULL, false, 1);
	/* Forgotten: its own late free changes nothing either. */
	KUNIT_EXPECT_FALSE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	want[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	expect_sip_totals(test, ctx, want);
}

/*
 * A netns went between a packet's line and its free: the free confirms
 * nothing, so no record of a gone netns comes back.
 */
static void sipexpect_attrib_netns_gone_unconfirmed(struct kunit *test)
{
	struct attrib_ctx *ctx = attrib_ctx(test);
	struct sipexpect_key a = sip_key(1);
	u64 want[SIPEXPECT_NR_COUNTERS] = {};

	sipexpect_attrib_log(&ctx->a, SKB(0), &a,
			     SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION, 1);
	sipexpect_attrib_netns_gone(&ctx->a);
	KUNIT_EXPECT_FALSE(test, sipexpect_attrib_free(&ctx->a, SKB(0), true));
	KUNIT_ASSERT_EQ(test, nr_reports, 1U);
	expect_report(test, 0, &a, SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION,
		      SIPEXPECT_DROPS_CAUSE_UNKNOWN, false, 1);
	want[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION] = 1;
	want[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	expect_sip_totals(test, ctx, want);
}

static struct kunit_case sipexpect_attrib_cases[] = {
	KUNIT_CASE(sipexpect_attrib_cause_per_errno),
	KUNIT_CASE(sipexpect_attrib_two_lines_one_drop),
	KUNIT_CASE(sipexpect_attrib_success_clears_failure),
	KUNIT_CASE(sipexpect_attrib_other_success_keeps_failure),
	KUNIT_CASE(sipexpect_attrib_other_master_not_cause),
	KUNIT_CASE(sipexpect_attrib_free_confirms),
	KUNIT_CASE(sipexpect_attrib_free_not_netfilter),
	KUNIT_CASE(sipexpect_attrib_tolerated_not_cause),
	KUNIT_CASE(sipexpect_attrib_next_packet_resolves),
	KUNIT_CASE(sipexpect_attrib_same_skb_other_master),
	KUNIT_CASE(sipexpect_attrib_unconfirmable_at_once),
	KUNIT_CASE(sipexpect_attrib_free_unrelated),
	KUNIT_CASE(sipexpect_attrib_pair_insert),
	KUNIT_CASE(sipexpect_attrib_lines_overflow),
	KUNIT_CASE(sipexpect_attrib_other_helper),
	KUNIT_CASE(sipexpect_attrib_per_cpu),
	KUNIT_CASE(sipexpect_attrib_preempted),
	KUNIT_CASE(sipexpect_attrib_preempted_long),
	KUNIT_CASE(sipexpect_attrib_migrated),
	KUNIT_CASE(sipexpect_attrib_remote_taken_once),
	KUNIT_CASE(sipexpect_attrib_remote_success_clears),
	KUNIT_CASE(sipexpect_attrib_softirq_stays_local),
	KUNIT_CASE(sipexpect_attrib_stale_other_context),
	KUNIT_CASE(sipexpect_attrib_netns_gone_unconfirmed),
	{}
};

static struct kunit_suite sipexpect_attrib_suite = {
	.name = "sipexpect_attrib",
	.init = attrib_test_init,
	.exit = attrib_test_exit,
	.test_cases = sipexpect_attrib_cases,
};

kunit_test_suite(sipexpect_attrib_suite);
