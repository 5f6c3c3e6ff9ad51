// The vectorised loops of tensor/simd.hpp (xsimd when it is installed and
// DUET_USE_XSIMD is not 0; plain loops otherwise): exp, log and tanh values
// against <cmath> (ulps, special values, float and double, every position of
// a batch), and the gradients of log_sum_exp, log(sum(exp(x))), softmax,
// a normal log density and sum(tanh(x)) against duet's scalar modes (which
// call <cmath>), an explicit softmax and central differences, at lengths
// that are not multiples of the batch size, with NaN and infinite inputs.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "support.hpp"

using namespace duet_test;

namespace {

const std::size_t lengths[] = {1, 3, 5, 17, 1023};

// Distance in units in the last place between two finite numbers of one sign
// convention (ordered integer representation).
template <class T>
double ulps(T a, T b) {
    using I = std::conditional_t<sizeof(T) == 8, std::int64_t, std::int32_t>;
    I ia, ib;
    std::memcpy(&ia, &a, sizeof(T));
    std::memcpy(&ib, &b, sizeof(T));
    if (ia < 0) ia = std::numeric_limits<I>::min() - ia;
    if (ib < 0) ib = std::numeric_limits<I>::min() - ib;
    using U = std::make_unsigned_t<I>;  // the difference, exact (modulo 2^bits)
    return static_cast<double>(ia > ib ? U(U(ia) - U(ib)) : U(U(ib) - U(ia)));
}

// Same class (NaN, equal infinities, equal zeros up to sign) or within
// max_ulps; a subnormal result (precision lost by definition) within
// 2 * max_ulps of the smallest subnormal.
template <class T>
bool close(T got, T want, double max_ulps) {
    if (std::isnan(want)) return std::isnan(got);
    if (std::isinf(want) || std::isinf(got)) return got == want;
    if (want == 0 || got == 0) return std::abs(got - want) <= 2 * max_ulps * std::numeric_limits<T>::denorm_min();
    return ulps(got, want) <= max_ulps;
}

// The vectorised value of Rule over xs (as the tensor layer computes it).
template <class Rule, class T>
std::vector<T> mapped(const std::vector<T>& xs) {
    std::vector<T> ys(xs.size());
    duet::detail::simd::rule_values(Rule{}, xs.size(), ys.data(), xs.data());
    return ys;
}

template <class T>
std::vector<T> arguments(T lo, T hi, std::size_t n) {
    std::vector<T> xs(n);
    for (std::size_t i = 0; i < n; ++i) xs[i] = lo + (hi - lo) * static_cast<T>(i) / static_cast<T>(n - 1);
    return xs;
}

template <class Rule, class T, class Std>
void check_against_cmath(const std::vector<T>& xs, Std std_f, double max_ulps) {
    const auto ys = mapped<Rule>(xs);
    double worst = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const T want = std_f(xs[i]);
        INFO("x = " << xs[i] << ": " << show(double(ys[i]), double(want)));
        REQUIRE(close(ys[i], want, max_ulps));
        if (std::isfinite(want) && want != 0) worst = std::max(worst, ulps(ys[i], want));
    }
    // The same values one at a time (the padded tail batch): an element's
    // result does not depend on its position or on the length.
    for (std::size_t i = 0; i < xs.size(); i += 7) {
        const std::vector<T> one{xs[i]};
        CHECK(identical(double(mapped<Rule>(one)[0]), double(ys[i])));
    }
    UNSCOPED_INFO("worst ulps " << worst);
}

