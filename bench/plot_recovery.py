#!/usr/bin/env python3
"""Plots bench/recovery's results: restart -> set = ground truth against the backlog size, one line per mode.

    bench/plot_recovery.py RESULTS.json OUT.png [TITLE]

Uses matplotlib from PyPI, installed on first use into bench/out/venv (pinned in bench/plot_venv.py)."""
import json
import sys

from plot_venv import ensure_matplotlib


def main():
    ensure_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results, out = json.load(open(sys.argv[1])), sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else ""
    labels = {"stock": "stock KCL (fixStaleLeases = false)", "fixer": "in-process fixer (exact cut)",
              "fix-leases": "fix-leases --apply, then the daemon"}
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for mode in ["stock", "fixer", "fix-leases"]:
        points = sorted((r["backlog"], r["truthMs"] / 1000.0) for r in results if r["mode"] == mode)
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=labels[mode])
    ax.set_xlabel("stale backlog in the child shards (records)")
    ax.set_ylabel("restart → active set = ground truth (s)")
    ax.set_title(f"Recovery after reshard + restart, {title}".strip(", "))
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out)
    print(f"written {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
