// Drivers for functions of ONE container argument: x is a std::vector<T> or
// std::array<T, n> of floating-point numbers, f is generic scalar code that
// indexes, loops, branches and calls helpers.
//
//   gradient([mode,] f, x)            -> the container type of x
//   value_and_gradient([mode,] f, x)  -> {value, gradient}
//   jvp(f, x, v)                      -> std::vector<T>, J v          (forward)
//   vjp(f, x, w)                      -> std::vector<T>, w^T J        (reverse)
//   jacobian, hessian                 -> drivers/container_jacobian.hpp,
//                                        drivers/hessian.hpp (they return
//                                        xt::xtensor; this header needs no
//                                        xtensor)
//
// f receives `const C&` where C is x's container with T replaced by the
// mode's number type: std::vector<duet::var<T>> (reverse, recorded on the
// thread's workspace tape, reverse/workspace.hpp) or
// std::vector<duet::dual<T, L>> (forward, L lanes = L directions per pass).
// A vector function returns a container of m scalars (vars, duals,
// expressions of them, or numbers).
//
// gradient reverse: one recording + one sweep. forward: ceil(n/L) passes.
// automatic: automatic_mode (drivers/automatic.hpp): the cost model.
// The loops are the engine's (drivers/passes.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/core/error.hpp"
#include "duet/core/expression.hpp"
#include "duet/drivers/automatic.hpp"
#include "duet/drivers/callable.hpp"
#include "duet/drivers/cost_model.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/drivers/passes.hpp"
#include "duet/forward/dual.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"
#include "duet/reverse/workspace.hpp"

namespace duet {

namespace detail {

// Specialised per container family: is_container, value_type, rebind<U>
// (the container of the mode's numbers handed to f) and, optionally,
// `static C build(n, make)` when C is not built with push_back or a braced
// list (duet/eigen.hpp specialises this for Eigen vectors).
template <class C>
struct container_argument_traits {
    static constexpr bool is_container = false;
};
template <class T, class A>
struct container_argument_traits<std::vector<T, A>> {
    static constexpr bool is_container = true;
    using value_type = T;
    template <class U>
    using rebind = std::vector<U>;
};
template <class T, std::size_t N>
struct container_argument_traits<std::array<T, N>> {
    static constexpr bool is_container = true;
    using value_type = T;
    template <class U>
    using rebind = std::array<U, N>;
};

}  // namespace detail

// A std::vector or std::array of floating-point numbers: the argument of the
// container drivers.
template <class C>
concept container_argument =
    detail::container_argument_traits<std::remove_cvref_t<C>>::is_container &&
    std::floating_point<typename detail::container_argument_traits<
        std::remove_cvref_t<C>>::value_type>;

namespace detail {
template <class C>
inline constexpr bool is_standard_container = false;
template <class T, class A>
inline constexpr bool is_standard_container<std::vector<T, A>> = true;
template <class T, std::size_t N>
inline constexpr bool is_standard_container<std::array<T, N>> = true;
}  // namespace detail

// A std::vector or std::array argument (not one of the containers that
// duet/eigen.hpp adds): the overloads of jacobian / hessian that take
// duet::threads.
template <class C>
concept standard_container_argument =
    container_argument<C> && detail::is_standard_container<std::remove_cvref_t<C>>;

template <class C>
struct container_value_and_gradient {
    typename C::value_type value;
    C gradient;
};

namespace detail {

template <class C, class U>
using rebind_container = typename container_argument_traits<std::remove_cvref_t<C>>::template rebind<U>;

template <class C>
using container_number = typename container_argument_traits<std::remove_cvref_t<C>>::value_type;

// A container like C holding make(i) for i = 0 .. n-1, built in index order
// (vars are registered in that order). No default-constructed elements.
template <class Out, class Make>
Out build_container(std::size_t n, Make&& make) {
    if constexpr (requires { container_argument_traits<Out>::build(n, make); }) {
        // A container type that builds itself (duet/eigen.hpp: Eigen vectors).
        return container_argument_traits<Out>::build(n, make);
    } else if constexpr (requires { std::tuple_size<Out>::value; }) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return Out{make(I)...};
        }(std::make_index_sequence<std::tuple_size<Out>::value>{});
    } else {
        Out out;
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i) out.push_back(make(i));
        return out;
    }
}

