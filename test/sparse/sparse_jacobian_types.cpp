// sparse/sparse_jacobian.hpp, split from sparse_jacobian.cpp for compile
// time: float and long double arguments (bitwise equal to the dense
// Jacobian of the same mode), std::array arguments.
#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <type_traits>
#include <vector>

#include <duet/drivers/container_jacobian.hpp>
#include <duet/sparse.hpp>

#include "support.hpp"

using namespace duet_sparse_test;

TEMPLATE_TEST_CASE("sparse_jacobian: float and long double", "", float, long double) {
    using T = TestType;
    const std::size_t n = 40;
    const auto x = point<T>(n, 0.2);
    const auto Jf = duet::sparse_jacobian(duet::forward, lorenz96{}, x);
    const auto Jr = duet::sparse_jacobian(duet::reverse, lorenz96{}, x);
    static_assert(std::is_same_v<decltype(Jf), const duet::sparse_matrix<T>>);
    const auto Df = duet::jacobian(duet::forward, lorenz96{}, x);
    const auto Dr = duet::jacobian(duet::reverse, lorenz96{}, x);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (Jf(i, j) != Df(i, j) || Jr(i, j) != Dr(i, j)) ++bad;
    CHECK(bad == 0);
    CHECK(Jf(3, 4) == x[2]);
    const auto y = point<T>(n, 1.1);
    const auto plan = duet::sparse_jacobian_plan(lorenz96{}, x);
    require_identical(plan(y), duet::sparse_jacobian(lorenz96{}, y));
}

TEST_CASE("sparse_jacobian: std::array argument") {
    const std::array<double, 8> x{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
    const auto f = [](const auto& v) {
        using N = std::decay_t<decltype(v[0])>;
        std::array<N, 8> y;
        for (std::size_t i = 0; i < 8; ++i) y[i] = v[i] * v[(i + 1) % 8];
        return y;
    };
    const auto J = duet::sparse_jacobian(f, x);
    const auto D = duet::jacobian(duet::forward, f, x);
    CHECK(J.nonzeros() == 16);
    require_equal_to_dense(J, D);
}
