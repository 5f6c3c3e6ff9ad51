// The body every closed-form fuzz test shares: run one shape with the seed
// and case count from the environment (DUET_FUZZ_SEED, DUET_FUZZ_CLOSED_FORMS),
// print the counts, fail on each mismatch report.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <iostream>

#include "check.hpp"  // env_long, env_u64
#include "closed_forms.hpp"

namespace fuzz::closed {

// Run(seed, cases) -> counters: run_shape<...> of one shape.
template <class Run>
void run_case(const char* shape_name, Run&& run) {
    const std::uint64_t seed = fuzz::env_u64("DUET_FUZZ_SEED", 20261207);
    const long cases = fuzz::env_long("DUET_FUZZ_CLOSED_FORMS", 600);
    const auto c = run(seed, cases);
    std::cout << "closed forms, shape " << shape_name << " (seed " << seed << "): " << c.cases << " cases ("
              << c.rejected << " rejected), " << c.fd_checked << " partials against central differences ("
              << c.fd_skipped << " skipped), " << c.mismatches << " mismatches\n";
    for (const auto& r : c.reports) {
        std::cout << r << "\n";
        FAIL_CHECK(r);
    }
    CHECK(c.mismatches == 0);
    CHECK(c.cases * 10 >= cases * 9);
    CHECK(c.fd_checked * 2 >= c.cases);
}

}  // namespace fuzz::closed
