// duet/eigen.hpp: the container drivers on Eigen vectors and std::span.
// Every result equals the std::vector driver's bitwise (same mode, same
// function) and agrees with central differences; result types; what f
// receives; Eigen idioms inside f; size errors.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <duet/duet.hpp>
#include <duet/eigen.hpp>

namespace {

using Eigen::Dynamic;
using Eigen::Index;

template <class X>
using element_t = std::decay_t<decltype(std::declval<const X&>()[0])>;

template <class X>
std::size_t length(const X& x) {
    return std::size_t(x.size());
}

// f: R^n -> R, generic over std::vector / Eigen / std::array: loops,
// branches, pow, exp, sin.
const auto scalar_f = [](const auto& x) {
    using T = element_t<std::decay_t<decltype(x)>>;
    T s = 0.0;
    const std::size_t n = length(x);
    for (std::size_t i = 0; i + 1 < n; ++i)
        s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(1 - x[i], 2);
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i] > 0.7)
            s += exp(0.3 * x[i]) * sin(x[(i + 1) % n]);
        else
            s += x[i] * x[i] * x[(i + 2) % n];
    }
    return s;
};

// f: R^n -> R^(n+1) into a std::vector.
const auto vector_f = [](const auto& x) {
    using T = element_t<std::decay_t<decltype(x)>>;
    const std::size_t n = length(x);
    std::vector<T> y(n + 1, T(0.0));
    for (std::size_t i = 0; i < n; ++i) y[i] = T(sin(x[i]) * x[(i + 1) % n] + exp(0.5 * x[(i + 3) % n]));
    T p = 1.0;
    for (std::size_t i = 0; i < n; ++i) p *= (1.5 + x[i]);
    y[n] = p;
    return y;
};

// The same function, written with Eigen and returning an Eigen vector.
const auto vector_f_eigen = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::Scalar;
    const Index n = x.size();
    Eigen::Matrix<T, Dynamic, 1> y(n + 1);
    for (Index i = 0; i < n; ++i) y[i] = T(sin(x[i]) * x[(i + 1) % n] + exp(0.5 * x[(i + 3) % n]));
    T p = 1.0;
    for (Index i = 0; i < n; ++i) p *= (1.5 + x[i]);
    y[n] = p;
    return y;
};

std::vector<double> point(std::size_t n) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 0.5 + 0.4 * std::sin(1.3 * double(i) + 0.2);
    return x;
}

template <class T, int N = Dynamic>
Eigen::Matrix<T, N, 1> to_eigen(const std::vector<double>& x) {
    Eigen::Matrix<T, N, 1> out(Index(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) out[Index(i)] = T(x[i]);
    return out;
}

template <class A, class B>
void require_same_vector(const A& a, const B& b) {
    REQUIRE(length(a) == length(b));
    for (std::size_t i = 0; i < length(a); ++i) REQUIRE(a[i] == b[i]);  // bitwise
}

template <class M, class X>
void require_same_matrix(const M& eig, const X& xt) {
    REQUIRE(std::size_t(eig.rows()) == xt.shape(0));
    REQUIRE(std::size_t(eig.cols()) == xt.shape(1));
    for (std::size_t i = 0; i < xt.shape(0); ++i)
        for (std::size_t j = 0; j < xt.shape(1); ++j) REQUIRE(eig(Index(i), Index(j)) == xt(i, j));
}

bool close(double a, double b, double tol) {
    return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

}  // namespace

TEST_CASE("eigen: gradient and value_and_gradient of VectorXd equal std::vector's, every mode") {
    for (std::size_t n : {1u, 3u, 7u, 19u}) {
        const std::vector<double> xv = point(n);
        const Eigen::VectorXd x = to_eigen<double>(xv);
        const std::vector<double> fd = duet::fd::gradient(scalar_f, xv, duet::fd::precise);

        Eigen::VectorXd gf = duet::gradient(duet::forward, scalar_f, x);
        Eigen::VectorXd gr = duet::gradient(duet::reverse, scalar_f, x);
        Eigen::VectorXd ga = duet::gradient(scalar_f, x);
        require_same_vector(gf, duet::gradient(duet::forward, scalar_f, xv));
        require_same_vector(gr, duet::gradient(duet::reverse, scalar_f, xv));
        require_same_vector(ga, duet::gradient(scalar_f, xv));

        auto [v, g] = duet::value_and_gradient(duet::reverse, scalar_f, x);
        static_assert(std::is_same_v<decltype(g), Eigen::VectorXd>);
        REQUIRE(v == scalar_f(xv));
        require_same_vector(g, gr);
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(close(gf[Index(i)], fd[i], 1e-9));
            CHECK(close(gr[Index(i)], fd[i], 1e-9));
        }
    }
}

