// The engine (drivers/passes.hpp): lane passes and seeded sweeps on their
// own, against hand-computed Jacobian products; with_lanes never exceeds its
// maximum; every seed kind gives S's columns / W's rows.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "duet/drivers/passes.hpp"
#include "duet/reverse/workspace.hpp"

namespace {

// f(x) = (x0 x1, sin(x2), x0 + 2 x2): J = [[x1, x0, 0], [0, 0, cos x2], [1, 0, 2]].
template <class V>
std::vector<typename V::value_type> f3(const V& x) {
    using T = typename V::value_type;
    return {T(x[0] * x[1]), T(sin(x[2])), T(x[0] + 2.0 * x[2])};
}

const std::vector<double> x0{0.7, -1.3, 0.4};
double J(std::size_t i, std::size_t j) {
    const double rows[3][3] = {{x0[1], x0[0], 0.0}, {0.0, 0.0, std::cos(x0[2])}, {1.0, 0.0, 2.0}};
    return rows[i][j];
}

struct matrix {
    std::size_t rows, cols;
    std::vector<double> data;
    double operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

template <std::size_t MaxLanes, class Directions>
std::vector<std::vector<double>> push(const Directions& directions, std::size_t q) {
    std::vector<std::vector<double>> out(3, std::vector<double>(q, -99.0));
    duet::detail::forward_lane_passes<MaxLanes, duet::detail::dual_family<double>>(
        directions,
        [&]<class D>(std::type_identity<D>) {
            std::vector<D> xs;
            for (double v : x0) xs.emplace_back(v);
            return xs;
        },
        [](const auto& xs) { return f3(xs); },
        [&]<class D>(std::type_identity<D>, const std::vector<D>& ys, std::size_t first, std::size_t count) {
            REQUIRE(count <= D::lanes);
            for (std::size_t i = 0; i < 3; ++i)
                for (std::size_t l = 0; l < count; ++l) out[i][first + l] = ys[i].tangent(l);
        });
    return out;
}

}  // namespace

TEST_CASE("passes: with_lanes picks 1, 2, 4 or Max lanes, never more than Max") {
    auto lanes_for = []<std::size_t Max>(std::size_t q) {
        return duet::detail::with_lanes<Max>(q, []<std::size_t L>() { return L; });
    };
    CHECK(lanes_for.operator()<8>(0) == 1);
    CHECK(lanes_for.operator()<8>(1) == 1);
    CHECK(lanes_for.operator()<8>(2) == 2);
    CHECK(lanes_for.operator()<8>(3) == 4);
    CHECK(lanes_for.operator()<8>(4) == 4);
    CHECK(lanes_for.operator()<8>(5) == 8);
    CHECK(lanes_for.operator()<8>(100) == 8);
    CHECK(lanes_for.operator()<1>(5) == 1);
    CHECK(lanes_for.operator()<2>(5) == 2);
    CHECK(lanes_for.operator()<4>(100) == 4);
}

TEST_CASE("passes: for_each_lane_block covers 0 .. q-1 once, in order") {
    for (std::size_t q : {0u, 1u, 7u, 8u, 9u, 33u})
        for (std::size_t lanes : {1u, 3u, 8u}) {
            std::vector<int> seen(q, 0);
            std::size_t next = 0;
            duet::detail::for_each_lane_block(q, lanes, [&](std::size_t first, std::size_t count) {
                CHECK(first == next);
                CHECK(count >= 1);
                CHECK(count <= lanes);
                for (std::size_t j = first; j < first + count; ++j) ++seen[j];
                next = first + count;
            });
            CHECK(next == q);
            for (int s : seen) CHECK(s == 1);
        }
}

TEST_CASE("passes: forward lane passes give J S for unit, matrix and vector seeds at every width") {
    // Unit directions: J itself, with 1, 2 and 8 lanes (3 directions: 3, 2
    // and 1 passes).
    auto check_unit = [&](const std::vector<std::vector<double>>& out) {
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j < 3; ++j) CHECK(out[i][j] == J(i, j));
    };
    check_unit(push<1>(duet::detail::unit_directions{3}, 3));
    check_unit(push<2>(duet::detail::unit_directions{3}, 3));
    check_unit(push<8>(duet::detail::unit_directions{3}, 3));

    // A 3 x 5 seed matrix S: J S, 5 directions in 2-lane passes (the last
    // pass half idle) and in one 8-lane pass.
    const matrix S{3, 5, {1, 0, 2, -1, 0.5, 0, 1, 3, 0, -2, 4, 0, 1, 1, 0.25}};
    for (const auto& out : {push<2>(duet::detail::matrix_directions<matrix>{S, 3, 5}, 5),
                            push<8>(duet::detail::matrix_directions<matrix>{S, 3, 5}, 5)})
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t c = 0; c < 5; ++c) {
                double expected = 0;
                for (std::size_t k = 0; k < 3; ++k) expected += J(i, k) * S(k, c);
                CHECK(out[i][c] == Approx(expected).epsilon(1e-15));
            }

    // One direction v: J v.
    const std::vector<double> v{0.5, -2.0, 3.0};
    const auto out = push<1>(duet::detail::vector_direction<std::vector<double>>{v, 3}, 1);
    for (std::size_t i = 0; i < 3; ++i)
        CHECK(out[i][0] == Approx(J(i, 0) * v[0] + J(i, 1) * v[1] + J(i, 2) * v[2]).epsilon(1e-15));
}

TEST_CASE("passes: reverse sweeps give W J for unit, matrix and vector rows over one recording") {
    duet::with_workspace_tape<double>([&](duet::tape<double>& t) {
        const auto make = duet::detail::register_independents<double>(3, [](std::size_t i) { return x0[i]; });
        std::vector<duet::var<double>> xs;
        for (std::size_t i = 0; i < 3; ++i) xs.push_back(make(i));
        const std::vector<duet::var<double>> ys = f3(xs);
        const duet::detail::tape_recording<double> recording{duet::detail::first_index(xs), 3, ys};

        std::vector<std::vector<double>> rows;
        auto collect = [&](std::size_t r, std::span<const double> adjoints) {
            CHECK(r == rows.size());
            rows.emplace_back(adjoints.begin(), adjoints.end());
        };
        duet::detail::reverse_sweeps(t, recording, duet::detail::unit_rows{3}, collect);
        REQUIRE(rows.size() == 3);
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j < 3; ++j) CHECK(rows[i][j] == J(i, j));

        rows.clear();
        const matrix W{2, 3, {1, 2, 0, 0, -1, 0.5}};
        duet::detail::reverse_sweeps(t, recording, duet::detail::matrix_rows<matrix>{W, 2, 3}, collect);
        REQUIRE(rows.size() == 2);
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t j = 0; j < 3; ++j) {
                double expected = 0;
                for (std::size_t k = 0; k < 3; ++k) expected += W(r, k) * J(k, j);
                CHECK(rows[r][j] == Approx(expected).epsilon(1e-15));
            }

        // A row of zeros seeds nothing and sweeps nothing: zero adjoints.
        rows.clear();
        const std::vector<double> zero{0.0, 0.0, 0.0};
        duet::detail::reverse_sweeps(t, recording, duet::detail::vector_row<std::vector<double>>{zero, 3}, collect);
        REQUIRE(rows.size() == 1);
        for (double a : rows[0]) CHECK(a == 0.0);
    });
}
