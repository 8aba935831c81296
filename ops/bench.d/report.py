#!/usr/bin/env python3
"""The table and results.json of ops/bench, with issue #15's goals beside the figures.

    report.py RESULTS_TSV SSE_JSON OUT_JSON key=value...

RESULTS_TSV: one row per measurement (name, connections, requests, rps, p50 ms, p99 ms, errors); the first row is
the baseline every rps is compared with. SSE_JSON: what sse.py printed (may be missing). The key=value facts
(load averages, memory, GC counts, commit, settings) go into the JSON as they are; numbers become numbers.
Prints the table; writes OUT_JSON. Standard library only.
"""
import json
import sys

# name: (what, bound, kind) where kind says which figure the bound applies to. Figures are compared as the
# issue states them: rps only as a ratio to the baseline of the same run, latencies and memory as measured.
ROW_GOALS = {
    "when-frag": ("ratio", 0.08, ">="),
    "board": ("ratio", 0.05, ">="),
    "home-64": ("ratio", 0.30, ">="),
    "book-64": ("ratio", 0.25, ">="),
    "home-256": ("p99", 50.0, "<="),
    "book-256": ("p99", 50.0, "<="),
    "dash-30d": ("p50", 50.0, "<="),
    "dash-year": ("p50", 150.0, "<="),
    "confirm": ("rps", 1000.0, ">="),
}
RSS_GOAL_MB = 250
SSE_STREAMS_GOAL, SSE_KB_GOAL, SSE_P99_GOAL = 2000, 40.0, 200.0


