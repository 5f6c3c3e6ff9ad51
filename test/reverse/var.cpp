// duet::var: statements, aliasing, compound assignment, helper templates,
// branches, agreement with the static adjoint and forward mode, misuse errors.
// Checks are forced on so that misuse is detected in Release builds too.
#define DUET_TAPE_CHECKS 1
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <type_traits>
#include <vector>

#include <duet/duet.hpp>

using duet::tape;
using duet::var;

namespace {

// |a - b| <= tol * max(1, |b|)
bool close(double a, double b, double tol = 1e-15) {
    return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

template <class T>
auto sqr(T x) {
    return x * x;  // returns an expression holding a copy of x: stays valid
}

template <class T>
T horner(const std::vector<double>& c, const T& x) {
    T acc = c.back();
    for (std::size_t k = c.size() - 1; k-- > 0;) acc = acc * x + c[k];
    return acc;
}

}  // namespace

TEST_CASE("var: registering without an active tape is an error with a clear message") {
    REQUIRE(tape<double>::active() == nullptr);
    REQUIRE_THROWS_AS(var<double>(1.0), std::logic_error);
    REQUIRE_THROWS_WITH(var<double>(1.0), Catch::Contains("no active duet::tape"));
}

TEST_CASE("var: use after clear is detected") {
    tape<double> t;
    var<double> x = 1.0;
    t.clear();
    CHECK_THROWS_WITH(t.backward(x), Catch::Contains("cleared or rewound"));
    CHECK_THROWS_WITH(var<double>(x * 2.0), Catch::Contains("cleared or rewound"));
    CHECK_THROWS_WITH(x.adjoint(), Catch::Contains("cleared or rewound"));
    // A new variable in the same slot is not mistaken for the old one.
    var<double> y = 3.0;
    CHECK(y.index() == x.index());
    CHECK_THROWS_WITH(var<double>(x + y), Catch::Contains("cleared or rewound"));
    CHECK_NOTHROW(var<double>(y * y));
}

TEST_CASE("var: use on another tape is detected") {
    tape<double> outer;
    var<double> x = 2.0;
    {
        tape<double> inner;
        var<double> y = 1.0;
        CHECK_THROWS_WITH(var<double>(x * y), Catch::Contains("another duet::tape"));
        CHECK_THROWS_WITH(inner.backward(x), Catch::Contains("another duet::tape"));
    }
    var<double> z = x * x;  // back on the outer tape
    outer.backward(z);
    CHECK(x.adjoint() == 4.0);
}

TEST_CASE("var: aliasing and compound assignment read copies") {
    tape<double> t;
    var<double> x0 = 3.0;
    var<double> x = x0;
    x = x - 2 * x;  // -x0
    CHECK(x.value() == -3.0);
    x *= x;  // x0^2
    x += x0;
    x /= x0;  // x0 + 1
    x -= 1.0;
    CHECK(x.value() == Approx(3.0));
    t.backward(x);
    CHECK(x0.adjoint() == Approx(1.0).epsilon(1e-15));
}

TEST_CASE("var: s += e accumulates in place when nothing else refers to s") {
    tape<double> t;
    std::vector<var<double>> x;
    for (int i = 1; i <= 4; ++i) x.emplace_back(double(i));
    var<double> s = 0.0;
    const std::size_t statements = t.size();
    for (const auto& xi : x) s += xi * xi;  // one statement, one partial per occurrence
    s -= 2.0 * x[0];
    s += 1.5;  // a number changes the value only
    CHECK(t.size() == statements);
    CHECK(t.partials() == 9);
    CHECK(s.value() == 1 + 4 + 9 + 16 - 2 + 1.5);
    t.backward(s);
    CHECK(x[0].adjoint() == 2 * 1.0 - 2);
    CHECK(x[1].adjoint() == 2 * 2.0);
    CHECK(x[3].adjoint() == 2 * 4.0);
}

TEST_CASE("var: accumulation after a copy, a use or another statement records a new statement") {
    tape<double> t;
    var<double> x = 3.0, y = 5.0;
    SECTION("a copy keeps the old value and derivative") {
        var<double> s = x * y;  // 15
        var<double> old = s;
        const std::size_t before = t.size();
        s += x;  // 18
        CHECK(t.size() == before + 1);
        CHECK(old.value() == 15.0);
        var<double> z = old * s;  // x y (x y + x)
        t.backward(z);
        // dz/dx = y (xy + x) + xy (y + 1) = 5*18 + 15*6, dz/dy = x (xy + x) + xy x
        CHECK(x.adjoint() == 5.0 * 18 + 15.0 * 6);
        CHECK(y.adjoint() == 3.0 * 18 + 15.0 * 3);
    }
    SECTION("s used in an expression first") {
        var<double> s = x * y;
        var<double> u = s * 2.0;  // holds a copy of s
        s += y;
        var<double> z = u + s;  // 2xy + xy + y
        t.backward(z);
        CHECK(x.adjoint() == 3 * 5.0);
        CHECK(y.adjoint() == 3 * 3.0 + 1);
    }
    SECTION("s refers to itself") {
        var<double> s = x * 1.0;
        s += s * y;  // x + x y
        const var<double>& same = s;  // (clang warns on a literal `s -= s`)
        s -= same;   // 0, derivative 0: e is s itself, by reference
        s += x * x;  // x^2
        t.backward(s);
        CHECK(s.value() == 9.0);
        CHECK(x.adjoint() == 6.0);
        CHECK(y.adjoint() == 0.0);
    }
    SECTION("another statement was recorded since") {
        var<double> s = x * y;
        var<double> w = sin(x);
        const std::size_t before = t.size();
        s += w;
        CHECK(t.size() == before + 1);
        t.backward(s);
        CHECK(close(x.adjoint(), 5.0 + std::cos(3.0)));
        CHECK(y.adjoint() == 3.0);
    }
    SECTION("a var stored in a container is a copy") {
        std::vector<var<double>> keep;
        var<double> s = x * y;
        keep.push_back(s);
        s += x;
        var<double> z = keep[0] + 10.0 * s;  // xy + 10 (xy + x)
        t.backward(z);
        CHECK(x.adjoint() == 5.0 + 10 * 6.0);
        CHECK(y.adjoint() == 3.0 + 10 * 3.0);
    }
}

TEST_CASE("var: accumulation equals the statement-per-iteration tape and the forward mode") {
    auto f = [](const auto& x) {
        using std::exp;
        using std::sin;
        typename std::decay_t<decltype(x)>::value_type s = 0.0, p = 1.0;
        for (std::size_t i = 0; i + 1 < x.size(); ++i) {
            s += exp(x[i]) * x[i + 1] - sin(x[i]);
            s -= 0.25 * x[i] * x[i];
            p *= 1.0 + 0.1 * x[i];
            if (i % 7 == 3) s += p;  // p is copied into the expression
        }
        return s;
    };
    std::vector<double> x(64);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.3 * double(i));
    const auto forward = duet::gradient(duet::forward, f, x);
    const auto reverse = duet::gradient(duet::reverse, f, x);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(close(reverse[i], forward[i], 1e-14));
}

