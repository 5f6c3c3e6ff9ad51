// The static adjoint: a compile-time reverse sweep over one expression.
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>

#include <catch2/catch.hpp>

#include "duet/duet.hpp"

// AddressSanitizer owns operator new/delete; counting allocations is only
// done in builds without it.
#include "../support/allocation_counting.hpp"

namespace {
std::atomic<long> allocations{0};
}

#if DUET_COUNT_ALLOCATIONS
// Count every heap allocation in this test program.
void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc{};
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

TEST_CASE("a leaf used several times accumulates (fan-out sums)", "[static_adjoint]") {
    // f = x*x*x + x*y + x: df/dx = 3x^2 + y + 1
    auto g = duet::gradient(duet::reverse, [](auto x, auto y) { return x * x * x + x * y + x; }, 2.0, 5.0);
    CHECK(g[0] == 12 + 5 + 1);
    CHECK(g[1] == 2.0);
}

TEST_CASE("+ distributes, * swaps, max routes", "[static_adjoint]") {
    auto g = duet::gradient(duet::reverse, [](auto x, auto y, auto z) { return (x + y) * max(y, z); }, 1.0, 2.0, 0.0);
    CHECK(g == std::array<double, 3>{2, 5, 0});
}

TEST_CASE("the static adjoint allocates nothing", "[static_adjoint]") {
    if (!DUET_COUNT_ALLOCATIONS) return;  // sanitizer build: allocations are not counted
    auto f = [](auto x, auto y, auto z) { return exp(x * z) + x * z / log(x) + sin(log(x)) / (x * z) + y; };
    const long before = allocations.load();
    auto g = duet::gradient(duet::reverse, f, 2.0, 1.0, 3.0);
    auto h = duet::gradient(duet::forward, f, 2.0, 1.0, 3.0);
    CHECK(allocations.load() == before);
    CHECK(g[1] == 1.0);
    CHECK(h[1] == 1.0);
}

TEST_CASE("static_adjoint with a seed scales the gradient", "[static_adjoint]") {
    const auto x = duet::static_var<double>::argument(3.0, 0);
    const auto y = duet::static_var<double>::argument(4.0, 1);
    double v = 0;
    std::array<double, 2> g{};
    duet::static_adjoint<2>(hypot(x, y), 2.0, v, g);
    CHECK(v == 5.0);
    CHECK(g[0] == Approx(2 * 3.0 / 5).epsilon(1e-15));
    CHECK(g[1] == Approx(2 * 4.0 / 5).epsilon(1e-15));
}

TEST_CASE("the static adjoint is a constant expression", "[static_adjoint]") {
    constexpr auto g = duet::gradient(duet::reverse, [](auto x, auto y) { return x * x * x * (x + 3 * y); }, 2.0, 3.0);
    static_assert(g[0] == 140.0 && g[1] == 24.0);
    constexpr auto h = duet::gradient(duet::forward, [](auto x, auto y) { return x * x * x * (x + 3 * y); }, 2.0, 3.0);
    static_assert(h[0] == 140.0 && h[1] == 24.0);
    CHECK(g == h);
}

TEST_CASE("plain products, and the strong-zero rule where a NaN came out: the rule's bits", "[static_adjoint]") {
    // d/dy of x * sqrt(y) at x = 0, y = 0: 0 * inf, +0 under the rule (NaN
    // with plain products: the driver sweeps again); d/dx = sqrt(0) = 0.
    const auto f = [](auto x, auto y) { return x * sqrt(y) + 2.0 * x; };
    const auto r = duet::gradient(duet::reverse, f, 0.0, 0.0);
    const auto fw = duet::gradient(duet::forward, f, 0.0, 0.0);
    CHECK(r[0] == 2.0);
    CHECK(r[1] == 0.0);
    CHECK_FALSE(std::signbit(r[1]));
    CHECK(r == fw);
    // A NaN that the rule keeps (log of a negative number) next to ordinary
    // components: the same bits as forward mode, NaN where it belongs.
    const auto g = [](auto x, auto y, auto z) { return x * y - 0.5 * log(z) * y + z * 0.0 * sqrt(x - x); };
    const auto rg = duet::gradient(duet::reverse, g, -1.5, 2.0, -3.0);
    const auto fg = duet::gradient(duet::forward, g, -1.5, 2.0, -3.0);
    CHECK(rg[0] == fg[0]);
    CHECK(std::isnan(rg[1]));
    CHECK(std::isnan(fg[1]));
    CHECK(std::isnan(rg[2]) == std::isnan(fg[2]));
    // Signed zeros as forward mode has them.
    const auto h = [](auto x, auto y) { return -(x * y); };
    const auto rh = duet::gradient(duet::reverse, h, 0.0, -0.0);
    const auto fh = duet::gradient(duet::forward, h, 0.0, -0.0);
    CHECK(std::signbit(rh[0]) == std::signbit(fh[0]));
    CHECK(std::signbit(rh[1]) == std::signbit(fh[1]));
}

TEST_CASE("static_adjoint adds to the caller's gradient; a NaN already there is not redone", "[static_adjoint]") {
    const auto x = duet::static_var<double>::argument(0.0, 0);
    const auto y = duet::static_var<double>::argument(0.0, 1);
    double v = 0;
    std::array<double, 2> g{1.5, std::nan("")};
    duet::static_adjoint<2>(x * sqrt(y) + 2.0 * x, 1.0, v, g);  // d/dy: 0 x inf, +0 by the rule
    CHECK(g[0] == 1.5 + 2.0);
    CHECK(std::isnan(g[1]));
    std::array<double, 2> h{1.5, -4.0};
    duet::static_adjoint<2>(x * sqrt(y) + 2.0 * x, 1.0, v, h);
    CHECK(h[0] == 3.5);
    CHECK(h[1] == -4.0);
}

