// doc/code_as_written.md: generic scientific code, unchanged, in every mode.
#include <duet/duet.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

// Written the way an existing code base writes it: std:: maths, T(c)
// constants, numeric_limits, a helper template returning T.
template <class T>
T normal_cdf(const T& x) {
    return T(0.5) * std::erfc(-x / std::sqrt(T(2)));
}

template <class T>
T call_price(T spot, T strike, T rate, T vol, T time) {
    const T d1 = (std::log(spot / strike) + (rate + T(0.5) * vol * vol) * time) / (vol * std::sqrt(time));
    const T d2 = d1 - vol * std::sqrt(time);
    return spot * normal_cdf(d1) - strike * std::exp(-rate * time) * normal_cdf(d2);
}

template <class T>
T log_sum_exp(const std::vector<T>& z) {
    T m = -std::numeric_limits<T>::infinity();
    for (const auto& zi : z) m = std::max(m, zi);
    T s = 0;
    for (const auto& zi : z) s += std::exp(zi - m);
    return m + std::log(s);
}

int main() {
    int failures = 0;
    auto check = [&](bool ok, const char* what) {
        if (!ok) {
            std::printf("FAILED: %s\n", what);
            ++failures;
        }
    };

    // Greeks by forward mode (a helper returning T is fine there).
    auto price = [](auto s, auto k, auto r, auto v, auto t) { return call_price(s, k, r, v, t); };
    const auto [value, greeks] = duet::value_and_gradient(duet::forward, price, 100.0, 95.0, 0.01, 0.2, 0.5);
    const double d1 = (std::log(100.0 / 95.0) + (0.01 + 0.02) * 0.5) / (0.2 * std::sqrt(0.5));
    const double delta = 0.5 * std::erfc(-d1 / std::sqrt(2.0));
    std::printf("price %.6f, delta %.6f (closed form %.6f)\n", value, greeks[0], delta);
    check(std::abs(greeks[0] - delta) < 1e-14, "delta");

    // The same in long double: the result keeps the type.
    const long double delta_l = duet::gradient(duet::forward, price, 100.0L, 95.0L, 0.01L, 0.2L, 0.5L)[0];
    check(std::abs(double(delta_l) - delta) < 1e-14, "long double delta");

    // The tape, with numeric_limits and std::max in the loop.
    const std::vector<double> z{0.5, -1.0, 2.0};
    const auto g = duet::gradient(duet::reverse, [](const auto& v) { return log_sum_exp(v); }, z);
    double total = 0;
    for (double zi : z) total += std::exp(zi);
    for (std::size_t i = 0; i < z.size(); ++i) check(std::abs(g[i] - std::exp(z[i]) / total) < 1e-15, "softmax");

    // A function template passed by name: DUET_LIFT.
    const auto g2 = duet::gradient(DUET_LIFT(log_sum_exp), z);
    check(g2 == g || std::abs(g2[0] - g[0]) < 1e-15, "DUET_LIFT");

    // A derivative inside a derivative, the inner function using x.
    const double mixed = duet::derivative([](auto x) {
        return duet::derivative([&](auto y) { return x * y; }, 1.0);
    }, 2.0);
    const double squared = duet::derivative([](auto x) {
        return duet::derivative([&](auto y) { return x * y; }, 1.0) * x;
    }, 2.0);
    std::printf("d/dx d/dy (x y) = %g, d/dx [x d/dy (x y)] = %g\n", mixed, squared);
    check(mixed == 1.0 && squared == 4.0, "nested");
    return failures;
}
