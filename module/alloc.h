/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every allocation sipexpect makes goes through here, so that fault
 * injection (fail_function) can fail exactly sipexpect's allocations.
 */
#ifndef _SIPEXPECT_ALLOC_H
#define _SIPEXPECT_ALLOC_H

#include <linux/gfp.h>
#include <linux/types.h>

/* Zeroed; kmalloc when small, vmalloc when large or fragmented. */
void *sipexpect_alloc(size_t size, gfp_t gfp);
void sipexpect_free(const void *p);

#endif /* _SIPEXPECT_ALLOC_H */
