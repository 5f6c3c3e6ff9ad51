// Calibration of duet::jacobian_cost_model (include/duet/drivers/cost_model.hpp):
// the cost of each step of a Jacobian in units of one plain evaluation of f.
//
// Names: calibrate/<quantity>/<n>, on the dense test function of
// benchmark/jacobian_modes.cpp with m = n outputs:
//   plain                  f on doubles (the unit)
//   forward_pass_<L>_lanes one evaluation on dual<double, L> seeded with L unit
//                          directions, Jacobian columns copied out (as one pass
//                          of duet::jacobian(duet::forward, ...))
//   record                 x registered and f recorded on the thread's
//                          workspace tape (as duet::jacobian(duet::reverse, ...)
//                          does before its sweeps)
//   sweep                  the m sweeps of duet::jacobian(duet::reverse, ...)
//                          on one recording, each seeded on one output and
//                          started at its statement; f_units is per sweep
//   sweep_all_outputs      one sweep seeded on all outputs (a dense row of
//                          weights, as in jacobian_chain's adjoint steps)
//   gemm_multiply_add      a BLAS n x n x n product; ns_per_multiply_add
// Counter f_units = (time of the quantity) / (time of plain f), both in CPU
// time of this thread (page faults included; other processes on the machine
// excluded), the plain time measured just before in the same process.
// Re-calibrate: doc/cost_model.md.
#include <benchmark/benchmark.h>

#include <ctime>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/drivers/container.hpp"
#include "duet/drivers/container_jacobian.hpp"
#include "duet/drivers/cost_model.hpp"
#include "duet/tensor/blas.hpp"
#include "jacobian_functions.hpp"

namespace {

using duet_bench::dense_function;
using duet_bench::thread_ns;
using duet_bench::dense_input;

// CPU ns per call of fn: batches of doubling size until one takes >= 2 ms,
// the faster of 3 such batches.
template <class Fn>
double cpu_ns_per_call(Fn&& fn) {
    fn();  // warm-up
    std::size_t reps = 1;
    double best = 1e300;
    for (int batch = 0; batch < 3;) {
        const double t0 = thread_ns();
        for (std::size_t r = 0; r < reps; ++r) fn();
        const double ns = thread_ns() - t0;
        if (ns < 2e6) {
            reps *= 2;
            continue;
        }
        best = std::min(best, ns / double(reps));
        ++batch;
    }
    return best;
}

double plain_ns(const dense_function& f, const std::vector<double>& x) {
    return cpu_ns_per_call([&] {
        auto y = f(x);
        benchmark::DoNotOptimize(y.data());
    });
}

// Runs the timed loop of `state` over body(), then sets f_units = CPU time
// per call (per `per_call` units of work) / unit_ns.
template <class Body>
void timed(benchmark::State& state, double unit_ns, double per_call, Body&& body) {
    const double t0 = thread_ns();
    for (auto _ : state) body();
    const double ns = thread_ns() - t0;
    state.counters["f_units"] = ns / double(state.iterations()) / per_call / unit_ns;
}

// What every calibration benchmark starts from: n = m = state.range(0),
// the dense function, its point, and the plain evaluation's CPU ns (the unit).
struct calibration {
    std::size_t n;
    dense_function f;
    std::vector<double> x;
    double unit;
    explicit calibration(const benchmark::State& state)
        : n(std::size_t(state.range(0))), f{n}, x(dense_input(n)), unit(plain_ns(f, x)) {}
};

void plain(benchmark::State& state) {
    const calibration c(state);
    const auto& [n, f, x, unit] = c;
    timed(state, unit, 1.0, [&] {
        auto y = f(x);
        benchmark::DoNotOptimize(y.data());
    });
}

template <std::size_t L>
void forward_pass(benchmark::State& state) {
    const calibration c(state);
    const auto& [n, f, x, unit] = c;
    auto J = xt::xtensor<double, 2>::from_shape({n, n});
    // Seeded once, as the driver does (its passes move the seeds in place).
    std::vector<duet::dual<double, L>> xs;
    for (std::size_t i = 0; i < x.size(); ++i) {
        xs.emplace_back(x[i]);
        if (i < L) xs.back().tangent(i) = 1.0;
    }
    timed(state, unit, 1.0, [&] {
        const auto ys = f(xs);
        for (std::size_t i = 0; i < ys.size(); ++i)
            for (std::size_t l = 0; l < L && l < n; ++l) J(i, l) = ys[i].tangent(l);
        benchmark::DoNotOptimize(J.data());
    });
}

void record(benchmark::State& state) {
    const calibration c(state);
    const auto& [n, f, x, unit] = c;
    timed(state, unit, 1.0, [&] {
        duet::with_workspace_tape<double>([&](duet::tape<double>& t) {
            const auto r = duet::detail::record_vector_function(t, f, x);
            benchmark::DoNotOptimize(r.outputs.data());
        });
    });
}

void sweep(benchmark::State& state) {
    const calibration c(state);
    const auto& [n, f, x, unit] = c;
    duet::tape<double> t;
    const auto r = duet::detail::record_vector_function(t, f, x);
    timed(state, unit, double(n), [&] {
        auto J = duet::detail::jacobian_sweeps(t, r, f, x, duet::threads{});
        benchmark::DoNotOptimize(J.data());
    });
}

void sweep_all_outputs(benchmark::State& state) {
    const calibration c(state);
    const auto& [n, f, x, unit] = c;
    duet::tape<double> t;
    const auto r = duet::detail::record_vector_function(t, f, x);
    timed(state, unit, 1.0, [&] {
        t.zero_adjoints();
        for (const auto& y : r.outputs) t.seed(y);
        t.backward();
        benchmark::DoNotOptimize(t.adjoints(r.first_input, 1)[0]);
    });
}

void gemm_multiply_add(benchmark::State& state) {
    const auto n = std::size_t(state.range(0));
    auto A = xt::xtensor<double, 2>::from_shape({n, n});
    auto B = A;
    auto C = A;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            A(i, j) = double((i * 7 + j * 3) % 11) / 11.0;
            B(i, j) = double((i * 5 + j) % 13) / 13.0;
        }
    duet::blas::gemm(A, false, B, false, C, false);  // BLAS start-up
    const double t0 = thread_ns();
    for (auto _ : state) {
        duet::blas::gemm(A, false, B, false, C, false);
        benchmark::DoNotOptimize(C.data());
    }
    const double ns = thread_ns() - t0;
    state.counters["ns_per_multiply_add"] = ns / double(state.iterations()) / double(n * n * n);
}

void sizes(benchmark::internal::Benchmark* b) {
    for (long n : {16, 64, 256, 1024}) b->Arg(n);
    b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(plain)->Name("calibrate/plain")->Apply(sizes);
BENCHMARK(forward_pass<1>)->Name("calibrate/forward_pass_1_lanes")->Apply(sizes);
BENCHMARK(forward_pass<2>)->Name("calibrate/forward_pass_2_lanes")->Apply(sizes);
BENCHMARK(forward_pass<4>)->Name("calibrate/forward_pass_4_lanes")->Apply(sizes);
BENCHMARK(forward_pass<8>)->Name("calibrate/forward_pass_8_lanes")->Apply(sizes);
BENCHMARK(record)->Name("calibrate/record")->Apply(sizes);
BENCHMARK(sweep)->Name("calibrate/sweep")->Apply(sizes);
BENCHMARK(sweep_all_outputs)->Name("calibrate/sweep_all_outputs")->Apply(sizes);
BENCHMARK(gemm_multiply_add)->Name("calibrate/gemm_multiply_add")->Arg(96)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace
