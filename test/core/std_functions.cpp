// std::-qualified maths on duet numbers (core/std_functions.hpp): `std::f(x)`
// gives exactly what `f(x)` gives, value and derivative, in every mode
// (forward 1 and 3 lanes, static reverse, tape, the three nestings), at
// ordinary points, at awkward points, and at NaN and +-inf. Plain numbers
// keep the standard library's meaning.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "../support/cross_check.hpp"

using duet_test::identical;
using duet_test::inf;
using duet_test::NaN;

namespace {

void same_results(const duet_test::unary_results& a, const duet_test::unary_results& b) {
    CHECK(identical(a.value_forward, b.value_forward));
    CHECK(identical(a.value_reverse, b.value_reverse));
    CHECK(identical(a.value_tape, b.value_tape));
    CHECK(identical(a.d_forward, b.d_forward));
    CHECK(identical(a.d_reverse, b.d_reverse));
    CHECK(identical(a.d_tape, b.d_tape));
    CHECK(identical(a.d2_ff, b.d2_ff));
    CHECK(identical(a.d2_fr, b.d2_fr));
    CHECK(identical(a.d2_ft, b.d2_ft));
    for (int i = 0; i < 3; ++i) CHECK(identical(a.lanes[i], b.lanes[i]));
}

void same_results(const duet_test::binary_results& a, const duet_test::binary_results& b) {
    CHECK(identical(a.value_forward, b.value_forward));
    CHECK(identical(a.value_reverse, b.value_reverse));
    CHECK(identical(a.value_tape, b.value_tape));
    for (int i = 0; i < 2; ++i) {
        CHECK(identical(a.g_forward[i], b.g_forward[i]));
        CHECK(identical(a.g_reverse[i], b.g_reverse[i]));
        CHECK(identical(a.g_tape[i], b.g_tape[i]));
        for (int j = 0; j < 2; ++j) {
            CHECK(identical(a.h_ff[i][j], b.h_ff[i][j]));
            CHECK(identical(a.h_fr[i][j], b.h_fr[i][j]));
        }
    }
    CHECK(identical(a.left_only, b.left_only));
    CHECK(identical(a.right_only, b.right_only));
}

template <class Qualified, class Unqualified>
void unary_pair(const char* name, Qualified q, Unqualified u, std::initializer_list<double> points) {
    for (double x : points) {
        INFO("std::" << name << " at " << x);
        same_results(duet_test::run_unary(q, x), duet_test::run_unary(u, x));
    }
}

template <class Qualified, class Unqualified>
void binary_pair(const char* name, Qualified q, Unqualified u,
                 std::initializer_list<std::array<double, 2>> points) {
    for (auto [a, b] : points) {
        INFO("std::" << name << " at (" << a << ", " << b << ")");
        same_results(duet_test::run_binary(q, a, b), duet_test::run_binary(u, a, b));
    }
}

#define DUET_STD_UNARY(name, ...)                                                         \
    unary_pair(#name, [](auto x) { return std::name(x); }, [](auto x) { return name(x); }, \
               {__VA_ARGS__, NaN, inf, -inf})
#define DUET_STD_BINARY(name, ...)                                                      \
    binary_pair(#name, [](auto a, auto b) { return std::name(a, b); },                  \
                [](auto a, auto b) { return name(a, b); },                              \
                {__VA_ARGS__, {NaN, 1.0}, {1.0, NaN}, {inf, 2.0}, {0.5, -inf}})

}  // namespace

