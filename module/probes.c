// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: what the kernel's expectation path did, per master.
 *
 *   nf_ct_expect_related_report (kretprobe)  every insert and its errno
 *   nf_ct_expect_related_pair   (kretprobe)  RTP+RTCP inserted together
 *                                            (6.12.117+, 2026 backport)
 *   nf_ct_unlink_expect_report  (kprobe)     expectations a master holds
 *   nf_ct_helper_log            (kprobe)     the helper's drop message
 *   skb:kfree_skb               (tracepoint) that message's packet really
 *                                            dropped by netfilter
 *
 * All targets live in nf_conntrack (or the core kernel), never in the
 * helper modules, so nf_conntrack_sip and nf_nat_sip come and go freely.
 * A target this kernel lacks is reported and the rest keeps working.
 */
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/skbuff.h>
#include <trace/events/skb.h>

#include "nfct.h"
#include "occupancy.h"
#include "probes.h"
#include "sipexpect.h"

enum sipexpect_probe_state {
	SIPEXPECT_PROBE_DETACHED,
	SIPEXPECT_PROBE_ATTACHED,
	SIPEXPECT_PROBE_UNAVAILABLE,
};

static const char * const probe_names[SIPEXPECT_NR_PROBES] = {
	[SIPEXPECT_PROBE_EXPECT_INSERT]	= "expect_insert",
	[SIPEXPECT_PROBE_EXPECT_INSERT_PAIR] = "expect_insert_pair",
	[SIPEXPECT_PROBE_EXPECT_UNLINK]	= "expect_unlink",
	[SIPEXPECT_PROBE_HELPER_LOG]	= "helper_log",
	[SIPEXPECT_PROBE_KFREE_SKB]	= "kfree_skb",
};

static const char * const state_names[] = {
	[SIPEXPECT_PROBE_DETACHED]	= "detached",
	[SIPEXPECT_PROBE_ATTACHED]	= "attached",
	[SIPEXPECT_PROBE_UNAVAILABLE]	= "unavailable",
};

static enum sipexpect_probe_state probe_state[SIPEXPECT_NR_PROBES];
static int probe_error[SIPEXPECT_NR_PROBES];
static DEFINE_PER_CPU(unsigned long, probe_hits[SIPEXPECT_NR_PROBES]);

static void probe_hit(enum sipexpect_probe_id id)
{
	this_cpu_inc(probe_hits[id]);
}

/* -- expectation insert --------------------------------------------- */

/* Lives only for the duration of one insert call. */
struct sipexpect_insert_call {
	struct sipexpect_key key;
	const struct nf_conn *master;
	const struct net *net;
	unsigned int nr_exp;		/* 2 for a pair */
};

static int sipexpect_insert_begin(struct sipexpect_insert_call *call,
				  const struct nf_conntrack_expect *exp,
				  unsigned int nr_exp)
{
	bool ok;

	if (!exp || !exp->master)
		return 1;
	rcu_read_lock();
	ok = sipexpect_key_from_master(exp->master, &call->key);
	rcu_read_unlock();
	if (!ok)
		return 1;	/* no helper: nothing to attribute */
	call->master = exp->master;
	call->net = nf_ct_net(exp->master);
	call->nr_exp = nr_exp;
	return 0;
}

static int sipexpect_insert_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	probe_hit(SIPEXPECT_PROBE_EXPECT_INSERT);
	return sipexpect_insert_begin((void *)ri->data,
				      (const void *)regs_get_kernel_argument(regs, 0),
				      1);
}

/* nf_ct_expect_related_pair(expect[2], flags): one master, both or none. */
static int sipexpect_insert_pair_entry(struct kretprobe_instance *ri,
				       struct pt_regs *regs)
{
	struct nf_conntrack_expect **pair;

	probe_hit(SIPEXPECT_PROBE_EXPECT_INSERT_PAIR);
	pair = (struct nf_conntrack_expect **)regs_get_kernel_argument(regs, 0);
	return sipexpect_insert_begin((void *)ri->data, pair ? pair[0] : NULL, 2);
}

