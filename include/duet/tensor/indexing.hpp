// Reading parts of tensor expressions (read-only: the selection is a new
// node, the selected tensor is not modified):
//
//   W(i, j)                     one element, a rank-0 node (every index given)
//   duet::view(W, i, xt::all()) xtensor's view arguments: an integer (the axis
//   duet::view(W, xt::range(1, 3), 0)   disappears), xt::all(), xt::range(a, b[, step])
//                               (the axis stays); missing trailing arguments mean
//                               xt::all()
//   duet::row(W, i), duet::col(W, j)
//
// One operation, select_op, does all of them:
//   value    gathers the selected elements (row-major over the kept axes)
//   tangent  gathers the same elements of the operand's tangent
//   adjoint  scatters g into the selected positions, zero elsewhere
// An index out of range throws std::invalid_argument naming the shape.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <xtensor/xslice.hpp>

#include "duet/tensor/nodes.hpp"

namespace duet {

// The selection along one axis: elements start, start + step, ... (count of
// them); `keep` false for an integer index (the axis disappears).
struct axis_selection {
    std::ptrdiff_t start = 0;
    std::ptrdiff_t step = 1;
    std::size_t count = 1;
    bool keep = false;
};

namespace detail {

template <class S>
struct is_all_tag : std::is_same<std::remove_cvref_t<S>, xt::xall_tag> {};

template <class S>
concept range_slice = requires(const std::remove_cvref_t<S>& s, std::size_t n) {
    s.get(n).size();
    s.get(n)(std::size_t{0});
};

template <class S>
concept view_argument = std::is_integral_v<std::remove_cvref_t<S>> || is_all_tag<S>::value || range_slice<S>;

// Result rank: one axis per argument that is not an integer, plus the axes
// without an argument.
template <std::size_t K, class... S>
constexpr std::size_t view_rank() {
    static_assert(sizeof...(S) <= K, "duet: duet::view got more view arguments than the tensor has axes");
    return K - (std::size_t{0} + ... + std::size_t{std::is_integral_v<std::remove_cvref_t<S>>});
}

}  // namespace detail

template <std::size_t K, std::size_t R>
struct select_op {
    template <std::size_t KA>
    static constexpr std::size_t rank = [] {
        static_assert(KA == K, "duet: the selection was made for a tensor of another rank");
        return R;
    }();

    // Unresolved: how each axis was asked for (resolved against the shape
    // in value(), as xt::all() and ranges need the axis length).
    struct request {
        enum kind_t { index, all, range } kind = all;
        std::ptrdiff_t index_value = 0;
        std::ptrdiff_t start = 0, step = 1;
        std::size_t count = 0;
    };
    std::array<request, K> requests{};
    const char* name = "view";

    std::array<axis_selection, K> resolve(const tensor<K>& a) const {
        std::array<axis_selection, K> sel{};
        for (std::size_t d = 0; d < K; ++d) {
            const std::size_t n = a.shape()[d];
            const auto& r = requests[d];
            if (r.kind == request::index) {
                const std::ptrdiff_t i = r.index_value < 0 ? r.index_value + static_cast<std::ptrdiff_t>(n)
                                                           : r.index_value;
                if (i < 0 || static_cast<std::size_t>(i) >= n)
                    detail::throw_invalid_argument(name, "index ", r.index_value, " out of range for axis ", d,
                                                   " of shape ", detail::shape_string(a.shape()));
                sel[d] = {i, 1, 1, false};
            } else if (r.kind == request::all) {
                sel[d] = {0, 1, n, true};
            } else {
                sel[d] = {r.start, r.step, r.count, true};
                const std::ptrdiff_t last = r.start + r.step * static_cast<std::ptrdiff_t>(r.count) - r.step;
                if (r.count > 0 && (r.start < 0 || last < 0 || static_cast<std::size_t>(r.start) >= n ||
                                    static_cast<std::size_t>(last) >= n))
                    detail::throw_invalid_argument(name, "range [", r.start, ", ", last, "] (step ", r.step,
                                                   ") out of range for axis ", d, " of shape ",
                                                   detail::shape_string(a.shape()));
            }
        }
        return sel;
    }

    // f(i, source) for every selected element, i counting the result's
    // elements in row-major order.
    template <class F>
    static void for_each(const tensor<K>& a, const std::array<axis_selection, K>& sel, F&& f) {
        std::size_t n = 1;
        for (const auto& s : sel) n *= s.count;
        if (n == 0) return;
        std::array<std::size_t, K> strides{};
        std::size_t stride = 1;
        for (std::size_t d = K; d-- > 0;) {
            strides[d] = stride;
            stride *= a.shape()[d];
        }
        std::array<std::size_t, K> index{};
        for (std::size_t i = 0; i < n; ++i) {
            std::ptrdiff_t source = 0;
            for (std::size_t d = 0; d < K; ++d)
                source += (sel[d].start + sel[d].step * static_cast<std::ptrdiff_t>(index[d])) *
                          static_cast<std::ptrdiff_t>(strides[d]);
            f(i, static_cast<std::size_t>(source));
            for (std::size_t d = K; d-- > 0;) {
                if (++index[d] < sel[d].count) break;
                index[d] = 0;
            }
        }
    }

