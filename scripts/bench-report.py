#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Usage: bench-report.py RESULTS_DIR [--chart PNG]

Reads the guest log of every bench suite in RESULTS_DIR (bench-*.log) and prints one Markdown
section per log. A bench suite prints, besides its KTAP test points:

    bench-title: TEXT                              the section title
    bench: c|rust TEST VALUE UNIT CPU_MS_PER_GIB|-  one measurement; UNIT is MB/s or IOPS
                                                   (higher is better) or s (lower is better)
    bench-info: c|rust|- KEY VALUE...              an informational value (second table)

Per test and driver: the runs, min/median/max, the median CPU time per GiB, and the ratio of
the medians Rust/C. With --chart, also draws those ratios into PNG (matplotlib); a chart that
cannot be drawn is reported and changes nothing else. Exits 1 when a log has no bench line, a
malformed one, a failed check ("not ok") or no KTAP result (the guest crashed or timed out).
"""
import argparse
import math
import pathlib
import re
import statistics
import sys
from dataclasses import dataclass, field

BENCH = re.compile(r"^bench: (c|rust) (\S+) ([0-9.]+) (MB/s|IOPS|s) ([0-9.]+|-)$")
INFO = re.compile(r"^bench-info: (c|rust|-) (\S+) (.+)$")
TITLE = re.compile(r"^bench-title: (.+)$")
DRIVERS = {"c": "C", "rust": "Rust", "-": "—"}


@dataclass
class Test:
    unit: str
    values: dict[str, list[float]] = field(default_factory=lambda: {"c": [], "rust": []})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {"c": [], "rust": []})

    def median(self, driver: str) -> float | None:
        return statistics.median(self.values[driver]) if self.values[driver] else None

    def ratio(self) -> float | None:
        c, rust = self.median("c"), self.median("rust")
        return rust / c if c and rust is not None else None


@dataclass
class Suite:
    name: str
    title: str
    tests: dict[str, Test] = field(default_factory=dict)
    info: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def parse(log: pathlib.Path) -> Suite:
    name = log.stem.removeprefix("bench-")
    suite = Suite(name, name)
    text = log.read_text(errors="replace").replace("\r", "")
    for line in text.splitlines():
        line = line.rstrip()
        if match := TITLE.match(line):
            suite.title = match[1]
        elif match := INFO.match(line):
            suite.info.setdefault((match[2], match[1]), []).append(match[3])
        elif match := BENCH.match(line):
            driver, test, value, unit, cpu = match.groups()
            entry = suite.tests.setdefault(test, Test(unit))
            if entry.unit != unit:
                suite.problems.append(f"{test}: unit {unit}, earlier {entry.unit}")
                continue
            entry.values[driver].append(float(value))
            if cpu != "-":
                entry.cpu[driver].append(float(cpu))
        elif line.startswith("bench:"):
            suite.problems.append(f"malformed line: {line}")
    if not suite.tests:
        suite.problems.append("no bench line")
    if re.search(r"^\s*not ok ", text, re.M):
        suite.problems.append("a check failed (not ok)")
    if not re.search(r"^(not )?ok 1 ", text, re.M):
        suite.problems.append("no KTAP result: the guest crashed or timed out")
    return suite


def number(value: float) -> str:
    """Three significant digits, all of the integer part."""
    return f"{value:.0f}" if value >= 1000 else f"{value:.3g}"


def spread(values: list[float]) -> str:
    if not values:
        return "—"
    return " / ".join(number(v) for v in (min(values), statistics.median(values), max(values)))


def median_or_dash(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "—"


def print_suite(suite: Suite) -> None:
    print(f"## {suite.title}\n")
    lower = " (for s, lower is better)" if any(t.unit == "s" for t in suite.tests.values()) else ""
    print(f"| test | unit | runs C / Rust | C min / median / max | Rust min / median / max "
          f"| Rust/C of medians{lower} | CPU ms/GiB C / Rust (medians) |")
    print("|---|---|---|---|---|---|---|")
    for name, test in suite.tests.items():
        ratio = test.ratio()
        print(f"| {name} | {test.unit} | {len(test.values['c'])} / {len(test.values['rust'])} "
              f"| {spread(test.values['c'])} | {spread(test.values['rust'])} "
              f"| {'—' if ratio is None else f'{ratio:.2f}'} "
              f"| {median_or_dash(test.cpu['c'])} / {median_or_dash(test.cpu['rust'])} |")
    print()
    if suite.info:
        print("| driver | information | value |")
        print("|---|---|---|")
        for (key, driver), values in suite.info.items():
            print(f"| {DRIVERS[driver]} | {key} | {', '.join(dict.fromkeys(values))} |")
        print()


def draw_chart(suites: list[Suite], png: pathlib.Path) -> None:
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = [(f"{s.name}: {name}" + (" (s, lower is better)" if t.unit == "s" else ""), ratio,
             (ratio > 1) != (t.unit == "s"))
            for s in suites for name, t in s.tests.items() if (ratio := t.ratio())]  # 0: not drawn
    if not bars:
        raise ValueError("no test ran on both drivers")
    labels, ratios, rust_better = zip(*reversed(bars))
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.32 * len(bars)))
    # A log scale and bars from 1.0: twice as fast and half as fast are as long.
    ax.set_xscale("log")
    ax.barh(labels, [ratio - 1 for ratio in ratios], left=1,
            color=["tab:green" if b else "tab:orange" for b in rust_better])
    ax.axvline(1.0, color="black", linewidth=1)
    low, high = min(*ratios, 1.0) / 1.5, max(*ratios, 1.0) * 1.5  # room for the labels
    ax.set_xlim(low, high)
    ticks = [2.0**k for k in range(math.ceil(math.log2(low)), math.floor(math.log2(high)) + 1)]
    if len(ticks) < 3:  # a narrow range: 1 and five even steps in log space
        steps = (round(low * (high / low) ** (i / 6), 2) for i in range(1, 6))
        ticks = sorted({1.0, *(step for step in steps if abs(math.log(step)) > 0.1)})
    ax.set_xticks(ticks, [f"{tick:g}" for tick in ticks])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    for y, ratio in enumerate(ratios):
        ax.text(ratio, y, f" {ratio:.2f} ", va="center", ha="left" if ratio >= 1 else "right", fontsize=8)
    ax.set_xlabel("Rust/C, ratio of medians (green: Rust better, orange: C better)")
    ax.set_title("Rust vs C drivers, same guest, alternating")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=pathlib.Path)
    parser.add_argument("--chart", type=pathlib.Path)
    args = parser.parse_args()
    suites = [parse(log) for log in sorted(args.results.glob("bench-*.log"))]
    if not suites:
        print(f"{args.results}: no bench-*.log", file=sys.stderr)
        return 1
    for suite in suites:
        print_suite(suite)
        for problem in suite.problems:
            print(f"bench-{suite.name}.log: {problem}", file=sys.stderr)
    if args.chart:
        try:
            draw_chart(suites, args.chart)
        except Exception as err:  # The table stands without the chart.
            print(f"no chart: {err}", file=sys.stderr)
    return 1 if any(s.problems for s in suites) else 0


if __name__ == "__main__":
    sys.exit(main())
