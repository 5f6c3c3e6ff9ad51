// tensor/fused_sum.hpp: sum(E) and mean(E) of an elementwise E evaluated
// element by element. Every result (value, reverse gradient, forward
// gradient, jvp) must be the unfused evaluation's, bit for bit; the unfused
// evaluation is the same expression under a reshape (sum(reshape(E, shape))
// is not fusable: reshape is not elementwise, and it copies exactly).
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "support.hpp"

using namespace duet_test;

namespace {

std::mt19937 rng(2026);

// Bit for bit; within 1e-14 (relative, at least absolute) when the compiler
// may contract a * b + c into one fused multiply-add (g++ does by default on
// a target with FMA, -march=native here): the fused evaluation inlines a
// whole element's expression, so products and sums the unfused evaluation
// stores and reloads can be contracted (one rounding fewer).
bool same_bits(double a, double b) {
#ifdef __FP_FAST_FMA
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    if (a == b) return true;
    return std::abs(a - b) <= 1e-14 * std::max({std::abs(a), std::abs(b), 1.0});
#else
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
#endif
}
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_bits(a[i], b[i])) return false;
    return true;
}

template <class V>
double as_number(const V& v) {
    if constexpr (std::is_arithmetic_v<V>)
        return v;
    else
        return v();
}

// The node type f builds from tensor variables of x's ranks.
template <class F, std::size_t... K>
using node_of = std::remove_cvref_t<decltype(std::declval<F&>()(duet::tensor_var<K, 0>{nullptr}...))>;

// fused(x...) and unfused(x...) are the same function; everything must agree
// bit for bit, and with central differences where x is finite and smooth.
template <bool Smooth = true, class Fused, class Unfused, std::size_t... K>
void check_same(Fused fused, Unfused unfused, const tensor<K>&... x) {
    const auto rf = duet::value_and_gradient(duet::reverse, fused, x...);
    const auto ru = duet::value_and_gradient(duet::reverse, unfused, x...);
    CHECK(same_bits(rf.value, ru.value));
    CHECK(same_bits(flat(rf.gradient), flat(ru.gradient)));
    const auto ff = duet::value_and_gradient(duet::forward, fused, x...);
    const auto fu = duet::value_and_gradient(duet::forward, unfused, x...);
    CHECK(same_bits(ff.value, fu.value));
    CHECK(same_bits(flat(ff.gradient), flat(fu.gradient)));
    // one tangent pass in a random direction
    const auto v = std::tuple{random_tensor<K>(rng, x.shape())...};
    if constexpr (sizeof...(K) == 1) {
        CHECK(same_bits(as_number(duet::jvp(fused, x..., std::get<0>(v))),
                        as_number(duet::jvp(unfused, x..., std::get<0>(v)))));
    } else {
        CHECK(same_bits(as_number(duet::jvp(fused, std::tuple{x...}, v)),
                        as_number(duet::jvp(unfused, std::tuple{x...}, v))));
    }
    // and the modes agree with each other and with the plain value
    CHECK(agree(rf.value, plain_value(fused(x...)), 1e-14));
    const auto g = flat(rf.gradient);
    bool finite = true;
    for (double e : flatten_all(x...)) finite = finite && std::isfinite(e);
    if (Smooth && finite) {
        CHECK(all_agree(flat(ff.gradient), g, 1e-13));
        CHECK(all_agree(central_differences(fused, x...), g, 1e-6));
    }
}

constexpr double mu = -0.56, sigma = 1.37;

}  // namespace

TEST_CASE("fusable sums are recognised at compile time", "[tensor][fused_sum]") {
    using duet::detail::is_fusable_sum;
    auto normal = [](const auto& x) { return duet::sum(duet::square((x - mu) / sigma)); };
    STATIC_REQUIRE(is_fusable_sum<node_of<decltype(normal), 1>>::value);
    auto two = [](const auto& x) { return duet::mean(x * x + duet::sqrt(x)); };
    STATIC_REQUIRE(is_fusable_sum<node_of<decltype(two), 2>>::value);
    // exp with vectorised values (DUET_USE_XSIMD) is a leaf of the fused part
    auto with_exp = [](const auto& x) { return duet::sum(duet::exp(x) * 2.0); };
    STATIC_REQUIRE(is_fusable_sum<node_of<decltype(with_exp), 1>>::value);
    // not fused: a leaf alone, exp alone where vectorised, a reshape in between,
    // a leaf of a rank between 0 and the elements' (broadcast along an axis)
    auto alone = [](const auto& x) { return duet::sum(x); };
    STATIC_REQUIRE(!is_fusable_sum<node_of<decltype(alone), 1>>::value);
    auto exp_alone = [](const auto& x) { return duet::sum(duet::exp(x)); };
    STATIC_REQUIRE(is_fusable_sum<node_of<decltype(exp_alone), 1>>::value == !DUET_USE_XSIMD);
    auto row = [](const auto& x) { return duet::sum(x * duet::sum(x, 0)); };
    STATIC_REQUIRE(!is_fusable_sum<node_of<decltype(row), 2>>::value);
    auto reshaped = [](const auto& x) { return duet::sum(duet::reshape(x * x, std::array<std::size_t, 1>{4})); };
    STATIC_REQUIRE(!is_fusable_sum<node_of<decltype(reshaped), 1>>::value);
}

