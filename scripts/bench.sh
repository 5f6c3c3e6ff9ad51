#!/usr/bin/env bash
# THE benchmark command (the main job):
#   1. installs the dependencies, peer AD libraries included (best effort);
#   2. Release build in build/bench (g++ -O3 -march=native, compile_commands.json);
#   3. runs every bench_* executable under build/bench/benchmark (peers/ too),
#      each in its own process; bench_peer_adolc one process per benchmark
#      (ADOL-C's global state depends on what ran before);
#   4. times the compilation of benchmark/compile_cost/*.cpp (one
#      representative translation unit per mode) -> results/compile_cost.json;
#   5. writes doc/benchmarks/report.md and its plots (scripts/report.py),
#      prints the report and, in a full run, rewrites README.md's benchmark
#      section (the headline table).
# Full run: 3 repetitions (medians reported), --benchmark_min_time=0.2.
# DUET_BENCH_QUICK=1: one repetition, --benchmark_min_time=0.01, and the
# benchmarks register one size per problem.
# DUET_BENCH_JOBS: parallel build jobs (default 2).
# DUET_BENCH_BUILD_DIR: build directory (default build/bench).
# DUET_BENCH_TARGETS: build only these targets (space-separated; development).
# DUET_BENCH_TIMEOUT: seconds allowed per benchmark process (default 1800).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh --bench-peers
# One BLAS thread: AD overhead and hand-written code are compared on equal
# terms, and timings on a small shared machine stay repeatable.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
quick="${DUET_BENCH_QUICK:-0}"
if [[ "$quick" == 1 ]]; then export DUET_BENCH_QUICK=1; else unset DUET_BENCH_QUICK; fi

now() { date +%s; }
start=$(now)

build="${DUET_BENCH_BUILD_DIR:-build/bench}"
results=$build/results
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DDUET_BUILD_TESTS=OFF -DDUET_BUILD_DOCS=OFF -DDUET_BUILD_BENCHMARKS=ON \
  -DDUET_BENCH_SMOKE_TESTS=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
