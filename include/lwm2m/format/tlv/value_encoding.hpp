#pragma once
/**
 * @file format/tlv/value_encoding.hpp
 * The LwM2M binary value encodings used inside TLV (LwM2M 1.0 §6.4.3 and Appendix C,
 * 1.1 Core §7.4.3 and Appendix C), shortest form for each value kind:
 *
 * | kind              | bytes                                                            |
 * |-------------------|------------------------------------------------------------------|
 * | integer, time     | two's complement big-endian, 1, 2, 4 or 8 bytes by magnitude     |
 * | unsigned integer  | big-endian, 1, 2, 4 or 8 bytes; see `encode_unsigned` (sign-safe)|
 * | float             | IEEE 754 big-endian: 4 bytes when exactly representable, else 8  |
 * | boolean           | 1 byte, 0 or 1                                                   |
 * | objlnk            | 4 bytes: uint16 object id, uint16 instance id                    |
 * | string, corelnk   | UTF-8 bytes, no terminator                                       |
 * | opaque, untyped   | the bytes                                                        |
 * | none              | no bytes (executable resources)                                  |
 *
 * Decoding is `decode_value` (the same rules as `coerce` of an `untyped` value).
 * Allocation: none.
 */

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/tlv/header.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::tlv {

/** A fixed-size binary value (numbers, booleans, object links): at most 8 bytes. Allocation: none. */
struct fixed_value {
    std::array<std::byte, 8> bytes{}; ///< only the first `size` are meaningful
    std::uint8_t size = 0;            ///< 1, 2, 4 or 8

    /** The encoded bytes as a view into this object. */
    [[nodiscard]] constexpr bytes_view view() const noexcept { return bytes_view{bytes.data(), size}; }
};

/** Smallest of 1, 2, 4, 8 bytes holding `v` as a two's complement integer. Allocation: none. */
[[nodiscard]] constexpr std::uint8_t integer_length(std::int64_t v) noexcept {
    if (v >= std::numeric_limits<std::int8_t>::min() && v <= std::numeric_limits<std::int8_t>::max()) return 1;
    if (v >= std::numeric_limits<std::int16_t>::min() && v <= std::numeric_limits<std::int16_t>::max()) return 2;
    if (v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max()) return 4;
    return 8;
}

namespace detail {
/** A fixed-size value: `size` bytes (1, 2, 4 or 8; 0 for none), the low bytes of `bits`, most significant first. */
struct fixed_bits {
    std::uint64_t bits = 0;
    std::uint8_t size = 0;
};

[[nodiscard]] constexpr fixed_bits integer_bits(std::int64_t v) noexcept {
    return {static_cast<std::uint64_t>(v), integer_length(v)};
}
[[nodiscard]] constexpr fixed_bits unsigned_bits(std::uint64_t v) noexcept {
    if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return integer_bits(static_cast<std::int64_t>(v));
    return {v, 8};
}
[[nodiscard]] constexpr fixed_bits boolean_bits(bool v) noexcept { return {v ? 1u : 0u, 1}; }
[[nodiscard]] constexpr fixed_bits objlnk_bits(objlnk v) noexcept {
    return {std::uint64_t{v.object_id} << 16 | v.instance_id, 4};
}
} // namespace detail

/**
 * The binary32 bits of `v` when `v` survives a round trip through binary32 bit for bit, else
 * nothing. A quiet NaN whose payload fits binary32's 22 payload bits keeps its payload (and so
 * takes 4 bytes, as it did when it came in as a 4-byte float).
 */
[[nodiscard]] constexpr std::optional<std::uint32_t> float32_bits(double v) noexcept {
    if (encoding::is_nan(v)) {
        const auto b = std::bit_cast<std::uint64_t>(v);
        constexpr std::uint64_t dropped = (std::uint64_t{1} << 29) - 1;  // mantissa bits binary32 lacks
        constexpr std::uint64_t quiet = std::uint64_t{1} << 51;
        if ((b & dropped) != 0 || (b & quiet) == 0) return std::nullopt;
        return static_cast<std::uint32_t>(((b >> 63) << 31) | 0x7F800000u | ((b >> 29) & 0x7FFFFFu));
    }
    return encoding::exact_binary32_bits(v);  // (from the bits: no soft-float conversion on an MCU)
}

namespace detail {
/** Out of line: the binary32 round-trip test is long, and would keep `fixed_bits_of` from being inlined. */
[[nodiscard]] LWM2M_NOINLINE constexpr fixed_bits float_bits(double v) noexcept {
    // Without Float values (config.hpp) the writers refuse them: 8 bytes, no shortening code.
    if constexpr (!config::float_values) return {std::bit_cast<std::uint64_t>(v), 8};
    if (const auto bits = float32_bits(v)) return {*bits, 4};
    return {std::bit_cast<std::uint64_t>(v), 8};
}

/** The encoding of a number/boolean/objlnk value; size 0 for other kinds. */
[[nodiscard]] constexpr fixed_bits fixed_bits_of(const value& v) noexcept {
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::time: return integer_bits(v.as_integer());
    case value_kind::unsigned_integer: return unsigned_bits(v.as_unsigned());
    case value_kind::float_: return float_bits(v.as_float());
    case value_kind::boolean: return boolean_bits(v.as_boolean());
    case value_kind::objlnk: return objlnk_bits(v.as_objlnk());
    default: return {};
    }
}

[[nodiscard]] constexpr fixed_value to_fixed_value(fixed_bits f) noexcept {
    fixed_value out;
    out.size = f.size;
    store_be(f.bits, mutable_bytes{out.bytes.data(), f.size});
    return out;
}

/** The fixed-size encoding of a number/boolean/objlnk value; size 0 for other kinds. */
[[nodiscard]] constexpr fixed_value encode_fixed(const value& v) noexcept { return to_fixed_value(fixed_bits_of(v)); }

/**
 * An Integer, Unsigned Integer, Time or Float value in 8 bytes, a length each of them may
 * take whatever the number (§7.4.3: integers of 1, 2, 4 or 8 bytes, floats of 4 or 8).
 */
[[nodiscard]] constexpr fixed_bits widest_bits(const value& v) noexcept {
    if (v.kind() == value_kind::float_) return {std::bit_cast<std::uint64_t>(v.as_float()), 8};
    return {fixed_bits_of(v).bits, 8};  // two's complement: the shortest form's bits, sign-extended
}
} // namespace detail

