// expect: the function must return a scalar
#include <vector>
#include <duet/duet.hpp>
int main() {
    auto g = duet::gradient(duet::forward, [](auto x) { return std::vector<decltype(x)>{x, x}; }, 1.0);
    (void)g;
}
