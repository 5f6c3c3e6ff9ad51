// duet/tensor/chain_plan.hpp -- the matrix-chain order planner without
// Boost.Hana: plan types (chain_plan, static_chain_plan<K>), the dynamic
// programme, and chain_order for ranges, braced lists, std::array and
// std::integer_sequence. duet/chain/chain_order.hpp adds hana tuples and
// documents the whole planner; this part is what duet::multi_dot
// (duet/tensor/multi_dot.hpp) needs, so the tensor component needs no Hana.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/core/error.hpp"

namespace duet {

/// Number of scalar multiply-adds. Saturates at its maximum.
using chain_cost = std::uint64_t;

namespace chain_detail {

static_assert(sizeof(std::size_t) <= sizeof(chain_cost),
              "duet: a matrix size must fit into a chain_cost");

inline constexpr chain_cost saturated_chain_cost = std::numeric_limits<chain_cost>::max();

constexpr chain_cost saturating_add(chain_cost a, chain_cost b) noexcept {
    return a > saturated_chain_cost - b ? saturated_chain_cost : a + b;
}

constexpr chain_cost saturating_multiply(chain_cost a, chain_cost b) noexcept {
    if (a == 0 || b == 0) return 0;
    return a > saturated_chain_cost / b ? saturated_chain_cost : a * b;
}

/// Multiply-adds of one (m x n) times (n x p) product.
constexpr chain_cost product_cost(std::size_t m, std::size_t n, std::size_t p) noexcept {
    return saturating_multiply(saturating_multiply(m, n), p);
}

// The throw helpers are not constexpr on purpose: reaching one during
// constant evaluation is a compile error whose text names the problem.
[[noreturn]] inline void throw_too_few_chain_dims(std::size_t count) {
    detail::throw_invalid_argument("chain_order",
                                   "a chain of k matrices needs k + 1 sizes (matrix i is dims[i] x dims[i+1]); got ",
                                   count, count == 1 ? " size" : " sizes");
}

[[noreturn]] inline void throw_negative_chain_dim(std::size_t position, long long value) {
    detail::throw_invalid_argument("chain_order", "size ", position, " is ", value,
                                   "; matrix sizes cannot be negative");
}

[[noreturn]] inline void throw_huge_chain_dim(std::size_t position) {
    detail::throw_invalid_argument("chain_order", "size ", position, " does not fit into std::size_t");
}

[[noreturn]] inline void throw_static_chain_length(std::size_t expected, std::size_t got) {
    detail::throw_invalid_argument("chain_order", "this plan holds a chain of ", expected, " matrices (",
                                   expected + 1, " sizes) but got ", got, " sizes");
}

[[noreturn]] inline void throw_bad_split_range(std::size_t first, std::size_t last, std::size_t size) {
    detail::throw_out_of_range("chain_plan::split", "arguments (", first, ", ", last, ") need first < last < size() = ",
                               size);
}

/// An integer type usable as a matrix size: not bool, not a character type.
template <class T>
concept dimension_integer =
    std::integral<T> && !std::same_as<std::remove_cv_t<T>, bool> && !std::same_as<std::remove_cv_t<T>, char> &&
    !std::same_as<std::remove_cv_t<T>, wchar_t> && !std::same_as<std::remove_cv_t<T>, char8_t> &&
    !std::same_as<std::remove_cv_t<T>, char16_t> && !std::same_as<std::remove_cv_t<T>, char32_t>;

/// A type that carries a matrix size in its static `value`, such as
/// std::integral_constant<std::size_t, 30> or boost::hana::size_c<30>.
template <class T>
concept static_dimension = requires {
    requires dimension_integer<std::remove_cv_t<decltype(std::remove_cvref_t<T>::value)>>;
    // `value` must be a constant expression:
    typename std::integral_constant<std::remove_cv_t<decltype(std::remove_cvref_t<T>::value)>,
                                    std::remove_cvref_t<T>::value>;
};

/// Checked conversion of one user-supplied size (position counts from 0).
template <dimension_integer I>
constexpr std::size_t to_dimension(I value, std::size_t position) {
    if (std::cmp_less(value, 0)) throw_negative_chain_dim(position, static_cast<long long>(value));
    if (std::cmp_greater(value, std::numeric_limits<std::size_t>::max())) throw_huge_chain_dim(position);
    return static_cast<std::size_t>(value);
}

template <static_dimension D>
constexpr std::size_t to_dimension(const D&, std::size_t position) {
    return to_dimension(std::remove_cvref_t<D>::value, position);
}

/// Characters needed to print the bracketing of a k-matrix chain.
constexpr std::size_t chain_text_capacity(std::size_t k) noexcept {
    std::size_t name_length = 1;  // "A" .. "Z"
    if (k > 26) {
        name_length = 2;  // "M" and at least one digit
        for (std::size_t rest = k; rest >= 10; rest /= 10) ++name_length;
    }
    return k * name_length + 2 * (k - 1);
}

/// A string of at most N characters that works in constant expressions.
template <std::size_t N>
struct fixed_text {
    std::array<char, N> chars{};
    std::size_t length = 0;

