// doc/getting_started.md, compiled and run by the tests: the worked examples
// of the design document through the scalar drivers.
#include <cmath>
#include <cstdio>

#include <duet/duet.hpp>

int main() {
    int failures = 0;
    auto expect = [&](bool ok, const char* what) {
        if (!ok) {
            std::printf("FAILED: %s\n", what);
            ++failures;
        }
    };

    // 1. F(x, y) = x^3 (x + 3y) at (2, 3): F = 88, dF/dx = 140, dF/dy = 24.
    auto F = [](auto x, auto y) { return x * x * x * (x + 3 * y); };
    std::array<double, 2> g = duet::gradient(F, 2.0, 3.0);  // automatic mode
    std::array<double, 2> gf = duet::gradient(duet::forward, F, 2.0, 3.0);
    std::array<double, 2> gr = duet::gradient(duet::reverse, F, 2.0, 3.0);
    auto [v, g2] = duet::value_and_gradient(F, 2.0, 3.0);
    std::printf("F = %g, grad F = (%g, %g)\n", v, g[0], g[1]);
    expect(v == 88 && g == std::array<double, 2>{140, 24} && gf == g && gr == g && g2 == g, "example 1");

    // 2. f(x, y, z) = (x + y) max(y, z) at (1, 2, 0): f = 6, grad f = (2, 5, 0).
    //    + distributes the adjoint, max routes it, * swaps the operands.
    auto f = [](auto x, auto y, auto z) { return (x + y) * duet::max(y, z); };
    auto [fv, fg] = duet::value_and_gradient(duet::reverse, f, 1.0, 2.0, 0.0);
    std::printf("f = %g, grad f = (%g, %g, %g)\n", fv, fg[0], fg[1], fg[2]);
    expect(fv == 6 && fg == std::array<double, 3>{2, 5, 0}, "example 2");

    // 3. y = exp(xz) + xz / log(x) + sin(log(x)) / (xz) at x = 2, z = 3.
    auto y = [](auto x, auto z) { return exp(x * z) + x * z / log(x) + sin(log(x)) / (x * z); };
    auto [yv, yg] = duet::value_and_gradient(duet::reverse, y, 2.0, 3.0);
    std::printf("y = %.5f, dy/dx = %.5f, dy/dz = %.5f\n", yv, yg[0], yg[1]);
    expect(std::abs(yv - 412.19146) < 5e-6 && std::abs(yg[0] - 1208.38122) < 5e-6 &&
               std::abs(yg[1] - 809.70748) < 5e-6,
           "example 3");

    // f: R -> R.
    double d = duet::derivative([](auto t) { return sin(t) * t; }, 1.5);
    expect(std::abs(d - (std::cos(1.5) * 1.5 + std::sin(1.5))) < 1e-15, "derivative");

    // Dual numbers directly: value and tangent; N lanes = N directions.
    duet::dual<double> x{2.0, 1.0};
    duet::dual<double> s = x * sin(x);
    std::printf("x sin x at 2: %g, derivative %g\n", s.value(), s.tangent());
    duet::dual<double, 2> a{1.0, {1.0, 0.0}}, b{3.0, {0.0, 1.0}};
    duet::dual<double, 2> h = hypot(a, b);
    expect(std::abs(h.tangent(0) - 1 / std::sqrt(10.0)) < 1e-15 && std::abs(h.tangent(1) - 3 / std::sqrt(10.0)) < 1e-15,
           "two lanes");

    // Second derivatives: nest the drivers (forward over reverse).
    auto d2 = duet::derivative([](auto t) { return duet::derivative(duet::reverse, [](auto u) { return u * u * u; }, t); }, 2.0);
    expect(d2 == 12.0, "second derivative");

    return failures == 0 ? 0 : 1;
}
