/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences; force-included into every
 * object by Kbuild. Where Kbuild could probe the target headers it defined
 * SIPEXPECT_HAVE_* (listed in SIPEXPECT_BUILD_FEATURES); prefer those to
 * version numbers: Debian's 6.1.192 carries netfilter changes from 2026
 * that its version number does not tell.
 *
 * Shims here take mainline's names, so that the sources read as mainline.
 * The feature tests left in the sources are not API renames a shim could
 * hide, and stay where they are, each for its reason:
 *   - nfct.c, the one file that reads conntrack's internals, asks where
 *     the data lives on this kernel: the helper on the expectation or on
 *     its master (EXPECT_HELPER); expectations reaped by a GC worker with
 *     a DEAD flag (2026, EXP_IS_EXPIRED) or unlinked by a timer the
 *     moment they expire; the netns's expectation count in struct net
 *     (NETNS_CT_EXPECT_COUNT) or in nf_conntrack's private per-netns
 *     data, located at load. Each is a different design, not a name.
 *   - probes.c builds the skb:kfree_skb probe only where the tracepoint
 *     carries the netfilter drop reason (KFREE_SKB_PROBE, below); without
 *     it, status says the probe is unavailable.
 *   - CONFIG_X86 (probes.c's unwinder, nfct.c's MCOUNT_INSN_SIZE): the
 *     architecture, not the version.
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
