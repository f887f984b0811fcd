#pragma once
// Seeded random, schema-valid LwM2M data for property tests and oracles
// (tests/format/property_test.cpp, tests/interop/tshark_tlv_oracle_test.cpp).
//
// `instance_generator` makes records for any object schema: a random subset of its value
// resources (see `value_resource`), each value of the resource's data type and inside its <RangeEnumeration> (numeric
// bounds, or byte-length bounds for String/Opaque), multiple-instance resources with sparse
// resource instance ids, one or several object instances, under a request path of any level.
// Values aim at the edges of each type: strings with multi-byte UTF-8, JSON-special and control
// characters; empty opaque; integers at +-2^63; unsigned up to 2^64-1; floats at -0.0,
// subnormals, binary32-exact and the largest exponents; NaN and the infinities only when asked;
// the null object link 65535:65535.
//
// Records view strings owned by the generator's `keep` (a deque: stable addresses), so the
// generator must outlive them. Header-only, test code: allocates freely.

#include <lwm2m/format/record.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m::test::random_data {

/** SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, the same on every platform. */
struct splitmix64 {
    std::uint64_t state;
    std::uint64_t next() noexcept {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /** Uniform in [0, n) (n > 0; the modulo bias is irrelevant here). */
    std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }
    bool coin() noexcept { return (next() & 1) != 0; }
    bool one_in(std::uint64_t n) noexcept { return below(n) == 0; }
};

/** The request path levels a payload can answer. */
enum class shape : std::uint8_t { object, instance, resource, resource_instance };

/** One generated payload content: the request path and the records under it, sorted. */
struct instance_set {
    lwm2m::path base{};
    std::vector<format::record> records;
    bool has_nonfinite = false;  ///< some Float value is NaN or infinite
};

class instance_generator {
public:
    explicit instance_generator(std::uint64_t seed) : rng{seed} {}

    splitmix64 rng;
    /** Storage of the string and opaque values the records view. */
    std::deque<std::string> keep;
    /** Allow NaN and +-infinity in Float values without a range. */
    bool allow_nonfinite = false;

    // ---- values --------------------------------------------------------------------------

    /** Random UTF-8 text of exactly `bytes` bytes: ASCII, JSON-special, control, multi-byte. */
    std::string text_of_length(std::size_t bytes) {
        static constexpr std::string_view pieces[] = {
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\r", "\b", "\f", std::string_view("\0", 1), "\x01", "\x1f",
            "\x7f", ":", ",", "{", "[", "\xc3\xa9" /* é */, "\xc2\x80", "\xdf\xbf", "\xe2\x82\xac" /* € */,
            "\xef\xbf\xbf" /* U+FFFF */, "\xed\x9f\xbf" /* U+D7FF */, "\xee\x80\x80" /* U+E000 */,
            "\xf0\x9f\x98\x80" /* U+1F600 */, "\xf4\x8f\xbf\xbf" /* U+10FFFF */, "\xe2\x80\xa8" /* U+2028 */,
        };
        std::string s;
        while (s.size() < bytes) {
            const std::string_view p = pieces[rng.below(std::size(pieces))];
            if (p.size() <= bytes - s.size()) s.append(p);
        }
        return s;
    }

    /** A length in [lo, hi], often at the ends, hi capped for speed. */
    std::size_t length_in(std::size_t lo, std::size_t hi) {
        if (hi > lo + 48) hi = lo + 48;
        switch (rng.below(4)) {
        case 0: return lo;
        case 1: return hi;
        default: return lo + static_cast<std::size_t>(rng.below(hi - lo + 1));
        }
    }

    std::string_view stored(std::string s) { return keep.emplace_back(std::move(s)); }

    static std::int64_t clamp_to(const value_range& r, std::int64_t v) {
        if (!r.present) return v;
        const auto lo = static_cast<std::int64_t>(std::ceil(r.min));
        const auto hi = static_cast<std::int64_t>(std::floor(r.max));
        if (v >= lo && v <= hi) return v;
        const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
        return lo + static_cast<std::int64_t>(static_cast<std::uint64_t>(v) % span);
    }

    std::int64_t any_int64() {
        constexpr std::int64_t lo = std::numeric_limits<std::int64_t>::min();
        constexpr std::int64_t hi = std::numeric_limits<std::int64_t>::max();
        const std::int64_t edges[] = {0, 1, -1, 127, -128, 128, -129, 32767, -32768, 32768, 2147483647,
                                      -2147483648LL, 2147483648LL, -2147483649LL, hi, lo, hi - 1, lo + 1};
        if (rng.coin()) return edges[rng.below(std::size(edges))];
        return static_cast<std::int64_t>(rng.next()) >> rng.below(64);
    }

