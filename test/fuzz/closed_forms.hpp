// Random closed forms for the static adjoint (duet::reverse with scalar
// arguments), which differentiates ONE expression and so cannot run the
// interpreter of program.hpp. Instead a few expression SHAPES are written
// as templates whose function slots are filled at compile time from op
// lists; a run picks the slot ops (a runtime index dispatched to a
// compile-time one), the constants and the point at random. Every
// combination is instantiated once; each case checks
//   static reverse gradient = forward gradient (1e-10 normwise), values equal
//   forward over static reverse Hessian row = forward over forward (1e-10)
//   gradient vs central differences where two step sizes agree (below)
// The shapes use every constant form (T(c), T{c}, static_cast<T>(c), a
// double literal, an int literal), `auto` locals used several times (fan
// out inside one expression), and std::-qualified, duet::-qualified,
// using-declared and unqualified calls.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <utility>

#include <duet/check/finite_difference.hpp>
#include <duet/duet.hpp>

#include "program.hpp"  // rng

namespace fuzz::closed {

// ---- slot ops --------------------------------------------------------------------
// Unary slots: a function of an expression e with a constant k > 0.
inline constexpr std::size_t unary_count = 10;
inline constexpr const char* unary_text[unary_count] = {
    "std::sin(e)",       "exp(k * std::tanh(e))", "std::log(e * e + k)", "sqrt(e * e + T(k))", "std::tanh(e)",
    "using std::atan; atan(e)", "std::erf(e)",  "duet::softplus(e)",   "std::cbrt(e)",       "std::pow(e, 3)"};

template <std::size_t I, class T, class E>
auto unary_op(const E& e, double k) {
    using std::exp;
    using std::sqrt;
    if constexpr (I == 0) return std::sin(e);
    else if constexpr (I == 1) return exp(k * std::tanh(e));
    else if constexpr (I == 2) return std::log(e * e + k);
    else if constexpr (I == 3) return sqrt(e * e + T(k));
    else if constexpr (I == 4) return std::tanh(e);
    else if constexpr (I == 5) {
        using std::atan;
        return atan(e);
    } else if constexpr (I == 6) return std::erf(e);
    else if constexpr (I == 7) return duet::softplus(e);
    else if constexpr (I == 8) return std::cbrt(e);
    else return std::pow(e, 3);
}

// Binary slots.
inline constexpr std::size_t binary_count = 8;
inline constexpr const char* binary_text[binary_count] = {
    "a + b", "a * b", "a / (k + b * b)", "std::pow(a * a + k, b)", "std::hypot(a, b)", "std::atan2(a, b)",
    "std::max(a, b)", "duet::min(a, b)"};

template <std::size_t I, class T, class A, class B>
auto binary_op(const A& a, const B& b, double k) {
    if constexpr (I == 0) return a + b;
    else if constexpr (I == 1) return a * b;
    else if constexpr (I == 2) return a / (k + b * b);
    else if constexpr (I == 3) return std::pow(a * a + k, b);
    else if constexpr (I == 4) return std::hypot(a, b);
    else if constexpr (I == 5) return std::atan2(a, b);
    else if constexpr (I == 6) return std::max(a, b);
    else return duet::min(a, b);
}

// ---- shapes ---------------------------------------------------------------------------
// k: four constants, k[0..3]; kp: a positive constant for the slots.

struct constants {
    std::array<double, 4> k{};
    double kp = 1;
};

// Shape A (2 arguments): slots U, B.
template <std::size_t U, std::size_t B>
struct shape_a {
    static constexpr std::size_t arity = 2;
    static std::string text() {
        return std::string("const auto s = a * T(k0) + b;  return B(U(s), b - static_cast<T>(k1)) * s + T{k2} * a;  U = ") +
               unary_text[U] + ", B = " + binary_text[B];
    }
    template <class T>
    static auto f(const T& a, const T& b, const constants& c) {
        const auto s = a * T(c.k[0]) + b;
        return binary_op<B, T>(unary_op<U, T>(s, c.kp), b - static_cast<T>(c.k[1]), c.kp) * s + T{c.k[2]} * a;
    }
};

// Shape B (3 arguments): slots U, V.
template <std::size_t U, std::size_t V>
struct shape_b {
    static constexpr std::size_t arity = 3;
    static std::string text() {
        return std::string("const auto p = U(a * b + T(k0)); const auto q = V(c) - k1;  return p * q / (T{1} + q * q) + 2 * p - q * k2;  U = ") +
               unary_text[U] + ", V = " + unary_text[V];
    }
    template <class T>
    static auto f(const T& a, const T& b, const T& x, const constants& c) {
        const auto p = unary_op<U, T>(a * b + T(c.k[0]), c.kp);
        const auto q = unary_op<V, T>(x, c.kp) - c.k[1];
        return p * q / (T{1} + q * q) + 2 * p - q * c.k[2];
    }
};

// Shape C (1 argument): slots B, U; a local used four times.
template <std::size_t B, std::size_t U>
struct shape_c {
    static constexpr std::size_t arity = 1;
    static std::string text() {
        return std::string("const auto s = U(a);  return B(s, s * static_cast<T>(k0) + a) + k1 * s * s - T{k2};  B = ") +
               binary_text[B] + ", U = " + unary_text[U];
    }
    template <class T>
    static auto f(const T& a, const constants& c) {
        const auto s = unary_op<U, T>(a, c.kp);
        return binary_op<B, T>(s, s * static_cast<T>(c.k[0]) + a, c.kp) + c.k[1] * s * s - T{c.k[2]};
    }
};

// The checker's own test: shape C with a term of value exactly 0 and
// derivative 1e-7 that only the static adjoint sees (an error like issue
// 10's T(c) constant counted as argument 0).
template <class T>
inline constexpr bool is_static_var = false;
template <class T>
inline constexpr bool is_static_var<duet::static_var<T>> = true;

template <std::size_t B, std::size_t U>
struct shape_c_sabotaged {
    static constexpr std::size_t arity = 1;
    static std::string text() { return "shape C + 1e-7 * (a - value(a)) under the static adjoint only"; }
    template <class T>
    static auto f(const T& a, const constants& c) {
        if constexpr (is_static_var<T>)
            return shape_c<B, U>::f(a, c) + 1e-7 * (a - duet::value(a));
        else
            return shape_c<B, U>::f(a, c);
    }
};

// ---- dispatch ----------------------------------------------------------------------

template <std::size_t N, class F>
void with_index(std::size_t i, F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((i == I ? (f.template operator()<I>(), 0) : 0), ...);
    }(std::make_index_sequence<N>{});
}

