// What the drivers know about the function they differentiate before they
// call it.
//
//   callable_with<F, Args...>  whether to call f with Args, or stop with the
//       driver's sentence. A generic callable (a template operator(), e.g. a
//       lambda with auto parameters) is always called: asking whether it is
//       invocable would instantiate its body, and an error there (the real
//       one) would be followed by a misleading "not generic" sentence. A
//       callable with fixed parameter types (a function, or one non-template
//       operator()) is tested with std::is_invocable.
//   driver_tag<F, T>  the tag of the duals a driver call seeds (forward/
//       dual.hpp): one per function type and argument number type, so the
//       duals of a derivative taken inside another have another type.
//   DUET_LIFT(f)  a function template or overload set as one generic lambda.
#pragma once

#include <type_traits>
#include <utility>

namespace duet {
namespace detail {

template <class F>
concept has_fixed_signature =
    !std::is_class_v<std::remove_cvref_t<F>> ||
    requires { &std::remove_cvref_t<F>::operator(); };

template <class F, class... Args>
concept callable_with = !has_fixed_signature<F> || std::is_invocable_v<F, Args...>;

template <class F, class T>
struct driver_tag_of {};
template <class F, class T>
using driver_tag = driver_tag_of<std::remove_cvref_t<F>, T>;

}  // namespace detail
}  // namespace duet

// Passes a function template (`template <class T> T f(const std::vector<T>&)`)
// or an overloaded function to a driver: `duet::gradient(DUET_LIFT(f), x)`.
// A template's name alone has no type until its arguments are known, so a
// driver cannot take it; the lambda defers the choice to each call.
#define DUET_LIFT(f)                                                                     \
    [&](auto&&... duet_lift_args) -> decltype(auto) {                                    \
        return f(std::forward<decltype(duet_lift_args)>(duet_lift_args)...);             \
    }
