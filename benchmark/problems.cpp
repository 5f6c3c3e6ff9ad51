// The benchmark problem set (benchmark/problems/*.hpp) against duet's
// contenders. Names: <problem>/<contender>/<n>, n as in the problem's sizes().
//
//   plain      P::f<double>: the generic source on double (value only)
//   plain_vec  the fastest plain value we have (multi-accumulator loops the
//              compiler vectorises, BLAS for products); R_best divides by it
//   hand       P::hand: hand-written value + gradient
//   tape       duet::value_and_gradient(duet::reverse, f, x): the driver
//              records f on its reused workspace tape, sweeps, reads the
//              gradient, all inside the timed loop. Counters (from one
//              gradient on an explicit duet::tape): partials per gradient,
//              tape bytes per partial (capacity of every tape array over
//              partials recorded)
//   forward    duet::value_and_gradient(duet::forward, f, x), only where
//              n <= 1024 and dimension(n) <= 4096 (ceil(dimension / lanes)
//              passes of f)
//   forward1   one tangent lane, one pass per input (dual<double, 1>), at
//              most 1024 inputs; counters dimension and lanes on both
//   static     duet's static adjoint (duet::value_and_gradient(duet::reverse,
//              g, scalars...)): on the whole closed form for example1..3; for
//              normal_log_pdf and rosenbrock once per term (the term's
//              scalars in, its partials added into the gradient by the loop)
//   tensor     duet::value_and_gradient(duet::reverse, model, tensors...)
//              with the same model written with duet tensor ops; the copies
//              of x into the argument tensors and of the gradient back are
//              timed. sum_iter: sum(x); prod_iter: exp(sum(log(x))) (duet
//              has no product reduction; x > 0 here); log_sum_exp: duet's
//              log_sum_exp; normal_log_pdf: sum(square((x - mu) / sigma));
//              matrix_product: sum(matmul(A, B)); regression: matmul(X, w)
//              with X and y as constants (duet copies them into the
//              expression on every call); window_classifier:
//              dot(u, sigmoid(matmul(W, x) + b))
// plain_vec exists for the problems above and rosenbrock; elsewhere (a
// recurrence, a power loop, two-scalar examples) R_best = R.
//
// Before anything is timed every contender's value and gradient is checked
// against hand's (relative 1e-10) at every registered size; a mismatch
// aborts the program with a message.
// DUET_BENCH_QUICK=1: only each problem's quick_size().
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <duet/duet.hpp>

#include "problems/all.hpp"

namespace {

using namespace duet_bench;

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

// forward costs ceil(dimension / lanes) passes of f: only n <= 1024 and at
// most 4096 inputs (the same rule as benchmark/peers).
template <class P>
bool forward_fits(std::size_t n) {
    return n <= 1024 && P::dimension(n) <= 4096;
}
// One pass per input: at most 1024 inputs.
template <class P>
bool forward1_fits(std::size_t n) {
    return n <= 1024 && P::dimension(n) <= 1024;
}

// ---- contender: tape ----------------------------------------------------------

template <class P>
struct tape_gradient {
    duet::tape<double> tape;
    std::vector<duet::var<double>> xs;

    double operator()(const std::vector<double>& x, std::vector<double>& g) {
        tape.clear();
        // Registers x[0], x[1], ... in order, in xs's reused capacity.
        xs.assign(x.begin(), x.end());
        const duet::var<double> y = P::f(xs);
        tape.backward(y);
        for (std::size_t i = 0; i < x.size(); ++i) g[i] = tape.adjoint(xs[i]);
        return y.value();
    }
};

template <class P>
double reverse_driver_gradient(const std::vector<double>& x, std::vector<double>& g) {
    const auto r = duet::value_and_gradient(duet::reverse, [](const auto& v) { return P::f(v); }, x);
    std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
    return r.value;
}

// ---- contender: forward -------------------------------------------------------

// One tangent lane, one pass per input (the 1-lane goal of the report):
// dual<double, 1> inputs built once, the seed moved from input to input.
template <class P>
struct forward1_gradient {
    std::vector<duet::dual<double, 1>> xs;

