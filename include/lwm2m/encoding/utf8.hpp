#pragma once
/**
 * @file utf8.hpp
 * UTF-8 validation (RFC 3629 §4: no overlongs, no surrogates, nothing above U+10FFFF)
 * and encoding of one code point. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <lwm2m/config.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/result.hpp>


namespace lwm2m::encoding {

namespace detail {
/** The high bit of every byte of a word: a word of text is ASCII when it has none of them. */
inline constexpr std::uint64_t non_ascii_bits = 0x8080808080808080u;

/** The OR of the 8-byte words of the `n` >= 8 bytes at `p`, the last one overlapping. */
[[nodiscard]] LWM2M_HOT_INLINE inline std::uint64_t or_of_words(const std::byte* p, std::size_t n) noexcept {
    const auto word = [p](std::size_t at) {
        std::uint64_t w = 0;
        std::memcpy(&w, p + at, 8);
        return w;
    };
    std::uint64_t any = word(0) | word(n - 8);
    if (n > 16) {
        any |= word(8);
        for (std::size_t i = 16; i + 8 < n; i += 8) any |= word(i);
    }
    return any;
}

/**
 * True when every byte is ASCII (run time: word loads, overlapping at the end, so short text
 * costs a few loads and no per-byte loop: up to 16 bytes two words, up to 24 three).
 */
[[nodiscard]] LWM2M_HOT_INLINE inline bool is_ascii(bytes_view s) noexcept {
    const std::byte* p = s.data();
    const std::size_t n = s.size();
    if (n >= 8) return (or_of_words(p, n) & non_ascii_bits) == 0;
    if (n >= 4) {
        std::uint32_t a = 0, b = 0;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        return ((a | b) & 0x80808080u) == 0;
    }
    if (n == 0) return true;
    return ((static_cast<unsigned>(p[0]) | static_cast<unsigned>(p[n / 2]) | static_cast<unsigned>(p[n - 1])) & 0x80u) == 0;
}

/**
 * The words of `s` ORed, loaded as `is_ascii` loads them: `s` is ASCII when the result has no
 * bit of `non_ascii_bits`. A caller that reads many texts ORs these and tests once (no test
 * and branch a text). `is_ascii` keeps its own loads: written on top of this (one test on the
 * merged word), it cost other readers up to 14 instructions an op (bench/format_callgrind.sh);
 * the two share only the long-text loads (`or_of_words`).
 */
[[nodiscard]] LWM2M_HOT_INLINE inline std::uint64_t text_bits(bytes_view s) noexcept {
    const std::byte* p = s.data();
    const std::size_t n = s.size();
    if (n >= 8) return or_of_words(p, n);
    if (n >= 4) {
        std::uint32_t a = 0, b = 0;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        return a | b;
    }
    if (n == 0) return 0;
    return static_cast<unsigned>(p[0]) | static_cast<unsigned>(p[n / 2]) | static_cast<unsigned>(p[n - 1]);
}

/**
 * Copies the `n` bytes at `src` to `dst` (room for `n`; the ranges do not overlap) a word at a
 * time, the last word overlapping the one before (short text in a few loads and stores, no
 * loop over its bytes, no call), and returns the OR of `test` over the words it copied:
 * 8-byte words for 8 bytes or more, two 4-byte ones in one word for 4..7, and for 1..3 the
 * first, middle and last byte in the low lanes of a word whose other lanes hold 'a'. So a
 * `test` that is 0 for a word of bytes that pass (and for 'a') gives 0 when every byte passes.
 * Run time only.
 */
template <class Test>
[[nodiscard]] LWM2M_HOT_INLINE inline std::uint64_t copy_testing_words(const void* src, std::size_t n, void* dst,
                                                                     Test test) noexcept {
    const auto* const p = static_cast<const unsigned char*>(src);
    auto* const out = static_cast<unsigned char*>(dst);
    std::uint64_t found = 0;
    if (n >= 8) {
        std::uint64_t w = 0;
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            std::memcpy(&w, p + i, 8);
            std::memcpy(out + i, &w, 8);
            found |= test(w);
        }
        std::memcpy(&w, p + n - 8, 8);
        std::memcpy(out + n - 8, &w, 8);
        found |= test(w);
    } else if (n >= 4) {
        std::uint32_t x = 0, y = 0;
        std::memcpy(&x, p, 4);
        std::memcpy(&y, p + n - 4, 4);
        std::memcpy(out, &x, 4);
        std::memcpy(out + n - 4, &y, 4);
        found = test(x | std::uint64_t{y} << 32);
    } else if (n > 0) {
        const unsigned char c0 = p[0], c1 = p[n / 2], c2 = p[n - 1];
        out[0] = c0;
        out[n / 2] = c1;
        out[n - 1] = c2;
        found = test(0x6161616161000000u | c0 | std::uint64_t{c1} << 8 | std::uint64_t{c2} << 16);
    }
    return found;
}

/**
 * Copies `n` bytes from `src` to `dst` (not overlapping) and returns the bitwise OR of the
 * words it moved: the bytes are all ASCII when that has no bit of `non_ascii_bits` (a writer
 * can OR the results of several values and test once). `copy_testing_words` for the high bits
 * alone: a high bit survives OR-ing, so the words are moved in overlapping pairs
 * (`lwm2m::detail::move_ends`, 16 bytes a step) and tested once, which a test that needs each
 * byte lane apart (JSON escapes) cannot do. Reads only `src[0, n)`, writes only `dst[0, n)`.
 * Run time only.
 */
