/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences; force-included into every
 * object by Kbuild. Where Kbuild could probe the target headers it defined
 * SIPEXPECT_HAVE_* (listed in SIPEXPECT_BUILD_FEATURES); prefer those to
 * version numbers: Debian's 6.1.192 carries netfilter changes from 2026
 * that its version number does not tell.
 */
#ifndef _SIPEXPECT_COMPAT_H
#define _SIPEXPECT_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)
#error "sipexpect needs Linux 5.10 or later"
#endif

/*
 * A probe on skb:kfree_skb: the drop reason came in 5.17 (NETFILTER_DROP in
 * 5.18, 5.15.58), the receiving socket in 6.11. Without a netfilter drop
 * reason the probe is not built and status says so.
 */
#ifdef SIPEXPECT_HAVE_KFREE_SKB_RX_SK
#define SIPEXPECT_KFREE_SKB_PROBE(fn)					\
	void fn(void *data, struct sk_buff *skb, void *location,	\
		enum skb_drop_reason reason, struct sock *rx_sk)
#else
#define SIPEXPECT_KFREE_SKB_PROBE(fn)					\
	void fn(void *data, struct sk_buff *skb, void *location,	\
		enum skb_drop_reason reason)
#endif

#endif /* _SIPEXPECT_COMPAT_H */
