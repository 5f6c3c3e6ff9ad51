// duet::threads{k} (drivers/passes.hpp, container_jacobian.hpp, hessian.hpp):
// Jacobians (forward, reverse, automatic) and Hessians (forward, reverse,
// automatic) on k = 1, 2, 3, 4 threads (and 0 = one per hardware thread, and
// more threads than passes) are bitwise equal to k = 1, with n and m chosen so
// that the passes do not divide evenly between the threads; the engine's
// threaded loops collect every column / row exactly once; an exception thrown
// in f on any thread reaches the caller. The sparse drivers too (bitwise
// equality: test/sparse/sparse_threads.cpp): here, for the sanitizer, a
// sparse Jacobian (forward, reverse) and Hessian on k threads, and one plan
// called from two threads at once (its kept buffers lent to one call, the
// other building its own). Also built with -fsanitize=thread by
// scripts/test.sh (stage tsan).
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/drivers/container_jacobian.hpp"
#include "duet/drivers/hessian.hpp"
#include "duet/drivers/passes.hpp"
#include "duet/sparse.hpp"

namespace {

const std::vector<std::size_t> thread_counts{1, 2, 3, 4, 0, 1000};

// R^n -> R^m, every output depending on every input, nonlinear.
struct dense {
    std::size_t m;
    template <class V>
    V operator()(const V& x) const {
        using T = typename V::value_type;
        using std::cos;
        using std::exp;
        using std::sin;
        V y;
        y.reserve(m);
        for (std::size_t i = 0; i < m; ++i) {
            T s = 0.0;
            for (std::size_t j = 0; j < x.size(); ++j) s += (1.0 + double((i + 2 * j) % 5)) * sin(x[j]) * x[(j + i) % x.size()];
            y.push_back(T(exp(0.1 * s) + cos(x[i % x.size()])));
        }
        return y;
    }
};

// A scalar function with a dense, nonsymmetric-looking (but symmetric) Hessian.
struct scalar_function {
    template <class V>
    typename V::value_type operator()(const V& x) const {
        using T = typename V::value_type;
        using std::log;
        using std::sin;
        T s = 0.0;
        for (std::size_t j = 0; j + 1 < x.size(); ++j) s += sin(x[j] * x[j + 1]) + x[j] * x[j] * x[(3 * j + 1) % x.size()];
        return T(s + log(1.0 + x[0] * x[0]));
    }
};

// A type of its own, so that no earlier call taught automatic its m.
struct wide_first_call {
    template <class V>
    V operator()(const V& x) const {
        return dense{2}(x);
    }
};

std::vector<double> point(std::size_t n) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 0.3 * std::sin(double(i) + 0.5) + 0.1;
    return x;
}

// Bitwise equal: same shape, every element == (no NaN here).
bool same_bits(const xt::xtensor<double, 2>& A, const xt::xtensor<double, 2>& B) {
    if (A.shape(0) != B.shape(0) || A.shape(1) != B.shape(1)) return false;
    for (std::size_t i = 0; i < A.shape(0); ++i)
        for (std::size_t j = 0; j < A.shape(1); ++j)
            if (!(A(i, j) == B(i, j))) return false;
    return true;
}

}  // namespace

