#pragma once
/**
 * @file coerce.hpp
 * `coerce(value, data_type)`: turns a value read without full type information into the
 * schema's data type, losslessly or not at all.
 *
 * - Numbers convert between integer, unsigned, float and time only when exact
 *   (SenML carries every number in "v"; 22.0 may be an Integer resource, 22.5 may not).
 * - `untyped` raw bytes are interpreted with the LwM2M binary value encoding of TLV
 *   (LwM2M 1.0 §6.4.3, 1.1 Core Appendix C): signed big-endian integers of 1, 2, 4 or 8
 *   bytes, unsigned likewise, IEEE 754 big-endian floats of 4 or 8 bytes, one byte 0/1 for
 *   booleans, 4 bytes for an object link, UTF-8 for strings.
 * Errors: `type_mismatch`, `invalid_integer_length`, `invalid_float_length`,
 * `invalid_boolean`, `invalid_objlnk`, `number_out_of_range`, `invalid_utf8`; to Float,
 * `float_not_supported` in a build without Float values (LWM2M_FLOAT_VALUES 0).
 * Allocation: none.
 */

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m {

namespace detail {
/** True for a finite whole number (`d == std::trunc(d)`), read from the bits (IEEE 754 binary64). */
constexpr bool is_whole(double d) noexcept {
    const auto bits = std::bit_cast<std::uint64_t>(d);
    const auto biased = static_cast<int>((bits >> 52) & 0x7FFu);
    if (biased == 0x7FF) return false;                                  // NaN, ±inf
    if (biased < 1023) return (bits << 1) == 0;                         // |d| < 1: only ±0
    if (biased >= 1023 + 52) return true;                               // no fraction bits left
    return (bits & ((std::uint64_t{1} << (1023 + 52 - biased)) - 1)) == 0;  // the fraction's bits below 1
}
// Size builds test the bounds on the exponent bits (|d| < 2^k exactly when the biased
// exponent is below 1023 + k; NaN and the infinities are above), before is_whole's own tests:
// on a Cortex-M4 a floating-point compare is a soft-float call. With an FPU the compares are
// as quick (and leave the SenML JSON writer's code as it was: 3 instructions an encode less).
/** `is_whole(d) && d >= -2^63 && d < 2^63`. */
constexpr bool is_int64_exact(double d) noexcept {
#if defined(__OPTIMIZE_SIZE__)
    const auto bits = std::bit_cast<std::uint64_t>(d);
    if (((bits >> 52) & 0x7FFu) >= 1023 + 63) return bits == 0xC3E0000000000000u;  // only -2^63 is
    return is_whole(d);
#else
    return is_whole(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
#endif
}
/** `is_whole(d) && d >= 0 && d < 2^64` (-0 included). */
constexpr bool is_uint64_exact(double d) noexcept {
#if defined(__OPTIMIZE_SIZE__)
    const auto bits = std::bit_cast<std::uint64_t>(d);
    if (((bits >> 52) & 0x7FFu) >= 1023 + 64 || ((bits >> 63) != 0 && !encoding::is_zero(d))) return false;
    return is_whole(d);
#else
    return is_whole(d) && d >= 0 && d < 18446744073709551616.0;
#endif
}

/** True for 1, 2, 4 and 8: the lengths of a binary integer. */
[[nodiscard]] constexpr bool is_binary_integer_length(std::size_t n) noexcept { return n <= 8 && ((0x116u >> n) & 1u) != 0; }

/** Big-endian integer of `N` bytes at `p` (one load where the compiler can). */
template <std::size_t N>
[[nodiscard]] constexpr std::uint64_t load_be_fixed(const std::byte* p) noexcept {
    return [p]<std::size_t... K>(std::index_sequence<K...>) {
        return ((std::uint64_t{static_cast<std::uint8_t>(p[K])} << (8 * (N - 1 - K))) | ...);
    }(std::make_index_sequence<N>{});
}

/** Big-endian integer of 1, 2, 4 or 8 bytes. Precondition: `is_binary_integer_length(b.size())`. */
[[nodiscard]] constexpr std::uint64_t load_be_1248(bytes_view b) noexcept {
    switch (b.size()) {
    case 1: return load_be_fixed<1>(b.data());
    case 2: return load_be_fixed<2>(b.data());
    case 4: return load_be_fixed<4>(b.data());
    default: return load_be_fixed<8>(b.data());
    }
}

/** Big-endian two's complement integer of 1, 2, 4 or 8 bytes, sign-extended. Precondition: as `load_be_1248`. */
[[nodiscard]] constexpr std::int64_t load_be_signed_1248(bytes_view b) noexcept {
    const unsigned shift = static_cast<unsigned>(64 - 8 * b.size());
    return static_cast<std::int64_t>(load_be_1248(b) << shift) >> shift;
}

/** `decode_binary_value` of the rarer types (float, objlnk, none); out of line. */
[[nodiscard]] LWM2M_NOINLINE constexpr result<value> decode_other_binary_value(bytes_view b, data_type t) noexcept {
    switch (t) {
    case data_type::float_:
        if constexpr (!config::float_values) return fail(errc::float_not_supported);
        if (b.size() == 4) return value::of_float(static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(load_be_fixed<4>(b.data())))));
        if (b.size() == 8) return value::of_float(std::bit_cast<double>(load_be_fixed<8>(b.data())));
        return fail(errc::invalid_float_length);
    case data_type::objlnk:
        if (b.size() != 4) return fail(errc::invalid_objlnk);
        return value::of_objlnk(objlnk{static_cast<std::uint16_t>(load_be_fixed<2>(b.data())),
                                       static_cast<std::uint16_t>(load_be_fixed<2>(b.data() + 2))});
    case data_type::none:
        if (!b.empty()) return fail(errc::type_mismatch);
        return value::of_none();
    default: return fail(errc::type_mismatch);
    }
}

/** Interprets LwM2M binary (TLV) value bytes as `t`. */
[[nodiscard]] constexpr result<value> decode_binary_value(bytes_view b, data_type t) noexcept {
    switch (t) {
    case data_type::string:
    case data_type::corelnk:
        if (auto ok = encoding::validate_utf8(b); !ok) return unexpected{ok.error()};
        return t == data_type::string ? value::of_string(as_chars(b)) : value::of_corelnk(as_chars(b));
    case data_type::opaque: return value::of_opaque(b);
    case data_type::integer:
    case data_type::time: {
        if (!is_binary_integer_length(b.size())) return fail(errc::invalid_integer_length);
        const auto v = load_be_signed_1248(b);
        return t == data_type::time ? value::of_time(v) : value::of_integer(v);
    }
    case data_type::unsigned_integer:
        if (!is_binary_integer_length(b.size())) return fail(errc::invalid_integer_length);
        return value::of_unsigned(load_be_1248(b));
    case data_type::boolean:
        if (b.size() != 1 || (b[0] != std::byte{0} && b[0] != std::byte{1})) return fail(errc::invalid_boolean);
        return value::of_boolean(b[0] == std::byte{1});
    default: return decode_other_binary_value(b, t);
    }
}
} // namespace detail

