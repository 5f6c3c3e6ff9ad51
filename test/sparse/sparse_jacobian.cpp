// sparse/sparse_jacobian.hpp: compressed Jacobians equal the dense ones
// (same mode: bitwise, each lane / sweep computes what the dense driver's
// does for its column / row, plus exact zeros), on Lorenz-96 (n = 40, 1000),
// a 2-D Bratu residual on a 100 x 100 grid (against the analytic banded
// Jacobian: the 10^4 x 10^4 dense one would take 800 MB), arrowheads (the
// automatic mode takes the cheap side), empty rows and columns; forward ==
// reverse == automatic; plans at new points; size errors. float, long double
// and std::array: sparse_jacobian_types.cpp.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <duet/drivers/container_jacobian.hpp>
#include <duet/sparse.hpp>

#include "../support/numeric.hpp"
#include "support.hpp"

namespace {

using namespace duet_sparse_test;
using duet_test::agree;

// f with an empty row (output 1 is a constant) and an empty column (x_2 is
// not used): y0 = x0 x1, y1 = 3, y2 = sin(x3) + x0, y3 = x1 / x3.
struct with_empty_row_and_column {
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::sin;
        std::vector<T> y;
        y.push_back(x[0] * x[1]);
        y.push_back(T(3.0));
        y.push_back(sin(x[3]) + x[0]);
        y.push_back(x[1] / x[3]);
        return y;
    }
};

}  // namespace

TEST_CASE("sparse_jacobian: Lorenz-96, every mode equals the dense Jacobian") {
    for (std::size_t n : {40, 1000}) {
        INFO("n = " << n);
        const auto x = point(n);
        const auto pattern = duet::jacobian_sparsity(lorenz96{}, x);
        CHECK(pattern == lorenz96_pattern(n));
        const auto Jf = duet::sparse_jacobian(duet::forward, lorenz96{}, x);
        const auto Jr = duet::sparse_jacobian(duet::reverse, lorenz96{}, x);
        const auto Ja = duet::sparse_jacobian(lorenz96{}, x);
        static_assert(std::is_same_v<decltype(Jf), const duet::sparse_matrix<double>>);
        CHECK(Jf.pattern() == pattern);
        CHECK(Jf.nonzeros() == 4 * n);
        CHECK(Jf.colors() == 4);  // four lanes: one forward pass of 4 lanes
        CHECK(Jr.colors() == 4);  // four sweeps
        require_equal_to_dense(Jf, duet::jacobian(duet::forward, lorenz96{}, x));
        require_equal_to_dense(Jr, duet::jacobian(duet::reverse, lorenz96{}, x));
        // forward == reverse == automatic (Lorenz-96's partials are single
        // products and sums: the same numbers either way)
        require_identical(Jf, Jr);
        require_identical(Ja, Jf);
        // the analytic Jacobian
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t p1 = (i + 1) % n, m1 = (i + n - 1) % n, m2 = (i + n - 2) % n;
            CHECK(Jf(i, p1) == x[m1]);
            CHECK(Jf(i, m2) == -x[m1]);
            CHECK(Jf(i, m1) == x[p1] - x[m2]);
            CHECK(Jf(i, i) == -1.0);
        }
        // the plan chose forward: 4 directions (one 4-lane pass) beat a
        // recording and 4 sweeps in the cost model
        CHECK(duet::sparse_jacobian_plan(lorenz96{}, x).mode() == duet::mode_choice::forward);
    }
}

TEST_CASE("sparse_jacobian: 2-D Bratu residual, 100 x 100 grid, against the banded Jacobian") {
    const std::size_t k = 100, n = k * k;
    const bratu2d f{k};
    const auto u = point(n, 0.3);
    const auto pattern = duet::jacobian_sparsity(f, u);
    REQUIRE(pattern == bratu2d_pattern(k));
    const double h2 = 1.0 / double((k + 1) * (k + 1));
    for (const auto mode : {duet::mode_choice::forward, duet::mode_choice::reverse}) {
        const auto J = mode == duet::mode_choice::forward ? duet::sparse_jacobian(duet::forward, f, u, pattern)
                                                          : duet::sparse_jacobian(duet::reverse, f, u, pattern);
        INFO(duet::to_string(mode));
        REQUIRE(J.pattern() == pattern);
        std::size_t bad = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t q = pattern.row_offsets[i]; q < pattern.row_offsets[i + 1]; ++q) {
                const std::size_t j = pattern.column_indices[q];
                // 1e-14 relative: the reference's formula rounds differently
                // from the chain rule through s / h2 (h2 is not a power of 2)
                const double expected = i == j ? 4.0 / h2 - f.lambda * std::exp(u[i]) : -1.0 / h2;
                if (!agree(J.values()[q], expected, 1e-14) && bad++ < 5)
                    CHECK(J.values()[q] == Approx(expected).epsilon(1e-14));
            }
        CHECK(bad == 0);
        CHECK(J.colors() == 5);  // the optimum: smallest-last order (natural gives 7)
    }
    // forward and reverse agree (1e-14: the division's tangent and adjoint
    // round separately)
    const auto Jf = duet::sparse_jacobian(duet::forward, f, u, pattern);
    const auto Jr = duet::sparse_jacobian(duet::reverse, f, u, pattern);
    std::size_t bad = 0;
    for (std::size_t q = 0; q < Jf.nonzeros(); ++q)
        if (!agree(Jf.values()[q], Jr.values()[q], 1e-14)) ++bad;
    CHECK(bad == 0);
    // per-row check with jvp: J e_j for a few columns equals column j of J
    for (std::size_t j : {std::size_t(0), std::size_t(57), std::size_t(5050), n - 1}) {
        std::vector<double> e(n, 0.0);
        e[j] = 1.0;
        const auto column = duet::jvp(f, u, e);
        for (std::size_t i = 0; i < n; ++i) {
            INFO("(" << i << ", " << j << ")");
            if (column[i] != 0.0 || Jf(i, j) != 0.0) CHECK(Jf(i, j) == column[i]);
        }
    }
}

