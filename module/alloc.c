// SPDX-License-Identifier: GPL-2.0
/*
 * The one allocation function, open to fault injection:
 *   echo sipexpect_alloc > /sys/kernel/debug/fail_function/inject
 * makes it return NULL (Documentation/fault-injection/).
 */
#include <linux/error-injection.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "alloc.h"

noinline void *sipexpect_alloc(size_t size, gfp_t gfp)
{
	return kvzalloc(size, gfp);
}

ALLOW_ERROR_INJECTION(sipexpect_alloc, NULL);

void sipexpect_free(const void *p)
{
	kvfree(p);
}
