// Tests for the finite-difference oracle (check/finite_difference.hpp and its
// tensor overloads, check/finite_difference_tensor.hpp):
// against analytic derivatives, for every argument kind, and for the accuracy
// each setting documents.
#include <catch2/catch.hpp>

#include <duet/check/finite_difference.hpp>
#include <duet/check/finite_difference_tensor.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>
#include <tuple>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace fd = duet::fd;

namespace {

double relative_error(double computed, double expected) {
    if (computed == expected) return 0.0;
    return std::abs(computed - expected) / std::max(std::abs(expected), 1e-300);
}

// max |a - b| / max(1, max |b|) over two equally shaped sequences.
template <class A, class B>
double scaled_max_error(const A& computed, const B& expected) {
    double largest = 1.0;
    double worst = 0.0;
    for (std::size_t i = 0; i < std::size(expected); ++i) largest = std::max(largest, std::abs(expected[i]));
    for (std::size_t i = 0; i < std::size(expected); ++i)
        worst = std::max(worst, std::abs(computed[i] - expected[i]) / largest);
    return worst;
}

double matrix_error(const xt::xtensor<double, 2>& computed, const xt::xtensor<double, 2>& expected) {
    REQUIRE(computed.shape() == expected.shape());
    double largest = 1.0;
    for (double v : expected) largest = std::max(largest, std::abs(v));
    double worst = 0.0;
    for (std::size_t i = 0; i < expected.size(); ++i)
        worst = std::max(worst, std::abs(computed.data()[i] - expected.data()[i]) / largest);
    return worst;
}

// Rosenbrock, generic over the container, and its analytic derivatives.
auto rosenbrock = [](const auto& x) {
    double s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        const double a = x[i + 1] - x[i] * x[i];
        const double b = 1 - x[i];
        s += 100 * a * a + b * b;
    }
    return s;
};

std::vector<double> rosenbrock_gradient(const std::vector<double>& x) {
    std::vector<double> g(x.size(), 0.0);
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        const double a = x[i + 1] - x[i] * x[i];
        g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
        g[i + 1] += 200 * a;
    }
    return g;
}

xt::xtensor<double, 2> rosenbrock_hessian(const std::vector<double>& x) {
    const std::size_t n = x.size();
    xt::xtensor<double, 2> h = xt::zeros<double>({n, n});
    for (std::size_t i = 0; i + 1 < n; ++i) {
        h(i, i) += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
        h(i, i + 1) += -400 * x[i];
        h(i + 1, i) += -400 * x[i];
        h(i + 1, i + 1) += 200;
    }
    return h;
}

std::vector<double> rosenbrock_point(std::size_t n) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 0.3 + 0.17 * static_cast<double>(i) * (i % 2 ? -1 : 1);
    return x;
}

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

}  // namespace

TEST_CASE("derivative of polynomials", "[fd]") {
    auto cubic = [](double x) { return x * x * x - 2 * x * x + 5; };
    auto cubic_prime = [](double x) { return 3 * x * x - 4 * x; };
    for (double x : {-3.0, -0.5, 0.0, 0.7, 2.0, 40.0}) {
        INFO("x = " << x);
        // Rounding errors scale with |f| / h, truncation with the derivatives.
        const double scale = std::max({1.0, std::abs(cubic(x)), std::abs(cubic_prime(x))});
        // Plain: the truncation error is exactly f''' h² / 6 = h², h ~ 6e-6 max(1, |x|).
        const double plain = std::abs(fd::derivative(cubic, x) - cubic_prime(x));
        CHECK(plain <= 1e-9 * scale * std::max(1.0, x * x));
        // Richardson removes the h² term: exact up to rounding.
        const double level1 = std::abs(fd::derivative(cubic, x, {.richardson_levels = 1}) - cubic_prime(x));
        const double precise = std::abs(fd::derivative(cubic, x, fd::precise) - cubic_prime(x));
        INFO("plain " << plain << ", L = 1 " << level1 << ", precise " << precise);
        CHECK(level1 <= 1e-12 * scale);
        CHECK(precise <= 1e-13 * scale);
    }
    // Linear functions are exact: the quotient divides by the step realised.
    auto identity = [](double x) { return x; };
    for (double x : {0.1, 1e6 + 0.3, -123.456, 1e-300}) {
        CHECK(fd::derivative(identity, x) == 1.0);
        CHECK(fd::derivative(identity, x, fd::precise) == 1.0);
    }
}

