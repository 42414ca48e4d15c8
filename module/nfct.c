// SPDX-License-Identifier: GPL-2.0
/*
 * Reading conntrack objects by value, and finding what nf_conntrack does
 * not export: expect_max and the per-netns expectation count.
 */
#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/nsproxy.h>
#include <linux/percpu.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include <net/netns/generic.h>

#include "nfct.h"
#include "unprobe.h"

const struct nf_conntrack_helper *
sipexpect_key_from_master(const struct nf_conn *master,
			  struct sipexpect_key *key)
{
	const struct nf_conntrack_helper *helper = sipexpect_master_helper(master);
	const struct nf_conntrack_tuple *t;

	if (!helper)
		return NULL;

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
	/*
	 * The name's array as two words, not a byte loop per hit: helpers
	 * live in zeroed memory (static, or kzalloc() for user-space ones),
	 * so the bytes behind the name are zeros, and in any case the same
	 * for every key of one helper. The last byte is NUL whatever it held.
	 */
	BUILD_BUG_ON(sizeof(helper->name) != sizeof(key->helper));
	memcpy(key->helper, helper->name, sizeof(key->helper));
	key->helper[sizeof(key->helper) - 1] = '\0';
	return helper;
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
	return sipexpect_rcu_dereference(exp->helper);
#else
	const struct nf_conn_help *help = nfct_help(exp->master);

	return help ? sipexpect_rcu_dereference(help->helper) : NULL;
#endif
}

void sipexpect_class_name(char dst[SIPEXPECT_HELPER_NAME_LEN],
			  const struct nf_conntrack_helper *helper, u32 class)
{
	/* The helper's own classes: 0..expect_class_max. */
	if (helper && class <= helper->expect_class_max &&
	    class < NF_CT_MAX_EXPECT_CLASSES &&
	    helper->expect_policy[class].name[0])
		sipexpect_copy_name(dst, helper->expect_policy[class].name);
	else
		snprintf(dst, SIPEXPECT_HELPER_NAME_LEN, "%u", class);
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

/*
 * Taken back by its helper (nf_ct_unexpect_related()), or timed out: the
 * 2026 design marks and reaps; timer-based kernels unlink on the spot
 * (their removal's site tells).
 */
bool sipexpect_exp_dead(const struct nf_conntrack_expect *exp)
{
#ifdef SIPEXPECT_HAVE_EXP_IS_EXPIRED
	return READ_ONCE(exp->flags) & NF_CT_EXPECT_DEAD;
#else
	return false;
#endif
}

bool sipexpect_exp_timed_out(const struct nf_conntrack_expect *exp)
{
#ifdef SIPEXPECT_HAVE_EXP_IS_EXPIRED
	return nf_ct_exp_is_expired(exp) && !sipexpect_exp_dead(exp);
#else
	return false;
#endif
}

u32 sipexpect_net_expect_count_percpu(const struct net *net)
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
	/*
	 * Unsigned wrap-around cancels out in the difference; but the CPUs
	 * are read at different instants, and a delete read after its create
	 * was missed would make the count "negative": none left.
	 */
	return (s32)(created - deleted) < 0 ? 0 : created - deleted;
}

/*
 * Where nf_conntrack keeps its per-netns data (struct nf_conntrack_net,
 * with the expectation count): net_generic(net, id) for an id it does not
 * export. Found at load: the nf_conntrack_count sysctl of the loading
 * task's netns points into that data, and the id is the slot of that
 * netns's net_generic array holding it. -1: not found.
 */
static int nfct_net_id = -1;

static bool sipexpect_pernet_count_ok(void)
{
#ifdef SIPEXPECT_HAVE_NETNS_CT_EXPECT_COUNT
	return true;
#else
	return nfct_net_id >= 0;
#endif
}

u32 sipexpect_net_expect_count(const struct net *net)
{
#ifdef SIPEXPECT_HAVE_NETNS_CT_EXPECT_COUNT
	return READ_ONCE(net->ct.expect_count);
#else
	const struct nf_conntrack_net *cnet;

	if (nfct_net_id < 0)
		return sipexpect_net_expect_count_percpu(net);
	cnet = sipexpect_net_generic(net, nfct_net_id);
	return READ_ONCE(cnet->expect_count);
#endif
}

const char *sipexpect_expect_count_source(void)
{
	return sipexpect_pernet_count_ok() ? "pernet" : "percpu_stats";
}

/*
 * Sysctl entries point at what they show. Reading two of them once, with a
 * kprobe on the proc handlers noting where their data lives, finds both
 * without any private symbol lookup.
 */
static unsigned int *expect_max_ptr;
static unsigned int *expect_max_seen;
static atomic_t *conntrack_count_seen;

static int sipexpect_sysctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct ctl_table *table;

	table = (const struct ctl_table *)regs_get_kernel_argument(regs, 0);
	if (!table || !table->procname || !table->data)
		return 0;
	if (!strcmp(table->procname, "nf_conntrack_expect_max"))
		WRITE_ONCE(expect_max_seen, table->data);
	else if (!strcmp(table->procname, "nf_conntrack_count"))
		WRITE_ONCE(conntrack_count_seen, table->data);
	return 0;
}

