// Sparsity detection on every operation of the table (core/operations.hpp),
// in the duet:: and std:: spellings, generated from the table (as
// test/core/operations.cpp does), plus the hand-written ones (pow with an
// integer, polygamma, the value-only rounding functions):
//   Jacobian patterns are structural: every operand an operation reads is
//     a dependence, at every point;
//   Hessian patterns equal the dense Hessian's nonzeros at generic points
//     (unary nonlinear: (0, 0); abs, fabs, relu: none; binary: by the rule)
//     and contain them at awkward points (0, -1, ties);
//   float and long double give the patterns of double.
// The functions dispatch on the operation's name at run time, so the
// drivers (and the dense references) are instantiated once per number type,
// not once per operation.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <duet/core/operations.hpp>
#include <duet/core/std_functions.hpp>
#include <duet/sparse/sparsity.hpp>

#include "sparsity_support.hpp"

using namespace duet_sparsity_test;

namespace {

// ---- the operations by name -----------------------------------------------------------

#define NAME_OF(name, rule) #name,
constexpr std::string_view unary_names[] = {DUET_FOR_EACH_UNARY_FUNCTION(NAME_OF)};
constexpr std::string_view binary_names[] = {DUET_FOR_EACH_BINARY_FUNCTION(NAME_OF) "+", "-", "*", "/", "pow"};
#undef NAME_OF

// Whether std has the name (core/std_functions.hpp's exclusion list).
bool in_std(std::string_view op) {
#define STD_NAME(name, rule) if (op == #name) return true;
#define STD_NAME_UNLESS_EXCLUDED(name, rule) DUET_OPERATION_UNLESS_EXCLUDED(DUET_STD_EXCLUDED_, STD_NAME, name, rule)
    DUET_FOR_EACH_UNARY_FUNCTION(STD_NAME_UNLESS_EXCLUDED)
    DUET_FOR_EACH_BINARY_FUNCTION(STD_NAME_UNLESS_EXCLUDED)
#undef STD_NAME
#undef STD_NAME_UNLESS_EXCLUDED
    return op == "pow";
}

template <class T>
T unary(std::string_view op, bool use_std, const T& x) {
#define DUET_CASE(name, rule) \
    if (!use_std && op == #name) return T(duet::name(x));
#define STD_CASE(name, rule) \
    if (use_std && op == #name) return T(std::name(x));
#define STD_CASE_UNLESS_EXCLUDED(name, rule) DUET_OPERATION_UNLESS_EXCLUDED(DUET_STD_EXCLUDED_, STD_CASE, name, rule)
    DUET_FOR_EACH_UNARY_FUNCTION(DUET_CASE)
    DUET_FOR_EACH_UNARY_FUNCTION(STD_CASE_UNLESS_EXCLUDED)
#undef DUET_CASE
#undef STD_CASE
#undef STD_CASE_UNLESS_EXCLUDED
    throw std::logic_error("no unary operation " + std::string(op));
}

template <class T, class A, class B>
T binary(std::string_view op, bool use_std, const A& a, const B& b) {
#define DUET_CASE(name, rule) \
    if (!use_std && op == #name) return T(duet::name(a, b));
#define STD_CASE(name, rule) \
    if (use_std && op == #name) return T(std::name(a, b));
#define STD_CASE_UNLESS_EXCLUDED(name, rule) DUET_OPERATION_UNLESS_EXCLUDED(DUET_STD_EXCLUDED_, STD_CASE, name, rule)
    DUET_FOR_EACH_BINARY_FUNCTION(DUET_CASE)
    DUET_FOR_EACH_BINARY_FUNCTION(STD_CASE_UNLESS_EXCLUDED)
#undef DUET_CASE
#undef STD_CASE
#undef STD_CASE_UNLESS_EXCLUDED
    if (op == "+") return T(a + b);
    if (op == "-") return T(a - b);
    if (op == "*") return T(a * b);
    if (op == "/") return T(a / b);
    if (op == "pow") return T(use_std ? T(std::pow(a, b)) : T(duet::pow(a, b)));
    throw std::logic_error("no binary operation " + std::string(op));
}

// The operands of a binary operation: both inputs, an input and a plain
// number (either side), or one input twice.
enum class operands { both, left_number, right_number, same };
constexpr double the_number = 0.625;

// f(x) = op(x0) + x1 (scalar), or {op(x0), x1} (vector).
struct unary_function {
    std::string_view op;
    bool use_std;
    template <class V>
    auto operator()(const V& x) const {
        using T = std::decay_t<decltype(x[0])>;
        return T(unary(op, use_std, x[0]) + x[1]);
    }
};
struct unary_vector_function {
    std::string_view op;
    bool use_std;
    template <class V>
    auto operator()(const V& x) const {
        using T = std::decay_t<decltype(x[0])>;
        return std::vector<T>{unary(op, use_std, x[0]), x[1]};
    }
};

template <class T, class V>
T apply_binary(std::string_view op, bool use_std, operands kind, const V& x) {
    switch (kind) {
        case operands::both: return binary<T>(op, use_std, x[0], x[1]);
        case operands::left_number: return binary<T>(op, use_std, the_number, x[1]);
        case operands::right_number: return binary<T>(op, use_std, x[0], the_number);
        case operands::same: return binary<T>(op, use_std, x[0], x[0]);
    }
    throw std::logic_error("operands");
}

// f(x) = op(a, b) + x2, a and b from x0, x1 or the number.
struct binary_function {
    std::string_view op;
    bool use_std;
    operands kind;
    template <class V>
    auto operator()(const V& x) const {
        using T = std::decay_t<decltype(x[0])>;
        return T(apply_binary<T>(op, use_std, kind, x) + x[2]);
    }
};
struct binary_vector_function {
    std::string_view op;
    bool use_std;
    operands kind;
    template <class V>
    auto operator()(const V& x) const {
        using T = std::decay_t<decltype(x[0])>;
        return std::vector<T>{apply_binary<T>(op, use_std, kind, x), x[2]};
    }
};

bool piecewise_linear_unary(std::string_view op) { return op == "abs" || op == "fabs" || op == "relu"; }

// The Hessian pattern of op(a, b) on distinct inputs at a generic point.
duet::sparsity_pattern binary_hessian(std::string_view op) {
    if (op == "hypot" || op == "atan2" || op == "pow") return entries(3, 3, {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
    if (op == "*") return entries(3, 3, {{0, 1}, {1, 0}});
    if (op == "/") return entries(3, 3, {{0, 1}, {1, 0}, {1, 1}});
    return entries(3, 3, {});  // max, min, fmax, fmin, fmod, copysign, +, -
}

// Operations whose partials are nonzero at the generic point (0.5, 0.75):
// there the structural Jacobian pattern equals the dense one.
bool both_partials_nonzero(std::string_view op) {
    return !(op == "max" || op == "min" || op == "fmax" || op == "fmin" || op == "fmod" || op == "copysign");
}

template <class X>
X converted(const std::vector<double>& x) {
    return X(x.begin(), x.end());
}

}  // namespace

TEST_CASE("sparsity: every unary operation of the table, duet:: and std::", "[sparsity][operations]") {
    const auto jacobian_pattern = entries(2, 2, {{0, 0}, {1, 1}});
    for (const std::string_view op : unary_names)
        for (const bool use_std : {false, true}) {
            if (use_std && !in_std(op)) continue;
            INFO((use_std ? "std::" : "duet::") << op);
            const unary_function f{op, use_std};
            const unary_vector_function g{op, use_std};
            const auto hessian_pattern = piecewise_linear_unary(op) ? entries(2, 2, {}) : entries(2, 2, {{0, 0}});
            // acosh needs x > 1; the others are generic at 0.5 or 1.5.
            for (const double x0 : {0.5, 1.5}) {
                if (op == "acosh" && x0 < 1) continue;
                if ((op == "asin" || op == "acos" || op == "atanh") && x0 > 1) continue;
                INFO("x0 = " << x0);
                const std::vector<double> x = {x0, 0.25};
                CHECK(duet::jacobian_sparsity(g, x) == jacobian_pattern);
                CHECK(duet::jacobian_sparsity(g, x) == nonzeros(duet::jacobian(duet::reverse, g, x)));
                CHECK(duet::hessian_sparsity(f, x) == hessian_pattern);
                CHECK(duet::hessian_sparsity(f, x) == nonzeros(duet::hessian(duet::reverse, f, x)));
                CHECK(duet::hessian_sparsity(f, converted<std::vector<float>>(x)) == hessian_pattern);
                CHECK(duet::hessian_sparsity(f, converted<std::vector<long double>>(x)) == hessian_pattern);
            }
            // Awkward points (0, -1, outside the domain, poles): the same
            // patterns, containing the dense ones (NaN and inf count as
            // nonzero there).
            for (const double x0 : {0.0, -1.0, 1.0}) {
                INFO("x0 = " << x0);
                const std::vector<double> x = {x0, 0.25};
                CHECK(duet::jacobian_sparsity(g, x) == jacobian_pattern);
                CHECK(within(nonzeros(duet::jacobian(duet::reverse, g, x)), jacobian_pattern));
                CHECK(duet::hessian_sparsity(f, x) == hessian_pattern);
                CHECK(within(nonzeros(duet::hessian(duet::reverse, f, x)), hessian_pattern));
            }
        }
}

TEST_CASE("sparsity: every binary operation of the table and the operators, duet:: and std::",
          "[sparsity][operations]") {
    for (const std::string_view op : binary_names)
        for (const bool use_std : {false, true}) {
            if (use_std && !in_std(op)) continue;
            INFO((use_std ? "std::" : "duet::") << op);
            const std::vector<double> x = {0.5, 0.75, 0.25};
            // Both operands inputs.
            {
                const binary_function f{op, use_std, operands::both};
                const binary_vector_function g{op, use_std, operands::both};
                const auto jp = duet::jacobian_sparsity(g, x);
                const auto dense_j = nonzeros(duet::jacobian(duet::reverse, g, x));
                CHECK(jp == entries(2, 3, {{0, 0}, {0, 1}, {1, 2}}));
                CHECK(within(dense_j, jp));
                if (both_partials_nonzero(op)) CHECK(jp == dense_j);
                const auto hp = duet::hessian_sparsity(f, x);
                INFO(show(hp));
                CHECK(hp == binary_hessian(op));
                CHECK(hp == nonzeros(duet::hessian(duet::reverse, f, x)));
                CHECK(duet::hessian_sparsity(f, converted<std::vector<float>>(x)) == hp);
                CHECK(duet::hessian_sparsity(f, converted<std::vector<long double>>(x)) == hp);
                // Ties and zeros: max(x, x), x / x, hypot and atan2 at 0.
                for (const std::vector<double>& awkward :
                     {std::vector<double>{0.5, 0.5, 0.0}, std::vector<double>{0.0, 0.0, 0.0},
                      std::vector<double>{-1.0, 0.0, 1.0}}) {
                    INFO("at " << awkward[0] << ", " << awkward[1]);
                    CHECK(duet::jacobian_sparsity(g, awkward) == jp);
                    CHECK(within(nonzeros(duet::jacobian(duet::reverse, g, awkward)), jp));
                    CHECK(within(nonzeros(duet::hessian(duet::reverse, f, awkward)),
                                 duet::hessian_sparsity(f, awkward)));
                }
            }
            // A plain number on either side, and one input twice.
            for (const operands kind : {operands::left_number, operands::right_number, operands::same}) {
                INFO("operands " << int(kind));
                const binary_function f{op, use_std, kind};
                const binary_vector_function g{op, use_std, kind};
                const std::size_t input = kind == operands::left_number ? 1 : 0;
                CHECK(duet::jacobian_sparsity(g, x) == entries(2, 3, {{0, input}, {1, 2}}));
                CHECK(within(nonzeros(duet::jacobian(duet::reverse, g, x)), duet::jacobian_sparsity(g, x)));
                const auto hp = duet::hessian_sparsity(f, x);
                const auto dense = nonzeros(duet::hessian(duet::reverse, f, x));
                INFO(show(hp) << " vs dense " << show(dense));
                CHECK(within(dense, hp));
                // With a number the pattern is exact; op(x, x) can cancel
                // (x / x, hypot(x, x) = sqrt(2) |x|, atan2(x, x)).
                if (kind != operands::same) CHECK(hp == dense);
                CHECK(hp.nonzeros() <= 1);
            }
        }
}

TEST_CASE("sparsity: pow with an integer, polygamma, rounding, fma, clamp", "[sparsity][operations]") {
    const std::vector<double> x = {0.5, 0.75};
    const auto one = entries(2, 2, {{0, 0}});
    const auto none = entries(2, 2, {});
    CHECK(duet::hessian_sparsity([](const auto& v) { return pow(v[0], 2); }, x) == one);
    CHECK(duet::hessian_sparsity([](const auto& v) { return std::pow(v[0], 3); }, x) == one);
    CHECK(duet::hessian_sparsity([](const auto& v) { return pow(v[0], -1); }, x) == one);
    CHECK(duet::hessian_sparsity([](const auto& v) { return pow(v[0], 0) + v[1]; }, x) == none);
    // pow(x, 1): its partial 1 * pow(x, 0) is a function of x (conservative).
    CHECK(duet::hessian_sparsity([](const auto& v) { return pow(v[0], 1); }, x) == one);
    CHECK(duet::hessian_sparsity([](const auto& v) { return duet::polygamma(1, v[0]); }, x) == one);
    CHECK(duet::hessian_sparsity([](const auto& v) { return duet::digamma(v[1]); }, x) == entries(2, 2, {{1, 1}}));
    CHECK(duet::hessian_sparsity([](const auto& v) { return std::fma(v[0], v[1], 1.0); }, x) ==
          entries(2, 2, {{0, 1}, {1, 0}}));
    CHECK(duet::hessian_sparsity([](const auto& v) { return std::clamp(v[0], v[1], 2.0) * 3.0; }, x) == none);
    // Rounding and classification read the value: plain numbers, no
    // dependence (derivative 0 wherever it exists).
    const auto rounding = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        return std::vector<T>{T(std::floor(v[0])), T(std::ceil(v[0]) + std::round(v[1])),
                              T(std::trunc(v[0]) * std::nearbyint(v[1]) + std::rint(v[0])),
                              T(std::isnan(v[0]) ? 1.0 : 2.0), v[1] * std::floor(v[0])};
    };
    CHECK(duet::jacobian_sparsity(rounding, x) == entries(5, 2, {{4, 1}}));
    CHECK(duet::hessian_sparsity([](const auto& v) { return std::floor(v[0]) * v[0] * v[1]; }, x) ==
          entries(2, 2, {{0, 1}, {1, 0}}));
}
