// duet/chain/stage_pack.hpp -- the stages of a Jacobian chain, held by
// reference and called by run-time index with any number type (double,
// dual, var): values travel between stages as std::vector<Number>, or as
// std::array where sizes are static.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/chain/jacobian_chain_plan.hpp"
#include "duet/core/error.hpp"
#include "duet/drivers/container.hpp"
#include "duet/drivers/modes.hpp"

namespace duet::chain_detail {

// ---- running stages --------------------------------------------------------------

template <class Number, class R>
std::vector<Number> to_numbers(R&& ys) {
    if constexpr (std::is_same_v<std::remove_cvref_t<R>, std::vector<Number>>) {
        return std::vector<Number>(std::forward<R>(ys));
    } else {
        detail::require_vector_result<std::remove_cvref_t<R>>();
        std::vector<Number> out;
        out.reserve(std::size(ys));
        for (std::size_t i = 0; i < std::size(ys); ++i) out.push_back(detail::as_number<Number>(ys[i]));
        return out;
    }
}

// ---- static sizes: std::array inputs and stages ------------------------------
//
// Values travel between stages as std::vector<Number>. A stage is called with
// std::array<Number, S> instead when its input size S is known at compile
// time and it accepts that array: S of stage 1 is x's (x a std::array), S of
// stage l+1 is the size of stage l's result when that is a std::array.
// Otherwise (or when the stage takes only vectors) it gets the vector.

inline constexpr std::size_t no_static_size = std::size_t(-1);

template <class R>
constexpr std::size_t static_size_of() {
    if constexpr (requires { std::tuple_size<std::remove_cvref_t<R>>::value; })
        return std::tuple_size<std::remove_cvref_t<R>>::value;
    else
        return no_static_size;
}

template <class F, class Number, std::size_t S>
constexpr bool takes_array() {
    if constexpr (S == no_static_size)
        return false;
    else
        return std::is_invocable_v<F&, const std::array<Number, S>&>;
}

/// The argument type of stage F for values of type Number and input size S.
template <class F, class Number, std::size_t S>
using stage_argument = std::conditional_t<takes_array<F, Number, S>(),
                                          std::array<Number, (S == no_static_size ? 0 : S)>, std::vector<Number>>;

/// Static size of F's result for input size S (no_static_size: a run-time size).
template <class F, std::size_t S>
constexpr std::size_t static_output_size() {
    using A = stage_argument<F, double, S>;
    if constexpr (std::is_invocable_v<F&, const A&>)
        return static_size_of<std::invoke_result_t<F&, const A&>>();
    else
        return no_static_size;
}

template <std::size_t S, class F, class... Rest>
constexpr void fill_input_sizes(std::size_t* out) {
    *out = S;
    if constexpr (sizeof...(Rest) > 0) fill_input_sizes<static_output_size<F, S>(), Rest...>(out + 1);
}

/// Static input size of each stage (no_static_size where there is none).
template <std::size_t S0, class... Fs>
inline constexpr std::array<std::size_t, sizeof...(Fs)> stage_input_sizes = [] {
    std::array<std::size_t, sizeof...(Fs)> sizes{};
    fill_input_sizes<S0, Fs...>(sizes.data());
    return sizes;
}();

// The stages, held by reference, callable by run-time index. S0: the static
// size of x (no_static_size for a std::vector).
template <std::size_t S0, class... Fs>
struct stage_pack {
    std::tuple<Fs&...> fs;
    const std::vector<std::size_t>* dims = nullptr;  // checked when set

    static constexpr std::size_t size = sizeof...(Fs);

    template <class Number>
    std::vector<Number> run(std::size_t l, const std::vector<Number>& in) const {
        std::vector<Number> out;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (void)((l == I ? (call<I>(in, out), true) : false) || ...);
        }(std::index_sequence_for<Fs...>{});
        if (dims && out.size() != (*dims)[l + 1])
            detail::throw_invalid_argument("jacobian_chain", "stage ", l + 1, " returned ", out.size(),
                                           " values but the plan expects ", (*dims)[l + 1]);
        return out;
    }

private:
    template <std::size_t I, class Number>
    void call(const std::vector<Number>& in, std::vector<Number>& out) const {
        auto& f = std::get<I>(fs);
        using F = std::remove_reference_t<decltype(f)>;
        using A = stage_argument<F, Number, stage_input_sizes<S0, Fs...>[I]>;
        static_assert(std::is_invocable_v<F&, const A&>,
                      "duet: a jacobian_chain stage cannot be called with a std::vector (or, after a "
                      "std::array, a std::array) of duet::dual / duet::var numbers; write it generically "
                      "(auto parameter taken by const reference)");
        if constexpr (std::is_same_v<A, std::vector<Number>>) {
            out = to_numbers<Number>(f(in));
        } else {
            if (in.size() != std::tuple_size<A>::value)
                detail::throw_invalid_argument("jacobian_chain", "stage ", I + 1, " takes a std::array of ",
                                               std::tuple_size<A>::value, " values but was given ", in.size());
            const A arg = detail::build_container<A>(in.size(), [&](std::size_t i) { return in[i]; });
            out = to_numbers<Number>(f(arg));
        }
    }
};

/// Primal values: xs[0] = x, xs[l+1] = f_l(xs[l]).
template <class Pack, class X>
std::vector<std::vector<double>> primal_values(const Pack& fs, const X& x) {
    std::vector<std::vector<double>> xs;
    xs.reserve(Pack::size + 1);
    xs.emplace_back(std::begin(x), std::end(x));
    for (std::size_t l = 0; l < Pack::size; ++l) xs.push_back(fs.run(l, xs.back()));
    return xs;
}

template <class F>
concept chain_stage = !mode_tag<F> && !std::same_as<std::remove_cvref_t<F>, planned_t> &&
                      !std::same_as<std::remove_cvref_t<F>, jacobian_chain_options> &&
                      !std::same_as<std::remove_cvref_t<F>, jacobian_chain_plan>;

/// x of a chain: a std::vector<double> or a std::array<double, n>.
template <class X>
concept chain_input = container_argument<X> && std::same_as<detail::container_number<X>, double>;

template <class X, class... Fs>
using pack_for = stage_pack<static_size_of<X>(), std::remove_reference_t<Fs>...>;

template <class Strategy>
concept chain_strategy = mode_tag<Strategy> || std::same_as<std::remove_cvref_t<Strategy>, planned_t>;

}  // namespace duet::chain_detail
