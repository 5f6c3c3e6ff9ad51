// Random closed forms through the static adjoint, shape B (three arguments,
// two unary slots: U and the op three places further in the list, one
// pairing per U to keep the compile time under a minute);
// see test/fuzz/closed_forms.hpp. Long run: DUET_FUZZ_CLOSED_FORMS=n
// (DUET_FUZZ_SEED=s).
#include <catch2/catch.hpp>

#include <iostream>

#include "check.hpp"  // env_long, env_u64
#include "closed_forms.hpp"

TEST_CASE("fuzz: closed forms, shape B, static reverse = forward = central differences", "[fuzz][static_reverse]") {
    const std::uint64_t seed = fuzz::env_u64("DUET_FUZZ_SEED", 20261207);
    const long cases = fuzz::env_long("DUET_FUZZ_CLOSED_FORMS", 600);
    const auto c = fuzz::closed::run_shape<fuzz::closed::shape_b, fuzz::closed::unary_count, fuzz::closed::unary_count,
                                          1, 3>(seed, cases);
    std::cout << "closed forms, shape B (seed " << seed << "): " << c.cases << " cases (" << c.rejected
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
