#!/usr/bin/env python3
"""Turn Google Benchmark JSON files into duet's benchmark report (markdown + plots).

usage: report.py [-o OUT.md] [--plots DIR] [--machine machine.json]
                 [--compile-cost compile_cost.json] RESULT.json...

Benchmark names: "<problem>/<contender>" or "<problem>/<contender>/<n>" (n
usually Google Benchmark's ->Arg(n); "a/b" for two Args). Suffixes Google
Benchmark appends itself ("/real_time", "/repeats:3", ...) are ignored.

Time: the median per-call time in ns (the "median" aggregate when there is
one, else the median of the repetitions); wall time for benchmarks measured
on real time (their name ends in /real_time), CPU time otherwise.

Sections:
  * gradient problems (bench_problems and the peers, bench_peer_*): per
    problem and n, each contender's time and R = t/t(plain),
    R_best = t/t(fastest plain: plain, plain_vec, peer_plain), t/t(hand) and
    t/t(best peer); the headline table (n = 1024 or the nearest size); the
    goals of issue 6 with met/missed; plots gradient_ratio_<problem>.png;
  * Jacobian modes (dense_jacobian_m<m>/<mode>/<n>, jchain_<dims>/<mode>):
    tables and jacobian_modes.png;
  * chain orders (bench_chain_order, Jacobian chains with predicted_ns):
    predicted vs measured, chain_orders.png;
  * every other benchmark executable: time, x plain, x hand, as before;
  * compile cost (scripts/bench.sh's compile_cost.json).
Plots are drawn by gnuplot (pngcairo, else png); without gnuplot the report
has no plots. Uses only the standard library.
"""
import argparse
import datetime
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Name segments Google Benchmark appends itself (e.g. "/real_time", "/repeats:5").
GB_SUFFIXES = {"real_time", "manual_time", "process_time"}

# ---- contenders of the gradient problems ------------------------------------------
PLAINS = ("plain", "plain_vec", "peer_plain")
HAND = "hand"
REPLAY_ONLY = {"adolc_replay"}  # re-evaluates a recorded tape: no retaping


def is_peer(c):
    return c in ("adolc", "adolc_replay", "eigen", "ceres") or c.startswith("sacado")


def is_duet(c):
    return c not in PLAINS and c != HAND and not is_peer(c)


def contender_order(c):
    """plain references, hand, duet contenders, peers."""
    fixed = ["plain", "plain_vec", "peer_plain", "hand", "static", "forward", "tape", "tensor"]
    if c in fixed:
        return (0, fixed.index(c), c)
    if is_duet(c):
        return (1, 0, c)
    return (2, 0, c)


def peer_label(c):
    return c + "†" if c in REPLAY_ONLY else c


# ---- parsing -------------------------------------------------------------------------
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


def n_int(n):
    try:
        return int(n)
    except (TypeError, ValueError):
        return None


def executable_of(path, context):
    """bench_peer_adolc.12.json -> bench_peer_adolc (or the context's executable)."""
    exe = context.get("executable")
    if exe:
        return os.path.basename(exe)
    base = os.path.basename(path)
    return base.split(".")[0]


class Run:
    __slots__ = ("exe", "problem", "contender", "n", "t", "cv", "counters", "label")

    def __init__(self, exe, problem, contender, n, t, cv, counters, label):
        self.exe, self.problem, self.contender, self.n = exe, problem, contender, n
        self.t, self.cv, self.counters, self.label = t, cv, counters, label


COUNTER_SKIP = {"name", "family_index", "per_family_instance_index", "run_name", "run_type",
                "repetitions", "repetition_index", "threads", "iterations", "real_time",
                "cpu_time", "time_unit", "aggregate_name", "aggregate_unit", "label",
                "error_occurred", "error_message", "bytes_per_second", "items_per_second"}


def load(paths):
    """Return (contexts, [Run]) in order of appearance."""
    contexts, runs = [], []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            print(f"report: skipping {path}: {e}", file=sys.stderr)
            continue
        ctx = data.get("context", {})
        contexts.append(ctx)
        exe = executable_of(path, ctx)
        per_run = {}  # run_name -> {"iters": [...], "median": t, "cv": x, "counters", "label"}
        for b in data.get("benchmarks", []):
            run_name = b.get("run_name", b.get("name", "?"))
            if b.get("error_occurred"):
                print(f"report: skipping {b.get('name')}: {b.get('error_message', 'error')}",
                      file=sys.stderr)
                continue
            field = "real_time" if "/real_time" in run_name else "cpu_time"
            try:
                t = float(b.get(field, "nan")) * TO_NS.get(b.get("time_unit", "ns"), 1.0)
            except (TypeError, ValueError):
                continue
            r = per_run.setdefault(run_name, {"iters": [], "counters": {}, "label": ""})
            if b.get("run_type") == "aggregate":
                agg = b.get("aggregate_name")
                if agg == "median":
                    r["median"] = t
                    r["counters"] = {k: v for k, v in b.items()
                                     if k not in COUNTER_SKIP and isinstance(v, (int, float))}
                    r["label"] = b.get("label", r["label"])
                elif agg == "cv":
                    # cv is reported as a fraction in the time fields (unit: percentage)
                    r["cv"] = float(b.get(field, "nan"))
            else:
                r["iters"].append(t)
                if not r["counters"]:
                    r["counters"] = {k: v for k, v in b.items()
                                     if k not in COUNTER_SKIP and isinstance(v, (int, float))}
                r["label"] = b.get("label", r["label"])
        for run_name, r in per_run.items():
            if "median" in r:
                t = r["median"]
            elif r["iters"]:
                t = statistics.median(r["iters"])
            else:
                continue
            cv = r.get("cv")
            if cv is None and len(r["iters"]) > 1 and statistics.mean(r["iters"]) > 0:
                cv = statistics.stdev(r["iters"]) / statistics.mean(r["iters"])
            problem, contender, n = parse_name(run_name)
            runs.append(Run(exe, problem, contender, n, t, cv, r["counters"], r["label"]))
    return contexts, runs


# ---- formatting ------------------------------------------------------------------
def fmt_time(t):
    if t is None:
        return "—"
    return f"{t:.3g}" if t < 100 else f"{t:,.0f}"


def fmt_ratio(t, ref):
    if t is None or ref is None or ref <= 0:
        return "—"
    r = t / ref
    return f"{r:.3g}" if r < 0.01 else (f"{r:.2f}" if r < 100 else f"{r:,.0f}")


def fmt_num(x, digits=2):
    if x is None:
        return "—"
    return f"{x:.{digits}f}" if abs(x) < 100 else f"{x:,.0f}"