static const char * const sysctl_handlers[] = {
	"proc_dointvec_minmax", "proc_dointvec",
	"proc_douintvec_minmax", "proc_douintvec",
};

static int sipexpect_read_sysctl(const char *path, unsigned int *val)
{
	struct file *f;
	char buf[24] = {};
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (n <= 0)
		return n ? n : -EIO;
	return kstrtouint(strim(buf), 10, val);
}

#define SIPEXPECT_SYSCTL_DIR	"/proc/sys/net/netfilter/"

static void sipexpect_find_expect_max(int err, unsigned int value)
{
	if (err) {
		pr_warn("cannot read nf_conntrack_expect_max (%d): table fill levels unavailable\n",
			err);
		return;
	}
	/* Trust the pointer only if it reads what the file said. */
	if (!expect_max_seen || READ_ONCE(*expect_max_seen) != value) {
		pr_warn("nf_conntrack_expect_max not located: table fill levels unavailable\n");
		return;
	}
	expect_max_ptr = expect_max_seen;
}

#ifndef SIPEXPECT_HAVE_NETNS_CT_EXPECT_COUNT
/* The smallest id net_generic() hands out: the slots the header uses. */
#define SIPEXPECT_MIN_PERNET_ID \
	((sizeof(struct net_generic) + sizeof(void *) - 1) / sizeof(void *))

static void sipexpect_find_nfct_net(void)
{
	struct net *net = current->nsproxy->net_ns;
	const struct nf_conntrack_net *cnet;
	const struct net_generic *ng;
	unsigned int id, len;
	int found = -1;
	bool same;

	if (!conntrack_count_seen)
		goto fail;
	cnet = container_of(conntrack_count_seen, struct nf_conntrack_net,
			    count);
	rcu_read_lock();
	ng = rcu_dereference(net->gen);
	len = ng->s.len;
	for (id = SIPEXPECT_MIN_PERNET_ID; id < len; id++) {
		if (ng->ptr[id] == cnet) {
			found = id;
			break;
		}
	}
	rcu_read_unlock();
	if (found < 0)
		goto fail;
	/* Both move under the expectation lock: they must agree exactly. */
	spin_lock_bh(&nf_conntrack_expect_lock);
	same = READ_ONCE(cnet->expect_count) ==
	       sipexpect_net_expect_count_percpu(net);
	spin_unlock_bh(&nf_conntrack_expect_lock);
	if (!same)
		goto fail;
	nfct_net_id = found;
	return;
fail:
	pr_info("nf_conntrack's per-netns data not located: expectation counts summed over CPUs\n");
}
#else
static void sipexpect_find_nfct_net(void)
{
}
#endif

/* Not on the stack: a probe the kernel fails to disarm outlives this call. */
static struct kprobe sysctl_kps[ARRAY_SIZE(sysctl_handlers)];

/*
 * A kprobe on a function's ftrace call is armed and disarmed through
 * ftrace, which allocates, and a disarm that fails leaves the probe behind
 * (unprobe.c). These probes live a moment, at load: put them on the
 * instruction after that call, an int3 probe whose disarm cannot fail.
 * Registered disabled first, a probe is placed but never armed, so that
 * it tells where the ftrace call is at no risk.
 */
static int sipexpect_sysctl_probe(struct kprobe *kp, const char *symbol)
{
	*kp = (struct kprobe) {
		.symbol_name = symbol,
		.flags = KPROBE_FLAG_DISABLED,
	};
	if (!register_kprobe(kp)) {
		kprobe_opcode_t *after = NULL;

#if defined(CONFIG_X86) && defined(MCOUNT_INSN_SIZE)
		if (kprobe_ftrace(kp))
			after = (kprobe_opcode_t *)((u8 *)kp->addr + MCOUNT_INSN_SIZE);
#endif
		unregister_kprobe(kp);
		if (after) {
			*kp = (struct kprobe) {
				.addr = after,
				.pre_handler = sipexpect_sysctl_pre,
			};
			if (!register_kprobe(kp))
				return 0;
		}
	}
	*kp = (struct kprobe) {
		.symbol_name = symbol,
		.pre_handler = sipexpect_sysctl_pre,
	};
	return register_kprobe(kp);
}

void sipexpect_nfct_init(void)
{
	struct kprobe *armed[ARRAY_SIZE(sysctl_handlers)];
	unsigned int i, value = 0, count = 0;
	int err, nr_armed = 0;

	for (i = 0; i < ARRAY_SIZE(sysctl_handlers); i++)
		if (!sipexpect_sysctl_probe(&sysctl_kps[i], sysctl_handlers[i]))
			armed[nr_armed++] = &sysctl_kps[i];
	err = sipexpect_read_sysctl(SIPEXPECT_SYSCTL_DIR "nf_conntrack_expect_max",
				    &value);
	sipexpect_read_sysctl(SIPEXPECT_SYSCTL_DIR "nf_conntrack_count", &count);
	if (nr_armed)
		sipexpect_unregister_kprobes(armed, nr_armed, false);
	sipexpect_find_expect_max(err, value);
	sipexpect_find_nfct_net();
}

bool sipexpect_expect_max_known(void)
{
	return expect_max_ptr;
}

u32 sipexpect_expect_max(void)
{
	return expect_max_ptr ? READ_ONCE(*expect_max_ptr) : 0;
}
