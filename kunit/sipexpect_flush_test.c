// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_flush: expectations flushed by an INVITE wait for
 * an insert to bring them back, else count as lost (module/flush.c),
 * driven directly with expectations made up by each case: only their
 * master (as a value), class, tuple and mask are read.
 */
#include <kunit/test.h>
#include <linux/delay.h>

#include "../module/flush.c"

struct flush_ctx {
	struct sipexpect_table sip, other;
	struct sipexpect_stage st;
	struct sipexpect_flush fl;
	bool ready;
};

/* What the flush reported as lost, in order (one case at a time). */
static struct sipexpect_failure reported[4];
static unsigned int nr_reported;

static void report_lost(const struct sipexpect_failure *f)
{
	if (nr_reported < ARRAY_SIZE(reported))
		reported[nr_reported] = *f;
	nr_reported++;
}

static int flush_test_init(struct kunit *test)
{
	struct flush_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	KUNIT_ASSERT_EQ(test, sipexpect_table_init(&ctx->sip, 16), 0);
	KUNIT_ASSERT_EQ(test, sipexpect_table_init(&ctx->other, 16), 0);
	KUNIT_ASSERT_EQ(test, sipexpect_stage_init(&ctx->st, &ctx->sip, &ctx->other), 0);
	KUNIT_ASSERT_EQ(test, sipexpect_flush_init(&ctx->fl, &ctx->st, report_lost), 0);
	ctx->ready = true;
	nr_reported = 0;
	return 0;
}

static void flush_test_exit(struct kunit *test)
{
	struct flush_ctx *ctx = test->priv;

	if (!ctx || !ctx->ready)
		return;
	sipexpect_flush_exit(&ctx->fl);
	sipexpect_stage_exit(&ctx->st);
	sipexpect_table_destroy(&ctx->other);
	sipexpect_table_destroy(&ctx->sip);
}

/* Masters by address only: never dereferenced. */
static const char fake_master[4];
#define MASTER(n)	((struct nf_conn *)(fake_master + (n)))

/* An RTP expectation of master n, to 192.0.2.254:port, class audio (1). */
static struct nf_conntrack_expect *expectation(struct kunit *test, int master,
					       u16 port)
{
	struct nf_conntrack_expect *exp = kunit_kzalloc(test, sizeof(*exp),
							GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, exp);
	exp->master = MASTER(master);
	exp->class = 1;
	exp->tuple.src.l3num = NFPROTO_IPV4;
	exp->tuple.src.u3.ip = htonl(0xc0000201);
	exp->tuple.dst.u3.ip = htonl(0xc00002fe);
	exp->tuple.dst.u.udp.port = htons(port);
	exp->tuple.dst.protonum = IPPROTO_UDP;
	exp->mask.src.u3.ip = htonl(0xffffffff);
	return exp;
}

static void flushed_in(struct flush_ctx *ctx, const struct nf_conntrack_expect *exp,
		       u32 master, u32 netns)
{
	struct sipexpect_failure f = {
		.kind = SIPEXPECT_FAILURE_REMOVED,
		.removed = SIPEXPECT_REMOVED_FLUSHED_BY_INVITE,
		.exp_dport = ntohs(exp->tuple.dst.u.udp.port),
	};

	f.key.netns = netns;
	f.key.src.ip = htonl(0x0a000000 + master);
	strscpy(f.key.helper, "sip", sizeof(f.key.helper));
	sipexpect_flush_removed(&ctx->fl, exp, &f);
}

static void flushed(struct flush_ctx *ctx, const struct nf_conntrack_expect *exp,
		    u32 master)
{
	flushed_in(ctx, exp, master, 4026531840U);
}

static u64 total(struct flush_ctx *ctx, enum sipexpect_counter c)
{
	struct sipexpect_totals *t = kmalloc(sizeof(*t), GFP_KERNEL);
	u64 v;

	if (!t)
		return U64_MAX;
	sipexpect_stage_drain(&ctx->st);
	sipexpect_totals_take(&ctx->sip, t);
	v = t->totals[c];
	kfree(t);
	return v;
}

/* A re-INVITE: flushed, then the same one inserted again. Nothing lost. */
static void sipexpect_flush_renewed(struct kunit *test)
{
	struct flush_ctx *ctx = test->priv;
	struct nf_conntrack_expect *rtp = expectation(test, 0, 20000);
	struct nf_conntrack_expect *again = expectation(test, 0, 20000);

	flushed(ctx, rtp, 0);
	sipexpect_flush_inserted(&ctx->fl, again);
	sipexpect_flush_settle(&ctx->fl, true);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_REPLACED), 1ULL);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE), 0ULL);
	KUNIT_EXPECT_EQ(test, nr_reported, 0U);
}

/*
 * A trunk: another call's INVITE flushed it and inserted its own. Not
 * the same port, not the same master, not the same class: all lost.
 */
static void sipexpect_flush_lost_unless_same(struct kunit *test)
{
	struct flush_ctx *ctx = test->priv;
	struct nf_conntrack_expect *rtp = expectation(test, 0, 20000);
	struct nf_conntrack_expect *other_port = expectation(test, 0, 20002);
	struct nf_conntrack_expect *other_master = expectation(test, 1, 20000);
	struct nf_conntrack_expect *other_class = expectation(test, 0, 20000);

	other_class->class = 2;
	flushed(ctx, rtp, 0);
	sipexpect_flush_inserted(&ctx->fl, other_port);
	sipexpect_flush_inserted(&ctx->fl, other_master);
	sipexpect_flush_inserted(&ctx->fl, other_class);
	sipexpect_flush_settle(&ctx->fl, true);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE), 1ULL);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_REPLACED), 0ULL);
	KUNIT_ASSERT_EQ(test, nr_reported, 1U);
	KUNIT_EXPECT_EQ(test, reported[0].exp_dport, 20000);
	KUNIT_EXPECT_EQ(test, reported[0].removed,
			(u8)SIPEXPECT_REMOVED_FLUSHED_BY_INVITE);
}

