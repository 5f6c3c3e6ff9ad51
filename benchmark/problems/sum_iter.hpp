// sum_iter: f(x) = sum_i x_i, a loop of one addition per element.
#pragma once

#include "common.hpp"

namespace duet_bench {

struct sum_iter {
    static constexpr const char* name = "sum_iter";
    static std::vector<std::size_t> sizes() { return powers_of_four_16_to_16384(); }
    static std::size_t quick_size() { return 1024; }
    static std::size_t dimension(std::size_t n) { return n; }
    static std::vector<double> input(std::size_t n) { return near_one(n); }

    template <class T>
    static T f(const std::vector<T>& x) {
        T s = 0.0;
        for (const auto& xi : x) s += xi;
        return s;
    }

    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        double s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            s += x[i];
            g[i] = 1;
        }
        return s;
    }
};

}  // namespace duet_bench
