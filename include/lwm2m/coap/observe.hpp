#pragma once
/**
 * @file observe.hpp
 * Observe option values and the notification freshness rule (RFC 7641 §2, §3.4, §4.4).
 */

#include <chrono>
#include <cstdint>

namespace lwm2m::coap {

/** Observe value in a GET that registers an observation (RFC 7641 §2). */
inline constexpr std::uint32_t observe_register = 0;
/** Observe value in a GET that cancels an observation (RFC 7641 §3.6). */
inline constexpr std::uint32_t observe_deregister = 1;
/** Notification sequence numbers are 24-bit (RFC 7641 §4.4). */
inline constexpr std::uint32_t observe_sequence_modulus = 1u << 24;

/**
 * RFC 7641 §3.4: is notification (V2 received at T2) newer than (V1 received at T1)?
 * True if V1 < V2 < V1 + 2^23 in 24-bit serial arithmetic, or if more than 128 seconds
 * passed between the two (`t2_minus_t1`), after which the sequence numbers may have wrapped.
 */
template <class Rep, class Period>
[[nodiscard]] constexpr bool is_newer_notification(std::uint32_t v1, std::uint32_t v2,
                                                   std::chrono::duration<Rep, Period> t2_minus_t1) noexcept {
    constexpr std::uint32_t half = 1u << 23;
    if ((v1 < v2 && v2 - v1 < half) || (v1 > v2 && v1 - v2 > half)) return true;
    return t2_minus_t1 > std::chrono::seconds(128);
}

/**
 * Sender-side notification numbering: strictly increasing mod 2^24 (RFC 7641 §4.4).
 * Starts after 0/1 so the first notification never looks like a (de)registration value.
 */
class observe_sequence {
public:
    constexpr explicit observe_sequence(std::uint32_t start = 2) noexcept : next_(start % observe_sequence_modulus) {}
    /** The value for the next notification. */
    [[nodiscard]] constexpr std::uint32_t next() noexcept {
        const std::uint32_t v = next_;
        next_ = (next_ + 1) % observe_sequence_modulus;
        return v;
    }

private:
    std::uint32_t next_;
};

} // namespace lwm2m::coap
