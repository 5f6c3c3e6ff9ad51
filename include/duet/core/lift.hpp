// When two differentiations meet in one expression: a derivative taken
// inside another whose inner function uses a variable of the outer one
// (`derivative([&](auto y) { return x * y; }, 1.0)` inside a derivative in
// x). The inner variables and the outer ones have different families
// (tags), and neither value type holds the other. make_binary then nests
// them, as a driver would have if it had been given the outer number type:
// one side becomes the OUTER level of the expression (its leaves are lifted
// to carry the other side's numbers as their values), the other side is
// evaluated to one number of its own and enters as a constant. The result
// is exact: the outer level's tangents (or adjoints) now carry the other
// differentiation's tangents in their values.
//
// Modes opt in:
//   family_number<F>::type     the number an expression of family F
//                              evaluates to (forward: its dual); absent: the
//                              family cannot be a constant of another level
//   lift_leaf<L, V>            make(leaf): leaf L with its value type
//                              replaced by V (forward: a dual over V; static
//                              reverse: the same argument index over V);
//                              absent: L cannot be lifted (a tape variable
//                              lives on a tape of its own value type)
//   nesting_rank<Mode>         which side becomes the outer level: the
//                              higher rank (static reverse above forward:
//                              a closed form can carry duals, not the
//                              converse); equal ranks: a fixed order of the
//                              two tag types, and the drivers accept either
//                              order of the two levels.
#pragma once

#include <string_view>
#include <type_traits>

#include "duet/core/expression.hpp"

namespace duet {

template <class Family>
struct family_number;

template <class L, class V>
struct lift_leaf;

template <class Mode>
struct nesting_rank : std::integral_constant<int, -1> {};  // cannot nest

namespace detail {

// A fixed, arbitrary order of types (their spelled names).
template <class T>
constexpr std::string_view type_name() {
#if defined(__GNUC__) || defined(__clang__)
    return __PRETTY_FUNCTION__;
#else
    return __FUNCSIG__;
#endif
}

template <class F, class V>
concept family_liftable_to = requires { typename family_number<F>::type; };

// The expression e (of family F) with every leaf lifted to value type V and
// every constant converted to V.
template <class V, class E>
constexpr auto lift_expression(const E& e) {
    if constexpr (detail::is_constant<E>::value) {
        return constant<V>{V(e.value)};
    } else if constexpr (detail::is_unary<E>::value) {
        using A = decltype(lift_expression<V>(e.a));
        return unary_node<decltype(e.rule), A>{lift_expression<V>(e.a), e.rule};
    } else if constexpr (detail::is_binary<E>::value) {
        using A = decltype(lift_expression<V>(e.a));
        using B = decltype(lift_expression<V>(e.b));
        return binary_node<decltype(e.rule), A, B>{lift_expression<V>(e.a), lift_expression<V>(e.b), e.rule};
    } else {
        return lift_leaf<E, V>::make(e);
    }
}

// Whether every leaf of E lifts to V (decided on the types, without
// instantiating lift_expression).
template <class E, class V>
struct liftable : std::bool_constant<requires(const E& e) { lift_leaf<E, V>::make(e); }> {};
template <class T, class V>
struct liftable<constant<T>, V> : std::is_constructible<V, const T&> {};
template <class R, class A, class V>
struct liftable<unary_node<R, A>, V> : liftable<A, V> {};
template <class R, class A, class B, class V>
struct liftable<binary_node<R, A, B>, V> : std::bool_constant<liftable<A, V>::value && liftable<B, V>::value> {};

template <class E, class V>
concept expression_liftable_to = liftable<std::remove_cvref_t<E>, V>::value;

// Which of two families becomes the outer level: +1 the first, -1 the
// second, 0 neither (they cannot nest).
template <class FA, class FB>
constexpr int outer_side() {
    constexpr int ra = nesting_rank<typename FA::mode>::value;
    constexpr int rb = nesting_rank<typename FB::mode>::value;
    if constexpr (ra < 0 || rb < 0) {
        return 0;
    } else if constexpr (ra != rb) {
        return ra > rb ? 1 : -1;
    } else {
        constexpr auto na = type_name<typename FA::tag>();
        constexpr auto nb = type_name<typename FB::tag>();
        return na == nb ? 0 : (na > nb ? 1 : -1);
    }
}

// Outer-side expression O, inner-side expression I: whether they nest.
template <class O, class I>
concept nestable = requires { typename family_number<family_of<I>>::type; } &&
                   expression_liftable_to<O, typename family_number<family_of<I>>::type>;

// L and H belong to the same differentiation (mode, tag, lanes), H's numbers
// hold L's (H was nested with an outer differentiation): L's leaves lift.
template <class L, class H>
concept lifts_into =
    std::is_same_v<typename family_of<L>::mode, typename family_of<H>::mode> &&
    std::is_same_v<typename family_of<L>::tag, typename family_of<H>::tag> &&
    family_of<L>::lanes == family_of<H>::lanes &&
    !std::is_same_v<value_type_of<L>, value_type_of<H>> &&
    std::is_constructible_v<value_type_of<H>, const value_type_of<L>&> &&
    !std::is_constructible_v<value_type_of<L>, const value_type_of<H>&> &&
    expression_liftable_to<L, value_type_of<H>>;

}  // namespace detail
}  // namespace duet
