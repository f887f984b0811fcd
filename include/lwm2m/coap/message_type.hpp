#pragma once
/**
 * @file message_type.hpp
 * The four CoAP message types (RFC 7252 §3, §4).
 */

#include <cstdint>
#include <string_view>

namespace lwm2m::coap {

/** CoAP message type, the 2-bit T field of the header (RFC 7252 §3). */
enum class message_type : std::uint8_t {
    confirmable = 0,      ///< CON: needs an ACK or RST (§4.2)
    non_confirmable = 1,  ///< NON: no acknowledgement (§4.3)
    acknowledgement = 2,  ///< ACK: acknowledges a CON, may piggyback a response (§4.2)
    reset = 3,            ///< RST: the CON/NON could not be processed (§4.2, §4.3)
};

/** Short name as used by tools and logs: "CON", "NON", "ACK" or "RST". Allocation: none. */
[[nodiscard]] constexpr std::string_view name(message_type t) noexcept {
    constexpr std::string_view names[] = {"CON", "NON", "ACK", "RST"};
    return names[static_cast<std::uint8_t>(t) & 3];
}

} // namespace lwm2m::coap
