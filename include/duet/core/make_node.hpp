// Building nodes: the one place that decides how operands are held and which
// operand combinations are legal.
#pragma once

#include <type_traits>
#include <utility>

#include "duet/core/expression.hpp"
#include "duet/core/lift.hpp"

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

// Fails with a sentence when two variable families cannot be combined. A
// class template, so that its assertions fire where make_binary is
// instantiated (to deduce an operator's type), before any error the user's
// code would get from the expression's type.
template <class FA, class FB>
struct same_family_check {
    static constexpr bool check() {
        constexpr bool same_mode = std::is_same_v<typename FA::mode, typename FB::mode>;
        constexpr bool same_type = std::is_same_v<typename FA::value_type, typename FB::value_type>;
        constexpr bool same_lanes = FA::lanes == FB::lanes;
        static_assert(!(same_mode && same_type && same_lanes),
                      "duet: this expression mixes the variables of two different "
                      "differentiations that cannot be nested automatically (a derivative taken "
                      "inside another whose inner function uses a variable of the outer one). "
                      "Give the inner driver its point in the outer variable's number type, e.g. "
                      "duet::derivative([&](auto y) { return x * y; }, decltype(x)(1.0))");
        static_assert(!(same_mode && same_type && !same_lanes),
                      "duet: cannot combine dual numbers with different numbers of tangent "
                      "lanes (dual<T, N> with dual<T, M>); use one lane count for the whole "
                      "computation");
        static_assert(!same_mode || same_type,
                      "duet: cannot combine variables of different value types in one "
                      "expression (e.g. dual<float> with dual<double>)");
        static_assert(same_mode,
                      "duet: cannot combine variables of different differentiation modes in "
                      "one expression (e.g. a duet::dual with a reverse-mode variable); a tape "
                      "inside a derivative in x needs vars of x's type: duet::tape<decltype(x)>, "
                      "duet::var<decltype(x)>");
        return same_mode && same_type && same_lanes;
    }
    static constexpr bool ok = std::is_same_v<FA, FB> || check();
};

template <class X, class E>
inline constexpr bool is_number_for = !expression<X> && std::is_convertible_v<X, value_type_of<E>>;

// Whether a node of operands DA and DB would exceed max_leaf_occurrences.
template <class DA, class DB>
inline constexpr bool too_large_for_one_tree =
    leaf_occurrences<DA>::value + leaf_occurrences<DB>::value > max_leaf_occurrences;

template <class Family>
concept has_statement_number = requires { typename statement_number<Family>::type; };

// An operand of a node that would be too large: an operation node is
// evaluated into the mode's number (statement_number); a leaf stays.
template <class X>
DUET_INLINE constexpr auto evaluated_operand(X&& x) {
    using D = std::remove_cvref_t<X>;
    if constexpr (is_unary<D>::value || is_binary<D>::value)
        return typename statement_number<family_of<D>>::type(x);
    else
        return D(std::forward<X>(x));
}

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
            if constexpr (detail::too_large_for_one_tree<DA, DB>) {
                constexpr bool can_evaluate_operands = detail::has_statement_number<family_of<DA>>;
                static_assert(can_evaluate_operands,
                              "duet: this expression would hold more than 128 occurrences of "
                              "variables in one tree (named locals used twice, `auto t = u * u`, "
                              "copy their subtrees); the static adjoint evaluates one tree and "
                              "cannot split it: differentiate this function with the tape "
                              "(duet::reverse on a container) or forward mode, or write fewer "
                              "repeated uses of locals");
                if constexpr (can_evaluate_operands)
                    return make_binary(rule, detail::evaluated_operand(std::forward<A>(a)),
                                       detail::evaluated_operand(std::forward<B>(b)));
                else
                    return binary_node<Rule, DA, DB>{DA(std::forward<A>(a)), DB(std::forward<B>(b)), rule};
            } else {
                return binary_node<Rule, DA, DB>{DA(std::forward<A>(a)), DB(std::forward<B>(b)), rule};
            }
        } else if constexpr (std::is_convertible_v<DB, value_type_of<DA>>) {
            // b is a number of the level below a's: a constant here.
            using T = value_type_of<DA>;
            return binary_node<Rule, DA, constant<T>>{DA(std::forward<A>(a)),
                                                      constant<T>{T(std::forward<B>(b))}, rule};
        } else if constexpr (std::is_convertible_v<DA, value_type_of<DB>>) {
            using T = value_type_of<DB>;
            return binary_node<Rule, constant<T>, DB>{constant<T>{T(std::forward<A>(a))},
                                                      DB(std::forward<B>(b)), rule};
        } else if constexpr (detail::lifts_into<DA, DB>) {
            // The same differentiation, a's numbers one level lower than b's
            // (b was already nested with an outer one): lift a's leaves.
            auto lifted = detail::lift_expression<value_type_of<DB>>(a);
            return binary_node<Rule, decltype(lifted), DB>{lifted, DB(std::forward<B>(b)), rule};
        } else if constexpr (detail::lifts_into<DB, DA>) {
            auto lifted = detail::lift_expression<value_type_of<DA>>(b);
            return binary_node<Rule, DA, decltype(lifted)>{DA(std::forward<A>(a)), lifted, rule};
        } else if constexpr (detail::outer_side<family_of<DA>, family_of<DB>>() == 1 &&
                             detail::nestable<DA, DB>) {
            // Two differentiations meet (core/lift.hpp): a is the outer level,
            // b one number of the level below.
            using V = typename family_number<family_of<DB>>::type;
            auto outer = detail::lift_expression<V>(a);
            return binary_node<Rule, decltype(outer), constant<V>>{outer, constant<V>{V(b)}, rule};
        } else if constexpr (detail::outer_side<family_of<DA>, family_of<DB>>() == -1 &&
                             detail::nestable<DB, DA>) {
            using V = typename family_number<family_of<DA>>::type;
            auto outer = detail::lift_expression<V>(b);
            return binary_node<Rule, constant<V>, decltype(outer)>{constant<V>{V(a)}, outer, rule};
        } else {
            static_assert(detail::same_family_check<family_of<DA>, family_of<DB>>::ok,
                          "duet: these operands cannot be combined (the sentence above says why)");
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
