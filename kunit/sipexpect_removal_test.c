// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_removal: why the kernel removed an expectation,
 * from where (module/removal.c), driven directly: the sites by the names
 * the kernels' symbols have, and the verdict for every fact.
 */
#include <kunit/test.h>
#include <linux/kallsyms.h>

#include "../module/removal.c"

/* The names Debian's 6.1, 6.12 and 7.3 builds give the removers. */
static void sipexpect_removal_sites_by_name(struct kunit *test)
{
	static const struct {
		const char *name;
		u8 site;
	} names[] = {
		{ "nf_ct_find_expectation", SIPEXPECT_SITE_FIND },
		{ "nf_ct_expect_related_report", SIPEXPECT_SITE_INSERT },
		{ "__nf_ct_expect_check", SIPEXPECT_SITE_INSERT },
		{ "evict_oldest_expect", SIPEXPECT_SITE_INSERT },
		{ "nf_ct_expect_related_pair", SIPEXPECT_SITE_INSERT },
		{ "nf_ct_remove_expectations", SIPEXPECT_SITE_MASTER_GONE },
		{ "nf_ct_expectation_gc", SIPEXPECT_SITE_EXPIRY },
		{ "nf_ct_expect_iterate_net", SIPEXPECT_SITE_ITERATE },
		{ "flush_expectations.isra.0", SIPEXPECT_SITE_SIP_FLUSH },
		{ "flush_expectations [nf_conntrack_sip]", SIPEXPECT_SITE_SIP_FLUSH },
		{ "process_invite_request", SIPEXPECT_SITE_SIP_INVITE },
		{ "process_bye_request", SIPEXPECT_SITE_SIP_BYE },
		{ "process_prack_response.constprop.0", SIPEXPECT_SITE_SIP_RESPONSE },
		{ "process_register_request", SIPEXPECT_SITE_SIP_REGISTER },
		/* A name only beginning like one is another function. */
		{ "nf_ct_find_expectation_locked", SIPEXPECT_SITE_OTHER },
		{ "flush", SIPEXPECT_SITE_OTHER },
		{ "", SIPEXPECT_SITE_OTHER },
		{ "0xffffffffc0a01234", SIPEXPECT_SITE_OTHER },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		KUNIT_EXPECT_EQ_MSG(test, sipexpect_remove_site_by_name(names[i].name),
				    names[i].site, "\"%s\"", names[i].name);
}

/* Named as nf_conntrack_sip's: kallsyms finds them in this module. */
static noinline void __used flush_expectations(void)
{
	barrier();
}

static noinline void __used process_invite_request(void)
{
	barrier();
}

/* An address inside a function, as a return address is. */
static void sipexpect_removal_sites_by_address(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sipexpect_remove_site((void *)flush_expectations + 1),
			SIPEXPECT_SITE_SIP_FLUSH);
	KUNIT_EXPECT_EQ(test, sipexpect_remove_site((void *)process_invite_request + 1),
			SIPEXPECT_SITE_SIP_INVITE);
	KUNIT_EXPECT_EQ(test, sipexpect_remove_site((void *)kunit_kmalloc_array + 1),
			SIPEXPECT_SITE_OTHER);
	KUNIT_EXPECT_EQ(test, sipexpect_remove_site(NULL), SIPEXPECT_SITE_OTHER);
}

static enum sipexpect_counter verdict(u8 site, u8 flusher)
{
	return sipexpect_removal_reason(&(struct sipexpect_removal) {
		.site = site, .flusher = flusher, .in_insert = true,
	});
}

