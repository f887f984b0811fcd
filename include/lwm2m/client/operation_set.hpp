#pragma once
/**
 * @file operation_set.hpp
 * `operation_set`: the optional device-management operations a client engine compiles in
 * (`client_limits::operations`). Read, Write, Execute, Write-Attributes (pmin, pmax, epmin,
 * epmax) and Observe are always there; an operation left out is answered as a client without it answers (4.05
 * Method Not Allowed, Discover 4.06 Not Acceptable) and its code is not linked, as a format
 * left out of `format_set` is not. Combine with `|`.
 */

#include <cstdint>

namespace lwm2m::client {

enum class operation_set : std::uint8_t {
    none = 0,
    create_delete = 1,  ///< Create (POST /O) and Delete (LwM2M 1.1 Core §6.3.6, §6.3.7)
    composite = 2,      ///< Read-, Write- and Observe-Composite: FETCH / iPATCH on / (§6.3.8, §6.3.9, §6.4.3)
    discover = 4,       ///< Discover: GET with Accept: application/link-format (§6.3.2)
    /// Client-Initiated Bootstrap (§6.1; 1.0 §5.2): Bootstrap-Request, then Bootstrap-Write,
    /// -Delete, -Discover, -Read and -Finish from the Bootstrap-Server, and the Security object
    bootstrap = 8,
    /// The threshold attributes gt, lt and st of Write-Attributes (§5.1.2) and the notifications
    /// they decide (a client without them answers a Write-Attributes setting one 4.00 Bad
    /// Request; pmin/pmax/epmin/epmax stay). Their numbers are doubles: left out, with no Float
    /// resource, a client links no decimal-to-double parsing (see LWM2M_FLOAT_VALUES).
    thresholds = 16,
    all = 31,
};

[[nodiscard]] constexpr operation_set operator|(operation_set a, operation_set b) noexcept {
    return static_cast<operation_set>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
/** True if `set` contains every operation of `o`. */
[[nodiscard]] constexpr bool contains(operation_set set, operation_set o) noexcept {
    return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(o)) == static_cast<std::uint8_t>(o);
}

} // namespace lwm2m::client
