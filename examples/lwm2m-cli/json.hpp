#pragma once
/**
 * @file json.hpp
 * A small, strict JSON (RFC 8259) value parser and compact writer for the `lwm2m-cli`
 * example. Unlike the core library this file allocates freely (std::string, std::vector):
 * it belongs to the command-line tool, never to include/.
 *
 * Parsing is strict:
 *  - exactly one JSON value, surrounded only by the four RFC 8259 whitespace characters;
 *    no byte-order mark, no comments, no trailing commas, no NaN/Infinity, no leading '+'
 *    or leading zeros, no single quotes;
 *  - strings: control characters U+0000..U+001F must be escaped; escapes are the eight of
 *    RFC 8259 §7 plus \uXXXX; a \uXXXX high surrogate must be followed by a \uXXXX low
 *    surrogate (the pair is decoded to one code point) and unpaired surrogates are errors;
 *    raw bytes must be well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 *    nothing above U+10FFFF);
 *  - duplicate object keys are errors unless `parse_options::allow_duplicate_keys`;
 *  - nesting deeper than `parse_options::max_depth` is an error (protects the stack).
 *
 * Errors are `lwm2m::error{code, offset}` with `offset` the byte offset in the text:
 *   invalid_json       syntax error (offset of the first byte that cannot be accepted, or the
 *                      text size when the text ends too early)
 *   invalid_utf8       a raw byte sequence inside a string that is not UTF-8 (offset of its first byte)
 *   duplicate_entry    an object key seen before in the same object (offset of the key's '"')
 *   capacity_exceeded  nesting deeper than max_depth (offset of the '[' or '{' that is too deep)
 *
 * Every parsed value remembers the byte offset where it starts (`value::offset()`) and every
 * object key its own offset (`value::key_offset(i)`), so that callers can point at the
 * offending part of a document that is well-formed but not what they expect.
 *
 * Numbers keep their exact source text; `as_uint64`/`as_int64` convert it exactly (so
 * `40`, `40.0`, `4e1` and `400e-1` are all the integer 40) and `as_double` rounds.
 */

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

#include "cli_result.hpp"

namespace lwm2m_cli::json {

/** The six JSON value kinds. */
enum class kind : std::uint8_t { null, boolean, number, string, array, object };

/** One JSON value (a tree). Default-constructed: null. */
class value {
public:
    value() = default;

    // ---- construction ------------------------------------------------------------------
    [[nodiscard]] static value make_null() { return value{}; }
    [[nodiscard]] static value make_bool(bool b) {
        value v;
        v.kind_ = kind::boolean;
        v.bool_ = b;
        return v;
    }
    [[nodiscard]] static value make_number(std::uint64_t n) { return number_text(to_text(n)); }
    [[nodiscard]] static value make_number(std::int64_t n) { return number_text(to_text(n)); }
    [[nodiscard]] static value make_number(unsigned n) { return make_number(static_cast<std::uint64_t>(n)); }
    [[nodiscard]] static value make_number(int n) { return make_number(static_cast<std::int64_t>(n)); }
    /** The shortest text that reads back as `d`; NaN and infinities (not JSON) give null. */
    [[nodiscard]] static value make_number(double d) {
        if (!std::isfinite(d)) return value{};
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, d);
        return number_text(std::string(buf, r.ptr));
    }
    /** A string value. Precondition: `s` is UTF-8 (the writer replaces ill-formed bytes by U+FFFD). */
    [[nodiscard]] static value make_string(std::string s) {
        value v;
        v.kind_ = kind::string;
        v.text_ = std::move(s);
        return v;
    }
    [[nodiscard]] static value make_array() {
        value v;
        v.kind_ = kind::array;
        return v;
    }
    [[nodiscard]] static value make_object() {
        value v;
        v.kind_ = kind::object;
        return v;
    }

    /** Appends to an array. Precondition: is_array(). */
    value& push_back(value v) {
        LWM2M_ASSERT(is_array());
        items_.push_back(std::move(v));
        return *this;
    }
    /** Appends a member to an object, keeping insertion order (no duplicate check). Precondition: is_object(). */
    value& add(std::string key, value v) {
        LWM2M_ASSERT(is_object());
        keys_.push_back(std::move(key));
        key_offsets_.push_back(0);
        items_.push_back(std::move(v));
        return *this;
    }

