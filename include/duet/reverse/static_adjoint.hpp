// Static adjoint reverse mode: the gradient of ONE expression over scalar
// leaves, by a reverse sweep the compiler unrolls. No tape, no heap, no
// virtual call: each leaf carries its argument index, and the sweep
// (core/evaluate.hpp) adds each leaf's adjoint into gradient[index]. All
// arguments share one type, so `template <class T> T f(T x, T y)` works; once
// inlined, the indices are constants and the gradient lives in registers.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/functions.hpp"
#include "duet/core/numeric_limits.hpp"

namespace duet {

struct static_reverse_mode {};

// An argument of a function differentiated by the static adjoint: a leaf of
// one expression, not a variable: it cannot be assigned.
//
// Generic code makes constants of its number type: `T(2.0)`, `T{2.0}`,
// `static_cast<T>(c)`, `T{}`, `std::numeric_limits<T>::epsilon()`. Those are
// static_vars too (the type is all generic code can name), built by the
// constructor from a number, which marks them as constants: their index is
// `constant_index`, and the sweep adds nothing for them. Only the drivers
// make arguments (with their index).
template <class T>
class static_var {
public:
    using value_type = T;
    static constexpr std::size_t constant_index = static_cast<std::size_t>(-1);

    // A constant (T{}: the constant 0).
    constexpr static_var() = default;
    template <class U>
        requires(!expression_of<U, family<static_reverse_mode, T, 1>> &&
                 std::is_constructible_v<T, const U&>)
    DUET_INLINE constexpr static_var(const U& value) : v(static_cast<T>(value)) {}

    // The static adjoint differentiates ONE expression: a function that
    // stores an expression in a variable of its argument type cannot be one.
    template <class E>
        requires(expression_of<E, family<static_reverse_mode, T, 1>> &&
                 !std::is_same_v<std::remove_cvref_t<E>, static_var>)
    static_var(const E&) {
        static_assert(always_false<E>,
                      "duet::reverse with scalar arguments differentiates one closed-form "
                      "expression; this function stores an expression in a variable or return "
                      "value of its argument type (a helper returning T, or T s = ...; "
                      "s += ...), which holds no expression: use duet::forward, or pass a "
                      "std::vector to use the tape, or let helpers return auto");
    }

    DUET_INLINE static constexpr static_var argument(const T& value, std::size_t index) {
        return static_var(value, index, argument_tag{});
    }

    // Member-wise copies, user-provided on purpose (as var's, reverse/
    // var.hpp): with the implicit copy GCC copies a static_var inside an
    // expression as one wide block right after the narrow stores that built
    // it, a store-forwarding stall per copy, and the argument indices no
    // longer fold into constants, which undoes the whole point of the static
    // adjoint. Member-wise copies stay in registers.
    DUET_INLINE constexpr static_var(const static_var& other) : v(other.v), index_(other.index_) {}
    static_var& operator=(const static_var&) {
        static_assert(always_false<T>,
                      "duet::reverse with scalar arguments differentiates one closed-form "
                      "expression; this function assigns to a variable of its argument type "
                      "(T s = ...; s = ...): use duet::forward, or pass a std::vector to use "
                      "the tape");
        return *this;
    }

    constexpr const T& value() const { return v; }
    constexpr std::size_t index() const { return index_; }
    constexpr bool is_constant() const { return index_ == constant_index; }

    // The static adjoint differentiates one expression. A function that
    // assigns to a variable of its argument type (`T s = 0; s += ...`)
    // needs a tape or dual numbers instead.
    template <class U>
    static_var& operator=(const U&) {
        static_assert(always_false<U>,
                      "duet::reverse with scalar arguments differentiates one closed-form "
                      "expression; this function assigns to a variable of its argument type "
                      "(T s = ...; s += ...): use duet::forward, or pass a std::vector to use "
                      "the tape");
        return *this;
    }
    template <class U>
    static_var& operator+=(const U& u) { return *this = u; }
    template <class U>
    static_var& operator-=(const U& u) { return *this = u; }
    template <class U>
    static_var& operator*=(const U& u) { return *this = u; }
    template <class U>
    static_var& operator/=(const U& u) { return *this = u; }

private:
    struct argument_tag {};
    DUET_INLINE constexpr static_var(const T& value, std::size_t index, argument_tag) : v(value), index_(index) {}

    T v{};
    std::size_t index_ = constant_index;
};

// Nesting (core/lift.hpp): a closed form inside a forward derivative may
// carry that derivative's duals in its values.
template <>
struct nesting_rank<static_reverse_mode> : std::integral_constant<int, 1> {};
template <class T, class V>
struct lift_leaf<static_var<T>, V> {
    static constexpr static_var<V> make(const static_var<T>& x) {
        return x.is_constant() ? static_var<V>(V(x.value())) : static_var<V>::argument(V(x.value()), x.index());
    }
};

template <class T>
struct leaf_traits<static_var<T>> {
    using value_type = T;
    using family = duet::family<static_reverse_mode, T, 1>;
    static constexpr const T& value(const static_var<T>& x) { return x.value(); }
};

// Value and gradient of the expression e over static_vars 0..N-1, with the
// root adjoint `seed` (1 for a gradient).
template <std::size_t N, class T, class E>
DUET_INLINE constexpr void static_adjoint(const E& e, const T& seed, T& value_out, std::array<T, N>& gradient) {
    if constexpr (expression<E>) {
        static_assert(std::is_same_v<typename family_of<E>::mode, static_reverse_mode>,
                      "duet: the function must return an expression of its arguments");
        const auto cache = duet::evaluate(e);
        auto accumulate = [&gradient](const static_var<T>& leaf, const T& adjoint) DUET_INLINE_LAMBDA {
            if (!leaf.is_constant()) gradient[leaf.index()] += adjoint;
        };
        if constexpr (std::is_floating_point_v<T>) {
            // Plain products, and the strong-zero rule only when a NaN came
            // out (core/evaluate.hpp, sweep_plain_products: the same bits).
            // The sweep sums into its own zeroed array, so that it can be
            // redone and a NaN already in the caller's gradient is not taken
            // for one of this sweep's.
            std::array<T, N> swept{};
            auto into_swept = [&swept](const static_var<T>& leaf, const T& adjoint) DUET_INLINE_LAMBDA {
                if (!leaf.is_constant()) swept[leaf.index()] += adjoint;
            };
            duet::sweep_plain_products(cache, seed, into_swept);
            bool nan = false;
            for (const T& g : swept) nan |= g != g;
            if (nan) [[unlikely]] {
                swept.fill(T(0));
                duet::sweep(cache, seed, into_swept);
            }
            for (std::size_t i = 0; i < N; ++i) gradient[i] += swept[i];
        } else {
            duet::sweep(cache, seed, accumulate);
        }
        value_out = cache.value;
    } else if constexpr (std::is_convertible_v<E, T>) {
        value_out = T(e);  // a constant function: zero gradient
    } else {
        static_assert(always_false<E>,
                      "duet: the function must return a scalar: an expression of its "
                      "arguments or a number");
    }
}

}  // namespace duet

template <class T>
struct std::numeric_limits<duet::static_var<T>> : duet::numeric_limits_from<duet::static_var<T>, T> {};
