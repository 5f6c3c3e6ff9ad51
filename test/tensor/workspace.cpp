// The tensor workspace (tensor/workspace.hpp): repeated driver calls reuse
// the storage of node values, adjoints and temporaries.
//
//   * repeated calls give bitwise identical results (recycled buffers hold
//     stale values: a rule that read storage before writing it would differ);
//   * different shapes in succession, interleaved functions, nested calls (a
//     gradient inside the function being differentiated), two evaluated
//     caches alive at once, other threads, release inside a driver;
//   * allocations per call, counted by the operator new below: after the
//     first call a gradient allocates only the tensors it returns (and the
//     8-byte rank-0 constants the function builds). This is the claim that
//     fixes the "tensor cliff" of doc/performance.md; it fails if a change
//     brings a per-call allocation back.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>
#include <vector>

#include "support.hpp"

// ---- allocation counter (this test program only) ----------------------------
// AddressSanitizer owns operator new/delete: no counting in such builds.
#include "../support/allocation_counting.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0}, large_allocations{0};
}  // namespace

#if DUET_COUNT_ALLOCATIONS
#if defined(__GNUC__) && !defined(__clang__)
// GCC sees the malloc/free pair through the inlined replacement operators.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
    if (counting.load(std::memory_order_relaxed)) {
        allocations.fetch_add(1, std::memory_order_relaxed);
        if (n > 4096) large_allocations.fetch_add(1, std::memory_order_relaxed);
    }
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

using namespace duet_test;

namespace {

struct allocation_count {
    std::size_t all, large;
};

// Allocations per call of `call` in the steady state: the workspace is
// emptied (buffers left by other tests would otherwise serve a few calls),
// three warm-up calls, then the mean over ten calls (rounded up).
template <class Call>
allocation_count allocations_per_call(Call&& call) {
    duet::release_tensor_workspace();
    for (int i = 0; i < 3; ++i) call();
    allocations = 0;
    large_allocations = 0;
    counting = true;
    for (int i = 0; i < 10; ++i) call();
    counting = false;
    return {(allocations + 9) / 10, (large_allocations + 9) / 10};
}

template <std::size_t K>
bool bitwise_equal(const tensor<K>& a, const tensor<K>& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

tensor<1> vector_of(std::size_t n, double phase) {
    auto x = tensor<1>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) x(i) = 1.0 + 0.01 * std::sin(0.37 * double(i) + phase);
    return x;
}

struct normal_log_pdf {
    double c = 0;
    auto operator()(const auto& x) const { return -0.5 * duet::sum(duet::square((x - -0.56) / 1.37)) - c; }
};
auto squares = [](const auto& x, const auto& y) { return duet::sum(duet::square(x - y)); };
auto lse_prod = [](const auto& x) { return duet::log_sum_exp(x) + duet::prod(x) + duet::amax(x); };
auto matrix = [](const auto& A, const auto& B) { return duet::sum(duet::tanh(duet::matmul(A, B))); };

}  // namespace

TEST_CASE("repeated tensor gradients are bitwise identical, over shapes and functions") {
    std::mt19937 rng(7);
    const auto A = random_tensor<2>(rng, {40, 30});
    const auto B = random_tensor<2>(rng, {30, 20});
    std::vector<std::size_t> sizes = {1000, 5000, 70000, 1000, 70000, 17};
    std::vector<tensor<1>> first;
    for (std::size_t n : sizes) first.push_back(duet::gradient(normal_log_pdf{1.0}, vector_of(n, 0.1)));
    const auto [gA0, gB0] = duet::gradient(matrix, A, B);
    const auto gl0 = duet::gradient(lse_prod, vector_of(5000, 0.3));
    for (int round = 0; round < 3; ++round) {
        for (std::size_t k = 0; k < sizes.size(); ++k) {
            CHECK(bitwise_equal(duet::gradient(normal_log_pdf{1.0}, vector_of(sizes[k], 0.1)), first[k]));
            const auto [gA, gB] = duet::gradient(matrix, A, B);  // interleaved
            CHECK(bitwise_equal(gA, gA0));
            CHECK(bitwise_equal(gB, gB0));
            CHECK(bitwise_equal(duet::gradient(lse_prod, vector_of(5000, 0.3)), gl0));
        }
    }
    // the values against the closed form
    const auto x = vector_of(5000, 0.1);
    const auto g = duet::gradient(normal_log_pdf{1.0}, x);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(g(i) == Approx(-(x(i) + 0.56) / (1.37 * 1.37)).epsilon(1e-14));
}

TEST_CASE("Jacobian, vjp, jvp and forward gradients repeat bitwise") {
    std::mt19937 rng(3);
    const auto W = random_tensor<2>(rng, {6, 5});
    const auto x = random_tensor<1>(rng, {5});
    auto layer = [&W](const auto& v) { return duet::sigmoid(duet::matmul(W, v)); };
    const auto w = random_tensor<1>(rng, {6});
    const auto J0 = duet::jacobian(duet::reverse, layer, x);
    const auto Jf0 = duet::jacobian(duet::forward, layer, x);
    const auto v0 = duet::vjp(layer, x, w);
    const auto t0 = duet::jvp(layer, x, x);
    const auto gf0 = duet::gradient(duet::forward, lse_prod, vector_of(100, 0.2));
    for (int i = 0; i < 3; ++i) {
        CHECK(bitwise_equal(duet::jacobian(duet::reverse, layer, x), J0));
        CHECK(bitwise_equal(duet::jacobian(duet::forward, layer, x), Jf0));
        CHECK(bitwise_equal(duet::vjp(layer, x, w), v0));
        CHECK(bitwise_equal(duet::jvp(layer, x, x), t0));
        CHECK(bitwise_equal(duet::gradient(duet::forward, lse_prod, vector_of(100, 0.2)), gf0));
    }
}

