// Forward versus reverse on the user's own function, in one line:
//
//   auto c = duet::compare_modes(f, x);      // x: container, tensor or scalars
//   std::cout << c.str();
//
// Runs every mode the argument kind has through the same drivers the user
// calls, each timed on f at x (CPU time per call, repeated until two batches
// agree), next to what the cost model predicted (drivers/cost_model.hpp, in
// plain evaluations of f), and recommends the fastest:
//
//   containers, f -> scalar   forward at 1, 2, 4, 8 lanes; reverse (tape);
//                             automatic
//   containers, f -> vector   the same for the Jacobian
//   scalars f(x1, ..., xn)    forward (one pass of n lanes); reverse (the
//                             static adjoint: f must be one expression, as
//                             for gradient(reverse, ...)); the tape (f
//                             applied to a std::array of vars); automatic
//   one tensor                forward at 1, 8, 32 lanes per pass and reverse
//                             for the Jacobian (gradient: forward, reverse);
//                             automatic
//
// "plain" is f on the plain numbers (containers and scalars; for tensors f
// cannot run without the tensor drivers, so ratios there are to the fastest
// mode). The figures are one machine's at one moment: they answer "which
// mode for this function here", not a benchmark (benchmark/ has those).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <ctime>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/drivers/automatic.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/container_jacobian.hpp"
#include "duet/drivers/cost_model.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/drivers/scalar.hpp"
#include "duet/drivers/tensor.hpp"

namespace duet {

struct mode_timing {
    std::string mode;  // "forward, 8 lanes", "reverse (tape)", "automatic (-> forward)", ...
    double ns = 0;     // CPU time per call
    double predicted = std::numeric_limits<double>::quiet_NaN();  // cost model, plain evaluations
};

struct mode_comparison {
    std::string derivative;  // "gradient" or "jacobian"
    std::size_t n = 0, m = 0;
    double plain_ns = std::numeric_limits<double>::quiet_NaN();  // f on plain numbers
    std::vector<mode_timing> modes;
    std::string automatic;    // what duet::automatic runs here
    std::string recommended;  // the fastest measured mode
    std::string reason;

    const mode_timing& fastest() const {
        return *std::min_element(modes.begin(), modes.end(),
                                 [](const mode_timing& a, const mode_timing& b) { return a.ns < b.ns; });
    }

