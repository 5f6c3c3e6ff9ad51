// expect: this rule for duet::apply_rule takes plain numbers only \(e\.g\. double\), so it gives first derivatives only
// A custom rule written for double only, used in a Hessian (nested
// differentiation): one sentence, at the apply_rule call.
#include <cmath>
#include <vector>

#include <duet/duet.hpp>

struct expint_rule {
    static double value(double x) { return std::expint(x); }
    static double derivative(double x, double) { return std::exp(x) / x; }
};

int main() {
    auto f = [](const auto& v) { return duet::apply_rule(expint_rule{}, v[0] * v[1]); };
    auto H = duet::hessian(f, std::vector<double>{1.0, 2.0});
    (void)H;
}
