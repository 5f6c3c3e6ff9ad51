// Forward versus reverse on your own function: duet::compare_modes times
// every mode on f at x and recommends one (doc/modes.md).
#include <duet/tensor.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <vector>

int main() {
    // Gradient-shaped: R^64 -> R, Rosenbrock written with named locals.
    const auto rosenbrock = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        T s = 0.0;
        for (std::size_t i = 0; i + 1 < x.size(); ++i) {
            const T d = x[i + 1] - x[i] * x[i];
            const T e = 1.0 - x[i];
            s += 100.0 * d * d + e * e;
        }
        return s;
    };
    std::vector<double> x(64);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.5 + 0.01 * double(i);
    const duet::mode_comparison g = duet::compare_modes(rosenbrock, x);
    std::cout << g.str();

    // Jacobian-shaped: R^4 -> R^32, few inputs and many outputs.
    const auto expand = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        std::vector<T> out;
        for (std::size_t i = 0; i < 32; ++i) out.push_back(sin(v[i % 4]) * v[(i / 4) % 4] + double(i));
        return out;
    };
    const std::vector<double> y{0.1, 0.2, 0.3, 0.4};
    const duet::mode_comparison j = duet::compare_modes(expand, y);
    std::cout << j.str();

    // The result is data as well as text: every mode ran, the recommendation
    // is the fastest of them.
    const bool ok = g.derivative == "gradient" && g.m == 1 && j.derivative == "jacobian" && j.m == 32 &&
                    g.recommended == g.fastest().mode && j.recommended == j.fastest().mode;
    return ok ? 0 : 1;
}
