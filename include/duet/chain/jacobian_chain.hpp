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
// The planner: a dynamic programme over sub-chains (the generalised Jacobian
// chain bracketing problem of Naumann et al., in a restricted form). For stages
// a..b (1-based; J_{b..a} = J_b ... J_a, of size n_b x n_{a-1}) it considers
// exactly these ways of obtaining J_{b..a} as a dense matrix:
//   tangent   fwd{b..s}[M]: first accumulate M = J_{s-1..a} (by the best plan
//             for a..s-1), then push its n_{a-1} columns forward through
//             stages s..b by tangent propagation.  s = a means M = identity
//             (plain forward accumulation of a..b).
//             cost = sum_{l=s..b} forward(c_l, n_{a-1})
//   adjoint   [M]rev{s..a}: first accumulate M = J_{b..s+1}, then pull its n_b
//             rows back through stages s..a by adjoint propagation (one
//             recording of s..a, n_b sweeps).  s = b means M = identity.
//             cost = sum_{l=a..s} reverse(c_l, n_b, unit seed: l == s == b)
//   product   (L * R): L = J_{b..s+1} and R = J_{s..a}, both by their best
//             plans, multiplied densely (BLAS).
//             cost = product(n_b, n_s, n_{a-1}, multiply_add_cost)
// (forward, reverse, product: the shared cost model, drivers/cost_model.hpp,
// with lane rounding and unit-seed sweeps; c_l: stage l's costs) for every
// split s, and keeps the cheapest (ties: tangent, then adjoint, then product;
// smaller s first). Pure forward is fwd{k..1}, pure reverse rev{k..1}:
// the two extreme bracketings. Not considered: matrix-free products whose
// result stays matrix-free (e.g. a tangent push whose seed matrix is itself
// produced by an adjoint pull without being stored), sparsity/structure of the
// factors, and per-call BLAS overhead. O(k^3) time.
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
// The planner alone, on sizes and costs: duet::jacobian_chain_order(dims, options).
// A plan can be made once and executed many times (the costs depend on the
// stages and the shapes, hardly on x):
//   auto plan = duet::plan_jacobian_chain(x, f1, f2, f3);
//   auto [J, p] = duet::jacobian_chain(plan, x2, f1, f2, f3);
// Executing a plan on stages whose sizes differ from the plan's throws
// std::invalid_argument.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/drivers/container.hpp"
#include "duet/drivers/cost_model.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/forward/dual.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"
#include "duet/reverse/workspace.hpp"
#include "duet/tensor/blas.hpp"

