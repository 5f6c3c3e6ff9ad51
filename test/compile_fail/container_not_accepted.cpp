// expect: scalar drivers take numbers
// reject: no match for call|no matching function for call to object
#include <duet/duet.hpp>
#include <list>
int main() {
    auto g = duet::gradient([](const auto& v) { return v.front(); }, std::list<double>{1.0, 2.0});
    (void)g;
}
