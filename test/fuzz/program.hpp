// Random generic programs for the differential fuzzer (doc/testing.md).
//
// A program is a list of statements over a register file r[0..R) of the
// number type T; r[0..n) start as the inputs x[0..n), the others as
// constants. Statements:
//   r[d] = K                                 a constant in one of the forms below
//   r[d] = u(w(r[a]))                        u: a unary function, w: a guard
//                                            (identity, r*r + K, abs(r) + K,
//                                            K*tanh(r), r*K + r[b])
//   r[d] = b(X, Y)                           b: + - * / pow hypot atan2 max min
//                                            fmax fmin fmod copysign; X, Y a
//                                            register or a constant
//   r[d] = r[a] * r[b] + K * r[c]            multi-node statements
//   r[d] = (r[a] - r[b]) / (K + r[c] * r[c])
//   r[d] op= e                               += -= *= /=
//   r[d] = r[a] < K ? r[b] : r[c]            ternary on values
//   if (r[a] < r[b] or K) {...} else {...}   branches on values
//   for (int k = 0; k < n; ++k) {...}        loops; constants inside may
//                                            depend on k (K = c + k * step)
//   if (r[a] > K) return r[b];               early return
//   r[d] = running max of some registers, starting from
//          -std::numeric_limits<T>::infinity()
//   r[d] = floor(w(r[a])) * K                piecewise constant
// Constants come in every form generic code writes: a double literal, an
// int literal (arithmetic only), T(c), static_cast<T>(c), T{c}, a named
// `const T k = c;` local. Functions are spelled three ways: unqualified
// (argument-dependent lookup), std::-qualified, duet::-qualified. Registers
// are reused freely (a statement may read and write the same register).
//
// run<T>(program, x) executes a program with any number type: double and
// long double (plain), duet::dual, duet::var (the tape), and their nestings.
// With plain types it can record a trace: every decision the program took
// (branches, the side of every kink), the largest magnitude it met and the
// number of operations, which decides where central differences are
// reliable (test/fuzz/check.hpp). With duals it can record the largest
// derivative components, which bound the rounding differences between
// modes.
//
// The generator uses its own 64-bit generator (splitmix64), so a seed gives
// the same programs with every compiler and standard library.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <duet/duet.hpp>