def table(header, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def nearest_n(ns, target=1024):
    """The size closest to target on a log scale ('' when there is none)."""
    numeric = [n for n in ns if n_int(n) and n_int(n) > 0]
    if not numeric:
        return sorted(ns, key=n_key)[0] if ns else ""
    return min(numeric, key=lambda n: (abs(math.log(n_int(n) / target)), -n_int(n)))


# ---- the gradient problems -----------------------------------------------------------
class Grid:
    """(problem, n) -> {contender: Run} for a set of runs, problems in order of appearance."""

    def __init__(self, runs):
        self.cells, self.problems = {}, []
        for r in runs:
            if r.problem not in self.problems:
                self.problems.append(r.problem)
            self.cells.setdefault((r.problem, r.n), {})[r.contender] = r

    def sizes(self, problem):
        return sorted((n for p, n in self.cells if p == problem), key=n_key)

    def row(self, problem, n):
        return self.cells.get((problem, n), {})


def t_of(row, c):
    r = row.get(c)
    return r.t if r else None


def plain_ref(row):
    return t_of(row, "plain") or t_of(row, "peer_plain")


def plain_best(row):
    ts = [t_of(row, c) for c in PLAINS if t_of(row, c)]
    return min(ts) if ts else None


def best_of(row, pred):
    cs = [(r.t, c) for c, r in row.items() if pred(c)]
    return min(cs) if cs else (None, None)


def dimension(row, n):
    """Number of inputs (gradient length): counter 'dimension'/'inputs', else n."""
    for r in row.values():
        for k in ("dimension", "inputs", "directions", "dim"):
            if k in r.counters and r.counters[k] > 0:
                return float(r.counters[k])
    return float(n_int(n)) if n_int(n) else None


def lanes_of(run, dim):
    """Tangent lanes of a forward contender: counter 'lanes', its name, else the
    container driver's default (8 lanes, fewer when there are fewer inputs)."""
    if "lanes" in run.counters:
        return int(run.counters["lanes"])
    m = re.search(r"(\d+)", run.contender)
    if m:
        return int(m.group(1))
    return int(min(8, dim)) if dim else 8


GOALS_STATIC = [  # (label, problem regex, limit) for the static reverse contender
    ("log_sum_exp", r"^log_sum_exp$", 1.3),
    ("normal_log_pdf", r"^normal_log_pdf$", 2.5),
    ("sum loop", r"^sum_iter$|^sum_loop$|^sum$", 1.5),
    ("prod loop", r"^prod_iter$|^prod_loop$|^prod$", 1.5),
    ("matrix_product", r"^matrix_product$", 3.0),
    ("regression", r"^regression$", 2.0),
    ("stochastic_volatility", r"^stochastic_volatility$", 1.5),
]
STATIC = ("static", "static_reverse", "reverse")  # the first present is the static contender
TAPE_LIMIT = 3.0
FORWARD_LIMIT_1 = 1.5
FORWARD_LIMIT_MANY = 0.75


def static_contender(row):
    for c in STATIC:
        if c in row:
            return c
    return None


def met(value, limit):
    if value is None:
        return "—"
    return "**met**" if value <= limit else "missed"


def gradient_section(grid, plots, plotdir, gp):
    lines = []
    if not grid.problems:
        return ["_No gradient-problem results (bench_problems, bench_peer_*)._", ""], [], None
    headline_n = {p: nearest_n(grid.sizes(p)) for p in grid.problems}

    # -- headline
    lines += ["## Headline", "",
              "One row per problem at n = 1024 or its nearest size. R = t / t(plain); "
              "*duet best* is the fastest duet contender, *best peer* the fastest peer "
              "library (ADOL-C, Sacado, Eigen, Ceres); the last column is t(duet best) / "
              "t(best peer) (below 1: duet is faster). † `adolc_replay`: ADOL-C's gradient from a tape "
              "recorded once (no retaping: valid only while the control flow does not change).",
              ""]
    rows, headline = [], []
    for p in grid.problems:
        n = headline_n[p]
        row = grid.row(p, n)
        plain = plain_ref(row)
        td, cd = best_of(row, is_duet)
        tp, cp = best_of(row, is_peer)
        rows.append([p, n or "—", fmt_time(plain), fmt_ratio(t_of(row, HAND), plain),
                     f"{fmt_ratio(td, plain)} ({cd})" if cd else "—",
                     f"{fmt_ratio(tp, plain)} ({peer_label(cp)})" if cp else "—",
                     fmt_ratio(td, tp)])
        headline.append((p, n, plain, t_of(row, HAND), td, cd, tp, cp))
    headline_table = table(["problem", "n", "plain (ns)", "hand R", "duet best R", "best peer R",
                            "duet / best peer"], rows,
                           ["---", "---:", "---:", "---:", "---", "---", "---:"])
    lines += headline_table + [""]

    # -- goals
    glines, goals = goals_section(grid, headline_n)
    lines += glines

    # -- full tables
    lines += ["## Gradient problems", "",
              "Per problem and n, every contender (value and gradient; plain: value only). "
              "Time: median ns per call; cv: coefficient of variation of the repetitions. "
              "R = t/t(plain); R_best = t/t(fastest plain: plain, plain_vec, peer_plain); "
              "× hand = t/t(hand); × best peer = t/t(fastest peer at this n). "
              "Peers: ADOL-C (`adolc`: retape + gradient; `adolc_replay`†: gradient from a "
              "tape recorded once, valid only while the control flow does not change), "
              "Sacado (`sacado_rad` reverse, `sacado_dfad`/`sacado_sfad` forward), Eigen "
              "(AutoDiffScalar, forward), Ceres (Jet, forward); `peer_plain` is the plain "
              "function compiled in the peer's executable.", ""]
    for p in grid.problems:
        lines += [f"### {p}", ""]
        rows = []
        for n in grid.sizes(p):
            row = grid.row(p, n)
            plain, pbest, hand = plain_ref(row), plain_best(row), t_of(row, HAND)
            tp, _ = best_of(row, is_peer)
            for c in sorted(row, key=contender_order):
                r = row[c]
                name = peer_label(c) if is_peer(c) else c
                rows.append([n or "—", name, fmt_time(r.t),
                             f"{100 * r.cv:.1f}%" if r.cv is not None else "—",
                             fmt_ratio(r.t, plain), fmt_ratio(r.t, pbest), fmt_ratio(r.t, hand),
                             fmt_ratio(r.t, tp) if tp else "—"])
        lines += table(["n", "contender", "time (ns)", "cv", "R", "R_best", "× hand", "× best peer"],
                       rows, ["---:", "---", "---:", "---:", "---:", "---:", "---:", "---:"])
        lines.append("")
        if gp:
            png = plot_gradient_ratio(grid, p, plotdir, gp)
            if png:
                plots.append(png)
                lines += [f"![R vs n for {p}]({os.path.basename(png)})", ""]
    return lines, headline_table, goals


def goals_section(grid, headline_n):
    lines = ["## Goals (issue 6)", "",
             "Judged at the headline size (n = 1024 or nearest); the range over all measured "
             "sizes is given alongside. R = t / t(plain). Forward per direction = "
             "t / (t(plain) · number of inputs); lanes from the `lanes` counter or the "
             "contender's name, else the container driver's 8.", ""]
    rows = []

    def rng(values):
        values = [v for v in values if v is not None]
        return f"{min(values):.2f} – {max(values):.2f}" if len(values) > 1 else "—"

    # static reverse
    for label, rx, limit in GOALS_STATIC:
        probs = [p for p in grid.problems if re.search(rx, p)]
        if not probs:
            rows.append([f"static reverse R, {label}", f"≤ {limit}", "not measured", "—", "—", "—"])
            continue
        for p in probs:
            n = headline_n[p]
            row = grid.row(p, n)
            c, note = static_contender(row), ""
            if not c:
                # No static contender (loops): judge duet's best reverse contender, named.
                t, c = best_of(row, lambda k: k in ("tape", "tensor"))
                if not c:
                    rows.append([f"static reverse R, {label}", f"≤ {limit}", p,
                                 "no reverse contender", "—", "—"])
                    continue
                note = f" ({c}: no static contender)"
            v = row[c].t / plain_ref(row) if plain_ref(row) else None
            allv = [grid.row(p, m)[c].t / plain_ref(grid.row(p, m))
                    for m in grid.sizes(p) if c in grid.row(p, m) and plain_ref(grid.row(p, m))]
            rows.append([f"static reverse R, {label}", f"≤ {limit}", f"{p} (n = {n or '—'})",
                         fmt_num(v) + note, rng(allv), met(v, limit)])
    # tape everywhere
    tape_probs = [p for p in grid.problems
                  if any("tape" in grid.row(p, n) for n in grid.sizes(p))]
    for p in tape_probs:
        n = headline_n[p]
        row = grid.row(p, n)
        v = row["tape"].t / plain_ref(row) if "tape" in row and plain_ref(row) else None
        allv = [grid.row(p, m)["tape"].t / plain_ref(grid.row(p, m)) for m in grid.sizes(p)
                if "tape" in grid.row(p, m) and plain_ref(grid.row(p, m))]
        worst = max(allv) if allv else None
        rows.append(["tape R (everywhere)", f"≤ {TAPE_LIMIT}", f"{p} (n = {n or '—'})", fmt_num(v),
                     rng(allv), met(worst, TAPE_LIMIT) if worst is not None else "—"])
    if not tape_probs:
        rows.append(["tape R (everywhere)", f"≤ {TAPE_LIMIT}", "not measured", "—", "—", "—"])
    # forward per direction
    for p in grid.problems:
        n = headline_n[p]
        row = grid.row(p, n)
        plain, dim = plain_ref(row), dimension(row, n)
        for c in sorted(row, key=contender_order):
            if not c.startswith("forward"):
                continue
            lanes = lanes_of(row[c], dim)
            v = row[c].t / (plain * dim) if plain and dim else None
            if lanes == 1:
                limit, what = FORWARD_LIMIT_1, "1 lane"
            elif 8 <= lanes <= 16:
                limit, what = FORWARD_LIMIT_MANY, f"{lanes} lanes"
            else:
                limit, what = None, f"{lanes} lanes"
            allv = []
            for m in grid.sizes(p):
                rm = grid.row(p, m)
                if c in rm and plain_ref(rm) and dimension(rm, m):
                    allv.append(rm[c].t / (plain_ref(rm) * dimension(rm, m)))
            rows.append([f"forward per direction ({what}), `{c}`",
                         f"≤ {limit}" if limit else "no goal", f"{p} (n = {n or '—'})",
                         fmt_num(v, 3), rng(allv), met(v, limit) if limit else "—"])
    if not any(r[0].startswith("forward per direction (1 lane)") for r in rows):
        rows.append(["forward per direction (1 lane)", f"≤ {FORWARD_LIMIT_1}",
                     "not measured (no 1-lane forward contender)", "—", "—", "—"])
    if not any(re.match(r"forward per direction \((8|9|1[0-6]) lanes\)", r[0]) for r in rows):
        rows.append(["forward per direction (8-16 lanes)", f"≤ {FORWARD_LIMIT_MANY}",
                     "not measured", "—", "—", "—"])
    # duet faster than every peer
    for p in grid.problems:
        n = headline_n[p]
        row = grid.row(p, n)
        td, cd = best_of(row, is_duet)
        tp, cp = best_of(row, is_peer)
        if tp is None:
            continue
        beaten = sum(1 for m in grid.sizes(p) if best_of(grid.row(p, m), is_peer)[0] is not None
                     and best_of(grid.row(p, m), is_duet)[0] is not None
                     and best_of(grid.row(p, m), is_duet)[0] < best_of(grid.row(p, m), is_peer)[0])
        total = sum(1 for m in grid.sizes(p) if best_of(grid.row(p, m), is_peer)[0] is not None
                    and best_of(grid.row(p, m), is_duet)[0] is not None)
        rows.append(["duet faster than every peer", "< 1", f"{p} (n = {n or '—'})",
                     f"{fmt_ratio(td, tp)} ({cd} vs {peer_label(cp)})",
                     f"faster at {beaten} of {total} sizes",
                     met(td / tp if td and tp else None, 0.999999)])
    if not any(best_of(grid.row(p, headline_n[p]), is_peer)[0] for p in grid.problems):
        rows.append(["duet faster than every peer", "< 1", "no peer results", "—", "—", "—"])
    lines += table(["goal", "target", "problem", "measured", "range over n", "status"], rows,
                   ["---", "---", "---", "---:", "---", "---"])
    n_met = sum(1 for r in rows if r[-1] == "**met**")
    n_missed = sum(1 for r in rows if r[-1] == "missed")
    lines += ["", f"{n_met} met, {n_missed} missed.", ""]
    return lines, (n_met, n_missed)


# ---- Jacobian modes -------------------------------------------------------------------
def jacobian_runs(runs):
    """dense Jacobians: {(m, n): {mode: t}} from dense_jacobian_m<m>/<mode>/<n>
    (and the older dense_jacobian/<mode>/<n>/<m>); chains: {dims: {mode: Run}}."""
    dense, chains = {}, {}
    for r in runs:
        mm = re.match(r"^dense_jacobian(_first_call)?_m(\d+)$", r.problem)
        if mm and n_int((r.n or "").split("/")[0]):  # n, or n/<more args>: n first
            n = n_int(r.n.split("/")[0])
            d = dense.setdefault((int(mm.group(2)), n), {})
            if mm.group(1):
                d["first_call"] = r.t
            else:
                d[r.contender] = r.t
            if r.label:
                d[r.contender + ":label"] = r.label
        elif r.problem == "dense_jacobian" and re.match(r"^\d+/\d+$", r.n or ""):
            n, m = (int(x) for x in r.n.split("/"))
            dense.setdefault((m, n), {})[r.contender] = r.t
        elif r.problem.startswith("jchain_") or re.match(r"^\d+(-\d+)+$", r.problem):
            chains.setdefault(r.problem, {})[r.contender] = r
    return dense, chains


def jacobian_section(dense, chains, plots, plotdir, gp):
    lines = []
    if not dense and not chains:
        return lines
    lines += ["## Jacobian modes", ""]
    if dense:
        lines += ["Dense Jacobian of f: R^n -> R^m (time in ns). Forward costs about "
                  "n/lanes passes, reverse m sweeps; `automatic` chooses with duet's cost "
                  "model (its choice in parentheses when the benchmark labels it; *first call*: "
                  "before the driver knows m). *auto / best* = "
                  "t(automatic) / min(t(forward), t(reverse)).", ""]
        rows = []
        has_plain = any("plain" in d for d in dense.values())
        has_first = any("first_call" in d for d in dense.values())
        for (m, n) in sorted(dense):
            d = dense[(m, n)]
            f, rv, a = d.get("forward"), d.get("reverse"), d.get("automatic")
            best = min(x for x in (f, rv) if x) if (f or rv) else None
            winner = "—" if not (f and rv) else ("forward" if f < rv else "reverse")
            chose = d.get("automatic:label", "")
            rows.append([m, n] + ([fmt_time(d.get("plain"))] if has_plain else []) +
                        [fmt_time(f), fmt_time(rv), fmt_time(a) + (f" ({chose})" if chose else "")] +
                        ([fmt_time(d.get("first_call"))] if has_first else []) +
                        [fmt_ratio(rv, f), winner, fmt_ratio(a, best)])
        lines += table(["m", "n"] + (["plain"] if has_plain else []) +
                       ["forward", "reverse", "automatic"] +
                       (["automatic, first call"] if has_first else []) +
                       ["reverse / forward", "faster", "auto / best"], rows,
                       ["---:", "---:"] + (["---:"] if has_plain else []) +
                       ["---:", "---:", "---:"] + (["---:"] if has_first else []) +
                       ["---:", "---", "---:"])
        lines.append("")
    if chains:
        lines += ["Jacobian chains (dimensions of the chain in the name): time in ns, in "
                  "parentheses the planner's estimate when the benchmark reports it "
                  "(`predicted_ns`, or the ratios `predicted_over_forward`/`_reverse`); "
                  "*planned / best pure* = t(planned) / min(t(forward), t(reverse)).", ""]
        rows = []
        for dims in chains:
            d = chains[dims]
            f, rv = d.get("forward"), d.get("reverse")
            pl = d.get("planned")
            pure = min(x.t for x in (f, rv) if x) if (f or rv) else None

            def cell(r):
                if not r:
                    return "—"
                pred = r.counters.get("predicted_ns")
                return fmt_time(r.t) + (f" ({fmt_time(pred)})" if pred else "")

            others = ", ".join(f"{c} {fmt_time(r.t)}" for c, r in d.items()
                               if c not in ("forward", "reverse", "planned"))

            def vs(mode, key):
                if not pl or not mode:
                    return "—"
                pred = pl.counters.get(key)
                return fmt_ratio(pl.t, mode.t) + (f" ({fmt_num(pred)})" if pred else "")

            rows.append([dims, cell(f), cell(rv), cell(pl),
                         (pl.label if pl and pl.label else "—").replace("|", "\\|"),
                         vs(f, "predicted_over_forward"), vs(rv, "predicted_over_reverse"),
                         fmt_ratio(pl.t if pl else None, pure), others or "—"])
        lines += table(["chain", "forward", "reverse", "planned", "plan",
                        "planned / forward (predicted)", "planned / reverse (predicted)",
                        "planned / best pure", "other"], rows,
                       ["---", "---:", "---:", "---:", "---", "---:", "---:", "---:", "---"])
        lines.append("")
    if gp and dense:
        png = plot_jacobian_modes(dense, plotdir, gp)
        if png:
            plots.append(png)
            lines += [f"![forward vs reverse vs automatic]({os.path.basename(png)})", ""]
    return lines


# ---- chain orders ------------------------------------------------------------------
def chain_section(chain_runs, jchains, plots, plotdir, gp):
    lines = []
    if not chain_runs:
        return lines
    grid = Grid(chain_runs)
    lines += ["## Chain order (matrix chains)", "",
              "Time: median wall time per product. *predicted* = multiply-adds of the "
              "contender's order / multiply-adds of the planned order (`predicted_ratio`); "
              "*measured* = t / t(multi_dot, the planned order).", ""]
    rows, points = [], []
    for p in grid.problems:
        for n in grid.sizes(p):
            row = grid.row(p, n)
            ref = t_of(row, "multi_dot")
            for c, r in row.items():
                pred = r.counters.get("predicted_ratio")
                meas = r.t / ref if ref else None
                rows.append([p, c, fmt_time(r.t), fmt_num(pred), fmt_num(meas),
                             (r.label or "—").replace("|", "\\|")])
                if pred and meas and c != "multi_dot":
                    points.append((p, c, pred, meas))
    lines += table(["chain", "contender", "time (ns)", "predicted", "measured", "order"], rows,
                   ["---", "---", "---:", "---:", "---:", "---"])
    lines.append("")
    jpoints = []  # (chain, what, predicted, measured): absolute ns, or ratios planned / mode
    for dims, d in jchains.items():
        for c, r in d.items():
            if r.counters.get("predicted_ns"):
                jpoints.append((dims, c, r.counters["predicted_ns"], r.t))
        pl = d.get("planned")
        for mode, key in (("forward", "predicted_over_forward"), ("reverse", "predicted_over_reverse")):
            if pl and mode in d and pl.counters.get(key):
                jpoints.append((dims, f"planned / {mode}", pl.counters[key], pl.t / d[mode].t))
    if gp and (points or jpoints):
        png = plot_chain_orders(points, jpoints, plotdir, gp)
        if png:
            plots.append(png)
            lines += ["![predicted vs measured chain orders](chain_orders.png)", ""]
    return lines


# ---- sparse Jacobians -----------------------------------------------------------------
SPARSE_EXES = ("bench_sparse", "bench_peer_adolc_sparse")


def sparse_runs(runs):
    """{(problem, n): {contender: Run}} of bench_sparse and the ADOL-C sparse peer."""
    out = {}
    for r in runs:
        if r.exe in SPARSE_EXES and n_int(r.n):
            out.setdefault((r.problem, n_int(r.n)), {})[r.contender] = r
    return out


def sparse_section(runs, plots, plotdir, gp):
    grid = sparse_runs(runs)
    if not grid:
        return []
    contenders = sorted({c for d in grid.values() for c in d if c != "plain"},
                        key=lambda c: (c.startswith("adolc"), c))
    lines = ["## Sparse Jacobians", "",
             "`benchmark/sparse.cpp` (duet) and `benchmark/peers/adolc_sparse.cpp` (ADOL-C's "
             "`sparse_jac`, tape recorded once outside the timing). Time: median ms per call. "
             "*colors*: compressed passes of duet's plan (its column or row colouring; *mode*: "
             "the one automatic chose), and of the ADOL-C peer's colouring (natural order); "
             "*plan / (colors x plain)*: duet's planned call over one evaluation of f per "
             "colour (goal: at most 10).", ""]
    header = (["problem", "n", "plain"] + contenders
              + ["colors (duet)", "mode", "colors (ADOL-C peer)", "plan / (colors x plain)"])
    rows = []

    def counter(run, name):
        return run.counters.get(name) if run else None

    for (problem, n), d in sorted(grid.items()):
        plain = d.get("plain")
        plan = d.get("sparse_plan")
        colors = counter(plan, "colors")
        mode = {"fwd": "forward", "rev": "reverse"}.get(plan.label if plan else "", "—")
        peer_colors = next((counter(r, "colors") for c, r in d.items()
                            if c.startswith("adolc") and counter(r, "colors")), None)
        per = (plan.t / (colors * plain.t)) if plan and plain and colors else None
        rows.append([problem, n, fmt_num(plain.t / 1e6, 4) if plain else "—"]
                    + [fmt_num(d[c].t / 1e6, 3) if c in d else "—" for c in contenders]
                    + [fmt_num(colors, 0) if colors else "—", mode,
                       fmt_num(peer_colors, 0) if peer_colors else "—", fmt_num(per)])
    lines += table(header, rows) + [""]
    if plotdir and gp:
        png = plot_sparse(grid, contenders, plotdir, gp)
        if png:
            plots.append(png)
            lines += [f"![sparse Jacobians]({os.path.basename(png)})", ""]
    return lines


def plot_sparse(grid, contenders, plotdir, gp):
    problems = sorted({p for p, _ in grid})
    out = os.path.join(plotdir, "sparse_jacobians.png")
    with tempfile.TemporaryDirectory() as tmp:
        script = [f"set multiplot layout 1,{len(problems)} title 'Sparse Jacobians: time per call'",
                  "set logscale xy", "set grid", "set xlabel 'n'", "set ylabel 'ms'",
                  "set key top left", "set format y '%g'"]
        any_plot = False
        for p in problems:
            series = []
            for i, c in enumerate(["plain"] + contenders):
                pts = [(n, d[c].t / 1e6) for (pp, n), d in sorted(grid.items()) if pp == p and c in d]
                if pts:
                    series.append(f"'{write_data(tmp, f'{p}_{i}.dat', pts)}' using 1:2 with linespoints "
                                  f"lw 2 pt {i + 1} lc rgb '{PALETTE[i % len(PALETTE)]}' title '{c}'")
            if series:
                any_plot = True
                script += [f"set title '{p}'", "plot " + ", ".join(series)]
        script.append("unset multiplot")
        if not any_plot:
            return None
        exe, term = gp
        return gnuplot((exe, term.replace("900,600", "1200,500")), "\n".join(script), out)


# ---- as a user builds it ---------------------------------------------------------------
USER_TU_BUILDS = [("bench_user_tu", "CMake (duet::duet flags)"),
                  ("bench_user_tu_gcc", "g++ plain"),
                  ("bench_user_tu_clang", "clang++ plain")]


def user_tu_ratios(runs):
    """{exe: {(case, n): R}} from benchmark/user_tu.cpp's <case>/plain|ad/<n> runs. For a
    case with the counter per_direction the ad time is divided by n (one tangent lane)."""
    out = {}
    for exe, _ in USER_TU_BUILDS:
        t = {(r.problem, r.contender, r.n): r for r in runs if r.exe == exe}
        ratios = {}
        for (case, kind, n), r in t.items():
            plain = t.get((case, "plain", n))
            if kind != "ad" or plain is None or plain.t <= 0:
                continue
            R = r.t / plain.t
            if r.counters.get("per_direction") and n_int(n):
                R /= n_int(n)
            ratios[(case, n)] = R
            per_element = r.t / n_int(n) if n_int(n) else None
            if per_element is not None and r.counters.get("per_direction"):
                per_element /= n_int(n)  # and per direction
            ratios[("ns_per_element", case, n)] = per_element
        if ratios:
            out[exe] = ratios
    return out


def user_tu_section(runs):
    ratios = user_tu_ratios(runs)
    if not ratios:
        return []
    builds = [(e, label) for e, label in USER_TU_BUILDS if e in ratios]
    keys = sorted({k for rs in ratios.values() for k in rs if len(k) == 2},
                  key=lambda k: (k[0], n_key(k[1])))
    lines = ["## As a user builds it", "",
             "`benchmark/user_tu.cpp`: the problems written as a user writes them (named "
             "`const T` / `const auto` locals, `T s = 0.0` accumulators, `std::` maths), one "
             "translation unit that includes only `<duet/duet.hpp>`, built three ways: by CMake "
             "with duet's flags, and by `g++` and `clang++` with plain `-std=c++20 -O3 "
             "-march=native -DNDEBUG`. R = time of value + gradient / time of the same source "
             "instantiated with `double`, in the same executable (forward rows: per direction, "
             "i.e. divided by n). *spread*: largest R / smallest R over the builds (the "
             "no-cliff goal: at most 1.5). The plain function's own speed differs between "
             "compilers (g++ vectorises the divisions of normal_log_pdf), so R does too.", ""]
    header = ["case", "n"] + [label for _, label in builds] + ["spread"]
    rows = []
    for case, n in keys:
        vals = [ratios[e].get((case, n)) for e, _ in builds]
        present = [v for v in vals if v is not None]
        spread = max(present) / min(present) if len(present) > 1 and min(present) > 0 else None
        rows.append([case, n] + [fmt_num(v) for v in vals] + [fmt_num(spread)])
    lines += table(header, rows) + [""]
    lines += ["The AD call's own time, ns per element (forward rows: per element and "
              "direction); a spread in R that is not here comes from the plain function:", ""]
    rows = [[case, n] + [fmt_num(ratios[e].get(("ns_per_element", case, n))) for e, _ in builds]
            for case, n in keys]
    lines += table(["case", "n"] + [label for _, label in builds], rows) + [""]
    # Per-element growth from the smallest to the largest n of each case.
    growth = []
    for case in sorted({c for c, _ in keys}):
        ns = sorted({n for c, n in keys if c == case}, key=n_key)
        if len(ns) < 2:
            continue
        cells = []
        for e, _ in builds:
            a, b = ratios[e].get((case, ns[0])), ratios[e].get((case, ns[-1]))
            cells.append(fmt_num(b / a) if a and b else "—")
        growth.append([case, f"{ns[0]} → {ns[-1]}"] + cells)
    if growth:
        lines += ["R at the largest n / R at the smallest (the size axis of the no-cliff goal: "
                  "at most 1.5):", ""]
        lines += table(["case", "n"] + [label for _, label in builds], growth) + [""]
    return lines


# ---- the other benchmark executables ------------------------------------------------
def other_section(exe, runs):
    grid = Grid(runs)
    lines = [f"## {exe}", ""]
    rows = []
    for p in grid.problems:
        for n in grid.sizes(p):
            row = grid.row(p, n)
            refs = [c for c in ("plain", "hand") if c in row]
            for c in refs + [c for c in row if c not in refs]:
                r = row[c]
                rows.append([p, n or "—", c, fmt_time(r.t), fmt_ratio(r.t, t_of(row, "plain")),
                             fmt_ratio(r.t, t_of(row, "hand"))])
    lines += table(["problem", "n", "contender", "time (ns)", "× plain", "× hand"], rows,
                   ["---", "---:", "---", "---:", "---:", "---:"])
    lines.append("")
    return lines


# ---- compile cost -----------------------------------------------------------------
def compile_section(path):
    if not path or not os.path.exists(path):
        return []
    try:
        with open(path, encoding="utf-8") as f:
            cc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"report: skipping {path}: {e}", file=sys.stderr)
        return []
    lines = ["## Compile cost", "",
             f"One representative translation unit per mode (`benchmark/compile_cost/`), "
             f"compiled once with the benchmarks' command line: {cc.get('compiler', '?')}, "
             f"`{cc.get('flags', '?')}`. Wall time on the shared machine (other jobs may "
             f"run), CPU time of the compiler, object file and its `.text` sections.", ""]
    rows = []
    for u in cc.get("units", []):
        if not u.get("ok"):
            rows.append([u.get("unit", "?"), "failed", "—", "—", "—", "—"])
            continue
        rows.append([u["unit"], f"{u['wall_s']:.2f}", f"{u['cpu_s']:.2f}",
                     f"{u['object_bytes'] / 1024:,.1f}", f"{u.get('text_bytes', 0) / 1024:,.1f}",
                     f"{u.get('max_rss_mb', 0):,.0f}"])
    lines += table(["unit", "wall (s)", "CPU (s)", "object (KiB)", "text (KiB)", "peak RSS (MiB)"],
                   rows)
    lines.append("")
    return lines


