// Newton's method with a sparse Jacobian plan: the 1-D Bratu problem
//     -u'' - lambda exp(u) = 0 on (0, 1),  u(0) = u(1) = 0,
// discretised on n interior points: F_i(u) = (2 u_i - u_{i-1} - u_{i+1}) / h^2
// - lambda exp(u_i). Its Jacobian is tridiagonal.
//
// duet::sparse_jacobian_plan(F, u0) detects the pattern once (one traced
// evaluation), colours its columns (3 colours: one forward pass of 4 lanes
// computes all 3n - 2 entries) and chooses the mode; each Newton step then
// calls plan(u), which runs only that pass. The step solves J du = -F with
// the Thomas algorithm on the plan's CSR result. The example checks the
// plan's Jacobian against the analytic one, that Newton converges
// quadratically to ||F|| < 1e-10, and that the solution is symmetric.
#include <cmath>
#include <cstdio>
#include <vector>

#include <duet/sparse.hpp>

namespace {

struct bratu1d {
    double lambda = 1.0;
    template <class T>
    std::vector<T> operator()(const std::vector<T>& u) const {
        using std::exp;
        const std::size_t n = u.size();
        const double h2 = 1.0 / double((n + 1) * (n + 1));
        std::vector<T> F;
        F.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            T s = 2.0 * u[i];
            if (i > 0) s -= u[i - 1];
            if (i + 1 < n) s -= u[i + 1];
            F.push_back(s / h2 - lambda * exp(u[i]));
        }
        return F;
    }
};

// Solves J x = b for a tridiagonal J given as a duet::sparse_matrix.
std::vector<double> solve_tridiagonal(const duet::sparse_matrix<double>& J, std::vector<double> b) {
    const std::size_t n = J.rows();
    std::vector<double> c(n, 0.0), d(n, 0.0);
    double denominator = J(0, 0);
    c[0] = n > 1 ? J(0, 1) / denominator : 0.0;
    d[0] = b[0] / denominator;
    for (std::size_t i = 1; i < n; ++i) {
        denominator = J(i, i) - J(i, i - 1) * c[i - 1];
        c[i] = i + 1 < n ? J(i, i + 1) / denominator : 0.0;
        d[i] = (b[i] - J(i, i - 1) * d[i - 1]) / denominator;
    }
    for (std::size_t i = n - 1; i-- > 0;) d[i] -= c[i] * d[i + 1];
    return d;
}

double norm(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x * x;
    return std::sqrt(s);
}

}  // namespace

int main() {
    const std::size_t n = 200;
    const bratu1d F{};
    std::vector<double> u(n, 0.0);

    const auto plan = duet::sparse_jacobian_plan(F, u);
    std::printf("pattern: %zu x %zu, %zu entries; %s mode, %zu colours\n", plan.pattern().rows,
                plan.pattern().cols, plan.pattern().nonzeros(), duet::to_string(plan.mode()), plan.colors());
    if (plan.pattern().nonzeros() != 3 * n - 2 || plan.colors() != 3) return 1;

    const double h2 = 1.0 / double((n + 1) * (n + 1));
    double previous = 0;
    for (int step = 0; step < 20; ++step) {
        const std::vector<double> r = F(u);
        const double residual = norm(r);
        std::printf("step %d: ||F|| = %.3e\n", step, residual);
        if (residual < 1e-10) break;
        if (step >= 2 && residual > previous * previous * 1e3 + 1e-9) {
            std::printf("not converging quadratically\n");
            return 1;
        }
        previous = residual;
        const auto J = plan(u);  // no detection, no colouring: one forward pass
        // the analytic Jacobian: 2 / h^2 - lambda exp(u_i) on the diagonal,
        // -1 / h^2 beside it
        for (std::size_t i = 0; i < n; ++i) {
            const double diagonal = 2.0 / h2 - F.lambda * std::exp(u[i]);
            if (std::abs(J(i, i) - diagonal) > 1e-12 * std::abs(diagonal)) return 1;
            if (i > 0 && std::abs(J(i, i - 1) + 1.0 / h2) > 1e-12 / h2) return 1;
        }
        std::vector<double> minus_r(n);
        for (std::size_t i = 0; i < n; ++i) minus_r[i] = -r[i];
        const auto du = solve_tridiagonal(J, minus_r);
        for (std::size_t i = 0; i < n; ++i) u[i] += du[i];
    }
    if (norm(F(u)) >= 1e-10) return 1;
    for (std::size_t i = 0; i < n; ++i)
        if (std::abs(u[i] - u[n - 1 - i]) > 1e-10) return 1;
    std::printf("u(1/2) = %.10f\n", u[n / 2]);
    return 0;
}
