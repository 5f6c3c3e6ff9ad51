// prod_iter: f(x) = prod_i x_i, a loop of one multiplication per element.
#pragma once

#include "common.hpp"

namespace duet_bench {

struct prod_iter {
    static constexpr const char* name = "prod_iter";
    static std::vector<std::size_t> sizes() { return powers_of_four_16_to_16384(); }
    static std::size_t quick_size() { return 1024; }
    static std::size_t dimension(std::size_t n) { return n; }
    static std::vector<double> input(std::size_t n) { return near_one(n); }

    template <class T>
    static T f(const std::vector<T>& x) {
        T p = 1.0;
        for (const auto& xi : x) p *= xi;
        return p;
    }

    // Prefix products forward, suffix products backward: no division, so
    // zeros in x are fine.
    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        double p = 1;
        for (std::size_t i = 0; i < x.size(); ++i) {
            g[i] = p;
            p *= x[i];
        }
        double suffix = 1;
        for (std::size_t i = x.size(); i-- > 0;) {
            g[i] *= suffix;
            suffix *= x[i];
        }
        return p;
    }
};

}  // namespace duet_bench
