#pragma once
/**
 * @file client/dm.hpp
 * The Device Management and Service Enablement operations of the client (LwM2M 1.1 Core §6.3,
 * 1.0 §5.4) over a span of bound objects, independent of CoAP: collecting the records of a
 * Read, choosing and running the content-format writer, Discover links, applying a Write,
 * Create, Delete and Execute. The client engine (`client/client.hpp`) maps CoAP requests onto
 * these and their errors onto response codes (`response_code`). Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

#include <lwm2m/bytes.hpp>
#include <lwm2m/client/execute_args.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/client/record_buffer.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/format/cbor_value.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/link/writer.hpp>
#include <lwm2m/format/opaque.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/read_all.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml_cbor.hpp>
#include <lwm2m/format/senml_json.hpp>
#include <lwm2m/format/text.hpp>
#include <lwm2m/format/tlv.hpp>
#include <lwm2m/model/attributes.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/**
 * The set of content formats a client engine reads and writes (a bit mask; link format is
 * always there). Only the codecs of the formats in the set are instantiated, so firmware
 * that leaves SenML JSON out does not link its reader and writer (see
 * `client_limits::formats` and bench/footprint). Combine with `|`.
 */
enum class format_set : std::uint8_t {
    none = 0,
    text = 1,        ///< text/plain (0)
    opaque = 2,      ///< application/octet-stream (42)
    tlv = 4,         ///< application/vnd.oma.lwm2m+tlv (11542)
    senml_json = 8,  ///< application/senml+json (110)
    senml_cbor = 16, ///< application/senml+cbor (112)
    cbor = 32,       ///< application/cbor (60): one value (LwM2M 1.1 Core §7.4)
    all = 63,
};
[[nodiscard]] constexpr format_set operator|(format_set a, format_set b) noexcept {
    return static_cast<format_set>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
/** True if `set` contains every format of `f`. */
[[nodiscard]] constexpr bool contains(format_set set, format_set f) noexcept {
    return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(f)) == static_cast<std::uint8_t>(f);
}
/** The member of `format_set` for Content-Format `cf` (aliases canonicalised), or `none`. */
[[nodiscard]] constexpr format_set format_bit(format::content_format cf) noexcept {
    using format::content_format;
    switch (format::canonical(cf)) {
    case content_format::text: return format_set::text;
    case content_format::opaque: return format_set::opaque;
    case content_format::tlv: return format_set::tlv;
    case content_format::senml_json: return format_set::senml_json;
    case content_format::senml_cbor: return format_set::senml_cbor;
    case content_format::cbor: return format_set::cbor;
    default: return format_set::none;
    }
}
/** True if `cf` is one of the formats of `set`. */
[[nodiscard]] constexpr bool supports(format_set set, std::uint16_t cf) noexcept {
    const format_set b = format_bit(static_cast<format::content_format>(cf));
    return b != format_set::none && contains(set, b);
}

} // namespace lwm2m::client

