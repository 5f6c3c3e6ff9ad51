// Evaluating a tensor expression, and its two derivative passes.
//
//   evaluate(e)            the value cache: a tree of e's shape holding every
//                          inner node's value. Leaves and constants are
//                          referenced by pointer: the cache must not outlive e
//                          (nor the driver storage e's variables point to).
//                          All shape checks happen here, before any
//                          derivative is touched.
//   sweep(c, g, sink)      reverse mode: top-down from adjoint g at the root.
//                          Each operation writes its operands' adjoints with
//                          its adjoint rule. An inner operand gets a fresh
//                          tensor (the expression is a tree: one adjoint per
//                          inner node); a variable's adjoint goes to the sink,
//                          sink(std::integral_constant<size_t, I>, produce),
//                          which calls produce(destination, accumulate) so
//                          that matrix adjoints land in the gradient with one
//                          BLAS call (beta = 0 or 1), with no temporary.
//                          Constants are skipped: their adjoints are never
//                          computed.
//   tangent(c, seeds)      forward mode: bottom-up tangents. seeds.get<I>()
//                          is the tangent of variable I (nullptr: zero).
//                          Zero tangents are tracked structurally and skip
//                          their operation's tangent rule: the zero-tangent
//                          rule (duet::tangent_product, core/strong_zero.hpp)
//                          applied to a whole operand at once.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include <xtensor/xnoalias.hpp>

#include "duet/tensor/nodes.hpp"
#include "duet/tensor/workspace.hpp"

