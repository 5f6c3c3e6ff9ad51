// Random closed forms through the static adjoint, shape A (two arguments, slots: a unary function U and a binary function B);
// see test/fuzz/closed_forms.hpp. Long run: DUET_FUZZ_CLOSED_FORMS=n
// (DUET_FUZZ_SEED=s).
#include "closed_forms_case.hpp"

TEST_CASE("fuzz: closed forms, shape A, static reverse = forward = central differences", "[fuzz][static_reverse]") {
    fuzz::closed::run_case("A", [](std::uint64_t seed, long cases) {
        return fuzz::closed::run_shape<fuzz::closed::shape_a, fuzz::closed::unary_count, fuzz::closed::binary_count>(seed, cases);
    });
}
