// Static adjoint reverse mode: the gradient of ONE expression over scalar
// leaves, by a reverse sweep the compiler unrolls. No tape, no heap, no
// virtual call: each leaf carries its argument index, and the sweep
// (core/evaluate.hpp) adds each leaf's adjoint into gradient[index]. All
// arguments share one type, so `template <class T> T f(T x, T y)` works; once
// inlined, the indices are constants and the gradient lives in registers.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/functions.hpp"

namespace duet {

struct static_reverse_mode {};

// An argument of a function differentiated by the static adjoint: a leaf of
// one expression, not a variable: it cannot be assigned.
template <class T>
struct static_var {
    using value_type = T;
    T v;
    std::size_t index;

    constexpr const T& value() const { return v; }

    // The static adjoint differentiates one expression. A function that
    // declares a variable of its argument type (`T s = 0; s += ...`) needs a
    // tape or dual numbers instead.
    template <class U>
    static_var& operator=(const U&) {
        static_assert(always_false<U>,
                      "duet::reverse with scalar arguments uses the static adjoint, which "
                      "differentiates a single expression: the function may not assign to "
                      "variables of its argument type. Use duet::forward (or the tape, "
                      "duet::var) for code with loops and assignments.");
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
};

template <class T>
struct leaf_traits<static_var<T>> {
    using value_type = T;
    using family = duet::family<static_reverse_mode, T, 1>;
    static constexpr const T& value(const static_var<T>& x) { return x.v; }
};

// Value and gradient of the expression e over static_vars 0..N-1, with the
// root adjoint `seed` (1 for a gradient).
template <std::size_t N, class T, class E>
DUET_INLINE constexpr void static_adjoint(const E& e, const T& seed, T& value_out, std::array<T, N>& gradient) {
    if constexpr (expression<E>) {
        static_assert(std::is_same_v<typename family_of<E>::mode, static_reverse_mode>,
                      "duet: the function must return an expression of its arguments");
        const auto cache = duet::evaluate(e);
        auto accumulate = [&gradient](const static_var<T>& leaf, const T& adjoint) {
            gradient[leaf.index] += adjoint;
        };
        duet::sweep(cache, seed, accumulate);
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