TEST_CASE("derivative of sin and exp, plain and extrapolated", "[fd]") {
    for (double x : {-2.0, 0.0, 0.5, 1.0, 3.0, 10.0}) {
        INFO("x = " << x);
        CHECK(std::abs(fd::derivative([](double t) { return std::sin(t); }, x) - std::cos(x)) <= 1e-9);
        CHECK(std::abs(fd::derivative([](double t) { return std::sin(t); }, x, fd::precise) - std::cos(x)) <=
              1e-13);
        CHECK(relative_error(fd::derivative([](double t) { return std::exp(t); }, x), std::exp(x)) <= 1e-9);
        CHECK(relative_error(fd::derivative([](double t) { return std::exp(t); }, x, fd::precise),
                             std::exp(x)) <= 1e-13);
    }
}

TEST_CASE("Richardson extrapolation beats plain central differences", "[fd]") {
    auto exp = [](double t) { return std::exp(t); };
    const double exact = std::exp(1.0);
    const double plain = relative_error(fd::derivative(exp, 1.0), exact);
    const double level1 = relative_error(fd::derivative(exp, 1.0, {.richardson_levels = 1}), exact);
    const double level3 = relative_error(fd::derivative(exp, 1.0, fd::precise), exact);
    INFO("plain " << plain << ", L = 1 " << level1 << ", L = 3 " << level3);
    CHECK(plain > 1e-12);  // O(h²) with h ~ 6e-6: ~1e-11
    CHECK(plain < 1e-9);
    CHECK(level1 < plain);
    CHECK(level3 < plain);
    CHECK(level3 <= 1e-13);

    // Second derivatives likewise.
    const double plain2 = relative_error(fd::second_derivative(exp, 1.0), exact);
    const double precise2 = relative_error(fd::second_derivative(exp, 1.0, fd::precise), exact);
    INFO("second: plain " << plain2 << ", precise " << precise2);
    CHECK(plain2 < 1e-6);
    CHECK(precise2 < plain2);
    CHECK(precise2 < 1e-10);
}

TEST_CASE("relative_step is honoured", "[fd]") {
    auto exp = [](double t) { return std::exp(t); };
    // h = 1e-2: truncation error h²/6 relative, 1.7e-5.
    const double error = relative_error(fd::derivative(exp, 1.0, {.relative_step = 1e-2}), std::exp(1.0));
    CHECK(error == Approx(1e-4 / 6).epsilon(0.01));
}

TEST_CASE("second derivative", "[fd]") {
    auto quartic = [](double x) { return x * x * x * x - x; };
    for (double x : {-1.5, 0.0, 0.5, 2.0}) {
        INFO("x = " << x);
        const double exact = 12 * x * x;
        CHECK(std::abs(fd::second_derivative(quartic, x) - exact) <= 1e-6 * std::max(1.0, exact));
        CHECK(std::abs(fd::second_derivative(quartic, x, fd::precise) - exact) <= 1e-9 * std::max(1.0, exact));
    }
}

