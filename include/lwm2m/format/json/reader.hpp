#pragma once
/**
 * @file reader.hpp
 * Generic JSON pull tokenizer (RFC 8259): one token at a time, strings and numbers as views
 * into the input. The building block of the SenML JSON (RFC 8428 §5) and OMA JSON readers.
 *
 * Validates the full grammar: structure and nesting (up to `max_depth`), commas and colons,
 * object keys are strings, string contents (escapes, UTF-8, no raw control characters),
 * number syntax, the literals, and nothing but whitespace after the top-level value.
 * Errors: `invalid_json` / `invalid_utf8` at the offending byte. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::json {

enum class token_kind : std::uint8_t {
    begin_object, end_object, begin_array, end_array,
    key,      ///< an object member name (`text`, still escaped if `escaped`)
    string,   ///< a string value
    number,   ///< a number (`text` is its literal; `integer` if no fraction/exponent)
    true_, false_, null,
    end,      ///< the top-level value is complete and only whitespace followed
};

struct token {
    token_kind kind{};
    std::string_view text{};  ///< string contents between the quotes, or the number literal
    bool escaped = false;     ///< the string contains backslash escapes
    bool integer = false;     ///< number without fraction or exponent
    std::size_t offset = 0;   ///< where the token starts
};

/** Deepest nesting of arrays/objects accepted. */
inline constexpr std::size_t max_depth = 32;

class reader {
public:
    constexpr explicit reader(std::string_view text) noexcept : in_(text) {}
    explicit reader(bytes_view bytes) noexcept : in_(as_chars(bytes)) {}

    [[nodiscard]] constexpr result<token> next() noexcept {
        skip_ws();
        if (state_ == state::after_value && depth_ == 0) state_ = state::done;
        if (state_ == state::done) {
            if (pos_ != in_.size()) return fail(errc::invalid_json, pos_);
            return token{token_kind::end, {}, false, false, pos_};
        }
        if (pos_ == in_.size()) return fail(errc::invalid_json, pos_);
        const std::size_t at = pos_;
        const char c = in_[pos_];
        // Separators owed before the next token.
        if (state_ == state::after_value) {
            if (c == ',') {
                ++pos_;
                state_ = in_object() ? state::expect_key : state::expect_value;
                skip_ws();
                return value_or_key(false);
            }
            if (c == (in_object() ? '}' : ']')) return close(at);
            return fail(errc::invalid_json, at);
        }
        if (state_ == state::after_key) {
            if (c != ':') return fail(errc::invalid_json, at);
            ++pos_;
            state_ = state::expect_value;
            skip_ws();
            return value_or_key(false);
        }
        return value_or_key(true);
    }

    /** Skips the value whose first token was just read as `first` (for unknown members). */
    [[nodiscard]] constexpr result<void> skip_value(const token& first) noexcept {
        if (first.kind != token_kind::begin_object && first.kind != token_kind::begin_array) return {};
        const std::size_t target = depth_ - 1;
        while (depth_ > target) {
            auto t = next();
            if (!t) return unexpected{t.error()};
        }
        return {};
    }

    [[nodiscard]] constexpr std::size_t offset() const noexcept { return pos_; }
    [[nodiscard]] constexpr std::size_t depth() const noexcept { return depth_; }
    /** The whole input (offsets are into it). */
    [[nodiscard]] constexpr std::string_view input() const noexcept { return in_; }

    /**
     * Scan-ahead, for readers that recognise a frequent element shape faster than token by
     * token (the SenML JSON reader's records): where the next token stands in the innermost
     * array. `first`: right after its '['; `after_element`: after an element, so a ',' (or the
     * closing ']') comes next; `none`: anywhere else.
     */
    enum class array_position : std::uint8_t { none, first, after_element };
    [[nodiscard]] constexpr array_position position_in_array() const noexcept {
        if (depth_ == 0 || objects_[depth_ - 1]) return array_position::none;
        if (state_ == state::after_value) return array_position::after_element;
        if (state_ == state::expect_value && just_opened_) return array_position::first;
        return array_position::none;
    }
    /**
     * Accounts for one element of the innermost array that the caller scanned itself, from
     * `offset()` (its ',' included when `position_in_array()` is `after_element`) up to `end`.
     * Precondition: `position_in_array()` is not `none`, and that text is whitespace, the ','
     * and one complete value that `next()` would have accepted token by token.
     */
    constexpr void element_scanned(std::size_t end) noexcept {
        pos_ = end;
        state_ = state::after_value;
        just_opened_ = false;
    }

