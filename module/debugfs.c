// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/sipexpect/: the interface, a contract documented in
 * README.md. Reads are root-only (0400); reset is write-only (0200) so
 * that under lockdown, where writable debugfs files cannot be opened, the
 * read-only files keep working.
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/netfilter.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "debugfs.h"
#include "nfct.h"
#include "occupancy.h"
#include "probes.h"
#include "report.h"
#include "sipexpect.h"

static struct dentry *sipexpect_dir;

void sipexpect_show_key(struct seq_file *m, const struct sipexpect_key *key)
{
	const char *proto;

	switch (key->l4) {
	case IPPROTO_UDP:
		proto = "udp";
		break;
	case IPPROTO_TCP:
		proto = "tcp";
		break;
	default:
		proto = NULL;
	}
	seq_printf(m, "netns=%u zone=%u l3=%s ", key->netns, key->zone,
		   key->l3 == NFPROTO_IPV6 ? "ipv6" : "ipv4");
	if (proto)
		seq_printf(m, "proto=%s ", proto);
	else
		seq_printf(m, "proto=%u ", key->l4);
	if (key->l3 == NFPROTO_IPV6)
		seq_printf(m, "src=%pI6c dst=%pI6c ", &key->src.in6,
			   &key->dst.in6);
	else
		seq_printf(m, "src=%pI4 dst=%pI4 ", &key->src.ip, &key->dst.ip);
	seq_printf(m, "sport=%u dport=%u helper=%s", key->sport, key->dport,
		   key->helper);
}

u64 sipexpect_age_s(u64 stamp)
{
	return div_u64(get_jiffies_64() - stamp, HZ);
}

static void sipexpect_show_counters(struct seq_file *m, const char *prefix,
				    const u64 *counters)
{
	int c;

	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		seq_printf(m, "%s%s: %llu\n", prefix, sipexpect_counter_names[c],
			   counters[c]);
}

/* Both tables' counts; no records copied, nothing allocated. */
struct sipexpect_both_totals {
	struct sipexpect_totals sip;
	struct sipexpect_totals other;
};

static void sipexpect_totals_take_both(struct sipexpect_both_totals *t)
{
	sipexpect_probes_sync();
	sipexpect_totals_take(&sipexpect_sip_masters, &t->sip);
	sipexpect_totals_take(&sipexpect_other_masters, &t->other);
}

