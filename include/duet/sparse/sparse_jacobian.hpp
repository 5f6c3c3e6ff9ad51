// Sparse Jacobians by compression (doc/sparse.md), for functions of ONE
// container argument (std::vector / std::array; drivers/container.hpp):
//
//   sparse_jacobian([mode,] f, x [, threads{k}])   -> sparse_matrix<T>, m x n
//   sparse_jacobian([mode,] f, x, pattern [, threads{k}])
//                                            the same with a known pattern
//   sparse_jacobian_plan([mode,] f, x[, pattern])
//       -> compressed_jacobian<F, C>: the pattern (detected once at x by
//          jacobian_sparsity, sparse/sparsity.hpp, unless given), its
//          colouring and the mode; plan(x_new [, threads{k}]) is the
//          Jacobian at x_new without detecting or colouring again (a Newton
//          loop); its results share the plan's pattern, and it keeps its
//          forward passes' inputs between calls (a call allocates the
//          result's values and what f allocates).
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
// threads{k} (default 1): the engine's threaded loops (drivers/passes.hpp):
// forward, the lane passes; reverse, the sweeps, each other thread sweeping
// its own recording of f. Bitwise the result of k = 1; f is called from
// several threads at once.
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
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <tuple>
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

// The inputs of the forward passes a plan keeps between calls (one
// container per lane count; only the plan's is ever filled): the engine's
// loop builds a fresh container per call, and at n = 10^5 that is megabytes
// whose pages glibc hands back to the system and faults in again on every
// call (doc/sparse.md, "Memory"). Only std::vector arguments have one.
template <class C>
inline constexpr bool keeps_dual_inputs =
    std::is_same_v<rebind_container<C, container_number<C>>, std::vector<container_number<C>>>;
template <class Family, class C>
struct kept_dual_inputs {
    template <std::size_t L>
    using inputs = rebind_container<C, typename Family::template lanes<L>>;
    std::conditional_t<keeps_dual_inputs<C>, std::tuple<inputs<1>, inputs<2>, inputs<4>, inputs<8>>, std::tuple<>>
        held;
    // The container of D's, refilled from x: values set, tangents 0.
    template <class D>
    rebind_container<C, D>& refilled(const C& x) {
        auto& xs = std::get<rebind_container<C, D>>(held);
        const std::size_t n = size_of(x);
        xs.resize(n);  // no reallocation from the second call on
        for (std::size_t i = 0; i < n; ++i) xs[i] = D(x[i]);
        return xs;
    }
};

// The forward lane passes of the engine (forward_lane_passes, drivers/
// passes.hpp) for the colour directions. On one thread and given `kept`,
// the engine's inputs are the kept container, refilled; otherwise fresh
// ones (with threads each thread needs its own). The passes are the same
// either way, so the bits are.
template <class Family, class C, class Pass, class Collect>
void color_lane_passes(const C& x, const coloring& colors, Pass&& pass, Collect&& collect, threads k,
                       kept_dual_inputs<Family, C>* kept) {
    constexpr std::size_t max_lanes = jacobian_cost_model::forward_lanes;
    const color_directions directions{colors.color, colors.colors};
    if constexpr (keeps_dual_inputs<C>) {
        const std::size_t q = directions.count();
        const std::size_t lanes = with_lanes<max_lanes>(q, []<std::size_t L>() { return L; });
        const std::size_t passes = q == 0 ? 1 : (q + lanes - 1) / lanes;
        if (kept != nullptr && thread_count(k, passes - 1) <= 1) {
            forward_lane_passes<max_lanes, Family>(
                directions,
                [&]<class D>(std::type_identity<D>) -> rebind_container<C, D>& { return kept->template refilled<D>(x); },
                pass, collect);
            return;
        }
    }
    forward_lane_passes<max_lanes, Family>(directions, dual_inputs(x), pass, collect, k);
}

// The colour -> rows (or columns) CSR of a colouring: members[offsets[c] ..
// offsets[c + 1]) are the vertices of colour c, ascending.
struct color_classes {
    std::vector<std::size_t> offsets;
    std::vector<std::size_t> members;
};

