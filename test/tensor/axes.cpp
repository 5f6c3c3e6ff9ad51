// Reductions along an axis (sum, mean, prod, amax, amin, log_sum_exp,
// softmax), duet::prod at zeros, ties of amax, batch cross-entropy, and
// element access / views of tensor expressions: values against xtensor,
// reverse = forward = central differences, the dot-product identity, fan-out,
// and error messages.
#define DUET_TENSOR_POISON 1

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "support.hpp"

using namespace duet_test;

namespace {

template <class G>
auto as_tuple(G g) {
    if constexpr (requires { std::tuple_size<G>::value; })
        return g;
    else
        return std::tuple{g};
}

template <class R>
auto S(R&& r) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<R>>)
        return std::sin(r);
    else
        return duet::sum(duet::sin(std::forward<R>(r)));
}

// f: tensors -> tensor of any rank. Reverse = forward (1e-13) = central
// differences (fd_tolerance) on Σ sin(f), the identity on f itself, and f
// fanned out (f(x) twice, and x next to f(x)).
template <class F, std::size_t... K>
void check_all(const std::string& name, F f, const tensor<K>&... x) {
    INFO(name);
    auto scalar = [f](const auto&... a) { return S(f(a...)) + S(f(a...)) * (S(a) + ...); };
    const auto reverse = flatten_tuple(as_tuple(duet::gradient(duet::reverse, scalar, x...)));
    const auto forward = flatten_tuple(as_tuple(duet::gradient(duet::forward, scalar, x...)));
    const auto fd = central_differences(scalar, x...);
    REQUIRE(reverse.size() == fd.size());
    for (std::size_t i = 0; i < reverse.size(); ++i) {
        INFO("element " << i << ": reverse " << show(reverse[i], forward[i]) << " forward; fd " << fd[i]);
        CHECK(agree(reverse[i], forward[i], 1e-13));
        CHECK(agree(reverse[i], fd[i], 1e-6));
    }
    std::mt19937 local(3);
    for (int trial = 0; trial < 2; ++trial) {
        const auto [lhs, rhs] = dot_product_identity(f, local, x...);
        INFO("<Ju, w> = " << show(lhs, rhs) << " = <u, J^T w>");
        CHECK(agree(lhs, rhs, 1e-13));
    }
}

template <std::size_t K>
void same_values(const tensor<K>& a, const tensor<K>& b, double rel = 1e-14) {
    REQUIRE(a.shape() == b.shape());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(i << ": " << show(a.data()[i], b.data()[i]));
        CHECK(agree(a.data()[i], b.data()[i], rel));
    }
}

// The value of a tensor function on variables (the node path), evaluated.
template <class F, std::size_t K>
auto node_value(F f, const tensor<K>& x) {
    const auto e = f(duet::tensor_var<K, 0>{&x});
    using R = std::remove_cvref_t<decltype(duet::evaluate(e).value())>;
    return R(duet::evaluate(e).value());
}

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

std::mt19937 rng(4242);
const tensor<2> A = random_tensor<2>(rng, {3, 4});
const tensor<3> T = random_tensor<3>(rng, {2, 3, 4});
const tensor<1> v = random_tensor<1>(rng, {5});

}  // namespace

