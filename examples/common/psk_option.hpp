#pragma once
// The `--psk [EP=]IDENTITY:KEY` / `--psk-hex [EP=]IDENTITY:HEX` option of the example servers
// (lwm2m-server, lwm2m-bootstrap-server): the pre-shared keys their DTLS port takes
// (transport/dtls_openssl.hpp), each for the one endpoint name that may use it.
// Without OpenSSL (LWM2M_HAVE_OPENSSL unset) only the table and its lookups are here.
// Example code: uses the standard library freely.

#if LWM2M_HAVE_OPENSSL
#include <lwm2m/transport/dtls_openssl.hpp>
#endif

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m_examples {

struct psk_entry {
    std::string endpoint;  ///< the one endpoint name these credentials may serve (default: the identity)
    std::string identity;
    std::vector<std::byte> key;
};

#if LWM2M_HAVE_OPENSSL
/** `[EP=]IDENTITY:KEY` with KEY as text, or as hex digits when `hex`; nullopt when malformed. */
inline std::optional<psk_entry> parse_psk_option(std::string_view v, bool hex) {
    const auto colon = v.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon + 1 == v.size()) return std::nullopt;
    std::string_view identity = v.substr(0, colon);
    std::string_view endpoint = identity;
    if (const auto eq = identity.find('='); eq != std::string_view::npos) {
        endpoint = identity.substr(0, eq);
        identity.remove_prefix(eq + 1);
        if (endpoint.empty() || identity.empty()) return std::nullopt;
    }
    const std::string_view key = v.substr(colon + 1);
    auto bytes = hex ? lwm2m::transport::psk_key_from_hex(key) : std::optional{lwm2m::transport::psk_key_from_text(key)};
    if (!bytes) return std::nullopt;
    return psk_entry{std::string(endpoint), std::string(identity), std::move(*bytes)};
}
#endif

/** The key of `identity` among `psks` (what the DTLS server asks in its handshake), or nullopt. */
inline std::optional<std::vector<std::byte>> psk_key_of(const std::vector<psk_entry>& psks, std::string_view identity) {
    for (const auto& p : psks)
        if (p.identity == identity) return p.key;
    return std::nullopt;
}

/** True when `identity` may act for `endpoint`. */
inline bool psk_allows(const std::vector<psk_entry>& psks, std::string_view identity, std::string_view endpoint) {
    for (const auto& p : psks)
        if (p.identity == identity && p.endpoint == endpoint) return true;
    return false;
}

} // namespace lwm2m_examples
