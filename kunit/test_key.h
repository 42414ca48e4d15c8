/* SPDX-License-Identifier: GPL-2.0 */
/* The master keys the KUnit suites count under: 10.0.0.1 + n to 192.0.2.1. */
#ifndef _SIPEXPECT_TEST_KEY_H
#define _SIPEXPECT_TEST_KEY_H

#include <linux/netfilter.h>
#include <linux/string.h>

#include "../module/core.h"

#define TEST_NETNS	4026531840U

static inline struct sipexpect_key test_key_of(u32 n, const char *helper)
{
	struct sipexpect_key k;

	memset(&k, 0, sizeof(k));
	k.netns = TEST_NETNS;
	k.l3 = NFPROTO_IPV4;
	k.l4 = IPPROTO_UDP;
	k.src.ip = htonl(0x0a000001 + n);	/* 10.0.0.1 + n */
	k.dst.ip = htonl(0xc0000201);		/* 192.0.2.1 */
	k.sport = 5060;
	k.dport = 5060;
	strscpy(k.helper, helper, sizeof(k.helper));
	return k;
}

#endif /* _SIPEXPECT_TEST_KEY_H */
