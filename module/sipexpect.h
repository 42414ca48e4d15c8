/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the module's parts: the two master tables. */
#ifndef _SIPEXPECT_H
#define _SIPEXPECT_H

#include "core.h"

/*
 * SIP masters and everything else: other helpers' failures are counted too,
 * but must never push a SIP phone's record out of the table.
 */
extern struct sipexpect_table sipexpect_sip_masters;
extern struct sipexpect_table sipexpect_other_masters;

static inline struct sipexpect_table *
sipexpect_table_for(const struct sipexpect_key *key)
{
	return strcmp(key->helper, "sip") ? &sipexpect_other_masters :
					    &sipexpect_sip_masters;
}

#endif /* _SIPEXPECT_H */
