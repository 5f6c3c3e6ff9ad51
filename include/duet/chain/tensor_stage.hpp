// duet/chain/tensor_stage.hpp -- a duet::jacobian_chain stage written in
// tensor code.
//
//   xt::xtensor<double, 2> W = ...;
//   auto layer = duet::tensor_stage([&](const auto& x) { return duet::tanh(duet::matmul(W, x)); });
//   auto [J, plan] = duet::jacobian_chain(x, f1, layer, f3);
//
// f takes one rank-1 tensor argument (a duet tensor variable, as for the
// tensor drivers of drivers/tensor.hpp) and returns a tensor expression of
// any rank, flattened row-major into the stage's outputs. The adapter is an
// ordinary stage: called with a std::vector of double, dual or var numbers x
// (values v), it evaluates y = f(v) with the tensor evaluator and, for dual
// and var numbers, J = duet::jacobian(f, v) (the tensor driver: matrix-level
// tangents or adjoints through BLAS), and returns
//     y_i + sum_j J_ij (x_j - v_j)
// in the caller's number type: values exactly y, tangents / recorded partials
// exactly J's rows (zero entries of J are left out). Each derivative call so
// costs one evaluation of f, one tensor-driver Jacobian of it and m n
// multiply-adds per lane; the planner measures that like any stage's cost.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/drivers/tensor.hpp"
#include "duet/tensor/evaluate.hpp"
#include "duet/tensor/nodes.hpp"

namespace duet {

template <class F>
struct tensor_stage_fn {
    F f;

    template <class Number>
    std::vector<Number> operator()(const std::vector<Number>& x) const {
        const std::size_t n = x.size();
        auto v = tensor<1>::from_shape({n});
        for (std::size_t j = 0; j < n; ++j) {
            if constexpr (std::is_same_v<Number, double>)
                v(j) = x[j];
            else
                v(j) = x[j].value();
        }
        const auto cache = evaluate(detail::tensor_driver::call_with_tensor_vars(f, v));
        const auto& y = cache.value();
        const std::size_t m = y.size();
        std::vector<Number> out;
        out.reserve(m);
        if constexpr (std::is_same_v<Number, double>) {
            out.assign(y.data(), y.data() + m);
        } else {
            const tensor<2> J = jacobian(f, v);
            for (std::size_t i = 0; i < m; ++i) {
                Number s = y.data()[i];
                for (std::size_t j = 0; j < n; ++j)
                    if (J(i, j) != 0.0) s += J(i, j) * (x[j] - v(j));  // x[j] - v(j) is 0 in value
                out.push_back(s);
            }
        }
        return out;
    }
};

/// Wraps tensor code f (rank-1 tensor -> tensor) as a jacobian_chain stage.
template <class F>
tensor_stage_fn<std::decay_t<F>> tensor_stage(F&& f) {
    return {std::forward<F>(f)};
}

}  // namespace duet
