// Real code: right-hand sides of ODEs and their integrators, written as in
// a simulation code: Robertson's stiff kinetics, Lorenz-96, a classical RK4
// step through a helper template, a damped pendulum integrated over many
// steps, and the pendulum's energy as a closed form.
#include "corpus.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace {

// ---- the corpus (unchanged scientific code) ----------------------------------

// Robertson's chemical kinetics (the classic stiff test problem).
template <class T>
std::vector<T> robertson(const std::vector<T>& y) {
    const T k1 = T(0.04);
    const T k2 = static_cast<T>(3.0e7);
    const T k3 = T{1.0e4};
    std::vector<T> dydt(3);
    dydt[0] = -k1 * y[0] + k3 * y[1] * y[2];
    dydt[1] = k1 * y[0] - k3 * y[1] * y[2] - k2 * y[1] * y[1];
    dydt[2] = k2 * y[1] * y[1];
    return dydt;
}

// Lorenz-96 with forcing F, periodic indices.
template <class T>
std::vector<T> lorenz96(const std::vector<T>& x, double F = 8.0) {
    const std::size_t n = x.size();
    std::vector<T> dxdt(n);
    for (std::size_t i = 0; i < n; ++i) {
        const T& xp1 = x[(i + 1) % n];
        const T& xm1 = x[(i + n - 1) % n];
        const T& xm2 = x[(i + n - 2) % n];
        dxdt[i] = (xp1 - xm2) * xm1 - x[i] + F;
    }
    return dxdt;
}

// y + a * x, the BLAS-1 helper every integrator has.
template <class T>
std::vector<T> axpy(T a, const std::vector<T>& x, const std::vector<T>& y) {
    std::vector<T> out(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) out[i] = y[i] + a * x[i];
    return out;
}

// One step of the classical fourth-order Runge-Kutta method.
template <class T, class Rhs>
std::vector<T> rk4_step(Rhs&& rhs, const std::vector<T>& y, T h) {
    const T half_step = h / T(2);
    const std::vector<T> k1 = rhs(y);
    const std::vector<T> k2 = rhs(axpy(half_step, k1, y));
    const std::vector<T> k3 = rhs(axpy(half_step, k2, y));
    const std::vector<T> k4 = rhs(axpy(h, k3, y));
    std::vector<T> next(y.size());
    for (std::size_t i = 0; i < y.size(); ++i)
        next[i] = y[i] + h / T(6) * (k1[i] + T(2) * k2[i] + T(2) * k3[i] + k4[i]);
    return next;
}

// Damped pendulum: theta'' = -(g / L) sin(theta) - c theta'.
template <class T>
std::vector<T> pendulum_rhs(const std::vector<T>& s, T length, T damping) {
    const T g = 9.81;
    return {s[1], -(g / length) * std::sin(s[0]) - damping * s[1]};
}

// Energy per unit mass. A closed form (one expression, auto return), so the
// static adjoint accepts it too.
template <class T>
auto pendulum_energy(T theta, T omega, T length) {
    const T g = T(9.81);
    return T(0.5) * length * length * omega * omega + g * length * (T(1) - std::cos(theta));
}

// p = {theta0, omega0, length, damping}: the energy left after n_steps RK4
// steps of size dt.
template <class T>
T energy_after(const std::vector<T>& p, int n_steps = 40, double dt = 0.05) {
    std::vector<T> state = {p[0], p[1]};
    const T length = p[2];
    const T damping = p[3];
    const T h = static_cast<T>(dt);
    for (int step = 0; step < n_steps; ++step)
        state = rk4_step([&](const std::vector<T>& s) { return pendulum_rhs(s, length, damping); }, state, h);
    return pendulum_energy(state[0], state[1], length);
}

// ---- hand derivatives ----------------------------------------------------------

std::vector<std::vector<double>> robertson_jacobian(const std::vector<double>& y) {
    const double k1 = 0.04, k2 = 3.0e7, k3 = 1.0e4;
    return {{-k1, k3 * y[2], k3 * y[1]},
            {k1, -k3 * y[2] - 2 * k2 * y[1], -k3 * y[1]},
            {0.0, 2 * k2 * y[1], 0.0}};
}

std::vector<std::vector<double>> lorenz96_jacobian(const std::vector<double>& x) {
    const std::size_t n = x.size();
    std::vector<std::vector<double>> J(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i) {
        J[i][(i + 1) % n] += x[(i + n - 1) % n];
        J[i][(i + n - 2) % n] -= x[(i + n - 1) % n];
        J[i][(i + n - 1) % n] += x[(i + 1) % n] - x[(i + n - 2) % n];
        J[i][i] -= 1.0;
    }
    return J;
}

