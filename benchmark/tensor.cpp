// Tensor gradients: duet (reverse, forward) against a hand-written BLAS
// gradient and the plain forward pass of the same generic source.
//
//   window_classifier/<contender>/<h>   s = u . sigmoid(W x + b), W h x 5d with
//                                       (h, 5d) = (10, 25), (100, 250), (300, 500), (1000, 1000)
//   dense_layer/<contender>/<n>         s = sum(sigmoid(W X + B)), W n x n, X and B n x 32
//   matrix_product/<contender>/<N>      s = sum(A B), A and B N x N
//   window_jacobian/<contender>/<h>     Jacobian of sigmoid(W x + b) w.r.t. x (h x 5d)
//   layer_jacobian/<contender>/100      Jacobian of tanh(W x + b), 100 -> 100
//   log_sum_exp/<contender>/<n>         duet::log_sum_exp(x), n = 1024, 16384
//   log_sum_exp_naive/<contender>/<n>   duet::log(duet::sum(duet::exp(x)))
//   normal_log_pdf/<contender>/<n>      -0.5 * sum(square((x - mu) / sigma)) - c
//                                       (exp and log vectorised with xsimd
//                                       when installed: tensor/simd.hpp)
//
// plain:   the generic model called with xt::xtensor<double, K> (values only);
//          for log_sum_exp and normal_log_pdf the plain double loop
//          (std::exp in a loop), the reference of R in doc/performance.md
// hand:    value and gradient written by hand with CBLAS (gemv/gemm + loops)
// reverse: duet::value_and_gradient(duet::reverse, model, ...)
// forward: duet::value_and_gradient(duet::forward, model, ...), one tangent
//          pass per input element (only at the smallest size: it costs
//          n_inputs plain passes)
#include <benchmark/benchmark.h>
// cblas_* come from xtensor-blas (xflens/cxxblas/drivers/cblas.h) via duet.hpp

#include <cmath>
#include <cstddef>
#include <random>

#include <duet/duet.hpp>

namespace {

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

template <std::size_t K>
tensor<K> random_tensor(const typename tensor<K>::shape_type& shape, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> dist(-0.5, 0.5);
    auto t = tensor<K>::from_shape(shape);
    for (auto& v : t) v = dist(rng);
    return t;
}

inline double sigmoid(double z) { return duet::sigmoid(z); }

// ---- window classifier ----------------------------------------------------------
const auto window_model = [](const auto& W, const auto& b, const auto& u, const auto& x) {
    return duet::dot(u, duet::sigmoid(duet::matmul(W, x) + b));
};

std::size_t window_inputs(std::size_t hidden) {
    switch (hidden) {
        case 10: return 25;
        case 100: return 250;
        case 300: return 500;
        default: return 1000;
    }
}

struct window_problem {
    tensor<2> W;
    tensor<1> b, u, x;
    explicit window_problem(std::size_t h)
        : W(random_tensor<2>({h, window_inputs(h)}, 1)),
          b(random_tensor<1>({h}, 2)),
          u(random_tensor<1>({h}, 3)),
          x(random_tensor<1>({window_inputs(h)}, 4)) {}
};

// δ = u ∘ σ'(z): gW = δ xᵀ, gb = δ, gx = Wᵀ δ, gu = h.
struct window_hand_gradient {
    tensor<2> gW;
    tensor<1> gb, gu, gx, z;
    double operator()(const window_problem& p) {
        const int n = static_cast<int>(p.W.shape(0)), m = static_cast<int>(p.W.shape(1));
        gW.resize({p.W.shape(0), p.W.shape(1)});
        gb.resize({p.W.shape(0)});
        gu.resize({p.W.shape(0)});
        gx.resize({p.W.shape(1)});
        z = p.b;
        cblas_dgemv(CblasRowMajor, CblasNoTrans, n, m, 1.0, p.W.data(), m, p.x.data(), 1, 1.0,
                    z.data(), 1);
        double s = 0;
        for (int i = 0; i < n; ++i) {
            const double h = sigmoid(z[i]);
            s += p.u[i] * h;
            gu[i] = h;
            gb[i] = p.u[i] * h * (1 - h);
        }
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < m; ++j) gW.data()[i * m + j] = gb[i] * p.x[j];
        cblas_dgemv(CblasRowMajor, CblasTrans, n, m, 1.0, p.W.data(), m, gb.data(), 1, 0.0,
                    gx.data(), 1);
        return s;
    }
};

