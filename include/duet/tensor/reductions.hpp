// Reductions and reshaping, each with value, tangent and adjoint written once:
//
//   sum(A), mean(A)              all elements -> rank 0
//                                tangent Σ dA (/ n);  adjoint gA += g (/ n) everywhere
//                                (of an elementwise A: evaluated element by
//                                element, tensor/fused_sum.hpp)
//   sum(A, axis), mean(A, axis)  rank K -> K - 1
//                                adjoint: g broadcast back along `axis`
//   reshape(A, shape)            same elements, row-major; adjoint reshapes back
// Contiguous lanes (all elements, or the last axis) run their sums and
// exponentials on xsimd batches when xsimd is installed (tensor/simd.hpp);
// the exponential is one formula, exp_shifted, for both paths.
//
//   log_sum_exp(A)               y = log Σ exp(a_i), computed as m + log Σ exp(a_i - m)
//                                tangent Σ s_i da_i,  adjoint gA += g s,  s = softmax(A)
//   softmax(A)                   s_i = exp(a_i - log_sum_exp(A)) over all elements
//                                tangent ds = s ∘ (da - <s, da>)
//                                adjoint gA += s ∘ (g - <g, s>)
//   log_sum_exp(A, axis),        the same along one axis (each lane of the
//   softmax(A, axis)             axis on its own): rank K -> K - 1, K -> K
//   prod(A), prod(A, axis)       y = Π a_i; ∂y/∂a_j = Π_{i<j} a_i · Π_{i>j} a_i
//                                (prefix times suffix products: no division,
//                                so exact with one zero, and zero with two)
//   amax / amin (A[, axis])      the largest / smallest element; the derivative
//                                goes to it, split equally among ties (as
//                                max(x, y) gives 0.5 to each at a tie);
//                                a NaN in a lane makes its value and every
//                                partial of the lane NaN
//   sum, mean, prod, amax, amin  over several axes ({0, 2}): one axis after
//                                another (the highest first)
//   softmax_cross_entropy(Z, Y[, axis])
//                                mean over the batch of log_sum_exp(z) - <y, z>,
//                                class scores along `axis` (default: the last);
//                                composed of the operations above
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xreducer.hpp>

#include "duet/core/strong_zero.hpp"
#include "duet/tensor/blas.hpp"
#include "duet/tensor/nodes.hpp"
#include "duet/tensor/simd.hpp"

namespace duet {

// Sum (or mean, when `mean`) of all elements.
struct sum_all_op {
    template <std::size_t K>
    static constexpr std::size_t rank = 0;

    bool mean = false;

    template <std::size_t K>
    double scale(const tensor<K>& a) const {
        return mean ? 1.0 / static_cast<double>(a.size()) : 1.0;
    }
    template <std::size_t K>
    tensor<0> value(const tensor<K>& a) const {
        // vectorised with xsimd (tensor/simd.hpp: W partial sums)
        const double s = detail::simd::map_sum<double>(
            a.size(), [](const auto& x) { return x; }, detail::simd::no_fallback{}, a.data());
        return detail::workspace_scalar(s * scale(a));
    }
    template <std::size_t K>
    tensor<0> tangent(const tensor<K>&, const tensor<0>&, const tensor<K>& da) const {
        return value(da);  // da has a's shape, so the same scale
    }
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<0>&, const tensor<0>& g, tensor<K>& out,
                 bool accumulate) const {
        const double c = g() * scale(a);
        if (accumulate)
            out += c;
        else
            out.fill(c);
    }
};

// Sum (or mean) along one axis.
struct sum_axis_op {
    template <std::size_t K>
    static constexpr std::size_t rank = [] {
        static_assert(K >= 1, "duet: duet::sum(A, axis) needs a tensor of rank >= 1");
        return K - 1;
    }();

    std::size_t axis;
    bool mean = false;

    template <std::size_t K>
    tensor<K - 1> value(const tensor<K>& a) const {
        if (axis >= K)
            detail::throw_invalid_argument(mean ? "mean" : "sum", "axis ", axis, " out of range for shape ",
                                           detail::shape_string(a.shape()));
        tensor<K - 1> y = xt::sum(a, {axis}, xt::evaluation_strategy::immediate);
        if (mean) y *= 1.0 / static_cast<double>(a.shape()[axis]);
        return y;
    }
    template <std::size_t K>
    tensor<K - 1> tangent(const tensor<K>&, const tensor<K - 1>&, const tensor<K>& da) const {
        return value(da);
    }
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<K - 1>&, const tensor<K - 1>& g, tensor<K>& out,
                 bool accumulate) const {
        const double c = mean ? 1.0 / static_cast<double>(a.shape()[axis]) : 1.0;
        auto spread = xt::broadcast(xt::expand_dims(g, axis), a.shape());
        if (accumulate)
            xt::noalias(out) += c * spread;
        else
            xt::noalias(out) = c * spread;
    }
};

