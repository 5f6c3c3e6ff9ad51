// Drivers for functions of ONE container argument: x is a std::vector<T> or
// std::array<T, n> of floating-point numbers, f is generic scalar code that
// indexes, loops, branches and calls helpers.
//
//   gradient([mode,] f, x)            -> the container type of x
//   value_and_gradient([mode,] f, x)  -> {value, gradient}
//   jacobian([mode,] f, x)            -> xt::xtensor<T, 2>, m x n (Jacobian form)
//   hessian([mode,] f, x)             -> xt::xtensor<T, 2>, n x n, symmetric
//   jvp(f, x, v)                      -> std::vector<T>, J v          (forward)
//   vjp(f, x, w)                      -> std::vector<T>, w^T J        (reverse)
//
// f receives `const C&` where C is x's container with T replaced by the
// mode's number type: std::vector<duet::var<T>> (reverse, recorded on the
// thread's workspace tape, reverse/workspace.hpp) or
// std::vector<duet::dual<T, L>> (forward, L lanes = L directions per pass).
// A vector function returns a container of m scalars (vars, duals,
// expressions of them, or numbers).
//
// Modes:
//   gradient  reverse: one recording + one sweep. forward: ceil(n/L) passes.
//   jacobian  reverse: one recording + m sweeps. forward: ceil(n/L) passes.
//   hessian   reverse: forward-over-reverse, a tape of dual<T, L>: ceil(n/L)
//             recordings + sweeps, each giving L columns. forward: forward-
//             over-forward, dual<dual<T, L>, L>: one pass per pair of L-blocks
//             (upper triangle only), O(n^2) work: for small n only.
//             Both results are made exactly symmetric (averaged / mirrored).
//   automatic choose_jacobian_mode(n, m): the cost model of
//             drivers/cost_model.hpp, calibrated by benchmark/cost_model.cpp
//             (doc/cost_model.md).
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/core/expression.hpp"
#include "duet/drivers/callable.hpp"
#include "duet/drivers/cost_model.hpp"
#include "duet/drivers/modes.hpp"
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

template <class R>
constexpr void require_vector_result() {
    static_assert(requires(const R& r) {
        std::size(r);
        r[0];
    }, "duet: a vector function must return a container of scalars (std::vector or "
       "std::array of the argument's element type)");
}

// Runs body.template operator()<L>() with the smallest lane count in
// {1, 2, 4, Max} that covers n directions in one pass (Max when n > Max).
template <std::size_t Max, class Body>
decltype(auto) with_lanes(std::size_t n, Body&& body) {
    if constexpr (Max > 4) {
        if (n > 4) return body.template operator()<Max>();
    }
    if (n <= 1) return body.template operator()<1>();
    if (n <= 2) return body.template operator()<2>();
    return body.template operator()<(Max < 4 ? Max : 4)>();
}

// Duals seeded with the unit vectors e_first .. e_{first+L-1} in lanes 0..L-1.
template <class D, class C>
auto seeded_duals(const C& x, std::size_t first) {
    using T = container_number<C>;
    constexpr std::size_t L = D::lanes;
    return build_container<rebind_container<C, D>>(std::size(x), [&](std::size_t i) {
        D d(x[i]);
        if (i >= first && i - first < L) d.tangent(i - first) = T(1);
        return d;
    });
}

// Moves the unit seeds of seeded_duals<L> from the block starting at `from`
// to the block starting at `to`: the next forward pass reuses the container
// (no rebuild, no allocation per pass).
template <std::size_t L, class Duals>
void move_seeds(Duals& xs, std::size_t from, std::size_t to) {
    const std::size_t n = std::size(xs);
    for (std::size_t l = 0; l < L && from + l < n; ++l) xs[from + l].tangent(l) = 0;
    for (std::size_t l = 0; l < L && to + l < n; ++l) xs[to + l].tangent(l) = 1;
}

