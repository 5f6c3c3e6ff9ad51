// Tensor gradients against three references: the scalar forward mode of the
// same function written with loops (duet::dual), central differences, and
// the tensor forward mode (tangents) against the tensor reverse mode
// (adjoints).
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace duet_test;

namespace {

// Runs every comparison for one function. `tensor_f` is generic tensor code,
// `scalar_f` the same function over the flat arguments with loops.
template <class TF, class SF, std::size_t... K>
void check_gradient(const char* name, TF tensor_f, SF scalar_f, const tensor<K>&... x) {
    INFO(name);
    auto as_tuple = [](auto g) {
        if constexpr (sizeof...(K) == 1)
            return std::tuple{g};
        else
            return g;
    };
    const auto reverse = flatten_tuple(as_tuple(duet::gradient(duet::reverse, tensor_f, x...)));
    const auto forward = flatten_tuple(as_tuple(duet::gradient(duet::forward, tensor_f, x...)));
    const auto automatic = flatten_tuple(as_tuple(duet::gradient(tensor_f, x...)));
    const auto scalar = scalar_forward_gradient(scalar_f, flatten_all(x...));
    const auto fd = central_differences(tensor_f, x...);

    CHECK(all_agree(reverse, scalar, 1e-12));
    CHECK(all_agree(forward, reverse, 1e-13));
    CHECK(automatic == reverse);
    CHECK(all_agree(fd, reverse, 1e-6));

    // The value is the plain function's value.
    const auto vg = duet::value_and_gradient(tensor_f, x...);
    CHECK(agree(vg.value, plain_value(tensor_f(x...)), 1e-14));
}

std::mt19937 rng(7);

}  // namespace

TEST_CASE("window classifier s = u . sigmoid(W x + b)", "[tensor][gradient]") {
    const auto W = random_tensor<2>(rng, {3, 5});
    const auto b = random_tensor<1>(rng, {3});
    const auto u = random_tensor<1>(rng, {3});
    const auto x = random_tensor<1>(rng, {5});
    check_gradient(
        "window classifier",
        [](const auto& W, const auto& b, const auto& u, const auto& x) {
            return duet::dot(u, duet::sigmoid(duet::matmul(W, x) + b));
        },
        [](const auto& p) {
            using D = std::remove_cvref_t<decltype(p[0])>;
            // p = W (3x5) | b (3) | u (3) | x (5)
            D s = 0.0;
            for (std::size_t i = 0; i < 3; ++i) {
                D z = p[15 + i];
                for (std::size_t j = 0; j < 5; ++j) z += p[i * 5 + j] * p[21 + j];
                s += p[18 + i] * sigmoid(z);
            }
            return s;
        },
        W, b, u, x);
}

TEST_CASE("dense layer over a batch: sum(tanh(W X + B))", "[tensor][gradient]") {
    const auto W = random_tensor<2>(rng, {3, 4});
    const auto X = random_tensor<2>(rng, {4, 2});
    const auto B = random_tensor<2>(rng, {3, 2});
    check_gradient(
        "dense layer",
        [](const auto& W, const auto& X, const auto& B) {
            return duet::sum(duet::tanh(duet::matmul(W, X) + B));
        },
        [](const auto& p) {
            using D = std::remove_cvref_t<decltype(p[0])>;
            // p = W (3x4) | X (4x2) | B (3x2)
            D s = 0.0;
            for (std::size_t i = 0; i < 3; ++i)
                for (std::size_t j = 0; j < 2; ++j) {
                    D z = p[20 + i * 2 + j];
                    for (std::size_t k = 0; k < 4; ++k) z += p[i * 4 + k] * p[12 + k * 2 + j];
                    s += tanh(z);
                }
            return s;
        },
        W, X, B);
}

TEST_CASE("softmax cross-entropy with L2 penalty", "[tensor][gradient]") {
    const auto W = random_tensor<2>(rng, {3, 4});
    const auto x = random_tensor<1>(rng, {4});
    const tensor<1> y = {0.0, 1.0, 0.0};
    check_gradient(
        "cross-entropy",
        [y](const auto& W, const auto& x) {
            auto z = duet::matmul(W, x);
            return duet::log_sum_exp(z) - duet::dot(z, y) + 0.1 * duet::sum(duet::square(W));
        },
        [](const auto& p) {
            using D = std::remove_cvref_t<decltype(p[0])>;
            std::vector<D> z(3);
            for (std::size_t i = 0; i < 3; ++i) {
                z[i] = 0.0;
                for (std::size_t j = 0; j < 4; ++j) z[i] += p[i * 4 + j] * p[12 + j];
            }
            D e = 0.0;
            for (std::size_t i = 0; i < 3; ++i) e += exp(z[i]);
            D penalty = 0.0;
            for (std::size_t k = 0; k < 12; ++k) penalty += p[k] * p[k];
            return D(log(e) - z[1] + 0.1 * penalty);
        },
        W, x);
}

