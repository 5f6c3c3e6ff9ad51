// The elementary functions and operators on expressions. Each one only builds
// a node around its rule (core/rules.hpp); they are found by ADL on duet types.
// Every binary function accepts a plain number on either side.
//
// The named functions on expressions live in the inline namespace
// duet::expression_functions: `duet::exp(x)` and unqualified `exp(x)` (ADL)
// find them as members of duet, and core/std_functions.hpp brings exactly
// these overloads (and not duet's overloads for plain numbers) into std, so
// that `std::exp(x)` works on duet numbers as well.
#pragma once

#include <cmath>
#include <concepts>
#include <type_traits>
#include <utility>

#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/make_node.hpp"
#include "duet/core/operations.hpp"
#include "duet/core/rules.hpp"

namespace duet {

// Legal operand pairs: two expressions (whose families make_binary checks
// with a readable message), or an expression and a number it can absorb.
template <class A, class B>
concept operand_pair =
    (expression<A> && expression<B>) ||
    (expression<A> && std::is_convertible_v<std::remove_cvref_t<B>, value_type_of<A>>) ||
    (expression<B> && std::is_convertible_v<std::remove_cvref_t<A>, value_type_of<B>>);

#define DUET_UNARY_OPERATOR(name, rule)                              \
    template <class A>                                               \
        requires expression<A>                                       \
    DUET_INLINE constexpr auto name(A&& a) {                                     \
        return make_unary(rules::rule{}, std::forward<A>(a));        \
    }

// Functions also take plain numbers (outside expression_functions), so
// generic code may call duet::f(x) qualified for every number type.
#define DUET_UNARY_FUNCTION(name, rule) DUET_UNARY_OPERATOR(name, rule)
#define DUET_NUMBER_UNARY_FUNCTION(name, rule) \
    template <std::floating_point T>           \
    T name(T x) {                              \
        return rules::rule::value(x);          \
    }

#define DUET_BINARY_OPERATOR(name, rule)                                            \
    template <class A, class B>                                                     \
        requires operand_pair<A, B>                                                 \
    DUET_INLINE constexpr auto name(A&& a, B&& b) {                                             \
        return make_binary(rules::rule{}, std::forward<A>(a), std::forward<B>(b));  \
    }

#define DUET_BINARY_FUNCTION(name, rule) DUET_BINARY_OPERATOR(name, rule)
#define DUET_NUMBER_BINARY_FUNCTION(name, rule) \
    template <std::floating_point T>            \
    T name(T a, T b) {                          \
        return rules::rule::value(a, b);        \
    }

#define DUET_ARITHMETIC_OPERATOR(op, rule) DUET_BINARY_OPERATOR(operator op, rule)
DUET_FOR_EACH_BINARY_OPERATOR(DUET_ARITHMETIC_OPERATOR)
#undef DUET_ARITHMETIC_OPERATOR
DUET_UNARY_OPERATOR(operator-, negate_rule)

namespace detail {
// The innermost plain number of a possibly nested expression's value.
template <class X>
constexpr auto innermost_value(const X& x) {
    if constexpr (expression<X>)
        return innermost_value(value(x));
    else
        return x;
}
}  // namespace detail

inline namespace expression_functions {

// Generated from the table of core/operations.hpp.
DUET_FOR_EACH_UNARY_FUNCTION(DUET_UNARY_FUNCTION)
DUET_FOR_EACH_BINARY_FUNCTION(DUET_BINARY_FUNCTION)

// Two leaves of one type: more specialised than std::max(const T&, const T&)
// (same form, constrained), so that `std::max(x, y)` on two duals, vars or
// static_vars takes duet's rule (a tie splits the derivative) rather than
// the standard template, which returns one of its arguments.
#define DUET_LEAF_BINARY_FUNCTION(name, rule)                       \
    template <class L>                                              \
        requires leaf<L>                                            \
    DUET_INLINE constexpr auto name(const L& a, const L& b) {       \
        return make_binary(rules::rule{}, a, b);                    \
    }
DUET_LEAF_BINARY_FUNCTION(max, max_rule)
DUET_LEAF_BINARY_FUNCTION(min, min_rule)

// x^y; an integer exponent gets its own rule (exact at x = 0 and x < 0).
template <class A, class B>
    requires operand_pair<A, B> && (!std::integral<std::remove_cvref_t<B>>)
DUET_INLINE constexpr auto pow(A&& a, B&& b) {
    return make_binary(rules::pow_rule{}, std::forward<A>(a), std::forward<B>(b));
}
template <class A, std::integral N>
    requires expression<A>
DUET_INLINE constexpr auto pow(A&& a, N n) {
    return make_unary(rules::pow_int_rule{static_cast<int>(n)}, std::forward<A>(a));
}

// ψ^(k)(x), the k-th derivative of the digamma function (k = 0: digamma).
template <class A>
    requires expression<A>
constexpr auto polygamma(int k, A&& a) {
    return make_unary(rules::polygamma_rule{k}, std::forward<A>(a));
}
template <class A>
    requires expression<A>
constexpr auto digamma(A&& a) {
    return polygamma(0, std::forward<A>(a));
}

// a * b + c (one node each; the product is not fused: its partials are b
// and a either way).
template <class A, class B, class C>
    requires(expression<A> || expression<B> || expression<C>)
DUET_INLINE constexpr auto fma(A&& a, B&& b, C&& c) {
    return std::forward<A>(a) * std::forward<B>(b) + std::forward<C>(c);
}

// x limited to [lo, hi]: min(max(x, lo), hi), so a boundary tie splits the
// derivative as max and min do.
template <class X, class Lo, class Hi>
    requires(expression<X> || expression<Lo> || expression<Hi>)
DUET_INLINE constexpr auto clamp(X&& x, Lo&& lo, Hi&& hi) {
    return min(max(std::forward<X>(x), std::forward<Lo>(lo)), std::forward<Hi>(hi));
}

// Functions of the value only, applied to the innermost plain number (a
// double for any duet number type), whatever the nesting.
#define DUET_VALUE_ONLY_FUNCTION(name)                       \
    template <class A>                                       \
        requires expression<A>                               \
    constexpr auto name(const A& a) {                        \
        using std::name;                                     \
        return name(detail::innermost_value(a));             \
    }
// Rounding: a piecewise-constant function of the value. They return the
// innermost plain number, whose derivative is 0 in every mode, and which
// serves directly as an index (`static_cast<int>(std::floor(x))`) or as a
// constant in an expression.
DUET_VALUE_ONLY_FUNCTION(floor)
DUET_VALUE_ONLY_FUNCTION(ceil)
DUET_VALUE_ONLY_FUNCTION(round)
DUET_VALUE_ONLY_FUNCTION(trunc)
DUET_VALUE_ONLY_FUNCTION(nearbyint)
DUET_VALUE_ONLY_FUNCTION(rint)
// Classification (a bool) looks at the value only: NaN in a tangent does
// not make a number NaN.
DUET_VALUE_ONLY_FUNCTION(isnan)
DUET_VALUE_ONLY_FUNCTION(isinf)
DUET_VALUE_ONLY_FUNCTION(isfinite)
DUET_VALUE_ONLY_FUNCTION(isnormal)
DUET_VALUE_ONLY_FUNCTION(signbit)
#undef DUET_VALUE_ONLY_FUNCTION

}  // namespace expression_functions

// The same functions on plain numbers (duet::exp(2.0)).
DUET_FOR_EACH_UNARY_FUNCTION(DUET_NUMBER_UNARY_FUNCTION)
DUET_FOR_EACH_BINARY_FUNCTION(DUET_NUMBER_BINARY_FUNCTION)

#undef DUET_UNARY_OPERATOR
#undef DUET_BINARY_OPERATOR
#undef DUET_UNARY_FUNCTION
#undef DUET_BINARY_FUNCTION
#undef DUET_NUMBER_UNARY_FUNCTION
#undef DUET_NUMBER_BINARY_FUNCTION
#undef DUET_LEAF_BINARY_FUNCTION

inline double digamma(double x) { return polygamma(0, x); }
template <std::floating_point T>
T pow(T x, T y) {
    return rules::pow_rule::value(x, y);
}
template <std::floating_point T, std::integral N>
T pow(T x, N n) {
    return rules::pow_int_rule{static_cast<int>(n)}.value(x);
}

template <class A>
    requires expression<A>
constexpr auto operator+(A&& a) {
    return std::remove_cvref_t<A>(std::forward<A>(a));
}

// Comparisons look at values only; they never carry derivatives.
template <class A, class B>
    requires operand_pair<A, B>
constexpr bool operator==(const A& a, const B& b) {
    return value(a) == value(b);
}
template <class A, class B>
    requires operand_pair<A, B>
constexpr bool operator<(const A& a, const B& b) {
    return value(a) < value(b);
}
template <class A, class B>
    requires operand_pair<A, B>
constexpr bool operator>(const A& a, const B& b) {
    return value(a) > value(b);
}
template <class A, class B>
    requires operand_pair<A, B>
constexpr bool operator<=(const A& a, const B& b) {
    return value(a) <= value(b);
}
template <class A, class B>
    requires operand_pair<A, B>
constexpr bool operator>=(const A& a, const B& b) {
    return value(a) >= value(b);
}

}  // namespace duet

#include "duet/core/std_functions.hpp"