#if DUET_TAPE_CHECKS
TEST_CASE("var: accumulating into a var from before clear() is detected") {
    tape<double> t;
    var<double> s = 1.0;
    t.clear();
    var<double> x = 2.0;
    CHECK_THROWS_WITH(s += x, Catch::Contains("cleared or rewound"));
}
#endif

TEST_CASE("var: copies are the same variable") {
    tape<double> t;
    var<double> x = 2.0;
    var<double> y = x;
    CHECK(y.index() == x.index());
    var<double> z = x * y;  // x^2
    t.backward(z);
    CHECK(x.adjoint() == 4.0);
}

TEST_CASE("var: helper templates, loops, branches and early exits") {
    tape<double> t;
    var<double> x = 0.7;
    SECTION("helper returning an expression over its own parameter") {
        var<double> y = sqr(sin(x)) + sqr(x);
        t.backward(y);
        CHECK(close(x.adjoint(), 2 * std::sin(0.7) * std::cos(0.7) + 2 * 0.7));
    }
    SECTION("loop with accumulation (Horner)") {
        const std::vector<double> c{1.0, -2.0, 0.5, 3.0};
        var<double> y = horner(c, x);
        t.backward(y);
        const double expected = c[1] + 2 * c[2] * 0.7 + 3 * c[3] * 0.7 * 0.7;
        CHECK(close(x.adjoint(), expected, 1e-14));
    }
    SECTION("the derivative of the branch taken") {
        auto f = [](const var<double>& v) -> var<double> {
            if (v > 0.5) return v * v * v;
            return -v;
        };
        var<double> y = f(x);
        t.backward(y);
        CHECK(close(x.adjoint(), 3 * 0.7 * 0.7));
        var<double> w = 0.2;
        var<double> yw = f(w);
        t.backward(yw);
        CHECK(w.adjoint() == -1.0);
    }
    SECTION("early exit from a loop") {
        var<double> s = 1.0;
        int steps = 0;
        for (int i = 0; i < 100; ++i) {
            s *= x + 1.0;
            ++steps;
            if (s > 10.0) break;
        }
        t.backward(s);
        CHECK(close(x.adjoint(), steps * std::pow(1.7, steps - 1), 1e-14));
    }
}