    double operator()(const std::vector<double>& x, std::vector<double>& g) {
        xs.assign(x.begin(), x.end());
        double value = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            xs[i].tangent(0) = 1;
            const duet::dual<double, 1> y = P::f(std::as_const(xs));
            xs[i].tangent(0) = 0;
            g[i] = y.tangent(0);
            value = y.value();
        }
        return value;
    }
};

template <class P>
double forward_gradient(const std::vector<double>& x, std::vector<double>& g) {
    auto r = duet::value_and_gradient(duet::forward, [](const auto& v) { return P::f(v); }, x);
    std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
    return r.value;
}

// ---- per-problem extras: static, tensor, plain_vec ------------------------------
// extras<P>::static_gradient(x, g), extras<P>::tensor_state (callable as
// (x, g) -> value), extras<P>::plain_vec(x): each optional.

template <class P>
struct extras {};

// Sums with eight independent accumulators: no loop-carried dependency
// through one register, so GCC vectorises without -ffast-math.
template <class Term>
double sum8(std::size_t n, Term term) {
    double a[8] = {};
    const std::size_t body = n - n % 8;
    for (std::size_t i = 0; i < body; i += 8)
        for (std::size_t k = 0; k < 8; ++k) a[k] += term(i + k);
    double s = 0;
    for (std::size_t k = 0; k < n % 8; ++k) s += term(body + k);
    for (double ak : a) s += ak;
    return s;
}

tensor<1> to_tensor(const std::vector<double>& x, std::size_t first, std::size_t count) {
    tensor<1> t = tensor<1>::from_shape({count});
    std::copy(x.begin() + std::ptrdiff_t(first), x.begin() + std::ptrdiff_t(first + count), t.begin());
    return t;
}

// One-tensor models: x is the tensor.
template <class Model>
struct vector_tensor_state {
    Model model;
    tensor<1> t;
    double operator()(const std::vector<double>& x, std::vector<double>& g) {
        if constexpr (requires { model.n; }) model.n = double(x.size());
        t.resize({x.size()});
        std::copy(x.begin(), x.end(), t.begin());
        const auto r = duet::value_and_gradient(duet::reverse, model, t);
        std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
        return r.value;
    }
};

template <>
struct extras<sum_iter> {
    static double plain_vec(const std::vector<double>& x) {
        return sum8(x.size(), [&](std::size_t i) { return x[i]; });
    }
    struct model {
        auto operator()(const auto& x) const { return duet::sum(x); }
    };
    using tensor_state = vector_tensor_state<model>;
};

template <>
struct extras<prod_iter> {
    static double plain_vec(const std::vector<double>& x) {
        double a[8] = {1, 1, 1, 1, 1, 1, 1, 1};
        std::size_t i = 0;
        for (; i + 8 <= x.size(); i += 8)
            for (std::size_t k = 0; k < 8; ++k) a[k] *= x[i + k];
        double p = 1;
        for (; i < x.size(); ++i) p *= x[i];
        for (double ak : a) p *= ak;
        return p;
    }
    // duet has no tensor product reduction: prod x = exp(sum(log x)), x > 0.
    struct model {
        auto operator()(const auto& x) const { return duet::exp(duet::sum(duet::log(x))); }
    };
    using tensor_state = vector_tensor_state<model>;
};

template <>
struct extras<log_sum_exp> {
    static double plain_vec(const std::vector<double>& x) {
        return std::log(sum8(x.size(), [&](std::size_t i) { return std::exp(x[i]); }));
    }
    // duet's log_sum_exp reduction (max-shifted).
    struct model {
        auto operator()(const auto& x) const { return duet::log_sum_exp(x); }
    };
    using tensor_state = vector_tensor_state<model>;
};

template <>
struct extras<normal_log_pdf> {
    using P = normal_log_pdf;
    static double plain_vec(const std::vector<double>& x) {
        const double inv = 1 / P::sigma;
        const double s = sum8(x.size(), [&](std::size_t i) {
            const double z = (x[i] - P::mu) * inv;
            return z * z;
        });
        return -0.5 * s - double(x.size()) * P::log_normaliser();
    }
    static double static_gradient(const std::vector<double>& x, std::vector<double>& g) {
        const auto term = [](auto xi) {
            const auto z = (xi - P::mu) / P::sigma;
            return -0.5 * z * z;
        };
        double s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const auto r = duet::value_and_gradient(duet::reverse, term, x[i]);
            s += r.value;
            g[i] = r.gradient[0];
        }
        return s - double(x.size()) * P::log_normaliser();
    }
    struct model {
        double n = 0;  // x.size(), set by the state before each call
        auto operator()(const auto& x) const {
            return -0.5 * duet::sum(duet::square((x - P::mu) / P::sigma)) - n * P::log_normaliser();
        }
    };
    using tensor_state = vector_tensor_state<model>;
};