// The duals a forward pass of a driver on f seeds: L lanes, f's tag.
template <class F, class C, std::size_t L>
using driver_dual = dual<container_number<C>, L, driver_tag<F, container_number<C>>>;
template <class F, class C>
using driver_duals = dual_family<container_number<C>, driver_tag<F, container_number<C>>>;

// Whether f can be called with the containers of duet numbers the modes of
// a driver hand it (Forward: duals, Reverse: vars); if not, the sentence.
// The public drivers test this first and instantiate nothing else when it
// fails, so the sentence is the only error.
template <class F, class C, bool Forward, bool Reverse>
constexpr bool container_callable() {
    constexpr bool forward_ok =
        !Forward || callable_with<F&, const rebind_container<C, driver_dual<F, C, 1>>&>;
    constexpr bool reverse_ok =
        !Reverse || callable_with<F&, const rebind_container<C, var<container_number<C>>>&>;
    static_assert(forward_ok && reverse_ok,
                  "duet: the function cannot be called with a container of duet::var / "
                  "duet::dual numbers: its parameter has a fixed element type; write it "
                  "generically (auto parameters, or a template on the element type) and take "
                  "the container by const reference");
    return forward_ok && reverse_ok;
}

// The scalar result of f as the mode's number type (an expression is
// evaluated / recorded, a plain number becomes a constant).
template <class Number, class R>
Number as_number(const R& r) {
    static_assert(std::is_constructible_v<Number, const R&>,
                  "duet: the function must return a scalar (an expression of its argument's "
                  "elements, or a number)");
    return Number(r);
}

// Whether R is a container of scalars; if not, the sentence. Callers that
// go on to index the result test it with `if constexpr`, so the sentence is
// the first (and only) error.
template <class R>
constexpr bool require_vector_result() {
    constexpr bool ok = requires(const R& r) {
        std::size(r);
        r[0];
    };
    static_assert(ok, "duet: a vector function must return a container of scalars (std::vector or "
                      "std::array of the argument's element type)");
    return ok;
}

// The number of elements of a container or result (Eigen sizes are signed).
template <class R>
std::size_t size_of(const R& r) {
    return static_cast<std::size_t>(std::size(r));
}

// The container of duals a forward pass starts from: x's values, tangents 0.
template <class C>
auto dual_inputs(const C& x) {
    return [&x]<class D>(std::type_identity<D>) {
        return build_container<rebind_container<C, D>>(size_of(x), [&](std::size_t i) { return D(x[i]); });
    };
}

// x as a container of independent variables on the active tape.
template <class C>
auto independent_vars(const C& x) {
    using T = container_number<C>;
    return build_container<rebind_container<C, var<T>>>(
        size_of(x), register_independents<T>(size_of(x), [&x](std::size_t i) { return x[i]; }));
}

// Runs body(xs) with xs x's elements as independent variables on tape t.
// std::vector inputs reuse the workspace's vector of vars (refilled in place:
// a repeated call allocates nothing).
template <class T, class C, class Body>
decltype(auto) with_independent_vars(tape<T>& t, const C& x, Body&& body) {
    using Vars = rebind_container<C, var<T>>;
    if constexpr (std::is_same_v<Vars, std::vector<var<T>>>) {
        if (std::vector<var<T>>* reused = workspace_inputs<T>(t)) {
            const auto make = register_independents<T>(size_of(x), [&x](std::size_t i) { return x[i]; });
            reused->clear();
            for (std::size_t i = 0; i < size_of(x); ++i) reused->push_back(make(i));
            return body(std::as_const(*reused));
        }
    }
    const auto xs = independent_vars(x);
    return body(xs);
}

