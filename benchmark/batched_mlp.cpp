// A batched MLP classifier, one mini-batch per gradient: batch 64, widths
// 784-256-10 (an MNIST-sized network), tanh hidden layer, bias broadcast
// over the batch, softmax cross-entropy (doc/examples/batched_mlp.cpp is the
// same model, trained and checked).
//
//   batched_mlp/plain     the loss alone (the generic model on xtensors)
//   batched_mlp/hand      loss and gradient by hand: 4 GEMMs (CBLAS) + loops
//   batched_mlp/reverse   duet::value_and_gradient(duet::reverse, loss, W1, b1, W2, b2)
//
// Goal (issue 14): reverse within 1.3x of hand.
#include <benchmark/benchmark.h>
// cblas_* come from xtensor-blas (xflens/cxxblas/drivers/cblas.h) via duet.hpp

#include <cmath>
#include <cstddef>
#include <random>

#include <duet/duet.hpp>

namespace {

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

constexpr std::size_t B = 64, D = 784, N = 256, C = 10;

template <std::size_t K>
tensor<K> random_tensor(const typename tensor<K>::shape_type& shape, unsigned seed, double scale) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> dist(-scale, scale);
    auto t = tensor<K>::from_shape(shape);
    for (auto& v : t) v = dist(rng);
    return t;
}

struct problem {
    tensor<2> X = random_tensor<2>({B, D}, 1, 1.0);
    tensor<2> Y = xt::zeros<double>({B, C});
    tensor<2> W1 = random_tensor<2>({D, N}, 2, 0.05);
    tensor<1> b1 = random_tensor<1>({N}, 3, 0.1);
    tensor<2> W2 = random_tensor<2>({N, C}, 4, 0.1);
    tensor<1> b2 = random_tensor<1>({C}, 5, 0.1);
    problem() {
        for (std::size_t i = 0; i < B; ++i) Y(i, (i * 7) % C) = 1.0;
    }
};

// The loss of the batch (X, Y), generic in the parameters; the data enter by
// reference (duet::constant_ref), not copied per call.
auto loss_of(const tensor<2>& X, const tensor<2>& Y) {
    return [&X, &Y](const auto& W1, const auto& b1, const auto& W2, const auto& b2) {
        const auto H = duet::tanh(duet::matmul(duet::constant_ref(X), W1) + b1);
        return duet::softmax_cross_entropy(duet::matmul(H, W2) + b2, duet::constant_ref(Y));
    };
}

// By hand: Z1 = X W1 + b1, H = tanh Z1, Z2 = H W2 + b2, P = softmax rows;
// δ2 = (P - Y)/B, gW2 = Hᵀ δ2, gb2 = Σ rows δ2, δ1 = (δ2 W2ᵀ) ∘ (1 - H²),
// gW1 = Xᵀ δ1, gb1 = Σ rows δ1.
struct hand_gradient {
    tensor<2> H{std::array<std::size_t, 2>{B, N}}, Z{std::array<std::size_t, 2>{B, C}},
        dH{std::array<std::size_t, 2>{B, N}};
    tensor<2> gW1{std::array<std::size_t, 2>{D, N}}, gW2{std::array<std::size_t, 2>{N, C}};
    tensor<1> gb1{std::array<std::size_t, 1>{N}}, gb2{std::array<std::size_t, 1>{C}};

    double operator()(const problem& p) {
        const int b = B, d = D, n = N, c = C;
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t j = 0; j < N; ++j) H(i, j) = p.b1(j);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, n, d, 1.0, p.X.data(), d, p.W1.data(), n, 1.0,
                    H.data(), n);
        for (auto& h : H) h = std::tanh(h);
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t j = 0; j < C; ++j) Z(i, j) = p.b2(j);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, c, n, 1.0, H.data(), n, p.W2.data(), c, 1.0,
                    Z.data(), c);
        double loss = 0;
        gb2.fill(0.0);
        for (std::size_t i = 0; i < B; ++i) {  // Z becomes δ2
            double m = Z(i, 0);
            for (std::size_t j = 1; j < C; ++j) m = std::max(m, Z(i, j));
            double s = 0;
            for (std::size_t j = 0; j < C; ++j) s += std::exp(Z(i, j) - m);
            const double lse = m + std::log(s);
            for (std::size_t j = 0; j < C; ++j) {
                loss += -p.Y(i, j) * Z(i, j);
                Z(i, j) = (std::exp(Z(i, j) - lse) - p.Y(i, j)) / B;
                gb2(j) += Z(i, j);
            }
            loss += lse;
        }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, c, b, 1.0, H.data(), n, Z.data(), c, 0.0,
                    gW2.data(), c);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, n, c, 1.0, Z.data(), c, p.W2.data(), c, 0.0,
                    dH.data(), n);
        gb1.fill(0.0);
        for (std::size_t i = 0; i < B; ++i)
            for (std::size_t j = 0; j < N; ++j) {
                dH(i, j) *= 1.0 - H(i, j) * H(i, j);
                gb1(j) += dH(i, j);
            }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d, n, b, 1.0, p.X.data(), d, dH.data(), n, 0.0,
                    gW1.data(), n);
        return loss / B;
    }
};

void mlp_plain(benchmark::State& state) {
    const problem p;
    auto loss = loss_of(p.X, p.Y);
    for (auto _ : state) benchmark::DoNotOptimize(loss(p.W1, p.b1, p.W2, p.b2));
}
void mlp_hand(benchmark::State& state) {
    const problem p;
    hand_gradient g;
    for (auto _ : state) {
        benchmark::DoNotOptimize(g(p));
        benchmark::ClobberMemory();
    }
}
void mlp_reverse(benchmark::State& state) {
    const problem p;
    auto loss = loss_of(p.X, p.Y);
    // the two agree (checked once, outside the timing)
    hand_gradient g;
    const double hand_value = g(p);
    const auto check = duet::value_and_gradient(duet::reverse, loss, p.W1, p.b1, p.W2, p.b2);
    double worst = std::abs(check.value - hand_value);
    const auto& gW1 = std::get<0>(check.gradient);
    for (std::size_t i = 0; i < gW1.size(); ++i) worst = std::max(worst, std::abs(gW1.data()[i] - g.gW1.data()[i]));
    if (worst > 1e-10) state.SkipWithError("duet and the hand gradient disagree");
    for (auto _ : state) {
        auto r = duet::value_and_gradient(duet::reverse, loss, p.W1, p.b1, p.W2, p.b2);
        benchmark::DoNotOptimize(r);
    }
}

}  // namespace

BENCHMARK(mlp_plain)->Name("batched_mlp/plain")->Unit(benchmark::kMicrosecond);
BENCHMARK(mlp_hand)->Name("batched_mlp/hand")->Unit(benchmark::kMicrosecond);
BENCHMARK(mlp_reverse)->Name("batched_mlp/reverse")->Unit(benchmark::kMicrosecond);
