// The engine under every driver: the two loops that turn one mode's number
// type into derivatives.
//
//   forward_lane_passes  seed L tangent lanes of the inputs with L of the q
//                        directions (columns of a seed matrix S, n x q), run
//                        the function, collect L columns of J S; ceil(q / L)
//                        passes reusing one container of duals.
//   reverse_sweeps       given a recording (inputs registered first, outputs
//                        as vars), seed the outputs with rows of weights
//                        (rows of W, p x m), sweep, collect rows of W J;
//                        p sweeps over the one recording, or for dense W
//                        (double, float) ceil(p / L) sweeps of L adjoint
//                        lanes (L = 2, 4 or 8), each lane bitwise a
//                        one-row sweep.
//
// Directions and rows come in three kinds: unit (S or W the identity: the
// full Jacobian), a matrix (the chain's products), one vector (jvp / vjp).
// The container drivers (gradient, jacobian, jvp, vjp), the Hessians
// (forward-over-reverse is a lane pass whose body records and sweeps) and
// jacobian_chain's push-forward and pull-back steps all run these two loops;
// the tensor drivers block their tensor tangents with for_each_lane_block.
// No xtensor here: results are written through the collect callbacks.
//
// Threads (duet::threads{k}, drivers/modes.hpp): both loops have an overload
// with a trailing `threads` that splits the passes across k std::threads
// (run_on_threads below) and takes the same Directions / Rows types. Every
// column (row) is computed by exactly the same arithmetic as with k = 1, so
// the results are bitwise equal. Then:
//   * collect is called from several threads at once: it must write only
//     its own columns (rows) of a result allocated before the threads start
//     (the forward loop runs its first pass alone on the calling thread, so
//     a collect may size the result there; a reverse caller knows m from its
//     recording);
//   * pass / make_inputs / record, the user's f inside them, and
//     Directions::seed / Rows::weight (const) run concurrently: f must be
//     safe to call from several threads at once (no shared mutable state);
//     that is the user's business, duet cannot check it;
//   * an exception thrown on any thread stops the others after their current
//     pass and is rethrown on the calling thread (that of the lowest thread
//     when several throw), after every thread has been joined.
// Threads are started per call (no pool): a few tens of microseconds each,
// worth it when a pass costs more than that.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <exception>
#include <memory>
#include <span>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/core/error.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/forward/dual.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"

