#pragma once
/**
 * @file config.hpp
 * Compile-time limits and hooks shared by every layer.
 *
 * Each macro may be defined by the user before the first lwm2m include (or on the
 * compiler command line) to change a default. Limits are only defaults: every
 * container that needs a bound also takes it as a template parameter.
 */

#include <cstddef>

/// Largest CoAP token the codec accepts (RFC 7252 §3: 0..8 bytes).
#ifndef LWM2M_COAP_MAX_TOKEN_LENGTH
#define LWM2M_COAP_MAX_TOKEN_LENGTH 8
#endif

/// Default number of options a `coap::message_builder` (without explicit capacity) can hold.
#ifndef LWM2M_COAP_DEFAULT_MAX_OPTIONS
#define LWM2M_COAP_DEFAULT_MAX_OPTIONS 24
#endif

/**
 * Precondition hook. Called only for programming errors (a violated precondition of an
 * API), never for bad input, which is always reported as an `lwm2m::errc` value.
 * Define LWM2M_ASSERT(cond) to route it to your platform's handler.
 */
#ifndef LWM2M_ASSERT
#include <cassert>
#define LWM2M_ASSERT(cond) assert(cond)
#endif

/// Keeps a rarely taken path (error reporting, unusual encodings) out of line, so that the
/// hot path around it stays small enough to be inlined. Not when optimising for size (-Os,
/// -Oz): there the compiler's own choice is smaller (a path with one caller is inlined into
/// it, saving the call and the prologue), and hot paths are not inlined for speed anyway.
#if defined(__OPTIMIZE_SIZE__) && (defined(__GNUC__) || defined(__clang__))
#define LWM2M_NOINLINE
#elif defined(__GNUC__) || defined(__clang__)
#define LWM2M_NOINLINE [[gnu::noinline]]
#elif defined(_MSC_VER)
#define LWM2M_NOINLINE __declspec(noinline)
#else
#define LWM2M_NOINLINE
#endif

/// Forces a small step of a hot loop inline into its caller (the callgrind figures of
/// bench/callgrind.sh and bench/format_callgrind.sh depend on it), except when optimising for
/// size (-Os, -Oz), where the calls are smaller.
#if defined(__OPTIMIZE_SIZE__) || !(defined(__GNUC__) || defined(__clang__))
#define LWM2M_HOT_INLINE
#else
#define LWM2M_HOT_INLINE [[gnu::always_inline]]
#endif

/// Forces a tiny accessor inline in size builds (-Os, -Oz): `result`'s checked accesses (`*r`,
/// `r->`, `r.error()`), which GCC there keeps as calls (a load, a test, a trap), so it cannot
/// see that the test repeats the caller's `if (!r)` and drop it (about -900 B of Cortex-M4 flash in
/// bench/footprint.sh); likewise `path`'s ids, `value`'s typed accessors and `encoded_bytes()`,
/// `message_view::message_id()` and `coap::is_request`, whose calls cost more than their
/// bodies (-704 B). Speed builds inline them anyway; forcing it there only moves the
/// inliner's other choices (SenML JSON encode +3 instructions in bench/format_callgrind.sh).
#if defined(__OPTIMIZE_SIZE__) && (defined(__GNUC__) || defined(__clang__))
#define LWM2M_ALWAYS_INLINE [[gnu::always_inline]]
#else
#define LWM2M_ALWAYS_INLINE
#endif

namespace lwm2m::config {

inline constexpr std::size_t coap_max_token_length = LWM2M_COAP_MAX_TOKEN_LENGTH;
inline constexpr std::size_t coap_default_max_options = LWM2M_COAP_DEFAULT_MAX_OPTIONS;

static_assert(coap_max_token_length <= 8, "RFC 7252 §3 limits tokens to 8 bytes");

} // namespace lwm2m::config
