// Tests for duet/tensor/multi_dot.hpp: agreement with a naive left-to-right
// product (plain loops, no BLAS), numpy's rank rules, shape errors.
#include <duet/tensor/multi_dot.hpp>

#include <catch2/catch.hpp>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xtensor.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using matrix = xt::xtensor<double, 2>;
using vector = xt::xtensor<double, 1>;

std::size_t draw(std::mt19937_64& rng, std::size_t lo, std::size_t hi) { return lo + rng() % (hi - lo + 1); }

matrix random_matrix(std::mt19937_64& rng, std::size_t rows, std::size_t cols) {
    std::uniform_real_distribution<double> value(-1.0, 1.0);
    matrix m = matrix::from_shape({rows, cols});
    for (auto& x : m) x = value(rng);
    return m;
}

/// Textbook triple loop.
matrix naive_product(const matrix& a, const matrix& b) {
    matrix c(std::array<std::size_t, 2>{a.shape()[0], b.shape()[1]}, 0.0);
    for (std::size_t i = 0; i < a.shape()[0]; ++i)
        for (std::size_t l = 0; l < a.shape()[1]; ++l)
            for (std::size_t j = 0; j < b.shape()[1]; ++j) c(i, j) += a(i, l) * b(l, j);
    return c;
}

matrix naive_chain(const std::vector<matrix>& chain) {
    matrix product = chain.front();
    for (std::size_t i = 1; i < chain.size(); ++i) product = naive_product(product, chain[i]);
    return product;
}

/// Frobenius-norm relative difference (elementwise ratios are meaningless
/// where random signs cancel).
template <class E1, class E2>
double relative_difference(const E1& got, const E2& expected) {
    double diff = 0, norm = 0;
    auto e = expected.cbegin();
    for (auto g = got.cbegin(); g != got.cend(); ++g, ++e) {
        diff += (*g - *e) * (*g - *e);
        norm += *e * *e;
    }
    return norm == 0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

/// One random chain of K matrices (sizes 1..50) whose first and/or last
/// factor may be a vector; compares multi_dot with the naive product.
template <std::size_t K, bool FirstIsVector, bool LastIsVector>
void check_random_chain(std::mt19937_64& rng) {
    std::array<std::size_t, K + 1> dims{};
    for (auto& d : dims) d = draw(rng, 1, 50);
    if (FirstIsVector) dims.front() = 1;
    if (LastIsVector) dims.back() = 1;
    CAPTURE(K, FirstIsVector, LastIsVector, dims);

    std::vector<matrix> as_matrices;
    for (std::size_t i = 0; i < K; ++i) as_matrices.push_back(random_matrix(rng, dims[i], dims[i + 1]));
    const matrix expected = naive_chain(as_matrices);

    // Vector ends are passed as rank-1 tensors holding the same numbers.
    auto operand = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
        if constexpr (I == 0 && FirstIsVector) {
            return vector(xt::flatten(as_matrices[I]));
        } else if constexpr (I == K - 1 && LastIsVector) {
            return vector(xt::flatten(as_matrices[I]));
        } else {
            return as_matrices[I];
        }
    };
    const auto result = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return duet::multi_dot(operand(std::integral_constant<std::size_t, I>{})...);
    }(std::make_index_sequence<K>{});

    using result_type = std::remove_const_t<decltype(result)>;
    if constexpr (FirstIsVector && LastIsVector) {
        static_assert(std::is_same_v<result_type, double>);
        REQUIRE(std::abs(result - expected(0, 0)) <= 1e-12 * std::abs(expected(0, 0)) + 1e-300);
    } else if constexpr (FirstIsVector || LastIsVector) {
        static_assert(std::is_same_v<result_type, vector>);
        REQUIRE(result.size() == expected.size());
        REQUIRE(relative_difference(result, expected) <= 1e-12);
    } else {
        static_assert(std::is_same_v<result_type, matrix>);
        REQUIRE(result.shape() == expected.shape());
        REQUIRE(relative_difference(result, expected) <= 1e-12);
        REQUIRE(relative_difference(duet::multi_dot(as_matrices), expected) <= 1e-12);
    }
}

template <std::size_t K>
void check_random_chains_of_length(std::mt19937_64& rng, int count) {
    for (int trial = 0; trial < count; ++trial) {
        check_random_chain<K, false, false>(rng);
        if constexpr (K >= 2) {
            check_random_chain<K, true, false>(rng);
            check_random_chain<K, false, true>(rng);
            check_random_chain<K, true, true>(rng);
        }
    }
}

}  // namespace

TEST_CASE("multi_dot equals the naive left-to-right product", "[tensor][multi_dot]") {
    std::mt19937_64 rng(12345);
    check_random_chains_of_length<1>(rng, 5);
    check_random_chains_of_length<2>(rng, 20);
    check_random_chains_of_length<3>(rng, 20);
    check_random_chains_of_length<4>(rng, 20);
    check_random_chains_of_length<5>(rng, 20);
    check_random_chains_of_length<6>(rng, 15);
    check_random_chains_of_length<8>(rng, 10);
}