TEST_CASE("eigen: fixed-size and float vectors keep their type") {
    const std::vector<double> xv = point(3);
    const Eigen::Vector3d x3 = to_eigen<double, 3>(xv);
    const std::array<double, 3> xa{xv[0], xv[1], xv[2]};
    auto g3 = duet::gradient(duet::reverse, scalar_f, x3);
    auto g3f = duet::gradient(duet::forward, scalar_f, x3);
    static_assert(std::is_same_v<decltype(g3), Eigen::Vector3d>);
    require_same_vector(g3, duet::gradient(duet::reverse, scalar_f, xa));
    require_same_vector(g3f, duet::gradient(duet::forward, scalar_f, xa));

    const std::vector<float> xfv{0.5f, -0.25f, 0.75f, 1.25f};
    Eigen::Matrix<float, 4, 1> x4f;
    Eigen::VectorXf xf(4);
    for (Index i = 0; i < 4; ++i) x4f[i] = xf[i] = xfv[std::size_t(i)];
    auto g4f = duet::gradient(duet::reverse, scalar_f, x4f);
    auto gxf = duet::gradient(duet::forward, scalar_f, xf);
    static_assert(std::is_same_v<decltype(g4f), Eigen::Matrix<float, 4, 1>>);
    static_assert(std::is_same_v<decltype(gxf), Eigen::VectorXf>);
    require_same_vector(g4f, duet::gradient(duet::reverse, scalar_f, xfv));
    require_same_vector(gxf, duet::gradient(duet::forward, scalar_f, xfv));

    auto Hf = duet::hessian(scalar_f, xf);
    static_assert(std::is_same_v<decltype(Hf), Eigen::MatrixXf>);
    require_same_matrix(Hf, duet::hessian(scalar_f, xfv));
}

TEST_CASE("eigen: f receives an Eigen vector of the mode's numbers") {
    const Eigen::VectorXd x = to_eigen<double>(point(4));
    int calls = 0;
    auto probe = [&calls](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        static_assert(std::is_base_of_v<Eigen::MatrixBase<V>, V>, "f must receive an Eigen vector");
        static_assert(V::ColsAtCompileTime == 1 && V::RowsAtCompileTime == Dynamic);
        static_assert(duet::expression<typename V::Scalar>, "of duet numbers");
        ++calls;
        return v.squaredNorm();
    };
    (void)duet::gradient(duet::reverse, probe, x);
    (void)duet::gradient(duet::forward, probe, x);
    (void)duet::hessian(duet::reverse, probe, x);
    (void)duet::hessian(duet::forward, probe, x);
    REQUIRE(calls >= 4);
    const Eigen::Vector3d x3(1, 2, 3);
    auto fixed_probe = [](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        static_assert(V::RowsAtCompileTime == 3, "a fixed-size argument stays fixed-size");
        return v.sum();
    };
    REQUIRE(duet::gradient(duet::reverse, fixed_probe, x3) == Eigen::Vector3d(1, 1, 1));
    REQUIRE(duet::gradient(duet::forward, fixed_probe, x3) == Eigen::Vector3d(1, 1, 1));
}

