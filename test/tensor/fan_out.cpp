// Every tensor operation with operands used more than once: a leaf fanned out
// into the same operation twice (through each argument position), into both
// positions of one operation, into different operations (in both sweep
// orders, so that each operation's adjoint is once the first contribution,
// which overwrites, and once a later one, which must add), and inner nodes
// reused (matmul(A B, (A B)ᵀ)). Reverse is compared with forward (1e-13) and
// with central differences; the dot-product identity is checked on the
// non-scalar versions.
//
// DUET_TENSOR_POISON fills adjoint storage with NaN before it is written, so
// a rule that adds where it should overwrite fails here deterministically.
// scripts/mutation.sh runs this file against mutated headers.
#define DUET_TENSOR_POISON 1

#include <catch2/catch.hpp>

#include <string>

#include "support.hpp"

using namespace duet_test;

namespace {

// A scalar summary of any result, nonlinear so that every element's adjoint
// differs: Σ sin(r) (for a number r: sin r).
template <class R>
auto S(R&& r) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<R>>)
        return std::sin(r);
    else
        return duet::sum(duet::sin(std::forward<R>(r)));
}

template <class G>
auto as_tuple(G g) {
    if constexpr (requires { std::tuple_size<G>::value; })
        return g;
    else
        return std::tuple{g};
}

// Reverse = forward = central differences for the scalar function f.
template <class F, std::size_t... K>
void check_scalar(const std::string& name, F f, const tensor<K>&... x) {
    INFO(name);
    const auto reverse = flatten_tuple(as_tuple(duet::gradient(duet::reverse, f, x...)));
    const auto forward = flatten_tuple(as_tuple(duet::gradient(duet::forward, f, x...)));
    const auto fd = central_differences(f, x...);
    REQUIRE(reverse.size() == fd.size());
    for (std::size_t i = 0; i < reverse.size(); ++i) {
        INFO("element " << i << ": reverse " << show(reverse[i], forward[i]) << " forward; fd "
                        << fd[i]);
        CHECK(agree(reverse[i], forward[i], 1e-13));
        CHECK(agree(reverse[i], fd[i], 1e-6));
    }
}

// <J u, w> = <u, Jᵀ w> for a function with any output rank.
template <class F, std::size_t... K>
void check_identity(const std::string& name, F f, const tensor<K>&... x) {
    std::mt19937 local(99);
    const auto [lhs, rhs] = dot_product_identity(f, local, x...);
    INFO(name << ": <Ju, w> = " << show(lhs, rhs) << " = <u, J^T w>");
    CHECK(agree(lhs, rhs, 1e-13));
}

// A binary operation op(a, b) with a, a2 shaped for the left position and
// b, b2 for the right one.
template <class Op, std::size_t KA, std::size_t KB>
void binary_suite(const std::string& name, Op op, const tensor<KA>& a, const tensor<KA>& a2,
                  const tensor<KB>& b, const tensor<KB>& b2) {
    // left operand twice, into the same operation
    check_scalar(name + ": left twice", [op](auto x, auto y, auto y2) { return S(op(x, y)) + S(op(x, y2)); },
                 a, b, b2);
    // right operand twice
    check_scalar(name + ": right twice", [op](auto x, auto x2, auto y) { return S(op(x, y)) + S(op(x2, y)); },
                 a, a2, b);
    // into the operation and into another one, both orders
    check_scalar(name + ": then others",
                 [op](auto x, auto y) { return S(op(x, y)) * (S(x) + S(y)); }, a, b);
    check_scalar(name + ": others first",
                 [op](auto x, auto y) { return (S(x) + S(y)) * S(op(x, y)); }, a, b);
    // the result used twice
    check_scalar(name + ": result twice", [op](auto x, auto y) {
        auto r = op(x, y);
        return S(r) * S(r);
    }, a, b);
    // non-scalar: both terms in one output
    if constexpr (decltype(op(duet::tensor_var<KA, 0>{&a}, duet::tensor_var<KB, 1>{&b}))::rank > 0) {
        check_identity(name + ": left twice, tensor output",
                       [op](auto x, auto y, auto y2) { return op(x, y) * op(x, y2); }, a, b, b2);
        check_identity(name + ": right twice, tensor output",
                       [op](auto x, auto x2, auto y) { return op(x, y) + op(x2, y); }, a, a2, b);
    }
}