    // ---- inspection --------------------------------------------------------------------
    [[nodiscard]] kind type() const noexcept { return kind_; }
    [[nodiscard]] bool is_null() const noexcept { return kind_ == kind::null; }
    [[nodiscard]] bool is_bool() const noexcept { return kind_ == kind::boolean; }
    [[nodiscard]] bool is_number() const noexcept { return kind_ == kind::number; }
    [[nodiscard]] bool is_string() const noexcept { return kind_ == kind::string; }
    [[nodiscard]] bool is_array() const noexcept { return kind_ == kind::array; }
    [[nodiscard]] bool is_object() const noexcept { return kind_ == kind::object; }

    /** Byte offset of the value's first character in the parsed text (0 for built values). */
    [[nodiscard]] std::size_t offset() const noexcept { return offset_; }

    /** Precondition: is_bool(). */
    [[nodiscard]] bool as_bool() const noexcept {
        LWM2M_ASSERT(is_bool());
        return bool_;
    }
    /** The decoded text (UTF-8, may contain U+0000). Precondition: is_string(). */
    [[nodiscard]] const std::string& as_string() const noexcept {
        LWM2M_ASSERT(is_string());
        return text_;
    }
    /** The number exactly as written. Precondition: is_number(). */
    [[nodiscard]] std::string_view number_literal() const noexcept {
        LWM2M_ASSERT(is_number());
        return text_;
    }
    /** The number if it is exactly a non-negative integer that fits 64 bits ("-0" is 0). */
    [[nodiscard]] std::optional<std::uint64_t> as_uint64() const noexcept {
        if (!is_number()) return std::nullopt;
        const auto e = exact_integer(text_);
        if (!e || (e->negative && e->magnitude != 0)) return std::nullopt;
        return e->magnitude;
    }
    /** The number if it is exactly an integer that fits int64. */
    [[nodiscard]] std::optional<std::int64_t> as_int64() const noexcept {
        if (!is_number()) return std::nullopt;
        const auto e = exact_integer(text_);
        if (!e) return std::nullopt;
        constexpr std::uint64_t max = static_cast<std::uint64_t>(INT64_MAX);
        if (!e->negative) {
            if (e->magnitude > max) return std::nullopt;
            return static_cast<std::int64_t>(e->magnitude);
        }
        if (e->magnitude > max + 1) return std::nullopt;
        if (e->magnitude == max + 1) return INT64_MIN;
        return -static_cast<std::int64_t>(e->magnitude);
    }
    /** The number as the nearest double (may be infinite for huge literals). */
    [[nodiscard]] std::optional<double> as_double() const noexcept {
        if (!is_number()) return std::nullopt;
        double d = 0;
        const auto r = std::from_chars(text_.data(), text_.data() + text_.size(), d);
        if (r.ec == std::errc::result_out_of_range) {
            // from_chars leaves `d` unchanged on range errors: decide overflow vs underflow
            // from the decimal exponent of the first significant digit.
            const bool negative = text_[0] == '-';
            const bool huge = decimal_exponent(text_) > 0;
            return huge ? (negative ? -HUGE_VAL : HUGE_VAL) : (negative ? -0.0 : 0.0);
        }
        return d;
    }

