// expect: assigns to a variable of its argument type
#include <duet/duet.hpp>
int main() {
    auto g = duet::gradient(duet::reverse, [](auto x) {
        auto s = x;
        s += x * x;  // a loop-style accumulation needs forward mode or the tape
        return s;
    }, 1.0);
    (void)g;
}
