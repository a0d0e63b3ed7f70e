"""Draws two pictures from benchmarks/results.json, latency per operation on a log scale with JMH's
error bars: Hearth, its floor and Redis (latency.png); Hearth, LMDB and SQLite (peers.png).
Usage: plot.py RESULTS_JSON LATENCY_PNG [PEERS_PNG]"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display here
import matplotlib.pyplot as plt

GROUPS = [  # label, Hearth id, floor id, Redis id
    ("counter increment", "counter.increment.1proc", "raw.mmap.getAndAdd.1proc", "redis.incr"),
    ("counter increment,\ncontended", "counter.increment.contended", "raw.mmap.getAndAdd.contended", None),
    ("one-way visibility\n(ping-pong / 2)", "visibility.pingpong", "raw.mmap.pingpong", None),
    ("map get", "map.get", "raw.chronicle.get", "redis.get"),
    ("map put", "map.put", "raw.chronicle.put", "redis.set"),
    ("map update", "map.update", "raw.chronicle.rmw", None),
    ("map update,\ncontended", "map.update.contended", "raw.chronicle.rmw.contended", None),
]
SERIES = [("Hearth", 1, "#d9822b"), ("floor (raw mmap / raw Chronicle Map)", 2, "#8a8a8a"), ("Redis (Jedis, loopback)", 3, "#c0392b")]
PEER_GROUPS = [  # label, Hearth id, LMDB id, SQLite id: Markdown.PEER_ROWS
    ("get", "map.get", "lmdb.get", "sqlite.get"),
    ("put", "map.put", "lmdb.put", "sqlite.put"),
    ("update", "map.update", "lmdb.update", "sqlite.update"),
    ("counter increment", "counter.increment.1proc", "lmdb.counter.increment", "sqlite.counter.increment"),
    ("update,\ncontended", "map.update.contended", "lmdb.update.contended", "sqlite.update.contended"),
    ("counter increment,\ncontended", "counter.increment.contended", "lmdb.counter.increment.contended",
     "sqlite.counter.increment.contended"),
]
PEER_SERIES = [("Hearth", 1, "#d9822b"), ("LMDB (LmdbJava, MDB_NOSYNC)", 2, "#2e86c1"), ("SQLite (sqlite-jdbc, WAL, synchronous=OFF)", 3, "#7d3c98")]


def label(ns):
    return f"{ns / 1e6:.3g} ms" if ns >= 1e6 else f"{ns / 1e3:.3g} µs" if ns >= 1e3 else f"{ns:.3g} ns"


def main(results_path, out_path, peers_path=None):
    with open(results_path) as f:
        results = {r["benchmark"]: r for r in json.load(f) if r["unit"] == "ns/op"}
    draw(results, GROUPS, SERIES, "Hearth vs the floors it builds on vs Redis, one run", out_path)
    if peers_path:
        draw(results, PEER_GROUPS, PEER_SERIES, "Hearth vs what you would pick instead, one run (Hearth's get: read cache)", peers_path)


def draw(results, GROUPS, SERIES, title, out_path):
    height = 0.26
    fig, ax = plt.subplots(figsize=(10, 8), dpi=120)
    for s, (name, column, color) in enumerate(SERIES):
        ys, xs, errs = [], [], []
        for g, group in enumerate(GROUPS):
            r = results.get(group[column]) if group[column] else None
            if r is None:
                continue
            ys.append(g + (s - 1) * height)
            xs.append(r["value"])
            errs.append(min(r["error"] or 0, r["value"] * 0.999))  # a log axis cannot draw below zero
        ax.barh(ys, xs, height, xerr=errs, color=color, label=name, capsize=2, error_kw={"elinewidth": 0.8})
        for y, x, e in zip(ys, xs, errs):
            ax.text((x + e) * 1.15, y, label(x), va="center", fontsize=7.5)  # right of the whisker
    missing = [g[c] for g in GROUPS for c in (1, 2, 3) if g[c] and g[c] not in results]
    ax.set_yticks(range(len(GROUPS)))
    ax.set_yticklabels([g[0] for g in GROUPS])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(left=1, right=max([r["value"] + (r["error"] or 0) for r in results.values()] + [10]) * 12)
    ax.set_xlabel("latency per operation, ns (log scale; bars: mean, whiskers: 99.9% confidence half-width)")
    ax.set_title(title)
    ax.grid(axis="x", which="major", linestyle=":", linewidth=0.6)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3, fontsize=8, frameon=False)
    if missing:
        fig.text(0.01, 0.01, "not measured: " + ", ".join(missing), fontsize=7)
    fig.tight_layout()
    fig.savefig(out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
