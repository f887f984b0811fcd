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

/**
 * Indefinite-length CBOR strings (RFC 8949 §3.2.3: a 0x5F/0x7F head, chunks, a "break") are
 * read by the CBOR-based formats (SenML CBOR, LwM2M CBOR, plain CBOR). Firmware whose servers
 * send only definite-length strings may define it to 0: the chunk reading and joining code is
 * then not compiled in (576 B of Cortex-M4 flash in bench/footprint.sh)
 * and such a string is refused with `errc::indefinite_string_not_supported` at its head (4.00 to
 * a Write), never misread. 1 (the default): read as before.
 */
#ifndef LWM2M_CBOR_INDEFINITE_STRINGS
#define LWM2M_CBOR_INDEFINITE_STRINGS 1
#endif

/**
 * Values whose text still holds JSON escapes (`text_encoding::json_escaped`, RFC 8259 §7:
 * what the SenML JSON and OMA JSON readers make of an escaped string) are decoded by
 * `copy_value_bytes`, `for_each_value_byte` and the writers. A value's encoding is known only
 * at run time, so the decoder is linked into every build that decodes any value; firmware
 * with no JSON format may define it to 0 to leave it out (720 B of Cortex-M4 flash). Such a
 * value then fails to decode with `errc::json_escapes_not_supported`, never misread; a client
 * engine whose `format_set` holds SenML JSON does not compile with it 0. 1: the default.
 */
#ifndef LWM2M_JSON_ESCAPED_VALUES
#define LWM2M_JSON_ESCAPED_VALUES 1
#endif

/**
 * Float values (LwM2M data type Float, IEEE 754) in the content formats' values. A client
 * whose objects have no Float resource (Security, Server, Device...) never reads or writes
 * one: it may define it to 0 and, with gt/lt/st left out (`client::operation_set::thresholds`),
 * no decimal text is converted to or from a double (compact::parse_double, format_double and
 * the shortest float writers: 2.8 kB of Cortex-M4 flash) and no double is added or converted
 * by libgcc's soft float (`encoding::to_double` from the bits: 888 B of libgcc less 504 B). Then plain text of a Float, a SenML
 * CBOR decimal fraction (tag 4) that is not a whole number, a SenML bt + t or bv + v that is
 * not a sum of whole numbers, and any Float value given to a writer fail with
 * `errc::float_not_supported` (4.00 to a Write); a whole decimal fraction is read as the
 * integer it is, and SenML CBOR floats (half, single, double) are still read, so 22.0 still
 * writes an Integer resource and 22.5 is still refused (`type_mismatch`). `client::engine::
 * add_object` does not compile for an object with a Float resource. 1: the default.
 */
#ifndef LWM2M_FLOAT_VALUES
#define LWM2M_FLOAT_VALUES 1
#endif

/**
 * Values in base64 text (RFC 4648): Opaque in plain text (LwM2M 1.1 Core §7.4.1) and SenML
 * JSON's "vd" (RFC 8428 §5). A client whose objects have no Opaque resource never reads or
 * writes one: it may define it to 0 to leave the base64 code out (1,080 B of Cortex-M4
 * flash). Then plain text of an Opaque (read or written) and the decoding of a base64 value
 * fail with `errc::base64_not_supported` (4.00 to a Write), never misread; raw Opaque bytes
 * (TLV, CBOR) are read and written as before. `client::engine::add_object` does not compile for
 * an object with an Opaque resource, nor an engine whose format_set holds SenML JSON. 1: the default.
 */
#ifndef LWM2M_BASE64_VALUES
#define LWM2M_BASE64_VALUES 1
#endif

/**
 * The text of the schemas a client engine binds (object and resource names, units, URN:
 * `object_binding::schema`). No LwM2M operation sends it; an application may show it. 0: the
 * engine binds a copy of each schema without it (`client::bind`), so firmware links none of
 * those strings (584 B of Cortex-M4 flash for the Server and Device objects); the
 * objects' own `schema` keeps it. 1: the default.
 */
#ifndef LWM2M_SCHEMA_NAMES
#define LWM2M_SCHEMA_NAMES 1
#endif

namespace lwm2m::config {

inline constexpr std::size_t coap_max_token_length = LWM2M_COAP_MAX_TOKEN_LENGTH;
inline constexpr std::size_t coap_default_max_options = LWM2M_COAP_DEFAULT_MAX_OPTIONS;
/// See LWM2M_CBOR_INDEFINITE_STRINGS.
inline constexpr bool cbor_indefinite_strings = LWM2M_CBOR_INDEFINITE_STRINGS != 0;
/// See LWM2M_JSON_ESCAPED_VALUES.
inline constexpr bool json_escaped_values = LWM2M_JSON_ESCAPED_VALUES != 0;
/// See LWM2M_FLOAT_VALUES.
inline constexpr bool float_values = LWM2M_FLOAT_VALUES != 0;
/// See LWM2M_BASE64_VALUES.
inline constexpr bool base64_values = LWM2M_BASE64_VALUES != 0;
/// See LWM2M_SCHEMA_NAMES.
inline constexpr bool schema_names = LWM2M_SCHEMA_NAMES != 0;

static_assert(coap_max_token_length <= 8, "RFC 7252 §3 limits tokens to 8 bytes");

} // namespace lwm2m::config
