// duet/chain/jacobian_chain_plan.hpp -- the plan of a Jacobian chain
// J = J_k ... J_1: its steps, its printing, and the planner that chooses it
// from sizes and stage costs (no functions, no xtensor).
//
// The planner: a dynamic programme over sub-chains (the generalised Jacobian
// chain bracketing problem of Naumann et al., in a restricted form). For stages
// a..b (1-based; J_{b..a} = J_b ... J_a, of size n_b x n_{a-1}) it considers
// exactly these ways of obtaining J_{b..a} as a dense matrix:
//   forward   fwd{b..s}[M]: first accumulate M = J_{s-1..a} (by the best plan
//             for a..s-1), then push its n_{a-1} columns forward through
//             stages s..b by tangent propagation.  s = a means M = identity
//             (plain forward accumulation of a..b).
//             cost = sum_{l=s..b} forward(c_l, n_{a-1})
//   reverse   [M]rev{s..a}: first accumulate M = J_{b..s+1}, then pull its n_b
//             rows back through stages s..a by adjoint propagation (one
//             recording of s..a, n_b sweeps).  s = b means M = identity.
//             cost = sum_{l=a..s} reverse(c_l, n_b, unit seed: l == s == b)
//   product   (L * R): L = J_{b..s+1} and R = J_{s..a}, both by their best
//             plans, multiplied densely (BLAS).
//             cost = product(n_b, n_s, n_{a-1}, multiply_add_cost)
// (forward, reverse, product: the shared cost model, drivers/cost_model.hpp,
// with lane rounding and unit-seed sweeps; c_l: stage l's costs) for every
// split s, and keeps the cheapest (ties: forward, then reverse, then product;
// smaller s first). Pure forward is fwd{k..1}, pure reverse rev{k..1}:
// the two extreme bracketings. Not considered: matrix-free products whose
// result stays matrix-free (e.g. a tangent push whose seed matrix is itself
// produced by an adjoint pull without being stored), sparsity/structure of the
// factors, and per-call BLAS overhead. O(k^3) time.
//
// The planner alone, on sizes and costs: duet::jacobian_chain_order(dims,
// options) (chain/jacobian_chain.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "duet/drivers/cost_model.hpp"
#include "duet/drivers/modes.hpp"

namespace duet {

/// Costs of one stage (tangent, adjoint, record), in any unit shared with
/// multiply_add_cost: the cost model's mode_costs (drivers/cost_model.hpp).
using jacobian_chain_stage_cost = mode_costs;

struct jacobian_chain_options {
    /// Empty: measured (ns). Otherwise one entry per stage, in stage order.
    std::vector<jacobian_chain_stage_cost> stage_costs;
    /// Cost of one multiply-add of a dense product. Unset: 1 if stage_costs
    /// are given, otherwise measured (ns).
    std::optional<double> multiply_add_cost;
};

/// forward: tangent propagation (the engine's lane passes); reverse: adjoint
/// propagation (one recording, the engine's sweeps); product: a dense GEMM.
enum class jacobian_chain_step_kind { forward, reverse, product };

/// One step of a plan: it produces the dense factor J_{last..first}
/// (0-based stage indices, inclusive; size dims[last+1] x dims[first]).
struct jacobian_chain_step {
    jacobian_chain_step_kind kind = jacobian_chain_step_kind::forward;
    std::size_t first = 0, last = 0;
    /// forward: stages split..last are propagated; the seed is the factor of
    ///          stages first..split-1 (identity when split == first).
    /// reverse: stages first..split are propagated; the seed is the factor of
    ///          stages split+1..last (identity when split == last).
    /// product: factor(split+1..last) * factor(first..split).
    std::size_t split = 0;
    /// Indices into jacobian_chain_plan::steps of the factors it consumes
    /// (-1: none / identity). For a product: a = left, b = right.
    int a = -1, b = -1;
    /// Predicted cost of this step alone.
    double cost = 0;
};

/// An executable, printable accumulation plan for J = J_k ... J_1.
struct jacobian_chain_plan {
    /// n_0 ... n_k: stage l (0-based) maps R^dims[l] -> R^dims[l+1].
    std::vector<std::size_t> dims;
    std::vector<jacobian_chain_stage_cost> stage_costs;  // empty: not costed
    double multiply_add_cost = std::numeric_limits<double>::quiet_NaN();
    /// "ns" when measured, "units" when supplied.
    std::string cost_unit = "units";
    /// "forward", "reverse" or "planned".
    std::string strategy = "planned";
    /// Steps in execution order; the last one yields J.
    std::vector<jacobian_chain_step> steps;
    /// Predicted costs of this plan and of the two pure modes (NaN: not costed).
    double cost = std::numeric_limits<double>::quiet_NaN();
    double forward_cost = std::numeric_limits<double>::quiet_NaN();
    double reverse_cost = std::numeric_limits<double>::quiet_NaN();

