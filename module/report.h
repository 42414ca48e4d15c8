/* SPDX-License-Identifier: GPL-2.0 */
/* Text a person reads: key fields and the advice. */
#ifndef _SIPEXPECT_REPORT_H
#define _SIPEXPECT_REPORT_H

#include <linux/seq_file.h>

#include "core.h"
#include "occupancy.h"

/* "netns=... zone=... l3=... proto=... src=... dst=... sport=... dport=... helper=..." */
void sipexpect_show_key(struct seq_file *m, const struct sipexpect_key *key);
/* Seconds from a jiffies64 stamp to now. */
u64 sipexpect_age_s(u64 stamp);

void sipexpect_advice_show(struct seq_file *m,
			   const struct sipexpect_snapshot *sip,
			   const struct sipexpect_occupancy *occ);

#endif /* _SIPEXPECT_REPORT_H */
