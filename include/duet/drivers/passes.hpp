// The engine under every driver: the two loops that turn one mode's number
// type into derivatives.
//
//   forward_lane_passes  seed L tangent lanes of the inputs with L of the q
//                        directions (columns of a seed matrix S, n x q), run
//                        the function, collect L columns of J S; ceil(q / L)
//                        passes reusing one container of duals.
//   reverse_sweeps       given a recording (inputs registered first, outputs
//                        as vars), seed the outputs with one row of weights
//                        (a row of W, p x m), sweep, collect one row of W J;
//                        p sweeps over the one recording.
//
// Directions and rows come in three kinds: unit (S or W the identity: the
// full Jacobian), a matrix (the chain's products), one vector (jvp / vjp).
// The container drivers (gradient, jacobian, jvp, vjp), the Hessians
// (forward-over-reverse is a lane pass whose body records and sweeps) and
// jacobian_chain's push-forward and pull-back steps all run these two loops;
// the tensor drivers block their tensor tangents with for_each_lane_block.
// No xtensor here: results are written through the collect callbacks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "duet/forward/dual.hpp"
#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"

namespace duet::detail {

// ---- lanes -------------------------------------------------------------------

// Runs body.template operator()<L>() with the smallest lane count in
// {1, 2, 4, Max} that covers q directions in one pass, never more than Max
// (Max when q > Max).
template <std::size_t Max, class Body>
decltype(auto) with_lanes(std::size_t q, Body&& body) {
    static_assert(Max >= 1, "duet: a forward pass needs at least one lane");
    if constexpr (Max > 4) {
        if (q > 4) return body.template operator()<Max>();
    }
    if constexpr (Max >= 4) {
        if (q > 2) return body.template operator()<4>();
    }
    if constexpr (Max >= 2) {
        if (q > 1) return body.template operator()<2>();
    }
    return body.template operator()<1>();
}

// body(first, count) for the blocks [first, first + count) of `lanes`
// directions covering 0 .. q - 1 (count < lanes only for the last block).
template <class Body>
void for_each_lane_block(std::size_t q, std::size_t lanes, Body&& body) {
    for (std::size_t first = 0; first < q; first += lanes) body(first, std::min(lanes, q - first));
}

// The dual numbers of L lanes a pass uses: Family::template lanes<L>.
template <class T, class Tag = void>
struct dual_family {
    template <std::size_t L>
    using lanes = dual<T, L, Tag>;
};

// ---- seed directions (columns of S, n x q) --------------------------------------
// seed<L>(xs, first) writes lanes 0 .. L-1 of every input's tangent with
// directions first .. first + L - 1 (0 past the last direction). The inputs
// start with zero tangents; the passes call seed with first = 0, L, 2L, ...
// in that order.

// S = I: direction j is e_j (q = n). Moves the L ones instead of rewriting
// the n x L tangents.
struct unit_directions {
    std::size_t n;
    std::size_t count() const { return n; }
    template <std::size_t L, class Inputs>
    void seed(Inputs& xs, std::size_t first) const {
        if (first > 0)
            for (std::size_t l = 0; l < L && first - L + l < n; ++l) xs[first - L + l].tangent(l) = 0;
        for (std::size_t l = 0; l < L && first + l < n; ++l) xs[first + l].tangent(l) = 1;
    }
};

// S a matrix with S(i, j) (n x q).
template <class Matrix>
struct matrix_directions {
    const Matrix& s;
    std::size_t n, q;
    std::size_t count() const { return q; }
    template <std::size_t L, class Inputs>
    void seed(Inputs& xs, std::size_t first) const {
        using T = std::remove_cvref_t<decltype(xs[0].tangent(0))>;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t l = 0; l < L; ++l) xs[i].tangent(l) = first + l < q ? T(s(i, first + l)) : T(0);
    }
};

// One direction v (q = 1).
template <class Vector>
struct vector_direction {
    const Vector& v;
    std::size_t n;
    std::size_t count() const { return 1; }
    template <std::size_t L, class Inputs>
    void seed(Inputs& xs, std::size_t) const {
        using T = std::remove_cvref_t<decltype(xs[0].tangent(0))>;
        for (std::size_t i = 0; i < n; ++i) xs[i].tangent(0) = T(v[i]);
    }
};

// ---- the forward lane passes ----------------------------------------------------