template <std::size_t R>
struct reshape_op {
    template <std::size_t K>
    static constexpr std::size_t rank = R;

    std::array<std::size_t, R> shape;

    template <std::size_t K>
    tensor<R> value(const tensor<K>& a) const {
        std::size_t n = 1;
        for (std::size_t s : shape) n *= s;
        if (n != a.size())
            detail::throw_shape_mismatch("reshape", a.shape(), shape,
                                         "hold different numbers of elements");
        auto y = detail::workspace_tensor<R>(shape);
        std::copy(a.data(), a.data() + a.size(), y.data());
        return y;
    }
    template <std::size_t K>
    tensor<R> tangent(const tensor<K>&, const tensor<R>&, const tensor<K>& da) const {
        return value(da);
    }
    template <std::size_t K>
    void adjoint(const tensor<K>&, const tensor<R>&, const tensor<R>& g, tensor<K>& out,
                 bool accumulate) const {
        blas::axpy(1.0, g.data(), out.data(), g.size(), accumulate);
    }
};

namespace detail {

// A tensor seen as lanes along one axis: element (o, j, i) of a tensor of
// shape (..., n, ...) is at o * n * inner + j * inner + i; the lane (o, i)
// holds the n elements j = 0 .. n-1 (stride `inner`). The whole tensor is
// one lane: {1, size, 1}.
struct lanes {
    std::size_t outer, n, inner;
    std::size_t count() const { return outer * inner; }
    // the first element of lane l, and the stride between its elements
    std::size_t start(std::size_t l) const { return (l / inner) * n * inner + l % inner; }
};

template <std::size_t K>
lanes lanes_of(const tensor<K>& a) {
    return {1, a.size(), 1};
}
template <std::size_t K>
lanes lanes_of(const tensor<K>& a, std::size_t axis, const char* what) {
    if (axis >= K)
        throw_invalid_argument(what, "axis ", axis, " out of range for shape ", shape_string(a.shape()));
    lanes l{1, a.shape()[axis], 1};
    for (std::size_t d = 0; d < axis; ++d) l.outer *= a.shape()[d];
    for (std::size_t d = axis + 1; d < K; ++d) l.inner *= a.shape()[d];
    return l;
}

// The shape of a with `axis` removed.
template <std::size_t K>
std::array<std::size_t, K - 1> without_axis(const tensor<K>& a, std::size_t axis) {
    std::array<std::size_t, K - 1> s{};
    for (std::size_t d = 0, e = 0; d < K; ++d)
        if (d != axis) s[e++] = a.shape()[d];
    return s;
}

// The shape of a reduced along `axis` (Axis) or over all its elements.
template <bool Axis, std::size_t K>
auto reduced_shape(const tensor<K>& a, std::size_t axis) {
    if constexpr (Axis)
        return without_axis(a, axis);
    else
        return std::array<std::size_t, 0>{};
}

// exp(a - m), for a double or an xsimd batch (tensor/simd.hpp): the one
// formula of log_sum_exp's and softmax's exponentials, ∂ lse / ∂a_j =
// softmax_j = exp(a_j - lse) among them.
template <class T>
T exp_shifted(const T& a, double m) {
    using std::exp;
    return T(exp(T(a - m)));
}
// The lanes of exp_shifted(x, m) that the vectorised loops leave to std::exp
// (tensor/simd.hpp: subnormal results and the edge of overflow).
template <class T>
auto exp_shifted_by_cmath(const T& a, double m) {
    return simd::exp_out_of_range<double>{}(T(a - m));
}

// partial x tangent under the tensor layer's zero-tangent rule
// (tangent_product, core/strong_zero.hpp) for a double or an xsimd batch: 0
// where the tangent is 0, whatever the partial (a NaN softmax element of a
// lane with a NaN does not reach an element that is not perturbed).
template <class T>
T tangent_term(const T& partial, const T& tangent) {
    if constexpr (std::is_floating_point_v<T>)
        return tangent_product(partial, tangent);
    else
        return T(select(tangent == T(0), T(0), T(partial * tangent)));
}

// log Σ exp over one lane, computed as m + log Σ exp(a_i - m), m = max (so
// nothing overflows).
inline double lane_log_sum_exp(const double* a, std::size_t n, std::size_t stride) {
    if (n == 0) return -std::numeric_limits<double>::infinity();
    if (stride == 1) {  // contiguous: vectorised with xsimd
        const double m = simd::max_or_nan(a, n);
        if (!std::isfinite(m)) return m;  // NaN, +inf, or all -inf
        return m + std::log(simd::map_sum<double>(
                       n, [m](const auto& x) { return exp_shifted(x, m); },
                       [m](const auto& x) { return exp_shifted_by_cmath(x, m); }, a));
    }
    double m = a[0];
    for (std::size_t j = 1; j < n; ++j) m = std::isnan(m) ? m : std::max(m, a[j * stride]);
    for (std::size_t j = 0; j < n; ++j)
        if (std::isnan(a[j * stride])) return a[j * stride];
    if (!std::isfinite(m)) return m;  // +inf, or all -inf
    double s = 0;
    for (std::size_t j = 0; j < n; ++j) s += exp_shifted(a[j * stride], m);
    return m + std::log(s);
}

// lane_log_sum_exp, keeping e[j * stride] = exp(a_j - m) and 1 / Σ e in
// `reciprocal` (NaN, and e untouched, when m is not finite). The same value,
// bit for bit: the same exponentials summed in the same order.
inline double lane_log_sum_exp_keeping(const double* a, std::size_t n, std::size_t stride, double* e,
                                       double& reciprocal) {
    reciprocal = std::numeric_limits<double>::quiet_NaN();
    if (n == 0) return -std::numeric_limits<double>::infinity();
    double m;
    if (stride == 1) {
        m = simd::max_or_nan(a, n);
    } else {
        m = a[0];
        for (std::size_t j = 1; j < n; ++j) m = std::isnan(m) ? m : std::max(m, a[j * stride]);
        for (std::size_t j = 0; j < n; ++j)
            if (std::isnan(a[j * stride])) return a[j * stride];
    }
    if (!std::isfinite(m)) return m;  // NaN, +inf, or all -inf
    double s = 0;
    if (stride == 1) {  // contiguous: vectorised with xsimd, as lane_log_sum_exp
        simd::map(
            n, [m](const auto& x) { return exp_shifted(x, m); },
            [m](const auto& x) { return exp_shifted_by_cmath(x, m); }, e, a);
        s = simd::map_sum<double>(n, [](const auto& x) { return x; }, simd::no_fallback{}, e);
    } else {
        for (std::size_t j = 0; j < n; ++j) s += (e[j * stride] = exp_shifted(a[j * stride], m));
    }
    reciprocal = 1.0 / s;
    return m + std::log(s);
}

}  // namespace detail

