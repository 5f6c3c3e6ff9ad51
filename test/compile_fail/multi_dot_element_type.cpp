// expect: duet: duet::multi_dot multiplies float or double elements only \(BLAS\)
#include <duet/tensor/multi_dot.hpp>
int main() {
    const xt::xtensor<int, 2> a = xt::xtensor<int, 2>::from_shape({2, 2});
    auto p = duet::multi_dot(a, a);
    (void)p;
}
