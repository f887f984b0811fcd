#pragma once
/**
 * @file writer.hpp
 * Generic CBOR writer (RFC 8949 §3, preferred serialization §4.1: shortest heads, floats
 * in the shortest of half/single/double that keeps the value) into an `output_window`.
 * Allocation: none.
 */

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/format/output_window.hpp>

namespace lwm2m::format::cbor {

/** Longest head of a data item: the initial byte and an 8-byte argument (RFC 8949 §3). */
inline constexpr std::size_t max_head_size = 9;

namespace detail {
// The low `N` bytes of `v`, most significant first (network byte order), at `p`.
template <unsigned N>
constexpr std::byte* put_big_endian(std::byte* p, std::uint64_t v) noexcept {
    for (unsigned i = 0; i < N; ++i) p[i] = static_cast<std::byte>((v >> (8 * (N - 1 - i))) & 0xFF);
    return p + N;
}
// The heads with a 1, 2, 4 or 8-byte argument (v >= 24), inline (`put_head_inline`).
LWM2M_HOT_INLINE constexpr std::byte* put_long_head_inline(std::byte* p, unsigned major, std::uint64_t v) noexcept {
    const auto m = static_cast<std::uint8_t>(major << 5);
    // Each size a store of constant length: no loop over a variable count of bytes.
    if (v <= 0xFF) {
        *p = static_cast<std::byte>(m | 24);
        return put_big_endian<1>(p + 1, v);
    }
    if (v <= 0xFFFF) {
        *p = static_cast<std::byte>(m | 25);
        return put_big_endian<2>(p + 1, v);
    }
    if (v <= 0xFFFFFFFFu) {
        *p = static_cast<std::byte>(m | 26);
        return put_big_endian<4>(p + 1, v);
    }
    *p = static_cast<std::byte>(m | 27);
    return put_big_endian<8>(p + 1, v);
}
// The same, kept out of line (`put_head`).
constexpr std::byte* put_long_head(std::byte* p, unsigned major, std::uint64_t v) noexcept {
    return put_long_head_inline(p, major, v);
}
} // namespace detail

/**
 * Writes the head of a data item of major type `major` with argument `v` at `p`, in preferred
 * serialization (RFC 8949 §4.2.1: the shortest argument); returns the end (at most
 * `max_head_size` bytes). Writers that reserved room with `output_window::direct` use it
 * straight; `writer` goes through it too, so both write the same bytes.
 */
LWM2M_HOT_INLINE constexpr std::byte* put_head(std::byte* p, unsigned major, std::uint64_t v) noexcept {
    if (v >= 24) return detail::put_long_head(p, major, v);
    *p = static_cast<std::byte>((major << 5) | v);
    return p + 1;
}

/** `put_head` with every head inline, for the hottest loops (the one-pass SenML writer): the same bytes. */
LWM2M_HOT_INLINE constexpr std::byte* put_head_inline(std::byte* p, unsigned major, std::uint64_t v) noexcept {
    if (v >= 24) return detail::put_long_head_inline(p, major, v);
    *p = static_cast<std::byte>((major << 5) | v);
    return p + 1;
}

/** `put_integer` with every head inline (`put_head_inline`): the same bytes. */
LWM2M_HOT_INLINE constexpr std::byte* put_integer_inline(std::byte* p, std::int64_t v) noexcept {
    if (v >= 0) return put_head_inline(p, 0, static_cast<std::uint64_t>(v));
    return put_head_inline(p, 1, static_cast<std::uint64_t>(-(v + 1)));
}

/** Writes a signed integer (major 0 or 1) at `p`; returns the end. */
LWM2M_HOT_INLINE constexpr std::byte* put_integer(std::byte* p, std::int64_t v) noexcept {
    if (v >= 0) return put_head(p, 0, static_cast<std::uint64_t>(v));
    return put_head(p, 1, static_cast<std::uint64_t>(-(v + 1)));
}

namespace detail {
// Half-precision bits if `v` is exactly representable as a half (incl. ±0, ±inf), else none.
// Read from the double's bits (IEEE 754 binary64 -> binary16): no floating-point operation.
constexpr std::optional<std::uint16_t> to_half(double v) noexcept {
    const auto bits = std::bit_cast<std::uint64_t>(v);
    const auto sign = static_cast<std::uint16_t>((bits >> 48) & 0x8000u);
    const auto biased = static_cast<int>((bits >> 52) & 0x7FFu);
    const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
    if (biased == 0x7FF) return fraction != 0 ? std::uint16_t{0x7E00} : static_cast<std::uint16_t>(sign | 0x7C00);  // NaN, ±inf
    if (biased == 0) {  // ±0; a subnormal double is far below every half
        if (fraction == 0) return sign;
        return std::nullopt;
    }
    const int e = biased - 1023;  // |v| = 1.fraction * 2^e
    if (e >= -14 && e <= 15) {
        // Normal halves: 10 fraction bits, the other 42 zero.
        if ((fraction & ((std::uint64_t{1} << 42) - 1)) != 0) return std::nullopt;
        return static_cast<std::uint16_t>(sign | ((e + 15) << 10) | static_cast<unsigned>(fraction >> 42));
    }
    if (e >= -24 && e < -14) {
        // Subnormal halves: |v| = m * 2^(e - 52) must be a whole number of 2^-24 (below 1024 of them).
        const std::uint64_t m = fraction | (std::uint64_t{1} << 52);
        const int shift = 28 - e;  // 43..52
        if ((m & ((std::uint64_t{1} << shift) - 1)) != 0) return std::nullopt;
        return static_cast<std::uint16_t>(sign | static_cast<unsigned>(m >> shift));
    }
    return std::nullopt;
}
} // namespace detail

/**
 * Writes `v` at `p` as the shortest of half, single and double that represents it exactly
 * (RFC 8949 §4.1; at most `max_head_size` bytes); returns the end. With LWM2M_FLOAT_VALUES 0
 * (config.hpp), always a double: valid CBOR (§3.3), without the shortening code.
 */
constexpr std::byte* put_float(std::byte* p, double v) noexcept {
    // Major 7 heads: additional info 25/26/27 select half/single/double (RFC 8949 §3.3).
    if constexpr (!config::float_values) {  // no Float values: only a rare number (a SenML time), as a double
        const auto bits = std::bit_cast<std::uint64_t>(v);
        *p = std::byte{0xFB};
        for (unsigned i = 1; i <= 8; ++i) p[i] = static_cast<std::byte>((bits >> (8 * (8 - i))) & 0xFF);
        return p + 9;
    }
    if (const auto h = detail::to_half(v)) {
        *p = std::byte{0xF9};
        p[1] = static_cast<std::byte>(*h >> 8);
        p[2] = static_cast<std::byte>(*h & 0xFF);
        return p + 3;
    }
    // (NaN and ±inf are halves: what is left is finite.) Single when the double survives the
    // round trip through float. Size builds read it from the bits (on an MCU without a
    // double-precision FPU the round trip is __truncdfsf2 and a soft-float compare); speed
    // builds convert, two instructions with an FPU (the bit test inlined into the SenML CBOR
    // writer's record loop cost it 20 instructions a pack). tests/encoding/ieee754_test.cpp
    // holds the two equal.
    std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
    unsigned n = 8;
    *p = std::byte{0xFB};
#if defined(__OPTIMIZE_SIZE__)
    if (const auto f = encoding::exact_binary32_bits(v)) {
        bits = *f;
#else
    if (const auto f = static_cast<float>(v); static_cast<double>(f) == v) {
        bits = std::bit_cast<std::uint32_t>(f);
#endif
        n = 4;
        *p = std::byte{0xFA};
    }
    for (unsigned i = 1; i <= n; ++i) p[i] = static_cast<std::byte>((bits >> (8 * (n - i))) & 0xFF);
    return p + 1 + n;
}

/**
 * Writes CBOR items into an `output_window` (which keeps its window and counts the rest).
 * Allocation: none.
 */
class writer {
public:
    constexpr explicit writer(output_window& out) noexcept : out_(&out) {}

    constexpr void unsigned_integer(std::uint64_t v) noexcept { head(0, v); }
    constexpr void integer(std::int64_t v) noexcept {
        if (v >= 0) head(0, static_cast<std::uint64_t>(v));
        else head(1, static_cast<std::uint64_t>(-(v + 1)));
    }
    constexpr void bytes(bytes_view b) noexcept { head(2, b.size()); out_->put(b); }
    /** A byte string whose contents the caller writes next (exactly `size` bytes) with `raw`. */
    constexpr void bytes_header(std::uint64_t size) noexcept { head(2, size); }
    void text(std::string_view s) noexcept { head(3, s.size()); out_->put(s); }
    constexpr void text_header(std::uint64_t size) noexcept { head(3, size); }
    constexpr void raw(std::byte b) noexcept { out_->put(b); }
    constexpr void array(std::uint64_t count) noexcept { head(4, count); }
    constexpr void map(std::uint64_t pairs) noexcept { head(5, pairs); }
    constexpr void tag(std::uint64_t number) noexcept { head(6, number); }
    constexpr void boolean(bool b) noexcept { out_->put(static_cast<std::byte>(b ? 0xF5 : 0xF4)); }
    constexpr void null() noexcept { out_->put(std::byte{0xF6}); }

    /** The shortest float encoding that represents `v` exactly (RFC 8949 §4.1). */
    constexpr void floating(double v) noexcept {
        std::byte buf[max_head_size]{};
        put_small(buf, put_float(buf, v));
    }

private:
    constexpr void head(unsigned major, std::uint64_t v) noexcept {
        if (v < 24) {
            out_->put(static_cast<std::byte>((major << 5) | v));
            return;
        }
        std::byte buf[max_head_size]{};
        put_small(buf, put_head(buf, major, v));
    }
    // Copies the bytes [begin, end) of a head written in a local buffer to the window (a few
    // bytes: one put each costs less than a call to copy them).
    constexpr void put_small(const std::byte* begin, const std::byte* end) noexcept {
        for (; begin != end; ++begin) out_->put(*begin);
    }

    output_window* out_;
};

} // namespace lwm2m::format::cbor
