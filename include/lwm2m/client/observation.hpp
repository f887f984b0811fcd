#pragma once
/**
 * @file client/observation.hpp
 * One Observe relationship the client holds for a server (RFC 7641 §2-§4, LwM2M 1.1 Core
 * §6.4.1) and the threshold rule of the notification attributes (§5.1.2). The engine keeps a
 * fixed array of these and decides when to notify:
 * - never earlier than pmin after the last notification (the server's /1/x/2 default, else 0);
 * - once pmin has passed, when a value under the target changed (`engine::value_changed`, or
 *   a Write by a server) and, if gt/lt/st are attached to a numeric single-value target, when
 *   the new value crossed gt or lt or moved by at least st since the last notification; on a
 *   whole multi-instance numeric resource, when any instance did so since the value it last
 *   notified (`instance_values`, LwM2M 1.2 §5.1.2);
 * - always when pmax (the /1/x/3 default, else none; ignored when below pmin) has passed;
 * - evaluation periods (LwM2M 1.1 Core §5.1.2 epmin/epmax): the observed value is sampled
 *   (read from the object, and the change and threshold conditions evaluated) no more often
 *   than every epmin seconds and, when epmax is set, at least every epmax seconds even when
 *   the application reported nothing: a sample that differs from the last notified value
 *   (or, with gt/lt/st on a numeric resource, meets them) is a change, notified subject to
 *   pmin. Every read of the value counts as a sample, the one a notification carries too, so
 *   a change reported less than epmin after the last sample, a pmin-delayed change and a pmax
 *   notification wait until epmin has passed since it. epmax is ignored unless it is greater
 *   than epmin (when set) and than 0;
 * - confirmable when configured, and at least once every 24 h (RFC 7641 §4.5), else NON;
 *   a Reset or an unacknowledged CON notification ends the observation.
 * Allocation: none.
 */

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>

#include <lwm2m/coap/token.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/endpoint.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/attributes.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m::client {

/** One observation: who observes what, in which format, and its notification state. */
struct observation {
    // Small members first, so they share the padding before the 8-byte aligned ones
    // (112 -> 96 bytes on 32-bit targets; one per Limits::max_observations).
    bool used = false;
    bool changed = false;                ///< a change is known and not notified yet
    exchange::peer_id peer{};
    coap::token token{};
    path target{};                       ///< `/` for Observe-Composite (its paths live in the engine)
    std::uint8_t composite_paths = 0;    ///< Observe-Composite: how many paths it lists; 0 otherwise
    std::uint16_t ssid = 0;
    format::content_format format = format::content_format::tlv;
    std::uint32_t last_digest = 0;       ///< `records_digest` of the last notified values
    time_point last_sent{};
    time_point last_confirmable{};
    time_point last_sampled{};           ///< last read of the value (evaluation or notification)
    std::optional<double> last_numeric{};
    time_point retry_at{};               ///< no endpoint slot was free: not before then
    exchange::request_handle in_flight{};
    exchange::request_handle last_handle{};

    /** Frees the slot (all members as in `observation{}`): one out-of-line copy for the
     *  engine's six places rather than the stores inlined at each (smaller at -Os). */
    void clear() noexcept { *this = observation{}; }
};

/** The value of a numeric `v` (Integer, Unsigned Integer, Float, Time) as a double, else nullopt. */
[[nodiscard]] constexpr std::optional<double> numeric_value(const value& v) noexcept {
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::unsigned_integer:
    case value_kind::float_:
    case value_kind::time: return v.numeric();
    default: return std::nullopt;
    }
}

