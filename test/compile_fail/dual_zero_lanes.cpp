// expect: duet: duet::dual<T, N> needs at least one tangent lane \(N >= 1\)
#include <duet/forward/dual.hpp>
int main() {
    duet::dual<double, 0> x{1.0};
    (void)x;
}
