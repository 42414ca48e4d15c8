// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: what the kernel's expectation path did, per master.
 *
 *   nf_ct_expect_related_report (kretprobe)  every insert and its errno
 *   nf_ct_expect_related_pair   (kretprobe)  RTP+RTCP inserted together
 *                                            (6.12.117+, 2026 backport)
 *   nf_ct_helper_log            (kprobe)     the helper's drop message
 *   skb:kfree_skb               (tracepoint) that message's packet really
 *                                            dropped by netfilter
 *   nf_ct_unlink_expect_report  (kprobe)     every expectation removed,
 *                                            and why (removal.h)
 *
 * All targets live in nf_conntrack (or the core kernel), never in the
 * helper modules, so nf_conntrack_sip and nf_nat_sip come and go freely.
 * A target this kernel lacks is reported and the rest keeps working.
 *
 * Handlers copy what they need by value, hand counts to this CPU's stage
 * (no lock shared with other CPUs, no allocation: safe on PREEMPT_RT) and
 * record failures in the recent ring and the trace events.
 */
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/skbuff.h>
#include <linux/timekeeping.h>
#include <trace/events/skb.h>
#ifdef CONFIG_X86
#include <asm/unwind.h>
#endif

#include "events.h"
#include "nfct.h"
#include "occupancy.h"
#include "probes.h"
#include "removal.h"
#include "unprobe.h"
#include "sipexpect.h"

enum sipexpect_probe_state {
	SIPEXPECT_PROBE_DETACHED,
	SIPEXPECT_PROBE_ATTACHED,
	SIPEXPECT_PROBE_UNAVAILABLE,
	SIPEXPECT_PROBE_KEPT,		/* the kernel could not disarm it */
};

static const char * const probe_names[SIPEXPECT_NR_PROBES] = {
	[SIPEXPECT_PROBE_EXPECT_INSERT]	= "expect_insert",
	[SIPEXPECT_PROBE_EXPECT_INSERT_PAIR] = "expect_insert_pair",
	[SIPEXPECT_PROBE_HELPER_LOG]	= "helper_log",
	[SIPEXPECT_PROBE_KFREE_SKB]	= "kfree_skb",
	[SIPEXPECT_PROBE_EXPECT_REMOVE]	= "expect_remove",
};

static const char * const state_names[] = {
	[SIPEXPECT_PROBE_DETACHED]	= "detached",
	[SIPEXPECT_PROBE_ATTACHED]	= "attached",
	[SIPEXPECT_PROBE_UNAVAILABLE]	= "unavailable",
	[SIPEXPECT_PROBE_KEPT]		= "kept_armed",
};

static enum sipexpect_probe_state probe_state[SIPEXPECT_NR_PROBES];
static int probe_error[SIPEXPECT_NR_PROBES];
static DEFINE_PER_CPU(unsigned long, probe_hits[SIPEXPECT_NR_PROBES]);

static void probe_hit(enum sipexpect_probe_id id)
{
	this_cpu_inc(probe_hits[id]);
}

/* -- expectation insert --------------------------------------------- */

/*
 * Lives only for the duration of one insert call. The caller holds its
 * references to the expectation (and so to its master) until after the
 * call returns, so both are still valid in the return handler.
 */
struct sipexpect_insert_call {
	const struct nf_conntrack_expect *exp;
	const struct nf_conntrack_expect *exp1;	/* a pair's second */
	unsigned int nr_exp;		/* 2 for a pair */
	struct sipexpect_inserting *slot;
};

/*
 * The insert in progress, per CPU and context (task, softirq), so that a
 * removal inside it can tell the same expectation inserted again from
 * another one evicted. The owner is only compared: the pointers are read
 * by the owner alone, inside the insert, while its caller holds them.
 */
struct sipexpect_inserting {
	const struct task_struct *owner;
	const struct nf_conntrack_expect *exp[2];
};

static DEFINE_PER_CPU(struct sipexpect_inserting, inserting[2]);

static struct sipexpect_inserting *sipexpect_inserting_here(void)
{
	return this_cpu_ptr(&inserting[!!in_serving_softirq()]);
}

