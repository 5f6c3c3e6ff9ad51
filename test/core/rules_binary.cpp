// Every binary operation cross-checked in every mode, with a plain number on
// either side; see support/cross_check.hpp.
#include "../support/cross_check.hpp"

using duet_test::check_binary;

namespace {
const std::vector<std::array<double, 2>> anywhere{{0.7, 1.3}, {-1.1, 0.4}, {2.5, -0.6}, {-0.3, -1.9}};
const std::vector<std::array<double, 2>> positive_base{{0.7, 1.3}, {2.5, -0.6}, {1.6, 3.2}, {0.3, 0.5}};
}  // namespace

TEST_CASE("arithmetic operators in every mode", "[rules]") {
    check_binary(
        "a + b", [](auto a, auto b) { return a + b; }, [](double a, double b) { return a + b; },
        [](double, double) { return 1.0; }, [](double, double) { return 1.0; }, anywhere);
    check_binary(
        "a - b", [](auto a, auto b) { return a - b; }, [](double a, double b) { return a - b; },
        [](double, double) { return 1.0; }, [](double, double) { return -1.0; }, anywhere);
    check_binary(
        "a * b", [](auto a, auto b) { return a * b; }, [](double a, double b) { return a * b; },
        [](double, double b) { return b; }, [](double a, double) { return a; }, anywhere);
    check_binary(
        "a / b", [](auto a, auto b) { return a / b; }, [](double a, double b) { return a / b; },
        [](double, double b) { return 1 / b; }, [](double a, double b) { return -a / (b * b); }, anywhere);
}

TEST_CASE("pow, hypot and atan2 in every mode", "[rules]") {
    check_binary(
        "pow", [](auto a, auto b) { return pow(a, b); }, [](double a, double b) { return std::pow(a, b); },
        [](double a, double b) { return b * std::pow(a, b - 1); },
        [](double a, double b) { return std::pow(a, b) * std::log(a); }, positive_base);
    check_binary(
        "hypot", [](auto a, auto b) { return hypot(a, b); }, [](double a, double b) { return std::hypot(a, b); },
        [](double a, double b) { return a / std::hypot(a, b); },
        [](double a, double b) { return b / std::hypot(a, b); }, anywhere);
    check_binary(
        "atan2", [](auto a, auto b) { return atan2(a, b); }, [](double a, double b) { return std::atan2(a, b); },
        [](double a, double b) { return b / (a * a + b * b); },
        [](double a, double b) { return -a / (a * a + b * b); }, anywhere);
}

TEST_CASE("max, min, fmax, fmin in every mode", "[rules]") {
    // Away from ties these are smooth; ties are in conventions.cpp.
    const auto greater = [](double a, double b) { return a > b ? 1.0 : 0.0; };
    const auto less = [](double a, double b) { return a < b ? 1.0 : 0.0; };
    check_binary(
        "max", [](auto a, auto b) { return max(a, b); }, [](double a, double b) { return std::isnan(a) || std::isnan(b) ? a + b : std::fmax(a, b); },
        greater, less, anywhere);
    check_binary(
        "min", [](auto a, auto b) { return min(a, b); }, [](double a, double b) { return std::isnan(a) || std::isnan(b) ? a + b : std::fmin(a, b); },
        less, greater, anywhere);
    check_binary(
        "fmax", [](auto a, auto b) { return fmax(a, b); }, [](double a, double b) { return std::fmax(a, b); },
        greater, less, anywhere);
    check_binary(
        "fmin", [](auto a, auto b) { return fmin(a, b); }, [](double a, double b) { return std::fmin(a, b); },
        less, greater, anywhere);
}

TEST_CASE("composite expressions: forward and reverse agree on many leaves", "[rules]") {
    // 20 terms mixing every kind of node; a leaf used many times.
    auto f = [](auto x, auto y, auto z) {
        using duet::max, duet::min, duet::abs;
        return sin(x * y) + cos(z) * exp(-x * x) + log1p(y * y) / (1 + z * z) + sqrt(x * x + y * y + 1) +
               tanh(x - z) * atan(y) + pow(x, 3) - 2 * y * z + hypot(x, z) + max(x, y) * min(y, z) +
               duet::sigmoid(x + y + z) + erf(z / 3) + cbrt(x * y * z + 5) + asinh(y) - acosh(2 + z * z) +
               duet::softplus(x) + atan2(y, x) + exp2(z / 4) + log10(3 + x * x) + pow(1.5 + y * y, z) +
               abs(x - 2 * y);
    };
    for (auto [x, y, z] : std::vector<std::array<double, 3>>{{0.3, -0.7, 1.2}, {1.5, 0.2, -0.4}, {-2.0, 1.1, 0.6}}) {
        const auto gf = duet::gradient(duet::forward, f, x, y, z);
        const auto gr = duet::gradient(duet::reverse, f, x, y, z);
        const auto fd = duet::fd::gradient([&](double a, double b, double c) { return f(a, b, c); }, x, y, z,
                                           duet::fd::options{.richardson_levels = 3});
        for (int i = 0; i < 3; ++i) {
            INFO("component " << i << " at (" << x << ", " << y << ", " << z << ")");
            CHECK(duet_test::agree(gf[i], gr[i], duet_test::modes_tol));
            CHECK(duet_test::agree(gf[i], fd[i], duet_test::fd_tol));
        }
    }
}
