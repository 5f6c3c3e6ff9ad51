// The control case: the same calls written correctly compile.
#include <duet/duet.hpp>
int main() {
    duet::dual<double, 2> a{1.0, {1.0, 0.0}}, b{2.0, {0.0, 1.0}};
    duet::dual<double, 2> c = a + b;
    auto g = duet::gradient(duet::reverse, [](auto x) { return x * x; }, 1.0);
    auto h = duet::gradient(duet::forward, [](auto x) { auto s = x; s += x * x; return s; }, 1.0);
    return (c.value() == 3.0 && g[0] == 2.0 && h[0] == 3.0) ? 0 : 1;
}