// ---- checking one case ---------------------------------------------------------------

struct counters {
    long cases = 0;
    long rejected = 0;
    long fd_checked = 0;
    long fd_skipped = 0;
    long mismatches = 0;
    std::vector<std::string> reports;
};

inline bool agree(double a, double b, double tol, double scale) {
    if (!std::isfinite(a) || !std::isfinite(b)) return false;
    return std::abs(a - b) <= tol * std::max({scale, std::abs(a), std::abs(b)});
}

// The closed form as a callable of `arity` scalars.
template <class Shape>
auto as_function(const constants& c) {
    if constexpr (Shape::arity == 1)
        return [c](auto a) { return Shape::f(a, c); };
    else if constexpr (Shape::arity == 2)
        return [c](auto a, auto b) { return Shape::f(a, b, c); };
    else
        return [c](auto a, auto b, auto x) { return Shape::f(a, b, x, c); };
}

template <class Shape>
void check_case(const constants& c, const std::array<double, 3>& point, std::uint64_t seed, long index,
                counters& out) {
    constexpr std::size_t n = Shape::arity;
    const auto f = as_function<Shape>(c);
    const auto call = [&](auto&& g, const std::array<double, 3>& p) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) { return g(p[I]...); }(std::make_index_sequence<n>{});
    };
    const double plain = static_cast<double>(call(f, point));
    if (!std::isfinite(plain) || std::abs(plain) > 1e12) {
        out.rejected++;
        return;
    }
    out.cases++;
    const auto [vr, gr] = call([&](auto... x) { return duet::value_and_gradient(duet::reverse, f, x...); }, point);
    const auto [vf, gf] = call([&](auto... x) { return duet::value_and_gradient(duet::forward, f, x...); }, point);
    std::vector<std::string> why;
    double gscale = 0;
    for (std::size_t i = 0; i < n; ++i) gscale = std::max({gscale, std::abs(gf[i]), std::abs(gr[i])});
    if (!agree(vr, plain, 1e-13, 0) || !agree(vf, plain, 1e-13, 0)) why.push_back("values differ from the plain value");
    for (std::size_t i = 0; i < n; ++i)
        if (!agree(gr[i], gf[i], 1e-10, gscale)) why.push_back("static reverse and forward gradients differ at " + std::to_string(i));

    // Second derivatives: forward over static reverse = forward over forward.
    for (std::size_t i = 0; i < n; ++i) {
        const auto hr = call(
            [&](auto... x) {
                return duet::gradient(duet::forward, [&](auto... y) { return duet::gradient(duet::reverse, f, y...)[i]; }, x...);
            },
            point);
        const auto hf = call(
            [&](auto... x) {
                return duet::gradient(duet::forward, [&](auto... y) { return duet::gradient(duet::forward, f, y...)[i]; }, x...);
            },
            point);
        double hscale = 0;
        for (std::size_t j = 0; j < n; ++j) hscale = std::max({hscale, std::abs(hr[j]), std::abs(hf[j])});
        for (std::size_t j = 0; j < n; ++j)
            if (!agree(hr[j], hf[j], 1e-10, hscale))
                why.push_back("forward over static reverse and forward over forward differ at H" + std::to_string(i) +
                              std::to_string(j));
    }

    // Central differences, two step sizes; skipped where they disagree (a
    // kink of max/min, atan2's cut, or fast variation within the stencil).
    const auto fd_with = [&](double rel) {
        const duet::fd::options o{.relative_step = rel, .richardson_levels = 1};
        return call([&](auto... x) { return duet::fd::gradient([&](auto... y) { return static_cast<double>(f(y...)); }, x..., o); },
                    point);
    };
    const auto fd1 = fd_with(1e-3);
    const auto fd2 = fd_with(2.5e-4);
    double fscale = gscale;
    for (std::size_t i = 0; i < n; ++i) fscale = std::max({fscale, std::abs(fd1[i]), std::abs(fd2[i])});
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(fd2[i]) || !std::isfinite(fd1[i]) || std::abs(fd1[i] - fd2[i]) > 1e-6 * std::max(fscale, 1e-300)) {
            out.fd_skipped++;
            continue;
        }
        out.fd_checked++;
        const double tol = 1e-6 * fscale + 4 * std::abs(fd1[i] - fd2[i]) + 1e-9 * std::max(1.0, std::abs(plain));
        if (!std::isfinite(gf[i]) || std::abs(gf[i] - fd2[i]) > tol)
            why.push_back("gradient differs from central differences at " + std::to_string(i));
    }

    if (!why.empty()) {
        out.mismatches++;
        if (out.reports.size() < 5) {
            std::ostringstream os;
            os.precision(17);
            os << "MISMATCH in closed form case " << index << " (seed " << seed << "): " << Shape::text() << "\n  k = {"
               << c.k[0] << ", " << c.k[1] << ", " << c.k[2] << "}, k(slots) = " << c.kp << ", point = {";
            for (std::size_t i = 0; i < n; ++i) os << (i ? ", " : "") << point[i];
            os << "}\n  value " << plain << ", static reverse " << vr << ", forward " << vf << "\n  gradients:";
            for (std::size_t i = 0; i < n; ++i) os << " [" << i << "] reverse " << gr[i] << " forward " << gf[i] << " central " << fd2[i];
            for (const auto& w : why) os << "\n  - " << w;
            out.reports.push_back(os.str());
        }
    }
}

