// SPDX-License-Identifier: GPL-2.0
/*
 * Unregistering a probe that may stay behind.
 *
 * Disarming a kprobe on ftrace allocates a new filter hash. When that
 * allocation fails, unregister_kprobe() (which returns nothing) leaves the
 * probe registered and armed with its address cleared, so that no later
 * call can remove it, and unregister_kretprobe() on rethook kernels frees
 * the return hook all the same (kernel/kprobes.c, read in 6.1 and 6.12).
 * disable_kprobe() fails cleanly instead: the probe stays registered with
 * its address, and can be tried again. So every probe is disabled first,
 * and only a disabled probe is unregistered.
 *
 * What if it never disables? At unload our text is about to be freed: the
 * exit waits and tries again until the kernel could disarm it. While
 * loading (a probe set up and given back), the module pins itself
 * instead, stays loaded and says so.
 */
#include <linux/delay.h>
#include <linux/module.h>

#include "sipexpect.h"
#include "unprobe.h"

static bool pinned;

static void sipexpect_pin(struct kprobe *kp)
{
	if (!pinned) {
		pinned = true;
		__module_get(THIS_MODULE);
	}
	pr_err("the kernel could not disarm its probe on %s (out of memory): sipexpect stays loaded, the probe still calls into it\n",
	       kp->symbol_name ? kp->symbol_name : "?");
}

/* Disable what is not yet; true when every one is. */
static bool sipexpect_disable_all(struct kprobe **kps, int num)
{
	bool all = true;
	int i;

	for (i = 0; i < num; i++)
		if (!kprobe_disabled(kps[i]) && disable_kprobe(kps[i]))
			all = false;
	return all;
}

/*
 * Disable @kps. @must_go (the module's exit): until every one is, however
 * long that takes. Else once; the ones the kernel kept armed pin the
 * module. Returns how many of @kps, now first, are disabled.
 */
static int sipexpect_disable(struct kprobe **kps, int num, bool must_go)
{
	unsigned int tries = 0;
	int i, nr = 0;

	while (!sipexpect_disable_all(kps, num) && must_go) {
		if (!tries++)
			pr_warn("the kernel could not disarm a probe (out of memory): trying again before unloading\n");
		msleep(100);
	}
	for (i = 0; i < num; i++) {
		if (kprobe_disabled(kps[i])) {
			swap(kps[nr], kps[i]);	/* a macro: no nr++ inside */
			nr++;
		} else {
			sipexpect_pin(kps[i]);
		}
	}
	if (tries)
		pr_info("probes disarmed after %u tries\n", tries + 1);
	return nr;
}

bool sipexpect_unregister_kprobes(struct kprobe **kps, int num, bool must_go)
{
	int nr = sipexpect_disable(kps, num, must_go);

	if (nr)
		unregister_kprobes(kps, nr);
	return nr == num;
}

bool sipexpect_unregister_kretprobes(struct kretprobe **rps, int num,
				     bool must_go)
{
	struct kprobe *kps[SIPEXPECT_UNPROBE_MAX];
	struct kretprobe *gone[SIPEXPECT_UNPROBE_MAX];
	int i, j, nr;

	if (WARN_ON_ONCE(num > SIPEXPECT_UNPROBE_MAX))
		num = SIPEXPECT_UNPROBE_MAX;
	for (i = 0; i < num; i++)
		kps[i] = &rps[i]->kp;
	nr = sipexpect_disable(kps, num, must_go);
	for (i = 0; i < nr; i++)
		for (j = 0; j < num; j++)
			if (kps[i] == &rps[j]->kp)
				gone[i] = rps[j];
	if (nr)
		unregister_kretprobes(gone, nr);
	return nr == num;
}

bool sipexpect_pinned(void)
{
	return pinned;
}
