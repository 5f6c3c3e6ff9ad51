// Tests for duet::special::polygamma / digamma / trigamma (core/special.hpp).
// Reference values were computed with mpmath at 40 significant digits and are
// quoted to 20; the function's contract is a relative error below 1e-14
// (see the header for where that does not apply: near the zeros that ψ^(k)
// has on the negative axis for even k).
#include <catch2/catch.hpp>

#include <duet/core/special.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace {

using duet::special::digamma;
using duet::special::polygamma;
using duet::special::trigamma;

constexpr double contract_tolerance = 1e-14;
constexpr double epsilon = std::numeric_limits<double>::epsilon();
constexpr double euler_gamma = 0.57721566490153286061;
constexpr double zeta3 = 1.2020569031595942854;

double relative_error(double computed, double expected) {
    if (computed == expected) return 0.0;
    return std::abs(computed - expected) / std::abs(expected);
}

// |a - b| measured against the larger magnitude of the terms of an identity.
double error_against_scale(double a, double b, double scale) { return std::abs(a - b) / scale; }

struct reference_value {
    int k;
    double x;
    double value;
};

// polygamma(k, x) to 20 digits (mpmath), k = 0..4.
const std::vector<reference_value> references = {
    {0, 1e-08, -1.0000000057721564636e+8},
    {0, 0.001, -1.0005755719318102797e+3},
    {0, 0.1, -1.0423754940411076232e+1},
    {0, 0.25, -4.2274535333762654081},
    {0, 0.5, -1.9635100260214234794},
    {0, 0.75, -1.0858608797864721696},
    {0, 1.0, -5.7721566490153286061e-1},
    {0, 1.25, -2.2745353337626540809e-1},
    {0, 1.4616321449683622, -9.2412655217294275168e-17},
    {0, 1.5, 3.6489973978576520559e-2},
    {0, 2.0, 4.2278433509846713939e-1},
    {0, 2.5, 7.0315664064524318723e-1},
    {0, 3.0, 9.2278433509846713939e-1},
    {0, 4.5, 1.3888709263595289015},
    {0, 7.25, 1.9104535268837360284},
    {0, 9.999, 2.2516474172057353142},
    {0, 10.0, 2.2517525890667211076},
    {0, 10.5, 2.3030010342976863753},
    {0, 13.0, 2.5259950133091453501},
    {0, 19.75, 2.957623449378863672},
    {0, 20.0, 2.9705239922421490509},
    {0, 33.3, 3.4904672385202427773},
    {0, 100.0, 4.6001618527380874002},
    {0, 1234.5678, 7.1180711735895709377},
    {0, 100000.0, 1.1512920464961895087e+1},
    {0, 1000000.0, 1.3815510057964190771e+1},
    {0, -1e-06, 9.9999942278269020845e+5},
    {0, -0.1, 9.2450730500529480423},
    {0, -0.5, 3.6489973978576520559e-2},
    {0, -0.75, -2.8941202000429320748},
    {0, -1.25, 3.7141391202135278304},
    {0, -1.5, 7.0315664064524318723e-1},
    {0, -2.5, 1.1031566406452431872},
    {0, -3.75, -1.6923885983113303432},
    {0, -10.1, 1.203005224854830926e+1},
    {0, -37.5, 3.6376150112630050787},
    {0, -100.3, 6.895643124860435035},
    {0, -1234.56, 6.5195840083070353574},
    {0, -99999.5, 1.1512925464974395087e+1},
    {1, 1e-08, 1.0000000000000001226e+16},
    {1, 0.001, 1.0000016425331958273e+6},
    {1, 0.1, 1.014332991507927477e+2},
    {1, 0.25, 1.7197329154507110739e+1},
    {1, 0.5, 4.9348022005446793094},
    {1, 0.75, 2.5418796476716064984},
    {1, 1.0, 1.6449340668482264365},
    {1, 1.25, 1.1973291545071107393},
    {1, 1.4616321449683622, 9.67672245447621255e-1},
    {1, 1.5, 9.3480220054467930942e-1},
    {1, 2.0, 6.4493406684822643647e-1},
    {1, 2.5, 4.9035775610023486497e-1},
    {1, 3.0, 3.9493406684822643647e-1},
    {1, 4.5, 2.4872510303901037518e-1},
    {1, 7.25, 1.4787923315893216965e-1},
    {1, 9.999, 1.0517738667672886215e-1},
    {1, 10.0, 1.0516633568168574612e-1},
    {1, 10.5, 9.9916956059126733204e-2},
    {1, 13.0, 7.9957428427323946306e-2},
    {1, 19.75, 5.1936380707078334318e-2},
    {1, 20.0, 5.1270822935203119832e-2},
    {1, 33.3, 3.048544409533888779e-2},
    {1, 100.0, 1.0050166663333571395e-2},
    {1, 1234.5678, 8.1032820504731579731e-4},
    {1, 100000.0, 1.0000050000166666667e-5},
    {1, 1000000.0, 1.0000005000001666667e-6},
    {1, -1e-06, 1.000000000001645027e+12},
    {1, -0.1, 1.0192253995947719243e+2},
    {1, -0.5, 8.9348022005446793094},
    {1, -0.75, 1.8975106932284888517e+1},
    {1, -1.25, 1.9181879647671606498e+1},
    {1, -1.5, 9.3792466449891237539},
    {1, -2.5, 9.5392466449891237539},
    {1, -3.75, 1.9504980060599575273e+1},
    {1, -10.1, 1.0326156923946724557e+2},
    {1, -37.5, 9.843290129933684716},
    {1, -100.3, 1.5069493149244011019e+1},
    {1, -1234.56, 1.0227944246628746069e+1},
    {1, -99999.5, 9.8695944010893587022},
    {2, 1e-08, -1.9999999999999998745e+24},
    {2, 0.001, -2.0000000023976321648e+9},
    {2, 0.1, -2.0018614573783436732e+3},
    {2, 0.25, -1.2932773993753692033e+2},
    {2, 0.5, -1.6828796644234319996e+1},
    {2, 0.75, -5.3026332163376396314},
    {2, 1.0, -2.4041138063191885708},
    {2, 1.25, -1.3277399375369203333},
    {2, 1.4616321449683622, -8.8552633796718436031e-1},
    {2, 1.5, -8.287966442343199956e-1},
    {2, 2.0, -4.041138063191885708e-1},
    {2, 2.5, -2.36204051641727403e-1},
    {2, 3.0, -1.541138063191885708e-1},
    {2, 4.5, -6.1556821321027694549e-2},
    {2, 7.25, -2.1828952295197739222e-2},
    {2, 9.999, -1.1052155237122937696e-2},
    {2, 10.0, -1.1049834970802067462e-2},
    {2, 10.5, -9.9751442477151692853e-3},
    {2, 13.0, -6.3897979615915045325e-3},
    {2, 19.75, -2.6967823480254760222e-3},
    {2, 20.0, -2.6281224023146545934e-3},
    {2, 33.3, -9.2929036781151728158e-4},
    {2, 100.0, -1.01004999833349997e-4},
    {2, 1234.5678, -6.5663176396477623134e-7},
    {2, 100000.0, -1.00001000005e-10},
    {2, 1000000.0, -1.0000010000005e-12},
    {2, -1e-06, 2.0000000000000002691e+18},
    {2, -0.1, 1.996798202956204947e+3},
    {2, -0.5, -8.287966442343199956e-1},
    {2, -0.75, -1.2458699919679617959e+2},
    {2, -1.25, 1.2372136678366236037e+2},
    {2, -1.5, -2.36204051641727403e-1},
    {2, -2.5, -1.08204051641727403e-1},
    {2, -3.75, -1.2407972713378925405e+2},
    {2, -10.1, 1.9986507800707020888e+3},
    {2, -37.5, -6.9240092776455769818e-4},
    {2, -100.3, 6.8837445297961501033e+1},
    {2, -1234.56, -1.2259997920183562195e+1},
    {2, -99999.5, -9.99999999975e-11},
    {3, 1e-08, 5.9999999999999994979e+32},
    {3, 0.001, 6.0000000000064686145e+12},
    {3, 0.1, 6.0004512876790253384e+4},
    {3, 0.25, 1.538782144009188396e+3},
    {3, 0.5, 9.7409091034002437236e+1},
    {3, 0.75, 1.976331253485059976e+1},
    {3, 1.0, 6.4939394022668291491},
    {3, 1.25, 2.7821440091883960228},
    {3, 1.4616321449683622, 1.5509985657339064395},
    {3, 1.5, 1.4090910340024372364},
    {3, 2.0, 4.939394022668291491e-1},
    {3, 2.5, 2.2390584881725205126e-1},
    {3, 3.0, 1.189394022668291491e-1},
    {3, 4.5, 3.0322508542366586865e-2},
    {3, 7.25, 6.4330375979401566587e-3},
    {3, 9.999, 2.3206313884573803265e-3},
    {3, 10.0, 2.3199013042898683856e-3},
    {3, 10.5, 1.9900862371443542479e-3},
    {3, 13.0, 1.0207413792189741186e-3},
    {3, 19.75, 2.7999661754072098547e-4},
    {3, 20.0, 2.6937422133963891459e-4},
    {3, 33.3, 5.6650890622924352939e-5},
    {3, 100.0, 2.0301999900013330334e-6},
    {3, 1234.5678, 1.0641743608795319634e-9},
    {3, 100000.0, 2.0000300002e-15},
    {3, 1000000.0, 2.000003000002e-18},
    {3, -1e-06, 6.000000000000001086e+24},
    {3, -0.1, 6.0009739014093763407e+4},
    {3, -0.5, 1.9340909103400243724e+2},
    {3, -0.75, 1.557745106972151359e+3},
    {3, -1.25, 1.5582209125348505998e+3},
    {3, -1.5, 1.9459427621918762242e+2},
    {3, -2.5, 1.9474787621918762242e+2},
    {3, -3.75, 1.558520092024034342e+3},
    {3, -10.1, 6.001425021906146855e+4},
    {3, -37.5, 1.9481814563215601835e+2},
    {3, -100.3, 7.6902091238084328259e+2},
    {3, -1234.56, 2.2394942202880212925e+2},
    {3, -99999.5, 1.9481818206800487247e+2},
    {4, 1e-08, -2.3999999999999997489e+41},
    {4, 0.001, -2.4000000000000022267e+16},
    {4, 0.1, -2.4000156072031951988e+6},
    {4, 0.25, -2.4584375388637933734e+4},
    {4, 0.5, -7.7147424982666722519e+2},
    {4, 0.75, -1.0280060581541747254e+2},
    {4, 1.0, -2.4886266123440878232e+1},
    {4, 1.25, -8.3753886379337335582},
    {4, 1.4616321449683622, -3.9346249306177578958},
    {4, 1.5, -3.4742498266672251905},
    {4, 2.0, -8.8626612344087823195e-1},
    {4, 2.5, -3.1375599950673136338e-1},
    {4, 3.0, -1.3626612344087823195e-1},
    {4, 4.5, -2.2300753478290832644e-2},
    {4, 7.25, -2.8387579634221853594e-3},
    {4, 9.999, -7.302371934895941884e-4},
    {4, 10.0, -7.299311682352866345e-4},
    {4, 10.5, -5.9506011900940675656e-4},
    {4, 13.0, -2.4445943341713877535e-4},
    {4, 19.75, -4.3596716218509185758e-5},
    {4, 20.0, -4.1405977726396668471e-5},
    {4, 33.3, -5.1798803526279371683e-6},
    {4, 100.0, -6.1209999300119967013e-8},
    {4, 1234.5678, -2.5869910744517982615e-12},
    {4, 100000.0, -6.0001200009999999999e-20},
    {4, 1000000.0, -6.00001200001e-24},
    {4, -1e-06, 2.400000000000000543e+31},
    {4, -0.1, 2.3999582275538267997e+6},
    {4, -0.5, -3.4742498266672251905},
    {4, -0.75, -2.4483239586168797931e+4},
    {4, -1.25, 2.4481063714184582527e+4},
    {4, -1.5, -3.1375599950673136338e-1},
    {4, -2.5, -6.7995999506731363375e-2},
    {4, -3.75, -2.4481592377214742693e+4},
    {4, -10.1, 2.3999738342852967726e+6},
    {4, -37.5, -2.8758509419657733521e-6},
    {4, -100.3, 9.7387603017963210438e+3},
    {4, -1234.56, -1.0208486496799685498e+3},
    {4, -99999.5, -5.9999999995000000001e-20},
};

}  // namespace