    // A table: mode, ns per call, ratio to plain f (or to the fastest mode),
    // the model's prediction; then the recommendation and why.
    std::string str() const {
        std::ostringstream os;
        const bool have_plain = !std::isnan(plain_ns);
        const double unit = have_plain ? plain_ns : fastest().ns;
        os << derivative << " of f: R^" << n << " -> R^" << m << "\n";
        if (have_plain) os << "  plain f: " << std::fixed << std::setprecision(1) << plain_ns << " ns\n";
        os << "  " << std::left << std::setw(28) << "mode" << std::right << std::setw(12) << "ns/call" << std::setw(12)
           << (have_plain ? "x plain f" : "x fastest") << std::setw(12) << "predicted" << "\n";
        for (const auto& r : modes) {
            os << "  " << std::left << std::setw(28) << r.mode << std::right << std::fixed << std::setprecision(1)
               << std::setw(12) << r.ns << std::setprecision(2) << std::setw(12) << r.ns / unit << std::setw(12);
            if (std::isnan(r.predicted))
                os << "-";
            else
                os << std::setprecision(2) << r.predicted;
            os << "\n";
        }
        os << "  recommended: " << recommended << " (" << reason << ")\n";
        return os.str();
    }
};

namespace detail::compare {

// CPU seconds of this process.
inline double cpu_seconds() { return double(std::clock()) / double(CLOCKS_PER_SEC); }

// CPU ns per call of fn: batches of at least 5 ms (std::clock's resolution
// is 1 us or coarser), repeated until the two fastest batches agree within
// 3 % (at most 9 batches); the fastest batch.
template <class Fn>
double cpu_ns(Fn&& fn) {
    fn();  // warm-up: allocations, workspace tape, caches
    std::size_t reps = 1;
    for (;;) {  // grow the batch to >= 5 ms
        const double t0 = cpu_seconds();
        for (std::size_t r = 0; r < reps; ++r) fn();
        if (cpu_seconds() - t0 >= 5e-3 || reps >= (std::size_t(1) << 26)) break;
        reps *= 2;
    }
    std::vector<double> batches;
    for (int b = 0; b < 9; ++b) {
        const double t0 = cpu_seconds();
        for (std::size_t r = 0; r < reps; ++r) fn();
        batches.push_back((cpu_seconds() - t0) * 1e9 / double(reps));
        if (batches.size() >= 3) {
            std::vector<double> sorted = batches;
            std::sort(sorted.begin(), sorted.end());
            if (sorted[1] <= sorted[0] * 1.03) break;
        }
    }
    return *std::min_element(batches.begin(), batches.end());
}

// The result escapes (as far as the optimiser knows), so the call that made
// it is not optimised away.
template <class T>
void retain(const T& value) {
#if defined(__GNUC__) || defined(__clang__)
    asm volatile("" : : "g"(&value) : "memory");
#else
    static volatile const void* sink;
    sink = static_cast<const void*>(&value);
#endif
}

// Fills in the recommendation: the fastest mode, and how automatic compares.
inline void recommend(mode_comparison& c) {
    const auto& best = c.fastest();
    c.recommended = best.mode;
    std::ostringstream why;
    why << "fastest measured";
    for (const auto& r : c.modes)
        if (r.mode.rfind("automatic", 0) == 0) {
            const double ratio = r.ns / best.ns;
            if (&r == &best || ratio <= 1.10)
                why << "; automatic (" << c.automatic << ") is within 10 %";
            else
                why << "; automatic (" << c.automatic << ") is " << std::setprecision(3) << ratio << "x slower here";
        }
    c.reason = why.str();
}

inline std::string lanes_label(std::size_t lanes) {
    return "forward, " + std::to_string(lanes) + (lanes == 1 ? " lane" : " lanes");
}

// The lanes a pass with at most MaxLanes lanes uses for n directions
// (with_lanes: n = 3 takes 4 lanes, n = 4 with at most 8 takes 4).
template <std::size_t MaxLanes>
std::size_t lanes_used(std::size_t n) {
    return with_lanes<MaxLanes>(n, []<std::size_t L>() { return L; });
}

// Whether the widths up to MaxLanes give a row of their own: not when a
// narrower maximum already runs the same lane count.
template <std::size_t MaxLanes>
bool lanes_add_a_row(std::size_t n) {
    if constexpr (MaxLanes == 1)
        return true;
    else
        return lanes_used<MaxLanes>(n) != lanes_used<MaxLanes / 2>(n);
}

inline double passes(std::size_t n, std::size_t lanes) { return double(std::max<std::size_t>(1, (n + lanes - 1) / lanes)); }

// Forward at 1, 2, 4, 8 lanes: body.template operator()<L>() times one.
template <class Body>
void for_each_forward_width(Body&& body) {
    body.template operator()<1>();
    body.template operator()<2>();
    body.template operator()<4>();
    body.template operator()<jacobian_cost_model::forward_lanes>();
}

template <class F, class C>
mode_comparison containers(F& f, const C& x) {
    using M = jacobian_cost_model;
    mode_comparison c;
    c.n = size_of(x);
    using Probe = rebind_container<C, driver_dual<F, C, 1>>;
    using R = std::remove_cvref_t<std::invoke_result_t<F&, const Probe&>>;
    constexpr bool vector_valued = requires(const R& r) {
        std::size(r);
        r[0];
    };
    if constexpr (callable_with<F&, const C&>) {
        c.plain_ns = cpu_ns([&] { retain(f(x)); });
    }
    if constexpr (vector_valued) {
        c.derivative = "jacobian";
        const auto probe = build_container<Probe>(c.n, [&](std::size_t i) { return driver_dual<F, C, 1>(x[i]); });
        c.m = size_of(f(probe));
        for_each_forward_width([&]<std::size_t L>() {
            if (!lanes_add_a_row<L>(c.n)) return;
            const std::size_t lanes = lanes_used<L>(c.n);
            c.modes.push_back({lanes_label(lanes), cpu_ns([&] { retain(forward_jacobian<L>(f, x)); }),
                               passes(c.n, lanes) * M::pass_cost(lanes)});
        });
        c.modes.push_back({"reverse (tape)", cpu_ns([&] { retain(reverse_jacobian(f, x)); }),
                           M::reverse(M::generic(), c.m, true)});
        const mode_choice choice = automatic_mode(argument_kind::container, derivative_kind::jacobian, c.n, c.m);
        c.automatic = to_string(choice);
        c.modes.push_back({"automatic (-> " + c.automatic + ")", cpu_ns([&] { retain(duet::jacobian(duet::automatic, f, x)); }),
                           choice == mode_choice::forward ? M::forward(c.n, c.m) : M::reverse(c.n, c.m)});
    } else {
        c.derivative = "gradient";
        c.m = 1;
        for_each_forward_width([&]<std::size_t L>() {
            if (!lanes_add_a_row<L>(c.n)) return;
            const std::size_t lanes = lanes_used<L>(c.n);
            c.modes.push_back({lanes_label(lanes), cpu_ns([&] { retain(forward_value_and_gradient<L>(f, x)); }),
                               passes(c.n, lanes) * M::pass_cost(lanes)});
        });
        c.modes.push_back({"reverse (tape)", cpu_ns([&] { retain(reverse_value_and_gradient(f, x)); }),
                           M::reverse(M::generic(), 1, true)});
        const mode_choice choice = automatic_mode(argument_kind::container, derivative_kind::gradient, c.n);
        c.automatic = to_string(choice);
        c.modes.push_back({"automatic (-> " + c.automatic + ")",
                           cpu_ns([&] { retain(duet::value_and_gradient(duet::automatic, f, x)); }),
                           choice == mode_choice::forward ? M::forward(c.n, 1) : M::reverse(c.n, 1)});
    }
    recommend(c);
    return c;
}

template <class F, class... X>
mode_comparison scalars(F& f, const X&... x) {
    mode_comparison c;
    c.derivative = "gradient";
    c.n = sizeof...(X);
    c.m = 1;
    using T = argument_number_t<X...>;
    if constexpr (callable_with<F&, const X&...>) {
        c.plain_ns = cpu_ns([&] { retain(f(x...)); });
    }
    c.modes.push_back({lanes_label(sizeof...(X)), cpu_ns([&] { retain(duet::value_and_gradient(duet::forward, f, x...)); })});
    c.modes.push_back({"reverse (static adjoint)", cpu_ns([&] { retain(duet::value_and_gradient(duet::reverse, f, x...)); })});
    // The tape: f applied to a std::array of vars.
    const std::array<T, sizeof...(X)> xs{T(x)...};
    auto on_array = [&f](const auto& a) { return std::apply(f, a); };
    c.modes.push_back({"reverse (tape)", cpu_ns([&] { retain(reverse_value_and_gradient(on_array, xs)); }),
                       jacobian_cost_model::reverse(jacobian_cost_model::generic(), 1, true)});
    c.automatic = to_string(automatic_mode(argument_kind::scalars, derivative_kind::gradient, c.n));
    c.modes.push_back({"automatic (-> " + c.automatic + ")", cpu_ns([&] { retain(duet::value_and_gradient(f, x...)); })});
    recommend(c);
    return c;
}

template <class F, std::size_t K>
mode_comparison tensors(F& f, const tensor<K>& x) {
    mode_comparison c;
    c.n = x.size();
    using E = std::remove_cvref_t<decltype(tensor_driver::call_with_tensor_vars(f, x))>;
    if constexpr (tensor_node<E> && E::rank > 0) {
        c.derivative = "jacobian";
        c.m = duet::jacobian(duet::reverse, f, x).shape(0);
        for (std::size_t lanes : {std::size_t(1), std::size_t(8), std::size_t(32)})
            c.modes.push_back({lanes_label(lanes), cpu_ns([&] { retain(duet::jacobian_forward_lanes(f, x, lanes)); })});
        c.modes.push_back({"reverse", cpu_ns([&] { retain(duet::jacobian(duet::reverse, f, x)); })});
        c.automatic = to_string(automatic_mode(argument_kind::tensor, derivative_kind::jacobian, c.n, c.m));
        c.modes.push_back({"automatic (-> " + c.automatic + ")", cpu_ns([&] { retain(duet::jacobian(duet::automatic, f, x)); })});
    } else {
        c.derivative = "gradient";
        c.m = 1;
        c.modes.push_back({"forward", cpu_ns([&] { retain(duet::value_and_gradient(duet::forward, f, x)); })});
        c.modes.push_back({"reverse", cpu_ns([&] { retain(duet::value_and_gradient(duet::reverse, f, x)); })});
        c.automatic = to_string(automatic_mode(argument_kind::tensor, derivative_kind::gradient, c.n));
        c.modes.push_back({"automatic (-> " + c.automatic + ")", cpu_ns([&] { retain(duet::value_and_gradient(f, x)); })});
    }
    recommend(c);
    return c;
}

}  // namespace detail::compare

// f of one container (std::vector / std::array): its gradient or Jacobian.
template <class F, container_argument C>
mode_comparison compare_modes(F&& f, const C& x) {
    if constexpr (!detail::container_callable<F, C, true, true>())
        return {};
    else
        return detail::compare::containers(f, x);
}

// f of scalar arguments: its gradient.
template <class F, class... X>
    requires(sizeof...(X) > 0 && (std::is_arithmetic_v<X> && ...))
mode_comparison compare_modes(F&& f, const X&... x) {
    return detail::compare::scalars(f, x...);
}

// f of one tensor: its gradient (rank-0 result) or Jacobian.
template <class F, std::size_t K>
mode_comparison compare_modes(F&& f, const tensor<K>& x) {
    return detail::compare::tensors(f, x);
}

}  // namespace duet
