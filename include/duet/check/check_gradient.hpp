// Checking a gradient against central differences (the independent oracle:
// finite differences only ever call f with double).
//
//   auto report = duet::check_gradient(f, x...);  // same arguments as gradient
//   report.max_abs_error, report.max_rel_error, report.ok
//
// Numbers and containers need only this header (no xtensor). One tensor
// argument works too once drivers/tensor.hpp and
// check/finite_difference_tensor.hpp are included, before or after this
// header (<duet/tensor.hpp> has all three): both gradients are looked up
// when check_gradient is instantiated.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <type_traits>

#include "duet/check/finite_difference.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/scalar.hpp"

namespace duet {

namespace fd::detail {
// fd::gradient, looked up when check_gradient is instantiated: the call is
// unqualified from inside duet::fd, so argument-dependent lookup on the
// trailing fd::options also finds the overloads declared after this header
// (the tensor ones, check/finite_difference_tensor.hpp). duet::gradient
// reaches the container and tensor drivers the same way, through the mode tag.
template <class F, class... X>
auto gradient_for_check(const options& differences, F& f, const X&... x) {
    return gradient(f, x..., differences);
}
}  // namespace fd::detail

struct gradient_check_options {
    // ok when every component agrees to this relative error (relative to
    // max(|ad|, |fd|, 1), so it is absolute near zero). Central differences
    // with Richardson extrapolation reach about 1e-10 on smooth functions.
    double tolerance = 1e-7;
    fd::options differences{.richardson_levels = 2};
};

struct gradient_check {
    double max_abs_error = 0;
    double max_rel_error = 0;
    bool ok = true;
};

namespace detail {
template <class A, class B>
gradient_check compare_gradients(const A& ad, const B& fd_estimate, double tolerance) {
    gradient_check r;
    auto a = std::begin(ad);
    auto b = std::begin(fd_estimate);
    for (; a != std::end(ad) && b != std::end(fd_estimate); ++a, ++b) {
        const double x = static_cast<double>(*a), y = static_cast<double>(*b);
        const double abs_error = std::abs(x - y);
        const double rel_error = abs_error / std::max({std::abs(x), std::abs(y), 1.0});
        // A NaN anywhere is a failure, and makes the errors NaN.
        if (std::isnan(abs_error)) {
            r.max_abs_error = r.max_rel_error = abs_error;
            r.ok = false;
            continue;
        }
        r.max_abs_error = std::max(r.max_abs_error, abs_error);
        r.max_rel_error = std::max(r.max_rel_error, rel_error);
        if (rel_error > tolerance) r.ok = false;
    }
    return r;
}
}  // namespace detail

// The duet gradient (automatic mode) against central differences.
template <class F, class... X>
gradient_check check_gradient(const gradient_check_options& options, F&& f, const X&... x) {
    return detail::compare_gradients(gradient(f, x...),
                                     fd::detail::gradient_for_check(options.differences, f, x...),
                                     options.tolerance);
}

template <class F, class... X>
    requires(!std::is_same_v<std::remove_cvref_t<F>, gradient_check_options>)
gradient_check check_gradient(F&& f, const X&... x) {
    return check_gradient(gradient_check_options{}, f, x...);
}

}  // namespace duet
