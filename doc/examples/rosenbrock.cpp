// Differentiating existing generic code: the Rosenbrock function, written
// once as a template, gives its value on doubles, its gradient on the tape
// (reverse) or on dual numbers (forward), and its Hessian
// (forward-over-reverse). See doc/tape.md.
#include <cmath>
#include <cstdio>
#include <vector>

#include <duet/duet.hpp>

// Ordinary generic code: loops, run-time size, accumulation.
template <class T>
T rosenbrock(const std::vector<T>& x) {
    using std::pow;  // pow for T = double; duet::pow is found by ADL for duet types
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i)
        s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2);
    return s;
}

int main() {
    const std::vector<double> x{-1.2, 1.0, 0.8, 1.5};
    const auto f = [](const auto& v) { return rosenbrock(v); };

    // 1. The gradient, in both modes and with the automatic choice.
    const std::vector<double> g = duet::gradient(f, x);
    const std::vector<double> gf = duet::gradient(duet::forward, f, x);
    const auto [value, gr] = duet::value_and_gradient(duet::reverse, f, x);

    // 2. The same by hand, with the tape: record, sweep, read.
    std::vector<double> gt;
    {
        duet::tape<double> tape;  // the active tape of this thread until it goes out of scope
        std::vector<duet::var<double>> xs(x.begin(), x.end());
        const duet::var<double> y = rosenbrock(xs);
        tape.backward(y);
        for (const auto& xi : xs) gt.push_back(xi.adjoint());
    }

    // 3. The Hessian (symmetric by construction).
    const auto H = duet::hessian(f, x);

    // Check against the analytic formulas.
    int failures = 0;
    auto expect = [&failures](const char* what, double got, double want) {
        if (std::abs(got - want) > 1e-12 * (1 + std::abs(want))) {
            std::printf("MISMATCH %s: %.17g, expected %.17g\n", what, got, want);
            ++failures;
        }
    };
    expect("value", value, rosenbrock(x));
    const std::size_t n = x.size();
    for (std::size_t i = 0; i < n; ++i) {
        double gi = 0;
        if (i + 1 < n) gi += -400 * (x[i + 1] - x[i] * x[i]) * x[i] - 2 * (1 - x[i]);
        if (i > 0) gi += 200 * (x[i] - x[i - 1] * x[i - 1]);
        expect("gradient (automatic)", g[i], gi);
        expect("gradient (forward)", gf[i], gi);
        expect("gradient (reverse)", gr[i], gi);
        expect("gradient (tape)", gt[i], gi);
        for (std::size_t j = 0; j < n; ++j) {
            double hij = 0;
            if (i == j) hij = (i + 1 < n ? 1200 * x[i] * x[i] - 400 * x[i + 1] + 2 : 0) + (i > 0 ? 200 : 0);
            if (j == i + 1) hij = -400 * x[i];
            if (i == j + 1) hij = -400 * x[j];
            expect("Hessian", H(i, j), hij);
        }
    }
    std::printf("f = %g, grad = [%g, %g, %g, %g], H(0,0) = %g: %s\n", value, g[0], g[1], g[2], g[3],
                H(0, 0), failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