/* A failed pair counts once, with its errno; a good one inserted two. */
static int sipexpect_insert_return(struct kretprobe_instance *ri,
				   struct pt_regs *regs)
{
	struct sipexpect_insert_call *call = (void *)ri->data;
	struct sipexpect_table *table = sipexpect_table_for(&call->key);
	int err = (int)regs_return_value(regs);
	struct sipexpect_event ev = {
		.counter = sipexpect_insert_outcome(err),
		.has_held = true,
		.held = sipexpect_master_held(call->master),
	};
	u32 count = sipexpect_net_expect_count(call->net);

	if (err) {
		ev.fill.count = count;
		ev.fill.max = sipexpect_expect_max();
	}
	sipexpect_occupancy_note(call->net, count);
	sipexpect_account(table, &call->key, &ev);
	if (!err && call->nr_exp == 2)
		sipexpect_account(table, &call->key, &ev);
	return 0;
}

static struct kretprobe insert_probe = {
	.kp.symbol_name	= "nf_ct_expect_related_report",
	.entry_handler	= sipexpect_insert_entry,
	.handler	= sipexpect_insert_return,
	.data_size	= sizeof(struct sipexpect_insert_call),
};

static struct kretprobe insert_pair_probe = {
	.kp.symbol_name	= "nf_ct_expect_related_pair",
	.entry_handler	= sipexpect_insert_pair_entry,
	.handler	= sipexpect_insert_return,
	.data_size	= sizeof(struct sipexpect_insert_call),
};

/* -- expectation unlink --------------------------------------------- */

static int sipexpect_unlink_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct nf_conntrack_expect *exp;
	struct sipexpect_key key;
	u32 held;

	probe_hit(SIPEXPECT_PROBE_EXPECT_UNLINK);
	exp = (const void *)regs_get_kernel_argument(regs, 0);
	if (!exp || !exp->master)
		return 0;
	rcu_read_lock();
	if (sipexpect_key_from_master(exp->master, &key)) {
		/* Called before the master's count drops by this one. */
		held = sipexpect_master_held(exp->master);
		sipexpect_set_held(sipexpect_table_for(&key), &key,
				   held ? held - 1 : 0);
	}
	rcu_read_unlock();
	return 0;
}

static struct kprobe unlink_probe = {
	.symbol_name	= "nf_ct_unlink_expect_report",
	.pre_handler	= sipexpect_unlink_pre,
};

/* -- helper drop message and its confirmation ------------------------ */

/*
 * The drop a helper is logging, per CPU: a failing INVITE logs two lines
 * ("all ports in use for SDP media", "cannot add expectation for voice")
 * and netfilter then frees the skb in nf_hook_slow() on this CPU. Its
 * lines and that confirmation are staged here and counted in one table
 * update when the skb is freed, instead of one update each. Anything still
 * staged is counted by the next drop on this CPU or by any reader
 * (sipexpect_probes_sync()). The skb pointer is compared, never
 * dereferenced.
 */
struct sipexpect_pending_drop {
	spinlock_t lock;		/* the owner CPU, or a syncing reader */
	const struct sk_buff *skb;
	struct sipexpect_key key;
	unsigned long counters;		/* staged, not yet in the table */
};

/* Initialised statically: a netns may go away (and sync) before arming. */
static DEFINE_PER_CPU(struct sipexpect_pending_drop, pending_drop) = {
	.lock = __SPIN_LOCK_UNLOCKED(pending_drop.lock),
};

/*
 * Under pending->lock: take what is staged, to be counted unlocked. The skb
 * stays, so that its free still confirms the drop after a reader's sync.
 */
static unsigned long sipexpect_pending_take(struct sipexpect_pending_drop *pending,
					    struct sipexpect_key *key)
{
	unsigned long counters = pending->counters;

	*key = pending->key;
	pending->counters = 0;
	return counters;
}

static void sipexpect_count_staged(const struct sipexpect_key *key,
				   unsigned long counters)
{
	if (counters)
		sipexpect_account_counters(sipexpect_table_for(key), key,
					   counters);
}

/* Without the free to wait for, a line is counted the moment it is logged. */
static bool drops_confirmable(void)
{
	return READ_ONCE(probe_state[SIPEXPECT_PROBE_KFREE_SKB]) ==
	       SIPEXPECT_PROBE_ATTACHED;
}

