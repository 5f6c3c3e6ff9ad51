// Real code: reductions as written in numerical and ML codes: softmax
// cross-entropy with max-subtraction (std::max), log-sum-exp starting from
// -std::numeric_limits<T>::infinity() with an early return, and the range
// of a sample starting from numeric_limits max() / lowest().
#include "corpus.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace {

// ---- the corpus (unchanged scientific code) ----------------------------------

template <class T>
T softmax_cross_entropy(const std::vector<T>& logits, std::size_t label) {
    T zmax = logits[0];
    for (const T& z : logits) zmax = std::max(zmax, z);
    T sum = T(0);
    for (const T& z : logits) sum += std::exp(z - zmax);
    return std::log(sum) + zmax - logits[label];
}

template <class T>
T log_sum_exp(const std::vector<T>& x) {
    T m = -std::numeric_limits<T>::infinity();
    for (const auto& xi : x)
        if (xi > m) m = xi;
    if (m == -std::numeric_limits<T>::infinity()) return m;  // empty, or all -inf
    T s = 0;
    for (const auto& xi : x) s += std::exp(xi - m);
    return m + std::log(s);
}

template <class T>
T sample_range(const std::vector<T>& x) {
    T lo = std::numeric_limits<T>::max();
    T hi = std::numeric_limits<T>::lowest();
    for (const T& xi : x) {
        if (xi < lo) lo = xi;
        if (xi > hi) hi = xi;
    }
    return hi - lo;
}

// ---- hand derivatives ----------------------------------------------------------

std::vector<double> softmax(const std::vector<double>& z) {
    double m = z[0], s = 0;
    for (double zi : z) m = std::max(m, zi);
    std::vector<double> p(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) s += p[i] = std::exp(z[i] - m);
    for (double& pi : p) pi /= s;
    return p;
}

const auto xent_f = [](const auto& z) { return softmax_cross_entropy(z, 2); };
const auto lse_f = [](const auto& x) { return log_sum_exp(x); };
const auto range_f = [](const auto& x) { return sample_range(x); };

}  // namespace

TEST_CASE("real code: softmax cross-entropy with max-subtraction", "[real_code]") {
    for (const std::vector<double>& z : {std::vector<double>{0.3, -1.2, 2.0, 0.7}, corpus::point(7, 1.0, 3.0),
                                         std::vector<double>{800.0, 799.0, 801.5}}) {
        const auto& fd = z[0] > 100 ? corpus::fd_small_steps : corpus::fd_options;
        const auto g = corpus::check_gradient("softmax_cross_entropy", xent_f, z, fd);
        const auto H = corpus::check_hessian("softmax_cross_entropy", xent_f, z, fd);
        corpus::check_precisions("softmax_cross_entropy", xent_f, z, g);
        const auto p = softmax(z);
        std::vector<double> hand = p;
        hand[2] -= 1.0;
        corpus::check_hand("softmax_cross_entropy: p - onehot", g, hand);
        for (std::size_t i = 0; i < z.size(); ++i) {
            std::vector<double> hand_h(z.size());
            for (std::size_t j = 0; j < z.size(); ++j) hand_h[j] = (i == j ? p[i] : 0.0) - p[i] * p[j];
            INFO("Hessian row " << i);
            corpus::check_hand("softmax_cross_entropy: diag(p) - p p^T", corpus::row(H, i), hand_h);
        }
    }
}

TEST_CASE("real code: log-sum-exp from -numeric_limits<T>::infinity()", "[real_code][numeric_limits]") {
    // All negative: the running maximum must start below every element.
    for (const std::vector<double>& x : {std::vector<double>{-3.0, -1.0, -2.0}, corpus::point(6, -5.0, 2.0),
                                         std::vector<double>{-1000.0, -1001.0}, std::vector<double>{0.5, 2.0}}) {
        const auto& fd = std::abs(x[0]) > 100 ? corpus::fd_small_steps : corpus::fd_options;
        const auto g = corpus::check_gradient("log_sum_exp", lse_f, x, fd);
        corpus::check_hessian("log_sum_exp", lse_f, x, fd);
        corpus::check_precisions("log_sum_exp", lse_f, x, g);
        corpus::check_hand("log_sum_exp: softmax", g, softmax(x));
        const auto [v, gv] = duet::value_and_gradient(duet::forward, lse_f, x);
        CHECK(v == Approx(log_sum_exp(x)).epsilon(1e-15));
    }
}

TEST_CASE("real code: sample range from numeric_limits<T>::max() and lowest()", "[real_code][numeric_limits]") {
    for (const std::vector<double>& x : {std::vector<double>{3.0, 1.0, 2.0}, std::vector<double>{-3.0, -1.0, -2.0},
                                         corpus::point(5, 10.0, 4.0)}) {
        const auto g = corpus::check_gradient("sample_range", range_f, x);
        corpus::check_precisions("sample_range", range_f, x, g);
        const auto hi = std::max_element(x.begin(), x.end()) - x.begin();
        const auto lo = std::min_element(x.begin(), x.end()) - x.begin();
        std::vector<double> hand(x.size(), 0.0);
        hand[static_cast<std::size_t>(hi)] += 1.0;
        hand[static_cast<std::size_t>(lo)] -= 1.0;
        corpus::check_hand("sample_range: e_max - e_min", g, hand);
    }
}

TEST_CASE("real code: numeric_limits of duet number types match the value type", "[real_code][numeric_limits]") {
    // The values generic code reads (issue 10, item 2), for each number type
    // the drivers hand to user code.
    const auto check_limits = []<class T>(const char* name) {
        INFO(name);
        CHECK(std::numeric_limits<T>::is_specialized);
        CHECK(duet::value(std::numeric_limits<T>::infinity()) == std::numeric_limits<double>::infinity());
        CHECK(duet::value(std::numeric_limits<T>::max()) == std::numeric_limits<double>::max());
        CHECK(duet::value(std::numeric_limits<T>::lowest()) == std::numeric_limits<double>::lowest());
        CHECK(duet::value(std::numeric_limits<T>::epsilon()) == std::numeric_limits<double>::epsilon());
    };
    check_limits.template operator()<duet::dual<double>>("dual<double>");
    check_limits.template operator()<duet::dual<double, 4>>("dual<double, 4>");
    check_limits.template operator()<duet::dual<duet::dual<double, 2>, 2>>("dual<dual<double, 2>, 2>");
    duet::tape<double> tape;
    check_limits.template operator()<duet::var<double>>("var<double>");
    check_limits.template operator()<duet::static_var<double>>("static_var<double>");
}