namespace fuzz {

// ---- random numbers ----------------------------------------------------------------

struct rng {
    std::uint64_t state;
    explicit rng(std::uint64_t seed) : state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    int below(int n) { return int(next() % std::uint64_t(n)); }
    bool chance(double p) { return uniform() < p; }
};

// The seed of program `index` of a run with seed `seed`: every program can
// be regenerated alone.
inline std::uint64_t program_seed(std::uint64_t seed, std::uint64_t index) {
    rng r(seed * 0x2545f4914f6cdd1dULL + index);
    r.next();
    return r.next();
}

// ---- the instruction set -----------------------------------------------------------

enum class unary : std::uint8_t {
    neg, abs, fabs, sqrt, cbrt, exp, exp2, expm1, log, log2, log10, log1p, sin, cos, tan, asin, acos,
    atan, sinh, cosh, tanh, asinh, acosh, atanh, erf, erfc, tgamma, lgamma, relu, sigmoid, softplus,
    square, pow_int, count
};
inline constexpr const char* unary_names[] = {
    "-",     "abs",   "fabs",  "sqrt",  "cbrt",  "exp",   "exp2",    "expm1",  "log",
    "log2",  "log10", "log1p", "sin",   "cos",   "tan",   "asin",    "acos",   "atan",
    "sinh",  "cosh",  "tanh",  "asinh", "acosh", "atanh", "erf",     "erfc",   "tgamma",
    "lgamma", "relu", "sigmoid", "softplus", "square", "pow"};
// Functions that only exist in namespace duet (no std:: spelling).
inline bool duet_only(unary u) {
    return u == unary::relu || u == unary::sigmoid || u == unary::softplus || u == unary::square;
}

enum class binary : std::uint8_t {
    add, sub, mul, div, pow, hypot, atan2, max, min, fmax, fmin, fmod, copysign, count
};
inline constexpr const char* binary_names[] = {"+",   "-",   "*",    "/",    "pow",  "hypot",   "atan2",
                                               "max", "min", "fmax", "fmin", "fmod", "copysign"};
inline bool is_operator(binary b) { return b <= binary::div; }

// The argument transform in front of a unary function.
enum class guard : std::uint8_t { none, square_plus, abs_plus, scaled_tanh, affine, count };

enum class form : std::uint8_t { literal, int_literal, paren, cast, brace, named, count };
inline constexpr const char* form_names[] = {"literal", "int", "T(c)", "static_cast<T>(c)", "T{c}", "named"};

enum class spelling : std::uint8_t { adl, std_, duet_, count };

enum class compare_op : std::uint8_t { less, greater, less_equal, greater_equal, count };
inline constexpr const char* compare_names[] = {"<", ">", "<=", ">="};

enum class kind : std::uint8_t {
    constant, unary_call, binary_call, fused_mul_add, fused_ratio, compound, ternary, branch, loop,
    early_return, running_max, floor_scaled
};

struct constant {
    double c = 0;     // value
    double step = 0;  // added per loop iteration (inside loops)
    form f = form::literal;
};

struct stmt {
    kind k = kind::constant;
    int d = 0, a = 0, b = 0, c = 0;  // registers
    unary u = unary::neg;
    guard g = guard::none;
    binary op = binary::add;
    spelling sp = spelling::adl;
    compare_op cmp = compare_op::less;
    bool a_constant = false, b_constant = false;  // binary_call: operand is a constant
    bool compare_with_constant = false;
    int compound_op = 0;  // 0 +=, 1 -=, 2 *=, 3 /=
    int compound_rhs = 0; // 0 r[a], 1 r[a]*r[b], 2 K, 3 u(r[a])
    int trips = 0;        // loop
    int power = 2;        // pow_int exponent
    constant k1, k2;
    std::vector<int> regs;  // running_max
    std::vector<stmt> then_body, else_body;
};

struct program {
    int inputs = 1;
    int registers = 1;
    std::vector<constant> initial;  // registers [inputs, registers)
    std::vector<stmt> body;
    int result = 0;
};

// ---- the trace of a plain evaluation -------------------------------------------------

struct trace {
    std::vector<long long> decisions;  // every branch taken, every kink's side
    double largest = 0;          // largest |value| of any register written
    double smallest = INFINITY;  // smallest nonzero |value| of any register written
    long operations = 0;
    // copysign read the sign of a NaN (unspecified: modes may differ).
    bool nan_sign = false;
    // std::max / std::min met a NaN: on double they return an argument by
    // the rule (a < b) ? b : a, duet's max / min propagate the NaN.
    bool std_minmax_nan = false;
    // Central differences cannot work here at any step (fmod by a divisor
    // so small that its discontinuities are denser than any step).
    bool fd_hopeless = false;
    void decide(long long v) { decisions.push_back(v); }
};

// The largest derivative components written by a run with duet::dual
// (first order: tangents; second order: the tangents of tangents of a
// nested dual). Rounding in any mode is bounded by operations * eps * these.
struct magnitudes {
    double first = 0, second = 0;
    static void raise(double& m, double v) {
        if (std::isfinite(v)) m = std::max(m, std::abs(v));
    }
    template <class T>
    void measure(const T& x) {
        if constexpr (requires { x.tangents(); x.value(); }) {
            using V = std::remove_cvref_t<decltype(x.value())>;
            if constexpr (std::is_arithmetic_v<V>) {
                for (const auto& t : x.tangents()) raise(first, double(t));
            } else if constexpr (requires { x.value().tangents(); }) {
                for (const auto& t : x.value().tangents()) raise(first, double(t));
                for (const auto& t : x.tangents()) {
                    raise(first, double(t.value()));
                    for (const auto& tt : t.tangents()) raise(second, double(tt));
                }
            }
        }
    }
};

inline int sign_class(double v) { return v > 0 ? 1 : v < 0 ? -1 : 0; }

// ---- the interpreter -----------------------------------------------------------------

template <class T>
inline constexpr bool is_plain = std::is_arithmetic_v<T>;

// The innermost double of any number (for traces and for printing).
template <class T>
long double plain_value(const T& x) {
    if constexpr (std::is_arithmetic_v<T>)
        return static_cast<long double>(x);
    else
        return plain_value(duet::value(x));
}

template <class T>
struct interpreter {
    const program& p;
    trace* tr;  // only for plain T
    magnitudes* mg;  // only for duals
    std::vector<T> r;
    bool returned = false;
    T out{};

    // Calls fn with the constant K in its form: a double, an int, or a T.
    // Plain T always get a T (a long double program must not mix in
    // doubles; the forms only matter to duet's types).
    template <class Fn>
    decltype(auto) with_constant(const constant& k, int iteration, bool arithmetic_context, Fn&& fn) const {
        double v = k.c + k.step * iteration;
        // An int literal is an int: a loop-dependent one is truncated.
        if (k.f == form::int_literal && arithmetic_context) v = std::trunc(v);
        if constexpr (is_plain<T>) {
            return fn(static_cast<T>(v));
        } else {
            switch (k.f) {
                case form::literal: return fn(v);
                case form::int_literal:
                    if (arithmetic_context) return fn(static_cast<int>(v));
                    return fn(v);
                case form::paren: return fn(T(v));
                case form::cast: return fn(static_cast<T>(v));
                case form::brace: return fn(T{v});
                default: {
                    const T named = v;
                    return fn(named);
                }
            }
        }
    }