static void sipexpect_inserting_begin(struct sipexpect_insert_call *call,
				      const struct nf_conntrack_expect *exp0,
				      const struct nf_conntrack_expect *exp1)
{
	struct sipexpect_inserting *slot = sipexpect_inserting_here();

	slot->exp[0] = exp0;
	slot->exp[1] = exp1;
	WRITE_ONCE(slot->owner, current);
	call->slot = slot;
}

/* Its own only: on PREEMPT_RT another task may have taken it meanwhile. */
static void sipexpect_inserting_end(struct sipexpect_insert_call *call)
{
	cmpxchg(&call->slot->owner, current, NULL);
}

/*
 * The insert @current is in, for a removal inside it. A task may have
 * moved CPU since its insert began (PREEMPT_RT): then its slot is found
 * on another CPU; a softirq cannot move.
 */
static const struct sipexpect_inserting *sipexpect_inserting_find(void)
{
	struct sipexpect_inserting *slot = sipexpect_inserting_here();
	unsigned int cpu;

	if (READ_ONCE(slot->owner) == current)
		return slot;
	if (in_serving_softirq())
		return NULL;
	for_each_possible_cpu(cpu) {
		slot = per_cpu_ptr(&inserting[0], cpu);
		if (READ_ONCE(slot->owner) == current)
			return slot;
	}
	return NULL;
}

static int sipexpect_insert_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	struct sipexpect_insert_call *call = (void *)ri->data;

	probe_hit(SIPEXPECT_PROBE_EXPECT_INSERT);
	call->exp = (const void *)regs_get_kernel_argument(regs, 0);
	call->exp1 = NULL;
	call->nr_exp = 1;
	if (!call->exp)
		return 1;
	sipexpect_inserting_begin(call, call->exp, NULL);
	return 0;
}

/* nf_ct_expect_related_pair(expect[2], flags): one master, both or none. */
static int sipexpect_insert_pair_entry(struct kretprobe_instance *ri,
				       struct pt_regs *regs)
{
	struct sipexpect_insert_call *call = (void *)ri->data;
	struct nf_conntrack_expect **pair;

	probe_hit(SIPEXPECT_PROBE_EXPECT_INSERT_PAIR);
	pair = (struct nf_conntrack_expect **)regs_get_kernel_argument(regs, 0);
	call->exp = pair ? pair[0] : NULL;
	call->nr_exp = 2;
	if (!call->exp)
		return 1;
	call->exp1 = pair[1];
	sipexpect_inserting_begin(call, pair[0], pair[1]);
	return 0;
}

/* What the trace event and recent show of a failed insert. */
static void sipexpect_describe_insert(struct sipexpect_failure *f,
				      const struct nf_conntrack_expect *exp,
				      const struct nf_conntrack_helper *helper,
				      int err, const struct sipexpect_fill *fill)
{
	const struct nf_conntrack_tuple *t = &exp->tuple;

	/*
	 * The tick's time: no clocksource read (an HPET read is a slow MMIO
	 * access), and recent shows milliseconds.
	 */
	f->time_ns = ktime_get_coarse_real_ns();
	f->kind = SIPEXPECT_FAILURE_INSERT;
	/* The expectation's own helper names its class, else the master's. */
	sipexpect_class_name(f->class_name,
			     sipexpect_exp_helper(exp) ?: helper, exp->class);
	f->exp_src = t->src.u3;
	f->exp_dst = t->dst.u3;
	f->exp_dport = ntohs(t->dst.u.all);
	f->err = err;
	f->count = fill->count;
	f->max = fill->max;
	f->held = sipexpect_master_held(exp->master);
}

/*
 * A good insert: of a master with no record (almost every insert), counted
 * in its table's totals and retired without a key; else staged under its
 * key. The key is needed too within a second of a failure anywhere: a
 * retry that works clears its master's failure.
 */