/* What each site means when nothing else is known. */
static void sipexpect_removal_by_site(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_FIND, 0), SIPEXPECT_REMOVED_USED);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_INSERT, 0), SIPEXPECT_REMOVED_EVICTED);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_MASTER_GONE, 0),
			SIPEXPECT_REMOVED_MASTER_GONE);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_EXPIRY, 0),
			SIPEXPECT_REMOVED_EXPIRED_UNUSED);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_ITERATE, 0), SIPEXPECT_REMOVED_OTHER);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_OTHER, 0), SIPEXPECT_REMOVED_OTHER);
	/* Inlined into the message handlers, or called by them. */
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_SIP_INVITE, 0),
			SIPEXPECT_REMOVED_FLUSHED_BY_INVITE);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_SIP_FLUSH, SIPEXPECT_SITE_SIP_INVITE),
			SIPEXPECT_REMOVED_FLUSHED_BY_INVITE);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_SIP_FLUSH, SIPEXPECT_SITE_SIP_BYE),
			SIPEXPECT_REMOVED_ENDED);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_SIP_FLUSH, SIPEXPECT_SITE_SIP_RESPONSE),
			SIPEXPECT_REMOVED_ENDED);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_SIP_FLUSH, SIPEXPECT_SITE_SIP_REGISTER),
			SIPEXPECT_REMOVED_ENDED);
	/* A flush whose caller could not be told (no unwinder). */
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_SIP_FLUSH, SIPEXPECT_SITE_OTHER),
			SIPEXPECT_REMOVED_OTHER);
	KUNIT_EXPECT_EQ(test, verdict(SIPEXPECT_SITE_SIP_FLUSH, SIPEXPECT_SITE_SIP_FLUSH),
			SIPEXPECT_REMOVED_OTHER);
}

/*
 * The expectation's own state comes first: taken back by its helper, or
 * expired, wherever the kernel came across it. Inside an insert, the
 * same expectation again is no eviction; an insert that was not found
 * (its probe missed it) tells nothing.
 */
static void sipexpect_removal_state_first(struct kunit *test)
{
	static const u8 sites[] = {
		SIPEXPECT_SITE_FIND, SIPEXPECT_SITE_INSERT, SIPEXPECT_SITE_SIP_INVITE,
		SIPEXPECT_SITE_MASTER_GONE, SIPEXPECT_SITE_EXPIRY,
	};
	struct sipexpect_removal r = { .in_insert = true };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sites); i++) {
		r.site = sites[i];
		r.dead = true;
		r.expired = true;
		KUNIT_EXPECT_EQ(test, sipexpect_removal_reason(&r),
				SIPEXPECT_REMOVED_WITHDRAWN);
		r.dead = false;
		KUNIT_EXPECT_EQ(test, sipexpect_removal_reason(&r),
				SIPEXPECT_REMOVED_EXPIRED_UNUSED);
		r.expired = false;
	}
	r = (struct sipexpect_removal) {
		.site = SIPEXPECT_SITE_INSERT, .in_insert = true, .replaced = true,
	};
	KUNIT_EXPECT_EQ(test, sipexpect_removal_reason(&r), SIPEXPECT_REMOVED_REPLACED);
	r.in_insert = false;
	KUNIT_EXPECT_EQ(test, sipexpect_removal_reason(&r), SIPEXPECT_REMOVED_OTHER);
}

/* Every verdict is a removal counter, and the lost ones come last. */
static void sipexpect_removal_counters(struct kunit *test)
{
	struct sipexpect_removal r = {};
	enum sipexpect_counter c;
	unsigned int site, flusher;

	for (site = 0; site <= SIPEXPECT_SITE_SIP_REGISTER + 1; site++) {
		for (flusher = 0; flusher <= SIPEXPECT_SITE_SIP_REGISTER + 1; flusher++) {
			r.site = site;
			r.flusher = flusher;
			c = sipexpect_removal_reason(&r);
			KUNIT_EXPECT_GE(test, c, SIPEXPECT_FIRST_REMOVED);
			KUNIT_EXPECT_LE(test, c, SIPEXPECT_LAST_REMOVED);
		}
	}
	KUNIT_EXPECT_EQ(test, SIPEXPECT_LAST_REMOVED, SIPEXPECT_LAST_LOST);
	KUNIT_EXPECT_EQ(test, SIPEXPECT_FIRST_LOST, SIPEXPECT_REMOVED_FLUSHED_BY_INVITE);
}

static struct kunit_case sipexpect_removal_cases[] = {
	KUNIT_CASE(sipexpect_removal_sites_by_name),
	KUNIT_CASE(sipexpect_removal_sites_by_address),
	KUNIT_CASE(sipexpect_removal_by_site),
	KUNIT_CASE(sipexpect_removal_state_first),
	KUNIT_CASE(sipexpect_removal_counters),
	{}
};

static struct kunit_suite sipexpect_removal_suite = {
	.name = "sipexpect_removal",
	.test_cases = sipexpect_removal_cases,
};

kunit_test_suite(sipexpect_removal_suite);
