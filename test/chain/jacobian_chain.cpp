// duet::jacobian_chain: every strategy (and every plan the planner could
// choose) gives the same Jacobian, equal to duet::jacobian of the composition;
// the planner's plan is the cheapest one found by brute-force enumeration of
// the same search space under the same cost model.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/chain/jacobian_chain.hpp"
#include "duet/chain/tensor_stage.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/container_jacobian.hpp"
#include "duet/tensor/tensor.hpp"
#include "../support/numeric.hpp"

namespace {

using matrix = std::vector<std::vector<double>>;

matrix random_matrix(std::size_t rows, std::size_t cols, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    matrix W(rows, std::vector<double>(cols));
    for (auto& row : W)
        for (double& w : row) w = u(gen) / std::sqrt(double(cols));
    return W;
}

// y = tanh(W x + b): R^cols -> R^rows.
struct dense_stage {
    matrix W;
    std::vector<double> b;
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        std::vector<T> y;
        y.reserve(W.size());
        for (std::size_t i = 0; i < W.size(); ++i) {
            T s = b[i];
            for (std::size_t j = 0; j < x.size(); ++j) s += W[i][j] * x[j];
            y.push_back(tanh(s));
        }
        return y;
    }
};

dense_stage make_dense(std::size_t rows, std::size_t cols, unsigned seed) {
    dense_stage s{random_matrix(rows, cols, seed), std::vector<double>(rows)};
    for (std::size_t i = 0; i < rows; ++i) s.b[i] = 0.1 * double(i % 5) - 0.2;
    return s;
}

// Elementwise, with a coupling of neighbours: R^n -> R^n.
auto elementwise = [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    std::vector<T> y;
    y.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const T next = x[(i + 1) % x.size()];
        y.push_back(sin(x[i]) * next + exp(0.5 * x[i]));
    }
    return y;
};

// Sum of squares and a product: R^n -> R^2.
auto reduce2 = [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    T s = 0.0, p = 1.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        s += x[i] * x[i];
        p *= 1.0 + 0.1 * x[i];
    }
    return std::vector<T>{s, p};
};

void require_close(const xt::xtensor<double, 2>& A, const xt::xtensor<double, 2>& B, double rel = 1e-12) {
    REQUIRE(A.shape(0) == B.shape(0));
    REQUIRE(A.shape(1) == B.shape(1));
    double scale = 0;
    for (double b : B) scale = std::max(scale, std::abs(b));
    for (std::size_t i = 0; i < A.shape(0); ++i)
        for (std::size_t j = 0; j < A.shape(1); ++j) {
            INFO("(" << i << ", " << j << "): " << duet_test::show(A(i, j), B(i, j)));
            REQUIRE(std::abs(A(i, j) - B(i, j)) <= rel * std::max(scale, 1.0));
        }
}

// ---- brute force over the planner's search space (independently written) ----

struct tree {
    duet::jacobian_chain_step_kind kind;
    std::size_t first, last, split;
    std::shared_ptr<const tree> a, b;
    double cost;  // total, children included
};
using tree_ptr = std::shared_ptr<const tree>;

struct brute_force {
    std::vector<std::size_t> dims;
    std::vector<duet::jacobian_chain_stage_cost> c;
    double mu;

    // q directions: one pass of 1, 2 or 4 lanes (a calibrated fraction of an
    // 8-lane pass), or ceil(q / 8) passes of 8 lanes.
    static double lane_directions(std::size_t q) {
        using M = duet::jacobian_cost_model;
        if (q == 0) return 0;
        if (q == 1) return 8 * M::pass_fraction_1_lane;
        if (q == 2) return 8 * M::pass_fraction_2_lanes;
        if (q <= 4) return 8 * M::pass_fraction_4_lanes;
        return 8.0 * double((q + 7) / 8);
    }
    double tangent(std::size_t from, std::size_t to, std::size_t q) const {
        double s = 0;
        for (std::size_t l = from; l <= to; ++l) s += lane_directions(q) * c[l].tangent;
        return s;
    }
    // unit: the identity seed; each of its p sweeps through the last stage
    // starts at its output: a calibrated fraction of a full sweep, at least 1/p.
    static double unit_fraction(std::size_t p) {
        return std::max(duet::jacobian_cost_model::unit_seed_sweep_fraction, 1.0 / double(p));
    }
    double adjoint(std::size_t from, std::size_t to, std::size_t p, bool unit) const {
        double s = 0;
        for (std::size_t l = from; l <= to; ++l)
            s += c[l].record + double(p) * c[l].adjoint * (unit && l == to ? unit_fraction(p) : 1.0);
        return s;
    }

