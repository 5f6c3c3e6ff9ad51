// Scalar core: the worked examples and a 20-term closed-form expression.
// Contenders per problem: plain (the same generic source on double), hand
// (hand-written value + gradient), forward (all n lanes in one pass),
// forward_1lane (one directional derivative: the "per direction" cost),
// reverse (static adjoint). scripts/report.py prints the ratios.
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <benchmark/benchmark.h>

#include "duet/drivers/scalar.hpp"

namespace {

struct example1 {
    static constexpr const char* name = "example1_x3_x_plus_3y";
    static constexpr std::array<double, 2> at{2.0, 3.0};
    static constexpr auto f = [](auto x, auto y) { return x * x * x * (x + 3 * y); };
    static double hand(double x, double y, std::array<double, 2>& g) {
        const double x2 = x * x, x3 = x2 * x;
        g = {4 * x3 + 9 * x2 * y, 3 * x3};
        return x3 * (x + 3 * y);
    }
};

struct example2 {
    static constexpr const char* name = "example2_sum_times_max";
    static constexpr std::array<double, 3> at{1.0, 2.0, 0.0};
    static constexpr auto f = [](auto x, auto y, auto z) { return (x + y) * duet::max(y, z); };
    static double hand(double x, double y, double z, std::array<double, 3>& g) {
        const double s = x + y, m = y > z ? y : z;
        const double to_y = y > z ? 1.0 : (y == z ? 0.5 : 0.0);
        g = {m, m + s * to_y, s * (1 - to_y)};
        return s * m;
    }
};

struct example3 {
    static constexpr const char* name = "example3_exp_log_sin";
    static constexpr std::array<double, 2> at{2.0, 3.0};
    static constexpr auto f = [](auto x, auto z) {
        return exp(x * z) + x * z / log(x) + sin(log(x)) / (x * z);
    };
    static double hand(double x, double z, std::array<double, 2>& g) {
        const double xz = x * z, e = std::exp(xz), L = std::log(x), sL = std::sin(L), cL = std::cos(L);
        const double inv_L = 1 / L, inv_xz = 1 / xz;
        g = {z * e + z * inv_L - z * inv_L * inv_L + (cL - sL) * inv_xz / x,
             x * e + x * inv_L - sL * inv_xz / z};
        return e + xz * inv_L + sL * inv_xz;
    }
};

struct closed20 {
    static constexpr const char* name = "closed_form_20_terms";
    static constexpr std::array<double, 3> at{0.7, 1.3, 0.4};
    static constexpr auto f = [](auto x, auto y, auto z) {
        return x * y + y * z + z * x + x * x * y + sin(x) + cos(y) + exp(z) + log(x) + sqrt(y) + x / y +
               y / z + tanh(x) + x * y * z + sin(y * z) + exp(x * y) + z * z * z + atan(x * z) +
               log1p(y * y) + x * sqrt(z) + cos(x + y + z);
    };
    static double hand(double x, double y, double z, std::array<double, 3>& g) {
        const double sx = std::sin(x), cx = std::cos(x), sy = std::sin(y), cy = std::cos(y);
        const double ez = std::exp(z), sqy = std::sqrt(y), sqz = std::sqrt(z), th = std::tanh(x);
        const double syz = std::sin(y * z), cyz = std::cos(y * z), exy = std::exp(x * y);
        const double xz = x * z, atn = std::atan(xz), d_atan = 1 / (1 + xz * xz);
        const double s = x + y + z, ss = std::sin(s), cs = std::cos(s);
        g = {y + z + 2 * x * y + cx + 1 / x + 1 / y + (1 - th * th) + y * z + y * exy + z * d_atan + sqz - ss,
             x + z + x * x - sy + 0.5 / sqy - x / (y * y) + 1 / z + x * z + z * cyz + x * exy +
                 2 * y / (1 + y * y) - ss,
             y + x + ez - y / (z * z) + x * y + y * cyz + 3 * z * z + x * d_atan + 0.5 * x / sqz - ss};
        return x * y + y * z + z * x + x * x * y + sx + cy + ez + std::log(x) + sqy + x / y + y / z + th +
               x * y * z + syz + exy + z * z * z + atn + std::log1p(y * y) + x * sqz + cs;
    }
};

// Checks AD against the hand-written gradient before anything is timed.
template <class P>
void verify() {
    auto [v, g] = std::apply([](auto... x) { return duet::value_and_gradient(duet::reverse, P::f, x...); }, P::at);
    auto gf = std::apply([](auto... x) { return duet::gradient(duet::forward, P::f, x...); }, P::at);
    decltype(g) h{};
    const double vh = std::apply([&](auto... x) { return P::hand(x..., h); }, P::at);
    bool ok = std::abs(v - vh) <= 1e-13 * std::abs(vh);
    for (std::size_t i = 0; i < g.size(); ++i)
        ok = ok && std::abs(g[i] - h[i]) <= 1e-13 * std::max(1.0, std::abs(h[i])) &&
             std::abs(gf[i] - h[i]) <= 1e-13 * std::max(1.0, std::abs(h[i]));
    if (!ok) {
        std::fprintf(stderr, "FATAL: %s: duet gradient differs from the hand-written one\n", P::name);
        std::abort();
    }
}

// Each iteration hides the inputs from the optimiser, so nothing is folded.
template <class P, class Body>
void run(benchmark::State& state, Body body) {
    auto x = P::at;
    for (auto _ : state) {
        benchmark::DoNotOptimize(x);
        auto r = std::apply(body, x);
        benchmark::DoNotOptimize(r);
    }
}

template <class P>
void register_problem() {
    verify<P>();
    const std::string n = P::name;
    benchmark::RegisterBenchmark((n + "/plain").c_str(), [](benchmark::State& s) {
        run<P>(s, [](auto... x) { return P::f(x...); });
    });
    benchmark::RegisterBenchmark((n + "/hand").c_str(), [](benchmark::State& s) {
        run<P>(s, [](auto... x) {
            std::array<double, sizeof...(x)> g;
            const double v = P::hand(x..., g);
            return std::pair{v, g};
        });
    });
    benchmark::RegisterBenchmark((n + "/forward").c_str(), [](benchmark::State& s) {
        run<P>(s, [](auto... x) { return duet::value_and_gradient(duet::forward, P::f, x...); });
    });
    benchmark::RegisterBenchmark((n + "/forward_1lane").c_str(), [](benchmark::State& s) {
        // One directional derivative: the first argument seeded.
        run<P>(s, [](auto x0, auto... rest) {
            duet::dual<double> d = P::f(duet::dual<double>{x0, 1.0}, duet::dual<double>{rest}...);
            return std::pair{d.value(), d.tangent()};
        });
    });
    benchmark::RegisterBenchmark((n + "/reverse").c_str(), [](benchmark::State& s) {
        run<P>(s, [](auto... x) { return duet::value_and_gradient(duet::reverse, P::f, x...); });
    });
}

const int registered = [] {
    register_problem<example1>();
    register_problem<example2>();
    register_problem<example3>();
    register_problem<closed20>();
    return 0;
}();

}  // namespace