TEST_CASE("values along an axis equal xtensor's", "[tensor][axes]") {
    for (std::size_t axis = 0; axis < 3; ++axis) {
        INFO("axis " << axis);
        same_values(node_value([axis](auto t) { return duet::prod(t, axis); }, T),
                    tensor<2>(xt::prod(T, {axis})));
        same_values(node_value([axis](auto t) { return duet::amax(t, axis); }, T),
                    tensor<2>(xt::amax(T, {axis})));
        same_values(node_value([axis](auto t) { return duet::amin(t, axis); }, T),
                    tensor<2>(xt::amin(T, {axis})));
        same_values(node_value([axis](auto t) { return duet::log_sum_exp(t, axis); }, T),
                    tensor<2>(xt::log(xt::sum(xt::exp(T), {axis}))), 1e-13);
        same_values(node_value([axis](auto t) { return duet::softmax(t, axis); }, T),
                    tensor<3>(xt::exp(T) / xt::expand_dims(xt::sum(xt::exp(T), {axis}), axis)), 1e-13);
    }
    CHECK(node_value([](auto t) { return duet::prod(t); }, A)() == Approx(xt::prod(A)()).epsilon(1e-14));
    CHECK(node_value([](auto t) { return duet::amax(t); }, A)() == xt::amax(A)());
    CHECK(node_value([](auto t) { return duet::amin(t); }, A)() == xt::amin(A)());
    // large scores do not overflow
    const tensor<2> big = {{1000.0, 1001.0}, {-1000.0, -1002.0}};
    const auto lse = node_value([](auto t) { return duet::log_sum_exp(t, 1); }, big);
    CHECK(agree(lse(0), 1001.0 + std::log1p(std::exp(-1.0)), 1e-15));
    CHECK(agree(lse(1), -1000.0 + std::log1p(std::exp(-2.0)), 1e-15));
}

TEST_CASE("derivatives of reductions along an axis", "[tensor][axes]") {
    for (std::size_t axis = 0; axis < 3; ++axis) {
        const std::string a = " axis " + std::to_string(axis);
        check_all("sum" + a, [axis](const auto& t) { return duet::sum(t, axis); }, T);
        check_all("mean" + a, [axis](const auto& t) { return duet::mean(t, axis); }, T);
        check_all("prod" + a, [axis](const auto& t) { return duet::prod(t, axis); }, T);
        check_all("amax" + a, [axis](const auto& t) { return duet::amax(t, axis); }, T);
        check_all("amin" + a, [axis](const auto& t) { return duet::amin(t, axis); }, T);
        check_all("log_sum_exp" + a, [axis](const auto& t) { return duet::log_sum_exp(t, axis); }, T);
        check_all("softmax" + a, [axis](const auto& t) { return duet::softmax(t, axis); }, T);
    }
    check_all("prod", [](const auto& t) { return duet::prod(t); }, A);
    check_all("amax", [](const auto& t) { return duet::amax(t); }, A);
    check_all("amin", [](const auto& t) { return duet::amin(t); }, v);
    check_all("log_sum_exp axis 1, matrix", [](const auto& t) { return duet::log_sum_exp(t, 1); }, A);
    check_all("softmax axis 0, vector", [](const auto& t) { return duet::softmax(t, 0); }, v);
}

TEST_CASE("prod is exact at one zero and zero at two", "[tensor][axes][prod]") {
    // d/da_j Π a = Π_{i != j} a_i
    const tensor<1> one_zero = {2.0, 0.0, 3.0, -1.5};
    const tensor<1> two_zeros = {2.0, 0.0, 3.0, 0.0};
    auto f = [](const auto& a) { return duet::prod(a); };
    for (auto mode : {0, 1}) {
        const auto g1 = mode ? duet::gradient(duet::forward, f, one_zero) : duet::gradient(duet::reverse, f, one_zero);
        CHECK(g1(0) == 0.0);
        CHECK(g1(1) == 2.0 * 3.0 * -1.5);
        CHECK(g1(2) == 0.0);
        CHECK(g1(3) == 0.0);
        const auto g2 = mode ? duet::gradient(duet::forward, f, two_zeros) : duet::gradient(duet::reverse, f, two_zeros);
        for (std::size_t i = 0; i < 4; ++i) CHECK(g2(i) == 0.0);
    }
    // along an axis: a zero in one lane only
    const tensor<2> M = {{1.0, 0.0, 2.0}, {3.0, 4.0, 5.0}, {0.0, 6.0, 0.0}};
    const auto g = duet::gradient([](const auto& m) { return duet::sum(duet::prod(m, 1) * tensor<1>{1.0, 2.0, 3.0}); }, M);
    const tensor<2> expected = {{0.0, 2.0, 0.0}, {2 * 20.0, 2 * 15.0, 2 * 12.0}, {0.0, 0.0, 0.0}};
    same_values(g, expected, 0.0);
    const auto gf = duet::gradient(duet::forward, [](const auto& m) { return duet::sum(duet::prod(m, 1) * tensor<1>{1.0, 2.0, 3.0}); }, M);
    same_values(gf, expected, 0.0);
    // with a zero, and fanned out, against central differences
    check_all("prod with a zero", [](const auto& a) { return duet::prod(a); }, one_zero);
    check_all("prod with two zeros", [](const auto& a) { return duet::prod(a); }, two_zeros);
    check_all("prod(M, 1) with zeros", [](const auto& m) { return duet::prod(m, 1); }, M);
}

