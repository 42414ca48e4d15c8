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
 * Usage: -plugin insncount.so,out=FILE
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
enum { PLUGIN_INLINE_ADD_U64 };

typedef void (*tb_trans_cb)(plugin_id id, struct plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu_index, void *userdata);
typedef void (*udata_cb)(plugin_id id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(plugin_id id, tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct plugin_tb *tb,
					  vcpu_udata_cb cb, int flags,
					  void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct plugin_tb *tb, int op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(plugin_id id, udata_cb cb, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct plugin_insn *insn,
					    vcpu_udata_cb cb, int flags,
					    void *userdata);
size_t qemu_plugin_tb_n_insns(const struct plugin_tb *tb);
struct plugin_insn *qemu_plugin_tb_get_insn(const struct plugin_tb *tb,
					    size_t idx);
const void *qemu_plugin_insn_data(const struct plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct plugin_insn *insn);
uint64_t qemu_plugin_tb_vaddr(const struct plugin_tb *tb);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* -- counting --------------------------------------------------------- */

/* Kernel text only: user space is the sender's, not what is measured. */
#define KERNEL_START	0xffff800000000000ULL
/* Distinct kernel block addresses: a boot and a bench stay far below. */
#define SLOTS		(1U << 21)

struct slot {
	uint64_t vaddr;		/* 0: free */
	uint64_t insns;		/* added to by the translated code itself */
};

static struct slot *slots;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static unsigned int phase;
static uint64_t full;		/* blocks not counted: no free slot */

/* Slots never move: translated code holds their address. */
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

	pthread_mutex_lock(&lock);
	fprintf(out, "phase %u full %" PRIu64 "\n", phase++, full);
	for (i = 0; i < SLOTS; i++) {
		uint64_t n = __atomic_exchange_n(&slots[i].insns, 0,
						 __ATOMIC_RELAXED);

		if (n)
			fprintf(out, "%" PRIx64 " %" PRIu64 "\n",
				slots[i].vaddr, n);
	}
	fprintf(out, "end\n");
	fflush(out);
	pthread_mutex_unlock(&lock);
}

static void on_mark(unsigned int vcpu_index, void *userdata)
{
	(void)vcpu_index;
	(void)userdata;
	dump();
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

static void on_translate(plugin_id id, struct plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
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
	if (s)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, PLUGIN_INLINE_ADD_U64,
							 &s->insns,
							 qemu_plugin_tb_n_insns(tb));
}

static void on_qemu_exit(plugin_id id, void *userdata)
{
	(void)id;
	(void)userdata;
	dump();
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
	}
	if (!path) {
		fprintf(stderr, "insncount: out=FILE is needed\n");
		return -1;
	}
	out = fopen(path, "w");
	slots = calloc(SLOTS, sizeof(*slots));
	if (!out || !slots) {
		perror("insncount");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}
