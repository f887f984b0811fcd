#pragma once
/**
 * @file errc.hpp
 * The one error vocabulary of the toolkit: every fallible operation reports one of these.
 *
 * Enumerators are grouped by layer. Each says when it is returned. `name(errc)` gives the
 * stable snake_case spelling used by the CLI (`error: <name> at offset <n>`) and logs.
 * Values are stable within a major version; new codes are only appended to a group's range.
 */

#include <cstdint>
#include <string_view>

namespace lwm2m {

// X-macro keeps the enumerator list and the name table in one place so they cannot drift.
// Columns: enumerator, one-line meaning.
#define LWM2M_ERRC_LIST(X)                                                                         \
    /* ---- general ---- */                                                                        \
    X(buffer_too_small, "the output buffer is smaller than needed; the error's offset is the size needed") \
    X(capacity_exceeded, "a fixed capacity (template parameter) is full")                           \
    X(invalid_argument, "an argument is outside the values the API accepts")                       \
    X(not_found, "the requested item does not exist")                                              \
    /* ---- coap: message format, RFC 7252 §3 ---- */                                              \
    X(message_too_short, "fewer than the 4 header bytes of RFC 7252 §3")                          \
    X(unsupported_version, "the Ver field is not 1 (RFC 7252 §3)")                                 \
    X(invalid_token_length, "TKL is 9..15, reserved by RFC 7252 §3")                               \
    X(truncated_token, "the datagram ends inside the token")                                       \
    X(reserved_code_class, "the code class is 1, 6 or 7, reserved by RFC 7252 §12.1")              \
    X(empty_message_not_empty, "a 0.00 Empty message carries a token, options or payload (RFC 7252 §4.1)") \
    X(reset_not_empty, "a Reset message carries a request or response (RFC 7252 §4.2)")            \
    X(ack_carries_request, "an Acknowledgement carries a request code (RFC 7252 §4.2)")            \
    X(non_confirmable_empty, "a Non-confirmable message has code 0.00 (RFC 7252 §4.3)")            \
    X(reserved_option_delta, "option delta nibble 15 outside the payload marker (RFC 7252 §3.1)")  \
    X(reserved_option_length, "option length nibble 15 (RFC 7252 §3.1)")                          \
    X(truncated_option, "the datagram ends inside an option header or its extended bytes")         \
    X(truncated_option_value, "the datagram ends inside an option value")                          \
    X(option_number_overflow, "the accumulated option number exceeds 65535")                       \
    X(empty_payload_after_marker, "a payload marker 0xFF is followed by no payload (RFC 7252 §3)") \
    X(invalid_option_length, "a known option's value length is outside its RFC range (RFC 7252 §5.4.3)") \
    X(unrecognized_critical_option, "a critical option the receiver does not know (RFC 7252 §5.4.1, answer 4.02)") \
    X(options_out_of_order, "option numbers given to a low-level writer are not ascending")       \
    X(header_not_first, "a low-level writer got options or a payload before its header, or two headers") \
    X(option_value_too_long, "an option value is longer than the encoding allows (65804 bytes)")  \
    X(invalid_uint_option, "a uint option value is longer than 4 bytes")                           \
    X(invalid_block_option, "a Block1/Block2 value has SZX 7 or more than 3 bytes (RFC 7959 §2.2)") \
    X(invalid_observe_option, "an Observe value is longer than 3 bytes (RFC 7641 §2)")             \
    /* ---- path: LwM2M addressing ---- */                                                         \
    X(path_syntax, "a path is not of the form /o/i/r/ri (missing leading '/', empty or stray segment)") \
    X(path_invalid_number, "a path segment is not a canonical decimal number")                     \
    X(path_id_out_of_range, "a path id is larger than 65534 (65535 is reserved)")                  \
    X(path_too_deep, "a path has more than four levels")                                          \
    X(path_wrong_level, "the path does not address the level the operation needs")                \
    X(path_root_mismatch, "the Uri-Path does not start with the expected alternate root")         \
    /* ---- format: content formats and values ---- */                                             \
    X(unsupported_content_format, "no codec for the content format number (answer 4.15 / 4.06)")  \
    X(truncated_value, "the payload ends inside a value or record")                                \
    X(length_exceeds_payload, "a declared length is larger than the rest of the payload")          \
    X(invalid_nesting, "nesting the format or the schema forbids (e.g. TLV instance inside resource)") \
    X(type_mismatch, "a value's encoding does not match the data type the schema gives")           \
    X(resource_not_in_schema, "a resource id that the object's schema does not define")            \
    X(object_not_in_schema, "an object id for which no schema is known")                          \
    X(invalid_integer_length, "an integer value of a length other than 1, 2, 4 or 8 bytes")        \
    X(invalid_float_length, "a float value of a length other than 4 or 8 bytes")                   \
    X(invalid_boolean, "a boolean that is not 0 or 1")                                             \
    X(invalid_objlnk, "an object link that is not ObjID:InstID (or not 4 bytes in TLV)")           \
    X(invalid_number, "text that is not a number of the expected type")                           \
    X(number_out_of_range, "a number that does not fit the data type or the schema range")        \
    X(invalid_base64, "bad base64 / base64url text")                                               \
    X(invalid_utf8, "a string that is not valid UTF-8")                                            \
    X(invalid_json, "JSON syntax error")                                                           \
    X(invalid_cbor, "CBOR encoding error or a CBOR item not allowed here")                         \
    X(invalid_link_format, "CoRE link-format syntax error (RFC 6690 §2)")                          \
    X(invalid_senml, "a SenML record breaks RFC 8428 (no name, no value, bad label type)")         \
    X(unknown_mandatory_label, "a SenML label ending in '_' that the reader does not know (RFC 8428 §4.4)") \
    X(duplicate_entry, "the same path or label appears twice where only one is allowed")          \
    X(not_resource_instance_level, "a value was read at a level that cannot hold one")             \
    X(indefinite_string_not_supported, "an indefinite-length CBOR string (RFC 8949 §3.2.3) in a build that leaves them out (LWM2M_CBOR_INDEFINITE_STRINGS=0)") \
    X(json_escapes_not_supported, "a value holding JSON escapes (text_encoding::json_escaped) decoded in a build that leaves them out (LWM2M_JSON_ESCAPED_VALUES=0)") \
    X(float_not_supported, "a Float value, or a number only a Float holds, in a build that leaves them out (LWM2M_FLOAT_VALUES=0)") \
    X(base64_not_supported, "a value in base64 text (Opaque in plain text, SenML JSON vd) in a build that leaves it out (LWM2M_BASE64_VALUES=0)") \
    /* ---- model: schemas and instances ---- */                                                   \
    X(operation_not_allowed, "the schema does not allow this operation on the target (4.05)")     \
    X(not_authorized, "the access control list denies the operation (4.01)")                      \
    X(instance_exists, "creating an instance whose id is taken")                                  \
    X(missing_mandatory_resource, "a create or replace lacks a mandatory resource")                \
    /* ---- exchange / engines ---- */                                                             \
    X(timeout, "no response after the last retransmission (RFC 7252 §4.2)")                       \
    X(reset_received, "the peer answered with Reset")                                              \
    X(unexpected_response, "a response that matches no pending request")                          \
    X(request_entity_incomplete, "block-wise transfer out of order or incomplete (RFC 7959, 4.08)") \
    X(request_entity_too_large, "the body exceeds what the receiver can hold (4.13)")             \
    X(not_registered, "the endpoint is not (or no longer) registered")                            \
    X(send_muted, "Send to this server is muted by its Mute Send resource /1/x/23 (LwM2M 1.1 Core E.2)") \
    X(cancelled, "the operation was cancelled by the application or by deregistration")          \
    X(no_request_slot, "every request slot of the engine is in use; retry when one completes")    \
    X(no_observation_slot, "every observation slot of the engine is in use")                       \
    X(held_queue_full, "queue mode: the most requests the engine holds for sleeping clients wait already") \
    X(value_changed, "a value changed size between the measuring and the writing walk of a streamed read (answered 5.00)") \
    X(rejected_by_peer, "the peer answered with an error code, or a success code other than the operation's (the code is reported with it)") \
    /* ---- transport security (opt-in adapters) ---- */                                          \
    X(dtls_failure, "the DTLS session failed: handshake rejected (wrong PSK or identity, no common cipher suite) or a fatal alert (RFC 6347)") \
    X(dtls_handshake_pending, "application data before the DTLS handshake completed: hold it and retry")

/** Every error the toolkit reports. */
enum class errc : std::uint8_t {
#define LWM2M_ERRC_ENUMERATOR(id, doc) id,
    LWM2M_ERRC_LIST(LWM2M_ERRC_ENUMERATOR)
#undef LWM2M_ERRC_ENUMERATOR
};

namespace detail {
inline constexpr std::string_view errc_names[] = {
#define LWM2M_ERRC_NAME(id, doc) #id,
    LWM2M_ERRC_LIST(LWM2M_ERRC_NAME)
#undef LWM2M_ERRC_NAME
};
inline constexpr std::string_view errc_docs[] = {
#define LWM2M_ERRC_DOC(id, doc) doc,
    LWM2M_ERRC_LIST(LWM2M_ERRC_DOC)
#undef LWM2M_ERRC_DOC
};
} // namespace detail

/** Number of `errc` enumerators (for tables and tests). */
inline constexpr std::size_t errc_count = std::size(detail::errc_names);

/** Stable snake_case name of an error, e.g. "truncated_option". Allocation: none. */
[[nodiscard]] constexpr std::string_view name(errc e) noexcept {
    auto i = static_cast<std::size_t>(e);
    return i < errc_count ? detail::errc_names[i] : std::string_view{"unknown_error"};
}

/** One-line description of when the error is returned. Allocation: none. */
[[nodiscard]] constexpr std::string_view description(errc e) noexcept {
    auto i = static_cast<std::size_t>(e);
    return i < errc_count ? detail::errc_docs[i] : std::string_view{"unknown error"};
}

} // namespace lwm2m
