// Every elementary unary operation (powers, exponentials, logarithms,
// trigonometric) cross-checked in every mode; see support/cross_check.hpp.
#include "../support/cross_check.hpp"

using duet_test::check_unary;

namespace {
const std::vector<double> anywhere{-2.5, -1.2, -0.3, 0.4, 1.1, 2.7};
const std::vector<double> positive{0.2, 0.9, 1.7, 3.3, 12.0};
const std::vector<double> inside_unit{-0.8, -0.3, 0.1, 0.6};
}  // namespace

TEST_CASE("powers and roots in every mode", "[rules]") {
    check_unary(
        "sqrt", [](auto x) { return sqrt(x); }, [](double x) { return std::sqrt(x); },
        [](double x) { return 0.5 / std::sqrt(x); }, [](double x) { return -0.25 / (x * std::sqrt(x)); },
        positive);
    check_unary(
        "cbrt", [](auto x) { return cbrt(x); }, [](double x) { return std::cbrt(x); },
        [](double x) { return 1 / (3 * std::cbrt(x) * std::cbrt(x)); },
        [](double x) { return -2.0 / (9 * std::pow(std::cbrt(x), 5)); }, anywhere);
    check_unary(
        "square", [](auto x) { return duet::square(x); }, [](double x) { return x * x; },
        [](double x) { return 2 * x; }, [](double) { return 2.0; }, anywhere);
    check_unary(
        "pow(x, 3)", [](auto x) { return pow(x, 3); }, [](double x) { return std::pow(x, 3); },
        [](double x) { return 3 * x * x; }, [](double x) { return 6 * x; }, anywhere);
    check_unary(
        "pow(x, -2)", [](auto x) { return pow(x, -2); }, [](double x) { return std::pow(x, -2); },
        [](double x) { return -2 / (x * x * x); }, [](double x) { return 6 / (x * x * x * x); }, positive);
    check_unary(
        "pow(x, 2.5)", [](auto x) { return pow(x, 2.5); }, [](double x) { return std::pow(x, 2.5); },
        [](double x) { return 2.5 * std::pow(x, 1.5); }, [](double x) { return 3.75 * std::pow(x, 0.5); },
        positive);
    check_unary(
        "pow(2, x)", [](auto x) { return pow(2.0, x); }, [](double x) { return std::pow(2.0, x); },
        [](double x) { return std::pow(2.0, x) * std::log(2.0); },
        [](double x) { return std::pow(2.0, x) * std::log(2.0) * std::log(2.0); }, anywhere);
    check_unary(
        "negate", [](auto x) { return -x; }, [](double x) { return -x; }, [](double) { return -1.0; },
        [](double) { return 0.0; }, anywhere, /*constant_derivative=*/true);
}

TEST_CASE("exponentials and logarithms in every mode", "[rules]") {
    const double ln2 = std::log(2.0), ln10 = std::log(10.0);
    check_unary(
        "exp", [](auto x) { return exp(x); }, [](double x) { return std::exp(x); },
        [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }, anywhere);
    check_unary(
        "exp2", [](auto x) { return exp2(x); }, [](double x) { return std::exp2(x); },
        [=](double x) { return std::exp2(x) * ln2; }, [=](double x) { return std::exp2(x) * ln2 * ln2; },
        anywhere);
    check_unary(
        "expm1", [](auto x) { return expm1(x); }, [](double x) { return std::expm1(x); },
        [](double x) { return std::exp(x); }, [](double x) { return std::exp(x); }, anywhere);
    check_unary(
        "log", [](auto x) { return log(x); }, [](double x) { return std::log(x); },
        [](double x) { return 1 / x; }, [](double x) { return -1 / (x * x); }, positive);
    check_unary(
        "log2", [](auto x) { return log2(x); }, [](double x) { return std::log2(x); },
        [=](double x) { return 1 / (x * ln2); }, [=](double x) { return -1 / (x * x * ln2); }, positive);
    check_unary(
        "log10", [](auto x) { return log10(x); }, [](double x) { return std::log10(x); },
        [=](double x) { return 1 / (x * ln10); }, [=](double x) { return -1 / (x * x * ln10); }, positive);
    check_unary(
        "log1p", [](auto x) { return log1p(x); }, [](double x) { return std::log1p(x); },
        [](double x) { return 1 / (1 + x); }, [](double x) { return -1 / ((1 + x) * (1 + x)); },
        {-0.7, -0.2, 0.3, 2.0, 40.0});
}

TEST_CASE("trigonometric functions in every mode", "[rules]") {
    check_unary(
        "sin", [](auto x) { return sin(x); }, [](double x) { return std::sin(x); },
        [](double x) { return std::cos(x); }, [](double x) { return -std::sin(x); }, anywhere);
    check_unary(
        "cos", [](auto x) { return cos(x); }, [](double x) { return std::cos(x); },
        [](double x) { return -std::sin(x); }, [](double x) { return -std::cos(x); }, anywhere);
    check_unary(
        "tan", [](auto x) { return tan(x); }, [](double x) { return std::tan(x); },
        [](double x) { return 1 / (std::cos(x) * std::cos(x)); },
        [](double x) { return 2 * std::tan(x) / (std::cos(x) * std::cos(x)); }, {-1.2, -0.3, 0.4, 1.1});
    check_unary(
        "asin", [](auto x) { return asin(x); }, [](double x) { return std::asin(x); },
        [](double x) { return 1 / std::sqrt(1 - x * x); },
        [](double x) { return x / std::pow(1 - x * x, 1.5); }, inside_unit);
    check_unary(
        "acos", [](auto x) { return acos(x); }, [](double x) { return std::acos(x); },
        [](double x) { return -1 / std::sqrt(1 - x * x); },
        [](double x) { return -x / std::pow(1 - x * x, 1.5); }, inside_unit);
    check_unary(
        "atan", [](auto x) { return atan(x); }, [](double x) { return std::atan(x); },
        [](double x) { return 1 / (1 + x * x); },
        [](double x) { return -2 * x / ((1 + x * x) * (1 + x * x)); }, anywhere);
}
