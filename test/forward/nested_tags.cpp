// Nested derivatives whose inner function closes over an outer variable
// (perturbation confusion, Siskind and Pearlmutter). Each driver call seeds
// duals of its own tag, so the inner lanes never mix with the outer ones.
// Where the two differentiations meet in one expression, make_binary nests
// them (core/lift.hpp) and the driver reads its own level, whichever side it
// is on. An inner derivative may also be given its point in the outer
// number type explicitly (decltype(x)(1.0)); both spellings are checked.
#include <array>
#include <vector>

#include "../support/cross_check.hpp"

TEST_CASE("forward over forward with a closure over the outer variable", "[nested]") {
    // d/dx [ d/dy (x y) at y = 1 ] = d/dx x = 1
    const double a = duet::derivative(
        [](auto x) { return duet::derivative([&](auto y) { return x * y; }, decltype(x)(1.0)); }, 2.0);
    CHECK(a == 1.0);
    // d/dx [ x * d/dy (x y) ] = d/dx x^2 = 2x = 4
    const double b = duet::derivative(
        [](auto x) { return duet::derivative([&](auto y) { return x * y; }, decltype(x)(1.0)) * x; }, 2.0);
    CHECK(b == 4.0);
    // d/dx [ d/dy sin(x y) at y = 3 ] = d/dx x cos(3x) = cos(3x) - 3x sin(3x)
    const double c = duet::derivative(
        [](auto x) { return duet::derivative([&](auto y) { return sin(x * y); }, decltype(x)(3.0)); }, 0.4);
    CHECK(c == Approx(std::cos(1.2) - 1.2 * std::sin(1.2)).epsilon(1e-15));
}

// (The lambdas are written outside CHECK: clang names a lambda by where the
// macro was expanded, so two lambdas inside one CHECK have the same spelled
// name, and nesting needs to order the two differentiations by name;
// core/lift.hpp. With equal names the sentence asks for the explicit form.)
TEST_CASE("the issue's reproducers, written with a plain inner point", "[nested]") {
    // Before tags: 0 and 3.
    const double a = duet::derivative([](auto x) { return duet::derivative([&](auto y) { return x * y; }, 1.0); }, 2.0);
    CHECK(a == 1.0);
    const double b =
        duet::derivative([](auto x) { return duet::derivative([&](auto y) { return x * y; }, 1.0) * x; }, 2.0);
    CHECK(b == 4.0);
    // x on either side, inside functions, and mixed with the inner variable
    // in several nodes: d/dy [sin(x y) y] = x y cos(x y) + sin(x y); at y = 3
    // its x-derivative is 6 cos(3x) - 9 x sin(3x).
    auto inner = [](auto x) {
        return duet::derivative([&](auto y) { return sin(x * y) * y; }, 3.0);
    };
    const double c = duet::derivative(inner, 0.4);
    CHECK(c == Approx(6 * std::cos(1.2) - 9 * 0.4 * std::sin(1.2)).epsilon(1e-14));
    // Forward over static reverse with a plain point.
    const double d = duet::derivative([](auto x) {
        return duet::gradient(duet::reverse, [&](auto y) { return x * x * y * y; }, 1.5)[0];
    }, 2.0);
    CHECK(d == 12.0);
    // A gradient of a function that takes a derivative over its arguments.
    const auto g = duet::gradient(duet::forward, [](auto a, auto b) {
        return duet::derivative([&](auto t) { return a * t * t + b * t; }, 1.0);
    }, 1.5, 2.0);
    CHECK(g[0] == 2.0);
    CHECK(g[1] == 1.0);
    // Three levels: d/dx d/dy d/dz (x y z^2) at z = 1, y = 1 is 2.
    const double e = duet::derivative([](auto x) {
        return duet::derivative([&](auto y) {
            return duet::derivative([&](auto z) { return x * y * z * z; }, 1.0);
        }, 1.0);
    }, 2.0);
    CHECK(e == 2.0);
    // Second derivative through a closure: d2/dx2 of d/dy [x^3 y^2] at y = 1 = 12 x.
    const double h = duet::derivative([](auto x) {
        return duet::derivative([&](auto x2) {
            return duet::derivative([&](auto y) { return x2 * x2 * x2 * y * y; }, 1.0);
        }, x);
    }, 0.5);
    CHECK(h == Approx(6.0).epsilon(1e-15));
}

