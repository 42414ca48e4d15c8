// SPDX-License-Identifier: GPL-2.0
/* One parser for every ranged parameter: a refusal names the range. */
#include <linux/kernel.h>

#include "param.h"

int sipexpect_parse_uint_range(const char *val, unsigned int min,
			       unsigned int max, unsigned int *out)
{
	unsigned int v;

	if (!val || kstrtouint(val, 0, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int sipexpect_uint_param_set(const char *val,
				    const struct kernel_param *kp)
{
	struct sipexpect_uint_param *p = kp->arg;

	if (sipexpect_parse_uint_range(val, p->min, p->max, &p->value)) {
		pr_err("%s: expected an integer from %u to %u\n", kp->name,
		       p->min, p->max);
		return -EINVAL;
	}
	return 0;
}

const struct kernel_param_ops sipexpect_uint_param_ops = {
	.set = sipexpect_uint_param_set,
	.get = param_get_uint,
};
