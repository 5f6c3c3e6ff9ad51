// Custom derivative rules (core/custom.hpp): duet::apply_rule with unary and
// binary rules, generic and double-only, in every mode: plain numbers,
// forward with 1 and N lanes, static reverse, the tape (direct and through
// the container drivers), and nested (derivative of a derivative, Hessians
// forward-over-forward and forward-over-reverse, dual<dual>), against
// analytic derivatives and central differences.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <numbers>
#include <type_traits>
#include <vector>

#include <duet/duet.hpp>

namespace {

// ---- rules ---------------------------------------------------------------------

// Double only: a call into the C++ special-function library, which duet
// cannot see into. Ei(x), Ei'(x) = e^x / x.
struct expint_rule {
    static double value(double x) { return std::expint(x); }
    static double derivative(double x, double) { return std::exp(x) / x; }
};

// Double only, binary: B(a, b) with partials B (psi(a) - psi(a + b)), ...
struct beta_rule {
    static double value(double a, double b) { return std::beta(a, b); }
    static double left(double a, double b, double y) { return y * (duet::digamma(a) - duet::digamma(a + b)); }
    static double right(double a, double b, double y) { return y * (duet::digamma(b) - duet::digamma(a + b)); }
};

// Ei again, nesting: value calls the C function on plain numbers and applies
// the rule itself one level down on duet numbers; the derivative is generic.
struct expint_any_order_rule {
    template <class T>
    static T value(const T& x) {
        if constexpr (std::is_floating_point_v<T>)
            return std::expint(x);
        else
            return T(duet::apply_rule(expint_any_order_rule{}, x));
    }
    template <class T>
    static T derivative(const T& x, const T&) {
        using std::exp;
        return T(exp(x) / x);
    }
};

// Generic: the standard normal CDF and its density.
struct normal_cdf_rule {
    template <class T>
    static T value(const T& x) {
        using std::erfc;
        return T(0.5 * erfc(-x * std::numbers::sqrt2 / 2));
    }
    template <class T>
    static T derivative(const T& x, const T&) {
        using std::exp;
        return T(std::numbers::inv_sqrtpi / std::numbers::sqrt2 * exp(-0.5 * x * x));
    }
};

// Generic, binary: log(e^a + e^b) without overflow; the partials reuse y.
struct logaddexp_rule {
    template <class T>
    static T value(const T& a, const T& b) {
        using std::abs;
        using std::exp;
        using std::log1p;
        const T m = a > b ? a : b;
        return T(m + log1p(exp(T(-abs(T(a - b))))));
    }
    template <class T>
    static T left(const T& a, const T&, const T& y) {
        using std::exp;
        return T(exp(T(a - y)));
    }
    template <class T>
    static T right(const T&, const T& b, const T& y) {
        using std::exp;
        return T(exp(T(b - y)));
    }
};

// Generic with state: log(x + c).
struct shifted_log_rule {
    double c;
    template <class T>
    T value(const T& x) const {
        using std::log;
        return T(log(T(x + c)));
    }
    template <class T>
    T derivative(const T& x, const T&) const {
        return T(1 / (x + c));
    }
};

// The user's functions: one line each, for plain numbers and duet numbers.
template <class X>
auto ei(const X& x) {
    return duet::apply_rule(expint_rule{}, x);
}
template <class A, class B>
auto beta(const A& a, const B& b) {
    return duet::apply_rule(beta_rule{}, a, b);
}
template <class X>
auto normal_cdf(const X& x) {
    return duet::apply_rule(normal_cdf_rule{}, x);
}
template <class A, class B>
auto logaddexp(const A& a, const B& b) {
    return duet::apply_rule(logaddexp_rule{}, a, b);
}

// ---- functions using them --------------------------------------------------------

// First-order functions (double-only rules inside): one expression, so that
// the static adjoint accepts them too.
const auto first_order = [](auto a, auto b) { return ei(a * b) * b + beta(a, b + 1.0) - 2.0 * ei(b) / a; };

// Generic rules only: differentiable to any order.
const auto smooth = [](auto a, auto b) {
    return normal_cdf(a * b) * logaddexp(a, 2.0 * b) + logaddexp(1.5, a) * b +
           duet::apply_rule(shifted_log_rule{2.0}, a * a) - normal_cdf(b) * a;
};

bool close(double a, double b, double tol) {
    return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

const double a0 = 1.3, b0 = 0.7;

}  // namespace

TEST_CASE("custom rules: plain numbers get the rule's value") {
    REQUIRE(ei(1.5) == std::expint(1.5));
    REQUIRE(beta(1.5, 2.5) == std::beta(1.5, 2.5));
    REQUIRE(normal_cdf(0.0) == 0.5);
    REQUIRE(close(logaddexp(1.0, 2.0), std::log(std::exp(1.0) + std::exp(2.0)), 1e-15));
    REQUIRE(close(logaddexp(1000.0, 1000.0), 1000.0 + std::log(2.0), 1e-15));  // no overflow
    REQUIRE(ei(2) == std::expint(2.0));  // integers computed as double
    static_assert(std::is_same_v<decltype(normal_cdf(1.0f)), float>);
}

TEST_CASE("custom rules: which number types a rule accepts (the concepts)") {
    using D = duet::dual<double>;
    using DD = duet::dual<duet::dual<double, 2>, 2>;
    STATIC_REQUIRE(duet::unary_rule_for<expint_rule, double>);
    STATIC_REQUIRE(duet::unary_rule_for<expint_rule, float>);
    STATIC_REQUIRE(!duet::unary_rule_for<expint_rule, D>);
    STATIC_REQUIRE(duet::binary_rule_for<beta_rule, double>);
    STATIC_REQUIRE(!duet::binary_rule_for<beta_rule, D>);
    STATIC_REQUIRE(duet::unary_rule_for<normal_cdf_rule, D>);
    STATIC_REQUIRE(duet::unary_rule_for<normal_cdf_rule, DD>);
    STATIC_REQUIRE(duet::binary_rule_for<logaddexp_rule, DD>);
    STATIC_REQUIRE(duet::unary_rule_for<shifted_log_rule, DD>);
    STATIC_REQUIRE(!duet::unary_rule_for<beta_rule, double>);   // binary, not unary
    STATIC_REQUIRE(!duet::binary_rule_for<expint_rule, double>);
}

TEST_CASE("custom rules: forward mode, 1 lane, against the analytic derivative") {
    const double x = 1.3;
    REQUIRE(close(duet::derivative(duet::forward, [](auto t) { return ei(t); }, x), std::exp(x) / x, 1e-15));
    const double phi = std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi);
    REQUIRE(close(duet::derivative(duet::forward, [](auto t) { return normal_cdf(t); }, x), phi, 1e-15));
    // A direct dual and a rule applied to an expression (chain rule).
    duet::dual<double> d{x, 1.0};
    duet::dual<double> y = ei(d * d);
    REQUIRE(y.value() == std::expint(x * x));
    REQUIRE(close(y.tangent(), std::exp(x * x) / (x * x) * 2 * x, 1e-15));
    // float numbers with a double-only rule
    const float xf = 1.3f;
    REQUIRE(close(duet::derivative(duet::forward, [](auto t) { return ei(t); }, xf), std::exp(1.3) / 1.3, 1e-6));
}

