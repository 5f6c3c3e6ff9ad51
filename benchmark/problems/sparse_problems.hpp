// Sparse-Jacobian benchmark problems (bench_sparse, bench_peer_adolc_sparse):
// functions R^n -> R^n written once, generic in the number type T (double,
// duet's duals / tracers / vars, ADOL-C's adouble), each with its hand
// Jacobian entry for checking.
//
//   lorenz96  f_i = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + 8, indices cyclic;
//             4 nonzeros per row. Sizes n = 10^3, 10^4, 10^5.
//   bratu2d   on a k x k grid, n = k^2, h = 1 / (k + 1), zero boundary:
//             F_ij = (u_{i-1,j} + u_{i+1,j} + u_{i,j-1} + u_{i,j+1} - 4 u_ij) / h^2
//                    + lambda exp(u_ij),  lambda = 1;
//             5 k^2 - 4 k nonzeros. k = 32, 100, 316 (n = 1024, 10^4, 99856).
// quick_size() is the smallest size (DUET_BENCH_QUICK=1).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace duet_bench::sparse {

struct lorenz96 {
    static constexpr const char* name = "lorenz96";
    static std::vector<std::size_t> sizes() { return {1000, 10000, 100000}; }
    static std::size_t quick_size() { return 1000; }

    template <class T>
    static std::vector<T> f(const std::vector<T>& x) {
        const std::size_t n = x.size();
        std::vector<T> y;
        y.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t p1 = (i + 1) % n, m1 = (i + n - 1) % n, m2 = (i + n - 2) % n;
            y.push_back((x[p1] - x[m2]) * x[m1] - x[i] + 8.0);
        }
        return y;
    }

    static std::vector<double> input(std::size_t n) {
        std::vector<double> x(n);
        for (std::size_t i = 0; i < n; ++i) x[i] = 8.0 + 0.5 * std::sin(0.37 * double(i) + 0.1);
        return x;
    }

    static std::size_t nonzeros(std::size_t n) { return 4 * n; }

    // J(i, j) by hand (0 outside the pattern).
    static double entry(const std::vector<double>& x, std::size_t i, std::size_t j) {
        const std::size_t n = x.size();
        const std::size_t p1 = (i + 1) % n, m1 = (i + n - 1) % n, m2 = (i + n - 2) % n;
        double d = 0;
        if (j == p1) d += x[m1];
        if (j == m2) d -= x[m1];
        if (j == m1) d += x[p1] - x[m2];
        if (j == i) d -= 1.0;
        return d;
    }
};

struct bratu2d {
    static constexpr const char* name = "bratu2d";
    static constexpr double lambda = 1.0;
    static std::vector<std::size_t> sizes() { return {32 * 32, 100 * 100, 316 * 316}; }
    static std::size_t quick_size() { return 32 * 32; }

    static std::size_t side(std::size_t n) {
        std::size_t k = std::size_t(std::sqrt(double(n)) + 0.5);
        while (k * k > n) --k;
        while ((k + 1) * (k + 1) <= n) ++k;
        return k;
    }

    template <class T>
    static std::vector<T> f(const std::vector<T>& u) {
        using std::exp;
        const std::size_t k = side(u.size());
        const double inv_h2 = double((k + 1) * (k + 1));
        std::vector<T> r;
        r.reserve(k * k);
        for (std::size_t a = 0; a < k; ++a)
            for (std::size_t b = 0; b < k; ++b) {
                const std::size_t i = a * k + b;
                T s = -4.0 * u[i];
                if (a > 0) s += u[i - k];
                if (a + 1 < k) s += u[i + k];
                if (b > 0) s += u[i - 1];
                if (b + 1 < k) s += u[i + 1];
                r.push_back(s * inv_h2 + lambda * exp(u[i]));
            }
        return r;
    }

    static std::vector<double> input(std::size_t n) {
        const std::size_t k = side(n);
        std::vector<double> u(n);
        for (std::size_t a = 0; a < k; ++a)
            for (std::size_t b = 0; b < k; ++b) {
                const double s = double(a + 1) / double(k + 1), t = double(b + 1) / double(k + 1);
                u[a * k + b] = 0.5 * s * (1 - s) * t * (1 - t) + 0.01 * std::sin(double(a * k + b));
            }
        return u;
    }

    static std::size_t nonzeros(std::size_t n) {
        const std::size_t k = side(n);
        return 5 * k * k - 4 * k;
    }

    static double entry(const std::vector<double>& u, std::size_t i, std::size_t j) {
        const std::size_t k = side(u.size());
        const double inv_h2 = double((k + 1) * (k + 1));
        if (i == j) return -4.0 * inv_h2 + lambda * std::exp(u[i]);
        const std::size_t a = i / k, b = i % k, c = j / k, d = j % k;
        const bool neighbour = (a == c && (b + 1 == d || d + 1 == b)) || (b == d && (a + 1 == c || c + 1 == a));
        return neighbour ? inv_h2 : 0.0;
    }
};

// The largest |entry| of problem P's Jacobian at x over the diagonal and the
// first superdiagonal (the checks' scale for a relative tolerance).
template <class P>
inline double largest_entry(const std::vector<double>& x) {
    double scale = 1e-300;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j : {i, (i + 1) % x.size()}) scale = std::max(scale, std::abs(P::entry(x, i, j)));
    return scale;
}

}  // namespace duet_bench::sparse
