// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/sipexpect/: the interface, a contract documented in
 * README.md. Every file is read-only and root-only (0400): under kernel
 * lockdown, where debugfs refuses to open a file with write bits, every
 * one of them still opens, and a cat of every file in the directory works.
 * Resetting is a module parameter (main.c), outside debugfs.
 *
 * Every read first folds what the CPUs staged, so it sees every event that
 * happened before it. Files with one line per record (masters, occupancy,
 * recent) take one snapshot when they are opened and print it as the
 * reader consumes it: never regenerated, never torn, and the tables are
 * held only for the copy.
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/time.h>
#include <linux/utsname.h>

#include "advice.h"
#include "alloc.h"
#include "debugfs.h"
#include "nfct.h"
#include "occupancy.h"
#include "probes.h"
#include "sipexpect.h"
#include "unprobe.h"

static struct dentry *sipexpect_dir;

static void sipexpect_show_counters(struct seq_file *m, const char *prefix,
				    const u64 *counters)
{
	int c;

	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		seq_printf(m, "%s%s: %llu\n", prefix, sipexpect_counter_names[c],
			   counters[c]);
}

/* Both tables' counts; no records copied. */
struct sipexpect_both_totals {
	struct sipexpect_totals sip;
	struct sipexpect_totals other;
};

/* On the heap: two tables' counters are too much for a stack frame. */
static struct sipexpect_both_totals *sipexpect_totals_take_both(void)
{
	struct sipexpect_both_totals *t = kmalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	sipexpect_sync();
	sipexpect_totals_take(&sipexpect_sip_masters, &t->sip);
	sipexpect_totals_take(&sipexpect_other_masters, &t->other);
	return t;
}

