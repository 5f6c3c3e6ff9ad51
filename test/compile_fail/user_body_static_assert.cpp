// expect: the user's own error
// reject: cannot be called with duet
// An error inside a generic function is reported as itself, without a
// follow-up sentence claiming the function is not generic.
#include <duet/duet.hpp>
#include <vector>
template <class T>
void user_check() {
    static_assert(sizeof(T) == 0, "the user's own error");
}
int main() {
    auto g = duet::gradient([](auto x) { user_check<decltype(x)>(); return x; }, 1.0);
    auto h = duet::gradient([](const auto& v) { user_check<decltype(v)>(); return v[0]; },
                            std::vector<double>{1.0});
    (void)g;
    (void)h;
}
