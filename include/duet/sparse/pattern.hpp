// A sparsity pattern: which entries of an m x n matrix may be nonzero, in
// compressed sparse row (CSR) form. Row i's columns are
// column_indices[row_offsets[i] .. row_offsets[i + 1]), sorted ascending,
// without repeats. Produced by jacobian_sparsity / hessian_sparsity
// (sparse/sparsity.hpp), consumed by the colourings (sparse/coloring.hpp) and
// the compressed drivers; the pattern of a sparse_matrix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace duet {

struct sparsity_pattern {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<std::size_t> row_offsets{0};     // rows + 1 entries
    std::vector<std::uint32_t> column_indices;   // nonzeros() entries

    std::size_t nonzeros() const { return column_indices.size(); }

    // Whether (i, j) is in the pattern (binary search in row i).
    bool contains(std::size_t i, std::size_t j) const {
        if (i >= rows || j >= cols) return false;
        auto lo = column_indices.begin() + std::ptrdiff_t(row_offsets[i]);
        auto hi = column_indices.begin() + std::ptrdiff_t(row_offsets[i + 1]);
        while (lo < hi) {
            auto mid = lo + (hi - lo) / 2;
            if (*mid < j) lo = mid + 1;
            else hi = mid;
        }
        return lo != column_indices.begin() + std::ptrdiff_t(row_offsets[i + 1]) && *lo == j;
    }

    friend bool operator==(const sparsity_pattern&, const sparsity_pattern&) = default;
};

}  // namespace duet
