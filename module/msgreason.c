// SPDX-License-Identifier: GPL-2.0
/* A helper line's reason by its format's address (see msgreason.h). */
#include <linux/module.h>

#include "msgreason.h"

u8 sipexpect_msg_learn(struct sipexpect_msg_cpu *c, const char *fmt)
{
	u8 reason = sipexpect_drop_reason(fmt);
	unsigned int i = c->next++ % SIPEXPECT_MSG_SLOTS;

	if (!fmt)
		return reason;
	/*
	 * Only this CPU reads its slots; another CPU may empty one meanwhile
	 * (sipexpect_msg_forget()), which costs one more comparison.
	 */
	c->reason[i] = reason;
	WRITE_ONCE(c->fmt[i], fmt);
	return reason;
}

void sipexpect_msg_forget(struct sipexpect_msg_cache *mc)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct sipexpect_msg_cpu *c = per_cpu_ptr(mc->cpu, cpu);

		for (i = 0; i < SIPEXPECT_MSG_SLOTS; i++)
			WRITE_ONCE(c->fmt[i], NULL);
	}
}

/* Before a going module's memory is freed, and so reused. */
static int sipexpect_msg_module_event(struct notifier_block *nb,
				      unsigned long state, void *data)
{
	if (state == MODULE_STATE_GOING)
		sipexpect_msg_forget(container_of(nb, struct sipexpect_msg_cache,
						  module_nb));
	return NOTIFY_DONE;
}

int sipexpect_msg_cache_alloc(struct sipexpect_msg_cache *mc)
{
	mc->cpu = alloc_percpu(struct sipexpect_msg_cpu);
	if (!mc->cpu)
		return -ENOMEM;
	mc->module_nb.notifier_call = sipexpect_msg_module_event;
	return 0;
}

void sipexpect_msg_cache_free(struct sipexpect_msg_cache *mc)
{
	free_percpu(mc->cpu);
	mc->cpu = NULL;
}

int sipexpect_msg_cache_init(struct sipexpect_msg_cache *mc)
{
	int err = sipexpect_msg_cache_alloc(mc);

	if (err)
		return err;
	err = register_module_notifier(&mc->module_nb);
	if (err)
		sipexpect_msg_cache_free(mc);
	return err;
}

void sipexpect_msg_cache_exit(struct sipexpect_msg_cache *mc)
{
	unregister_module_notifier(&mc->module_nb);
	sipexpect_msg_cache_free(mc);
}
