// duet::dual<T, N> over float / double with 4, 8 or 16 lanes holds its lanes
// in a vector type (forward/dual.hpp, lane_vector_of): the same layout as a
// value and N numbers, the std::array views (tangent(i), tangents()) read and
// write the lanes, and every lane is what a one-lane pass computes for that
// direction: the same multiply-adds lane by lane, up to the compiler's FMA
// contraction (g++ -march=native contracts `p * t` used twice into two FMAs
// on vectors, and rounds it once and adds it twice on scalars: last bits).
// Zeros (strong zero, unseeded lanes) are exact.
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include "duet/duet.hpp"

namespace {

static_assert(sizeof(duet::dual<double, 4>) == 5 * sizeof(double));
static_assert(sizeof(duet::dual<double, 8>) == 9 * sizeof(double));
static_assert(sizeof(duet::dual<float, 16>) == 17 * sizeof(float));
static_assert(alignof(duet::dual<double, 8>) == alignof(double));
static_assert(alignof(duet::dual<float, 16>) == alignof(float));
static_assert(std::is_trivially_copyable_v<duet::dual<double, 8>>);
static_assert(std::is_same_v<decltype(std::declval<duet::dual<double, 8>&>().tangents()), std::array<double, 8>&>);

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// As users write it: named locals, an accumulator, constants.
template <class T>
T user_function(const std::vector<T>& x) {
    using std::exp, std::sqrt, std::log;
    T s = 0.0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        const T d = x[i + 1] - x[i] * x[i];
        const T e = 1.0 - x[i];
        const T z = (x[i] + 0.56) / 1.37;
        s += 100.0 * d * d + e * e - 0.5 * z * z;
        s *= 0.999;
        s += exp(-z * z) + sqrt(x[i] * x[i]) + log(2.0 + x[i + 1]);
    }
    return s / T(double(x.size()));
}

template <class T, std::size_t N>
void every_lane_equals_its_one_lane_pass() {
    const std::size_t n = 2 * N + 3;
    std::vector<T> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = T(1) + T(0.01) * T(std::sin(0.37 * double(i) + 0.1));
    x[3] = T(0);  // sqrt(x * x) at 0: an infinite partial on every lane
    for (std::size_t first = 0; first < n; first += N) {
        std::vector<duet::dual<T, N>> xs(n);
        for (std::size_t i = 0; i < n; ++i) {
            xs[i] = x[i];
            if (i >= first && i - first < N) xs[i].tangent(i - first) = T(1);
        }
        const duet::dual<T, N> y = user_function(xs);
        for (std::size_t l = 0; l < N && first + l < n; ++l) {
            std::vector<duet::dual<T, 1>> x1(n);
            for (std::size_t i = 0; i < n; ++i) x1[i] = x[i];
            x1[first + l].tangent() = T(1);
            const duet::dual<T, 1> y1 = user_function(x1);
            CHECK(same_bits(y.value(), y1.value()));
            INFO("lanes " << N << ", direction " << first + l << ": " << y.tangent(l) << " vs " << y1.tangent());
            if (y1.tangent() == T(0))
                CHECK(same_bits(y.tangent(l), y1.tangent()));
            else
                CHECK(y.tangent(l) == Approx(y1.tangent()).epsilon(std::is_same_v<T, float> ? 1e-5 : 1e-13));
        }
    }
}

}  // namespace

TEST_CASE("vector lanes: each lane is the one-lane pass", "[dual][lanes]") {
    every_lane_equals_its_one_lane_pass<double, 4>();
    every_lane_equals_its_one_lane_pass<double, 8>();
    every_lane_equals_its_one_lane_pass<float, 8>();
    every_lane_equals_its_one_lane_pass<float, 16>();
}

TEST_CASE("vector lanes: tangent(i) and tangents() read and write the lanes", "[dual][lanes]") {
    duet::dual<double, 8> x{2.0, {1, 2, 3, 4, 5, 6, 7, 8}};
    x.tangent(3) = -4.0;
    x.tangents()[7] = 0.5;
    const duet::dual<double, 8> y = 3.0 * x;
    const std::array<double, 8> expected{3, 6, 9, -12, 15, 18, 21, 1.5};
    CHECK(y.tangents() == expected);
    for (std::size_t i = 0; i < 8; ++i) CHECK(y.tangent(i) == expected[i]);
    duet::dual<double, 8> z = y;  // a copy carries every lane
    z.tangents().fill(1.0);
    CHECK(y.tangent(0) == 3.0);
    CHECK(duet::dual<double, 8>(z + y).tangent(5) == 19.0);
    z = 4.0;  // a number: lanes zero
    for (double t : z.tangents()) CHECK(t == 0.0);
}

TEST_CASE("vector lanes: strong zero per lane", "[dual][lanes]") {
    // sqrt at 0: partial inf. Unseeded lanes stay exactly 0, the seeded one
    // is inf; a zero partial (x * 0) keeps an infinite lane out.
    duet::dual<double, 8> x{0.0, {0, 1, 0, 0, 0, 0, 0, 0}};
    const duet::dual<double, 8> r = sqrt(x);
    for (std::size_t i = 0; i < 8; ++i) {
        if (i == 1)
            CHECK(r.tangent(i) == std::numeric_limits<double>::infinity());
        else
            CHECK(same_bits(r.tangent(i), 0.0));
    }
    const duet::dual<double, 8> flat = r * 0.0 + 1.0;
    for (double t : flat.tangents()) CHECK(same_bits(t, 0.0));

    duet::dual<float, 16> xf{0.0f, {}};
    xf.tangent(15) = 1.0f;
    const duet::dual<float, 16> rf = sqrt(xf);
    CHECK(rf.tangent(15) == std::numeric_limits<float>::infinity());
    for (std::size_t i = 0; i < 15; ++i) CHECK(same_bits(rf.tangent(i), 0.0f));
}

TEST_CASE("vector lanes: the gradient driver with 8 lanes", "[dual][lanes]") {
    std::vector<double> x(37);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0 + 0.01 * std::sin(0.37 * double(i) + 0.1);
    const auto f = [](const auto& v) {
        using T = typename std::remove_cvref_t<decltype(v)>::value_type;
        T s = 0.0;
        for (std::size_t i = 0; i + 1 < v.size(); ++i) {
            const T d = v[i + 1] - v[i] * v[i];
            const T e = 1.0 - v[i];
            s += 100.0 * d * d + e * e;
        }
        return s;
    };
    const auto g = duet::gradient(duet::forward, f, x);
    const auto r = duet::gradient(duet::reverse, f, x);
    REQUIRE(g.size() == x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        double h = 0;
        if (i + 1 < x.size()) h += -400.0 * (x[i + 1] - x[i] * x[i]) * x[i] - 2.0 * (1.0 - x[i]);
        if (i > 0) h += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
        CHECK(g[i] == Approx(h).epsilon(1e-12));
        CHECK(g[i] == Approx(r[i]).epsilon(1e-14));
    }
}
