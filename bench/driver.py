#!/usr/bin/env python3
"""A daemon-like driver: feeds a transcript to a record processor over pipes, strictly request/response.

It behaves like the KCL MultiLangDaemon: write one message line, then read the child's stdout lines
until a {"action":"status"} arrives (answering any {"action":"checkpoint"} with a successful checkpoint
reply on the way, as the daemon does), check that responseFor equals the request's action, and only
then send the next message. Empty lines on the child's stdout are skipped (the Node client writes
"\\n{json}\\n").

Measured for the processRecords part only (after the initialize reply, until the last status):
  - wall time (sum of per-message round trips: write start -> status received; reading the input file
    is not counted), records/s, per-message latency p50/p99/max;
  - CPU of the CHILD process: utime+stime from /proc/<pid>/stat (all threads, 10 ms ticks) and the
    sum of /proc/<pid>/task/*/schedstat (ns, all live threads), both as deltas;
  - memory: VmRSS after initialize (idle; after a short settle), VmHWM (peak RSS) at the end.
After stdin is closed the child's exit code and getrusage (whole life, incl. start-up) are recorded.

    python3 bench/driver.py --input bench/out/input-100k.jsonl -- build/active-users --properties P
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]), int(fields[12])  # utime, stime (fields 14, 15)


def proc_schedstat_ns(pid):
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return total


def proc_status_kb(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "VmPeak", "RssAnon", "RssFile", "Threads"):
                out[k] = int(v.split()[0])
    return out


def proc_pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_shared_objects(pid):
    libs = set()
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and ".so" in os.path.basename(parts[5]):
                libs.add(parts[5])
    return len(libs)


def proc_smaps_top(pid, limit=8):
    """The largest resident mappings: [(rss_kb, anon_kb, 'start-end name')], for the memory breakdown."""
    out, cur = [], None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                parts = line.split()
                if "-" in parts[0] and not parts[0].endswith(":"):
                    cur = [0, 0, parts[0] + " " + (parts[5] if len(parts) > 5 else "[anon]")]
                    out.append(cur)
                elif parts[0] == "Rss:":
                    cur[0] = int(parts[1])
                elif parts[0] == "Anonymous:":
                    cur[1] = int(parts[1])
    except OSError:
        return []
    return sorted((tuple(x) for x in out), reverse=True)[:limit]


class ChildIO:
    def __init__(self, proc):
        self.proc = proc
        self.wfd = proc.stdin.fileno()
        self.rfd = proc.stdout.fileno()
        self.buf = b""
        self.checkpoints = 0
        self.other_lines = 0

    def write(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.wfd, view)
            view = view[n:]

    def read_line(self):
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line, self.buf = self.buf[:nl], self.buf[nl + 1:]
                return line
            chunk = os.read(self.rfd, 1 << 16)
            if not chunk:
                raise EOFError("child closed stdout (exit code %s)" % self.proc.poll())
            self.buf += chunk

    def await_status(self, action):
        while True:
            line = self.read_line().strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                self.other_lines += 1
                continue
            a = msg.get("action")
            if a == "status":
                if msg.get("responseFor") != action:
                    raise RuntimeError(f"status.responseFor={msg.get('responseFor')!r}, expected {action!r}")
                return
            if a == "checkpoint":
                self.checkpoints += 1
                reply = {"action": "checkpoint", "sequenceNumber": msg.get("sequenceNumber"),
                         "subSequenceNumber": msg.get("subSequenceNumber"), "error": None}
                self.write((json.dumps(reply, separators=(",", ":")) + "\n").encode())
                continue
            self.other_lines += 1


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def run(cmd, input_path, stderr_path, label="", settle=0.5, cwd=None):
    """Drives `cmd` with the transcript at `input_path`; returns a dict of measurements."""
    with open(input_path, "rb") as f, open(stderr_path, "wb") as err:
        first = f.readline()
        init_action = json.loads(first)["action"]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, bufsize=0,
                                cwd=cwd)
        io = ChildIO(proc)
        pid = proc.pid
        t_spawn = time.perf_counter()
        io.write(first)
        io.await_status(init_action)
        startup_s = time.perf_counter() - t_spawn
        time.sleep(settle)
        idle = proc_status_kb(pid)
        idle_pss = proc_pss_kb(pid)
        idle_libs = proc_shared_objects(pid)
        u0, s0 = proc_cpu_ticks(pid)
        ns0 = proc_schedstat_ns(pid)

        lat = []
        records = 0
        messages = 0
        wall = 0.0
        t_first = time.perf_counter()
        for line in f:
            if not line.strip():
                continue
            # The action is at the start of the line as the daemon writes it; fall back to parsing.
            m = re.match(rb'\{"action":"([A-Za-z]+)"', line)
            action = m.group(1).decode() if m else json.loads(line)["action"]
            if action == "processRecords":
                records += line.count(b'"action":"record"')
            t = time.perf_counter()
            io.write(line)
            io.await_status(action)
            d = time.perf_counter() - t
            wall += d
            lat.append(d)
            messages += 1
        elapsed = time.perf_counter() - t_first

        u1, s1 = proc_cpu_ticks(pid)
        ns1 = proc_schedstat_ns(pid)
        end = proc_status_kb(pid)
        end_maps = proc_smaps_top(pid)
        proc.stdin.close()
        _, status, ru = os.wait4(pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()

    lat.sort()
    user_s = (u1 - u0) / CLK_TCK
    sys_s = (s1 - s0) / CLK_TCK
    with open(stderr_path, "rb") as e:
        tail = e.read()[-20000:].decode("utf-8", "replace")
    return {
        "label": label, "cmd": cmd, "input": input_path, "exitCode": proc.returncode,
        "messages": messages, "records": records,
        "wallSeconds": wall, "elapsedSeconds": elapsed, "startupSeconds": startup_s,
        "recordsPerSecond": records / wall if wall else 0.0,
        "latencyMs": {"p50": percentile(lat, 50) * 1e3, "p99": percentile(lat, 99) * 1e3,
                      "max": (lat[-1] if lat else 0) * 1e3},
        "cpuUserSeconds": user_s, "cpuSysSeconds": sys_s, "cpuSeconds": user_s + sys_s,
        "cpuSchedSeconds": (ns1 - ns0) / 1e9,
        "cpuSecondsPerMillionRecords": (user_s + sys_s) / records * 1e6 if records else 0.0,
        "cpuSchedSecondsPerMillionRecords": (ns1 - ns0) / 1e9 / records * 1e6 if records else 0.0,
        "lifetimeCpuSeconds": ru.ru_utime + ru.ru_stime, "lifetimeMaxRssKb": ru.ru_maxrss,
        "idleRssKb": idle.get("VmRSS", 0), "idleRssAnonKb": idle.get("RssAnon", 0),
        "idleRssFileKb": idle.get("RssFile", 0), "idlePssKb": idle_pss, "sharedObjects": idle_libs,
        "peakRssKb": end.get("VmHWM", 0), "endRssKb": end.get("VmRSS", 0), "threads": end.get("Threads", 0),
        "endLargestMappings": end_maps,
        "checkpointsSent": io.checkpoints, "otherStdoutLines": io.other_lines,
        "stderrPath": stderr_path, "stderrTail": tail[-2000:],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", required=True)
    ap.add_argument("--stderr", default=None, help="where the child's stderr goes (default: <input>.stderr)")
    ap.add_argument("--label", default="")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command given (put it after --)")
    r = run(cmd, a.input, a.stderr or a.input + ".stderr", a.label)
    json.dump(r, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
