// expect: cannot be called with a container of duet::var / duet::dual numbers
// reject: no match for call|no matching function for call to object
#include <duet/duet.hpp>
#include <vector>
int main() {
    auto f = [](const std::vector<double>& v) { return v[0] * v[1]; };
    auto g = duet::gradient(f, std::vector<double>{1.0, 2.0});
    (void)g;
}
