// Forward vs reverse vs the cost model's choice, for duet::jacobian and for
// duet::jacobian_chain (include/duet/drivers/cost_model.hpp: one model for
// both; doc/cost_model.md has the figures).
//
// Names (kept stable: scripts plot them):
//   dense_jacobian_m<m>/<forward|reverse|automatic>/<n>
//       duet::jacobian(mode, f, x) of the dense f: R^n -> R^m,
//       y_i = sin(sum_j a_ij tanh(x_j)), n, m in {1, 4, 16, 64, 256, 1024}.
//       automatic is timed as a repeated call (its m is remembered from the
//       previous call, drivers/container.hpp); dense_jacobian_first_call_m<m>/
//       automatic/<n> times a first call (m learned by a 1-lane dual
//       evaluation or a recording, drivers/container.hpp).
//   jchain_<shape>/<forward|reverse|planned>
//       duet::jacobian_chain on a chain with dims <shape> (n_0 x n_1 x ...);
//       planned executes a plan made once before the timed loop (label: the
//       plan; counter predicted_over_forward/_reverse: the model's ratios).
// Every result is checked against another mode before it is timed; a
// mismatch aborts the run.
// Counters of the automatic / planned rows (robust on a shared machine):
// over_best = its time / the better pure mode's, and forward_over_reverse,
// from interleaved rounds (each contender timed once per round, in thread CPU
// time, best of 5 rounds), so that all see the same machine load.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <initializer_list>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/chain/jacobian_chain.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/container_jacobian.hpp"
#include "jacobian_functions.hpp"