TEST_CASE("multi_dot of a run-time list of matrices", "[tensor][multi_dot]") {
    std::mt19937_64 rng(99);
    for (int trial = 0; trial < 100; ++trial) {
        const std::size_t k = draw(rng, 1, 10);
        std::vector<matrix> chain;
        std::size_t rows = draw(rng, 1, 40);
        for (std::size_t i = 0; i < k; ++i) {
            const std::size_t cols = draw(rng, 1, 40);
            chain.push_back(random_matrix(rng, rows, cols));
            rows = cols;
        }
        const matrix expected = naive_chain(chain);
        const matrix got = duet::multi_dot(chain);
        REQUIRE(got.shape() == expected.shape());
        REQUIRE(relative_difference(got, expected) <= 1e-12);
    }
}

TEST_CASE("multi_dot follows numpy's rank rules", "[tensor][multi_dot]") {
    const matrix a = {{1, 2}, {3, 4}, {5, 6}};  // 3 x 2
    const matrix b = {{1, 0, 2}, {0, 1, 3}};    // 2 x 3
    const vector u = {1, 2, 3};
    const vector v = {1, 1, 1};

    const matrix ab = duet::multi_dot(a, b);
    CHECK((ab == matrix{{1, 2, 8}, {3, 4, 18}, {5, 6, 28}}));
    const vector abv = duet::multi_dot(a, b, v);  // matrix ... vector: a column, rank 1
    CHECK((abv == vector{11, 25, 39}));
    const vector uab = duet::multi_dot(u, a, b);  // vector ... matrix: a row, rank 1
    CHECK((uab == vector{22, 28, 128}));
    const double uabv = duet::multi_dot(u, a, b, v);  // vector ... vector: a scalar
    CHECK(uabv == 178);
    CHECK(duet::multi_dot(u, v) == 6);
    const vector ua = duet::multi_dot(u, a);
    CHECK((ua == vector{22, 28}));
    CHECK((duet::multi_dot(a) == a));  // a single matrix is its own product
    CHECK((duet::multi_dot(std::vector<matrix>{a}) == a));

    const xt::xtensor<float, 2> af = {{1, 2}, {3, 4}};
    const xt::xtensor<float, 1> vf = {1, -1};
    CHECK((duet::multi_dot(af, af, vf) == xt::xtensor<float, 1>{-3, -7}));
}

TEST_CASE("multi_dot evaluates A B C with C a column as A(BC)", "[tensor][multi_dot]") {
    std::mt19937_64 rng(3);
    const matrix a = random_matrix(rng, 60, 50), b = random_matrix(rng, 50, 40), c = random_matrix(rng, 40, 1);
    const vector c_vector = xt::flatten(c);
    CHECK(duet::chain_order({60, 50, 40, 1}).str() == "(A(BC))");
    const matrix expected = naive_product(a, naive_product(b, c));
    CHECK(relative_difference(duet::multi_dot(a, b, c), expected) <= 1e-12);
    CHECK(relative_difference(duet::multi_dot(a, b, c_vector), expected) <= 1e-12);
}

TEST_CASE("multi_dot handles empty dimensions", "[tensor][multi_dot]") {
    const matrix a = {{1, 2}, {3, 4}, {5, 6}};              // 3 x 2
    const matrix empty_cols = matrix::from_shape({2, 0});   // 2 x 0
    const matrix empty_rows = matrix::from_shape({0, 4});   // 0 x 4
    const matrix product = duet::multi_dot(a, empty_cols, empty_rows);
    CHECK(product.shape()[0] == 3);
    CHECK(product.shape()[1] == 4);
    CHECK((product == xt::zeros<double>({3, 4})));
    const matrix none = duet::multi_dot(empty_rows, matrix::from_shape({4, 5}));
    CHECK(none.shape()[0] == 0);
    CHECK(none.shape()[1] == 5);
}

TEST_CASE("multi_dot shape mismatches name both shapes", "[tensor][multi_dot]") {
    const matrix a = matrix::from_shape({2, 3});
    const matrix b = matrix::from_shape({3, 4});
    const matrix c = matrix::from_shape({5, 2});
    const std::string expected =
        "duet::multi_dot: matrix 2 has shape (3, 4) but matrix 3 has shape (5, 2); inner dimensions 4 and 5 differ";
    CHECK_THROWS_AS(duet::multi_dot(a, b, c), std::invalid_argument);
    CHECK_THROWS_WITH(duet::multi_dot(a, b, c), expected);
    CHECK_THROWS_WITH(duet::multi_dot(std::vector<matrix>{a, b, c}), expected);

    const vector v = vector::from_shape({4});
    CHECK_THROWS_WITH(duet::multi_dot(v, a),
                      "duet::multi_dot: matrix 1 has shape (4,) but matrix 2 has shape (2, 3); "
                      "inner dimensions 4 and 2 differ");
    CHECK_THROWS_WITH(duet::multi_dot(a, b, vector::from_shape({5})),
                      "duet::multi_dot: matrix 2 has shape (3, 4) but matrix 3 has shape (5,); "
                      "inner dimensions 4 and 5 differ");
    CHECK_THROWS_WITH(duet::multi_dot(std::vector<matrix>{}),
                      "duet::multi_dot: the chain is empty; give at least one matrix");
}
