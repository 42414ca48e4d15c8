/* SPDX-License-Identifier: GPL-2.0 */
/* The module's state, shared by its parts. */
#ifndef _SIPEXPECT_H
#define _SIPEXPECT_H

#include "attrib.h"
#include "core.h"
#include "msgreason.h"
#include "recent.h"
#include "stage.h"

/*
 * SIP masters and everything else: other helpers' failures are counted too,
 * but must never push a SIP phone's record out of the table.
 */
extern struct sipexpect_table sipexpect_sip_masters;
extern struct sipexpect_table sipexpect_other_masters;
/* Between the packet path and the tables. */
extern struct sipexpect_stage sipexpect_stage;
extern struct sipexpect_attrib sipexpect_attrib;
extern struct sipexpect_recent sipexpect_recent;
/* The helper lines' reasons, by address. */
extern struct sipexpect_msg_cache sipexpect_msg_cache;

/* Fold what every CPU staged: every reader calls this first. */
static inline void sipexpect_sync(void)
{
	sipexpect_stage_drain(&sipexpect_stage);
}

/* counters, peaks and recent failures back to zero */
void sipexpect_reset(void);

#endif /* _SIPEXPECT_H */
