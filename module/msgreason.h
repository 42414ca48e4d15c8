/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A helper line's reason, remembered by the address of its format string.
 *
 * Helpers log a few constant strings from their .rodata, and comparing
 * them (sipexpect_drop_reason()) cost more than the rest of the log
 * handler. Each CPU remembers the last few addresses it classified. An
 * address names the same string for as long as its module is loaded:
 * whenever a module goes, every CPU forgets them all (a helper is
 * unregistered, and its callers gone, before its module's GOING event).
 * The addresses are compared, never dereferenced.
 */
#ifndef _SIPEXPECT_MSGREASON_H
#define _SIPEXPECT_MSGREASON_H

#include <linux/compiler.h>
#include <linux/notifier.h>
#include <linux/percpu.h>

#include "core.h"

/* Distinct lines a CPU remembers: the SIP helper logs two per drop. */
#define SIPEXPECT_MSG_SLOTS	4

struct sipexpect_msg_cpu {
	const char *fmt[SIPEXPECT_MSG_SLOTS];	/* NULL: empty */
	u8 reason[SIPEXPECT_MSG_SLOTS];
	u8 next;				/* slot to learn into */
};

struct sipexpect_msg_cache {
	struct sipexpect_msg_cpu __percpu *cpu;
	struct notifier_block module_nb;
};

/* Set up, and forget on every module's GOING event. */
int sipexpect_msg_cache_init(struct sipexpect_msg_cache *mc);
void sipexpect_msg_cache_exit(struct sipexpect_msg_cache *mc);
/*
 * The same without registering with the module notifiers: KUnit (6.1)
 * runs a module's suites from a module notifier, where registering
 * another one would deadlock. Its cases call the notifier directly.
 */
int sipexpect_msg_cache_alloc(struct sipexpect_msg_cache *mc);
void sipexpect_msg_cache_free(struct sipexpect_msg_cache *mc);
/* Every CPU forgets every address (a module went). */
void sipexpect_msg_forget(struct sipexpect_msg_cache *mc);
/* Classify @fmt and remember it on this CPU. */
u8 sipexpect_msg_learn(struct sipexpect_msg_cpu *c, const char *fmt);

/*
 * The SIPEXPECT_DROP_* of @fmt. With preemption disabled (a probe
 * handler): this CPU's slots are its own.
 */
static inline u8 sipexpect_msg_reason(struct sipexpect_msg_cache *mc,
				      const char *fmt)
{
	struct sipexpect_msg_cpu *c = this_cpu_ptr(mc->cpu);
	unsigned int i;

	/* A NULL format must not match an empty slot. */
	if (fmt)
		for (i = 0; i < SIPEXPECT_MSG_SLOTS; i++)
			if (READ_ONCE(c->fmt[i]) == fmt)
				return c->reason[i];
	return sipexpect_msg_learn(c, fmt);
}

#endif /* _SIPEXPECT_MSGREASON_H */
