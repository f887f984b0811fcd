#pragma once
/**
 * @file transmission_parameters.hpp
 * CoAP transmission parameters (RFC 7252 §4.8) and the derived time values (§4.8.2).
 * LwM2M lets a Server object change them (1.1: /1/x/12..). Allocation: none.
 */

#include <chrono>
#include <cstdint>

#include <lwm2m/divide.hpp>
#include <lwm2m/exchange/clock.hpp>

namespace lwm2m::exchange {

struct transmission_parameters {
    duration ack_timeout = std::chrono::seconds(2);
    /** ACK_RANDOM_FACTOR as a ratio num/den (1.5 = 3/2), so no floating point is needed. */
    std::uint32_t ack_random_factor_num = 3;
    std::uint32_t ack_random_factor_den = 2;
    std::uint32_t max_retransmit = 4;
    std::uint32_t nstart = 1;
    duration default_leisure = std::chrono::seconds(5);
    duration max_latency = std::chrono::seconds(100);  ///< MAX_LATENCY (§4.8.2)
    duration processing_delay = std::chrono::seconds(2);  ///< = ACK_TIMEOUT by default

    /** Largest initial timeout: ACK_TIMEOUT * ACK_RANDOM_FACTOR. */
    [[nodiscard]] constexpr duration max_initial_timeout() const noexcept {
        return duration{detail::sdiv64((ack_timeout * ack_random_factor_num).count(), ack_random_factor_den)};
    }
    /** MAX_TRANSMIT_SPAN = ACK_TIMEOUT * (2^MAX_RETRANSMIT - 1) * ACK_RANDOM_FACTOR (45 s). */
    [[nodiscard]] constexpr duration max_transmit_span() const noexcept {
        return duration{detail::sdiv64((ack_timeout * ((1 << max_retransmit) - 1) * ack_random_factor_num).count(),
                                       ack_random_factor_den)};
    }
    /** MAX_TRANSMIT_WAIT = ACK_TIMEOUT * (2^(MAX_RETRANSMIT+1) - 1) * ACK_RANDOM_FACTOR (93 s). */
    [[nodiscard]] constexpr duration max_transmit_wait() const noexcept {
        return duration{detail::sdiv64((ack_timeout * ((1 << (max_retransmit + 1)) - 1) * ack_random_factor_num).count(),
                                       ack_random_factor_den)};
    }
    /** MAX_RTT = 2 * MAX_LATENCY + PROCESSING_DELAY (202 s). */
    [[nodiscard]] constexpr duration max_rtt() const noexcept { return 2 * max_latency + processing_delay; }
    /** EXCHANGE_LIFETIME = MAX_TRANSMIT_SPAN + 2 * MAX_LATENCY + PROCESSING_DELAY (247 s). */
    [[nodiscard]] constexpr duration exchange_lifetime() const noexcept {
        return max_transmit_span() + 2 * max_latency + processing_delay;
    }
    /** NON_LIFETIME = MAX_TRANSMIT_SPAN + MAX_LATENCY (145 s). */
    [[nodiscard]] constexpr duration non_lifetime() const noexcept { return max_transmit_span() + max_latency; }

    /** The initial retransmission timeout for a random value `r` (any 32 bits), uniform in
     *  [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR] (§4.2). */
    [[nodiscard]] constexpr duration initial_timeout(std::uint32_t r) const noexcept {
        const duration spread = max_initial_timeout() - ack_timeout;
        if (spread.count() <= 0) return ack_timeout;
        // r % (spread + 1) in 32 bits (no 64-bit division): r itself when spread + 1 exceeds it.
        const std::uint64_t range = static_cast<std::uint64_t>(spread.count()) + 1;
        return ack_timeout + duration{static_cast<clock::rep>(range > 0xFFFFFFFFu ? r : r % static_cast<std::uint32_t>(range))};
    }
};

static_assert(transmission_parameters{}.max_transmit_span() == std::chrono::seconds(45));
static_assert(transmission_parameters{}.max_transmit_wait() == std::chrono::seconds(93));
static_assert(transmission_parameters{}.exchange_lifetime() == std::chrono::seconds(247));
static_assert(transmission_parameters{}.non_lifetime() == std::chrono::seconds(145));
static_assert(transmission_parameters{}.max_rtt() == std::chrono::seconds(202));

} // namespace lwm2m::exchange
