// Real code: physics formulas and potentials as written in simulation
// codes: Rosenbrock with std::pow (integer and double exponents), a
// Lennard-Jones cluster energy with a cutoff (continue on a value branch),
// Planck's law and the van der Waals equation as closed forms with T(c),
// T{c} and static_cast<T>(c) constants (also through the static adjoint).
#include "corpus.hpp"
#include "../support/rosenbrock.hpp"

#include <cmath>
#include <cstddef>
#include <vector>

namespace {

// ---- the corpus (unchanged scientific code) ----------------------------------

template <class T>
T rosenbrock(const std::vector<T>& x) {
    T sum = 0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        const T a = x[i + 1] - x[i] * x[i];
        const T b = T(1) - x[i];
        sum += T(100) * std::pow(a, 2) + std::pow(b, 2.0);
    }
    return sum;
}

// Lennard-Jones energy of atoms at pos (x0 y0 z0 x1 ...), reduced units,
// pairs beyond the cutoff skipped.
template <class T>
T lennard_jones(const std::vector<T>& pos, double cutoff = 2.5) {
    const std::size_t n = pos.size() / 3;
    const T sigma = T(1.0), epsilon = T{1.0};
    const double rc2 = cutoff * cutoff;
    T energy = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            T r2 = 0;
            for (std::size_t d = 0; d < 3; ++d) {
                const T dx = pos[3 * i + d] - pos[3 * j + d];
                r2 += dx * dx;
            }
            if (r2 > rc2) continue;
            const T sr6 = std::pow(sigma * sigma / r2, 3);
            energy += T(4) * epsilon * (sr6 * sr6 - sr6);
        }
    return energy;
}

// Spectral radiance of a black body, lambda in micrometres, temperature in
// kelvin, W / (m^2 sr um).
template <class T>
auto planck(T lambda, T temperature) {
    const auto c1 = T(1.191042972e8);   // 2 h c^2
    const auto c2 = T{1.4387769e4};     // h c / k
    return c1 / (std::pow(lambda, 5) * std::expm1(c2 / (lambda * temperature)));
}

// Pressure of one mole of CO2 (bar) from its molar volume (L) and
// temperature (K).
template <class T>
auto van_der_waals(T volume, T temperature) {
    const auto R = static_cast<T>(0.083145);
    const auto a = T(3.640);
    const auto b = T(0.04267);
    return R * temperature / (volume - b) - a / (volume * volume);
}

// Two-dimensional Rosenbrock as a closed form.
template <class T>
auto rosenbrock_2d(T x, T y) {
    return T(100) * std::pow(y - x * x, 2) + std::pow(T(1) - x, 2);
}

// ---- hand derivatives ----------------------------------------------------------

using duet_test::rosenbrock_gradient;
using duet_test::rosenbrock_hessian;

std::vector<double> lennard_jones_gradient(const std::vector<double>& pos, double cutoff = 2.5) {
    const std::size_t n = pos.size() / 3;
    std::vector<double> g(pos.size(), 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            double r2 = 0;
            for (std::size_t d = 0; d < 3; ++d) r2 += (pos[3 * i + d] - pos[3 * j + d]) * (pos[3 * i + d] - pos[3 * j + d]);
            if (r2 > cutoff * cutoff) continue;
            const double sr6 = 1 / (r2 * r2 * r2);
            const double dE_dr2 = 4 * (-6 * sr6 * sr6 + 3 * sr6) / r2;
            for (std::size_t d = 0; d < 3; ++d) {
                const double dx = pos[3 * i + d] - pos[3 * j + d];
                g[3 * i + d] += dE_dr2 * 2 * dx;
                g[3 * j + d] -= dE_dr2 * 2 * dx;
            }
        }
    return g;
}

const auto rosenbrock_f = [](const auto& x) { return rosenbrock(x); };
const auto lj_f = [](const auto& pos) { return lennard_jones(pos); };
const auto planck_f = [](auto lambda, auto temperature) { return planck(lambda, temperature); };
const auto vdw_f = [](auto volume, auto temperature) { return van_der_waals(volume, temperature); };
const auto rosenbrock_2d_f = [](auto x, auto y) { return rosenbrock_2d(x, y); };

}  // namespace

