#!/usr/bin/env python3
"""Writes the sample Google Benchmark JSON files of test/report/sample/ (made-up
timings in the format of Google Benchmark 1.7: aggregates for bench_problems,
plain repetitions elsewhere). Run it again after changing it; the files are
checked in so that the report test does not depend on a benchmark run."""
import json
import os
import random
import shutil

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample")
rng = random.Random(6)
shutil.rmtree(here, ignore_errors=True)


def context(exe):
    return {"date": "2026-12-01T20:00:00+00:00", "host_name": "vm",
            "executable": f"./build/bench/benchmark/{exe}", "num_cpus": 2, "mhz_per_cpu": 2096,
            "cpu_scaling_enabled": False, "library_build_type": "release",
            "build_type": "Release", "compiler": "c++ (Debian 12.2.0-14) 12.2.0"}


def iteration(name, t, unit="ns", **counters):
    b = {"name": name, "run_name": name, "run_type": "iteration", "repetitions": 1,
         "repetition_index": 0, "threads": 1, "iterations": 1000, "real_time": t,
         "cpu_time": t, "time_unit": unit}
    b.update(counters)
    return b


def aggregates(name, t, unit="ns", **counters):
    out = []
    for agg, v in (("mean", t * 1.01), ("median", t), ("stddev", t * 0.02), ("cv", 0.02)):
        b = {"name": f"{name}_{agg}", "run_name": name, "run_type": "aggregate",
             "repetitions": 3, "threads": 1, "aggregate_name": agg,
             "aggregate_unit": "percentage" if agg == "cv" else "time", "iterations": 3,
             "real_time": v, "cpu_time": v, "time_unit": unit}
        b.update(counters)
        out.append(b)
    return out


def write(exe, benchmarks, suffix=""):
    os.makedirs(here, exist_ok=True)
    with open(os.path.join(here, f"{exe}{suffix}.json"), "w") as f:
        json.dump({"context": context(exe), "benchmarks": benchmarks}, f, separators=(",", ":"))


# bench_problems: ratio to plain per contender; sizes n
problems = {
    "sum_iter": ({"plain": 1.0, "plain_vec": 0.5, "hand": 1.0, "static": 1.4, "tape": 9.0,
                  "forward": 0.7 * 1024}, [64, 1024, 16384]),
    "log_sum_exp": ({"plain": 1.0, "hand": 1.05, "static": 1.2, "tape": 2.4}, [256, 4096]),
    "matrix_product": ({"plain": 1.0, "hand": 2.2, "tensor": 2.5, "static": 3.5}, [32, 128]),
    "example1": ({"plain": 1.0, "hand": 2.0, "static": 2.2, "forward": 2.3}, [2]),
}
benches = []
for p, (ratios, sizes) in problems.items():
    for n in sizes:
        plain = 0.55 * n
        for c, r in ratios.items():
            counters = {"dimension": n} if c == "forward" else {}
            benches += aggregates(f"{p}/{c}/{n}", plain * r * rng.uniform(0.95, 1.05), **counters)
write("bench_problems", benches)

benches = []
for p, (ratios, sizes) in problems.items():
    for n in sizes:
        plain = 0.55 * n
        benches.append(iteration(f"{p}/peer_plain/{n}", plain * 1.02))
        benches.append(iteration(f"{p}/sacado_rad/{n}", plain * 6.0))
        benches.append(iteration(f"{p}/sacado_dfad/{n}", plain * 3.0 * n))
write("bench_peer_sacado", benches)
k = 0  # one file per benchmark, as scripts/bench.sh runs ADOL-C (two problems only)
for p, (ratios, sizes) in problems.items():
    if p not in ("sum_iter", "example1"):
        continue
    for n in sizes:
        for c, r in (("adolc", 25.0), ("adolc_replay", 1.3)):
            k += 1
            write("bench_peer_adolc", [iteration(f"{p}/{c}/{n}", 0.55 * n * r)], f".{k}")

# bench_jacobian_modes
benches = []
for m in (1, 16, 256):
    for n in (1, 16, 256):
        f = 40.0 * m * n / 8 + 20 * m
        rv = 60.0 * m * n / 1 + 20 * n
        rv = 30.0 * m * n + 50 * m
        f = 30.0 * m * n / 4 + 300 * n / 8
        rv = 30.0 * m * n / 4 + 300 * m
        benches.append(iteration(f"dense_jacobian_m{m}/forward/{n}", f))
        benches.append(iteration(f"dense_jacobian_m{m}/reverse/{n}", rv))
        benches.append(iteration(f"dense_jacobian_m{m}/automatic/{n}", min(f, rv) * 1.05))
        benches.append(iteration(f"dense_jacobian_first_call_m{m}/automatic/{n}", min(f, rv) * 1.4))
