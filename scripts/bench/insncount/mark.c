// SPDX-License-Identifier: GPL-2.0
/*
 * A phase boundary for insncount.c: the instruction it watches for. Run in
 * the guest, it makes the plugin write out and reset its counts.
 */
int main(void)
{
	__asm__ volatile("movabs $0x5349504558504543, %%rax" : : : "rax");
	return 0;
}
