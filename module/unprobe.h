/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SIPEXPECT_UNPROBE_H
#define _SIPEXPECT_UNPROBE_H

#include <linux/kprobes.h>

/* The most probes unregistered in one call. */
#define SIPEXPECT_UNPROBE_MAX	4

/*
 * Unregister, disabled first. @must_go: the module is going, wait until
 * the kernel can disarm each. Else a probe it kept armed pins the module.
 * False when one was kept.
 */
bool sipexpect_unregister_kprobes(struct kprobe **kps, int num, bool must_go);
bool sipexpect_unregister_kretprobes(struct kretprobe **rps, int num,
				     bool must_go);
bool sipexpect_pinned(void);

#endif /* _SIPEXPECT_UNPROBE_H */
