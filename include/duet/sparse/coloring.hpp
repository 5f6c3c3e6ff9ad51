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
// The order is coloring_order::natural (0, 1, 2, ...), ::largest_first
// (decreasing degree in the graph being coloured, ties in natural order),
// ::smallest_last (Matula-Beck: repeatedly remove a vertex of smallest
// degree in what remains; colour in the reverse order of removal) or
// ::fewest, the default: natural, and smallest_last as well unless natural
// already reached the lower bound (the longest row for a column colouring,
// the largest degree + 1 for a star colouring), keeping the one with fewer
// colours (natural on a tie). ::fewest is the default of the column and row
// colourings; the star colouring's default is natural. On a banded pattern
// natural gives the optimum, the bandwidth; on the 2-D five-point stencil
// smallest_last gives the optimum 5 where natural gives 7 (the figures:
// doc/sparse.md).
//
// Cost: a column colouring touches, per column j, every entry of the rows of
// j: sum over rows of (row length)^2 (a dense row of length n costs n^2);
// the smallest-last order costs the same twice more (degrees, then one
// neighbourhood per removal) and O(n) memory. A star colouring: per vertex,
// its distance-3 neighbourhood; its smallest-last order is on the
// adjacency, O(nonzeros).
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

enum class coloring_order { natural, largest_first, smallest_last, fewest };

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

// Smallest-last order (Matula and Beck 1983) of a graph given by
// neighbours(v, visit), which calls visit(w) once for each neighbour w != v.
// Vertices sit in buckets by their degree among the vertices not yet
// removed (doubly linked, so a move is O(1) and memory is O(n)); each step
// removes a vertex of smallest degree and places it last among those not
// yet placed. Removing a vertex lowers its neighbours' degrees by one, so
// the smallest non-empty bucket is at least the previous one minus one.
template <class Neighbours>
std::vector<std::uint32_t> smallest_last(std::size_t n, Neighbours&& neighbours) {
    constexpr std::uint32_t none = std::uint32_t(-1);
    std::vector<std::size_t> degree(n, 0);
    for (std::size_t v = 0; v < n; ++v) neighbours(std::uint32_t(v), [&](std::uint32_t) { ++degree[v]; });
    const std::size_t max_degree = n == 0 ? 0 : *std::max_element(degree.begin(), degree.end());
    std::vector<std::uint32_t> head(max_degree + 1, none), next(n, none), previous(n, none);
    const auto link = [&](std::uint32_t v) {
        const std::size_t d = degree[v];
        next[v] = head[d];
        previous[v] = none;
        if (head[d] != none) previous[head[d]] = v;
        head[d] = v;
    };
    const auto unlink = [&](std::uint32_t v) {
        if (previous[v] != none) next[previous[v]] = next[v];
        else head[degree[v]] = next[v];
        if (next[v] != none) previous[next[v]] = previous[v];
    };
    for (std::size_t v = 0; v < n; ++v) link(std::uint32_t(v));
    std::vector<char> removed(n, 0);
    std::vector<std::uint32_t> order(n);
    std::size_t d = 0;
    for (std::size_t position = n; position-- > 0;) {
        if (d > 0) --d;
        while (head[d] == none) ++d;
        const std::uint32_t v = head[d];
        unlink(v);
        removed[v] = 1;
        order[position] = v;
        neighbours(v, [&](std::uint32_t w) {
            if (removed[w]) return;
            unlink(w);
            --degree[w];
            link(w);
        });
    }
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

// Calls visit(k) once for each column k != j that shares a row with column
// j (t is p's transpose: column j's rows). Holds a stamp per column, so a
// call costs the entries of j's rows and clears nothing.
struct distance2_neighbours {
    const sparsity_pattern& p;
    const sparsity_pattern& t;
    std::vector<std::size_t> seen = std::vector<std::size_t>(p.cols, 0);
    std::size_t calls = 0;

    template <class Visit>
    void operator()(std::uint32_t j, Visit&& visit) {
        const std::size_t mark = ++calls;
        for (const auto i : row_of(t, j))
            for (const auto k : row_of(p, i))
                if (k != j && seen[k] != mark) {
                    seen[k] = mark;
                    visit(k);
                }
    }
};

// The greedy distance-2 colouring of p's columns in a given visiting order
// (natural, largest_first or smallest_last).
inline coloring distance2_columns_in_order(const sparsity_pattern& p, const sparsity_pattern& t,
                                           coloring_order order) {
    const std::size_t n = p.cols;
    std::vector<std::uint32_t> sequence(n);
    std::iota(sequence.begin(), sequence.end(), std::uint32_t(0));
    if (order == coloring_order::largest_first) {
        // degree: the number of other columns sharing a row with j
        std::vector<std::size_t> degree(n, 0);
        distance2_neighbours neighbours{p, t};
        for (std::size_t j = 0; j < n; ++j) neighbours(std::uint32_t(j), [&](std::uint32_t) { ++degree[j]; });
        sequence = largest_first(degree);
    } else if (order == coloring_order::smallest_last) {
        sequence = smallest_last(n, distance2_neighbours{p, t});
    }
    return greedy_coloring(n, sequence, [&](std::uint32_t j, const std::vector<std::uint32_t>& color, auto mark) {
        for (const auto i : row_of(t, j))
            for (const auto k : row_of(p, i)) mark(color[k]);  // color[j] is still none
    });
}

// Distance-2 colouring of the columns of p: columns sharing a row differ.
// t is p's transpose (column j's rows).
inline coloring distance2_columns(const sparsity_pattern& p, const sparsity_pattern& t, coloring_order order) {
    const std::size_t n = p.cols;
    if (n >= std::size_t(std::uint32_t(-1)))
        detail::throw_invalid_argument("column_coloring", "the pattern has ", n, " columns; at most 2^32 - 2");
    if (order != coloring_order::fewest) return distance2_columns_in_order(p, t, order);
    coloring natural = distance2_columns_in_order(p, t, coloring_order::natural);
    // the entries of a row need distinct colours: the longest row is a lower bound
    std::size_t longest_row = 0;
    for (std::size_t i = 0; i < p.rows; ++i)
        longest_row = std::max<std::size_t>(longest_row, p.row_offsets[i + 1] - p.row_offsets[i]);
    if (natural.colors <= longest_row) return natural;
    coloring smallest = distance2_columns_in_order(p, t, coloring_order::smallest_last);
    return smallest.colors < natural.colors ? smallest : natural;
}

}  // namespace detail

