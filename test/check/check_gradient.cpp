// check_gradient: duet's gradient against central differences.
#include <catch2/catch.hpp>

#include "duet/check/check_gradient.hpp"

TEST_CASE("a correct gradient passes the check", "[check]") {
    auto f = [](auto x, auto y) { return exp(x * y) + sin(x) / (1 + y * y); };
    const auto report = duet::check_gradient(f, 0.3, -1.2);
    CHECK(report.ok);
    CHECK(report.max_rel_error < 1e-9);
    CHECK(report.max_abs_error < 1e-9);
}

TEST_CASE("a wrong derivative is caught", "[check]") {
    // A function whose AD derivative differs from its values' slope: the
    // value jumps where the derivative says it is flat (a step built from a
    // comparison, which AD treats as constant).
    auto step = [](auto x) {
        using T = decltype(x);
        return x > 0.5 ? T(x * 0 + 1.0) : T(x * 0);
    };
    const auto report = duet::check_gradient(duet::gradient_check_options{.tolerance = 1e-7, .differences = {.relative_step = 0.01}}, step, 0.5);
    CHECK_FALSE(report.ok);
    CHECK(report.max_abs_error > 1.0);
}

TEST_CASE("NaN makes the check fail", "[check]") {
    const auto report = duet::check_gradient([](auto x) { return sqrt(x); }, -1.0);
    CHECK_FALSE(report.ok);
    CHECK(std::isnan(report.max_abs_error));
}

// Containers need nothing beyond check/check_gradient.hpp.
TEST_CASE("check_gradient of a std::vector, forward and reverse", "[check]") {
    auto rosenbrock = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        T s = 0.0;
        for (std::size_t i = 0; i + 1 < x.size(); ++i)
            s += 100 * (x[i + 1] - x[i] * x[i]) * (x[i + 1] - x[i] * x[i]) + (1 - x[i]) * (1 - x[i]);
        return s;
    };
    const auto report = duet::check_gradient(rosenbrock, std::vector<double>{-1.2, 1.0, 0.5, 0.3});
    CHECK(report.ok);
    CHECK(report.max_rel_error < 1e-9);
}

// A tensor argument, with the tensor headers included after check_gradient.hpp:
// both gradients are looked up when check_gradient is instantiated.
#include "duet/tensor.hpp"

TEST_CASE("check_gradient of a tensor", "[check]") {
    auto f = [](const auto& x) {
        auto s = xt::sum(x * x + xt::sin(x));
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(x)>, xt::xtensor<double, 1>>)
            return double(s());  // central differences: plain xtensor
        else
            return s;  // duet: a rank-0 node
    };
    const xt::xtensor<double, 1> x{0.1, -0.4, 1.3};
    const auto report = duet::check_gradient(f, x);
    CHECK(report.ok);
    CHECK(report.max_rel_error < 1e-9);
}