    // Records a decision about a value.
    template <class V>
    void decide_sign(const V& v) {
        if constexpr (is_plain<T>) {
            if (tr) tr->decide(sign_class(static_cast<double>(plain_value(v))));
        }
    }
    void decide(long long v) {
        if constexpr (is_plain<T>) {
            if (tr) tr->decide(v);
        }
    }
    void hopeless() {
        if constexpr (is_plain<T>) {
            if (tr) tr->fd_hopeless = true;
        }
    }
    void wrote(int d) {
        if constexpr (is_plain<T>) {
            if (tr) {
                const double magnitude = static_cast<double>(std::abs(plain_value(r[d])));
                tr->largest = std::max(tr->largest, magnitude);
                if (magnitude > 0) tr->smallest = std::min(tr->smallest, magnitude);
                tr->operations++;
            }
        } else {
            if (mg) mg->measure(r[d]);
        }
    }

    // On plain numbers a std:: spelling calls std::, the others call duet's
    // plain-number overloads (the same conventions as on duet's types: the
    // reference value of the program is the one duet promises).
#define FUZZ_SPELL(name, ...)                                         \
    do {                                                              \
        if constexpr (is_plain<T>) {                                  \
            if (sp == spelling::std_) return T(std::name(__VA_ARGS__)); \
            return T(duet::name(__VA_ARGS__));                        \
        } else {                                                      \
            switch (sp) {                                             \
                case spelling::std_: return T(std::name(__VA_ARGS__)); \
                case spelling::duet_: return T(duet::name(__VA_ARGS__)); \
                default: return T(name(__VA_ARGS__));                 \
            }                                                         \
        }                                                             \
    } while (0)
#define FUZZ_SPELL_DUET(name, ...)                                    \
    do {                                                              \
        if constexpr (is_plain<T>) {                                  \
            return T(duet::name(__VA_ARGS__));                        \
        } else {                                                      \
            if (sp == spelling::duet_) return T(duet::name(__VA_ARGS__)); \
            return T(name(__VA_ARGS__));                              \
        }                                                             \
    } while (0)

    template <class E>
    T apply_unary(unary u, spelling sp, int power, const E& e) {
        if (u == unary::abs || u == unary::fabs || u == unary::relu) decide_sign(e);
        switch (u) {
            case unary::neg: return T(-e);
            case unary::abs: FUZZ_SPELL(abs, e);
            case unary::fabs: FUZZ_SPELL(fabs, e);
            case unary::sqrt: FUZZ_SPELL(sqrt, e);
            case unary::cbrt: FUZZ_SPELL(cbrt, e);
            case unary::exp: FUZZ_SPELL(exp, e);
            case unary::exp2: FUZZ_SPELL(exp2, e);
            case unary::expm1: FUZZ_SPELL(expm1, e);
            case unary::log: FUZZ_SPELL(log, e);
            case unary::log2: FUZZ_SPELL(log2, e);
            case unary::log10: FUZZ_SPELL(log10, e);
            case unary::log1p: FUZZ_SPELL(log1p, e);
            case unary::sin: FUZZ_SPELL(sin, e);
            case unary::cos: FUZZ_SPELL(cos, e);
            case unary::tan: FUZZ_SPELL(tan, e);
            case unary::asin: FUZZ_SPELL(asin, e);
            case unary::acos: FUZZ_SPELL(acos, e);
            case unary::atan: FUZZ_SPELL(atan, e);
            case unary::sinh: FUZZ_SPELL(sinh, e);
            case unary::cosh: FUZZ_SPELL(cosh, e);
            case unary::tanh: FUZZ_SPELL(tanh, e);
            case unary::asinh: FUZZ_SPELL(asinh, e);
            case unary::acosh: FUZZ_SPELL(acosh, e);
            case unary::atanh: FUZZ_SPELL(atanh, e);
            case unary::erf: FUZZ_SPELL(erf, e);
            case unary::erfc: FUZZ_SPELL(erfc, e);
            case unary::tgamma: FUZZ_SPELL(tgamma, e);
            case unary::lgamma: FUZZ_SPELL(lgamma, e);
            case unary::relu: FUZZ_SPELL_DUET(relu, e);
            case unary::sigmoid: FUZZ_SPELL_DUET(sigmoid, e);
            case unary::softplus: FUZZ_SPELL_DUET(softplus, e);
            case unary::square: FUZZ_SPELL_DUET(square, e);
            default: FUZZ_SPELL(pow, e, power);
        }
    }

