// The derivative rules: every elementary operation's value and LOCAL partials,
// written once. Forward, static reverse, tape and nested modes all use these
// and nothing else.
//
// A unary rule has   value(x)            and derivative(x, y)     (y = value)
// a binary rule has  value(a, b)         and left(a, b, y), right(a, b, y)
// (partials w.r.t. a and b). Rules are generic in the number type T: for
// T = double they call <cmath>; for T = dual<...> the same text builds and
// evaluates expressions, which is how nested duals get second derivatives.
//
// Conventions at awkward points (doc/conventions.md explains each choice):
//   abs'(0) = 0; relu'(0) = 0; max/min/fmax/fmin tie: 1/2 to each side;
//   sqrt'(0) = cbrt'(0) = +inf; pow(0, y > 0): d/dx from y*0^(y-1), d/dy = 0;
//   pow(x, 0): d/dx = 0 (also at x = 0); hypot and atan2 at (0, 0): 0;
//   a NaN argument gives NaN partials (fmax/fmin ignore a NaN argument, as C).
#pragma once

#include <cmath>
#include <limits>
#include <numbers>

#include "duet/core/expression.hpp"
#include "duet/core/special.hpp"

namespace duet {

// Forward declarations of the generic special functions (defined in
// core/functions.hpp for expressions and below for doubles).
inline double polygamma(int k, double x) { return special::polygamma(k, x); }

namespace rules {

template <class T>
constexpr T nan_value() {
    return quiet_nan_of<T>::make();
}
template <class T>
constexpr T number(double c) {
    return T(static_cast<scalar_t<T>>(c));
}
// The sign of x as a partial: 1, -1, `at_zero` at 0, NaN for NaN.
template <class T>
constexpr T step_partial(const T& x, double positive, double at_zero, double negative) {
    if (x > 0) return number<T>(positive);
    if (x < 0) return number<T>(negative);
    if (x == 0) return number<T>(at_zero);
    return nan_value<T>();
}
// A partial chosen by the order of a and b (a > b, a == b, a < b); NaN if
// either is NaN.
template <class T>
constexpr T order_partial(const T& a, const T& b, double greater, double equal, double less) {
    if (a > b) return number<T>(greater);
    if (a < b) return number<T>(less);
    if (a == b) return number<T>(equal);
    return nan_value<T>();
}

// ---- arithmetic -----------------------------------------------------------
struct add_rule {
    template <class T> static constexpr T value(const T& a, const T& b) { return T(a + b); }
    template <class T> static constexpr T left(const T&, const T&, const T&) { return number<T>(1); }
    template <class T> static constexpr T right(const T&, const T&, const T&) { return number<T>(1); }
};
struct subtract_rule {
    template <class T> static constexpr T value(const T& a, const T& b) { return T(a - b); }
    template <class T> static constexpr T left(const T&, const T&, const T&) { return number<T>(1); }
    template <class T> static constexpr T right(const T&, const T&, const T&) { return number<T>(-1); }
};
struct multiply_rule {
    template <class T> static constexpr T value(const T& a, const T& b) { return T(a * b); }
    template <class T> static constexpr T left(const T&, const T& b, const T&) { return b; }
    template <class T> static constexpr T right(const T& a, const T&, const T&) { return a; }
};
struct divide_rule {
    template <class T> static constexpr T value(const T& a, const T& b) { return T(a / b); }
    template <class T> static constexpr T left(const T&, const T& b, const T&) { return T(1 / b); }
    // -y * (1 / b) rather than -y / b: one division serves both partials.
    template <class T> static constexpr T right(const T&, const T& b, const T& y) { return T(-y * T(1 / b)); }
};
struct negate_rule {
    template <class T> static constexpr T value(const T& x) { return T(-x); }
    template <class T> static constexpr T derivative(const T&, const T&) { return number<T>(-1); }
};

// ---- powers and roots -----------------------------------------------------
struct square_rule {
    template <class T> static T value(const T& x) { return T(x * x); }
    template <class T> static T derivative(const T& x, const T&) { return T(2 * x); }
};
struct sqrt_rule {
    template <class T> static T value(const T& x) { using std::sqrt; return T(sqrt(x)); }
    // 0.5 / sqrt(x): +inf at 0 (one-sided limit), NaN below 0.
    template <class T> static T derivative(const T&, const T& y) { return T(0.5 / y); }
};
struct cbrt_rule {
    template <class T> static T value(const T& x) { using std::cbrt; return T(cbrt(x)); }
    template <class T> static T derivative(const T&, const T& y) { return T(1 / (3 * y * y)); }
};
// x^y with both operands variable (or either one constant).
struct pow_rule {
    template <class T> static T value(const T& a, const T& b) { using std::pow; return T(pow(a, b)); }
    template <class T> static T left(const T& a, const T& b, const T&) {
        using std::pow;
        if (b == 0) return number<T>(0);  // pow(x, 0) = 1 everywhere
        return T(b * pow(a, T(b - 1)));
    }
    template <class T> static T right(const T& a, const T& b, const T& y) {
        using std::log;
        if (a == 0 && b > 0) return number<T>(0);  // 0^y = 0 for all y > 0
        return T(y * log(a));
    }
};
// x^n for an integer n.
struct pow_int_rule {
    int n;
    template <class T> T value(const T& x) const { using std::pow; return T(pow(x, n)); }
    template <class T> T derivative(const T& x, const T&) const {
        using std::pow;
        if (n == 0) return number<T>(0);
        return T(n * pow(x, n - 1));
    }
};
struct hypot_rule {
    template <class T> static T value(const T& a, const T& b) { using std::hypot; return T(hypot(a, b)); }
    template <class T> static T left(const T& a, const T&, const T& y) {
        return y == 0 ? number<T>(0) : T(a / y);
    }
    template <class T> static T right(const T&, const T& b, const T& y) {
        return y == 0 ? number<T>(0) : T(b / y);
    }
};

// ---- exponentials and logarithms ------------------------------------------
struct exp_rule {
    template <class T> static T value(const T& x) { using std::exp; return T(exp(x)); }
    template <class T> static T derivative(const T&, const T& y) { return y; }
};
struct exp2_rule {
    template <class T> static T value(const T& x) { using std::exp2; return T(exp2(x)); }
    template <class T> static T derivative(const T&, const T& y) {
        return T(y * number<T>(std::numbers::ln2));
    }
};
struct expm1_rule {
    template <class T> static T value(const T& x) { using std::expm1; return T(expm1(x)); }
    template <class T> static T derivative(const T&, const T& y) { return T(y + 1); }
};
struct log_rule {
    template <class T> static T value(const T& x) { using std::log; return T(log(x)); }
    template <class T> static T derivative(const T& x, const T&) { return T(1 / x); }
};
struct log2_rule {
    template <class T> static T value(const T& x) { using std::log2; return T(log2(x)); }
    template <class T> static T derivative(const T& x, const T&) {
        return T(1 / (x * number<T>(std::numbers::ln2)));
    }
};
struct log10_rule {
    template <class T> static T value(const T& x) { using std::log10; return T(log10(x)); }
    template <class T> static T derivative(const T& x, const T&) {
        return T(1 / (x * number<T>(std::numbers::ln10)));
    }
};
struct log1p_rule {
    template <class T> static T value(const T& x) { using std::log1p; return T(log1p(x)); }
    template <class T> static T derivative(const T& x, const T&) { return T(1 / (1 + x)); }
};

// ---- trigonometric --------------------------------------------------------
struct sin_rule {
    template <class T> static T value(const T& x) { using std::sin; return T(sin(x)); }
    template <class T> static T derivative(const T& x, const T&) { using std::cos; return T(cos(x)); }
};
struct cos_rule {
    template <class T> static T value(const T& x) { using std::cos; return T(cos(x)); }
    template <class T> static T derivative(const T& x, const T&) { using std::sin; return T(-sin(x)); }
};
struct tan_rule {
    template <class T> static T value(const T& x) { using std::tan; return T(tan(x)); }
    template <class T> static T derivative(const T&, const T& y) { return T(1 + y * y); }
};
struct asin_rule {
    template <class T> static T value(const T& x) { using std::asin; return T(asin(x)); }
    template <class T> static T derivative(const T& x, const T&) {
        using std::sqrt;
        return T(1 / sqrt(T((1 - x) * (1 + x))));
    }
};
struct acos_rule {
    template <class T> static T value(const T& x) { using std::acos; return T(acos(x)); }
    template <class T> static T derivative(const T& x, const T&) {
        using std::sqrt;
        return T(-1 / sqrt(T((1 - x) * (1 + x))));
    }
};
struct atan_rule {
    template <class T> static T value(const T& x) { using std::atan; return T(atan(x)); }
    template <class T> static T derivative(const T& x, const T&) { return T(1 / (1 + x * x)); }
};
// atan2(a, b) = the angle of the point (b, a).
struct atan2_rule {
    template <class T> static T value(const T& a, const T& b) { using std::atan2; return T(atan2(a, b)); }
    template <class T> static T left(const T& a, const T& b, const T&) {
        T r2 = T(a * a + b * b);
        return r2 == 0 ? number<T>(0) : T(b / r2);
    }
    template <class T> static T right(const T& a, const T& b, const T&) {
        T r2 = T(a * a + b * b);
        return r2 == 0 ? number<T>(0) : T(-a / r2);
    }
};

// ---- hyperbolic -----------------------------------------------------------
struct sinh_rule {
    template <class T> static T value(const T& x) { using std::sinh; return T(sinh(x)); }
    template <class T> static T derivative(const T& x, const T&) { using std::cosh; return T(cosh(x)); }
};
struct cosh_rule {
    template <class T> static T value(const T& x) { using std::cosh; return T(cosh(x)); }
    template <class T> static T derivative(const T& x, const T&) { using std::sinh; return T(sinh(x)); }
};
struct tanh_rule {
    template <class T> static T value(const T& x) { using std::tanh; return T(tanh(x)); }
    template <class T> static T derivative(const T&, const T& y) { return T((1 - y) * (1 + y)); }
};
struct asinh_rule {
    template <class T> static T value(const T& x) { using std::asinh; return T(asinh(x)); }
    template <class T> static T derivative(const T& x, const T&) {
        using std::hypot;
        return T(1 / hypot(x, number<T>(1)));
    }
};
struct acosh_rule {
    template <class T> static T value(const T& x) { using std::acosh; return T(acosh(x)); }
    template <class T> static T derivative(const T& x, const T&) {
        using std::sqrt;
        return T(1 / (sqrt(T(x - 1)) * sqrt(T(x + 1))));
    }
};
struct atanh_rule {
    template <class T> static T value(const T& x) { using std::atanh; return T(atanh(x)); }
    template <class T> static T derivative(const T& x, const T&) { return T(1 / ((1 - x) * (1 + x))); }
};

// ---- special functions ----------------------------------------------------
struct erf_rule {
    template <class T> static T value(const T& x) { using std::erf; return T(erf(x)); }
    template <class T> static T derivative(const T& x, const T&) {
        using std::exp;
        return T(number<T>(std::numbers::inv_sqrtpi * 2) * exp(T(-(x * x))));
    }
};
struct erfc_rule {
    template <class T> static T value(const T& x) { using std::erfc; return T(erfc(x)); }
    template <class T> static T derivative(const T& x, const T&) {
        using std::exp;
        return T(number<T>(-std::numbers::inv_sqrtpi * 2) * exp(T(-(x * x))));
    }
};
// The k-th derivative of the digamma function; its derivative is order k+1.
struct polygamma_rule {
    int k;
    template <class T> T value(const T& x) const { return T(polygamma(k, x)); }
    template <class T> T derivative(const T& x, const T&) const { return T(polygamma(k + 1, x)); }
};
struct lgamma_rule {
    template <class T> static T value(const T& x) { using std::lgamma; return T(lgamma(x)); }
    template <class T> static T derivative(const T& x, const T&) { return T(polygamma(0, x)); }
};
struct tgamma_rule {
    template <class T> static T value(const T& x) { using std::tgamma; return T(tgamma(x)); }
    template <class T> static T derivative(const T& x, const T& y) { return T(y * polygamma(0, x)); }
};

// ---- non-smooth -----------------------------------------------------------
struct abs_rule {
    template <class T> static T value(const T& x) { using std::abs; return T(abs(x)); }
    template <class T> static T derivative(const T& x, const T&) { return step_partial(x, 1, 0, -1); }
};
struct relu_rule {
    template <class T> static T value(const T& x) {
        if (x > 0) return x;
        if (x <= 0) return number<T>(0);
        return x;  // NaN
    }
    template <class T> static T derivative(const T& x, const T&) { return step_partial(x, 1, 0, 0); }
};
// max and min propagate NaN; a tie splits the adjoint evenly.
// A NaN argument gives NaN. For a nested number the NaN's tangents are what
// forward mode gives the derivative: NaN in the lanes where an argument is
// perturbed, 0 elsewhere (the strong-zero rule), not the NaN argument's own
// tangents (a numeric_limits constant has zero tangents).
template <class T>
constexpr T nan_through(const T& a, const T& b) {
    const T q = number<T>(std::numeric_limits<double>::quiet_NaN());
    return T(a * q + b * q);
}
struct max_rule {
    template <class T> static T value(const T& a, const T& b) {
        if (a != a || b != b) return nan_through(a, b);
        return a < b ? b : a;
    }
    template <class T> static T left(const T& a, const T& b, const T&) { return order_partial(a, b, 1, 0.5, 0); }
    template <class T> static T right(const T& a, const T& b, const T&) { return order_partial(b, a, 1, 0.5, 0); }
};
struct min_rule {
    template <class T> static T value(const T& a, const T& b) {
        if (a != a || b != b) return nan_through(a, b);
        return b < a ? b : a;
    }
    template <class T> static T left(const T& a, const T& b, const T&) { return order_partial(a, b, 0, 0.5, 1); }
    template <class T> static T right(const T& a, const T& b, const T&) { return order_partial(b, a, 0, 0.5, 1); }
};
// fmax and fmin follow C: a NaN argument is ignored, all of the adjoint goes
// to the other one.
struct fmax_rule {
    template <class T> static T value(const T& a, const T& b) {
        if (a != a) return b;
        if (b != b) return a;
        return max_rule::value(a, b);
    }
    template <class T> static T left(const T& a, const T& b, const T& y) {
        if (a != a) return b != b ? nan_value<T>() : number<T>(0);
        if (b != b) return number<T>(1);
        return max_rule::left(a, b, y);
    }
    template <class T> static T right(const T& a, const T& b, const T& y) { return left(b, a, y); }
};
struct fmin_rule {
    template <class T> static T value(const T& a, const T& b) {
        if (a != a) return b;
        if (b != b) return a;
        return min_rule::value(a, b);
    }
    template <class T> static T left(const T& a, const T& b, const T& y) {
        if (a != a) return b != b ? nan_value<T>() : number<T>(0);
        if (b != b) return number<T>(1);
        return min_rule::left(a, b, y);
    }
    template <class T> static T right(const T& a, const T& b, const T& y) { return left(b, a, y); }
};

// fmod(a, b) = a - trunc(a / b) * b: d/da = 1, d/db = -trunc(a / b) (the
// quotient is locally constant between its jumps).
struct fmod_rule {
    template <class T> static T value(const T& a, const T& b) { using std::fmod; return T(fmod(a, b)); }
    template <class T> static T left(const T&, const T&, const T&) { return number<T>(1); }
    template <class T> static T right(const T& a, const T& b, const T&) {
        using std::trunc;
        return T(-trunc(T(a / b)));
    }
};
// copysign(a, b) = |a| with the sign of b: d/da = sign(a) * sign(b), 0 at
// a = 0 (abs's convention); d/db = 0 (only b's sign bit is read).
struct copysign_rule {
    template <class T> static T value(const T& a, const T& b) { using std::copysign; return T(copysign(a, b)); }
    template <class T> static T left(const T& a, const T& b, const T&) {
        using std::signbit;
        return signbit(b) ? step_partial(a, -1, 0, 1) : step_partial(a, 1, 0, -1);
    }
    template <class T> static T right(const T&, const T&, const T&) { return number<T>(0); }
};

// ---- machine-learning staples ---------------------------------------------
struct sigmoid_rule {
    // Written so that exp never overflows.
    template <class T> static T value(const T& x) {
        using std::exp;
        if (x >= 0) return T(1 / (1 + exp(T(-x))));
        T e = T(exp(x));
        return T(e / (1 + e));
    }
    template <class T> static T derivative(const T&, const T& y) { return T(y * (1 - y)); }
};
struct softplus_rule {
    // log(1 + e^x) without overflow.
    template <class T> static T value(const T& x) {
        using std::exp;
        using std::log1p;
        if (x > 0) return T(x + log1p(exp(T(-x))));
        return T(log1p(exp(x)));
    }
    template <class T> static T derivative(const T& x, const T&) { return sigmoid_rule::value(x); }
};

}  // namespace rules
}  // namespace duet
