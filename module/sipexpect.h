/* SPDX-License-Identifier: GPL-2.0 */
/* The module's state, shared by its parts. */
#ifndef _SIPEXPECT_H
#define _SIPEXPECT_H

#include "attrib.h"
#include "core.h"
#include "flush.h"
#include "addrcache.h"
#include "recent.h"
#include "recorded.h"
#include "stage.h"

/*
 * SIP masters and everything else: other helpers' failures are counted too,
 * but must never push a SIP phone's record out of the table.
 */
extern struct sipexpect_table sipexpect_sip_masters;
extern struct sipexpect_table sipexpect_other_masters;
/* Masters that may have a record, by address: the good inserts' shortcut. */
extern struct sipexpect_recorded sipexpect_recorded;
/* Between the packet path and the tables. */
extern struct sipexpect_stage sipexpect_stage;
extern struct sipexpect_attrib sipexpect_attrib;
extern struct sipexpect_recent sipexpect_recent;
/* Expectations an INVITE flushed, until its inserts are known. */
extern struct sipexpect_flush sipexpect_flush;
/* The helper lines' reasons, and the removals' sites, by address. */
extern struct sipexpect_addr_cache sipexpect_message_cache;
extern struct sipexpect_addr_cache sipexpect_site_cache;

/*
 * Settle the flushes that waited long enough, then fold what every CPU
 * staged: every reader calls this first.
 */
static inline void sipexpect_sync(void)
{
	sipexpect_flush_settle(&sipexpect_flush, false);
	sipexpect_stage_drain(&sipexpect_stage);
}

/* counters, peaks and recent failures back to zero */
void sipexpect_reset(void);

#endif /* _SIPEXPECT_H */
