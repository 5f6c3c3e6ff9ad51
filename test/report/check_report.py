#!/usr/bin/env python3
"""Test of scripts/report.py (registered with ctest by test/report/CMakeLists.txt).

Runs the report on the checked-in sample JSON (test/report/sample/, written by
make_sample.py) and on degenerate inputs, and checks the sections, a few
ratios, the goals' verdicts and the plots (when gnuplot is installed).
usage: check_report.py [WORK_DIR]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
report_py = os.path.join(root, "scripts", "report.py")
sample = os.path.join(here, "sample")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(args, cwd):
    p = subprocess.run([sys.executable, report_py, "-q"] + args, cwd=cwd, capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0:
        print(p.stdout, p.stderr, sep="\n")
    return p


def line_of(md, *needles):
    return next((l for l in md.splitlines() if all(n in l for n in needles)), "")


work = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="duet_report_")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

# 1. the full sample
jsons = sorted(os.path.join(sample, f) for f in os.listdir(sample) if f.startswith("bench_"))
out = os.path.join(work, "report.md")
p = run(["-o", out, "--plots", work, "--machine", os.path.join(sample, "machine.json"),
         "--compile-cost", os.path.join(sample, "compile_cost.json")] + jsons, work)
check(p.returncode == 0, "report.py exits 0 on the sample")
md = open(out, encoding="utf-8").read() if os.path.exists(out) else ""
for section in ("## Headline", "## Goals (issue 6)", "## Gradient problems", "### sum_iter",
                "## Jacobian modes", "## Chain order (matrix chains)", "## Other benchmarks",
                "### bench_scalar", "## Compile cost"):
    check(section in md, f"section {section!r}")
check("AMD EPYC (sample)" in md and "2 cores" in md, "machine named (CPU model, cores)")
# headline: one row per problem at n = 1024 or nearest
check(line_of(md, "| sum_iter | 1024 |") != "", "headline: sum_iter at n = 1024")
check(line_of(md, "| log_sum_exp | 4096 |") != "", "headline: log_sum_exp at 4096 (nearest 1024)")
check(line_of(md, "| matrix_product | 128 |") != "", "headline: matrix_product at 128")
check("(static)" in line_of(md, "| sum_iter | 1024 |"), "headline: duet best is named")
check("adolc_replay†" in line_of(md, "| sum_iter | 1024 |"), "headline: replay-only peer marked")
# ratios: sample plain_vec is about half of plain
row = line_of(md, "| 1024 | plain_vec |")
cells = [c.strip() for c in row.split("|")]
check(len(cells) > 6 and 0.45 < float(cells[5]) < 0.56 and cells[6] == "1.00",
      "sum_iter/plain_vec: R about 0.5, R_best 1.00")
# goals
check("met" in line_of(md, "static reverse R, log_sum_exp"), "goal: log_sum_exp static met")
check("missed" in line_of(md, "static reverse R, matrix_product"), "goal: matrix_product missed")
check("not measured" in line_of(md, "static reverse R, regression"), "goal: regression not measured")
check("missed" in line_of(md, "tape R (everywhere)", "sum_iter"), "goal: tape sum_iter missed")
check("**met**" in line_of(md, "forward per direction (8 lanes)", "sum_iter"),
      "goal: forward per direction, 8 lanes, sum_iter met")
check("faster at 2 of 2 sizes" in line_of(md, "duet faster than every peer", "log_sum_exp"),
      "goal: duet vs peers counted over the sizes")
# Jacobian modes and chains
check(line_of(md, "| 16 | 256 |", "reverse") != "", "dense Jacobian m = 16, n = 256: reverse faster")
check(line_of(md, "jchain_500x10x500", "(J3 J2) J1") != "", "Jacobian chain with its plan")
check("(0.08)" in line_of(md, "jchain_500x10x500"), "Jacobian chain: predicted planned / forward")
check("automatic, first call" in md, "dense Jacobian: first-call column")
check(line_of(md, "| abc_q1 | left_to_right |", "500") != "", "chain order: predicted ratio")
check(line_of(md, "| closed_form_20_terms | — | reverse | 111 | 1.61 | 1.36 |") != "",
      "other benchmarks keep x plain / x hand")
check(line_of(md, "| tensor | 6.00 | 5.80 |") != "", "compile-cost row")
# sparse Jacobians: ms per call, colours, plan / (colors x plain)
check("## Sparse Jacobians" in md, "section '## Sparse Jacobians'")
check(line_of(md, "| lorenz96 | 1000 | 0.0060 |", "| 4 | forward | 5 | 0.50 |") != "",
      "sparse: duet's colours and mode, the peer's colours, plan per duet colour and plain")
check("| 0.030 |" in line_of(md, "| lorenz96 | 1000 | 0.0060 |"), "sparse: the ADOL-C peer's column")
check("adolc_compressed_repeat" not in line_of(md, "| lorenz96 | 1000 | —"), "sparse peer not a gradient peer")
check(line_of(md, "### bench_sparse") == "", "sparse runs not under other benchmarks")
# as a user builds it: R per build, spread, per-direction forward rows, growth with n
check("## As a user builds it" in md, "section '## As a user builds it'")
check(line_of(md, "| tape_sum_iter | 1024 | 5.00 | 5.00 | 5.00 | 1.00 |") != "", "user TU: R per build, spread 1")
check(line_of(md, "| tape_sum_iter | 16384 | 5.00 | 5.00 | 10.00 | 2.00 |") != "", "user TU: clang cliff at 16384")
check(line_of(md, "| forward8_rosenbrock | 1024 | 2.00 | 2.00 | 2.00 |") != "", "user TU: forward per direction")
check(line_of(md, "| tape_sum_iter | 1024 → 16384 | 1.00 | 1.00 | 2.00 |") != "", "user TU: growth with n")
check("bench_user_tu" not in line_of(md, "### bench_user_tu"), "user TU runs not under other benchmarks")
# plots
if shutil.which("gnuplot"):
    for png in ("gradient_ratio_sum_iter.png", "gradient_ratio_example1.png",
                "jacobian_modes.png", "chain_orders.png", "sparse_jacobians.png"):
        path = os.path.join(work, png)
        ok = os.path.exists(path) and open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        check(ok, f"plot {png}")
        check(f"]({png})" in md, f"report embeds {png}")
else:
    print("skip plots: gnuplot not installed")

# README's benchmark section: rewritten between the markers, the rest kept
readme = os.path.join(work, "README.md")
with open(readme, "w") as f:
    f.write("# x\n\nbefore\n\n<!-- benchmarks:begin (written by scripts/report.py --readme) -->\n"
            "old\n<!-- benchmarks:end -->\n\nafter\n")
p = run(["-o", out, "--plots", work, "--machine", os.path.join(sample, "machine.json"),
         "--readme", readme] + jsons, work)
text = open(readme).read()
check(p.returncode == 0 and "before" in text and "after" in text and "old" not in text
      and "| sum_iter | 1024 |" in text and "AMD EPYC (sample)" in text
      and "](gradient_ratio_sum_iter.png)" in text, "README section rewritten")

# 2. degenerate inputs: nothing, one executable without references, a failed benchmark
p = run(["-o", os.path.join(work, "empty.md")], work)
check(p.returncode == 0 and "_No benchmark results._" in open(os.path.join(work, "empty.md")).read(),
      "no input: a report saying so")
broken = os.path.join(work, "bench_problems.json")
with open(broken, "w") as f:
    json.dump({"context": {}, "benchmarks": [
        {"name": "regression/static/64", "run_name": "regression/static/64",
         "run_type": "iteration", "cpu_time": 5.0, "real_time": 5.0, "time_unit": "us"},
        {"name": "regression/tape/64", "run_name": "regression/tape/64", "run_type": "iteration",
         "error_occurred": True, "error_message": "gradient mismatch"}]}, f)
with open(os.path.join(work, "bench_bad.json"), "w") as f:
    f.write("{ not json")
p = run(["-o", os.path.join(work, "partial.md"), "--plots", work, broken,
         os.path.join(work, "bench_bad.json")], work)
partial = open(os.path.join(work, "partial.md")).read() if p.returncode == 0 else ""
check(p.returncode == 0 and "### regression" in partial and "| 64 | static | 5,000 |" in partial,
      "missing plain/hand/peers, a failed and an unreadable file: still a report")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
