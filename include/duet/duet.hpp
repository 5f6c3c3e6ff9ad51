// duet: forward and reverse automatic differentiation over one set of
// expression templates. This umbrella header brings in everything public.
#pragma once

#include "duet/chain/chain_order.hpp"
#include "duet/chain/jacobian_chain.hpp"
#include "duet/chain/multi_dot.hpp"
#include "duet/check/check_gradient.hpp"
#include "duet/check/finite_difference.hpp"
#include "duet/core/evaluate.hpp"
#include "duet/core/expression.hpp"
#include "duet/core/functions.hpp"
#include "duet/core/rules.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/modes.hpp"
#include "duet/drivers/scalar.hpp"
#include "duet/drivers/tensor.hpp"
#include "duet/forward/dual.hpp"
#include "duet/reverse/static_adjoint.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"
#include "duet/shape.hpp"
#include "duet/tensor/tensor.hpp"