    template <class A, class B>
    T apply_binary(binary op, spelling sp, const A& a, const B& b) {
        switch (op) {
            case binary::add: return T(a + b);
            case binary::sub: return T(a - b);
            case binary::mul: return T(a * b);
            case binary::div: return T(a / b);
            case binary::pow: FUZZ_SPELL(pow, a, b);
            case binary::hypot: decide(sign_class(double(plain_value(a))) * 3 + sign_class(double(plain_value(b)))); FUZZ_SPELL(hypot, a, b);
            case binary::atan2: decide(sign_class(double(plain_value(a))) * 3 + sign_class(double(plain_value(b)))); FUZZ_SPELL(atan2, a, b);
            default: break;
        }
        // Kinks: which argument wins, and where the piecewise functions are.
        const long double va = plain_value(a), vb = plain_value(b);
        if constexpr (is_plain<T>) {
            if (tr && sp == spelling::std_ && (op == binary::max || op == binary::min) &&
                (std::isnan(va) || std::isnan(vb)))
                tr->std_minmax_nan = true;
        }
        switch (op) {
            case binary::max:
            case binary::min:
            case binary::fmax:
            case binary::fmin: decide(sign_class(double(va - vb))); break;
            case binary::fmod: {
                // The quotient decides the branch of fmod: recorded exactly
                // while it fits, else the point is hopeless for central
                // differences.
                const long double q = vb == 0 ? 0.0L : std::trunc(va / vb);
                if (vb == 0 || !(std::abs(q) < 1e15L)) hopeless();
                decide(static_cast<long long>(std::abs(q) < 1e15L ? q : 0.0L));
                decide(sign_class(double(va)));
                break;
            }
            default:  // copysign
                decide(sign_class(double(vb)));
                if constexpr (is_plain<T>) {
                    if (tr && std::isnan(vb)) tr->nan_sign = true;
                }
                break;
        }
        switch (op) {
            case binary::max: FUZZ_SPELL(max, a, b);
            case binary::min: FUZZ_SPELL(min, a, b);
            case binary::fmax: FUZZ_SPELL(fmax, a, b);
            case binary::fmin: FUZZ_SPELL(fmin, a, b);
            case binary::fmod: FUZZ_SPELL(fmod, a, b);
            default: FUZZ_SPELL(copysign, a, b);
        }
    }
#undef FUZZ_SPELL
#undef FUZZ_SPELL_DUET

    // u(w(r[a])) with the guard as part of the same statement.
    T unary_statement(const stmt& s, int it) {
        const T& x = r[s.a];
        switch (s.g) {
            case guard::none: return apply_unary(s.u, s.sp, s.power, x);
            case guard::square_plus:
                return with_constant(s.k1, it, true, [&](const auto& k) { return apply_unary(s.u, s.sp, s.power, x * x + k); });
            case guard::abs_plus:
                decide_sign(x);
                return with_constant(s.k1, it, true, [&](const auto& k) {
                    if constexpr (is_plain<T>)
                        return apply_unary(s.u, s.sp, s.power, std::abs(x) + k);
                    else
                        return apply_unary(s.u, s.sp, s.power, abs(x) + k);
                });
            case guard::scaled_tanh:
                return with_constant(s.k1, it, true, [&](const auto& k) {
                    if constexpr (is_plain<T>)
                        return apply_unary(s.u, s.sp, s.power, k * std::tanh(x));
                    else
                        return apply_unary(s.u, s.sp, s.power, k * tanh(x));
                });
            default:
                return with_constant(s.k1, it, true, [&](const auto& k) { return apply_unary(s.u, s.sp, s.power, x * k + r[s.b]); });
        }
    }

    T binary_statement(const stmt& s, int it) {
        const bool arithmetic = is_operator(s.op);
        if (s.a_constant)
            return with_constant(s.k1, it, arithmetic, [&](const auto& k) { return apply_binary(s.op, s.sp, k, r[s.b]); });
        if (s.b_constant)
            return with_constant(s.k1, it, arithmetic, [&](const auto& k) { return apply_binary(s.op, s.sp, r[s.a], k); });
        return apply_binary(s.op, s.sp, r[s.a], r[s.b]);
    }

    template <class A, class B>
    bool compare(compare_op c, const A& a, const B& b) {
        bool v = false;
        switch (c) {
            case compare_op::less: v = a < b; break;
            case compare_op::greater: v = a > b; break;
            case compare_op::less_equal: v = a <= b; break;
            default: v = a >= b; break;
        }
        decide(v ? 1 : 0);
        return v;
    }

    bool condition(const stmt& s, int it) {
        if (s.compare_with_constant)
            return with_constant(s.k1, it, true, [&](const auto& k) { return compare(s.cmp, r[s.a], k); });
        return compare(s.cmp, r[s.a], r[s.b]);
    }

    // Executes a block; returns false after an early return.
    bool block(const std::vector<stmt>& body, int it) {
        for (const stmt& s : body) {
            if (!statement(s, it)) return false;
        }
        return true;
    }

