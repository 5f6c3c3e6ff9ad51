// <J u, w> = <u, Jᵀ w> for every tensor operation: the tangent rule and the
// adjoint rule of each operation are transposes of each other.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace duet_test;

namespace {

constexpr double tolerance = 1e-13;

template <class F, std::size_t... K>
void check_identity(const char* name, F f, const tensor<K>&... x) {
    std::mt19937 rng(12345);
    for (int trial = 0; trial < 3; ++trial) {
        const auto [lhs, rhs] = dot_product_identity(f, rng, x...);
        INFO(name << ": <Ju, w> = " << show(lhs, rhs) << " = <u, J^T w>");
        CHECK(agree(lhs, rhs, tolerance));
    }
}

std::mt19937 rng(2024);
const tensor<2> A = random_tensor<2>(rng, {3, 4});
const tensor<2> B = random_tensor<2>(rng, {4, 5});
const tensor<2> C = random_tensor<2>(rng, {3, 4});
const tensor<1> v4 = random_tensor<1>(rng, {4});
const tensor<1> v3 = random_tensor<1>(rng, {3});
const tensor<1> w3 = random_tensor<1>(rng, {3});
const tensor<3> T = random_tensor<3>(rng, {2, 3, 4});
const tensor<2> P = random_tensor<2>(rng, {3, 4}, 0.5, 1.5);  // positive
const tensor<0> c = tensor<0>(0.7);

}  // namespace

TEST_CASE("matrix operations satisfy the dot-product identity", "[tensor][identity]") {
    check_identity("matmul 2x2", [](auto a, auto b) { return duet::matmul(a, b); }, A, B);
    check_identity("matmul 2x1", [](auto a, auto b) { return duet::matmul(a, b); }, A, v4);
    check_identity("matmul 1x2", [](auto a, auto b) { return duet::matmul(a, b); }, v3, A);
    check_identity("matmul, left constant", [](auto b) { return duet::matmul(A, b); }, B);
    check_identity("matmul, right constant", [](auto a) { return duet::matmul(a, B); }, A);
    check_identity("matmul, same leaf twice", [](auto a) { return duet::matmul(duet::transpose(a), a); }, A);
    check_identity("dot vectors", [](auto a, auto b) { return duet::dot(a, b); }, v3, w3);
    check_identity("dot matrices", [](auto a, auto b) { return duet::dot(a, b); }, A, C);
    check_identity("dot, one leaf", [](auto a) { return duet::dot(a, a); }, v3);
    check_identity("outer", [](auto a, auto b) { return duet::outer(a, b); }, v3, v4);
    check_identity("transpose", [](auto a) { return duet::transpose(a); }, A);
    check_identity("transpose rank 3", [](auto a) { return duet::transpose(a); }, T);
}

TEST_CASE("reductions and reshapes satisfy the dot-product identity", "[tensor][identity]") {
    check_identity("sum", [](auto a) { return duet::sum(a); }, T);
    check_identity("mean", [](auto a) { return duet::mean(a); }, A);
    for (std::size_t axis = 0; axis < 3; ++axis) {
        check_identity("sum axis", [axis](auto a) { return duet::sum(a, axis); }, T);
        check_identity("mean axis", [axis](auto a) { return duet::mean(a, axis); }, T);
    }
    check_identity("reshape 3x4 -> 2x6", [](auto a) { return duet::reshape(a, {2, 6}); }, A);
    check_identity("reshape 2x3x4 -> 24", [](auto a) { return duet::reshape(a, {24}); }, T);
    check_identity("log_sum_exp", [](auto a) { return duet::log_sum_exp(a); }, A);
    check_identity("softmax", [](auto a) { return duet::softmax(a); }, v4);
    check_identity("softmax matrix", [](auto a) { return duet::softmax(a); }, A);
}

TEST_CASE("elementwise operations satisfy the dot-product identity", "[tensor][identity]") {
    check_identity("+", [](auto a, auto b) { return a + b; }, A, C);
    check_identity("-", [](auto a, auto b) { return a - b; }, A, C);
    check_identity("*", [](auto a, auto b) { return a * b; }, A, C);
    check_identity("/", [](auto a, auto b) { return a / b; }, A, P);
    check_identity("unary -", [](auto a) { return -a; }, A);
    check_identity("scalar * tensor", [](auto a) { return 2.5 * a; }, A);
    check_identity("tensor - scalar", [](auto a) { return a - 1.0; }, A);
    check_identity("rank-0 variable * tensor", [](auto s, auto a) { return s * a; }, c, A);
    check_identity("tensor / rank-0 variable", [](auto a, auto s) { return a / s; }, A, c);
    check_identity("plain tensor + variable", [](auto a) { return C + a; }, A);
    check_identity("pow", [](auto a, auto b) { return duet::pow(a, b); }, P, A);
    check_identity("pow int", [](auto a) { return duet::pow(a, 3); }, A);
    check_identity("hypot", [](auto a, auto b) { return duet::hypot(a, b); }, A, C);
    check_identity("atan2", [](auto a, auto b) { return duet::atan2(a, b); }, A, C);
    check_identity("max", [](auto a, auto b) { return duet::max(a, b); }, A, C);
    check_identity("min", [](auto a, auto b) { return duet::min(a, b); }, A, C);
    check_identity("fmax", [](auto a, auto b) { return duet::fmax(a, b); }, A, C);
    check_identity("fmin", [](auto a, auto b) { return duet::fmin(a, b); }, A, C);

#define UNARY(fn, arg) check_identity(#fn, [](auto a) { return duet::fn(a); }, arg)
    UNARY(abs, A);
    UNARY(square, A);
    UNARY(sqrt, P);
    UNARY(cbrt, P);
    UNARY(exp, A);
    UNARY(exp2, A);
    UNARY(expm1, A);
    UNARY(log, P);
    UNARY(log2, P);
    UNARY(log10, P);
    UNARY(log1p, P);
    UNARY(sin, A);
    UNARY(cos, A);
    UNARY(tan, A);
    UNARY(asin, A);
    UNARY(acos, A);
    UNARY(atan, A);
    UNARY(sinh, A);
    UNARY(cosh, A);
    UNARY(tanh, A);
    UNARY(asinh, A);
    UNARY(acosh, tensor<2>(P + 1.0));
    UNARY(atanh, A);
    UNARY(erf, A);
    UNARY(erfc, A);
    UNARY(tgamma, P);
    UNARY(lgamma, P);
    UNARY(relu, A);
    UNARY(sigmoid, A);
    UNARY(softplus, A);
#undef UNARY
}

