// Real code: iterative and direct solvers as written in numerical codes:
// Newton's method on Kepler's equation iterated to machine precision
// (std::numeric_limits<T>::epsilon, early exit), a Cholesky factorisation
// and solve with local std::vector<T> workspaces and a throw on a
// non-positive pivot, and the residual of the 2-D Bratu problem.
#include "corpus.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <vector>

namespace {

// ---- the corpus (unchanged scientific code) ----------------------------------

// Eccentric anomaly E from the mean anomaly M: E - e sin E = M (0 <= e < 1).
template <class T>
T eccentric_anomaly(T M, T e) {
    T E = e < 0.8 ? M : T(3.141592653589793);
    const T tol = T(4) * std::numeric_limits<T>::epsilon();
    for (int iter = 0; iter < 60; ++iter) {
        const T f = E - e * std::sin(E) - M;
        const T fp = T(1) - e * std::cos(E);
        const T dE = f / fp;
        E -= dE;
        if (std::abs(dE) <= tol * std::max(T(1), std::abs(E))) break;
    }
    return E;
}

// Distance from the focus: r = a (1 - e cos E), with p = {M, e, a}.
template <class T>
T orbit_radius(const std::vector<T>& p) {
    const T E = eccentric_anomaly(p[0], p[1]);
    return p[2] * (T(1) - p[1] * std::cos(E));
}

// In-place Cholesky factor of the n x n SPD matrix A (row-major): A = L L^T.
template <class T>
std::vector<T> cholesky(std::vector<T> A, std::size_t n) {
    for (std::size_t j = 0; j < n; ++j) {
        T d = A[j * n + j];
        for (std::size_t k = 0; k < j; ++k) d -= A[j * n + k] * A[j * n + k];
        if (d <= T(0)) throw std::domain_error("cholesky: matrix is not positive definite");
        const T ljj = std::sqrt(d);
        A[j * n + j] = ljj;
        for (std::size_t i = j + 1; i < n; ++i) {
            T s = A[i * n + j];
            for (std::size_t k = 0; k < j; ++k) s -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = s / ljj;
        }
        for (std::size_t i = 0; i < j; ++i) A[i * n + j] = T{};
    }
    return A;
}

// Solves L L^T x = b.
template <class T>
std::vector<T> cholesky_solve(const std::vector<T>& L, std::vector<T> b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < i; ++k) b[i] -= L[i * n + k] * b[k];
        b[i] /= L[i * n + i];
    }
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t k = i + 1; k < n; ++k) b[i] -= L[k * n + i] * b[k];
        b[i] /= L[i * n + i];
    }
    return b;
}

// A fixed SPD matrix: A0_ij = exp(-|i - j| / 2) + n delta_ij.
inline double A0(std::size_t i, std::size_t j, std::size_t n) {
    return std::exp(-0.5 * std::abs(double(i) - double(j))) + (i == j ? double(n) : 0.0);
}

// p = {d_0 .. d_{n-1}, b_0 .. b_{n-1}}: x = (A0 + diag(d))^{-1} b.
template <class T>
std::vector<T> shifted_solve(const std::vector<T>& p) {
    const std::size_t n = p.size() / 2;
    std::vector<T> A(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) A[i * n + j] = A0(i, j, n);
    for (std::size_t i = 0; i < n; ++i) A[i * n + i] += p[i];
    const std::vector<T> b(p.begin() + static_cast<std::ptrdiff_t>(n), p.end());
    return cholesky_solve(cholesky(A, n), b, n);
}

// b^T (A0 + diag(d))^{-1} b for a fixed b.
template <class T>
T quadratic_form(const std::vector<T>& d) {
    std::vector<T> p = d;
    for (std::size_t i = 0; i < d.size(); ++i) p.push_back(T(1.0 + 0.25 * double(i)));
    const std::vector<T> x = shifted_solve(p);
    T s = 0;
    for (std::size_t i = 0; i < d.size(); ++i) s += p[d.size() + i] * x[i];
    return s;
}