// Registers x's elements as independent variables on the active tape in one
// step (statements first .. first + n - 1, in index order; read their
// adjoints with tape.adjoints(first_index(xs), n)) and returns make(i), the
// var of element i. make refers to x and the tape.
template <class C>
auto register_independents(const C& x) {
    using T = container_number<C>;
    tape<T>& t = active_tape_or_throw<T>();
    const std::size_t first = t.new_independents(std::size(x));
    return [&t, &x, first](std::size_t i) { return registered_var<T>::make(t, T(x[i]), tape_index(first + i)); };
}

// x as a container of independent variables on the active tape.
template <class C>
auto independent_vars(const C& x) {
    return build_container<rebind_container<C, var<container_number<C>>>>(std::size(x), register_independents(x));
}

// The statement of the first of a container of independent_vars (0 if empty).
template <class Vars>
std::size_t first_index(const Vars& xs) {
    return std::size(xs) == 0 ? 0 : std::size_t(xs[0].index());
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
    using Vars = rebind_container<C, var<T>>;
    return with_workspace_tape<T>([&](tape<T>& t) {
        auto gradient_of = [&](const Vars& xs) {
            const var<T> y = as_number<var<T>>(f(xs));
            t.backward(y);
            const auto adjoints = t.adjoints(first_index(xs), std::size(x));
            if constexpr (std::is_same_v<C, std::vector<T>>) {
                return container_value_and_gradient<C>{y.value(), C(adjoints.begin(), adjoints.end())};
            } else {
                container_value_and_gradient<C> out{y.value(), zeros_like(x)};
                std::copy(adjoints.begin(), adjoints.end(), std::begin(out.gradient));
                return out;
            }
        };
        // std::vector inputs: the workspace's vector of vars, refilled in
        // place (no allocation per call: sum_iter gradient at n = 1024
        // 6.0 -> 3.0 us, at n = 16 154 -> 78 ns).
        if constexpr (std::is_same_v<Vars, std::vector<var<T>>>) {
            if (std::vector<var<T>>* reused = workspace_inputs<T>(t)) {
                const auto make = register_independents(x);
                reused->clear();
                for (std::size_t i = 0; i < std::size(x); ++i) reused->push_back(make(i));
                return gradient_of(std::as_const(*reused));
            }
        }
        return gradient_of(independent_vars(x));
    });
}

template <class F, class C>
container_value_and_gradient<C> forward_value_and_gradient(F& f, const C& x) {
    using T = container_number<C>;
    const std::size_t n = std::size(x);
    container_value_and_gradient<C> out{T(0), zeros_like(x)};
    with_lanes<jacobian_cost_model::forward_lanes>(n, [&]<std::size_t L>() {
        using D = driver_dual<F, C, L>;
        auto xs = seeded_duals<D>(x, 0);
        std::size_t first = 0;
        do {  // at least one pass, for the value when n == 0
            if (first > 0) move_seeds<L>(xs, first - L, first);
            const D y = as_number<D>(f(std::as_const(xs)));
            out.value = y.value();
            for (std::size_t l = 0; l < L && first + l < n; ++l) out.gradient[first + l] = y.tangent(l);
            first += L;
        } while (first < n);
    });
    return out;
}

// ---- Jacobians --------------------------------------------------------------

template <std::size_t MaxLanes = jacobian_cost_model::forward_lanes, class F, class C>
xt::xtensor<container_number<C>, 2> forward_jacobian(F& f, const C& x) {
    using T = container_number<C>;
    const std::size_t n = std::size(x);
    xt::xtensor<T, 2> J;
    with_lanes<MaxLanes>(n, [&]<std::size_t L>() {
        using D = driver_dual<F, C, L>;
        auto xs = seeded_duals<D>(x, 0);
        std::size_t first = 0;
        do {
            if (first > 0) move_seeds<L>(xs, first - L, first);
            const auto ys = f(std::as_const(xs));
            require_vector_result<decltype(ys)>();
            const std::size_t m = std::size(ys);
            if (first == 0) J = xt::xtensor<T, 2>::from_shape({m, n});
            else if (m != J.shape(0))
                throw std::logic_error("duet::jacobian: f returned " + std::to_string(m) +
                                       " outputs in one pass and " + std::to_string(J.shape(0)) +
                                       " in another");
            for (std::size_t i = 0; i < m; ++i) {
                const D yi = as_number<D>(ys[i]);
                for (std::size_t l = 0; l < L && first + l < n; ++l) J(i, first + l) = yi.tangent(l);
            }
            first += L;
        } while (first < n);
    });
    return J;
}

