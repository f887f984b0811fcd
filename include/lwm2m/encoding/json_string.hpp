#pragma once
/**
 * @file json_string.hpp
 * JSON string contents (RFC 8259 §7): validating unescape and escaping, both streaming
 * byte by byte so callers can decode into any sink. Allocation: none.
 */

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::encoding {

namespace detail {
/**
 * The high bit of each byte of the little-endian word `w` that is '"', '\\' or below 0x20
 * (with `ascii_only`, also each byte >= 0x80), and maybe of bytes above such a byte: the
 * classic zero-byte test, whose false positives only ever lie above a true one, so the lowest
 * bit set is exact and no bit set means no such byte (SWAR: eight bytes at once).
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr std::uint64_t json_special_bytes(std::uint64_t w, bool ascii_only) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u;
    constexpr std::uint64_t high = 0x8080808080808080u;
    const std::uint64_t quote = w ^ (ones * '"');
    const std::uint64_t backslash = w ^ (ones * '\\');
    // With every byte below 0x80 (any other is special then), a byte minus 1 or minus 0x20
    // reaches the high bit only when it is 0 or below 0x20, or a byte below borrowed: the
    // `& ~x` of the general test is not needed.
    if (ascii_only) return ((w - ones * 0x20) | w | (quote - ones) | (backslash - ones)) & high;
    return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | ((w - ones * 0x20) & ~w)) & high;
}
} // namespace detail

/**
 * Length of the longest prefix of `s` that a JSON string body can hold as it is: no '"', no
 * '\\', no control character (RFC 8259 §7) and, with `ascii_only`, no byte >= 0x80. Such a run
 * needs no unescaping, no escaping and (when ASCII) no UTF-8 validation, so the tokenizer and
 * the writer copy or skip it in one go. At run time eight bytes are tested at once (SWAR).
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr std::size_t json_plain_prefix(std::string_view s, bool ascii_only) noexcept {
    std::size_t i = 0;
    if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
        while (s.size() - i >= 8) {
            std::uint64_t w = 0;
            std::memcpy(&w, s.data() + i, 8);
            if (const std::uint64_t special = detail::json_special_bytes(w, ascii_only); special != 0)
                return i + static_cast<std::size_t>(std::countr_zero(special)) / 8;
            i += 8;
        }
        // The last 1..7 bytes: the word that ends the text (its bytes before i are plain, so
        // the lowest special byte in it is the first one after i).
        if (i != s.size() && s.size() >= 8) {
            std::uint64_t w = 0;
            std::memcpy(&w, s.data() + s.size() - 8, 8);
            const std::uint64_t special = detail::json_special_bytes(w, ascii_only);
            return special == 0 ? s.size() : s.size() - 8 + static_cast<std::size_t>(std::countr_zero(special)) / 8;
        }
    }
    for (; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\' || c < 0x20 || (ascii_only && c >= 0x80)) break;
    }
    return i;
}

/**
 * Copies `s` to `out` (room for `s.size()` bytes) and returns true when all of it is ASCII a
 * JSON string body holds as it is (`json_plain_prefix(s, true) == s.size()`): valid UTF-8 with
 * nothing to escape, so a writer is done with it. When false, `out` holds some bytes of `s`
 * and the writer starts again on it. At run time the text is tested and copied a word at a
 * time (overlapping words at the end): short text in a few loads and no loop over its bytes.
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr bool copy_plain_json_ascii(std::string_view s, char* out) noexcept {
    const std::size_t n = s.size();
    if (std::is_constant_evaluated() || std::endian::native != std::endian::little) {
        const bool plain = json_plain_prefix(s, true) == n;
        for (std::size_t i = 0; plain && i < n; ++i) out[i] = s[i];
        return plain;
    }
    const auto special = [](std::uint64_t w) { return detail::json_special_bytes(w, true); };
    return detail::copy_testing_words(s.data(), n, out, special) == 0;
}

namespace detail {
constexpr int hex4(std::string_view s, std::size_t at) noexcept {
    if (s.size() - at < 4) return -1;
    int v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
        const char c = s[at + k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}
} // namespace detail

/**
 * Decodes the contents of a JSON string (between the quotes), calling `put(std::byte)` for
 * each decoded UTF-8 byte. Validates escapes (incl. \uXXXX surrogate pairs), rejects raw
 * control characters and invalid UTF-8. Errors: `invalid_json` / `invalid_utf8` with the
 * offset inside `escaped`. Returns the decoded length.
 */
template <class Put>
constexpr result<std::size_t> json_unescape_each(std::string_view escaped, Put&& put) {
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < escaped.size()) {
        const auto c = static_cast<unsigned char>(escaped[i]);
        if (c < 0x20) return fail(errc::invalid_json, i);
        if (c != '\\') {
            // Copy a run of plain bytes, validating its UTF-8.
            std::size_t j = i;
            while (j < escaped.size() && escaped[j] != '\\' && static_cast<unsigned char>(escaped[j]) >= 0x20) ++j;
            const auto run = as_bytes(slice(escaped, i, j - i));
            if (auto v = validate_utf8(run); !v) return fail(errc::invalid_utf8, i + v.error().offset);
            for (std::byte b : run) put(b);
            n += run.size();
            i = j;
            continue;
        }
        if (i + 1 >= escaped.size()) return fail(errc::invalid_json, i);
        // The two-character escapes (RFC 8259 §7) by a search of their letters: smaller than a
        // switch over '"'..'u', and as quick for the few escapes a string has.
        constexpr char letters[] = {'"', '\\', '/', 'b', 'f', 'n', 'r', 't'};
        constexpr char meanings[] = {'"', '\\', '/', '\b', '\f', '\n', '\r', '\t'};
        const char e = escaped[i + 1];
        std::size_t k = 0;
        while (k < sizeof letters && letters[k] != e) ++k;
        if (k < sizeof letters) {
            put(static_cast<std::byte>(meanings[k]));
            ++n;
            i += 2;
            continue;
        }
        if (e != 'u') return fail(errc::invalid_json, i);
        int cp = detail::hex4(escaped, i + 2);
        if (cp < 0) return fail(errc::invalid_json, i);
        std::size_t consumed = 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(errc::invalid_utf8, i);  // lone low surrogate
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            // With its length: at -Os g++ makes a string_view of a plain "\\u" with strlen.
            if (slice(escaped, i + 6, 2) != std::string_view{"\\u", 2}) return fail(errc::invalid_utf8, i);
            const int lo = detail::hex4(escaped, i + 8);
            if (lo < 0xDC00 || lo > 0xDFFF) return fail(errc::invalid_utf8, i);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            consumed = 12;
        }
        std::byte u[4];
        const std::size_t len = encode_utf8(static_cast<std::uint32_t>(cp), u);
        for (std::size_t k = 0; k < len; ++k) put(u[k]);
        n += len;
        i += consumed;
    }
    return n;
}

