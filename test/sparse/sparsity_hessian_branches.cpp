// Sparsity detection, Hessian patterns (sparse/sparsity.hpp), continued from
// sparsity_hessian.cpp: empty rows and columns, dead intermediates,
// branches, selections (relu, max) and awkward points, against the dense
// Hessian (duet::hessian).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <thread>
#include <type_traits>
#include <vector>

#include <duet/sparse/sparsity.hpp>

#include "sparsity_support.hpp"

using namespace duet_sparsity_test;

TEST_CASE("hessian_sparsity: an empty row and column; dead intermediates are kept", "[sparsity]") {
    const std::vector<double> x = {0.3, 0.7, 1.1, -0.4};
    const auto f = [](const auto& v) { return v[0] * v[1] + v[3]; };
    CHECK(duet::hessian_sparsity(f, x) == entries(4, 4, {{0, 1}, {1, 0}}));
    check_hessian_equals_dense(f, x);
    // An intermediate whose value does not reach the result: its
    // interactions are kept (conservative).
    const auto dead = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        const T unused = v[2] * v[3];
        (void)unused;
        return v[0] + v[1];
    };
    CHECK(duet::hessian_sparsity(dead, x) == entries(4, 4, {{2, 3}, {3, 2}}));
    CHECK(nonzeros(duet::hessian(duet::reverse, dead, x)).nonzeros() == 0);
}

TEST_CASE("hessian_sparsity: a branch gives the pattern of the branch taken at x", "[sparsity]") {
    const auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        T y = x[0] > 0 ? T(x[0] * x[1]) : T(x[2] * x[2]);
        if (x[1] > x[2]) y += exp(x[1]);
        return y;
    };
    const std::vector<double> a = {1.0, 0.5, 2.0}, b = {-1.0, 3.0, 2.0};
    CHECK(duet::hessian_sparsity(f, a) == entries(3, 3, {{0, 1}, {1, 0}}));
    CHECK(duet::hessian_sparsity(f, b) == entries(3, 3, {{1, 1}, {2, 2}}));
    check_hessian_equals_dense(f, a);
    check_hessian_equals_dense(f, b);
}

TEST_CASE("hessian_sparsity: a selection (relu, max) follows the operand selected at x", "[sparsity]") {
    // relu's value is x above 0 and the constant 0 below: relu(x)^2 has the
    // second derivative 2 above 0 and 0 below, and so do the patterns.
    const auto f = [](const auto& x) { return square(relu(x[0])) + relu(x[1]) * x[2]; };
    CHECK(duet::hessian_sparsity(f, std::vector<double>{1.0, -1.0, 0.5}) ==
          entries(3, 3, {{0, 0}, {1, 2}, {2, 1}}));
    CHECK(duet::hessian_sparsity(f, std::vector<double>{-1.0, 1.0, 0.5}) == entries(3, 3, {{1, 2}, {2, 1}}));
    // relu(x1) x2 below 0: the interaction is kept (x1's partial x2 times
    // relu' = 0), the dense Hessian has 0 there.
    CHECK(within(nonzeros(duet::hessian(duet::reverse, f, std::vector<double>{1.0, -1.0, 0.5})),
                 duet::hessian_sparsity(f, std::vector<double>{1.0, -1.0, 0.5})));
    // The Jacobian keeps relu's dependence below 0.
    const auto g = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        return std::vector<T>{square(relu(x[0]))};
    };
    CHECK(duet::jacobian_sparsity(g, std::vector<double>{-1.0}) == entries(1, 1, {{0, 0}}));
    // max(x0, x1)^2 at x0 > x1: the selected x0 and (conservatively) its
    // interaction with x1.
    const auto h = [](const auto& x) { return square(max(x[0], x[1])); };
    CHECK(duet::hessian_sparsity(h, std::vector<double>{2.0, 1.0}) == entries(2, 2, {{0, 0}, {0, 1}, {1, 0}}));
    CHECK(within(nonzeros(duet::hessian(duet::reverse, h, std::vector<double>{2.0, 1.0})),
                 duet::hessian_sparsity(h, std::vector<double>{2.0, 1.0})));
}

TEST_CASE("hessian_sparsity: structural at awkward points (supersets of the dense pattern)", "[sparsity]") {
    const auto f = [](const auto& x) {
        return x[0] * x[1] * 0.0 + sqrt(x[2]) + abs(x[3]) * x[3] + relu(x[4]) * x[0] + max(x[0], x[3]);
    };
    const std::vector<double> x = {0.0, 0.0, 0.0, 0.0, -1.0};
    const auto p = duet::hessian_sparsity(f, x);
    INFO(show(p));
    CHECK(symmetric(p));
    // x0 x1 * 0; sqrt at 0 (an infinite second derivative); |x3| x3 at 0
    // (second derivative 2 sign(x3), 0 there); relu(x4) x0 below 0.
    CHECK(p == entries(5, 5, {{0, 1}, {1, 0}, {2, 2}, {3, 3}, {0, 4}, {4, 0}}));
}

