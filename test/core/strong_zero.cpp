// The strong-zero rule (core/strong_zero.hpp): in every chain-rule product a
// factor that is exactly zero gives exactly zero, whatever the other factor
// (inf or NaN). Checked in every mode, within one statement and across
// statements (named locals in forward mode, statements on the tape), in
// both association orders: an infinite partial under a zero one, and a zero
// partial under an infinite one.
#include <cmath>
#include <limits>
#include <vector>

#include "../support/cross_check.hpp"

using duet_test::identical;
using duet_test::inf;
using duet_test::NaN;

namespace {

// Every mode's derivative of f at x, one statement (closed form) and the
// same computation split into named statements (g).
template <class F>
void all_modes_equal(const char* name, F f, double x, double want) {
    INFO(name << " at " << x);
    const auto r = duet_test::run_unary(f, x);
    INFO("forward " << r.d_forward << " reverse " << r.d_reverse << " tape " << r.d_tape);
    CHECK(identical(r.d_forward, want));
    CHECK(identical(r.d_reverse, want));
    CHECK(identical(r.d_tape, want));
    CHECK(identical(r.lanes[0], want));
    CHECK(identical(r.lanes[2], -2.0 * want));
    CHECK(r.lanes[1] == 0.0);
    CHECK_FALSE(std::signbit(r.d_forward));  // an exact zero is +0
    CHECK(identical(r.d2_ff, r.d2_fr));
    CHECK(identical(r.d2_ft, r.d2_fr));
}

template <class F>
double forward_statements(F f, double x) {
    duet::dual<double> d{x, 1.0};
    return f(d).tangent();
}
template <class F>
double tape_statements(F f, double x) {
    duet::tape<double> tape;
    duet::var<double> v = x;
    duet::var<double> y = f(v);
    tape.backward(y);
    return v.adjoint();
}

}  // namespace

TEST_CASE("a zero partial under an infinite one: sqrt(x * x) at 0", "[strong_zero]") {
    // d(x*x)/dx = 2x = 0 meets sqrt' = +inf: 0, as abs'(0) (the same function).
    all_modes_equal("sqrt(x*x)", [](auto x) { return sqrt(x * x); }, 0.0, 0.0);
    all_modes_equal("abs(x)", [](auto x) { return abs(x); }, 0.0, 0.0);
    // Named statements: the zero is a computed tangent / a recorded partial.
    auto split = [](auto x) {
        using T = decltype(x);
        const T sq = x * x;
        return T(sqrt(sq));
    };
    CHECK(identical(forward_statements(split, 0.0), 0.0));
    CHECK(identical(tape_statements(split, 0.0), 0.0));
}

TEST_CASE("an infinite partial under a zero one: tanh of an overflow", "[strong_zero]") {
    // pow overflows to inf, tanh saturates to 1: the function is flat there.
    auto f = [](auto t) { return tanh(pow(1.0 + t * t, t)); };
    all_modes_equal("tanh(pow(1 + t^2, t))", f, 5e6, 0.0);
    const double fd = (std::tanh(std::pow(1.0 + 5.1e6 * 5.1e6, 5.1e6)) -
                       std::tanh(std::pow(1.0 + 4.9e6 * 4.9e6, 4.9e6))) / 2e5;
    CHECK(fd == 0.0);
    auto split = [](auto t) {
        using T = decltype(t);
        const T p = pow(1.0 + t * t, t);  // tangent / adjoint path carries inf
        return T(tanh(p));
    };
    CHECK(identical(forward_statements(split, 5e6), 0.0));
    CHECK(identical(tape_statements(split, 5e6), 0.0));
    // The same through the container drivers and a Hessian.
    const std::vector<double> x{5e6};
    auto g = [](const auto& v) { using T = std::decay_t<decltype(v[0])>; const T p = pow(1.0 + v[0] * v[0], v[0]); return T(tanh(p)); };
    CHECK(identical(duet::gradient(duet::forward, g, x)[0], 0.0));
    CHECK(identical(duet::gradient(duet::reverse, g, x)[0], 0.0));
    const auto H = duet::hessian(g, x);
    CHECK(identical(H(0, 0), 0.0));
}

TEST_CASE("a zero lane or adjoint still annihilates inf and NaN partials", "[strong_zero]") {
    // sqrt at 0 in the lane of the other variable.
    const auto g = duet::gradient(duet::forward, [](auto x, auto y) { return sqrt(x) + y; }, 0.0, 1.0);
    CHECK(g[0] == inf);
    CHECK(g[1] == 1.0);
    const auto gr = duet::gradient(duet::reverse, [](auto x, auto y) { return 0.0 * sqrt(x) + y; }, 0.0, 1.0);
    CHECK(gr[0] == 0.0);  // 0 * inf under the rule
    CHECK(gr[1] == 1.0);
}

TEST_CASE("NaN still reaches every derivative through a nonzero partial", "[strong_zero]") {
    const auto r = duet_test::run_unary([](auto x) { return exp(x) * 2.0; }, NaN);
    CHECK(std::isnan(r.d_forward));
    CHECK(std::isnan(r.d_reverse));
    CHECK(std::isnan(r.d_tape));
    // Across statements: a NaN input's partial (2x) in the first, a nonzero
    // partial in the second.
    auto f = [](auto x) {
        using T = decltype(x);
        const T a = x * x;
        return T(a * 0.5);
    };
    CHECK(std::isnan(forward_statements(f, NaN)));
    CHECK(std::isnan(tape_statements(f, NaN)));
    // ... and an exact zero partial stops it: d/dx [0 * (x * x)] = 0.
    auto g = [](auto x) {
        using T = decltype(x);
        const T a = x * x;
        return T(a * 0.0);
    };
    CHECK(identical(forward_statements(g, NaN), 0.0));
    CHECK(identical(tape_statements(g, NaN), 0.0));
}

TEST_CASE("chain_product on numbers and nested numbers", "[strong_zero]") {
    CHECK(duet::chain_product(0.0, inf) == 0.0);
    CHECK(duet::chain_product(-inf, 0.0) == 0.0);
    CHECK(duet::chain_product(0.0, NaN) == 0.0);
    CHECK(std::isnan(duet::chain_product(NaN, 2.0)));
    CHECK(duet::chain_product(inf, 2.0) == inf);
    CHECK(duet::chain_product(3.0, -2.0) == -6.0);
    using D = duet::dual<double, 2>;
    const D zero_value{0.0, {1.0, 0.0}};  // not an exact zero: its tangent carries information
    const D big{inf, {2.0, 0.0}};
    const D p = duet::chain_product(zero_value, big);
    CHECK(p.value() == 0.0);          // 0 * inf
    CHECK(p.tangent(0) == inf);       // 0 * 2 + 1 * inf
    CHECK(p.tangent(1) == 0.0);       // 0 * 0 + 0 * inf
}
