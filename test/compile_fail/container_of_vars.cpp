// expect: this one holds duet numbers
// A container of vars (inside a tape function) handed to another driver.
#include <duet/duet.hpp>
#include <vector>
int main() {
    auto g = duet::gradient(duet::reverse, [](const auto& v) {
        auto inner = duet::gradient(duet::forward, [](const auto& w) { return w[0] * w[0]; }, v);
        return v[0] * inner[0];
    }, std::vector<double>{1.0, 2.0});
    (void)g;
}