TEST_CASE("fused sum: normal log-density, odd sizes", "[tensor][fused_sum]") {
    for (std::size_t n : {1u, 7u, 37u, 1031u}) {
        INFO("n = " << n);
        const auto x = random_tensor<1>(rng, {n}, -3.0, 3.0);
        const double c = double(n) * 1.23;
        check_same([c](const auto& v) { return -0.5 * duet::sum(duet::square((v - mu) / sigma)) - c; },
                   [c, n](const auto& v) {
                       return -0.5 * duet::sum(duet::reshape(duet::square((v - mu) / sigma),
                                                             std::array<std::size_t, 1>{n})) -
                              c;
                   },
                   x);
    }
}

TEST_CASE("fused sum: two arguments, a variable used three times, rank 2", "[tensor][fused_sum]") {
    const auto x = random_tensor<2>(rng, {5, 7}, 0.5, 2.0);
    const auto y = random_tensor<2>(rng, {5, 7}, 0.5, 2.0);
    const std::array<std::size_t, 2> s{5, 7};
    check_same([](const auto& a, const auto& b) { return duet::sum(a * b + duet::sqrt(a) - a / b); },
               [s](const auto& a, const auto& b) { return duet::sum(duet::reshape(a * b + duet::sqrt(a) - a / b, s)); },
               x, y);
}

TEST_CASE("fused mean: a rank-0 variable broadcast over the elements", "[tensor][fused_sum]") {
    const auto x = random_tensor<1>(rng, {23});
    tensor<0> m;
    m() = 0.3;
    check_same([](const auto& a, const auto& b) { return duet::mean(duet::square(a - b) * b); },
               [](const auto& a, const auto& b) {
                   return duet::mean(duet::reshape(duet::square(a - b) * b, std::array<std::size_t, 1>{23}));
               },
               x, m);
}

TEST_CASE("fused sum: a constant tensor of the elements' shape", "[tensor][fused_sum]") {
    const auto x = random_tensor<1>(rng, {19});
    const auto w = random_tensor<1>(rng, {19});
    check_same([w](const auto& a) { return duet::sum(w * a * a - 2.0 * duet::constant_ref(w)); },
               [w](const auto& a) {
                   return duet::sum(duet::reshape(w * a * a - 2.0 * duet::constant_ref(w), std::array<std::size_t, 1>{19}));
               },
               x);
}

TEST_CASE("fused sum at awkward points: 0 under sqrt, inf, NaN", "[tensor][fused_sum]") {
    const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    for (const tensor<1>& x : {tensor<1>{0.0, 1.0, 4.0}, tensor<1>{-0.0, 2.0, inf}, tensor<1>{nan, 1.0, 0.0}}) {
        check_same<false>([](const auto& a) { return duet::sum(duet::sqrt(a) * 3.0 + a); },
                   [](const auto& a) { return duet::sum(duet::reshape(duet::sqrt(a) * 3.0 + a, std::array<std::size_t, 1>{3})); },
                   x);
    }
    // sqrt'(0) = inf: the element at 0 has an infinite partial, the others are finite
    const tensor<1> x{0.0, 1.0, 4.0};
    const auto g = duet::gradient(duet::reverse, [](const auto& a) { return duet::sum(duet::sqrt(a)); }, x);
    CHECK(g(0) == inf);
    CHECK(g(1) == 0.5);
    CHECK(g(2) == 0.25);
}

