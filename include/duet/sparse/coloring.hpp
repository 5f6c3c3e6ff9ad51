// Graph colourings of a sparsity pattern: which columns (or rows) of a sparse
// Jacobian, or which variables of a sparse Hessian, may share one compressed
// pass (doc/sparse.md).
//
//   column_coloring(p)  columns sharing a row get different colours (a
//                       distance-2 colouring of the bipartite row/column
//                       graph): J S, S(j, c) = [colour(j) == c], holds every
//                       J(i, j) alone in B(i, colour(j)). Forward mode.
//   row_coloring(p)     the same for rows (columns of the transpose): W J,
//                       W(c, i) = [colour(i) == c]. Reverse mode.
//   star_coloring(p)    a symmetric n x n pattern (the union of p and its
//                       transpose is used; the diagonal is ignored): a
//                       distance-1 colouring in which every path on four
//                       vertices uses at least three colours, so that every
//                       H(i, j) can be read directly from H S (direct
//                       recovery: star_recovery_row below).
//
// All three are greedy: vertices are visited in one order and each takes the
// smallest colour its constraints allow. The star colouring is
// Gebremedhin-Manne-Pothen's greedy algorithm ("What color is your
// Jacobian?", SIAM Review 47(4), 2005, Algorithm 4.1): colouring v, a colour
// is forbidden if a neighbour w has it, if w is uncoloured and a neighbour
// x != v of w has it (distance 2 through an uncoloured vertex), or if x has
// it, w is coloured and a neighbour y != w of x has w's colour (v-w-x-y
// would be a two-coloured path on four vertices).
//
// The order is coloring_order::natural (0, 1, 2, ...) or ::largest_first
// (decreasing degree in the graph being coloured, ties in natural order).
// natural is the default: on the patterns of the tests it gives as few
// colours as largest_first or fewer (the figures: doc/sparse.md), and on a
// banded pattern it gives the optimum, the bandwidth.
//
// Cost: a column colouring touches, per column j, every entry of the rows of
// j: sum over rows of (row length)^2 (a dense row of length n costs n^2). A
// star colouring: per vertex, its distance-3 neighbourhood.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

#include "duet/core/error.hpp"
#include "duet/sparse/pattern.hpp"

namespace duet {

/// A colouring: color[v] in 0 .. colors - 1 for each vertex v (a column, a
/// row or a variable).
struct coloring {
    std::vector<std::uint32_t> color;
    std::size_t colors = 0;

