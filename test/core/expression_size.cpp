// Trees larger than max_leaf_occurrences (core/expression.hpp): a named
// local used twice doubles its subtree, so a chain of k such locals would be
// a tree of 2^k leaves. make_binary evaluates the operands of a node that
// would exceed the limit into the mode's number (dual / var), which keeps a
// chain of 20 `auto t = t_prev * t_prev` linear in 20 (it compiles in about
// 15 s; without the split a chain of 14 did not compile in 5 minutes) and
// changes no derivative beyond rounding.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include <duet/duet.hpp>

namespace {

// t_0 = x * c, t_k = t_{k-1} * t_{k-1} (k = 1 .. 20): t_20 = (c x)^(2^20).
struct squaring_chain {
    double c = 1.0;
    template <class T>
    auto operator()(const T& x) const {
        const auto t0 = x * c;
        const auto t1 = t0 * t0;
        const auto t2 = t1 * t1;
        const auto t3 = t2 * t2;
        const auto t4 = t3 * t3;
        const auto t5 = t4 * t4;
        const auto t6 = t5 * t5;
        const auto t7 = t6 * t6;
        const auto t8 = t7 * t7;
        const auto t9 = t8 * t8;
        const auto t10 = t9 * t9;
        const auto t11 = t10 * t10;
        const auto t12 = t11 * t11;
        const auto t13 = t12 * t12;
        const auto t14 = t13 * t13;
        const auto t15 = t14 * t14;
        const auto t16 = t15 * t15;
        const auto t17 = t16 * t16;
        const auto t18 = t17 * t17;
        const auto t19 = t18 * t18;
        const auto t20 = t19 * t19;
        return t20;
    }
};

constexpr double two_to_20 = 1048576.0;

}  // namespace

static_assert(duet::detail::max_leaf_occurrences == 128);

TEST_CASE("a chain of 20 squared named locals: forward and tape", "[expression_size]") {
    const squaring_chain f{1.0};
    // At x = 1 every value is 1 and d t_20 / dx = 2^20 exactly.
    CHECK(duet::derivative(duet::forward, f, 1.0) == two_to_20);
    // std::array inputs: the forward driver instantiates only the one lane
    // width a single input needs (drivers/passes.hpp, lane_cap), which
    // keeps this file's compile time down.
    const auto as_vector = [f](const auto& x) { return f(x[0]); };
    const std::array<double, 1> one{1.0};
    CHECK(duet::gradient(duet::forward, as_vector, one)[0] == two_to_20);
    CHECK(duet::gradient(duet::reverse, as_vector, one)[0] == two_to_20);
    // Off 1: relative agreement with the closed form 2^20 c (c x)^(2^20 - 1).
    const squaring_chain g{1.0 + 1e-7};
    const double x = 1.0 - 2e-7;
    const double expected = two_to_20 * g.c * std::pow(g.c * x, two_to_20 - 1);
    CHECK(duet::derivative(duet::forward, g, x) == Approx(expected).epsilon(1e-9));
    CHECK(duet::gradient(duet::reverse, [g](const auto& v) { return g(v[0]); }, std::array<double, 1>{x})[0] ==
          Approx(expected).epsilon(1e-9));
}

TEST_CASE("the split is exactly the user's own split into named duals", "[expression_size]") {
    // t8 has 2 * 128 leaf occurrences: its two operands (t7) are evaluated
    // into duals first. Written by hand with a materialised t7, the result
    // is bitwise the same.
    using D = duet::dual<double, 2>;
    const D x(0.9, std::array<double, 2>{1.0, -0.5});
    const auto t0 = x * 1.01;
    auto sq = [](const auto& t) { return t * t; };
    const auto t7 = sq(sq(sq(sq(sq(sq(sq(t0)))))));
    static_assert(duet::detail::leaf_occurrences<std::remove_cvref_t<decltype(t7)>>::value == 128);
    const D split = t7 * t7;  // split by make_binary
    const D t7_dual = t7;
    const D by_hand = t7_dual * t7_dual;
    CHECK(split.value() == by_hand.value());
    CHECK(split.tangent(0) == by_hand.tangent(0));
    CHECK(split.tangent(1) == by_hand.tangent(1));
}

TEST_CASE("on the tape the split is a statement of its own, with the same gradient", "[expression_size]") {
    // t7 * t7 with t7 of 128 leaf occurrences: recorded as two statements for
    // the operands and one for the product; the gradient equals forward's.
    const auto f = [](const auto& v) {
        const auto t0 = v[0] * v[1];
        auto sq = [](const auto& t) { return t * t; };
        const auto t7 = sq(sq(sq(sq(sq(sq(sq(t0)))))));
        return t7 * t7;
    };
    const std::array<double, 2> x{1.001, 0.999};
    const auto r = duet::value_and_gradient(duet::reverse, f, x);
    const auto g = duet::gradient(duet::forward, f, x);
    // x0 x1 = 0.999999: f = (x0 x1)^256, df/dx0 = 256 (x0 x1)^255 x1.
    const double p = x[0] * x[1];
    CHECK(r.value == Approx(std::pow(p, 256)).epsilon(1e-13));
    CHECK(r.gradient[0] == Approx(256 * std::pow(p, 255) * x[1]).epsilon(1e-13));
    CHECK(r.gradient[1] == Approx(256 * std::pow(p, 255) * x[0]).epsilon(1e-13));
    CHECK(g[0] == Approx(r.gradient[0]).epsilon(1e-14));
    CHECK(g[1] == Approx(r.gradient[1]).epsilon(1e-14));
}
