// duet::sparse_matrix<T>: the result of sparse_jacobian / sparse_hessian, a
// matrix in compressed sparse row (CSR) form: its sparsity_pattern
// (sparse/pattern.hpp) and one value per stored entry, in the pattern's
// order.
//
//   rows(), cols(), nonzeros()     sizes (nonzeros: stored entries)
//   colors()                       the compressed passes that computed it
//                                  (forward lanes, reverse sweeps or
//                                  Hessian lanes: the colouring's colours)
//   operator()(i, j)               the entry; 0 where not stored
//   row_offsets(), column_indices(), values(), pattern()   the CSR arrays
//
// A stored entry may be 0 (the pattern is structural). Light on purpose:
// no xtensor, no Eigen (duet/eigen.hpp converts it: to_eigen).
//
// The pattern is immutable and shared: copies of a matrix, and the matrices
// a plan (sparse_jacobian_plan, sparse_hessian_plan) returns call after call,
// hold one pattern (a std::shared_ptr<const sparsity_pattern>), so a plan's
// result allocates only its values. Only values() may be written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "duet/core/error.hpp"
#include "duet/sparse/pattern.hpp"

namespace duet {

template <class T>
class sparse_matrix {
public:
    using value_type = T;

    sparse_matrix() = default;
    /// values: one per entry of the pattern, in its CSR order.
    sparse_matrix(sparsity_pattern pattern, std::vector<T> values, std::size_t colors = 0)
        : sparse_matrix(std::make_shared<const sparsity_pattern>(std::move(pattern)), std::move(values), colors) {}
    /// The same sharing a pattern (a null pointer: the 0 x 0 pattern).
    sparse_matrix(std::shared_ptr<const sparsity_pattern> pattern, std::vector<T> values, std::size_t colors = 0)
        : pattern_(std::move(pattern)), values_(std::move(values)), colors_(colors) {
        if (values_.size() != nonzeros())
            detail::throw_size_mismatch("sparse_matrix", "the values", values_.size(), "the pattern", nonzeros());
    }

    std::size_t rows() const { return stored().rows; }
    std::size_t cols() const { return stored().cols; }
    std::size_t nonzeros() const { return stored().nonzeros(); }
    std::size_t colors() const { return colors_; }

    /// The entry (i, j): its stored value, or 0 where the pattern has none.
    /// Throws std::out_of_range outside the matrix.
    T operator()(std::size_t i, std::size_t j) const {
        if (i >= rows() || j >= cols())
            detail::throw_out_of_range("sparse_matrix", "entry (", i, ", ", j, ") is outside a ", rows(), " x ",
                                       cols(), " matrix");
        const std::size_t k = find(i, j);
        return k == npos ? T(0) : values_[k];
    }

    const std::vector<std::size_t>& row_offsets() const { return stored().row_offsets; }
    const std::vector<std::uint32_t>& column_indices() const { return stored().column_indices; }
    std::span<const T> values() const { return values_; }
    std::span<T> values() { return values_; }
    const sparsity_pattern& pattern() const { return stored(); }
    /// The shared pattern (never null).
    std::shared_ptr<const sparsity_pattern> shared_pattern() const { return pattern_ ? pattern_ : empty_pattern(); }

    /// The position of (i, j) in values(), npos where not stored.
    static constexpr std::size_t npos = std::size_t(-1);
    std::size_t find(std::size_t i, std::size_t j) const {
        if (i >= rows() || j >= cols()) return npos;
        const auto& c = stored().column_indices;
        std::size_t lo = stored().row_offsets[i], hi = stored().row_offsets[i + 1];
        const std::size_t end = hi;
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (c[mid] < j) lo = mid + 1;
            else hi = mid;
        }
        return lo != end && c[lo] == j ? lo : npos;
    }

    /// Equal patterns (compared by value), values and colours.
    friend bool operator==(const sparse_matrix& a, const sparse_matrix& b) {
        return (a.pattern_ == b.pattern_ || a.stored() == b.stored()) && a.values_ == b.values_ &&
               a.colors_ == b.colors_;
    }

private:
    static const std::shared_ptr<const sparsity_pattern>& empty_pattern() {
        static const auto empty = std::make_shared<const sparsity_pattern>();
        return empty;
    }
    // The pattern; that of a 0 x 0 matrix when none is held (a default-
    // constructed or moved-from matrix, or a null pointer given).
    const sparsity_pattern& stored() const { return pattern_ ? *pattern_ : *empty_pattern(); }

    std::shared_ptr<const sparsity_pattern> pattern_;
    std::vector<T> values_;
    std::size_t colors_ = 0;
};

}  // namespace duet