TEST_CASE("eigen: jacobian is an Eigen::MatrixXd equal to std::vector's, every mode and result kind") {
    for (std::size_t n : {2u, 5u, 11u}) {
        const std::vector<double> xv = point(n);
        const Eigen::VectorXd x = to_eigen<double>(xv);
        const auto fd = duet::fd::jacobian(vector_f, xv, duet::fd::precise);

        Eigen::MatrixXd Jf = duet::jacobian(duet::forward, vector_f_eigen, x);
        Eigen::MatrixXd Jr = duet::jacobian(duet::reverse, vector_f_eigen, x);
        Eigen::MatrixXd Ja = duet::jacobian(vector_f_eigen, x);
        static_assert(std::is_same_v<decltype(duet::jacobian(vector_f_eigen, x)), Eigen::MatrixXd>);
        require_same_matrix(Jf, duet::jacobian(duet::forward, vector_f, xv));
        require_same_matrix(Jr, duet::jacobian(duet::reverse, vector_f, xv));
        require_same_matrix(Ja, duet::jacobian(vector_f, xv));
        // f returning a std::vector from an Eigen argument
        require_same_matrix(Eigen::MatrixXd(duet::jacobian(duet::reverse, vector_f, x)),
                            duet::jacobian(duet::reverse, vector_f, xv));
        REQUIRE(Jf.rows() == Index(n + 1));
        for (std::size_t i = 0; i <= n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                CHECK(close(Jf(Index(i), Index(j)), fd(i, j), 1e-8));
                CHECK(close(Jr(Index(i), Index(j)), fd(i, j), 1e-8));
            }
    }
}

TEST_CASE("eigen: f may return a lazy Eigen expression, and use A * x with a double matrix") {
    Eigen::MatrixXd A(3, 4);
    A << 1, -2, 0.5, 3, 0, 1, 4, -1, 2, 2, -3, 0.25;
    const Eigen::Vector4d x(0.3, -0.7, 1.1, 0.4);
    auto linear = [&A](const auto& v) { return A * v; };  // a lazy product of double and duet numbers
    auto scaled = [](const auto& v) { return (2.0 * v.array().sin() + 1.0).matrix(); };
    for (Eigen::MatrixXd J : {duet::jacobian(duet::forward, linear, x), duet::jacobian(duet::reverse, linear, x),
                              duet::jacobian(linear, x)})
        REQUIRE(J == A);
    for (Eigen::MatrixXd J : {duet::jacobian(duet::forward, scaled, x), duet::jacobian(duet::reverse, scaled, x)}) {
        REQUIRE(J.rows() == 4);
        for (Index i = 0; i < 4; ++i)
            for (Index j = 0; j < 4; ++j) REQUIRE(J(i, j) == (i == j ? 2.0 * std::cos(x[i]) : 0.0));
    }
}

TEST_CASE("eigen: Eigen idioms inside f agree with central differences in every mode") {
    const Eigen::Vector4d c(1.0, -2.0, 0.5, 3.0);
    auto f = [&c](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::Scalar;
        const auto w = (2.0 * v).eval();  // duet numbers times a double
        return T(v.squaredNorm() + v.dot(w) * 0.25 + v.norm() + v.array().exp().sum() +
                 c.template cast<T>().dot(v) + v.maxCoeff() + v.prod() + v.stableNorm() + v.blueNorm() +
                 v.hypotNorm() + v.template lpNorm<1>() + v.mean() + v.normalized().sum());
    };
    auto fd_f = [&f](const std::vector<double>& v) {
        return f(Eigen::Vector4d(v[0], v[1], v[2], v[3]));
    };
    const std::vector<double> xv{0.3, -0.7, 1.1, 0.4};
    const Eigen::Vector4d x(xv[0], xv[1], xv[2], xv[3]);
    const auto fd = duet::fd::gradient(fd_f, xv, duet::fd::precise);
    const auto fdH = duet::fd::hessian(fd_f, xv, duet::fd::options{0.0, 2});
    for (const Eigen::Vector4d& g : {duet::gradient(duet::forward, f, x), duet::gradient(duet::reverse, f, x)})
        for (std::size_t i = 0; i < 4; ++i) CHECK(close(g[Index(i)], fd[i], 1e-9));
    for (const Eigen::MatrixXd& H : {duet::hessian(duet::forward, f, x), duet::hessian(duet::reverse, f, x)})
        for (std::size_t i = 0; i < 4; ++i)
            for (std::size_t j = 0; j < 4; ++j) CHECK(close(H(Index(i), Index(j)), fdH(i, j), 1e-7));
}

