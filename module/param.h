/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load-time parameters that are an unsigned integer within a range: one
 * parser and one kernel_param_ops for all of them (param.c).
 */
#ifndef _SIPEXPECT_PARAM_H
#define _SIPEXPECT_PARAM_H

#include <linux/moduleparam.h>

struct sipexpect_uint_param {
	unsigned int value;	/* first: param_get_uint() reads it */
	unsigned int min;
	unsigned int max;
};

/* 0 and *out set, or -EINVAL with *out untouched. */
int sipexpect_parse_uint_range(const char *val, unsigned int min,
			       unsigned int max, unsigned int *out);

/* module_param_cb(name, &sipexpect_uint_param_ops, &a_uint_param, 0444) */
extern const struct kernel_param_ops sipexpect_uint_param_ops;

#endif /* _SIPEXPECT_PARAM_H */