/**
 * Integer (and Time) value: two's complement big-endian in the shortest of 1, 2, 4, 8 bytes
 * (LwM2M 1.0 §6.4.3 Integer; 22 -> `16`, -1 -> `FF`, 3800 -> `0E D8`). Allocation: none.
 */
[[nodiscard]] constexpr fixed_value encode_integer(std::int64_t v) noexcept {
    return detail::to_fixed_value(detail::integer_bits(v));
}

/**
 * Unsigned Integer value (LwM2M 1.1 Core Appendix C): big-endian in 1, 2, 4 or 8 bytes.
 * The length is chosen so the top bit is clear whenever the value allows it (values up to
 * 2^63 - 1 use the `encode_integer` length; larger ones 8 bytes), so a peer that reads the
 * resource as a signed Integer gets the same number (200 -> `00 C8`, not `C8`). A TLV writer
 * has no schema, and a record of kind unsigned may well target an Integer resource.
 * Allocation: none.
 */
[[nodiscard]] constexpr fixed_value encode_unsigned(std::uint64_t v) noexcept {
    return detail::to_fixed_value(detail::unsigned_bits(v));
}

/**
 * Float value: IEEE 754 big-endian, 4 bytes when the value is exactly a binary32
 * (22.5 -> `41 B4 00 00`), else 8 bytes (LwM2M 1.0 §6.4.3 Float: 4 or 8 bytes).
 * Allocation: none.
 */
[[nodiscard]] constexpr fixed_value encode_float(double v) noexcept {
    return detail::to_fixed_value(detail::float_bits(v));
}

