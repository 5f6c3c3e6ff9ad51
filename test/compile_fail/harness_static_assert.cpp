// expect: duet harness check
// Control case for the compile-fail harness (no duet headers): instantiating
// the template below must fail with the message matched on line 1.
template <class T>
constexpr bool always_false = false;

template <class T>
void must_fail() {
    static_assert(always_false<T>, "duet harness check: this must fail");
}

int main() { must_fail<int>(); }
