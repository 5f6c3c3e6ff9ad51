// Cross-checks of one operation in every mode: forward (1 and 3 lanes),
// static reverse, the tape, and three nestings for second derivatives
// (forward-over-forward, forward-over-static-reverse, forward-over-tape);
// against each other, against hand-derived formulas and against central
// differences.
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "duet/check/finite_difference.hpp"
#include "duet/duet.hpp"
#include "numeric.hpp"

namespace duet_test {

inline constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double inf = std::numeric_limits<double>::infinity();

// Modes must agree to this relative tolerance (they round differently only
// in the order of multiplications).
inline constexpr double modes_tol = 1e-14;
// Hand-derived formulas are evaluated in a different order from the rules
// (e.g. 1/cos^2 vs 1 + tan^2): a few ulps more.
inline constexpr double formula_tol = 1e-13;
// Second derivatives chain two rounding-sensitive formulas.
inline constexpr double second_tol = 1e-12;
// Richardson-extrapolated central differences reach ~1e-10 on smooth
// functions at well-scaled points; 1e-8 leaves room for curvature.
inline constexpr double fd_tol = 1e-8;

struct unary_results {
    double value_forward, value_reverse, value_tape, d_forward, d_reverse, d_tape, d2_ff, d2_fr, d2_ft;
    std::array<double, 3> lanes;
};

// Value and derivative of f at x on a tape of T (T = dual<double> gives the
// second derivative in the adjoint's tangent).
template <class T, class F>
std::pair<T, T> tape_value_and_derivative(F f, const T& x) {
    duet::tape<T> tape;
    duet::var<T> xv = x;
    duet::var<T> y = f(xv);
    tape.backward(y);
    return {y.value(), xv.adjoint()};
}

template <class F>
unary_results run_unary(F f, double x) {
    unary_results r{};
    auto [vf, gf] = duet::value_and_gradient(duet::forward, f, x);
    auto [vr, gr] = duet::value_and_gradient(duet::reverse, f, x);
    r.value_forward = vf;
    r.value_reverse = vr;
    r.d_forward = gf[0];
    r.d_reverse = gr[0];
    r.d2_ff = duet::derivative(duet::forward, [&](auto t) { return duet::derivative(duet::forward, f, t); }, x);
    r.d2_fr = duet::derivative(duet::forward, [&](auto t) { return duet::derivative(duet::reverse, f, t); }, x);
    std::tie(r.value_tape, r.d_tape) = tape_value_and_derivative(f, x);
    r.d2_ft = tape_value_and_derivative(f, duet::dual<double>{x, 1.0}).second.tangent();
    duet::dual<double, 3> x3{x, {1.0, 0.0, -2.0}};
    duet::dual<double, 3> y3 = f(x3);
    r.lanes = y3.tangents();
    return r;
}

// f: the operation as generic code; value, d1, d2: references on double.
// smooth: points where central differences are meaningful.
// constant_derivative: the derivative does not depend on x (negation), so a
// NaN argument leaves it finite: NaN reaches only what depends on it.
template <class F, class V, class D1, class D2>
void check_unary(const char* name, F f, V value, D1 d1, D2 d2, std::vector<double> smooth,
                 bool constant_derivative = false) {
    for (double x : smooth) {
        INFO(name << " at x = " << x);
        const auto r = run_unary(f, x);
        CHECK(identical(r.value_forward, value(x)));
        CHECK(identical(r.value_reverse, value(x)));
        CHECK(identical(r.value_tape, value(x)));
        INFO("forward vs reverse " << show(r.d_forward, r.d_reverse) << ", tape " << r.d_tape);
        CHECK(agree(r.d_forward, r.d_reverse, modes_tol));
        CHECK(agree(r.d_tape, r.d_reverse, modes_tol));
        INFO("forward vs formula " << show(r.d_forward, d1(x)));
        CHECK(agree(r.d_forward, d1(x), formula_tol));
        INFO("lanes " << r.lanes[0] << ", " << r.lanes[1] << ", " << r.lanes[2]);
        CHECK(identical(r.lanes[0], r.d_forward));
        CHECK(r.lanes[1] == 0.0);
        CHECK(agree(r.lanes[2], -2.0 * r.d_forward, modes_tol));
        INFO("second derivatives ff " << r.d2_ff << " fr " << r.d2_fr << " ft " << r.d2_ft << " formula " << d2(x));
        CHECK(agree(r.d2_ff, r.d2_fr, modes_tol));
        CHECK(agree(r.d2_ft, r.d2_fr, modes_tol));
        CHECK(agree(r.d2_ff, d2(x), second_tol));
        const double fd = duet::fd::derivative([&](double t) { return double(value(t)); }, x,
                                               duet::fd::options{.richardson_levels = 3});
        INFO("central differences " << show(fd, r.d_forward));
        CHECK(agree(r.d_forward, fd, fd_tol));
    }
    // NaN reaches the value and every derivative.
    {
        INFO(name << " at NaN");
        const auto r = run_unary(f, NaN);
        CHECK(std::isnan(r.value_forward));
        CHECK(std::isnan(r.value_reverse));
        CHECK(std::isnan(r.value_tape));
        CHECK(identical(r.d_forward, r.d_reverse));
        CHECK(identical(r.d_tape, r.d_reverse));
        CHECK(identical(r.d2_ff, r.d2_fr));
        CHECK(identical(r.d2_ft, r.d2_fr));
        CHECK(identical(r.lanes[0], r.d_forward));
        if (!constant_derivative) {
            CHECK(std::isnan(r.d_forward));
        }
        CHECK(r.lanes[1] == 0.0);  // strong zero: a zero lane stays zero
    }
    // Infinities: whatever the limits are, every mode says the same.
    for (double x : {inf, -inf}) {
        INFO(name << " at x = " << x);
        const auto r = run_unary(f, x);
        CHECK(identical(r.value_forward, value(x)));
        CHECK(identical(r.value_reverse, value(x)));
        CHECK(identical(r.value_tape, value(x)));
        CHECK(identical(r.d_forward, r.d_reverse));
        CHECK(identical(r.d_tape, r.d_reverse));
        CHECK(identical(r.d2_ff, r.d2_fr));
        CHECK(identical(r.d2_ft, r.d2_fr));
    }
}

}  // namespace duet_test

