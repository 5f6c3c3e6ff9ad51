// Drivers for functions of tensor arguments (xt::xtensor<double, K>, any
// K >= 0). f is generic tensor code (duet::matmul, duet::sum, elementwise
// functions and operators ...); the drivers call it with tensor variables
// (tensor_var<K, I>, pointing to the caller's arguments, which outlive the
// call) and differentiate the expression it returns.
//
//   gradient([mode,] f, x1, ..., xn)        f -> scalar (rank 0). Shape
//                                           convention: one argument -> a
//                                           tensor of its shape; several ->
//                                           std::tuple of them.
//   value_and_gradient([mode,] f, x...)     {value, gradient}
//   jacobian([mode,] f, x)                  f -> rank-R tensor with m
//                                           elements: m x x.size(), Jacobian
//                                           form, row-major flattening of
//                                           both output and input.
//   jvp(f, x, v)                            J v, in f's output shape
//   vjp(f, x, w)                            wᵀ J, in x's shape
//   jvp(f, std::tuple{x1, x2}, std::tuple{v1, v2})
//                                           Σ_i J_i v_i (one tangent pass)
//   vjp(f, std::tuple{x1, x2}, w)           std::tuple{wᵀ J_1, wᵀ J_2} (one sweep)
//
// reverse:   one evaluation, one adjoint sweep per output element (matrix
//            adjoints through BLAS).
// forward:   one evaluation, tangent passes along the unit directions,
//            32 directions ("lanes") per pass (matrix tangents through one
//            gemm per pass); jacobian_forward_lanes(f, x, L) chooses L.
// automatic: automatic_mode (drivers/automatic.hpp): gradient -> reverse;
//            jacobian -> forward when x has fewer elements than f's output.
// Shape mismatches throw std::invalid_argument (naming both shapes) during
// evaluation, before any gradient storage is written; the caller's
// arguments are never modified.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include "duet/drivers/automatic.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/drivers/passes.hpp"
#include "duet/tensor/evaluate.hpp"
#include "duet/tensor/nodes.hpp"
#include "duet/tensor/workspace.hpp"

namespace duet {

template <class Gradient>
struct tensor_value_and_gradient_result {
    double value;
    Gradient gradient;  // a tensor, or a std::tuple of tensors
};

namespace detail::tensor_driver {

// f called with variables 0..n-1 over the arguments.
template <class F, std::size_t... K>
auto call_with_tensor_vars(F& f, const tensor<K>&... x) {
    static_assert(sizeof...(K) > 0,
                  "duet: a driver needs at least one argument to differentiate with respect to");
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        static_assert(std::is_invocable_v<F&, const tensor_var<K, I>&...>,
                      "duet: the function cannot be called with duet tensor variables; write it "
                      "generically (auto parameters) with duet::matmul, duet::sum, ... ");
        return f(tensor_var<K, I>{&x}...);
    }(std::index_sequence_for<decltype(x)...>{});
}

template <class E>
constexpr void require_scalar_result() {
    if constexpr (tensor_node<E>)
        static_assert(std::remove_cvref_t<E>::rank == 0,
                      "duet::gradient: the function must return a scalar (rank 0), e.g. "
                      "duet::sum(...) or duet::dot(...); use duet::jacobian for tensor outputs");
    else
        static_assert(std::is_arithmetic_v<std::remove_cvref_t<E>>,
                      "duet: the function must return an expression of its tensor arguments "
                      "(or a number)");
}

// Gradient storage for a sweep: the first contribution to an argument
// overwrites its (uninitialised) tensor, later ones accumulate.
template <std::size_t... K>
struct gradient_sink {
    std::tuple<tensor<K>...> gradients;
    std::array<bool, sizeof...(K)> touched{};