namespace lwm2m::client::dm {

/** The binding of object `id` in `objects`, or nullptr. */
[[nodiscard]] inline const object_binding* find_object(std::span<const object_binding> objects, std::uint16_t id) noexcept {
    for (const object_binding& o : objects)
        if (o.id() == id) return &o;
    return nullptr;
}

// ---- Read ----------------------------------------------------------------------------------

/** What a Read of a path reads: the object, and for a resource-level path its resource. */
struct read_target {
    const object_binding* object = nullptr;
    const resource_def* resource = nullptr;      ///< for a path at resource level or below
    std::optional<std::uint16_t> only{};         ///< the resource instance, for a path at that level
};

/**
 * Checks that `target` can be read (LwM2M 1.1 Core §6.3.1) and finds what it names.
 * Errors: `operation_not_allowed` (the root, or a resource that is not readable), `not_found`
 * (object, instance or resource absent, or a resource instance of a single resource).
 */
[[nodiscard]] inline result<read_target> resolve_read(std::span<const object_binding> objects, const path& target) noexcept {
    if (target.is_root()) return fail(errc::operation_not_allowed);
    read_target t;
    t.object = find_object(objects, target.object_id());
    if (t.object == nullptr) return fail(errc::not_found);
    if (target.level() == path_level::object) return t;
    if (!t.object->has_instance(target.instance_id())) return fail(errc::not_found);
    if (target.level() == path_level::instance) return t;
    t.resource = t.object->schema.find(target.resource_id());
    if (t.resource == nullptr) return fail(errc::not_found);
    if (!t.resource->readable()) return fail(errc::operation_not_allowed);
    if (target.has_resource_instance() && !t.resource->is_multiple()) return fail(errc::not_found);
    if (target.has_resource_instance()) t.only = target.resource_instance_id();
    return t;
}

/**
 * Hands `f` each value the read hook of resource `rp` (a /O/I/R path) of `o` delivers
 * (resource instance `only` alone, when given), while the hook runs; `kept` (when given)
 * counts them. Errors: the hook's and `f`'s. (The walks take a `record_sink`, not a template
 * callback: one copy of them serves every caller.)
 */
[[nodiscard]] inline result<void> read_resource(const object_binding& o, const path& rp, const resource_def& def,
                                                std::optional<std::uint16_t> only, record_sink f,
                                                std::size_t* kept = nullptr) noexcept {
    resource_output w{f, rp, def, only};
    auto r = o.read(rp, w);
    if (kept != nullptr) *kept = w.kept();
    return r;
}

/** True for a read hook's "no value now": the resource is left out of an instance's values. */
[[nodiscard]] inline bool absent(const result<void>& r) noexcept { return r || r.error().code == errc::not_found; }

/** `f` gets the value(s) of every readable resource of instance `instance` of `o`, in id order. */
[[nodiscard]] inline result<void> walk_instance(const object_binding& o, std::uint16_t instance, record_sink f) noexcept {
    for (const resource_def& def : o.schema.resources()) {
        if (!def.readable()) continue;
        if (auto r = read_resource(o, *path::make(o.id(), instance, def.id), def, std::nullopt, f); !absent(r)) return r;
    }
    return {};
}

/** The smallest instance id of `o` above `after` (any, without it), or nullopt. */
[[nodiscard]] inline std::optional<std::uint16_t> next_instance(const object_binding& o,
                                                                std::optional<std::uint16_t> after) noexcept {
    std::optional<std::uint16_t> next;
    for (std::size_t i = 0, n = o.instance_count(); i < n; ++i) {
        const std::uint16_t id = o.instance_id(i);
        if ((!after || id > *after) && (!next || id < *next)) next = id;
    }
    return next;
}

/** `each(id) -> result<void>` for the instances of `o` in ascending id order. */
template <class Each>
[[nodiscard]] result<void> for_each_instance(const object_binding& o, Each&& each) noexcept {
    for (auto id = next_instance(o, std::nullopt); id; id = next_instance(o, id))
        if (auto ok = each(*id); !ok) return ok;
    return {};
}

/**
 * Hands `f` each value a Read of `target` returns (LwM2M 1.1 Core §6.3.1), while the
 * objects' hooks run: every readable resource of every
 * instance for `/O` (instances in ascending id order), of one instance for `/O/I`, one
 * resource, or one resource instance. Resources come in id order, resource instances in the
 * order the hook gives them.
 * Errors: those of `resolve_read`, `not_found` (a resource or resource instance the hook does
 * not deliver), and errors of the hooks and of `f`.
 */
[[nodiscard]] inline result<void> walk_read(std::span<const object_binding> objects, const path& target,
                                            record_sink f) noexcept {
    LWM2M_TRY(t, resolve_read(objects, target));
    const object_binding& o = *t.object;
    if (target.level() == path_level::object)
        return for_each_instance(o, [&](std::uint16_t id) { return walk_instance(o, id, f); });
    if (target.level() == path_level::instance) return walk_instance(o, target.instance_id(), f);
    std::size_t kept = 0;
    if (auto ok = read_resource(o, target.prefix(path_level::resource), *t.resource, t.only, f, &kept); !ok) return ok;
    if (kept == 0 && (t.only || !t.resource->is_multiple())) return fail(errc::not_found);
    return {};
}

/**
 * Collects the values a Read of `target` returns (`walk_read`) into `out`, sorted by path.
 * Errors: those of `walk_read`, `capacity_exceeded`.
 */
[[nodiscard]] inline result<void> collect(std::span<const object_binding> objects, const path& target,
                                          record_store& out) noexcept {
    if (auto ok = walk_read(objects, target, record_sink::of(out)); !ok) return ok;
    out.sort();
    return {};
}

/**
 * The Content-Format of a Read / Observe response for `target` given the request's Accept
 * (LwM2M 1.1 Core §7.1, 1.0 §6.4): without Accept, a single value (single resource or resource
 * instance) is plain text — opaque for an Opaque resource — and anything else `multi_default`
 * (TLV unless configured). Returns nullopt when the Accept cannot be honoured (answer 4.06).
 */
[[nodiscard]] constexpr std::optional<format::content_format>
choose_read_format(std::optional<std::uint16_t> accept, const path& target, const resource_def* def,
                   format::content_format multi_default = format::content_format::tlv,
                   format_set formats = format_set::all) noexcept {
    using format::content_format;
    const bool single_value =
        def != nullptr && ((target.level() == path_level::resource && !def->is_multiple()) || target.has_resource_instance());
    if (!accept) {
        if (single_value) {
            const content_format plain = def->type == data_type::opaque ? content_format::opaque : content_format::text;
            if (supports(formats, static_cast<std::uint16_t>(plain))) return plain;
        }
        // Without the configured default, the first multi-value format the set has.
        for (const content_format c : {multi_default, content_format::tlv, content_format::senml_cbor, content_format::senml_json})
            if (supports(formats, static_cast<std::uint16_t>(c)) && c != content_format::text && c != content_format::opaque &&
                c != content_format::cbor)
                return c;
        return std::nullopt;
    }
    if (!supports(formats, *accept)) return std::nullopt;
    switch (format::canonical(static_cast<content_format>(*accept))) {
    case content_format::text: return single_value ? std::optional{content_format::text} : std::nullopt;
    case content_format::opaque:
        return single_value && def->type == data_type::opaque ? std::optional{content_format::opaque} : std::nullopt;
    case content_format::cbor: return single_value ? std::optional{content_format::cbor} : std::nullopt;
    case content_format::tlv: return content_format::tlv;
    case content_format::senml_json: return content_format::senml_json;
    case content_format::senml_cbor: return content_format::senml_cbor;
    default: return std::nullopt;
    }
}

/** True for the content formats `encode` writes and `for_each_record` reads (those of `Formats`). */
template <format_set Formats = format_set::all>
[[nodiscard]] constexpr bool supported_format(std::uint16_t cf) noexcept {
    return supports(Formats, cf);
}

/**
 * Encodes `records` (sorted) for a request on `base` in content format `cf` into `out`.
 * Errors: `unsupported_content_format` (not in `Formats`), the writer's errors.
 */
template <format_set Formats = format_set::all>
[[nodiscard]] result<void> encode(std::span<const format::record> records, const path& base, format::content_format cf,
                                  format::output_window& out) noexcept {
    using format::content_format;
    // Each writer is named only when its format is in the set, so the others are not linked.
    switch (format::canonical(cf)) {
    case content_format::text:
        if constexpr (contains(Formats, format_set::text)) return format::write_text(records, base, out);
        break;
    case content_format::opaque:
        if constexpr (contains(Formats, format_set::opaque)) return format::write_opaque(records, base, out);
        break;
    case content_format::tlv:
        if constexpr (contains(Formats, format_set::tlv)) return format::write_tlv(records, base, out);
        break;
    case content_format::senml_json:
        if constexpr (contains(Formats, format_set::senml_json)) return format::write_senml_json(records, base, out);
        break;
    case content_format::senml_cbor:
        if constexpr (contains(Formats, format_set::senml_cbor)) return format::write_senml_cbor(records, base, out);
        break;
    case content_format::cbor:
        if constexpr (contains(Formats, format_set::cbor)) return format::write_cbor_value(records, base, out);
        break;
    default: break;
    }
    return fail(errc::unsupported_content_format);
}

namespace detail {

/** Hands every record `next()` gives to `f` (`format::detail::for_each_next`). */
template <class Next>
[[nodiscard]] result<void> drain_records(Next&& next, record_sink f) noexcept {
    return format::detail::for_each_next(next, [f](const format::record& r) { return f.call(f.context, r); });
}

/**
 * Size builds (-Os): `drain_records` once for every reader (its `next` called through a thunk
 * per reader type): on a microcontroller a copy of the loop per reader costs more than the
 * indirect call per record (Cortex-M4 minimal client: -192 B). Other builds keep `next` inline
 * in the loop (for the readers' fast paths).
 */
[[nodiscard]] inline result<void> drain_records_through(void* reader, result<std::optional<format::record>> (*next)(void*),
                                                        record_sink f) noexcept {
    return drain_records([&] { return next(reader); }, f);
}

// The readers, once per format set (not once per callback: on a microcontroller each copy of
// the five inlined readers costs flash, and a call per record costs next to nothing).
template <format_set Formats>
[[nodiscard]] result<void> for_each_record_visit(std::uint16_t cf, bytes_view payload, const path& base,
                                                 const schema_registry* schemas, record_sink f) noexcept {
    // A JSON reader makes escaped (and base64) values, which the objects' hooks must be able to decode.
    static_assert(config::json_escaped_values || !contains(Formats, format_set::senml_json),
                  "SenML JSON in the format set needs LWM2M_JSON_ESCAPED_VALUES (config.hpp)");
    static_assert(config::base64_values || !contains(Formats, format_set::senml_json),  // its "vd"
                  "SenML JSON in the format set needs LWM2M_BASE64_VALUES (config.hpp)");
    using format::content_format;
    const auto drain = [&](auto& reader) -> result<void> {
#if defined(__OPTIMIZE_SIZE__)  // size builds: one loop for every reader
        using reader_type = std::remove_cvref_t<decltype(reader)>;
        return drain_records_through(&reader, [](void* r) { return static_cast<reader_type*>(r)->next(); }, f);
#else  // the reader's `next` (and its fast path) inline in the loop
        return drain_records([&] { return reader.next(); }, f);
#endif
    };
    switch (format::canonical(static_cast<content_format>(cf))) {
    case content_format::text:
        if constexpr (contains(Formats, format_set::text)) {
            format::text_reader r{payload, base, schemas};
            return drain(r);
        }
        break;
    case content_format::opaque:
        if constexpr (contains(Formats, format_set::opaque)) {
            format::opaque_reader r{payload, base, schemas};
            return drain(r);
        }
        break;
    case content_format::tlv:
        if constexpr (contains(Formats, format_set::tlv)) {
            format::tlv_reader r{payload, base, schemas};
            return drain(r);
        }
        break;
    case content_format::senml_json:
        if constexpr (contains(Formats, format_set::senml_json)) {
            format::senml_json_reader r{payload, base, schemas};
            return drain(r);
        }
        break;
    case content_format::senml_cbor:
        if constexpr (contains(Formats, format_set::senml_cbor)) {
            format::senml_cbor_reader r{payload, base, schemas};
            return drain(r);
        }
        break;
    case content_format::cbor:
        if constexpr (contains(Formats, format_set::cbor)) {
            format::cbor_value_reader r{payload, base, schemas};
            return drain(r);
        }
        break;
    default: break;
    }
    return fail(errc::unsupported_content_format);
}

} // namespace detail

/**
 * Calls `f(const format::record&) -> result<void>` for every record of `payload` (Content-Format
 * `cf`) written to `base`, typed with `schemas`. Stops at the first error.
 * Errors: `unsupported_content_format`, the reader's errors, `f`'s errors.
 */
template <format_set Formats = format_set::all, class F>
[[nodiscard]] result<void> for_each_record(std::uint16_t cf, bytes_view payload, const path& base,
                                           const schema_registry* schemas, F&& f) noexcept {
    return detail::for_each_record_visit<Formats>(cf, payload, base, schemas, record_sink::of(f));
}

// ---- Discover ------------------------------------------------------------------------------

/**
 * Writes the notification attributes of `a` as link parameters in the order pmin, pmax, gt,
 * lt, st, epmin, epmax.
 */
inline void write_attributes(format::link::writer& w, const notification_attributes& a) noexcept {
    if (a.pmin) w.attribute("pmin", std::uint64_t{*a.pmin});
    if (a.pmax) w.attribute("pmax", std::uint64_t{*a.pmax});
    if (a.gt) w.attribute("gt", *a.gt);
    if (a.lt) w.attribute("lt", *a.lt);
    if (a.st) w.attribute("st", *a.st);
    if (a.epmin) w.attribute("epmin", std::uint64_t{*a.epmin});
    if (a.epmax) w.attribute("epmax", std::uint64_t{*a.epmax});
}

/**
 * True when the link of object `id` (version `v`) carries `ver`: a version other than 1.0, or,
 * with `core_versions` (a 1.1 client), any version of a core object (Appendix E: 0-7, and 21
 * OSCORE): a server assumes, for a core object without one, the version of the LwM2M release
 * registered (LwM2M 1.1.1 Core §6.2.1, §7.2.3). Register and Discover decide alike.
 */
[[nodiscard]] constexpr bool gives_version(std::uint16_t id, object_version v, bool core_versions) noexcept {
    return v != object_version{1, 0} || (core_versions && (id <= 7 || id == 21));
}

/** Writes `;ver=X.Y` (major and minor are single digits). */
inline void write_object_version(format::link::writer& w, object_version v) noexcept {
    using namespace std::string_view_literals;  // (no strlen at run time: see HACKING.md)
    const char ver[] = {static_cast<char>('0' + v.major % 10), '.', static_cast<char>('0' + v.minor % 10)};
    w.attribute("ver"sv, std::string_view{ver, 3});
}

/** The number of resource instances of multiple resource `p` (/O/I/R) — Discover's `dim`. */
[[nodiscard]] inline std::size_t resource_dim(const object_binding& o, const path& p, const resource_def& def) noexcept {
    resource_output probe{nullptr, p, def};
    (void)o.read(p, probe);
    return probe.instances();
}

/**
 * Writes the Discover answer for `target` (LwM2M 1.1 Core §6.3.2, 1.0 §5.4.2) as link format:
 * `/O` lists the object (with `ver` when not 1.0), its instances and their resources; `/O/I`
 * the instance and its resources; `/O/I/R` the resource and, for a multiple resource, its
 * instances. Each link carries the attributes `attributes_of(path)` gives for it (as a
 * std::optional or a pointer, empty when there are none: the engine gives those attached at
 * the link's level, and for the target resource those it inherits too), and multiple
 * resources carry `dim` (readable ones only). `core_versions` (a 1.1 client): a core object
 * (0-7, 21) gives its `ver` even when it is 1.0, as in Register (`write_registration_links`).
 * Errors: `not_found`, `operation_not_allowed` (root or resource-instance target).
 */
template <class AttributesOf>
[[nodiscard]] result<void> discover(std::span<const object_binding> objects, const path& target,
                                    AttributesOf&& attributes_of, format::output_window& out,
                                    bool core_versions = false) noexcept {
    if (target.is_root() || target.has_resource_instance()) return fail(errc::operation_not_allowed);
    const object_binding* o = find_object(objects, target.object_id());
    if (o == nullptr) return fail(errc::not_found);
    format::link::writer w{out};
    const auto link = [&](const path& p) {
        w.begin(p);
        if (const auto a = attributes_of(p)) write_attributes(w, *a);
    };
    const auto resources = [&](std::uint16_t instance) {
        for (const resource_def& def : o->schema.resources()) {
            const path rp = *path::make(o->id(), instance, def.id);
            if (!o->has_resource(rp)) continue;
            w.begin(rp);
            if (def.is_multiple() && def.readable()) w.attribute("dim", std::uint64_t{resource_dim(*o, rp, def)});
            if (const auto a = attributes_of(rp)) write_attributes(w, *a);
        }
    };
    if (target.level() == path_level::object) {
        w.begin(target);
        if (const object_version v = o->schema.info().version; gives_version(o->id(), v, core_versions))
            write_object_version(w, v);
        if (const auto a = attributes_of(target)) write_attributes(w, *a);
        const std::size_t n = o->instance_count();
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint16_t id = o->instance_id(i);
            link(*path::make(o->id(), id));
            resources(id);
        }
        return {};
    }
    if (!o->has_instance(target.instance_id())) return fail(errc::not_found);
    if (target.level() == path_level::instance) {
        link(target);
        resources(target.instance_id());
        return {};
    }
    const resource_def* def = o->schema.find(target.resource_id());
    if (def == nullptr || !o->has_resource(target)) return fail(errc::not_found);
    w.begin(target);
    if (def->is_multiple() && def->readable()) {
        resource_output ro{nullptr, target, *def};
        (void)o->read(target, ro);
        w.attribute("dim", std::uint64_t{ro.instances()});
        if (const auto a = attributes_of(target)) write_attributes(w, *a);
        // Resource instances (1.1): read again, each linked as the hook delivers it (no list).
        auto instance_link = [&](const format::record& r) -> result<void> {
            link(r.path);
            return {};
        };
        resource_output vo{record_sink::of(instance_link), target, *def};
        (void)o->read(target, vo);
        return {};
    }
    if (const auto a = attributes_of(target)) write_attributes(w, *a);
    return {};
}