template <>
struct extras<rosenbrock> {
    static double plain_vec(const std::vector<double>& x) {
        if (x.size() < 2) return 0;
        return sum8(x.size() - 1, [&](std::size_t i) {
            const double d = x[i + 1] - x[i] * x[i], e = 1 - x[i];
            return 100 * d * d + e * e;
        });
    }
    static double static_gradient(const std::vector<double>& x, std::vector<double>& g) {
        const auto term = [](auto a, auto b) {
            using std::pow;
            return 100.0 * pow(b - a * a, 2) + pow(1.0 - a, 2);
        };
        std::fill(g.begin(), g.end(), 0.0);
        double s = 0;
        for (std::size_t i = 0; i + 1 < x.size(); ++i) {
            const auto r = duet::value_and_gradient(duet::reverse, term, x[i], x[i + 1]);
            s += r.value;
            g[i] += r.gradient[0];
            g[i + 1] += r.gradient[1];
        }
        return s;
    }
};

template <>
struct extras<matrix_product> {
    // BLAS: C = A B, then the sum of C.
    static double plain_vec(const std::vector<double>& x) {
        static thread_local std::vector<double> C;
        const std::size_t N = matrix_product::order(x.size());
        const int n = int(N);
        C.resize(N * N);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, x.data(), n, x.data() + N * N, n,
                    0.0, C.data(), n);
        return sum8(N * N, [&](std::size_t i) { return C[i]; });
    }
    struct tensor_state {
        tensor<2> A, B;
        double operator()(const std::vector<double>& x, std::vector<double>& g) {
            const std::size_t N = matrix_product::order(x.size());
            A.resize({N, N});
            B.resize({N, N});
            std::copy(x.begin(), x.begin() + std::ptrdiff_t(N * N), A.begin());
            std::copy(x.begin() + std::ptrdiff_t(N * N), x.end(), B.begin());
            const auto r = duet::value_and_gradient(
                duet::reverse, [](const auto& a, const auto& b) { return duet::sum(duet::matmul(a, b)); }, A, B);
            const auto& [gA, gB] = r.gradient;
            std::copy(gA.begin(), gA.end(), g.begin());
            std::copy(gB.begin(), gB.end(), g.begin() + std::ptrdiff_t(N * N));
            return r.value;
        }
    };
};

template <>
struct extras<regression> {
    using P = regression;
    // X and y as tensors, built once per p.
    struct tensor_data {
        tensor<2> X;
        tensor<1> y;
        explicit tensor_data(std::size_t p) {
            const auto& d = P::data(p);
            X = tensor<2>::from_shape({P::observations, p});
            std::copy(d.X.begin(), d.X.end(), X.begin());
            y = to_tensor(d.y, 0, d.y.size());
        }
    };
    // BLAS: m = X w (gemv), then the squared residuals.
    static double plain_vec(const std::vector<double>& x) {
        static thread_local std::vector<double> m;
        if (x.empty()) return 0;  // x = (w, b) is never empty
        const std::size_t p = x.size() - 1;
        const auto& d = P::data(p);
        m.resize(P::observations);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, int(P::observations), int(p), 1.0, d.X.data(), int(p), x.data(), 1,
                    0.0, m.data(), 1);
        const double b = x[p], inv_y = 1 / P::sigma_y, inv_w = 1 / P::sigma_w;
        const double* yv = d.y.data();
        const double* mv = m.data();
        const double ss = sum8(P::observations, [&](std::size_t i) {
            const double r = (yv[i] - mv[i] - b) * inv_y;
            return r * r;
        });
        double sw = 0;  // p <= 150: not worth vectorising
        for (auto it = x.begin(); it + 1 != x.end(); ++it) sw += (*it * inv_w) * (*it * inv_w);
        const double zb = b / P::sigma_b;
        return -0.5 * ss - 0.5 * sw - 0.5 * zb * zb;
    }
    struct tensor_state {
        const tensor_data* data = nullptr;
        std::size_t p = 0;
        tensor<1> w;
        tensor<0> b;
        double operator()(const std::vector<double>& x, std::vector<double>& g) {
            static std::map<std::size_t, tensor_data> cache;  // nodes never move
            if (x.size() - 1 != p || data == nullptr) {
                p = x.size() - 1;
                data = &cache.try_emplace(p, p).first->second;
            }
            w.resize({p});
            std::copy(x.begin(), x.begin() + std::ptrdiff_t(p), w.begin());
            b() = x[p];
            const tensor<2>& X = data->X;
            const tensor<1>& y = data->y;
            // X and y enter as referenced constants (duet::constant_ref): no
            // copy of the 1000 x p data per gradient.
            const auto model = [&](const auto& wv, const auto& bv) {
                const auto Xr = duet::constant_ref(X);
                const auto yr = duet::constant_ref(y);
                return -0.5 * duet::sum(duet::square((yr - (duet::matmul(Xr, wv) + bv)) / P::sigma_y)) -
                       0.5 * duet::sum(duet::square(wv / P::sigma_w)) - 0.5 * duet::square(bv / P::sigma_b);
            };
            const auto r = duet::value_and_gradient(duet::reverse, model, w, b);
            const auto& [gw, gb] = r.gradient;
            std::copy(gw.begin(), gw.end(), g.begin());
            g[p] = gb();
            return r.value;
        }
    };
};