    /** Elements of an array, or member values of an object (in document order). */
    [[nodiscard]] const std::vector<value>& items() const noexcept { return items_; }
    /** Number of elements or members (0 for scalars). */
    [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
    /** Array element / object member value `i`. */
    [[nodiscard]] const value& operator[](std::size_t i) const noexcept {
        LWM2M_ASSERT(i < items_.size());
        return items_[i];
    }
    /** Key of object member `i`. */
    [[nodiscard]] std::string_view key(std::size_t i) const noexcept {
        LWM2M_ASSERT(is_object() && i < keys_.size());
        return keys_[i];
    }
    /** Byte offset of the '"' that opens key `i` in the parsed text (0 for built values). */
    [[nodiscard]] std::size_t key_offset(std::size_t i) const noexcept {
        LWM2M_ASSERT(is_object() && i < key_offsets_.size());
        return key_offsets_[i];
    }
    /** The value of the first member named `key`, or nullptr (also for non-objects). */
    [[nodiscard]] const value* find(std::string_view key) const noexcept {
        if (!is_object()) return nullptr;
        for (std::size_t i = 0; i < keys_.size(); ++i)
            if (keys_[i] == key) return &items_[i];
        return nullptr;
    }

    friend bool operator==(const value& a, const value& b) {
        // Structural equality (offsets ignored; numbers compare by literal text).
        return a.kind_ == b.kind_ && a.bool_ == b.bool_ && a.text_ == b.text_ && a.items_ == b.items_ &&
               a.keys_ == b.keys_;
    }

private:
    friend class parser;

    struct integer {
        bool negative;
        std::uint64_t magnitude;
    };
    // Exact integer value of a valid JSON number literal, or nullopt if it is not an integer
    // or its magnitude does not fit 64 bits.
    static std::optional<integer> exact_integer(std::string_view t) noexcept {
        integer out{false, 0};
        std::size_t i = 0;
        if (t[i] == '-') { out.negative = true; ++i; }
        std::string digits;  // significant digits of int and fraction parts
        std::int64_t exp = 0;
        for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) digits += t[i];
        if (i < t.size() && t[i] == '.') {
            for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
                digits += t[i];
                --exp;
            }
        }
        if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
            ++i;
            bool neg = false;
            if (t[i] == '+' || t[i] == '-') neg = t[i++] == '-';
            std::int64_t e = 0;
            for (; i < t.size(); ++i) {
                if (e < 100000000) e = e * 10 + (t[i] - '0');
            }
            exp += neg ? -e : e;
        }
        // Strip leading zeros and (compensating the exponent) trailing zeros.
        const std::size_t first = digits.find_first_not_of('0');
        if (first == std::string::npos) return out;  // zero
        digits.erase(0, first);
        while (digits.back() == '0') {
            digits.pop_back();
            ++exp;
        }
        if (exp < 0) return std::nullopt;  // a fraction remains
        if (static_cast<std::int64_t>(digits.size()) + exp > 20) return std::nullopt;
        std::uint64_t m = 0;
        for (char c : digits) {
            const auto d = static_cast<std::uint64_t>(c - '0');
            if (m > (UINT64_MAX - d) / 10) return std::nullopt;
            m = m * 10 + d;
        }
        for (std::int64_t k = 0; k < exp; ++k) {
            if (m > UINT64_MAX / 10) return std::nullopt;
            m *= 10;
        }
        out.magnitude = m;
        return out;
    }
    // For a valid non-zero literal: e such that the value is 0.d... x 10^e (clamped).
    static std::int64_t decimal_exponent(std::string_view t) noexcept {
        std::size_t i = t[0] == '-' ? 1 : 0;
        std::int64_t e = 0;
        bool seen = false;  // a significant (non-zero) digit
        for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
            if (t[i] != '0') seen = true;
            if (seen) ++e;
        }
        if (i < t.size() && t[i] == '.') {
            for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
                if (seen) continue;
                if (t[i] != '0') seen = true;
                else --e;
            }
        }
        if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
            ++i;
            bool neg = false;
            if (t[i] == '+' || t[i] == '-') neg = t[i++] == '-';
            std::int64_t x = 0;
            for (; i < t.size(); ++i)
                if (x < 100000000) x = x * 10 + (t[i] - '0');
            e += neg ? -x : x;
        }
        return e;
    }
    static std::string to_text(std::uint64_t n) {
        char buf[24];
        return std::string(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
    }
    static std::string to_text(std::int64_t n) {
        char buf[24];
        return std::string(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
    }
    static value number_text(std::string t) {
        value v;
        v.kind_ = kind::number;
        v.text_ = std::move(t);
        return v;
    }

    kind kind_ = kind::null;
    bool bool_ = false;
    std::string text_;                      // string contents or number literal
    std::vector<value> items_;              // array elements or object member values
    std::vector<std::string> keys_;         // object keys (parallel to items_)
    std::vector<std::size_t> key_offsets_;  // object key offsets (parallel to items_)
    std::size_t offset_ = 0;
};

// ---- UTF-8 -------------------------------------------------------------------------------

/**
 * Length (1..4) of the well-formed UTF-8 sequence starting at `s[i]` (RFC 3629 §4), or 0
 * if the bytes there are ill-formed. Stores the code point in `*cp` when given.
 */
[[nodiscard]] inline std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t* cp = nullptr) noexcept {
    const auto byte = [&](std::size_t k) -> unsigned {
        return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u;
    };
    const unsigned b0 = byte(0);
    const auto cont = [](unsigned b, unsigned lo = 0x80, unsigned hi = 0xBF) { return b >= lo && b <= hi; };
    std::size_t n = 0;
    char32_t c = 0;
    if (b0 < 0x80) {
        n = 1;
        c = b0;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (!cont(byte(1))) return 0;
        n = 2;
        c = ((b0 & 0x1Fu) << 6) | (byte(1) & 0x3Fu);
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
        if (!cont(byte(1), lo, hi) || !cont(byte(2))) return 0;
        n = 3;
        c = ((b0 & 0x0Fu) << 12) | ((byte(1) & 0x3Fu) << 6) | (byte(2) & 0x3Fu);
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
        if (!cont(byte(1), lo, hi) || !cont(byte(2)) || !cont(byte(3))) return 0;
        n = 4;
        c = ((b0 & 0x07u) << 18) | ((byte(1) & 0x3Fu) << 12) | ((byte(2) & 0x3Fu) << 6) | (byte(3) & 0x3Fu);
    } else {
        return 0;
    }
    if (cp) *cp = c;
    return n;
}

