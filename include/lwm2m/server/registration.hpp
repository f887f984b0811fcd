#pragma once
/**
 * @file server/registration.hpp
 * Server side of the Client Registration Interface (LwM2M 1.1/1.2 Core §6.2, 1.0 §5.3):
 * validating the Uri-Query parameters of Register (`POST /rd?ep=&lt=&lwm2m=&b=&sms=&Q`) and
 * Update (`POST /rd/<id>?lt=&b=&sms=`), and reading the CoRE link payload (RFC 6690) into
 * the compact `object_link` form. Every check yields the CoAP code to answer and a short
 * diagnostic text for the payload (RFC 7252 §5.5.2).
 *
 * Rules (documented choices where the specification leaves room):
 * - `ep` mandatory and non-empty; `lt` a positive decimal integer that fits 32 bits (absent:
 *   86400, Core §6.2.1 / Appendix E.2); `lwm2m` "1.0", "1.1" or "1.2" (absent: 1.0); any
 *   other version answers 4.12 Precondition Failed (Core §6.2.1, Table 6.2.1-1 of 1.1);
 * - `b`, LwM2M 1.0: one of U, UQ, S, SQ, US, UQS (1.0 §5.3.1.1, the Q inside means queue
 *   mode); LwM2M 1.1+: each of U M H T S N at most once, no Q (queue mode is `Q`); absent: U;
 * - `Q` takes no value and exists from 1.1 on (in an Update of a 1.1+ registration it turns
 *   queue mode on; its absence changes nothing, as for every Update parameter); `sms` must
 *   have a value;
 * - a parameter given twice or a malformed value answers 4.00; in an Update, `lwm2m` equal to
 *   the registered version is tolerated (some 1.0 clients repeat it), any other answers 4.00;
 * - a parameter we do not know is ignored. 1.0 §5.3.1 lists "unknown parameter" among the
 *   causes of 4.00, but clients in the field add their own (Leshan's client sends configured
 *   "additional attributes", which Leshan's server keeps; Pelion's sends `mccv=`, `iep=`...),
 *   and the reference servers (Leshan, Wakaama) accept them: refusing would lock those
 *   clients out for a parameter that changes nothing here;
 * - the payload is link-format (Content-Format 40, or none; text/plain too, which some
 *   clients put on it and Wakaama's server accepts); a malformed link, a link that is
 *   not an object or instance path (below the alternate root, or from "/" as some clients
 *   write them), or a malformed `ver` answers 4.00; other attributes are ignored.
 * Allocation: none.
 */

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/link/lwm2m_links.hpp>
#include <lwm2m/format/link/reader.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/server/registration_store.hpp>