TEST_CASE("polygamma matches 20-digit references for k = 0..4", "[special]") {
    double worst = 0.0;
    for (const auto& [k, x, value] : references) {
        INFO("k = " << k << ", x = " << x);
        const double error = relative_error(polygamma(k, x), value);
        CHECK(error <= contract_tolerance);
        worst = std::max(worst, error);
    }
    INFO("worst relative error " << worst);
    CHECK(worst < 2e-15);  // measured ~1.3e-15; the contract above is 1e-14
}

TEST_CASE("known values of digamma and its derivatives", "[special]") {
    const double ln2 = std::numbers::ln2;
    const double pi2 = std::numbers::pi * std::numbers::pi;
    CHECK(relative_error(digamma(1.0), -euler_gamma) <= 2 * epsilon);
    CHECK(relative_error(digamma(0.5), -euler_gamma - 2 * ln2) <= 2 * epsilon);
    CHECK(relative_error(digamma(2.0), 1 - euler_gamma) <= 4 * epsilon);
    CHECK(relative_error(trigamma(1.0), pi2 / 6) <= 2 * epsilon);
    CHECK(relative_error(trigamma(0.5), pi2 / 2) <= 2 * epsilon);
    CHECK(relative_error(polygamma(2, 1.0), -2 * zeta3) <= 2 * epsilon);
    CHECK(relative_error(polygamma(2, 0.5), -14 * zeta3) <= 4 * epsilon);
    CHECK(relative_error(polygamma(3, 1.0), pi2 * pi2 / 15) <= 4 * epsilon);
    // ψ(10) = H_9 - γ.
    double harmonic_9 = 0.0;
    for (int i = 1; i <= 9; ++i) harmonic_9 += 1.0 / i;
    CHECK(relative_error(digamma(10.0), harmonic_9 - euler_gamma) <= 4 * epsilon);
    CHECK(relative_error(digamma(-0.5), 0.03648997397857652056) <= contract_tolerance);
    // ψ(1.5) = 2 - γ - 2 ln 2.
    CHECK(relative_error(digamma(1.5), 2 - euler_gamma - 2 * ln2) <= contract_tolerance);
}