// Both positions of one operation at once (shapes permitting).
template <class Op, std::size_t K>
void same_leaf_suite(const std::string& name, Op op, const tensor<K>& a, const tensor<K>& a2) {
    check_scalar(name + ": op(x, x)", [op](auto x) { return S(op(x, x)); }, a);
    check_scalar(name + ": op(x, x) and op(x, y)", [op](auto x, auto y) { return S(op(x, x)) + S(op(y, x)) + S(op(x, y)); },
                 a, a2);
    check_identity(name + ": op(x, x), tensor output", [op](auto x) { return op(x, x); }, a);
}

// A unary operation.
template <class Op, std::size_t K>
void unary_suite(const std::string& name, Op op, const tensor<K>& a) {
    check_scalar(name + ": twice", [op](auto x) { return S(op(x)) + S(op(x)); }, a);
    check_scalar(name + ": then others", [op](auto x) { return S(op(x)) * S(x); }, a);
    check_scalar(name + ": others first", [op](auto x) { return S(x) * S(op(x)); }, a);
    check_scalar(name + ": result twice", [op](auto x) {
        auto r = op(x);
        return S(r) * S(r);
    }, a);
    check_identity(name + ": twice, tensor output", [op](auto x) { return op(x) * op(x); }, a);
}

std::mt19937 rng(314);
const tensor<2> A = random_tensor<2>(rng, {3, 4});
const tensor<2> A2 = random_tensor<2>(rng, {3, 4});
const tensor<2> Q = random_tensor<2>(rng, {3, 3});
const tensor<2> Q2 = random_tensor<2>(rng, {3, 3});
const tensor<2> B = random_tensor<2>(rng, {4, 2});
const tensor<2> B2 = random_tensor<2>(rng, {4, 2});
const tensor<1> u3 = random_tensor<1>(rng, {3});
const tensor<1> u3b = random_tensor<1>(rng, {3});
const tensor<1> v4 = random_tensor<1>(rng, {4});
const tensor<1> v4b = random_tensor<1>(rng, {4});
const tensor<2> P = random_tensor<2>(rng, {3, 4}, 0.5, 1.5);
const tensor<2> P2 = random_tensor<2>(rng, {3, 4}, 0.5, 1.5);
const tensor<3> T = random_tensor<3>(rng, {2, 3, 4});
const tensor<0> c = tensor<0>(0.7);
const tensor<0> c2 = tensor<0>(-0.4);

}  // namespace

TEST_CASE("matmul fan-out through both positions", "[tensor][fan-out]") {
    auto mm = [](const auto& x, const auto& y) { return duet::matmul(x, y); };
    binary_suite("matmul 2x2", mm, A, A2, B, B2);
    binary_suite("matmul 2x1", mm, A, A2, v4, v4b);
    binary_suite("matmul 1x2", mm, u3, u3b, A, A2);
    same_leaf_suite("matmul square", mm, Q, Q2);
    // The cases: a matrix the left operand of two products, and an
    // inner product node reused on both sides.
    check_scalar("sum(A B) + sum(A C)",
                 [](auto a, auto b, auto c) { return duet::sum(duet::matmul(a, b)) + duet::sum(duet::matmul(a, c)); },
                 A, B, B2);
    check_scalar("matmul(A B, (A B)^T)",
                 [](auto a, auto b) {
                     auto ab = duet::matmul(a, b);
                     return S(duet::matmul(ab, duet::transpose(ab)));
                 },
                 A, B);
    check_identity("matmul(A B, (A B)^T), tensor output",
                   [](auto a, auto b) {
                       auto ab = duet::matmul(a, b);
                       return duet::matmul(ab, duet::transpose(ab));
                   },
                   A, B);
    check_scalar("A^T A and A A^T", [](auto a) {
        return S(duet::matmul(duet::transpose(a), a)) + S(duet::matmul(a, duet::transpose(a)));
    }, A);
}

TEST_CASE("dot and outer fan-out", "[tensor][fan-out]") {
    auto dot = [](const auto& x, const auto& y) { return duet::dot(x, y); };
    auto outer = [](const auto& x, const auto& y) { return duet::outer(x, y); };
    binary_suite("dot vectors", dot, u3, u3b, u3b, u3);
    binary_suite("dot matrices", dot, A, A2, P, P2);
    same_leaf_suite("dot", dot, A, A2);
    binary_suite("outer", outer, u3, u3b, v4, v4b);
    same_leaf_suite("outer", outer, u3, u3b);
}

