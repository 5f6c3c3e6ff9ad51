// Tape reverse mode against the plain function and a hand-written gradient
// (issue 3), plus a forward-vs-reverse Jacobian grid for the mode choice.
//
// Names: <problem>/<contender>/<n>.
//   plain    the generic source instantiated with double (value only)
//   hand     a hand-written gradient (value included)
//   tape     duet::var on a reused duet::tape: clear, register x, record f,
//            backward, read the gradient, all inside the timed loop
//   forward  duet::gradient(duet::forward, f, x): ceil(n/8) dual passes
// Counters on `tape`: partials per gradient and tape bytes per partial
// (capacity of every tape array, adjoints included, over partials recorded).
//
// Jacobian grid: dense_jacobian_m<m>/<forward|reverse|automatic>/<n>, plus
// lanes_m<m>/forward<L>/<n> for the choice of the lane count L.
//
// Every gradient is checked against the hand-written one before any timing;
// a mismatch aborts the program.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

#include <duet/duet.hpp>

namespace {

// ---- the problems: one generic source each ----------------------------------

template <class T>
T sum_iter(const std::vector<T>& x) {
    T s = 0.0;
    for (const auto& xi : x) s += xi;
    return s;
}

template <class T>
T prod_iter(const std::vector<T>& x) {
    T p = 1.0;
    for (const auto& xi : x) p *= xi;
    return p;
}

template <class T>
T log_sum_exp(const std::vector<T>& x) {
    using std::exp;
    using std::log;
    T s = 0.0;
    for (const auto& xi : x) s += exp(xi);
    return log(s);
}

constexpr double normal_mu = -0.56;
constexpr double normal_sigma = 1.37;

template <class T>
T normal_log_pdf(const std::vector<T>& x) {
    using std::log;
    T s = 0.0;
    for (const auto& xi : x) {
        const auto z = (xi - normal_mu) / normal_sigma;
        s += -0.5 * z * z;
    }
    const double n = double(x.size());
    return s - n * (log(normal_sigma) + 0.5 * log(2 * std::numbers::pi));
}

template <class T>
T rosenbrock(const std::vector<T>& x) {
    using std::pow;
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i)
        s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2);
    return s;
}

// ---- hand-written gradients (value returned, gradient into g) ----------------

double sum_iter_hand(const std::vector<double>& x, std::vector<double>& g) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        s += x[i];
        g[i] = 1;
    }
    return s;
}

double prod_iter_hand(const std::vector<double>& x, std::vector<double>& g) {
    // prefix products forward, suffix products backward: no division.
    double p = 1;
    for (std::size_t i = 0; i < x.size(); ++i) {
        g[i] = p;
        p *= x[i];
    }
    double suffix = 1;
    for (std::size_t i = x.size(); i-- > 0;) {
        g[i] *= suffix;
        suffix *= x[i];
    }
    return p;
}

double log_sum_exp_hand(const std::vector<double>& x, std::vector<double>& g) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        g[i] = std::exp(x[i]);
        s += g[i];
    }
    for (auto& gi : g) gi /= s;
    return std::log(s);
}

double normal_log_pdf_hand(const std::vector<double>& x, std::vector<double>& g) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double z = (x[i] - normal_mu) / normal_sigma;
        s += -0.5 * z * z;
        g[i] = -z / normal_sigma;
    }
    const double n = double(x.size());
    return s - n * (std::log(normal_sigma) + 0.5 * std::log(2 * std::numbers::pi));
}

double rosenbrock_hand(const std::vector<double>& x, std::vector<double>& g) {
    double s = 0;
    const std::size_t n = x.size();
    for (auto& gi : g) gi = 0;
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const double d = x[i + 1] - x[i] * x[i];
        const double e = 1 - x[i];
        s += 100 * d * d + e * e;
        g[i] += -400 * d * x[i] - 2 * e;
        g[i + 1] += 200 * d;
    }
    return s;
}

// ---- contenders -------------------------------------------------------------

std::vector<double> input(std::size_t n) {
    // Values near 1 keep prod_iter finite at n = 16384.
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 1.0 + 0.01 * std::sin(0.37 * double(i) + 0.1);
    return x;
}

// The tape contender's work, shared by the check and the timed loop.
struct tape_gradient {
    duet::tape<double> tape;
    std::vector<duet::var<double>> xs;

