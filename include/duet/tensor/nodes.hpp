// Tensor expression nodes: plain data describing a computation over
// xt::xtensor<double, K> values, nothing more.
//
//   tensor_var<K, I>        argument I of a differentiated function (a leaf).
//                           Holds a POINTER to the driver's copy of the
//                           argument: the driver keeps that storage alive
//                           while the function runs and its result is
//                           evaluated. Cheap to copy into nodes.
//   tensor_constant<K>      a tensor (or a number, K = 0) that is not
//                           differentiated, held BY VALUE (closure rule of
//                           core/expression.hpp: an expression may outlive the
//                           locals it was built from).
//   tensor_constant_ref<K>  a constant held by POINTER, made by
//                           duet::constant_ref(x): no copy of x per call
//                           (a data matrix in a likelihood, say). x must
//                           outlive the expression and its evaluation.
//   tensor_unary<Op, A>     an operation and its operand(s), held by value.
//   tensor_binary<Op, A, B>
//   tensor_nary<Op, A...>   an operation of any number of operands (held by
//                           value in a std::tuple), e.g. duet::multi_dot.
//
// An operation Op is written once (tensor/elementwise.hpp,
// tensor/linear_algebra.hpp, tensor/reductions.hpp) and provides
//   rank<K...>                     the result's rank (static),
//   value(a[, b])                  the result; throws std::invalid_argument
//                                  naming both shapes when they do not fit,
//   tangent(a, [b,] y, da[, db])   forward mode: the result's tangent given
//                                  the operands' tangents (binary ops get
//                                  pointers, null meaning "zero"),
//   adjoint / left_adjoint / right_adjoint(a, [b,] y, g, out, accumulate)
//                                  reverse mode: writes (accumulate = false)
//                                  or adds (true) the operand's adjoint given
//                                  the result's adjoint g.
// An n-ary Op (tensor_nary) provides instead
//   rank<K...>                     the result's rank (static),
//   value(a...)                    the result (throws as above),
//   tangent(values, y, tangents)   values: std::tuple<const tensor<K>&...>,
//                                  tangents: std::tuple<const tensor<K>*...>
//                                  (null meaning "zero", not all null),
//   reverse(values, y, g)          an object r, valid while its arguments
//                                  live, whose r.template adjoint<I>(out,
//                                  accumulate) writes or adds operand I's
//                                  adjoint (shared work is done once in r).
// Both modes run on the same value cache (tensor/evaluate.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>

#include <xtensor/xtensor.hpp>
#include <xtensor/xutils.hpp>

#include "duet/core/error.hpp"
#include "duet/tensor/workspace.hpp"

