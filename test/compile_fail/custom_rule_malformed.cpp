// expect: a unary rule for duet::apply_rule needs const or static members value\(x\) and derivative\(x, y\)
// A rule without its derivative: one sentence naming the members a rule needs.
#include <cmath>

#include <duet/duet.hpp>

struct no_derivative_rule {
    static double value(double x) { return std::expint(x); }
};

int main() {
    auto d = duet::derivative([](auto x) { return duet::apply_rule(no_derivative_rule{}, x); }, 1.0);
    (void)d;
}
