// Ceres 2.1 ceres::Jet<double, N>: forward mode with a compile-time lane
// count N = 16, ceil(dimension/16) passes seeding 16 directions each (the
// blocked scheme of ceres::DynamicAutoDiffCostFunction, whose Stride is this
// N); for dimension <= 8 one pass with N = 2, 4 or 8 (the smallest that
// covers it). Only where forward_size_ok(n) (common.hpp).
#include <ceres/jet.h>

#include "peers/common.hpp"

namespace dp = duet_bench::peers;

namespace {

// ceres::Jet's scalar constructor is explicit, so "T s = 0.0;" in the generic
// sources does not compile for T = Jet. This adapter adds the implicit
// conversions (double -> jet, Jet -> jet); arithmetic and the math functions
// are Ceres' own, found through the Jet base class. Ceres 2.1's comparison
// operators are constrained on its PromotableJetOperands trait, which does not
// accept a class derived from Jet, so the adapter forwards them too (example2
// compares). Everything forwards to Ceres; nothing is recomputed here.
template <int L>
struct jet : ceres::Jet<double, L> {
    using base = ceres::Jet<double, L>;
    jet() = default;
    jet(double a) : base(a) {}       // NOLINT(google-explicit-constructor)
    jet(const base& b) : base(b) {}  // NOLINT(google-explicit-constructor)
    const base& jet_base() const { return *this; }
    friend bool operator<(const jet& a, const jet& b) { return a.jet_base() < b.jet_base(); }
    friend bool operator<=(const jet& a, const jet& b) { return a.jet_base() <= b.jet_base(); }
    friend bool operator>(const jet& a, const jet& b) { return a.jet_base() > b.jet_base(); }
    friend bool operator>=(const jet& a, const jet& b) { return a.jet_base() >= b.jet_base(); }
    friend bool operator==(const jet& a, const jet& b) { return a.jet_base() == b.jet_base(); }
    friend bool operator!=(const jet& a, const jet& b) { return a.jet_base() != b.jet_base(); }
};

template <class P, int L>
struct ceres_runner {
    using ad = jet<L>;
    std::vector<double> x, g;
    std::vector<ad> xa;
    double v = 0;
    explicit ceres_runner(const std::vector<double>& x0) : x(x0), g(x0.size()), xa(x0.size()) {}
    void run() {
        const std::size_t n = x.size();
        for (std::size_t i = 0; i < n; ++i) xa[i] = ad(x[i]);  // v = 0
        for (std::size_t first = 0; first < n; first += L) {
            const std::size_t last = std::min(n, first + L);
            for (std::size_t i = first; i < last; ++i) xa[i].v[Eigen::Index(i - first)] = 1.0;
            ad y = P::template f<ad>(xa);
            v = y.a;
            for (std::size_t i = first; i < last; ++i) g[i] = y.v[Eigen::Index(i - first)];
            for (std::size_t i = first; i < last; ++i) xa[i].v[Eigen::Index(i - first)] = 0.0;
        }
    }
    double value() const { return v; }
    const std::vector<double>& gradient() const { return g; }
};

template <class P, int L>
void register_ceres(std::size_t n) {
    dp::register_contender<P>("ceres", n, [](const std::vector<double>& x) {
        return std::make_unique<ceres_runner<P, L>>(x);
    });
}

}  // namespace

int main(int argc, char** argv) {
    dp::for_each_problem([](auto tag) {
        using P = typename decltype(tag)::type;
        for (std::size_t n : dp::run_sizes<P>()) {
            if (!dp::forward_size_ok<P>(n)) continue;
            dp::register_plain<P>(n);
            // Lanes: the smallest of 2, 4, 8, 16 that covers the dimension
            // (Jet<double, N> with N = dimension for the tiny examples).
            const std::size_t dim = P::dimension(n);
            if (dim <= 2)
                register_ceres<P, 2>(n);
            else if (dim <= 4)
                register_ceres<P, 4>(n);
            else if (dim <= 8)
                register_ceres<P, 8>(n);
            else
                register_ceres<P, 16>(n);
        }
    });
    return dp::run_main(argc, argv);
}
