// Tensors through xtensor: nodes, evaluation (value cache, adjoint sweep,
// tangent pass) and every tensor operation. Values are xt::xtensor<double, K>.
#pragma once

#include "duet/tensor/elementwise.hpp"
#include "duet/tensor/evaluate.hpp"
#include "duet/tensor/indexing.hpp"
#include "duet/tensor/linear_algebra.hpp"
#include "duet/tensor/nodes.hpp"
#include "duet/tensor/reductions.hpp"
#include "duet/tensor/xtensor_spelling.hpp"