// log Σ exp over all elements (Axis = false, rank 0) or along one axis.
//
// Differentiated, the value keeps each element's exponential e = exp(a - m)
// (m its lane's maximum) and per lane 1 / Σ e (`aux`, tensor/evaluate.hpp),
// so that the derivative softmax = e (1 / Σ e) is a product, not a second
// exponential. A lane whose maximum is not finite (NaN, +inf, all -inf)
// keeps nothing (its reciprocal is NaN) and its derivatives take
// exp(a - y) as the plain rules do. The value is the same bit for bit.
template <bool Axis>
struct log_sum_exp_op {
    template <std::size_t K>
    static constexpr std::size_t rank = [] {
        static_assert(!Axis || K >= 1, "duet: duet::log_sum_exp(A, axis) needs a tensor of rank >= 1");
        return Axis ? K - 1 : 0;
    }();

    std::size_t axis = 0;

    template <std::size_t K>
    struct kept {
        std::optional<detail::pooled<K>> e;                 // exp(a - m), a's shape
        std::optional<detail::pooled<rank<K>>> reciprocal;  // 1 / Σ e per lane, or NaN
    };
    template <std::size_t K>
    using aux = kept<K>;

    template <std::size_t K>
    detail::lanes lanes(const tensor<K>& a) const {
        if constexpr (Axis)
            return detail::lanes_of(a, axis, "log_sum_exp");
        else
            return detail::lanes_of(a);
    }
    template <std::size_t K>
    tensor<rank<K>> value(const tensor<K>& a) const {
        const auto l = lanes(a);
        auto y = detail::workspace_tensor<rank<K>>(detail::reduced_shape<Axis>(a, axis));
        for (std::size_t k = 0; k < l.count(); ++k)
            y.data()[k] = detail::lane_log_sum_exp(a.data() + l.start(k), l.n, l.inner);
        return y;
    }
    template <std::size_t K>
    tensor<rank<K>> value(const tensor<K>& a, kept<K>& keep) const {
        const auto l = lanes(a);
        auto y = detail::workspace_tensor<rank<K>>(detail::reduced_shape<Axis>(a, axis));
        keep.e.emplace(detail::workspace_tensor<K>(a.shape()));
        keep.reciprocal.emplace(detail::workspace_tensor<rank<K>>(y.shape()));
        for (std::size_t k = 0; k < l.count(); ++k) {
            const std::size_t s0 = l.start(k);
            y.data()[k] = detail::lane_log_sum_exp_keeping(a.data() + s0, l.n, l.inner, keep.e->get().data() + s0,
                                                           keep.reciprocal->get().data()[k]);
        }
        return y;
    }
    // ∂y/∂a_j = softmax_j = exp(a_j - y)
    template <std::size_t K>
    tensor<rank<K>> tangent(const tensor<K>& a, const tensor<rank<K>>& y, const tensor<K>& da) const {
        return tangent_with(a, y, nullptr, da);
    }
    template <std::size_t K>
    tensor<rank<K>> tangent(const tensor<K>& a, const tensor<rank<K>>& y, const kept<K>& keep,
                            const tensor<K>& da) const {
        return tangent_with(a, y, &keep, da);
    }
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<rank<K>>& y, const tensor<rank<K>>& g, tensor<K>& out,
                 bool accumulate) const {
        adjoint_with(a, y, nullptr, g, out, accumulate);
    }
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<rank<K>>& y, const kept<K>& keep, const tensor<rank<K>>& g,
                 tensor<K>& out, bool accumulate) const {
        adjoint_with(a, y, &keep, g, out, accumulate);
    }

