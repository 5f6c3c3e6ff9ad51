// Shape convention <-> Jacobian form: row-major index mapping and round trips.
#include <catch2/catch.hpp>

#include <duet/duet.hpp>

TEST_CASE("a 2x3 gradient is the 1x6 Jacobian row, row-major", "[tensor][shape]") {
    const xt::xtensor<double, 2> G = {{0, 1, 2}, {3, 4, 5}};
    const auto J = duet::to_jacobian_form(G);
    REQUIRE(J.shape(0) == 1);
    REQUIRE(J.shape(1) == 6);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j) CHECK(J(0, i * 3 + j) == G(i, j));
    const auto back = duet::to_shape_convention(J, G.shape());
    CHECK(bool(back == G));
}

TEST_CASE("ranks 0 to 3 round trip", "[tensor][shape]") {
    const xt::xtensor<double, 0> g0 = 4.5;
    CHECK(bool(duet::to_shape_convention(duet::to_jacobian_form(g0), g0.shape()) == g0));
    const xt::xtensor<double, 1> g1 = {1, 2, 3};
    CHECK(bool(duet::to_shape_convention(duet::to_jacobian_form(g1), g1.shape()) == g1));
    xt::xtensor<double, 3> g3 = xt::xtensor<double, 3>::from_shape({2, 3, 4});
    for (std::size_t c = 0; c < g3.size(); ++c) g3.data()[c] = static_cast<double>(c);
    const auto J3 = duet::to_jacobian_form(g3);
    // (i, j, l) <-> c = (i*3 + j)*4 + l
    CHECK(J3(0, (1 * 3 + 2) * 4 + 3) == g3(1, 2, 3));
    CHECK(bool(duet::to_shape_convention(J3, g3.shape()) == g3));
    // A flat (rank-1) gradient works as well.
    const xt::xtensor<double, 1> flat = xt::arange<double>(24.0);
    CHECK(bool(duet::to_shape_convention(flat, g3.shape()) == g3));
}

TEST_CASE("vector output: m x (n*k) <-> m x n x k", "[tensor][shape]") {
    // J: 2 outputs, parameter 3x2.
    xt::xtensor<double, 2> J = xt::xtensor<double, 2>::from_shape({2, 6});
    for (std::size_t c = 0; c < J.size(); ++c) J.data()[c] = 10.0 * static_cast<double>(c);
    const std::array<std::size_t, 2> W_shape = {3, 2};
    const auto stacked = duet::to_shape_convention(J, duet::stacked_shape(2, W_shape));
    REQUIRE(stacked.shape(0) == 2);
    REQUIRE(stacked.shape(1) == 3);
    REQUIRE(stacked.shape(2) == 2);
    for (std::size_t r = 0; r < 2; ++r)
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j < 2; ++j) CHECK(stacked(r, i, j) == J(r, i * 2 + j));
    CHECK(bool(duet::to_jacobian_form(stacked, 2) == J));
    CHECK_THROWS_AS(duet::to_jacobian_form(stacked, 3), std::invalid_argument);
}

TEST_CASE("a jacobian of a scalar function is the gradient in Jacobian form", "[tensor][shape]") {
    const xt::xtensor<double, 2> W = {{1.0, -2.0, 0.5}, {0.3, 0.2, -0.1}};
    auto f = [](const auto& W) { return duet::sum(duet::sin(W) * W); };
    const auto J = duet::jacobian(f, W);
    const auto g = duet::gradient(f, W);
    REQUIRE(J.shape(0) == 1);
    CHECK(bool(duet::to_shape_convention(J, W.shape()) == g));
    CHECK(bool(duet::to_jacobian_form(g) == J));
}
