// The few BLAS calls the tensor rules need, on row-major xtensors, through
// xtensor-blas's cxxblas (CBLAS underneath). `accumulate` selects
// out = product (false) or out += product (true); when writing, the
// destination's previous contents are ignored (it may be uninitialised).
#pragma once

#include <cstddef>

#include <xtensor-blas/xblas.hpp>

#include "duet/tensor/nodes.hpp"

namespace duet::blas {

using index = xt::blas_index_t;

inline index ix(std::size_t n) { return static_cast<index>(n); }

// out (m x n) (+)= op(A) op(B), op = transpose when the flag is set.
inline void gemm(const tensor<2>& a, bool transpose_a, const tensor<2>& b, bool transpose_b,
                 tensor<2>& out, bool accumulate) {
    const std::size_t m = transpose_a ? a.shape(1) : a.shape(0);
    const std::size_t k = transpose_a ? a.shape(0) : a.shape(1);
    const std::size_t n = transpose_b ? b.shape(0) : b.shape(1);
    if (!accumulate) out.fill(0.0);  // beta = 0 must not see NaN garbage
    if (m == 0 || n == 0 || k == 0) return;
    cxxblas::gemm<index>(cxxblas::RowMajor, transpose_a ? cxxblas::Trans : cxxblas::NoTrans,
                         transpose_b ? cxxblas::Trans : cxxblas::NoTrans, ix(m), ix(n), ix(k), 1.0,
                         a.data(), ix(a.shape(1)), b.data(), ix(b.shape(1)), accumulate ? 1.0 : 0.0,
                         out.data(), ix(n));
}

// Raw row-major form: out (m x n, leading dimension n) (+)= op(A) op(B), with
// op(A) m x k and op(B) k x n stored with leading dimensions lda, ldb.
inline void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k,
                 const double* a, std::size_t lda, const double* b, std::size_t ldb, double* out,
                 bool accumulate) {
    if (!accumulate)
        for (std::size_t i = 0; i < m * n; ++i) out[i] = 0.0;
    if (m == 0 || n == 0 || k == 0) return;
    cxxblas::gemm<index>(cxxblas::RowMajor, transpose_a ? cxxblas::Trans : cxxblas::NoTrans,
                         transpose_b ? cxxblas::Trans : cxxblas::NoTrans, ix(m), ix(n), ix(k), 1.0, a,
                         ix(lda), b, ix(ldb), accumulate ? 1.0 : 0.0, out, ix(n));
}

// out (+)= op(A) x.
inline void gemv(const tensor<2>& a, bool transpose_a, const tensor<1>& x, tensor<1>& out,
                 bool accumulate) {
    if (!accumulate) out.fill(0.0);
    if (a.size() == 0) return;
    cxxblas::gemv<index>(cxxblas::RowMajor, transpose_a ? cxxblas::Trans : cxxblas::NoTrans,
                         ix(a.shape(0)), ix(a.shape(1)), 1.0, a.data(), ix(a.shape(1)), x.data(), 1,
                         accumulate ? 1.0 : 0.0, out.data(), 1);
}

// out (m x n) (+)= x yᵀ.
inline void outer(const tensor<1>& x, const tensor<1>& y, tensor<2>& out, bool accumulate) {
    const std::size_t m = x.size(), n = y.size();
    if (accumulate) {
        if (m == 0 || n == 0) return;
        cxxblas::ger<index>(cxxblas::RowMajor, ix(m), ix(n), 1.0, x.data(), 1, y.data(), 1,
                            out.data(), ix(n));
        return;
    }
    double* o = out.data();
    const double* py = y.data();
    for (std::size_t i = 0; i < m; ++i) {
        const double xi = x.data()[i];
        for (std::size_t j = 0; j < n; ++j) o[i * n + j] = xi * py[j];
    }
}

// Σ a_i b_i over n contiguous elements.
inline double dot(const double* a, const double* b, std::size_t n) {
    double r = 0;
    if (n > 0) cxxblas::dot<index>(ix(n), a, 1, b, 1, r);
    return r;
}

// out (+)= alpha x over n contiguous elements.
inline void axpy(double alpha, const double* x, double* out, std::size_t n, bool accumulate) {
    if (!accumulate) {
        for (std::size_t i = 0; i < n; ++i) out[i] = alpha * x[i];
        return;
    }
    if (n > 0) cxxblas::axpy<index>(ix(n), alpha, x, 1, out, 1);
}

}  // namespace duet::blas
