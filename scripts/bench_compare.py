"""Summary of `make bench`: Odoo's Order-to-Cash path without and with sales_support.

Reads the JSON files written by scripts/bench_o2c.py (one per run; with several rounds,
the fastest run of each phase counts, the usual way to filter out the noise of other
processes on the machine) and prints, per phase: the time on the database with Odoo's
sale_management + sale_stock only, the time with sales_support + o2c_kpi as well, the
overhead in % (wall time, CPU time of the Python process, SQL queries), the total, the
peak memory of each run, then the Order-to-Cash bookkeeping measured on the addon database.

    python scripts/bench_compare.py --core A.json [A2.json ...] --addon B.json [B2.json ...]
"""

import argparse
import json
import sys

GOAL = 5.0  # % of overhead on the whole lifecycle


def load(paths):
    runs = []
    for path in paths:
        with open(path, encoding="utf-8") as src:
            runs.append(json.load(src))
    return runs


def best(runs, group):
    """{phase key: row} with the fastest wall time of each phase over the runs."""
    result = {}
    for run in runs:
        for row in run["phases"]:
            if row["group"] != group:
                continue
            if row["key"] not in result or row["wall"] < result[row["key"]]["wall"]:
                result[row["key"]] = row
    return result


def pct(base, other):
    return (other - base) / base * 100 if base else float("nan")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--core", nargs="+", required=True)
    parser.add_argument("--addon", nargs="+", required=True)
    args = parser.parse_args()
    core_runs, addon_runs = load(args.core), load(args.addon)
    first = core_runs[0]
    for run in core_runs + addon_runs:
        if (run["orders"], run["seed"], run["batch"]) != (
            first["orders"],
            first["seed"],
            first["batch"],
        ):
            sys.exit("the runs do not have the same N, seed and batch size")
    core, addon = best(core_runs, "lifecycle"), best(addon_runs, "lifecycle")
    rounds = len(core_runs)
    print()
    print(
        f"Order-to-Cash path, N = {first['orders']} orders (seed {first['seed']}, "
        f"batches of {first['batch']}), {rounds} round(s)"
        + (": fastest of the rounds per phase" if rounds > 1 else "")
        + (
            "; the two runs took turns batch by batch"
            if all(run.get("interleaved") for run in core_runs + addon_runs)
            else "; one whole run after the other"
        )
    )
    print(f"  A = {first['db']}: {', '.join(first['modules'])}")
    print(f"  B = {addon_runs[0]['db']}: {', '.join(addon_runs[0]['modules'])}")
    head = (
        f"{'phase':<40} {'orders':>6} {'A (s)':>8} {'B (s)':>8} {'wall':>8} "
        f"{'CPU':>8} {'queries A':>10} {'queries B':>10} {'queries':>8}"
    )
    print(head)
    print("-" * len(head))
    totals = {"A": [0.0, 0.0, 0], "B": [0.0, 0.0, 0]}
    for key, row in core.items():
        other = addon.get(key)
        if other is None:
            continue
        wall, cpu, queries = row["wall"], row["cpu"], row["queries"]
        line = (
            f"{row['label'][:40]:<40} {row['count'] or '':>6} {wall:8.2f} "
            f"{other['wall']:8.2f} {pct(wall, other['wall']):+7.1f}% "
            f"{pct(cpu, other['cpu']):+7.1f}% {queries:>10} {other['queries']:>10} "
            f"{pct(queries, other['queries']):+7.1f}%"
        )
        if key == "setup":  # not part of the Order-to-Cash path
            print(f"{line}  (not in the total)")
            continue
        print(line)
        for name, source in (("A", row), ("B", other)):
            totals[name][0] += source["wall"]
            totals[name][1] += source["cpu"]
            totals[name][2] += source["queries"]
    print("-" * len(head))
    (wall_a, cpu_a, q_a), (wall_b, cpu_b, q_b) = totals["A"], totals["B"]
    overhead = pct(wall_a, wall_b)
    print(
        f"{'total, create to pay':<40} {first['orders']:>6} {wall_a:8.2f} {wall_b:8.2f} "
        f"{overhead:+7.1f}% {pct(cpu_a, cpu_b):+7.1f}% {q_a:>10} {q_b:>10} "
        f"{pct(q_a, q_b):+7.1f}%"
    )
    rss_a = max(run["peak_rss_mib_lifecycle"] for run in core_runs)
    rss_b = max(run["peak_rss_mib_lifecycle"] for run in addon_runs)
    print(
        f"{'peak memory after the lifecycle (MiB)':<40} {'':>6} {rss_a:8.0f} {rss_b:8.0f} "
        f"{pct(rss_a, rss_b):+7.1f}%"
    )
    verdict = "within" if overhead < GOAL else "ABOVE"
    print(
        f"Overhead of sales_support on Odoo's own path: {overhead:+.1f} % wall time "
        f"({verdict} the goal of {GOAL:.0f} %), {pct(cpu_a, cpu_b):+.1f} % CPU of the "
        f"Python process, {pct(q_a, q_b):+.1f} % SQL queries."
    )

    # Same data on both sides: what the lifecycle produced, from core fields only.
    prints = [run["fingerprint"] for run in core_runs + addon_runs]
    if any(p != prints[0] for p in prints[1:]):
        print("WARNING: the runs did not produce the same documents (core fields):")
        for run in core_runs + addon_runs:
            print(f"  {run['db']}: {json.dumps(run['fingerprint'], sort_keys=True)}")
    else:
        summary = "; ".join(
            f"{label}: " + ", ".join(f"{key} {value}" for key, value in values.items())
            for label, values in prints[0].items()
        )
        print(f"Same documents on both databases ({summary}).")

    extra = best(addon_runs, "addon")
    if extra:
        print()
        print(f"Order-to-Cash bookkeeping of sales_support ({addon_runs[0]['db']}):")
        for row in extra.values():
            per = f"{row['wall'] / row['count'] * 1000:8.2f} ms/order" if row["count"] else ""
            print(
                f"  {row['label'][:56]:<56} {row['wall']:8.2f} s {row['queries']:>7} "
                f"queries {per}"
            )
    print(
        "Peak memory (ru_maxrss) of each run, whole run: "
        + ", ".join(f"{run['db']} {run['peak_rss_mib']:.0f} MiB" for run in core_runs + addon_runs)
    )


if __name__ == "__main__":
    main()
