// matrix_product: f(A, B) = sum_ij (A B)_ij for N x N matrices A and B,
// x = A then B, each flattened row-major (dimension 2 N^2); n = N.
// f is the triple loop a user writes; its cost is N^3.
#pragma once

#include "common.hpp"

namespace duet_bench {

struct matrix_product {
    static constexpr const char* name = "matrix_product";
    static std::vector<std::size_t> sizes() { return {4, 8, 16, 32, 64}; }
    static std::size_t quick_size() { return 16; }
    static std::size_t dimension(std::size_t n) { return 2 * n * n; }
    static std::vector<double> input(std::size_t n) {
        random_source rng(0x6d617470ull + n);
        std::vector<double> x(dimension(n));
        for (auto& v : x) v = rng.uniform(-0.5, 0.5);
        return x;
    }
    // N from the size of x (x.size() == 2 N^2).
    static std::size_t order(std::size_t size) {
        std::size_t N = 0;
        while (2 * (N + 1) * (N + 1) <= size) ++N;
        return N;
    }

    template <class T>
    static T f(const std::vector<T>& x) {
        const std::size_t N = order(x.size());
        const T* A = x.data();
        const T* B = x.data() + N * N;
        T s = 0.0;
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = 0; j < N; ++j) {
                T c = 0.0;
                for (std::size_t k = 0; k < N; ++k) c += A[i * N + k] * B[k * N + j];
                s += c;
            }
        return s;
    }

    // The value by the same triple loop; the gradient is O(N^2):
    // dA_ik = sum_j B_kj (row sums of B), dB_kj = sum_i A_ik (column sums of A).
    static double hand(const std::vector<double>& x, std::vector<double>& g) {
        const double s = f(x);
        const std::size_t N = order(x.size());
        const double* A = x.data();
        const double* B = x.data() + N * N;
        double* gA = g.data();
        double* gB = g.data() + N * N;
        for (std::size_t k = 0; k < N; ++k) {
            double row = 0;
            for (std::size_t j = 0; j < N; ++j) row += B[k * N + j];
            for (std::size_t i = 0; i < N; ++i) gA[i * N + k] = row;
        }
        for (std::size_t j = 0; j < N * N; ++j) gB[j] = 0;
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t k = 0; k < N; ++k) {
                const double a = A[i * N + k];
                for (std::size_t j = 0; j < N; ++j) gB[k * N + j] += a;
            }
        return s;
    }
};

}  // namespace duet_bench
