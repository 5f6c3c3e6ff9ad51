// regression: the log density (up to a constant) of a Bayesian linear
// regression with p predictors and 1000 fixed synthetic observations:
//     y_i ~ normal(X_i . w + b, sigma_y),  w_j ~ normal(0, sigma_w),  b ~ normal(0, sigma_b).
// Parameters x = (w_0 .. w_{p-1}, b); n = p.
#pragma once

#include <map>

#include "common.hpp"

namespace duet_bench {

struct regression {
    static constexpr const char* name = "regression";
    static constexpr std::size_t observations = 1000;
    static constexpr double sigma_y = 0.8;
    static constexpr double sigma_w = 2.0;
    static constexpr double sigma_b = 5.0;

    struct data_set {
        std::vector<double> X;  // observations x p, row-major
        std::vector<double> y;  // observations
    };

    // Fixed per p: X uniform(-1, 1), y = X w* + 0.3 + noise, w*_j = sin(j).
    static const data_set& data(std::size_t p) {
        static std::map<std::size_t, data_set> cache;
        auto it = cache.find(p);
        if (it != cache.end()) return it->second;
        data_set d;
        random_source rng(0x72656772ull + p);
        d.X.resize(observations * p);
        d.y.resize(observations);
        for (auto& v : d.X) v = rng.uniform(-1.0, 1.0);
        for (std::size_t i = 0; i < observations; ++i) {
            double m = 0.3;
            for (std::size_t j = 0; j < p; ++j) m += d.X[i * p + j] * std::sin(double(j));
            d.y[i] = m + sigma_y * rng.normal();
        }
        return cache.emplace(p, std::move(d)).first->second;
    }

    static std::vector<std::size_t> sizes() { return {10, 50, 150}; }
    static std::size_t quick_size() { return 10; }
    static std::size_t dimension(std::size_t p) { return p + 1; }
    static std::vector<double> input(std::size_t p) {
        std::vector<double> x(p + 1);
        for (std::size_t j = 0; j < p; ++j) x[j] = 0.9 * std::sin(double(j)) + 0.05;
        x[p] = 0.25;
        return x;
    }

    template <class T>
    static T f(const std::vector<T>& x) {
        const std::size_t p = x.size() - 1;
        const data_set& d = data(p);
        const T& b = x[p];
        T lp = 0.0;
        for (std::size_t i = 0; i < observations; ++i) {
            T m = b;
            for (std::size_t j = 0; j < p; ++j) m += d.X[i * p + j] * x[j];
            const T r = (d.y[i] - m) / sigma_y;
            lp += -0.5 * r * r;
        }
        for (std::size_t j = 0; j < p; ++j) {
            const T z = x[j] / sigma_w;
            lp += -0.5 * z * z;
        }
        const T zb = b / sigma_b;
        lp += -0.5 * zb * zb;
        return lp;
    }

    // With r_i = (y_i - X_i w - b) / sigma_y:
    //   d/dw = X^T r / sigma_y - w / sigma_w^2,   d/db = sum_i r_i / sigma_y - b / sigma_b^2.
    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        const std::size_t p = x.size() - 1;
        const data_set& d = data(p);
        const double b = x[p];
        for (auto& gi : g) gi = 0;
        double lp = 0, rsum = 0;
        for (std::size_t i = 0; i < observations; ++i) {
            const double* Xi = d.X.data() + i * p;
            double m = b;
            for (std::size_t j = 0; j < p; ++j) m += Xi[j] * x[j];
            const double r = (d.y[i] - m) / sigma_y;
            lp += -0.5 * r * r;
            rsum += r;
            for (std::size_t j = 0; j < p; ++j) g[j] += Xi[j] * r;
        }
        for (std::size_t j = 0; j < p; ++j) {
            const double z = x[j] / sigma_w;
            lp += -0.5 * z * z;
            g[j] = g[j] / sigma_y - x[j] / (sigma_w * sigma_w);
        }
        const double zb = b / sigma_b;
        lp += -0.5 * zb * zb;
        g[p] = rsum / sigma_y - b / (sigma_b * sigma_b);
        return lp;
    }
};

}  // namespace duet_bench