TEST_CASE("outer, transpose, mean along an axis", "[tensor][gradient]") {
    const auto a = random_tensor<1>(rng, {3});
    const auto b = random_tensor<1>(rng, {4});
    const auto M = random_tensor<2>(rng, {4, 3});
    check_gradient(
        "outer/transpose/mean",
        [](const auto& a, const auto& b, const auto& M) {
            return duet::dot(duet::mean(duet::outer(a, b) * duet::transpose(M), 1), a);
        },
        [](const auto& p) {
            using D = std::remove_cvref_t<decltype(p[0])>;
            // p = a (3) | b (4) | M (4x3)
            D s = 0.0;
            for (std::size_t i = 0; i < 3; ++i) {
                D m = 0.0;
                for (std::size_t j = 0; j < 4; ++j) m += p[i] * p[3 + j] * p[7 + j * 3 + i];
                s += p[i] * m / 4.0;
            }
            return s;
        },
        a, b, M);
}

TEST_CASE("rank-0 argument broadcast against a tensor", "[tensor][gradient]") {
    const tensor<0> s = 0.8;
    const auto A = random_tensor<2>(rng, {2, 3});
    check_gradient(
        "broadcast",
        [](const auto& s, const auto& A) { return duet::sum(duet::exp(s * A)) / s + s; },
        [](const auto& p) {
            using D = std::remove_cvref_t<decltype(p[0])>;
            D t = 0.0;
            for (std::size_t i = 1; i < 7; ++i) t += exp(p[0] * p[i]);
            return D(t / p[0] + p[0]);
        },
        s, A);
}

TEST_CASE("reshape and sum along axis 0", "[tensor][gradient]") {
    const auto A = random_tensor<2>(rng, {3, 4});
    check_gradient(
        "reshape",
        [](const auto& A) {
            auto r = duet::matmul(duet::reshape(A, {2, 6}), duet::reshape(A, {6, 2}));
            return duet::sum(duet::sin(duet::sum(r, 0)));
        },
        [](const auto& p) {
            using D = std::remove_cvref_t<decltype(p[0])>;
            D s = 0.0;
            for (std::size_t j = 0; j < 2; ++j) {
                D column = 0.0;
                for (std::size_t i = 0; i < 2; ++i)
                    for (std::size_t k = 0; k < 6; ++k) column += p[i * 6 + k] * p[k * 2 + j];
                s += sin(column);
            }
            return s;
        },
        A);
}

TEST_CASE("softmax, pow, max, division", "[tensor][gradient]") {
    const auto x = random_tensor<1>(rng, {4});
    const auto P = random_tensor<1>(rng, {4}, 0.5, 2.0);
    check_gradient(
        "softmax/pow/max",
        [](const auto& x, const auto& P) {
            const tensor<1> weights = {1.0, -2.0, 0.5, 3.0};
            return duet::dot(duet::softmax(x), weights) +
                   duet::sum(duet::pow(P, x) / duet::max(x, 0.1) + duet::pow(P, 3));
        },
        [](const auto& p) {
            using D = std::remove_cvref_t<decltype(p[0])>;
            const double weights[] = {1.0, -2.0, 0.5, 3.0};
            D z = 0.0;
            for (std::size_t i = 0; i < 4; ++i) z += exp(p[i]);
            D s = 0.0;
            for (std::size_t i = 0; i < 4; ++i) s += weights[i] * exp(p[i]) / z;
            for (std::size_t i = 0; i < 4; ++i)
                s += pow(p[4 + i], p[i]) / max(p[i], 0.1) + pow(p[4 + i], 3);
            return s;
        },
        x, P);
}