/** Boolean value: one byte, 0 or 1 (LwM2M 1.0 §6.4.3 Boolean). Allocation: none. */
[[nodiscard]] constexpr fixed_value encode_boolean(bool v) noexcept {
    return detail::to_fixed_value(detail::boolean_bits(v));
}

/**
 * Objlnk value: 4 bytes, object id then instance id, each uint16 big-endian; the null link
 * 65535:65535 is `FF FF FF FF` (LwM2M 1.0 Appendix C Objlnk). Allocation: none.
 */
[[nodiscard]] constexpr fixed_value encode_objlnk(objlnk v) noexcept {
    return detail::to_fixed_value(detail::objlnk_bits(v));
}

/**
 * Length of the TLV value bytes of `v` (see the file table). Byte-sequence values in an
 * encoded `text_encoding` (JSON escapes, base64) count their decoded bytes.
 * Errors (offset 0): `invalid_json`, `invalid_utf8`, `invalid_base64` for encoded text that
 * was not validated by its reader. Allocation: none.
 */
[[nodiscard]] constexpr result<std::size_t> encoded_value_size(const value& v) noexcept {
    if (v.kind() == value_kind::none) return std::size_t{0};
    if (v.is_bytes()) {
        auto n = value_byte_size(v);
        if (!n) return fail(n.error().code, 0);
        return *n;
    }
    return std::size_t{detail::fixed_bits_of(v).size};
}

/**
 * Writes the TLV value bytes of `v` by calling `put(bytes_view)` once or more (byte-sequence
 * values in an encoded `text_encoding` are decoded on the way). Returns the number of bytes.
 * Errors: as `encoded_value_size`. Allocation: none.
 */
template <class Put>
constexpr result<std::size_t> encode_value_each(const value& v, Put&& put) noexcept {
    if (v.kind() == value_kind::none) return std::size_t{0};
    if (v.is_bytes()) {
        if (v.encoding() == text_encoding::raw) {
            put(v.encoded_bytes());
            return v.encoded_bytes().size();
        }
        auto n = for_each_value_byte(v, [&](std::byte b) { put(bytes_view{&b, 1}); });
        if (!n) return fail(n.error().code, 0);
        return *n;
    }
    const fixed_value f = detail::encode_fixed(v);
    put(f.view());
    return std::size_t{f.size};
}

/**
 * Interprets TLV value bytes as data type `t` (LwM2M 1.0 §6.4.3 / Appendix C): integers and
 * time of 1, 2, 4 or 8 bytes (sign-extended), unsigned of 1, 2, 4 or 8 bytes, floats of 4 or
 * 8 bytes, booleans of one byte 0/1, object links of 4 bytes, UTF-8 strings/corelnk, opaque
 * bytes as they are; `none` only from no bytes. Strings and opaque values view `b`.
 * Errors (offset inside `b`): `invalid_integer_length`, `invalid_float_length`,
 * `invalid_boolean`, `invalid_objlnk`, `invalid_utf8`, `type_mismatch`. Allocation: none.
 */
[[nodiscard]] constexpr result<value> decode_value(bytes_view b, data_type t) noexcept {
#if LWM2M_TLV_FAST_PATH
    // The commonest types inline (a reader pays a call per value otherwise); the rest as `coerce`.
    switch (t) {
    case data_type::integer:
    case data_type::time: {
        if (!lwm2m::detail::is_binary_integer_length(b.size())) return fail(errc::invalid_integer_length);
        const std::int64_t v = lwm2m::detail::load_be_signed_1248(b);
        return t == data_type::time ? value::of_time(v) : value::of_integer(v);
    }
    case data_type::string:
        if (auto ok = encoding::validate_utf8(b); !ok) return unexpected{ok.error()};
        return value::of_string(as_chars(b));
    default: return coerce(value::of_untyped(b), t);
    }
#else
    return lwm2m::detail::decode_binary_value(b, t);  // size builds: one copy of the rules, `coerce`'s
#endif
}

} // namespace lwm2m::format::tlv