namespace duet::detail {

// ---- threads ----------------------------------------------------------------------

// The number of threads to run `work` independent passes on for a request k:
// k = 0 means std::thread::hardware_concurrency() (1 if unknown); never more
// than `work` (no idle threads), never less than 1.
inline std::size_t thread_count(threads k, std::size_t work) {
    std::size_t n = k.count;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    return std::max<std::size_t>(1, std::min(n, work));
}

// Runs body(w, stop) for w = 0 .. workers - 1: w = 0 on the calling thread,
// the others on std::threads started before it; returns when all have
// finished. When a body throws, `stop` becomes true (a body tests it between
// passes and returns) and, after every thread has joined, the exception of
// the lowest w that threw is rethrown on the calling thread.
template <class Body>
void run_on_threads(std::size_t workers, Body&& body) {
    std::atomic<bool> stop{false};
    std::vector<std::exception_ptr> errors(std::max<std::size_t>(workers, 1));
    auto guarded = [&](std::size_t w) {
        try {
            body(w, std::as_const(stop));
        } catch (...) {
            errors[w] = std::current_exception();
            stop.store(true, std::memory_order_relaxed);
        }
    };
    {
        struct joined_team {
            std::vector<std::thread> threads;
            ~joined_team() {
                for (auto& t : threads)
                    if (t.joinable()) t.join();
            }
        } team;
        team.threads.reserve(workers > 0 ? workers - 1 : 0);
        try {
            for (std::size_t w = 1; w < workers; ++w) team.threads.emplace_back(guarded, w);
        } catch (...) {  // a thread could not be started: stop those that were
            stop.store(true, std::memory_order_relaxed);
            throw;
        }
        guarded(0);
    }
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
}

// ---- lanes -------------------------------------------------------------------

// Runs body.template operator()<L>() with the smallest lane count in
// {1, 2, 4, Max} that covers q directions in one pass, never more than Max
// (Max when q > Max).
template <std::size_t Max, class Body>
decltype(auto) with_lanes(std::size_t q, Body&& body) {
    static_assert(Max >= 1, "duet: a forward pass needs at least one lane");
    if constexpr (Max > 4) {
        if (q > 4) return body.template operator()<Max>();
    }
    if constexpr (Max >= 4) {
        if (q > 2) return body.template operator()<4>();
    }
    if constexpr (Max >= 2) {
        if (q > 1) return body.template operator()<2>();
    }
    return body.template operator()<1>();
}

// body(first, count) for the blocks [first, first + count) of `lanes`
// directions covering 0 .. q - 1 (count < lanes only for the last block).
template <class Body>
void for_each_lane_block(std::size_t q, std::size_t lanes, Body&& body) {
    for (std::size_t first = 0; first < q; first += lanes) body(first, std::min(lanes, q - first));
}

// The dual numbers of L lanes a pass uses: Family::template lanes<L>.
template <class T, class Tag = void>
struct dual_family {
    template <std::size_t L>
    using lanes = dual<T, L, Tag>;
};

// ---- seed directions (columns of S, n x q) --------------------------------------
// seed<L>(xs, first) writes lanes 0 .. L-1 of every input's tangent with
// directions first .. first + L - 1 (0 past the last direction). The inputs
// start with zero tangents; the passes call seed with first = 0, L, 2L, ...
// in that order.

// S = I: direction j is e_j (q = n). Moves the L ones instead of rewriting
// the n x L tangents.
struct unit_directions {
    std::size_t n;
    std::size_t count() const { return n; }
    template <std::size_t L, class Inputs>
    void seed(Inputs& xs, std::size_t first) const {
        // g++ 12 -O3 follows the passes' loop past its end on a std::array
        // of inputs (first = L with q <= L never seeds) and warns
        // -Warray-bounds on indices the bounds below exclude: a false
        // positive, silenced here only (test/drivers/container.cpp builds
        // std::array Jacobians under -Werror).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif
        if (first > 0)
            for (std::size_t l = 0; l < L && first - L + l < n; ++l) xs[first - L + l].tangent(l) = 0;
        for (std::size_t l = 0; l < L && first + l < n; ++l) xs[first + l].tangent(l) = 1;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    }
    static constexpr bool one_direction_per_input = true;
};

// The most lanes a pass needs: MaxLanes, or, when the directions are one
// per input and the inputs are a std::array of N, the smallest lane count
// with_lanes picks for N (so no pass wider than the array is instantiated:
// g++ would analyse its dead code and warn with -Warray-bounds).
template <std::size_t MaxLanes, class Directions, class Inputs>
constexpr std::size_t lane_cap() {
    using I = std::remove_cvref_t<Inputs>;
    if constexpr (requires { Directions::one_direction_per_input; std::tuple_size<I>::value; }) {
        constexpr std::size_t n = std::tuple_size<I>::value;
        constexpr std::size_t needed = n <= 1 ? 1 : n <= 2 ? 2 : n <= 4 ? 4 : MaxLanes;
        return needed < MaxLanes ? needed : MaxLanes;
    } else {
        return MaxLanes;
    }
}
template <std::size_t MaxLanes, class Family, class Directions, class MakeInputs>
inline constexpr std::size_t lane_cap_v =
    lane_cap<MaxLanes, Directions,
             std::invoke_result_t<MakeInputs&, std::type_identity<typename Family::template lanes<1>>>>();

// S a matrix with S(i, j) (n x q).
template <class Matrix>
struct matrix_directions {
    const Matrix& s;
    std::size_t n, q;
    std::size_t count() const { return q; }
    template <std::size_t L, class Inputs>
    void seed(Inputs& xs, std::size_t first) const {
        using T = std::remove_cvref_t<decltype(xs[0].tangent(0))>;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t l = 0; l < L; ++l) xs[i].tangent(l) = first + l < q ? T(s(i, first + l)) : T(0);
    }
};

