// Matrix-level operations, each with its value, tangent and adjoint written
// once and run through BLAS:
//
//   matmul(A, B)   C = A B  (matrix x matrix, matrix x vector, vector x matrix)
//                  tangent  dC = dA B + A dB
//                  adjoint  gA += G Bᵀ,  gB += Aᵀ G
//   dot(a, b)      s = Σ a_i b_i  (equal shapes, any rank)
//                  tangent  ds = <da, b> + <a, db>;  adjoint ga += g b, gb += g a
//   outer(a, b)    C = a bᵀ;  dC = da bᵀ + a dbᵀ;  ga += G b,  gb += Gᵀ a
//   transpose(A)   axes reversed; tangent and adjoint transpose too
//
// With plain xtensor operands the same functions just compute values
// (dot returns a double), so one generic source serves plain and
// differentiated runs.
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xnoalias.hpp>

#include "duet/tensor/blas.hpp"
#include "duet/tensor/nodes.hpp"

namespace duet {
namespace detail {
template <std::size_t KA, std::size_t KB>
constexpr std::size_t matmul_rank() {
    static_assert((KA == 2 && (KB == 1 || KB == 2)) || (KA == 1 && KB == 2),
                  "duet: duet::matmul multiplies matrix x matrix, matrix x vector or vector x matrix "
                  "(ranks 2x2, 2x1, 1x2); use duet::dot for vector x vector");
    return KA == 2 && KB == 2 ? 2 : 1;
}
}  // namespace detail

struct matmul_op {
    template <std::size_t KA, std::size_t KB>
    static constexpr std::size_t rank = detail::matmul_rank<KA, KB>();

    // Throws std::invalid_argument naming both shapes unless a's inner
    // dimension is b's first.
    template <std::size_t KA, std::size_t KB>
    static void check_shapes(const tensor<KA>& a, const tensor<KB>& b) {
        const std::size_t inner_a = KA == 2 ? a.shape()[KA - 1] : a.shape()[0];
        if (inner_a != b.shape()[0])
            detail::throw_invalid_argument("matmul", "shapes ", detail::shape_string(a.shape()), " and ",
                                           detail::shape_string(b.shape()), ": inner dimensions ", inner_a, " and ",
                                           b.shape()[0], " differ");
    }

    template <std::size_t KA, std::size_t KB>
    tensor<rank<KA, KB>> value(const tensor<KA>& a, const tensor<KB>& b) const {
        check_shapes(a, b);
        tensor<rank<KA, KB>> y;
        if constexpr (KA == 2 && KB == 2)
            y = detail::workspace_tensor<2>(tensor<2>::shape_type{a.shape(0), b.shape(1)});
        else if constexpr (KA == 2)
            y = detail::workspace_tensor<1>(tensor<1>::shape_type{a.shape(0)});
        else
            y = detail::workspace_tensor<1>(tensor<1>::shape_type{b.shape(1)});
        product(a, b, y, false);
        return y;
    }

    template <std::size_t KA, std::size_t KB, std::size_t R>
    tensor<R> tangent(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                      const tensor<KA>* da, const tensor<KB>* db) const {
        auto t = detail::workspace_tensor<R>(y.shape());
        bool written = false;
        if (da) {
            product(*da, b, t, false);
            written = true;
        }
        if (db) product(a, *db, t, written);
        return t;
    }

    template <std::size_t KA, std::size_t KB, std::size_t R>
    void left_adjoint(const tensor<KA>&, const tensor<KB>& b, const tensor<R>&, const tensor<R>& g,
                      tensor<KA>& out, bool accumulate) const {
        if constexpr (KA == 2 && KB == 2)
            blas::gemm(g, false, b, true, out, accumulate);  // G Bᵀ
        else if constexpr (KA == 2)
            blas::outer(g, b, out, accumulate);  // g bᵀ
        else
            blas::gemv(b, false, g, out, accumulate);  // B g
    }

