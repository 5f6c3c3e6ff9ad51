// expect: cannot be called with duet::dual arguments
#include <duet/duet.hpp>
int main() {
    auto g = duet::gradient(duet::forward, [](double x) { return x * x; }, 1.0);
    (void)g;
}
