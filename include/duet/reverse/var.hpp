// duet::var<T>: a reverse-mode variable recorded on the active duet::tape<T>
// of its thread (reverse/tape.hpp).
//
// A var is a leaf {value, statement index}: copying one copies the handle
// (the copy IS the same variable), it owns nothing. Arithmetic on vars builds
// expressions (core/); assigning one to a var evaluates it, runs the static
// adjoint sweep of that one statement and records its partials w.r.t. the
// var leaves on the tape: one statement, no intermediate variables. var
// writes through detail::tape_recorder<T>, the tape's private write side.
//
//   duet::tape<double> t;             // active tape of this thread
//   duet::var<double> x = 2.0;        // an independent variable
//   duet::var<double> y = x * sin(x); // one statement, two partials
//   t.backward(y);  x.adjoint();
//
// Constructing a var from a number (or default-constructing one, value 0)
// registers an independent variable, so it needs an active tape: without one
// std::logic_error is thrown. A var is valid while its tape lives and has not
// been cleared or rewound past it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <type_traits>

#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/functions.hpp"
#include "duet/core/numeric_limits.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/tape_fwd.hpp"

namespace duet {

template <class T>
struct leaf_traits<var<T>> {
    using value_type = T;
    using family = duet::family<tape_mode, T, 1>;
    static constexpr const T& value(const var<T>& x) { return x.value(); }
};

template <class T>
struct scalar_of<var<T>> {
    using type = scalar_t<T>;
};

// A sub-expression too large for one tree is recorded as a statement of its
// own (core/expression.hpp, max_leaf_occurrences).
template <class T>
struct statement_number<family<tape_mode, T, 1>> {
    using type = var<T>;
};

namespace detail {

[[noreturn, gnu::cold, gnu::noinline]] inline void throw_no_active_tape() {
    throw std::logic_error(
        "duet::var: no active duet::tape on this thread; create a duet::tape<T> (of the "
        "same T as the var) before creating or assigning vars");
}

template <class T>
inline tape<T>& active_tape_or_throw() {
    tape<T>* t = active_tape<T>;
    if (t == nullptr) [[unlikely]]
        throw_no_active_tape();
    return *t;
}

}  // namespace detail

template <class T>
class var {
    using own_family = duet::family<tape_mode, T, 1>;
    template <class E>
    static constexpr bool is_own_expression =
        expression_of<E, own_family> && !std::is_same_v<std::remove_cvref_t<E>, var>;
    template <class U>
    static constexpr bool is_number =
        !expression_of<U, own_family> && std::is_constructible_v<T, const U&>;

public:
    using value_type = T;
    using index_type = detail::tape_index;

    // An independent variable with value 0 (needs an active tape).
    var() : var(T(0)) {}

    // An independent variable (needs an active tape). Numbers of a lower
    // nesting level (a dual expression for var<dual<...>>) are accepted too.
    template <class U>
        requires is_number<U>
    var(const U& v) : var(detail::active_tape_or_throw<T>(), T(v)) {}

    // Records the expression as one statement on the active tape. Forced
    // inline, like record: outlined (clang++ did, once entry_writer merged
    // repeated leaves), the var's value went through memory on every
    // iteration of a loop `p *= x[i]` (prod_iter 5.6 -> 9.8 us at n = 1024).
    template <class E>
        requires is_own_expression<E>
    DUET_INLINE var(const E& e) {
        record(e);
    }

    // The copy constructor is user-provided on purpose, although it copies
    // exactly what the implicit one would: an expression holds its var leaves
    // by value, and with a trivial copy GCC copies a named sub-expression
    // (`const auto z = (x - mu) / sigma; ... z * z`) as one block, a wide
    // vector load right after the narrower stores that built it. That load
    // cannot be store-forwarded; it waits for the stores to commit and
    // serialises the recording loop. Member-wise copies stay in registers.
    // Nothing relies on var being trivially copyable.
    //
    // A copy also marks both vars as shared (see accumulate below).
    DUET_INLINE var(const var& other)
        : value_(other.value_),
          index_(other.index_),
          shared_(true)
#if DUET_TAPE_CHECKS
          ,
          tape_id_(other.tape_id_),
          generation_(other.generation_)
#endif
    {
        other.shared_ = true;
    }
    DUET_INLINE var& operator=(const var& other) {
        value_ = other.value_;
        index_ = other.index_;
#if DUET_TAPE_CHECKS
        tape_id_ = other.tape_id_;
        generation_ = other.generation_;
#endif
        other.shared_ = true;
        shared_ = true;
        return *this;
    }

    template <class E>
        requires is_own_expression<E>
    DUET_INLINE var& operator=(const E& e) {
        record(e);
        return *this;
    }
    // A new independent variable.
    template <class U>
        requires is_number<U>
    var& operator=(const U& v) {
        return *this = var(v);
    }

