// The window classifier: s = uᵀ sigmoid(W x + b). With δ = u ∘ sigmoid'(z):
// ∂s/∂b = δ, ∂s/∂W = δ xᵀ (shape of W), ∂s/∂x = Wᵀ δ, ∂s/∂u = h.
#include <catch2/catch.hpp>

#include <xtensor-blas/xlinalg.hpp>

#include "support.hpp"

using namespace duet_test;

namespace {
template <std::size_t K>
bool all_close(const tensor<K>& a, const tensor<K>& b, double rel) {
    if (a.shape() != b.shape()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!agree(a.data()[i], b.data()[i], rel)) return false;
    return true;
}
}  // namespace

TEST_CASE("window classifier gradients equal the hand-derived formulas", "[tensor][example4]") {
    std::mt19937 rng(4);
    const std::size_t d = 10, n = 7;
    const auto W = random_tensor<2>(rng, {n, 5 * d});
    const auto b = random_tensor<1>(rng, {n});
    const auto u = random_tensor<1>(rng, {n});
    const auto x = random_tensor<1>(rng, {5 * d});
    auto s = [](const auto& W, const auto& b, const auto& u, const auto& x) {
        return duet::dot(u, duet::sigmoid(duet::matmul(W, x) + b));
    };

    const tensor<1> z = xt::linalg::dot(W, x) + b;
    const tensor<1> h = 1.0 / (1.0 + xt::exp(-z));
    const tensor<1> delta = u * h * (1.0 - h);
    const tensor<2> delta_xT = xt::linalg::outer(delta, x);
    const tensor<1> WT_delta = xt::linalg::dot(xt::transpose(W), delta);

    for (int mode = 0; mode < 2; ++mode) {
        INFO((mode == 0 ? "reverse" : "forward"));
        const auto [gW, gb, gu, gx] = mode == 0 ? duet::gradient(duet::reverse, s, W, b, u, x)
                                                : duet::gradient(duet::forward, s, W, b, u, x);
        CHECK(gW.shape() == W.shape());
        CHECK(all_close(gb, delta, 1e-13));
        CHECK(all_close(gW, delta_xT, 1e-13));
        CHECK(all_close(gx, WT_delta, 1e-13));
        CHECK(all_close(gu, h, 1e-13));
    }
    // The value is the plain forward pass of the same source.
    CHECK(agree(duet::value_and_gradient(s, W, b, u, x).value, s(W, b, u, x), 1e-15));
    // Jacobian form of ∂s/∂W (b, u, x held constant): one row, row-major.
    const auto J = duet::jacobian([&](const auto& W) { return s(W, b, u, x); }, W);
    REQUIRE(J.shape(0) == 1);
    REQUIRE(J.shape(1) == n * 5 * d);
    CHECK(agree(J(0, 3 * 5 * d + 7), delta(3) * x(7), 1e-13));
    CHECK(all_close(duet::to_shape_convention(J, W.shape()), delta_xT, 1e-13));
}