    std::vector<tree_ptr> all(std::size_t first, std::size_t last) const {
        using K = duet::jacobian_chain_step_kind;
        std::vector<tree_ptr> out;
        for (std::size_t s = first; s <= last; ++s) {
            std::vector<tree_ptr> seeds = s > first ? all(first, s - 1) : std::vector<tree_ptr>{nullptr};
            for (const auto& m : seeds)
                out.push_back(std::make_shared<tree>(
                    tree{K::forward, first, last, s, m, nullptr, (m ? m->cost : 0) + tangent(s, last, dims[first])}));
        }
        for (std::size_t s = first; s <= last; ++s) {
            std::vector<tree_ptr> seeds = s < last ? all(s + 1, last) : std::vector<tree_ptr>{nullptr};
            for (const auto& m : seeds)
                out.push_back(std::make_shared<tree>(tree{K::reverse, first, last, s, m, nullptr,
                                                          (m ? m->cost : 0) + adjoint(first, s, dims[last + 1], s == last)}));
        }
        for (std::size_t s = first; s < last; ++s)
            for (const auto& l : all(s + 1, last))
                for (const auto& r : all(first, s))
                    out.push_back(std::make_shared<tree>(
                        tree{K::product, first, last, s, l, r,
                             l->cost + r->cost + double(dims[last + 1] * dims[s + 1] * dims[first]) * mu}));
        return out;
    }

    static int flatten(const tree& t, duet::jacobian_chain_plan& p) {
        duet::jacobian_chain_step s;
        s.kind = t.kind;
        s.first = t.first;
        s.last = t.last;
        s.split = t.split;
        if (t.a) s.a = flatten(*t.a, p);
        if (t.b) s.b = flatten(*t.b, p);
        p.steps.push_back(s);
        return int(p.steps.size() - 1);
    }

    duet::jacobian_chain_plan plan_of(const tree& t) const {
        duet::jacobian_chain_plan p;
        p.dims = dims;
        flatten(t, p);
        p.cost = t.cost;
        return p;
    }
};

duet::jacobian_chain_options options_of(const brute_force& bf) { return {bf.c, bf.mu}; }

template <class... Fs>
std::vector<std::size_t> dims_of(const std::vector<double>& x, const Fs&... fs) {
    auto r = duet::jacobian_chain(duet::forward, x, fs...);
    return r.plan.dims;
}

}  // namespace

TEST_CASE("jacobian_chain: forward, reverse and planned agree with jacobian of the composition",
          "[chain][jacobian_chain]") {
    const auto f1 = make_dense(6, 3, 1);  // 3 -> 6
    const auto f3 = make_dense(4, 6, 2);  // 6 -> 4
    const std::vector<double> x{0.3, -0.7, 1.1};
    auto composed = [&](const auto& v) { return reduce2(f3(elementwise(f1(v)))); };
    const auto J = duet::jacobian(duet::forward, composed, x);
    require_close(duet::jacobian(duet::reverse, composed, x), J);

    auto [Jf, pf] = duet::jacobian_chain(duet::forward, x, f1, elementwise, f3, reduce2);
    auto [Jr, pr] = duet::jacobian_chain(duet::reverse, x, f1, elementwise, f3, reduce2);
    auto [Jp, pp] = duet::jacobian_chain(x, f1, elementwise, f3, reduce2);  // measured costs
    auto [Ja, pa] = duet::jacobian_chain(duet::automatic, x, f1, elementwise, f3, reduce2);
    CHECK(pf.str() == "fwd{4..1}");
    CHECK(pr.str() == "rev{4..1}");
    CHECK(pf.is_pure_forward());
    CHECK(pr.is_pure_reverse());
    CHECK(pp.dims == std::vector<std::size_t>{3, 6, 6, 4, 2});
    CHECK(pp.cost_unit == "ns");
    CHECK(pp.cost <= std::min(pp.forward_cost, pp.reverse_cost));
    CHECK(!pp.report().empty());
    require_close(Jf, J);
    require_close(Jr, J);
    require_close(Jp, J);
    require_close(Ja, J);

    // A plan made once and executed at another point.
    const std::vector<double> x2{-0.1, 0.4, 0.2};
    const auto plan = duet::plan_jacobian_chain(x, f1, elementwise, f3, reduce2);
    auto [J2, p2] = duet::jacobian_chain(plan, x2, f1, elementwise, f3, reduce2);
    CHECK(p2.str() == plan.str());
    require_close(J2, duet::jacobian(duet::forward, composed, x2));
}

