// duet with tensors: everything of the duet::tensor component (CMake target
// duet::tensor = duet::core + xtensor, xtensor-blas and BLAS).
//
//   <duet/scalar.hpp>, tensor expressions over xtensor (tensor/), the tensor
//   drivers, the Jacobian and Hessian of containers (xt::xtensor results),
//   multi_dot, the shape convention, and the checks that take or return
//   tensors (fd:: tensor gradients, jacobian, hessian; check_gradient of a
//   tensor).
//
// <duet/duet.hpp> adds the chain planner (Boost.Hana).
#pragma once

#include "duet/scalar.hpp"

#include "duet/check/finite_difference_tensor.hpp"
#include "duet/drivers/container_jacobian.hpp"
#include "duet/drivers/compare_modes.hpp"
#include "duet/drivers/hessian.hpp"
#include "duet/drivers/tensor.hpp"
#include "duet/tensor/multi_dot.hpp"
#include "duet/tensor/shape.hpp"
#include "duet/tensor/tensor.hpp"