    // Compound assignment reads a copy of *this, so `x *= x` is safe.
    // += and -= accumulate in place when they can (see accumulate below).
    template <class E>
    DUET_INLINE var& operator+=(const E& e) { return accumulate<false>(e); }
    template <class E>
    DUET_INLINE var& operator-=(const E& e) { return accumulate<true>(e); }
    template <class E>
    DUET_INLINE var& operator*=(const E& e) { return *this = *this * e; }
    template <class E>
    DUET_INLINE var& operator/=(const E& e) { return *this = *this / e; }

    const T& value() const { return value_; }
    index_type index() const { return index_; }

    // d(seeded outputs)/d(this) on the active tape, after a backward sweep.
    T adjoint() const { return detail::active_tape_or_throw<T>().adjoint(*this); }

private:
    friend struct detail::registered_var<T>;
    friend class detail::tape_recorder<T>;  // checks and stamps tape_id_, generation_
    using recorder = detail::tape_recorder<T>;

    var(const tape<T>& t, const T& v, index_type index) : value_(v), index_(index) {
        recorder::stamp(t, *this);
    }

    // The index is initialised once, not zeroed and then assigned: a var
    // emplaced into a vector is written once.
    var(tape<T>& t, const T& v) : value_(v), index_(recorder::new_independent(t)) {
        recorder::stamp(t, *this);
    }

    // Accumulation: `s += e` is `s = s + e`, a new statement whose partial
    // w.r.t. the old s is exactly 1. When no other var refers to s's
    // statement (s was never copied: shared_ is false) and that statement is
    // the last one on the tape, e's partials are appended to it instead, and
    // s keeps its index. The derivatives are the same: the old statement was
    // reachable only through s, with adjoint(old s) = 1 * adjoint(s). A loop
    // `s += term(x[i])` then records ONE statement whose entries are every
    // term's partials: no per-iteration statement, and a reverse sweep with
    // no dependency chain through s (benchmark/problems.cpp: sum_iter,
    // log_sum_exp, normal_log_pdf, rosenbrock). A number only changes s's
    // value (its statement's partials do not depend on it). Otherwise (s was
    // copied, e.g. into an expression or a container, or other statements
    // were recorded since) the ordinary statement is recorded.
    template <bool Negate, class E>
    DUET_INLINE var& accumulate(const E& e) {
        if constexpr (is_number<E>) {
            if (!shared_) {
                if constexpr (Negate)
                    value_ = value_ - T(e);
                else
                    value_ = value_ + T(e);
                return *this;
            }
        } else if constexpr (expression_of<E, own_family>) {
            accumulate_expression<Negate>(e);
            return *this;
        }
        if constexpr (Negate)
            return *this = *this - e;
        else
            return *this = *this + e;
    }

    // s (+|-)= e for an expression e: appended to s's statement, or recorded
    // as the statement s_new = s (+|-) e (entries: e's leaves, then s with
    // partial 1; what recording `*this + e` gives, without copying *this).
    // Both cases evaluate, write the same entries and update every member of
    // s; they differ only in how many entries the tape keeps. With two
    // separate paths GCC reloaded s from memory on every iteration of a loop
    // whose s is returned.
    template <bool Negate, class E>
    DUET_INLINE void accumulate_expression(const E& e) {
        // Read first, before anything is stored.
        const T old_value = value_;
        const bool was_shared = shared_;
        tape<T>& t = detail::active_tape_or_throw<T>();
        constexpr std::size_t count = detail::leaf_occurrences<E>::value;
        const auto cache = duet::evaluate(e);
        // In place needs: no other var refers to s's statement, it is the
        // last statement, and e does not refer to it. An expression holds
        // copies of its leaves (which mark s shared), so only e = s itself,
        // passed by reference (`s -= s`), can.
        bool in_place = !was_shared && recorder::is_last_statement(t, *this);
        if constexpr (std::is_same_v<E, var>) in_place = in_place && &e != this;
        recorder::check(t, *this);
        auto cursor = recorder::begin_statement(t, count + 1);
        const index_type* const first = cursor.index;
        T updated;
        if constexpr (Negate)
            updated = old_value - cache.value;
        else
            updated = old_value + cache.value;
        index_type last = no_leaf;
        auto write = entry_writer<count>(t, cursor, last);
        duet::sweep(cache, Negate ? T(-1) : T(1), write);
        // e's entries (at most count; fewer when a leaf repeats, see
        // entry_writer), then s with partial 1 (never merged: kept only when
        // a new statement is recorded).
        const auto written = std::size_t(cursor.index - first);
        *cursor.index = index_;
        *cursor.partial = T(1);
        // A branch, not arithmetic on in_place: predicted, it keeps the
        // tape's statement counter off the loop's dependency chain.
        index_type index = index_;
        if (in_place)
            recorder::extend_last_statement(t, written);
        else
            index = recorder::end_statement(t, written + 1);
        index_ = index;
        value_ = updated;
        shared_ = false;
        recorder::stamp(t, *this);
    }