// One direction v (q = 1).
template <class Vector>
struct vector_direction {
    const Vector& v;
    std::size_t n;
    std::size_t count() const { return 1; }
    template <std::size_t L, class Inputs>
    void seed(Inputs& xs, std::size_t) const {
        using T = std::remove_cvref_t<decltype(xs[0].tangent(0))>;
        for (std::size_t i = 0; i < n; ++i) xs[i].tangent(0) = T(v[i]);
    }
};

// ---- the forward lane passes ----------------------------------------------------

// With L = with_lanes<MaxLanes>(q) and D = Family::lanes<L>:
//   xs = make_inputs(std::type_identity<D>{})   values set, tangents 0
//        (a fresh container, or a reference to one the caller keeps
//        between calls and has just refilled: a sparse plan's inputs)
//   per pass: directions.seed<L>(xs, first);
//             collect(std::type_identity<D>{}, pass(xs), first, count)
// where count (<= L) is the number of lanes holding directions. At least one
// pass runs (q == 0 still evaluates, for the value).
template <std::size_t MaxLanes, class Family, class Directions, class MakeInputs, class Pass, class Collect>
void forward_lane_passes(const Directions& directions, MakeInputs&& make_inputs, Pass&& pass, Collect&& collect) {
    const std::size_t q = directions.count();
    with_lanes<lane_cap_v<MaxLanes, Family, Directions, MakeInputs>>(q, [&]<std::size_t L>() {
        using D = typename Family::template lanes<L>;
        auto&& xs = make_inputs(std::type_identity<D>{});
        std::size_t first = 0;
        do {
            directions.template seed<L>(xs, first);
            collect(std::type_identity<D>{}, pass(std::as_const(xs)), first, std::min(L, q - std::min(q, first)));
            first += L;
        } while (first < q);
    });
}

// The same passes on up to k threads (k = thread_count(k, passes), 1: the
// loop above). The lane count is the one k = 1 uses. The first pass (first =
// 0) runs and is collected on the calling thread before any other thread
// starts (a collect may size its result from it); the remaining passes are
// split into contiguous runs of blocks, one per thread, the calling thread
// continuing with the next run on its inputs. Each other thread starts from
// its own make_inputs and seeds its run in order: a Directions::seed must be
// correct when called on fresh inputs (tangents 0) with any first = b L,
// then with the following blocks in order (the seeds above are: unit clears
// only the previous block's ones, which are 0 on fresh inputs).
template <std::size_t MaxLanes, class Family, class Directions, class MakeInputs, class Pass, class Collect>
void forward_lane_passes(const Directions& directions, MakeInputs&& make_inputs, Pass&& pass, Collect&& collect,
                         threads k) {
    const std::size_t q = directions.count();
    const std::size_t lanes = with_lanes<lane_cap_v<MaxLanes, Family, Directions, MakeInputs>>(q, []<std::size_t L>() { return L; });
    const std::size_t passes = q == 0 ? 1 : (q + lanes - 1) / lanes;
    if (thread_count(k, passes - 1) <= 1) {
        forward_lane_passes<MaxLanes, Family>(directions, make_inputs, pass, collect);
        return;
    }
    with_lanes<lane_cap_v<MaxLanes, Family, Directions, MakeInputs>>(q, [&]<std::size_t L>() {
        using D = typename Family::template lanes<L>;
        static_assert(!std::is_reference_v<std::invoke_result_t<MakeInputs&, std::type_identity<D>>>,
                      "duet: with threads, make_inputs must return a fresh container per thread");
        const auto one_pass = [&](auto& xs, std::size_t block) {
            const std::size_t first = block * L;
            directions.template seed<L>(xs, first);
            collect(std::type_identity<D>{}, pass(std::as_const(xs)), first, std::min(L, q - first));
        };
        auto xs = make_inputs(std::type_identity<D>{});
        one_pass(xs, 0);
        const std::size_t rest = passes - 1;
        const std::size_t workers = thread_count(k, rest);
        run_on_threads(workers, [&](std::size_t w, const std::atomic<bool>& stop) {
            const std::size_t begin = 1 + rest * w / workers;
            const std::size_t end = 1 + rest * (w + 1) / workers;
            const auto run = [&](auto& inputs) {
                for (std::size_t b = begin; b < end && !stop.load(std::memory_order_relaxed); ++b)
                    one_pass(inputs, b);
            };
            if (w == 0) {
                run(xs);  // blocks 1 .. : continues block 0's seeding
            } else {
                auto own = make_inputs(std::type_identity<D>{});
                run(own);
            }
        });
    });
}

