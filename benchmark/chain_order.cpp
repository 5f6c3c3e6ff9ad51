// Does the multiply-add count chosen by duet::chain_order predict wall time?
//
// Problems (benchmark names are <problem>/<contender>, plus the suffixes
// Google Benchmark appends, see configure() below):
//   abc_q1      A (1000 x 1000), B (1000 x 1000), C (1000 x 1): a chain ending in a column, planned A(BC).
//               Contenders: left_to_right = (AB)C, right_to_left = A(BC),
//               multi_dot = duet::multi_dot(A, B, C).
//   random_kK   one random chain of K = 3..8 matrices, sizes 1..1000, fixed seed.
//               Contenders: multi_dot (the planned order), fastest_order (the
//               fastest of all enumerated bracketings, see below),
//               left_to_right.
//
// Every hand-written order multiplies pairs with duet::multi_dot(L, R), the
// kernel multi_dot itself uses (GEMM, or GEMV for a single row or column),
// so contenders differ only in the order of the products.
//
// Time is wall time; CPU is the CPU time of all threads (BLAS is threaded).
// Counters: madds = predicted multiply-adds of the contender's order;
// predicted_ratio = madds / madds of the planned order (compare it with the
// ratio of measured times); madd/s = achieved rate per second of wall time.
// The label is the order (for random_kK/multi_dot followed by the sizes).
//
// fastest_order: before its timed loop, every bracketing of the chain is
// enumerated and, cheapest prediction first, timed (best of several runs).
// A bracketing is not run when even at twice the calibrated peak GEMM rate
// it could not beat the best time so far (counted as `pruned`); that keeps
// the whole benchmark within about a minute. The three fastest are timed
// again, interleaved, and the winner is then timed by the benchmark loop like
// the other contenders.
#include <duet/chain/chain_order.hpp>
#include <duet/tensor/multi_dot.hpp>

#include <benchmark/benchmark.h>

#include <xtensor/xtensor.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using matrix = xt::xtensor<double, 2>;
using clock_type = std::chrono::steady_clock;

matrix random_matrix(std::mt19937_64& rng, std::size_t rows, std::size_t cols) {
    std::uniform_real_distribution<double> value(-1.0, 1.0);
    matrix m = matrix::from_shape({rows, cols});
    for (auto& x : m) x = value(rng);
    return m;
}

/// One bracketing: splits[first * k + last] as in duet::chain_plan::split.
struct bracketing {
    std::size_t k = 0;
    std::vector<std::size_t> splits;
    std::string text;
    std::uint64_t madds = 0;

    std::size_t split(std::size_t first, std::size_t last) const { return splits[first * k + last]; }
};

/// All bracketings of matrices first..last as (node list, text, madds);
/// a node is {first, split, last}.
struct partial_bracketing {
    std::vector<std::array<std::size_t, 3>> nodes;
    std::string text;
    std::uint64_t madds;
};

std::vector<partial_bracketing> enumerate_bracketings(const std::vector<std::size_t>& dims, std::size_t first,
                                                      std::size_t last) {
    if (first == last) return {{{}, std::string(1, static_cast<char>('A' + first)), 0}};
    std::vector<partial_bracketing> all;
    for (std::size_t s = first; s < last; ++s) {
        const std::uint64_t root = std::uint64_t{dims[first]} * dims[s + 1] * dims[last + 1];
        const auto lefts = enumerate_bracketings(dims, first, s);
        const auto rights = enumerate_bracketings(dims, s + 1, last);
        for (const auto& l : lefts)
            for (const auto& r : rights) {
                partial_bracketing b{l.nodes, "(", l.madds + r.madds + root};
                b.nodes.insert(b.nodes.end(), r.nodes.begin(), r.nodes.end());
                b.nodes.push_back({first, s, last});
                b.text += l.text;
                b.text += r.text;
                b.text += ')';
                all.push_back(std::move(b));
            }
    }
    return all;
}

std::vector<bracketing> all_bracketings(const std::vector<std::size_t>& dims) {
    const std::size_t k = dims.size() - 1;
    std::vector<bracketing> result;
    for (auto& p : enumerate_bracketings(dims, 0, k - 1)) {
        bracketing b{k, std::vector<std::size_t>(k * k, 0), std::move(p.text), p.madds};
        for (const auto& node : p.nodes) b.splits[node[0] * k + node[2]] = node[1];
        result.push_back(std::move(b));
    }
    return result;
}

/// Product of chain[first..last] in the order of `order`.
matrix evaluate(const bracketing& order, const std::vector<matrix>& chain, std::size_t first, std::size_t last) {
    const std::size_t s = order.split(first, last);
    matrix left_part, right_part;  // filled only for sub-chains longer than one
    const matrix& left = first == s ? chain[first] : (left_part = evaluate(order, chain, first, s));
    const matrix& right = s + 1 == last ? chain[last] : (right_part = evaluate(order, chain, s + 1, last));
    return duet::multi_dot(left, right);
}

