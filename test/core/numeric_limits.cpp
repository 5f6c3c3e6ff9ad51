// std::numeric_limits for every duet number type (core/numeric_limits.hpp):
// the value type's limits, as constants (zero derivative), in every mode.
#include <limits>
#include <type_traits>
#include <vector>

#include "../support/cross_check.hpp"

namespace {

template <class N, class T>
void same_limits() {
    using L = std::numeric_limits<N>;
    using B = std::numeric_limits<T>;
    static_assert(L::is_specialized && L::is_signed && !L::is_integer && L::has_infinity);
    static_assert(L::digits == B::digits && L::max_exponent == B::max_exponent && L::radix == 2);
    CHECK(duet::value(L::infinity()) == B::infinity());
    CHECK(duet::value(L::max()) == B::max());
    CHECK(duet::value(L::lowest()) == B::lowest());
    CHECK(duet::value(L::min()) == B::min());
    CHECK(duet::value(L::epsilon()) == B::epsilon());
    CHECK(duet::value(L::denorm_min()) == B::denorm_min());
    CHECK(std::isnan(duet::value(L::quiet_NaN())));
}

// Generic code: a running maximum started at -infinity.
template <class T>
T max_element_of(const std::vector<T>& x) {
    T m = -std::numeric_limits<T>::infinity();
    for (auto& xi : x)
        if (xi > m) m = xi;
    return m;
}

// A closed form using epsilon and max() as constants.
template <class T>
auto safe_ratio(T a, T b) {
    return a / (b + std::numeric_limits<T>::epsilon()) + std::numeric_limits<T>::min() * a;
}

}  // namespace

TEST_CASE("numeric_limits of every number type equals the value type's", "[numeric_limits]") {
    same_limits<duet::dual<double>, double>();
    same_limits<duet::dual<float, 3>, float>();
    same_limits<duet::dual<long double>, long double>();
    same_limits<duet::static_var<double>, double>();
    {
        duet::tape<double> tape;
        same_limits<duet::var<double>, double>();
    }
    // Nested: the limits of the innermost type, in the value.
    CHECK(duet::value(duet::value(std::numeric_limits<duet::dual<duet::dual<double>>>::infinity())) ==
          std::numeric_limits<double>::infinity());
    constexpr auto eps = std::numeric_limits<duet::dual<double>>::epsilon();
    static_assert(eps.value() == std::numeric_limits<double>::epsilon() && eps.tangent() == 0);
}

TEST_CASE("a running maximum from -infinity: right value and gradient in every mode", "[numeric_limits]") {
    const std::vector<double> x{-3.0, -1.0, -2.0};
    for (auto mode : {0, 1}) {
        const auto [v, g] = mode == 0
            ? duet::value_and_gradient(duet::forward, [](const auto& v) { return max_element_of(v); }, x)
            : duet::value_and_gradient(duet::reverse, [](const auto& v) { return max_element_of(v); }, x);
        INFO("mode " << mode);
        CHECK(v == -1.0);
        CHECK(g == std::vector<double>{0.0, 1.0, 0.0});
    }
}

TEST_CASE("limits as constants in a closed form: static reverse = forward", "[numeric_limits]") {
    auto f = [](auto a, auto b) { return safe_ratio(a, b); };
    const auto gr = duet::gradient(duet::reverse, f, 1.5, 0.5);
    const auto gf = duet::gradient(duet::forward, f, 1.5, 0.5);
    const double e = std::numeric_limits<double>::epsilon();
    CHECK(gr[0] == gf[0]);
    CHECK(gr[1] == gf[1]);
    CHECK(gr[0] == Approx(1 / (0.5 + e) + std::numeric_limits<double>::min()).epsilon(1e-15));
    CHECK(gr[1] == Approx(-1.5 / ((0.5 + e) * (0.5 + e))).epsilon(1e-15));
}
