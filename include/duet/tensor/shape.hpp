// Shape convention <-> Jacobian form.
//
// The gradient of a scalar s with respect to a parameter W has W's shape
// (shape convention: ready for W -= eta * gW). The same numbers as one row
// of a Jacobian (Jacobian form: ready to chain by matrix products) are
// W flattened in row-major (C) order, which is the order everywhere in duet:
//
//   W, n x m = 2 x 3                 Jacobian form, 1 x (n*m) = 1 x 6
//          j=0   j=1   j=2            c=0   c=1   c=2   c=3   c=4   c=5
//        +-----+-----+-----+        +-----+-----+-----+-----+-----+-----+
//   i=0  | W00 | W01 | W02 |  <-->  | W00 | W01 | W02 | W10 | W11 | W12 |
//        +-----+-----+-----+        +-----+-----+-----+-----+-----+-----+
//   i=1  | W10 | W11 | W12 |         \_____ row i=0 ___/ \_____ row i=1 ___/
//        +-----+-----+-----+
//
//   element (i, j) <-> column c = i*m + j;   c <-> (i, j) = (c / m, c % m)
//   rank 3, n x m x k: (i, j, l) <-> c = (i*m + j)*k + l
//
// A vector output y in R^p stacks p such rows: the Jacobian p x (n*m) <->
// p x n x m, where row r of the Jacobian is the gradient of y_r:
//
//   J (p x n*m)        row r = [ dy_r/dW00 ... dy_r/dW(n-1)(m-1) ]
//   G (p x n x m)      G(r, i, j) = J(r, i*m + j)
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include <xtensor/xmanipulation.hpp>

#include "duet/core/error.hpp"
#include "duet/tensor/nodes.hpp"

namespace duet {

// {p, n, m, ...}: the shape of p stacked gradients of a parameter of `shape`.
template <std::size_t K>
std::array<std::size_t, K + 1> stacked_shape(std::size_t p, const std::array<std::size_t, K>& shape) {
    std::array<std::size_t, K + 1> s{};
    s[0] = p;
    std::copy(shape.begin(), shape.end(), s.begin() + 1);
    return s;
}

// A Jacobian (p x N, row-major flattening) in the shape convention:
//   1 x N  -> `shape`            (one output; N = the number of elements)
//   p x N  -> `shape` = {p, ...} (p outputs; use stacked_shape(p, W.shape()))
// Throws std::invalid_argument naming both shapes when they do not fit.
template <std::size_t K>
tensor<K> to_shape_convention(const tensor<2>& jacobian, const std::array<std::size_t, K>& shape) {
    std::size_t count = 1;
    for (std::size_t s : shape) count *= s;
    const std::size_t rows = jacobian.shape(0), cols = jacobian.shape(1);
    const bool one_row = rows == 1 && cols == count;
    bool stacked = false;
    if constexpr (K >= 1) stacked = shape[0] == rows && rows * cols == count;
    if (!one_row && !stacked)
        detail::throw_shape_mismatch("to_shape_convention", jacobian.shape(), shape,
                                     "do not fit (expected 1 x N for N elements, or p x N for "
                                     "a shape {p, ...} of p*N elements)");
    auto g = tensor<K>::from_shape(shape);
    std::copy(jacobian.data(), jacobian.data() + jacobian.size(), g.data());
    return g;
}

// A flat (rank-1) gradient in the shape convention.
template <std::size_t K>
tensor<K> to_shape_convention(const tensor<1>& flat, const std::array<std::size_t, K>& shape) {
    return to_shape_convention(tensor<2>(xt::expand_dims(flat, 0)), shape);
}

// A gradient in Jacobian form: one row, 1 x G.size().
template <std::size_t K>
tensor<2> to_jacobian_form(const tensor<K>& gradient) {
    auto j = tensor<2>::from_shape(tensor<2>::shape_type{1, gradient.size()});
    std::copy(gradient.data(), gradient.data() + gradient.size(), j.data());
    return j;
}

// p stacked gradients (shape {p, ...}) in Jacobian form: p x (G.size() / p).
template <std::size_t K>
tensor<2> to_jacobian_form(const tensor<K>& stacked, std::size_t p) {
    static_assert(K >= 1, "duet: duet::to_jacobian_form(G, p) needs G of shape {p, ...}");
    if (stacked.shape(0) != p)
        detail::throw_invalid_argument("to_jacobian_form", "shape ", detail::shape_string(stacked.shape()),
                                       " does not start with the output count ", p);
    const std::size_t cols = p == 0 ? 0 : stacked.size() / p;
    auto j = tensor<2>::from_shape(tensor<2>::shape_type{p, cols});
    std::copy(stacked.data(), stacked.data() + stacked.size(), j.data());
    return j;
}

}  // namespace duet
