// SPDX-License-Identifier: GPL-2.0
/*
 * Expectation table occupancy: the per-netns count the kernel enforces, the
 * peak we saw, and a walk of the hash for the per-class breakdown.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/mm.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "alloc.h"
#include "nfct.h"
#include "occupancy.h"
#include "sipexpect.h"

/* Per netns, freed with it by the pernet machinery. */
struct sipexpect_net {
	u32 peak;
	u64 peak_at;
};

static unsigned int sipexpect_net_id __read_mostly;

static struct pernet_operations sipexpect_net_ops = {
	.id	= &sipexpect_net_id,
	.size	= sizeof(struct sipexpect_net),
};

int sipexpect_occupancy_init(void)
{
	return register_pernet_subsys(&sipexpect_net_ops);
}

void sipexpect_occupancy_exit(void)
{
	unregister_pernet_subsys(&sipexpect_net_ops);
}

void sipexpect_occupancy_note(const struct net *net, u32 count)
{
	struct sipexpect_net *sn = sipexpect_net_generic(net, sipexpect_net_id);
	u32 old = READ_ONCE(sn->peak);

	while (count > old) {
		u32 prev = cmpxchg(&sn->peak, old, count);

		if (prev == old) {
			WRITE_ONCE(sn->peak_at, get_jiffies_64());
			break;
		}
		old = prev;
	}
}

void sipexpect_occupancy_reset(void)
{
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net) {
		struct sipexpect_net *sn = net_generic(net, sipexpect_net_id);

		WRITE_ONCE(sn->peak, 0);
		/* 0: no time yet (a reader between a new peak and its time). */
		WRITE_ONCE(sn->peak_at, 0);
	}
	rcu_read_unlock();
}

/* Netns with something to say: expectations now, a peak, or the host's. */
static bool sipexpect_net_fill(struct net *net, struct sipexpect_netns_fill *f)
{
	struct sipexpect_net *sn = net_generic(net, sipexpect_net_id);

	f->netns = net->ns.inum;
	f->count = sipexpect_net_expect_count(net);
	f->peak = READ_ONCE(sn->peak);
	f->peak_at = READ_ONCE(sn->peak_at);
	return f->count || f->peak || net_eq(net, &init_net);
}

static void sipexpect_take_netns(struct sipexpect_occupancy *occ)
{
	struct sipexpect_netns_fill f;
	unsigned int n = 0, cap;
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net)
		n++;
	rcu_read_unlock();

	cap = n + 8;	/* netns created meanwhile: the rest is cut */
	occ->netns = sipexpect_alloc(array_size(cap, sizeof(*occ->netns)),
				     GFP_KERNEL);
	if (!occ->netns)
		return;
	rcu_read_lock();
	for_each_net_rcu(net) {
		if (occ->nr_netns < cap && sipexpect_net_fill(net, &f))
			occ->netns[occ->nr_netns++] = f;
	}
	rcu_read_unlock();
}

static struct sipexpect_class_fill *
sipexpect_class_slot(struct sipexpect_occupancy *occ, unsigned int cap,
		     u32 netns, const struct nf_conntrack_helper *helper,
		     u32 class)
{
	const char *name = helper ? helper->name : "-";
	struct sipexpect_class_fill *c;
	unsigned int i;

	/*
	 * Entries of one class come in runs: the last slot first. The helper
	 * by its address (the walk holds RCU), compared, never followed.
	 */
	if (occ->nr_classes) {
		c = &occ->classes[occ->last_class];
		if (c->netns == netns && c->class == class &&
		    c->helper_id == (unsigned long)helper)
			return c;
	}
	for (i = 0; i < occ->nr_classes; i++) {
		c = &occ->classes[i];
		if (c->netns == netns && c->class == class &&
		    c->helper_id == (unsigned long)helper) {
			occ->last_class = i;
			return c;
		}
	}
	if (occ->nr_classes == cap)
		return NULL;
	occ->last_class = occ->nr_classes;
	c = &occ->classes[occ->nr_classes++];
	c->netns = netns;
	c->class = class;
	c->helper_id = (unsigned long)helper;
	strscpy(c->helper, name, sizeof(c->helper));
	sipexpect_class_name(c->class_name, helper, class);
	return c;
}

/* Keep the masters holding the most expectations, each once. */
static void sipexpect_note_top(struct sipexpect_occupancy *occ,
			       const struct nf_conn **seen,
			       const struct nf_conn *master)
{
	struct sipexpect_held_master cand;
	unsigned int i, pos;

	for (i = 0; i < occ->nr_top; i++)
		if (seen[i] == master)
			return;
	cand.held = sipexpect_master_held(master);
	if (!cand.held || !sipexpect_key_from_master(master, &cand.key))
		return;
	if (occ->nr_top == SIPEXPECT_TOP_HELD &&
	    cand.held <= occ->top[SIPEXPECT_TOP_HELD - 1].held)
		return;
	pos = occ->nr_top < SIPEXPECT_TOP_HELD ? occ->nr_top++ :
						  SIPEXPECT_TOP_HELD - 1;
	while (pos > 0 && occ->top[pos - 1].held < cand.held) {
		occ->top[pos] = occ->top[pos - 1];
		seen[pos] = seen[pos - 1];
		pos--;
	}
	occ->top[pos] = cand;
	seen[pos] = master;
}