template <class T>
void check_values() {
    using duet::rules::exp_rule;
    using duet::rules::log_rule;
    using duet::rules::tanh_rule;
    constexpr T inf = std::numeric_limits<T>::infinity();
    constexpr T nan = std::numeric_limits<T>::quiet_NaN();
    constexpr T tiny = std::numeric_limits<T>::denorm_min();
    constexpr T min_normal = std::numeric_limits<T>::min();
    const T big = std::log(std::numeric_limits<T>::max());  // exp overflows just above

    // exp: the whole finite range, up to overflow and down into the subnormals
    auto xs = arguments<T>(-big - 30, big, 20001);
    for (T x : {T(0), T(-0.0), T(1), T(-1), big, big + 1, T(-big - 40), T(1000), T(-1000), inf, -inf, nan,
                tiny, -tiny, T(1e-20), T(-1e-20), std::nextafter(big, T(0)), T(big - T(0.3)), T(big - T(0.5)),
                min_normal, T(std::log(min_normal)), T(std::log(min_normal) - 1), T(std::log(min_normal) + 1)})
        xs.push_back(x);
    check_against_cmath<exp_rule>(xs, [](T x) { return std::exp(x); }, 2);

    // log: from the subnormals to the largest number, and the special arguments
    std::vector<T> ls;
    for (T x = tiny; x < std::numeric_limits<T>::max() / 4; x = std::max(x * T(1.37), std::nextafter(x, inf)))
        ls.push_back(x);
    for (T x : arguments<T>(T(0.5), T(2), 4001)) ls.push_back(x);
    for (T x : {T(0), T(-0.0), T(1), T(-1), -tiny, min_normal, inf, -inf, nan, std::numeric_limits<T>::max()})
        ls.push_back(x);
    check_against_cmath<log_rule>(ls, [](T x) { return std::log(x); }, 2);

    // tanh: through the region where it saturates
    auto ts = arguments<T>(T(-25), T(25), 20001);
    for (T x : {T(0), T(-0.0), tiny, -tiny, T(1e-10), inf, -inf, nan, T(400), T(-400)}) ts.push_back(x);
    check_against_cmath<tanh_rule>(ts, [](T x) { return std::tanh(x); }, 4);
}

}  // namespace

TEST_CASE("simd: exp, log and tanh values within a few ulp of <cmath>, special values kept", "[simd]") {
    INFO("DUET_USE_XSIMD = " << DUET_USE_XSIMD);
    SECTION("double") { check_values<double>(); }
    SECTION("float") { check_values<float>(); }
}

TEST_CASE("simd: map_sum and max_or_nan at every length and position", "[simd]") {
    using duet::detail::simd::map_sum;
    using duet::detail::simd::max_or_nan;
    for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}, std::size_t{8},
                          std::size_t{9}, std::size_t{17}, std::size_t{1023}}) {
        INFO("n = " << n);
        std::vector<double> a(n);
        for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<double>((i * 7919) % 1000) / 8.0;  // exact sums
        double s = 0, m = a[0];
        for (double v : a) {
            s += v;
            m = std::max(m, v);
        }
        CHECK(map_sum<double>(n, [](const auto& x) { return x; }, duet::detail::simd::no_fallback{}, a.data()) == s);
        CHECK(max_or_nan(a.data(), n) == m);
        for (std::size_t p : {std::size_t{0}, n / 2, n - 1}) {  // the maximum anywhere
            auto b = a;
            b[p] = 1e6;
            CHECK(max_or_nan(b.data(), n) == 1e6);
            b[p] = std::numeric_limits<double>::quiet_NaN();  // a NaN anywhere
            CHECK(std::isnan(max_or_nan(b.data(), n)));
            CHECK(std::isnan(map_sum<double>(n, [](const auto& x) { return x; }, duet::detail::simd::no_fallback{}, b.data())));
        }
        std::vector<float> f(a.begin(), a.end());
        CHECK(map_sum<float>(n, [](const auto& x) { return x; }, duet::detail::simd::no_fallback{}, f.data()) == static_cast<float>(s));
    }
}

