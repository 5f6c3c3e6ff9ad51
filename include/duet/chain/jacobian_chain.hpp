// duet/chain/jacobian_chain.hpp -- the Jacobian of a composition f_k o ... o f_1,
// accumulated in a chosen or planned bracketing of J = J_k ... J_1.
//
//   auto f1 = [](const auto& x) { ...; return std::vector<T>{...}; };   // R^n0 -> R^n1
//   ...
//   auto [J, plan] = duet::jacobian_chain(x, f1, f2, f3);        // planned (default)
//   auto [Jf, pf]  = duet::jacobian_chain(duet::forward, x, f1, f2, f3);
//   auto [Jr, pr]  = duet::jacobian_chain(duet::reverse, x, f1, f2, f3);
//   std::cout << plan.str() << "\n" << plan.report();
//
// J is an xt::xtensor<double, 2> of shape n_k x n_0 (Jacobian form). x is a
// std::vector<double> or a std::array<double, n_0>. Each stage f_i is generic
// scalar code taking `const std::vector<T>&` (or `const std::array<T, n>&`
// where n is static: after a std::array x or a stage returning a std::array)
// and returning a container of n_i scalars, as for duet::jacobian
// (drivers/container.hpp); it is called with T = double,
// duet::dual<double, L> and duet::var<double>.
//
// Strategies
//   duet::forward   tangent propagation of the n_0 unit directions through all
//                   stages (forward mode on the composition), L = 8 lanes/pass.
//   duet::reverse   the composition recorded once on a tape, n_k adjoint sweeps.
//   duet::planned   (also duet::automatic, and the default) the plan below.
//
// The plan and the planner: chain/jacobian_chain_plan.hpp; the stages:
// chain/stage_pack.hpp; the measured costs: chain/jacobian_chain_timing.hpp.
// Tangent and adjoint steps run the drivers' engine (drivers/passes.hpp).
//
// The planner alone, on sizes and costs: duet::jacobian_chain_order(dims, options).
// A plan can be made once and executed many times (the costs depend on the
// stages and the shapes, hardly on x):
//   auto plan = duet::plan_jacobian_chain(x, f1, f2, f3);
//   auto [J, p] = duet::jacobian_chain(plan, x2, f1, f2, f3);
// Executing a plan on stages whose sizes differ from the plan's throws
// std::invalid_argument.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/chain/jacobian_chain_plan.hpp"
#include "duet/chain/jacobian_chain_timing.hpp"
#include "duet/chain/stage_pack.hpp"
#include "duet/core/error.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/drivers/passes.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"
#include "duet/reverse/workspace.hpp"
#include "duet/tensor/blas.hpp"

