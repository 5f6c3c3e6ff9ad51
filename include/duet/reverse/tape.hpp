// The statement-level tape: reverse mode for general code (loops, branches,
// run-time sizes) built from duet::var<T> (reverse/var.hpp).
//
// Every variable is one STATEMENT on the tape, numbered in recording order:
// an independent variable (a number turned into a var) is a statement with
// no entries; `y = expr` is a statement whose entries are the partials of
// expr w.r.t. its var leaves, (leaf index, partial) pairs produced by the
// static adjoint sweep of that one expression (core/evaluate.hpp). A
// statement may hold several entries with the same index (the sweep adds
// them all); var merges a leaf occurrence into the entry written just before
// it when both have the same index (in `y - x * x`, x is one entry with
// partial -2x; reverse/var.hpp, entry_writer), so a statement has at most
// one entry per leaf occurrence, and fewer when a leaf repeats.
//
// Storage is structure-of-arrays and contiguous:
//   entry_index_[k], entry_partial_[k]   the k-th recorded partial
//   statement_end_[s + 1]                one past statement s's last partial
//                                        (statement_end_[0] == 0 always)
//   adjoint_[s]                          filled by the reverse sweep
// That is 4 + sizeof(T) bytes per partial and 4 + sizeof(T) per statement.
// clear()/rewind() drop the contents and keep every buffer's capacity, so a
// record/sweep loop allocates only in its first iterations.
//
// Two sides: tape<T>'s public members are what users and drivers call
// (activation, reserve/rewind, seeding, sweeps, reading adjoints, registering
// a block of inputs); writing a statement is detail::tape_recorder<T>, the
// only friend, which var<T> uses. A statement is written through a raw
// cursor in two calls (begin_statement, end_statement) with the partials
// stored in between, and is consistent only after the second: that protocol
// is not for users.
//
// Active tape: constructing a tape<T> makes it the active tape<T> of the
// calling thread (a thread_local pointer, one per T); destroying it restores
// the previously active one. Scopes must nest (tapes are not movable). vars
// record on the active tape, so concurrent threads use separate tapes.
//
// The reverse sweep is a plain loop over statements from last to first (no
// recursion, constant stack). A statement whose adjoint is exactly zero is
// skipped ("strong zero"): an infinite or NaN partial on a branch that does
// not reach the output (sqrt at 0, say) then contributes nothing, as in
// forward mode; and a zero partial contributes nothing even when the adjoint
// is infinite (core/strong_zero.hpp states the rule).
//
// Checks (DUET_TAPE_CHECKS, reverse/tape_fwd.hpp): a var used on another
// tape, or after its tape was cleared/rewound past it, throws
// std::logic_error.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "duet/core/expression.hpp"
#include "duet/core/strong_zero.hpp"
#include "duet/reverse/tape_fwd.hpp"

namespace duet {
namespace detail {

// The active tape<T> of this thread (nullptr: none).
template <class T>
constinit inline thread_local tape<T>* active_tape = nullptr;

// Ids distinguish tapes in checked builds.
inline std::atomic<std::uint32_t> next_tape_id{1};

// a * b + c, fused (one rounding) where the target has FMA instructions.
template <class T>
constexpr T multiply_add(const T& a, const T& b, const T& c) {
#ifdef __FMA__
    if constexpr (std::is_floating_point_v<T>) return std::fma(a, b, c);
#endif
    return T(a * b + c);
}

// Storage that only grows (by doubling) and copies on growth; elements are
// plain numbers. Size is tracked by the owner.
template <class U>
struct tape_array {
    std::unique_ptr<U[]> data;

    void grow(std::size_t used, std::size_t new_capacity) {
        auto fresh = std::make_unique_for_overwrite<U[]>(new_capacity);
        std::copy(data.get(), data.get() + used, fresh.get());
        data = std::move(fresh);
    }
};

inline std::size_t grown_capacity(std::size_t capacity, std::size_t needed) {
    if (needed > tape_index_limit)
        throw std::length_error("duet::tape: more than 2^32 - 1 statements or partials");
    return std::min(std::max<std::size_t>({needed, 2 * capacity, 256}), tape_index_limit);
}

}  // namespace detail

template <class T>
class tape {
public:
    using value_type = T;
    using index_type = detail::tape_index;

