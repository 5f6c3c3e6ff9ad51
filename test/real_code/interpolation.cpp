// Real code: interpolation as written in numerical codes: a natural cubic
// spline (tridiagonal solve into local std::vector<T>, interval search with
// std::upper_bound on plain knots), linear interpolation in a uniform table
// indexed through std::floor, and Horner's rule.
#include "corpus.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace {

// ---- the corpus (unchanged scientific code) ----------------------------------

// Natural cubic spline through (knots[k], y[k]) evaluated at t.
template <class T>
T natural_spline(const std::vector<double>& knots, const std::vector<T>& y, T t) {
    const std::size_t n = knots.size();
    std::vector<double> h(n - 1);
    for (std::size_t i = 0; i + 1 < n; ++i) h[i] = knots[i + 1] - knots[i];
    // Second derivatives M (M[0] = M[n-1] = 0) by the Thomas algorithm.
    std::vector<T> M(n, T(0.0));
    std::vector<double> cprime(n, 0.0);
    std::vector<T> dprime(n, T(0.0));
    for (std::size_t i = 1; i + 1 < n; ++i) {
        const double a = h[i - 1], b = 2 * (h[i - 1] + h[i]), c = h[i];
        const T r = T(6) * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1]);
        const double denom = b - a * cprime[i - 1];
        cprime[i] = c / denom;
        dprime[i] = (r - a * dprime[i - 1]) / denom;
    }
    for (std::size_t i = n - 1; i-- > 1;) M[i] = dprime[i] - cprime[i] * M[i + 1];

    // The interval holding t (extrapolating with the end cubics).
    const auto upper = std::upper_bound(knots.begin(), knots.end(), t);
    const std::ptrdiff_t last = static_cast<std::ptrdiff_t>(n) - 2;
    const std::size_t k = static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(upper - knots.begin() - 1, 0, last));
    const T a = knots[k + 1] - t;
    const T b = t - knots[k];
    const double hk = h[k];
    return M[k] * a * a * a / (6 * hk) + M[k + 1] * b * b * b / (6 * hk) +
           (y[k] - M[k] * hk * hk / 6) * a / hk + (y[k + 1] - M[k + 1] * hk * hk / 6) * b / hk;
}

// p = {t, y_0 .. y_{n-1}} on fixed knots.
template <class T>
T spline_at(const std::vector<T>& p, const std::vector<double>& knots) {
    const std::vector<T> y(p.begin() + 1, p.end());
    return natural_spline(knots, y, p[0]);
}

// Linear interpolation in a uniform table: table[k] at x0 + k dx. The index
// comes from std::floor and duet::value (an integer cannot carry a
// derivative).
template <class T>
T table_lookup(const std::vector<double>& table, double x0, double dx, T x) {
    const T u = (x - x0) / dx;
    const T k = std::floor(u);
    const int last = static_cast<int>(table.size()) - 2;
    const int i = std::clamp(static_cast<int>(duet::value(k)), 0, last);
    const T frac = u - T(i);
    return (T(1) - frac) * table[static_cast<std::size_t>(i)] + frac * table[static_cast<std::size_t>(i) + 1];
}

// Sum of table lookups at several points.
template <class T>
T table_sum(const std::vector<T>& xs, const std::vector<double>& table) {
    T s = 0;
    for (const T& x : xs) s += table_lookup(table, -1.0, 0.25, x);
    return s;
}

// p = {x, c_0 .. c_n}: c_0 + c_1 x + ... + c_n x^n by Horner's rule.
template <class T>
T horner(const std::vector<T>& p) {
    const T& x = p[0];
    T acc = p.back();
    for (std::size_t i = p.size() - 1; i-- > 1;) acc = acc * x + p[i];
    return acc;
}

// ---- data and hand derivatives ------------------------------------------------------

const std::vector<double> knots{0.0, 0.4, 1.0, 1.3, 2.2, 3.0};
const std::vector<double> table{0.0, 0.3, 0.1, -0.4, 0.9, 1.6, 1.2, 0.2, -0.5};  // x = -1, -0.75, ... 1

const auto spline_f = [](const auto& p) { return spline_at(p, knots); };
const auto table_f = [](const auto& xs) { return table_sum(xs, table); };
const auto horner_f = [](const auto& p) { return horner(p); };

}  // namespace

TEST_CASE("real code: natural cubic spline, values and evaluation point", "[real_code]") {
    const std::vector<double> y{0.5, -0.3, 1.2, 0.8, -1.0, 0.4};
    for (double t : {0.1, 0.7, 1.25, 2.9, -0.2, 3.3}) {  // interior and extrapolated
        std::vector<double> p{t};
        p.insert(p.end(), y.begin(), y.end());
        const auto g = corpus::check_gradient("natural_spline", spline_f, p);
        corpus::check_hessian("natural_spline", spline_f, p);
        corpus::check_precisions("natural_spline", spline_f, p, g);
        // The spline is linear in y: d/dy_j is the spline of e_j at t.
        std::vector<double> hand(p.size());
        for (std::size_t j = 0; j < y.size(); ++j) {
            std::vector<double> e(y.size(), 0.0);
            e[j] = 1.0;
            hand[1 + j] = natural_spline(knots, e, t);
        }
        hand[0] = g[0];  // checked by central differences above
        corpus::check_hand("natural_spline: linear in y", g, hand);
    }
}

TEST_CASE("real code: table lookup through std::floor", "[real_code]") {
    // Points away from the table's nodes (the lookup is only piecewise smooth).
    const std::vector<double> xs{-0.9, -0.1, 0.33, 0.6, 0.95};
    const auto g = corpus::check_gradient("table_sum", table_f, xs);
    corpus::check_precisions("table_sum", table_f, xs, g);
    std::vector<double> hand(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const auto k = static_cast<std::size_t>(std::floor((xs[i] + 1.0) / 0.25));
        hand[i] = (table[k + 1] - table[k]) / 0.25;
    }
    corpus::check_hand("table_sum: slopes", g, hand);
}

TEST_CASE("real code: Horner's rule over the point and the coefficients", "[real_code]") {
    for (const std::vector<double>& p : {std::vector<double>{0.7, 1.0, -2.0, 0.5, 3.0, -1.5},
                                         std::vector<double>{-1.3, 0.2, 0.1, -0.4}}) {
        const auto g = corpus::check_gradient("horner", horner_f, p);
        const auto H = corpus::check_hessian("horner", horner_f, p);
        corpus::check_precisions("horner", horner_f, p, g);
        const double x = p[0];
        std::vector<double> hand(p.size(), 0.0);
        double xpow = 1.0;
        for (std::size_t i = 1; i < p.size(); ++i) {
            hand[i] = xpow;  // d/dc_{i-1} = x^{i-1}
            if (i + 1 < p.size()) hand[0] += double(i) * p[i + 1] * xpow;
            xpow *= x;
        }
        corpus::check_hand("horner", g, hand);
        // d2/dx dc_k = k x^(k-1).
        std::vector<double> hand_row(p.size(), 0.0);
        double xp = 1.0;
        for (std::size_t i = 2; i < p.size(); ++i) {
            hand_row[i] = double(i - 1) * xp;
            xp *= x;
        }
        hand_row[0] = H(0, 0);
        corpus::check_hand("horner Hessian row 0", corpus::row(H, 0), hand_row);
    }
}
