# SPDX-License-Identifier: GPL-2.0
"""What the in-VM test suites share: running commands, the lab, the SIP
server, loading sipexpect, its debugfs files, the kernel's own tracing as
ground truth, and ok/not ok bookkeeping."""
import collections
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "lab")
DBG = "/sys/kernel/debug/sipexpect"
PARAMS = "/sys/module/sipexpect/parameters"
TRACING = "/sys/kernel/tracing"
SERVER4, SERVER6 = "192.0.2.1", "2001:db8:2::1"
FILES = ("status", "stats", "masters", "occupancy", "advice", "retired",
         "recent")
EMFILE, EBUSY, EALREADY = -24, -16, -114
# A SIP helper drop line in dmesg: nf_ct_sip's own prefix, or the netfilter
# packet logger's (nf_log) once one is bound.
HELPER_LINE = re.compile(r"(nf_ct_sip: |helper sip )dropping packet: ")

results = []


def run(cmd, **kw):
    """Run cmd; the CompletedProcess, whatever its exit status."""
    return subprocess.run(cmd, shell=isinstance(cmd, str), text=True,
                          capture_output=True, **kw)


def sh(cmd, **kw):
    """stdout of cmd; a failure raises (and fails the suite)."""
    p = run(cmd, **kw)
    if p.returncode:
        raise RuntimeError(f"{cmd!r} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def check(name, cond, detail=""):
    results.append(bool(cond))
    status = "ok" if cond else "not ok"
    print(f"{status} {len(results)} - {name}" + ("" if cond else f": {detail}"),
          flush=True)
    return cond


KMEMLEAK = "/sys/kernel/debug/kmemleak"
# Out-of-tree (O), unsigned (E) and test (N) are what loading our modules
# costs; any other taint (W: a warning, D: an oops...) is a finding.
TAINT_ALLOWED = (1 << 12) | (1 << 13) | (1 << 18)
TAINT_WARN = 1 << 9
# Set by a suite that made the kernel WARN on purpose, and saw it do so:
# what it provoked, for the taint check to name.
provoked_warning = None


def warning_provoked(what):
    """The suite made the kernel WARN and saw the report: W is allowed."""
    global provoked_warning
    provoked_warning = what


def kmemleak_on():
    """A debug kernel's leak detector, unless booted with kmemleak=off
    (then its file still opens, but a scan is refused with -EPERM)."""
    with open("/proc/cmdline") as f:
        if "kmemleak=off" in f.read().split():
            return False
    try:
        with open(KMEMLEAK):
            return True
    except OSError:
        return False


def leaks_forget():
    """Debug kernels: forget what kmemleak suspects so far (boot, other
    suites); only what happens from here on counts."""
    if kmemleak_on():
        write_file(KMEMLEAK, "clear")


def loaded():
    return os.path.exists("/sys/module/sipexpect")


def kernel_health():
    """The kernel's verdict on the run: sipexpect gone (a reference it
    leaked would keep it), no taint but ours, and on debug kernels nothing
    kmemleak calls leaked (two scans: a leak is reported once it was seen
    unreferenced twice, at least 5 s old)."""
    check("kernel: sipexpect unloaded at the end", not loaded(),
          "still loaded: a leaked reference, or a suite that forgot it")
    with open("/proc/sys/kernel/tainted") as f:
        taint = int(f.read())
    allowed, but = TAINT_ALLOWED, "out-of-tree/unsigned/test"
    if provoked_warning:
        allowed, but = allowed | TAINT_WARN, f"{but} and W ({provoked_warning})"
    check(f"kernel: no taint but {but} (tainted={taint})",
          not taint & ~allowed, f"{taint:#x}")
    if kmemleak_on():
        for _ in range(2):
            time.sleep(6)
            write_file(KMEMLEAK, "scan")
        with open(KMEMLEAK) as f:
            report = f.read()
        check("kernel: kmemleak found nothing", not report.strip(),
              report[:3000])


def summary(suite):
    """Check the kernel's health, print the suite's closing line; the exit
    status for it."""
    print(f"# {suite} ran on {os.uname().release}", flush=True)
    kernel_health()
    passed = sum(results)
    print(f"{suite}: {passed} passed, {len(results) - passed} failed", flush=True)
    return 0 if results and passed == len(results) else 1


def lab(*args):
    return sh([LAB, *map(str, args)])


def write_file(path, data):
    """One write(2), no seek: tracefs and debugfs control files refuse the
    lseek() that Python's buffered append mode does."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, data.encode())
    finally:
        os.close(fd)


# What dmesg_clear() took from the kernel's ring: vm-run scans it with the
# rest, so that no report is left only in the console's copy, where the
# suite's own output may be glued to the start of a kernel line.
DMESG_CLEARED = "/run/vm/dmesg-cleared"


def dmesg_clear():
    """Empty the kernel's ring for a phase's own reading, keeping what it
    held (dmesg -c reads and clears in one call)."""
    out = sh("dmesg -c")
    if os.path.isdir(os.path.dirname(DMESG_CLEARED)):
        with open(DMESG_CLEARED, "a") as f:
            f.write(out)


def read(name):
    with open(os.path.join(DBG, name)) as f:
        return f.read()


def keyvals(text):
    return {k.strip(): v.strip() for k, v in
            (line.split(":", 1) for line in text.splitlines() if ":" in line)}


def fields(line):
    return dict(f.split("=", 1) for f in line.split() if "=" in f)


def stats():
    st = {k: int(v) for k, v in keyvals(read("stats")).items()}
    names = [k for k in st if not k.startswith("other_helpers_")]
    if names != list(COUNTER_NAMES):
        raise RuntimeError("labkit's COUNTER_NAMES differ from the module's stats "
                           f"(module/errnos.h?): module only "
                           f"{sorted(set(names) - set(COUNTER_NAMES))}, labkit only "
                           f"{sorted(set(COUNTER_NAMES) - set(names))}; the module's "
                           f"order: {names}")
    return st


def status():
    return keyvals(read("status"))


def masters():
    return [fields(line) for line in read("masters").splitlines()]


def recent():
    return [fields(line) for line in read("recent").splitlines()]


def retired():
    return {k: int(v) for k, v in keyvals(read("retired")).items()}


# occupancy's top= lines: the masters holding the most expectations now.
TOP_HELD = 10


def top_held():
    """{(src, sport): held} of occupancy's top= lines: the kernel's own
    count of the (at most TOP_HELD) masters holding the most, listed or
    not in masters."""
    return {(f["src"], f["sport"]): int(f["held"])
            for f in map(fields, read("occupancy").splitlines()) if "top" in f}


def held_by_master():
    """What sipexpect shows each master holds: its masters line (only a
    master with something to act on has one), else its top= line. Every
    master holding expectations is here while fewer than TOP_HELD do."""
    return {**top_held(), **{(m["src"], m["sport"]): int(m["held"])
                             for m in masters()}}


def reset():
    write_file(f"{PARAMS}/reset", "1\n")


def insmod(module, *params):
    """Load sipexpect (nf_conntrack first); a refusal fails the suite."""
    sh("modprobe -a nf_conntrack")
    sh(["insmod", module, *map(str, params)])


def rmmod():
    """Unload sipexpect; a refusal (a leaked reference) fails the suite,
    and the module must really be gone."""
    p = run("rmmod sipexpect")
    if p.returncode or loaded():
        raise RuntimeError(f"rmmod sipexpect failed ({p.returncode}): "
                           f"{p.stderr.strip()}")


def unload_if_loaded():
    if loaded():
        rmmod()


def kernel_has(symbol):
    with open("/proc/kallsyms") as f:
        return any(line.split()[2] == symbol for line in f if len(line.split()) > 2)


# Every probe status names, whether attached or not.
PROBES = ("expect_insert", "expect_insert_pair", "helper_log", "kfree_skb",
          "expect_remove")


def probe_missed():
    """Calls the kprobe machinery missed, per probe (they must be none); a
    probe whose _missed line is absent or not a number is reported too, so
    a status that stopped saying it cannot pass for none missed."""
    st = status()
    bad = {}
    for p in PROBES:
        v = st.get(f"probe_{p}_missed")
        if v is None or not v.isdigit():
            bad[f"probe_{p}_missed"] = v or "absent"
        elif int(v):
            bad[f"probe_{p}_missed"] = int(v)
    return bad


def unrecorded_faults(retired, st):
    """Where nothing can fail an allocation, nothing may go unrecorded:
    every unrecorded_* count in retired, both tables' record allocation
    failures and the staged entries lost in status, that is not 0 (or is
    missing: a file that stopped saying it cannot pass for none)."""
    keys = [k for k in COLON_KEYS["retired"] if "unrecorded_" in k] + [
        "masters_alloc_failures", "other_helpers_masters_alloc_failures",
        "staged_entries_lost"]
    both = {**retired, **st}
    return {k: both.get(k, "absent") for k in keys
            if str(both.get(k, "absent")) != "0"}


def nothing_unrecorded():
    return unrecorded_faults(keyvals(read("retired")), status())


class Server:
    """The listening SIP server in the server namespace."""

    def __init__(self, addr=SERVER4, *extra):
        self.log = f"/tmp/sxp-server-{addr.replace(':', '_')}.log"
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", "sxp-sv", os.path.join(HERE, "sip-server"),
             "--listen", addr, *map(str, extra)], stdout=open(self.log, "w"))
        for _ in range(100):
            if "ready" in open(self.log).read():
                return
            time.sleep(0.1)
        raise RuntimeError("SIP server did not start")

    def received(self):
        time.sleep(0.5)
        return {line.split()[1] for line in open(self.log)
                if line.startswith("got ")}

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def phones(n, v6=False):
    return [f"2001:db8:1::{i:x}" if v6 else f"198.51.100.{i}"
            for i in range(1, n + 1)]


Call = collections.namedtuple("Call", "call_id ip port rtp")


def call(server, sources, count, *extra):
    """Place calls from the phones; a Call per call placed."""
    out = sh(["ip", "netns", "exec", "sxp-ph", os.path.join(HERE, "sip-call"),
              "--server", server, "--from", ",".join(sources),
              "--count", str(count), *map(str, extra)])
    return [Call(*line.split()[1:]) for line in out.splitlines()
            if line.startswith("sent ")]


def c_tool(src, name):
    """A one-file C program, built in the VM by the host's compiler, named
    after its source's hash: the VM sees the host's /tmp through its
    overlay, and a binary there must never be an older one."""
    with open(src, "rb") as f:
        exe = f"/tmp/{name}-{hashlib.sha1(f.read()).hexdigest()[:12]}"
    if not os.path.exists(exe):
        sh(["cc", "-O2", "-Wall", "-o", exe, src])
    return exe


def flood_tool():
    """The sendmmsg sender (sipflood.c)."""
    return c_tool(os.path.join(HERE, "sipflood.c"), "sipflood")


def flood(count, first=0, *extra, netns="sxp-ph"):
    """Send count INVITEs from new masters (see sipflood.c); how many went."""
    out = sh(["ip", "netns", "exec", netns, flood_tool(), "send",
              "--src", "198.51.100.1", "--srcs", "250", "--dst", SERVER4,
              "--count", str(count), "--first", str(first), *map(str, extra)])
    return int(out.split()[-1])


def expect_counts(text):
    """created, deleted from conntrack -S expect's output (per CPU lines,
    summed)."""
    return (sum(int(x) for x in re.findall(r"expect_create=(\d+)", text)),
            sum(int(x) for x in re.findall(r"expect_delete=(\d+)", text)))


def expect_stats(netns="sxp-rt"):
    """The kernel's own counts of a netns's expectations (conntrack -S,
    summed over CPUs): created, deleted."""
    cmd = ["conntrack", "-S", "expect"]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    return expect_counts(sh(cmd))


def conntrack_expectations(netns="sxp-rt"):
    """Expectations a netns holds, by the kernel's own stats: what it
    compares with expect_max."""
    created, deleted = expect_stats(netns)
    return created - deleted


# -- SIPp: a real SIP stack as the lab's peers ------------------------------

SIPP = os.path.join(HERE, "sipp")


class SippCallee:
    """SIPp in the server namespace answering every call (sipp/uas-ring.xml):
    rings ring_ms, answers with SDP (its media port: ports[i] for the i-th
    call, or media_port for all), sends RTP until the BYE."""

    def __init__(self, ring_ms, addr=SERVER4, media_port=30000, ports=None):
        self.dir = tempfile.mkdtemp(prefix="sxp-sipp-")
        with open(os.path.join(self.dir, "silence.pcma"), "wb") as f:
            f.write(b"\xd5" * 16000)  # two seconds of A-law silence
        with open(os.path.join(self.dir, "ports.csv"), "w") as f:
            f.write("SEQUENTIAL\n" + "".join(f"{p};\n" for p in ports or [media_port]))
        self.log = os.path.join(self.dir, "uas.log")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", "sxp-sv", "sipp", "-sf",
             os.path.join(SIPP, "uas-ring.xml"), "-i", addr, "-p", "5060",
             "-d", str(ring_ms), "-mp", str(media_port), "-inf", "ports.csv",
             "-nostdin",
             "-timeout", "900"], cwd=self.dir, stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT)
        for _ in range(100):
            if f"{addr}:5060 " in sh("ip netns exec sxp-sv ss -lun"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"SIPp callee did not start: {open(self.log).read()[-500:]}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def sipp_calls(n, ports=None, trunk=True, hold_ms=1000, rate=20, refresh=False,
               src="198.51.100.1", server=SERVER4):
    """n calls from SIPp in the phones namespace; SIPp's exit code (0: every
    call completed). ports: each call's RTP port (sipp/uac-media.xml), or
    None for SIPp's built-in uac, which offers one port in every call.
    trunk: every call on one socket (one conntrack master), else a socket
    per call (phones). refresh: a re-INVITE with the same SDP hold_ms after
    the answer, then hold_ms more (uac-media.xml only)."""
    work = tempfile.mkdtemp(prefix="sxp-sipp-")
    try:
        if ports:
            inf = os.path.join(work, "ports.csv")
            with open(inf, "w") as f:
                f.write("SEQUENTIAL\n" + "".join(f"{p};\n" for p in ports))
            scenario = ["-sf", os.path.join(SIPP, "uac-media.xml"), "-inf", inf,
                        "-set", "refresh", "1" if refresh else "0"]
        else:
            scenario = ["-sn", "uac"]
        # One socket per call needs as many open files (default: 50,000).
        return run(["ip", "netns", "exec", "sxp-ph", "sipp", f"{server}:5060",
                    *scenario, "-i", src, "-p", "5060", "-t", "u1" if trunk else "un",
                    "-max_socket", str(n + 8), "-m", str(n), "-r", str(rate),
                    "-d", str(hold_ms), "-nostdin", "-timeout", "300"],
                   cwd=work).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


class RtpCounter:
    """UDP packets arriving in the phones namespace, per destination port,
    counted by the kernel (nft): what really reached the far end."""

    def __init__(self, ports, netns="sxp-ph"):
        self.ns = ["ip", "netns", "exec", netns]
        sh([*self.ns, "nft", "add table inet sxp_rtp"])
        sh([*self.ns, "nft",
            "add chain inet sxp_rtp in { type filter hook input priority 0; }"])
        for p in ports:
            sh([*self.ns, "nft", f"add rule inet sxp_rtp in udp dport {p} counter"])

    def packets(self):
        out = json.loads(sh([*self.ns, "nft", "-j", "list", "table", "inet", "sxp_rtp"]))
        got = {}
        for item in out["nftables"]:
            rule = item.get("rule")
            if rule:
                port = next(e["match"]["right"] for e in rule["expr"] if "match" in e)
                got[int(port)] = next(e["counter"]["packets"] for e in rule["expr"]
                                      if "counter" in e)
        return got

    def close(self):
        sh([*self.ns, "nft", "delete table inet sxp_rtp"])


class ExpectEvents:
    """The kernel's own stream of expectation events in a netns
    (conntrack -E expect): each NEW and DESTROY, with its tuple and its
    master, and the most a master held at once."""

    def __init__(self, netns="sxp-rt"):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", netns, "conntrack", "-E", "expect"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.events = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        time.sleep(0.5)  # subscribed before the first event

    def _read(self):
        for line in self.proc.stdout:
            m = re.match(r"\s*\[(NEW|DESTROY)\]\s+(.*)", line)
            if m:
                self.events.append((m.group(1), line.strip()))

    @staticmethod
    def parse(line):
        """An event's expectation: its own dport, and its master as
        (src, sport); conntrack prints the master's fields after master-src."""
        tail = line.split(" master-src=", 1)
        own, master = tail[0], tail[1] if len(tail) > 1 else ""
        dport = re.findall(r"dport=(\d+)", own)
        msrc = master.split()[0] if master else ""
        msport = re.search(r"sport=(\d+)", master)
        return (int(dport[0]) if dport else None,
                (msrc, int(msport.group(1)) if msport else None))

    def stop(self):
        time.sleep(0.5)
        self.proc.terminate()
        self.proc.wait()
        self.reader.join(5)
        return self.events

    def most_held(self, master):
        """The most expectations master held at once, replaying the events."""
        held, most = 0, 0
        for kind, line in self.events:
            if self.parse(line)[1] == master:
                held += 1 if kind == "NEW" else -1
                most = max(most, held)
        return most


