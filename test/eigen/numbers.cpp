// duet numbers as Eigen scalars (duet/eigen.hpp): Eigen::Matrix of dual
// (1 and N lanes, nested) and of var, used directly; Eigen::NumTraits and
// mixing with plain numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <type_traits>

#include <duet/duet.hpp>
#include <duet/eigen.hpp>

namespace {

using Eigen::Dynamic;
using Eigen::Index;

bool close(double a, double b, double tol) {
    return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

}  // namespace

TEST_CASE("eigen numbers: NumTraits of duet numbers come from the value type") {
    using D = duet::dual<double, 3>;
    using V = duet::var<double>;
    using DD = duet::dual<duet::dual<float, 2>, 2>;
    STATIC_REQUIRE(std::is_same_v<Eigen::NumTraits<D>::Real, D>);
    STATIC_REQUIRE(std::is_same_v<Eigen::NumTraits<D>::Literal, double>);
    STATIC_REQUIRE(std::is_same_v<Eigen::NumTraits<DD>::Literal, float>);
    STATIC_REQUIRE(Eigen::NumTraits<D>::IsComplex == 0);
    STATIC_REQUIRE(Eigen::NumTraits<D>::IsInteger == 0);
    STATIC_REQUIRE(Eigen::NumTraits<V>::RequireInitialization == 1);
    STATIC_REQUIRE(int(Eigen::NumTraits<D>::MulCost) > int(Eigen::NumTraits<double>::MulCost));
    REQUIRE(Eigen::NumTraits<D>::epsilon().value() == std::numeric_limits<double>::epsilon());
    REQUIRE(Eigen::NumTraits<D>::highest().value() == std::numeric_limits<double>::max());
    REQUIRE(Eigen::NumTraits<D>::lowest().value() == std::numeric_limits<double>::lowest());
    REQUIRE(Eigen::NumTraits<D>::epsilon().tangent(2) == 0.0);
    REQUIRE(Eigen::NumTraits<DD>::epsilon().value().value() == std::numeric_limits<float>::epsilon());
    REQUIRE(Eigen::NumTraits<D>::digits10() == std::numeric_limits<double>::digits10);
    duet::tape<double> t;
    REQUIRE(Eigen::NumTraits<V>::infinity().value() == std::numeric_limits<double>::infinity());
    STATIC_REQUIRE(std::is_same_v<Eigen::ScalarBinaryOpTraits<D, double>::ReturnType, D>);
    STATIC_REQUIRE(std::is_same_v<Eigen::ScalarBinaryOpTraits<double, V>::ReturnType, V>);
}

TEST_CASE("eigen numbers: Eigen::Matrix<dual> with one lane: tangents of norms, dots and products") {
    using D = duet::dual<double>;
    Eigen::Matrix<D, 3, 1> x;
    const double v[3] = {0.5, -1.5, 2.0};
    // direction e_1
    for (Index i = 0; i < 3; ++i) x[i] = D(v[i], i == 1 ? 1.0 : 0.0);
    const D sq = x.squaredNorm();
    REQUIRE(sq.value() == 0.25 + 2.25 + 4.0);
    REQUIRE(sq.tangent() == 2 * v[1]);
    const D nrm = x.norm();
    REQUIRE(close(nrm.tangent(), v[1] / std::sqrt(6.5), 1e-15));
    Eigen::Matrix3d A;
    A << 1, 2, 3, -1, 0.5, 4, 2, -2, 1;
    const Eigen::Matrix<D, 3, 1> y = A * x;  // double matrix times duals
    for (Index i = 0; i < 3; ++i) {
        REQUIRE(close(y[i].value(), (A * Eigen::Vector3d(v[0], v[1], v[2]))[i], 1e-15));
        REQUIRE(y[i].tangent() == A(i, 1));
    }
    const Eigen::Matrix<D, 3, 1> z = (2.0 * x.array() + 1.0).matrix();
    REQUIRE(z[1].tangent() == 2.0);
    REQUIRE(z[0].tangent() == 0.0);
    const D p = x.prod();
    REQUIRE(p.tangent() == v[0] * v[2]);
}

TEST_CASE("eigen numbers: Eigen::Matrix<dual<double, 3>> carries a full gradient; nested duals a Hessian") {
    using D = duet::dual<double, 3>;
    Eigen::Matrix<D, Dynamic, 1> x(3);
    const double v[3] = {0.3, 0.8, -0.4};
    for (Index i = 0; i < 3; ++i) {
        x[i] = D(v[i]);
        x[i].tangent(std::size_t(i)) = 1.0;
    }
    const D f = x.array().sin().sum() + x.dot(x) * x[0];
    const double sq = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    for (std::size_t i = 0; i < 3; ++i)
        REQUIRE(close(f.tangent(i), std::cos(v[i]) + 2 * v[i] * v[0] + (i == 0 ? sq : 0.0), 1e-15));

    // dual<dual>: d^2/dx0 dx1 of x.dot(x) * x0 = 2 x1
    using D1 = duet::dual<double, 3>;
    using D2 = duet::dual<D1, 3>;
    Eigen::Matrix<D2, 3, 1> xx;
    for (Index i = 0; i < 3; ++i) {
        D1 inner(v[i]);
        inner.tangent(std::size_t(i)) = 1.0;
        D2 outer(inner);
        outer.tangent(std::size_t(i)) = D1(1.0);
        xx[i] = outer;
    }
    const D2 g = xx.dot(xx) * xx[0];
    REQUIRE(close(g.tangent(1).tangent(0), 2 * v[1], 1e-15));
    REQUIRE(close(g.tangent(0).tangent(0), 6 * v[0], 1e-15));
    REQUIRE(close(g.tangent(2).tangent(2), 2 * v[0], 1e-15));
}

TEST_CASE("eigen numbers: Eigen::Matrix<var> on the tape") {
    duet::tape<double> t;
    const Eigen::Vector3d v(0.3, 0.8, -0.4);
    Eigen::Matrix<duet::var<double>, Dynamic, 1> x(3);
    for (Index i = 0; i < 3; ++i) x[i] = v[i];  // new independent variables
    Eigen::MatrixXd A(2, 3);
    A << 1, 2, 3, -1, 0.5, 4;
    const Eigen::Matrix<duet::var<double>, Dynamic, 1> y = A * x;
    const duet::var<double> s = y.squaredNorm() + x.array().exp().sum();
    t.backward(s);
    const Eigen::Vector3d expected = 2.0 * A.transpose() * (A * v) + v.array().exp().matrix();
    for (Index i = 0; i < 3; ++i) REQUIRE(close(x[i].adjoint(), expected[i], 1e-14));
}
