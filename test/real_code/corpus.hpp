// Checks shared by the real-code corpus (test/real_code/*.cpp).
//
// The corpus holds generic functions written the way scientific C++ is
// written (std:: maths, std::numeric_limits, constants as T(c), helper
// templates returning T, early returns, loops, local std::vector<T>), left
// untouched for AD. Each is differentiated in every mode that accepts it and
// the results are compared with each other, with central differences and,
// where it is easy to write, with a hand derivative. doc/testing.md describes
// the corpus and the tolerances below.
//
// Every comparison goes through corpus::compare, which returns a verdict
// instead of asserting, so that test/real_code/sensitivity.cpp can show that
// a deliberately wrong derivative is caught by the same code.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <duet/check/finite_difference.hpp>
#include <duet/duet.hpp>

namespace corpus {

// ---- tolerances ----------------------------------------------------------------
// All are normwise: |a_i - b_i| <= tol * max(|a|_inf, |b|_inf, floor), per
// gradient or per Jacobian row (one output's gradient). Modes sum the same
// products in different orders, so a component that cancels is only
// accurate relative to the largest term, not relative to itself.

// forward, tape, static reverse, automatic: the same derivative rounded
// differently (brief of issue 10: 1e-13).
inline constexpr double modes_tol = 1e-13;
// Second derivatives: two nested rounding-sensitive passes.
inline constexpr double second_modes_tol = 1e-12;
// Hand derivatives are written in another order than the rules.
inline constexpr double hand_tol = 1e-12;
// Central differences with two Richardson levels reach ~1e-13 on smooth
// functions (include/duet/check/finite_difference.hpp); 1e-7 leaves room for
// the large higher derivatives of stiff kinetics and iterated solvers while
// still catching every wrong rule (a wrong partial is wrong by O(1)).
inline constexpr double fd_tol = 1e-7;
// Second derivatives against central differences of an AD gradient.
inline constexpr double fd_second_tol = 1e-6;
// long double against double: the double result's own rounding.
inline constexpr double long_double_tol = 1e-12;
// float against double: float rounding (eps 6e-8) amplified by the
// conditioning of the corpus functions (Newton iterations, Cholesky).
inline constexpr double float_tol = 2e-4;

inline const duet::fd::options fd_options{.richardson_levels = 2};
// For points far from 0 whose features have width ~1 (the default step is
// relative to |x_i|).
inline const duet::fd::options fd_small_steps{.relative_step = 1e-5, .richardson_levels = 2};

// ---- comparisons ----------------------------------------------------------------

struct verdict {
    bool ok = true;
    double worst = 0.0;    // largest |a_i - b_i| / scale
    std::size_t where = 0; // its index
    std::string text;      // both vectors, for the failure message
};

template <class V>
std::vector<double> as_doubles(const V& v) {
    std::vector<double> out;
    for (const auto& e : v) out.push_back(static_cast<double>(e));
    return out;
}

inline std::string show(const std::vector<double>& v) {
    std::ostringstream os;
    os.precision(17);
    os << "{";
    for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
    os << "}";
    return os.str();
}

// Normwise relative comparison; any NaN or infinity, or a size mismatch,
// fails.
inline verdict compare(const std::vector<double>& a, const std::vector<double>& b, double tol,
                       double floor = 0.0) {
    verdict v;
    v.text = show(a) + " vs " + show(b);
    if (a.size() != b.size()) {
        v.ok = false;
        v.worst = INFINITY;
        return v;
    }
    double scale = std::abs(floor);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!std::isfinite(a[i]) || !std::isfinite(b[i])) {
            v.ok = false;
            v.worst = INFINITY;
            v.where = i;
            return v;
        }
        scale = std::max({scale, std::abs(a[i]), std::abs(b[i])});
    }
    if (scale == 0.0) return v;  // both exactly zero
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double e = std::abs(a[i] - b[i]) / scale;
        if (e > v.worst) {
            v.worst = e;
            v.where = i;
        }
    }
    v.ok = v.worst <= tol;
    return v;
}

template <class A, class B>
verdict compare_any(const A& a, const B& b, double tol, double floor = 0.0) {
    return compare(as_doubles(a), as_doubles(b), tol, floor);
}

