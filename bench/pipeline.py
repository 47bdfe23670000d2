#!/usr/bin/env python3
"""bench/pipeline's measuring side: watches one real MultiLangDaemon (and its record processor child)
through /proc, and turns the runs into tables. bench/pipeline (bash) starts the stack and the daemons.

  pipeline.py drain   --pid JAVA --launch-ms T --log DAEMON_LOG --records N --out RUN.json [--idle-s 10]
      Samples every 50 ms (200 ms past 8 processors): the JVM's CPU (utime+stime of /proc/PID/stat: every
      thread, also the exited ones), its record processors (every child process, summed: CPU, rchar, VmHWM).
      Milestones:
        first initialize = the first child process appears (the daemon writes `initialize` at once);
        drained          = the processors' stats lines in the daemon log say applied >= N, summed over the
                           shards (ours: "active-users[SHARD] info: stats: ... applied=N", the Node peer:
                           "node-peer stats: ... applied=N shard=SHARD", both every second); the drain END
                           is the first sample at which the processors had read every byte they had read at
                           that moment (the last batch's arrival), so the stats interval does not stretch it.
        A drain that makes no progress for --stall-s ends there: with OutOfMemoryError lines (or nothing
        applied) it is a failed run; otherwise the shards that stopped short are named and the figures are
        over the records applied.
      Then it waits --settle-s and measures the idle rates (CPU-s per s of wall) of both over --idle-s,
      with the daemon polling an empty shard tip. Peak RSS = VmHWM at the end. Also the JVM's CPU by live
      thread (JIT compiler, GC/VM, the rest) at the drain end; CPU of threads that exited is "exited".
  pipeline.py restart --pid PID --launch-ms T --state-dir DIR --out RUN.json
      PID is the launcher (scripts/run), which execs java. Waits until a snapshot in DIR holds a user whose
      lastSeen > T (a live heartbeat sent after the launch, applied and snapshotted), and reports that time,
      the first initialize (a child of the JVM appears) and the CPU spent until then: the JVM's own, and the
      launcher's waited children (check-config, fix-leases).
  pipeline.py report  --title T --out-md F RUN.json...
      One table per mode: per configuration the median and range of each figure over its runs.
"""

import argparse
import glob
import json
import os
import re
import statistics
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def now_ms():
    return time.time() * 1000.0


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def stat_fields(pid):
    s = read(f"/proc/{pid}/stat")
    if s is None:
        return None
    s = s.decode("utf-8", "replace")
    return s[s.rindex(")") + 2:].split()


def cpu_ticks(pid):
    """(utime+stime, cutime+cstime) in ticks, or None when the process is gone."""
    f = stat_fields(pid)
    if f is None:
        return None
    return int(f[11]) + int(f[12]), int(f[13]) + int(f[14])


def status_kb(pid, key):
    s = read(f"/proc/{pid}/status")
    if s is None:
        return None
    m = re.search(rb"^" + key.encode() + rb":\s+(\d+)", s, re.M)
    return int(m.group(1)) if m else None


def rchar(pid):
    s = read(f"/proc/{pid}/io")
    if s is None:
        return None
    m = re.search(rb"^rchar:\s+(\d+)", s, re.M)
    return int(m.group(1)) if m else None


def comm(pid):
    s = read(f"/proc/{pid}/comm")
    return s.decode().strip() if s else None


def children(pid):
    out = []
    for p in glob.glob(f"/proc/{pid}/task/*/children"):
        s = read(p)
        if s:
            out.extend(int(x) for x in s.split())
    return sorted(set(out))


def thread_breakdown(pid):
    """CPU seconds of the JVM's live threads by kind, from /proc/PID/task/*/stat (comm = the thread name,
    15 characters)."""
    kinds = {"jit": 0, "gc+vm": 0, "other": 0}
    for d in glob.glob(f"/proc/{pid}/task/*"):
        s = read(os.path.join(d, "stat"))
        if s is None:
            continue
        s = s.decode("utf-8", "replace")
        name = s[s.index("(") + 1:s.rindex(")")]
        f = s[s.rindex(")") + 2:].split()
        t = (int(f[11]) + int(f[12])) / CLK_TCK
        if "Compiler" in name or name.startswith(("C1 ", "C2 ")):
            kinds["jit"] += t
        elif (name.startswith(("GC ", "G1 ", "VM ", "GC Thread", "ParGC", "Gang")) or "GC" in name
              or name in ("VM Thread", "VM Periodic Tas", "Service Thread")):
            kinds["gc+vm"] += t
        else:
            kinds["other"] += t
    return {k: round(v, 3) for k, v in kinds.items()}


