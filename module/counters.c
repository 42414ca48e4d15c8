// SPDX-License-Identifier: GPL-2.0
/* The counters' names: the keys of stats and masters, the debugfs contract. */
#include "counters.h"

#define SIPEXPECT_INSERT_FAIL_NAME(err, SUFFIX, suffix)			\
	[SIPEXPECT_INSERT_FAIL_##SUFFIX] = "expect_insert_fail_" #suffix,
#define SIPEXPECT_DROPS_CAUSE_NAME(err, SUFFIX, suffix)			\
	[SIPEXPECT_DROPS_CAUSE_##SUFFIX] = "drops_cause_" #suffix,

const char * const sipexpect_counter_names[SIPEXPECT_NR_COUNTERS] = {
	[SIPEXPECT_INSERT_OK]			= "expect_insert_ok",
	SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_INSERT_FAIL_NAME)
	[SIPEXPECT_INSERT_FAIL_OTHER]		= "expect_insert_fail_other",
	[SIPEXPECT_MESSAGE_ALL_PORTS_SDP]		= "helper_drop_all_ports_in_use_sdp",
	[SIPEXPECT_MESSAGE_ALL_PORTS_SIP]		= "helper_drop_all_ports_in_use_sip",
	[SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION]	= "helper_drop_cannot_add_expectation",
	[SIPEXPECT_MESSAGE_OTHER]			= "helper_drop_other",
	[SIPEXPECT_DROPS_CONFIRMED]		= "drops_confirmed",
	SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_DROPS_CAUSE_NAME)
	[SIPEXPECT_DROPS_CAUSE_OTHER]		= "drops_cause_other",
	[SIPEXPECT_DROPS_CAUSE_UNKNOWN]		= "drops_cause_unknown",
	[SIPEXPECT_REMOVED_USED]		= "expect_removed_used",
	[SIPEXPECT_REMOVED_REPLACED]		= "expect_removed_replaced",
	[SIPEXPECT_REMOVED_ENDED]		= "expect_removed_ended",
	[SIPEXPECT_REMOVED_WITHDRAWN]		= "expect_removed_withdrawn",
	[SIPEXPECT_REMOVED_MASTER_GONE]		= "expect_removed_master_gone",
	[SIPEXPECT_REMOVED_OTHER]		= "expect_removed_other",
	[SIPEXPECT_REMOVED_FLUSHED_BY_INVITE]	= "expect_removed_flushed_by_invite",
	[SIPEXPECT_REMOVED_EVICTED]		= "expect_removed_evicted",
	[SIPEXPECT_REMOVED_EXPIRED_UNUSED]	= "expect_removed_expired_unused",
};