// Row r of an m x n matrix.
template <class M>
std::vector<double> row(const M& J, std::size_t r) {
    std::vector<double> out(J.shape()[1]);
    for (std::size_t c = 0; c < out.size(); ++c) out[c] = static_cast<double>(J(r, c));
    return out;
}

// Row by row (each output's gradient on its own scale).
template <class A, class B>
verdict compare_rows(const A& a, const B& b, double tol) {
    verdict all;
    if (a.shape()[0] != b.shape()[0] || a.shape()[1] != b.shape()[1]) {
        all.ok = false;
        all.text = "shape mismatch";
        return all;
    }
    for (std::size_t r = 0; r < a.shape()[0]; ++r) {
        verdict v = compare(row(a, r), row(b, r), tol);
        if (!v.ok || v.worst > all.worst) {
            const bool ok = all.ok && v.ok;
            all = v;
            all.ok = ok;
            all.where = r * a.shape()[1] + v.where;
            all.text = "row " + std::to_string(r) + ": " + v.text;
        }
    }
    return all;
}

// Asserts a verdict with the context of the failure.
#define CORPUS_CHECK(what, verdict_expr)                                                    \
    do {                                                                                    \
        const ::corpus::verdict corpus_v_ = (verdict_expr);                                 \
        INFO(what << ": worst normwise error " << corpus_v_.worst << " at " << corpus_v_.where \
                  << "\n  " << corpus_v_.text);                                            \
        CHECK(corpus_v_.ok);                                                                \
    } while (0)

// ---- one container argument -> scalar -----------------------------------------

// f(const std::vector<T>&) -> T. Forward, tape (duet::reverse), automatic,
// central differences. Returns the tape gradient.
template <class F>
std::vector<double> check_gradient(const char* name, F f, const std::vector<double>& x,
                                   const duet::fd::options& fd_opt = fd_options) {
    INFO(name << " at x = " << show(x));
    const double plain = static_cast<double>(f(x));
    REQUIRE(std::isfinite(plain));
    const auto [vf, gf] = duet::value_and_gradient(duet::forward, f, x);
    const auto [vr, gr] = duet::value_and_gradient(duet::reverse, f, x);
    const std::vector<double> ga = duet::gradient(f, x);
    const std::vector<double> gf2 = duet::gradient(duet::forward, f, x);
    INFO("values: plain " << plain << ", forward " << vf << ", tape " << vr);
    CHECK(std::abs(vf - plain) <= 1e-14 * std::max(1.0, std::abs(plain)));
    CHECK(std::abs(vr - plain) <= 1e-14 * std::max(1.0, std::abs(plain)));
    CORPUS_CHECK("forward vs tape", compare(gf, gr, modes_tol));
    CORPUS_CHECK("automatic vs tape", compare(ga, gr, modes_tol));
    CORPUS_CHECK("gradient vs value_and_gradient", compare(gf2, gf, 0.0));
    const std::vector<double> fd = duet::fd::gradient(f, x, fd_opt);
    CORPUS_CHECK("tape vs central differences", compare(gr, fd, fd_tol, plain));
    return gr;
}

// An AD result against a hand-written derivative.
template <class A, class B>
void check_hand(const char* name, const A& ad, const B& hand, double tol = hand_tol) {
    INFO(name);
    CORPUS_CHECK("AD vs hand derivative", compare_any(ad, hand, tol));
}

// Hessian: forward-over-forward, forward-over-tape (the two drivers) and
// central differences of the tape gradient. Returns the reverse Hessian.
template <class F>
xt::xtensor<double, 2> check_hessian(const char* name, F f, const std::vector<double>& x,
                                     const duet::fd::options& fd_opt = fd_options) {
    INFO(name << " Hessian at x = " << show(x));
    const xt::xtensor<double, 2> hf = duet::hessian(duet::forward, f, x);
    const xt::xtensor<double, 2> hr = duet::hessian(duet::reverse, f, x);
    CORPUS_CHECK("hessian forward vs reverse", compare_rows(hf, hr, second_modes_tol));
    const auto fd = duet::fd::jacobian(
        [&](const std::vector<double>& v) { return duet::gradient(duet::reverse, f, v); }, x, fd_opt);
    CORPUS_CHECK("hessian vs central differences of the gradient", compare_rows(hr, fd, fd_second_tol));
    return hr;
}

