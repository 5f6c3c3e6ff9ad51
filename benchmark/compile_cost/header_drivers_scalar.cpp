// Compile cost of including <duet/drivers/scalar.hpp> alone:
// the scalar drivers alone. Defines nothing; see README.md.
#include <duet/drivers/scalar.hpp>
