// duet::tape: recording, sweeping, seeding, rewinding, memory reuse, long
// chains, strong zeros, the active-tape scope, the private recording side.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include <duet/duet.hpp>

using duet::tape;
using duet::var;

TEST_CASE("tape: the contract example x^3 (x + 3y) at (2, 3)") {
    tape<double> t;
    var<double> x = 2.0, y = 3.0;
    var<double> f = x * x * x * (x + 3 * y);
    t.backward(f);
    CHECK(f.value() == 88.0);
    CHECK(x.adjoint() == 140.0);
    CHECK(y.adjoint() == 24.0);
    CHECK(t.adjoint(x) == 140.0);
}

TEST_CASE("tape: a statement records one partial per leaf occurrence") {
    tape<double> t;
    var<double> x = 1.5, y = 2.0;
    CHECK(t.size() == 2);
    CHECK(t.partials() == 0);
    var<double> z = x * y + sin(x);  // leaves: x, y, x
    CHECK(t.size() == 3);
    CHECK(t.partials() == 3);
    var<double> w = 2.0 * z + 1.0;  // constants record nothing
    CHECK(t.partials() == 4);
    t.backward(w);
    CHECK(x.adjoint() == Approx(2 * (2.0 + std::cos(1.5))).epsilon(1e-15));
    CHECK(y.adjoint() == Approx(2 * 1.5).epsilon(1e-15));
    CHECK(z.adjoint() == 2.0);
    CHECK(w.adjoint() == 1.0);
}

// Recording is detail::tape_recorder's (var's write side), not tape's or
// var's public API. Access is part of substitution, so each concept is false
// when the member exists but is private.
template <class Tape>
concept tape_exposes_recording =
    requires(Tape& t, std::size_t n) { t.begin_statement(n); } ||
    requires(Tape& t, std::size_t n) { t.end_statement(n); } ||
    requires(Tape& t, std::size_t n) { t.extend_last_statement(n); } ||
    requires(Tape& t) { t.new_independent(); } ||
    requires(Tape& t, const var<double>& x) { t.check(x); } ||
    requires(Tape& t, const var<double>& x) { t.is_last_statement(x); } ||
    requires { typename Tape::entry_cursor; };
template <class Var>
concept var_exposes_check_stamps =
    requires(const Var& x) { x.tape_id(); } || requires(const Var& x) { x.generation(); };

TEST_CASE("tape: the recording interface is private; the recorder writes statements") {
    static_assert(!tape_exposes_recording<tape<double>>);
    static_assert(!var_exposes_check_stamps<var<double>>);
    static_assert(requires(tape<double>& t) { t.new_independents(std::size_t(2)); });

    // y = 3 a + 5 b written through the recorder, then extended by 7 c: the
    // protocol var uses, checked without var's expression machinery. vars of
    // the hand-written statements come from registered_var, as in the drivers.
    using recorder = duet::detail::tape_recorder<double>;
    using made = duet::detail::registered_var<double>;
    tape<double> t;
    const auto first = t.new_independents(3);
    const var<double> a = made::make(t, 1.0, first), b = made::make(t, 2.0, first + 1),
                      c = made::make(t, 4.0, first + 2);
    auto cursor = recorder::begin_statement(t, 2);
    *cursor.index++ = a.index();
    *cursor.partial++ = 3.0;
    *cursor.index++ = b.index();
    *cursor.partial++ = 5.0;
    const auto y_index = recorder::end_statement(t, 2);
    const var<double> y = made::make(t, 3.0 * 1.0 + 5.0 * 2.0, y_index);
    CHECK(recorder::is_last_statement(t, y));
    CHECK_FALSE(recorder::is_last_statement(t, c));
    cursor = recorder::begin_statement(t, 1);
    *cursor.index = c.index();
    *cursor.partial = 7.0;
    recorder::extend_last_statement(t, 1);
    CHECK(t.size() == 4);
    CHECK(t.partials() == 3);
    t.backward(y);
    CHECK(a.adjoint() == 3.0);
    CHECK(b.adjoint() == 5.0);
    CHECK(c.adjoint() == 7.0);
}