class LogTail:
    """Reads a growing daemon log from where it stopped. Keeps, per shard, the largest applied= of the processors'
    stats lines (ours: "active-users[SHARD] info: stats: ... applied=N", the Node peer: "node-peer stats: ...
    applied=N shard=SHARD"; a line without a shard id counts as one shard), and counts OutOfMemoryError lines."""

    RE = re.compile(rb"^[^\n]*?(?:\bstats: active=\d+|node-peer stats: active=\d+) applied=(\d+)[^\n]*$", re.M)
    SHARD = re.compile(rb"shardId-[0-9]+")
    OOM = re.compile(rb"OutOfMemoryError|GC overhead limit exceeded")

    def __init__(self, path):
        self.path, self.pos, self.rest = path, 0, b""
        self.per_shard, self.oom_lines = {}, 0

    @property
    def applied(self):
        return sum(self.per_shard.values())

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except OSError:
            return self.applied
        data = self.rest + data
        cut = data.rfind(b"\n")
        self.rest = data[cut + 1:] if cut >= 0 else data
        whole = data[:cut + 1] if cut >= 0 else b""
        for m in self.RE.finditer(whole):
            sm = self.SHARD.search(m.group(0))
            shard = sm.group(0) if sm else b"-"
            self.per_shard[shard] = max(self.per_shard.get(shard, 0), int(m.group(1)))
        self.oom_lines += len(self.OOM.findall(whole))
        return self.applied


class Children:
    """The daemon's record processors (every child process it started, also those that exited): CPU ticks,
    rchar, peak RSS summed over all of them."""

    def __init__(self, pid):
        self.pid, self.ticks, self.rchar, self.hwm_kb, self.rss_kb = pid, {}, {}, {}, {}

    def sample(self):
        for c in children(self.pid):
            t = cpu_ticks(c)
            if t is None:
                continue
            self.ticks[c] = t[0]
            self.rchar[c] = rchar(c) or self.rchar.get(c, 0)
            self.hwm_kb[c] = status_kb(c, "VmHWM") or self.hwm_kb.get(c, 0)
            self.rss_kb[c] = status_kb(c, "VmRSS") or 0
        return sum(self.ticks.values()), sum(self.rchar.values())

    def live(self):
        return [c for c in self.ticks if cpu_ticks(c) is not None]


def jstat_gc(pid):
    """(GC seconds so far, heap capacity MB) from `jstat -gc PID` (the JVM's own counters), or (None, None)."""
    import subprocess
    try:
        r = subprocess.run(["jstat", "-gc", str(pid)], capture_output=True, text=True, timeout=20)
        head, vals = r.stdout.split("\n")[:2]
        row = dict(zip(head.split(), vals.split()))
        cap = sum(float(row[k]) for k in ("S0C", "S1C", "EC", "OC") if k in row) / 1024
        return float(row["GCT"]), cap
    except (OSError, ValueError, KeyError, subprocess.SubprocessError):
        return None, None