TEST_CASE("digamma keeps its relative accuracy at its positive zero", "[special]") {
    // x0 = 1.46163214496836234126...; the nearest doubles straddle it.
    const double below = 1.4616321449683622;  // ψ = -9.2412655217294275168e-17
    const double above = std::nextafter(below, 2.0);
    CHECK(relative_error(digamma(below), -9.2412655217294275168e-17) <= contract_tolerance);
    CHECK(digamma(below) < 0);
    CHECK(digamma(above) > 0);
    // Monotone increasing through the zero, one ulp at a time.
    double x = std::nextafter(below, 0.0);
    for (int step = 0; step < 4; ++step) {
        const double next = std::nextafter(x, 2.0);
        CHECK(digamma(x) < digamma(next));
        x = next;
    }
}

TEST_CASE("for even k at negative x the error is a few ulp of the larger reflection term",
          "[special]") {
    // The first negative zero of ψ is -0.50408300826445540926; at the nearest
    // double ψ = 7.29e-17 while ψ(1 - x) = 0.0403: cancellation is inherent.
    const double x = -0.5040830082644554;
    const double expected = 7.2897639029768949445e-17;
    const double larger_term = 0.040299886618094492074;
    CHECK(error_against_scale(digamma(x), expected, larger_term) <= 4 * epsilon);
    // Slightly away from the zero the relative error is back within contract.
    const double nearby = -0.5040830082635459;
    CHECK(relative_error(digamma(nearby), 8.1307723217770663152e-12) <= 1e-4);
}

