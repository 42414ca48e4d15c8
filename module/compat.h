/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences; force-included into every
 * object by Kbuild. Where a feature can be probed in the target headers,
 * prefer the probe to a version number: Debian's 6.1.192 carries netfilter
 * changes from 2026 that its version number does not tell.
 */
#ifndef _SIPEXPECT_COMPAT_H
#define _SIPEXPECT_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)
#error "sipexpect needs Linux 5.10 or later"
#endif

#endif /* _SIPEXPECT_COMPAT_H */
