// The differential checks of the random-program fuzzer (doc/testing.md).
//
// For each program (test/fuzz/program.hpp) and each accepted point x:
//   plain      value in double (and long double, with a trace)
//   forward    dual<double, 4>, lane i seeded with e_i: value, gradient;
//              lanes beyond the inputs must stay exactly 0
//   tape       var<double> on a duet::tape<double>: value, gradient
//   nested     dual<dual<double>>, seeded with directions v (inner) and u
//              (outer): f, g.v, g.u and u^T H v
//   fwd/tape   var<dual<double>> on a tape<dual<double>>, x seeded with v:
//              adjoints = g + eps H v: g and u^T (H v)
//   central    long-double central differences of f (gradient), and double
//              central differences of the forward g.v along u (u^T H v)
// and compares
//   values:    every mode's value = the plain double value (1e-13 relative)
//   modes:     forward = tape = fwd/tape gradients, g.u, g.v (nested) = the
//              forward gradient's, nested u^T H v = fwd/tape u^T H v, all at
//              1e-10 normwise relative
//   oracle:    gradient vs central differences, u^T H v vs central
//              differences, where central differences are reliable (below)
//   finiteness: a NaN or infinite derivative where the value is finite and
//              central differences are reliable and finite is a mismatch
//              (issue 10, items 10 and 12)
//
// Where central differences are reliable. A coordinate's central
// difference is used only if
//   1. every stencil point took the same path as x: the trace of decisions
//      (every branch, comparison, kink side, floor value) is identical, so
//      no branch switch or kink lies between the stencil points;
//   2. f is finite at every stencil point;
//   3. the two step sizes agree: with D(h) and D(h/2) the central
//      differences, Richardson's R = (4 D(h/2) - D(h)) / 3 is used and
//      |D(h) - D(h/2)| must be below 1e-4 of the scale (else the function
//      varies too fast at this scale: skipped, counted as unreliable).
// The tolerance is then |ad - R| <= 1e-6 * scale + 4 |D(h) - D(h/2)| +
// rounding, where scale = max(|g|_inf, |R|_inf) over the gradient and
// rounding = 64 * ops * eps_ld * largest / h (every operation's rounding
// error is at most eps times the largest magnitude the program met: a
// bound, not an estimate). 1e-6 is loose for central differences (long
// double Richardson differences are accurate to ~1e-12 on smooth programs)
// and still catches every wrong rule, which is wrong by O(1) in some
// partial; test "fuzz: the checker catches wrong derivatives" shows a 1e-5
// error being caught.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <duet/duet.hpp>

#include "program.hpp"

namespace fuzz {

inline constexpr std::size_t max_inputs = 4;
inline constexpr double modes_tol = 1e-10;
inline constexpr double values_tol = 1e-13;
inline constexpr double fd_tol = 1e-6;
inline constexpr double fd_second_tol = 1e-5;
inline constexpr double fd_agreement = 1e-4;

struct counters {
    long programs = 0;
    long points = 0;              // accepted points, all modes compared
    long rejected_points = 0;     // plain value not finite / too large
    long programs_without_point = 0;
    long fd_checked = 0;          // coordinates checked against central differences
    long fd_path_changes = 0;     // skipped: a branch or kink inside the stencil
    long fd_unreliable = 0;       // skipped: step sizes disagree or non-finite
    long second_checked = 0;
    long second_skipped = 0;
    long nonfinite_unverified = 0;  // NaN/inf derivative where central differences cannot tell
    long std_minmax_nan = 0;        // points where std::max/min met a NaN (see trace)
    long fd_fast_varying = 0;       // points where the derivative varies too fast for central differences
    long fd_ill_conditioned = 0;    // points where the double program is inaccurate (double vs long double value)
    long cancellations = 0;  // reverse NaN where forward's sum cancelled (doc/conventions.md)
    long mismatches = 0;
    std::map<std::string, long> kinds;  // mismatches by reason
    std::vector<std::string> reports;  // the first few mismatches, in full

