// Building nodes: the one place that decides how operands are held and which
// operand combinations are legal.
#pragma once

#include <type_traits>
#include <utility>

#include "duet/core/expression.hpp"

namespace duet {
namespace detail {

// Turns an operand into a node of an expression whose variables are of
// family Family and whose numbers are T: a variable expression of that family
// is stored (by value), anything else becomes a constant<T>.
template <class T, class Family, class X>
DUET_INLINE constexpr auto as_operand(X&& x) {
    using D = std::remove_cvref_t<X>;
    if constexpr (expression<D> && std::is_same_v<family_of<D>, Family>)
        return D(std::forward<X>(x));
    else
        return constant<T>{T(std::forward<X>(x))};
}

// Fails with a sentence when two variable families cannot be combined.
template <class FA, class FB>
constexpr void require_same_family() {
    if constexpr (!std::is_same_v<FA, FB>) {
        constexpr bool same_mode = std::is_same_v<typename FA::mode, typename FB::mode>;
        constexpr bool same_type = std::is_same_v<typename FA::value_type, typename FB::value_type>;
        static_assert(!(same_mode && same_type),
                      "duet: cannot combine dual numbers with different numbers of tangent "
                      "lanes (dual<T, N> with dual<T, M>); use one lane count for the whole "
                      "computation");
        static_assert(!same_mode || same_type,
                      "duet: cannot combine variables of different value types in one "
                      "expression (e.g. dual<float> with dual<double>)");
        static_assert(same_mode,
                      "duet: cannot combine variables of different differentiation modes in "
                      "one expression (e.g. a duet::dual with a reverse-mode variable)");
    }
}

template <class X, class E>
inline constexpr bool is_number_for = !expression<X> && std::is_convertible_v<X, value_type_of<E>>;

}  // namespace detail

template <class Rule, class A>
    requires expression<A>
DUET_INLINE constexpr auto make_unary(Rule rule, A&& a) {
    using DA = std::remove_cvref_t<A>;
    return unary_node<Rule, DA>{DA(std::forward<A>(a)), rule};
}

// At least one of a, b is an expression. The other is either an expression of
// the same family, a number convertible to the expression's value type, or an
// expression of a lower nesting level (it is then a constant here).
template <class Rule, class A, class B>
    requires(expression<A> || expression<B>)
DUET_INLINE constexpr auto make_binary(Rule rule, A&& a, B&& b) {
    using DA = std::remove_cvref_t<A>;
    using DB = std::remove_cvref_t<B>;
    if constexpr (expression<DA> && expression<DB>) {
        if constexpr (std::is_same_v<family_of<DA>, family_of<DB>>) {
            return binary_node<Rule, DA, DB>{DA(std::forward<A>(a)), DB(std::forward<B>(b)), rule};
        } else if constexpr (std::is_convertible_v<DB, value_type_of<DA>>) {
            // b is a number of the level below a's: a constant here.
            using T = value_type_of<DA>;
            return binary_node<Rule, DA, constant<T>>{DA(std::forward<A>(a)),
                                                      constant<T>{T(std::forward<B>(b))}, rule};
        } else if constexpr (std::is_convertible_v<DA, value_type_of<DB>>) {
            using T = value_type_of<DB>;
            return binary_node<Rule, constant<T>, DB>{constant<T>{T(std::forward<A>(a))},
                                                      DB(std::forward<B>(b)), rule};
        } else {
            detail::require_same_family<family_of<DA>, family_of<DB>>();
            return binary_node<Rule, DA, DB>{DA(std::forward<A>(a)), DB(std::forward<B>(b)), rule};
        }
    } else if constexpr (expression<DA>) {
        static_assert(detail::is_number_for<DB, DA>,
                      "duet: the other operand must be a number convertible to the "
                      "expression's value type");
        using T = value_type_of<DA>;
        return binary_node<Rule, DA, constant<T>>{DA(std::forward<A>(a)),
                                                  constant<T>{T(std::forward<B>(b))}, rule};
    } else {
        static_assert(detail::is_number_for<DA, DB>,
                      "duet: the other operand must be a number convertible to the "
                      "expression's value type");
        using T = value_type_of<DB>;
        return binary_node<Rule, constant<T>, DB>{constant<T>{T(std::forward<A>(a))},
                                                  DB(std::forward<B>(b)), rule};
    }
}

}  // namespace duet
