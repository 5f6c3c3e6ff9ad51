// sum(E) and mean(E) of an elementwise expression E, evaluated element by
// element: no tensor for E's elementwise nodes, no pass over memory per node.
//
// The fused part of E (compile time): the elementwise operations of E's rank
// R >= 1 reached from its root, down to their leaves, whose values are plain
// loops (not simd_rule's exp, log, tanh, which keep their vectorised values,
// tensor/simd.hpp). Its leaves are what stops the descent: variables,
// constants, and any other subtree ("opaque": matmul(X, w), sum(x), exp(x),
// an elementwise node of rank 0 ...), which is evaluated, swept and tangented
// the usual way, one tensor per node, and enters the fused part as its value.
// E is fused (`is_fusable_sum`) when its root is such an operation and every
// leaf has rank 0 or R. At run time every leaf of rank R must have the same
// shape (nothing broadcast along an axis); otherwise the whole node is
// evaluated the usual way (`fallback`), shape errors included.
//
// Element i of the fused part is a scalar expression of core/expression.hpp
// with E's own rules (tensor/elementwise.hpp applies core/rules.hpp's): leaf
// J becomes fused_leaf<J> (a variable or an opaque subtree) or
// constant<double>. Per element:
//   value     core evaluate; the elements are stored and summed by the sum's
//             own rule (sum_all_op::value), so in the same map_sum order;
//   adjoint   core sweep_plain_products from the sum's element adjoint
//             g * scale: plain products, as the tensor layer's adjoints
//             (tensor/elementwise.hpp), top-down in the same order; the
//             leaves get their adjoints in the order the unfused sweep
//             delivers them (left to right, an opaque subtree swept where
//             it stands);
//   tangent   bottom-up with tangent_product, zero tangents tracked as the
//             tensor layer tracks them (a constant, a variable without a
//             seed, an opaque subtree whose tangent is zero contribute
//             nothing).
// Each is the unfused evaluation's result bit for bit: the same rule calls,
// the same products in the same order, the same summation
// (test/tensor/fused_sum.cpp compares them). One exception: a compiler that
// contracts a * b + c into a fused multiply-add (g++'s default on a target
// with FMA, e.g. -march=native) may contract across the rules of one
// element, which the unfused loops store in between: one rounding fewer.
//
// Lifetime: the cache points into the expression (its tree and leaves), as
// every tensor cache does: it must not outlive it.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/strong_zero.hpp"
#include "duet/tensor/evaluate.hpp"
#include "duet/tensor/nodes.hpp"
#include "duet/tensor/simd.hpp"
#include "duet/tensor/workspace.hpp"