    template <class F>
    double operator()(F f, const std::vector<double>& x, std::vector<double>& g) {
        tape.clear();
        // Registers x[0], x[1], ... in order, in xs's reused capacity (one
        // construction per element, no growth check per element).
        xs.assign(x.begin(), x.end());
        const duet::var<double> y = f(xs);
        tape.backward(y);
        for (std::size_t i = 0; i < x.size(); ++i) g[i] = tape.adjoint(xs[i]);
        return y.value();
    }
};

template <class Plain, class Hand, class Tape>
void check_problem(const char* name, Plain plain, Hand hand, Tape taped, std::size_t n,
                   bool with_forward) {
    const auto x = input(n);
    std::vector<double> g_hand(n), g_tape(n);
    const double v_hand = hand(x, g_hand);
    tape_gradient tg;
    const double v_tape = tg(taped, x, g_tape);
    const double v_plain = plain(x);
    auto close = [](double a, double b) { return std::abs(a - b) <= 1e-10 * (1 + std::abs(b)); };
    bool ok = close(v_plain, v_hand) && close(v_tape, v_hand);
    for (std::size_t i = 0; i < n; ++i) ok = ok && close(g_tape[i], g_hand[i]);
    if (with_forward) {
        const auto g_fwd = duet::gradient(duet::forward, taped, x);
        for (std::size_t i = 0; i < n; ++i) ok = ok && close(g_fwd[i], g_hand[i]);
    }
    if (!ok) {
        std::fprintf(stderr, "bench_tape: %s/%zu: duet's gradient differs from the hand-written one\n",
                     name, n);
        std::abort();
    }
}

