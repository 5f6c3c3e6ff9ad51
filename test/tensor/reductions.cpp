// tensor/reductions.hpp: log_sum_exp keeps its exponentials for its
// derivatives (aux, tensor/evaluate.hpp). Checked here: the value is the
// plain value bit for bit, the derivative is softmax = exp(a - y) to within
// rounding, forward and reverse agree, and lanes whose maximum is not
// finite keep the plain rules' special values.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "support.hpp"

using namespace duet_test;

namespace {
std::mt19937 rng(404);
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double qnan = std::numeric_limits<double>::quiet_NaN();

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }
}  // namespace

TEST_CASE("log_sum_exp: kept exponentials give softmax; the value is unchanged", "[tensor][log_sum_exp]") {
    for (std::size_t n : {1u, 3u, 8u, 13u, 1000u}) {
        INFO("n = " << n);
        const auto x = random_tensor<1>(rng, {n}, -30.0, 30.0);
        auto f = [](const auto& v) { return duet::log_sum_exp(v); };
        const auto r = duet::value_and_gradient(duet::reverse, f, x);
        CHECK(same_bits(r.value, plain_value(f(x))));
        double m = x(0);
        for (double v : x) m = std::max(m, v);
        double s = 0;
        for (double v : x) s += std::exp(v - m);
        const double y = m + std::log(s);
        for (std::size_t j = 0; j < n; ++j) CHECK(agree(r.gradient(j), std::exp(x(j) - y), 1e-14));
        // forward and reverse: the same softmax elements
        const auto v = random_tensor<1>(rng, {n});
        double dot = 0;
        for (std::size_t j = 0; j < n; ++j) dot += r.gradient(j) * v(j);
        CHECK(agree(duet::jvp(f, x, v)(), dot, 1e-14));
        const auto fg = duet::gradient(duet::forward, f, x);
        for (std::size_t j = 0; j < n; ++j) CHECK(same_bits(fg(j), r.gradient(j)));
    }
}

TEST_CASE("log_sum_exp along an axis: lanes with NaN, +inf, all -inf", "[tensor][log_sum_exp]") {
    // rows: ordinary, a NaN, a +inf, all -inf, one -inf among finite values
    tensor<2> x{{0.5, -1.0, 2.0}, {1.0, qnan, 0.0}, {1.0, inf, 0.0}, {-inf, -inf, -inf}, {-inf, 3.0, 1.0}};
    for (std::size_t axis : {1u, 0u}) {
        INFO("axis " << axis);
        const tensor<2> a = axis == 1 ? x : tensor<2>(xt::transpose(x));
        auto f = [axis](const auto& v) { return duet::sum(duet::log_sum_exp(v, axis)); };
        const auto g = duet::gradient(duet::reverse, f, a);
        const auto at = [&](std::size_t row, std::size_t j) { return axis == 1 ? g(row, j) : g(j, row); };
        // ordinary lanes: softmax
        for (std::size_t row : {0u, 4u}) {
            double m = -inf, s = 0;
            for (std::size_t j = 0; j < 3; ++j) m = std::max(m, x(row, j));
            for (std::size_t j = 0; j < 3; ++j) s += std::exp(x(row, j) - m);
            for (std::size_t j = 0; j < 3; ++j) CHECK(agree(at(row, j), std::exp(x(row, j) - m - std::log(s)), 1e-14));
        }
        CHECK(at(4, 0) == 0.0);  // exp(-inf - y)
        for (std::size_t j = 0; j < 3; ++j) {
            CHECK(std::isnan(at(1, j)));  // a NaN: the whole lane
            CHECK(std::isnan(at(3, j)));  // all -inf: -inf - (-inf)
        }
        CHECK(at(2, 0) == 0.0);  // y = +inf: exp(1 - inf) = 0
        CHECK(std::isnan(at(2, 1)));  // exp(inf - inf)
        CHECK(at(2, 2) == 0.0);
        // forward mode: the same derivatives
        const auto fg = duet::gradient(duet::forward, f, a);
        for (std::size_t i = 0; i < a.size(); ++i)
            CHECK((same_bits(fg.data()[i], g.data()[i]) || (std::isnan(fg.data()[i]) && std::isnan(g.data()[i]))));
    }
}