build_status=0
# -k 0: one benchmark that does not compile must not stop the others.
targets=()
for t in ${DUET_BENCH_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j"${DUET_BENCH_JOBS:-2}" "${targets[@]}" -- -k 0 || build_status=$?
if [[ $build_status -ne 0 ]]; then
  echo "bench: WARNING: the build failed for some targets; running what was built"
fi
# --- the user's translation unit: benchmark/user_tu.cpp built as a user builds
# it, with plain flags and nothing from duet's CMake target, by g++ and by
# clang++ (the CMake build above made bench_user_tu with duet's flags).
user_flags=(-std=c++20 -O3 -march=native -DNDEBUG -Iinclude)
blas_lib=-lopenblas
[[ -e /usr/lib/x86_64-linux-gnu/libopenblas.so || -e /usr/lib/libopenblas.so ]] || blas_lib=-lblas
if [[ -z "${DUET_BENCH_TARGETS:-}" || " ${DUET_BENCH_TARGETS} " == *" bench_user_tu "* ]]; then
  for pair in g++:gcc clang++:clang; do
    cc=${pair%%:*}
    exe="$build/benchmark/bench_user_tu_${pair#*:}"
    if ! command -v "$cc" >/dev/null; then
      echo "bench: WARNING: $cc not found; no $(basename "$exe")"
      continue
    fi
    echo "bench: $cc ${user_flags[*]} benchmark/user_tu.cpp -> $exe"
    if ! "$cc" "${user_flags[@]}" benchmark/user_tu.cpp -o "$exe" -lbenchmark "$blas_lib" -lpthread; then
      echo "bench: WARNING: the user translation unit did not build with $cc"
      build_status=1
    fi
  done
fi
built=$(now)

if [[ "$quick" == 1 ]]; then
  run_args=(--benchmark_repetitions=1 --benchmark_min_time=0.01)
else
  run_args=(--benchmark_repetitions=3 --benchmark_report_aggregates_only=true
            --benchmark_min_time=0.2)
fi
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
compiler_version=$("$compiler" --version | head -n 1)
context=(--benchmark_context=build_type=Release
         "--benchmark_context=compiler=$compiler_version")
timeout_s="${DUET_BENCH_TIMEOUT:-1800}"

rm -rf "$results"
mkdir -p "$results"

# Every benchmark executable, peers included; CMake's own files excluded.
mapfile -t benches < <(find "$build/benchmark" -type f -name 'bench_*' -perm -u+x \
                         -not -path '*/CMakeFiles/*' 2>/dev/null | sort)

# The processes to run: "exe<TAB>filter<TAB>tag". bench_peer_adolc: one per
# benchmark, the filter being the anchored benchmark name.
regex_quote() { sed 's/[][\.^$*+?(){}|]/\\&/g' <<<"$1"; }
jobs=()
for exe in "${benches[@]}"; do
  name=$(basename "$exe")
  if [[ $name == bench_peer_adolc ]]; then
    mapfile -t tests < <("$exe" --benchmark_list_tests=true 2>/dev/null || true)
    k=0
    for t in "${tests[@]}"; do
      [[ -n $t ]] || continue
      k=$((k + 1))
      jobs+=("$exe"$'\t'"^$(regex_quote "$t")\$"$'\t'"$name.$k"$'\t'"$name $t")
    done
    if [[ $k -eq 0 ]]; then
      echo "bench: WARNING: $name lists no benchmark"
    fi
  else
    jobs+=("$exe"$'\t'"."$'\t'"$name"$'\t'"$name")
  fi
done
echo "bench: ${#benches[@]} benchmark executable(s), ${#jobs[@]} process(es)" \
     "($([[ $quick == 1 ]] && echo quick || echo full) mode)"

status=$build_status
failed=()
i=0
for job in "${jobs[@]}"; do
  IFS=$'\t' read -r exe filter tag label <<<"$job"
  i=$((i + 1))
  t0=$(now)
  printf '[%d/%d] %s … ' "$i" "${#jobs[@]}" "$label"
  if timeout "$timeout_s" "$exe" "${run_args[@]}" "${context[@]}" \
       "--benchmark_filter=$filter" --benchmark_format=console \
       --benchmark_out="$results/$tag.json" --benchmark_out_format=json \
       >"$results/$tag.log" 2>&1; then
    echo "done in $(( $(now) - t0 ))s"
  else
    rc=$?
    echo "FAILED (exit $rc) after $(( $(now) - t0 ))s; last lines of $results/$tag.log:"
    tail -n 15 "$results/$tag.log" | sed 's/^/    /'
    status=1
    failed+=("$label")
  fi
done
ran=$(now)

# --- compile cost: one representative translation unit per mode --------------
# Compiled with the benchmarks' own command line (Release, -O3 -march=native,
# the duet::duet flags), taken from compile_commands.json. Wall time, CPU time
# of the compiler, object size and its text section.
echo "bench: compile cost of benchmark/compile_cost/*.cpp"
python3 - "$build" "$results/compile_cost.json" <<'EOF' || { echo "bench: compile cost FAILED"; status=1; }
import json, os, shlex, subprocess, sys, tempfile, time
build, out = sys.argv[1], sys.argv[2]
root = os.getcwd()
with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
    db = json.load(f)
# A benchmark translation unit of the main benchmark directory (not a peer's).
entries = [e for e in db if os.path.dirname(os.path.abspath(e["file"])) ==
           os.path.join(root, "benchmark")]
if not entries:
    sys.exit("no benchmark entry in compile_commands.json")
entry = sorted(entries, key=lambda e: e["file"])[0]
args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
# Drop the output, the input and the dependency-file flags; keep everything else.
keep, skip = [], 0
for a in args:
    if skip:
        skip -= 1
        continue
    if a in ("-o", "-MF", "-MT", "-MQ"):
        skip = 1
        continue
    if a in ("-c", "-MD", "-MMD") or a == entry["file"] or os.path.abspath(
            os.path.join(entry["directory"], a)) == os.path.abspath(entry["file"]):
        continue
    keep.append(a)
objdir = os.path.join(root, build, "compile_cost")
os.makedirs(objdir, exist_ok=True)
srcdir = os.path.join(root, "benchmark", "compile_cost")
rows = []
for name in sorted(os.listdir(srcdir)):
    if not name.endswith(".cpp"):
        continue
    src, obj = os.path.join(srcdir, name), os.path.join(objdir, name[:-4] + ".o")
    cmd = keep + ["-c", src, "-o", obj]
    # os.wait4: the compiler's own CPU time and peak memory.
    with tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=entry["directory"], stdout=err, stderr=err)
        _, wstatus, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(wstatus)
        err.seek(0)
        stderr = err.read()
    row = {"unit": name[:-4], "source": os.path.relpath(src, root), "wall_s": round(wall, 3),
           "cpu_s": round(ru.ru_utime + ru.ru_stime, 3), "max_rss_mb": round(ru.ru_maxrss / 1024, 1),
           "ok": proc.returncode == 0}
    if proc.returncode == 0:
        row["object_bytes"] = os.path.getsize(obj)
        sz = subprocess.run(["size", "-A", obj], capture_output=True, text=True).stdout
        row["text_bytes"] = sum(int(l.split()[1]) for l in sz.splitlines()
                                if l.startswith(".text") and len(l.split()) >= 2)
    else:
        row["error"] = stderr[-2000:]
        print(stderr[-2000:], file=sys.stderr)
    rows.append(row)
    print(f"  {name}: {row['wall_s']:.1f} s wall, {row['cpu_s']:.1f} s CPU"
          + (f", {row['object_bytes']:,} B object, {row['text_bytes']:,} B text" if row["ok"] else ", FAILED"))