// With L = with_lanes<MaxLanes>(q) and D = Family::lanes<L>:
//   xs = make_inputs(std::type_identity<D>{})   values set, tangents 0
//   per pass: directions.seed<L>(xs, first);
//             collect(std::type_identity<D>{}, pass(xs), first, count)
// where count (<= L) is the number of lanes holding directions. At least one
// pass runs (q == 0 still evaluates, for the value).
template <std::size_t MaxLanes, class Family, class Directions, class MakeInputs, class Pass, class Collect>
void forward_lane_passes(const Directions& directions, MakeInputs&& make_inputs, Pass&& pass, Collect&& collect) {
    const std::size_t q = directions.count();
    with_lanes<MaxLanes>(q, [&]<std::size_t L>() {
        using D = typename Family::template lanes<L>;
        auto xs = make_inputs(std::type_identity<D>{});
        std::size_t first = 0;
        do {
            directions.template seed<L>(xs, first);
            collect(std::type_identity<D>{}, pass(std::as_const(xs)), first, std::min(L, q - std::min(q, first)));
            first += L;
        } while (first < q);
    });
}

// ---- seed rows (rows of W, p x m) ---------------------------------------------
// weight(r, o): the weight of output o in row r. Zero weights are not seeded
// (a sweep seeded only with zeros does not run).

struct unit_rows {
    std::size_t m;
    std::size_t count() const { return m; }
    static constexpr bool unit = true;
};

template <class Matrix>
struct matrix_rows {
    const Matrix& w;
    std::size_t p, m;
    std::size_t count() const { return p; }
    static constexpr bool unit = false;
    auto weight(std::size_t r, std::size_t o) const { return w(r, o); }
};

template <class Vector>
struct vector_row {
    const Vector& w;
    std::size_t m;
    std::size_t count() const { return 1; }
    static constexpr bool unit = false;
    auto weight(std::size_t, std::size_t o) const { return w[o]; }
};

// ---- the reverse sweeps -------------------------------------------------------

// A function recorded on a tape: its n inputs are statements first_input ..
// first_input + n - 1; its outputs are vars on the same tape (a view: the
// caller owns them, so a gradient's one output needs no allocation).
template <class T>
struct tape_recording {
    std::size_t first_input = 0;
    std::size_t inputs = 0;
    std::span<const var<T>> outputs;
};

// A recording that owns its outputs (a vector function).
template <class T>
struct recorded_function {
    std::size_t first_input = 0;
    std::size_t inputs = 0;
    std::vector<var<T>> outputs;
    tape_recording<T> view() const { return {first_input, inputs, outputs}; }
};

// For each row r of rows: adjoints = 0, seed the outputs with row r, sweep
// from the highest seeded statement down (statements recorded after it
// cannot reach it), collect(r, adjoints of the inputs).
template <class T, class Rows, class Collect>
void reverse_sweeps(tape<T>& t, const tape_recording<T>& recording, const Rows& rows, Collect&& collect) {
    const auto& outputs = recording.outputs;
    for (std::size_t r = 0; r < rows.count(); ++r) {
        t.zero_adjoints();
        std::size_t end = 0;
        if constexpr (Rows::unit) {
            t.seed(outputs[r]);
            end = std::size_t(outputs[r].index()) + 1;
        } else {
            for (std::size_t o = 0; o < outputs.size(); ++o) {
                const T w = T(rows.weight(r, o));
                if (w == T(0)) continue;
                t.seed(outputs[o], w);
                end = std::max(end, std::size_t(outputs[o].index()) + 1);
            }
        }
        t.backward_from(end);
        collect(r, t.adjoints(recording.first_input, recording.inputs));
    }
}

// ---- inputs ----------------------------------------------------------------------

// Registers n inputs as independent variables on the active tape in one step
// (statements first .. first + n - 1, in index order) and returns make(i),
// the var of input i with value value(i). make refers to the tape and holds
// a copy of value (which may refer to the inputs).
template <class T, class Value>
auto register_independents(std::size_t n, Value value) {
    tape<T>& t = active_tape_or_throw<T>();
    const std::size_t first = t.new_independents(n);
    return [&t, value, first](std::size_t i) {
        return registered_var<T>::make(t, T(value(i)), tape_index(first + i));
    };
}

// The statement of the first of a sequence of freshly registered inputs (0 if
// there are none).
template <class Vars>
std::size_t first_index(const Vars& xs) {
    return std::size(xs) == 0 ? 0 : std::size_t(xs[0].index());
}

}  // namespace duet::detail
