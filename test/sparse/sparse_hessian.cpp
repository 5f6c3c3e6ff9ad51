// sparse/sparse_hessian.hpp: compressed Hessians (star colouring,
// forward-over-reverse, direct recovery) equal the dense reverse Hessian
// (duet::hessian) and the analytic one, on chained Rosenbrock (n = 2 ..
// 1000, 3 colours), an arrowhead (2 colours), a cyclic banded sum of squares
// (Lorenz-96), a 2-D Bratu energy on a 100 x 100 grid (against the analytic
// five-point Hessian); exactly symmetric. Empty rows and columns, given
// patterns, plans, size errors, float and long double:
// sparse_hessian_cases.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <duet/drivers/hessian.hpp>
#include <duet/sparse.hpp>

#include "../support/numeric.hpp"
#include "../support/rosenbrock.hpp"
#include "support.hpp"

namespace {

using namespace duet_sparse_test;
using duet_test::agree;

// H dense: x_0 interacts with every x_i (an arrowhead), plus a diagonal.
struct arrowhead {
    template <class T>
    T operator()(const std::vector<T>& x) const {
        using std::sin;
        T s = 0.0;
        for (std::size_t i = 1; i < x.size(); ++i) s += x[0] * x[i] * x[i] + sin(x[i]);
        return s + x[0] * x[0];
    }
};

// sum of the squared Lorenz-96 residuals: a cyclic band of half-width 3
struct lorenz96_squares {
    template <class T>
    T operator()(const std::vector<T>& x) const {
        const auto r = lorenz96{}(x);
        T s = 0.0;
        for (const auto& ri : r) s += ri * ri;
        return s;
    }
};

// Bratu energy 1/2 u^T A u - lambda sum exp(u) with A the five-point
// Laplacian / h^2 (Dirichlet zero): H = A - lambda diag(exp(u)).
struct bratu_energy {
    std::size_t k;
    double lambda = 6.0;
    template <class T>
    T operator()(const std::vector<T>& u) const {
        using std::exp;
        const double h2 = 1.0 / double((k + 1) * (k + 1));
        T s = 0.0;
        for (std::size_t a = 0; a < k; ++a)
            for (std::size_t b = 0; b < k; ++b) {
                const std::size_t i = a * k + b;
                s += 2.0 * u[i] * u[i] / h2 - lambda * exp(u[i]);
                if (a + 1 < k) s -= u[i] * u[i + k] / h2;
                if (b + 1 < k) s -= u[i] * u[i + 1] / h2;
            }
        return s;
    }
};

}  // namespace

TEST_CASE("sparse_hessian: chained Rosenbrock, 3 colours, equals the dense and analytic Hessians") {
    for (std::size_t n : {2, 3, 5, 9, 17, 100, 1000}) {
        INFO("n = " << n);
        const auto x = point(n, 0.7);
        const auto H = duet::sparse_hessian(chained_rosenbrock{}, x);
        static_assert(std::is_same_v<decltype(H), const duet::sparse_matrix<double>>);
        CHECK(H.colors() == (n <= 3 ? 2 : 3));  // a path of 3 is a star
        CHECK(H.nonzeros() == 3 * n - 2);
        CHECK(exactly_symmetric(H));
        // bitwise: each compressed lane computes what the dense driver's lane
        // of its column computes (the other columns of the colour contribute
        // exact zeros), and both-sided entries are averaged as the dense
        // driver symmetrises
        CHECK(mismatches(H, duet::hessian(chained_rosenbrock{}, x), 0) == 0);
        std::size_t bad = 0;
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t c = 0; c < n; ++c)
                if (!agree(H(r, c), duet_test::rosenbrock_hessian(x, r, c), 1e-13)) ++bad;
        CHECK(bad == 0);
    }
}

TEST_CASE("sparse_hessian: arrowhead, 2 colours") {
    const std::size_t n = 150;
    const auto x = point(n, 0.2);
    const auto plan = duet::sparse_hessian_plan(arrowhead{}, x);
    CHECK(plan.colors() == 2);
    CHECK(plan.pattern().nonzeros() == 3 * n - 2);
    const auto H = plan(x);
    CHECK(exactly_symmetric(H));
    CHECK(mismatches(H, duet::hessian(arrowhead{}, x), 0) == 0);
    CHECK(H(0, 5) == 2 * x[5]);
}

TEST_CASE("sparse_hessian: Lorenz-96 sum of squares, cyclic band") {
    for (std::size_t n : {40, 200}) {
        INFO("n = " << n);
        const auto x = point(n, 1.3);
        const auto H = duet::sparse_hessian(lorenz96_squares{}, x);
        CHECK(H.nonzeros() == 7 * n);  // |i - j| <= 3, cyclic
        CHECK(H.colors() <= 8);
        CHECK(exactly_symmetric(H));
        // 1e-14 relative: a lane seeded on several variables sums products
        // whose other terms are structurally zero in H but not in the
        // intermediate tangents (x_{i+1} - x_{i-2}), so it rounds differently
        // from the dense driver's single-variable lane
        CHECK(mismatches(H, duet::hessian(lorenz96_squares{}, x), 0) == 0);
    }
}

TEST_CASE("sparse_hessian: 2-D Bratu energy, 100 x 100 grid, against the five-point Hessian") {
    const std::size_t k = 100, n = k * k;
    const bratu_energy f{k};
    const auto u = point(n, 0.1);
    const auto H = duet::sparse_hessian(f, u);
    CHECK(H.pattern() == bratu2d_pattern(k));
    CHECK(H.colors() == 6);
    CHECK(exactly_symmetric(H));
    const double h2 = 1.0 / double((k + 1) * (k + 1));
    std::size_t bad = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t q = H.row_offsets()[i]; q < H.row_offsets()[i + 1]; ++q) {
            const std::size_t j = H.column_indices()[q];
            // 1e-14: the reference's formula rounds differently (h2 is not a
            // power of 2)
            const double expected = i == j ? 4.0 / h2 - f.lambda * std::exp(u[i]) : -1.0 / h2;
            if (!agree(H.values()[q], expected, 1e-14) && bad++ < 5)
                CHECK(H.values()[q] == Approx(expected).epsilon(1e-14));
        }
    CHECK(bad == 0);
}