// The choice automatic makes on colour counts (drivers/automatic.hpp): 4
// forward directions (one 4-lane pass) beat a recording and 4 sweeps; n
// directions lose to 2 sweeps; 2 directions beat n sweeps; one full 8-lane
// pass (4 plain evaluations in the model) beats a recording and 5 or 8
// full sweeps (3 + 0.4 each: Bratu's 5 and 5 colours, measured 3x faster
// forward), two passes (8) lose to 9 sweeps (6.6).
static_assert(duet::automatic_sparse_jacobian_mode(4, 4) == duet::mode_choice::forward);
static_assert(duet::automatic_sparse_jacobian_mode(200, 2) == duet::mode_choice::reverse);
static_assert(duet::automatic_sparse_jacobian_mode(2, 200) == duet::mode_choice::forward);
static_assert(duet::automatic_sparse_jacobian_mode(16, 1) == duet::mode_choice::reverse);
static_assert(duet::automatic_sparse_jacobian_mode(5, 5) == duet::mode_choice::forward);
static_assert(duet::automatic_sparse_jacobian_mode(8, 8) == duet::mode_choice::forward);
static_assert(duet::automatic_sparse_jacobian_mode(9, 9) == duet::mode_choice::reverse);

TEST_CASE("sparse_jacobian: arrowheads, automatic takes the cheap side") {
    const std::size_t n = 200;
    const auto x = point(n, 0.9);
    {
        // dense first row: columns need n colours, rows 2: reverse
        const auto plan = duet::sparse_jacobian_plan(dense_first_row{}, x);
        CHECK(plan.pattern() == dense_first_row_pattern(n));
        CHECK(plan.mode() == duet::mode_choice::reverse);
        CHECK(plan.colors() == 2);
        const auto J = plan(x);
        CHECK(J.colors() == 2);
        require_equal_to_dense(J, duet::jacobian(duet::reverse, dense_first_row{}, x));
        const auto Jf = duet::sparse_jacobian(duet::forward, dense_first_row{}, x);
        CHECK(Jf.colors() == n);
        require_equal_to_dense(Jf, duet::jacobian(duet::forward, dense_first_row{}, x));
    }
    {
        // dense first column: columns 2 colours, rows n: forward
        const auto plan = duet::sparse_jacobian_plan(dense_first_column{}, x);
        CHECK(plan.pattern() == dense_first_column_pattern(n));
        CHECK(plan.mode() == duet::mode_choice::forward);
        CHECK(plan.colors() == 2);
        const auto J = plan(x);
        require_equal_to_dense(J, duet::jacobian(duet::forward, dense_first_column{}, x));
        const auto Jr = duet::sparse_jacobian(duet::reverse, dense_first_column{}, x);
        CHECK(Jr.colors() == n);
        require_equal_to_dense(Jr, duet::jacobian(duet::reverse, dense_first_column{}, x));
    }
}

TEST_CASE("sparse_jacobian: large arrowheads, automatic colours only the cheap side") {
    // n = 20000: colouring the columns of a dense row scans n^2 = 4e8
    // entries; automatic colours the rows first and stops (2 row colours beat
    // any forward run with n column colours)
    const std::size_t n = 20000;
    const auto x = point(n, 0.3);
    const auto row_plan = duet::sparse_jacobian_plan(dense_first_row{}, x);
    CHECK(row_plan.mode() == duet::mode_choice::reverse);
    CHECK(row_plan.colors() == 2);
    const auto J = row_plan(x);
    for (std::size_t j : {std::size_t(0), std::size_t(1), n / 2, n - 1}) CHECK(J(0, j) == std::cos(x[j]));
    for (std::size_t i : {std::size_t(1), n / 3, n - 1}) CHECK(J(i, i) == x[i] + x[i]);
    const auto column_plan = duet::sparse_jacobian_plan(dense_first_column{}, x);
    CHECK(column_plan.mode() == duet::mode_choice::forward);
    CHECK(column_plan.colors() == 2);
    const auto K = column_plan(x);
    for (std::size_t i : {std::size_t(1), n / 2, n - 1}) CHECK(K(i, 0) == x[i]);
}