def number(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def met(figure, bound, op):
    if figure is None:
        return False
    return figure >= bound if op == ">=" else figure <= bound


def mark(ok):
    return "✓" if ok else "✗"


def main():
    results_tsv, sse_json, out_json = sys.argv[1:4]
    facts = dict(arg.split("=", 1) for arg in sys.argv[4:])
    facts = {k: number(v) for k, v in facts.items()}

    rows = []
    with open(results_tsv, encoding="utf-8") as f:
        for line in f:
            name, conns, requests, rps, p50, p99, errors = line.rstrip("\n").split("\t")
            rows.append({"name": name, "connections": int(conns), "requests": int(requests), "rps": float(rps),
                         "p50_ms": float(p50), "p99_ms": float(p99), "errors": int(errors)})
    base = rows[0]["rps"] if rows else 0
    goals = []
    for row in rows:
        row["vs_live"] = round(row["rps"] / base, 4) if base > 0 else None
        if row["name"] in ROW_GOALS:
            what, bound, op = ROW_GOALS[row["name"]]
            figure = {"ratio": row["vs_live"], "rps": row["rps"], "p50": row["p50_ms"], "p99": row["p99_ms"]}[what]
            if row["requests"] == 0:
                figure = None  # nothing answered in time: no latency to hold against a bound
            row["goal"] = {"figure": what, "op": op, "bound": bound, "met": met(figure, bound, op)}
            goals.append({"measurement": row["name"], "figure": what, "value": figure, "op": op, "bound": bound,
                          "met": row["goal"]["met"]})

    try:
        with open(sse_json, encoding="utf-8") as f:
            sse = json.load(f)
    except (OSError, ValueError):
        sse = None

    rss_mb = facts.get("rss_after_kb", 0) / 1024 if isinstance(facts.get("rss_after_kb"), int) else None
    goals.append({"measurement": "rss-after", "figure": "MB", "value": rss_mb and round(rss_mb, 1), "op": "<=",
                  "bound": RSS_GOAL_MB, "met": met(rss_mb, RSS_GOAL_MB, "<=")})
    if sse is not None:
        all_reached = sse.get("streams_open", 0) > 0 and sse.get("received") == sse.get("streams_open")
        goals += [
            {"measurement": "sse-streams", "figure": "open", "value": sse.get("streams_open"), "op": ">=",
             "bound": SSE_STREAMS_GOAL, "met": met(sse.get("streams_open"), SSE_STREAMS_GOAL, ">=")},
            {"measurement": "sse-kb-per-stream", "figure": "KB", "value": sse.get("kb_per_stream"), "op": "<=",
             "bound": SSE_KB_GOAL, "met": met(sse.get("kb_per_stream"), SSE_KB_GOAL, "<=")},
            {"measurement": "sse-reached", "figure": "streams", "value": sse.get("received"), "op": "==",
             "bound": sse.get("streams_open"), "met": all_reached},
            {"measurement": "sse-p99", "figure": "ms", "value": sse.get("p99_ms"), "op": "<=",
             "bound": SSE_P99_GOAL, "met": met(sse.get("p99_ms"), SSE_P99_GOAL, "<=")},
        ]

    print(f"{'name':<10} {'conns':>5} {'requests':>9} {'rps':>9} {'p50 ms':>9} {'p99 ms':>9} {'vs live':>8} "
          f"{'errors':>6}  goal")
    for row in rows:
        goal = row.get("goal")
        text = ""
        if goal:
            shown = {"ratio": "rps", "rps": "rps", "p50": "p50", "p99": "p99"}[goal["figure"]]
            bound = f"{goal['bound']:.2f}x live" if goal["figure"] == "ratio" else f"{goal['bound']:g}" + (
                "/s" if goal["figure"] == "rps" else " ms")
            text = f"{shown} {goal['op'].replace('>=', '≥').replace('<=', '≤')} {bound} {mark(goal['met'])}"
        print(f"{row['name']:<10} {row['connections']:>5} {row['requests']:>9} {row['rps']:>9.1f} {row['p50_ms']:>9.2f} "
              f"{row['p99_ms']:>9.2f} {row['vs_live'] or 0:>8.3f} {row['errors']:>6}  {text}")
    print()
    if rss_mb is not None:
        print(f"app after the run: RSS {rss_mb:.1f} MB (goal ≤ {RSS_GOAL_MB} MB {mark(rss_mb <= RSS_GOAL_MB)}), "
              f"peak {facts.get('hwm_after_kb', 0) / 1024:.1f} MB; GC collections gen0 {facts.get('gc_gen0')}, "
              f"gen1 {facts.get('gc_gen1')}, gen2 {facts.get('gc_gen2')}")
    if sse is None:
        print("sse: no result (see sse.err)")
    else:
        print(f"sse: {sse.get('streams_open')} of {sse.get('streams_wanted')} streams open in {sse.get('open_seconds')} s "
              f"(goal {SSE_STREAMS_GOAL} {mark(met(sse.get('streams_open'), SSE_STREAMS_GOAL, '>='))}); "
              f"RSS {sse.get('rss_before_kb', 0) / 1024:.1f} -> {sse.get('rss_open_kb', 0) / 1024:.1f} MB, "
              f"{sse.get('kb_per_stream')} KB per stream (goal ≤ {SSE_KB_GOAL:g} "
              f"{mark(met(sse.get('kb_per_stream'), SSE_KB_GOAL, '<='))})")
        print(f"sse: one change (committed in {sse.get('commit_ms')} ms) reached {sse.get('received')} of "
              f"{sse.get('streams_open')} streams {mark(goals[-2]['met'])}: p50 {sse.get('p50_ms')} ms, "
              f"p99 {sse.get('p99_ms')} ms (goal ≤ {SSE_P99_GOAL:g} {mark(met(sse.get('p99_ms'), SSE_P99_GOAL, '<='))}), "
              f"max {sse.get('max_ms')} ms")
    reached = sum(1 for g in goals if g["met"])
    print(f"goals met: {reached} of {len(goals)}")

    document = dict(facts)
    document.update({"rows": rows, "sse": sse, "goals": goals,
                     "memory": {"rss_after_kb": facts.get("rss_after_kb"), "hwm_after_kb": facts.get("hwm_after_kb"),
                                "gc_collections": {g: facts.get(f"gc_gen{g}") for g in (0, 1, 2)}}})
    for key in ("load_before", "load_after"):
        if isinstance(document.get(key), str):
            document[key] = [float(x) for x in document[key].split()]
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
