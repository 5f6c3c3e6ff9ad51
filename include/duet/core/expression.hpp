// Expression nodes: plain data describing a computation, nothing more.
//
// An expression is a tree whose inner nodes are unary_node / binary_node
// (an operation rule from core/rules.hpp plus its operands) and whose leaves
// are either constants or mode-specific variables (dual numbers, static
// reverse variables, tape variables). Modes opt their variable types in by
// specialising duet::leaf_traits; core knows nothing about them.
//
// Closure rule: every operand is held BY VALUE, leaves included. A function
// may therefore return an expression built from its own parameters or locals
// (`auto sqr(auto x) { return x * x; }`) and the result stays valid after the
// function returns. Aliasing is safe for the same reason: `x = x - 2 * x`
// reads copies of x.
#pragma once

#include <concepts>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "duet/core/inline.hpp"
#include "duet/core/strong_zero.hpp"

namespace duet {

// ---------------------------------------------------------------------------
// Leaves. A mode specialises leaf_traits<L> with
//   using value_type = ...;            // the number type carried (double, or
//                                      // a dual for nested differentiation)
//   using family = duet::family<Mode, value_type, Lanes>;
//   static value_type value(const L&);
template <class L>
struct leaf_traits;

// Identifies which mode's variables an expression is made of. Two expressions
// can only be combined when their families are equal. Tag distinguishes the
// variables of different differentiations of one mode (each driver call
// seeds duals of its own tag), so that a derivative taken inside another can
// never add its tangents into the outer one's lanes (perturbation
// confusion).
template <class Mode, class T, std::size_t Lanes, class Tag = void>
struct family {
    using mode = Mode;
    using value_type = T;
    using tag = Tag;
    static constexpr std::size_t lanes = Lanes;
};

// A number inside an expression that is not differentiated (a literal, or a
// value of a lower nesting level). Its partials are never computed.
// Nodes and constants copy member by member (user-provided copy
// constructors, doing what the implicit ones would): a named local
// (`const auto z = (x - mu) / sigma; ... z * z`) is copied into every node
// that uses it, and GCC copies a trivially copyable aggregate as one block,
// which then lives in memory unless its SRA size limit is raised (the
// --param users do not set). Member-wise copies stay in registers: measured
// in benchmark/user_tu.cpp with plain g++ -O3, forward 8 lanes Rosenbrock
// went from 10.3 to 2.1 plain evaluations per direction and the static
// adjoint of normal_log_pdf from 8.5 to 5.2 (doc/performance.md).
template <class T>
struct constant {
    T value;
    DUET_INLINE constexpr constant(const T& v) : value(v) {}
    DUET_INLINE constexpr constant(const constant& o) noexcept(std::is_nothrow_copy_constructible_v<T>)
        : value(o.value) {}
};

template <class Rule, class A>
struct unary_node {
    A a;
    [[no_unique_address]] Rule rule;
    DUET_INLINE constexpr unary_node(const A& a_, Rule r) : a(a_), rule(r) {}
    DUET_INLINE constexpr unary_node(const unary_node& o) noexcept(std::is_nothrow_copy_constructible_v<A>)
        : a(o.a), rule(o.rule) {}
};

template <class Rule, class A, class B>
struct binary_node {
    A a;
    B b;
    [[no_unique_address]] Rule rule;
    DUET_INLINE constexpr binary_node(const A& a_, const B& b_, Rule r) : a(a_), b(b_), rule(r) {}
    DUET_INLINE constexpr binary_node(const binary_node& o)
        noexcept(std::is_nothrow_copy_constructible_v<A> && std::is_nothrow_copy_constructible_v<B>)
        : a(o.a), b(o.b), rule(o.rule) {}
};

// ---------------------------------------------------------------------------
// Traits over the node kinds.
namespace detail {
template <class T>
struct is_constant : std::false_type {};
template <class T>
struct is_constant<constant<T>> : std::true_type {};
template <class T>
struct is_unary : std::false_type {};
template <class R, class A>
struct is_unary<unary_node<R, A>> : std::true_type {};
template <class T>
struct is_binary : std::false_type {};
template <class R, class A, class B>
struct is_binary<binary_node<R, A, B>> : std::true_type {};

// How many leaves (occurrences of variables) an expression has: the number
// of partials its statement records. Known at compile time.
template <class E>
struct leaf_occurrences : std::integral_constant<std::size_t, 1> {};  // a leaf
template <class T>
struct leaf_occurrences<constant<T>> : std::integral_constant<std::size_t, 0> {};
template <class R, class A>
struct leaf_occurrences<unary_node<R, A>> : leaf_occurrences<A> {};
template <class R, class A, class B>
struct leaf_occurrences<binary_node<R, A, B>>
    : std::integral_constant<std::size_t,
                             leaf_occurrences<A>::value + leaf_occurrences<B>::value> {};

// The most leaf occurrences one expression tree holds. Operands are held by
// value, so a named local used twice (`auto t = u * u`) doubles its subtree:
// a chain of k such locals would be a tree of 2^k leaves (compile time and
// run time exponential in k). make_binary evaluates both operands of a node
// that would exceed this into the mode's own number first
// (statement_number: a dual, or a var recorded on the tape), which keeps
// every tree at most this size and such chains linear. The static adjoint
// has no such number: there it is a compile-time error with a sentence.
inline constexpr std::size_t max_leaf_occurrences = 128;
}  // namespace detail

// Specialised by a mode whose variables can hold an evaluated sub-expression
// (forward: dual<T, N, Tag>; tape: var<T>): `using type = ...`, constructible
// from any expression of that family.
template <class Family>
struct statement_number;

template <class L>
concept leaf = requires {
    typename leaf_traits<std::remove_cvref_t<L>>::value_type;
    typename leaf_traits<std::remove_cvref_t<L>>::family;
};

template <class E>
concept constant_node = detail::is_constant<std::remove_cvref_t<E>>::value;

// Something the user can differentiate through: a leaf or an operation node.
template <class E>
concept expression = leaf<E> || detail::is_unary<std::remove_cvref_t<E>>::value ||
                     detail::is_binary<std::remove_cvref_t<E>>::value;

namespace detail {
template <class E>
struct node_info;

template <class L>
    requires leaf<L>
struct node_info<L> {
    using value_type = typename leaf_traits<L>::value_type;
    using family = typename leaf_traits<L>::family;
};
template <class T>
struct node_info<constant<T>> {
    using value_type = T;
    using family = void;
};
template <class R, class A>
struct node_info<unary_node<R, A>> {
    using value_type = typename node_info<A>::value_type;
    using family = typename node_info<A>::family;
};
template <class R, class A, class B>
struct node_info<binary_node<R, A, B>> {
    using value_type = typename node_info<A>::value_type;
    // At least one operand is a variable expression; constants carry void.
    using family = std::conditional_t<std::is_void_v<typename node_info<A>::family>,
                                      typename node_info<B>::family,
                                      typename node_info<A>::family>;
};
}  // namespace detail

// The number type an expression computes (double, or a dual when nested).
template <class E>
using value_type_of = typename detail::node_info<std::remove_cvref_t<E>>::value_type;

// The family (mode, value type, lanes) of an expression's variables.
template <class E>
using family_of = typename detail::node_info<std::remove_cvref_t<E>>::family;

// An expression whose variables belong to family F (short-circuits, so it is
// safe to ask of any type).
template <class E, class F>
concept expression_of = expression<E> && std::is_same_v<family_of<E>, F>;

// The innermost floating-point type of a possibly nested number type. Modes
// whose numbers nest (dual<dual<double>>) specialise this.
template <class T>
struct scalar_of {
    using type = T;
};
template <class T>
using scalar_t = typename scalar_of<std::remove_cvref_t<T>>::type;

// A quiet NaN of a possibly nested number type: NaN in the value and, for
// nested numbers, in every tangent (a NaN partial has NaN derivatives).
template <class T>
struct quiet_nan_of {
    static constexpr T make() { return std::numeric_limits<T>::quiet_NaN(); }
};

template <class>
inline constexpr bool always_false = false;



}  // namespace duet
