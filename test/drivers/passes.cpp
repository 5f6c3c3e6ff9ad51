// The engine (drivers/passes.hpp): lane passes and seeded sweeps on their
// own, against hand-computed Jacobian products; with_lanes never exceeds its
// maximum; every seed kind gives S's columns / W's rows.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
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

namespace {

// m outputs of n inputs with the statements the tape sweeps differently: a
// long accumulation (s += in place), named temporaries used once and twice,
// a repeated leaf, sqrt at 0 (an infinite partial on a branch that reaches
// some outputs with a zero adjoint), an input used by no output.
template <class T>
std::vector<duet::var<T>> awkward_outputs(const std::vector<duet::var<T>>& x, std::size_t m) {
    using V = duet::var<T>;
    const std::size_t n = x.size();
    V s = T(0);
    for (std::size_t i = 0; i + 1 < n; ++i) s += x[i] * x[i + 1];
    const V root = sqrt(x[0] - x[0]);  // sqrt(0): partial +inf
    std::vector<V> y;
    for (std::size_t o = 0; o < m; ++o) {
        const V z = (x[o % n] - T(0.5)) / x[(o + 1) % n];
        V out = z * z + sin(x[(o + 2) % n]) * s;
        if (o % 3 == 0) out += T(0) * root;  // the strong-zero rule decides this entry
        if (o % 4 == 1) out = out * exp(z) - log(x[(o + 3) % n] * x[(o + 3) % n]);
        y.push_back(out);
    }
    return y;
}

// Unit rows swept in lanes (the drivers sweep unit rows one per sweep,
// drivers/passes.hpp sweep_lane_cap; the lane sweep must seed them right).
struct unit_rows_in_lanes : duet::detail::unit_rows {
    static constexpr std::size_t max_sweep_lanes = 8;
};

// Bits equal, NaN payloads aside (a NaN equals a NaN).
template <class T>
bool same_bits(T a, T b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return a == b && std::signbit(a) == std::signbit(b);
}

template <class T, class Rows>
void check_lanes_against_single_sweeps(const std::vector<T>& x, std::size_t m, const Rows& rows) {
    duet::with_workspace_tape<T>([&](duet::tape<T>& t) {
        const std::size_t n = x.size();
        const auto make = duet::detail::register_independents<T>(n, [&](std::size_t i) { return x[i]; });
        std::vector<duet::var<T>> xs;
        for (std::size_t i = 0; i < n; ++i) xs.push_back(make(i));
        const auto ys = awkward_outputs(xs, m);
        const duet::detail::tape_recording<T> recording{duet::detail::first_index(xs), n, ys};

        std::vector<std::vector<T>> lanes(rows.count()), single(rows.count());
        duet::detail::reverse_sweeps(t, recording, rows, [&](std::size_t r, std::span<const T> a) {
            lanes[r].assign(a.begin(), a.end());
        });
        auto collect = [&](std::size_t r, std::span<const T> a) { single[r].assign(a.begin(), a.end()); };
        for (std::size_t r = 0; r < rows.count(); ++r) duet::detail::reverse_sweep(t, recording, rows, r, collect);
        for (std::size_t r = 0; r < rows.count(); ++r) {
            REQUIRE(lanes[r].size() == n);
            for (std::size_t j = 0; j < n; ++j) {
                INFO("row " << r << " of " << rows.count() << ", input " << j << ": " << lanes[r][j] << " vs "
                            << single[r][j]);
                CHECK(same_bits(lanes[r][j], single[r][j]));
            }
        }
    });
}

}  // namespace

TEST_CASE("passes: sweeps with 2, 4 and 8 adjoint lanes are bitwise the one-row sweeps") {
    // p = 2 .. 19 rows: every lane count, full and partly idle last blocks;
    // the lane counts are those with_sweep_lanes picks.
    CHECK(duet::detail::with_sweep_lanes<double, duet::detail::unit_rows>(9, []<std::size_t L>() { return L; }) == 1);
    CHECK(duet::detail::with_sweep_lanes<double, unit_rows_in_lanes>(9, []<std::size_t L>() { return L; }) == 8);
    CHECK(duet::detail::with_sweep_lanes<double, unit_rows_in_lanes>(4, []<std::size_t L>() { return L; }) == 4);
    CHECK(duet::detail::with_sweep_lanes<double, unit_rows_in_lanes>(2, []<std::size_t L>() { return L; }) == 2);
    CHECK(duet::detail::with_sweep_lanes<duet::dual<double>, unit_rows_in_lanes>(9, []<std::size_t L>() { return L; }) == 1);
    const std::vector<double> x{0.7, -1.3, 0.4, 2.5, 1.1, -0.6, 3.0};
    for (std::size_t m = 2; m <= 19; ++m) {
        check_lanes_against_single_sweeps<double>(x, m, unit_rows_in_lanes{{m}});
        // Weighted rows, one of them all zero, one with an infinite and one
        // with a NaN weight (lanes whose adjoint is not finite).
        std::vector<double> w(5 * m);
        for (std::size_t i = 0; i < w.size(); ++i) w[i] = (i % 3 == 0) ? 0.0 : double(i % 7) - 2.5;
        for (std::size_t o = 0; o < m; ++o) w[2 * m + o] = 0.0;
        w[3 * m] = std::numeric_limits<double>::infinity();
        w[4 * m + m - 1] = std::numeric_limits<double>::quiet_NaN();
        const matrix W{5, m, w};
        check_lanes_against_single_sweeps<double>(x, m, duet::detail::matrix_rows<matrix>{W, 5, m});
    }
    // float, and an input that is NaN / infinite.
    const std::vector<float> xf{0.7f, -1.3f, 0.4f, 2.5f, 1.1f};
    check_lanes_against_single_sweeps<float>(xf, 11, unit_rows_in_lanes{{11}});
    std::vector<double> wf(6 * 11);
    for (std::size_t i = 0; i < wf.size(); ++i) wf[i] = double(i % 5) - 1.5;
    const matrix Wf{6, 11, wf};
    check_lanes_against_single_sweeps<float>(xf, 11, duet::detail::matrix_rows<matrix>{Wf, 6, 11});
    std::vector<double> bad = x;
    bad[3] = std::numeric_limits<double>::quiet_NaN();
    bad[5] = std::numeric_limits<double>::infinity();
    check_lanes_against_single_sweeps<double>(bad, 9, unit_rows_in_lanes{{9}});
}
