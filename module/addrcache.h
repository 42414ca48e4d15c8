/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an address means, remembered per CPU: the address of a helper
 * line's format string (its reason), the return address of an expectation
 * removal (the code that removed it).
 *
 * Working it out costs more than the rest of a handler: comparing the
 * helper's strings, or a symbol lookup. Each CPU remembers the last few
 * addresses it classified. An address means the same for as long as its
 * module is loaded: whenever a module goes, every CPU forgets them all (a
 * helper is unregistered, and its callers gone, before its module's
 * GOING event). The addresses are compared, never dereferenced here.
 */
#ifndef _SIPEXPECT_ADDRCACHE_H
#define _SIPEXPECT_ADDRCACHE_H

#include <linux/compiler.h>
#include <linux/notifier.h>
#include <linux/percpu.h>

/*
 * Distinct addresses a CPU remembers: the SIP helper logs two lines per
 * drop; expectations are removed from about eight places.
 */
#define SIPEXPECT_ADDR_SLOTS	8

struct sipexpect_addr_cpu {
	const void *addr[SIPEXPECT_ADDR_SLOTS];	/* NULL: empty */
	u8 class[SIPEXPECT_ADDR_SLOTS];
	u8 next;				/* slot to learn into */
};

struct sipexpect_addr_cache {
	struct sipexpect_addr_cpu __percpu *cpu;
	/* What @addr means; may be called in any context, NULL included. */
	u8 (*classify)(const void *addr);
	struct notifier_block module_nb;
};

/* Set up, and forget on every module's GOING event. */
int sipexpect_addr_cache_init(struct sipexpect_addr_cache *ac,
			      u8 (*classify)(const void *addr));
void sipexpect_addr_cache_exit(struct sipexpect_addr_cache *ac);
/*
 * The same without registering with the module notifiers: KUnit (6.1)
 * runs a module's suites from a module notifier, where registering
 * another one would deadlock. Its cases call the notifier directly.
 */
int sipexpect_addr_cache_alloc(struct sipexpect_addr_cache *ac,
			       u8 (*classify)(const void *addr));
void sipexpect_addr_cache_free(struct sipexpect_addr_cache *ac);
/* Every CPU forgets every address (a module went). */
void sipexpect_addr_forget(struct sipexpect_addr_cache *ac);
/* Classify @addr and remember it on this CPU. */
u8 sipexpect_addr_learn(struct sipexpect_addr_cache *ac,
			struct sipexpect_addr_cpu *c, const void *addr);

/*
 * What @addr means. With preemption disabled (a probe handler): this
 * CPU's slots are its own.
 */
static inline u8 sipexpect_addr_class(struct sipexpect_addr_cache *ac,
				      const void *addr)
{
	struct sipexpect_addr_cpu *c = this_cpu_ptr(ac->cpu);
	unsigned int i;

	/* A NULL address must not match an empty slot. */
	if (addr)
		for (i = 0; i < SIPEXPECT_ADDR_SLOTS; i++)
			if (READ_ONCE(c->addr[i]) == addr)
				return c->class[i];
	return sipexpect_addr_learn(ac, c, addr);
}

#endif /* _SIPEXPECT_ADDRCACHE_H */
