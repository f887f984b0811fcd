#pragma once
/**
 * @file writer.hpp
 * Generic compact JSON writer (RFC 8259) into an `output_window`: inserts commas and
 * colons itself, escapes strings, writes numbers in shortest round-trip form.
 * Precondition: calls form valid JSON (keys only inside objects, balanced containers).
 * Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::json {

namespace detail {
/**
 * Writes a piece of output. Where the window holds all of it, it is copied straight into the
 * buffer (one range check for the piece, not one per byte); else it goes through `put`.
 */
inline void write_piece(output_window& out, const char* piece, std::size_t n) noexcept {
    if (std::byte* at = out.direct(n)) {
        // Most pieces are a few bytes: a loop is cheaper than a call to memcpy.
        if (n <= 16) {
            for (std::size_t i = 0; i < n; ++i) at[i] = static_cast<std::byte>(piece[i]);
        } else {
            std::memcpy(at, piece, n);
        }
        out.advance(n);
    } else {
        out.put(std::string_view{piece, n});
    }
}

/**
 * Copies `s` to `out` when no byte of it needs an escape in a JSON string (RFC 8259 §7);
 * false (and `out` partly written) otherwise.
 */
inline bool copy_unescaped(std::string_view s, char* out) noexcept {
    if (s.size() >= 8) {
        if (encoding::json_plain_prefix(s, false) != s.size()) return false;
        std::memcpy(out, s.data(), s.size());
        return true;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
        out[i] = c;
    }
    return true;
}

/**
 * The JSON text of a finite double into `out` (room for `max_number_text`): the shortest
 * round-trip form, with ".0" appended to an integral value (22.0 is written `22.0`, not `22`)
 * so that readers which tell integer literals from other numbers (SenML "v", OMA JSON) read a
 * double back. Errors: as `encoding::format_number` (NaN/inf: `invalid_argument`).
 */
[[nodiscard]] inline result<std::size_t> double_text(double v, std::span<char> out) noexcept {
    auto n = encoding::format_number(v, out);
    if (!n) return n;
    std::size_t len = *n;
    bool integral = true;
    for (std::size_t i = 0; i < len; ++i)
        if (out[i] != '-' && (out[i] < '0' || out[i] > '9')) integral = false;
    if (integral && len + 2 <= encoding::max_number_text) {
        out[len++] = '.';
        out[len++] = '0';
    }
    return len;
}
} // namespace detail

class writer {
public:
    constexpr explicit writer(output_window& out) noexcept : out_(&out) {}

    void begin_object() noexcept { separate(); out_->put('{'); need_comma_ = false; }
    void end_object() noexcept { out_->put('}'); need_comma_ = true; }
    void begin_array() noexcept { separate(); out_->put('['); need_comma_ = false; }
    void end_array() noexcept { out_->put(']'); need_comma_ = true; }

    /** An object member name (escaped as needed), followed by ':'. */
    void key(std::string_view k) noexcept {
        // One piece `,"k":` for the short plain names formats use.
        if (!short_quoted(k, true)) {
            separate();
            quoted(as_bytes(k));
            out_->put(':');
        }
        after_key_ = true;
    }
    /** A string value from UTF-8 text. */
    void string(std::string_view s) noexcept { string(as_bytes(s)); }
    void string(bytes_view utf8) noexcept {
        if (!short_quoted(as_chars(utf8), false)) {
            separate();
            quoted(utf8);
        }
        need_comma_ = true;
    }
    /**
     * A string whose contents the caller streams with `string_byte` after `begin_string`
     * and closes with `end_string` (lets writers transcode values without a buffer).
     */
    void begin_string() noexcept { separate(); out_->put('"'); }
    void string_bytes(bytes_view utf8) noexcept { escaped(utf8); }
    void string_char(char c) noexcept { out_->put(c); }  // precondition: needs no escaping
    void end_string() noexcept { out_->put('"'); need_comma_ = true; }

    void number(std::int64_t v) noexcept { number_text(encoding::format_number(v, number_buffer())); }
    void number(std::uint64_t v) noexcept { number_text(encoding::format_number(v, number_buffer())); }
    /**
     * A finite double; NaN/inf have no JSON form and are written as null. An integral value
     * gets a ".0" (22.0 is written `22.0`, not `22`) so that readers which tell integer
     * literals from other numbers (SenML "v", OMA JSON) read a double back.
     */
    void number(double v) noexcept {
        auto n = detail::double_text(v, number_buffer());
        if (!n) { null(); return; }
        number_text(n);
    }
    void boolean(bool b) noexcept { word(b ? std::string_view{"true"} : std::string_view{"false"}); }
    void null() noexcept { word("null"); }

private:
    /** Strings and keys up to this long are written as one piece with their quotes. */
    static constexpr std::size_t short_text = 32;

    /** Writes the ',' owed before a value or key into `piece`; returns its length (0 or 1). */
    std::size_t separator(char* piece) noexcept {
        if (after_key_) {
            after_key_ = false;
            return 0;
        }
        if (!need_comma_) return 0;
        piece[0] = ',';
        return 1;
    }
    void separate() noexcept {
        char comma[1];
        if (separator(comma) != 0) out_->put(',');
    }
    /**
     * `,"text"` (with `:` after it for a key) as one piece, when `text` is short and needs no
     * escape; false (nothing written, no separator used) otherwise.
     */
    bool short_quoted(std::string_view text, bool colon) noexcept {
        char piece[short_text + 4];
        const std::size_t comma = after_key_ || !need_comma_ ? 0 : 1;
        if (text.size() > short_text || !detail::copy_unescaped(text, piece + comma + 1)) return false;
        std::size_t n = separator(piece);
        piece[n++] = '"';
        n += text.size();
        piece[n++] = '"';
        if (colon) piece[n++] = ':';
        emit(piece, n);
        return true;
    }
    void word(std::string_view w) noexcept {
        char piece[6];
        std::size_t n = separator(piece);
        for (const char c : w) piece[n++] = c;
        emit(piece, n);
        need_comma_ = true;
    }
    void emit(const char* piece, std::size_t n) noexcept { detail::write_piece(*out_, piece, n); }
    void escaped(bytes_view utf8) noexcept {
        encoding::json_escape_runs(utf8, [&](bytes_view run) { emit(as_chars(run).data(), run.size()); });
    }
    void quoted(bytes_view utf8) noexcept {
        out_->put('"');
        escaped(utf8);
        out_->put('"');
    }
    /** Room for the number after its separator, which `number_text` puts in front. */
    std::span<char> number_buffer() noexcept { return std::span<char>{buf_ + 1, encoding::max_number_text}; }
    void number_text(const result<std::size_t>& n) noexcept {
        const std::size_t len = n ? *n : 0;
        const std::size_t comma = separator(buf_);
        // With no separator the text starts at buf_ + 1.
        emit(buf_ + 1 - comma, len + comma);
        need_comma_ = true;
    }

    output_window* out_;
    char buf_[1 + encoding::max_number_text]{};
    bool need_comma_ = false;
    bool after_key_ = false;
};

} // namespace lwm2m::format::json
