// Sparse Jacobians by compression (doc/sparse.md), for functions of ONE
// container argument (std::vector / std::array; drivers/container.hpp):
//
//   sparse_jacobian([mode,] f, x)            -> sparse_matrix<T>, m x n
//   sparse_jacobian([mode,] f, x, pattern)   the same with a known pattern
//   sparse_jacobian_plan([mode,] f, x[, pattern])
//       -> compressed_jacobian<F, C>: the pattern (detected once at x by
//          jacobian_sparsity, sparse/sparsity.hpp, unless given), its
//          colouring and the mode; plan(x_new) is the Jacobian at x_new
//          without detecting or colouring again (a Newton loop).
//
// forward:   column colouring (sparse/coloring.hpp), q colours: columns of
//            one colour share no row, so one tangent lane seeded with all of
//            them holds each J(i, j) alone; ceil(q / 8) lane passes of the
//            engine (drivers/passes.hpp), J(i, j) read from lane colour(j).
// reverse:   row colouring, p colours: one recording, p sweeps, each seeded
//            on the rows of one colour; J(i, j) is the adjoint of x_j in the
//            sweep of colour(i).
// automatic: the cost model on the colours: automatic_sparse_jacobian_mode
//            (q, p) (drivers/automatic.hpp); the cheaper colouring first,
//            the other only if its lower bound (the longest row / column)
//            could change the choice (choose_sparse_jacobian).
//
// The values are those of the dense drivers in the same mode (each lane or
// sweep computes what the dense driver's lane or sweep for one of its
// columns or rows computes, plus exact zeros from the others), so forward
// matches jacobian(forward, ...) and reverse jacobian(reverse, ...).
//
// A pattern is assumed to hold at every point it is used at: f's branches
// must not add entries (an entry outside the pattern is silently lost or
// added into the entry of another column or row of the same colour).
// Errors (std::invalid_argument, core/error.hpp): x's size differs from the
// pattern's or the plan's; f returns a number of outputs other than the
// pattern's rows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/core/error.hpp"
#include "duet/drivers/automatic.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/drivers/passes.hpp"
#include "duet/reverse/workspace.hpp"
#include "duet/sparse/coloring.hpp"
#include "duet/sparse/pattern.hpp"
#include "duet/sparse/sparse_matrix.hpp"
#include "duet/sparse/sparsity.hpp"

