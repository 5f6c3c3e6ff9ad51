// expect: different differentiation modes.*var<decltype
// A tape of doubles inside a forward derivative whose function uses x: a
// var<double> cannot carry x's tangent (its tape holds doubles). The
// sentence names the fix (a tape of the outer number type); the nestings
// that can be automatic are (test/forward/nested_tags.cpp).
#include <duet/duet.hpp>
int main() {
    double d = duet::derivative([](auto x) {
        duet::tape<double> tape;
        duet::var<double> v = 1.0;
        duet::var<double> y = x * v;
        tape.backward(y);
        return v.adjoint();
    }, 2.0);
    (void)d;
}
