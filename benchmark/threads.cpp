// duet::threads{k}: a dense Jacobian on 1 and 2 threads, forward and reverse
// (drivers/passes.hpp splits the lane passes / the sweeps; doc/threads.md).
//
// Names (kept stable: scripts plot them):
//   dense_jacobian_threads/<forward|reverse>_t<k>/<n>
//       duet::jacobian(mode, f, x, duet::threads{k}) of the dense f: R^n ->
//       R^n of benchmark/jacobian_functions.hpp (y_i = sin(sum_j a_ij
//       tanh(x_j))), n = 512 (DUET_BENCH_QUICK=1: 64). Each reverse sweep
//       reaches only its output's n partials and the n tanh: the m sweeps
//       cost about as much as the one recording each thread makes.
//   two_layer_jacobian_threads/<forward|reverse>_t<k>/<n>
//       the same for y = tanh(W2 tanh(W1 x)) (dense_stage twice, n x n, n =
//       256; quick: 32): each reverse sweep reaches all of the first layer,
//       so the sweeps dominate the recording.
// Timed in wall-clock time (UseRealTime): the work is spread over threads.
// Counter speedup (the t2 rows): the t1 row's wall time over this one's, from
// interleaved rounds (each contender once per round, best of 5 rounds), so
// both see the same machine load. Every threaded result is checked bitwise
// against threads{1} before it is timed; a mismatch aborts the run.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/drivers/container_jacobian.hpp"
#include "jacobian_functions.hpp"

namespace {

using duet_bench::dense_function;
using duet_bench::dense_input;
using duet_bench::dense_stage;

struct two_layers {
    dense_stage first, second;
    explicit two_layers(std::size_t n) : first(n, n, 1), second(n, n, 2) {}
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        return second(first(x));
    }
};

template <class F>
xt::xtensor<double, 2> jacobian_by(bool forward, std::size_t k, const F& f, const std::vector<double>& x) {
    return forward ? duet::jacobian(duet::forward, f, x, duet::threads{k})
                   : duet::jacobian(duet::reverse, f, x, duet::threads{k});
}

double wall_ns() {
    return double(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

template <class F>
void jacobian_threads(benchmark::State& state, bool forward, std::size_t k) {
    const auto n = std::size_t(state.range(0));
    const auto x = dense_input(n);
    const F f{n};
    const auto one = jacobian_by(forward, 1, f, x);
    if (!(jacobian_by(forward, k, f, x) == one)) {
        std::fprintf(stderr, "bench_threads: threads{%zu} differs from threads{1}\n", k);
        std::abort();
    }
    for (auto _ : state) {
        auto J = jacobian_by(forward, k, f, x);
        benchmark::DoNotOptimize(J.data());
    }
    if (k > 1) {
        double best1 = 1e300, bestk = 1e300;
        for (int round = 0; round < 5; ++round) {
            double t0 = wall_ns();
            benchmark::DoNotOptimize(jacobian_by(forward, 1, f, x).data());
            best1 = std::min(best1, wall_ns() - t0);
            t0 = wall_ns();
            benchmark::DoNotOptimize(jacobian_by(forward, k, f, x).data());
            bestk = std::min(bestk, wall_ns() - t0);
        }
        state.counters["speedup"] = best1 / bestk;
    }
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    const char* quick_env = std::getenv("DUET_BENCH_QUICK");
    const bool quick = quick_env != nullptr && std::string(quick_env) != "" && std::string(quick_env) != "0";
    for (bool forward : {true, false})
        for (std::size_t k : {1u, 2u}) {
            const std::string contender = std::string(forward ? "forward" : "reverse") + "_t" + std::to_string(k);
            benchmark::RegisterBenchmark(("dense_jacobian_threads/" + contender).c_str(),
                                         jacobian_threads<dense_function>, forward, k)
                ->Arg(quick ? 64 : 512)
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond);
            benchmark::RegisterBenchmark(("two_layer_jacobian_threads/" + contender).c_str(),
                                         jacobian_threads<two_layers>, forward, k)
                ->Arg(quick ? 32 : 256)
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond);
        }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
