// SPDX-License-Identifier: GPL-2.0
/*
 * Faults planted on purpose, for the harness's test of the debug kernels:
 * each must turn its VM run red (scripts/suites/planted-kernel). Never
 * built into sipexpect.
 *   fault=none   loads and unloads cleanly: the control
 *   fault=index  an array read past its end, as UBSAN's bounds check sees
 *   fault=hang   a thread asleep in D state past the hung-task timeout
 */
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>

static char *fault = "none";
module_param(fault, charp, 0400);
MODULE_PARM_DESC(fault, "none, index or hang");

/* A parameter, so that the compiler cannot see the index is out of range. */
static unsigned int slot = 4;
module_param(slot, uint, 0400);
MODULE_PARM_DESC(slot, "the slot fault=index reads, of 4");

static unsigned int hang_s = 240;
module_param(hang_s, uint, 0400);
MODULE_PARM_DESC(hang_s, "how long fault=hang sleeps in D state");

static int planted_sleep(void *unused)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(hang_s * HZ);
	return 0;
}

static int __init planted_init(void)
{
	int slots[4] = { 1, 2, 3, 4 };
	struct task_struct *t;

	if (!strcmp(fault, "index")) {
		pr_info("planted: slot %u holds %d\n", slot, slots[slot]);
	} else if (!strcmp(fault, "hang")) {
		t = kthread_run(planted_sleep, NULL, "planted_hang");
		if (IS_ERR(t))
			return PTR_ERR(t);
	} else if (strcmp(fault, "none")) {
		return -EINVAL;
	}
	return 0;
}
module_init(planted_init);

static void __exit planted_exit(void)
{
}
module_exit(planted_exit);

MODULE_DESCRIPTION("sipexpect's harness test: faults planted on purpose");
MODULE_LICENSE("GPL");
