// Every spelling of every named function agrees with its rule. Generated from
// the table of core/operations.hpp (and its exclusion lists), so a new entry
// is checked in every spelling without a line here:
//   duet::f on numbers, on duals (forward) and in the scalar reverse driver;
//   std::f on duals (unless the std spelling excludes f);
//   duet::f on tensors, plain and differentiated (forward and reverse);
//   xt::f on tensor nodes (unless the xt spelling excludes f).
// Value and derivative are compared with the rule's own value and partials
// at a point, element by element for tensors.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <string>

#include <duet/duet.hpp>

#include "../support/numeric.hpp"

namespace {

using duet_test::agree;
namespace rules = duet::rules;

// Points inside every function's domain; acosh needs x > 1.
template <class Rule>
constexpr std::array<double, 2> points = {0.5, 0.625};
template <>
constexpr std::array<double, 2> points<rules::acosh_rule> = {1.5, 1.625};

bool same(double a, double b) { return agree(a, b, 1e-14); }

// ---- unary -------------------------------------------------------------------
template <class Rule, class F>
void check_scalar_unary(const std::string& name, Rule rule, F f) {
    INFO(name);
    for (const double x : points<Rule>) {
        const double y = rule.value(x), d = rule.derivative(x, y);
        CHECK(same(f(x), y));  // plain number
        const duet::dual<double> fx = f(duet::dual<double>(x, 1.0));
        CHECK(same(fx.value(), y));
        CHECK(same(fx.tangent(), d));
        const auto r = duet::value_and_gradient(duet::reverse, [&](const auto& v) { return f(v); }, x);
        CHECK(same(r.value, y));
        CHECK(same(r.gradient[0], d));
    }
}

// f on tensor nodes: the value of sum(f(X)) and its gradient, forward and
// reverse, element by element against the rule.
template <class Rule, class F>
void check_tensor_unary(const std::string& name, Rule rule, F f) {
    INFO(name);
    const duet::tensor<1> x = {points<Rule>[0], points<Rule>[1]};
    auto g = [&](const auto& v) { return duet::sum(f(v)); };
    const auto r = duet::value_and_gradient(duet::reverse, g, x);
    const auto fw = duet::value_and_gradient(duet::forward, g, x);
    double sum = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const double y = rule.value(x(i)), d = rule.derivative(x(i), y);
        sum += y;
        CHECK(same(r.gradient(i), d));
        CHECK(same(fw.gradient(i), d));
    }
    CHECK(same(r.value, sum));
    CHECK(same(fw.value, sum));
}

// ---- binary ------------------------------------------------------------------
constexpr double left_point = 0.5, right_point = 0.75;

template <class Rule, class F>
void check_scalar_binary(const std::string& name, Rule rule, F f) {
    INFO(name);
    const double a = left_point, b = right_point;
    const double y = rule.value(a, b), da = rule.left(a, b, y), db = rule.right(a, b, y);
    CHECK(same(f(a, b), y));
    using D = duet::dual<double, 2>;
    const D fab = f(D(a, {1.0, 0.0}), D(b, {0.0, 1.0}));
    CHECK(same(fab.value(), y));
    CHECK(same(fab.tangent(0), da));
    CHECK(same(fab.tangent(1), db));
    // A plain number on either side.
    CHECK(same(D(f(D(a, {1.0, 0.0}), b)).tangent(0), da));
    CHECK(same(D(f(a, D(b, {0.0, 1.0}))).tangent(1), db));
    const auto r = duet::value_and_gradient(
        duet::reverse, [&](const auto& u, const auto& v) { return f(u, v); }, a, b);
    CHECK(same(r.value, y));
    CHECK(same(r.gradient[0], da));
    CHECK(same(r.gradient[1], db));
}

template <class Rule, class F>
void check_tensor_binary(const std::string& name, Rule rule, F f) {
    INFO(name);
    const duet::tensor<1> a = {left_point, -left_point}, b = {right_point, right_point};
    auto g = [&](const auto& u, const auto& v) { return duet::sum(f(u, v)); };
    const auto r = duet::value_and_gradient(duet::reverse, g, a, b);
    const auto fw = duet::value_and_gradient(duet::forward, g, a, b);
    double sum = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        const double y = rule.value(a(i), b(i));
        sum += y;
        CHECK(same(std::get<0>(r.gradient)(i), rule.left(a(i), b(i), y)));
        CHECK(same(std::get<1>(r.gradient)(i), rule.right(a(i), b(i), y)));
        CHECK(same(std::get<0>(fw.gradient)(i), rule.left(a(i), b(i), y)));
        CHECK(same(std::get<1>(fw.gradient)(i), rule.right(a(i), b(i), y)));
    }
    CHECK(same(r.value, sum));
    CHECK(same(fw.value, sum));
}

}  // namespace

