#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Usage: bench-report.py RESULTS_DIR [TITLE]

Collects the "bench: DRIVER OP MB_PER_S CPU_MS_PER_GIB" lines of every guest log in
RESULTS_DIR and prints a Markdown table: per operation, min/median/max throughput of each
driver, the ratio of medians (Rust/C), and the median CPU time per GiB. Exits 1 when a log has
no bench line or a run failed its data check (a "not ok" line).
"""
import pathlib
import re
import statistics
import sys

LINE = re.compile(r"bench: (c|rust) (\S+) ([0-9.]+) ([0-9.]+)")
NAMES = {"c": "C", "rust": "Rust"}


def main() -> int:
    results = pathlib.Path(sys.argv[1])
    title = sys.argv[2] if len(sys.argv) > 2 else "Benchmarks"
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    failed = False
    for log in sorted(results.glob("bench-*.log")):
        text = log.read_text(errors="replace")
        found = False
        for match in LINE.finditer(text):
            found = True
            driver, op, rate, cpu = match.groups()
            runs.setdefault((op, driver), []).append((float(rate), float(cpu)))
        if not found or re.search(r"^\s*not ok ", text, re.M):
            print(f"{log.name}: no bench result or a failed check", file=sys.stderr)
            failed = True
    print(f"## {title}\n")
    print("| test | driver | runs | MB/s min | median | max | CPU ms/GiB (median) | Rust/C (median MB/s) |")
    print("|---|---|---|---|---|---|---|---|")
    for op in sorted({op for op, _ in runs}):
        medians = {}
        for driver in ("c", "rust"):
            samples = runs.get((op, driver), [])
            if not samples:
                continue
            rates = [rate for rate, _ in samples]
            medians[driver] = statistics.median(rates)
            cpu = statistics.median(c for _, c in samples)
            ratio = ""
            if driver == "rust" and medians.get("c"):
                ratio = f"{medians['rust'] / medians['c']:.2f}"
            print(f"| {op} | {NAMES[driver]} | {len(rates)} | {min(rates):.1f} | "
                  f"{medians[driver]:.1f} | {max(rates):.1f} | {cpu:.0f} | {ratio} |")
    return 1 if failed or not runs else 0


if __name__ == "__main__":
    sys.exit(main())
