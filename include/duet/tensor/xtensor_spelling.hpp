// xtensor's spelling on duet tensor expressions: xt::exp(W), xt::sum(Z, {1}),
// xt::linalg::dot(W, x), xt::transpose(A), xt::view(W, i, xt::all()) ...
// applied to duet's tensor nodes (the variables a driver passes and the
// expressions built from them) build the same duet nodes as duet::exp,
// duet::sum, duet::matmul ... (no rule of their own). Every overload here is
// constrained to duet's node types, so plain xtensor code is untouched: a
// call on plain xtensors still resolves to xtensor's own function.
//
// Differences from xtensor on plain arrays, all for duet expressions only:
//  - results are duet nodes (evaluated by the drivers), not lazy xfunctions;
//  - xt::linalg::dot(vector, vector) is a rank-0 node (numpy's scalar),
//    where xtensor-blas returns a shape-(1,) array; generic code that must
//    run both ways can wrap it in xt::sum(...);
//  - axes of reductions must have a static count (an integer, a braced list
//    {0, 2}, or a std::array), because node ranks are static;
//  - an xtensor function without a derivative rule in duet (xt::floor,
//    xt::cumsum, xt::sort ...) on a duet expression fails to compile with a
//    sentence saying so.
#pragma once

#include <algorithm>
#include <functional>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <xtensor/xmath.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xview.hpp>
#include <xtensor-blas/xlinalg.hpp>

#include "duet/core/operations.hpp"
#include "duet/tensor/elementwise.hpp"
#include "duet/tensor/indexing.hpp"
#include "duet/tensor/linear_algebra.hpp"
#include "duet/tensor/nodes.hpp"
#include "duet/tensor/reductions.hpp"

namespace duet::detail {

// One operand of an xt:: function is a duet node (so the duet overload is
// meant), the other a node, a plain tensor or a number.
template <class A, class B>
concept xt_node_pair = tensor_operand_pair<A, B>;

// The axes of a reduction as a std::array with a static count.
template <class X>
constexpr std::size_t static_axes_count() {
    using D = std::remove_cvref_t<X>;
    if constexpr (std::is_integral_v<D>)
        return 1;
    else if constexpr (requires { std::tuple_size<D>::value; })
        return std::tuple_size<D>::value;
    else {
        static_assert(sizeof(D) == 0,
                      "duet: the axes of a reduction on a duet expression need a static count "
                      "(an integer, a braced list such as {0, 2}, or a std::array), because the "
                      "result's rank is static");
        return 0;
    }
}

template <std::size_t N, class X>
std::array<std::size_t, N> axes_array(const X& x) {
    std::array<std::size_t, N> a{};
    if constexpr (std::is_integral_v<X>)
        a[0] = static_cast<std::size_t>(x);
    else
        for (std::size_t i = 0; i < N; ++i) a[i] = static_cast<std::size_t>(x[i]);
    return a;
}

template <std::size_t I, class Reduce, class E, std::size_t N>
auto reduce_chain(const Reduce& reduce_one, E&& e, const std::array<std::size_t, N>& axes) {
    if constexpr (I == N)
        return std::remove_cvref_t<E>(std::forward<E>(e));
    else
        return reduce_chain<I + 1>(reduce_one, reduce_one(std::forward<E>(e), axes[I]), axes);
}

// Reduces e along several axes, one after another, highest axis first (so
// the lower ones keep their numbers). reduce_one(e, axis) reduces one axis;
// `operation` names it in error messages.
template <std::size_t N, class Reduce, class E>
auto reduce_axes(const char* operation, const Reduce& reduce_one, E&& e, std::array<std::size_t, N> axes) {
    std::sort(axes.begin(), axes.end(), std::greater<>());
    for (std::size_t i = 1; i < N; ++i)
        if (axes[i] == axes[i - 1]) throw_invalid_argument(operation, "axis ", axes[i], " is given twice");
    return reduce_chain<0>(reduce_one, std::forward<E>(e), axes);
}

}  // namespace duet::detail

