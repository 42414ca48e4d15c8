/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SIPEXPECT_UNPROBE_H
#define _SIPEXPECT_UNPROBE_H

#include <linux/kprobes.h>

bool sipexpect_unregister_kprobes(struct kprobe **kps, int num);
bool sipexpect_unregister_kretprobes(struct kretprobe **rps, int num);
bool sipexpect_pinned(void);

#endif /* _SIPEXPECT_UNPROBE_H */