static void sipexpect_insert_ok(const struct sipexpect_insert_call *call,
				const struct nf_conn *master,
				const struct nf_conntrack_helper *helper,
				u32 count)
{
	if (!sipexpect_recorded_maybe(&sipexpect_recorded, master) &&
	    sipexpect_attrib_quiet(&sipexpect_attrib)) {
		sipexpect_stage_norecord(&sipexpect_stage,
					 sipexpect_helper_is_sip(helper),
					 SIPEXPECT_INSERT_OK, call->nr_exp);
	} else {
		struct sipexpect_fill fill = { .count = count };
		struct sipexpect_key key;

		sipexpect_key_from_master(master, &key);
		sipexpect_attrib_insert(&sipexpect_attrib, &key, 0, call->nr_exp,
					&fill);
	}
	sipexpect_flush_inserted(&sipexpect_flush, call->exp);
	if (call->exp1)
		sipexpect_flush_inserted(&sipexpect_flush, call->exp1);
}

/* Out of line: its record of the failure is a large frame. */
static noinline void
sipexpect_insert_failed(const struct sipexpect_insert_call *call,
			const struct nf_conn *master,
			const struct nf_conntrack_helper *helper, int err,
			u32 count)
{
	/* Whole, padding and drop fields too: recent keeps a copy. */
	struct sipexpect_failure f = {};
	struct sipexpect_fill fill = {
		.count = count,
		.max = sipexpect_expect_max(),
	};

	sipexpect_recorded_add(&sipexpect_recorded, master);
	sipexpect_key_from_master(master, &f.key);
	sipexpect_attrib_insert(&sipexpect_attrib, &f.key, err, call->nr_exp,
				&fill);
	sipexpect_describe_insert(&f, call->exp, helper, err, &fill);
	trace_expect_insert_failed(&f);
	sipexpect_recent_add(&sipexpect_recent, &f);
}

/* A failed pair counts once, with its errno; a good one inserted two. */
static int sipexpect_insert_return(struct kretprobe_instance *ri,
				   struct pt_regs *regs)
{
	struct sipexpect_insert_call *call = (void *)ri->data;
	const struct nf_conn *master = call->exp->master;
	const struct nf_conntrack_helper *helper;
	int err = (int)regs_return_value(regs);
	const struct net *net;
	u32 count;

	sipexpect_inserting_end(call);
	if (!master)
		return 0;
	/* An RCU reader without rcu_read_lock(): see nfct.h. */
	helper = sipexpect_master_helper(master);
	if (!helper)
		return 0;	/* no helper: nothing to attribute */
	net = nf_ct_net(master);
	/* Only a failure keeps its fill level; the peak needs the count. */
	count = sipexpect_net_expect_count(net);
	sipexpect_occupancy_note(net, count);
	if (err)
		sipexpect_insert_failed(call, master, helper, err, count);
	else
		sipexpect_insert_ok(call, master, helper, count);
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

/* -- helper drop message and its confirmation ------------------------ */

/* A helper line whose packet's fate is known (attrib.c calls this). */
void sipexpect_report_drop(const struct sipexpect_drop_report *r)
{
	struct sipexpect_failure f = {
		.key = *r->key,
		.time_ns = r->logged_ns,
		.kind = SIPEXPECT_FAILURE_DROP,
		.message = r->message,
		.cause = r->cause,
		.confirmed = r->confirmed,
	};

	trace_helper_drop(&f);
	sipexpect_recent_add(&sipexpect_recent, &f);
}

static int sipexpect_helper_log_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct sk_buff *skb;
	const struct nf_conn *ct;
	const char *fmt;
	struct sipexpect_key key;

	probe_hit(SIPEXPECT_PROBE_HELPER_LOG);
	skb = (const void *)regs_get_kernel_argument(regs, 0);
	ct = (const void *)regs_get_kernel_argument(regs, 1);
	fmt = (const char *)regs_get_kernel_argument(regs, 2);
	if (!ct || !sipexpect_key_from_master(ct, &key))
		return 0;
	sipexpect_recorded_add(&sipexpect_recorded, ct);
	/*
	 * fmt is the helper's constant format string (in its .rodata), known
	 * by its address once classified. The time is the tick's, as for a
	 * failed insert.
	 */
	sipexpect_attrib_log(&sipexpect_attrib, skb, &key,
			     sipexpect_addr_class(&sipexpect_message_cache, fmt),
			     ktime_get_coarse_real_ns());
	return 0;
}