    bool statement(const stmt& s, int it) {
        switch (s.k) {
            case kind::constant:
                with_constant(s.k1, it, true, [&](const auto& k) {
                    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(k)>, int>)
                        r[s.d] = static_cast<double>(k);
                    else
                        r[s.d] = k;
                    return 0;
                });
                break;
            case kind::unary_call: r[s.d] = unary_statement(s, it); break;
            case kind::binary_call: r[s.d] = binary_statement(s, it); break;
            case kind::fused_mul_add:
                r[s.d] = with_constant(s.k1, it, true, [&](const auto& k) { return T(r[s.a] * r[s.b] + k * r[s.c]); });
                break;
            case kind::fused_ratio:
                r[s.d] = with_constant(s.k1, it, true, [&](const auto& k) { return T((r[s.a] - r[s.b]) / (k + r[s.c] * r[s.c])); });
                break;
            case kind::compound: {
                T& d = r[s.d];
                auto apply = [&](const auto& e) {
                    switch (s.compound_op) {
                        case 0: d += e; break;
                        case 1: d -= e; break;
                        case 2: d *= e; break;
                        default: d /= e; break;
                    }
                    return 0;
                };
                switch (s.compound_rhs) {
                    case 0: apply(r[s.a]); break;
                    case 1: apply(r[s.a] * r[s.b]); break;
                    case 2: with_constant(s.k1, it, true, apply); break;
                    default: {
                        if (s.compound_op == 3) {  // divide by 1 + u(...)^2 > 0
                            const T v = apply_unary(s.u, s.sp, s.power, r[s.a]);
                            apply(1.0 + v * v);
                        } else {
                            apply(apply_unary(s.u, s.sp, s.power, r[s.a]));
                        }
                    }
                }
                break;
            }
            case kind::ternary: {
                const bool v = condition(s, it);
                r[s.d] = v ? r[s.b] : r[s.c];
                break;
            }
            case kind::branch:
                if (condition(s, it)) {
                    if (!block(s.then_body, it)) return false;
                } else {
                    if (!block(s.else_body, it)) return false;
                }
                return true;
            case kind::loop:
                for (int k = 0; k < s.trips; ++k)
                    if (!block(s.then_body, k)) return false;
                return true;
            case kind::early_return:
                if (condition(s, it)) {
                    out = r[s.b];
                    returned = true;
                    return false;
                }
                return true;
            case kind::running_max: {
                T m = -std::numeric_limits<T>::infinity();
                for (int j : s.regs) {
                    const bool bigger = r[j] > m;
                    decide(bigger ? 1 : 0);
                    if (bigger) m = r[j];
                }
                r[s.d] = m;
                break;
            }
            case kind::floor_scaled: {
                const T inner = with_constant(s.k1, it, true, [&](const auto& k) { return T(r[s.a] * k); });
                const long double fl = std::floor(plain_value(inner));
                if (!(std::abs(fl) < 1e15L)) hopeless();
                decide(static_cast<long long>(std::abs(fl) < 1e15L ? fl : 0.0L));
                r[s.d] = with_constant(s.k2, it, true, [&](const auto& k) { return T(std::floor(inner) * k + r[s.b]); });
                break;
            }
        }
        wrote(s.d);
        return true;
    }
};

template <class T>
T run(const program& p, const std::vector<T>& x, trace* tr = nullptr, magnitudes* mg = nullptr) {
    interpreter<T> m{p, tr, mg, {}, false, T{}};
    m.r.reserve(std::size_t(p.registers));
    for (int i = 0; i < p.inputs; ++i) m.r.push_back(x[std::size_t(i)]);
    for (const constant& k : p.initial) m.r.push_back(T(k.c));
    if (!m.block(p.body, 0)) return m.out;
    return m.r[std::size_t(p.result)];
}

// ---- generation --------------------------------------------------------------------

struct generator {
    rng g;
    int inputs, registers;
    int budget;  // statements left

    int any_reg() { return g.below(registers); }
    int input_reg() { return g.below(inputs); }
    int reg() { return g.chance(0.35) ? input_reg() : any_reg(); }

    constant make_constant(bool in_loop, double lo = -3.0, double hi = 3.0) {
        constant k;
        k.c = std::round(g.uniform(lo, hi) * 64) / 64;  // short decimal-free literals
        if (k.c == 0) k.c = 0.5;
        k.f = form(g.below(int(form::count)));
        if (k.f == form::int_literal) k.c = std::round(k.c) == 0 ? 2.0 : std::round(k.c);
        if (in_loop && g.chance(0.3)) k.step = std::round(g.uniform(-1, 1) * 8) / 8;
        return k;
    }
    constant positive_constant(bool in_loop) {
        constant k = make_constant(in_loop, 0.25, 2.5);
        if (k.f == form::int_literal) k.c = 1 + g.below(2);
        k.step = in_loop && g.chance(0.3) ? 0.125 : 0.0;
        return k;
    }