namespace duet {

template <class Rule>
struct elementwise_unary;
template <class Rule>
struct elementwise_binary;
struct sum_all_op;

namespace detail {

// Leaf J of element i: a variable or an opaque subtree (J counts every leaf
// of the fused part, left to right).
template <std::size_t J>
struct fused_leaf {
    double value;
};
struct fused_sum_mode {};

}  // namespace detail

template <std::size_t J>
struct leaf_traits<detail::fused_leaf<J>> {
    using value_type = double;
    using family = duet::family<detail::fused_sum_mode, double, 1>;
    DUET_INLINE static constexpr double value(const detail::fused_leaf<J>& l) { return l.value; }
};

namespace detail {

// ---- the fused part ------------------------------------------------------------
template <class E>
struct elementwise_rule {
    static constexpr bool elementwise = false;
};
template <class Rule, class A>
struct elementwise_rule<tensor_unary<elementwise_unary<Rule>, A>> {
    static constexpr bool elementwise = true;
    using type = Rule;
};
template <class Rule, class A, class B>
struct elementwise_rule<tensor_binary<elementwise_binary<Rule>, A, B>> {
    static constexpr bool elementwise = true;
    using type = Rule;
};

// An inner node of the fused part of rank R.
template <class E, std::size_t R>
constexpr bool fused_inner = [] {
    if constexpr (elementwise_rule<E>::elementwise)
        return E::rank == R && !simd::simd_rule<typename elementwise_rule<E>::type>;
    else
        return false;
}();

// The leaves of the fused part below E, left to right, as a tuple type.
template <class A, class B>
struct concatenated;
template <class... A, class... B>
struct concatenated<std::tuple<A...>, std::tuple<B...>> {
    using type = std::tuple<A..., B...>;
};
template <std::size_t R, class E, bool Inner = fused_inner<E, R>>
struct leaves_of {
    using type = std::tuple<E>;
};
template <std::size_t R, class Op, class A>
struct leaves_of<R, tensor_unary<Op, A>, true> {
    using type = typename leaves_of<R, A>::type;
};
template <std::size_t R, class Op, class A, class B>
struct leaves_of<R, tensor_binary<Op, A, B>, true> {
    using type = typename concatenated<typename leaves_of<R, A>::type, typename leaves_of<R, B>::type>::type;
};
template <std::size_t R, class E>
using leaves_t = typename leaves_of<R, E>::type;
template <std::size_t R, class E>
constexpr std::size_t leaf_count = std::tuple_size_v<leaves_t<R, E>>;

template <class Leaves, std::size_t R>
struct leaves_of_rank_0_or;
template <class... L, std::size_t R>
struct leaves_of_rank_0_or<std::tuple<L...>, R> : std::bool_constant<((L::rank == 0 || L::rank == R) && ...)> {};

template <class E>
struct is_fusable_sum : std::false_type {};
template <class A>
struct is_fusable_sum<tensor_unary<sum_all_op, A>>
    : std::bool_constant<(A::rank >= 1) && fused_inner<A, A::rank> &&
                         leaves_of_rank_0_or<leaves_t<A::rank, A>, A::rank>::value> {};

enum class leaf_kind { variable, constant, opaque };
template <class L>
constexpr leaf_kind kind_of = is_tensor_var<L>::value        ? leaf_kind::variable
                              : is_tensor_constant<L>::value ? leaf_kind::constant
                                                             : leaf_kind::opaque;

// f(leaf, std::integral_constant<size_t, J>) for every leaf of the fused part
// below e, left to right; J0: the number of leaves before e.
template <std::size_t R, std::size_t J0 = 0, class E, class F>
void for_each_fused_leaf(const E& e, F&& f) {
    if constexpr (fused_inner<E, R>) {
        for_each_fused_leaf<R, J0>(e.a, f);
        if constexpr (requires { e.b; })
            for_each_fused_leaf<R, J0 + leaf_count<R, std::remove_cvref_t<decltype(e.a)>>>(e.b, f);
    } else {
        f(e, std::integral_constant<std::size_t, J0>{});
    }
}

// Element i of the fused part below e as a scalar expression; p[J]: leaf
// J's elements (one element when the leaf has rank 0).
template <std::size_t R, std::size_t J0, class Leaves, class E, std::size_t N>
DUET_INLINE auto element_expression(const E& e, const std::array<const double*, N>& p, std::size_t i) {
    if constexpr (fused_inner<E, R>) {
        using Rule = typename elementwise_rule<E>::type;
        auto a = element_expression<R, J0, Leaves>(e.a, p, i);
        if constexpr (requires { e.b; }) {
            constexpr std::size_t JB = J0 + leaf_count<R, std::remove_cvref_t<decltype(e.a)>>;
            auto b = element_expression<R, JB, Leaves>(e.b, p, i);
            return binary_node<Rule, decltype(a), decltype(b)>(a, b, e.op.rule);
        } else {
            return unary_node<Rule, decltype(a)>(a, e.op.rule);
        }
    } else {
        const double v = E::rank == 0 ? p[J0][0] : p[J0][i];
        if constexpr (kind_of<E> == leaf_kind::constant)
            return constant<double>(v);
        else
            return fused_leaf<J0>{v};
    }
}

// ---- tangents of one element -------------------------------------------------
// `nonzero` false: a structural zero, as the tensor layer's absent tangent.
struct element_tangent {
    bool nonzero;
    double t;
};
// s[J]: leaf J's tangent elements, or nullptr (zero).
template <class Leaves, class T, std::size_t N>
DUET_INLINE element_tangent tangent_of(const cached_constant<T>&, const std::array<const double*, N>&, std::size_t);
template <class Leaves, std::size_t J, std::size_t N>
DUET_INLINE element_tangent tangent_of(const cached_leaf<fused_leaf<J>>&, const std::array<const double*, N>&,
                                       std::size_t);
template <class Leaves, class Rule, class A, std::size_t N>
DUET_INLINE element_tangent tangent_of(const cached_unary<Rule, A>&, const std::array<const double*, N>&,
                                       std::size_t);
template <class Leaves, class Rule, class A, class B, std::size_t N>
DUET_INLINE element_tangent tangent_of(const cached_binary<Rule, A, B>&, const std::array<const double*, N>&,
                                       std::size_t);

template <class Leaves, class T, std::size_t N>
DUET_INLINE element_tangent tangent_of(const cached_constant<T>&, const std::array<const double*, N>&, std::size_t) {
    return {false, 0.0};
}
template <class Leaves, std::size_t J, std::size_t N>
DUET_INLINE element_tangent tangent_of(const cached_leaf<fused_leaf<J>>&, const std::array<const double*, N>& s,
                                       std::size_t i) {
    if (s[J] == nullptr) return {false, 0.0};
    return {true, std::tuple_element_t<J, Leaves>::rank == 0 ? s[J][0] : s[J][i]};
}
template <class Leaves, class Rule, class A, std::size_t N>
DUET_INLINE element_tangent tangent_of(const cached_unary<Rule, A>& c, const std::array<const double*, N>& s,
                                       std::size_t i) {
    const element_tangent a = tangent_of<Leaves>(c.a, s, i);
    if (!a.nonzero) return {false, 0.0};
    return {true, tangent_product([&] { return double(c.rule.derivative(c.a.value, c.value)); }, a.t)};
}
template <class Leaves, class Rule, class A, class B, std::size_t N>
DUET_INLINE element_tangent tangent_of(const cached_binary<Rule, A, B>& c, const std::array<const double*, N>& s,
                                       std::size_t i) {
    const element_tangent a = tangent_of<Leaves>(c.a, s, i);
    const element_tangent b = tangent_of<Leaves>(c.b, s, i);
    if (!a.nonzero && !b.nonzero) return {false, 0.0};
    double t = 0;
    if (a.nonzero) t += tangent_product([&] { return double(c.rule.left(c.a.value, c.b.value, c.value)); }, a.t);
    if (b.nonzero) t += tangent_product([&] { return double(c.rule.right(c.a.value, c.b.value, c.value)); }, b.t);
    return {true, t};
}

// What the fused cache keeps per leaf: the value cache of an opaque subtree,
// nothing for the others.
struct no_leaf_cache {};
template <class L>
struct leaf_cache {
    using type = no_leaf_cache;
};
template <class L>
    requires(kind_of<L> == leaf_kind::opaque)
struct leaf_cache<L> {
    using type = std::optional<decltype(evaluate(std::declval<const L&>()))>;
};
template <class Leaves>
struct leaf_caches;
template <class... L>
struct leaf_caches<std::tuple<L...>> {
    using type = std::tuple<typename leaf_cache<L>::type...>;
};

}  // namespace detail

// The value cache of a fusable sum (see the top of this header).
template <class E>
struct cached_fused_sum {
    static constexpr std::size_t rank = 0;
    static constexpr bool derives_itself = true;  // sweep / tangent / tangent_lanes below
    using tree_type = std::remove_cvref_t<decltype(E::a)>;
    static constexpr std::size_t R = tree_type::rank;
    using leaves = detail::leaves_t<R, tree_type>;
    static constexpr std::size_t leaf_count = std::tuple_size_v<leaves>;
    using unfused_type = decltype(detail::evaluate_unfused(std::declval<const E&>()));

