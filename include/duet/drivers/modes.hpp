// The mode vocabulary, one for every driver (doc/modes.md has the table).
//
// Tags, the optional first argument of a driver:
//   duet::forward    dual numbers, L tangent lanes per pass
//   duet::reverse    the reverse mode the argument kind has: the static
//                    adjoint for scalar arguments (f is one expression), the
//                    tape for containers, the tensor sweep for tensors
//   duet::automatic  the driver resolves it (drivers/automatic.hpp)
//   duet::planned    jacobian_chain only: a planned mix of the two per
//                    group of stages (what automatic means for a chain)
// Choices, what a tag resolves to and what a chain step runs:
//   duet::mode_choice::forward / ::reverse
// Threads, the optional last argument of jacobian and hessian (containers):
//   duet::threads{k}  split the passes (forward: lane blocks; reverse:
//                     sweeps) across k threads; 1 (the default) runs on the
//                     calling thread only, 0 means one per hardware thread
//                     (drivers/passes.hpp, run_on_threads).
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>

namespace duet {

struct forward_t {
    explicit forward_t() = default;
};
struct reverse_t {
    explicit reverse_t() = default;
};
struct automatic_t {
    explicit automatic_t() = default;
};
struct planned_t {
    explicit planned_t() = default;
};

inline constexpr forward_t forward{};
inline constexpr reverse_t reverse{};
inline constexpr automatic_t automatic{};
inline constexpr planned_t planned{};

// A tag every driver accepts.
template <class M>
concept mode_tag = std::is_same_v<std::remove_cvref_t<M>, forward_t> ||
                   std::is_same_v<std::remove_cvref_t<M>, reverse_t> ||
                   std::is_same_v<std::remove_cvref_t<M>, automatic_t>;

// How many threads a Jacobian / Hessian driver may run its passes on. k = 1:
// the calling thread alone (today's code path); k = 0: one per hardware
// thread (std::thread::hardware_concurrency()); never more threads than
// passes. Results are bitwise equal for every k.
struct threads {
    std::size_t count = 1;
    constexpr explicit threads(std::size_t k = 1) noexcept : count(k) {}
};

// What a mode tag resolves to for one derivative.
enum class mode_choice { forward, reverse };

constexpr const char* to_string(mode_choice m) noexcept { return m == mode_choice::forward ? "forward" : "reverse"; }

}  // namespace duet
