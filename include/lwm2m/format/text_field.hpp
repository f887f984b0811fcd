#pragma once
/**
 * @file format/text_field.hpp
 * `detail::text_field`: a text value where it sits in the payload (JSON string contents that
 * may still hold escapes, or CBOR text), and `detail::for_each_char` over its decoded
 * characters. Shared by the SenML and OMA JSON readers so that a value is decoded only when
 * it is used. Allocation: none.
 */

#include <cstddef>
#include <string_view>

#include <lwm2m/encoding/json_string.hpp>

namespace lwm2m::format::detail {

/** A text field as it appears in the payload: JSON string contents (maybe escaped) or CBOR text. */
struct text_field {
    std::string_view text{}; ///< the payload bytes of the text (JSON: between the quotes)
    bool escaped = false;    ///< JSON backslash escapes present (already validated by the tokenizer)
    std::size_t offset = 0;  ///< offset of the value token (JSON: its opening quote)
};

/** Calls `put(char)` for each decoded character of a validated text field. Allocation: none. */
template <class Put>
constexpr void for_each_char(const text_field& f, Put&& put) {
    if (!f.escaped) {
        for (const char c : f.text) put(c);
        return;
    }
    // The tokenizer validated the escapes, so this cannot fail.
    (void)encoding::json_unescape_each(f.text, [&](std::byte b) { put(static_cast<char>(b)); });
}

} // namespace lwm2m::format::detail
