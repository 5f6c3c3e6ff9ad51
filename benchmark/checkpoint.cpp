// Binomial checkpointing (reverse/checkpoint.hpp) against the plain tape, on
// N explicit Euler steps of Lorenz-63 (n = 3) and the objective sum (i + 1)
// x_i^2 + sin(x_0) of the final state (doc/checkpointing.md has the figures).
//
// Names (kept stable: scripts plot them):
//   lorenz_gradient/plain_function/<N>    the loop on doubles, no derivative
//   lorenz_gradient/plain_tape/<N>        duet::value_and_gradient(duet::reverse,
//                                         whole loop): all N steps on the
//                                         thread's workspace tape (its memory
//                                         reused between calls), one sweep
//   lorenz_gradient/checkpoint_s<s>/<N>   checkpointed_gradient with s
//                                         snapshots, s = 10, 100
//   N = 10^3, 10^4, 10^5 (DUET_BENCH_QUICK=1: 10^3).
// Counters: tape_statements / tape_bytes (the tape's peak size and its
// capacity in bytes; plain: from one recording on a tape of its own), stored_state_bytes (checkpoint: peak snapshots x n x 8),
// step_evaluations_per_step ((recorded + recomputed steps) / N).
// The checkpointed gradient is checked against the plain tape's before it is
// timed (1e-13 relative); a mismatch aborts the run.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "duet/drivers/container.hpp"
#include "duet/reverse/checkpoint.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"

namespace {

struct lorenz {
    double dt = 1e-4;
    template <class V>
    V operator()(const V& s) const {
        using N = typename V::value_type;
        return {N(s[0] + dt * (10.0 * (s[1] - s[0]))), N(s[1] + dt * (s[0] * (28.0 - s[2]) - s[1])),
                N(s[2] + dt * (s[0] * s[1] - 8.0 / 3.0 * s[2]))};
    }
};

struct objective {
    template <class V>
    typename V::value_type operator()(const V& s) const {
        using N = typename V::value_type;
        using std::sin;
        N J = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i) J += (1.0 + double(i)) * s[i] * s[i];
        return N(J + sin(s[0]));
    }
};

const std::vector<double> x0{1.0, 1.5, 20.0};

struct plain_result {
    double value;
    std::vector<double> gradient;
    std::size_t statements, bytes;
};

plain_result plain_tape(std::size_t N) {
    duet::tape<double> t;
    std::vector<duet::var<double>> s(x0.begin(), x0.end());
    const std::vector<duet::var<double>> inputs = s;
    for (std::size_t k = 0; k < N; ++k) s = lorenz{}(s);
    const duet::var<double> J = objective{}(s);
    t.backward(J);
    plain_result out{J.value(), {}, t.size(), t.memory()};
    for (const auto& x : inputs) out.gradient.push_back(t.adjoint(x));
    return out;
}

void plain_function(benchmark::State& state) {
    const auto N = std::size_t(state.range(0));
    for (auto _ : state) {
        std::vector<double> s = x0;
        for (std::size_t k = 0; k < N; ++k) s = lorenz{}(s);
        benchmark::DoNotOptimize(objective{}(s));
    }
}

auto whole_loop(std::size_t N) {
    return [N](const auto& x) {
        auto s = x;
        for (std::size_t k = 0; k < N; ++k) s = lorenz{}(s);
        return objective{}(s);
    };
}

void plain(benchmark::State& state) {
    const auto N = std::size_t(state.range(0));
    const plain_result r = plain_tape(N);
    const auto g = duet::value_and_gradient(duet::reverse, whole_loop(N), x0);
    if (g.gradient != r.gradient) {
        std::fprintf(stderr, "bench_checkpoint: the workspace tape's gradient differs from a tape of its own\n");
        std::abort();
    }
    for (auto _ : state) {
        auto out = duet::value_and_gradient(duet::reverse, whole_loop(N), x0);
        benchmark::DoNotOptimize(out.gradient.data());
    }
    state.counters["tape_statements"] = double(r.statements);
    state.counters["tape_bytes"] = double(r.bytes);
    state.counters["stored_state_bytes"] = 0;
    state.counters["step_evaluations_per_step"] = 1;
}

void checkpointed(benchmark::State& state, std::size_t snapshots) {
    const auto N = std::size_t(state.range(0));
    const auto reference = plain_tape(N);
    auto r = duet::checkpointed_gradient(N, x0, lorenz{}, objective{}, snapshots);
    double scale = 0;
    for (double g : reference.gradient) scale = std::max(scale, std::abs(g));
    for (std::size_t i = 0; i < x0.size(); ++i)
        if (!(std::abs(r.gradient[i] - reference.gradient[i]) <= 1e-13 * scale)) {
            std::fprintf(stderr, "bench_checkpoint: the checkpointed gradient differs from the plain tape's\n");
            std::abort();
        }
    for (auto _ : state) {
        r = duet::checkpointed_gradient(N, x0, lorenz{}, objective{}, snapshots);
        benchmark::DoNotOptimize(r.gradient.data());
    }
    state.counters["tape_statements"] = double(r.stats.peak_tape_statements);
    state.counters["tape_bytes"] = double(r.stats.tape_bytes);
    state.counters["stored_state_bytes"] = double(r.stats.peak_snapshots * x0.size() * sizeof(double));
    state.counters["step_evaluations_per_step"] = double(r.stats.advances + r.stats.recorded_steps) / double(N);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    const char* quick_env = std::getenv("DUET_BENCH_QUICK");
    const bool quick = quick_env != nullptr && std::string(quick_env) != "" && std::string(quick_env) != "0";
    const std::vector<long> sizes = quick ? std::vector<long>{1000} : std::vector<long>{1000, 10000, 100000};
    for (long N : sizes) {
        benchmark::RegisterBenchmark("lorenz_gradient/plain_function", plain_function)->Arg(N)->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark("lorenz_gradient/plain_tape", plain)->Arg(N)->Unit(benchmark::kMicrosecond);
        for (std::size_t s : {10u, 100u})
            benchmark::RegisterBenchmark(("lorenz_gradient/checkpoint_s" + std::to_string(s)).c_str(), checkpointed, s)
                ->Arg(N)
                ->Unit(benchmark::kMicrosecond);
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