matrix evaluate(const bracketing& order, const std::vector<matrix>& chain) {
    return evaluate(order, chain, 0, chain.size() - 1);
}

matrix left_to_right_product(const std::vector<matrix>& chain) {
    matrix product = duet::multi_dot(chain[0], chain[1]);
    for (std::size_t i = 2; i < chain.size(); ++i) product = duet::multi_dot(product, chain[i]);
    return product;
}

template <class F>
double seconds_of(F&& f) {
    const auto start = clock_type::now();
    f();
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

/// Best of several runs of f, at most `repeats` and about `budget` seconds.
template <class F>
double best_seconds(F&& f, int repeats, double budget) {
    double best = seconds_of(f);  // also warms up
    double spent = best;
    for (int r = 1; r < repeats && spent < budget; ++r) {
        const double t = seconds_of(f);
        best = std::min(best, t);
        spent += t;
    }
    return best;
}

/// Multiply-adds per second of a large square GEMM, best of three.
double calibrated_peak_madds_per_second() {
    static const double peak = [] {
        std::mt19937_64 rng(1);
        const std::size_t n = 768;
        const matrix a = random_matrix(rng, n, n), b = random_matrix(rng, n, n);
        const double t = best_seconds([&] { benchmark::DoNotOptimize(duet::multi_dot(a, b)); }, 3, 1.0);
        return static_cast<double>(n * n * n) / t;
    }();
    return peak;
}

/// Runs the benchmark loop over `body` and sets the counters of an order
/// costing `madds` against a plan costing `planned_madds`; the rate is per
/// second of wall time.
template <class Body>
void time_order(benchmark::State& state, Body&& body, std::uint64_t madds, std::uint64_t planned_madds) {
    const auto start = clock_type::now();
    for (auto _ : state) body();
    const double wall = std::chrono::duration<double>(clock_type::now() - start).count();
    state.counters["madds"] = static_cast<double>(madds);
    state.counters["predicted_ratio"] = static_cast<double>(madds) / static_cast<double>(planned_madds);
    state.counters["madd/s"] = static_cast<double>(madds) * static_cast<double>(state.iterations()) / wall;
}

// ---- abc_q1 ---------------------------------------------------------------

struct abc_problem {
    matrix a, b, c;
    duet::chain_plan plan;
};

const abc_problem& abc_q1() {
    static const abc_problem problem = [] {
        std::mt19937_64 rng(2024);
        matrix a = random_matrix(rng, 1000, 1000), b = random_matrix(rng, 1000, 1000), c = random_matrix(rng, 1000, 1);
        return abc_problem{std::move(a), std::move(b), std::move(c), duet::chain_order({1000, 1000, 1000, 1})};
    }();
    return problem;
}

void abc_left_to_right(benchmark::State& state) {
    const auto& p = abc_q1();
    time_order(
        state, [&] { benchmark::DoNotOptimize(duet::multi_dot(duet::multi_dot(p.a, p.b), p.c)); },
        p.plan.left_to_right_cost, p.plan.cost);
    state.SetLabel("((AB)C)");
}

void abc_right_to_left(benchmark::State& state) {
    const auto& p = abc_q1();
    time_order(
        state, [&] { benchmark::DoNotOptimize(duet::multi_dot(p.a, duet::multi_dot(p.b, p.c))); },
        p.plan.right_to_left_cost, p.plan.cost);
    state.SetLabel("(A(BC))");
}

void abc_multi_dot(benchmark::State& state) {
    const auto& p = abc_q1();
    time_order(state, [&] { benchmark::DoNotOptimize(duet::multi_dot(p.a, p.b, p.c)); }, p.plan.cost, p.plan.cost);
    state.SetLabel(p.plan.str());
}

// ---- random chains --------------------------------------------------------

struct random_chain {
    std::vector<std::size_t> dims;
    std::vector<matrix> matrices;  // generated on first use
    duet::chain_plan plan;
    bracketing left_to_right;
    bool screened = false;
    bracketing fastest;  // valid once screened
    std::size_t orders = 0, timed = 0, pruned = 0;
    double screening_seconds = 0;

    explicit random_chain(std::vector<std::size_t> sizes)
        : dims(std::move(sizes)), plan(duet::chain_order(dims)) {
        // The left comb ((AB)C)... is the one bracketing that opens all k - 1 parentheses first.
        for (auto& b : all_bracketings(dims))
            if (b.text.starts_with(std::string(dims.size() - 2, '('))) left_to_right = std::move(b);
    }

    const std::vector<matrix>& chain() {
        if (matrices.empty()) {
            std::mt19937_64 rng(dims.size());
            for (std::size_t i = 0; i + 1 < dims.size(); ++i)
                matrices.push_back(random_matrix(rng, dims[i], dims[i + 1]));
        }
        return matrices;
    }

    /// Times every bracketing that could still win; keeps the fastest.
    void screen() {
        if (screened) return;
        const auto start = clock_type::now();
        std::vector<bracketing> candidates = all_bracketings(dims);
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const bracketing& x, const bracketing& y) { return x.madds < y.madds; });
        orders = candidates.size();
        const double optimistic_rate = 2 * calibrated_peak_madds_per_second();
        double best = std::numeric_limits<double>::infinity();
        std::vector<std::pair<double, const bracketing*>> times;
        for (const auto& candidate : candidates) {
            if (static_cast<double>(candidate.madds) / optimistic_rate > best) {
                ++pruned;
                continue;
            }
            ++timed;
            const double t = best_seconds([&] { benchmark::DoNotOptimize(evaluate(candidate, chain())); }, 5, 0.03);
            best = std::min(best, t);
            times.emplace_back(t, &candidate);
        }
        // Front-runners again, interleaved, so that one burst of machine noise
        // cannot decide alone.
        std::sort(times.begin(), times.end());
        times.resize(std::min<std::size_t>(times.size(), 3));
        for (int round = 0; round < 5 && times.size() > 1; ++round)
            for (auto& entry : times)
                entry.first = std::min(entry.first, seconds_of([&] {
                    benchmark::DoNotOptimize(evaluate(*entry.second, chain()));
                }));
        fastest = *std::min_element(times.begin(), times.end())->second;
        screening_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
        screened = true;
    }
};

