// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU staging: the packet path's side of the accounting (see stage.h).
 *
 * Ownership: a CPU's active buffer, open entry, lost and norecord counts
 * are touched only on that CPU with interrupts off: by its probe handlers,
 * or by the drainer's IPI. The spare buffer belongs to the drainer (drain_lock).
 * Buffers are allocated when a CPU comes online, never on the packet path.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/smp.h>

#include "alloc.h"
#include "stage.h"

/* One dynamic hotplug state for every stage of this module. */
static DEFINE_MUTEX(sipexpect_stage_hp_lock);
static int sipexpect_stage_hp_state = -1;
static unsigned int sipexpect_stage_hp_users;

struct sipexpect_stage_inst {
	struct hlist_node node;
	struct sipexpect_stage *st;
};

/*
 * The open entry is the active buffer's next slot (then it only has to be
 * counted) unless it had no room and went to spill.
 */
void sipexpect_stage_publish(struct sipexpect_stage_cpu *c)
{
	const struct sipexpect_delta *d = c->open;
	int side, i;

	if (!c->open_used)
		return;
	c->open_used = false;
	if (d != &c->spill) {
		c->active->nr++;
		return;
	}
	side = sipexpect_key_is_sip(&d->key) ? 0 : 1;
	for (i = 0; i < SIPEXPECT_NR_COUNTERS; i++)
		c->lost[side][i] += d->counts[i];
	c->lost_entries++;
	c->has_lost = true;
}

/* What the drainer takes from one CPU. */
struct sipexpect_stage_take {
	struct sipexpect_stage_cpu *c;
	struct sipexpect_stage_buf *full;
	u64 lost[2][SIPEXPECT_NR_COUNTERS];
	u64 lost_entries;
	bool has_lost;
	u64 norecord[2][SIPEXPECT_NR_COUNTERS];
	bool has_norecord;
};

/* On the CPU that owns c (IPI, interrupts off), or with that CPU offline. */
static void sipexpect_stage_swap(void *arg)
{
	struct sipexpect_stage_take *t = arg;
	struct sipexpect_stage_cpu *c = t->c;

	sipexpect_stage_publish(c);
	if (c->spare) {
		t->full = c->active;
		c->active = c->spare;
		c->spare = NULL;
	}
	if (c->has_lost) {
		memcpy(t->lost, c->lost, sizeof(t->lost));
		memset(c->lost, 0, sizeof(c->lost));
		t->lost_entries = c->lost_entries;
		c->lost_entries = 0;
		c->has_lost = false;
		t->has_lost = true;
	}
	if (c->has_norecord) {
		memcpy(t->norecord, c->norecord, sizeof(t->norecord));
		memset(c->norecord, 0, sizeof(c->norecord));
		c->has_norecord = false;
		t->has_norecord = true;
	}
	c->kicked = false;
}

static void sipexpect_stage_fold(struct sipexpect_stage *st,
				 struct sipexpect_stage_take *t)
{
	unsigned int i;

	if (t->full) {
		for (i = 0; i < t->full->nr; i++) {
			const struct sipexpect_delta *d = &t->full->d[i];

			sipexpect_table_fold(sipexpect_key_is_sip(&d->key) ?
					     st->sip : st->other, d);
		}
		t->full->nr = 0;
		t->c->spare = t->full;
	}
	if (t->has_lost) {
		sipexpect_table_fold_lost(st->sip, t->lost[0]);
		sipexpect_table_fold_lost(st->other, t->lost[1]);
		st->entries_lost += t->lost_entries;
	}
	if (t->has_norecord) {
		sipexpect_table_fold_retired(st->sip, t->norecord[0]);
		sipexpect_table_fold_retired(st->other, t->norecord[1]);
	}
}

/*
 * Whether @c holds anything to drain, read from another CPU: its open
 * entry, its buffer's entries, its lost counts. Every event finished
 * before the drain began is seen (the drain's caller ordered it, and the
 * drain's full barrier comes first); one its CPU adds meanwhile waits for
 * the next drain, as it would behind an IPI.
 */
static bool sipexpect_stage_cpu_busy(struct sipexpect_stage_cpu *c)
{
	struct sipexpect_stage_buf *b = c->active;	/* the drainer's to swap */

	return READ_ONCE(c->open_used) || READ_ONCE(c->has_lost) ||
	       READ_ONCE(c->has_norecord) || (b && READ_ONCE(b->nr));
}

