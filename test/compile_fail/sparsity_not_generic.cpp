// expect: duet: the function cannot be called with a container of duet sparsity tracers
// reject: no match for call
// jacobian_sparsity of a function with a fixed element type: the sentence is
// the first error.
#include <duet/sparse/sparsity.hpp>
#include <vector>
int main() {
    auto p = duet::jacobian_sparsity([](const std::vector<double>& x) { return x; }, std::vector<double>{1.0, 2.0});
    (void)p;
}
