// sparse/sparse_hessian.hpp, split from sparse_hessian.cpp for compile
// time: empty rows and columns, given patterns, plans at new points, size
// errors, float and long double.
#include <catch2/catch.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <duet/drivers/hessian.hpp>
#include <duet/sparse.hpp>

#include "support.hpp"

namespace {

using namespace duet_sparse_test;

// x_2 unused (an empty row and column); x_3 only linear (an empty row too,
// but a nonzero gradient).
struct with_empty {
    template <class T>
    T operator()(const std::vector<T>& x) const {
        using std::exp;
        return x[0] * x[1] + exp(x[4]) * x[0] + 3.0 * x[3];
    }
};

}  // namespace

TEST_CASE("sparse_hessian: empty rows and columns, given patterns") {
    const std::vector<double> x{0.3, -1.2, 0.7, 2.1, 0.4};
    const auto H = duet::sparse_hessian(with_empty{}, x);
    // (0,1), (0,4), (4,4) and their mirrors
    CHECK(H.nonzeros() == 5);
    for (std::size_t j = 0; j < 5; ++j) {
        CHECK(H(2, j) == 0.0);
        CHECK(H(j, 2) == 0.0);
        CHECK(H(3, j) == 0.0);
    }
    CHECK(mismatches(H, duet::hessian(with_empty{}, x), 0) == 0);
    // a given pattern: only the upper triangle, a superset with the diagonal:
    // the symmetric closure is stored
    const auto upper = pattern_where(5, 5, [](std::size_t i, std::size_t j) { return i <= j; });
    const auto Hu = duet::sparse_hessian(with_empty{}, x, upper);
    CHECK(Hu.nonzeros() == 25);
    CHECK(Hu.colors() == 5);
    CHECK(mismatches(Hu, duet::hessian(with_empty{}, x), 0) == 0);
    // a linear function: an empty Hessian
    const auto linear = [](const auto& v) { return 2.0 * v[0] - v[1]; };
    const auto H0 = duet::sparse_hessian(linear, std::vector<double>{1.0, 2.0});
    CHECK(H0.nonzeros() == 0);
    CHECK(H0(1, 0) == 0.0);
}

TEST_CASE("sparse_hessian: plans at new points equal fresh calls") {
    const std::size_t n = 50;
    const auto x0 = point(n);
    const auto plan = duet::sparse_hessian_plan(chained_rosenbrock{}, x0);
    CHECK(plan.inputs() == n);
    for (double shift : {0.5, 1.5}) {
        const auto x = point(n, shift);
        const auto a = plan(x);
        const auto b = duet::sparse_hessian(chained_rosenbrock{}, x);
        REQUIRE(a.pattern() == b.pattern());
        std::size_t bad = 0;
        for (std::size_t q = 0; q < a.nonzeros(); ++q)
            if (!(a.values()[q] == b.values()[q])) ++bad;
        CHECK(bad == 0);
        CHECK(a(0, 1) == -400 * x[0]);
    }
}

TEST_CASE("sparse_hessian: size mismatches throw std::invalid_argument naming both sizes") {
    const auto plan = duet::sparse_hessian_plan(chained_rosenbrock{}, point(6));
    try {
        (void)plan(point(7));
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "duet::sparse_hessian_plan: x has 7 elements but the plan's x has 6");
    }
    const auto p = pattern_where(6, 5, [](std::size_t, std::size_t) { return true; });
    try {
        (void)duet::sparse_hessian(chained_rosenbrock{}, point(6), p);
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "duet::sparse_hessian: x has 6 elements but the pattern is 6 x 5");
    }
}

TEMPLATE_TEST_CASE("sparse_hessian: float and long double", "", float, long double) {
    using T = TestType;
    const std::size_t n = 30;
    const auto x = point<T>(n, 0.6);
    const auto H = duet::sparse_hessian(chained_rosenbrock{}, x);
    static_assert(std::is_same_v<decltype(H), const duet::sparse_matrix<T>>);
    const auto D = duet::hessian(chained_rosenbrock{}, x);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (!(H(i, j) == D(i, j))) ++bad;
    CHECK(bad == 0);
    CHECK(H(2, 3) == T(-400) * x[2]);
}
