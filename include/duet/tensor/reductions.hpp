// Reductions and reshaping, each with value, tangent and adjoint written once:
//
//   sum(A), mean(A)              all elements -> rank 0
//                                tangent Σ dA (/ n);  adjoint gA += g (/ n) everywhere
//   sum(A, axis), mean(A, axis)  rank K -> K - 1
//                                adjoint: g broadcast back along `axis`
//   reshape(A, shape)            same elements, row-major; adjoint reshapes back
//   log_sum_exp(A)               y = log Σ exp(a_i), computed as m + log Σ exp(a_i - m)
//                                tangent Σ s_i da_i,  adjoint gA += g s,  s = softmax(A)
//   softmax(A)                   s_i = exp(a_i - log_sum_exp(A)) over all elements
//                                tangent ds = s ∘ (da - <s, da>)
//                                adjoint gA += s ∘ (g - <g, s>)
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xreducer.hpp>

#include "duet/tensor/blas.hpp"
#include "duet/tensor/nodes.hpp"

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
        double s = 0;
        for (std::size_t i = 0, n = a.size(); i < n; ++i) s += a.data()[i];
        return tensor<0>(s * scale(a));
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
        static_assert(K >= 1, "duet::sum(A, axis) needs a tensor of rank >= 1");
        return K - 1;
    }();

    std::size_t axis;
    bool mean = false;

    template <std::size_t K>
    tensor<K - 1> value(const tensor<K>& a) const {
        if (axis >= K)
            throw std::invalid_argument("duet::" + std::string(mean ? "mean" : "sum") + ": axis " +
                                        std::to_string(axis) + " out of range for shape " +
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
            out += c * spread;
        else
            out = c * spread;
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
        auto y = tensor<R>::from_shape(shape);
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
// exp(a_i - m), m = max (so nothing overflows); returns log Σ exp(a_i).
template <std::size_t K>
double log_sum_exp_of(const tensor<K>& a) {
    if (a.size() == 0) return -std::numeric_limits<double>::infinity();
    const double m = *std::max_element(a.data(), a.data() + a.size());
    if (!std::isfinite(m)) return m;  // +inf, or all -inf, or NaN
    double s = 0;
    for (std::size_t i = 0, n = a.size(); i < n; ++i) s += std::exp(a.data()[i] - m);
    return m + std::log(s);
}
template <std::size_t K>
tensor<K> softmax_of(const tensor<K>& a, double lse) {
    auto s = tensor<K>::from_shape(a.shape());
    for (std::size_t i = 0, n = a.size(); i < n; ++i) s.data()[i] = std::exp(a.data()[i] - lse);
    return s;
}
}  // namespace detail

struct log_sum_exp_op {
    template <std::size_t K>
    static constexpr std::size_t rank = 0;

    template <std::size_t K>
    tensor<0> value(const tensor<K>& a) const {
        return tensor<0>(detail::log_sum_exp_of(a));
    }
    template <std::size_t K>
    tensor<0> tangent(const tensor<K>& a, const tensor<0>& y, const tensor<K>& da) const {
        const auto s = detail::softmax_of(a, y());
        return tensor<0>(blas::dot(s.data(), da.data(), s.size()));
    }
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<0>& y, const tensor<0>& g, tensor<K>& out,
                 bool accumulate) const {
        const auto s = detail::softmax_of(a, y());
        blas::axpy(g(), s.data(), out.data(), s.size(), accumulate);
    }
};

struct softmax_op {
    template <std::size_t K>
    static constexpr std::size_t rank = K;

    template <std::size_t K>
    tensor<K> value(const tensor<K>& a) const {
        return detail::softmax_of(a, detail::log_sum_exp_of(a));
    }
    template <std::size_t K>
    tensor<K> tangent(const tensor<K>&, const tensor<K>& s, const tensor<K>& da) const {
        const double sd = blas::dot(s.data(), da.data(), s.size());
        auto t = tensor<K>::from_shape(s.shape());
        for (std::size_t i = 0, n = s.size(); i < n; ++i) t.data()[i] = s.data()[i] * (da.data()[i] - sd);
        return t;
    }
    template <std::size_t K>
    void adjoint(const tensor<K>&, const tensor<K>& s, const tensor<K>& g, tensor<K>& out,
                 bool accumulate) const {
        const double gs = blas::dot(g.data(), s.data(), s.size());
        for (std::size_t i = 0, n = s.size(); i < n; ++i) {
            const double c = s.data()[i] * (g.data()[i] - gs);
            out.data()[i] = accumulate ? out.data()[i] + c : c;
        }
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
    return reshape(std::forward<A>(a), s);
}
template <tensor_argument A>
auto log_sum_exp(A&& a) {
    return detail::apply_tensor_op(log_sum_exp_op{}, std::forward<A>(a));
}
template <tensor_argument A>
auto softmax(A&& a) {
    return detail::apply_tensor_op(softmax_op{}, std::forward<A>(a));
}

}  // namespace duet
