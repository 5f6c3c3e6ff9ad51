// Reverse mode through a long time-stepping loop with binomial checkpointing
// (revolve's schedule): memory for at most `snapshots` states and ONE step's
// tape, instead of a tape of all N steps.
//
//   x_{k+1} = step(x_k), k = 0 .. N-1, x_k a std::vector<T> of n numbers
//
//   checkpointed_gradient(N, x0, step, objective, snapshots)
//       -> {value = objective(x_N), gradient = d objective(x_N) / d x0, stats}
//   checkpointed_vjp(N, x0, step, w, snapshots)
//       -> {state = x_N, gradient = w^T d x_N / d x0, stats}
//
// step and objective are generic in the number type, like the container
// drivers' functions: step(const std::vector<Number>&) returns a container of
// n Numbers (or expressions of them), objective(const std::vector<Number>&) a
// scalar; Number is T (recomputation) or duet::var<T> (the recorded steps).
// Both must be deterministic: a recomputed state must be the state.
//
// The schedule. `snapshots` (>= 1) counts the stored states, x0's copy
// included. The adjoint of the segment [a, b) whose start state x_a is the
// last snapshot, with s snapshots available to it (x_a's included):
//   b - a == 1:  record step(x_a) (and, for b == N, the objective after it)
//                on the tape, seed, sweep: the adjoint of x_a; rewind.
//   s == 1:      advance a copy of x_a to x_{b-1}, reverse that step, repeat
//                for [a, b - 1) (quadratic: no room for another snapshot).
//   otherwise:   advance a copy of x_a by m steps and store it, reverse
//                [a + m, b) with s - 1 snapshots, drop it, reverse [a, a + m)
//                with s; m minimises the total number of advances (below).
// This runs iteratively on a stack of snapshots (no recursion). Every step is
// recorded exactly once (N recordings) and the number of plain evaluations of
// step ("advances", the recomputation) is the minimum for s snapshots
// (Griewank 1992; Griewank & Walther, revolve, 2000):
//   checkpoint_advances(N, s) = r N - C(s + r, s + 1),
//   r the integer with C(s + r - 1, s) < N <= C(s + r, s)
// (N (N - 1) / 2 for s = 1; N - 1 for s >= N): with s snapshots, N up to
// C(s + r, s) steps cost about r N advances. The split m is found by a binary
// search on the (convex) cost m + advances(t - m, s - 1) + advances(m, s).
//
// Memory: at most `snapshots` stored states (stats.peak_snapshots), one
// working state, the adjoint state, and one tape holding one step (plus the
// objective on the last): the tape is rewound after each step's sweep
// (stats.peak_tape_statements / _partials; stats.tape_bytes is its capacity).
// The tape is a tape<T> of this call, active for its duration (not the
// thread's workspace tape).
//
// Only the tape's public interface (reverse/tape.hpp) is used: this header
// sits with reverse/, below the drivers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/core/error.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"

