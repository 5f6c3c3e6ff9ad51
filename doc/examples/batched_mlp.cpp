// A batched MLP classifier: a whole mini-batch per gradient, the bias
// broadcast over the batch, softmax cross-entropy, mini-batch SGD.
//
// Model (numpy's row convention: one example per ROW of X):
//     Z1 = X W1 + b1        X (B x d), W1 (d x n), b1 (n,) broadcast over the B rows
//     H  = tanh(Z1)         (B x n)
//     Z2 = H W2 + b2        W2 (n x c), b2 (c,)
//     J  = (1/B) Σ_b [ log Σ_k exp(Z2_bk) - Σ_k Y_bk Z2_bk ]   (Y one-hot, B x c)
// Backpropagation by hand (P = softmax of each row of Z2):
//     δ2 = (P - Y) / B                     (B x c)
//     ∂J/∂W2 = Hᵀ δ2,   ∂J/∂b2 = Σ_rows δ2  (the broadcast bias: a column sum)
//     δ1 = (δ2 W2ᵀ) ∘ (1 - H²)
//     ∂J/∂W1 = Xᵀ δ1,   ∂J/∂b1 = Σ_rows δ1
// The example checks duet's reverse and forward gradients against this hand
// backpropagation (1e-12) and against central differences (1e-7), then trains
// by mini-batch SGD, θ ← θ − η ∇θ J(batch), batches drawn without replacement
// (a shuffled pass over the training set per epoch), and requires 90% test
// accuracy on a synthetic three-class problem.
//
// Spelling. The layers use xtensor's elementwise functions (xt::tanh) and
// duet's broadcasting `+ b1`. The products are duet::matmul rather than
// xt::linalg::dot: on plain xtensors xt::linalg::dot returns an xt::xarray
// (dynamic rank), and duet's functions called plainly (here
// duet::softmax_cross_entropy, when central differences evaluate the loss)
// need static ranks. On duet variables both spellings build the same node.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <tuple>
#include <vector>

#include <duet/check/finite_difference.hpp>
#include <duet/duet.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace {

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

constexpr std::size_t d = 12;      // inputs
constexpr std::size_t n = 16;      // hidden units
constexpr std::size_t c = 3;       // classes
constexpr std::size_t batch = 32;  // B

// The loss of one batch (X, Y): generic in the parameters.
auto loss_of(const tensor<2>& X, const tensor<2>& Y) {
    return [&X, &Y](const auto& W1, const auto& b1, const auto& W2, const auto& b2) {
        const auto H = xt::tanh(duet::matmul(X, W1) + b1);  // b1 broadcast over the rows
        const auto Z = duet::matmul(H, W2) + b2;
        return duet::softmax_cross_entropy(Z, Y);  // mean over the batch
    };
}

using parameters = std::tuple<tensor<2>, tensor<1>, tensor<2>, tensor<1>>;

// Backpropagation by hand (the formulas at the top), with xtensor.
parameters backprop(const parameters& p, const tensor<2>& X, const tensor<2>& Y) {
    const auto& [W1, b1, W2, b2] = p;
    const tensor<2> H = xt::tanh(xt::linalg::dot(X, W1) + b1);
    const tensor<2> Z = xt::linalg::dot(H, W2) + b2;
    tensor<2> P = xt::exp(Z - xt::expand_dims(xt::amax(Z, {1}), 1));
    P /= xt::expand_dims(xt::sum(P, {1}), 1);
    const tensor<2> delta2 = (P - Y) / static_cast<double>(X.shape(0));
    const tensor<2> delta1 = xt::linalg::dot(delta2, xt::transpose(W2)) * (1.0 - H * H);
    return {tensor<2>(xt::linalg::dot(xt::transpose(X), delta1)), tensor<1>(xt::sum(delta1, {0})),
            tensor<2>(xt::linalg::dot(xt::transpose(H), delta2)), tensor<1>(xt::sum(delta2, {0}))};
}

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
double worst_error(const parameters& a, const parameters& b) {
    return std::max({relative_error(std::get<0>(a), std::get<0>(b)), relative_error(std::get<1>(a), std::get<1>(b)),
                     relative_error(std::get<2>(a), std::get<2>(b)), relative_error(std::get<3>(a), std::get<3>(b))});
}

// Three Gaussian classes around random centres in R^d.
struct data_set {
    tensor<2> X, Y;
    std::vector<std::size_t> label;
};
data_set make_data(std::mt19937& rng, const tensor<2>& centres, std::size_t count) {
    std::normal_distribution<double> noise(0.0, 1.0);
    std::uniform_int_distribution<std::size_t> pick(0, c - 1);
    data_set s{tensor<2>::from_shape({count, d}), xt::zeros<double>({count, c}), {}};
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t k = pick(rng);
        for (std::size_t j = 0; j < d; ++j) s.X(i, j) = centres(k, j) + noise(rng);
        s.Y(i, k) = 1.0;
        s.label.push_back(k);
    }
    return s;
}