TEST_CASE("fused sum: leaves of different shapes take the unfused evaluation", "[tensor][fused_sum]") {
    const auto x = random_tensor<2>(rng, {3, 4});
    const auto y = random_tensor<2>(rng, {3, 1});
    const std::array<std::size_t, 2> s{3, 4};
    check_same([](const auto& a, const auto& b) { return duet::sum(a * b + a); },
               [s](const auto& a, const auto& b) { return duet::sum(duet::reshape(a * b + a, s)); }, x, y);
    // shapes that do not broadcast: the unfused evaluation's error, naming both
    const auto z = random_tensor<2>(rng, {2, 4});
    auto f = [](const auto& a, const auto& b) { return duet::sum(a * b + a); };
    CHECK_THROWS_AS(duet::gradient(duet::reverse, f, x, z), std::invalid_argument);
    try {
        (void)duet::gradient(duet::reverse, f, x, z);
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        CHECK(what.find("(3, 4)") != std::string::npos);
        CHECK(what.find("(2, 4)") != std::string::npos);
    }
}

TEST_CASE("fused sum: adjoints added to a variable's earlier uses", "[tensor][fused_sum]") {
    // sum(a) is delivered first, so the fused sums add to its adjoint
    // (accumulate) rather than write it; the rank-0 b likewise
    const auto x = random_tensor<1>(rng, {29});
    tensor<0> b;
    b() = -0.7;
    const std::array<std::size_t, 1> s{29};
    check_same(
        [](const auto& a, const auto& m) {
            return duet::sum(a) * m + duet::sum(duet::square(m - a)) + duet::mean(a * m * a);
        },
        [s](const auto& a, const auto& m) {
            return duet::sum(a) * m + duet::sum(duet::reshape(duet::square(m - a), s)) +
                   duet::mean(duet::reshape(a * m * a, s));
        },
        x, b);
}

TEST_CASE("fused sum: subtrees that are not elementwise enter as leaves", "[tensor][fused_sum]") {
    using duet::detail::is_fusable_sum;
    SECTION("a least-squares likelihood: matmul below, a rank-0 variable") {
        const auto X = random_tensor<2>(rng, {13, 4});
        const auto y = random_tensor<1>(rng, {13});
        const auto w = random_tensor<1>(rng, {4});
        tensor<0> b;
        b() = 0.25;
        const std::array<std::size_t, 1> s{13};
        auto fused = [&](const auto& wv, const auto& bv) {
            return -0.5 * duet::sum(duet::square((duet::constant_ref(y) - (duet::matmul(duet::constant_ref(X), wv) + bv)) / 0.7));
        };
        STATIC_REQUIRE(is_fusable_sum<std::remove_cvref_t<decltype(duet::sum(
                           duet::square(duet::constant_ref(y) - duet::matmul(duet::constant_ref(X), duet::tensor_var<1, 0>{nullptr}))))>>::value);
        check_same(fused,
                   [&](const auto& wv, const auto& bv) {
                       return -0.5 * duet::sum(duet::reshape(
                                         duet::square((duet::constant_ref(y) - (duet::matmul(duet::constant_ref(X), wv) + bv)) / 0.7), s));
                   },
                   w, b);
    }
    SECTION("a variance: the mean below is a rank-0 subtree of the same variable") {
        const auto x = random_tensor<1>(rng, {31});
        const std::array<std::size_t, 1> s{31};
        check_same([](const auto& v) { return duet::sum(duet::square(v - duet::mean(v))); },
                   [s](const auto& v) { return duet::sum(duet::reshape(duet::square(v - duet::mean(v)), s)); }, x);
    }
    SECTION("a fused sum inside a fused sum") {
        const auto x = random_tensor<1>(rng, {17});
        const std::array<std::size_t, 1> s{17};
        check_same([](const auto& v) { return duet::sum(duet::square(v - duet::mean(duet::square(v))) * v); },
                   [s](const auto& v) {
                       return duet::sum(duet::reshape(
                           duet::square(v - duet::mean(duet::reshape(duet::square(v), s))) * v, s));
                   },
                   x);
    }
    SECTION("the first leaf a subtree, exp and log among the operations") {
        const auto x = random_tensor<2>(rng, {6, 5});
        const auto w = random_tensor<2>(rng, {6, 5});
        const std::array<std::size_t, 2> s{6, 5};
        check_same([](const auto& a, const auto& b) { return duet::sum(duet::exp(a) * b - duet::log(b * b + 1.0) + a); },
                   [s](const auto& a, const auto& b) {
                       return duet::sum(duet::reshape(duet::exp(a) * b - duet::log(b * b + 1.0) + a, s));
                   },
                   x, w);
    }
}