TEST_CASE("var: tape result equals the static adjoint for closed-form functions") {
    auto F1 = [](auto x, auto y) { return x * x * x * (x + 3 * y); };
    auto F2 = [](auto x, auto y) { return (x + y) * max(y, x * 0.5) / exp(x - y); };
    auto F3 = [](auto x, auto z) { return exp(x * z) + x * z / log(x) + sin(log(x)) / (x * z); };
    auto F4 = [](auto x, auto y) { return atan2(y, x) + hypot(x, y) * tanh(x) - pow(x, y); };
    auto check_function = [](auto F, double a, double b) {
        const auto s = duet::gradient(duet::reverse, F, a, b);
        tape<double> t;
        var<double> x = a, y = b;
        var<double> f = F(x, y);
        t.backward(f);
        CHECK(close(x.adjoint(), s[0]));
        CHECK(close(y.adjoint(), s[1]));
    };
    check_function(F1, 2.0, 3.0);
    check_function(F2, 1.0, 2.0);
    check_function(F3, 2.0, 3.0);
    check_function(F4, 1.3, 0.4);
    // The worked examples exactly.
    tape<double> t;
    var<double> x = 2.0, z = 3.0;
    var<double> y = F3(x, z);
    t.backward(y);
    CHECK(y.value() == Approx(412.19146).epsilon(1e-8));
    CHECK(x.adjoint() == Approx(1208.38122).epsilon(1e-8));
    CHECK(z.adjoint() == Approx(809.70748).epsilon(1e-8));
}

TEST_CASE("var: every elementary function agrees with forward mode") {
    tape<double> t;
    const double a = 0.3, b = 1.7;
    auto compare = [&](auto F) {
        var<double> x = a, y = b;
        var<double> f = F(x, y);
        t.backward(f);
        const auto g = duet::gradient(duet::forward, F, a, b);
        CHECK(close(f.value(), duet::value_and_gradient(duet::forward, F, a, b).value, 1e-14));
        CHECK(close(x.adjoint(), g[0], 1e-14));
        CHECK(close(y.adjoint(), g[1], 1e-14));
    };
    compare([](auto x, auto y) { return abs(x - y) + sqrt(y) + cbrt(x) + exp(x) + exp2(y); });
    compare([](auto x, auto y) { return expm1(x) + log(y) + log2(y) + log10(y) + log1p(x); });
    compare([](auto x, auto y) { return pow(x, y) + pow(x, 3) + pow(2.0, x) + pow(y, 0.5); });
    compare([](auto x, auto y) { return hypot(x, y) * sin(x) + cos(y) * tan(x); });
    compare([](auto x, auto y) { return asin(x) + acos(x) + atan(y) + atan2(x, y); });
    compare([](auto x, auto y) { return sinh(x) + cosh(y) + tanh(x) + asinh(y) + acosh(y) + atanh(x); });
    compare([](auto x, auto y) { return erf(x) + erfc(y) + tgamma(y) + lgamma(y); });
    compare([](auto x, auto y) { return min(x, y) + max(x, y) + fmin(x, 1.0) + fmax(2.0, y); });
    compare([](auto x, auto y) { return duet::sigmoid(x) + duet::softplus(y) + duet::relu(x - y) + duet::square(y); });
    compare([](auto x, auto y) { return -x / y + 3.0 - y * 2.0; });
}

TEST_CASE("var: comparisons look at values") {
    tape<double> t;
    var<double> x = 1.0, y = 2.0;
    CHECK(x < y);
    CHECK(y > 1.5);
    CHECK(x == 1.0);
    CHECK(x * 2.0 == y);
    CHECK(t.partials() == 0);  // comparing records nothing
}

TEST_CASE("var: nested var<dual> gives second derivatives") {
    using D = duet::dual<double>;
    tape<D> t;
    var<D> x = D(1.5, 1.0);  // tangent direction 1
    var<D> y = x * x * sin(x);
    t.backward(y);
    const D g = x.adjoint();  // d/dx, with its own derivative in the tangent
    CHECK(close(g.value(), 2 * 1.5 * std::sin(1.5) + 1.5 * 1.5 * std::cos(1.5), 1e-14));
    CHECK(close(g.tangent(), 2 * std::sin(1.5) + 4 * 1.5 * std::cos(1.5) - 1.5 * 1.5 * std::sin(1.5),
                1e-14));
}

