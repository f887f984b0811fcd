#pragma once
/**
 * @file client/object_binding.hpp
 * Binding user objects to constexpr schemas without virtual functions.
 *
 * An application object is any type that satisfies `client::object`:
 * @code
 *   struct streetlight {
 *       static constexpr const auto& schema = lwm2m::objects::light_control::object;  // an object_def
 *       std::size_t instance_count() const;              // how many instances exist
 *       std::uint16_t instance_id(std::size_t i) const;  // the id of the i-th one
 *       lwm2m::result<void> read(const lwm2m::path& p, lwm2m::client::resource_output& out);
 *       // optional hooks, each detected by a concept:
 *       lwm2m::result<void> write(const lwm2m::path& p, const lwm2m::value& v);   // /O/I/R or /O/I/R/RI
 *       lwm2m::result<void> reset(const lwm2m::path& p);                          // /O/I/R: drop its value(s)
 *       lwm2m::result<void> execute(const lwm2m::path& p, lwm2m::client::execute_args args);
 *       lwm2m::result<void> create(std::uint16_t instance);
 *       lwm2m::result<void> remove(std::uint16_t instance);
 *       bool has_resource(const lwm2m::path& p) const;   // /O/I/R implemented? (Discover, Write)
 *   };
 * @endcode
 * `client::bind(obj)` turns such an object into an `object_binding`: a pointer to the object
 * plus a pointer to one `object_ops` table of plain function pointers generated at compile
 * time for its type (a missing optional hook is a null pointer). The engine keeps a fixed
 * array of bindings; nothing is allocated and nothing is virtual.
 *
 * Hooks return `result<void>`; an error becomes the CoAP code of `response_code` (e.g.
 * `errc::not_found` → 4.04 for an optional resource the object does not implement,
 * `errc::operation_not_allowed` → 4.05, `errc::invalid_argument` → 4.00). The engine checks
 * the schema first (a Write of a read-only resource, an Execute of a value resource, a
 * resource id the schema lacks never reach the object), and values handed to `write` are
 * already of the resource's data type and within its range.
 *
 * Enabling or disabling attached hardware is done by an ordinary resource: a writable
 * Boolean (IPSO On/Off 5850, or a vendor resource) whose `write` hook switches the device, or
 * an executable resource whose `execute` hook does; its `read` reports the current state.
 * After changing a value on its own (a sensor moved, a relay tripped), the application calls
 * `client.value_changed(path, now)` so observations are notified.
 * Allocation: none.
 */

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include <lwm2m/config.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/client/execute_args.hpp>
#include <lwm2m/client/record_buffer.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/**
 * A callback on records by pointer (not a template parameter: one copy of the code that
 * calls it serves every caller's callback, which counts on a microcontroller).
 */
struct record_sink {
    void* context = nullptr;
    result<void> (*call)(void* context, const format::record& r) noexcept = nullptr;

    /** A sink calling `f(record) -> result<void>`; `f` must outlive it. */
    template <class F>
    [[nodiscard]] static constexpr record_sink of(F& f) noexcept {
        return {const_cast<void*>(static_cast<const void*>(&f)),
                [](void* c, const format::record& r) noexcept -> result<void> { return (*static_cast<F*>(c))(r); }};
    }
};

/**
 * Where an object's `read` hook puts the value(s) of one resource (`/O/I/R`): `value(v)` for
 * a single resource, `instance(ri, v)` once per resource instance of a multiple one.
 * Values are converted to the schema's data type (`coerce`: an integer for a Float
 * resource is fine) and their bytes copied, so views of temporaries may be passed.
 * Convenience overloads take `bool`, integers, floating point, text and `objlnk`.
 * Errors: `operation_not_allowed` (value() on a multiple resource or instance() on a single
 * one), `type_mismatch` (not convertible), `capacity_exceeded` (engine buffers full).
 */
class resource_output {
public:
    /** Output for resource `resource` (a /O/I/R path) of schema entry `def`; only resource
     *  instance `only` is kept when given. `store` may be null (counting only). */
    constexpr resource_output(record_store* store, const path& resource, const resource_def& def,
                              std::optional<std::uint16_t> only = std::nullopt) noexcept
        : resource_output(store == nullptr ? record_sink{} : record_sink::of(*store), resource, def, only) {}
    /** Output handing each kept value to `sink` while the hook runs (no copy: a streamed read). */
    constexpr resource_output(record_sink sink, const path& resource, const resource_def& def,
                              std::optional<std::uint16_t> only = std::nullopt) noexcept
        : sink_(sink), resource_(resource), def_(&def), only_(only) {}

    /** The value of a single-instance resource. */
    result<void> value(const lwm2m::value& v) noexcept {
        if (def_->is_multiple()) return fail(errc::operation_not_allowed);
        return put(resource_, v);
    }
    /** Resource instance `ri` of a multiple-instance resource. */
    result<void> instance(std::uint16_t ri, const lwm2m::value& v) noexcept {
        if (!def_->is_multiple()) return fail(errc::operation_not_allowed);
        if (ri > path::max_id) return fail(errc::path_id_out_of_range);
        ++instances_;
        if (only_ && *only_ != ri) return {};
        return put(*resource_.child(ri), v);
    }
    /** `value(make(v))` for bool, integers, floating point, text, objlnk. */
    template <class T>
        requires(!std::same_as<std::remove_cvref_t<T>, lwm2m::value>)
    result<void> value(const T& v) noexcept {
        return value(make(v));
    }
    /** `instance(ri, make(v))`. */
    template <class T>
        requires(!std::same_as<std::remove_cvref_t<T>, lwm2m::value>)
    result<void> instance(std::uint16_t ri, const T& v) noexcept {
        return instance(ri, make(v));
    }

    /** Converts a C++ value into an `lwm2m::value` (text views `v`). */
    template <class T>
    [[nodiscard]] static lwm2m::value make(const T& v) noexcept {
        if constexpr (std::same_as<T, bool>) return lwm2m::value::of_boolean(v);
        else if constexpr (std::integral<T> && std::is_unsigned_v<T>) return lwm2m::value::of_unsigned(v);
        else if constexpr (std::integral<T>) return lwm2m::value::of_integer(v);
        else if constexpr (std::floating_point<T>) return lwm2m::value::of_float(static_cast<double>(v));
        else if constexpr (std::same_as<T, objlnk>) return lwm2m::value::of_objlnk(v);
        else if constexpr (std::same_as<T, bytes_view>) return lwm2m::value::of_opaque(v);
        else return lwm2m::value::of_string(std::string_view(v));
    }

    /** Values delivered (before the resource-instance filter). */
    [[nodiscard]] constexpr std::size_t delivered() const noexcept { return delivered_; }
    /** Resource instances announced with `instance()` (the `dim` of Discover). */
    [[nodiscard]] constexpr std::size_t instances() const noexcept { return instances_; }
    /** Values kept (after the filter). */
    [[nodiscard]] constexpr std::size_t kept() const noexcept { return kept_; }
    [[nodiscard]] constexpr const resource_def& def() const noexcept { return *def_; }

private:
    result<void> put(const path& p, const lwm2m::value& v) noexcept {
        ++delivered_;
        auto typed = coerce(v, def_->type);
        if (!typed) return unexpected{typed.error()};
        ++kept_;
        if (sink_.call == nullptr) return {};  // counting only
        return sink_.call(sink_.context, format::record{p, *typed, std::nullopt});
    }

    record_sink sink_{};
    path resource_;
    const resource_def* def_;
    std::optional<std::uint16_t> only_;
    std::size_t delivered_ = 0;
    std::size_t kept_ = 0;
    std::size_t instances_ = 0;
};

/** The operations every bound object provides (see the file comment). */
template <class T>
concept object = requires(T& t, const T& ct, const path& p, resource_output& out) {
    { T::schema.view() } -> std::convertible_to<object_view>;
    { ct.instance_count() } -> std::convertible_to<std::size_t>;
    { ct.instance_id(std::size_t{}) } -> std::convertible_to<std::uint16_t>;
    { t.read(p, out) } -> std::same_as<result<void>>;
};
/** Optional: Write of a resource or resource instance. */
template <class T>
concept writable_object = requires(T& t, const path& p, const value& v) {
    { t.write(p, v) } -> std::same_as<result<void>>;
};
/** Optional: clear a resource before a Write-replace (multiple resources lose their instances). */
template <class T>
concept resettable_object = requires(T& t, const path& p) {
    { t.reset(p) } -> std::same_as<result<void>>;
};
/** Optional: Execute. */
template <class T>
concept executable_object = requires(T& t, const path& p, execute_args a) {
    { t.execute(p, a) } -> std::same_as<result<void>>;
};
/** Optional: Create an instance with a given id (the engine then writes its resources). */
template <class T>
concept creatable_object = requires(T& t, std::uint16_t i) {
    { t.create(i) } -> std::same_as<result<void>>;
};
/** Optional: Delete an instance. */
template <class T>
concept removable_object = requires(T& t, std::uint16_t i) {
    { t.remove(i) } -> std::same_as<result<void>>;
};
/** Optional: which resources an instance implements (otherwise: the readable ones whose read
 *  does not answer `not_found`, and every writable/executable one). */
template <class T>
concept resource_listing_object = requires(const T& t, const path& p) {
    { t.has_resource(p) } -> std::convertible_to<bool>;
};

/** The function-pointer table of one object type; null = hook not provided. */
struct object_ops {
    std::size_t (*instance_count)(const void*) noexcept;
    std::uint16_t (*instance_id)(const void*, std::size_t) noexcept;
    result<void> (*read)(void*, const path&, resource_output&) noexcept;
    result<void> (*write)(void*, const path&, const value&) noexcept;
    result<void> (*reset)(void*, const path&) noexcept;
    result<void> (*execute)(void*, const path&, execute_args) noexcept;
    result<void> (*create)(void*, std::uint16_t) noexcept;
    result<void> (*remove)(void*, std::uint16_t) noexcept;
    bool (*has_resource)(const void*, const path&) noexcept;
};

namespace detail {
template <object T>
inline constexpr object_ops ops_for{
    [](const void* s) noexcept -> std::size_t { return static_cast<const T*>(s)->instance_count(); },
    [](const void* s, std::size_t i) noexcept -> std::uint16_t { return static_cast<const T*>(s)->instance_id(i); },
    [](void* s, const path& p, resource_output& o) noexcept -> result<void> { return static_cast<T*>(s)->read(p, o); },
    [] {
        if constexpr (writable_object<T>)
            return +[](void* s, const path& p, const value& v) noexcept -> result<void> {
                return static_cast<T*>(s)->write(p, v);
            };
        else return static_cast<result<void> (*)(void*, const path&, const value&) noexcept>(nullptr);
    }(),
    [] {
        if constexpr (resettable_object<T>)
            return +[](void* s, const path& p) noexcept -> result<void> { return static_cast<T*>(s)->reset(p); };
        else return static_cast<result<void> (*)(void*, const path&) noexcept>(nullptr);
    }(),
    [] {
        if constexpr (executable_object<T>)
            return +[](void* s, const path& p, execute_args a) noexcept -> result<void> {
                return static_cast<T*>(s)->execute(p, a);
            };
        else return static_cast<result<void> (*)(void*, const path&, execute_args) noexcept>(nullptr);
    }(),
    [] {
        if constexpr (creatable_object<T>)
            return +[](void* s, std::uint16_t i) noexcept -> result<void> { return static_cast<T*>(s)->create(i); };
        else return static_cast<result<void> (*)(void*, std::uint16_t) noexcept>(nullptr);
    }(),
    [] {
        if constexpr (removable_object<T>)
            return +[](void* s, std::uint16_t i) noexcept -> result<void> { return static_cast<T*>(s)->remove(i); };
        else return static_cast<result<void> (*)(void*, std::uint16_t) noexcept>(nullptr);
    }(),
    [] {
        if constexpr (resource_listing_object<T>)
            return +[](const void* s, const path& p) noexcept -> bool { return static_cast<const T*>(s)->has_resource(p); };
        else return static_cast<bool (*)(const void*, const path&) noexcept>(nullptr);
    }(),
};
} // namespace detail

/**
 * A bound object: its schema, the object and its operations table. Small and trivially
 * copyable. The object must outlive the engine it is registered with.
 */
struct object_binding {
    object_view schema{};
    void* self = nullptr;
    const object_ops* ops = nullptr;

    [[nodiscard]] std::uint16_t id() const noexcept { return schema.id(); }
    [[nodiscard]] std::size_t instance_count() const noexcept { return ops->instance_count(self); }
    [[nodiscard]] std::uint16_t instance_id(std::size_t i) const noexcept { return ops->instance_id(self, i); }
    /** True if instance `id` exists (linear in the number of instances). */
    [[nodiscard]] bool has_instance(std::uint16_t id) const noexcept {
        const std::size_t n = instance_count();
        for (std::size_t i = 0; i < n; ++i)
            if (instance_id(i) == id) return true;
        return false;
    }
    /** The lowest id no instance uses (for a Create without id), or nullopt if all are taken. */
    [[nodiscard]] std::optional<std::uint16_t> free_instance_id() const noexcept {
        for (std::uint32_t id = 0; id <= path::max_id; ++id)
            if (!has_instance(static_cast<std::uint16_t>(id))) return static_cast<std::uint16_t>(id);
        return std::nullopt;
    }
    /** Reads resource `p` (/O/I/R) into `out`. */
    [[nodiscard]] result<void> read(const path& p, resource_output& out) const noexcept { return ops->read(self, p, out); }

    /**
     * True if instance `p.prefix(instance)` implements resource `p` (/O/I/R): the object's
     * `has_resource` when it has one, else a probing read for readable resources and the
     * presence of the write/execute hook for the others.
     */
    [[nodiscard]] bool has_resource(const path& p) const noexcept {
        const resource_def* def = schema.find(p.resource_id());
        if (def == nullptr) return false;
        if (ops->has_resource != nullptr) return ops->has_resource(self, p);
        if (def->readable()) {
            resource_output probe{nullptr, p, *def};
            auto r = ops->read(self, p, probe);
            return r.has_value() || r.error().code != errc::not_found;
        }
        if (def->executable()) return ops->execute != nullptr;
        if (def->writable()) return ops->write != nullptr;
        return false;
    }
};

namespace detail {
/** `Schema` without its text (object and resource names, units, URN): what LWM2M_SCHEMA_NAMES 0 binds. */
template <const auto& Schema>
inline constexpr auto schema_without_names = [] {
    auto s = Schema;
    s.info.name = {};
    s.info.urn = {};
    for (auto& r : s.resources) {
        r.name = {};
        r.units = {};
    }
    return s;
}();
} // namespace detail

/**
 * Binds `obj` (which must outlive the binding). The binding's schema is `T::schema`, or with
 * LWM2M_SCHEMA_NAMES 0 (config.hpp) a copy without names, units and URN. Allocation: none.
 */
template <object T>
[[nodiscard]] object_binding bind(T& obj) noexcept {
    if constexpr (config::schema_names) return object_binding{T::schema.view(), &obj, &detail::ops_for<T>};
    else return object_binding{detail::schema_without_names<T::schema>.view(), &obj, &detail::ops_for<T>};
}

} // namespace lwm2m::client