// Records f on the active tape: its inputs and its outputs as vars.
template <class F, class C>
auto record_vector_function(F& f, const C& x) {
    using T = container_number<C>;
    using Vars = rebind_container<C, var<T>>;
    struct recording {
        Vars inputs;
        std::vector<var<T>> outputs;
    };
    recording r{independent_vars(x), {}};
    const auto ys = f(std::as_const(r.inputs));
    require_vector_result<decltype(ys)>();
    const std::size_t m = static_cast<std::size_t>(std::size(ys));  // Eigen sizes are signed
    r.outputs.reserve(m);
    for (std::size_t i = 0; i < m; ++i) r.outputs.push_back(as_number<var<T>>(ys[i]));
    return r;
}

// One reverse sweep per output over a recording on tape t.
template <class T, class Recording>
xt::xtensor<T, 2> jacobian_sweeps(tape<T>& t, const Recording& r) {
    const auto& xs = r.inputs;
    const auto& outputs = r.outputs;
    const std::size_t n = std::size(xs);
    const std::size_t m = outputs.size();
    auto J = xt::xtensor<T, 2>::from_shape({m, n});
    for (std::size_t i = 0; i < m; ++i) {
        // Statements recorded after output i cannot reach it: start below it.
        t.zero_adjoints();
        t.seed(outputs[i]);
        t.backward_from(std::size_t(outputs[i].index()) + 1);
        const auto adjoints = t.adjoints(first_index(xs), n);
        for (std::size_t j = 0; j < n; ++j) J(i, j) = adjoints[j];
    }
    return J;
}

template <class F, class C>
xt::xtensor<container_number<C>, 2> reverse_jacobian(F& f, const C& x) {
    using T = container_number<C>;
    return with_workspace_tape<T>([&](tape<T>& t) { return jacobian_sweeps(t, record_vector_function(f, x)); });
}

// ---- duet::automatic: learning m before choosing ------------------------------

// The number type automatic evaluates f with to learn m: f must accept it
// anyway (forward mode), unlike plain numbers, and a 1-lane pass costs
// 1.3 - 1.6 plain evaluations (doc/cost_model.md).
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

// duet::automatic. forward when the model prefers it for every m >= 1 (n at
// most forward_for_any_outputs_up_to()); otherwise the choice needs m,
// learned in the cheapest known way (measured: doc/cost_model.md):
//   1. from f's result type (std::array): free;
//   2. from the previous call with the same F and n on this thread: free;
//   3. when forward could win only with more than expected_outputs_per_input
//      outputs per input: by recording f (about 3 f), reused by reverse,
//      which will win; wasted only when m is that large;
//   4. otherwise by one 1-lane dual evaluation of f (about 1.3 - 1.6 f).
template <class F, class C>
xt::xtensor<container_number<C>, 2> automatic_jacobian(F& f, const C& x) {
    using T = container_number<C>;
    using memo = outputs_memo<std::remove_cvref_t<F>, C>;
    const std::size_t n = std::size(x);
    if (n <= forward_for_any_outputs_up_to()) return forward_jacobian(f, x);
    std::size_t m = static_outputs<F, C>();
    if (m == 0 && memo::n == n) m = memo::m;
    if (m == 0) {
        if (forward_wins_from_outputs(n) > expected_outputs_per_input * n) {
            std::optional<xt::xtensor<T, 2>> J;  // set when reverse is chosen
            with_workspace_tape<T>([&](tape<T>& t) {
                const auto recording = record_vector_function(f, x);
                memo::n = n;
                memo::m = recording.outputs.size();
                if (choose_jacobian_mode(n, memo::m) == jacobian_mode_choice::reverse)
                    J = jacobian_sweeps(t, recording);
            });
            return J ? std::move(*J) : forward_jacobian(f, x);
        }
        const auto probe = build_container<probe_container<F, C>>(n, [&](std::size_t i) { return driver_dual<F, C, 1>(x[i]); });
        const auto ys = f(probe);
        require_vector_result<std::remove_cvref_t<decltype(ys)>>();
        m = std::size(ys);
    }
    auto J = choose_jacobian_mode(n, m) == jacobian_mode_choice::forward ? forward_jacobian(f, x)
                                                                          : reverse_jacobian(f, x);
    memo::n = n;
    memo::m = J.shape(0);
    return J;
}

