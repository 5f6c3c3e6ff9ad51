// duet/chain/chain_order.hpp -- optimal bracketing of a matrix chain.
//
// A chain of k matrices M_0 M_1 ... M_{k-1} is described by k + 1 sizes
// d_0 ... d_k: matrix i is d_i x d_{i+1}. Multiplying an (m x n) by an (n x p)
// matrix costs m*n*p multiply-adds, so the bracketing decides the total cost:
// for A (m x n), B (n x p), C (p x 1), (AB)C costs mnp + mp but A(BC) costs
// np + mn. chain_order finds a cheapest bracketing by dynamic programming
// over sub-chains, O(k^3) time and O(k^2) memory.
//
//   duet::chain_plan p = duet::chain_order({30, 35, 15, 5, 10, 20, 25});
//   p.cost == 15125;  p.str() == "((A(BC))((DE)F))";  p.split(0, 5) == 2;
//
//   constexpr auto q = duet::chain_order(duet::dims<30, 35, 15, 5, 10, 20, 25>{});
//   static_assert(q.cost == 15125 && q.str_view() == "((A(BC))((DE)F))");
//
// One constexpr implementation (basic_chain_plan) serves both cases; only the
// storage differs: basic_chain_plan<std::dynamic_extent> (alias chain_plan)
// keeps its tables in std::vector, basic_chain_plan<K> (alias
// static_chain_plan<K>) in std::array, so it can live in a constexpr variable.
// A static plan converts implicitly to a chain_plan. Everything but the hana
// tuple overload lives in duet/tensor/chain_plan.hpp, which needs no Boost;
// duet::multi_dot (duet/tensor/multi_dot.hpp) includes only that part.
//
// Entry points, by how much is known at compile time:
//   chain_order(range of integers), chain_order({...})   -> chain_plan
//   chain_order(std::array<Int, k + 1>)                  -> static_chain_plan<k>,
//                                       constexpr when the sizes are constants
//   chain_order(duet::dims<...>{}), chain_order(std::integer_sequence),
//   chain_order(hana::make_tuple(hana::size_c<30>, ...)), chain_order_v<...>
//                                   -> static_chain_plan<k>, always computed
//                                      at compile time
//   chain_order(hana tuple holding run-time integers)    -> static_chain_plan<k>
//
// Conventions
// - Costs are multiply-adds in std::uint64_t and saturate at its maximum
//   instead of wrapping (such a chain could not be multiplied anyway).
// - Ties between equally cheap splits go to the smallest split index, so a
//   plan is a deterministic function of the sizes.
// - Names in str(): A, B, ..., Z for up to 26 matrices; for longer chains
//   every matrix is named M1, M2, ..., Mk (1-based, like the matrix numbers
//   in duet::multi_dot's error messages). split() and evaluate() use 0-based
//   indices.
// - Zero sizes are accepted: they describe empty matrices, whose products are
//   well defined and cost nothing under the m*n*p model. Fewer than 2 sizes,
//   or a negative size, throw std::invalid_argument (a compile error when the
//   sizes are compile-time constants).
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "duet/tensor/chain_plan.hpp"

namespace duet {

/// Sizes as a boost::hana tuple. If every element carries its value in its
/// type (hana::size_c<30>, std::integral_constant<std::size_t, 30>), the plan
/// is computed at compile time; otherwise (plain integers) at run time.
template <class... Ts>
    requires((chain_detail::static_dimension<Ts> || chain_detail::dimension_integer<Ts>) && ...)
constexpr auto chain_order(const boost::hana::tuple<Ts...>& dims) {
    static_assert(sizeof...(Ts) >= 2,
                  "duet: duet::chain_order needs k + 1 sizes for a chain of k matrices; give at least 2");
    if constexpr ((chain_detail::static_dimension<Ts> && ...)) {
        static_assert((std::cmp_greater_equal(std::remove_cvref_t<Ts>::value, 0) && ...),
                      "duet: duet::chain_order got a negative size; matrix sizes cannot be negative");
        return chain_order_v<static_cast<std::size_t>(std::remove_cvref_t<Ts>::value)...>;
    } else {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return chain_order(std::array<std::size_t, sizeof...(Ts)>{
                chain_detail::to_dimension(boost::hana::at_c<I>(dims), I)...});
        }(std::index_sequence_for<Ts...>{});
    }
}

}  // namespace duet
