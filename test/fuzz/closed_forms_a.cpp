// Random closed forms through the static adjoint, shape A (two arguments, slots: a unary function U and a binary function B);
// see test/fuzz/closed_forms.hpp. Long run: DUET_FUZZ_CLOSED_FORMS=n
// (DUET_FUZZ_SEED=s).
#include <catch2/catch.hpp>

#include <iostream>

#include "check.hpp"  // env_long, env_u64
#include "closed_forms.hpp"

TEST_CASE("fuzz: closed forms, shape A, static reverse = forward = central differences", "[fuzz][static_reverse]") {
    const std::uint64_t seed = fuzz::env_u64("DUET_FUZZ_SEED", 20261207);
    const long cases = fuzz::env_long("DUET_FUZZ_CLOSED_FORMS", 600);
    const auto c = fuzz::closed::run_shape<fuzz::closed::shape_a, fuzz::closed::unary_count, fuzz::closed::binary_count>(seed, cases);
    std::cout << "closed forms, shape A (seed " << seed << "): " << c.cases << " cases (" << c.rejected
              << " rejected), " << c.fd_checked << " partials against central differences (" << c.fd_skipped
              << " skipped), " << c.mismatches << " mismatches\n";
    for (const auto& r : c.reports) {
        std::cout << r << "\n";
        FAIL_CHECK(r);
    }
    CHECK(c.mismatches == 0);
    CHECK(c.cases * 10 >= cases * 9);
    CHECK(c.fd_checked * 2 >= c.cases);
}