// -----------------------------------------------------------------------------
namespace xt {

// ---- elementwise functions ----------------------------------------------------
// The table of core/operations.hpp, under xtensor's names. Left out (the
// list stays defined: test/core/operations.cpp checks the xt spelling with it):
#define DUET_XT_EXCLUDED_relu DUET_OPERATION_EXCLUDED      // not an xtensor function
#define DUET_XT_EXCLUDED_sigmoid DUET_OPERATION_EXCLUDED   // not an xtensor function
#define DUET_XT_EXCLUDED_softplus DUET_OPERATION_EXCLUDED  // not an xtensor function
#define DUET_XT_EXCLUDED_copysign DUET_OPERATION_EXCLUDED  // not an xtensor function
#define DUET_XT_EXCLUDED_max DUET_OPERATION_EXCLUDED       // xt::maximum, below
#define DUET_XT_EXCLUDED_min DUET_OPERATION_EXCLUDED       // xt::minimum, below
// (digamma and polygamma are not in xtensor either.)

#define DUET_XT_UNARY(xt_name, duet_name)                   \
    template <class E>                                      \
        requires duet::tensor_node<E>                       \
    auto xt_name(E&& e) noexcept(false) {                   \
        return duet::duet_name(std::forward<E>(e));         \
    }
#define DUET_XT_BINARY(xt_name, duet_name)                                  \
    template <class E1, class E2>                                           \
        requires duet::detail::xt_node_pair<E1, E2>                         \
    auto xt_name(E1&& e1, E2&& e2) noexcept(false) {                        \
        return duet::duet_name(std::forward<E1>(e1), std::forward<E2>(e2)); \
    }
#define DUET_XT_UNARY_FROM_TABLE(name, rule) \
    DUET_OPERATION_UNLESS_EXCLUDED(DUET_XT_EXCLUDED_, DUET_XT_UNARY, name, name)
#define DUET_XT_BINARY_FROM_TABLE(name, rule) \
    DUET_OPERATION_UNLESS_EXCLUDED(DUET_XT_EXCLUDED_, DUET_XT_BINARY, name, name)

DUET_FOR_EACH_UNARY_FUNCTION(DUET_XT_UNARY_FROM_TABLE)
DUET_FOR_EACH_BINARY_FUNCTION(DUET_XT_BINARY_FROM_TABLE)
DUET_XT_BINARY(maximum, max)
DUET_XT_BINARY(minimum, min)
DUET_XT_BINARY(pow, pow)

#undef DUET_XT_UNARY_FROM_TABLE
#undef DUET_XT_BINARY_FROM_TABLE
#undef DUET_XT_UNARY
#undef DUET_XT_BINARY

// ---- reductions: whole tensor, one axis, several axes ----------------------------
// The template heads repeat xtensor's own (XTENSOR_REDUCER_FUNCTION), so that
// with equal heads the constraint alone selects these for duet nodes.
#define DUET_XT_REDUCER(xt_name, duet_name)                                                         \
    template <class T = void, class E, class EVS = DEFAULT_STRATEGY_REDUCERS,                       \
              XTL_REQUIRES(is_reducer_options<EVS>)>                                                \
        requires duet::tensor_node<E>                                                               \
    auto xt_name(E&& e, EVS = EVS()) {                                                              \
        return duet::duet_name(std::forward<E>(e));                                                 \
    }                                                                                               \
    template <class T = void, class E, class X, class EVS = DEFAULT_STRATEGY_REDUCERS,              \
              XTL_REQUIRES(xtl::negation<is_reducer_options<X>>,                                    \
                           xtl::is_integral<std::decay_t<X>>)>                                      \
        requires duet::tensor_node<E>                                                               \
    auto xt_name(E&& e, X axis, EVS = EVS()) {                                                      \
        return duet::duet_name(std::forward<E>(e), static_cast<std::size_t>(axis));                 \
    }                                                                                               \
    template <class T = void, class E, class X, class EVS = DEFAULT_STRATEGY_REDUCERS,              \
              XTL_REQUIRES(xtl::negation<is_reducer_options<X>>,                                    \
                           xtl::negation<xtl::is_integral<std::decay_t<X>>>)>                       \
        requires duet::tensor_node<E>                                                               \
    auto xt_name(E&& e, X&& axes, EVS = EVS()) {                                                    \
        constexpr std::size_t N = duet::detail::static_axes_count<X>();                             \
        return duet::detail::reduce_axes<N>(                                                        \
            #duet_name, [](auto&& x, std::size_t axis) {                                            \
                return duet::duet_name(std::forward<decltype(x)>(x), axis);                         \
            },                                                                                      \
            std::forward<E>(e), duet::detail::axes_array<N>(axes));                                 \
    }                                                                                               \
    template <class T = void, class E, class I, std::size_t N, class EVS = DEFAULT_STRATEGY_REDUCERS> \
        requires duet::tensor_node<E>                                                               \
    auto xt_name(E&& e, const I (&axes)[N], EVS = EVS()) {                                          \
        return duet::detail::reduce_axes<N>(                                                        \
            #duet_name, [](auto&& x, std::size_t axis) {                                            \
                return duet::duet_name(std::forward<decltype(x)>(x), axis);                         \
            },                                                                                      \
            std::forward<E>(e), duet::detail::axes_array<N>(axes));                                 \
    }

