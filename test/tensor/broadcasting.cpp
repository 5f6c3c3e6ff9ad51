// numpy broadcasting for every elementwise operation: values equal
// xtensor's own broadcasting, adjoints sum over the broadcast axes (reverse
// = forward = central differences, dot-product identity), shape errors name
// both shapes and the rule.
#define DUET_TENSOR_POISON 1

#include <catch2/catch.hpp>

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

template <class F, std::size_t... K>
void check_all(const std::string& name, F f, const tensor<K>&... x) {
    INFO(name);
    // scalar summary: Σ sin(f) (nonlinear, so each element's adjoint differs)
    auto scalar = [f](const auto&... a) { return duet::sum(duet::sin(f(a...))); };
    const auto reverse = flatten_tuple(as_tuple(duet::gradient(duet::reverse, scalar, x...)));
    const auto forward = flatten_tuple(as_tuple(duet::gradient(duet::forward, scalar, x...)));
    const auto fd = central_differences(scalar, x...);
    REQUIRE(reverse.size() == fd.size());
    for (std::size_t i = 0; i < reverse.size(); ++i) {
        INFO("element " << i << ": reverse " << show(reverse[i], forward[i]) << " forward; fd " << fd[i]);
        CHECK(agree(reverse[i], forward[i], 1e-13));
        CHECK(agree(reverse[i], fd[i], 1e-6));
    }
    std::mt19937 local(5);
    for (int trial = 0; trial < 2; ++trial) {
        const auto [lhs, rhs] = dot_product_identity(f, local, x...);
        INFO("<Ju, w> = " << show(lhs, rhs) << " = <u, J^T w>");
        CHECK(agree(lhs, rhs, 1e-13));
    }
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

std::mt19937 rng(77);

}  // namespace

TEST_CASE("broadcast values equal xtensor's", "[tensor][broadcasting]") {
    const auto M = random_tensor<2>(rng, {3, 4});
    const auto row = random_tensor<1>(rng, {4});
    const auto column = random_tensor<2>(rng, {3, 1});
    const auto lead = random_tensor<2>(rng, {1, 4});
    const auto T = random_tensor<3>(rng, {2, 3, 4});
    const auto T1 = random_tensor<3>(rng, {2, 1, 4});
    const tensor<0> s = 1.5;
    auto id = [](const auto& a) { return a; };
    // node (x) plain: duet's value; plain (x) plain: xtensor's.
    auto same = [](const auto& duet_value, const auto& xtensor_value) {
        const tensor<std::remove_cvref_t<decltype(duet_value)>::rank> d = duet_value;
        const tensor<std::remove_cvref_t<decltype(duet_value)>::rank> x = xtensor_value;
        REQUIRE(d.shape() == x.shape());
        for (std::size_t i = 0; i < d.size(); ++i) CHECK(d.data()[i] == x.data()[i]);
    };
    auto value = [](auto f, const auto& a, const auto& b) {
        return duet::evaluate(f(duet::tensor_var<std::remove_cvref_t<decltype(a)>::rank, 0>{&a},
                                duet::tensor_var<std::remove_cvref_t<decltype(b)>::rank, 1>{&b}))
            .value();
    };
    (void)id;
    auto add = [](const auto& a, const auto& b) { return a + b; };
    auto mul = [](const auto& a, const auto& b) { return a * b; };
    auto sub = [](const auto& a, const auto& b) { return a - b; };
    auto div = [](const auto& a, const auto& b) { return a / b; };
    same(value(add, M, row), M + row);
    same(value(add, row, M), row + M);
    same(value(mul, M, column), M * column);
    same(value(sub, column, M), column - M);
    same(value(div, column, lead), column / lead);  // (3, 1) / (1, 4) -> (3, 4)
    same(value(mul, T, column), T * column);        // (2, 3, 4) * (3, 1)
    same(value(add, T1, column), T1 + column);      // (2, 1, 4) + (3, 1) -> (2, 3, 4)
    same(value(mul, s, T), s * T);
    same(value([](const auto& a, const auto& b) { return duet::max(a, b); }, M, row), xt::maximum(M, row));
    same(value([](const auto& a, const auto& b) { return duet::pow(a, b); }, tensor<2>(xt::abs(M) + 0.5), lead),
         xt::pow(xt::abs(M) + 0.5, lead));
    // plain operands of duet's functions broadcast the same way
    same(duet::atan2(M, column), xt::atan2(M, column));
}

