// Sparse Hessians by compression (doc/sparse.md), for scalar functions of ONE
// container argument (std::vector / std::array; drivers/container.hpp):
//
//   sparse_hessian(f, x)            -> sparse_matrix<T>, n x n, symmetric,
//                                      both triangles stored
//   sparse_hessian(f, x, pattern)   the same with a known pattern
//   sparse_hessian_plan(f, x[, pattern])
//       -> compressed_hessian<F, C>: pattern (hessian_sparsity at x,
//          sparse/sparsity.hpp, unless given) and star colouring;
//          plan(x_new) is the Hessian at x_new.
//
// The pattern used is the symmetric closure of the one given (both
// triangles) with its diagonal entries. A star colouring
// (sparse/coloring.hpp) with q colours; forward-over-reverse as the dense
// reverse Hessian (drivers/hessian.hpp): the engine's lane passes over a tape
// of duals, each pass records f and sweeps once, lane c of x_v's adjoint is
// B(v, c) = sum of H(v, w) over the w of colour c: ceil(q / 8) recordings
// instead of ceil(n / 8). Direct recovery: H(v, w) = B(v, colour(w)) when w
// is v's only neighbour of that colour, else B(w, colour(v)); when both hold
// the entry is their mean, as the dense driver's symmetrisation makes it,
// so the result is exactly symmetric.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/core/error.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/passes.hpp"
#include "duet/reverse/workspace.hpp"
#include "duet/sparse/coloring.hpp"
#include "duet/sparse/pattern.hpp"
#include "duet/sparse/sparse_jacobian.hpp"
#include "duet/sparse/sparse_matrix.hpp"
#include "duet/sparse/sparsity.hpp"

namespace duet {
namespace detail {

// The symmetric closure of a square pattern with its diagonal entries kept
// (the stored pattern of a sparse Hessian).
inline sparsity_pattern hessian_storage(const sparsity_pattern& p) {
    const sparsity_pattern a = symmetric_adjacency(p);
    sparsity_pattern h;
    h.rows = h.cols = p.rows;
    h.row_offsets.assign(p.rows + 1, 0);
    h.column_indices.reserve(a.nonzeros() + p.rows);
    for (std::size_t v = 0; v < p.rows; ++v) {
        const bool diagonal = p.contains(v, v);
        bool placed = !diagonal;
        for (const auto w : row_of(a, v)) {
            if (!placed && w > v) {
                h.column_indices.push_back(std::uint32_t(v));
                placed = true;
            }
            h.column_indices.push_back(w);
        }
        if (!placed) h.column_indices.push_back(std::uint32_t(v));
        h.row_offsets[v + 1] = h.column_indices.size();
    }
    return h;
}

// B = H S by forward-over-reverse lane passes: B(v, c), n x colors, row major.
template <class F, class C>
std::vector<container_number<C>> compressed_hessian_columns(F& f, const C& x, const coloring& star) {
    using T = container_number<C>;
    const std::size_t n = size_of(x);
    const std::size_t q = star.colors;
    std::vector<T> B(n * q, T(0));
    forward_lane_passes<jacobian_cost_model::forward_lanes, driver_duals<F, C>>(
        color_directions{star.color, q}, dual_inputs(x), gradient_on_dual_tape(f, n),
        [&]<class D>(std::type_identity<D>, const std::vector<D>& gradient, std::size_t first, std::size_t count) {
            for (std::size_t v = 0; v < n; ++v)
                for (std::size_t l = 0; l < count; ++l) B[v * q + first + l] = gradient[v].tangent(l);
        });
    return B;
}

// Direct recovery of the entries of `storage` (hessian_storage) from B.
template <class T>
std::vector<T> recover_star(const sparsity_pattern& storage, const coloring& star, const std::vector<T>& B) {
    const std::size_t n = storage.rows, q = star.colors;
    const auto& color = star.color;
    // unique[v][c]: whether colour c is held by exactly one neighbour of v;
    // computed per row as needed (rows v and w both), so kept for all rows.
    std::vector<std::uint8_t> seen(n * q, 0);  // 0: none, 1: one, 2: more
    for (std::size_t v = 0; v < n; ++v)
        for (const auto w : row_of(storage, v))
            if (w != v) {
                auto& s = seen[v * q + color[w]];
                s = std::uint8_t(s < 2 ? s + 1 : 2);
            }
    std::vector<T> values(storage.nonzeros(), T(0));
    for (std::size_t v = 0; v < n; ++v)
        for (std::size_t k = storage.row_offsets[v]; k < storage.row_offsets[v + 1]; ++k) {
            const std::size_t w = storage.column_indices[k];
            if (w == v) {
                values[k] = B[v * q + color[v]];
                continue;
            }
            const bool from_v = seen[v * q + color[w]] == 1;  // H(v, w) = B(v, colour w)
            const bool from_w = seen[w * q + color[v]] == 1;  // H(w, v) = B(w, colour v)
            const T a = B[v * q + color[w]], b = B[w * q + color[v]];
            values[k] = from_v && from_w ? (v < w ? (a + b) / 2 : (b + a) / 2) : from_v ? a : b;
        }
    return values;
}

template <class F, class C>
sparse_matrix<container_number<C>> run_sparse_hessian(F& f, const C& x, const sparsity_pattern& storage,
                                                      const coloring& star) {
    const auto B = compressed_hessian_columns(f, x, star);
    return sparse_matrix<container_number<C>>(storage, recover_star(storage, star, B), star.colors);
}

inline void check_hessian_pattern(const char* operation, std::size_t n, const sparsity_pattern& p) {
    if (p.rows != n || p.cols != n)
        throw_invalid_argument(operation, "x has ", n, n == 1 ? " element" : " elements", " but the pattern is ",
                               p.rows, " x ", p.cols);
}

}  // namespace detail

/// A sparse Hessian's plan: f, the stored pattern and its star colouring;
/// plan(x) is the Hessian at x. Holds a copy of f (called through a mutable
/// member: not for concurrent calls with a stateful f).
template <class F, class C>
class compressed_hessian {
public:
    using value_type = detail::container_number<C>;

