// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for make bench: guest kernel instructions executed,
 * per translation block start address, written out each time the guest
 * runs mark (mark.c: one instruction no compiler emits) and then reset.
 * The bench runs mark at its phase boundaries.
 *
 * Instructions, not time: the same work counts the same whatever the
 * host is doing, so a cost is read in one run, not as a median of noisy
 * ones. The bench maps the addresses to functions with the guest's
 * /proc/kallsyms.
 *
 * Each block also counts the instructions it ran inside a tool context:
 * from a call into one of the entry addresses the guest names (a tool's
 * functions, the kprobe and ftrace trampolines' handlers) to the return
 * from that call, on that vCPU, with the interrupts that arrive meanwhile
 * left out. So what a tool's probes run, and what they call, is counted
 * function by function, not as a difference of two kernel totals that
 * move by more than the tool costs.
 *
 * Usage: -plugin insncount.so,out=FILE[,entries=FILE]
 *
 * The entries file (written by the guest before it runs mark; read again
 * at every mark, after the dump): one address a line, "e <hex>" where a
 * tool context begins, "i <hex>" where an asynchronous interrupt enters
 * the kernel. A dump begins "phase <n> full <blocks not counted> entries
 * <in force> late <contexts ended by a later call> dropped <contexts with
 * no room>"; each of its lines is "<block address> <instructions> <of
 * them inside a tool context>".
 *
 * QEMU's plugin API, version 1 (QEMU 4.2 to 8.2, Debian 12 has 7.2): the
 * few declarations needed are below, so no QEMU headers are needed.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -- the plugin ABI, version 1 ---------------------------------------- */

typedef uint64_t plugin_id;
struct plugin_tb;
struct plugin_insn;

struct plugin_info {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	struct {
		int smp_vcpus;
		int max_vcpus;
	} system;
};

enum { PLUGIN_CB_NO_REGS };
enum { PLUGIN_MEM_R = 1, PLUGIN_MEM_W, PLUGIN_MEM_RW };	/* which accesses */
typedef uint32_t plugin_meminfo;

typedef void (*tb_trans_cb)(plugin_id id, struct plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu_index, void *userdata);
typedef void (*vcpu_mem_cb)(unsigned int vcpu_index, plugin_meminfo info,
			    uint64_t vaddr, void *userdata);
typedef void (*udata_cb)(plugin_id id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(plugin_id id, tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct plugin_tb *tb,
					  vcpu_udata_cb cb, int flags,
					  void *userdata);
void qemu_plugin_register_atexit_cb(plugin_id id, udata_cb cb, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct plugin_insn *insn,
					    vcpu_udata_cb cb, int flags,
					    void *userdata);
void qemu_plugin_register_vcpu_mem_cb(struct plugin_insn *insn,
				      vcpu_mem_cb cb, int flags, int rw,
				      void *userdata);
size_t qemu_plugin_tb_n_insns(const struct plugin_tb *tb);
struct plugin_insn *qemu_plugin_tb_get_insn(const struct plugin_tb *tb,
					    size_t idx);
const void *qemu_plugin_insn_data(const struct plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct plugin_insn *insn);
uint64_t qemu_plugin_tb_vaddr(const struct plugin_tb *tb);
uint64_t qemu_plugin_insn_vaddr(const struct plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* -- counting --------------------------------------------------------- */

/* Kernel text only: user space is the sender's, not what is measured. */
#define KERNEL_START	0xffff800000000000ULL
/* Distinct kernel block addresses: a boot and a bench stay far below. */
#define SLOTS		(1U << 21)
/* A block's slot and instruction count, packed into its callback's data. */
#define INSNS_BITS	16
/*
 * A kernel stack (THREAD_SIZE on x86-64 without KASAN; the interrupt
 * stacks are as large): a return address slot farther than this from a
 * context's is on another stack, another task's or an interrupt's.
 */
#define STACK_SPAN	(16U << 10)
/* Open contexts a vCPU keeps: one a stack (a task that slept in one). */
#define CONTEXTS	4

enum {
	SLOT_ENTRY	= 1,	/* a tool context begins here */
	SLOT_IRQ_ENTRY	= 2,	/* an asynchronous interrupt enters here */
};

struct slot {
	uint64_t vaddr;		/* 0: free */
	uint64_t insns;		/* executed */
	uint64_t inside;	/* of them, inside a tool context */
	uint32_t flags;		/* SLOT_*, read as the block runs */
};

/* A call: where it stored its return address, and that address. */
struct call {
	uint64_t slot;
	uint64_t ret;
};

/*
 * A tool context on a vCPU begins when a block at an entry address runs
 * while the vCPU is in none: it belongs to the vCPU's last call (for a
 * retpoline's, the call before: the thunk returns into the entry). It
 * ends when, right after a return, a block begins at that call's return
 * address; or, if that was missed, at the next call that stores at or
 * above the context's slot on its stack: the entry has returned by then.
 *
 * QEMU 7.2 gives a return's load a wrong address (the block's previous
 * access), so returns are seen by their execution alone. A call's store
 * address is right, but an atomic instruction run later by a helper calls
 * the last instrumented instruction's memory callback again, with its own
 * address: a call is armed as it executes and its store taken once. That
 * store names the stack in use: the vCPU is inside a context while its
 * last call stored below the context's slot on that stack, not while
 * another task runs on its own stack (the context's task slept) or an
 * interrupt runs on the interrupt stack.
 *
 * An interrupt entered from inside suspends the context until its iret:
 * its blocks count outside, and its calls and returns move nothing.
 */
struct context {
	uint64_t slot;		/* the entry call's return address slot; 0: none */
	uint64_t ret;		/* where that call returns */
};

struct vcpu {
	struct call last, prev;	/* the last two calls */
	struct context ctx[CONTEXTS];
	unsigned int next;	/* the context to drop when all are open */
	unsigned int depth;	/* interrupts entered from inside, not yet left */
	uint64_t armed;		/* a call runs: its return address, till its store */
	bool returned;		/* a return ran, its target block not yet */
	unsigned int epoch;	/* the state is from this mark on */
} __attribute__((aligned(64)));

static struct slot *slots;
static struct vcpu *vcpus;
static unsigned int nr_vcpus;
static unsigned int epoch;	/* every mark starts every vCPU afresh */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static const char *entries_path;
static struct slot **flagged;	/* the entries now in force */
static size_t nr_flagged, flagged_room;
static unsigned int phase;
static uint64_t full;		/* blocks not counted: no free slot */
static uint64_t late;		/* contexts ended by a later call, not their return */
static uint64_t dropped;	/* contexts dropped for want of room */

/* Slots never move: callbacks hold their index. */
static struct slot *slot_of(uint64_t vaddr)
{
	uint64_t h = (vaddr * 0x9e3779b97f4a7c15ULL) >> 43;
	unsigned int i;

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[(h + i) & (SLOTS - 1)];

		if (s->vaddr == vaddr)
			return s;
		if (!s->vaddr) {
			s->vaddr = vaddr;
			return s;
		}
	}
	return NULL;
}

/* Every block with instructions since the last dump, then zero them. */
static void dump(void)
{
	unsigned int i;

	fprintf(out, "phase %u full %" PRIu64 " entries %zu late %" PRIu64
		" dropped %" PRIu64 "\n", phase++, full, nr_flagged,
		__atomic_exchange_n(&late, 0, __ATOMIC_RELAXED),
		__atomic_exchange_n(&dropped, 0, __ATOMIC_RELAXED));
	for (i = 0; i < SLOTS; i++) {
		uint64_t n = __atomic_exchange_n(&slots[i].insns, 0,
						 __ATOMIC_RELAXED);
		uint64_t in = __atomic_exchange_n(&slots[i].inside, 0,
						  __ATOMIC_RELAXED);

		if (n || in)
			fprintf(out, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
				slots[i].vaddr, n, in);
	}
	fprintf(out, "end\n");
	fflush(out);
}

static void flag(struct slot *s, uint32_t f)
{
	if (nr_flagged == flagged_room) {
		size_t room = flagged_room ? 2 * flagged_room : 1024;
		struct slot **p = realloc(flagged, room * sizeof(*p));

		if (!p)
			return;
		flagged = p;
		flagged_room = room;
	}
	flagged[nr_flagged++] = s;
	__atomic_or_fetch(&s->flags, f, __ATOMIC_RELAXED);
}

/*
 * The entries for the next phase: the file as the guest left it, the
 * previous ones cleared first (module code moves with every load: an old
 * entry may be another function's code now).
 */
static void read_entries(void)
{
	char line[128];
	size_t i;
	FILE *f;

	for (i = 0; i < nr_flagged; i++)
		__atomic_store_n(&flagged[i]->flags, 0, __ATOMIC_RELAXED);
	nr_flagged = 0;
	f = entries_path ? fopen(entries_path, "r") : NULL;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;
		struct slot *s;
		char kind;

		if (sscanf(line, "%c %" SCNx64, &kind, &addr) != 2 ||
		    addr < KERNEL_START || (kind != 'e' && kind != 'i'))
			continue;
		s = slot_of(addr);
		if (s)
			flag(s, kind == 'e' ? SLOT_ENTRY : SLOT_IRQ_ENTRY);
	}
	fclose(f);
}

static void on_mark(unsigned int vcpu_index, void *userdata)
{
	(void)vcpu_index;
	(void)userdata;
	pthread_mutex_lock(&lock);
	dump();
	read_entries();
	__atomic_fetch_add(&epoch, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock);
}

/* This vCPU's state, afresh after a mark; only its own thread uses it. */
static struct vcpu *vcpu_of(unsigned int vcpu_index)
{
	unsigned int e = __atomic_load_n(&epoch, __ATOMIC_RELAXED);
	struct vcpu *v;

	if (vcpu_index >= nr_vcpus)
		return NULL;
	v = &vcpus[vcpu_index];
	if (v->epoch != e) {
		memset(v, 0, sizeof(*v));
		v->epoch = e;
	}
	return v;
}

/* An open context on the stack of the vCPU's last call, if any. */
static bool inside(const struct vcpu *v)
{
	unsigned int i;

	for (i = 0; i < CONTEXTS; i++)
		if (v->ctx[i].slot &&
		    v->ctx[i].slot - v->last.slot < STACK_SPAN)
			return true;
	return false;
}

static void begin(struct vcpu *v, bool returned)
{
	const struct call *c = &v->last;
	unsigned int i;

	/* A retpoline: call thunk; call 1f; 1: mov %reg,(%rsp); ret. */
	if (returned && v->prev.slot == v->last.slot + 8)
		c = &v->prev;
	for (i = 0; i < CONTEXTS && v->ctx[i].slot; i++)
		;
	if (i == CONTEXTS) {	/* all taken by tasks that slept in one */
		i = v->next++ % CONTEXTS;
		__atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
	}
	v->ctx[i].slot = c->slot;
	v->ctx[i].ret = c->ret;
}

static void on_block(unsigned int vcpu_index, void *userdata)
{
	uintptr_t u = (uintptr_t)userdata;
	struct slot *s = &slots[u >> INSNS_BITS];
	uint64_t n = u & ((1U << INSNS_BITS) - 1);
	struct vcpu *v = vcpu_of(vcpu_index);
	uint32_t flags = __atomic_load_n(&s->flags, __ATOMIC_RELAXED);
	bool returned;
	unsigned int i;

	__atomic_fetch_add(&s->insns, n, __ATOMIC_RELAXED);
	if (!v)
		return;
	v->armed = 0;
	if (v->depth) {
		/* An NMI into a suspending interrupt: its iret comes first. */
		if (flags & SLOT_IRQ_ENTRY)
			v->depth++;
		return;
	}
	if ((flags & SLOT_IRQ_ENTRY) && inside(v)) {
		v->depth = 1;	/* a return before it stays pending */
		return;
	}
	returned = v->returned;
	v->returned = false;
	if (returned)
		for (i = 0; i < CONTEXTS; i++)
			if (v->ctx[i].slot && v->ctx[i].ret == s->vaddr)
				v->ctx[i].slot = 0;
	if (inside(v)) {
		__atomic_fetch_add(&s->inside, n, __ATOMIC_RELAXED);
	} else if ((flags & SLOT_ENTRY) && v->last.slot) {
		begin(v, returned);
		__atomic_fetch_add(&s->inside, n, __ATOMIC_RELAXED);
	}
}

/* A call about to run: userdata is its return address. */
static void on_call_exec(unsigned int vcpu_index, void *userdata)
{
	struct vcpu *v = vcpu_of(vcpu_index);

	if (v)
		v->armed = (uintptr_t)userdata;
}

/* A call's store, or a later atomic access seen through its callback. */
static void on_call(unsigned int vcpu_index, plugin_meminfo info,
		    uint64_t vaddr, void *userdata)
{
	struct vcpu *v = vcpu_of(vcpu_index);
	uint64_t ret;
	unsigned int i;

	(void)info;
	(void)userdata;
	if (!v)
		return;
	ret = v->armed;
	v->armed = 0;
	if (!ret || v->depth)
		return;
	v->prev = v->last;
	v->last.slot = vaddr;
	v->last.ret = ret;
	for (i = 0; i < CONTEXTS; i++)
		if (v->ctx[i].slot && vaddr - v->ctx[i].slot < STACK_SPAN) {
			v->ctx[i].slot = 0;
			__atomic_fetch_add(&late, 1, __ATOMIC_RELAXED);
		}
}

static void on_ret(unsigned int vcpu_index, void *userdata)
{
	struct vcpu *v = vcpu_of(vcpu_index);

	(void)userdata;
	if (v && !v->depth)
		v->returned = true;
}

static void on_iret(unsigned int vcpu_index, void *userdata)
{
	struct vcpu *v = vcpu_of(vcpu_index);

	(void)userdata;
	if (v && v->depth)
		v->depth--;
}

/* movabs $0x5349504558504543, %rax ("CEPXEPIS"): mark.c's instruction */
static const unsigned char mark_insn[] = {
	0x48, 0xb8, 0x43, 0x45, 0x50, 0x58, 0x45, 0x50, 0x49, 0x53,
};

/* A user block: does it hold the mark? */
static void find_mark(struct plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	for (i = 0; i < n; i++) {
		struct plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(mark_insn) &&
		    !memcmp(qemu_plugin_insn_data(insn), mark_insn,
			    sizeof(mark_insn)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark,
							       PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

enum { INSN_OTHER, INSN_CALL, INSN_RET, INSN_IRET };

static bool legacy_prefix(unsigned char c)
{
	switch (c) {
	case 0x26: case 0x2e: case 0x36: case 0x3e:	/* segments */
	case 0x64: case 0x65: case 0x66: case 0x67:
	case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

/* Calls (near, direct or indirect), near returns and irets, by opcode. */
static int insn_kind(const struct plugin_insn *insn)
{
	const unsigned char *p = qemu_plugin_insn_data(insn);
	size_t i = 0, len = qemu_plugin_insn_size(insn);

	while (i < len && legacy_prefix(p[i]))
		i++;
	if (i < len && (p[i] & 0xf0) == 0x40)	/* REX */
		i++;
	if (i >= len)
		return INSN_OTHER;
	switch (p[i]) {
	case 0xe8:
		return INSN_CALL;
	case 0xff:	/* ModRM reg 2: call r/m64 */
		return i + 1 < len && ((p[i + 1] >> 3) & 7) == 2 ?
			INSN_CALL : INSN_OTHER;
	case 0xc2:
	case 0xc3:
		return INSN_RET;
	case 0xcf:
		return INSN_IRET;
	}
	return INSN_OTHER;
}

static void on_translate(plugin_id id, struct plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct slot *s;

	(void)id;
	if (vaddr < KERNEL_START) {
		find_mark(tb);
		return;
	}
	pthread_mutex_lock(&lock);
	s = slot_of(vaddr);
	if (!s)
		full++;
	pthread_mutex_unlock(&lock);
	if (s && n < 1U << INSNS_BITS)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block,
			PLUGIN_CB_NO_REGS,
			(void *)(((uintptr_t)(s - slots) << INSNS_BITS) | n));
	/* Calls and returns everywhere: a context's ends are found by them. */
	for (i = 0; i < n; i++) {
		struct plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		switch (insn_kind(insn)) {
		case INSN_CALL:
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_call_exec,
				PLUGIN_CB_NO_REGS,
				(void *)(uintptr_t)(qemu_plugin_insn_vaddr(insn) +
						    qemu_plugin_insn_size(insn)));
			qemu_plugin_register_vcpu_mem_cb(insn, on_call,
							 PLUGIN_CB_NO_REGS,
							 PLUGIN_MEM_W, NULL);
			break;
		case INSN_RET:
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_ret,
							       PLUGIN_CB_NO_REGS,
							       NULL);
			break;
		case INSN_IRET:
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_iret,
							       PLUGIN_CB_NO_REGS,
							       NULL);
			break;
		}
	}
}

static void on_qemu_exit(plugin_id id, void *userdata)
{
	(void)id;
	(void)userdata;
	pthread_mutex_lock(&lock);
	dump();
	pthread_mutex_unlock(&lock);
	fclose(out);
}

__attribute__((visibility("default")))
int qemu_plugin_install(plugin_id id, const struct plugin_info *info,
			int argc, char **argv)
{
	const char *path = NULL;
	int i;

	if (!info->system_emulation)
		return -1;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
		else if (!strncmp(argv[i], "entries=", 8))
			entries_path = argv[i] + 8;
	}
	if (!path) {
		fprintf(stderr, "insncount: out=FILE is needed\n");
		return -1;
	}
	nr_vcpus = info->system.max_vcpus > 0 ? info->system.max_vcpus : 1;
	out = fopen(path, "w");
	slots = calloc(SLOTS, sizeof(*slots));
	vcpus = aligned_alloc(64, nr_vcpus * sizeof(*vcpus));
	if (!out || !slots || !vcpus) {
		perror("insncount");
		return -1;
	}
	memset(vcpus, 0, nr_vcpus * sizeof(*vcpus));
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}