    template <std::size_t KA, std::size_t KB, std::size_t R>
    void right_adjoint(const tensor<KA>& a, const tensor<KB>&, const tensor<R>&, const tensor<R>& g,
                       tensor<KB>& out, bool accumulate) const {
        if constexpr (KA == 2 && KB == 2)
            blas::gemm(a, true, g, false, out, accumulate);  // Aᵀ G
        else if constexpr (KA == 2)
            blas::gemv(a, true, g, out, accumulate);  // Aᵀ g
        else
            blas::outer(a, g, out, accumulate);  // a gᵀ
    }

    // L tangents at once (forward mode with lanes): da / db hold L lanes,
    // shape (L, operand shape...), and so does the result. The dA B term is
    // ONE product for all lanes (the lanes of dA stacked as the rows of an
    // (L m) x k matrix); the A dB term is one product per lane, except for
    // matrix x vector, where the lanes of dx form an L x k matrix.
    template <std::size_t KA, std::size_t KB, std::size_t R>
    tensor<R + 1> tangent_lanes(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                                const tensor<KA + 1>* da, const tensor<KB + 1>* db) const {
        const std::size_t L = da ? da->shape()[0] : db->shape()[0];
        std::array<std::size_t, R + 1> shape{};
        shape[0] = L;
        for (std::size_t d = 0; d < R; ++d) shape[d + 1] = y.shape()[d];
        auto t = detail::workspace_tensor<R + 1>(shape);
        double* out = t.data();
        bool written = false;
        if constexpr (KA == 2 && KB == 2) {  // A (m x k), B (k x p)
            const std::size_t m = a.shape(0), k = a.shape(1), p = b.shape(1);
            if (da) {
                blas::gemm(false, false, L * m, p, k, da->data(), k, b.data(), p, out, false);
                written = true;
            }
            if (db)
                for (std::size_t l = 0; l < L; ++l)
                    blas::gemm(false, false, m, p, k, a.data(), k, db->data() + l * k * p, p, out + l * m * p,
                               written);
        } else if constexpr (KA == 2) {  // W (m x k), x (k)
            const std::size_t m = a.shape(0), k = a.shape(1);
            if (da) {
                blas::gemm(false, false, L * m, 1, k, da->data(), k, b.data(), 1, out, false);
                written = true;
            }
            if (db) blas::gemm(false, true, L, m, k, db->data(), k, a.data(), k, out, written);  // dX Wᵀ
        } else {  // x (k), B (k x p)
            const std::size_t k = b.shape(0), p = b.shape(1);
            if (da) {
                blas::gemm(false, false, L, p, k, da->data(), k, b.data(), p, out, false);
                written = true;
            }
            if (db)
                for (std::size_t l = 0; l < L; ++l)
                    blas::gemm(true, false, p, 1, k, db->data() + l * k * p, p, a.data(), 1, out + l * p, written);
        }
        return t;
    }

private:
    // out (+)= a b, shapes already checked.
    template <std::size_t KA, std::size_t KB, std::size_t R>
    static void product(const tensor<KA>& a, const tensor<KB>& b, tensor<R>& out, bool accumulate) {
        if constexpr (KA == 2 && KB == 2)
            blas::gemm(a, false, b, false, out, accumulate);
        else if constexpr (KA == 2)
            blas::gemv(a, false, b, out, accumulate);
        else
            blas::gemv(b, true, a, out, accumulate);
    }
};

struct dot_op {
    template <std::size_t KA, std::size_t KB>
    static constexpr std::size_t rank = [] {
        static_assert(KA == KB, "duet: duet::dot needs two tensors of the same rank (and shape)");
        return std::size_t{0};
    }();