// ---- Write / Create / Delete / Execute -----------------------------------------------------

/**
 * Kind of Write (LwM2M 1.1 Core §6.3.3): PUT replaces; POST to an Object Instance or to a
 * Multiple-Instance Resource updates partially (adds or changes what it names).
 */
enum class write_mode : std::uint8_t { replace, partial_update, create };

namespace detail {
/** A small set of resource ids seen in a payload. */
struct resource_id_set {
    std::array<std::uint16_t, 64> ids{};
    std::size_t size = 0;
    [[nodiscard]] bool contains(std::uint16_t id) const noexcept {
        for (std::size_t i = 0; i < size; ++i)
            if (ids[i] == id) return true;
        return false;
    }
    result<void> add(std::uint16_t id) noexcept {
        if (contains(id)) return {};
        if (size == ids.size()) return fail(errc::capacity_exceeded);
        ids[size++] = id;
        return {};
    }
};
} // namespace detail

/**
 * Applies a Write of `payload` (Content-Format `cf`) to `target` (LwM2M 1.1 Core §6.3.3):
 * the whole payload is checked first (paths under `target`, resources in the schema, writable
 * — or, for `create`, not executable —, values typed and in range), then written. A replace
 * of an instance first `reset`s the writable resources the payload does not name; a replace of
 * a multiple resource (or of an instance naming it) first resets it, so its instances are
 * replaced; a partial update only adds or changes. `target` must be `/O/I`, `/O/I/R` or
 * `/O/I/R/RI` (a partial update: `/O/I` or a multiple resource's `/O/I/R`).
 * Errors: `operation_not_allowed` (wrong level, not writable, a partial update of a single
 * resource, no write hook), `not_found`,
 * `resource_not_in_schema`, `unsupported_content_format`, reader errors (4.00),
 * `missing_mandatory_resource` (create), hook errors.
 */
