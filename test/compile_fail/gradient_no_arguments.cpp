// expect: needs at least one argument to differentiate
#include <duet/duet.hpp>
int main() {
    auto g = duet::gradient([] { return 1.0; });
    (void)g;
}