def drain(a):
    pid, t_launch = a.pid, a.launch_ms
    t_end_deadline = time.time() + a.timeout_s
    log = LogTail(a.log)
    kids = Children(pid)
    samples = []  # (t_ms, java_ticks, children_ticks, children_rchar)
    init = None
    drained_at = None
    half = None  # (sample index, applied) when the stats lines first said >= half the records
    last_log = 0.0
    progress = (0, time.time())  # (applied, when it last grew)
    stalled = []  # shards that stopped short of the others
    while True:
        t = now_ms()
        j = cpu_ticks(pid)
        if j is None:
            log.poll()
            raise SystemExit(f"pipeline.py: the daemon (pid {pid}) exited (applied {log.applied} of {a.records}; "
                             f"{log.oom_lines} OutOfMemoryError lines)")
        ct, cr = kids.sample()
        if init is None and kids.ticks:
            init = {"ms": t - t_launch, "javaCpuS": j[0] / CLK_TCK}
        samples.append((t, j[0], ct, cr))
        if init and t - last_log >= 200:
            last_log = t
            applied = log.poll()
            if applied > progress[0]:
                progress = (applied, time.time())
            if applied >= a.records / 2 and half is None:
                half = (len(samples) - 1, applied)
            if applied >= a.records:
                drained_at = len(samples) - 1
                break
            if time.time() - progress[1] > a.stall_s * (3 if applied == 0 else 1):
                if log.oom_lines or applied == 0:
                    raise SystemExit(f"pipeline.py: no progress for {a.stall_s:.0f} s, {log.oom_lines} "
                                     f"OutOfMemoryError lines (applied {log.applied} of {a.records})")
                # Some shards stopped short (e.g. a consumer the KCL did not restart): measure what was
                # drained, and say which shards are missing.
                drained_at = len(samples) - 1
                stalled = sorted(k.decode() for k, v in log.per_shard.items() if v < max(log.per_shard.values()))
                break
        if time.time() > t_end_deadline:
            raise SystemExit(f"pipeline.py: not drained within {a.timeout_s} s (applied {log.applied} of {a.records})")
        time.sleep(0.05 if len(kids.ticks) <= 8 else 0.2)

    # The drain's end: the first sample at which the processors had read every byte they had read when the stats
    # said drained (the last batch's arrival; no message comes while the shards sit at their tips), so the stats
    # interval does not stretch the drain.
    rchar_final = samples[drained_at][3]
    end = next(i for i, s in enumerate(samples) if s[3] >= rchar_final)
    i0 = next(i for i, s in enumerate(samples) if s[0] - t_launch >= init["ms"])
    first_batch = next((s[0] for s in samples[i0:] if s[3] > 4096 * len(kids.ticks)), samples[end][0])
    t_end, java_end, child_end = samples[end][0], samples[end][1], samples[end][2]
    threads = thread_breakdown(pid)
    gc_s, heap_cap_mb = jstat_gc(pid)
    java_drain = (java_end - samples[i0][1]) / CLK_TCK
    wall_drain = (t_end - samples[i0][0]) / 1000.0
    ih, applied_half = half if half and half[0] < end else (i0, 0)
    java_second = (java_end - samples[ih][1]) / CLK_TCK
    child_second = (child_end - samples[ih][2]) / CLK_TCK
    wall_second = (t_end - samples[ih][0]) / 1000.0
    nmt = native_memory(pid) if a.nmt else None
    java_hwm_mb = (status_kb(pid, "VmHWM") or 0) / 1024
    children_hwm_mb = sum(kids.hwm_kb.values()) / 1024

    # Idle: the daemon keeps polling the empty tips.
    time.sleep(a.settle_s)
    j0, t0 = cpu_ticks(pid)[0], time.monotonic()
    c0 = kids.sample()[0]
    time.sleep(a.idle_s)
    j1, t1 = cpu_ticks(pid)[0], time.monotonic()
    c1 = kids.sample()[0]
    log.poll()
    idle_java = (j1 - j0) / CLK_TCK / (t1 - t0)
    idle_child = (c1 - c0) / CLK_TCK / (t1 - t0)
    child_lifetime = child_end / CLK_TCK
    n = a.records if not stalled else max(1, log.applied)
    shards = max(1, len(log.per_shard))
    out = {
        "mode": "drain", "records": n, "shards": shards, "processors": len(kids.ticks),
        "stalledShards": stalled, "stalledNote": (f"{len(stalled)} shard(s) stopped short; figures over the "
                                                  f"{n} records applied") if stalled else "",
        "launchToInitMs": init["ms"], "launchToInitJavaCpuS": init["javaCpuS"],
        "initToFirstBatchMs": first_batch - (t_launch + init["ms"]), "drainWallS": wall_drain,
        "javaDrainCpuS": java_drain, "childDrainCpuS": child_lifetime,
        "javaIdleCpuPerS": idle_java, "childIdleCpuPerS": idle_child,
        "javaIdleCpuPerShardPct": idle_java / shards * 100,
        "javaUsPerRecordRaw": java_drain / n * 1e6,
        "javaUsPerRecordIdleSub": (java_drain - idle_java * wall_drain) / n * 1e6,
        "childUsPerRecordRaw": child_lifetime / n * 1e6,
        "childUsPerRecordIdleSub": (child_lifetime - idle_child * wall_drain) / n * 1e6,
        "javaPeakRssMb": java_hwm_mb, "childPeakRssMb": max(kids.hwm_kb.values()) / 1024,
        "childrenPeakRssSumMb": children_hwm_mb, "hostPeakRssMb": java_hwm_mb + children_hwm_mb,
        "childrenIdleRssSumMb": sum(kids.rss_kb.values()) / 1024,
        # GC: the pauses' wall time (jstat's GCT: stretched when the machine is busy) and, the figure the
        # goals use, the CPU of the JVM's GC and VM threads (SerialGC collects in the VM thread) / its CPU.
        "javaGcS": gc_s, "javaGcShareOfCpu": threads["gc+vm"] / max(1e-9, java_end / CLK_TCK),
        "javaHeapCapacityMb": heap_cap_mb, "oomLines": log.oom_lines,
        "javaThreadsAtDrainEnd": threads, "javaTotalCpuAtDrainEndS": java_end / CLK_TCK,
        "childPid": min(kids.ticks), "childComm": comm(min(kids.ticks)),
        "loadavg": os.getloadavg()[0],
    }
    # The second half of the drain (from the stats line that first said >= N/2 applied): the JIT's warm-up
    # is mostly behind, so this is closer to a long-running daemon's cost per record.
    out["javaUsPerRecordSecondHalfIdleSub"] = (java_second - idle_java * wall_second) / max(1, n - applied_half) * 1e6
    out["childUsPerRecordSecondHalfIdleSub"] = (child_second - idle_child * wall_second) / max(1, n - applied_half) * 1e6
    if nmt:
        out["nativeMemoryCommittedMb"] = nmt
    out["hostUsPerRecordRaw"] = out["javaUsPerRecordRaw"] + out["childUsPerRecordRaw"]
    out["hostUsPerRecordIdleSub"] = out["javaUsPerRecordIdleSub"] + out["childUsPerRecordIdleSub"]
    # The steady state of a long-running host: the drain's second half (the JIT mostly done), one window for
    # both processes (the child's start-up and, for Node, V8's warm-up are in the first half).
    out["hostUsPerRecordSecondHalfIdleSub"] = (out["javaUsPerRecordSecondHalfIdleSub"]
                                               + out["childUsPerRecordSecondHalfIdleSub"])
    return out