# -- line grammar of every debugfs file -------------------------------------

# Why an expectation was removed: the normal ends, then the lost ones.
REMOVED = ("used", "replaced", "ended", "withdrawn", "master_gone", "other",
           "flushed_by_invite", "evicted", "expired_unused")
LOST = ("flushed_by_invite", "evicted", "expired_unused")
# module/errnos.h's list, in its order; stats() checks it against the module.
CAUSE_OF_ERRNO = {EMFILE: "table_full", EBUSY: "clash", EALREADY: "exists"}
CAUSES = tuple(CAUSE_OF_ERRNO.values())
COUNTER_NAMES = ("expect_insert_ok", *(f"expect_insert_fail_{c}" for c in CAUSES),
                 "expect_insert_fail_other", "helper_drop_all_ports_in_use_sdp",
                 "helper_drop_all_ports_in_use_sip",
                 "helper_drop_cannot_add_expectation", "helper_drop_other",
                 "drops_confirmed", *(f"drops_cause_{c}" for c in CAUSES),
                 "drops_cause_other", "drops_cause_unknown",
                 *(f"expect_removed_{r}" for r in REMOVED))
KEY = ("netns", "zone", "l3", "proto", "src", "dst", "sport", "dport", "helper")
NUM = re.compile(r"^\d+$")
# Each file's lines: a key set (colon files: every key, once, numeric where
# the name says a count) or a field list (one line per record).
COLON_KEYS = {
    "stats": [*COUNTER_NAMES, *(f"other_helpers_{c}" for c in COUNTER_NAMES)],
    "retired": [f"{p}{c}" for p in ("retired_", "unrecorded_",
                                    "other_helpers_retired_",
                                    "other_helpers_unrecorded_")
                for c in COUNTER_NAMES],
    "status": ["version", "kernel", "build_features",
               *(f"probe_{p}{s}" for p in PROBES for s in ("", "_hits", "_missed")),
               "probe_expect_insert_maxactive", "pinned", "expect_max_located",
               "expect_count_source", "masters_tracked", "masters_limit",
               "masters_evicted", "masters_netns_gone", "masters_alloc_failures",
               "other_helpers_masters_tracked", "other_helpers_masters_limit",
               "other_helpers_masters_evicted",
               "other_helpers_masters_alloc_failures",
               "staged_entries_lost", "recorded_forgotten", "recent_size",
               "recent_skipped",
               "flushes_settled_early"],
}
FIELDS = {
    "masters": [*KEY, *COUNTER_NAMES, "held", "last_fail_count", "last_fail_max",
                "first_seen_s", "last_seen_s"],
    "recent_insert": ["time", "event", *KEY, "class", "exp_src", "exp_dst",
                      "exp_dport", "err", "count", "max", "held"],
    "recent_drop": ["time", "event", *KEY, "message", "cause", "confirmed"],
    "recent_removed": ["time", "event", *KEY, "class", "exp_src", "exp_dst",
                       "exp_dport", "removed", "held"],
}
FIELDS |= {
    "occupancy_netns": ["netns", "count", "max", "hsize", "fill_pct", "peak",
                        "peak_age_s"],
    "occupancy_class": ["netns", "helper", "class", "count", "visible",
                        "permanent"],
    "occupancy_omitted": ["expectations_omitted"],
    "occupancy_top": ["top", *KEY, "held"],
}
NUMERIC = {"netns", "zone", "sport", "dport", "held", "count", "max",
           "exp_dport", "confirmed", "last_fail_count", "last_fail_max",
           "first_seen_s", "last_seen_s", "hsize", "fill_pct", "peak",
           "visible", "permanent", "expectations_omitted", "top", *COUNTER_NAMES}
