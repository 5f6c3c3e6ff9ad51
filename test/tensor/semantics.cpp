// Value semantics of tensor expressions: the closure rule, aliasing, and the
// same generic source running on plain xtensors.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace duet_test;

namespace {
// Returns an expression built from its by-value parameter and a local: the
// nodes hold them by value (constants) or point to driver storage (vars).
auto sqr(auto x) { return x * x; }
auto scaled_by_local(const auto& x) {
    const tensor<1> local = {2.0, 3.0};
    return x * local;
}
}  // namespace

TEST_CASE("expressions outlive the locals they were built from", "[tensor][semantics]") {
    const tensor<1> x = {1.0, -2.0};
    const auto g = duet::gradient([](const auto& x) { return duet::sum(sqr(scaled_by_local(x))); }, x);
    // d/dx_i (c_i x_i)^2 = 2 c_i^2 x_i
    CHECK(g(0) == 2 * 4 * 1.0);
    CHECK(g(1) == 2 * 9 * -2.0);
}

TEST_CASE("the same source computes the same values plain and differentiated", "[tensor][semantics]") {
    std::mt19937 rng(11);
    const auto W = random_tensor<2>(rng, {4, 3});
    const auto x = random_tensor<1>(rng, {3});
    auto f = [](const auto& W, const auto& x) {
        auto h = duet::tanh(duet::matmul(W, x));
        return duet::log_sum_exp(duet::softmax(h) * 3.0) + duet::mean(duet::outer(h, x)) +
               duet::sum(duet::sum(duet::reshape(duet::transpose(W), {4, 3}), 1));
    };
    const double plain = plain_value(f(W, x));
    CHECK(duet::value_and_gradient(duet::reverse, f, W, x).value == plain);
    CHECK(duet::value_and_gradient(duet::forward, f, W, x).value == plain);
    // Plain elementwise functions return evaluated tensors equal to xtensor's.
    const tensor<2> s = duet::sigmoid(W);
    CHECK(agree(s(1, 2), 1.0 / (1.0 + std::exp(-W(1, 2))), 1e-15));
    const tensor<1> m = duet::max(x, 0.0);
    CHECK(m(0) == std::max(x(0), 0.0));
}

TEST_CASE("an infinite partial stays in its own element", "[tensor][semantics]") {
    // sqrt'(0) = inf. As in the scalar modes, 0 * inf = NaN for x0 in both
    // modes, but x1's derivative is not polluted: a zero tangent element
    // contributes exactly zero in the forward pass.
    const tensor<1> x = {0.0, 4.0};
    const tensor<1> mask = {0.0, 1.0};
    auto f = [&mask](const auto& x) { return duet::dot(duet::sqrt(x), mask); };
    const auto gr = duet::gradient(duet::reverse, f, x);
    const auto gf = duet::gradient(duet::forward, f, x);
    CHECK(std::isnan(gr(0)));
    CHECK(std::isnan(gf(0)));
    CHECK(gr(1) == 0.25);
    CHECK(gf(1) == 0.25);
    // The scalar modes apply the strong-zero rule to zero partials as well
    // (doc/conventions.md): 0 * sqrt'(0) is 0 there. The tensor layer's
    // products go through BLAS and stay plain, so it keeps NaN for x0; the
    // zero-tangent rule (x1 not polluted) holds in both.
    const auto gs = duet::gradient(duet::forward, [](auto a, auto b) { return sqrt(a) * 0.0 + sqrt(b); }, 0.0, 4.0);
    CHECK(gs[0] == 0.0);
    CHECK(gs[1] == 0.25);
}

TEST_CASE("NaN inputs reach the gradient", "[tensor][semantics]") {
    const tensor<1> x = {std::nan(""), 1.0};
    const auto g = duet::gradient([](const auto& x) { return duet::sum(duet::exp(x)); }, x);
    CHECK(std::isnan(g(0)));
    CHECK(agree(g(1), std::exp(1.0), 1e-15));
}

TEST_CASE("constant_ref: a referenced constant gives the same values and gradients, plain too",
          "[tensor][semantics]") {
    std::mt19937 rng(5);
    const auto X = random_tensor<2>(rng, {50, 4});
    const auto y = random_tensor<1>(rng, {50});
    const auto w = random_tensor<1>(rng, {4});
    auto copied = [&](const auto& w) {
        return -0.5 * duet::sum(duet::square((y - duet::matmul(X, w)) / 0.7)) - 0.5 * duet::sum(w * w);
    };
    auto referenced = [&](const auto& w) {
        const auto Xr = duet::constant_ref(X);
        const auto yr = duet::constant_ref(y);
        return -0.5 * duet::sum(duet::square((yr - duet::matmul(Xr, w)) / 0.7)) - 0.5 * duet::sum(w * w);
    };
    const auto rc = duet::value_and_gradient(duet::reverse, copied, w);
    const auto rr = duet::value_and_gradient(duet::reverse, referenced, w);
    CHECK(rr.value == rc.value);
    CHECK((rr.gradient == rc.gradient));  // bitwise: the same operations on the same values
    const auto fr = duet::value_and_gradient(duet::forward, referenced, w);
    CHECK(fr.value == rc.value);
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(fr.gradient(i) == Approx(rc.gradient(i)).epsilon(1e-14));
    // With plain operands the referenced constant acts as the tensor itself.
    CHECK(plain_value(referenced(w)) == plain_value(copied(w)));
    const tensor<2> doubled = duet::constant_ref(X) * 2.0;
    CHECK((doubled == X * 2.0));  // (( )): Catch does not print tensors
    const tensor<1> product = duet::matmul(duet::constant_ref(X), w);
    CHECK((product == tensor<1>(duet::matmul(X, w))));
}
