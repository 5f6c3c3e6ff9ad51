// Forward mode: dual<T, N>, a value with N tangent lanes (N directions per
// pass). Arithmetic on duals builds expressions (core/); assigning one to a
// dual evaluates it in one pass: the statement's values, then its static
// adjoint sweep, which yields the partial of the statement w.r.t. each dual
// leaf, then tangent[i] = sum over leaves of partial * leaf.tangent[i].
// No intermediate dual is materialised, and lanes cost one multiply-add per
// leaf occurrence, not per node.
//
// Strong zero: a zero tangent lane contributes exactly zero, even when the
// partial is infinite or NaN (sqrt at 0). The N-lane forward gradient then
// equals the reverse gradient lane by lane: lane j never sees a partial of a
// variable whose seed in lane j is zero.
//
// Nesting dual<dual<double>> gives second derivatives: the rules are generic.
//
// Tag: the drivers seed duals of a tag of their own (derived from the
// function's type), so a derivative taken inside another cannot mix its
// lanes with the outer one's: such an expression does not compile
// (core/make_node.hpp says what to write instead). Duals a user declares
// have Tag = void.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <ostream>
#include <type_traits>

#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/functions.hpp"
#include "duet/core/numeric_limits.hpp"
#include "duet/core/strong_zero.hpp"

namespace duet {

struct forward_mode {};

template <class T, std::size_t N = 1, class Tag = void>
class dual;

template <class T, std::size_t N, class Tag>
struct leaf_traits<dual<T, N, Tag>> {
    using value_type = T;
    using family = duet::family<forward_mode, T, N, Tag>;
    static constexpr const T& value(const dual<T, N, Tag>& d) { return d.value(); }
};

template <class T, std::size_t N, class Tag>
struct scalar_of<dual<T, N, Tag>> {
    using type = scalar_t<T>;
};

template <class T, std::size_t N, class Tag>
struct quiet_nan_of<dual<T, N, Tag>> {
    static constexpr dual<T, N, Tag> make() {
        std::array<T, N> lanes;
        lanes.fill(quiet_nan_of<T>::make());
        return dual<T, N, Tag>(quiet_nan_of<T>::make(), lanes);
    }
};

// Nesting when two differentiations meet (core/lift.hpp).
template <class T, std::size_t N, class Tag>
struct family_number<family<forward_mode, T, N, Tag>> {
    using type = dual<T, N, Tag>;
};
template <>
struct nesting_rank<forward_mode> : std::integral_constant<int, 0> {};

// A sub-expression too large for one tree is evaluated into a dual
// (core/expression.hpp, max_leaf_occurrences).
template <class T, std::size_t N, class Tag>
struct statement_number<family<forward_mode, T, N, Tag>> {
    using type = dual<T, N, Tag>;
};

namespace detail {
// The tangent lanes of a dual over float or double with 4, 8 or 16 lanes (a
// power of two, at most 64 bytes) are held in a GCC/clang vector type
// (lane_vector_of: element alignment, so a dual stays a value and N numbers,
// no padding). A leaf's contribution is then one vector multiply-add, and a
// named dual (`const T z = ...`, the accumulator `T s`) is one vector
// register. With a std::array GCC splits the lanes of such locals into N
// scalars (SRA) and does not vectorise them again. benchmark/user_tu.cpp,
// 8 lanes, plain g++ -O3 -march=native, plain evaluations per direction:
// normal_log_pdf 1.1 -> 0.69, rosenbrock 2.1 -> 1.2 (clang++ unchanged,
// 0.27 and 1.07). 1, 2 and 3 lanes, long double and nested duals keep the
// std::array.
// tangent(i) and tangents() view the vector as std::array<T, N> (same
// bytes): GCC gives a vector type the alias set of its element type, clang
// gives vector accesses the char alias set, so the views alias the vector.
#if defined(__GNUC__) || defined(__clang__)
template <class T, std::size_t N>
inline constexpr bool vector_lanes = (std::is_same_v<T, double> || std::is_same_v<T, float>) && N >= 4 &&
                                     (N & (N - 1)) == 0 && N * sizeof(T) <= 64;
template <class T, std::size_t N>
struct lane_vector_of {
    typedef T type __attribute__((vector_size(N * sizeof(T)), aligned(alignof(T))));
};
#else
template <class T, std::size_t N>
inline constexpr bool vector_lanes = false;
template <class T, std::size_t N>
struct lane_vector_of {};
#endif
template <class T, std::size_t N>
using lane_storage = typename std::conditional_t<vector_lanes<T, N>, lane_vector_of<T, N>,
                                                 std::type_identity<std::array<T, N>>>::type;
}  // namespace detail

template <class T, std::size_t N, class Tag>
class dual {
    static_assert(N >= 1, "duet: duet::dual<T, N> needs at least one tangent lane (N >= 1)");
    using own_family = duet::family<forward_mode, T, N, Tag>;

    template <class E>
    static constexpr bool is_own_expression = expression_of<E, own_family>;

public:
    using value_type = T;
    using tag = Tag;
    static constexpr std::size_t lanes = N;

private:
    static constexpr bool vector_storage = detail::vector_lanes<T, N>;
    using storage = detail::lane_storage<T, N>;

public:
    constexpr dual() = default;

    // A number: tangents zero. Also accepts expressions of a lower nesting
    // level (they are values at this level).
    template <class U>
        requires(!is_own_expression<U> && !std::is_same_v<std::remove_cvref_t<U>, dual> &&
                 std::is_constructible_v<T, const U&>)
    constexpr dual(const U& v) : value_(T(v)) {}

