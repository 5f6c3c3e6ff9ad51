// Compile cost of including <duet/tensor.hpp> alone:
// the duet::tensor umbrella. Defines nothing; see README.md.
#include <duet/tensor.hpp>