namespace lwm2m::server {

/** Why a Register/Update/Send is refused: the code to answer and a diagnostic payload. */
struct rejection {
    coap::code code = coap::code::bad_request;
    std::string_view reason{};
};

/** The validated query of a Register (absent parameters already defaulted). */
struct register_query {
    std::string_view endpoint{};
    std::uint32_t lifetime = 86400;
    lwm2m_version version = lwm2m_version::v1_0;
    binding_mode binding{};
    bool queue = false;
    std::optional<std::string_view> sms{};
};

/** The validated query of an Update (only what it changes). */
struct update_query {
    std::optional<std::uint32_t> lifetime{};
    std::optional<binding_mode> binding{};
    std::optional<bool> queue{};  ///< set by a 1.0 binding ("UQ" / "U") or a 1.1+ `Q`
    std::optional<std::string_view> sms{};
};

namespace detail {

/** Parses a positive decimal lifetime that fits 32 bits. */
[[nodiscard]] inline std::optional<std::uint32_t> parse_lifetime(std::string_view s) noexcept {
    if (s.empty() || s.size() > 10) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v == 0 || v > 0xFFFFFFFFu) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

/** A binding value for `version`; `queue` receives the 1.0 Q. */
[[nodiscard]] constexpr std::optional<binding_mode> parse_binding(std::string_view b, lwm2m_version version,
                                                                  bool& queue) noexcept {
    queue = false;
    if (version == lwm2m_version::v1_0) {
        // LwM2M 1.0 §5.3.1.1: exactly these six values.
        constexpr std::string_view allowed[] = {"U", "UQ", "S", "SQ", "US", "UQS"};
        bool ok = false;
        for (std::string_view a : allowed) ok = ok || a == b;
        if (!ok) return std::nullopt;
        binding_mode m{0};
        for (char c : b) {
            if (c == 'Q') queue = true;
            else m.bits = static_cast<std::uint8_t>(m.bits | (1u << binding_mode::letters.find(c)));
        }
        return m;
    }
    if (b.empty()) return std::nullopt;
    binding_mode m{0};
    for (char c : b) {
        const std::size_t i = binding_mode::letters.find(c);
        if (i == std::string_view::npos || (m.bits & (1u << i)) != 0) return std::nullopt;
        m.bits = static_cast<std::uint8_t>(m.bits | (1u << i));
    }
    return m;
}

/** Splits "name=value" / "name". */
struct query_arg {
    std::string_view name;
    std::string_view value;
    bool has_value;
};
[[nodiscard]] constexpr query_arg split_query(std::string_view q) noexcept {
    const std::size_t eq = q.find('=');
    if (eq == std::string_view::npos) return {q, {}, false};
    return {slice(q, 0, eq), slice(q, eq + 1), true};
}

/** A parameter taken with a value (`name=value`) into `value`. */
struct query_slot {
    std::string_view name;
    std::optional<std::string_view>* value;
};

/**
 * Walks the Uri-Query options: `name=value` into the slot of that name (once each), the flag
 * `Q` (no value, once) into `*q` when `q` is given; a name without a slot is ignored (see
 * the file comment).
 */
template <class Queries, std::size_t N>
[[nodiscard]] std::optional<rejection> collect_query(const Queries& queries, const std::array<query_slot, N>& slots,
                                                     bool* q) noexcept {
    for (std::string_view arg : queries) {
        const query_arg a = split_query(arg);
        if (q != nullptr && a.name == "Q") {
            if (a.has_value) return rejection{coap::code::bad_request, "Q takes no value"};
            if (*q) return rejection{coap::code::bad_request, "duplicate Q"};
            *q = true;
            continue;
        }
        std::optional<std::string_view>* target = nullptr;
        for (const query_slot& s : slots)
            if (s.name == a.name) target = s.value;
        if (target == nullptr) continue;
        if (target->has_value()) return rejection{coap::code::bad_request, "duplicate parameter"};
        if (!a.has_value) return rejection{coap::code::bad_request, "parameter without value"};
        *target = a.value;
    }
    return std::nullopt;
}

/** Parses "M.m" (one or more digits each, < 256). */
[[nodiscard]] constexpr bool parse_object_version(std::string_view v, std::uint8_t& major, std::uint8_t& minor) noexcept {
    const std::size_t dot = v.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= v.size() || dot > 3 || v.size() - dot - 1 > 3) return false;
    unsigned a = 0, b = 0;
    for (std::size_t i = 0; i < dot; ++i) {
        if (v[i] < '0' || v[i] > '9') return false;
        a = a * 10 + static_cast<unsigned>(v[i] - '0');
    }
    for (std::size_t i = dot + 1; i < v.size(); ++i) {
        if (v[i] < '0' || v[i] > '9') return false;
        b = b * 10 + static_cast<unsigned>(v[i] - '0');
    }
    if (a > 255 || b > 255) return false;
    major = static_cast<std::uint8_t>(a);
    minor = static_cast<std::uint8_t>(b);
    return true;
}

} // namespace detail

/**
 * Validates the Uri-Query options of a Register (`queries` yields string_views).
 * Returns the query, or the rejection (4.00 / 4.12) with its diagnostic.
 */
template <class Queries>
[[nodiscard]] std::optional<rejection> parse_register_query(const Queries& queries, register_query& out) noexcept {
    out = register_query{};
    std::optional<std::string_view> ep, lt, ver, b, sms;
    bool q = false;
    const std::array<detail::query_slot, 5> slots{{{"ep", &ep}, {"lt", &lt}, {"lwm2m", &ver}, {"b", &b}, {"sms", &sms}}};
    if (auto why = detail::collect_query(queries, slots, &q)) return why;
    if (!ep || ep->empty()) return rejection{coap::code::bad_request, "missing ep"};
    out.endpoint = *ep;
    if (ver) {
        const auto v = parse_lwm2m_version(*ver);
        if (!v) return rejection{coap::code::precondition_failed, "unsupported lwm2m version"};
        out.version = *v;
    }
    if (lt) {
        const auto v = detail::parse_lifetime(*lt);
        if (!v) return rejection{coap::code::bad_request, "invalid lt"};
        out.lifetime = *v;
    }
    if (b) {
        bool queue_in_binding = false;
        const auto m = detail::parse_binding(*b, out.version, queue_in_binding);
        if (!m) return rejection{coap::code::bad_request, "invalid b"};
        out.binding = *m;
        out.queue = queue_in_binding;
    }
    if (q) {
        if (out.version == lwm2m_version::v1_0) return rejection{coap::code::bad_request, "Q needs lwm2m 1.1"};
        out.queue = true;
    }
    if (sms) {
        if (sms->empty()) return rejection{coap::code::bad_request, "invalid sms"};
        out.sms = *sms;
    }
    return std::nullopt;
}

