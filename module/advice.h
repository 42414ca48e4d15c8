/* SPDX-License-Identifier: GPL-2.0 */
/* The advice file: what to do about what was counted (advice.c). */
#ifndef _SIPEXPECT_ADVICE_H
#define _SIPEXPECT_ADVICE_H

#include <linux/seq_file.h>

#include "core.h"
#include "failure.h"
#include "occupancy.h"

/*
 * The expect_hashsize that gives an expect_max of at least twice what the
 * table needed (its peak, or its max when it filled), never below the
 * current hash size. False when no hash size gives an expect_max
 * (4 x hashsize) the sysctl accepts, an int.
 */
bool sipexpect_advice_hashsize(u32 peak, u32 max, u32 hsize, u32 *hashsize);

/*
 * @worst: the master with most drops caused by a conflict, or NULL.
 * @missed_inserts: insert calls or returns the probes missed.
 */
void sipexpect_advice_show(struct seq_file *m,
			   const struct sipexpect_totals *sip,
			   const struct sipexpect_master_stats *worst,
			   const struct sipexpect_occupancy *occ,
			   u64 missed_inserts);

#endif /* _SIPEXPECT_ADVICE_H */