TEST_CASE("sparse_jacobian: an empty row and an empty column") {
    const std::vector<double> x{0.3, -1.2, 0.7, 2.1};
    const auto pattern = duet::jacobian_sparsity(with_empty_row_and_column{}, x);
    CHECK(pattern == pattern_of_rows(4, {{0, 1}, {}, {0, 3}, {1, 3}}));
    const auto dense = duet::jacobian(duet::forward, with_empty_row_and_column{}, x);
    for (const auto& J : {duet::sparse_jacobian(duet::forward, with_empty_row_and_column{}, x),
                          duet::sparse_jacobian(duet::reverse, with_empty_row_and_column{}, x),
                          duet::sparse_jacobian(with_empty_row_and_column{}, x)}) {
        CHECK(J.nonzeros() == 6);
        for (std::size_t j = 0; j < 4; ++j) CHECK(J(1, j) == 0.0);
        for (std::size_t i = 0; i < 4; ++i) CHECK(J(i, 2) == 0.0);
        require_equal_to_dense(J, dense);
    }
}

TEST_CASE("sparse_jacobian: a given pattern (a superset) and zero-sized inputs") {
    // a tridiagonal superset of Lorenz-96's pattern is not valid (Lorenz-96
    // is cyclic with bandwidth 4), but a full pattern is: every entry stored,
    // the structural zeros stored as 0
    const std::size_t n = 12;
    const auto x = point(n, 0.4);
    const auto full = pattern_where(n, n, [](std::size_t, std::size_t) { return true; });
    const auto J = duet::sparse_jacobian(duet::forward, lorenz96{}, x, full);
    CHECK(J.nonzeros() == n * n);
    CHECK(J.colors() == n);
    require_equal_to_dense(J, duet::jacobian(duet::forward, lorenz96{}, x));
    const auto Jr = duet::sparse_jacobian(duet::reverse, lorenz96{}, x, full);
    require_equal_to_dense(Jr, duet::jacobian(duet::reverse, lorenz96{}, x));
}

TEST_CASE("sparse_jacobian: plans at new points equal fresh calls") {
    const std::size_t n = 64;
    const auto x0 = point(n, 0.0);
    const auto plan_f = duet::sparse_jacobian_plan(duet::forward, lorenz96{}, x0);
    const auto plan_r = duet::sparse_jacobian_plan(duet::reverse, lorenz96{}, x0);
    const auto plan_a = duet::sparse_jacobian_plan(lorenz96{}, x0);
    CHECK(plan_f.mode() == duet::mode_choice::forward);
    CHECK(plan_r.mode() == duet::mode_choice::reverse);
    CHECK(plan_f.inputs() == n);
    for (double shift : {0.5, 1.5, 2.5}) {
        const auto x = point(n, shift);
        const auto fresh_f = duet::sparse_jacobian(duet::forward, lorenz96{}, x);
        const auto fresh_r = duet::sparse_jacobian(duet::reverse, lorenz96{}, x);
        require_identical(plan_f(x), fresh_f);
        require_identical(plan_r(x), fresh_r);
        require_identical(plan_a(x), duet::sparse_jacobian(lorenz96{}, x));
        CHECK(plan_f(x).values()[1] != plan_f(x0).values()[1]);  // J(0, 1) = x_{n-1}: new values
    }
    // a stateful callable is copied into the plan
    std::size_t calls = 0;
    auto counting = [&calls](const auto& x) {
        ++calls;
        return lorenz96{}(x);
    };
    const auto plan_c = duet::sparse_jacobian_plan(duet::forward, counting, x0);
    calls = 0;
    (void)plan_c(x0);
    CHECK(calls == 1);  // one pass of 4 lanes, no detection
}

TEST_CASE("sparse_jacobian: size mismatches throw std::invalid_argument naming both sizes") {
    const auto x = point(8);
    const auto plan = duet::sparse_jacobian_plan(lorenz96{}, x);
    try {
        (void)plan(point(9));
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        CHECK(what.find("duet::sparse_jacobian_plan") != std::string::npos);
        CHECK(what.find("9") != std::string::npos);
        CHECK(what.find("8") != std::string::npos);
    }
    try {
        (void)duet::sparse_jacobian(lorenz96{}, x, lorenz96_pattern(10));
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        CHECK(what == "duet::sparse_jacobian: x has 8 elements but the pattern has 10 columns");
    }
    // outputs: f returns 8, the pattern has 7 rows
    const auto seven = pattern_where(7, 8, [](std::size_t i, std::size_t j) { return i == j; });
    for (int mode = 0; mode < 2; ++mode) {
        try {
            if (mode == 0) (void)duet::sparse_jacobian(duet::forward, lorenz96{}, x, seven);
            else (void)duet::sparse_jacobian(duet::reverse, lorenz96{}, x, seven);
            FAIL("no exception");
        } catch (const std::invalid_argument& e) {
            CHECK(std::string(e.what()) == "duet::sparse_jacobian: f returned 8 outputs but the pattern has 7 rows");
        }
    }
    CHECK_THROWS_AS(duet::sparse_jacobian_plan(lorenz96{}, x, lorenz96_pattern(9)), std::invalid_argument);
}
