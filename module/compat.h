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
 * 5.18, 5.15.58), the receiving socket in 6.11, const in 7.2. Built only
 * where Kbuild found the netfilter drop reason and one of these prototypes
 * whole; elsewhere status shows the probe unavailable.
 */
#if defined(SIPEXPECT_HAVE_KFREE_SKB_CONST_RX_SK)
#define SIPEXPECT_KFREE_SKB_PROBE(fn)					\
	void fn(void *data, struct sk_buff *skb, void *location,	\
		enum skb_drop_reason reason, const struct sock *rx_sk)
#elif defined(SIPEXPECT_HAVE_KFREE_SKB_RX_SK)
#define SIPEXPECT_KFREE_SKB_PROBE(fn)					\
	void fn(void *data, struct sk_buff *skb, void *location,	\
		enum skb_drop_reason reason, struct sock *rx_sk)
#elif defined(SIPEXPECT_HAVE_KFREE_SKB_REASON)
#define SIPEXPECT_KFREE_SKB_PROBE(fn)					\
	void fn(void *data, struct sk_buff *skb, void *location,	\
		enum skb_drop_reason reason)
#endif

#if defined(SIPEXPECT_KFREE_SKB_PROBE) && defined(SIPEXPECT_HAVE_NETFILTER_DROP_REASON)
#define SIPEXPECT_HAVE_KFREE_SKB_PROBE
#endif

/*
 * 6.17 names what a workqueue is, bound (WQ_PERCPU) or not, and 7.x warns
 * at alloc_workqueue() when neither is said; before, bound was the default.
 */
#ifndef SIPEXPECT_HAVE_WQ_PERCPU
#define WQ_PERCPU 0
#endif

/*
 * 6.13 sets a timer's function when it is initialised (hrtimer_setup), and
 * 7.x removed hrtimer_init(). Only the KUnit suites' interrupt writers use
 * a timer.
 */
#ifndef SIPEXPECT_HAVE_HRTIMER_SETUP
#include <linux/hrtimer.h>
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

#endif /* _SIPEXPECT_COMPAT_H */
