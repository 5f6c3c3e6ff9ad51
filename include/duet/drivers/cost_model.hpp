// duet/drivers/cost_model.hpp -- what a Jacobian costs in each mode: forward
// passes, reverse recordings and sweeps, dense multiply-adds.
//
// One model, used by duet::jacobian(automatic, ...) (drivers/container.hpp)
// to choose forward or reverse, and by duet::jacobian_chain's planner
// (chain/jacobian_chain.hpp) for the cost of every tangent, adjoint and
// product step. Costs of one function (or one chain stage) are a mode_costs
// (tangent: one direction of an L-lane pass, i.e. the pass / L; adjoint: a
// sweep seeded on ALL outputs; record: one recording):
//
//   forward(c, q)         = c.tangent * lane_directions(q)
//                           lane_directions(q) = L * ceil(q / L) for q > 4:
//                           L-lane passes, the last one partly idle; for
//                           q <= 4 one pass of 1, 2 or 4 lanes, costing the
//                           calibrated fraction of an L-lane pass
//                           (detail::with_lanes picks these lane counts)
//   reverse(c, p)         = c.record + p * c.adjoint              (seeded rows)
//   reverse(c, p, unit)   = c.record + p * c.adjoint * max(u, 1 / p)
//                           p sweeps each seeded on ONE of the p outputs: a
//                           sweep starts at its output's statement and skips
//                           statements with a zero adjoint (u calibrated)
//   product(m, k, n, mu)  = m * k * n * mu    a dense (m x k)(k x n) GEMM
//
// The unit is free (the chain measures stage costs in ns); generic() gives
// the costs of a function nothing is known about, in units of ONE PLAIN
// EVALUATION of it on doubles, from constants calibrated by
// benchmark/cost_model.cpp (doc/cost_model.md: meaning, measured values, how
// to re-calibrate).
//
// Not modelled: memory effects (a large tape recorded into fresh memory pays
// page faults; the drivers reuse a per-thread workspace tape), per-step
// overheads (allocating factors, seeding), BLAS call overhead, sparsity.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <limits>

#include "duet/drivers/modes.hpp"

namespace duet {

/// Costs of one function (or one stage of a chain) under each mode, in any
/// unit shared with the multiply-add cost they are compared with.
struct mode_costs {
    double tangent = 0;  // one tangent direction (an L-lane pass costs L * tangent)
    double adjoint = 0;  // one adjoint sweep over the function's recording
    double record = 0;   // recording the function once (on the thread's workspace tape)
};

struct jacobian_cost_model {
    /// Tangent lanes per forward pass (dual<T, forward_lanes>).
    static constexpr std::size_t forward_lanes = 8;

    // Calibrated by benchmark/cost_model.cpp, in units of one plain
    // evaluation of f on doubles; the measured values behind each constant
    // and how to re-calibrate: doc/cost_model.md.
    /// One forward pass with forward_lanes tangent lanes.
    static constexpr double forward_pass_cost = 4.0;
    /// Passes of 1, 2 and 4 lanes as fractions of a forward_lanes pass.
    static constexpr double pass_fraction_1_lane = 0.35;
    static constexpr double pass_fraction_2_lanes = 0.42;
    static constexpr double pass_fraction_4_lanes = 0.63;
    /// Recording f once on the thread's workspace tape (reverse/workspace.hpp;
    /// registering the inputs included).
    static constexpr double reverse_record_cost = 3.0;
    /// One reverse sweep seeded on all outputs.
    static constexpr double reverse_sweep_cost = 0.4;
    /// One sweep seeded on ONE of p outputs, as a fraction of a full sweep:
    /// max(unit_seed_sweep_fraction, 1 / p) (one output of one is a full
    /// sweep). The measured fraction falls with p (a sweep starts at its
    /// output and skips zero adjoints, so it costs about that output's own
    /// statements plus the shared ones): one constant cannot follow that;
    /// this one is the geometric mean of the fractions at p = 64 and 256.
    static constexpr double unit_seed_sweep_fraction = 0.05;

    /// The costs of a function nothing is known about, in plain evaluations.
    static constexpr mode_costs generic() noexcept {
        return {forward_pass_cost / double(forward_lanes), reverse_sweep_cost, reverse_record_cost};
    }

    /// q directions cost as many as this many directions of full passes.
    static constexpr double lane_directions(std::size_t q) noexcept {
        const auto L = double(forward_lanes);
        if (q == 0) return 0;
        if (q == 1) return L * pass_fraction_1_lane;
        if (q == 2) return L * pass_fraction_2_lanes;
        if (q <= 4) return L * pass_fraction_4_lanes;
        return L * double((q + forward_lanes - 1) / forward_lanes);
    }

    /// One pass with `lanes` tangent lanes (1, 2, 4 or forward_lanes), in
    /// plain evaluations of a generic function.
    static constexpr double pass_cost(std::size_t lanes) noexcept {
        if (lanes <= 1) return forward_pass_cost * pass_fraction_1_lane;
        if (lanes <= 2) return forward_pass_cost * pass_fraction_2_lanes;
        if (lanes <= 4) return forward_pass_cost * pass_fraction_4_lanes;
        return forward_pass_cost * double(lanes) / double(forward_lanes);
    }