TEST_CASE("threads: jacobian on k threads is bitwise the one of 1 thread (forward, reverse, automatic)") {
    // (n, m): forward passes of 8 lanes: ceil(n / 8) = 3, 5, 1, 26, 3;
    // reverse sweeps (one per row: unit rows): m = 13, 5, 7, 3, 41.
    for (const auto& [n, m] :
         std::vector<std::pair<std::size_t, std::size_t>>{{19, 13}, {37, 5}, {6, 7}, {201, 3}, {23, 41}}) {
        const auto x = point(n);
        const dense f{m};
        const auto forward1 = duet::jacobian(duet::forward, f, x);
        const auto reverse1 = duet::jacobian(duet::reverse, f, x);
        const auto automatic1 = duet::jacobian(duet::automatic, f, x);
        REQUIRE(forward1.shape(0) == m);
        REQUIRE(forward1.shape(1) == n);
        CHECK(same_bits(duet::jacobian(duet::forward, f, x, duet::threads{1}), forward1));
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t i = 0; i < m; ++i) CHECK(forward1(i, j) == Approx(reverse1(i, j)).epsilon(1e-13));
        for (std::size_t k : thread_counts) {
            INFO("n = " << n << ", m = " << m << ", threads " << k);
            CHECK(same_bits(duet::jacobian(duet::forward, f, x, duet::threads{k}), forward1));
            CHECK(same_bits(duet::jacobian(duet::reverse, f, x, duet::threads{k}), reverse1));
            CHECK(same_bits(duet::jacobian(duet::automatic, f, x, duet::threads{k}), automatic1));
            CHECK(same_bits(duet::jacobian(f, x, duet::threads{k}), automatic1));
        }
    }
}

TEST_CASE("threads: automatic jacobian with threads on its first call (m learned by recording) is bitwise k = 1") {
    const auto x = point(300);
    const auto J4 = duet::jacobian(duet::automatic, wide_first_call{}, x, duet::threads{4});
    CHECK(same_bits(J4, duet::jacobian(duet::automatic, wide_first_call{}, x)));
    CHECK(same_bits(J4, duet::jacobian(duet::reverse, wide_first_call{}, x)));
}

TEST_CASE("threads: hessian on k threads is bitwise the one of 1 thread (forward, reverse, automatic)") {
    // n = 21: reverse passes of 8 lanes: 3 (8, 8, 5); forward 4-blocks: 6, 21 pairs.
    // n = 10: 2 reverse passes (1 on the calling thread, then 1), 6 forward pairs.
    for (std::size_t n : {21u, 10u, 3u}) {
        const auto x = point(n);
        const scalar_function f;
        const auto reverse1 = duet::hessian(duet::reverse, f, x);
        const auto forward1 = duet::hessian(duet::forward, f, x);
        const auto automatic1 = duet::hessian(f, x);
        CHECK(same_bits(reverse1, automatic1));
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j)
                CHECK(forward1(i, j) == Approx(reverse1(i, j)).epsilon(1e-12).margin(1e-14));
        for (std::size_t k : thread_counts) {
            INFO("n = " << n << ", threads " << k);
            CHECK(same_bits(duet::hessian(duet::reverse, f, x, duet::threads{k}), reverse1));
            CHECK(same_bits(duet::hessian(duet::forward, f, x, duet::threads{k}), forward1));
            CHECK(same_bits(duet::hessian(duet::automatic, f, x, duet::threads{k}), automatic1));
            CHECK(same_bits(duet::hessian(f, x, duet::threads{k}), automatic1));
        }
    }
}

TEST_CASE("threads: std::array arguments and n = 0") {
    const std::array<double, 11> x{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1};
    const auto f = [](const auto& v) {
        using T = typename std::remove_cvref_t<decltype(v)>::value_type;
        std::vector<T> y;
        for (std::size_t i = 0; i + 1 < v.size(); ++i) y.push_back(T(v[i] * v[i + 1]));
        return y;
    };
    CHECK(same_bits(duet::jacobian(duet::forward, f, x, duet::threads{3}), duet::jacobian(duet::forward, f, x)));
    CHECK(same_bits(duet::jacobian(duet::reverse, f, x, duet::threads{3}), duet::jacobian(duet::reverse, f, x)));
    const std::vector<double> empty;
    CHECK(duet::jacobian(duet::forward, f, empty, duet::threads{3}).size() == 0);
    CHECK(duet::jacobian(duet::reverse, f, empty, duet::threads{3}).size() == 0);
}