    std::size_t stages() const noexcept { return dims.empty() ? 0 : dims.size() - 1; }
    bool is_pure_forward() const noexcept {
        return steps.size() == 1 && steps[0].kind == jacobian_chain_step_kind::forward;
    }
    bool is_pure_reverse() const noexcept {
        return steps.size() == 1 && steps[0].kind == jacobian_chain_step_kind::reverse;
    }

    /// The bracketing in one line: "fwd{3..1}", "rev{3..1}",
    /// "(rev{4..3} * fwd{2..1})", "[rev{4}]rev{3..1}", "fwd{4..3}[rev{2..1}]".
    /// Stage numbers are 1-based; {b..a} lists J_b ... J_a.
    std::string str() const {
        if (steps.empty()) return "";
        return write(steps.size() - 1);
    }

    /// Multi-line description: dims, each step in execution order with its
    /// mode, stages, number of directions and predicted cost, totals.
    std::string report() const {
        std::ostringstream os;
        os << "jacobian_chain plan (" << strategy << "): " << stages() << " stages, dims ";
        for (std::size_t i = 0; i < dims.size(); ++i) os << (i ? " -> " : "") << dims[i];
        os << "\n  " << str() << "\n";
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const auto& s = steps[i];
            os << "  " << (i + 1) << ". J" << range(s.first, s.last) << " (" << dims[s.last + 1] << " x "
               << dims[s.first] << ") = ";
            switch (s.kind) {
            case jacobian_chain_step_kind::forward:
                os << "tangent propagation through stages " << range(s.split, s.last) << ", "
                   << dims[s.first] << " directions, seed "
                   << (s.split == s.first ? std::string("I") : "J" + range(s.first, s.split - 1));
                break;
            case jacobian_chain_step_kind::reverse:
                os << "adjoint propagation through stages " << range(s.first, s.split) << ", "
                   << dims[s.last + 1] << " sweeps, seed "
                   << (s.split == s.last ? std::string("I") : "J" + range(s.split + 1, s.last));
                break;
            case jacobian_chain_step_kind::product:
                os << "dense product J" << range(s.split + 1, s.last) << " * J" << range(s.first, s.split)
                   << ", " << dims[s.last + 1] << " x " << dims[s.split + 1] << " x " << dims[s.first];
                break;
            }
            if (!std::isnan(s.cost)) os << ", cost " << s.cost << " " << cost_unit;
            os << "\n";
        }
        if (!std::isnan(cost))
            os << "  predicted cost " << cost << " " << cost_unit << " (pure forward " << forward_cost
               << ", pure reverse " << reverse_cost << ")\n";
        else
            os << "  not costed\n";
        return os.str();
    }

private:
    // Strings are built by appending (here and in write): GCC 12 -O3 warns falsely (-Wrestrict)
    // about the insert at position 0 that "literal" + std::string compiles to.
    static std::string range(std::size_t first, std::size_t last) {
        std::string r = "{";
        if (first != last) r += std::to_string(last + 1) + "..";
        r += std::to_string(first + 1);
        r += "}";
        return r;
    }
    std::string write(std::size_t i) const {
        const auto& s = steps[i];
        std::string out;
        switch (s.kind) {
        case jacobian_chain_step_kind::forward:
            out.append("fwd").append(range(s.split, s.last));
            if (s.a >= 0) out.append("[").append(write(std::size_t(s.a))).append("]");
            break;
        case jacobian_chain_step_kind::reverse:
            if (s.a >= 0) out.append("[").append(write(std::size_t(s.a))).append("]");
            out.append("rev").append(range(s.first, s.split));
            break;
        case jacobian_chain_step_kind::product:
            out.append("(").append(write(std::size_t(s.a))).append(" * ").append(write(std::size_t(s.b))).append(")");
            break;
        }
        return out;
    }
};