TEST_CASE("large x agrees with the leading asymptotic terms", "[special]") {
    for (double x : {1e6, 1e8, 1e12, 1e100, 1e300}) {
        INFO("x = " << x);
        const double inverse = 1 / x;
        const double digamma_series = std::log(x) - 0.5 * inverse - inverse * inverse / 12;
        CHECK(relative_error(digamma(x), digamma_series) <= 2 * epsilon);
        const double trigamma_series = inverse + 0.5 * inverse * inverse + inverse * inverse * inverse / 6;
        CHECK(relative_error(trigamma(x), trigamma_series) <= 2 * epsilon);
    }
    CHECK(relative_error(polygamma(2, 1e6), -1e-12) <= 2e-6);  // -1/x² - 1/x³
    CHECK(relative_error(polygamma(4, 1e6), -6e-24) <= 3e-6);  // -3!/x⁴ (1 + 2/x + ...)
}

TEST_CASE("recurrence psi^(k)(x+1) = psi^(k)(x) + (-1)^k k!/x^(k+1) on a grid", "[special]") {
    double worst = 0.0;
    for (int k = 0; k <= 6; ++k) {
        double factorial = 1.0;
        for (int i = 2; i <= k; ++i) factorial *= i;
        const double sign = k % 2 == 0 ? 1.0 : -1.0;
        // x = i/8 keeps x + 1 exact; skip the poles.
        for (int i = -400; i <= 800; ++i) {
            const double x = i / 8.0;
            if (x <= 0 && x == std::floor(x)) continue;
            const double lhs = polygamma(k, x + 1);
            const double jump = sign * factorial / std::pow(x, k + 1);
            const double rhs = polygamma(k, x) + jump;
            // For x < 0 the reflection terms bound the attainable accuracy.
            const double reflected = x < 0 ? std::abs(polygamma(k, 1 - x)) : 0.0;
            const double scale = std::max(
                {std::abs(lhs), std::abs(polygamma(k, x)), std::abs(jump), reflected, 1.0});
            const double error = error_against_scale(lhs, rhs, scale);
            INFO("k = " << k << ", x = " << x);
            CHECK(error <= 16 * epsilon);
            worst = std::max(worst, error);
        }
    }
    INFO("worst scaled error " << worst);
    CHECK(worst > 0);  // a grid this size does exercise rounding
}