TEST_CASE("threads: the engine's threaded loops collect each column and row exactly once") {
    using duet::detail::dual_family;
    const auto x = point(29);
    const dense f{11};
    const auto J = duet::jacobian(duet::reverse, f, x);
    for (std::size_t k : {2u, 3u, 7u}) {
        // Forward, unit directions: 29 columns in 8-lane passes (8, 8, 8, 5).
        std::vector<std::atomic<int>> seen(29);
        xt::xtensor<double, 2> out = xt::zeros<double>({std::size_t(11), std::size_t(29)});
        duet::detail::forward_lane_passes<8, dual_family<double>>(
            duet::detail::unit_directions{29},
            [&]<class D>(std::type_identity<D>) {
                std::vector<D> xs;
                for (double v : x) xs.emplace_back(v);
                return xs;
            },
            [&](const auto& xs) { return f(xs); },
            [&]<class D>(std::type_identity<D>, const std::vector<D>& ys, std::size_t first, std::size_t count) {
                for (std::size_t l = 0; l < count; ++l) {
                    seen[first + l].fetch_add(1);
                    for (std::size_t i = 0; i < 11; ++i) out(i, first + l) = ys[i].tangent(l);
                }
            },
            duet::threads{k});
        for (const auto& s : seen) CHECK(s.load() == 1);
        for (std::size_t i = 0; i < 11; ++i)
            for (std::size_t j = 0; j < 29; ++j) CHECK(out(i, j) == Approx(J(i, j)).epsilon(1e-13));

        // Reverse, matrix rows: W (19 x 11) J in 3 sweeps of 8 adjoint lanes,
        // each thread on its own recording.
        struct matrix {
            double operator()(std::size_t r, std::size_t o) const { return double((r + 1) * (o % 4)) - 1.5; }
        } W;
        std::vector<std::atomic<int>> rows_seen(19);
        std::vector<std::vector<double>> rows(19);
        duet::with_workspace_tape<double>([&](duet::tape<double>& t) {
            const auto record = [&](duet::tape<double>& own) { return duet::detail::record_vector_function(own, f, x); };
            const auto recording = record(t);
            duet::detail::reverse_sweeps(
                t, recording.view(), duet::detail::matrix_rows<matrix>{W, 19, 11},
                [&](std::size_t r, std::span<const double> adjoints) {
                    rows_seen[r].fetch_add(1);
                    rows[r].assign(adjoints.begin(), adjoints.end());
                },
                record, duet::threads{k});
        });
        for (std::size_t r = 0; r < 19; ++r) {
            CHECK(rows_seen[r].load() == 1);
            REQUIRE(rows[r].size() == 29);
            for (std::size_t j = 0; j < 29; ++j) {
                double expected = 0;
                for (std::size_t o = 0; o < 11; ++o) expected += W(r, o) * J(o, j);
                CHECK(rows[r][j] == Approx(expected).epsilon(1e-12).margin(1e-13));
            }
        }
    }
}

TEST_CASE("threads: an exception thrown in f on another thread reaches the caller") {
    const auto x = point(40);  // 5 forward passes of 8 lanes
    std::atomic<int> calls{0};
    // Throws from its second call on: in forward mode the first pass runs
    // alone on the calling thread, the others on threads; in reverse the
    // other threads' recordings are calls 1, 2, ...
    const auto f = [&](const auto& v) {
        if (calls.fetch_add(1) >= 1) throw std::runtime_error("f failed on call " + std::to_string(calls.load()));
        return dense{6}(v);
    };
    for (std::size_t k : {2u, 3u, 4u}) {
        calls = 0;
        CHECK_THROWS_WITH(duet::jacobian(duet::forward, f, x, duet::threads{k}), Catch::StartsWith("f failed on call"));
        calls = 0;
        CHECK_THROWS_WITH(duet::jacobian(duet::reverse, f, x, duet::threads{k}), Catch::StartsWith("f failed on call"));
    }
    // The first call throws: the calling thread's own pass, before any thread.
    calls = 1;
    CHECK_THROWS_AS(duet::jacobian(duet::forward, f, x, duet::threads{4}), std::runtime_error);
    // The drivers still work afterwards (the workspaces were released).
    calls = -1000;
    CHECK(same_bits(duet::jacobian(duet::reverse, f, x, duet::threads{3}), duet::jacobian(duet::reverse, dense{6}, x)));

    const auto g = [&](const auto& v) {
        if (calls.fetch_add(1) >= 1) throw std::runtime_error("g failed");
        return scalar_function{}(v);
    };
    calls = 0;
    CHECK_THROWS_WITH(duet::hessian(duet::reverse, g, x, duet::threads{3}), "g failed");
    calls = 0;
    CHECK_THROWS_WITH(duet::hessian(duet::forward, g, x, duet::threads{3}), "g failed");
}