TEST_CASE("std:: unary functions equal the unqualified ones in every mode", "[std]") {
    DUET_STD_UNARY(abs, 0.0, -0.0, 1.5, -2.5);
    DUET_STD_UNARY(fabs, 0.0, 1.5, -2.5);
    DUET_STD_UNARY(sqrt, 0.0, 0.25, 2.0);
    DUET_STD_UNARY(cbrt, 0.0, -8.0, 2.0);
    DUET_STD_UNARY(exp, 0.0, -1.5, 2.0);
    DUET_STD_UNARY(exp2, 0.0, -1.5, 2.0);
    DUET_STD_UNARY(expm1, 0.0, 1e-8, 2.0);
    DUET_STD_UNARY(log, 0.0, 0.5, 3.0, -1.0);
    DUET_STD_UNARY(log2, 0.5, 3.0);
    DUET_STD_UNARY(log10, 0.5, 3.0);
    DUET_STD_UNARY(log1p, 0.0, -0.5, 3.0);
    DUET_STD_UNARY(sin, 0.0, 1.0, -2.0);
    DUET_STD_UNARY(cos, 0.0, 1.0, -2.0);
    DUET_STD_UNARY(tan, 0.0, 1.0, -2.0);
    DUET_STD_UNARY(asin, 0.0, 0.5, 1.0);
    DUET_STD_UNARY(acos, 0.0, -0.5, 1.0);
    DUET_STD_UNARY(atan, 0.0, 3.0);
    DUET_STD_UNARY(sinh, 0.0, 1.5);
    DUET_STD_UNARY(cosh, 0.0, -1.5);
    DUET_STD_UNARY(tanh, 0.0, 0.5, 30.0);
    DUET_STD_UNARY(asinh, 0.0, 2.0);
    DUET_STD_UNARY(acosh, 1.0, 2.0);
    DUET_STD_UNARY(atanh, 0.0, 0.5);
    DUET_STD_UNARY(erf, 0.0, 0.7);
    DUET_STD_UNARY(erfc, 0.0, 0.7);
    DUET_STD_UNARY(tgamma, 0.5, 3.5);
    DUET_STD_UNARY(lgamma, 0.5, 3.5);
}

TEST_CASE("std:: binary functions equal the unqualified ones in every mode", "[std]") {
    DUET_STD_BINARY(pow, {2.0, 3.0}, {0.0, 2.0}, {1.5, 0.0}, {0.0, 0.5});
    DUET_STD_BINARY(hypot, {3.0, 4.0}, {0.0, 0.0});
    DUET_STD_BINARY(atan2, {1.0, 2.0}, {0.0, 0.0}, {-1.0, -1.0});
    DUET_STD_BINARY(max, {1.0, 2.0}, {2.0, 2.0}, {-1.0, -3.0});
    DUET_STD_BINARY(min, {1.0, 2.0}, {2.0, 2.0}, {-1.0, -3.0});
    DUET_STD_BINARY(fmax, {1.0, 2.0}, {2.0, 2.0});
    DUET_STD_BINARY(fmin, {1.0, 2.0}, {2.0, 2.0});
    DUET_STD_BINARY(fmod, {5.5, 2.0}, {-5.5, 2.0}, {1.0, 3.0});
    DUET_STD_BINARY(copysign, {1.5, -2.0}, {-1.5, 2.0}, {0.0, -1.0});
}

TEST_CASE("std::max / std::min of two duet leaves take duet's tie rule", "[std]") {
    // The standard template returns one argument; duet's rule splits a tie.
    const auto g = duet::gradient(duet::forward, [](auto a, auto b) { return std::max(a, b); }, 2.0, 2.0);
    CHECK(g[0] == 0.5);
    CHECK(g[1] == 0.5);
    const auto h = duet::gradient(duet::reverse, [](const auto a, const auto b) { return std::min(a, b); }, 2.0, 2.0);
    CHECK(h[0] == 0.5);
    CHECK(h[1] == 0.5);
    duet::tape<double> tape;
    const duet::var<double> a = 1.0, b = 1.0;
    duet::var<double> y = std::max(a, b);
    tape.backward(y);
    CHECK(a.adjoint() == 0.5);
    CHECK(b.adjoint() == 0.5);
}

TEST_CASE("std::pow with an integer exponent takes the integer rule", "[std]") {
    // pow(x, int) is exact at x < 0, where pow(x, double) has no d/dy.
    const auto q = duet::gradient(duet::reverse, [](auto x) { return std::pow(x, 3); }, -2.0);
    const auto u = duet::gradient(duet::reverse, [](auto x) { return pow(x, 3); }, -2.0);
    CHECK(q[0] == 12.0);
    CHECK(identical(q[0], u[0]));
}

TEST_CASE("rounding: a plain number, derivative 0 in every mode", "[std]") {
    auto f = [](auto x) {
        // A table index and a fractional part, as interpolation code writes them.
        const double i = std::floor(x);
        return (x - i) * 3.0 + std::ceil(x) + std::round(x) + std::trunc(x);
    };
    const auto r = duet_test::run_unary(f, 2.25);
    CHECK(r.value_forward == 0.75 + 3 + 2 + 2);
    CHECK(r.d_forward == 3.0);
    CHECK(r.d_reverse == 3.0);
    CHECK(r.d_tape == 3.0);
    CHECK(r.d2_ff == 0.0);
    static_assert(std::is_same_v<decltype(std::floor(std::declval<duet::dual<float>>())), float>);
    static_assert(std::is_same_v<decltype(std::floor(std::declval<duet::dual<duet::dual<long double>>>())), long double>);
    const int index = static_cast<int>(std::floor(duet::dual<double>{3.7, 1.0}));
    CHECK(index == 3);
}

