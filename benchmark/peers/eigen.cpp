// Eigen 3.4 unsupported AutoDiff: Eigen::AutoDiffScalar<Eigen::VectorXd>,
// forward mode with all n directions in one pass (the module's documented
// use: seed x_i with the unit vector e_i, read y.derivatives()).
// Only where forward_size_ok(n) (common.hpp).
#include <Eigen/Core>  // must precede the unsupported module
#include <unsupported/Eigen/AutoDiff>

#include "peers/common.hpp"

namespace dp = duet_bench::peers;

namespace {

template <class P>
struct eigen_runner {
    using ad = Eigen::AutoDiffScalar<Eigen::VectorXd>;
    std::vector<double> x, g;
    std::vector<ad> xa;
    double v = 0;
    explicit eigen_runner(const std::vector<double>& x0) : x(x0), g(x0.size()), xa(x0.size()) {}
    void run() {
        const Eigen::Index n = static_cast<Eigen::Index>(x.size());
        for (Eigen::Index i = 0; i < n; ++i) xa[std::size_t(i)] = ad(x[std::size_t(i)], n, i);  // dx = e_i
        ad y = P::template f<ad>(xa);
        v = y.value();
        // An output that does not depend on x keeps an empty derivative vector.
        for (Eigen::Index i = 0; i < n; ++i) g[std::size_t(i)] = y.derivatives().size() ? y.derivatives()[i] : 0.0;
    }
    double value() const { return v; }
    const std::vector<double>& gradient() const { return g; }
};

}  // namespace

int main(int argc, char** argv) {
    dp::for_each_problem([](auto tag) {
        using P = typename decltype(tag)::type;
        for (std::size_t n : dp::run_sizes<P>()) {
            if (!dp::forward_size_ok<P>(n)) continue;
            dp::register_plain<P>(n);
            dp::register_contender<P>("eigen", n, [](const std::vector<double>& x) {
                return std::make_unique<eigen_runner<P>>(x);
            });
        }
    });
    return dp::run_main(argc, argv);
}