TEST_CASE("var: a leaf repeated next to itself in a statement is one entry with the summed partial") {
    // Merged in statements of three or more leaf occurrences (entry_writer).
    tape<double> t;
    var<double> x = 1.25, y = -0.75;
    SECTION("x * x (two occurrences): two entries") {
        const std::size_t before = t.partials();
        var<double> z = x * x;
        CHECK(t.partials() == before + 2);
        t.backward(z);
        CHECK(x.adjoint() == 2 * 1.25);
    }
    SECTION("y - x * x: x is one entry, partial -2 x exactly") {
        const std::size_t before = t.partials();
        var<double> z = y - x * x;
        CHECK(t.partials() == before + 2);
        t.backward(z);
        CHECK(x.adjoint() == -2 * 1.25);
        CHECK(y.adjoint() == 1.0);
    }
    SECTION("x * x * x: one entry") {
        const std::size_t before = t.partials();
        var<double> z = x * x * x;
        CHECK(t.partials() == before + 1);
        t.backward(z);
        CHECK(x.adjoint() == Approx(3 * 1.25 * 1.25).epsilon(1e-15));
    }
    SECTION("x * y * x: the occurrences are not adjacent; three entries, same gradient") {
        const std::size_t before = t.partials();
        var<double> z = x * y * x;
        CHECK(t.partials() == before + 3);
        t.backward(z);
        CHECK(x.adjoint() == 2 * 1.25 * -0.75);
        CHECK(y.adjoint() == 1.25 * 1.25);
    }
    SECTION("s += x * x + y * y in place: x and y one entry each") {
        var<double> s = 0.0;
        const std::size_t before = t.partials();
        s += x * x + y * y;
        CHECK(t.partials() == before + 2);
        t.backward(s);
        CHECK(x.adjoint() == 2 * 1.25);
        CHECK(y.adjoint() == 2 * -0.75);
    }
    SECTION("rosenbrock with named locals: the hand gradient") {
        std::vector<double> v{1.1, 0.9, -1.3, 2.0, 0.7, 1.0001};
        std::vector<var<double>> xs(v.begin(), v.end());
        const std::size_t p0 = t.partials();
        var<double> s = 0.0;
        for (std::size_t i = 0; i + 1 < xs.size(); ++i) {
            const var<double> d = xs[i + 1] - xs[i] * xs[i];  // 2 entries
            const var<double> e = 1.0 - xs[i];                // 1 entry
            s += 100.0 * d * d + e * e;                       // d, e, old s: 3 entries
        }
        CHECK(t.partials() - p0 == 6 * (xs.size() - 1));
        t.backward(s);
        std::vector<double> g(v.size(), 0.0);
        for (std::size_t i = 0; i + 1 < v.size(); ++i) {
            const double d = v[i + 1] - v[i] * v[i];
            g[i] += -400.0 * d * v[i] - 2.0 * (1.0 - v[i]);
            g[i + 1] += 200.0 * d;
        }
        for (std::size_t i = 0; i < v.size(); ++i)
            CHECK(xs[i].adjoint() == Approx(g[i]).epsilon(1e-14).margin(1e-14));
    }
    SECTION("partials whose sum overflows are kept apart") {
        // d/dx (c x + c x + 0 y) with c = 1e308: each partial is finite,
        // their sum is not; a weight of 0.25 gives 5e307 only from separate
        // entries.
        const std::size_t before = t.partials();
        var<double> z = 1e308 * x + 1e308 * x + 0.0 * y;
        CHECK(t.partials() == before + 3);
        t.seed(z, 0.25);
        t.backward();
        CHECK(x.adjoint() == 0.25 * 1e308 + 0.25 * 1e308);
    }
    SECTION("an infinite partial merges; the strong zero still holds") {
        var<double> zero = 0.0;
        var<double> z = sqrt(zero) * sqrt(zero) * sqrt(zero);  // infinite partials, merged
        var<double> w = x * 2.0;                                // z does not reach w
        t.backward(w);
        CHECK(zero.adjoint() == 0.0);
        CHECK(x.adjoint() == 2.0);
        CHECK(z.value() == 0.0);
    }
}
