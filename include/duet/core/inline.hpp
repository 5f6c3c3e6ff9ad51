// DUET_INLINE: the forced inlining every expression function uses.
#pragma once

// Every function that builds, evaluates or sweeps an expression is forced
// inline: a statement's compile-time tree must become straight-line code.
// Left to their budgets, inliners give up on deep trees and pass caches and
// subtrees through memory, which makes sweeps of long sums several times
// slower (figures: doc/performance.md, "Measurements behind the code's shape").
#if defined(DUET_INLINE)
#elif defined(__GNUC__) || defined(__clang__)
#define DUET_INLINE [[gnu::always_inline]] inline
#else
#define DUET_INLINE inline
#endif
#if defined(__GNUC__) || defined(__clang__)
#define DUET_INLINE_LAMBDA __attribute__((always_inline))
#else
#define DUET_INLINE_LAMBDA
#endif
