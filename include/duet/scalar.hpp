// duet for numbers and containers: everything of the duet::core component
// (CMake target duet::core: C++20 only, no xtensor, BLAS or Boost).
//
//   expressions and rules (core/), forward mode (dual<T, N>), the static
//   adjoint and the tape (var<T>), the drivers for scalar arguments and for
//   std::vector / std::array (value_and_gradient, gradient, derivative, jvp,
//   vjp), mode tags and the cost model, and the checks (fd:: central
//   differences and check_gradient) for numbers and containers.
//
// <duet/tensor.hpp> adds tensors, Jacobians and Hessians (xtensor);
// <duet/duet.hpp> adds the chain planner (Boost.Hana). doc/getting_started.md,
// "Components", lists which header needs which dependency.
#pragma once

#include "duet/check/check_gradient.hpp"
#include "duet/check/finite_difference.hpp"
#include "duet/core/custom.hpp"
#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/functions.hpp"
#include "duet/core/rules.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/cost_model.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/drivers/scalar.hpp"
#include "duet/forward/dual.hpp"
#include "duet/reverse/static_adjoint.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"
#include "duet/reverse/workspace.hpp"
