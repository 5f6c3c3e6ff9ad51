// example1 (the first worked example of the design): F(x, y) = x^3 (x + 3y) at (2, 3):
// F = 88, dF/dx = 140, dF/dy = 24. Fixed dimension 2 (n = 2).
#pragma once

#include "common.hpp"

namespace duet_bench {

struct example1 {
    static constexpr const char* name = "example1";
    static std::vector<std::size_t> sizes() { return {2}; }
    static std::size_t quick_size() { return 2; }
    static std::size_t dimension(std::size_t) { return 2; }
    static std::vector<double> input(std::size_t) { return {2.0, 3.0}; }

    // The closed form on scalars (the static reverse contender uses it as an
    // expression; f converts inside it, see as_result).
    template <class R = void, class X, class Y>
    static auto closed(const X& x, const Y& y) {
        return as_result<R>(x * x * x * (x + 3.0 * y));
    }
    template <class T>
    static T f(const std::vector<T>& v) {
        return closed<T>(v[0], v[1]);
    }

    static double hand(const std::vector<double>& v, std::vector<double>& g) {
        const double x = v[0], y = v[1], x2 = x * x, x3 = x2 * x;
        g[0] = 4 * x3 + 9 * x2 * y;
        g[1] = 3 * x3;
        return x3 * (x + 3 * y);
    }
};

}  // namespace duet_bench
