// Sparsity detection (sparse/sparsity.hpp, sparse/tracer.hpp), Jacobian
// patterns: equal to the nonzero pattern of the dense Jacobian
// (duet::jacobian) at generic points and containing it at awkward ones, on
// Lorenz-96, 2-D Bratu, an arrowhead, empty rows and columns and branches.
// Hessians: sparsity_hessian.cpp; generic code, tracers, argument types and
// threads: sparsity_tracers.cpp; the operations table:
// sparsity_operations.cpp.
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

// ---- Jacobians ----------------------------------------------------------------------

TEST_CASE("jacobian_sparsity: Lorenz-96, n = 40 and 1000, is the dense Jacobian's pattern", "[sparsity]") {
    for (std::size_t n : {40, 1000}) {
        INFO("n = " << n);
        const auto x = generic_point(n);
        check_jacobian_equals_dense(lorenz96{}, x);
        CHECK(duet::jacobian_sparsity(lorenz96{}, x) == lorenz96_pattern(n));
        CHECK(duet::jacobian_sparsity(lorenz96{}, x).nonzeros() == 4 * n);
    }
}

TEST_CASE("jacobian_sparsity: Lorenz-96 at x = 0 keeps the entries whose partials vanish there", "[sparsity]") {
    const std::vector<double> x(40, 0.0);
    const auto p = duet::jacobian_sparsity(lorenz96{}, x);
    const auto dense = nonzeros(duet::jacobian(duet::reverse, lorenz96{}, x));
    CHECK(dense.nonzeros() == 40);  // only -x_i survives at 0
    CHECK(within(dense, p));
    CHECK(p == lorenz96_pattern(40));
}

TEST_CASE("jacobian_sparsity: 2-D Bratu, the 5-point stencil", "[sparsity]") {
    SECTION("20 x 20 grid, against the dense Jacobian") {
        check_jacobian_equals_dense(bratu2d{20}, generic_point(400));
        CHECK(duet::jacobian_sparsity(bratu2d{20}, generic_point(400)) == bratu2d_pattern(20));
    }
    SECTION("100 x 100 grid: the stencil, and sampled rows against reverse sweeps") {
        const auto u = generic_point(10000);
        const auto p = duet::jacobian_sparsity(bratu2d{100}, u);
        CHECK(well_formed(p));
        CHECK(p == bratu2d_pattern(100));
        CHECK(p.nonzeros() == 5 * 10000 - 4 * 100);
        for (std::size_t i : {0, 1, 99, 100, 101, 5050, 9899, 9900, 9999}) {
            INFO("row " << i);
            std::vector<double> w(10000, 0.0);
            w[i] = 1.0;
            const auto row = duet::vjp(bratu2d{100}, u, w);
            for (std::size_t j = 0; j < row.size(); ++j) CHECK((row[j] != 0.0) == p.contains(i, j));
        }
    }
}

TEST_CASE("jacobian_sparsity: arrowhead (dense first row and column), n = 5, 50, 1000", "[sparsity]") {
    for (std::size_t n : {5, 50, 1000}) {
        INFO("n = " << n);
        const auto x = generic_point(n);
        const auto p = duet::jacobian_sparsity(arrowhead_vector, x);
        CHECK(p == arrowhead_pattern(n));
        if (n <= 50) check_jacobian_equals_dense(arrowhead_vector, x);
    }
}

TEST_CASE("jacobian_sparsity: an empty row and an empty column", "[sparsity]") {
    // Output 1 is a constant, input 2 is never used.
    const auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        return std::vector<T>{x[0] * x[1], T(3.0), sin(x[1]) + x[3], 2.0 * x[0]};
    };
    const std::vector<double> x = {0.3, 0.7, 1.1, -0.4};
    const auto p = duet::jacobian_sparsity(f, x);
    CHECK(p == entries(4, 4, {{0, 0}, {0, 1}, {2, 1}, {2, 3}, {3, 0}}));
    CHECK(p.row_offsets[1] == p.row_offsets[2]);  // row 1 empty
    check_jacobian_equals_dense(f, x);
    // A function of no input at all.
    const auto constant = [](const auto& x) { return std::vector<double>(x.size(), 1.0); };
    CHECK(duet::jacobian_sparsity(constant, x) == entries(4, 4, {}));
}

TEST_CASE("jacobian_sparsity: a branch gives the pattern of the branch taken at x", "[sparsity]") {
    const auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        std::vector<T> y(2);
        if (x[0] > 0) y[0] = x[0] * x[1];
        else y[0] = x[2];
        y[1] = x[1] < x[2] ? T(x[1]) : T(exp(x[0]));
        return y;
    };
    const std::vector<double> a = {1.0, 0.5, 2.0}, b = {-1.0, 3.0, 2.0};
    CHECK(duet::jacobian_sparsity(f, a) == entries(2, 3, {{0, 0}, {0, 1}, {1, 1}}));
    CHECK(duet::jacobian_sparsity(f, b) == entries(2, 3, {{0, 2}, {1, 0}}));
    check_jacobian_equals_dense(f, a);
    check_jacobian_equals_dense(f, b);
}

TEST_CASE("jacobian_sparsity: structural at awkward points (supersets of the dense pattern)", "[sparsity]") {
    const auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        return std::vector<T>{abs(x[0]), relu(x[1]), x[2] * 0.0, x[0] * x[2], x[3] - x[3], sqrt(x[4]),
                              max(x[0], x[2])};
    };
    const std::vector<double> x = {0.0, -1.0, 0.0, 2.0, 0.0};
    const auto p = duet::jacobian_sparsity(f, x);
    const auto dense = nonzeros(duet::jacobian(duet::reverse, f, x));
    INFO(show(p) << " vs dense " << show(dense));
    CHECK(within(dense, p));
    CHECK(p == entries(7, 5, {{0, 0}, {1, 1}, {2, 2}, {3, 0}, {3, 2}, {4, 3}, {5, 4}, {6, 0}, {6, 2}}));
    CHECK(dense.nonzeros() < p.nonzeros());
}

