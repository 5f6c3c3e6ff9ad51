// Elementwise tensor operations. They have NO derivative rules of their own:
// each applies a scalar rule of core/rules.hpp element by element
// (rule.value for values, rule.derivative / rule.left / rule.right for
// tangents and adjoints), so a tensor sigmoid and a scalar sigmoid cannot
// disagree. With xsimd installed, the values of exp, log and tanh are that
// same rule.value instantiated with xsimd batches (tensor/simd.hpp), within
// 2 ulp of <cmath>; the partials are the scalar rule on those values.
//
// Operands broadcast by numpy's rule (xtensor's too): shapes are aligned
// from the last axis, a missing leading axis counts as size 1, and each pair
// of aligned sizes must be equal or one of them 1 (that operand repeats
// along the axis). A number is a rank-0 operand. The adjoint of a broadcast
// operand is the sum of its elements' uses: the sum over the broadcast axes.
// Shapes that do not broadcast throw std::invalid_argument naming both
// shapes and the rule.
//
// Zero tangents, as in duet::dual: an element whose incoming tangent is
// exactly zero contributes exactly zero, even where the local partial is
// infinite or NaN (sqrt at 0), so one input's tangent never pollutes
// another's (duet::tangent_product, core/strong_zero.hpp). Adjoints multiply
// plainly (0 * inf = NaN), as the BLAS products of the tensor layer do, so
// forward and reverse agree element by element. The scalar modes go further
// (a zero PARTIAL annihilates an infinite tangent or adjoint too:
// chain_product); the tensor layer does not yet, since its gemm/dot products
// would need a NaN scan to follow (doc/conventions.md).
//
// The named functions are generated from the table of core/operations.hpp.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/core/operations.hpp"
#include "duet/core/rules.hpp"
#include "duet/core/strong_zero.hpp"
#include "duet/tensor/nodes.hpp"
#include "duet/tensor/simd.hpp"

namespace duet {
namespace detail {

inline constexpr const char* broadcast_rule =
    "do not broadcast (numpy rule: shapes aligned from the last axis, each pair of sizes equal "
    "or one of them 1)";

// The shape of a result of rank R broadcast from shapes a and b.
template <std::size_t R, class SA, class SB>
std::array<std::size_t, R> broadcast_shape(const char* what, const SA& a, const SB& b) {
    std::array<std::size_t, R> out{};
    for (std::size_t d = 0; d < R; ++d) {
        const std::size_t da = d + a.size() >= R ? a[d + a.size() - R] : 1;
        const std::size_t db = d + b.size() >= R ? b[d + b.size() - R] : 1;
        if (da == db || db == 1)
            out[d] = da;
        else if (da == 1)
            out[d] = db;
        else
            throw_shape_mismatch(what, a, b, broadcast_rule);
    }
    return out;
}

// The strides (in elements) with which an operand of shape s is read as a
// tensor of the broadcast shape r: 0 along the axes it is repeated on.
template <std::size_t R, class S>
std::array<std::size_t, R> broadcast_strides(const S& s, const std::array<std::size_t, R>& r) {
    std::array<std::size_t, R> strides{};
    std::size_t stride = 1;
    for (std::size_t d = R; d-- > 0;) {
        if (d + s.size() < R) break;  // a missing leading axis: stride 0
        const std::size_t n = s[d + s.size() - R];
        strides[d] = n == 1 && r[d] != 1 ? 0 : stride;
        stride *= n;
    }
    return strides;
}

// f(i, ia, ib) for every element i of a result of shape r (row-major), ia
// and ib the flat indices of the operand elements it is made from.
template <std::size_t R, class F>
void for_each_broadcast(const std::array<std::size_t, R>& r, const std::array<std::size_t, R>& sa,
                        const std::array<std::size_t, R>& sb, F&& f) {
    if constexpr (R == 0) {
        f(std::size_t{0}, std::size_t{0}, std::size_t{0});
    } else {
        std::size_t n = 1;
        for (std::size_t e : r) n *= e;
        if (n == 0) return;
        std::array<std::size_t, R> index{};
        const std::size_t inner = r[R - 1], step_a = sa[R - 1], step_b = sb[R - 1];
        std::size_t ia = 0, ib = 0;
        for (std::size_t i = 0; i < n;) {
            for (std::size_t j = 0; j < inner; ++j, ++i) f(i, ia + j * step_a, ib + j * step_b);
            for (std::size_t d = R - 1; d-- > 0;) {  // advance the outer axes
                if (++index[d] < r[d]) {
                    ia += sa[d];
                    ib += sb[d];
                    break;
                }
                ia -= sa[d] * (r[d] - 1);
                ib -= sb[d] * (r[d] - 1);
                index[d] = 0;
            }
        }
    }
}

// How the two operands of an elementwise operation map onto its result.
template <std::size_t R>
struct broadcast_plan {
    std::array<std::size_t, R> shape;
    std::array<std::size_t, R> strides_a, strides_b;
    bool direct;  // both operands have the result's shape: element i is element i

