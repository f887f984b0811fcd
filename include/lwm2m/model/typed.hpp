#pragma once
/**
 * @file model/typed.hpp
 * Typed access to constexpr schemas: a resource named at compile time (`resource_ref`), the
 * C++ type of its values (`value_type_t`), and value/write helpers that do not compile when
 * the resource is not writable or the value has the wrong type.
 *
 * @code
 *   #include <lwm2m/model/objects/device.hpp>
 *   #include <lwm2m/model/objects/lwm2m_server.hpp>
 *   #include <lwm2m/model/typed.hpp>
 *
 *   namespace device = lwm2m::objects::device;
 *   namespace server = lwm2m::objects::lwm2m_server;
 *   using utc_offset = lwm2m::resource_ref<device::object, device::utc_offset>;  // /3/x/14, RW String
 *   using lifetime = lwm2m::resource_ref<server::object, server::lifetime>;      // /1/x/1, RW Integer
 *   using manufacturer = lwm2m::resource_ref<device::object, device::manufacturer>;  // R String
 *
 *   static_assert(utc_offset::def.writable() && utc_offset::type == lwm2m::data_type::string);
 *
 *   lwm2m::value v = lwm2m::make_value<manufacturer>("ACME");            // a value for a Read response
 *   auto w = lwm2m::typed_write<utc_offset>(0, "+01:00");               // /3/0/14 = "+01:00"
 *   if (w) send_write(w->path, w->value);                               // result<path_value>
 *   auto l = lwm2m::typed_write<lifetime>(1, 86400);                    // /1/1/1 = 86400
 *
 *   // Do not compile:
 *   // lwm2m::typed_write<manufacturer>(0, "ACME");   // constraint resource_is_writable<manufacturer>
 *   // lwm2m::typed_write<lifetime>(1, "86400");      // constraint value_matches_resource_type<const char(&)[6], lifetime>
 *   // lwm2m::typed_write<lifetime>(1, 86400.0);      // no double -> Integer conversion
 *   // lwm2m::resource_ref<device::object, 99>::def;  // schema_error_resource_not_in_object
 * @endcode
 *
 * Data types are those of LwM2M 1.1 Core Appendix C; a Write is the Device Management
 * operation of LwM2M 1.1 Core §6.3 (1.0 §5.4), allowed on resources with W in `<Operations>`.
 *
 * Accepted C++ types per data type (`value_matches_resource_type`): exact types, no implicit
 * narrowing or sign change, and no views of temporaries:
 * - String, Corelnk: anything convertible to `std::string_view` (literals, `const char*`,
 *   `std::string_view`, lvalue `std::string`); not `nullptr`, not an rvalue `std::string`.
 * - Integer, Time: integer types whose values all fit `std::int64_t` (not `bool`, not the
 *   character types, not `std::uint64_t`).
 * - Unsigned Integer: unsigned integer types (not `bool`/characters): write `5u`, not `5`.
 * - Float: `float` and `double` (not integers: write `21.0`).
 * - Boolean: `bool` only. Objlnk: `lwm2m::objlnk` only.
 * - Opaque: anything convertible to `bytes_view` that is an lvalue or a `std::span`.
 *
 * The model layer does not know content formats: `typed_write` returns the target path and
 * the value (`path_value`); a format writer turns that into a record.
 * Allocation: none.
 */

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <lwm2m/bytes.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m {

/** Maps a data type to the C++ type its values are given as (`void` for none). */
template <data_type T>
struct value_type_of {
    using type = void;
};
/** String: a view of UTF-8 text. */
template <>
struct value_type_of<data_type::string> {
    using type = std::string_view;
};
/** Integer: signed 64-bit. */
template <>
struct value_type_of<data_type::integer> {
    using type = std::int64_t;
};
/** Unsigned Integer: unsigned 64-bit. */
template <>
struct value_type_of<data_type::unsigned_integer> {
    using type = std::uint64_t;
};
/** Float: double. */
template <>
struct value_type_of<data_type::float_> {
    using type = double;
};
/** Boolean: bool. */
template <>
struct value_type_of<data_type::boolean> {
    using type = bool;
};
/** Opaque: a view of bytes. */
template <>
struct value_type_of<data_type::opaque> {
    using type = bytes_view;
};
/** Time: seconds since 1970-01-01 UTC, signed 64-bit. */
template <>
struct value_type_of<data_type::time> {
    using type = std::int64_t;
};
/** Objlnk: `lwm2m::objlnk`. */
template <>
struct value_type_of<data_type::objlnk> {
    using type = objlnk;
};
/** Corelnk: a view of CoRE link format text. */
template <>
struct value_type_of<data_type::corelnk> {
    using type = std::string_view;
};

/** The C++ type of values of data type `T`: `value_type_t<data_type::integer>` is `std::int64_t`. */
template <data_type T>
using value_type_t = typename value_type_of<T>::type;

namespace detail {

template <class T>
struct is_object_def : std::false_type {};
template <std::size_t N>
struct is_object_def<object_def<N>> : std::true_type {};

template <class T>
struct is_span : std::false_type {};
template <class T, std::size_t E>
struct is_span<std::span<T, E>> : std::true_type {};

template <class U>
concept typed_plain_integer = std::integral<U> && !std::same_as<U, bool> && !std::same_as<U, char> &&
                              !std::same_as<U, signed char> && !std::same_as<U, unsigned char> &&
                              !std::same_as<U, wchar_t> && !std::same_as<U, char8_t> &&
                              !std::same_as<U, char16_t> && !std::same_as<U, char32_t>;

/** True when a `V` argument is an acceptable value of data type `T` (see the file comment). */
template <data_type T, class V>
consteval bool accepts_value() {
    using U = std::remove_cvref_t<V>;
    if constexpr (T == data_type::string || T == data_type::corelnk) {
        return std::convertible_to<V, std::string_view> && !std::is_null_pointer_v<U> &&
               (std::is_lvalue_reference_v<V> || !std::is_class_v<U> || std::same_as<U, std::string_view>);
    } else if constexpr (T == data_type::integer || T == data_type::time) {
        if constexpr (typed_plain_integer<U>)
            return std::numeric_limits<U>::max() <= static_cast<std::uintmax_t>(std::numeric_limits<std::int64_t>::max());
        else
            return false;
    } else if constexpr (T == data_type::unsigned_integer) {
        return typed_plain_integer<U> && std::is_unsigned_v<U>;
    } else if constexpr (T == data_type::float_) {
        return std::same_as<U, float> || std::same_as<U, double>;
    } else if constexpr (T == data_type::boolean) {
        return std::same_as<U, bool>;
    } else if constexpr (T == data_type::opaque) {
        return std::convertible_to<V, bytes_view> && (std::is_lvalue_reference_v<V> || is_span<U>::value);
    } else if constexpr (T == data_type::objlnk) {
        return std::same_as<U, objlnk>;
    } else {
        return false;  // none: executable resources have no value
    }
}

/** Instance ids `typed_write` takes: raw integers (checked at run time) or `lwm2m::instance_id`. */
template <class I>
concept typed_instance = path_integer<I> || std::same_as<I, lwm2m::instance_id>;
template <class I>
concept typed_resource_instance = path_integer<I> || std::same_as<I, lwm2m::resource_instance_id>;

template <class I>
[[nodiscard]] constexpr auto raw_id(I id) noexcept {
    if constexpr (std::is_enum_v<I>) return static_cast<std::uint16_t>(id);
    else return id;
}

} // namespace detail

/**
 * A resource of a constexpr schema, named at compile time: `Object` is an `object_def`
 * constant (a generated `lwm2m::objects::<name>::object`) and `Id` a resource id it
 * defines; an id it does not define fails to compile (`schema_error_resource_not_in_object`)
 * as soon as a member is used.
 * @code
 *   using reboot = lwm2m::resource_ref<lwm2m::objects::device::object, lwm2m::objects::device::reboot>;
 *   static_assert(reboot::def.executable() && reboot::object_id == 3 && reboot::id == 4);
 * @endcode
 */
template <const auto& Object, std::uint16_t Id>
    requires detail::is_object_def<std::remove_cvref_t<decltype(Object)>>::value
struct resource_ref {
    /** The resource's schema entry. */
    static constexpr const resource_def& def = Object.template resource<Id>();
    /** The object's facts (id, name, version, ...). */
    static constexpr const object_info& object = Object.info;
    /** Object id. */
    static constexpr std::uint16_t object_id = Object.info.id;
    /** Resource id. */
    static constexpr std::uint16_t id = Id;
    /** Data type of the resource. */
    static constexpr data_type type = def.type;
    /** The C++ type of its values (`void` for executable resources). */
    using value_type = value_type_t<def.type>;
};

/** `R` names a resource of a schema (a `resource_ref`, or a type with the same members). */
template <class R>
concept resource_reference = requires {
    { R::def } -> std::convertible_to<const resource_def&>;
    { R::object_id } -> std::convertible_to<std::uint16_t>;
    { R::id } -> std::convertible_to<std::uint16_t>;
};

/** The resource allows Write (W or RW in the object definition). */
template <class R>
concept resource_is_writable = resource_reference<R> && R::def.writable();

/** The resource allows Read. */
template <class R>
concept resource_is_readable = resource_reference<R> && R::def.readable();

/** The resource is a single-instance resource (`/O/I/R` holds its value). */
template <class R>
concept single_instance_resource = resource_reference<R> && !R::def.is_multiple();

/** The resource is a multiple-instance resource (values live at `/O/I/R/RI`). */
template <class R>
concept multiple_instance_resource = resource_reference<R> && R::def.is_multiple();

/** A `V` argument is a value of `R`'s data type, without narrowing (see the file comment). */
template <class V, class R>
concept value_matches_resource_type = resource_reference<R> && detail::accepts_value<R::def.type, V>();

/** A target path and the value to write there: what `typed_write` produces. */
struct path_value {
    ::lwm2m::path path{};    ///< `/O/I/R` or `/O/I/R/RI`
    ::lwm2m::value value{};  ///< typed as the resource's data type
};

/**
 * The value `v` as a `lwm2m::value` of `Res`'s data type. Strings, Corelnk and Opaque values
 * are views of `v` (no copy): `v` must outlive the value.
 * Does not compile unless `v` is of an accepted type (`value_matches_resource_type`).
 * Allocation: none.
 */
template <class Res, class V>
    requires value_matches_resource_type<V, Res>
[[nodiscard]] constexpr value make_value(V&& v) noexcept {
    constexpr data_type t = Res::def.type;
    if constexpr (t == data_type::string) return value::of_string(std::string_view(v));
    else if constexpr (t == data_type::corelnk) return value::of_corelnk(std::string_view(v));
    else if constexpr (t == data_type::integer) return value::of_integer(static_cast<std::int64_t>(v));
    else if constexpr (t == data_type::time) return value::of_time(static_cast<std::int64_t>(v));
    else if constexpr (t == data_type::unsigned_integer) return value::of_unsigned(static_cast<std::uint64_t>(v));
    else if constexpr (t == data_type::float_) return value::of_float(static_cast<double>(v));
    else if constexpr (t == data_type::boolean) return value::of_boolean(v);
    else if constexpr (t == data_type::opaque) return value::of_opaque(bytes_view(v));
    else return value::of_objlnk(v);
}

/**
 * A Write of `v` to the single-instance resource `Res` of object instance `instance`:
 * `/O/instance/R` and the typed value.
 * Does not compile unless `Res` is writable (`resource_is_writable`), single-instance and `v`
 * has an accepted type (`value_matches_resource_type`).
 * Errors: `path_id_out_of_range` (offset 1) when `instance` is not 0..65534.
 * Allocation: none.
 * @code
 *   auto w = lwm2m::typed_write<lwm2m::resource_ref<device::object, device::utc_offset>>(0, "+01:00");
 * @endcode
 */
template <class Res, detail::typed_instance I, class V>
    requires resource_is_writable<Res> && value_matches_resource_type<V, Res> && single_instance_resource<Res>
[[nodiscard]] constexpr result<path_value> typed_write(I instance, V&& v) noexcept {
    result<path> p = path::make(Res::object_id, detail::raw_id(instance), Res::id);
    if (!p) return unexpected{p.error()};
    return path_value{*p, make_value<Res>(std::forward<V>(v))};
}

/**
 * A Write of `v` to resource instance `resource_instance` of the multiple-instance resource
 * `Res` of object instance `instance`: `/O/instance/R/resource_instance` and the typed value.
 * Does not compile unless `Res` is writable, multiple-instance and `v` has an accepted type.
 * Errors: `path_id_out_of_range` (offset 1 or 3) when an id is not 0..65534.
 * Allocation: none.
 */
template <class Res, detail::typed_instance I, detail::typed_resource_instance RI, class V>
    requires resource_is_writable<Res> && value_matches_resource_type<V, Res> && multiple_instance_resource<Res>
[[nodiscard]] constexpr result<path_value> typed_write(I instance, RI resource_instance, V&& v) noexcept {
    result<path> p = path::make(Res::object_id, detail::raw_id(instance), Res::id, detail::raw_id(resource_instance));
    if (!p) return unexpected{p.error()};
    return path_value{*p, make_value<Res>(std::forward<V>(v))};
}

} // namespace lwm2m
