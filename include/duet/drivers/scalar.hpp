// Drivers for functions of scalar arguments: f(x1, ..., xn) -> scalar.
//
//   gradient([mode,] f, x1, ..., xn)            -> std::array<T, n>
//   value_and_gradient([mode,] f, x1, ..., xn)  -> {value, gradient}
//   derivative([mode,] f, x)                    -> T      (f: R -> R)
//
// forward:   one pass with dual<T, n> (n lanes seeded with the unit vectors).
// reverse:   the static adjoint: f must be ONE expression of its arguments.
// automatic: forward (automatic_mode, drivers/automatic.hpp). With scalar
//            arguments n is small, a pass with n lanes costs about what one
//            reverse sweep costs, and forward also accepts code that loops
//            and assigns (the static adjoint cannot).
//
// T is the arguments' floating-point type (float, double, long double; double
// for integers); arguments that are themselves duals (a driver inside a
// driver) keep their type, which nests the modes. Each call seeds duals of
// its own tag (detail::driver_tag), so nested calls cannot confuse their
// tangents.
#pragma once

#include <array>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>

#include "duet/core/expression.hpp"
#include "duet/drivers/automatic.hpp"
#include "duet/drivers/callable.hpp"
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

// The number type of the derivatives: the arguments' own floating-point
// type (float, double, long double; their common type when they differ,
// double for integers); arguments that are themselves duet numbers (a driver
// inside a driver) keep their type, which nests the modes.
template <class... X>
struct argument_number {
    using type = std::common_type_t<std::conditional_t<std::is_floating_point_v<X>, X, double>...>;
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
constexpr bool scalar_arguments_ok =
    sizeof...(X) > 0 &&
    ((std::is_arithmetic_v<std::remove_cvref_t<X>> || expression<std::remove_cvref_t<X>>) && ...);

template <class X>
concept container_of_duet_numbers = requires(const X& x) {
    std::begin(x);
    std::size(x);
} && expression<std::remove_cvref_t<decltype(*std::begin(std::declval<const X&>()))>>;

template <class... X>
constexpr void require_arguments() {
    static_assert(!(container_of_duet_numbers<std::remove_cvref_t<X>> || ...),
                  "duet: the container drivers take containers of float, double or long double; "
                  "this one holds duet numbers (the vars or duals of a differentiation already "
                  "running): differentiate the outer function once, or write the inner "
                  "derivative by hand");
    static_assert(sizeof...(X) > 0,
                  "duet: a driver needs at least one argument to differentiate with respect to");
    static_assert((container_of_duet_numbers<std::remove_cvref_t<X>> || ...) ||
                      ((std::is_arithmetic_v<std::remove_cvref_t<X>> ||
                        expression<std::remove_cvref_t<X>>) && ...),
                  "duet: scalar drivers take numbers; pass a std::vector, std::array or "
                  "xt::xtensor (of float, double or long double) as the single argument for "
                  "vector and tensor code");
}

// The value and the N tangents of f's result r, for a pass seeded with
// dual<T, N, Tag>. When f used a variable of an outer differentiation
// (core/lift.hpp), r's numbers carry that one's duals: the result's type is
// then that dual type, whichever of the two levels make_binary put outside.
template <class T, std::size_t N, class Tag, class R>
constexpr auto from_forward_result(const R& r) {
    if constexpr (expression<R>) {
        using FR = family_of<R>;
        if constexpr (std::is_same_v<FR, family<forward_mode, T, N, Tag>>) {
            const dual<T, N, Tag> d = r;
            return value_and_gradient_result<T, N>{d.value(), d.tangents()};
        } else if constexpr (std::is_same_v<typename FR::mode, forward_mode> &&
                             std::is_same_v<typename FR::tag, Tag> && FR::lanes == N) {
            // This differentiation outside, an outer one's duals inside.
            using V = typename FR::value_type;
            const dual<V, N, Tag> d = r;
            return value_and_gradient_result<V, N>{d.value(), d.tangents()};
        } else if constexpr (std::is_same_v<typename FR::mode, forward_mode> &&
                             std::is_same_v<typename FR::value_type, dual<T, N, Tag>>) {
            // The outer differentiation outside, this one inside: transpose
            // the two levels (value and tangent l of this one, each a dual of
            // the other one).
            using W = typename FR::value_type;
            constexpr std::size_t M = FR::lanes;
            using Other = dual<T, M, typename FR::tag>;
            const dual<W, M, typename FR::tag> d = r;
            auto level = [&](auto pick) {
                std::array<T, M> lanes;
                for (std::size_t k = 0; k < M; ++k) lanes[k] = pick(d.tangent(k));
                return Other(pick(d.value()), lanes);
            };
            value_and_gradient_result<Other, N> out;
            out.value = level([](const W& w) { return w.value(); });
            for (std::size_t l = 0; l < N; ++l)
                out.gradient[l] = level([l](const W& w) { return w.tangent(l); });
            return out;
        } else {
            static_assert(always_false<R>,
                          "duet: the function must return an expression of its arguments (it "
                          "returned numbers of another differentiation that this one cannot "
                          "nest with: pass the inner driver its point in the outer variable's "
                          "number type)");
            return value_and_gradient_result<T, N>{};
        }
    } else if constexpr (std::is_convertible_v<R, T>) {
        return value_and_gradient_result<T, N>{T(r), {}};  // a constant function
    } else {
        static_assert(always_false<R>,
                      "duet: the function must return a scalar: an expression of its "
                      "arguments or a number");
        return value_and_gradient_result<T, N>{};
    }
}

template <class T, class F, class... X>
constexpr auto forward_value_and_gradient(F& f, const X&... x) {
    constexpr std::size_t n = sizeof...(X);
    using D = dual<T, n, driver_tag<F, T>>;
    if constexpr (callable_with<F&, decltype((void)x, std::declval<D>())...>) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return from_forward_result<T, n, driver_tag<F, T>>(f(D(T(x), unit_vector<T, n>(I))...));
        }(std::index_sequence_for<X...>{});
    } else {
        static_assert(always_false<F>,
                      "duet: the function cannot be called with duet::dual arguments: its "
                      "parameters have fixed types; write it generically (auto parameters or a "
                      "template on the number type)");
        return value_and_gradient_result<T, n>{};
    }
}

