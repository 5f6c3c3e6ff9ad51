// Vectorised loops over contiguous storage for the tensor layer, with xsimd
// (the SIMD library of xtensor) when it is there; plain loops otherwise.
//
//   DUET_USE_XSIMD      1 when <xsimd/xsimd.hpp> can be included and the
//                       target has AVX2, else 0. Define it to 0
//                       (-DDUET_USE_XSIMD=0) to keep the scalar loops with
//                       xsimd installed, or to 1 to force xsimd (SSE2).
//                       Every translation unit of a program should see the
//                       same setting (the
//                       loops are inline functions: two settings are two
//                       definitions of one function, an ODR violation).
//   simd_rule<Rule>     true for the rules of core/rules.hpp whose value is
//                       evaluated on xsimd batches: exp, log, tanh. Their
//                       formulas are NOT copied here: the rule's own template
//                       is instantiated with T = xsimd::batch<double> (its
//                       `using std::exp; exp(x)` finds xsimd::exp by ADL).
//                       The derivatives stay scalar loops the compiler
//                       vectorises itself (exp' = y, log' = 1/x, tanh' =
//                       (1 - y)(1 + y) read the vectorised value y).
//   map(n, f, pred, out, in...) out[i] = f(in[i]...), i < n
//   map_sum(n, f, pred, in...)  Σ_i f(in[i]...)
//   rule_values(rule, n, out, in)  out[i] = rule.value(in[i])
//   max_or_nan(a, n)            the largest element, or a NaN of a if any
//                               (n >= 1)
// f is generic: called with batches of W = xsimd::batch<T>::size lanes and,
// without xsimd, with T. The last n % W elements go through one more batch,
// their inputs copied into a buffer padded with the last element, so an
// element's result never depends on its position or on n. `out` may be one
// of the inputs (in place), element for element. pred(in...) (generic too)
// picks the lanes recomputed with f on numbers, i.e. with <cmath>: where
// xsimd's function departs from glibc's (exp_out_of_range, log_below_normal),
// or no_fallback{}.
//
// Sums: map_sum adds W partial sums (lane k: elements k, k + W, ...) and
// then, in order, the tail; its rounding differs from the sequential sum's
// (an error bound of the same order, n ε Σ|x_i|). Without xsimd, W = 4.
//
// Accuracy (test/tensor/simd.cpp): xsimd's exp, log and tanh are within a
// few ulp of glibc's, and keep the special values (exp: ±inf, NaN, 0 below
// underflow; through the fallbacks below, glibc's results where xsimd's
// differ: exp's subnormal results and overflow edge, log of subnormals; log
// 0 = -inf, log x < 0 = NaN; tanh: ±1, ±0).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <type_traits>

#include "duet/core/rules.hpp"

#ifndef DUET_USE_XSIMD
// Only from AVX2 on: with SSE2 alone (x86-64 without -mavx2 / -march=native)
// xsimd 8.1's double exp is slower than glibc's (log_sum_exp gradient, n =
// 1024: 13.5 us against 8 us); with AVX2 6 us, with AVX-512 1.7 us.
// Known limit: below AVX-512DQ xsimd 8.1 converts double batches to int64
// element by element in C++ (inside exp), which is undefined behaviour for
// inf and NaN lanes (UBSan reports it; compiled code gives INT64_MIN and
// duet recomputes those lanes with std::exp, so results are right).
#if __has_include(<xsimd/xsimd.hpp>) && defined(__AVX2__)
#define DUET_USE_XSIMD 1
#else
#define DUET_USE_XSIMD 0
#endif
#endif

#if DUET_USE_XSIMD
// g++ 12's AVX-512 intrinsics (_mm512_undefined_pd behind xsimd's exp,
// nearbyint, ...) raise false -Wmaybe-uninitialized / -Wuninitialized
// warnings where they are inlined (GCC bug 105593, fixed in GCC 13), which
// -Werror turns into errors in the user's build. The warnings are reported
// at the intrinsics' lines, so they are silenced for the headers' text; if
// <immintrin.h> was included before this header, its text is not covered.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#include <xsimd/xsimd.hpp>
#pragma GCC diagnostic pop
#else
#include <xsimd/xsimd.hpp>
#endif
#endif