template <class J>
void check_hand_jacobian(const char* name, const J& ad, const std::vector<std::vector<double>>& hand) {
    for (std::size_t r = 0; r < hand.size(); ++r) {
        INFO(name << ", row " << r);
        corpus::check_hand("Jacobian row", corpus::row(ad, r), hand[r]);
    }
}

const auto robertson_f = [](const auto& y) { return robertson(y); };
const auto lorenz96_f = [](const auto& x) { return lorenz96(x); };
const auto rk4_lorenz96_f = [](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::value_type;
    return rk4_step([](const std::vector<T>& v) { return lorenz96(v); }, x, T(0.01));
};
const auto energy_after_f = [](const auto& p) { return energy_after(p); };
const auto pendulum_energy_f = [](auto theta, auto omega, auto length) {
    return pendulum_energy(theta, omega, length);
};

}  // namespace

TEST_CASE("real code: Robertson kinetics right-hand side", "[real_code]") {
    for (const std::vector<double>& y : {std::vector<double>{1.0, 2e-5, 1e-2}, std::vector<double>{0.3, 1e-6, 0.7},
                                         std::vector<double>{0.9, 3.5e-5, 0.05}}) {
        const auto J = corpus::check_jacobian("robertson", robertson_f, y);
        check_hand_jacobian("robertson", J, robertson_jacobian(y));
    }
}

TEST_CASE("real code: Lorenz-96 right-hand side", "[real_code]") {
    for (std::size_t n : {4u, 5u, 9u}) {
        const std::vector<double> x = corpus::point(n, 8.0, 3.0, 0.1 * double(n));
        const auto J = corpus::check_jacobian("lorenz96", lorenz96_f, x);
        check_hand_jacobian("lorenz96", J, lorenz96_jacobian(x));
    }
}

TEST_CASE("real code: one RK4 step of Lorenz-96", "[real_code]") {
    const std::vector<double> x = corpus::point(6, 2.0, 1.5);
    corpus::check_jacobian("rk4 lorenz96", rk4_lorenz96_f, x);
    // One step of size h: J = I + h * J_rhs + O(h^2).
    const auto J = duet::jacobian(duet::reverse, rk4_lorenz96_f, x);
    const auto Jrhs = lorenz96_jacobian(x);
    for (std::size_t r = 0; r < x.size(); ++r)
        for (std::size_t c = 0; c < x.size(); ++c)
            CHECK(std::abs(J(r, c) - ((r == c ? 1.0 : 0.0) + 0.01 * Jrhs[r][c])) < 0.01 * 0.01 * 100);
}

TEST_CASE("real code: damped pendulum, energy after 40 RK4 steps", "[real_code]") {
    for (const std::vector<double>& p :
         {std::vector<double>{0.8, -0.3, 1.2, 0.15}, std::vector<double>{2.5, 1.0, 0.7, 0.4}}) {
        const auto g = corpus::check_gradient("energy_after", energy_after_f, p);
        corpus::check_hessian("energy_after", energy_after_f, p);
        corpus::check_precisions("energy_after", energy_after_f, p, g);
        // Without damping the energy is conserved up to the RK4 error: its
        // gradient is the initial energy's.
        const std::vector<double> undamped{p[0], p[1], p[2], 0.0};
        const auto g0 = duet::gradient(duet::reverse, energy_after_f, undamped);
        const auto e0 = duet::gradient(duet::forward, pendulum_energy_f, p[0], p[1], p[2]);
        for (std::size_t i = 0; i < 3; ++i) CHECK(std::abs(g0[i] - e0[i]) < 1e-3 * std::max(1.0, std::abs(e0[i])));
    }
}

TEST_CASE("real code: pendulum energy, a closed form with T(c) constants", "[real_code][static_reverse]") {
    for (auto [theta, omega, length] : {std::array<double, 3>{0.4, 1.3, 0.9}, std::array<double, 3>{-2.0, 0.2, 2.5}}) {
        const auto g = corpus::check_scalar<true>("pendulum_energy", pendulum_energy_f, theta, omega, length);
        const double gr = 9.81;
        const std::array<double, 3> hand{gr * length * std::sin(theta), length * length * omega,
                                         length * omega * omega + gr * (1 - std::cos(theta))};
        corpus::check_hand("pendulum_energy", g, hand);
        const auto gs = duet::gradient(duet::reverse, pendulum_energy_f, theta, omega, length);
        corpus::check_hand("pendulum_energy, static reverse", gs, hand);
    }
}
