#pragma once
/**
 * @file writer.hpp
 * CoRE Link Format writer (RFC 6690 §2): appends `<uri>;attr=value` entries separated by
 * "," into an `output_window`, so Discover responses of any size can be served block by
 * block. Allocation: none.
 */

#include <cstdint>
#include <string_view>

#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m::format::link {

class writer {
public:
    constexpr explicit writer(output_window& out) noexcept : out_(&out) {}

    /** Starts a link to `uri` (written between angle brackets as given). */
    void begin(std::string_view uri) noexcept {
        if (!first_) out_->put(',');
        first_ = false;
        out_->put('<');
        out_->put(uri);
        out_->put('>');
    }
    /**
     * Starts a link to an LwM2M path, optionally under an alternate root such as "/lwm2m" (the
     * root path under an alternate root is the root itself: `</lwm2m>`, as in Register payloads).
     */
    void begin(const lwm2m::path& p, std::string_view root = {}) noexcept {
        if (!first_) out_->put(',');
        first_ = false;
        out_->put('<');
        out_->put(root);
        if (!p.is_root() || root.empty()) out_->put(p.text().view());
        out_->put('>');
    }
    /** `;name` (a parameter without value). */
    void attribute(std::string_view name) noexcept {
        out_->put(';');
        out_->put(name);
    }
    /** `;name=token` (precondition: `token` is a valid ptoken, e.g. "1.1"). */
    void attribute(std::string_view name, std::string_view token) noexcept {
        attribute(name);
        out_->put('=');
        out_->put(token);
    }
    /** `;name=123`. */
    void attribute(std::string_view name, std::uint64_t number) noexcept {
        char buf[encoding::max_number_text];
        const auto n = encoding::format_number(number, buf);
        attribute(name, std::string_view{buf, n ? *n : 0});
    }
    /**
     * `;name=1.5`: the shortest round-trip digits, without an exponent up to 64 characters
     * (`encoding::format_number_plain`: Leshan's attribute parser reads no exponent);
     * non-finite values are skipped.
     */
    void attribute(std::string_view name, double number) noexcept {
        char buf[64];
        const auto n = encoding::format_number_plain(number, buf);
        if (n) attribute(name, std::string_view{buf, *n});
    }
    /**
     * `;name="text"` with `"` and `\` escaped (RFC 6690 quoted-string). Precondition: `text` has
     * no control characters (U+0000..U+001F), which a quoted-string cannot carry.
     */
    void quoted_attribute(std::string_view name, std::string_view text) noexcept {
        attribute(name);
        out_->put('=');
        out_->put('"');
        for (char c : text) {
            if (c == '"' || c == '\\') out_->put('\\');
            out_->put(c);
        }
        out_->put('"');
    }

private:
    output_window* out_;
    bool first_ = true;
};

} // namespace lwm2m::format::link
