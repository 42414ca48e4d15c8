// SPDX-License-Identifier: GPL-2.0
/*
 * A netns going away: its masters must not outlive it (its inum may be
 * reused by a later one), nor come back from what is still staged, waits
 * for its free, or waits in the flush ring.
 */
#include <linux/overflow.h>
#include <net/net_namespace.h>

#include "alloc.h"
#include "netns.h"
#include "sipexpect.h"

/* The kernel tears netns down in batches: one pass for the whole batch. */
static void __net_exit sipexpect_netns_exit_batch(struct list_head *net_exit_list)
{
	unsigned int nr = 0, i = 0;
	struct net *net;
	u32 *inums;

	list_for_each_entry(net, net_exit_list, exit_list)
		nr++;
	inums = sipexpect_alloc(array_size(nr, sizeof(*inums)), GFP_KERNEL);
	/* A drop still waiting for its free must not bring a master back. */
	sipexpect_attrib_netns_gone(&sipexpect_attrib);
	sipexpect_sync();
	if (!inums) {
		/* One pass per netns: slower, and nothing lost. */
		list_for_each_entry(net, net_exit_list, exit_list) {
			sipexpect_flush_forget_netns(&sipexpect_flush,
						     &net->ns.inum, 1);
			sipexpect_table_forget_netns(&sipexpect_sip_masters,
						     net->ns.inum);
			sipexpect_table_forget_netns(&sipexpect_other_masters,
						     net->ns.inum);
		}
		return;
	}
	list_for_each_entry(net, net_exit_list, exit_list)
		inums[i++] = net->ns.inum;
	sipexpect_sort_netns(inums, nr);
	/* Flushed expectations waiting: they would bring a master back. */
	sipexpect_flush_forget_netns(&sipexpect_flush, inums, nr);
	sipexpect_table_forget_netns_set(&sipexpect_sip_masters, inums, nr);
	sipexpect_table_forget_netns_set(&sipexpect_other_masters, inums, nr);
	sipexpect_free(inums);
}

static struct pernet_operations sipexpect_netns_ops = {
	.exit_batch	= sipexpect_netns_exit_batch,
};

int sipexpect_netns_init(void)
{
	return register_pernet_subsys(&sipexpect_netns_ops);
}

/* Runs the batch for every netns still there, as if each went away. */
void sipexpect_netns_exit(void)
{
	unregister_pernet_subsys(&sipexpect_netns_ops);
}
