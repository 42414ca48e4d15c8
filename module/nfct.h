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

#include "core.h"

/* Fill *key from a master; false when it has no helper (nothing to blame). */
bool sipexpect_key_from_master(const struct nf_conn *master,
			       struct sipexpect_key *key);
/* Expectations the master holds now, all classes (what the kernel counts). */
u32 sipexpect_master_held(const struct nf_conn *master);
/* Helper of an expectation: its own (6.1.168+) or its master's. */
const struct nf_conntrack_helper *
sipexpect_exp_helper(const struct nf_conntrack_expect *exp);
/* Entries that /proc/net/nf_conntrack_expect shows (not dead, not expired). */
bool sipexpect_exp_visible(const struct nf_conntrack_expect *exp);

/*
 * The netns's expectation count as the kernel compares it with expect_max:
 * expect_create - expect_delete summed over CPUs (exact: both move under
 * nf_conntrack_expect_lock together with the count itself).
 */
u32 sipexpect_net_expect_count(const struct net *net);

/*
 * net.netfilter.nf_conntrack_expect_max: one global in nf_conntrack that is
 * not exported; resolved once at load. 0 when it could not be found.
 */
int sipexpect_nfct_init(void);
u32 sipexpect_expect_max(void);
bool sipexpect_expect_max_known(void);

#endif /* _SIPEXPECT_NFCT_H */
