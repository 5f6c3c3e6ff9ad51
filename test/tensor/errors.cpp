// Shape mismatches throw std::invalid_argument naming both shapes, during
// evaluation, before any gradient or argument is written.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "support.hpp"

using namespace duet_test;

namespace {

// The message of the std::invalid_argument that `call` throws ("" if none).
template <class Call>
std::string invalid_argument_message(Call call) {
    try {
        call();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("matmul of 3x4 by 5x2 names both shapes", "[tensor][errors]") {
    const tensor<2> A = xt::ones<double>({3, 4});
    const tensor<2> B = xt::ones<double>({5, 2});
    auto f = [](const auto& A, const auto& B) { return duet::sum(duet::matmul(A, B)); };

    for (const auto& message :
         {invalid_argument_message([&] { (void)duet::gradient(f, A, B); }),
          invalid_argument_message([&] { (void)duet::gradient(duet::forward, f, A, B); }),
          invalid_argument_message([&] { (void)f(A, B); })}) {  // plain values too
        INFO(message);
        CHECK(contains(message, "matmul"));
        CHECK(contains(message, "(3, 4)"));
        CHECK(contains(message, "(5, 2)"));
        CHECK(message == "duet::matmul: shapes (3, 4) and (5, 2): inner dimensions 4 and 5 differ");
    }
}

TEST_CASE("an axis out of range names the operation, the axis and the shape", "[tensor][errors]") {
    const tensor<2> A = xt::ones<double>({3, 4});
    const auto f = [](const auto& a) { return duet::sum(duet::sum(a, 2)); };
    CHECK(invalid_argument_message([&] { (void)duet::gradient(f, A); }) ==
          "duet::sum: axis 2 out of range for shape (3, 4)");
    const tensor<3> G = xt::ones<double>({2, 3, 1});
    CHECK(invalid_argument_message([&] { (void)duet::to_jacobian_form(G, 3); }) ==
          "duet::to_jacobian_form: shape (2, 3, 1) does not start with the output count 3");
}

TEST_CASE("adding a 3-vector to a 4-vector names both shapes", "[tensor][errors]") {
    const tensor<1> a = {1.0, 2.0, 3.0};
    const tensor<1> b = {1.0, 2.0, 3.0, 4.0};
    auto f = [](const auto& a, const auto& b) { return duet::sum(duet::sigmoid(a) + b); };
    const auto message = invalid_argument_message([&] { (void)duet::gradient(f, a, b); });
    INFO(message);
    CHECK(contains(message, "(3,)"));
    CHECK(contains(message, "(4,)"));
    CHECK(contains(invalid_argument_message([&] { (void)duet::jacobian(
                                                      [&b](const auto& a) { return a * b; }, a); }),
                   "(3,) and (4,)"));
}

TEST_CASE("a failed gradient leaves everything untouched", "[tensor][errors]") {
    // An SGD step that fails at its last operation: the parameters are
    // unchanged, no partial gradient escapes.
    tensor<2> W = {{1.0, 2.0}, {3.0, 4.0}};
    tensor<1> x = {0.5, -0.5};
    const tensor<2> W0 = W;
    const tensor<1> x0 = x;
    auto loss = [](const auto& W, const auto& x) {
        auto h = duet::sigmoid(duet::matmul(W, x));         // fine: 2 elements
        return duet::dot(h, tensor<1>{1.0, 2.0, 3.0});      // mismatch at the end
    };
    auto step = [&] {
        auto [gW, gx] = duet::gradient(loss, W, x);
        W -= 0.1 * gW;
        x -= 0.1 * gx;
    };
    CHECK_THROWS_AS(step(), std::invalid_argument);
    CHECK(bool(W == W0));
    CHECK(bool(x == x0));
    CHECK_THROWS_AS((void)duet::gradient(duet::forward, loss, W, x), std::invalid_argument);
    CHECK(bool(W == W0));
}

TEST_CASE("jvp, vjp, reshape, axis and the shape conversions check their shapes",
          "[tensor][errors]") {
    const tensor<2> A = xt::ones<double>({2, 3});
    auto f = [](const auto& A) { return duet::sigmoid(A); };
    CHECK(contains(invalid_argument_message([&] { (void)duet::jvp(f, A, tensor<2>(xt::ones<double>({3, 2}))); }),
                   "(2, 3) and (3, 2)"));
    CHECK(contains(invalid_argument_message([&] { (void)duet::vjp(f, A, tensor<2>(xt::ones<double>({2, 2}))); }),
                   "(2, 3) and (2, 2)"));
    CHECK(contains(invalid_argument_message([&] {
                       (void)duet::gradient([](const auto& A) { return duet::sum(duet::reshape(A, {4, 2})); }, A);
                   }),
                   "(2, 3) and (4, 2)"));
    CHECK(contains(invalid_argument_message([&] {
                       (void)duet::gradient([](const auto& A) { return duet::sum(duet::sum(A, 2)); }, A);
                   }),
                   "axis 2"));
    CHECK(contains(invalid_argument_message([&] {
                       (void)duet::to_shape_convention(tensor<2>(xt::ones<double>({1, 5})),
                                                       std::array<std::size_t, 2>{2, 3});
                   }),
                   "(1, 5) and (2, 3)"));
}