// Residual of the Bratu problem -Laplace(u) = lambda exp(u) on the unit
// square, 5-point stencil, u = 0 on the boundary, n x n interior points.
template <class T>
std::vector<T> bratu_residual(const std::vector<T>& u, double lambda = 6.0) {
    const std::size_t n = static_cast<std::size_t>(std::sqrt(double(u.size())) + 0.5);
    const double h = 1.0 / double(n + 1);
    const T inv_h2 = static_cast<T>(1.0 / (h * h));
    std::vector<T> F(u.size());
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            const T center = u[i * n + j];
            const T west = j > 0 ? u[i * n + j - 1] : T(0);
            const T east = j + 1 < n ? u[i * n + j + 1] : T(0);
            const T south = i > 0 ? u[(i - 1) * n + j] : T(0);
            const T north = i + 1 < n ? u[(i + 1) * n + j] : T(0);
            F[i * n + j] = (T(4) * center - west - east - south - north) * inv_h2 - lambda * std::exp(center);
        }
    return F;
}

// ---- hand derivatives ----------------------------------------------------------

// (A0 + diag(d))^{-1} in double, column by column.
std::vector<std::vector<double>> shifted_inverse(const std::vector<double>& d) {
    const std::size_t n = d.size();
    std::vector<double> A(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) A[i * n + j] = A0(i, j, n) + (i == j ? d[i] : 0.0);
    const std::vector<double> L = cholesky(A, n);
    std::vector<std::vector<double>> inv(n);
    for (std::size_t j = 0; j < n; ++j) {
        std::vector<double> e(n, 0.0);
        e[j] = 1.0;
        inv[j] = cholesky_solve(L, e, n);  // column j (= row j: symmetric)
    }
    return inv;
}

const auto kepler_f = [](auto M, auto e) { return eccentric_anomaly(M, e); };
const auto orbit_radius_f = [](const auto& p) { return orbit_radius(p); };
const auto shifted_solve_f = [](const auto& p) { return shifted_solve(p); };
const auto quadratic_form_f = [](const auto& d) { return quadratic_form(d); };
const auto bratu_f = [](const auto& u) { return bratu_residual(u); };

}  // namespace

TEST_CASE("real code: Kepler's equation by Newton's method to machine precision", "[real_code]") {
    for (auto [M, e] : {std::array<double, 2>{0.7, 0.3}, std::array<double, 2>{2.9, 0.95},
                        std::array<double, 2>{-1.2, 0.05}}) {
        const auto g = corpus::check_scalar<false>("eccentric_anomaly", kepler_f, M, e);
        // Implicit differentiation of E - e sin E = M.
        const double E = eccentric_anomaly(M, e);
        const double denom = 1 - e * std::cos(E);
        corpus::check_hand("eccentric_anomaly", g, std::array<double, 2>{1 / denom, std::sin(E) / denom});
    }
}

TEST_CASE("real code: orbit radius through the Kepler solve", "[real_code]") {
    const std::vector<double> p{0.7, 0.6, 1.5};
    const auto g = corpus::check_gradient("orbit_radius", orbit_radius_f, p);
    corpus::check_hessian("orbit_radius", orbit_radius_f, p);
    corpus::check_precisions("orbit_radius", orbit_radius_f, p, g);
    const double E = eccentric_anomaly(p[0], p[1]);
    const double denom = 1 - p[1] * std::cos(E);
    const double dE_dM = 1 / denom, dE_de = std::sin(E) / denom;
    corpus::check_hand("orbit_radius", g,
                       std::vector<double>{p[2] * p[1] * std::sin(E) * dE_dM,
                                           p[2] * (-std::cos(E) + p[1] * std::sin(E) * dE_de),
                                           1 - p[1] * std::cos(E)});
}

