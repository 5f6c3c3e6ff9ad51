// Sparse Hessians by compression (doc/sparse.md), for scalar functions of ONE
// container argument (std::vector / std::array; drivers/container.hpp):
//
//   sparse_hessian(f, x [, threads{k}])  -> sparse_matrix<T>, n x n,
//                                           symmetric, both triangles stored
//   sparse_hessian(f, x, pattern [, threads{k}])   with a known pattern
//   sparse_hessian_plan(f, x[, pattern])
//       -> compressed_hessian<F, C>: pattern (hessian_sparsity at x,
//          sparse/sparsity.hpp, unless given) and star colouring;
//          plan(x_new [, threads{k}]) is the Hessian at x_new.
// threads{k}: the lane passes on k threads (the engine's; each thread
// records on its own workspace tape of duals), bitwise the k = 1 result.
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
#include <memory>
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

// B = H S by forward-over-reverse lane passes: B(v, c), n x colors, row
// major, written into B (sized n * colors). With k threads the engine's
// passes (each thread records on its own workspace tape of duals); with one
// and `kept`, the plan's kept inputs (color_lane_passes).
template <class F, class C>
void compressed_hessian_columns(F& f, const C& x, const coloring& star, std::span<container_number<C>> B, threads k,
                                kept_dual_inputs<driver_duals<F, C>, C>* kept = nullptr) {
    const std::size_t n = size_of(x);
    const std::size_t q = star.colors;
    color_lane_passes<driver_duals<F, C>>(
        x, star, gradient_on_dual_tape(f, n),
        [&]<class D>(std::type_identity<D>, const std::vector<D>& gradient, std::size_t first, std::size_t count) {
            for (std::size_t v = 0; v < n; ++v)
                for (std::size_t l = 0; l < count; ++l) B[v * q + first + l] = gradient[v].tangent(l);
        },
        k, kept);
}

// single[v * q + c]: whether colour c is held by exactly one neighbour of v
// in `storage` (hessian_storage); a property of the pattern and the colouring
// (a plan computes it once).
inline std::vector<std::uint8_t> single_neighbour_colors(const sparsity_pattern& storage, const coloring& star) {
    const std::size_t n = storage.rows, q = star.colors;
    std::vector<std::uint8_t> seen(n * q, 0);  // 0: none, 1: one, 2: more
    for (std::size_t v = 0; v < n; ++v)
        for (const auto w : row_of(storage, v))
            if (w != v) {
                auto& s = seen[v * q + star.color[w]];
                s = std::uint8_t(s < 2 ? s + 1 : 2);
            }
    return seen;
}

// Direct recovery of the entries of `storage` from B into values.
template <class T>
void recover_star(const sparsity_pattern& storage, const coloring& star, const std::vector<std::uint8_t>& single,
                  std::span<const T> B, std::span<T> values) {
    const std::size_t q = star.colors;
    const auto& color = star.color;
    for (std::size_t v = 0; v < storage.rows; ++v)
        for (std::size_t k = storage.row_offsets[v]; k < storage.row_offsets[v + 1]; ++k) {
            const std::size_t w = storage.column_indices[k];
            if (w == v) {
                values[k] = B[v * q + color[v]];
                continue;
            }
            const bool from_v = single[v * q + color[w]] == 1;  // H(v, w) = B(v, colour w)
            const bool from_w = single[w * q + color[v]] == 1;  // H(w, v) = B(w, colour v)
            const T a = B[v * q + color[w]], b = B[w * q + color[v]];
            values[k] = from_v && from_w ? (v < w ? (a + b) / 2 : (b + a) / 2) : from_v ? a : b;
        }
}

// What a sparse Hessian runs with: the stored pattern (shared with the
// results), its star colouring and single_neighbour_colors.
struct sparse_hessian_setup {
    std::shared_ptr<const sparsity_pattern> storage;
    coloring star;
    std::vector<std::uint8_t> single;
};

inline sparse_hessian_setup setup_sparse_hessian(const sparsity_pattern& pattern) {
    auto storage = std::make_shared<const sparsity_pattern>(hessian_storage(pattern));
    coloring star = star_coloring(*storage);
    std::vector<std::uint8_t> single = single_neighbour_colors(*storage, star);
    return {std::move(storage), std::move(star), std::move(single)};
}

// What a Hessian plan keeps between calls: the passes' inputs and B.
template <class F, class C>
struct kept_hessian_buffers {
    kept_dual_inputs<driver_duals<F, C>, C> inputs;
    std::vector<container_number<C>> B;
};