static int sipexpect_helper_log_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct sk_buff *skb;
	const struct nf_conn *ct;
	const char *fmt;
	struct sipexpect_pending_drop *pending;
	struct sipexpect_key key, stale_key;
	unsigned long flags, stale = 0;
	enum sipexpect_counter reason;
	bool ok;

	probe_hit(SIPEXPECT_PROBE_HELPER_LOG);
	skb = (const void *)regs_get_kernel_argument(regs, 0);
	ct = (const void *)regs_get_kernel_argument(regs, 1);
	fmt = (const char *)regs_get_kernel_argument(regs, 2);
	if (!ct)
		return 0;
	rcu_read_lock();
	ok = sipexpect_key_from_master(ct, &key);
	rcu_read_unlock();
	if (!ok)
		return 0;
	/* fmt is the helper's constant format string (in its .rodata). */
	reason = sipexpect_drop_reason(fmt);
	if (!drops_confirmable()) {
		sipexpect_count_staged(&key, BIT(reason));
		return 0;
	}

	pending = this_cpu_ptr(&pending_drop);
	spin_lock_irqsave(&pending->lock, flags);
	/* Another packet's lines, or this line twice: count those first. */
	if (pending->counters &&
	    (pending->skb != skb || (pending->counters & BIT(reason)) ||
	     memcmp(&pending->key, &key, sizeof(key))))
		stale = sipexpect_pending_take(pending, &stale_key);
	pending->key = key;
	pending->counters |= BIT(reason);
	WRITE_ONCE(pending->skb, skb);
	spin_unlock_irqrestore(&pending->lock, flags);
	sipexpect_count_staged(&stale_key, stale);
	return 0;
}

static struct kprobe helper_log_probe = {
	.symbol_name	= "nf_ct_helper_log",
	.pre_handler	= sipexpect_helper_log_pre,
};

#ifdef SIPEXPECT_HAVE_NETFILTER_DROP_REASON
static SIPEXPECT_KFREE_SKB_PROBE(sipexpect_kfree_skb)
{
	struct sipexpect_pending_drop *pending = this_cpu_ptr(&pending_drop);
	struct sipexpect_key key;
	unsigned long flags, counters = 0;

	/* Hot: every dropped skb of the machine passes here. */
	if (likely(READ_ONCE(pending->skb) != skb))
		return;
	spin_lock_irqsave(&pending->lock, flags);
	if (pending->skb == skb) {
		probe_hit(SIPEXPECT_PROBE_KFREE_SKB);
		if (reason == SKB_DROP_REASON_NETFILTER_DROP)
			pending->counters |= BIT(SIPEXPECT_DROPS_CONFIRMED);
		counters = sipexpect_pending_take(pending, &key);
		WRITE_ONCE(pending->skb, NULL);
	}
	spin_unlock_irqrestore(&pending->lock, flags);
	sipexpect_count_staged(&key, counters);
}
#endif

void sipexpect_probes_sync(void)
{
	struct sipexpect_key key;
	unsigned long flags, counters;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct sipexpect_pending_drop *pending;

		pending = per_cpu_ptr(&pending_drop, cpu);
		spin_lock_irqsave(&pending->lock, flags);
		counters = sipexpect_pending_take(pending, &key);
		spin_unlock_irqrestore(&pending->lock, flags);
		sipexpect_count_staged(&key, counters);
	}
}

/* -- arming ------------------------------------------------------------ */

static void probe_result(enum sipexpect_probe_id id, int err)
{
	probe_error[id] = err;
	if (!err) {
		probe_state[id] = SIPEXPECT_PROBE_ATTACHED;
		return;
	}
	/* -ENOENT/-EINVAL: no such symbol or not probe-able on this kernel. */
	if (err == -ENOENT || err == -EINVAL || err == -EOPNOTSUPP) {
		probe_state[id] = SIPEXPECT_PROBE_UNAVAILABLE;
		pr_info("probe %s: not available in this kernel (%d)\n",
			probe_names[id], err);
		return;
	}
	probe_state[id] = SIPEXPECT_PROBE_DETACHED;
	pr_warn("probe %s not attached (%d); the other probes keep working\n",
		probe_names[id], err);
}