    explicit gradient_sink(const tensor<K>&... x) : gradients(adjoint_storage<K>(x.shape())...) {}
    gradient_sink(const gradient_sink&) = delete;
    gradient_sink& operator=(const gradient_sink&) = delete;
    gradient_sink(gradient_sink&&) = default;
    gradient_sink& operator=(gradient_sink&&) = delete;
    // Gradients still here (not moved out to the caller: the reverse
    // Jacobian's scratch row) go back to the tensor workspace.
    ~gradient_sink() {
        std::apply([](auto&... g) { (recycle(std::move(g)), ...); }, gradients);
    }

    template <std::size_t I, class Produce>
    void operator()(std::integral_constant<std::size_t, I>, Produce&& produce) {
        produce(std::get<I>(gradients), touched[I]);
        touched[I] = true;
    }
    void reset() { touched = {}; }
    // Arguments the result does not depend on get zeros.
    void zero_untouched() {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((touched[I] ? void() : std::get<I>(gradients).fill(0.0)), ...);
        }(std::make_index_sequence<sizeof...(K)>{});
    }
};

template <class Tuple>
auto unwrap_single(Tuple&& t) {
    if constexpr (std::tuple_size_v<std::remove_cvref_t<Tuple>> == 1)
        return std::get<0>(std::forward<Tuple>(t));
    else
        return std::forward<Tuple>(t);
}

// Tangent seeds for one forward pass: argument Active has tangent *t, the
// others zero.
template <std::size_t Active, std::size_t K>
struct single_seed {
    const tensor<K>* t;
    template <std::size_t J>
    auto get() const {
        if constexpr (J == Active)
            return t;
        else
            return nullptr;
    }
};

// Forward passes carry this many directions ("lanes") at once: matrix
// tangents go through one matrix-matrix product per pass instead of one
// matrix-vector product per direction, and each element's local partials
// are computed once per pass.
inline constexpr std::size_t default_lanes = 32;

// Lane seeds for one forward pass: argument Active has the lane tangent *t.
template <std::size_t Active, std::size_t K>
struct lane_seed {
    const tensor<K + 1>* t;
    template <std::size_t J>
    auto get() const {
        if constexpr (J == Active)
            return t;
        else
            return nullptr;
    }
};

// Derivatives along the unit directions e_j, j = 0 .. x.size()-1, of the
// evaluated expression `cache` with respect to argument I (of value x),
// `lanes` directions per pass: column(j, t, l) receives lane l of the pass
// (the tangent in direction e_j, flattened row-major), or nullptr if zero.
template <std::size_t I, std::size_t K, class Cache, class Column>
void unit_directions(const Cache& cache, const tensor<K>& x, std::size_t lanes, Column&& column) {
    const std::size_t n = x.size();
    if (lanes == 0) lanes = 1;
    tensor<K + 1> seed;
    for_each_lane_block(n, lanes, [&](std::size_t j0, std::size_t L) {
        if (seed.size() != L * n) seed = detail::lanes_shaped<K>(L, x.shape());
        seed.fill(0.0);
        for (std::size_t l = 0; l < L; ++l) seed.data()[l * n + j0 + l] = 1.0;
        const auto t = tangent_lanes(cache, lane_seed<I, K>{&seed}, L);
        const std::size_t m = cache.value().size();
        for (std::size_t l = 0; l < L; ++l) column(j0 + l, t.is_zero() ? nullptr : t.get()->data() + l * m);
    });
    recycle(std::move(seed));
}

template <class Cache, class Seeds>
double scalar_tangent(const Cache& cache, const Seeds& seeds) {
    const auto t = tangent(cache, seeds);
    return t.is_zero() ? 0.0 : (*t.get())();
}

