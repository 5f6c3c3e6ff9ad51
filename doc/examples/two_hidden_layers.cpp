// A network with two hidden layers, its gradients in β, α⁽¹⁾ and α⁽²⁾:
//
//     y = sigmoid(βᵀ sigmoid(α⁽²⁾ᵀ sigmoid(α⁽¹⁾ᵀ x)))
//
// with x in R^d, α⁽¹⁾ (d x n1), α⁽²⁾ (n1 x n2), β in R^n2. Forward:
//     z1 = α⁽¹⁾ᵀ x,  h1 = sigmoid(z1)        (n1)
//     z2 = α⁽²⁾ᵀ h1, h2 = sigmoid(z2)        (n2)
//     s  = βᵀ h2,    y  = sigmoid(s)         (scalar)
// Backpropagation (sigmoid' = sigmoid (1 - sigmoid); "downstream gradient =
// upstream gradient x local gradient"):
//     δs = ∂y/∂s  = y (1 - y)                      (scalar)
//     δ2 = ∂y/∂z2 = δs β ∘ h2 ∘ (1 - h2)           (n2)
//     δ1 = ∂y/∂z1 = (α⁽²⁾ δ2) ∘ h1 ∘ (1 - h1)      (n1)
// and, in the shape convention (each gradient has its parameter's shape):
//     ∂y/∂β    = δs h2                             (n2)
//     ∂y/∂α⁽²⁾ = h1 δ2ᵀ                            (n1 x n2)
//     ∂y/∂α⁽¹⁾ = x δ1ᵀ                             (d x n1)
//     ∂y/∂x    = α⁽¹⁾ δ1                           (d)
// The example checks duet's reverse and forward modes against these formulas
// (1e-12 relative) and against central finite differences (1e-7). The model
// is written with xtensor's functions (xt::linalg::dot, xt::exp ...), and
// once more with duet's (duet::sigmoid, duet::matmul) for comparison.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <tuple>

#include <duet/check/finite_difference.hpp>
#include <duet/duet.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

namespace {

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

constexpr std::size_t d = 6;   // inputs
constexpr std::size_t n1 = 5;  // first hidden layer
constexpr std::size_t n2 = 4;  // second hidden layer

// The network as an xtensor user writes it: xt::linalg::dot, xt::transpose,
// xt::exp, xt::sum. The same source runs on plain xtensors (xtensor's own
// functions, lazily) and on duet's tensor variables (duet nodes), so it is
// both the model and the plain reference. xtensor has no sigmoid, so it is
// spelled out; xtensor-blas's vector dot product is a shape-(1,) array, so
// the score is xt::sum(...)() -- a double in plain code, a rank-0 node in
// duet's (the trailing () reads the single element in both).
const auto logistic = [](auto z) { return 1.0 / (1.0 + xt::exp(-std::move(z))); };
const auto network = [](const auto& beta, const auto& alpha1, const auto& alpha2, const auto& x) {
    const auto h1 = logistic(xt::linalg::dot(xt::transpose(alpha1), x));
    const auto h2 = logistic(xt::linalg::dot(xt::transpose(alpha2), h1));
    return logistic(xt::sum(xt::linalg::dot(beta, h2)))();
};

// The same network in duet's spelling: duet::sigmoid is ONE node whose rule
// is sigmoid' = sigmoid (1 - sigmoid), where 1 / (1 + exp(-z)) above is four
// nodes (negate, exp, +, /) that the chain rule combines into the same
// derivative. Both must give the same gradients.
const auto network_duet = [](const auto& beta, const auto& alpha1, const auto& alpha2, const auto& x) {
    const auto h1 = duet::sigmoid(duet::matmul(duet::transpose(alpha1), x));
    const auto h2 = duet::sigmoid(duet::matmul(duet::transpose(alpha2), h1));
    return duet::sigmoid(duet::dot(beta, h2));
};

tensor<1> sigmoid(const tensor<1>& z) { return 1.0 / (1.0 + xt::exp(-z)); }

// Largest |a - b| over the largest |b|: the relative error of a whole
// gradient.
template <std::size_t K>
double relative_error(const tensor<K>& a, const tensor<K>& b) {
    if (a.shape() != b.shape()) return INFINITY;
    double difference = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        difference = std::max(difference, std::abs(a.data()[i] - b.data()[i]));
        scale = std::max(scale, std::abs(b.data()[i]));
    }
    return difference / (scale > 0 ? scale : 1.0);
}

