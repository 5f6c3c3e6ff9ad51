// The conventions at awkward points (the table in doc/conventions.md):
// the value and derivative each mode (forward, static reverse, tape, nested)
// must give, exactly.
#include "../support/cross_check.hpp"

using duet_test::identical;
using duet_test::inf;
using duet_test::NaN;

namespace {

// Value and gradient of f at (a, b) in forward and in reverse mode, which
// must be identical, and must equal the expectation.
template <class F>
void expect2(const char* name, F f, double a, double b, double value, double da, double db) {
    INFO(name << " at (" << a << ", " << b << ")");
    auto [vf, gf] = duet::value_and_gradient(duet::forward, f, a, b);
    auto [vr, gr] = duet::value_and_gradient(duet::reverse, f, a, b);
    CHECK(identical(vf, value));
    CHECK(identical(vr, value));
    INFO("forward " << gf[0] << ", " << gf[1] << "; reverse " << gr[0] << ", " << gr[1]);
    CHECK(identical(gf[0], da));
    CHECK(identical(gf[1], db));
    CHECK(identical(gr[0], da));
    CHECK(identical(gr[1], db));
    duet::tape<double> tape;
    duet::var<double> av = a, bv = b;
    duet::var<double> y = f(av, bv);
    tape.backward(y);
    CHECK(identical(y.value(), value));
    CHECK(identical(av.adjoint(), da));
    CHECK(identical(bv.adjoint(), db));
}

template <class F>
void expect1(const char* name, F f, double x, double value, double d) {
    INFO(name << " at " << x);
    auto [vf, gf] = duet::value_and_gradient(duet::forward, f, x);
    auto [vr, gr] = duet::value_and_gradient(duet::reverse, f, x);
    CHECK(identical(vf, value));
    CHECK(identical(vr, value));
    CHECK(identical(gf[0], d));
    CHECK(identical(gr[0], d));
    const auto [vt, dt] = duet_test::tape_value_and_derivative(f, x);
    CHECK(identical(vt, value));
    CHECK(identical(dt, d));
    // Nested: the derivative of the derivative exists and agrees.
    const double dd_f = duet::derivative(duet::forward, [&](auto t) { return duet::derivative(duet::forward, f, t); }, x);
    const double dd_r = duet::derivative(duet::forward, [&](auto t) { return duet::derivative(duet::reverse, f, t); }, x);
    CHECK(identical(dd_f, dd_r));
}

}  // namespace

TEST_CASE("abs, relu at 0: value 0, derivative 0", "[conventions]") {
    expect1("abs", [](auto x) { return abs(x); }, 0.0, 0.0, 0.0);
    expect1("abs", [](auto x) { return abs(x); }, -0.0, 0.0, 0.0);
    expect1("relu", [](auto x) { return duet::relu(x); }, 0.0, 0.0, 0.0);
    expect1("abs", [](auto x) { return abs(x); }, NaN, NaN, NaN);
    expect1("relu", [](auto x) { return duet::relu(x); }, NaN, NaN, NaN);
}

TEST_CASE("max/min/fmax/fmin at a tie: the common value, 1/2 to each side", "[conventions]") {
    expect2("max", [](auto a, auto b) { return max(a, b); }, 1.5, 1.5, 1.5, 0.5, 0.5);
    expect2("min", [](auto a, auto b) { return min(a, b); }, 1.5, 1.5, 1.5, 0.5, 0.5);
    expect2("fmax", [](auto a, auto b) { return fmax(a, b); }, -2.0, -2.0, -2.0, 0.5, 0.5);
    expect2("fmin", [](auto a, auto b) { return fmin(a, b); }, 0.0, 0.0, 0.0, 0.5, 0.5);
    expect2("max", [](auto a, auto b) { return max(a, b); }, inf, inf, inf, 0.5, 0.5);
    // With a plain number on one side, the variable gets its half.
    CHECK(duet::derivative(duet::reverse, [](auto x) { return max(x, 0.0); }, 0.0) == 0.5);
    CHECK(duet::derivative(duet::forward, [](auto x) { return min(2.0, x); }, 2.0) == 0.5);
    // max(x, x) is x: both halves reach x.
    CHECK(duet::derivative(duet::reverse, [](auto x) { return max(x, x); }, 3.0) == 1.0);
    CHECK(duet::derivative(duet::forward, [](auto x) { return max(x, x); }, 3.0) == 1.0);
}

