#pragma once
/**
 * @file content_format.hpp
 * CoAP Content-Format numbers LwM2M uses (RFC 7252 §12.3, RFC 8428 §12, OMA LwM2M
 * registry), and which are legacy aliases.
 */

#include <cstdint>
#include <optional>
#include <string_view>

namespace lwm2m::format {

/** Content-Format numbers. Any uint16 is a valid value; enumerators name the ones LwM2M uses. */
enum class content_format : std::uint16_t {
    text = 0,             ///< text/plain;charset=utf-8
    link_format = 40,     ///< application/link-format (RFC 6690)
    opaque = 42,          ///< application/octet-stream
    cbor = 60,            ///< application/cbor
    senml_json = 110,     ///< application/senml+json (RFC 8428)
    senml_cbor = 112,     ///< application/senml+cbor (RFC 8428)
    tlv_legacy = 1542,    ///< pre-IANA TLV number; accepted on input only
    json_legacy = 1543,   ///< pre-IANA OMA JSON number; accepted on input only
    tlv = 11542,          ///< application/vnd.oma.lwm2m+tlv
    oma_json = 11543,     ///< application/vnd.oma.lwm2m+json (LwM2M 1.0 JSON)
    lwm2m_cbor = 11544,   ///< application/vnd.oma.lwm2m+cbor (LwM2M 1.2)
};

/** Maps legacy input numbers to the current ones (1542 → 11542, 1543 → 11543). */
[[nodiscard]] constexpr content_format canonical(content_format f) noexcept {
    if (f == content_format::tlv_legacy) return content_format::tlv;
    if (f == content_format::json_legacy) return content_format::oma_json;
    return f;
}

/** Short name used by the CLI and the example server: "text", "tlv", "senml-json", ... */
[[nodiscard]] constexpr std::string_view name(content_format f) noexcept {
    switch (canonical(f)) {
    case content_format::text: return "text";
    case content_format::link_format: return "link";
    case content_format::opaque: return "opaque";
    case content_format::cbor: return "cbor";
    case content_format::senml_json: return "senml-json";
    case content_format::senml_cbor: return "senml-cbor";
    case content_format::tlv: return "tlv";
    case content_format::oma_json: return "oma-json";
    case content_format::lwm2m_cbor: return "lwm2m-cbor";
    default: return {};
    }
}

/** The content format with short name `n`, if any. */
[[nodiscard]] constexpr std::optional<content_format> content_format_from_name(std::string_view n) noexcept {
    constexpr content_format all[] = {content_format::text, content_format::link_format, content_format::opaque,
                                      content_format::cbor, content_format::senml_json, content_format::senml_cbor,
                                      content_format::tlv, content_format::oma_json, content_format::lwm2m_cbor};
    for (content_format f : all)
        if (name(f) == n) return f;
    return std::nullopt;
}

} // namespace lwm2m::format