TEST_CASE("gradient of scalar arguments: worked examples", "[fd]") {
    // Example 1: F(x, y) = x³(x + 3y) at (2, 3): ∇F = (140, 24).
    auto F = [](double x, double y) { return x * x * x * (x + 3 * y); };
    const std::array<double, 2> g = fd::gradient(F, 2.0, 3.0);
    CHECK(relative_error(g[0], 140) <= 1e-9);
    CHECK(relative_error(g[1], 24) <= 1e-9);
    const std::array<double, 2> gp = fd::gradient(F, 2.0, 3.0, fd::precise);
    CHECK(relative_error(gp[0], 140) <= 1e-13);
    CHECK(relative_error(gp[1], 24) <= 1e-13);

    // Example 3: y = exp(xz) + xz/log(x) + sin(log(x))/(xz) at x = 2, z = 3.
    auto y = [](double x, double z) {
        return std::exp(x * z) + x * z / std::log(x) + std::sin(std::log(x)) / (x * z);
    };
    const double x = 2, z = 3;
    const double dx = z * std::exp(x * z) + z / std::log(x) - z / (std::log(x) * std::log(x)) +
                      std::cos(std::log(x)) / (x * x * z) - std::sin(std::log(x)) / (x * x * z);
    const double dz = x * std::exp(x * z) + x / std::log(x) - std::sin(std::log(x)) / (x * z * z);
    CHECK(y(x, z) == Approx(412.19146).margin(1e-5));
    CHECK(dx == Approx(1208.38122).margin(1e-5));
    CHECK(dz == Approx(809.70748).margin(1e-5));
    const auto gy = fd::gradient(y, x, z, fd::precise);
    CHECK(relative_error(gy[0], dx) <= 1e-12);
    CHECK(relative_error(gy[1], dz) <= 1e-12);

    // One argument, three arguments, integer arguments converted to double.
    const std::array<double, 1> g1 = fd::gradient([](double t) { return t * t; }, 3.0);
    CHECK(relative_error(g1[0], 6) <= 1e-9);
    const std::array<double, 3> g3 = fd::gradient([](double a, double b, double c) { return a * b * c; }, 1, 2, 3);
    CHECK(scaled_max_error(g3, std::array<double, 3>{6, 3, 2}) <= 1e-9);
}

TEST_CASE("Rosenbrock gradient for n = 2..10, vector and array", "[fd]") {
    for (std::size_t n = 2; n <= 10; ++n) {
        INFO("n = " << n);
        const std::vector<double> x = rosenbrock_point(n);
        const std::vector<double> exact = rosenbrock_gradient(x);
        const std::vector<double> plain = fd::gradient(rosenbrock, x);
        REQUIRE(plain.size() == n);
        const std::vector<double> precise = fd::gradient(rosenbrock, x, fd::precise);
        const double plain_error = scaled_max_error(plain, exact);
        const double precise_error = scaled_max_error(precise, exact);
        INFO("f = " << rosenbrock(x) << ", plain " << plain_error << ", precise " << precise_error);
        CHECK(plain_error <= 2e-9);  // f''' = 2400 x_i makes the h² term ~5e-10
        CHECK(precise_error <= 5e-13);  // rounding of f (~|f| eps / h) dominates
    }
    const std::array<double, 4> xa{-1.2, 1.0, 0.5, 2.0};
    const std::array<double, 4> ga = fd::gradient(rosenbrock, xa, fd::precise);
    CHECK(scaled_max_error(ga, rosenbrock_gradient({xa.begin(), xa.end()})) <= 5e-13);
}

TEST_CASE("Rosenbrock Hessian for n = 2..10, exactly symmetric", "[fd]") {
    for (std::size_t n = 2; n <= 10; ++n) {
        INFO("n = " << n);
        const std::vector<double> x = rosenbrock_point(n);
        const xt::xtensor<double, 2> exact = rosenbrock_hessian(x);
        const xt::xtensor<double, 2> plain = fd::hessian(rosenbrock, x);
        const xt::xtensor<double, 2> precise = fd::hessian(rosenbrock, x, fd::precise);
        const double plain_error = matrix_error(plain, exact);
        const double precise_error = matrix_error(precise, exact);
        INFO("f = " << rosenbrock(x) << ", plain " << plain_error << ", precise " << precise_error);
        CHECK(plain_error <= 1e-7);
        CHECK(precise_error <= 1e-10);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                CHECK(plain(i, j) == plain(j, i));
                CHECK(precise(i, j) == precise(j, i));
            }
    }
}