    // A tape that becomes the active tape of this thread until destroyed.
    tape() : tape(inactive) {
        previous_ = detail::active_tape<T>;
        detail::active_tape<T> = this;
        activated_ = true;
    }
    // A tape that is not made active: activate it for a scope with
    // tape::activation (a reusable tape kept across calls, say).
    struct inactive_t {};
    static constexpr inactive_t inactive{};
    explicit tape(inactive_t) {
        reserve(0, 0);  // statement_end_[0] must exist
        statement_end_.data[0] = 0;
#if DUET_TAPE_CHECKS
        id_ = detail::next_tape_id.fetch_add(1, std::memory_order_relaxed);
#endif
    }
    ~tape() {
        if (activated_) detail::active_tape<T> = previous_;
    }
    tape(const tape&) = delete;
    tape& operator=(const tape&) = delete;

    // RAII: makes a tape the active one of this thread for the scope, then
    // restores the previously active tape. Scopes must nest.
    class activation {
    public:
        explicit activation(tape& t) : previous_(detail::active_tape<T>) { detail::active_tape<T> = &t; }
        ~activation() { detail::active_tape<T> = previous_; }
        activation(const activation&) = delete;
        activation& operator=(const activation&) = delete;

    private:
        tape* previous_;
    };

    // The active tape of this thread, or nullptr.
    static tape* active() { return detail::active_tape<T>; }

    // Number of statements (variables) recorded, and of partials.
    std::size_t size() const { return statements_; }
    std::size_t partials() const { return entries_; }

    // Makes room for this many statements and partials in total.
    void reserve(std::size_t statements, std::size_t partials) {
        if (statements + 1 > statement_capacity_) {
            const std::size_t cap = detail::grown_capacity(statement_capacity_, statements + 1);
            statement_end_.grow(statement_capacity_ == 0 ? 0 : statements_ + 1, cap);
#if DUET_TAPE_CHECKS
            statement_generation_.grow(statements_, cap);
#endif
            statement_capacity_ = cap;
        }
        if (partials > entry_capacity_) {
            const std::size_t cap = detail::grown_capacity(entry_capacity_, partials);
            entry_index_.grow(entries_, cap);
            entry_partial_.grow(entries_, cap);
            entry_capacity_ = cap;
        }
    }

    // A position to rewind to: variables recorded before it stay valid.
    std::size_t position() const { return statements_; }

    // Drops every statement from `pos` on (adjoints too); keeps the capacity.
    void rewind(std::size_t pos) {
        if (pos > statements_)
            throw std::invalid_argument("duet::tape::rewind: position " + std::to_string(pos) +
                                        " is past the end of the tape (" +
                                        std::to_string(statements_) + " statements)");
        statements_ = pos;
        entries_ = statement_end_.data[pos];
        adjoint_.clear();
        lane_adjoint_.clear();
#if DUET_TAPE_CHECKS
        ++generation_;
#endif
    }
    void rewind() { rewind(0); }
    void clear() { rewind(0); }

    // Bytes held by the tape (capacity, not size).
    std::size_t memory() const {
        std::size_t bytes = entry_capacity_ * (sizeof(index_type) + sizeof(T)) +
                            statement_capacity_ * sizeof(index_type) +
                            (adjoint_.capacity() + lane_adjoint_.capacity()) * sizeof(T);
#if DUET_TAPE_CHECKS
        bytes += statement_capacity_ * sizeof(std::uint32_t);
#endif
        return bytes;
    }

    // ---- reverse sweep -------------------------------------------------------

    // All adjoints = 0, one per statement recorded so far.
    void zero_adjoints() { adjoint_.assign(statements_, T(0)); }