TEST_CASE("eigen: hessian is an Eigen::MatrixXd equal to std::vector's") {
    for (std::size_t n : {1u, 4u, 9u}) {
        const std::vector<double> xv = point(n);
        const Eigen::VectorXd x = to_eigen<double>(xv);
        const auto fd = duet::fd::hessian(scalar_f, xv, duet::fd::options{0.0, 2});
        Eigen::MatrixXd Hf = duet::hessian(duet::forward, scalar_f, x);
        Eigen::MatrixXd Hr = duet::hessian(duet::reverse, scalar_f, x);
        Eigen::MatrixXd Ha = duet::hessian(scalar_f, x);
        require_same_matrix(Hf, duet::hessian(duet::forward, scalar_f, xv));
        require_same_matrix(Hr, duet::hessian(duet::reverse, scalar_f, xv));
        require_same_matrix(Ha, duet::hessian(scalar_f, xv));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                CHECK(close(Hf(Index(i), Index(j)), fd(i, j), 1e-7));
                CHECK(close(Hr(Index(i), Index(j)), fd(i, j), 1e-7));
            }
    }
}

TEST_CASE("eigen: jvp and vjp return Eigen vectors equal to std::vector's") {
    const std::vector<double> xv = point(6);
    const Eigen::VectorXd x = to_eigen<double>(xv);
    const std::vector<double> vv{0.5, -1.0, 2.0, 0.25, -0.75, 1.5};
    const std::vector<double> wv{1.0, -0.5, 0.25, 2.0, -1.5, 0.75, 0.1};
    const Eigen::VectorXd v = to_eigen<double>(vv);
    const Eigen::VectorXd w = to_eigen<double>(wv);
    Eigen::VectorXd jv = duet::jvp(vector_f_eigen, x, v);
    Eigen::VectorXd vj = duet::vjp(vector_f_eigen, x, w);
    require_same_vector(jv, duet::jvp(vector_f, xv, vv));
    require_same_vector(vj, duet::vjp(vector_f, xv, wv));
    require_same_vector(Eigen::VectorXd(duet::jvp(vector_f, x, vv)), duet::jvp(vector_f, xv, vv));
    const Eigen::MatrixXd J = duet::jacobian(duet::reverse, vector_f_eigen, x);
    const Eigen::VectorXd Jv = J * v, wJ = J.transpose() * w;
    for (Index i = 0; i < Jv.size(); ++i) CHECK(close(jv[i], Jv[i], 1e-13));
    for (Index i = 0; i < wJ.size(); ++i) CHECK(close(vj[i], wJ[i], 1e-13));
}

TEST_CASE("eigen: size mismatches throw std::invalid_argument naming both sizes") {
    const Eigen::VectorXd x = to_eigen<double>(point(6));
    auto message_of = [](auto&& call) -> std::string {
        try {
            call();
        } catch (const std::invalid_argument& e) {
            return e.what();
        }
        return "no exception";
    };
    const std::string jv = message_of([&] { (void)duet::jvp(vector_f_eigen, x, Eigen::VectorXd::Ones(4)); });
    CHECK_THAT(jv, Catch::Contains("4") && Catch::Contains("6") && Catch::Contains("jvp"));
    const std::string vj = message_of([&] { (void)duet::vjp(vector_f_eigen, x, Eigen::VectorXd::Ones(3)); });
    CHECK_THAT(vj, Catch::Contains("3") && Catch::Contains("7") && Catch::Contains("vjp"));
    const std::vector<double> xv = point(2);
    const std::span<const double> s(xv);
    const std::string sp = message_of([&] { (void)duet::jvp(vector_f, s, std::vector<double>{1.0}); });
    CHECK_THAT(sp, Catch::Contains("1") && Catch::Contains("2") && Catch::Contains("jvp"));
}

