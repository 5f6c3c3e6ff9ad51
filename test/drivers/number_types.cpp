// Scalar drivers keep the argument's floating-point type (float, double,
// long double), in every mode; long double derivatives are long-double
// accurate. Function templates pass through DUET_LIFT.
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "../support/cross_check.hpp"

namespace {

template <class T>
T cubic_sin(T x) {
    return x * x * x * sin(x);
}

template <class T>
T sum_of_squares(const std::vector<T>& x) {
    T s = 0;
    for (const auto& xi : x) s += xi * xi;
    return s;
}

}  // namespace

TEST_CASE("derivative keeps long double and is long-double accurate", "[drivers][types]") {
    auto f = [](auto x) { return std::sin(x) * x; };
    const auto d = duet::derivative(f, 1.5L);
    static_assert(std::is_same_v<decltype(d), const long double>);
    const long double want = std::cos(1.5L) * 1.5L + std::sin(1.5L);
    CHECK(std::abs(d - want) <= 4 * std::numeric_limits<long double>::epsilon());
    const auto dr = duet::derivative(duet::reverse, f, 1.5L);
    static_assert(std::is_same_v<decltype(dr), const long double>);
    CHECK(std::abs(dr - want) <= 4 * std::numeric_limits<long double>::epsilon());
}

TEST_CASE("gradient keeps float and long double in every mode", "[drivers][types]") {
    auto F = [](auto x, auto y) { return x * x * x * (x + 3 * y); };
    const auto gf = duet::gradient(duet::forward, F, 2.0f, 3.0f);
    const auto gr = duet::gradient(duet::reverse, F, 2.0f, 3.0f);
    static_assert(std::is_same_v<decltype(gf), const std::array<float, 2>>);
    static_assert(std::is_same_v<decltype(gr), const std::array<float, 2>>);
    CHECK(gf == std::array<float, 2>{140.0f, 24.0f});
    CHECK(gr == std::array<float, 2>{140.0f, 24.0f});
    const auto gl = duet::gradient(duet::reverse, F, 2.0L, 3.0L);
    static_assert(std::is_same_v<decltype(gl), const std::array<long double, 2>>);
    CHECK(gl == std::array<long double, 2>{140.0L, 24.0L});
    const auto [v, g] = duet::value_and_gradient(F, 2.0L, 3.0L);
    static_assert(std::is_same_v<std::remove_const_t<decltype(v)>, long double>);
    CHECK(v == 88.0L);
    CHECK(g[0] == 140.0L);
}

TEST_CASE("mixed and integer arguments", "[drivers][types]") {
    auto F = [](auto x, auto y) { return x * y; };
    const auto g = duet::gradient(F, 2, 3);  // integers: double
    static_assert(std::is_same_v<decltype(g), const std::array<double, 2>>);
    CHECK(g == std::array<double, 2>{3.0, 2.0});
    const auto h = duet::gradient(F, 2.0f, 3.0);  // float and double: double
    static_assert(std::is_same_v<decltype(h), const std::array<double, 2>>);
    CHECK(h == std::array<double, 2>{3.0, 2.0});
}

TEST_CASE("container drivers keep float and long double", "[drivers][types]") {
    const std::vector<long double> x{1.0L, 2.0L, 3.0L};
    auto f = [](const auto& v) { return sum_of_squares(v); };
    const auto gf = duet::gradient(duet::forward, f, x);
    const auto gr = duet::gradient(duet::reverse, f, x);
    static_assert(std::is_same_v<decltype(gf), const std::vector<long double>>);
    CHECK(gf == std::vector<long double>{2.0L, 4.0L, 6.0L});
    CHECK(gr == gf);
    const std::vector<float> y{1.0f, 2.0f};
    const auto H = duet::hessian(f, y);
    CHECK(H(0, 0) == 2.0f);
    CHECK(H(0, 1) == 0.0f);
}

TEST_CASE("DUET_LIFT passes a function template to a driver", "[drivers][types]") {
    const auto d = duet::derivative(DUET_LIFT(cubic_sin), 1.25);
    CHECK(d == Approx(3 * 1.25 * 1.25 * std::sin(1.25) + 1.25 * 1.25 * 1.25 * std::cos(1.25)).epsilon(1e-15));
    const auto g = duet::gradient(DUET_LIFT(sum_of_squares), std::vector<double>{1.0, -2.0});
    CHECK(g == std::vector<double>{2.0, -4.0});
    const auto gr = duet::gradient(duet::reverse, DUET_LIFT(sum_of_squares), std::vector<double>{1.0, -2.0});
    CHECK(gr == g);
}