/** Thresholds gt/lt/st of LwM2M 1.1 Core §5.1.2: crossing gt or lt, or moving by st. */
[[nodiscard]] constexpr bool thresholds_met(const notification_attributes& a, std::optional<double> last, double now_value) noexcept {
    if (!last) return true;
    // encoding::less / less_equal: the operators, but from the bits in size builds (no soft-float compare).
    if (a.gt && (encoding::less_equal(*last, *a.gt) != encoding::less_equal(now_value, *a.gt))) return true;
    if (a.lt && (encoding::less(*last, *a.lt) != encoding::less(now_value, *a.lt))) return true;
    // |now - last| >= st: the difference taken once (x - y is exactly -(y - x) in IEEE
    // arithmetic, so this is "either difference reaches st"; no second soft-float subtraction
    // and compare on an MCU).
    if (a.st && encoding::less_equal(*a.st, encoding::magnitude(now_value - *last))) return true;
    return false;
}

/**
 * The values of the instances of a multi-instance numeric resource, by Resource Instance id,
 * as one read delivered them: what an observation of the whole resource last notified, or what
 * a sample just read (LwM2M 1.2 Core §5.1.2: gt/lt/st attached to such a resource, or to one of
 * its instances, are judged instance by instance). At most `Capacity` instances are kept; more,
 * or a value that is not a number, and `overflow` is set: the thresholds cannot be judged, and
 * the observation notifies on every change instead (more notifications, never a lost one).
 * Allocation: none.
 */
template <std::size_t Capacity>
struct instance_values {
    static_assert(Capacity > 0 && Capacity <= 255);
    std::array<double, Capacity> values{};
    std::array<std::uint16_t, Capacity> ids{};
    std::uint8_t count = 0;
    bool overflow = false;

    void clear() noexcept {
        count = 0;
        overflow = false;
    }
    /** Keeps `r`'s value (a Resource Instance's; a value read again replaces the first). */
    void put(const format::record& r) noexcept {
        const std::optional<double> v = numeric_value(r.value);
        if (!v || r.path.level() != path_level::resource_instance) {
            overflow = true;
            return;
        }
        const std::uint16_t id = r.path.resource_instance_id();
        std::size_t i = 0;
        while (i < count && ids[i] != id) ++i;
        if (i == Capacity) {
            overflow = true;
            return;
        }
        if (i == count) ++count;
        ids[i] = id;
        values[i] = *v;
    }
    /** The value of instance `id`, if kept. */
    [[nodiscard]] std::optional<double> find(std::uint16_t id) const noexcept {
        for (std::size_t i = 0; i < count; ++i)
            if (ids[i] == id) return values[i];
        return std::nullopt;
    }
};

/** Something given each value a read delivers (`dm::read_summary::on_value`). */
struct value_hook {
    void (*call)(value_hook& self, const format::record& r) noexcept = nullptr;
};

/** A `value_hook` keeping the values in `values` (emptied by the engine before each read). */
template <std::size_t Capacity>
struct instance_capture : value_hook {
    instance_values<Capacity> values{};
    instance_capture() noexcept : value_hook{&keep} {}
    static void keep(value_hook& self, const format::record& r) noexcept {
        static_cast<instance_capture&>(self).values.put(r);
    }
};

/**
 * Whether a multi-instance resource sampled as `now` meets its thresholds since `last` (what
 * was notified): an instance whose attributes (`attributes_of(id)`: the resource's, with its
 * own Resource Instance level over them) hold gt/lt/st crossed gt or lt or moved by st; an
 * instance without any changed its value; an instance appeared or went. nullopt when it cannot be
 * judged (either side overflowed) or no instance has a threshold: then the ordinary change
 * rule applies.
 */
template <std::size_t Capacity, class AttributesOf>
[[nodiscard]] std::optional<bool> instance_thresholds_met(const instance_values<Capacity>& last,
                                                          const instance_values<Capacity>& now,
                                                          AttributesOf&& attributes_of) noexcept {
    if (last.overflow || now.overflow) return std::nullopt;
    bool any_threshold = false;
    bool met = now.count != last.count;
    for (std::size_t i = 0; i < now.count; ++i) {
        const notification_attributes a = attributes_of(now.ids[i]);
        const std::optional<double> before = last.find(now.ids[i]);
        if (a.has_thresholds()) {
            any_threshold = true;
            met = met || thresholds_met(a, before, now.values[i]);
        } else {
            // Compared as bits (no soft-float compare on an MCU): the same value read again is no change.
            met = met || !before || std::bit_cast<std::uint64_t>(*before) != std::bit_cast<std::uint64_t>(now.values[i]);
        }
    }
    if (!any_threshold) return std::nullopt;
    return met;
}