std::vector<std::unique_ptr<random_chain>>& random_chains() {
    static std::vector<std::unique_ptr<random_chain>> chains = [] {
        std::vector<std::unique_ptr<random_chain>> all;
        std::mt19937_64 rng(42);
        for (std::size_t k = 3; k <= 8; ++k) {
            std::vector<std::size_t> dims(k + 1);
            for (auto& d : dims) d = 1 + rng() % 1000;
            all.push_back(std::make_unique<random_chain>(std::move(dims)));
        }
        return all;
    }();
    return chains;
}

void random_multi_dot(benchmark::State& state, random_chain* c) {
    const auto& chain = c->chain();
    time_order(state, [&] { benchmark::DoNotOptimize(duet::multi_dot(chain)); }, c->plan.cost, c->plan.cost);
    std::string label = c->plan.str() + " dims";
    for (std::size_t d : c->dims) {
        label += ' ';
        label += std::to_string(d);
    }
    state.SetLabel(label);
}

void random_fastest_order(benchmark::State& state, random_chain* c) {
    c->screen();  // untimed set-up, done once
    const auto& chain = c->chain();
    time_order(state, [&] { benchmark::DoNotOptimize(evaluate(c->fastest, chain)); }, c->fastest.madds, c->plan.cost);
    state.counters["orders"] = static_cast<double>(c->orders);
    state.counters["timed"] = static_cast<double>(c->timed);
    state.counters["pruned"] = static_cast<double>(c->pruned);
    state.counters["screening_s"] = c->screening_seconds;
    state.counters["is_planned"] = c->fastest.text == c->plan.str() ? 1 : 0;
    state.SetLabel(c->fastest.text);
}

void random_left_to_right(benchmark::State& state, random_chain* c) {
    const auto& chain = c->chain();
    time_order(
        state, [&] { benchmark::DoNotOptimize(left_to_right_product(chain)); }, c->plan.left_to_right_cost,
        c->plan.cost);
    state.SetLabel(c->left_to_right.text);
}

// BLAS runs on several threads, so iterations are counted on wall time
// (UseRealTime) and the CPU column sums all threads of the process
// (MeasureProcessCPUTime), not just the benchmark thread. Google Benchmark
// appends "/process_time/real_time" to the <problem>/<contender> names for
// these; scripts/report.py strips such suffixes.
benchmark::internal::Benchmark* configure(benchmark::internal::Benchmark* b) {
    return b->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime()->UseRealTime();
}

const bool registered = [] {
    configure(benchmark::RegisterBenchmark("abc_q1/left_to_right", abc_left_to_right));
    configure(benchmark::RegisterBenchmark("abc_q1/right_to_left", abc_right_to_left));
    configure(benchmark::RegisterBenchmark("abc_q1/multi_dot", abc_multi_dot));
    for (const auto& c : random_chains()) {
        const std::string problem = "random_k" + std::to_string(c->dims.size() - 1);
        configure(benchmark::RegisterBenchmark((problem + "/multi_dot").c_str(), random_multi_dot, c.get()));
        configure(benchmark::RegisterBenchmark((problem + "/fastest_order").c_str(), random_fastest_order, c.get()));
        configure(benchmark::RegisterBenchmark((problem + "/left_to_right").c_str(), random_left_to_right, c.get()));
    }
    return true;
}();

}  // namespace
