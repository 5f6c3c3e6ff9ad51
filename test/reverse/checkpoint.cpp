// Binomial checkpointing (reverse/checkpoint.hpp): the gradient through 10^4
// explicit Euler steps of Lorenz-63 and of a damped pendulum equals the plain
// tape's (duet::gradient(duet::reverse, whole loop)) to 1e-13 relative for
// snapshots from 1 to more than N; N = 0 and 1; the number of recomputed
// steps is exactly the binomial bound, which a brute-force search confirms
// is the minimum; at most `snapshots` states are stored and the tape never
// holds more than one step.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "duet/drivers/container.hpp"
#include "duet/reverse/checkpoint.hpp"

namespace {

// Explicit Euler on Lorenz-63, dt = 1e-4 (10^4 steps: t = 1, before the
// chaos amplifies rounding).
struct lorenz {
    double dt = 1e-4;
    template <class V>
    V operator()(const V& s) const {
        using N = typename V::value_type;
        return {N(s[0] + dt * (10.0 * (s[1] - s[0]))), N(s[1] + dt * (s[0] * (28.0 - s[2]) - s[1])),
                N(s[2] + dt * (s[0] * s[1] - 8.0 / 3.0 * s[2]))};
    }
};

// Damped pendulum, dt = 1e-3.
struct pendulum {
    double dt = 1e-3;
    template <class V>
    V operator()(const V& s) const {
        using N = typename V::value_type;
        using std::sin;
        return {N(s[0] + dt * s[1]), N(s[1] + dt * (-sin(s[0]) - 0.1 * s[1]))};
    }
};

struct objective {
    template <class V>
    typename V::value_type operator()(const V& s) const {
        using N = typename V::value_type;
        using std::sin;
        N J = 0.0;
        for (std::size_t i = 0; i < s.size(); ++i) J += (1.0 + double(i)) * s[i] * s[i];
        return N(J + sin(s[0]));
    }
};

// The plain tape: the whole loop recorded, one sweep.
template <class Step>
duet::container_value_and_gradient<std::vector<double>> plain(std::size_t N, const std::vector<double>& x0, Step step) {
    return duet::value_and_gradient(
        duet::reverse,
        [&](const auto& x) {
            auto s = x;
            for (std::size_t k = 0; k < N; ++k) s = step(s);
            return objective{}(s);
        },
        x0);
}

double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double e : v) m = std::max(m, std::abs(e));
    return m;
}

// Every element within 1e-13 of the reference's largest.
void check_close(const std::vector<double>& got, const std::vector<double>& want) {
    REQUIRE(got.size() == want.size());
    const double scale = max_abs(want);
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(std::abs(got[i] - want[i]) <= 1e-13 * scale);
}

// The minimum number of advances, by brute force over every split:
// F(t, s) = min_m m + F(t - m, s - 1) + F(m, s), F(1, s) = 0,
// F(t, 1) = t (t - 1) / 2.
std::size_t brute_force(std::size_t t, std::size_t s, std::vector<std::vector<std::size_t>>& memo) {
    if (t <= 1) return 0;
    if (s == 1) return t * (t - 1) / 2;
    std::size_t& m = memo[t][s];
    if (m != std::numeric_limits<std::size_t>::max()) return m;
    for (std::size_t split = 1; split < t; ++split)
        m = std::min(m, split + brute_force(t - split, s - 1, memo) + brute_force(split, s, memo));
    return m;
}

// A cheap scalar step for schedule counts.
const auto decay = [](const auto& x) {
    using V = std::remove_cvref_t<decltype(x)>;
    using N = typename V::value_type;
    using std::sin;
    return V{N(0.999 * x[0] + 1e-3 * sin(x[0]))};
};

}  // namespace

TEST_CASE("checkpoint: the gradient through 10^4 Lorenz steps is the plain tape's, for every snapshot count") {
    const std::vector<double> x0{1.0, 1.5, 20.0};
    const std::size_t N = 10000;
    const auto reference = plain(N, x0, lorenz{});
    for (std::size_t s : {2u, 3u, 5u, 10u, 64u, 1000u, 10000u, 20000u}) {
        INFO("snapshots " << s);
        const auto r = duet::checkpointed_gradient(N, x0, lorenz{}, objective{}, s);
        CHECK(std::abs(r.value - reference.value) <= 1e-14 * std::abs(reference.value));
        check_close(r.gradient, reference.gradient);
        CHECK(r.stats.steps == N);
        CHECK(r.stats.recorded_steps == N);
        CHECK(r.stats.advances == duet::checkpoint_advances(N, s));
        CHECK(r.stats.peak_snapshots <= s);
        CHECK(r.stats.peak_snapshots <= N);
    }
}