template <>
struct extras<window_classifier> {
    using P = window_classifier;
    // BLAS: z = W x + b (gemv), then s = u . sigmoid(z).
    static double plain_vec(const std::vector<double>& v) {
        static thread_local std::vector<double> z;
        const std::size_t n = P::hidden(v.size()), m = P::inputs;
        const double* W = v.data();
        const double* b = W + n * m;
        const double* u = b + n;
        const double* x = u + n;
        z.assign(b, b + n);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, int(n), int(m), 1.0, W, int(m), x, 1, 1.0, z.data(), 1);
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += u[i] / (1 + std::exp(-z[i]));
        return s;
    }
    struct tensor_state {
        tensor<2> W;
        tensor<1> b, u, x;
        double operator()(const std::vector<double>& v, std::vector<double>& g) {
            const std::size_t n = P::hidden(v.size()), m = P::inputs;
            W.resize({n, m});
            std::copy(v.begin(), v.begin() + std::ptrdiff_t(n * m), W.begin());
            b = to_tensor(v, n * m, n);
            u = to_tensor(v, n * m + n, n);
            x = to_tensor(v, n * m + 2 * n, m);
            const auto r = duet::value_and_gradient(
                duet::reverse,
                [](const auto& W_, const auto& b_, const auto& u_, const auto& x_) {
                    return duet::dot(u_, duet::sigmoid(duet::matmul(W_, x_) + b_));
                },
                W, b, u, x);
            const auto& [gW, gb, gu, gx] = r.gradient;
            auto out = std::copy(gW.begin(), gW.end(), g.begin());
            out = std::copy(gb.begin(), gb.end(), out);
            out = std::copy(gu.begin(), gu.end(), out);
            std::copy(gx.begin(), gx.end(), out);
            return r.value;
        }
    };
};

// The worked examples: the static adjoint over the whole closed form.
template <class Closed>
double static_closed(const std::vector<double>& x, std::vector<double>& g, Closed closed) {
    if (x.size() == 2) {
        const auto r = duet::value_and_gradient(duet::reverse, closed, x[0], x[1]);
        std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
        return r.value;
    }
    if constexpr (requires { closed(x[0], x[1], x[2]); }) {
        const auto r = duet::value_and_gradient(duet::reverse, closed, x[0], x[1], x[2]);
        std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
        return r.value;
    }
    std::abort();
}

template <>
struct extras<example1> {
    static double static_gradient(const std::vector<double>& x, std::vector<double>& g) {
        return static_closed(x, g, [](auto a, auto b) { return example1::closed(a, b); });
    }
};
template <>
struct extras<example2> {
    static double static_gradient(const std::vector<double>& v, std::vector<double>& g) {
        const auto r = duet::value_and_gradient(
            duet::reverse, [](auto x, auto y, auto z) { return (x + y) * max(y, z); }, v[0], v[1], v[2]);
        std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
        return r.value;
    }
};
template <>
struct extras<example3> {
    static double static_gradient(const std::vector<double>& x, std::vector<double>& g) {
        return static_closed(x, g, [](auto a, auto b) { return example3::closed(a, b); });
    }
};