void window_plain(benchmark::State& state) {
    const window_problem p(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(window_model(p.W, p.b, p.u, p.x));
}
void window_hand(benchmark::State& state) {
    const window_problem p(static_cast<std::size_t>(state.range(0)));
    window_hand_gradient g;
    for (auto _ : state) {
        benchmark::DoNotOptimize(g(p));
        benchmark::ClobberMemory();
    }
}
template <class Mode>
void window_duet(benchmark::State& state) {
    const window_problem p(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto r = duet::value_and_gradient(Mode{}, window_model, p.W, p.b, p.u, p.x);
        benchmark::DoNotOptimize(r);
    }
}

// ---- dense layer ------------------------------------------------------------------
constexpr std::size_t batch = 32;

const auto dense_model = [](const auto& W, const auto& X, const auto& B) {
    return duet::sum(duet::sigmoid(duet::matmul(W, X) + B));
};

struct dense_problem {
    tensor<2> W, X, B;
    explicit dense_problem(std::size_t n)
        : W(random_tensor<2>({n, n}, 5)), X(random_tensor<2>({n, batch}, 6)), B(random_tensor<2>({n, batch}, 7)) {}
};

// G = σ'(Z): gW = G Xᵀ, gX = Wᵀ G, gB = G.
struct dense_hand_gradient {
    tensor<2> Z, gW, gX;
    double operator()(const dense_problem& p) {
        const int n = static_cast<int>(p.W.shape(0)), k = static_cast<int>(batch);
        Z = p.B;
        gW.resize({p.W.shape(0), p.W.shape(1)});
        gX.resize({p.X.shape(0), p.X.shape(1)});
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, k, n, 1.0, p.W.data(), n,
                    p.X.data(), k, 1.0, Z.data(), k);
        double s = 0;
        for (auto& zi : Z) {  // Z becomes G (= gB)
            const double h = sigmoid(zi);
            s += h;
            zi = h * (1 - h);
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, k, 1.0, Z.data(), k, p.X.data(),
                    k, 0.0, gW.data(), n);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, k, n, 1.0, p.W.data(), n, Z.data(),
                    k, 0.0, gX.data(), k);
        return s;
    }
};

void dense_plain(benchmark::State& state) {
    const dense_problem p(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(dense_model(p.W, p.X, p.B));
}
void dense_hand(benchmark::State& state) {
    const dense_problem p(static_cast<std::size_t>(state.range(0)));
    dense_hand_gradient g;
    for (auto _ : state) {
        benchmark::DoNotOptimize(g(p));
        benchmark::ClobberMemory();
    }
}
template <class Mode>
void dense_duet(benchmark::State& state) {
    const dense_problem p(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto r = duet::value_and_gradient(Mode{}, dense_model, p.W, p.X, p.B);
        benchmark::DoNotOptimize(r);
    }
}

// ---- matrix product -------------------------------------------------------------
const auto product_model = [](const auto& A, const auto& B) { return duet::sum(duet::matmul(A, B)); };

struct product_problem {
    tensor<2> A, B;
    explicit product_problem(std::size_t n) : A(random_tensor<2>({n, n}, 8)), B(random_tensor<2>({n, n}, 9)) {}
};

// Three GEMMs: C = A B, gA = G Bᵀ, gB = Aᵀ G with G = ones.
struct product_hand_gradient {
    tensor<2> C, G, gA, gB;
    double operator()(const product_problem& p) {
        const std::size_t N = p.A.shape(0);
        const int n = static_cast<int>(N);
        C.resize({N, N});
        G.resize({N, N});
        gA.resize({N, N});
        gB.resize({N, N});
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, p.A.data(), n,
                    p.B.data(), n, 0.0, C.data(), n);
        double s = 0;
        for (double c : C) s += c;
        G.fill(1.0);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0, G.data(), n, p.B.data(),
                    n, 0.0, gA.data(), n);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1.0, p.A.data(), n, G.data(),
                    n, 0.0, gB.data(), n);
        return s;
    }
};

