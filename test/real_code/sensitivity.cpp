// The corpus checks can fail: a derivative that is wrong by far less than
// any wrong rule would make it is caught by the same comparisons the corpus
// uses (corpus::compare with the corpus tolerances), in each of the three
// ways a corpus test compares: modes against each other, AD against central
// differences, AD against a hand derivative.
#include "corpus.hpp"

#include <cmath>
#include <type_traits>
#include <vector>

namespace {

template <class T>
inline constexpr bool is_tape_number = false;
template <class T>
inline constexpr bool is_tape_number<duet::var<T>> = true;

// The plain number inside any (nested) duet number.
template <class T>
double plain(const T& x) {
    if constexpr (std::is_arithmetic_v<T>)
        return static_cast<double>(x);
    else
        return plain(duet::value(x));
}

// sum sin(x_i) x_{i+1}, written generically; the sabotage adds a term whose
// VALUE is exactly zero, d = x_0 - plain(x_0), only for the number types
// selected by Sabotage: error * d changes the first derivative by `error`,
// error * d * d only the second derivative (by 2 error).
template <template <class> class Sabotage, int Order = 1, class T>
T sabotaged(const std::vector<T>& x, double error) {
    T s = 0;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) s += std::sin(x[i]) * x[i + 1];
    if constexpr (Sabotage<T>::value) {
        const T d = x[0] - plain(x[0]);
        if constexpr (Order == 1)
            s += error * d;
        else
            s += error * d * d;
    }
    return s;
}

template <class T>
struct every_ad_type : std::bool_constant<!std::is_arithmetic_v<T>> {};
template <class T>
struct tape_only : std::bool_constant<is_tape_number<T>> {};

const std::vector<double> x{0.4, -1.1, 0.9, 2.0};

}  // namespace

TEST_CASE("sensitivity: a derivative wrong in every mode fails against central differences", "[real_code][sensitivity]") {
    // A relative error of 1e-5 in one partial: far below anything a wrong
    // rule produces, far above the central-difference error.
    const auto f = [](const auto& v) { return sabotaged<every_ad_type>(v, 1e-5); };
    const auto g = duet::gradient(duet::reverse, f, x);
    const auto fd = duet::fd::gradient(f, x, corpus::fd_options);
    const auto v = corpus::compare(g, fd, corpus::fd_tol, f(x));
    INFO(v.text);
    CHECK_FALSE(v.ok);
    CHECK(v.where == 0);
    // Modes agree with each other (the sabotage is the same in all of them):
    // only the independent oracle sees it.
    CHECK(corpus::compare(duet::gradient(duet::forward, f, x), g, corpus::modes_tol).ok);
    // Without the sabotage the same comparison passes.
    const auto clean = [](const auto& w) { return sabotaged<every_ad_type>(w, 0.0); };
    CHECK(corpus::compare(duet::gradient(duet::reverse, clean, x), duet::fd::gradient(clean, x, corpus::fd_options),
                          corpus::fd_tol, clean(x))
              .ok);
}

TEST_CASE("sensitivity: a derivative wrong in one mode fails the mode comparison", "[real_code][sensitivity]") {
    // 1e-11 relative, only on the tape: below central differences' reach,
    // caught by forward vs tape at 1e-13.
    const auto f = [](const auto& v) { return sabotaged<tape_only>(v, 1e-11); };
    const auto gf = duet::gradient(duet::forward, f, x);
    const auto gr = duet::gradient(duet::reverse, f, x);
    const auto v = corpus::compare(gf, gr, corpus::modes_tol);
    INFO(v.text);
    CHECK_FALSE(v.ok);
    // A second-derivative error of 2e-10 only on the tape (the reverse
    // Hessian records on a tape of duals): the first derivatives agree, the
    // Hessians do not.
    const auto f2 = [](const auto& v) { return sabotaged<tape_only, 2>(v, 1e-10); };
    CHECK(corpus::compare(duet::gradient(duet::forward, f2, x), duet::gradient(duet::reverse, f2, x),
                          corpus::modes_tol)
              .ok);
    const auto v2 = corpus::compare_rows(duet::hessian(duet::forward, f2, x), duet::hessian(duet::reverse, f2, x),
                                         corpus::second_modes_tol);
    INFO(v2.text);
    CHECK_FALSE(v2.ok);
    CHECK(v2.where == 0);
}

TEST_CASE("sensitivity: a wrong hand derivative and NaN fail", "[real_code][sensitivity]") {
    const std::vector<double> g{1.0, -2.0, 3.0};
    CHECK(corpus::compare(g, {1.0, -2.0, 3.0 + 1e-14}, corpus::hand_tol).ok);
    CHECK_FALSE(corpus::compare(g, {1.0, -2.0 + 1e-10, 3.0}, corpus::hand_tol).ok);
    CHECK_FALSE(corpus::compare(g, {1.0, NAN, 3.0}, corpus::hand_tol).ok);
    CHECK_FALSE(corpus::compare(g, {1.0, -2.0}, corpus::hand_tol).ok);
    CHECK_FALSE(corpus::compare(g, {1.0, -2.0, INFINITY}, 1.0).ok);
    // Normwise: a small component is judged on the gradient's scale.
    CHECK(corpus::compare({1e3, 1e-3}, {1e3, 1e-3 + 1e-11}, corpus::hand_tol).ok);
    CHECK_FALSE(corpus::compare({1e3, 1e-3}, {1e3, 1e-3 + 1e-8}, corpus::hand_tol).ok);
    // Row-wise for Jacobians: each output on its own scale.
    xt::xtensor<double, 2> a = {{1e6, 2e6}, {1e-3, 2e-3}};
    xt::xtensor<double, 2> b = {{1e6, 2e6}, {1e-3, 2e-3 * (1 + 1e-9)}};
    CHECK_FALSE(corpus::compare_rows(a, b, corpus::hand_tol).ok);
}
