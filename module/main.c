// SPDX-License-Identifier: GPL-2.0
/*
 * sipexpect: why SIP calls through a Linux NAT drop, and which master
 * connection is to blame. Module entry, parameters and lifetime.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "debugfs.h"
#include "message.h"
#include "netns.h"
#include "nfct.h"
#include "occupancy.h"
#include "probes.h"
#include "removal.h"
#include "sipexpect.h"

struct sipexpect_table sipexpect_sip_masters;
struct sipexpect_table sipexpect_other_masters;
struct sipexpect_recorded sipexpect_recorded;
struct sipexpect_stage sipexpect_stage;
struct sipexpect_attrib sipexpect_attrib;
struct sipexpect_recent sipexpect_recent;
struct sipexpect_flush sipexpect_flush;
struct sipexpect_addr_cache sipexpect_message_cache;
struct sipexpect_addr_cache sipexpect_site_cache;

static u8 sipexpect_message_classify(const void *fmt)
{
	return sipexpect_message_counter(fmt);
}

/* Set once everything is up; reset writes wait for it (param lock). */
static bool sipexpect_ready;

static struct sipexpect_uint_param max_masters = {
	.value = SIPEXPECT_MAX_MASTERS_DEFAULT,
	.min = SIPEXPECT_MAX_MASTERS_MIN,
	.max = SIPEXPECT_MAX_MASTERS_MAX,
};

/* Fixed at load: the hash tables are sized from it. */
module_param_cb(max_masters, &sipexpect_uint_param_ops, &max_masters, 0444);
MODULE_PARM_DESC(max_masters,
		 "Master connections tracked at once, SIP and other helpers each; the least recently updated is evicted beyond it (1-65536, default 4096)");

static struct sipexpect_uint_param recent_size = {
	.value = SIPEXPECT_RECENT_DEFAULT,
	.min = SIPEXPECT_RECENT_MIN,
	.max = SIPEXPECT_RECENT_MAX,
};

/* Fixed at load: the ring's memory is taken once. */
module_param_cb(recent_size, &sipexpect_uint_param_ops, &recent_size, 0444);
MODULE_PARM_DESC(recent_size,
		 "Failures kept in the recent file (16-65536, default 1024: about 340 dropped calls, 150 KiB)");

void sipexpect_reset(void)
{
	/* What is staged or waits happened before the reset: gone too. */
	sipexpect_flush_settle(&sipexpect_flush, true);
	sipexpect_sync();
	sipexpect_table_reset(&sipexpect_sip_masters);
	sipexpect_table_reset(&sipexpect_other_masters);
	sipexpect_occupancy_reset();
	sipexpect_recent_reset(&sipexpect_recent);
}

/*
 * A write-only parameter, not a debugfs file: debugfs under lockdown
 * refuses to open any file that can be written, and a reset file there
 * would also make `cat` of every file in it fail on that one.
 */
static int reset_set(const char *val, const struct kernel_param *kp)
{
	if (!sysfs_streq(val, "1")) {
		pr_warn_ratelimited("reset: write 1 to reset the counters; nothing was changed\n");
		return -EINVAL;
	}
	if (!sipexpect_ready) {
		pr_err("reset: only once loaded, by writing 1 to /sys/module/sipexpect/parameters/reset\n");
		return -EINVAL;
	}
	sipexpect_reset();
	pr_info("counters reset\n");
	return 0;
}

static int reset_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "write 1 here to reset every counter, peak and recent failure\n");
}

static const struct kernel_param_ops reset_ops = {
	.set = reset_set,
	.get = reset_get,
};

module_param_cb(reset, &reset_ops, NULL, 0200);
MODULE_PARM_DESC(reset, "Write 1 to reset every counter, peak and recent failure");

