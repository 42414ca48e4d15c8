/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the kernel removed an expectation, from where it was removed.
 *
 * Every removal passes through nf_ct_unlink_expect_report(); its caller
 * says why. Kept apart from the probe: the sites are function names, and
 * the verdict a function of plain facts, so KUnit drives both directly.
 *
 *   nf_ct_find_expectation        its media came (or it had expired)
 *   nf_ct_expect_related_report,  an insert of the same master: the same
 *   __nf_ct_expect_check,         expectation again, or the oldest of its
 *   evict_oldest_expect,          class evicted at the per-class limit
 *   nf_ct_expect_related_pair
 *   nf_ct_remove_expectations     its master is going
 *   nf_ct_expectation_gc,         it expired (the GC worker; the timer
 *   nf_ct_expectation_timed_out   of kernels before 2026)
 *   nf_ct_expect_iterate_*        conntrack -F/-D, a helper or netns going
 *   flush_expectations            nf_conntrack_sip: its caller says which
 *                                 message (INVITE, BYE, a final response,
 *                                 REGISTER)
 */
#ifndef _SIPEXPECT_REMOVAL_H
#define _SIPEXPECT_REMOVAL_H

#include <linux/types.h>

#include "core.h"

enum sipexpect_remove_site {
	SIPEXPECT_SITE_OTHER,		/* anything not below */
	SIPEXPECT_SITE_INSERT,
	SIPEXPECT_SITE_FIND,
	SIPEXPECT_SITE_MASTER_GONE,
	SIPEXPECT_SITE_EXPIRY,
	SIPEXPECT_SITE_ITERATE,
	SIPEXPECT_SITE_SIP_FLUSH,	/* flush_expectations(), not inlined */
	/* nf_conntrack_sip's message handlers, which flush */
	SIPEXPECT_SITE_SIP_INVITE,
	SIPEXPECT_SITE_SIP_BYE,
	SIPEXPECT_SITE_SIP_RESPONSE,	/* a non-2xx final response */
	SIPEXPECT_SITE_SIP_REGISTER,
};

/* The site of a function name (a symbol, with or without .isra.0 etc.) */
u8 sipexpect_remove_site_by_name(const char *name);
/* The site of a code address: its symbol, looked up (not on a hot path). */
u8 sipexpect_remove_site(const void *addr);

/* What the removal handler knows of one removal. */
struct sipexpect_removal {
	u8 site;		/* who called nf_ct_unlink_expect_report() */
	u8 flusher;		/* for SIPEXPECT_SITE_SIP_FLUSH: who called it */
	bool dead;		/* NF_CT_EXPECT_DEAD: the helper took it back */
	bool expired;		/* its timeout had passed */
	bool replaced;		/* an insert of the same one, same master */
	bool in_insert;		/* the insert it happened in was found */
};

/* The SIPEXPECT_REMOVED_* counter of a removal. */
enum sipexpect_counter sipexpect_removal_reason(const struct sipexpect_removal *r);

#endif /* _SIPEXPECT_REMOVAL_H */