compiler = keep[0]
version = subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
flags = " ".join(a for a in keep[1:] if not a.startswith(("-I", "-isystem")) and a != "-isystem")
json.dump({"compiler": version, "flags": flags, "units": rows}, open(out, "w"), indent=1)
if not all(r["ok"] for r in rows):
    sys.exit(1)
EOF
compiled=$(now)

# --- the machine ---------------------------------------------------------------
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
python3 - "$results/machine.json" "${cpu_model:-unknown}" "$(nproc)" "$compiler_version" \
  "$([[ $quick == 1 ]] && echo quick || echo full)" "$((built - start))" "$((ran - built))" \
  "$((compiled - ran))" "${failed[@]}" <<'EOF'
import datetime, json, sys
out, cpu, cores, compiler, mode, build_s, run_s, cc_s, *failed = sys.argv[1:]
json.dump({"cpu_model": cpu, "cores": int(cores), "compiler": compiler,
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "mode": mode, "build_s": int(build_s), "run_s": int(run_s),
           "compile_cost_s": int(cc_s), "failed": failed}, open(out, "w"), indent=1)
EOF

mkdir -p doc/benchmarks
shopt -s nullglob
# A full run also rewrites README.md's benchmark section (headline table).
readme=()
if [[ "$quick" != 1 ]]; then readme=(--readme README.md); fi
python3 scripts/report.py -o doc/benchmarks/report.md --plots doc/benchmarks \
  --machine "$results/machine.json" --compile-cost "$results/compile_cost.json" \
  "${readme[@]}" "$results"/bench_*.json || status=1
echo "bench: build $((built - start))s, benchmarks $((ran - built))s," \
     "compile cost $((compiled - ran))s, total $(( $(now) - start ))s"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "bench: FAILED: ${failed[*]}"
fi
exit "$status"