TEST_CASE("checkpoint: the damped pendulum, 10^4 steps, and one snapshot on 10^3 steps") {
    const std::vector<double> x0{1.2, -0.3};
    for (const auto& [N, snapshots] : std::vector<std::pair<std::size_t, std::vector<std::size_t>>>{
             {10000, {2, 4, 17, 100, 9999, 10000}}, {1000, {1, 2, 3}}}) {
        const auto reference = plain(N, x0, pendulum{});
        for (std::size_t s : snapshots) {
            INFO("N = " << N << ", snapshots " << s);
            const auto r = duet::checkpointed_gradient(N, x0, pendulum{}, objective{}, s);
            CHECK(std::abs(r.value - reference.value) <= 1e-14 * std::abs(reference.value));
            check_close(r.gradient, reference.gradient);
            CHECK(r.stats.advances == duet::checkpoint_advances(N, s));
            CHECK(r.stats.peak_snapshots <= s);
        }
    }
}

TEST_CASE("checkpoint: N = 0 and N = 1") {
    const std::vector<double> x0{0.4, -0.7, 2.0};
    for (std::size_t N : {0u, 1u, 2u}) {
        const auto reference = plain(N, x0, lorenz{0.01});
        for (std::size_t s : {1u, 2u, 5u}) {
            INFO("N = " << N << ", snapshots " << s);
            const auto r = duet::checkpointed_gradient(N, x0, lorenz{0.01}, objective{}, s);
            CHECK(r.value == reference.value);
            check_close(r.gradient, reference.gradient);
            CHECK(r.stats.recorded_steps == N);
            CHECK(r.stats.advances == (N == 2 ? 1u : 0u));
            CHECK(r.stats.peak_snapshots == (N == 0 ? 0u : N == 1 ? 1u : std::min<std::size_t>(s, 2)));
        }
    }
}

TEST_CASE("checkpoint: the advances are the binomial bound, which is the minimum over all splits") {
    std::vector<std::vector<std::size_t>> memo(81, std::vector<std::size_t>(9, std::numeric_limits<std::size_t>::max()));
    for (std::size_t t = 0; t <= 80; ++t)
        for (std::size_t s = 1; s <= 8; ++s) {
            INFO("t = " << t << ", s = " << s);
            CHECK(duet::checkpoint_advances(t, s) == brute_force(t, s, memo));
        }
    // Closed-form values: with s snapshots, C(s + r, s) steps cost r N -
    // C(s + r, s + 1) advances.
    CHECK(duet::checkpoint_advances(10, 10) == 9);
    CHECK(duet::checkpoint_advances(1000, 1) == 499500);
    CHECK(duet::checkpoint_advances(6, 2) == 2 * 6 - 4);     // r = 2: C(4, 2) = 6, C(4, 3) = 4
    CHECK(duet::checkpoint_advances(56, 5) == 3 * 56 - 28);  // r = 3: C(8, 5) = 56, C(8, 6) = 28
    CHECK_THROWS_AS(duet::checkpoint_advances(5, 0), std::invalid_argument);

    // The schedule run counts exactly that many.
    const std::vector<double> x0{0.8};
    for (std::size_t N : {0u, 1u, 2u, 3u, 7u, 21u, 40u, 100u, 1000u, 12345u})
        for (std::size_t s : {1u, 2u, 3u, 4u, 5u, 8u, 20u, 1000u, 20000u}) {
            if (s == 1 && N > 1000) continue;
            INFO("N = " << N << ", snapshots " << s);
            const auto r = duet::checkpointed_gradient(N, x0, decay, objective{}, s);
            CHECK(r.stats.advances == duet::checkpoint_advances(N, s));
            CHECK(r.stats.recorded_steps == N);
            CHECK(r.stats.peak_snapshots <= std::min(s, N));
        }
}

TEST_CASE("checkpoint: the tape holds one step, whatever N") {
    const std::vector<double> x0{1.0, 1.5, 20.0};
    // One Lorenz step recorded on its own, then the objective: the peak.
    std::size_t one_step = 0, one_step_partials = 0;
    {
        duet::tape<double> t;
        std::vector<duet::var<double>> xs(x0.begin(), x0.end());
        const auto ys = lorenz{}(xs);
        const duet::var<double> J = objective{}(ys);
        one_step = t.size();
        one_step_partials = t.partials();
        (void)J;
    }
    const std::size_t bytes = duet::checkpointed_gradient(1, x0, lorenz{}, objective{}, 8).stats.tape_bytes;
    for (std::size_t N : {1u, 10u, 1000u, 10000u}) {
        const auto r = duet::checkpointed_gradient(N, x0, lorenz{}, objective{}, 8);
        CHECK(r.stats.peak_tape_statements == one_step);
        CHECK(r.stats.peak_tape_partials == one_step_partials);
        CHECK(r.stats.tape_bytes == bytes);  // the tape's smallest capacity: 256 statements
    }
}