template <class F, class C>
sparse_matrix<container_number<C>> run_sparse_hessian(F& f, const C& x, const sparse_hessian_setup& s, threads k,
                                                      kept_hessian_buffers<F, C>* kept = nullptr) {
    using T = container_number<C>;
    std::vector<T> local;
    std::vector<T>& B = kept != nullptr ? kept->B : local;
    B.assign(size_of(x) * s.star.colors, T(0));
    compressed_hessian_columns(f, x, s.star, std::span<T>(B), k, kept != nullptr ? &kept->inputs : nullptr);
    std::vector<T> values(s.storage->nonzeros(), T(0));
    recover_star(*s.storage, s.star, s.single, std::span<const T>(B), std::span<T>(values));
    return sparse_matrix<T>(s.storage, std::move(values), s.star.colors);
}

inline void check_hessian_pattern(const char* operation, std::size_t n, const sparsity_pattern& p) {
    if (p.rows != n || p.cols != n)
        throw_invalid_argument(operation, "x has ", n, n == 1 ? " element" : " elements", " but the pattern is ",
                               p.rows, " x ", p.cols);
}

}  // namespace detail

/// A sparse Hessian's plan: f, the stored pattern and its star colouring;
/// plan(x [, duet::threads{k}]) is the Hessian at x. The results share the
/// plan's pattern. The plan keeps its passes' inputs and compressed columns
/// between calls; a call that finds them in use by another (a concurrent
/// call) builds its own, so plan(x) may be called from several threads at
/// once as long as f may (a copy of f called through a mutable member: a
/// stateful f is not for concurrent calls).
template <class F, class C>
class compressed_hessian {
public:
    using value_type = detail::container_number<C>;

    compressed_hessian(F f, const sparsity_pattern& pattern)
        : f_(std::move(f)), setup_(detail::setup_sparse_hessian(pattern)) {}

    /// The Hessian at x; threads{k}: its lane passes on k threads, bitwise
    /// the same result.
    sparse_matrix<value_type> operator()(const C& x, threads k = threads{}) const {
        const std::size_t n = detail::size_of(x);
        if (n != inputs()) detail::throw_size_mismatch("sparse_hessian_plan", "x", n, "the plan's x", inputs());
        return kept_.with([&](auto* kept) { return detail::run_sparse_hessian(f_, x, setup_, k, kept); });
    }

    /// The stored pattern: symmetric, both triangles.
    const sparsity_pattern& pattern() const { return *setup_.storage; }
    const duet::coloring& coloring() const { return setup_.star; }
    std::size_t colors() const { return setup_.star.colors; }
    std::size_t inputs() const { return setup_.storage->rows; }

private:
    mutable F f_;
    detail::sparse_hessian_setup setup_;
    mutable detail::kept_between_calls<detail::kept_hessian_buffers<F, C>> kept_;
};

// threads{k} (last argument, default 1): the forward-over-reverse passes on
// k threads, bitwise the same result; f must be safe to call from several
// threads at once.

template <class F, container_argument C>
auto sparse_hessian_plan(F&& f, const C& x, const sparsity_pattern& pattern) {
    detail::container_callable<F, C, true, true>();
    detail::check_hessian_pattern("sparse_hessian_plan", detail::size_of(x), pattern);
    return compressed_hessian<std::decay_t<F>, C>(std::forward<F>(f), pattern);
}

template <class F, container_argument C>
sparse_matrix<detail::container_number<C>> sparse_hessian(F&& f, const C& x, const sparsity_pattern& pattern,
                                                          threads k = threads{}) {
    if constexpr (!detail::container_callable<F, C, true, true>()) {
        return {};
    } else {
        detail::check_hessian_pattern("sparse_hessian", detail::size_of(x), pattern);
        return detail::run_sparse_hessian(f, x, detail::setup_sparse_hessian(pattern), k);
    }
}

template <class F, container_argument C>
auto sparse_hessian_plan(F&& f, const C& x) {
    const sparsity_pattern pattern = hessian_sparsity(f, x);
    return sparse_hessian_plan(std::forward<F>(f), x, pattern);
}

template <class F, container_argument C>
sparse_matrix<detail::container_number<C>> sparse_hessian(F&& f, const C& x, threads k = threads{}) {
    return sparse_hessian(f, x, hessian_sparsity(f, x), k);
}

}  // namespace duet