    // adjoint(y) += weight. Seeds accumulate until zero_adjoints().
    void seed(const var<T>& y, const T& weight = T(1)) {
        recorder::check(*this, y);
        fit_adjoints();
        adjoint_[y.index()] += weight;
    }

    // Propagates the current adjoints from the last statement to the first.
    // Statements with an exactly-zero adjoint are skipped.
    void backward() { backward_from(statements_); }

    // The same, starting below statement `end_statement` (statements at or
    // after it are ignored): a sweep for an output y can start at
    // y.index() + 1.
    void backward_from(std::size_t end_statement) {
        fit_adjoints();
        std::size_t s = std::min(end_statement, statements_);
        if (s == 0) return;
        T* adj = adjoint_.data();
        const index_type* end = statement_end_.data.get();
        const index_type* index = entry_index_.data.get();
        const T* partial = entry_partial_.data.get();
        // Statement s only refers to statements below s, most often to s - 1
        // (an accumulation `s = s + ...`) or s - 2 (`T z = ...; s += z * z`
        // records z, then s). The adjoints of s - 1 and s - 2 are carried in
        // registers (`below1`, `below2`), not through memory: such chains
        // cost one multiply-add per statement on the critical path instead
        // of a store-to-load round trip.
        // Invariant at the top of the loop: current = adjoint of s, below1 =
        // adjoint of s - 1 (s >= 1), both complete; adj[s - 1] in memory may
        // be stale.
        // Statements with more partials than this sweep in a plain loop.
        constexpr std::size_t short_statement = 8;
        --s;
        T current = adj[s];
        T below1 = s >= 1 ? adj[s - 1] : T(0);
        std::size_t hi = end[s + 1];
        for (;;) {
            const std::size_t lo = end[s];
            adj[s] = current;
            if (lo == hi || s == 0) {
                // A run of statements without partials (independent
                // variables): their adjoints are final. Skip to the first
                // statement below the run that has partials.
                // Statement 0 never has partials (a statement only refers to
                // statements below it); s == 0 is tested anyway, so that a
                // var used after rewind() in an unchecked build cannot make
                // the sweep read adj[-1].
                if (s == 0) break;
                adj[s - 1] = below1;
                // Long runs (the inputs of a gradient) are crossed by binary
                // search: statement_end_ is non-decreasing and the run is
                // exactly the statements r <= s with end[r] == lo.
                const std::size_t floor = s > 8 ? s - 8 : 0;
                while (s > floor && end[s - 1] == lo) --s;
                if (s == floor && s > 0 && end[s - 1] == lo)
                    s = std::size_t(std::lower_bound(end, end + s, lo) - end);
                if (s == 0) break;
                --s;
                current = adj[s];
                below1 = s >= 1 ? adj[s - 1] : T(0);
                continue;  // hi == lo == end[s + 1]
            }
            T below2 = s >= 2 ? adj[s - 2] : T(0);
            if (is_exact_zero(current)) {
                // strong zero: nothing flows
            } else if (!detail::is_finite_number(current)) [[unlikely]] {
                // An infinite (or NaN) adjoint: each product under the
                // strong-zero rule, so that a zero partial stays zero
                // (core/strong_zero.hpp). Finite adjoints need no test: a
                // finite nonzero factor times anything is what the rule says.
                adj[s - 1] = below1;
                for (std::size_t k = lo; k < hi; ++k) {
                    const std::size_t i = index[k];
                    adj[i] = T(adj[i] + chain_product(current, partial[k]));
                }
                below1 = adj[s - 1];
                below2 = s >= 2 ? adj[s - 2] : T(0);
            } else if (hi - lo <= short_statement) {
                const std::size_t prev1 = s - 1;
                const std::size_t prev2 = s - 2;  // no entry matches when s == 1
                for (std::size_t k = lo; k < hi; ++k) {
                    const std::size_t i = index[k];
                    if (i == prev1)
                        below1 = detail::multiply_add(current, partial[k], below1);
                    else if (i == prev2)
                        below2 = detail::multiply_add(current, partial[k], below2);
                    else
                        adj[i] = detail::multiply_add(current, partial[k], adj[i]);
                }
            } else {
                // A long statement (an accumulation recorded in place): its
                // entries mostly point far below; one plain loop through
                // memory, with the carried adjoint of s - 1 stored and both
                // reloaded around it (below2 still equals adj[s - 2] here):
                // testing each entry against s - 1 and s - 2 costs more than
                // it saves when most entries point elsewhere.
                adj[s - 1] = below1;
                for (std::size_t k = lo; k < hi; ++k) {
                    const std::size_t i = index[k];
                    adj[i] = detail::multiply_add(current, partial[k], adj[i]);
                }
                below1 = adj[s - 1];
                below2 = s >= 2 ? adj[s - 2] : T(0);
            }
            hi = lo;
            --s;
            current = below1;
            below1 = below2;
        }
    }

