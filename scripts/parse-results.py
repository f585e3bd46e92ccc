#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judges a results directory: the KTAP document of every guest log, the kernel log lines that
mean a kernel bug, and the host `cargo test` logs. Prints a table and, as its last line,
`N passed, N failed, N skipped`. Exits 1 on any failure or when nothing ran.
Usage: parse-results.py RESULTS_DIR..."""

import pathlib
import re
import sys

# A kernel message line: "[    1.234567] ..." anywhere on the line (user output may precede it
# on the shared serial console).
KERNEL_LINE = re.compile(r"\[\s*\d+\.\d+\]\s(.*)")
SPLATS = [
    re.compile(p)
    for p in (
        r"\bBUG:",
        r"\bWARNING:",
        r"\bOops\b",
        r"\bKFENCE\b",
        r"[Bb]ad page",
        r"possible (circular|recursive) locking",
        r"lockdep is turned off",
        r"DEBUG_LOCKS_WARN_ON",
        r"\bhung_task\b|blocked for more than \d+ seconds",
        r"refcount_t:",
        r"Kernel panic",
        r"general protection fault",
        r"list_(add|del) corruption",
        r"rcu: INFO: .*stall",
        r"soft lockup",
        r"UBSAN:",
        r"\bpanicked at\b",
    )
]
KTAP_RESULT = re.compile(r"^(\s*)(ok|not ok) (\d+)\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(\w+)(.*))?$")
CARGO_RUNNING = re.compile(r"^\s*(?:Running .*\(.*/deps/([A-Za-z0-9_]+)-[0-9a-f]+\)|Doc-tests (\S+))")
CARGO_RESULT = re.compile(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored")


def ktap_points(lines):
    """Returns the leaf test points of the last top-level KTAP document: (name, status)."""
    start = None
    for i, line in enumerate(lines):
        if line.rstrip() == "KTAP version 1":
            start = i
    if start is None:
        return None
    points = []
    parents = []
    for line in lines[start + 1 :]:
        m = KTAP_RESULT.match(line.rstrip())
        if not m:
            continue
        indent, result, _, name, directive, _ = m.groups()
        if indent == "":
            # The suite's own line closes the document.
            break
        status = "skip" if (directive or "").upper() == "SKIP" else ("pass" if result == "ok" else "fail")
        points.append((name.strip(), status))
    return points


def main():
    dirs = [pathlib.Path(d) for d in sys.argv[1:]]
    counts = {"pass": 0, "fail": 0, "skip": 0}
    failures = []
    rows = []

    # With several directories (one per kernel flavour), a row names its flavour: the
    # directory above "results" (build/distro/results -> "distro/").
    logs = [(d, log) for d in dirs for log in sorted(d.glob("*.log"))]
    skipped_files = [(d, f) for d in dirs for f in sorted(d.glob("*.skipped"))]
    for results, log in logs:
        prefix = f"{results.resolve().parent.name}/" if len(dirs) > 1 else ""
        name = prefix + log.stem
        if log.stem.startswith("cargo-"):
            binary = name
            for line in log.read_text(errors="replace").splitlines():
                running = CARGO_RUNNING.match(line)
                if running:
                    binary = f"host {running[1] or running[2] + ' doc'}"
                m = CARGO_RESULT.search(line)
                if not m or int(m[1]) + int(m[2]) + int(m[3]) == 0:
                    continue
                counts["pass"] += int(m[1])
                counts["fail"] += int(m[2])
                counts["skip"] += int(m[3])
                rows.append((binary, f"{m[1]} passed, {m[2]} failed, {m[3]} ignored"))
                if int(m[2]):
                    failures.append(f"{binary}: {m[2]} host tests failed")
            continue
        lines = log.read_text(errors="replace").splitlines()
        points = ktap_points(lines)
        if points is None:
            points = [("completed", "fail")]
            failures.append(f"{name}: no KTAP result (guest crashed or timed out), see {log}")
        splats = []
        for line in lines:
            m = KERNEL_LINE.search(line)
            if m and any(p.search(m[1]) for p in SPLATS):
                splats.append(line.strip())
        points.append(("kernel-log-clean", "fail" if splats else "pass"))
        if splats:
            failures.append(f"{name}: kernel reported problems:\n      " + "\n      ".join(splats[:20]))
        for point, status in points:
            counts[status] += 1
            if status == "fail" and point not in ("completed", "kernel-log-clean"):
                failures.append(f"{name}: {point} failed")
        summary = {s: sum(1 for _, st in points if st == s) for s in counts}
        rows.append((name, f"{summary['pass']} passed, {summary['fail']} failed, {summary['skip']} skipped"))

    for results, skipped in skipped_files:
        prefix = f"{results.resolve().parent.name}/" if len(dirs) > 1 else ""
        counts["skip"] += 1
        rows.append((prefix + skipped.stem, "skipped: " + skipped.read_text().strip()))

    # Guests booted twice because the kernel crashed before the suite started (run-tests.sh).
    for results in dirs:
        for crash in sorted(results.glob("*.early-crash.txt")):
            prefix = f"{results.resolve().parent.name}/" if len(dirs) > 1 else ""
            name = prefix + crash.name.removesuffix(".early-crash.txt")
            rows.append((name, f"booted again: the kernel crashed before the suite started ({crash})"))

    width = max((len(r[0]) for r in rows), default=0)
    for name, text in rows:
        print(f"  {name:<{width}}  {text}")
    for f in failures:
        print(f"FAIL {f}")
    total = counts["pass"] + counts["fail"]
    print(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return 1 if counts["fail"] or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