def native_memory(pid):
    """jcmd VM.native_memory summary (the JVM must run with -XX:NativeMemoryTracking=summary): committed MB
    by category."""
    import subprocess
    r = subprocess.run(["jcmd", str(pid), "VM.native_memory", "summary"], capture_output=True, text=True)
    out = {}
    for m in re.finditer(r"^-\s+(.+?) \(reserved=\d+KB, committed=(\d+)KB\)", r.stdout, re.M):
        out[m.group(1).strip()] = round(int(m.group(2)) / 1024, 1)
    m = re.search(r"^Total: reserved=\d+KB, committed=(\d+)KB", r.stdout, re.M)
    if m:
        out["Total"] = round(int(m.group(1)) / 1024, 1)
    return out or {"error": (r.stdout + r.stderr)[-300:]}


def newest_seen(state_dir):
    best = 0
    for p in glob.glob(os.path.join(state_dir, "*.json")):
        try:
            with open(p) as f:
                users = json.load(f).get("users") or {}
        except (OSError, ValueError):
            continue
        if users:
            best = max(best, max(users.values()))
    return best


def restart(a):
    pid, t_launch = a.pid, a.launch_ms
    deadline = time.time() + a.timeout_s
    init = None
    while True:
        t = now_ms()
        ticks = cpu_ticks(pid)
        if ticks is None:
            raise SystemExit(f"pipeline.py: the launcher/daemon (pid {pid}) exited")
        if init is None and comm(pid) == "java":
            kids = children(pid)
            if kids:
                init = {"ms": t - t_launch, "javaCpuS": ticks[0] / CLK_TCK}
        if init is not None and newest_seen(a.state_dir) > t_launch:
            return {"mode": "restart", "launchToInitMs": init["ms"], "launchToInitJavaCpuS": init["javaCpuS"],
                    "launchToLiveMs": t - t_launch, "launchToLiveJavaCpuS": ticks[0] / CLK_TCK,
                    "launcherChildrenCpuS": ticks[1] / CLK_TCK,
                    "javaRssMb": (status_kb(pid, "VmRSS") or 0) / 1024, "loadavg": os.getloadavg()[0]}
        if time.time() > deadline:
            raise SystemExit(f"pipeline.py: no live heartbeat applied within {a.timeout_s} s of the launch")
        time.sleep(0.05)


