// Umbrella header of sparse derivatives (doc/sparse.md): sparsity patterns
// and their detection, colourings, sparse matrices, and the compressed
// drivers sparse_jacobian / sparse_hessian (with their plans). Part of the
// core component: no xtensor.
#pragma once

#include "duet/sparse/pattern.hpp"
#include "duet/sparse/sparsity.hpp"
#include "duet/sparse/tracer.hpp"
#include "duet/sparse/coloring.hpp"
#include "duet/sparse/sparse_matrix.hpp"
#include "duet/sparse/sparse_jacobian.hpp"
#include "duet/sparse/sparse_hessian.hpp"
