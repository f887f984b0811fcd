#pragma once
/**
 * @file attributes.hpp
 * LwM2M notification attributes (LwM2M 1.1 Core §5.1.2 / 1.0 §5.1.2): pmin, pmax, gt, lt,
 * st, epmin, epmax — parsing one Write-Attributes query argument ("pmin=10", or "pmin" to
 * remove it) and the consistency rules a set must satisfy (levels are merged by
 * client::attribute_store). Allocation: none.
 */

#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m {

/** The notification attributes of LwM2M 1.1. */
enum class attribute_name : std::uint8_t { pmin, pmax, gt, lt, st, epmin, epmax };

/** Query/link spelling of an attribute name. */
[[nodiscard]] constexpr std::string_view name(attribute_name a) noexcept {
    constexpr std::string_view names[] = {"pmin", "pmax", "gt", "lt", "st", "epmin", "epmax"};
    return names[static_cast<std::uint8_t>(a)];
}
/** The attribute spelled `text`, if any. */
[[nodiscard]] constexpr std::optional<attribute_name> attribute_from_name(std::string_view text) noexcept {
    for (std::uint8_t i = 0; i <= static_cast<std::uint8_t>(attribute_name::epmax); ++i)
        if (name(static_cast<attribute_name>(i)) == text) return static_cast<attribute_name>(i);
    return std::nullopt;
}
/** gt, lt and st apply to numeric resources only and never to object/instance level. */
[[nodiscard]] constexpr bool is_threshold(attribute_name a) noexcept {
    return a == attribute_name::gt || a == attribute_name::lt || a == attribute_name::st;
}

/** One parsed Write-Attributes argument: set `name` to `value`, or remove it. */
struct attribute_change {
    attribute_name name{};
    bool remove = false;
    double value = 0;  ///< seconds for pmin/pmax/epmin/epmax (whole, >= 0), any finite number for gt/lt, >= 0 for st
};

/**
 * Parses one Uri-Query argument of Write-Attributes. Errors: `invalid_argument` for an
 * unknown name (offset 0) or a value that is not a number of the right kind (offset of the
 * value); pmin/pmax/epmin/epmax must be non-negative integers, st non-negative. Numbers are
 * read as plain text reads them (`encoding::parse_uint64` / `parse_double`: `+10`, `010`,
 * `.5` too). `Thresholds` false (a client built without gt/lt/st): setting gt, lt or st is
 * `invalid_argument` at its value, and no double is parsed (removing one is still read).
 */
template <bool Thresholds = true>
[[nodiscard]] result<attribute_change> parse_attribute_query(std::string_view arg) noexcept {
    const std::size_t eq = arg.find('=');
    const auto which = attribute_from_name(slice(arg, 0, eq));
    if (!which) return fail(errc::invalid_argument, 0);
    if (eq == std::string_view::npos) return attribute_change{*which, true, 0};
    const std::string_view text = slice(arg, eq + 1);
    if (is_threshold(*which)) {
        if constexpr (!Thresholds) return fail(errc::invalid_argument, eq + 1);
        auto v = encoding::parse_double(text);
        if (!v || (*which == attribute_name::st && encoding::less(*v, 0))) return fail(errc::invalid_argument, eq + 1);
        return attribute_change{*which, false, *v};
    }
    auto v = encoding::parse_uint64(text);
    if (!v || *v > 0xFFFFFFFFu) return fail(errc::invalid_argument, eq + 1);
    return attribute_change{*which, false, encoding::to_double(*v)};
}

/** A set of attributes attached at one level (object, instance, resource or resource instance). */
struct notification_attributes {
    std::optional<std::uint32_t> pmin, pmax, epmin, epmax;
    std::optional<double> gt, lt, st;

    /** Applies a parsed change. */
    constexpr void apply(const attribute_change& c) noexcept {
        std::optional<std::uint32_t>* period = &pmin;
        switch (c.name) {
        case attribute_name::gt: gt = c.remove ? std::nullopt : std::optional{c.value}; return;
        case attribute_name::lt: lt = c.remove ? std::nullopt : std::optional{c.value}; return;
        case attribute_name::st: st = c.remove ? std::nullopt : std::optional{c.value}; return;
        case attribute_name::pmin: break;
        case attribute_name::pmax: period = &pmax; break;
        case attribute_name::epmin: period = &epmin; break;
        case attribute_name::epmax: period = &epmax; break;
        }
        // Converted only for the period attributes: a threshold (any double, e.g. gt=1e20) does
        // not fit uint32, and converting it would be undefined behaviour. A period is whole and
        // below 2^32 (parse_attribute_query).
        if (c.remove) *period = std::nullopt;
        else *period = static_cast<std::uint32_t>(encoding::whole_to_uint64(c.value));
    }

    [[nodiscard]] constexpr bool has_thresholds() const noexcept { return gt || lt || st; }
    [[nodiscard]] constexpr bool empty() const noexcept {
        return !pmin && !pmax && !epmin && !epmax && !gt && !lt && !st;
    }

    /**
     * Consistency rules (LwM2M 1.1 Core §5.1.2): lt < gt, and lt + 2*st < gt when all three
     * are set; epmin <= epmax. (pmax <= pmin is allowed: pmax is then ignored.)
     * Errors: `invalid_argument`.
     */
    template <bool Thresholds = true>  // false: a set that cannot hold gt/lt/st (no double arithmetic)
    [[nodiscard]] constexpr result<void> validate() const noexcept {
        if constexpr (Thresholds) {
            if (lt && gt && !encoding::less(*lt, *gt)) return fail(errc::invalid_argument);
            if (lt && gt && st && !encoding::less(*lt + 2 * *st, *gt)) return fail(errc::invalid_argument);
        }
        if (epmin && epmax && *epmin > *epmax) return fail(errc::invalid_argument);
        return {};
    }

    friend constexpr bool operator==(const notification_attributes&, const notification_attributes&) noexcept = default;
};

} // namespace lwm2m
