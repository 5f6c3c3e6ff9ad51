// Real code: statistics and finance as written in numerical codes: the
// Black-Scholes call as one closed form (auto locals, a local lambda for the
// normal CDF, std::erf) and the put through helpers returning T
// (std::erfc), a Gaussian log-likelihood with a log-scale parameter, and an
// L2-regularised logistic regression loss with a numerically stable
// softplus that branches on the margin's value.
#include "corpus.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace {

// ---- the corpus (unchanged scientific code) ----------------------------------

// European call, Black-Scholes. One expression of its arguments.
template <class T>
auto black_scholes_call(T S, T K, T r, T sigma, T t) {
    const auto N = [](const auto& x) { return T(0.5) * (T(1) + std::erf(x / std::sqrt(T(2)))); };
    const auto sqrt_t = std::sqrt(t);
    const auto d1 = (std::log(S / K) + (r + sigma * sigma / T(2)) * t) / (sigma * sqrt_t);
    const auto d2 = d1 - sigma * sqrt_t;
    return S * N(d1) - K * std::exp(-r * t) * N(d2);
}

template <class T>
T norm_cdf(T x) {
    return T(0.5) * std::erfc(-x / std::sqrt(T(2)));
}

// European put, written with helpers returning T. The explicit <T>: a
// helper template deduces T from its argument, and -d2 is an expression
// node, not a T (see doc/testing.md, "what the corpus had to change").
template <class T>
T black_scholes_put(T S, T K, T r, T sigma, T t) {
    const T vol = sigma * std::sqrt(t);
    const T d1 = (std::log(S / K) + (r + T(0.5) * sigma * sigma) * t) / vol;
    const T d2 = d1 - vol;
    return K * std::exp(-r * t) * norm_cdf<T>(-d2) - S * norm_cdf<T>(-d1);
}

// theta = {mu, log sigma}: log-likelihood of the data under N(mu, sigma^2).
template <class T>
T gaussian_log_likelihood(const std::vector<T>& theta, const std::vector<double>& data) {
    const T mu = theta[0];
    const T sigma = std::exp(theta[1]);
    const T log_norm = std::log(sigma) + T(0.5) * std::log(T(2) * T(3.141592653589793));
    T ll = 0;
    for (double xi : data) {
        const T z = (xi - mu) / sigma;
        ll -= T(0.5) * z * z + log_norm;
    }
    return ll;
}

// log(1 + exp(z)) without overflow.
template <class T>
T softplus_stable(T z) {
    if (z > T(30)) return z;
    if (z > 0) return z + std::log1p(std::exp(-z));
    return std::log1p(std::exp(z));
}

// Mean logistic loss of the linear classifier w on (X, y), y = +-1, plus
// (lambda / 2) |w|^2.
template <class T>
T logistic_loss(const std::vector<T>& w, const std::vector<std::vector<double>>& X,
                const std::vector<double>& y, double lambda) {
    T loss = T(0);
    for (std::size_t i = 0; i < X.size(); ++i) {
        T margin = 0.0;
        for (std::size_t j = 0; j < w.size(); ++j) margin += w[j] * X[i][j];
        const T z = -y[i] * margin;
        loss += softplus_stable(z);
    }
    loss /= static_cast<T>(X.size());
    T penalty = T{};
    for (const T& wj : w) penalty += wj * wj;
    return loss + T(0.5) * lambda * penalty;
}

// ---- data and hand derivatives ----------------------------------------------------

const std::vector<double> sample{1.3, -0.2, 0.8, 2.1, 0.4, 1.7, -0.9, 0.6};

std::vector<std::vector<double>> design(std::size_t m, std::size_t n) {
    std::vector<std::vector<double>> X(m, std::vector<double>(n));
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) X[i][j] = 3.0 * std::sin(0.7 * double(i * n + j) + 0.3);
    return X;
}
std::vector<double> labels(std::size_t m) {
    std::vector<double> y(m);
    for (std::size_t i = 0; i < m; ++i) y[i] = std::cos(1.9 * double(i)) > 0 ? 1.0 : -1.0;
    return y;
}

double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * 3.141592653589793); }
double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

const auto call_f = [](auto S, auto K, auto r, auto sigma, auto t) {
    return black_scholes_call(S, K, r, sigma, t);
};
const auto put_f = [](auto S, auto K, auto r, auto sigma, auto t) {
    return black_scholes_put(S, K, r, sigma, t);
};
const auto gaussian_f = [](const auto& theta) { return gaussian_log_likelihood(theta, sample); };

}  // namespace

