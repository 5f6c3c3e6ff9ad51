// The strong-zero rule, the one place it is written.
//
// Every derivative duet computes is a sum of chain-rule products: a partial
// times a tangent (forward) or an adjoint times a partial (reverse, within a
// statement's sweep and across the tape). In each such product a factor that
// is EXACTLY zero makes the product exactly zero, whatever the other factor
// is: +-inf (an overflow, or a one-sided limit such as sqrt'(0)) or NaN.
//
//   - a zero tangent or adjoint: the variable is not perturbed, or the
//     output does not depend on this path; an infinite partial on it must
//     not turn into NaN (sqrt at 0 on a lane that is not seeded);
//   - a zero partial: the operation is locally flat (tanh saturated after
//     an overflow, x * x at 0 under a sqrt); an infinite tangent or adjoint
//     arriving from elsewhere must not turn into NaN either.
//
// Because the rule is symmetric in the two factors, the order in which a
// mode associates a chain of products (forward from the inputs, reverse from
// the output) does not change the result: forward lanes equal reverse
// adjoints bit for bit. A NaN input still gives NaN wherever it arrives
// through a nonzero partial (its own partials are NaN).
#pragma once

#include <cstddef>
#include <type_traits>

#include "duet/core/inline.hpp"

namespace duet {

// Exactly zero in the value and, for nested numbers (anything with value()
// and tangents()), in every tangent lane: a dual with value 0 but a nonzero
// tangent still carries information, so "strong zero" must not drop it.
template <class T>
constexpr bool is_exact_zero(const T& x) {
    if constexpr (requires { x.value(); x.tangents(); }) {
        if (!is_exact_zero(x.value())) return false;
        for (const auto& t : x.tangents())
            if (!is_exact_zero(t)) return false;
        return true;
    } else if constexpr (requires { x.value(); }) {
        return is_exact_zero(x.value());  // a tape variable: its value
    } else {
        return x == T(0);
    }
}

namespace detail {
// Neither infinite nor NaN, in the value and every tangent.
template <class T>
constexpr bool is_finite_number(const T& x) {
    if constexpr (requires { x.value(); x.tangents(); }) {
        if (!is_finite_number(x.value())) return false;
        for (const auto& t : x.tangents())
            if (!is_finite_number(t)) return false;
        return true;
    } else {
        return x - x == T(0);  // false for inf and NaN
    }
}

// Finite and nonzero (a floating-point factor): a plain product with it
// already is what chain_product gives, whatever the other factor, so a loop
// may test this once per factor and multiply its lanes without a test.
template <class T>
DUET_INLINE constexpr bool is_finite_nonzero(const T& x) {
    return (x - x == T(0)) & (x != T(0));
}
}  // namespace detail

// a * b under the strong-zero rule (0 * inf and 0 * NaN give +0). Nested
// numbers apply the rule at every level (value and tangents are products of
// the lower level).
template <class T>
DUET_INLINE constexpr T chain_product(const T& a, const T& b) {
    if constexpr (requires { a.value(); a.tangents(); T(a.value(), a.tangents()); }) {
        using V = std::remove_cvref_t<decltype(a.value())>;
        auto tangents = a.tangents();
        for (std::size_t i = 0; i < tangents.size(); ++i)
            tangents[i] = V(chain_product(a.value(), b.tangents()[i]) + chain_product(a.tangents()[i], b.value()));
        return T(chain_product(a.value(), b.value()), tangents);
    } else if constexpr (std::is_floating_point_v<T>) {
        // The product itself unless it is NaN from a zero factor: results
        // that are not NaN are bit for bit the plain product's (-0 stays
        // -0), and the test compiles to a compare and a blend, no branch, so
        // closed forms still vectorise across calls.
        const T product = a * b;
        return (product != product) & ((a == T(0)) | (b == T(0))) ? T(0) : product;
    } else {
        if (is_exact_zero(a) || is_exact_zero(b)) return T(0);
        return T(a * b);
    }
}

// The tensor layer's form of the rule (doc/conventions.md): only the
// TANGENT side annihilates. A zero tangent gives +0 whatever the partial (so
// sqrt'(0) = inf on an element that is not perturbed stays out of the
// result); a zero partial multiplies plainly (0 * inf = NaN), as the BLAS
// products of that layer do, so that its forward and reverse modes agree
// element by element. Equal to chain_product whenever the partial is finite.
template <class T>
DUET_INLINE constexpr T tangent_product(const T& partial, const T& tangent) {
    return tangent == T(0) ? T(0) : T(partial * tangent);
}

// The same with the partial computed (partial()) only where the tangent is
// nonzero: a closed-form derivative is not evaluated for nothing.
template <class F, class T>
    requires std::is_invocable_r_v<T, F&>
DUET_INLINE constexpr T tangent_product(F&& partial, const T& tangent) {
    return tangent == T(0) ? T(0) : T(partial() * tangent);
}

// out[i] = tangent_product(partial[i], tangent[i]) for i < n: a compare and
// a blend per element, which vectorises.
template <class T>
DUET_INLINE void tangent_products(T* out, const T* partial, const T* tangent, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = tangent_product(partial[i], tangent[i]);
}

}  // namespace duet