# Values that are not counts: what each may be; "-" where a count has none.
VALUES = {"l3": r"ipv4|ipv6", "proto": r"udp|tcp|\d+", "peak_age_s": r"\d+|-",
          "removed": "flushed_by_invite|evicted"}
# status: each key's value. A key not listed here is a count.
STATUS_VALUES = [
    (r"version|kernel", r"\S+"),
    (r"build_features", r"[A-Z0-9_]+( [A-Z0-9_]+)*"),
    (r"probe_[a-z_]+_error", r"-\d+"),
    (r"probe_(expect_insert|expect_insert_pair|helper_log|kfree_skb|expect_remove)",
     r"attached|detached|unavailable|kept_armed"),
    (r"pinned|expect_max_located", r"yes|no"),
    (r"expect_count_source", r"pernet|percpu_stats"),
]


def field_errors(line, names):
    parts = [f.split("=", 1) for f in line.split()]
    if [p[0] for p in parts] != names or any(len(p) != 2 or not p[1] for p in parts):
        return True
    return any(k in NUMERIC and not NUM.match(v) or
               k in VALUES and not re.fullmatch(VALUES[k], v) for k, v in parts)


def status_value_ok(key, value):
    for k, v in STATUS_VALUES:
        if re.fullmatch(k, key):
            return bool(re.fullmatch(v, value))
    return bool(NUM.match(value))