TEST_CASE("max/min propagate NaN; fmax/fmin ignore a NaN argument as C does", "[conventions]") {
    expect2("max", [](auto a, auto b) { return max(a, b); }, NaN, 1.0, NaN, NaN, NaN);
    expect2("min", [](auto a, auto b) { return min(a, b); }, 1.0, NaN, NaN, NaN, NaN);
    expect2("fmax", [](auto a, auto b) { return fmax(a, b); }, NaN, 1.0, 1.0, 0.0, 1.0);
    expect2("fmin", [](auto a, auto b) { return fmin(a, b); }, 1.0, NaN, 1.0, 1.0, 0.0);
    expect2("fmax", [](auto a, auto b) { return fmax(a, b); }, NaN, NaN, NaN, NaN, NaN);
}

TEST_CASE("sqrt and cbrt at 0: value 0, derivative +inf", "[conventions]") {
    expect1("sqrt", [](auto x) { return sqrt(x); }, 0.0, 0.0, inf);
    expect1("cbrt", [](auto x) { return cbrt(x); }, 0.0, 0.0, inf);
    expect1("sqrt", [](auto x) { return sqrt(x); }, -1.0, NaN, NaN);
    // Strong zero: the other variable's lane is not polluted by the infinity.
    expect2("sqrt(a) + b", [](auto a, auto b) { return sqrt(a) + b; }, 0.0, 2.0, 2.0, inf, 1.0);
    duet::dual<double, 2> a{0.0, {1.0, 0.0}}, b{2.0, {0.0, 1.0}};
    duet::dual<double, 2> s = sqrt(a);  // tangents (inf, 0)
    duet::dual<double, 2> t = s * b;    // (inf * 2, 0 * 2 + 0 * 1)
    CHECK(t.tangent(0) == inf);
    CHECK(t.tangent(1) == 0.0);
}

TEST_CASE("pow at 0: pow(0, y > 0) has zero partials; pow(x, 0) has d/dx = 0", "[conventions]") {
    auto p = [](auto x, auto y) { return pow(x, y); };
    expect2("pow", p, 0.0, 2.5, 0.0, 0.0, 0.0);
    expect2("pow", p, 0.0, 2.0, 0.0, 0.0, 0.0);
    expect2("pow", p, 0.0, 1.0, 0.0, 1.0, 0.0);  // pow(x, 1) = x
    expect2("pow", p, 0.0, 0.5, 0.0, inf, 0.0);   // sqrt-like
    expect1("pow(x, 0)", [](auto x) { return pow(x, 0.0); }, 0.0, 1.0, 0.0);
    expect1("pow(x, 0)", [](auto x) { return pow(x, 0.0); }, -3.0, 1.0, 0.0);
    expect1("pow(x, 0) int", [](auto x) { return pow(x, 0); }, 0.0, 1.0, 0.0);
    expect1("pow(x, 2) int", [](auto x) { return pow(x, 2); }, 0.0, 0.0, 0.0);
    expect1("pow(x, 3) int at negative x", [](auto x) { return pow(x, 3); }, -2.0, -8.0, 12.0);
    // d/dy of pow at negative base is not defined in the reals.
    auto [v, g] = duet::value_and_gradient(duet::reverse, p, -2.0, 3.0);
    CHECK(v == -8.0);
    CHECK(g[0] == 12.0);
    CHECK(std::isnan(g[1]));
}

TEST_CASE("hypot and atan2 at the origin: zero partials", "[conventions]") {
    expect2("hypot", [](auto a, auto b) { return hypot(a, b); }, 0.0, 0.0, 0.0, 0.0, 0.0);
    expect2("atan2", [](auto a, auto b) { return atan2(a, b); }, 0.0, 1.0, 0.0, 1.0, 0.0);
    auto [v, g] = duet::value_and_gradient(duet::reverse, [](auto a, auto b) { return atan2(a, b); }, 0.0, 0.0);
    CHECK(v == 0.0);
    CHECK(g[0] == 0.0);
    CHECK(g[1] == 0.0);
}

TEST_CASE("NaN input: NaN value and NaN in every derivative it reaches", "[conventions]") {
    auto f = [](auto x, auto y) { return x * y + sin(x); };
    expect2("x*y + sin x", f, NaN, 2.0, NaN, NaN, NaN);  // d/dy = x = NaN
    // Linear operations have constant partials: d(x + y)/dy = 1 even when x is NaN.
    expect2("x + y", [](auto x, auto y) { return x + y; }, NaN, 2.0, NaN, 1.0, 1.0);
    // 4 lanes: the NaN reaches lanes seeded with x, and only those.
    duet::dual<double, 4> x{NaN, {1.0, 0.0, 2.0, 0.0}};
    duet::dual<double, 4> y = exp(x) * 3;
    CHECK(std::isnan(y.value()));
    CHECK(std::isnan(y.tangent(0)));
    CHECK(y.tangent(1) == 0.0);
    CHECK(std::isnan(y.tangent(2)));
    CHECK(y.tangent(3) == 0.0);
}
