# SPDX-License-Identifier: GPL-2.0
"""What the in-VM test suites share: running commands, the lab, the SIP
server, sipexpect's debugfs files, and ok/not ok bookkeeping."""
import hashlib
import os
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "lab")
DBG = "/sys/kernel/debug/sipexpect"
SERVER4, SERVER6 = "192.0.2.1", "2001:db8:2::1"

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
# Out-of-tree (O) and unsigned (E) are what loading sipexpect costs;
# any other taint (W: a warning, D: an oops...) is a finding.
TAINT_ALLOWED = (1 << 12) | (1 << 13)


def leaks_forget():
    """Debug kernels: forget what kmemleak suspects so far (boot, other
    suites); only what happens from here on counts."""
    if os.path.exists(KMEMLEAK):
        write_file(KMEMLEAK, "clear")


def kernel_health():
    """The kernel's verdict on the run: no taint but ours, and on debug
    kernels nothing kmemleak calls leaked (two scans: a leak is reported
    once it was seen unreferenced twice, at least 5 s old)."""
    with open("/proc/sys/kernel/tainted") as f:
        taint = int(f.read())
    check(f"kernel: no taint but out-of-tree/unsigned (tainted={taint})",
          not taint & ~TAINT_ALLOWED, f"{taint:#x}")
    if os.path.exists(KMEMLEAK):
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
    kernel_health()
    passed = sum(results)
    print(f"{suite}: {passed} passed, {len(results) - passed} failed")
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


def read(name):
    with open(os.path.join(DBG, name)) as f:
        return f.read()


def keyvals(text):
    return {k.strip(): v.strip() for k, v in
            (line.split(":", 1) for line in text.splitlines() if ":" in line)}


class Server:
    """The listening SIP server in the server namespace."""

    def __init__(self, addr=SERVER4):
        self.log = f"/tmp/sxp-server-{addr.replace(':', '_')}.log"
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", "sxp-sv", os.path.join(HERE, "sip-server"),
             "--listen", addr], stdout=open(self.log, "w"))
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


def call(server, sources, count, *extra):
    """Place calls from the phones; [call-id, address, port] per call."""
    out = sh(["ip", "netns", "exec", "sxp-ph", os.path.join(HERE, "sip-call"),
              "--server", server, "--from", ",".join(sources),
              "--count", str(count), *map(str, extra)])
    return [line.split()[1:] for line in out.splitlines()
            if line.startswith("sent ")]


def flood_tool():
    """The sendmmsg sender (sipflood.c), built in the VM by the host's
    compiler, named after its source's hash: the VM sees the host's /tmp
    through its overlay, and a binary there must never be an older one."""
    src = os.path.join(HERE, "sipflood.c")
    with open(src, "rb") as f:
        exe = f"/tmp/sipflood-{hashlib.sha1(f.read()).hexdigest()[:12]}"
    if not os.path.exists(exe):
        sh(["cc", "-O2", "-Wall", "-o", exe, src])
    return exe


def flood(count, first=0, *extra, netns="sxp-ph"):
    """Send count INVITEs from new masters (see sipflood.c); how many went."""
    out = sh(["ip", "netns", "exec", netns, flood_tool(), "send",
              "--src", "198.51.100.1", "--srcs", "250", "--dst", SERVER4,
              "--count", str(count), "--first", str(first), *map(str, extra)])
    return int(out.split()[-1])