static int status_show(struct seq_file *m, void *v)
{
	struct sipexpect_both_totals t;

	sipexpect_totals_take_both(&t);
	seq_printf(m, "version: %s\n", SIPEXPECT_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "build_features: %s\n", SIPEXPECT_BUILD_FEATURES);
	sipexpect_probes_show(m);
	seq_printf(m, "expect_max_located: %s\n",
		   sipexpect_expect_max_known() ? "yes" : "no");
	seq_printf(m, "masters_tracked: %u\n", t.sip.nr_masters);
	seq_printf(m, "masters_limit: %u\n", t.sip.max_masters);
	seq_printf(m, "masters_evicted: %llu\n", t.sip.masters_evicted);
	seq_printf(m, "masters_netns_gone: %llu\n", t.sip.masters_netns_gone);
	seq_printf(m, "masters_alloc_failures: %llu\n", t.sip.alloc_failures);
	seq_printf(m, "other_helpers_masters_tracked: %u\n", t.other.nr_masters);
	seq_printf(m, "other_helpers_masters_limit: %u\n", t.other.max_masters);
	seq_printf(m, "other_helpers_masters_evicted: %llu\n",
		   t.other.masters_evicted);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(status);

static int stats_show(struct seq_file *m, void *v)
{
	struct sipexpect_both_totals t;

	sipexpect_totals_take_both(&t);
	sipexpect_show_counters(m, "", t.sip.totals);
	sipexpect_show_counters(m, "other_helpers_", t.other.totals);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/*
 * What stats counted that masters no longer lists: records evicted by the
 * bound or dropped with their netns (retired_), and events that found no
 * record to land in (unrecorded_). stats == masters + retired + unrecorded.
 */
static int retired_show(struct seq_file *m, void *v)
{
	struct sipexpect_both_totals t;

	sipexpect_totals_take_both(&t);
	sipexpect_show_counters(m, "retired_", t.sip.evicted);
	sipexpect_show_counters(m, "unrecorded_", t.sip.lost);
	sipexpect_show_counters(m, "other_helpers_retired_", t.other.evicted);
	sipexpect_show_counters(m, "other_helpers_unrecorded_", t.other.lost);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(retired);

/* Both tables' records, taken one after the other; -ENOMEM on failure. */
struct sipexpect_snapshots {
	struct sipexpect_snapshot *sip;
	struct sipexpect_snapshot *other;
};

static int sipexpect_take_both(struct sipexpect_snapshots *s)
{
	sipexpect_probes_sync();
	s->sip = sipexpect_snapshot_take(&sipexpect_sip_masters);
	s->other = sipexpect_snapshot_take(&sipexpect_other_masters);
	if (s->sip && s->other)
		return 0;
	sipexpect_snapshot_free(s->sip);
	sipexpect_snapshot_free(s->other);
	return -ENOMEM;
}

static void sipexpect_free_both(struct sipexpect_snapshots *s)
{
	sipexpect_snapshot_free(s->sip);
	sipexpect_snapshot_free(s->other);
}

static void sipexpect_show_master(struct seq_file *m,
				  const struct sipexpect_master_stats *st)
{
	int c;

	sipexpect_show_key(m, &st->key);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		seq_printf(m, " %s=%llu", sipexpect_counter_names[c],
			   st->counters[c]);
	seq_printf(m, " held=%u last_fail_count=%u last_fail_max=%u first_seen_s=%llu last_seen_s=%llu\n",
		   st->held, st->last_fail_fill.count, st->last_fail_fill.max,
		   sipexpect_age_s(st->first_seen),
		   sipexpect_age_s(st->last_seen));
}

/* SIP masters first, then other helpers', each most failures first. */
static int masters_show(struct seq_file *m, void *v)
{
	struct sipexpect_snapshots s;
	unsigned int i;

	if (sipexpect_take_both(&s))
		return -ENOMEM;
	for (i = 0; i < s.sip->counts.nr_masters; i++)
		sipexpect_show_master(m, &s.sip->masters[i]);
	for (i = 0; i < s.other->counts.nr_masters; i++)
		sipexpect_show_master(m, &s.other->masters[i]);
	sipexpect_free_both(&s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(masters);

static int occupancy_show(struct seq_file *m, void *v)
{
	struct sipexpect_occupancy *occ = sipexpect_occupancy_take();
	unsigned int i;

	if (!occ)
		return -ENOMEM;
	for (i = 0; i < occ->nr_netns; i++) {
		const struct sipexpect_netns_fill *f = &occ->netns[i];

		seq_printf(m, "netns=%u count=%u max=%u hsize=%u fill_pct=%u peak=%u",
			   f->netns, f->count, occ->max, occ->hsize,
			   occ->max ? (u32)div_u64((u64)f->count * 100, occ->max) : 0,
			   f->peak);
		if (f->peak)
			seq_printf(m, " peak_age_s=%llu\n",
				   sipexpect_age_s(f->peak_at));
		else
			seq_puts(m, " peak_age_s=-\n");
	}
	for (i = 0; i < occ->nr_classes; i++) {
		const struct sipexpect_class_fill *c = &occ->classes[i];

		seq_printf(m, "netns=%u helper=%s class=%s count=%u visible=%u permanent=%u\n",
			   c->netns, c->helper, c->class_name, c->count,
			   c->visible, c->permanent);
	}
	if (occ->classes_omitted)
		seq_printf(m, "classes_omitted=%u\n", occ->classes_omitted);
	for (i = 0; i < occ->nr_top; i++) {
		seq_printf(m, "top=%u ", i + 1);
		sipexpect_show_key(m, &occ->top[i].key);
		seq_printf(m, " held=%u\n", occ->top[i].held);
	}
	sipexpect_occupancy_free(occ);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(occupancy);

static int advice_show(struct seq_file *m, void *v)
{
	struct sipexpect_snapshot *sip;
	struct sipexpect_occupancy *occ;
	int err = -ENOMEM;

	sipexpect_probes_sync();
	sip = sipexpect_snapshot_take(&sipexpect_sip_masters);
	occ = sipexpect_occupancy_take();
	if (sip && occ) {
		sipexpect_advice_show(m, sip, occ);
		err = 0;
	}
	sipexpect_occupancy_free(occ);
	sipexpect_snapshot_free(sip);
	return err;
}
DEFINE_SHOW_ATTRIBUTE(advice);

static ssize_t reset_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	char buf[4] = {};

	/* Exactly "1", with or without a newline; anything else is refused. */
	if (len == 0 || len > 2 || copy_from_user(buf, ubuf, len) ||
	    strcmp(strim(buf), "1")) {
		pr_warn_ratelimited("reset: write 1 to reset the counters; nothing was changed\n");
		return -EINVAL;
	}
	/* What is staged happened before the reset: gone with the rest. */
	sipexpect_probes_sync();
	sipexpect_table_reset(&sipexpect_sip_masters);
	sipexpect_table_reset(&sipexpect_other_masters);
	sipexpect_occupancy_reset();
	pr_info("counters reset\n");
	return len;
}

static const struct file_operations reset_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= reset_write,
	.llseek	= noop_llseek,
};

void sipexpect_debugfs_init(void)
{
	/* debugfs failures are not fatal: the counting goes on regardless. */
	sipexpect_dir = debugfs_create_dir("sipexpect", NULL);
	debugfs_create_file("status", 0400, sipexpect_dir, NULL, &status_fops);
	debugfs_create_file("stats", 0400, sipexpect_dir, NULL, &stats_fops);
	debugfs_create_file("masters", 0400, sipexpect_dir, NULL, &masters_fops);
	debugfs_create_file("occupancy", 0400, sipexpect_dir, NULL,
			    &occupancy_fops);
	debugfs_create_file("advice", 0400, sipexpect_dir, NULL, &advice_fops);
	debugfs_create_file("retired", 0400, sipexpect_dir, NULL,
			    &retired_fops);
	debugfs_create_file("reset", 0200, sipexpect_dir, NULL, &reset_fops);
}

void sipexpect_debugfs_exit(void)
{
	debugfs_remove_recursive(sipexpect_dir);
}