/* A reader settles only what waited long enough; an insert then is late. */
static void sipexpect_flush_settles_in_time(struct kunit *test)
{
	struct flush_ctx *ctx = test->priv;
	struct nf_conntrack_expect *rtp = expectation(test, 0, 20000);

	ctx->fl.settle = msecs_to_jiffies(50);
	flushed(ctx, rtp, 0);
	sipexpect_flush_settle(&ctx->fl, false);
	KUNIT_EXPECT_EQ(test, nr_reported, 0U);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE), 0ULL);
	msleep(100);
	sipexpect_flush_settle(&ctx->fl, false);
	KUNIT_EXPECT_EQ(test, nr_reported, 1U);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE), 1ULL);
	sipexpect_flush_inserted(&ctx->fl, expectation(test, 0, 20000));
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_REPLACED), 0ULL);
}

/*
 * More waiting than the bound: the oldest is settled early, counted as
 * lost and in settled_early, and the newest still waits.
 */
static void sipexpect_flush_bounded(struct kunit *test)
{
	struct flush_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i <= SIPEXPECT_FLUSH_PENDING; i++)
		flushed(ctx, expectation(test, 0, 20000 + 2 * i), 0);
	KUNIT_EXPECT_EQ(test, sipexpect_flush_settled_early(&ctx->fl), 1ULL);
	KUNIT_ASSERT_EQ(test, nr_reported, 1U);
	KUNIT_EXPECT_EQ(test, reported[0].exp_dport, 20000);
	sipexpect_flush_inserted(&ctx->fl,
				 expectation(test, 0, 20000 + 2 * SIPEXPECT_FLUSH_PENDING));
	sipexpect_flush_settle(&ctx->fl, true);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_REPLACED), 1ULL);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE),
			(u64)SIPEXPECT_FLUSH_PENDING);
}

/* A netns going away: what waits for its masters is forgotten, not lost. */
static void sipexpect_flush_forgets_netns(struct kunit *test)
{
	struct flush_ctx *ctx = test->priv;
	static const u32 gone[] = { 4026531841U, 4026531843U };

	flushed_in(ctx, expectation(test, 0, 20000), 0, 4026531841U);
	flushed_in(ctx, expectation(test, 1, 20000), 1, 4026531842U);
	flushed_in(ctx, expectation(test, 2, 20000), 2, 4026531843U);
	sipexpect_flush_forget_netns(&ctx->fl, gone, ARRAY_SIZE(gone));
	sipexpect_flush_settle(&ctx->fl, true);
	KUNIT_ASSERT_EQ(test, nr_reported, 1U);
	KUNIT_EXPECT_EQ(test, reported[0].key.netns, 4026531842U);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE), 1ULL);
}

/*
 * A trunk: more of one master's expectations wait than the ring holds.
 * An insert finds its own among them, only its own (not another
 * master's with the same tuple), and not one pushed out early.
 */
static void sipexpect_flush_trunk_indexed(struct kunit *test)
{
	struct flush_ctx *ctx = test->priv;
	const unsigned int n = SIPEXPECT_FLUSH_PENDING + 44;
	unsigned int i;

	for (i = 0; i < n; i++)
		flushed(ctx, expectation(test, 0, 20000 + 2 * i), 0);
	KUNIT_EXPECT_EQ(test, sipexpect_flush_settled_early(&ctx->fl), 44ULL);
	sipexpect_flush_inserted(&ctx->fl, expectation(test, 0, 20000));
	sipexpect_flush_inserted(&ctx->fl,
				 expectation(test, 0, 20000 + 2 * (n - 1)));
	sipexpect_flush_inserted(&ctx->fl, expectation(test, 0, 20000 + 2 * 100));
	sipexpect_flush_inserted(&ctx->fl, expectation(test, 1, 20000 + 2 * 101));
	/* Brought back once only. */
	sipexpect_flush_inserted(&ctx->fl, expectation(test, 0, 20000 + 2 * 100));
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_REPLACED), 2ULL);
	sipexpect_flush_settle(&ctx->fl, true);
	KUNIT_EXPECT_EQ(test, total(ctx, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE),
			(u64)(n - 2));
}

static struct kunit_case sipexpect_flush_cases[] = {
	KUNIT_CASE(sipexpect_flush_renewed),
	KUNIT_CASE(sipexpect_flush_lost_unless_same),
	KUNIT_CASE(sipexpect_flush_settles_in_time),
	KUNIT_CASE(sipexpect_flush_bounded),
	KUNIT_CASE(sipexpect_flush_forgets_netns),
	KUNIT_CASE(sipexpect_flush_trunk_indexed),
	{}
};

static struct kunit_suite sipexpect_flush_suite = {
	.name = "sipexpect_flush",
	.init = flush_test_init,
	.exit = flush_test_exit,
	.test_cases = sipexpect_flush_cases,
};

kunit_test_suite(sipexpect_flush_suite);
