#!/usr/bin/env python3
"""bench/fleet's report: one row per (shards, configuration) over bench/pipeline's drain runs, and the plot.

    bench/fleet.py --title T --out-md F.md --out-json F.json RUN.json...   the table (medians over runs)
    bench/fleet.py --plot F.json OUT.png                                    host RSS and CPU/record against N

The plot uses matplotlib from PyPI, installed on first use into bench/out/venv (bench/plot_venv.py)."""
import argparse
import json
import statistics
import sys

COLS = [  # (header, key, format)
    ("host µs/record (whole drain, idle-subtracted)", "hostUsPerRecordIdleSub", "{:.1f}"),
    ("host µs/record raw", "hostUsPerRecordRaw", "{:.1f}"),
    ("java µs/record", "javaUsPerRecordIdleSub", "{:.1f}"),
    ("child µs/record", "childUsPerRecordRaw", "{:.2f}"),
    ("drain s", "drainWallS", "{:.1f}"),
    ("java peak RSS MB", "javaPeakRssMb", "{:.0f}"),
    ("Σ children peak RSS MB", "childrenPeakRssSumMb", "{:.0f}"),
    ("host peak RSS MB", "hostPeakRssMb", "{:.0f}"),
    ("heap max MB", "javaHeapCapacityMb", "{:.0f}"),
    ("GC pauses s", "javaGcS", "{:.1f}"),
    ("GC+VM threads' share of java CPU", "javaGcShareOfCpu", "{:.1%}"),
    ("OOM lines", "oomLines", "{:.0f}"),
    ("java idle CPU % per shard", "javaIdleCpuPerShardPct", "{:.2f}"),
    ("Σ children idle RSS MB", "childrenIdleRssSumMb", "{:.0f}"),
]


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def table(runs):
    """{(shards, config): {key: median}} plus failures."""
    groups, failed = {}, []
    for r in runs:
        if r.get("error"):
            failed.append(r)
            continue
        groups.setdefault((r["shards"], r["config"]), []).append(r)
    rows = {}
    for k, rs in sorted(groups.items()):
        rows[k] = {key: med(r.get(key) for r in rs) for _, key, _ in COLS}
        rows[k]["runs"] = len(rs)
        rows[k]["javaOpts"] = rs[0].get("javaOpts", "")
        rows[k]["stalled"] = sum(len(r.get("stalledShards") or []) for r in rs)
    return rows, failed


def report(a):
    runs = [json.load(open(p)) for p in a.runs]
    rows, failed = table(runs)
    lines = [f"# {a.title}", "", "Medians over runs (bench/pipeline drain + idle per shard count).", ""]
    lines.append("| shards | config | runs | " + " | ".join(h for h, _, _ in COLS) + " |")
    lines.append("| --- | --- | --- |" + " --- |" * len(COLS))
    for (n, c), row in rows.items():
        cells = ["-" if row[k] is None else f.format(row[k]).replace("%", " %") for _, k, f in COLS]
        lines.append(f"| {n} | `{c}` | {row['runs']} | " + " | ".join(cells) + " |")
        if row["stalled"]:
            lines.append(f"| | ↳ {row['stalled']} shard(s) stopped short of the backlog in these runs | | |")
    lines.append("")
    # Ratios against the Node client at each N.
    for n in sorted({n for n, _ in rows}):
        node = rows.get((n, "node"))
        for (m, c), row in rows.items():
            if m != n or c == "node" or not node:
                continue
            lines.append(f"- {n} shards, `{c}` vs `node`: host RSS {row['hostPeakRssMb'] / node['hostPeakRssMb']:.2f}× "
                         f"(1/{node['hostPeakRssMb'] / row['hostPeakRssMb']:.1f}), host CPU/record "
                         f"{node['hostUsPerRecordIdleSub'] / row['hostUsPerRecordIdleSub']:.2f}× lower")
    lines.append("")
    lines.append("JVM options per configuration:")
    for c, opts in sorted({(c, row["javaOpts"]) for (_, c), row in rows.items()}):
        lines.append(f"- `{c}`: `{opts.strip() or '(none)'}`")
    if failed:
        lines.append("")
        lines.append("Failed runs: " + "; ".join(f"{r.get('config')} #{r.get('rep')}: {r['error']}" for r in failed))
    text = "\n".join(lines) + "\n"
    open(a.out_md, "w").write(text)
    json.dump({"title": a.title, "rows": [dict(shards=n, config=c, **row) for (n, c), row in rows.items()],
               "failed": failed}, open(a.out_json, "w"), indent=1)
    print(text)


def plot(src, out):
    sys.path.insert(0, __import__("os").path.dirname(__file__))
    from plot_venv import ensure_matplotlib
    ensure_matplotlib()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    data = json.load(open(src))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110)
    for c in sorted({r["config"] for r in data["rows"]}):
        pts = sorted((r["shards"], r) for r in data["rows"] if r["config"] == c)
        xs = [p[0] for p in pts]
        ax1.plot(xs, [p[1]["hostPeakRssMb"] for p in pts], marker="o", label=c)
        ax2.plot(xs, [p[1]["hostUsPerRecordIdleSub"] for p in pts], marker="o", label=c)
    ax1.set_xlabel("shards drained at once"); ax1.set_ylabel("host peak RSS, java + Σ children (MB)")
    ax2.set_xlabel("shards drained at once"); ax2.set_ylabel("host CPU µs per record (whole drain)")
    for ax in (ax1, ax2):
        ax.set_ylim(bottom=0); ax.grid(True, alpha=0.3); ax.legend()
    fig.suptitle(data["title"], fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    print(f"written {out}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--title", default="bench/fleet")
    ap.add_argument("--out-md")
    ap.add_argument("--out-json")
    ap.add_argument("--plot", nargs=2, metavar=("FLEET_JSON", "OUT_PNG"))
    ap.add_argument("runs", nargs="*")
    a = ap.parse_args()
    if a.plot:
        plot(*a.plot)
    else:
        report(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