    void add(const counters& o) {
        programs += o.programs;
        points += o.points;
        rejected_points += o.rejected_points;
        programs_without_point += o.programs_without_point;
        fd_checked += o.fd_checked;
        fd_path_changes += o.fd_path_changes;
        fd_unreliable += o.fd_unreliable;
        second_checked += o.second_checked;
        second_skipped += o.second_skipped;
        nonfinite_unverified += o.nonfinite_unverified;
        std_minmax_nan += o.std_minmax_nan;
        fd_fast_varying += o.fd_fast_varying;
        fd_ill_conditioned += o.fd_ill_conditioned;
        cancellations += o.cancellations;
        mismatches += o.mismatches;
        for (const auto& [k, v] : o.kinds) kinds[k] += v;
        for (const auto& r : o.reports)
            if (reports.size() < 20) reports.push_back(r);
    }
    std::string summary() const {
        std::ostringstream os;
        os << programs << " programs, " << points << " points (" << rejected_points << " rejected, "
           << programs_without_point << " programs without a usable point), " << fd_checked
           << " partials against central differences (" << fd_path_changes << " skipped for a path change, "
           << fd_unreliable << " unreliable), " << second_checked << " second derivatives against central differences ("
           << second_skipped << " skipped), " << nonfinite_unverified << " non-finite derivatives unverifiable, "
           << std_minmax_nan << " points where std::max/min met a NaN (modes compared, not the plain value), "
           << fd_fast_varying << " points too fast-varying and " << fd_ill_conditioned
           << " too ill-conditioned for central differences, " << cancellations
           << " points where reverse gave NaN for a zero that forward reached by cancellation (the documented "
              "limit of the strong-zero rule), "
           << mismatches << " mismatches";
        for (const auto& [k, v] : kinds) os << "\n    " << v << " x " << k;
        return os.str();
    }
};

// A deliberate error for the checker's own test: added to the result of the
// AD types selected (value exactly unchanged).
struct sabotage {
    double first_order = 0;   // every AD mode: derivative wrong by this
    double tape_only = 0;     // only the tape modes
};

template <class T>
inline constexpr bool is_var = false;
template <class T>
inline constexpr bool is_var<duet::var<T>> = true;

template <class T>
T run_checked(const program& p, const std::vector<T>& x, const sabotage& s, magnitudes* mg = nullptr) {
    T y = run(p, x, nullptr, mg);
    if constexpr (!is_plain<T>) {
        const double x0 = static_cast<double>(plain_value(x[0]));
        if (s.first_order != 0) y = y + s.first_order * (x[0] - x0);
        if constexpr (is_var<T>)
            if (s.tape_only != 0) y = y + s.tape_only * (x[0] - x0);
    }
    return y;
}

// ---- results of one point ---------------------------------------------------------

struct point_results {
    std::vector<double> x, u, v;
    double value = 0;
    long double value_ld = 0;
    double value_forward = 0, value_tape = 0, value_nested = 0, value_fwd_tape = 0;
    std::vector<double> g_forward, g_tape, g_fwd_tape;
    std::array<double, max_inputs> unused_lanes{};
    double gv_nested = 0, gu_nested = 0, uhv_nested = 0, uhv_fwd_tape = 0;
    std::vector<double> fd;           // NaN where skipped
    std::vector<double> fd_tolerance;
    double fd_uhv = NAN, fd_uhv_tolerance = 0;
    magnitudes mg;
    double first_rounding = 0, second_rounding = 0;  // allowances between modes
};

inline std::string show(const std::vector<double>& v) {
    std::ostringstream os;
    os.precision(17);
    os << "{";
    for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
    os << "}";
    return os.str();
}

inline std::string describe(const point_results& r) {
    std::ostringstream os;
    os.precision(17);
    os << "  x = " << show(r.x) << ", u = " << show(r.u) << ", v = " << show(r.v) << "\n";
    os << "  value: plain " << r.value << " (long double " << static_cast<double>(r.value_ld) << "), forward "
       << r.value_forward << ", tape " << r.value_tape << ", nested " << r.value_nested << ", forward-over-tape "
       << r.value_fwd_tape << "\n";
    os << "  gradient: forward " << show(r.g_forward) << "\n            tape " << show(r.g_tape)
       << "\n            forward-over-tape " << show(r.g_fwd_tape) << "\n            central " << show(r.fd)
       << " (tolerance " << show(r.fd_tolerance) << ")\n";
    os << "  nested: g.v " << r.gv_nested << ", g.u " << r.gu_nested << ", u^T H v " << r.uhv_nested
       << "; forward-over-tape u^T H v " << r.uhv_fwd_tape << "; central " << r.fd_uhv << " (tolerance "
       << r.fd_uhv_tolerance << ")\n";
    os << "  largest derivative components: first order " << r.mg.first << ", second order " << r.mg.second
       << " (rounding allowances " << r.first_rounding << ", " << r.second_rounding << ")\n";
    return os.str();
}

// ---- central differences with the path rule ----------------------------------------------

struct central_result {
    bool usable = false;
    bool path_change = false;
    double value = NAN;      // Richardson's estimate
    double tolerance = 0;    // the allowed |ad - value| (without the relative part)
    double disagreement = 0; // |D(h) - D(h/2)|
};

// d/dt F(t) at t = 0, where F(t) evaluates with a trace; same_path(trace)
// tells whether a trace equals the centre's.
template <class Eval>
central_result central(Eval&& eval, const trace& centre, double h, bool two_scales) {
    // Steps h, h/2 (Richardson pair A) and, with two_scales, h/32, h/64
    // (pair B): a feature of the function between the two scales (an
    // oscillation the large steps average out) makes the pairs disagree.
    // (Not for double differences of a derivative, whose rounding at h/64
    // would swamp the comparison.)
    central_result out;
    long double values[8];
    const double steps[8] = {h, -h, h / 2, -h / 2, h / 32, -h / 32, h / 64, -h / 64};
    const int count = two_scales ? 8 : 4;
    double largest = centre.largest;
    long ops = centre.operations;
    for (int i = 0; i < count; ++i) {
        trace t;
        values[i] = eval(steps[i], &t);
        if (!std::isfinite(static_cast<double>(values[i]))) return out;
        if (t.decisions != centre.decisions) {
            out.path_change = true;
            return out;
        }
        largest = std::max(largest, t.largest);
        ops = std::max(ops, t.operations);
    }
    const auto difference = [&](int i) {
        return (values[i] - values[i + 1]) / (2.0L * static_cast<long double>(steps[i]));
    };
    const long double a1 = difference(0), a2 = difference(2);
    const long double ra = (4 * a2 - a1) / 3;
    out.value = static_cast<double>(ra);
    out.disagreement = static_cast<double>(std::abs(a1 - a2));
    double smallest_step = h;
    if (two_scales) {
        const long double b1 = difference(4), b2 = difference(6);
        const long double rb = (4 * b2 - b1) / 3;
        out.disagreement = std::max(out.disagreement, static_cast<double>(std::abs(ra - rb)));
        smallest_step = h / 64;
    }
    const double rounding = 64.0 * double(ops + 1) * double(std::numeric_limits<long double>::epsilon()) *
                            std::max(largest, 1.0) / smallest_step;
    out.tolerance = 4 * out.disagreement + rounding;
    out.usable = std::isfinite(out.value);
    return out;
}

// ---- one point --------------------------------------------------------------------

inline bool finite_all(const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double e) { return std::isfinite(e); });
}