namespace duet {

/// What jacobian_chain returns: `auto [J, plan] = duet::jacobian_chain(...)`.
struct jacobian_chain_result {
    xt::xtensor<double, 2> jacobian;  // n_k x n_0
    jacobian_chain_plan plan;
};

namespace chain_detail {

/// (J_to ... J_from) * M by tangent propagation (the engine's lane
/// passes); M is dims[from] x q, or the identity (q = dims[from]) when
/// M == nullptr.
template <class Pack>
xt::xtensor<double, 2> push_forward(const Pack& fs, const std::vector<std::vector<double>>& xs, std::size_t from,
                                    std::size_t to, const xt::xtensor<double, 2>* M) {
    const std::size_t n = xs[from].size();
    const std::size_t q = M ? M->shape(1) : n;
    const std::size_t m = xs[to + 1].size();
    auto out = xt::xtensor<double, 2>::from_shape({m, q});
    if (q == 0) return out;
    const auto inputs = [&]<class D>(std::type_identity<D>) {
        std::vector<D> duals;
        duals.reserve(n);
        for (double v : xs[from]) duals.emplace_back(v);
        return duals;
    };
    const auto pass = [&](const auto& in) {
        auto cur = fs.run(from, in);
        for (std::size_t s = from + 1; s <= to; ++s) cur = fs.run(s, cur);
        return cur;
    };
    const auto collect = [&]<class D>(std::type_identity<D>, const std::vector<D>& ys, std::size_t first,
                                      std::size_t count) {
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t l = 0; l < count; ++l) out(i, first + l) = ys[i].tangent(l);
    };
    using family = detail::dual_family<double>;
    if (M)
        detail::forward_lane_passes<chain_lanes, family>(
            detail::matrix_directions<xt::xtensor<double, 2>>{*M, n, q}, inputs, pass, collect);
    else
        detail::forward_lane_passes<chain_lanes, family>(detail::unit_directions{n}, inputs, pass, collect);
    return out;
}

/// W * (J_to ... J_from) by adjoint propagation: stages from..to recorded
/// once on t (cleared first), one sweep of the engine per row of W
/// (p x dims[to+1]; identity when W == nullptr).
template <class Pack>
xt::xtensor<double, 2> pull_back(tape<double>& t, const Pack& fs, const std::vector<std::vector<double>>& xs,
                                 std::size_t from, std::size_t to, const xt::xtensor<double, 2>* W) {
    using V = var<double>;
    const std::size_t n = xs[from].size();
    const std::size_t m = xs[to + 1].size();
    const std::size_t p = W ? W->shape(0) : m;
    t.clear();
    const auto make = detail::register_independents<double>(n, [&](std::size_t i) { return xs[from][i]; });
    std::vector<V> inputs;
    inputs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) inputs.push_back(make(i));
    std::vector<V> cur = fs.run(from, inputs);
    for (std::size_t s = from + 1; s <= to; ++s) cur = fs.run(s, cur);
    auto out = xt::xtensor<double, 2>::from_shape({p, n});
    const detail::tape_recording<double> recording{detail::first_index(inputs), n, cur};
    const auto collect = [&](std::size_t r, std::span<const double> adjoints) {
        for (std::size_t j = 0; j < n; ++j) out(r, j) = adjoints[j];
    };
    if (W)
        detail::reverse_sweeps(t, recording, detail::matrix_rows<xt::xtensor<double, 2>>{*W, p, m}, collect);
    else
        detail::reverse_sweeps(t, recording, detail::unit_rows{m}, collect);
    return out;
}

template <class Pack>
xt::xtensor<double, 2> execute(const jacobian_chain_plan& plan, const Pack& fs,
                               const std::vector<std::vector<double>>& xs) {
    std::vector<xt::xtensor<double, 2>> factors(plan.steps.size());
    // All adjoint steps record on the thread's workspace tape (buffers reused).
    with_workspace_tape<double>([&](tape<double>& t) {
        for (std::size_t i = 0; i < plan.steps.size(); ++i) {
            const auto& s = plan.steps[i];
            const xt::xtensor<double, 2>* seed = s.a < 0 ? nullptr : &factors[std::size_t(s.a)];
            switch (s.kind) {
            case jacobian_chain_step_kind::forward:
                factors[i] = push_forward(fs, xs, s.split, s.last, seed);
                break;
            case jacobian_chain_step_kind::reverse:
                factors[i] = pull_back(t, fs, xs, s.first, s.split, seed);
                break;
            case jacobian_chain_step_kind::product: {
                const auto& A = factors[std::size_t(s.a)];
                const auto& B = factors[std::size_t(s.b)];
                factors[i] = xt::xtensor<double, 2>::from_shape({A.shape(0), B.shape(1)});
                blas::gemm(A, false, B, false, factors[i], false);
                break;
            }
            }
            // Factors consumed by this step are no longer needed.
            if (s.a >= 0) factors[std::size_t(s.a)] = xt::xtensor<double, 2>();
            if (s.b >= 0) factors[std::size_t(s.b)] = xt::xtensor<double, 2>();
        }
    });
    return std::move(factors.back());
}

template <class Strategy, class X, class... Fs>
jacobian_chain_result run_chain(Strategy, const jacobian_chain_options& options, const X& x, Fs&... fs) {
    static_assert(sizeof...(Fs) >= 1, "duet: jacobian_chain needs at least one stage");
    const pack_for<X, Fs...> pack{std::tie(fs...)};
    const auto xs = primal_values(pack, x);
    constexpr bool is_forward = std::is_same_v<Strategy, forward_t>;
    constexpr bool is_reverse = std::is_same_v<Strategy, reverse_t>;
    jacobian_chain_plan plan = make_plan(pack, xs, options, !(is_forward || is_reverse));
    if constexpr (is_forward)
        make_pure_plan(plan, jacobian_chain_step_kind::forward);
    else if constexpr (is_reverse)
        make_pure_plan(plan, jacobian_chain_step_kind::reverse);
    else
        solve_jacobian_chain(plan);
    auto J = execute(plan, pack, xs);
    return {std::move(J), std::move(plan)};
}

}  // namespace chain_detail
// ---------------------------------------------------------------------------
// Public entry points.