// Runs `cases` random cases of the two-slot shape template S<I, J>: I in
// [0, N1) and J = (I + Start + o) mod N2 for o in [0, Offsets). Every op of
// both lists is used, in N1 * Offsets instantiations rather than N1 * N2
// (each instantiation costs compile time in four modes).
template <template <std::size_t, std::size_t> class S, std::size_t N1, std::size_t N2, std::size_t Offsets = 2,
          std::size_t Start = 0>
counters run_shape(std::uint64_t seed, long cases) {
    counters out;
    for (long index = 0; index < cases; ++index) {
        rng g(program_seed(seed, std::uint64_t(index)));
        const std::size_t i = std::size_t(g.below(int(N1)));
        const std::size_t o = std::size_t(g.below(int(Offsets)));
        constants c;
        for (auto& k : c.k) k = std::round(g.uniform(-3, 3) * 16) / 16;
        c.kp = 0.25 + std::round(g.uniform(0, 2) * 16) / 16;
        std::array<double, 3> point{};
        for (auto& p : point) p = g.uniform(-2, 2);
        with_index<N1>(i, [&]<std::size_t I>() {
            with_index<Offsets>(o, [&]<std::size_t O>() { check_case<S<I, (I + Start + O) % N2>>(c, point, seed, index, out); });
        });
    }
    return out;
}

}  // namespace fuzz::closed