TEST_CASE("real code: Cholesky factorisation and solve", "[real_code]") {
    for (std::size_t n : {1u, 3u, 5u}) {
        std::vector<double> p = corpus::point(n, 0.5, 0.4);           // the shifts d
        const std::vector<double> b = corpus::point(n, 0.0, 1.0, 2.0);  // the right-hand side
        p.insert(p.end(), b.begin(), b.end());
        const auto J = corpus::check_jacobian("shifted_solve", shifted_solve_f, p);
        // dx/db = A^{-1}; dx_i/dd_j = -(A^{-1})_ij x_j.
        const std::vector<double> d(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
        const auto inv = shifted_inverse(d);
        const auto x = shifted_solve(p);
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<double> hand(2 * n);
            for (std::size_t j = 0; j < n; ++j) {
                hand[j] = -inv[j][i] * x[j];
                hand[n + j] = inv[j][i];
            }
            INFO("row " << i << " of n = " << n);
            corpus::check_hand("shifted_solve", corpus::row(J, i), hand);
        }
    }
}

TEST_CASE("real code: quadratic form through a Cholesky solve, with its Hessian", "[real_code]") {
    const std::vector<double> d = corpus::point(4, 0.3, 0.25);
    const auto g = corpus::check_gradient("quadratic_form", quadratic_form_f, d);
    const auto H = corpus::check_hessian("quadratic_form", quadratic_form_f, d);
    corpus::check_precisions("quadratic_form", quadratic_form_f, d, g);
    // s = b^T A^{-1} b: ds/dd_i = -x_i^2, d2s/dd_i dd_j = 2 x_i x_j (A^{-1})_ij.
    std::vector<double> p = d;
    for (std::size_t i = 0; i < d.size(); ++i) p.push_back(1.0 + 0.25 * double(i));
    const auto x = shifted_solve(p);
    const auto inv = shifted_inverse(d);
    std::vector<double> hand_g(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) hand_g[i] = -x[i] * x[i];
    corpus::check_hand("quadratic_form gradient", g, hand_g);
    for (std::size_t i = 0; i < d.size(); ++i) {
        std::vector<double> hand_h(d.size());
        for (std::size_t j = 0; j < d.size(); ++j) hand_h[j] = 2 * x[i] * x[j] * inv[j][i];
        INFO("Hessian row " << i);
        corpus::check_hand("quadratic_form Hessian", corpus::row(H, i), hand_h);
    }
}

TEST_CASE("real code: Cholesky refuses an indefinite matrix in every mode", "[real_code]") {
    const std::vector<double> p{-10.0, 1.0};  // A0 = [[1 + 1, ...]] shifted below zero
    CHECK_THROWS_AS(duet::gradient(duet::forward, quadratic_form_f, std::vector<double>{-10.0}),
                    std::domain_error);
    CHECK_THROWS_AS(duet::gradient(duet::reverse, quadratic_form_f, std::vector<double>{-10.0}),
                    std::domain_error);
    CHECK_THROWS_AS(duet::jacobian(duet::reverse, shifted_solve_f, p), std::domain_error);
    // The tape is usable again after the exception.
    CHECK(duet::gradient(duet::reverse, quadratic_form_f, std::vector<double>{0.5})[0] < 0.0);
}

TEST_CASE("real code: 2-D Bratu residual", "[real_code]") {
    for (std::size_t n : {1u, 2u, 4u}) {
        const std::vector<double> u = corpus::point(n * n, 0.2, 0.15);
        const auto J = corpus::check_jacobian("bratu", bratu_f, u);
        const double inv_h2 = double((n + 1) * (n + 1));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const std::size_t r = i * n + j;
                std::vector<double> hand(n * n, 0.0);
                hand[r] = 4 * inv_h2 - 6.0 * std::exp(u[r]);
                if (j > 0) hand[r - 1] = -inv_h2;
                if (j + 1 < n) hand[r + 1] = -inv_h2;
                if (i > 0) hand[r - n] = -inv_h2;
                if (i + 1 < n) hand[r + n] = -inv_h2;
                INFO("bratu row " << r << ", n = " << n);
                corpus::check_hand("bratu", corpus::row(J, r), hand);
            }
    }
}
