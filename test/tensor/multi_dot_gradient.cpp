// duet::multi_dot as a differentiable tensor node: gradients in both modes
// against the same chain written with nested duet::matmul (left to right)
// and against finite differences, the dot-product identity of its tangent
// and adjoint rules, and its value against the plain multi_dot.
#include <catch2/catch.hpp>

#include <cstddef>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "support.hpp"

using namespace duet_test;

namespace {

std::mt19937 rng(7);
const tensor<2> A34 = random_tensor<2>(rng, {3, 4});
const tensor<2> B45 = random_tensor<2>(rng, {4, 5});
const tensor<2> C52 = random_tensor<2>(rng, {5, 2});
const tensor<2> C53 = random_tensor<2>(rng, {5, 3});
const tensor<2> M26 = random_tensor<2>(rng, {2, 6});
const tensor<2> M63 = random_tensor<2>(rng, {6, 3});
const tensor<2> M35 = random_tensor<2>(rng, {3, 5});
const tensor<2> M54 = random_tensor<2>(rng, {5, 4});
const tensor<2> W10 = random_tensor<2>(rng, {10, 10});
const tensor<2> N101 = random_tensor<2>(rng, {10, 1});
const tensor<2> R110 = random_tensor<2>(rng, {1, 10});
const tensor<1> v4 = random_tensor<1>(rng, {4});
const tensor<1> w5 = random_tensor<1>(rng, {5});

// Reverse and forward gradients of f (built on multi_dot) equal those of
// reference (nested matmul) to 1e-12, and finite differences to 1e-7.
template <class F, class Ref, std::size_t... K>
void check_gradients(const char* name, F f, Ref reference, const tensor<K>&... x) {
    INFO(name);
    const auto expected = flat(duet::gradient(duet::reverse, reference, x...));
    const auto expected_forward = flat(duet::gradient(duet::forward, reference, x...));
    REQUIRE(all_agree(expected, expected_forward, 1e-12));
    const auto reverse = flat(duet::gradient(duet::reverse, f, x...));
    const auto forward = flat(duet::gradient(duet::forward, f, x...));
    CHECK(all_agree(reverse, expected, 1e-12));
    CHECK(all_agree(forward, expected, 1e-12));
    const auto fd = flat(duet::fd::gradient(f, x...));
    CHECK(all_agree(reverse, fd, 1e-7));
    CHECK(duet::value_and_gradient(duet::reverse, f, x...).value ==
          Approx(duet::value_and_gradient(duet::reverse, reference, x...).value).epsilon(1e-12));
}

template <class F, std::size_t... K>
void check_identity(const char* name, F f, const tensor<K>&... x) {
    std::mt19937 local(12345);
    for (int trial = 0; trial < 3; ++trial) {
        const auto [lhs, rhs] = dot_product_identity(f, local, x...);
        INFO(name << ": <Ju, w> = " << show(lhs, rhs) << " = <u, J^T w>");
        CHECK(agree(lhs, rhs, 1e-12));
    }
}

}  // namespace

TEST_CASE("multi_dot node gradients match nested matmul and finite differences", "[tensor][multi_dot][gradient]") {
    check_gradients(
        "k = 3 matrices", [](auto a, auto b, auto c) { return duet::sum(duet::multi_dot(a, b, c)); },
        [](auto a, auto b, auto c) { return duet::sum(duet::matmul(duet::matmul(a, b), c)); }, A34, B45, C52);
    check_gradients(
        "k = 2", [](auto a, auto b) { return duet::sum(duet::multi_dot(a, b)); },
        [](auto a, auto b) { return duet::sum(duet::matmul(a, b)); }, A34, B45);
    check_gradients(
        "k = 4", [](auto a, auto b, auto c, auto d) { return duet::sum(duet::multi_dot(a, b, c, d)); },
        [](auto a, auto b, auto c, auto d) {
            return duet::sum(duet::matmul(duet::matmul(duet::matmul(a, b), c), d));
        },
        M26, M63, M35, M54);
    check_gradients(
        "k = 4, thin middle (planned out of left-to-right order)",
        [](auto a, auto b, auto c, auto d) { return duet::sum(duet::multi_dot(a, b, c, d)); },
        [](auto a, auto b, auto c, auto d) {
            return duet::sum(duet::matmul(duet::matmul(duet::matmul(a, b), c), d));
        },
        W10, N101, R110, W10);
    check_gradients(
        "vector first", [](auto v, auto b, auto c) { return duet::sum(duet::multi_dot(v, b, c)); },
        [](auto v, auto b, auto c) { return duet::sum(duet::matmul(duet::matmul(v, b), c)); }, v4, B45, C53);
    check_gradients(
        "vector last", [](auto a, auto b, auto w) { return duet::sum(duet::multi_dot(a, b, w)); },
        [](auto a, auto b, auto w) { return duet::sum(duet::matmul(duet::matmul(a, b), w)); }, A34, B45, w5);
    check_gradients(
        "vectors at both ends", [](auto v, auto b, auto w) { return duet::multi_dot(v, b, w); },
        [](auto v, auto b, auto w) { return duet::dot(duet::matmul(v, b), w); }, v4, B45, w5);
    check_gradients(
        "vector, vector (k = 2)", [](auto v, auto b) { return duet::sum(duet::multi_dot(v, b)); },
        [](auto v, auto b) { return duet::sum(duet::matmul(v, b)); }, v4, B45);
    check_gradients(
        "same variable twice", [](auto a, auto b) { return duet::sum(duet::multi_dot(a, b, duet::transpose(b))); },
        [](auto a, auto b) { return duet::sum(duet::matmul(duet::matmul(a, b), duet::transpose(b))); }, A34, B45);
    check_gradients(
        "plain operands are constants",
        [](auto b, auto w) { return duet::sum(duet::multi_dot(A34, b, C52) * duet::sum(duet::multi_dot(b, w))); },
        [](auto b, auto w) {
            return duet::sum(duet::matmul(duet::matmul(A34, b), C52) * duet::sum(duet::matmul(b, w)));
        },
        B45, w5);
}

