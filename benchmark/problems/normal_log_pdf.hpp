// normal_log_pdf: f(x) = sum_i log N(x_i | mu, sigma), mu = -0.56, sigma = 1.37.
#pragma once

#include "common.hpp"

namespace duet_bench {

struct normal_log_pdf {
    static constexpr const char* name = "normal_log_pdf";
    static constexpr double mu = -0.56;
    static constexpr double sigma = 1.37;
    static std::vector<std::size_t> sizes() { return powers_of_four_16_to_16384(); }
    static std::size_t quick_size() { return 1024; }
    static std::size_t dimension(std::size_t n) { return n; }
    static std::vector<double> input(std::size_t n) { return near_one(n); }

    // The constant per element: log(sigma) + log(2 pi) / 2.
    static double log_normaliser() { return std::log(sigma) + 0.5 * std::log(2 * std::numbers::pi); }

    template <class T>
    static T f(const std::vector<T>& x) {
        T s = 0.0;
        for (const auto& xi : x) {
            const T z = (xi - mu) / sigma;
            s += -0.5 * z * z;
        }
        return s - double(x.size()) * log_normaliser();
    }

    // g_i = -(x_i - mu) / sigma^2.
    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        double s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double z = (x[i] - mu) / sigma;
            s += -0.5 * z * z;
            g[i] = -z / sigma;
        }
        return s - double(x.size()) * log_normaliser();
    }
};

}  // namespace duet_bench