TEST_CASE("tape: seeding several outputs gives a vector-Jacobian product") {
    tape<double> t;
    var<double> x = 1.0, y = 2.0;
    var<double> a = x * y;  // (y, x)
    var<double> b = x + y;  // (1, 1)
    SECTION("seed + backward") {
        t.zero_adjoints();
        t.seed(a, 3.0);
        t.seed(b, -1.0);
        t.backward();
    }
    SECTION("backward(outputs, weights)") {
        const std::vector<var<double>> outputs{a, b};
        const std::vector<double> weights{3.0, -1.0};
        t.backward(outputs, weights);
    }
    CHECK(x.adjoint() == 3 * 2.0 - 1.0);
    CHECK(y.adjoint() == 3 * 1.0 - 1.0);
}

TEST_CASE("tape: repeated sweeps need zero_adjoints, backward(y) does it") {
    tape<double> t;
    var<double> x = 3.0;
    var<double> y = x * x;
    t.backward(y);
    CHECK(x.adjoint() == 6.0);
    t.backward(y);
    CHECK(x.adjoint() == 6.0);  // not 12
    t.seed(y);                  // accumulates on top of the previous sweep's adjoints
    CHECK(t.adjoint(y) == 2.0);
    t.zero_adjoints();
    CHECK(x.adjoint() == 0.0);
}

TEST_CASE("tape: backward_from ignores statements recorded later") {
    tape<double> t;
    var<double> x = 2.0;
    var<double> y = x * x;
    var<double> later = y * 5.0;
    t.zero_adjoints();
    t.seed(y);
    t.backward_from(std::size_t(y.index()) + 1);
    CHECK(x.adjoint() == 4.0);
    CHECK(later.adjoint() == 0.0);
}

TEST_CASE("tape: strong zero, an infinite partial on an unused branch does not leak") {
    tape<double> t;
    var<double> x = 0.0;
    var<double> unused = sqrt(x);  // partial +inf, adjoint 0
    var<double> y = 2.0 * x;
    t.backward(y);
    CHECK(x.adjoint() == 2.0);
    CHECK(unused.value() == 0.0);
    // Forward mode gives the same.
    duet::dual<double> xd{0.0, 1.0};
    duet::dual<double> yd = 2.0 * xd;
    CHECK(yd.tangent() == x.adjoint());
    // When the branch is used, the infinity is the answer.
    var<double> z = sqrt(x);
    t.backward(z);
    CHECK(std::isinf(x.adjoint()));
}

TEST_CASE("tape: NaN reaches the adjoints it flows into") {
    tape<double> t;
    var<double> x = std::numeric_limits<double>::quiet_NaN();
    var<double> y = x * x;  // partial x: NaN
    var<double> z = y * 3.0;
    t.backward(z);
    CHECK(std::isnan(y.adjoint()) == false);
    CHECK(std::isnan(x.adjoint()));
}

TEST_CASE("tape: a chain of 10^6 statements sweeps in a loop") {
    tape<double> t;
    var<double> x = 1.0;
    var<double> y = x;
    const int n = 1000000;
    const double factor = 1.0 + 1e-7;
    for (int i = 0; i < n; ++i) y = y * factor + 1e-9;
    t.backward(y);
    CHECK(t.size() == std::size_t(n) + 1);
    CHECK(x.adjoint() == Approx(std::pow(factor, n)).epsilon(1e-9));
}

TEST_CASE("tape: clear/rewind keep the capacity; record/sweep/rewind cycles stay flat") {
    tape<double> t;
    auto cycle = [&t] {
        t.clear();
        var<double> a = 1.25, b = -0.5;
        var<double> s = 0.0;
        for (int i = 0; i < 20; ++i) s += a * b + exp(b) * i;
        t.backward(s);
        return a.adjoint();
    };
    const double first = cycle();
    const std::size_t memory = t.memory();
    CHECK(memory > 0);
    for (int i = 0; i < 100000; ++i) {
        const double again = cycle();
        if (again != first || t.memory() != memory) {
            FAIL("cycle " << i << ": adjoint " << again << " vs " << first << ", memory "
                          << t.memory() << " vs " << memory);
        }
    }
    CHECK(t.memory() == memory);
}

