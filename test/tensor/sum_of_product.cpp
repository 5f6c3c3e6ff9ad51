// tensor/sum_of_product.hpp: sum(matmul(A, B)) and mean(...) without the
// product, against the product's own rules (the same expression under a
// reshape, which is not fused), central differences, and forward mode.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "support.hpp"

using namespace duet_test;

namespace {

std::mt19937 rng(77);

// Agreement up to the rounding of a reordered sum: relative to the sum of
// the magnitudes of the terms, bounded here by `scale`.
bool close(const std::vector<double>& a, const std::vector<double>& b, double scale) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) || std::isnan(b[i])) {
            if (std::isnan(a[i]) != std::isnan(b[i])) return false;
            continue;
        }
        if (std::abs(a[i] - b[i]) > 1e-14 * scale) return false;
    }
    return true;
}

template <class Fused, class Unfused>
void check_same(Fused fused, Unfused unfused, const tensor<2>& A, const tensor<2>& B) {
    // every term |A_ik B_kj| is below 1, so sums of at most m k p terms
    const double scale = double(A.shape()[0] * A.shape()[1] * B.shape()[1]);
    const auto rf = duet::value_and_gradient(duet::reverse, fused, A, B);
    const auto ru = duet::value_and_gradient(duet::reverse, unfused, A, B);
    CHECK(close({rf.value}, {ru.value}, scale));
    CHECK(close(flat(rf.gradient), flat(ru.gradient), scale));
    const auto ff = duet::value_and_gradient(duet::forward, fused, A, B);
    CHECK(close({ff.value}, {rf.value}, scale));
    CHECK(close(flat(ff.gradient), flat(rf.gradient), scale));
    const auto dA = random_tensor<2>(rng, A.shape()), dB = random_tensor<2>(rng, B.shape());
    const double jf = duet::jvp(fused, std::tuple{A, B}, std::tuple{dA, dB})();
    const double ju = duet::jvp(unfused, std::tuple{A, B}, std::tuple{dA, dB})();
    CHECK(close({jf}, {ju}, scale));
    CHECK(all_agree(central_differences(fused, A, B), flat(rf.gradient), 1e-6));
}

}  // namespace

TEST_CASE("sum(matmul(A, B)) is evaluated without the product", "[tensor][sum_of_product]") {
    using duet::detail::is_sum_of_product;
    auto f = [](const auto& a, const auto& b) { return duet::sum(duet::matmul(a, b)); };
    STATIC_REQUIRE(is_sum_of_product<std::remove_cvref_t<decltype(f(duet::tensor_var<2, 0>{nullptr},
                                                                     duet::tensor_var<2, 1>{nullptr}))>>::value);
    // matrix x vector is already O(n^2): not this node
    auto g = [](const auto& a, const auto& x) { return duet::sum(duet::matmul(a, x)); };
    STATIC_REQUIRE(!is_sum_of_product<std::remove_cvref_t<decltype(g(duet::tensor_var<2, 0>{nullptr},
                                                                      duet::tensor_var<1, 1>{nullptr}))>>::value);
    for (auto [m, k, p] : {std::array<std::size_t, 3>{1, 1, 1}, {3, 5, 2}, {17, 8, 13}, {64, 64, 64}}) {
        INFO(m << " x " << k << " x " << p);
        const auto A = random_tensor<2>(rng, {m, k}), B = random_tensor<2>(rng, {k, p});
        const std::array<std::size_t, 2> s{m, p};
        check_same(f, [s](const auto& a, const auto& b) { return duet::sum(duet::reshape(duet::matmul(a, b), s)); },
                   A, B);
        check_same([](const auto& a, const auto& b) { return 3.0 * duet::mean(duet::matmul(a * 2.0 - b(0, 0), b)); },
                   [s](const auto& a, const auto& b) {
                       return 3.0 * duet::mean(duet::reshape(duet::matmul(a * 2.0 - b(0, 0), b), s));
                   },
                   A, B);
    }
}

TEST_CASE("sum(matmul(A, B)): a constant operand, NaN, shapes that do not fit", "[tensor][sum_of_product]") {
    const auto A = random_tensor<2>(rng, {4, 3}), B = random_tensor<2>(rng, {3, 5});
    const auto gB = duet::gradient(duet::reverse, [&](const auto& b) { return duet::sum(duet::matmul(duet::constant_ref(A), b)); }, B);
    // ∂/∂B_kj = Σ_i A_ik
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t j = 0; j < 5; ++j) CHECK(gB(k, j) == Approx(A(0, k) + A(1, k) + A(2, k) + A(3, k)).epsilon(1e-15));
    auto An = A;
    An(2, 1) = std::numeric_limits<double>::quiet_NaN();
    auto f = [](const auto& a, const auto& b) { return duet::sum(duet::matmul(a, b)); };
    const auto r = duet::value_and_gradient(duet::reverse, f, An, B);
    CHECK(std::isnan(r.value));
    const auto& [ga, gb] = r.gradient;
    for (double v : ga) CHECK(std::isfinite(v));  // A's adjoint reads B only
    for (std::size_t j = 0; j < 5; ++j) {
        CHECK(std::isnan(gb(1, j)));  // column 1 of A holds the NaN
        CHECK(std::isfinite(gb(0, j)));
    }
    const auto C = random_tensor<2>(rng, {4, 5});
    try {
        (void)duet::gradient(duet::reverse, f, A, C);
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        CHECK(what.find("(4, 3)") != std::string::npos);
        CHECK(what.find("(4, 5)") != std::string::npos);
    }
}