template <class T, class F, class... X>
constexpr auto reverse_value_and_gradient(F& f, const X&... x) {
    constexpr std::size_t n = sizeof...(X);
    if constexpr (callable_with<F&, decltype((void)x, std::declval<static_var<T>>())...>) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            // V != T when f used a forward variable of an outer
            // differentiation (core/lift.hpp): the closed form carries its
            // duals. f's result is passed on as a temporary: a named copy of
            // the expression made GCC keep the whole tree in memory
            // (doc/performance.md, "Measurements behind the code's shape").
            using R = std::invoke_result_t<F&, decltype((void)x, std::declval<static_var<T>>())...>;
            using V = typename decltype([] {
                if constexpr (expression<R>)
                    return std::type_identity<value_type_of<R>>{};
                else
                    return std::type_identity<T>{};
            }())::type;
            value_and_gradient_result<V, n> out{V(0), {}};
            static_adjoint<n>(f(static_var<T>::argument(T(x), I)...), V(1), out.value, out.gradient);
            return out;
        }(std::index_sequence_for<X...>{});
    } else {
        static_assert(always_false<F>,
                      "duet: the function cannot be called with duet::static_var arguments: its "
                      "parameters have fixed types; write it generically (auto parameters or a "
                      "template on the number type)");
        return value_and_gradient_result<T, n>{};
    }
}

}  // namespace detail

template <mode_tag Mode, class F, class... X>
constexpr auto value_and_gradient(Mode, F&& f, const X&... x) {
    if constexpr (!detail::scalar_arguments_ok<X...>) {
        // Nothing else is instantiated: the sentence is the only error.
        detail::require_arguments<X...>();
        return value_and_gradient_result<double, sizeof...(X)>{};
    } else {
        using T = detail::argument_number_t<X...>;
        constexpr bool run_reverse =
            std::is_same_v<Mode, reverse_t> ||
            (std::is_same_v<Mode, automatic_t> &&
             automatic_mode(argument_kind::scalars, derivative_kind::gradient, sizeof...(X)) == mode_choice::reverse);
        if constexpr (run_reverse)
            return detail::reverse_value_and_gradient<T>(f, x...);
        else
            return detail::forward_value_and_gradient<T>(f, x...);
    }
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
