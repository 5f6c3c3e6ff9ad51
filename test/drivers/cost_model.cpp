// The cost model (drivers/cost_model.hpp): the same decisions in
// duet::jacobian(automatic, ...) and in jacobian_chain's planner; automatic
// takes the mode the model predicts (however it learned m) and its Jacobian
// equals forward's and reverse's across the n x m grid of the benchmarks.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/chain/jacobian_chain.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/container_jacobian.hpp"
#include "duet/drivers/cost_model.hpp"
#include "../support/numeric.hpp"

namespace {

using model = duet::jacobian_cost_model;
using duet::mode_choice;

const std::vector<std::size_t> grid{1, 4, 16, 64, 256, 1024};

// y_i = sin(sum_j a_ij tanh(x_j)): the function of benchmark/jacobian_modes.cpp.
struct dense_function {
    std::size_t m;
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        std::vector<T> t;
        t.reserve(x.size());
        for (const auto& xj : x) t.push_back(tanh(xj));
        std::vector<T> y;
        y.reserve(m);
        for (std::size_t i = 0; i < m; ++i) {
            T s = 0.0;
            for (std::size_t j = 0; j < x.size(); ++j) s += (1.0 / double(1 + (3 * i + 7 * j) % 17)) * t[j];
            y.push_back(sin(s));
        }
        return y;
    }
};

std::vector<double> input(std::size_t n) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 0.5 * std::sin(double(i) + 1.0);
    return x;
}

// |A - B| <= rel * max|B| entrywise (forward and reverse sum in different orders).
bool same(const xt::xtensor<double, 2>& A, const xt::xtensor<double, 2>& B, double rel) {
    if (A.shape(0) != B.shape(0) || A.shape(1) != B.shape(1)) return false;
    double scale = 1e-300;
    for (double b : B) scale = std::max(scale, std::abs(b));
    for (std::size_t i = 0; i < A.shape(0); ++i)
        for (std::size_t j = 0; j < A.shape(1); ++j)
            if (std::abs(A(i, j) - B(i, j)) > rel * scale) return false;
    return true;
}

bool identical(const xt::xtensor<double, 2>& A, const xt::xtensor<double, 2>& B) {
    if (A.shape(0) != B.shape(0) || A.shape(1) != B.shape(1)) return false;
    for (std::size_t i = 0; i < A.size(); ++i)
        if (!duet_test::identical(A.data()[i], B.data()[i])) return false;
    return true;
}

using memo = duet::detail::outputs_memo<dense_function, std::vector<double>>;

}  // namespace

TEST_CASE("cost model: the formulas", "[cost_model]") {
    const duet::mode_costs c{2.0, 3.0, 5.0};
    // Directions: whole 8-lane passes above 4, one narrower pass up to 4.
    CHECK(model::forward(c, 16) == 32.0);
    CHECK(model::forward(c, 7) == 16.0);
    CHECK(model::forward(c, 9) == 32.0);
    CHECK(model::forward(c, 4) == Approx(2.0 * 8 * model::pass_fraction_4_lanes));
    CHECK(model::forward(c, 1) == Approx(2.0 * 8 * model::pass_fraction_1_lane));
    CHECK(model::forward(c, 0) == 0.0);
    // Narrower passes cost less per pass, more per direction.
    CHECK(model::lane_directions(1) < model::lane_directions(2));
    CHECK(model::lane_directions(2) < model::lane_directions(4));
    CHECK(model::lane_directions(4) < model::lane_directions(8));
    CHECK(model::lane_directions(4) > 4.0);
    // Dense seeds sweep everything; unit seeds a fraction, one output of one fully.
    CHECK(model::reverse(c, 4) == 5.0 + 4 * 3.0);
    CHECK(model::reverse(c, 1, true) == 5.0 + 3.0);
    CHECK(model::reverse(c, 2, true) == 5.0 + 3.0);  // two half sweeps
    CHECK(model::reverse(c, 1000, true) == Approx(5.0 + 1000 * 3.0 * model::unit_seed_sweep_fraction));
    CHECK(model::product(2, 3, 4, 0.5) == 12.0);
    const auto g = model::generic();
    CHECK(g.tangent * double(model::forward_lanes) == model::forward_pass_cost);
    CHECK(g.adjoint == model::reverse_sweep_cost);
    CHECK(g.record == model::reverse_record_cost);
    CHECK(model::forward(16, 3) == model::forward(g, 16));
    CHECK(model::reverse(16, 3) == model::reverse(g, 3, true));  // one output each
}

