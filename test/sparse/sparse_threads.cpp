// duet::threads{k} on the sparse drivers (sparse/sparse_jacobian.hpp,
// sparse_hessian.hpp): sparse_jacobian (forward, reverse, automatic; with
// and without a pattern), the Jacobian plan, sparse_hessian and its plan on
// k = 2, 4 threads are bit for bit the k = 1 result, on Lorenz-96, the 2-D
// Bratu residual and a banded function whose 21 colours take three forward
// passes (Lorenz-96's and Bratu's 4 and 5 colours fit in one pass, which no
// thread can share); f is seen on more than one thread where there is work
// for two; an exception thrown by f on another thread reaches the caller
// and leaves the plan usable. Also: a plan's repeated calls (its kept
// buffers refilled) equal fresh drivers, and its results share its pattern.
// The ThreadSanitizer build runs the sparse case of test/drivers/threads.cpp.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <duet/sparse.hpp>

#include "support.hpp"

namespace {

using namespace duet_sparse_test;

// y_i = sum over |j - i| <= 10 of sin(x_j) x_i (cut at the ends): a band of
// 21 columns, 21 column colours (three 8-lane passes), 21 row colours.
struct banded {
    template <class T>
    std::vector<T> operator()(const std::vector<T>& x) const {
        using std::sin;
        const std::size_t n = x.size();
        std::vector<T> y;
        for (std::size_t i = 0; i < n; ++i) {
            T s = 0.0;
            for (std::size_t j = i < 10 ? 0 : i - 10; j <= i + 10 && j < n; ++j) s += sin(x[j]) * x[i];
            y.push_back(s);
        }
        return y;
    }
};

// sum of squares of a residual: a scalar with a sparse Hessian.
template <class R>
struct squares {
    R r;
    template <class T>
    T operator()(const std::vector<T>& x) const {
        const auto y = r(x);
        T s = 0.0;
        for (const auto& yi : y) s += yi * yi;
        return s;
    }
};

// f, recording the threads it is called on.
template <class F>
struct watched {
    F f;
    std::mutex* mutex;
    std::set<std::thread::id>* seen;
    template <class X>
    auto operator()(const X& x) const {
        {
            const std::lock_guard<std::mutex> lock(*mutex);
            seen->insert(std::this_thread::get_id());
        }
        return f(x);
    }
};

// The same pattern and the same bits in every value (+0 and -0 differ).
template <class A, class B>
bool same_bits(const A& a, const B& b) {
    if (!(a.pattern() == b.pattern()) || a.colors() != b.colors()) return false;
    for (std::size_t k = 0; k < a.nonzeros(); ++k)
        if (std::bit_cast<std::uint64_t>(a.values()[k]) != std::bit_cast<std::uint64_t>(b.values()[k])) return false;
    return true;
}

// Every threaded entry point on f at x against k = 1, and f seen on more
// than one thread when `split` (the mode's passes or sweeps leave work for a
// second thread).
template <class F>
void check_jacobians(const F& f, const std::vector<double>& x) {
    const auto pattern = duet::jacobian_sparsity(f, x);
    const auto forward1 = duet::sparse_jacobian(duet::forward, f, x);
    const auto reverse1 = duet::sparse_jacobian(duet::reverse, f, x);
    const auto automatic1 = duet::sparse_jacobian(f, x);
    const auto plan = duet::sparse_jacobian_plan(f, x);
    const auto forward_plan = duet::sparse_jacobian_plan(duet::forward, f, x);
    const auto reverse_plan = duet::sparse_jacobian_plan(duet::reverse, f, x);
    REQUIRE(forward1.nonzeros() == pattern.nonzeros());
    CHECK(same_bits(plan(x), automatic1));
    CHECK(same_bits(forward_plan(x), forward1));
    CHECK(same_bits(reverse_plan(x), reverse1));
    for (const std::size_t k : {1u, 2u, 4u}) {
        INFO("threads " << k);
        const duet::threads t{k};
        CHECK(same_bits(duet::sparse_jacobian(duet::forward, f, x, t), forward1));
        CHECK(same_bits(duet::sparse_jacobian(duet::reverse, f, x, t), reverse1));
        CHECK(same_bits(duet::sparse_jacobian(duet::automatic, f, x, t), automatic1));
        CHECK(same_bits(duet::sparse_jacobian(f, x, t), automatic1));
        CHECK(same_bits(duet::sparse_jacobian(duet::forward, f, x, pattern, t), forward1));
        CHECK(same_bits(duet::sparse_jacobian(duet::reverse, f, x, pattern, t), reverse1));
        CHECK(same_bits(duet::sparse_jacobian(f, x, pattern, t), automatic1));
        CHECK(same_bits(plan(x, t), automatic1));
        CHECK(same_bits(forward_plan(x, t), forward1));
        CHECK(same_bits(reverse_plan(x, t), reverse1));
    }
    // The threads are used: f runs on a second thread whenever the passes
    // after the first (which runs alone) are two or more, or the sweeps.
    std::mutex mutex;
    std::set<std::thread::id> seen;
    const watched<F> g{f, &mutex, &seen};
    if ((forward1.colors() + 7) / 8 > 2) {
        seen.clear();
        CHECK(same_bits(duet::sparse_jacobian(duet::forward, g, x, pattern, duet::threads{2}), forward1));
        CHECK(seen.size() == 2);
    }
    seen.clear();
    CHECK(same_bits(duet::sparse_jacobian(duet::reverse, g, x, pattern, duet::threads{2}), reverse1));
    CHECK(seen.size() == 2);  // reverse1.colors() >= 2 sweeps
}

template <class F>
void check_hessians(const F& f, const std::vector<double>& x) {
    const auto pattern = duet::hessian_sparsity(f, x);
    const auto H1 = duet::sparse_hessian(f, x);
    const auto plan = duet::sparse_hessian_plan(f, x);
    CHECK(same_bits(plan(x), H1));
    CHECK(exactly_symmetric(H1));
    for (const std::size_t k : {1u, 2u, 4u}) {
        INFO("threads " << k);
        const duet::threads t{k};
        CHECK(same_bits(duet::sparse_hessian(f, x, t), H1));
        CHECK(same_bits(duet::sparse_hessian(f, x, pattern, t), H1));
        CHECK(same_bits(plan(x, t), H1));
    }
    std::mutex mutex;
    std::set<std::thread::id> seen;
    const watched<F> g{f, &mutex, &seen};
    if ((H1.colors() + 7) / 8 > 2) {
        CHECK(same_bits(duet::sparse_hessian(g, x, pattern, duet::threads{2}), H1));
        CHECK(seen.size() == 2);
    }
}

}  // namespace

