// expect: different differentiation modes
#include <duet/duet.hpp>
int main() {
    duet::dual<double> a{1.0, 1.0};
    duet::static_var<double> b{2.0, 0};
    auto c = a * b;
    (void)c;
}