TEST_CASE("cost model: jacobian(automatic) and the chain planner decide alike", "[cost_model]") {
    // A one-stage chain with the generic costs is the automatic driver's
    // problem: the planner can only pick fwd{1} or rev{1}.
    std::vector<std::size_t> sizes = grid;
    for (std::size_t s : {2, 7, 8, 9, 10, 12, 13, 15, 17, 100, 333}) sizes.push_back(s);
    std::size_t forward_picks = 0, reverse_picks = 0;
    for (std::size_t n : sizes)
        for (std::size_t m : sizes) {
            duet::jacobian_chain_options options;
            options.stage_costs = {model::generic()};
            const auto plan = duet::jacobian_chain_order({n, m}, options);
            const bool forward = duet::choose_jacobian_mode(n, m) == mode_choice::forward;
            INFO("n = " << n << ", m = " << m << ": " << plan.str());
            CHECK(plan.is_pure_forward() == forward);
            CHECK(plan.is_pure_reverse() == !forward);
            CHECK(plan.forward_cost == model::forward(n, m));
            CHECK(plan.reverse_cost == model::reverse(n, m));
            CHECK(plan.cost == std::min(model::forward(n, m), model::reverse(n, m)));
            (forward ? forward_picks : reverse_picks) += 1;
        }
    // Both modes occur on the grid (the test would be vacuous otherwise).
    CHECK(forward_picks > 0);
    CHECK(reverse_picks > 0);
}

TEST_CASE("cost model: below the one-pass bound forward wins for every m", "[cost_model]") {
    constexpr std::size_t bound = duet::forward_for_any_outputs_up_to();
    STATIC_REQUIRE(bound >= 1);
    for (std::size_t n = 1; n <= bound; ++n)
        for (std::size_t m : grid) CHECK(duet::choose_jacobian_mode(n, m) == mode_choice::forward);
    CHECK(duet::choose_jacobian_mode(bound + 1, 1) == mode_choice::reverse);
    // Gradients of many variables go reverse, many outputs of few go forward.
    CHECK(duet::choose_jacobian_mode(1024, 1) == mode_choice::reverse);
    CHECK(duet::choose_jacobian_mode(16, 1024) == mode_choice::forward);
}

TEST_CASE("cost model: automatic = forward = reverse on the benchmark grid", "[cost_model][jacobian]") {
    for (std::size_t n : grid)
        for (std::size_t m : grid) {
            if (n * m > 64 * 1024) continue;  // larger: checked by bench_jacobian_modes before timing
            const dense_function f{m};
            const auto x = input(n);
            const auto Jf = duet::jacobian(duet::forward, f, x);
            const auto Jr = duet::jacobian(duet::reverse, f, x);
            memo::n = memo::npos;  // a first call: m learned by evaluating or recording f
            const auto Ja = duet::jacobian(duet::automatic, f, x);
            INFO("n = " << n << ", m = " << m);
            REQUIRE(Jf.shape(0) == m);
            REQUIRE(Jf.shape(1) == n);
            CHECK(same(Jf, Jr, 1e-14));
            // automatic ran exactly the mode the model predicts.
            const bool forward = duet::choose_jacobian_mode(n, m) == mode_choice::forward;
            CHECK(identical(Ja, forward ? Jf : Jr));
            // It remembered m (for n past the one-pass bound, where it needs m).
            if (n > duet::forward_for_any_outputs_up_to()) {
                CHECK(memo::n == n);
                CHECK(memo::m == m);
            }
            // A repeated call decides from the memo: the same mode.
            CHECK(identical(duet::jacobian(duet::automatic, f, x), Ja));
        }
}