TEST_CASE("broadcast adjoints sum over the broadcast axes", "[tensor][broadcasting]") {
    const auto M = random_tensor<2>(rng, {3, 4});
    const auto P = random_tensor<2>(rng, {3, 4}, 0.5, 1.5);
    const auto row = random_tensor<1>(rng, {4});
    const auto prow = random_tensor<1>(rng, {4}, 0.5, 1.5);
    const auto column = random_tensor<2>(rng, {3, 1});
    const auto lead = random_tensor<2>(rng, {1, 4}, 0.5, 1.5);
    const auto T = random_tensor<3>(rng, {2, 3, 4});
    const auto T1 = random_tensor<3>(rng, {2, 1, 4});
    const tensor<0> s = 0.6;

    auto add = [](const auto& a, const auto& b) { return a + b; };
    auto sub = [](const auto& a, const auto& b) { return a - b; };
    auto mul = [](const auto& a, const auto& b) { return a * b; };
    auto div = [](const auto& a, const auto& b) { return a / b; };
    auto pow = [](const auto& a, const auto& b) { return duet::pow(a, b); };
    auto max = [](const auto& a, const auto& b) { return duet::max(a, b); };
    auto hypot = [](const auto& a, const auto& b) { return duet::hypot(a, b); };
    auto atan2 = [](const auto& a, const auto& b) { return duet::atan2(a, b); };

    check_all("(3, 4) + (4,)", add, M, row);
    check_all("(4,) + (3, 4)", add, row, M);
    check_all("(3, 4) - (3, 1)", sub, M, column);
    check_all("(3, 1) - (3, 4)", sub, column, M);
    check_all("(3, 1) * (1, 4)", mul, column, lead);
    check_all("(3, 4) / (4,)", div, M, prow);
    check_all("(4,) / (3, 4)", div, row, P);
    check_all("(2, 3, 4) * (3, 1)", mul, T, column);
    check_all("(2, 1, 4) * (3, 1)", mul, T1, column);
    check_all("(3, 1) + (2, 1, 4)", add, column, T1);
    check_all("pow((3, 4), (1, 4))", pow, P, lead);
    check_all("pow((1, 4), (3, 4))", pow, lead, M);
    check_all("max((3, 4), (4,))", max, M, row);
    check_all("hypot((3, 1), (4,))", hypot, column, row);
    check_all("atan2((2, 3, 4), (4,))", atan2, T, prow);
    check_all("rank 0 * (2, 3, 4)", mul, s, T);
    check_all("(3, 4) - rank 0", sub, M, s);
    // the same operand broadcast twice and used unbroadcast
    check_all("row + M * row", [](const auto& r, const auto& m) { return r + m * r; }, row, M);
    check_all("column * M + M", [](const auto& c, const auto& m) { return c * m + m; }, column, M);
}

TEST_CASE("a bias broadcast over a batch", "[tensor][broadcasting]") {
    // numpy convention: X (batch x in), W (in x out), b (out,)
    const auto X = random_tensor<2>(rng, {5, 4});
    const auto W = random_tensor<2>(rng, {4, 3});
    const auto b = random_tensor<1>(rng, {3});
    check_all("tanh(X W + b)", [](const auto& X, const auto& W, const auto& b) {
        return duet::tanh(duet::matmul(X, W) + b);
    }, X, W, b);
    // the gradient of the bias is the column sum of the upstream gradient
    auto f = [](const auto& W, const auto& b, const auto& X) { return duet::sum(duet::matmul(X, W) + b); };
    const auto [gW, gb, gX] = duet::gradient(f, W, b, X);
    for (std::size_t j = 0; j < 3; ++j) CHECK(gb(j) == 5.0);
    (void)gW;
    (void)gX;
}

TEST_CASE("shapes that do not broadcast name both shapes and the rule", "[tensor][broadcasting]") {
    const tensor<2> M = xt::ones<double>({3, 4});
    const tensor<1> v3 = xt::ones<double>({3});
    const tensor<3> T = xt::ones<double>({2, 3, 4});
    const tensor<2> N = xt::ones<double>({2, 4});
    auto f = [](const auto& a, const auto& b) { return duet::sum(a * b); };
    const auto m1 = invalid_argument_message([&] { (void)duet::gradient(f, M, v3); });
    INFO(m1);
    CHECK(contains(m1, "operator*"));
    CHECK(contains(m1, "(3, 4) and (3,)"));
    CHECK(contains(m1, "numpy rule"));
    const auto m2 = invalid_argument_message([&] { (void)duet::gradient(duet::forward, f, T, N); });
    CHECK(contains(m2, "(2, 3, 4) and (2, 4)"));
    const auto m3 = invalid_argument_message([&] {
        (void)duet::gradient([](const auto& a, const auto& b) { return duet::sum(duet::hypot(a, b)); }, v3, M);
    });
    CHECK(contains(m3, "hypot"));
    CHECK(contains(m3, "(3,) and (3, 4)"));
}

TEST_CASE("broadcasting with an empty axis", "[tensor][broadcasting]") {
    const tensor<2> E = tensor<2>::from_shape({0, 4});
    const auto row = random_tensor<1>(rng, {4});
    auto f = [](const auto& e, const auto& r) { return duet::sum(e * r); };
    const auto [ge, gr] = duet::gradient(f, E, row);
    CHECK(ge.size() == 0);
    for (std::size_t j = 0; j < 4; ++j) CHECK(gr(j) == 0.0);
    const auto [fe, fr] = duet::gradient(duet::forward, f, E, row);
    for (std::size_t j = 0; j < 4; ++j) CHECK(fr(j) == 0.0);
    (void)fe;
}