    constexpr dual(const T& v, const T& tangent)
        requires(N == 1)
        : value_(v), tangents_{tangent} {}

    constexpr dual(const T& v, const std::array<T, N>& tangents) : value_(v) {
        if constexpr (vector_storage)
            for (std::size_t i = 0; i < N; ++i) tangents_[i] = tangents[i];
        else
            tangents_ = tangents;
    }

    // Evaluates an expression of duals of this type.
    template <class E>
        requires is_own_expression<E> && (!std::is_same_v<std::remove_cvref_t<E>, dual>)
    constexpr dual(const E& e) {
        assign(e);
    }

    template <class E>
        requires is_own_expression<E> && (!std::is_same_v<std::remove_cvref_t<E>, dual>)
    constexpr dual& operator=(const E& e) {
        assign(e);
        return *this;
    }
    template <class U>
        requires(!is_own_expression<U> && std::is_constructible_v<T, const U&>)
    constexpr dual& operator=(const U& v) {
        value_ = T(v);
        tangents_ = storage{};
        return *this;
    }

    // Compound assignment reads copies of *this, so `x *= x` is safe.
    template <class E>
    constexpr dual& operator+=(const E& e) { return *this = *this + e; }
    template <class E>
    constexpr dual& operator-=(const E& e) { return *this = *this - e; }
    template <class E>
    constexpr dual& operator*=(const E& e) { return *this = *this * e; }
    template <class E>
    constexpr dual& operator/=(const E& e) { return *this = *this / e; }

    constexpr const T& value() const { return value_; }
    constexpr T& value() { return value_; }
    constexpr const T& tangent(std::size_t lane = 0) const { return tangents()[lane]; }
    constexpr T& tangent(std::size_t lane = 0) { return tangents()[lane]; }
    constexpr const std::array<T, N>& tangents() const {
        if constexpr (vector_storage)
            return *reinterpret_cast<const std::array<T, N>*>(&tangents_);
        else
            return tangents_;
    }
    constexpr std::array<T, N>& tangents() {
        if constexpr (vector_storage)
            return *reinterpret_cast<std::array<T, N>*>(&tangents_);
        else
            return tangents_;
    }

private:
    template <class E>
    DUET_INLINE constexpr void assign(const E& e) {
        const auto cache = duet::evaluate(e);
        // Accumulators start at -0 where T is floating point: -0 + x == x
        // for every x, so the compiler drops the first addition (+0 + x is
        // not x for x = -0 and stays an add on every lane's chain).
        storage out{};
        if constexpr (vector_storage)
            for (std::size_t i = 0; i < N; ++i) out[i] = T(-0.0);
        else if constexpr (std::is_floating_point_v<T>)
            out.fill(T(-0.0));
        // Strong zero (core/strong_zero.hpp): partial * tangent, with a zero
        // factor giving exactly zero. With 1 lane or 4 and more, one test per
        // leaf picks the path: a finite nonzero partial multiplies every lane
        // without a test (finite times a zero lane is already zero, times inf
        // or NaN gives what the rule gives); a zero or non-finite partial
        // takes the per-lane chain_product. With 2
        // or 3 lanes the per-lane product is cheaper than the per-leaf
        // branch (doc/performance.md).
        auto accumulate = [&out](const dual& leaf, const T& partial) DUET_INLINE_LAMBDA {
            if constexpr (std::is_floating_point_v<T> && (N == 1 || N >= 4)) {
                if (detail::is_finite_nonzero(partial)) [[likely]] {
                    if constexpr (vector_storage)
                        out += partial * leaf.tangents_;
                    else
                        for (std::size_t i = 0; i < N; ++i) out[i] += partial * leaf.tangents_[i];
                    return;
                }
            }
            for (std::size_t i = 0; i < N; ++i) out[i] += chain_product(partial, leaf.tangents_[i]);
        };
        duet::sweep(cache, T(1), accumulate);
        value_ = cache.value;
        tangents_ = out;
    }

    T value_{};
    storage tangents_{};
};

template <class T, std::size_t N, class Tag>
std::ostream& operator<<(std::ostream& os, const dual<T, N, Tag>& d) {
    os << d.value() << " [";
    for (std::size_t i = 0; i < N; ++i) os << (i ? ", " : "") << d.tangent(i);
    return os << "]";
}

// A dual over T as a dual over V (V holds T: a dual of an outer
// differentiation): the same value and lanes, with zero tangents inside V.
template <class T, std::size_t N, class Tag, class V>
struct lift_leaf<dual<T, N, Tag>, V> {
    static constexpr dual<V, N, Tag> make(const dual<T, N, Tag>& d) {
        std::array<V, N> lanes;
        for (std::size_t i = 0; i < N; ++i) lanes[i] = V(d.tangent(i));
        return dual<V, N, Tag>(V(d.value()), lanes);
    }
};

// Evaluates any forward expression into its dual (a dual passes through).
template <class E>
    requires expression<E> && std::is_same_v<typename family_of<E>::mode, forward_mode>
constexpr auto make_dual(const E& e) {
    return dual<value_type_of<E>, family_of<E>::lanes, typename family_of<E>::tag>(e);
}

}  // namespace duet

template <class T, std::size_t N, class Tag>
struct std::numeric_limits<duet::dual<T, N, Tag>> : duet::numeric_limits_from<duet::dual<T, N, Tag>, T> {};