    // A unary function with a guard that keeps it (mostly) in its domain.
    void pick_unary(stmt& s, bool in_loop) {
        s.u = unary(g.below(int(unary::count)));
        s.sp = spelling(g.below(int(spelling::count)));
        if (duet_only(s.u) && s.sp == spelling::std_) s.sp = spelling::adl;
        s.power = g.below(7) - 2;  // -2 .. 4
        const bool needs_positive = s.u == unary::sqrt || s.u == unary::log || s.u == unary::log2 ||
                                    s.u == unary::log10 || s.u == unary::acosh || s.u == unary::tgamma ||
                                    s.u == unary::lgamma || (s.u == unary::pow_int && s.power < 0);
        const bool needs_unit = s.u == unary::asin || s.u == unary::acos || s.u == unary::atanh;
        const bool explodes = s.u == unary::exp || s.u == unary::exp2 || s.u == unary::expm1 ||
                              s.u == unary::sinh || s.u == unary::cosh || s.u == unary::tan;
        s.g = guard::none;
        if (needs_positive && g.chance(0.9)) {
            s.g = g.chance(0.5) ? guard::square_plus : guard::abs_plus;
            s.k1 = positive_constant(in_loop);
            if (s.u == unary::acosh) s.k1.c += 1;
        } else if ((needs_unit || explodes) && g.chance(0.9)) {
            s.g = guard::scaled_tanh;
            s.k1 = make_constant(in_loop, -0.95, 0.95);
            s.k1.f = s.k1.f == form::int_literal ? form::literal : s.k1.f;
            s.k1.step = 0;
            if (explodes) s.k1.c *= 3;
        } else if (g.chance(0.25)) {
            s.g = guard(g.below(int(guard::count)));
            s.k1 = s.g == guard::scaled_tanh ? make_constant(in_loop, -0.9, 0.9) : positive_constant(in_loop);
            if (s.g == guard::scaled_tanh && s.k1.f == form::int_literal) s.k1.f = form::paren;
            s.b = reg();
        }
    }

    stmt make(int depth, bool in_loop) {
        stmt s;
        s.d = any_reg();
        s.a = reg();
        s.b = reg();
        s.c = reg();
        const int roll = g.below(100);
        if (roll < 6) {
            s.k = kind::constant;
            s.k1 = make_constant(in_loop);
        } else if (roll < 34) {
            s.k = kind::unary_call;
            pick_unary(s, in_loop);
        } else if (roll < 58) {
            s.k = kind::binary_call;
            s.op = binary(g.below(int(binary::count)));
            s.sp = spelling(g.below(int(spelling::count)));
            const int side = g.below(4);
            s.a_constant = side == 1;
            s.b_constant = side == 2;
            s.k1 = (s.op == binary::div || s.op == binary::fmod) && s.b_constant ? positive_constant(in_loop)
                                                                                   : make_constant(in_loop);
            if (s.op == binary::pow) {
                // x^y with x > 0: base from a guard-like register value is
                // not available here, so the base is a positive constant or
                // the exponent is a small constant.
                if (g.chance(0.5)) {
                    s.a_constant = true;
                    s.b_constant = false;
                    s.k1 = positive_constant(in_loop);
                } else {
                    s.a_constant = false;
                    s.b_constant = true;
                    s.k1 = make_constant(in_loop, -2, 3);
                    s.k1.c = std::round(s.k1.c * 2) / 2;  // half-integers: defined for x < 0 only if integer
                    if (s.k1.f == form::int_literal) s.k1.f = form::literal;
                }
            }
        } else if (roll < 63) {
            s.k = kind::fused_mul_add;
            s.k1 = make_constant(in_loop);
        } else if (roll < 68) {
            s.k = kind::fused_ratio;
            s.k1 = positive_constant(in_loop);
        } else if (roll < 78) {
            s.k = kind::compound;
            s.compound_op = g.below(4);
            s.compound_rhs = g.below(4);
            if (s.compound_op == 3 && s.compound_rhs < 2) s.compound_rhs = 3;
            s.k1 = s.compound_op >= 2 ? positive_constant(in_loop) : make_constant(in_loop);
            if (s.compound_rhs == 3) pick_unary(s, in_loop);
            s.g = guard::none;
            if (s.compound_rhs == 3) {
                // A unary function without a guard: keep to total ones.
                const unary total[] = {unary::sin, unary::cos, unary::atan, unary::tanh, unary::erf,
                                       unary::sigmoid, unary::softplus, unary::square, unary::abs, unary::asinh};
                s.u = total[g.below(10)];
                if (duet_only(s.u) && s.sp == spelling::std_) s.sp = spelling::adl;
            }
        } else if (roll < 83) {
            s.k = kind::ternary;
            s.cmp = compare_op(g.below(int(compare_op::count)));
            s.compare_with_constant = g.chance(0.5);
            s.k1 = make_constant(in_loop);
        } else if (roll < 90 && depth < 2) {
            s.k = kind::branch;
            s.cmp = compare_op(g.below(int(compare_op::count)));
            s.compare_with_constant = g.chance(0.5);
            s.k1 = make_constant(in_loop);
            s.then_body = make_block(depth + 1, in_loop, 1 + g.below(3));
            if (g.chance(0.7)) s.else_body = make_block(depth + 1, in_loop, 1 + g.below(3));
        } else if (roll < 95 && depth < 2) {
            s.k = kind::loop;
            s.trips = 1 + g.below(4);
            s.then_body = make_block(depth + 1, true, 1 + g.below(3));
        } else if (roll < 97) {
            s.k = kind::early_return;
            s.cmp = compare_op(g.below(int(compare_op::count)));
            s.compare_with_constant = true;
            s.k1 = make_constant(in_loop);
        } else if (roll < 99) {
            s.k = kind::running_max;
            const int count = 1 + g.below(4);
            for (int i = 0; i < count; ++i) s.regs.push_back(reg());
        } else {
            s.k = kind::floor_scaled;
            s.k1 = make_constant(in_loop, 0.5, 3);
            s.k2 = make_constant(in_loop, -1, 1);
            if (s.k1.f == form::int_literal) s.k1.f = form::literal;
        }
        return s;
    }

