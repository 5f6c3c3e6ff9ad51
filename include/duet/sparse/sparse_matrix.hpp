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
#pragma once

#include <cstddef>
#include <cstdint>
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
        : pattern_(std::move(pattern)), values_(std::move(values)), colors_(colors) {
        if (values_.size() != pattern_.nonzeros())
            detail::throw_size_mismatch("sparse_matrix", "the values", values_.size(), "the pattern",
                                        pattern_.nonzeros());
    }

    std::size_t rows() const { return pattern_.rows; }
    std::size_t cols() const { return pattern_.cols; }
    std::size_t nonzeros() const { return pattern_.nonzeros(); }
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

    const std::vector<std::size_t>& row_offsets() const { return pattern_.row_offsets; }
    const std::vector<std::uint32_t>& column_indices() const { return pattern_.column_indices; }
    std::span<const T> values() const { return values_; }
    std::span<T> values() { return values_; }
    const sparsity_pattern& pattern() const { return pattern_; }

    /// The position of (i, j) in values(), npos where not stored.
    static constexpr std::size_t npos = std::size_t(-1);
    std::size_t find(std::size_t i, std::size_t j) const {
        if (i >= rows() || j >= cols()) return npos;
        const auto& c = pattern_.column_indices;
        std::size_t lo = pattern_.row_offsets[i], hi = pattern_.row_offsets[i + 1];
        const std::size_t end = hi;
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (c[mid] < j) lo = mid + 1;
            else hi = mid;
        }
        return lo != end && c[lo] == j ? lo : npos;
    }

    friend bool operator==(const sparse_matrix&, const sparse_matrix&) = default;

private:
    sparsity_pattern pattern_;
    std::vector<T> values_;
    std::size_t colors_ = 0;
};

}  // namespace duet
