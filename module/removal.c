// SPDX-License-Identifier: GPL-2.0
/* Why the kernel removed an expectation (see removal.h). */
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "removal.h"

static const struct {
	const char *name;
	u8 site;
} sipexpect_sites[] = {
	{ "nf_ct_find_expectation",	SIPEXPECT_SITE_FIND },
	{ "nf_ct_expect_related_report", SIPEXPECT_SITE_INSERT },
	{ "__nf_ct_expect_check",	SIPEXPECT_SITE_INSERT },
	{ "evict_oldest_expect",	SIPEXPECT_SITE_INSERT },
	{ "nf_ct_expect_related_pair",	SIPEXPECT_SITE_INSERT },
	{ "nf_ct_remove_expectations",	SIPEXPECT_SITE_MASTER_GONE },
	{ "nf_ct_expectation_gc",	SIPEXPECT_SITE_EXPIRY },
	{ "nf_ct_expectation_timed_out", SIPEXPECT_SITE_EXPIRY },
	{ "nf_ct_expect_iterate_destroy", SIPEXPECT_SITE_ITERATE },
	{ "nf_ct_expect_iterate_net",	SIPEXPECT_SITE_ITERATE },
	{ "flush_expectations",		SIPEXPECT_SITE_SIP_FLUSH },
	{ "process_invite_request",	SIPEXPECT_SITE_SIP_INVITE },
	{ "process_bye_request",	SIPEXPECT_SITE_SIP_BYE },
	{ "process_invite_response",	SIPEXPECT_SITE_SIP_RESPONSE },
	{ "process_update_response",	SIPEXPECT_SITE_SIP_RESPONSE },
	{ "process_prack_response",	SIPEXPECT_SITE_SIP_RESPONSE },
	{ "process_register_request",	SIPEXPECT_SITE_SIP_REGISTER },
	{ "process_register_response",	SIPEXPECT_SITE_SIP_REGISTER },
};

u8 sipexpect_remove_site_by_name(const char *name)
{
	/* "flush_expectations.isra.0 [nf_conntrack_sip]": the name alone */
	size_t len = strcspn(name, ". ");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sipexpect_sites); i++)
		if (strlen(sipexpect_sites[i].name) == len &&
		    !strncmp(name, sipexpect_sites[i].name, len))
			return sipexpect_sites[i].site;
	return SIPEXPECT_SITE_OTHER;
}

u8 sipexpect_remove_site(const void *addr)
{
	char name[KSYM_SYMBOL_LEN];

	if (!addr)
		return SIPEXPECT_SITE_OTHER;
	sprint_symbol_no_offset(name, (unsigned long)addr);
	return sipexpect_remove_site_by_name(name);
}

enum sipexpect_counter sipexpect_removal_reason(const struct sipexpect_removal *r)
{
	/* flush_expectations() out of line: its caller names the message. */
	u8 site = r->site == SIPEXPECT_SITE_SIP_FLUSH ? r->flusher : r->site;

	/* nf_ct_unexpect_related(): the NAT helper's own cleanup */
	if (r->dead)
		return SIPEXPECT_REMOVED_WITHDRAWN;
	/* Reaped wherever the kernel came across it: it had waited in vain. */
	if (r->expired || site == SIPEXPECT_SITE_EXPIRY)
		return SIPEXPECT_REMOVED_EXPIRED_UNUSED;
	switch (site) {
	case SIPEXPECT_SITE_FIND:
		return SIPEXPECT_REMOVED_USED;
	case SIPEXPECT_SITE_INSERT:
		if (!r->in_insert)
			return SIPEXPECT_REMOVED_OTHER;
		return r->replaced ? SIPEXPECT_REMOVED_REPLACED :
				     SIPEXPECT_REMOVED_EVICTED;
	case SIPEXPECT_SITE_MASTER_GONE:
		return SIPEXPECT_REMOVED_MASTER_GONE;
	case SIPEXPECT_SITE_SIP_INVITE:
		return SIPEXPECT_REMOVED_FLUSHED_BY_INVITE;
	case SIPEXPECT_SITE_SIP_BYE:
	case SIPEXPECT_SITE_SIP_RESPONSE:
	case SIPEXPECT_SITE_SIP_REGISTER:
		return SIPEXPECT_REMOVED_ENDED;
	default:
		return SIPEXPECT_REMOVED_OTHER;
	}
}
