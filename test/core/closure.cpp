// The closure rule: expressions hold every operand by value, so expressions
// returned from functions stay valid and aliasing assignments are safe.
#include <catch2/catch.hpp>

#include "duet/duet.hpp"

namespace {

// Returns an expression over its by-value parameter, which dies on return.
auto sqr(auto x) { return x * x; }

// Returns an expression built from two local sub-expressions.
auto damped_wave(auto t) {
    auto c = cos(3 * t);
    auto s = exp(-t / 2);
    return c * s;
}

template <class T>
auto through_helper(T x, T y) {
    auto inner = sqr(x + y);  // the helper's locals are gone when we return
    return inner * sqr(y);
}

}  // namespace

TEST_CASE("an expression returned from a helper outlives the helper's locals", "[closure]") {
    duet::dual<double> x{3.0, 1.0};
    duet::dual<double> y = sqr(x);
    CHECK(y.value() == 9.0);
    CHECK(y.tangent() == 6.0);

    CHECK(duet::derivative(duet::reverse, [](auto t) { return sqr(t); }, 3.0) == 6.0);
    CHECK(duet::derivative(duet::forward, [](auto t) { return sqr(sqr(t)); }, 2.0) == 32.0);
}

TEST_CASE("a lambda returning c * s of local sub-expressions", "[closure]") {
    const double t = 0.7;
    const double expected = -3 * std::sin(3 * t) * std::exp(-t / 2) - 0.5 * std::cos(3 * t) * std::exp(-t / 2);
    CHECK(duet::derivative(duet::reverse, [](auto u) { return damped_wave(u); }, t) == Approx(expected).epsilon(1e-15));
    CHECK(duet::derivative(duet::forward, [](auto u) { return damped_wave(u); }, t) == Approx(expected).epsilon(1e-15));
    auto g = duet::gradient(duet::reverse, [](auto a, auto b) { return through_helper(a, b); }, 1.0, 2.0);
    // f = (a + b)^2 b^2: df/da = 2(a + b) b^2 = 24, df/db = 2(a + b) b^2 + 2(a + b)^2 b = 24 + 36
    CHECK(g[0] == 24.0);
    CHECK(g[1] == 60.0);
}

TEST_CASE("aliasing: the target may appear on the right-hand side", "[closure]") {
    duet::dual<double> x{2.0, 1.0};
    x = x - 2 * x;  // -x
    CHECK(x.value() == -2.0);
    CHECK(x.tangent() == -1.0);
    x *= x;  // x^2 at x = -2 with tangent -1: value 4, tangent 2 * (-2) * (-1)
    CHECK(x.value() == 4.0);
    CHECK(x.tangent() == 4.0);
    x /= x + x;  // x / (2x) = 1/2, tangent 0
    CHECK(x.value() == 0.5);
    CHECK(x.tangent() == 0.0);
    x += sin(x) * x;
    CHECK(x.value() == Approx(0.5 + std::sin(0.5) * 0.5).epsilon(1e-15));
}

TEST_CASE("an expression is a snapshot of its operands", "[closure]") {
    duet::dual<double> x{1.0, 1.0};
    auto e = x * x;  // holds a copy of x
    x = duet::dual<double>{5.0, 0.0};
    duet::dual<double> y = e;
    CHECK(y.value() == 1.0);
    CHECK(y.tangent() == 2.0);
    // Plain data: destroyed trivially, copied without throwing (member by
    // member, on purpose: core/expression.hpp says why the copy constructor
    // is user-provided).
    static_assert(std::is_trivially_destructible_v<decltype(e)>, "nodes are plain data");
    static_assert(std::is_nothrow_copy_constructible_v<decltype(e)>, "nodes copy without throwing");
}
