// duet/tensor/multi_dot.hpp -- product of a matrix chain in the cheapest order.
//
//   xt::xtensor<double, 2> A = ..., B = ...;   // A m x n, B n x p
//   xt::xtensor<double, 1> c = ...;            // p
//   xt::xtensor<double, 1> y = duet::multi_dot(A, B, c);   // evaluated as A(Bc)
//
// The order comes from duet::chain_order. Every product is one BLAS call
// through xtensor-blas, written straight into its result: xt::blas::gemm, or
// xt::blas::gemv when one side is a single row or column (BLAS's
// matrix-vector kernel is made for that shape; GEMM with one column is not).
// Inputs are read in place, never copied.
// xt::linalg::dot is not used because it returns an xarray, which would cost
// one more copy per product to become an xtensor.
//
// As numpy.linalg.multi_dot: the first operand may be a vector (a row, 1 x n)
// and the last one may be a vector (a column, n x 1); the result then drops
// that axis: vector...vector gives a scalar T, vector...matrix or
// matrix...vector a rank-1 tensor, matrix...matrix a rank-2 tensor. Unlike
// numpy, a single matrix is a valid chain (its copy is the product).
//
// Errors: operands of rank other than 1 and 2, or a vector in the middle, are
// compile errors; an inner-dimension mismatch throws std::invalid_argument
// naming both shapes, with matrices numbered from 1 in argument order:
//   "duet::multi_dot: matrix 2 has shape (3, 4) but matrix 3 has shape (5, 2);
//    inner dimensions 4 and 5 differ"
// Zero sizes are allowed; products through an empty dimension are zero
// matrices of the right shape (BLAS is not called for them).
//
// Differentiated: when any operand is a tensor node (duet::tensor_node: a
// variable of a duet::gradient / jacobian function, or an expression of one),
// multi_dot returns a tensor node (tensor_nary<multi_dot_op, ...>; plain
// operands become constants) with the same value, ranks, errors and order:
//   value    A_1 ⋯ A_k                    planned as above
//   tangent  Σ_i A_1 ⋯ dA_i ⋯ A_k         each term planned (same shapes)
//   adjoint  gA_i = (A_1⋯A_{i-1})ᵀ G (A_{i+1}⋯A_k)ᵀ, computed as the
//            transpose of the chain A_{i+1} ⋯ A_k Gᵀ A_1 ⋯ A_{i-1}, itself
//            planned by duet::chain_order (G is transposed once per sweep).
// Structurally zero tangents (constants) are skipped; constants get no
// adjoint. Vector ends act as row / column, G has the result's shape.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <tuple>
#include <utility>
#include <vector>

#include <xtensor-blas/xblas.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xtensor.hpp>

#include "duet/tensor/chain_plan.hpp"
#include "duet/core/error.hpp"
#include "duet/tensor/nodes.hpp"

