// expect: duet: this expression would hold more than 128 occurrences of variables
// The static adjoint sweeps one tree: a chain of named locals used twice
// that would exceed the limit cannot be split there.
#include <duet/duet.hpp>

int main() {
    auto f = [](auto x) {
        const auto t0 = x * 1.5;
        const auto t1 = t0 * t0;
        const auto t2 = t1 * t1;
        const auto t3 = t2 * t2;
        const auto t4 = t3 * t3;
        const auto t5 = t4 * t4;
        const auto t6 = t5 * t5;
        const auto t7 = t6 * t6;
        const auto t8 = t7 * t7;
        return t8;
    };
    return int(duet::derivative(duet::reverse, f, 1.0));
}
