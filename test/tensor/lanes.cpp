// Forward mode with lanes (several tangent directions per pass) gives the
// Jacobian of one-lane passes and of the reverse mode, for every operation
// (with a lane rule: matmul, elementwise; without: lane by lane); and the
// multi-argument jvp / vjp.
#define DUET_TENSOR_POISON 1

#include <catch2/catch.hpp>

#include <string>

#include "support.hpp"

using namespace duet_test;

namespace {

template <class F, std::size_t K>
void check_lanes(const std::string& name, F f, const tensor<K>& x) {
    INFO(name);
    const auto reverse = duet::jacobian(duet::reverse, f, x);
    const auto one = duet::jacobian_forward_lanes(f, x, 1);
    for (std::size_t lanes : {std::size_t{2}, std::size_t{3}, std::size_t{32}, x.size(), x.size() + 5}) {
        INFO(lanes << " lanes");
        const auto J = duet::jacobian_forward_lanes(f, x, lanes);
        REQUIRE(J.shape() == reverse.shape());
        for (std::size_t i = 0; i < J.size(); ++i) {
            INFO("element " << i << ": " << show(J.data()[i], reverse.data()[i]));
            CHECK(agree(J.data()[i], reverse.data()[i], 1e-13));
            CHECK(agree(J.data()[i], one.data()[i], 1e-14));
        }
    }
    const auto automatic_forward = duet::jacobian(duet::forward, f, x);
    for (std::size_t i = 0; i < reverse.size(); ++i) CHECK(agree(automatic_forward.data()[i], reverse.data()[i], 1e-13));
}

std::mt19937 rng(606);
const tensor<2> A = random_tensor<2>(rng, {3, 4});
const tensor<2> B = random_tensor<2>(rng, {4, 5});
const tensor<1> v4 = random_tensor<1>(rng, {4});
const tensor<1> v3 = random_tensor<1>(rng, {3});
const tensor<1> b3 = random_tensor<1>(rng, {3});

}  // namespace

TEST_CASE("lanes through matmul, every shape and position", "[tensor][lanes]") {
    check_lanes("W x, W varies", [](const auto& W) { return duet::matmul(W, v4); }, A);
    check_lanes("W x, x varies", [](const auto& x) { return duet::matmul(A, x); }, v4);
    check_lanes("x W, x varies", [](const auto& x) { return duet::matmul(x, A); }, v3);
    check_lanes("x W, W varies", [](const auto& W) { return duet::matmul(v3, W); }, A);
    check_lanes("A B, A varies", [](const auto& a) { return duet::matmul(a, B); }, A);
    check_lanes("A B, B varies", [](const auto& b) { return duet::matmul(A, b); }, B);
    check_lanes("A A^T", [](const auto& a) { return duet::matmul(a, duet::transpose(a)); }, A);
    check_lanes("x into both sides", [](const auto& x) { return duet::matmul(duet::outer(x, x), x); }, v4);
}

TEST_CASE("lanes through elementwise operations, broadcasting and the rest", "[tensor][lanes]") {
    check_lanes("window classifier layer", [](const auto& x) { return duet::sigmoid(duet::matmul(A, x) + b3); }, v4);
    check_lanes("bias broadcast", [](const auto& b) { return duet::tanh(duet::matmul(duet::transpose(A), A) + b); }, v4);
    check_lanes("binary with both varying", [](const auto& x) { return duet::pow(duet::exp(x), x) * x / (1.0 + x * x); }, v4);
    check_lanes("row broadcast", [](const auto& r) { return duet::hypot(A, r) - r; }, v4);
    check_lanes("softmax, sum axis, prod (lane by lane)",
                [](const auto& a) { return duet::softmax(a, 1) * duet::sum(a, 1).operator()(0) + duet::prod(a, 0)(1); }, A);
    check_lanes("dot, reshape, view, amax", [](const auto& a) {
        return duet::reshape(a, {4, 3}) * duet::dot(a, a) + duet::amax(duet::row(a, 1));
    }, A);
    check_lanes("multi_dot (n-ary)", [](const auto& a) { return duet::multi_dot(a, B, duet::transpose(B)); }, A);
    check_lanes("constant result", [](const auto& a) { return duet::sum(a) * 0.0 + duet::sin(duet::matmul(A, v4)); }, A);
}

TEST_CASE("gradients in forward mode use lanes too", "[tensor][lanes]") {
    const auto W = random_tensor<2>(rng, {7, 9});
    auto f = [](const auto& W, const auto& x) { return duet::sum(duet::tanh(duet::matmul(W, x))); };
    const auto x = random_tensor<1>(rng, {9});
    const auto [fw, fx] = duet::gradient(duet::forward, f, W, x);
    const auto [rw, rx] = duet::gradient(duet::reverse, f, W, x);
    for (std::size_t i = 0; i < fw.size(); ++i) CHECK(agree(fw.data()[i], rw.data()[i], 1e-13));
    for (std::size_t i = 0; i < fx.size(); ++i) CHECK(agree(fx.data()[i], rx.data()[i], 1e-13));
}

TEST_CASE("jvp and vjp with several arguments", "[tensor][lanes][jvp]") {
    auto f = [](const auto& W, const auto& x, const auto& b) { return duet::sigmoid(duet::matmul(W, x) + b); };
    const std::tuple<tensor<2>, tensor<1>, tensor<1>> x{A, v4, b3};
    const std::tuple<tensor<2>, tensor<1>, tensor<1>> v{random_tensor<2>(rng, {3, 4}), random_tensor<1>(rng, {4}),
                                                        random_tensor<1>(rng, {3})};
    const auto Jv = duet::jvp(f, x, v);
    REQUIRE(Jv.shape() == b3.shape());
    // Σ_i J_i v_i, each J_i v_i by the one-argument jvp
    const auto J0 = duet::jvp([&](const auto& W) { return f(W, v4, b3); }, A, std::get<0>(v));
    const auto J1 = duet::jvp([&](const auto& x) { return f(A, x, b3); }, v4, std::get<1>(v));
    const auto J2 = duet::jvp([&](const auto& b) { return f(A, v4, b); }, b3, std::get<2>(v));
    for (std::size_t i = 0; i < 3; ++i) CHECK(agree(Jv(i), J0(i) + J1(i) + J2(i), 1e-14));
    // <J v, w> = Σ_i <v_i, (wᵀ J)_i>
    const auto w = random_tensor<1>(rng, {3});
    const auto [c0, c1, c2] = duet::vjp(f, x, w);
    REQUIRE(c0.shape() == A.shape());
    const double lhs = inner(Jv.data(), w.data(), 3);
    const double rhs = inner(std::get<0>(v).data(), c0.data(), c0.size()) +
                       inner(std::get<1>(v).data(), c1.data(), c1.size()) +
                       inner(std::get<2>(v).data(), c2.data(), c2.size());
    CHECK(agree(lhs, rhs, 1e-14));
    // vjp of a scalar function with a number
    const auto [s0, s1] = duet::vjp([](const auto& a, const auto& b) { return duet::dot(a, b); },
                                    std::tuple<tensor<1>, tensor<1>>{v4, v4}, 2.0);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(s0(i) == 2.0 * v4(i));
        CHECK(s1(i) == 2.0 * v4(i));
    }
    // a direction of the wrong shape names both shapes
    std::string message;
    try {
        (void)duet::jvp(f, x, std::tuple<tensor<2>, tensor<1>, tensor<1>>{A, v3, b3});
    } catch (const std::invalid_argument& e) {
        message = e.what();
    }
    CHECK(message.find("(4,) and (3,)") != std::string::npos);
}