    template <std::size_t KA, std::size_t KB>
    static broadcast_plan make(const char* what, const tensor<KA>& a, const tensor<KB>& b,
                               const std::array<std::size_t, R>& shape) {
        broadcast_plan p{shape, broadcast_strides<R>(a.shape(), shape),
                         broadcast_strides<R>(b.shape(), shape), false};
        std::size_t n = 1;
        for (std::size_t e : shape) n *= e;
        p.direct = a.size() == n && b.size() == n;
        (void)what;
        return p;
    }
    template <class F>
    void for_each(F&& f) const {
        if (direct) {
            std::size_t n = 1;
            for (std::size_t e : shape) n *= e;
            for (std::size_t i = 0; i < n; ++i) f(i, i, i);
        } else {
            for_each_broadcast<R>(shape, strides_a, strides_b, f);
        }
    }
};

}  // namespace detail

// y = rule(a), element by element.
template <class Rule>
struct elementwise_unary {
    template <std::size_t K>
    static constexpr std::size_t rank = K;

    [[no_unique_address]] Rule rule;

    template <std::size_t K>
    tensor<K> value(const tensor<K>& a) const {
        auto y = detail::workspace_tensor<K>(a.shape());
        const double* pa = a.data();
        double* py = y.data();
        // exp, log, tanh: the rule's value on xsimd batches (tensor/simd.hpp)
        detail::simd::rule_values(rule, a.size(), py, pa);
        return y;
    }
    template <std::size_t K>
    tensor<K> tangent(const tensor<K>& a, const tensor<K>& y, const tensor<K>& da) const {
        auto t = detail::workspace_tensor<K>(a.shape());
        for (std::size_t i = 0, n = a.size(); i < n; ++i) {
            t.data()[i] = tangent_product([&] { return rule.derivative(a.data()[i], y.data()[i]); },
                                          da.data()[i]);
        }
        return t;
    }
    // L tangents at once: da has shape (L, a's shape); each element's
    // derivative is computed once for all lanes.
    template <std::size_t K>
    tensor<K + 1> tangent_lanes(const tensor<K>& a, const tensor<K>& y, const tensor<K + 1>& da) const {
        const std::size_t n = a.size(), L = da.shape()[0];
        detail::pooled<1> scratch = detail::workspace_tensor<1>(std::array<std::size_t, 1>{n});
        double* partial = scratch.get().data();
        for (std::size_t i = 0; i < n; ++i) partial[i] = rule.derivative(a.data()[i], y.data()[i]);
        auto t = detail::workspace_tensor<K + 1>(da.shape());
        for (std::size_t l = 0; l < L; ++l) tangent_products(t.data() + l * n, partial, da.data() + l * n, n);
        return t;
    }
    template <std::size_t K>
    void adjoint(const tensor<K>& a, const tensor<K>& y, const tensor<K>& g, tensor<K>& out,
                 bool accumulate) const {
        for (std::size_t i = 0, n = a.size(); i < n; ++i) {
            const double c = g.data()[i] * rule.derivative(a.data()[i], y.data()[i]);
            detail::store(out.data()[i], c, accumulate);
        }
    }
};

// y = rule(a, b), element by element, operands broadcast.
template <class Rule>
struct elementwise_binary {
    template <std::size_t KA, std::size_t KB>
    static constexpr std::size_t rank = KA > KB ? KA : KB;

    [[no_unique_address]] Rule rule;
    const char* name;  // for error messages, e.g. "operator+"

    template <std::size_t KA, std::size_t KB>
    tensor<rank<KA, KB>> value(const tensor<KA>& a, const tensor<KB>& b) const {
        constexpr std::size_t R = rank<KA, KB>;
        const auto shape = detail::broadcast_shape<R>(name, a.shape(), b.shape());
        auto y = detail::workspace_tensor<R>(shape);
        const double *pa = a.data(), *pb = b.data();
        double* py = y.data();
        // A number on one side (x / sigma, x - mu): the number is read once
        // into a local. Through the broadcast plan it is re-read after every
        // store, as the result's storage (reused from the workspace, not a
        // fresh allocation) might alias it, and clang 14 then divides one
        // element at a time (measured: normal_log_pdf R 1.5 -> 2.4).
        const std::size_t n = y.size();
        if (b.size() == 1 && a.size() == n) {
            const double vb = pb[0];
            for (std::size_t i = 0; i < n; ++i) py[i] = rule.value(pa[i], vb);
            return y;
        }
        if (a.size() == 1 && b.size() == n) {
            const double va = pa[0];
            for (std::size_t i = 0; i < n; ++i) py[i] = rule.value(va, pb[i]);
            return y;
        }
        plan<R>(a, b, shape).for_each(
            [&](std::size_t i, std::size_t ia, std::size_t ib) { py[i] = rule.value(pa[ia], pb[ib]); });
        return y;
    }