    constexpr void push_back(char c) { chars[length++] = c; }
    constexpr std::string_view view() const noexcept { return {chars.data(), length}; }
};

/// Tables of a plan for exactly K matrices: std::array, constexpr-friendly.
template <std::size_t K>
struct chain_storage {
    static_assert(K >= 1, "duet: duet::static_chain_plan<K> needs K >= 1; a chain holds at least one matrix");

    std::array<std::size_t, K + 1> dims{};
    std::array<std::size_t, K * K> splits{};  // splits[first * K + last], first < last
    fixed_text<chain_text_capacity(K)> text{};

    constexpr void resize(std::size_t k) {
        if (k != K) throw_static_chain_length(K, k + 1);
    }
    static constexpr auto make_cost_table(std::size_t) { return std::array<chain_cost, K * K>{}; }
    constexpr std::string_view text_view() const noexcept { return text.view(); }
};

/// Tables of a plan whose length is known only at run time.
template <>
struct chain_storage<std::dynamic_extent> {
    std::vector<std::size_t> dims;
    std::vector<std::size_t> splits;  // splits[first * k + last], first < last
    std::string text;

    void resize(std::size_t k) {
        dims.assign(k + 1, 0);
        splits.assign(k * k, 0);
        text.reserve(chain_text_capacity(k));
    }
    static auto make_cost_table(std::size_t k) { return std::vector<chain_cost>(k * k); }
    std::string_view text_view() const noexcept { return text; }
};

/// The dynamic programme shared by all plans.
/// On return, for every 0 <= first < last < k, matrices first..last are
/// multiplied cheapest as (first..s)(s+1..last) with s = splits[first*k + last],
/// and best[first*k + last] is that cheapest cost. Returns best[0*k + k-1].
template <class Dims, class CostTable, class SplitTable>
constexpr chain_cost solve_chain_order(const Dims& dims, std::size_t k, CostTable& best, SplitTable& splits) {
    for (std::size_t i = 0; i < k; ++i) best[i * k + i] = 0;
    // Invariant: before handling `length`, best[] is final for all shorter sub-chains.
    for (std::size_t length = 2; length <= k; ++length) {
        for (std::size_t first = 0; first + length <= k; ++first) {
            const std::size_t last = first + length - 1;
            chain_cost cheapest = saturated_chain_cost;
            std::size_t cheapest_split = first;
            for (std::size_t s = first; s < last; ++s) {
                const chain_cost cost =
                    saturating_add(saturating_add(best[first * k + s], best[(s + 1) * k + last]),
                                   product_cost(dims[first], dims[s + 1], dims[last + 1]));
                if (s == first || cost < cheapest) {  // strict: ties keep the smaller split
                    cheapest = cost;
                    cheapest_split = s;
                }
            }
            best[first * k + last] = cheapest;
            splits[first * k + last] = cheapest_split;
        }
    }
    return best[k - 1];
}

}  // namespace chain_detail

/// The cheapest bracketing of one matrix chain, with the costs of the two
/// one-sided bracketings for comparison. Matrices = number of matrices when
/// it is fixed at compile time, std::dynamic_extent otherwise.
/// Build it with duet::chain_order.
template <std::size_t Matrices = std::dynamic_extent>
class basic_chain_plan {
public:
    static constexpr std::size_t extent = Matrices;