namespace duet {

template <std::size_t K>
struct cached_tensor_leaf {  // a variable or a constant
    static constexpr std::size_t rank = K;
    const tensor<K>* value_ptr;
    const tensor<K>& value() const { return *value_ptr; }
};

namespace detail {
// What a unary operation keeps from its value for its derivative rules
// (Op::aux<K>, K the operand's rank: log_sum_exp keeps its exponentials),
// or nothing. Such an operation provides value(a, aux), tangent(a, y, aux,
// da) and adjoint(a, y, aux, g, out, accumulate) beside the usual rules.
struct no_aux {};
template <class Op, std::size_t K>
struct aux_of {
    using type = no_aux;
};
template <class Op, std::size_t K>
    requires requires { typename Op::template aux<K>; }
struct aux_of<Op, K> {
    using type = typename Op::template aux<K>;
};
template <class Op, std::size_t K>
using aux_t = typename aux_of<Op, K>::type;
template <class Op, std::size_t K>
inline constexpr bool has_aux = !std::is_same_v<aux_t<Op, K>, no_aux>;
}  // namespace detail

template <class Node, class A>
struct cached_tensor_unary {
    static constexpr std::size_t rank = Node::rank;
    using node_type = Node;
    A a;
    detail::pooled<rank> y;  // storage back to the tensor workspace when the cache dies
    decltype(Node::op) op;
    [[no_unique_address]] detail::aux_t<decltype(Node::op), A::rank> aux{};  // see aux_of
    const tensor<rank>& value() const { return y.get(); }
};

template <class Node, class A, class B>
struct cached_tensor_binary {
    static constexpr std::size_t rank = Node::rank;
    using node_type = Node;
    A a;
    B b;
    detail::pooled<rank> y;  // storage back to the tensor workspace when the cache dies
    decltype(Node::op) op;
    const tensor<rank>& value() const { return y.get(); }
};

template <class Node, class... A>
struct cached_tensor_nary {
    static constexpr std::size_t rank = Node::rank;
    using node_type = Node;
    std::tuple<A...> args;
    detail::pooled<rank> y;  // storage back to the tensor workspace when the cache dies
    decltype(Node::op) op;
    const tensor<rank>& value() const { return y.get(); }
};

// The cache of a variable remembers which argument it is.
template <std::size_t K, std::size_t I>
struct cached_tensor_var : cached_tensor_leaf<K> {
    static constexpr std::size_t index = I;
};

// A node of a value cache built by evaluate() below.
template <class C>
concept cached_tensor = requires(const C& c) {
    C::rank;
    c.value();
};

namespace detail {
template <class C>
struct is_cached_tensor_constant : std::false_type {};
template <std::size_t K>
struct is_cached_tensor_constant<cached_tensor_leaf<K>> : std::true_type {};
template <class C>
struct is_cached_tensor_var : std::false_type {};
template <std::size_t K, std::size_t I>
struct is_cached_tensor_var<cached_tensor_var<K, I>> : std::true_type {};
template <class C>
struct is_cached_tensor_nary : std::false_type {};
template <class Node, class... A>
struct is_cached_tensor_nary<cached_tensor_nary<Node, A...>> : std::true_type {};

// The operands' values of an n-ary cache, as a tuple of references.
template <class... A>
auto nary_values(const std::tuple<A...>& args) {
    return std::apply([](const A&... a) { return std::tuple<decltype(a.value())...>(a.value()...); }, args);
}
}  // namespace detail

// Nodes evaluated by a cache of their own, which sweeps and tangents itself
// (c.sweep(g, sink), c.tangent(seeds), c.tangent_lanes(seeds, L)): sum(E) of
// an elementwise E element by element (tensor/fused_sum.hpp), sum(matmul(A,
// B)) without the product (tensor/sum_of_product.hpp). Both are included at
// the end of this header.
namespace detail {
template <class C>
concept derives_itself = C::derives_itself;
template <class E>
struct is_fusable_sum;
template <class E>
auto evaluate_fused_sum(const E& e);
template <class E>
struct is_sum_of_product;
template <class E>
auto evaluate_sum_of_product(const E& e);
template <class E>
auto evaluate_unfused(const E& e);
}  // namespace detail

template <tensor_node E>
auto evaluate(const E& e) {
    if constexpr (detail::is_fusable_sum<E>::value) {
        return detail::evaluate_fused_sum(e);
    } else if constexpr (detail::is_sum_of_product<E>::value) {
        return detail::evaluate_sum_of_product(e);
    } else if constexpr (detail::is_tensor_var<E>::value) {
        return cached_tensor_var<E::rank, E::index>{{e.value}};
    } else if constexpr (detail::is_tensor_constant<E>::value) {
        return cached_tensor_leaf<E::rank>{detail::constant_value(e)};
    } else if constexpr (detail::is_tensor_nary<E>::value) {
        auto args = std::apply([](const auto&... a) { return std::tuple(evaluate(a)...); }, e.args);
        auto y = std::apply([&](const auto&... a) { return e.op.value(a.value()...); }, args);
        return std::apply(
            [&](auto&... a) {
                return cached_tensor_nary<E, std::remove_cvref_t<decltype(a)>...>{
                    std::tuple(std::move(a)...), std::move(y), e.op};
            },
            args);
    } else if constexpr (requires { e.b; }) {
        auto a = evaluate(e.a);
        auto b = evaluate(e.b);
        auto y = e.op.value(a.value(), b.value());
        return cached_tensor_binary<E, decltype(a), decltype(b)>{std::move(a), std::move(b),
                                                                 std::move(y), e.op};
    } else {
        return detail::evaluate_unfused(e);
    }
}

namespace detail {
// A unary node evaluated with a tensor for its operand's value.
template <class E>
auto evaluate_unfused(const E& e) {
    auto a = evaluate(e.a);
    using Op = decltype(e.op);
    if constexpr (has_aux<Op, decltype(a)::rank>) {
        aux_t<Op, decltype(a)::rank> aux{};
        auto y = e.op.value(a.value(), aux);
        return cached_tensor_unary<E, decltype(a)>{std::move(a), std::move(y), e.op, std::move(aux)};
    } else {
        auto y = e.op.value(a.value());
        return cached_tensor_unary<E, decltype(a)>{std::move(a), std::move(y), e.op};
    }
}
}  // namespace detail

// ---------------------------------------------------------------------------
// Reverse sweep.

template <cached_tensor C, class Sink>
void sweep(const C& c, const tensor<C::rank>& g, Sink& sink);

namespace detail {
// Hands the adjoint that `produce` computes to operand c.
template <class C, class Produce, class Sink>
void deliver(const C& c, Produce&& produce, Sink& sink) {
    if constexpr (is_cached_tensor_constant<C>::value) {
        return;
    } else if constexpr (is_cached_tensor_var<C>::value) {
        sink(std::integral_constant<std::size_t, C::index>{}, produce);
    } else {
        pooled<C::rank> storage = adjoint_storage<C::rank>(c.value().shape());
        tensor<C::rank>& gc = storage.get();
        produce(gc, false);
        sweep(c, gc, sink);
    }
}
}  // namespace detail

template <cached_tensor C, class Sink>
void sweep(const C& c, const tensor<C::rank>& g, Sink& sink) {
    if constexpr (detail::derives_itself<C>) {
        c.sweep(g, sink);
    } else if constexpr (detail::is_cached_tensor_constant<C>::value) {
        return;
    } else if constexpr (detail::is_cached_tensor_var<C>::value) {
        // The function returned one of its arguments unchanged.
        sink(std::integral_constant<std::size_t, C::index>{}, [&](auto& result, bool accumulate) {
            auto out = xt::noalias(result);  // in place: no temporary
            if (accumulate)
                out += g;
            else
                out = g;
        });
    } else if constexpr (detail::is_cached_tensor_nary<C>::value) {
        const auto values = detail::nary_values(c.args);
        const auto reverse = c.op.reverse(values, c.value(), g);
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (detail::deliver(
                 std::get<I>(c.args),
                 [&](auto& out, bool accumulate) { reverse.template adjoint<I>(out, accumulate); }, sink),
             ...);
        }(std::make_index_sequence<std::tuple_size_v<decltype(c.args)>>{});
    } else if constexpr (requires { c.b; }) {
        detail::deliver(
            c.a,
            [&](auto& out, bool accumulate) {
                c.op.left_adjoint(c.a.value(), c.b.value(), c.value(), g, out, accumulate);
            },
            sink);
        detail::deliver(
            c.b,
            [&](auto& out, bool accumulate) {
                c.op.right_adjoint(c.a.value(), c.b.value(), c.value(), g, out, accumulate);
            },
            sink);
    } else if constexpr (detail::has_aux<decltype(c.op), std::remove_cvref_t<decltype(c.a)>::rank>) {
        detail::deliver(
            c.a,
            [&](auto& out, bool accumulate) { c.op.adjoint(c.a.value(), c.value(), c.aux, g, out, accumulate); },
            sink);
    } else {
        detail::deliver(
            c.a, [&](auto& out, bool accumulate) { c.op.adjoint(c.a.value(), c.value(), g, out, accumulate); },
            sink);
    }
}

