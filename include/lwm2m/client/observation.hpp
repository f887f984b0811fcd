#pragma once
/**
 * @file client/observation.hpp
 * One Observe relationship the client holds for a server (RFC 7641 §2-§4, LwM2M 1.1 Core
 * §6.4.1) and the threshold rule of the notification attributes (§5.1.2). The engine keeps a
 * fixed array of these and decides when to notify:
 * - never earlier than pmin after the last notification (the server's /1/x/2 default, else 0);
 * - once pmin has passed, when a value under the target changed (`engine::value_changed`, or
 *   a Write by a server) and, if gt/lt/st are attached to a numeric single-value target, when
 *   the new value crossed gt or lt or moved by at least st since the last notification;
 * - always when pmax (the /1/x/3 default, else none; ignored when below pmin) has passed;
 * - confirmable when configured, and at least once every 24 h (RFC 7641 §4.5), else NON;
 *   a Reset or an unacknowledged CON notification ends the observation.
 * Allocation: none.
 */

#include <cstdint>
#include <optional>

#include <lwm2m/coap/token.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/endpoint.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/model/attributes.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m::client {

/** One observation: who observes what, in which format, and its notification state. */
struct observation {
    bool used = false;
    exchange::peer_id peer{};
    coap::token token{};
    path target{};
    std::uint16_t ssid = 0;
    format::content_format format = format::content_format::tlv;
    time_point last_sent{};
    time_point last_confirmable{};
    bool changed = false;
    std::optional<double> last_numeric{};
    exchange::request_handle in_flight{};
    exchange::request_handle last_handle{};
};

/** Thresholds gt/lt/st of LwM2M 1.1 Core §5.1.2: crossing gt or lt, or moving by st. */
[[nodiscard]] constexpr bool thresholds_met(const notification_attributes& a, std::optional<double> last, double now_value) noexcept {
    if (!last) return true;
    if (a.gt && ((*last <= *a.gt) != (now_value <= *a.gt))) return true;
    if (a.lt && ((*last < *a.lt) != (now_value < *a.lt))) return true;
    if (a.st && (now_value - *last >= *a.st || *last - now_value >= *a.st)) return true;
    return false;
}

} // namespace lwm2m::client