namespace duet {
namespace multi_dot_detail {

/// Element types the BLAS kernels take.
template <class T>
concept blas_real = std::same_as<T, float> || std::same_as<T, double>;

/// One factor of the chain as a borrowed row-major rows x cols block, plus
/// the caller's original shape for error messages.
template <class T>
struct chain_factor {
    const T* data;
    std::size_t rows;
    std::size_t cols;
    std::size_t rank;                     // 1 or 2, as passed by the caller
    std::array<std::size_t, 2> shape;     // caller's shape; shape[1] unused for rank 1
};

/// `position` counts from 0; a vector first is a row, a vector last a column.
template <class T, std::size_t Rank>
chain_factor<T> make_chain_factor(const xt::xtensor<T, Rank>& operand, std::size_t position) {
    if constexpr (Rank == 2) {
        const std::size_t rows = operand.shape()[0], cols = operand.shape()[1];
        return {operand.data(), rows, cols, 2, {rows, cols}};
    } else {
        const std::size_t n = operand.shape()[0];
        if (position == 0) return {operand.data(), 1, n, 1, {n, 0}};
        return {operand.data(), n, 1, 1, {n, 0}};
    }
}

/// The caller's shape of a factor, as messages print it: (3, 4) or (4,).
template <class T>
std::string shape_of(const chain_factor<T>& factor) {
    if (factor.rank == 1) return detail::shape_string(std::array<std::size_t, 1>{factor.shape[0]});
    return detail::shape_string(factor.shape);
}

/// Throws unless every neighbouring pair has matching inner dimensions.
template <class T>
void check_inner_dimensions(std::span<const chain_factor<T>> factors) {
    for (std::size_t i = 1; i < factors.size(); ++i) {
        const chain_factor<T>& left = factors[i - 1];
        const chain_factor<T>& right = factors[i];
        if (left.cols != right.rows)
            detail::throw_invalid_argument("multi_dot", "matrix ", i, " has shape ", shape_of(left), " but matrix ",
                                           i + 1, " has shape ", shape_of(right), "; inner dimensions ", left.cols,
                                           " and ", right.rows, " differ");
    }
}

/// Sizes d_0 .. d_k of checked factors: factor i is d_i x d_{i+1}.
template <class T, class Dims>
void fill_chain_dims(std::span<const chain_factor<T>> factors, Dims& dims) {
    for (std::size_t i = 0; i < factors.size(); ++i) dims[i] = factors[i].rows;
    dims[factors.size()] = factors.back().cols;
}

/// A zero-copy rank-2 xtensor view of a factor.
template <class T>
auto factor_view(const chain_factor<T>& factor) {
    return xt::adapt(factor.data, factor.rows * factor.cols, xt::no_ownership(),
                     std::array<std::size_t, 2>{factor.rows, factor.cols});
}

/// A zero-copy rank-1 view of n contiguous elements.
template <class P>
auto vector_view(P data, std::size_t n) {
    return xt::adapt(data, n, xt::no_ownership(), std::array<std::size_t, 1>{n});
}

/// left * right for contiguous row-major rank-2 operands with matching inner
/// dimension. A product with a single row or column goes to GEMV, BLAS's
/// kernel for that shape (the q = 1 case), not to GEMM with one column.
template <class T, class Left, class Right>
xt::xtensor<T, 2> matrix_product(const Left& left, const Right& right) {
    const std::size_t rows = left.shape()[0], inner = left.shape()[1], cols = right.shape()[1];
    if (rows == 0 || inner == 0 || cols == 0) return xt::xtensor<T, 2>(std::array<std::size_t, 2>{rows, cols}, T(0));
    auto result = xt::xtensor<T, 2>::from_shape({rows, cols});
    // BLAS is called with beta = 0: result is written, not read.
    if (cols == 1) {  // y = L x
        auto y = vector_view(result.data(), rows);
        xt::blas::gemv(left, vector_view(right.data(), inner), y);
    } else if (rows == 1) {  // y^T = x^T R, i.e. y = R^T x
        auto y = vector_view(result.data(), cols);
        xt::blas::gemv(right, vector_view(left.data(), inner), y, /*transpose_A=*/true);
    } else {
        xt::blas::gemm(left, right, result);
    }
    return result;
}

/// Evaluates a checked chain in the order of `plan` (a basic_chain_plan).
template <class T, class Plan>
class planned_product {
public:
    planned_product(const Plan& plan, std::span<const chain_factor<T>> factors) : plan_(plan), factors_(factors) {}

    xt::xtensor<T, 2> whole() const {
        if (factors_.size() == 1) return xt::xtensor<T, 2>(factor_view(factors_[0]));
        return of(0, factors_.size() - 1);
    }

private:
    const Plan& plan_;
    std::span<const chain_factor<T>> factors_;

    /// Product of factors first..last, first < last.
    xt::xtensor<T, 2> of(std::size_t first, std::size_t last) const {
        const std::size_t s = plan_.split(first, last);
        return with_operand(first, s, [&](const auto& left) {
            return with_operand(s + 1, last, [&](const auto& right) { return matrix_product<T>(left, right); });
        });
    }