    // ---- sweeps with L adjoint lanes ------------------------------------------
    // L seedings swept in ONE pass over the recording (L rows of a Jacobian),
    // over a second adjoint buffer: lane l of statement s is
    // lane_adjoints<L>()[s * L + l]. Each lane receives exactly the
    // operations, in the same order, that backward_from performs for its
    // seeding alone (strong zero per lane: a lane whose adjoint is exactly
    // zero gets nothing, an infinite or NaN one goes through chain_product),
    // so a lane's adjoints are bitwise those of the single sweep. The buffer
    // keeps its capacity across calls, like the tape's.

    // All lane adjoints = 0 (statements recorded so far, L lanes each).
    template <std::size_t L>
    void zero_lane_adjoints() {
        lane_adjoint_.assign(statements_ * L, T(0));
    }
    // Lane `lane` of y's adjoint += weight (after zero_lane_adjoints<L>()).
    template <std::size_t L>
    void seed_lane(const var<T>& y, std::size_t lane, const T& weight = T(1)) {
        recorder::check(*this, y);
        if (lane >= L)
            throw std::invalid_argument("duet::tape::seed_lane: lane " + std::to_string(lane) + " of " +
                                        std::to_string(L));
        lane_adjoint_[std::size_t(y.index()) * L + lane] += weight;
    }
    // Propagates the lane adjoints from below statement end_statement down to
    // the first statement.
    template <std::size_t L>
    void backward_lanes_from(std::size_t end_statement) {
        static_assert(L >= 1);
        if (lane_adjoint_.size() < statements_ * L)
            throw std::logic_error("duet::tape: backward_lanes_from<L> without zero_lane_adjoints<L>()");
        T* adj = lane_adjoint_.data();
        const index_type* end = statement_end_.data.get();
        const index_type* index = entry_index_.data.get();
        const T* partial = entry_partial_.data.get();
        for (std::size_t s = std::min(end_statement, statements_); s-- > 0;) {
            const std::size_t lo = end[s], hi = end[s + 1];
            if (lo == hi) continue;  // an independent variable
            T current[L];
            bool any = false, regular = true;  // regular: every lane finite and nonzero
            for (std::size_t l = 0; l < L; ++l) {
                current[l] = adj[s * L + l];
                const bool zero = is_exact_zero(current[l]);
                any = any || !zero;
                regular = regular && !zero && detail::is_finite_number(current[l]);
            }
            if (!any) continue;  // strong zero in every lane
            if (regular) {
                for (std::size_t k = lo; k < hi; ++k) {
                    T* out = adj + std::size_t(index[k]) * L;
                    const T p = partial[k];
                    for (std::size_t l = 0; l < L; ++l) out[l] = detail::multiply_add(current[l], p, out[l]);
                }
            } else {
                for (std::size_t k = lo; k < hi; ++k) {
                    T* out = adj + std::size_t(index[k]) * L;
                    const T p = partial[k];
                    for (std::size_t l = 0; l < L; ++l) {
                        if (is_exact_zero(current[l])) continue;
                        out[l] = detail::is_finite_number(current[l])
                                     ? detail::multiply_add(current[l], p, out[l])
                                     : T(out[l] + chain_product(current[l], p));
                    }
                }
            }
        }
    }
    // The lane adjoints after backward_lanes_from<L>: statement s, lane l at
    // [s * L + l]. Valid until the next recording, seed or sweep.
    std::span<const T> lane_adjoints() const { return lane_adjoint_; }