namespace duet {
namespace detail {

// Seed directions of the engine (drivers/passes.hpp): direction c is the sum
// of e_j over the inputs j of colour c (S(j, c) = [color[j] == c]). Each
// input has one colour, so a pass only moves ones: it clears the lanes of
// the previous pass and sets those of this one.
struct color_directions {
    const std::vector<std::uint32_t>& color;
    std::size_t colors;
    std::size_t count() const { return colors; }
    template <std::size_t L, class Inputs>
    void seed(Inputs& xs, std::size_t first) const {
        for (std::size_t j = 0; j < color.size(); ++j) {
            const std::size_t c = color[j];
            if (c + L >= first && c < first) xs[j].tangent(c + L - first) = 0;
            if (c >= first && c < first + L) xs[j].tangent(c - first) = 1;
        }
    }
};

// Seed rows of the engine: row c weighs the outputs of colour c with 1.
struct color_rows {
    const std::vector<std::uint32_t>& color;
    std::size_t colors;
    std::size_t count() const { return colors; }
    static constexpr bool unit = false;
    int weight(std::size_t r, std::size_t o) const { return color[o] == r ? 1 : 0; }
};

inline void check_pattern_columns(const char* operation, std::size_t n, const sparsity_pattern& p) {
    if (p.cols != n)
        throw_invalid_argument(operation, "x has ", n, n == 1 ? " element" : " elements", " but the pattern has ",
                               p.cols, p.cols == 1 ? " column" : " columns");
}

inline void check_pattern_rows(const char* operation, std::size_t m, const sparsity_pattern& p) {
    if (p.rows != m)
        throw_invalid_argument(operation, "f returned ", m, m == 1 ? " output" : " outputs", " but the pattern has ",
                               p.rows, p.rows == 1 ? " row" : " rows");
}

// Forward: the column colouring's colours as lanes.
template <class F, class C>
sparse_matrix<container_number<C>> forward_sparse_jacobian(F& f, const C& x, const sparsity_pattern& p,
                                                           const coloring& columns) {
    using T = container_number<C>;
    std::vector<T> values(p.nonzeros(), T(0));
    forward_lane_passes<jacobian_cost_model::forward_lanes, driver_duals<F, C>>(
        color_directions{columns.color, columns.colors}, dual_inputs(x), [&](const auto& xs) { return f(xs); },
        [&]<class D>(std::type_identity<D>, const auto& ys, std::size_t first, std::size_t count) {
            if constexpr (require_vector_result<std::remove_cvref_t<decltype(ys)>>()) {
                check_pattern_rows("sparse_jacobian", size_of(ys), p);
                for (std::size_t i = 0; i < p.rows; ++i) {
                    const std::size_t begin = p.row_offsets[i], end = p.row_offsets[i + 1];
                    if (begin == end) continue;
                    const auto yi = as_number<D>(ys[i]);
                    for (std::size_t k = begin; k < end; ++k) {
                        const std::size_t c = columns.color[p.column_indices[k]];
                        if (c >= first && c < first + count) values[k] = yi.tangent(c - first);
                    }
                }
            }
        });
    return sparse_matrix<T>(p, std::move(values), columns.colors);
}

// Reverse: one recording, one sweep per colour of the row colouring.
template <class F, class C>
sparse_matrix<container_number<C>> reverse_sparse_jacobian(F& f, const C& x, const sparsity_pattern& p,
                                                           const coloring& rows) {
    using T = container_number<C>;
    std::vector<T> values(p.nonzeros(), T(0));
    // the rows of each colour (CSR: colour -> rows)
    std::vector<std::size_t> offsets(rows.colors + 1, 0);
    for (const auto c : rows.color) ++offsets[std::size_t(c) + 1];
    for (std::size_t c = 0; c < rows.colors; ++c) offsets[c + 1] += offsets[c];
    std::vector<std::size_t> members(rows.color.size());
    {
        std::vector<std::size_t> next(offsets.begin(), offsets.end() - 1);
        for (std::size_t i = 0; i < rows.color.size(); ++i) members[next[rows.color[i]]++] = i;
    }
    with_workspace_tape<T>([&](tape<T>& t) {
        const auto recording = record_vector_function(t, f, x);
        check_pattern_rows("sparse_jacobian", recording.outputs.size(), p);
        reverse_sweeps(t, recording.view(), color_rows{rows.color, rows.colors},
                       [&](std::size_t c, std::span<const T> adjoints) {
                           for (std::size_t r = offsets[c]; r < offsets[c + 1]; ++r) {
                               const std::size_t i = members[r];
                               for (std::size_t k = p.row_offsets[i]; k < p.row_offsets[i + 1]; ++k)
                                   values[k] = adjoints[p.column_indices[k]];
                           }
                       });
    });
    return sparse_matrix<T>(p, std::move(values), rows.colors);
}

// The mode and the colouring it runs with, chosen for a mode tag.
struct sparse_jacobian_choice {
    mode_choice mode;
    coloring colors;
};

template <class Mode>
sparse_jacobian_choice choose_sparse_jacobian(Mode, const sparsity_pattern& p) {
    if constexpr (std::is_same_v<Mode, forward_t>) {
        return {mode_choice::forward, column_coloring(p)};
    } else if constexpr (std::is_same_v<Mode, reverse_t>) {
        return {mode_choice::reverse, row_coloring(p)};
    } else {
        // A colouring's work is the sum of the squared lengths of the rows
        // (columns) it scans, quadratic in a dense row (column); its colours
        // are at least the longest row (column). The cheaper colouring runs
        // first; the other only when its lower bound could still change the
        // choice (the choice is monotone in both counts). So a dense row
        // never costs n^2.
        std::vector<std::size_t> column_length(p.cols, 0);
        std::size_t longest_row = 0, longest_column = 0;
        double row_work = 0, column_work = 0;
        for (std::size_t i = 0; i < p.rows; ++i) {
            const std::size_t length = p.row_offsets[i + 1] - p.row_offsets[i];
            longest_row = std::max(longest_row, length);
            row_work += double(length) * double(length);
        }
        for (const auto j : p.column_indices) ++column_length[j];
        for (const auto length : column_length) {
            longest_column = std::max(longest_column, length);
            column_work += double(length) * double(length);
        }
        if (row_work <= column_work) {  // the column colouring scans rows
            coloring columns = column_coloring(p);
            if (automatic_sparse_jacobian_mode(columns.colors, longest_column) == mode_choice::forward)
                return {mode_choice::forward, std::move(columns)};
            coloring rows = row_coloring(p);
            if (automatic_sparse_jacobian_mode(columns.colors, rows.colors) == mode_choice::forward)
                return {mode_choice::forward, std::move(columns)};
            return {mode_choice::reverse, std::move(rows)};
        }
        coloring rows = row_coloring(p);
        if (automatic_sparse_jacobian_mode(longest_row, rows.colors) == mode_choice::reverse)
            return {mode_choice::reverse, std::move(rows)};
        coloring columns = column_coloring(p);
        if (automatic_sparse_jacobian_mode(columns.colors, rows.colors) == mode_choice::forward)
            return {mode_choice::forward, std::move(columns)};
        return {mode_choice::reverse, std::move(rows)};
    }
}

template <class F, class C>
sparse_matrix<container_number<C>> run_sparse_jacobian(F& f, const C& x, const sparsity_pattern& p,
                                                       const sparse_jacobian_choice& choice) {
    if (choice.mode == mode_choice::forward) return forward_sparse_jacobian(f, x, p, choice.colors);
    return reverse_sparse_jacobian(f, x, p, choice.colors);
}

}  // namespace detail

/// A sparse Jacobian's plan: f, the pattern, the colouring and the mode;
/// plan(x) computes the Jacobian at x by compression without detecting the
/// pattern or colouring again. Holds a copy of f (called through a mutable
/// member: a plan is not for concurrent calls with a stateful f).
template <class F, class C>
class compressed_jacobian {
public:
    using value_type = detail::container_number<C>;

