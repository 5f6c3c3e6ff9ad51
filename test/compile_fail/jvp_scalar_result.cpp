// expect: duet: a vector function must return a container of scalars
// reject: no match for .operator\[\]
// jvp of a function returning one scalar: the sentence is the first error.
#include <duet/drivers/container.hpp>
#include <vector>
int main() {
    auto f = [](const auto& v) { return v[0] * v[1]; };
    auto j = duet::jvp(f, std::vector<double>{1.0, 2.0}, std::vector<double>{1.0, 0.0});
    (void)j;
}