/** Validates the Uri-Query options of an Update for a client registered with `version`. */
template <class Queries>
[[nodiscard]] std::optional<rejection> parse_update_query(const Queries& queries, lwm2m_version version,
                                                          update_query& out) noexcept {
    out = update_query{};
    std::optional<std::string_view> lt, b, sms, ver, ep;
    bool q = false;  // a 1.1+ flag; in a 1.0 Update `Q` is a name like any other
    const std::array<detail::query_slot, 5> slots{{{"lt", &lt}, {"b", &b}, {"sms", &sms}, {"lwm2m", &ver}, {"ep", &ep}}};
    if (auto why = detail::collect_query(queries, slots, version != lwm2m_version::v1_0 ? &q : nullptr)) return why;
    if (ep) return rejection{coap::code::bad_request, "ep in an Update"};  // a registration's name cannot change
    // `lwm2m` is not an Update parameter, but some 1.0 clients (lwm2m-node-lib) repeat it:
    // the registered version is tolerated, another one cannot change in an Update.
    if (ver && parse_lwm2m_version(*ver) != version)
        return rejection{coap::code::bad_request, "lwm2m differs from the registration"};
    if (lt) {
        const auto v = detail::parse_lifetime(*lt);
        if (!v) return rejection{coap::code::bad_request, "invalid lt"};
        out.lifetime = *v;
    }
    if (b) {
        bool queue_in_binding = false;
        const auto m = detail::parse_binding(*b, version, queue_in_binding);
        if (!m) return rejection{coap::code::bad_request, "invalid b"};
        out.binding = *m;
        if (version == lwm2m_version::v1_0) out.queue = queue_in_binding;
    }
    if (q) out.queue = true;
    if (sms) {
        if (sms->empty()) return rejection{coap::code::bad_request, "invalid sms"};
        out.sms = *sms;
    }
    return std::nullopt;
}

/**
 * The links of a Register/Update payload, parsed and checked before anything is changed:
 * at most `MaxLinks` kept (`truncated` says more were listed), the root link's alternate
 * path and announced content formats.
 */
template <std::size_t MaxLinks>
struct link_set {
    std::array<object_link, MaxLinks> links{};
    std::size_t count = 0;
    bool truncated = false;
    announced_formats formats{};  ///< the root link's `ct` (none without a root link)
    std::string_view root{};  ///< alternate root as written (e.g. "/lwm2m"), empty for "/"
    bool has_root_link = false;  ///< false: `root` and `formats` were not given
};

/**
 * Reads a link-format payload into `out`. `current_root` is the alternate root links are read
 * under until the payload's root link names one: an Update's links without a root link are
 * under the registration's root (its root link is not repeated by every client). Errors
 * (rejection 4.00): link syntax, a target that is not /O or /O/I (below the alternate root),
 * a malformed `ver`, an alternate root longer than `max_root`.
 */
template <std::size_t MaxLinks>
[[nodiscard]] std::optional<rejection> parse_registration_links(bytes_view payload, std::size_t max_root,
                                                                link_set<MaxLinks>& out,
                                                                std::string_view current_root = {}) noexcept {
    out = link_set<MaxLinks>{};
    out.root = current_root;
    format::link::reader rd{payload};
    for (;;) {
        auto e = rd.next();
        if (!e) return rejection{coap::code::bad_request, "malformed link"};
        if (!e->has_value()) break;
        // A relative object link (`<3/0>`, as some NB-IoT modules write) resolves against the
        // Register's /rd to /3/0 (RFC 6690 §2.1, RFC 3986 §5.2.3). Only for ids: the root
        // link's URI is kept as a view into the payload.
        std::array<char, 1 + path::max_text_length> absolute{};
        format::link::link_entry entry = **e;
        if (const std::string_view uri = entry.uri();
            !uri.empty() && uri.front() >= '0' && uri.front() <= '9' && uri.size() < absolute.size()) {
            absolute[0] = '/';
            std::copy(uri.begin(), uri.end(), absolute.begin() + 1);
            entry = format::link::link_entry{std::string_view{absolute.data(), uri.size() + 1}, entry.params()};
        }
        auto l = format::link::interpret(entry, out.root);
        if (l && l->is_root) l = format::link::interpret(**e, out.root);
        // Wakaama's client writes its alternate root on the root link only and its object
        // links from "/" (`</lwm2m>;rt="oma.lwm2m",</1/0>`), though it expects requests under
        // the root: a link outside the root that is a path as it stands is read as one.
        if (!l && l.error().code == errc::path_root_mismatch) l = format::link::interpret(entry);
        if (!l) return rejection{coap::code::bad_request, "invalid link"};
        if (l->is_root) {
            std::string_view uri = l->uri;
            while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
            if (uri.size() > max_root || out.has_root_link) return rejection{coap::code::bad_request, "invalid root link"};
            out.root = uri;
            out.has_root_link = true;
            for (std::size_t i = 0; i < l->ct_count; ++i) out.formats.add(static_cast<format::content_format>(l->ct[i]));
            continue;
        }
        const path& t = l->target;
        if (t.level() != path_level::object && t.level() != path_level::instance)
            return rejection{coap::code::bad_request, "link is not an object or instance"};
        object_link ol{};
        ol.object_id = t.object_id();
        if (t.has_instance()) ol.instance_id = t.instance_id();
        if (l->ver && !detail::parse_object_version(*l->ver, ol.ver_major, ol.ver_minor))
            return rejection{coap::code::bad_request, "invalid ver"};
        if (out.count == MaxLinks) {
            out.truncated = true;
            continue;
        }
        out.links[out.count++] = ol;
    }
    return std::nullopt;
}

} // namespace lwm2m::server