// float and long double containers: the drivers keep the element type; long
// double agrees with double to double's accuracy, float to float's.
template <class F>
void check_precisions(const char* name, F f, const std::vector<double>& x, const std::vector<double>& g) {
    INFO(name << " in float and long double at x = " << show(x));
    std::vector<long double> xl(x.begin(), x.end());
    const auto [vl, gl] = duet::value_and_gradient(duet::forward, f, xl);
    const std::vector<long double> glr = duet::gradient(duet::reverse, f, xl);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(gl)>, std::vector<long double>>);
    const long double plain = f(xl);
    CHECK(std::abs(vl - plain) <= 1e-17L * std::max(1.0L, std::abs(plain)));
    CORPUS_CHECK("long double: forward vs tape", compare_any(gl, glr, 1e-15));
    CORPUS_CHECK("long double vs double", compare_any(gl, g, long_double_tol));

    std::vector<float> xf(x.begin(), x.end());
    const std::vector<float> gff = duet::gradient(duet::forward, f, xf);
    const std::vector<float> gfr = duet::gradient(duet::reverse, f, xf);
    CORPUS_CHECK("float: forward vs tape", compare_any(gff, gfr, 1e-5));
    CORPUS_CHECK("float vs double", compare_any(gff, g, float_tol));
}

// ---- one container argument -> container -------------------------------------

// f(const std::vector<T>&) -> std::vector<T>. Jacobians in every mode,
// central differences, and J v / wᵀ J against the Jacobian. Returns the
// reverse Jacobian.
template <class F>
xt::xtensor<double, 2> check_jacobian(const char* name, F f, const std::vector<double>& x,
                                      const duet::fd::options& fd_opt = fd_options) {
    INFO(name << " Jacobian at x = " << show(x));
    const xt::xtensor<double, 2> jf = duet::jacobian(duet::forward, f, x);
    const xt::xtensor<double, 2> jr = duet::jacobian(duet::reverse, f, x);
    const xt::xtensor<double, 2> ja = duet::jacobian(f, x);
    CORPUS_CHECK("jacobian forward vs reverse", compare_rows(jf, jr, modes_tol));
    CORPUS_CHECK("jacobian automatic vs reverse", compare_rows(ja, jr, modes_tol));
    const auto fd = duet::fd::jacobian(f, x, fd_opt);
    CORPUS_CHECK("jacobian vs central differences", compare_rows(jr, fd, fd_tol));

    const std::size_t m = jr.shape()[0], n = jr.shape()[1];
    std::vector<double> v(n), w(m);
    for (std::size_t j = 0; j < n; ++j) v[j] = std::cos(1.0 + double(j));
    for (std::size_t i = 0; i < m; ++i) w[i] = std::sin(2.0 + double(i));
    std::vector<double> jv(m, 0.0), wj(n, 0.0);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            jv[i] += jr(i, j) * v[j];
            wj[j] += w[i] * jr(i, j);
        }
    CORPUS_CHECK("jvp vs J v", compare(duet::jvp(f, x, v), jv, modes_tol * 10));
    CORPUS_CHECK("vjp vs w J", compare(duet::vjp(f, x, w), wj, modes_tol * 10));
    return jr;
}

// ---- scalar arguments ----------------------------------------------------------

template <class F, class... X>
double call_plain(F& f, X... x) {
    return static_cast<double>(f(x...));
}