/*
 * Masters are only safe to read while their expectations cannot be
 * unlinked, i.e. under nf_conntrack_expect_lock. Take it for a few buckets
 * at a time, and never past a bucket once enough entries were read, so
 * that inserts on other CPUs wait microseconds, not the whole walk nor a
 * run of long chains; the headline count comes from the kernel's own
 * counters, this breakdown is as of the walk.
 */
#define SIPEXPECT_WALK_CHUNK	64
#define SIPEXPECT_WALK_ENTRIES	128

static void sipexpect_walk_hash(void (*fn)(struct nf_conntrack_expect *exp,
					   void *arg), void *arg)
{
	unsigned int i, end, hsize = READ_ONCE(nf_ct_expect_hsize);
	struct nf_conntrack_expect *exp;

	unsigned int seen;

	for (i = 0; i < hsize; i = end) {
		end = min(i + SIPEXPECT_WALK_CHUNK, hsize);
		seen = 0;
		spin_lock_bh(&nf_conntrack_expect_lock);
		rcu_read_lock();	/* helpers are RCU-protected */
		for (; i < end && seen < SIPEXPECT_WALK_ENTRIES; i++)
			hlist_for_each_entry(exp, &nf_ct_expect_hash[i], hnode) {
				fn(exp, arg);
				seen++;
			}
		end = i;
		rcu_read_unlock();
		spin_unlock_bh(&nf_conntrack_expect_lock);
		cond_resched();
	}
}

struct sipexpect_classes_walk {
	struct sipexpect_occupancy *occ;
	unsigned int cap;
	const struct nf_conn *seen[SIPEXPECT_TOP_HELD];
};

static void sipexpect_count_exp(struct nf_conntrack_expect *exp, void *arg)
{
	struct sipexpect_classes_walk *w = arg;
	struct sipexpect_occupancy *occ = w->occ;
	struct sipexpect_class_fill *c;

	c = sipexpect_class_slot(occ, w->cap, nf_ct_exp_net(exp)->ns.inum,
				 sipexpect_exp_helper(exp), exp->class);
	if (!c) {
		occ->expectations_omitted++;
		return;
	}
	c->count++;
	if (sipexpect_exp_visible(exp))
		c->visible++;
	if (exp->flags & NF_CT_EXPECT_PERMANENT)
		c->permanent++;
	if (exp->master)
		sipexpect_note_top(occ, w->seen, exp->master);
}

static void sipexpect_take_classes(struct sipexpect_occupancy *occ)
{
	struct sipexpect_classes_walk w = { .occ = occ, .cap = 256 };

	occ->classes = sipexpect_alloc(array_size(w.cap, sizeof(*occ->classes)),
				       GFP_KERNEL);
	if (occ->classes)
		sipexpect_walk_hash(sipexpect_count_exp, &w);
}

struct sipexpect_occupancy *sipexpect_occupancy_take(void)
{
	struct sipexpect_occupancy *occ = sipexpect_alloc(sizeof(*occ),
							  GFP_KERNEL);

	if (!occ)
		return NULL;
	occ->max_known = sipexpect_expect_max_known();
	occ->max = sipexpect_expect_max();
	occ->hsize = READ_ONCE(nf_ct_expect_hsize);
	sipexpect_take_netns(occ);
	sipexpect_take_classes(occ);
	/* A partial picture would mislead: all of it or nothing. */
	if (!occ->netns || !occ->classes) {
		sipexpect_occupancy_free(occ);
		return NULL;
	}
	return occ;
}

void sipexpect_occupancy_free(struct sipexpect_occupancy *occ)
{
	if (!occ)
		return;
	sipexpect_free(occ->netns);
	sipexpect_free(occ->classes);
	sipexpect_free(occ);
}

/* An open-addressing index of a snapshot's keys, for the walk. */
struct sipexpect_held_walk {
	struct sipexpect_snapshot *snap;
	u32 *slots;			/* record index + 1; 0: empty */
	unsigned int mask;
};

static u32 sipexpect_key_hash(const struct sipexpect_key *key)
{
	return jhash2((const u32 *)key, sizeof(*key) / sizeof(u32), 0);
}

static void sipexpect_set_held(struct nf_conntrack_expect *exp, void *arg)
{
	struct sipexpect_held_walk *w = arg;
	struct sipexpect_key key;
	unsigned int h;

	if (!exp->master || !sipexpect_key_from_master(exp->master, &key))
		return;
	for (h = sipexpect_key_hash(&key) & w->mask; w->slots[h];
	     h = (h + 1) & w->mask) {
		struct sipexpect_master_stats *st =
			&w->snap->masters[w->slots[h] - 1];

		if (sipexpect_key_eq(&st->key, &key)) {
			st->held = sipexpect_master_held(exp->master);
			return;
		}
	}
}

int sipexpect_snapshot_fill_held(struct sipexpect_snapshot *snap)
{
	struct sipexpect_held_walk w = { .snap = snap };
	unsigned int i, h, size;

	if (!snap->nr)
		return 0;
	size = roundup_pow_of_two(2 * snap->nr);
	w.slots = sipexpect_alloc(array_size(size, sizeof(*w.slots)),
				  GFP_KERNEL);
	if (!w.slots)
		return -ENOMEM;
	w.mask = size - 1;
	for (i = 0; i < snap->nr; i++) {
		snap->masters[i].held = 0;
		for (h = sipexpect_key_hash(&snap->masters[i].key) & w.mask;
		     w.slots[h]; h = (h + 1) & w.mask)
			;
		w.slots[h] = i + 1;
	}
	sipexpect_walk_hash(sipexpect_set_held, &w);
	sipexpect_free(w.slots);
	return 0;
}
