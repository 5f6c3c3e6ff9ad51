// DUET_COUNT_ALLOCATIONS: 1 when a test program may replace operator
// new/delete to count allocations, 0 under AddressSanitizer (which owns
// them). Test programs that count include this first.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define DUET_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DUET_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef DUET_COUNT_ALLOCATIONS
#define DUET_COUNT_ALLOCATIONS 1
#endif