    // The gradient of y: zero all adjoints, seed y with 1, sweep.
    void backward(const var<T>& y) {
        zero_adjoints();
        seed(y);
        backward_from(std::size_t(y.index()) + 1);
    }

    // A vector-Jacobian product: sum_i weights[i] * d outputs[i] / d (each var).
    void backward(std::span<const var<T>> outputs, std::span<const T> weights) {
        if (outputs.size() != weights.size())
            throw std::invalid_argument("duet::tape::backward: " + std::to_string(outputs.size()) +
                                        " outputs but " + std::to_string(weights.size()) +
                                        " weights");
        zero_adjoints();
        for (std::size_t i = 0; i < outputs.size(); ++i) seed(outputs[i], weights[i]);
        backward();
    }

    // d(seeded outputs)/d x after a sweep; 0 if no sweep reached x.
    T adjoint(const var<T>& x) const {
        recorder::check(*this, x);
        return x.index() < adjoint_.size() ? adjoint_[x.index()] : T(0);
    }

    // `count` independent variables in one step (one capacity check): the
    // statements first .. first + count - 1, where first is returned.
    index_type new_independents(std::size_t count) {
        if (statements_ + count >= statement_capacity_) [[unlikely]]
            reserve(statements_ + count, entries_);
        const auto first = static_cast<index_type>(statements_);
        const auto end = static_cast<index_type>(entries_);
        std::fill_n(statement_end_.data.get() + statements_ + 1, count, end);
#if DUET_TAPE_CHECKS
        std::fill_n(statement_generation_.data.get() + statements_, count, generation_);
#endif
        statements_ += count;
        return first;
    }

    // The adjoints of statements first .. first + count - 1 after a sweep
    // (0 for statements the sweep did not reach). Valid until the next
    // recording, seed or sweep.
    std::span<const T> adjoints(std::size_t first, std::size_t count) {
        if (first + count > statements_)
            throw std::invalid_argument("duet::tape::adjoints: statements " + std::to_string(first) +
                                        " .. " + std::to_string(first + count) +
                                        " are past the end of the tape (" +
                                        std::to_string(statements_) + " statements)");
        fit_adjoints();
        return {adjoint_.data() + first, count};
    }

private:
    friend class detail::tape_recorder<T>;
    using recorder = detail::tape_recorder<T>;

    // Adjoints for statements recorded since the last zero_adjoints() start at 0.
    void fit_adjoints() {
        if (adjoint_.size() < statements_) adjoint_.resize(statements_, T(0));
    }

    tape* previous_ = nullptr;
    bool activated_ = false;  // constructed active: the destructor restores previous_
    // Partials: entries_ used of entry_capacity_.
    detail::tape_array<index_type> entry_index_;
    detail::tape_array<T> entry_partial_;
    std::size_t entries_ = 0;
    std::size_t entry_capacity_ = 0;
    // statement_end_[0 .. statements_] used of statement_capacity_.
    detail::tape_array<index_type> statement_end_;
    std::size_t statements_ = 0;
    std::size_t statement_capacity_ = 0;
    std::vector<T> adjoint_;
    std::vector<T> lane_adjoint_;  // backward_lanes_from: statement s, lane l at s * L + l
#if DUET_TAPE_CHECKS
    detail::tape_array<std::uint32_t> statement_generation_;
    std::uint32_t id_ = 0;
    std::uint32_t generation_ = 0;
#endif
};

namespace detail {

// The write side of tape<T>: how var<T> records. Not part of the user API
// (tests reach it to check the protocol). The members are static and take
// the tape: a var holds no tape pointer (it records on the active tape), and
// each member is a small inline function that the recording loop inlines
// exactly as it would a member of the tape.
template <class T>
class tape_recorder {
public:
    using index_type = tape_index;

