// Central finite differences for xtensor arguments, and the Jacobian and
// Hessian (returned as xt::xtensor<double, 2> whatever the argument): the
// [tensor] overloads of check/finite_difference.hpp, whose header comment
// documents them all (steps, accuracy, cost).
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xexpression.hpp>
#include <xtensor/xtensor.hpp>

#include "duet/check/finite_difference.hpp"

namespace duet::fd {

namespace detail {

template <class T>
struct is_xtensor_of_double : std::false_type {};
// Row-major xt::xtensor<double, K> (any allocator): its storage order is the
// flattening order.
template <class Storage, std::size_t K, class Tag>
struct is_xtensor_of_double<xt::xtensor_container<Storage, K, xt::layout_type::row_major, Tag>>
    : std::is_same<typename Storage::value_type, double> {};

template <class T>
concept dense_tensor = is_xtensor_of_double<std::remove_cvref_t<T>>::value;

template <class T>
struct is_dense_tensor : std::bool_constant<dense_tensor<T>> {};

template <class... Ts>
concept tensor_pack =
    argument_count<Ts...> >= 2 && leading_arguments_satisfy<is_dense_tensor, Ts...>();

// The outputs of a vector function as a flat vector (row-major for tensors).
template <class R>
std::vector<double> output_values(const R& result) {
    if constexpr (std::is_arithmetic_v<R>) {
        return {static_cast<double>(result)};
    } else if constexpr (xt::is_xexpression<R>::value) {
        const auto evaluated = xt::eval(result);
        return std::vector<double>(evaluated.begin(), evaluated.end());
    } else {
        std::vector<double> values(static_cast<std::size_t>(result.size()));
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(result[i]);
        return values;
    }
}

template <class F, class C>
xt::xtensor<double, 2> jacobian_of_one(F& f, const C& x, const options& opt) {
    const double relative = relative_step_for(opt, 1);
    const std::size_t n = coordinate_count(x);
    const std::size_t m = output_values(f(x)).size();
    xt::xtensor<double, 2> result = xt::zeros<double>({m, n});
    C scratch = x;
    auto evaluate = [&] { return f(std::as_const(scratch)); };
    for (std::size_t j = 0; j < n; ++j) {
        auto values_at = [&](double t) {
            return output_values(evaluate_moved(evaluate, scratch, j, t));
        };
        const std::vector<double> column =
            central_first(values_at, coordinate(x, j), relative, opt.richardson_levels);
        for (std::size_t i = 0; i < m; ++i) result(i, j) = column[i];
    }
    return result;
}

template <class F, class C>
xt::xtensor<double, 2> hessian_of_one(F& f, const C& x, const options& opt) {
    const double relative = relative_step_for(opt, 2);
    const int levels = opt.richardson_levels;
    const std::size_t n = coordinate_count(x);
    xt::xtensor<double, 2> result = xt::zeros<double>({n, n});
    C scratch = x;
    auto evaluate = [&] { return static_cast<double>(f(std::as_const(scratch))); };
    const double center = evaluate();
    for (std::size_t i = 0; i < n; ++i) {
        auto value_at = [&](double t) { return evaluate_moved(evaluate, scratch, i, t); };
        result(i, i) = central_second(value_at, coordinate(x, i), center, relative, levels);
        for (std::size_t j = i + 1; j < n; ++j) {
            auto value_at_pair = [&](double s, double t) {
                double& slot_i = coordinate(scratch, i);
                double& slot_j = coordinate(scratch, j);
                slot_i = s;
                slot_j = t;
                const double value = evaluate();
                slot_i = coordinate(x, i);
                slot_j = coordinate(x, j);
                return value;
            };
            const double mixed =
                central_mixed(value_at_pair, coordinate(x, i), coordinate(x, j), relative, levels);
            result(i, j) = mixed;  // the four-point formula is symmetric in i, j
            result(j, i) = mixed;
        }
    }
    return result;
}

}  // namespace detail

// ∇f for f(const xt::xtensor<double, K>&) -> double; the result has x's shape.
template <class F, class Tensor>
    requires detail::dense_tensor<Tensor>
std::remove_cvref_t<Tensor> gradient(F f, const Tensor& x, options opt = {}) {
    return detail::gradient_of_one(f, x, opt);
}

// ∇f for f(const T1&, ..., const TN&) -> double with N >= 2 tensors: a tuple
// of gradients, each of its argument's shape.
// Usage: auto [gW, gb] = fd::gradient(f, W, b [, opt]).
template <class F, class... Args>
    requires detail::tensor_pack<Args...>
auto gradient(F f, const Args&... args) {
    constexpr std::size_t n = detail::argument_count<Args...>;
    const options opt = detail::trailing_options(args...);
    const auto all = std::forward_as_tuple(args...);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        // Working copies of every tensor; one coordinate at a time is moved.
        using scratch_type = std::tuple<std::remove_cvref_t<decltype(std::get<I>(all))>...>;
        scratch_type scratch(std::get<I>(all)...);
        auto evaluate = [&] { return std::apply(f, std::as_const(scratch)); };
        return std::make_tuple(detail::gradient_through(evaluate, std::get<I>(scratch), opt)...);
    }(std::make_index_sequence<n>{});
}

// The m x n Jacobian of f: R^n -> R^m at x (row i holds output i). x is a
// container or a tensor (flattened row-major); f returns a double, a container
// or an xtensor expression (flattened row-major).
template <class F, class Container>
    requires(detail::coordinate_container<Container> || detail::dense_tensor<Container>)
xt::xtensor<double, 2> jacobian(F f, const Container& x, options opt = {}) {
    return detail::jacobian_of_one(f, x, opt);
}

// The n x n Hessian of f: R^n -> R at x (a container or a tensor, flattened
// row-major). Diagonal: three-point second differences; off-diagonal: the
// four-point formula, symmetric in (i, j), so H is exactly symmetric.
template <class F, class Container>
    requires(detail::coordinate_container<Container> || detail::dense_tensor<Container>)
xt::xtensor<double, 2> hessian(F f, const Container& x, options opt = {}) {
    return detail::hessian_of_one(f, x, opt);
}

}  // namespace duet::fd