TEST_CASE("real code: Black-Scholes call, a closed form with std::erf", "[real_code][static_reverse]") {
    for (auto [S, K, r, sigma, t] : {std::array<double, 5>{100.0, 95.0, 0.03, 0.25, 0.75},
                                     std::array<double, 5>{42.0, 50.0, 0.01, 0.6, 2.0}}) {
        const auto g = corpus::check_scalar<true>("black_scholes_call", call_f, S, K, r, sigma, t);
        const double d1 = (std::log(S / K) + (r + sigma * sigma / 2) * t) / (sigma * std::sqrt(t));
        const double d2 = d1 - sigma * std::sqrt(t);
        const double disc = std::exp(-r * t);
        const std::array<double, 5> greeks{Phi(d1), -disc * Phi(d2), K * t * disc * Phi(d2),
                                           S * phi(d1) * std::sqrt(t),
                                           S * phi(d1) * sigma / (2 * std::sqrt(t)) + r * K * disc * Phi(d2)};
        corpus::check_hand("black_scholes_call greeks", g, greeks);
        const auto gs = duet::gradient(duet::reverse, call_f, S, K, r, sigma, t);
        corpus::check_hand("black_scholes_call greeks, static reverse", gs, greeks);
    }
}

TEST_CASE("real code: Black-Scholes put through helpers returning T; put-call parity", "[real_code]") {
    const double S = 100.0, K = 95.0, r = 0.03, sigma = 0.25, t = 0.75;
    const auto gp = corpus::check_scalar<false>("black_scholes_put", put_f, S, K, r, sigma, t);
    const auto gc = duet::gradient(duet::forward, call_f, S, K, r, sigma, t);
    // C - P = S - K exp(-r t).
    const double disc = std::exp(-r * t);
    const std::array<double, 5> parity{1.0, -disc, K * t * disc, 0.0, r * K * disc};
    std::array<double, 5> diff{};
    for (std::size_t i = 0; i < 5; ++i) diff[i] = gc[i] - gp[i];
    corpus::check_hand("put-call parity", diff, parity, 1e-11);
}

TEST_CASE("real code: Gaussian log-likelihood", "[real_code]") {
    for (const std::vector<double>& theta : {std::vector<double>{0.6, 0.1}, std::vector<double>{-1.0, -0.7}}) {
        const auto g = corpus::check_gradient("gaussian_log_likelihood", gaussian_f, theta);
        const auto H = corpus::check_hessian("gaussian_log_likelihood", gaussian_f, theta);
        corpus::check_precisions("gaussian_log_likelihood", gaussian_f, theta, g);
        const double mu = theta[0], s2 = std::exp(2 * theta[1]);
        double sum_r = 0, sum_r2 = 0;
        for (double xi : sample) {
            sum_r += xi - mu;
            sum_r2 += (xi - mu) * (xi - mu);
        }
        const double n = double(sample.size());
        corpus::check_hand("gaussian gradient", g, std::vector<double>{sum_r / s2, sum_r2 / s2 - n});
        corpus::check_hand("gaussian Hessian row 0", corpus::row(H, 0), std::vector<double>{-n / s2, -2 * sum_r / s2});
        corpus::check_hand("gaussian Hessian row 1", corpus::row(H, 1),
                           std::vector<double>{-2 * sum_r / s2, -2 * sum_r2 / s2});
    }
}

TEST_CASE("real code: logistic regression loss with a branching stable softplus", "[real_code]") {
    const auto X = design(12, 3);
    const auto y = labels(12);
    const double lambda = 0.1;
    const auto loss_f = [&](const auto& w) { return logistic_loss(w, X, y, lambda); };
    // Weights large enough that some margins pass each branch (z > 30,
    // 0 < z <= 30, z <= 0).
    for (const std::vector<double>& w : {std::vector<double>{0.3, -0.2, 0.5}, std::vector<double>{4.0, -3.5, 2.5}}) {
        const auto g = corpus::check_gradient("logistic_loss", loss_f, w);
        corpus::check_hessian("logistic_loss", loss_f, w);
        corpus::check_precisions("logistic_loss", loss_f, w, g);
        std::vector<double> hand(w.size(), 0.0);
        for (std::size_t i = 0; i < X.size(); ++i) {
            double margin = 0;
            for (std::size_t j = 0; j < w.size(); ++j) margin += w[j] * X[i][j];
            const double s = 1 / (1 + std::exp(y[i] * margin));  // sigmoid(-y margin)
            for (std::size_t j = 0; j < w.size(); ++j) hand[j] += -y[i] * X[i][j] * s / double(X.size());
        }
        for (std::size_t j = 0; j < w.size(); ++j) hand[j] += lambda * w[j];
        corpus::check_hand("logistic_loss", g, hand);
    }
}
