// xtensor's spelling on duet tensors: xt::exp, xt::sum(e, {axes}),
// xt::linalg::dot, xt::transpose, xt::view ... on duet nodes build the same
// nodes as duet's functions (same values, same derivatives), while the same
// source on plain xtensors still runs xtensor's own functions.
#define DUET_TENSOR_POISON 1

#include <catch2/catch.hpp>

#include <string>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

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

// The xt-spelled function and the duet-spelled one have equal values and
// gradients (bitwise: they build the same nodes), and the xt-spelled one is
// checked forward = reverse = central differences (evaluated plainly by
// xtensor itself for the differences).
template <class FX, class FD, std::size_t... K>
void check_spelling(const std::string& name, FX fx, FD fd_duet, const tensor<K>&... x) {
    INFO(name);
    const auto vx = duet::value_and_gradient(fx, x...);
    const auto vd = duet::value_and_gradient(fd_duet, x...);
    CHECK(vx.value == vd.value);
    const auto gx = flatten_tuple(as_tuple(vx.gradient));
    const auto gd = flatten_tuple(as_tuple(vd.gradient));
    REQUIRE(gx.size() == gd.size());
    for (std::size_t i = 0; i < gx.size(); ++i) CHECK(gx[i] == gd[i]);
    const auto forward = flatten_tuple(as_tuple(duet::gradient(duet::forward, fx, x...)));
    const auto fd = central_differences(fx, x...);  // xtensor's own functions
    CHECK(agree(plain_value(fx(x...)), vx.value, 1e-13));
    for (std::size_t i = 0; i < gx.size(); ++i) {
        INFO("element " << i << ": " << show(gx[i], forward[i]) << ", fd " << fd[i]);
        CHECK(agree(gx[i], forward[i], 1e-13));
        CHECK(agree(gx[i], fd[i], 1e-6));
    }
}

std::mt19937 rng(1717);
const tensor<2> A = random_tensor<2>(rng, {3, 4});
const tensor<2> P = random_tensor<2>(rng, {3, 4}, 0.5, 1.5);
const tensor<3> T = random_tensor<3>(rng, {2, 3, 4});
const tensor<1> v4 = random_tensor<1>(rng, {4});
const tensor<1> v3 = random_tensor<1>(rng, {3});

}  // namespace

TEST_CASE("xt:: elementwise functions on duet tensors", "[tensor][xtensor]") {
#define UNARY(fn, arg)                                                                            \
    check_spelling("xt::" #fn, [](const auto& a) { return xt::sum(xt::fn(a) * a); },              \
                   [](const auto& a) { return duet::sum(duet::fn(a) * a); }, arg)
    UNARY(exp, A);
    UNARY(log, P);
    UNARY(tanh, A);
    UNARY(sin, A);
    UNARY(cos, A);
    UNARY(sqrt, P);
    UNARY(abs, A);
    UNARY(square, A);
    UNARY(expm1, A);
    UNARY(log1p, P);
    UNARY(atan, A);
    UNARY(erf, A);
    UNARY(cbrt, P);
#undef UNARY
    check_spelling("xt::pow", [](const auto& a, const auto& b) { return xt::sum(xt::pow(a, b)); },
                   [](const auto& a, const auto& b) { return duet::sum(duet::pow(a, b)); }, P, A);
    check_spelling("xt::pow by a number", [](const auto& a) { return xt::sum(xt::pow(a, 2.5)); },
                   [](const auto& a) { return duet::sum(duet::pow(a, 2.5)); }, P);
    check_spelling("xt::maximum, xt::minimum broadcast",
                   [](const auto& a, const auto& b) { return xt::sum(xt::maximum(a, b) + xt::minimum(b, a)); },
                   [](const auto& a, const auto& b) { return duet::sum(duet::max(a, b) + duet::min(b, a)); },
                   A, v4);
    check_spelling("xt::maximum with a number (relu)", [](const auto& a) { return xt::sum(xt::maximum(a, 0.0) * a); },
                   [](const auto& a) { return duet::sum(duet::max(a, 0.0) * a); }, A);
    check_spelling("xt::hypot, xt::atan2", [](const auto& a, const auto& b) { return xt::sum(xt::hypot(a, b) * xt::atan2(a, b)); },
                   [](const auto& a, const auto& b) { return duet::sum(duet::hypot(a, b) * duet::atan2(a, b)); }, A, P);
}

TEST_CASE("xt:: reductions with and without axes", "[tensor][xtensor]") {
    check_spelling("xt::sum", [](const auto& t) { return xt::sum(xt::sin(t)); },
                   [](const auto& t) { return duet::sum(duet::sin(t)); }, T);
    check_spelling("xt::mean", [](const auto& t) { return xt::mean(xt::sin(t)); },
                   [](const auto& t) { return duet::mean(duet::sin(t)); }, T);
    check_spelling("xt::prod", [](const auto& t) { return xt::prod(t); },
                   [](const auto& t) { return duet::prod(t); }, P);
    check_spelling("xt::amax / amin", [](const auto& t) { return xt::amax(t) - 2.0 * xt::amin(t); },
                   [](const auto& t) { return duet::amax(t) - 2.0 * duet::amin(t); }, A);
    check_spelling("xt::sum(t, {1})", [](const auto& t) { return xt::sum(xt::square(xt::sum(t, {1}))); },
                   [](const auto& t) { return duet::sum(duet::square(duet::sum(t, 1))); }, T);
    check_spelling("xt::sum(t, 2)", [](const auto& t) { return xt::sum(xt::square(xt::sum(t, 2))); },
                   [](const auto& t) { return duet::sum(duet::square(duet::sum(t, 2))); }, T);
    check_spelling("xt::sum(t, {0, 2})", [](const auto& t) { return xt::sum(xt::exp(xt::sum(t, {0, 2}))); },
                   [](const auto& t) { return duet::sum(duet::exp(duet::sum(duet::sum(t, 2), 0))); }, T);
    check_spelling("xt::mean(t, {0, 2})", [](const auto& t) { return xt::sum(xt::exp(xt::mean(t, {0, 2}))); },
                   [](const auto& t) { return duet::sum(duet::exp(duet::mean(duet::mean(t, 2), 0))); }, T);
    check_spelling("xt::mean(t, std::array)",
                   [](const auto& t) { return xt::sum(xt::exp(xt::mean(t, std::array<std::size_t, 1>{1}))); },
                   [](const auto& t) { return duet::sum(duet::exp(duet::mean(t, 1))); }, T);
    check_spelling("xt::prod(t, {1})", [](const auto& t) { return xt::sum(xt::prod(t, {1})); },
                   [](const auto& t) { return duet::sum(duet::prod(t, 1)); }, A);
    check_spelling("xt::amax(t, {0})", [](const auto& t) { return xt::sum(xt::amax(t, {0}) * xt::amin(t, {0})); },
                   [](const auto& t) { return duet::sum(duet::amax(t, 0) * duet::amin(t, 0)); }, A);
}

