// Sparsity detection: which entries of a Jacobian or Hessian may be nonzero,
// from ONE evaluation of f on sparsity tracers (sparse/tracer.hpp).
//
//   jacobian_sparsity(f, x) -> sparsity_pattern, m x n: (i, j) iff output i
//                              depends on input j
//   hessian_sparsity(f, x)  -> sparsity_pattern, n x n, symmetric (both
//                              triangles), f scalar
//
// f and x are what the container drivers take (drivers/container.hpp): f
// generic code on one container (std::vector, std::array, an Eigen vector
// with duet/eigen.hpp), x that container of floating-point numbers. f
// receives the container of jacobian_tracer<T> / hessian_tracer<T>.
//
// The patterns are structural and conservative: a dependence is kept even
// where its partial is zero at x (x * 0, abs at 0, relu below 0, both
// operands of max); a Hessian entry comes from every nonlinear interaction
// f computes, including those of intermediates that do not reach the
// output. Comparisons read values: the pattern is that of the branch f
// takes at x, valid at every point where f takes the same branches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "duet/core/error.hpp"
#include "duet/drivers/callable.hpp"
#include "duet/drivers/container.hpp"
#include "duet/sparse/pattern.hpp"
#include "duet/sparse/tracer.hpp"

namespace duet {
namespace detail {

// Whether f can be called with the container of tracers; if not, the
// sentence (the public functions then instantiate nothing else).
template <class F, class Tracers>
constexpr bool sparsity_callable() {
    constexpr bool ok = callable_with<F&, const Tracers&>;
    static_assert(ok, "duet: the function cannot be called with a container of duet sparsity tracers "
                      "(duet::jacobian_tracer / duet::hessian_tracer): its parameter has a fixed element "
                      "type; write it generically (auto parameters, or a template on the element type) "
                      "and take the container by const reference");
    return ok;
}

// x as a container of tracers, input j depending on itself.
template <class Tracer, class C>
auto tracer_inputs(std::string_view operation, const C& x) {
    const std::size_t n = size_of(x);
    if (n > std::numeric_limits<std::uint32_t>::max())
        throw_invalid_argument(operation, "x has ", n, " elements, more than the ",
                               std::numeric_limits<std::uint32_t>::max(), " a pattern can index");
    return build_container<rebind_container<C, Tracer>>(
        n, [&](std::size_t j) { return Tracer::independent(x[j], static_cast<std::uint32_t>(j)); });
}

}  // namespace detail

template <class F, container_argument C>
sparsity_pattern jacobian_sparsity(F&& f, const C& x) {
    using Tracer = jacobian_tracer<detail::container_number<C>>;
    sparsity_pattern p;
    if constexpr (detail::sparsity_callable<F, detail::rebind_container<C, Tracer>>()) {
        const auto xs = detail::tracer_inputs<Tracer>("jacobian_sparsity", x);
        const auto ys = f(xs);
        if constexpr (detail::require_vector_result<std::remove_cvref_t<decltype(ys)>>()) {
            p.rows = detail::size_of(ys);
            p.cols = detail::size_of(x);
            p.row_offsets.assign(p.rows + 1, 0);
            if constexpr (std::is_same_v<std::remove_cvref_t<decltype(ys[0])>, Tracer>) {
                std::size_t nonzeros = 0;
                for (std::size_t i = 0; i < p.rows; ++i) nonzeros += ys[i].dependencies().size();
                p.column_indices.reserve(nonzeros);
            }
            for (std::size_t i = 0; i < p.rows; ++i) {
                const Tracer yi = detail::as_number<Tracer>(ys[i]);
                p.column_indices.insert(p.column_indices.end(), yi.dependencies().begin(),
                                        yi.dependencies().end());
                p.row_offsets[i + 1] = p.column_indices.size();
            }
        }
    }
    return p;
}

template <class F, container_argument C>
sparsity_pattern hessian_sparsity(F&& f, const C& x) {
    using Tracer = hessian_tracer<detail::container_number<C>>;
    if constexpr (!detail::sparsity_callable<F, detail::rebind_container<C, Tracer>>()) {
        return {};
    } else {
        detail::hessian_recorder recorder;
        {
            const detail::hessian_recorder::scope active(recorder);
            const auto xs = detail::tracer_inputs<Tracer>("hessian_sparsity", x);
            // The result's own statement (f may return an expression) is
            // recorded too.
            const Tracer y = detail::as_number<Tracer>(f(xs));
            (void)y;
        }
        return recorder.pattern(detail::size_of(x));
    }
}

}  // namespace duet
