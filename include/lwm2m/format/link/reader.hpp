#pragma once
/**
 * @file reader.hpp
 * CoRE Link Format reader (RFC 6690 §2, ct 40): a pull cursor over `<uri>;param;...`
 * entries, as LwM2M uses for Register/Update payloads, Discover and Bootstrap-Discover
 * responses. Zero-copy: URIs, names and values are views into the payload.
 *
 * Grammar accepted (RFC 6690 §2 with RFC 5988/8288 link-extension):
 *   links  = link *( "," link )
 *   link   = "<" uri ">" *( ";" param )
 *   param  = parmname [ "=" ( ptoken / quoted-string ) ]
 * Optional whitespace (SP, HTAB, CR, LF) is tolerated after "," and ";" and at the ends,
 * since several clients pretty-print Register payloads; it is never written.
 * Errors: `invalid_link_format` at the offending byte. Allocation: none.
 */

#include <cstddef>
#include <iterator>
#include <span>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::link {

/** One link parameter: `name`, `name=token` or `name="quoted"`. */
struct link_attribute {
    std::string_view name{};
    /** The value as written, without the quotes; quoted values may still hold `\` escapes. */
    std::string_view value{};
    bool has_value = false;
    bool quoted = false;
};

namespace detail {
constexpr bool is_ws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
// RFC 5987 parmname characters.
constexpr bool is_parmname_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '&': case '+': case '-': case '.': case '^': case '_': case '`': case '|': case '~':
    case '*':  // ext-name-star ("title*")
        return true;
    default: return false;
    }
}
// RFC 6690 ptokenchar.
constexpr bool is_ptoken_char(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '(': case ')': case '*': case '+': case '-':
    case '.': case '/': case ':': case '<': case '=': case '>': case '?': case '@': case '[': case ']': case '^':
    case '_': case '`': case '{': case '|': case '}': case '~':
        return true;
    default: return false;
    }
}
} // namespace detail

/** One link: its target URI and a cursor over its parameters (already validated). */
class link_entry {
public:
    constexpr link_entry() noexcept = default;
    constexpr link_entry(std::string_view uri, std::string_view params) noexcept : uri_(uri), params_(params) {}

    /** The URI-Reference between `<` and `>`, e.g. "/3/0". */
    [[nodiscard]] constexpr std::string_view uri() const noexcept { return uri_; }
    /** The parameters as written (from the first `;`), for a copy with another URI. */
    [[nodiscard]] constexpr std::string_view params() const noexcept { return params_; }

    /** Iterates the parameters. */
    class attribute_iterator {
    public:
        constexpr attribute_iterator() noexcept = default;
        constexpr explicit attribute_iterator(std::string_view rest) noexcept : rest_(rest) { advance(); }
        constexpr const link_attribute& operator*() const noexcept { return current_; }
        constexpr const link_attribute* operator->() const noexcept { return &current_; }
        constexpr attribute_iterator& operator++() noexcept { advance(); return *this; }
        constexpr bool operator==(const attribute_iterator& o) const noexcept { return done_ == o.done_ && rest_.data() == o.rest_.data(); }
        constexpr bool operator==(std::default_sentinel_t) const noexcept { return done_; }

    private:
        // `rest_` starts at a ';' (or is empty); the text was validated by the reader.
        constexpr void advance() noexcept {
            while (!rest_.empty() && (rest_.front() == ';' || detail::is_ws(rest_.front()))) rest_.remove_prefix(1);
            if (rest_.empty()) { done_ = true; rest_ = {}; return; }
            current_ = link_attribute{};
            std::size_t i = 0;
            while (i < rest_.size() && detail::is_parmname_char(rest_[i])) ++i;
            current_.name = slice(rest_, 0, i);
            if (i < rest_.size() && rest_[i] == '=') {
                current_.has_value = true;
                ++i;
                if (i < rest_.size() && rest_[i] == '"') {
                    current_.quoted = true;
                    const std::size_t start = ++i;
                    while (rest_[i] != '"') i += rest_[i] == '\\' ? 2 : 1;
                    current_.value = slice(rest_, start, i - start);
                    ++i;
                } else {
                    const std::size_t start = i;
                    while (i < rest_.size() && detail::is_ptoken_char(rest_[i])) ++i;
                    current_.value = slice(rest_, start, i - start);
                }
            }
            rest_.remove_prefix(i);
        }
        std::string_view rest_{};
        link_attribute current_{};
        bool done_ = false;
    };

