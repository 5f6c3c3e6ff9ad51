// Tests for duet/chain/chain_order.hpp: the dynamic programme against brute
// force, the textbook example, the q = 1 chain A(BC), compile-time plans,
// errors.
#include <duet/chain/chain_order.hpp>

#include <catch2/catch.hpp>

#include <boost/hana/integral_constant.hpp>
#include <boost/hana/tuple.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace {

namespace hana = boost::hana;

// ---- an independent model of bracketings -----------------------------------

/// Multiply-adds of every bracketing of matrices first..last (matrix i is
/// dims[i] x dims[i+1]), by explicit enumeration of all binary trees.
std::vector<std::uint64_t> all_bracketing_costs(const std::vector<std::size_t>& dims, std::size_t first,
                                                std::size_t last) {
    if (first == last) return {0};
    std::vector<std::uint64_t> costs;
    for (std::size_t s = first; s < last; ++s) {
        const std::uint64_t root = std::uint64_t{dims[first]} * dims[s + 1] * dims[last + 1];
        for (std::uint64_t left : all_bracketing_costs(dims, first, s))
            for (std::uint64_t right : all_bracketing_costs(dims, s + 1, last)) costs.push_back(left + right + root);
    }
    return costs;
}

std::uint64_t catalan(std::size_t n) {
    std::uint64_t c = 1;
    for (std::size_t i = 0; i < n; ++i) c = c * 2 * (2 * i + 1) / (i + 2);
    return c;
}

/// Cost of the tree the plan describes, recomputed from split() alone.
template <class Plan>
std::uint64_t tree_cost(const Plan& plan, std::size_t first, std::size_t last) {
    if (first == last) return 0;
    const std::size_t s = plan.split(first, last);
    REQUIRE(first <= s);
    REQUIRE(s < last);
    const auto d = plan.dims();
    return tree_cost(plan, first, s) + tree_cost(plan, s + 1, last) + std::uint64_t{d[first]} * d[s + 1] * d[last + 1];
}

/// The bracketing text rebuilt from split() (letters; chains of <= 26).
template <class Plan>
std::string tree_text(const Plan& plan, std::size_t first, std::size_t last) {
    if (first == last) return std::string(1, static_cast<char>('A' + first));
    const std::size_t s = plan.split(first, last);
    std::string text = "(";
    text += tree_text(plan, first, s);
    text += tree_text(plan, s + 1, last);
    text += ')';
    return text;
}

std::uint64_t left_to_right(const std::vector<std::size_t>& d) {
    std::uint64_t c = 0;
    for (std::size_t i = 1; i + 1 < d.size(); ++i) c += std::uint64_t{d[0]} * d[i] * d[i + 1];
    return c;
}

std::uint64_t right_to_left(const std::vector<std::size_t>& d) {
    std::uint64_t c = 0;
    const std::size_t k = d.size() - 1;
    for (std::size_t i = 0; i + 1 < k; ++i) c += std::uint64_t{d[i]} * d[i + 1] * d[k];
    return c;
}

/// Shape and cost of a partial product, for plan.evaluate.
struct partial {
    std::size_t rows, cols;
    std::uint64_t cost;
};

/// Deterministic across standard libraries (no std::uniform_int_distribution).
std::size_t draw(std::mt19937_64& rng, std::size_t lo, std::size_t hi) { return lo + rng() % (hi - lo + 1); }

template <class T>
concept plannable = requires(T dims) { duet::chain_order(dims); };

}  // namespace

