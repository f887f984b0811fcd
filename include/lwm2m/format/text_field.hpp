#pragma once
/**
 * @file format/text_field.hpp
 * `detail::text_field`: a text value where it sits in the payload (JSON string contents that
 * may still hold escapes, CBOR text, maybe in chunks), and `detail::for_each_char` over its decoded
 * characters. Shared by the SenML and OMA JSON readers so that a value is decoded only when
 * it is used. Allocation: none.
 */

#include <cstddef>
#include <string_view>
#include <type_traits>

#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/model/value_bytes.hpp>

namespace lwm2m::format::detail {

/**
 * A text field as it appears in the payload: JSON string contents (maybe escaped), CBOR text,
 * or the chunks of an indefinite-length CBOR text (RFC 8949 §3.2.3).
 */
struct text_field {
    std::string_view text{};  ///< the payload bytes of the text (JSON: between the quotes)
    /// raw, json_escaped (validated by the tokenizer) or cbor_chunks (validated by the reader)
    text_encoding encoding = text_encoding::raw;
    std::size_t offset = 0;   ///< offset of the value token (JSON: its opening quote)

    /** A JSON string's contents, `escaped` when they hold backslash escapes. */
    [[nodiscard]] static constexpr text_field json(std::string_view text, bool escaped, std::size_t offset) noexcept {
        return text_field{text, escaped ? text_encoding::json_escaped : text_encoding::raw, offset};
    }
    /** True when the characters are not the payload bytes as they are (escapes, chunk heads). */
    [[nodiscard]] constexpr bool encoded() const noexcept { return encoding != text_encoding::raw; }
};

/** Calls `put(char)` for each decoded character of a validated text field. Allocation: none. */
template <class Put>
constexpr void for_each_char(const text_field& f, Put&& put) {
    if (!f.encoded()) {
        for (const char c : f.text) put(c);
        return;
    }
    // The reader validated the text, so this cannot fail.
    auto each = [&](std::byte b) { put(static_cast<char>(b)); };
    if (std::is_constant_evaluated()) {  // (chunks come from CBOR payloads, read at run time only)
        if (f.encoding == text_encoding::json_escaped) (void)encoding::json_unescape_each(f.text, each);
        return;
    }
    // Through a byte_sink: one copy of the decoding serves every `put` (and `copy_value_bytes`),
    // rare as encoded text is, instead of one inlined per caller.
    (void)lwm2m::detail::walk_encoded_value_bytes(value::of_string(f.text, f.encoding), byte_sink{each});
}

} // namespace lwm2m::format::detail
