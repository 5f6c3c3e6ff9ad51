// duet: forward and reverse automatic differentiation over one set of
// expression templates. This umbrella header brings in everything public:
// <duet/tensor.hpp> (itself <duet/scalar.hpp> plus tensors) and the chain
// planner (CMake target duet::duet, or duet::chain: + Boost.Hana).
#pragma once

#include "duet/tensor.hpp"

#include "duet/chain/chain_order.hpp"
#include "duet/chain/jacobian_chain.hpp"
#include "duet/chain/tensor_stage.hpp"
#include "duet/sparse.hpp"