private:
    // The kept exponentials of lane k and their reciprocal sum, or nullptr.
    template <std::size_t K>
    static const double* kept_lane(const kept<K>* keep, std::size_t k, std::size_t s0, double& reciprocal) {
        if (keep == nullptr) return nullptr;
        reciprocal = keep->reciprocal->get().data()[k];
        if (std::isnan(reciprocal)) return nullptr;
        return keep->e->get().data() + s0;
    }

    template <std::size_t K>
    tensor<rank<K>> tangent_with(const tensor<K>& a, const tensor<rank<K>>& y, const kept<K>* keep,
                                 const tensor<K>& da) const {
        const auto l = lanes(a);
        auto t = detail::workspace_tensor<rank<K>>(y.shape());
        for (std::size_t k = 0; k < l.count(); ++k) {
            const std::size_t s0 = l.start(k);
            const double yk = y.data()[k];
            double r = 0;
            if (const double* e = kept_lane(keep, k, s0, r)) {
                if (l.inner == 1) {  // contiguous: vectorised
                    t.data()[k] = detail::simd::map_sum<double>(
                        l.n, [r](const auto& ej, const auto& dx) { return detail::tangent_term(ej * r, dx); },
                        detail::simd::no_fallback{}, e, da.data() + s0);
                    continue;
                }
                double s = 0;
                for (std::size_t j = 0; j < l.n; ++j)
                    s += detail::tangent_term(e[j * l.inner] * r, da.data()[s0 + j * l.inner]);
                t.data()[k] = s;
                continue;
            }
            if (l.inner == 1) {  // contiguous: vectorised
                t.data()[k] = detail::simd::map_sum<double>(
                    l.n,
                    [yk](const auto& x, const auto& dx) { return detail::tangent_term(detail::exp_shifted(x, yk), dx); },
                    [yk](const auto& x, const auto&) { return detail::exp_shifted_by_cmath(x, yk); },
                    a.data() + s0, da.data() + s0);
                continue;
            }
            double s = 0;
            for (std::size_t j = 0; j < l.n; ++j) {
                const std::size_t e = s0 + j * l.inner;
                s += detail::tangent_term(detail::exp_shifted(a.data()[e], yk), da.data()[e]);
            }
            t.data()[k] = s;
        }
        return t;
    }

    template <std::size_t K>
    void adjoint_with(const tensor<K>& a, const tensor<rank<K>>& y, const kept<K>* keep,
                      const tensor<rank<K>>& g, tensor<K>& out, bool accumulate) const {
        const auto l = lanes(a);
        for (std::size_t k = 0; k < l.count(); ++k) {
            const std::size_t s0 = l.start(k);
            const double gk = g.data()[k], yk = y.data()[k];
            double* o = out.data() + s0;
            double r = 0;
            if (const double* e = kept_lane(keep, k, s0, r)) {
                if (l.inner == 1) {  // contiguous: vectorised
                    if (accumulate)
                        detail::simd::map(
                            l.n, [gk, r](const auto& ej, const auto& ox) { return ox + gk * (ej * r); },
                            detail::simd::no_fallback{}, o, e, static_cast<const double*>(o));
                    else
                        detail::simd::map(
                            l.n, [gk, r](const auto& ej) { return gk * (ej * r); }, detail::simd::no_fallback{}, o,
                            e);
                    continue;
                }
                for (std::size_t j = 0; j < l.n; ++j)
                    detail::store(o[j * l.inner], gk * (e[j * l.inner] * r), accumulate);
                continue;
            }
            if (l.inner == 1) {  // contiguous: vectorised
                if (accumulate)
                    detail::simd::map(
                        l.n, [gk, yk](const auto& x, const auto& ox) { return ox + gk * detail::exp_shifted(x, yk); },
                        [yk](const auto& x, const auto&) { return detail::exp_shifted_by_cmath(x, yk); }, o,
                        a.data() + s0, static_cast<const double*>(o));
                else
                    detail::simd::map(
                        l.n, [gk, yk](const auto& x) { return gk * detail::exp_shifted(x, yk); },
                        [yk](const auto& x) { return detail::exp_shifted_by_cmath(x, yk); }, o, a.data() + s0);
                continue;
            }
            for (std::size_t j = 0; j < l.n; ++j) {
                const std::size_t e = s0 + j * l.inner;
                const double lse_c = gk * detail::exp_shifted(a.data()[e], yk);
                detail::store(out.data()[e], lse_c, accumulate);
            }
        }
    }
};