namespace duet {

// What a checkpointed run did.
struct checkpoint_stats {
    std::size_t steps = 0;                 // N
    std::size_t snapshots = 0;             // the budget asked for
    std::size_t advances = 0;              // step evaluated on plain numbers (recomputation)
    std::size_t recorded_steps = 0;        // step recorded on the tape: N
    std::size_t peak_snapshots = 0;        // states stored at once, x0's copy included
    std::size_t peak_tape_statements = 0;  // the tape's largest size: one step (+ objective)
    std::size_t peak_tape_partials = 0;
    std::size_t tape_bytes = 0;  // the tape's capacity at the end (tape::memory())
};

template <class T>
struct checkpointed_gradient_result {
    T value;                  // objective(x_N)
    std::vector<T> gradient;  // d objective(x_N) / d x0
    checkpoint_stats stats;
};

template <class T>
struct checkpointed_vjp_result {
    std::vector<T> state;     // x_N
    std::vector<T> gradient;  // w^T d x_N / d x0
    checkpoint_stats stats;
};

// The number of plain step evaluations (advances) the binomial schedule makes
// for `steps` steps with `snapshots` stored states (x0's included), which is
// the minimum any schedule with that memory needs. snapshots >= 1.
constexpr std::size_t checkpoint_advances(std::size_t steps, std::size_t snapshots) {
    if (snapshots == 0) detail::throw_invalid_argument("checkpoint_advances", "snapshots is 0; at least 1 (x0) is needed");
    const std::size_t t = steps;
    if (t <= 1) return 0;
    if (snapshots == 1) return t * (t - 1) / 2;
    const std::size_t s = std::min(snapshots, t);
    // beta = C(s + r, s), the most steps r advances per step can reverse;
    // saturated at the largest size_t once past t.
    std::size_t r = 0, beta = 1, beta_previous = 1;
    while (beta < t) {
        beta_previous = beta;
        ++r;
        beta = beta > std::numeric_limits<std::size_t>::max() / (s + r) ? std::numeric_limits<std::size_t>::max()
                                                                         : beta * (s + r) / r;
    }
    // C(s + r, s + 1) = C(s + r - 1, s) (s + r) / (s + 1), exact.
    return r * t - beta_previous * (s + r) / (s + 1);
}

namespace detail {

// The split of a segment of t >= 2 steps with s >= 2 snapshots: the smallest
// m in [1, t - 1] minimising m + advances(t - m, s - 1) + advances(m, s), a
// convex function of m (each advances(., s) is convex, piecewise linear).
inline std::size_t checkpoint_split(std::size_t t, std::size_t s) {
    const auto cost = [&](std::size_t m) { return m + checkpoint_advances(t - m, s - 1) + checkpoint_advances(m, s); };
    std::size_t lo = 1, hi = t - 1;  // the answer is in [lo, hi]
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (cost(mid + 1) >= cost(mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

// step's result as a state of n Numbers.
template <class Number, class R>
std::vector<Number> checkpoint_state(R&& r, std::size_t n, std::string_view operation) {
    using Result = std::remove_cvref_t<R>;
    constexpr bool is_container = requires(const Result& c) {
        std::size(c);
        c[0];
    };
    static_assert(is_container, "duet: step must return a container of the state's numbers (std::vector or "
                                "std::array of the number type it is called with)");
    if constexpr (is_container) {
        const auto size = static_cast<std::size_t>(std::size(r));
        if (size != n) throw_invalid_argument(operation, "step returned ", size, " values but the state has ", n);
        if constexpr (std::is_same_v<Result, std::vector<Number>> && !std::is_lvalue_reference_v<R>) {
            return std::move(r);
        } else {
            std::vector<Number> out;
            out.reserve(n);
            for (std::size_t i = 0; i < n; ++i) out.push_back(Number(r[i]));
            return out;
        }
    } else {
        return {};
    }
}

// The adjoint of the loop: xbar = d/dx0 of what seed_last seeds. seed_last(t,
// x_N) is called once, with x_N as vars on t (recorded by the last step, or
// x0's independents when N = 0): it records what it needs, zeroes the
// adjoints, seeds, and returns the statement to sweep from.
template <class T, class Step, class SeedLast>
checkpoint_stats checkpointed_adjoint(std::string_view operation, std::size_t N, const std::vector<T>& x0,
                                      Step& step, SeedLast&& seed_last, std::size_t snapshots,
                                      std::vector<T>& xbar) {
    if (snapshots == 0)
        throw_invalid_argument(operation, "snapshots is 0; at least 1 (the copy of x0) is needed");
    const std::size_t n = x0.size();
    checkpoint_stats stats;
    stats.steps = N;
    stats.snapshots = snapshots;
    xbar.assign(n, T(0));

    tape<T> t;  // this call's tape, active until it returns
    std::vector<var<T>> xs;
    xs.reserve(n);
    // Registers x as independent variables (xs) on the empty tape.
    const auto register_state = [&](const std::vector<T>& x) {
        const std::size_t first = t.new_independents(n);
        xs.clear();
        for (std::size_t i = 0; i < n; ++i)
            xs.push_back(detail::registered_var<T>::make(t, x[i], tape_index(first + i)));
        return first;
    };
    // Sweeps from `end`, reads the adjoint of the inputs (statements first ..),
    // records the tape's peak, rewinds.
    const auto sweep = [&](std::size_t first, std::size_t end) {
        t.backward_from(end);
        const auto adjoints = t.adjoints(first, n);
        std::copy(adjoints.begin(), adjoints.end(), xbar.begin());
        stats.peak_tape_statements = std::max(stats.peak_tape_statements, t.size());
        stats.peak_tape_partials = std::max(stats.peak_tape_partials, t.partials());
        t.rewind(0);
    };
    // Records step at x (the state before step `position`), seeds its outputs
    // with xbar (or the objective, for the last step), sweeps: xbar becomes
    // the adjoint of x.
    const auto reverse_step = [&](const std::vector<T>& x, bool last) {
        const std::size_t first = register_state(x);
        const std::vector<var<T>> ys = checkpoint_state<var<T>>(step(std::as_const(xs)), n, operation);
        ++stats.recorded_steps;
        std::size_t end = 0;
        if (last) {
            end = seed_last(t, ys);
        } else {
            t.zero_adjoints();
            for (std::size_t i = 0; i < n; ++i) {
                if (xbar[i] == T(0)) continue;
                t.seed(ys[i], xbar[i]);
                end = std::max(end, std::size_t(ys[i].index()) + 1);
            }
        }
        sweep(first, end);
    };
    const auto advance = [&](std::vector<T>& x, std::size_t count) {
        for (std::size_t k = 0; k < count; ++k) x = checkpoint_state<T>(step(std::as_const(x)), n, operation);
        stats.advances += count;
    };

    if (N == 0) {
        const std::size_t first = register_state(x0);
        sweep(first, seed_last(t, std::as_const(xs)));
        stats.peak_snapshots = 0;
        stats.tape_bytes = t.memory();
        return stats;
    }

    struct snapshot {
        std::size_t position;
        std::vector<T> state;
    };
    std::vector<snapshot> stack;
    stack.reserve(std::min(snapshots, N) + 1);
    stack.push_back({0, x0});
    stats.peak_snapshots = 1;
    std::vector<T> work;
    std::size_t b = N;  // the steps from b on are reversed: xbar is the adjoint of x_b
    while (b > 0) {
        const std::size_t p = stack.back().position;
        const std::size_t length = b - p;
        const std::size_t available = snapshots + 1 - stack.size();  // x_p's included
        if (length == 1) {
            reverse_step(stack.back().state, b == N);
            b = p;
            if (p > 0) stack.pop_back();
        } else if (available == 1) {
            work = stack.back().state;
            advance(work, length - 1);
            reverse_step(work, b == N);
            b -= 1;
        } else {
            const std::size_t m = checkpoint_split(length, available);
            work = stack.back().state;
            advance(work, m);
            stack.push_back({p + m, std::move(work)});
            work = {};
            stats.peak_snapshots = std::max(stats.peak_snapshots, stack.size());
        }
    }
    stats.tape_bytes = t.memory();
    return stats;
}

}  // namespace detail

// The value objective(x_N) and its gradient with respect to x0, x_N the state
// after N steps x_{k+1} = step(x_k), differentiated in reverse with binomial
// checkpointing in at most `snapshots` stored states (x0's copy included;
// snapshots >= 1) and one step's tape. Throws std::invalid_argument when
// snapshots is 0 or step returns a state of another size.
template <class T, class Step, class Objective>
checkpointed_gradient_result<T> checkpointed_gradient(std::size_t N, const std::vector<T>& x0, Step&& step,
                                                      Objective&& objective, std::size_t snapshots) {
    checkpointed_gradient_result<T> out{T(0), {}, {}};
    out.stats = detail::checkpointed_adjoint(
        "checkpointed_gradient", N, x0, step,
        [&](tape<T>& t, const std::vector<var<T>>& xN) {
            const var<T> J = var<T>(objective(xN));
            out.value = J.value();
            t.zero_adjoints();
            t.seed(J);
            return std::size_t(J.index()) + 1;
        },
        snapshots, out.gradient);
    return out;
}

// The state x_N after N steps and w^T d x_N / d x0 (w: n weights), by the same
// schedule.
template <class T, class Step, class W>
checkpointed_vjp_result<T> checkpointed_vjp(std::size_t N, const std::vector<T>& x0, Step&& step, const W& w,
                                            std::size_t snapshots) {
    const auto n_weights = static_cast<std::size_t>(std::size(w));
    if (n_weights != x0.size()) detail::throw_size_mismatch("checkpointed_vjp", "the weights w", n_weights, "x0", x0.size());
    checkpointed_vjp_result<T> out;
    out.stats = detail::checkpointed_adjoint(
        "checkpointed_vjp", N, x0, step,
        [&](tape<T>& t, const std::vector<var<T>>& xN) {
            out.state.clear();
            for (const auto& v : xN) out.state.push_back(v.value());
            t.zero_adjoints();
            std::size_t end = 0;
            for (std::size_t i = 0; i < xN.size(); ++i) {
                if (T(w[i]) == T(0)) continue;
                t.seed(xN[i], T(w[i]));
                end = std::max(end, std::size_t(xN[i].index()) + 1);
            }
            return end;
        },
        snapshots, out.gradient);
    return out;
}

}  // namespace duet