static int __init sipexpect_init(void)
{
	int err;

	err = sipexpect_table_init(&sipexpect_sip_masters, max_masters.value);
	if (err)
		goto fail;
	err = sipexpect_table_init(&sipexpect_other_masters, max_masters.value);
	if (err)
		goto err_sip;
	/* As many addresses as both tables' records: few pushed out. */
	err = sipexpect_recorded_init(&sipexpect_recorded, 2 * max_masters.value);
	if (err)
		goto err_other;
	err = sipexpect_stage_init(&sipexpect_stage, &sipexpect_sip_masters,
				   &sipexpect_other_masters);
	if (err)
		goto err_recorded;
	err = sipexpect_attrib_init(&sipexpect_attrib, &sipexpect_stage,
				    sipexpect_report_drop);
	if (err)
		goto err_stage;
	err = sipexpect_recent_init(&sipexpect_recent, recent_size.value);
	if (err)
		goto err_attrib;
	err = sipexpect_addr_cache_init(&sipexpect_message_cache,
					sipexpect_message_classify);
	if (err)
		goto err_recent;
	err = sipexpect_addr_cache_init(&sipexpect_site_cache,
					sipexpect_remove_site);
	if (err)
		goto err_msg;
	err = sipexpect_flush_init(&sipexpect_flush, &sipexpect_stage,
				   sipexpect_report_removal);
	if (err)
		goto err_site;
	err = sipexpect_occupancy_init();
	if (err)
		goto err_flush;
	err = sipexpect_netns_init();
	if (err)
		goto err_occupancy;

	/* Without them fill levels read 0 or cost more; the rest works. */
	sipexpect_nfct_init();
	err = sipexpect_debugfs_init();
	if (err == -ENOMEM)
		goto err_netns;
	if (err)	/* debugfs=off: the trace events still tell */
		pr_warn("debugfs unavailable (%d): no files under /sys/kernel/debug/sipexpect\n",
			err);
	err = sipexpect_probes_arm();
	if (err)
		goto err_debugfs;
	kernel_param_lock(THIS_MODULE);
	sipexpect_ready = true;
	kernel_param_unlock(THIS_MODULE);
	pr_info("version %s loaded, tracking up to %u masters, the last %u failures\n",
		SIPEXPECT_VERSION, max_masters.value, recent_size.value);
	return 0;

err_debugfs:
	sipexpect_debugfs_exit();
err_netns:
	sipexpect_netns_exit();
err_occupancy:
	sipexpect_occupancy_exit();
err_flush:
	sipexpect_flush_exit(&sipexpect_flush);
err_site:
	sipexpect_addr_cache_exit(&sipexpect_site_cache);
err_msg:
	sipexpect_addr_cache_exit(&sipexpect_message_cache);
err_recent:
	sipexpect_recent_exit(&sipexpect_recent);
err_attrib:
	sipexpect_attrib_exit(&sipexpect_attrib);
err_stage:
	sipexpect_stage_exit(&sipexpect_stage);
err_recorded:
	sipexpect_recorded_exit(&sipexpect_recorded);
err_other:
	sipexpect_table_destroy(&sipexpect_other_masters);
err_sip:
	sipexpect_table_destroy(&sipexpect_sip_masters);
fail:
	pr_err("not loaded: %s (%d), nothing left behind\n",
	       err == -ENOMEM ? "out of memory" : "setup failed", err);
	return err;
}

static void __exit sipexpect_exit(void)
{
	kernel_param_lock(THIS_MODULE);
	sipexpect_ready = false;
	kernel_param_unlock(THIS_MODULE);
	sipexpect_probes_disarm(true);
	sipexpect_debugfs_exit();
	sipexpect_netns_exit();
	sipexpect_occupancy_exit();
	sipexpect_flush_exit(&sipexpect_flush);
	sipexpect_addr_cache_exit(&sipexpect_site_cache);
	sipexpect_addr_cache_exit(&sipexpect_message_cache);
	sipexpect_stage_exit(&sipexpect_stage);
	sipexpect_attrib_exit(&sipexpect_attrib);
	sipexpect_recent_exit(&sipexpect_recent);
	sipexpect_recorded_exit(&sipexpect_recorded);
	sipexpect_table_destroy(&sipexpect_other_masters);
	sipexpect_table_destroy(&sipexpect_sip_masters);
}

module_init(sipexpect_init);
module_exit(sipexpect_exit);

MODULE_DESCRIPTION("Per-connection accounting of SIP conntrack expectation failures");
MODULE_LICENSE("GPL");
MODULE_VERSION(SIPEXPECT_VERSION);
