// Sparsity detection, Hessian patterns (sparse/sparsity.hpp): equal to the
// nonzero pattern of the dense Hessian (duet::hessian) at generic points and
// containing it at awkward ones: the elementary cases, chained Rosenbrock,
// an arrowhead, Lorenz-96 and Bratu sums. Empty rows, branches, selections
// and awkward points: sparsity_hessian_branches.cpp.
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

// ---- Hessians -------------------------------------------------------------------------

TEST_CASE("hessian_sparsity: the elementary cases", "[sparsity]") {
    const std::vector<double> x = {0.3, 0.7};
    const auto none = entries(2, 2, {});
    CHECK(duet::hessian_sparsity([](const auto& v) { return v[0] + v[1]; }, x) == none);
    CHECK(duet::hessian_sparsity([](const auto& v) { return v[0] - v[1]; }, x) == none);
    CHECK(duet::hessian_sparsity([](const auto& v) { return 2 * v[0]; }, x) == none);
    CHECK(duet::hessian_sparsity([](const auto& v) { return -v[0]; }, x) == none);
    CHECK(duet::hessian_sparsity([](const auto& v) { return v[0] / 4.0 + 1.0; }, x) == none);
    CHECK(duet::hessian_sparsity([](const auto& v) { return v[0] * v[1]; }, x) == entries(2, 2, {{0, 1}, {1, 0}}));
    CHECK(duet::hessian_sparsity([](const auto& v) { return v[0] * v[0]; }, x) == entries(2, 2, {{0, 0}}));
    CHECK(duet::hessian_sparsity([](const auto& v) { return exp(v[0]); }, x) == entries(2, 2, {{0, 0}}));
    CHECK(duet::hessian_sparsity([](const auto& v) { return v[0] / v[1]; }, x) ==
          entries(2, 2, {{0, 1}, {1, 0}, {1, 1}}));
    // A constant result, a plain number.
    CHECK(duet::hessian_sparsity([](const auto&) { return 1.0; }, x) == none);
    // Statement by statement: an intermediate linear in the inputs.
    const auto two_statements = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        const T s = v[0] + v[1];
        const T t = s * 3.0 - v[1];
        return t * v[0];
    };
    check_hessian_equals_dense(two_statements, x);
}

TEST_CASE("hessian_sparsity: chained Rosenbrock is tridiagonal", "[sparsity]") {
    for (std::size_t n : {2, 3, 10, 200}) {
        INFO("n = " << n);
        const auto x = generic_point(n);
        check_hessian_equals_dense(rosenbrock, x);
        CHECK(duet::hessian_sparsity(rosenbrock, x) == tridiagonal(n));
    }
    // At the minimum x = 1 the off-diagonal entries -400 x_i stay nonzero;
    // at x = 0 they vanish but stay in the pattern.
    const std::vector<double> zero(10, 0.0);
    const auto dense = nonzeros(duet::hessian(duet::reverse, rosenbrock, zero));
    CHECK(dense.nonzeros() == 10);
    CHECK(duet::hessian_sparsity(rosenbrock, zero) == tridiagonal(10));
}

TEST_CASE("hessian_sparsity: arrowhead (dense first row and column and the diagonal)", "[sparsity]") {
    for (std::size_t n : {5, 50}) {
        INFO("n = " << n);
        check_hessian_equals_dense(arrowhead_scalar, generic_point(n));
    }
    CHECK(duet::hessian_sparsity(arrowhead_scalar, generic_point(2000)) == arrowhead_pattern(2000));
}

TEST_CASE("hessian_sparsity: Lorenz-96 summed, and 2-D Bratu's energy-like sum", "[sparsity]") {
    const auto lorenz_sum = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        T s = 0;
        for (const auto& fi : lorenz96{}(x)) s += fi;
        return s;
    };
    check_hessian_equals_dense(lorenz_sum, generic_point(40));
    const auto bratu_sum = [](const auto& u) {
        using T = std::decay_t<decltype(u[0])>;
        T s = 0;
        for (const auto& r : bratu2d{6}(u)) s += r * r;
        return s;
    };
    check_hessian_equals_dense(bratu_sum, generic_point(36));
}

