// Container drivers: gradient, value_and_gradient, jacobian, hessian, jvp,
// vjp in every mode, against analytic derivatives and each other; threads;
// size errors.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <duet/duet.hpp>

#include "../support/rosenbrock.hpp"

namespace {

bool close(double a, double b, double tol) {
    return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

// ---- Rosenbrock and its analytic derivatives --------------------------------

const auto rosen = [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i)
        s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2);
    return s;
};

using duet_test::rosenbrock_gradient;
using duet_test::rosenbrock_hessian;

std::vector<double> point(std::size_t n, double shift = 0.0) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 0.5 + 0.4 * std::sin(1.3 * double(i) + shift);
    return x;
}

// ---- a vector function R^n -> R^m with a known Jacobian ---------------------
// y_i = sin(s_i) * x_{i mod n},   s_i = sum_j a_ij x_j,   a_ij = 1 / (1 + i + 2j)

double coefficient(std::size_t i, std::size_t j) { return 1.0 / double(1 + i + 2 * j); }

template <class T>
T weighted_sum(const std::vector<T>& x, std::size_t i) {  // a helper template
    T s = 0.0;
    for (std::size_t j = 0; j < x.size(); ++j) s += coefficient(i, j) * x[j];
    return s;
}

struct vector_function {
    std::size_t m;
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::sin;
        std::vector<T> y;
        for (std::size_t i = 0; i < m; ++i) y.push_back(sin(weighted_sum(x, i)) * x[i % x.size()]);
        return y;
    }
};

xt::xtensor<double, 2> analytic_jacobian(const std::vector<double>& x, std::size_t m) {
    const std::size_t n = x.size();
    auto J = xt::xtensor<double, 2>::from_shape({m, n});
    for (std::size_t i = 0; i < m; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < n; ++j) s += coefficient(i, j) * x[j];
        for (std::size_t j = 0; j < n; ++j)
            J(i, j) = std::cos(s) * coefficient(i, j) * x[i % n] + (j == i % n ? std::sin(s) : 0.0);
    }
    return J;
}

}  // namespace

TEST_CASE("container: Rosenbrock gradient in every mode, n = 2 .. 1000") {
    for (std::size_t n : {2, 3, 5, 8, 9, 17, 100, 1000}) {
        const auto x = point(n);
        const auto expected = rosenbrock_gradient(x);
        const auto gr = duet::gradient(duet::reverse, rosen, x);
        const auto gf = duet::gradient(duet::forward, rosen, x);
        const auto ga = duet::gradient(rosen, x);
        auto [value, gv] = duet::value_and_gradient(duet::reverse, rosen, x);
        static_assert(std::is_same_v<decltype(gr), const std::vector<double>>);
        CHECK(value == Approx(rosen(x)).epsilon(1e-14));
        for (std::size_t i = 0; i < n; ++i) {
            INFO("n = " << n << ", i = " << i);
            CHECK(close(gr[i], expected[i], 1e-13));
            CHECK(close(gf[i], expected[i], 1e-13));
            CHECK((ga[i] == gr[i] || ga[i] == gf[i]));  // automatic: one of the two
            CHECK(gv[i] == gr[i]);
        }
    }
}

TEST_CASE("container: Rosenbrock Hessian, forward-over-reverse and forward-over-forward") {
    for (std::size_t n : {2, 3, 5, 9, 17, 100, 1000}) {
        const auto x = point(n, 0.7);
        const auto H = duet::hessian(rosen, x);
        const auto Hr = duet::hessian(duet::reverse, rosen, x);
        REQUIRE(H.shape(0) == n);
        REQUIRE(H.shape(1) == n);
        const bool with_forward = n <= 100;  // forward-over-forward is O(n^2) passes
        xt::xtensor<double, 2> Hf;
        if (with_forward) Hf = duet::hessian(duet::forward, rosen, x);
        for (std::size_t r = 0; r < n; ++r)
            for (std::size_t c = 0; c < n; ++c) {
                const double h = rosenbrock_hessian(x, r, c);
                if (!close(H(r, c), h, 1e-12) || H(r, c) != H(c, r) || Hr(r, c) != H(r, c))
                    FAIL("n = " << n << ": H(" << r << ", " << c << ") = " << H(r, c)
                                << ", expected " << h);
                if (with_forward && (!close(Hf(r, c), h, 1e-12) || Hf(r, c) != Hf(c, r)))
                    FAIL("n = " << n << ": forward H(" << r << ", " << c << ") = " << Hf(r, c)
                                << ", expected " << h);
            }
    }
}

