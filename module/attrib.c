// SPDX-License-Identifier: GPL-2.0
/* Drop attribution, per CPU (see attrib.h for the rules). */
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/seqlock.h>

#include "attrib.h"

int sipexpect_attrib_init(struct sipexpect_attrib *a,
			  struct sipexpect_stage *stage,
			  void (*report)(const struct sipexpect_drop_report *r))
{
	unsigned int cpu;

	memset(a, 0, sizeof(*a));
	a->cpu = alloc_percpu(struct sipexpect_attrib_cpu);
	if (!a->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		seqcount_init(&per_cpu_ptr(a->cpu, cpu)->fails_seq);
	a->stage = stage;
	a->report = report;
	return 0;
}

void sipexpect_attrib_exit(struct sipexpect_attrib *a)
{
	free_percpu(a->cpu);
	a->cpu = NULL;
}

static int sipexpect_attrib_tag_err(s64 tag)
{
	return (s32)(u32)tag;
}

/*
 * Insert and log are one call chain, microseconds apart (even preempted
 * on RT, far less than a second): an older failure was tolerated and its
 * packet let through. jiffies64: no wrap on any kernel.
 */
static bool sipexpect_attrib_recent(u64 at)
{
	return time_before64(get_jiffies_64(), at + HZ);
}

static bool sipexpect_attrib_fail_pending(const struct sipexpect_attrib_fail *f)
{
	return sipexpect_attrib_tag_err(atomic64_read(&f->tag)) &&
	       sipexpect_attrib_recent(f->at);
}

/*
 * Take @f's failure if it is still the one read as @tag: its errno, or 0
 * if another CPU took it first or its slot was written anew.
 */
static int sipexpect_attrib_take(struct sipexpect_attrib_fail *f, s64 tag)
{
	int err = sipexpect_attrib_tag_err(tag);

	if (!err || atomic64_cmpxchg(&f->tag, tag, tag & ~0xffffffffLL) != tag)
		return 0;
	return err;
}

/*
 * Where this CPU keeps a new failure: the oldest slot whose failure was
 * taken or has gone stale, else the oldest. A failure still waiting for
 * its log (its task preempted on RT) must outlive the failures of other
 * tasks that logged in the meantime.
 */
static struct sipexpect_attrib_fail *
sipexpect_attrib_slot(struct sipexpect_attrib_cpu *c)
{
	unsigned int i, slot = c->fails_next % SIPEXPECT_ATTRIB_FAILS;

	for (i = 0; i < SIPEXPECT_ATTRIB_FAILS; i++) {
		unsigned int s = (c->fails_next + i) % SIPEXPECT_ATTRIB_FAILS;

		if (!sipexpect_attrib_fail_pending(&c->fails[s])) {
			slot = s;
			break;
		}
	}
	c->fails_next = slot + 1;
	return &c->fails[slot];
}

/*
 * A copy of @cpu's slot @i, consistent, and its tag as read; false if a
 * write kept tearing it (then it is given up).
 */
static bool sipexpect_attrib_read_slot(struct sipexpect_attrib_cpu *c,
				       unsigned int i,
				       struct sipexpect_attrib_fail *copy,
				       s64 *tag)
{
	unsigned int seq, tries;

	for (tries = 0; tries < 3; tries++) {
		seq = raw_read_seqcount(&c->fails_seq);
		if (seq & 1)
			continue;
		copy->key = c->fails[i].key;
		copy->at = c->fails[i].at;
		*tag = atomic64_read(&c->fails[i].tag);
		if (!read_seqcount_retry(&c->fails_seq, seq))
			return true;
	}
	return false;
}

/*
 * Take the pending failures of @key on the other CPUs, by their tags:
 * the first one (@all false), or every one. Returns the errno of the
 * first taken, 0 if none.
 */
static int sipexpect_attrib_take_others(struct sipexpect_attrib *a,
					struct sipexpect_attrib_cpu *here,
					const struct sipexpect_key *key, bool all)
{
	struct sipexpect_attrib_fail copy;
	unsigned int cpu, i;
	int err, first = 0;
	s64 tag;

	for_each_online_cpu(cpu) {
		struct sipexpect_attrib_cpu *c = per_cpu_ptr(a->cpu, cpu);

		if (c == here)
			continue;
		for (i = 0; i < SIPEXPECT_ATTRIB_FAILS; i++) {
			if (!sipexpect_attrib_read_slot(c, i, &copy, &tag) ||
			    !sipexpect_attrib_tag_err(tag) ||
			    !sipexpect_attrib_recent(copy.at) ||
			    !sipexpect_key_eq(&copy.key, key))
				continue;
			err = sipexpect_attrib_take(&c->fails[i], tag);
			if (err && !all)
				return err;
			first = first ?: err;
		}
	}
	return first;
}

/*
 * A good insert of @key: its failures before it, on any CPU, dropped
 * nothing. Other CPUs are looked at only within a second of a failure
 * anywhere: most inserts succeed with nothing pending, and write nothing.
 */
static void sipexpect_attrib_clear(struct sipexpect_attrib *a,
				   struct sipexpect_attrib_cpu *here,
				   const struct sipexpect_key *key)
{
	unsigned int i;
	s64 tag;

	for (i = 0; i < SIPEXPECT_ATTRIB_FAILS; i++) {
		tag = atomic64_read(&here->fails[i].tag);
		if (sipexpect_attrib_tag_err(tag) &&
		    sipexpect_key_eq(&here->fails[i].key, key))
			sipexpect_attrib_take(&here->fails[i], tag);
	}
	if (sipexpect_attrib_recent(READ_ONCE(a->last_fail_at)))
		sipexpect_attrib_take_others(a, here, key, true);
}

void sipexpect_attrib_insert(struct sipexpect_attrib *a,
			     const struct sipexpect_key *key, int err,
			     unsigned int nr, const struct sipexpect_fill *fill)
{
	struct sipexpect_attrib_cpu *c;
	unsigned long flags;
	unsigned int cpu;
	bool kick;

	local_irq_save(flags);
	cpu = smp_processor_id();
	c = this_cpu_ptr(a->cpu);
	kick = __sipexpect_stage_add(a->stage, key, sipexpect_insert_outcome(err),
				     err ? 1 : nr, err ? fill : NULL);
	if (err) {
		struct sipexpect_attrib_fail *f = sipexpect_attrib_slot(c);
		u64 now = get_jiffies_64();

		c->fails_gen++;
		write_seqcount_begin(&c->fails_seq);
		f->key = *key;
		f->at = now;
		atomic64_set(&f->tag, (s64)((u64)c->fails_gen << 32 | (u32)err));
		write_seqcount_end(&c->fails_seq);
		if (READ_ONCE(a->last_fail_at) != now)
			WRITE_ONCE(a->last_fail_at, now);
	} else {
		/* A retry that worked: the failure dropped nothing. */
		sipexpect_attrib_clear(a, c, key);
	}
	local_irq_restore(flags);
	if (kick)
		sipexpect_stage_kick(a->stage, cpu);
}

/* This CPU's newest failure of @key, taken; 0 if none. */
static int sipexpect_attrib_take_local(struct sipexpect_attrib_cpu *c,
				       const struct sipexpect_key *key)
{
	unsigned int i, slot;
	int err;

	for (i = 1; i <= SIPEXPECT_ATTRIB_FAILS; i++) {
		struct sipexpect_attrib_fail *f;

		slot = (c->fails_next - i) % SIPEXPECT_ATTRIB_FAILS;
		f = &c->fails[slot];
		if (!sipexpect_attrib_fail_pending(f) ||
		    !sipexpect_key_eq(&f->key, key))
			continue;
		err = sipexpect_attrib_take(f, atomic64_read(&f->tag));
		if (err)
			return err;
	}
	return 0;
}

/* Lines that say an insert failed; any other line has no insert cause. */
static bool sipexpect_attrib_insert_message(u8 message)
{
	return message == SIPEXPECT_MESSAGE_ALL_PORTS_SDP ||
	       message == SIPEXPECT_MESSAGE_ALL_PORTS_SIP ||
	       message == SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION;
}

/* The packet's fate is known: report its lines, forget it. */
static void sipexpect_attrib_resolve(struct sipexpect_attrib *a,
				     struct sipexpect_attrib_cpu *c,
				     bool confirmed)
{
	struct sipexpect_drop_report r = {
		.key = &c->drop_key,
		.cause = c->cause,
		.confirmed = confirmed,
	};
	unsigned int i;

	for (i = 0; i < c->nr_lines; i++) {
		r.message = c->lines[i].message;
		r.logged_ns = c->lines[i].logged_ns;
		a->report(&r);
	}
	c->nr_lines = 0;
	WRITE_ONCE(c->skb, NULL);
}

/* Where a line or a free runs: its task, or 0 in softirq (or hardirq). */
static unsigned long sipexpect_attrib_ctx(void)
{
	return in_task() ? (unsigned long)current : 0;
}

void sipexpect_attrib_netns_gone(struct sipexpect_attrib *a)
{
	atomic_inc(&a->netns_gen);
}

void sipexpect_attrib_log(struct sipexpect_attrib *a, const void *skb,
			  const struct sipexpect_key *key, u8 message,
			  u64 now_ns)
{
	struct sipexpect_attrib_cpu *c;
	unsigned long flags;
	unsigned int cpu;
	bool kick = false;

	local_irq_save(flags);
	cpu = smp_processor_id();
	c = this_cpu_ptr(a->cpu);
	if (c->skb != skb || !sipexpect_key_eq(&c->drop_key, key)) {
		int err;

		/* A new packet; the last one was never freed as a drop. */
		sipexpect_attrib_resolve(a, c, false);
		c->drop_key = *key;
		err = 0;
		if (sipexpect_attrib_insert_message(message)) {
			err = sipexpect_attrib_take_local(c, key);
			/*
			 * A task moved between insert and log: its failure is
			 * on another CPU. Only in task context (a softirq's
			 * call chain cannot move), not on the insert path.
			 */
			if (!err && in_task())
				err = sipexpect_attrib_take_others(a, c, key,
								   false);
		}
		c->cause = err ? sipexpect_drop_cause(err) :
				 SIPEXPECT_DROPS_CAUSE_UNKNOWN;
		kick |= __sipexpect_stage_add(a->stage, key, c->cause, 1, NULL);
		c->skb_at = get_jiffies_64();
		c->skb_ctx = sipexpect_attrib_ctx();
		c->skb_netns_gen = atomic_read(&a->netns_gen);
		WRITE_ONCE(c->skb, skb);
	}
	kick |= __sipexpect_stage_add(a->stage, key, message, 1, NULL);
	if (READ_ONCE(a->confirmable) && c->nr_lines < SIPEXPECT_ATTRIB_LINES) {
		c->lines[c->nr_lines].message = message;
		c->lines[c->nr_lines].logged_ns = now_ns;
		c->nr_lines++;
	} else {
		/* No free to wait for: report now, unconfirmed. */
		struct sipexpect_drop_report r = {
			.key = key, .message = message, .cause = c->cause,
			.logged_ns = now_ns,
		};

		a->report(&r);
	}
	local_irq_restore(flags);
	if (kick)
		sipexpect_stage_kick(a->stage, cpu);
}

bool sipexpect_attrib_free(struct sipexpect_attrib *a, const void *skb,
			   bool nf_drop)
{
	struct sipexpect_attrib_cpu *c;
	unsigned long flags;
	unsigned int cpu;
	bool kick = false;

	/* Every dropped skb of the machine comes here: one compare. */
	if (likely(this_cpu_read(a->cpu->skb) != skb) || !skb)
		return false;
	local_irq_save(flags);
	cpu = smp_processor_id();
	c = this_cpu_ptr(a->cpu);
	if (c->skb == skb && (c->skb_ctx != sipexpect_attrib_ctx() ||
			      !sipexpect_attrib_recent(c->skb_at) ||
			      c->skb_netns_gen != atomic_read(&a->netns_gen))) {
		/* Another packet at a stale packet's address. */
		sipexpect_attrib_resolve(a, c, false);
		local_irq_restore(flags);
		return false;
	}
	if (c->skb == skb) {
		if (nf_drop)
			kick = __sipexpect_stage_add(a->stage, &c->drop_key,
						     SIPEXPECT_DROPS_CONFIRMED,
						     1, NULL);
		sipexpect_attrib_resolve(a, c, nf_drop);
	}
	local_irq_restore(flags);
	if (kick)
		sipexpect_stage_kick(a->stage, cpu);
	return true;
}