TEST_CASE("custom rules: forward N lanes = static reverse = central differences") {
    const auto fd1 = duet::fd::gradient(first_order, a0, b0, duet::fd::precise);
    const auto fd2 = duet::fd::gradient(smooth, a0, b0, duet::fd::precise);

    const auto g1f = duet::gradient(duet::forward, first_order, a0, b0);
    const auto g1r = duet::gradient(duet::reverse, first_order, a0, b0);
    const auto g2f = duet::gradient(duet::forward, smooth, a0, b0);
    const auto g2r = duet::gradient(duet::reverse, smooth, a0, b0);
    const auto [v1, g1a] = duet::value_and_gradient(first_order, a0, b0);
    REQUIRE(v1 == first_order(a0, b0));
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(close(g1f[i], fd1[i], 1e-10));
        CHECK(close(g1r[i], fd1[i], 1e-10));
        CHECK(close(g1a[i], g1f[i], 1e-15));
        CHECK(close(g1f[i], g1r[i], 1e-14));
        CHECK(close(g2f[i], fd2[i], 1e-10));
        CHECK(close(g2r[i], fd2[i], 1e-10));
        CHECK(close(g2f[i], g2r[i], 1e-14));
    }
    // Constants on either side of a binary rule: only the variable's partial.
    const auto h = [](auto a) { return logaddexp(a, 2.0) + logaddexp(0.5, a) + beta(3.0, a); };
    const double dh = duet::derivative(duet::forward, h, a0);
    CHECK(close(dh, duet::fd::derivative(h, a0, duet::fd::precise), 1e-10));
    CHECK(close(duet::gradient(duet::reverse, h, a0)[0], dh, 1e-14));
}

TEST_CASE("custom rules: the tape, direct and through the container drivers") {
    {
        duet::tape<double> t;
        duet::var<double> a = a0, b = b0;
        duet::var<double> y = first_order(a, b);
        duet::var<double> z = smooth(a, b);
        duet::var<double> s = y + z;
        t.backward(s);
        const auto fd1 = duet::fd::gradient(first_order, a0, b0, duet::fd::precise);
        const auto fd2 = duet::fd::gradient(smooth, a0, b0, duet::fd::precise);
        CHECK(close(a.adjoint(), fd1[0] + fd2[0], 1e-10));
        CHECK(close(b.adjoint(), fd1[1] + fd2[1], 1e-10));
    }
    // A loop over a vector, accumulating rule applications.
    const auto loop = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        T s = 0.0;
        for (std::size_t i = 0; i + 1 < x.size(); ++i) s += ei(x[i] * x[i + 1]) + logaddexp(x[i], x[i + 1]);
        return s;
    };
    const std::vector<double> x{0.4, 1.2, 0.9, 1.7, 0.6};
    const auto fd = duet::fd::gradient(loop, x, duet::fd::precise);
    const auto gr = duet::gradient(duet::reverse, loop, x);
    const auto gf = duet::gradient(duet::forward, loop, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
        CHECK(close(gr[i], fd[i], 1e-10));
        CHECK(close(gf[i], gr[i], 1e-14));
    }
    const auto vec = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        return std::vector<T>{T(ei(v[0] + v[1])), T(beta(v[1], v[2])), T(normal_cdf(v[0] * v[2]))};
    };
    const std::vector<double> p{0.8, 1.1, 1.9};
    const auto Jfd = duet::fd::jacobian(vec, p, duet::fd::precise);
    const auto Jr = duet::jacobian(duet::reverse, vec, p);
    const auto Jf = duet::jacobian(duet::forward, vec, p);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            CHECK(close(Jr(i, j), Jfd(i, j), 1e-10));
            CHECK(close(Jf(i, j), Jr(i, j), 1e-14));
        }
}