namespace {

// The functions twice: tensor code, and the same with loops for duet's
// scalar modes (std::exp / std::log on each element).
// (the inputs of the lse tests are small: no max shift needed in the loops)
const auto lse_tensor = [](const auto& x) { return duet::log_sum_exp(x); };
const auto naive_tensor = [](const auto& x) { return duet::log(duet::sum(duet::exp(x))); };
const auto lse_scalar = [](const auto& x) {
    using std::exp;
    using std::log;
    using D = std::remove_cvref_t<decltype(x[0])>;
    D s = 0.0;
    for (const auto& v : x) s += exp(v);
    return D(log(s));
};
constexpr double mu = -0.56, sigma = 1.37;
const auto normal_tensor = [](const auto& x) {
    return -0.5 * duet::sum(duet::square((x - mu) / sigma)) - 0.9189385332046727;
};
const auto normal_scalar = [](const auto& x) {
    using D = std::remove_cvref_t<decltype(x[0])>;
    D s = 0.0;
    for (const auto& v : x) {
        const auto z = (v - mu) / sigma;
        s += -0.5 * (z * z);
    }
    return s - 0.9189385332046727;
};
const auto tanh_tensor = [](const auto& x) { return duet::sum(duet::tanh(x) * duet::log(x + 3.0)); };
const auto tanh_scalar = [](const auto& x) {
    using std::log;
    using std::tanh;
    using D = std::remove_cvref_t<decltype(x[0])>;
    D s = 0.0;
    for (const auto& v : x) s += tanh(v) * log(v + 3.0);
    return s;
};

template <class TF, class SF>
void check_function(const char* name, TF tensor_f, SF scalar_f, double lo, double hi) {
    std::mt19937 rng(11);
    for (std::size_t n : lengths) {
        INFO(name << ", n = " << n);
        const auto x = random_tensor<1>(rng, {n}, lo, hi);
        const std::vector<double> flat(x.begin(), x.end());
        const auto rev = duet::value_and_gradient(duet::reverse, tensor_f, x);
        // the scalar path: <cmath> on each element
        CHECK(agree(rev.value, double(scalar_f(flat)), 1e-14));
        const std::vector<double> g(rev.gradient.begin(), rev.gradient.end());
        CHECK(all_agree(g, scalar_forward_gradient(scalar_f, flat), 1e-14));
        if (n <= 17) {  // forward mode: one tangent pass per input lane
            const auto fwd = duet::gradient(duet::forward, tensor_f, x);
            CHECK(all_agree(std::vector<double>(fwd.begin(), fwd.end()), g, 1e-14));
        }
        std::vector<std::size_t> probe;
        for (std::size_t i = 0; i < n; i += (n > 17 ? 97 : 1)) probe.push_back(i);
        probe.push_back(n - 1);
        for (std::size_t i : probe) {  // central differences
            auto xp = x, xm = x;
            const double h = 1e-6;
            xp(i) += h;
            xm(i) -= h;
            const double fd = (plain_value(tensor_f(xp)) - plain_value(tensor_f(xm))) / (2 * h);
            CHECK(agree(fd, g[i], 1e-6));
        }
    }
}

}  // namespace

TEST_CASE("simd: vectorised gradients agree with the scalar modes and central differences", "[simd]") {
    check_function("log_sum_exp", lse_tensor, lse_scalar, -3, 3);
    check_function("log(sum(exp(x)))", naive_tensor, lse_scalar, -3, 3);
    check_function("normal log density", normal_tensor, normal_scalar, -3, 3);
    check_function("sum(tanh(x) log(x + 3))", tanh_tensor, tanh_scalar, -2, 2);
}

// softmax_i = exp(a_i - lse) is only as accurate as its argument: a
// difference of size |a_i - m| carries |a_i - m| ε of rounding, which exp
// turns into as much relative error, whichever way it is computed
// (exp(a - lse) directly, as softmax does, or exp(a - m) / Σ exp(a - m), as
// log_sum_exp's gradient does from its kept exponentials; the direct form
// adds the rounding of lse itself, |lse| ε). So: within (spread + 8) ε of
// the softmax computed in long double, plus a few subnormal steps where it
// underflows.
bool softmax_close(double got, long double want, double spread) {
    const long double eps = std::numeric_limits<double>::epsilon();
    const long double tol = (spread + 8) * eps * want + 4 * std::numeric_limits<double>::denorm_min();
    return std::abs(static_cast<long double>(got) - want) <= tol;
}

