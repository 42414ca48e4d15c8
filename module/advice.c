// SPDX-License-Identifier: GPL-2.0
/*
 * The advice file: what the counters mean for a firewall admin, in plain
 * sentences, with the exact line to fix a full table.
 */
#include <linux/jiffies.h>
#include <linux/log2.h>

#include "report.h"

static u64 sipexpect_sum(const struct sipexpect_snapshot *s,
			 enum sipexpect_counter first,
			 enum sipexpect_counter last)
{
	u64 sum = 0;
	int c;

	for (c = first; c <= last; c++)
		sum += s->counts.totals[c];
	return sum;
}

/* The netns that came closest to the limit (the host's if none did). */
static const struct sipexpect_netns_fill *
sipexpect_fullest(const struct sipexpect_occupancy *occ)
{
	const struct sipexpect_netns_fill *best = NULL;
	unsigned int i;

	for (i = 0; i < occ->nr_netns; i++)
		if (!best || occ->netns[i].peak > best->peak)
			best = &occ->netns[i];
	return best;
}

static void sipexpect_advice_table_full(struct seq_file *m, u64 full,
					const struct sipexpect_occupancy *occ)
{
	const struct sipexpect_netns_fill *f = sipexpect_fullest(occ);
	u32 peak = f ? f->peak : 0;
	u32 want, hashsize;

	seq_printf(m, "%llu SIP expectation inserts failed because the expectation table was full (-EMFILE): calls lost their media and the helper dropped their SIP packets (\"all ports in use for SDP media\" / \"cannot add expectation\").\n",
		   full);
	if (f && peak)
		seq_printf(m, "The table peaked at %u expectations in netns %u, %llu s ago; ",
			   peak, f->netns, sipexpect_age_s(f->peak_at));
	if (occ->max_known)
		seq_printf(m, "net.netfilter.nf_conntrack_expect_max is %u (hash size %u).\n",
			   occ->max, occ->hsize);
	else
		seq_printf(m, "the current expect_max could not be read (hash size %u).\n",
			   occ->hsize);

	if (occ->max_known && occ->max < 4 * occ->hsize)
		seq_printf(m, "expect_max is below this hash size's default (4 x %u = %u): a sysctl lowered it. Raise it first.\n",
			   occ->hsize, 4 * occ->hsize);

	/*
	 * A full table hides the real demand, so size from twice what was
	 * reached; expect_max is 4 * expect_hashsize, and the hash never
	 * shrinks below what it is.
	 */
	want = 2 * max3(peak, occ->max, 1U);
	hashsize = max(roundup_pow_of_two(DIV_ROUND_UP(want, 4)), occ->hsize);
	seq_puts(m, "Fix: put this line in /etc/modprobe.d/nf_conntrack.conf, then reload nf_conntrack or reboot:\n");
	seq_printf(m, "    options nf_conntrack expect_hashsize=%u\n", hashsize);
	seq_printf(m, "It gives expect_max %u (4 x %u), at least twice the peak seen.\n",
		   4 * hashsize, hashsize);
	seq_printf(m, "At runtime, until the next boot: sysctl -w net.netfilter.nf_conntrack_expect_max=%u\n",
		   4 * hashsize);
	seq_puts(m, "Trap: a line in /etc/sysctl.d/ does not survive a reboot here: systemd-sysctl applies it before nf_conntrack is loaded and logs \"Couldn't write '...' to 'net/netfilter/nf_conntrack_expect_max', ignoring: No such file or directory\". Use the modprobe.d line.\n");
}

static void sipexpect_advice_conflict(struct seq_file *m, u64 exists,
				      u64 clash,
				      const struct sipexpect_snapshot *sip)
{
	const struct sipexpect_master_stats *worst = NULL;
	unsigned int i;

	for (i = 0; i < sip->counts.nr_masters; i++) {
		const struct sipexpect_master_stats *s = &sip->masters[i];

		if (s->counters[SIPEXPECT_INSERT_FAIL_EXISTS] +
		    s->counters[SIPEXPECT_INSERT_FAIL_CLASH]) {
			worst = s;
			break;
		}
	}
	seq_printf(m, "%llu SIP expectation inserts failed because another master already expects the same media address and port (%llu exists, -EALREADY) or an overlapping one (%llu clash, -EBUSY).\n",
		   exists + clash, exists, clash);
	if (worst)
		seq_printf(m, "At the last such failure the table held %u of %u: it had room. ",
			   worst->last_fail_fill.count,
			   worst->last_fail_fill.max);
	seq_puts(m, "A larger expectation table will not help: the insert is refused because the tuple is taken, not for lack of space. Typical cause: two phones behind the NAT announce the same RTP port to the same server, so after NAT both calls expect the same media tuple. Give the phones distinct RTP port ranges, or check which masters in the masters file fail with expect_insert_fail_exists.\n");
}

void sipexpect_advice_show(struct seq_file *m,
			   const struct sipexpect_snapshot *sip,
			   const struct sipexpect_occupancy *occ)
{
	u64 full = sip->counts.totals[SIPEXPECT_INSERT_FAIL_TABLE_FULL];
	u64 exists = sip->counts.totals[SIPEXPECT_INSERT_FAIL_EXISTS];
	u64 clash = sip->counts.totals[SIPEXPECT_INSERT_FAIL_CLASH];
	u64 shutdown = sip->counts.totals[SIPEXPECT_INSERT_FAIL_SHUTDOWN];
	u64 other = sip->counts.totals[SIPEXPECT_INSERT_FAIL_OTHER];
	u64 drops = sipexpect_sum(sip, SIPEXPECT_FIRST_DROP, SIPEXPECT_LAST_DROP);

	if (full)
		sipexpect_advice_table_full(m, full, occ);
	if (exists + clash)
		sipexpect_advice_conflict(m, exists, clash, sip);
	if (shutdown)
		seq_printf(m, "%llu inserts failed because the master had lost its helper (-ESHUTDOWN): the helper was unloaded or its rule removed while calls were up.\n",
			   shutdown);
	if (other)
		seq_printf(m, "%llu inserts failed with another error (out of memory, or a kernel this version does not know).\n",
			   other);
	if (!full && !exists && !clash && !shutdown && !other) {
		seq_printf(m, "No SIP expectation insert failed since sipexpect was loaded or reset (%llu succeeded).",
			   sip->counts.totals[SIPEXPECT_INSERT_OK]);
		if (drops)
			seq_printf(m, " The SIP helper still dropped %llu packets for other reasons: see helper_drop_* in stats.",
				   drops);
		seq_puts(m, "\n");
	}
}