# ---- plots (gnuplot) ---------------------------------------------------------------
def find_gnuplot():
    exe = shutil.which("gnuplot")
    if not exe:
        print("report: gnuplot not found: no plots", file=sys.stderr)
        return None
    try:
        terms = subprocess.run([exe, "-e", "set terminal"], capture_output=True, text=True,
                               timeout=30)
        text = terms.stdout + terms.stderr
    except (OSError, subprocess.SubprocessError):
        return None
    if re.search(r"^\s*pngcairo\b", text, re.M):
        return (exe, "pngcairo size 900,600 font 'Sans,10'")
    if re.search(r"^\s*png\b", text, re.M):
        return (exe, "png size 900,600")
    print("report: gnuplot has no png terminal: no plots", file=sys.stderr)
    return None


def gnuplot(gp, script, out):
    exe, term = gp
    full = f"set terminal {term} noenhanced\nset output '{out}'\n" + script + "\nunset output\n"
    try:
        p = subprocess.run([exe], input=full, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        print(f"report: gnuplot failed for {out}: {e}", file=sys.stderr)
        return None
    if p.returncode != 0 or not os.path.exists(out) or os.path.getsize(out) == 0:
        print(f"report: gnuplot failed for {out}:\n{p.stderr}", file=sys.stderr)
        return None
    return out


def gp_quote(s):
    return s.replace("'", "''")


def write_data(tmp, name, rows):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(" ".join(repr(float(x)) for x in r) + "\n")
    return path


PALETTE = ["#000000", "#7f7f7f", "#bcbd22", "#8c564b", "#d62728", "#1f77b4", "#2ca02c",
           "#9467bd", "#ff7f0e", "#17becf", "#e377c2", "#393b79", "#637939", "#843c39"]


def plot_gradient_ratio(grid, problem, plotdir, gp):
    series = {}
    for n in grid.sizes(problem):
        row = grid.row(problem, n)
        plain, x = plain_ref(row), n_int(n)
        if not plain or not x:
            continue
        for c, r in row.items():
            if c == "plain":
                continue
            series.setdefault(c, []).append((x, r.t / plain))
    if not series:
        return None
    out = os.path.join(plotdir, f"gradient_ratio_{re.sub(r'[^A-Za-z0-9_.-]', '_', problem)}.png")
    with tempfile.TemporaryDirectory() as tmp:
        plots = []
        for i, c in enumerate(sorted(series, key=contender_order)):
            data = write_data(tmp, f"s{i}.dat", sorted(series[c]))
            style = "dt 2" if is_peer(c) or c in PLAINS or c == HAND else "dt 1"
            lw = "lw 2.5" if is_duet(c) else "lw 1.5"
            color = PALETTE[i % len(PALETTE)]
            plots.append(f"'{data}' using 1:2 with linespoints {style} {lw} lc rgb '{color}' "
                         f"pt {i % 13 + 1} ps 1.3 "
                         f"title '{gp_quote(peer_label(c) if is_peer(c) else c)}'")
        xs = sorted({x for s in series.values() for x, _ in s})
        script = "\n".join([
            f"set title 'R = t / t(plain): {gp_quote(problem)}'",
            "set xlabel 'n'", "set ylabel 't / t(plain)'",
            "set logscale xy", "set grid xtics ytics mxtics mytics",
            "set key outside right top", "set format y '%g'",
            "set offsets 0, 0, graph 0.05, graph 0.05",
            f"set xrange [{xs[0] / 1.5}:{xs[-1] * 1.5}]",
            "plot " + ", \\\n     ".join(plots)])
        return gnuplot(gp, script, out)


def plot_jacobian_modes(dense, plotdir, gp):
    ms = sorted({m for m, _ in dense})
    out = os.path.join(plotdir, "jacobian_modes.png")
    with tempfile.TemporaryDirectory() as tmp:
        left, right = [], []
        for i, m in enumerate(ms):
            pts, auto = [], []
            for (mm, n), d in sorted(dense.items()):
                if mm != m:
                    continue
                f, rv, a = d.get("forward"), d.get("reverse"), d.get("automatic")
                if f and rv:
                    pts.append((n, rv / f))
                    if a:
                        auto.append((n, a / min(f, rv)))
            if pts:
                left.append(f"'{write_data(tmp, f'l{i}.dat', pts)}' using 1:2 with linespoints "
                            f"lw 2 pt {i + 1} title 'm = {m}'")
            if auto:
                right.append(f"'{write_data(tmp, f'r{i}.dat', auto)}' using 1:2 with linespoints "
                             f"lw 2 pt {i + 1} title 'm = {m}'")
        if not left:
            return None
        script = ["set multiplot layout 1,2 title 'Dense Jacobian of f: R^n -> R^m'",
                  "set logscale xy", "set grid", "set xlabel 'n (inputs)'", "set key top left",
                  "set format y '%g'",
                  "set title 't(reverse) / t(forward)  (above 1: forward wins)'",
                  "set ylabel 'reverse / forward'",
                  "plot 1 with lines lc rgb 'black' dt 2 notitle, " + ", ".join(left)]
        if right:
            script += ["set title 't(automatic) / min(t(forward), t(reverse))'",
                       "set ylabel 'automatic / best mode'",
                       "plot 1 with lines lc rgb 'black' dt 2 notitle, " + ", ".join(right)]
        script.append("unset multiplot")
        exe, term = gp
        gp2 = (exe, term.replace("900,600", "1200,500"))
        return gnuplot(gp2, "\n".join(script), out)


def plot_chain_orders(points, jpoints, plotdir, gp):
    out = os.path.join(plotdir, "chain_orders.png")
    with tempfile.TemporaryDirectory() as tmp:
        panels = []
        if points:
            by_c = {}
            for _, c, pred, meas in points:
                by_c.setdefault(c, []).append((pred, meas))
            plots = [f"'{write_data(tmp, f'c{i}.dat', v)}' using 1:2 with points pt {i + 5} ps 1.5 "
                     f"title '{gp_quote(c)}'" for i, (c, v) in enumerate(sorted(by_c.items()))]
            panels.append("\n".join([
                "set title 'Matrix chains: measured vs predicted (relative to the planned order)'",
                "set xlabel 'predicted: madds / madds(planned)'",
                "set ylabel 'measured: t / t(multi_dot)'",
                "plot x with lines lc rgb 'black' dt 2 title 'y = x', " + ", ".join(plots)]))
        absolute = [q for q in jpoints if not q[1].startswith("planned / ")]
        ratios = [q for q in jpoints if q[1].startswith("planned / ")]
        for k, (pts, title, xl, yl) in enumerate((
                (absolute, "Jacobian chains: measured vs predicted time", "predicted (ns)",
                 "measured (ns)"),
                (ratios, "Jacobian chains: planned order vs pure modes",
                 "predicted t(planned) / t(mode)", "measured t(planned) / t(mode)"))):
            if not pts:
                continue
            by_c = {}
            for _, c, pred, meas in pts:
                by_c.setdefault(c, []).append((pred, meas))
            plots = [f"'{write_data(tmp, f'j{k}_{i}.dat', v)}' using 1:2 with points pt {i + 5} "
                     f"ps 1.5 title '{gp_quote(c)}'" for i, (c, v) in enumerate(sorted(by_c.items()))]
            panels.append("\n".join([
                f"set title '{title}'", f"set xlabel '{xl}'", f"set ylabel '{yl}'",
                "plot x with lines lc rgb 'black' dt 2 title 'y = x', " + ", ".join(plots)]))
        script = [f"set multiplot layout 1,{len(panels)}", "set logscale xy", "set grid",
                  "set key top left", "set format y '%g'", "set format x '%g'"] + panels + \
                 ["unset multiplot"]
        exe, term = gp
        gp2 = (exe, term.replace("900,600", f"{600 * len(panels)},500"))
        return gnuplot(gp2, "\n".join(script), out)


# ---- the report ---------------------------------------------------------------------
def machine_lines(machine_path, contexts):
    m = {}
    if machine_path and os.path.exists(machine_path):
        try:
            with open(machine_path, encoding="utf-8") as f:
                m = json.load(f)
        except (OSError, ValueError):
            m = {}
    ctx = contexts[0] if contexts else {}
    cpu = m.get("cpu_model")
    if not cpu:
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as f:
                cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")),
                           "?")
        except OSError:
            cpu = "?"
    cores = m.get("cores", ctx.get("num_cpus", "?"))
    compiler = m.get("compiler", ctx.get("compiler", "?"))
    date = m.get("date", ctx.get("date", "?"))
    lines = table(["machine", ""], [
        ["CPU", f"{cpu} ({cores} cores, {ctx.get('mhz_per_cpu', '?')} MHz)"],
        ["compiler", f"{compiler}, Release, `-O3 -march=native`"],
        ["run", f"{date}" + (f", {m['mode']} mode" if m.get("mode") else "")
         + (f" (build {m['build_s']} s, benchmarks {m['run_s']} s, compile cost "
            f"{m['compile_cost_s']} s)" if "run_s" in m else "")],
        ["benchmark library", f"Google Benchmark, built as {ctx.get('library_build_type', '?')}"],
    ], ["---", "---"])
    if ctx.get("cpu_scaling_enabled"):
        lines.append("| note | CPU frequency scaling was enabled: timings are noisy |")
    if m.get("failed"):
        lines.append(f"| failed | {', '.join(m['failed'])} |")
    return lines, m