TEST_CASE("amax ties share the derivative; NaN reaches every partial", "[tensor][axes]") {
    const tensor<1> tie = {1.0, 3.0, 3.0, -2.0};
    const auto g = duet::gradient([](const auto& a) { return duet::amax(a); }, tie);
    const auto gf = duet::gradient(duet::forward, [](const auto& a) { return duet::amax(a); }, tie);
    const tensor<1> expected = {0.0, 0.5, 0.5, 0.0};
    same_values(g, expected, 0.0);
    same_values(gf, expected, 0.0);
    // as duet::max(x, y) at a tie
    CHECK(duet::gradient([](const auto& a) { return duet::sum(duet::max(a, 3.0)); }, tensor<1>{3.0})(0) == 0.5);
    const tensor<1> with_nan = {1.0, std::numeric_limits<double>::quiet_NaN(), 2.0};
    const auto gn = duet::gradient([](const auto& a) { return duet::amax(a); }, with_nan);
    for (std::size_t i = 0; i < 3; ++i) CHECK(std::isnan(gn(i)));
    CHECK(std::isnan(node_value([](auto t) { return duet::amax(t); }, with_nan)()));
}

TEST_CASE("batch softmax cross-entropy", "[tensor][axes]") {
    const auto Z = random_tensor<2>(rng, {5, 3}, -3.0, 3.0);
    tensor<2> Y = xt::zeros<double>({5, 3});
    for (std::size_t b = 0; b < 5; ++b) Y(b, (b * 2) % 3) = 1.0;
    auto loss = [&Y](const auto& z) { return duet::softmax_cross_entropy(z, Y); };
    // value: mean over the batch of -log softmax(z_b)[class_b]
    double expected = 0;
    for (std::size_t b = 0; b < 5; ++b) {
        double s = 0;
        for (std::size_t c = 0; c < 3; ++c) s += std::exp(Z(b, c));
        expected -= std::log(std::exp(Z(b, (b * 2) % 3)) / s);
    }
    expected /= 5;
    const auto [value, g] = duet::value_and_gradient(loss, Z);
    CHECK(agree(value, expected, 1e-14));
    // gradient: (softmax(Z) - Y) / batch
    for (std::size_t b = 0; b < 5; ++b) {
        double s = 0;
        for (std::size_t c = 0; c < 3; ++c) s += std::exp(Z(b, c));
        for (std::size_t c = 0; c < 3; ++c) CHECK(agree(g(b, c), (std::exp(Z(b, c)) / s - Y(b, c)) / 5, 1e-14));
    }
    // the scores also used before the loss (the loss's adjoint must add)
    check_all("scores used twice", [&Y](const auto& z) {
        return duet::sum(duet::sin(z)) + duet::softmax_cross_entropy(z, Y) * duet::softmax_cross_entropy(z, Y);
    }, Z);
    // differentiable targets, also used before the loss
    check_all("targets used twice", [](const auto& z, const auto& y) {
        return duet::sum(duet::sin(y)) + duet::softmax_cross_entropy(z, y);
    }, Z, tensor<2>(Y * 0.5 + 0.1));
    check_all("cross-entropy, classes along axis 0",
              [&Y](const auto& z) { return duet::softmax_cross_entropy(duet::transpose(z), xt::transpose(Y), 0); }, Z);
}