/** Offset of the first ill-formed UTF-8 sequence in `s`, or nullopt if `s` is all UTF-8. */
[[nodiscard]] inline std::optional<std::size_t> find_invalid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::nullopt;
}

/** True if `s` is well-formed UTF-8. */
[[nodiscard]] inline bool is_valid_utf8(std::string_view s) noexcept { return !find_invalid_utf8(s); }

/** Appends code point `c` (<= U+10FFFF, not a surrogate) as UTF-8. */
inline void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

// ---- parser ------------------------------------------------------------------------------

struct parse_options {
    /** Deepest nesting of arrays/objects accepted (the top-level value is depth 1). */
    std::size_t max_depth = 256;
    /** Accept repeated keys in one object (all are kept; `find` returns the first). */
    bool allow_duplicate_keys = false;
};

/** The parser behind `json::parse`; use that. */
class parser {
public:
    parser(std::string_view text, const parse_options& options) noexcept : s_(text), opt_(options) {}

    lwm2m_cli::result<value> run() {
        value v;
        skip_ws();
        if (!parse_value(v, 1)) return lwm2m::unexpected{err_};
        skip_ws();
        if (pos_ != s_.size()) return lwm2m::fail(lwm2m::errc::invalid_json, pos_);
        return v;
    }

private:
    bool fail(lwm2m::errc code, std::size_t offset) noexcept {
        err_ = {code, offset};
        return false;
    }
    bool syntax(std::size_t offset) noexcept { return fail(lwm2m::errc::invalid_json, offset); }
    [[nodiscard]] bool at_end() const noexcept { return pos_ >= s_.size(); }
    [[nodiscard]] char peek() const noexcept { return at_end() ? '\0' : s_[pos_]; }

    void skip_ws() noexcept {
        while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    }