template <format_set Formats = format_set::all>
[[nodiscard]] result<void> write(std::span<const object_binding> objects, const schema_registry& schemas,
                                 const path& target, std::uint16_t cf, bytes_view payload, write_mode mode) noexcept {
    if (target.depth() < 2) return fail(errc::operation_not_allowed);
    const object_binding* o = find_object(objects, target.object_id());
    if (o == nullptr) return fail(errc::not_found);
    if (mode != write_mode::create && !o->has_instance(target.instance_id())) return fail(errc::not_found);
    if (target.has_resource()) {
        const resource_def* def = o->schema.find(target.resource_id());
        if (def == nullptr) return fail(errc::not_found);
        if (!def->writable()) return fail(errc::operation_not_allowed);
        if (target.has_resource_instance() && !def->is_multiple()) return fail(errc::not_found);
        // A partial update names an Object Instance or a Multiple-Instance Resource (§6.3.3).
        if (mode == write_mode::partial_update && !def->is_multiple()) return fail(errc::operation_not_allowed);
    }
    if (o->ops->write == nullptr) return fail(errc::operation_not_allowed);
    if (!supported_format<Formats>(cf)) return fail(errc::unsupported_content_format);

    // Pass 1: validate everything and note the resources named.
    detail::resource_id_set named;
    detail::resource_id_set multiples;
    auto checked = for_each_record<Formats>(cf, payload, target, &schemas, [&](const format::record& r) -> result<void> {
        if (!r.path.has_resource()) return fail(errc::invalid_argument);
        const resource_def* def = o->schema.find(r.path.resource_id());
        if (def == nullptr) return fail(errc::not_found);
        if (mode == write_mode::create ? def->executable() : !def->writable()) return fail(errc::operation_not_allowed);
        // A CBOR null is read as no value (`none`, as Leshan does): there is nothing to write,
        // and the hooks are promised a value of the resource's type (4.00).
        if (r.value.kind() == value_kind::none) return fail(errc::type_mismatch);
        if (auto ok = named.add(def->id); !ok) return ok;
        if (def->is_multiple() && !target.has_resource_instance())
            if (auto ok = multiples.add(def->id); !ok) return ok;
        return {};
    });
    if (!checked) return checked;
    if (mode == write_mode::create) {
        for (const resource_def& def : o->schema.resources())
            if (def.is_mandatory() && def.writable() && !named.contains(def.id))
                return fail(errc::missing_mandatory_resource);
    }

    // Pass 2: reset what a replace replaces, then write.
    const std::uint16_t instance = target.instance_id();
    if (mode == write_mode::replace && o->ops->reset != nullptr) {
        if (target.level() == path_level::instance) {
            for (const resource_def& def : o->schema.resources()) {
                if (!def.writable() || (named.contains(def.id) && !def.is_multiple())) continue;
                auto ok = o->ops->reset(o->self, *path::make(o->id(), instance, def.id));
                if (!ok && ok.error().code != errc::not_found) return ok;
            }
        } else if (target.level() == path_level::resource) {
            for (std::size_t i = 0; i < multiples.size; ++i) {
                auto ok = o->ops->reset(o->self, *path::make(o->id(), instance, multiples.ids[i]));
                if (!ok && ok.error().code != errc::not_found) return ok;
            }
        }
    }
    return for_each_record<Formats>(cf, payload, target, &schemas, [&](const format::record& r) -> result<void> {
        return o->ops->write(o->self, r.path, r.value);
    });
}