void sipexpect_probes_arm(void)
{
	/*
	 * Nested softirq and preemption can stack calls on one CPU, and a
	 * missed return is a failure nobody sees: err on the generous side
	 * (an instance is a few dozen bytes).
	 */
	insert_probe.maxactive = max(64U, 16 * num_possible_cpus());
	insert_pair_probe.maxactive = insert_probe.maxactive;
	probe_result(SIPEXPECT_PROBE_EXPECT_INSERT,
		     register_kretprobe(&insert_probe));
	probe_result(SIPEXPECT_PROBE_EXPECT_INSERT_PAIR,
		     register_kretprobe(&insert_pair_probe));
	probe_result(SIPEXPECT_PROBE_EXPECT_UNLINK,
		     register_kprobe(&unlink_probe));
	probe_result(SIPEXPECT_PROBE_HELPER_LOG,
		     register_kprobe(&helper_log_probe));
#ifdef SIPEXPECT_HAVE_NETFILTER_DROP_REASON
	probe_result(SIPEXPECT_PROBE_KFREE_SKB,
		     register_trace_kfree_skb(sipexpect_kfree_skb, NULL));
#else
	probe_result(SIPEXPECT_PROBE_KFREE_SKB, -EOPNOTSUPP);
#endif
}

void sipexpect_probes_disarm(void)
{
	if (probe_state[SIPEXPECT_PROBE_EXPECT_INSERT] == SIPEXPECT_PROBE_ATTACHED)
		unregister_kretprobe(&insert_probe);
	if (probe_state[SIPEXPECT_PROBE_EXPECT_INSERT_PAIR] ==
	    SIPEXPECT_PROBE_ATTACHED)
		unregister_kretprobe(&insert_pair_probe);
	if (probe_state[SIPEXPECT_PROBE_EXPECT_UNLINK] == SIPEXPECT_PROBE_ATTACHED)
		unregister_kprobe(&unlink_probe);
	if (probe_state[SIPEXPECT_PROBE_HELPER_LOG] == SIPEXPECT_PROBE_ATTACHED)
		unregister_kprobe(&helper_log_probe);
#ifdef SIPEXPECT_HAVE_NETFILTER_DROP_REASON
	if (probe_state[SIPEXPECT_PROBE_KFREE_SKB] == SIPEXPECT_PROBE_ATTACHED) {
		unregister_trace_kfree_skb(sipexpect_kfree_skb, NULL);
		tracepoint_synchronize_unregister();
	}
#endif
	memset(probe_state, 0, sizeof(probe_state));
}

static unsigned long probe_missed(enum sipexpect_probe_id id)
{
	switch (id) {
	case SIPEXPECT_PROBE_EXPECT_INSERT:
		return insert_probe.nmissed + insert_probe.kp.nmissed;
	case SIPEXPECT_PROBE_EXPECT_INSERT_PAIR:
		return insert_pair_probe.nmissed + insert_pair_probe.kp.nmissed;
	case SIPEXPECT_PROBE_EXPECT_UNLINK:
		return unlink_probe.nmissed;
	case SIPEXPECT_PROBE_HELPER_LOG:
		return helper_log_probe.nmissed;
	default:
		return 0;
	}
}

void sipexpect_probes_show(struct seq_file *m)
{
	int id, cpu;

	for (id = 0; id < SIPEXPECT_NR_PROBES; id++) {
		unsigned long hits = 0;

		for_each_possible_cpu(cpu)
			hits += per_cpu(probe_hits[id], cpu);
		seq_printf(m, "probe_%s: %s\n", probe_names[id],
			   state_names[probe_state[id]]);
		if (probe_state[id] != SIPEXPECT_PROBE_ATTACHED)
			seq_printf(m, "probe_%s_error: %d\n", probe_names[id],
				   probe_error[id]);
		seq_printf(m, "probe_%s_hits: %lu\n", probe_names[id], hits);
		seq_printf(m, "probe_%s_missed: %lu\n", probe_names[id],
			   probe_missed(id));
	}
}