    std::uint64_t any_uint64() {
        constexpr std::uint64_t hi = std::numeric_limits<std::uint64_t>::max();
        const std::uint64_t edges[] = {0, 1, 255, 256, 65535, 65536, 0xFFFFFFFFull, 0x100000000ull,
                                       0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull, hi - 1, hi};
        if (rng.coin()) return edges[rng.below(std::size(edges))];
        return rng.next() >> rng.below(64);
    }

    double any_double() {
        const double edges[] = {0.0,
                                -0.0,
                                1.0,
                                -1.5,
                                0.1,
                                1.0 / 3.0,
                                22.4,
                                65504.0,
                                1e20,
                                -1e-20,
                                std::numeric_limits<double>::denorm_min(),
                                -std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::min() / 3.0,  // subnormal
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::lowest(),
                                static_cast<double>(std::numeric_limits<float>::max()),
                                static_cast<double>(std::numeric_limits<float>::denorm_min()),
                                9007199254740993.0,
                                -9223372036854775808.0,
                                18446744073709551616.0,
                                1.7976931348623157e308 / 1024.0};
        switch (rng.below(5)) {
        case 0:
        case 1: return edges[rng.below(std::size(edges))];
        case 2: {  // any finite binary32 (exactly representable in 4 TLV bytes)
            for (;;) {
                const float f = std::bit_cast<float>(static_cast<std::uint32_t>(rng.next()));
                if (std::isfinite(f)) return static_cast<double>(f);
            }
        }
        case 3: return static_cast<double>(static_cast<std::int64_t>(rng.next()) >> rng.below(64)) / 8.0;
        default:  // any finite binary64
            for (;;) {
                const double d = std::bit_cast<double>(rng.next());
                if (std::isfinite(d)) return d;
            }
        }
    }