/** Validates JSON string contents and returns the decoded length. */
[[nodiscard]] constexpr result<std::size_t> json_unescaped_size(std::string_view escaped) noexcept {
    return json_unescape_each(escaped, [](std::byte) {});
}

/** Decodes JSON string contents into `out`. Errors: as above, `buffer_too_small` (needed size). */
[[nodiscard]] constexpr result<std::size_t> json_unescape(std::string_view escaped, mutable_bytes out) noexcept {
    std::size_t o = 0;
    auto r = json_unescape_each(escaped, [&](std::byte b) {
        if (o < out.size()) out[o] = b;
        ++o;
    });
    if (!r) return r;
    if (o > out.size()) return fail(errc::buffer_too_small, o);
    return o;
}

/**
 * Escapes UTF-8 text for a JSON string body, calling `put_run(bytes_view)` with pieces of the
 * output in order: runs of bytes that need no escape (passed through whole, so writers copy
 * them in one go) and escape sequences. `"` `\\` and control characters are escaped (control
 * characters as \uXXXX except \b \f \n \r \t). Precondition: valid UTF-8 (bytes >= 0x80 are
 * passed through).
 */
template <class PutRun>
constexpr void json_escape_runs(bytes_view text, PutRun&& put_run) {
    constexpr char hex[] = "0123456789abcdef";
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t run = 0;
        if (std::is_constant_evaluated()) {
            for (; i + run < text.size(); ++run) {
                const auto c = static_cast<unsigned char>(text[i + run]);
                if (c == '"' || c == '\\' || c < 0x20) break;
            }
        } else {
            run = json_plain_prefix(as_chars(text.subspan(i)), false);
        }
        if (run > 0) {
            put_run(text.subspan(i, run));
            i += run;
            if (i == text.size()) break;
        }
        const auto c = static_cast<unsigned char>(text[i++]);
        std::byte escape[6] = {std::byte{'\\'}};
        std::size_t n = 2;
        switch (c) {
        case '"': escape[1] = std::byte{'"'}; break;
        case '\\': escape[1] = std::byte{'\\'}; break;
        case '\b': escape[1] = std::byte{'b'}; break;
        case '\f': escape[1] = std::byte{'f'}; break;
        case '\n': escape[1] = std::byte{'n'}; break;
        case '\r': escape[1] = std::byte{'r'}; break;
        case '\t': escape[1] = std::byte{'t'}; break;
        default:
            escape[1] = std::byte{'u'};
            escape[2] = std::byte{'0'};
            escape[3] = std::byte{'0'};
            escape[4] = static_cast<std::byte>(hex[c >> 4]);
            escape[5] = static_cast<std::byte>(hex[c & 15]);
            n = 6;
        }
        put_run(bytes_view{escape, n});
    }
}

/** As `json_escape_runs`, calling `put(char)` for each byte of the escaped text. */
template <class Put>
constexpr void json_escape_each(bytes_view text, Put&& put) {
    json_escape_runs(text, [&](bytes_view run) {
        for (const std::byte b : run) put(static_cast<char>(b));
    });
}

} // namespace lwm2m::encoding