// f(T, ..., T) -> T with the scalar drivers. ClosedForm: f is one
// expression of its arguments (auto locals at most), so the static adjoint
// (duet::reverse with scalar arguments) accepts it, also under forward
// nesting. Checks forward / reverse / automatic, value_and_gradient, central
// differences, second derivatives (forward over forward, and forward over
// the static adjoint for closed forms) against central differences of the
// gradient, and the long double and float drivers. Returns the forward
// gradient.
template <bool ClosedForm, class F, class... X>
std::array<double, sizeof...(X)> check_scalar(const char* name, F f, X... x) {
    static_assert((std::is_same_v<X, double> && ...));
    constexpr std::size_t n = sizeof...(X);
    const std::vector<double> point{x...};
    INFO(name << " at " << show(point));
    const double plain = call_plain(f, x...);
    REQUIRE(std::isfinite(plain));
    const auto [vf, gf] = duet::value_and_gradient(duet::forward, f, x...);
    const auto ga = duet::gradient(f, x...);
    CHECK(std::abs(vf - plain) <= 1e-14 * std::max(1.0, std::abs(plain)));
    CORPUS_CHECK("automatic vs forward", compare_any(ga, gf, modes_tol));
    const auto fd = duet::fd::gradient(f, x..., fd_options);
    CORPUS_CHECK("forward vs central differences", compare_any(gf, fd, fd_tol, plain));
    if constexpr (n == 1) {
        CHECK(duet::derivative(duet::forward, f, x...) == gf[0]);
    }

    // Second derivatives, row by row.
    for (std::size_t i = 0; i < n; ++i) {
        INFO("second derivatives, row " << i);
        const auto gi_forward = [&](auto... a) { return duet::gradient(duet::forward, f, a...)[i]; };
        const auto hff = duet::gradient(duet::forward, gi_forward, x...);
        const auto fd2 = duet::fd::gradient(
            [&](auto... a) { return duet::gradient(duet::forward, f, a...)[i]; }, x..., fd_options);
        CORPUS_CHECK("forward over forward vs central differences of the gradient",
                     compare_any(hff, fd2, fd_second_tol));
        if constexpr (ClosedForm) {
            const auto gi_reverse = [&](auto... a) { return duet::gradient(duet::reverse, f, a...)[i]; };
            const auto hfr = duet::gradient(duet::forward, gi_reverse, x...);
            CORPUS_CHECK("forward over static reverse vs forward over forward",
                         compare_any(hfr, hff, second_modes_tol));
        }
    }

    // The tape on scalar code: the same function with var arguments.
    {
        duet::tape<double> tape;
        std::array<duet::var<double>, n> v{duet::var<double>(x)...};
        const duet::var<double> y = [&]<std::size_t... I>(std::index_sequence<I...>) {
            return duet::var<double>(f(v[I]...));
        }(std::make_index_sequence<n>{});
        tape.backward(y);
        std::array<double, n> gt{};
        for (std::size_t i = 0; i < n; ++i) gt[i] = v[i].adjoint();
        CORPUS_CHECK("tape (var arguments) vs forward", compare_any(gt, gf, modes_tol));
    }

    if constexpr (ClosedForm) {
        const auto [vr, gr] = duet::value_and_gradient(duet::reverse, f, x...);
        CHECK(std::abs(vr - plain) <= 1e-14 * std::max(1.0, std::abs(plain)));
        CORPUS_CHECK("static reverse vs forward", compare_any(gr, gf, modes_tol));
    }

    // The drivers keep long double and float (issue 10, item 4).
    {
        const auto gl = duet::gradient(duet::forward, f, static_cast<long double>(x)...);
        using L = typename decltype(gl)::value_type;
        INFO("long double arguments give a gradient of " << (std::is_same_v<L, long double> ? "long double" : "another type"));
        CHECK((std::is_same_v<L, long double>));
        CORPUS_CHECK("long double forward vs double", compare_any(gl, gf, long_double_tol));
        const auto gfl = duet::gradient(duet::forward, f, static_cast<float>(x)...);
        using S = typename decltype(gfl)::value_type;
        CHECK((std::is_same_v<S, float>));
        CORPUS_CHECK("float forward vs double", compare_any(gfl, gf, float_tol));
        if constexpr (ClosedForm) {
            const auto glr = duet::gradient(duet::reverse, f, static_cast<long double>(x)...);
            using LR = typename decltype(glr)::value_type;
            CHECK((std::is_same_v<LR, long double>));
            CORPUS_CHECK("long double static reverse vs forward", compare_any(glr, gl, 1e-15));
        }
    }
    return gf;
}

// Deterministic points: x_i = center + spread * sin(1.3 i + shift).
inline std::vector<double> point(std::size_t n, double center, double spread, double shift = 0.0) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = center + spread * std::sin(1.3 * double(i) + shift);
    return x;
}

}  // namespace corpus
