// rosenbrock: f(x) = sum_{i < n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.
// pow(e, 2) takes an int exponent, as the design's worked example writes it (duet: x^int).
#pragma once

#include "common.hpp"

namespace duet_bench {

struct rosenbrock {
    static constexpr const char* name = "rosenbrock";
    static std::vector<std::size_t> sizes() { return powers_of_four_16_to_16384(); }
    static std::size_t quick_size() { return 1024; }
    static std::size_t dimension(std::size_t n) { return n; }
    static std::vector<double> input(std::size_t n) { return near_one(n); }

    template <class T>
    static T f(const std::vector<T>& x) {
        using std::pow;
        T s = 0.0;
        for (std::size_t i = 0; i + 1 < x.size(); ++i)
            s += 100.0 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1.0 - x[i], 2);
        return s;
    }

    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        const std::size_t n = x.size();
        for (auto& gi : g) gi = 0;
        double s = 0;
        for (std::size_t i = 0; i + 1 < n; ++i) {
            const double d = x[i + 1] - x[i] * x[i];
            const double e = 1 - x[i];
            s += 100 * d * d + e * e;
            g[i] += -400 * d * x[i] - 2 * e;
            g[i + 1] += 200 * d;
        }
        return s;
    }
};

}  // namespace duet_bench
