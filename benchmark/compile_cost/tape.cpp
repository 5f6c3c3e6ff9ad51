// Compile cost of the tape (reverse mode for code with loops): gradients of
// two generic loop functions on a std::vector. See README.md.
#include <cmath>
#include <cstddef>
#include <vector>

#include "duet/drivers/container.hpp"

namespace {

template <class T>
T rosenbrock(const std::vector<T>& x) {
    using std::pow;
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2);
    return s;
}

template <class T>
T log_sum_exp(const std::vector<T>& x) {
    using std::exp;
    using std::log;
    T m = x[0];
    for (const auto& xi : x)
        if (xi > m) m = xi;
    T s = 0.0;
    for (const auto& xi : x) s += exp(xi - m);
    return m + log(s);
}

}  // namespace

std::vector<double> compile_cost_tape_rosenbrock(const std::vector<double>& x) {
    return duet::gradient(duet::reverse, [](const auto& v) { return rosenbrock(v); }, x);
}

std::vector<double> compile_cost_tape_log_sum_exp(const std::vector<double>& x) {
    return duet::gradient(duet::reverse, [](const auto& v) { return log_sum_exp(v); }, x);
}
