// The problem set as a user writes and builds it: generic functions with
// named locals, `T s = 0.0` accumulators and plain-number constants, each
// timed next to the same source instantiated with double, in ONE translation
// unit that includes nothing but <duet/duet.hpp> and Google Benchmark.
//
// scripts/bench.sh builds this file three ways and the report puts the
// ratios side by side ("As a user builds it"):
//   bench_user_tu         CMake, duet::duet's flags (-O3 -march=native, GCC's
//                         raised SRA limit);
//   bench_user_tu_gcc     g++     -std=c++20 -O3 -march=native -DNDEBUG;
//   bench_user_tu_clang   clang++ -std=c++20 -O3 -march=native -DNDEBUG.
//
// Names: <case>/plain/<n> and <case>/ad/<n>; the report divides ad by plain
// (R). For the forward cases the ad time is per direction (the whole
// gradient's time / n, counter "per_direction" = 1): R is the cost of one
// tangent lane relative to one plain evaluation.
// Every AD result is checked against a hand-written gradient before timing.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

#include <duet/duet.hpp>

namespace {

constexpr double mu = -0.56;
constexpr double sigma = 1.37;
const double log_normaliser = std::log(sigma) + 0.5 * std::log(2 * std::numbers::pi);

std::vector<double> near_one(std::size_t n) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 1.0 + 0.01 * std::sin(0.37 * double(i) + 0.1);
    return x;
}

// ---- the functions, as the issue writes them -----------------------------------

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
    using std::exp, std::log;
    T s = 0.0;
    for (const auto& xi : x) s += exp(xi);
    return log(s);
}
template <class T>
T normal_log_pdf(const std::vector<T>& x) {
    T s = 0.0;
    for (const auto& xi : x) {
        const T z = (xi - mu) / sigma;
        s += -0.5 * z * z;
    }
    return s - double(x.size()) * log_normaliser;
}
template <class T>
T rosenbrock(const std::vector<T>& x) {
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        const T d = x[i + 1] - x[i] * x[i];
        const T e = 1.0 - x[i];
        s += 100.0 * d * d + e * e;
    }
    return s;
}

// Per-term functions for the static adjoint (one call per term).
struct normal_term {
    template <class T>
    auto operator()(const T& xi) const {
        const auto z = (xi - mu) / sigma;
        return -0.5 * z * z;
    }
};
struct rosenbrock_term {
    template <class A, class B>
    auto operator()(const A& a, const B& b) const {
        const auto d = b - a * a;
        const auto e = 1.0 - a;
        return 100.0 * d * d + e * e;
    }
};

// ---- hand-written gradients (the check) -------------------------------------------

std::vector<double> hand_gradient(const std::string& name, const std::vector<double>& x) {
    const std::size_t n = x.size();
    std::vector<double> g(n, 0.0);
    if (name == "sum_iter") {
        for (auto& gi : g) gi = 1;
    } else if (name == "prod_iter") {
        double p = 1;  // x has no zero (near_one)
        for (double xi : x) p *= xi;
        for (std::size_t i = 0; i < n; ++i) g[i] = p / x[i];
    } else if (name == "log_sum_exp") {
        double s = 0;
        for (double xi : x) s += std::exp(xi);
        for (std::size_t i = 0; i < n; ++i) g[i] = std::exp(x[i]) / s;
    } else if (name == "normal_log_pdf") {
        for (std::size_t i = 0; i < n; ++i) g[i] = -(x[i] - mu) / (sigma * sigma);
    } else if (name == "rosenbrock") {
        for (std::size_t i = 0; i + 1 < n; ++i) {
            const double d = x[i + 1] - x[i] * x[i];
            g[i] += -400.0 * d * x[i] - 2.0 * (1.0 - x[i]);
            g[i + 1] += 200.0 * d;
        }
    }
    return g;
}

void check(const char* what, const std::string& name, const std::vector<double>& x, const std::vector<double>& g) {
    const auto h = hand_gradient(name, x);
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!(std::abs(g[i] - h[i]) <= 1e-9 * (1 + std::abs(h[i])))) {
            std::fprintf(stderr, "user_tu: %s %s n = %zu: gradient[%zu] = %.17g, hand %.17g\n", what,
                         name.c_str(), x.size(), i, g[i], h[i]);
            std::exit(1);
        }
}

// ---- timing -------------------------------------------------------------------------

template <class Plain>
void time_plain(benchmark::State& state, Plain plain) {
    const auto x = near_one(std::size_t(state.range(0)));
    for (auto _ : state) {
        benchmark::DoNotOptimize(x.data());
        benchmark::ClobberMemory();
        double v = plain(x);
        benchmark::DoNotOptimize(v);
    }
}

