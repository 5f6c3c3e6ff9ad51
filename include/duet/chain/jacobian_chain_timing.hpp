// duet/chain/jacobian_chain_timing.hpp -- the costs a chain is planned
// with, measured at x.
//
// Costs. Per stage l: tangent_l (one direction through f_l), adjoint_l (one
// sweep of f_l's recording) and record_l (recording f_l once). Unless supplied
// in jacobian_chain_options::stage_costs they are measured once per plan at x
// (nanoseconds): one evaluation of f_l with dual<double, 8> lanes (divided by
// 8), one recording on the thread's workspace tape (reverse/workspace.hpp,
// as execution uses), one sweep seeded on all outputs; each
// repeated until a batch takes >= 5 us, the faster of 2 batches taken (a
// single call when it takes >= 1 ms). multiply_add_cost is measured once per process
// by timing a 96 x 96 x 96 BLAS gemm (ns per multiply-add, fastest of 5
// batches of >= 0.2 ms); when stage costs are supplied it defaults to 1
// (stage costs are then in multiply-add units).
//
#pragma once

#include <cstddef>
#include <stdexcept>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/chain/jacobian_chain_plan.hpp"
#include "duet/chain/stage_pack.hpp"
#include "duet/core/error.hpp"
#include "duet/drivers/cost_model.hpp"
#include "duet/forward/dual.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"
#include "duet/reverse/workspace.hpp"
#include "duet/tensor/blas.hpp"

namespace duet::chain_detail {

constexpr std::size_t chain_lanes = jacobian_cost_model::forward_lanes;

// ---- measuring ---------------------------------------------------------------------

/// ns per multiply-add of a BLAS gemm, measured once per process.
inline double measured_multiply_add_ns() {
    static const double ns = [] {
        constexpr std::size_t N = 96;
        xt::xtensor<double, 2> A = xt::xtensor<double, 2>::from_shape({N, N});
        xt::xtensor<double, 2> B = A;
        xt::xtensor<double, 2> C = A;
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = 0; j < N; ++j) {
                A(i, j) = double((i * 7 + j * 3) % 11) / 11.0;
                B(i, j) = double((i * 5 + j) % 13) / 13.0;
            }
        blas::gemm(A, false, B, false, C, false);  // BLAS start-up (threads, buffers)
        // Once per process, so worth 5 batches of >= 0.2 ms: a single slow
        // batch (BLAS threads waiting for a busy core) would misprice every
        // product step of every plan.
        return detail::time_ns([&] { blas::gemm(A, false, B, false, C, false); }, 2e5, 5) / double(N * N * N);
    }();
    return ns;
}

template <class Pack>
std::vector<jacobian_chain_stage_cost> measure_stage_costs(const Pack& fs,
                                                           const std::vector<std::vector<double>>& xs) {
    constexpr std::size_t L = chain_lanes;
    using D = dual<double, L>;
    using V = var<double>;
    std::vector<jacobian_chain_stage_cost> costs(Pack::size);
    for (std::size_t l = 0; l < Pack::size; ++l) {
        const auto& in = xs[l];
        std::vector<D> duals(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
            duals[i] = D(in[i]);
            for (std::size_t j = 0; j < L; ++j) duals[i].tangent(j) = (i % L == j) ? 1.0 : 0.0;
        }
        costs[l].tangent = detail::time_ns([&] { (void)fs.run(l, duals); }) / double(L);

        // Recording on the thread's workspace tape, as a jacobian_chain call
        // does (cleared, its buffers warm), then a sweep seeded on every
        // output: a dense row of weights reaches the whole recording (one
        // output alone may reach only part of it).
        with_workspace_tape<double>([&](tape<double>& t) {
            std::vector<V> outputs;
            auto record = [&] {
                t.clear();
                std::vector<V> vars;
                vars.reserve(in.size());
                for (double v : in) vars.emplace_back(v);
                outputs = fs.run(l, vars);
            };
            costs[l].record = detail::time_ns(record);
            record();
            if (outputs.empty()) return;
            costs[l].adjoint = detail::time_ns([&] {
                t.zero_adjoints();
                for (const V& o : outputs) t.seed(o);
                t.backward();
            });
        });
    }
    return costs;
}

template <class Pack>
jacobian_chain_plan make_plan(const Pack& fs, const std::vector<std::vector<double>>& xs,
                              const jacobian_chain_options& options, bool measure) {
    jacobian_chain_plan p;
    for (const auto& v : xs) p.dims.push_back(v.size());
    if (!options.stage_costs.empty()) {
        if (options.stage_costs.size() != Pack::size)
            detail::throw_invalid_argument("jacobian_chain", "options.stage_costs has ", options.stage_costs.size(),
                                           " entries but the chain has ", Pack::size, " stages");
        p.stage_costs = options.stage_costs;
        p.multiply_add_cost = options.multiply_add_cost.value_or(1.0);
        p.cost_unit = "units";
    } else if (measure) {
        p.stage_costs = measure_stage_costs(fs, xs);
        p.multiply_add_cost = options.multiply_add_cost.value_or(measured_multiply_add_ns());
        p.cost_unit = "ns";
    }
    return p;
}

}  // namespace duet::chain_detail