void product_plain(benchmark::State& state) {
    const product_problem p(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(product_model(p.A, p.B));
}
void product_hand(benchmark::State& state) {
    const product_problem p(static_cast<std::size_t>(state.range(0)));
    product_hand_gradient g;
    for (auto _ : state) {
        benchmark::DoNotOptimize(g(p));
        benchmark::ClobberMemory();
    }
}
template <class Mode>
void product_duet(benchmark::State& state) {
    const product_problem p(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto r = duet::value_and_gradient(Mode{}, product_model, p.A, p.B);
        benchmark::DoNotOptimize(r);
    }
}

// ---- Jacobians in forward mode: one direction per pass vs lanes -----------------
// window_jacobian: J of h(x) = sigmoid(W x + b), W h x 5d (the hidden layer of
// the window classifier w.r.t. its input window); layer_jacobian: a 100 -> 100
// layer tanh(W x + b). forward_1lane: one tangent pass per input element
// (duet::jacobian_forward_lanes(f, x, 1)); forward_lanes: 32 directions per
// pass (duet::jacobian(duet::forward, f, x)); reverse: one sweep per output.
struct layer_problem {
    tensor<2> W;
    tensor<1> b, x;
    layer_problem(std::size_t out, std::size_t in)
        : W(random_tensor<2>({out, in}, 11)), b(random_tensor<1>({out}, 12)), x(random_tensor<1>({in}, 13)) {}
    auto sigmoid_layer() const {
        return [this](const auto& x) { return duet::sigmoid(duet::matmul(duet::constant_ref(W), x) + b); };
    }
    auto tanh_layer() const {
        return [this](const auto& x) { return duet::tanh(duet::matmul(duet::constant_ref(W), x) + b); };
    }
};

template <int Lanes>
void window_jacobian(benchmark::State& state) {
    const std::size_t h = static_cast<std::size_t>(state.range(0));
    const layer_problem p(h, window_inputs(h));
    const auto f = p.sigmoid_layer();
    for (auto _ : state) {
        auto J = Lanes > 0 ? duet::jacobian_forward_lanes(f, p.x, Lanes) : duet::jacobian(duet::reverse, f, p.x);
        benchmark::DoNotOptimize(J);
    }
}
template <int Lanes>
void layer_jacobian(benchmark::State& state) {
    const layer_problem p(100, 100);
    const auto f = p.tanh_layer();
    for (auto _ : state) {
        auto J = Lanes > 0 ? duet::jacobian_forward_lanes(f, p.x, Lanes) : duet::jacobian(duet::reverse, f, p.x);
        benchmark::DoNotOptimize(J);
    }
}

// ---- reductions over exp / log (value + gradient vs the plain double loop) ----
constexpr double nlp_mu = -0.56, nlp_sigma = 1.37;

tensor<1> near_one(std::size_t n) {
    auto t = random_tensor<1>({n}, 14);
    t += 1.0;
    return t;
}
const auto lse_model = [](const auto& x) { return duet::log_sum_exp(x); };
const auto lse_naive_model = [](const auto& x) { return duet::log(duet::sum(duet::exp(x))); };
const auto nlp_model = [](const auto& x) {
    return -0.5 * duet::sum(duet::square((x - nlp_mu) / nlp_sigma)) - 0.9189385332046727;
};

void lse_plain(benchmark::State& state) {
    const auto x = near_one(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        double s = 0;
        for (double xi : x) s += std::exp(xi);
        benchmark::DoNotOptimize(std::log(s));
    }
}
void nlp_plain(benchmark::State& state) {
    const auto x = near_one(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        double s = 0;
        for (double xi : x) {
            const double z = (xi - nlp_mu) / nlp_sigma;
            s += -0.5 * z * z;
        }
        benchmark::DoNotOptimize(s - 0.9189385332046727);
    }
}
template <const auto& Model>
void reduction_reverse(benchmark::State& state) {
    const auto x = near_one(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto r = duet::value_and_gradient(duet::reverse, Model, x);
        benchmark::DoNotOptimize(r);
    }
}

}  // namespace

