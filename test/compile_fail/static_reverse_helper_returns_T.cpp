// expect: differentiates one closed-form expression. this function stores an expression
// A helper returning its argument type cannot hold the static adjoint's
// expression: the first error is duet's sentence.
#include <duet/duet.hpp>
template <class T>
T sq(const T& x) {
    return x * x;
}
int main() {
    auto g = duet::gradient(duet::reverse, [](auto x) { return sq(x) + x; }, 1.0);
    (void)g;
}