TEST_CASE("a leaf used several times accumulates", "[tensor][gradient]") {
    const auto A = random_tensor<2>(rng, {3, 3});
    check_gradient(
        "A used four times",
        [](const auto& A) {
            return duet::sum(duet::matmul(A, A) * A) + duet::dot(A, A);
        },
        [](const auto& p) {
            using D = std::remove_cvref_t<decltype(p[0])>;
            D s = 0.0;
            for (std::size_t i = 0; i < 3; ++i)
                for (std::size_t j = 0; j < 3; ++j) {
                    D c = 0.0;
                    for (std::size_t k = 0; k < 3; ++k) c += p[i * 3 + k] * p[k * 3 + j];
                    s += c * p[i * 3 + j] + p[i * 3 + j] * p[i * 3 + j];
                }
            return s;
        },
        A);
}

TEST_CASE("forward tangents equal reverse adjoints column by column", "[tensor][jacobian]") {
    const auto W = random_tensor<2>(rng, {3, 4});
    const auto x = random_tensor<1>(rng, {4});
    auto f = [x](const auto& W) { return duet::softmax(duet::sigmoid(duet::matmul(W, x))); };
    const auto Jf = duet::jacobian(duet::forward, f, W);
    const auto Jr = duet::jacobian(duet::reverse, f, W);
    const auto Ja = duet::jacobian(f, W);
    REQUIRE(Jf.shape(0) == 3);
    REQUIRE(Jf.shape(1) == 12);
    REQUIRE(Jr.shape() == Jf.shape());
    for (std::size_t j = 0; j < 12; ++j) {
        tensor<2> v = tensor<2>::from_shape({3, 4});
        v.fill(0.0);
        v.data()[j] = 1.0;
        const auto column = duet::jvp(f, W, v);  // J e_j
        for (std::size_t i = 0; i < 3; ++i) {
            INFO("J(" << i << ", " << j << ")");
            CHECK(agree(Jf(i, j), Jr(i, j), 1e-14));
            CHECK(column(i) == Jf(i, j));
        }
    }
    CHECK(bool(Ja == Jr));  // automatic: 12 inputs > 3 outputs -> reverse

    // Rows are vector-Jacobian products.
    for (std::size_t i = 0; i < 3; ++i) {
        tensor<1> w = {0.0, 0.0, 0.0};
        w(i) = 1.0;
        const auto row = duet::vjp(f, W, w);
        REQUIRE(row.shape() == W.shape());
        for (std::size_t j = 0; j < 12; ++j) CHECK(row.data()[j] == Jr(i, j));
    }

    // jvp in a random direction = J v.
    const auto v = random_tensor<2>(rng, {3, 4});
    const auto Jv = duet::jvp(f, W, v);
    for (std::size_t i = 0; i < 3; ++i) {
        double expected = 0;
        for (std::size_t j = 0; j < 12; ++j) expected += Jr(i, j) * v.data()[j];
        CHECK(agree(Jv(i), expected, 1e-13));
    }
}

TEST_CASE("jacobian of a matrix-valued function: forward == reverse", "[tensor][jacobian]") {
    const auto A = random_tensor<2>(rng, {2, 3});
    auto f = [](const auto& A) { return duet::matmul(A, duet::transpose(A)); };  // 2x2 output
    const auto Jf = duet::jacobian(duet::forward, f, A);
    const auto Jr = duet::jacobian(duet::reverse, f, A);
    REQUIRE(Jf.shape(0) == 4);
    REQUIRE(Jf.shape(1) == 6);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 6; ++j) CHECK(agree(Jf(i, j), Jr(i, j), 1e-14));
    // d(A Aᵀ)_{01} / dA_{1k} = A_{0k} (row-major output index 1, input index 3 + k)
    for (std::size_t k = 0; k < 3; ++k) CHECK(agree(Jr(1, 3 + k), A(0, k), 1e-15));
}

TEST_CASE("constant and independent arguments get zero gradients", "[tensor][gradient]") {
    const auto A = random_tensor<2>(rng, {2, 2});
    const auto b = random_tensor<1>(rng, {3});
    auto [gA, gb] = duet::gradient([](const auto& A, const auto&) { return duet::sum(A); }, A, b);
    CHECK(bool(gA == xt::ones<double>({2, 2})));
    CHECK(bool(gb == xt::zeros<double>({3})));
    auto [fA, fb] =
        duet::gradient(duet::forward, [](const auto& A, const auto&) { return duet::sum(A); }, A, b);
    CHECK(bool(fA == gA));
    CHECK(bool(fb == gb));
}
