// SPDX-License-Identifier: GPL-2.0
/*
 * For make bench and the hang study: sipexpect's kprobes on the
 * expectation path with handlers that do nothing. What any kprobe-based tool on these functions
 * (sipexpect, a bpftrace one-liner) pays before its handlers do any work:
 * the floor under their cost figures.
 */
#include <linux/kprobes.h>
#include <linux/module.h>

static int floor_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static int floor_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static int floor_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static struct kretprobe insert_probe = {
	.kp.symbol_name	= "nf_ct_expect_related_report",
	.entry_handler	= floor_entry,
	.handler	= floor_return,
	.maxactive	= 64,
};

/* Only where the kernel has it (Debian's 6.12.117). */
static struct kretprobe insert_pair_probe = {
	.kp.symbol_name	= "nf_ct_expect_related_pair",
	.entry_handler	= floor_entry,
	.handler	= floor_return,
	.maxactive	= 64,
};

static struct kprobe helper_log_probe = {
	.symbol_name	= "nf_ct_helper_log",
	.pre_handler	= floor_pre,
};

static struct kprobe remove_probe = {
	.symbol_name	= "nf_ct_unlink_expect_report",
	.pre_handler	= floor_pre,
};

static bool have_pair;

static int __init kprobe_floor_init(void)
{
	int err;

	err = register_kretprobe(&insert_probe);
	if (err)
		return err;
	err = register_kprobe(&helper_log_probe);
	if (err) {
		unregister_kretprobe(&insert_probe);
		return err;
	}
	err = register_kprobe(&remove_probe);
	if (err) {
		unregister_kprobe(&helper_log_probe);
		unregister_kretprobe(&insert_probe);
		return err;
	}
	have_pair = !register_kretprobe(&insert_pair_probe);
	return 0;
}

/* Unregistered as sipexpect does it: the kretprobes in one batch. */
static void __exit kprobe_floor_exit(void)
{
	struct kretprobe *rps[] = { &insert_probe, &insert_pair_probe };

	struct kprobe *kps[] = { &helper_log_probe, &remove_probe };

	unregister_kretprobes(rps, have_pair ? 2 : 1);
	unregister_kprobes(kps, ARRAY_SIZE(kps));
}

module_init(kprobe_floor_init);
module_exit(kprobe_floor_exit);

MODULE_DESCRIPTION("sipexpect's kprobes with empty handlers, for make bench");
MODULE_LICENSE("GPL");