    bool parse_value(value& v, std::size_t depth) {
        v.offset_ = pos_;
        if (at_end()) return syntax(pos_);
        switch (s_[pos_]) {
        case '{': return parse_object(v, depth);
        case '[': return parse_array(v, depth);
        case '"':
            v.kind_ = kind::string;
            return parse_string(v.text_);
        case 't': v.kind_ = kind::boolean; v.bool_ = true; return literal("true");
        case 'f': v.kind_ = kind::boolean; v.bool_ = false; return literal("false");
        case 'n': v.kind_ = kind::null; return literal("null");
        default:
            if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) {
                v.kind_ = kind::number;
                return parse_number(v.text_);
            }
            return syntax(pos_);
        }
    }

    bool literal(std::string_view word) noexcept {
        for (char c : word) {
            if (peek() != c) return syntax(pos_);
            ++pos_;
        }
        return true;
    }

    static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

    // number = [ minus ] int [ frac ] [ exp ]   (RFC 8259 §6)
    bool parse_number(std::string& out) {
        const std::size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (is_digit(peek())) {
            while (is_digit(peek())) ++pos_;
        } else {
            return syntax(pos_);
        }
        if (peek() == '.') {
            ++pos_;
            if (!is_digit(peek())) return syntax(pos_);
            while (is_digit(peek())) ++pos_;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!is_digit(peek())) return syntax(pos_);
            while (is_digit(peek())) ++pos_;
        }
        out.assign(s_.substr(start, pos_ - start));
        return true;
    }

    // Reads 4 hex digits at pos_ (after "\u"); -1 on error (pos_ at the bad digit).
    long hex4() noexcept {
        long v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = peek();
            int d = -1;
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            if (d < 0) return -1;
            v = v * 16 + d;
            ++pos_;
        }
        return v;
    }

    bool parse_string(std::string& out) {
        ++pos_;  // opening quote
        out.clear();
        for (;;) {
            if (at_end()) return syntax(pos_);
            const auto c = static_cast<unsigned char>(s_[pos_]);
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c < 0x20) return syntax(pos_);
            if (c == '\\') {
                const std::size_t escape_at = pos_;
                ++pos_;
                const char e = peek();
                ++pos_;
                switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    const long hi = hex4();
                    if (hi < 0) return syntax(pos_);
                    char32_t cp = static_cast<char32_t>(hi);
                    if (hi >= 0xDC00 && hi <= 0xDFFF) return syntax(escape_at);  // lone low surrogate
                    if (hi >= 0xD800 && hi <= 0xDBFF) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        if (peek() != '\\' || pos_ + 1 >= s_.size() || s_[pos_ + 1] != 'u') return syntax(escape_at);
                        const std::size_t save = pos_;
                        pos_ += 2;
                        const long lo = hex4();
                        if (lo < 0) return syntax(pos_);
                        if (lo < 0xDC00 || lo > 0xDFFF) {
                            pos_ = save;
                            return syntax(escape_at);
                        }
                        cp = 0x10000 + ((static_cast<char32_t>(hi) - 0xD800) << 10) + (static_cast<char32_t>(lo) - 0xDC00);
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: return syntax(pos_ - 1 < s_.size() ? pos_ - 1 : s_.size());
                }
                continue;
            }
            if (c < 0x80) {
                out += static_cast<char>(c);
                ++pos_;
                continue;
            }
            const std::size_t n = utf8_sequence(s_, pos_);
            if (n == 0) return fail(lwm2m::errc::invalid_utf8, pos_);
            out.append(s_.substr(pos_, n));
            pos_ += n;
        }
    }

    bool enter(std::size_t depth) noexcept {
        if (depth > opt_.max_depth) return fail(lwm2m::errc::capacity_exceeded, pos_);
        return true;
    }

    bool parse_array(value& v, std::size_t depth) {
        if (!enter(depth)) return false;
        v.kind_ = kind::array;
        ++pos_;
        skip_ws();
        if (peek() == ']') {
            ++pos_;
            return true;
        }
        for (;;) {
            value item;
            if (!parse_value(item, depth + 1)) return false;
            v.items_.push_back(std::move(item));
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                skip_ws();
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return true;
            }
            return syntax(pos_);
        }
    }

    bool parse_object(value& v, std::size_t depth) {
        if (!enter(depth)) return false;
        v.kind_ = kind::object;
        ++pos_;
        skip_ws();
        if (peek() == '}') {
            ++pos_;
            return true;
        }
        std::unordered_set<std::string> seen;  // used once an object has many keys
        for (;;) {
            if (peek() != '"') return syntax(pos_);
            const std::size_t key_at = pos_;
            std::string key;
            if (!parse_string(key)) return false;
            if (!opt_.allow_duplicate_keys && is_duplicate(v, seen, key))
                return fail(lwm2m::errc::duplicate_entry, key_at);
            skip_ws();
            if (peek() != ':') return syntax(pos_);
            ++pos_;
            skip_ws();
            value member;
            if (!parse_value(member, depth + 1)) return false;
            v.keys_.push_back(std::move(key));
            v.key_offsets_.push_back(key_at);
            v.items_.push_back(std::move(member));
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                skip_ws();
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return true;
            }
            return syntax(pos_);
        }
    }

    // Linear scan for small objects, a hash set beyond 16 keys (keeps big objects O(n)).
    static bool is_duplicate(const value& v, std::unordered_set<std::string>& seen, const std::string& key) {
        constexpr std::size_t linear_limit = 16;
        if (v.keys_.size() < linear_limit) {
            for (const auto& k : v.keys_)
                if (k == key) return true;
            return false;
        }
        if (seen.empty()) seen.insert(v.keys_.begin(), v.keys_.end());
        return !seen.insert(key).second;
    }

    std::string_view s_;
    parse_options opt_;
    std::size_t pos_ = 0;
    lwm2m::error err_{};
};