// ---- seed rows (rows of W, p x m) ---------------------------------------------
// weight(r, o): the weight of output o in row r. Zero weights are not seeded
// (a sweep seeded only with zeros does not run).

struct unit_rows {
    std::size_t m;
    std::size_t count() const { return m; }
    static constexpr bool unit = true;
};

template <class Matrix>
struct matrix_rows {
    const Matrix& w;
    std::size_t p, m;
    std::size_t count() const { return p; }
    static constexpr bool unit = false;
    static constexpr std::size_t max_sweep_lanes = 8;  // dense rows: every lane busy (with_sweep_lanes)
    auto weight(std::size_t r, std::size_t o) const { return w(r, o); }
};

template <class Vector>
struct vector_row {
    const Vector& w;
    std::size_t m;
    std::size_t count() const { return 1; }
    static constexpr bool unit = false;
    auto weight(std::size_t, std::size_t o) const { return w[o]; }
};

// ---- the reverse sweeps -------------------------------------------------------

// A function recorded on a tape: its n inputs are statements first_input ..
// first_input + n - 1; its outputs are vars on the same tape (a view: the
// caller owns them, so a gradient's one output needs no allocation).
template <class T>
struct tape_recording {
    std::size_t first_input = 0;
    std::size_t inputs = 0;
    std::span<const var<T>> outputs;
};

// A recording that owns its outputs (a vector function).
template <class T>
struct recorded_function {
    std::size_t first_input = 0;
    std::size_t inputs = 0;
    std::vector<var<T>> outputs;
    tape_recording<T> view() const { return {first_input, inputs, outputs}; }
};

// For each row r of rows: adjoints = 0, seed the outputs with row r, sweep
// from the highest seeded statement down (statements recorded after it
// cannot reach it), collect(r, adjoints of the inputs).
template <class T, class Rows, class Collect>
void reverse_sweep(tape<T>& t, const tape_recording<T>& recording, const Rows& rows, std::size_t r,
                   Collect& collect) {
    const auto& outputs = recording.outputs;
    t.zero_adjoints();
    std::size_t end = 0;
    if constexpr (Rows::unit) {
        t.seed(outputs[r]);
        end = std::size_t(outputs[r].index()) + 1;
    } else {
        for (std::size_t o = 0; o < outputs.size(); ++o) {
            const T w = T(rows.weight(r, o));
            if (w == T(0)) continue;
            t.seed(outputs[o], w);
            end = std::max(end, std::size_t(outputs[o].index()) + 1);
        }
    }
    t.backward_from(end);
    collect(r, t.adjoints(recording.first_input, recording.inputs));
}

// Rows first .. first + L - 1 (those below rows.count()) in ONE sweep with
// L adjoint lanes (tape::backward_lanes_from): each row's adjoints are
// bitwise those reverse_sweep gives it (the same seeds, the same operations
// in the same order per lane). The inputs' adjoints of each row are gathered
// into `gathered` (caller-owned scratch) for collect(r, adjoints).
template <std::size_t L, class T, class Rows, class Collect>
void reverse_lane_sweep(tape<T>& t, const tape_recording<T>& recording, const Rows& rows, std::size_t first,
                        std::vector<T>& gathered, Collect& collect) {
    const auto& outputs = recording.outputs;
    const std::size_t count = std::min(L, rows.count() - first);
    t.template zero_lane_adjoints<L>();
    std::size_t end = 0;
    for (std::size_t l = 0; l < count; ++l) {
        const std::size_t r = first + l;
        if constexpr (Rows::unit) {
            t.template seed_lane<L>(outputs[r], l);
            end = std::max(end, std::size_t(outputs[r].index()) + 1);
        } else {
            for (std::size_t o = 0; o < outputs.size(); ++o) {
                const T w = T(rows.weight(r, o));
                if (w == T(0)) continue;
                t.template seed_lane<L>(outputs[o], l, w);
                end = std::max(end, std::size_t(outputs[o].index()) + 1);
            }
        }
    }
    t.template backward_lanes_from<L>(end);
    const auto adjoints = t.lane_adjoints();
    gathered.resize(recording.inputs);
    for (std::size_t l = 0; l < count; ++l) {
        for (std::size_t j = 0; j < recording.inputs; ++j) gathered[j] = adjoints[(recording.first_input + j) * L + l];
        collect(first + l, std::span<const T>(gathered));
    }
}