inline color_classes classes_of(const coloring& c) {
    color_classes k;
    k.offsets.assign(c.colors + 1, 0);
    for (const auto v : c.color) ++k.offsets[std::size_t(v) + 1];
    for (std::size_t i = 0; i < c.colors; ++i) k.offsets[i + 1] += k.offsets[i];
    k.members.resize(c.color.size());
    std::vector<std::size_t> next(k.offsets.begin(), k.offsets.end() - 1);
    for (std::size_t i = 0; i < c.color.size(); ++i) k.members[next[c.color[i]]++] = i;
    return k;
}

// Forward: the column colouring's colours as lanes; values (the pattern's
// entries, in its order) written. Each lane's entries are written by the
// pass that holds the lane: with threads, by one thread each.
template <class F, class C>
void forward_sparse_values(F& f, const C& x, const sparsity_pattern& p, const coloring& columns,
                           std::span<container_number<C>> values, threads k,
                           kept_dual_inputs<driver_duals<F, C>, C>* kept = nullptr) {
    color_lane_passes<driver_duals<F, C>>(
        x, columns, [&](const auto& xs) { return f(xs); },
        [&]<class D>(std::type_identity<D>, const auto& ys, std::size_t first, std::size_t count) {
            if constexpr (require_vector_result<std::remove_cvref_t<decltype(ys)>>()) {
                check_pattern_rows("sparse_jacobian", size_of(ys), p);
                for (std::size_t i = 0; i < p.rows; ++i) {
                    const std::size_t begin = p.row_offsets[i], end = p.row_offsets[i + 1];
                    if (begin == end) continue;
                    const auto yi = as_number<D>(ys[i]);
                    for (std::size_t e = begin; e < end; ++e) {
                        const std::size_t c = columns.color[p.column_indices[e]];
                        if (c >= first && c < first + count) values[e] = yi.tangent(c - first);
                    }
                }
            }
        },
        k, kept);
}

// Reverse: one recording, one sweep per colour of the row colouring (with k
// threads: each other thread sweeps its own recording, the engine's
// reverse_sweeps); the sweep of colour c writes the entries of its rows.
template <class F, class C>
void reverse_sparse_values(F& f, const C& x, const sparsity_pattern& p, const coloring& rows,
                           const color_classes& classes, std::span<container_number<C>> values, threads k) {
    using T = container_number<C>;
    with_workspace_tape<T>([&](tape<T>& t) {
        const auto recording = record_vector_function(t, f, x);
        check_pattern_rows("sparse_jacobian", recording.outputs.size(), p);
        reverse_sweeps(
            t, recording.view(), color_rows{rows.color, rows.colors},
            [&](std::size_t c, std::span<const T> adjoints) {
                for (std::size_t r = classes.offsets[c]; r < classes.offsets[c + 1]; ++r) {
                    const std::size_t i = classes.members[r];
                    for (std::size_t e = p.row_offsets[i]; e < p.row_offsets[i + 1]; ++e)
                        values[e] = adjoints[p.column_indices[e]];
                }
            },
            [&](tape<T>& own) { return record_vector_function(own, f, x); }, k);
    });
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

// What a plan keeps: the shared pattern, the choice, the colour classes of
// a reverse choice.
struct sparse_jacobian_setup {
    std::shared_ptr<const sparsity_pattern> pattern;
    sparse_jacobian_choice choice;
    color_classes classes;  // reverse only
};

inline sparse_jacobian_setup setup_sparse_jacobian(sparsity_pattern pattern, sparse_jacobian_choice choice) {
    sparse_jacobian_setup s{std::make_shared<const sparsity_pattern>(std::move(pattern)), std::move(choice), {}};
    if (s.choice.mode == mode_choice::reverse) s.classes = classes_of(s.choice.colors);
    return s;
}

template <class F, class C>
sparse_matrix<container_number<C>> run_sparse_jacobian(F& f, const C& x, const sparse_jacobian_setup& s,
                                                       threads k,
                                                       kept_dual_inputs<driver_duals<F, C>, C>* kept = nullptr) {
    using T = container_number<C>;
    const sparsity_pattern& p = *s.pattern;
    std::vector<T> values(p.nonzeros(), T(0));
    if (s.choice.mode == mode_choice::forward)
        forward_sparse_values(f, x, p, s.choice.colors, std::span<T>(values), k, kept);
    else
        reverse_sparse_values(f, x, p, s.choice.colors, s.classes, std::span<T>(values), k);
    return sparse_matrix<T>(s.pattern, std::move(values), s.choice.colors.colors);
}

// Lends the caller an object kept between calls when no other call holds it
// (reuse == true), a fresh one otherwise: concurrent calls stay correct, the
// later ones only allocate. Copies start empty.
template <class Kept>
class kept_between_calls {
public:
    kept_between_calls() = default;
    kept_between_calls(const kept_between_calls&) {}
    kept_between_calls& operator=(const kept_between_calls&) { return *this; }

    template <class Body>
    decltype(auto) with(Body&& body) {
        if (busy_.exchange(true, std::memory_order_acquire)) {
            Kept fresh;
            return body(&fresh);
        }
        struct release_on_exit {
            std::atomic<bool>& busy;
            ~release_on_exit() { busy.store(false, std::memory_order_release); }
        } release{busy_};
        return body(&kept_);
    }

private:
    Kept kept_;
    std::atomic<bool> busy_{false};
};

}  // namespace detail