    friend bool operator==(const coloring&, const coloring&) = default;
};

enum class coloring_order { natural, largest_first };

namespace detail {

// The transpose of p (cols x rows), rows sorted.
inline sparsity_pattern transpose(const sparsity_pattern& p) {
    sparsity_pattern t;
    t.rows = p.cols;
    t.cols = p.rows;
    t.row_offsets.assign(p.cols + 1, 0);
    for (const auto j : p.column_indices) ++t.row_offsets[std::size_t(j) + 1];
    std::partial_sum(t.row_offsets.begin(), t.row_offsets.end(), t.row_offsets.begin());
    t.column_indices.resize(p.nonzeros());
    std::vector<std::size_t> next(t.row_offsets.begin(), t.row_offsets.end() - 1);
    for (std::size_t i = 0; i < p.rows; ++i)
        for (std::size_t k = p.row_offsets[i]; k < p.row_offsets[i + 1]; ++k)
            t.column_indices[next[p.column_indices[k]]++] = std::uint32_t(i);
    return t;
}

// The off-diagonal adjacency of the symmetric closure of a square pattern:
// row v lists the w != v with (v, w) or (w, v) in p, sorted.
inline sparsity_pattern symmetric_adjacency(const sparsity_pattern& p) {
    const sparsity_pattern t = transpose(p);
    sparsity_pattern a;
    a.rows = a.cols = p.rows;
    a.row_offsets.assign(p.rows + 1, 0);
    a.column_indices.reserve(2 * p.nonzeros());
    for (std::size_t v = 0; v < p.rows; ++v) {
        // merge row v of p and of t, without v and without repeats
        std::size_t i = p.row_offsets[v], j = t.row_offsets[v];
        const std::size_t ie = p.row_offsets[v + 1], je = t.row_offsets[v + 1];
        while (i < ie || j < je) {
            std::uint32_t w;
            if (j == je || (i < ie && p.column_indices[i] < t.column_indices[j])) w = p.column_indices[i++];
            else if (i == ie || t.column_indices[j] < p.column_indices[i]) w = t.column_indices[j++];
            else { w = p.column_indices[i++]; ++j; }
            if (w != v) a.column_indices.push_back(w);
        }
        a.row_offsets[v + 1] = a.column_indices.size();
    }
    return a;
}

// Row v of a CSR pattern as a range.
struct pattern_row {
    const std::uint32_t* first;
    const std::uint32_t* last;
    const std::uint32_t* begin() const { return first; }
    const std::uint32_t* end() const { return last; }
    std::size_t size() const { return std::size_t(last - first); }
};
inline pattern_row row_of(const sparsity_pattern& p, std::size_t v) {
    const std::uint32_t* base = p.column_indices.data();
    return {base + p.row_offsets[v], base + p.row_offsets[v + 1]};
}

// Vertices 0 .. n-1 by decreasing degree (stable: ties in natural order).
inline std::vector<std::uint32_t> largest_first(const std::vector<std::size_t>& degree) {
    std::vector<std::uint32_t> order(degree.size());
    std::iota(order.begin(), order.end(), std::uint32_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return degree[a] > degree[b]; });
    return order;
}

// Colours vertices in `order`; forbid(v, mark) calls mark(c) for each colour
// v may not take. "Forbidden for v" is a stamp, so nothing is cleared.
template <class Forbid>
coloring greedy_coloring(std::size_t n, const std::vector<std::uint32_t>& order, Forbid&& forbid) {
    constexpr std::uint32_t none = std::uint32_t(-1);
    coloring out{std::vector<std::uint32_t>(n, none), 0};
    std::vector<std::size_t> stamp;  // stamp[c] == v + 1: colour c forbidden for v
    for (const std::uint32_t v : order) {
        const std::size_t mark_value = std::size_t(v) + 1;
        forbid(v, out.color, [&](std::uint32_t c) {
            if (c != none) stamp[c] = mark_value;
        });
        std::uint32_t c = 0;
        while (c < stamp.size() && stamp[c] == mark_value) ++c;
        if (c == stamp.size()) stamp.push_back(0);
        out.color[v] = c;
        out.colors = std::max(out.colors, std::size_t(c) + 1);
    }
    return out;
}

// Distance-2 colouring of the columns of p: columns sharing a row differ.
// t is p's transpose (column j's rows).
inline coloring distance2_columns(const sparsity_pattern& p, const sparsity_pattern& t, coloring_order order) {
    const std::size_t n = p.cols;
    if (n >= std::size_t(std::uint32_t(-1)))
        detail::throw_invalid_argument("column_coloring", "the pattern has ", n, " columns; at most 2^32 - 2");
    std::vector<std::uint32_t> sequence(n);
    std::iota(sequence.begin(), sequence.end(), std::uint32_t(0));
    if (order == coloring_order::largest_first) {
        // degree: the number of other columns sharing a row with j
        std::vector<std::size_t> degree(n, 0), seen(n, 0);
        for (std::size_t j = 0; j < n; ++j)
            for (const auto i : row_of(t, j))
                for (const auto k : row_of(p, i))
                    if (k != j && seen[k] != j + 1) {
                        seen[k] = j + 1;
                        ++degree[j];
                    }
        sequence = largest_first(degree);
    }
    return greedy_coloring(n, sequence, [&](std::uint32_t j, const std::vector<std::uint32_t>& color, auto mark) {
        for (const auto i : row_of(t, j))
            for (const auto k : row_of(p, i)) mark(color[k]);  // color[j] is still none
    });
}

}  // namespace detail

/// Columns sharing a row get different colours (forward compression, J S).
inline coloring column_coloring(const sparsity_pattern& p, coloring_order order = coloring_order::natural) {
    return detail::distance2_columns(p, detail::transpose(p), order);
}

/// Rows sharing a column get different colours (reverse compression, W J).
inline coloring row_coloring(const sparsity_pattern& p, coloring_order order = coloring_order::natural) {
    const sparsity_pattern t = detail::transpose(p);
    return detail::distance2_columns(t, p, order);
}

/// A star colouring of the symmetric closure of a square pattern (the
/// diagonal ignored): adjacent variables differ, and every path on four
/// vertices uses at least three colours.
inline coloring star_coloring(const sparsity_pattern& p, coloring_order order = coloring_order::natural) {
    if (p.rows != p.cols)
        detail::throw_invalid_argument("star_coloring", "the pattern is ", p.rows, " x ", p.cols,
                                       "; a Hessian pattern is square");
    const sparsity_pattern a = detail::symmetric_adjacency(p);
    const std::size_t n = a.rows;
    std::vector<std::uint32_t> sequence(n);
    std::iota(sequence.begin(), sequence.end(), std::uint32_t(0));
    if (order == coloring_order::largest_first) {
        std::vector<std::size_t> degree(n);
        for (std::size_t v = 0; v < n; ++v) degree[v] = a.row_offsets[v + 1] - a.row_offsets[v];
        sequence = detail::largest_first(degree);
    }
    constexpr std::uint32_t none = std::uint32_t(-1);
    return detail::greedy_coloring(n, sequence, [&](std::uint32_t v, const std::vector<std::uint32_t>& color, auto mark) {
        for (const auto w : detail::row_of(a, v)) {
            mark(color[w]);
            for (const auto x : detail::row_of(a, w)) {
                if (x == v || color[x] == none) continue;
                if (color[w] == none) {
                    mark(color[x]);
                } else {
                    for (const auto y : detail::row_of(a, x))
                        if (y != w && color[y] == color[w]) {
                            mark(color[x]);
                            break;
                        }
                }
            }
        }
    });
}

}  // namespace duet