    /// Calls use(M) with M = product of factors first..last: a view of the
    /// input when first == last, else a freshly computed partial product.
    template <class Use>
    xt::xtensor<T, 2> with_operand(std::size_t first, std::size_t last, Use&& use) const {
        if (first == last) return use(factor_view(factors_[first]));
        return use(of(first, last));
    }
};

template <class T, class Plan>
xt::xtensor<T, 2> multiply_planned(const Plan& plan, std::span<const chain_factor<T>> factors) {
    return planned_product<T, Plan>(plan, factors).whole();
}

/// Drops the axes of vector ends from the rows x cols product, as numpy does.
template <std::size_t FirstRank, std::size_t LastRank, class T>
auto drop_vector_axes(xt::xtensor<T, 2>&& product) {
    if constexpr (FirstRank == 1 && LastRank == 1) {
        return T(product(0, 0));
    } else if constexpr (FirstRank == 1 || LastRank == 1) {
        xt::xtensor<T, 1> vector = xt::xtensor<T, 1>::from_shape({product.size()});
        std::copy(product.cbegin(), product.cend(), vector.begin());
        return vector;
    } else {
        return std::move(product);
    }
}

/// Result rank of a chain with these operand ranks (numpy's rules, as the
/// plain multi_dot), with the plain multi_dot's compile-time checks.
template <std::size_t... Ranks>
constexpr std::size_t multi_dot_rank() {
    constexpr std::size_t k = sizeof...(Ranks);
    constexpr std::array<std::size_t, k> ranks{Ranks...};
    static_assert(((Ranks == 1 || Ranks == 2) && ...),
                  "duet: duet::multi_dot takes matrices (rank 2), and vectors (rank 1) at either end");
    static_assert(k >= 2 || ranks[0] == 2,
                  "duet: a lone vector is not a chain for duet::multi_dot; pass a matrix or at least two operands");
    // Named, so that clang prints the name rather than the loop on the
    // error line: the sentence must be on the first error line.
    constexpr bool only_the_ends_are_vectors = [&] {
        for (std::size_t i = 1; i + 1 < k; ++i)
            if (ranks[i] != 2) return false;
        return true;
    }();
    static_assert(only_the_ends_are_vectors,
                  "duet: in duet::multi_dot only the first and the last operand may be vectors (rank 1)");
    return 2 - (ranks.front() == 1 ? 1 : 0) - (ranks.back() == 1 ? 1 : 0);
}

}  // namespace multi_dot_detail

/// Product of the chain operands[0] * operands[1] * ... in the order
/// planned by duet::chain_order. Matrices are xt::xtensor<T, 2>; the first
/// and the last operand may be xt::xtensor<T, 1> (see the header comment for
/// the result's rank). T is float or double.
template <class T, std::size_t... Ranks>
auto multi_dot(const xt::xtensor<T, Ranks>&... operands) {
    constexpr std::size_t k = sizeof...(Ranks);
    constexpr std::array<std::size_t, k> ranks{Ranks...};
    static_assert(multi_dot_detail::blas_real<T>,
                  "duet: duet::multi_dot multiplies float or double elements only (BLAS)");
    static_assert(multi_dot_detail::multi_dot_rank<Ranks...>() <= 2,  // runs the rank checks above
                  "duet: duet::multi_dot takes operands of rank 1 or 2 (the message above names the rule)");

    const std::array<multi_dot_detail::chain_factor<T>, k> factors = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<multi_dot_detail::chain_factor<T>, k>{multi_dot_detail::make_chain_factor(operands, I)...};
    }(std::make_index_sequence<k>{});
    multi_dot_detail::check_inner_dimensions<T>(factors);

    std::array<std::size_t, k + 1> dims{};
    multi_dot_detail::fill_chain_dims<T>(factors, dims);
    const static_chain_plan<k> plan(dims);
    return multi_dot_detail::drop_vector_axes<ranks.front(), ranks.back()>(
        multi_dot_detail::multiply_planned<T>(plan, std::span<const multi_dot_detail::chain_factor<T>>(factors)));
}

/// Product of a chain whose length is known only at run time.
/// Throws std::invalid_argument for an empty list or mismatched shapes.
template <class T>
xt::xtensor<T, 2> multi_dot(const std::vector<xt::xtensor<T, 2>>& matrices) {
    static_assert(multi_dot_detail::blas_real<T>,
                  "duet: duet::multi_dot multiplies float or double elements only (BLAS)");
    if (matrices.empty()) detail::throw_invalid_argument("multi_dot", "the chain is empty; give at least one matrix");

    std::vector<multi_dot_detail::chain_factor<T>> factors;
    factors.reserve(matrices.size());
    for (const auto& m : matrices) factors.push_back(multi_dot_detail::make_chain_factor(m, factors.size()));
    multi_dot_detail::check_inner_dimensions<T>(factors);

    std::vector<std::size_t> dims(factors.size() + 1);
    multi_dot_detail::fill_chain_dims<T>(factors, dims);
    const chain_plan plan(dims);
    return multi_dot_detail::multiply_planned<T>(plan, std::span<const multi_dot_detail::chain_factor<T>>(factors));
}

// ---------------------------------------------------------------------------
// The differentiable tensor node.

namespace multi_dot_detail {

/// Product of a checked chain of factors, in the order chain_order plans.
inline xt::xtensor<double, 2> planned_chain_product(std::span<const chain_factor<double>> factors) {
    std::vector<std::size_t> dims(factors.size() + 1);
    fill_chain_dims<double>(factors, dims);
    const chain_plan plan(dims);
    return multiply_planned<double>(plan, factors);
}

/// The operands' factors (vector ends as row / column).
template <class Values>
auto chain_factors_of(const Values& values) {
    constexpr std::size_t k = std::tuple_size_v<Values>;
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<chain_factor<double>, k>{make_chain_factor(std::get<I>(values), I)...};
    }(std::make_index_sequence<k>{});
}

/// A rows x cols product, copied into a tensor of the given shape with the
/// same number of elements (the numpy rank of the result or of an operand).
template <std::size_t R, class Shape>
tensor<R> reshaped_copy(const xt::xtensor<double, 2>& product, const Shape& shape) {
    auto t = detail::workspace_tensor<R>(shape);
    std::copy(product.cbegin(), product.cend(), t.begin());
    return t;
}

