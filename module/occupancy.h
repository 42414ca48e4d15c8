/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How full the expectation table is, per netns, helper and class, and the
 * peak each netns reached since load or reset.
 */
#ifndef _SIPEXPECT_OCCUPANCY_H
#define _SIPEXPECT_OCCUPANCY_H

#include <net/net_namespace.h>

#include "core.h"

#define SIPEXPECT_TOP_HELD	10

struct sipexpect_netns_fill {
	u32 netns;
	u32 count;		/* what the kernel compares with expect_max */
	u32 peak;
	u64 peak_at;		/* jiffies64; valid when peak > 0 */
};

struct sipexpect_class_fill {
	u32 netns;
	char helper[SIPEXPECT_HELPER_NAME_LEN];
	char class_name[SIPEXPECT_HELPER_NAME_LEN];
	u32 class;
	unsigned long helper_id;	/* the helper's address, compared only */
	u32 count;		/* hashed, so counted against expect_max */
	u32 visible;		/* shown by /proc/net/nf_conntrack_expect */
	u32 permanent;
};

struct sipexpect_held_master {
	struct sipexpect_key key;
	u32 held;
};

struct sipexpect_occupancy {
	u32 max;		/* net.netfilter.nf_conntrack_expect_max */
	bool max_known;
	u32 hsize;		/* nf_ct_expect_hsize */
	unsigned int nr_netns;
	struct sipexpect_netns_fill *netns;
	unsigned int nr_classes;
	/* Expectations of classes past the table's room, not shown. */
	unsigned int expectations_omitted;
	unsigned int last_class;	/* the walk's last slot, a hint */
	struct sipexpect_class_fill *classes;
	unsigned int nr_top;
	struct sipexpect_held_master top[SIPEXPECT_TOP_HELD];
};

int sipexpect_occupancy_init(void);
void sipexpect_occupancy_exit(void);
void sipexpect_occupancy_reset(void);

/* From the insert probe: the netns's count right after an insert. */
void sipexpect_occupancy_note(const struct net *net, u32 count);

/* Process context; walks the expectation hash under RCU. */
struct sipexpect_occupancy *sipexpect_occupancy_take(void);
void sipexpect_occupancy_free(struct sipexpect_occupancy *occ);

/*
 * Each record's held, from the kernel's own per-master count of the
 * expectations it holds now (found by walking the hash); 0 when the master
 * holds none. -ENOMEM when the walk's index cannot be allocated.
 */
int sipexpect_snapshot_fill_held(struct sipexpect_snapshot *snap);

#endif /* _SIPEXPECT_OCCUPANCY_H */