namespace chain_detail {

// ---- the cost model and the dynamic programme ---------------------------------

struct jc_choice {
    jacobian_chain_step_kind kind = jacobian_chain_step_kind::forward;
    std::size_t split = 0;
};

// The step costs: the shared cost model's formulas, summed over stages.
inline double tangent_cost(const jacobian_chain_plan& p, std::size_t from, std::size_t to, std::size_t q) {
    double sum = 0;
    for (std::size_t l = from; l <= to; ++l) sum += jacobian_cost_model::forward(p.stage_costs[l], q);
    return sum;
}

// Rows pulled back through stages from..to; unit_seed: each row seeds one
// output of stage `to` (the identity seed), so its sweeps start at that
// output and cost the model's unit-seed fraction there; the stages before
// are reached by every output (dense seeds).
inline double adjoint_cost(const jacobian_chain_plan& p, std::size_t from, std::size_t to, std::size_t rows,
                           bool unit_seed) {
    double sum = 0;
    for (std::size_t l = from; l <= to; ++l)
        sum += jacobian_cost_model::reverse(p.stage_costs[l], rows, unit_seed && l == to);
    return sum;
}

inline double product_cost(const jacobian_chain_plan& p, std::size_t first, std::size_t split, std::size_t last) {
    return jacobian_cost_model::product(p.dims[last + 1], p.dims[split + 1], p.dims[first], p.multiply_add_cost);
}

// Appends the steps of sub-chain first..last (post-order); returns its index.
inline int emit_steps(jacobian_chain_plan& p, const std::vector<jc_choice>& choice, std::size_t k, std::size_t first,
                      std::size_t last) {
    const jc_choice c = choice[first * k + last];
    jacobian_chain_step s;
    s.kind = c.kind;
    s.first = first;
    s.last = last;
    s.split = c.split;
    switch (c.kind) {
    case jacobian_chain_step_kind::forward:
        if (c.split > first) s.a = emit_steps(p, choice, k, first, c.split - 1);
        s.cost = tangent_cost(p, c.split, last, p.dims[first]);
        break;
    case jacobian_chain_step_kind::reverse:
        if (c.split < last) s.a = emit_steps(p, choice, k, c.split + 1, last);
        s.cost = adjoint_cost(p, first, c.split, p.dims[last + 1], c.split == last);
        break;
    case jacobian_chain_step_kind::product:
        s.a = emit_steps(p, choice, k, c.split + 1, last);
        s.b = emit_steps(p, choice, k, first, c.split);
        s.cost = product_cost(p, first, c.split, last);
        break;
    }
    p.steps.push_back(s);
    return int(p.steps.size() - 1);
}

inline void solve_jacobian_chain(jacobian_chain_plan& p) {
    const std::size_t k = p.stages();
    std::vector<double> best(k * k, 0.0);
    std::vector<jc_choice> choice(k * k);
    for (std::size_t length = 1; length <= k; ++length) {
        for (std::size_t first = 0; first + length <= k; ++first) {
            const std::size_t last = first + length - 1;
            double cheapest = std::numeric_limits<double>::infinity();
            jc_choice pick;
            auto consider = [&](double cost, jacobian_chain_step_kind kind, std::size_t split) {
                if (cost < cheapest) {
                    cheapest = cost;
                    pick = {kind, split};
                }
            };
            for (std::size_t s = first; s <= last; ++s)
                consider((s > first ? best[first * k + s - 1] : 0.0) + tangent_cost(p, s, last, p.dims[first]),
                         jacobian_chain_step_kind::forward, s);
            for (std::size_t s = last + 1; s-- > first;)  // s = last (identity seed) first
                consider((s < last ? best[(s + 1) * k + last] : 0.0) +
                             adjoint_cost(p, first, s, p.dims[last + 1], s == last),
                         jacobian_chain_step_kind::reverse, s);
            for (std::size_t s = first; s < last; ++s)
                consider(best[first * k + s] + best[(s + 1) * k + last] + product_cost(p, first, s, last),
                         jacobian_chain_step_kind::product, s);
            best[first * k + last] = cheapest;
            choice[first * k + last] = pick;
        }
    }
    p.steps.clear();
    emit_steps(p, choice, k, 0, k - 1);
    p.cost = best[k - 1];
    p.forward_cost = tangent_cost(p, 0, k - 1, p.dims[0]);
    p.reverse_cost = adjoint_cost(p, 0, k - 1, p.dims[k], true);
}

inline void make_pure_plan(jacobian_chain_plan& p, jacobian_chain_step_kind kind) {
    const std::size_t k = p.stages();
    jacobian_chain_step s;
    s.kind = kind;
    s.first = 0;
    s.last = k - 1;
    s.split = kind == jacobian_chain_step_kind::forward ? 0 : k - 1;
    s.cost = std::numeric_limits<double>::quiet_NaN();
    if (!p.stage_costs.empty()) {
        p.forward_cost = tangent_cost(p, 0, k - 1, p.dims[0]);
        p.reverse_cost = adjoint_cost(p, 0, k - 1, p.dims[k], true);
        s.cost = kind == jacobian_chain_step_kind::forward ? p.forward_cost : p.reverse_cost;
        p.cost = s.cost;
    }
    p.steps.assign(1, s);
    p.strategy = kind == jacobian_chain_step_kind::forward ? "forward" : "reverse";
}

}  // namespace chain_detail
}  // namespace duet
