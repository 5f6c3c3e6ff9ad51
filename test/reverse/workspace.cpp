// The drivers' per-thread workspace tape, inactive tapes and activation
// scopes, bulk registration of inputs, adjoint spans, and the sweep across
// long runs of inputs.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include <duet/duet.hpp>
#include <duet/reverse/workspace.hpp>

using duet::tape;
using duet::var;

TEST_CASE("workspace: an inactive tape is active only inside an activation scope") {
    REQUIRE(tape<double>::active() == nullptr);
    tape<double> t(tape<double>::inactive);
    CHECK(tape<double>::active() == nullptr);
    {
        tape<double>::activation scope(t);
        CHECK(tape<double>::active() == &t);
        {
            tape<double> inner;  // nests inside the activation
            CHECK(tape<double>::active() == &inner);
        }
        CHECK(tape<double>::active() == &t);
        var<double> x = 3.0;
        var<double> y = x * x;
        t.backward(y);
        CHECK(x.adjoint() == 6.0);
    }
    CHECK(tape<double>::active() == nullptr);
}

TEST_CASE("workspace: the tape is reused, active during the call, cleared on entry") {
    duet::release_workspace_tape<double>();
    CHECK(duet::workspace_tape_memory<double>() == 0);
    const tape<double>* first_tape = nullptr;
    auto body = [&](tape<double>& t) {
        CHECK(tape<double>::active() == &t);
        CHECK(t.size() == 0);  // cleared
        std::vector<var<double>> xs;
        for (int i = 0; i < 1000; ++i) xs.emplace_back(double(i));
        var<double> s = 0.0;
        for (const auto& x : xs) s += x * x;
        t.backward(s);
        return xs[7].adjoint();
    };
    CHECK(duet::with_workspace_tape<double>([&](tape<double>& t) {
              first_tape = &t;
              return body(t);
          }) == 14.0);
    CHECK(tape<double>::active() == nullptr);
    const std::size_t memory = duet::workspace_tape_memory<double>();
    CHECK(memory > 0);
    for (int k = 0; k < 100; ++k) {
        CHECK(duet::with_workspace_tape<double>([&](tape<double>& t) {
                  CHECK(&t == first_tape);
                  return body(t);
              }) == 14.0);
    }
    CHECK(duet::workspace_tape_memory<double>() == memory);  // flat: capacity kept
    duet::release_workspace_tape<double>();
    CHECK(duet::workspace_tape_memory<double>() == 0);
}

TEST_CASE("workspace: a nested use gets a fresh tape; release inside a use is refused") {
    const double outer = duet::with_workspace_tape<double>([](tape<double>& outer_tape) {
        var<double> x = 2.0;
        const double inner = duet::with_workspace_tape<double>([&](tape<double>& inner_tape) {
            CHECK(&inner_tape != &outer_tape);
            CHECK(tape<double>::active() == &inner_tape);
            var<double> u = 5.0;
            var<double> v = u * u * u;
            inner_tape.backward(v);
            return u.adjoint();
        });
        CHECK(tape<double>::active() == &outer_tape);
        CHECK_THROWS_WITH(duet::release_workspace_tape<double>(),
                          Catch::Contains("in use by a running driver"));
        var<double> y = inner * x;  // the outer recording continues
        outer_tape.backward(y);
        return x.adjoint();
    });
    CHECK(outer == 75.0);
}

TEST_CASE("workspace: the drivers give the same gradients on every call and thread") {
    auto f = [](const auto& x) {
        using std::sin;
        typename std::decay_t<decltype(x)>::value_type s = 0.0;
        for (std::size_t i = 0; i + 1 < x.size(); ++i) s += sin(x[i]) * x[i + 1];
        return s;
    };
    std::vector<double> x(300);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.01 * double(i) - 1.0;
    const auto reference = duet::gradient(duet::forward, f, x);
    const auto first = duet::gradient(duet::reverse, f, x);
    for (std::size_t i = 0; i < x.size(); ++i)
        REQUIRE(first[i] == Approx(reference[i]).epsilon(1e-14).margin(1e-300));
    std::vector<std::vector<double>> per_thread(4);
    std::vector<std::thread> threads;
    for (auto& out : per_thread)
        threads.emplace_back([&] {
            for (int k = 0; k < 20; ++k) out = duet::gradient(duet::reverse, f, x);
        });
    for (auto& th : threads) th.join();
    for (const auto& out : per_thread) CHECK(out == first);  // bitwise
    CHECK(duet::gradient(duet::reverse, f, x) == first);
}

