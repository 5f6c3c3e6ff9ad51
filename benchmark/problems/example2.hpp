// example2 (the second worked example of the design): f(x, y, z) = (x + y) max(y, z) at
// (1, 2, 0): f = 6, grad = (2, 5, 0). The max is written with a comparison
// on values (portable to every AD type); y != z at the input point.
#pragma once

#include "common.hpp"

namespace duet_bench {

struct example2 {
    static constexpr const char* name = "example2";
    static std::vector<std::size_t> sizes() { return {3}; }
    static std::size_t quick_size() { return 3; }
    static std::size_t dimension(std::size_t) { return 3; }
    static std::vector<double> input(std::size_t) { return {1.0, 2.0, 0.0}; }

    template <class T>
    static T f(const std::vector<T>& v) {
        const T& m = v[1] > v[2] ? v[1] : v[2];
        return (v[0] + v[1]) * m;
    }

    static double hand(const std::vector<double>& v, std::vector<double>& g) {
        const double x = v[0], y = v[1], z = v[2], s = x + y;
        const bool y_wins = y > z;
        const double m = y_wins ? y : z;
        g[0] = m;
        g[1] = m + (y_wins ? s : 0.0);
        g[2] = y_wins ? 0.0 : s;
        return s * m;
    }
};

}  // namespace duet_bench