// |a - b| <= tol * max(|a|_inf, |b|_inf) + allowance, NaN-aware: both NaN
// in the same places agree there, infinities must be equal.
inline bool agree(const std::vector<double>& a, const std::vector<double>& b, double tol, double allowance = 0) {
    if (a.size() != b.size()) return false;
    double scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) != std::isnan(b[i])) return false;
        if (std::isinf(a[i]) || std::isinf(b[i])) {
            if (a[i] != b[i]) return false;
            continue;
        }
        if (!std::isnan(a[i])) scale = std::max({scale, std::abs(a[i]), std::abs(b[i])});
    }
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::isfinite(a[i]) && std::abs(a[i] - b[i]) > tol * scale + allowance) return false;
    return true;
}
inline bool agree(double a, double b, double tol, double scale, double allowance = 0) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b)) return a == b;
    return std::abs(a - b) <= tol * std::max({scale, std::abs(a), std::abs(b)}) + allowance;
}

struct point_verdict {
    bool mismatch = false;
    std::vector<std::string> why;
};

// Evaluates every mode at x and compares. Returns the verdict; counts into c.
inline point_verdict check_point(const program& p, const std::vector<double>& x, const std::vector<double>& u,
                                 const std::vector<double>& v, const trace& centre, const sabotage& sab,
                                 point_results& r, counters& c) {
    const std::size_t n = x.size();
    r.x = x;
    r.u = u;
    r.v = v;
    r.value = run_checked(p, x, sab);
    {
        std::vector<long double> xl(x.begin(), x.end());
        r.value_ld = run_checked(p, xl, sab);
    }

    // forward: 4 lanes, lane i = e_i
    {
        using D = duet::dual<double, max_inputs>;
        std::vector<D> xs;
        for (std::size_t i = 0; i < n; ++i) {
            std::array<double, max_inputs> t{};
            t[i] = 1.0;
            xs.push_back(D(x[i], t));
        }
        const D y = run_checked(p, xs, sab, &r.mg);
        r.value_forward = y.value();
        r.g_forward.assign(y.tangents().begin(), y.tangents().begin() + static_cast<std::ptrdiff_t>(n));
        for (std::size_t i = n; i < max_inputs; ++i) r.unused_lanes[i] = y.tangent(i);
    }
    // tape
    {
        duet::tape<double> tape;
        std::vector<duet::var<double>> xs;
        for (double xi : x) xs.emplace_back(xi);
        const duet::var<double> y = run_checked(p, xs, sab);
        tape.backward(y);
        r.value_tape = y.value();
        for (const auto& xi : xs) r.g_tape.push_back(xi.adjoint());
    }
    // nested forward: inner direction v, outer direction u
    {
        using D1 = duet::dual<double>;
        using D2 = duet::dual<D1>;
        std::vector<D2> xs;
        for (std::size_t i = 0; i < n; ++i) xs.push_back(D2(D1(x[i], v[i]), D1(u[i], 0.0)));
        const D2 y = run_checked(p, xs, sab, &r.mg);
        r.value_nested = y.value().value();
        r.gv_nested = y.value().tangent();
        r.gu_nested = y.tangent().value();
        r.uhv_nested = y.tangent().tangent();
    }
    // forward over the tape: x seeded with v
    {
        using D1 = duet::dual<double>;
        duet::tape<D1> tape;
        std::vector<duet::var<D1>> xs;
        for (std::size_t i = 0; i < n; ++i) xs.emplace_back(D1(x[i], v[i]));
        const duet::var<D1> y = run_checked(p, xs, sab);
        tape.backward(y);
        r.value_fwd_tape = y.value().value();
        double uhv = 0;
        for (std::size_t i = 0; i < n; ++i) {
            r.g_fwd_tape.push_back(xs[i].adjoint().value());
            uhv += u[i] * xs[i].adjoint().tangent();
        }
        r.uhv_fwd_tape = uhv;
    }

    point_verdict verdict;
    auto fail = [&](const std::string& why) {
        verdict.mismatch = true;
        verdict.why.push_back(why);
    };

    // Rounding differences between modes. A result that cancels (x / (x / c)
    // has derivative exactly 0, computed as rounding noise) is accurate only
    // relative to the derivatives it was computed from, so every comparison
    // is normwise on the scale of the largest derivative component any
    // statement wrote (measured in the dual runs): first order for
    // gradients, first and second order for u^T H v.
    r.first_rounding = modes_tol * r.mg.first;
    r.second_rounding = modes_tol * std::max(r.mg.first, r.mg.second);
    const bool plain_comparable = !centre.std_minmax_nan;
    if (!plain_comparable) c.std_minmax_nan++;

    // values
    const double vscale = std::abs(r.value);
    if (plain_comparable) {
        if (!agree(r.value_forward, r.value, values_tol, vscale)) fail("forward value differs from the plain value");
        if (!agree(r.value_tape, r.value, values_tol, vscale)) fail("tape value differs from the plain value");
        if (!agree(r.value_nested, r.value, values_tol, vscale)) fail("nested value differs from the plain value");
        if (!agree(r.value_fwd_tape, r.value, values_tol, vscale))
            fail("forward-over-tape value differs from the plain value");
    } else {
        if (!agree(r.value_tape, r.value_forward, values_tol, 0) || !agree(r.value_nested, r.value_forward, values_tol, 0) ||
            !agree(r.value_fwd_tape, r.value_forward, values_tol, 0))
            fail("the modes' values differ");
    }

    // modes
    for (std::size_t i = n; i < max_inputs; ++i)
        if (r.unused_lanes[i] != 0.0) fail("an unseeded forward lane is not exactly 0 (strong zero)");
    // The documented limit of the strong-zero rule (doc/conventions.md): a
    // zero that forward mode reaches by cancellation (z = x - x) meets an
    // infinite partial; forward gives 0, a reverse sweep inf - inf = NaN.
    // Recognised as: reverse is NaN exactly where forward is finite, and
    // everything else agrees. Counted, not a mismatch.
    bool cancelled = false;
    auto forward_cancelled = [&](double forward, double reverse, double tol, double scale) {
        if (std::isnan(reverse) && std::isfinite(forward)) {
            cancelled = true;
            return true;
        }
        return agree(forward, reverse, tol, scale);
    };
    bool gradients_agree = agree(r.g_forward, r.g_tape, modes_tol, r.first_rounding);
    if (!gradients_agree && r.g_forward.size() == r.g_tape.size()) {
        gradients_agree = true;
        for (std::size_t i = 0; i < r.g_forward.size(); ++i)
            gradients_agree = forward_cancelled(r.g_forward[i], r.g_tape[i], modes_tol,
                                                r.first_rounding / modes_tol) && gradients_agree;
    }
    if (!gradients_agree) fail("forward and tape gradients differ");
    if (!agree(r.g_fwd_tape, r.g_tape, modes_tol, r.first_rounding))
        fail("forward-over-tape gradient differs from the tape's");
    double gv = 0, gu = 0, gscale = 0;
    for (std::size_t i = 0; i < n; ++i) {
        gv += r.g_forward[i] * v[i];
        gu += r.g_forward[i] * u[i];
        gscale = std::max(gscale, std::abs(r.g_forward[i]));
    }
    if (!agree(r.gv_nested, gv, modes_tol, gscale, r.first_rounding))
        fail("nested g.v differs from the forward gradient's");
    if (!agree(r.gu_nested, gu, modes_tol, gscale, r.first_rounding))
        fail("nested g.u differs from the forward gradient's");
    if (!agree(r.uhv_nested, r.uhv_fwd_tape, modes_tol, 0.0, r.second_rounding) &&
        !(cancelled && std::isnan(r.uhv_fwd_tape) && std::isfinite(r.uhv_nested)))
        fail("nested and forward-over-tape u^T H v differ");
    if (cancelled && !verdict.mismatch) c.cancellations++;

    // central differences of f, coordinate by coordinate, in long double.
    // Not where the derivative itself changes by more than 1% of its scale
    // across the stencil (judged by the largest second-order component the
    // program wrote): a tiny fast oscillation (sin of a huge argument)
    // escapes the two-step test, whose steps all average it out.
    r.fd.assign(n, NAN);
    r.fd_tolerance.assign(n, 0.0);
    double fd_scale = gscale;
    std::vector<central_result> cr(n);
    double widest = 0;
    for (double xi : x) widest = std::max(widest, 1e-3 * std::max(1.0, std::abs(xi)));
    const bool fast_varying = centre.fd_hopeless ||
                              r.mg.second * widest > 1e-2 * std::max({r.mg.first, gscale, 1e-300});
    // The double program itself is inaccurate (its value differs from the
    // long double program's by more than 1e-12): its derivatives need not
    // match the long double function's.
    const bool ill_conditioned =
        std::abs(static_cast<long double>(r.value) - r.value_ld) > 1e-12L * std::max(std::abs(r.value_ld), 1.0L);
    const bool fd_possible = plain_comparable && !fast_varying && !ill_conditioned;
    if (plain_comparable && fast_varying) c.fd_fast_varying++;
    if (plain_comparable && !fast_varying && ill_conditioned) c.fd_ill_conditioned++;
    for (std::size_t i = 0; i < n && fd_possible; ++i) {
        const double h = 1e-4 * std::max(1.0, std::abs(x[i]));
        cr[i] = central(
            [&](double step, trace* t) {
                std::vector<long double> xl(x.begin(), x.end());
                xl[i] += step;
                return run(p, xl, t);
            },
            centre, h, true);
        if (cr[i].path_change) {
            c.fd_path_changes++;
            continue;
        }
        if (!cr[i].usable) {
            c.fd_unreliable++;
            continue;
        }
        fd_scale = std::max(fd_scale, std::abs(cr[i].value));
    }
    const bool derivatives_finite = finite_all(r.g_forward) && finite_all(r.g_tape);
    for (std::size_t i = 0; i < n && fd_possible; ++i) {
        if (!cr[i].usable) continue;
        if (cr[i].disagreement > fd_agreement * std::max(fd_scale, 1e-300)) {
            c.fd_unreliable++;
            continue;
        }
        r.fd[i] = cr[i].value;
        r.fd_tolerance[i] = fd_tol * fd_scale + cr[i].tolerance;
        c.fd_checked++;
        const double ad = r.g_forward[i];
        // (A NaN on the tape alone at a cancellation is the documented
        // limit counted above; forward is still checked here.)
        const bool tape_cancelled = cancelled && std::isnan(r.g_tape[i]) && std::isfinite(ad);
        if (!std::isfinite(ad) || (!std::isfinite(r.g_tape[i]) && !tape_cancelled)) {
            fail("a derivative is NaN or infinite where central differences are finite and reliable (partial " +
                 std::to_string(i) + ")");
        } else if (std::abs(ad - cr[i].value) > r.fd_tolerance[i]) {
            fail("gradient differs from central differences (partial " + std::to_string(i) + ")");
        }
    }
    if (!derivatives_finite && fd_possible) {
        bool all_checked = true;
        for (std::size_t i = 0; i < n; ++i) all_checked = all_checked && !std::isnan(r.fd[i]);
        if (!all_checked) c.nonfinite_unverified++;
    }

    // central differences of the forward g.v along u: u^T H v
    if (derivatives_finite && fd_possible) {
        const double h = 1e-3 * std::max(1.0, *std::max_element(x.begin(), x.end(), [](double a, double b) {
            return std::abs(a) < std::abs(b);
        }));
        using D = duet::dual<double, max_inputs>;
        auto gv_at = [&](double step, trace* t) -> long double {
            std::vector<double> xs(x);
            for (std::size_t i = 0; i < n; ++i) xs[i] += step * u[i];
            std::vector<long double> xl(xs.begin(), xs.end());
            run(p, xl, t);  // the trace of the moved point
            std::vector<D> xd;
            for (std::size_t i = 0; i < n; ++i) {
                std::array<double, max_inputs> tt{};
                tt[0] = v[i];
                xd.push_back(D(xs[i], tt));
            }
            return run_checked(p, xd, sab).tangent(0);
        };
        const central_result c2 = central(gv_at, centre, h, false);
        if (c2.usable && !c2.path_change) {
            double hscale = 0;
            for (std::size_t i = 0; i < n; ++i) hscale = std::max(hscale, std::abs(r.g_forward[i]));
            const double scale = std::max({std::abs(c2.value), std::abs(r.uhv_nested), 1e-300});
            // Double (not long double) differences of a derivative: g.v is
            // accurate to ops * eps_d times the largest first-order
            // component (it may cancel to rounding noise), and the
            // difference divides that by h.
            const double rounding = 64.0 * double(centre.operations + 4) * std::numeric_limits<double>::epsilon() *
                                    std::max({hscale, r.mg.first, 1.0}) / h;
            if (c2.disagreement <= fd_agreement * std::max(scale, hscale)) {
                r.fd_uhv = c2.value;
                r.fd_uhv_tolerance = fd_second_tol * std::max(scale, 1e-3 * hscale) + 4 * c2.disagreement + rounding;
                c.second_checked++;
                if (std::isfinite(r.uhv_nested) && std::abs(r.uhv_nested - c2.value) > r.fd_uhv_tolerance)
                    fail("u^T H v differs from central differences of g.v");
                if (!std::isfinite(r.uhv_nested)) fail("u^T H v is NaN or infinite where central differences are finite");
            } else {
                c.second_skipped++;
            }
        } else {
            c.second_skipped++;
        }
    }
    return verdict;
}