    template <std::size_t KA, std::size_t KB, std::size_t R>
    tensor<R> tangent(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                      const tensor<KA>* da, const tensor<KB>* db) const {
        auto t = detail::workspace_tensor<R>(y.shape());
        const double *pa = a.data(), *pb = b.data(), *py = y.data();
        double* pt = t.data();
        plan<R>(a, b, y.shape()).for_each([&](std::size_t i, std::size_t ia, std::size_t ib) {
            double s = 0;
            if (da) s += tangent_product([&] { return rule.left(pa[ia], pb[ib], py[i]); }, da->data()[ia]);
            if (db) s += tangent_product([&] { return rule.right(pa[ia], pb[ib], py[i]); }, db->data()[ib]);
            pt[i] = s;
        });
        return t;
    }

    // L tangents at once (lanes of shape (L, operand shape...)); the
    // partials of each element are computed once for all lanes.
    template <std::size_t KA, std::size_t KB, std::size_t R>
    tensor<R + 1> tangent_lanes(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                                const tensor<KA + 1>* da, const tensor<KB + 1>* db) const {
        const std::size_t n = y.size(), na = a.size(), nb = b.size();
        const std::size_t L = da ? da->shape()[0] : db->shape()[0];
        std::vector<std::size_t> ia(n), ib(n);
        std::vector<double> left(da ? n : 0), right(db ? n : 0);
        const double *pa = a.data(), *pb = b.data(), *py = y.data();
        plan<R>(a, b, y.shape()).for_each([&](std::size_t i, std::size_t ja, std::size_t jb) {
            ia[i] = ja;
            ib[i] = jb;
            if (da) left[i] = rule.left(pa[ja], pb[jb], py[i]);
            if (db) right[i] = rule.right(pa[ja], pb[jb], py[i]);
        });
        std::array<std::size_t, R + 1> shape{};
        shape[0] = L;
        for (std::size_t d = 0; d < R; ++d) shape[d + 1] = y.shape()[d];
        auto t = detail::workspace_tensor<R + 1>(shape);
        for (std::size_t l = 0; l < L; ++l) {
            double* o = t.data() + l * n;
            const double* dl = da ? da->data() + l * na : nullptr;
            const double* dr = db ? db->data() + l * nb : nullptr;
            for (std::size_t i = 0; i < n; ++i) {
                double s = 0;
                if (dl) s += tangent_product(left[i], dl[ia[i]]);
                if (dr) s += tangent_product(right[i], dr[ib[i]]);
                o[i] = s;
            }
        }
        return t;
    }

    template <std::size_t KA, std::size_t KB, std::size_t R>
    void left_adjoint(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                      const tensor<R>& g, tensor<KA>& out, bool accumulate) const {
        adjoint_to<true>(a, b, y, g, out, accumulate,
                         [this](double ai, double bi, double yi) { return rule.left(ai, bi, yi); });
    }
    template <std::size_t KA, std::size_t KB, std::size_t R>
    void right_adjoint(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                       const tensor<R>& g, tensor<KB>& out, bool accumulate) const {
        adjoint_to<false>(a, b, y, g, out, accumulate,
                          [this](double ai, double bi, double yi) { return rule.right(ai, bi, yi); });
    }

private:
    template <std::size_t R, std::size_t KA, std::size_t KB, class Shape>
    detail::broadcast_plan<R> plan(const tensor<KA>& a, const tensor<KB>& b, const Shape& shape) const {
        std::array<std::size_t, R> s{};
        for (std::size_t d = 0; d < R; ++d) s[d] = shape[d];
        return detail::broadcast_plan<R>::make(name, a, b, s);
    }

