// expect: assigns to a variable of its argument type
#include <duet/duet.hpp>
int main() {
    auto g = duet::gradient(duet::reverse, [](auto x) {
        using T = decltype(x);
        T s = 0;
        for (int i = 0; i < 3; ++i) s += x * x;
        return s;
    }, 1.0);
    (void)g;
}
