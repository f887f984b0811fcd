#pragma once
/**
 * @file response.hpp
 * `response`: what a request handler fills in — code, options and payload — while the
 * endpoint supplies type, Message ID and token (RFC 7252 §5.2: piggybacked in the ACK for a
 * CON request, a NON for a NON request). The payload is written through an `output_window`
 * over the endpoint's scratch space, so a Block2 window can be served directly.
 * Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/format/output_window.hpp>

namespace lwm2m::exchange {

/**
 * The ETag of a body served block by block: 4 bytes of its fingerprint, the same in every
 * block and in the first block of a notification, different once the body changes (RFC 7959
 * §2.4; RFC 7641 §3.4 for notifications).
 */
using block_etag = std::array<std::byte, 4>;

[[nodiscard]] constexpr block_etag block_etag_of(const format::output_window& body) noexcept {
    const std::uint64_t f = body.fingerprint();
    return {std::byte(f >> 24), std::byte(f >> 16), std::byte(f >> 8), std::byte(f)};
}

class response {
public:
    /** Options a handler may add to one response. */
    static constexpr std::size_t max_options = 12;
    /** Bytes of option text a handler may ask the response to keep (Location-Path...). */
    static constexpr std::size_t text_capacity = 96;

    [[gnu::noinline]] constexpr explicit response(mutable_bytes payload_scratch, std::size_t skip = 0) noexcept
        : body_(payload_scratch, skip), scratch_(payload_scratch) {
        builder_.code(coap::code::content);
    }
    response(const response&) = delete;
    response& operator=(const response&) = delete;

    /** Sets the response code (default 2.05 Content). */
    constexpr response& code(coap::code c) noexcept { code_ = c; builder_.code(c); return *this; }
    [[nodiscard]] constexpr coap::code code() const noexcept { return code_; }
    /** Options: content_format, block2, observe, location_path (use `keep` for its text). */
    [[nodiscard]] constexpr coap::message_builder_base& options() noexcept { return builder_; }
    /** The payload sink. */
    [[nodiscard]] constexpr format::output_window& body() noexcept { return body_; }
    /** Restarts the body as a window starting at `skip` (for Block2 block NUM). */
    constexpr void reset_body(std::size_t skip) noexcept { body_ = format::output_window{scratch_, skip}; }

    /**
     * Copies option text into the response so it outlives the handler's locals.
     * Returns an empty view if the text space is exhausted (the option is then wrong:
     * keep option text short).
     */
    std::string_view keep(std::string_view text) noexcept {
        if (text_.size() - text_used_ < text.size()) return {};
        char* dst = text_.data() + text_used_;
        for (std::size_t i = 0; i < text.size(); ++i) dst[i] = text[i];
        text_used_ += text.size();
        return {dst, text.size()};
    }

    /** Internal: the builder the endpoint completes and serializes. */
    [[nodiscard]] constexpr coap::message_builder_base& builder() noexcept { return builder_; }

private:
    coap::message_builder<max_options> builder_{};
    format::output_window body_;
    mutable_bytes scratch_;
    std::array<char, text_capacity> text_;  // not cleared: `keep` hands out only what it wrote
    std::size_t text_used_ = 0;
    coap::code code_ = coap::code::content;
};

} // namespace lwm2m::exchange
