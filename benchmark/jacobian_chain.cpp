// duet::jacobian_chain: pure forward vs pure reverse vs the planned bracketing
// on chains of cheap elementwise (broadcast) and dense stages.
//
// Names: <problem>/<contender>, problem = the dims n_0-n_1-...-n_k.
//   forward            tangent propagation through all stages (8 lanes/pass)
//   reverse            one recording of the composition, n_k sweeps
//   planned            a plan made once (stage costs measured at x) and
//                      executed in the timed loop (the label is the plan)
//   planned_measured   planning (measurement + DP) and execution, every time
// Counters: predicted_ns is the plan's predicted cost; for forward/reverse the
// planner's prediction of that pure mode.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "duet/chain/jacobian_chain.hpp"
#include "jacobian_functions.hpp"

namespace {

using duet_bench::broadcast_stage;
using duet_bench::dense_input;
using duet_bench::dense_stage;
using duet_bench::sum_of_squares;


// One problem: a point and a type-erased way to call jacobian_chain on it.
struct problem {
    std::string name;
    std::vector<double> x;
    std::function<duet::jacobian_chain_result(int)> run;  // 0 forward, 1 reverse, 2 planned
    std::function<duet::jacobian_chain_result(const duet::jacobian_chain_plan&)> execute;
    std::function<duet::jacobian_chain_plan()> plan;
};

template <class... Fs>
std::shared_ptr<problem> make_problem(std::string name, std::size_t n0, Fs... fs) {
    auto p = std::make_shared<problem>();
    p->name = std::move(name);
    p->x = dense_input(n0);
    auto stages = std::make_shared<std::tuple<Fs...>>(std::move(fs)...);
    const std::vector<double>* x = &p->x;
    p->run = [stages, x](int mode) {
        return std::apply(
            [&](const auto&... f) {
                if (mode == 0) return duet::jacobian_chain(duet::forward, *x, f...);
                if (mode == 1) return duet::jacobian_chain(duet::reverse, *x, f...);
                return duet::jacobian_chain(duet::planned, *x, f...);
            },
            *stages);
    };
    p->execute = [stages, x](const duet::jacobian_chain_plan& plan) {
        return std::apply([&](const auto&... f) { return duet::jacobian_chain(plan, *x, f...); }, *stages);
    };
    p->plan = [stages, x]() {
        return std::apply([&](const auto&... f) { return duet::plan_jacobian_chain(*x, f...); }, *stages);
    };
    return p;
}

void bench_mode(benchmark::State& state, problem* p, int mode) {
    const auto plan = p->plan();
    for (auto _ : state) {
        auto r = p->run(mode);
        benchmark::DoNotOptimize(r.jacobian.data());
    }
    state.counters["predicted_ns"] = mode == 0 ? plan.forward_cost : plan.reverse_cost;
    state.SetLabel(mode == 0 ? "fwd" : "rev");
}

void bench_planned(benchmark::State& state, problem* p) {
    const auto plan = p->plan();
    for (auto _ : state) {
        auto r = p->execute(plan);
        benchmark::DoNotOptimize(r.jacobian.data());
    }
    state.counters["predicted_ns"] = plan.cost;
    state.SetLabel(plan.str());
}

void bench_planned_measured(benchmark::State& state, problem* p) {
    std::string label;
    for (auto _ : state) {
        auto r = p->run(2);
        benchmark::DoNotOptimize(r.jacobian.data());
        label = r.plan.str();
    }
    state.SetLabel(label);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::shared_ptr<problem>> problems;
    problems.push_back(make_problem("10-1000-10-1000-1", 10, broadcast_stage(1000, 1), dense_stage(10, 1000, 2),
                                    broadcast_stage(1000, 3), sum_of_squares{}));
    problems.push_back(make_problem("1000-10-1000-10", 1000, dense_stage(10, 1000, 4), broadcast_stage(1000, 5),
                                    dense_stage(10, 1000, 6)));
    problems.push_back(
        make_problem("500-10-500", 500, dense_stage(10, 500, 7), dense_stage(500, 10, 8)));
    problems.push_back(make_problem("300-300-10-300", 300, dense_stage(300, 300, 9), dense_stage(10, 300, 10),
                                    broadcast_stage(300, 11)));

    for (const auto& p : problems) {
        auto configure = [](benchmark::internal::Benchmark* b) {
            b->Unit(benchmark::kMicrosecond);
        };
        configure(benchmark::RegisterBenchmark((p->name + "/forward").c_str(), bench_mode, p.get(), 0));
        configure(benchmark::RegisterBenchmark((p->name + "/reverse").c_str(), bench_mode, p.get(), 1));
        configure(benchmark::RegisterBenchmark((p->name + "/planned").c_str(), bench_planned, p.get()));
        configure(
            benchmark::RegisterBenchmark((p->name + "/planned_measured").c_str(), bench_planned_measured, p.get()));
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