/** The instance id a Create payload names (TLV Object Instance TLV, SenML name), if any. */
template <format_set Formats = format_set::all>
[[nodiscard]] result<std::optional<std::uint16_t>> create_instance_id(std::uint16_t cf, bytes_view payload,
                                                                      const path& object) noexcept {
    using format::content_format;
    if (payload.empty()) return std::optional<std::uint16_t>{};
    const auto f = format::canonical(static_cast<content_format>(cf));
    if (!supported_format<Formats>(cf)) return fail(errc::unsupported_content_format);
    if (f == content_format::tlv) {
        if constexpr (!contains(Formats, format_set::tlv)) return fail(errc::unsupported_content_format);
        auto h = format::tlv::decode_header(payload);
        if (!h) return unexpected{h.error()};
        if (h->type == format::tlv::entry_type::object_instance) {
            if (h->id > path::max_id) return fail(errc::path_id_out_of_range);
            return std::optional<std::uint16_t>{h->id};
        }
        return std::optional<std::uint16_t>{};
    }
    if (f == content_format::senml_json || f == content_format::senml_cbor) {
        std::optional<std::uint16_t> id;
        auto ok = for_each_record<Formats>(cf, payload, object, nullptr, [&](const format::record& r) -> result<void> {
            if (!r.path.has_instance()) return fail(errc::invalid_argument);
            if (id && *id != r.path.instance_id()) return fail(errc::invalid_argument);  // one instance per Create
            id = r.path.instance_id();
            return {};
        });
        if (!ok) return unexpected{ok.error()};
        return id;
    }
    return fail(errc::unsupported_content_format);
}