TEST_CASE("simd: log_sum_exp gradient is the softmax", "[simd]") {
    std::mt19937 rng(5);
    for (std::size_t n : lengths) {
        INFO("n = " << n);
        const auto x = random_tensor<1>(rng, {n}, -700, 700);  // wide: exp(x - max) underflows for many
        const auto r = duet::value_and_gradient(duet::reverse, lse_tensor, x);
        double m = x(0);
        for (double v : x) m = std::max(m, v);
        long double s = 0;
        for (double v : x) s += std::exp(static_cast<long double>(v) - m);
        const long double lse = m + std::log(s);
        CHECK(agree(r.value, static_cast<double>(lse), 1e-15));
        double total = 0;
        const auto sm = duet::softmax(x);
        for (std::size_t i = 0; i < n; ++i) {
            const long double want = std::exp(static_cast<long double>(x(i)) - lse);
            INFO(i << ": " << show(r.gradient(i), static_cast<double>(want)));
            CHECK(softmax_close(r.gradient(i), want, std::abs(x(i) - m)));
            // softmax subtracts the rounded lse: |lse| ε more in its argument
            CHECK(softmax_close(sm(i), want, std::abs(x(i) - m) + std::abs(m)));
            total += r.gradient(i);
        }
        CHECK(agree(total, 1.0, 1e-13));
    }
}

TEST_CASE("simd: NaN and infinite inputs (every position of a batch)", "[simd]") {
    constexpr double inf = std::numeric_limits<double>::infinity();
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t n : lengths) {
        for (std::size_t p : {std::size_t{0}, n / 2, n - 1}) {
            INFO("n = " << n << ", special at " << p);
            auto x = tensor<1>::from_shape({n});
            for (std::size_t i = 0; i < n; ++i) x(i) = std::sin(static_cast<double>(i));

            x(p) = nan;  // NaN: value and every partial NaN
            auto r = duet::value_and_gradient(duet::reverse, lse_tensor, x);
            CHECK(std::isnan(r.value));
            for (double gi : r.gradient) CHECK(std::isnan(gi));
            auto e = duet::value_and_gradient(duet::reverse, naive_tensor, x);
            CHECK(std::isnan(e.value));
            CHECK(std::isnan(e.gradient(p)));

            x(p) = inf;  // +inf: value inf; partials exp(x_i - inf) = 0, NaN at the inf (inf - inf)
            r = duet::value_and_gradient(duet::reverse, lse_tensor, x);
            CHECK(r.value == inf);
            for (std::size_t i = 0; i < n; ++i) CHECK((i == p ? std::isnan(r.gradient(i)) : r.gradient(i) == 0));

            x(p) = -inf;  // -inf: contributes nothing, partial exactly 0 (n = 1: all -inf)
            r = duet::value_and_gradient(duet::reverse, lse_tensor, x);
            const std::vector<double> flat(x.begin(), x.end());
            if (n == 1) {
                CHECK(r.value == -inf);
            } else {
                CHECK(agree(r.value, double(lse_scalar(flat)), 1e-14));
                CHECK(r.gradient(p) == 0);
                const auto t = scalar_forward_gradient(lse_scalar, flat);
                for (std::size_t i = 0; i < n; ++i) CHECK(agree(r.gradient(i), t[i], 1e-14));
            }
            if (n > 1) {  // (n = 1: log 0 = -inf, partial 1/0 = inf, times exp' = 0: NaN)
                e = duet::value_and_gradient(duet::reverse, naive_tensor, x);
                CHECK(e.gradient(p) == 0);
            }

            // exp overflowing to inf in log(sum(exp(x))): the value is inf,
            // the partials exp(x_i) / inf = 0 except the overflowing one (inf / inf = NaN)
            x(p) = 800;
            e = duet::value_and_gradient(duet::reverse, naive_tensor, x);
            CHECK(e.value == inf);
            for (std::size_t i = 0; i < n; ++i) CHECK((i == p ? std::isnan(e.gradient(i)) : e.gradient(i) == 0));

            // log: log 0 = -inf with partial +inf; log of a negative number is NaN
            auto y = tensor<1>::from_shape({n});
            for (std::size_t i = 0; i < n; ++i) y(i) = 1.0 + static_cast<double>(i % 4);
            y(p) = 0;
            const auto logs = [](const auto& v) { return duet::sum(duet::log(v)); };
            auto l = duet::value_and_gradient(duet::reverse, logs, y);
            CHECK(l.value == -inf);
            CHECK(l.gradient(p) == inf);
            y(p) = -1;
            l = duet::value_and_gradient(duet::reverse, logs, y);
            CHECK(std::isnan(l.value));
            CHECK(l.gradient(p) == -1);  // 1/x stays finite; the value is NaN
        }
    }
}
