// Compiles against an installed duet found with
// find_package(duet CONFIG REQUIRED COMPONENTS core): numbers and containers,
// forward and reverse, the tape and a check, with no xtensor, BLAS or Boost.
#include <duet/scalar.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <vector>

namespace {

bool near(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b)); }

template <class T>
T rosenbrock(const std::vector<T>& x) {
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        const T a = x[i + 1] - x[i] * x[i];
        const T b = 1 - x[i];
        s += 100 * a * a + b * b;
    }
    return s;
}

}  // namespace

int main() {
    int failures = 0;
    auto expect = [&](bool ok, const char* what) {
        if (!ok) {
            std::printf("FAILED: %s\n", what);
            ++failures;
        }
    };

    // f: R -> R.
    const double d = duet::derivative([](auto t) { return sin(t) * t; }, 1.5);
    expect(near(d, std::cos(1.5) * 1.5 + std::sin(1.5)), "derivative");

    // A std::vector argument, reverse (tape) and forward (dual lanes).
    const auto rosen = [](const auto& x) { return rosenbrock(x); };
    const std::vector<double> x{-1.2, 1.0, 0.5};
    const std::vector<double> expected{-215.6, 112.0, -100.0};  // analytic gradient
    const std::vector<double> gr = duet::gradient(duet::reverse, rosen, x);
    const std::vector<double> gf = duet::gradient(duet::forward, rosen, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
        expect(near(gr[i], expected[i]), "reverse gradient of a vector");
        expect(near(gf[i], expected[i]), "forward gradient of a vector");
    }

    // The tape by hand: vars on the active tape, one reverse sweep.
    {
        duet::tape<double> tape;
        const duet::var<double> a = 2.0;
        const duet::var<double> b = 3.0;
        const duet::var<double> f = a * a * a * (a + 3 * b);  // 88, {140, 24}
        tape.backward(f);
        expect(near(f.value(), 88.0), "tape value");
        expect(near(a.adjoint(), 140.0) && near(b.adjoint(), 24.0), "tape gradient");
    }

    // The check: duet's gradient against central differences.
    expect(duet::check_gradient(rosen, x).ok, "check_gradient of a vector");

    return failures == 0 ? 0 : 1;
}
