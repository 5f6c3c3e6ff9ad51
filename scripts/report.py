#!/usr/bin/env python3
"""Turn Google Benchmark JSON files into a markdown report.

usage: report.py [-o OUT.md] RESULT.json...

Benchmark naming convention: "<problem>/<contender>" or
"<problem>/<contender>/<n>" (n usually being Google Benchmark's ->Arg(n)).
Contenders "plain" (the plain double function) and "hand" (hand-written
derivative) are the references for the two ratio columns. The time is the
median cpu_time in ns: the "median" aggregate row when there is one, else the
median of the plain iteration rows. Uses only the standard library.
"""
import argparse
import datetime
import json
import statistics
import sys

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Name segments Google Benchmark appends itself (e.g. "/real_time", "/repeats:5").
GB_SUFFIXES = {"real_time", "manual_time", "process_time"}
REFERENCES = ("plain", "hand")


def parse_name(run_name):
    """'rosen/forward/1024' -> ('rosen', 'forward', '1024')."""
    parts = [p for p in run_name.split("/") if ":" not in p and p not in GB_SUFFIXES]
    problem = parts[0] if parts else run_name
    contender = parts[1] if len(parts) > 1 else "?"
    n = "/".join(parts[2:])
    return problem, contender, n


def n_key(n):
    """Sort n numerically where possible ('' first)."""
    try:
        return (0, tuple(int(x) for x in n.split("/")) if n else ())
    except ValueError:
        return (1, n)


def load(paths):
    """Return (contexts, {run_name: median cpu ns}) in order of appearance."""
    contexts, medians, iterations = [], {}, {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        contexts.append(data.get("context", {}))
        for b in data.get("benchmarks", []):
            if b.get("error_occurred"):
                print(f"report: skipping {b.get('name')}: {b.get('error_message', 'error')}",
                      file=sys.stderr)
                continue
            run_name = b.get("run_name", b.get("name", "?"))
            t = float(b.get("cpu_time", "nan")) * TO_NS.get(b.get("time_unit", "ns"), 1.0)
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    medians[run_name] = t
            else:
                iterations.setdefault(run_name, []).append(t)
    times = {}
    for run_name in list(iterations) + list(medians):
        if run_name in medians:
            times[run_name] = medians[run_name]
        else:
            times[run_name] = statistics.median(iterations[run_name])
    return contexts, times


def fmt_time(t):
    return f"{t:.3g}" if t < 100 else f"{t:,.0f}"


def fmt_ratio(t, ref):
    return "—" if ref is None or ref <= 0 else f"{t / ref:.2f}"


def report(paths):
    contexts, times = load(paths)
    ctx = contexts[0] if contexts else {}
    lines = ["# duet benchmarks", ""]
    lines.append(f"Report generated {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}; "
                 f"benchmarks run {ctx.get('date', '?')}.")
    lines.append("")
    lines.append("| machine | |")
    lines.append("|---|---|")
    lines.append(f"| host | {ctx.get('host_name', '?')} |")
    lines.append(f"| cpus | {ctx.get('num_cpus', '?')} × {ctx.get('mhz_per_cpu', '?')} MHz |")
    if "compiler" in ctx:
        lines.append(f"| compiler | {ctx['compiler']} |")
    lines.append(f"| build type | {ctx.get('build_type', '?')} "
                 f"(benchmark library: {ctx.get('library_build_type', '?')}) |")
    if ctx.get("cpu_scaling_enabled"):
        lines.append("| note | CPU frequency scaling was enabled: timings are noisy |")
    lines.append("")
    lines.append("Time: median CPU time per call in ns. Ratios: time / time of the "
                 "`plain` (double) function and of the `hand`-written derivative.")
    lines.append("")

    # Group by (problem, n); problems keep their order of appearance.
    groups, order = {}, []
    for run_name, t in times.items():
        problem, contender, n = parse_name(run_name)
        if problem not in order:
            order.append(problem)
        groups.setdefault((problem, n), {})[contender] = t

    if not groups:
        lines.append("_No benchmark results._")
        return "\n".join(lines) + "\n"

    lines.append("| problem | n | contender | time (ns) | × plain | × hand |")
    lines.append("|---|---:|---|---:|---:|---:|")
    for key in sorted(groups, key=lambda k: (order.index(k[0]), n_key(k[1]))):
        problem, n = key
        row = groups[key]
        contenders = [c for c in REFERENCES if c in row] + \
                     [c for c in row if c not in REFERENCES]
        for c in contenders:
            t = row[c]
            lines.append(f"| {problem} | {n or '—'} | {c} | {fmt_time(t)} | "
                         f"{fmt_ratio(t, row.get('plain'))} | {fmt_ratio(t, row.get('hand'))} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", help="markdown file to write (also printed)")
    ap.add_argument("json", nargs="*", help="Google Benchmark JSON output files")
    args = ap.parse_args()
    md = report(args.json)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
