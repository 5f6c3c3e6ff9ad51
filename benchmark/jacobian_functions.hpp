// Test functions shared by the Jacobian benchmarks (cost_model.cpp,
// jacobian_modes.cpp, jacobian_chain.cpp): one definition each, so the cost
// model is calibrated on the function the mode grid measures.
#pragma once

#include <cmath>
#include <cstddef>
#include <ctime>
#include <random>
#include <vector>

namespace duet_bench {

// A dense R^n -> R^m function: y_i = sin(sum_j a_ij tanh(x_j)).
struct dense_function {
    std::size_t m;
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::sin;
        using std::tanh;
        const std::size_t n = x.size();
        std::vector<T> t;
        t.reserve(n);
        for (const auto& xj : x) t.push_back(tanh(xj));
        std::vector<T> y;
        y.reserve(m);
        for (std::size_t i = 0; i < m; ++i) {
            T s = 0.0;
            for (std::size_t j = 0; j < n; ++j) s += coefficient(i, j) * t[j];
            y.push_back(sin(s));
        }
        return y;
    }
    static double coefficient(std::size_t i, std::size_t j) { return 1.0 / double(1 + (3 * i + 7 * j) % 17); }
};

// The point where dense_function's Jacobians are taken.
inline std::vector<double> dense_input(std::size_t n) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 0.5 * std::sin(double(i) + 1.0);
    return x;
}

// Chain stages. R^n -> R^m, dense: y = tanh(W x + b), m*n multiply-adds.
struct dense_stage {
    std::size_t m, n;
    std::vector<double> W, b;
    dense_stage(std::size_t rows, std::size_t cols, unsigned seed) : m(rows), n(cols), W(rows * cols), b(rows) {
        std::mt19937 gen(seed);
        std::uniform_real_distribution<double> u(-1.0, 1.0);
        for (double& w : W) w = u(gen) / std::sqrt(double(cols));
        for (double& v : b) v = 0.1 * u(gen);
    }
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::tanh;
        std::vector<T> y;
        y.reserve(m);
        for (std::size_t i = 0; i < m; ++i) {
            const double* w = W.data() + i * n;
            T s = b[i];
            for (std::size_t j = 0; j < n; ++j) s += w[j] * x[j];
            y.push_back(tanh(s));
        }
        return y;
    }
};

// R^n -> R^m, cheap elementwise broadcast: y_i = sin(a_i x_{i mod n}) + x_{i mod n}.
struct broadcast_stage {
    std::size_t m;
    std::vector<double> a;
    broadcast_stage(std::size_t rows, unsigned seed) : m(rows), a(rows) {
        std::mt19937 gen(seed);
        std::uniform_real_distribution<double> u(0.5, 1.5);
        for (double& v : a) v = u(gen);
    }
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::sin;
        std::vector<T> y;
        y.reserve(m);
        for (std::size_t i = 0; i < m; ++i) {
            const T& xi = x[i % x.size()];
            y.push_back(sin(a[i] * xi) + xi);
        }
        return y;
    }
};

// R^n -> R: sum of squares.
struct sum_of_squares {
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        T s = 0.0;
        for (const T& e : x) s += e * e;
        return {s};
    }
};

// CPU time of this thread, ns.
inline double thread_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

}  // namespace duet_bench