TEST_CASE("classification looks at the value", "[std]") {
    const duet::dual<double> nan{NaN, 1.0}, big{inf, 0.0}, one{1.0, NaN}, neg{-0.0, 1.0};
    CHECK(std::isnan(nan));
    CHECK_FALSE(std::isnan(one));
    CHECK(std::isinf(big));
    CHECK(std::isfinite(one));
    CHECK_FALSE(std::isfinite(big));
    CHECK(std::isnormal(one));
    CHECK(std::signbit(neg));
    CHECK_FALSE(std::signbit(one));
    CHECK(std::isnan(nan * 2.0));  // expressions too
}

TEST_CASE("fma and clamp build the same nodes as their expansions", "[std]") {
    unary_pair("fma", [](auto x) { return std::fma(x, x, 2.0); }, [](auto x) { return x * x + 2.0; },
               {0.0, 1.5, NaN});
    unary_pair("clamp", [](auto x) { return std::clamp(x, 0.0, 1.0); },
               [](auto x) { return min(max(x, 0.0), 1.0); }, {-1.0, 0.0, 0.5, 1.0, 2.0, NaN});
    // The derivative of clamp: 1 inside, 0 outside, 1/2 at a bound (a tie).
    CHECK(duet::derivative([](auto x) { return std::clamp(x, 0.0, 1.0); }, 0.5) == 1.0);
    CHECK(duet::derivative([](auto x) { return std::clamp(x, 0.0, 1.0); }, 1.5) == 0.0);
    CHECK(duet::derivative([](auto x) { return std::clamp(x, 0.0, 1.0); }, 1.0) == 0.5);
}

TEST_CASE("fmod and copysign: derivatives against central differences", "[std]") {
    duet_test::check_binary(
        "fmod", [](auto a, auto b) { return fmod(a, b); }, [](double a, double b) { return std::fmod(a, b); },
        [](double, double) { return 1.0; }, [](double a, double b) { return -std::trunc(a / b); },
        {{5.5, 2.0}, {-5.5, 2.0}, {1.0, 3.0}, {7.3, -2.1}});
    duet_test::check_binary(
        "copysign", [](auto a, auto b) { return copysign(a, b); },
        [](double a, double b) { return std::copysign(a, b); },
        [](double a, double b) { return (a > 0 ? 1.0 : -1.0) * (std::signbit(b) ? -1.0 : 1.0); },
        [](double, double) { return 0.0; }, {{1.5, -2.0}, {-1.5, 2.0}, {0.7, 0.3}, {-0.7, -0.3}});
}

TEST_CASE("plain numbers keep the standard library's meaning", "[std]") {
    static_assert(std::is_same_v<decltype(std::max(1.0, 2.0)), const double&>);
    static_assert(std::is_same_v<decltype(std::exp(1.0f)), float>);
    static_assert(std::is_same_v<decltype(std::pow(2.0, 3)), double>);
    static_assert(std::is_same_v<decltype(std::abs(-3)), int>);
    CHECK(std::max(1.0, 2.0) == 2.0);
    CHECK(std::clamp(5, 0, 3) == 3);
    CHECK(std::exp(0.0) == 1.0);
}

TEST_CASE("std:: on float and long double duals", "[std]") {
    const auto gf = duet::derivative([](auto x) { return std::exp(x) * std::sin(x); }, 0.5f);
    static_assert(std::is_same_v<decltype(gf), const float>);
    CHECK(gf == Approx(std::exp(0.5f) * (std::sin(0.5f) + std::cos(0.5f))).epsilon(1e-6));
    const auto gl = duet::derivative([](auto x) { return std::exp(x) * std::sin(x); }, 0.5L);
    static_assert(std::is_same_v<decltype(gl), const long double>);
    const long double want = std::exp(0.5L) * (std::sin(0.5L) + std::cos(0.5L));
    CHECK(std::abs(gl - want) <= 4 * std::numeric_limits<long double>::epsilon() * want);
}
