#pragma once
/**
 * @file bytes.hpp
 * Byte-span vocabulary shared by every layer: span aliases, text <-> bytes views,
 * big-endian integer helpers and hex conversion. Allocation: none.
 */

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <span>
#include <string_view>

#include <lwm2m/result.hpp>

namespace lwm2m {

/**
 * `s.substr(pos, n)` without the exception path: `pos` past the end gives an empty view.
 * `std::string_view::substr` throws `std::out_of_range`, which under `-fno-exceptions`
 * still links libstdc++'s `__throw_out_of_range_fmt` and with it `abort`, `signal` and
 * `malloc` into firmware images (bench/footprint.sh checks for them). Allocation: none.
 */
[[nodiscard]] constexpr std::string_view slice(std::string_view s, std::size_t pos,
                                               std::size_t n = std::string_view::npos) noexcept {
    if (pos > s.size()) pos = s.size();
    const std::size_t rest = s.size() - pos;
    return std::string_view{s.data() + pos, n < rest ? n : rest};
}

/** Read-only bytes (input of every parser). */
using bytes_view = std::span<const std::byte>;
/** Writable bytes (output of every writer). */
using mutable_bytes = std::span<std::byte>;

/** Views text as bytes without copying. */
[[nodiscard]] inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
/** Views bytes as text without copying (no UTF-8 validation). */
[[nodiscard]] inline std::string_view as_chars(bytes_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

/** Number of bytes of the shortest big-endian encoding of `v` (0 for 0, RFC 7252 §3.2 uint). */
[[nodiscard]] constexpr std::size_t uint_length(std::uint64_t v) noexcept {
    return (static_cast<std::size_t>(std::bit_width(v)) + 7) / 8;
}

/** Decodes an unsigned big-endian integer of 0..8 bytes. Precondition: `b.size() <= 8`. */
[[nodiscard]] constexpr std::uint64_t load_be(bytes_view b) noexcept {
    LWM2M_ASSERT(b.size() <= 8);
    std::uint64_t v = 0;
    for (std::byte x : b) v = (v << 8) | static_cast<std::uint8_t>(x);
    return v;
}

/** Writes the low `out.size()` bytes of `v` big-endian into `out`. */
constexpr void store_be(std::uint64_t v, mutable_bytes out) noexcept {
    for (std::size_t i = out.size(); i-- > 0;) {
        out[i] = static_cast<std::byte>(v & 0xFF);
        v >>= 8;
    }
}

namespace detail {
/**
 * Moves bytes [0, w) and [n - w, n) of `src` to `dst`, w = sizeof(Word) (both loads before
 * the stores, so the ranges may overlap): all `n` bytes when w <= n <= 2w, in two fixed-size
 * moves instead of a byte loop. Returns the two words ORed, for callers that test their bits.
 * Run time only.
 */
template <class Word>
[[nodiscard]] LWM2M_HOT_INLINE inline Word move_ends(std::byte* dst, const std::byte* src, std::size_t n) noexcept {
    Word a, b;
    std::memcpy(&a, src, sizeof a);
    std::memcpy(&b, src + n - sizeof b, sizeof b);
    std::memcpy(dst, &a, sizeof a);
    std::memcpy(dst + n - sizeof b, &b, sizeof b);
    return static_cast<Word>(a | b);
}

/**
 * Copies `n` bytes (the ranges may overlap). Short copies (up to 32 bytes: option values,
 * tokens) use two overlapping fixed-size moves instead of a call into the C library; size
 * builds (-Os) call `memmove` for every length (which they link anyway).
 */
constexpr void copy_bytes(std::byte* dst, const std::byte* src, std::size_t n) noexcept {
    if (std::is_constant_evaluated()) {
        for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
        return;
    }
#if defined(__OPTIMIZE_SIZE__)
    if (n > 0) std::memmove(dst, src, n);  // (memmove wants valid pointers even for 0 bytes)
#else
    if (n > 32) {
        std::memmove(dst, src, n);
    } else if (n > 16) {
        std::uint64_t a, b, c, d;
        std::memcpy(&a, src, 8);
        std::memcpy(&b, src + 8, 8);
        std::memcpy(&c, src + n - 16, 8);
        std::memcpy(&d, src + n - 8, 8);
        std::memcpy(dst, &a, 8);
        std::memcpy(dst + 8, &b, 8);
        std::memcpy(dst + n - 16, &c, 8);
        std::memcpy(dst + n - 8, &d, 8);
    } else if (n >= 8) {
        static_cast<void>(move_ends<std::uint64_t>(dst, src, n));
    } else if (n >= 4) {
        static_cast<void>(move_ends<std::uint32_t>(dst, src, n));
    } else if (n > 0) {
        const std::byte a = src[0], b = src[n / 2], c = src[n - 1];
        dst[0] = a;
        dst[n / 2] = b;
        dst[n - 1] = c;
    }
#endif
}

constexpr int hex_digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace detail

/**
 * Decodes hex text (upper or lower case, no separators) into `out`.
 * Errors: `invalid_argument` (odd length or a non-hex digit; offset = its position),
 * `buffer_too_small` (offset = bytes needed). Returns the number of bytes written.
 */
[[nodiscard]] constexpr result<std::size_t> from_hex(std::string_view hex, mutable_bytes out) noexcept {
    if (hex.size() % 2 != 0) return fail(errc::invalid_argument, hex.size());
    const std::size_t n = hex.size() / 2;
    if (n > out.size()) return fail(errc::buffer_too_small, n);
    for (std::size_t i = 0; i < n; ++i) {
        const int hi = detail::hex_digit_value(hex[2 * i]);
        const int lo = detail::hex_digit_value(hex[2 * i + 1]);
        if (hi < 0) return fail(errc::invalid_argument, 2 * i);
        if (lo < 0) return fail(errc::invalid_argument, 2 * i + 1);
        out[i] = static_cast<std::byte>(hi * 16 + lo);
    }
    return n;
}

/**
 * Writes lowercase hex of `in` into `out` (2 chars per byte, no terminator).
 * Errors: `buffer_too_small` (offset = chars needed). Returns the number of chars written.
 */
[[nodiscard]] constexpr result<std::size_t> to_hex(bytes_view in, std::span<char> out) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    if (out.size() < in.size() * 2) return fail(errc::buffer_too_small, in.size() * 2);
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto v = static_cast<std::uint8_t>(in[i]);
        out[2 * i] = digits[v >> 4];
        out[2 * i + 1] = digits[v & 0xF];
    }
    return in.size() * 2;
}

} // namespace lwm2m
