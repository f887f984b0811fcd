#pragma once
/**
 * @file base64.hpp
 * Base64 and base64url (RFC 4648 §4, §5) validation, decoding and encoding into caller
 * buffers. Used for Opaque values in SenML JSON ("vd", base64url without padding,
 * RFC 8428 §4.3), OMA JSON and plain text (LwM2M 1.1). Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::encoding {

/** Which alphabet and padding rule. */
enum class base64_alphabet : std::uint8_t {
    standard,  ///< '+' '/', padding required when the length is not a multiple of 4
    url,       ///< '-' '_', padding optional (accepted on input, never written)
};

namespace detail {
constexpr int base64_digit(char c, base64_alphabet a) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (a == base64_alphabet::standard) return c == '+' ? 62 : c == '/' ? 63 : -1;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}
} // namespace detail

/**
 * Validates `text` and returns the decoded length. Rejects characters outside the
 * alphabet, misplaced or (for `standard`) missing padding, a length of 1 mod 4, and
 * non-zero unused bits in the last digit (so every byte string has one encoding).
 * Errors: `invalid_base64` with the offset of the offending character.
 */
[[nodiscard]] constexpr result<std::size_t> base64_decoded_size(std::string_view text, base64_alphabet a) noexcept {
    std::size_t n = text.size();
    std::size_t pad = 0;
    while (n > 0 && text[n - 1] == '=' && pad < 2) { --n; ++pad; }
    if (pad > 0 && text.size() % 4 != 0) return fail(errc::invalid_base64, text.size());
    if (a == base64_alphabet::standard && pad == 0 && text.size() % 4 != 0) return fail(errc::invalid_base64, text.size());
    if (n % 4 == 1) return fail(errc::invalid_base64, n);
    if (pad > 0 && (n + pad) % 4 != 0) return fail(errc::invalid_base64, n);
    if (pad > 0 && ((n % 4 == 2 && pad != 2) || (n % 4 == 3 && pad != 1))) return fail(errc::invalid_base64, n);
    for (std::size_t i = 0; i < n; ++i)
        if (detail::base64_digit(text[i], a) < 0) return fail(errc::invalid_base64, i);
    if (n % 4 == 2 && (detail::base64_digit(text[n - 1], a) & 0x0F) != 0) return fail(errc::invalid_base64, n - 1);
    if (n % 4 == 3 && (detail::base64_digit(text[n - 1], a) & 0x03) != 0) return fail(errc::invalid_base64, n - 1);
    return n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
}

/**
 * Decodes `text`, which `base64_decoded_size` accepted, calling `put(std::byte)` for each
 * byte: the one decoding loop, for a buffer (`base64_decode`) or any sink (`for_each_value_byte`),
 * so text is validated once and never again piece by piece.
 */
template <class Put>
constexpr void base64_decode_valid_each(std::string_view text, base64_alphabet a, Put&& put) {
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        acc = (acc << 6) | static_cast<std::uint32_t>(detail::base64_digit(c, a));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            put(static_cast<std::byte>((acc >> bits) & 0xFF));
        }
    }
}

/** Decodes validated or unvalidated text into `out`. Errors: as `base64_decoded_size`, `buffer_too_small`. */
[[nodiscard]] constexpr result<std::size_t> base64_decode(std::string_view text, base64_alphabet a, mutable_bytes out) noexcept {
    LWM2M_TRY(size, base64_decoded_size(text, a));
    if (size > out.size()) return fail(errc::buffer_too_small, size);
    std::size_t o = 0;
    base64_decode_valid_each(text, a, [&](std::byte b) { out[o++] = b; });
    return o;
}

/** Length of the encoding of `n` bytes (with padding for `standard`, without for `url`). */
[[nodiscard]] constexpr std::size_t base64_encoded_size(std::size_t n, base64_alphabet a) noexcept {
    return a == base64_alphabet::standard ? (n + 2) / 3 * 4 : n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

/** Encodes `in`; calls `put(char)` for each output character (lets writers stream into any sink). */
template <class Put>
constexpr void base64_encode_each(bytes_view in, base64_alphabet a, Put&& put) {
    constexpr char std_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    constexpr char url_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char* d = a == base64_alphabet::standard ? std_digits : url_digits;
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const std::uint32_t v = (static_cast<std::uint32_t>(in[i]) << 16) | (static_cast<std::uint32_t>(in[i + 1]) << 8) |
                                static_cast<std::uint32_t>(in[i + 2]);
        put(d[v >> 18]); put(d[(v >> 12) & 63]); put(d[(v >> 6) & 63]); put(d[v & 63]);
    }
    const std::size_t rest = in.size() - i;
    if (rest == 0) return;
    std::uint32_t v = static_cast<std::uint32_t>(in[i]) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(in[i + 1]) << 8;
    put(d[v >> 18]);
    put(d[(v >> 12) & 63]);
    if (rest == 2) put(d[(v >> 6) & 63]);
    if (a == base64_alphabet::standard) {
        if (rest == 1) put('=');
        put('=');
    }
}

/** Encodes into `out`. Errors: `buffer_too_small` (offset = size needed). */
[[nodiscard]] constexpr result<std::size_t> base64_encode(bytes_view in, base64_alphabet a, std::span<char> out) noexcept {
    const std::size_t n = base64_encoded_size(in.size(), a);
    if (n > out.size()) return fail(errc::buffer_too_small, n);
    std::size_t o = 0;
    base64_encode_each(in, a, [&](char c) { out[o++] = c; });
    return n;
}

/**
 * Base64 of bytes fed one at a time (`put(std::byte)`), for writers that produce a value's
 * bytes on the fly (decoding escaped or base64 text as they go): each group of 3 bytes becomes
 * 4 characters through `put(char)`; `finish()` writes the last partial group (padded in the
 * standard alphabet, unpadded in base64url, as `base64_encode_each`). Allocation: none.
 */
template <class Put>
class base64_stream {
public:
    constexpr base64_stream(base64_alphabet a, Put put) noexcept : put_(put), alphabet_(a) {}
    constexpr void put(std::byte b) noexcept {
        chunk_[n_++] = b;
        if (n_ == 3) flush();
    }
    /** Call after the last byte. */
    constexpr void finish() noexcept {
        if (n_ > 0) flush();
    }

private:
    constexpr void flush() noexcept {
        base64_encode_each(bytes_view{chunk_, n_}, alphabet_, put_);
        n_ = 0;
    }
    Put put_;
    base64_alphabet alphabet_;
    std::byte chunk_[3]{};
    std::size_t n_ = 0;
};

} // namespace lwm2m::encoding