TEST_CASE("reflection identities hold on both sides of zero", "[special]") {
    const double pi = std::numbers::pi;
    for (int i = -1000; i <= 1000; ++i) {
        const double x = i / 16.0 + 1.0 / 64;  // never an integer
        INFO("x = " << x);
        // ψ(1 - x) - ψ(x) = π cot(πx)
        const double cot_term = pi / std::tan(pi * (x - std::round(x)));
        const double lhs0 = digamma(1 - x) - digamma(x);
        const double scale0 = std::max({std::abs(digamma(1 - x)), std::abs(digamma(x)), 1.0});
        CHECK(error_against_scale(lhs0, cot_term, scale0) <= 16 * epsilon);
        // ψ'(1 - x) + ψ'(x) = π² / sin²(πx)
        const double s = std::sin(pi * (x - std::round(x)));
        const double lhs1 = trigamma(1 - x) + trigamma(x);
        CHECK(relative_error(lhs1, pi * pi / (s * s)) <= 16 * epsilon);
    }
}

TEST_CASE("digamma is the derivative of lgamma, trigamma that of digamma", "[special]") {
    // Central differences with the representable-step trick; their own error
    // is ~1e-10 here, so 1e-8 leaves room. On x < 0 the poles (half a unit
    // away at most) make the higher derivatives large: keep the step small.
    auto central = [](auto&& f, double x) {
        const double h = 1e-5 * std::max(1.0, x);
        const double plus = x + h;
        const double minus = x - h;
        return (f(plus) - f(minus)) / (plus - minus);
    };
    auto lgamma = [](double t) { return std::lgamma(t); };
    auto digamma_of = [](double t) { return digamma(t); };
    for (double x : {0.3, 0.9, 1.0, 1.7, 2.5, 6.0, 11.0, 42.0, 1000.0, -0.3, -1.6, -2.5, -7.5}) {
        INFO("x = " << x);
        const double psi = digamma(x);
        CHECK(std::abs(central(lgamma, x) - psi) <= 1e-8 * std::max(1.0, std::abs(psi)));
        const double psi1 = trigamma(x);
        CHECK(std::abs(central(digamma_of, x) - psi1) <= 1e-8 * std::max(1.0, std::abs(psi1)));
        for (int k = 1; k <= 3; ++k) {
            auto lower = [k](double t) { return polygamma(k, t); };
            const double next = polygamma(k + 1, x);
            CHECK(std::abs(central(lower, x) - next) <= 1e-7 * std::max(1.0, std::abs(next)));
        }
    }
}

