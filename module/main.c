// SPDX-License-Identifier: GPL-2.0
/*
 * sipexpect: why SIP calls through a Linux NAT drop, and which master
 * connection is to blame. Module entry, parameters and lifetime.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "debugfs.h"
#include "nfct.h"
#include "occupancy.h"
#include "probes.h"
#include "sipexpect.h"

static unsigned int max_masters = SIPEXPECT_MAX_MASTERS_DEFAULT;

static int max_masters_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (sipexpect_parse_max_masters(val, &v)) {
		pr_err("max_masters: expected an integer from %u to %u\n",
		       SIPEXPECT_MAX_MASTERS_MIN, SIPEXPECT_MAX_MASTERS_MAX);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops max_masters_ops = {
	.set = max_masters_set,
	.get = param_get_uint,
};

/* Fixed at load: the hash tables are sized from it. */
module_param_cb(max_masters, &max_masters_ops, &max_masters, 0444);
MODULE_PARM_DESC(max_masters,
		 "Master connections tracked at once, SIP and other helpers each; the least recently updated is evicted beyond it (1-65536, default 4096)");

struct sipexpect_table sipexpect_sip_masters;
struct sipexpect_table sipexpect_other_masters;

static int __init sipexpect_init(void)
{
	int err;

	err = sipexpect_table_init(&sipexpect_sip_masters, max_masters);
	if (err)
		return err;
	err = sipexpect_table_init(&sipexpect_other_masters, max_masters);
	if (err)
		goto err_sip;
	err = sipexpect_occupancy_init();
	if (err)
		goto err_other;

	/* Without it fill levels read 0; everything else still works. */
	sipexpect_nfct_init();
	sipexpect_debugfs_init();
	sipexpect_probes_arm();
	pr_info("version %s loaded, tracking up to %u masters\n",
		SIPEXPECT_VERSION, max_masters);
	return 0;

err_other:
	sipexpect_table_destroy(&sipexpect_other_masters);
err_sip:
	sipexpect_table_destroy(&sipexpect_sip_masters);
	return err;
}

static void __exit sipexpect_exit(void)
{
	sipexpect_probes_disarm();
	sipexpect_debugfs_exit();
	sipexpect_occupancy_exit();
	sipexpect_table_destroy(&sipexpect_other_masters);
	sipexpect_table_destroy(&sipexpect_sip_masters);
}

module_init(sipexpect_init);
module_exit(sipexpect_exit);

MODULE_DESCRIPTION("Per-connection accounting of SIP conntrack expectation failures");
MODULE_LICENSE("GPL");
MODULE_VERSION(SIPEXPECT_VERSION);