    /// q tangent directions through a function of costs c.
    static constexpr double forward(const mode_costs& c, std::size_t q) noexcept {
        return c.tangent * lane_directions(q);
    }
    /// A sweep seeded on one of p outputs, as a fraction of a full sweep.
    static constexpr double unit_seed_fraction(std::size_t p) noexcept {
        return p == 0 ? 1.0 : std::max(unit_seed_sweep_fraction, 1.0 / double(p));
    }
    /// One recording and p adjoint sweeps, each seeded on a dense row of
    /// weights, or (unit_seed) each on one of the p outputs.
    static constexpr double reverse(const mode_costs& c, std::size_t p, bool unit_seed = false) noexcept {
        return c.record + double(p) * c.adjoint * (unit_seed ? unit_seed_fraction(p) : 1.0);
    }
    /// A dense (m x k) * (k x n) product at multiply_add per multiply-add.
    static constexpr double product(std::size_t m, std::size_t k, std::size_t n, double multiply_add) noexcept {
        return double(m) * double(k) * double(n) * multiply_add;
    }

    /// An m x n Jacobian of a generic function, in plain evaluations of it:
    /// n directions, or one recording and m sweeps seeded on one output each.
    static constexpr double forward(std::size_t n, std::size_t /*m*/) noexcept { return forward(generic(), n); }
    static constexpr double reverse(std::size_t /*n*/, std::size_t m) noexcept { return reverse(generic(), m, true); }
};



/// The cheaper pure mode for an m x n Jacobian of a function of costs c
/// (ties: forward). The planner of jacobian_chain makes the same comparison
/// for a one-stage chain.
constexpr mode_choice choose_jacobian_mode(const mode_costs& c, std::size_t n, std::size_t m) noexcept {
    return jacobian_cost_model::forward(c, n) <= jacobian_cost_model::reverse(c, m, true)
               ? mode_choice::forward
               : mode_choice::reverse;
}

/// The mode duet::automatic uses for an m x n Jacobian (m = 1: a gradient).
constexpr mode_choice choose_jacobian_mode(std::size_t n, std::size_t m) noexcept {
    return choose_jacobian_mode(jacobian_cost_model::generic(), n, m);
}

/// A sparse Jacobian by compression (sparse/sparse_jacobian.hpp): forward
/// runs one tangent direction per colour of the column colouring
/// (column_colors directions in passes of forward_lanes); reverse one
/// recording and one sweep per colour of the row colouring, each seeded on
/// the rows of its colour. Such a sweep is costed as a FULL sweep: the rows
/// of one colour are spread over the whole recording, so the sweep crosses
/// all of it (skipping the statements of other colours is not free, and the
/// adjoints are zeroed per sweep). Measured (doc/sparse.md, "Which mode"):
/// Bratu 2-D, 5 colours either way, reverse 8-12 plain evaluations of f at
/// n = 10^3 .. 10^5 against forward's 3.5-4; the unit-seed fraction this
/// once used predicted 3.4 for reverse and picked it. Ties: forward.
constexpr mode_choice choose_sparse_jacobian_mode(const mode_costs& c, std::size_t column_colors,
                                                  std::size_t row_colors) noexcept {
    return jacobian_cost_model::forward(c, column_colors) <= jacobian_cost_model::reverse(c, row_colors)
               ? mode_choice::forward
               : mode_choice::reverse;
}

/// The largest n for which forward wins whatever m >= 1 is: for these the
/// automatic driver needs not learn m.
constexpr std::size_t forward_for_any_outputs_up_to() noexcept {
    std::size_t n = 0;
    while (choose_jacobian_mode(n + 1, 1) == mode_choice::forward) ++n;
    return n;
}

/// The fewest outputs m for which forward wins at n inputs (for m beyond
/// 1 / unit_seed_sweep_fraction, where reverse grows linearly in m).
constexpr std::size_t forward_wins_from_outputs(std::size_t n) noexcept {
    using M = jacobian_cost_model;
    const auto g = M::generic();
    const double slope = g.adjoint * M::unit_seed_sweep_fraction;
    const double m = (M::forward(g, n) - g.record) / slope;
    return m <= 1 ? 1 : std::size_t(m) + 1;
}

/// Outputs per input beyond which duet::automatic does not expect a
/// function: when forward would need more, automatic learns m by recording f
/// (the recording is reused when reverse wins, as it then will unless m is
/// that large) instead of by a plain evaluation (doc/cost_model.md).
inline constexpr std::size_t expected_outputs_per_input = 16;

namespace detail {

/// Nanoseconds per call of fn (wall clock): if the first call took >= 1 ms,
/// the faster of it and one more call; otherwise repeated until a batch takes
/// >= min_batch_ns, the fastest of `batches` such batches.
template <class Fn>
double time_ns(Fn&& fn, double min_batch_ns = 5000.0, int batches = 2) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    fn();  // also the warm-up (allocations, caches)
    const double first = std::chrono::duration<double, std::nano>(clock::now() - t0).count();
    if (first >= 1e6) {
        const auto t1 = clock::now();
        fn();
        return std::min(first, std::chrono::duration<double, std::nano>(clock::now() - t1).count());
    }
    std::size_t reps = 1;
    double best = std::numeric_limits<double>::infinity();
    for (int batch = 0; batch < batches;) {
        const auto t1 = clock::now();
        for (std::size_t r = 0; r < reps; ++r) fn();
        const double ns = std::chrono::duration<double, std::nano>(clock::now() - t1).count();
        if (ns < min_batch_ns && reps < (std::size_t(1) << 20)) {
            reps *= 2;
            continue;
        }
        best = std::min(best, ns / double(reps));
        ++batch;
    }
    return best;
}

}  // namespace detail

}  // namespace duet
