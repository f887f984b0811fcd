#pragma once
/**
 * @file token.hpp
 * Tokens and message IDs from an injected random source (RFC 7252 §5.3.1, §4.4).
 *
 * The engines never own a random generator: the application passes one that satisfies
 * `random_source` (on a device, its hardware RNG; in tests, a seeded PRNG). RFC 7252
 * §5.3.1 asks for tokens that are hard to guess when not protected by DTLS, so production
 * code should inject a cryptographic source. Allocation: none.
 */

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>

namespace lwm2m::coap {

/** Anything callable that returns 32 random bits. */
template <class R>
concept random_source = requires(R& r) {
    { r() } -> std::convertible_to<std::uint32_t>;
};

/** A token of 0..8 bytes, stored inline. */
class token {
public:
    constexpr token() noexcept = default;
    /** Copies `bytes`. Precondition: at most 8 bytes. */
    constexpr explicit token(bytes_view bytes) noexcept : size_(static_cast<std::uint8_t>(bytes.size())) {
        LWM2M_ASSERT(bytes.size() <= config::coap_max_token_length);
        for (std::size_t i = 0; i < size_; ++i) bytes_[i] = bytes[i];
    }
    [[nodiscard]] constexpr bytes_view view() const noexcept { return {bytes_.data(), size_}; }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
    [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }

    friend constexpr bool operator==(const token& a, const token& b) noexcept {
        if (a.size_ != b.size_) return false;
        for (std::size_t i = 0; i < a.size_; ++i)
            if (a.bytes_[i] != b.bytes_[i]) return false;
        return true;
    }

private:
    std::array<std::byte, 8> bytes_{};
    std::uint8_t size_ = 0;
};

/** A fresh random token of `length` (1..8, default 8) bytes. */
template <random_source R>
[[nodiscard]] constexpr token make_token(R& random, std::size_t length = 8) noexcept {
    LWM2M_ASSERT(length <= config::coap_max_token_length);
    std::array<std::byte, 8> b{};
    for (std::size_t i = 0; i < length; i += 4) {
        const auto r = static_cast<std::uint32_t>(random());
        for (std::size_t k = 0; k < 4 && i + k < length; ++k) b[i + k] = static_cast<std::byte>(r >> (8 * k));
    }
    return token{bytes_view{b.data(), length}};
}

/**
 * Message-ID sequence for one endpoint: starts at a random value and increments
 * (RFC 7252 §4.4 recommends a randomised start so IDs are not reused across reboots).
 */
class message_id_sequence {
public:
    constexpr explicit message_id_sequence(std::uint16_t first) noexcept : next_(first) {}
    template <random_source R>
    [[nodiscard]] static constexpr message_id_sequence seeded(R& random) noexcept {
        return message_id_sequence{static_cast<std::uint16_t>(random())};
    }
    /** The next ID (wraps at 65535). */
    [[nodiscard]] constexpr std::uint16_t next() noexcept { return next_++; }

private:
    std::uint16_t next_;
};

} // namespace lwm2m::coap
