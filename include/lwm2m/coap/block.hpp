#pragma once
/**
 * @file block.hpp
 * Block1/Block2 option values (RFC 7959 §2.2): NUM, M and SZX packed in a 0..3 byte uint.
 */

#include <cstdint>

#include <lwm2m/result.hpp>

namespace lwm2m::coap {

/** One decoded Block1 or Block2 option value (RFC 7959 §2.2). */
struct block_option {
    std::uint32_t num = 0;   ///< block number, 0..2^20-1
    bool more = false;       ///< M: more blocks follow (descriptive use) / (in Block1 requests) not last
    std::uint8_t szx = 6;    ///< size exponent 0..6; size = 2^(szx+4)

    /** Largest NUM that fits the 3-byte option value. */
    static constexpr std::uint32_t max_num = (1u << 20) - 1;

    /** Block size in bytes, 16..1024. */
    [[nodiscard]] constexpr std::uint32_t size() const noexcept { return 1u << (szx + 4u); }
    /** Offset of the block's first byte in the whole body: NUM << (SZX + 4). */
    [[nodiscard]] constexpr std::uint64_t offset() const noexcept {
        return static_cast<std::uint64_t>(num) << (szx + 4u);
    }
    /** The option value `NUM << 4 | M << 3 | SZX`. Precondition: num <= max_num, szx <= 6. */
    [[nodiscard]] constexpr std::uint32_t encode() const noexcept {
        return (num << 4) | (more ? 8u : 0u) | (szx & 7u);
    }

    /**
     * Decodes an option value. Errors: `invalid_block_option` for SZX 7 (reserved, answer
     * 4.00 per RFC 7959 §2.2) or a value wider than 24 bits.
     */
    [[nodiscard]] static constexpr result<block_option> decode(std::uint32_t value) noexcept {
        if (value > 0xFFFFFFu || (value & 7u) == 7u) return fail(errc::invalid_block_option);
        return block_option{value >> 4, (value & 8u) != 0, static_cast<std::uint8_t>(value & 7u)};
    }

    /** The SZX for a block size of 16..1024 bytes (a power of two). Errors: `invalid_argument`. */
    [[nodiscard]] static constexpr result<std::uint8_t> szx_for_size(std::uint32_t size) noexcept {
        for (std::uint8_t s = 0; s <= 6; ++s)
            if ((1u << (s + 4u)) == size) return s;
        return fail(errc::invalid_argument);
    }

    friend constexpr bool operator==(const block_option&, const block_option&) noexcept = default;
};

} // namespace lwm2m::coap