TEST_CASE("Hessian of a quadratic form and of a non-polynomial", "[fd]") {
    // f = ½ xᵀAx + bᵀx with a non-symmetric A: H = (A + Aᵀ)/2.
    const xt::xtensor<double, 2> A = {{4, 1, -2}, {3, 5, 0.5}, {0, -1, 2}};
    const std::array<double, 3> b{1, -2, 0.5};
    auto quadratic = [&](const std::array<double, 3>& x) {
        double s = 0;
        for (std::size_t i = 0; i < 3; ++i) {
            s += b[i] * x[i];
            for (std::size_t j = 0; j < 3; ++j) s += 0.5 * x[i] * A(i, j) * x[j];
        }
        return s;
    };
    const xt::xtensor<double, 2> H = fd::hessian(quadratic, std::array<double, 3>{0.3, -1.1, 2.0});
    const xt::xtensor<double, 2> symmetric_part = (A + xt::transpose(A)) / 2;
    CHECK(matrix_error(H, symmetric_part) <= 1e-8);

    // f = exp(x0 x1) + sin(x2) x0.
    auto f = [](const std::vector<double>& x) { return std::exp(x[0] * x[1]) + std::sin(x[2]) * x[0]; };
    const std::vector<double> x{0.4, -0.7, 1.2};
    const double e = std::exp(x[0] * x[1]);
    const xt::xtensor<double, 2> exact = {
        {x[1] * x[1] * e, e * (1 + x[0] * x[1]), std::cos(x[2])},
        {e * (1 + x[0] * x[1]), x[0] * x[0] * e, 0},
        {std::cos(x[2]), 0, -std::sin(x[2]) * x[0]}};
    const double plain_error = matrix_error(fd::hessian(f, x), exact);
    const double precise_error = matrix_error(fd::hessian(f, x, fd::precise), exact);
    INFO("plain " << plain_error << ", precise " << precise_error);
    CHECK(plain_error <= 1e-7);
    CHECK(precise_error <= 1e-10);
}

TEST_CASE("Jacobian of a vector function, m x n, row i = output i", "[fd]") {
    auto f = [](const std::vector<double>& x) {
        return std::vector<double>{x[0] * x[1], std::sin(x[0]) + x[2] * x[2], std::exp(x[1] * x[2]),
                                   x[0] - 2 * x[1]};
    };
    const std::vector<double> x{0.5, -1.5, 0.8};
    const double e = std::exp(x[1] * x[2]);
    const xt::xtensor<double, 2> exact = {{x[1], x[0], 0},
                                          {std::cos(x[0]), 0, 2 * x[2]},
                                          {0, x[2] * e, x[1] * e},
                                          {1, -2, 0}};
    const xt::xtensor<double, 2> J = fd::jacobian(f, x);
    REQUIRE(J.shape()[0] == 4);
    REQUIRE(J.shape()[1] == 3);
    CHECK(matrix_error(J, exact) <= 1e-9);
    CHECK(matrix_error(fd::jacobian(f, x, fd::precise), exact) <= 1e-13);

    // std::array in and out.
    auto g = [](const std::array<double, 2>& v) { return std::array<double, 2>{v[0] * v[0], v[0] * v[1]}; };
    const xt::xtensor<double, 2> Jg = fd::jacobian(g, std::array<double, 2>{3, 4});
    CHECK(matrix_error(Jg, xt::xtensor<double, 2>{{6, 0}, {4, 3}}) <= 1e-9);

    // A scalar function: a 1 x n Jacobian equal to the gradient.
    const std::vector<double> xr = rosenbrock_point(5);
    const xt::xtensor<double, 2> Jr = fd::jacobian(rosenbrock, xr, fd::precise);
    REQUIRE(Jr.shape()[0] == 1);
    REQUIRE(Jr.shape()[1] == 5);
    CHECK(scaled_max_error(Jr, rosenbrock_gradient(xr)) <= 1e-13);

    // An xtensor-valued function is flattened row-major.
    auto t = [](const std::vector<double>& v) {
        xt::xtensor<double, 2> out = {{v[0], 2 * v[1]}, {3 * v[0], v[0] * v[1]}};
        return out;
    };
    const xt::xtensor<double, 2> Jt = fd::jacobian(t, std::vector<double>{1.5, 2.0});
    CHECK(matrix_error(Jt, xt::xtensor<double, 2>{{1, 0}, {0, 2}, {3, 0}, {2.0, 1.5}}) <= 1e-9);
}

