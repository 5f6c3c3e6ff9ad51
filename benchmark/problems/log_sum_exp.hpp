// log_sum_exp: f(x) = log(sum_i exp(x_i)) (no max shift: inputs are near 1).
#pragma once

#include "common.hpp"

namespace duet_bench {

struct log_sum_exp {
    static constexpr const char* name = "log_sum_exp";
    static std::vector<std::size_t> sizes() { return powers_of_four_16_to_16384(); }
    static std::size_t quick_size() { return 1024; }
    static std::size_t dimension(std::size_t n) { return n; }
    static std::vector<double> input(std::size_t n) { return near_one(n); }

    template <class T>
    static T f(const std::vector<T>& x) {
        using std::exp;
        using std::log;
        T s = 0.0;
        for (const auto& xi : x) s += exp(xi);
        return log(s);
    }

    // g_i = exp(x_i) / sum_j exp(x_j).
    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        double s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            g[i] = std::exp(x[i]);
            s += g[i];
        }
        const double inv = 1 / s;
        for (auto& gi : g) gi *= inv;
        return std::log(s);
    }
};

}  // namespace duet_bench