TEST_CASE("three levels, each closing over the ones outside", "[nested]") {
    // f(x, y, z) = x y z; d/dx d/dy d/dz = 1
    const double d = duet::derivative([](auto x) {
        return duet::derivative([&](auto y) {
            return duet::derivative([&](auto z) { return x * y * z; }, decltype(y)(1.0));
        }, decltype(x)(1.0));
    }, 2.0);
    CHECK(d == 1.0);
}

TEST_CASE("forward over static reverse with a closure", "[nested]") {
    // d/dx [ d/dy (x^2 y^2) at y = 1.5 ] = d/dx 2 x^2 y = 4 x y = 12 at x = 2
    const double d = duet::derivative([](auto x) {
        return duet::gradient(duet::reverse, [&](auto y) { return x * x * y * y; }, decltype(x)(1.5))[0];
    }, 2.0);
    CHECK(d == 12.0);
}

TEST_CASE("a gradient inside a gradient (scalar drivers) with closures", "[nested]") {
    // g(a, b) = d/dt [a t^2 + b t] at t = a  = 2 a^2 + b; grad = (4a, 1)
    auto g = [](auto a, auto b) {
        return duet::derivative([&](auto t) { return a * t * t + b * t; }, a);
    };
    const auto gf = duet::gradient(duet::forward, g, 1.5, 2.0);
    CHECK(gf[0] == 6.0);
    CHECK(gf[1] == 1.0);
}

TEST_CASE("the tape under forward: var of the outer dual type", "[nested]") {
    // d/dx [ d/dv (x v^2) at v = x ] = d/dx 2 x^2 = 4x
    auto inner_tape = [](auto x) {
        using D = decltype(x);
        duet::tape<D> tape;
        duet::var<D> v = x;
        duet::var<D> y = x * v * v;  // x is a constant on this tape
        tape.backward(y);
        return v.adjoint();
    };
    const double d = duet::derivative(inner_tape, 1.25);
    CHECK(d == 5.0);
}

TEST_CASE("Hessians of functions that take derivatives inside", "[nested]") {
    // f(v) = v0 * d/dt (v1 t^2) at t = v0 = 2 v0^2 v1
    auto f = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        return v[0] * duet::derivative([&](auto t) { return v[1] * t * t; }, T(v[0]));
    };
    const std::vector<double> x{1.5, 0.5};
    for (int mode = 0; mode < 2; ++mode) {
        const auto H = mode == 0 ? duet::hessian(duet::forward, f, x) : duet::hessian(duet::reverse, f, x);
        INFO("mode " << mode);
        CHECK(H(0, 0) == Approx(4 * 0.5).epsilon(1e-14));
        CHECK(H(0, 1) == Approx(4 * 1.5).epsilon(1e-14));
        CHECK(H(1, 0) == Approx(4 * 1.5).epsilon(1e-14));
        CHECK(H(1, 1) == 0.0);
    }
}

TEST_CASE("each driver call seeds duals of its own tag", "[nested]") {
    auto f = [](auto x) { return x * x; };
    auto g = [](auto x) { return x * x; };
    using Tf = decltype(duet::detail::driver_tag<decltype(f), double>{});
    using Tg = decltype(duet::detail::driver_tag<decltype(g), double>{});
    static_assert(!std::is_same_v<Tf, Tg>);
    static_assert(std::is_same_v<duet::dual<double>::tag, void>);
}