// The most adjoint lanes a Rows type asks for per sweep: Rows::max_sweep_lanes
// when it says, else 1. Lanes pay for DENSE rows of weights (matrix_rows, the
// chain's pull-backs), where every lane of a statement is busy: 64 rows of
// W J through a 256 x 256 dense f, sweeps only, 2.1 -> 1.3 ms (1024: 39-48
// -> 24-25 ms). They lose where each row reaches its own statements and
// most lanes of a statement are zero: unit rows (a Jacobian's rows: the
// same f, 256 rows, 0.21-0.23 -> 0.29 ms; Lorenz-96's Jacobian, n = 1000,
// 0.81 -> 1.12 ms) and the sparse driver's colour classes (Bratu 10^5, 5
// colours: 5.4 ms as 5 sweeps, 7.0 ms as one sweep of 8 lanes, the lane
// adjoints being 8x the memory traffic). Measured 2026-12-07, standalone
// TUs, g++ -O3 -march=native.
template <class Rows>
constexpr std::size_t sweep_lane_cap() {
    if constexpr (requires { Rows::max_sweep_lanes; })
        return Rows::max_sweep_lanes;
    else
        return 1;
}

// The adjoint lanes per sweep for p rows: 1 (one row, a number type that is
// not a built-in floating-point type, e.g. the duals of a Hessian's
// forward-over-reverse, or rows that ask for one), else 2, 4 or 8.
// body.template operator()<L>().
template <class T, class Rows, class Body>
decltype(auto) with_sweep_lanes(std::size_t p, Body&& body) {
    if constexpr (std::is_floating_point_v<T> && sweep_lane_cap<Rows>() >= 8) {
        if (p >= 5) return body.template operator()<8>();
        if (p >= 3) return body.template operator()<4>();
        if (p == 2) return body.template operator()<2>();
    }
    return body.template operator()<1>();
}

// Every row: L rows per sweep (with_sweep_lanes), one row per sweep when L = 1.
template <class T, class Rows, class Collect>
void reverse_sweeps(tape<T>& t, const tape_recording<T>& recording, const Rows& rows, Collect&& collect) {
    const std::size_t p = rows.count();
    with_sweep_lanes<T, Rows>(p, [&]<std::size_t L>() {
        if constexpr (L == 1) {
            for (std::size_t r = 0; r < p; ++r) reverse_sweep(t, recording, rows, r, collect);
        } else {
            std::vector<T> gathered;
            for (std::size_t first = 0; first < p; first += L)
                reverse_lane_sweep<L>(t, recording, rows, first, gathered, collect);
        }
    });
}

// The view of what a `record` callback returns: a recorded_function (owning
// its outputs) or a tape_recording.
template <class T>
tape_recording<T> recording_view(const recorded_function<T>& r) {
    return r.view();
}
template <class T>
tape_recording<T> recording_view(const tape_recording<T>& r) {
    return r;
}

// The tapes the other threads of a threaded reverse loop record on: owned by
// the calling thread and kept between calls (cleared, not freed, like the
// workspace tape), so that the threads started for a call reuse the memory
// of the previous call's. A fresh tape on a fresh thread costs a page fault
// per 4 KiB it fills, and growth copies: that made a 512 x 512 reverse
// Jacobian on 2 threads 10x SLOWER than on one (measured on a VM, where page
// faults are expensive). They live until the calling thread exits: (k - 1)
// recordings of f.
template <class T>
struct helper_tape_slot {
    std::vector<std::unique_ptr<tape<T>>> tapes;  // inactive tapes
    bool busy = false;
};
template <class T>
helper_tape_slot<T>& helper_tapes() {
    thread_local helper_tape_slot<T> slot;
    return slot;
}

