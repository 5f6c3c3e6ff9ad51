// The 20-term closed form of benchmark/scalar.cpp, shared by forward.cpp and
// static_reverse.cpp (compile-cost units, see README.md).
#pragma once

inline constexpr auto closed_form_20 = [](auto x, auto y, auto z) {
    return x * y + y * z + z * x + x * x * y + sin(x) + cos(y) + exp(z) + log(x) + sqrt(y) + x / y +
           y / z + tanh(x) + x * y * z + sin(y * z) + exp(x * y) + z * z * z + atan(x * z) + log1p(y * y) +
           x * sqrt(z) + cos(x + y + z);
};