// softmax over all elements (Axis = false) or along one axis.
template <bool Axis>
struct softmax_op {
    template <std::size_t K>
    static constexpr std::size_t rank = [] {
        static_assert(!Axis || K >= 1, "duet: duet::softmax(A, axis) needs a tensor of rank >= 1");
        return K;
    }();

    std::size_t axis = 0;

    template <std::size_t K>
    detail::lanes lanes(const tensor<K>& a) const {
        if constexpr (Axis)
            return detail::lanes_of(a, axis, "softmax");
        else
            return detail::lanes_of(a);
    }
    template <std::size_t K>
    tensor<K> value(const tensor<K>& a) const {
        const auto l = lanes(a);
        auto s = detail::workspace_tensor<K>(a.shape());
        for (std::size_t k = 0; k < l.count(); ++k) {
            const std::size_t s0 = l.start(k);
            const double lse = detail::lane_log_sum_exp(a.data() + s0, l.n, l.inner);
            if (l.inner == 1) {  // contiguous: vectorised
                detail::simd::map(
                    l.n, [lse](const auto& x) { return detail::exp_shifted(x, lse); },
                    [lse](const auto& x) { return detail::exp_shifted_by_cmath(x, lse); }, s.data() + s0,
                    a.data() + s0);
                continue;
            }
            for (std::size_t j = 0; j < l.n; ++j) {
                const std::size_t e = s0 + j * l.inner;
                s.data()[e] = detail::exp_shifted(a.data()[e], lse);
            }
        }
        return s;
    }
    // ds = s ∘ (da - <s, da>) lane by lane
    template <std::size_t K>
    tensor<K> tangent(const tensor<K>& a, const tensor<K>& s, const tensor<K>& da) const {
        const auto l = lanes(a);
        auto t = detail::workspace_tensor<K>(s.shape());
        for (std::size_t k = 0; k < l.count(); ++k) {
            const std::size_t s0 = l.start(k);
            double sd = 0;
            for (std::size_t j = 0; j < l.n; ++j) sd += s.data()[s0 + j * l.inner] * da.data()[s0 + j * l.inner];
            for (std::size_t j = 0; j < l.n; ++j) {
                const std::size_t e = s0 + j * l.inner;
                t.data()[e] = s.data()[e] * (da.data()[e] - sd);
            }
        }
        return t;
    }
    // gA = s ∘ (g - <g, s>) lane by lane
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<K>& s, const tensor<K>& g, tensor<K>& out,
                 bool accumulate) const {
        const auto l = lanes(a);
        for (std::size_t k = 0; k < l.count(); ++k) {
            const std::size_t s0 = l.start(k);
            double gs = 0;
            for (std::size_t j = 0; j < l.n; ++j) gs += g.data()[s0 + j * l.inner] * s.data()[s0 + j * l.inner];
            for (std::size_t j = 0; j < l.n; ++j) {
                const std::size_t e = s0 + j * l.inner;
                const double c = s.data()[e] * (g.data()[e] - gs);
                out.data()[e] = accumulate ? out.data()[e] + c : c;
            }
        }
    }
};

// The product of all elements (Axis = false, rank 0) or along one axis.
template <bool Axis>
struct prod_op {
    template <std::size_t K>
    static constexpr std::size_t rank = [] {
        static_assert(!Axis || K >= 1, "duet: duet::prod(A, axis) needs a tensor of rank >= 1");
        return Axis ? K - 1 : 0;
    }();

    std::size_t axis = 0;

