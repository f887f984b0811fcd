#pragma once
/**
 * @file bootstrap/events.hpp
 * What a Bootstrap-Server engine tells its application, and what it asks of it: the
 * `bootstrap_handler` concept. Each Bootstrap-Request (Core §6.1.3) is shown to the handler,
 * which picks the endpoint's configuration (or none: the request is refused); each
 * operation's answer and the end of each session (finished, or failed and why) follow.
 * Views in the events are valid during the call only. Allocation: none.
 */

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bootstrap/configuration.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m::bootstrap {

/** Identifies one bootstrap session (one accepted Bootstrap-Request). Never 0. */
struct session_id {
    std::uint32_t value = 0;
    friend constexpr bool operator==(session_id, session_id) noexcept = default;
};

/** A valid Bootstrap-Request: `POST /bs?ep=NAME[&pct=CF]` (Core §6.1.3). */
struct bootstrap_request {
    exchange::peer_id peer{};
    std::string_view endpoint{};
    /** The client's Preferred Content Format (`pct`, LwM2M 1.1), if given. */
    std::optional<format::content_format> preferred_format{};
};

/** The answer to one operation of a session (Bootstrap-Finish included). */
struct operation_result {
    session_id session{};
    std::string_view endpoint{};
    std::size_t index = 0;  ///< of the step in the configuration; the number of steps for Finish
    operation op = operation::remove;
    lwm2m::path target{};
    /** The client's code; empty when no answer came (see `failure`). */
    coap::code code = coap::code::empty;
    /**
     * None when the code is the operation's success code (2.02 Delete, 2.04 Write/Finish,
     * 2.05 Discover/Read); `rejected_by_peer` for any other code; `timeout` /
     * `reset_received` when no answer came; an encoding error when a Write body could not be
     * written (nothing was sent).
     */
    std::optional<errc> failure{};
    /** Discover/Read: the body and its Content-Format (link-format for Discover). */
    std::optional<std::uint16_t> content_format{};
    bytes_view payload{};
};

/** The end of a session. */
struct session_end {
    session_id session{};
    std::string_view endpoint{};
    exchange::peer_id peer{};
    /** True when Bootstrap-Finish was answered 2.04. */
    bool success = false;
    /**
     * Why it failed: that of the failing `operation_result` (`rejected_by_peer` with `code`,
     * e.g. 4.06 to a Finish when the client finds the configuration inconsistent, Core
     * §6.1.8.1; `timeout`...), or `cancelled` when a new Bootstrap-Request of the same
     * endpoint replaced the session.
     */
    std::optional<errc> failure{};
    coap::code code = coap::code::empty;
    operation op = operation::finish;  ///< the operation that failed (or Finish)
    std::size_t index = 0;
};

/**
 * The application side of a Bootstrap-Server engine:
 * - `configuration_for(request)`: the configuration for this endpoint, or nullptr to refuse
 *   the request (answered 4.00 Bad Request, as Leshan's bootstrap server does for an
 *   endpoint it has no configuration for). The configuration must stay valid until the
 *   session ends.
 * - `on_operation(result)`: each operation's outcome, in order.
 * - `on_session_end(end)`: once per accepted request.
 */
template <class H>
concept bootstrap_handler = requires(H& h, const bootstrap_request& q, const operation_result& r, const session_end& e) {
    { h.configuration_for(q) } -> std::convertible_to<const configuration*>;
    { h.on_operation(r) } -> std::same_as<void>;
    { h.on_session_end(e) } -> std::same_as<void>;
};

} // namespace lwm2m::bootstrap
