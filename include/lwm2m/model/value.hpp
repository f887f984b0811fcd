#pragma once
/**
 * @file value.hpp
 * `value`: one LwM2M value of any data type, as every content format reads and writes it.
 *
 * Zero-copy: strings and opaque bytes are views into the payload they were read from (of at
 * most 4 GiB - 1 bytes: the length is 32 bits, which keeps a value at 16 bytes on 64-bit
 * targets and so a `format::record` at 40; HACKING.md, "Records are small"). A
 * format that escapes, encodes or splits text (JSON string escapes, base64 in SenML JSON / plain
 * text, the chunks of an indefinite-length CBOR string) keeps the encoded view and says so in `encoding()`; `copy_text_to` /
 * `copy_bytes_to` decode into a caller buffer. Readers validate such text when they read
 * it, so decoding later cannot fail except for a too-small buffer.
 *
 * A value read without a schema may be `untyped` raw bytes (TLV does not say what a value
 * is); `coerce(v, type)` interprets it once the schema type is known.
 * Allocation: none.
 */

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string_view>

#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m {

/** How the bytes of a string/opaque/corelnk value are encoded in the payload. */
enum class text_encoding : std::uint8_t {
    raw,           ///< the bytes are the value
    json_escaped,  ///< JSON string contents with backslash escapes (RFC 8259 §7)
    base64,        ///< standard base64 with padding (RFC 4648 §4)
    base64url,     ///< base64url, padding optional (RFC 4648 §5; SenML JSON "vd")
    /// the chunks of an indefinite-length CBOR string (RFC 8949 §3.2.3): each chunk's head and
    /// contents, between the 0x5F/0x7F head and the "break"; the value is the chunks joined
    cbor_chunks,
};

/** What a value holds: a data type, or raw bytes whose type is not known yet. */
enum class value_kind : std::uint8_t {
    none, string, integer, unsigned_integer, float_, boolean, opaque, time, objlnk, corelnk,
    untyped,  ///< raw TLV/opaque bytes; call `coerce` with the schema type
};

/** Maps a data type to the value kind that holds it. */
[[nodiscard]] constexpr value_kind kind_of(data_type t) noexcept { return static_cast<value_kind>(t); }

class value {
public:
    constexpr value() noexcept : i_(0) {}

    [[nodiscard]] static constexpr value of_none() noexcept { return value{}; }
    [[nodiscard]] static constexpr value of_integer(std::int64_t v) noexcept { value x{value_kind::integer}; x.i_ = v; return x; }
    [[nodiscard]] static constexpr value of_unsigned(std::uint64_t v) noexcept { value x{value_kind::unsigned_integer}; x.u_ = v; return x; }
    [[nodiscard]] static constexpr value of_float(double v) noexcept { value x{value_kind::float_}; x.f_ = v; return x; }
    [[nodiscard]] static constexpr value of_boolean(bool v) noexcept { value x{value_kind::boolean}; x.b_ = v; return x; }
    [[nodiscard]] static constexpr value of_time(std::int64_t seconds) noexcept { value x{value_kind::time}; x.i_ = seconds; return x; }
    [[nodiscard]] static constexpr value of_objlnk(objlnk v) noexcept { value x{value_kind::objlnk}; x.l_ = v; return x; }
    [[nodiscard]] static value of_string(std::string_view s, text_encoding e = text_encoding::raw) noexcept {
        return text(value_kind::string, as_bytes(s), e);
    }
    [[nodiscard]] static value of_corelnk(std::string_view s, text_encoding e = text_encoding::raw) noexcept {
        return text(value_kind::corelnk, as_bytes(s), e);
    }
    [[nodiscard]] static constexpr value of_opaque(bytes_view b, text_encoding e = text_encoding::raw) noexcept {
        return text(value_kind::opaque, b, e);
    }
    /** Raw bytes whose data type is not known yet (e.g. a TLV value read without a schema). */
    [[nodiscard]] static constexpr value of_untyped(bytes_view b) noexcept { return text(value_kind::untyped, b, text_encoding::raw); }

    [[nodiscard]] constexpr value_kind kind() const noexcept { return kind_; }
    [[nodiscard]] constexpr text_encoding encoding() const noexcept { return encoding_; }

