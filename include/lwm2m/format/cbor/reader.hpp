#pragma once
/**
 * @file reader.hpp
 * Generic CBOR pull tokenizer (RFC 8949 §3): one data-item head at a time, strings as
 * views into the input. The building block of the SenML CBOR (RFC 8428 §6) and LwM2M CBOR
 * readers. Allocation: none.
 *
 * Checked: reserved additional info 28-30, truncation, indefinite length only on major
 * types 2-5, string chunks of the same major type inside indefinite strings, "break" only
 * where an indefinite item is open, reserved simple values 24-31 in one-byte form
 * (RFC 8949 §3.3), nesting depth (`max_depth`), and that a declared length fits the input.
 * Errors: `invalid_cbor` / `truncated_value` at the offending byte.
 */

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::cbor {

/** What one token is. */
enum class item_kind : std::uint8_t {
    unsigned_integer,   ///< major 0: `uint`
    negative_integer,   ///< major 1: value is -1 - `uint`
    byte_string,        ///< major 2 (definite, or one chunk of an indefinite string)
    text_string,        ///< major 3 (definite, or one chunk)
    byte_string_start,  ///< major 2 indefinite: chunks follow until `break_`
    text_string_start,  ///< major 3 indefinite
    array,              ///< major 4: `count` items follow, or until `break_` if `indefinite`
    map,                ///< major 5: `count` pairs follow, or until `break_`
    tag,                ///< major 6: tag number in `uint`, then the tagged item
    boolean,
    null,
    undefined,
    simple,             ///< other simple values, in `uint`
    floating,           ///< half, single or double, as `number`
    break_,             ///< end of an indefinite item
};

/** One token. */
struct item {
    item_kind kind{};
    std::uint64_t uint = 0;   ///< integer magnitude, tag number, element count, simple value
    bool indefinite = false;  ///< for array/map
    bool boolean = false;
    double number = 0;
    bytes_view bytes{};       ///< string contents
    std::size_t offset = 0;   ///< where the token starts
};

/** Maximum nesting of arrays, maps, tags and indefinite strings the reader accepts. */
inline constexpr std::size_t max_depth = 16;

namespace detail {
constexpr double half_to_double(std::uint16_t h) noexcept {
    const int exp = (h >> 10) & 0x1F;
    const int mant = h & 0x3FF;
    double v = 0;
    if (exp == 0) v = mant * (1.0 / (1 << 24));  // subnormal: mant * 2^-24
    else if (exp != 31) {
        v = (mant + 1024.0);
        int e = exp - 25;
        while (e > 0) { v *= 2; --e; }
        while (e < 0) { v /= 2; ++e; }
    } else v = mant == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
    return (h & 0x8000) ? -v : v;
}
} // namespace detail

class reader {
public:
    constexpr explicit reader(bytes_view input) noexcept : in_(input) {}

    /** True when every byte was consumed and no container is open. */
    [[nodiscard]] constexpr bool at_end() const noexcept { return pos_ == in_.size() && depth_ == 0; }
    [[nodiscard]] constexpr std::size_t offset() const noexcept { return pos_; }

    /** Reads the next token. Containers must be consumed by the caller (or with `skip`). */
    [[nodiscard]] constexpr result<item> next() noexcept {
        if (pos_ >= in_.size()) return fail(errc::truncated_value, pos_);
        item it{};
        it.offset = pos_;
        const auto ib = static_cast<std::uint8_t>(in_[pos_++]);
        const unsigned major = ib >> 5;
        const unsigned info = ib & 31u;
        // Account for one element of each enclosing definite container.
        if (major == 7 && info == 31) {
            if (depth_ == 0 || !stack_[depth_ - 1].indefinite) return fail(errc::invalid_cbor, it.offset);
            --depth_;
            it.kind = item_kind::break_;
            finish_element();
            return it;
        }
        if (depth_ > 0 && stack_[depth_ - 1].string_major != 0xFF && (major != stack_[depth_ - 1].string_major || info == 31))
            return fail(errc::invalid_cbor, it.offset);  // chunks must be definite strings of the same type
        if (info >= 28 && info <= 30) return fail(errc::invalid_cbor, it.offset);
        std::uint64_t arg = info;
        if (info >= 24 && info <= 27) {
            const std::size_t n = std::size_t{1} << (info - 24);
            if (in_.size() - pos_ < n) return fail(errc::truncated_value, it.offset);
            arg = load_be(in_.subspan(pos_, n));
            pos_ += n;
        }
        switch (major) {
        case 0: it.kind = item_kind::unsigned_integer; it.uint = arg; break;
        case 1: it.kind = item_kind::negative_integer; it.uint = arg; break;
        case 2:
        case 3:
            if (info == 31) {
                it.kind = major == 2 ? item_kind::byte_string_start : item_kind::text_string_start;
                return push(it, true, static_cast<std::uint8_t>(major));
            }
            if (arg > in_.size() - pos_) return fail(errc::truncated_value, it.offset);
            it.kind = major == 2 ? item_kind::byte_string : item_kind::text_string;
            it.bytes = in_.subspan(pos_, static_cast<std::size_t>(arg));
            pos_ += static_cast<std::size_t>(arg);
            break;
        case 4:
        case 5:
            it.kind = major == 4 ? item_kind::array : item_kind::map;
            it.indefinite = info == 31;
            it.uint = it.indefinite ? 0 : arg;
            // Each element needs at least one byte: reject impossible counts early.
            if (!it.indefinite && arg > (in_.size() - pos_) / (major == 5 ? 2 : 1)) return fail(errc::truncated_value, it.offset);
            if (!it.indefinite && arg == 0) break;
            return push(it, it.indefinite, 0xFF, major == 5 ? arg * 2 : arg);
        case 6:
            if (info == 31) return fail(errc::invalid_cbor, it.offset);
            it.kind = item_kind::tag;
            it.uint = arg;
            return push(it, false, 0xFF, 1);
        case 7:
            if (info == 24 && arg < 32) return fail(errc::invalid_cbor, it.offset);  // RFC 8949 §3.3
            if (info == 25) { it.kind = item_kind::floating; it.number = detail::half_to_double(static_cast<std::uint16_t>(arg)); }
            else if (info == 26) { it.kind = item_kind::floating; it.number = static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(arg))); }
            else if (info == 27) { it.kind = item_kind::floating; it.number = std::bit_cast<double>(arg); }
            else if (arg == 20 || arg == 21) { it.kind = item_kind::boolean; it.boolean = arg == 21; }
            else if (arg == 22) it.kind = item_kind::null;
            else if (arg == 23) it.kind = item_kind::undefined;
            else { it.kind = item_kind::simple; it.uint = arg; }
            break;
        default: break;
        }
        finish_element();
        return it;
    }

    /**
     * Skips one complete data item (with everything nested in it). Used for values of
     * unknown labels. Errors: as `next`.
     */
    [[nodiscard]] constexpr result<void> skip() noexcept {
        const std::size_t base = depth_;
        do {
            auto it = next();
            if (!it) return unexpected{it.error()};
            if (it->kind == item_kind::break_ && depth_ < base) return fail(errc::invalid_cbor, it->offset);
        } while (depth_ > base);
        return {};
    }

private:
    struct frame {
        std::uint64_t remaining = 0;    // elements left in a definite container
        bool indefinite = false;
        std::uint8_t string_major = 0xFF;  // 2/3 inside an indefinite string, else 0xFF
    };

    constexpr result<item> push(const item& it, bool indefinite, std::uint8_t string_major, std::uint64_t count = 0) noexcept {
        if (depth_ == max_depth) return fail(errc::invalid_cbor, it.offset);
        stack_[depth_++] = frame{count, indefinite, string_major};
        return it;
    }
    // A complete element was read: count it against the enclosing definite containers.
    constexpr void finish_element() noexcept {
        while (depth_ > 0 && !stack_[depth_ - 1].indefinite) {
            if (--stack_[depth_ - 1].remaining > 0) return;
            --depth_;  // that container is complete, which completes an element of its parent
        }
    }

    bytes_view in_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
    frame stack_[max_depth]{};
};

} // namespace lwm2m::format::cbor