#define DUET_PROBLEM(name)                                                                      \
    void bm_##name##_plain(benchmark::State& state) {                                                \
        const auto x = input(std::size_t(state.range(0)));                                     \
        for (auto _ : state) {                                                                  \
            double v = name<double>(x);                                                         \
            benchmark::DoNotOptimize(v);                                                        \
        }                                                                                       \
    }                                                                                           \
    void bm_##name##_hand(benchmark::State& state) {                                                 \
        const auto x = input(std::size_t(state.range(0)));                                     \
        std::vector<double> g(x.size());                                                        \
        for (auto _ : state) {                                                                  \
            double v = name##_hand(x, g);                                                       \
            benchmark::DoNotOptimize(v);                                                        \
            benchmark::DoNotOptimize(g.data());                                                 \
            benchmark::ClobberMemory();                                                         \
        }                                                                                       \
    }                                                                                           \
    void bm_##name##_tape(benchmark::State& state) {                                                 \
        const auto x = input(std::size_t(state.range(0)));                                     \
        std::vector<double> g(x.size());                                                        \
        tape_gradient tg;                                                                       \
        auto f = [](const auto& v) { return name(v); };                                         \
        for (auto _ : state) {                                                                  \
            double v = tg(f, x, g);                                                             \
            benchmark::DoNotOptimize(v);                                                        \
            benchmark::DoNotOptimize(g.data());                                                 \
            benchmark::ClobberMemory();                                                         \
        }                                                                                       \
        state.counters["partials"] = double(tg.tape.partials());                                \
        state.counters["bytes_per_partial"] =                                                   \
            double(tg.tape.memory()) / double(tg.tape.partials());                              \
    }                                                                                           \
    void bm_##name##_forward(benchmark::State& state) {                                              \
        const auto x = input(std::size_t(state.range(0)));                                     \
        auto f = [](const auto& v) { return name(v); };                                         \
        for (auto _ : state) {                                                                  \
            auto g = duet::gradient(duet::forward, f, x);                                       \
            benchmark::DoNotOptimize(g.data());                                                 \
        }                                                                                       \
    }                                                                                           \
    const bool name##_checked = [] {                                                            \
        auto f = [](const auto& v) { return name(v); };                                         \
        for (std::size_t n : {std::size_t(1024), std::size_t(16384)})                           \
            check_problem(#name, name<double>, name##_hand, f, n, n == 1024);                   \
        return true;                                                                            \
    }();                                                                                        \
    BENCHMARK(bm_##name##_plain)->Name(#name "/plain")->Arg(1024)->Arg(16384);                       \
    BENCHMARK(bm_##name##_hand)->Name(#name "/hand")->Arg(1024)->Arg(16384);                         \
    BENCHMARK(bm_##name##_tape)->Name(#name "/tape")->Arg(1024)->Arg(16384);                         \
    BENCHMARK(bm_##name##_forward)->Name(#name "/forward")->Arg(1024)->Unit(benchmark::kMicrosecond);

DUET_PROBLEM(sum_iter)
DUET_PROBLEM(prod_iter)
DUET_PROBLEM(log_sum_exp)
DUET_PROBLEM(normal_log_pdf)
DUET_PROBLEM(rosenbrock)

#undef DUET_PROBLEM

// ---- Jacobian grid ----------------------------------------------------------

// A dense R^n -> R^m function: y_i = sin(sum_j a_ij tanh(x_j)).
struct dense_function {
    std::size_t m;
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::sin;
        using std::tanh;
        const std::size_t n = x.size();
        std::vector<T> t;
        t.reserve(n);
        for (const auto& xj : x) t.push_back(tanh(xj));
        std::vector<T> y;
        y.reserve(m);
        for (std::size_t i = 0; i < m; ++i) {
            T s = 0.0;
            for (std::size_t j = 0; j < n; ++j) s += coefficient(i, j) * t[j];
            y.push_back(sin(s));
        }
        return y;
    }
    static double coefficient(std::size_t i, std::size_t j) {
        return 1.0 / double(1 + (3 * i + 7 * j) % 17);
    }
};

template <class Mode>
void dense_jacobian(benchmark::State& state, Mode mode) {
    const auto n = std::size_t(state.range(0));
    const auto m = std::size_t(state.range(1));
    const auto x = input(n);
    const dense_function f{m};
    for (auto _ : state) {
        auto J = duet::jacobian(mode, f, x);
        benchmark::DoNotOptimize(J.data());
    }
}

void dense_plain(benchmark::State& state) {
    const auto n = std::size_t(state.range(0));
    const auto m = std::size_t(state.range(1));
    const auto x = input(n);
    const dense_function f{m};
    for (auto _ : state) {
        auto y = f(x);
        benchmark::DoNotOptimize(y.data());
    }
}

template <std::size_t L>
void dense_forward_lanes(benchmark::State& state) {
    const auto n = std::size_t(state.range(0));
    const auto m = std::size_t(state.range(1));
    const auto x = input(n);
    const dense_function f{m};
    for (auto _ : state) {
        auto J = duet::detail::forward_jacobian<L>(f, x);
        benchmark::DoNotOptimize(J.data());
    }
}

const bool dense_checked = [] {
    for (std::size_t n : {1, 7, 64})
        for (std::size_t m : {1, 5, 64}) {
            const dense_function f{m};
            const auto x = input(n);
            const auto Jf = duet::jacobian(duet::forward, f, x);
            const auto Jr = duet::jacobian(duet::reverse, f, x);
            for (std::size_t i = 0; i < m; ++i)
                for (std::size_t j = 0; j < n; ++j)
                    if (std::abs(Jf(i, j) - Jr(i, j)) > 1e-12 * (1 + std::abs(Jr(i, j)))) {
                        std::fprintf(stderr, "bench_tape: dense Jacobian %zux%zu: forward and "
                                             "reverse differ at (%zu, %zu)\n", m, n, i, j);
                        std::abort();
                    }
        }
    return true;
}();

void grid(benchmark::internal::Benchmark* b) {
    for (long m : {1, 4, 16, 64, 256, 1024})
        for (long n : {1, 4, 16, 64, 256, 1024}) b->Args({n, m});
    b->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

BENCHMARK(dense_plain)->Name("dense_jacobian/plain")->Apply(grid);
BENCHMARK_CAPTURE(dense_jacobian, forward, duet::forward)->Name("dense_jacobian/forward")->Apply(grid);
BENCHMARK_CAPTURE(dense_jacobian, reverse, duet::reverse)->Name("dense_jacobian/reverse")->Apply(grid);
BENCHMARK_CAPTURE(dense_jacobian, automatic, duet::automatic)
    ->Name("dense_jacobian/automatic")
    ->Apply(grid);

void lane_grid(benchmark::internal::Benchmark* b) {
    for (long nm : {16, 64, 256}) b->Args({nm, nm});
    b->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}
BENCHMARK(dense_forward_lanes<4>)->Name("dense_lanes/forward4")->Apply(lane_grid);
BENCHMARK(dense_forward_lanes<8>)->Name("dense_lanes/forward8")->Apply(lane_grid);
BENCHMARK(dense_forward_lanes<16>)->Name("dense_lanes/forward16")->Apply(lane_grid);

}  // namespace