TEST_CASE("multi_dot node satisfies the dot-product identity", "[tensor][multi_dot][identity]") {
    check_identity("k = 3", [](auto a, auto b, auto c) { return duet::multi_dot(a, b, c); }, A34, B45, C52);
    check_identity("k = 2", [](auto a, auto b) { return duet::multi_dot(a, b); }, A34, B45);
    check_identity("k = 4", [](auto a, auto b, auto c, auto d) { return duet::multi_dot(a, b, c, d); }, W10,
                   N101, R110, W10);
    check_identity("k = 1", [](auto a) { return duet::multi_dot(a); }, A34);
    check_identity("vector first", [](auto v, auto b, auto c) { return duet::multi_dot(v, b, c); }, v4, B45, C53);
    check_identity("vector last", [](auto a, auto b, auto w) { return duet::multi_dot(a, b, w); }, A34, B45, w5);
    check_identity("both vectors", [](auto v, auto b, auto w) { return duet::multi_dot(v, b, w); }, v4, B45, w5);
    check_identity("one constant in the middle", [](auto a, auto c) { return duet::multi_dot(a, B45, c); }, A34,
                   C52);
    check_identity("inner node operand",
                   [](auto a, auto b) { return duet::multi_dot(duet::transpose(b), duet::transpose(a), a); }, A34,
                   B45);
}

TEST_CASE("multi_dot node value equals the plain multi_dot", "[tensor][multi_dot]") {
    const auto node = duet::multi_dot(duet::tensor_var<2, 0>{&W10}, N101, R110, W10);
    const auto cache = duet::evaluate(node);
    static_assert(decltype(node)::rank == 2);
    const bool matrix_equal = cache.value() == duet::multi_dot(W10, N101, R110, W10);
    CHECK(matrix_equal);

    const auto scalar = duet::multi_dot(duet::tensor_var<1, 0>{&v4}, B45, w5);
    static_assert(decltype(scalar)::rank == 0);
    CHECK(duet::evaluate(scalar).value()() == duet::multi_dot(v4, B45, w5));

    const auto row = duet::multi_dot(v4, duet::tensor_var<2, 0>{&B45}, C53);
    static_assert(decltype(row)::rank == 1);
    const bool row_equal = duet::evaluate(row).value() == duet::multi_dot(v4, B45, C53);
    CHECK(row_equal);
}

TEST_CASE("multi_dot node reports mismatched shapes", "[tensor][multi_dot][errors]") {
    const auto f = [](auto a, auto b, auto c) { return duet::sum(duet::multi_dot(a, b, c)); };
    const std::string expected =
        "duet::multi_dot: matrix 2 has shape (4, 5) but matrix 3 has shape (3, 4); inner dimensions 5 and 3 differ";
    CHECK_THROWS_WITH(duet::gradient(duet::reverse, f, A34, B45, A34), expected);
    CHECK_THROWS_WITH(duet::gradient(duet::forward, f, A34, B45, A34), expected);
    CHECK_THROWS_AS(duet::gradient(duet::reverse, [](auto a, auto w) { return duet::sum(duet::multi_dot(a, w)); },
                                   A34, w5),
                    std::invalid_argument);
}

TEST_CASE("multi_dot node Jacobians match nested matmul in both modes", "[tensor][multi_dot][jacobian]") {
    const auto f = [](auto b) { return duet::multi_dot(A34, b, C52); };
    const auto reference = [](auto b) { return duet::matmul(duet::matmul(A34, b), C52); };
    const tensor<2> expected = duet::jacobian(duet::reverse, reference, B45);
    const tensor<2> reverse = duet::jacobian(duet::reverse, f, B45);
    const tensor<2> forward = duet::jacobian(duet::forward, f, B45);
    CHECK(all_agree(flatten_all(reverse), flatten_all(expected), 1e-12));
    CHECK(all_agree(flatten_all(forward), flatten_all(expected), 1e-12));
}

TEST_CASE("multi_dot node handles zero sizes", "[tensor][multi_dot][gradient]") {
    const tensor<2> A30 = tensor<2>::from_shape({3, 0});
    const tensor<2> B04 = tensor<2>::from_shape({0, 4});
    const tensor<2> C42 = random_tensor<2>(rng, {4, 2});
    const auto f = [](auto a, auto b, auto c) { return duet::sum(duet::multi_dot(a, b, c)); };
    const auto reference = [](auto a, auto b, auto c) { return duet::sum(duet::matmul(duet::matmul(a, b), c)); };
    const auto expected = flat(duet::gradient(duet::reverse, reference, A30, B04, C42));
    const auto [gA, gB, gC] = duet::gradient(duet::reverse, f, A30, B04, C42);
    const bool shapes_kept = gA.shape() == A30.shape() && gB.shape() == B04.shape() && gC.shape() == C42.shape();
    CHECK(shapes_kept);
    const bool gC_zero = xt::all(xt::equal(gC, 0.0));
    CHECK(gC_zero);
    CHECK(all_agree(flat(duet::gradient(duet::forward, f, A30, B04, C42)), expected, 1e-12));
    CHECK(all_agree(flat(std::tuple(gA, gB, gC)), expected, 1e-12));
}