DUET_XT_REDUCER(sum, sum)
DUET_XT_REDUCER(prod, prod)
DUET_XT_REDUCER(amax, amax)
DUET_XT_REDUCER(amin, amin)
#undef DUET_XT_REDUCER

// xt::mean's heads differ from the other reducers' (no integer-axis form).
template <class T = void, class E, class EVS = DEFAULT_STRATEGY_REDUCERS, XTL_REQUIRES(is_reducer_options<EVS>)>
    requires duet::tensor_node<E>
auto mean(E&& e, EVS = EVS()) {
    return duet::mean(std::forward<E>(e));
}
template <class T = void, class E, class X, class EVS = DEFAULT_STRATEGY_REDUCERS,
          XTL_REQUIRES(xtl::negation<is_reducer_options<X>>)>
    requires duet::tensor_node<E>
auto mean(E&& e, X&& axes, EVS = EVS()) {
    constexpr std::size_t N = duet::detail::static_axes_count<X>();
    return duet::detail::reduce_axes<N>(
        "mean", [](auto&& x, std::size_t axis) { return duet::mean(std::forward<decltype(x)>(x), axis); },
        std::forward<E>(e), duet::detail::axes_array<N>(axes));
}
template <class T = void, class E, class I, std::size_t N, class EVS = DEFAULT_STRATEGY_REDUCERS>
    requires duet::tensor_node<E>
auto mean(E&& e, const I (&axes)[N], EVS = EVS()) {
    return duet::detail::reduce_axes<N>(
        "mean", [](auto&& x, std::size_t axis) { return duet::mean(std::forward<decltype(x)>(x), axis); },
        std::forward<E>(e), duet::detail::axes_array<N>(axes));
}

// ---- shape manipulation and views ---------------------------------------------
template <class E>
    requires duet::tensor_node<E>
auto transpose(E&& e) noexcept(false) {
    return duet::transpose(std::forward<E>(e));
}

template <layout_type L = XTENSOR_DEFAULT_TRAVERSAL, class E, class S>
    requires duet::tensor_node<E>