    double double_in(const value_range& r) {
        if (!r.present) {
            if (allow_nonfinite && rng.one_in(6)) {
                const double specials[] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                           -std::numeric_limits<double>::infinity()};
                return specials[rng.below(std::size(specials))];
            }
            return any_double();
        }
        switch (rng.below(6)) {
        case 0: return r.min;
        case 1: return r.max;
        case 2:
            if (r.min <= 0.0 && r.max >= 0.0) return rng.coin() ? -0.0 : std::numeric_limits<double>::denorm_min();
            [[fallthrough]];
        default: {
            const double u = static_cast<double>(rng.next() >> 11) / 9007199254740992.0;  // [0, 1)
            const double v = r.min + (r.max - r.min) * u;
            return v < r.min ? r.min : (v > r.max ? r.max : v);
        }
        }
    }

    /** A value of data type `t` inside range `r` (`t` not none). */
    value value_of(data_type t, const value_range& r) {
        switch (t) {
        case data_type::string:
        case data_type::corelnk: {
            const std::size_t lo = r.present ? static_cast<std::size_t>(std::ceil(r.min)) : 0;
            const std::size_t hi = r.present ? static_cast<std::size_t>(std::floor(r.max)) : 40;
            const std::string_view s = stored(text_of_length(length_in(lo, hi)));
            return t == data_type::string ? value::of_string(s) : value::of_corelnk(s);
        }
        case data_type::opaque: {
            const std::size_t lo = r.present ? static_cast<std::size_t>(std::ceil(r.min)) : 0;
            const std::size_t hi = r.present ? static_cast<std::size_t>(std::floor(r.max)) : 40;
            std::string s(length_in(lo, hi), '\0');
            for (char& c : s) c = static_cast<char>(rng.next());
            return value::of_opaque(as_bytes(stored(std::move(s))));
        }
        case data_type::integer: return value::of_integer(clamp_to(r, any_int64()));
        case data_type::time: return value::of_time(clamp_to(r, any_int64()));
        case data_type::unsigned_integer: {
            std::uint64_t u = any_uint64();
            if (r.present) {
                const auto lo = static_cast<std::uint64_t>(std::ceil(r.min < 0 ? 0 : r.min));
                const auto hi = static_cast<std::uint64_t>(std::floor(r.max));
                if (u < lo || u > hi) u = lo + u % (hi - lo + 1);
            }
            return value::of_unsigned(u);
        }
        case data_type::float_: return value::of_float(double_in(r));
        case data_type::boolean: return value::of_boolean(rng.coin());
        case data_type::objlnk: {
            switch (rng.below(4)) {
            case 0: return value::of_objlnk({0xFFFF, 0xFFFF});
            case 1: return value::of_objlnk({0, 0});
            default:
                return value::of_objlnk({static_cast<std::uint16_t>(rng.next()), static_cast<std::uint16_t>(rng.next())});
            }
        }
        case data_type::none: break;
        }
        return value::of_none();
    }

    // ---- ids and records -------------------------------------------------------------------

    /** A sparse id in [0, 65534] (65535 is reserved): small ones often, then any. */
    std::uint16_t any_id() {
        switch (rng.below(4)) {
        case 0: return static_cast<std::uint16_t>(rng.below(3));
        case 1: return static_cast<std::uint16_t>(250 + rng.below(12));  // around the 8-bit TLV id limit
        case 2: return 65534;
        default: return static_cast<std::uint16_t>(rng.below(65535));
        }
    }

    /** Distinct sorted ids, `n` of them. */
    std::vector<std::uint16_t> distinct_ids(std::size_t n) {
        std::vector<std::uint16_t> ids;
        while (ids.size() < n) {
            const std::uint16_t id = any_id();
            if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
        }
        std::sort(ids.begin(), ids.end());
        return ids;
    }

    /**
     * Resources that hold a value: readable or writable ones, and those without operations (the
     * Security object's, which only the Bootstrap-Server reads and writes; 1.1 Core §E.1) — every
     * one can be carried by a content format. Executable resources have no value.
     */
    static bool value_resource(const resource_def& r) { return !r.executable() && r.type != data_type::none; }

    /** The records of one resource of one instance: one value, or 0..4 resource instances. */
    void add_resource(std::vector<format::record>& out, const object_view& o, std::uint16_t instance,
                      const resource_def& r, instance_set& set) {
        const auto p = *path::make(o.id(), instance, r.id);
        auto add = [&](const lwm2m::path& at) {
            const value v = value_of(r.type, r.range);
            if (v.kind() == value_kind::float_ && !std::isfinite(v.as_float())) set.has_nonfinite = true;
            out.push_back(format::record{at, v, std::nullopt});
        };
        if (!r.is_multiple()) return add(p);
        for (const std::uint16_t ri : distinct_ids(static_cast<std::size_t>(rng.below(5)))) add(*p.child(ri));
    }

    /** Random records of object `o` under a request path of level `s`. */
    instance_set make(const object_view& o, shape s) {
        instance_set set;
        std::vector<const resource_def*> values;
        for (const resource_def& r : o.resources())
            if (value_resource(r)) values.push_back(&r);
        if (values.empty()) s = shape::object;  // nothing below instance level to name

        const std::size_t instances = s == shape::object && o.is_multiple() ? 1 + rng.below(3) : 1;
        const std::vector<std::uint16_t> ids =
            o.is_multiple() ? distinct_ids(instances) : std::vector<std::uint16_t>{0};
        if (s == shape::object) set.base = *path::make(o.id());
        else set.base = *path::make(o.id(), ids[0]);

        if (s == shape::resource || s == shape::resource_instance) {
            const resource_def& r = *values[rng.below(values.size())];
            set.base = *set.base.child(r.id);
            if (s == shape::resource_instance && r.is_multiple()) {
                set.base = *set.base.child(any_id());
                const value v = value_of(r.type, r.range);
                if (v.kind() == value_kind::float_ && !std::isfinite(v.as_float())) set.has_nonfinite = true;
                set.records.push_back(format::record{set.base, v, std::nullopt});
            } else {
                add_resource(set.records, o, ids[0], r, set);
            }
            return set;
        }
        for (const std::uint16_t instance : ids) {
            // A random subset (each resource with probability 1/2, or all of them).
            const bool all = rng.one_in(4);
            for (const resource_def* r : values)
                if (all || rng.coin()) add_resource(set.records, o, instance, *r, set);
        }
        return set;
    }
};

/** The decoded bytes of a string/corelnk/opaque value, whatever its text encoding. */
inline std::string decoded_bytes(const value& v) {
    std::string s;
    const auto r = for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); });
    if (!r) s = "<undecodable>";
    return s;
}

}  // namespace lwm2m::test::random_data
