// Eigen vectors in and out of the container drivers (optional: the rest of
// duet never includes Eigen). Needs Eigen 3.4 (Debian: libeigen3-dev).
//
//   x: Eigen::Matrix<T, n, 1> (Eigen::VectorXd, Eigen::Vector3f, ...), T float,
//      double or long double:
//     gradient([mode,] f, x)            -> the type of x
//     value_and_gradient([mode,] f, x)  -> {value, gradient of the type of x}
//     jacobian([mode,] f, x)            -> Eigen::Matrix<T, Dynamic, Dynamic>, m x n
//     hessian([mode,] f, x)             -> Eigen::Matrix<T, Dynamic, Dynamic>, n x n
//     jvp(f, x, v)                      -> Eigen::Matrix<T, Dynamic, 1>, J v
//     vjp(f, x, w)                      -> Eigen::Matrix<T, Dynamic, 1>, w^T J
//   f receives `const Eigen::Matrix<N, n, 1>&` where N is the mode's number
//   type (duet::var<T> for reverse, duet::dual<T, L> for forward, nested for
//   Hessians): generic Eigen code (x.squaredNorm(), x.dot(y), x.array().sin(),
//   loops over x[i], A * x ...). A vector function returns an Eigen vector or
//   Eigen expression (evaluated once), a std::vector or a std::array of m
//   scalars; as always with Eigen, not a lazy expression over f's locals.
//
//   x: any other Eigen column vector expression (Eigen::Map, Eigen::Ref, a
//   block v.head(k), ...): the drivers of its plain vector type on x.eval().
//
//   to_eigen(S): a duet::sparse_matrix<T> (sparse_jacobian, sparse_hessian;
//   duet/sparse.hpp) as Eigen::SparseMatrix<T, Eigen::RowMajor> (compressed,
//   the CSR arrays copied; std::out_of_range beyond Eigen's int indices).
//
//   x: std::span<const T> (or std::span<T>): the same drivers, with the results
//   of a std::vector<T> argument (gradient -> std::vector<T>, Jacobian ->
//   xt::xtensor<T, 2>); f receives `const std::vector<N>&`. The span's
//   elements are copied once.
//
// Size mismatches (jvp's v, vjp's w) throw std::invalid_argument naming both
// sizes.
//
// This header also makes duet's number types Eigen scalars: Eigen::NumTraits
// for dual and var (epsilon, highest, ... from the value type), and
// Eigen::ScalarBinaryOpTraits so that a vector of duet numbers combines with
// plain numbers (`2.0 * x`, `x.array() + 1.0`) without converting them to
// duet numbers first. A var (a tape variable) made by Eigen itself, e.g. the
// elements of `Eigen::VectorX<duet::var<double>> r(m);` before they are
// assigned, is a constant 0 registered on the active tape, as a
// default-constructed var always is.
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>

#if !EIGEN_VERSION_AT_LEAST(3, 4, 0)
#error "duet/eigen.hpp needs Eigen 3.4 or later"
#endif

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "duet/core/error.hpp"
#include "duet/core/expression.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/container_jacobian.hpp"
#include "duet/drivers/hessian.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/forward/dual.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"
#include "duet/reverse/workspace.hpp"
#include "duet/sparse/sparse_matrix.hpp"