namespace {

using duet_bench::broadcast_stage;
using duet_bench::dense_function;
using duet_bench::dense_stage;
using duet_bench::sum_of_squares;
using duet_bench::thread_ns;
using duet_bench::dense_input;

// ---- dense_jacobian grid ----------------------------------------------------

// Aborts unless A == B to 1e-12 relative to B's largest entry.
void require_same(const xt::xtensor<double, 2>& A, const xt::xtensor<double, 2>& B, const std::string& what) {
    bool same = A.shape(0) == B.shape(0) && A.shape(1) == B.shape(1);
    double scale = 1.0;
    for (double b : B) scale = std::max(scale, std::abs(b));
    for (std::size_t i = 0; same && i < A.shape(0); ++i)
        for (std::size_t j = 0; same && j < A.shape(1); ++j)
            same = std::abs(A(i, j) - B(i, j)) <= 1e-12 * scale;
    if (!same) {
        std::fprintf(stderr, "bench_jacobian_modes: %s: results differ between modes\n", what.c_str());
        std::abort();
    }
}

// Best-of-5-rounds CPU ns per call of each contender, the contenders timed in
// turn within each round (batches of >= 1 ms, or one call).
std::vector<double> interleaved_ns(std::initializer_list<std::function<void()>> contenders) {
    std::vector<std::function<void()>> fns(contenders);
    std::vector<std::size_t> reps(fns.size(), 1);
    for (std::size_t i = 0; i < fns.size(); ++i) {  // warm-up, batch sizes
        const double t0 = thread_ns();
        fns[i]();
        const double ns = thread_ns() - t0;
        reps[i] = ns >= 1e6 ? 1 : std::size_t(1e6 / std::max(ns, 1.0)) + 1;
    }
    std::vector<double> best(fns.size(), 1e300);
    for (int round = 0; round < 5; ++round)
        for (std::size_t i = 0; i < fns.size(); ++i) {
            const double t0 = thread_ns();
            for (std::size_t r = 0; r < reps[i]; ++r) fns[i]();
            best[i] = std::min(best[i], (thread_ns() - t0) / double(reps[i]));
        }
    return best;
}

enum class mode { forward, reverse, automatic };

xt::xtensor<double, 2> dense_jacobian_by(mode md, const dense_function& f, const std::vector<double>& x) {
    switch (md) {
    case mode::forward: return duet::jacobian(duet::forward, f, x);
    case mode::reverse: return duet::jacobian(duet::reverse, f, x);
    case mode::automatic: break;
    }
    return duet::jacobian(duet::automatic, f, x);
}

// The mode a result is checked against.
mode other(mode md) { return md == mode::forward ? mode::reverse : mode::forward; }

void dense_jacobian(benchmark::State& state, mode md, std::size_t m) {
    const auto n = std::size_t(state.range(0));
    const auto x = dense_input(n);
    const dense_function f{m};
    require_same(dense_jacobian_by(md, f, x), dense_jacobian_by(other(md), f, x),
                 "dense_jacobian n = " + std::to_string(n) + ", m = " + std::to_string(m));
    for (auto _ : state) {
        auto J = dense_jacobian_by(md, f, x);
        benchmark::DoNotOptimize(J.data());
    }
    if (md == mode::automatic) {
        state.SetLabel(duet::choose_jacobian_mode(n, m) == duet::mode_choice::forward ? "fwd" : "rev");
        auto run = [&](mode which) {
            return [&, which] {
                auto J = dense_jacobian_by(which, f, x);
                benchmark::DoNotOptimize(J.data());
            };
        };
        const auto ns = interleaved_ns({run(mode::forward), run(mode::reverse), run(mode::automatic)});
        state.counters["over_best"] = ns[2] / std::min(ns[0], ns[1]);
        state.counters["forward_over_reverse"] = ns[0] / ns[1];
    }
}

// A first call of duet::jacobian(automatic, ...) for its function type: a
// fresh closure type per call is not available at run time, so the memo of
// m is reset instead (the only state a first call lacks).
void dense_jacobian_first_call(benchmark::State& state, std::size_t m) {
    const auto n = std::size_t(state.range(0));
    const auto x = dense_input(n);
    const dense_function f{m};
    using memo = duet::detail::outputs_memo<dense_function, std::vector<double>>;
    auto first_call = [&] {
        memo::n = memo::npos;
        auto J = duet::jacobian(duet::automatic, f, x);
        benchmark::DoNotOptimize(J.data());
    };
    for (auto _ : state) first_call();
    auto run = [&](mode which) {
        return [&, which] {
            auto J = dense_jacobian_by(which, f, x);
            benchmark::DoNotOptimize(J.data());
        };
    };
    const auto ns = interleaved_ns({run(mode::forward), run(mode::reverse), first_call});
    state.counters["over_best"] = ns[2] / std::min(ns[0], ns[1]);
    state.counters["forward_over_reverse"] = ns[0] / ns[1];
}

// ---- jacobian_chain shapes --------------------------------------------------

struct chain_problem {
    std::string name;
    std::vector<double> x;
    std::function<duet::jacobian_chain_result(mode)> run;  // automatic: execute `plan`
    duet::jacobian_chain_plan plan;
};

template <class... Fs>
std::shared_ptr<chain_problem> make_chain(std::size_t n0, Fs... fs) {
    auto p = std::make_shared<chain_problem>();
    p->x = dense_input(n0);
    auto stages = std::make_shared<std::tuple<Fs...>>(std::move(fs)...);
    chain_problem* raw = p.get();
    p->run = [stages, raw](mode md) {
        return std::apply(
            [&](const auto&... f) {
                if (md == mode::forward) return duet::jacobian_chain(duet::forward, raw->x, f...);
                if (md == mode::reverse) return duet::jacobian_chain(duet::reverse, raw->x, f...);
                return duet::jacobian_chain(raw->plan, raw->x, f...);
            },
            *stages);
    };
    p->plan = std::apply([&](const auto&... f) { return duet::plan_jacobian_chain(p->x, f...); }, *stages);
    for (std::size_t i = 0; i < p->plan.dims.size(); ++i) {
        if (i > 0) p->name += 'x';  // appends: `"x" + std::string` trips GCC 12's -Wrestrict
        p->name += std::to_string(p->plan.dims[i]);
    }
    return p;
}

void chain_bench(benchmark::State& state, chain_problem* p, mode md) {
    require_same(p->run(md).jacobian, p->run(other(md)).jacobian, "jchain_" + p->name);
    for (auto _ : state) {
        auto r = p->run(md);
        benchmark::DoNotOptimize(r.jacobian.data());
    }
    if (md == mode::automatic) {
        state.SetLabel(p->plan.str());
        state.counters["predicted_over_forward"] = p->plan.cost / p->plan.forward_cost;
        state.counters["predicted_over_reverse"] = p->plan.cost / p->plan.reverse_cost;
        state.counters["multiply_add_ns"] = p->plan.multiply_add_cost;
        auto run = [p](mode which) {
            return [p, which] {
                auto r = p->run(which);
                benchmark::DoNotOptimize(r.jacobian.data());
            };
        };
        const auto ns = interleaved_ns({run(mode::forward), run(mode::reverse), run(mode::automatic)});
        state.counters["over_best"] = ns[2] / std::min(ns[0], ns[1]);
        state.counters["forward_over_reverse"] = ns[0] / ns[1];
    }
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    // DUET_BENCH_QUICK=1 (the CI smoke run): two sizes and two chain shapes.
    const char* quick_env = std::getenv("DUET_BENCH_QUICK");
    const bool quick = quick_env != nullptr && std::string(quick_env) != "" && std::string(quick_env) != "0";
    const std::vector<long> sizes = quick ? std::vector<long>{4, 64} : std::vector<long>{1, 4, 16, 64, 256, 1024};
    for (long m : sizes) {
        const std::string problem = "dense_jacobian_m" + std::to_string(m);
        for (auto [md, contender] : {std::pair{mode::forward, "forward"}, std::pair{mode::reverse, "reverse"},
                                     std::pair{mode::automatic, "automatic"}})
            for (long n : sizes)  // the name gets "/<n>" from the Arg
                benchmark::RegisterBenchmark((problem + "/" + contender).c_str(), dense_jacobian, md, std::size_t(m))
                    ->Arg(n)
                    ->Unit(benchmark::kMicrosecond);
    }
    for (long m : sizes)
        for (long n : sizes)
            benchmark::RegisterBenchmark(("dense_jacobian_first_call_m" + std::to_string(m) + "/automatic").c_str(),
                                         dense_jacobian_first_call, std::size_t(m))
                ->Arg(n)
                ->Unit(benchmark::kMicrosecond);

    // Chain shapes: mixed plans win on the first two; pure modes on others.
    std::vector<std::shared_ptr<chain_problem>> chains;
    chains.push_back(make_chain(1000, dense_stage(10, 1000, 4), broadcast_stage(1000, 5), dense_stage(10, 1000, 6)));
    chains.push_back(make_chain(10, broadcast_stage(1000, 1), dense_stage(10, 1000, 2), broadcast_stage(1000, 3),
                                sum_of_squares{}));
    chains.push_back(make_chain(10, dense_stage(200, 10, 7), dense_stage(200, 200, 8), dense_stage(200, 200, 9)));
    chains.push_back(make_chain(200, dense_stage(200, 200, 10), dense_stage(200, 200, 11), dense_stage(10, 200, 12)));
    chains.push_back(make_chain(300, dense_stage(300, 300, 13), dense_stage(10, 300, 14), broadcast_stage(300, 15)));
    chains.push_back(make_chain(100, dense_stage(100, 100, 16), dense_stage(100, 100, 17), dense_stage(100, 100, 18),
                                dense_stage(100, 100, 19)));
    if (quick) chains.resize(2);
    for (const auto& c : chains)
        for (auto [md, contender] : {std::pair{mode::forward, "forward"}, std::pair{mode::reverse, "reverse"},
                                     std::pair{mode::automatic, "planned"}})
            benchmark::RegisterBenchmark(("jchain_" + c->name + "/" + contender).c_str(), chain_bench, c.get(), md)
                ->Unit(benchmark::kMicrosecond);

    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