/// The planner alone, on sizes and supplied costs (no functions): dims are
/// n_0 ... n_k, options.stage_costs must hold k entries.
inline jacobian_chain_plan jacobian_chain_order(std::vector<std::size_t> dims, const jacobian_chain_options& options) {
    if (dims.size() < 2)
        detail::throw_invalid_argument("jacobian_chain_order", "a chain of k stages needs k + 1 sizes; got ",
                                       dims.size());
    if (options.stage_costs.size() + 1 != dims.size())
        detail::throw_invalid_argument("jacobian_chain_order", dims.size(), " sizes describe ", dims.size() - 1,
                                       " stages but ", options.stage_costs.size(), " stage costs were given");
    jacobian_chain_plan plan;
    plan.dims = std::move(dims);
    plan.stage_costs = options.stage_costs;
    plan.multiply_add_cost = options.multiply_add_cost.value_or(1.0);
    chain_detail::solve_jacobian_chain(plan);
    return plan;
}

/// Plans J = J_k ... J_1 at x (measuring the stage costs unless options give them).
template <chain_detail::chain_input X, chain_detail::chain_stage... Fs>
jacobian_chain_plan plan_jacobian_chain(const jacobian_chain_options& options, const X& x,
                                        Fs&&... fs) {
    static_assert(sizeof...(Fs) >= 1, "duet: plan_jacobian_chain needs at least one stage");
    const chain_detail::pack_for<X, Fs...> pack{std::tie(fs...)};
    auto plan = chain_detail::make_plan(pack, chain_detail::primal_values(pack, x), options, true);
    chain_detail::solve_jacobian_chain(plan);
    return plan;
}

template <chain_detail::chain_input X, chain_detail::chain_stage... Fs>
jacobian_chain_plan plan_jacobian_chain(const X& x, Fs&&... fs) {
    return plan_jacobian_chain(jacobian_chain_options{}, x, fs...);
}

/// Executes a given plan (its dims must match the stages at x).
template <chain_detail::chain_input X, chain_detail::chain_stage... Fs>
jacobian_chain_result jacobian_chain(const jacobian_chain_plan& plan, const X& x, Fs&&... fs) {
    static_assert(sizeof...(Fs) >= 1, "duet: jacobian_chain needs at least one stage");
    if (plan.stages() != sizeof...(Fs))
        detail::throw_invalid_argument("jacobian_chain", "the plan has ", plan.stages(), " stages but ",
                                       sizeof...(Fs), " were given");
    if (std::size(x) != plan.dims[0])
        detail::throw_invalid_argument("jacobian_chain", "x has ", std::size(x), " elements but the plan expects ",
                                       plan.dims[0]);
    chain_detail::pack_for<X, Fs...> pack{std::tie(fs...)};
    pack.dims = &plan.dims;
    const auto xs = chain_detail::primal_values(pack, x);
    return {chain_detail::execute(plan, pack, xs), plan};
}

/// J = J_k ... J_1 at x with the given strategy and options.
template <chain_detail::chain_strategy Strategy, chain_detail::chain_input X, chain_detail::chain_stage... Fs>
jacobian_chain_result jacobian_chain(Strategy strategy, const jacobian_chain_options& options,
                                       const X& x, Fs&&... fs) {
    return chain_detail::run_chain(strategy, options, x, fs...);
}

template <chain_detail::chain_strategy Strategy, chain_detail::chain_input X, chain_detail::chain_stage... Fs>
jacobian_chain_result jacobian_chain(Strategy strategy, const X& x, Fs&&... fs) {
    return chain_detail::run_chain(strategy, jacobian_chain_options{}, x, fs...);
}

template <chain_detail::chain_input X, chain_detail::chain_stage... Fs>
jacobian_chain_result jacobian_chain(const jacobian_chain_options& options, const X& x,
                                       Fs&&... fs) {
    return chain_detail::run_chain(planned, options, x, fs...);
}

template <chain_detail::chain_input X, chain_detail::chain_stage... Fs>
jacobian_chain_result jacobian_chain(const X& x, Fs&&... fs) {
    return chain_detail::run_chain(planned, jacobian_chain_options{}, x, fs...);
}

}  // namespace duet
