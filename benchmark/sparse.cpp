// Sparse Jacobians by compression (include/duet/sparse/sparse_jacobian.hpp)
// on the problems of benchmark/problems/sparse_problems.hpp (Lorenz-96, 2-D
// Bratu), n = 10^3, 10^4, 10^5 (Bratu: k = 32, 100, 316); DUET_BENCH_QUICK=1:
// the smallest size only.
//
// Names "<problem>/<contender>/<n>":
//   plain          one evaluation of f on double.
//   sparse_plan    plan(x) of a duet::sparse_jacobian_plan(f, x) built once,
//                  untimed (the Newton-loop case: no detection, no colouring).
//   sparse         duet::sparse_jacobian(f, x): detection, colouring and
//                  the compressed evaluation.
//   dense_forward  duet::jacobian(duet::forward, f, x), only for n <= 1024
//                  (the dense m x n result).
// Counters of sparse_plan and sparse: colors (the colouring's colours: lanes
// forward, sweeps reverse), nonzeros; label: the mode the plan chose
// (fwd / rev). per_color_eval = t / (colors * t_plain) is left to the report.
// Before anything is timed, each contender's result is compared entry by
// entry with the problem's hand Jacobian (relative 1e-12 of the largest
// entry), and its number of nonzeros with the problem's; a mismatch aborts.
//
// Memory: at n = 10^5 a plan(x) used to allocate megabytes per call (the
// forward passes' duals, the result's copy of the pattern) and, with glibc's
// defaults, to fault them in again on every call: lorenz96/sparse_plan/100000
// 25-112 ms in a user's program against 1.5 ms from a heap that is never
// trimmed. A plan now keeps its buffers and shares its pattern (doc/sparse.md,
// "Memory": 0 page faults per call, 1.3-2.2 ms with glibc's defaults). As
// bench_peer_adolc / bench_peer_adolc_sparse do, main() still serves
// everything from the heap and never trims it (a warmed-up process, for the
// peers' sake); DUET_BENCH_GLIBC_MALLOC=1 keeps glibc's defaults, as a user's
// program has them.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>

#include <limits>
#endif

#include "duet/drivers/container.hpp"
#include "duet/drivers/container_jacobian.hpp"
#include "duet/sparse.hpp"
#include "problems/sparse_problems.hpp"

namespace {

namespace ds = duet_bench::sparse;

constexpr std::size_t dense_max_n = 1024;
constexpr double tolerance = 1e-12;

bool quick_mode() {
    const char* q = std::getenv("DUET_BENCH_QUICK");
    return q != nullptr && *q != '\0' && std::string(q) != "0";
}

template <class P>
struct problem_function {
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        return P::template f<T>(x);
    }
};

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "\n*** bench_sparse: CHECK FAILED: %s ***\n\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

template <class P>
void check_sparse(const duet::sparse_matrix<double>& J, const std::vector<double>& x, const std::string& what) {
    const std::size_t n = x.size();
    if (J.rows() != n || J.cols() != n) fail(what + ": wrong shape");
    if (J.nonzeros() != P::nonzeros(n))
        fail(what + ": " + std::to_string(J.nonzeros()) + " nonzeros, expected " + std::to_string(P::nonzeros(n)));
    const double scale = ds::largest_entry<P>(x);
    const auto& offsets = J.row_offsets();
    const auto& columns = J.column_indices();
    const auto values = J.values();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = offsets[i]; k < offsets[i + 1]; ++k) {
            const std::size_t j = columns[k];
            const double h = P::entry(x, i, j);
            if (!(std::abs(values[k] - h) <= tolerance * scale))
                fail(what + ": J(" + std::to_string(i) + ", " + std::to_string(j) + ") = " +
                     std::to_string(values[k]) + ", hand " + std::to_string(h));
        }
}

template <class P, class M>
void check_dense(const M& J, const std::vector<double>& x, const std::string& what) {
    const std::size_t n = x.size();
    if (J.shape(0) != n || J.shape(1) != n) fail(what + ": wrong shape");
    const double scale = ds::largest_entry<P>(x);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (!(std::abs(J(i, j) - P::entry(x, i, j)) <= tolerance * scale))
                fail(what + ": dense J(" + std::to_string(i) + ", " + std::to_string(j) + ") differs from hand");
}

std::string bench_name(const char* problem, const char* contender, std::size_t n) {
    return std::string(problem) + "/" + contender + "/" + std::to_string(n);
}

template <class P>
void register_problem(std::size_t n) {
    benchmark::RegisterBenchmark(bench_name(P::name, "plain", n).c_str(), [n](benchmark::State& state) {
        const auto x = P::input(n);
        for (auto _ : state) {
            auto y = P::template f<double>(x);
            benchmark::DoNotOptimize(y.data());
            benchmark::ClobberMemory();
        }
    });
    benchmark::RegisterBenchmark(bench_name(P::name, "sparse_plan", n).c_str(), [n](benchmark::State& state) {
        const auto x = P::input(n);
        const auto plan = duet::sparse_jacobian_plan(problem_function<P>{}, x);
        const auto J0 = plan(x);
        check_sparse<P>(J0, x, bench_name(P::name, "sparse_plan", n));
        for (auto _ : state) {
            auto J = plan(x);
            benchmark::DoNotOptimize(J.values().data());
            benchmark::ClobberMemory();
        }
        state.counters["colors"] = double(plan.colors());
        state.counters["nonzeros"] = double(J0.nonzeros());
        state.SetLabel(plan.mode() == duet::mode_choice::forward ? "fwd" : "rev");
    });
    benchmark::RegisterBenchmark(bench_name(P::name, "sparse", n).c_str(), [n](benchmark::State& state) {
        const auto x = P::input(n);
        const auto J0 = duet::sparse_jacobian(problem_function<P>{}, x);
        check_sparse<P>(J0, x, bench_name(P::name, "sparse", n));
        for (auto _ : state) {
            auto J = duet::sparse_jacobian(problem_function<P>{}, x);
            benchmark::DoNotOptimize(J.values().data());
            benchmark::ClobberMemory();
        }
        state.counters["colors"] = double(J0.colors());
        state.counters["nonzeros"] = double(J0.nonzeros());
        const auto mode = duet::sparse_jacobian_plan(problem_function<P>{}, x).mode();
        state.SetLabel(mode == duet::mode_choice::forward ? "fwd" : "rev");
    });
    if (n <= dense_max_n)
        benchmark::RegisterBenchmark(bench_name(P::name, "dense_forward", n).c_str(), [n](benchmark::State& state) {
            const auto x = P::input(n);
            check_dense<P>(duet::jacobian(duet::forward, problem_function<P>{}, x), x,
                           bench_name(P::name, "dense_forward", n));
            for (auto _ : state) {
                auto J = duet::jacobian(duet::forward, problem_function<P>{}, x);
                benchmark::DoNotOptimize(J.data());
                benchmark::ClobberMemory();
            }
        });
}

template <class P>
void register_all() {
    const std::vector<std::size_t> sizes = quick_mode() ? std::vector<std::size_t>{P::quick_size()} : P::sizes();
    for (std::size_t n : sizes) register_problem<P>(n);
}

}  // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
    const char* glibc = std::getenv("DUET_BENCH_GLIBC_MALLOC");
    if (glibc == nullptr || *glibc == '\0' || std::string(glibc) == "0") {
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    }
#endif
    register_all<ds::lorenz96>();
    register_all<ds::bratu2d>();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
