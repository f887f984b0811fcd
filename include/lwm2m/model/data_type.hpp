#pragma once
/**
 * @file data_type.hpp
 * LwM2M resource data types and operations (LwM2M 1.1 Core Appendix C, object XML
 * `<Type>` and `<Operations>` of the OMA registry).
 */

#include <cstdint>
#include <string_view>

namespace lwm2m {

/** A resource's data type. `none` is the type of executable resources. */
enum class data_type : std::uint8_t {
    none,              ///< executable resource, no value
    string,            ///< UTF-8 text
    integer,           ///< signed 64-bit
    unsigned_integer,  ///< unsigned 64-bit (LwM2M 1.1)
    float_,            ///< IEEE 754 binary32/binary64
    boolean,
    opaque,            ///< raw bytes
    time,              ///< seconds since 1970-01-01 UTC, signed
    objlnk,            ///< object link "ObjID:InstID"
    corelnk,           ///< CoRE link format text (RFC 6690, LwM2M 1.1)
};

/** Registry spelling of a data type ("String", "Integer", ... "" for none). */
[[nodiscard]] constexpr std::string_view name(data_type t) noexcept {
    switch (t) {
    case data_type::none: return "";
    case data_type::string: return "String";
    case data_type::integer: return "Integer";
    case data_type::unsigned_integer: return "Unsigned Integer";
    case data_type::float_: return "Float";
    case data_type::boolean: return "Boolean";
    case data_type::opaque: return "Opaque";
    case data_type::time: return "Time";
    case data_type::objlnk: return "Objlnk";
    case data_type::corelnk: return "Corelnk";
    }
    return "";
}

/** True for the types whose values are numbers (gt/lt/st apply to them). */
[[nodiscard]] constexpr bool is_numeric(data_type t) noexcept {
    return t == data_type::integer || t == data_type::unsigned_integer || t == data_type::float_ ||
           t == data_type::time;
}

/** The operations a resource allows, as a bit set (R, W, E; "RW" = read | write). */
enum class operations : std::uint8_t { none = 0, read = 1, write = 2, read_write = 3, execute = 4 };

[[nodiscard]] constexpr operations operator|(operations a, operations b) noexcept {
    return static_cast<operations>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
/** True if every operation of `wanted` is allowed by `allowed`. */
[[nodiscard]] constexpr bool allows(operations allowed, operations wanted) noexcept {
    return (static_cast<std::uint8_t>(allowed) & static_cast<std::uint8_t>(wanted)) == static_cast<std::uint8_t>(wanted);
}

/** An object link value (LwM2M 1.1 Core §7.4 Objlnk): object id and instance id. */
struct objlnk {
    std::uint16_t object_id = 0xFFFF;
    std::uint16_t instance_id = 0xFFFF;
    /** 65535:65535 is the null link. */
    [[nodiscard]] constexpr bool is_null() const noexcept { return object_id == 0xFFFF && instance_id == 0xFFFF; }
    friend constexpr bool operator==(const objlnk&, const objlnk&) noexcept = default;
};

} // namespace lwm2m
