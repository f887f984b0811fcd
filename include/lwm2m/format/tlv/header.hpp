#pragma once
/**
 * @file format/tlv/header.hpp
 * One LwM2M TLV entry header (application/vnd.oma.lwm2m+tlv, Content-Format 11542):
 * the type byte, the 8- or 16-bit identifier and the optional 8/16/24-bit length
 * (LwM2M 1.0 §6.4.3, 1.1 Core §7.4.3, "TLV format and description").
 *
 * ```
 * type byte: bits 7-6 identifier type   00 Object Instance      01 Resource Instance
 *                                       10 Multiple Resource    11 Resource with value
 *            bit 5    identifier width  0 = 8-bit, 1 = 16-bit (big-endian)
 *            bits 4-3 length type       00 = length in bits 2-0, 01/10/11 = 8/16/24-bit field
 *            bits 2-0 value length      (only when bits 4-3 are 00; ignored otherwise)
 * ```
 * Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>

#include <lwm2m/bytes.hpp>
#include <lwm2m/result.hpp>

/// The TLV fast paths: the reader's (`basic_tlv_reader::fast_record`: a value TLV of the
/// commonest shape read inline in the caller's loop) and the writer's (`write_tlv` at base
/// /O/I: `detail::tlv_writer::write_in_place`). Compiled out when optimising for size, where
/// only the general code is kept; define it to 0 or 1 to choose.
#ifndef LWM2M_TLV_FAST_PATH
#if defined(__OPTIMIZE_SIZE__)
#define LWM2M_TLV_FAST_PATH 0
#else
#define LWM2M_TLV_FAST_PATH 1
#endif
#endif

namespace lwm2m::format::tlv {

/** What a TLV entry is: bits 7-6 of the type byte (LwM2M 1.0 §6.4.3). Allocation: none. */
enum class entry_type : std::uint8_t {
    object_instance = 0,   ///< `00`: the value is a sequence of Resource / Multiple Resource TLVs
    resource_instance = 1, ///< `01`: a value; only inside a Multiple Resource TLV
    multiple_resource = 2, ///< `10`: the value is a sequence of Resource Instance TLVs
    resource = 3,          ///< `11`: a Resource with its value
};

/** Largest value length a TLV header can express (24-bit length field): 2^24 - 1. */
inline constexpr std::size_t max_value_length = 0xFFFFFF;
/** Largest header: type byte, 16-bit identifier, 24-bit length. */
inline constexpr std::size_t max_header_size = 6;

/** A decoded TLV header. Allocation: none. */
struct header {
    entry_type type = entry_type::resource; ///< bits 7-6 of the type byte
    std::uint16_t id = 0;                   ///< Object Instance / Resource / Resource Instance id
    std::size_t length = 0;                 ///< value length in bytes
    std::size_t size = 0;                   ///< header length in bytes (2..6)

    friend constexpr bool operator==(const header&, const header&) noexcept = default;
};

/**
 * Decodes the header at the start of `in` and checks that its value fits in `in`.
 * Accepts every form: 8- and 16-bit ids (a 16-bit id below 256 too), inline lengths and
 * 8/16/24-bit length fields (the 3-bit length is ignored when a length field is present,
 * LwM2M 1.0 §6.4.3). The id is returned as is (65535 included; callers decide).
 *
 * Errors (offset 0, the type byte): `truncated_value` (`in` ends inside the header),
 * `length_exceeds_payload` (the value is longer than the rest of `in`).
 * Allocation: none.
 */