namespace duet {

// The value type of every tensor node of rank K: tensor<K> =
// xt::xtensor<double, K> (declared in tensor/workspace.hpp).

namespace detail {
// W(i, j) on a node: defined in tensor/indexing.hpp.
template <class Node, class... Index>
auto element_of(const Node& node, Index... i);
}  // namespace detail

// Element access on every node: W(i, j) with one integer per axis is a
// rank-0 node reading that element (read-only).
#define DUET_TENSOR_ELEMENT_ACCESS                                                          \
    template <class... Index>                                                               \
        requires(sizeof...(Index) == rank && (std::is_integral_v<Index> && ...))            \
    auto operator()(Index... i) const {                                                     \
        return detail::element_of(*this, i...);                                             \
    }

template <std::size_t K, std::size_t I>
struct tensor_var {
    static constexpr std::size_t rank = K;
    static constexpr std::size_t index = I;
    const tensor<K>* value;  // never null; owned by the driver
    DUET_TENSOR_ELEMENT_ACCESS
};

template <std::size_t K>
struct tensor_constant {
    static constexpr std::size_t rank = K;
    tensor<K> value;
    DUET_TENSOR_ELEMENT_ACCESS
};

template <std::size_t K>
struct tensor_constant_ref {
    static constexpr std::size_t rank = K;
    const tensor<K>* value;  // never null; owned by the caller
    DUET_TENSOR_ELEMENT_ACCESS
};

// x as a constant operand of tensor expressions, without copying it into
// the expression (which plain tensors are, by the closure rule). The caller
// keeps x alive and unchanged until the expression has been evaluated or
// differentiated; a temporary is refused.
template <std::size_t K>
tensor_constant_ref<K> constant_ref(const tensor<K>& x) {
    return {&x};
}
template <std::size_t K>
void constant_ref(const tensor<K>&&) = delete;

template <class Op, class A>
struct tensor_unary {
    static constexpr std::size_t rank = Op::template rank<A::rank>;
    A a;
    Op op;
    DUET_TENSOR_ELEMENT_ACCESS
};

template <class Op, class A, class B>
struct tensor_binary {
    static constexpr std::size_t rank = Op::template rank<A::rank, B::rank>;
    A a;
    B b;
    Op op;
    DUET_TENSOR_ELEMENT_ACCESS
};

template <class Op, class... A>
struct tensor_nary {
    static constexpr std::size_t rank = Op::template rank<A::rank...>;
    std::tuple<A...> args;
    Op op;
    DUET_TENSOR_ELEMENT_ACCESS
};

#undef DUET_TENSOR_ELEMENT_ACCESS

namespace detail {
template <class T>
struct is_tensor_node : std::false_type {};
template <std::size_t K, std::size_t I>
struct is_tensor_node<tensor_var<K, I>> : std::true_type {};
template <std::size_t K>
struct is_tensor_node<tensor_constant<K>> : std::true_type {};
template <std::size_t K>
struct is_tensor_node<tensor_constant_ref<K>> : std::true_type {};
template <class Op, class A>
struct is_tensor_node<tensor_unary<Op, A>> : std::true_type {};
template <class Op, class A, class B>
struct is_tensor_node<tensor_binary<Op, A, B>> : std::true_type {};
template <class Op, class... A>
struct is_tensor_node<tensor_nary<Op, A...>> : std::true_type {};

template <class T>
struct is_tensor_nary : std::false_type {};
template <class Op, class... A>
struct is_tensor_nary<tensor_nary<Op, A...>> : std::true_type {};

template <class T>
struct is_tensor_var : std::false_type {};
template <std::size_t K, std::size_t I>
struct is_tensor_var<tensor_var<K, I>> : std::true_type {};

template <class T>
struct is_tensor_constant : std::false_type {};
template <std::size_t K>
struct is_tensor_constant<tensor_constant<K>> : std::true_type {};
template <std::size_t K>
struct is_tensor_constant<tensor_constant_ref<K>> : std::true_type {};

// The value of a constant node, owned or referenced.
template <std::size_t K>
const tensor<K>* constant_value(const tensor_constant<K>& c) {
    return &c.value;
}
template <std::size_t K>
const tensor<K>* constant_value(const tensor_constant_ref<K>& c) {
    return c.value;
}
}  // namespace detail

// A node of a tensor expression (what a differentiated function's tensor
// arguments and the results of duet's tensor functions on them are).
template <class T>
concept tensor_node = detail::is_tensor_node<std::remove_cvref_t<T>>::value;

// A plain xtensor value or lazy xtensor expression (not differentiated).
template <class T>
concept plain_tensor = xt::is_xexpression<std::remove_cvref_t<T>>::value;

// A plain number usable as a rank-0 tensor.
template <class T>
concept plain_number = std::is_arithmetic_v<std::remove_cvref_t<T>>;

// Legal operands of a tensor operation that builds a node: at least one
// node; the other a node, a plain tensor or a number.
template <class A, class B>
concept tensor_operand_pair =
    (tensor_node<A> && (tensor_node<B> || plain_tensor<B> || plain_number<B>)) ||
    (tensor_node<B> && (plain_tensor<A> || plain_number<A>));

namespace detail {

template <class S>
struct static_shape_rank : std::integral_constant<std::size_t, SIZE_MAX> {};
template <std::size_t N>
struct static_shape_rank<std::array<std::size_t, N>> : std::integral_constant<std::size_t, N> {};

// The static rank of a plain xtensor expression (an xtensor, or a lazy
// expression of xtensors, whose shape is a std::array).
template <class E>
constexpr std::size_t plain_rank() {
    using D = std::remove_cvref_t<E>;
    constexpr std::size_t r = xt::get_rank<D>::value != SIZE_MAX
                                  ? xt::get_rank<D>::value
                                  : static_shape_rank<typename D::shape_type>::value;
    static_assert(r != SIZE_MAX,
                  "duet: tensor code needs a static rank: use xt::xtensor<double, K>, not "
                  "xt::xarray");
    return r == SIZE_MAX ? 0 : r;
}

// Turns an operand into a node: nodes are copied, plain tensors and numbers
// become (evaluated) constants.
template <class X>
auto as_tensor_node(X&& x) {
    using D = std::remove_cvref_t<X>;
    if constexpr (tensor_node<D>) {
        return D(std::forward<X>(x));
    } else if constexpr (plain_number<D>) {
        return tensor_constant<0>{tensor<0>(static_cast<double>(x))};
    } else {
        constexpr std::size_t K = plain_rank<D>();
        return tensor_constant<K>{tensor<K>(std::forward<X>(x))};
    }
}

template <class T>
struct is_tensor_constant_ref : std::false_type {};
template <std::size_t K>
struct is_tensor_constant_ref<tensor_constant_ref<K>> : std::true_type {};

// A node that makes an operation differentiable: any node but a referenced
// constant, which acts as the plain tensor it refers to (so constant_ref(X)
// in plain code still gives plain results).
template <class T>
concept differentiable_node = tensor_node<T> && !is_tensor_constant_ref<std::remove_cvref_t<T>>::value;

// A plain operand as an evaluated xtensor (no copy when it already is one).
template <class X>
decltype(auto) as_plain_tensor(X&& x) {
    using D = std::remove_cvref_t<X>;
    if constexpr (is_tensor_constant_ref<D>::value)
        return static_cast<const tensor<D::rank>&>(*x.value);
    else if constexpr (std::is_same_v<D, tensor<plain_rank<D>()>>)
        return std::forward<X>(x);
    else
        return tensor<plain_rank<D>()>(std::forward<X>(x));
}

// What a plain (non-differentiated) call returns: rank-0 results as numbers.
template <std::size_t K>
auto plain_result(tensor<K>&& t) {
    if constexpr (K == 0)
        return t();
    else
        return std::move(t);
}

// Storage an adjoint rule is about to write (accumulate = false): left
// uninitialised. With DUET_TENSOR_POISON defined (the fan-out tests and the
// mutation check define it), filled with NaN instead, so that a rule which
// adds to storage it should overwrite shows up as NaN instead of passing by
// the luck of zeroed pages.
// The storage comes from this thread's tensor workspace when it can.
template <std::size_t K, class Shape>
tensor<K> adjoint_storage(const Shape& shape) {
    auto t = workspace_tensor<K>(shape);
#ifdef DUET_TENSOR_POISON
    t.fill(std::numeric_limits<double>::quiet_NaN());
#endif
    return t;
}

// What an adjoint rule does with one element's contribution c: write it
// (accumulate = false) or add it.
inline void store(double& out, double c, bool accumulate) { out = accumulate ? out + c : c; }

template <class SA, class SB>
bool same_shape(const SA& a, const SB& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

template <class Op, class A>
auto make_tensor_unary(Op op, A&& a) {
    auto na = as_tensor_node(std::forward<A>(a));
    return tensor_unary<Op, decltype(na)>{std::move(na), op};
}

template <class Op, class A, class B>
auto make_tensor_binary(Op op, A&& a, B&& b) {
    auto na = as_tensor_node(std::forward<A>(a));
    auto nb = as_tensor_node(std::forward<B>(b));
    return tensor_binary<Op, decltype(na), decltype(nb)>{std::move(na), std::move(nb), op};
}

// An operand evaluated as a plain tensor: a number as a rank-0 tensor, the
// rest as as_plain_tensor.
template <class X>
decltype(auto) as_plain_operand(X&& x) {
    if constexpr (plain_number<X>)
        return tensor<0>(static_cast<double>(x));
    else
        return as_plain_tensor(std::forward<X>(x));
}

// A tensor operation (one or two operands) applied to its operands: a node
// when one of them is a node; otherwise (plain xtensors or numbers) the
// evaluated value, a tensor<K> (rank 0 included). This is how the same
// generic source runs differentiated and plain. The one dispatch of the
// tensor layer: apply_tensor_op below and the elementwise functions
// (tensor/elementwise.hpp) both use it.
template <class Op, class... A>
    requires(sizeof...(A) == 1 || sizeof...(A) == 2)
auto node_or_value(const Op& op, A&&... a) {
    if constexpr (!(differentiable_node<A> || ...))
        return op.value(as_plain_operand(std::forward<A>(a))...);
    else if constexpr (sizeof...(A) == 1)
        return make_tensor_unary(op, std::forward<A>(a)...);
    else
        return make_tensor_binary(op, std::forward<A>(a)...);
}

// The same, with a plain rank-0 result as a number (plain_result): for the
// non-elementwise operations (sum, dot, matmul ...).
template <class Op, class... A>
auto apply_tensor_op(const Op& op, A&&... a) {
    if constexpr ((differentiable_node<A> || ...))
        return node_or_value(op, std::forward<A>(a)...);
    else
        return plain_result(node_or_value(op, std::forward<A>(a)...));
}

}  // namespace detail

// Operands of a non-elementwise tensor operation (matmul, dot ...): nodes or
// plain tensors; with two plain tensors the operation just computes a value.
template <class A, class B>
concept tensor_pair = (tensor_node<A> || plain_tensor<A>) && (tensor_node<B> || plain_tensor<B>);

template <class A>
concept tensor_argument = tensor_node<A> || plain_tensor<A>;

}  // namespace duet