// The same sweeps on up to k threads (k = thread_count(k, rows), 1: the loop
// above). A tape is swept by one thread at a time, so each thread sweeps its
// own recording: the calling thread `recording` on t, every other thread the
// one record(tape<T>&) makes on a tape of its own (helper_tapes; the same
// function at the same point: the same statements; its result, a
// recorded_function<T> or a tape_recording<T>, is kept alive during its
// sweeps). Blocks of rows (one sweep each, with_sweep_lanes) are handed out
// one at a time (a shared counter) to whichever thread is free; each sweep
// starts from zeroed adjoints and each lane is independent, so which thread
// sweeps a row does not change a bit of it. A recording with other sizes
// than the calling thread's (an f that is not deterministic) throws
// std::logic_error.
template <class T, class Rows, class Collect, class Record>
void reverse_sweeps(tape<T>& t, const tape_recording<T>& recording, const Rows& rows, Collect&& collect,
                    Record&& record, threads k) {
    const std::size_t p = rows.count();
    const std::size_t lanes = with_sweep_lanes<T, Rows>(p, []<std::size_t L>() { return L; });
    const std::size_t blocks = (p + lanes - 1) / lanes;
    const std::size_t workers = thread_count(k, blocks);
    if (workers <= 1) {
        reverse_sweeps(t, recording, rows, collect);
        return;
    }
    // The helper tapes, or fresh ones when an enclosing call on this thread
    // is using them (a threaded driver called from inside f).
    auto& slot = helper_tapes<T>();
    std::vector<std::unique_ptr<tape<T>>> fresh;
    std::vector<std::unique_ptr<tape<T>>>& helpers = slot.busy ? fresh : slot.tapes;
    struct release_on_exit {
        bool* busy;
        ~release_on_exit() {
            if (busy) *busy = false;
        }
    } release{slot.busy ? nullptr : &slot.busy};
    slot.busy = true;
    while (helpers.size() < workers - 1) helpers.push_back(std::make_unique<tape<T>>(tape<T>::inactive));
    std::atomic<std::size_t> next{0};  // the next block of `lanes` rows
    const auto sweep_rows = [&](tape<T>& own, const tape_recording<T>& mine, const std::atomic<bool>& stop) {
        with_sweep_lanes<T, Rows>(p, [&]<std::size_t L>() {
            std::vector<T> gathered;
            while (!stop.load(std::memory_order_relaxed)) {
                const std::size_t block = next.fetch_add(1, std::memory_order_relaxed);
                if (block >= blocks) break;
                if constexpr (L == 1)
                    reverse_sweep(own, mine, rows, block, collect);
                else
                    reverse_lane_sweep<L>(own, mine, rows, block * L, gathered, collect);
            }
        });
    };
    run_on_threads(workers, [&](std::size_t w, const std::atomic<bool>& stop) {
        if (w == 0) {
            sweep_rows(t, recording, stop);
            return;
        }
        tape<T>& own = *helpers[w - 1];
        own.clear();
        typename tape<T>::activation active(own);
        const auto made = record(own);
        const tape_recording<T> mine = recording_view<T>(made);
        if (mine.inputs != recording.inputs || mine.outputs.size() != recording.outputs.size())
            throw_logic_error("threads", "f recorded on another thread has ", mine.inputs, " inputs and ",
                              mine.outputs.size(), " outputs; on the calling thread ", recording.inputs, " and ",
                              recording.outputs.size(), " (f must be deterministic)");
        sweep_rows(own, mine, stop);
    });
}

// ---- inputs ----------------------------------------------------------------------

// Registers n inputs as independent variables on the active tape in one step
// (statements first .. first + n - 1, in index order) and returns make(i),
// the var of input i with value value(i). make refers to the tape and holds
// a copy of value (which may refer to the inputs).
template <class T, class Value>
auto register_independents(std::size_t n, Value value) {
    tape<T>& t = active_tape_or_throw<T>();
    const std::size_t first = t.new_independents(n);
    return [&t, value, first](std::size_t i) {
        return registered_var<T>::make(t, T(value(i)), tape_index(first + i));
    };
}

// The statement of the first of a sequence of freshly registered inputs (0 if
// there are none).
template <class Vars>
std::size_t first_index(const Vars& xs) {
    return std::size(xs) == 0 ? 0 : std::size_t(xs[0].index());
}

}  // namespace duet::detail