    /// Multiply-adds of the planned (cheapest) bracketing.
    chain_cost cost = 0;
    /// Multiply-adds of ((AB)C)D...: forward order, the chain consumed from the left.
    chain_cost left_to_right_cost = 0;
    /// Multiply-adds of A(B(CD))...: reverse order, the chain consumed from the right.
    chain_cost right_to_left_cost = 0;

    /// Plans the chain described by `dims` (already validated as sizes; at
    /// least 2 of them, and exactly Matrices + 1 for a static plan).
    constexpr explicit basic_chain_plan(std::span<const std::size_t> dims) {
        if (dims.size() < 2) chain_detail::throw_too_few_chain_dims(dims.size());
        const std::size_t k = dims.size() - 1;
        storage_.resize(k);
        for (std::size_t i = 0; i <= k; ++i) storage_.dims[i] = dims[i];

        auto best = storage_.make_cost_table(k);
        cost = chain_detail::solve_chain_order(storage_.dims, k, best, storage_.splits);
        for (std::size_t i = 1; i < k; ++i) {
            left_to_right_cost = chain_detail::saturating_add(
                left_to_right_cost, chain_detail::product_cost(dims[0], dims[i], dims[i + 1]));
            right_to_left_cost = chain_detail::saturating_add(
                right_to_left_cost, chain_detail::product_cost(dims[k - i - 1], dims[k - i], dims[k]));
        }
        write_bracketing(0, k - 1);
    }

    /// A static plan converts to a run-time one (same sizes, same plan).
    template <std::size_t K>
        requires(Matrices == std::dynamic_extent && K != std::dynamic_extent)
    basic_chain_plan(const basic_chain_plan<K>& other) : basic_chain_plan(other.dims()) {}

    /// Number of matrices k.
    constexpr std::size_t size() const noexcept { return storage_.dims.size() - 1; }

    /// The k + 1 sizes: matrix i is dims()[i] x dims()[i + 1].
    constexpr std::span<const std::size_t> dims() const noexcept { return storage_.dims; }

    /// Shape of the whole product: rows() x cols().
    constexpr std::size_t rows() const noexcept { return storage_.dims.front(); }
    constexpr std::size_t cols() const noexcept { return storage_.dims.back(); }

    /// For 0 <= first < last < size(): the planned product of matrices
    /// first..last is (first..s)(s+1..last) with s = split(first, last),
    /// first <= s < last. Throws std::out_of_range for other arguments.
    constexpr std::size_t split(std::size_t first, std::size_t last) const {
        if (!(first < last && last < size())) chain_detail::throw_bad_split_range(first, last, size());
        return storage_.splits[first * size() + last];
    }

    /// Walks the planned tree: leaf(i) yields matrix i, multiply(l, r) the
    /// product of two partial results. Returns the product of the whole chain.
    /// leaf's (decayed) result type is the type of every partial result.
    template <class Leaf, class Multiply>
    constexpr auto evaluate(Leaf&& leaf, Multiply&& multiply) const {
        return evaluate_range(leaf, multiply, 0, size() - 1);
    }

    /// The bracketing, e.g. "((A(BC))((DE)F))"; a single matrix is "A".
    constexpr std::string_view str_view() const noexcept { return storage_.text_view(); }
    std::string str() const { return std::string(str_view()); }

private:
    chain_detail::chain_storage<Matrices> storage_;

    template <class Leaf, class Multiply>
    constexpr std::decay_t<std::invoke_result_t<Leaf&, std::size_t>> evaluate_range(
        Leaf& leaf, Multiply& multiply, std::size_t first, std::size_t last) const {
        if (first == last) return leaf(first);
        const std::size_t s = split(first, last);
        return multiply(evaluate_range(leaf, multiply, first, s), evaluate_range(leaf, multiply, s + 1, last));
    }

