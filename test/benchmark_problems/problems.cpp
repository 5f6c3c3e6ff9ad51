// The benchmark problem set (benchmark/problems/): every hand-written
// gradient against central differences (Richardson, fd::precise), the
// hand-written value against the generic source on double, and the worked
// examples against the values the design states for them (in each test).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include <duet/check/finite_difference.hpp>

#include "problems/all.hpp"

namespace {

// Central differences at the two smallest sizes (8 dimension(n) calls of f
// each); the value check also at the quick size.
template <class P>
void check_problem() {
    const std::vector<std::size_t> all = P::sizes();
    for (const std::size_t n : all) {
        const std::size_t dim = P::dimension(n);
        const bool with_fd = n == all[0] || (all.size() > 1 && n == all[1]);
        if (!with_fd && n != P::quick_size()) continue;
        INFO(P::name << " n = " << n);
        const std::vector<double> x = P::input(n);
        REQUIRE(x.size() == dim);
        // g starts as NaN: hand must write every entry.
        std::vector<double> g(dim, std::numeric_limits<double>::quiet_NaN());
        const double v_hand = P::hand(x, g);
        const double v_plain = P::template f<double>(x);
        CHECK(std::isfinite(v_plain));
        CHECK(std::abs(v_hand - v_plain) <= 1e-12 * std::max(1.0, std::abs(v_plain)));
        if (!with_fd) continue;
        const std::vector<double> fd =
            duet::fd::gradient([](const std::vector<double>& v) { return P::template f<double>(v); }, x,
                               duet::fd::precise);
        double scale = std::max(1.0, std::abs(v_plain));
        for (double gi : g) scale = std::max(scale, std::abs(gi));
        double worst = 0;
        std::size_t worst_i = 0;
        for (std::size_t i = 0; i < dim; ++i) {
            const double e = std::abs(g[i] - fd[i]);
            if (!(e <= worst)) {  // catches NaN
                worst = e;
                worst_i = i;
            }
        }
        INFO("worst coordinate " << worst_i << ": hand " << g[worst_i] << ", fd " << fd[worst_i]);
        CHECK(worst <= 1e-9 * scale);
    }
}

template <class... P>
void check_all(std::tuple<P...>*) {
    (check_problem<P>(), ...);
}

}  // namespace

TEST_CASE("every hand-written gradient agrees with central differences", "[benchmark_problems]") {
    check_all(static_cast<duet_bench::all_problems*>(nullptr));
}

TEST_CASE("worked examples give the stated values", "[benchmark_problems]") {
    std::vector<double> g(3);
    CHECK(duet_bench::example1::hand({2.0, 3.0}, g) == 88.0);
    CHECK(g[0] == 140.0);
    CHECK(g[1] == 24.0);
    CHECK(duet_bench::example2::hand({1.0, 2.0, 0.0}, g) == 6.0);
    CHECK(g == std::vector<double>{2.0, 5.0, 0.0});
    g.resize(2);
    CHECK(duet_bench::example3::hand({2.0, 3.0}, g) == Approx(412.19146).epsilon(1e-8));
    CHECK(g[0] == Approx(1208.38122).epsilon(1e-8));
    CHECK(g[1] == Approx(809.70748).epsilon(1e-8));
}

TEST_CASE("problem inputs are deterministic and sized", "[benchmark_problems]") {
    using namespace duet_bench;
    CHECK(matrix_product::order(matrix_product::dimension(64)) == 64);
    CHECK(window_classifier::hidden(window_classifier::dimension(1024)) == 1024);
    CHECK(regression::input(50) == regression::input(50));
    CHECK(stochastic_volatility::data(256) == stochastic_volatility::data(256));
    CHECK(llsq::s(0) == -1.0);
    CHECK(llsq::s(llsq::m - 1) == 1.0);
}
