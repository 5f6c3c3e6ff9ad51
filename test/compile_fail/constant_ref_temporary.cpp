// expect: deleted
#include <duet/duet.hpp>
int main() {
    // A temporary would be gone before the expression is evaluated.
    auto c = duet::constant_ref(duet::tensor<1>{1.0, 2.0});
    (void)c;
}
