// Test support for the sparse drivers: patterns built by hand, the test
// functions (Lorenz-96, 2-D Bratu, arrowheads, chained Rosenbrock) with their
// known patterns, brute-force checks of colourings, and comparisons of a
// sparse matrix with a dense one.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <duet/sparse/coloring.hpp>
#include <duet/sparse/pattern.hpp>

#include "../support/numeric.hpp"
#include "problems.hpp"

namespace duet_sparse_test {

// A point of R^n with entries in (0.1, 0.9).
template <class T = double>
std::vector<T> point(std::size_t n, double shift = 0.0) {
    std::vector<T> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = T(0.5 + 0.4 * std::sin(1.3 * double(i) + shift));
    return x;
}

// The rows x cols pattern of the entries (i, j) with has(i, j).
template <class Has>
duet::sparsity_pattern pattern_where(std::size_t rows, std::size_t cols, Has&& has) {
    duet::sparsity_pattern p;
    p.rows = rows;
    p.cols = cols;
    p.row_offsets.assign(1, 0);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j)
            if (has(i, j)) p.column_indices.push_back(std::uint32_t(j));
        p.row_offsets.push_back(p.column_indices.size());
    }
    return p;
}

// pattern_of_rows, lorenz96, bratu2d and their patterns: problems.hpp.

// ---- arrowheads ---------------------------------------------------------------
// dense first row: f_0 = sum_j sin(x_j), f_i = x_i^2 (i > 0).
// Column colouring needs n colours, row colouring 2.
struct dense_first_row {
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::sin;
        std::vector<T> y;
        T s = 0.0;
        for (const auto& xi : x) s += sin(xi);
        y.push_back(s);
        for (std::size_t i = 1; i < x.size(); ++i) y.push_back(x[i] * x[i]);
        return y;
    }
};
inline duet::sparsity_pattern dense_first_row_pattern(std::size_t n) {
    return pattern_where(n, n, [](std::size_t i, std::size_t j) { return i == 0 || i == j; });
}

// dense first column: f_i = x_0 x_i (f_0 = x_0^2). Column colouring 2, row n.
struct dense_first_column {
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        std::vector<T> y;
        for (std::size_t i = 0; i < x.size(); ++i) y.push_back(x[0] * x[i] + 0.5 * x[i]);
        return y;
    }
};
inline duet::sparsity_pattern dense_first_column_pattern(std::size_t n) {
    return pattern_where(n, n, [](std::size_t i, std::size_t j) { return j == 0 || i == j; });
}

// ---- colouring checks (brute force) ---------------------------------------------

// Every row's columns have distinct colours.
inline bool valid_column_coloring(const duet::sparsity_pattern& p, const duet::coloring& c) {
    if (c.color.size() != p.cols) return false;
    for (const auto k : c.color)
        if (k >= c.colors) return false;
    for (std::size_t i = 0; i < p.rows; ++i) {
        std::set<std::uint32_t> seen;
        for (std::size_t k = p.row_offsets[i]; k < p.row_offsets[i + 1]; ++k)
            if (!seen.insert(c.color[p.column_indices[k]]).second) return false;
    }
    return true;
}

// Every column's rows have distinct colours.
inline bool valid_row_coloring(const duet::sparsity_pattern& p, const duet::coloring& c) {
    if (c.color.size() != p.rows) return false;
    for (const auto k : c.color)
        if (k >= c.colors) return false;
    std::vector<std::set<std::uint32_t>> seen(p.cols);
    for (std::size_t i = 0; i < p.rows; ++i)
        for (std::size_t k = p.row_offsets[i]; k < p.row_offsets[i + 1]; ++k)
            if (!seen[p.column_indices[k]].insert(c.color[i]).second) return false;
    return true;
}

// A star colouring of the symmetric closure of p (diagonal ignored):
// adjacent vertices differ and no path u-v-w-x is two-coloured.
inline bool valid_star_coloring(const duet::sparsity_pattern& p, const duet::coloring& c) {
    const std::size_t n = p.rows;
    if (c.color.size() != n) return false;
    for (const auto k : c.color)
        if (k >= c.colors) return false;
    std::vector<std::set<std::size_t>> adj(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = p.row_offsets[i]; k < p.row_offsets[i + 1]; ++k) {
            const std::size_t j = p.column_indices[k];
            if (i != j) {
                adj[i].insert(j);
                adj[j].insert(i);
            }
        }
    for (std::size_t v = 0; v < n; ++v)
        for (const auto w : adj[v]) {
            if (c.color[v] == c.color[w]) return false;
            // v-w the middle edge of u-v-w-x
            for (const auto u : adj[v])
                if (u != w && c.color[u] == c.color[w])
                    for (const auto x : adj[w])
                        if (x != v && x != u && c.color[x] == c.color[v]) return false;
        }
    return true;
}

// ---- chained Rosenbrock (a tridiagonal Hessian) -------------------------------

struct chained_rosenbrock {
    template <class T>
    T operator()(const std::vector<T>& x) const {
        T s = 0.0;
        for (std::size_t i = 0; i + 1 < x.size(); ++i) s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2);
        return s;
    }
};

// ---- comparisons ----------------------------------------------------------------

// Every entry of the m x n dense matrix D equals S's (0 outside S's pattern),
// bitwise (identical: +0 == -0) or, with rel > 0, within rel.
template <class Sparse, class Dense>
void require_equal_to_dense(const Sparse& S, const Dense& D, double rel = 0) {
    REQUIRE(S.rows() == D.shape(0));
    REQUIRE(S.cols() == D.shape(1));
    std::size_t bad = 0;
    for (std::size_t i = 0; i < S.rows(); ++i)
        for (std::size_t j = 0; j < S.cols(); ++j) {
            const double s = double(S(i, j)), d = double(D(i, j));
            const bool ok = rel == 0 ? duet_test::identical(s, d) : duet_test::agree(s, d, rel);
            if (!ok && bad++ < 5) {
                INFO("(" << i << ", " << j << "): " << duet_test::show(s, d));
                CHECK(ok);
            }
        }
    CHECK(bad == 0);
}

template <class A, class B>
void require_identical(const A& a, const B& b) {
    REQUIRE(a.pattern() == b.pattern());
    std::size_t bad = 0;
    for (std::size_t k = 0; k < a.nonzeros(); ++k)
        if (!duet_test::identical(double(a.values()[k]), double(b.values()[k]))) ++bad;
    CHECK(bad == 0);
}

template <class Sparse, class Dense>
std::size_t mismatches(const Sparse& S, const Dense& D, double rel) {
    std::size_t bad = 0;
    for (std::size_t i = 0; i < S.rows(); ++i)
        for (std::size_t j = 0; j < S.cols(); ++j) {
            const double s = double(S(i, j)), d = double(D(i, j));
            const bool ok = rel == 0 ? duet_test::identical(s, d) : duet_test::agree(s, d, rel);
            if (!ok && bad++ < 5) {
                INFO("(" << i << ", " << j << "): " << duet_test::show(s, d));
                CHECK(ok);
            }
        }
    return bad;
}

template <class Sparse>
bool exactly_symmetric(const Sparse& H) {
    for (std::size_t i = 0; i < H.rows(); ++i)
        for (std::size_t q = H.row_offsets()[i]; q < H.row_offsets()[i + 1]; ++q) {
            const std::size_t j = H.column_indices()[q];
            if (!H.pattern().contains(j, i) || !(H.values()[q] == H(j, i))) return false;
        }
    return true;
}

}  // namespace duet_sparse_test