TEST_CASE("tensor gradients keep the argument's shape", "[fd]") {
    // s(W) = Σ W² / 2: ∂s/∂W = W, in W's shape.
    xt::xtensor<double, 2> W = {{1.0, -2.0, 0.5}, {3.0, 0.25, -1.5}};
    auto half_square = [](const xt::xtensor<double, 2>& M) {
        double s = 0;
        for (double v : M) s += v * v;
        return s / 2;
    };
    const xt::xtensor<double, 2> gW = fd::gradient(half_square, W);
    CHECK(gW.shape() == W.shape());
    CHECK(matrix_error(gW, W) <= 1e-9);

    // Rank 3.
    xt::xtensor<double, 3> T = xt::zeros<double>({2, 3, 4});
    for (std::size_t i = 0; i < T.size(); ++i) T.data()[i] = 0.1 * static_cast<double>(i) - 1;
    auto cubes = [](const xt::xtensor<double, 3>& M) {
        double s = 0;
        for (double v : M) s += v * v * v;
        return s;
    };
    const xt::xtensor<double, 3> gT = fd::gradient(cubes, T, fd::precise);
    CHECK(gT.shape() == T.shape());
    // f sums 24 cubes of size up to 2.2: its rounding error bounds the accuracy.
    for (std::size_t i = 0; i < T.size(); ++i)
        CHECK(std::abs(gT.data()[i] - 3 * T.data()[i] * T.data()[i]) <= 1e-11);

    // Jacobian and Hessian with respect to a tensor use the row-major flattening.
    auto picks = [](const xt::xtensor<double, 2>& M) { return std::vector<double>{M(0, 1), M(1, 0) * M(0, 0)}; };
    const xt::xtensor<double, 2> J = fd::jacobian(picks, W);
    REQUIRE(J.shape()[0] == 2);
    REQUIRE(J.shape()[1] == W.size());
    xt::xtensor<double, 2> expected = xt::zeros<double>({std::size_t{2}, W.size()});
    expected(0, 1) = 1;
    expected(1, 0) = W(1, 0);
    expected(1, 3) = W(0, 0);
    CHECK(matrix_error(J, expected) <= 1e-9);
    const xt::xtensor<double, 2> H = fd::hessian(half_square, W);
    CHECK(matrix_error(H, xt::eye<double>(W.size())) <= 1e-7);
}

TEST_CASE("several tensors: a tuple of shape-convention gradients (window classifier)", "[fd]") {
    // s = uᵀ σ(W x + b); δ = u ∘ σ'(z): ∂s/∂W = δ xᵀ, ∂s/∂b = δ, ∂s/∂u = h, ∂s/∂x = Wᵀ δ.
    const xt::xtensor<double, 2> W = {{0.2, -0.5, 0.1, 0.7}, {-0.3, 0.4, 0.9, -0.2}, {0.6, 0.1, -0.8, 0.3}};
    const xt::xtensor<double, 1> b = {0.1, -0.2, 0.05};
    const xt::xtensor<double, 1> u = {1.5, -0.7, 0.4};
    const xt::xtensor<double, 1> x = {0.3, -1.2, 0.8, 0.5};
    auto s = [](const xt::xtensor<double, 2>& W_, const xt::xtensor<double, 1>& b_,
                const xt::xtensor<double, 1>& u_, const xt::xtensor<double, 1>& x_) {
        double total = 0;
        for (std::size_t i = 0; i < W_.shape()[0]; ++i) {
            double z = b_(i);
            for (std::size_t j = 0; j < W_.shape()[1]; ++j) z += W_(i, j) * x_(j);
            total += u_(i) * sigmoid(z);
        }
        return total;
    };
    auto [gW, gb, gu, gx] = fd::gradient(s, W, b, u, x, fd::precise);
    CHECK(gW.shape() == W.shape());
    CHECK(gb.shape() == b.shape());
    CHECK(gu.shape() == u.shape());
    CHECK(gx.shape() == x.shape());

    for (std::size_t i = 0; i < 3; ++i) {
        double z = b(i);
        for (std::size_t j = 0; j < 4; ++j) z += W(i, j) * x(j);
        const double h = sigmoid(z);
        const double delta = u(i) * h * (1 - h);
        CHECK(std::abs(gb(i) - delta) <= 1e-12);
        CHECK(std::abs(gu(i) - h) <= 1e-12);
        for (std::size_t j = 0; j < 4; ++j) CHECK(std::abs(gW(i, j) - delta * x(j)) <= 1e-12);
    }
    for (std::size_t j = 0; j < 4; ++j) {
        double expected = 0;
        for (std::size_t i = 0; i < 3; ++i) {
            double z = b(i);
            for (std::size_t k = 0; k < 4; ++k) z += W(i, k) * x(k);
            expected += W(i, j) * u(i) * sigmoid(z) * (1 - sigmoid(z));
        }
        CHECK(std::abs(gx(j) - expected) <= 1e-12);
    }

    // Default options, two arguments; the arguments are left untouched.
    const xt::xtensor<double, 2> W_before = W;
    auto [gW2, gx2] = fd::gradient([&](const auto& W_, const auto& x_) { return s(W_, b, u, x_); }, W, x);
    CHECK(matrix_error(gW2, gW) <= 1e-9);
    CHECK(gx2.shape() == x.shape());
    CHECK(W == W_before);
}