/**
 * The timing attributes of one observation, with the rules of LwM2M 1.1 Core §5.1.2 applied:
 * pmax only when above 0 and not below pmin, epmax only when above 0 and above epmin.
 */
struct observation_timing {
    duration pmin{}, pmax{}, epmin{}, epmax{};
    bool use_pmax = false;
    bool use_epmax = false;

    [[nodiscard]] static constexpr observation_timing of(const notification_attributes& a) noexcept {
        observation_timing t;
        const auto seconds = [](std::uint32_t s) { return duration{std::chrono::seconds(s)}; };
        t.pmin = seconds(a.pmin.value_or(0));
        t.use_pmax = a.pmax && *a.pmax > 0 && *a.pmax >= a.pmin.value_or(0);
        t.pmax = seconds(t.use_pmax ? *a.pmax : 0);
        t.epmin = seconds(a.epmin.value_or(0));
        t.use_epmax = a.epmax && *a.epmax > 0 && *a.epmax > a.epmin.value_or(0);
        t.epmax = seconds(t.use_epmax ? *a.epmax : 0);
        return t;
    }
};

/** Where a `records_digest` starts (the FNV-1a offset basis). */
inline constexpr std::uint32_t records_digest_seed = 2166136261u;

/** The digest `h` of some records followed by `r` (see `records_digest`). */
[[nodiscard]] inline std::uint32_t records_digest_add(std::uint32_t h, const format::record& r) noexcept {
    const auto mix = [&h](std::uint64_t x, int bytes) {
        for (int i = 0; i < bytes; ++i) {
            h ^= static_cast<std::uint32_t>(x & 0xFFu);
            h *= 16777619u;
            x >>= 8;
        }
    };
    mix(r.path.depth(), 1);
    for (std::size_t i = 0; i < r.path.depth(); ++i) mix(r.path.id(i), 2);
    const value& v = r.value;
    mix(static_cast<std::uint64_t>(v.kind()), 1);
    switch (v.kind()) {
    case value_kind::none: break;
    case value_kind::integer:
    case value_kind::time: mix(static_cast<std::uint64_t>(v.as_integer()), 8); break;
    case value_kind::unsigned_integer: mix(v.as_unsigned(), 8); break;
    case value_kind::float_: {
        // One digest for all NaNs and for both zeros, as operator== of value compares them
        // (told from the bits: no soft-float compares on an MCU).
        const double f = v.as_float();
        std::uint64_t bits = std::bit_cast<std::uint64_t>(f);
        if (encoding::is_nan(f)) bits = std::bit_cast<std::uint64_t>(std::numeric_limits<double>::quiet_NaN());
        else if (encoding::is_zero(f)) bits = 0;
        mix(bits, 8);
        break;
    }
    case value_kind::boolean: mix(v.as_boolean() ? 1 : 0, 1); break;
    case value_kind::objlnk: mix(v.as_objlnk().object_id, 2); mix(v.as_objlnk().instance_id, 2); break;
    default:
        mix(static_cast<std::uint64_t>(v.encoding()), 1);
        mix(v.encoded_bytes().size(), 4);
        for (std::byte b : v.encoded_bytes()) mix(static_cast<std::uint64_t>(b), 1);
        break;
    }
    return h;
}

/**
 * A 32-bit FNV-1a digest of records (paths, kinds and values) to tell whether a sample
 * differs from the last notified values without keeping them. Equal values (operator== of
 * `value`) give equal digests; a collision only hides one epmax-sampled change.
 */
[[nodiscard]] inline std::uint32_t records_digest(std::span<const format::record> records) noexcept {
    std::uint32_t h = records_digest_seed;
    for (const format::record& r : records) h = records_digest_add(h, r);
    return h;
}

} // namespace lwm2m::client