    template <std::size_t K>
    detail::lanes lanes(const tensor<K>& a) const {
        if constexpr (Axis)
            return detail::lanes_of(a, axis, "prod");
        else
            return detail::lanes_of(a);
    }
    template <std::size_t K>
    tensor<rank<K>> value(const tensor<K>& a) const {
        const auto l = lanes(a);
        auto y = detail::workspace_tensor<rank<K>>(detail::reduced_shape<Axis>(a, axis));
        for (std::size_t k = 0; k < l.count(); ++k) {
            double p = 1;
            for (std::size_t j = 0; j < l.n; ++j) p *= a.data()[l.start(k) + j * l.inner];
            y.data()[k] = p;
        }
        return y;
    }
    // Calls f(e, ∂y/∂a_e) for every element e of lane k: the product of the
    // elements before e (prefix, built up) times those after it (suffix,
    // precomputed right to left).
    template <class F>
    // suffix: scratch of l.n + 1 elements.
    static void partials(const double* a, const detail::lanes& l, std::size_t k, double* suffix, F&& f) {
        const std::size_t s0 = l.start(k);
        suffix[l.n] = 1;
        for (std::size_t j = l.n; j-- > 0;) suffix[j] = suffix[j + 1] * a[s0 + j * l.inner];
        double prefix = 1;
        for (std::size_t j = 0; j < l.n; ++j) {
            const std::size_t e = s0 + j * l.inner;
            const double partial = prefix * suffix[j + 1];
            f(e, partial);
            prefix *= a[e];
        }
    }
    template <std::size_t K>
    tensor<rank<K>> tangent(const tensor<K>& a, const tensor<rank<K>>& y, const tensor<K>& da) const {
        const auto l = lanes(a);
        auto t = detail::workspace_tensor<rank<K>>(y.shape());
        detail::pooled<1> scratch(detail::workspace_tensor<1>(std::array<std::size_t, 1>{l.n + 1}));
        double* suffix = scratch.get().data();
        for (std::size_t k = 0; k < l.count(); ++k) {
            double s = 0;
            partials(a.data(), l, k, suffix, [&](std::size_t e, double partial) {
                s += tangent_product(partial, da.data()[e]);
            });
            t.data()[k] = s;
        }
        return t;
    }
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<rank<K>>&, const tensor<rank<K>>& g, tensor<K>& out,
                 bool accumulate) const {
        const auto l = lanes(a);
        detail::pooled<1> scratch(detail::workspace_tensor<1>(std::array<std::size_t, 1>{l.n + 1}));
        double* suffix = scratch.get().data();
        for (std::size_t k = 0; k < l.count(); ++k)
            partials(a.data(), l, k, suffix, [&](std::size_t e, double partial) {
                const double prod_c = g.data()[k] * partial;
                detail::store(out.data()[e], prod_c, accumulate);
            });
    }
};

// The largest (Min = false) or smallest element, of all (Axis = false) or
// along one axis. Ties share the derivative equally.
template <bool Min, bool Axis>
struct extremum_op {
    template <std::size_t K>
    static constexpr std::size_t rank = [] {
        static_assert(!Axis || K >= 1,
                      "duet: duet::amax(A, axis) and duet::amin(A, axis) need a tensor of rank >= 1");
        return Axis ? K - 1 : 0;
    }();

    std::size_t axis = 0;

    template <std::size_t K>
    detail::lanes lanes(const tensor<K>& a) const {
        if constexpr (Axis)
            return detail::lanes_of(a, axis, Min ? "amin" : "amax");
        else
            return detail::lanes_of(a);
    }
    static bool better(double x, double best) { return Min ? x < best : x > best; }
    template <std::size_t K>
    tensor<rank<K>> value(const tensor<K>& a) const {
        const auto l = lanes(a);
        if (l.n == 0)
            detail::throw_invalid_argument(Min ? "amin" : "amax", "no elements to choose from in shape ",
                                           detail::shape_string(a.shape()));
        auto y = detail::workspace_tensor<rank<K>>(detail::reduced_shape<Axis>(a, axis));
        for (std::size_t k = 0; k < l.count(); ++k) {
            double best = a.data()[l.start(k)];
            for (std::size_t j = 1; j < l.n && !std::isnan(best); ++j) {
                const double x = a.data()[l.start(k) + j * l.inner];
                if (std::isnan(x) || better(x, best)) best = x;
            }
            y.data()[k] = best;
        }
        return y;
    }
    // f(e, weight) for every element e of lane k that the derivative reaches:
    // the extreme elements, weight 1 / (number of ties); with a NaN in the
    // lane, every element with weight NaN.
    template <class F>
    static void selected(const double* a, const detail::lanes& l, std::size_t k, double y, F&& f) {
        const std::size_t s0 = l.start(k);
        if (std::isnan(y)) {
            for (std::size_t j = 0; j < l.n; ++j) f(s0 + j * l.inner, y);
            return;
        }
        std::size_t ties = 0;
        for (std::size_t j = 0; j < l.n; ++j) ties += a[s0 + j * l.inner] == y;
        for (std::size_t j = 0; j < l.n; ++j)
            if (a[s0 + j * l.inner] == y) f(s0 + j * l.inner, 1.0 / static_cast<double>(ties));
    }
    template <std::size_t K>
    tensor<rank<K>> tangent(const tensor<K>& a, const tensor<rank<K>>& y, const tensor<K>& da) const {
        const auto l = lanes(a);
        auto t = detail::workspace_tensor<rank<K>>(y.shape());
        for (std::size_t k = 0; k < l.count(); ++k) {
            double s = 0;
            selected(a.data(), l, k, y.data()[k], [&](std::size_t e, double w) { s += w * da.data()[e]; });
            t.data()[k] = s;
        }
        return t;
    }
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<rank<K>>& y, const tensor<rank<K>>& g, tensor<K>& out,
                 bool accumulate) const {
        const auto l = lanes(a);
        if (!accumulate) out.fill(0.0);
        for (std::size_t k = 0; k < l.count(); ++k)
            selected(a.data(), l, k, y.data()[k], [&](std::size_t arg, double w) {
                const double max_c = g.data()[k] * w;
                detail::store(out.data()[arg], max_c, true);
            });
    }
};