TEST_CASE("checkpoint: checkpointed_vjp is the plain tape's vjp of the loop") {
    const std::vector<double> x0{1.2, -0.3};
    const std::vector<double> w{0.5, -2.0};
    const std::size_t N = 3000;
    const auto loop = [&](const auto& x) {
        auto s = x;
        for (std::size_t k = 0; k < N; ++k) s = pendulum{}(s);
        return s;
    };
    const auto reference = duet::vjp(loop, x0, w);
    const auto final_state = loop(x0);
    for (std::size_t s : {1u, 3u, 50u}) {
        const auto r = duet::checkpointed_vjp(N, x0, pendulum{}, w, s);
        check_close(r.gradient, reference);
        REQUIRE(r.state.size() == 2);
        CHECK(r.state[0] == final_state[0]);
        CHECK(r.state[1] == final_state[1]);
        CHECK(r.stats.advances == duet::checkpoint_advances(N, s));
    }
}

TEST_CASE("checkpoint: misuse throws") {
    const std::vector<double> x0{1.0, 2.0};
    CHECK_THROWS_AS(duet::checkpointed_gradient(10, x0, pendulum{}, objective{}, 0), std::invalid_argument);
    const auto grows = [](const auto& x) {
        auto y = x;
        y.push_back(x[0]);
        return y;
    };
    CHECK_THROWS_WITH(duet::checkpointed_gradient(3, x0, grows, objective{}, 2),
                      "duet::checkpointed_gradient: step returned 3 values but the state has 2");
    CHECK_THROWS_AS(duet::checkpointed_vjp(3, x0, pendulum{}, std::vector<double>{1.0}, 2), std::invalid_argument);
    // After an exception the thread has no active tape left behind.
    CHECK(duet::tape<double>::active() == nullptr);
}

namespace {
// A step as users write it: std:: maths, T(c) constants, a named local, a
// std::array state.
struct user_step {
    template <class V>
    V operator()(const V& s) const {
        using N = typename V::value_type;
        const N rate = N(0.05) * std::exp(-s[1] * s[1]);
        return V{N(s[0] - rate * s[0]), N(s[1] + static_cast<N>(0.01) * std::sin(s[0]))};
    }
};

template <class T>
void check_user_step_in(T tolerance) {
    const std::vector<T> x0{T(0.8), T(-0.4)};
    const std::size_t N = 300;
    const auto whole = [&](const auto& x) {
        using N_ = typename std::remove_cvref_t<decltype(x)>::value_type;
        std::array<N_, 2> s{x[0], x[1]};
        for (std::size_t k = 0; k < N; ++k) s = user_step{}(s);
        return objective{}(s);
    };
    const auto reference = duet::value_and_gradient(duet::reverse, whole, x0);
    for (std::size_t snapshots : {1, 3, 20}) {
        INFO("snapshots " << snapshots);
        const auto r = duet::checkpointed_gradient(
            N, x0,
            [](const auto& s) {
                using N_ = typename std::remove_cvref_t<decltype(s)>::value_type;
                const auto a = user_step{}(std::array<N_, 2>{s[0], s[1]});
                return std::vector<N_>{a[0], a[1]};
            },
            objective{}, snapshots);
        static_assert(std::is_same_v<decltype(r.value), const T> || std::is_same_v<decltype(r.value), T>);
        CHECK(std::abs(r.value - reference.value) <= tolerance * std::abs(reference.value));
        for (std::size_t i = 0; i < 2; ++i)
            CHECK(std::abs(r.gradient[i] - reference.gradient[i]) <= tolerance * std::abs(reference.gradient[i]));
    }
}
}  // namespace

TEST_CASE("checkpoint: a step as users write it, in float, double and long double") {
    // The checkpointed sweep multiplies the same partials in another order
    // than one sweep over the whole loop: a few ulps per step, hence the
    // type's epsilon times 300 steps.
    check_user_step_in<float>(300 * std::numeric_limits<float>::epsilon());
    check_user_step_in<double>(300 * std::numeric_limits<double>::epsilon());
    check_user_step_in<long double>(300 * std::numeric_limits<long double>::epsilon());
}