TEST_CASE("tape: rewind to a position keeps the variables recorded before it") {
    tape<double> t;
    var<double> x = 2.0;
    const std::size_t inputs = t.position();
    for (int k = 1; k <= 3; ++k) {
        t.rewind(inputs);
        var<double> y = pow(x, k);
        t.backward(y);
        CHECK(x.adjoint() == Approx(k * std::pow(2.0, k - 1)));
    }
    CHECK(t.size() == inputs + 1);
    CHECK_THROWS_AS(t.rewind(t.size() + 1), std::invalid_argument);
}

TEST_CASE("tape: memory() counts bytes; a partial costs 4 + sizeof(T) bytes plus adjoints") {
    tape<double> t;
    std::vector<var<double>> xs;
    for (int i = 0; i < 1000; ++i) xs.emplace_back(double(i));
    var<double> s = 0.0;
    for (const auto& xi : xs) s += xi * xi;
    t.backward(s);
    const double per_partial = double(t.memory()) / double(t.partials());
    CHECK(per_partial > 12.0);
    CHECK(per_partial < 64.0);  // capacity doubling included
}

TEST_CASE("tape: the active tape is a nested scope per thread") {
    CHECK(tape<double>::active() == nullptr);
    {
        tape<double> outer;
        CHECK(tape<double>::active() == &outer);
        {
            tape<double> inner;
            CHECK(tape<double>::active() == &inner);
            var<double> x = 1.0;
            CHECK(x.index() == 0);
            CHECK(inner.size() == 1);
            CHECK(outer.size() == 0);
        }
        CHECK(tape<double>::active() == &outer);
        CHECK(tape<float>::active() == nullptr);  // one active tape per number type
    }
    CHECK(tape<double>::active() == nullptr);
}

namespace {
// A random straight-line program over its inputs: each new value is built
// by accumulation (`acc += ...`, recorded in place into one statement, long
// ones included) from values at distances 1, 2, 3 and further back, and
// from independent variables registered in between. The sweep carries the
// adjoints of the two statements below the current one in registers and
// handles long statements separately: every pattern is exercised here.
struct random_program {
    struct term {
        std::size_t a, b;  // distances back in the value list (1 = newest)
        double c;
    };
    std::vector<std::vector<term>> statements;
    std::vector<double> fresh;  // value of an independent variable registered after each statement

    template <class T>
    T operator()(const std::vector<T>& x) const {
        using std::sin;
        std::vector<T> v(x.begin(), x.end());
        for (std::size_t s = 0; s < statements.size(); ++s) {
            const auto& terms = statements[s];
            const std::size_t n = v.size();
            T acc = v[n - terms[0].a] * terms[0].c;
            for (std::size_t k = 1; k < terms.size(); ++k) {
                const auto& t = terms[k];
                acc += t.c * sin(v[n - t.a]) * v[n - t.b];
            }
            v.push_back(acc);
            if (fresh[s] != 0) v.push_back(T(fresh[s]));  // a constant input: adjoint unused
        }
        T out = 0.0;
        for (std::size_t k = v.size() - 3; k < v.size(); ++k) out += v[k] * v[k];
        return out;
    }
};
}  // namespace