static struct kprobe helper_log_probe = {
	.symbol_name	= "nf_ct_helper_log",
	.pre_handler	= sipexpect_helper_log_pre,
};

#ifdef SIPEXPECT_HAVE_KFREE_SKB_PROBE
static SIPEXPECT_KFREE_SKB_PROBE(sipexpect_kfree_skb)
{
	/* Hot: every dropped skb of the machine passes here. */
	if (sipexpect_attrib_free(&sipexpect_attrib, skb,
				  reason == SKB_DROP_REASON_NETFILTER_DROP))
		probe_hit(SIPEXPECT_PROBE_KFREE_SKB);
}
#endif

/* -- expectation removal ---------------------------------------------- */

/*
 * Where the caller of the probed function was called from (flush_
 * expectations() names no message; its caller does). x86's unwinder, from
 * the probe's registers, as perf's callchains do; elsewhere unknown.
 */
static unsigned long sipexpect_caller_of_caller(struct pt_regs *regs)
{
#ifdef CONFIG_X86
	struct unwind_state state;

	/* Starting from registers, the first frame is the probed one's caller. */
	unwind_start(&state, current, regs, NULL);
	if (!unwind_done(&state))
		unwind_next_frame(&state);
	return unwind_done(&state) ? 0 : unwind_get_return_address(&state);
#else
	return 0;
#endif
}

static void sipexpect_describe_removal(struct sipexpect_failure *f,
				       const struct nf_conntrack_expect *exp,
				       const struct nf_conntrack_helper *helper,
				       enum sipexpect_counter reason)
{
	const struct nf_conntrack_tuple *t = &exp->tuple;

	f->time_ns = ktime_get_coarse_real_ns();
	f->kind = SIPEXPECT_FAILURE_REMOVED;
	sipexpect_class_name(f->class_name,
			     sipexpect_exp_helper(exp) ?: helper, exp->class);
	f->exp_src = t->src.u3;
	f->exp_dst = t->dst.u3;
	f->exp_dport = ntohs(t->dst.u.all);
	f->removed = reason;
	/* Still counted in expecting[]: the unlink has not run yet. */
	f->held = sipexpect_master_held(exp->master) - 1;
}

/*
 * The caller holds nf_conntrack_expect_lock, and with it the expectation
 * and its master: both readable here.
 */
static int sipexpect_remove_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct nf_conntrack_expect *exp;
	const struct nf_conntrack_helper *helper;
	const struct sipexpect_inserting *ins;
	struct sipexpect_removal r = {};
	struct sipexpect_failure f = {};
	enum sipexpect_counter reason;

	probe_hit(SIPEXPECT_PROBE_EXPECT_REMOVE);
	exp = (const void *)regs_get_kernel_argument(regs, 0);
	if (!exp || !exp->master)
		return 0;
	/*
	 * A netns going away takes its expectations with it after its
	 * masters left the tables (occupancy.c): they must not come back.
	 */
	if (!check_net(nf_ct_net(exp->master)))
		return 0;
	helper = sipexpect_master_helper(exp->master);
	if (!helper)
		return 0;
	/* At the probed function's entry the stack's top is its return. */
	r.site = sipexpect_addr_class(&sipexpect_site_cache,
				      (void *)regs_get_kernel_stack_nth(regs, 0));
	if (r.site == SIPEXPECT_SITE_SIP_FLUSH)
		r.flusher = sipexpect_addr_class(&sipexpect_site_cache,
						 (void *)sipexpect_caller_of_caller(regs));
	r.dead = sipexpect_exp_dead(exp);
	r.expired = sipexpect_exp_timed_out(exp);
	if (r.site == SIPEXPECT_SITE_INSERT) {
		ins = sipexpect_inserting_find();
		r.in_insert = ins;
		r.replaced = ins &&
			((ins->exp[0] && sipexpect_exp_same(ins->exp[0], exp)) ||
			 (ins->exp[1] && sipexpect_exp_same(ins->exp[1], exp)));
	}
	reason = sipexpect_removal_reason(&r);
	if (reason < SIPEXPECT_FIRST_LOST) {
		/* A normal end: a record's only if its master has one. */
		if (!sipexpect_recorded_maybe(&sipexpect_recorded, exp->master)) {
			sipexpect_stage_norecord(&sipexpect_stage,
						 sipexpect_helper_is_sip(helper),
						 reason, 1);
			return 0;
		}
		sipexpect_key_from_master(exp->master, &f.key);
		sipexpect_stage_count(&sipexpect_stage, &f.key, reason);
		return 0;
	}
	/* Lost, or flushed and perhaps lost: the master earns its record. */
	sipexpect_recorded_add(&sipexpect_recorded, exp->master);
	sipexpect_key_from_master(exp->master, &f.key);
	sipexpect_describe_removal(&f, exp, helper, reason);
	if (reason == SIPEXPECT_REMOVED_FLUSHED_BY_INVITE) {
		/* Lost only if the same INVITE does not insert it again. */
		sipexpect_flush_removed(&sipexpect_flush, exp, &f);
		return 0;
	}
	sipexpect_stage_count(&sipexpect_stage, &f.key, reason);
	/*
	 * Expired ones only as events: one of every long call's pair expires
	 * normally, and recent is for what went wrong.
	 */
	if (reason == SIPEXPECT_REMOVED_EXPIRED_UNUSED)
		trace_expect_removed(&f);
	else
		sipexpect_report_removal(&f);
	return 0;
}

