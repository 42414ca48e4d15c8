// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_message: which counter each line the helper logs
 * goes to (module/message.c), from the helper's own format strings.
 */
#include <kunit/test.h>

#include "../module/message.c"

static void sipexpect_message_counters(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test,
			sipexpect_message_counter("all ports in use for SDP media"),
			SIPEXPECT_MESSAGE_ALL_PORTS_SDP);
	KUNIT_EXPECT_EQ(test, sipexpect_message_counter("all ports in use for SIP"),
			SIPEXPECT_MESSAGE_ALL_PORTS_SIP);
	KUNIT_EXPECT_EQ(test,
			sipexpect_message_counter("cannot add expectation for voice"),
			SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION);
	KUNIT_EXPECT_EQ(test, sipexpect_message_counter("cannot add expectation"),
			SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION);
	KUNIT_EXPECT_EQ(test, sipexpect_message_counter("cannot mangle SDP"),
			SIPEXPECT_MESSAGE_OTHER);
	KUNIT_EXPECT_EQ(test, sipexpect_message_counter("wrong port %u"),
			SIPEXPECT_MESSAGE_OTHER);
	KUNIT_EXPECT_EQ(test, sipexpect_message_counter(""), SIPEXPECT_MESSAGE_OTHER);
	KUNIT_EXPECT_EQ(test, sipexpect_message_counter(NULL), SIPEXPECT_MESSAGE_OTHER);
}

static struct kunit_case sipexpect_message_cases[] = {
	KUNIT_CASE(sipexpect_message_counters),
	{}
};

static struct kunit_suite sipexpect_message_suite = {
	.name = "sipexpect_message",
	.test_cases = sipexpect_message_cases,
};

kunit_test_suite(sipexpect_message_suite);
