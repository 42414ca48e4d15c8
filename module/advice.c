// SPDX-License-Identifier: GPL-2.0
/*
 * The advice file: what the counters mean for a firewall admin, in plain
 * sentences, with the exact line to fix a full table. It speaks from the
 * packets the helper dropped and the failed insert that caused each;
 * failed inserts the helper tolerated (it retries on -EBUSY, and without
 * NAT treats -EALREADY as done) dropped nothing and need no fix.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/log2.h>

#include "advice.h"

/*
 * 4 x hashsize must fit what the sysctl takes for expect_max: an int
 * (proc_dointvec), so at most 2^28 as a power of two.
 */
#define SIPEXPECT_HASHSIZE_MAX	BIT(28)

bool sipexpect_advice_hashsize(u32 peak, u32 max, u32 hsize, u32 *hashsize)
{
	/* A full table hides the real demand: size for twice what it held. */
	u64 want = 2 * (u64)max3(peak, max, 1U);
	u64 hs = DIV_ROUND_UP_ULL(want, 4);

	if (hs > SIPEXPECT_HASHSIZE_MAX || hsize > SIPEXPECT_HASHSIZE_MAX)
		return false;
	/* The hash never shrinks below what it is now. */
	*hashsize = max_t(u32, roundup_pow_of_two((u32)hs), hsize);
	return true;
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

static void sipexpect_advice_table_full(struct seq_file *m, u64 drops,
					const struct sipexpect_occupancy *occ)
{
	const struct sipexpect_netns_fill *f = sipexpect_fullest(occ);
	u32 peak = f ? f->peak : 0;
	u32 hashsize;

	seq_printf(m, "%llu SIP packets were dropped because the expectation table was full (-EMFILE): calls lost their media and the helper dropped their SIP packets (\"all ports in use for SDP media\" / \"cannot add expectation\").\n",
		   drops);
	if (f && peak && f->peak_at)
		seq_printf(m, "The table peaked at %u expectations in netns %u, %llu s ago; ",
			   peak, f->netns, sipexpect_age_s(f->peak_at));
	else if (f && peak)
		seq_printf(m, "The table peaked at %u expectations in netns %u; ",
			   peak, f->netns);
	if (occ->max_known)
		seq_printf(m, "net.netfilter.nf_conntrack_expect_max is %u (hash size %u).\n",
			   occ->max, occ->hsize);
	else
		seq_printf(m, "the current expect_max could not be read (hash size %u).\n",
			   occ->hsize);

	if (occ->max_known && occ->hsize <= SIPEXPECT_HASHSIZE_MAX &&
	    occ->max < 4 * occ->hsize)
		seq_printf(m, "expect_max is below this hash size's default (4 x %u = %u): a sysctl lowered it. Raise it first.\n",
			   occ->hsize, 4 * occ->hsize);

	if (!sipexpect_advice_hashsize(peak, occ->max, occ->hsize, &hashsize)) {
		seq_puts(m, "The table cannot be made larger than it is: expect_max is already at the largest value nf_conntrack accepts. Fewer calls per box, or calls that end sooner, are the only way.\n");
		return;
	}
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
				      const struct sipexpect_master_stats *worst)
{
	seq_printf(m, "%llu SIP packets were dropped because another master already expects the same media address and port (%llu after -EALREADY, exists) or every port tried overlapped one (%llu after -EBUSY, clash).\n",
		   exists + clash, exists, clash);
	if (worst && worst->last_fail_fill.max)
		seq_printf(m, "At the last failure of the master that lost most, the table held %u of %u: it had room. ",
			   worst->last_fail_fill.count,
			   worst->last_fail_fill.max);
	seq_puts(m, "A larger expectation table will not help: the insert is refused because the tuple is taken, not for lack of space. Typical cause: two phones behind the NAT announce the same RTP port to the same server, so after NAT both calls expect the same media tuple; or one phone offers audio and video on one port through NAT. Give the phones distinct RTP port ranges, and see which masters in the masters file have drops_cause_exists or drops_cause_clash.\n");
}

/*
 * What nf_conntrack_sip removes without a word: it assumes one call at a
 * time per signalling connection. Its per-class limits (sip_exp_policy)
 * are constants of the source, not parameters.
 */
static void sipexpect_advice_lost(struct seq_file *m, u64 flushed, u64 evicted)
{
	seq_printf(m, "%llu media expectations were removed before their media came, while their call may still have needed them: %llu flushed by a new INVITE on the same signalling connection, %llu evicted at the helper's limit per connection (4 audio, 4 video, 2 image). Their calls lose the media that should come back in through the NAT: one-way or no audio, and no line in the log.\n",
		   flushed + evicted, flushed, evicted);
	seq_puts(m, "This happens when one SIP connection carries several calls at once (a trunk between a PBX and a provider or an SBC): nf_conntrack_sip assumes one call at a time per connection, and every INVITE flushes the media expectations of the calls before it. A larger expectation table will not help, and the limits are constants in nf_conntrack_sip.c, not sysctls or module parameters. What helps: keep the trunk's media off the helper (the PBX or an SBC/RTP proxy handles the NAT itself: its public address in the SDP and its RTP port range forwarded, and no SIP helper on the trunk's traffic), or one signalling connection per call. The masters file shows which connections lost them (expect_removed_flushed_by_invite, expect_removed_evicted), the recent file each expectation's port and time.\n");
}

static void sipexpect_advice_expired(struct seq_file *m, u64 expired)
{
	seq_printf(m, "%llu media expectations expired unused (the helper waits 3 minutes). Most are normal: media in each direction sets itself up from whichever side sends first, so the other expectation of a call's pair, or the RTCP a phone never sends, waits in vain. They point at a problem only when a call had no media through this box at all (one-way or no audio): its media went another way, around this box or from another address than the one that signals. nf_conntrack_sip expects media only from the signalling peer's address while sip_direct_media=1 (its default); a provider or SBC that sends media from other addresses needs \"options nf_conntrack_sip sip_direct_media=0\" in /etc/modprobe.d/. The trace event sipexpect:expect_removed shows each with its port and time.\n",
		   expired);
}

void sipexpect_advice_show(struct seq_file *m,
			   const struct sipexpect_totals *sip,
			   const struct sipexpect_master_stats *worst,
			   const struct sipexpect_occupancy *occ,
			   u64 missed_inserts)
{
	const u64 *t = sip->totals;
	u64 full = t[SIPEXPECT_DROPS_CAUSE_TABLE_FULL];
	u64 exists = t[SIPEXPECT_DROPS_CAUSE_EXISTS];
	u64 clash = t[SIPEXPECT_DROPS_CAUSE_CLASH];
	u64 other = t[SIPEXPECT_DROPS_CAUSE_OTHER];
	u64 unknown = t[SIPEXPECT_DROPS_CAUSE_UNKNOWN];
	u64 caused = full + exists + clash + other;
	u64 raw = sipexpect_sum(t, SIPEXPECT_FIRST_INSERT_FAIL,
				SIPEXPECT_LAST_INSERT_FAIL);
	/* Each dropped packet took one failed insert as its cause. */
	u64 tolerated = raw > caused ? raw - caused : 0;

	if (full)
		sipexpect_advice_table_full(m, full, occ);
	if (exists + clash)
		sipexpect_advice_conflict(m, exists, clash, worst);
	if (other)
		seq_printf(m, "%llu SIP packets were dropped after an insert failed with another error (out of memory, or an error this version does not know): see expect_insert_fail_other and the recent file.\n",
			   other);
	if (unknown && missed_inserts)
		seq_printf(m, "%llu SIP packets were dropped by the helper with no failed insert seen before them. sipexpect missed %llu calls of the insert functions (probe_expect_insert*_missed in status), so some of them may have had one: their cause is not known.\n",
			   unknown, missed_inserts);
	else if (unknown)
		seq_printf(m, "%llu SIP packets were dropped by the helper with no failed insert before them: not an expectation problem (a message it could not parse or rewrite); see helper_drop_* in stats and the recent file.\n",
			   unknown);
	if (t[SIPEXPECT_REMOVED_FLUSHED_BY_INVITE] + t[SIPEXPECT_REMOVED_EVICTED])
		sipexpect_advice_lost(m, t[SIPEXPECT_REMOVED_FLUSHED_BY_INVITE],
				      t[SIPEXPECT_REMOVED_EVICTED]);
	if (t[SIPEXPECT_REMOVED_EXPIRED_UNUSED])
		sipexpect_advice_expired(m, t[SIPEXPECT_REMOVED_EXPIRED_UNUSED]);
	if (!caused && !unknown)
		seq_printf(m, "No SIP packet was dropped for an expectation since sipexpect was loaded or reset (%llu inserts succeeded).\n",
			   t[SIPEXPECT_INSERT_OK]);
	if (tolerated)
		seq_printf(m, "%llu failed inserts dropped nothing: the helper tolerated them (it retries the next port after -EBUSY, and without NAT treats -EALREADY as done), and their calls went on. Nothing to fix for them.\n",
			   tolerated);
}
