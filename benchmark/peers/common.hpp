// Shared harness for the peer AD libraries (bench_peer_<peer>).
//
// Every benchmark is named "<problem>/<contender>/<n>" (scripts/report.py).
// Each executable also times the plain double evaluation of the same generic
// source as "<problem>/peer_plain/<n>", so peer/plain ratios come from one
// process. Before a contender is timed its value and gradient are compared
// with the problem's hand-written ones (relative 1e-10); a mismatch aborts the
// program with a loud message. DUET_BENCH_QUICK=1 registers only
// P::quick_size() per problem.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "problems/all.hpp"

namespace duet_bench::peers {

// Forward-mode contenders carry one derivative lane per input (O(dimension)
// work per operation, O(dimension^2) per gradient), so they only run for
// n <= 1024 and at most 4096 inputs (matrix_product has 2 n^2 inputs,
// window_classifier 52 n + 50).
inline constexpr std::size_t forward_max_n = 1024;
inline constexpr std::size_t forward_max_dimension = 4096;

template <class P>
bool forward_size_ok(std::size_t n) {
    return n <= forward_max_n && P::dimension(n) <= forward_max_dimension;
}

inline bool quick_mode() {
    const char* q = std::getenv("DUET_BENCH_QUICK");
    return q != nullptr && *q != '\0' && std::string(q) != "0";
}

template <class P>
std::vector<std::size_t> run_sizes() {
    if (quick_mode()) return {P::quick_size()};
    return P::sizes();
}

inline std::string bench_name(const char* problem, const char* contender, std::size_t n) {
    return std::string(problem) + "/" + contender + "/" + std::to_string(n);
}

// Relative 1e-10 in the infinity norm: max_i |g_i - h_i| <= 1e-10 * max_i |h_i|
// (an all-zero hand gradient must be matched to 1e-300). The value is checked
// the same way.
inline constexpr double check_tolerance = 1e-10;

template <class P>
void check_against_hand(const char* contender, std::size_t n, const std::vector<double>& x, double value,
                        const std::vector<double>& g) {
    std::vector<double> h(x.size());
    const double hv = P::hand(x, h);
    const auto fail = [&](const std::string& what) {
        std::fprintf(stderr,
                     "\n*** GRADIENT CHECK FAILED: %s/%s/%zu: %s ***\n"
                     "*** the peer's result disagrees with the hand-written gradient; aborting. ***\n\n",
                     P::name, contender, n, what.c_str());
        std::fflush(stderr);
        std::abort();
    };
    if (g.size() != h.size())
        fail("gradient has " + std::to_string(g.size()) + " entries, hand has " + std::to_string(h.size()));
    double scale = 0, err = 0;
    std::size_t worst = 0;
    for (std::size_t i = 0; i < h.size(); ++i) {
        scale = std::max(scale, std::abs(h[i]));
        const double e = std::abs(g[i] - h[i]);
        if (!(e <= err)) {  // also catches NaN
            err = e;
            worst = i;
        }
    }
    if (!(err <= check_tolerance * std::max(scale, 1e-300))) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "max |g-h| = %.3e at i=%zu (g=%.17g, hand=%.17g), max |hand| = %.3e", err,
                      worst, g[worst], h[worst], scale);
        fail(buf);
    }
    if (!(std::abs(value - hv) <= check_tolerance * std::max(std::abs(hv), 1e-300))) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "value %.17g, hand value %.17g", value, hv);
        fail(buf);
    }
}

// Registers "<problem>/<contender>/<n>". `make(x)` returns a std::unique_ptr
// to a runner with run() (value + gradient into its own storage), value() and
// gradient(). The runner is built lazily, the first time the benchmark runs
// (so a --benchmark_filter run touches no other contender's state), and its
// gradient is checked against the hand gradient before anything is timed.
template <class P, class Make>
void register_contender(const char* contender, std::size_t n, Make make) {
    using runner_ptr = std::invoke_result_t<Make&, const std::vector<double>&>;
    struct state {
        std::vector<double> x;
        Make make;
        runner_ptr runner;
    };
    auto s = std::make_shared<state>(state{P::input(n), std::move(make), nullptr});
    benchmark::RegisterBenchmark(bench_name(P::name, contender, n).c_str(),
                                 [s, contender, n](benchmark::State& st) {
                                     if (!s->runner) {
                                         s->runner = s->make(s->x);
                                         s->runner->run();
                                         check_against_hand<P>(contender, n, s->x, s->runner->value(),
                                                               s->runner->gradient());
                                     }
                                     auto& r = *s->runner;
                                     for (auto _ : st) {
                                         r.run();
                                         benchmark::DoNotOptimize(r.gradient().data());
                                         benchmark::ClobberMemory();
                                     }
                                 });
}

// "<problem>/peer_plain/<n>": the generic source on double.
template <class P>
void register_plain(std::size_t n) {
    auto x = std::make_shared<const std::vector<double>>(P::input(n));
    benchmark::RegisterBenchmark(bench_name(P::name, "peer_plain", n).c_str(), [x](benchmark::State& st) {
        for (auto _ : st) {
            double v = P::template f<double>(*x);
            benchmark::DoNotOptimize(v);
            benchmark::ClobberMemory();
        }
    });
}

// Calls fn(std::type_identity<P>{}) for every problem P in all_problems.
template <class Fn, class... Ps>
void for_each_problem_impl(Fn& fn, std::tuple<Ps...>*) {
    (fn(std::type_identity<Ps>{}), ...);
}
template <class Fn>
void for_each_problem(Fn&& fn) {
    for_each_problem_impl(fn, static_cast<all_problems*>(nullptr));
}

inline int run_main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // namespace duet_bench::peers