// gradient(x, g) -> value; one untimed call first (buffers reach their size).
template <class Gradient>
void time_gradient(benchmark::State& state, Gradient gradient) {
    const auto x = near_one(std::size_t(state.range(0)));
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

template <class F>
double tape_gradient(F f, const std::vector<double>& x, std::vector<double>& g) {
    const auto r = duet::value_and_gradient(duet::reverse, f, x);
    std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
    return r.value;
}
template <class F>
double forward_gradient(F f, const std::vector<double>& x, std::vector<double>& g) {
    const auto r = duet::value_and_gradient(duet::forward, f, x);
    std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
    return r.value;
}

double static_normal(const std::vector<double>& x, std::vector<double>& g) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto r = duet::value_and_gradient(duet::reverse, normal_term{}, x[i]);
        s += r.value;
        g[i] = r.gradient[0];
    }
    return s - double(x.size()) * log_normaliser;
}
double static_rosenbrock(const std::vector<double>& x, std::vector<double>& g) {
    std::fill(g.begin(), g.end(), 0.0);
    double s = 0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        const auto r = duet::value_and_gradient(duet::reverse, rosenbrock_term{}, x[i], x[i + 1]);
        s += r.value;
        g[i] += r.gradient[0];
        g[i + 1] += r.gradient[1];
    }
    return s;
}

// The tensor spelling, its input copied into a tensor kept between calls.
struct tensor_normal {
    duet::tensor<1> t;
    double operator()(const std::vector<double>& x, std::vector<double>& g) {
        t.resize({x.size()});
        std::copy(x.begin(), x.end(), t.begin());
        const double c = double(x.size()) * log_normaliser;
        const auto r = duet::value_and_gradient(
            duet::reverse, [c](const auto& v) { return -0.5 * duet::sum(duet::square((v - mu) / sigma)) - c; }, t);
        std::copy(r.gradient.begin(), r.gradient.end(), g.begin());
        return r.value;
    }
};

#define DUET_USER_F(f) [](const auto& v) { return f(v); }

template <class Plain, class Gradient>
void add(const std::string& name, const std::string& function, Plain plain, Gradient gradient,
         std::vector<std::size_t> sizes, bool per_direction = false) {
    for (const std::size_t n : sizes) {
        const auto x = near_one(n);
        std::vector<double> g(n);
        gradient(x, g);
        check(name.c_str(), function, x, g);
    }
    auto* p = benchmark::RegisterBenchmark((name + "/plain").c_str(),
                                           [plain](benchmark::State& s) { time_plain(s, plain); });
    auto* a = benchmark::RegisterBenchmark((name + "/ad").c_str(), [gradient, per_direction](benchmark::State& s) {
        time_gradient(s, gradient);
        if (per_direction) s.counters["per_direction"] = 1;
    });
    for (const std::size_t n : sizes) {
        p->Arg(std::int64_t(n));
        a->Arg(std::int64_t(n));
    }
}

bool quick_mode() {
    const char* q = std::getenv("DUET_BENCH_QUICK");
    return q != nullptr && *q != '\0' && std::string(q) != "0";
}

void register_all() {
    const std::vector<std::size_t> sizes = quick_mode() ? std::vector<std::size_t>{1024}
                                                        : std::vector<std::size_t>{1024, 16384};
    // Forward gradients cost n / 8 passes of f: n = 1024 keeps one run short.
    const std::vector<std::size_t> forward_sizes{1024};

    add("tape_sum_iter", "sum_iter", DUET_USER_F(sum_iter),
        [](const auto& x, auto& g) { return tape_gradient(DUET_USER_F(sum_iter), x, g); }, sizes);
    add("tape_prod_iter", "prod_iter", DUET_USER_F(prod_iter),
        [](const auto& x, auto& g) { return tape_gradient(DUET_USER_F(prod_iter), x, g); }, sizes);
    add("tape_log_sum_exp", "log_sum_exp", DUET_USER_F(log_sum_exp),
        [](const auto& x, auto& g) { return tape_gradient(DUET_USER_F(log_sum_exp), x, g); }, sizes);
    add("tape_normal_log_pdf", "normal_log_pdf", DUET_USER_F(normal_log_pdf),
        [](const auto& x, auto& g) { return tape_gradient(DUET_USER_F(normal_log_pdf), x, g); }, sizes);
    add("tape_rosenbrock", "rosenbrock", DUET_USER_F(rosenbrock),
        [](const auto& x, auto& g) { return tape_gradient(DUET_USER_F(rosenbrock), x, g); }, sizes);
    add("static_normal_log_pdf", "normal_log_pdf", DUET_USER_F(normal_log_pdf), static_normal, sizes);
    add("static_rosenbrock", "rosenbrock", DUET_USER_F(rosenbrock), static_rosenbrock, sizes);
    add("tensor_normal_log_pdf", "normal_log_pdf", DUET_USER_F(normal_log_pdf), tensor_normal{},
        quick_mode() ? sizes : std::vector<std::size_t>{1024, 4096, 16384, 65536});
    add("forward8_normal_log_pdf", "normal_log_pdf", DUET_USER_F(normal_log_pdf),
        [](const auto& x, auto& g) { return forward_gradient(DUET_USER_F(normal_log_pdf), x, g); },
        forward_sizes, true);
    add("forward8_rosenbrock", "rosenbrock", DUET_USER_F(rosenbrock),
        [](const auto& x, auto& g) { return forward_gradient(DUET_USER_F(rosenbrock), x, g); }, forward_sizes,
        true);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