template <class F, std::size_t... K>
auto reverse_value_and_gradient(F& f, const tensor<K>&... x) {
    const auto e = call_with_tensor_vars(f, x...);
    using E = std::remove_cvref_t<decltype(e)>;
    require_scalar_result<E>();
    gradient_sink<K...> sink(x...);
    double value;
    if constexpr (tensor_node<E>) {
        const auto cache = evaluate(e);
        value = cache.value()();
        const pooled<0> seed = workspace_scalar(1.0);
        sweep(cache, seed.get(), sink);
    } else {
        value = static_cast<double>(e);
    }
    sink.zero_untouched();
    return tensor_value_and_gradient_result<decltype(unwrap_single(std::move(sink.gradients)))>{
        value, unwrap_single(std::move(sink.gradients))};
}

template <class F, std::size_t... K>
auto forward_value_and_gradient(F& f, const tensor<K>&... x) {
    const auto e = call_with_tensor_vars(f, x...);
    using E = std::remove_cvref_t<decltype(e)>;
    require_scalar_result<E>();
    std::tuple<tensor<K>...> gradients{tensor<K>::from_shape(x.shape())...};
    double value;
    if constexpr (tensor_node<E>) {
        const auto cache = evaluate(e);
        value = cache.value()();
        // Tangent passes along e_j for every element of each argument,
        // default_lanes directions per pass.
        auto passes = [&]<std::size_t I, std::size_t KI>(std::integral_constant<std::size_t, I>,
                                                        const tensor<KI>& xi) {
            auto& g = std::get<I>(gradients);
            unit_directions<I>(cache, xi, default_lanes,
                               [&](std::size_t j, const double* t) { g.data()[j] = t ? t[0] : 0.0; });
        };
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (passes(std::integral_constant<std::size_t, I>{}, x), ...);
        }(std::index_sequence_for<decltype(x)...>{});
    } else {
        value = static_cast<double>(e);
        std::apply([](auto&... g) { (g.fill(0.0), ...); }, gradients);
    }
    return tensor_value_and_gradient_result<decltype(unwrap_single(std::move(gradients)))>{
        value, unwrap_single(std::move(gradients))};
}

}  // namespace detail::tensor_driver

// ---- gradient ------------------------------------------------------------------
template <mode_tag Mode, class F, std::size_t... K>
    requires(sizeof...(K) > 0)
auto value_and_gradient(Mode, F&& f, const tensor<K>&... x) {
    detail::tensor_workspace_scope workspace_scope;  // tensor/workspace.hpp
    if constexpr (std::is_same_v<Mode, forward_t>)
        return detail::tensor_driver::forward_value_and_gradient(f, x...);
    else  // reverse, and automatic: automatic_mode gives reverse for every gradient
        return detail::tensor_driver::reverse_value_and_gradient(f, x...);
}
template <class F, std::size_t... K>
    requires(!mode_tag<F> && sizeof...(K) > 0)
auto value_and_gradient(F&& f, const tensor<K>&... x) {
    return value_and_gradient(automatic, f, x...);
}

template <mode_tag Mode, class F, std::size_t... K>
    requires(sizeof...(K) > 0)
auto gradient(Mode mode, F&& f, const tensor<K>&... x) {
    return value_and_gradient(mode, f, x...).gradient;
}
template <class F, std::size_t... K>
    requires(!mode_tag<F> && sizeof...(K) > 0)
auto gradient(F&& f, const tensor<K>&... x) {
    return value_and_gradient(automatic, f, x...).gradient;
}