/* With drain_lock and the CPU hotplug lock held. */
static void sipexpect_stage_drain_cpu(struct sipexpect_stage *st,
				      unsigned int cpu)
{
	struct sipexpect_stage_take t = {
		.c = per_cpu_ptr(st->cpu, cpu),
	};

	/*
	 * Offline CPUs run no handler: their state can be taken here. On
	 * the CPU itself (a kicked drain) the call runs locally, no IPI. An
	 * online CPU with nothing staged is left alone: a reader once a
	 * second must not interrupt isolated or real-time CPUs for nothing.
	 */
	if (!cpu_online(cpu)) {
		sipexpect_stage_swap(&t);
	} else if (sipexpect_stage_cpu_busy(t.c)) {
		if (cpu != raw_smp_processor_id())
			st->ipis++;
		smp_call_function_single(cpu, sipexpect_stage_swap, &t, 1);
	} else {
		return;
	}
	sipexpect_stage_fold(st, &t);
}

void sipexpect_stage_drain(struct sipexpect_stage *st)
{
	unsigned int cpu;

	mutex_lock(&st->drain_lock);
	cpus_read_lock();
	smp_mb();	/* what was staged before this drain began is seen */
	for_each_possible_cpu(cpu)
		sipexpect_stage_drain_cpu(st, cpu);
	cpus_read_unlock();
	mutex_unlock(&st->drain_lock);
}

/* Bound to its CPU (unless that CPU went offline meanwhile). */
static void sipexpect_stage_drain_work(struct work_struct *work)
{
	struct sipexpect_stage_cpu *c =
		container_of(work, struct sipexpect_stage_cpu, drain_work);

	mutex_lock(&c->st->drain_lock);
	cpus_read_lock();
	sipexpect_stage_drain_cpu(c->st, c->cpu);
	cpus_read_unlock();
	mutex_unlock(&c->st->drain_lock);
}

void sipexpect_stage_kick(struct sipexpect_stage *st, unsigned int cpu)
{
	queue_work_on(cpu, st->wq, &per_cpu_ptr(st->cpu, cpu)->drain_work);
}

void sipexpect_stage_count(struct sipexpect_stage *st,
			   const struct sipexpect_key *key,
			   enum sipexpect_counter counter)
{
	unsigned long flags;
	unsigned int cpu;
	bool kick;

	local_irq_save(flags);
	cpu = smp_processor_id();
	kick = __sipexpect_stage_add(st, key, counter, 1, NULL);
	local_irq_restore(flags);
	if (kick)
		sipexpect_stage_kick(st, cpu);
}

void sipexpect_stage_flush(struct sipexpect_stage *st)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		flush_work(&per_cpu_ptr(st->cpu, cpu)->drain_work);
}

/* Both buffers of a CPU, or neither. */
static bool sipexpect_stage_bufs(struct sipexpect_stage_buf **a,
				 struct sipexpect_stage_buf **b)
{
	*a = sipexpect_alloc(sizeof(**a), GFP_KERNEL);
	*b = sipexpect_alloc(sizeof(**b), GFP_KERNEL);
	if (*a && *b)
		return true;
	sipexpect_free(*a);
	sipexpect_free(*b);
	return false;
}

/* A CPU came online after the stage was set up. */
static int sipexpect_stage_cpu_online(unsigned int cpu, struct hlist_node *node)
{
	struct sipexpect_stage_inst *inst =
		hlist_entry(node, struct sipexpect_stage_inst, node);
	struct sipexpect_stage_cpu *c = per_cpu_ptr(inst->st->cpu, cpu);
	struct sipexpect_stage_buf *a, *b;

	if (READ_ONCE(c->active))
		return 0;
	/* Never fail a CPU's bring-up: without buffers its events count as lost. */
	if (!sipexpect_stage_bufs(&a, &b))
		return 0;
	/* Runs on @cpu: no handler of @cpu can run in between. */
	local_irq_disable();
	c->spare = b;
	WRITE_ONCE(c->active, a);
	local_irq_enable();
	return 0;
}