namespace duet {

/// Strategy tag: plan the bracketing (same as duet::automatic for jacobian_chain).
struct planned_t {
    explicit planned_t() = default;
};
inline constexpr planned_t planned{};

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

enum class jacobian_chain_step_kind { tangent, adjoint, product };

/// One step of a plan: it produces the dense factor J_{last..first}
/// (0-based stage indices, inclusive; size dims[last+1] x dims[first]).
struct jacobian_chain_step {
    jacobian_chain_step_kind kind = jacobian_chain_step_kind::tangent;
    std::size_t first = 0, last = 0;
    /// tangent: stages split..last are propagated; the seed is the factor of
    ///          stages first..split-1 (identity when split == first).
    /// adjoint: stages first..split are propagated; the seed is the factor of
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
        return steps.size() == 1 && steps[0].kind == jacobian_chain_step_kind::tangent;
    }
    bool is_pure_reverse() const noexcept {
        return steps.size() == 1 && steps[0].kind == jacobian_chain_step_kind::adjoint;
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
            case jacobian_chain_step_kind::tangent:
                os << "tangent propagation through stages " << range(s.split, s.last) << ", "
                   << dims[s.first] << " directions, seed "
                   << (s.split == s.first ? std::string("I") : "J" + range(s.first, s.split - 1));
                break;
            case jacobian_chain_step_kind::adjoint:
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
    // Appends, not "{" + std::string: GCC 12 -O3 warns falsely (-Wrestrict)
    // about the insert at position 0 that the latter compiles to.
    static std::string range(std::size_t first, std::size_t last) {
        std::string r = "{";
        if (first != last) r += std::to_string(last + 1) + "..";
        r += std::to_string(first + 1);
        r += "}";
        return r;
    }
    std::string write(std::size_t i) const {
        const auto& s = steps[i];
        switch (s.kind) {
        case jacobian_chain_step_kind::tangent:
            return "fwd" + range(s.split, s.last) + (s.a < 0 ? "" : "[" + write(std::size_t(s.a)) + "]");
        case jacobian_chain_step_kind::adjoint:
            return (s.a < 0 ? "" : "[" + write(std::size_t(s.a)) + "]") + "rev" + range(s.first, s.split);
        case jacobian_chain_step_kind::product:
            return "(" + write(std::size_t(s.a)) + " * " + write(std::size_t(s.b)) + ")";
        }
        return "";
    }
};

/// What jacobian_chain returns: `auto [J, plan] = duet::jacobian_chain(...)`.
struct jacobian_chain_result {
    xt::xtensor<double, 2> jacobian;  // n_k x n_0
    jacobian_chain_plan plan;
};

namespace chain_detail {

constexpr std::size_t chain_lanes = jacobian_cost_model::forward_lanes;

// ---- the cost model and the dynamic programme ---------------------------------

struct jc_choice {
    jacobian_chain_step_kind kind = jacobian_chain_step_kind::tangent;
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
    case jacobian_chain_step_kind::tangent:
        if (c.split > first) s.a = emit_steps(p, choice, k, first, c.split - 1);
        s.cost = tangent_cost(p, c.split, last, p.dims[first]);
        break;
    case jacobian_chain_step_kind::adjoint:
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
                         jacobian_chain_step_kind::tangent, s);
            for (std::size_t s = last + 1; s-- > first;)  // s = last (identity seed) first
                consider((s < last ? best[(s + 1) * k + last] : 0.0) +
                             adjoint_cost(p, first, s, p.dims[last + 1], s == last),
                         jacobian_chain_step_kind::adjoint, s);
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
    s.split = kind == jacobian_chain_step_kind::tangent ? 0 : k - 1;
    s.cost = std::numeric_limits<double>::quiet_NaN();
    if (!p.stage_costs.empty()) {
        p.forward_cost = tangent_cost(p, 0, k - 1, p.dims[0]);
        p.reverse_cost = adjoint_cost(p, 0, k - 1, p.dims[k], true);
        s.cost = kind == jacobian_chain_step_kind::tangent ? p.forward_cost : p.reverse_cost;
        p.cost = s.cost;
    }
    p.steps.assign(1, s);
    p.strategy = kind == jacobian_chain_step_kind::tangent ? "forward" : "reverse";
}

// ---- running stages --------------------------------------------------------------

template <class Number, class R>
std::vector<Number> to_numbers(R&& ys) {
    if constexpr (std::is_same_v<std::remove_cvref_t<R>, std::vector<Number>>) {
        return std::vector<Number>(std::forward<R>(ys));
    } else {
        detail::require_vector_result<std::remove_cvref_t<R>>();
        std::vector<Number> out;
        out.reserve(std::size(ys));
        for (std::size_t i = 0; i < std::size(ys); ++i) out.push_back(detail::as_number<Number>(ys[i]));
        return out;
    }
}

// ---- static sizes: std::array inputs and stages ------------------------------
//
// Values travel between stages as std::vector<Number>. A stage is called with
// std::array<Number, S> instead when its input size S is known at compile
// time and it accepts that array: S of stage 1 is x's (x a std::array), S of
// stage l+1 is the size of stage l's result when that is a std::array.
// Otherwise (or when the stage takes only vectors) it gets the vector.

inline constexpr std::size_t no_static_size = std::size_t(-1);

template <class R>
constexpr std::size_t static_size_of() {
    if constexpr (requires { std::tuple_size<std::remove_cvref_t<R>>::value; })
        return std::tuple_size<std::remove_cvref_t<R>>::value;
    else
        return no_static_size;
}

template <class F, class Number, std::size_t S>
constexpr bool takes_array() {
    if constexpr (S == no_static_size)
        return false;
    else
        return std::is_invocable_v<F&, const std::array<Number, S>&>;
}

/// The argument type of stage F for values of type Number and input size S.
template <class F, class Number, std::size_t S>
using stage_argument = std::conditional_t<takes_array<F, Number, S>(),
                                          std::array<Number, (S == no_static_size ? 0 : S)>, std::vector<Number>>;

/// Static size of F's result for input size S (no_static_size: a run-time size).
template <class F, std::size_t S>
constexpr std::size_t static_output_size() {
    using A = stage_argument<F, double, S>;
    if constexpr (std::is_invocable_v<F&, const A&>)
        return static_size_of<std::invoke_result_t<F&, const A&>>();
    else
        return no_static_size;
}

template <std::size_t S, class F, class... Rest>
constexpr void fill_input_sizes(std::size_t* out) {
    *out = S;
    if constexpr (sizeof...(Rest) > 0) fill_input_sizes<static_output_size<F, S>(), Rest...>(out + 1);
}

/// Static input size of each stage (no_static_size where there is none).
template <std::size_t S0, class... Fs>
inline constexpr std::array<std::size_t, sizeof...(Fs)> stage_input_sizes = [] {
    std::array<std::size_t, sizeof...(Fs)> sizes{};
    fill_input_sizes<S0, Fs...>(sizes.data());
    return sizes;
}();

// The stages, held by reference, callable by run-time index. S0: the static
// size of x (no_static_size for a std::vector).
template <std::size_t S0, class... Fs>
struct stage_pack {
    std::tuple<Fs&...> fs;
    const std::vector<std::size_t>* dims = nullptr;  // checked when set