TEST_CASE("compositions satisfy the dot-product identity", "[tensor][identity]") {
    check_identity(
        "window classifier",
        [](auto W, auto b, auto u, auto x) {
            return duet::dot(u, duet::sigmoid(duet::matmul(W, x) + b));
        },
        A, v3, w3, v4);
    check_identity(
        "two layers",
        [](auto W1, auto W2, auto X) {
            return duet::tanh(duet::matmul(W2, duet::sigmoid(duet::matmul(W1, X))));
        },
        tensor<2>(random_tensor<2>(rng, {5, 3})), tensor<2>(random_tensor<2>(rng, {2, 5})), A);
    check_identity(
        "cross-entropy",
        [](auto W, auto x) {
            auto z = duet::matmul(W, x);
            return duet::log_sum_exp(z) - duet::dot(z, tensor<1>{0.0, 1.0, 0.0});
        },
        A, v4);
}

TEST_CASE("broadcasting satisfies the dot-product identity", "[tensor][identity][broadcasting]") {
    const tensor<1> row = random_tensor<1>(rng, {4});
    const tensor<2> column = random_tensor<2>(rng, {3, 1});
    const tensor<2> lead = random_tensor<2>(rng, {1, 4}, 0.5, 1.5);
    const tensor<3> T1 = random_tensor<3>(rng, {2, 1, 4});
    check_identity("(3, 4) + (4,)", [](auto a, auto b) { return a + b; }, A, row);
    check_identity("(4,) * (3, 4)", [](auto a, auto b) { return a * b; }, row, A);
    check_identity("(3, 1) - (1, 4)", [](auto a, auto b) { return a - b; }, column, lead);
    check_identity("(3, 4) / (1, 4)", [](auto a, auto b) { return a / b; }, A, lead);
    check_identity("(2, 1, 4) * (3, 1)", [](auto a, auto b) { return a * b; }, T1, column);
    check_identity("(2, 3, 4) + (4,)", [](auto a, auto b) { return a + b; }, T, row);
    check_identity("pow((3, 4), (1, 4))", [](auto a, auto b) { return duet::pow(a, b); }, P, lead);
    check_identity("max((3, 1), (4,))", [](auto a, auto b) { return duet::max(a, b); }, column, row);
    check_identity("atan2((4,), (3, 1))", [](auto a, auto b) { return duet::atan2(a, b); }, row, column);
}

TEST_CASE("reductions along axes, prod, amax, views satisfy the dot-product identity",
          "[tensor][identity][axes]") {
    for (std::size_t axis = 0; axis < 3; ++axis) {
        check_identity("prod axis", [axis](auto a) { return duet::prod(a, axis); }, T);
        check_identity("amax axis", [axis](auto a) { return duet::amax(a, axis); }, T);
        check_identity("amin axis", [axis](auto a) { return duet::amin(a, axis); }, T);
        check_identity("log_sum_exp axis", [axis](auto a) { return duet::log_sum_exp(a, axis); }, T);
        check_identity("softmax axis", [axis](auto a) { return duet::softmax(a, axis); }, T);
    }
    check_identity("prod", [](auto a) { return duet::prod(a); }, P);
    check_identity("prod with a zero", [](auto a) { return duet::prod(a); }, tensor<1>{1.5, 0.0, -2.0});
    check_identity("amax", [](auto a) { return duet::amax(a); }, A);
    check_identity("softmax_cross_entropy",
                   [](auto z) { return duet::softmax_cross_entropy(z, tensor<2>{{1, 0, 0, 0}, {0, 0, 1, 0}, {0, 1, 0, 0}}); }, A);
    check_identity("element", [](auto a) { return a(2, 1); }, A);
    check_identity("row view", [](auto a) { return duet::view(a, 1, xt::all()); }, A);
    check_identity("range view", [](auto a) { return duet::view(a, xt::all(), xt::range(1, 3), 2); }, T);
    check_identity("xt::sum(a, {0, 2})", [](auto a) { return xt::sum(a, {0, 2}); }, T);
    check_identity("xt::linalg::dot", [](auto a, auto b) { return xt::linalg::dot(a, b); }, A, B);
}
