// Mode tags: the optional first argument of every driver.
#pragma once

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

inline constexpr forward_t forward{};      // dual numbers, N lanes per pass
inline constexpr reverse_t reverse{};      // static adjoint / tape
inline constexpr automatic_t automatic{};  // the driver chooses

template <class M>
concept mode_tag = std::is_same_v<std::remove_cvref_t<M>, forward_t> ||
                   std::is_same_v<std::remove_cvref_t<M>, reverse_t> ||
                   std::is_same_v<std::remove_cvref_t<M>, automatic_t>;

}  // namespace duet
