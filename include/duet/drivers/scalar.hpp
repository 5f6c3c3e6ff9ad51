// Drivers for functions of scalar arguments: f(x1, ..., xn) -> scalar.
//
//   gradient([mode,] f, x1, ..., xn)            -> std::array<T, n>
//   value_and_gradient([mode,] f, x1, ..., xn)  -> {value, gradient}
//   derivative([mode,] f, x)                    -> T      (f: R -> R)
//
// forward:   one pass with dual<T, n> (n lanes seeded with the unit vectors).
// reverse:   the static adjoint: f must be ONE expression of its arguments.
// automatic: forward. With scalar arguments n is small, a pass with n lanes
//            costs about what one reverse sweep costs, and forward also
//            accepts code that loops and assigns (the static adjoint cannot).
//
// T is double for arithmetic arguments; arguments that are themselves duals
// (a driver inside a driver) keep their type, which nests the modes.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "duet/core/expression.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/forward/dual.hpp"
#include "duet/reverse/static_adjoint.hpp"

namespace duet {

template <class T, std::size_t N>
struct value_and_gradient_result {
    T value;
    std::array<T, N> gradient;
};

namespace detail {

template <class... X>
struct argument_number {
    using type = double;  // all arithmetic
};
template <class X, class... Rest>
    requires(!std::is_arithmetic_v<X>)
struct argument_number<X, Rest...> {
    static_assert((std::is_same_v<X, Rest> && ...),
                  "duet: nested differentiation needs all arguments of the same number type");
    using type = X;
};
template <class... X>
using argument_number_t = typename argument_number<std::remove_cvref_t<X>...>::type;

template <class T, std::size_t N>
constexpr std::array<T, N> unit_vector(std::size_t i) {
    std::array<T, N> e{};
    e[i] = T(1);
    return e;
}

template <class... X>
constexpr void require_arguments() {
    static_assert(sizeof...(X) > 0,
                  "duet: a driver needs at least one argument to differentiate with respect to");
    static_assert(((std::is_arithmetic_v<std::remove_cvref_t<X>> ||
                    expression<std::remove_cvref_t<X>>) && ...),
                  "duet: scalar drivers take numbers; pass a std::vector, std::array or "
                  "xt::xtensor as the single argument for vector and tensor code");
}

template <class T, std::size_t N, class R>
constexpr value_and_gradient_result<T, N> from_forward_result(const R& r) {
    if constexpr (expression<R>) {
        static_assert(std::is_same_v<family_of<R>, family<forward_mode, T, N>>,
                      "duet: the function must return an expression of its arguments (it "
                      "returned dual numbers of another type)");
        const dual<T, N> d = r;
        return {d.value(), d.tangents()};
    } else if constexpr (std::is_convertible_v<R, T>) {
        return {T(r), {}};  // a constant function
    } else {
        static_assert(always_false<R>,
                      "duet: the function must return a scalar: an expression of its "
                      "arguments or a number");
        return {};
    }
}

template <class T, class F, class... X>
constexpr auto forward_value_and_gradient(F& f, const X&... x) {
    constexpr std::size_t n = sizeof...(X);
    using D = dual<T, n>;
    if constexpr (std::is_invocable_v<F&, decltype((void)x, std::declval<D>())...>) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return from_forward_result<T, n>(f(D(T(x), unit_vector<T, n>(I))...));
        }(std::index_sequence_for<X...>{});
    } else {
        static_assert(always_false<F>,
                      "duet: the function cannot be called with duet::dual arguments; write "
                      "it generically (auto parameters or a template on the number type)");
        return value_and_gradient_result<T, n>{};
    }
}

template <class T, class F, class... X>
constexpr auto reverse_value_and_gradient(F& f, const X&... x) {
    constexpr std::size_t n = sizeof...(X);
    if constexpr (std::is_invocable_v<F&, decltype((void)x, std::declval<static_var<T>>())...>) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            value_and_gradient_result<T, n> out{T(0), {}};
            static_adjoint<n>(f(static_var<T>{T(x), I}...), T(1), out.value, out.gradient);
            return out;
        }(std::index_sequence_for<X...>{});
    } else {
        static_assert(always_false<F>,
                      "duet: the function cannot be called with duet::static_var arguments; "
                      "write it generically (auto parameters or a template on the number type)");
        return value_and_gradient_result<T, n>{};
    }
}

}  // namespace detail

template <mode_tag Mode, class F, class... X>
constexpr auto value_and_gradient(Mode, F&& f, const X&... x) {
    detail::require_arguments<X...>();
    using T = detail::argument_number_t<X...>;
    if constexpr (std::is_same_v<Mode, reverse_t>)
        return detail::reverse_value_and_gradient<T>(f, x...);
    else
        return detail::forward_value_and_gradient<T>(f, x...);
}

template <class F, class... X>
    requires(!mode_tag<F>)
constexpr auto value_and_gradient(F&& f, const X&... x) {
    return value_and_gradient(automatic, f, x...);
}

template <mode_tag Mode, class F, class... X>
constexpr auto gradient(Mode mode, F&& f, const X&... x) {
    return value_and_gradient(mode, f, x...).gradient;
}

template <class F, class... X>
    requires(!mode_tag<F>)
constexpr auto gradient(F&& f, const X&... x) {
    return gradient(automatic, f, x...);
}

// f: R -> R.
template <mode_tag Mode, class F, class X>
constexpr auto derivative(Mode mode, F&& f, const X& x) {
    return value_and_gradient(mode, f, x).gradient[0];
}

template <class F, class X>
    requires(!mode_tag<F>)
constexpr auto derivative(F&& f, const X& x) {
    return derivative(automatic, f, x);
}

}  // namespace duet
