// The names the tape and its variables share, declared without defining
// either: tape.hpp defines tape<T> and its recorder, var.hpp defines var<T>
// and includes tape.hpp (a var records on a tape; a tape can be used without
// vars, e.g. by the drivers, through new_independents and adjoints). Neither
// definition needs the other complete until a member is instantiated, so
// each header includes this one and the dependency goes one way only.
//
// DUET_TAPE_CHECKS (on unless NDEBUG): every var remembers the id of its tape
// and the tape's generation when it was recorded; using it on another tape,
// or after the tape was cleared/rewound past it, throws std::logic_error.
// The macro changes var's layout: set it identically in every translation
// unit of a program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#ifndef DUET_TAPE_CHECKS
#ifdef NDEBUG
#define DUET_TAPE_CHECKS 0
#else
#define DUET_TAPE_CHECKS 1
#endif
#endif

namespace duet {

// The mode tag of var's expression family.
struct tape_mode {};

template <class T>
class tape;
template <class T>
class var;

namespace detail {

// Statement and entry numbers. 32 bits keep a partial at 12 bytes (double);
// a tape holds at most 2^32 - 1 statements and as many partials.
using tape_index = std::uint32_t;
inline constexpr std::size_t tape_index_limit = std::numeric_limits<tape_index>::max();

// The write side of tape<T>, used by var<T> to record statements
// (reverse/tape.hpp).
template <class T>
class tape_recorder;

// Builds vars for statements already registered with
// tape::new_independents (reverse/var.hpp).
template <class T>
struct registered_var;

}  // namespace detail
}  // namespace duet
