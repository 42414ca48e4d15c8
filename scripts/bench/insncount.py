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
"""
import bisect
import os
import re

from labkit import c_tool, sh

HERE = os.path.dirname(os.path.abspath(__file__))
# Spinning on a contended lock counts instructions by the time it waits,
# not by the work done: shown apart.
SPIN = re.compile(r"queued_spin_lock_slowpath")


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
        """End a phase: {block address: instructions} since the last take(),
        and how many blocks the plugin had no room to count."""
        sh([self.tool])
        with open(self.path) as f:
            f.seek(self.offset)
            head = f.readline()
            m = re.match(r"phase \d+ full (\d+)$", head)
            if not m:
                raise RuntimeError(f"insncount: no phase at {self.offset}: {head!r}")
            blocks = {}
            for line in iter(f.readline, ""):
                if line == "end\n":
                    break
                addr, n = line.split()
                blocks[int(addr, 16)] = int(n)
            else:
                raise RuntimeError("insncount: a phase without its end")
            self.offset = f.tell()
        return blocks, int(m.group(1))


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