TEST_CASE("container: std::array arguments keep their type") {
    const std::array<double, 4> x{0.1, 0.7, -0.4, 1.2};
    const std::vector<double> xv(x.begin(), x.end());
    const auto expected = rosenbrock_gradient(xv);
    const std::array<double, 4> gr = duet::gradient(duet::reverse, rosen, x);
    const std::array<double, 4> gf = duet::gradient(duet::forward, rosen, x);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(close(gr[i], expected[i], 1e-14));
        CHECK(close(gf[i], expected[i], 1e-14));
    }
    const auto H = duet::hessian(rosen, x);
    CHECK(H(1, 1) == Approx(rosenbrock_hessian(xv, 1, 1)));
    auto fvec = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        return std::array<T, 2>{T(v[0] * v[1]), T(v[2] + v[3] * v[3])};
    };
    const auto J = duet::jacobian(duet::reverse, fvec, x);
    const auto Jf = duet::jacobian(duet::forward, fvec, x);
    CHECK(J.shape(0) == 2);
    CHECK(J(0, 0) == 0.7);
    CHECK(J(0, 1) == 0.1);
    CHECK(J(1, 3) == 2.4);
    CHECK(bool(Jf == J));
}

TEST_CASE("container: Jacobians of a std::array of 3 (fewer inputs than lanes) build warning-free") {
    // g++ 12 -O3 once warned -Warray-bounds (an error under -Werror, as this
    // file is built) on the 8-lane pass of a 3-element std::array.
    const std::array<double, 3> x{1.0, 2.0, 3.0};
    const auto f = [](const auto& v) {
        using N = std::decay_t<decltype(v[0])>;
        return std::vector<N>{v[0] * v[1], v[2] * v[1], v[0]};
    };
    const auto Ja = duet::jacobian(f, x);
    const auto Jf = duet::jacobian(duet::forward, f, x);
    const auto Jr = duet::jacobian(duet::reverse, f, x);
    CHECK(Jf(0, 0) == 2.0);
    CHECK(Jf(0, 1) == 1.0);
    CHECK(Jf(1, 1) == 3.0);
    CHECK(Jf(1, 2) == 2.0);
    CHECK(Jf(2, 0) == 1.0);
    CHECK(Jf(2, 2) == 0.0);
    CHECK(bool(Ja == Jf));
    CHECK(bool(Jr == Jf));
}

TEST_CASE("container: Jacobians forward == reverse == analytic; jvp, vjp, dot-product identity") {
    const std::vector<std::pair<std::size_t, std::size_t>> sizes{{1, 5}, {5, 1}, {7, 3}, {3, 7}, {50, 50}};
    for (auto [n, m] : sizes) {
        INFO("n = " << n << ", m = " << m);
        const auto x = point(n, 0.3);
        const vector_function f{m};
        const auto Jf = duet::jacobian(duet::forward, f, x);
        const auto Jr = duet::jacobian(duet::reverse, f, x);
        const auto Ja = duet::jacobian(f, x);
        const auto expected = analytic_jacobian(x, m);
        REQUIRE(Jf.shape(0) == m);
        REQUIRE(Jf.shape(1) == n);
        REQUIRE(Jr.shape(0) == m);
        REQUIRE(Jr.shape(1) == n);
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                if (!close(Jf(i, j), Jr(i, j), 1e-14) || !close(Jr(i, j), expected(i, j), 1e-13) ||
                    !(Ja(i, j) == Jf(i, j) || Ja(i, j) == Jr(i, j)))
                    FAIL("J(" << i << ", " << j << "): forward " << Jf(i, j) << ", reverse "
                              << Jr(i, j) << ", automatic " << Ja(i, j) << ", analytic "
                              << expected(i, j));
            }
        const auto u = point(n, 2.0);
        const auto w = point(m, -1.0);
        const auto Ju = duet::jvp(f, x, u);
        const auto wJ = duet::vjp(f, x, w);
        REQUIRE(Ju.size() == m);
        REQUIRE(wJ.size() == n);
        double Ju_w = 0, u_JTw = 0;
        for (std::size_t i = 0; i < m; ++i) {
            double expected_Ju = 0;
            for (std::size_t j = 0; j < n; ++j) expected_Ju += Jr(i, j) * u[j];
            CHECK(close(Ju[i], expected_Ju, 1e-13));
            Ju_w += Ju[i] * w[i];
        }
        for (std::size_t j = 0; j < n; ++j) {
            double expected_wJ = 0;
            for (std::size_t i = 0; i < m; ++i) expected_wJ += w[i] * Jr(i, j);
            CHECK(close(wJ[j], expected_wJ, 1e-13));
            u_JTw += u[j] * wJ[j];
        }
        CHECK(close(Ju_w, u_JTw, 1e-13));  // <J u, w> = <u, J^T w>
    }
}

