// example3 (the third worked example of the design):
//     y = exp(x z) + x z / log(x) + sin(log(x)) / (x z)   at x = 2, z = 3:
// y ~ 412.19146, dy/dx ~ 1208.38122, dy/dz ~ 809.70748. Dimension 2 (n = 2).
#pragma once

#include "common.hpp"

namespace duet_bench {

struct example3 {
    static constexpr const char* name = "example3";
    static std::vector<std::size_t> sizes() { return {2}; }
    static std::size_t quick_size() { return 2; }
    static std::size_t dimension(std::size_t) { return 2; }
    static std::vector<double> input(std::size_t) { return {2.0, 3.0}; }

    // The closed form on scalars (the static reverse contender uses it as an
    // expression; f converts inside it, see as_result).
    template <class R = void, class X, class Z>
    static auto closed(const X& x, const Z& z) {
        using std::exp;
        using std::log;
        using std::sin;
        return as_result<R>(exp(x * z) + x * z / log(x) + sin(log(x)) / (x * z));
    }
    template <class T>
    static T f(const std::vector<T>& v) {
        return closed<T>(v[0], v[1]);
    }

    static double hand(const std::vector<double>& v, std::vector<double>& g) {
        const double x = v[0], z = v[1];
        const double xz = x * z, e = std::exp(xz), L = std::log(x), sL = std::sin(L), cL = std::cos(L);
        const double inv_L = 1 / L, inv_xz = 1 / xz;
        g[0] = z * e + z * inv_L - z * inv_L * inv_L + (cL - sL) * inv_xz / x;
        g[1] = x * e + x * inv_L - sL * inv_xz / z;
        return e + xz * inv_L + sL * inv_xz;
    }
};

}  // namespace duet_bench
