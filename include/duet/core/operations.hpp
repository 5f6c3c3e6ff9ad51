// The table of duet's named elementary functions: one line per name, giving
// the rule (core/rules.hpp) it applies. Every spelling of these functions is
// generated from this table, so they cannot drift apart:
//   core/functions.hpp        duet::f on scalar expressions and on numbers,
//   core/std_functions.hpp    std::f on duet numbers,
//   tensor/elementwise.hpp    duet::f elementwise on tensor nodes,
//   tensor/xtensor_spelling   xt::f on tensor nodes (xtensor's names),
//   test/core/operations.cpp  checks that all of them agree.
// A spelling that must leave a name out says so next to its use, with the
// reason (e.g. std has no `sigmoid`).
//
// Each list takes a macro X and expands to X(name, rule) for every entry.
// Adding a function: a rule struct in core/rules.hpp, one line here, tests
// (doc/architecture.md).
//
// Functions with an integer parameter are not in these lists, because their
// rule takes it as state: pow(x, n) (its own exact rule, pow_int_rule, next
// to pow_rule for a real exponent) and polygamma(k, x) (digamma is k = 0).
// Each spelling writes them out by hand, beside the generated lists.
#pragma once

#define DUET_FOR_EACH_UNARY_FUNCTION(X) \
    X(abs, abs_rule)                    \
    X(fabs, abs_rule)                   \
    X(square, square_rule)              \
    X(sqrt, sqrt_rule)                  \
    X(cbrt, cbrt_rule)                  \
    X(exp, exp_rule)                    \
    X(exp2, exp2_rule)                  \
    X(expm1, expm1_rule)                \
    X(log, log_rule)                    \
    X(log2, log2_rule)                  \
    X(log10, log10_rule)                \
    X(log1p, log1p_rule)                \
    X(sin, sin_rule)                    \
    X(cos, cos_rule)                    \
    X(tan, tan_rule)                    \
    X(asin, asin_rule)                  \
    X(acos, acos_rule)                  \
    X(atan, atan_rule)                  \
    X(sinh, sinh_rule)                  \
    X(cosh, cosh_rule)                  \
    X(tanh, tanh_rule)                  \
    X(asinh, asinh_rule)                \
    X(acosh, acosh_rule)                \
    X(atanh, atanh_rule)                \
    X(erf, erf_rule)                    \
    X(erfc, erfc_rule)                  \
    X(tgamma, tgamma_rule)              \
    X(lgamma, lgamma_rule)              \
    X(relu, relu_rule)                  \
    X(sigmoid, sigmoid_rule)            \
    X(softplus, softplus_rule)

// Binary functions; each takes a plain number on either side.
#define DUET_FOR_EACH_BINARY_FUNCTION(X) \
    X(hypot, hypot_rule)                 \
    X(atan2, atan2_rule)                 \
    X(max, max_rule)                     \
    X(min, min_rule)                     \
    X(fmax, fmax_rule)                   \
    X(fmin, fmin_rule)                   \
    X(fmod, fmod_rule)                   \
    X(copysign, copysign_rule)

// The arithmetic operators (spelled as operators in core/functions.hpp and
// tensor/elementwise.hpp; negation is the unary negate_rule).
#define DUET_FOR_EACH_BINARY_OPERATOR(X) \
    X(+, add_rule)                       \
    X(-, subtract_rule)                  \
    X(*, multiply_rule)                  \
    X(/, divide_rule)

// Exclusions. A spelling that lacks some names of the table (std has no
// `sigmoid`) lists them, each with its reason, as
//     #define <PREFIX><name> DUET_OPERATION_EXCLUDED  // why
// and expands the table with DUET_OPERATION_UNLESS_EXCLUDED(<PREFIX>, X,
// name, rule), which is X(name, rule) for every name not so listed.
#define DUET_OPERATION_EXCLUDED ~, DUET_OPERATION_SKIP
#define DUET_OPERATION_SKIP(name, rule)
#define DUET_OPERATION_UNLESS_EXCLUDED(prefix, X, name, rule) \
    DUET_OPERATION_SECOND(prefix##name, X, ~)(name, rule)
#define DUET_OPERATION_SECOND(...) DUET_OPERATION_SECOND_I(__VA_ARGS__)
#define DUET_OPERATION_SECOND_I(a, b, ...) b