TEST_CASE("chain_order matches brute force on 1000 random chains", "[chain][chain_order]") {
    std::mt19937_64 rng(20240607);
    std::size_t chains_with_strict_winner = 0;
    for (int trial = 0; trial < 1000; ++trial) {
        const std::size_t k = draw(rng, 1, 8);
        std::vector<std::size_t> dims(k + 1);
        for (auto& d : dims) d = draw(rng, 1, 50);
        CAPTURE(dims);

        const duet::chain_plan plan = duet::chain_order(dims);
        const std::vector<std::uint64_t> costs = all_bracketing_costs(dims, 0, k - 1);
        REQUIRE(costs.size() == catalan(k - 1));
        const std::uint64_t brute_min = *std::min_element(costs.begin(), costs.end());

        REQUIRE(plan.size() == k);
        REQUIRE(plan.cost == brute_min);
        REQUIRE(tree_cost(plan, 0, k - 1) == plan.cost);
        REQUIRE(plan.left_to_right_cost == left_to_right(dims));
        REQUIRE(plan.right_to_left_cost == right_to_left(dims));
        REQUIRE(plan.str() == tree_text(plan, 0, k - 1));
        REQUIRE(std::vector<std::size_t>(plan.dims().begin(), plan.dims().end()) == dims);
        REQUIRE(plan.rows() == dims.front());
        REQUIRE(plan.cols() == dims.back());

        const partial whole = plan.evaluate(
            [&](std::size_t i) { return partial{dims[i], dims[i + 1], 0}; },
            [](const partial& l, const partial& r) {
                REQUIRE(l.cols == r.rows);
                return partial{l.rows, r.cols, l.cost + r.cost + std::uint64_t{l.rows} * l.cols * r.cols};
            });
        REQUIRE(whole.rows == dims.front());
        REQUIRE(whole.cols == dims.back());
        REQUIRE(whole.cost == plan.cost);

        if (std::count(costs.begin(), costs.end(), brute_min) == 1) ++chains_with_strict_winner;
    }
    // The sample is not degenerate: most chains have one strictly cheapest order.
    REQUIRE(chains_with_strict_winner > 500);
}

TEST_CASE("run-time and static plans agree", "[chain][chain_order]") {
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 100; ++trial) {
        std::array<std::size_t, 7> dims{};
        for (auto& d : dims) d = draw(rng, 1, 1000);
        const duet::static_chain_plan<6> fixed = duet::chain_order(dims);
        const duet::chain_plan dynamic = duet::chain_order(std::span<const std::size_t>(dims));
        const duet::chain_plan converted = fixed;
        REQUIRE(fixed.cost == dynamic.cost);
        REQUIRE(fixed.str() == dynamic.str());
        REQUIRE(converted.str() == dynamic.str());
        REQUIRE(fixed.left_to_right_cost == dynamic.left_to_right_cost);
        REQUIRE(fixed.right_to_left_cost == dynamic.right_to_left_cost);
        for (std::size_t i = 0; i < 6; ++i)
            for (std::size_t j = i + 1; j < 6; ++j) REQUIRE(fixed.split(i, j) == dynamic.split(i, j));
    }
}

TEST_CASE("textbook chain 30x35 35x15 15x5 5x10 10x20 20x25", "[chain][chain_order]") {
    const auto plan = duet::chain_order({30, 35, 15, 5, 10, 20, 25});
    static_assert(std::is_same_v<std::remove_const_t<decltype(plan)>, duet::chain_plan>);
    CHECK(plan.size() == 6);
    CHECK(plan.cost == 15125);
    CHECK(plan.str() == "((A(BC))((DE)F))");
    CHECK(plan.left_to_right_cost == 40500);   // ((((AB)C)D)E)F
    CHECK(plan.right_to_left_cost == 47500);   // A(B(C(D(EF))))
    CHECK(plan.split(0, 5) == 2);
    CHECK(plan.split(0, 2) == 0);
    CHECK(plan.split(1, 2) == 1);
    CHECK(plan.split(3, 5) == 4);
    CHECK(plan.split(3, 4) == 3);

    // Every accepted kind of range gives the same plan.
    CHECK(duet::chain_order(std::vector<std::size_t>{30, 35, 15, 5, 10, 20, 25}).str() == plan.str());
    CHECK(duet::chain_order(std::vector<int>{30, 35, 15, 5, 10, 20, 25}).cost == 15125);
    const long long raw[] = {30, 35, 15, 5, 10, 20, 25};
    CHECK(duet::chain_order(raw).cost == 15125);
    CHECK(duet::chain_order(std::array{30, 35, 15, 5, 10, 20, 25}).str() == plan.str());
}

