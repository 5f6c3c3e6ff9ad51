// Error messages: one form for every run-time error duet throws,
//
//   "duet::<operation>: <what happened>"
//
// e.g. "duet::jacobian: f returned 3 values but the seed has 4",
//      "duet::matmul: shapes (3, 5) and (4, 8): inner dimensions 5 and 4 differ".
// The operation is the public name the user called; the text names the
// sizes or shapes involved. Compile-time misuse is reported by static_assert
// with a sentence beginning "duet: " (tested in test/compile_fail).
#pragma once

#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace duet::detail {

// A shape (anything with size() and operator[]) as messages print it:
// "(3, 4)", "(5,)" for rank 1, "()" for a scalar.
template <class Shape>
std::string shape_string(const Shape& s) {
    std::ostringstream os;
    os << '(';
    for (std::size_t i = 0; i < std::size_t(s.size()); ++i) os << (i ? ", " : "") << s[i];
    if (s.size() == 1) os << ',';
    os << ')';
    return os.str();
}

// "duet::<operation>: " followed by the parts, each streamed as by <<
// (numbers print as std::to_string would for integers, shortest form for
// floating point).
template <class... Parts>
std::string message(std::string_view operation, const Parts&... parts) {
    std::ostringstream os;
    os << "duet::" << operation << ": ";
    (os << ... << parts);
    return os.str();
}

template <class... Parts>
[[noreturn]] void throw_invalid_argument(std::string_view operation, const Parts&... parts) {
    throw std::invalid_argument(message(operation, parts...));
}

template <class... Parts>
[[noreturn]] void throw_logic_error(std::string_view operation, const Parts&... parts) {
    throw std::logic_error(message(operation, parts...));
}

template <class... Parts>
[[noreturn]] void throw_out_of_range(std::string_view operation, const Parts&... parts) {
    throw std::out_of_range(message(operation, parts...));
}

// Throws std::invalid_argument "duet::<operation>: shapes (3, 4) and (5, 2) <why>".
template <class ShapeA, class ShapeB>
[[noreturn]] void throw_shape_mismatch(std::string_view operation, const ShapeA& a, const ShapeB& b,
                                       std::string_view why) {
    throw_invalid_argument(operation, "shapes ", shape_string(a), " and ", shape_string(b), " ", why);
}

// Throws std::invalid_argument "duet::<operation>: <what> has 3 elements but
// <other> has 4".
[[noreturn]] inline void throw_size_mismatch(std::string_view operation, std::string_view what, std::size_t got,
                                             std::string_view other, std::size_t expected) {
    throw_invalid_argument(operation, what, " has ", got, got == 1 ? " element" : " elements", " but ", other,
                           " has ", expected);
}

}  // namespace duet::detail