TEST_CASE("jacobian_chain: every plan in the search space gives the same Jacobian", "[chain][jacobian_chain]") {
    const auto f1 = make_dense(5, 3, 3);
    const auto f3 = make_dense(3, 5, 4);
    const std::vector<double> x{0.5, 0.1, -0.4};
    auto composed = [&](const auto& v) { return reduce2(f3(elementwise(f1(v)))); };
    const auto J = duet::jacobian(duet::reverse, composed, x);

    brute_force bf{dims_of(x, f1, elementwise, f3, reduce2), {}, 1.0};
    bf.c.assign(4, {1, 1, 0});
    const auto trees = bf.all(0, 3);
    CHECK(trees.size() == 522);  // 2, 10, 66, 522 plans for 1, 2, 3, 4 stages
    for (const auto& t : trees) {
        const auto plan = bf.plan_of(*t);
        INFO(plan.str());
        auto [Jt, pt] = duet::jacobian_chain(plan, x, f1, elementwise, f3, reduce2);
        require_close(Jt, J);
    }
}

TEST_CASE("jacobian_chain: a mixed plan wins on 4 -> 200 -> 4 -> 200 -> 1 and equals brute force",
          "[chain][jacobian_chain]") {
    const auto f1 = make_dense(200, 4, 5);
    const auto f2 = make_dense(4, 200, 6);
    const auto f3 = make_dense(200, 4, 7);
    auto f4 = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        T s = 0.0;
        for (const auto& e : v) s += e * e;
        return std::vector<T>{s};
    };
    const std::vector<double> x{0.2, -0.3, 0.5, 0.9};

    // Stages 1 and 3 (widening) are cheap to push forward and dear to pull
    // back; stages 2 and 4 (narrowing) the other way round.
    brute_force bf{{4, 200, 4, 200, 1}, {{1, 50, 1}, {50, 1, 1}, {1, 50, 1}, {50, 1, 1}}, 0.01};
    auto [J, plan] = duet::jacobian_chain(options_of(bf), x, f1, f2, f3, f4);
    INFO(plan.report());
    CHECK(!plan.is_pure_forward());
    CHECK(!plan.is_pure_reverse());
    CHECK(plan.cost < 0.75 * std::min(plan.forward_cost, plan.reverse_cost));
    CHECK(plan.cost_unit == "units");

    const auto trees = bf.all(0, 3);
    double best = std::numeric_limits<double>::infinity();
    for (const auto& t : trees) best = std::min(best, t->cost);
    std::size_t argmins = 0;
    std::string best_str;
    for (const auto& t : trees)
        if (t->cost <= best * (1 + 1e-12)) {
            ++argmins;
            best_str = bf.plan_of(*t).str();
        }
    CHECK(plan.cost == Approx(best).epsilon(1e-12));
    REQUIRE(argmins == 1);
    CHECK(plan.str() == best_str);

    double sum = 0;
    for (const auto& s : plan.steps) sum += s.cost;
    CHECK(sum == Approx(plan.cost).epsilon(1e-12));

    auto composed = [&](const auto& v) { return f4(f3(f2(f1(v)))); };
    const auto Jref = duet::jacobian(duet::reverse, composed, x);
    require_close(J, Jref);
    require_close(duet::jacobian_chain(duet::forward, x, f1, f2, f3, f4).jacobian, Jref);
    require_close(duet::jacobian_chain(duet::reverse, x, f1, f2, f3, f4).jacobian, Jref);
}

TEST_CASE("jacobian_chain: a bottleneck 40 -> 3 -> 40 makes the dense product win", "[chain][jacobian_chain]") {
    const auto f1 = make_dense(3, 40, 8);
    const auto f2 = make_dense(40, 3, 9);
    const std::vector<double> x(40, 0.25);
    // Cost per direction = multiply-adds of the stage, record = 2 sweeps.
    brute_force bf{{40, 3, 40}, {{120, 120, 240}, {120, 120, 240}}, 0.1};
    auto [J, plan] = duet::jacobian_chain(options_of(bf), x, f1, f2);
    // Pure: 40 directions through both stages, or 40 sweeps (those through
    // stage 2 seeded on one output each). Mixed: J_1 by 3 unit-seeded sweeps
    // of stage 1, J_2 by 40 unit-seeded sweeps of stage 2 (cheaper under the
    // calibrated fraction than 3 directions in one 4-lane pass), a 40 x 3 x 40
    // product. (The matrix-free alternatives fwd{2}[rev{1}] and
    // [fwd{2}]rev{1} push or pull 40 directions through a whole stage.)
    using M = duet::jacobian_cost_model;
    const double rev1 = 240 + 3 * 120 * brute_force::unit_fraction(3);
    const double rev2 = 240 + 40 * 120 * brute_force::unit_fraction(40);
    const double fwd2 = 120 * M::lane_directions(3);
    REQUIRE(rev2 < fwd2);
    CHECK(plan.str() == "(rev{2} * rev{1})");
    CHECK(plan.forward_cost == 9600);
    CHECK(plan.reverse_cost == Approx(240 + 40 * 120 + rev2).epsilon(1e-12));
    CHECK(plan.cost == Approx(rev1 + rev2 + 480).epsilon(1e-12));
    CHECK(plan.cost < 0.25 * std::min(plan.forward_cost, plan.reverse_cost));
    auto composed = [&](const auto& v) { return f2(f1(v)); };
    require_close(J, duet::jacobian(duet::forward, composed, x));
}

