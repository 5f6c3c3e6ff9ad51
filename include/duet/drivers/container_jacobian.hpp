// Jacobians of functions of ONE container argument (std::vector / std::array
// of floating-point numbers; drivers/container.hpp has the argument rules):
//
//   jacobian([mode,] f, x [, duet::threads{k}])
//                           -> xt::xtensor<T, 2>, m x n (Jacobian form)
//
// forward:   ceil(n/L) lane passes (L = 8 tangent lanes).
// reverse:   one recording + m sweeps, each seeded on one output.
// automatic: automatic_mode(container, jacobian, n, m), the cost model of
//            drivers/cost_model.hpp (doc/cost_model.md), after learning m in
//            the cheapest known way (automatic_jacobian below).
// The loops are the engine's (drivers/passes.hpp).
// threads{k}: the passes (forward) or sweeps (reverse) on k threads, bitwise
// the same J (drivers/passes.hpp): forward sizes J in its first pass, which
// runs alone; reverse records once on the calling thread (m) and once more
// on each other thread. automatic chooses the mode exactly as with k = 1.
// f is called from several threads at once: it must be thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

#include <xtensor/xtensor.hpp>

#include "duet/core/error.hpp"
#include "duet/drivers/automatic.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/passes.hpp"

namespace duet {
namespace detail {

template <std::size_t MaxLanes = jacobian_cost_model::forward_lanes, class F, class C>
xt::xtensor<container_number<C>, 2> forward_jacobian(F& f, const C& x, threads k = threads{}) {
    using T = container_number<C>;
    const std::size_t n = size_of(x);
    xt::xtensor<T, 2> J;
    forward_lane_passes<MaxLanes, driver_duals<F, C>>(
        unit_directions{n}, dual_inputs(x), [&](const auto& xs) { return f(xs); },
        [&]<class D>(std::type_identity<D>, const auto& ys, std::size_t first, std::size_t count) {
            if constexpr (require_vector_result<std::remove_cvref_t<decltype(ys)>>()) {
                const std::size_t m = size_of(ys);
                if (first == 0) J = xt::xtensor<T, 2>::from_shape({m, n});
                else if (m != J.shape(0))
                    throw_logic_error("jacobian", "f returned ", m, " outputs in one pass and ", J.shape(0),
                                      " in another");
                for (std::size_t i = 0; i < m; ++i) {
                    const auto yi = as_number<D>(ys[i]);
                    for (std::size_t l = 0; l < count; ++l) J(i, first + l) = yi.tangent(l);
                }
            }
        },
        k);
    return J;
}

// One reverse sweep per output over a recording on tape t; with k threads,
// each other thread sweeps its own recording of f at x.
template <class T, class F, class C>
xt::xtensor<T, 2> jacobian_sweeps(tape<T>& t, const recorded_function<T>& r, F& f, const C& x, threads k) {
    const std::size_t n = r.inputs;
    auto J = xt::xtensor<T, 2>::from_shape({r.outputs.size(), n});
    reverse_sweeps(
        t, r.view(), unit_rows{r.outputs.size()},
        [&](std::size_t i, std::span<const T> adjoints) {
            for (std::size_t j = 0; j < n; ++j) J(i, j) = adjoints[j];
        },
        [&](tape<T>& own) { return record_vector_function(own, f, x); }, k);
    return J;
}

template <class F, class C>
xt::xtensor<container_number<C>, 2> reverse_jacobian(F& f, const C& x, threads k = threads{}) {
    using T = container_number<C>;
    return with_workspace_tape<T>(
        [&](tape<T>& t) { return jacobian_sweeps(t, record_vector_function(t, f, x), f, x, k); });
}

// ---- duet::automatic: learning m before choosing ------------------------------

// The number type automatic evaluates f with to learn m: f must accept it
// anyway (forward mode), unlike plain numbers, and a 1-lane pass costs
// about 1.5 plain evaluations (doc/cost_model.md).
template <class F, class C>
using probe_container = rebind_container<C, driver_dual<F, C, 1>>;

// The number of outputs of f, when its result type tells (a std::array);
// 0 otherwise.
template <class F, class C>
constexpr std::size_t static_outputs() {
    using R = std::remove_cvref_t<std::invoke_result_t<F&, const probe_container<F, C>&>>;
    if constexpr (requires { std::tuple_size<R>::value; })
        return std::tuple_size<R>::value;
    else
        return 0;
}

// The m of the last Jacobian of a function of type F taken at an x of size n
// on this thread (n == npos: none yet). Only the mode CHOICE reads it; the
// Jacobian itself never depends on it, so a stale entry (another object of
// type F with another m) costs time, never correctness.
template <class F, class C>
struct outputs_memo {
    static constexpr std::size_t npos = std::size_t(-1);
    static inline thread_local std::size_t n = npos;
    static inline thread_local std::size_t m = 0;
};

inline mode_choice automatic_jacobian_mode(std::size_t n, std::size_t m) {
    return automatic_mode(argument_kind::container, derivative_kind::jacobian, n, m);
}

// duet::automatic. forward when the model prefers it for every m >= 1 (n at
// most forward_for_any_outputs_up_to()); otherwise the choice needs m,
// learned in the cheapest known way (measured: doc/cost_model.md):
//   1. from f's result type (std::array): free;
//   2. from the previous call with the same F and n on this thread: free;
//   3. when forward could win only with more than expected_outputs_per_input
//      outputs per input: by recording f (about 3 f), reused by reverse,
//      which will win; wasted only when m is that large;
//   4. otherwise by one 1-lane dual evaluation of f (about 1.5 f).
template <class F, class C>
xt::xtensor<container_number<C>, 2> automatic_jacobian(F& f, const C& x, threads k = threads{}) {
    using T = container_number<C>;
    using memo = outputs_memo<std::remove_cvref_t<F>, C>;
    const std::size_t n = size_of(x);
    if (n <= forward_for_any_outputs_up_to()) return forward_jacobian(f, x, k);
    std::size_t m = static_outputs<F, C>();
    if (m == 0 && memo::n == n) m = memo::m;
    if (m == 0) {
        if (forward_wins_from_outputs(n) > expected_outputs_per_input * n) {
            std::optional<xt::xtensor<T, 2>> J;  // set when reverse is chosen
            with_workspace_tape<T>([&](tape<T>& t) {
                const auto recording = record_vector_function(t, f, x);
                memo::n = n;
                memo::m = recording.outputs.size();
                if (automatic_jacobian_mode(n, memo::m) == mode_choice::reverse)
                    J = jacobian_sweeps(t, recording, f, x, k);
            });
            return J ? std::move(*J) : forward_jacobian(f, x, k);
        }
        const auto probe = build_container<probe_container<F, C>>(n, [&](std::size_t i) { return driver_dual<F, C, 1>(x[i]); });
        const auto ys = f(probe);
        require_vector_result<std::remove_cvref_t<decltype(ys)>>();
        m = size_of(ys);
    }
    auto J = automatic_jacobian_mode(n, m) == mode_choice::forward ? forward_jacobian(f, x, k)
                                                                          : reverse_jacobian(f, x, k);
    memo::n = n;
    memo::m = J.shape(0);
    return J;
}

}  // namespace detail

namespace detail {
template <class Mode, class F, class C>
auto jacobian_in_mode(F& f, const C& x, threads k) {
    if constexpr (!container_callable<F, C, may_run_forward<Mode>, may_run_reverse<Mode>>())
        return xt::xtensor<container_number<C>, 2>{};
    else if constexpr (std::is_same_v<Mode, forward_t>)
        return forward_jacobian(f, x, k);
    else if constexpr (std::is_same_v<Mode, reverse_t>)
        return reverse_jacobian(f, x, k);
    else
        return automatic_jacobian(f, x, k);
}
}  // namespace detail

template <mode_tag Mode, class F, container_argument C>
auto jacobian(Mode, F&& f, const C& x) {
    return detail::jacobian_in_mode<Mode>(f, x, threads{});
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
auto jacobian(F&& f, const C& x) {
    return jacobian(automatic, f, x);  // found at instantiation: duet/eigen.hpp's too
}

// With duet::threads{k}: std::vector / std::array arguments (duet/eigen.hpp
// has no threaded overloads).
template <mode_tag Mode, class F, standard_container_argument C>
auto jacobian(Mode, F&& f, const C& x, threads k) {
    return detail::jacobian_in_mode<Mode>(f, x, k);
}

template <class F, standard_container_argument C>
    requires(!mode_tag<F>)
auto jacobian(F&& f, const C& x, threads k) {
    return detail::jacobian_in_mode<automatic_t>(f, x, k);
}

}  // namespace duet