    constexpr void write_name(std::size_t matrix) {
        if (size() <= 26) {
            storage_.text.push_back(static_cast<char>('A' + matrix));
            return;
        }
        storage_.text.push_back('M');
        const std::size_t number = matrix + 1;
        std::size_t power = 1;
        while (number / power >= 10) power *= 10;
        for (; power > 0; power /= 10) storage_.text.push_back(static_cast<char>('0' + number / power % 10));
    }

    constexpr void write_bracketing(std::size_t first, std::size_t last) {
        if (first == last) {
            write_name(first);
            return;
        }
        const std::size_t s = split(first, last);
        storage_.text.push_back('(');
        write_bracketing(first, s);
        write_bracketing(s + 1, last);
        storage_.text.push_back(')');
    }
};

/// A plan whose chain length is known only at run time.
using chain_plan = basic_chain_plan<>;
/// A plan for exactly K matrices; constexpr-capable.
template <std::size_t K>
using static_chain_plan = basic_chain_plan<K>;

/// Matrix sizes known at compile time: duet::chain_order(duet::dims<30, 35, 15>{}).
template <std::size_t... Sizes>
using dims = std::index_sequence<Sizes...>;

namespace chain_detail {

template <class T>
struct is_std_array : std::false_type {};
template <class T, std::size_t N>
struct is_std_array<std::array<T, N>> : std::true_type {};

template <std::size_t... Sizes>
consteval auto plan_at_compile_time() {
    static_assert(sizeof...(Sizes) >= 2,
                  "duet: duet::chain_order needs k + 1 sizes for a chain of k matrices; give at least 2");
    constexpr std::size_t k = sizeof...(Sizes) >= 2 ? sizeof...(Sizes) - 1 : 1;
    return static_chain_plan<k>(std::array<std::size_t, k + 1>{Sizes...});
}

}  // namespace chain_detail

/// The plan for sizes known at compile time, computed at compile time.
template <std::size_t... Sizes>
inline constexpr auto chain_order_v = chain_detail::plan_at_compile_time<Sizes...>();

/// Run-time sizes from any range of integers (std::vector, std::span, ...).
template <std::ranges::input_range Range>
    requires chain_detail::dimension_integer<std::ranges::range_value_t<Range>> &&
             (!chain_detail::is_std_array<std::remove_cvref_t<Range>>::value)
chain_plan chain_order(Range&& dims) {
    std::vector<std::size_t> sizes;
    if constexpr (std::ranges::sized_range<Range>) sizes.reserve(std::ranges::size(dims));
    for (auto&& d : dims) sizes.push_back(chain_detail::to_dimension(d, sizes.size()));
    return chain_plan(sizes);
}

/// duet::chain_order({30, 35, 15}).
inline chain_plan chain_order(std::initializer_list<std::size_t> dims) {
    return chain_plan(std::span<const std::size_t>(dims.begin(), dims.size()));
}

/// A std::array fixes the chain length, so the plan is a static_chain_plan,
/// computed at compile time when the call is a constant expression.
template <chain_detail::dimension_integer T, std::size_t N>
constexpr static_chain_plan<(N >= 2 ? N - 1 : 1)> chain_order(const std::array<T, N>& dims) {
    static_assert(N >= 2, "duet: duet::chain_order needs k + 1 sizes for a chain of k matrices; give at least 2");
    std::array<std::size_t, N> sizes{};
    for (std::size_t i = 0; i < N; ++i) sizes[i] = chain_detail::to_dimension(dims[i], i);
    return static_chain_plan<(N >= 2 ? N - 1 : 1)>(sizes);
}

/// Sizes as template arguments (duet::dims<30, 35, 15>{}, any
/// std::integer_sequence): the plan is always computed at compile time.
template <chain_detail::dimension_integer T, T... Sizes>
constexpr auto chain_order(std::integer_sequence<T, Sizes...>) {
    static_assert((std::cmp_greater_equal(Sizes, 0) && ...),
                  "duet: duet::chain_order got a negative size; matrix sizes cannot be negative");
    return chain_order_v<static_cast<std::size_t>(Sizes)...>;
}

}  // namespace duet
