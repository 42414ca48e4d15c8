// SPDX-License-Identifier: GPL-2.0
/* Drop attribution, per CPU (see attrib.h for the rules). */
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>

#include "attrib.h"

int sipexpect_attrib_init(struct sipexpect_attrib *a,
			  struct sipexpect_stage *stage,
			  void (*report)(const struct sipexpect_drop_report *r))
{
	memset(a, 0, sizeof(*a));
	a->cpu = alloc_percpu(struct sipexpect_attrib_cpu);
	if (!a->cpu)
		return -ENOMEM;
	a->stage = stage;
	a->report = report;
	return 0;
}

void sipexpect_attrib_exit(struct sipexpect_attrib *a)
{
	free_percpu(a->cpu);
	a->cpu = NULL;
}

void sipexpect_attrib_insert(struct sipexpect_attrib *a,
			     const struct sipexpect_key *key, int err,
			     unsigned int nr, const struct sipexpect_fill *fill)
{
	struct sipexpect_attrib_cpu *c;
	unsigned long flags;
	bool kick;

	local_irq_save(flags);
	c = this_cpu_ptr(a->cpu);
	kick = __sipexpect_stage_add(a->stage, key, sipexpect_insert_outcome(err),
				     err ? 1 : nr, err ? fill : NULL);
	if (err) {
		c->fail_key = *key;
		c->fail_err = err;
		c->fail_at = jiffies;
	} else if (c->fail_err && sipexpect_key_eq(&c->fail_key, key)) {
		/* A retry that worked: the failure dropped nothing. */
		c->fail_err = 0;
	}
	local_irq_restore(flags);
	if (kick)
		sipexpect_stage_kick(a->stage);
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
	bool kick = false;

	local_irq_save(flags);
	c = this_cpu_ptr(a->cpu);
	if (c->skb != skb || !sipexpect_key_eq(&c->drop_key, key)) {
		/* A new packet; the last one was never freed as a drop. */
		sipexpect_attrib_resolve(a, c, false);
		c->drop_key = *key;
		/*
		 * Insert and log are one call chain, microseconds apart (even
		 * preempted on RT, far less than a second): an older failure
		 * was tolerated and its packet let through.
		 */
		if (c->fail_err && sipexpect_key_eq(&c->fail_key, key) &&
		    time_before(jiffies, c->fail_at + HZ)) {
			c->cause = sipexpect_drop_cause(c->fail_err);
			c->fail_err = 0;
		} else {
			c->cause = SIPEXPECT_DROPS_CAUSE_UNKNOWN;
		}
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
		sipexpect_stage_kick(a->stage);
}

bool sipexpect_attrib_free(struct sipexpect_attrib *a, const void *skb,
			   bool nf_drop)
{
	struct sipexpect_attrib_cpu *c;
	unsigned long flags;
	bool kick = false;

	/* Every dropped skb of the machine comes here: one compare. */
	if (likely(this_cpu_read(a->cpu->skb) != skb) || !skb)
		return false;
	local_irq_save(flags);
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
		sipexpect_stage_kick(a->stage);
	return true;
}