TEST_CASE("elementwise binary fan-out, with and without broadcasting", "[tensor][fan-out]") {
    auto add = [](const auto& x, const auto& y) { return x + y; };
    auto sub = [](const auto& x, const auto& y) { return x - y; };
    auto mul = [](const auto& x, const auto& y) { return x * y; };
    auto div = [](const auto& x, const auto& y) { return x / y; };
    auto pow = [](const auto& x, const auto& y) { return duet::pow(x, y); };
    auto hypot = [](const auto& x, const auto& y) { return duet::hypot(x, y); };
    auto atan2 = [](const auto& x, const auto& y) { return duet::atan2(x, y); };
    auto max = [](const auto& x, const auto& y) { return duet::max(x, y); };
    auto min = [](const auto& x, const auto& y) { return duet::min(x, y); };
    binary_suite("+", add, A, A2, P, P2);
    binary_suite("-", sub, A, A2, P, P2);
    binary_suite("*", mul, A, A2, P, P2);
    binary_suite("/", div, A, A2, P, P2);
    binary_suite("pow", pow, P, P2, A, A2);
    binary_suite("hypot", hypot, A, A2, P, P2);
    binary_suite("atan2", atan2, A, A2, P, P2);
    binary_suite("max", max, A, A2, P, P2);
    binary_suite("min", min, A, A2, P, P2);
    same_leaf_suite("+", add, A, A2);
    same_leaf_suite("*", mul, A, A2);
    same_leaf_suite("/", div, P, P2);
    same_leaf_suite("pow", pow, P, P2);
    same_leaf_suite("hypot", hypot, P, P2);
    // rank 0 against a tensor, in both positions
    binary_suite("number * tensor", mul, c, c2, A, A2);
    binary_suite("tensor / number", div, A, A2, c, c2);
    binary_suite("number - tensor", sub, c, c2, A, A2);
    binary_suite("tensor + number", add, A, A2, c, c2);
}

TEST_CASE("unary, reduction and reshaping fan-out", "[tensor][fan-out]") {
    unary_suite("exp", [](const auto& x) { return duet::exp(x); }, A);
    unary_suite("sin", [](const auto& x) { return duet::sin(x); }, A);
    unary_suite("sigmoid", [](const auto& x) { return duet::sigmoid(x); }, A);
    unary_suite("log", [](const auto& x) { return duet::log(x); }, P);
    unary_suite("sqrt", [](const auto& x) { return duet::sqrt(x); }, P);
    unary_suite("square", [](const auto& x) { return duet::square(x); }, A);
    unary_suite("pow int", [](const auto& x) { return duet::pow(x, 3); }, A);
    unary_suite("negate", [](const auto& x) { return -x; }, A);
    unary_suite("transpose", [](const auto& x) { return duet::transpose(x); }, A);
    unary_suite("transpose rank 3", [](const auto& x) { return duet::transpose(x); }, T);
    unary_suite("sum", [](const auto& x) { return duet::sum(x); }, A);
    unary_suite("mean", [](const auto& x) { return duet::mean(x); }, T);
    unary_suite("sum axis 0", [](const auto& x) { return duet::sum(x, 0); }, A);
    unary_suite("mean axis 1", [](const auto& x) { return duet::mean(x, 1); }, T);
    unary_suite("reshape", [](const auto& x) { return duet::reshape(x, {4, 3}); }, A);
    unary_suite("log_sum_exp", [](const auto& x) { return duet::log_sum_exp(x); }, A);
    unary_suite("softmax", [](const auto& x) { return duet::softmax(x); }, A);
    // a leaf into an elementwise product with a function of itself
    check_scalar("x * exp(x)", [](auto x) { return S(x * duet::exp(x)); }, A);
    check_scalar("exp(x) * x", [](auto x) { return S(duet::exp(x) * x); }, A);
    check_scalar("softmax(x) * x", [](auto x) { return S(duet::softmax(x) * x); }, A);
    check_scalar("x * sum(x, 1) reshaped", [](auto x) {
        return S(duet::outer(duet::sum(x, 1), duet::mean(x, 0)) * x);
    }, A);
}

TEST_CASE("a function that returns its argument, or uses it next to a product", "[tensor][fan-out]") {
    check_scalar("x + sum(x)", [](auto x) { return duet::sum(x) + duet::dot(x, x); }, u3);
    check_identity("x returned, and x + x", [](auto x) { return x + x; }, A);
    const auto J = duet::jacobian(duet::reverse, [](const auto& x) { return x; }, u3);
    const auto Jf = duet::jacobian(duet::forward, [](const auto& x) { return x; }, u3);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            CHECK(J(i, j) == (i == j ? 1.0 : 0.0));
            CHECK(Jf(i, j) == J(i, j));
        }
}
