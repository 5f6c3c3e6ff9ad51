// Custom derivative rules: the value and partials of a scalar function duet
// cannot see into (a call into a C library, a special function, a function
// with a better-conditioned derivative than its code), used by every mode.
//
// A rule is a class with the same members as duet's own rules
// (core/rules.hpp); y is the value, computed once and passed back:
//
//   unary   value(x)            derivative(x, y)       dy/dx
//   binary  value(a, b)         left(a, b, y)          dy/da
//                               right(a, b, y)         dy/db
//
// Members may be static or const (a rule may hold parameters, e.g. an order).
// duet::apply_rule(rule, x) / apply_rule(rule, a, b) returns an expression
// node, like sin(x) or atan2(a, b): forward (any number of lanes), static
// reverse, the tape and every nesting read the rule's value and partials and
// nothing else. With plain numbers it returns rule.value(...).
//
// Generic rules (members templated on the number type T, written with duet's
// functions, returning T) work in every mode, nested ones included: there T
// is itself a duet number, and the rule's derivative is differentiated
// again. A rule written for double only (double value(double), ...) gives
// first derivatives (forward, duet::reverse, the tape); nested modes
// (Hessians, a derivative of a derivative) stop at compile time with one
// sentence saying so. doc/custom_rules.md has the details and an example.
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include "duet/core/expression.hpp"
#include "duet/core/make_node.hpp"
#include "duet/core/rules.hpp"

namespace duet {

// Rule R computes a unary function and its derivative for numbers of type T.
template <class R, class T>
concept unary_rule_for = requires(const R& r, const T& x) {
    { r.value(x) } -> std::convertible_to<T>;
    { r.derivative(x, x) } -> std::convertible_to<T>;
};

// Rule R computes a binary function and both partials for numbers of type T.
template <class R, class T>
concept binary_rule_for = requires(const R& r, const T& a) {
    { r.value(a, a) } -> std::convertible_to<T>;
    { r.left(a, a, a) } -> std::convertible_to<T>;
    { r.right(a, a, a) } -> std::convertible_to<T>;
};

namespace detail {

// The number type a plain argument is computed in (integers as double).
template <class X>
using rule_number_t = std::conditional_t<std::is_integral_v<std::remove_cvref_t<X>>, double,
                                         std::remove_cvref_t<X>>;

// true when Rule works for T; otherwise one static_assert with a sentence.
template <class Rule, class T, bool Unary>
constexpr bool check_rule() {
    constexpr bool ok = Unary ? unary_rule_for<Rule, T> : binary_rule_for<Rule, T>;
    constexpr bool first_order_only =
        !ok && (Unary ? unary_rule_for<Rule, scalar_t<T>> : binary_rule_for<Rule, scalar_t<T>>);
    static_assert(!first_order_only,
                  "duet: this rule for duet::apply_rule takes plain numbers only (e.g. double), so it gives "
                  "first derivatives only (forward, duet::reverse, the tape); nested "
                  "differentiation (a Hessian, a derivative of a derivative) calls it with duet "
                  "numbers: write its members as templates on the number type "
                  "(doc/custom_rules.md)");
    static_assert(ok || first_order_only || !Unary,
                  "duet: a unary rule for duet::apply_rule needs const or static members value(x) and "
                  "derivative(x, y) that take the argument's number type and return it "
                  "(doc/custom_rules.md)");
    static_assert(ok || first_order_only || Unary,
                  "duet: a binary rule for duet::apply_rule needs const or static members value(a, b), "
                  "left(a, b, y) and right(a, b, y) that take the arguments' number type and "
                  "return it (doc/custom_rules.md)");
    return ok;
}

}  // namespace detail

// rule applied to x: an expression node when x is a duet expression (a
// dual, var, static_var or an expression of them), rule.value(x) for a plain
// number.
template <class Rule, class X>
DUET_INLINE constexpr auto apply_rule(Rule rule, X&& x) {
    using D = std::remove_cvref_t<X>;
    if constexpr (expression<D>) {
        if constexpr (detail::check_rule<Rule, value_type_of<D>, true>())
            return make_unary(rule, std::forward<X>(x));
        else
            return D(std::forward<X>(x));  // after the sentence: no follow-up errors
    } else {
        using T = detail::rule_number_t<X>;
        if constexpr (detail::check_rule<Rule, T, true>())
            return T(rule.value(T(x)));
        else
            return T(x);
    }
}

// rule applied to (a, b): an expression node when a or b is a duet
// expression (the other may be a plain number, a constant here), else
// rule.value(a, b) in the common type of the numbers.
template <class Rule, class A, class B>
DUET_INLINE constexpr auto apply_rule(Rule rule, A&& a, B&& b) {
    if constexpr (expression<A> || expression<B>) {
        using Node = decltype(make_binary(rule, std::forward<A>(a), std::forward<B>(b)));
        if constexpr (detail::check_rule<Rule, value_type_of<Node>, false>())
            return make_binary(rule, std::forward<A>(a), std::forward<B>(b));
        else  // after the sentence: a well-formed stand-in, no follow-up errors
            return make_binary(rules::add_rule{}, std::forward<A>(a), std::forward<B>(b));
    } else {
        using T = std::common_type_t<detail::rule_number_t<A>, detail::rule_number_t<B>>;
        if constexpr (detail::check_rule<Rule, T, false>())
            return T(rule.value(T(a), T(b)));
        else
            return T(a);
    }
}

}  // namespace duet