// ---- a run -----------------------------------------------------------------------

struct run_options {
    std::uint64_t seed = 20261207;
    std::uint64_t first = 0;
    long programs = 200;
    int points_per_program = 3;
    sabotage sab{};
    int max_reports = 5;
};

inline std::string reproduce_line(const run_options& o, std::uint64_t index) {
    std::ostringstream os;
    os << "reproduce: DUET_FUZZ_SEED=" << o.seed << " DUET_FUZZ_FIRST=" << index << " DUET_FUZZ_PROGRAMS=1";
    return os.str();
}

// The points of program `index`: x_i uniform in [-2, 2] (one in four in
// [-6, 6]), directions u, v uniform in [-1, 1].
inline counters run_programs(const run_options& o) {
    counters total;
    for (long k = 0; k < o.programs; ++k) {
        const std::uint64_t index = o.first + std::uint64_t(k);
        const program p = generate(o.seed, index);
        rng g(program_seed(o.seed, index) ^ 0x5bd1e995ULL);
        total.programs++;
        int accepted = 0;
        bool reported = false;
        for (int attempt = 0; attempt < 4 * o.points_per_program && accepted < o.points_per_program; ++attempt) {
            const double width = g.chance(0.25) ? 6.0 : 2.0;
            std::vector<double> x(std::size_t(p.inputs)), u(x.size()), v(x.size());
            for (auto& e : x) e = g.uniform(-width, width);
            for (auto& e : u) e = g.uniform(-1, 1);
            for (auto& e : v) e = g.uniform(-1, 1);
            trace centre;
            std::vector<long double> xl(x.begin(), x.end());
            const long double value = run(p, xl, &centre);
            const double vd = run(p, x);
            // Rejected: a value that is not finite or beyond 1e12 anywhere
            // (central differences need moderate values), a nonzero value
            // below 1e-150 anywhere (products of partials underflow to
            // subnormals and lose their relative accuracy in every mode),
            // copysign reading the sign of a NaN (unspecified).
            if (!std::isfinite(static_cast<double>(value)) || !std::isfinite(vd) || std::abs(vd) > 1e12 ||
                centre.largest > 1e12 || centre.smallest < 1e-150 || centre.nan_sign) {
                total.rejected_points++;
                continue;
            }
            ++accepted;
            total.points++;
            point_results r;
            const point_verdict verdict = check_point(p, x, u, v, centre, o.sab, r, total);
            if (verdict.mismatch) {
                total.mismatches++;
                for (const auto& w : verdict.why) total.kinds[w.substr(0, w.find(" (partial"))]++;
                if (int(total.reports.size()) < o.max_reports && !reported) {
                    reported = true;  // one report per program
                    std::ostringstream os;
                    os << "MISMATCH in program " << index << " (seed " << o.seed << "):";
                    for (const auto& w : verdict.why) os << "\n  - " << w;
                    os << "\n" << to_cpp(p) << describe(r) << reproduce_line(o, index) << "\n";
                    total.reports.push_back(os.str());
                }
            }
        }
        if (accepted == 0) total.programs_without_point++;
    }
    return total;
}

inline long env_long(const char* name, long fallback) {
    const char* s = std::getenv(name);
    if (!s || !*s) return fallback;
    return std::strtol(s, nullptr, 10);
}
inline std::uint64_t env_u64(const char* name, std::uint64_t fallback) {
    const char* s = std::getenv(name);
    if (!s || !*s) return fallback;
    return std::strtoull(s, nullptr, 10);
}

}  // namespace fuzz