struct softmax_cross_entropy_op {
    template <std::size_t KZ, std::size_t KY>
    static constexpr std::size_t rank = [] {
        static_assert(KZ == KY && KZ >= 1,
                      "duet: duet::softmax_cross_entropy needs scores and targets of the same rank (>= 1)");
        return std::size_t{0};
    }();

    std::size_t axis = 0;

    template <std::size_t K>
    detail::lanes lanes(const tensor<K>& z, const tensor<K>& y) const {
        if (!detail::same_shape(z.shape(), y.shape()))
            detail::throw_shape_mismatch("softmax_cross_entropy", z.shape(), y.shape(),
                                         "differ (targets need the scores' shape)");
        return detail::lanes_of(z, axis, "softmax_cross_entropy");
    }
    static double scale(const detail::lanes& l) {
        return l.count() ? 1.0 / static_cast<double>(l.count()) : 0.0;
    }
    // f(e, s_e) for every element of lane k: s = softmax of the lane.
    template <class F>
    static void softmax_lane(const double* z, const detail::lanes& l, std::size_t k, F&& f) {
        const std::size_t s0 = l.start(k);
        const double lse = detail::lane_log_sum_exp(z + s0, l.n, l.inner);
        for (std::size_t j = 0; j < l.n; ++j) f(s0 + j * l.inner, detail::exp_shifted(z[s0 + j * l.inner], lse));
    }
    template <std::size_t K>
    tensor<0> value(const tensor<K>& z, const tensor<K>& y) const {
        const auto l = lanes(z, y);
        double total = 0;
        for (std::size_t k = 0; k < l.count(); ++k) {
            const std::size_t s0 = l.start(k);
            total += detail::lane_log_sum_exp(z.data() + s0, l.n, l.inner);
            for (std::size_t j = 0; j < l.n; ++j) total -= y.data()[s0 + j * l.inner] * z.data()[s0 + j * l.inner];
        }
        return detail::workspace_scalar(total * scale(l));
    }
    template <std::size_t K>
    tensor<0> tangent(const tensor<K>& z, const tensor<K>& y, const tensor<0>&, const tensor<K>* dz,
                      const tensor<K>* dy) const {
        const auto l = lanes(z, y);
        double total = 0;
        for (std::size_t k = 0; k < l.count(); ++k) {
            if (dz)
                softmax_lane(z.data(), l, k, [&](std::size_t e, double s) { total += (s - y.data()[e]) * dz->data()[e]; });
            if (dy)
                for (std::size_t j = 0; j < l.n; ++j) {
                    const std::size_t e = l.start(k) + j * l.inner;
                    total -= z.data()[e] * dy->data()[e];
                }
        }
        return detail::workspace_scalar(total * scale(l));
    }
    template <std::size_t K>
    void left_adjoint(const tensor<K>& z, const tensor<K>& y, const tensor<0>&, const tensor<0>& g,
                      tensor<K>& out, bool accumulate) const {
        const auto l = lanes(z, y);
        const double c = g() * scale(l);
        for (std::size_t k = 0; k < l.count(); ++k)
            softmax_lane(z.data(), l, k, [&](std::size_t e, double s) {
                const double xent_c = c * (s - y.data()[e]);
                detail::store(out.data()[e], xent_c, accumulate);
            });
    }
    template <std::size_t K>
    void right_adjoint(const tensor<K>& z, const tensor<K>& y, const tensor<0>&, const tensor<0>& g,
                       tensor<K>& out, bool accumulate) const {
        const auto l = lanes(z, y);
        blas::axpy(-g() * scale(l), z.data(), out.data(), z.size(), accumulate);
    }
};