    const tree_type* tree = nullptr;                  // points into the expression
    typename detail::leaf_caches<leaves>::type opaque;  // the opaque subtrees' caches
    std::array<const double*, leaf_count> data{};     // each leaf's elements
    std::array<std::size_t, R> shape{};               // the fused part's shape
    std::size_t n = 0;                                // ... and its elements
    decltype(E::op) op;                               // the sum (or mean)
    double scale = 1;                                 // the sum's: 1, or 1 / n for a mean
    std::optional<detail::pooled<0>> y;               // the value, when fused
    std::optional<unfused_type> fallback;             // leaves of different shapes

    explicit cached_fused_sum(const E& e) : tree(&e.a), op(e.op) {
        bool first = true, same = true;
        detail::for_each_fused_leaf<R>(e.a, [&](const auto& leaf, auto j) {
            constexpr std::size_t J = decltype(j)::value;
            using L = std::remove_cvref_t<decltype(leaf)>;
            const tensor<L::rank>* value;
            if constexpr (detail::kind_of<L> == detail::leaf_kind::variable) {
                value = leaf.value;
            } else if constexpr (detail::kind_of<L> == detail::leaf_kind::constant) {
                value = detail::constant_value(leaf);
            } else {
                std::get<J>(opaque).emplace(duet::evaluate(leaf));
                value = &std::get<J>(opaque)->value();
            }
            data[J] = value->data();
            if constexpr (L::rank == R) {
                if (first) {
                    for (std::size_t d = 0; d < R; ++d) shape[d] = value->shape()[d];
                    first = false;
                } else if (!detail::same_shape(value->shape(), shape)) {
                    same = false;
                }
            }
        });
        if (!same) {
            fallback.emplace(detail::evaluate_unfused(e));
            return;
        }
        n = 1;
        for (std::size_t s : shape) n *= s;
        detail::pooled<1> elements = detail::workspace_tensor<1>(std::array<std::size_t, 1>{n});
        double* v = elements.get().data();
        for (std::size_t i = 0; i < n; ++i)
            v[i] = duet::evaluate(detail::element_expression<R, 0, leaves>(*tree, data, i)).value;
        y.emplace(op.value(elements.get()));
        scale = op.scale(elements.get());
    }