namespace duet_test {

struct binary_results {
    double value_forward, value_reverse, value_tape;
    std::array<double, 2> g_forward, g_reverse, g_tape;
    double left_only, right_only;  // with a plain number on the other side
    std::array<std::array<double, 2>, 2> h_ff, h_fr;
};

template <class F>
binary_results run_binary(F f, double a, double b) {
    binary_results r{};
    auto [vf, gf] = duet::value_and_gradient(duet::forward, f, a, b);
    auto [vr, gr] = duet::value_and_gradient(duet::reverse, f, a, b);
    r.value_forward = vf;
    r.value_reverse = vr;
    r.g_forward = gf;
    r.g_reverse = gr;
    {
        duet::tape<double> tape;
        duet::var<double> av = a, bv = b;
        duet::var<double> y = f(av, bv);
        tape.backward(y);
        r.value_tape = y.value();
        r.g_tape = {av.adjoint(), bv.adjoint()};
    }
    r.left_only = duet::derivative(duet::reverse, [&](auto s) { return f(s, b); }, a);
    r.right_only = duet::derivative(duet::forward, [&](auto t) { return f(a, t); }, b);
    for (int i = 0; i < 2; ++i) {
        r.h_ff[i] = duet::gradient(
            duet::forward, [&](auto s, auto t) { return duet::gradient(duet::forward, f, s, t)[i]; }, a, b);
        r.h_fr[i] = duet::gradient(
            duet::forward, [&](auto s, auto t) { return duet::gradient(duet::reverse, f, s, t)[i]; }, a, b);
    }
    return r;
}

// value, da, db: references on doubles. Second derivatives are checked
// between the two nestings, for symmetry, and against central differences
// of the hand-derived first derivatives.
template <class F, class V, class DA, class DB>
void check_binary(const char* name, F f, V value, DA da, DB db,
                  std::vector<std::array<double, 2>> smooth) {
    const duet::fd::options accurate{.richardson_levels = 3};
    for (auto [a, b] : smooth) {
        INFO(name << " at (" << a << ", " << b << ")");
        const auto r = run_binary(f, a, b);
        CHECK(identical(r.value_forward, value(a, b)));
        CHECK(identical(r.value_reverse, value(a, b)));
        for (int i = 0; i < 2; ++i) {
            INFO("partial " << i << ": " << show(r.g_forward[i], r.g_reverse[i]));
            CHECK(agree(r.g_forward[i], r.g_reverse[i], modes_tol));
            CHECK(agree(r.g_tape[i], r.g_reverse[i], modes_tol));
        }
        CHECK(identical(r.value_tape, value(a, b)));
        INFO("formula " << show(r.g_forward[0], da(a, b)) << " / " << show(r.g_forward[1], db(a, b)));
        CHECK(agree(r.g_forward[0], da(a, b), formula_tol));
        CHECK(agree(r.g_forward[1], db(a, b), formula_tol));
        CHECK(agree(r.left_only, r.g_forward[0], modes_tol));
        CHECK(agree(r.right_only, r.g_forward[1], modes_tol));
        const auto fd = duet::fd::gradient([&](double s, double t) { return double(value(s, t)); }, a, b,
                                           accurate);
        CHECK(agree(r.g_forward[0], fd[0], fd_tol));
        CHECK(agree(r.g_forward[1], fd[1], fd_tol));
        const auto fd_row0 = duet::fd::gradient([&](double s, double t) { return double(da(s, t)); }, a, b,
                                                accurate);
        const auto fd_row1 = duet::fd::gradient([&](double s, double t) { return double(db(s, t)); }, a, b,
                                                accurate);
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j) {
                INFO("H" << i << j << " ff " << r.h_ff[i][j] << " fr " << r.h_fr[i][j]);
                CHECK(agree(r.h_ff[i][j], r.h_fr[i][j], modes_tol));
                CHECK(agree(r.h_ff[i][j], (i == 0 ? fd_row0 : fd_row1)[j], fd_tol));
            }
        CHECK(agree(r.h_ff[0][1], r.h_ff[1][0], modes_tol));
    }
    // Non-finite arguments: every mode says the same.
    for (auto [a, b] : std::vector<std::array<double, 2>>{{NaN, 1.5}, {1.5, NaN}, {inf, 2.0}, {-inf, 0.5}, {0.5, inf}}) {
        INFO(name << " at (" << a << ", " << b << ")");
        const auto r = run_binary(f, a, b);
        CHECK(identical(r.value_forward, value(a, b)));
        CHECK(identical(r.value_reverse, value(a, b)));
        CHECK(identical(r.g_forward[0], r.g_reverse[0]));
        CHECK(identical(r.g_forward[1], r.g_reverse[1]));
        CHECK(identical(r.value_tape, value(a, b)));
        CHECK(identical(r.g_tape[0], r.g_reverse[0]));
        CHECK(identical(r.g_tape[1], r.g_reverse[1]));
        CHECK(identical(r.left_only, r.g_reverse[0]));
        CHECK(identical(r.right_only, r.g_reverse[1]));
    }
}

}  // namespace duet_test
