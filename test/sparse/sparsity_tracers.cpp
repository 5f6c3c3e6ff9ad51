// Sparsity tracers (sparse/tracer.hpp) in generic code: T(c), accumulators,
// helper templates, std:: spellings, numeric_limits, branches; dependency
// sets and their storage; std::array, float and long double; nested
// detections and threads.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <thread>
#include <type_traits>
#include <vector>

#include <duet/sparse/sparsity.hpp>

#include "sparsity_support.hpp"

using namespace duet_sparsity_test;

// ---- generic code on tracers ------------------------------------------------------------

namespace {

template <class T>
T helper_square(const T& x) {  // a helper template returning T
    return x * x;
}

// The constructs of generic numeric code, on any number type T.
template <class T>
T generic_code(const std::vector<T>& x) {
    T s = 0;                                   // an accumulator from an int
    s += static_cast<T>(2.5) * x[0];           // static_cast of a constant
    s = s + T(2.0);                            // T(c)
    T t = helper_square(x[1]);                 // helper returning T
    t *= std::exp(x[2]);                       // std:: spelling
    t = t + std::max(x[3], x[4]);              // std::max on two leaves
    t -= std::numeric_limits<T>::epsilon();    // numeric_limits constants
    if (std::isinf(std::numeric_limits<T>::infinity()) && x[0] < std::numeric_limits<T>::max())
        t /= 1 + duet::sigmoid(x[5]);
    const auto e = std::pow(x[6], 3) + std::fma(x[7], x[0], 1.0) + std::clamp(x[8], T(-1), T(1));
    return s + t + e + std::floor(x[9]) * x[9] + duet::digamma(x[10]);
}

}  // namespace

TEST_CASE("tracers run generic code: T(c), accumulators, helpers, std::, numeric_limits, branches", "[sparsity]") {
    const auto x = generic_point(11);
    const auto f = [](const auto& v) { return generic_code(v); };
    const auto vector_f = [](const auto& v) {
        using T = std::decay_t<decltype(v[0])>;
        return std::vector<T>{generic_code(v), v[1]};
    };
    check_hessian_equals_dense(f, x);
    // The Jacobian is structural: max(x3, x4) depends on both, floor(x9) x9
    // on x9 (its partial floor(x9) is 0 here).
    const auto jp = duet::jacobian_sparsity(vector_f, x);
    const auto dense = nonzeros(duet::jacobian(duet::reverse, vector_f, x));
    INFO(show(jp) << " vs dense " << show(dense));
    CHECK(within(dense, jp));
    CHECK(jp.row_offsets[1] == 11);
    CHECK(jp.nonzeros() == 12);
    CHECK(dense.nonzeros() == 10);
    // floor(x9) is a plain number (derivative 0): x9 enters linearly.
    const auto p = duet::hessian_sparsity(f, x);
    CHECK(p.row_offsets[10] == p.row_offsets[9]);
    CHECK(p.contains(1, 2));
    CHECK(p.contains(5, 1));
    CHECK_FALSE(p.contains(0, 0));
}

TEST_CASE("tracers: dependency sets, constants and numeric_limits", "[sparsity]") {
    using J = duet::jacobian_tracer<double>;
    using H = duet::hessian_tracer<double>;
    static_assert(std::numeric_limits<J>::is_specialized && std::numeric_limits<H>::digits == 53);
    CHECK(std::numeric_limits<J>::infinity().value() == std::numeric_limits<double>::infinity());
    CHECK(std::numeric_limits<J>::epsilon().dependencies().empty());
    CHECK(std::numeric_limits<H>::max().value().value() == std::numeric_limits<double>::max());
    const J a = J::independent(2.0, 3), b = J::independent(0.0, 1);
    const J c = a * b + 1.0;
    CHECK(c.value() == 1.0);
    CHECK(std::vector<std::uint32_t>(c.dependencies().begin(), c.dependencies().end()) ==
          std::vector<std::uint32_t>{1, 3});
    const J zero_times = a * 0.0;  // structural: still depends on a
    CHECK(zero_times.dependencies().size() == 1);
    J d = 5;
    CHECK(d.dependencies().empty());
    d = a;
    d *= d;
    CHECK(d.value() == 4.0);
    CHECK(d.dependencies().size() == 1);
    d = 1.5;
    CHECK(d.dependencies().empty());
    // Hessian tracers outside a detection: values and sets, nothing recorded.
    const H h = H::independent(3.0, 0) * H::independent(2.0, 7);
    CHECK(h.value().value() == 6.0);
    CHECK(h.dependencies().size() == 2);
}

