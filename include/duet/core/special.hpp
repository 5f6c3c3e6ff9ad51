// Special functions on plain doubles that <cmath> lacks: the polygamma family
// ψ^(k)(x) = d^k/dx^k ψ(x), ψ = digamma = d/dx ln Γ(x). Used by the derivative
// rules of lgamma, tgamma and polygamma itself (each derivative raises k by 1).
// This header stands alone: it includes nothing from duet.
//
// Values at awkward points (every k, 0 <= k <= max_polygamma_order):
//   NaN                          -> NaN
//   k < 0 or k > max order       -> NaN
//   x = +inf                     -> +inf for k = 0, 0 for k >= 1 (the limits)
//   x = -inf                     -> NaN (no limit: poles at every integer)
//   x a pole (0, -1, -2, ..., also -0.0; every x <= -2^52 is an integer):
//       odd k  -> +inf  (ψ^(k) ~ k!/(x+n)^(k+1) tends to +inf from both sides)
//       even k -> NaN   (k = 0 included: the one-sided limits have opposite
//                        signs, so there is no value to return)
//
// Method, for x > 0:
//   k >= 1: shift up with ψ^(k)(x) = ψ^(k)(x+1) + (-1)^(k+1) k!/x^(k+1) until
//     x >= X(k) = 12 + k, then the asymptotic (Stirling) series with
//     the Bernoulli numbers B_2..B_20. Every term has the sign (-1)^(k+1), so
//     nothing cancels and the relative error stays at a few ulp.
//   k = 0: for x >= 10 the asymptotic series. Below 10 the shifted sum would
//     cancel near the positive zero x0 = 1.4616... of ψ, so instead we write
//     ψ(x) = ψ(x) - ψ(x0) as t * (sum of positive terms) with t = x - x0
//     (x0 held as a double-double): the relative error stays small right up
//     to the zero.
// For x < 0 (non-integer), the reflection formula and its k-th derivative:
//     ψ^(k)(x) = (-1)^k ψ^(k)(1 - x) - π^(k+1) cot^(k)(πx),
// where cot^(k) is a polynomial in c = cot(πx) (same-sign coefficients in c²)
// and cot(πx) is computed after an exact reduction of x to [-1/2, 1/2].
// Cost: at most 12 + k shift terms plus O(k²) for the cot polynomial;
// independent of |x| (no recurrence over the distance to 0).
//
// Accuracy, measured against mpmath (35-60 digits) on random samples; the
// tests in test/core/special.cpp pin values and identities:
//   x > 0:  k = 0..4: max relative error 8.5e-16 over x in [1e-10, 1e6]
//           (25,000 points, dense at the zero x0 and at the switch points);
//           k <= 30: below 6e-15; k <= 100: below 2e-14.
//   x < 0, odd k: relative error below 1e-14 (ψ^(k) > 0 there, no zeros);
//           measured 6.5e-16 (k = 1) to 7e-15 (k = 29).
//   x < 0, even k (including ψ itself): the error is at most a few ulp
//           (measured <= 6.5) of max(|ψ^(k)(1-x)|, |π^(k+1) cot^(k)(πx)|).
//           That is a relative error below 1e-14 except close to the zeros
//           ψ^(k) has in every interval (-n-1, -n), where the two terms cancel
//           (for ψ: 10 of 3,000 random x in [-1e4, -1e-3] exceeded 1e-14).
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <numbers>