void sipexpect_report_removal(const struct sipexpect_failure *f)
{
	trace_expect_removed(f);
	sipexpect_recent_add(&sipexpect_recent, f);
}

static struct kprobe remove_probe = {
	.symbol_name	= "nf_ct_unlink_expect_report",
	.pre_handler	= sipexpect_remove_pre,
};

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

/*
 * Return instances in flight at once: a caller per CPU in task context and
 * one in softirq, plus tasks preempted or asleep inside the call (on
 * PREEMPT_RT the expectation lock sleeps). A missed return is counted in
 * status; the bound keeps a large machine from paying for its CPU count.
 */
static unsigned int sipexpect_maxactive(void)
{
	/* Possible, not online: CPUs brought up later call in too. */
	return clamp(4 * num_possible_cpus(), 64U, 1024U);
}

int sipexpect_probes_arm(void)
{
	int id;

	insert_probe.maxactive = sipexpect_maxactive();
	insert_pair_probe.maxactive = insert_probe.maxactive;
	probe_result(SIPEXPECT_PROBE_EXPECT_INSERT,
		     register_kretprobe(&insert_probe));
	probe_result(SIPEXPECT_PROBE_EXPECT_INSERT_PAIR,
		     register_kretprobe(&insert_pair_probe));
	/* Before the log probe: its lines wait for the free only if it comes. */
#ifdef SIPEXPECT_HAVE_KFREE_SKB_PROBE
	probe_result(SIPEXPECT_PROBE_KFREE_SKB,
		     register_trace_kfree_skb(sipexpect_kfree_skb, NULL));
#else
	probe_result(SIPEXPECT_PROBE_KFREE_SKB, -EOPNOTSUPP);
#endif
	WRITE_ONCE(sipexpect_attrib.confirmable,
		   probe_state[SIPEXPECT_PROBE_KFREE_SKB] ==
		   SIPEXPECT_PROBE_ATTACHED);
	probe_result(SIPEXPECT_PROBE_HELPER_LOG,
		     register_kprobe(&helper_log_probe));
	probe_result(SIPEXPECT_PROBE_EXPECT_REMOVE,
		     register_kprobe(&remove_probe));
	/*
	 * A missing target is reported and the rest works; a probe missing
	 * for lack of memory is a load that did not happen.
	 */
	for (id = 0; id < SIPEXPECT_NR_PROBES; id++) {
		if (probe_error[id] == -ENOMEM) {
			/* A probe left armed pins us: a load, without probes. */
			return sipexpect_probes_disarm(false) ? -ENOMEM : 0;
		}
	}
	return 0;
}

