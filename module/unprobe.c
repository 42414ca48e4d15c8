// SPDX-License-Identifier: GPL-2.0
/*
 * Unregistering a probe that may stay behind.
 *
 * unregister_kprobe() returns nothing, yet it can fail: disarming a kprobe
 * on ftrace allocates a new filter hash, and when that allocation fails
 * the kernel warns "Failed to disarm kprobe-ftrace", clears the probe's
 * KPROBE_FLAG_DISABLED again and leaves it registered and armed, with its
 * address cleared so that no later call can remove it (kernel/kprobes.c,
 * __disable_kprobe() and unregister_kprobes(), read in 6.1). The fault
 * injection suite hits it. The probe and its handler then live on in our
 * module's memory: freeing it would leave the kernel calling into freed
 * text. So the module pins itself instead, stays loaded and says so.
 */
#include <linux/module.h>

#include "sipexpect.h"
#include "unprobe.h"

static bool pinned;

/* A probe the kernel let go is disabled (or gone); one it kept is not. */
static bool sipexpect_probe_released(struct kprobe *kp)
{
	return kprobe_disabled(kp);
}

static void sipexpect_pin(struct kprobe *kp)
{
	if (!pinned) {
		pinned = true;
		__module_get(THIS_MODULE);
	}
	pr_err("the kernel could not disarm its probe on %s (out of memory): sipexpect stays loaded, the probe still calls into it\n",
	       kp->symbol_name ? kp->symbol_name : "?");
}

/* Returns false when some probe stayed armed: the module is pinned. */
bool sipexpect_unregister_kprobes(struct kprobe **kps, int num)
{
	bool all = true;
	int i;

	unregister_kprobes(kps, num);
	for (i = 0; i < num; i++) {
		if (!sipexpect_probe_released(kps[i])) {
			sipexpect_pin(kps[i]);
			all = false;
		}
	}
	return all;
}

bool sipexpect_unregister_kretprobes(struct kretprobe **rps, int num)
{
	bool all = true;
	int i;

	unregister_kretprobes(rps, num);
	for (i = 0; i < num; i++) {
		if (!sipexpect_probe_released(&rps[i]->kp)) {
			sipexpect_pin(&rps[i]->kp);
			all = false;
		}
	}
	return all;
}

bool sipexpect_pinned(void)
{
	return pinned;
}
