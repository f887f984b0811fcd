#pragma once
/**
 * @file option.hpp
 * `option_view`: one option of a parsed message, its number and a view of its value,
 * with typed access by the formats of RFC 7252 §3.2.
 */

#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::coap {

/** One option: its number and raw value bytes (a view into the datagram). */
struct option_view {
    option_number number{};
    bytes_view value{};

    /** The value as text (string format; no UTF-8 validation here). */
    [[nodiscard]] std::string_view as_string() const noexcept { return as_chars(value); }

    /**
     * The value as a uint (RFC 7252 §3.2: big-endian, leading zeros allowed on input,
     * 0..4 bytes). Errors: `invalid_uint_option` when longer than 4 bytes.
     */
    [[nodiscard]] constexpr result<std::uint32_t> as_uint() const noexcept {
        if (value.size() > 4) return fail(errc::invalid_uint_option);
        return static_cast<std::uint32_t>(load_be(value));
    }

    /** Length of the value in bytes. */
    [[nodiscard]] constexpr std::size_t size() const noexcept { return value.size(); }
};

} // namespace lwm2m::coap
