// duet::compare_modes: every mode of the argument kind is run and timed,
// the recommendation is the fastest row, automatic's row names what
// automatic_mode resolves to, and the predictions are the cost model's.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <duet/tensor.hpp>

namespace {

bool has_mode(const duet::mode_comparison& c, const std::string& mode) {
    for (const auto& r : c.modes)
        if (r.mode == mode) return true;
    return false;
}

void check_common(const duet::mode_comparison& c) {
    REQUIRE(!c.modes.empty());
    for (const auto& r : c.modes) {
        INFO(r.mode);
        CHECK(r.ns > 0);
        CHECK(std::isfinite(r.ns));
    }
    CHECK(c.recommended == c.fastest().mode);
    CHECK(has_mode(c, "automatic (-> " + c.automatic + ")"));
    const std::string text = c.str();
    for (const auto& r : c.modes) CHECK(text.find(r.mode) != std::string::npos);
    CHECK(text.find("recommended: " + c.recommended) != std::string::npos);
}

}  // namespace

TEST_CASE("compare_modes: a gradient of a container function") {
    const auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        T s = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * x[i];
        return s;
    };
    const std::vector<double> x(40, 0.5);
    const auto c = duet::compare_modes(f, x);
    check_common(c);
    CHECK(c.derivative == "gradient");
    CHECK(c.n == 40);
    CHECK(c.m == 1);
    CHECK(c.plain_ns > 0);
    CHECK(c.automatic == duet::to_string(duet::automatic_mode(duet::argument_kind::container,
                                                              duet::derivative_kind::gradient, 40)));
    for (const char* mode : {"forward, 1 lane", "forward, 2 lanes", "forward, 4 lanes", "forward, 8 lanes",
                             "reverse (tape)"})
        CHECK(has_mode(c, mode));
    // The model's predictions, in plain evaluations: 40 one-lane passes, 5
    // eight-lane passes, one recording and one sweep.
    using M = duet::jacobian_cost_model;
    CHECK(c.modes[0].predicted == Approx(40 * M::pass_cost(1)));
    CHECK(c.modes[3].predicted == Approx(5 * M::pass_cost(8)));
    CHECK(c.modes[4].predicted == Approx(M::reverse_record_cost + M::reverse_sweep_cost));
}

TEST_CASE("compare_modes: a Jacobian of a container function learns m") {
    const auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        std::vector<T> out;
        for (std::size_t i = 0; i < 12; ++i) out.push_back(x[i % x.size()] * double(i));
        return out;
    };
    const std::vector<double> x{1.0, 2.0, 3.0};
    const auto c = duet::compare_modes(f, x);
    check_common(c);
    CHECK(c.derivative == "jacobian");
    CHECK(c.m == 12);
    CHECK(c.automatic == duet::to_string(duet::automatic_mode(duet::argument_kind::container,
                                                              duet::derivative_kind::jacobian, 3, 12)));
}

TEST_CASE("compare_modes: scalar arguments run forward, the static adjoint and the tape") {
    const auto c = duet::compare_modes([](auto a, auto b) { return a * sin(b) + exp(a * b); }, 0.5, 1.5);
    check_common(c);
    CHECK(c.n == 2);
    CHECK(c.automatic == "forward");
    for (const char* mode : {"forward, 2 lanes", "reverse (static adjoint)", "reverse (tape)"}) CHECK(has_mode(c, mode));
}

TEST_CASE("compare_modes: tensor gradient and Jacobian") {
    xt::xtensor<double, 1> x = xt::linspace<double>(0.1, 1.0, 20);
    const auto g = duet::compare_modes([](const auto& v) { return duet::sum(duet::exp(v)); }, x);
    check_common(g);
    CHECK(g.derivative == "gradient");
    CHECK(g.automatic == "reverse");
    CHECK(std::isnan(g.plain_ns));

    const auto j = duet::compare_modes([](const auto& v) { return duet::exp(v) * 2.0; }, x);
    check_common(j);
    CHECK(j.derivative == "jacobian");
    CHECK(j.m == 20);
    CHECK(has_mode(j, "forward, 32 lanes"));
}
