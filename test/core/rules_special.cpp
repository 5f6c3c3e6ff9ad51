// Hyperbolic, special and non-smooth unary operations cross-checked in every
// mode; see support/cross_check.hpp.
#include "../support/cross_check.hpp"

using duet_test::check_unary;

namespace {
const std::vector<double> anywhere{-2.5, -1.2, -0.3, 0.4, 1.1, 2.7};
const std::vector<double> positive{0.2, 0.9, 1.7, 3.3, 12.0};
double psi(int k, double x) { return duet::special::polygamma(k, x); }
double logistic(double x) { return 1 / (1 + std::exp(-x)); }
}  // namespace

TEST_CASE("hyperbolic functions in every mode", "[rules]") {
    check_unary(
        "sinh", [](auto x) { return sinh(x); }, [](double x) { return std::sinh(x); },
        [](double x) { return std::cosh(x); }, [](double x) { return std::sinh(x); }, anywhere);
    check_unary(
        "cosh", [](auto x) { return cosh(x); }, [](double x) { return std::cosh(x); },
        [](double x) { return std::sinh(x); }, [](double x) { return std::cosh(x); }, anywhere);
    check_unary(
        "tanh", [](auto x) { return tanh(x); }, [](double x) { return std::tanh(x); },
        [](double x) { return 1 / (std::cosh(x) * std::cosh(x)); },
        [](double x) { return -2 * std::tanh(x) / (std::cosh(x) * std::cosh(x)); }, anywhere);
    check_unary(
        "asinh", [](auto x) { return asinh(x); }, [](double x) { return std::asinh(x); },
        [](double x) { return 1 / std::sqrt(x * x + 1); },
        [](double x) { return -x / std::pow(x * x + 1, 1.5); }, anywhere);
    check_unary(
        "acosh", [](auto x) { return acosh(x); }, [](double x) { return std::acosh(x); },
        [](double x) { return 1 / std::sqrt(x * x - 1); },
        [](double x) { return -x / std::pow(x * x - 1, 1.5); }, {1.2, 2.5, 7.0});
    check_unary(
        "atanh", [](auto x) { return atanh(x); }, [](double x) { return std::atanh(x); },
        [](double x) { return 1 / (1 - x * x); },
        [](double x) { return 2 * x / ((1 - x * x) * (1 - x * x)); }, {-0.8, -0.3, 0.1, 0.6});
}

TEST_CASE("special functions in every mode", "[rules]") {
    const double c = 2 / std::sqrt(std::acos(-1.0));
    check_unary(
        "erf", [](auto x) { return erf(x); }, [](double x) { return std::erf(x); },
        [=](double x) { return c * std::exp(-x * x); },
        [=](double x) { return -2 * x * c * std::exp(-x * x); }, anywhere);
    check_unary(
        "erfc", [](auto x) { return erfc(x); }, [](double x) { return std::erfc(x); },
        [=](double x) { return -c * std::exp(-x * x); },
        [=](double x) { return 2 * x * c * std::exp(-x * x); }, anywhere);
    check_unary(
        "lgamma", [](auto x) { return lgamma(x); }, [](double x) { return std::lgamma(x); },
        [](double x) { return psi(0, x); }, [](double x) { return psi(1, x); }, positive);
    check_unary(
        "tgamma", [](auto x) { return tgamma(x); }, [](double x) { return std::tgamma(x); },
        [](double x) { return std::tgamma(x) * psi(0, x); },
        [](double x) { return std::tgamma(x) * (psi(0, x) * psi(0, x) + psi(1, x)); },
        {0.2, 0.9, 1.7, 3.3, -0.5, -1.5});
    check_unary(
        "digamma", [](auto x) { return duet::digamma(x); }, [](double x) { return psi(0, x); },
        [](double x) { return psi(1, x); }, [](double x) { return psi(2, x); }, positive);
}

TEST_CASE("non-smooth and machine-learning functions in every mode", "[rules]") {
    check_unary(
        "abs", [](auto x) { return abs(x); }, [](double x) { return std::abs(x); },
        [](double x) { return x > 0 ? 1.0 : -1.0; }, [](double) { return 0.0; }, anywhere);
    check_unary(
        "relu", [](auto x) { return duet::relu(x); }, [](double x) { return x > 0 ? x : 0.0; },
        [](double x) { return x > 0 ? 1.0 : 0.0; }, [](double) { return 0.0; }, anywhere);
    check_unary(
        "sigmoid", [](auto x) { return duet::sigmoid(x); }, [](double x) { return duet::sigmoid(x); },
        [](double x) { return logistic(x) * (1 - logistic(x)); },
        [](double x) { return logistic(x) * (1 - logistic(x)) * (1 - 2 * logistic(x)); }, anywhere);
    check_unary(
        "softplus", [](auto x) { return duet::softplus(x); }, [](double x) { return duet::softplus(x); },
        [](double x) { return logistic(x); }, [](double x) { return logistic(x) * (1 - logistic(x)); },
        anywhere);
    // The plain-number versions are the textbook formulas.
    for (double x : anywhere) {
        CHECK(duet_test::agree(duet::sigmoid(x), logistic(x), 1e-15));
        CHECK(duet_test::agree(duet::softplus(x), std::log1p(std::exp(x)), 1e-15));
    }
    CHECK(duet::softplus(800.0) == 800.0);  // no overflow
    CHECK(duet::sigmoid(-800.0) == 0.0);
}