    std::array<std::size_t, R> result_shape(const std::array<axis_selection, K>& sel) const {
        std::array<std::size_t, R> s{};
        for (std::size_t d = 0, e = 0; d < K; ++d)
            if (sel[d].keep) s[e++] = sel[d].count;
        return s;
    }

    tensor<R> value(const tensor<K>& a) const {
        const auto sel = resolve(a);
        auto y = detail::workspace_tensor<R>(result_shape(sel));
        for_each(a, sel, [&](std::size_t i, std::size_t e) { y.data()[i] = a.data()[e]; });
        return y;
    }
    tensor<R> tangent(const tensor<K>& a, const tensor<R>& y, const tensor<K>& da) const {
        auto t = detail::workspace_tensor<R>(y.shape());
        for_each(a, resolve(a), [&](std::size_t i, std::size_t e) { t.data()[i] = da.data()[e]; });
        return t;
    }
    void adjoint(const tensor<K>& a, const tensor<R>&, const tensor<R>& g, tensor<K>& out,
                 bool accumulate) const {
        if (!accumulate) out.fill(0.0);
        for_each(a, resolve(a), [&](std::size_t i, std::size_t e) { out.data()[e] += g.data()[i]; });
    }
};

namespace detail {

// The rank of an operand (node or plain tensor).
template <class E>
constexpr std::size_t operand_rank() {
    if constexpr (tensor_node<E>)
        return std::remove_cvref_t<E>::rank;
    else if constexpr (plain_number<E>)
        return 0;
    else
        return plain_rank<E>();
}

}  // namespace detail

// duet::view(e, slices...): xtensor's view arguments on a duet tensor
// expression (integers, xt::all(), xt::range(...)). Ranges need the axis
// length, so a range's start/step/count are taken from the operand's value
// when the expression is built from a variable or constant; inside a larger
// expression, use integers and xt::all().
template <class E, class... S>
    requires(tensor_node<E> || plain_tensor<E>) && (detail::view_argument<S> && ...)
auto view(E&& e, S&&... slices) {
    constexpr std::size_t K = detail::operand_rank<E>();
    constexpr std::size_t R = detail::view_rank<K, S...>();
    using request = typename select_op<K, R>::request;
    select_op<K, R> op;
    std::size_t d = 0;
    auto one = [&](auto&& s) {
        using D = std::remove_cvref_t<decltype(s)>;
        auto& r = op.requests[d];
        if constexpr (std::is_integral_v<D>) {
            r.kind = request::index;
            r.index_value = static_cast<std::ptrdiff_t>(s);
        } else if constexpr (detail::is_all_tag<D>::value) {
            r.kind = request::all;
        } else {
            // A range: resolved against the axis length of the operand's
            // value, which a leaf knows now.
            std::size_t n = 0;
            if constexpr (tensor_node<E>) {
                using N = std::remove_cvref_t<E>;
                if constexpr (requires { *e.value; })
                    n = e.value->shape()[d];
                else if constexpr (requires { e.value.shape(); })
                    n = e.value.shape()[d];
                else
                    static_assert(sizeof(N) == 0 || sizeof(D) == 0,  // dependent on this slice
                                  "duet: in duet::view, xt::range needs the axis length: take ranges of a "
                                  "variable or a constant, not of an inner expression");
            } else {
                n = e.shape()[d];
            }
            const auto range = s.get(n);
            r.kind = request::range;
            r.count = range.size();
            r.start = r.count > 0 ? static_cast<std::ptrdiff_t>(range(0)) : 0;
            r.step = r.count > 1 ? static_cast<std::ptrdiff_t>(range(1)) - r.start : 1;
        }
        ++d;
    };
    (one(slices), ...);
    (void)one;  // no slices: a rank-0 operand's only element
    return detail::apply_tensor_op(op, std::forward<E>(e));
}

// Row i / column j of a matrix expression.
template <class E>
    requires tensor_node<E> || plain_tensor<E>
auto row(E&& e, std::ptrdiff_t i) {
    static_assert(detail::operand_rank<E>() == 2, "duet: duet::row takes a matrix (rank 2)");
    return duet::view(std::forward<E>(e), i);
}
template <class E>
    requires tensor_node<E> || plain_tensor<E>
auto col(E&& e, std::ptrdiff_t j) {
    static_assert(detail::operand_rank<E>() == 2, "duet: duet::col takes a matrix (rank 2)");
    return duet::view(std::forward<E>(e), xt::all(), j);
}

namespace detail {
// Node member operator(): one element, every index given.
template <class Node, class... Index>
auto element_of(const Node& node, Index... i) {
    return duet::view(node, i...);
}
}  // namespace detail

}  // namespace duet
