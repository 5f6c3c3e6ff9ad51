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

namespace std {
using duet::expression_functions::abs;
using duet::expression_functions::fabs;
using duet::expression_functions::sqrt;
using duet::expression_functions::cbrt;
using duet::expression_functions::exp;
using duet::expression_functions::exp2;
using duet::expression_functions::expm1;
using duet::expression_functions::log;
using duet::expression_functions::log2;
using duet::expression_functions::log10;
using duet::expression_functions::log1p;
using duet::expression_functions::sin;
using duet::expression_functions::cos;
using duet::expression_functions::tan;
using duet::expression_functions::asin;
using duet::expression_functions::acos;
using duet::expression_functions::atan;
using duet::expression_functions::atan2;
using duet::expression_functions::sinh;
using duet::expression_functions::cosh;
using duet::expression_functions::tanh;
using duet::expression_functions::asinh;
using duet::expression_functions::acosh;
using duet::expression_functions::atanh;
using duet::expression_functions::erf;
using duet::expression_functions::erfc;
using duet::expression_functions::tgamma;
using duet::expression_functions::lgamma;
using duet::expression_functions::pow;
using duet::expression_functions::hypot;
using duet::expression_functions::max;
using duet::expression_functions::min;
using duet::expression_functions::fmax;
using duet::expression_functions::fmin;
using duet::expression_functions::fmod;
using duet::expression_functions::copysign;
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