TEST_CASE("a chain ending in a column, A (m x n) B (n x p) C (p x 1), is planned as A(BC)", "[chain][chain_order]") {
    const auto plan = duet::chain_order({1000, 1000, 1000, 1});
    CHECK(plan.str() == "(A(BC))");
    CHECK(plan.cost == 2'000'000);                       // np + mn
    CHECK(plan.left_to_right_cost == 1'001'000'000);     // mnp + mp
    CHECK(plan.right_to_left_cost == plan.cost);
    // For q = 1, A(BC) is never worse when m, p >= 2.
    for (std::size_t m = 2; m <= 12; ++m)
        for (std::size_t n = 1; n <= 12; ++n)
            for (std::size_t p = 2; p <= 12; ++p) {
                const auto abc = duet::chain_order({m, n, p, 1});
                CAPTURE(m, n, p);
                CHECK(abc.str() == "(A(BC))");
                CHECK(abc.cost == n * p + m * n);
            }
}

TEST_CASE("small chains and edge cases", "[chain][chain_order]") {
    SECTION("one matrix") {
        const auto plan = duet::chain_order({4, 7});
        CHECK(plan.size() == 1);
        CHECK(plan.cost == 0);
        CHECK(plan.left_to_right_cost == 0);
        CHECK(plan.right_to_left_cost == 0);
        CHECK(plan.str() == "A");
        CHECK(plan.evaluate([](std::size_t i) { return i + 10; }, [](std::size_t, std::size_t) { return 0; }) == 10);
    }
    SECTION("two matrices") {
        const auto plan = duet::chain_order({2, 3, 4});
        CHECK(plan.cost == 24);
        CHECK(plan.str() == "(AB)");
    }
    SECTION("equal costs keep the smaller split") {
        // Square chains: every bracketing costs the same; the leftmost split wins.
        CHECK(duet::chain_order({5, 5, 5, 5}).str() == "(A(BC))");
        CHECK(duet::chain_order({5, 5, 5, 5}).cost == 250);
    }
    SECTION("zero sizes are legal and cost nothing to multiply through") {
        const auto plan = duet::chain_order({10, 0, 10, 10});
        CHECK(plan.cost == 0);
        CHECK(plan.str() == "(A(BC))");
        CHECK(plan.left_to_right_cost == 1000);
        CHECK(duet::chain_order({0, 0}).str() == "A");
        CHECK(duet::chain_order({0, 0, 0, 0}).cost == 0);
    }
    SECTION("more than 26 matrices are named M1 .. Mk") {
        std::vector<std::size_t> dims(28, 2);
        dims[0] = 100;  // a wide first matrix: multiply everything else first
        const auto plan = duet::chain_order(dims);
        CHECK(plan.size() == 27);
        std::string expected = "M27";
        for (int i = 26; i >= 1; --i) {
            std::string wrapped = "(M";
            wrapped += std::to_string(i);
            wrapped += expected;
            wrapped += ')';
            expected = wrapped;
        }
        CHECK(plan.str() == expected);
    }
    SECTION("costs saturate instead of wrapping") {
        const std::size_t big = std::size_t{1} << 30;
        const auto plan = duet::chain_order({big, big, big});
        CHECK(plan.cost == std::numeric_limits<std::uint64_t>::max());
        CHECK(plan.left_to_right_cost == std::numeric_limits<std::uint64_t>::max());
        CHECK(duet::chain_order({big, big, 1}).cost == big * big);
        // A saturated candidate never hides a finite one: (AB)C = 2^60 + 2^60.
        const auto mixed = duet::chain_order({big, big, 1, big});
        CHECK(mixed.cost == 2 * big * big);
        CHECK(mixed.str() == "((AB)C)");
        CHECK(mixed.right_to_left_cost == std::numeric_limits<std::uint64_t>::max());
    }
}

TEST_CASE("plans for compile-time sizes are computed at compile time", "[chain][chain_order]") {
    constexpr auto from_dims = duet::chain_order(duet::dims<30, 35, 15, 5, 10, 20, 25>{});
    static_assert(std::is_same_v<std::remove_const_t<decltype(from_dims)>, duet::static_chain_plan<6>>);
    static_assert(from_dims.cost == 15125);
    static_assert(from_dims.left_to_right_cost == 40500);
    static_assert(from_dims.right_to_left_cost == 47500);
    static_assert(from_dims.str_view() == "((A(BC))((DE)F))");
    static_assert(from_dims.split(0, 5) == 2 && from_dims.split(3, 5) == 4);
    static_assert(from_dims.size() == 6 && from_dims.rows() == 30 && from_dims.cols() == 25);

    constexpr auto from_hana = duet::chain_order(hana::make_tuple(
        hana::size_c<30>, hana::size_c<35>, hana::size_c<15>, hana::size_c<5>, hana::size_c<10>,
        std::integral_constant<std::size_t, 20>{}, std::integral_constant<int, 25>{}));
    static_assert(from_hana.cost == 15125);
    static_assert(from_hana.str_view() == "((A(BC))((DE)F))");

    // The tuple need not be a constant: its element types carry the sizes.
    const auto sizes = hana::make_tuple(hana::size_c<1000>, hana::size_c<1000>, hana::size_c<1000>, hana::size_c<1>);
    constexpr auto abc = duet::chain_order(sizes);
    static_assert(abc.str_view() == "(A(BC))" && abc.cost == 2'000'000);

    constexpr auto from_array = duet::chain_order(std::array<std::size_t, 4>{1000, 1000, 1000, 1});
    static_assert(from_array.str_view() == "(A(BC))");

    static_assert(duet::chain_order_v<4, 7>.str_view() == "A" && duet::chain_order_v<4, 7>.cost == 0);
    static_assert(duet::chain_order(std::integer_sequence<int, 2, 3, 4>{}).cost == 24);

    constexpr auto flops = from_dims.evaluate([](std::size_t) { return std::uint64_t{0}; },
                                              [](std::uint64_t l, std::uint64_t r) { return l + r + 1; });
    static_assert(flops == 5);  // k - 1 products

    // Run-time values in a hana tuple give the same plan, computed at run time.
    const auto mixed = duet::chain_order(hana::make_tuple(30, std::size_t{35}, hana::size_c<15>, 5, 10, 20, 25));
    CHECK(mixed.str() == "((A(BC))((DE)F))");

    CHECK(from_dims.str() == "((A(BC))((DE)F))");
    const duet::chain_plan at_run_time = from_dims;
    CHECK(at_run_time.cost == 15125);
}

TEST_CASE("chain_order rejects bad sizes", "[chain][chain_order]") {
    using Catch::Matchers::Contains;
    CHECK_THROWS_AS(duet::chain_order(std::vector<std::size_t>{}), std::invalid_argument);
    CHECK_THROWS_WITH(duet::chain_order({}), Contains("needs k + 1 sizes") && Contains("got 0 sizes"));
    CHECK_THROWS_WITH(duet::chain_order({5}), Contains("got 1 size"));
    CHECK_THROWS_AS(duet::chain_order({5}), std::invalid_argument);
    CHECK_THROWS_AS(duet::chain_order(std::vector<int>{3, -2, 4}), std::invalid_argument);
    CHECK_THROWS_WITH(duet::chain_order(std::vector<int>{3, -2, 4}), Contains("size 1 is -2"));
    CHECK_THROWS_AS(duet::chain_order(std::array{3, 4, -1}), std::invalid_argument);

    const auto plan = duet::chain_order({2, 3, 4, 5});
    CHECK_THROWS_AS(plan.split(1, 1), std::out_of_range);
    CHECK_THROWS_AS(plan.split(2, 1), std::out_of_range);
    CHECK_THROWS_AS(plan.split(0, 3), std::out_of_range);

    // Not sizes: rejected at compile time.
    static_assert(plannable<std::vector<std::size_t>>);
    static_assert(!plannable<std::vector<double>>);
    static_assert(!plannable<std::vector<bool>>);
    static_assert(!plannable<std::string_view>);
    static_assert(!plannable<decltype(hana::make_tuple(hana::size_c<3>, 4.0))>);
}
