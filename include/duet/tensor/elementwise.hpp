// Elementwise tensor operations. They have NO derivative rules of their own:
// each applies a scalar rule of core/rules.hpp element by element
// (rule.value for values, rule.derivative / rule.left / rule.right for
// tangents and adjoints), so a tensor sigmoid and a scalar sigmoid cannot
// disagree.
//
// Operands have equal shapes, or one of them has rank 0 (a number, or a
// rank-0 tensor) and is broadcast; its adjoint is then the sum over the
// elements. Anything else throws std::invalid_argument naming both shapes.
//
// Zero tangents, as in duet::dual: an element whose incoming tangent is
// exactly zero contributes exactly zero, even where the local partial is
// infinite or NaN (sqrt at 0), so one input's tangent never pollutes
// another's. Adjoints multiply plainly, as the scalar sweep does
// (0 * inf = NaN), so forward and reverse agree element by element.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "duet/core/rules.hpp"
#include "duet/tensor/nodes.hpp"

namespace duet {
namespace detail {

template <std::size_t KA, std::size_t KB>
constexpr std::size_t broadcast_rank() {
    static_assert(KA == KB || KA == 0 || KB == 0,
                  "duet: an elementwise operation needs operands of equal shape, or a number "
                  "(rank 0) on one side");
    return KA > KB ? KA : KB;
}

// Element i of an operand of rank K inside a result of rank R (a rank-0
// operand is broadcast).
template <std::size_t K, std::size_t R>
inline double element(const tensor<K>& t, std::size_t i) {
    if constexpr (K == 0 && R != 0)
        return t.data()[0];
    else
        return t.data()[i];
}

inline void store(double& out, double c, bool accumulate) { out = accumulate ? out + c : c; }

}  // namespace detail

// y = rule(a), element by element.
template <class Rule>
struct elementwise_unary {
    template <std::size_t K>
    static constexpr std::size_t rank = K;

    [[no_unique_address]] Rule rule;

