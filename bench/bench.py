#!/usr/bin/env python3
"""active-users benchmark: our binary vs the official Node KCL client, driven like the MultiLangDaemon.

Entry point: bench/run (builds if needed, then runs this). Steps:
  1. generate the transcripts in bench/out/ (bench/gen_input.py), unless fresh ones with the same
     parameters exist (inputs older than 20 min are regenerated: their timestamps must stay fresh);
  2. drive build/active-users and node bench/node_peer/heartbeat_app.js with the same input through
     bench/driver.py (strict request/response, as the daemon), alternating the two, --repeat times;
  3. memory: idle RSS after initialize, peak RSS with 100k and 1M users, a control run (1,000 users,
     same 10,000-record messages) to separate the per-message buffers from the table;
  4. print the summary and write bench/out/results.md and bench/out/results.json.

Our binary gets a properties file with activeUsers.ttlSeconds = 3600 so no heartbeat is stale or
evicted during the run (the generated arrival times lie in the ~100 s before generation).
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)
import driver  # noqa: E402
import gen_input  # noqa: E402

MAX_INPUT_AGE_S = 45 * 60  # arrivals are <= ~100 s old at generation; TTL is 3600 s
TTL_SECONDS = 3600
ENTRY_BYTES = 32  # ExpiringTable<Guid>::Entry: Guid 16 + lastSeen 8 + prev 4 + next 4
SLOT_BYTES = 4
BUCKET_BYTES = 48  # as memoryBytes() counts a std::map node


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True, **kw)


def ensure_input(name, users, messages, per_message, force=False):
    path = os.path.join(OUT, name)
    meta_path = path + ".meta.json"
    if not force and os.path.exists(path) and os.path.exists(meta_path):
        try:
            with open(meta_path) as f:
                meta = json.load(f)
            fresh = time.time() * 1000 - meta["generatedAtMs"] < MAX_INPUT_AGE_S * 1000
            same = (meta["users"], meta["messages"], meta["recordsPerMessage"]) == (users, messages, per_message)
            if fresh and same and os.path.getsize(path) == meta["bytes"]:
                meta["reused"] = True
                return meta
        except (ValueError, KeyError, OSError):
            pass
    meta = gen_input.generate(path, users, messages, per_message)
    meta["reused"] = False
    return meta


def table_theory_bytes(users, buckets):
    """ExpiringTable<Guid>::memoryBytes() after `users` distinct inserts (no evictions), from the code:
    entries live in chunks of 4,096 (kChunkBits = 12), allocated one at a time, with one pointer each in a
    vector (libstdc++ doubles its capacity); slots_ starts at 1024 and doubles whenever
    (size+1)*10 > slots*7; each time bucket costs one std::map node."""
    chunk = 4096
    chunks = -(-users // chunk)
    ptr_cap = 1
    while ptr_cap < chunks:
        ptr_cap *= 2
    slots = 1024
    while users * 10 > slots * 7:
        slots *= 2
    return {"entriesCapacity": chunks * chunk, "slots": slots, "buckets": buckets,
            "bytes": chunks * chunk * ENTRY_BYTES + ptr_cap * 8 + slots * SLOT_BYTES + buckets * BUCKET_BYTES}


def final_buckets(meta):
    # The last visit of every user lies in the last `distinct` records; their arrivals span this many ms.
    span_ms = meta["lastArrivalMs"] - meta["firstArrivalMs"]
    return int(span_ms * meta["distinctUsers"] / max(1, meta["records"]) / 1000) + 2


def simdjson_probe(binary):
    """Compiles bench/probe/simdjson_probe.cc with the flags our build uses for heartbeat_decoder.cc."""
    src = os.path.join(HERE, "probe", "simdjson_probe.cc")
    exe = os.path.join(OUT, "simdjson_probe")
    try:
        cc, flags = compile_flags_of("processor/heartbeat_decoder.cc")
    except (OSError, ValueError, KeyError):
        cc, flags = "c++", ["-std=c++17", "-O2"]
    r = sh([cc, *flags, src, "-o", exe, "-lsimdjson"])
    out = {"flags": " ".join(flags)}
    if r.returncode != 0:
        out["error"] = r.stderr[-500:]
    else:
        out["probe"] = sh([exe]).stdout.strip()
    nm = sh(f"nm -C --defined-only {shlex.quote(binary)} "
            "| grep -o 'simdjson::[a-z0-9_]*::ondemand' | sort | uniq -c")
    out["binaryOndemandKernels"] = " ".join(nm.stdout.split()) or "(none found)"
    return out


def compile_flags_of(source_suffix):
    """(compiler, flags without -o/-c/-W/source) our build used for a source file, from compile_commands.json."""
    with open(os.path.join(ROOT, "build", "compile_commands.json")) as f:
        for e in json.load(f):
            if e["file"].endswith(source_suffix):
                args = shlex.split(e["command"])
                flags, skip = [], False
                for a in args[1:]:
                    if skip:
                        skip = False
                        continue
                    if a in ("-o", "-c"):
                        skip = True
                        continue
                    if a.startswith("-W") or a == e["file"]:
                        continue
                    flags.append(a)
                return args[0], flags
    raise KeyError(source_suffix)


def build_simd_variant(march="haswell"):
    """Our binary with ONLY src/protocol/codec.cc and src/processor/heartbeat_decoder.cc recompiled with
    -march=<march>, so their inlined simdjson::ondemand code is the <march> kernel instead of "fallback".
    Links build/'s main.cc.o + the two new objects + build/src/libau_core.a (the archive's own copies of
    the two objects are then not pulled in). Returns the path, or None with a reason."""
    vdir = os.path.join(OUT, "variant")
    os.makedirs(vdir, exist_ok=True)
    exe = os.path.join(OUT, f"active-users-{march}")
    try:
        objs = []
        procs = []
        for src in ("protocol/codec.cc", "processor/heartbeat_decoder.cc"):
            cc, flags = compile_flags_of(src)
            obj = os.path.join(vdir, os.path.basename(src) + ".o")
            objs.append(obj)
            procs.append(subprocess.Popen([cc, *flags, f"-march={march}", "-c", os.path.join(ROOT, "src", src), "-o", obj],
                                          stderr=subprocess.PIPE, text=True))
        for pr in procs:
            _, err = pr.communicate()
            if pr.returncode != 0:
                return None, "compile failed: " + err[-300:]
        with open(os.path.join(ROOT, "build", "build.ninja")) as f:
            ninja = f.read()
        m = re.search(r"^build active-users: \S+ (\S+main\.cc\.o)[^\n]*\n((?:  [^\n]*\n)+)", ninja, re.M)
        if not m:
            return None, "no link rule for active-users in build/build.ninja"
        main_obj = os.path.join(ROOT, "build", m.group(1))
        var = dict(re.findall(r"^  (\w+) = (.*)$", m.group(2), re.M))
        libs = [x if os.path.isabs(x) else os.path.join(ROOT, "build", x) for x in shlex.split(var.get("LINK_LIBRARIES", ""))]
        cmd = ["c++", *shlex.split(var.get("FLAGS", "")), *shlex.split(var.get("LINK_FLAGS", "")), main_obj, *objs, *libs,
               "-o", exe]
        r = sh(cmd)
        if r.returncode != 0:
            return None, "link failed: " + r.stderr[-300:]
    except (OSError, KeyError, ValueError) as e:
        return None, str(e)
    nm = sh(f"nm -C --defined-only {shlex.quote(exe)} | grep -o 'simdjson::[a-z0-9_]*::ondemand' | sort | uniq -c")
    return exe, " ".join(nm.stdout.split())


def parse_our_stats(text):
    m = None
    for m in re.finditer(r"stats: active=(\d+) applied=(\d+) stale=(\d+) malformed=(\d+)", text):
        pass
    if not m:
        return None
    return dict(zip(("active", "applied", "stale", "malformed"), map(int, m.groups())))


def parse_node_stats(text):
    m = re.search(r"node-peer stats: active=(\d+) applied=(\d+)(?: shard=\S+)? malformed=(\d+) records=(\d+)", text)
    if not m:
        return None
    return dict(zip(("active", "applied", "malformed", "records"), map(int, m.groups())))


def check(run, meta, kind):
    problems = []
    if run["exitCode"] != 0:
        problems.append(f"exit code {run['exitCode']}")
    if run["records"] != meta["records"]:
        problems.append(f"sent {run['records']} records, expected {meta['records']}")
    if run["checkpointsSent"]:
        problems.append(f"{run['checkpointsSent']} checkpoints")
    with open(run["stderrPath"], encoding="utf-8", errors="replace") as f:
        text = f.read()
    stats = parse_our_stats(text) if kind == "ours" else parse_node_stats(text)
    run["childStats"] = stats
    if not stats:
        problems.append("no stats line on stderr")
    else:
        if stats["active"] != meta["distinctUsers"]:
            problems.append(f"active={stats['active']}, expected {meta['distinctUsers']}")
        if stats["applied"] != meta["records"]:
            problems.append(f"applied={stats['applied']}, expected {meta['records']}")
        if stats.get("stale"):
            problems.append(f"stale={stats['stale']}")
        if stats["malformed"]:
            problems.append(f"malformed={stats['malformed']}")
    run["problems"] = problems
    return run


def drive(kind, cmd, meta, tag):
    stderr_path = os.path.join(OUT, f"stderr-{tag}.log")
    r = driver.run(cmd, meta["path"], stderr_path, label=tag, cwd=ROOT)
    r.pop("stderrTail", None)
    check(r, meta, kind)
    flag = "" if not r["problems"] else "  PROBLEMS: " + "; ".join(r["problems"])
    print(f"  {tag:<14} {r['records']:>9,} rec  wall {r['wallSeconds']:6.2f} s  {r['recordsPerSecond']:>10,.0f} rec/s  "
          f"CPU {r['cpuSeconds']:6.2f} s ({r['cpuSecondsPerMillionRecords']:.3f} s/M)  "
          f"idle {r['idleRssKb'] / 1024:6.1f} MB  peak {r['peakRssKb'] / 1024:7.1f} MB{flag}", flush=True)
    return r


def median_run(runs, key="cpuSecondsPerMillionRecords"):
    ordered = sorted(runs, key=lambda r: r[key])
    return ordered[len(ordered) // 2]


def mb(kb):
    return kb / 1024.0


def fmt_status(ok):
    return "PASS" if ok else "MISS"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side on the 100k-user input (median)")
    ap.add_argument("--messages", type=int, default=150, help="processRecords messages in the 100k-user input")
    ap.add_argument("--per-message", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--big-users", type=int, default=1_000_000, help="distinct users of the memory input")
    ap.add_argument("--no-node-big", action="store_true", help="skip the Node peer on the 1M-user input")
    ap.add_argument("--regenerate", action="store_true", help="regenerate the inputs even if fresh")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "active-users"))
    ap.add_argument("--no-variant", action="store_true",
                    help="skip the A/B run of a build whose simdjson-using TUs are compiled with -march=haswell")
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    t0 = time.time()
    argv = " ".join(shlex.quote(x) for x in sys.argv[1:])
    command = "bench/run" + (" " + argv if argv else "")

    props = os.path.join(OUT, "bench.properties")
    with open(props, "w") as f:
        f.write(f"# written by bench/bench.py: nothing expires during the run\nactiveUsers.ttlSeconds = {TTL_SECONDS}\n")
    # Run a snapshot of the binary: other work may rebuild build/active-users while the bench runs.
    snapshot = os.path.join(OUT, "active-users.bench")
    shutil.copy2(a.binary, snapshot)
    ours_cmd = [snapshot, "--properties", props]
    node_cmd = ["node", os.path.join(HERE, "node_peer", "heartbeat_app.js")]

    # --- environment -------------------------------------------------------------------------------
    env = {
        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
        "cores": os.cpu_count(), "kernel": platform.release(),
        "node": sh(["node", "--version"]).stdout.strip(), "python": platform.python_version(),
        "gitHead": sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip(),
        "gitDirty": bool(sh(["git", "-C", ROOT, "status", "--porcelain", "--", "src", "CMakeLists.txt", "cmake"]).stdout.strip()),
        "binary": a.binary,
        "binaryBuilt": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(a.binary))),
    }
    try:
        with open(os.path.join(ROOT, "node_modules", "aws-kcl", "package.json")) as f:
            env["awsKcl"] = json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        env["awsKcl"] = "?"
    cache = os.path.join(ROOT, "build", "CMakeCache.txt")
    if os.path.exists(cache):
        m = re.search(r"^CMAKE_BUILD_TYPE:STRING=(.*)$", open(cache).read(), re.M)
        env["cmakeBuildTypeCache"] = m.group(1) if m else "?"
    probe = simdjson_probe(snapshot)
    load_start = os.getloadavg()
    print(f"environment: {env['cpu']}, {env['cores']} cores, node {env['node']}, aws-kcl {env['awsKcl']}, "
          f"git {env['gitHead']}{' (src dirty)' if env['gitDirty'] else ''}")
    print(f"simdjson probe with our flags [{probe['flags']}]: {probe.get('probe', probe.get('error'))}")
    print(f"  ondemand kernels compiled into build/active-users: {probe['binaryOndemandKernels']}")

    # --- inputs (generated in parallel) --------------------------------------------------------------
    print("inputs:", flush=True)
    specs = [("input-100k.jsonl", a.users, a.messages, a.per_message),
             ("input-1m.jsonl", a.big_users, -(-a.big_users // a.per_message), a.per_message),
             ("input-control.jsonl", 1_000, 10, a.per_message)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        futs = [pool.submit(ensure_input, *s, a.regenerate) for s in specs]
        metas = [f.result() for f in futs]
    m100k, m1m, mctl = metas
    for m in metas:
        print(f"  {os.path.basename(m['path']):<20} {m['records']:>9,} records  {m['distinctUsers']:>9,} users  "
              f"{m['bytes'] / 1e6:7.1f} MB  {'reused' if m['reused'] else 'generated in %.1f s' % m['generateSeconds']}")

    variant, variant_info = (None, "skipped (--no-variant)") if a.no_variant else build_simd_variant()
    if variant:
        print(f"variant: {os.path.relpath(variant, ROOT)} (codec.cc + heartbeat_decoder.cc with -march=haswell): "
              f"ondemand kernels {variant_info}")
    else:
        print(f"variant: none ({variant_info})")

    # --- CPU: alternate ours / node (/ variant) on the 100k input ------------------------------------
    print(f"runs on {os.path.basename(m100k['path'])} (alternating, {a.repeat} each):", flush=True)
    ours, node, var_runs = [], [], []
    for i in range(a.repeat):
        ours.append(drive("ours", ours_cmd, m100k, f"ours-100k-{i + 1}"))
        node.append(drive("node", node_cmd, m100k, f"node-100k-{i + 1}"))
        if variant:
            var_runs.append(drive("ours", [variant, "--properties", props], m100k, f"haswell-100k-{i + 1}"))
    print("memory runs:", flush=True)
    ours_1m = drive("ours", ours_cmd, m1m, "ours-1m")
    ours_ctl = drive("ours", ours_cmd, mctl, "ours-control")
    node_1m = None if a.no_node_big else drive("node", node_cmd, m1m, "node-1m")

    load_end = os.getloadavg()
    env["loadAverage1m"] = [round(load_start[0], 2), round(load_end[0], 2)]
    o, n = median_run(ours), median_run(node)
    ratio_cpu = n["cpuSecondsPerMillionRecords"] / o["cpuSecondsPerMillionRecords"]
    ratio_sched = n["cpuSchedSecondsPerMillionRecords"] / o["cpuSchedSecondsPerMillionRecords"]
    ratio_tput = o["recordsPerSecond"] / n["recordsPerSecond"]
    spread = lambda runs: (min(r["cpuSecondsPerMillionRecords"] for r in runs),
                           max(r["cpuSecondsPerMillionRecords"] for r in runs))

    u100k, u1m = m100k["distinctUsers"], m1m["distinctUsers"]
    idle_kb = statistics.median([r["idleRssKb"] for r in ours + [ours_1m, ours_ctl]])
    peak100k_kb = statistics.median([r["peakRssKb"] for r in ours])
    peak1m_kb = ours_1m["peakRssKb"]
    peakctl_kb = ours_ctl["peakRssKb"]
    raw100k = (peak100k_kb - idle_kb) * 1024 / u100k
    raw1m = (peak1m_kb - idle_kb) * 1024 / u1m
    adj100k = (peak100k_kb - peakctl_kb) * 1024 / u100k
    adj1m = (peak1m_kb - peakctl_kb) * 1024 / u1m
    marginal = (peak1m_kb - peak100k_kb) * 1024 / (u1m - u100k)
    th100k = table_theory_bytes(u100k, final_buckets(m100k))
    th1m = table_theory_bytes(u1m, final_buckets(m1m))

    cpu_ok = ratio_cpu >= 5.0
    mem_ok_1m = raw1m <= 64
    mem_ok_100k = raw100k <= 64
    idle_ok = mb(idle_kb) <= 10

    rows = [
        ("records per run (100k users, %d msgs x %s)" % (m100k["messages"], f"{a.per_message:,}"),
         f"{o['records']:,}", f"{n['records']:,}", ""),
        ("wall s, daemon-perceived (median run)", f"{o['wallSeconds']:.2f}", f"{n['wallSeconds']:.2f}", ""),
        ("records/s", f"{o['recordsPerSecond']:,.0f}", f"{n['recordsPerSecond']:,.0f}", f"ours {ratio_tput:.2f}x faster"),
        ("batch latency p50 / p99 ms", f"{o['latencyMs']['p50']:.1f} / {o['latencyMs']['p99']:.1f}",
         f"{n['latencyMs']['p50']:.1f} / {n['latencyMs']['p99']:.1f}", ""),
        ("child CPU s (user+sys), median run", f"{o['cpuSeconds']:.2f} ({o['cpuUserSeconds']:.2f}+{o['cpuSysSeconds']:.2f})",
         f"{n['cpuSeconds']:.2f} ({n['cpuUserSeconds']:.2f}+{n['cpuSysSeconds']:.2f})", ""),
        ("**child CPU s per 1M records** (min-max over runs)",
         "**%.3f** (%.3f-%.3f)" % ((o["cpuSecondsPerMillionRecords"],) + spread(ours)),
         "**%.3f** (%.3f-%.3f)" % ((n["cpuSecondsPerMillionRecords"],) + spread(node)),
         f"**Node/ours = {ratio_cpu:.2f}x** (target >= 5x: {fmt_status(cpu_ok)})"),
        ("child CPU s per 1M records, schedstat ns", f"{o['cpuSchedSecondsPerMillionRecords']:.3f}",
         f"{n['cpuSchedSecondsPerMillionRecords']:.3f}", f"Node/ours = {ratio_sched:.2f}x"),
        ("child CPU s per 1M records, 1M-user input", f"{ours_1m['cpuSecondsPerMillionRecords']:.3f}",
         f"{node_1m['cpuSecondsPerMillionRecords']:.3f}" if node_1m else "-",
         f"Node/ours = {node_1m['cpuSecondsPerMillionRecords'] / ours_1m['cpuSecondsPerMillionRecords']:.2f}x" if node_1m else ""),
        ("idle RSS MB (after initialize)", f"{mb(idle_kb):.1f}", f"{mb(n['idleRssKb']):.1f}",
         f"target <= 10 MB: {fmt_status(idle_ok)}"),
        ("idle RSS split: anon / file-backed MB; PSS MB; shared objects mapped",
         f"{mb(o['idleRssAnonKb']):.1f} / {mb(o['idleRssFileKb']):.1f}; {mb(o['idlePssKb']):.1f}; {o['sharedObjects']}",
         f"{mb(n['idleRssAnonKb']):.1f} / {mb(n['idleRssFileKb']):.1f}; {mb(n['idlePssKb']):.1f}; {n['sharedObjects']}",
         "file-backed = pages of the binary and its shared libraries"),
        ("peak RSS MB, control (1k users, same msgs)", f"{mb(peakctl_kb):.1f}", "-", "= per-message buffers"),
        ("peak RSS MB, 100k users", f"{mb(peak100k_kb):.1f}", f"{mb(n['peakRssKb']):.1f}", ""),
        ("peak RSS MB, 1M users", f"{mb(peak1m_kb):.1f}", f"{mb(node_1m['peakRssKb']):.1f}" if node_1m else "-", ""),
        ("(peak - idle) / users, B/user: 100k / 1M", f"{raw100k:.1f} / {raw1m:.1f}",
         f"{(n['peakRssKb'] - n['idleRssKb']) * 1024 / u100k:.0f} / "
         + (f"{(node_1m['peakRssKb'] - node_1m['idleRssKb']) * 1024 / u1m:.0f}" if node_1m else "-"),
         f"target <= 64: 100k {fmt_status(mem_ok_100k)}, 1M {fmt_status(mem_ok_1m)}"),
        ("(peak - control peak) / users, B/user: 100k / 1M", f"{adj100k:.1f} / {adj1m:.1f}", "-", "table only"),
        ("marginal (peak1M - peak100k) / 900k users, B/user", f"{marginal:.1f}", "-", ""),
        ("table memoryBytes() from the code, B/user: 100k / 1M",
         f"{th100k['bytes'] / u100k:.1f} / {th1m['bytes'] / u1m:.1f}", "-",
         f"32 B entry + 4 B slot / load; 1M: {th1m['entriesCapacity']:,} entries cap, {th1m['slots']:,} slots"),
    ]
    if var_runs:
        v = median_run(var_runs)
        rows.insert(7, ("variant: simdjson TUs with -march=haswell, CPU s per 1M records",
                        "%.3f (%.3f-%.3f)" % ((v["cpuSecondsPerMillionRecords"],) + spread(var_runs)), "-",
                        f"vs ours: {v['cpuSecondsPerMillionRecords'] / o['cpuSecondsPerMillionRecords']:.2f}x CPU"))

    lines = []
    lines.append("# active-users benchmark results")
    lines.append("")
    lines.append(f"Reproduce: `{command}` (from the repo root; about 2-3 min on 2 cores)")
    lines.append("")
    lines.append(f"Date {time.strftime('%Y-%m-%d %H:%M:%S')}; {env['cpu']}, {env['cores']} cores, kernel {env['kernel']}; "
                 f"node {env['node']}, aws-kcl {env['awsKcl']}; git {env['gitHead']}"
                 f"{' (src has uncommitted changes)' if env['gitDirty'] else ''}; binary built {env['binaryBuilt']}; "
                 f"load average (1 min) at start/end {load_start[0]:.2f}/{load_end[0]:.2f}"
                 f"{' - the machine was busy, absolute figures are noisy (ratios are from alternating runs)' if max(load_start[0], load_end[0]) > env['cores'] else ''}.")
    lines.append(f"simdjson: {probe.get('probe', probe.get('error'))} with our flags `{probe['flags']}`; "
                 f"ondemand kernels in the binary: {probe['binaryOndemandKernels']}. "
                 "(simdjson::builtin_implementation() is a function of the shared library and reports ITS compile-time "
                 "kernel; our TUs' ondemand navigation is 'fallback' without -march, but ondemand::parser gets stage 1 "
                 "and string unescaping from get_active_implementation(), i.e. the run-time dispatched kernel in "
                 "libsimdjson.so - see the -march=haswell variant row.)")
    lines.append("")
    lines.append("| metric | ours (build/active-users) | Node aws-kcl peer | ratio / target |")
    lines.append("| --- | --- | --- | --- |")
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    lines.append("")
    buffers_mb = mb(peakctl_kb - idle_kb)
    lines.append("Targets:")
    lines.append(f"- CPU per record, Node / ours >= 5x: {ratio_cpu:.2f}x -> {fmt_status(cpu_ok)} "
                 f"(ours would need <= {n['cpuSecondsPerMillionRecords'] / 5:.2f} s per 1M records against this Node run).")
    lines.append(f"- idle RSS <= 10 MB: {mb(idle_kb):.1f} MB -> {fmt_status(idle_ok)} (of which anonymous "
                 f"{mb(o['idleRssAnonKb']):.1f} MB, file-backed {mb(o['idleRssFileKb']):.1f} MB from "
                 f"{o['sharedObjects']} mapped shared objects; PSS {mb(o['idlePssKb']):.1f} MB).")
    lines.append(f"- table memory <= 64 B/user: (peak - idle)/users = {raw100k:.1f} B (100k), {raw1m:.1f} B (1M) -> "
                 f"{fmt_status(mem_ok_100k)}/{fmt_status(mem_ok_1m)}; this includes {buffers_mb:.1f} MB of per-message "
                 f"buffers (control run: 1k users, same messages). Without them: {adj100k:.1f} B (100k) / {adj1m:.1f} B (1M) "
                 f"-> {fmt_status(adj100k <= 64)}/{fmt_status(adj1m <= 64)}; memoryBytes() from the code: "
                 f"{th100k['bytes'] / u100k:.1f} / {th1m['bytes'] / u1m:.1f} B -> "
                 f"{fmt_status(th100k['bytes'] / u100k <= 64)}/{fmt_status(th1m['bytes'] / u1m <= 64)}.")
    top = ", ".join(f"{name.split(' ', 1)[1]} {rss / 1024:.1f} MB" for rss, _, name in ours_1m.get("endLargestMappings", [])[:5])
    lines.append(f"- largest resident mappings at the end of the 1M-user run: {top}.")
    lines.append("")
    lines.append("Driver: bench/driver.py writes one message, waits for its status (strict request/response, as the "
                 "daemon). CPU = utime+stime of the child from /proc/<pid>/stat, counted from after the initialize "
                 "reply to the last status. Every run was checked: exit 0, no checkpoints, stats line "
                 "active = distinct users, applied = records, stale = malformed = 0.")
    problems = [f"{r['label']}: {'; '.join(r['problems'])}" for r in ours + node + var_runs + [ours_1m, ours_ctl] + ([node_1m] if node_1m else [])
                if r["problems"]]
    if problems:
        lines.append("")
        lines.append("PROBLEMS: " + " | ".join(problems))
    lines.append("")
    lines.append(f"Total bench time {time.time() - t0:.0f} s.")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"command": command, "env": env, "simdjson": probe, "inputs": metas,
                   "ours100k": ours, "node100k": node, "variantHaswell100k": var_runs, "variantInfo": variant_info, "ours1m": ours_1m, "oursControl": ours_ctl, "node1m": node_1m,
                   "theory": {"100k": th100k, "1m": th1m}}, f, indent=1)
    print(f"written: {os.path.relpath(os.path.join(OUT, 'results.md'), ROOT)}, "
          f"{os.path.relpath(os.path.join(OUT, 'results.json'), ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
