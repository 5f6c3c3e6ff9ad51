// duet::dual<T, N>: construction, lanes, nesting, mixing with numbers.
#include <sstream>

#include <catch2/catch.hpp>

#include "duet/duet.hpp"

TEST_CASE("a dual carries a value and its tangent lanes", "[dual]") {
    duet::dual<double> x{2.0, 1.0};
    duet::dual<double> y = x * sin(x);
    CHECK(y.value() == 2.0 * std::sin(2.0));
    CHECK(y.tangent() == Approx(std::sin(2.0) + 2.0 * std::cos(2.0)).epsilon(1e-15));

    duet::dual<double> c = 3;  // a number: zero tangent
    CHECK(c.value() == 3.0);
    CHECK(c.tangent() == 0.0);
    duet::dual<double> d;
    CHECK(d.value() == 0.0);
    static_assert(std::is_trivially_copyable_v<duet::dual<double, 4>>);
    static_assert(sizeof(duet::dual<double, 4>) == 5 * sizeof(double));
}

TEST_CASE("N lanes carry N directions in one pass", "[dual]") {
    // f(x, y) = x^2 y + exp(y); lanes: d/dx, d/dy, d/dx + d/dy, 0
    duet::dual<double, 4> x{1.5, {1, 0, 1, 0}}, y{-0.5, {0, 1, 1, 0}};
    duet::dual<double, 4> f = x * x * y + exp(y);
    const double fx = 2 * 1.5 * -0.5, fy = 1.5 * 1.5 + std::exp(-0.5);
    CHECK(f.tangent(0) == Approx(fx).epsilon(1e-15));
    CHECK(f.tangent(1) == Approx(fy).epsilon(1e-15));
    CHECK(f.tangent(2) == Approx(fx + fy).epsilon(1e-15));
    CHECK(f.tangent(3) == 0.0);
}

TEST_CASE("numbers on either side of every operator", "[dual]") {
    duet::dual<double> x{2.0, 1.0};
    duet::dual<double> a = 1 + x * 2 - 3 / x + x / 4 - (-x);
    CHECK(a.value() == 1 + 4 - 1.5 + 0.5 + 2);
    CHECK(a.tangent() == 2 + 3.0 / 4 + 0.25 + 1);
    CHECK(duet::dual<double>(pow(2.0, x)).tangent() == Approx(4 * std::log(2.0)).epsilon(1e-15));
    CHECK(duet::dual<double>(max(x, 0.0)).tangent() == 1.0);
    CHECK(duet::dual<double>(atan2(1.0, x)).tangent() == Approx(-1.0 / 5).epsilon(1e-15));
    CHECK(duet::dual<double>(hypot(x, 1.5f)).value() == 2.5);
}

TEST_CASE("comparisons look at values", "[dual]") {
    duet::dual<double> x{2.0, 1.0}, y{3.0, -1.0};
    CHECK(x < y);
    CHECK(x <= 2);
    CHECK(3.0 > x);
    CHECK(x == 2.0);
    CHECK(x != y);
    CHECK(x * 2 > y);
    CHECK(!isnan(x));
    CHECK(isinf(x / 0.0));
}

TEST_CASE("nested duals give second derivatives", "[dual][nested]") {
    using inner = duet::dual<double>;
    duet::dual<inner> x{inner{0.8, 1.0}, inner{1.0, 0.0}};
    duet::dual<inner> y = sin(x) * x;  // y'' = 2 cos x - x sin x
    CHECK(y.value().value() == std::sin(0.8) * 0.8);
    CHECK(y.tangent().value() == Approx(std::cos(0.8) * 0.8 + std::sin(0.8)).epsilon(1e-15));
    CHECK(y.tangent().tangent() == Approx(2 * std::cos(0.8) - 0.8 * std::sin(0.8)).epsilon(1e-15));
    // Lower-level values mix in as constants.
    duet::dual<inner> z = x * inner{2.0, 0.0} + 1;
    CHECK(z.tangent().value() == 2.0);
}

TEST_CASE("a dual prints its value and lanes", "[dual]") {
    std::ostringstream os;
    os << duet::dual<double, 2>{1.5, {2.0, -1.0}};
    CHECK(os.str() == "1.5 [2, -1]");
}