    template <std::size_t K>
    tensor<K> value(const tensor<K>& a) const {
        auto y = tensor<K>::from_shape(a.shape());
        const double* pa = a.data();
        double* py = y.data();
        for (std::size_t i = 0, n = a.size(); i < n; ++i) py[i] = rule.value(pa[i]);
        return y;
    }
    template <std::size_t K>
    tensor<K> tangent(const tensor<K>& a, const tensor<K>& y, const tensor<K>& da) const {
        auto t = tensor<K>::from_shape(a.shape());
        for (std::size_t i = 0, n = a.size(); i < n; ++i) {
            const double d = da.data()[i];
            t.data()[i] = d == 0 ? 0.0 : rule.derivative(a.data()[i], y.data()[i]) * d;
        }
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

// y = rule(a, b), element by element, with rank-0 broadcasting.
template <class Rule>
struct elementwise_binary {
    template <std::size_t KA, std::size_t KB>
    static constexpr std::size_t rank = detail::broadcast_rank<KA, KB>();

    [[no_unique_address]] Rule rule;
    const char* name;  // for error messages, e.g. "operator+"

    template <std::size_t KA, std::size_t KB>
    tensor<rank<KA, KB>> value(const tensor<KA>& a, const tensor<KB>& b) const {
        constexpr std::size_t R = rank<KA, KB>;
        if constexpr (KA == KB)
            if (!detail::same_shape(a.shape(), b.shape()))
                detail::throw_shape_mismatch(name, a.shape(), b.shape(), "differ");
        auto y = tensor<R>::from_shape(shape_of<R>(a, b));
        for (std::size_t i = 0, n = y.size(); i < n; ++i)
            y.data()[i] = rule.value(detail::element<KA, R>(a, i), detail::element<KB, R>(b, i));
        return y;
    }

    template <std::size_t KA, std::size_t KB, std::size_t R>
    tensor<R> tangent(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                      const tensor<KA>* da, const tensor<KB>* db) const {
        auto t = tensor<R>::from_shape(y.shape());
        for (std::size_t i = 0, n = y.size(); i < n; ++i) {
            const double ai = detail::element<KA, R>(a, i), bi = detail::element<KB, R>(b, i);
            double s = 0;
            if (da) {
                const double d = detail::element<KA, R>(*da, i);
                if (d != 0) s += rule.left(ai, bi, y.data()[i]) * d;
            }
            if (db) {
                const double d = detail::element<KB, R>(*db, i);
                if (d != 0) s += rule.right(ai, bi, y.data()[i]) * d;
            }
            t.data()[i] = s;
        }
        return t;
    }

    template <std::size_t KA, std::size_t KB, std::size_t R>
    void left_adjoint(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                      const tensor<R>& g, tensor<KA>& out, bool accumulate) const {
        adjoint_to<KA>(a, b, y, g, out, accumulate,
                       [this](double ai, double bi, double yi) { return rule.left(ai, bi, yi); });
    }
    template <std::size_t KA, std::size_t KB, std::size_t R>
    void right_adjoint(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                       const tensor<R>& g, tensor<KB>& out, bool accumulate) const {
        adjoint_to<KB>(a, b, y, g, out, accumulate,
                       [this](double ai, double bi, double yi) { return rule.right(ai, bi, yi); });
    }

private:
    template <std::size_t R, std::size_t KA, std::size_t KB>
    static auto shape_of(const tensor<KA>& a, const tensor<KB>& b) {
        if constexpr (KA == R)
            return a.shape();
        else
            return b.shape();
    }

    // The adjoint of the operand of rank KO: g times the partial, element by
    // element, summed when that operand was broadcast.
    template <std::size_t KO, std::size_t KA, std::size_t KB, std::size_t R, class Partial>
    static void adjoint_to(const tensor<KA>& a, const tensor<KB>& b, const tensor<R>& y,
                           const tensor<R>& g, tensor<KO>& out, bool accumulate,
                           const Partial& partial) {
        const std::size_t n = y.size();
        auto contribution = [&](std::size_t i) {
            return g.data()[i] *
                   partial(detail::element<KA, R>(a, i), detail::element<KB, R>(b, i), y.data()[i]);
        };
        if constexpr (KO == R) {
            for (std::size_t i = 0; i < n; ++i) detail::store(out.data()[i], contribution(i), accumulate);
        } else {  // a broadcast number: the sum of its uses
            double s = 0;
            for (std::size_t i = 0; i < n; ++i) s += contribution(i);
            detail::store(out.data()[0], s, accumulate);
        }
    }
};

namespace detail {

// Both operands plain (tensors or numbers), at least one a tensor.
template <class A, class B>
concept plain_operand_pair = (plain_tensor<A> && (plain_tensor<B> || plain_number<B>)) ||
                             (plain_number<A> && plain_tensor<B>);

template <class X>
decltype(auto) as_plain_operand(X&& x) {
    if constexpr (plain_number<X>)
        return tensor<0>(static_cast<double>(x));
    else if constexpr (is_tensor_constant_ref<std::remove_cvref_t<X>>::value)
        return as_plain_tensor(std::forward<X>(x));
    else
        return tensor<plain_rank<X>()>(std::forward<X>(x));
}

// An elementwise operation on tensor arguments: a node when one of them is a
// node, else the evaluated value (so generic code runs on plain xtensors).
template <class Rule, class A>
auto apply_unary(Rule rule, A&& a) {
    const elementwise_unary<Rule> op{rule};
    if constexpr (differentiable_node<A>)
        return make_tensor_unary(op, std::forward<A>(a));
    else
        return op.value(as_plain_tensor(std::forward<A>(a)));
}

template <class Rule, class A, class B>
auto apply_binary(Rule rule, const char* name, A&& a, B&& b) {
    const elementwise_binary<Rule> op{rule, name};
    if constexpr (differentiable_node<A> || differentiable_node<B>)
        return make_tensor_binary(op, std::forward<A>(a), std::forward<B>(b));
    else
        return op.value(as_plain_operand(std::forward<A>(a)), as_plain_operand(std::forward<B>(b)));
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

DUET_TENSOR_OPERATOR(+, add_rule)
DUET_TENSOR_OPERATOR(-, subtract_rule)
DUET_TENSOR_OPERATOR(*, multiply_rule)
DUET_TENSOR_OPERATOR(/, divide_rule)
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
#define DUET_TENSOR_UNARY(name, rule)                                    \
    template <class A>                                                   \
        requires tensor_node<A> || plain_tensor<A>                       \
    auto name(A&& a) {                                                   \
        return detail::apply_unary(rules::rule{}, std::forward<A>(a));   \
    }

DUET_TENSOR_UNARY(abs, abs_rule)
DUET_TENSOR_UNARY(fabs, abs_rule)
DUET_TENSOR_UNARY(square, square_rule)
DUET_TENSOR_UNARY(sqrt, sqrt_rule)
DUET_TENSOR_UNARY(cbrt, cbrt_rule)
DUET_TENSOR_UNARY(exp, exp_rule)
DUET_TENSOR_UNARY(exp2, exp2_rule)
DUET_TENSOR_UNARY(expm1, expm1_rule)
DUET_TENSOR_UNARY(log, log_rule)
DUET_TENSOR_UNARY(log2, log2_rule)
DUET_TENSOR_UNARY(log10, log10_rule)
DUET_TENSOR_UNARY(log1p, log1p_rule)
DUET_TENSOR_UNARY(sin, sin_rule)
DUET_TENSOR_UNARY(cos, cos_rule)
DUET_TENSOR_UNARY(tan, tan_rule)
DUET_TENSOR_UNARY(asin, asin_rule)
DUET_TENSOR_UNARY(acos, acos_rule)
DUET_TENSOR_UNARY(atan, atan_rule)
DUET_TENSOR_UNARY(sinh, sinh_rule)
DUET_TENSOR_UNARY(cosh, cosh_rule)
DUET_TENSOR_UNARY(tanh, tanh_rule)
DUET_TENSOR_UNARY(asinh, asinh_rule)
DUET_TENSOR_UNARY(acosh, acosh_rule)
DUET_TENSOR_UNARY(atanh, atanh_rule)
DUET_TENSOR_UNARY(erf, erf_rule)
DUET_TENSOR_UNARY(erfc, erfc_rule)
DUET_TENSOR_UNARY(tgamma, tgamma_rule)
DUET_TENSOR_UNARY(lgamma, lgamma_rule)
DUET_TENSOR_UNARY(relu, relu_rule)
DUET_TENSOR_UNARY(sigmoid, sigmoid_rule)
DUET_TENSOR_UNARY(softplus, softplus_rule)
#undef DUET_TENSOR_UNARY

#define DUET_TENSOR_BINARY(name, rule)                                                          \
    template <class A, class B>                                                                 \
        requires tensor_operand_pair<A, B> || detail::plain_operand_pair<A, B>                  \
    auto name(A&& a, B&& b) {                                                                   \
        return detail::apply_binary(rules::rule{}, #name, std::forward<A>(a), std::forward<B>(b)); \
    }

DUET_TENSOR_BINARY(hypot, hypot_rule)
DUET_TENSOR_BINARY(atan2, atan2_rule)
DUET_TENSOR_BINARY(max, max_rule)
DUET_TENSOR_BINARY(min, min_rule)
DUET_TENSOR_BINARY(fmax, fmax_rule)
DUET_TENSOR_BINARY(fmin, fmin_rule)
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

}  // namespace duet