    const tensor<0>& value() const { return fallback ? fallback->value() : y->get(); }

    // The reverse sweep from adjoint g of the sum: the leaves' adjoints in
    // the unfused sweep's order.
    template <class Sink>
    void sweep(const tensor<0>& g, Sink& sink) const {
        if (fallback) {
            duet::sweep(*fallback, g, sink);
            return;
        }
        const double c = g() * scale;  // each element's adjoint, as sum_all_op::adjoint
        sweep_state state;
        for_each_leaf_index([&](auto j) {
            constexpr std::size_t J = decltype(j)::value;
            using L = std::tuple_element_t<J, leaves>;
            if constexpr (detail::kind_of<L> == detail::leaf_kind::variable) {
                sink(std::integral_constant<std::size_t, L::index>{}, [&](auto& out, bool accumulate) {
                    if (!state.done)
                        run<J>(c, out.data(), accumulate, state);
                    else
                        from_scratch<J>(state, out.data(), accumulate);
                });
            } else if constexpr (detail::kind_of<L> == detail::leaf_kind::opaque) {
                if (!state.done) run<leaf_count>(c, nullptr, false, state);
                if constexpr (L::rank == 0) {
                    const detail::pooled<0> adjoint = detail::workspace_scalar(state.totals[J]);
                    duet::sweep(*std::get<J>(opaque), adjoint.get(), sink);
                } else {
                    duet::sweep(*std::get<J>(opaque), state.full[J]->get(), sink);
                }
            }
        });
    }

