# SPDX-License-Identifier: GPL-2.0
"""Guest kernel instructions, from the insncount TCG plugin (make bench).

The plugin (insncount/insncount.c, run by QEMU on the host) counts the
instructions the guest kernel executes per translation block address and
appends them to a file the guest sees through a share, each time the guest
runs the mark tool (insncount/mark.c), then starts again from zero. Here,
in the guest, take() runs the mark and reads what the plugin wrote since
the previous mark, and by_function() names the addresses with
/proc/kallsyms. Instructions do not depend on the host's speed: the same
flood through the same code counts nearly the same every time.

The plugin also counts, per block, the instructions run inside a tool
context: from a call into an entry address (write_entries(): the tool's
own functions, the ftrace, kprobe and kretprobe trampolines' handlers) to
the return from that call, interrupts arriving meanwhile left out.
attributable() makes of them what runs only because the tool is there.
"""
import bisect
import collections
import os
import re

from labkit import c_tool, sh

HERE = os.path.dirname(os.path.abspath(__file__))
# Spinning on a contended lock counts instructions by the time it waits,
# not by the work done: shown apart.
SPIN = re.compile(r"queued_spin_lock_slowpath")

# Where a tool context begins besides the tool's own functions: entered
# with a call, only when a probe, kretprobe or tracepoint probe is there
# (dynamic ftrace trampolines are all named ftrace_trampoline). A run
# without any tracer counts next to nothing inside them.
MACHINERY_ENTRY = re.compile(
    r"^(ftrace_trampoline|ftrace_caller|ftrace_regs_caller|"
    r"arch_rethook_trampoline_callback|trampoline_handler|"
    r"__kretprobe_trampoline_handler|__traceiter_\w+)$")
# Run only for a kretprobe, but entered by its probed function's return,
# not by a call: counted whole, inside a context or not.
NOT_CALLED = re.compile(
    r"^(arch_rethook_trampoline|__kretprobe_trampoline|kretprobe_trampoline)$")
# Where an asynchronous interrupt enters the kernel: one that arrives in a
# tool context is not the tool's work, until its iret.
IRQ_ENTRY = re.compile(
    r"^(asm_sysvec_\w+|asm_common_interrupt|asm_spurious_interrupt|asm_exc_nmi)$")

# One phase as the plugin wrote it: {block address: instructions}, the same
# for those inside tool contexts, blocks with no counter, how many entry
# lines were in force, contexts ended by a later call rather than at their
# return (late) and dropped for want of room.
Phase = collections.namedtuple("Phase", "blocks inside full entries late dropped")


def mark_tool():
    """mark.c, built as labkit builds the flood sender."""
    return c_tool(os.path.join(HERE, "insncount", "mark.c"), "insnmark")


class Counts:
    """The plugin's output file, read a phase at a time."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.tool = mark_tool()

    def take(self):
        """End a phase: a Phase since the last take(). This mark also puts
        the entries file in force for the next phase."""
        sh([self.tool])
        with open(self.path) as f:
            f.seek(self.offset)
            head = f.readline()
            m = re.match(r"phase \d+ full (\d+)"
                         r"(?: entries (\d+) late (\d+) dropped (\d+))?$", head)
            if not m:
                raise RuntimeError(f"insncount: no phase at {self.offset}: {head!r}")
            blocks, inside = {}, {}
            for line in iter(f.readline, ""):
                if line == "end\n":
                    break
                p = line.split()
                addr = int(p[0], 16)
                blocks[addr] = int(p[1])
                if len(p) > 2 and p[2] != "0":
                    inside[addr] = int(p[2])
            else:
                raise RuntimeError("insncount: a phase without its end")
            self.offset = f.tell()
        return Phase(blocks, inside, *(int(g or 0) for g in m.groups()))


def symbol_table():
    """Function start addresses and names, kernel and modules (BPF programs
    too, with net.core.bpf_jit_kallsyms=1). Take it while the tracer is
    loaded: module code moves with every load."""
    syms = []
    with open("/proc/kallsyms") as f:
        for line in f:
            p = line.split()
            if p[1] in "tTwW":
                syms.append((int(p[0], 16), p[2]))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def shared_names(module):
    """The module's function names that other code has too."""
    mine, others = set(), set()
    with open("/proc/kallsyms") as f:
        for line in f:
            p = line.split()
            if p[1] in "tTwW":
                (mine if p[3:] == [f"[{module}]"] else others).add(p[2])
    return sorted(mine & others)


def by_function(blocks, table):
    """Instructions per function (a block counts for the function it starts
    in; one more than 64 KiB past the last symbol, as "?")."""
    addrs, names = table
    out = {}
    for addr, n in blocks.items():
        i = bisect.bisect_right(addrs, addr) - 1
        name = names[i] if i >= 0 and addr - addrs[i] < 1 << 16 else "?"
        out[name] = out.get(name, 0) + n
    return out


def write_entries(path, table, is_own):
    """The plugin's entries for the next phases (it reads them at each
    mark): the tool's own functions (is_own(name, None), as
    perfprofile.own_code() says) and the machinery's, where a context
    begins; the asynchronous interrupts' entries. Take table while the tool
    is loaded. Returns how many lines: the phase says how many it used."""
    addrs, names = table
    lines = set()
    for addr, name in zip(addrs, names):
        if is_own(name, None) or MACHINERY_ENTRY.match(name):
            lines.add(f"e {addr:x}\n")
        elif IRQ_ENTRY.match(name):
            lines.add(f"i {addr:x}\n")
    with open(path + ".new", "w") as f:
        f.writelines(sorted(lines))
    os.replace(path + ".new", path)
    return len(lines)


def attributable(functions, inside, is_own):
    """Instructions that ran only because the tool is there, and by
    function: what ran inside its contexts (spinning on a contended lock
    apart), and the whole of its own functions and of the kretprobe return
    trampolines, which also run outside a context (an own function in an
    interrupt that arrived inside one; a trampoline entered by a return).
    functions and inside: by_function() of a phase's blocks and inside."""
    out = {}
    for name, n in inside.items():
        if not SPIN.search(name):
            out[name] = n
    for name, n in functions.items():
        if is_own(name, None) or NOT_CALLED.match(name):
            out[name] = out.get(name, 0) + max(n - inside.get(name, 0), 0)
    return sum(out.values()), out