// Records f at x on t: its inputs and its outputs as vars.
template <class F, class T, class C>
recorded_function<T> record_vector_function(tape<T>& t, F& f, const C& x) {
    return with_independent_vars(t, x, [&](const auto& xs) {
        const auto ys = f(xs);
        require_vector_result<decltype(ys)>();
        recorded_function<T> r{first_index(xs), size_of(x), {}};
        r.outputs.reserve(size_of(ys));
        for (std::size_t i = 0; i < size_of(ys); ++i) r.outputs.push_back(as_number<var<T>>(ys[i]));
        return r;
    });
}

// The forward-over-reverse pass body (seeds: n duals whose lanes hold the
// pass's directions S): record f on a tape of those duals and sweep once;
// the inputs' adjoints, returned, carry H S in their lanes and outlive the
// tape. Used by the dense reverse Hessian (drivers/hessian.hpp) and the
// compressed sparse one (sparse/sparse_hessian.hpp).
template <class F>
auto gradient_on_dual_tape(F& f, std::size_t n) {
    return [&f, n](const auto& seeds) {
        using D = typename std::remove_cvref_t<decltype(seeds)>::value_type;
        return with_workspace_tape<D>([&](tape<D>& t) {
            const auto xs = independent_vars(seeds);
            const var<D> y = as_number<var<D>>(f(xs));
            std::vector<D> gradient;
            reverse_sweeps(t, tape_recording<D>{first_index(xs), n, {&y, 1}}, unit_rows{1},
                           [&](std::size_t, std::span<const D> adjoints) {
                               gradient.assign(adjoints.begin(), adjoints.end());
                           });
            return gradient;
        });
    };
}

template <class C>
C zeros_like(const C& x) {
    C out = x;
    std::fill(std::begin(out), std::end(out), container_number<C>(0));
    return out;
}

// ---- gradients --------------------------------------------------------------

template <class F, class C>
container_value_and_gradient<C> reverse_value_and_gradient(F& f, const C& x) {
    using T = container_number<C>;
    return with_workspace_tape<T>([&](tape<T>& t) {
        return with_independent_vars(t, x, [&](const auto& xs) {
            const var<T> y = as_number<var<T>>(f(xs));
            container_value_and_gradient<C> out{y.value(), {}};
            reverse_sweeps(t, tape_recording<T>{first_index(xs), size_of(x), {&y, 1}}, unit_rows{1}, [&](std::size_t, std::span<const T> adjoints) {
                if constexpr (std::is_same_v<C, std::vector<T>>) {
                    out.gradient.assign(adjoints.begin(), adjoints.end());
                } else {
                    out.gradient = zeros_like(x);
                    std::copy(adjoints.begin(), adjoints.end(), std::begin(out.gradient));
                }
            });
            return out;
        });
    });
}

