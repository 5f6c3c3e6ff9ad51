// Support for the sparsity detection tests (test/sparse/sparsity*.cpp): the
// nonzero pattern of a dense Jacobian or Hessian (the reference a detected
// pattern is compared with), inclusion of patterns, a pattern from a list
// of entries, and the test problems (Lorenz-96, 2-D Bratu, chained
// Rosenbrock, arrowheads) with their known patterns.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <xtensor/xtensor.hpp>

#include <duet/drivers/container.hpp>
#include <duet/drivers/container_jacobian.hpp>
#include <duet/drivers/hessian.hpp>
#include <duet/sparse/pattern.hpp>
#include <duet/sparse/sparsity.hpp>

#include "problems.hpp"

namespace duet_sparsity_test {

// The entries of a dense matrix that are not exactly zero (NaN counts as
// nonzero).
template <class T>
duet::sparsity_pattern nonzeros(const xt::xtensor<T, 2>& A) {
    duet::sparsity_pattern p;
    p.rows = A.shape(0);
    p.cols = A.shape(1);
    for (std::size_t i = 0; i < p.rows; ++i) {
        for (std::size_t j = 0; j < p.cols; ++j)
            if (A(i, j) != T(0)) p.column_indices.push_back(std::uint32_t(j));
        p.row_offsets.push_back(p.column_indices.size());
    }
    return p;
}

// The rows x cols pattern of the listed entries (any order, repeats allowed).
inline duet::sparsity_pattern entries(std::size_t rows, std::size_t cols,
                                      const std::vector<std::pair<std::size_t, std::size_t>>& list) {
    std::vector<std::set<std::size_t>> by_row(rows);
    for (const auto& [i, j] : list) by_row.at(i).insert(j);
    duet::sparsity_pattern p;
    p.rows = rows;
    p.cols = cols;
    for (const auto& r : by_row) {
        for (const auto j : r) p.column_indices.push_back(std::uint32_t(j));
        p.row_offsets.push_back(p.column_indices.size());
    }
    return p;
}

// Every entry of a is in b (same shape).
inline bool within(const duet::sparsity_pattern& a, const duet::sparsity_pattern& b) {
    if (a.rows != b.rows || a.cols != b.cols) return false;
    for (std::size_t i = 0; i < a.rows; ++i)
        for (std::size_t k = a.row_offsets[i]; k < a.row_offsets[i + 1]; ++k)
            if (!b.contains(i, a.column_indices[k])) return false;
    return true;
}

// Well formed: rows + 1 offsets from 0, each row ascending without
// repeats, columns in range.
inline bool well_formed(const duet::sparsity_pattern& p) {
    if (p.row_offsets.size() != p.rows + 1 || p.row_offsets.front() != 0 ||
        p.row_offsets.back() != p.column_indices.size())
        return false;
    for (std::size_t i = 0; i < p.rows; ++i)
        for (std::size_t k = p.row_offsets[i]; k < p.row_offsets[i + 1]; ++k) {
            if (p.column_indices[k] >= p.cols) return false;
            if (k > p.row_offsets[i] && p.column_indices[k - 1] >= p.column_indices[k]) return false;
        }
    return true;
}

// Symmetric: (i, j) in p iff (j, i) in p.
inline bool symmetric(const duet::sparsity_pattern& p) {
    if (p.rows != p.cols) return false;
    for (std::size_t i = 0; i < p.rows; ++i)
        for (std::size_t k = p.row_offsets[i]; k < p.row_offsets[i + 1]; ++k)
            if (!p.contains(p.column_indices[k], i)) return false;
    return true;
}

// The entries, for failure messages: "{(0, 1), (1, 0)}".
inline std::string show(const duet::sparsity_pattern& p) {
    std::ostringstream os;
    os << p.rows << " x " << p.cols << " {";
    const char* separator = "";
    for (std::size_t i = 0; i < p.rows; ++i)
        for (std::size_t k = p.row_offsets[i]; k < p.row_offsets[i + 1]; ++k) {
            os << separator << "(" << i << ", " << p.column_indices[k] << ")";
            separator = ", ";
        }
    os << "}";
    return os.str();
}

// A point with distinct, generic entries in (0.1, 0.9).
inline std::vector<double> generic_point(std::size_t n, double shift = 0.0) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 0.5 + 0.4 * std::sin(1.3 * double(i) + 0.7 + shift);
    return x;
}

// ---- the problems --------------------------------------------------------------

// Lorenz-96 and the 2-D Bratu residual (with their patterns): problems.hpp.
using duet_sparse_test::bratu2d;
using duet_sparse_test::bratu2d_pattern;
using duet_sparse_test::lorenz96;
using duet_sparse_test::lorenz96_pattern;

// Chained Rosenbrock: sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.
inline constexpr auto rosenbrock = [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2);
    return s;
};

inline duet::sparsity_pattern tridiagonal(std::size_t n) {
    std::vector<std::pair<std::size_t, std::size_t>> list;
    for (std::size_t i = 0; i < n; ++i) {
        list.emplace_back(i, i);
        if (i + 1 < n) {
            list.emplace_back(i, i + 1);
            list.emplace_back(i + 1, i);
        }
    }
    return entries(n, n, list);
}

// Arrowhead Jacobian: f_0 = sum_j x_j^2 (a dense first row), f_i = x_0 x_i
// (a dense first column and the diagonal).
inline constexpr auto arrowhead_vector = [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    std::vector<T> f(x.size());
    T s = 0;
    for (const auto& xi : x) s += xi * xi;
    f[0] = s;
    for (std::size_t i = 1; i < x.size(); ++i) f[i] = x[0] * x[i];
    return f;
};

// Arrowhead Hessian: sum_{i >= 1} (x_0 x_i)^2 + x_i^4.
inline constexpr auto arrowhead_scalar = [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    T s = 0;
    for (std::size_t i = 1; i < x.size(); ++i) s += square(x[0] * x[i]) + pow(x[i], 4);
    return s;
};

inline duet::sparsity_pattern arrowhead_pattern(std::size_t n) {
    std::vector<std::pair<std::size_t, std::size_t>> list;
    for (std::size_t i = 0; i < n; ++i) {
        list.emplace_back(0, i);
        list.emplace_back(i, 0);
        list.emplace_back(i, i);
    }
    return entries(n, n, list);
}

// The detected pattern is well formed and equals the dense one's nonzeros
// (the dense references run in reverse mode only: one instantiation per
// function keeps the test units' compile time down).
template <class F, class X>
void check_jacobian_equals_dense(F f, const X& x) {
    const auto p = duet::jacobian_sparsity(f, x);
    const auto dense = nonzeros(duet::jacobian(duet::reverse, f, x));
    INFO(show(p));
    CHECK(well_formed(p));
    CHECK(p == dense);
}

template <class F, class X>
void check_hessian_equals_dense(F f, const X& x) {
    const auto p = duet::hessian_sparsity(f, x);
    const auto dense = nonzeros(duet::hessian(duet::reverse, f, x));
    INFO(show(p) << " vs dense " << show(dense));
    CHECK(well_formed(p));
    CHECK(symmetric(p));
    CHECK(p == dense);
}

}  // namespace duet_sparsity_test