    // The tangent of the sum (seeds.get<I>(): variable I's tangent or null).
    template <class Seeds>
    tensor_tangent<0> tangent(const Seeds& seeds) const {
        if (fallback) return duet::tangent(*fallback, seeds);
        std::array<const double*, leaf_count> s{};
        bool any = false;
        auto opaque_tangents = leaf_tangents([&](const auto& cache) { return duet::tangent(cache, seeds); });
        for_each_leaf_index([&](auto j) {
            constexpr std::size_t J = decltype(j)::value;
            using L = std::tuple_element_t<J, leaves>;
            if constexpr (detail::kind_of<L> == detail::leaf_kind::variable) {
                const tensor<L::rank>* t = seeds.template get<L::index>();
                s[J] = t ? t->data() : nullptr;
            } else if constexpr (detail::kind_of<L> == detail::leaf_kind::opaque) {
                const auto* t = std::get<J>(opaque_tangents)->get();
                s[J] = t ? t->data() : nullptr;
            }
            any = any || s[J] != nullptr;
        });
        if (!any) return tensor_tangent<0>::zero();
        return tensor_tangent<0>::own(sum_of_tangents(s));
    }

    // L tangents (seeds.get<I>(): variable I's lane tangent, shape (L, its
    // shape), or null): lane l of the result is tangent() of lanes l.
    template <class Seeds>
    tensor_tangent<1> tangent_lanes(const Seeds& seeds, std::size_t L) const {
        if (fallback) return duet::tangent_lanes(*fallback, seeds, L);
        std::array<const double*, leaf_count> s{};
        std::array<std::size_t, leaf_count> lane_stride{};
        bool any = false;
        auto opaque_tangents =
            leaf_tangents([&](const auto& cache) { return duet::tangent_lanes(cache, seeds, L); });
        for_each_leaf_index([&](auto j) {
            constexpr std::size_t J = decltype(j)::value;
            using Leaf = std::tuple_element_t<J, leaves>;
            lane_stride[J] = Leaf::rank == 0 ? 1 : n;
            if constexpr (detail::kind_of<Leaf> == detail::leaf_kind::variable) {
                const tensor<Leaf::rank + 1>* t = seeds.template get<Leaf::index>();
                s[J] = t ? t->data() : nullptr;
            } else if constexpr (detail::kind_of<Leaf> == detail::leaf_kind::opaque) {
                const auto* t = std::get<J>(opaque_tangents)->get();
                s[J] = t ? t->data() : nullptr;
            }
            any = any || s[J] != nullptr;
        });
        if (!any) return tensor_tangent<1>::zero();
        auto result = detail::workspace_tensor<1>(std::array<std::size_t, 1>{L});
        for (std::size_t l = 0; l < L; ++l) {
            std::array<const double*, leaf_count> lane{};
            for (std::size_t j = 0; j < leaf_count; ++j) lane[j] = s[j] ? s[j] + l * lane_stride[j] : nullptr;
            const detail::pooled<0> t = sum_of_tangents(lane);
            result.data()[l] = t.get()();
        }
        return tensor_tangent<1>::own(std::move(result));
    }

private:
    template <class F>
    static void for_each_leaf_index(F&& f) {
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            (f(std::integral_constant<std::size_t, J>{}), ...);
        }(std::make_index_sequence<leaf_count>{});
    }

    // make(cache) for every opaque leaf, left to right, as a tuple of
    // optionals (empty for the other leaves).
    template <class Make>
    auto leaf_tangents(Make&& make) const {
        return [&]<std::size_t... J>(std::index_sequence<J...>) {
            auto one = [&](auto j) {
                constexpr std::size_t K = decltype(j)::value;
                if constexpr (detail::kind_of<std::tuple_element_t<K, leaves>> == detail::leaf_kind::opaque)
                    return std::optional(make(*std::get<K>(opaque)));
                else
                    return detail::no_leaf_cache{};
            };
            return std::tuple{one(std::integral_constant<std::size_t, J>{})...};
        }(std::make_index_sequence<leaf_count>{});
    }

    // Adjoints of the leaves not delivered while sweeping (lifetime: one
    // sweep): `full` for leaves of rank R, `per_element` for variables of
    // rank 0 (added up when their turn comes, as the unfused sweep adds),
    // `totals` for opaque subtrees of rank 0.
    struct sweep_state {
        bool done = false;
        std::array<std::optional<detail::pooled<R>>, leaf_count> full;
        std::array<std::optional<detail::pooled<1>>, leaf_count> per_element;
        std::array<double, leaf_count> totals{};
    };

