// SPDX-License-Identifier: GPL-2.0
/* What an address means, remembered per CPU (see addrcache.h). */
#include <linux/module.h>

#include "addrcache.h"

u8 sipexpect_addr_learn(struct sipexpect_addr_cache *ac,
			struct sipexpect_addr_cpu *c, const void *addr)
{
	u8 class = ac->classify(addr);
	unsigned int i = c->next++ % SIPEXPECT_ADDR_SLOTS;

	if (!addr)
		return class;
	/*
	 * Only this CPU reads its slots; another CPU may empty one meanwhile
	 * (sipexpect_addr_forget()), which costs one more lookup.
	 */
	c->class[i] = class;
	WRITE_ONCE(c->addr[i], addr);
	return class;
}

void sipexpect_addr_forget(struct sipexpect_addr_cache *ac)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct sipexpect_addr_cpu *c = per_cpu_ptr(ac->cpu, cpu);

		for (i = 0; i < SIPEXPECT_ADDR_SLOTS; i++)
			WRITE_ONCE(c->addr[i], NULL);
	}
}

/* Before a going module's memory is freed, and so reused. */
static int sipexpect_addr_module_event(struct notifier_block *nb,
				       unsigned long state, void *data)
{
	if (state == MODULE_STATE_GOING)
		sipexpect_addr_forget(container_of(nb, struct sipexpect_addr_cache,
						   module_nb));
	return NOTIFY_DONE;
}

int sipexpect_addr_cache_alloc(struct sipexpect_addr_cache *ac,
			       u8 (*classify)(const void *addr))
{
	ac->cpu = alloc_percpu(struct sipexpect_addr_cpu);
	if (!ac->cpu)
		return -ENOMEM;
	ac->classify = classify;
	ac->module_nb.notifier_call = sipexpect_addr_module_event;
	return 0;
}

void sipexpect_addr_cache_free(struct sipexpect_addr_cache *ac)
{
	free_percpu(ac->cpu);
	ac->cpu = NULL;
}

int sipexpect_addr_cache_init(struct sipexpect_addr_cache *ac,
			      u8 (*classify)(const void *addr))
{
	int err = sipexpect_addr_cache_alloc(ac, classify);

	if (err)
		return err;
	err = register_module_notifier(&ac->module_nb);
	if (err)
		sipexpect_addr_cache_free(ac);
	return err;
}

void sipexpect_addr_cache_exit(struct sipexpect_addr_cache *ac)
{
	unregister_module_notifier(&ac->module_nb);
	sipexpect_addr_cache_free(ac);
}
