#pragma once
/**
 * @file client/response_code.hpp
 * How the client engine turns an `lwm2m::errc` (from a format reader, a path parser or a
 * user object hook) into the CoAP response code of a Device Management operation
 * (LwM2M 1.1 Core §6.3 / 1.0 §5.4 operation tables; RFC 7252 §5.9). Allocation: none.
 */

#include <lwm2m/coap/code.hpp>
#include <lwm2m/errc.hpp>

namespace lwm2m::client {

/**
 * The response code for a failed DM operation:
 * - 4.04 Not Found: `not_found`, `resource_not_in_schema`, `object_not_in_schema`;
 * - 4.05 Method Not Allowed: `operation_not_allowed` (Write on a read-only resource, Execute
 *   on a value resource, Create/Delete on an object without those hooks...);
 * - 4.01 Unauthorized: `not_authorized` (e.g. the Security object for a DM server);
 * - 4.13 Request Entity Too Large: `request_entity_too_large`, `buffer_too_small` on input;
 * - 4.15 Unsupported Content-Format: `unsupported_content_format`;
 * - 4.08 Request Entity Incomplete: `request_entity_incomplete`;
 * - 5.00 Internal Server Error: `capacity_exceeded` (an engine capacity is too small for the
 *   answer) and `timeout`/`cancelled`;
 * - 4.00 Bad Request: everything else (malformed payload, path or query, a value of the wrong
 *   type or out of range, `instance_exists`, `missing_mandatory_resource`).
 */
[[nodiscard]] constexpr coap::code response_code(errc e) noexcept {
    switch (e) {
    case errc::not_found:
    case errc::resource_not_in_schema:
    case errc::object_not_in_schema: return coap::code::not_found;
    case errc::operation_not_allowed: return coap::code::method_not_allowed;
    case errc::not_authorized: return coap::code::unauthorized;
    case errc::request_entity_too_large: return coap::code::request_entity_too_large;
    case errc::unsupported_content_format: return coap::code::unsupported_content_format;
    case errc::request_entity_incomplete: return coap::code::request_entity_incomplete;
    case errc::capacity_exceeded:
    case errc::buffer_too_small:
    case errc::timeout:
    case errc::cancelled:
    case errc::value_changed: return coap::code::internal_server_error;
    default: return coap::code::bad_request;
    }
}

} // namespace lwm2m::client