TEST_CASE("custom rules: generic rules nest (second derivatives) in every nesting") {
    // derivative of a derivative
    const auto f = [](auto t) { return normal_cdf(t * t) * logaddexp(t, 0.5) + duet::apply_rule(shifted_log_rule{1.0}, t); };
    const auto fpp = [&](double x) {
        return duet::derivative(duet::forward, [&](auto t) { return duet::derivative(duet::forward, f, t); }, x);
    };
    for (double x : {-0.8, 0.3, 1.4}) {
        const double fd2 = duet::fd::second_derivative(f, x, duet::fd::options{0.0, 2});
        CHECK(close(fpp(x), fd2, 1e-8));
        // forward over static reverse
        const double fr = duet::derivative(
            duet::forward, [&](auto t) { return duet::derivative(duet::reverse, f, t); }, x);
        CHECK(close(fr, fpp(x), 1e-13));
    }
    // dual<dual> directly: the second-order tangent of Phi is phi'(x) = -x phi(x)
    using D1 = duet::dual<double>;
    using D2 = duet::dual<D1>;
    const double x = 0.6;
    D2 t(D1(x, 1.0), D1(1.0, 0.0));
    D2 y = normal_cdf(t);
    const double phi = std::exp(-0.5 * x * x) / std::sqrt(2 * std::numbers::pi);
    CHECK(close(y.tangent().tangent(), -x * phi, 1e-15));
    CHECK(close(y.tangent().value(), phi, 1e-15));

    // Hessians of a vector function: forward-over-forward and forward-over-reverse (tape)
    const auto g = [](const auto& v) { return smooth(v[0], v[1]) * v[2] + logaddexp(v[2], v[0] * v[1]); };
    const std::vector<double> p{0.9, -0.4, 1.3};
    const auto Hfd = duet::fd::hessian(g, p, duet::fd::options{0.0, 2});
    const auto Hf = duet::hessian(duet::forward, g, p);
    const auto Hr = duet::hessian(duet::reverse, g, p);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            CHECK(close(Hf(i, j), Hfd(i, j), 1e-8));
            CHECK(close(Hr(i, j), Hf(i, j), 1e-13));
        }
}

TEST_CASE("custom rules: double-only rules compose with nested generic code at first order") {
    // A Hessian of a function whose double-only part enters linearly through a
    // constant: the rule is applied to plain numbers only, which is allowed.
    const auto g = [](const auto& v) { return v[0] * v[1] * ei(1.5) + normal_cdf(v[0]); };
    const std::vector<double> p{0.2, 0.8};
    const auto H = duet::hessian(g, p);
    CHECK(close(H(0, 1), std::expint(1.5), 1e-15));
}

TEST_CASE("custom rules: a C function made nestable by a rule that applies itself one level down") {
    STATIC_REQUIRE(duet::unary_rule_for<expint_any_order_rule, duet::dual<duet::dual<double>>>);
    const auto f = [](auto t) { return duet::apply_rule(expint_any_order_rule{}, t * t); };
    for (double x : {0.7, 1.6}) {
        // d/dx Ei(x^2) = 2 e^(x^2) / x, second derivative 2 e^(x^2) (2 - 1/x^2)
        const double e = std::exp(x * x);
        CHECK(close(duet::derivative(duet::reverse, f, x), 2 * e / x, 1e-14));
        const double second = duet::derivative([&](auto t) { return duet::derivative(f, t); }, x);
        CHECK(close(second, 2 * e * (2 - 1 / (x * x)), 1e-13));
    }
    const auto g = [](const auto& v) { return duet::apply_rule(expint_any_order_rule{}, v[0] * v[1]) + v[1]; };
    const std::vector<double> p{0.9, 1.3};
    const auto Hfd = duet::fd::hessian(g, p, duet::fd::options{0.0, 2});
    const auto Hr = duet::hessian(duet::reverse, g, p);
    const auto Hf = duet::hessian(duet::forward, g, p);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 2; ++j) {
            CHECK(close(Hr(i, j), Hfd(i, j), 1e-8));
            CHECK(close(Hf(i, j), Hr(i, j), 1e-13));
        }
}
