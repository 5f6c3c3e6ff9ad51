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
//
// reverse:   one evaluation, one adjoint sweep per output element (matrix
//            adjoints through BLAS).
// forward:   one evaluation, one tangent pass per input element.
// automatic: gradient -> reverse; jacobian -> the cheaper of the two
//            (forward when x has fewer elements than f's output).
// Shape mismatches throw std::invalid_argument (naming both shapes) during
// evaluation, before any gradient storage is written; the caller's
// arguments are never modified.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include "duet/drivers/modes.hpp"
#include "duet/tensor/evaluate.hpp"
#include "duet/tensor/nodes.hpp"

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

    explicit gradient_sink(const tensor<K>&... x) : gradients(tensor<K>::from_shape(x.shape())...) {}

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
        sweep(cache, tensor<0>(1.0), sink);
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
        // One tangent pass per element of each argument, seeded with e_j.
        auto passes = [&]<std::size_t I, std::size_t KI>(std::integral_constant<std::size_t, I>,
                                                        const tensor<KI>& xi) {
            auto seed = tensor<KI>::from_shape(xi.shape());
            seed.fill(0.0);
            auto& g = std::get<I>(gradients);
            for (std::size_t j = 0; j < xi.size(); ++j) {
                seed.data()[j] = 1.0;
                g.data()[j] = scalar_tangent(cache, single_seed<I, KI>{&seed});
                seed.data()[j] = 0.0;
            }
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
    if constexpr (std::is_same_v<Mode, forward_t>)
        return detail::tensor_driver::forward_value_and_gradient(f, x...);
    else
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
template <mode_tag Mode, class F, std::size_t K>
tensor<2> jacobian(Mode, F&& f, const tensor<K>& x) {
    const auto e = detail::tensor_driver::call_with_tensor_vars(f, x);
    using E = std::remove_cvref_t<decltype(e)>;
    static_assert(tensor_node<E>,
                  "duet::jacobian: the function must return a tensor expression of its argument");
    constexpr std::size_t R = E::rank;
    const auto cache = evaluate(e);
    const auto& y = cache.value();
    const std::size_t m = y.size(), n = x.size();
    auto J = tensor<2>::from_shape(tensor<2>::shape_type{m, n});

    const bool use_forward = std::is_same_v<Mode, forward_t> ||
                             (std::is_same_v<Mode, automatic_t> && n < m);
    if (use_forward) {  // column j = J e_j
        auto seed = tensor<K>::from_shape(x.shape());
        seed.fill(0.0);
        for (std::size_t j = 0; j < n; ++j) {
            seed.data()[j] = 1.0;
            const auto t = tangent(cache, detail::tensor_driver::single_seed<0, K>{&seed});
            for (std::size_t i = 0; i < m; ++i) J(i, j) = t.is_zero() ? 0.0 : t.get()->data()[i];
            seed.data()[j] = 0.0;
        }
    } else {  // row i = e_iᵀ J
        auto w = tensor<R>::from_shape(y.shape());
        w.fill(0.0);
        detail::tensor_driver::gradient_sink<K> sink(x);
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
template <class F, std::size_t K>
    requires(!mode_tag<F>)
tensor<2> jacobian(F&& f, const tensor<K>& x) {
    return jacobian(automatic, f, x);
}

// ---- jvp / vjp -----------------------------------------------------------------
// J v: one tangent pass. v has x's shape.
template <class F, std::size_t K>
auto jvp(F&& f, const tensor<K>& x, const tensor<K>& v) {
    if (!detail::same_shape(x.shape(), v.shape()))
        detail::throw_shape_mismatch("jvp", x.shape(), v.shape(),
                                     "differ (the direction must have the argument's shape)");
    const auto e = detail::tensor_driver::call_with_tensor_vars(f, x);
    using E = std::remove_cvref_t<decltype(e)>;
    static_assert(tensor_node<E>, "duet::jvp: the function must return a tensor expression");
    const auto cache = evaluate(e);
    const auto t = tangent(cache, detail::tensor_driver::single_seed<0, K>{&v});
    if (t.is_zero()) {
        auto z = tensor<E::rank>::from_shape(cache.value().shape());
        z.fill(0.0);
        return z;
    }
    return tensor<E::rank>(*t.get());
}

// wᵀ J: one adjoint sweep seeded with w, which has f's output shape.
template <class F, std::size_t K, std::size_t R>
tensor<K> vjp(F&& f, const tensor<K>& x, const tensor<R>& w) {
    const auto e = detail::tensor_driver::call_with_tensor_vars(f, x);
    using E = std::remove_cvref_t<decltype(e)>;
    static_assert(tensor_node<E>, "duet::vjp: the function must return a tensor expression");
    static_assert(E::rank == R, "duet::vjp: w must have the rank of the function's output");
    const auto cache = evaluate(e);
    if (!detail::same_shape(cache.value().shape(), w.shape()))
        detail::throw_shape_mismatch("vjp", cache.value().shape(), w.shape(),
                                     "differ (w must have the output's shape)");
    detail::tensor_driver::gradient_sink<K> sink(x);
    sweep(cache, w, sink);
    sink.zero_untouched();
    return std::get<0>(std::move(sink.gradients));
}
template <class F, std::size_t K>
tensor<K> vjp(F&& f, const tensor<K>& x, double w) {
    return vjp(f, x, tensor<0>(w));
}

}  // namespace duet