TEST_CASE("sparse threads: Lorenz-96 Jacobians and Hessians on 2 and 4 threads are bitwise k = 1") {
    for (const std::size_t n : {40u, 1000u}) {
        INFO("n = " << n);
        const auto x = point(n);
        check_jacobians(lorenz96{}, x);
        check_hessians(squares<lorenz96>{}, x);
    }
}

TEST_CASE("sparse threads: 2-D Bratu Jacobians and Hessians on 2 and 4 threads are bitwise k = 1") {
    const std::size_t k = 30;
    const auto u = point(k * k, 0.3);
    check_jacobians(bratu2d{k}, u);
    const squares<bratu2d> g{bratu2d{k}};
    // The squared residual couples grid points two apart: more than 8 star
    // colours, two or more passes (with two, the engine runs both on the
    // calling thread: threads start from the third).
    REQUIRE(duet::sparse_hessian_plan(g, u).colors() > 8);
    check_hessians(g, u);
}

TEST_CASE("sparse threads: a banded Jacobian's three forward passes on 2 and 4 threads are bitwise k = 1") {
    const auto x = point(200);
    REQUIRE(duet::sparse_jacobian_plan(duet::forward, banded{}, x).colors() == 21);
    check_jacobians(banded{}, x);
    // the squares of a band of half-width 10: a Hessian band of half-width
    // 20, more than 16 star colours: three or more passes
    REQUIRE(duet::sparse_hessian_plan(squares<banded>{}, point(60)).colors() > 16);
    check_hessians(squares<banded>{}, point(60));
}