TEST_CASE("jacobian_chain: the dynamic programme equals brute force on random chains", "[chain][jacobian_chain]") {
    std::mt19937 gen(42);
    std::uniform_int_distribution<std::size_t> dim(1, 50), len(1, 4);
    std::uniform_real_distribution<double> cost(0.1, 10.0), mu(0.001, 1.0);
    for (int trial = 0; trial < 200; ++trial) {
        brute_force bf;
        const std::size_t k = len(gen);
        for (std::size_t i = 0; i <= k; ++i) bf.dims.push_back(dim(gen));
        for (std::size_t i = 0; i < k; ++i) bf.c.push_back({cost(gen), cost(gen), cost(gen)});
        bf.mu = mu(gen);
        const auto p = duet::jacobian_chain_order(bf.dims, options_of(bf));
        double best = std::numeric_limits<double>::infinity();
        for (const auto& t : bf.all(0, k - 1)) best = std::min(best, t->cost);
        INFO("trial " << trial << ": " << p.report());
        CHECK(p.cost == Approx(best).epsilon(1e-12));
        double sum = 0;
        for (const auto& s : p.steps) sum += s.cost;
        CHECK(sum == Approx(p.cost).epsilon(1e-12));
    }
}

TEST_CASE("jacobian_chain: errors", "[chain][jacobian_chain]") {
    const auto f1 = make_dense(3, 2, 10);
    const std::vector<double> x{0.1, 0.2};
    duet::jacobian_chain_options bad;
    bad.stage_costs.resize(2);
    CHECK_THROWS_AS(duet::jacobian_chain(bad, x, f1), std::invalid_argument);
    const auto plan = duet::plan_jacobian_chain(x, f1);
    CHECK_THROWS_AS(duet::jacobian_chain(plan, std::vector<double>{1.0, 2.0, 3.0}, f1), std::invalid_argument);
    CHECK_THROWS_AS(duet::jacobian_chain(plan, x, f1, f1), std::invalid_argument);
    CHECK_THROWS_AS(duet::jacobian_chain_order({3, 4}, bad), std::invalid_argument);
    CHECK_THROWS_AS(duet::jacobian_chain_order({3}, duet::jacobian_chain_options{}), std::invalid_argument);
}

// ---- std::array inputs and stages --------------------------------------------

namespace {

// R^3 -> R^5, written for std::array only (no std::vector overload).
struct array_stage {
    template <class T>
    std::array<T, 5> operator()(const std::array<T, 3>& x) const {
        return {x[0] * x[1], sin(x[2]), x[0] + 2.0 * x[2], exp(0.3 * x[1]), x[0] * x[1] * x[2]};
    }
};

// R^5 -> R^2, written for std::vector only.
struct vector_stage {
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        T s = 0.0;
        for (const auto& e : x) s += e * e;
        return {s, x[0] * x[4] - x[1]};
    }
};

}  // namespace

