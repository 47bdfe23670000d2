#!/usr/bin/env python3
"""Plots bench/soak's results (bench/soak_report.mjs's JSON) into two PNGs:

    bench/plot_soak.py RESULTS.json PREFIX     -> PREFIX-processes.png, PREFIX-stack.png

processes: per processor (the daemon's children) RSS, open fds, threads and CPU, and the active sets' error
against the ground truth; stack: the java daemon, kinesis-local (and its probe latency), the read-limits proxy,
dynalite, redis-server, the producers, the load average. The documented windows are shaded.
Uses matplotlib from PyPI, installed on first use into bench/out/venv (pinned in bench/plot_venv.py)."""
import json
import sys

from plot_venv import ensure_matplotlib


def short(shard):
    return "s" + (shard.replace("shardId-", "").lstrip("0") or "0")


def shade(ax, events, labels=False):
    for e in events:
        ax.axvspan(e["from"] / 60, e["to"] / 60, color="tab:orange" if e["kind"] != "start" else "0.85", alpha=0.18, lw=0)
        if labels and e["kind"] != "start":
            ax.annotate(e["kind"].replace("daemon-restart", "daemon restart").replace("-run", "\n(scripts/run)"),
                        (e["at"] / 60, 1.0), xycoords=("data", "axes fraction"), fontsize=6.5, rotation=90,
                        va="top", ha="right", color="tab:brown")


def minutes(series):
    return [p[0] / 60 for p in series]


def main():
    ensure_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = json.load(open(sys.argv[1]))
    prefix = sys.argv[2]
    events, meta = r["events"], r["meta"]
    title = (f"soak, KCL {meta['kcl']}: {meta['users']} + {meta['churnUsers']} churn users, 1 heartbeat / "
             f"{meta['periodMs'] / 1000:g} s, TTL {meta['ttlMs'] / 1000:g} s; sample every {meta['everyMs'] / 1000:g} s")

    # ---- processors + error
    procs = [p for p in r["processes"] if p["role"] == "processor"]
    fig, axes = plt.subplots(5, 1, figsize=(10, 12.5), dpi=100, sharex=True)
    cmap = plt.get_cmap("tab20")
    for i, p in enumerate(sorted(procs, key=lambda p: p["from"])):
        xs = minutes(p["series"])
        label = f"{','.join(short(s) for s in p['shards']) or '?'} pid {p['pid']}"
        c = cmap(i % 20)
        axes[0].plot(xs, [s[1] / 1024 for s in p["series"]], color=c, lw=1.2, label=label)
        axes[1].plot(xs, [s[2] for s in p["series"]], color=c, lw=1.2)
        axes[2].plot(xs, [s[3] for s in p["series"]], color=c, lw=1.2)
        axes[3].plot(xs, [s[4] for s in p["series"]], color=c, lw=0.9)
    axes[0].set_ylabel("RSS (MiB)")
    axes[1].set_ylabel("open fds")
    axes[2].set_ylabel("threads")
    axes[3].set_ylabel("CPU (% of a core)")
    axes[0].legend(fontsize=6, ncol=4, loc="lower right")
    ax = axes[4]
    styles = {"redis": "-", "state": "--"}
    for set_name, e in r["errors"].items():
        s = e["series"]
        xs = minutes(s)
        ax.plot(xs, [v[4] for v in s], styles[set_name], color="tab:red", label=f"{set_name}: missing (false neg.)")
        ax.plot(xs, [v[5] for v in s], styles[set_name], color="tab:purple", label=f"{set_name}: > 1 period behind")
        ax.plot(xs, [v[3] for v in s], styles[set_name], color="black", label=f"{set_name}: false positives")
    ax.set_ylabel("users (of the truth's active)")
    ax.set_xlabel("minutes since the daemon's first launch")
    ax.legend(fontsize=6.5, ncol=3, loc="upper right")
    for i, a in enumerate(axes):
        shade(a, events, labels=(i == 0))
        a.grid(True, alpha=0.3)
        a.set_ylim(bottom=0)
    axes[0].set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(f"{prefix}-processes.png")
    print(f"written {prefix}-processes.png", file=sys.stderr)

    # ---- the stack
    fig, axes = plt.subplots(4, 1, figsize=(10, 10), dpi=100, sharex=True)
    colors = {"daemon": "tab:blue", "kinesis-local": "tab:red", "kinesis-limits": "tab:pink", "dynalite": "tab:green",
              "redis-server": "tab:brown"}
    seen = set()
    for p in r["processes"]:
        role = p["role"]
        if role == "processor":
            continue
        c = colors.get(role, "tab:gray")
        label = None if role in seen or (role.startswith("producer") and "producers" in seen) else (
            "producers" if role.startswith("producer") else role)
        seen.add("producers" if role.startswith("producer") else role)
        xs = minutes(p["series"])
        axes[0].plot(xs, [s[1] / 1024 for s in p["series"]], color=c, lw=1.2, label=label)
        axes[1].plot(xs, [s[4] for s in p["series"]], color=c, lw=0.9, label=label)
        if role == "daemon":
            axes[2].plot(xs, [s[3] for s in p["series"]], color="tab:blue", lw=1.2,
                         label="java daemon threads" if "dt" not in seen else None)
            axes[2].plot(xs, [s[2] for s in p["series"]], color="tab:cyan", lw=1.2,
                         label="java daemon fds" if "dt" not in seen else None)
            seen.add("dt")
    axes[0].set_ylabel("RSS (MiB)")
    axes[0].legend(fontsize=7, ncol=3)
    axes[1].set_ylabel("CPU (% of a core)")
    axes[2].set_ylabel("count")
    axes[2].legend(fontsize=7)
    k = r["kinesis"]["series"]
    ax = axes[3]
    ax.plot(minutes(k), [v[1] for v in k], color="tab:red", lw=1, label="kinesis-local DescribeStreamSummary (ms)")
    ax.plot(minutes(k), [v[2] * 10 for v in k], color="tab:olive", lw=1, label="producers' records/s × 10")
    ax.plot(minutes(k), [v[3] for v in k], color="tab:gray", lw=1, label="heartbeats overdue")
    ax.plot(minutes(k), [v[4] * 10 for v in k], color="black", lw=1, ls=":", label="load average (1 min) × 10")
    ax.set_xlabel("minutes since the daemon's first launch")
    ax.legend(fontsize=7, loc="upper left")
    for i, a in enumerate(axes):
        shade(a, events, labels=(i == 0))
        a.grid(True, alpha=0.3)
        a.set_ylim(bottom=0)
    axes[0].set_title(title + f"\nload average {meta.get('loadStart', '?')} (start) .. {meta.get('loadEnd', '?')} (end), "
                      f"{meta['nproc']} cores", fontsize=9)
    fig.tight_layout()
    fig.savefig(f"{prefix}-stack.png")
    print(f"written {prefix}-stack.png", file=sys.stderr)


if __name__ == "__main__":
    main()