template <class P>
concept has_static = requires(const std::vector<double>& x, std::vector<double>& g) {
    extras<P>::static_gradient(x, g);
};
template <class P>
concept has_tensor = requires { typename extras<P>::tensor_state; };
template <class P>
concept has_plain_vec = requires(const std::vector<double>& x) { extras<P>::plain_vec(x); };

// ---- checks -----------------------------------------------------------------

bool close(double a, double b) { return std::abs(a - b) <= 1e-10 * std::max(1.0, std::abs(b)); }

[[noreturn]] void fail(const char* problem, const char* contender, std::size_t n, const std::string& what) {
    std::fprintf(stderr,
                 "\n*** bench_problems: %s/%s/%zu: %s differs from the hand-written one (relative 1e-10). "
                 "Aborting. ***\n\n",
                 problem, contender, n, what.c_str());
    std::abort();
}

template <class P, class Gradient>
void check_gradient(const char* contender, std::size_t n, Gradient&& gradient) {
    const auto x = P::input(n);
    std::vector<double> g_hand(x.size()), g(x.size(), std::nan(""));
    const double v_hand = P::hand(x, g_hand);
    const double v = gradient(x, g);
    if (!close(v, v_hand)) fail(P::name, contender, n, "the value " + std::to_string(v));
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!close(g[i], g_hand[i]))
            fail(P::name, contender, n,
                 "gradient[" + std::to_string(i) + "] = " + std::to_string(g[i]) + " (hand " +
                     std::to_string(g_hand[i]) + ")");
}

template <class P, class Value>
void check_value(const char* contender, std::size_t n, Value value) {
    const auto x = P::input(n);
    std::vector<double> g_hand(x.size());
    const double v_hand = P::hand(x, g_hand);
    const double v = value(x);
    if (!close(v, v_hand)) fail(P::name, contender, n, "the value " + std::to_string(v));
}

// ---- timed loops ------------------------------------------------------------

// x is hidden from the optimiser in every iteration, so nothing is hoisted.
// One untimed call first: buffers that are reused (the tape's capacity,
// scratch vectors) reach their size, and the data pages are touched, before
// timing starts (a 0.5 s call would otherwise be timed once, cold).
template <class P, class Value>
void time_value(benchmark::State& state, Value value) {
    auto x = P::input(std::size_t(state.range(0)));
    benchmark::DoNotOptimize(value(x));
    for (auto _ : state) {
        benchmark::DoNotOptimize(x.data());
        benchmark::ClobberMemory();
        double v = value(x);
        benchmark::DoNotOptimize(v);
    }
}

template <class P, class Gradient>
void time_gradient(benchmark::State& state, Gradient&& gradient) {
    auto x = P::input(std::size_t(state.range(0)));
    std::vector<double> g(x.size());
    benchmark::DoNotOptimize(gradient(x, g));
    for (auto _ : state) {
        benchmark::DoNotOptimize(x.data());
        benchmark::ClobberMemory();
        double v = gradient(x, g);
        benchmark::DoNotOptimize(v);
        benchmark::DoNotOptimize(g.data());
        benchmark::ClobberMemory();
    }
}