[[nodiscard]] constexpr result<header> decode_header(bytes_view in) noexcept {
    // Every header has a type byte and an id byte: fewer than two bytes is a truncated header.
    if (in.size() < 2) return fail(errc::truncated_value, 0);
    const std::byte* p = in.data();
    const auto byte = [p](std::size_t i) { return std::size_t{static_cast<std::uint8_t>(p[i])}; };
    const std::size_t t = byte(0);
    const std::size_t wide_id = (t >> 5) & 1u;        // bit 5: 16-bit identifier
    const std::size_t length_size = (t >> 3) & 0x03u;  // bits 4-3: bytes of the length field
    header h;
    h.type = static_cast<entry_type>(t >> 6);
    h.size = 2 + wide_id + length_size;
    if (in.size() < h.size) return fail(errc::truncated_value, 0);
    h.id = static_cast<std::uint16_t>(wide_id == 0 ? byte(1) : byte(1) << 8 | byte(2));
    // Bits 2-0 are the length only without a length field (then they are ignored). Tested in
    // order of frequency: inline lengths, then 8-bit length fields.
    const std::size_t length_at = 2 + wide_id;
    if (length_size == 0) {
        h.length = t & 0x07u;
    } else if (length_size == 1) {
        h.length = byte(length_at);
    } else {
        h.length = byte(length_at) << 8 | byte(length_at + 1);
        if (length_size == 3) h.length = h.length << 8 | byte(length_at + 2);
    }
    if (h.length > in.size() - h.size) return fail(errc::length_exceeds_payload, 0);
    return h;
}

/** Bytes of the shortest length field for `length`: 0 (inline, < 8), 1, 2 or 3. Allocation: none. */
[[nodiscard]] constexpr std::size_t length_field_size(std::size_t length) noexcept {
    if (length < 8) return 0;
    if (length <= 0xFF) return 1;
    if (length <= 0xFFFF) return 2;
    return 3;
}

/**
 * Size of the shortest header for `id` and `length` (2..6 bytes): an 8-bit id when it is
 * below 256, the shortest length form ([LESHAN] TlvEncoder does the same).
 * Precondition: `length <= max_value_length`. Allocation: none.
 */
[[nodiscard]] constexpr std::size_t header_size(std::uint16_t id, std::size_t length) noexcept {
    return 1 + (id <= 0xFF ? 1 : 2) + length_field_size(length);
}

/** Encoded header bytes (as returned by `encode_header`). Allocation: none. */
struct header_bytes {
    std::array<std::byte, max_header_size> bytes{}; ///< only the first `size` are meaningful
    std::uint8_t size = 0;                           ///< 2..6

    /** The header as a view into this object. */
    [[nodiscard]] constexpr bytes_view view() const noexcept { return bytes_view{bytes.data(), size}; }
};

/**
 * Writes the shortest header for an entry of `type` with `id` and a value of `length` bytes
 * at `out` (room for `max_header_size` bytes) and returns its size (2..6).
 * Precondition: `length <= max_value_length`. Allocation: none.
 */
constexpr std::size_t write_header(std::byte* out, entry_type type, std::uint16_t id, std::size_t length) noexcept {
    LWM2M_ASSERT(length <= max_value_length);
    auto t = static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) << 6);
    std::size_t n = 1;
    if (id > 0xFF) {
        t |= 0x20;
        out[n++] = static_cast<std::byte>(id >> 8);
    }
    out[n++] = static_cast<std::byte>(id);
    if (length < 8) {
        t |= static_cast<std::uint8_t>(length);
    } else if (length <= 0xFF) {  // most strings and opaque values: an 8-bit length field
        t |= 0x08;
        out[n++] = static_cast<std::byte>(length);
    } else {
        const std::size_t length_size = length_field_size(length);
        t |= static_cast<std::uint8_t>(length_size << 3);
        for (std::size_t k = length_size; k-- > 0;) out[n++] = static_cast<std::byte>(length >> (8 * k));
    }
    out[0] = static_cast<std::byte>(t);
    return n;
}

/**
 * The shortest header for an entry of `type` with `id` and a value of `length` bytes.
 * Precondition: `length <= max_value_length`. Allocation: none.
 */
[[nodiscard]] constexpr header_bytes encode_header(entry_type type, std::uint16_t id, std::size_t length) noexcept {
    header_bytes h;
    h.size = static_cast<std::uint8_t>(write_header(h.bytes.data(), type, id, length));
    return h;
}

} // namespace lwm2m::format::tlv
