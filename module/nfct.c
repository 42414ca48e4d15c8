// SPDX-License-Identifier: GPL-2.0
/*
 * Reading conntrack objects by value, and finding expect_max.
 */
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "nfct.h"

bool sipexpect_key_from_master(const struct nf_conn *master,
			       struct sipexpect_key *key)
{
	const struct nf_conntrack_tuple *t;
	const struct nf_conntrack_helper *helper;
	const struct nf_conn_help *help;

	help = nfct_help(master);
	if (!help)
		return false;
	helper = rcu_dereference(help->helper);
	if (!helper)
		return false;

	memset(key, 0, sizeof(*key));
	t = &master->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	key->src = t->src.u3;
	key->dst = t->dst.u3;
	key->netns = nf_ct_net(master)->ns.inum;
	key->zone = nf_ct_zone(master)->id;
	key->l3 = t->src.l3num;
	key->l4 = t->dst.protonum;
	/* TCP, UDP, SCTP, DCCP and UDPLITE keep ports at the same place. */
	key->sport = ntohs(t->src.u.all);
	key->dport = ntohs(t->dst.u.all);
	strscpy(key->helper, helper->name, sizeof(key->helper));
	return true;
}

u32 sipexpect_master_held(const struct nf_conn *master)
{
	const struct nf_conn_help *help = nfct_help(master);
	u32 held = 0;
	int i;

	if (!help)
		return 0;
	for (i = 0; i < NF_CT_MAX_EXPECT_CLASSES; i++)
		held += READ_ONCE(help->expecting[i]);
	return held;
}

const struct nf_conntrack_helper *
sipexpect_exp_helper(const struct nf_conntrack_expect *exp)
{
#ifdef SIPEXPECT_HAVE_EXPECT_HELPER
	return rcu_dereference(exp->helper);
#else
	const struct nf_conn_help *help = nfct_help(exp->master);

	return help ? rcu_dereference(help->helper) : NULL;
#endif
}

bool sipexpect_exp_visible(const struct nf_conntrack_expect *exp)
{
#ifdef SIPEXPECT_HAVE_EXP_IS_EXPIRED
	return !nf_ct_exp_is_expired(exp);
#else
	/* Timer-based kernels unlink an expectation the moment it expires. */
	return true;
#endif
}

u32 sipexpect_net_expect_count(const struct net *net)
{
	u32 created = 0, deleted = 0;
	int cpu;

	if (!net->ct.stat)
		return 0;
	for_each_possible_cpu(cpu) {
		const struct ip_conntrack_stat *st = per_cpu_ptr(net->ct.stat, cpu);

		created += READ_ONCE(st->expect_create);
		deleted += READ_ONCE(st->expect_delete);
	}
	/* Unsigned wrap-around cancels out in the difference. */
	return created - deleted;
}

/*
 * nf_ct_expect_max is neither exported nor per-netns. Its sysctl entry
 * points at it, so read the sysctl once while a kprobe on the proc handlers
 * watches for that entry and notes its .data: no private symbol lookup.
 */
static unsigned int *expect_max_ptr;
static unsigned int *expect_max_seen;

static int sipexpect_sysctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct ctl_table *table;

	table = (const struct ctl_table *)regs_get_kernel_argument(regs, 0);
	if (table && table->procname && table->data &&
	    !strcmp(table->procname, "nf_conntrack_expect_max"))
		WRITE_ONCE(expect_max_seen, table->data);
	return 0;
}

static const char * const sysctl_handlers[] = {
	"proc_dointvec_minmax", "proc_dointvec",
	"proc_douintvec_minmax", "proc_douintvec",
};

static int sipexpect_read_sysctl(unsigned int *val)
{
	struct file *f;
	char buf[24] = {};
	loff_t pos = 0;
	ssize_t n;

	f = filp_open("/proc/sys/net/netfilter/nf_conntrack_expect_max",
		      O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (n <= 0)
		return n ? n : -EIO;
	return kstrtouint(strim(buf), 10, val);
}

int sipexpect_nfct_init(void)
{
	struct kprobe kps[ARRAY_SIZE(sysctl_handlers)] = {};
	unsigned int i, value;
	int err, armed = 0;

	for (i = 0; i < ARRAY_SIZE(sysctl_handlers); i++) {
		kps[i].symbol_name = sysctl_handlers[i];
		kps[i].pre_handler = sipexpect_sysctl_pre;
		if (!register_kprobe(&kps[i]))
			armed |= 1 << i;
	}
	err = sipexpect_read_sysctl(&value);
	for (i = 0; i < ARRAY_SIZE(sysctl_handlers); i++)
		if (armed & (1 << i))
			unregister_kprobe(&kps[i]);
	if (err) {
		pr_warn("cannot read nf_conntrack_expect_max (%d): table fill levels unavailable\n",
			err);
		return err;
	}
	/* Trust the pointer only if it reads what the file said. */
	if (!expect_max_seen || READ_ONCE(*expect_max_seen) != value) {
		pr_warn("nf_conntrack_expect_max not located: table fill levels unavailable\n");
		return -ENOENT;
	}
	expect_max_ptr = expect_max_seen;
	return 0;
}

bool sipexpect_expect_max_known(void)
{
	return expect_max_ptr;
}

u32 sipexpect_expect_max(void)
{
	return expect_max_ptr ? READ_ONCE(*expect_max_ptr) : 0;
}