TEST_CASE("element access and views of tensor variables", "[tensor][indexing]") {
    // W(i, j) in an expression, read-only
    auto f = [](const auto& W, const auto& x) { return W(1, 2) * x(0) + duet::sin(W(0, 0)) * W(1, 2); };
    const auto x = random_tensor<1>(rng, {4});
    const auto [gW, gx] = duet::gradient(f, A, x);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 4; ++j) {
            double expected = 0;
            if (i == 1 && j == 2) expected = x(0) + std::sin(A(0, 0));
            if (i == 0 && j == 0) expected = std::cos(A(0, 0)) * A(1, 2);
            CHECK(agree(gW(i, j), expected, 1e-15));
        }
    CHECK(agree(gx(0), A(1, 2), 1e-15));
    CHECK(gx(1) == 0.0);
    CHECK(duet::value_and_gradient(f, A, x).value == f(A, x));

    check_all("row view", [](const auto& W) { return duet::view(W, 1, xt::all()); }, A);
    check_all("column view", [](const auto& W) { return duet::view(W, xt::all(), 2); }, A);
    check_all("row(W, -1)", [](const auto& W) { return duet::row(W, -1); }, A);
    check_all("col(W, 0)", [](const auto& W) { return duet::col(W, 0); }, A);
    check_all("range", [](const auto& W) { return duet::view(W, xt::range(1, 3), xt::range(0, 4, 2)); }, A);
    check_all("rank 3, one index", [](const auto& t) { return duet::view(t, 1); }, T);
    check_all("element of an expression", [](const auto& W) { return duet::matmul(W, duet::transpose(W))(0, 1); }, A);
    check_all("row times the matrix", [](const auto& W) { return duet::matmul(duet::row(W, 0), duet::transpose(W)); }, A);
    check_all("elements into the same product", [](const auto& W) { return W(0, 0) * W + W(2, 3) * W; }, A);

    // values equal xtensor's views
    same_values(node_value([](auto W) { return duet::view(W, xt::range(1, 3), xt::range(0, 4, 2)); }, A),
                tensor<2>(xt::view(A, xt::range(1, 3), xt::range(0, 4, 2))), 0.0);
    same_values(node_value([](auto W) { return duet::col(W, 3); }, A), tensor<1>(xt::col(A, 3)), 0.0);
    // plain operands give plain values
    same_values(tensor<1>(duet::row(A, 2)), tensor<1>(xt::row(A, 2)), 0.0);

    const auto message = invalid_argument_message([&] {
        (void)duet::gradient([](const auto& W) { return W(3, 0); }, A);
    });
    CHECK(contains(message, "index 3 out of range for axis 0 of shape (3, 4)"));
}

TEST_CASE("axis errors name the axis and the shape", "[tensor][axes][errors]") {
    const auto m1 = invalid_argument_message([&] {
        (void)duet::gradient([](const auto& a) { return duet::sum(duet::softmax(a, 2)); }, A);
    });
    CHECK(contains(m1, "softmax: axis 2 out of range for shape (3, 4)"));
    const auto m2 = invalid_argument_message([&] {
        (void)duet::gradient([](const auto& a) { return duet::sum(duet::prod(a, 5)); }, A);
    });
    CHECK(contains(m2, "prod: axis 5"));
    const auto m3 = invalid_argument_message([&] {
        (void)duet::gradient([](const auto& a) { return duet::amax(a); }, tensor<1>::from_shape({0}));
    });
    CHECK(contains(m3, "amax: no elements"));
}
