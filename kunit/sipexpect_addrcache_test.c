// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_addrcache: what an address means, remembered per
 * CPU (module/addrcache.c), driven directly with the helper lines'
 * reasons by the address of their format strings.
 * sipexpect_message_counter() itself comes with the message suite's file.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "../module/addrcache.c"
#include "../module/message.h"

static u8 drop_reason_of(const void *fmt)
{
	return sipexpect_message_counter(fmt);
}

static int addrcache_test_init(struct kunit *test)
{
	struct sipexpect_addr_cache *mc = kunit_kzalloc(test, sizeof(*mc),
							GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mc);
	KUNIT_ASSERT_EQ(test, sipexpect_addr_cache_alloc(mc, drop_reason_of), 0);
	test->priv = mc;
	return 0;
}

static void addrcache_test_exit(struct kunit *test)
{
	sipexpect_addr_cache_free(test->priv);
}

/* As the log handler asks: preemption off. */
static u8 reason_here(struct sipexpect_addr_cache *mc, const char *fmt)
{
	u8 reason;

	preempt_disable();
	reason = sipexpect_addr_class(mc, fmt);
	preempt_enable();
	return reason;
}

/* Some CPU holds @fmt in a slot. */
static bool remembered(struct sipexpect_addr_cache *mc, const char *fmt)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < SIPEXPECT_ADDR_SLOTS; i++)
			if (READ_ONCE(per_cpu_ptr(mc->cpu, cpu)->addr[i]) == fmt)
				return true;
	return false;
}

static const char * const lines[] = {
	"all ports in use for SDP media",
	"all ports in use for SIP",
	"cannot add expectation for voice",
	"cannot add expectation",
	"cannot mangle SDP",
	"wrong port %u",
	"",
};

/* Learned or remembered, a line reads as the full comparison says. */
static void sipexpect_addrcache_same_as_compare(struct kunit *test)
{
	struct sipexpect_addr_cache *mc = test->priv;
	unsigned int i, round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < ARRAY_SIZE(lines); i++) {
			KUNIT_EXPECT_EQ_MSG(test, reason_here(mc, lines[i]),
					    (u8)sipexpect_message_counter(lines[i]),
					    "\"%s\", round %u", lines[i], round);
			KUNIT_EXPECT_TRUE(test, remembered(mc, lines[i]));
		}
	}
	KUNIT_EXPECT_EQ(test, reason_here(mc, NULL), (u8)SIPEXPECT_MESSAGE_OTHER);
	KUNIT_EXPECT_EQ(test, reason_here(mc, NULL), (u8)SIPEXPECT_MESSAGE_OTHER);
}

/*
 * The address is what counts, until a module goes: new contents at a
 * remembered address read as the old line (so the slot really was used),
 * and as themselves once the GOING event made every CPU forget. Any other
 * module event forgets nothing.
 */
static void sipexpect_addrcache_forgets_when_a_module_goes(struct kunit *test)
{
	struct sipexpect_addr_cache *mc = test->priv;
	struct notifier_block *nb = &mc->module_nb;
	char *line = kunit_kzalloc(test, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, line);
	strscpy(line, "all ports in use for SIP", 64);
	KUNIT_EXPECT_EQ(test, reason_here(mc, line),
			(u8)SIPEXPECT_MESSAGE_ALL_PORTS_SIP);
	strscpy(line, "cannot add expectation for voice", 64);
	KUNIT_EXPECT_EQ(test, reason_here(mc, line),
			(u8)SIPEXPECT_MESSAGE_ALL_PORTS_SIP);

	nb->notifier_call(nb, MODULE_STATE_COMING, NULL);
	nb->notifier_call(nb, MODULE_STATE_LIVE, NULL);
	KUNIT_EXPECT_TRUE(test, remembered(mc, line));
	nb->notifier_call(nb, MODULE_STATE_GOING, NULL);
	KUNIT_EXPECT_FALSE(test, remembered(mc, line));
	KUNIT_EXPECT_EQ(test, reason_here(mc, line),
			(u8)SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION);
}

/* More distinct lines than slots: the oldest make room, none reads wrong. */
static void sipexpect_addrcache_more_lines_than_slots(struct kunit *test)
{
	struct sipexpect_addr_cache *mc = test->priv;
	char *copies[2 * SIPEXPECT_ADDR_SLOTS + 1];
	unsigned int i, round;

	for (i = 0; i < ARRAY_SIZE(copies); i++) {
		copies[i] = kunit_kzalloc(test, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, copies[i]);
		strscpy(copies[i], lines[i % ARRAY_SIZE(lines)], 64);
	}
	for (round = 0; round < 2; round++)
		for (i = 0; i < ARRAY_SIZE(copies); i++)
			KUNIT_EXPECT_EQ_MSG(test, reason_here(mc, copies[i]),
					    (u8)sipexpect_message_counter(copies[i]),
					    "copy %u, round %u", i, round);
}

static struct kunit_case sipexpect_addrcache_cases[] = {
	KUNIT_CASE(sipexpect_addrcache_same_as_compare),
	KUNIT_CASE(sipexpect_addrcache_forgets_when_a_module_goes),
	KUNIT_CASE(sipexpect_addrcache_more_lines_than_slots),
	{}
};

static struct kunit_suite sipexpect_addrcache_suite = {
	.name = "sipexpect_addrcache",
	.init = addrcache_test_init,
	.exit = addrcache_test_exit,
	.test_cases = sipexpect_addrcache_cases,
};

kunit_test_suite(sipexpect_addrcache_suite);
