// Sacado (Trilinos 13.2) contenders:
//   sacado_rad  - Sacado::Rad::ADvar<double> (templated RAD, reverse): make
//                 the independents, evaluate, ADvar::Gradcomp(), read adj().
//                 RAD recycles its memory blocks on the first allocation after
//                 Gradcomp, so a new recording per call is its normal use.
//   sacado_dfad - Sacado::Fad::DFad<double>, all n directions in one pass.
//   sacado_sfad - Sacado::Fad::SFad<double, 16>: 16 directions per pass,
//                 ceil(n/16) passes (the compile-time-lane "per direction"
//                 style: cost grows like n/16 evaluations).
// Forward contenders only where forward_size_ok(n) (common.hpp).
#include <Sacado.hpp>

#include "peers/common.hpp"

namespace dp = duet_bench::peers;

namespace {

template <class P>
struct rad_runner {
    using ad = Sacado::Rad::ADvar<double>;
    std::vector<double> x, g;
    std::vector<ad> xa;
    double v = 0;
    explicit rad_runner(const std::vector<double>& x0) : x(x0), g(x0.size()), xa(x0.size()) {}
    void run() {
        for (std::size_t i = 0; i < x.size(); ++i) xa[i] = x[i];  // new independent variables
        ad y = P::template f<ad>(xa);
        ad::Gradcomp();
        v = y.val();
        for (std::size_t i = 0; i < x.size(); ++i) g[i] = xa[i].adj();
    }
    double value() const { return v; }
    const std::vector<double>& gradient() const { return g; }
};

template <class P>
struct dfad_runner {
    using ad = Sacado::Fad::DFad<double>;
    std::vector<double> x, g;
    std::vector<ad> xa;
    double v = 0;
    explicit dfad_runner(const std::vector<double>& x0) : x(x0), g(x0.size()), xa(x0.size()) {}
    void run() {
        const int n = static_cast<int>(x.size());
        for (int i = 0; i < n; ++i) xa[i] = ad(n, i, x[i]);  // x_i with dx = e_i
        ad y = P::template f<ad>(xa);
        v = y.val();
        for (int i = 0; i < n; ++i) g[i] = y.size() ? y.fastAccessDx(i) : 0.0;
    }
    double value() const { return v; }
    const std::vector<double>& gradient() const { return g; }
};

template <class P, int L>
struct sfad_runner {
    using ad = Sacado::Fad::SFad<double, L>;
    std::vector<double> x, g;
    std::vector<ad> xa;
    double v = 0;
    explicit sfad_runner(const std::vector<double>& x0) : x(x0), g(x0.size()), xa(x0.size()) {}
    void run() {
        const std::size_t n = x.size();
        for (std::size_t i = 0; i < n; ++i) xa[i] = ad(x[i]);  // dx = 0
        for (std::size_t first = 0; first < n; first += L) {
            const std::size_t last = std::min(n, first + L);
            for (std::size_t i = first; i < last; ++i) xa[i].fastAccessDx(int(i - first)) = 1.0;
            ad y = P::template f<ad>(xa);
            v = y.val();
            for (std::size_t i = first; i < last; ++i) g[i] = y.fastAccessDx(int(i - first));
            for (std::size_t i = first; i < last; ++i) xa[i].fastAccessDx(int(i - first)) = 0.0;
        }
    }
    double value() const { return v; }
    const std::vector<double>& gradient() const { return g; }
};

// Sacado's operators return expression objects holding their operands by
// reference (Fad) or references to tape nodes (Rad): a function returning
// `auto` would hand out dangling expressions. Every problem's f returns T
// (the worked examples convert inside their closed form, problems/common.hpp
// as_result), so all problems run with every Sacado type.

template <class R>
auto maker() {
    return [](const std::vector<double>& x) { return std::make_unique<R>(x); };
}

}  // namespace

int main(int argc, char** argv) {
    dp::for_each_problem([](auto tag) {
        using P = typename decltype(tag)::type;
        for (std::size_t n : dp::run_sizes<P>()) {
            dp::register_plain<P>(n);
            dp::register_contender<P>("sacado_rad", n, maker<rad_runner<P>>());
            if (dp::forward_size_ok<P>(n)) {
                dp::register_contender<P>("sacado_dfad", n, maker<dfad_runner<P>>());
                dp::register_contender<P>("sacado_sfad", n, maker<sfad_runner<P, 16>>());
            }
        }
    });
    return dp::run_main(argc, argv);
}
