// sum(matmul(A, B)) and mean(matmul(A, B)) of two matrices in O(n^2), not
// O(n^3): with c = the column sums of A and r = the row sums of B,
//
//   Σ_ij (A B)_ij = Σ_k c_k r_k,
//   ∂/∂A_ik = r_k (every row of the adjoint of A is r),
//   ∂/∂B_kj = c_k (every column of the adjoint of B is c),
//   tangent  Σ_k (dc_k r_k + c_k dr_k), dc, dr the sums of dA, dB.
//
// The product is never formed. The results are those of the product's
// rules (tensor/linear_algebra.hpp) up to rounding: the sums are added in
// another order (test/tensor/sum_of_product.cpp compares them). matmul's
// shape check and its error message are the same.
//
// Lifetime: the cache holds its operands' caches, which point into the
// expression, as every tensor cache does: it must not outlive it.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "duet/tensor/evaluate.hpp"
#include "duet/tensor/linear_algebra.hpp"
#include "duet/tensor/nodes.hpp"
#include "duet/tensor/simd.hpp"
#include "duet/tensor/workspace.hpp"

namespace duet {

struct sum_all_op;

namespace detail {

template <class E>
struct is_sum_of_product : std::false_type {};
template <class A, class B>
struct is_sum_of_product<tensor_unary<sum_all_op, tensor_binary<matmul_op, A, B>>>
    : std::bool_constant<A::rank == 2 && B::rank == 2> {};

// out[k] = Σ_i a[i, k] over the rows of an m x k matrix.
inline void column_sums(const double* a, std::size_t m, std::size_t k, double* out) {
    for (std::size_t j = 0; j < k; ++j) out[j] = 0.0;
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < k; ++j) out[j] += a[i * k + j];
}
// out[i] = Σ_j b[i, j] along the rows of a k x p matrix.
inline void row_sums(const double* b, std::size_t k, std::size_t p, double* out) {
    for (std::size_t i = 0; i < k; ++i)
        out[i] = simd::map_sum<double>(p, [](const auto& x) { return x; }, simd::no_fallback{}, b + i * p);
}

}  // namespace detail

template <class E>
struct cached_sum_of_product {
    static constexpr std::size_t rank = 0;
    static constexpr bool derives_itself = true;  // sweep / tangent / tangent_lanes below
    using A = std::remove_cvref_t<decltype(E::a.a)>;
    using B = std::remove_cvref_t<decltype(E::a.b)>;

    decltype(duet::evaluate(std::declval<const A&>())) a;
    decltype(duet::evaluate(std::declval<const B&>())) b;
    decltype(E::op) op;                 // the sum (or mean)
    std::size_t m = 0, k = 0, p = 0;    // A: m x k, B: k x p
    double scale = 1;                   // 1, or 1 / (m p) for a mean
    detail::pooled<1> c, r;             // A's column sums, B's row sums
    detail::pooled<0> y;

    explicit cached_sum_of_product(const E& e)
        : a(duet::evaluate(e.a.a)),
          b(duet::evaluate(e.a.b)),
          op(e.op),
          c(detail::workspace_tensor<1>(std::array<std::size_t, 1>{check(a.value(), b.value())})),
          r(detail::workspace_tensor<1>(std::array<std::size_t, 1>{k})),
          y(detail::workspace_scalar(0.0)) {
        m = a.value().shape()[0];
        p = b.value().shape()[1];
        if (op.mean) scale = 1.0 / static_cast<double>(m * p);
        detail::column_sums(a.value().data(), m, k, c.get().data());
        detail::row_sums(b.value().data(), k, p, r.get().data());
        y.get()() = blas::dot(c.get().data(), r.get().data(), k) * scale;
    }

    const tensor<0>& value() const { return y.get(); }

    template <class Sink>
    void sweep(const tensor<0>& g, Sink& sink) const {
        const double g0 = g() * scale;
        const double* rs = r.get().data();
        const double* cs = c.get().data();
        detail::deliver(
            a,
            [&](auto& out, bool accumulate) {  // every row: g0 r
                double* o = out.data();
                for (std::size_t i = 0; i < m; ++i)
                    for (std::size_t j = 0; j < k; ++j) detail::store(o[i * k + j], g0 * rs[j], accumulate);
            },
            sink);
        detail::deliver(
            b,
            [&](auto& out, bool accumulate) {  // every column: g0 c
                double* o = out.data();
                for (std::size_t i = 0; i < k; ++i)
                    for (std::size_t j = 0; j < p; ++j) detail::store(o[i * p + j], g0 * cs[i], accumulate);
            },
            sink);
    }

    template <class Seeds>
    tensor_tangent<0> tangent(const Seeds& seeds) const {
        const auto da = duet::tangent(a, seeds);
        const auto db = duet::tangent(b, seeds);
        if (da.is_zero() && db.is_zero()) return tensor_tangent<0>::zero();
        return tensor_tangent<0>::own(
            detail::workspace_scalar(tangent_of(da.get() ? da.get()->data() : nullptr,
                                                db.get() ? db.get()->data() : nullptr)));
    }

    template <class Seeds>
    tensor_tangent<1> tangent_lanes(const Seeds& seeds, std::size_t L) const {
        const auto da = duet::tangent_lanes(a, seeds, L);
        const auto db = duet::tangent_lanes(b, seeds, L);
        if (da.is_zero() && db.is_zero()) return tensor_tangent<1>::zero();
        auto t = detail::workspace_tensor<1>(std::array<std::size_t, 1>{L});
        for (std::size_t l = 0; l < L; ++l)
            t.data()[l] = tangent_of(da.get() ? da.get()->data() + l * m * k : nullptr,
                                     db.get() ? db.get()->data() + l * k * p : nullptr);
        return tensor_tangent<1>::own(std::move(t));
    }

private:
    // matmul's shape check (same message); k, the inner dimension.
    std::size_t check(const tensor<2>& av, const tensor<2>& bv) {
        matmul_op::check_shapes(av, bv);
        k = av.shape()[1];
        return k;
    }

    // Σ_k (dc_k r_k + c_k dr_k) (times the mean's scale); a null operand
    // tangent is zero.
    double tangent_of(const double* da, const double* db) const {
        detail::pooled<1> sums = detail::workspace_tensor<1>(std::array<std::size_t, 1>{k});
        double t = 0;
        if (da) {
            detail::column_sums(da, m, k, sums.get().data());
            t += blas::dot(sums.get().data(), r.get().data(), k);
        }
        if (db) {
            detail::row_sums(db, k, p, sums.get().data());
            t += blas::dot(c.get().data(), sums.get().data(), k);
        }
        return t * scale;
    }
};

namespace detail {
template <class E>
auto evaluate_sum_of_product(const E& e) {
    return cached_sum_of_product<E>(e);
}
}  // namespace detail

}  // namespace duet
