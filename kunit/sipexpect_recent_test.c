// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite sipexpect_recent: the ring of the last failures, and the
 * failures' text (module/recent.c, module/failure.c), driven directly.
 *
 * Every failure a case adds is made from one number by test_failure(), in
 * every field; failure_whole() tells a copy that is exactly one failure
 * from one torn between two writes.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "../module/failure.c"
#include "../module/recent.c"

/* A name made of n's bits: cheap, as readers check every copy with it. */
static void fill_name(char *name, size_t size, u32 n)
{
	size_t i;

	for (i = 0; i + 1 < size; i++)
		name[i] = 'a' + ((n >> (2 * i % 32)) & 15);
	name[size - 1] = '\0';
}

static struct sipexpect_failure test_failure(u32 n)
{
	struct sipexpect_failure f;

	memset(&f, 0, sizeof(f));
	f.key.netns = n;
	f.key.zone = n >> 16;
	f.key.l3 = NFPROTO_IPV4;
	f.key.l4 = IPPROTO_UDP;
	f.key.src.ip = htonl(n);
	f.key.dst.ip = htonl(~n);
	f.key.sport = n;
	f.key.dport = n >> 3;
	fill_name(f.key.helper, sizeof(f.key.helper), n);
	f.time_ns = n;
	f.kind = n & 1;
	fill_name(f.class_name, sizeof(f.class_name), ~n);
	f.exp_src.ip = htonl(n * 3);
	f.exp_dst.ip = htonl(n * 5);
	f.exp_dport = n * 7;
	f.err = -(s32)(n % 133);
	f.count = n;
	f.max = ~n;
	f.held = n * 11;
	f.message = n % SIPEXPECT_NR_COUNTERS;
	f.cause = (n >> 4) % SIPEXPECT_NR_COUNTERS;
	f.confirmed = n & 2;
	return f;
}

/* Exactly test_failure() of its number, field by field (not padding). */
static bool failure_whole(const struct sipexpect_failure *f)
{
	struct sipexpect_failure w;

	if (f->time_ns > U32_MAX)
		return false;
	w = test_failure(f->time_ns);
	return sipexpect_key_eq(&f->key, &w.key) && f->kind == w.kind &&
	       !memcmp(f->class_name, w.class_name, sizeof(w.class_name)) &&
	       !memcmp(&f->exp_src, &w.exp_src, sizeof(w.exp_src)) &&
	       !memcmp(&f->exp_dst, &w.exp_dst, sizeof(w.exp_dst)) &&
	       f->exp_dport == w.exp_dport && f->err == w.err &&
	       f->count == w.count && f->max == w.max && f->held == w.held &&
	       f->message == w.message && f->cause == w.cause &&
	       f->confirmed == w.confirmed;
}

static void add(struct sipexpect_recent *r, u32 n)
{
	struct sipexpect_failure f = test_failure(n);

	sipexpect_recent_add(r, &f);
}

static struct sipexpect_recent *test_ring(struct kunit *test,
					  unsigned int size)
{
	struct sipexpect_recent *r = kunit_kzalloc(test, sizeof(*r),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	KUNIT_ASSERT_EQ(test, sipexpect_recent_init(r, size), 0);
	test->priv = r;		/* freed by recent_test_exit() */
	return r;
}

static int recent_test_init(struct kunit *test)
{
	test->priv = NULL;
	return 0;
}

static void recent_test_exit(struct kunit *test)
{
	struct sipexpect_recent *r = test->priv;

	if (r)
		sipexpect_recent_exit(r);
}

/* A copy must hold failures @first, @first + 1, ... @first + @nr - 1. */
static void expect_take(struct kunit *test, struct sipexpect_recent *r,
			u32 first, unsigned int nr)
{
	struct sipexpect_recent_copy *copy = sipexpect_recent_take(r);
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, copy);
	KUNIT_EXPECT_EQ(test, copy->nr, nr);
	for (i = 0; i < min(copy->nr, nr); i++) {
		KUNIT_EXPECT_EQ_MSG(test, copy->f[i].time_ns, (u64)first + i,
				    "entry %u of %u", i, nr);
		KUNIT_EXPECT_TRUE_MSG(test, failure_whole(&copy->f[i]),
				      "entry %u of %u", i, nr);
	}
	sipexpect_recent_free(copy);
}