template <class P>
void bm_plain(benchmark::State& state) {
    time_value<P>(state, [](const std::vector<double>& x) { return P::template f<double>(x); });
}
template <class P>
void bm_plain_vec(benchmark::State& state) {
    time_value<P>(state, [](const std::vector<double>& x) { return extras<P>::plain_vec(x); });
}
template <class P>
void bm_hand(benchmark::State& state) {
    time_gradient<P>(state, [](const std::vector<double>& x, std::vector<double>& g) { return P::hand(x, g); });
}
// The tape as a user calls it: the reverse driver (workspace tape reused
// across calls, inputs registered in one step). The counters come from one
// gradient on an explicit tape of the same recording.
template <class P>
void bm_tape(benchmark::State& state) {
    time_gradient<P>(state, [](const std::vector<double>& x, std::vector<double>& g) {
        return reverse_driver_gradient<P>(x, g);
    });
    tape_gradient<P> tg;
    const auto x = P::input(std::size_t(state.range(0)));
    std::vector<double> g(x.size());
    tg(x, g);
    state.counters["partials"] = double(tg.tape.partials());
    state.counters["bytes_per_partial"] = double(tg.tape.memory()) / double(std::max<std::size_t>(1, tg.tape.partials()));
}
template <class P>
void bm_forward(benchmark::State& state) {
    time_gradient<P>(state, [](const std::vector<double>& x, std::vector<double>& g) {
        return forward_gradient<P>(x, g);
    });
    const std::size_t d = P::dimension(std::size_t(state.range(0)));
    state.counters["dimension"] = double(d);
    state.counters["lanes"] = double(d <= 1 ? 1 : d <= 2 ? 2 : d <= 4 ? 4 : 8);  // the driver's choice
}
template <class P>
void bm_forward1(benchmark::State& state) {
    forward1_gradient<P> fg;
    time_gradient<P>(state, fg);
    state.counters["dimension"] = double(P::dimension(std::size_t(state.range(0))));
    state.counters["lanes"] = 1;
}
template <class P>
void bm_static(benchmark::State& state) {
    time_gradient<P>(state, [](const std::vector<double>& x, std::vector<double>& g) {
        return extras<P>::static_gradient(x, g);
    });
}
template <class P>
void bm_tensor(benchmark::State& state) {
    typename extras<P>::tensor_state ts;
    time_gradient<P>(state, ts);
}

// ---- registration -----------------------------------------------------------

bool quick_mode() {
    const char* q = std::getenv("DUET_BENCH_QUICK");
    return q != nullptr && std::strcmp(q, "") != 0 && std::strcmp(q, "0") != 0;
}

template <class P>
void register_problem(bool quick) {
    const std::vector<std::size_t> sizes = quick ? std::vector<std::size_t>{P::quick_size()} : P::sizes();
    const std::string name = P::name;
    // Check everything that will be timed first.
    for (const std::size_t n : sizes) {
        check_value<P>("plain", n, [](const std::vector<double>& x) { return P::template f<double>(x); });
        if constexpr (has_plain_vec<P>)
            check_value<P>("plain_vec", n, [](const std::vector<double>& x) { return extras<P>::plain_vec(x); });
        {
            tape_gradient<P> tg;
            check_gradient<P>("tape (explicit tape)", n, tg);
        }
        check_gradient<P>("tape", n, reverse_driver_gradient<P>);
        if (forward_fits<P>(n)) check_gradient<P>("forward", n, forward_gradient<P>);
        if (forward1_fits<P>(n)) {
            forward1_gradient<P> fg;
            check_gradient<P>("forward1", n, fg);
        }
        if constexpr (has_static<P>) check_gradient<P>("static", n, extras<P>::static_gradient);
        if constexpr (has_tensor<P>) {
            typename extras<P>::tensor_state ts;
            check_gradient<P>("tensor", n, ts);
        }
    }
    auto add = [&](const char* contender, void (*fn)(benchmark::State&), bool (*keep)(std::size_t)) {
        auto* b = benchmark::RegisterBenchmark((name + "/" + contender).c_str(), fn);
        for (const std::size_t n : sizes)
            if (keep(n)) b->Arg(std::int64_t(n));
    };
    const auto all = [](std::size_t) { return true; };
    add("plain", bm_plain<P>, all);
    if constexpr (has_plain_vec<P>) add("plain_vec", bm_plain_vec<P>, all);
    add("hand", bm_hand<P>, all);
    add("tape", bm_tape<P>, all);
    if (std::any_of(sizes.begin(), sizes.end(), forward_fits<P>)) add("forward", bm_forward<P>, forward_fits<P>);
    if (std::any_of(sizes.begin(), sizes.end(), forward1_fits<P>)) add("forward1", bm_forward1<P>, forward1_fits<P>);
    if constexpr (has_static<P>) add("static", bm_static<P>, all);
    if constexpr (has_tensor<P>) add("tensor", bm_tensor<P>, all);
}

template <class... P>
void register_all(bool quick, std::tuple<P...>*) {
    (register_problem<P>(quick), ...);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    register_all(quick_mode(), static_cast<all_problems*>(nullptr));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
