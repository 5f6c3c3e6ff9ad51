// Test helpers: comparisons that treat NaN and infinities explicitly.
#pragma once

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace duet_test {

// a and b agree: both NaN, equal infinities, or |a - b| <= rel * max(|a|, |b|, 1).
// The max with 1 makes `rel` an absolute tolerance near zero.
inline bool agree(double a, double b, double rel) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b)) return a == b;
    return std::abs(a - b) <= rel * std::max({std::abs(a), std::abs(b), 1.0});
}

// Bitwise-equal as numbers (NaN equals NaN; +0 equals -0).
inline bool identical(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

inline std::string show(double a, double b) {
    std::ostringstream os;
    os.precision(17);
    os << a << " vs " << b;
    return os.str();
}

}  // namespace duet_test