static void sipexpect_recent_empty(struct kunit *test)
{
	struct sipexpect_recent *r = test_ring(test, 16);

	expect_take(test, r, 0, 0);
	sipexpect_recent_reset(r);
	expect_take(test, r, 0, 0);
}

static void sipexpect_recent_in_order(struct kunit *test)
{
	struct sipexpect_recent *r = test_ring(test, 16);
	u32 i;

	for (i = 0; i < 5; i++)
		add(r, 100 + i);
	expect_take(test, r, 100, 5);
	/* Reading takes nothing away. */
	expect_take(test, r, 100, 5);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->skipped), 0LL);
}

/* Past its size, the ring keeps the newest, oldest first. */
static void sipexpect_recent_wraps_keeps_newest(struct kunit *test)
{
	struct sipexpect_recent *r = test_ring(test, 16);
	u32 i;

	for (i = 0; i < 16; i++)
		add(r, i);
	expect_take(test, r, 0, 16);
	add(r, 16);
	expect_take(test, r, 1, 16);
	for (i = 17; i < 40; i++)
		add(r, i);
	expect_take(test, r, 24, 16);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->skipped), 0LL);
}

/* A size that is no power of two wraps the same. */
static void sipexpect_recent_odd_size(struct kunit *test)
{
	struct sipexpect_recent *r = test_ring(test, 17);
	u32 i;

	for (i = 0; i < 50; i++)
		add(r, 1000 + i);
	expect_take(test, r, 1000 + 50 - 17, 17);
}

static void sipexpect_recent_reset_hides_older(struct kunit *test)
{
	struct sipexpect_recent *r = test_ring(test, 16);
	u32 i;

	for (i = 0; i < 10; i++)
		add(r, i);
	sipexpect_recent_reset(r);
	expect_take(test, r, 0, 0);
	for (i = 10; i < 13; i++)
		add(r, i);
	expect_take(test, r, 10, 3);

	/* After the ring wrapped too. */
	for (i = 13; i < 60; i++)
		add(r, i);
	sipexpect_recent_reset(r);
	expect_take(test, r, 0, 0);
	add(r, 60);
	expect_take(test, r, 60, 1);
	for (i = 61; i < 80; i++)
		add(r, i);
	expect_take(test, r, 80 - 16, 16);
}