// ---------------------------------------------------------------------------
// Forward tangents.

// A tangent that is either structurally zero, borrowed (a seed), or owned.
template <std::size_t K>
class tensor_tangent {
public:
    static tensor_tangent zero() { return {}; }
    static tensor_tangent borrow(const tensor<K>* t) {
        tensor_tangent r;
        r.borrowed_ = t;
        return r;
    }
    static tensor_tangent own(tensor<K>&& t) {
        tensor_tangent r;
        r.owned_.emplace(std::move(t));
        return r;
    }
    bool is_zero() const { return !owned_ && borrowed_ == nullptr; }
    // nullptr when zero; valid while *this lives and is not moved from.
    const tensor<K>* get() const { return owned_ ? &owned_->get() : borrowed_; }

private:
    const tensor<K>* borrowed_ = nullptr;
    std::optional<detail::pooled<K>> owned_;  // storage back to the workspace
};

namespace detail {
// A unary cache's tangent rule, with the operation's aux when it has one.
template <class C, std::size_t K>
auto unary_tangent(const C& c, const tensor<K>& da) {
    if constexpr (has_aux<decltype(c.op), K>)
        return c.op.tangent(c.a.value(), c.value(), c.aux, da);
    else
        return c.op.tangent(c.a.value(), c.value(), da);
}
}  // namespace detail