/// Columns sharing a row get different colours (forward compression, J S).
inline coloring column_coloring(const sparsity_pattern& p, coloring_order order = coloring_order::fewest) {
    return detail::distance2_columns(p, detail::transpose(p), order);
}

/// Rows sharing a column get different colours (reverse compression, W J).
inline coloring row_coloring(const sparsity_pattern& p, coloring_order order = coloring_order::fewest) {
    const sparsity_pattern t = detail::transpose(p);
    return detail::distance2_columns(t, p, order);
}

namespace detail {

// The greedy star colouring of the adjacency a (symmetric_adjacency) in a
// given visiting order (natural, largest_first or smallest_last).
inline coloring star_coloring_in_order(const sparsity_pattern& a, coloring_order order) {
    const std::size_t n = a.rows;
    std::vector<std::uint32_t> sequence(n);
    std::iota(sequence.begin(), sequence.end(), std::uint32_t(0));
    if (order == coloring_order::largest_first) {
        std::vector<std::size_t> degree(n);
        for (std::size_t v = 0; v < n; ++v) degree[v] = a.row_offsets[v + 1] - a.row_offsets[v];
        sequence = largest_first(degree);
    } else if (order == coloring_order::smallest_last) {
        sequence = smallest_last(n, [&](std::uint32_t v, auto&& visit) {
            for (const auto w : row_of(a, v)) visit(w);
        });
    }
    constexpr std::uint32_t none = std::uint32_t(-1);
    return greedy_coloring(n, sequence, [&](std::uint32_t v, const std::vector<std::uint32_t>& color, auto mark) {
        for (const auto w : row_of(a, v)) {
            mark(color[w]);
            for (const auto x : row_of(a, w)) {
                if (x == v || color[x] == none) continue;
                if (color[w] == none) {
                    mark(color[x]);
                } else {
                    for (const auto y : row_of(a, x))
                        if (y != w && color[y] == color[w]) {
                            mark(color[x]);
                            break;
                        }
                }
            }
        }
    });
}

}  // namespace detail

/// A star colouring of the symmetric closure of a square pattern (the
/// diagonal ignored): adjacent variables differ, and every path on four
/// vertices uses at least three colours. The default order is natural:
/// smallest_last never used fewer colours on the patterns of the tests
/// (doc/sparse.md) and ::fewest runs both.
inline coloring star_coloring(const sparsity_pattern& p, coloring_order order = coloring_order::natural) {
    if (p.rows != p.cols)
        detail::throw_invalid_argument("star_coloring", "the pattern is ", p.rows, " x ", p.cols,
                                       "; a Hessian pattern is square");
    const sparsity_pattern a = detail::symmetric_adjacency(p);
    if (order != coloring_order::fewest) return detail::star_coloring_in_order(a, order);
    coloring natural = detail::star_coloring_in_order(a, coloring_order::natural);
    // no lower bound short of the clique size is cheap here: try both
    coloring smallest = detail::star_coloring_in_order(a, coloring_order::smallest_last);
    return smallest.colors < natural.colors ? smallest : natural;
}

}  // namespace duet
