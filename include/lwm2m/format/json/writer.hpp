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
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::json {

class writer {
public:
    constexpr explicit writer(output_window& out) noexcept : out_(&out) {}

    void begin_object() noexcept { separate(); out_->put('{'); need_comma_ = false; }
    void end_object() noexcept { out_->put('}'); need_comma_ = true; }
    void begin_array() noexcept { separate(); out_->put('['); need_comma_ = false; }
    void end_array() noexcept { out_->put(']'); need_comma_ = true; }

    /** An object member name (escaped as needed), followed by ':'. */
    void key(std::string_view k) noexcept {
        separate();
        quoted(as_bytes(k));
        out_->put(':');
        after_key_ = true;
    }
    /** A string value from UTF-8 text. */
    void string(std::string_view s) noexcept { string(as_bytes(s)); }
    void string(bytes_view utf8) noexcept { separate(); quoted(utf8); need_comma_ = true; }
    /**
     * A string whose contents the caller streams with `string_byte` after `begin_string`
     * and closes with `end_string` (lets writers transcode values without a buffer).
     */
    void begin_string() noexcept { separate(); out_->put('"'); }
    void string_bytes(bytes_view utf8) noexcept { encoding::json_escape_each(utf8, [&](char c) { out_->put(c); }); }
    void string_char(char c) noexcept { out_->put(c); }  // precondition: needs no escaping
    void end_string() noexcept { out_->put('"'); need_comma_ = true; }

    void number(std::int64_t v) noexcept { number_text(encoding::format_number(v, buf_)); }
    void number(std::uint64_t v) noexcept { number_text(encoding::format_number(v, buf_)); }
    /**
     * A finite double; NaN/inf have no JSON form and are written as null. An integral value
     * gets a ".0" (22.0 is written `22.0`, not `22`) so that readers which tell integer
     * literals from other numbers (SenML "v", OMA JSON) read a double back.
     */
    void number(double v) noexcept {
        auto n = encoding::format_number(v, buf_);
        if (!n) { null(); return; }
        std::size_t len = *n;
        bool integral = true;
        for (std::size_t i = 0; i < len; ++i)
            if (buf_[i] != '-' && (buf_[i] < '0' || buf_[i] > '9')) integral = false;
        if (integral && len + 2 <= sizeof(buf_)) {
            buf_[len++] = '.';
            buf_[len++] = '0';
        }
        number_text(result<std::size_t>{len});
    }
    void boolean(bool b) noexcept { separate(); out_->put(b ? std::string_view{"true"} : std::string_view{"false"}); need_comma_ = true; }
    void null() noexcept { separate(); out_->put(std::string_view{"null"}); need_comma_ = true; }

private:
    void separate() noexcept {
        if (after_key_) { after_key_ = false; return; }
        if (need_comma_) out_->put(',');
    }
    void quoted(bytes_view utf8) noexcept {
        out_->put('"');
        encoding::json_escape_each(utf8, [&](char c) { out_->put(c); });
        out_->put('"');
    }
    void number_text(const result<std::size_t>& n) noexcept {
        separate();
        out_->put(std::string_view{buf_, n ? *n : 0});
        need_comma_ = true;
    }

    output_window* out_;
    char buf_[encoding::max_number_text]{};
    bool need_comma_ = false;
    bool after_key_ = false;
};

} // namespace lwm2m::format::json
