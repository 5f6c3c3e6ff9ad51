// doc/custom_rules.md: your own scalar function with its value and partials,
// in every mode.
#include <duet/duet.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

// A function duet cannot see into: the exponential integral from the C++
// special-function library. Written for double only: first derivatives.
struct expint_rule {
    static double value(double x) { return std::expint(x); }
    static double derivative(double x, double /*y = Ei(x)*/) { return std::exp(x) / x; }
};

// A binary one, also double only: the beta function, whose partials reuse
// its value y.
struct beta_rule {
    static double value(double a, double b) { return std::beta(a, b); }
    static double left(double a, double b, double y) { return y * (duet::digamma(a) - duet::digamma(a + b)); }
    static double right(double a, double b, double y) { return y * (duet::digamma(b) - duet::digamma(a + b)); }
};

// A generic rule (templates on the number type, written with duet's
// functions): works in every mode, second derivatives included. softplus
// with a sharpness parameter k: log(1 + e^(k x)) / k, derivative sigmoid(k x).
struct soft_relu_rule {
    double k;
    template <class T>
    T value(const T& x) const {
        using duet::softplus;
        return T(softplus(T(k * x)) / k);
    }
    template <class T>
    T derivative(const T& x, const T& /*y*/) const {
        using duet::sigmoid;
        return T(sigmoid(T(k * x)));
    }
};

// The functions the user's code calls: plain numbers and duet numbers alike.
template <class X>
auto ei(const X& x) {
    return duet::apply_rule(expint_rule{}, x);
}
template <class A, class B>
auto beta(const A& a, const B& b) {
    return duet::apply_rule(beta_rule{}, a, b);
}
template <class X>
auto soft_relu(const X& x, double k) {
    return duet::apply_rule(soft_relu_rule{k}, x);
}

int main() {
    int failures = 0;
    auto check = [&](double got, double want, double tol, const char* what) {
        if (!(std::abs(got - want) <= tol * std::max(1.0, std::abs(want)))) {
            std::printf("FAILED: %s: %.17g, want %.17g\n", what, got, want);
            ++failures;
        }
    };

    // First derivatives with double-only rules: forward, static reverse, tape.
    auto f = [](auto a, auto b) { return ei(a * b) + beta(a, b) * b; };
    const auto gf = duet::gradient(duet::forward, f, 1.2, 0.8);
    const auto gr = duet::gradient(duet::reverse, f, 1.2, 0.8);
    const auto gfd = duet::fd::gradient(f, 1.2, 0.8, duet::fd::precise);  // central differences
    for (int i = 0; i < 2; ++i) {
        check(gf[i], gfd[i], 1e-10, "forward gradient");
        check(gr[i], gfd[i], 1e-10, "static reverse gradient");
    }
    {
        duet::tape<double> tape;
        duet::var<double> a = 1.2, b = 0.8;
        duet::var<double> y = f(a, b);
        tape.backward(y);
        check(a.adjoint(), gfd[0], 1e-10, "tape, d/da");
        check(b.adjoint(), gfd[1], 1e-10, "tape, d/db");
    }

    // Generic rules nest: a Hessian (forward over reverse on the tape) and a
    // derivative of a derivative.
    auto g = [](const auto& x) { return soft_relu(x[0] * x[1], 4.0) + soft_relu(x[1] - x[2], 2.0) * x[0]; };
    const std::vector<double> x{0.3, -0.2, 0.5};
    const auto H = duet::hessian(g, x);
    const auto Hfd = duet::fd::hessian(g, x, duet::fd::options{0.0, 2});
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) check(H(i, j), Hfd(i, j), 1e-7, "Hessian");

    auto h = [](auto t) { return soft_relu(t, 3.0); };
    const double second = duet::derivative([&](auto t) { return duet::derivative(h, t); }, 0.25);
    const double s = 1 / (1 + std::exp(-0.75));
    check(second, 3.0 * s * (1 - s), 1e-14, "second derivative");

    std::printf("gradient of ei(a b) + B(a, b) b at (1.2, 0.8): %.12f %.12f\n", gr[0], gr[1]);
    std::printf("soft_relu''(0.25) with k = 3: %.12f\n", second);
    return failures == 0 ? 0 : 1;
}
