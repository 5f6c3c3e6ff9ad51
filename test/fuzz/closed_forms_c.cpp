// Random closed forms through the static adjoint, shape C (one argument, a local used four times, slots B and U);
// see test/fuzz/closed_forms.hpp. Long run: DUET_FUZZ_CLOSED_FORMS=n
// (DUET_FUZZ_SEED=s).
#include "closed_forms_case.hpp"

TEST_CASE("fuzz: closed forms, shape C, static reverse = forward = central differences", "[fuzz][static_reverse]") {
    fuzz::closed::run_case("C", [](std::uint64_t seed, long cases) {
        return fuzz::closed::run_shape<fuzz::closed::shape_c, fuzz::closed::binary_count, fuzz::closed::unary_count>(seed, cases);
    });
}
