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
#include <type_traits>

#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/model/value_bytes.hpp>

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
    auto each = [&](std::byte b) { put(static_cast<char>(b)); };
    if (std::is_constant_evaluated()) {
        (void)encoding::json_unescape_each(f.text, each);
        return;
    }
    // Through a byte_sink: one copy of the unescaping serves every `put` (and `copy_value_bytes`),
    // rare as escaped text is, instead of one inlined per caller.
    byte_sink sink{each};
    (void)encoding::json_unescape_each(f.text, sink);
}

} // namespace lwm2m::format::detail
