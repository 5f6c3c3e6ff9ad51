// Constants in the static adjoint written the ways generic code writes them:
// T(c), T{c}, static_cast<T>(c), T{}, T c = ..., a constant of a lower
// nesting level. Each is a constant (no gradient of its own), never a copy of
// an argument. Every form is compared with forward mode and with the
// function written with a plain literal.
#include <array>

#include "../support/cross_check.hpp"

using duet_test::agree;
using duet_test::identical;

TEST_CASE("T(c), T{c}, static_cast<T>(c), T{} are constants in static reverse", "[static_adjoint]") {
    auto paren = [](auto a, auto b) { using T = decltype(a); return T(2.0) * a * b; };
    auto brace = [](auto a, auto b) { using T = decltype(a); return T{2.0} * a * b; };
    auto cast = [](auto a, auto b) { using T = decltype(a); return static_cast<T>(2) * a * b; };
    auto empty = [](auto a, auto b) { using T = decltype(a); return (T{} + 2.0) * a * b; };
    auto named = [](auto a, auto b) { using T = decltype(a); const T two = 2.0; return two * a * b; };
    auto literal = [](auto a, auto b) { return 2.0 * a * b; };
    const auto want = duet::gradient(duet::reverse, literal, 0.7, 1.3);
    CHECK(want[0] == Approx(2.6));
    CHECK(want[1] == Approx(1.4));
    auto check = [&](const char* name, auto f) {
        INFO(name);
        const auto r = duet::value_and_gradient(duet::reverse, f, 0.7, 1.3);
        const auto fw = duet::value_and_gradient(duet::forward, f, 0.7, 1.3);
        CHECK(identical(r.value, 2.0 * 0.7 * 1.3));
        CHECK(identical(r.gradient[0], want[0]));
        CHECK(identical(r.gradient[1], want[1]));
        CHECK(identical(fw.gradient[0], want[0]));
        CHECK(identical(fw.gradient[1], want[1]));
    };
    check("T(2.0)", paren);
    check("T{2.0}", brace);
    check("static_cast<T>(2)", cast);
    check("T{} + 2.0", empty);
    check("const T two = 2.0", named);
}

TEST_CASE("a constant made from an argument's value is a constant", "[static_adjoint]") {
    // T(value(a)) drops a's derivative on purpose: it is a number now.
    auto f = [](auto a, auto b) { using T = decltype(a); return T(duet::value(a)) * b + a; };
    const auto r = duet::gradient(duet::reverse, f, 3.0, 5.0);
    const auto fw = duet::gradient(duet::forward, f, 3.0, 5.0);
    CHECK(r[0] == 1.0);
    CHECK(r[1] == 3.0);
    CHECK(identical(fw[0], r[0]));
    CHECK(identical(fw[1], r[1]));
}

TEST_CASE("constants in nested static reverse (forward over reverse)", "[static_adjoint]") {
    // d/dx of d/dy [T(3) * x * y * y] = 6 y.
    auto inner = [](auto x, auto y) { using T = decltype(x); return T(3) * x * y * y; };
    const double mixed = duet::derivative(
        duet::forward, [&](auto x) { return duet::gradient(duet::reverse, inner, x, decltype(x)(2.0))[1]; }, 1.5);
    CHECK(mixed == 12.0);
}

TEST_CASE("a constant-only function has a zero gradient", "[static_adjoint]") {
    auto f = [](auto a) { using T = decltype(a); return T(4.0) * T{0.5}; };
    const auto r = duet::value_and_gradient(duet::reverse, f, 7.0);
    CHECK(r.value == 2.0);
    CHECK(r.gradient[0] == 0.0);
}
