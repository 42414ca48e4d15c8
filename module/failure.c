// SPDX-License-Identifier: GPL-2.0
/* Failures as text, the same for the trace events and the debugfs files. */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/netfilter.h>

#include "errnos.h"
#include "failure.h"

void sipexpect_fmt_addr(char *buf, u8 l3, const union nf_inet_addr *a)
{
	if (l3 == NFPROTO_IPV6)
		snprintf(buf, SIPEXPECT_ADDR_LEN, "%pI6c", &a->in6);
	else
		snprintf(buf, SIPEXPECT_ADDR_LEN, "%pI4", &a->ip);
}

void sipexpect_fmt_err(char *buf, s32 err)
{
#define SIPEXPECT_ERRNO_NAME(err, SUFFIX, suffix)	{ -(err), #err },
	static const struct {
		s32 err;
		const char *name;
	} names[] = {
		SIPEXPECT_INSERT_ERRNOS(SIPEXPECT_ERRNO_NAME)
		/* A master without helper extension: no counter, a name. */
		{ -ESHUTDOWN, "ESHUTDOWN" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (names[i].err == err) {
			strscpy(buf, names[i].name, SIPEXPECT_ERR_LEN);
			return;
		}
	}
	snprintf(buf, SIPEXPECT_ERR_LEN, "%d", err);
}

u64 sipexpect_age_s(u64 stamp)
{
	return div_u64(get_jiffies_64() - stamp, HZ);
}

const char *sipexpect_l3_name(u8 l3)
{
	return l3 == NFPROTO_IPV6 ? "ipv6" : "ipv4";
}

const char *sipexpect_l4_name(u8 l4)
{
	switch (l4) {
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_TCP:
		return "tcp";
	default:
		return NULL;
	}
}

static const char *sipexpect_counter_suffix(u8 c, const char *prefix)
{
	if (c >= SIPEXPECT_NR_COUNTERS)
		return "-";
	return sipexpect_counter_names[c] + strlen(prefix);
}

const char *sipexpect_message_name(u8 message)
{
	if (message < SIPEXPECT_FIRST_MESSAGE || message > SIPEXPECT_LAST_MESSAGE)
		return "-";
	return sipexpect_counter_suffix(message, "helper_drop_");
}

const char *sipexpect_cause_name(u8 cause)
{
	if (cause < SIPEXPECT_FIRST_CAUSE || cause > SIPEXPECT_LAST_CAUSE)
		return "-";
	return sipexpect_counter_suffix(cause, "drops_cause_");
}

const char *sipexpect_removed_name(u8 removed)
{
	if (removed < SIPEXPECT_FIRST_REMOVED || removed > SIPEXPECT_LAST_REMOVED)
		return "-";
	return sipexpect_counter_suffix(removed, "expect_removed_");
}

const char *sipexpect_failure_event(u8 kind)
{
	switch (kind) {
	case SIPEXPECT_FAILURE_DROP:
		return "helper_drop";
	case SIPEXPECT_FAILURE_REMOVED:
		return "expect_removed";
	default:
		return "expect_insert_failed";
	}
}

void sipexpect_show_key(struct seq_file *m, const struct sipexpect_key *key)
{
	const char *proto = sipexpect_l4_name(key->l4);
	char src[SIPEXPECT_ADDR_LEN], dst[SIPEXPECT_ADDR_LEN];

	sipexpect_fmt_addr(src, key->l3, &key->src);
	sipexpect_fmt_addr(dst, key->l3, &key->dst);
	seq_printf(m, "netns=%u zone=%u l3=%s ", key->netns, key->zone,
		   sipexpect_l3_name(key->l3));
	if (proto)
		seq_printf(m, "proto=%s ", proto);
	else
		seq_printf(m, "proto=%u ", key->l4);
	seq_printf(m, "src=%s dst=%s sport=%u dport=%u helper=%s", src, dst,
		   key->sport, key->dport, key->helper);
}

void sipexpect_show_failure(struct seq_file *m,
			    const struct sipexpect_failure *f)
{
	char src[SIPEXPECT_ADDR_LEN], dst[SIPEXPECT_ADDR_LEN];
	char err[SIPEXPECT_ERR_LEN];

	if (f->kind == SIPEXPECT_FAILURE_DROP) {
		seq_printf(m, " message=%s cause=%s confirmed=%u",
			   sipexpect_message_name(f->message),
			   sipexpect_cause_name(f->cause), f->confirmed);
		return;
	}
	sipexpect_fmt_addr(src, f->key.l3, &f->exp_src);
	sipexpect_fmt_addr(dst, f->key.l3, &f->exp_dst);
	if (f->kind == SIPEXPECT_FAILURE_REMOVED) {
		seq_printf(m, " class=%s exp_src=%s exp_dst=%s exp_dport=%u removed=%s held=%u",
			   f->class_name, src, dst, f->exp_dport,
			   sipexpect_removed_name(f->removed), f->held);
		return;
	}
	sipexpect_fmt_err(err, f->err);
	seq_printf(m, " class=%s exp_src=%s exp_dst=%s exp_dport=%u err=%s count=%u max=%u held=%u",
		   f->class_name, src, dst, f->exp_dport, err, f->count,
		   f->max, f->held);
}
