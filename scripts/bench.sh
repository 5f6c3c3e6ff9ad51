#!/usr/bin/env bash
# THE benchmark command: Release build in build/bench, runs every bench_*,
# writes doc/benchmarks/report.md (scripts/report.py) and prints it.
# Three repetitions, medians reported. DUET_BENCH_QUICK=1: one repetition,
# --benchmark_min_time=0.01.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
# One BLAS thread: AD overhead and hand-written code are compared on equal
# terms, and timings on a small shared machine stay repeatable.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

build=build/bench
results=$build/results
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DDUET_BUILD_TESTS=OFF -DDUET_BUILD_DOCS=OFF -DDUET_BUILD_BENCHMARKS=ON \
  -DDUET_BENCH_SMOKE_TESTS=OFF
cmake --build "$build" -j2

if [[ "${DUET_BENCH_QUICK:-0}" == 1 ]]; then
  run_args=(--benchmark_repetitions=1 --benchmark_min_time=0.01)
else
  run_args=(--benchmark_repetitions=3 --benchmark_report_aggregates_only=true)
fi
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
context=(--benchmark_context=build_type=Release
         "--benchmark_context=compiler=$("$compiler" --version | head -n 1)")

rm -rf "$results"
mkdir -p "$results"
mapfile -t benches < <(find "$build/benchmark" -maxdepth 1 -type f -name 'bench_*' -perm -u+x 2>/dev/null | sort)
echo "bench: ${#benches[@]} benchmark executable(s)"
status=0
i=0
for exe in "${benches[@]}"; do
  i=$((i + 1))
  name=$(basename "$exe")
  echo "=== [$i/${#benches[@]}] $name"
  t0=$(date +%s)
  if ! "$exe" "${run_args[@]}" "${context[@]}" --benchmark_format=console \
       --benchmark_out="$results/$name.json" --benchmark_out_format=json; then
    echo "=== $name FAILED"
    status=1
  fi
  echo "=== [$i/${#benches[@]}] $name done in $(( $(date +%s) - t0 ))s"
done

mkdir -p doc/benchmarks
shopt -s nullglob
python3 scripts/report.py -o doc/benchmarks/report.md "$results"/*.json
exit "$status"