    // Accessors; precondition: the kind matches (LWM2M_ASSERT).
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::int64_t as_integer() const noexcept {
        LWM2M_ASSERT(kind_ == value_kind::integer || kind_ == value_kind::time);
        return i_;
    }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::int64_t as_time() const noexcept { return as_integer(); }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::uint64_t as_unsigned() const noexcept { LWM2M_ASSERT(kind_ == value_kind::unsigned_integer); return u_; }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr double as_float() const noexcept { LWM2M_ASSERT(kind_ == value_kind::float_); return f_; }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr bool as_boolean() const noexcept { LWM2M_ASSERT(kind_ == value_kind::boolean); return b_; }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr objlnk as_objlnk() const noexcept { LWM2M_ASSERT(kind_ == value_kind::objlnk); return l_; }
    /**
     * The stored bytes of a string/corelnk/opaque/untyped value, still in `encoding()`; empty
     * (and null) for other kinds, and for empty bytes.
     */
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr bytes_view encoded_bytes() const noexcept {
        // Only bytes kinds have a length, so the pointer is read only when it is the union's member.
        return size_ != 0 ? bytes_view{p_, size_} : bytes_view{};
    }
    /**
     * `encoded_bytes()` of a value known to hold bytes (precondition: `is_bytes()`,
     * LWM2M_ASSERT), without the kind test: for writers that have just dispatched on the kind.
     */
    [[nodiscard]] constexpr bytes_view bytes_unchecked() const noexcept {
        LWM2M_ASSERT(is_bytes());
        return bytes_view{p_, size_};
    }
    /** The text of a string/corelnk value when `encoding() == raw` (no copy). */
    [[nodiscard]] std::string_view raw_text() const noexcept {
        LWM2M_ASSERT(encoding_ == text_encoding::raw);
        return as_chars(encoded_bytes());
    }

    /** True for string, corelnk, opaque and untyped values (byte-sequence values). */
    [[nodiscard]] constexpr bool is_bytes() const noexcept { return ((bytes_kinds >> static_cast<unsigned>(kind_)) & 1u) != 0; }
    /** True for string and corelnk values (text that must be UTF-8). */
    [[nodiscard]] constexpr bool is_text() const noexcept { return ((text_kinds >> static_cast<unsigned>(kind_)) & 1u) != 0; }

    /** Numeric value as double (integer, unsigned, float, time). */
    [[nodiscard]] constexpr double numeric() const noexcept {
        switch (kind_) {
        case value_kind::integer:
        case value_kind::time: return encoding::to_double(i_);
        case value_kind::unsigned_integer: return encoding::to_double(u_);
        case value_kind::float_: return f_;
        default: return 0;
        }
    }

    /**
     * Same kind and same content as stored: numbers by value, byte-sequence values by their
     * encoding and encoded bytes. Two encodings of the same bytes (a raw "ab", the JSON text
     * "a\u0062", the CBOR chunks "a" "b") are not equal, as before for JSON and base64 text:
     * the compare stays a byte loop with no decoding. Compare what `copy_value_bytes` /
     * `for_each_value_byte` give for equality of the decoded bytes.
     */
    friend constexpr bool operator==(const value& a, const value& b) noexcept {
        if (a.kind_ != b.kind_) return false;
        switch (a.kind_) {
        case value_kind::none: return true;
        case value_kind::integer:
        case value_kind::time: return a.i_ == b.i_;
        case value_kind::unsigned_integer: return a.u_ == b.u_;
        case value_kind::float_: return a.f_ == b.f_ || (a.f_ != a.f_ && b.f_ != b.f_);
        case value_kind::boolean: return a.b_ == b.b_;
        case value_kind::objlnk: return a.l_ == b.l_;
        default:
            if (a.encoding_ != b.encoding_ || a.size_ != b.size_) return false;
            for (std::uint32_t i = 0; i < a.size_; ++i)
                if (a.p_[i] != b.p_[i]) return false;
            return true;
        }
    }

private:
    // One bit per value_kind: a kind test is a shift and a mask, not a chain of compares.
    static constexpr unsigned text_kinds =
        1u << static_cast<unsigned>(value_kind::string) | 1u << static_cast<unsigned>(value_kind::corelnk);
    static constexpr unsigned bytes_kinds =
        text_kinds | 1u << static_cast<unsigned>(value_kind::opaque) | 1u << static_cast<unsigned>(value_kind::untyped);

    constexpr explicit value(value_kind k) noexcept : i_(0), kind_(k) {}
    static constexpr value text(value_kind k, bytes_view b, text_encoding e) noexcept {
        LWM2M_ASSERT(b.size() <= std::numeric_limits<std::uint32_t>::max());
        value x{k};
        x.p_ = b.data();
        x.size_ = static_cast<std::uint32_t>(b.size());
        x.encoding_ = e;
        return x;
    }

    // 16 bytes on 64-bit targets (12 on 32-bit): the bytes' pointer shares the union with the
    // numbers, their 32-bit length and the two tags fill the second word.
    union {
        std::int64_t i_;
        std::uint64_t u_;
        double f_;
        bool b_;
        objlnk l_;
        const std::byte* p_;
    };
    std::uint32_t size_ = 0;  ///< bytes kinds: the length; 0 otherwise
    value_kind kind_ = value_kind::none;
    text_encoding encoding_ = text_encoding::raw;
};

} // namespace lwm2m