[[nodiscard]] LWM2M_HOT_INLINE inline std::uint64_t copy_text_bits(std::byte* dst, const std::byte* src,
                                                                  std::size_t n) noexcept {
    using lwm2m::detail::move_ends;
    if (n >= 8) {
        if (n <= 16) return move_ends<std::uint64_t>(dst, src, n);
        // 16 bytes at a time (two words), the last 16 overlapping the ones before.
        std::uint64_t any = 0;
        for (std::size_t i = 0; i < n - 16; i += 16) any |= move_ends<std::uint64_t>(dst + i, src + i, 16);
        return any | move_ends<std::uint64_t>(dst + n - 16, src + n - 16, 16);
    }
    if (n >= 4) return move_ends<std::uint32_t>(dst, src, n);
    if (n >= 2) return move_ends<std::uint16_t>(dst, src, n);
    if (n == 0) return 0;
    dst[0] = src[0];
    return static_cast<unsigned>(src[0]);
}

/**
 * Copies `s` to `out` (room for `s.size()` bytes, not overlapping `s`); true when all of it is
 * ASCII (so valid UTF-8). When false, `out` holds some bytes of `s`. Tests and copies in one
 * pass (`copy_text_bits`) instead of `is_ascii` and a copy. Run time only.
 */
[[nodiscard]] LWM2M_HOT_INLINE inline bool copy_ascii(bytes_view s, std::byte* out) noexcept {
    return (copy_text_bits(out, s.data(), s.size()) & non_ascii_bits) == 0;
}

/** `validate_utf8` sequence by sequence. Out of line: at run time only text with non-ASCII bytes gets here. */
[[nodiscard]] LWM2M_NOINLINE constexpr result<void> validate_utf8_sequences(bytes_view s) noexcept {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        // ASCII runs (most LwM2M text) eight bytes at a time.
        if (!std::is_constant_evaluated()) {
            while (n - i >= 8) {
                std::uint64_t word = 0;
                std::memcpy(&word, s.data() + i, 8);
                if ((word & 0x8080808080808080u) != 0) break;
                i += 8;
            }
            if (i == n) break;
        }
        const auto c = static_cast<std::uint8_t>(s[i]);
        if (c < 0x80) { ++i; continue; }
        std::size_t len = 0;
        std::uint32_t cp = 0, min = 0;
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1Fu; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0Fu; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07u; min = 0x10000; }
        else return fail(errc::invalid_utf8, i);
        if (n - i < len) return fail(errc::invalid_utf8, i);
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<std::uint8_t>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return fail(errc::invalid_utf8, i);
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return fail(errc::invalid_utf8, i);
        i += len;
    }
    return {};
}
} // namespace detail

/** Validates UTF-8. Errors: `invalid_utf8` at the offset of the first byte of the bad sequence. */
[[nodiscard]] constexpr result<void> validate_utf8(bytes_view s) noexcept {
#if !defined(__OPTIMIZE_SIZE__)  // (size builds: the sequence loop, which takes ASCII a word at a time too)
    if (!std::is_constant_evaluated() && detail::is_ascii(s)) return {};  // most LwM2M text
#endif
    return detail::validate_utf8_sequences(s);
}

/** Writes the UTF-8 encoding of `cp` (precondition: a scalar value) to `out`; returns its length 1..4. */
constexpr std::size_t encode_utf8(std::uint32_t cp, std::byte (&out)[4]) noexcept {
    if (cp < 0x80) { out[0] = static_cast<std::byte>(cp); return 1; }
    if (cp < 0x800) {
        out[0] = static_cast<std::byte>(0xC0 | (cp >> 6));
        out[1] = static_cast<std::byte>(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<std::byte>(0xE0 | (cp >> 12));
        out[1] = static_cast<std::byte>(0x80 | ((cp >> 6) & 0x3F));
        out[2] = static_cast<std::byte>(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = static_cast<std::byte>(0xF0 | (cp >> 18));
    out[1] = static_cast<std::byte>(0x80 | ((cp >> 12) & 0x3F));
    out[2] = static_cast<std::byte>(0x80 | ((cp >> 6) & 0x3F));
    out[3] = static_cast<std::byte>(0x80 | (cp & 0x3F));
    return 4;
}

/**
 * Streaming UTF-8 validation (RFC 3629 §4, the rules of `validate_utf8`) for bytes that arrive
 * one at a time, e.g. while a writer decodes an escaped or base64 value. `ok()` after the last byte.
 */
class utf8_checker {
public:
    constexpr void put(std::byte b) noexcept {
        const auto c = static_cast<std::uint8_t>(b);
        if (bad_) return;
        if (need_ == 0) {
            if (c < 0x80) return;
            if ((c & 0xE0) == 0xC0) { need_ = 1; cp_ = c & 0x1Fu; min_ = 0x80; }
            else if ((c & 0xF0) == 0xE0) { need_ = 2; cp_ = c & 0x0Fu; min_ = 0x800; }
            else if ((c & 0xF8) == 0xF0) { need_ = 3; cp_ = c & 0x07u; min_ = 0x10000; }
            else bad_ = true;
            return;
        }
        if ((c & 0xC0) != 0x80) {
            bad_ = true;
            return;
        }
        cp_ = (cp_ << 6) | (c & 0x3Fu);
        if (--need_ == 0 && (cp_ < min_ || cp_ > 0x10FFFF || (cp_ >= 0xD800 && cp_ <= 0xDFFF))) bad_ = true;
    }
    [[nodiscard]] constexpr bool ok() const noexcept { return !bad_ && need_ == 0; }

private:
    std::uint32_t cp_ = 0;
    std::uint32_t min_ = 0;
    unsigned need_ = 0;
    bool bad_ = false;
};

} // namespace lwm2m::encoding
