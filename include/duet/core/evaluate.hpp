// Evaluating an expression and sweeping its adjoints: the machinery shared by
// every mode.
//
//  evaluate(e)  computes every node's value bottom-up and returns a tree of
//               the same shape holding those values (the value cache). Leaves
//               are referenced by pointer: the cache must not outlive e.
//  sweep(c, a, sink)
//               the static adjoint sweep, generated at compile time: walks
//               the cache top-down with adjoint a at the root; each child
//               receives parent adjoint x local partial (from the node's
//               rule), a chain product under the strong-zero rule
//               (core/strong_zero.hpp). Because an expression is a tree, every inner node gets
//               exactly one adjoint; a leaf used several times is reached
//               several times and the sink sums. At each variable leaf it
//               calls sink(leaf, adjoint). Constants are skipped, and so are
//               their partials, which are never computed.
//
// Forward mode feeds the per-leaf adjoints into tangent lanes, static reverse
// into a gradient array, the tape into its (index, partial) records: one
// derivative rule, one sweep, every mode.
#pragma once

#include <type_traits>

#include "duet/core/expression.hpp"
#include "duet/core/strong_zero.hpp"

namespace duet {

// The cache mirrors the expression: cache_t<E> for node type E. Each cache
// node is constructed in place from its expression node (children first,
// then its value), so building the whole cache copies nothing: members are
// initialised from prvalues (guaranteed elision), which keeps even deep trees
// in registers.
template <class E>
struct cache_of;
template <class E>
using cache_t = typename cache_of<E>::type;

template <class T>
struct cached_constant {
    using value_type = T;
    T value;
    DUET_INLINE constexpr explicit cached_constant(const constant<T>& c) : value(c.value) {}
};
template <class L>
struct cached_leaf {
    using value_type = value_type_of<L>;
    const L* leaf;  // points into the expression, which outlives the cache
    value_type value;
    DUET_INLINE constexpr explicit cached_leaf(const L& l) : leaf(&l), value(leaf_traits<L>::value(l)) {}
};
template <class Rule, class A>
struct cached_unary {
    using value_type = value_type_of<A>;
    cache_t<A> a;
    value_type value;
    [[no_unique_address]] Rule rule;
    DUET_INLINE constexpr explicit cached_unary(const unary_node<Rule, A>& e)
        : a(e.a), value(e.rule.value(a.value)), rule(e.rule) {}
};
template <class Rule, class A, class B>
struct cached_binary {
    using value_type = value_type_of<binary_node<Rule, A, B>>;
    cache_t<A> a;
    cache_t<B> b;
    value_type value;
    [[no_unique_address]] Rule rule;
    DUET_INLINE constexpr explicit cached_binary(const binary_node<Rule, A, B>& e)
        : a(e.a), b(e.b), value(e.rule.value(a.value, b.value)), rule(e.rule) {}
};

template <class T>
struct cache_of<constant<T>> {
    using type = cached_constant<T>;
};
template <class L>
    requires leaf<L>
struct cache_of<L> {
    using type = cached_leaf<L>;
};
template <class Rule, class A>
struct cache_of<unary_node<Rule, A>> {
    using type = cached_unary<Rule, A>;
};
template <class Rule, class A, class B>
struct cache_of<binary_node<Rule, A, B>> {
    using type = cached_binary<Rule, A, B>;
};

namespace detail {
template <class C>
struct is_cached_constant : std::false_type {};
template <class T>
struct is_cached_constant<cached_constant<T>> : std::true_type {};
}  // namespace detail

template <class E>
    requires(expression<E> || constant_node<E>)
DUET_INLINE constexpr cache_t<E> evaluate(const E& e) {
    return cache_t<E>(e);
}

namespace detail {
// A sink that asks for plain products (sweep_plain_products below).
template <class Sink>
struct plain_products_sink {
    Sink& sink;
    template <class Leaf, class T>
    DUET_INLINE constexpr void operator()(const Leaf& leaf, const T& adjoint) {
        sink(leaf, adjoint);
    }
};
template <class Sink>
inline constexpr bool wants_plain_products = false;
template <class Sink>
inline constexpr bool wants_plain_products<plain_products_sink<Sink>> = true;

// adjoint x partial: under the strong-zero rule, or plainly when the sink
// asks for it (built-in floating-point numbers only; other number types
// always take the rule).
template <class Sink, class T>
DUET_INLINE constexpr T sweep_product(const T& adjoint, const T& partial) {
    if constexpr (wants_plain_products<Sink> && std::is_floating_point_v<T>)
        return adjoint * partial;
    else
        return chain_product(adjoint, partial);
}

// Declared first: each overload recurses into the others.
template <class T, class Sink>
DUET_INLINE constexpr void sweep_node(const cached_constant<T>&, const T&, Sink&);
template <class L, class Sink>
DUET_INLINE constexpr void sweep_node(const cached_leaf<L>&, const typename cached_leaf<L>::value_type&, Sink&);
template <class Rule, class A, class Sink>
DUET_INLINE constexpr void sweep_node(const cached_unary<Rule, A>&,
                                      const typename cached_unary<Rule, A>::value_type&, Sink&);
template <class Rule, class A, class B, class Sink>
DUET_INLINE constexpr void sweep_node(const cached_binary<Rule, A, B>&,
                                      const typename cached_binary<Rule, A, B>::value_type&, Sink&);

template <class T, class Sink>
DUET_INLINE constexpr void sweep_node(const cached_constant<T>&, const T&, Sink&) {}

template <class L, class Sink>
DUET_INLINE constexpr void sweep_node(const cached_leaf<L>& c, const typename cached_leaf<L>::value_type& adjoint,
                                      Sink& sink) {
    sink(*c.leaf, adjoint);
}

template <class Rule, class A, class Sink>
DUET_INLINE constexpr void sweep_node(const cached_unary<Rule, A>& c,
                                      const typename cached_unary<Rule, A>::value_type& adjoint, Sink& sink) {
    using T = typename cached_unary<Rule, A>::value_type;
    sweep_node(c.a, sweep_product<Sink>(adjoint, T(c.rule.derivative(c.a.value, c.value))), sink);
}

template <class Rule, class A, class B, class Sink>
DUET_INLINE constexpr void sweep_node(const cached_binary<Rule, A, B>& c,
                                      const typename cached_binary<Rule, A, B>::value_type& adjoint, Sink& sink) {
    using T = typename cached_binary<Rule, A, B>::value_type;
    if constexpr (!constant_node<A>)
        sweep_node(c.a, sweep_product<Sink>(adjoint, T(c.rule.left(c.a.value, c.b.value, c.value))), sink);
    if constexpr (!constant_node<B>)
        sweep_node(c.b, sweep_product<Sink>(adjoint, T(c.rule.right(c.a.value, c.b.value, c.value))), sink);
}
}  // namespace detail

// The static adjoint sweep of a cache with adjoint `adjoint` at its root;
// every product under the strong-zero rule.
template <class C, class Sink>
DUET_INLINE constexpr void sweep(const C& c, const typename C::value_type& adjoint, Sink& sink) {
    detail::sweep_node(c, adjoint, sink);
}

// The same sweep with plain products (for double, float, long double; other
// number types take the rule anyway). Exactly sweep's result at every leaf
// whose adjoint is not NaN: the rule changes a product only where the plain
// product is NaN (0 x inf, 0 x NaN), and a NaN reaches every leaf below it
// (NaN is absorbing under + and x), so a leaf that received no NaN saw the
// same products, bit for bit. A caller that finds no NaN among its leaves'
// adjoints has sweep's result; otherwise it sweeps again with the rule. The
// test costs one compare per variable; the rule's tests in every product
// cost more (normal_log_pdf per term, static reverse: 2.8 ns per element
// with the rule in every product, 1.3 ns with plain products and the test,
// g++ 12 -O3 -march=native; doc/performance.md).
template <class C, class Sink>
DUET_INLINE constexpr void sweep_plain_products(const C& c, const typename C::value_type& adjoint, Sink& sink) {
    detail::plain_products_sink<Sink> plain{sink};
    detail::sweep_node(c, adjoint, plain);
}

// The value of an expression (a plain number passes through).
template <class E>
DUET_INLINE constexpr auto value(const E& e) {
    if constexpr (expression<E>)
        return evaluate(e).value;
    else
        return e;
}

}  // namespace duet
