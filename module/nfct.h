/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading live conntrack objects, only from inside a probe or under RCU:
 * everything is copied out by value (keys, counts), nothing is kept.
 */
#ifndef _SIPEXPECT_NFCT_H
#define _SIPEXPECT_NFCT_H

#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netns/generic.h>

#include "core.h"

/*
 * An RCU reader here is either under rcu_read_lock() or a probe handler:
 * kprobe, kretprobe and tracepoint handlers run with preemption disabled,
 * which is a read-side section already. The packet path's handlers rely
 * on that and skip rcu_read_lock(), an out-of-line call (two with the
 * unlock) on a kernel with preemptible RCU.
 */
#define sipexpect_rcu_dereference(p) \
	rcu_dereference_check(p, rcu_read_lock_any_held())

/* net_generic() without its own rcu_read_lock(). */
static inline void *sipexpect_net_generic(const struct net *net,
					  unsigned int id)
{
	return sipexpect_rcu_dereference(net->gen)->ptr[id];
}

/*
 * Fill *key from a master; its helper (valid while the caller remains an
 * RCU reader), or NULL when it has none (nothing to blame).
 */
const struct nf_conntrack_helper *
sipexpect_key_from_master(const struct nf_conn *master,
			  struct sipexpect_key *key);
/* A master's helper, as sipexpect_key_from_master() finds it, no key. */
static inline const struct nf_conntrack_helper *
sipexpect_master_helper(const struct nf_conn *master)
{
	const struct nf_conn_help *help = nfct_help(master);

	return help ? sipexpect_rcu_dereference(help->helper) : NULL;
}

/*
 * The SIP table's masters (key.h: sipexpect_key_is_sip()). By bytes: every
 * good insert asks, and a fortified memcmp() is a call.
 */
static inline bool sipexpect_helper_is_sip(const struct nf_conntrack_helper *h)
{
	return h->name[0] == 's' && h->name[1] == 'i' && h->name[2] == 'p' &&
	       !h->name[3];
}

/* Expectations the master holds now, all classes (what the kernel counts). */
u32 sipexpect_master_held(const struct nf_conn *master);
/* Helper of an expectation: its own (6.1.168+) or its master's. */
const struct nf_conntrack_helper *
sipexpect_exp_helper(const struct nf_conntrack_expect *exp);
/*
 * An expectation class's name as its helper's policy gives it ("audio",
 * "video", "signalling"), else (no helper, no name) the class number.
 */
void sipexpect_class_name(char dst[SIPEXPECT_HELPER_NAME_LEN],
			  const struct nf_conntrack_helper *helper, u32 class);
/* Entries that /proc/net/nf_conntrack_expect shows (not dead, not expired). */
bool sipexpect_exp_visible(const struct nf_conntrack_expect *exp);
bool sipexpect_exp_dead(const struct nf_conntrack_expect *exp);
bool sipexpect_exp_timed_out(const struct nf_conntrack_expect *exp);
/*
 * Whether @exp is the expectation described by the rest: what the helper
 * would insert again for it (@master only compared).
 */
static inline bool sipexpect_exp_is(const struct nf_conntrack_expect *exp,
				    const void *master, u8 class,
				    const struct nf_conntrack_tuple *tuple,
				    const struct nf_conntrack_tuple_mask *mask)
{
	return exp->master == master && exp->class == class &&
	       nf_ct_tuple_equal(&exp->tuple, tuple) &&
	       nf_ct_tuple_mask_equal(&exp->mask, mask);
}

/* The same expectation (class, master, tuple and mask) inserted again. */
static inline bool sipexpect_exp_same(const struct nf_conntrack_expect *a,
				      const struct nf_conntrack_expect *b)
{
	return sipexpect_exp_is(b, a->master, a->class, &a->tuple, &a->mask);
}

/*
 * The netns's expectation count, the very number the kernel compares with
 * expect_max: one read where nf_conntrack's per-netns data was located at
 * load (status: expect_count_source), else summed over every CPU's stats.
 */
u32 sipexpect_net_expect_count(const struct net *net);
/* The same, always from the per-CPU stats: a cross-check. */
u32 sipexpect_net_expect_count_percpu(const struct net *net);

/*
 * net.netfilter.nf_conntrack_expect_max: one global in nf_conntrack that is
 * not exported; found once at load. 0 when it could not be found.
 */
void sipexpect_nfct_init(void);
u32 sipexpect_expect_max(void);
bool sipexpect_expect_max_known(void);
/* "pernet" (one read) or "percpu_stats" (a sum over CPUs) */
const char *sipexpect_expect_count_source(void);

#endif /* _SIPEXPECT_NFCT_H */