    // The adjoint of the left (Left = true) or right operand: g times the
    // partial, element by element, summed over the axes that operand was
    // broadcast along.
    template <bool Left, std::size_t KA, std::size_t KB, std::size_t R, std::size_t KO, class Partial>
    void adjoint_to(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y, const tensor<R>& g,
                    tensor<KO>& out, bool accumulate, const Partial& partial) const {
        const double *pa = a.data(), *pb = b.data(), *py = y.data(), *pg = g.data();
        double* po = out.data();
        auto contribution = [&](std::size_t i, std::size_t ia, std::size_t ib) {
            return pg[i] * partial(pa[ia], pb[ib], py[i]);
        };
        const auto p = plan<R>(a, b, y.shape());
        if (out.size() == y.size()) {  // not broadcast: one use per element
            p.for_each([&](std::size_t i, std::size_t ia, std::size_t ib) {
                detail::store(po[i], contribution(i, ia, ib), accumulate);
            });
        } else {  // the sum of each element's uses
            if (!accumulate) out.fill(0.0);
            p.for_each([&](std::size_t i, std::size_t ia, std::size_t ib) {
                po[Left ? ia : ib] += contribution(i, ia, ib);
            });
        }
    }
};

namespace detail {

// Both operands plain (tensors or numbers), at least one a tensor.
template <class A, class B>
concept plain_operand_pair = (plain_tensor<A> && (plain_tensor<B> || plain_number<B>)) ||
                             (plain_number<A> && plain_tensor<B>);

// An elementwise operation on tensor arguments: a node when one of them is a
// node, else the evaluated tensor (so generic code runs on plain xtensors).
template <class Rule, class A>
auto apply_unary(Rule rule, A&& a) {
    return node_or_value(elementwise_unary<Rule>{rule}, std::forward<A>(a));
}
template <class Rule, class A, class B>
auto apply_binary(Rule rule, const char* name, A&& a, B&& b) {
    return node_or_value(elementwise_binary<Rule>{rule, name}, std::forward<A>(a), std::forward<B>(b));
}

}  // namespace detail

// ---- operators on nodes (plain xtensors keep xtensor's own operators) ------
#define DUET_TENSOR_OPERATOR(op, rule)                                                  \
    template <class A, class B>                                                         \
        requires tensor_operand_pair<A, B>                                              \
    auto operator op(A&& a, B&& b) {                                                    \
        return detail::apply_binary(rules::rule{}, "operator" #op, std::forward<A>(a),  \
                                    std::forward<B>(b));                                \
    }
DUET_FOR_EACH_BINARY_OPERATOR(DUET_TENSOR_OPERATOR)
#undef DUET_TENSOR_OPERATOR

template <tensor_node A>
auto operator-(A&& a) {
    return detail::apply_unary(rules::negate_rule{}, std::forward<A>(a));
}
template <tensor_node A>
auto operator+(A&& a) {
    return std::remove_cvref_t<A>(std::forward<A>(a));
}

// ---- named elementwise functions: nodes, or values for plain tensors -------
// Every function of the table (core/operations.hpp).
#define DUET_TENSOR_UNARY(name, rule)                                    \
    template <class A>                                                   \
        requires tensor_node<A> || plain_tensor<A>                       \
    auto name(A&& a) {                                                   \
        return detail::apply_unary(rules::rule{}, std::forward<A>(a));   \
    }
DUET_FOR_EACH_UNARY_FUNCTION(DUET_TENSOR_UNARY)
#undef DUET_TENSOR_UNARY

#define DUET_TENSOR_BINARY(name, rule)                                                          \
    template <class A, class B>                                                                 \
        requires tensor_operand_pair<A, B> || detail::plain_operand_pair<A, B>                  \
    auto name(A&& a, B&& b) {                                                                   \
        return detail::apply_binary(rules::rule{}, #name, std::forward<A>(a), std::forward<B>(b)); \
    }
DUET_FOR_EACH_BINARY_FUNCTION(DUET_TENSOR_BINARY)
#undef DUET_TENSOR_BINARY

// x^y elementwise; an integer exponent uses the exact integer-power rule.
template <class A, class B>
    requires(tensor_operand_pair<A, B> || detail::plain_operand_pair<A, B>) &&
            (!std::integral<std::remove_cvref_t<B>>)
auto pow(A&& a, B&& b) {
    return detail::apply_binary(rules::pow_rule{}, "pow", std::forward<A>(a), std::forward<B>(b));
}
template <class A, std::integral N>
    requires tensor_node<A> || plain_tensor<A>
auto pow(A&& a, N n) {
    return detail::apply_unary(rules::pow_int_rule{static_cast<int>(n)}, std::forward<A>(a));
}

// ψ^(k)(x) elementwise, the k-th derivative of the digamma function, with the
// scalar rule (k = 0: digamma).
template <class A>
    requires tensor_node<A> || plain_tensor<A>
auto polygamma(int k, A&& a) {
    return detail::apply_unary(rules::polygamma_rule{k}, std::forward<A>(a));
}
template <class A>
    requires tensor_node<A> || plain_tensor<A>
auto digamma(A&& a) {
    return polygamma(0, std::forward<A>(a));
}

}  // namespace duet