TEST_CASE("signs: psi^(k) has the sign (-1)^(k+1) on x > 0, odd k is positive everywhere",
          "[special]") {
    for (int k = 1; k <= 8; ++k) {
        for (double x : {1e-3, 0.5, 1.0, 3.0, 25.0, 1e4}) {
            INFO("k = " << k << ", x = " << x);
            CHECK(std::signbit(polygamma(k, x)) == (k % 2 == 0));
        }
        if (k % 2 == 1) {
            for (double x : {-0.1, -0.5, -3.3, -77.7}) CHECK(polygamma(k, x) > 0);
        }
    }
}

TEST_CASE("higher orders stay accurate", "[special]") {
    // mpmath, 40 digits.
    CHECK(relative_error(polygamma(4, 1.0), -24.886266123440878232) <= contract_tolerance);
    CHECK(relative_error(polygamma(2, 0.5), -16.828796644234319996) <= contract_tolerance);
    CHECK(relative_error(polygamma(3, 1.0), 6.4939394022668291491) <= contract_tolerance);
    // ψ^(k)(1) = (-1)^(k+1) k! ζ(k+1); for large k, ζ(k+1) -> 1 + 2^-(k+1).
    double factorial = 1.0;
    for (int k = 1; k <= 30; ++k) {
        factorial *= k;
        const double zeta = 1 + std::pow(2.0, -(k + 1)) + std::pow(3.0, -(k + 1)) +
                            std::pow(4.0, -(k + 1)) + std::pow(5.0, -(k + 1));
        if (k < 20) continue;  // the 5-term ζ is exact to double only from here
        const double expected = (k % 2 == 1 ? 1.0 : -1.0) * factorial * zeta;
        INFO("k = " << k);
        CHECK(relative_error(polygamma(k, 1.0), expected) <= contract_tolerance);
    }
}

TEST_CASE("poles, infinities, NaN and out-of-range orders", "[special]") {
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (double pole : {0.0, -0.0, -1.0, -2.0, -17.0, -1e6, -1e300}) {
        INFO("x = " << pole);
        CHECK(std::isnan(digamma(pole)));
        CHECK(trigamma(pole) == inf);
        CHECK(std::isnan(polygamma(2, pole)));
        CHECK(polygamma(3, pole) == inf);
        CHECK(std::isnan(polygamma(4, pole)));
    }
    CHECK(digamma(inf) == inf);
    for (int k = 1; k <= 4; ++k) CHECK(polygamma(k, inf) == 0.0);
    for (int k = 0; k <= 4; ++k) {
        CHECK(std::isnan(polygamma(k, -inf)));
        CHECK(std::isnan(polygamma(k, nan)));
    }
    CHECK(std::isnan(polygamma(-1, 1.0)));
    CHECK(std::isnan(polygamma(duet::special::max_polygamma_order + 1, 1.0)));
    CHECK(std::isfinite(polygamma(duet::special::max_polygamma_order, 1.0)));
    // Next to a pole the values are huge but finite, with the expected sign.
    CHECK(digamma(1e-300) == Approx(-1e300));
    CHECK(digamma(-1e-300) == Approx(1e300));
    // ψ(-n + δ) ≈ -1/δ, ψ'(-n + δ) ≈ 1/δ² (δ = 2^-40, 2^-27 keep x exact).
    CHECK(digamma(-3 + std::ldexp(1.0, -40)) == Approx(-std::ldexp(1.0, 40)).epsilon(1e-11));
    CHECK(digamma(-3 - std::ldexp(1.0, -40)) == Approx(std::ldexp(1.0, 40)).epsilon(1e-11));
    CHECK(trigamma(-3 + std::ldexp(1.0, -27)) == Approx(std::ldexp(1.0, 54)).epsilon(1e-14));
    // Past overflow the limit is returned.
    CHECK(digamma(1e-320) == -inf);
}

TEST_CASE("convenience functions are polygamma of order 0 and 1", "[special]") {
    for (double x : {-2.5, 0.1, 1.0, 3.7, 1e3}) {
        CHECK(digamma(x) == polygamma(0, x));
        CHECK(trigamma(x) == polygamma(1, x));
    }
}