def malformed(name, text):
    """Lines of text that break name's grammar, or why the file as a whole
    does. A file must be whole: every line ends, every key is there."""
    if not text.endswith("\n"):
        return [f"(no final newline: {text[-40:]!r})"] if text or name not in (
            "masters", "recent") else []
    lines = text.splitlines()
    if name == "advice":
        return [line for line in lines if not line.isprintable()] or \
            ([] if lines else ["(empty)"])
    if name in COLON_KEYS:
        kv = [line.split(": ", 1) for line in lines]
        bad = [line for line, p in zip(lines, kv) if len(p) != 2 or not p[1]]
        keys = [p[0] for p in kv]
        missing = [k for k in COLON_KEYS[name] if k not in keys]
        dup = {k for k in keys if keys.count(k) > 1}
        ok = status_value_ok if name == "status" else \
            (lambda _, v: bool(NUM.match(v)))
        bad += [line for line, p in zip(lines, kv) if len(p) == 2 and not ok(*p)]
        return bad + [f"(missing {missing})"] * bool(missing) + \
            [f"(twice {dup})"] * bool(dup)
    if name == "masters":
        return [line for line in lines if field_errors(line, FIELDS["masters"])]
    if name == "recent":
        def kind(line):
            return ("recent_drop" if " event=helper_drop " in line else
                    "recent_removed" if " event=expect_removed " in line else
                    "recent_insert")
        return [line for line in lines if field_errors(line, FIELDS[kind(line)])]
    if name == "occupancy":
        def kind(line):
            first = line.split("=", 1)[0]
            return {"top": "occupancy_top", "expectations_omitted": "occupancy_omitted"}.get(
                first, "occupancy_class" if " helper=" in line else "occupancy_netns")
        return [line for line in lines if field_errors(line, FIELDS[kind(line)])]
    return [f"(no grammar for {name})"]


