// Hessians of scalar functions of ONE container argument (std::vector /
// std::array of floating-point numbers; drivers/container.hpp):
//
//   hessian([mode,] f, x [, duet::threads{k}])
//                          -> xt::xtensor<T, 2>, n x n, exactly symmetric
//
// reverse:   forward-over-reverse: the engine's lane passes over a tape of
//            dual<T, L>; each pass records f and sweeps once, and the
//            adjoints' L lanes are L columns of H: ceil(n/L) recordings.
//            H is symmetrised (each off-diagonal pair becomes its mean).
// forward:   forward-over-forward, dual<dual<T, 4>, 4>: one pass per pair of
//            4-blocks (upper triangle only, then mirrored), O(n^2) work: for
//            small n only.
// automatic: reverse (automatic_mode, drivers/automatic.hpp).
// threads{k}: reverse splits its lane passes across k threads (the engine's,
// drivers/passes.hpp; each thread records on its own workspace tape of
// duals), forward its pairs of blocks (handed out one at a time); bitwise
// the same H as k = 1. f is called from several threads at once: it must be
// thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/drivers/automatic.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/passes.hpp"

namespace duet {
namespace detail {

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

template <class F, class C>
xt::xtensor<container_number<C>, 2> reverse_hessian(F& f, const C& x, threads k = threads{}) {
    using T = container_number<C>;
    const std::size_t n = size_of(x);
    auto H = xt::xtensor<T, 2>::from_shape({n, n});
    forward_lane_passes<jacobian_cost_model::forward_lanes, driver_duals<F, C>>(
        unit_directions{n}, dual_inputs(x), gradient_on_dual_tape(f, n),
        [&]<class D>(std::type_identity<D>, const std::vector<D>& gradient, std::size_t first, std::size_t count) {
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t l = 0; l < count; ++l) H(i, first + l) = gradient[i].tangent(l);
        },
        k);
    symmetrize(H);
    return H;
}


// Forward-over-forward: dual<dual<T, L>, L>, inner lanes = block a, outer
// lanes = block b >= a; H(r, c) for r <= c, then mirrored.
template <class F, class C>
xt::xtensor<container_number<C>, 2> forward_hessian(F& f, const C& x, threads k = threads{}) {
    using T = container_number<C>;
    constexpr std::size_t L = 4;
    using D1 = driver_dual<F, C, L>;
    using D2 = dual<D1, L, driver_tag<F, D1>>;
    using Duals = rebind_container<C, D2>;
    const std::size_t n = size_of(x);
    auto H = xt::xtensor<T, 2>::from_shape({n, n});
    // The pass of the blocks a <= b: H(a + i, b + l) for a + i <= b + l.
    const auto block_pair = [&](std::size_t a, std::size_t b) {
        const std::size_t inner = std::min(L, n - a);
        const Duals xs = build_container<Duals>(n, [&](std::size_t e) {
            D1 d1(x[e]);
            if (e >= a && e - a < L) d1.tangent(e - a) = T(1);
            D2 d(d1);
            if (e >= b && e - b < L) d.tangent(e - b) = D1(T(1));
            return d;
        });
        const D2 y = as_number<D2>(f(xs));
        for (std::size_t l = 0; l < L && b + l < n; ++l)
            for (std::size_t i = 0; i < inner; ++i)
                if (a + i <= b + l) H(a + i, b + l) = y.tangent(l).tangent(i);
    };
    const std::size_t blocks = (n + L - 1) / L;
    const std::size_t pairs = blocks * (blocks + 1) / 2;
    const std::size_t workers = thread_count(k, pairs);
    if (workers <= 1) {
        for_each_lane_block(n, L, [&](std::size_t a, std::size_t) {
            for (std::size_t b = a; b < n; b += L) block_pair(a, b);
        });
    } else {
        // Pair p = (a, b), in the order of the loop above; handed out one at
        // a time.
        std::vector<std::pair<std::size_t, std::size_t>> order;
        order.reserve(pairs);
        for (std::size_t a = 0; a < n; a += L)
            for (std::size_t b = a; b < n; b += L) order.emplace_back(a, b);
        std::atomic<std::size_t> next{0};
        run_on_threads(workers, [&](std::size_t, const std::atomic<bool>& stop) {
            while (!stop.load(std::memory_order_relaxed)) {
                const std::size_t p = next.fetch_add(1, std::memory_order_relaxed);
                if (p >= order.size()) break;
                block_pair(order[p].first, order[p].second);
            }
        });
    }
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < r; ++c) H(r, c) = H(c, r);
    return H;
}

}  // namespace detail

static_assert(automatic_mode(argument_kind::container, derivative_kind::hessian, 1) == mode_choice::reverse,
              "duet: hessian(automatic, ...) runs forward-over-reverse without asking at run time");

namespace detail {
template <class Mode, class F, class C>
auto hessian_in_mode(F& f, const C& x, threads k) {
    if constexpr (!container_callable<F, C, true, may_run_reverse<Mode>>())
        return xt::xtensor<container_number<C>, 2>{};
    else if constexpr (std::is_same_v<Mode, forward_t>)
        return forward_hessian(f, x, k);
    else  // reverse, and automatic: automatic_mode gives reverse for every n
        return reverse_hessian(f, x, k);
}
}  // namespace detail

template <mode_tag Mode, class F, container_argument C>
auto hessian(Mode, F&& f, const C& x) {
    return detail::hessian_in_mode<Mode>(f, x, threads{});
}

template <class F, container_argument C>
    requires(!mode_tag<F>)
auto hessian(F&& f, const C& x) {
    return hessian(automatic, f, x);  // found at instantiation: duet/eigen.hpp's too
}

// With duet::threads{k}: std::vector / std::array arguments (duet/eigen.hpp
// has no threaded overloads).
template <mode_tag Mode, class F, standard_container_argument C>
auto hessian(Mode, F&& f, const C& x, threads k) {
    return detail::hessian_in_mode<Mode>(f, x, k);
}

template <class F, standard_container_argument C>
    requires(!mode_tag<F>)
auto hessian(F&& f, const C& x, threads k) {
    return detail::hessian_in_mode<automatic_t>(f, x, k);
}

}  // namespace duet
