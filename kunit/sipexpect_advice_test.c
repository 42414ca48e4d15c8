// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_advice: the hash size the advice file recommends,
 * and the advice text itself (module/advice.c), driven directly with
 * totals and occupancy made up by each case.
 */
#include <kunit/test.h>
#include <linux/log2.h>

#include "../module/advice.c"

/* 2^29, the largest hash size whose expect_max (4 x) fits a u32. */
#define HS_MAX	0x10000000U

struct hs_case {
	u32 peak, max, hsize;
	u32 want;
};

static void expect_hashsize(struct kunit *test, const struct hs_case *c)
{
	u32 hs = 0;
	bool ok = sipexpect_advice_hashsize(c->peak, c->max, c->hsize, &hs);

	KUNIT_EXPECT_TRUE_MSG(test, ok, "peak %u max %u hsize %u", c->peak,
			      c->max, c->hsize);
	KUNIT_EXPECT_EQ_MSG(test, hs, c->want, "peak %u max %u hsize %u",
			    c->peak, c->max, c->hsize);
}

/* 4 x hashsize is at least twice the larger of peak and max, rounded up. */
static void sipexpect_advice_hashsize_normal(struct kunit *test)
{
	static const struct hs_case cases[] = {
		{ 28, 64, 16, 32 },	/* filled at 64: 128 needed */
		{ 64, 64, 16, 32 },
		{ 65, 64, 16, 64 },	/* 130: 33 rounds up to 64 */
		{ 100, 64, 16, 64 },	/* the peak above max wins */
		{ 0, 4096, 1024, 2048 },
		{ 300, 0, 100, 256 },
		{ 3, 0, 0, 2 },
		{ 1, 1, 1, 1 },
		{ 2, 0, 0, 1 },
		{ 1U << 29, 0, 0, HS_MAX },	/* the largest that fits */
		{ 0, 1U << 29, 16, HS_MAX },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_hashsize(test, &cases[i]);
}

/* Never below the hash size there is, power of two or not. */
static void sipexpect_advice_hashsize_keeps_larger_hash(struct kunit *test)
{
	static const struct hs_case cases[] = {
		{ 10, 64, 1024, 1024 },
		{ 5, 5, 1000, 1000 },
		{ 600, 64, 1000, 1000 },	/* 300 needed: 512 < 1000 */
		{ 2100, 64, 1000, 2048 },	/* 1050 needed */
		{ 0, 0, HS_MAX, HS_MAX },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_hashsize(test, &cases[i]);
}

/* Nothing known yet: one bucket, expect_max 4, no crash. */
static void sipexpect_advice_hashsize_zero(struct kunit *test)
{
	static const struct hs_case cases[] = {
		{ 0, 0, 0, 1 },
		{ 0, 0, 16, 16 },
		{ 0, 0, 1, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_hashsize(test, &cases[i]);
}

/* What no unsigned int expect_max can give is refused. */
static void sipexpect_advice_hashsize_limits(struct kunit *test)
{
	static const u32 bad[][3] = {
		{ 0, 0xffffffff, 16 },
		{ 0xffffffff, 0, 16 },
		{ 0xffffffff, 0xffffffff, 0xffffffff },
		{ (1U << 29) + 1, 0, 0 },	/* 4 x 2^29 overflows the int */
		{ 0, (1U << 29) + 1, 0 },
		{ 1U << 31, 1U << 31, HS_MAX },
		{ 0, 0, HS_MAX + 1 },
		{ 28, 64, 0xffffffff },
		{ 0, 0, 1U << 31 },
	};
	unsigned int i;
	u32 hs;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_FALSE_MSG(test,
				       sipexpect_advice_hashsize(bad[i][0], bad[i][1],
								 bad[i][2], &hs),
				       "peak %u max %u hsize %u", bad[i][0],
				       bad[i][1], bad[i][2]);
}

/*
 * Every input, boundaries and pseudo-random ones: accepted exactly when
 * 2 x need fits 4 x 2^28 and the hash is no larger than 2^28; then the
 * result is the current hash, or the smallest power of two that gives
 * twice the need; and 4 x result fits the sysctl's int.
 */
struct hs_sweep {
	u64 checked, bad;
	u32 peak, max, hsize, got;
	bool ok;
};

static void hs_check(struct hs_sweep *s, u32 peak, u32 max, u32 hsize)
{
	u64 need = max3(peak, max, 1U);
	bool accept = DIV_ROUND_UP_ULL(need, 2) <= HS_MAX && hsize <= HS_MAX;
	u32 hs = 0;
	bool ok = sipexpect_advice_hashsize(peak, max, hsize, &hs);
	bool good = ok == accept;

	if (good && ok) {
		u64 pow = roundup_pow_of_two(DIV_ROUND_UP_ULL(need, 2));

		good = 4ULL * hs <= INT_MAX && hs >= hsize && hs >= 1 &&
		       4ULL * hs >= 2 * need && hs == max_t(u64, pow, hsize);
	}
	s->checked++;
	if (good)
		return;
	if (!s->bad++) {
		s->peak = peak;
		s->max = max;
		s->hsize = hsize;
		s->got = hs;
		s->ok = ok;
	}
}

static void sipexpect_advice_hashsize_sweep(struct kunit *test)
{
	static const u32 v[] = {
		0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4095,
		4096, 4097, 65535, 65536, 1U << 20, HS_MAX - 1, HS_MAX,
		HS_MAX + 1, (1U << 30) - 1, 1U << 30, (1U << 30) + 1,
		(1U << 31) - 1, 1U << 31, 0xfffffffe, 0xffffffff,
	};
	struct hs_sweep s = {};
	unsigned int i, j, k;
	u32 state = 99;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		for (j = 0; j < ARRAY_SIZE(v); j++)
			for (k = 0; k < ARRAY_SIZE(v); k++)
				hs_check(&s, v[i], v[j], v[k]);
	for (i = 0; i < 100000; i++) {
		u32 p, m, h;

		state = state * 1103515245 + 12345;
		p = state >> (state & 31);
		state = state * 1103515245 + 12345;
		m = state >> (state & 31);
		state = state * 1103515245 + 12345;
		h = state >> (state & 31);
		hs_check(&s, p, m, h);
	}
	KUNIT_EXPECT_EQ_MSG(test, s.bad, 0ULL,
			    "of %llu; first: peak %u max %u hsize %u -> %d, %u",
			    s.checked, s.peak, s.max, s.hsize, s.ok, s.got);
}

/* -- the advice text ---------------------------------------------------- */

static const char *advice_missed(struct kunit *test,
				 const struct sipexpect_totals *t,
				 const struct sipexpect_master_stats *worst,
				 const struct sipexpect_occupancy *occ,
				 u64 missed)
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	m->size = 8192;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m->buf);
	sipexpect_advice_show(m, t, worst, occ, missed);
	KUNIT_ASSERT_LT(test, m->count, m->size);
	m->buf[m->count] = '\0';
	return m->buf;
}

static const char *advice(struct kunit *test, const struct sipexpect_totals *t,
			  const struct sipexpect_master_stats *worst,
			  const struct sipexpect_occupancy *occ)
{
	return advice_missed(test, t, worst, occ, 0);
}

static void expect_has(struct kunit *test, const char *text, const char *s)
{
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(text, s), "missing: %s", s);
}

static void expect_has_not(struct kunit *test, const char *text, const char *s)
{
	KUNIT_EXPECT_NULL_MSG(test, strstr(text, s), "unexpected: %s", s);
}

static struct sipexpect_totals *test_totals(struct kunit *test)
{
	struct sipexpect_totals *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	return t;
}

static struct sipexpect_occupancy *test_occ(struct kunit *test, u32 max,
					    u32 hsize, u32 peak)
{
	struct sipexpect_occupancy *occ = kunit_kzalloc(test, sizeof(*occ),
							GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, occ);
	occ->max = max;
	occ->max_known = true;
	occ->hsize = hsize;
	occ->netns = kunit_kcalloc(test, 2, sizeof(*occ->netns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, occ->netns);
	occ->nr_netns = 2;
	/* The fullest netns is the second one. */
	occ->netns[0].netns = 4026531840U;
	occ->netns[0].peak = peak / 2;
	occ->netns[0].peak_at = get_jiffies_64() - 9 * HZ;
	occ->netns[1].netns = 4026532000U;
	occ->netns[1].count = peak;
	occ->netns[1].peak = peak;
	occ->netns[1].peak_at = get_jiffies_64() - 3 * HZ;
	return occ;
}

static void sipexpect_advice_show_table_full(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 64, 16, 64);
	const char *text;

	t->totals[SIPEXPECT_INSERT_OK] = 64;
	t->totals[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 28;
	t->totals[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 28;
	text = advice(test, t, NULL, occ);
	expect_has(test, text,
		   "28 SIP packets were dropped because the expectation table was full (-EMFILE)");
	expect_has(test, text,
		   "The table peaked at 64 expectations in netns 4026532000, 3 s ago; net.netfilter.nf_conntrack_expect_max is 64 (hash size 16).\n");
	expect_has(test, text,
		   "\n    options nf_conntrack expect_hashsize=32\n");
	expect_has(test, text,
		   "It gives expect_max 128 (4 x 32), at least twice the peak seen.\n");
	expect_has(test, text,
		   "sysctl -w net.netfilter.nf_conntrack_expect_max=128\n");
	expect_has(test, text, "Use the modprobe.d line.\n");
	expect_has_not(test, text, "Raise it first");
	expect_has_not(test, text, "dropped nothing");
	expect_has_not(test, text, "No SIP packet");
	expect_has_not(test, text, "another master");
}

/* expect_max lowered below its hash size's default by a sysctl. */
static void sipexpect_advice_show_max_lowered(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 64, 512, 64);
	const char *text;

	t->totals[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 5;
	t->totals[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 5;
	text = advice(test, t, NULL, occ);
	expect_has(test, text,
		   "expect_max is below this hash size's default (4 x 512 = 2048): a sysctl lowered it. Raise it first.\n");
	expect_has(test, text, "options nf_conntrack expect_hashsize=512\n");
}

static void sipexpect_advice_show_max_unknown(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 0, 16, 40);
	const char *text;

	occ->max_known = false;
	t->totals[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 1;
	t->totals[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 1;
	text = advice(test, t, NULL, occ);
	expect_has(test, text,
		   "the current expect_max could not be read (hash size 16).\n");
	/* Twice the peak of 40: 80, 20 buckets, rounded up to 32. */
	expect_has(test, text, "options nf_conntrack expect_hashsize=32\n");
	expect_has_not(test, text, "Raise it first");
}

/* No netns seen filling up (peak 0): sized from expect_max alone. */
static void sipexpect_advice_show_no_peak(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 256, 64, 0);
	const char *text;

	occ->nr_netns = 0;
	t->totals[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 2;
	t->totals[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 2;
	text = advice(test, t, NULL, occ);
	expect_has_not(test, text, "peaked");
	expect_has(test, text, "options nf_conntrack expect_hashsize=128\n");
}

static void sipexpect_advice_show_cannot_grow(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 1U << 31, HS_MAX,
						   1U << 31);
	const char *text;

	t->totals[SIPEXPECT_INSERT_FAIL_TABLE_FULL] = 9;
	t->totals[SIPEXPECT_DROPS_CAUSE_TABLE_FULL] = 9;
	text = advice(test, t, NULL, occ);
	expect_has(test, text, "The table cannot be made larger than it is");
	expect_has_not(test, text, "Fix:");
	expect_has_not(test, text, "expect_hashsize=");
	expect_has_not(test, text, "Raise it first");

	/* A hash larger than 2^28: no 4 x hsize overflow in the text either. */
	occ = test_occ(test, 64, HS_MAX + 1, 64);
	text = advice(test, t, NULL, occ);
	expect_has(test, text, "The table cannot be made larger than it is");
	expect_has_not(test, text, "Raise it first");
}

static void sipexpect_advice_show_conflict(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 4096, 1024, 30);
	struct sipexpect_master_stats *worst;
	const char *text;

	worst = kunit_kzalloc(test, sizeof(*worst), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, worst);
	worst->last_fail_fill.count = 10;
	worst->last_fail_fill.max = 64;
	t->totals[SIPEXPECT_INSERT_FAIL_EXISTS] = 3;
	t->totals[SIPEXPECT_INSERT_FAIL_CLASH] = 2;
	t->totals[SIPEXPECT_DROPS_CAUSE_EXISTS] = 3;
	t->totals[SIPEXPECT_DROPS_CAUSE_CLASH] = 2;
	text = advice(test, t, worst, occ);
	expect_has(test, text,
		   "5 SIP packets were dropped because another master already expects the same media address and port (3 after -EALREADY, exists) or every port tried overlapped one (2 after -EBUSY, clash).\n");
	expect_has(test, text, "the table held 10 of 64: it had room.");
	expect_has(test, text, "A larger expectation table will not help");
	expect_has_not(test, text, "expect_hashsize=");
	expect_has_not(test, text, "dropped nothing");

	text = advice(test, t, NULL, occ);
	expect_has(test, text,
		   "5 SIP packets were dropped because another master");
	expect_has_not(test, text, "the table held");
}

static void sipexpect_advice_show_nothing_dropped(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 4096, 1024, 30);

	t->totals[SIPEXPECT_INSERT_OK] = 7;
	KUNIT_EXPECT_STREQ(test, advice(test, t, NULL, occ),
			   "No SIP packet was dropped for an expectation since sipexpect was loaded or reset (7 inserts succeeded).\n");
}

/*
 * Drops with no failed insert seen, while the probes missed insert calls:
 * the cause is not known, and the text must not say it is no
 * expectation problem.
 */
static void sipexpect_advice_show_unknown_missed(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 4096, 1024, 30);
	const char *text;

	t->totals[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 3;
	text = advice_missed(test, t, NULL, occ, 5);
	expect_has(test, text, "no failed insert seen before them");
	expect_has(test, text, "sipexpect missed 5 calls");
	expect_has_not(test, text, "not an expectation problem");
	text = advice(test, t, NULL, occ);
	expect_has(test, text, "not an expectation problem");
}

/* Failed inserts without a drop, drops of another errno or of none. */
static void sipexpect_advice_show_tolerated(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 4096, 1024, 30);
	const char *text;

	t->totals[SIPEXPECT_INSERT_FAIL_CLASH] = 5;
	t->totals[SIPEXPECT_INSERT_FAIL_OTHER] = 2;
	t->totals[SIPEXPECT_DROPS_CAUSE_CLASH] = 1;
	t->totals[SIPEXPECT_DROPS_CAUSE_OTHER] = 1;
	t->totals[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 3;
	text = advice(test, t, NULL, occ);
	expect_has(test, text,
		   "\n5 failed inserts dropped nothing: the helper tolerated them");
	expect_has(test, text,
		   "\n1 SIP packets were dropped after an insert failed with another error");
	expect_has(test, text,
		   "\n3 SIP packets were dropped by the helper with no failed insert before them");
	expect_has(test, text,
		   "1 SIP packets were dropped because another master already expects the same media address and port (0 after -EALREADY, exists) or every port tried overlapped one (1 after -EBUSY, clash).\n");
	expect_has_not(test, text, "No SIP packet");
	expect_has_not(test, text, "expect_hashsize=");

	/* Only unknown causes: not "nothing dropped". */
	memset(t, 0, sizeof(*t));
	t->totals[SIPEXPECT_DROPS_CAUSE_UNKNOWN] = 1;
	text = advice(test, t, NULL, occ);
	expect_has(test, text,
		   "1 SIP packets were dropped by the helper with no failed insert");
	expect_has_not(test, text, "No SIP packet");
	expect_has_not(test, text, "dropped nothing");
}

/*
 * Media expectations removed before use: their own paragraph, no bigger
 * table; expired ones another, with the parameter that can cause them.
 * The normal ends (used, BYE, replaced) say nothing.
 */
static void sipexpect_advice_show_lost(struct kunit *test)
{
	struct sipexpect_totals *t = test_totals(test);
	struct sipexpect_occupancy *occ = test_occ(test, 4096, 1024, 30);
	const char *text;

	t->totals[SIPEXPECT_INSERT_OK] = 24;
	t->totals[SIPEXPECT_REMOVED_USED] = 1;
	t->totals[SIPEXPECT_REMOVED_ENDED] = 3;
	t->totals[SIPEXPECT_REMOVED_REPLACED] = 10;
	KUNIT_EXPECT_STREQ(test, advice(test, t, NULL, occ),
			   "No SIP packet was dropped for an expectation since sipexpect was loaded or reset (24 inserts succeeded).\n");

	t->totals[SIPEXPECT_REMOVED_FLUSHED_BY_INVITE] = 10;
	t->totals[SIPEXPECT_REMOVED_EVICTED] = 2;
	text = advice(test, t, NULL, occ);
	expect_has(test, text,
		   "12 media expectations were removed before their media came, while their call may still have needed them: 10 flushed by a new INVITE on the same signalling connection, 2 evicted at the helper's limit per connection");
	expect_has(test, text, "A larger expectation table will not help");
	expect_has(test, text, "not sysctls");
	expect_has_not(test, text, "expect_hashsize=");
	expect_has_not(test, text, "expired unused");

	memset(t, 0, sizeof(*t));
	t->totals[SIPEXPECT_REMOVED_EXPIRED_UNUSED] = 3;
	text = advice(test, t, NULL, occ);
	expect_has(test, text, "3 media expectations expired unused");
	expect_has(test, text, "sip_direct_media=0");
	expect_has_not(test, text, "removed before their media came");
}

static struct kunit_case sipexpect_advice_cases[] = {
	KUNIT_CASE(sipexpect_advice_hashsize_normal),
	KUNIT_CASE(sipexpect_advice_hashsize_keeps_larger_hash),
	KUNIT_CASE(sipexpect_advice_hashsize_zero),
	KUNIT_CASE(sipexpect_advice_hashsize_limits),
	KUNIT_CASE(sipexpect_advice_hashsize_sweep),
	KUNIT_CASE(sipexpect_advice_show_table_full),
	KUNIT_CASE(sipexpect_advice_show_max_lowered),
	KUNIT_CASE(sipexpect_advice_show_max_unknown),
	KUNIT_CASE(sipexpect_advice_show_no_peak),
	KUNIT_CASE(sipexpect_advice_show_cannot_grow),
	KUNIT_CASE(sipexpect_advice_show_conflict),
	KUNIT_CASE(sipexpect_advice_show_nothing_dropped),
	KUNIT_CASE(sipexpect_advice_show_tolerated),
	KUNIT_CASE(sipexpect_advice_show_unknown_missed),
	KUNIT_CASE(sipexpect_advice_show_lost),
	{}
};

static struct kunit_suite sipexpect_advice_suite = {
	.name = "sipexpect_advice",
	.test_cases = sipexpect_advice_cases,
};

kunit_test_suite(sipexpect_advice_suite);