    [[nodiscard]] constexpr attribute_iterator begin() const noexcept { return attribute_iterator{params_}; }
    [[nodiscard]] constexpr std::default_sentinel_t end() const noexcept { return {}; }

    /** The first parameter named `name` (case-sensitive, as LwM2M attribute names are). */
    [[nodiscard]] constexpr std::optional<link_attribute> find(std::string_view name) const noexcept {
        for (auto it = begin(); it != end(); ++it)
            if (it->name == name) return *it;
        return std::nullopt;
    }

private:
    std::string_view uri_{};
    std::string_view params_{};
};

/** Pull cursor over the links of a payload. */
class reader {
public:
    constexpr explicit reader(std::string_view payload) noexcept : text_(payload) { skip_ws(); }
    explicit reader(bytes_view payload) noexcept : reader(as_chars(payload)) {}

    /** The next link, nullopt at the end, or `invalid_link_format` with the offset. */
    [[nodiscard]] constexpr result<std::optional<link_entry>> next() noexcept {
        if (error_) return unexpected{*error_};
        if (pos_ == text_.size()) return std::optional<link_entry>{};
        if (!first_) {
            if (text_[pos_] != ',') return set_error(pos_);
            ++pos_;
            skip_ws();
        }
        first_ = false;
        if (pos_ == text_.size() || text_[pos_] != '<') return set_error(pos_);
        const std::size_t uri_start = ++pos_;
        while (pos_ < text_.size() && text_[pos_] != '>') {
            const char c = text_[pos_];
            // URI-Reference characters only (RFC 3986 §2): no controls, space, quotes or angle brackets.
            if (static_cast<unsigned char>(c) <= 0x20 || c == '"' || c == '<' || static_cast<unsigned char>(c) >= 0x7F)
                return set_error(pos_);
            ++pos_;
        }
        if (pos_ == text_.size()) return set_error(pos_);
        const std::string_view uri = slice(text_, uri_start, pos_ - uri_start);
        ++pos_;
        const std::size_t params_start = pos_;
        while (pos_ < text_.size() && text_[pos_] != ',') {
            skip_ws();
            if (pos_ == text_.size() || text_[pos_] == ',') break;
            if (text_[pos_] != ';') return set_error(pos_);
            ++pos_;
            skip_ws();
            const std::size_t name_start = pos_;
            while (pos_ < text_.size() && detail::is_parmname_char(text_[pos_])) ++pos_;
            if (pos_ == name_start) return set_error(pos_);
            if (pos_ < text_.size() && text_[pos_] == '=') {
                ++pos_;
                if (pos_ < text_.size() && text_[pos_] == '"') {
                    ++pos_;
                    while (pos_ < text_.size() && text_[pos_] != '"') {
                        if (text_[pos_] == '\\') {
                            if (pos_ + 1 >= text_.size()) return set_error(pos_);
                            ++pos_;
                        }
                        // No control characters, escaped or not (RFC 7230 §3.2.6 quoted-pair).
                        if (static_cast<unsigned char>(text_[pos_]) < 0x20) return set_error(pos_);
                        ++pos_;
                    }
                    if (pos_ == text_.size()) return set_error(pos_);
                    ++pos_;
                } else {
                    const std::size_t v = pos_;
                    while (pos_ < text_.size() && detail::is_ptoken_char(text_[pos_])) ++pos_;
                    if (pos_ == v) return set_error(pos_);
                }
            }
            skip_ws();
        }
        std::string_view params = slice(text_, params_start, pos_ - params_start);
        while (!params.empty() && detail::is_ws(params.back())) params.remove_suffix(1);
        return std::optional<link_entry>{link_entry{uri, params}};
    }

    /** Byte offset of the cursor (for error reporting by callers). */
    [[nodiscard]] constexpr std::size_t offset() const noexcept { return pos_; }

private:
    constexpr void skip_ws() noexcept {
        while (pos_ < text_.size() && detail::is_ws(text_[pos_])) ++pos_;
    }
    constexpr result<std::optional<link_entry>> set_error(std::size_t at) noexcept {
        error_ = error{errc::invalid_link_format, at};
        return unexpected{*error_};
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    bool first_ = true;
    std::optional<error> error_{};
};

/** Copies a quoted value without its `\` escapes into `out`. Errors: `buffer_too_small`. */
[[nodiscard]] constexpr result<std::size_t> unescape_quoted(std::string_view v, std::span<char> out) noexcept {
    std::size_t o = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        if (o < out.size()) out[o] = v[i];
        ++o;
    }
    if (o > out.size()) return fail(errc::buffer_too_small, o);
    return o;
}

} // namespace lwm2m::format::link
