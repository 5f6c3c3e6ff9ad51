// std::exp(x), std::max(x, y), std::isnan(x), ... on duet numbers.
//
// Scientific C++ calls its maths qualified: `std::exp(x)`. Qualified lookup
// does not use argument-dependent lookup, so the only way such a call can
// reach duet's overloads is a declaration in namespace std. This header
// brings duet's overloads for EXPRESSIONS (the inline namespace
// duet::expression_functions, core/functions.hpp) into std with
// using-declarations, the mechanism CoDiPack and other operator-overloading
// AD libraries use:
//   - the same function entities: `std::exp(x)` and `exp(x)` give the same
//     node, rule and derivative, in every mode;
//   - every overload is constrained to duet expressions (at least one
//     operand), so no call on plain numbers changes meaning or becomes
//     ambiguous (duet's plain-number overloads are NOT brought in);
//   - nothing is specialised or redefined in std.
// Strictly, [namespace.std] reserves std for the implementation; the
// using-declarations add names only for argument types the standard library
// cannot see, which GCC, Clang and MSVC accept. Included by
// core/functions.hpp after every overload, so every duet header that defines
// number types has it.
#pragma once

#include <algorithm>
#include <cmath>

#include "duet/core/functions.hpp"
#include "duet/core/operations.hpp"

// The functions of the table (core/operations.hpp) that std has. Left out,
// as std has no such name (the list stays defined: test/core/operations.cpp
// checks the std spelling with it):
#define DUET_STD_EXCLUDED_square DUET_OPERATION_EXCLUDED
#define DUET_STD_EXCLUDED_relu DUET_OPERATION_EXCLUDED
#define DUET_STD_EXCLUDED_sigmoid DUET_OPERATION_EXCLUDED
#define DUET_STD_EXCLUDED_softplus DUET_OPERATION_EXCLUDED
#define DUET_USING_IN_STD(name, rule) using duet::expression_functions::name;
#define DUET_USING_IN_STD_UNLESS_EXCLUDED(name, rule) \
    DUET_OPERATION_UNLESS_EXCLUDED(DUET_STD_EXCLUDED_, DUET_USING_IN_STD, name, rule)
namespace std {
DUET_FOR_EACH_UNARY_FUNCTION(DUET_USING_IN_STD_UNLESS_EXCLUDED)
DUET_FOR_EACH_BINARY_FUNCTION(DUET_USING_IN_STD_UNLESS_EXCLUDED)
// Written by hand in core/functions.hpp (not in the table).
using duet::expression_functions::pow;
using duet::expression_functions::fma;
using duet::expression_functions::clamp;
using duet::expression_functions::floor;
using duet::expression_functions::ceil;
using duet::expression_functions::round;
using duet::expression_functions::trunc;
using duet::expression_functions::nearbyint;
using duet::expression_functions::rint;
using duet::expression_functions::isnan;
using duet::expression_functions::isinf;
using duet::expression_functions::isfinite;
using duet::expression_functions::isnormal;
using duet::expression_functions::signbit;
}  // namespace std
#undef DUET_USING_IN_STD
#undef DUET_USING_IN_STD_UNLESS_EXCLUDED