static int status_show(struct seq_file *m, void *v)
{
	struct sipexpect_both_totals *t = sipexpect_totals_take_both();

	if (!t)
		return -ENOMEM;
	seq_printf(m, "version: %s\n", SIPEXPECT_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "build_features: %s\n", SIPEXPECT_BUILD_FEATURES);
	sipexpect_probes_show(m);
	/* yes: the kernel kept a probe armed, so the module cannot unload. */
	seq_printf(m, "pinned: %s\n", sipexpect_pinned() ? "yes" : "no");
	seq_printf(m, "expect_max_located: %s\n",
		   sipexpect_expect_max_known() ? "yes" : "no");
	seq_printf(m, "expect_count_source: %s\n",
		   sipexpect_expect_count_source());
	seq_printf(m, "masters_tracked: %u\n", t->sip.nr_masters);
	seq_printf(m, "masters_limit: %u\n", t->sip.max_masters);
	seq_printf(m, "masters_evicted: %llu\n", t->sip.masters_evicted);
	seq_printf(m, "masters_netns_gone: %llu\n", t->sip.masters_netns_gone);
	seq_printf(m, "masters_alloc_failures: %llu\n", t->sip.alloc_failures);
	seq_printf(m, "other_helpers_masters_tracked: %u\n", t->other.nr_masters);
	seq_printf(m, "other_helpers_masters_limit: %u\n", t->other.max_masters);
	seq_printf(m, "other_helpers_masters_evicted: %llu\n",
		   t->other.masters_evicted);
	seq_printf(m, "other_helpers_masters_alloc_failures: %llu\n",
		   t->other.alloc_failures);
	seq_printf(m, "staged_entries_lost: %llu\n",
		   READ_ONCE(sipexpect_stage.entries_lost));
	seq_printf(m, "recorded_forgotten: %llu\n",
		   sipexpect_recorded_forgotten(&sipexpect_recorded));
	seq_printf(m, "recent_size: %u\n", sipexpect_recent.size);
	seq_printf(m, "recent_skipped: %lld\n",
		   (s64)atomic64_read(&sipexpect_recent.skipped));
	seq_printf(m, "flushes_settled_early: %llu\n",
		   sipexpect_flush_settled_early(&sipexpect_flush));
	kfree(t);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(status);

static int stats_show(struct seq_file *m, void *v)
{
	struct sipexpect_both_totals *t = sipexpect_totals_take_both();

	if (!t)
		return -ENOMEM;
	sipexpect_show_counters(m, "", t->sip.totals);
	sipexpect_show_counters(m, "other_helpers_", t->other.totals);
	kfree(t);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/*
 * What stats counted that masters no longer lists: records evicted by the
 * bound or dropped with their netns (retired_), and events that found no
 * record to land in (unrecorded_). stats == masters + retired + unrecorded.
 */
static int retired_show(struct seq_file *m, void *v)
{
	struct sipexpect_both_totals *t = sipexpect_totals_take_both();

	if (!t)
		return -ENOMEM;
	sipexpect_show_counters(m, "retired_", t->sip.evicted);
	sipexpect_show_counters(m, "unrecorded_", t->sip.lost);
	sipexpect_show_counters(m, "other_helpers_retired_", t->other.evicted);
	sipexpect_show_counters(m, "other_helpers_unrecorded_", t->other.lost);
	kfree(t);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(retired);

static int advice_show(struct seq_file *m, void *v)
{
	struct sipexpect_occupancy *occ;
	struct {
		struct sipexpect_totals sip;
		struct sipexpect_master_stats worst;
	} *t;
	bool have_worst;

	/* On the heap, as for status: too much for a stack frame. */
	t = kmalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	sipexpect_sync();
	occ = sipexpect_occupancy_take();
	if (!occ) {
		kfree(t);
		return -ENOMEM;
	}
	sipexpect_totals_take(&sipexpect_sip_masters, &t->sip);
	have_worst = sipexpect_table_worst_conflict(&sipexpect_sip_masters,
						    &t->worst);
	sipexpect_advice_show(m, &t->sip, have_worst ? &t->worst : NULL, occ,
			      sipexpect_probes_missed_inserts());
	sipexpect_occupancy_free(occ);
	kfree(t);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(advice);

/* -- files of one line per record: a snapshot per open ---------------- */

struct sipexpect_listing {
	void *snap;
	unsigned int nr;
	void (*show)(struct seq_file *m, void *snap, unsigned int i);
	void (*free)(void *snap);
};

static void *listing_start(struct seq_file *m, loff_t *pos)
{
	struct sipexpect_listing *l = m->private;

	return *pos < l->nr ? pos : NULL;
}

static void *listing_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return listing_start(m, pos);
}

static void listing_stop(struct seq_file *m, void *v)
{
}

static int listing_show(struct seq_file *m, void *v)
{
	struct sipexpect_listing *l = m->private;

	l->show(m, l->snap, *(loff_t *)v);
	return 0;
}

static const struct seq_operations listing_ops = {
	.start	= listing_start,
	.next	= listing_next,
	.stop	= listing_stop,
	.show	= listing_show,
};

/*
 * take() fills the listing; -ENOMEM (or its error) fails the open. It sets
 * free first: what it got before it failed is freed here (kmemleak caught
 * a masters snapshot half taken, under fault injection).
 */
static int listing_open(struct file *file,
			int (*take)(struct sipexpect_listing *l))
{
	struct sipexpect_listing *l;
	int err;

	l = __seq_open_private(file, &listing_ops, sizeof(*l));
	if (!l)
		return -ENOMEM;
	err = take(l);
	if (err) {
		if (l->free)
			l->free(l->snap);
		seq_release_private(file_inode(file), file);
		return err;
	}
	return 0;
}

static int listing_release(struct inode *inode, struct file *file)
{
	struct sipexpect_listing *l = ((struct seq_file *)file->private_data)->private;

	l->free(l->snap);
	return seq_release_private(inode, file);
}

#define SIPEXPECT_LISTING_FOPS(name)					\
static int name##_open(struct inode *inode, struct file *file)		\
{									\
	return listing_open(file, name##_take);				\
}									\
static const struct file_operations name##_fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= name##_open,					\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= listing_release,				\
}

/* masters: SIP masters first, then other helpers', each most drops first. */
struct sipexpect_masters_snap {
	struct sipexpect_snapshot *sip;
	struct sipexpect_snapshot *other;
};

static void masters_free(void *p)
{
	struct sipexpect_masters_snap *s = p;

	if (!s)
		return;
	sipexpect_snapshot_free(s->sip);
	sipexpect_snapshot_free(s->other);
	sipexpect_free(s);
}

static struct sipexpect_snapshot *masters_take_one(struct sipexpect_table *t)
{
	struct sipexpect_snapshot *snap = sipexpect_snapshot_take(t);

	if (!snap)
		return NULL;
	if (sipexpect_snapshot_fill_held(snap)) {
		sipexpect_snapshot_free(snap);
		return NULL;
	}
	sipexpect_snapshot_sort(snap);
	return snap;
}

static void masters_show_one(struct seq_file *m, void *p, unsigned int i)
{
	struct sipexpect_masters_snap *s = p;
	const struct sipexpect_master_stats *st;
	int c;

	st = i < s->sip->nr ? &s->sip->masters[i] :
			      &s->other->masters[i - s->sip->nr];
	sipexpect_show_key(m, &st->key);
	for (c = 0; c < SIPEXPECT_NR_COUNTERS; c++)
		seq_printf(m, " %s=%u", sipexpect_counter_names[c],
			   st->counters[c]);
	seq_printf(m, " held=%u last_fail_count=%u last_fail_max=%u first_seen_s=%llu last_seen_s=%llu\n",
		   st->held, st->last_fail_fill.count, st->last_fail_fill.max,
		   sipexpect_age_s(st->first_seen),
		   sipexpect_age_s(st->last_seen));
}

static int masters_take(struct sipexpect_listing *l)
{
	struct sipexpect_masters_snap *s = sipexpect_alloc(sizeof(*s),
							   GFP_KERNEL);

	l->free = masters_free;
	l->show = masters_show_one;
	l->snap = s;
	if (!s)
		return -ENOMEM;
	sipexpect_sync();
	s->sip = masters_take_one(&sipexpect_sip_masters);
	s->other = masters_take_one(&sipexpect_other_masters);
	if (!s->sip || !s->other)
		return -ENOMEM;
	l->nr = s->sip->nr + s->other->nr;
	return 0;
}

SIPEXPECT_LISTING_FOPS(masters);

/* occupancy: per netns, then per netns/helper/class, then the top holders */
static void occupancy_free(void *p)
{
	sipexpect_occupancy_free(p);
}

static void occupancy_show_one(struct seq_file *m, void *p, unsigned int i)
{
	struct sipexpect_occupancy *occ = p;

	if (i < occ->nr_netns) {
		const struct sipexpect_netns_fill *f = &occ->netns[i];

		seq_printf(m, "netns=%u count=%u max=%u hsize=%u fill_pct=%u peak=%u",
			   f->netns, f->count, occ->max, occ->hsize,
			   occ->max ? (u32)div_u64((u64)f->count * 100, occ->max) : 0,
			   f->peak);
		if (f->peak && f->peak_at)
			seq_printf(m, " peak_age_s=%llu\n",
				   sipexpect_age_s(f->peak_at));
		else
			seq_puts(m, " peak_age_s=-\n");
		return;
	}
	i -= occ->nr_netns;
	if (i < occ->nr_classes) {
		const struct sipexpect_class_fill *c = &occ->classes[i];

		seq_printf(m, "netns=%u helper=%s class=%s count=%u visible=%u permanent=%u\n",
			   c->netns, c->helper, c->class_name, c->count,
			   c->visible, c->permanent);
		return;
	}
	i -= occ->nr_classes;
	if (occ->expectations_omitted) {
		if (!i) {
			seq_printf(m, "expectations_omitted=%u\n",
				   occ->expectations_omitted);
			return;
		}
		i--;
	}
	seq_printf(m, "top=%u ", i + 1);
	sipexpect_show_key(m, &occ->top[i].key);
	seq_printf(m, " held=%u\n", occ->top[i].held);
}

static int occupancy_take(struct sipexpect_listing *l)
{
	struct sipexpect_occupancy *occ = sipexpect_occupancy_take();

	l->free = occupancy_free;
	l->show = occupancy_show_one;
	l->snap = occ;
	if (!occ)
		return -ENOMEM;
	l->nr = occ->nr_netns + occ->nr_classes + !!occ->expectations_omitted +
		occ->nr_top;
	return 0;
}

SIPEXPECT_LISTING_FOPS(occupancy);

/* recent: the last failures, oldest first, with their UTC time. */
static void recent_free(void *p)
{
	sipexpect_recent_free(p);
}

static void recent_show_one(struct seq_file *m, void *p, unsigned int i)
{
	struct sipexpect_recent_copy *copy = p;
	const struct sipexpect_failure *f = &copy->f[i];
	u32 rem_ns;
	s64 s = div_u64_rem(f->time_ns, NSEC_PER_SEC, &rem_ns);
	struct tm tm;

	time64_to_tm(s, 0, &tm);
	seq_printf(m, "time=%04ld-%02d-%02dT%02d:%02d:%02d.%03uZ event=%s ",
		   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		   tm.tm_min, tm.tm_sec, (u32)(rem_ns / NSEC_PER_MSEC),
		   sipexpect_failure_event(f->kind));
	sipexpect_show_key(m, &f->key);
	sipexpect_show_failure(m, f);
	seq_putc(m, '\n');
}

static int recent_take(struct sipexpect_listing *l)
{
	struct sipexpect_recent_copy *copy;

	copy = sipexpect_recent_take(&sipexpect_recent);
	l->free = recent_free;
	l->show = recent_show_one;
	l->snap = copy;
	if (!copy)
		return -ENOMEM;
	l->nr = copy->nr;
	return 0;
}

SIPEXPECT_LISTING_FOPS(recent);

static const struct {
	const char *name;
	const struct file_operations *fops;
} sipexpect_files[] = {
	{ "status", &status_fops },
	{ "stats", &stats_fops },
	{ "masters", &masters_fops },
	{ "occupancy", &occupancy_fops },
	{ "advice", &advice_fops },
	{ "retired", &retired_fops },
	{ "recent", &recent_fops },
};

/* All of the files or none: an interface with holes would mislead. */
int sipexpect_debugfs_init(void)
{
	unsigned int i;

	sipexpect_dir = debugfs_create_dir("sipexpect", NULL);
	if (IS_ERR(sipexpect_dir)) {
		int err = PTR_ERR(sipexpect_dir);

		sipexpect_dir = NULL;
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(sipexpect_files); i++) {
		struct dentry *d;

		d = debugfs_create_file(sipexpect_files[i].name, 0400,
					sipexpect_dir, NULL,
					sipexpect_files[i].fops);
		if (IS_ERR(d)) {
			debugfs_remove_recursive(sipexpect_dir);
			sipexpect_dir = NULL;
			return PTR_ERR(d);
		}
	}
	return 0;
}

void sipexpect_debugfs_exit(void)
{
	debugfs_remove_recursive(sipexpect_dir);
}