TEST_CASE("threads: an f whose recordings differ between threads is reported") {
    std::atomic<int> calls{0};
    // One output more on every call after the first: the other threads'
    // recordings do not match the calling thread's.
    const auto f = [&](const auto& v) {
        return dense{std::size_t(3 + calls.fetch_add(1))}(v);
    };
    const auto x = point(12);
    CHECK_THROWS_AS(duet::jacobian(duet::reverse, f, x, duet::threads{2}), std::logic_error);
    calls = 0;
    CHECK_THROWS_AS(duet::jacobian(duet::forward, f, point(30), duet::threads{2}), std::logic_error);
}

namespace {

// y_i = sum over |j - i| <= 10 of sin(x_j) x_i: 21 column colours (three
// 8-lane forward passes), 21 row colours (sweeps).
struct banded {
    template <class V>
    V operator()(const V& x) const {
        using T = typename V::value_type;
        using std::sin;
        V y;
        for (std::size_t i = 0; i < x.size(); ++i) {
            T s = 0.0;
            for (std::size_t j = i < 10 ? 0 : i - 10; j <= i + 10 && j < x.size(); ++j) s += sin(x[j]) * x[i];
            y.push_back(s);
        }
        return y;
    }
};

struct banded_squares {
    template <class V>
    typename V::value_type operator()(const V& x) const {
        typename V::value_type s = 0.0;
        for (const auto& yi : banded{}(x)) s += yi * yi;
        return s;
    }
};

bool same_bits(const duet::sparse_matrix<double>& a, const duet::sparse_matrix<double>& b) {
    if (!(a.pattern() == b.pattern())) return false;
    for (std::size_t k = 0; k < a.nonzeros(); ++k)
        if (!(a.values()[k] == b.values()[k])) return false;
    return true;
}

}  // namespace

TEST_CASE("threads: sparse Jacobians and Hessians on k threads, a plan called from two threads at once") {
    const auto x = point(120);
    const auto forward1 = duet::sparse_jacobian(duet::forward, banded{}, x);
    const auto reverse1 = duet::sparse_jacobian(duet::reverse, banded{}, x);
    REQUIRE(forward1.colors() == 21);
    const auto H1 = duet::sparse_hessian(banded_squares{}, point(50));
    REQUIRE(H1.colors() > 16);
    for (std::size_t k : {2u, 3u}) {
        INFO("threads " << k);
        CHECK(same_bits(duet::sparse_jacobian(duet::forward, banded{}, x, duet::threads{k}), forward1));
        CHECK(same_bits(duet::sparse_jacobian(duet::reverse, banded{}, x, duet::threads{k}), reverse1));
        CHECK(same_bits(duet::sparse_hessian(banded_squares{}, point(50), duet::threads{k}), H1));
    }
    const auto plan = duet::sparse_jacobian_plan(duet::forward, banded{}, x);
    const auto hplan = duet::sparse_hessian_plan(banded_squares{}, point(50));
    duet::sparse_matrix<double> J[2], H[2];
    {
        std::thread other([&] {
            J[1] = plan(x);
            H[1] = hplan(point(50));
        });
        J[0] = plan(x, duet::threads{2});
        H[0] = hplan(point(50));
        other.join();
    }
    for (int i = 0; i < 2; ++i) {
        CHECK(same_bits(J[i], forward1));
        CHECK(same_bits(H[i], H1));
    }
}
