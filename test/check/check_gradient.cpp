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