TEST_CASE("xt::linalg::dot, xt::transpose, xt::reshape_view, xt::view", "[tensor][xtensor]") {
    check_spelling("xt::linalg::dot matrix x vector + bias",
                   [](const auto& W, const auto& x, const auto& b) {
                       return xt::sum(xt::tanh(xt::linalg::dot(W, x) + b));
                   },
                   [](const auto& W, const auto& x, const auto& b) {
                       return duet::sum(duet::tanh(duet::matmul(W, x) + b));
                   },
                   A, v4, v3);
    check_spelling("xt::linalg::dot matrix x matrix, vector x matrix",
                   [](const auto& W, const auto& x) {
                       return xt::sum(xt::linalg::dot(xt::linalg::dot(x, W), xt::transpose(W)));
                   },
                   [](const auto& W, const auto& x) {
                       return duet::sum(duet::matmul(duet::matmul(x, W), duet::transpose(W)));
                   },
                   A, v3);
    check_spelling("xt::linalg::dot vector x vector (wrapped in xt::sum for both runs)",
                   [](const auto& a, const auto& b) { return xt::sum(xt::linalg::dot(a, xt::exp(b))); },
                   [](const auto& a, const auto& b) { return duet::sum(duet::dot(a, duet::exp(b))); }, v4, v4);
    check_spelling("xt::reshape_view", [](const auto& a) { return xt::sum(xt::linalg::dot(xt::reshape_view(a, {6, 2}), xt::reshape_view(a, {2, 6}))); },
                   [](const auto& a) { return duet::sum(duet::matmul(duet::reshape(a, {6, 2}), duet::reshape(a, {2, 6}))); }, A);
    check_spelling("xt::view and xt::row",
                   [](const auto& a) { return xt::sum(xt::view(a, 1, xt::all()) * xt::row(a, 2)) + xt::sum(xt::col(a, 0)); },
                   [](const auto& a) { return duet::sum(duet::view(a, 1, xt::all()) * duet::row(a, 2)) + duet::sum(duet::col(a, 0)); },
                   A);
}

TEST_CASE("plain xtensor code is untouched", "[tensor][xtensor]") {
    // The overloads only match duet nodes: on plain xtensors, xt:: still
    // returns xtensor's lazy expressions.
    auto e = xt::exp(A);
    STATIC_REQUIRE(xt::is_xexpression<decltype(e)>::value);
    auto s = xt::sum(A, {1});
    STATIC_REQUIRE(xt::is_xexpression<decltype(s)>::value);
    auto d = xt::linalg::dot(A, v4);
    STATIC_REQUIRE(xt::is_xexpression<decltype(d)>::value);
    STATIC_REQUIRE(xt::is_xexpression<decltype(xt::transpose(A))>::value);
    CHECK(e(0, 0) == std::exp(A(0, 0)));
    // and on duet nodes xt:: gives nodes
    const duet::tensor_var<2, 0> W{&A};
    STATIC_REQUIRE(duet::tensor_node<decltype(xt::exp(W))>);
    STATIC_REQUIRE(duet::tensor_node<decltype(xt::sum(W, {1}))>);
    STATIC_REQUIRE(decltype(xt::sum(W, {0, 1}))::rank == 0);
    STATIC_REQUIRE(duet::tensor_node<decltype(xt::linalg::dot(W, v4))>);
    // functions without a rule are refused (at compile time, with a sentence):
    // xt::floor(W), xt::cumsum(W) (see doc/tensor.md)
}

TEST_CASE("a two-layer network written with xtensor differentiates", "[tensor][xtensor]") {
    // as a new user writes it: batch in columns, bias (n, 1) broadcast
    const auto W1 = random_tensor<2>(rng, {5, 4});
    const auto b1 = random_tensor<2>(rng, {5, 1});
    const auto W2 = random_tensor<2>(rng, {2, 5});
    const auto X = random_tensor<2>(rng, {4, 3});
    auto loss = [&X](const auto& W1, const auto& b1, const auto& W2) {
        auto H = xt::tanh(xt::linalg::dot(W1, X) + b1);
        return xt::mean(xt::square(xt::linalg::dot(W2, H)));
    };
    check_spelling("two layers", loss,
                   [&X](const auto& W1, const auto& b1, const auto& W2) {
                       auto H = duet::tanh(duet::matmul(W1, X) + b1);
                       return duet::mean(duet::square(duet::matmul(W2, H)));
                   },
                   W1, b1, W2);
}