TEST_CASE("span: the std::vector drivers on a span, with std::vector results") {
    const std::vector<double> xv = point(5);
    const std::span<const double> x(xv);
    std::vector<double> buffer = xv;
    const std::span<double> xm(buffer);
    auto g = duet::gradient(scalar_f, x);
    static_assert(std::is_same_v<decltype(g), std::vector<double>>);
    require_same_vector(g, duet::gradient(scalar_f, xv));
    require_same_vector(duet::gradient(duet::forward, scalar_f, xm), duet::gradient(duet::forward, scalar_f, xv));
    require_same_vector(duet::gradient(duet::reverse, scalar_f, x), duet::gradient(duet::reverse, scalar_f, xv));
    auto [v, g2] = duet::value_and_gradient(duet::reverse, scalar_f, x);
    REQUIRE(v == scalar_f(xv));
    require_same_vector(g2, duet::gradient(duet::reverse, scalar_f, xv));
    const auto J = duet::jacobian(vector_f, x);
    const auto Jv = duet::jacobian(vector_f, xv);
    static_assert(std::is_same_v<decltype(J), const xt::xtensor<double, 2>>);
    REQUIRE(bool(J == Jv));
    REQUIRE(bool(duet::jacobian(duet::forward, vector_f, x) == duet::jacobian(duet::forward, vector_f, xv)));
    REQUIRE(bool(duet::hessian(scalar_f, x) == duet::hessian(scalar_f, xv)));
    REQUIRE(bool(duet::hessian(duet::forward, scalar_f, x) == duet::hessian(duet::forward, scalar_f, xv)));
    const std::vector<double> d{1, 0, -1, 0.5, 2};
    require_same_vector(duet::jvp(vector_f, x, d), duet::jvp(vector_f, xv, d));
    const std::vector<double> w{1, 0, -1, 0.5, 2, 3};
    require_same_vector(duet::vjp(vector_f, x, w), duet::vjp(vector_f, xv, w));
    const std::array<float, 2> af{1.5f, -0.5f};
    auto gf = duet::gradient([](const auto& y) { return y[0] * y[0] * y[1]; }, std::span<const float>(af));
    static_assert(std::is_same_v<decltype(gf), std::vector<float>>);
    REQUIRE(gf == std::vector<float>{-1.5f, 2.25f});
}

TEST_CASE("eigen: Map, Ref and blocks run on their plain vector") {
    std::vector<double> raw = point(6);
    const Eigen::Map<const Eigen::VectorXd> map(raw.data(), 6);
    const Eigen::VectorXd plain = map;
    auto g = duet::gradient(duet::reverse, scalar_f, map);
    static_assert(std::is_same_v<decltype(g), Eigen::VectorXd>);
    require_same_vector(g, duet::gradient(duet::reverse, scalar_f, plain));
    require_same_vector(duet::gradient(scalar_f, map), duet::gradient(scalar_f, plain));
    const Eigen::Ref<const Eigen::VectorXd> ref(plain);
    require_same_vector(duet::gradient(duet::forward, scalar_f, ref), duet::gradient(duet::forward, scalar_f, plain));
    auto [v, gh] = duet::value_and_gradient(scalar_f, plain.head(4));
    REQUIRE(v == scalar_f(Eigen::VectorXd(plain.head(4))));
    require_same_vector(gh, duet::gradient(scalar_f, Eigen::VectorXd(plain.head(4))));
    REQUIRE(duet::jacobian(vector_f_eigen, map) == duet::jacobian(vector_f_eigen, plain));
    REQUIRE(duet::hessian(duet::forward, scalar_f, map) == duet::hessian(duet::forward, scalar_f, plain));
    const Eigen::VectorXd d = Eigen::VectorXd::LinSpaced(6, -1.0, 1.0);
    require_same_vector(duet::jvp(vector_f_eigen, map, d), duet::jvp(vector_f_eigen, plain, d));
    const Eigen::VectorXd w = Eigen::VectorXd::LinSpaced(7, 0.5, 2.0);
    require_same_vector(duet::vjp(vector_f_eigen, ref, w), duet::vjp(vector_f_eigen, plain, w));
}

TEST_CASE("eigen: central differences and check_gradient take Eigen vectors too") {
    const std::vector<double> xv = point(5);
    const Eigen::VectorXd x = to_eigen<double>(xv);
    const auto fd = duet::fd::gradient(scalar_f, x);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(fd)>, Eigen::VectorXd>);
    require_same_vector(fd, duet::fd::gradient(scalar_f, xv));
    const auto report = duet::check_gradient(scalar_f, x);
    REQUIRE(report.ok);
    REQUIRE(report.max_abs_error < 1e-7);
}
