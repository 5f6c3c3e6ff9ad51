// The window classifier, a logistic "is this a location" model: is the
// centre word of a five-word window a location?
//
// Model. Each word has a vector in R^d (d = 10); a window is the
// concatenation x in R^{5d} of its five word vectors. With W (n x 5d), b, u
// in R^n:
//     z = W x + b,   h = sigmoid(z),   s = uᵀ h,   p = sigmoid(s) = P(location)
// and the logistic loss  J = softplus(s) - y s  (= -log p or -log(1 - p)).
//
// Gradients of the score s, by the chain rule with δ = u ∘ sigmoid'(z)
// (sigmoid'(z) = h ∘ (1 - h)):
//     ∂s/∂b = δ,   ∂s/∂W = δ xᵀ (n x 5d: the shape of W),
//     ∂s/∂x = Wᵀ δ,   ∂s/∂u = h.
// duet computes these from the generic model below; the example checks them
// against the formulas, then trains W, b, u by mini-batch SGD,
//     θ ← θ − η (1/S) Σ_{i in batch} ∇θ J⁽ⁱ⁾,
// on a synthetic data set (fixed seed) and requires 95% test accuracy.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <duet/duet.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xmath.hpp>

namespace {

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

constexpr std::size_t d = 10;       // word vector dimension
constexpr std::size_t window = 5;   // words per window
constexpr std::size_t hidden = 8;   // n
constexpr std::size_t vocabulary = 40;
constexpr std::size_t locations = 10;  // words 0..9 are locations

// The score s = uᵀ sigmoid(W x + b), written as an xtensor user writes it.
// The same source runs on plain xtensors (xtensor's functions: the accuracy
// below) and on duet's tensor variables (duet nodes: the gradients).
// xt::sum(...)() is a double in plain code and a rank-0 node in duet's.
const auto logistic = [](auto z) { return 1.0 / (1.0 + xt::exp(-std::move(z))); };
const auto score = [](const auto& W, const auto& b, const auto& u, const auto& x) {
    return xt::sum(u * logistic(xt::linalg::dot(W, x) + b))();
};

// The same score in duet's spelling: duet::sigmoid is one node (its rule is
// sigmoid' = sigmoid (1 - sigmoid)) and duet::dot one BLAS call, where the
// xtensor spelling builds exp, +, / and a product and a sum; the gradients
// agree (checked below). duet's spelling is a little faster.
const auto score_duet = [](const auto& W, const auto& b, const auto& u, const auto& x) {
    return duet::dot(u, duet::sigmoid(duet::matmul(W, x) + b));
};

// The logistic loss of one labelled window (xtensor has no softplus;
// duet::softplus(s) = log(1 + exp(s)) without overflow).
auto loss_for(double y) {
    return [y](const auto& W, const auto& b, const auto& u, const auto& x) {
        auto s = score(W, b, u, x);
        return duet::softplus(s) - y * s;
    };
}

struct example {
    tensor<1> x;
    double y;  // 1: the centre word is a location
};

// Word vectors: locations share a common direction plus noise, other words
// are noise. Windows: five random words; label from the centre one.
std::vector<example> make_data(std::mt19937& rng, const std::vector<tensor<1>>& words, std::size_t count) {
    std::uniform_int_distribution<std::size_t> any_word(0, vocabulary - 1);
    std::uniform_int_distribution<std::size_t> location_word(0, locations - 1);
    std::bernoulli_distribution is_location(0.4);
    std::vector<example> data;
    for (std::size_t e = 0; e < count; ++e) {
        tensor<1> x = tensor<1>::from_shape({window * d});
        const bool positive = is_location(rng);
        for (std::size_t w = 0; w < window; ++w) {
            std::size_t word = any_word(rng);
            if (w == window / 2) {
                word = positive ? location_word(rng) : locations + any_word(rng) % (vocabulary - locations);
            }
            for (std::size_t k = 0; k < d; ++k) x(w * d + k) = words[word](k);
        }
        data.push_back({x, positive ? 1.0 : 0.0});
    }
    return data;
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b)); }

template <std::size_t K>
bool all_close(const tensor<K>& a, const tensor<K>& b) {
    if (a.shape() != b.shape()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!close(a.data()[i], b.data()[i])) return false;
    return true;
}

}  // namespace