TEST_CASE("real code: Rosenbrock with std::pow", "[real_code]") {
    for (std::size_t n : {2u, 5u, 8u}) {
        const std::vector<double> x = corpus::point(n, 0.2, 1.1);  // some 1 - x_i < 0
        const auto g = corpus::check_gradient("rosenbrock", rosenbrock_f, x);
        const auto H = corpus::check_hessian("rosenbrock", rosenbrock_f, x);
        corpus::check_precisions("rosenbrock", rosenbrock_f, x, g);
        corpus::check_hand("rosenbrock gradient", g, rosenbrock_gradient(x));
        for (std::size_t r = 0; r < n; ++r) {
            std::vector<double> hand(n);
            for (std::size_t c = 0; c < n; ++c) hand[c] = rosenbrock_hessian(x, r, c);
            INFO("Hessian row " << r);
            corpus::check_hand("rosenbrock Hessian", corpus::row(H, r), hand);
        }
    }
}

TEST_CASE("real code: Lennard-Jones cluster with a cutoff", "[real_code]") {
    // Five atoms: four close together, one beyond the cutoff of all but one.
    const std::vector<double> pos{0.0,  0.0, 0.0, 1.1, 0.05, -0.1, 0.5, 0.95, 0.1,
                                  0.45, 0.3, 0.9, 3.3, 0.2,  0.4};
    const auto g = corpus::check_gradient("lennard_jones", lj_f, pos);
    corpus::check_hessian("lennard_jones", lj_f, pos);
    corpus::check_precisions("lennard_jones", lj_f, pos, g);
    corpus::check_hand("lennard_jones forces", g, lennard_jones_gradient(pos));
    // Newton's third law: the forces sum to zero.
    for (std::size_t d = 0; d < 3; ++d) {
        double total = 0, scale = 0;
        for (std::size_t i = 0; i < pos.size() / 3; ++i) {
            total += g[3 * i + d];
            scale = std::max(scale, std::abs(g[3 * i + d]));
        }
        CHECK(std::abs(total) <= 1e-13 * scale);
    }
}

TEST_CASE("real code: Planck's law, a closed form with std::expm1", "[real_code][static_reverse]") {
    for (auto [lambda, temperature] : {std::array<double, 2>{0.5, 5800.0}, std::array<double, 2>{10.0, 300.0}}) {
        const auto g = corpus::check_scalar<true>("planck", planck_f, lambda, temperature);
        const double B = planck(lambda, temperature);
        const double x = 1.4387769e4 / (lambda * temperature);
        const double q = x * std::exp(x) / std::expm1(x);
        const std::array<double, 2> hand{B * (-5 + q) / lambda, B * q / temperature};
        corpus::check_hand("planck", g, hand);
        corpus::check_hand("planck, static reverse", duet::gradient(duet::reverse, planck_f, lambda, temperature),
                           hand);
    }
}

TEST_CASE("real code: van der Waals pressure, a closed form with static_cast<T> constants", "[real_code][static_reverse]") {
    for (auto [volume, temperature] : {std::array<double, 2>{0.5, 300.0}, std::array<double, 2>{2.0, 450.0}}) {
        const auto g = corpus::check_scalar<true>("van_der_waals", vdw_f, volume, temperature);
        const double R = 0.083145, a = 3.640, b = 0.04267;
        const std::array<double, 2> hand{-R * temperature / ((volume - b) * (volume - b)) + 2 * a / (volume * volume * volume),
                                         R / (volume - b)};
        corpus::check_hand("van_der_waals", g, hand);
        corpus::check_hand("van_der_waals, static reverse",
                           duet::gradient(duet::reverse, vdw_f, volume, temperature), hand);
    }
}

TEST_CASE("real code: two-dimensional Rosenbrock as a closed form", "[real_code][static_reverse]") {
    for (auto [x, y] : {std::array<double, 2>{-1.2, 1.0}, std::array<double, 2>{1.5, 0.3}}) {
        const auto g = corpus::check_scalar<true>("rosenbrock_2d", rosenbrock_2d_f, x, y);
        const auto hand = rosenbrock_gradient({x, y});
        corpus::check_hand("rosenbrock_2d", g, hand);
        corpus::check_hand("rosenbrock_2d, static reverse", duet::gradient(duet::reverse, rosenbrock_2d_f, x, y),
                           hand);
    }
}