# -- the kernel's own tracing -------------------------------------------------

def trace_write(path, value):
    """Write VALUE to a tracefs file, as echo would (the bench also uses it)."""
    fd = os.open(f"{TRACING}/{path}", os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


# The helper's lines that say an insert failed (their starts); only these
# take an insert's errno as the cause of their packet.
INSERT_LINES = ("all ports in use for SDP media", "all ports in use for SIP",
                "cannot add expectation")
TRACE_LINE = re.compile(r"^\s*\S+-\d+\s+\[(\d+)\]\s+\S+\s+([\d.]+):\s+(\w+):\s?(.*)$")
Traced = collections.namedtuple("Traced", "cpu ts event fields")


def parse_trace(lines):
    """tracefs trace lines (a file or a saved copy) as Traced records."""
    out = []
    for line in lines:
        m = TRACE_LINE.match(line)
        if m:
            out.append(Traced(int(m.group(1)), float(m.group(2)),
                              m.group(3), fields(m.group(4)) |
                              {"_raw": m.group(4)}))
    return out


def trace_errnos(recs):
    """Counter of insert errnos; a good pair counts its two inserts."""
    counts = collections.Counter()
    for r in recs:
        if r.event.startswith("sxp_truth"):
            ret = int(r.fields["ret"])
            counts[ret] += 2 if r.event == "sxp_truth_pair" and ret == 0 else 1
    return counts


def trace_drops(recs):
    """The helper's dropped packets, each with its lines' messages and
    its cause: when its first line says an insert failed, the errno of the
    last failed insert on that CPU before it (taken: it causes that packet
    only); 0 when none since the last good insert (the helper retried and
    got on), and for a packet dropped for another reason (a parse error),
    which a failure the helper tolerated before it did not cause. A packet
    is the run of lines one CPU logs for one skb with no insert in between:
    the skb's address comes back for the next packet, but the helper
    inserts before it logs again. Reconstructed from the kernel's trace
    alone."""
    last_fail, current, packets = {}, {}, []
    for r in recs:
        if r.event.startswith("sxp_truth"):
            last_fail[r.cpu] = int(r.fields["ret"])
            current.pop(r.cpu, None)
        elif r.event == "sxp_log":
            skb = r.fields["skb"]
            m = re.search(r'fmt="([^"]*)"', r.fields["_raw"])
            text = m.group(1) if m else ""
            pkt = current.get(r.cpu)
            if not pkt or pkt["skb"] != skb:
                cause = 0
                if text.startswith(INSERT_LINES):
                    cause = last_fail.get(r.cpu, 0)
                    last_fail[r.cpu] = 0
                pkt = {"skb": skb, "cpu": r.cpu, "cause": cause,
                       "messages": []}
                current[r.cpu] = pkt
                packets.append(pkt)
            pkt["messages"].append(text)
    return packets


class KernelTrace:
    """The kernel's own record of what happened, through tracefs,
    independent of sipexpect's probes: a kretprobe on each insert function
    (its errno), a kprobe on nf_ct_helper_log (packet and message), and,
    when asked, sipexpect's own trace events in the same buffer, so that
    both can be lined up in time."""

    def __init__(self, sipexpect_events=False):
        sh("modprobe -a nf_conntrack")  # the probed functions live there
        self.kprobes = ["sxp_truth", "sxp_log"]
        trace_write("trace", "")
        trace_write("buffer_size_kb", "4096")
        write_file(f"{TRACING}/kprobe_events",
                   "r:sxp_truth nf_ct_expect_related_report ret=$retval:s32\n")
        write_file(f"{TRACING}/kprobe_events",
                   "p:sxp_log nf_ct_helper_log skb=%di:x64 "
                   "fmt=+0(%dx):string\n")
        if kernel_has("nf_ct_expect_related_pair"):
            self.kprobes.append("sxp_truth_pair")
            write_file(f"{TRACING}/kprobe_events",
                       "r:sxp_truth_pair nf_ct_expect_related_pair "
                       "ret=$retval:s32\n")
        for ev in self.kprobes:
            trace_write(f"events/kprobes/{ev}/enable", "1")
        self.sipexpect_events = sipexpect_events
        self.events_on()
        self.clear()

    def events_on(self):
        """sipexpect's events (after every load: they come with the module)."""
        if self.sipexpect_events and os.path.exists(f"{TRACING}/events/sipexpect"):
            trace_write("events/sipexpect/enable", "1")

    def clear(self):
        trace_write("trace", "")

    def records(self):
        with open(f"{TRACING}/trace") as f:
            return parse_trace(f)

    def errnos(self, recs=None):
        return trace_errnos(recs if recs is not None else self.records())

    def drops(self, recs=None):
        return trace_drops(recs if recs is not None else self.records())

    def close(self):
        if self.sipexpect_events and os.path.exists(f"{TRACING}/events/sipexpect"):
            trace_write("events/sipexpect/enable", "0")
        for ev in self.kprobes:
            trace_write(f"events/kprobes/{ev}/enable", "0")
            write_file(f"{TRACING}/kprobe_events", f"-:{ev}\n")
