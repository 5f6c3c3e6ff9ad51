// Shared helpers of the benchmark problems: a portable deterministic random
// source (the standard distributions are implementation-defined, so the data
// would differ between standard libraries) and the usual constants.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <type_traits>
#include <vector>

namespace duet_bench {

// splitmix64: the same sequence on every platform for a given seed.
class random_source {
public:
    explicit random_source(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform on [lo, hi), 53 random bits.
    double uniform(double lo = 0.0, double hi = 1.0) {
        return lo + (hi - lo) * (double(next() >> 11) * 0x1.0p-53);
    }
    // Standard normal (Box-Muller, one value per call).
    double normal() {
        const double u1 = 1.0 - uniform();  // in (0, 1]
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

private:
    std::uint64_t state_;
};

// Every other power of two from 2^4 to 2^14: the sizes of problems with an n.
inline std::vector<std::size_t> powers_of_four_16_to_16384() {
    return {16, 64, 256, 1024, 4096, 16384};
}

// Values near 1 (keeps prod_iter finite at n = 16384).
inline std::vector<double> near_one(std::size_t n) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = 1.0 + 0.01 * std::sin(0.37 * double(i) + 0.1);
    return x;
}

// The result of a closed form: the expression itself (R = void: duet's
// expressions hold their operands by value and may be returned), or R made
// from it inside the closed form's own full-expression, before temporaries
// die (expression-template types that hold references, like Sacado's, need
// that; so does Rad, whose operators return references to tape nodes).
template <class R, class E>
auto as_result(const E& e) {
    if constexpr (std::is_void_v<R>)
        return e;
    else
        return R(e);
}

}  // namespace duet_bench