int main() {
    std::mt19937 rng(20240601);
    std::normal_distribution<double> noise(0.0, 1.0);

    tensor<1> location_direction = tensor<1>::from_shape({d});
    for (auto& v : location_direction) v = noise(rng);
    std::vector<tensor<1>> words;
    for (std::size_t w = 0; w < vocabulary; ++w) {
        tensor<1> v = tensor<1>::from_shape({d});
        for (auto& e : v) e = 0.5 * noise(rng);
        if (w < locations) v += location_direction;
        words.push_back(v);
    }
    const auto train = make_data(rng, words, 600);
    const auto test = make_data(rng, words, 300);

    tensor<2> W = tensor<2>::from_shape({hidden, window * d});
    for (auto& v : W) v = 0.1 * noise(rng);
    tensor<1> b = xt::zeros<double>({hidden});
    tensor<1> u = tensor<1>::from_shape({hidden});
    for (auto& v : u) v = 0.1 * noise(rng);

    // 1. duet's gradients of s equal the hand-derived formulas.
    {
        const tensor<1>& x = train[0].x;
        const auto [gW, gb, gu, gx] = duet::gradient(score, W, b, u, x);
        const tensor<1> z = xt::linalg::dot(W, x) + b;
        const tensor<1> h = 1.0 / (1.0 + xt::exp(-z));
        const tensor<1> delta = u * h * (1.0 - h);
        const bool ok = all_close(gb, delta) && all_close(gW, tensor<2>(xt::linalg::outer(delta, x))) &&
                        all_close(gx, tensor<1>(xt::linalg::dot(xt::transpose(W), delta))) &&
                        all_close(gu, h);
        // The forward mode gives the same numbers.
        const auto [fW, fb, fu, fx] = duet::gradient(duet::forward, score, W, b, u, x);
        const bool forward_ok = all_close(fW, gW) && all_close(fb, gb) && all_close(fu, gu) && all_close(fx, gx);
        // duet's spelling of the score: the same gradients.
        const auto [dW, db, du, dx] = duet::gradient(score_duet, W, b, u, x);
        const bool spelling_ok = all_close(dW, gW) && all_close(db, gb) && all_close(du, gu) && all_close(dx, gx);
        std::printf("gradient check: ds/db = delta, ds/dW = delta x^T, ds/dx = W^T delta, ds/du = h: %s\n",
                    ok && forward_ok && spelling_ok ? "ok" : "FAILED");
        if (!ok || !forward_ok || !spelling_ok) return 1;
    }

    // 2. Mini-batch SGD on the logistic loss (W, b, u; word vectors fixed).
    auto accuracy = [&](const std::vector<example>& data) {
        std::size_t right = 0;
        for (const auto& e : data) right += ((score(W, b, u, e.x) > 0) == (e.y > 0.5));
        return static_cast<double>(right) / static_cast<double>(data.size());
    };
    const double eta = 0.5;
    const std::size_t batch = 20, steps = 1500;
    std::uniform_int_distribution<std::size_t> pick(0, train.size() - 1);
    std::printf("step  train-loss  test-accuracy\n");
    for (std::size_t step = 0; step <= steps; ++step) {
        tensor<2> gW = xt::zeros<double>(W.shape());
        tensor<1> gb = xt::zeros<double>(b.shape()), gu = xt::zeros<double>(u.shape());
        double loss = 0;
        for (std::size_t i = 0; i < batch; ++i) {  // sampling with replacement
            const example& e = train[pick(rng)];
            const auto r = duet::value_and_gradient(loss_for(e.y), W, b, u, e.x);
            loss += r.value;
            gW += std::get<0>(r.gradient);
            gb += std::get<1>(r.gradient);
            gu += std::get<2>(r.gradient);
        }
        const double scale = eta / static_cast<double>(batch);
        W -= scale * gW;  // the shape convention: gW has W's shape
        b -= scale * gb;
        u -= scale * gu;
        if (step % 300 == 0)
            std::printf("%4zu  %10.4f  %13.3f\n", step, loss / static_cast<double>(batch), accuracy(test));
    }
    const double final_accuracy = accuracy(test);
    std::printf("test accuracy %.3f (required >= 0.95)\n", final_accuracy);
    return final_accuracy >= 0.95 ? 0 : 1;
}