TEST_CASE("sparsity: large dependency sets (heap storage shared by copies)", "[sparsity]") {
    for (std::size_t n : {7, 64, 65, 3000}) {
        INFO("n = " << n);
        // A dense row built by a long sum and by one long statement.
        const auto f = [](const auto& x) {
            using T = std::decay_t<decltype(x[0])>;
            T s = 0;
            for (std::size_t i = 0; i < x.size(); ++i) s += x[i];
            const T copy = s;
            std::vector<T> out{copy, s * s, x[0] + x[1] * x[2] + x[3] * x[4] + x[5] * x[6] - copy, T(1)};
            return out;
        };
        const auto p = duet::jacobian_sparsity(f, generic_point(n));
        CHECK(well_formed(p));
        CHECK(p.nonzeros() == 3 * n);
        CHECK(p.row_offsets[4] == p.row_offsets[3]);
        // (sum x)^2: dense Hessian.
        const auto g = [](const auto& x) {
            using T = std::decay_t<decltype(x[0])>;
            T s = 0;
            for (const auto& xi : x) s += xi;
            return s * s;
        };
        if (n <= 65) {
            const auto h = duet::hessian_sparsity(g, generic_point(n));
            CHECK(h.nonzeros() == n * n);
            CHECK(symmetric(h));
        }
    }
}

// ---- argument and result types -------------------------------------------------------------

TEST_CASE("sparsity: std::array arguments and results, float and long double", "[sparsity]") {
    const auto f = [](const auto& x) {
        using T = std::decay_t<decltype(x[0])>;
        return std::array<T, 3>{x[0] * x[1], sin(x[2]), T(1)};
    };
    const auto g = [](const auto& x) { return x[0] * x[1] + cos(x[2]); };
    const auto jp = entries(3, 3, {{0, 0}, {0, 1}, {1, 2}});
    const auto hp = entries(3, 3, {{0, 1}, {1, 0}, {2, 2}});
    CHECK(duet::jacobian_sparsity(f, std::array<double, 3>{0.1, 0.2, 0.3}) == jp);
    CHECK(duet::jacobian_sparsity(f, std::vector<float>{0.1f, 0.2f, 0.3f}) == jp);
    CHECK(duet::jacobian_sparsity(f, std::array<long double, 3>{0.1L, 0.2L, 0.3L}) == jp);
    CHECK(duet::hessian_sparsity(g, std::array<double, 3>{0.1, 0.2, 0.3}) == hp);
    CHECK(duet::hessian_sparsity(g, std::vector<float>{0.1f, 0.2f, 0.3f}) == hp);
    CHECK(duet::hessian_sparsity(g, std::vector<long double>{0.1L, 0.2L, 0.3L}) == hp);
    check_jacobian_equals_dense(f, std::vector<double>{0.1, 0.2, 0.3});
    check_hessian_equals_dense(g, std::vector<double>{0.1, 0.2, 0.3});
    // Lorenz-96 in float and long double.
    std::vector<float> xf(40);
    std::vector<long double> xl(40);
    for (std::size_t i = 0; i < 40; ++i) {
        xf[i] = float(generic_point(40)[i]);
        xl[i] = generic_point(40)[i];
    }
    CHECK(duet::jacobian_sparsity(lorenz96{}, xf) == lorenz96_pattern(40));
    CHECK(duet::jacobian_sparsity(lorenz96{}, xl) == lorenz96_pattern(40));
    CHECK(duet::hessian_sparsity(rosenbrock, xf) == tridiagonal(40));
    CHECK(duet::hessian_sparsity(rosenbrock, xl) == tridiagonal(40));
}

TEST_CASE("sparsity: empty x; a function object with a template call operator", "[sparsity]") {
    const std::vector<double> empty;
    CHECK(duet::jacobian_sparsity(lorenz96{}, empty) == entries(0, 0, {}));
    CHECK(duet::hessian_sparsity(rosenbrock, empty) == entries(0, 0, {}));
    CHECK(duet::jacobian_sparsity(bratu2d{3}, generic_point(9)) == bratu2d_pattern(3));
}

// ---- the recorder's scope ------------------------------------------------------------------

TEST_CASE("hessian_sparsity: a detection inside another, and on several threads", "[sparsity]") {
    const auto outer = [](const auto& x) {
        // An inner detection while the outer one records.
        const auto inner = duet::hessian_sparsity([](const auto& v) { return v[0] * v[1]; }, std::vector<double>{1, 2});
        CHECK(inner == entries(2, 2, {{0, 1}, {1, 0}}));
        return x[0] * x[0] + x[1];
    };
    CHECK(duet::hessian_sparsity(outer, std::vector<double>{1, 2}) == entries(2, 2, {{0, 0}}));

    std::vector<duet::sparsity_pattern> results(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < results.size(); ++t)
        threads.emplace_back([&results, t] { results[t] = duet::hessian_sparsity(rosenbrock, generic_point(50 + t)); });
    for (auto& th : threads) th.join();
    for (std::size_t t = 0; t < results.size(); ++t) CHECK(results[t] == tridiagonal(50 + t));
}