static void sipexpect_recent_param_accepts(struct kunit *test)
{
	unsigned int v = 0;

	KUNIT_EXPECT_EQ(test, sipexpect_parse_recent_size("16", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 16U);
	KUNIT_EXPECT_EQ(test, sipexpect_parse_recent_size("1024\n", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1024U);
	KUNIT_EXPECT_EQ(test, sipexpect_parse_recent_size("65536", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 65536U);
	KUNIT_EXPECT_EQ(test, sipexpect_parse_recent_size("0x40", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 64U);
}

static void sipexpect_recent_param_rejects(struct kunit *test)
{
	static const char * const bad[] = {
		"0", "15", "65537", "-1", "-16", "", "\n", "abc", "12abc",
		"1024 1024", "99999999999999999999", "\x01\xff\x80", "1.5",
	};
	unsigned int i, v = 777;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, sipexpect_parse_recent_size(bad[i], &v),
				    -EINVAL, "input #%u", i);
	KUNIT_EXPECT_EQ(test, sipexpect_parse_recent_size(NULL, &v), -EINVAL);
	/* A refused value leaves the old one in place. */
	KUNIT_EXPECT_EQ(test, v, 777U);
}

static void sipexpect_recent_init_rejects_bad_size(struct kunit *test)
{
	struct sipexpect_recent *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	KUNIT_EXPECT_EQ(test, sipexpect_recent_init(r, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, sipexpect_recent_init(r, SIPEXPECT_RECENT_MIN - 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, sipexpect_recent_init(r, SIPEXPECT_RECENT_MAX + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, sipexpect_recent_init(r, SIPEXPECT_RECENT_MAX), 0);
	test->priv = r;
	KUNIT_EXPECT_EQ(test, r->size, (unsigned int)SIPEXPECT_RECENT_MAX);
}

/*
 * A writer still at work on its slot (its sequence odd): readers leave the
 * slot out, and a writer a lap later drops its failure and counts it
 * rather than wait. Once the slot is published again, the ring goes on.
 */
static void sipexpect_recent_slot_being_written(struct kunit *test)
{
	struct sipexpect_recent *r = test_ring(test, 16);
	struct sipexpect_recent_copy *copy;
	u32 i;

	for (i = 0; i < 3; i++)
		add(r, i);
	atomic64_set(&r->slots[1].seq, 2 * 1 + 1);	/* failure 1, claimed */
	copy = sipexpect_recent_take(r);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, copy);
	KUNIT_EXPECT_EQ(test, copy->nr, 2U);
	if (copy->nr == 2) {
		KUNIT_EXPECT_EQ(test, copy->f[0].time_ns, 0ULL);
		KUNIT_EXPECT_EQ(test, copy->f[1].time_ns, 2ULL);
	}
	sipexpect_recent_free(copy);

	/* Failure 17 lands on slot 1: still claimed, so dropped. */
	for (i = 3; i < 18; i++)
		add(r, i);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->skipped), 1LL);
	copy = sipexpect_recent_take(r);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, copy);
	KUNIT_EXPECT_EQ(test, copy->nr, 15U);
	for (i = 0; i < copy->nr; i++) {
		KUNIT_EXPECT_EQ(test, copy->f[i].time_ns, 2ULL + i);
		KUNIT_EXPECT_TRUE(test, failure_whole(&copy->f[i]));
	}
	sipexpect_recent_free(copy);

	/* The slow writer publishes; the next lap uses the slot again. */
	atomic64_set(&r->slots[1].seq, 2 * 1 + 2);
	for (i = 18; i < 34; i++)
		add(r, i);
	expect_take(test, r, 18, 16);
	KUNIT_EXPECT_EQ(test, atomic64_read(&r->skipped), 1LL);
}

/*
 * Concurrency: a writer kthread bound to each online CPU adds failures as
 * fast as it can (preemption off, as in a probe handler) into the smallest
 * ring, and a timer on the same CPU adds bursts of more than a lap from
 * hard interrupt context, while this thread copies the ring in a loop. An
 * interrupt that lands while this thread copies an entry rewrites that
 * very slot, also on a machine of one CPU. Every entry of every copy must
 * be one whole failure, each writer's in the order it wrote them. Writer w
 * numbers its failures w * RECENT_STRIDE + i, its timer (CPUs online + w) *
 * RECENT_STRIDE + i.
 */
#define RECENT_WRITES		50000
#define RECENT_STRIDE		1000000
#define RECENT_IRQ_PERIOD_NS	(100 * NSEC_PER_USEC)
#define RECENT_IRQ_BURST	(SIPEXPECT_RECENT_MIN + 4)
/*
 * The copies go on until the timers fired this often (or 30 s passed): an
 * interrupt lands in the window where it can tear a copy only now and then
 * (a few in a thousand, in a VM of one CPU whose timers tick at HZ).
 */
#define RECENT_IRQ_MIN_BURSTS	5000
#define RECENT_IRQ_MAX_WRITES	(RECENT_STRIDE - 1)

struct recent_writer {
	struct sipexpect_recent *r;
	struct completion *go;
	struct completion done;
	struct task_struct *task;
	u32 id;
	/* The interrupt side, on the same CPU. */
	struct hrtimer timer;
	u32 irq_id;
	u32 irq_writes;
	u32 irq_bursts;
	bool timer_stop;
};

static enum hrtimer_restart recent_irq_fn(struct hrtimer *timer)
{
	struct recent_writer *w = container_of(timer, struct recent_writer,
					       timer);
	struct sipexpect_failure f;
	unsigned int i;

	for (i = 0; i < RECENT_IRQ_BURST; i++) {
		if (w->irq_writes >= RECENT_IRQ_MAX_WRITES)
			return HRTIMER_NORESTART;
		f = test_failure(w->irq_id * RECENT_STRIDE + w->irq_writes);
		sipexpect_recent_add(w->r, &f);
		w->irq_writes++;
	}
	WRITE_ONCE(w->irq_bursts, w->irq_bursts + 1);
	if (READ_ONCE(w->timer_stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(RECENT_IRQ_PERIOD_NS));
	return HRTIMER_RESTART;
}

static int recent_writer_fn(void *data)
{
	struct recent_writer *w = data;
	u32 i;

	wait_for_completion(w->go);
	hrtimer_start(&w->timer, ns_to_ktime(RECENT_IRQ_PERIOD_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	for (i = 0; i < RECENT_WRITES; i++) {
		struct sipexpect_failure f = test_failure(w->id * RECENT_STRIDE + i);

		preempt_disable();
		sipexpect_recent_add(w->r, &f);
		preempt_enable();
		if (!(i % 256))
			cond_resched();
	}
	complete(&w->done);
	/* Return only when told, so kthread_stop() never races our exit. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static bool recent_writers_done(struct recent_writer *w, unsigned int n,
				unsigned long deadline)
{
	unsigned int i;
	u64 bursts = 0;

	for (i = 0; i < n; i++) {
		if (!completion_done(&w[i].done))
			return false;
		bursts += READ_ONCE(w[i].irq_bursts);
	}
	return bursts >= RECENT_IRQ_MIN_BURSTS || time_after(jiffies, deadline);
}

struct recent_check {
	s64 *last;		/* per writer, the latest in this copy */
	u64 copies;
	u64 entries;
	u64 torn;
	u64 out_of_order;
	u64 bad_size;
};

static void check_copy(const struct sipexpect_recent_copy *copy,
		       unsigned int size, unsigned int writers,
		       struct recent_check *chk)
{
	s64 *last = chk->last;
	unsigned int i;

	chk->copies++;
	if (copy->nr > size)
		chk->bad_size++;
	for (i = 0; i < writers; i++)
		last[i] = -1;
	for (i = 0; i < copy->nr; i++) {
		const struct sipexpect_failure *f = &copy->f[i];
		u32 id, seq;

		chk->entries++;
		if (!failure_whole(f)) {
			chk->torn++;
			continue;
		}
		id = (u32)f->time_ns / RECENT_STRIDE;
		seq = (u32)f->time_ns % RECENT_STRIDE;
		if (id >= writers || (s64)seq <= last[id]) {
			chk->out_of_order++;
			continue;
		}
		last[id] = seq;
	}
}

static void sipexpect_recent_concurrent_whole_copies(struct kunit *test)
{
	struct sipexpect_recent *r = test_ring(test, SIPEXPECT_RECENT_MIN);
	unsigned int i, cpu, nr = 0, online = num_online_cpus();
	DECLARE_COMPLETION_ONSTACK(go);
	struct sipexpect_recent_copy *copy;
	struct recent_check chk = {};
	unsigned long deadline = jiffies + 30 * HZ;
	struct recent_writer *w;
	u64 irq = 0, bursts = 0;
	s64 skipped;

	w = kunit_kcalloc(test, online, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, w);
	chk.last = kunit_kcalloc(test, 2 * online, sizeof(*chk.last),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, chk.last);
	for_each_online_cpu(cpu) {
		if (nr == online)
			break;
		w[nr].r = r;
		w[nr].go = &go;
		w[nr].id = nr;
		w[nr].irq_id = online + nr;
		init_completion(&w[nr].done);
		hrtimer_setup(&w[nr].timer, recent_irq_fn, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_PINNED_HARD);
		w[nr].task = kthread_create_on_cpu(recent_writer_fn, &w[nr], cpu,
						   "sipexpect_recent/%u");
		if (IS_ERR(w[nr].task))
			break;
		wake_up_process(w[nr].task);
		nr++;
	}
	complete_all(&go);
	while (!recent_writers_done(w, nr, deadline)) {
		copy = sipexpect_recent_take(r);
		if (!copy)
			continue;
		check_copy(copy, r->size, 2 * online, &chk);
		sipexpect_recent_free(copy);
		cond_resched();
	}
	for (i = 0; i < nr; i++) {
		WRITE_ONCE(w[i].timer_stop, true);
		hrtimer_cancel(&w[i].timer);
		kthread_stop(w[i].task);
		irq += w[i].irq_writes;
		bursts += w[i].irq_bursts;
	}
	KUNIT_ASSERT_EQ(test, nr, online);

	skipped = atomic64_read(&r->skipped);
	KUNIT_EXPECT_EQ(test, chk.torn, 0ULL);
	KUNIT_EXPECT_EQ(test, chk.out_of_order, 0ULL);
	KUNIT_EXPECT_EQ(test, chk.bad_size, 0ULL);
	KUNIT_EXPECT_GT(test, chk.copies, 0ULL);
	KUNIT_EXPECT_GT(test, irq, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&r->next),
			(u64)nr * RECENT_WRITES + irq);
	KUNIT_EXPECT_LE(test, (u64)skipped, (u64)nr * RECENT_WRITES + irq);

	/* Quiet now: the last size failures are all there but the skipped. */
	copy = sipexpect_recent_take(r);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, copy);
	KUNIT_EXPECT_LE(test, copy->nr, r->size);
	KUNIT_EXPECT_GE(test, (s64)copy->nr + skipped, (s64)r->size);
	chk.torn = 0;
	chk.out_of_order = 0;
	check_copy(copy, r->size, 2 * online, &chk);
	KUNIT_EXPECT_EQ(test, chk.torn, 0ULL);
	KUNIT_EXPECT_EQ(test, chk.out_of_order, 0ULL);
	sipexpect_recent_free(copy);
	kunit_info(test, "%u writers, %llu adds in %llu interrupts, %llu copies, %llu entries checked, %lld failures skipped",
		   nr, irq, bursts, chk.copies, chk.entries, skipped);
}

/* -- the failures' text (failure.c) ------------------------------------- */

static void sipexpect_recent_failure_names(struct kunit *test)
{
	char buf[SIPEXPECT_ADDR_LEN];
	union nf_inet_addr a = {};

	KUNIT_EXPECT_STREQ(test, sipexpect_message_name(SIPEXPECT_MESSAGE_ALL_PORTS_SDP),
			   "all_ports_in_use_sdp");
	KUNIT_EXPECT_STREQ(test, sipexpect_message_name(SIPEXPECT_MESSAGE_ALL_PORTS_SIP),
			   "all_ports_in_use_sip");
	KUNIT_EXPECT_STREQ(test,
			   sipexpect_message_name(SIPEXPECT_MESSAGE_CANNOT_ADD_EXPECTATION),
			   "cannot_add_expectation");
	KUNIT_EXPECT_STREQ(test, sipexpect_message_name(SIPEXPECT_MESSAGE_OTHER),
			   "other");
	KUNIT_EXPECT_STREQ(test, sipexpect_message_name(SIPEXPECT_INSERT_OK), "-");
	KUNIT_EXPECT_STREQ(test, sipexpect_message_name(255), "-");
	KUNIT_EXPECT_STREQ(test, sipexpect_cause_name(SIPEXPECT_DROPS_CAUSE_TABLE_FULL),
			   "table_full");
	KUNIT_EXPECT_STREQ(test, sipexpect_cause_name(SIPEXPECT_DROPS_CAUSE_EXISTS),
			   "exists");
	KUNIT_EXPECT_STREQ(test, sipexpect_cause_name(SIPEXPECT_DROPS_CAUSE_CLASH),
			   "clash");
	KUNIT_EXPECT_STREQ(test, sipexpect_cause_name(SIPEXPECT_DROPS_CAUSE_OTHER),
			   "other");
	KUNIT_EXPECT_STREQ(test, sipexpect_cause_name(SIPEXPECT_DROPS_CAUSE_UNKNOWN),
			   "unknown");
	KUNIT_EXPECT_STREQ(test, sipexpect_cause_name(SIPEXPECT_DROPS_CONFIRMED),
			   "-");
	KUNIT_EXPECT_STREQ(test, sipexpect_cause_name(SIPEXPECT_NR_COUNTERS), "-");

	sipexpect_fmt_err(buf, -EMFILE);
	KUNIT_EXPECT_STREQ(test, buf, "EMFILE");
	sipexpect_fmt_err(buf, -EBUSY);
	KUNIT_EXPECT_STREQ(test, buf, "EBUSY");
	sipexpect_fmt_err(buf, -EALREADY);
	KUNIT_EXPECT_STREQ(test, buf, "EALREADY");
	sipexpect_fmt_err(buf, -ESHUTDOWN);
	KUNIT_EXPECT_STREQ(test, buf, "ESHUTDOWN");
	sipexpect_fmt_err(buf, -ENOMEM);
	KUNIT_EXPECT_STREQ(test, buf, "-12");
	sipexpect_fmt_err(buf, S32_MIN);
	KUNIT_EXPECT_STREQ(test, buf, "-2147483648");

	a.ip = htonl(0xc0000201);
	sipexpect_fmt_addr(buf, NFPROTO_IPV4, &a);
	KUNIT_EXPECT_STREQ(test, buf, "192.0.2.1");
	memset(&a, 0xff, sizeof(a));
	sipexpect_fmt_addr(buf, NFPROTO_IPV6, &a);
	KUNIT_EXPECT_STREQ(test, buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	memset(&a, 0, sizeof(a));
	a.ip6[0] = htonl(0x20010db8);
	a.ip6[3] = htonl(1);
	sipexpect_fmt_addr(buf, NFPROTO_IPV6, &a);
	KUNIT_EXPECT_STREQ(test, buf, "2001:db8::1");

	KUNIT_EXPECT_STREQ(test, sipexpect_l3_name(NFPROTO_IPV4), "ipv4");
	KUNIT_EXPECT_STREQ(test, sipexpect_l3_name(NFPROTO_IPV6), "ipv6");
	KUNIT_EXPECT_STREQ(test, sipexpect_l4_name(IPPROTO_UDP), "udp");
	KUNIT_EXPECT_STREQ(test, sipexpect_l4_name(IPPROTO_TCP), "tcp");
	KUNIT_EXPECT_NULL(test, sipexpect_l4_name(IPPROTO_SCTP));
}

static char *seq_text(struct kunit *test, struct seq_file *m)
{
	KUNIT_ASSERT_LT(test, m->count, m->size);
	m->buf[m->count] = '\0';
	return m->buf;
}

static struct seq_file *test_seq(struct kunit *test)
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m);
	m->size = 1024;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, m->buf);
	return m;
}

static void sipexpect_recent_show_failure(struct kunit *test)
{
	struct seq_file *m = test_seq(test);
	struct sipexpect_failure f;

	memset(&f, 0, sizeof(f));
	f.key.netns = 4026531840U;
	f.key.zone = 3;
	f.key.l3 = NFPROTO_IPV4;
	f.key.l4 = IPPROTO_UDP;
	f.key.src.ip = htonl(0x0a000002);
	f.key.dst.ip = htonl(0xc0000201);
	f.key.sport = 5060;
	f.key.dport = 5061;
	strscpy(f.key.helper, "sip", sizeof(f.key.helper));
	f.kind = SIPEXPECT_FAILURE_INSERT;
	strscpy(f.class_name, "audio", sizeof(f.class_name));
	f.exp_src.ip = htonl(0xc0000201);
	f.exp_dst.ip = htonl(0x0a000002);
	f.exp_dport = 16384;
	f.err = -EMFILE;
	f.count = 64;
	f.max = 64;
	f.held = 2;
	sipexpect_show_key(m, &f.key);
	sipexpect_show_failure(m, &f);
	KUNIT_EXPECT_STREQ(test, seq_text(test, m),
			   "netns=4026531840 zone=3 l3=ipv4 proto=udp src=10.0.0.2 dst=192.0.2.1 sport=5060 dport=5061 helper=sip class=audio exp_src=192.0.2.1 exp_dst=10.0.0.2 exp_dport=16384 err=EMFILE count=64 max=64 held=2");

	m->count = 0;
	f.kind = SIPEXPECT_FAILURE_DROP;
	f.message = SIPEXPECT_MESSAGE_ALL_PORTS_SDP;
	f.cause = SIPEXPECT_DROPS_CAUSE_TABLE_FULL;
	f.confirmed = true;
	sipexpect_show_failure(m, &f);
	KUNIT_EXPECT_STREQ(test, seq_text(test, m),
			   " message=all_ports_in_use_sdp cause=table_full confirmed=1");

	m->count = 0;
	memset(&f.key, 0, sizeof(f.key));
	f.key.l3 = NFPROTO_IPV6;
	f.key.l4 = IPPROTO_SCTP;
	f.key.src.ip6[0] = htonl(0x20010db8);
	f.key.src.ip6[3] = htonl(2);
	f.key.dst.ip6[0] = htonl(0x20010db8);
	f.key.dst.ip6[3] = htonl(1);
	strscpy(f.key.helper, "sip", sizeof(f.key.helper));
	sipexpect_show_key(m, &f.key);
	KUNIT_EXPECT_STREQ(test, seq_text(test, m),
			   "netns=0 zone=0 l3=ipv6 proto=132 src=2001:db8::2 dst=2001:db8::1 sport=0 dport=0 helper=sip");
}

static struct kunit_case sipexpect_recent_cases[] = {
	KUNIT_CASE(sipexpect_recent_empty),
	KUNIT_CASE(sipexpect_recent_in_order),
	KUNIT_CASE(sipexpect_recent_wraps_keeps_newest),
	KUNIT_CASE(sipexpect_recent_odd_size),
	KUNIT_CASE(sipexpect_recent_reset_hides_older),
	KUNIT_CASE(sipexpect_recent_param_accepts),
	KUNIT_CASE(sipexpect_recent_param_rejects),
	KUNIT_CASE(sipexpect_recent_init_rejects_bad_size),
	KUNIT_CASE(sipexpect_recent_slot_being_written),
	KUNIT_CASE(sipexpect_recent_concurrent_whole_copies),
	KUNIT_CASE(sipexpect_recent_failure_names),
	KUNIT_CASE(sipexpect_recent_show_failure),
	{}
};

static struct kunit_suite sipexpect_recent_suite = {
	.name = "sipexpect_recent",
	.init = recent_test_init,
	.exit = recent_test_exit,
	.test_cases = sipexpect_recent_cases,
};

kunit_test_suite(sipexpect_recent_suite);
