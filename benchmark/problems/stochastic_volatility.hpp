// stochastic_volatility: the non-centred stochastic volatility model of the
// Stan User's Guide, log density up to a constant on the unconstrained scale:
//     h_1 = sigma h_std_1 / sqrt(1 - phi^2) + mu
//     h_t = sigma h_std_t + mu + phi (h_{t-1} - mu),        t = 2..T
//     mu ~ cauchy(0, 10), sigma ~ cauchy(0, 5), phi ~ uniform(-1, 1),
//     h_std ~ normal(0, 1), y_t ~ normal(0, exp(h_t / 2)).
// Parameters x = (mu, phi_u, sigma_u, h_std_1 .. h_std_T) with
// phi = tanh(phi_u), sigma = exp(sigma_u); the log Jacobians
// log(1 - phi^2) and sigma_u are included. n = T; y is fixed synthetic data.
#pragma once

#include <map>

#include "common.hpp"

namespace duet_bench {

struct stochastic_volatility {
    static constexpr const char* name = "stochastic_volatility";

    // y simulated from the model with mu = -1, phi = 0.95, sigma = 0.25.
    static const std::vector<double>& data(std::size_t T) {
        static std::map<std::size_t, std::vector<double>> cache;
        auto it = cache.find(T);
        if (it != cache.end()) return it->second;
        random_source rng(0x73766f6cull + T);
        const double mu = -1.0, phi = 0.95, sigma = 0.25;
        std::vector<double> y(T);
        double h = mu + sigma / std::sqrt(1 - phi * phi) * rng.normal();
        for (std::size_t t = 0; t < T; ++t) {
            if (t > 0) h = mu + phi * (h - mu) + sigma * rng.normal();
            y[t] = std::exp(h / 2) * rng.normal();
        }
        return cache.emplace(T, std::move(y)).first->second;
    }

    static std::vector<std::size_t> sizes() { return powers_of_four_16_to_16384(); }
    static std::size_t quick_size() { return 1024; }
    static std::size_t dimension(std::size_t T) { return T + 3; }
    static std::vector<double> input(std::size_t T) {
        std::vector<double> x(T + 3);
        x[0] = -0.9;                // mu
        x[1] = std::atanh(0.9);     // phi = 0.9
        x[2] = std::log(0.3);       // sigma = 0.3
        for (std::size_t t = 0; t < T; ++t) x[3 + t] = 0.8 * std::sin(0.61 * double(t) + 0.3);
        return x;
    }

    template <class T>
    static T f(const std::vector<T>& x) {
        using std::exp;
        using std::log;
        using std::sqrt;
        using std::tanh;
        const std::vector<double>& y = data(x.size() - 3);
        const T& mu = x[0];
        const T phi = tanh(x[1]);
        const T sigma = exp(x[2]);
        const T one_minus_phi2 = 1.0 - phi * phi;
        T lp = log(one_minus_phi2) + x[2];                 // log Jacobians
        lp += -log(1.0 + (mu / 10.0) * (mu / 10.0));       // mu ~ cauchy(0, 10)
        lp += -log(1.0 + (sigma / 5.0) * (sigma / 5.0));   // sigma ~ cauchy(0, 5)
        T h = x[3] * sigma / sqrt(one_minus_phi2) + mu;
        for (std::size_t t = 0; t < y.size(); ++t) {
            const T& hs = x[3 + t];
            if (t > 0) h = hs * sigma + mu + phi * (h - mu);
            lp += -0.5 * hs * hs;                          // h_std ~ normal(0, 1)
            lp += -0.5 * y[t] * y[t] * exp(-h) - 0.5 * h;  // y ~ normal(0, exp(h / 2))
        }
        return lp;
    }

    // Reverse sweep by hand. a_t = dlp/dh_t through the recurrence:
    // a_t = e_t + phi a_{t+1}, e_t = (y_t^2 exp(-h_t) - 1) / 2.
    // h_t is kept in g[3 + t] until a_t is known.
    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        const std::size_t T = x.size() - 3;
        const std::vector<double>& y = data(T);
        const double mu = x[0], phi = std::tanh(x[1]), sigma = std::exp(x[2]);
        const double c = 1 - phi * phi, root_c = std::sqrt(c);
        const double mu10 = mu / 10, s5 = sigma / 5;
        double lp = std::log(c) + x[2] - std::log(1 + mu10 * mu10) - std::log(1 + s5 * s5);
        double h = x[3] * sigma / root_c + mu;
        for (std::size_t t = 0; t < T; ++t) {
            const double hs = x[3 + t];
            if (t > 0) h = hs * sigma + mu + phi * (h - mu);
            const double q = y[t] * y[t] * std::exp(-h);
            lp += -0.5 * hs * hs - 0.5 * q - 0.5 * h;
            g[3 + t] = h;
        }
        double a_next = 0, g_mu = 0, g_phi = 0, g_sigma = 0;
        for (std::size_t t = T; t-- > 0;) {
            const double h_t = g[3 + t];
            const double a = 0.5 * (y[t] * y[t] * std::exp(-h_t) - 1) + phi * a_next;
            const double hs = x[3 + t];
            if (t > 0) {
                const double h_prev = g[2 + t];
                g_mu += (1 - phi) * a;
                g_phi += a * (h_prev - mu);
                g_sigma += a * hs;
                g[3 + t] = a * sigma - hs;
            } else {
                g_mu += a;
                g_phi += a * hs * sigma * phi / (c * root_c);
                g_sigma += a * hs / root_c;
                g[3] = a * sigma / root_c - hs;
            }
            a_next = a;
        }
        g_mu += -2 * mu10 / 10 / (1 + mu10 * mu10);
        g_phi += -2 * phi / c;
        g_sigma += -2 * s5 / 5 / (1 + s5 * s5);
        g[0] = g_mu;
        g[1] = g_phi * c;          // dphi/dphi_u = 1 - phi^2
        g[2] = g_sigma * sigma + 1;  // dsigma/dsigma_u = sigma, plus the log Jacobian
        return lp;
    }
};

}  // namespace duet_bench