TEST_CASE("container: jvp and vjp name both sizes on a mismatch") {
    const vector_function f{3};
    const auto x = point(4);
    CHECK_THROWS_AS(duet::jvp(f, x, std::vector<double>(3)), std::invalid_argument);
    CHECK_THROWS_WITH(duet::jvp(f, x, std::vector<double>(3)),
                      Catch::Contains("3 elements") && Catch::Contains("x has 4"));
    CHECK_THROWS_AS(duet::vjp(f, x, std::vector<double>(5)), std::invalid_argument);
    CHECK_THROWS_WITH(duet::vjp(f, x, std::vector<double>(5)),
                      Catch::Contains("5 elements") && Catch::Contains("has 3"));
}

TEST_CASE("container: loops, early exits, branches and constants through the drivers") {
    auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        T acc = 1.0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (x[i] < 0) continue;      // skip negative entries
            if (acc > 1e3) break;        // early exit
            acc *= x[i] + 1.0;
        }
        return acc;
    };
    const std::vector<double> x{0.5, -1.0, 2.0, 3.0};
    // acc = 1.5 * 3 * 4 = 18: d/dx0 = 12, d/dx1 = 0, d/dx2 = 6, d/dx3 = 4.5
    const std::vector<double> expected{12.0, 0.0, 6.0, 4.5};
    CHECK(duet::gradient(duet::reverse, f, x) == expected);
    CHECK(duet::gradient(duet::forward, f, x) == expected);
    // The contract's max example.
    auto g = [](const auto& v) { return (v[0] + v[1]) * max(v[1], v[2]); };
    const auto gg = duet::gradient(duet::reverse, g, std::vector<double>{1, 2, 0});
    CHECK(gg == std::vector<double>{2, 5, 0});
    // A function that ignores its argument: zero gradient.
    auto constant = [](const auto&) { return 4.0; };
    const auto z = duet::value_and_gradient(duet::reverse, constant, std::vector<double>{1, 2});
    CHECK(z.value == 4.0);
    CHECK(z.gradient == std::vector<double>{0, 0});
}

TEST_CASE("container: tape result equals the static adjoint through the driver") {
    auto F = [](auto x, auto y) { return x * x * x * (x + 3 * y); };
    auto Fv = [&F](const auto& v) { return F(v[0], v[1]); };
    const auto s = duet::gradient(duet::reverse, F, 2.0, 3.0);
    const auto t = duet::gradient(duet::reverse, Fv, std::array<double, 2>{2.0, 3.0});
    CHECK(s[0] == t[0]);
    CHECK(s[1] == t[1]);
    CHECK(t[0] == 140.0);
    CHECK(t[1] == 24.0);
}

TEST_CASE("container: 4 threads computing 128 x 128 Jacobians match the serial run bitwise") {
    const std::size_t n = 128;
    const vector_function f{128};
    std::vector<std::vector<double>> inputs;
    for (int k = 0; k < 4; ++k) inputs.push_back(point(n, 0.1 * k));
    std::vector<xt::xtensor<double, 2>> serial_r, serial_f, threaded_r(4), threaded_f(4);
    for (const auto& x : inputs) {
        serial_r.push_back(duet::jacobian(duet::reverse, f, x));
        serial_f.push_back(duet::jacobian(duet::forward, f, x));
    }
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < 4; ++k)
        threads.emplace_back([&, k] {
            threaded_r[k] = duet::jacobian(duet::reverse, f, inputs[k]);
            threaded_f[k] = duet::jacobian(duet::forward, f, inputs[k]);
        });
    for (auto& th : threads) th.join();
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(bool(threaded_r[k] == serial_r[k]));
        CHECK(bool(threaded_f[k] == serial_f[k]));
    }
}

TEST_CASE("container: the automatic Jacobian mode follows the cost model") {
    using duet::mode_choice;
    CHECK(duet::choose_jacobian_mode(1000, 1) == mode_choice::reverse);
    CHECK(duet::choose_jacobian_mode(1, 1000) == mode_choice::forward);
    CHECK(duet::choose_jacobian_mode(4, 4) == mode_choice::forward);
}
