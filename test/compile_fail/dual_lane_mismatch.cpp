// expect: different numbers of tangent lanes
#include <duet/duet.hpp>
int main() {
    duet::dual<double, 2> a{1.0, {1.0, 0.0}};
    duet::dual<double, 3> b{2.0, {0.0, 1.0, 0.0}};
    auto c = a + b;
    (void)c;
}