// ---- Hessians ---------------------------------------------------------------

// Makes H exactly symmetric: each off-diagonal pair becomes its mean.
template <class T>
void symmetrize(xt::xtensor<T, 2>& H) {
    const std::size_t n = H.shape(0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            const T mean = (H(i, j) + H(j, i)) / 2;
            H(i, j) = mean;
            H(j, i) = mean;
        }
}

// Forward-over-reverse: a tape of dual<T, L>; x seeded with L unit tangents
// per pass, the reverse sweep's adjoints carry L columns of H in their lanes.
template <class F, class C>
xt::xtensor<container_number<C>, 2> reverse_hessian(F& f, const C& x) {
    using T = container_number<C>;
    const std::size_t n = std::size(x);
    auto H = xt::xtensor<T, 2>::from_shape({n, n});
    with_lanes<jacobian_cost_model::forward_lanes>(n, [&]<std::size_t L>() {
        using D = driver_dual<F, C, L>;
        using Vars = rebind_container<C, var<D>>;
        with_workspace_tape<D>([&](tape<D>& t) {
            auto seeds = seeded_duals<D>(x, 0);
            for (std::size_t first = 0; first < n; first += L) {
                t.clear();
                if (first > 0) move_seeds<L>(seeds, first - L, first);
                const Vars xs = independent_vars(seeds);
                const var<D> y = as_number<var<D>>(f(xs));
                t.backward(y);
                const auto adjoints = t.adjoints(first_index(xs), n);
                for (std::size_t i = 0; i < n; ++i)
                    for (std::size_t l = 0; l < L && first + l < n; ++l) H(i, first + l) = adjoints[i].tangent(l);
            }
        });
    });
    symmetrize(H);
    return H;
}

// Forward-over-forward: dual<dual<T, L>, L>, inner lanes = block a, outer
// lanes = block b >= a; H(r, c) for r <= c, then mirrored.
template <class F, class C>
xt::xtensor<container_number<C>, 2> forward_hessian(F& f, const C& x) {
    using T = container_number<C>;
    constexpr std::size_t L = 4;
    using D1 = driver_dual<F, C, L>;
    using D2 = dual<D1, L, driver_tag<F, D1>>;
    using Duals = rebind_container<C, D2>;
    const std::size_t n = std::size(x);
    auto H = xt::xtensor<T, 2>::from_shape({n, n});
    for (std::size_t a = 0; a < n; a += L)
        for (std::size_t b = a; b < n; b += L) {
            const Duals xs = build_container<Duals>(n, [&](std::size_t k) {
                D1 inner(x[k]);
                if (k >= a && k - a < L) inner.tangent(k - a) = T(1);
                D2 d(inner);
                if (k >= b && k - b < L) d.tangent(k - b) = D1(T(1));
                return d;
            });
            const D2 y = as_number<D2>(f(xs));
            for (std::size_t l = 0; l < L && b + l < n; ++l)
                for (std::size_t i = 0; i < L && a + i < n; ++i)
                    if (a + i <= b + l) H(a + i, b + l) = y.tangent(l).tangent(i);
        }
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < r; ++c) H(r, c) = H(c, r);
    return H;
}