template <cached_tensor C, class Seeds>
tensor_tangent<C::rank> tangent(const C& c, const Seeds& seeds) {
    constexpr std::size_t R = C::rank;
    if constexpr (detail::derives_itself<C>) {
        return c.tangent(seeds);
    } else if constexpr (detail::is_cached_tensor_constant<C>::value) {
        return tensor_tangent<R>::zero();
    } else if constexpr (detail::is_cached_tensor_var<C>::value) {
        return tensor_tangent<R>::borrow(seeds.template get<C::index>());
    } else if constexpr (detail::is_cached_tensor_nary<C>::value) {
        const auto tangents =
            std::apply([&](const auto&... a) { return std::tuple(tangent(a, seeds)...); }, c.args);
        const bool all_zero = std::apply([](const auto&... t) { return (t.is_zero() && ...); }, tangents);
        if (all_zero) return tensor_tangent<R>::zero();
        const auto pointers = std::apply([](const auto&... t) { return std::tuple(t.get()...); }, tangents);
        return tensor_tangent<R>::own(c.op.tangent(detail::nary_values(c.args), c.value(), pointers));
    } else if constexpr (requires { c.b; }) {
        const auto da = tangent(c.a, seeds);
        const auto db = tangent(c.b, seeds);
        if (da.is_zero() && db.is_zero()) return tensor_tangent<R>::zero();
        return tensor_tangent<R>::own(c.op.tangent(c.a.value(), c.b.value(), c.value(), da.get(), db.get()));
    } else {
        const auto da = tangent(c.a, seeds);
        if (da.is_zero()) return tensor_tangent<R>::zero();
        return tensor_tangent<R>::own(detail::unary_tangent(c, *da.get()));
    }
}

// ---------------------------------------------------------------------------
// Forward tangents, L directions per pass ("lanes"). The lane tangent of a
// rank-R node is a tensor<R + 1> of shape (L, node shape...): lane l is the
// tangent in direction l. seeds.get<I>() is variable I's lane tangent
// (shape (L, x_I shape...)) or nullptr (zero). An operation with a lane rule
// (op.tangent_lanes: matmul, elementwise) does all lanes at once, sharing
// its local partials and turning L matrix-vector products into one
// matrix-matrix product; any other runs its tangent rule lane by lane.
// Lane l of the result equals tangent() seeded with the lanes l of the seeds.

namespace detail {

// Lane l of a lane tangent, as a tensor of the node's shape.
template <std::size_t K, class Shape>
tensor<K> lane_of(const tensor<K + 1>& t, const Shape& shape, std::size_t l) {
    auto x = detail::workspace_tensor<K>(shape);
    std::copy(t.data() + l * x.size(), t.data() + (l + 1) * x.size(), x.data());
    return x;
}

template <std::size_t R, class Shape>
tensor<R + 1> lanes_shaped(std::size_t L, const Shape& shape) {
    std::array<std::size_t, R + 1> s{};
    s[0] = L;
    for (std::size_t d = 0; d < R; ++d) s[d + 1] = shape[d];
    return detail::workspace_tensor<R + 1>(s);
}

// Runs one_lane(l) -> tensor<R> for every lane into a lane tangent.
template <std::size_t R, class Shape, class OneLane>
tensor<R + 1> lane_by_lane(std::size_t L, const Shape& shape, OneLane&& one_lane) {
    auto t = lanes_shaped<R>(L, shape);
    std::size_t n = 1;
    for (std::size_t d = 0; d < R; ++d) n *= shape[d];
    for (std::size_t l = 0; l < L; ++l) {
        const pooled<R> x = one_lane(l);
        std::copy(x.get().data(), x.get().data() + n, t.data() + l * n);
    }
    return t;
}

// Lane l of an operand's lane tangent, or nullptr when it is zero; the
// storage lives in `keep`.
template <std::size_t K, class Shape>
const tensor<K>* lane_or_null(const tensor<K + 1>* t, const Shape& shape, std::size_t l, tensor<K>& keep) {
    if (!t) return nullptr;
    keep = lane_of<K>(*t, shape, l);
    return &keep;
}

}  // namespace detail