    // No statement has this index (a tape holds at most 2^32 - 1 statements,
    // numbered from 0): `last` before the first entry of a statement.
    static constexpr index_type no_leaf = index_type(detail::tape_index_limit);

    // The sweep's sink for a statement being recorded: one (index, partial)
    // entry per leaf occurrence, written through the tape's cursor, except
    // that a leaf occurrence with the same index as the entry written just
    // before it (`y - x * x`, `d * d + e * e` with named locals d, e: the
    // static sweep visits a subtree's leaves consecutively) is added to that
    // entry's partial instead of written as an entry of its own. Exact: a
    // statement's partial w.r.t. a variable is the sum of its occurrences'
    // partials, and the sweep adds c * p1 + c * p2 into the same adjoint
    // either way (now c * (p1 + p2): the rounding may differ in the last
    // bit, the derivative does not; p1 + p2 = 2 p1 for x * x is exact). The
    // one case that could differ by more, p1 + p2 overflowing where both are
    // finite, is not merged. `last` is the index of the previous entry
    // (no_leaf before the first). At most `count` entries are written; the
    // caller reads how many from the cursor.
    // Count: the statement's leaf occurrences. Statements of one or two
    // occurrences are written without the test: with one there is nothing
    // to merge, and on two (`p *= x[i]`: p * x) the test and the variable
    // entry count cost more than merging `x * x` saves (clang++, prod_iter
    // 5.5 -> 6.1 us at n = 1024 with it). Merging is optional: either way
    // the statement is exact.
    static constexpr std::size_t merge_from = 3;
    template <std::size_t Count>
    DUET_INLINE static auto entry_writer(const tape<T>& t, typename recorder::entry_cursor& cursor,
                                         index_type& last) {
        return [&cursor, &t, &last](const var& leaf, const T& partial) DUET_INLINE_LAMBDA {
            recorder::check(t, leaf);
            if (Count >= merge_from && leaf.index_ == last) {
                T& previous = cursor.partial[-1];
                const T merged = T(previous + partial);
                if (detail::is_finite_number(merged) || !detail::is_finite_number(previous) ||
                    !detail::is_finite_number(partial)) [[likely]] {
                    previous = merged;
                    return;
                }
            }
            last = leaf.index_;
            *cursor.index++ = leaf.index_;
            *cursor.partial++ = partial;
        };
    }

    template <class E>
    DUET_INLINE void record(const E& e) {
        tape<T>& t = detail::active_tape_or_throw<T>();
        constexpr std::size_t count = detail::leaf_occurrences<E>::value;
        const auto cache = duet::evaluate(e);
        auto cursor = recorder::begin_statement(t, count);
        const index_type* const first = cursor.index;
        // The sweep reaches every leaf occurrence exactly once: at most
        // `count` entries (fewer when a leaf repeats, see entry_writer).
        index_type last = no_leaf;
        auto write = entry_writer<count>(t, cursor, last);
        duet::sweep(cache, T(1), write);
        index_ = recorder::end_statement(t, std::size_t(cursor.index - first));
        value_ = cache.value;
        shared_ = false;
        recorder::stamp(t, *this);
    }

    T value_{};
    index_type index_ = 0;
    // Another var may refer to this var's statement (a copy was made). Only
    // ever set by copies, cleared when this var records a new statement. Like
    // the tape, a var belongs to one thread.
    mutable bool shared_ = false;
#if DUET_TAPE_CHECKS
    std::uint32_t tape_id_ = 0;
    std::uint32_t generation_ = 0;
#endif
};

namespace detail {
// Builds vars for statements already registered with
// tape::new_independents (the drivers register a whole input at once).
template <class T>
struct registered_var {
    // Statement `index` of t must be an independent variable registered by
    // t.new_independents with value v.
    static var<T> make(const tape<T>& t, const T& v, detail::tape_index index) { return var<T>(t, v, index); }
};
}  // namespace detail

template <class T>
std::ostream& operator<<(std::ostream& os, const var<T>& x) {
    return os << x.value();
}

}  // namespace duet

// numeric_limits<var<T>>::infinity() etc. are vars made from numbers: they
// need an active tape, like every var made from a number.
template <class T>
struct std::numeric_limits<duet::var<T>> : duet::numeric_limits_from<duet::var<T>, T> {};
