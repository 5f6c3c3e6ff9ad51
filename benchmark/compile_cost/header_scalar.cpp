// Compile cost of including <duet/scalar.hpp> alone:
// the duet::core umbrella (no xtensor, BLAS or Boost). Defines nothing; see README.md.
#include <duet/scalar.hpp>
