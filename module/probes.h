/* SPDX-License-Identifier: GPL-2.0 */
/* The hooks on the kernel's expectation path, and their health. */
#ifndef _SIPEXPECT_PROBES_H
#define _SIPEXPECT_PROBES_H

#include <linux/seq_file.h>

#include "attrib.h"
#include "failure.h"

enum sipexpect_probe_id {
	SIPEXPECT_PROBE_EXPECT_INSERT,	/* kretprobe nf_ct_expect_related_report */
	SIPEXPECT_PROBE_EXPECT_INSERT_PAIR, /* kretprobe nf_ct_expect_related_pair */
	SIPEXPECT_PROBE_HELPER_LOG,	/* kprobe nf_ct_helper_log */
	SIPEXPECT_PROBE_KFREE_SKB,	/* tracepoint skb:kfree_skb */
	SIPEXPECT_PROBE_EXPECT_REMOVE,	/* kprobe nf_ct_unlink_expect_report */
	SIPEXPECT_NR_PROBES
};

/* -ENOMEM if a probe could not be attached for lack of memory. */
int sipexpect_probes_arm(void);
bool sipexpect_probes_disarm(bool must_go);
void sipexpect_probes_show(struct seq_file *m);
/* Calls and returns of the insert functions the probes missed. */
u64 sipexpect_probes_missed_inserts(void);
/* A helper line resolved by attrib.c: trace event and recent. */
void sipexpect_report_drop(const struct sipexpect_drop_report *r);
/* An expectation lost (flushed, evicted, expired): trace event and recent. */
void sipexpect_report_removal(const struct sipexpect_failure *f);

#endif /* _SIPEXPECT_PROBES_H */