    static constexpr std::size_t size = sizeof...(Fs);

    template <class Number>
    std::vector<Number> run(std::size_t l, const std::vector<Number>& in) const {
        std::vector<Number> out;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (void)((l == I ? (call<I>(in, out), true) : false) || ...);
        }(std::index_sequence_for<Fs...>{});
        if (dims && out.size() != (*dims)[l + 1])
            throw std::invalid_argument("duet::jacobian_chain: stage " + std::to_string(l + 1) + " returned " +
                                        std::to_string(out.size()) + " values but the plan expects " +
                                        std::to_string((*dims)[l + 1]));
        return out;
    }

private:
    template <std::size_t I, class Number>
    void call(const std::vector<Number>& in, std::vector<Number>& out) const {
        auto& f = std::get<I>(fs);
        using F = std::remove_reference_t<decltype(f)>;
        using A = stage_argument<F, Number, stage_input_sizes<S0, Fs...>[I]>;
        static_assert(std::is_invocable_v<F&, const A&>,
                      "duet::jacobian_chain: a stage cannot be called with a std::vector (or, after a "
                      "std::array, a std::array) of duet::dual / duet::var numbers; write it generically "
                      "(auto parameter taken by const reference)");
        if constexpr (std::is_same_v<A, std::vector<Number>>) {
            out = to_numbers<Number>(f(in));
        } else {
            if (in.size() != std::tuple_size<A>::value)
                throw std::invalid_argument("duet::jacobian_chain: stage " + std::to_string(I + 1) +
                                            " takes a std::array of " + std::to_string(std::tuple_size<A>::value) +
                                            " values but was given " + std::to_string(in.size()));
            const A arg = detail::build_container<A>(in.size(), [&](std::size_t i) { return in[i]; });
            out = to_numbers<Number>(f(arg));
        }
    }
};

/// Primal values: xs[0] = x, xs[l+1] = f_l(xs[l]).
template <class Pack, class X>
std::vector<std::vector<double>> primal_values(const Pack& fs, const X& x) {
    std::vector<std::vector<double>> xs;
    xs.reserve(Pack::size + 1);
    xs.emplace_back(std::begin(x), std::end(x));
    for (std::size_t l = 0; l < Pack::size; ++l) xs.push_back(fs.run(l, xs.back()));
    return xs;
}

/// (J_to ... J_from) * M by tangent propagation; M is dims[from] x q, or the
/// identity (q = dims[from]) when M == nullptr.
template <class Pack>
xt::xtensor<double, 2> push_forward(const Pack& fs, const std::vector<std::vector<double>>& xs, std::size_t from,
                                    std::size_t to, const xt::xtensor<double, 2>* M) {
    const std::size_t n = xs[from].size();
    const std::size_t q = M ? M->shape(1) : n;
    const std::size_t m = xs[to + 1].size();
    auto out = xt::xtensor<double, 2>::from_shape({m, q});
    if (q == 0) return out;
    detail::with_lanes<chain_lanes>(q, [&]<std::size_t L>() {
        using D = dual<double, L>;
        std::vector<D> cur(n);
        for (std::size_t c0 = 0; c0 < q; c0 += L) {
            cur.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                D d(xs[from][i]);
                for (std::size_t l = 0; l < L && c0 + l < q; ++l)
                    d.tangent(l) = M ? (*M)(i, c0 + l) : (i == c0 + l ? 1.0 : 0.0);
                cur[i] = d;
            }
            for (std::size_t s = from; s <= to; ++s) cur = fs.run(s, cur);
            for (std::size_t i = 0; i < m; ++i)
                for (std::size_t l = 0; l < L && c0 + l < q; ++l) out(i, c0 + l) = cur[i].tangent(l);
        }
    });
    return out;
}