// ---- the functions -----------------------------------------------------------
template <tensor_argument A>
auto sum(A&& a) {
    return detail::apply_tensor_op(sum_all_op{false}, std::forward<A>(a));
}
template <tensor_argument A>
auto sum(A&& a, std::size_t axis) {
    return detail::apply_tensor_op(sum_axis_op{axis, false}, std::forward<A>(a));
}
template <tensor_argument A>
auto mean(A&& a) {
    return detail::apply_tensor_op(sum_all_op{true}, std::forward<A>(a));
}
template <tensor_argument A>
auto mean(A&& a, std::size_t axis) {
    return detail::apply_tensor_op(sum_axis_op{axis, true}, std::forward<A>(a));
}
// reshape(A, {n, m}): the elements of A in row-major order, in a new shape.
template <tensor_argument A, std::size_t R>
auto reshape(A&& a, const std::array<std::size_t, R>& shape) {
    return detail::apply_tensor_op(reshape_op<R>{shape}, std::forward<A>(a));
}
template <tensor_argument A, std::size_t R>
auto reshape(A&& a, const std::size_t (&shape)[R]) {
    std::array<std::size_t, R> s{};
    std::copy(shape, shape + R, s.begin());
    return duet::reshape(std::forward<A>(a), s);
}
template <tensor_argument A>
auto log_sum_exp(A&& a) {
    return detail::apply_tensor_op(log_sum_exp_op<false>{}, std::forward<A>(a));
}
template <tensor_argument A>
auto log_sum_exp(A&& a, std::size_t axis) {
    return detail::apply_tensor_op(log_sum_exp_op<true>{axis}, std::forward<A>(a));
}
template <tensor_argument A>
auto softmax(A&& a) {
    return detail::apply_tensor_op(softmax_op<false>{}, std::forward<A>(a));
}
template <tensor_argument A>
auto softmax(A&& a, std::size_t axis) {
    return detail::apply_tensor_op(softmax_op<true>{axis}, std::forward<A>(a));
}
template <tensor_argument A>
auto prod(A&& a) {
    return detail::apply_tensor_op(prod_op<false>{}, std::forward<A>(a));
}
template <tensor_argument A>
auto prod(A&& a, std::size_t axis) {
    return detail::apply_tensor_op(prod_op<true>{axis}, std::forward<A>(a));
}
template <tensor_argument A>
auto amax(A&& a) {
    return detail::apply_tensor_op(extremum_op<false, false>{}, std::forward<A>(a));
}
template <tensor_argument A>
auto amax(A&& a, std::size_t axis) {
    return detail::apply_tensor_op(extremum_op<false, true>{axis}, std::forward<A>(a));
}
template <tensor_argument A>
auto amin(A&& a) {
    return detail::apply_tensor_op(extremum_op<true, false>{}, std::forward<A>(a));
}
template <tensor_argument A>
auto amin(A&& a, std::size_t axis) {
    return detail::apply_tensor_op(extremum_op<true, true>{axis}, std::forward<A>(a));
}

// Mean cross-entropy of a batch of class scores Z against targets Y (one-hot
// or probabilities, Y of Z's shape): the mean over the other axes of
// log_sum_exp(Z, axis) - Σ_axis Y ∘ Z. axis = the class axis, by default the
// last (Z: batch x classes). One node (so Z is evaluated once), with the
// softmax of each lane computed once per pass:
//   value    (1/N) Σ_lanes [lse(z) - <y, z>]          N = number of lanes
//   tangent  (1/N) Σ_lanes [<softmax(z) - y, dz> - <z, dy>]
//   adjoint  gZ += g/N (softmax(z) - y),   gY += -g/N z
template <tensor_argument Z, class Y>
    requires tensor_argument<Y>
auto softmax_cross_entropy(Z&& z, Y&& y, std::size_t axis) {
    return detail::apply_tensor_op(softmax_cross_entropy_op{axis}, std::forward<Z>(z), std::forward<Y>(y));
}
template <tensor_argument Z, class Y>
auto softmax_cross_entropy(Z&& z, Y&& y) {
    constexpr std::size_t K = [] {
        if constexpr (tensor_node<Z>)
            return std::remove_cvref_t<Z>::rank;
        else
            return detail::plain_rank<Z>();
    }();
    static_assert(K >= 1, "duet: duet::softmax_cross_entropy needs class scores of rank >= 1");
    return duet::softmax_cross_entropy(std::forward<Z>(z), std::forward<Y>(y), K - 1);
}

}  // namespace duet