for dims, (fw, rv, pl) in {"10x1000x10x1000x1": (2.1e5, 1.6e6, 1.9e5),
                          "500x10x500": (3.9e6, 5.5e6, 2.9e5)}.items():
    for c, t in (("forward", fw), ("reverse", rv), ("planned", pl)):
        extra = {"predicted_over_forward": pl / fw * 1.1, "predicted_over_reverse": pl / rv * 0.9} \
            if c == "planned" else {}
        b = iteration(f"jchain_{dims}/{c}", t / 1e3, "us", predicted_ns=t * rng.uniform(0.6, 1.6),
                      **extra)
        b["label"] = "fwd" if c == "forward" else ("rev" if c == "reverse" else "(J3 J2) J1")
        benches.append(b)
write("bench_jacobian_modes", benches)

# bench_chain_order (wall time, names with Google Benchmark's suffixes)
benches = []
for p, rows in {"abc_q1": (("left_to_right", 3.8e7, 500.0, "(AB)C"),
                           ("right_to_left", 2.4e5, 1.0, "A(BC)"),
                           ("multi_dot", 2.4e5, 1.0, "A(BC)")),
                "random_k4": (("multi_dot", 3.5e6, 1.0, "((A1 A2) A3) A4"),
                              ("fastest_order", 3.5e6, 1.0, "((A1 A2) A3) A4"),
                              ("left_to_right", 5.9e6, 2.3, "((A1 A2) A3) A4"))}.items():
    for c, t, pred, label in rows:
        b = iteration(f"{p}/{c}/process_time/real_time", t / 1e3, "us", predicted_ratio=pred,
                      madds=pred * 1e6)
        b["label"] = label
        benches.append(b)
write("bench_chain_order", benches)

# bench_user_tu (three builds): <case>/plain|ad/<n>; forward rows per direction
for exe, slow in (("bench_user_tu", 1.0), ("bench_user_tu_gcc", 1.0), ("bench_user_tu_clang", 2.0)):
    benches = []
    for case, r in (("tape_sum_iter", 5.0), ("tensor_normal_log_pdf", 3.0)):
        for n in (1024, 16384):
            benches += aggregates(f"{case}/plain/{n}", 0.5 * n)
            benches += aggregates(f"{case}/ad/{n}", 0.5 * n * r * (slow if n == 16384 else 1.0))
    benches += aggregates("forward8_rosenbrock/plain/1024", 1000.0)
    benches += aggregates("forward8_rosenbrock/ad/1024", 1000.0 * 1024 * 2.0, per_direction=1)
    write(exe, benches)

# bench_sparse and the ADOL-C sparse peer: <problem>/<contender>/<n>, colors counter
benches, peer = [], []
for n in (1000, 10000):
    benches += aggregates(f"lorenz96/plain/{n}", 6.0 * n)
    benches += aggregates(f"lorenz96/sparse_plan/{n}", 12.0 * n, colors=4, nonzeros=4 * n, label="fwd")
    benches += aggregates(f"lorenz96/sparse/{n}", 150.0 * n, colors=4, nonzeros=4 * n, label="fwd")
    # the peer's own colouring may use more colours than duet's (not the plan's)
    peer += aggregates(f"lorenz96/adolc_compressed_repeat/{n}", 30.0 * n, colors=5, colpack=0)
benches += aggregates("lorenz96/dense_forward/1000", 2.4e6)
write("bench_sparse", benches)
write("bench_peer_adolc_sparse", peer)

# bench_scalar: an "other" executable
write("bench_scalar", [iteration("closed_form_20_terms/plain", 69.1),
                       iteration("closed_form_20_terms/hand", 81.5),
                       iteration("closed_form_20_terms/reverse", 111.0)])

# scripts/bench.sh's side files
with open(os.path.join(here, "machine.json"), "w") as f:
    json.dump({"cpu_model": "AMD EPYC (sample)", "cores": 2, "compiler": "g++ (Debian 12.2.0-14) 12.2.0",
               "date": "2026-12-01 20:00 UTC", "mode": "full", "build_s": 300, "run_s": 1000,
               "compile_cost_s": 20, "failed": []}, f, indent=1)
with open(os.path.join(here, "compile_cost.json"), "w") as f:
    json.dump({"compiler": "g++ (Debian 12.2.0-14) 12.2.0", "flags": "-O3 -march=native -std=c++20",
               "units": [{"unit": "forward", "wall_s": 1.2, "cpu_s": 1.1, "max_rss_mb": 90,
                          "ok": True, "object_bytes": 9000, "text_bytes": 3000},
                         {"unit": "tensor", "wall_s": 6.0, "cpu_s": 5.8, "max_rss_mb": 400,
                          "ok": True, "object_bytes": 400000, "text_bytes": 120000}]}, f, indent=1)
