#pragma once
/**
 * @file writer.hpp
 * Generic CBOR writer (RFC 8949 §3, preferred serialization §4.1: shortest heads, floats
 * in the shortest of half/single/double that keeps the value) into an `output_window`.
 * Allocation: none.
 */

#include <bit>
#include <cmath>
#include <optional>
#include <cstdint>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/output_window.hpp>

namespace lwm2m::format::cbor {

class writer {
public:
    constexpr explicit writer(output_window& out) noexcept : out_(&out) {}

    constexpr void unsigned_integer(std::uint64_t v) noexcept { head(0, v); }
    constexpr void integer(std::int64_t v) noexcept {
        if (v >= 0) head(0, static_cast<std::uint64_t>(v));
        else head(1, static_cast<std::uint64_t>(-(v + 1)));
    }
    constexpr void bytes(bytes_view b) noexcept { head(2, b.size()); out_->put(b); }
    /** A byte string whose contents the caller writes next (exactly `size` bytes) with `raw`. */
    constexpr void bytes_header(std::uint64_t size) noexcept { head(2, size); }
    void text(std::string_view s) noexcept { head(3, s.size()); out_->put(s); }
    constexpr void text_header(std::uint64_t size) noexcept { head(3, size); }
    constexpr void raw(std::byte b) noexcept { out_->put(b); }
    constexpr void array(std::uint64_t count) noexcept { head(4, count); }
    constexpr void map(std::uint64_t pairs) noexcept { head(5, pairs); }
    constexpr void tag(std::uint64_t number) noexcept { head(6, number); }
    constexpr void boolean(bool b) noexcept { out_->put(static_cast<std::byte>(b ? 0xF5 : 0xF4)); }
    constexpr void null() noexcept { out_->put(std::byte{0xF6}); }

    /** The shortest float encoding that represents `v` exactly (RFC 8949 §4.1). */
    constexpr void floating(double v) noexcept {
        if (const auto h = to_half(v)) {
            out_->put(std::byte{0xF9});
            be(*h, 2);
            return;
        }
        const auto f = static_cast<float>(v);
        if (static_cast<double>(f) == v || std::isnan(v)) {
            out_->put(std::byte{0xFA});
            be(std::bit_cast<std::uint32_t>(f), 4);
            return;
        }
        out_->put(std::byte{0xFB});
        be(std::bit_cast<std::uint64_t>(v), 8);
    }

private:
    constexpr void head(unsigned major, std::uint64_t v) noexcept {
        const auto m = static_cast<std::uint8_t>(major << 5);
        if (v < 24) { out_->put(static_cast<std::byte>(m | v)); return; }
        if (v <= 0xFF) { out_->put(static_cast<std::byte>(m | 24)); be(v, 1); return; }
        if (v <= 0xFFFF) { out_->put(static_cast<std::byte>(m | 25)); be(v, 2); return; }
        if (v <= 0xFFFFFFFFu) { out_->put(static_cast<std::byte>(m | 26)); be(v, 4); return; }
        out_->put(static_cast<std::byte>(m | 27));
        be(v, 8);
    }
    constexpr void be(std::uint64_t v, unsigned n) noexcept {
        for (unsigned i = n; i-- > 0;) out_->put(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
    }
    // Half-precision bits if `v` is exactly representable as a half (incl. ±0, ±inf), else none.
    static constexpr std::optional<std::uint16_t> to_half(double v) noexcept {
        if (std::isnan(v)) return std::uint16_t{0x7E00};
        const std::uint16_t sign = std::signbit(v) ? 0x8000 : 0;
        const double a = std::fabs(v);
        if (a == 0) return sign;
        if (std::isinf(a)) return static_cast<std::uint16_t>(sign | 0x7C00);
        int e = 0;
        const double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
        // Normal halves: exponent e-1 in [-14, 15], 11 significant bits.
        if (e - 1 >= -14 && e - 1 <= 15) {
            const double scaled = m * 2048.0;  // 11 bits
            if (scaled != std::trunc(scaled)) return std::nullopt;
            const auto mant = static_cast<std::uint16_t>(static_cast<std::uint32_t>(scaled) - 1024u);
            return static_cast<std::uint16_t>(sign | ((e - 1 + 15) << 10) | mant);
        }
        // Subnormal halves: multiples of 2^-24 below 2^-14.
        if (e - 1 < -14) {
            const double units = a * 16777216.0;  // a / 2^-24
            if (units != std::trunc(units) || units >= 1024) return std::nullopt;
            return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(units));
        }
        return std::nullopt;
    }

    output_window* out_;
};

} // namespace lwm2m::format::cbor
