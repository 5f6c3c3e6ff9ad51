// std::numeric_limits for duet number types, from their value type: generic
// code's `std::numeric_limits<T>::infinity()`, `epsilon()`, `max()` must
// give the numbers they give for double, as constants (zero derivative).
// Each number type specialises std::numeric_limits by deriving from
// duet::numeric_limits_from<Number, Value> in its own header.
#pragma once

#include <limits>

namespace duet {

template <class Number, class Value>
struct numeric_limits_from {
private:
    using base = std::numeric_limits<Value>;
    static constexpr Number make(const Value& v) { return Number(v); }

public:
    static constexpr bool is_specialized = base::is_specialized;
    static constexpr bool is_signed = base::is_signed;
    static constexpr bool is_integer = base::is_integer;
    static constexpr bool is_exact = base::is_exact;
    static constexpr bool has_infinity = base::has_infinity;
    static constexpr bool has_quiet_NaN = base::has_quiet_NaN;
    static constexpr bool has_signaling_NaN = base::has_signaling_NaN;
    static constexpr std::float_denorm_style has_denorm = base::has_denorm;
    static constexpr bool has_denorm_loss = base::has_denorm_loss;
    static constexpr std::float_round_style round_style = base::round_style;
    static constexpr bool is_iec559 = base::is_iec559;
    static constexpr bool is_bounded = base::is_bounded;
    static constexpr bool is_modulo = base::is_modulo;
    static constexpr int digits = base::digits;
    static constexpr int digits10 = base::digits10;
    static constexpr int max_digits10 = base::max_digits10;
    static constexpr int radix = base::radix;
    static constexpr int min_exponent = base::min_exponent;
    static constexpr int min_exponent10 = base::min_exponent10;
    static constexpr int max_exponent = base::max_exponent;
    static constexpr int max_exponent10 = base::max_exponent10;
    static constexpr bool traps = base::traps;
    static constexpr bool tinyness_before = base::tinyness_before;

    // Constants of the number type. For duet::var they register a constant
    // on the active tape (like any var made from a number), so they are not
    // constexpr there.
    static constexpr Number min() noexcept(noexcept(make(Value()))) { return make(base::min()); }
    static constexpr Number max() noexcept(noexcept(make(Value()))) { return make(base::max()); }
    static constexpr Number lowest() noexcept(noexcept(make(Value()))) { return make(base::lowest()); }
    static constexpr Number epsilon() noexcept(noexcept(make(Value()))) { return make(base::epsilon()); }
    static constexpr Number round_error() noexcept(noexcept(make(Value()))) { return make(base::round_error()); }
    static constexpr Number infinity() noexcept(noexcept(make(Value()))) { return make(base::infinity()); }
    static constexpr Number quiet_NaN() noexcept(noexcept(make(Value()))) { return make(base::quiet_NaN()); }
    static constexpr Number signaling_NaN() noexcept(noexcept(make(Value()))) { return make(base::signaling_NaN()); }
    static constexpr Number denorm_min() noexcept(noexcept(make(Value()))) { return make(base::denorm_min()); }
};

}  // namespace duet
