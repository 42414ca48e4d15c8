/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU staging between the packet path and the master tables.
 *
 * A probe handler adds counts for a master to its own CPU's buffer, with
 * interrupts off and nothing shared with other CPUs: no lock, no
 * allocation, no loop over CPUs. Consecutive events of one master merge
 * into one entry (an INVITE's RTP and RTCP inserts, a dropped INVITE's
 * failed insert, log lines and free). A drain, in process context, swaps
 * each CPU's buffer for an empty one (on that CPU, by IPI) and folds what
 * it took into the tables. Every reader drains first, so it sees every
 * event that happened before it. A CPU whose buffer fills up drains only
 * itself, from a work item bound to it: no IPI and no work that grows with
 * the number of CPUs on the packet path's behalf.
 */
#ifndef _SIPEXPECT_STAGE_H
#define _SIPEXPECT_STAGE_H

#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>

#include "core.h"

/*
 * Entries per buffer; each online CPU has two (68 KiB per CPU). A
 * burst of distinct masters fills one entry each: the room covers a drain
 * that is late by a few milliseconds.
 */
#define SIPEXPECT_STAGE_ENTRIES		256
/*
 * A CPU asks for a drain once its buffer is a quarter full: each drain
 * costs a wakeup and two context switches, so it should take many
 * entries, and the other three quarters cover the time until the worker
 * runs. With half, a flood of failing new masters on Debian's 7.3 under
 * the emulator outran a worker that ran late, and lost 64 entries.
 */
#define SIPEXPECT_STAGE_KICK		(SIPEXPECT_STAGE_ENTRIES / 4)

struct sipexpect_stage_buf {
	unsigned int nr;
	struct sipexpect_delta d[SIPEXPECT_STAGE_ENTRIES];
};

struct sipexpect_stage_cpu {
	struct sipexpect_stage_buf *active;	/* NULL: no buffer (yet) */
	struct sipexpect_stage_buf *spare;	/* the drainer's */
	bool open_used;
	bool kicked;
	/*
	 * The entry being merged into: the active buffer's next free slot,
	 * counted in its nr once published, so staging copies no entry; or
	 * spill when there is no room, whose counts are then lost.
	 */
	struct sipexpect_delta *open;
	struct sipexpect_delta spill;
	/* Events with no room to stage them: counted, not attributed. */
	u64 lost[2][SIPEXPECT_NR_COUNTERS];	/* [0] SIP, [1] other */
	u64 lost_entries;
	bool has_lost;
	/*
	 * Good inserts and normal ends of masters with no record
	 * (recorded.h): counted in the totals and as retired, no entry.
	 */
	u64 norecord[2][SIPEXPECT_NR_COUNTERS];	/* [0] SIP, [1] other */
	bool has_norecord;
	/* Drains this CPU alone; queued on it when its buffer fills up. */
	struct work_struct drain_work;
	struct sipexpect_stage *st;
	unsigned int cpu;
};

struct sipexpect_stage_inst;

struct sipexpect_stage {
	struct sipexpect_stage_cpu __percpu *cpu;
	struct sipexpect_table *sip, *other;	/* where drains fold to */
	struct mutex drain_lock;
	/* Per CPU, high priority: a drain must not wait behind readers. */
	struct workqueue_struct *wq;
	struct sipexpect_stage_inst *inst;	/* its CPU hotplug instance */
	u64 entries_lost;	/* staged nowhere (drain_lock): see status */
	u64 ipis;		/* drains' calls to other CPUs (drain_lock) */
};

int sipexpect_stage_init(struct sipexpect_stage *st,
			 struct sipexpect_table *sip,
			 struct sipexpect_table *other);
/* After the producers are gone: folds what is left, frees everything. */
void sipexpect_stage_exit(struct sipexpect_stage *st);

/* Close the open entry: into the buffer, or counted as lost. */
void sipexpect_stage_publish(struct sipexpect_stage_cpu *c);

/*
 * The producer side, with interrupts off: add @n to @counter (or nothing
 * for SIPEXPECT_NR_COUNTERS) for @key, stamped now; @fill if not NULL.
 * Returns true when the caller should call sipexpect_stage_kick() for
 * this CPU once interrupts are back on. Always inline: every probe hit
 * runs it, and gcc kept an out-of-line copy.
 */
static __always_inline bool
__sipexpect_stage_add(struct sipexpect_stage *st,
		      const struct sipexpect_key *key,
		      enum sipexpect_counter counter, u16 n,
		      const struct sipexpect_fill *fill)
{
	struct sipexpect_stage_cpu *c = this_cpu_ptr(st->cpu);
	struct sipexpect_delta *d = c->open;

	lockdep_assert_irqs_disabled();
	if (c->open_used &&
	    (!sipexpect_key_eq(&d->key, key) ||
	     (counter < SIPEXPECT_NR_COUNTERS && d->counts[counter] > U16_MAX - n)))
		sipexpect_stage_publish(c);
	if (!c->open_used) {
		struct sipexpect_stage_buf *b = c->active;

		d = b && b->nr < SIPEXPECT_STAGE_ENTRIES ? &b->d[b->nr] :
							   &c->spill;
		/* Field by field: the key is written once, not zeroed first. */
		d->key = *key;
		d->fill.count = 0;
		d->fill.max = 0;
		d->has_fill = false;
		d->present = 0;
		memset(d->counts, 0, sizeof(d->counts));
		c->open = d;
		c->open_used = true;
	}
	if (counter < SIPEXPECT_NR_COUNTERS)
		sipexpect_delta_add(d, counter, n);
	d->stamp = get_jiffies_64();
	if (fill) {
		d->fill = *fill;
		d->has_fill = true;
	}
	if (c->kicked || !c->active || c->active->nr < SIPEXPECT_STAGE_KICK)
		return false;
	c->kicked = true;
	return true;
}

void sipexpect_stage_kick(struct sipexpect_stage *st, unsigned int cpu);

/*
 * @n events of @counter for a master with no record, from any context:
 * no key, no entry, nothing for the drain to fold but the sums.
 */
static __always_inline void
sipexpect_stage_norecord(struct sipexpect_stage *st, bool sip,
			 enum sipexpect_counter counter, unsigned int n)
{
	struct sipexpect_stage_cpu *c;
	unsigned long flags;

	local_irq_save(flags);
	c = this_cpu_ptr(st->cpu);
	c->norecord[!sip][counter] += n;
	c->has_norecord = true;
	local_irq_restore(flags);
}

/* One event of @key, from any context (a probe handler). */
void sipexpect_stage_count(struct sipexpect_stage *st,
			   const struct sipexpect_key *key,
			   enum sipexpect_counter counter);
/* Wait for the kicked drains queued so far. */
void sipexpect_stage_flush(struct sipexpect_stage *st);

/* Process context: fold every CPU's staged events into the tables. */
void sipexpect_stage_drain(struct sipexpect_stage *st);

#endif /* _SIPEXPECT_STAGE_H */