/** Parses one JSON text (see the file comment for the rules and errors). */
[[nodiscard]] inline lwm2m_cli::result<value> parse(std::string_view text, const parse_options& options = {}) {
    return parser{text, options}.run();
}

// ---- writer ------------------------------------------------------------------------------

struct write_options {
    /** Escape every non-ASCII character as \uXXXX (astral ones as a surrogate pair). */
    bool ascii_only = false;
};

/**
 * Appends `s` as a JSON string literal (with quotes). Escapes '"', '\' and U+0000..U+001F
 * (as \b \f \n \r \t where RFC 8259 has a short form, else \u00XX); with `ascii_only`, also
 * every non-ASCII character. Ill-formed UTF-8 bytes are written as U+FFFD, so the output is
 * always valid JSON.
 */
inline void write_string(std::string& out, std::string_view s, const write_options& options = {}) {
    constexpr char hex[] = "0123456789abcdef";
    const auto u_escape = [&](unsigned v) {
        out += "\\u";
        out += hex[(v >> 12) & 15];
        out += hex[(v >> 8) & 15];
        out += hex[(v >> 4) & 15];
        out += hex[v & 15];
    };
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) u_escape(c);
                else out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        char32_t cp = 0xFFFD;
        std::size_t n = utf8_sequence(s, i, &cp);
        const bool ok = n != 0;
        if (!ok) {
            cp = 0xFFFD;
            n = 1;
        }
        if (options.ascii_only) {
            if (cp >= 0x10000) {
                const char32_t v = cp - 0x10000;
                u_escape(0xD800 + static_cast<unsigned>(v >> 10));
                u_escape(0xDC00 + static_cast<unsigned>(v & 0x3FF));
            } else {
                u_escape(static_cast<unsigned>(cp));
            }
        } else if (ok) {
            out.append(s.substr(i, n));
        } else {
            append_utf8(out, cp);
        }
        i += n;
    }
    out += '"';
}

/** Appends the compact text of `v` (no whitespace; object members in insertion order). */
inline void write(std::string& out, const value& v, const write_options& options = {}) {
    switch (v.type()) {
    case kind::null: out += "null"; return;
    case kind::boolean: out += v.as_bool() ? "true" : "false"; return;
    case kind::number: out += v.number_literal(); return;
    case kind::string: write_string(out, v.as_string(), options); return;
    case kind::array:
        out += '[';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            write(out, v[i], options);
        }
        out += ']';
        return;
    case kind::object:
        out += '{';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            write_string(out, v.key(i), options);
            out += ':';
            write(out, v[i], options);
        }
        out += '}';
        return;
    }
}

/** The compact text of `v`. */
[[nodiscard]] inline std::string to_string(const value& v, const write_options& options = {}) {
    std::string out;
    write(out, v, options);
    return out;
}

} // namespace lwm2m_cli::json