/*
 * The CPUs online now get their buffers here, in the loading task, before
 * any handler is armed, so that a failed allocation fails the load.
 */
static int sipexpect_stage_alloc_online(struct sipexpect_stage *st)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		struct sipexpect_stage_cpu *c = per_cpu_ptr(st->cpu, cpu);

		if (!c->active && !sipexpect_stage_bufs(&c->active, &c->spare))
			return -ENOMEM;
	}
	return 0;
}

static int sipexpect_stage_hp_get(void)
{
	int ret = 0;

	mutex_lock(&sipexpect_stage_hp_lock);
	if (sipexpect_stage_hp_state < 0) {
		ret = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN,
					      "sipexpect/stage:online",
					      sipexpect_stage_cpu_online, NULL);
		if (ret >= 0)
			sipexpect_stage_hp_state = ret;
	}
	if (ret >= 0) {
		sipexpect_stage_hp_users++;
		ret = 0;
	}
	mutex_unlock(&sipexpect_stage_hp_lock);
	return ret;
}

static void sipexpect_stage_hp_put(void)
{
	mutex_lock(&sipexpect_stage_hp_lock);
	if (!--sipexpect_stage_hp_users) {
		cpuhp_remove_multi_state(sipexpect_stage_hp_state);
		sipexpect_stage_hp_state = -1;
	}
	mutex_unlock(&sipexpect_stage_hp_lock);
}

static void sipexpect_stage_free_bufs(struct sipexpect_stage *st)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct sipexpect_stage_cpu *c = per_cpu_ptr(st->cpu, cpu);

		sipexpect_free(c->active);
		sipexpect_free(c->spare);
		c->active = NULL;
		c->spare = NULL;
	}
}

int sipexpect_stage_init(struct sipexpect_stage *st,
			 struct sipexpect_table *sip,
			 struct sipexpect_table *other)
{
	unsigned int cpu;
	int err;

	memset(st, 0, sizeof(*st));
	st->sip = sip;
	st->other = other;
	mutex_init(&st->drain_lock);
	st->cpu = alloc_percpu(struct sipexpect_stage_cpu);
	st->inst = sipexpect_alloc(sizeof(*st->inst), GFP_KERNEL);
	st->wq = alloc_workqueue("sipexpect_drain", WQ_HIGHPRI | WQ_PERCPU, 0);
	if (!st->cpu || !st->inst || !st->wq) {
		err = -ENOMEM;
		goto err_free;
	}
	for_each_possible_cpu(cpu) {
		struct sipexpect_stage_cpu *c = per_cpu_ptr(st->cpu, cpu);

		INIT_WORK(&c->drain_work, sipexpect_stage_drain_work);
		c->st = st;
		c->cpu = cpu;
	}
	st->inst->st = st;
	err = sipexpect_stage_hp_get();
	if (err)
		goto err_free;
	/* From here on, CPUs coming online get theirs from the callback. */
	err = cpuhp_state_add_instance_nocalls(sipexpect_stage_hp_state,
					       &st->inst->node);
	if (err)
		goto err_put;
	cpus_read_lock();
	err = sipexpect_stage_alloc_online(st);
	cpus_read_unlock();
	if (err)
		goto err_remove;
	return 0;

err_remove:
	cpuhp_state_remove_instance_nocalls(sipexpect_stage_hp_state,
					    &st->inst->node);
err_put:
	sipexpect_stage_hp_put();
err_free:
	if (st->cpu)
		sipexpect_stage_free_bufs(st);
	free_percpu(st->cpu);
	sipexpect_free(st->inst);
	if (st->wq)
		destroy_workqueue(st->wq);
	st->cpu = NULL;
	st->inst = NULL;
	st->wq = NULL;
	return err;
}

void sipexpect_stage_exit(struct sipexpect_stage *st)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		cancel_work_sync(&per_cpu_ptr(st->cpu, cpu)->drain_work);
	sipexpect_stage_drain(st);
	cpuhp_state_remove_instance_nocalls(sipexpect_stage_hp_state,
					    &st->inst->node);
	sipexpect_stage_hp_put();
	sipexpect_stage_free_bufs(st);
	free_percpu(st->cpu);
	sipexpect_free(st->inst);
	destroy_workqueue(st->wq);
	mutex_destroy(&st->drain_lock);
}