/// A sparse Jacobian's plan: f, the pattern, the colouring and the mode;
/// plan(x [, duet::threads{k}]) computes the Jacobian at x by compression
/// without detecting the pattern or colouring again. The results share the
/// plan's pattern (sparse_matrix): a call allocates their values only.
///
/// Concurrent calls: the plan keeps the dual inputs of its forward passes
/// between calls (one-thread calls on std::vector arguments): a call that
/// finds them in use by another builds its own, so plan(x) may be called
/// from several threads at once, as long as f may (the plan calls its copy
/// of f through a mutable member: a stateful f is not for concurrent calls).
template <class F, class C>
class compressed_jacobian {
public:
    using value_type = detail::container_number<C>;

    compressed_jacobian(F f, std::size_t n, sparsity_pattern pattern, detail::sparse_jacobian_choice choice)
        : f_(std::move(f)), n_(n), setup_(detail::setup_sparse_jacobian(std::move(pattern), std::move(choice))) {}

    /// The Jacobian at x (x's size must be the plan's); threads{k}: its
    /// passes (forward) or sweeps (reverse) on k threads, bitwise the same
    /// result (doc/threads.md).
    sparse_matrix<value_type> operator()(const C& x, threads k = threads{}) const {
        const std::size_t n = detail::size_of(x);
        if (n != n_) detail::throw_size_mismatch("sparse_jacobian_plan", "x", n, "the plan's x", n_);
        return kept_.with([&](auto* kept) { return detail::run_sparse_jacobian(f_, x, setup_, k, kept); });
    }

    const sparsity_pattern& pattern() const { return *setup_.pattern; }
    /// The colouring the mode uses: of the columns (forward) or rows (reverse).
    const duet::coloring& coloring() const { return setup_.choice.colors; }
    std::size_t colors() const { return setup_.choice.colors.colors; }
    mode_choice mode() const { return setup_.choice.mode; }
    std::size_t inputs() const { return n_; }

private:
    mutable F f_;
    std::size_t n_;
    detail::sparse_jacobian_setup setup_;
    mutable detail::kept_between_calls<detail::kept_dual_inputs<detail::driver_duals<F, C>, C>> kept_;
};

// ---- public drivers: a known pattern ----------------------------------------------
// threads{k} (last argument, default 1): the passes or sweeps on k threads,
// bitwise the same result (drivers/passes.hpp; doc/threads.md); f is called
// from several threads at once and must be safe for that.

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
                                                           const sparsity_pattern& pattern, threads k = threads{}) {
    if constexpr (!detail::container_callable<F, C, detail::may_run_forward<Mode>, detail::may_run_reverse<Mode>>()) {
        return {};
    } else {
        detail::check_pattern_columns("sparse_jacobian", detail::size_of(x), pattern);
        return detail::run_sparse_jacobian(f, x,
                                           detail::setup_sparse_jacobian(pattern, detail::choose_sparse_jacobian(mode, pattern)),
                                           k);
    }
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
sparse_matrix<detail::container_number<C>> sparse_jacobian(F&& f, const C& x, const sparsity_pattern& pattern,
                                                           threads k = threads{}) {
    return sparse_jacobian(automatic, f, x, pattern, k);
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
sparse_matrix<detail::container_number<C>> sparse_jacobian(Mode mode, F&& f, const C& x, threads k = threads{}) {
    return sparse_jacobian(mode, f, x, jacobian_sparsity(f, x), k);
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
sparse_matrix<detail::container_number<C>> sparse_jacobian(F&& f, const C& x, threads k = threads{}) {
    return sparse_jacobian(automatic, f, x, k);
}

}  // namespace duet