# ------------------------------------------------------------------------------------------------ report
DRAIN_COLS = [
    ("host µs/record, idle-subtracted", "hostUsPerRecordIdleSub", "{:.1f}"),
    ("host µs/record, raw", "hostUsPerRecordRaw", "{:.1f}"),
    ("java µs/record, idle-subtracted", "javaUsPerRecordIdleSub", "{:.1f}"),
    ("java µs/record, raw", "javaUsPerRecordRaw", "{:.1f}"),
    ("host µs/record, 2nd half of the drain (steady state), idle-subtracted", "hostUsPerRecordSecondHalfIdleSub", "{:.1f}"),
    ("java µs/record, 2nd half of the drain, idle-subtracted", "javaUsPerRecordSecondHalfIdleSub", "{:.1f}"),
    ("child µs/record, 2nd half of the drain, idle-subtracted", "childUsPerRecordSecondHalfIdleSub", "{:.2f}"),
    ("child µs/record", "childUsPerRecordRaw", "{:.2f}"),
    ("java idle CPU %", "javaIdleCpuPerS", "{:.1%}"),
    ("java idle CPU % per shard", "javaIdleCpuPerShardPct", "{:.2f}"),
    ("java peak RSS MB", "javaPeakRssMb", "{:.0f}"),
    ("child peak RSS MB (largest)", "childPeakRssMb", "{:.0f}"),
    ("Σ children peak RSS MB", "childrenPeakRssSumMb", "{:.0f}"),
    ("host peak RSS MB (java + Σ children)", "hostPeakRssMb", "{:.0f}"),
    ("java GC pauses s (wall)", "javaGcS", "{:.2f}"),
    ("java GC+VM threads' share of its CPU", "javaGcShareOfCpu", "{:.1%}"),
    ("OutOfMemoryError lines", "oomLines", "{:.0f}"),
    ("drain s", "drainWallS", "{:.1f}"),
    ("launch → 1st initialize s", "launchToInitMs", "ms"),
    ("… java CPU-s", "launchToInitJavaCpuS", "{:.2f}"),
]
RESTART_COLS = [
    ("restart → first live record s", "launchToLiveMs", "ms"),
    ("restart → 1st initialize s", "launchToInitMs", "ms"),
    ("java CPU-s to 1st initialize", "launchToInitJavaCpuS", "{:.2f}"),
    ("java CPU-s to first live record", "launchToLiveJavaCpuS", "{:.2f}"),
    ("launcher's check-config + fix-leases CPU-s", "launcherChildrenCpuS", "{:.2f}"),
]


def fmt(v, f):
    if f == "ms":
        return f"{v / 1000:.1f}"
    if f.endswith("%}"):
        return f.format(v).replace("%", " %")
    return f.format(v)


def cell(vals, f):
    if not vals:
        return "-"
    med = statistics.median(vals)
    if len(vals) == 1:
        return fmt(med, f)
    return f"{fmt(med, f)} ({fmt(min(vals), f)}–{fmt(max(vals), f)})"