TEST_CASE("nested gradients and two caches alive at once") {
    const auto x = vector_of(3000, 0.2), y = vector_of(3000, 0.9);
    const tensor<1> yh = y * 0.5;
    const auto plain_inner = duet::gradient(normal_log_pdf{0.0}, y);
    // The function being differentiated runs a tensor gradient itself (a
    // constant for the outer one), and frees the workspace in between.
    auto outer = [&y, &yh](const auto& v) {
        const auto inner = duet::gradient(normal_log_pdf{0.0}, y);
        duet::release_tensor_workspace();
        const auto inner2 = duet::gradient(squares, y, yh);
        return duet::sum(duet::square(v) * inner) + duet::sum(v * std::get<0>(inner2));
    };
    const auto [gy0, gz0] = duet::gradient(squares, y, yh);
    for (int i = 0; i < 3; ++i) {
        const auto g = duet::gradient(outer, x);
        for (std::size_t k = 0; k < x.size(); ++k) REQUIRE(g(k) == 2 * x(k) * plain_inner(k) + gy0(k));
    }
    // two evaluated caches of the same shapes alive together: each owns its
    // storage, whatever the workspace holds
    duet::tensor_var<1, 0> vx{&x};
    duet::tensor_var<1, 0> vy{&y};
    const auto ex = duet::square(vx) + 1.0;
    const auto ey = duet::square(vy) + 2.0;
    {
        const auto warm = duet::evaluate(ex);
    }
    const auto cx = duet::evaluate(ex);
    const auto cy = duet::evaluate(ey);
    for (std::size_t k = 0; k < x.size(); ++k) {
        REQUIRE(cx.value()(k) == x(k) * x(k) + 1.0);
        REQUIRE(cy.value()(k) == y(k) * y(k) + 2.0);
    }
    CHECK(cx.value().data() != cy.value().data());
}

TEST_CASE("threads each use their own workspace") {
    const auto x = vector_of(20000, 0.4);
    const auto expected = duet::gradient(normal_log_pdf{2.0}, x);
    std::atomic<int> mismatches{0};
    auto work = [&] {
        for (int i = 0; i < 20; ++i)
            if (!bitwise_equal(duet::gradient(normal_log_pdf{2.0}, x), expected)) ++mismatches;
    };
    std::thread a(work), b(work);
    work();
    a.join();
    b.join();
    CHECK(mismatches == 0);
}

TEST_CASE("the workspace holds memory until released; old shapes age out") {
    duet::release_tensor_workspace();
    CHECK(duet::tensor_workspace_memory() == 0);
    (void)duet::gradient(normal_log_pdf{1.0}, vector_of(10000, 0.1));
    // its sum is fused (tensor/fused_sum.hpp): one buffer of the elements'
    // values, not one per elementwise node
    CHECK(duet::tensor_workspace_memory() >= 10000 * sizeof(double));
    // calls on other shapes: after a few, the 10000-element buffers are freed
    for (int i = 0; i < 8; ++i) (void)duet::gradient(normal_log_pdf{1.0}, vector_of(100, 0.1));
    CHECK(duet::tensor_workspace_memory() < 10000 * sizeof(double));
    duet::release_tensor_workspace();
    CHECK(duet::tensor_workspace_memory() == 0);
}

TEST_CASE("after the first call a tensor gradient allocates only what it returns") {
    if (!DUET_COUNT_ALLOCATIONS) return;  // sanitizer build: allocations are not counted
    // normal_log_pdf: the gradient (one large allocation) and the four
    // rank-0 constants the function builds (-0.56, 1.37, -0.5, c)
    for (std::size_t n : {1024, 4096, 16384, 65536}) {
        const auto x = vector_of(n, 0.1);
        const auto count = allocations_per_call([&] { (void)duet::value_and_gradient(normal_log_pdf{1.0}, x); });
        INFO("n = " << n << ": " << count.all << " allocations per call, " << count.large << " above 4 KiB");
        CHECK(count.large == 1);
        CHECK(count.all <= 5);
    }
    // no constants: exactly the two returned gradients
    const auto x = vector_of(50000, 0.1), y = vector_of(50000, 0.7);
    const auto two = allocations_per_call([&] { (void)duet::gradient(squares, x, y); });
    CHECK(two.all == 2);
    CHECK(two.large == 2);
    // reductions with scratch (prod's suffix products), log_sum_exp, amax
    const auto one = allocations_per_call([&] { (void)duet::gradient(lse_prod, x); });
    CHECK(one.all == 1);
    // matrix products through BLAS
    std::mt19937 rng(5);
    const auto A = random_tensor<2>(rng, {200, 100});
    const auto B = random_tensor<2>(rng, {100, 150});
    const auto mm = allocations_per_call([&] { (void)duet::gradient(matrix, A, B); });
    CHECK(mm.all == 2);
    CHECK(mm.large == 2);
    // reverse Jacobian and vjp: the result only
    auto layer = [](const auto& v) { return duet::tanh(v * 2.0); };
    const auto v = vector_of(2000, 0.3);
    const auto vj = allocations_per_call([&] { (void)duet::vjp(layer, v, v); });
    CHECK(vj.large == 1);
    const auto small = vector_of(600, 0.3);
    const auto jac = allocations_per_call([&] { (void)duet::jacobian(duet::reverse, layer, small); });
    CHECK(jac.large == 1);
}