TEST_CASE("sparse threads: an exception thrown by f on another thread reaches the caller") {
    const auto x = point(200);
    const std::thread::id caller = std::this_thread::get_id();
    bool armed = true;
    // Throws on any thread but the caller's while armed (read only).
    const auto f = [&](const auto& v) {
        if (armed && std::this_thread::get_id() != caller) throw std::runtime_error("f failed on another thread");
        return banded{}(v);
    };
    const auto pattern = duet::jacobian_sparsity(banded{}, x);
    for (const std::size_t k : {2u, 4u}) {
        INFO("threads " << k);
        CHECK_THROWS_WITH(duet::sparse_jacobian(duet::forward, f, x, pattern, duet::threads{k}),
                          "f failed on another thread");
        CHECK_THROWS_WITH(duet::sparse_jacobian(duet::reverse, f, x, pattern, duet::threads{k}),
                          "f failed on another thread");
    }
    const auto plan = duet::sparse_jacobian_plan(duet::forward, f, x, pattern);
    CHECK_THROWS_WITH(plan(x, duet::threads{2}), "f failed on another thread");
    const auto g = [&](const auto& v) {
        if (armed && std::this_thread::get_id() != caller) throw std::runtime_error("g failed on another thread");
        return squares<banded>{}(v);
    };
    const auto hessian_plan = duet::sparse_hessian_plan(g, point(60));
    REQUIRE(hessian_plan.colors() > 16);
    CHECK_THROWS_WITH(hessian_plan(point(60), duet::threads{2}), "g failed on another thread");
    CHECK_THROWS_WITH(duet::sparse_hessian(g, point(60), hessian_plan.pattern(), duet::threads{3}),
                      "g failed on another thread");
    // The plans still work afterwards, on one thread and on several.
    armed = false;
    const auto J = duet::sparse_jacobian(duet::forward, banded{}, x, pattern);
    CHECK(same_bits(plan(x), J));
    CHECK(same_bits(plan(x, duet::threads{2}), J));
    const auto H = duet::sparse_hessian(squares<banded>{}, point(60));
    CHECK(same_bits(hessian_plan(point(60)), H));
    CHECK(same_bits(hessian_plan(point(60), duet::threads{2}), H));
}

TEST_CASE("sparse plans: repeated calls refill their kept buffers; results share the plan's pattern") {
    const auto x1 = point(300), x2 = point(300, 1.1);
    for (const auto mode : {duet::mode_choice::forward, duet::mode_choice::reverse}) {
        INFO(duet::to_string(mode));
        const auto plan = mode == duet::mode_choice::forward ? duet::sparse_jacobian_plan(duet::forward, banded{}, x1)
                                                             : duet::sparse_jacobian_plan(duet::reverse, banded{}, x1);
        const auto fresh1 = mode == duet::mode_choice::forward ? duet::sparse_jacobian(duet::forward, banded{}, x1)
                                                               : duet::sparse_jacobian(duet::reverse, banded{}, x1);
        const auto fresh2 = mode == duet::mode_choice::forward ? duet::sparse_jacobian(duet::forward, banded{}, x2)
                                                               : duet::sparse_jacobian(duet::reverse, banded{}, x2);
        REQUIRE(!same_bits(fresh1, fresh2));
        const auto a = plan(x1);
        const auto b = plan(x2);
        const auto c = plan(x1);
        CHECK(same_bits(a, fresh1));
        CHECK(same_bits(b, fresh2));
        CHECK(same_bits(c, fresh1));
        CHECK(a.shared_pattern() == c.shared_pattern());  // one pattern, not a copy per call
        CHECK(&a.pattern() == &plan.pattern());
        // a copy of the plan (its kept buffers start empty) gives the same
        const auto copy = plan;
        CHECK(same_bits(copy(x2), fresh2));
    }
    const auto hplan = duet::sparse_hessian_plan(squares<banded>{}, x1);
    const auto h1 = duet::sparse_hessian(squares<banded>{}, x1), h2 = duet::sparse_hessian(squares<banded>{}, x2);
    REQUIRE(!same_bits(h1, h2));
    CHECK(same_bits(hplan(x1), h1));
    CHECK(same_bits(hplan(x2), h2));
    CHECK(same_bits(hplan(x1), h1));
    CHECK(&hplan(x1).pattern() == &hplan.pattern());
}

TEST_CASE("sparse_matrix: copies share the pattern, equality compares it by value, a moved-from matrix is empty") {
    const auto p = lorenz96_pattern(10);
    duet::sparse_matrix<double> a(p, std::vector<double>(p.nonzeros(), 1.5), 4);
    const duet::sparse_matrix<double> b(p, std::vector<double>(p.nonzeros(), 1.5), 4);  // its own copy of p
    duet::sparse_matrix<double> c = a;
    CHECK(c.shared_pattern() == a.shared_pattern());
    CHECK(b.shared_pattern() != a.shared_pattern());
    CHECK(a == b);
    CHECK(a == c);
    c.values()[3] = 2.0;
    CHECK(!(a == c));
    CHECK(a(0, 0) == 1.5);  // writing c's values left a's alone
    const duet::sparse_matrix<double> d(p, std::vector<double>(p.nonzeros(), 1.5), 3);
    CHECK(!(a == d));  // colours differ
    const duet::sparse_matrix<double> moved = std::move(a);
    CHECK(moved == b);
    CHECK(a.rows() == 0);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    CHECK(a.cols() == 0);
    CHECK(a.nonzeros() == 0);
    CHECK_THROWS_WITH(duet::sparse_matrix<double>(std::make_shared<const duet::sparsity_pattern>(p),
                                                  std::vector<double>(3, 0.0)),
                      Catch::Contains("3") && Catch::Contains(std::to_string(p.nonzeros())));
}
