// SPDX-License-Identifier: GPL-2.0
/* Drop attribution, per CPU (see attrib.h for the rules). */
#include <linux/irqflags.h>
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

/*
 * Insert and log are one call chain, microseconds apart (even preempted
 * on RT, far less than a second): an older failure was tolerated and its
 * packet let through.
 */
static bool sipexpect_attrib_fail_pending(const struct sipexpect_attrib_fail *f)
{
	return f->err && time_before(jiffies, f->at + HZ);
}

static bool sipexpect_attrib_fail_fresh(const struct sipexpect_attrib_fail *f,
					const struct sipexpect_key *key)
{
	return sipexpect_attrib_fail_pending(f) &&
	       sipexpect_key_eq(&f->key, key);
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

		write_seqcount_begin(&c->fails_seq);
		f->key = *key;
		f->err = err;
		f->at = jiffies;
		write_seqcount_end(&c->fails_seq);
	} else {
		unsigned int i;

		/*
		 * A retry that worked: the failure dropped nothing. Most
		 * inserts succeed with nothing pending: they write nothing.
		 */
		for (i = 0; i < SIPEXPECT_ATTRIB_FAILS; i++) {
			if (c->fails[i].err &&
			    sipexpect_key_eq(&c->fails[i].key, key)) {
				write_seqcount_begin(&c->fails_seq);
				c->fails[i].err = 0;
				write_seqcount_end(&c->fails_seq);
			}
		}
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
	int err = 0;

	for (i = 1; i <= SIPEXPECT_ATTRIB_FAILS; i++) {
		slot = (c->fails_next - i) % SIPEXPECT_ATTRIB_FAILS;
		if (sipexpect_attrib_fail_fresh(&c->fails[slot], key)) {
			write_seqcount_begin(&c->fails_seq);
			err = c->fails[slot].err;
			c->fails[slot].err = 0;
			write_seqcount_end(&c->fails_seq);
			break;
		}
	}
	return err;
}

/*
 * A task moved between insert and log: its failure is on another CPU.
 * Read, not taken (that CPU alone writes its slots); a copy torn by a
 * concurrent write is retried, then given up. Only on a drop whose own
 * CPU had no failure of its master: not on the insert path.
 */
static int sipexpect_attrib_find_remote(struct sipexpect_attrib *a,
					const struct sipexpect_key *key)
{
	struct sipexpect_attrib_fail f = {};
	unsigned int cpu, i, seq, tries;

	for_each_online_cpu(cpu) {
		struct sipexpect_attrib_cpu *c = per_cpu_ptr(a->cpu, cpu);

		if (cpu == smp_processor_id())
			continue;
		for (i = 0; i < SIPEXPECT_ATTRIB_FAILS; i++) {
			for (tries = 0; tries < 3; tries++) {
				seq = raw_read_seqcount(&c->fails_seq);
				if (seq & 1)
					continue;
				f = c->fails[i];
				if (!read_seqcount_retry(&c->fails_seq, seq))
					break;
			}
			if (tries < 3 && sipexpect_attrib_fail_fresh(&f, key))
				return f.err;
		}
	}
	return 0;
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
		err = sipexpect_attrib_take_local(c, key);
		if (!err)
			err = sipexpect_attrib_find_remote(a, key);
		c->cause = err ? sipexpect_drop_cause(err) :
				 SIPEXPECT_DROPS_CAUSE_UNKNOWN;
		kick |= __sipexpect_stage_add(a->stage, key, c->cause, 1, NULL);
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
