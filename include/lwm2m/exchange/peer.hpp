#pragma once
/**
 * @file peer.hpp
 * `peer_id`: the engines' handle for a remote endpoint. The adapter that owns the sockets
 * (and, with DTLS, the sessions) maps its addresses to these small integers, so the engines
 * never see an address type or an OS header.
 */

#include <cstddef>
#include <cstdint>
#include <span>

namespace lwm2m::exchange {

/** An adapter-assigned handle for one remote endpoint (address, and DTLS identity if any). */
struct peer_id {
    std::uint32_t value = 0;
    friend constexpr bool operator==(peer_id, peer_id) noexcept = default;
};

/** An outgoing datagram ready to send: to whom and how many bytes of the caller's buffer. */
struct transmit {
    peer_id peer{};
    std::size_t size = 0;
};

/** An outgoing datagram the engine lends: to whom, and its bytes (see `poll_datagram`). */
struct datagram {
    peer_id peer{};
    std::span<const std::byte> bytes{};
};

} // namespace lwm2m::exchange