    compressed_jacobian(F f, std::size_t n, sparsity_pattern pattern, detail::sparse_jacobian_choice choice)
        : f_(std::move(f)), n_(n), pattern_(std::move(pattern)), choice_(std::move(choice)) {}

    /// The Jacobian at x (x's size must be the plan's).
    sparse_matrix<value_type> operator()(const C& x) const {
        const std::size_t n = detail::size_of(x);
        if (n != n_) detail::throw_size_mismatch("sparse_jacobian_plan", "x", n, "the plan's x", n_);
        return detail::run_sparse_jacobian(f_, x, pattern_, choice_);
    }

    const sparsity_pattern& pattern() const { return pattern_; }
    /// The colouring the mode uses: of the columns (forward) or rows (reverse).
    const duet::coloring& coloring() const { return choice_.colors; }
    std::size_t colors() const { return choice_.colors.colors; }
    mode_choice mode() const { return choice_.mode; }
    std::size_t inputs() const { return n_; }

private:
    mutable F f_;
    std::size_t n_;
    sparsity_pattern pattern_;
    detail::sparse_jacobian_choice choice_;
};

// ---- public drivers: a known pattern ----------------------------------------------

template <mode_tag Mode, class F, container_argument C>
auto sparse_jacobian_plan(Mode mode, F&& f, const C& x, sparsity_pattern pattern) {
    using Plan = compressed_jacobian<std::decay_t<F>, C>;
    detail::container_callable<F, C, detail::may_run_forward<Mode>, detail::may_run_reverse<Mode>>();
    const std::size_t n = detail::size_of(x);
    detail::check_pattern_columns("sparse_jacobian_plan", n, pattern);
    auto choice = detail::choose_sparse_jacobian(mode, pattern);
    return Plan(std::forward<F>(f), n, std::move(pattern), std::move(choice));
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
auto sparse_jacobian_plan(F&& f, const C& x, sparsity_pattern pattern) {
    return sparse_jacobian_plan(automatic, std::forward<F>(f), x, std::move(pattern));
}

template <mode_tag Mode, class F, container_argument C>
sparse_matrix<detail::container_number<C>> sparse_jacobian(Mode mode, F&& f, const C& x,
                                                           const sparsity_pattern& pattern) {
    if constexpr (!detail::container_callable<F, C, detail::may_run_forward<Mode>, detail::may_run_reverse<Mode>>()) {
        return {};
    } else {
        detail::check_pattern_columns("sparse_jacobian", detail::size_of(x), pattern);
        return detail::run_sparse_jacobian(f, x, pattern, detail::choose_sparse_jacobian(mode, pattern));
    }
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
sparse_matrix<detail::container_number<C>> sparse_jacobian(F&& f, const C& x, const sparsity_pattern& pattern) {
    return sparse_jacobian(automatic, f, x, pattern);
}

// ---- public drivers: the pattern detected at x (jacobian_sparsity) ---------------

template <mode_tag Mode, class F, container_argument C>
auto sparse_jacobian_plan(Mode mode, F&& f, const C& x) {
    sparsity_pattern pattern = jacobian_sparsity(f, x);
    return sparse_jacobian_plan(mode, std::forward<F>(f), x, std::move(pattern));
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
auto sparse_jacobian_plan(F&& f, const C& x) {
    return sparse_jacobian_plan(automatic, std::forward<F>(f), x);
}

template <mode_tag Mode, class F, container_argument C>
sparse_matrix<detail::container_number<C>> sparse_jacobian(Mode mode, F&& f, const C& x) {
    return sparse_jacobian(mode, f, x, jacobian_sparsity(f, x));
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
sparse_matrix<detail::container_number<C>> sparse_jacobian(F&& f, const C& x) {
    return sparse_jacobian(automatic, f, x);
}

}  // namespace duet