template <cached_tensor C, class Seeds>
tensor_tangent<C::rank + 1> tangent_lanes(const C& c, const Seeds& seeds, std::size_t L) {
    constexpr std::size_t R = C::rank;
    using result = tensor_tangent<R + 1>;
    if constexpr (detail::derives_itself<C>) {
        return c.tangent_lanes(seeds, L);
    } else if constexpr (detail::is_cached_tensor_constant<C>::value) {
        return result::zero();
    } else if constexpr (detail::is_cached_tensor_var<C>::value) {
        return result::borrow(seeds.template get<C::index>());
    } else if constexpr (detail::is_cached_tensor_nary<C>::value) {
        const auto tangents =
            std::apply([&](const auto&... a) { return std::tuple(tangent_lanes(a, seeds, L)...); }, c.args);
        const bool all_zero = std::apply([](const auto&... t) { return (t.is_zero() && ...); }, tangents);
        if (all_zero) return result::zero();
        const auto values = detail::nary_values(c.args);
        return result::own(detail::lane_by_lane<R>(L, c.value().shape(), [&](std::size_t l) {
            return [&]<std::size_t... I>(std::index_sequence<I...>) {
                std::tuple<tensor<std::remove_cvref_t<decltype(std::get<I>(c.args))>::rank>...> keep;
                const auto pointers = std::tuple(detail::lane_or_null<std::remove_cvref_t<decltype(std::get<I>(c.args))>::rank>(
                    std::get<I>(tangents).get(), std::get<I>(c.args).value().shape(), l, std::get<I>(keep))...);
                return c.op.tangent(values, c.value(), pointers);
            }(std::make_index_sequence<std::tuple_size_v<decltype(c.args)>>{});
        }));
    } else if constexpr (requires { c.b; }) {
        constexpr std::size_t KA = std::remove_cvref_t<decltype(c.a)>::rank;
        constexpr std::size_t KB = std::remove_cvref_t<decltype(c.b)>::rank;
        const auto da = tangent_lanes(c.a, seeds, L);
        const auto db = tangent_lanes(c.b, seeds, L);
        if (da.is_zero() && db.is_zero()) return result::zero();
        if constexpr (requires { c.op.tangent_lanes(c.a.value(), c.b.value(), c.value(), da.get(), db.get()); }) {
            return result::own(c.op.tangent_lanes(c.a.value(), c.b.value(), c.value(), da.get(), db.get()));
        } else {
            return result::own(detail::lane_by_lane<R>(L, c.value().shape(), [&](std::size_t l) {
                tensor<KA> ka;
                tensor<KB> kb;
                return c.op.tangent(c.a.value(), c.b.value(), c.value(),
                                    detail::lane_or_null<KA>(da.get(), c.a.value().shape(), l, ka),
                                    detail::lane_or_null<KB>(db.get(), c.b.value().shape(), l, kb));
            }));
        }
    } else {
        constexpr std::size_t KA = std::remove_cvref_t<decltype(c.a)>::rank;
        const auto da = tangent_lanes(c.a, seeds, L);
        if (da.is_zero()) return result::zero();
        if constexpr (requires { c.op.tangent_lanes(c.a.value(), c.value(), *da.get()); }) {
            return result::own(c.op.tangent_lanes(c.a.value(), c.value(), *da.get()));
        } else {
            return result::own(detail::lane_by_lane<R>(L, c.value().shape(), [&](std::size_t l) {
                return detail::unary_tangent(c, detail::lane_of<KA>(*da.get(), c.a.value().shape(), l));
            }));
        }
    }
}

}  // namespace duet

#include "duet/tensor/fused_sum.hpp"       // NOLINT: needs the declarations above
#include "duet/tensor/sum_of_product.hpp"  // NOLINT: likewise