// ---------------------------------------------------------------------------
// duet numbers as Eigen scalars.
namespace duet::detail {

// A duet number Eigen may hold: a dual (any lanes, nesting or tag) or a var.
template <class D>
concept eigen_duet_number =
    leaf<D> && (std::is_same_v<typename family_of<D>::mode, forward_mode> ||
                std::is_same_v<typename family_of<D>::mode, tape_mode>);

// Eigen's cost estimates (used for its evaluation and unrolling choices), in
// units of the value type's operations: a dual carries lanes + 1 numbers, a
// var records a statement.
template <class D>
struct eigen_cost {
    using T = value_type_of<D>;
    static constexpr int lanes = int(family_of<D>::lanes);
    static constexpr bool forward = std::is_same_v<typename family_of<D>::mode, forward_mode>;
    static constexpr int read = (forward ? lanes + 1 : 2) * Eigen::NumTraits<T>::ReadCost;
    static constexpr int add = (forward ? lanes + 1 : 8) * Eigen::NumTraits<T>::AddCost;
    static constexpr int mul = (forward ? 2 * lanes + 1 : 8) * Eigen::NumTraits<T>::MulCost;
};

// NumTraits of a duet number D: the limits are its value type's, as
// constants of type D.
template <class D>
struct eigen_num_traits : Eigen::GenericNumTraits<D> {
    using T = value_type_of<D>;
    using Real = D;
    using NonInteger = D;
    using Nested = D;
    using Literal = typename Eigen::NumTraits<scalar_t<D>>::Literal;
    enum {
        IsComplex = 0,
        IsInteger = 0,
        IsSigned = 1,
        RequireInitialization = 1,
        ReadCost = eigen_cost<D>::read,
        AddCost = eigen_cost<D>::add,
        MulCost = eigen_cost<D>::mul
    };
    static D epsilon() { return D(Eigen::NumTraits<T>::epsilon()); }
    static D dummy_precision() { return D(Eigen::NumTraits<T>::dummy_precision()); }
    static D highest() { return D(Eigen::NumTraits<T>::highest()); }
    static D lowest() { return D(Eigen::NumTraits<T>::lowest()); }
    static D infinity() { return D(Eigen::NumTraits<T>::infinity()); }
    static D quiet_NaN() { return D(Eigen::NumTraits<T>::quiet_NaN()); }
    static int digits10() { return Eigen::NumTraits<T>::digits10(); }
    static int digits() { return Eigen::NumTraits<T>::digits(); }
    static int min_exponent() { return Eigen::NumTraits<T>::min_exponent(); }
    static int max_exponent() { return Eigen::NumTraits<T>::max_exponent(); }
};

// The number an expression of duet numbers evaluates to: the type of its
// first variable leaf (var<T>, or the dual with its lanes and tag).
template <class E>
struct eigen_leaf_of {};
template <class E>
    requires leaf<E>
struct eigen_leaf_of<E> {
    using type = E;
};
template <class R, class A>
struct eigen_leaf_of<unary_node<R, A>> : eigen_leaf_of<A> {};
template <class R, class A, class B>
struct eigen_leaf_of<binary_node<R, A, B>>
    : std::conditional_t<constant_node<A>, eigen_leaf_of<B>, eigen_leaf_of<A>> {};

// An unevaluated expression of duet numbers (a * b, x / s), as Eigen's
// internals meet them when they deduce a scalar type from an expression
// (numext::abs2(x / s) in stableNorm): its NumTraits are its number's, so
// Eigen converts it to that number.
template <class E>
concept eigen_duet_expression = expression<E> && !leaf<E> && requires {
    typename eigen_leaf_of<E>::type;
} && eigen_duet_number<typename eigen_leaf_of<E>::type>;

}  // namespace duet::detail

namespace Eigen {

template <class D>
    requires duet::detail::eigen_duet_number<D>
struct NumTraits<D> : duet::detail::eigen_num_traits<D> {};
template <class E>
    requires duet::detail::eigen_duet_expression<E>
struct NumTraits<E> : duet::detail::eigen_num_traits<typename duet::detail::eigen_leaf_of<E>::type> {};

// A duet number with a plain number (either side) gives the duet number:
// `2.0 * x` multiplies the elements by the constant 2.
template <class D, class U, class BinaryOp>
    requires(duet::detail::eigen_duet_number<D> && std::is_arithmetic_v<U>)
struct ScalarBinaryOpTraits<D, U, BinaryOp> {
    using ReturnType = D;
};
template <class U, class D, class BinaryOp>
    requires(duet::detail::eigen_duet_number<D> && std::is_arithmetic_v<U>)
struct ScalarBinaryOpTraits<U, D, BinaryOp> {
    using ReturnType = D;
};

}  // namespace Eigen

// ---------------------------------------------------------------------------
// Eigen column vectors as container arguments (drivers/container.hpp).
namespace duet {
namespace detail {

template <class T>
struct eigen_is_var : std::false_type {};
template <class T>
struct eigen_is_var<var<T>> : std::true_type {};

template <class T, int Rows, int Options, int MaxRows>
struct container_argument_traits<Eigen::Matrix<T, Rows, 1, Options, MaxRows, 1>> {
    static constexpr bool is_container = true;
    using value_type = T;
    template <class U>
    using rebind = Eigen::Matrix<U, Rows, 1, Options, MaxRows, 1>;

