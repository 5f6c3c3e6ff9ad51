// What duet::automatic means: one policy for every driver, the table of
// doc/modes.md. Every driver that takes `automatic` asks automatic_mode.
//
//   arguments   derivative          automatic resolves to
//   scalars     gradient/derivative forward: one pass of n lanes; the static
//                                   adjoint would be as fast for n this small
//                                   but accepts only one expression, forward
//                                   accepts any code
//   container   gradient (m = 1)    the cost model: choose_jacobian_mode(n, 1)
//   container   jacobian            the cost model: choose_jacobian_mode(n, m)
//                                   (m learned first: container_jacobian.hpp)
//   container   hessian             reverse (forward-over-reverse: ceil(n/L)
//                                   recordings; forward-over-forward takes
//                                   O((n/L)^2) passes)
//   container   sparse jacobian     the cost model on the colourings:
//                                   choose_sparse_jacobian_mode(generic(),
//                                   column colours, row colours)
//                                   (automatic_sparse_jacobian_mode)
//   tensor      gradient, jacobian  the tensor cost model: a tangent direction
//                                   and an adjoint sweep each cost about one
//                                   evaluation of the tree, so forward iff
//                                   n < m (a gradient: reverse)
//   chain       jacobian_chain      planned (chain/jacobian_chain.hpp)
#pragma once

#include <cstddef>

#include "duet/drivers/cost_model.hpp"
#include "duet/drivers/modes.hpp"

namespace duet {

enum class argument_kind { scalars, container, tensor };
enum class derivative_kind { gradient, jacobian, hessian };

// The mode duet::automatic runs for an m x n derivative (m = 1: a gradient;
// a Hessian is n x n).
constexpr mode_choice automatic_mode(argument_kind arguments, derivative_kind derivative, std::size_t n,
                                     std::size_t m = 1) noexcept {
    if (derivative == derivative_kind::hessian) return mode_choice::reverse;
    switch (arguments) {
    case argument_kind::scalars:
        return mode_choice::forward;
    case argument_kind::tensor:
        if (derivative == derivative_kind::gradient) return mode_choice::reverse;
        return n < m ? mode_choice::forward : mode_choice::reverse;
    case argument_kind::container:
        break;
    }
    return choose_jacobian_mode(n, derivative == derivative_kind::gradient ? 1 : m);
}

// The mode duet::automatic runs for a sparse Jacobian computed by
// compression (sparse/sparse_jacobian.hpp): q column colours (forward
// directions) against p row colours (reverse sweeps).
constexpr mode_choice automatic_sparse_jacobian_mode(std::size_t column_colors, std::size_t row_colors) noexcept {
    return choose_sparse_jacobian_mode(jacobian_cost_model::generic(), column_colors, row_colors);
}

}  // namespace duet
