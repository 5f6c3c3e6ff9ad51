// Compile cost of forward mode: the gradient of a 20-term expression with
// dual<double, 3> (all three directions in one pass). See README.md.
#include <array>

#include "duet/drivers/scalar.hpp"

#include "closed_form_20.hpp"

std::array<double, 3> compile_cost_forward(double x, double y, double z) {
    return duet::gradient(duet::forward, closed_form_20, x, y, z);
}