template <class Size>
std::string size_mismatch(const char* driver, const char* what, std::size_t got, const char* other,
                          Size expected) {
    return std::string("duet::") + driver + ": " + what + " has " + std::to_string(got) +
           " elements but " + other + " has " + std::to_string(expected);
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
    else if (choose_jacobian_mode(std::size(x), 1) == jacobian_mode_choice::forward)
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

template <mode_tag Mode, class F, container_argument C>
auto jacobian(Mode, F&& f, const C& x) {
    if constexpr (!detail::container_callable<F, C, detail::may_run_forward<Mode>, detail::may_run_reverse<Mode>>())
        return xt::xtensor<detail::container_number<C>, 2>{};
    else if constexpr (std::is_same_v<Mode, forward_t>)
        return detail::forward_jacobian(f, x);
    else if constexpr (std::is_same_v<Mode, reverse_t>)
        return detail::reverse_jacobian(f, x);
    else
        return detail::automatic_jacobian(f, x);
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
auto jacobian(F&& f, const C& x) {
    return jacobian(automatic, f, x);
}

template <mode_tag Mode, class F, container_argument C>
auto hessian(Mode, F&& f, const C& x) {
    if constexpr (!detail::container_callable<F, C, true, detail::may_run_reverse<Mode>>())
        return xt::xtensor<detail::container_number<C>, 2>{};
    else if constexpr (std::is_same_v<Mode, forward_t>)
        return detail::forward_hessian(f, x);
    else
        return detail::reverse_hessian(f, x);
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
auto hessian(F&& f, const C& x) {
    return hessian(automatic, f, x);
}

// J v, by one forward pass with one tangent lane.
template <class F, container_argument C, class V>
std::vector<detail::container_number<C>> jvp(F&& f, const C& x, const V& v) {
    using T = detail::container_number<C>;
    using D = detail::driver_dual<F, C, 1>;
    if constexpr (!detail::container_callable<F, C, true, false>()) {
        return std::vector<T>{};
    } else {
        if (std::size(v) != std::size(x))
            throw std::invalid_argument(
                detail::size_mismatch("jvp", "the direction v", std::size(v), "x", std::size(x)));
        const auto xs = detail::build_container<detail::rebind_container<C, D>>(
            std::size(x), [&](std::size_t i) { return D(T(x[i]), T(v[i])); });
        const auto ys = f(xs);
        detail::require_vector_result<decltype(ys)>();
        std::vector<T> out(std::size(ys));
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = detail::as_number<D>(ys[i]).tangent();
        return out;
    }
}

// w^T J, by one recording and one reverse sweep seeded with w.
template <class F, container_argument C, class W>
std::vector<detail::container_number<C>> vjp(F&& f, const C& x, const W& w) {
    using T = detail::container_number<C>;
    using Vars = detail::rebind_container<C, var<T>>;
    if constexpr (!detail::container_callable<F, C, false, true>())
        return std::vector<T>{};
    else
        return with_workspace_tape<T>([&](tape<T>& t) {
            const Vars xs = detail::independent_vars(x);
            const auto ys = f(xs);
            detail::require_vector_result<decltype(ys)>();
            const std::size_t m = static_cast<std::size_t>(std::size(ys));  // Eigen sizes are signed
            const std::size_t n_weights = static_cast<std::size_t>(std::size(w));
            if (n_weights != m)
                throw std::invalid_argument(
                    detail::size_mismatch("vjp", "the weights w", n_weights, "the output of f", m));
            t.zero_adjoints();
            for (std::size_t i = 0; i < m; ++i) {
                const var<T> yi = detail::as_number<var<T>>(ys[i]);
                t.seed(yi, T(w[i]));
            }
            t.backward();
            std::vector<T> out(std::size(x));
            const auto adjoints = t.adjoints(detail::first_index(xs), out.size());
            std::copy(adjoints.begin(), adjoints.end(), out.begin());
            return out;
        });
}

}  // namespace duet
