// window_classifier (a 3-class classifier of sliding windows, doc/examples/window_classifier.cpp):
// the score s = u . sigmoid(W x + b) of a window x in R^{5d}, d = 10, with
// n hidden units: W n x 5d, b and u in R^n. Parameters, in this order and
// W row-major: x = (W, b, u, x_window); dimension 52 n + 50. Loop form.
#pragma once

#include "common.hpp"

namespace duet_bench {

struct window_classifier {
    static constexpr const char* name = "window_classifier";
    static constexpr std::size_t inputs = 50;  // 5 words x d = 10
    static std::vector<std::size_t> sizes() { return {16, 64, 256, 1024}; }
    static std::size_t quick_size() { return 16; }
    static std::size_t dimension(std::size_t n) { return n * inputs + 2 * n + inputs; }
    static std::size_t hidden(std::size_t size) { return (size - inputs) / (inputs + 2); }
    static std::vector<double> input(std::size_t n) {
        random_source rng(0x77696e64ull + n);
        std::vector<double> x(dimension(n));
        for (auto& v : x) v = rng.uniform(-0.5, 0.5);
        return x;
    }

    template <class T>
    static T f(const std::vector<T>& v) {
        using std::exp;
        const std::size_t n = hidden(v.size());
        const T* W = v.data();
        const T* b = W + n * inputs;
        const T* u = b + n;
        const T* x = u + n;
        T s = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            T z = b[i];
            for (std::size_t j = 0; j < inputs; ++j) z += W[i * inputs + j] * x[j];
            s += u[i] / (1.0 + exp(-z));
        }
        return s;
    }

    // delta = u o h o (1 - h): ds/dW = delta x^T, ds/db = delta, ds/du = h,
    // ds/dx = W^T delta.
    static double hand(const std::vector<double>& v, std::vector<double>& g) {
        // g has v's size (the callers size it so); said explicitly, GCC 12
        // no longer assumes an empty g after inlining into a caller
        // (-Wstringop-overflow on the zeroing of gx).
        if (g.size() != v.size()) g.resize(v.size());
        const std::size_t n = hidden(v.size());
        const double* W = v.data();
        const double* b = W + n * inputs;
        const double* u = b + n;
        const double* x = u + n;
        double* gW = g.data();
        double* gb = gW + n * inputs;
        double* gu = gb + n;
        double* gx = gu + n;
        for (std::size_t j = 0; j < inputs; ++j) gx[j] = 0;
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double* Wi = W + i * inputs;
            double z = b[i];
            for (std::size_t j = 0; j < inputs; ++j) z += Wi[j] * x[j];
            const double h = 1 / (1 + std::exp(-z));
            s += u[i] * h;
            const double delta = u[i] * h * (1 - h);
            gu[i] = h;
            gb[i] = delta;
            double* gWi = gW + i * inputs;
            for (std::size_t j = 0; j < inputs; ++j) {
                gWi[j] = delta * x[j];
                gx[j] += Wi[j] * delta;
            }
        }
        return s;
    }
};

}  // namespace duet_bench