using gradients = std::tuple<tensor<1>, tensor<2>, tensor<2>, tensor<1>>;

// The worst relative error over the four gradients (β, α⁽¹⁾, α⁽²⁾, x).
double worst_error(const gradients& a, const gradients& b) {
    return std::max({relative_error(std::get<0>(a), std::get<0>(b)),
                     relative_error(std::get<1>(a), std::get<1>(b)),
                     relative_error(std::get<2>(a), std::get<2>(b)),
                     relative_error(std::get<3>(a), std::get<3>(b))});
}

}  // namespace

int main() {
    std::mt19937 rng(5);
    std::normal_distribution<double> normal(0.0, 1.0);
    auto random = [&](auto t, double scale) {  // t: a tensor of the wanted shape
        for (auto& v : t) v = scale * normal(rng);
        return t;
    };
    const tensor<1> x = random(tensor<1>::from_shape({d}), 1.0);
    const tensor<2> alpha1 = random(tensor<2>::from_shape({d, n1}), 0.8);
    const tensor<2> alpha2 = random(tensor<2>::from_shape({n1, n2}), 0.8);
    const tensor<1> beta = random(tensor<1>::from_shape({n2}), 1.5);

    // Backpropagation by hand.
    const tensor<1> h1 = sigmoid(xt::linalg::dot(xt::transpose(alpha1), x));
    const tensor<1> h2 = sigmoid(xt::linalg::dot(xt::transpose(alpha2), h1));
    const double s = xt::linalg::vdot(beta, h2);
    const double y = 1.0 / (1.0 + std::exp(-s));
    const double delta_s = y * (1.0 - y);
    const tensor<1> delta2 = delta_s * beta * h2 * (1.0 - h2);
    const tensor<1> delta1 = xt::linalg::dot(alpha2, delta2) * h1 * (1.0 - h1);
    const gradients by_hand{tensor<1>(delta_s * h2), tensor<2>(xt::linalg::outer(x, delta1)),
                            tensor<2>(xt::linalg::outer(h1, delta2)),
                            tensor<1>(xt::linalg::dot(alpha1, delta1))};

    bool ok = true;
    const double value = network(beta, alpha1, alpha2, x);  // the plain forward pass
    std::printf("y = %.15f (by hand %.15f)\n", value, y);
    ok = ok && std::abs(value - y) <= 1e-14;

    // duet, both modes: the shape convention, and the formulas to 1e-12.
    const gradients reverse = duet::gradient(duet::reverse, network, beta, alpha1, alpha2, x);
    const gradients forward = duet::gradient(duet::forward, network, beta, alpha1, alpha2, x);
    const bool shapes = std::get<0>(reverse).shape() == beta.shape() &&
                        std::get<1>(reverse).shape() == alpha1.shape() &&
                        std::get<2>(reverse).shape() == alpha2.shape() &&
                        std::get<3>(reverse).shape() == x.shape();
    const double reverse_error = worst_error(reverse, by_hand);
    const double forward_error = worst_error(forward, by_hand);
    std::printf("gradient shapes equal parameter shapes: %s\n", shapes ? "yes" : "NO");
    std::printf("reverse vs backpropagation by hand: %.2e (required <= 1e-12)\n", reverse_error);
    std::printf("forward vs backpropagation by hand: %.2e (required <= 1e-12)\n", forward_error);
    ok = ok && shapes && reverse_error <= 1e-12 && forward_error <= 1e-12;

    // duet's own spelling gives the same gradients (up to rounding: the
    // sigmoids are computed differently).
    const gradients reverse_duet = duet::gradient(duet::reverse, network_duet, beta, alpha1, alpha2, x);
    const double spelling_error = worst_error(reverse_duet, reverse);
    std::printf("duet spelling vs xtensor spelling:  %.2e (required <= 1e-14)\n", spelling_error);
    ok = ok && spelling_error <= 1e-14;

    // Central finite differences, an independent oracle (plain doubles only).
    const gradients numeric = duet::fd::gradient(network, beta, alpha1, alpha2, x);
    const double fd_error = worst_error(reverse, numeric);
    std::printf("reverse vs central differences:     %.2e (required <= 1e-7)\n", fd_error);
    ok = ok && fd_error <= 1e-7;

    std::printf("dy/dbeta = [");
    for (double g : std::get<0>(reverse)) std::printf(" %.6f", g);
    std::printf(" ]\n%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