/** The outcome of a successful Create: the new instance's id. */
struct create_result {
    std::uint16_t instance = 0;
};

/**
 * Create (LwM2M 1.1 Core §6.3.6): `POST /O` with the new instance's resources. The instance id
 * comes from the payload or is the lowest free one; the instance is created with the object's
 * `create` hook and its resources written (removed again if that fails).
 * Errors: `not_found` (object), `operation_not_allowed` (no create hook, or a single-instance
 * object that already has its instance), `instance_exists`, `missing_mandatory_resource`,
 * `unsupported_content_format`, reader and hook errors.
 */
template <format_set Formats = format_set::all>
[[nodiscard]] result<create_result> create(std::span<const object_binding> objects, const schema_registry& schemas,
                                           const path& target, std::uint16_t cf, bytes_view payload) noexcept {
    if (target.level() != path_level::object) return fail(errc::operation_not_allowed);
    const object_binding* o = find_object(objects, target.object_id());
    if (o == nullptr) return fail(errc::not_found);
    if (o->ops->create == nullptr) return fail(errc::operation_not_allowed);
    if (!payload.empty() && !supported_format<Formats>(cf)) return fail(errc::unsupported_content_format);
    if (!o->schema.is_multiple() && o->instance_count() > 0) return fail(errc::operation_not_allowed);
    auto named = create_instance_id<Formats>(cf, payload, target);
    if (!named) return unexpected{named.error()};
    std::uint16_t id = 0;
    if (*named) {
        id = **named;
        if (o->has_instance(id)) return fail(errc::instance_exists);
    } else {
        auto free = o->free_instance_id();
        if (!free) return fail(errc::capacity_exceeded);
        id = *free;
    }
    const path instance = *path::make(o->id(), id);
    // TLV with an Object Instance wrapper is read at /O; bare resources at /O/I.
    const bool wrapped = *named && format::canonical(static_cast<format::content_format>(cf)) == format::content_format::tlv;
    const bool senml = *named && !wrapped;
    // Validate before creating: a dry write with a binding that has no instance yet.
    if (!payload.empty()) {
        auto ok = for_each_record<Formats>(cf, payload, wrapped || senml ? target : instance, &schemas,
                                  [&](const format::record& r) -> result<void> {
                                      if (!r.path.has_resource()) return r.path.has_instance() ? result<void>{} : fail(errc::invalid_argument);
                                      const resource_def* def = o->schema.find(r.path.resource_id());
                                      if (def == nullptr) return fail(errc::not_found);
                                      if (def->executable()) return fail(errc::operation_not_allowed);
                                      return {};
                                  });
        if (!ok) return unexpected{ok.error()};
    }
    // Mandatory writable resources must be given.
    detail::resource_id_set named_resources;
    if (!payload.empty()) {
        (void)for_each_record<Formats>(cf, payload, wrapped || senml ? target : instance, &schemas,
                              [&](const format::record& r) -> result<void> {
                                  if (r.path.has_resource()) return named_resources.add(r.path.resource_id());
                                  return {};
                              });
    }
    for (const resource_def& def : o->schema.resources())
        if (def.is_mandatory() && def.writable() && !named_resources.contains(def.id))
            return fail(errc::missing_mandatory_resource);
    if (auto ok = o->ops->create(o->self, id); !ok) return unexpected{ok.error()};
    if (!payload.empty() && o->ops->write != nullptr) {
        auto ok = for_each_record<Formats>(cf, payload, wrapped || senml ? target : instance, &schemas,
                                  [&](const format::record& r) -> result<void> {
                                      if (!r.path.has_resource()) return {};
                                      return o->ops->write(o->self, r.path, r.value);
                                  });
        if (!ok) {
            if (o->ops->remove != nullptr) (void)o->ops->remove(o->self, id);
            return unexpected{ok.error()};
        }
    }
    return create_result{id};
}

