// Helpers for the tensor tests: random tensors, central differences, the
// scalar-mode (dual number) reference gradient and the dot-product identity.
#pragma once

#include <cmath>
#include <cstddef>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include <duet/duet.hpp>

#include "../support/numeric.hpp"

namespace duet_test {

template <std::size_t K>
using tensor = xt::xtensor<double, K>;

template <std::size_t K>
tensor<K> random_tensor(std::mt19937& rng, const typename tensor<K>::shape_type& shape,
                        double lo = -1.0, double hi = 1.0) {
    std::uniform_real_distribution<double> dist(lo, hi);
    auto t = tensor<K>::from_shape(shape);
    for (auto& v : t) v = dist(rng);
    return t;
}

// All arguments' elements, concatenated in argument order, row-major.
template <std::size_t... K>
std::vector<double> flatten_all(const tensor<K>&... x) {
    std::vector<double> out;
    (out.insert(out.end(), x.begin(), x.end()), ...);
    return out;
}
template <class... T>
std::vector<double> flatten_tuple(const std::tuple<T...>& t) {
    return std::apply([](const auto&... x) { return flatten_all(x...); }, t);
}
// A gradient (one tensor, or a tuple of them) flattened.
template <class G>
std::vector<double> flat(const G& g) {
    if constexpr (requires { std::tuple_size<G>::value; })
        return flatten_tuple(g);
    else
        return flatten_all(g);
}

// The value of a plain run of a scalar tensor function: a number, or a
// rank-0 xtensor expression.
template <class R>
double plain_value(const R& r) {
    if constexpr (std::is_arithmetic_v<R>)
        return static_cast<double>(r);
    else if constexpr (requires { static_cast<double>(r()); })
        return static_cast<double>(r());  // a rank-0 expression's element
    else
        return tensor<0>(r)();
}

// Central differences of a scalar function of tensors (called with plain
// xtensors), all arguments' elements in order.
template <class F, std::size_t... K>
std::vector<double> central_differences(F f, const tensor<K>&... x0) {
    constexpr double h = 1e-6;
    std::tuple<tensor<K>...> x{x0...};
    std::vector<double> out;
    auto value = [&] { return plain_value(std::apply(f, x)); };
    auto per_argument = [&](auto& xi) {
        for (std::size_t j = 0; j < xi.size(); ++j) {
            const double keep = xi.data()[j];
            xi.data()[j] = keep + h;
            const double up = value();
            xi.data()[j] = keep - h;
            const double down = value();
            xi.data()[j] = keep;
            out.push_back((up - down) / (2 * h));
        }
    };
    std::apply([&](auto&... xi) { (per_argument(xi), ...); }, x);
    return out;
}

// Scalar forward mode: the gradient of g(std::vector<dual<double, L>>) over
// the flat inputs, L directions per pass.
template <std::size_t L = 16, class G>
std::vector<double> scalar_forward_gradient(G g, const std::vector<double>& flat) {
    using D = duet::dual<double, L>;
    std::vector<double> out(flat.size());
    for (std::size_t start = 0; start < flat.size(); start += L) {
        std::vector<D> xs;
        for (std::size_t i = 0; i < flat.size(); ++i) {
            std::array<double, L> t{};
            if (i >= start && i < start + L) t[i - start] = 1.0;
            xs.emplace_back(flat[i], t);
        }
        const D r = g(xs);
        for (std::size_t l = 0; l < L && start + l < flat.size(); ++l) out[start + l] = r.tangent(l);
    }
    return out;
}

inline bool all_agree(const std::vector<double>& a, const std::vector<double>& b, double rel) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!agree(a[i], b[i], rel)) return false;
    return true;
}

inline double inner(const double* a, const double* b, std::size_t n) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

// Tangent seeds for every argument at once (u_I for variable I).
template <std::size_t... K>
struct all_seeds {
    const std::tuple<tensor<K>...>* u;
    template <std::size_t J>
    const auto* get() const {
        return &std::get<J>(*u);
    }
};

// <J u, w> and <u, Jᵀ w> for the tensor function f at x, with random u and
// w: one tangent pass and one adjoint sweep over the same value cache.
template <class F, std::size_t... K>
std::pair<double, double> dot_product_identity(F f, std::mt19937& rng, const tensor<K>&... x) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        const auto e = f(duet::tensor_var<K, I>{&x}...);
        const auto cache = duet::evaluate(e);
        const std::tuple<tensor<K>...> u{random_tensor<K>(rng, x.shape())...};
        const auto t = duet::tangent(cache, all_seeds<K...>{&u});
        const auto& y = cache.value();
        const auto w = random_tensor<std::remove_cvref_t<decltype(y)>::rank>(rng, y.shape());
        const double lhs = t.is_zero() ? 0.0 : inner(t.get()->data(), w.data(), w.size());
        duet::detail::tensor_driver::gradient_sink<K...> sink(x...);
        duet::sweep(cache, w, sink);
        sink.zero_untouched();
        const double rhs = (inner(std::get<I>(u).data(), std::get<I>(sink.gradients).data(),
                                  std::get<I>(u).size()) +
                            ...);
        return std::pair{lhs, rhs};
    }(std::index_sequence_for<decltype(x)...>{});
}

}  // namespace duet_test