    // The one pass over the elements: leaf D's adjoints go to out (the
    // sink's storage; D = leaf_count: none), the others' to the state.
    template <std::size_t D>
    void run(double c, double* out, bool accumulate, sweep_state& state) const {
        std::array<double*, leaf_count> to{};
        for_each_leaf_index([&](auto j) {
            constexpr std::size_t J = decltype(j)::value;
            using L = std::tuple_element_t<J, leaves>;
            if constexpr (J != D && detail::kind_of<L> != detail::leaf_kind::constant) {
                if constexpr (L::rank == R) {
                    state.full[J].emplace(detail::adjoint_storage<R>(shape));
                    to[J] = state.full[J]->get().data();
                } else if constexpr (detail::kind_of<L> == detail::leaf_kind::variable) {
                    state.per_element[J].emplace(detail::workspace_tensor<1>(std::array<std::size_t, 1>{n}));
                    to[J] = state.per_element[J]->get().data();
                }
            }
        });
        constexpr bool direct_rank0 = D < leaf_count && std::tuple_element_t<D % leaf_count, leaves>::rank == 0;
        double total = direct_rank0 && accumulate ? out[0] : 0.0;  // as the unfused broadcast adjoint adds
        auto pass = [&](auto add) {
            for (std::size_t i = 0; i < n; ++i) {
                const auto cache = duet::evaluate(detail::element_expression<R, 0, leaves>(*tree, data, i));
                auto to_leaf = [&]<std::size_t J>(const detail::fused_leaf<J>&, double adjoint) {
                    using L = std::tuple_element_t<J, leaves>;
                    if constexpr (J == D) {
                        if constexpr (direct_rank0)
                            total += adjoint;
                        else if constexpr (std::remove_cvref_t<decltype(add)>::value)
                            out[i] += adjoint;
                        else
                            out[i] = adjoint;
                    } else if constexpr (L::rank == 0 && detail::kind_of<L> == detail::leaf_kind::opaque) {
                        state.totals[J] += adjoint;
                    } else {
                        to[J][i] = adjoint;
                    }
                };
                duet::sweep_plain_products(cache, c, to_leaf);
            }
        };
        if (accumulate)
            pass(std::true_type{});
        else
            pass(std::false_type{});
        if constexpr (direct_rank0) out[0] = total;
        state.done = true;
    }

    // Variable leaf J's adjoint, kept by run(), written or added to out.
    template <std::size_t J>
    void from_scratch(const sweep_state& state, double* out, bool accumulate) const {
        if constexpr (std::tuple_element_t<J, leaves>::rank == 0) {
            const double* s = state.per_element[J]->get().data();
            double total = accumulate ? out[0] : 0.0;
            for (std::size_t i = 0; i < n; ++i) total += s[i];
            out[0] = total;
        } else {
            const double* s = state.full[J]->get().data();
            for (std::size_t i = 0; i < n; ++i) out[i] = accumulate ? out[i] + s[i] : s[i];
        }
    }

    // The sum's tangent from the leaves' tangent elements s (not all null):
    // each element's tangent, summed by the sum's rule.
    tensor<0> sum_of_tangents(const std::array<const double*, leaf_count>& s) const {
        detail::pooled<1> elements = detail::workspace_tensor<1>(std::array<std::size_t, 1>{n});
        double* t = elements.get().data();
        for (std::size_t i = 0; i < n; ++i) {
            const auto cache = duet::evaluate(detail::element_expression<R, 0, leaves>(*tree, data, i));
            t[i] = detail::tangent_of<leaves>(cache, s, i).t;
        }
        return op.value(elements.get());
    }
};

namespace detail {
template <class E>
auto evaluate_fused_sum(const E& e) {
    return cached_fused_sum<E>(e);
}
}  // namespace detail

}  // namespace duet