// ---- jacobian ------------------------------------------------------------------
namespace detail::tensor_driver {
template <class Mode, class F, std::size_t K>
tensor<2> jacobian(Mode, F& f, const tensor<K>& x, std::size_t lanes) {
    tensor_workspace_scope workspace_scope;  // tensor/workspace.hpp
    const auto e = call_with_tensor_vars(f, x);
    using E = std::remove_cvref_t<decltype(e)>;
    static_assert(tensor_node<E>,
                  "duet::jacobian: the function must return a tensor expression of its argument");
    constexpr std::size_t R = E::rank;
    const auto cache = evaluate(e);
    const auto& y = cache.value();
    const std::size_t m = y.size(), n = x.size();
    auto J = tensor<2>::from_shape(tensor<2>::shape_type{m, n});

    const bool use_forward =
        std::is_same_v<Mode, forward_t> ||
        (std::is_same_v<Mode, automatic_t> &&
         automatic_mode(argument_kind::tensor, derivative_kind::jacobian, n, m) == mode_choice::forward);
    if (use_forward) {  // column j = J e_j, default_lanes columns per pass
        detail::tensor_driver::unit_directions<0>(cache, x, lanes, [&](std::size_t j, const double* t) {
            for (std::size_t i = 0; i < m; ++i) J(i, j) = t ? t[i] : 0.0;
        });
    } else {  // row i = e_iᵀ J
        pooled<R> seed = workspace_tensor<R>(y.shape());
        auto& w = seed.get();
        w.fill(0.0);
        gradient_sink<K> sink(x);
        for (std::size_t i = 0; i < m; ++i) {
            w.data()[i] = 1.0;
            sink.reset();
            sweep(cache, w, sink);
            sink.zero_untouched();
            const auto& g = std::get<0>(sink.gradients);
            std::copy(g.data(), g.data() + n, &J(i, 0));
            w.data()[i] = 0.0;
        }
    }
    return J;
}
}  // namespace detail::tensor_driver

template <mode_tag Mode, class F, std::size_t K>
tensor<2> jacobian(Mode mode, F&& f, const tensor<K>& x) {
    return detail::tensor_driver::jacobian(mode, f, x, detail::tensor_driver::default_lanes);
}
// The forward Jacobian with a chosen number of directions per tangent pass
// (1 = one pass per input element; duet::jacobian(duet::forward, ...) uses
// 32): the same numbers, the speed differs (benchmark/tensor.cpp).
template <class F, std::size_t K>
tensor<2> jacobian_forward_lanes(F&& f, const tensor<K>& x, std::size_t lanes) {
    return detail::tensor_driver::jacobian(forward, f, x, lanes);
}
template <class F, std::size_t K>
    requires(!mode_tag<F>)
tensor<2> jacobian(F&& f, const tensor<K>& x) {
    return jacobian(automatic, f, x);
}

// ---- jvp / vjp -----------------------------------------------------------------
namespace detail::tensor_driver {
// The two passes of jvp and vjp on f's expression e, for one argument or a
// tuple of them.
// J v: one tangent pass seeded with `seeds`, in e's shape.
template <class E, class Seeds>
auto expression_jvp(const E& e, const Seeds& seeds) {
    static_assert(tensor_node<E>, "duet::jvp: the function must return a tensor expression");
    const auto cache = evaluate(e);
    const auto t = tangent(cache, seeds);
    if (t.is_zero()) {
        auto z = tensor<E::rank>::from_shape(cache.value().shape());
        z.fill(0.0);
        return z;
    }
    return tensor<E::rank>(*t.get());
}
// wᵀ J: one adjoint sweep seeded with w into `sink` (a gradient_sink).
template <class E, std::size_t R, class Sink>
void expression_vjp(const E& e, const tensor<R>& w, Sink& sink) {
    static_assert(tensor_node<E>, "duet::vjp: the function must return a tensor expression");
    static_assert(E::rank == R, "duet::vjp: w must have the rank of the function's output");
    const auto cache = evaluate(e);
    if (!detail::same_shape(cache.value().shape(), w.shape()))
        detail::throw_shape_mismatch("vjp", cache.value().shape(), w.shape(),
                                     "differ (w must have the output's shape)");
    sweep(cache, w, sink);
    sink.zero_untouched();
}
}  // namespace detail::tensor_driver

