// The sparse tests' shared problems (the driver tests through support.hpp,
// the detection tests through sparsity_support.hpp): Lorenz-96 and a 2-D
// Bratu residual, with their Jacobian patterns.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <type_traits>
#include <vector>

#include <duet/sparse/pattern.hpp>

namespace duet_sparse_test {

// The pattern of the entries listed per row (any order, repeats allowed).
inline duet::sparsity_pattern pattern_of_rows(std::size_t cols, const std::vector<std::set<std::size_t>>& rows) {
    duet::sparsity_pattern p;
    p.rows = rows.size();
    p.cols = cols;
    for (const auto& r : rows) {
        for (const auto j : r) p.column_indices.push_back(std::uint32_t(j));
        p.row_offsets.push_back(p.column_indices.size());
    }
    return p;
}

// ---- Lorenz-96: f_i = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F, cyclic ----------

struct lorenz96 {
    template <class X>  // std::vector or std::array of numbers
    auto operator()(const X& x) const {
        using T = std::decay_t<decltype(x[0])>;
        const std::size_t n = x.size();
        std::vector<T> y;
        y.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            y.push_back((x[(i + 1) % n] - x[(i + n - 2) % n]) * x[(i + n - 1) % n] - x[i] + 8.0);
        return y;
    }
};

inline duet::sparsity_pattern lorenz96_pattern(std::size_t n) {
    std::vector<std::set<std::size_t>> rows(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = {(i + 1) % n, (i + n - 2) % n, (i + n - 1) % n, i};
    return pattern_of_rows(n, rows);
}

// ---- 2-D Bratu on a k x k grid: (4u - neighbours) / h^2 - lambda exp(u) -------
// Dirichlet zero boundary (neighbours outside the grid are 0).

struct bratu2d {
    std::size_t k;
    double lambda = 6.0;
    template <class T>
    std::vector<T> operator()(const std::vector<T>& u) const {
        using std::exp;
        const double h2 = 1.0 / double((k + 1) * (k + 1));
        std::vector<T> r;
        r.reserve(k * k);
        for (std::size_t a = 0; a < k; ++a)
            for (std::size_t b = 0; b < k; ++b) {
                const std::size_t i = a * k + b;
                T s = 4.0 * u[i];
                if (a > 0) s -= u[i - k];
                if (a + 1 < k) s -= u[i + k];
                if (b > 0) s -= u[i - 1];
                if (b + 1 < k) s -= u[i + 1];
                r.push_back(s / h2 - lambda * exp(u[i]));
            }
        return r;
    }
};

inline duet::sparsity_pattern bratu2d_pattern(std::size_t k) {
    std::vector<std::set<std::size_t>> rows(k * k);
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b) {
            auto& r = rows[a * k + b];
            r.insert(a * k + b);
            if (a > 0) r.insert((a - 1) * k + b);
            if (a + 1 < k) r.insert((a + 1) * k + b);
            if (b > 0) r.insert(a * k + b - 1);
            if (b + 1 < k) r.insert(a * k + b + 1);
        }
    return pattern_of_rows(k * k, rows);
}

}  // namespace duet_sparse_test