    template <std::size_t K>
    tensor<0> value(const tensor<K>& a, const tensor<K>& b) const {
        if (!detail::same_shape(a.shape(), b.shape()))
            detail::throw_shape_mismatch("dot", a.shape(), b.shape(), "differ");
        return detail::workspace_scalar(blas::dot(a.data(), b.data(), a.size()));
    }
    template <std::size_t K>
    tensor<0> tangent(const tensor<K>& a, const tensor<K>& b, const tensor<0>&, const tensor<K>* da,
                      const tensor<K>* db) const {
        double s = 0;
        if (da) s += blas::dot(da->data(), b.data(), b.size());
        if (db) s += blas::dot(a.data(), db->data(), a.size());
        return detail::workspace_scalar(s);
    }
    template <std::size_t K>
    void left_adjoint(const tensor<K>&, const tensor<K>& b, const tensor<0>&, const tensor<0>& g,
                      tensor<K>& out, bool accumulate) const {
        blas::axpy(g(), b.data(), out.data(), b.size(), accumulate);
    }
    template <std::size_t K>
    void right_adjoint(const tensor<K>& a, const tensor<K>&, const tensor<0>&, const tensor<0>& g,
                       tensor<K>& out, bool accumulate) const {
        blas::axpy(g(), a.data(), out.data(), a.size(), accumulate);
    }
};

struct outer_op {
    template <std::size_t KA, std::size_t KB>
    static constexpr std::size_t rank = [] {
        static_assert(KA == 1 && KB == 1, "duet: duet::outer takes two vectors (rank 1)");
        return std::size_t{2};
    }();

    tensor<2> value(const tensor<1>& a, const tensor<1>& b) const {
        auto y = detail::workspace_tensor<2>(tensor<2>::shape_type{a.size(), b.size()});
        blas::outer(a, b, y, false);
        return y;
    }
    tensor<2> tangent(const tensor<1>& a, const tensor<1>& b, const tensor<2>& y, const tensor<1>* da,
                      const tensor<1>* db) const {
        auto t = detail::workspace_tensor<2>(y.shape());
        bool written = false;
        if (da) {
            blas::outer(*da, b, t, false);
            written = true;
        }
        if (db) blas::outer(a, *db, t, written);
        return t;
    }
    void left_adjoint(const tensor<1>&, const tensor<1>& b, const tensor<2>&, const tensor<2>& g,
                      tensor<1>& out, bool accumulate) const {
        blas::gemv(g, false, b, out, accumulate);  // G b
    }
    void right_adjoint(const tensor<1>& a, const tensor<1>&, const tensor<2>&, const tensor<2>& g,
                       tensor<1>& out, bool accumulate) const {
        blas::gemv(g, true, a, out, accumulate);  // Gᵀ a
    }
};

struct transpose_op {
    template <std::size_t K>
    static constexpr std::size_t rank = K;

    template <std::size_t K>
    tensor<K> value(const tensor<K>& a) const {
        return transposed(a);
    }
    template <std::size_t K>
    tensor<K> tangent(const tensor<K>&, const tensor<K>&, const tensor<K>& da) const {
        return transposed(da);
    }
    template <std::size_t K>
    void adjoint(const tensor<K>&, const tensor<K>&, const tensor<K>& g, tensor<K>& result,
                 bool accumulate) const {
        auto out = xt::noalias(result);  // in place: no temporary
        if (accumulate)
            out += xt::transpose(g);
        else
            out = xt::transpose(g);
    }

private:
    // A's axes reversed, in storage from the tensor workspace.
    template <std::size_t K>
    static tensor<K> transposed(const tensor<K>& a) {
        std::array<std::size_t, K> shape{};
        for (std::size_t d = 0; d < K; ++d) shape[d] = a.shape()[K - 1 - d];
        auto y = detail::workspace_tensor<K>(shape);
        xt::noalias(y) = xt::transpose(a);
        return y;
    }
};

// ---- the functions -----------------------------------------------------------
template <class A, class B>
    requires tensor_pair<A, B>
auto matmul(A&& a, B&& b) {
    return detail::apply_tensor_op(matmul_op{}, std::forward<A>(a), std::forward<B>(b));
}

template <class A, class B>
    requires tensor_pair<A, B>
auto dot(A&& a, B&& b) {
    return detail::apply_tensor_op(dot_op{}, std::forward<A>(a), std::forward<B>(b));
}

template <class A, class B>
    requires tensor_pair<A, B>
auto outer(A&& a, B&& b) {
    return detail::apply_tensor_op(outer_op{}, std::forward<A>(a), std::forward<B>(b));
}

template <tensor_argument A>
auto transpose(A&& a) {
    return detail::apply_tensor_op(transpose_op{}, std::forward<A>(a));
}

}  // namespace duet