    using vector = Eigen::Matrix<T, Rows, 1, Options, MaxRows, 1>;

    // Eigen constructs every element of a vector of non-arithmetic scalars
    // (RequireInitialization); each one is then assigned make(i), in index
    // order. A default-constructed var registers an independent variable on
    // the active tape: those are overwritten at once, so they go to a
    // scratch tape of this thread, not to the tape being recorded.
    template <class Make>
    static vector build(std::size_t n, Make&& make) {
        auto construct = [&] {
            vector out;
            if constexpr (Rows == Eigen::Dynamic) out.resize(Eigen::Index(n));
            return out;
        };
        vector out = [&] {
            if constexpr (eigen_is_var<T>::value) {
                using U = typename T::value_type;
                thread_local tape<U> scratch(tape<U>::inactive);
                scratch.clear();
                const typename tape<U>::activation active(scratch);
                return construct();
            } else {
                return construct();
            }
        }();
        for (std::size_t i = 0; i < n; ++i) out[Eigen::Index(i)] = make(i);
        return out;
    }
};

template <class C>
struct is_eigen_vector : std::false_type {};
template <class T, int Rows, int Options, int MaxRows>
struct is_eigen_vector<Eigen::Matrix<T, Rows, 1, Options, MaxRows, 1>> : std::true_type {};

template <class T>
using eigen_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using eigen_column = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <class T>
eigen_column<T> to_eigen_column(const std::vector<T>& v) {
    eigen_column<T> out(static_cast<Eigen::Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) out[Eigen::Index(i)] = v[i];
    return out;
}

template <class T>
eigen_matrix<T> to_eigen(const xt::xtensor<T, 2>& J) {
    eigen_matrix<T> out(Eigen::Index(J.shape(0)), Eigen::Index(J.shape(1)));
    for (std::size_t i = 0; i < J.shape(0); ++i)
        for (std::size_t j = 0; j < J.shape(1); ++j) out(Eigen::Index(i), Eigen::Index(j)) = J(i, j);
    return out;
}

// f's result with an Eigen vector (or any Eigen expression) evaluated into a
// std::vector of its scalars, which the container drivers consume; any other
// result passes through.
template <class R>
auto eigen_plain_result(R&& r) {
    using E = std::remove_cvref_t<R>;
    if constexpr (std::is_base_of_v<Eigen::EigenBase<E>, E>) {
        static_assert(E::IsVectorAtCompileTime,
                      "duet: a vector function that returns an Eigen object must return a vector "
                      "(Eigen::Matrix<T, Eigen::Dynamic, 1> or an expression of one)");
        const auto evaluated = r.eval();
        using S = typename std::remove_cvref_t<decltype(evaluated)>::Scalar;
        std::vector<S> out;
        out.reserve(std::size_t(evaluated.size()));
        for (Eigen::Index i = 0; i < evaluated.size(); ++i) out.push_back(evaluated(i));
        return out;
    } else {
        return E(std::forward<R>(r));
    }
}

// f, returning eigen_plain_result(f(xs)). SFINAE-friendly: not callable where f is
// not, so the drivers' "cannot be called with" sentence still applies.
template <class F>
struct eigen_plain_result_function {
    F& f;
    template <class Xs>
    auto operator()(const Xs& xs) const -> decltype(eigen_plain_result(f(xs))) {
        return eigen_plain_result(f(xs));
    }
};

template <class S>
struct eigen_is_span : std::false_type {};
template <class T, std::size_t E>
    requires std::floating_point<std::remove_cv_t<T>>
struct eigen_is_span<std::span<T, E>> : std::true_type {};

template <class T, std::size_t E>
std::vector<std::remove_cv_t<T>> eigen_span_copy(std::span<T, E> x) {
    return std::vector<std::remove_cv_t<T>>(x.begin(), x.end());
}

}  // namespace detail

// An Eigen column vector of floating-point numbers. Subsumes
// container_argument, so these overloads win over the generic ones.
template <class C>
concept eigen_vector_argument =
    container_argument<C> && detail::is_eigen_vector<std::remove_cvref_t<C>>::value;

// A std::span of floating-point numbers.
template <class S>
concept span_argument = detail::eigen_is_span<std::remove_cvref_t<S>>::value;

namespace detail {
// Derived from some Eigen::MatrixBase<D> (a VectorBlock's base is the
// MatrixBase of a Block, not of itself).
template <class D>
std::true_type eigen_matrix_base_test(const Eigen::MatrixBase<D>*);
std::false_type eigen_matrix_base_test(...);

template <class X>
concept eigen_column_expression =
    decltype(eigen_matrix_base_test(static_cast<const X*>(nullptr)))::value && X::ColsAtCompileTime == 1 &&
    std::floating_point<typename X::Scalar> && !is_eigen_vector<X>::value;
}  // namespace detail

// Any other Eigen column vector expression of floating-point numbers:
// Eigen::Map, Eigen::Ref, a block such as v.head(3), a product A * b. The
// drivers run on x.eval(), its plain vector (one copy), and return what they
// return for that.
template <class X>
concept eigen_vector_expression = detail::eigen_column_expression<std::remove_cvref_t<X>>;

// ---- Eigen vectors ----------------------------------------------------------
// gradient and value_and_gradient: the generic container drivers already
// return x's type. Jacobians and Hessians come back as Eigen matrices.

// f may return an Eigen vector, a lazy Eigen expression (evaluated once per
// pass), a std::vector or a std::array.
template <mode_tag Mode, class F, eigen_vector_argument C>
auto jacobian(Mode, F&& f, const C& x) {
    using T = detail::container_number<C>;
    using G = detail::eigen_plain_result_function<std::remove_reference_t<F>>;
    G g{f};
    if constexpr (!detail::container_callable<G, C, detail::may_run_forward<Mode>, detail::may_run_reverse<Mode>>())
        return detail::eigen_matrix<T>{};
    else if constexpr (std::is_same_v<Mode, forward_t>)
        return detail::to_eigen(detail::forward_jacobian(g, x));
    else if constexpr (std::is_same_v<Mode, reverse_t>)
        return detail::to_eigen(detail::reverse_jacobian(g, x));
    else
        return detail::to_eigen(detail::automatic_jacobian(g, x));
}

template <mode_tag Mode, class F, eigen_vector_argument C>
auto hessian(Mode, F&& f, const C& x) {
    using T = detail::container_number<C>;
    if constexpr (!detail::container_callable<F, C, true, detail::may_run_reverse<Mode>>())
        return detail::eigen_matrix<T>{};
    else if constexpr (std::is_same_v<Mode, forward_t>)
        return detail::to_eigen(detail::forward_hessian(f, x));
    else
        return detail::to_eigen(detail::reverse_hessian(f, x));
}

// J v, by one forward pass with one tangent lane. v: any vector with size()
// and operator[] (an Eigen vector, std::vector, ...).
template <class F, eigen_vector_argument C, class V>
detail::eigen_column<detail::container_number<C>> jvp(F&& f, const C& x, const V& v) {
    using G = detail::eigen_plain_result_function<std::remove_reference_t<F>>;
    G g{f};
    if constexpr (!detail::container_callable<G, C, true, false>())
        return {};
    else
        return detail::to_eigen_column(detail::jvp_values(g, x, v));
}

// w^T J, by one recording and one reverse sweep seeded with w.
template <class F, eigen_vector_argument C, class W>
detail::eigen_column<detail::container_number<C>> vjp(F&& f, const C& x, const W& w) {
    using G = detail::eigen_plain_result_function<std::remove_reference_t<F>>;
    G g{f};
    if constexpr (!detail::container_callable<G, C, false, true>())
        return {};
    else
        return detail::to_eigen_column(detail::vjp_values(g, x, w));
}

// ---- std::span --------------------------------------------------------------
// The drivers of std::vector<T> on a copy of the span.

template <mode_tag Mode, class F, span_argument S>
auto value_and_gradient(Mode mode, F&& f, S x) {
    return value_and_gradient(mode, f, detail::eigen_span_copy(x));
}
template <class F, span_argument S>
    requires(!mode_tag<F>)
auto value_and_gradient(F&& f, S x) {
    return value_and_gradient(automatic, f, detail::eigen_span_copy(x));
}
template <mode_tag Mode, class F, span_argument S>
auto gradient(Mode mode, F&& f, S x) {
    return gradient(mode, f, detail::eigen_span_copy(x));
}
template <class F, span_argument S>
    requires(!mode_tag<F>)
auto gradient(F&& f, S x) {
    return gradient(automatic, f, detail::eigen_span_copy(x));
}
template <mode_tag Mode, class F, span_argument S>
auto jacobian(Mode mode, F&& f, S x) {
    return jacobian(mode, f, detail::eigen_span_copy(x));
}
template <class F, span_argument S>
    requires(!mode_tag<F>)
auto jacobian(F&& f, S x) {
    return jacobian(automatic, f, detail::eigen_span_copy(x));
}
template <mode_tag Mode, class F, span_argument S>
auto hessian(Mode mode, F&& f, S x) {
    return hessian(mode, f, detail::eigen_span_copy(x));
}
template <class F, span_argument S>
    requires(!mode_tag<F>)
auto hessian(F&& f, S x) {
    return hessian(automatic, f, detail::eigen_span_copy(x));
}
template <class F, span_argument S, class V>
auto jvp(F&& f, S x, const V& v) {
    return jvp(f, detail::eigen_span_copy(x), v);
}
template <class F, span_argument S, class W>
auto vjp(F&& f, S x, const W& w) {
    return vjp(f, detail::eigen_span_copy(x), w);
}

// ---- other Eigen vector expressions ---------------------------------------------

template <mode_tag Mode, class F, eigen_vector_expression X>
auto value_and_gradient(Mode mode, F&& f, const X& x) {
    return value_and_gradient(mode, f, x.eval());
}
template <class F, eigen_vector_expression X>
    requires(!mode_tag<F>)
auto value_and_gradient(F&& f, const X& x) {
    return value_and_gradient(automatic, f, x.eval());
}
template <mode_tag Mode, class F, eigen_vector_expression X>
auto gradient(Mode mode, F&& f, const X& x) {
    return gradient(mode, f, x.eval());
}
template <class F, eigen_vector_expression X>
    requires(!mode_tag<F>)
auto gradient(F&& f, const X& x) {
    return gradient(automatic, f, x.eval());
}
template <mode_tag Mode, class F, eigen_vector_expression X>
auto jacobian(Mode mode, F&& f, const X& x) {
    return jacobian(mode, f, x.eval());
}
template <class F, eigen_vector_expression X>
    requires(!mode_tag<F>)
auto jacobian(F&& f, const X& x) {
    return jacobian(automatic, f, x.eval());
}
template <mode_tag Mode, class F, eigen_vector_expression X>
auto hessian(Mode mode, F&& f, const X& x) {
    return hessian(mode, f, x.eval());
}
template <class F, eigen_vector_expression X>
    requires(!mode_tag<F>)
auto hessian(F&& f, const X& x) {
    return hessian(automatic, f, x.eval());
}
template <class F, eigen_vector_expression X, class V>
auto jvp(F&& f, const X& x, const V& v) {
    return jvp(f, x.eval(), v);
}
template <class F, eigen_vector_expression X, class W>
auto vjp(F&& f, const X& x, const W& w) {
    return vjp(f, x.eval(), w);
}

// ---------------------------------------------------------------------------
// Sparse matrices: duet::sparse_matrix<T> (CSR) as a compressed row-major
// Eigen::SparseMatrix<T>: the same arrays, copied.
template <class T>
Eigen::SparseMatrix<T, Eigen::RowMajor> to_eigen(const sparse_matrix<T>& S) {
    using Index = typename Eigen::SparseMatrix<T, Eigen::RowMajor>::StorageIndex;
    constexpr std::size_t most = std::size_t(INT_MAX);
    if (S.rows() > most || S.cols() > most || S.nonzeros() > most)
        detail::throw_out_of_range("to_eigen", "a ", S.rows(), " x ", S.cols(), " sparse matrix with ", S.nonzeros(),
                                   " entries exceeds Eigen's int indices");
    Eigen::SparseMatrix<T, Eigen::RowMajor> A(Eigen::Index(S.rows()), Eigen::Index(S.cols()));
    A.resizeNonZeros(Eigen::Index(S.nonzeros()));
    std::transform(S.row_offsets().begin(), S.row_offsets().end(), A.outerIndexPtr(),
                   [](std::size_t k) { return Index(k); });
    std::transform(S.column_indices().begin(), S.column_indices().end(), A.innerIndexPtr(),
                   [](std::uint32_t j) { return Index(j); });
    std::copy(S.values().begin(), S.values().end(), A.valuePtr());
    return A;
}

}  // namespace duet
