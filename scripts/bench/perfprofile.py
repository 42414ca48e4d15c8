# SPDX-License-Identifier: GPL-2.0
"""Where the kernel's CPU goes during a command, from a system-wide perf
profile with call chains (used by make bench).

A cost ratio from /proc/stat swings by a tenth between two identical runs
under TCG. A profile divides one run's CPU among the code that used it, so
the share of a tracer's own code does not depend on how fast the host was
in that moment.

Attribution goes by call chain, not by the sampled function: the timer
that takes a sample cannot fire while interrupts are off, so a handler's
locked section is sampled at its spin_unlock_irqrestore(). A sample belongs
to every function on its stack.
"""
import re
import subprocess

HZ = 1000   # samples per second and CPU: one sample = 1 ms of one CPU

IDLE = {"native_safe_halt", "default_idle", "arch_cpu_idle", "poll_idle",
        "acpi_idle_do_entry", "mwait_idle_with_hints", "cpu_idle_poll"}

# Where a kprobe, a kretprobe's entry or its return trampoline enters the
# kernel's probe code (ftrace-based, int3 and jump-optimised kprobes; the
# rethook and the older kretprobe trampolines).
HOOK_ENTRIES = re.compile(
    r"^(kprobe_ftrace_handler|kprobe_int3_handler|optimized_callback|"
    r"arch_rethook_trampoline\w*|rethook_trampoline_handler|"
    r"__kretprobe_trampoline\w*|kretprobe_trampoline_handler|"
    r"trampoline_handler)$")

# "    ffffffff81a0c5e1 _raw_spin_unlock_irqrestore+0x21 ([kernel.kallsyms])"
FRAME = re.compile(r"^\s*[0-9a-f]+\s+(\S+?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)\s*$")

# A tracer's own code: its module, or for bpftrace the kprobe event layer
# that runs its BPF programs, and the programs.
BPF_PATH = re.compile(r"^(bpf_prog_\w+|trace_call_bpf|kprobe_perf_func|"
                      r"kretprobe_perf_func|kprobe_dispatcher|"
                      r"kretprobe_dispatcher)$")


def module_symbols(module):
    """The functions of a loaded module, as /proc/kallsyms names them: perf
    script shows module code under [kernel.kallsyms], by name."""
    with open("/proc/kallsyms") as f:
        return {line.split()[2] for line in f
                if line.rstrip().endswith(f"[{module}]")}


def own_code(tracer):
    """A predicate on (symbol, dso): is this frame the tracer's own code?
    Ask while the tracer is loaded."""
    if tracer == "bpftrace":
        return lambda sym, dso: bool(BPF_PATH.match(sym))
    names = module_symbols(tracer)
    if not names:
        raise RuntimeError(f"no symbols of module {tracer} in /proc/kallsyms")
    return lambda sym, dso: sym in names


def record(argv, out):
    """Run argv under a system-wide, kernel-only profile; argv's stdout."""
    p = subprocess.run(["perf", "record", "-q", "-a", "-g", "-e", "cpu-clock:k",
                        "-F", str(HZ), "-o", out, "--", *argv],
                       text=True, capture_output=True)
    if p.returncode:
        raise RuntimeError(f"perf record: {p.stderr.strip()}")
    return p.stdout


def samples(data):
    """Each sample's call chain, leaf first, as (symbol, dso) pairs."""
    p = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,dso"],
                       text=True, capture_output=True)
    if p.returncode:
        raise RuntimeError(f"perf script: {p.stderr.strip()}")
    chain = []
    for line in p.stdout.splitlines():
        m = FRAME.match(line)
        if m:
            chain.append((m.group(1), m.group(2)))
        elif chain:
            yield chain
            chain = []
    if chain:
        yield chain


def attribute(chains, is_own):
    """Busy kernel samples; those inside any probe hook (the tracer's own
    code included: its tracepoint handler is not behind a kprobe); those
    inside the tracer's own code."""
    busy = hooks = own = 0
    for chain in chains:
        if chain[0][0] in IDLE:
            continue
        busy += 1
        mine = any(is_own(sym, dso) for sym, dso in chain)
        own += mine
        hooks += mine or any(HOOK_ENTRIES.match(sym) for sym, _ in chain)
    return busy, hooks, own


def own_by_function(chains, is_own):
    """The tracer's own samples, counted twice over: by the outermost own
    function on each stack (the handler or worker that was entered) and by
    the sampled function itself. Under TCG a sample is taken at the start
    of a translation block, and a sample that fell due with interrupts off
    is taken where they come back on: read the leaves with that in mind."""
    own = 0
    by_entry, by_leaf = {}, {}
    for chain in chains:
        if chain[0][0] in IDLE:
            continue
        mine = [sym for sym, dso in chain if is_own(sym, dso)]
        if not mine:
            continue
        own += 1
        by_entry[mine[-1]] = by_entry.get(mine[-1], 0) + 1
        by_leaf[chain[0][0]] = by_leaf.get(chain[0][0], 0) + 1
    return own, by_entry, by_leaf
