// Compile cost of including <duet/duet.hpp> alone:
// everything. Defines nothing; see README.md.
#include <duet/duet.hpp>
