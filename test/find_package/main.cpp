// Compiles against an installed duet found with find_package(duet).
#include <duet/duet.hpp>

int main() {}