/**
 * Delete (LwM2M 1.1 Core §6.3.7) of instance `target` (`/O/I`).
 * Errors: `operation_not_allowed` (other level or no remove hook), `not_found`, hook errors.
 */
[[nodiscard]] inline result<void> remove(std::span<const object_binding> objects, const path& target) noexcept {
    if (target.level() != path_level::instance) return fail(errc::operation_not_allowed);
    const object_binding* o = find_object(objects, target.object_id());
    if (o == nullptr) return fail(errc::not_found);
    if (!o->has_instance(target.instance_id())) return fail(errc::not_found);
    if (o->ops->remove == nullptr) return fail(errc::operation_not_allowed);
    return o->ops->remove(o->self, target.instance_id());
}

/**
 * Execute (LwM2M 1.1 Core §6.3.5) of resource `target` (`/O/I/R`) with `args`.
 * Errors: `operation_not_allowed` (other level, not executable, no execute hook),
 * `not_found`, `invalid_argument` (argument syntax), hook errors.
 */
[[nodiscard]] inline result<void> execute(std::span<const object_binding> objects, const path& target,
                                          execute_args args) noexcept {
    if (target.level() != path_level::resource) return fail(errc::operation_not_allowed);
    const object_binding* o = find_object(objects, target.object_id());
    if (o == nullptr) return fail(errc::not_found);
    const resource_def* def = o->schema.find(target.resource_id());
    if (def == nullptr) return fail(errc::not_found);
    if (!o->has_instance(target.instance_id())) return fail(errc::not_found);
    if (!def->executable()) return fail(errc::operation_not_allowed);
    if (o->ops->execute == nullptr) return fail(errc::operation_not_allowed);
    if (!args.valid()) return fail(errc::invalid_argument);
    return o->ops->execute(o->self, target, args);
}

} // namespace lwm2m::client::dm