TEST_CASE("tape: random programs, reverse equals forward (short, long, near and far statements)") {
    std::mt19937 rng(2024);
    for (int trial = 0; trial < 40; ++trial) {
        random_program p;
        const std::size_t inputs = 3 + rng() % 5;
        std::size_t values = inputs;
        for (int s = 0; s < 60; ++s) {
            std::vector<random_program::term> terms;
            const std::size_t length = 1 + rng() % 14;  // up to 27 partials
            for (std::size_t k = 0; k < length; ++k) {
                auto distance = [&] {
                    const std::size_t d = rng() % 4 == 0 ? 1 + rng() % values : 1 + rng() % 3;
                    return std::min(d, values);
                };
                terms.push_back({distance(), distance(), std::uniform_real_distribution<double>(-1, 1)(rng)});
            }
            p.statements.push_back(terms);
            p.fresh.push_back(rng() % 3 == 0 ? 0.5 : 0.0);
            values += 1 + (p.fresh.back() != 0);
        }
        std::vector<double> x(inputs);
        for (auto& xi : x) xi = std::uniform_real_distribution<double>(-0.5, 0.5)(rng);
        // Keep the values moderate: scale the coefficients down.
        for (auto& st : p.statements)
            for (auto& t : st) t.c /= double(st.size());
        const auto forward = duet::gradient(duet::forward, p, x);
        const auto reverse = duet::gradient(duet::reverse, p, x);
        for (std::size_t i = 0; i < inputs; ++i) {
            INFO("trial " << trial << ", input " << i);
            REQUIRE(reverse[i] == Approx(forward[i]).epsilon(1e-12).margin(1e-300));
        }
    }
}

TEST_CASE("tape: a sweep with adjoint lanes; its calls check their arguments") {
    duet::tape<double> t;
    duet::var<double> a = 1.0, b = 2.0;
    duet::var<double> c = a * b;
    t.zero_lane_adjoints<4>();
    CHECK_THROWS_AS(t.seed_lane<4>(c, 4), std::invalid_argument);
    t.seed_lane<4>(c, 3, 2.0);
    t.backward_lanes_from<4>(t.size());
    const auto adj = t.lane_adjoints();
    CHECK(adj[std::size_t(a.index()) * 4 + 3] == 4.0);
    CHECK(adj[std::size_t(b.index()) * 4 + 3] == 2.0);
    CHECK(adj[std::size_t(a.index()) * 4 + 0] == 0.0);
    duet::var<double> d = c * c;  // recorded after the lanes were zeroed
    (void)d;
    CHECK_THROWS_AS(t.backward_lanes_from<4>(t.size()), std::logic_error);
}

TEST_CASE("tape: each adjoint lane is bitwise the sweep of its seeds alone (zero, infinite, NaN lanes)") {
    duet::tape<double> t;
    const double inf = std::numeric_limits<double>::infinity();
    duet::var<double> x0 = 0.5, x1 = -1.25, x2 = 3.0, x3 = 0.0;
    const duet::var<double> root = sqrt(x3);  // partial +inf, reached only through a zero factor
    duet::var<double> s = 0.0;
    for (const auto* v : {&x0, &x1, &x2}) s += *v * *v * x1;  // a long, in-place statement
    const duet::var<double> y1 = s * exp(x0) + 0.0 * root;
    const duet::var<double> y2 = x1 * x1 * x2 - log(x2);
    const duet::var<double> y3 = root;  // an infinite partial on a reached branch
    // lane l's seeds: (output, weight) pairs
    const std::vector<std::vector<std::pair<const duet::var<double>*, double>>> seeds{
        {{&y1, 1.0}}, {{&y2, inf}}, {}, {{&y1, 2.0}, {&y2, -0.5}}, {{&y3, 1.0}}, {{&y2, std::nan("")}},
        {{&y1, -0.0}}, {{&y3, 0.0}, {&y1, 1.0}}};
    t.zero_lane_adjoints<8>();
    for (std::size_t l = 0; l < 8; ++l)
        for (const auto& [y, w] : seeds[l]) t.seed_lane<8>(*y, l, w);
    t.backward_lanes_from<8>(t.size());
    const std::vector<double> lanes(t.lane_adjoints().begin(), t.lane_adjoints().end());
    for (std::size_t l = 0; l < 8; ++l) {
        t.zero_adjoints();
        for (const auto& [y, w] : seeds[l]) t.seed(*y, w);
        t.backward_from(t.size());
        for (std::size_t s_index = 0; s_index < t.size(); ++s_index) {
            const double one = t.adjoints(s_index, 1)[0], lane = lanes[s_index * 8 + l];
            INFO("lane " << l << ", statement " << s_index << ": " << lane << " vs " << one);
            if (std::isnan(one))
                CHECK(std::isnan(lane));
            else
                CHECK((lane == one && std::signbit(lane) == std::signbit(one)));
        }
    }
}