// Rows `rows` of a matrix.
tensor<2> rows_of(const tensor<2>& M, const std::size_t* rows, std::size_t count) {
    tensor<2> out = tensor<2>::from_shape({count, M.shape(1)});
    for (std::size_t i = 0; i < count; ++i) xt::row(out, static_cast<std::ptrdiff_t>(i)) = xt::row(M, static_cast<std::ptrdiff_t>(rows[i]));
    return out;
}

}  // namespace

int main() {
    std::mt19937 rng(8);
    std::normal_distribution<double> normal(0.0, 1.0);
    auto random = [&](auto t, double scale) {
        for (auto& v : t) v = scale * normal(rng);
        return t;
    };
    const tensor<2> centres = random(tensor<2>::from_shape({c, d}), 1.0);
    const data_set train = make_data(rng, centres, 960);
    const data_set test = make_data(rng, centres, 300);

    parameters p{random(tensor<2>::from_shape({d, n}), 0.3), xt::zeros<double>({n}),
                 random(tensor<2>::from_shape({n, c}), 0.3), xt::zeros<double>({c})};
    bool ok = true;

    // 1. One batch: duet (both modes) = hand backpropagation = central differences.
    {
        std::vector<std::size_t> first(batch);
        std::iota(first.begin(), first.end(), std::size_t{0});
        const tensor<2> X = rows_of(train.X, first.data(), batch), Y = rows_of(train.Y, first.data(), batch);
        auto loss = loss_of(X, Y);
        const auto& [W1, b1, W2, b2] = p;
        const parameters reverse = duet::gradient(duet::reverse, loss, W1, b1, W2, b2);
        const parameters forward = duet::gradient(duet::forward, loss, W1, b1, W2, b2);
        const parameters by_hand = backprop(p, X, Y);
        const parameters numeric = duet::fd::gradient(loss, W1, b1, W2, b2);
        const bool shapes = std::get<0>(reverse).shape() == W1.shape() && std::get<1>(reverse).shape() == b1.shape() &&
                            std::get<2>(reverse).shape() == W2.shape() && std::get<3>(reverse).shape() == b2.shape();
        const double e_hand = worst_error(reverse, by_hand), e_forward = worst_error(forward, reverse),
                     e_fd = worst_error(reverse, numeric);
        std::printf("gradient shapes equal parameter shapes: %s\n", shapes ? "yes" : "NO");
        std::printf("reverse vs hand backpropagation: %.2e (required <= 1e-12)\n", e_hand);
        std::printf("forward vs reverse:              %.2e (required <= 1e-12)\n", e_forward);
        std::printf("reverse vs central differences:  %.2e (required <= 1e-7)\n", e_fd);
        ok = ok && shapes && e_hand <= 1e-12 && e_forward <= 1e-12 && e_fd <= 1e-7;
    }

    // 2. Mini-batch SGD, batches without replacement.
    auto accuracy = [&](const data_set& s) {
        const auto& [W1, b1, W2, b2] = p;
        const tensor<2> Z = xt::linalg::dot(xt::tanh(xt::linalg::dot(s.X, W1) + b1), W2) + b2;
        std::size_t right = 0;
        for (std::size_t i = 0; i < s.label.size(); ++i) {
            const auto row = xt::row(Z, static_cast<std::ptrdiff_t>(i));
            right += static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin()) == s.label[i];
        }
        return static_cast<double>(right) / static_cast<double>(s.label.size());
    };
    const double eta = 0.5;
    std::vector<std::size_t> order(train.label.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::printf("epoch  mean-batch-loss  test-accuracy\n");
    for (int epoch = 0; epoch < 10; ++epoch) {
        std::shuffle(order.begin(), order.end(), rng);
        double total = 0;
        std::size_t batches = 0;
        for (std::size_t start = 0; start + batch <= order.size(); start += batch, ++batches) {
            const tensor<2> X = rows_of(train.X, &order[start], batch), Y = rows_of(train.Y, &order[start], batch);
            auto& [W1, b1, W2, b2] = p;
            const auto r = duet::value_and_gradient(loss_of(X, Y), W1, b1, W2, b2);
            total += r.value;
            W1 -= eta * std::get<0>(r.gradient);  // the shape convention: ∇W1 has W1's shape
            b1 -= eta * std::get<1>(r.gradient);
            W2 -= eta * std::get<2>(r.gradient);
            b2 -= eta * std::get<3>(r.gradient);
        }
        std::printf("%5d  %15.4f  %13.3f\n", epoch, total / static_cast<double>(batches), accuracy(test));
    }
    const double final_accuracy = accuracy(test);
    std::printf("test accuracy %.3f (required >= 0.90)\n", final_accuracy);
    ok = ok && final_accuracy >= 0.90;
    std::printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