    /**
     * Takes a '[' right at `offset()` where `next()` would read it as `begin_array` (a value
     * is expected); false, having changed nothing, for anything else (whitespace first, too
     * deep, ...), which `next()` then reads.
     */
    constexpr bool take_begin_array() noexcept {
        if (state_ != state::expect_value || pos_ == in_.size() || in_[pos_] != '[' || depth_ == max_depth) return false;
        objects_[depth_++] = false;
        ++pos_;
        just_opened_ = true;
        return true;
    }
    /**
     * Takes a ']' right at `offset()` that closes the top-level array after an element and
     * ends the input, as `next()` would read it (`end_array`, then `end` on the next call);
     * false, having changed nothing, for anything else, which `next()` then reads.
     */
    constexpr bool take_final_end_array() noexcept {
        if (depth_ != 1 || objects_[0] || state_ != state::after_value || pos_ + 1 != in_.size() || in_[pos_] != ']')
            return false;
        ++pos_;
        depth_ = 0;
        state_ = state::done;
        return true;
    }

private:
    enum class state : std::uint8_t { expect_value, expect_key, after_key, after_value, done };

    [[nodiscard]] constexpr bool in_object() const noexcept { return depth_ > 0 && objects_[depth_ - 1]; }
    constexpr void skip_ws() noexcept {
        // Compact JSON has none: one comparison decides for any byte above ' '.
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r')) return;
            ++pos_;
        }
    }
    constexpr result<token> close(std::size_t at) noexcept {
        const bool obj = in_object();
        ++pos_;
        --depth_;
        state_ = state::after_value;
        return token{obj ? token_kind::end_object : token_kind::end_array, {}, false, false, at};
    }
    // `allow_close`: an empty container may close right after it opened.
    constexpr result<token> value_or_key(bool allow_close) noexcept {
        if (pos_ == in_.size()) return fail(errc::invalid_json, pos_);
        const std::size_t at = pos_;
        const char c = in_[pos_];
        if (allow_close && state_ == state::expect_key && c == '}') return close(at);
        if (allow_close && state_ == state::expect_value && depth_ > 0 && !in_object() && c == ']' && just_opened_)
            return close(at);
        just_opened_ = false;
        if (state_ == state::expect_key) {
            if (c != '"') return fail(errc::invalid_json, at);
            auto t = string_token(token_kind::key);
            if (t) state_ = state::after_key;
            return t;
        }
        switch (c) {
        case '{':
        case '[':
            if (depth_ == max_depth) return fail(errc::invalid_json, at);
            objects_[depth_++] = c == '{';
            ++pos_;
            state_ = c == '{' ? state::expect_key : state::expect_value;
            just_opened_ = true;
            return token{c == '{' ? token_kind::begin_object : token_kind::begin_array, {}, false, false, at};
        case '"': {
            auto t = string_token(token_kind::string);
            if (t) state_ = state::after_value;
            return t;
        }
        case 't': return literal("true", token_kind::true_);
        case 'f': return literal("false", token_kind::false_);
        case 'n': return literal("null", token_kind::null);
        default: {
            bool integer = false;
            const std::size_t n = encoding::scan_json_number(slice(in_, pos_), integer);
            if (n == 0) return fail(errc::invalid_json, at);
            pos_ += n;
            state_ = state::after_value;
            return token{token_kind::number, slice(in_, at, n), false, integer, at};
        }
        }
    }
    constexpr result<token> literal(std::string_view word, token_kind k) noexcept {
        const std::size_t at = pos_;
        if (slice(in_, pos_, word.size()) != word) return fail(errc::invalid_json, at);
        pos_ += word.size();
        state_ = state::after_value;
        return token{k, {}, false, false, at};
    }
    constexpr result<token> string_token(token_kind k) noexcept {
        const std::size_t at = pos_++;
        const std::size_t start = pos_;
        // Fast path: printable ASCII up to the closing quote is a valid body as it is.
        const std::size_t plain = start + encoding::json_plain_prefix(slice(in_, start), true);
        if (plain < in_.size() && in_[plain] == '"') {
            pos_ = plain + 1;
            return token{k, slice(in_, start, plain - start), false, false, at};
        }
        bool escaped = false;
        while (pos_ < in_.size() && in_[pos_] != '"') {
            if (in_[pos_] == '\\') {
                escaped = true;
                if (pos_ + 1 >= in_.size()) return fail(errc::invalid_json, pos_);
                pos_ += 2;
            } else {
                ++pos_;
            }
        }
        if (pos_ >= in_.size()) return fail(errc::invalid_json, at);
        const std::string_view body = slice(in_, start, pos_ - start);
        ++pos_;
        // Validate escapes and UTF-8 now so consumers can decode later without failing.
        if (auto ok = encoding::json_unescaped_size(body); !ok)
            return fail(ok.error().code, start + ok.error().offset);
        return token{k, body, escaped, false, at};
    }

    std::string_view in_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
    bool objects_[max_depth]{};
    state state_ = state::expect_value;
    bool just_opened_ = false;
};

} // namespace lwm2m::format::json
