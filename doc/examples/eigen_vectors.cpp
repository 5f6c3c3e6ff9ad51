// doc/eigen.md: Eigen vectors in and out of the drivers.
#include <duet/duet.hpp>
#include <duet/eigen.hpp>

#include <cmath>
#include <cstdio>
#include <span>
#include <vector>

// Scientific code holding its state in Eigen: generic in the scalar type.
template <class Vec>
typename Vec::Scalar energy(const Vec& q, const Eigen::MatrixXd& K) {
    using T = typename Vec::Scalar;
    // 1/2 q^T K q + sum_i cosh(q_i); K is a plain double matrix.
    const Eigen::Matrix<T, Eigen::Dynamic, 1> Kq = K * q;
    return T(0.5 * q.dot(Kq) + q.array().cosh().sum());
}

int main() {
    int failures = 0;
    auto check = [&](double got, double want, double tol, const char* what) {
        if (!(std::abs(got - want) <= tol * std::max(1.0, std::abs(want)))) {
            std::printf("FAILED: %s: %.17g, want %.17g\n", what, got, want);
            ++failures;
        }
    };

    Eigen::MatrixXd K(3, 3);
    K << 4, -1, 0, -1, 4, -1, 0, -1, 4;
    Eigen::VectorXd q(3);
    q << 0.3, -0.5, 0.8;
    auto E = [&K](const auto& v) { return energy(v, K); };

    // Gradient: an Eigen::VectorXd. The exact gradient is K q + sinh(q).
    Eigen::VectorXd g = duet::gradient(E, q);
    Eigen::VectorXd exact = K * q + q.array().sinh().matrix();
    for (Eigen::Index i = 0; i < 3; ++i) check(g[i], exact[i], 1e-14, "gradient");

    // Hessian: an Eigen::MatrixXd, K + diag(cosh(q)).
    Eigen::MatrixXd H = duet::hessian(E, q);
    Eigen::MatrixXd H_exact = K;
    H_exact.diagonal() += q.array().cosh().matrix();
    check((H - H_exact).cwiseAbs().maxCoeff(), 0.0, 1e-14, "Hessian");

    // Jacobian of a vector function: an Eigen::MatrixXd, m x n. f may return
    // an Eigen expression; here the force -dE/dq = -(K q + sinh(q)).
    auto force = [&K](const auto& v) { return (-(K * v) - v.array().sinh().matrix()).eval(); };
    Eigen::MatrixXd J = duet::jacobian(duet::reverse, force, q);
    check((J + H_exact).cwiseAbs().maxCoeff(), 0.0, 1e-14, "Jacobian of the force");

    // jvp / vjp take and return Eigen vectors.
    Eigen::VectorXd v = Eigen::VectorXd::Ones(3);
    Eigen::VectorXd Jv = duet::jvp(force, q, v);
    check((Jv + H_exact * v).cwiseAbs().maxCoeff(), 0.0, 1e-14, "jvp");

    // A fixed-size vector keeps its type.
    Eigen::Vector2d p(1.0, 2.0);
    Eigen::Vector2d gp = duet::gradient(duet::forward, [](const auto& x) { return x[0] * x[1] * x[1]; }, p);
    check(gp[0], 4.0, 0, "fixed-size gradient");

    // A span of doubles: the std::vector drivers, std::vector results.
    std::vector<double> buffer{0.3, -0.5, 0.8};
    std::vector<double> gs = duet::gradient([](const auto& x) { return x[0] * x[1] + x[2]; },
                                            std::span<const double>(buffer));
    check(gs[0], -0.5, 0, "span gradient");

    std::printf("gradient of the energy at q: %.6f %.6f %.6f\n", g[0], g[1], g[2]);
    return failures == 0 ? 0 : 1;
}