namespace duet::special {

// The largest derivative order polygamma accepts (it returns NaN beyond).
inline constexpr int max_polygamma_order = 100;

namespace detail {

inline constexpr double quiet_nan = std::numeric_limits<double>::quiet_NaN();
inline constexpr double infinity = std::numeric_limits<double>::infinity();

// B_2, B_4, ..., B_20: the asymptotic series needs ten terms.
inline constexpr int bernoulli_terms = 10;
inline constexpr std::array<double, bernoulli_terms> bernoulli_even = {
    1.0 / 6,      -1.0 / 30,       1.0 / 42,         -1.0 / 30,     5.0 / 66,
    -691.0 / 2730, 7.0 / 6,        -3617.0 / 510,    43867.0 / 798, -174611.0 / 330};

// The positive zero of ψ as a double-double: x0 = hi + lo to ~32 digits.
inline constexpr double digamma_root_hi = 1.4616321449683622;
inline constexpr double digamma_root_lo = 9.549995429965697e-17;

// The digamma asymptotic series is used at and above this argument.
inline constexpr int digamma_asymptotic_start = 10;

// 1/(x0 + i) for i = 0..10; the shift terms of the root-anchored digamma.
inline constexpr std::array<double, digamma_asymptotic_start + 1> inverse_root_plus = [] {
    std::array<double, digamma_asymptotic_start + 1> table{};
    for (int i = 0; i <= digamma_asymptotic_start; ++i) table[i] = 1.0 / (digamma_root_hi + i);
    return table;
}();

// Where the asymptotic series of ψ^(k), k >= 1, is accurate to < 1e-17
// relative with ten Bernoulli terms: the first omitted term,
// C(21+k, k-1) |B_22| / y^22, is below 1e-17 from y = 9 + k (k = 1) to
// y = 108 (k = 100). The coefficients grow with k, so the start does too.
constexpr double polygamma_asymptotic_start(int k) { return 12.0 + k; }

// base^n for n >= 0 by repeated squaring (about log2(n) roundings).
constexpr double integer_power(double base, int n) {
    double result = 1.0;
    while (n > 0) {
        if (n & 1) result *= base;
        base *= base;
        n >>= 1;
    }
    return result;
}

constexpr double factorial(int n) {
    double result = 1.0;
    for (int i = 2; i <= n; ++i) result *= i;
    return result;
}

// ψ(x) for x >= 10 (first omitted term |B_22|/(22 y^22) < 3e-20 there):
//   ln x - 1/(2x) - Σ B_2n / (2n x^2n).
inline double digamma_asymptotic(double x) {
    const double inverse = 1.0 / x;
    const double w = inverse * inverse;
    double series = 0.0;  // Horner, smallest term first
    for (int n = bernoulli_terms; n >= 1; --n)
        series = (series + bernoulli_even[n - 1] / (2 * n)) * w;
    return std::log(x) - (0.5 * inverse + series);
}

// ψ(x) for 0 < x < 10, anchored at the zero x0 of ψ. With t = x - x0,
// m = 10, y = x + m, y0 = x0 + m, u = 1/y, u0 = 1/y0:
//   ψ(x) - ψ(x0) = Σ_{i<m} t / ((x+i)(x0+i)) + [ψ(y) - ψ(y0)],
//   ψ(y) - ψ(y0) = log1p(t u0) + t u u0 (1/2 + Σ_n B_2n/(2n) S_2n),
//   S_p = (u^p - u0^p) / (u - u0) = Σ_{j<p} u^j u0^(p-1-j)  (S_1 = 1,
//   S_{p+1} = u S_p + u0^p).
// Every term carries the factor t times something positive, so there is no
// cancellation and the relative error is a few ulp even as x -> x0.
inline double digamma_below_asymptotic(double x) {
    // x - hi is exact for x in [x0/2, 2 x0] (Sterbenz), where t can be small.
    const double t = (x - digamma_root_hi) - digamma_root_lo;
    double shift_sum = 0.0;  // smallest terms first
    for (int i = digamma_asymptotic_start - 1; i >= 0; --i)
        shift_sum += inverse_root_plus[i] / (x + i);

    const double u = 1.0 / (x + digamma_asymptotic_start);
    const double u0 = inverse_root_plus[digamma_asymptotic_start];
    double s = 1.0;         // S_p, starting at p = 1
    double u0_power = u0;   // u0^p
    double bernoulli_sum = 0.0;
    for (int p = 1; p < 2 * bernoulli_terms; ++p) {
        s = u * s + u0_power;  // now S_{p+1}
        u0_power *= u0;
        if ((p + 1) % 2 == 0) {
            const int n = (p + 1) / 2;
            bernoulli_sum += bernoulli_even[n - 1] / (2 * n) * s;
        }
    }
    const double asymptotic_difference_over_t = u * u0 * (0.5 + bernoulli_sum);
    return t * (shift_sum + asymptotic_difference_over_t) + std::log1p(t * u0);
}

inline double digamma_positive(double x) {
    return x >= digamma_asymptotic_start ? digamma_asymptotic(x) : digamma_below_asymptotic(x);
}

// |ψ^(k)(y)| for k >= 1 and y >= polygamma_asymptotic_start(k):
//   (k-1)! / y^k * [1 + k/(2y) + Σ_n C(2n+k-1, k-1) B_2n / y^2n].
inline double polygamma_asymptotic_magnitude(int k, double y) {
    const double inverse = 1.0 / y;
    const double w = inverse * inverse;
    std::array<double, bernoulli_terms> coefficient{};
    double binomial = 1.0;  // C(2n+k-1, k-1), starting at n = 0
    for (int n = 1; n <= bernoulli_terms; ++n) {
        binomial *= double(2 * n + k - 2) * double(2 * n + k - 1) / (double(2 * n - 1) * (2 * n));
        coefficient[n - 1] = binomial * bernoulli_even[n - 1];
    }
    double series = 0.0;
    for (int n = bernoulli_terms; n >= 1; --n) series = (series + coefficient[n - 1]) * w;
    const double bracket = 1.0 + (0.5 * k * inverse + series);
    return factorial(k - 1) * std::pow(y, -k) * bracket;
}

// ψ^(k)(x) for k >= 1, x > 0: shift up, then the asymptotic series.
inline double polygamma_positive(int k, double x) {
    const double start = polygamma_asymptotic_start(k);
    const int shifts = x >= start ? 0 : static_cast<int>(std::ceil(start - x));
    double magnitude = polygamma_asymptotic_magnitude(k, x + shifts);
    const double k_factorial = factorial(k);
    double shift_sum = 0.0;  // Σ 1/(x+i)^(k+1), smallest terms first
    for (int i = shifts - 1; i >= 0; --i) shift_sum += integer_power(1.0 / (x + i), k + 1);
    magnitude += k_factorial * shift_sum;
    return k % 2 == 1 ? magnitude : -magnitude;
}

// cot(πx) for non-integer x. x - round(x) is exact, so the reduction loses
// nothing; cos is taken as sin(π(1/2 - |r|)) so that it keeps its relative
// accuracy where it vanishes (x near a half-integer).
inline double cot_pi(double x) {
    const double r = x - std::round(x);  // in [-1/2, 1/2], non-zero
    const double a = std::abs(r);
    const double cot = std::sin(std::numbers::pi * (0.5 - a)) / std::sin(std::numbers::pi * a);
    return std::copysign(cot, r);
}

// d^k/dy^k cot(y) as a polynomial P_k in c = cot(y):
// P_0 = c, P_{k+1}(c) = -(1 + c²) P_k'(c). P_k has the parity of k+1 and, for
// each k, coefficients of one sign, so Horner in c² does not cancel.
inline double cot_derivative(int k, double c) {
    std::array<double, max_polygamma_order + 2> coefficient{};  // of c^j
    coefficient[1] = 1.0;
    for (int order = 0; order < k; ++order) {
        // P_order has degree order + 1 and only powers j of parity order + 1;
        // the new terms land on the other parity, so the update is in place.
        for (int j = (order + 1) % 2; j <= order + 1; j += 2) {
            const double derivative_term = j * coefficient[j];  // coefficient of c^(j-1) in P'
            coefficient[j] = 0.0;
            if (j >= 1) coefficient[j - 1] -= derivative_term;
            coefficient[j + 1] -= derivative_term;
        }
    }
    if (k == 0) return c;  // c² may overflow where c itself does not
    const double c_squared = c * c;
    const int lowest = (k + 1) % 2;  // the parity of the powers present
    double sum = coefficient[k + 1];
    for (int j = k - 1; j >= lowest; j -= 2) sum = sum * c_squared + coefficient[j];
    return lowest == 1 ? sum * c : sum;
}

}  // namespace detail

// ψ^(k)(x), the k-th derivative of the digamma function (k = 0: ψ itself).
// See the top of this header for poles, infinities and accuracy.
inline double polygamma(int k, double x) noexcept {
    if (k < 0 || k > max_polygamma_order || std::isnan(x)) return detail::quiet_nan;
    if (x == detail::infinity) return k == 0 ? detail::infinity : 0.0;
    if (x == -detail::infinity) return detail::quiet_nan;
    if (x <= 0 && x == std::floor(x)) return k % 2 == 1 ? detail::infinity : detail::quiet_nan;
    if (x > 0) return k == 0 ? detail::digamma_positive(x) : detail::polygamma_positive(k, x);

    // x < 0, not an integer: reflection. 1 - x > 1 takes the positive branch.
    const double reflected = k == 0 ? detail::digamma_positive(1.0 - x)
                                    : detail::polygamma_positive(k, 1.0 - x);
    const double sign = k % 2 == 0 ? 1.0 : -1.0;
    const double cot_term = detail::integer_power(std::numbers::pi, k + 1) *
                            detail::cot_derivative(k, detail::cot_pi(x));
    return sign * reflected - cot_term;
}

// ψ(x) = d/dx ln Γ(x).
inline double digamma(double x) noexcept { return polygamma(0, x); }
// ψ'(x).
inline double trigamma(double x) noexcept { return polygamma(1, x); }

}  // namespace duet::special