    compressed_hessian(F f, const sparsity_pattern& pattern)
        : f_(std::move(f)), storage_(detail::hessian_storage(pattern)), star_(star_coloring(storage_)) {}

    sparse_matrix<value_type> operator()(const C& x) const {
        const std::size_t n = detail::size_of(x);
        if (n != storage_.rows)
            detail::throw_size_mismatch("sparse_hessian_plan", "x", n, "the plan's x", storage_.rows);
        return detail::run_sparse_hessian(f_, x, storage_, star_);
    }

    /// The stored pattern: symmetric, both triangles.
    const sparsity_pattern& pattern() const { return storage_; }
    const duet::coloring& coloring() const { return star_; }
    std::size_t colors() const { return star_.colors; }
    std::size_t inputs() const { return storage_.rows; }

private:
    mutable F f_;
    sparsity_pattern storage_;
    duet::coloring star_;
};

template <class F, container_argument C>
auto sparse_hessian_plan(F&& f, const C& x, const sparsity_pattern& pattern) {
    detail::container_callable<F, C, true, true>();
    detail::check_hessian_pattern("sparse_hessian_plan", detail::size_of(x), pattern);
    return compressed_hessian<std::decay_t<F>, C>(std::forward<F>(f), pattern);
}

template <class F, container_argument C>
sparse_matrix<detail::container_number<C>> sparse_hessian(F&& f, const C& x, const sparsity_pattern& pattern) {
    if constexpr (!detail::container_callable<F, C, true, true>()) {
        return {};
    } else {
        detail::check_hessian_pattern("sparse_hessian", detail::size_of(x), pattern);
        const sparsity_pattern storage = detail::hessian_storage(pattern);
        return detail::run_sparse_hessian(f, x, storage, star_coloring(storage));
    }
}

template <class F, container_argument C>
auto sparse_hessian_plan(F&& f, const C& x) {
    const sparsity_pattern pattern = hessian_sparsity(f, x);
    return sparse_hessian_plan(std::forward<F>(f), x, pattern);
}

template <class F, container_argument C>
sparse_matrix<detail::container_number<C>> sparse_hessian(F&& f, const C& x) {
    return sparse_hessian(f, x, hessian_sparsity(f, x));
}

}  // namespace duet