/// Reverse-mode state of one multi_dot node: the operands' factors and Gᵀ.
template <std::size_t K>
class multi_dot_reverse {
public:
    multi_dot_reverse(const std::array<chain_factor<double>, K>& factors, const double* g)
        : factors_(factors) {
        const std::size_t rows = factors_.front().rows, cols = factors_.back().cols;
        gt_ = xt::transpose(factor_view(chain_factor<double>{g, rows, cols, 2, {rows, cols}}));
    }

    /// Writes (accumulate = false) or adds operand I's adjoint
    /// (A_1⋯A_{I-1})ᵀ G (A_{I+1}⋯A_k)ᵀ to out.
    template <std::size_t I, std::size_t KI>
    void adjoint(tensor<KI>& out, bool accumulate) const {
        // Its transpose, A_{I+1} ⋯ A_k Gᵀ A_1 ⋯ A_{I-1}, as one planned chain.
        std::array<chain_factor<double>, K> chain;
        std::size_t n = 0;
        for (std::size_t j = I + 1; j < K; ++j) chain[n++] = factors_[j];
        chain[n++] = chain_factor<double>{gt_.data(), gt_.shape()[0], gt_.shape()[1], 2,
                                          {gt_.shape()[0], gt_.shape()[1]}};
        for (std::size_t j = 0; j < I; ++j) chain[n++] = factors_[j];
        const xt::xtensor<double, 2> p = planned_chain_product(std::span<const chain_factor<double>>(chain));
        if constexpr (KI == 2) {
            if (accumulate)
                xt::noalias(out) += xt::transpose(p);
            else
                xt::noalias(out) = xt::transpose(p);
        } else {  // a vector end: p is one row or one column, the same elements
            const auto v = vector_view(p.data(), p.size());
            if (accumulate)
                xt::noalias(out) += v;
            else
                xt::noalias(out) = v;
        }
    }

private:
    std::array<chain_factor<double>, K> factors_;
    xt::xtensor<double, 2> gt_;  // Gᵀ, d_k x d_0
};

}  // namespace multi_dot_detail

/// The tensor operation behind a differentiated duet::multi_dot (see the
/// header comment); an n-ary op of tensor/nodes.hpp.
struct multi_dot_op {
    template <std::size_t... K>
    static constexpr std::size_t rank = multi_dot_detail::multi_dot_rank<K...>();

    template <std::size_t... K>
    tensor<rank<K...>> value(const tensor<K>&... a) const {
        if constexpr (rank<K...> == 0)
            return detail::workspace_scalar(multi_dot(a...));
        else
            return multi_dot(a...);
    }

    template <class Values, std::size_t R, class Tangents>
    tensor<R> tangent(const Values& values, const tensor<R>& y, const Tangents& tangents) const {
        constexpr std::size_t k = std::tuple_size_v<Values>;
        const auto factors = multi_dot_detail::chain_factors_of(values);
        std::vector<std::size_t> dims(k + 1);
        multi_dot_detail::fill_chain_dims<double>(
            std::span<const multi_dot_detail::chain_factor<double>>(factors), dims);
        const chain_plan plan(dims);  // every term has the same shapes
        xt::xtensor<double, 2> sum;
        bool written = false;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            const auto term = [&](const auto* d, auto index) {
                if (d == nullptr) return;
                auto chain = factors;
                chain[index] = multi_dot_detail::make_chain_factor(*d, index);
                auto p = multi_dot_detail::multiply_planned<double>(
                    plan, std::span<const multi_dot_detail::chain_factor<double>>(chain));
                if (written)
                    sum += p;
                else
                    sum = std::move(p);
                written = true;
            };
            (term(std::get<I>(tangents), std::integral_constant<std::size_t, I>{}), ...);
        }(std::make_index_sequence<k>{});
        return multi_dot_detail::reshaped_copy<R>(sum, y.shape());
    }

    template <class Values, std::size_t R>
    auto reverse(const Values& values, const tensor<R>&, const tensor<R>& g) const {
        return multi_dot_detail::multi_dot_reverse<std::tuple_size_v<Values>>(
            multi_dot_detail::chain_factors_of(values), g.data());
    }
};

/// multi_dot of tensor nodes (and plain tensors, taken as constants): a
/// differentiable tensor node; at least one operand must be a node.
template <class... Args>
    requires(sizeof...(Args) >= 1 && (tensor_node<Args> || ...) && (tensor_argument<Args> && ...))
auto multi_dot(Args&&... operands) {
    return tensor_nary<multi_dot_op, decltype(detail::as_tensor_node(std::declval<Args>()))...>{
        {detail::as_tensor_node(std::forward<Args>(operands))...}, {}};
}

}  // namespace duet
