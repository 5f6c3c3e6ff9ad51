#!/usr/bin/env bash
# THE test command: builds and runs every test in two configurations.
#   (a) g++     Release,         -Werror                          build/gcc-release
#   (b) clang++ Debug at -O1,    -Werror, ASan+UBSan, no benches  build/clang-asan
#   (c) clang++ Debug at -O1,    -Werror, TSan, ONLY test_drivers_threads
#                                                                  build/clang-tsan
#       (the threaded Jacobian/Hessian passes, duet::threads; about a minute)
# Stage (a) includes a smoke test of every benchmark executable (peers too:
# hence --bench-peers) in the main job's quick variant (DUET_BENCH_QUICK=1),
# and the test of scripts/report.py on sample JSON (test/report).
# DUET_TEST_QUICK=1 skips (b) and (c). Ends with a line "N passed, M failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh --bench-peers

jobs=2
total_passed=0
total_failed=0
status=0
# One BLAS thread per process: ctest already runs tests in parallel.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"

now() { date +%s; }

# run_stage NAME BUILD_DIR CMAKE_ARGS...: configure, build, ctest; accumulate
# the ctest counts. Keeps going after a build error, so that ctest reports
# the tests whose executables are missing as failed. With STAGE_TARGET set,
# builds only that target and runs only the ctest test of that name.
run_stage() {
  local name=$1 dir=$2; shift 2
  local t0 log passed failed total
  t0=$(now)
  echo "=== [$name] configure"
  if ! cmake -S . -B "$dir" -G Ninja "$@"; then
    echo "=== [$name] configure FAILED"
    status=1 total_failed=$((total_failed + 1))
    return
  fi
  echo "=== [$name] build"
  local build_failed=0
  local target_args=() test_args=()
  if [[ -n "${STAGE_TARGET:-}" ]]; then
    target_args=(--target "$STAGE_TARGET")
    test_args=(-R "^${STAGE_TARGET}\$")
  fi
  if ! cmake --build "$dir" -j"$jobs" "${target_args[@]}" -- -k 0; then
    # Counted as one failure: a stale executable could otherwise still pass.
    echo "=== [$name] build FAILED (counted as 1 failed)"
    status=1 build_failed=1
  fi
  local t1; t1=$(now)
  echo "=== [$name] ctest"
  log="$dir/ctest.log"
  if ! ctest --test-dir "$dir" --output-on-failure -j"$jobs" "${test_args[@]}" 2>&1 | tee "$log"; then
    status=1
  fi
  local t2; t2=$(now)
  # ctest's summary: "95% tests passed, 1 tests failed out of 20"
  if read -r failed total < <(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' "$log" | tail -n 1); then
    passed=$((total - failed))
  elif grep -q 'No tests were found' "$log"; then
    passed=0 failed=0
  else
    echo "=== [$name] could not read ctest's summary"
    passed=0 failed=1 status=1
  fi
  failed=$((failed + build_failed))
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  echo "=== [$name] timing: configure+build $((t1 - t0))s, ctest $((t2 - t1))s, total $((t2 - t0))s ($passed passed, $failed failed)"
}

start=$(now)

run_stage gcc-release build/gcc-release \
  -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DDUET_WERROR=ON

if [[ "${DUET_TEST_QUICK:-0}" == 1 ]]; then
  echo "=== [clang-asan] skipped (DUET_TEST_QUICK=1)"
else
  export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
  run_stage clang-asan build/clang-asan \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" \
    -DDUET_SANITIZE=address,undefined -DDUET_WERROR=ON -DDUET_BUILD_BENCHMARKS=OFF
  unset ASAN_OPTIONS UBSAN_OPTIONS
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
  STAGE_TARGET=test_drivers_threads run_stage clang-tsan build/clang-tsan \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" \
    -DDUET_SANITIZE=thread -DDUET_WERROR=ON -DDUET_BUILD_BENCHMARKS=OFF -DDUET_BUILD_DOCS=OFF
fi

echo "=== timing: all stages $(( $(now) - start ))s"
if [[ $total_failed -gt 0 ]]; then status=1; fi
echo "${total_passed} passed, ${total_failed} failed"
exit "$status"