    std::vector<stmt> make_block(int depth, bool in_loop, int length) {
        std::vector<stmt> out;
        for (int i = 0; i < length && budget > 0; ++i) {
            --budget;
            out.push_back(make(depth, in_loop));
        }
        return out;
    }
};

// Program `index` of the run with seed `seed`.
inline program generate(std::uint64_t seed, std::uint64_t index) {
    generator gen{rng(program_seed(seed, index)), 0, 0, 0};
    program p;
    p.inputs = 1 + gen.g.below(4);
    p.registers = p.inputs + 1 + gen.g.below(3);
    gen.inputs = p.inputs;
    gen.registers = p.registers;
    for (int i = p.inputs; i < p.registers; ++i) p.initial.push_back(gen.make_constant(false));
    gen.budget = 3 + gen.g.below(12);
    p.body = gen.make_block(0, false, gen.budget);
    // The result: the register written last at the top level, else an input.
    p.result = p.body.empty() ? 0 : p.body.back().d;
    if (gen.g.chance(0.5)) {
        // Make the result depend on every input: r[result] = r[result] + r[i].
        for (int i = 0; i < p.inputs; ++i) {
            stmt s;
            s.k = kind::binary_call;
            s.op = binary::add;
            s.d = p.result;
            s.a = p.result;
            s.b = i;
            p.body.push_back(s);
        }
    }
    return p;
}

// ---- printing: the program as C++ ---------------------------------------------------

inline std::string number(double v) {
    std::ostringstream os;
    os.precision(17);
    os << v;
    std::string s = os.str();
    if (s.find_first_of(".e") == std::string::npos && s.find("inf") == std::string::npos && s.find("nan") == std::string::npos)
        s += ".0";
    return s;
}

inline std::string constant_text(const constant& k, bool arithmetic, bool in_loop) {
    std::string v = number(k.c);
    if (in_loop && k.step != 0) v = "(" + v + " + " + number(k.step) + " * k)";
    switch (k.f) {
        case form::literal: return v;
        case form::int_literal:
            if (arithmetic && k.step == 0) return std::to_string(static_cast<int>(k.c));
            if (arithmetic) return "int(" + v + ")";
            return v;
        case form::paren: return "T(" + v + ")";
        case form::cast: return "static_cast<T>(" + v + ")";
        case form::brace: return "T{" + v + "}";
        default: return "named(" + v + ")";  // a `const T k = c;` local
    }
}

inline std::string reg_text(int i) { return "r[" + std::to_string(i) + "]"; }

inline std::string call_text(const char* name, spelling sp, bool duet_only_name, const std::string& args) {
    std::string prefix = sp == spelling::std_ && !duet_only_name ? "std::" : sp == spelling::duet_ ? "duet::" : "";
    return prefix + name + "(" + args + ")";
}

inline std::string unary_text(const stmt& s, const std::string& arg) {
    if (s.u == unary::neg) return "-(" + arg + ")";
    if (s.u == unary::pow_int) return call_text("pow", s.sp, false, arg + ", " + std::to_string(s.power));
    return call_text(unary_names[int(s.u)], s.sp, duet_only(s.u), arg);
}

inline std::string guarded_arg(const stmt& s, bool in_loop) {
    const std::string x = reg_text(s.a);
    switch (s.g) {
        case guard::none: return x;
        case guard::square_plus: return x + " * " + x + " + " + constant_text(s.k1, true, in_loop);
        case guard::abs_plus: return "abs(" + x + ") + " + constant_text(s.k1, true, in_loop);
        case guard::scaled_tanh: return constant_text(s.k1, true, in_loop) + " * tanh(" + x + ")";
        default: return x + " * " + constant_text(s.k1, true, in_loop) + " + " + reg_text(s.b);
    }
}

inline std::string condition_text(const stmt& s, bool in_loop) {
    return reg_text(s.a) + " " + compare_names[int(s.cmp)] + " " +
           (s.compare_with_constant ? constant_text(s.k1, true, in_loop) : reg_text(s.b));
}

inline void print_block(std::ostream& os, const std::vector<stmt>& body, int indent, bool in_loop);