    // Where a statement's partials are written while it is recorded.
    struct entry_cursor {
        index_type* index;
        T* partial;
    };

    // A statement with no partials: an independent variable.
    static index_type new_independent(tape<T>& t) {
        if (t.statements_ + 1 >= t.statement_capacity_) [[unlikely]]
            t.reserve(t.statements_ + 1, t.entries_);
        return finish_statement(t);
    }

    // Room for `count` partials of the next statement; write up to `count`
    // through the cursor, then call end_statement(t, written) with the
    // number written (or extend_last_statement(t, written)).
    static entry_cursor begin_statement(tape<T>& t, std::size_t count) {
        if (t.entries_ + count > t.entry_capacity_ || t.statements_ + 1 >= t.statement_capacity_)
            [[unlikely]]
            t.reserve(t.statements_ + 1, t.entries_ + count);
        return {t.entry_index_.data.get() + t.entries_, t.entry_partial_.data.get() + t.entries_};
    }
    static index_type end_statement(tape<T>& t, std::size_t count) {
        t.entries_ += count;
        return finish_statement(t);
    }

    // Whether x's statement is the last one recorded on t (in checked
    // builds: and x is a current variable of t), so that partials may be
    // appended to it with extend_last_statement.
    static bool is_last_statement(const tape<T>& t, const var<T>& x) {
#if DUET_TAPE_CHECKS
        if (x.tape_id_ != t.id_ || x.index() >= t.statements_ ||
            t.statement_generation_.data[x.index()] != x.generation_)
            return false;
#endif
        return std::size_t(x.index()) + 1 == t.statements_;
    }
    // Appends `count` partials, written through the cursor of
    // begin_statement(t, count) or larger, to the last statement.
    static void extend_last_statement(tape<T>& t, std::size_t count) {
        t.entries_ += count;
        t.statement_end_.data[t.statements_] = static_cast<index_type>(t.entries_);
    }

    // Throws std::logic_error if x was not recorded on t or no longer exists
    // on it. A no-op unless DUET_TAPE_CHECKS.
    static void check([[maybe_unused]] const tape<T>& t, [[maybe_unused]] const var<T>& x) {
#if DUET_TAPE_CHECKS
        if (x.tape_id_ != t.id_)
            throw std::logic_error(
                "duet::var: this variable was recorded on another duet::tape (tape #" +
                std::to_string(x.tape_id_) + "), not on the active tape #" + std::to_string(t.id_) +
                "; a var can only be used with the tape it was recorded on");
        if (x.index() >= t.statements_ || t.statement_generation_.data[x.index()] != x.generation_)
            throw std::logic_error(
                "duet::var: this variable was recorded before its tape was cleared or "
                "rewound and no longer exists on the tape; create it again after "
                "clear()/rewind()");
#endif
    }

    // Marks x as a current variable of t (what check and is_last_statement
    // test). A no-op unless DUET_TAPE_CHECKS.
    static void stamp([[maybe_unused]] const tape<T>& t, [[maybe_unused]] var<T>& x) {
#if DUET_TAPE_CHECKS
        x.tape_id_ = t.id_;
        x.generation_ = t.generation_;
#endif
    }

private:
    static index_type finish_statement(tape<T>& t) {
        const auto s = static_cast<index_type>(t.statements_);
#if DUET_TAPE_CHECKS
        t.statement_generation_.data[s] = t.generation_;
#endif
        t.statement_end_.data[++t.statements_] = static_cast<index_type>(t.entries_);
        return s;
    }
};

}  // namespace detail
}  // namespace duet