BENCHMARK(lse_plain)->Name("log_sum_exp/plain")->Arg(1024)->Arg(16384)->Unit(benchmark::kMicrosecond);
BENCHMARK(reduction_reverse<lse_model>)->Name("log_sum_exp/reverse")->Arg(1024)->Arg(16384)->Unit(benchmark::kMicrosecond);
BENCHMARK(reduction_reverse<lse_naive_model>)->Name("log_sum_exp_naive/reverse")->Arg(1024)->Arg(16384)->Unit(benchmark::kMicrosecond);
BENCHMARK(nlp_plain)->Name("normal_log_pdf/plain")->Arg(1024)->Arg(16384)->Unit(benchmark::kMicrosecond);
BENCHMARK(reduction_reverse<nlp_model>)->Name("normal_log_pdf/reverse")->Arg(1024)->Arg(16384)->Unit(benchmark::kMicrosecond);

BENCHMARK(window_jacobian<1>)->Name("window_jacobian/forward_1lane")->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(window_jacobian<32>)->Name("window_jacobian/forward_lanes")->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(window_jacobian<0>)->Name("window_jacobian/reverse")->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(layer_jacobian<1>)->Name("layer_jacobian/forward_1lane")->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(layer_jacobian<8>)->Name("layer_jacobian/forward_8lanes")->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(layer_jacobian<32>)->Name("layer_jacobian/forward_lanes")->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(layer_jacobian<100>)->Name("layer_jacobian/forward_100lanes")->Arg(100)->Unit(benchmark::kMicrosecond);
BENCHMARK(layer_jacobian<0>)->Name("layer_jacobian/reverse")->Arg(100)->Unit(benchmark::kMicrosecond);

BENCHMARK(window_plain)->Name("window_classifier/plain")->Arg(10)->Arg(100)->Arg(300)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(window_hand)->Name("window_classifier/hand")->Arg(10)->Arg(100)->Arg(300)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(window_duet<duet::reverse_t>)->Name("window_classifier/reverse")->Arg(10)->Arg(100)->Arg(300)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(window_duet<duet::forward_t>)->Name("window_classifier/forward")->Arg(10)->Unit(benchmark::kMicrosecond);

BENCHMARK(dense_plain)->Name("dense_layer/plain")->Arg(16)->Arg(64)->Arg(256)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK(dense_hand)->Name("dense_layer/hand")->Arg(16)->Arg(64)->Arg(256)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK(dense_duet<duet::reverse_t>)->Name("dense_layer/reverse")->Arg(16)->Arg(64)->Arg(256)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK(dense_duet<duet::forward_t>)->Name("dense_layer/forward")->Arg(16)->Unit(benchmark::kMicrosecond);

BENCHMARK(product_plain)->Name("matrix_product/plain")->Arg(32)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(product_hand)->Name("matrix_product/hand")->Arg(32)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(product_duet<duet::reverse_t>)->Name("matrix_product/reverse")->Arg(32)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(product_duet<duet::forward_t>)->Name("matrix_product/forward")->Arg(32)->Unit(benchmark::kMicrosecond);
