// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_recorded: the set of masters that may have a
 * record (module/recorded.c), by address. The addresses are never
 * dereferenced, so made-up ones do.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "../module/alloc.h"
#include "../module/recorded.c"

static struct sipexpect_recorded *recorded(struct kunit *test,
					   unsigned int addresses)
{
	struct sipexpect_recorded *r = kunit_kzalloc(test, sizeof(*r),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, sipexpect_recorded_init(r, addresses), 0);
	test->priv = r;
	return r;
}

static void recorded_test_exit(struct kunit *test)
{
	if (test->priv)
		sipexpect_recorded_exit(test->priv);
}

/* Conntrack-like addresses: 64-byte aligned, in the direct map. */
static const void *addr(unsigned long i)
{
	return (const void *)(0xffff888100000000UL + i * 64);
}

/* @n addresses from @from on that land in @r's bucket of addr(0). */
static unsigned int same_bucket(struct sipexpect_recorded *r,
				const void **out, unsigned int n)
{
	unsigned long *want = sipexpect_recorded_bucket(r, addr(0));
	unsigned long i;
	unsigned int found = 0;

	for (i = 0; found < n && i < 100000; i++)
		if (sipexpect_recorded_bucket(r, addr(i)) == want)
			out[found++] = addr(i);
	return found;
}

static void sipexpect_recorded_knows_what_was_added(struct kunit *test)
{
	struct sipexpect_recorded *r = recorded(test, 64);
	unsigned long i;

	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_FALSE(test, sipexpect_recorded_maybe(r, addr(i)));
	for (i = 0; i < 16; i += 2)
		sipexpect_recorded_add(r, addr(i));
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ_MSG(test, sipexpect_recorded_maybe(r, addr(i)),
				    i % 2 == 0, "address %lu", i);
	KUNIT_EXPECT_EQ(test, sipexpect_recorded_forgotten(r), 0ULL);
}

/* Added twice, held once: the bucket keeps its other ways. */
static void sipexpect_recorded_add_twice_one_slot(struct kunit *test)
{
	struct sipexpect_recorded *r = recorded(test, 64);
	const void *a[SIPEXPECT_RECORDED_WAYS];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, same_bucket(r, a, ARRAY_SIZE(a)),
			(unsigned int)ARRAY_SIZE(a));
	sipexpect_recorded_add(r, a[0]);
	sipexpect_recorded_add(r, a[0]);
	for (i = 1; i < ARRAY_SIZE(a); i++)
		sipexpect_recorded_add(r, a[i]);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		KUNIT_EXPECT_TRUE(test, sipexpect_recorded_maybe(r, a[i]));
	KUNIT_EXPECT_EQ(test, sipexpect_recorded_forgotten(r), 0ULL);
}

/* A full bucket pushes one out, and counts it. */
static void sipexpect_recorded_full_bucket_forgets_one(struct kunit *test)
{
	struct sipexpect_recorded *r = recorded(test, 64);
	const void *a[SIPEXPECT_RECORDED_WAYS + 1];
	unsigned int i, known = 0;

	KUNIT_ASSERT_EQ(test, same_bucket(r, a, ARRAY_SIZE(a)),
			(unsigned int)ARRAY_SIZE(a));
	for (i = 0; i < ARRAY_SIZE(a); i++)
		sipexpect_recorded_add(r, a[i]);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		known += sipexpect_recorded_maybe(r, a[i]);
	KUNIT_EXPECT_EQ(test, known, (unsigned int)SIPEXPECT_RECORDED_WAYS);
	/* The newest is always held. */
	KUNIT_EXPECT_TRUE(test, sipexpect_recorded_maybe(r, a[ARRAY_SIZE(a) - 1]));
	KUNIT_EXPECT_EQ(test, sipexpect_recorded_forgotten(r), 1ULL);
}

/* NULL (no master) is never added; sizes round up, 2 buckets at least. */
static void sipexpect_recorded_null_and_sizes(struct kunit *test)
{
	struct sipexpect_recorded *r = recorded(test, 1);

	KUNIT_EXPECT_EQ(test, r->bucket_bits, 1U);
	sipexpect_recorded_add(r, NULL);
	KUNIT_EXPECT_EQ(test, sipexpect_recorded_forgotten(r), 0ULL);
	KUNIT_EXPECT_FALSE(test, sipexpect_recorded_maybe(r, addr(1)));
	sipexpect_recorded_exit(r);
	KUNIT_ASSERT_EQ(test, sipexpect_recorded_init(r, 2 * 4096), 0);
	KUNIT_EXPECT_EQ(test, r->bucket_bits, 11U);
	sipexpect_recorded_exit(r);
	KUNIT_ASSERT_EQ(test, sipexpect_recorded_init(r, 100), 0);
	KUNIT_EXPECT_EQ(test, r->bucket_bits, 5U);	/* 25 -> 32 buckets */
}

static struct kunit_case sipexpect_recorded_cases[] = {
	KUNIT_CASE(sipexpect_recorded_knows_what_was_added),
	KUNIT_CASE(sipexpect_recorded_add_twice_one_slot),
	KUNIT_CASE(sipexpect_recorded_full_bucket_forgets_one),
	KUNIT_CASE(sipexpect_recorded_null_and_sizes),
	{}
};

static struct kunit_suite sipexpect_recorded_suite = {
	.name = "sipexpect_recorded",
	.exit = recorded_test_exit,
	.test_cases = sipexpect_recorded_cases,
};

kunit_test_suite(sipexpect_recorded_suite);