auto reshape_view(E&& e, S&& shape) {
    using D = std::remove_cvref_t<S>;
    static_assert(requires { std::tuple_size<D>::value; },
                  "duet: xt::reshape_view of a duet expression needs a shape with a static "
                  "number of axes (a braced list or a std::array)");
    constexpr std::size_t R = std::tuple_size<D>::value;
    std::array<std::size_t, R> s{};
    for (std::size_t i = 0; i < R; ++i) s[i] = static_cast<std::size_t>(shape[i]);
    return duet::reshape(std::forward<E>(e), s);
}
template <layout_type L = XTENSOR_DEFAULT_TRAVERSAL, class E, class I, std::size_t N>
    requires duet::tensor_node<E>
auto reshape_view(E&& e, const I (&shape)[N]) {
    std::array<std::size_t, N> s{};
    for (std::size_t i = 0; i < N; ++i) s[i] = static_cast<std::size_t>(shape[i]);
    return duet::reshape(std::forward<E>(e), s);
}

template <class E, class... S>
    requires duet::tensor_node<E>
auto view(E&& e, S&&... slices) {
    return duet::view(std::forward<E>(e), std::forward<S>(slices)...);
}
template <class E>
    requires duet::tensor_node<E>
auto row(E&& e, std::ptrdiff_t index) {
    return duet::row(std::forward<E>(e), index);
}
template <class E>
    requires duet::tensor_node<E>
auto col(E&& e, std::ptrdiff_t index) {
    return duet::col(std::forward<E>(e), index);
}

// ---- xtensor functions without a derivative rule in duet ----------------------
#define DUET_XT_NO_RULE(xt_name, why)                                                        \
    template <class E>                                                                       \
        requires duet::tensor_node<E>                                                        \
    auto xt_name(E&&) noexcept(false) {                                                      \
        static_assert(sizeof(E) == 0, "duet: xt::" #xt_name " has no derivative rule in duet " \
                                      "for duet tensor expressions: " why);                  \
    }

DUET_XT_NO_RULE(floor, "its derivative is zero where it exists; apply it to a plain value")
DUET_XT_NO_RULE(ceil, "its derivative is zero where it exists; apply it to a plain value")
DUET_XT_NO_RULE(round, "its derivative is zero where it exists; apply it to a plain value")
DUET_XT_NO_RULE(trunc, "its derivative is zero where it exists; apply it to a plain value")
DUET_XT_NO_RULE(sign, "its derivative is zero where it exists; apply it to a plain value")
#undef DUET_XT_NO_RULE

template <class T = void, class E>
    requires duet::tensor_node<E>
auto cumsum(E&&) {
    static_assert(sizeof(E) == 0,
                  "duet: xt::cumsum has no derivative rule in duet yet; write it with "
                  "duet::matmul by a triangular matrix of ones");
}
template <class T = void, class E>
    requires duet::tensor_node<E>
auto cumsum(E&&, std::ptrdiff_t) {
    static_assert(sizeof(E) == 0,
                  "duet: xt::cumsum has no derivative rule in duet yet; write it with "
                  "duet::matmul by a triangular matrix of ones");
}
template <class T = void, class E>
    requires duet::tensor_node<E>
auto cumprod(E&&) {
    static_assert(sizeof(E) == 0, "duet: xt::cumprod has no derivative rule in duet yet");
}

namespace linalg {
// dot as numpy / xtensor-blas: matrix x matrix, matrix x vector and vector x
// matrix products (duet::matmul); vector x vector (duet::dot, rank 0: see
// the note at the top); a number on either side scales.
template <class A, class B>
    requires duet::detail::xt_node_pair<A, B>
auto dot(A&& a, B&& b) {
    constexpr std::size_t KA = duet::detail::operand_rank<A>();
    constexpr std::size_t KB = duet::detail::operand_rank<B>();
    if constexpr (KA == 0 || KB == 0)
        return std::forward<A>(a) * std::forward<B>(b);
    else if constexpr (KA == 1 && KB == 1)
        return duet::dot(std::forward<A>(a), std::forward<B>(b));
    else
        return duet::matmul(std::forward<A>(a), std::forward<B>(b));
}
}  // namespace linalg

}  // namespace xt