def report(paths, plotdir=None, machine=None, compile_cost=None):
    contexts, runs = load(paths)
    gp = find_gnuplot() if plotdir else None
    if plotdir:
        os.makedirs(plotdir, exist_ok=True)
        for f in os.listdir(plotdir):  # stale plots of problems no longer measured
            if f.endswith(".png") and (f.startswith("gradient_ratio_")
                                       or f in ("jacobian_modes.png", "chain_orders.png",
                                                "sparse_jacobians.png")):
                os.remove(os.path.join(plotdir, f))
    plots = []
    lines = ["# duet benchmarks", "",
             "Written by `scripts/report.py` from the JSON of `bash scripts/bench.sh` "
             "(the main job). Every duet gradient is checked against the hand-written one "
             "before it is timed. One OpenBLAS thread.", ""]
    mlines, m = machine_lines(machine, contexts)
    lines += mlines + [""]
    if m.get("mode") == "quick":
        lines += ["**Quick run** (`DUET_BENCH_QUICK=1`: one size per problem, one repetition, "
                  "`--benchmark_min_time=0.01`): the numbers are indicative only.", ""]

    gradient_exes = lambda e: (e == "bench_problems" or e.startswith("bench_peer_")) and e not in SPARSE_EXES
    # Problems in bench_problems' order, then any only a peer measures.
    grad_runs = sorted((r for r in runs if gradient_exes(r.exe)),
                       key=lambda r: r.exe != "bench_problems")
    dense, jchains = jacobian_runs(runs)
    chain_runs = [r for r in runs if r.exe == "bench_chain_order"]
    jac_ids = {id(r) for r in runs if re.match(r"^dense_jacobian((_first_call)?_m\d+)?$", r.problem)
               or r.problem.startswith("jchain_") or re.match(r"^\d+(-\d+)+$", r.problem)}

    glines, headline_table, goals = gradient_section(Grid(grad_runs), plots, plotdir, gp)
    lines += glines
    lines += jacobian_section(dense, jchains, plots, plotdir, gp)
    lines += chain_section(chain_runs, jchains, plots, plotdir, gp)
    lines += sparse_section(runs, plots, plotdir, gp)
    lines += user_tu_section(runs)
    user_tu_exes = {e for e, _ in USER_TU_BUILDS} | set(SPARSE_EXES)

    others = {}
    for r in runs:
        if (gradient_exes(r.exe) or r.exe == "bench_chain_order" or id(r) in jac_ids
                or r.exe in user_tu_exes):
            continue
        others.setdefault(r.exe, []).append(r)
    if others:
        lines += ["## Other benchmarks", "",
                  "Time: median ns per call. Ratios: time / time of the `plain` (double) "
                  "function and of the `hand`-written derivative in the same executable.", ""]
        for exe, rs in others.items():
            sec = other_section(exe, rs)
            lines += ["#" + sec[0]] + sec[1:]
    lines += compile_section(compile_cost)
    if not runs:
        lines += ["_No benchmark results._", ""]
    summary = {"machine": m, "contexts": contexts, "headline": headline_table, "goals": goals,
               "plots": plots}
    return "\n".join(lines).rstrip("\n") + "\n", summary