/** Converts `v` to data type `t` (see the file comment for the rules). */
[[nodiscard]] constexpr result<value> coerce(const value& v, data_type t) noexcept {
    const value_kind k = v.kind();
    if (k == value_kind::untyped) return detail::decode_binary_value(v.encoded_bytes(), t);
    if (k == kind_of(t)) return v;
    switch (t) {
    case data_type::string:
        if (k == value_kind::corelnk) return value::of_string(as_chars(v.encoded_bytes()), v.encoding());
        break;
    case data_type::corelnk:
        if (k == value_kind::string) return value::of_corelnk(as_chars(v.encoded_bytes()), v.encoding());
        break;
    case data_type::integer:
    case data_type::time: {
        std::int64_t i = 0;
        if (k == value_kind::integer || k == value_kind::time) i = v.as_integer();
        else if (k == value_kind::unsigned_integer) {
            if (v.as_unsigned() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return fail(errc::number_out_of_range);
            i = static_cast<std::int64_t>(v.as_unsigned());
        } else if (k == value_kind::float_) {
            if (!detail::is_int64_exact(v.as_float())) return fail(errc::type_mismatch);
            i = encoding::whole_to_int64(v.as_float());
        } else break;
        return t == data_type::time ? value::of_time(i) : value::of_integer(i);
    }
    case data_type::unsigned_integer:
        if (k == value_kind::integer || k == value_kind::time) {
            if (v.as_integer() < 0) return fail(errc::number_out_of_range);
            return value::of_unsigned(static_cast<std::uint64_t>(v.as_integer()));
        }
        if (k == value_kind::float_) {
            if (!detail::is_uint64_exact(v.as_float())) return fail(errc::type_mismatch);
            return value::of_unsigned(encoding::whole_to_uint64(v.as_float()));
        }
        break;
    case data_type::float_:
        if constexpr (!config::float_values) return fail(errc::float_not_supported);
        if (k == value_kind::integer || k == value_kind::unsigned_integer || k == value_kind::time)
            return value::of_float(v.numeric());
        break;
    default: break;
    }
    return fail(errc::type_mismatch);
}

namespace detail {
/** `check_range` of a resource with a range. */
[[nodiscard]] constexpr result<void> check_present_range(const value& v, const resource_def& r) noexcept {
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::unsigned_integer:
    case value_kind::float_:
    case value_kind::time:
        if (!r.range.contains(v.numeric())) return fail(errc::number_out_of_range);
        return {};
    case value_kind::string:
    case value_kind::opaque:
        if (v.encoding() == text_encoding::raw && !r.range.contains(encoding::to_double(v.encoded_bytes().size())))
            return fail(errc::number_out_of_range);
        return {};
    default: return {};
    }
}
} // namespace detail

/**
 * Checks a typed value against a resource's `<RangeEnumeration>`: numeric bounds for
 * numbers, length bounds for strings/opaque (raw encoding only; encoded text is checked by
 * its decoded length by the caller). Errors: `number_out_of_range`.
 */
[[nodiscard]] constexpr result<void> check_range(const value& v, const resource_def& r) noexcept {
    if (!r.range.present) return {};  // most resources: inlined, no call
    return detail::check_present_range(v, r);
}

namespace detail {
/** `check_range_decoded` of a string or opaque value whose bytes are encoded (rare: out of line). */
[[nodiscard]] LWM2M_NOINLINE constexpr result<void> check_encoded_length(const value& v, const resource_def& r) noexcept {
    const auto size = value_byte_size(v);
    if (!size) return unexpected{size.error()};
    if (!r.range.contains(encoding::to_double(*size))) return fail(errc::number_out_of_range);
    return {};
}
} // namespace detail

/**
 * `check_range`, with strings and opaque values in an encoding (JSON escapes, base64, the
 * chunks of an indefinite-length CBOR string) checked by their decoded length too. Errors:
 * `number_out_of_range`; for encoded bytes that do not decode, the error of `value_byte_size`.
 */
[[nodiscard]] constexpr result<void> check_range_decoded(const value& v, const resource_def& r) noexcept {
    if (r.range.present && v.encoding() != text_encoding::raw &&
        (v.kind() == value_kind::string || v.kind() == value_kind::opaque))
        return detail::check_encoded_length(v, r);
    return check_range(v, r);
}

} // namespace lwm2m