template <std::size_t MaxLanes = jacobian_cost_model::forward_lanes, class F, class C>
container_value_and_gradient<C> forward_value_and_gradient(F& f, const C& x) {
    using T = container_number<C>;
    container_value_and_gradient<C> out{T(0), zeros_like(x)};
    forward_lane_passes<MaxLanes, driver_duals<F, C>>(
        unit_directions{size_of(x)}, dual_inputs(x),
        [&](const auto& xs) { return as_number<typename std::remove_cvref_t<decltype(xs)>::value_type>(f(xs)); },
        [&]<class D>(std::type_identity<D>, const D& y, std::size_t first, std::size_t count) {
            out.value = y.value();
            for (std::size_t l = 0; l < count; ++l) out.gradient[first + l] = y.tangent(l);
        });
    return out;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Public drivers.

namespace detail {
template <class Mode>
inline constexpr bool may_run_forward = !std::is_same_v<Mode, reverse_t>;
template <class Mode>
inline constexpr bool may_run_reverse = !std::is_same_v<Mode, forward_t>;
}  // namespace detail

template <mode_tag Mode, class F, container_argument C>
auto value_and_gradient(Mode, F&& f, const C& x) {
    if constexpr (!detail::container_callable<F, C, detail::may_run_forward<Mode>, detail::may_run_reverse<Mode>>())
        return container_value_and_gradient<C>{};
    else if constexpr (std::is_same_v<Mode, forward_t>)
        return detail::forward_value_and_gradient(f, x);
    else if constexpr (std::is_same_v<Mode, reverse_t>)
        return detail::reverse_value_and_gradient(f, x);
    else if (automatic_mode(argument_kind::container, derivative_kind::gradient, detail::size_of(x)) ==
             mode_choice::forward)
        return detail::forward_value_and_gradient(f, x);
    else
        return detail::reverse_value_and_gradient(f, x);
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
auto value_and_gradient(F&& f, const C& x) {
    return value_and_gradient(automatic, f, x);
}

template <mode_tag Mode, class F, container_argument C>
C gradient(Mode mode, F&& f, const C& x) {
    return value_and_gradient(mode, f, x).gradient;
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
C gradient(F&& f, const C& x) {
    return value_and_gradient(automatic, f, x).gradient;
}

namespace detail {

// J v, by one forward pass with one tangent lane (f callable with duals).
template <class F, class C, class V>
std::vector<container_number<C>> jvp_values(F& f, const C& x, const V& v) {
    using T = container_number<C>;
    const auto n = size_of(x);
    if (static_cast<std::size_t>(std::size(v)) != n)
        throw_size_mismatch("jvp", "the direction v", static_cast<std::size_t>(std::size(v)), "x", n);
    std::vector<T> out;
    forward_lane_passes<1, driver_duals<F, C>>(
        vector_direction<V>{v, n}, dual_inputs(x), [&](const auto& xs) { return f(xs); },
        [&]<class D>(std::type_identity<D>, const auto& ys, std::size_t, std::size_t) {
            if constexpr (require_vector_result<std::remove_cvref_t<decltype(ys)>>()) {
                out.resize(size_of(ys));
                for (std::size_t i = 0; i < out.size(); ++i) out[i] = as_number<D>(ys[i]).tangent();
            }
        });
    return out;
}

// w^T J, by one recording and one reverse sweep seeded with w (f callable
// with vars).
template <class F, class C, class W>
std::vector<container_number<C>> vjp_values(F& f, const C& x, const W& w) {
    using T = container_number<C>;
    return with_workspace_tape<T>([&](tape<T>& t) {
        const auto recording = record_vector_function(t, f, x);
        const std::size_t m = recording.outputs.size();
        const auto n_weights = static_cast<std::size_t>(std::size(w));
        if (n_weights != m) throw_size_mismatch("vjp", "the weights w", n_weights, "the output of f", m);
        std::vector<T> out(recording.inputs);
        reverse_sweeps(t, recording.view(), vector_row<W>{w, m}, [&](std::size_t, std::span<const T> adjoints) {
            std::copy(adjoints.begin(), adjoints.end(), out.begin());
        });
        return out;
    });
}

}  // namespace detail

// J v, by one forward pass with one tangent lane.
template <class F, container_argument C, class V>
std::vector<detail::container_number<C>> jvp(F&& f, const C& x, const V& v) {
    if constexpr (!detail::container_callable<F, C, true, false>())
        return {};
    else
        return detail::jvp_values(f, x, v);
}

// w^T J, by one recording and one reverse sweep seeded with w.
template <class F, container_argument C, class W>
std::vector<detail::container_number<C>> vjp(F&& f, const C& x, const W& w) {
    if constexpr (!detail::container_callable<F, C, false, true>())
        return {};
    else
        return detail::vjp_values(f, x, w);
}

}  // namespace duet
