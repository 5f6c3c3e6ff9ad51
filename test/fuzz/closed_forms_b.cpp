// Random closed forms through the static adjoint, shape B (three arguments,
// two unary slots: U and the op three places further in the list, one
// pairing per U to keep the compile time under a minute);
// see test/fuzz/closed_forms.hpp. Long run: DUET_FUZZ_CLOSED_FORMS=n
// (DUET_FUZZ_SEED=s).
#include "closed_forms_case.hpp"

TEST_CASE("fuzz: closed forms, shape B, static reverse = forward = central differences", "[fuzz][static_reverse]") {
    fuzz::closed::run_case("B", [](std::uint64_t seed, long cases) {
        return fuzz::closed::run_shape<fuzz::closed::shape_b, fuzz::closed::unary_count, fuzz::closed::unary_count,
                                          1, 3>(seed, cases);
    });
}