TEST_CASE("cost model: a stale memo of m changes the mode, never the Jacobian", "[cost_model][jacobian]") {
    // Same type, same n, different m: the second call decides with the first
    // call's m (reverse, for m = 1), then corrects the memo.
    const std::size_t n = 16;
    const auto x = input(n);
    REQUIRE(duet::choose_jacobian_mode(n, 1) == mode_choice::reverse);
    REQUIRE(duet::choose_jacobian_mode(n, 1024) == mode_choice::forward);
    memo::n = memo::npos;
    (void)duet::jacobian(duet::automatic, dense_function{1}, x);
    CHECK(memo::m == 1);
    const dense_function wide{1024};
    const auto J = duet::jacobian(duet::automatic, wide, x);
    CHECK(identical(J, duet::jacobian(duet::reverse, wide, x)));  // stale choice
    CHECK(same(J, duet::jacobian(duet::forward, wide, x), 1e-14));
    CHECK(memo::m == 1024);
    CHECK(identical(duet::jacobian(duet::automatic, wide, x), duet::jacobian(duet::forward, wide, x)));
}

TEST_CASE("cost model: m from a std::array result needs no evaluation", "[cost_model][jacobian]") {
    // f counts its calls on 1-lane duals (automatic's probe to learn m; the
    // forward passes here use 8 lanes): automatic must not make one.
    static int probe_calls = 0;
    auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        if constexpr (requires { T::lanes; }) {  // a dual (of the driver's tag)
            if constexpr (T::lanes == 1) ++probe_calls;
        }
        T s = 0.0, p = 1.0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            s += x[i] * x[i];
            p *= 1.0 + 0.01 * x[i];
        }
        return std::array<T, 2>{s, p};
    };
    std::array<double, 40> x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.1 * double(i) - 1.0;
    REQUIRE(duet::choose_jacobian_mode(40, 2) == mode_choice::reverse);
    probe_calls = 0;
    const auto J = duet::jacobian(duet::automatic, f, x);
    CHECK(probe_calls == 0);
    CHECK(identical(J, duet::jacobian(duet::reverse, f, x)));
    CHECK(same(J, duet::jacobian(duet::forward, f, x), 1e-14));
    // A std::vector result: a first call learns m by one 1-lane evaluation
    // where forward could win with a plausible m (n = 16), by recording f
    // where it could not (n = 64: reverse then reuses the recording).
    auto g = [&](const auto& v) {
        const auto r = f(v);
        return std::vector<std::decay_t<decltype(r[0])>>(r.begin(), r.end());
    };
    REQUIRE(duet::forward_wins_from_outputs(16) <= duet::expected_outputs_per_input * 16);
    REQUIRE(duet::forward_wins_from_outputs(64) > duet::expected_outputs_per_input * 64);
    const auto x16 = input(16);
    probe_calls = 0;
    const auto J16 = duet::jacobian(duet::automatic, g, x16);
    CHECK(probe_calls == 1);
    (void)duet::jacobian(duet::automatic, g, x16);
    CHECK(probe_calls == 1);  // the second call remembered m
    CHECK(identical(J16, duet::jacobian(duet::reverse, g, x16)));
    const auto x64 = input(64);
    probe_calls = 0;
    const auto J64 = duet::jacobian(duet::automatic, g, x64);
    CHECK(probe_calls == 0);
    CHECK(identical(J64, duet::jacobian(duet::reverse, g, x64)));
    CHECK(same(J64, duet::jacobian(duet::forward, g, x64), 1e-14));
}

TEST_CASE("cost model: learning m by recording still picks forward when it wins", "[cost_model][jacobian]") {
    // n = 64 with far more outputs than forward_wins_from_outputs(64): the
    // recording made to learn m is dropped and forward runs.
    const std::size_t n = 64, m = duet::forward_wins_from_outputs(64) + 100;
    REQUIRE(duet::choose_jacobian_mode(n, m) == mode_choice::forward);
    const dense_function f{m};
    const auto x = input(n);
    memo::n = memo::npos;
    const auto J = duet::jacobian(duet::automatic, f, x);
    CHECK(identical(J, duet::jacobian(duet::forward, f, x)));
    CHECK(memo::m == m);
}
