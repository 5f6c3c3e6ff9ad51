// The worked examples (x^3 (x + 3y), (x + y) max(y, z), ...) through every scalar driver and mode.
#include <catch2/catch.hpp>

#include "duet/duet.hpp"

namespace {
// F(x, y) = x^3 (x + 3y): F(2, 3) = 88, dF = (140, 24).
const auto F = [](auto x, auto y) { return x * x * x * (x + 3 * y); };
// f(x, y, z) = (x + y) max(y, z): f(1, 2, 0) = 6, grad (2, 5, 0).
const auto f2 = [](auto x, auto y, auto z) { return (x + y) * max(y, z); };
// y = exp(xz) + xz / log(x) + sin(log(x)) / (xz) at x = 2, z = 3.
const auto f3 = [](auto x, auto z) { return exp(x * z) + x * z / log(x) + sin(log(x)) / (x * z); };

template <class Mode>
void worked_examples(Mode mode) {
    {
        auto g = duet::gradient(mode, F, 2.0, 3.0);
        static_assert(std::is_same_v<decltype(g), std::array<double, 2>>);
        CHECK(g[0] == 140.0);
        CHECK(g[1] == 24.0);
        auto [v, g2] = duet::value_and_gradient(mode, F, 2.0, 3.0);
        CHECK(v == 88.0);
        CHECK(g2 == g);
    }
    {
        auto [v, g] = duet::value_and_gradient(mode, f2, 1.0, 2.0, 0.0);
        CHECK(v == 6.0);
        CHECK(g == std::array<double, 3>{2.0, 5.0, 0.0});
    }
    {
        auto [v, g] = duet::value_and_gradient(mode, f3, 2.0, 3.0);
        CHECK(v == Approx(412.19146).margin(5e-6));
        CHECK(g[0] == Approx(1208.38122).margin(5e-6));
        CHECK(g[1] == Approx(809.70748).margin(5e-6));
        // The closed forms, to rounding.
        const double x = 2, z = 3, L = std::log(x);
        const double dx = z * std::exp(x * z) + z / L - z / (L * L) + std::cos(L) / (x * x * z) -
                          std::sin(L) / (x * x * z);
        const double dz = x * std::exp(x * z) + x / L - std::sin(L) / (x * z * z);
        CHECK(g[0] == Approx(dx).epsilon(1e-14));
        CHECK(g[1] == Approx(dz).epsilon(1e-14));
    }
}
}  // namespace

TEST_CASE("worked examples 1-3 in forward mode", "[drivers][examples]") { worked_examples(duet::forward); }
TEST_CASE("worked examples 1-3 in static reverse mode", "[drivers][examples]") { worked_examples(duet::reverse); }
TEST_CASE("worked examples 1-3 in automatic mode", "[drivers][examples]") { worked_examples(duet::automatic); }

TEST_CASE("default mode is automatic", "[drivers]") {
    CHECK(duet::gradient(F, 2.0, 3.0) == std::array<double, 2>{140.0, 24.0});
    auto [v, g] = duet::value_and_gradient(F, 2.0, 3.0);
    CHECK(v == 88.0);
    CHECK(g == std::array<double, 2>{140.0, 24.0});
}

TEST_CASE("derivative of f: R -> R in every mode", "[drivers]") {
    const auto g = [](auto t) { return sin(t) * t; };
    const double expected = std::cos(1.5) * 1.5 + std::sin(1.5);
    CHECK(duet::derivative(g, 1.5) == Approx(expected).epsilon(1e-15));
    CHECK(duet::derivative(duet::forward, g, 1.5) == Approx(expected).epsilon(1e-15));
    CHECK(duet::derivative(duet::reverse, g, 1.5) == Approx(expected).epsilon(1e-15));
    CHECK(duet::derivative(g, 1) == Approx(std::cos(1.0) + std::sin(1.0)).epsilon(1e-15));  // int argument
}

TEST_CASE("functions that ignore an argument or return a constant", "[drivers]") {
    CHECK(duet::gradient(duet::reverse, [](auto x, auto) { return x * 2; }, 1.0, 5.0) == std::array<double, 2>{2, 0});
    CHECK(duet::gradient(duet::forward, [](auto x, auto) { return x * 2; }, 1.0, 5.0) == std::array<double, 2>{2, 0});
    auto [v, g] = duet::value_and_gradient(duet::reverse, [](auto) { return 7.0; }, 1.0);
    CHECK(v == 7.0);
    CHECK(g[0] == 0.0);
    CHECK(duet::derivative(duet::forward, [](auto) { return 7; }, 1.0) == 0.0);
    CHECK(duet::derivative(duet::reverse, [](auto x) { return x; }, 4.0) == 1.0);
}

TEST_CASE("generic code with loops and branches in forward mode", "[drivers]") {
    // Forward mode accepts assignments; the static adjoint does not (compile_fail/).
    auto horner = [](auto x) {
        using T = decltype(x);
        T p = 0.0;
        for (double c : {1.0, -2.0, 0.5, 3.0}) p = p * x + c;  // x^3 - 2x^2 + x/2 + 3
        if (p > 100) p = 100.0;
        return p;
    };
    CHECK(duet::derivative(horner, 2.0) == 3 * 4.0 - 4 * 2.0 + 0.5);
    CHECK(duet::derivative(horner, 10.0) == 0.0);  // the branch taken is constant
}

TEST_CASE("second derivatives by nesting the drivers", "[drivers][nested]") {
    // Hessian of F at (2, 3): F = x^4 + 3 x^3 y; Fxx = 12x^2 + 18xy = 156, Fxy = 9x^2 = 36, Fyy = 0.
    auto row = [](std::size_t i) {
        return [i](auto x, auto y) { return duet::gradient(duet::reverse, F, x, y)[i]; };
    };
    CHECK(duet::gradient(duet::forward, row(0), 2.0, 3.0) == std::array<double, 2>{156, 36});
    CHECK(duet::gradient(duet::forward, row(1), 2.0, 3.0) == std::array<double, 2>{36, 0});
    // Third derivative of x^5 at 1: 60.
    auto d1 = [](auto x) { return duet::derivative(duet::forward, [](auto t) { return pow(t, 5); }, x); };
    auto d2 = [&](auto x) { return duet::derivative(duet::forward, d1, x); };
    CHECK(duet::derivative(duet::forward, d2, 1.0) == 60.0);
}
