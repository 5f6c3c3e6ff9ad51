// The drivers' reusable tape: one per thread and value type.
//
// gradient / value_and_gradient / jacobian / hessian / vjp in reverse mode
// record on a tape. A fresh tape per call allocates its buffers and touches
// every new page again: page faults then dominate a gradient of a few
// thousand elements. The workspace keeps its capacity between calls on the
// same thread: cleared, not freed; so does the vector of input vars the
// gradient driver hands to f. release_workspace_tape<T>() frees both.
//
// Lifetime: the workspace lives until its thread exits. While a driver runs,
// the workspace is busy; a driver called from inside the function being
// differentiated (same T) gets a fresh tape of its own, so nesting is safe.
// vars handed to the body are valid only during the call (the tape is
// cleared on the next use).
#pragma once

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "duet/reverse/tape.hpp"
#include "duet/reverse/var.hpp"

namespace duet {
namespace detail {

template <class T>
struct workspace_slot {
    std::optional<tape<T>> reusable;  // engaged on first use; always inactive
    std::vector<var<T>> inputs;       // the drivers' input vars, capacity reused
    bool busy = false;
};

template <class T>
workspace_slot<T>& workspace() {
    thread_local workspace_slot<T> slot;
    return slot;
}

}  // namespace detail

// Runs body(t) with t this thread's workspace tape<T>, cleared and active
// for the duration of the call (or a fresh active tape when the workspace is
// already in use by an enclosing call). Returns what body returns.
template <class T, class Body>
decltype(auto) with_workspace_tape(Body&& body) {
    auto& slot = detail::workspace<T>();
    if (slot.busy) {
        tape<T> fresh;
        return std::forward<Body>(body)(fresh);
    }
    if (!slot.reusable) slot.reusable.emplace(tape<T>::inactive);
    struct release_on_exit {
        bool& busy;
        ~release_on_exit() { busy = false; }
    } release{slot.busy};
    slot.busy = true;
    tape<T>& t = *slot.reusable;
    t.clear();
    typename tape<T>::activation active(t);
    return std::forward<Body>(body)(t);
}

// Frees this thread's workspace tape<T> (its buffers). Throws
// std::logic_error when called from inside a driver that is using it.
template <class T>
void release_workspace_tape() {
    auto& slot = detail::workspace<T>();
    if (slot.busy)
        throw std::logic_error(
            "duet::release_workspace_tape: the workspace tape is in use by a running driver "
            "(called from inside the function being differentiated)");
    slot.reusable.reset();
    slot.inputs = {};
}

namespace detail {
// The workspace's reusable vector of input vars when t is the workspace tape
// itself (inside with_workspace_tape); nullptr for a fresh nested tape, whose
// caller may be using the vector. Valid until the body returns.
template <class T>
std::vector<var<T>>* workspace_inputs(const tape<T>& t) {
    auto& slot = workspace<T>();
    return slot.busy && slot.reusable && &*slot.reusable == &t ? &slot.inputs : nullptr;
}
}  // namespace detail

// Bytes held by this thread's workspace tape<T> (0 if never used).
template <class T>
std::size_t workspace_tape_memory() {
    const auto& slot = detail::workspace<T>();
    return slot.reusable ? slot.reusable->memory() : 0;
}

}  // namespace duet
