// Hand-written derivatives of the n-dimensional Rosenbrock function
// sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2, the reference several tests
// compare duet with.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace duet_test {

inline std::vector<double> rosenbrock_gradient(const std::vector<double>& x) {
    std::vector<double> g(x.size(), 0.0);
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        const double d = x[i + 1] - x[i] * x[i];
        g[i] += -400 * d * x[i] - 2 * (1 - x[i]);
        g[i + 1] += 200 * d;
    }
    return g;
}

// Entry (r, c) of the (tridiagonal) Hessian.
inline double rosenbrock_hessian(const std::vector<double>& x, std::size_t r, std::size_t c) {
    const std::size_t n = x.size();
    if (r == c) {
        double h = 0;
        if (r + 1 < n) h += 1200 * x[r] * x[r] - 400 * x[r + 1] + 2;
        if (r > 0) h += 200;
        return h;
    }
    if (r + 1 == c || c + 1 == r) return -400 * x[std::min(r, c)];
    return 0;
}

}  // namespace duet_test