TEST_CASE("NaN and infinity propagate", "[fd]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    auto exp = [](double t) { return std::exp(t); };
    CHECK(std::isnan(fd::derivative(exp, nan)));
    CHECK(std::isnan(fd::derivative(exp, nan, fd::precise)));
    CHECK(std::isnan(fd::derivative([](double t) { return t; }, inf)));
    CHECK(std::isnan(fd::second_derivative(exp, nan)));
    const std::vector<double> g = fd::gradient(rosenbrock, std::vector<double>{1.0, nan, 2.0});
    CHECK(std::isnan(g[1]));
    const auto gs = fd::gradient([](double a, double b) { return a * b; }, nan, 2.0);
    CHECK(std::isnan(gs[0]));
    CHECK(std::isnan(gs[1]));
    const xt::xtensor<double, 2> H = fd::hessian(rosenbrock, std::vector<double>{nan, 1.0});
    CHECK(std::isnan(H(0, 0)));
    CHECK(std::isnan(H(0, 1)));
}

TEST_CASE("empty arguments give empty results", "[fd]") {
    auto constant = [](const std::vector<double>&) { return 1.0; };
    CHECK(fd::gradient(constant, std::vector<double>{}).empty());
    CHECK(fd::hessian(constant, std::vector<double>{}).size() == 0);
    const xt::xtensor<double, 2> J =
        fd::jacobian([](const std::vector<double>&) { return std::vector<double>{1.0, 2.0}; },
                     std::vector<double>{});
    CHECK(J.shape()[0] == 2);
    CHECK(J.shape()[1] == 0);
}

namespace {
struct sum_elements {
    template <class C>
    double operator()(const C& x) const {
        double s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) s += x[i];
        return s;
    }
};
template <class C>
constexpr bool has_container_gradient = requires(const C& c) { fd::gradient(sum_elements{}, c); };
}  // namespace

TEST_CASE("argument kinds are recognised at compile time", "[fd]") {
    const sum_elements sum;
    static_assert(std::is_same_v<decltype(fd::gradient(sum, std::vector<double>{})), std::vector<double>>);
    static_assert(std::is_same_v<decltype(fd::gradient(sum, std::array<double, 3>{})), std::array<double, 3>>);
    auto two = [](double a, double b) { return a * b; };
    static_assert(std::is_same_v<decltype(fd::gradient(two, 1.0, 2.0)), std::array<double, 2>>);
    static_assert(std::is_same_v<decltype(fd::gradient(two, 1.0, 2.0, fd::precise)), std::array<double, 2>>);
    auto tensor_sum = [](const xt::xtensor<double, 2>& a, const xt::xtensor<double, 1>& b) {
        return double(a(0, 0) + b(0));
    };
    using pair = std::tuple<xt::xtensor<double, 2>, xt::xtensor<double, 1>>;
    static_assert(std::is_same_v<decltype(fd::gradient(tensor_sum, xt::xtensor<double, 2>{},
                                                       xt::xtensor<double, 1>{})),
                                 pair>);
    // Owning containers are accepted; a view is not (it would be written through).
    static_assert(has_container_gradient<std::vector<double>>);
    static_assert(has_container_gradient<std::array<double, 2>>);
    static_assert(!has_container_gradient<std::span<double>>);
    SUCCEED("checked at compile time");
}
