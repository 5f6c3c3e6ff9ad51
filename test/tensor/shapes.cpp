// Gradients come out in the shape convention: each argument's shape, for
// ranks 0 to 3, in both modes.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace duet_test;

TEST_CASE("gradient shapes equal argument shapes for ranks 0..3", "[tensor][shape]") {
    std::mt19937 rng(3);
    const tensor<0> s = 0.3;
    const auto v = random_tensor<1>(rng, {4});
    const auto M = random_tensor<2>(rng, {2, 3});
    const auto T = random_tensor<3>(rng, {2, 3, 4});
    auto f = [](const auto& s, const auto& v, const auto& M, const auto& T) {
        return s * duet::sum(duet::square(T)) + duet::dot(v, v) * duet::sum(duet::exp(M)) + duet::square(s);
    };
    for (int mode = 0; mode < 2; ++mode) {
        const auto [gs, gv, gM, gT] = mode == 0 ? duet::gradient(duet::reverse, f, s, v, M, T)
                                                : duet::gradient(duet::forward, f, s, v, M, T);
        static_assert(std::is_same_v<std::remove_cvref_t<decltype(gs)>, tensor<0>>);
        static_assert(std::is_same_v<std::remove_cvref_t<decltype(gT)>, tensor<3>>);
        CHECK(gs.shape() == s.shape());
        CHECK(gv.shape() == v.shape());
        CHECK(gM.shape() == M.shape());
        CHECK(gT.shape() == T.shape());
        // Spot values: d/ds = sum(T^2) + 2 s; d/dT = 2 s T.
        CHECK(agree(gs(), xt::sum(T * T)() + 2 * s(), 1e-13));
        CHECK(agree(gT(1, 2, 3), 2 * s() * T(1, 2, 3), 1e-13));
    }
    // One argument: a tensor, not a tuple.
    const auto gM = duet::gradient([](const auto& M) { return duet::sum(M); }, M);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(gM)>, tensor<2>>);
    CHECK(gM.shape() == M.shape());
    // A rank-0 function of a rank-0 argument.
    const auto g0 = duet::gradient([](const auto& s) { return duet::sin(s) * s; }, s);
    CHECK(agree(g0(), std::cos(s()) * s() + std::sin(s()), 1e-15));
}

TEST_CASE("scalar and tensor drivers coexist", "[tensor][shape]") {
    const auto g = duet::gradient([](auto x, auto y) { return x * x * x * (x + 3 * y); }, 2.0, 3.0);
    CHECK(g[0] == 140.0);
    CHECK(g[1] == 24.0);
    const std::vector<double> x = {1.0, 2.0};
    const auto gv = duet::gradient([](const auto& x) { return x[0] * x[1]; }, x);
    CHECK(gv[0] == 2.0);
    const xt::xtensor<double, 1> t = {1.0, 2.0};
    const auto gt = duet::gradient([](const auto& t) { return duet::dot(t, t); }, t);
    CHECK(gt(1) == 4.0);
}