def report(a):
    runs = []
    for p in a.runs:
        with open(p) as f:
            runs.append(json.load(f))
    lines = [f"# {a.title}", ""]
    for mode, cols in (("drain", DRAIN_COLS), ("restart", RESTART_COLS)):
        rs = [r for r in runs if r.get("mode") == mode and not r.get("error")]
        if not rs:
            continue
        names = []
        for r in rs:
            if r["config"] not in names:
                names.append(r["config"])
        by = {n: [r for r in rs if r["config"] == n] for n in names}
        lines.append(f"## {mode}: median (min–max) over runs")
        lines.append("")
        lines.append("| figure | " + " | ".join(f"`{n}` ({len(by[n])} runs)" for n in names) + " |")
        lines.append("| --- |" + " --- |" * len(names))
        for label, key, f in cols:
            lines.append(f"| {label} | " + " | ".join(cell([r[key] for r in by[n] if r.get(key) is not None], f)
                                                       for n in names) + " |")
        if mode == "drain" and len(names) > 1:
            base = names[0]
            for key, label in (("hostUsPerRecordIdleSub", "host CPU/record idle-subtracted"),
                               ("hostUsPerRecordRaw", "host CPU/record raw"),
                               ("hostUsPerRecordSecondHalfIdleSub", "host CPU/record, 2nd half, idle-subtracted")):
                b = statistics.median(r[key] for r in by[base])
                lines.append(f"| {label}: ÷ `{base}` | " + " | ".join(
                    f"{statistics.median(r[key] for r in by[n]) / b:.2f}×" for n in names) + " |")
            thr = []
            for n in names:
                t = [r["javaThreadsAtDrainEnd"] for r in by[n]]
                tot = statistics.median(r["javaTotalCpuAtDrainEndS"] for r in by[n])
                parts = {k: statistics.median(x[k] for x in t) for k in t[0]}
                exited = max(0.0, tot - sum(parts.values()))
                thr.append(f"JIT {parts['jit']:.1f}, GC+VM {parts['gc+vm']:.1f}, other {parts['other']:.1f}, "
                           f"exited {exited:.1f}")
            lines.append("| java CPU-s by thread at drain end (launch included) | " + " | ".join(thr) + " |")
        lines.append("")
        lines.append("Configurations:")
        for n in names:
            r = by[n][0]
            lines.append(f"- `{n}`: processor {r['proc']}; JVM options `{r['javaOpts'] or '(none)'}`; "
                         f"daemon properties {r['propsNote']}")
        lines.append("")
    bad = [r for r in runs if r.get("error")]
    if bad:
        lines.append("Failed runs: " + "; ".join(f"{r['config']} #{r.get('rep')}: {r['error']}" for r in bad))
        lines.append("")
    text = "\n".join(lines)
    with open(a.out_md, "w") as f:
        f.write(text + "\n")
    print(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("drain")
    d.add_argument("--pid", type=int, required=True)
    d.add_argument("--launch-ms", type=float, required=True)
    d.add_argument("--log", required=True)
    d.add_argument("--records", type=int, required=True)
    d.add_argument("--idle-s", type=float, default=10)
    d.add_argument("--settle-s", type=float, default=5)
    d.add_argument("--nmt", action="store_true", help="jcmd VM.native_memory summary at the end (-XX:NativeMemoryTracking)")
    d.add_argument("--timeout-s", type=float, default=1200)
    d.add_argument("--stall-s", type=float, default=60, help="stop waiting this long without progress (the shards "
                   "that stopped short are reported)")
    d.add_argument("--out", required=True)
    d.add_argument("--meta", default="{}", help="JSON merged into the result (config, options, ...)")
    r = sub.add_parser("restart")
    r.add_argument("--pid", type=int, required=True)
    r.add_argument("--launch-ms", type=float, required=True)
    r.add_argument("--state-dir", required=True)
    r.add_argument("--timeout-s", type=float, default=240)
    r.add_argument("--out", required=True)
    r.add_argument("--meta", default="{}")
    p = sub.add_parser("report")
    p.add_argument("--title", default="bench/pipeline")
    p.add_argument("--out-md", required=True)
    p.add_argument("runs", nargs="+")
    a = ap.parse_args()
    if a.cmd == "report":
        report(a)
        return 0
    meta = json.loads(a.meta)
    try:
        res = drain(a) if a.cmd == "drain" else restart(a)
        rc = 0
    except SystemExit as e:
        res, rc = {"mode": a.cmd, "error": str(e)}, 1
    res.update(meta)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res))
    return rc


if __name__ == "__main__":
    sys.exit(main())