// ---- the checks, one line per spelling, expanded over the table --------------
#define CHECK_DUET_UNARY(name, rule)                                                          \
    check_scalar_unary("duet::" #name, rules::rule{}, [](const auto& x) { return duet::name(x); }); \
    check_tensor_unary("duet::" #name " (tensor)", rules::rule{},                            \
                       [](const auto& x) { return duet::name(x); });
#define CHECK_STD_UNARY(name, rule) \
    check_scalar_unary("std::" #name, rules::rule{}, [](const auto& x) { return std::name(x); });
#define CHECK_STD_UNARY_UNLESS_EXCLUDED(name, rule) \
    DUET_OPERATION_UNLESS_EXCLUDED(DUET_STD_EXCLUDED_, CHECK_STD_UNARY, name, rule)
#define CHECK_XT_UNARY(name, rule) \
    check_tensor_unary("xt::" #name, rules::rule{}, [](const auto& x) { return xt::name(x); });
#define CHECK_XT_UNARY_UNLESS_EXCLUDED(name, rule) \
    DUET_OPERATION_UNLESS_EXCLUDED(DUET_XT_EXCLUDED_, CHECK_XT_UNARY, name, rule)

#define CHECK_DUET_BINARY(name, rule)                                                     \
    check_scalar_binary("duet::" #name, rules::rule{},                                    \
                        [](const auto& a, const auto& b) { return duet::name(a, b); });   \
    check_tensor_binary("duet::" #name " (tensor)", rules::rule{},                        \
                        [](const auto& a, const auto& b) { return duet::name(a, b); });
#define CHECK_STD_BINARY(name, rule) \
    check_scalar_binary("std::" #name, rules::rule{}, [](const auto& a, const auto& b) { return std::name(a, b); });
#define CHECK_STD_BINARY_UNLESS_EXCLUDED(name, rule) \
    DUET_OPERATION_UNLESS_EXCLUDED(DUET_STD_EXCLUDED_, CHECK_STD_BINARY, name, rule)
#define CHECK_XT_BINARY(name, rule) \
    check_tensor_binary("xt::" #name, rules::rule{}, [](const auto& a, const auto& b) { return xt::name(a, b); });
#define CHECK_XT_BINARY_UNLESS_EXCLUDED(name, rule) \
    DUET_OPERATION_UNLESS_EXCLUDED(DUET_XT_EXCLUDED_, CHECK_XT_BINARY, name, rule)

TEST_CASE("every unary function of the table, in every spelling, follows its rule", "[operations]") {
    DUET_FOR_EACH_UNARY_FUNCTION(CHECK_DUET_UNARY)
    DUET_FOR_EACH_UNARY_FUNCTION(CHECK_STD_UNARY_UNLESS_EXCLUDED)
    DUET_FOR_EACH_UNARY_FUNCTION(CHECK_XT_UNARY_UNLESS_EXCLUDED)
}

TEST_CASE("every binary function of the table, in every spelling, follows its rule", "[operations]") {
    DUET_FOR_EACH_BINARY_FUNCTION(CHECK_DUET_BINARY)
    DUET_FOR_EACH_BINARY_FUNCTION(CHECK_STD_BINARY_UNLESS_EXCLUDED)
    DUET_FOR_EACH_BINARY_FUNCTION(CHECK_XT_BINARY_UNLESS_EXCLUDED)
    // Spelled otherwise in xtensor.
    check_tensor_binary("xt::maximum", rules::max_rule{}, [](const auto& a, const auto& b) { return xt::maximum(a, b); });
    check_tensor_binary("xt::minimum", rules::min_rule{}, [](const auto& a, const auto& b) { return xt::minimum(a, b); });
}

TEST_CASE("the functions with an integer parameter, in every spelling, follow their rule", "[operations]") {
    for (const int k : {0, 1, 2}) {
        const rules::polygamma_rule rule{k};
        const std::string n = "polygamma(" + std::to_string(k) + ", x)";
        check_scalar_unary("duet::" + n, rule, [k](const auto& x) { return duet::polygamma(k, x); });
        check_tensor_unary("duet::" + n + " (tensor)", rule, [k](const auto& x) { return duet::polygamma(k, x); });
    }
    check_tensor_unary("duet::digamma (tensor)", rules::polygamma_rule{0},
                       [](const auto& x) { return duet::digamma(x); });
    for (const int n : {2, 3, -1}) {
        const rules::pow_int_rule rule{n};
        const std::string s = "pow(x, " + std::to_string(n) + ")";
        check_scalar_unary("duet::" + s, rule, [n](const auto& x) { return duet::pow(x, n); });
        check_scalar_unary("std::" + s, rule, [n](const auto& x) {
            if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(x)>>)
                return duet::pow(x, n);  // std::pow(double, int) is std's own
            else
                return std::pow(x, n);
        });
        check_tensor_unary("duet::" + s + " (tensor)", rule, [n](const auto& x) { return duet::pow(x, n); });
    }
    check_scalar_binary("duet::pow", rules::pow_rule{}, [](const auto& a, const auto& b) { return duet::pow(a, b); });
    check_tensor_binary("duet::pow (tensor)", rules::pow_rule{}, [](const auto& a, const auto& b) { return duet::pow(a, b); });
    check_tensor_binary("xt::pow", rules::pow_rule{}, [](const auto& a, const auto& b) { return xt::pow(a, b); });
}