TEST_CASE("jacobian_chain: std::array inputs and stages", "[chain][jacobian_chain]") {
    // Generic stage that counts how it was called: after array_stage (a
    // std::array result) it must receive std::arrays.
    static int array_calls = 0, vector_calls = 0;
    auto generic = [](const auto& x) {
        using C = std::decay_t<decltype(x)>;
        using T = std::decay_t<decltype(x[0])>;
        if constexpr (std::is_same_v<C, std::vector<T>>)
            ++vector_calls;
        else
            ++array_calls;
        std::array<T, 5> y{};
        for (std::size_t i = 0; i < 5; ++i) y[i] = tanh(x[i] + 0.1 * double(i));
        return y;
    };
    const std::array<double, 3> x{0.4, -0.2, 0.7};
    const std::vector<double> xv(x.begin(), x.end());
    auto composed = [&](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        const std::array<T, 3> a{v[0], v[1], v[2]};
        const auto y1 = generic(array_stage{}(a));
        return vector_stage{}(std::vector<T>(y1.begin(), y1.end()));
    };
    const auto J = duet::jacobian(duet::forward, composed, xv);
    require_close(duet::jacobian(duet::reverse, composed, xv), J);

    array_calls = vector_calls = 0;
    auto [Jf, pf] = duet::jacobian_chain(duet::forward, x, array_stage{}, generic, vector_stage{});
    auto [Jr, pr] = duet::jacobian_chain(duet::reverse, x, array_stage{}, generic, vector_stage{});
    auto [Jp, pp] = duet::jacobian_chain(x, array_stage{}, generic, vector_stage{});
    CHECK(array_calls > 0);
    CHECK(vector_calls == 0);
    CHECK(pp.dims == std::vector<std::size_t>{3, 5, 5, 2});
    require_close(Jf, J);
    require_close(Jr, J);
    require_close(Jp, J);

    // A plan made on a std::array, executed on another point.
    const std::array<double, 3> x2{-0.3, 0.5, 0.1};
    const auto plan = duet::plan_jacobian_chain(x2, array_stage{}, generic, vector_stage{});
    auto [J2, p2] = duet::jacobian_chain(plan, x2, array_stage{}, generic, vector_stage{});
    require_close(J2, duet::jacobian(duet::forward, composed, std::vector<double>(x2.begin(), x2.end())));

    // After a std::vector x (and a std::vector result) the generic stage
    // gets std::vectors.
    array_calls = vector_calls = 0;
    auto first_generic = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        return std::vector<T>{v[0] + v[1], v[1] * v[2], v[0] - v[2], v[0], v[1]};
    };
    auto [Jv, pv] = duet::jacobian_chain(xv, first_generic, generic, vector_stage{});
    CHECK(vector_calls > 0);
    CHECK(array_calls == 0);
    auto composed2 = [&](const auto& v) {
        const auto y1 = generic(first_generic(v));
        using T = std::decay_t<decltype(y1[0])>;
        return vector_stage{}(std::vector<T>(y1.begin(), y1.end()));
    };
    require_close(Jv, duet::jacobian(duet::reverse, composed2, xv));
}

TEST_CASE("jacobian_chain: a stage written in tensor code", "[chain][jacobian_chain][tensor]") {
    // sigmoid(W x): 3 -> 6 as tensor code, between scalar-code stages.
    const auto Wv = random_matrix(6, 3, 21);
    auto W = xt::xtensor<double, 2>::from_shape({6, 3});
    for (std::size_t i = 0; i < 6; ++i)
        for (std::size_t j = 0; j < 3; ++j) W(i, j) = Wv[i][j];
    auto layer = duet::tensor_stage([&](const auto& v) { return duet::sigmoid(duet::matmul(W, v)); });
    auto layer_scalar = [&](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        std::vector<T> y;
        for (std::size_t i = 0; i < 6; ++i) {
            T s = 0.0;
            for (std::size_t j = 0; j < 3; ++j) s += W(i, j) * v[j];
            y.push_back(1.0 / (1.0 + exp(-s)));
        }
        return y;
    };
    const std::vector<double> x{0.3, -0.8, 0.5};
    auto composed = [&](const auto& v) { return reduce2(elementwise(layer_scalar(elementwise(v)))); };
    const auto J = duet::jacobian(duet::reverse, composed, x);
    require_close(duet::jacobian(duet::forward, composed, x), J);

    auto [Jf, pf] = duet::jacobian_chain(duet::forward, x, elementwise, layer, elementwise, reduce2);
    auto [Jr, pr] = duet::jacobian_chain(duet::reverse, x, elementwise, layer, elementwise, reduce2);
    auto [Jp, pp] = duet::jacobian_chain(x, elementwise, layer, elementwise, reduce2);
    CHECK(pp.dims == std::vector<std::size_t>{3, 3, 6, 6, 2});
    require_close(Jf, J);
    require_close(Jr, J);
    require_close(Jp, J);
    // Every plan of the search space, through the tensor stage too.
    brute_force bf{pp.dims, std::vector<duet::jacobian_chain_stage_cost>(4, {1, 1, 1}), 1.0};
    for (const auto& t : bf.all(0, 3)) {
        const auto plan = bf.plan_of(*t);
        INFO(plan.str());
        require_close(duet::jacobian_chain(plan, x, elementwise, layer, elementwise, reduce2).jacobian, J);
    }
}