/// W * (J_to ... J_from) by adjoint propagation: stages from..to recorded
/// once on t (cleared first), one sweep per row of W (p x dims[to+1];
/// identity when W == nullptr).
template <class Pack>
xt::xtensor<double, 2> pull_back(tape<double>& t, const Pack& fs, const std::vector<std::vector<double>>& xs,
                                 std::size_t from, std::size_t to, const xt::xtensor<double, 2>* W) {
    using V = var<double>;
    const std::size_t n = xs[from].size();
    const std::size_t m = xs[to + 1].size();
    const std::size_t p = W ? W->shape(0) : m;
    t.clear();
    std::vector<V> inputs;
    inputs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) inputs.emplace_back(xs[from][i]);
    std::vector<V> cur = inputs;
    for (std::size_t s = from; s <= to; ++s) cur = fs.run(s, cur);
    auto out = xt::xtensor<double, 2>::from_shape({p, n});
    for (std::size_t r = 0; r < p; ++r) {
        t.zero_adjoints();
        std::size_t end = 0;
        for (std::size_t o = 0; o < m; ++o) {
            const double w = W ? (*W)(r, o) : (o == r ? 1.0 : 0.0);
            if (w == 0.0) continue;
            t.seed(cur[o], w);
            end = std::max(end, std::size_t(cur[o].index()) + 1);
        }
        t.backward_from(end);
        for (std::size_t j = 0; j < n; ++j) out(r, j) = end == 0 ? 0.0 : t.adjoint(inputs[j]);
    }
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
            case jacobian_chain_step_kind::tangent:
                factors[i] = push_forward(fs, xs, s.split, s.last, seed);
                break;
            case jacobian_chain_step_kind::adjoint:
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
            throw std::invalid_argument("duet::jacobian_chain: options.stage_costs has " +
                                        std::to_string(options.stage_costs.size()) + " entries but the chain has " +
                                        std::to_string(Pack::size) + " stages");
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

template <class F>
concept chain_stage = !mode_tag<F> && !std::same_as<std::remove_cvref_t<F>, planned_t> &&
                      !std::same_as<std::remove_cvref_t<F>, jacobian_chain_options> &&
                      !std::same_as<std::remove_cvref_t<F>, jacobian_chain_plan>;

/// x of a chain: a std::vector<double> or a std::array<double, n>.
template <class X>
concept chain_input = container_argument<X> && std::same_as<detail::container_number<X>, double>;

template <class X, class... Fs>
using pack_for = stage_pack<static_size_of<X>(), std::remove_reference_t<Fs>...>;

template <class Strategy>
concept chain_strategy = mode_tag<Strategy> || std::same_as<std::remove_cvref_t<Strategy>, planned_t>;

template <class Strategy, class X, class... Fs>
jacobian_chain_result run_chain(Strategy, const jacobian_chain_options& options, const X& x, Fs&... fs) {
    static_assert(sizeof...(Fs) >= 1, "duet::jacobian_chain: give at least one stage");
    const pack_for<X, Fs...> pack{std::tie(fs...)};
    const auto xs = primal_values(pack, x);
    constexpr bool is_forward = std::is_same_v<Strategy, forward_t>;
    constexpr bool is_reverse = std::is_same_v<Strategy, reverse_t>;
    jacobian_chain_plan plan = make_plan(pack, xs, options, !(is_forward || is_reverse));
    if constexpr (is_forward)
        make_pure_plan(plan, jacobian_chain_step_kind::tangent);
    else if constexpr (is_reverse)
        make_pure_plan(plan, jacobian_chain_step_kind::adjoint);
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
        throw std::invalid_argument("duet::jacobian_chain_order: a chain of k stages needs k + 1 sizes; got " +
                                    std::to_string(dims.size()));
    if (options.stage_costs.size() + 1 != dims.size())
        throw std::invalid_argument("duet::jacobian_chain_order: " + std::to_string(dims.size()) +
                                    " sizes describe " + std::to_string(dims.size() - 1) + " stages but " +
                                    std::to_string(options.stage_costs.size()) + " stage costs were given");
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
    static_assert(sizeof...(Fs) >= 1, "duet::plan_jacobian_chain: give at least one stage");
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
    static_assert(sizeof...(Fs) >= 1, "duet::jacobian_chain: give at least one stage");
    if (plan.stages() != sizeof...(Fs))
        throw std::invalid_argument("duet::jacobian_chain: the plan has " + std::to_string(plan.stages()) +
                                    " stages but " + std::to_string(sizeof...(Fs)) + " were given");
    if (std::size(x) != plan.dims[0])
        throw std::invalid_argument("duet::jacobian_chain: x has " + std::to_string(std::size(x)) +
                                    " elements but the plan expects " + std::to_string(plan.dims[0]));
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