/* An attached probe after its unregistration: gone, or kept armed. */
static void sipexpect_probe_settle(enum sipexpect_probe_id id,
				   struct kprobe *kp)
{
	if (probe_state[id] == SIPEXPECT_PROBE_ATTACHED)
		probe_state[id] = kprobe_disabled(kp) ? SIPEXPECT_PROBE_DETACHED :
							SIPEXPECT_PROBE_KEPT;
}

/*
 * False when the kernel kept a probe armed (see unprobe.c). @must_go: the
 * module is going, wait until none is.
 */
bool sipexpect_probes_disarm(bool must_go)
{
	struct kretprobe *rps[2];
	struct kprobe *kps[2];
	int nr_rps = 0, nr_kps = 0;
	bool released = true;

	/* Unregistered together: their grace periods are shared. */
	if (probe_state[SIPEXPECT_PROBE_EXPECT_INSERT] == SIPEXPECT_PROBE_ATTACHED)
		rps[nr_rps++] = &insert_probe;
	if (probe_state[SIPEXPECT_PROBE_EXPECT_INSERT_PAIR] ==
	    SIPEXPECT_PROBE_ATTACHED)
		rps[nr_rps++] = &insert_pair_probe;
	if (nr_rps)
		released &= sipexpect_unregister_kretprobes(rps, nr_rps, must_go);
	if (probe_state[SIPEXPECT_PROBE_HELPER_LOG] == SIPEXPECT_PROBE_ATTACHED)
		kps[nr_kps++] = &helper_log_probe;
	if (probe_state[SIPEXPECT_PROBE_EXPECT_REMOVE] == SIPEXPECT_PROBE_ATTACHED)
		kps[nr_kps++] = &remove_probe;
	if (nr_kps)
		released &= sipexpect_unregister_kprobes(kps, nr_kps, must_go);
#ifdef SIPEXPECT_HAVE_KFREE_SKB_PROBE
	if (probe_state[SIPEXPECT_PROBE_KFREE_SKB] == SIPEXPECT_PROBE_ATTACHED) {
		unregister_trace_kfree_skb(sipexpect_kfree_skb, NULL);
		tracepoint_synchronize_unregister();
	}
#endif
	/* What the kernel kept armed (and pins us) says so in status. */
	sipexpect_probe_settle(SIPEXPECT_PROBE_EXPECT_INSERT, &insert_probe.kp);
	sipexpect_probe_settle(SIPEXPECT_PROBE_EXPECT_INSERT_PAIR,
			       &insert_pair_probe.kp);
	sipexpect_probe_settle(SIPEXPECT_PROBE_HELPER_LOG, &helper_log_probe);
	sipexpect_probe_settle(SIPEXPECT_PROBE_EXPECT_REMOVE, &remove_probe);
	if (probe_state[SIPEXPECT_PROBE_KFREE_SKB] == SIPEXPECT_PROBE_ATTACHED)
		probe_state[SIPEXPECT_PROBE_KFREE_SKB] = SIPEXPECT_PROBE_DETACHED;
	return released;
}

static unsigned long probe_missed(enum sipexpect_probe_id id)
{
	switch (id) {
	case SIPEXPECT_PROBE_EXPECT_INSERT:
		return insert_probe.nmissed + insert_probe.kp.nmissed;
	case SIPEXPECT_PROBE_EXPECT_INSERT_PAIR:
		return insert_pair_probe.nmissed + insert_pair_probe.kp.nmissed;
	case SIPEXPECT_PROBE_HELPER_LOG:
		return helper_log_probe.nmissed;
	case SIPEXPECT_PROBE_EXPECT_REMOVE:
		return remove_probe.nmissed;
	default:
		return 0;
	}
}

u64 sipexpect_probes_missed_inserts(void)
{
	return (u64)probe_missed(SIPEXPECT_PROBE_EXPECT_INSERT) +
	       probe_missed(SIPEXPECT_PROBE_EXPECT_INSERT_PAIR);
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
	seq_printf(m, "probe_expect_insert_maxactive: %d\n",
		   insert_probe.maxactive);
}