// J v: one tangent pass. v has x's shape.
template <class F, std::size_t K>
auto jvp(F&& f, const tensor<K>& x, const tensor<K>& v) {
    detail::tensor_workspace_scope workspace_scope;  // tensor/workspace.hpp
    if (!detail::same_shape(x.shape(), v.shape()))
        detail::throw_shape_mismatch("jvp", x.shape(), v.shape(),
                                     "differ (the direction must have the argument's shape)");
    return detail::tensor_driver::expression_jvp(detail::tensor_driver::call_with_tensor_vars(f, x),
                                                 detail::tensor_driver::single_seed<0, K>{&v});
}

// wᵀ J: one adjoint sweep seeded with w, which has f's output shape.
template <class F, std::size_t K, std::size_t R>
tensor<K> vjp(F&& f, const tensor<K>& x, const tensor<R>& w) {
    detail::tensor_workspace_scope workspace_scope;  // tensor/workspace.hpp
    detail::tensor_driver::gradient_sink<K> sink(x);
    detail::tensor_driver::expression_vjp(detail::tensor_driver::call_with_tensor_vars(f, x), w, sink);
    return std::get<0>(std::move(sink.gradients));
}
template <class F, std::size_t K>
tensor<K> vjp(F&& f, const tensor<K>& x, double w) {
    return vjp(f, x, tensor<0>(w));
}

// ---- several arguments: a tangent / cotangent per argument ---------------------
namespace detail::tensor_driver {
// Seeds: argument I has tangent *std::get<I>(v).
template <class Tuple>
struct tuple_seeds {
    const Tuple* v;
    template <std::size_t J>
    auto get() const {
        return &std::get<J>(*v);
    }
};

template <class... T>
struct tensor_tuple_ranks;
template <std::size_t... K>
struct tensor_tuple_ranks<tensor<K>...> {
    template <class F>
    static auto call(F& f, const std::tuple<tensor<K>...>& x) {
        return std::apply([&](const auto&... a) { return call_with_tensor_vars(f, a...); }, x);
    }
};
}  // namespace detail::tensor_driver

// J v for f(x1, ..., xn): one tangent pass with tangent v_i for argument i
// (x and v: std::tuples of tensors, v_i of x_i's shape). The result has f's
// output shape: Σ_i J_i v_i.
template <class F, std::size_t... K>
auto jvp(F&& f, const std::tuple<tensor<K>...>& x, const std::tuple<tensor<K>...>& v) {
    detail::tensor_workspace_scope workspace_scope;  // tensor/workspace.hpp
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((detail::same_shape(std::get<I>(x).shape(), std::get<I>(v).shape())
              ? void()
              : detail::throw_shape_mismatch("jvp", std::get<I>(x).shape(), std::get<I>(v).shape(),
                                             "differ (each direction must have its argument's shape)")),
         ...);
    }(std::index_sequence_for<tensor<K>...>{});
    return detail::tensor_driver::expression_jvp(
        detail::tensor_driver::tensor_tuple_ranks<tensor<K>...>::call(f, x),
        detail::tensor_driver::tuple_seeds<std::tuple<tensor<K>...>>{&v});
}

// wᵀ J for f(x1, ..., xn): one adjoint sweep; a std::tuple of the
// cotangents wᵀ J_i, each of its argument's shape.
template <class F, std::size_t... K, std::size_t R>
std::tuple<tensor<K>...> vjp(F&& f, const std::tuple<tensor<K>...>& x, const tensor<R>& w) {
    detail::tensor_workspace_scope workspace_scope;  // tensor/workspace.hpp
    auto sink = std::apply([](const auto&... a) { return detail::tensor_driver::gradient_sink<K...>(a...); }, x);
    detail::tensor_driver::expression_vjp(detail::tensor_driver::tensor_tuple_ranks<tensor<K>...>::call(f, x), w,
                                          sink);
    return std::move(sink.gradients);
}
template <class F, std::size_t... K>
std::tuple<tensor<K>...> vjp(F&& f, const std::tuple<tensor<K>...>& x, double w) {
    return vjp(f, x, tensor<0>(w));
}

}  // namespace duet
