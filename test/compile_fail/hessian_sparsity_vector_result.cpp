// expect: duet: the function must return a scalar
// hessian_sparsity of a function returning a vector: the sentence is the
// first error.
#include <duet/sparse/sparsity.hpp>
#include <vector>
int main() {
    auto f = [](const auto& x) { return std::vector<std::decay_t<decltype(x[0])>>{x[0] * x[1]}; };
    auto p = duet::hessian_sparsity(f, std::vector<double>{1.0, 2.0});
    (void)p;
}