namespace duet::detail::simd {

template <class Rule>
inline constexpr bool simd_rule = false;
#if DUET_USE_XSIMD
template <>
inline constexpr bool simd_rule<rules::exp_rule> = true;
template <>
inline constexpr bool simd_rule<rules::log_rule> = true;
template <>
inline constexpr bool simd_rule<rules::tanh_rule> = true;
#endif

// Lanes that a vectorised function leaves to <cmath>: a predicate on the
// inputs, generic like f (a bool for numbers, a batch_bool for batches).
// no_fallback: none.
struct no_fallback {};

// xsimd's exp gives 0 where the result is subnormal (double: x < -708.4,
// float: x < -87.3), glibc's the subnormal; and it overflows to inf a little
// early (double: x > 709.43 instead of 709.78; float: x > 88.376 instead of
// 88.72). Arguments outside [(min_exponent - 1) ln 2 + 1, max_exponent ln 2
// - 1] are recomputed with std::exp (one compare per batch otherwise);
// inside, xsimd's exp is within 2 ulp of glibc's (test/tensor/simd.cpp).
template <class T>
inline constexpr T exp_vector_low = T((std::numeric_limits<T>::min_exponent - 1) * std::numbers::ln2_v<T> + 1);
template <class T>
inline constexpr T exp_vector_high = T(std::numeric_limits<T>::max_exponent * std::numbers::ln2_v<T> - 1);
template <class T>
struct exp_out_of_range {  // pred(x): the argument of exp is x
    template <class X>
    auto operator()(const X& x) const {
        return (x < X(exp_vector_low<T>)) || (x > X(exp_vector_high<T>));
    }
};

// xsimd's log does not scale subnormal arguments (log(4.9e-324) = -746.5
// instead of -744.4): arguments below the smallest normal number (0 and
// negative ones too) are left to std::log.
template <class T>
struct log_below_normal {
    template <class X>
    auto operator()(const X& x) const { return x < X(std::numeric_limits<T>::min()); }
};

template <class Rule, class T>
struct fallback_of {
    using type = no_fallback;
};
template <class T>
struct fallback_of<rules::exp_rule, T> {
    using type = exp_out_of_range<T>;
};
template <class T>
struct fallback_of<rules::log_rule, T> {
    using type = log_below_normal<T>;
};

#if DUET_USE_XSIMD
template <class T>
using batch = xsimd::batch<T>;
template <class T>
inline constexpr std::size_t alignment = batch<T>::arch_type::alignment();

// The batch of in[i .. i + W), or of in[i .. n) padded with in[n - 1].
template <class T>
batch<T> load_tail(const T* in, std::size_t i, std::size_t n) {
    alignas(alignment<T>) T buffer[batch<T>::size];
    for (std::size_t k = 0; k < batch<T>::size; ++k) buffer[k] = in[std::min(i + k, n - 1)];
    return batch<T>::load_aligned(buffer);
}

// f on the batches of in[i .. i + W) (padded past n), into buffer; the
// lanes that pred selects recomputed with f on numbers.
template <class T, class F, class Pred, class... In>
void batch_into(T* buffer, std::size_t i, std::size_t n, F& f, const Pred& pred, const In*... in) {
    constexpr std::size_t W = batch<T>::size;
    if (i + W <= n) {
        const auto y = batch<T>(f(batch<T>::load_unaligned(in + i)...));
        y.store_aligned(buffer);
        if constexpr (!std::is_same_v<Pred, no_fallback>) {
            if (xsimd::any(pred(batch<T>::load_unaligned(in + i)...)))
                for (std::size_t k = 0; k < W; ++k)
                    if (pred(in[i + k]...)) buffer[k] = f(in[i + k]...);
        }
    } else {
        batch<T>(f(load_tail(in, i, n)...)).store_aligned(buffer);
        if constexpr (!std::is_same_v<Pred, no_fallback>) {
            for (std::size_t k = 0; i + k < n; ++k)
                if (pred(in[i + k]...)) buffer[k] = f(in[i + k]...);
        }
    }
}
#endif

// out[i] = f(in[i]...), i < n.
template <class T, class F, class Pred, class... In>
void map(std::size_t n, F&& f, const Pred& pred, T* out, const In*... in) {
    std::size_t i = 0;
#if DUET_USE_XSIMD
    constexpr std::size_t W = batch<T>::size;
    alignas(alignment<T>) T buffer[W];
    for (; i + W <= n; i += W) {
        const auto y = batch<T>(f(batch<T>::load_unaligned(in + i)...));
        if constexpr (!std::is_same_v<Pred, no_fallback>) {
            if (xsimd::any(pred(batch<T>::load_unaligned(in + i)...))) {  // rare: the slow way
                batch_into(buffer, i, n, f, pred, in...);
                std::copy(buffer, buffer + W, out + i);
                continue;
            }
        }
        y.store_unaligned(out + i);
    }
    for (; i < n; i += W) {
        batch_into(buffer, i, n, f, pred, in...);
        std::copy(buffer, buffer + std::min(W, n - i), out + i);
    }
#else
    (void)pred;
    for (; i < n; ++i) out[i] = f(in[i]...);
#endif
}

// Σ_i f(in[i]...), i < n.
template <class T, class F, class Pred, class... In>
T map_sum(std::size_t n, F&& f, const Pred& pred, const In*... in) {
    T s = 0;
    std::size_t i = 0;
#if DUET_USE_XSIMD
    constexpr std::size_t W = batch<T>::size;
    alignas(alignment<T>) T buffer[W];
    if (n >= W) {
        batch<T> acc(T(0));
        for (; i + W <= n; i += W) {
            if constexpr (!std::is_same_v<Pred, no_fallback>) {
                if (xsimd::any(pred(batch<T>::load_unaligned(in + i)...))) {  // rare: the slow way
                    batch_into(buffer, i, n, f, pred, in...);
                    acc += batch<T>::load_aligned(buffer);
                    continue;
                }
            }
            acc += batch<T>(f(batch<T>::load_unaligned(in + i)...));
        }
        s = xsimd::hadd(acc);
    }
    if (i < n) {
        batch_into(buffer, i, n, f, pred, in...);
        for (std::size_t k = 0; k < n - i; ++k) s += buffer[k];
    }
#else
    (void)pred;
    // four partial sums, lane k: elements k, k + 4, ... (one chain of
    // dependent additions would cost an addition's latency per element)
    if (n >= 4) {
        T acc[4] = {T(0), T(0), T(0), T(0)};
        for (; i + 4 <= n; i += 4)
            for (std::size_t k = 0; k < 4; ++k) acc[k] += f(in[i + k]...);
        s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
    for (; i < n; ++i) s += f(in[i]...);
#endif
    return s;
}

// out[i] = rule.value(in[i]): the rule's own value on batches, for the rules
// of simd_rule (a plain loop for the others).
template <class Rule, class T>
void rule_values(const Rule& rule, std::size_t n, T* out, const T* in) {
    if constexpr (simd_rule<Rule>) {
        map(n, [&rule](const auto& x) { return rule.value(x); }, typename fallback_of<Rule, T>::type{}, out, in);
    } else {
        for (std::size_t i = 0; i < n; ++i) out[i] = rule.value(in[i]);
    }
}

template <class T>
T max_or_nan(const T* a, std::size_t n) {
    std::size_t i = 0;
    T m = a[0];
#if DUET_USE_XSIMD
    constexpr std::size_t W = batch<T>::size;
    if (n >= W) {
        batch<T> bm = batch<T>::load_unaligned(a);
        auto nan = xsimd::isnan(bm);
        for (i = W; i + W <= n; i += W) {
            const auto x = batch<T>::load_unaligned(a + i);
            nan = nan || xsimd::isnan(x);
            bm = xsimd::max(bm, x);
        }
        if (xsimd::any(nan)) {
            for (std::size_t k = 0; k < i; ++k)
                if (std::isnan(a[k])) return a[k];
        }
        alignas(alignment<T>) T lanes[W];
        bm.store_aligned(lanes);
        m = *std::max_element(lanes, lanes + W);
    }
#endif
    for (; i < n; ++i) {
        if (std::isnan(a[i])) return a[i];
        m = std::max(m, a[i]);
    }
    return m;
}

}  // namespace duet::detail::simd
