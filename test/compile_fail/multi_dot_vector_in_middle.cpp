// expect: duet: in duet::multi_dot only the first and the last operand may be vectors \(rank 1\)
// A vector between two matrices is not a matrix chain (numpy rejects it too).
#include <duet/tensor/multi_dot.hpp>
int main() {
    const xt::xtensor<double, 2> a = xt::xtensor<double, 2>::from_shape({2, 3});
    const xt::xtensor<double, 1> v = xt::xtensor<double, 1>::from_shape({3});
    auto p = duet::multi_dot(a, v, a);
    (void)p;
}