inline void print_stmt(std::ostream& os, const stmt& s, int indent, bool in_loop) {
    const std::string pad(std::size_t(indent) * 4, ' ');
    const std::string d = reg_text(s.d);
    switch (s.k) {
        case kind::constant: os << pad << d << " = " << constant_text(s.k1, true, in_loop) << ";\n"; break;
        case kind::unary_call: os << pad << d << " = " << unary_text(s, guarded_arg(s, in_loop)) << ";\n"; break;
        case kind::binary_call: {
            const bool arithmetic = is_operator(s.op);
            const std::string a = s.a_constant ? constant_text(s.k1, arithmetic, in_loop) : reg_text(s.a);
            const std::string b = s.b_constant ? constant_text(s.k1, arithmetic, in_loop) : reg_text(s.b);
            if (arithmetic)
                os << pad << d << " = " << a << " " << binary_names[int(s.op)] << " " << b << ";\n";
            else
                os << pad << d << " = " << call_text(binary_names[int(s.op)], s.sp, false, a + ", " + b) << ";\n";
            break;
        }
        case kind::fused_mul_add:
            os << pad << d << " = " << reg_text(s.a) << " * " << reg_text(s.b) << " + "
               << constant_text(s.k1, true, in_loop) << " * " << reg_text(s.c) << ";\n";
            break;
        case kind::fused_ratio:
            os << pad << d << " = (" << reg_text(s.a) << " - " << reg_text(s.b) << ") / ("
               << constant_text(s.k1, true, in_loop) << " + " << reg_text(s.c) << " * " << reg_text(s.c) << ");\n";
            break;
        case kind::compound: {
            static const char* ops[] = {"+=", "-=", "*=", "/="};
            std::string rhs;
            switch (s.compound_rhs) {
                case 0: rhs = reg_text(s.a); break;
                case 1: rhs = reg_text(s.a) + " * " + reg_text(s.b); break;
                case 2: rhs = constant_text(s.k1, true, in_loop); break;
                default:
                    rhs = unary_text(s, reg_text(s.a));
                    if (s.compound_op == 3) rhs = "1.0 + square(" + rhs + ")";
            }
            os << pad << d << " " << ops[s.compound_op] << " " << rhs << ";\n";
            break;
        }
        case kind::ternary:
            os << pad << d << " = " << condition_text(s, in_loop) << " ? " << reg_text(s.b) << " : "
               << reg_text(s.c) << ";\n";
            break;
        case kind::branch:
            os << pad << "if (" << condition_text(s, in_loop) << ") {\n";
            print_block(os, s.then_body, indent + 1, in_loop);
            if (!s.else_body.empty()) {
                os << pad << "} else {\n";
                print_block(os, s.else_body, indent + 1, in_loop);
            }
            os << pad << "}\n";
            break;
        case kind::loop:
            os << pad << "for (int k = 0; k < " << s.trips << "; ++k) {\n";
            print_block(os, s.then_body, indent + 1, true);
            os << pad << "}\n";
            break;
        case kind::early_return:
            os << pad << "if (" << condition_text(s, in_loop) << ") return " << reg_text(s.b) << ";\n";
            break;
        case kind::running_max: {
            os << pad << "{\n" << pad << "    T m = -std::numeric_limits<T>::infinity();\n";
            for (int j : s.regs) os << pad << "    if (" << reg_text(j) << " > m) m = " << reg_text(j) << ";\n";
            os << pad << "    " << d << " = m;\n" << pad << "}\n";
            break;
        }
        case kind::floor_scaled:
            os << pad << d << " = std::floor(" << reg_text(s.a) << " * " << constant_text(s.k1, true, in_loop)
               << ") * " << constant_text(s.k2, true, in_loop) << " + " << reg_text(s.b) << ";\n";
            break;
    }
}

inline void print_block(std::ostream& os, const std::vector<stmt>& body, int indent, bool in_loop) {
    for (const stmt& s : body) print_stmt(os, s, indent, in_loop);
}

inline std::string to_cpp(const program& p) {
    std::ostringstream os;
    os << "// named(c) stands for a local `const T k = c;`\n";
    os << "template <class T>\nT f(const std::vector<T>& x) {\n";
    os << "    using std::abs; using std::tanh;\n";
    os << "    std::vector<T> r = {";
    for (int i = 0; i < p.inputs; ++i) os << (i ? ", " : "") << "x[" << i << "]";
    for (const constant& k : p.initial) os << ", T(" << number(k.c) << ")";
    os << "};\n";
    print_block(os, p.body, 1, false);
    os << "    return " << reg_text(p.result) << ";\n}\n";
    return os.str();
}

// Number of statements (recursively) in a program.
inline int size(const std::vector<stmt>& body) {
    int n = 0;
    for (const stmt& s : body) n += 1 + size(s.then_body) + size(s.else_body);
    return n;
}

}  // namespace fuzz
