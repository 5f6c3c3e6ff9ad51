// expect: different differentiation modes
// A dual and a tape variable cannot meet: the var's tape holds doubles.
#include <duet/duet.hpp>
int main() {
    duet::tape<double> tape;
    duet::dual<double> a{1.0, 1.0};
    duet::var<double> b = 2.0;
    auto c = a * b;
    (void)c;
}