TEST_CASE("tape: new_independents registers a block; adjoints() reads one") {
    tape<double> t;
    var<double> a = 1.0;
    const auto first = t.new_independents(5);
    CHECK(first == 1);
    CHECK(t.size() == 6);
    CHECK(t.partials() == 0);
    var<double> b = 2.0;
    CHECK(b.index() == 6);
    var<double> y = a * b;
    t.backward(y);
    const auto adj = t.adjoints(0, 7);
    REQUIRE(adj.size() == 7);
    CHECK(adj[0] == 2.0);
    for (std::size_t i = 1; i < 6; ++i) CHECK(adj[i] == 0.0);
    CHECK(adj[6] == 1.0);
    CHECK_THROWS_AS(t.adjoints(5, 4), std::invalid_argument);
    CHECK_THROWS_WITH(t.adjoints(5, 4), Catch::Contains("past the end of the tape (8 statements)"));
}

TEST_CASE("tape: the sweep crosses long and short runs of inputs") {
    // Inputs in runs of several lengths between statements that use inputs
    // from every run: each input's adjoint must be found exactly once.
    tape<double> t;
    std::vector<var<double>> xs;
    var<double> s = 0.0;
    std::vector<double> expected;
    double value = 0;
    for (std::size_t run : {1u, 2u, 9u, 8u, 17u, 1000u, 3u, 64u}) {
        for (std::size_t i = 0; i < run; ++i) {
            const double v = 0.5 + 0.001 * double(xs.size());
            xs.emplace_back(v);
            expected.push_back(0);
        }
        // Use the first and last input so far, and the newest one.
        const std::size_t last = xs.size() - 1;
        s = s + xs.front() * xs[last] + 2.0 * xs[last / 2];
        value += xs.front().value() * xs[last].value() + 2.0 * xs[last / 2].value();
        expected.front() += xs[last].value();
        expected[last] += xs.front().value();
        expected[last / 2] += 2.0;
    }
    CHECK(s.value() == Approx(value).epsilon(1e-14));
    t.backward(s);
    for (std::size_t i = 0; i < xs.size(); ++i)
        REQUIRE(xs[i].adjoint() == Approx(expected[i]).epsilon(1e-14).margin(1e-300));
}

#if DUET_TAPE_CHECKS
TEST_CASE("workspace: vars from an earlier driver call are detected as stale") {
    var<double> kept = duet::with_workspace_tape<double>([](tape<double>&) {
        var<double> x = 1.0;
        return x;
    });
    duet::with_workspace_tape<double>([&](tape<double>& t) {
        CHECK_THROWS_WITH(t.backward(kept), Catch::Contains("cleared or rewound"));
    });
}
#endif

TEST_CASE("workspace: a gradient driver called inside f leaves the outer call's inputs alone") {
    // f(x) = sum_i x_i * c_i where c = gradient of an inner function of
    // plain numbers, computed by a nested reverse driver on every call.
    auto inner = [](const auto& v) {
        typename std::decay_t<decltype(v)>::value_type s = 0.0;
        for (const auto& vi : v) s += vi * vi * vi;
        return s;
    };
    auto f = [&](const auto& x) {
        const std::vector<double> point{1.0, 2.0, 3.0};
        const auto c = duet::gradient(duet::reverse, inner, point);  // {3, 12, 27}
        typename std::decay_t<decltype(x)>::value_type s = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) s += x[i] * c[i % 3];
        return s;
    };
    const std::vector<double> x{0.5, -1.0, 2.0, 4.0};
    for (int call = 0; call < 3; ++call) {
        const auto r = duet::value_and_gradient(duet::reverse, f, x);
        CHECK(r.value == 0.5 * 3 - 12.0 + 2.0 * 27 + 4.0 * 3);
        CHECK(r.gradient == std::vector<double>{3, 12, 27, 3});
    }
}