README_BEGIN = "<!-- benchmarks:begin (written by scripts/report.py --readme) -->"
README_END = "<!-- benchmarks:end -->"


def update_readme(path, summary, report_path):
    """Rewrites README's benchmark section between README_BEGIN and README_END."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if README_BEGIN not in text or README_END not in text:
        print(f"report: {path} has no benchmark markers; not updated", file=sys.stderr)
        return False
    m = summary["machine"]
    ctx = summary["contexts"][0] if summary["contexts"] else {}
    rel = lambda p: os.path.relpath(p, os.path.dirname(os.path.abspath(path)) or ".")
    report_rel = rel(report_path) if report_path else "doc/benchmarks/report.md"
    cpu = m.get("cpu_model", "?")
    lines = [README_BEGIN,
             f"From the last main-job run (`bash scripts/bench.sh`, {m.get('date', ctx.get('date', '?'))}"
             + (", quick mode: indicative only" if m.get("mode") == "quick" else "")
             + f") on {cpu}, {m.get('cores', ctx.get('num_cpus', '?'))} cores, "
             f"{m.get('compiler', ctx.get('compiler', '?'))} `-O3 -march=native`, one BLAS "
             "thread. R = time of value + gradient / time of the plain `double` function, at "
             "n = 1024 or the nearest size; *best peer*: the fastest of ADOL-C, Sacado, Eigen "
             "and Ceres († ADOL-C replaying a tape recorded once). Full tables, the goals and "
             f"the plots: [{report_rel}]({report_rel}); analysis: "
             "[doc/performance.md](doc/performance.md).", ""]
    if summary["headline"]:
        lines += ["The headline figures come from the CMake build of `bench_problems` "
                  "(duet's own flags); the report's section *As a user builds it* has the "
                  "same kind of problems in a user's translation unit built with plain "
                  "`g++` and `clang++` flags.", ""]
        lines += summary["headline"] + [""]
    else:
        lines += ["_No gradient-problem results in the last run._", ""]
    if summary["goals"]:
        lines += [f"Goals of issue 6: {summary['goals'][0]} met, {summary['goals'][1]} missed "
                  f"(see the report's goals table).", ""]
    if summary["plots"]:
        lines.append("Plots: " + ", ".join(
            f"[{os.path.basename(p)[:-4]}]({rel(p)})" for p in summary["plots"]) + ".")
        lines.append("")
    lines.append(README_END)
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + "\n".join(lines) + tail)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", help="markdown file to write (also printed)")
    ap.add_argument("--plots", metavar="DIR", help="write the PNG plots into DIR (next to the "
                    "report: the report links them by file name)")
    ap.add_argument("--machine", help="machine.json written by scripts/bench.sh")
    ap.add_argument("--compile-cost", help="compile_cost.json written by scripts/bench.sh")
    ap.add_argument("-q", "--quiet", action="store_true", help="do not print the report")
    ap.add_argument("--readme", metavar="README.md", help="rewrite the benchmark section of "
                    "this README (between its benchmark markers) with the headline table")
    ap.add_argument("json", nargs="*", help="Google Benchmark JSON output files")
    args = ap.parse_args()
    md, summary = report(args.json, args.plots, args.machine, args.compile_cost)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(md)
    if not args.quiet:
        sys.stdout.write(md)
    for p in summary["plots"]:
        print(f"report: wrote {p}", file=sys.stderr)
    if args.readme:
        update_readme(args.readme, summary, args.output)


if __name__ == "__main__":
    main()
