// llsq: linear least squares, fitting a polynomial of n coefficients to the
// sign function at m = 128 points:
//     f(x) = 0.5 sum_i (s_i - sum_j x_j t_i^j)^2,  t_i = -1 + 2 i / (m - 1),  s_i = sign(t_i).
// (m is even, so no t_i is 0.)
#pragma once

#include "common.hpp"

namespace duet_bench {

struct llsq {
    static constexpr const char* name = "llsq";
    static constexpr std::size_t m = 128;
    static double t(std::size_t i) { return -1.0 + 2.0 * double(i) / double(m - 1); }
    static double s(std::size_t i) { return t(i) > 0 ? 1.0 : -1.0; }

    static std::vector<std::size_t> sizes() { return powers_of_four_16_to_16384(); }
    static std::size_t quick_size() { return 64; }
    static std::size_t dimension(std::size_t n) { return n; }
    static std::vector<double> input(std::size_t n) {
        std::vector<double> x(n);
        for (std::size_t j = 0; j < n; ++j) x[j] = 0.1 * std::sin(1.3 * double(j) + 0.2);
        return x;
    }

    template <class T>
    static T f(const std::vector<T>& x) {
        T sum = 0.0;
        for (std::size_t i = 0; i < m; ++i) {
            const double ti = t(i);
            T p = 0.0;
            double tj = 1.0;  // t_i^j
            for (std::size_t j = 0; j < x.size(); ++j) {
                p += x[j] * tj;
                tj *= ti;
            }
            const T r = s(i) - p;
            sum += 0.5 * r * r;
        }
        return sum;
    }

    // g_j = -sum_i r_i t_i^j with r_i = s_i - sum_j x_j t_i^j.
    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        const std::size_t n = x.size();
        for (auto& gj : g) gj = 0;
        double sum = 0;
        for (std::size_t i = 0; i < m; ++i) {
            const double ti = t(i);
            double p = 0, tj = 1;
            for (std::size_t j = 0; j < n; ++j) {
                p += x[j] * tj;
                tj *= ti;
            }
            const double r = s(i) - p;
            sum += 0.5 * r * r;
            tj = 1;
            for (std::size_t j = 0; j < n; ++j) {
                g[j] -= r * tj;
                tj *= ti;
            }
        }
        return sum;
    }
};

}  // namespace duet_bench
