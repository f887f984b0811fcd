#pragma once
/**
 * @file lwm2m_links.hpp
 * LwM2M's reading of link-format entries (LwM2M 1.1 Core §6.2.1 Register, §5.4.2
 * Discover, §5.2.7.3 Bootstrap-Discover): the target as an LwM2M path (under an optional
 * alternate root), and the typed attributes `rt`, `ct`, `ver`, `ssid`, `uri`, `dim`, plus
 * the notification attributes pmin/pmax/gt/lt/st/epmin/epmax. Allocation: none.
 */

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/format/link/reader.hpp>
#include <lwm2m/model/attributes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::link {

/** Content formats of one `ct` attribute that are kept (further ones are checked, then dropped). */
inline constexpr std::size_t max_ct_values = 12;

/** A link interpreted for LwM2M. String views point into the payload. */
struct lwm2m_link {
    lwm2m::path target{};                 ///< path below the alternate root
    std::string_view uri{};               ///< the raw URI
    bool is_root = false;                 ///< rt="oma.lwm2m": the alternate-root / capabilities link
    std::optional<std::string_view> ver;  ///< object version, e.g. "1.1" (LwM2M 1.1 §6.2.1)
    std::array<std::uint16_t, max_ct_values> ct{};  ///< content formats (root link)
    std::uint8_t ct_count = 0;
    bool ct_truncated = false;            ///< more than max_ct_values were listed (the rest dropped)
    std::optional<std::uint16_t> ssid;     ///< Bootstrap-Discover
    std::optional<std::string_view> server_uri;  ///< Bootstrap-Discover `uri` (quoted, unescaped only if no `\`)
    std::optional<std::uint16_t> dim;      ///< number of resource instances (Discover, 1.1)
    notification_attributes attributes{};  ///< attached notification attributes (Discover)
};

namespace detail {
constexpr bool parse_u16(std::string_view s, std::uint16_t& out) noexcept {
    if (s.empty() || s.size() > 5) return false;
    std::uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (v > 0xFFFF) return false;
    out = static_cast<std::uint16_t>(v);
    return true;
}
} // namespace detail

/**
 * Interprets `entry`. `alternate_root` (e.g. "/lwm2m", empty for none; one trailing '/' is
 * ignored) is stripped from the URI before it is parsed as a path; it must be followed by '/' or
 * end the URI. The root link (`rt` lists "oma.lwm2m") names the alternate root itself, so its
 * target is the root path whatever its URI (`</lwm2m>;rt="oma.lwm2m"` read before the alternate
 * root is known). Errors: `path_root_mismatch` (the URI is not under `alternate_root`; offset
 * 0), path errors for a URI that is not a path (the offset `parse_path` gives inside the URI once
 * the alternate root is removed), `invalid_link_format` for a malformed known attribute (offset
 * 0). Unknown attributes are ignored.
 */
[[nodiscard]] inline result<lwm2m_link> interpret(const link_entry& entry, std::string_view alternate_root = {}) noexcept {
    lwm2m_link l{};
    l.uri = entry.uri();
    for (auto it = entry.begin(); it != entry.end(); ++it) {
        const link_attribute& a = *it;
        if (a.name == "rt") {
            // RFC 6690 §3.1: rt may hold several space-separated types.
            std::string_view list = a.value;
            while (!list.empty()) {
                const std::size_t sp = list.find(' ');
                if (slice(list, 0, sp) == "oma.lwm2m") l.is_root = true;
                if (sp == std::string_view::npos) break;
                list.remove_prefix(sp + 1);
            }
        } else if (a.name == "ct") {
            std::string_view list = a.value;
            while (!list.empty()) {
                const std::size_t sp = list.find(' ');
                std::uint16_t v = 0;
                if (!detail::parse_u16(slice(list, 0, sp), v)) return fail(errc::invalid_link_format, 0);
                // Values past the first max_ct_values are checked, not kept: a client that
                // lists more formats than we track still registers.
                if (l.ct_count < max_ct_values) l.ct[l.ct_count++] = v;
                else l.ct_truncated = true;
                if (sp == std::string_view::npos) break;
                list.remove_prefix(sp + 1);
            }
        } else if (a.name == "ver") {
            l.ver = a.value;
        } else if (a.name == "ssid") {
            std::uint16_t v = 0;
            if (!detail::parse_u16(a.value, v)) return fail(errc::invalid_link_format, 0);
            l.ssid = v;
        } else if (a.name == "uri") {
            l.server_uri = a.value;
        } else if (a.name == "dim") {
            std::uint16_t v = 0;
            if (!detail::parse_u16(a.value, v)) return fail(errc::invalid_link_format, 0);
            l.dim = v;
        } else if (auto which = attribute_from_name(a.name)) {
            if (!a.has_value) return fail(errc::invalid_link_format, 0);
            char buf[64];
            if (a.name.size() + 1 + a.value.size() > sizeof buf) return fail(errc::invalid_link_format, 0);
            std::size_t n = 0;
            for (char c : a.name) buf[n++] = c;
            buf[n++] = '=';
            for (char c : a.value) buf[n++] = c;
            auto change = parse_attribute_query(std::string_view{buf, n});
            if (!change) return fail(errc::invalid_link_format, 0);
            l.attributes.apply(*change);
        }
    }
    if (l.is_root) return l;  // target: the root
    std::string_view uri = entry.uri();
    if (alternate_root.size() > 1 && alternate_root.back() == '/') alternate_root.remove_suffix(1);
    if (!alternate_root.empty() && alternate_root != "/") {
        if (slice(uri, 0, alternate_root.size()) != alternate_root) return fail(errc::path_root_mismatch, 0);
        uri.remove_prefix(alternate_root.size());
        if (!uri.empty() && uri.front() != '/') return fail(errc::path_root_mismatch, 0);
        if (uri.empty()) uri = "/";
    }
    auto p = parse_path(uri);
    if (!p) return unexpected{p.error()};
    l.target = *p;
    return l;
}

} // namespace lwm2m::format::link
