// Central finite differences: the independent oracle for checking derivatives.
// Everything here calls the user's function with plain doubles (or containers
// and tensors of doubles) only, so it shares no code path with the AD modes.
// This header takes numbers and containers and needs no xtensor; the
// overloads marked [tensor] (tensor arguments, and jacobian and hessian,
// which return xtensors) are in check/finite_difference_tensor.hpp.
//
//   double                  fd::derivative(f, x [, opt])          f: R -> R
//   double                  fd::second_derivative(f, x [, opt])   f: R -> R
//   std::array<double, N>   fd::gradient(f, x1, ..., xN [, opt])  f(double, ...) -> double
//   Container               fd::gradient(f, x [, opt])            f(const Container&) -> double
//   xt::xtensor<double, K>  fd::gradient(f, t [, opt])            [tensor] f(const xtensor&) -> double
//   std::tuple<tensors...>  fd::gradient(f, t1, ..., tN [, opt])  [tensor] several tensors, N >= 2
//   xt::xtensor<double, 2>  fd::jacobian(f, x [, opt])            [tensor] m x n, row i = output i
//   xt::xtensor<double, 2>  fd::hessian(f, x [, opt])             [tensor] n x n, exactly symmetric
// Container: std::vector<double>, std::array<double, n>, or any copyable type
// that owns its elements and has size() and a double& operator[] (views such
// as std::span are refused; xtensor arguments take the tensor overloads).
// Options go last; with several scalar or tensor arguments pass a named
// fd::options value (fd::precise, or fd::options{.richardson_levels = 2}),
// since a bare braced list cannot be deduced there.
// A tensor argument is flattened row-major wherever it becomes one axis of a
// Jacobian or Hessian; gradients keep the argument's shape (the shape
// convention). jacobian accepts f returning a double (m = 1), a
// container of doubles (size()/operator[]) or an xtensor expression
// (flattened row-major).
//
// Steps. Coordinate i is moved by h_i = relative_step * max(1, |x_i|), made
// representable: x_i + h_i is rounded first, the realised step
// ĥ = (x_i + h_i) - x_i is taken both ways, and the quotient divides by the
// actual distance between the two points (so f(x) = x gives exactly 1).
//
// Accuracy: absolute error over max(|f|, |f'|, |f''|), worst case measured on
// exp, sin, sin(3x), log, atan, x^3.5 and 1/(1+x²) at |x| in [0.25, 100]
// (typical values are ~100x smaller), and on Rosenbrock n = 2..10:
//   first derivatives, plain central (truncation O(h²), h = eps^(1/3) ~ 6e-6):
//       6e-10 (Rosenbrock gradient, over its largest entry: 6e-10; its
//       third derivative is large).
//   first derivatives, Richardson with L levels (truncation O(h^(2L+2))):
//       L = 1: 5e-13, L = 2: 1.5e-13, L = 3 (fd::precise): 1e-13, L = 4: 5e-14.
//   second derivatives, plain (h = eps^(1/4) ~ 1.2e-4): 8e-8
//       (Rosenbrock Hessian: 1.5e-8); L = 1: 2e-10, L = 2: 4e-11,
//       L = 3: 2e-11 (Rosenbrock Hessian: 3e-11).
// The step scales with max(1, |x_i|): a function that varies on a much
// shorter scale (sin(100 x), or x_i = 1e4 with features of width 1) needs a
// smaller relative_step, the more so with Richardson, whose base step is
// larger (L = 3: 7e-3 for f', 2.7e-2 for f'').
// Cost in calls of f: derivative 2(L+1); gradient 2n(L+1); jacobian
// 1 + 2n(L+1); hessian 1 + 2n(L+1) + 2n(n-1)(L+1).
//
// A NaN or infinite argument, or a NaN/inf value of f, propagates into the
// affected results by plain arithmetic.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>  // std::ranges::enable_borrowed_range (<ranges> costs 0.4 s more)
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace duet::fd {

struct options {
    // h_i = relative_step * max(1, |x_i|). 0 selects the default, which
    // depends on the derivative order and on richardson_levels.
    double relative_step = 0.0;
    // 0: plain central differences. L >= 1: Richardson extrapolation over the
    // steps h, h/2, ..., h/2^L (L + 1 central differences per coordinate).
    int richardson_levels = 0;
};

// The most accurate setting for smooth functions: 8 calls of f per coordinate
// for first derivatives, error ~1e-13 relative.
inline constexpr options precise{0.0, 3};

namespace detail {

inline constexpr double machine_epsilon = std::numeric_limits<double>::epsilon();

// Default relative steps. Plain central differences balance truncation
// (h², h² for f'') against rounding (eps/h, eps/h²): h = eps^(1/3) for f',
// eps^(1/4) for f''. With L Richardson levels the truncation is O(h^(2L+2))
// and the finest step is h/2^L; the constants below were tuned on exp, sin,
// log, atan, powers and rational functions at |x| from 0.25 to 100.
inline double default_relative_step(int derivative_order, int levels) {
    levels = std::max(levels, 0);
    if (derivative_order == 1)
        return levels == 0 ? std::cbrt(machine_epsilon)
                           : 0.4 * std::pow(machine_epsilon, 1.0 / (2 * levels + 3));
    return std::pow(machine_epsilon, 1.0 / (2 * levels + 4));
}

inline double nominal_step(double x, double relative_step) {
    return relative_step * std::max(1.0, std::abs(x));
}

inline double relative_step_for(const options& opt, int derivative_order) {
    return opt.relative_step > 0 ? opt.relative_step
                                 : default_relative_step(derivative_order, opt.richardson_levels);
}

// ---- values of f: a double, or the m outputs of a vector function ---------

// One Richardson update: a + (a - b) / (4^level - 1).
inline double extrapolate_step(double finer, double coarser, double divisor) {
    return finer + (finer - coarser) / divisor;
}
inline std::vector<double> extrapolate_step(const std::vector<double>& finer,
                                            const std::vector<double>& coarser, double divisor) {
    std::vector<double> result(finer.size());
    for (std::size_t i = 0; i < finer.size(); ++i)
        result[i] = finer[i] + (finer[i] - coarser[i]) / divisor;
    return result;
}

// Richardson extrapolation of an estimate whose error is a series in h²
// (true of every symmetric difference here). probe(j) is the estimate with
// step h/2^j. Tableau row j: T[j][0] = probe(j),
// T[j][l] = T[j][l-1] + (T[j][l-1] - T[j-1][l-1]) / (4^l - 1); the result
// T[L][L] has error O(h^(2L+2)).
template <class Probe>
auto richardson(Probe&& probe, int levels) {
    using value_type = decltype(probe(0));
    std::vector<value_type> previous_row;
    std::vector<value_type> row;
    for (int j = 0; j <= std::max(levels, 0); ++j) {
        row.clear();
        row.push_back(probe(j));
        double divisor = 1.0;
        for (int l = 1; l <= j; ++l) {
            divisor *= 4.0;
            row.push_back(extrapolate_step(row[l - 1], previous_row[l - 1], divisor - 1.0));
        }
        std::swap(previous_row, row);
    }
    return previous_row.back();
}

// Difference quotients of double or vector values.
inline double divided_difference(double plus, double minus, double denominator) {
    return (plus - minus) / denominator;
}
inline std::vector<double> divided_difference(const std::vector<double>& plus,
                                              const std::vector<double>& minus,
                                              double denominator) {
    std::vector<double> result(plus.size());
    for (std::size_t i = 0; i < plus.size(); ++i) result[i] = (plus[i] - minus[i]) / denominator;
    return result;
}

// The two points x ± h with the step made representable: the upper point is
// rounded first and the same realised step is taken downwards.
struct symmetric_points {
    double plus;
    double minus;
};
inline symmetric_points points_around(double x, double h) {
    const double plus = x + h;
    const double realised = plus - x;
    return {plus, x - realised};
}

// d/dt of value_at(t) at t = x by (extrapolated) central differences.
// value_at returns double or std::vector<double>.
template <class ValueAt>
auto central_first(ValueAt&& value_at, double x, double relative_step, int levels) {
    const double h = nominal_step(x, relative_step);
    return richardson(
        [&](int j) {
            const auto [plus, minus] = points_around(x, std::ldexp(h, -j));
            return divided_difference(value_at(plus), value_at(minus), plus - minus);
        },
        levels);
}

// d²/dt² of value_at(t) at t = x, given value_at(x) = center. The three-point
// formula for unequal spacing is used, so a rounded lower point costs nothing.
template <class ValueAt>
double central_second(ValueAt&& value_at, double x, double center, double relative_step,
                      int levels) {
    const double h = nominal_step(x, relative_step);
    return richardson(
        [&](int j) {
            const auto [plus, minus] = points_around(x, std::ldexp(h, -j));
            const double upper = plus - x;
            const double lower = x - minus;
            const double slope_up = (value_at(plus) - center) / upper;
            const double slope_down = (center - value_at(minus)) / lower;
            return 2 * (slope_up - slope_down) / (upper + lower);
        },
        levels);
}

// ∂²/∂s∂t of value_at(s, t) at (x, y) by the four-point formula, which is
// symmetric in the two coordinates.
template <class ValueAt>
double central_mixed(ValueAt&& value_at, double x, double y, double relative_step, int levels) {
    const double hx = nominal_step(x, relative_step);
    const double hy = nominal_step(y, relative_step);
    return richardson(
        [&](int j) {
            const auto [x_plus, x_minus] = points_around(x, std::ldexp(hx, -j));
            const auto [y_plus, y_minus] = points_around(y, std::ldexp(hy, -j));
            const double corners = value_at(x_plus, y_plus) - value_at(x_plus, y_minus) -
                                   value_at(x_minus, y_plus) + value_at(x_minus, y_minus);
            return corners / ((x_plus - x_minus) * (y_plus - y_minus));
        },
        levels);
}

// ---- argument kinds ---------------------------------------------------------

// An xtensor expression, recognised by its shape, without xtensor's headers:
// never a container here (finite_difference_tensor.hpp takes the row-major
// xt::xtensor<double, K> ones).
template <class T>
concept tensor_like = requires(const std::remove_cvref_t<T>& t) {
    t.shape();
    t.dimension();
};

// An owning container of doubles (a view would be written through and
// returned aliased: views are the borrowed ranges, std::span among them).
template <class T>
concept coordinate_container =
    !tensor_like<T> && !std::ranges::enable_borrowed_range<std::remove_cvref_t<T>> &&
    std::copy_constructible<std::remove_cvref_t<T>> &&
    requires(std::remove_cvref_t<T>& c, const std::remove_cvref_t<T>& cc, std::size_t i) {
        { cc.size() } -> std::convertible_to<std::size_t>;
        { c[i] } -> std::same_as<double&>;
    };

template <class T>
concept scalar_argument = std::is_arithmetic_v<std::remove_cvref_t<T>>;

// Uniform coordinate access: element i of a container or of a tensor's
// row-major storage.
template <class C>
decltype(auto) coordinate(C& x, std::size_t i) {  // double& or const double&
    if constexpr (tensor_like<C>)
        return (x.data()[i]);
    else
        return (x[i]);
}
template <class C>
std::size_t coordinate_count(const C& x) {
    return static_cast<std::size_t>(x.size());
}

// Calls evaluate() with coordinate i of scratch set to t, then restores it.
template <class Evaluate, class C>
auto evaluate_moved(Evaluate& evaluate, C& scratch, std::size_t i, double t) {
    double& slot = coordinate(scratch, i);
    const double saved = slot;
    slot = t;
    auto value = evaluate();
    slot = saved;
    return value;
}

// The gradient of the scalar evaluate() with respect to the coordinates of
// scratch (a container or tensor that evaluate() reads), in scratch's type.
template <class Evaluate, class C>
C gradient_through(Evaluate&& evaluate, C& scratch, const options& opt) {
    const double relative = relative_step_for(opt, 1);
    C result = scratch;
    for (std::size_t i = 0; i < coordinate_count(scratch); ++i) {
        const double x_i = coordinate(scratch, i);
        auto value_at = [&](double t) {
            return static_cast<double>(evaluate_moved(evaluate, scratch, i, t));
        };
        coordinate(result, i) = central_first(value_at, x_i, relative, opt.richardson_levels);
    }
    return result;
}

template <class F, class C>
C gradient_of_one(F& f, const C& x, const options& opt) {
    C scratch = x;
    return gradient_through([&] { return f(std::as_const(scratch)); }, scratch, opt);
}

// ---- argument packs with an optional trailing options -----------------------

template <class... Ts>
inline constexpr bool ends_with_options = false;
template <class T, class... Ts>
inline constexpr bool ends_with_options<T, Ts...> =
    std::is_same_v<std::remove_cvref_t<std::tuple_element_t<sizeof...(Ts), std::tuple<T, Ts...>>>,
                   options>;

// The number of differentiated arguments in a pack (a trailing options excluded).
template <class... Ts>
inline constexpr std::size_t argument_count = sizeof...(Ts) - (ends_with_options<Ts...> ? 1 : 0);

template <template <class> class Predicate, class... Ts>
constexpr bool leading_arguments_satisfy() {
    return []<std::size_t... I>(std::index_sequence<I...>) {
        return (Predicate<std::tuple_element_t<I, std::tuple<Ts...>>>::value && ...);
    }(std::make_index_sequence<argument_count<Ts...>>{});
}

template <class T>
struct is_scalar_argument : std::bool_constant<scalar_argument<T>> {};

template <class... Ts>
concept scalar_pack =
    argument_count<Ts...> >= 1 && leading_arguments_satisfy<is_scalar_argument, Ts...>();

template <class... Ts>
options trailing_options(const Ts&... args) {
    if constexpr (ends_with_options<Ts...>)
        return std::get<sizeof...(Ts) - 1>(std::forward_as_tuple(args...));
    else
        return options{};
}

}  // namespace detail

// ---- public API ---------------------------------------------------------------

// f'(x) for f: R -> R.
template <class F>
double derivative(F f, double x, options opt = {}) {
    auto value_at = [&](double t) { return static_cast<double>(f(t)); };
    return detail::central_first(value_at, x, detail::relative_step_for(opt, 1),
                                 opt.richardson_levels);
}

// f''(x) for f: R -> R (uses relative_step for second differences when set).
template <class F>
double second_derivative(F f, double x, options opt = {}) {
    auto value_at = [&](double t) { return static_cast<double>(f(t)); };
    return detail::central_second(value_at, x, value_at(x), detail::relative_step_for(opt, 2),
                                  opt.richardson_levels);
}

// ∇f for f(double, ..., double) -> double: one partial per argument.
// Usage: fd::gradient(f, x, y) or fd::gradient(f, x, y, fd::precise).
template <class F, class... Args>
    requires detail::scalar_pack<Args...>
std::array<double, detail::argument_count<Args...>> gradient(F f, const Args&... args) {
    constexpr std::size_t n = detail::argument_count<Args...>;
    const options opt = detail::trailing_options(args...);
    const auto all = std::forward_as_tuple(args...);
    const std::array<double, n> point = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<double, n>{static_cast<double>(std::get<I>(all))...};
    }(std::make_index_sequence<n>{});

    std::array<double, n> result{};
    for (std::size_t i = 0; i < n; ++i) {
        auto value_at = [&](double t) {
            std::array<double, n> moved = point;
            moved[i] = t;
            return [&]<std::size_t... I>(std::index_sequence<I...>) {
                return static_cast<double>(f(moved[I]...));
            }(std::make_index_sequence<n>{});
        };
        result[i] = detail::central_first(value_at, point[i], detail::relative_step_for(opt, 1),
                                          opt.richardson_levels);
    }
    return result;
}

// ∇f for f(const Container&) -> double; the result has x's type.
template <class F, class Container>
    requires detail::coordinate_container<Container>
Container gradient(F f, const Container& x, options opt = {}) {
    return detail::gradient_of_one(f, x, opt);
}

}  // namespace duet::fd
